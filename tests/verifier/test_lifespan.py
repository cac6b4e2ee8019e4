"""The ASGI lifespan apact runs around an in-process verification, against raw ASGI
apps that answer it in every way the protocol allows, and some it does not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
import pytest

from apact._core._types import Receive, Scope, Send
from apact.errors import ProviderStartError
from apact.verifier import Verifier

from .verifier_helpers import interaction, pact

pytestmark = pytest.mark.anyio

PACT = pact(interaction("an order"))

#: what the app does with its lifespan scope (given the events list, receive and send)
Lifespan = Callable[[list[str], Receive, Send], Any]


def app_with(lifespan: Lifespan, events: list[str]) -> Any:  # noqa: ANN401
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(events, receive, send)
            events.append("lifespan returned")
            return
        events.append("request")
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    return app


async def polite(events: list[str], receive: Receive, send: Send) -> None:
    """Starlette's way: answer startup and shutdown, then return."""
    events.append((await receive())["type"])
    await send({"type": "lifespan.startup.complete"})
    events.append((await receive())["type"])
    await send({"type": "lifespan.shutdown.complete"})


async def lingering(events: list[str], receive: Receive, send: Send) -> None:
    """Answers both, then waits for more (a loop over ``receive()``): only cancelling it ends it."""
    await polite(events, receive, send)
    try:
        await receive()
    finally:
        events.append("cancelled")


async def unsupported(events: list[str], receive: Receive, send: Send) -> None:
    raise RuntimeError("no lifespan here")


async def silent(events: list[str], receive: Receive, send: Send) -> None:
    """Returns at once, without a word: no lifespan either."""


async def failing_startup(events: list[str], receive: Receive, send: Send) -> None:
    await receive()
    await send({"type": "lifespan.startup.failed", "message": "the grill is cold"})


async def failing_shutdown(events: list[str], receive: Receive, send: Send) -> None:
    await receive()
    await send({"type": "lifespan.startup.complete"})
    await receive()
    await send({"type": "lifespan.shutdown.failed", "message": "the fryer is still hot"})


async def slow_startup(events: list[str], receive: Receive, send: Send) -> None:
    await receive()
    await anyio.sleep_forever()


async def unhurried(events: list[str], receive: Receive, send: Send) -> None:
    """Answers each phase after real waits (a database to connect, a pool to drain): not
    at the first chance apact gives it, so apact waits for the answer."""
    events.append((await receive())["type"])
    for _ in range(3):
        await anyio.sleep(0.01)
    await send({"type": "lifespan.startup.complete"})
    events.append((await receive())["type"])
    for _ in range(3):
        await anyio.sleep(0.01)
    await send({"type": "lifespan.shutdown.complete"})


async def slow_shutdown(events: list[str], receive: Receive, send: Send) -> None:
    await receive()
    await send({"type": "lifespan.startup.complete"})
    await receive()
    events.append("shutting down")
    await anyio.sleep_forever()


@pytest.mark.parametrize("lifespan", [polite, unhurried])
async def test_startup_and_shutdown_come_around_the_requests(lifespan: Lifespan) -> None:
    events: list[str] = []
    (await Verifier("Grill Chef", app=app_with(lifespan, events)).verify(PACT)).assert_ok()
    assert events == ["lifespan.startup", "request", "lifespan.shutdown", "lifespan returned"]


async def test_an_app_still_waiting_after_its_shutdown_is_cancelled() -> None:
    events: list[str] = []
    with anyio.fail_after(10):
        (await Verifier("Grill Chef", app=app_with(lingering, events)).verify(PACT)).assert_ok()
    assert events == ["lifespan.startup", "request", "lifespan.shutdown", "cancelled"]


@pytest.mark.parametrize("lifespan", [unsupported, silent])
async def test_an_app_without_a_lifespan_is_verified_without_one(lifespan: Lifespan) -> None:
    events: list[str] = []
    (await Verifier("Grill Chef", app=app_with(lifespan, events)).verify(PACT)).assert_ok()
    assert events.count("request") == 1


async def test_a_failed_startup_is_a_start_error_and_no_request_is_sent() -> None:
    events: list[str] = []
    with pytest.raises(ProviderStartError, match="the app's lifespan startup failed: the grill is cold"):
        await Verifier("Grill Chef", app=app_with(failing_startup, events)).verify(PACT)
    assert "request" not in events


async def test_a_failed_shutdown_is_a_start_error_after_the_requests() -> None:
    events: list[str] = []
    with pytest.raises(ProviderStartError, match="the app's lifespan shutdown failed: the fryer is still hot"):
        await Verifier("Grill Chef", app=app_with(failing_shutdown, events)).verify(PACT)
    assert events == ["request", "lifespan returned"]


