"""Message pacts on the provider side: producers (sync and async) registered by
description and state, provider states with params and values, what a producer may
return, mismatches in contents and metadata, missing and raising producers, synchronous
messages, and messages verified in the same run as HTTP interactions, concurrently."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from apact import Message, Verifier, pactfile
from apact.model import Body

from ..json_helpers import tree
from .message_helpers import FIXTURES, message, pact, part, sync_message

pytestmark = pytest.mark.anyio

ORDER = {"orderId": 1001, "total": 19.99}
ORDER_RULES = {
    "body": {"$.orderId": {"matchers": [{"match": "integer"}]}, "$.total": {"matchers": [{"match": "decimal"}]}}
}
ORDER_EXISTS = [{"name": "an order exists", "params": {"id": 1001}}]


def order_pact(**metadata: Any) -> Any:  # noqa: ANN401
    return pact(
        message(
            "an order created event",
            ORDER,
            {"topic": "orders", **metadata},
            states=ORDER_EXISTS,
            matchingRules=ORDER_RULES,
        )
    )


def with_order_state(verifier: Verifier, log: list[str] | None = None) -> None:
    @verifier.state("an order exists")
    async def order_exists(params: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        (log if log is not None else []).append(f"setup {params}")
        yield {"total": 5.5}
        (log if log is not None else []).append("teardown")


@pytest.mark.parametrize("kind", ["async", "sync"])
async def test_a_producer_sync_or_async_makes_the_message_in_its_provider_state(kind: str) -> None:
    log: list[str] = []
    verifier = Verifier("Orders")
    with_order_state(verifier, log)

    async def async_producer(params: dict[str, Any]) -> Message:
        log.append(f"produce {params}")
        return Message(
            {"orderId": params["id"], "total": params["total"], "extra": "allowed"}, metadata={"topic": "orders"}
        )

    def sync_producer(params: dict[str, Any]) -> Message:
        log.append(f"produce {params}")
        return Message(
            {"orderId": params["id"], "total": params["total"], "extra": "allowed"}, metadata={"topic": "orders"}
        )

    verifier.message("an order created event")(async_producer if kind == "async" else sync_producer)
    result = await verifier.verify(order_pact())
    result.assert_ok()
    assert log == ["setup {'id': 1001}", "produce {'id': 1001, 'total': 5.5}", "teardown"]
    (item,) = result.interactions
    assert (item.kind, item.status, item.errors, item.mismatches) == ("Asynchronous/Messages", "passed", (), ())
    assert result.target == "no HTTP target: messages only"


@pytest.mark.parametrize(
    ("made", "expected"),
    [
        ({"id": 1}, {"contentType": "application/json", "encoded": False, "content": {"id": 1}}),
        ([1, 2], {"contentType": "application/json", "encoded": False, "content": [1, 2]}),
        ("ping", {"contentType": "text/plain", "encoded": False, "content": "ping"}),
        (b"\x89PNG", {"contentType": "application/octet-stream", "encoded": "base64", "content": "iVBORw=="}),
        (
            Message(b'{"id": 1}', content_type="application/json"),
            {"contentType": "application/json", "encoded": False, "content": {"id": 1}},
        ),
        (
            Message('{"id": 1}', {"contentType": "application/json"}),
            {"contentType": "application/json", "encoded": False, "content": {"id": 1}},
        ),
        (
            Message("<id>1</id>", content_type="application/xml"),
            {"contentType": "application/xml", "encoded": False, "content": "<id>1</id>"},
        ),
    ],
)
async def test_what_a_producer_returns_is_the_message(made: object, expected: dict[str, Any]) -> None:
    interaction = {
        "type": "Asynchronous/Messages",
        "description": "a message",
        "contents": expected,
        "metadata": {"contentType": expected["contentType"]},
    }
    verifier = Verifier("Orders")
    verifier.message("a message")(lambda: made)
    result = await verifier.verify(pact(interaction))
    assert result.interactions[0].status == "passed", result.report()
    other = {"application/json": {"id": 2}, "text/plain": "pong", "application/xml": "<id>2</id>"}.get(
        expected["contentType"], "AAAA"
    )
    wrong = {**interaction, "contents": {**expected, "content": other}}
    assert (await verifier.verify(pact(wrong))).interactions[0].status == "failed"


async def test_a_renamed_field_fails_with_a_readable_mismatch_and_a_diff_of_the_contents() -> None:
    verifier = Verifier("Orders")
    with_order_state(verifier)

    @verifier.message("an order created event")
    async def order_created(params: dict[str, Any]) -> Message:
        return Message({"order_id": params["id"], "total": 19.99}, metadata={"topic": "orders"})

    result = await verifier.verify(order_pact())
    assert not result.ok
    (item,) = result.interactions
    assert [(m.kind, m.path) for m in item.mismatches] == [("body", "$.contents.orderId")]
    report = result.report()
    assert '$.contents.orderId: expected key "orderId" (like 1001), but it is missing' in report
    assert "   contents (- expected, + actual):\n" in report
    assert '-  "orderId": 1001,\n' in report and '+  "order_id": 1001,\n' in report
    document = tree(result.to_json())["pacts"][0]["interactions"][0]
    assert document["response"] == {
        "contents": '{"order_id":1001,"total":19.99}',
        "metadata": {"topic": "orders", "contentType": "application/json"},
    }


async def test_metadata_mismatches() -> None:
    verifier = Verifier("Orders")
    with_order_state(verifier)
    verifier.message("an order created event")(lambda: Message(ORDER, {"topic": "order", "partition": "three"}))
    rules = {
        **ORDER_RULES,
        "metadata": {
            "partition": {"matchers": [{"match": "integer"}]},
            "key": {"matchers": [{"match": "regex", "regex": r"^order-\d+$"}]},
        },
    }
    expected = message(
        "an order created event",
        ORDER,
        {"topic": "orders", "partition": 3, "key": "order-1"},
        states=ORDER_EXISTS,
        matchingRules=rules,
    )
    result = await verifier.verify(pact(expected))
    (item,) = result.interactions
    assert [(m.kind, m.path, m.message) for m in item.mismatches] == [
        ("metadata", "$.metadata.topic", 'expected "orders", got "order"'),
        ("metadata", "$.metadata.partition", 'expected an integer (like 3), got "three" (string)'),
        ("metadata", "$.metadata.key", 'expected metadata "key": "order-1", but it is missing'),
    ]
    body = tree(result.pacts[0].verification_results("1.0.0"))["testResults"][0]["mismatches"]
    assert [(m["attribute"], m["identifier"]) for m in body] == [
        ("metadata", "topic"),
        ("metadata", "partition"),
        ("metadata", "key"),
    ]


async def test_a_content_type_the_pact_does_not_expect_fails() -> None:
    verifier = Verifier("Orders")
    verifier.message("a heartbeat")(lambda: {"ping": True})
    result = await verifier.verify(pact(message("a heartbeat", "ping")))
    (item,) = result.interactions
    assert item.status == "failed"
    assert any(m.path == "$.metadata.contentType" for m in item.mismatches), result.report()


async def test_a_missing_producer_fails_naming_the_message_without_setting_up_its_state() -> None:
    log: list[str] = []
    verifier = Verifier("Orders")
    with_order_state(verifier, log)
    verifier.message("an order shipped event")(lambda: {})
    result = await verifier.verify(order_pact())
    (item,) = result.interactions
    assert item.status == "failed"
    (error,) = item.errors
    assert (error.kind, error.message) == (
        "missing producer",
        "no producer for message 'an order created event': register one with @verifier.message('an order created event'), "
        "or give the provider's message endpoint (message_url=, apact verify --message-url) "
        "(producers registered: 'an order shipped event')",
    )
    assert log == []


async def test_a_raising_producer_fails_its_message_with_the_traceback_not_a_transport_error() -> None:
    verifier = Verifier("Orders")
    with_order_state(verifier)

    @verifier.message("an order created event")
    async def order_created(params: dict[str, Any]) -> dict[str, Any]:
        raise LookupError(f"no order {params['id']}")

    result = await verifier.verify(order_pact())
    (item,) = result.interactions
    (error,) = item.errors
    assert error.kind == "producer"
    assert (
        error.message
        == 'the producer for message "an order created event" (given an order exists) raised LookupError: no order 1001'
    )
    assert error.traceback is not None and "in order_created" in error.traceback
    assert "apact/verifier" not in error.traceback.splitlines()[1]  # the user's frame first
    assert "producer: the producer for message" in result.report()


def _nested(depth: int) -> object:
    value: object = {"id": 1}
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("made", "reason"),
    [
        (None, 'what the producer for message "a message" returned is None: return the message'),
        (object(), 'what the producer for message "a message" returned: the contents is not JSON'),
        (Message({"id": 1}, metadata={"at": object()}), "returned: metadata 'at' is not JSON"),  # type: ignore[dict-item]
        # (an internal error before, RecursionError: the producer's doing, not apact's)
        (_nested(5000), "returned: the contents is nested more than 127 levels deep"),
        (_nested(128), "returned: the contents is nested more than 127 levels deep"),
    ],
)
async def test_a_producer_returning_something_that_is_not_a_message_fails(made: object, reason: str) -> None:
    verifier = Verifier("Orders")
    verifier.message("a message")(lambda: made)
    result = await verifier.verify(pact(message("a message", {"id": 1})))
    (error,) = result.interactions[0].errors
    assert error.kind == "producer"
    assert reason in error.message


async def test_a_producer_that_does_not_return_in_time_fails() -> None:
    verifier = Verifier("Orders", request_timeout=0.05)

    @verifier.message("a message")
    async def never() -> None:
        await anyio.sleep_forever()

    result = await verifier.verify(pact(message("a message", {"id": 1})))
    (error,) = result.interactions[0].errors
    assert (error.kind, error.message) == (
        "timeout",
        'the producer for message "a message" did not return within 0.05 s',
    )


async def test_a_producer_registered_for_a_state_wins_over_one_for_the_description() -> None:
    verifier = Verifier("Orders", ignore_missing_states=True)
    verifier.message("an order event")(lambda: {"status": "created"})
    verifier.message("an order event", state="the order is shipped")(lambda: {"status": "shipped"})
    with pytest.raises(
        ValueError, match="message 'an order event' in state 'the order is shipped' already has a producer"
    ):
        verifier.message("an order event", state="the order is shipped")(lambda: {})
    shipped = message(
        "an order event",
        {"status": "shipped"},
        states=[{"name": "a customer exists"}, {"name": "the order is shipped"}],
    )
    created = message("an order event", {"status": "created"}, states=[{"name": "a customer exists"}])
    result = await verifier.verify(pact(shipped, created))
    assert [i.status for i in result.interactions] == ["passed", "passed"], result.report()


async def test_provider_state_generators_in_a_message_take_the_state_handlers_values() -> None:
    verifier = Verifier("Orders")

    @verifier.state("an order exists")
    def order_exists(params: dict[str, Any]) -> dict[str, Any]:
        return {"id": 77}

    verifier.message("an order created event")(lambda params: {"orderId": params["id"]})
    generated = message(
        "an order created event",
        {"orderId": 1},
        states=ORDER_EXISTS,
        generators={"body": {"$.orderId": {"type": "ProviderState", "expression": "${id}"}}},
    )
    result = await verifier.verify(pact(generated))
    result.assert_ok()
    verifier2 = Verifier("Orders")
    verifier2.state("an order exists")(order_exists)
    verifier2.message("an order created event")(lambda: {"orderId": 1})  # the example, not the state's value
    failed = (await verifier2.verify(pact(generated))).interactions[0]
    assert [m.message for m in failed.mismatches] == ["expected 77, got 1"]


async def test_pending_messages_follow_the_pending_policy() -> None:
    verifier = Verifier("Orders")
    verifier.message("a message")(lambda: {"id": "one"})
    result = await verifier.verify(pact(message("a message", {"id": 1}, pending=True)))
    assert [i.status for i in result.interactions] == ["pending"]
    assert result.ok


# -- synchronous messages ------------------------------------------------------------------------


PRICE_REQUEST = part(
    {"sku": "SKU-1"},
    {"channel": "prices"},
    matchingRules={"body": {"$.sku": {"matchers": [{"match": "regex", "regex": r"^SKU-\d+$"}]}}},
)
PRICE_RESPONSE = part(
    {"sku": "SKU-1", "price": 9.99},
    {"status": "ok"},
    matchingRules={"body": {"$.price": {"matchers": [{"match": "decimal"}]}}},
)
CATALOGUE = [{"name": "the catalogue has product", "params": {"sku": "SKU-1", "price": 4.5}}]


async def test_a_sync_message_producer_gets_the_request_and_the_states_values() -> None:
    verifier = Verifier("Orders")
    seen: list[tuple[Message, dict[str, Any]]] = []

    @verifier.state("the catalogue has product")
    async def catalogue(params: dict[str, Any]) -> None:
        pass

    @verifier.message("a price lookup")
    async def price(request: Message, params: dict[str, Any]) -> Message:
        seen.append((request, params))
        assert isinstance(request.contents, dict)
        return Message({"sku": request.contents["sku"], "price": params["price"]}, {"status": "ok"})

    result = await verifier.verify(
        pact(sync_message("a price lookup", PRICE_REQUEST, PRICE_RESPONSE, states=CATALOGUE))
    )
    result.assert_ok()
    ((request, params),) = seen
    assert request == Message(
        {"sku": "SKU-1"}, {"contentType": "application/json", "channel": "prices"}, "application/json"
    )
    assert params == {"sku": "SKU-1", "price": 4.5}
    assert result.interactions[0].kind == "Synchronous/Messages"


async def test_a_sync_message_with_several_responses() -> None:
    second = part({"sku": "SKU-1", "price": 9.5}, {"status": "ok"})
    interaction = sync_message("a price stream", PRICE_REQUEST, PRICE_RESPONSE, second)
    verifier = Verifier("Orders")
    verifier.message("a price stream")(
        lambda request: [
            Message({"sku": "SKU-1", "price": 1.25}, {"status": "ok"}),
            Message({"sku": "SKU-1", "price": 9.0}, {"status": "ok"}),
        ]
    )
    (item,) = (await verifier.verify(pact(interaction))).interactions
    assert [(m.path, m.message) for m in item.mismatches] == [("$.response[1].contents.price", "expected 9.5, got 9.0")]
    verifier = Verifier("Orders")
    verifier.message("a price stream")(lambda: Message({"sku": "SKU-1", "price": 1.25}, {"status": "ok"}))
    (item,) = (await verifier.verify(pact(interaction))).interactions
    assert [(m.path, m.message) for m in item.mismatches] == [("$.response", "expected 2 response messages, got 1")]


# -- with HTTP interactions ----------------------------------------------------------------------------


async def test_messages_and_http_interactions_are_verified_concurrently_in_one_run() -> None:
    """The producer waits until the app has received its request, and the app until the
    producer has been called: only a run that has both in flight at once finishes."""
    app_called, producer_called = anyio.Event(), anyio.Event()

    async def steaks(request: Request) -> JSONResponse:
        app_called.set()
        with anyio.fail_after(5):
            await producer_called.wait()
        return JSONResponse({"count": 2})

    app = Starlette(routes=[Route("/steaks/", steaks)])
    verifier = Verifier("Orders", app=app, concurrency=2)

    @verifier.message("an order created event")
    async def order_created() -> dict[str, Any]:
        producer_called.set()
        with anyio.fail_after(5):
            await app_called.wait()
        return ORDER

    http = {
        "type": "Synchronous/HTTP",
        "description": "a request for the steaks",
        "request": {"method": "GET", "path": "/steaks/"},
        "response": {
            "status": 200,
            "body": {"contentType": "application/json", "encoded": False, "content": {"count": 2}},
        },
    }
    result = await verifier.verify(pact(http, message("an order created event", ORDER)))
    result.assert_ok()
    assert [(i.kind, i.status) for i in result.interactions] == [
        ("Synchronous/HTTP", "passed"),
        ("Asynchronous/Messages", "passed"),
    ]
    assert "2 interactions: 2 passed, 0 failed" in result.report()


async def test_http_interactions_fail_clearly_when_the_verifier_has_no_target() -> None:
    loaded = pactfile.load(FIXTURES / "v4-messages.json")
    verifier = Verifier(loaded.provider, ignore_missing_states=True)
    result = await verifier.verify(loaded, description="many matchers")
    (item,) = [i for i in result.interactions if i.status != "skipped"]
    assert item.status == "failed"
    (error,) = item.errors
    assert error.kind == "no target"
    assert "this Verifier has no HTTP target (give Verifier(..., app=...), base_url= or command=" in error.message


# -- pacts written by pact-python ----------------------------------------------------------------------


def fixture_producers(verifier: Verifier) -> None:
    """Producers for the messages of tests/fixtures/pact-python/v3-message.json and
    v4-messages.json, answering with values other than the examples, of the right kinds."""
    loaded = pactfile.load(FIXTURES / "v3-message.json")
    thumbnail = next(i for i in loaded.interactions if i.description == "a binary thumbnail message")
    png = thumbnail.message.contents.content  # type: ignore[union-attr]

    @verifier.message("an order-created event")
    async def order_created(params: dict[str, Any]) -> Message:
        event = {
            "event": "order.created",
            "order_id": params["id"] + 1,
            "placed_at": "2026-11-25T10:11:12+0100",
            "items": [{"sku": "SKU-77", "qty": 3}, {"sku": "SKU-8", "qty": 1}],
            "total": 42.5,
            "tracking": "4bd5bd5f-8d0c-4c4c-9c3e-6e1f0b6f2f11",
        }
        return Message(event, {"topic": "orders", "partition": 7, "trace_id": "trace-xyz"})

    @verifier.message("a user-deleted event")
    def user_deleted(params: dict[str, Any]) -> Message:
        return Message({"event": "user.deleted", "user_id": params["id"]}, {"topic": "users", "key": 42})

    verifier.message("a plain-text heartbeat message")(lambda: "ping")
    verifier.message("a binary thumbnail message")(lambda: Message(png, {"topic": "thumbnails"}, "image/png"))
    verifier.message("a ping over a sync channel (text)")(lambda request: "PONG" if request.contents == "PING" else "?")

    @verifier.message("a price lookup (sync message)")
    async def price(request: Message) -> Message:
        assert isinstance(request.contents, dict)
        return Message({"sku": request.contents["sku"], "price": 12.25, "currency": "EUR"}, {"status": "ok"})

    for name in ("an order exists", "the broker is up", "a user exists", "the catalogue has product"):
        verifier.state(name)(lambda: None)


@pytest.mark.parametrize("fixture", ["v3-message.json", "v4-messages.json"])
async def test_message_pacts_written_by_pact_python_verify(fixture: str) -> None:
    verifier = Verifier("pact-python-provider")
    fixture_producers(verifier)
    result = await verifier.verify(FIXTURES / fixture, description="message|event|ping")
    statuses = {i.description: i.status for i in result.interactions if i.kind != "Synchronous/HTTP"}
    assert set(statuses.values()) == {"passed"}, result.report()
    assert len(statuses) == (4 if fixture.startswith("v3") else 6)


async def test_a_broken_producer_fails_a_pact_python_message_pact_where_its_matchers_say() -> None:
    broken = Verifier("pact-python-provider")
    for name in ("an order exists", "the broker is up"):
        broken.state(name)(lambda: None)
    broken.message("an order-created event")(
        lambda: Message(
            {
                "event": "order.created",
                "order_id": "1001",
                "placed_at": "yesterday",
                "items": [],
                "total": 1,
                "tracking": None,
            },
            {"topic": "orders", "partition": 3, "trace_id": "span-1"},
        )
    )
    result = await broken.verify(FIXTURES / "v3-message.json", description="order-created")
    (item,) = [i for i in result.interactions if i.status != "skipped"]
    assert sorted(m.path for m in item.mismatches) == [
        "$.contents.items",
        "$.contents.order_id",
        "$.contents.placed_at",
        "$.contents.total",
        "$.contents.tracking",
        "$.metadata.trace_id",
    ], result.report()


def test_the_fixture_holds_what_these_tests_need() -> None:
    """A guard: the fixture's messages have matchers, metadata rules and states with params."""
    loaded = pactfile.load(FIXTURES / "v3-message.json")
    order = next(i for i in loaded.interactions if i.description == "an order-created event")
    assert set(order.message.matching_rules) == {"body", "metadata"}  # type: ignore[union-attr]
    assert order.provider_states[0].params == {"id": 1001, "status": "pending"}
    assert isinstance(order.message.contents, Body) and json.loads(order.message.contents.content)["order_id"] == 1001  # type: ignore[union-attr]
