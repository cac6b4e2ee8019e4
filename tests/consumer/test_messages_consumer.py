"""Message pacts on the consumer side: declaring asynchronous and synchronous messages,
the consumer's handlers (sync and async) on the reified example, what goes wrong, and
the V3 and V4 files written."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from apact import ConsumerMismatchError, Message, Pact, generate, match
from apact.errors import MismatchError, PactWriteError

pytestmark = pytest.mark.anyio

UUID = re.compile(r"^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$")


def written(directory: Path, name: str = "Shipping-Orders.json") -> dict[str, Any]:
    return json.loads((directory / name).read_text())  # type: ignore[no-any-return]


def order_created(pact: Pact) -> Any:  # noqa: ANN401 - the builder
    return (
        pact.expects_to_receive("an order created event")
        .given("an order exists", id=1001, status="pending")
        .with_content(
            {
                "orderId": match.integer(1001),
                "total": match.decimal(19.99),
                "reference": generate.uuid(),
                "items": match.each_like({"sku": match.regex(r"SKU-\d+", "SKU-1")}),
            }
        )
        .with_metadata({"topic": "orders"}, partition=match.integer(), key=match.regex(r"order-\d+", "order-1001"))
    )


@pytest.mark.parametrize("kind", ["async", "sync"])
async def test_the_handler_gets_the_example_with_generators_applied_and_the_pact_is_written(
    tmp_path: Path, kind: str
) -> None:
    received: list[Message] = []

    async def async_handler(message: Message) -> str:
        received.append(message)
        return "handled"

    def sync_handler(message: Message) -> str:
        received.append(message)
        return "handled"

    async with Pact("Shipping", "Orders", pact_dir=tmp_path) as pact:
        event = order_created(pact)
        assert await event.verify(async_handler if kind == "async" else sync_handler) == "handled"

    (message,) = received
    assert message.content_type == "application/json"
    assert isinstance(message.contents, dict)
    assert message.contents["orderId"] == 1001
    assert message.contents["items"] == [{"sku": "SKU-1"}]
    assert UUID.match(message.contents["reference"])
    assert message.contents["reference"] != "e2490de5-5bd3-43d5-b7c4-526e33f71304"  # generated, not the example
    assert message.metadata["topic"] == "orders"
    assert message.metadata["contentType"] == "application/json"
    assert isinstance(message.metadata["partition"], int)  # a RandomInt generator made it
    assert message.body == json.dumps(message.contents, separators=(",", ":")).encode()

    (interaction,) = written(tmp_path)["interactions"]
    assert interaction["type"] == "Asynchronous/Messages"
    assert interaction["providerStates"] == [{"name": "an order exists", "params": {"id": 1001, "status": "pending"}}]
    assert interaction["contents"]["content"]["reference"] == "e2490de5-5bd3-43d5-b7c4-526e33f71304"
    assert interaction["metadata"] == {
        "contentType": "application/json",
        "topic": "orders",
        "partition": 1,
        "key": "order-1001",
    }
    assert interaction["matchingRules"]["metadata"] == {
        "partition": {"matchers": [{"match": "integer"}], "combine": "AND"},
        "key": {"matchers": [{"match": "regex", "regex": r"order-\d+"}], "combine": "AND"},
    }
    assert set(interaction["matchingRules"]["body"]) == {
        "$.orderId",
        "$.total",
        "$.reference",
        "$.items",
        "$.items[*].sku",
    }
    assert interaction["generators"]["body"]["$.reference"]["type"] == "Uuid"
    assert interaction["generators"]["metadata"]["partition"]["type"] == "RandomInt"


async def test_a_v3_pact_is_a_message_pact(tmp_path: Path) -> None:
    async with Pact("Shipping", "Orders", pact_dir=tmp_path, spec="V3") as pact:
        await order_created(pact).verify(lambda message: None)
        await pact.expects_to_receive("a heartbeat").with_content("ping").verify(lambda message: None)
    document = written(tmp_path)
    assert "interactions" not in document
    assert document["metadata"]["pactSpecification"] == {"version": "3.0.0"}
    heartbeat, order = document["messages"]
    assert heartbeat == {"description": "a heartbeat", "contents": "ping", "metadata": {"contentType": "text/plain"}}
    assert order["contents"]["orderId"] == 1001
    assert order["providerStates"] == [{"name": "an order exists", "params": {"id": 1001, "status": "pending"}}]
    assert order["generators"]["metadata"]["partition"]["type"] == "RandomInt"


async def test_what_a_version_cannot_hold_fails_at_the_line_that_asks_for_it(tmp_path: Path) -> None:
    async with Pact("Shipping", "Orders", pact_dir=None, spec="V2") as pact:
        with pytest.raises(ValueError, match=r"message pacts need spec V3 or V4 \(this pact is V2\)"):
            pact.expects_to_receive("an event")
    async with Pact("Shipping", "Orders", pact_dir=None, spec="V3") as pact:
        with pytest.raises(ValueError, match=r"synchronous messages need spec V4 \(this pact is V3\)"):
            pact.sync_message("a lookup")
        pact.upon_receiving("a request").with_request("GET", "/").will_respond_with(200)
        message = pact.expects_to_receive("an event")
        with pytest.raises(ValueError, match="a V3 pact holds HTTP interactions or messages, not both"):
            message.with_content({"id": 1})
        with pytest.raises(ValueError, match="needs spec V4"):
            message.key("event-1")
        await pact.client.get("/")
        assert [i.description for i in pact.interactions] == ["a request"]


async def test_a_v3_file_is_not_given_messages_beside_its_http_interactions(tmp_path: Path) -> None:
    async with Pact("Shipping", "Orders", pact_dir=tmp_path, spec="V3") as pact:
        pact.upon_receiving("a request").with_request("GET", "/").will_respond_with(200)
        await pact.client.get("/")
    with pytest.raises(PactWriteError, match="holds HTTP interactions or messages, not both"):
        async with Pact("Shipping", "Orders", pact_dir=tmp_path, spec="V3") as pact:
            await pact.expects_to_receive("an event").with_content({"id": 1}).verify(lambda message: None)
    assert "messages" not in written(tmp_path)


async def test_http_interactions_and_messages_share_one_v4_pact_file_across_blocks(tmp_path: Path) -> None:
    async with Pact("Shipping", "Orders", pact_dir=tmp_path) as pact:
        pact.upon_receiving("a request for an order").with_request("GET", "/orders/1").will_respond_with(
            200, body={"id": 1}
        )
        assert (await pact.client.get("/orders/1")).json() == {"id": 1}
    async with Pact("Shipping", "Orders", pact_dir=tmp_path) as pact:
        await order_created(pact).verify(lambda message: None)
    kinds = [(i["type"], i["description"]) for i in written(tmp_path)["interactions"]]
    assert kinds == [
        ("Synchronous/HTTP", "a request for an order"),
        ("Asynchronous/Messages", "an order created event"),
    ]


async def test_a_raising_handler_fails_the_test_with_its_own_exception_and_no_pact_is_written(tmp_path: Path) -> None:
    def handler(message: Message) -> None:
        raise KeyError("customerId")

    with pytest.raises(KeyError, match="customerId") as raised:
        async with Pact("Shipping", "Orders", pact_dir=tmp_path) as pact:
            await order_created(pact).verify(handler)
    assert getattr(raised.value, "__notes__", None) == [
        'apact: raised by the handler of message "an order created event" (given an order exists); no pact file is written'
    ]
    assert raised.traceback[-1].name == "handler"  # the handler's own frame is where it points
    assert not (tmp_path / "Shipping-Orders.json").exists()


async def test_a_handler_failure_caught_in_the_block_still_fails_it_with_the_traceback(tmp_path: Path) -> None:
    async def handler(message: Message) -> None:
        assert message.contents == {"status": "shipped"}, "not shipped"

    with pytest.raises(ConsumerMismatchError) as raised:
        async with Pact("Shipping", "Orders", pact_dir=tmp_path) as pact:
            event = pact.expects_to_receive("an order shipped event").with_content({"status": "pending"})
            with pytest.raises(AssertionError):
                await event.verify(handler)
    text = str(raised.value)
    assert 'message handler failed: "an order shipped event": the handler raised' in text
    assert "AssertionError: not shipped" in text
    assert "in handler" in text  # the traceback, down to the handler's line
    assert not (tmp_path / "Shipping-Orders.json").exists()


async def test_a_message_never_handled_fails_the_block_like_a_request_never_made(tmp_path: Path) -> None:
    with pytest.raises(ConsumerMismatchError) as raised:
        async with Pact("Shipping", "Orders", pact_dir=tmp_path) as pact:
            order_created(pact)
            pact.expects_to_receive("a half-written event")
    assert str(raised.value) == (
        "pact between Shipping and Orders: 2 problems, no pact file written\n\n"
        '1. message never handled: "an order created event" (given an order exists): no handler was given the '
        "message (call `await ....verify(handler)` with the consumer's handler)\n\n"
        "2. incomplete interaction: 'a half-written event' has no contents (call .with_content(...))"
    )


async def test_changing_a_message_after_its_handler_ran_needs_the_handler_again() -> None:
    with pytest.raises(ConsumerMismatchError, match="message never handled"):
        async with Pact("Shipping", "Orders", pact_dir=None) as pact:
            event = pact.expects_to_receive("an event").with_content({"id": 1})
            await event.verify(lambda message: None)
            event.with_metadata(topic="orders")


async def test_text_and_binary_contents_reach_the_handler_as_str_and_bytes(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    got: list[Message] = []
    async with Pact("Shipping", "Orders", pact_dir=tmp_path) as pact:
        await pact.expects_to_receive("a heartbeat").with_content("ping").verify(got.append)
        await pact.expects_to_receive("a thumbnail").with_content(png, content_type="image/png").verify(got.append)
        await (
            pact.expects_to_receive("a CSV export")
            .with_content("id,total\n1,9.99\n")
            .with_metadata(contentType="text/csv")
            .verify(got.append)
        )
    assert [(m.contents, m.content_type) for m in got] == [
        ("ping", "text/plain"),
        (png, "image/png"),
        ("id,total\n1,9.99\n", "text/csv"),
    ]
    thumbnail = next(i for i in written(tmp_path)["interactions"] if i["description"] == "a thumbnail")
    assert thumbnail["contents"]["encoded"] == "base64"
    assert thumbnail["metadata"] == {"contentType": "image/png"}


async def test_metadata_matchers_apply_to_whole_values() -> None:
    async with Pact("Shipping", "Orders", pact_dir=None) as pact:
        message = pact.expects_to_receive("an event")
        with pytest.raises(
            ValueError, match=r"\$\.metadata\.headers: matchers apply to a whole metadata value.*\$\.id"
        ):
            message.with_metadata(headers={"id": match.integer(1)})
        with pytest.raises(TypeError, match=r"\$\.metadata\.when: .* is not JSON"):
            message.with_metadata(when=object())
        with pytest.raises(ValueError, match="cannot be None"):
            message.with_content(None)
        await message.with_content({"id": 1}).verify(lambda message: None)
    assert pact.interactions[0].message.metadata == {"contentType": "application/json"}  # type: ignore[union-attr]


async def test_verify_needs_a_complete_message_inside_the_block() -> None:
    async with Pact("Shipping", "Orders", pact_dir=None) as pact:
        event = pact.expects_to_receive("an event").with_metadata(topic="orders")
        with pytest.raises(RuntimeError, match="message 'an event' is not complete: it has no contents"):
            await event.verify(lambda message: None)
        event.with_content({"id": 1})
        await event.verify(lambda message: None)
    with pytest.raises(RuntimeError, match=r"only available inside `async with Pact\(...\) as pact:`"):
        await event.verify(lambda message: None)


async def test_two_messages_with_the_same_description_and_states_are_refused() -> None:
    async with Pact("Shipping", "Orders", pact_dir=None) as pact:
        await pact.expects_to_receive("an event").with_content({"id": 1}).verify(lambda message: None)
        with pytest.raises(ValueError, match='two interactions are "an event": give them different descriptions'):
            pact.expects_to_receive("an event").with_content({"id": 2})


async def test_v4_extras_on_a_message(tmp_path: Path) -> None:
    async with Pact("Shipping", "Orders", pact_dir=tmp_path) as pact:
        event = (
            pact.expects_to_receive("an event")
            .with_content({"id": 1})
            .key("event-1")
            .pending()
            .comment("why", testname="t")
        )
        await event.verify(lambda message: None)
    (interaction,) = written(tmp_path)["interactions"]
    assert (interaction["key"], interaction["pending"], interaction["comments"]) == (
        "event-1",
        True,
        {"text": ["why"], "testname": "t"},
    )


# -- synchronous messages --------------------------------------------------------------------------------


def price_lookup(pact: Pact) -> Any:  # noqa: ANN401 - the builder
    return (
        pact.sync_message("a price lookup")
        .given("the catalogue has product", sku="SKU-1")
        .with_request({"sku": match.regex(r"SKU-\d+", "SKU-1")}, metadata={"channel": "prices"})
        .will_respond_with(
            {"sku": "SKU-1", "price": match.decimal(9.99), "quote": generate.uuid()}, metadata={"status": "ok"}
        )
    )


async def test_a_sync_message_answers_the_consumers_request_with_the_response(tmp_path: Path) -> None:
    async with Pact("Shipping", "Orders", pact_dir=tmp_path) as pact:
        lookup = price_lookup(pact)
        reply = await lookup.send({"sku": "SKU-7"}, metadata={"channel": "prices"})
    assert isinstance(reply.contents, dict)
    assert (reply.contents["sku"], reply.contents["price"]) == ("SKU-1", 9.99)
    assert UUID.match(reply.contents["quote"])
    assert reply.metadata == {"contentType": "application/json", "status": "ok"}
    (interaction,) = written(tmp_path)["interactions"]
    assert interaction["type"] == "Synchronous/Messages"
    assert interaction["request"]["contents"]["content"] == {"sku": "SKU-1"}
    assert interaction["request"]["metadata"] == {"contentType": "application/json", "channel": "prices"}
    (response,) = interaction["response"]
    assert response["metadata"] == {"contentType": "application/json", "status": "ok"}
    assert response["generators"] == {"body": {"$.quote": {"type": "Uuid", "format": "lower-case-hyphenated"}}}


async def test_a_request_message_the_pact_does_not_describe_is_refused_and_fails_the_block() -> None:
    with pytest.raises(ConsumerMismatchError) as raised:
        async with Pact("Shipping", "Orders", pact_dir=None) as pact:
            lookup = price_lookup(pact)
            with pytest.raises(MismatchError) as refused:
                await lookup.send({"sku": "sku-7"})
    assert str(refused.value) == (
        'unexpected request message for "a price lookup" (given the catalogue has product):\n'
        '  $.contents.sku: expected a value matching /SKU-\\d+/, got "sku-7" (string)\n'
        '  $.metadata.channel: expected metadata "channel": "prices", but it is missing'
    )
    assert str(raised.value).startswith(
        "pact between Shipping and Orders: 1 problem, no pact file written\n\n"
        '1. unexpected request message for "a price lookup" (given the catalogue has product):\n'
        "     $.contents.sku: expected a value matching"
    )


async def test_several_response_messages_and_a_request_never_sent() -> None:
    async with Pact("Shipping", "Orders", pact_dir=None) as pact:
        stream = (
            pact.sync_message("a quote stream")
            .with_request("quotes?")
            .will_respond_with("9.99")
            .will_respond_with("9.98")
        )
        replies = await stream.send_all("quotes?")
        assert [r.contents for r in replies] == ["9.99", "9.98"]
        assert (await stream.send("quotes?")).contents == "9.99"
    with pytest.raises(
        ConsumerMismatchError,
        match=r'message never sent: "a quote stream": the consumer\'s code never sent its request',
    ):
        async with Pact("Shipping", "Orders", pact_dir=None) as pact:
            pact.sync_message("a quote stream").with_request("quotes?").will_respond_with("9.99")
    with pytest.raises(
        ConsumerMismatchError, match=r"'a quote stream' has no response message \(call .will_respond_with"
    ):
        async with Pact("Shipping", "Orders", pact_dir=None) as pact:
            stream = pact.sync_message("a quote stream").with_request("quotes?")
            with pytest.raises(RuntimeError, match="is not complete: it has no response message"):
                await stream.send("quotes?")


async def test_an_unexpected_request_raised_out_of_the_block_is_not_reported_twice() -> None:
    with pytest.raises(MismatchError) as raised:
        async with Pact("Shipping", "Orders", pact_dir=None) as pact:
            await price_lookup(pact).send({"sku": "SKU-1"})
    assert not isinstance(raised.value, ConsumerMismatchError)
    assert getattr(raised.value, "__notes__", []) == []


async def test_contents_that_are_not_what_their_content_type_says_are_refused_where_they_are_written() -> None:
    """A pact with them could not be read back, by apact or the official core."""
    async with Pact("Shipping", "Orders", pact_dir=None) as pact:
        event = pact.expects_to_receive("an order")
        with pytest.raises(
            ValueError,
            match=r"^\$\.contents: the body is not well-formed XML although its content type is application/xml: ",
        ):
            event.with_content("medium rare", content_type="application/xml")
        event.with_content("medium rare", content_type="text/plain")
        bill = pact.expects_to_receive("a bill").with_content(b"{medium")
        with pytest.raises(
            ValueError,
            match=r"^\$\.contents: the body is not valid JSON although its content type is application/json: ",
        ):
            bill.with_metadata(contentType="application/json")
        lookup = pact.sync_message("a lookup")
        with pytest.raises(ValueError, match=r"^\$\.request\.contents: the body is not well-formed XML "):
            lookup.with_request("medium rare", content_type="application/xml")
        with pytest.raises(ValueError, match=r"^\$\.response\[0\]\.contents: the body is not valid JSON "):
            lookup.with_request({"id": 1}).will_respond_with(b"{medium", content_type="application/json")
        await event.verify(lambda message: None)
        await bill.verify(lambda message: None)
        assert (await lookup.will_respond_with({"ok": True}).send({"id": 1})).contents == {"ok": True}
