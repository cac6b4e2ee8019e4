"""WSGI providers in-process: telling ASGI from WSGI, and calling a WSGI app.

``Verifier(app=...)`` takes either kind of app. Which kind it is, is read from the
callable when the verifier is made, so that a wrong app fails there with a message
saying what to pass, never as a ``TypeError`` on every request: an ``async`` callable
taking ``(scope, receive, send)`` is ASGI, a sync one taking ``(environ,
start_response)`` is WSGI (a Flask app, Django's ``WSGIHandler``, a bare PEP 3333
function or class), one taking no argument is an app factory (called by nobody: as with
uvicorn, calling it is the caller's decision). ``interface=`` says which when the
callable cannot tell.

A WSGI app is wrapped as an ASGI app so that everything else (the state handlers, the
concurrency rules, the reports, a state-change URL on the app itself) is the same. The
request becomes a WSGI environ by a2wsgi's ``build_environ`` (the translation a2wsgi's
users run Flask and Django under ASGI servers with); the app runs, and its response is
read, in a thread of its own, so the event loop never blocks and several requests are
served at once. a2wsgi's own middleware is not used: it runs on asyncio only, and
apact runs on trio too.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import io
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, TypeAlias, cast

import anyio.to_thread

from .._core._types import ASGIApp, Receive, Scope, Send

#: ``start_response(status, headers, exc_info=None)``, which returns ``write(data)``
StartResponse: TypeAlias = Callable[..., Callable[[bytes], object]]
#: a PEP 3333 application
WSGIApp: TypeAlias = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
#: what ``app=`` is: ``auto`` reads it from the callable
Interface = Literal["auto", "asgi", "wsgi"]

_ExcInfo: TypeAlias = "tuple[type[BaseException], BaseException, TracebackType | None]"


@dataclass(frozen=True, slots=True)
class Unusable:
    """Why an ``app=`` cannot be called as either kind of app."""

    what: str  # completes "app=NAME is ..."
    factory: bool = False  # it looks like an app factory: the fix is to call it
    ambiguous: bool = False  # it may be either: the fix is interface=


def sniff(app: object, interface: Interface = "auto") -> Literal["asgi", "wsgi"] | Unusable:
    """The kind of app ``app`` is, or why it is none."""
    if not callable(app):
        return Unusable("not callable, so not an app")
    if interface != "auto":
        return interface
    if inspect.isclass(app):
        # PEP 3333 allows a class: called with (environ, start_response), the instance is the response
        return _by_arity(app, coroutine=False, klass=True)
    coroutine = inspect.iscoroutinefunction(app) or inspect.iscoroutinefunction(type(app).__call__)
    return _by_arity(app, coroutine=coroutine, klass=False)


def _by_arity(app: Callable[..., object], *, coroutine: bool, klass: bool) -> Literal["asgi", "wsgi"] | Unusable:
    try:
        signature = inspect.signature(app)
    except (TypeError, ValueError):
        return Unusable("a callable whose parameters cannot be read", ambiguous=True)
    positional = [p for p in signature.parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = sum(p.default is p.empty for p in positional)
    most = sys.maxsize if any(p.kind is p.VAR_POSITIONAL for p in signature.parameters.values()) else len(positional)
    takes = required <= 2 <= most, required <= 3 <= most  # (environ, start_response), (scope, receive, send)
    kind = "an async callable" if coroutine else "a class" if klass else "a callable"
    if coroutine:
        if takes[1]:
            return "asgi"
        if required == 0:
            return Unusable("an async function taking no arguments: an app factory, not an app", factory=True)
        return Unusable(f"{kind} taking {_count(required)}, where an ASGI app takes (scope, receive, send)")
    if takes[0] and takes[1] and klass:  # (*args, **kwargs), as Django's WSGIHandler: an instance was meant
        return Unusable("a class taking any arguments: what makes an app, not an app", factory=True)
    if takes[0] and takes[1]:
        return Unusable(f"{kind} that takes 2 or 3 arguments, so either an ASGI or a WSGI app", ambiguous=True)
    if takes[0]:
        return "wsgi"
    if takes[1] and not klass:
        return "asgi"  # a sync callable returning the awaitable, as some ASGI middleware does
    if required == 0:
        what = "a class whose constructor takes" if klass else "a function taking"
        return Unusable(f"{what} no arguments: an app factory, not an app", factory=True)
    if required == 1 and not klass:
        return Unusable(f"{kind} taking one argument: an ASGI 2 app (app(scope)), which apact does not run")
    return Unusable(
        f"{kind} taking {_count(required)}, where an ASGI app takes (scope, receive, send) "
        "and a WSGI app (environ, start_response)"
    )


def _count(n: int) -> str:
    return "1 argument" if n == 1 else f"{n} arguments"


def _said(app: object, kind: Unusable) -> str:
    """What `Verifier` says when ``app=`` cannot be used."""
    name = app_name(app) if callable(app) else repr(app)[:60]
    if kind.factory:
        fix = f"pass the app it makes: app={'await ' if inspect.iscoroutinefunction(app) else ''}{name}()"
    elif kind.ambiguous:
        fix = "say which with interface='asgi' or interface='wsgi'"
    else:
        fix = "pass an ASGI app (async def app(scope, receive, send)) or a WSGI app (def app(environ, start_response))"
    return f"app={name} is {kind.what}: {fix}"


def app_name(app: object) -> str:
    """How reports and errors name an app: its function's or class's name."""
    return str(getattr(app, "__name__", None) or type(app).__name__)


def asgi_app(app: object, interface: Interface) -> tuple[ASGIApp, Literal["asgi", "wsgi"]]:
    """``app`` as the ASGI app apact calls, and what it was (``ValueError`` if neither)."""
    kind = sniff(app, interface)  # (once: reading an app's parameters costs about 100 us)
    if isinstance(kind, Unusable):
        raise ValueError(_said(app, kind))
    if kind == "wsgi":
        return WsgiApp(cast(WSGIApp, app)), "wsgi"
    return cast(ASGIApp, app), "asgi"


# -- calling a WSGI app ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WsgiApp:
    """A WSGI app as an ASGI app (HTTP only; it has no lifespan)."""

    app: WSGIApp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return  # a lifespan scope answered by returning: no lifespan, as ASGI servers read it
        body = bytearray()
        while True:
            message = await receive()
            body += message.get("body", b"")
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        # imported here: a2wsgi brings asyncio's whole stack, a tenth of a second that
        # `apact verify` with no WSGI app would pay before its first request
        from a2wsgi.wsgi import build_environ

        environ: dict[str, Any] = dict(build_environ(cast(Any, scope), cast(Any, io.BytesIO(bytes(body)))))
        environ["wsgi.errors"] = sys.stderr  # (a2wsgi gives stdout)
        del environ["asgi.scope"]  # (the ASGI scope apact made up: nothing for the app)
        response = _Response()
        await _in_daemon_thread(functools.partial(response.run, self.app, environ))
        if response.status is not None:
            await send({"type": "http.response.start", "status": response.status, "headers": response.headers})
            await send({"type": "http.response.body", "body": b"".join(response.chunks)})
        if response.error is not None:
            raise response.error


async def _in_daemon_thread(function: Callable[[], None]) -> None:
    """Run ``function`` in a thread of its own, without blocking the event loop.

    A daemon thread, awaited through an AnyIO worker waiting for it: a request that
    times out (or any cancellation) frees the worker at once and leaves the app's thread
    to finish alone, and a thread stuck in the app for good does not keep the process
    from exiting (an AnyIO worker would: ``apact verify`` would hang after its report).
    """
    done = threading.Event()
    context = contextvars.copy_context()  # the caller's context variables, as anyio.to_thread gives

    def run() -> None:
        try:
            context.run(function)
        finally:
            done.set()

    threading.Thread(target=run, name="apact WSGI request", daemon=True).start()
    try:
        await anyio.to_thread.run_sync(done.wait, abandon_on_cancel=True)
    finally:
        done.set()  # cancelled: the worker waiting for the app's thread goes back to its pool


@dataclass(slots=True)
class _Response:
    """What one call of a WSGI app answered (filled in its worker thread)."""

    status: int | None = None
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    chunks: list[bytes] = field(default_factory=list)
    error: Exception | None = None

    def run(self, app: WSGIApp, environ: dict[str, Any]) -> None:
        try:
            result = app(environ, self.start_response)
            try:
                for chunk in result:
                    self.write(chunk)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
            if self.status is None:
                raise RuntimeError("the WSGI app returned without calling start_response")
        except Exception as raised:  # the app's own failure: reported with what it answered
            self.error = raised

    def start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: _ExcInfo | None = None
    ) -> Callable[[bytes], object]:
        if exc_info is not None and self.chunks:  # too late to change the response (PEP 3333)
            raise exc_info[1].with_traceback(exc_info[2])
        if self.status is not None and exc_info is None:
            raise RuntimeError("start_response called twice without exc_info")
        code = status.split(" ", 1)[0]
        if len(code) != 3 or not code.isdigit():
            raise ValueError(f"start_response got status {status!r}, not '<3 digits> <reason>'")
        self.status = int(code)
        self.headers = [
            (name.strip().lower().encode("latin-1"), value.strip().encode("latin-1")) for name, value in headers
        ]
        return self.write

    def write(self, data: bytes) -> None:
        if self.status is None:
            raise RuntimeError("the WSGI app wrote a body before calling start_response")
        if data:
            self.chunks.append(bytes(data))
