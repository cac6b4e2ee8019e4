"""Where the replayed requests go: an ASGI app in-process, a base URL, or a server
apact starts itself (see `_process`).

Every target is opened as an async context manager yielding a `Sender`, which
sends an `Outgoing` request and returns what came back as the model's
`HttpResponse`, ready for the matching engine.
"""

from __future__ import annotations

import re
import ssl
import urllib.request
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote, unquote

import anyio
import httpx

from .._core._frozen import builder
from .._core._types import ASGIApp
from .._core._urls import http_url_problem
from ..pact.model import _UNSET, Body, Headers, HttpResponse
from . import _asgi
from ._bounded import ScopeClass, Spare, TimedOutError, bounded, scope_class
from ._result import VerificationProblem, exception_line

#: characters left as they are in a request path (RFC 3986 ``pchar`` and ``/``) ...
_PATH_SAFE = "/!$&'()*+,;=:@~"
#: ... and in a query (``pchar``, ``/`` and ``?``)
_QUERY_SAFE = _PATH_SAFE + "?"
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
#: text ``quote`` leaves alone whatever ``safe`` is (letters, digits, ``_.-~``, ``/``) but
#: for the few characters of `_PLAIN_SAFE`, which must be in ``safe``
_PLAIN = re.compile(r"[A-Za-z0-9_.\-~/?=&,:;@+]*")
_PLAIN_SAFE = "?=&,:;@+"
#: for each ``safe`` given to `encode`, the characters of `_PLAIN_SAFE` it lacks (a path's: ``?``)
_UNSAFE: dict[str, str] = {}


def encode(text: str, safe: str) -> str:
    """``text`` percent-encoded but for ``safe`` and the escapes it already holds (a
    ``%`` starting none is encoded): pact paths and V2 queries come both ways, the Rust
    core records them encoded (``/pacticipants/Pricing%20Service``), apact's mock
    decoded (``/pacticipants/Pricing Service``), and each is sent as the other would."""
    if _PLAIN.fullmatch(text):
        unsafe = _UNSAFE.get(safe)
        if unsafe is None:
            unsafe = "".join(c for c in _PLAIN_SAFE if c not in safe)
            if len(_UNSAFE) < 16:
                _UNSAFE[safe] = unsafe
        for c in unsafe:
            if c in text:
                break
        else:
            return text  # nothing to encode: the usual path
    parts: list[str] = []
    start = 0
    for escape in _ESCAPE.finditer(text):
        parts += (quote(text[start : escape.start()], safe=safe), escape.group())
        start = escape.end()
    parts.append(quote(text[start:], safe=safe))
    return "".join(parts)


#: how much of a request line messages and reports show
LINE_SHOWN = 300


def encode_query(raw: str) -> str:
    """A V1/V2 query string as sent: as written, but for what a query cannot hold."""
    return encode(raw, _QUERY_SAFE)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A request to send: the pact's path as written, the query already encoded."""

    method: str
    path: str
    query: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    #: the path as sent (see `encode`), computed once: sending, the request line
    #: and the ASGI scope all need it
    raw_path: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "raw_path", encode(self.path, _PATH_SAFE))

    @property
    def decoded_path(self) -> str:
        """The path an ASGI app sees in ``scope["path"]``."""
        raw = self.raw_path
        return unquote(raw) if "%" in raw else raw

    @property
    def target(self) -> str:
        """The path and query as sent: ``/steaks/?size=big``."""
        return self.raw_path + ("?" + self.query if self.query else "")

    @property
    def line(self) -> str:
        """``POST /steaks/``, for messages and reports: cut short past
        `LINE_SHOWN` characters (a hostile pact's path may be megabytes)."""
        query = self.query
        line = f"{self.method} {self.raw_path}?{query}" if query else f"{self.method} {self.raw_path}"
        return line if len(line) <= LINE_SHOWN else f"{line[:LINE_SHOWN]}... ({len(line)} characters)"

    def to_httpx(self, base_url: str) -> httpx.Request:
        """The request for a target at ``base_url``, its URL built from parts: the
        scheme, host and port are the base URL's whatever the pact's path holds (it is
        never parsed as a URL, so ``@host``, ``//host`` or ``http://host`` in it cannot
        send the request, and the credentials it carries, anywhere else); the base
        URL's path prefixes the request's."""
        base = httpx.URL(base_url)
        url = base.copy_with(raw_path=_prefix(base) + self.target.encode("ascii"), fragment=None)
        headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in self.headers]
        return httpx.Request(self.method, url, headers=headers, content=self.body)

    @classmethod
    def from_httpx(cls, request: httpx.Request, base_url: str) -> Outgoing:
        """Back from a request a filter may have changed (its Host and Content-Length
        are left to the sender; the base URL's path, which the sender adds, is taken off)."""
        headers = tuple(
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, value in request.headers.raw
            if name.lower() not in (b"host", b"content-length")
        )
        path = request.url.raw_path.split(b"?", 1)[0]  # still encoded: sent as is
        prefix = _prefix(httpx.URL(base_url))
        if prefix and path.startswith(prefix + b"/"):
            path = path[len(prefix) :]
        return cls(request.method, path.decode("ascii"), request.url.query.decode("ascii"), headers, request.read())


