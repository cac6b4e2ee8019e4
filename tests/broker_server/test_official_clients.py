"""Clients no one here wrote, against ``apact broker`` over real HTTP, on SQLite and on
PostgreSQL (the ``store`` fixture, backends.py).

The official ``pact`` CLI (pact-python-cli: ``pact broker ...``, ``pact verifier``) and
pact-python's ``Verifier`` (the Rust core) publish, fetch pacts with selectors, publish
verification results, record deployments and ask can-i-deploy. Skipped when they are
not installed.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import anyio.to_thread
import pytest

from apact._core._serve import serve as serving
from apact.broker_server import create_app
from apact.broker_server._store import Store, Transaction

from ..broker.grill import grill, run_pact, sous_chef_pact, text, write_pact

pytestmark = [pytest.mark.anyio, pytest.mark.parametrize("anyio_backend", ["asyncio"])]


async def _verify(broker: str, provider: str, version: str, selector: str) -> subprocess.CompletedProcess[bytes]:
    """``pact verifier`` against the broker, publishing the results."""
    return await run_pact(
        "verifier",
        "--broker-url", broker,
        "--provider-name", "Grill Chef",
        "--hostname", "127.0.0.1",
        "--port", provider.rsplit(":", 1)[1],
        "--state-change-url", f"{provider}/_pact/state",
        "--consumer-version-selectors", selector,
        "--enable-pending",
        "--publish",
        "--provider-version", version,
        "--provider-branch", "main",
        "--no-colour",
    )  # fmt: skip


async def test_the_grill_chef_flow_with_the_official_cli(tmp_path: Path, store: Store) -> None:
    """publish, verify and publish results, record deployments, can-i-deploy says yes; then
    a breaking provider change fails verification and can-i-deploy says no, naming the
    consumer and the failed interaction."""
    pact_file = write_pact(tmp_path, sous_chef_pact())
    async with serving(create_app(store)) as broker:
        b = ("-b", broker)
        created = await run_pact("broker", "create-environment", "--name", "production", "--production", *b)
        assert created.returncode == 0, text(created)
        published = await run_pact(
            "broker",
            "publish",
            str(pact_file),
            "--consumer-app-version",
            "1.0.0",
            "--branch",
            "main",
            "--tag",
            "dev",
            *b,
        )
        assert "Published the pact between Sous Chef version 1.0.0 and Grill Chef" in text(published)

        async with serving(grill(10)) as provider:
            verified = await _verify(broker, provider, "1.0.0", '{"mainBranch": true}')
        assert verified.returncode == 0, text(verified)
        assert "pending state" in text(verified)  # the broker's notices, printed by the verifier

        for name in ("Grill Chef", "Sous Chef"):
            deployed = await run_pact(
                "broker",
                "record-deployment",
                "--pacticipant",
                name,
                "--version",
                "1.0.0",
                "--environment",
                "production",
                *b,
            )
            assert deployed.returncode == 0, text(deployed)
        yes = await run_pact(
            "broker",
            "can-i-deploy",
            "--pacticipant",
            "Sous Chef",
            "--version",
            "1.0.0",
            "--to-environment",
            "production",
            *b,
        )
        assert yes.returncode == 0, text(yes)
        assert "Computer says yes" in text(yes)
        pair = await run_pact(
            "broker", "can-i-deploy", "--pacticipant", "Sous Chef", "--version", "1.0.0",
            "--pacticipant", "Grill Chef", "--version", "1.0.0", *b,
        )  # fmt: skip
        assert pair.returncode == 0, text(pair)

        async with serving(grill("ten")) as provider:
            broken = await _verify(broker, provider, "2.0.0", '{"deployedOrReleased": true}')
        assert broken.returncode == 1, text(broken)
        assert "Expected 'ten' (String) to be an integer" in text(broken)
        no = await run_pact(
            "broker",
            "can-i-deploy",
            "--pacticipant",
            "Grill Chef",
            "--version",
            "2.0.0",
            "--to-environment",
            "production",
            *b,
        )
        assert no.returncode == 1, text(no)
        assert (
            "The verification of the pact between version 1.0.0 of Sous Chef and version 2.0.0 of Grill Chef failed; "
            "failed interactions: 'a request for a medium-rare steak'"
        ) in text(no)

    def recorded(tx: Transaction) -> tuple[list[str], list[bool]]:
        grill_chef = tx.pacticipant("Grill Chef")
        assert grill_chef is not None
        return [v.number + ":" + ",".join(v.branches) for v in tx.versions(grill_chef.id)], [
            v.success for v in tx.verifications(provider_id=grill_chef.id)
        ]

    with store.transaction() as tx:
        assert recorded(tx) == (["1.0.0:main", "2.0.0:main"], [True, False])


def _verify_with_pact_python(broker: str, provider: str, version: str) -> dict[str, Any]:
    """pact-python's Verifier: main-branch pacts, pending and WIP pacts, results published."""
    os.environ.setdefault("PACT_DO_NOT_TRACK", "true")
    from pact import Verifier

    verifier = (
        Verifier("Grill Chef", host="127.0.0.1")
        .add_transport(url=provider)
        .state_handler(f"{provider}/_pact/state", body=True)
        .broker_source(broker, selector=True)
        .consumer_version(main_branch=True)
        .include_pending()
        .include_wip_since("2020-01-01")
        .provider_branch("main")
        .build()
        .set_publish_options(version=version, branch="main")
    )
    try:
        verifier.verify()
    except RuntimeError:
        pass  # the results say what failed
    results: dict[str, Any] = verifier.results
    return results


