"""The Sous Chef's contract with the Grill Chef (the consumer side).

Each test runs the Sous Chef's own code against apact's mock provider and, when it
passes, merges its interaction into ``examples/restaurant/pacts/Sous Chef-Grill Chef.json``,
the pact the Grill Chef is verified against (``test_grill_chef_verification.py``). The
file is committed: a change in what the Sous Chef expects shows up as a diff.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from apact import Pact, generate, match
from restaurant.sous_chef.grill_chef import GrillChef, NotServedError
from restaurant.sous_chef.service import create_app

pytestmark = pytest.mark.anyio
PACTS = Path(__file__).resolve().parents[1] / "pacts"


def grill_chef_pact() -> Pact:
    return Pact("Sous Chef", "Grill Chef", pact_dir=PACTS)


async def test_the_menu_lists_the_cuts_in_stock() -> None:
    async with grill_chef_pact() as pact:
        (
            pact.given("steaks are in stock", cut="ribeye", count=3)
            .upon_receiving("a request for the menu")
            .with_request("GET", "/menu")
            .will_respond_with(200, body={"cuts": match.each_like({"name": "ribeye", "inStock": match.integer(3)})})
        )
        assert await GrillChef(pact.client).cuts_in_stock() == {"ribeye": 3}


async def test_a_medium_rare_ribeye_is_cooked() -> None:
    async with grill_chef_pact() as pact:
        (
            pact.given("steaks are in stock", cut="ribeye", count=3)
            .upon_receiving("an order for a medium-rare ribeye")
            .with_request("POST", "/orders", body={"table": 7, "cut": "ribeye", "cooking": "medium-rare"})
            .will_respond_with(
                201,
                headers={"Location": match.regex(r"/orders/\d+", "/orders/1")},
                body={
                    "id": match.integer(1),
                    "table": 7,
                    "cut": "ribeye",
                    "cooking": "medium-rare",
                    "status": match.regex("cooking|ready", "cooking"),
                    "waitingTime": match.integer(10),
                },
            )
        )
        steak = await GrillChef(pact.client).order(7, "ribeye", "medium-rare")
        assert (steak.cut, steak.cooking, steak.minutes) == ("ribeye", "medium-rare", 10)


async def test_a_well_done_steak_is_refused() -> None:
    async with grill_chef_pact() as pact:
        (
            pact.upon_receiving("an order for a well-done steak")
            .with_request("POST", "/orders", body={"table": 7, "cut": "ribeye", "cooking": "well-done"})
            .will_respond_with(422, body={"reason": "we do not serve well-done steaks"})
        )
        with pytest.raises(NotServedError, match="well-done"):
            await GrillChef(pact.client).order(7, "ribeye", "well-done")


async def test_an_order_is_refused_when_the_cut_is_sold_out() -> None:
    async with grill_chef_pact() as pact:
        (
            pact.given("a cut is sold out", cut="ribeye")
            .upon_receiving("an order for a ribeye when none is left")
            .with_request("POST", "/orders", body={"table": 2, "cut": "ribeye", "cooking": "rare"})
            .will_respond_with(409, body={"reason": match.like("no ribeye left")})
        )
        with pytest.raises(NotServedError):
            await GrillChef(pact.client).order(2, "ribeye", "rare")


async def test_an_order_is_looked_up_by_the_id_the_grill_chef_gave() -> None:
    async with grill_chef_pact() as pact:
        (
            pact.given("an order exists", table=4)
            .upon_receiving("a request for an order")
            # the ID exists only in the provider's database: its state handler gives it
            .with_request("GET", generate.provider_state("/orders/${id}", "/orders/1"))
            .will_respond_with(
                200,
                body={
                    "id": match.integer(1),
                    "table": 4,
                    "cut": match.like("ribeye"),
                    "cooking": match.like("medium-rare"),
                    "status": match.regex("cooking|ready", "cooking"),
                    "waitingTime": match.integer(10),
                },
            )
        )
        steak = await GrillChef(pact.client).steak(1)
        assert (steak.id, steak.table) == (1, 4)


async def test_the_sous_chef_service_passes_on_the_grill_chefs_answer() -> None:
    """The whole Sous Chef service (its own API, lifespan and httpx client) against the mock."""
    async with grill_chef_pact() as pact:
        (
            pact.given("steaks are in stock", cut="sirloin", count=1)
            .upon_receiving("an order for a rare sirloin")
            .with_request("POST", "/orders", body={"table": 3, "cut": "sirloin", "cooking": "rare"})
            .will_respond_with(
                201,
                body={
                    "id": match.integer(5),
                    "table": 3,
                    "cut": "sirloin",
                    "cooking": "rare",
                    "status": "cooking",
                    "waitingTime": match.integer(8),
                },
            )
        )
        sous_chef = create_app("http://grill-chef", transport=pact.transport)  # its httpx client reaches the mock
        async with sous_chef.router.lifespan_context(sous_chef):
            waiter = httpx.AsyncClient(transport=httpx.ASGITransport(app=sous_chef), base_url="http://sous-chef")
            async with waiter:
                answer = await waiter.post("/tables/3/steaks", json={"cut": "sirloin", "cooking": "rare"})
        assert (answer.status_code, answer.json()) == (202, {"orderId": 5, "readyInMinutes": 8})
