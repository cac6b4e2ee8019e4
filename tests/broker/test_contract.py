"""The official Pact Broker client's contract with the broker, replayed against ``apact broker``.

Two verifiers replay it: here, in-process, each interaction as its own test (request
from the pact, response checked by apact's matching engine); and the official Rust
verifier over real HTTP (``test_contract_official_verifier.py``). Both seed provider
states with the same functions (``states.py``).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from apact.matching import match_response

from .contract import BASE_URL, EXCLUDED, StatefulBroker, contract_path, interaction_id, load_contract, require_contract
from .states import STATES, contract_states


def _interactions() -> list[Any]:
    path = contract_path()
    if path is None:
        return [pytest.param(None, id="contract-missing")]
    interactions = json.loads(path.read_text())["interactions"]
    return [
        pytest.param(
            interaction,
            id=interaction_id(index, interaction),
            marks=[pytest.mark.xfail(reason=EXCLUDED[interaction["description"]], strict=True)]
            if interaction["description"] in EXCLUDED
            else [],
        )
        for index, interaction in enumerate(interactions)
    ]


def _actual(response: httpx.Response) -> dict[str, Any]:
    actual: dict[str, Any] = {"status": response.status_code, "headers": dict(response.headers)}
    if response.content:
        is_json = "json" in response.headers.get("content-type", "")
        actual["body"] = response.json() if is_json else response.text
    return actual


@pytest.mark.anyio
@pytest.mark.parametrize("interaction", _interactions())
async def test_interaction(interaction: dict[str, Any] | None) -> None:
    """Each interaction of the contract passes against a broker seeded with its state."""
    if interaction is None:
        require_contract()  # skips, saying why
        return
    broker = StatefulBroker()
    state = interaction.get("providerState")
    if state:
        broker.seed(state)
    assert broker.unknown == [], f"no handler for the provider state {state!r}"
    request = interaction["request"]
    query = request.get("query")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=broker.app), base_url=BASE_URL) as client:
        response = await client.request(
            request["method"],
            request["path"] + (f"?{query}" if query else ""),
            headers=request.get("headers", {}),
            content=json.dumps(request["body"]) if "body" in request else None,
        )
    mismatches = match_response(interaction["response"], _actual(response), "2.0.0")
    assert not mismatches, (
        "\n".join(str(m) for m in mismatches) + f"\n\nresponse {response.status_code}: {response.text}"
    )


def test_every_provider_state_has_a_handler() -> None:
    missing = contract_states(load_contract()) - set(STATES)
    assert not missing, f"provider states without a handler in states.py: {sorted(missing)}"
