"""The Waiter's contract with the Kitchen (the consumer side), with ``requests``.

Plain sync tests, as a Flask team writes them: ``with Pact(...)`` serves the mock
provider on a real port from a thread of its own, and the ``requests`` client calls
``pact.url``. Passing, the tests merge their interactions into ``pacts/Waiter-Kitchen.json``, the pact
the Kitchen is verified against (``test_kitchen_verification.py``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from apact import Pact, match
from flask_kitchen.waiter.client import Dish, KitchenClient, NotOnTheMenuError, Order, SoldOutError

PACTS = Path(__file__).resolve().parents[1] / "pacts"


def kitchen_pact() -> Pact:
    return Pact("Waiter", "Kitchen", pact_dir=PACTS)


def test_the_menu_lists_the_dishes() -> None:
    with kitchen_pact() as pact:
        (
            pact.given("the kitchen has dishes")
            .upon_receiving("a request for the menu")
            .with_request("GET", "/menu")
            .will_respond_with(
                200,
                body={
                    "dishes": match.each_like(
                        {
                            "id": match.integer(1),
                            "name": match.string("ribeye"),
                            "price": match.decimal(32.5),
                            "available": match.boolean(True),
                        }
                    )
                },
            )
        )
        menu = KitchenClient(pact.url).menu()
    assert menu == [Dish(1, "ribeye", 32.5, True)]


def test_an_order_is_placed() -> None:
    with kitchen_pact() as pact:
        (
            pact.given("the kitchen has dishes")
            .upon_receiving("an order for dish 1 at table 7")
            .with_request("POST", "/orders", body={"dish": 1, "table": 7})
            .will_respond_with(
                201,
                headers={"Location": match.regex(r"/orders/\d+", "/orders/1")},
                body={"id": match.integer(1), "dish": 1, "table": 7, "status": "cooking"},
            )
        )
        order = KitchenClient(pact.url).order(1, 7)
    assert order == Order(1, 1, 7, "cooking")


def test_an_order_for_a_sold_out_dish_is_refused() -> None:
    with kitchen_pact() as pact:
        (
            pact.given("dish 1 is sold out", dish=1)
            .upon_receiving("an order for a sold-out dish")
            .with_request("POST", "/orders", body={"dish": 1, "table": 2})
            .will_respond_with(409, body={"error": match.string("ribeye is sold out")})
        )
        with pytest.raises(SoldOutError):
            KitchenClient(pact.url).order(1, 2)


def test_an_order_for_a_dish_not_on_the_menu_is_refused() -> None:
    with kitchen_pact() as pact:
        (
            pact.upon_receiving("an order for a dish not on the menu")
            .with_request("POST", "/orders", body={"dish": 99, "table": 2})
            .will_respond_with(404, body={"error": match.string("no dish 99 on the menu")})
        )
        with pytest.raises(NotOnTheMenuError):
            KitchenClient(pact.url).order(99, 2)


def test_an_order_is_followed() -> None:
    with kitchen_pact() as pact:
        (
            pact.given("an order exists", id=42)
            .upon_receiving("a request for order 42")
            .with_request("GET", "/orders/42")
            .will_respond_with(
                200,
                body={"id": 42, "dish": match.integer(1), "table": match.integer(7), "status": match.string("cooking")},
            )
        )
        status = KitchenClient(pact.url).order_status(42)
    assert status == "cooking"
