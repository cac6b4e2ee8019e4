"""A hand-written OpenAPI 3.1 document in JSON (documents/kitchen-3.1.json, a schema in
documents/schemas/chef.json): JSON Schema 2020-12 as 3.1 has it (type lists, ``const``,
``prefixItems``, ``$ref`` beside other keywords, ``patternProperties``,
``unevaluatedProperties``, numeric ``exclusiveMinimum``, ``anyOf`` with ``null`` as
FastAPI writes optional fields), a JSON query parameter, a cookie, a ``+json`` media
type, and a reference into a file in a subdirectory."""

from __future__ import annotations

from typing import Any

import pytest

from apact import openapi

from .openapi_helpers import DOCUMENTS, found, http, pact

SESSION = {"Cookie": ["session=abcd; theme=dark"]}
MENU = {
    "kind": "menu",
    "title": "Tuesday",
    "note": None,
    "special": None,
    "dishes": [{"name": "ribeye", "price": 24.5, "spicy": None}, {"name": "chili", "spicy": 3}],
    "prices": {"ribeye": 24.5},
    "pair": ["wine", 2],
}


@pytest.fixture(scope="module")
def document() -> openapi.OpenAPIDocument:
    return openapi.load(DOCUMENTS / "kitchen-3.1.json")


def menu(
    body: Any,
    *,
    query: dict[str, list[str]] | None = None,
    headers: dict[str, list[str]] | None = None,
    path: str = "/menu/2026-12-01",
    rules: Any = None,
) -> dict[str, Any]:  # noqa: ANN401
    return http("the menu", path, query=query, headers=SESSION if headers is None else headers, body=body, rules=rules)