_new_outgoing = builder(Outgoing)


def url_problem(url: str) -> str | None:
    """Why requests cannot be sent to ``url`` (see `http_url_problem`), or ``None``; a
    command's ``{port}`` placeholder stands for its port."""
    return http_url_problem(url.replace("{port}", "1"))


def new_outgoing(method: str, path: str, query: str, headers: tuple[tuple[str, str], ...], body: bytes) -> Outgoing:
    """``Outgoing(method, path, query, headers, body)`` at a third of the cost
    (`._core._frozen`): one per interaction."""
    # (the usual path, plain and without ``?``: `encode` would leave it as it is, minus a call)
    raw_path = path if _PLAIN.fullmatch(path) and "?" not in path else encode(path, _PATH_SAFE)
    return _new_outgoing(method, path, query, headers, body, raw_path)


def _prefix(base: httpx.URL) -> bytes:
    """The path of a base URL, without its trailing ``/`` (``b""`` for none)."""
    return base.raw_path.split(b"?", 1)[0].rstrip(b"/")


class SendError(Exception):
    """No usable response: carries the `VerificationProblem` to report."""

    def __init__(self, error: VerificationProblem) -> None:
        super().__init__(error.message)
        self.error = error


@dataclass(frozen=True, slots=True)
class Received:
    response: HttpResponse
    #: a problem besides the response (an in-process app that raised after answering)
    error: VerificationProblem | None = None


_new_received = builder(Received)


class Sender(Protocol):
    #: the URL requests are sent to, as request filters see it
    base_url: str

    async def send(self, request: Outgoing, timeout: float, *, spare: Spare | None = None) -> Received:
        """Send ``request``; ``spare`` (`._bounded.Spare`) for a step in the replaying task."""
        ...


class NoTarget:
    """The target of a verifier given none (it verifies messages only): an HTTP
    interaction fails, saying how to give one."""

    base_url = "http://no-target.invalid"

    async def send(self, request: Outgoing, timeout: float, *, spare: Spare | None = None) -> Received:
        raise SendError(
            VerificationProblem(
                "no target",
                f"cannot send {request.line}: this Verifier has no HTTP target "
                "(give Verifier(..., app=...), base_url= or command= to verify HTTP interactions)",
            )
        )


# -- in-process ---------------------------------------------------------------------------


#: the Host header of an in-process request that gives none
_HOST_HEADER = (b"host", _asgi.HOST.encode())


