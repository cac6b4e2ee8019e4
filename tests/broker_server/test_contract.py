"""The official Pact Broker client's contract with the broker, verified against ``apact broker``.

Two verifiers replay it: here apact's own ``Verifier``, in-process, one test per
interaction on a fresh broker; and the official Rust verifier over real HTTP
(``test_contract_official_verifier.py``). Both seed provider states through the same
state-change endpoint and functions (``contract.py``, ``states.py``).
"""

from __future__ import annotations

from typing import Any

import pytest

from apact import Verifier, pactfile
from apact.broker_server._store import Store
from apact.model import Interaction

from .contract import EXCLUDED, StatefulBroker, contract_path, interaction_id, load_contract, require_contract
from .states import STATES, contract_states


def _interactions() -> list[Any]:
    path = contract_path()
    if path is None:
        return [pytest.param(None, id="contract-missing")]
    found = []
    for index, interaction in enumerate(pactfile.load(path).interactions):
        marks = []
        if interaction.description in EXCLUDED:
            marks.append(pytest.mark.xfail(reason=EXCLUDED[interaction.description], strict=True))
        state = interaction.provider_states[0].name if interaction.provider_states else None
        found.append(pytest.param(interaction, id=interaction_id(index, interaction.description, state), marks=marks))
    return found


@pytest.mark.anyio
@pytest.mark.parametrize("interaction", _interactions())
async def test_interaction(interaction: Interaction | None, store: Store) -> None:
    """Each interaction of the contract passes against a broker seeded with its state."""
    if interaction is None:
        require_contract()  # skips, saying why
        return
    pact = pactfile.load(require_contract())
    broker = StatefulBroker(store)
    verifier = Verifier("Pact Broker", app=broker.app, state_change_url="/_pact/state", lifespan=False)
    result = await verifier.verify(pact.with_interactions((interaction,)))
    assert broker.problems == []
    result.assert_ok()


def test_every_provider_state_has_a_handler() -> None:
    missing = contract_states(load_contract()) - set(STATES)
    assert not missing, f"provider states without a handler in states.py: {sorted(missing)}"
