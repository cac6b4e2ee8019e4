"""The Grill Chef proves that it honours the Sous Chef's pact (the provider side).

The provider states seed the Grill Chef's SQLite database and clear it afterwards; "an
order exists" gives the new order's ID to the pact's ``/orders/${id}``. The first test
calls the FastAPI app in-process (no server, no port); the second starts it with
hypercorn on a free port, as it runs in production, while the same state handlers write
to the database file the server reads.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from apact import Verifier
from restaurant.grill_chef.db import Database
from restaurant.grill_chef.service import create_app

pytestmark = pytest.mark.anyio
PACTS = Path(__file__).resolve().parents[1] / "pacts"  # what the Sous Chef's tests wrote
EXAMPLES = Path(__file__).resolve().parents[2]


def with_states(verifier: Verifier, database: Database) -> Verifier:
    @verifier.state("steaks are in stock")
    async def in_stock(params: dict[str, Any]) -> AsyncIterator[None]:
        await database.set_stock(params["cut"], params["count"])
        yield
        await database.clear()

    @verifier.state("a cut is sold out")
    async def sold_out(params: dict[str, Any]) -> AsyncIterator[None]:
        await database.set_stock(params["cut"], 0)
        yield
        await database.clear()

    @verifier.state("an order exists")
    async def an_order(params: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        await database.set_stock("ribeye", 1)
        order = await database.place_order(params.get("table", 1), "ribeye", "medium-rare")
        yield {"id": order.id}  # fills in the request's /orders/${id}
        await database.clear()

    return verifier


async def test_the_grill_chef_honours_its_pacts_in_process(tmp_path: Path) -> None:
    database = Database(tmp_path / "grill-chef.sqlite3")
    verifier = with_states(Verifier("Grill Chef", app=create_app(database)), database)
    result = await verifier.verify(PACTS)
    print(result.report())
    result.assert_ok()


async def test_the_grill_chef_honours_its_pacts_as_a_server(tmp_path: Path) -> None:
    database = Database(tmp_path / "grill-chef.sqlite3")
    await database.create()  # the server creates it too; the state handlers may come first
    verifier = Verifier(
        "Grill Chef",
        command=[
            sys.executable,
            "-m",
            "hypercorn",
            "restaurant.grill_chef.service:app_from_environment()",
            "--bind",
            "127.0.0.1:{port}",
        ],
        cwd=EXAMPLES,  # where the restaurant package can be imported from
        env={"GRILL_CHEF_DB": database.path},
        readiness_url="/menu",
    )
    result = await with_states(verifier, database).verify(PACTS)
    print(result.report())
    result.assert_ok()
