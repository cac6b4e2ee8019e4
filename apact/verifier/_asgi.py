"""Calling an ASGI app in-process: one HTTP request, and the lifespan around a run.

Why not httpx's ``ASGITransport``: measured on the Grill Chef Starlette app, a request
through ``httpx.AsyncClient`` + ``ASGITransport`` costs about 150 µs, through the
transport alone 65 µs, and a direct ASGI call 16 µs. The replay path is the whole
product's speed, so it calls the app directly; the protocol part it needs (one request
body, collecting the response, ``http.disconnect`` once the response is complete, the
lifespan's startup and shutdown) is small and tested here.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import anyio
import anyio.lowlevel

from .._core._frozen import builder
from .._core._types import ASGIApp, Message
from ..errors import ProviderStartError

#: the Host header and ``server`` of in-process requests, as Starlette's TestClient
HOST = "testserver"
_SERVER = (HOST, 80)


@dataclass(frozen=True, slots=True)
class AsgiResponse:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    #: what the app raised, if it did (after or instead of answering)
    error: BaseException | None = None


#: ``AsgiResponse(...)`` given every field, at a fifth of the cost (`._core._frozen`)
_new_answer = builder(AsgiResponse)


async def call_app(
    app: ASGIApp,
    method: str,
    path: str,
    raw_path: bytes,
    query_string: bytes,
    headers: list[tuple[bytes, bytes]],
    body: bytes,
    state: dict[str, Any] | None,
) -> AsgiResponse:
    """Send one request to ``app`` and collect its response (no timeout here)."""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": raw_path,
        "root_path": "",
        "query_string": query_string,
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": _SERVER,
        "extensions": {},
    }
    if state is not None:
        scope["state"] = dict(state)
    exchange = _Exchange(body)
    error: BaseException | None = None
    try:
        await app(scope, exchange.receive, exchange.send)
    except Exception as raised:  # the app's own failure: reported, not ours to raise
        error = raised
    finally:
        exchange.finish()
    if exchange.status is None:
        if error is None:
            error = RuntimeError("the app returned without sending a response")
        return AsgiResponse(500, [], b"", error)
    return _new_answer(exchange.status, exchange.headers, b"".join(exchange.chunks), error)


class _Exchange:
    """The receive/send pair of one request."""

    __slots__ = ("_body", "_sent_body", "_complete", "_done", "status", "headers", "chunks")

    def __init__(self, body: bytes) -> None:
        self._body = body
        self._sent_body = False
        self._complete = False
        self._done: anyio.Event | None = None
        self.status: int | None = None
        self.headers: list[tuple[bytes, bytes]] = []
        self.chunks: list[bytes] = []

    async def receive(self) -> Message:
        if not self._sent_body:
            self._sent_body = True
            return {"type": "http.request", "body": self._body, "more_body": False}
        # anything after the body is the client going away, once the response is complete
        if not self._complete:
            if self._done is None:
                self._done = anyio.Event()
            await self._done.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.body":
            chunk = message.get("body", b"")
            if chunk:
                self.chunks.append(chunk if type(chunk) is bytes else bytes(chunk))
            if not message.get("more_body", False):
                self._complete = True
                if self._done is not None:
                    self._done.set()
        elif kind == "http.response.start":
            self.status = int(message["status"])
            self.headers = [
                (name, value) if type(name) is bytes and type(value) is bytes else (bytes(name), bytes(value))
                for name, value in message.get("headers", ())
            ]

    def finish(self) -> None:
        """The app returned: a ``receive`` still waiting learns the client is gone."""
        self._complete = True
        if self._done is not None:
            self._done.set()


def lifespan(app: ASGIApp, state: dict[str, Any], timeout: float) -> AbstractAsyncContextManager[None]:
    """Run the app's lifespan (startup before, shutdown after) around the block.

    An app that raises on the lifespan scope without a word supports no lifespan (as
    uvicorn's ``lifespan="auto"`` reads it); a failed (or too slow) startup or shutdown
    raises `ProviderStartError`. The app's lifespan runs in a task of its own, as a
    server runs it: it may start tasks that live as long as it, and what it does to its
    context (context variables) stays its own.
    """
    try:
        on_asyncio = asyncio.current_task() is not None
    except RuntimeError:  # no asyncio loop running here: trio
        on_asyncio = False
    if on_asyncio:
        return _AsyncioLifespan(app, state, timeout)
    return _lifespan_in_task_group(app, state, timeout)


class _AsyncioLifespan:
    """`lifespan` on asyncio: the app's lifespan in a plain asyncio task, its messages
    through a `_Lifespan` on asyncio's own events. anyio's task group (two cancel scopes,
    a task handle) and events cost about 55 µs a run, several times an app's own
    lifespan, and a run of a few interactions pays it each time; asyncio needs no more
    than a task, cancelled at the end if the app's lifespan has not returned by then, as
    the task group would. (trio has no task outside a nursery: `_lifespan_in_task_group`
    there.)"""

    __slots__ = ("_app", "_state", "_timeout", "_task", "_channel", "_started")

    def __init__(self, app: ASGIApp, state: dict[str, Any], timeout: float) -> None:
        self._app = app
        self._state = state
        self._timeout = timeout
        self._channel = _Lifespan(asyncio.Event, _next_turn)
        #: the app answered its startup (so it is sent a shutdown)
        self._started = False

    async def __aenter__(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": self._state}
        self._task = asyncio.get_running_loop().create_task(self._run(scope))
        try:
            reply = await self._channel.exchange("startup", self._timeout)
        except BaseException:  # cancelled while the app starts: its task is not left behind
            await self._stop()
            raise
        if reply is not None and reply["type"] == "lifespan.startup.failed":
            await self._stop()
            raise ProviderStartError(f"the app's lifespan startup failed: {reply.get('message') or 'no message'}")
        self._started = reply is not None

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: Any) -> None:  # noqa: ANN401
        problem: str | None = None
        if self._started:
            with anyio.CancelScope(shield=True):  # (the block may end by cancellation)
                reply = await self._channel.exchange("shutdown", self._timeout)
            if reply is not None and reply["type"] == "lifespan.shutdown.failed":
                problem = f"the app's lifespan shutdown failed: {reply.get('message') or 'no message'}"
        await self._stop()
        if error is None and problem is not None:  # (the block's own error wins, raised as itself)
            raise ProviderStartError(problem)

    async def _stop(self) -> None:
        """Cancel the app's lifespan task if it has not returned, and wait for its end."""
        task = self._task
        if not task.done():
            task.cancel()
            with anyio.CancelScope(shield=True):
                await asyncio.wait((task,))
        if not task.cancelled() and task.exception() is not None:  # (not an Exception: `_run` keeps those)
            raise task.exception()  # type: ignore[misc]

    async def _run(self, scope: dict[str, Any]) -> None:
        channel = self._channel
        try:
            await self._app(scope, channel.receive, channel.send)
        except Exception:  # no lifespan support (a failed startup is reported as a message)
            pass
        finally:
            channel.end()


def _next_turn() -> Awaitable[None]:
    """Let the tasks ready to run run (asyncio's checkpoint, minus anyio's look-up)."""
    return asyncio.sleep(0)


@asynccontextmanager
async def _lifespan_in_task_group(app: ASGIApp, state: dict[str, Any], timeout: float) -> AsyncIterator[None]:
    """`lifespan` with anyio's task group (on trio). The app's task runs shielded, as it
    would under a server: a cancellation of the verification around it does not reach
    it, so it still gets its shutdown; only the end of the lifespan cancels it."""
    channel = _Lifespan()
    own = anyio.CancelScope(shield=True)

    async def run() -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": state}
        try:
            with own:
                await app(scope, channel.receive, channel.send)
        except Exception:  # no lifespan support (a failed startup is reported as a message)
            pass
        finally:
            channel.end()

    problem: str | None = None
    error: Exception | None = None  # raised after the task group, as itself
    async with anyio.create_task_group() as group:
        group.start_soon(run)
        try:
            reply = await channel.exchange("startup", timeout)
            if reply is not None and reply["type"] == "lifespan.startup.failed":
                problem = f"the app's lifespan startup failed: {reply.get('message') or 'no message'}"
            else:
                try:
                    yield
                except Exception as raised:
                    error = raised
                finally:
                    if reply is not None:
                        with anyio.CancelScope(shield=True):
                            reply = await channel.exchange("shutdown", timeout)
                        if reply is not None and reply["type"] == "lifespan.shutdown.failed":
                            problem = f"the app's lifespan shutdown failed: {reply.get('message') or 'no message'}"
        finally:
            if not channel.ended:  # done with the app's lifespan, which still waits for more
                own.cancel()
    if error is not None:
        raise error
    if problem is not None:
        raise ProviderStartError(problem)


class _Event(Protocol):
    """What `_Lifespan` waits on: ``anyio.Event`` or ``asyncio.Event``."""

    def set(self) -> None: ...

    async def wait(self) -> Any: ...  # noqa: ANN401


class _Lifespan:
    """The two ends of a lifespan: apact's `exchange` (one message to the app, its
    answer back) and the app's ``receive``/``send``. Two messages each way in a run:
    events and a slot rather than memory object streams, which cost more to make and
    close than the rest of a short run's set-up (a run of a few interactions pays it
    each time), and the app's task is cancelled at the end only if it has not returned
    (cancelling formats the task's description, for its reason). ``event`` makes the
    events and ``checkpoint`` lets the app's task run: anyio's by default, asyncio's own
    (cheaper, with no backend look-up) in `_AsyncioLifespan`."""

    __slots__ = ("_to_app", "_app_waits", "_replies", "_answered", "ended", "_event", "_checkpoint")

    def __init__(
        self,
        event: Callable[[], _Event] = anyio.Event,
        checkpoint: Callable[[], Awaitable[None]] = anyio.lowlevel.checkpoint,
    ) -> None:
        self._to_app: Message | None = None
        self._app_waits: _Event | None = None
        self._replies: list[Message] = []
        self._answered: _Event | None = None
        #: the app's lifespan returned (or raised)
        self.ended = False
        self._event = event
        self._checkpoint = checkpoint

    async def receive(self) -> Message:
        while self._to_app is None:
            self._app_waits = self._event()
            await self._app_waits.wait()
        message, self._to_app = self._to_app, None
        return message

    async def send(self, message: Message) -> None:
        self._replies.append(message)
        if self._answered is not None:
            self._answered.set()

    def end(self) -> None:
        self.ended = True
        if self._answered is not None:
            self._answered.set()

    async def exchange(self, kind: str, timeout: float) -> Message | None:
        """Send ``lifespan.{kind}``: the app's answer, ``None`` if its lifespan ended
        without one (it has none), or a ``.failed`` one if none came within ``timeout``."""
        self._to_app = {"type": f"lifespan.{kind}"}
        if self._app_waits is not None:
            self._app_waits.set()
        if not self._replies and not self.ended:
            # most apps answer as soon as they run (their task was scheduled before
            # this one resumes): one checkpoint lets them, and a deadline (its timer set
            # and cancelled) is only for one that has not
            await self._checkpoint()
        if not self._replies and not self.ended:
            self._answered = self._event()
            with anyio.move_on_after(timeout):
                await self._answered.wait()
        if self._replies:
            return self._replies.pop(0)
        if self.ended:
            return None
        return {"type": f"lifespan.{kind}.failed", "message": f"no answer within {timeout:g} s"}
