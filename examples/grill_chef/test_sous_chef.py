"""The Sous Chef's contract with the Grill Chef: run with ``pytest examples/grill_chef``.

Each test writes its interaction into ``pacts/Sous Chef-Grill Chef.json`` (relative to
the directory pytest runs in) when it passes.
"""

from __future__ import annotations

import pytest

from apact import Pact, match
from grill_chef.sous_chef import GrillChefClient, NotServedError

pytestmark = pytest.mark.anyio


async def test_a_medium_rare_steak_is_cooked() -> None:
    async with Pact("Sous Chef", "Grill Chef", pact_dir="pacts") as pact:
        (
            pact.given("steaks are available")
            .upon_receiving("a request for a medium-rare steak")
            .with_request("POST", "/steaks/", body={"cooking": "medium-rare"})
            .will_respond_with(201, body={"waitingTime": match.integer(10)})
        )
        assert await GrillChefClient(pact.client).order("medium-rare") == 10


async def test_a_well_done_steak_is_refused() -> None:
    async with Pact("Sous Chef", "Grill Chef", pact_dir="pacts") as pact:
        (
            pact.given("steaks are available")
            .upon_receiving("a request for a well-done steak")
            .with_request("POST", "/steaks/", body={"cooking": "well-done"})
            .will_respond_with(422, body={"reason": "we do not serve well-done steaks"})
        )
        with pytest.raises(NotServedError, match="we do not serve well-done steaks"):
            await GrillChefClient(pact.client).order("well-done")
