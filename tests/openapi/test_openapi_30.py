"""A hand-written OpenAPI 3.0 document in YAML (documents/kitchen-3.0.yaml, its schemas
in documents/common.yaml): every construct the check reads, first all fitting a pact,
then each one caught when the pact departs from it, with the JSON path in the
interaction and the place in the document."""

from __future__ import annotations

from typing import Any

import pytest

from apact import openapi

from .openapi_helpers import DOCUMENTS, found, http, pact, statuses

TENANT = {"X-Tenant": ["acme"]}
ORDER = {
    "id": 1,
    "cut": "ribeye",
    "cooking": "rare",
    "status": "ready",
    "waitingTime": 8,
    "servedAt": None,
    "extras": {"fries": 2},
    "chef": {"name": "Ann", "stars": 3},
}
NEW_ORDER = {"cut": "ribeye", "cooking": "rare", "table": 4, "note": None}


@pytest.fixture(scope="module")
def document() -> openapi.OpenAPIDocument:
    return openapi.load(DOCUMENTS / "kitchen-3.0.yaml")


def check(document: openapi.OpenAPIDocument, *interactions: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    result = openapi.check(pact(*interactions), document)
    assert result.verified == len(interactions)
    return found(result)


def test_a_pact_using_every_construct_fits(document: openapi.OpenAPIDocument) -> None:
    interactions = [
        http(
            "the ready orders",  # server base path, query (enum, exploded array, required), header parameter, eachLike
            "/api/v1/orders",
            query={"page": ["1"], "status": ["ready"], "ids": ["1", "2"]},
            headers=TENANT,
            response_headers={"X-Total": ["1"]},
            body=[ORDER],
            rules={
                "body": {
                    "$": [{"match": "type", "min": 1}],
                    "$[*].id": [{"match": "integer"}],
                    "$[*].status": [{"match": "regex", "regex": "cooking|ready"}],
                }
            },
        ),
        http(
            "an order", "/api/v1/orders", method="POST", headers=TENANT, request_body=NEW_ORDER, status=201, body=ORDER
        ),  # 2XX
        http(
            "an order by form",
            "/api/v1/orders",
            method="POST",
            headers=TENANT,
            request_body="cut=ribeye&cooking=rare&table=4",
            request_type="application/x-www-form-urlencoded",
            status=202,
        ),  # fmt: skip
        http(
            "the latest order", "/orders/latest", body={"cut": "ribeye", "waitingTime": 1, "kitchen": None}
        ),  # literal before template
        http("is there a latest order", "/orders/latest", method="HEAD"),  # HEAD answered as GET
        http("no such order", "/api/v1/orders/42", status=404, body={"reason": "no order 42"}),
        http("a cancelled order", "/api/v1/orders/42", method="DELETE", status=204),
        http("a note", "/api/v1/notes", method="PUT", request_body="no salt", request_type="text/plain", status=204),
        http(
            "a pet",
            "/api/v1/pets",
            method="POST",
            request_body={"petType": "cat", "purrs": True},
            body={"petType": "dog", "barks": 3},
        ),
        http(
            "a broken kitchen",
            "/api/v1/orders",
            query={"page": ["2"]},
            headers=TENANT,
            status=500,
            body={"reason": "fire"},
        ),  # default
    ]
    assert check(document, *interactions) == {}


def order_with(**changes: Any) -> dict[str, Any]:  # noqa: ANN401
    return {**ORDER, **changes}


def get_order(body: Any, rules: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:  # noqa: ANN401
    return http("an order", "/api/v1/orders/42", body=body, rules=rules, **extra)


def post_order(body: Any, rules: dict[str, Any] | None = None) -> dict[str, Any]:  # noqa: ANN401
    return http(
        "an order", "/api/v1/orders", method="POST", headers=TENANT, request_body=body, request_rules=rules, status=201
    )


DRIFTS = {
    "nullable: null where the document does not allow it": (
        get_order(order_with(status=None)),
        "$.response.body.status",
        "the pact expects `status` as null; the OpenAPI document says `string` (common.yaml: components.schemas.Order.properties.status)",
    ),
    "a renamed field, with the closest name": (
        get_order({"waitTime": 8}),
        "$.response.body.waitTime",
        "the pact expects `waitTime`; the OpenAPI document does not declare it (common.yaml: components.schemas.Order); "
        "the closest it declares is `waitingTime`",
    ),
    "an integer rule against a string, though the example is a string": (
        get_order({"cut": "7"}, {"body": {"$.cut": [{"match": "integer"}]}}),
        "$.response.body.cut",
        "the pact expects `cut` as an integer (by its `integer` rule); the OpenAPI document says `string` (common.yaml: components.schemas.Order.properties.cut)",
    ),
    "a number rule on a request field the document wants integral": (
        post_order({**NEW_ORDER, "table": 4}, {"body": {"$.table": [{"match": "number"}]}}),
        "$.request.body.table",
        "the pact sends `table` as a number (by its `number` rule); the OpenAPI document accepts only `integer` (common.yaml: components.schemas.NewOrder.properties.table)",
    ),
    "a regex rule against an enum is checked by its example": (
        get_order({"status": "served"}, {"body": {"$.status": [{"match": "regex", "regex": "served|ready"}]}}),
        "$.response.body.status",
        "the pact expects `status` = \"served\"; the OpenAPI document does not allow it: 'served' is not one of ['cooking', 'ready'] "
        "(common.yaml: components.schemas.Order.properties.status.enum)",
    ),
    "exclusiveMinimum (3.0's boolean form)": (
        get_order({"waitingTime": 0}),
        "$.response.body.waitingTime",
        "(common.yaml: components.schemas.Order.properties.waitingTime.minimum)",
    ),
    "a format": (
        get_order({"servedAt": "yesterday"}),
        "$.response.body.servedAt",
        "'yesterday' is not a 'date-time' (common.yaml: components.schemas.Order.properties.servedAt.format)",
    ),
    "allOf: a constraint in one of its parts": (
        get_order({"chef": {"name": "Ann", "stars": 5}}),
        "$.response.body.chef.stars",
        "5 is greater than the maximum of 3 (common.yaml: components.schemas.Chef.allOf[1].properties.stars.maximum)",
    ),
    "additionalProperties: a schema": (
        get_order({"extras": {"fries": "two"}}),
        "$.response.body.extras.fries",
        "the pact expects `extras.fries` as a string; the OpenAPI document says `integer` (common.yaml: components.schemas.Order.properties.extras.additionalProperties)",
    ),
    "additionalProperties: false": (
        post_order({**NEW_ORDER, "salt": True}),
        "$.request.body.salt",
        "the pact sends `salt`, which the OpenAPI document does not allow (common.yaml: components.schemas.NewOrder.additionalProperties: false)",
    ),
    "readOnly in a request": (
        post_order({**NEW_ORDER, "id": 3}),
        "$.request.body.id",
        "the pact sends `id`, which the OpenAPI document marks readOnly: the provider sets it (common.yaml: components.schemas.NewOrder.properties.id.readOnly)",
    ),
    "writeOnly in a response": (
        get_order({"secret": "hunter2"}),
        "$.response.body.secret",
        "the pact expects `secret`, which the OpenAPI document marks writeOnly: it is never in responses (common.yaml: components.schemas.Order.properties.secret.writeOnly)",
    ),
    "a required request field missing": (
        post_order({"cut": "ribeye", "cooking": "rare"}),
        "$.request.body.table",
        "the pact does not send `table`, which the OpenAPI document requires (common.yaml: components.schemas.NewOrder.required)",
    ),
    "oneOf: no alternative fits": (
        http("a pet", "/api/v1/pets", method="POST", request_body={"petType": "cat", "barks": 2}),
        "$.request.body",
        "which fits none of the oneOf alternatives of the OpenAPI document (common.yaml: components.schemas.Pet.oneOf)",
    ),
    "a path parameter's schema": (
        get_order(None) | {"request": {"method": "GET", "path": "/api/v1/orders/0"}},
        "$.request.path",
        "the pact sends the path parameter `orderId` = 0; the OpenAPI document does not accept it: 0 is less than the minimum of 1 "
        "(paths./orders/{orderId}.parameters[0].schema.minimum)",
    ),
    "a path parameter's type": (
        get_order(None) | {"request": {"method": "GET", "path": "/api/v1/orders/latest-but-one"}},
        "$.request.path",
        "the pact sends the path parameter `orderId` as a string; the OpenAPI document accepts only `integer` (paths./orders/{orderId}.parameters[0].schema)",
    ),
    "an integer format": (
        get_order(None) | {"request": {"method": "GET", "path": "/api/v1/orders/3000000000"}},
        "$.request.path",
        "3000000000 is not a 'int32'",
    ),
    "a query parameter's enum": (
        http("orders", "/api/v1/orders", query={"page": ["1"], "status": ["served"]}, headers=TENANT),
        "$.request.query.status",
        'the pact sends the query parameter `status` = "served"; the OpenAPI document does not accept it',
    ),
    "an array query parameter's items": (
        http("orders", "/api/v1/orders", query={"page": ["1"], "ids": ["1", "two"]}, headers=TENANT),
        "$.request.query.ids[1]",
        "the pact sends the query parameter `ids` (at [1]) as a string; the OpenAPI document accepts only `integer` (paths./orders.get.parameters[1].schema.items)",
    ),
    "a new required query parameter": (
        http("orders", "/api/v1/orders", headers=TENANT),
        "$.request.query.page",
        "the OpenAPI document requires the query parameter `page` (paths./orders.get.parameters[2]); the pact does not send it",
    ),
    "a query parameter the document does not know": (
        http("orders", "/api/v1/orders", query={"page": ["1"], "colour": ["red"]}, headers=TENANT),
        "$.request.query.colour",
        "the pact sends the query parameter `colour`, which the OpenAPI document does not declare for GET /orders (paths./orders.get.parameters)",
    ),
    "a required header (declared on the path, through a $ref)": (
        http("orders", "/api/v1/orders", query={"page": ["1"]}),
        "$.request.headers['X-Tenant']",
        "the OpenAPI document requires the header `X-Tenant` (components.parameters.Tenant); the pact does not send it",
    ),
    "a header's pattern": (
        http("orders", "/api/v1/orders", query={"page": ["1"]}, headers={"x-tenant": ["ACME"]}),
        "$.request.headers['X-Tenant']",
        "'ACME' does not match '^[a-z]+$' (components.parameters.Tenant.schema.pattern)",
    ),
    "a response header's type": (
        http("orders", "/api/v1/orders", query={"page": ["1"]}, headers=TENANT, response_headers={"X-Total": ["many"]}),
        "$.response.headers['X-Total']",
        "the pact expects the header `X-Total` as a string; the OpenAPI document says `integer` (paths./orders.get.responses.200.headers.X-Total.schema)",
    ),
    "a response header the document does not declare": (
        get_order(None, response_headers={"ETag": ["abc"]}),
        "$.response.headers.ETag",
        "the pact expects the header `ETag`; the OpenAPI document does not declare it for 200 of GET /orders/{orderId} (paths./orders/{orderId}.get.responses.200.headers)",
    ),
    "a removed status code": (
        get_order(None, status=410),
        "$.response.status",
        "the pact expects status 410; the OpenAPI document lists 200, 404 for GET /orders/{orderId} (paths./orders/{orderId}.get.responses)",
    ),
    "a status outside the ranges": (
        http("an order", "/api/v1/orders", method="POST", headers=TENANT, request_body=NEW_ORDER, status=302),
        "$.response.status",
        "the pact expects status 302; the OpenAPI document lists 2XX, 4XX for POST /orders",
    ),
    "a method the path does not have": (
        get_order(None) | {"request": {"method": "PATCH", "path": "/api/v1/orders/42"}},
        "$.request.method",
        "the pact requests PATCH /api/v1/orders/42; the OpenAPI document has no PATCH operation for /orders/{orderId} (it has GET, DELETE: paths./orders/{orderId})",
    ),
    "a path the document does not have": (
        http("steaks", "/steaks/"),
        "$.request.path",
        "the pact requests /steaks/, a path the OpenAPI document does not have (its paths: /orders, /orders/latest, /orders/{orderId}, /notes, /pets)",
    ),
    "a trailing slash": (
        get_order(None) | {"request": {"method": "GET", "path": "/api/v1/orders/42/"}},
        "$.request.path",
        "did the pact mean /api/v1/orders/42?",
    ),
    "a request content type the document does not take": (
        http(
            "an order",
            "/api/v1/orders",
            method="POST",
            headers=TENANT,
            request_body="<order/>",
            request_type="application/xml",
            status=201,
        ),
        "$.request.body",
        "the pact sends `application/xml`; the OpenAPI document accepts `application/json`, `application/x-www-form-urlencoded` for POST /orders",
    ),
    "a form field's type": (
        http(
            "an order by form",
            "/api/v1/orders",
            method="POST",
            headers=TENANT,
            request_body="cut=ribeye&cooking=rare&table=four",
            request_type="application/x-www-form-urlencoded",
            status=201,
        ),  # fmt: skip
        "$.request.body.table",
        "the pact sends `table` as a string; the OpenAPI document accepts only `integer`",
    ),
    "a text body's length": (
        http(
            "a note",
            "/api/v1/notes",
            method="PUT",
            request_body="no salt, no pepper, no butter",
            request_type="text/plain",
            status=204,
        ),
        "$.request.body",
        "is too long (paths./notes.put.requestBody.content.text/plain.schema.maxLength)",
    ),
    "a body where the document has none": (
        http("a cancelled order", "/api/v1/orders/42", method="DELETE", status=204, body={"ok": True}),
        "$.response.body",
        "the pact expects a body; the OpenAPI document declares none for 204 of DELETE /orders/{orderId} (paths./orders/{orderId}.delete.responses.204)",
    ),
    "a request body where the operation takes none": (
        http("an order", "/api/v1/orders/42", method="DELETE", request_body={"why": "cold"}, status=204),
        "$.request.body",
        "the pact sends a body; the OpenAPI document declares none for DELETE /orders/{orderId}",
    ),
}


@pytest.mark.parametrize("case", DRIFTS, ids=list(DRIFTS))
def test_each_departure_is_caught_where_it_is(document: openapi.OpenAPIDocument, case: str) -> None:
    interaction, path, message = DRIFTS[case]
    mismatches = check(document, interaction)[interaction["description"]]
    assert any(where == path and message in text for where, text in mismatches), mismatches


def test_a_number_rule_in_a_response_fits_an_integer_the_provider_sends(document: openapi.OpenAPIDocument) -> None:
    """The directions differ: a consumer that accepts any number takes the integers the
    provider sends; a consumer that may send any number is not safe with a provider
    that takes only integers (see the request case above)."""
    interaction = get_order({"waitingTime": 8}, {"body": {"$.waitingTime": [{"match": "number"}]}})
    assert check(document, interaction) == {}


def test_a_pending_interaction_that_does_not_fit_is_pending_not_failed(document: openapi.OpenAPIDocument) -> None:
    result = openapi.check(pact(get_order(None, status=410, pending=True), get_order(None)), document)
    assert [item.status for item in result.interactions] == ["pending", "passed"]
    assert result.ok


def test_messages_are_skipped_saying_why(document: openapi.OpenAPIDocument) -> None:
    message = {
        "type": "Asynchronous/Messages",
        "description": "an order event",
        "contents": {"content": {"id": 1}, "contentType": "application/json"},
    }
    result = openapi.check(pact(message, get_order(None)), document)
    assert statuses(result) == {"an order event": "skipped", "an order": "passed"}
    assert "AsyncAPI is not supported" in (result.interactions[0].reason or "")
