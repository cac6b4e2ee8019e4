"""The message endpoint the official Pact verifiers fetch messages from, as an ASGI app
serving a `Verifier`'s producers and provider states.

The official verifiers (the Rust core behind pact-python, pact-js, the ``pact``
command) do not call producers: for each message interaction they POST to the
provider's message transport:

```text
POST /_pact/message
{"description": "an order created event",
 "providerStates": [{"name": "an order exists", "params": {"id": 1001}}],
 "request": {...}}                       # synchronous messages: the request message
```

and read the answer's body as the message contents, its ``Content-Type`` as their
type and the ``Pact-Message-Metadata`` header (base64 of a JSON object) as the
metadata. Provider states arrive before and after at the state-change URL:

```text
POST /_pact/state
{"action": "setup" | "teardown", "params": {...}, "state": "an order exists"}
```

Any path ending in ``/message`` or ``/state`` will do, so the app may also be mounted in
the provider's own app (Starlette: ``Mount("/_pact", app=verifier.message_app())``).
A state handler's values are the setup's JSON answer (for ``ProviderState``
generators) and are given to the producer. When a state handler or producer fails,
the failure (with its traceback) is the message's body with status 500, so the
official verifier's report shows it at once: the state-change call itself always
answers 200, because the official verifiers retry a failing one for about two minutes
(a teardown that raised fails the next message, saying so).
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Mapping
from contextlib import AsyncExitStack
from typing import Any

from .._core._types import JSON, Receive, Scope, Send
from ..errors import PactFileError
from ..pact import _jsondepth
from ..pact._parse import parse_message
from ..pact.model import AsyncMessage, ProviderState, Spec, SyncMessage
from ._messages import METADATA_HEADER, Producer, ProducerError, ProducerKey, find_producer, missing_producer, produce
from ._result import VerificationProblem
from ._states import Handler, StateHandlerError, provider_states

MESSAGE_PATH = "/_pact/message"
STATE_PATH = "/_pact/state"


class MessageEndpoint:
    """The ASGI app (see the module docs). Holds the states set up and not yet torn
    down, and the failures to report, between the official verifier's calls."""

    def __init__(
        self, producers: Mapping[ProducerKey, Producer], handlers: Mapping[str, Handler], *, timeout: float
    ) -> None:
        self._producers = producers
        self._handlers = handlers
        self._timeout = timeout
        self._rng = random.Random()
        self._set_up: dict[str, tuple[AsyncExitStack, Mapping[str, JSON]]] = {}
        self._failures: dict[str, VerificationProblem] = {}
        #: teardowns that raised, told with the next message (the official verifiers
        #: would only retry the call, then forget it)
        self._teardowns_failed: list[VerificationProblem] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path = scope["path"]
        if not path.endswith(("/message", "/state")):
            await _answer(
                send, 404, f"apact message endpoint: POST {MESSAGE_PATH} or {STATE_PATH}".encode(), "text/plain"
            )
            return
        if scope["method"] != "POST":
            await _answer(send, 405, f"apact message endpoint: POST to {path}".encode(), "text/plain")
            return
        raw = await _body(receive)
        try:
            request = _jsondepth.loads(raw or b"{}")
            if not isinstance(request, dict):
                raise ValueError("expected a JSON object")
        except ValueError as error:
            await _answer(
                send, 400, f"apact message endpoint: the request is not a JSON object ({error})".encode(), "text/plain"
            )
            return
        if path.endswith("/state"):
            values = await self._change_state(request)
            await _answer(send, 200, json.dumps(values).encode(), "application/json")
        else:
            await self._message(request, send)

    # -- provider states --------------------------------------------------------------------------

    async def _change_state(self, request: Mapping[str, Any]) -> Mapping[str, JSON]:
        name, params = request.get("state"), request.get("params")
        if not isinstance(name, str) or not name:  # the official verifiers call it for no state too
            return {}
        state = ProviderState(name, dict(params) if isinstance(params, dict) else {})
        key = _key(state)
        await self._tear_down(key)
        if request.get("action") != "setup":
            return {}
        if name not in self._handlers:
            message = f"no handler for provider state {name!r}: register one with @verifier.state({name!r})"
            self._failures[key] = VerificationProblem("missing state", message)
            return {}
        stack = AsyncExitStack()
        try:
            values = await stack.enter_async_context(
                provider_states([state], self._handlers, None, timeout=self._timeout)
            )
        except StateHandlerError as failure:
            self._failures[key] = failure.error
            return {}
        self._set_up[key] = (stack, values)
        return values

    async def _tear_down(self, key: str) -> None:
        self._failures.pop(key, None)
        held = self._set_up.pop(key, None)
        if held is not None:
            try:
                await held[0].aclose()
            except StateHandlerError as failure:
                self._teardowns_failed.append(failure.error)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            event = await receive()
            if event["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif event["type"] == "lifespan.shutdown":
                for key in list(self._set_up):
                    await self._tear_down(key)
                await send({"type": "lifespan.shutdown.complete"})
                return

    # -- messages ---------------------------------------------------------------------------------

    async def _message(self, request: Mapping[str, Any], send: Send) -> None:
        try:
            interaction = _interaction(request)
        except (PactFileError, TypeError, ValueError) as error:
            await _answer(send, 400, f"apact message endpoint: {error}".encode(), "text/plain")
            return
        if self._teardowns_failed:
            earlier = self._teardowns_failed.pop(0)
            await _failed(
                send,
                VerificationProblem(earlier.kind, f"after the previous message: {earlier.message}", earlier.traceback),
            )
            return
        values: dict[str, JSON] = {}
        for state in interaction.provider_states:
            key = _key(state)
            failure = self._failures.get(key)
            if failure is not None:
                await _failed(send, failure)
                return
            values.update(state.params)
            values.update(self._set_up[key][1] if key in self._set_up else {})
        producer = find_producer(self._producers, interaction)
        if producer is None:
            await _failed(send, missing_producer(self._producers, interaction))
            return
        try:
            made = await produce(producer, interaction, values, timeout=self._timeout, rng=self._rng)
        except ProducerError as failure:
            await _failed(send, failure.error)
            return
        message = made[0]  # the HTTP transport carries one message (a synchronous message's first response)
        contents = message.contents.content if message.contents is not None else b""
        metadata = base64.b64encode(json.dumps(message.metadata, ensure_ascii=False).encode()).decode("ascii")
        await _answer(send, 200, contents, message.content_type(), [(METADATA_HEADER, metadata)])


def _interaction(request: Mapping[str, Any]) -> AsyncMessage | SyncMessage:
    description = request.get("description")
    if not isinstance(description, str) or not description:
        raise ValueError("the request names no message: expected a JSON object with a 'description'")
    states = tuple(
        ProviderState(item["name"], dict(item.get("params") or {}))
        for item in request.get("providerStates") or ()
        if isinstance(item, dict) and isinstance(item.get("name"), str)
    )
    if isinstance(request.get("request"), dict):
        message = parse_message(request["request"], Spec.V4, "$.request", strict=False)
        return SyncMessage(description, message, provider_states=states)
    return AsyncMessage(description, provider_states=states)


def _key(state: ProviderState) -> str:
    return json.dumps([state.name, state.params], sort_keys=True)


async def _body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        event = await receive()
        if event["type"] != "http.request":
            break
        chunks.append(event.get("body", b""))
        if not event.get("more_body"):
            break
    return b"".join(chunks)


async def _failed(send: Send, error: VerificationProblem) -> None:
    text = f"apact: {error.kind}: {error.message}"
    if error.traceback:
        text += "\n\n" + error.traceback
    await _answer(send, 500, text.encode(), "text/plain; charset=utf-8")


async def _answer(
    send: Send, status: int, body: bytes, content_type: str | None, extra: list[tuple[str, str]] | None = None
) -> None:
    headers = [(b"content-length", str(len(body)).encode())]
    if content_type:
        headers.append((b"content-type", content_type.encode("latin-1")))
    headers += [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in extra or ()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
