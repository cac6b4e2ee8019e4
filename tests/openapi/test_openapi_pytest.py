"""``openapi_tests()`` in the pytest plugin, run by pytester: one item per interaction,
id'd as ``interaction_tests``'s, a failing one showing its mismatches (no traceback),
pending as xfail, messages skipped, a document that cannot be read failing every item
with the reason, and pytest-xdist."""

from __future__ import annotations

import json

import pytest

from .openapi_helpers import DOCUMENTS, http, write_pact

pytest_plugins = ["pytester"]

QUIET = ("-p", "no:hypothesispytest")
KITCHEN = str(DOCUMENTS / "kitchen-3.0.yaml")
LATEST = http("the latest order", "/orders/latest", body={"cut": "ribeye"})
WRONG = http("a strange order", "/orders/latest", body={"cut": 3})
PENDING = http("a new kind of order", "/orders/latest", body={"size": "large"}, pending=True)
EVENT = http("an order event", "/x") | {"type": "Asynchronous/Messages", "contents": {"content": {"id": 1}}}


def module(spec: str = KITCHEN, **options: object) -> str:
    extra = "".join(f", {name}={value!r}" for name, value in options.items())
    return f"from apact.pytest_plugin import openapi_tests\n\ntest_kitchen_document = openapi_tests('pacts/', spec={spec!r}{extra})\n"


def test_one_item_per_interaction_each_with_its_verdict(pytester: pytest.Pytester) -> None:
    write_pact(pytester.path / "pacts", LATEST, WRONG, PENDING, EVENT, consumer="Waiter", provider="Kitchen")
    pytester.makepyfile(test_kitchen=module())
    result = pytester.runpytest(*QUIET, "-v", "-rxs")
    result.assert_outcomes(passed=1, failed=1, xfailed=1, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "*test_kitchen_document?Waiter :: the latest order? PASSED*",
            "*test_kitchen_document?Waiter :: a strange order? FAILED*",
            "*test_kitchen_document?Waiter :: a new kind of order? XFAIL*",
            "*test_kitchen_document?Waiter :: an order event? SKIPPED*",
            "Waiter -> Kitchen: a strange order",
            "   request: GET /orders/latest",
            "   $.response.body.cut: the pact expects `cut` as an integer; the OpenAPI document says `string` (common.yaml: components.schemas.Order.properties.cut)",
            "*AsyncAPI is not supported*",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_k_selects_interactions(pytester: pytest.Pytester) -> None:
    write_pact(pytester.path / "pacts", LATEST, WRONG, consumer="Waiter", provider="Kitchen")
    pytester.makepyfile(test_kitchen=module())
    pytester.runpytest(*QUIET, "-k", "latest").assert_outcomes(passed=1, deselected=1)


def test_a_document_that_cannot_be_read_fails_each_item_saying_why(pytester: pytest.Pytester) -> None:
    write_pact(pytester.path / "pacts", LATEST, consumer="Waiter", provider="Kitchen")
    (pytester.path / "broken.json").write_text(json.dumps({"swagger": "2.0"}))
    pytester.makepyfile(test_kitchen=module("broken.json"))
    result = pytester.runpytest(*QUIET)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*cannot use the OpenAPI document: broken.json: a Swagger 2.0 document*"])


def test_no_interaction_fails_unless_allowed(pytester: pytest.Pytester) -> None:
    write_pact(pytester.path / "pacts", LATEST, consumer="Waiter", provider="Kitchen")
    pytester.makepyfile(test_kitchen=module(provider="Grill Chef"))
    result = pytester.runpytest(*QUIET)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*nothing to check: no interaction in pacts/ for provider 'Grill Chef'*allow_empty=True*"]
    )
    pytester.makepyfile(test_kitchen=module(provider="Grill Chef", allow_empty=True))
    pytester.runpytest(*QUIET).assert_outcomes(skipped=1)


def test_a_fastapi_app_as_the_document_and_xdist(pytester: pytest.Pytester) -> None:
    from .openapi_helpers import EXAMPLES, RESTAURANT_PACTS

    pytester.makepyfile(
        test_restaurant=(
            "import sys\n"
            f"sys.path.insert(0, {str(EXAMPLES)!r})\n"
            "from restaurant.grill_chef.db import Database\n"
            "from restaurant.grill_chef.service import create_app\n"
            "from apact.pytest_plugin import openapi_tests\n\n"
            f"test_grill_chef_document = openapi_tests({str(RESTAURANT_PACTS)!r}, app=create_app(Database(':memory:')))\n"
        )
    )
    result = pytester.runpytest_subprocess(*QUIET, "-p", "no:cacheprovider", "-n", "2", timeout=120)
    result.assert_outcomes(passed=6)