class AppSender:
    """Calls an ASGI app directly (see `_asgi` for why not through httpx)."""

    base_url = f"http://{_asgi.HOST}"

    def __init__(self, app: ASGIApp, state: dict[str, Any] | None) -> None:
        self._app = app
        self._state = state
        self._scope_of: ScopeClass | None = None  # known in the event loop (first send)

    async def send(self, request: Outgoing, timeout: float, *, spare: Spare | None = None) -> Received:
        # one pass over the headers (the Host and Content-Length given are looked for
        # on the way): a request has few, and this runs once per interaction
        headers: list[tuple[bytes, bytes]] = []
        lengths: list[bytes] = []
        has_host = False
        for name, value in request.headers:
            lowered, encoded = name.lower().encode("latin-1"), value.encode("latin-1")
            if lowered == b"content-length":
                lengths.append(encoded.strip())
            elif lowered == b"host":
                has_host = True
            headers.append((lowered, encoded))
        if not has_host:
            headers.insert(0, _HOST_HEADER)
        # a custom Content-Length (``--header``) is checked as h11 checks it over HTTP,
        # so the verdict is the same in-process and the app never gets two that disagree
        if lengths:
            size = str(len(request.body)).encode()
            if any(length != size for length in lengths):
                said = ", ".join(length.decode("latin-1") for length in lengths)
                message = (
                    f"cannot send {request.line} to the app: its Content-Length header says {said}, "
                    f"the body is {len(request.body)} bytes"
                )
                raise SendError(VerificationProblem("transport", message))
        elif request.body:
            headers.append((b"content-length", str(len(request.body)).encode()))
        raw_path = request.raw_path
        call = _asgi.call_app(
            self._app,
            request.method,
            unquote(raw_path) if "%" in raw_path else raw_path,  # (`Outgoing.decoded_path`, minus a call)
            raw_path.encode("ascii"),
            request.query.encode("ascii"),
            headers,
            request.body,
            self._state,
        )
        try:
            # an app that answers at once pays for no deadline (and, in a spare, makes no
            # coroutine of its own: see `._bounded.Spare.start`)
            answer: _asgi.AsgiResponse
            if spare is None:
                scope_of = self._scope_of
                if scope_of is None:
                    scope_of = self._scope_of = scope_class()
                answer = await bounded(call, timeout, scope_of=scope_of)
            else:
                done, answer = spare.start(call)
                if not done:
                    answer = await spare.finish(call, answer, timeout)
        except TimedOutError:
            raise SendError(
                VerificationProblem("timeout", f"the app did not answer {request.line} within {timeout:g} s")
            ) from None
        # (made as their constructors would, at a fifth of the cost: `._core._frozen`)
        response = _new_response(
            answer.status, _headers(answer.headers), _new_body(answer.body, None, False, _UNSET, None), {}, {}
        )
        error = None
        if answer.error is not None:
            error = VerificationProblem.from_exception(
                "provider", f"the app raised {exception_line(answer.error)}", answer.error
            )
        return _new_received(response, error)


_new_response = builder(HttpResponse)
_new_body = builder(Body)


# -- over HTTP ----------------------------------------------------------------------------------