async def test_a_startup_without_an_answer_in_time_is_a_start_error() -> None:
    events: list[str] = []
    verifier = Verifier("Grill Chef", app=app_with(slow_startup, events), startup_timeout=0.2)
    with anyio.fail_after(10), pytest.raises(ProviderStartError, match=r"startup failed: no answer within 0\.2 s"):
        await verifier.verify(PACT)
    assert "request" not in events


async def test_a_shutdown_without_an_answer_in_time_is_a_start_error() -> None:
    events: list[str] = []
    verifier = Verifier("Grill Chef", app=app_with(slow_shutdown, events), startup_timeout=0.2)
    with anyio.fail_after(10), pytest.raises(ProviderStartError, match=r"shutdown failed: no answer within 0\.2 s"):
        await verifier.verify(PACT)
    assert events == ["request", "shutting down"]


async def test_the_lifespan_state_reaches_every_request() -> None:
    seen: list[object] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await receive()
            scope["state"]["cook"] = "Gordon"
            await send({"type": "lifespan.startup.complete"})
            await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        seen.append(scope["state"].get("cook"))
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    (await Verifier("Grill Chef", app=app).verify(pact(interaction("one"), interaction("two")))).assert_ok()
    assert seen == ["Gordon", "Gordon"]


async def test_a_task_the_lifespan_starts_lives_through_the_requests_and_stops_at_shutdown() -> None:
    """The usual long-lived lifespan: a task group of its own, a worker in it that the
    requests rely on, cancelled at shutdown."""
    ticks: list[int] = []
    seen: list[int] = []
    events: list[str] = []

    async def worker(ready: anyio.Event) -> None:
        ready.set()
        try:
            await anyio.sleep_forever()
        finally:
            events.append("worker stopped")

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await receive()
            async with anyio.create_task_group() as group:
                ready = anyio.Event()
                group.start_soon(worker, ready)
                await ready.wait()
                ticks.append(1)
                await send({"type": "lifespan.startup.complete"})
                events.append((await receive())["type"])
                group.cancel_scope.cancel()
            await send({"type": "lifespan.shutdown.complete"})
            return
        seen.append(len(ticks))
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    with anyio.fail_after(10):
        (await Verifier("Grill Chef", app=app).verify(pact(interaction("one"), interaction("two")))).assert_ok()
    assert seen == [1, 1]
    assert events == ["lifespan.shutdown", "worker stopped"]


async def test_what_the_lifespan_sets_in_its_context_stays_its_own() -> None:
    """As under a server: the lifespan runs in a task of its own, so a context variable it
    sets is not what the requests see (its ``state`` is how it hands them things)."""
    import contextvars

    cook: contextvars.ContextVar[str] = contextvars.ContextVar("cook", default="nobody")
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await receive()
            cook.set("Gordon")
            await send({"type": "lifespan.startup.complete"})
            await receive()
            seen.append(f"shutdown: {cook.get()}")
            await send({"type": "lifespan.shutdown.complete"})
            return
        seen.append(cook.get())
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    (await Verifier("Grill Chef", app=app).verify(PACT)).assert_ok()
    assert seen == ["nobody", "shutdown: Gordon"]
    assert cook.get() == "nobody"


async def test_a_verification_cancelled_during_a_request_still_shuts_the_lifespan_down() -> None:
    events: list[str] = []
    in_request = anyio.Event()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await polite(events, receive, send)
            events.append("lifespan returned")
            return
        in_request.set()
        await anyio.sleep_forever()

    async def cancel_when_in_request(scope: anyio.CancelScope) -> None:
        await in_request.wait()
        scope.cancel()

    with anyio.fail_after(10):
        async with anyio.create_task_group() as group:
            group.start_soon(cancel_when_in_request, group.cancel_scope)
            await Verifier("Grill Chef", app=app).verify(PACT)
    assert events == ["lifespan.startup", "lifespan.shutdown", "lifespan returned"]


async def test_a_verification_cancelled_during_the_startup_leaves_no_lifespan_behind() -> None:
    events: list[str] = []
    starting = anyio.Event()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "lifespan"
        await receive()
        starting.set()
        try:
            await anyio.sleep_forever()  # a startup that never ends
        finally:
            events.append("startup cancelled")

    async def cancel_when_starting(scope: anyio.CancelScope) -> None:
        await starting.wait()
        scope.cancel()

    with anyio.fail_after(10):
        async with anyio.create_task_group() as group:
            group.start_soon(cancel_when_starting, group.cancel_scope)
            await Verifier("Grill Chef", app=app, startup_timeout=60).verify(PACT)
    assert events == ["startup cancelled"]