def check(document: openapi.OpenAPIDocument, *interactions: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    return found(openapi.check(pact(*interactions), document))


def test_a_pact_using_every_construct_fits(document: openapi.OpenAPIDocument) -> None:
    interactions = [
        menu(MENU, query={"filter": ['{"vegetarian": true}'], "limit": ["3"]}),
        menu({"kind": "menu", "dishes": [], "special": {"name": "soup"}, "note": "new"}),
        http(
            "a new chef",
            "/chefs",
            method="POST",
            request_body={"name": "Ann", "stars": 2, "password": "s3cret"},
            status=201,
            body={"name": "Ann", "id": 7},
            body_type="application/merge-patch+json",
        ),  # fmt: skip
    ]
    assert check(document, *interactions) == {}


DRIFTS = {
    "a type list without null": (
        menu({"kind": "menu", "dishes": [], "title": None}),
        "$.response.body.title",
        "the pact expects `title` as null; the OpenAPI document says `string` (components.schemas.Name)",
    ),
    "anyOf with null (an optional field), a wrong type": (
        menu({"kind": "menu", "dishes": [{"name": "chili", "spicy": "very"}]}),
        "$.response.body.dishes[0].spicy",
        "the pact expects `dishes[0].spicy` as a string; the OpenAPI document says `integer` or `null` (components.schemas.Dish.properties.spicy)",
    ),
    "anyOf with null, a constraint of the alternative": (
        menu({"kind": "menu", "dishes": [{"name": "chili", "spicy": 9}]}),
        "$.response.body.dishes[0].spicy",
        "which fits none of the anyOf alternatives of the OpenAPI document (components.schemas.Dish.properties.spicy.anyOf); "
        "the closest: the pact expects `dishes[0].spicy` = 9; the OpenAPI document does not allow it: 9 is greater than the maximum of 5",
    ),
    "const": (
        menu({"kind": "list", "dishes": []}),
        "$.response.body.kind",
        "'menu' was expected (components.schemas.Menu.properties.kind.const)",
    ),
    "a $ref's sibling keyword applies (3.1)": (
        menu({"kind": "menu", "dishes": [], "title": "The menu of Tuesday"}),
        "$.response.body.title",
        "is too long (components.schemas.Menu.properties.title.maxLength)",
    ),
    "numeric exclusiveMinimum": (
        menu({"kind": "menu", "dishes": [{"name": "water", "price": 0}]}),
        "$.response.body.dishes[0].price",
        "0 is less than or equal to the minimum of 0 (components.schemas.Dish.properties.price.exclusiveMinimum)",
    ),
    "patternProperties": (
        menu({"kind": "menu", "dishes": [], "prices": {"ribeye": "24"}}),
        "$.response.body.prices.ribeye",
        "the pact expects `prices.ribeye` as a string; the OpenAPI document says `number` (components.schemas.Menu.properties.prices.patternProperties.^[a-z]+$)",
    ),
    "a key no pattern allows": (
        menu({"kind": "menu", "dishes": [], "prices": {"Ribeye": 24}}),
        "$.response.body.prices.Ribeye",
        "the pact expects `prices.Ribeye`, which the OpenAPI document does not allow (components.schemas.Menu.properties.prices.additionalProperties: false)",
    ),
    "unevaluatedProperties: false": (
        menu({"kind": "menu", "dishes": [], "chef": "Ann"}),
        "$.response.body.chef",
        "the pact expects `chef`, which the OpenAPI document does not allow (components.schemas.Menu.unevaluatedProperties: false)",
    ),
    "prefixItems": (
        menu({"kind": "menu", "dishes": [], "pair": ["wine", "two"]}),
        "$.response.body.pair[1]",
        "the pact expects `pair[1]` as a string; the OpenAPI document says `integer` (components.schemas.Menu.properties.pair.prefixItems[1])",
    ),
    "items: false after prefixItems": (
        menu({"kind": "menu", "dishes": [], "pair": ["wine", 2, "cheese"]}),
        "$.response.body.pair[2]",
        "the OpenAPI document allows 2 item(s) at most (components.schemas.Menu.properties.pair.items: false)",
    ),
    "a path parameter's format": (
        menu({"kind": "menu", "dishes": []}, path="/menu/tuesday"),
        "$.request.path",
        "'tuesday' is not a 'date' (paths./menu/{day}.get.parameters[0].schema.format)",
    ),
    "a JSON query parameter": (
        menu({"kind": "menu", "dishes": []}, query={"filter": ['{"vegan": true}']}),
        "$.request.query.filter.vegan",
        "which the OpenAPI document does not allow (components.schemas.Filter.additionalProperties: false)",
    ),
    "an optional query parameter's type (anyOf with null)": (
        menu({"kind": "menu", "dishes": []}, query={"limit": ["many"]}),
        "$.request.query.limit",
        "the pact sends the query parameter `limit` as a string; the OpenAPI document accepts only `integer` or `null` (paths./menu/{day}.get.parameters[3].schema)",
    ),
    "a required cookie": (
        menu({"kind": "menu", "dishes": []}, headers={"Cookie": ["theme=dark"]}),
        "$.request.headers.Cookie.session",
        "the OpenAPI document requires the cookie `session` (paths./menu/{day}.get.parameters[2]); the pact does not send it",
    ),
    "a cookie's schema": (
        menu({"kind": "menu", "dishes": []}, headers={"Cookie": ["session=ab"]}),
        "$.request.headers.Cookie.session",
        "'ab' is too short",
    ),
    "a schema in another file (readOnly)": (
        http("a new chef", "/chefs", method="POST", request_body={"name": "Ann", "id": 3}, status=201),
        "$.request.body.id",
        "the pact sends `id`, which the OpenAPI document marks readOnly: the provider sets it (schemas/chef.json: Chef.properties.id.readOnly)",
    ),
    "a reference inside the other file": (
        http("a new chef", "/chefs", method="POST", request_body={"name": ""}, status=201),
        "$.request.body.name",
        "'' should be non-empty (schemas/chef.json: Name.minLength)",
    ),
    "a +json response type, asked for as plain JSON": (
        http("a new chef", "/chefs", method="POST", request_body={"name": "Ann"}, status=201, body={"name": "Ann"}),
        "$.response.body",
        "the pact expects `application/json`; the OpenAPI document gives `application/merge-patch+json` for 201 of POST /chefs",
    ),
}


@pytest.mark.parametrize("case", DRIFTS, ids=list(DRIFTS))
def test_each_departure_is_caught_where_it_is(document: openapi.OpenAPIDocument, case: str) -> None:
    interaction, path, message = DRIFTS[case]
    mismatches = check(document, interaction)[interaction["description"]]
    assert any(where == path and message in text for where, text in mismatches), mismatches
    assert len(mismatches) == 1, mismatches


def test_a_type_rule_on_an_array_checks_every_item_it_stands_for(document: openapi.OpenAPIDocument) -> None:
    """``eachLike``: the template item is what every item must be like."""
    body = {"kind": "menu", "dishes": [{"name": 7}]}
    rules = {"body": {"$.dishes": [{"match": "type", "min": 1}]}}
    assert check(document, menu(body, rules=rules))["the menu"] == [
        (
            "$.response.body.dishes[0].name",
            "the pact expects `dishes[0].name` as an integer; the OpenAPI document says `string` (components.schemas.Dish.properties.name)",
        )
    ]


def test_a_body_it_cannot_read_is_noted_in_the_notices_not_failed() -> None:
    document = {
        "openapi": "3.1.0",
        "info": {"title": "Feeds", "version": "1"},
        "paths": {
            "/feed": {
                "get": {
                    "responses": {
                        "200": {"description": "a feed", "content": {"application/xml": {"schema": {"type": "object"}}}}
                    }
                }
            }
        },
    }
    result = openapi.check(pact(http("the feed", "/feed", body="<feed/>", body_type="application/xml")), document)
    assert result.ok and result.count("passed") == 1
    assert result.notices == (
        "Sous Chef -> Grill Chef: 'the feed': the response body (application/xml) was not checked against its schema: "
        "apact checks JSON, form and text bodies",
    )