class HttpSender:
    """Sends real HTTP requests with httpx to ``base_url`` (which may have a path);
    ``fresh`` is the client for a request retried on a new connection (see
    `send_retrying`)."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        explain: Callable[[], Awaitable[str | None]] | None = None,
        *,
        fresh: httpx.AsyncClient | None = None,
    ) -> None:
        self._client = client
        self._fresh = fresh or client
        self.base_url = base_url.rstrip("/")
        self._explain = explain

    async def send(self, request: Outgoing, timeout: float, *, spare: Spare | None = None) -> Received:
        try:
            request.to_httpx(self.base_url)
        except (httpx.InvalidURL, UnicodeError) as error:
            message = f"cannot send {request.line} to {self.base_url}: {exception_line(error)}"
            raise SendError(VerificationProblem("transport", message)) from None
        try:
            with anyio.fail_after(timeout):
                response, content = await send_retrying(
                    self._client, self._fresh, lambda: request.to_httpx(self.base_url)
                )
        except (TimeoutError, httpx.TimeoutException):
            message = await self._add_context(f"no response to {request.line} within {timeout:g} s")
            raise SendError(VerificationProblem("timeout", message)) from None
        except httpx.HTTPError as error:
            message = await self._add_context(f"cannot send {request.line} to {self.base_url}: {exception_line(error)}")
            raise SendError(VerificationProblem("transport", message)) from None
        except Exception as error:
            # not all of the HTTP stack's errors are httpx's: h11 raises LocalProtocolError
            # for a body longer or shorter than a user's Content-Length header. The reason
            # is the message; a traceback of the HTTP stack's frames would tell the user nothing
            message = await self._add_context(f"cannot send {request.line} to {self.base_url}: {exception_line(error)}")
            raise SendError(VerificationProblem("transport", message)) from None
        headers: Headers = {}
        for name, value in response.headers.multi_items():
            headers.setdefault(name, []).append(value)
        return Received(HttpResponse(response.status_code, headers, Body(content)))

    async def _add_context(self, message: str) -> str:
        extra = await self._explain() if self._explain is not None else None
        return f"{message} ({extra})" if extra else message


def http_client(
    timeout: float,
    concurrency: int,
    *,
    trust_env: bool = True,
    keep_alive: bool = True,
    tls: ssl.SSLContext | None = None,
) -> httpx.AsyncClient:
    """The client for an HTTP target: no redirects followed (a 3xx is a response to
    match), a connection per concurrent request (``keep_alive=False``: a new one for
    every request, the client for retries). ``tls`` is the TLS context to use (see
    `tls_for`); by default httpx's, which loads the CA certificates."""
    connections = max(concurrency, 1) + 2
    return httpx.AsyncClient(
        timeout=timeout,
        follow_redirects=False,
        trust_env=trust_env,
        verify=tls if tls is not None else True,
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections if keep_alive else 0),
    )


def tls_for(base_url: str, *, trust_env: bool) -> ssl.SSLContext | None:
    """The TLS context for the clients of a target at ``base_url``: for ``http://``, one
    that loads no CA certificates (loading them costs about 20 ms per client, 100 ms the
    first time, for a target that never speaks TLS; a TLS connection through it would fail
    verification, never pass unchecked), unless the environment names proxies (one may
    be reached over TLS); ``None`` (httpx's default, verifying) for anything else."""
    if not base_url.lower().startswith("http://"):
        return None
    if trust_env and urllib.request.getproxies():
        return None
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


async def send_retrying(
    client: httpx.AsyncClient, fresh: httpx.AsyncClient, build: Callable[[], httpx.Request]
) -> tuple[httpx.Response, bytes]:
    """Send the request ``build()`` makes; if it went on a kept-alive connection that
    turned out to be closed before any of the answer came back (a server closes its
    connection after an error, and the close may cross the next request), send it once
    more with ``fresh`` (a client that opens a new connection for every request).
    Nothing else is retried: not a new connection's failure, not an answer cut short."""
    trace = _Trace()
    request = build()
    request.extensions["trace"] = trace
    try:
        response = await client.send(request)
        return response, await response.aread()
    except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError) as error:
        if not trace.stale(error):
            raise
    response = await fresh.send(build())
    return response, await response.aread()


class _Trace:
    """What httpcore did for one request (its ``trace`` extension): whether it opened
    a connection for it, and whether the head of the answer came."""

    __slots__ = ("connected", "answered")

    def __init__(self) -> None:
        self.connected = False
        self.answered = False

    async def __call__(self, name: str, info: dict[str, Any]) -> None:
        if name.startswith("connection."):
            self.connected = True
        elif name == "http11.receive_response_headers.complete":
            self.answered = True

    def stale(self, error: httpx.HTTPError) -> bool:
        """The request failed on a kept-alive connection the server had closed (reset,
        or closed without a byte of answer)."""
        if self.connected or self.answered:
            return False
        if isinstance(error, httpx.RemoteProtocolError):
            return "without sending a response" in str(error)
        return True


# -- helpers ---------------------------------------------------------------------------------


def _headers(raw: Sequence[tuple[bytes, bytes]]) -> Headers:
    headers: Headers = {}
    for name, value in raw:
        headers.setdefault(name.decode("latin-1"), []).append(value.decode("latin-1"))
    return headers
