"""The message endpoint (``Verifier.message_app()``): the requests the official
verifiers send to fetch messages and change provider states, answered in-process."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from apact import Message, Verifier

pytestmark = pytest.mark.anyio

ORDER_EXISTS = {"name": "an order exists", "params": {"id": 1001}}


def orders(log: list[str]) -> Verifier:
    verifier = Verifier("Orders")

    @verifier.state("an order exists")
    async def order_exists(params: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        log.append(f"setup {params}")
        yield {"total": 5.5}
        log.append("teardown")

    @verifier.state("the broker is down")
    def broker_down() -> None:
        raise ConnectionError("no broker here")

    @verifier.message("an order created event")
    async def order_created(params: dict[str, Any]) -> Message:
        log.append(f"produce {params}")
        return Message({"orderId": params["id"], "total": params["total"]}, {"topic": "orders", "partition": 3})

    @verifier.message("a price lookup")
    def price(request: Message) -> Message:
        assert isinstance(request.contents, dict)
        return Message({"sku": request.contents["sku"], "price": 9.99})

    @verifier.message("a heartbeat")
    def heartbeat() -> str:
        return "ping"

    @verifier.message("a broken event")
    def broken() -> dict[str, Any]:
        return {"id": 1 / 0}

    return verifier


def client(verifier: Verifier) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=verifier.message_app()), base_url="http://provider")


def metadata(response: httpx.Response) -> dict[str, Any]:
    return json.loads(base64.b64decode(response.headers["pact-message-metadata"]))  # type: ignore[no-any-return]


async def test_a_message_between_state_setup_and_teardown_as_the_official_verifiers_ask() -> None:
    log: list[str] = []
    async with client(orders(log)) as http:
        setup = await http.post(
            "/_pact/state", json={"action": "setup", "params": {"id": 1001}, "state": "an order exists"}
        )
        assert (setup.status_code, setup.json()) == (200, {"id": 1001, "total": 5.5})
        answer = await http.post(
            "/_pact/message", json={"description": "an order created event", "providerStates": [ORDER_EXISTS]}
        )
        teardown = await http.post(
            "/_pact/state", json={"action": "teardown", "params": {"id": 1001}, "state": "an order exists"}
        )
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == {"orderId": 1001, "total": 5.5}
    assert metadata(answer) == {"topic": "orders", "partition": 3, "contentType": "application/json"}
    assert (teardown.status_code, teardown.json()) == (200, {})
    assert log == ["setup {'id': 1001}", "produce {'id': 1001, 'total': 5.5}", "teardown"]


async def test_a_message_without_states_and_a_sync_message_with_its_request() -> None:
    async with client(orders([])) as http:
        await http.post(
            "/_pact/state", json={"action": "setup", "params": {}, "state": ""}
        )  # as the official verifiers do
        heartbeat = await http.post("/_pact/message", json={"description": "a heartbeat"})
        request = {
            "contents": {"content": {"sku": "SKU-7"}, "contentType": "application/json", "encoded": False},
            "metadata": {"contentType": "application/json"},
        }
        price = await http.post("/_pact/message", json={"description": "a price lookup", "request": request})
    assert (heartbeat.text, heartbeat.headers["content-type"], metadata(heartbeat)) == (
        "ping",
        "text/plain",
        {"contentType": "text/plain"},
    )
    assert price.json() == {"sku": "SKU-7", "price": 9.99}


async def test_failures_are_the_messages_answer_with_the_reason() -> None:
    async with client(orders([])) as http:
        missing = await http.post("/_pact/message", json={"description": "an order shipped event"})
        raising = await http.post("/_pact/message", json={"description": "a broken event"})
        state = await http.post("/_pact/state", json={"action": "setup", "params": {}, "state": "the broker is down"})
        after_state = await http.post(
            "/_pact/message", json={"description": "a heartbeat", "providerStates": [{"name": "the broker is down"}]}
        )
        unknown_state = await http.post(
            "/_pact/state", json={"action": "setup", "params": {}, "state": "the moon is full"}
        )
        after_unknown = await http.post(
            "/_pact/message", json={"description": "a heartbeat", "providerStates": [{"name": "the moon is full"}]}
        )
    assert missing.status_code == 500
    assert missing.text.startswith(
        "apact: missing producer: no producer for message 'an order shipped event': register one with"
    )
    assert raising.status_code == 500
    assert raising.text.startswith(
        'apact: producer: the producer for message "a broken event" raised ZeroDivisionError: division by zero'
    )
    assert "in broken" in raising.text  # the traceback
    assert state.status_code == 200  # not retried for minutes by the official verifiers ...
    assert after_state.status_code == 500  # ... the message says why instead
    assert (
        "apact: state: the handler for provider state 'the broker is down' raised ConnectionError: no broker here"
        in after_state.text
    )
    assert unknown_state.status_code == 200
    assert (
        after_unknown.text
        == "apact: missing state: no handler for provider state 'the moon is full': register one with @verifier.state('the moon is full')"
    )


async def test_a_teardown_that_raises_fails_the_next_message() -> None:
    verifier = Verifier("Orders")

    @verifier.state("a lock is held")
    def lock() -> Any:  # noqa: ANN401 - a generator
        yield
        raise RuntimeError("cannot release")

    verifier.message("a heartbeat")(lambda: "ping")
    state = {"params": {}, "state": "a lock is held"}
    async with client(verifier) as http:
        await http.post("/_pact/state", json={"action": "setup", **state})
        assert (await http.post("/_pact/message", json={"description": "a heartbeat"})).status_code == 200
        await http.post("/_pact/state", json={"action": "teardown", **state})
        after = await http.post("/_pact/message", json={"description": "a heartbeat"})
        again = await http.post("/_pact/message", json={"description": "a heartbeat"})
    assert after.status_code == 500
    assert (
        "apact: teardown: after the previous message: the teardown of provider state 'a lock is held' raised RuntimeError: cannot release"
        in after.text
    )
    assert again.status_code == 200


async def test_the_endpoint_mounted_in_the_providers_app() -> None:
    app = Starlette(routes=[Mount("/_pact", app=orders([]).message_app())])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://provider") as http:
        assert (await http.post("/_pact/message", json={"description": "a heartbeat"})).text == "ping"


async def test_requests_the_endpoint_does_not_serve() -> None:
    async with client(orders([])) as http:
        assert (await http.get("/_pact/message")).status_code == 405
        assert (await http.post("/elsewhere", json={})).status_code == 404
        assert (await http.post("/_pact/message", content=b"[1]")).status_code == 400
        assert (await http.post("/_pact/message", json={"providerStates": []})).status_code == 400
