"""The Grill Chef proves that it honours the Sous Chef's pact.

Run with ``pytest examples/grill_chef/test_grill_chef_provider.py``. The first test
calls the app in-process (no server, no port); the second starts it with hypercorn
on a free port, as it runs in production, and sets the provider state through the
app's test-only state-change endpoint.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from apact import Verifier
from apact.examples import GRILL_CHEF_PACT
from grill_chef.app import app, kitchen

pytestmark = pytest.mark.anyio


async def test_the_grill_chef_honours_its_pacts_in_process() -> None:
    verifier = Verifier("Grill Chef", app=app)

    @verifier.state("steaks are available")
    async def steaks_available(params: dict[str, Any]) -> AsyncIterator[None]:
        kitchen.steaks = params.get("count", 3)
        yield
        kitchen.steaks = 0

    result = await verifier.verify(GRILL_CHEF_PACT)
    result.assert_ok()


async def test_the_grill_chef_honours_its_pacts_as_a_server() -> None:
    verifier = Verifier(
        "Grill Chef",
        command=[sys.executable, "-m", "hypercorn", "grill_chef.app:app", "--bind", "127.0.0.1:{port}"],
        cwd=Path(__file__).parents[1],  # where grill_chef.app can be imported from
        env={"GRILL_CHEF_PROVIDER_STATES": "1"},
        state_change_url="/_pact/state",
    )
    result = await verifier.verify(GRILL_CHEF_PACT)
    result.assert_ok()
