"""The bundled examples against the documents their frameworks generate: the built-in
Grill Chef (Starlette's ``SchemaGenerator``, OpenAPI 3.0) and the restaurant's Grill Chef
(FastAPI, OpenAPI 3.1), each read every way a document can come: a dict, a file (JSON
and YAML), ``app.openapi()``, and the app's own endpoint fetched in-process. Then the
restaurant's document drifts, one deliberate change at a time, and each drift is caught
and explained."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
import yaml
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.schemas import SchemaGenerator

from apact import openapi
from apact.examples import GRILL_CHEF_PACT

from .openapi_helpers import RESTAURANT_PACTS, found, grill_chef_document, restaurant_app, statuses


def test_the_built_in_pact_fits_the_grill_chefs_starlette_document() -> None:
    document = grill_chef_document()
    assert document["openapi"] == "3.0.3" and "/steaks/" in document["paths"]
    result = openapi.check(GRILL_CHEF_PACT, document)
    assert statuses(result) == {
        "a request for a medium-rare steak": "passed",
        "a request for a well-done steak": "passed",
    }
    result.assert_ok()


def test_a_starlette_app_serving_its_document_is_fetched_in_process() -> None:
    from apact.examples.grill_chef import COMPONENTS, Kitchen, make_app

    app = make_app(Kitchen())
    schemas = SchemaGenerator(
        {"openapi": "3.0.3", "info": {"title": "Grill Chef", "version": "1.0"}, "components": COMPONENTS}
    )
    served = Starlette(routes=[*app.routes, Route("/schema", schemas.OpenAPIResponse, include_in_schema=False)])
    document = anyio.run(openapi.fetch, served, "/schema")  # YAML, as Starlette serves it
    assert document.source == "the app's /schema"
    openapi.check(GRILL_CHEF_PACT, document).assert_ok()


def test_the_restaurant_pact_fits_its_fastapi_document_however_it_is_read(tmp_path: Path) -> None:
    app = restaurant_app()
    generated = app.openapi()
    assert generated["openapi"].startswith("3.1")
    (tmp_path / "openapi.json").write_text(json.dumps(generated))
    (tmp_path / "openapi.yaml").write_text(yaml.safe_dump(generated))
    documents = {
        "app.openapi()": openapi.load(app=app),
        "fetched": anyio.run(openapi.fetch, app),
        "dict": openapi.load(generated),
        "json file": openapi.load(tmp_path / "openapi.json"),
        "yaml file": openapi.load(str(tmp_path / "openapi.yaml")),
    }
    for name, document in documents.items():
        result = openapi.check(RESTAURANT_PACTS, document)
        assert result.count("passed") == 6 and result.ok, (name, result.report())


def _orders(document: dict[str, Any]) -> dict[str, Any]:
    schema: dict[str, Any] = document["components"]["schemas"]["Order"]
    return schema


def rename_waiting_time(document: dict[str, Any]) -> None:
    order = _orders(document)
    order["properties"]["waitTime"] = order["properties"].pop("waitingTime")
    order["required"] = ["waitTime" if name == "waitingTime" else name for name in order["required"]]


def waiting_time_as_text(document: dict[str, Any]) -> None:
    _orders(document)["properties"]["waitingTime"] = {"type": "string", "title": "Waitingtime"}


def no_more_409(document: dict[str, Any]) -> None:
    del document["paths"]["/orders"]["post"]["responses"]["409"]


def menu_needs_a_date(document: dict[str, Any]) -> None:
    document["paths"]["/menu"]["get"]["parameters"] = [
        {"name": "date", "in": "query", "required": True, "schema": {"type": "string", "format": "date"}}
    ]


ORDERS_WITH_WAITING_TIME = [
    "a request for an order",
    "an order for a medium-rare ribeye",
    "an order for a rare sirloin",
]
DRIFTS: dict[str, tuple[Callable[[dict[str, Any]], None], list[str], tuple[str, str]]] = {
    "a renamed field": (
        rename_waiting_time,
        ORDERS_WITH_WAITING_TIME,
        (
            "$.response.body.waitingTime",
            "the pact expects `waitingTime`; the OpenAPI document does not declare it (components.schemas.Order); "
            "the closest it declares is `waitTime`",
        ),
    ),
    "a changed type": (
        waiting_time_as_text,
        ORDERS_WITH_WAITING_TIME,
        (
            "$.response.body.waitingTime",
            "the pact expects `waitingTime` as an integer; the OpenAPI document says `string` "
            "(components.schemas.Order.properties.waitingTime)",
        ),
    ),
    "a removed status code": (
        no_more_409,
        ["an order for a ribeye when none is left"],
        (
            "$.response.status",
            "the pact expects status 409; the OpenAPI document lists 201, 422 for POST /orders (paths./orders.post.responses)",
        ),
    ),
    "a new required query parameter": (
        menu_needs_a_date,
        ["a request for the menu"],
        (
            "$.request.query.date",
            "the OpenAPI document requires the query parameter `date` (paths./menu.get.parameters[0]); the pact does not send it",
        ),
    ),
}


@pytest.mark.parametrize("drift", DRIFTS, ids=list(DRIFTS))
def test_each_drift_of_the_restaurants_document_is_caught_and_explained(drift: str) -> None:
    change, failing, mismatch = DRIFTS[drift]
    document = copy.deepcopy(restaurant_app().openapi())
    change(document)
    result = openapi.check(RESTAURANT_PACTS, document)
    assert not result.ok
    assert found(result) == {description: [mismatch] for description in failing}
    assert result.count("passed") == 6 - len(failing)
    report = result.report()
    assert mismatch[0] + ": " + mismatch[1] in report  # the verifier's report, as it prints mismatches
