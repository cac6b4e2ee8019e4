"""The official Rust verifier (through pact-python) replays the Pact Broker client's
contract against ``apact broker`` over real HTTP; every interaction passes.

Skipped when pact-python or the contract is absent. The state-change endpoint never
fails (the Rust core retries failing state changes for minutes).
"""

from __future__ import annotations

import json
import os
from typing import Any

import anyio.to_thread
import pytest

from apact._core._serve import serve as serving
from apact.broker_server._store import Store

from .contract import EXCLUDED, StatefulBroker, require_contract

os.environ.setdefault("PACT_DO_NOT_TRACK", "true")  # pact-python sends usage telemetry otherwise
pact = pytest.importorskip("pact", reason="pact-python is not installed (pip install pact-python)")


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.anyio
async def test_the_official_verifier_passes_the_contract(store: Store) -> None:
    path = require_contract()
    broker = StatefulBroker(store)
    async with serving(broker.app) as url:

        def verify() -> dict[str, Any]:
            verifier = (
                pact.Verifier("Pact Broker", host="127.0.0.1")
                .add_transport(url=url)
                .add_source(str(path))
                .state_handler(f"{url}/_pact/state", teardown=True, body=True)
                .set_request_timeout(10_000)
            )
            try:
                verifier.verify()
            except RuntimeError:
                pass  # the results say what failed
            results: dict[str, Any] = verifier.results
            return results

        with anyio.fail_after(120):
            results = await anyio.to_thread.run_sync(verify)
    interactions = results["interactionResults"]
    failed = [r for r in interactions if r["result"] != "OK" and r["description"] not in EXCLUDED]
    assert len(interactions) == len(json.loads(path.read_text())["interactions"])
    assert not failed, "\n".join(f"{r['description']}: {r.get('mismatch')}" for r in failed)
    assert broker.problems == []