async def test_pact_python_fetches_with_selectors_and_pending_and_wip_pacts(tmp_path: Path, store: Store) -> None:
    """A failing WIP pact (a consumer branch not yet verified) does not fail the run; once
    the main-branch pact has been verified, a failure of it does."""
    pytest.importorskip("pact", reason="pact-python is not installed")
    main = write_pact(tmp_path, sous_chef_pact(), "main.json")
    feature = write_pact(tmp_path, sous_chef_pact(rare=True), "feature.json")
    async with serving(create_app(store)) as broker:
        for path, number, branch in ((main, "1.0.0", "main"), (feature, "2.0.0", "feat/rare")):
            published = await run_pact(
                "broker", "publish", str(path), "--consumer-app-version", number, "--branch", branch, "-b", broker
            )
            assert published.returncode == 0, text(published)
        async with serving(grill(10)) as provider:
            first = await anyio.to_thread.run_sync(_verify_with_pact_python, broker, provider, "1.0.0")
        async with serving(grill("ten")) as provider:
            second = await anyio.to_thread.run_sync(_verify_with_pact_python, broker, provider, "2.0.0")

    outcomes = {(r["description"], r["pending"], r["result"]) for r in first["interactionResults"]}
    assert first["result"] is True, first["errors"]
    assert ("a request for a rare steak", True, "Error") in outcomes  # WIP: verified, failure tolerated
    assert ("a request for a medium-rare steak", True, "OK") in outcomes
    assert len(first["pendingErrors"]) == 1

    assert second["result"] is False
    failed = {(r["description"], r["pending"]) for r in second["interactionResults"] if r["result"] != "OK"}
    assert ("a request for a medium-rare steak", False) in failed  # the main pact is no longer pending

    with store.transaction() as tx:
        provider_id = tx.pacticipant("Grill Chef").id  # type: ignore[union-attr]
        verifications = [(v.success, v.wip) for v in tx.verifications(provider_id=provider_id)]
    assert sorted(verifications[:2]) == [(False, True), (True, False)]  # first run: the WIP result is marked


async def test_the_official_cli_with_tokens_and_basic_auth(tmp_path: Path, store: Store) -> None:
    """The CLI's bearer token and basic auth are accepted; no or read-only credentials are refused."""
    app = create_app(store, token="s3cret", read_only_token="peek", username="chef", password="grill")
    async with serving(app) as broker:
        b = ("-b", broker)
        environment = ("create-environment", "--name", "test")
        refused = await run_pact("broker", *environment, *b)
        assert refused.returncode != 0
        assert "401" in text(refused) or "Unauthorized" in text(refused), text(refused)
        read_only = await run_pact("broker", *environment, "-k", "peek", *b)
        assert read_only.returncode != 0
        assert "403" in text(read_only) or "Forbidden" in text(read_only), text(read_only)
        assert (await run_pact("broker", *environment, "-k", "s3cret", *b)).returncode == 0
        listed = await run_pact("broker", "list-environments", "-k", "peek", *b)
        assert listed.returncode == 0 and "test" in text(listed), text(listed)
        basic = await run_pact("broker", "create-environment", "--name", "uat", "-u", "chef", "-p", "grill", *b)
        assert basic.returncode == 0, text(basic)
