"""Writes to the broker carry JSON, declared as JSON: anything else is a ``415``.

A web page may send another site a POST with ``Content-Type: text/plain`` (or a form's
types, or none) without the browser asking that site first (no CORS preflight), so any
page a developer visits could write to a broker on their machine. Every client of the
broker declares ``application/json`` (or ``application/hal+json``,
``application/merge-patch+json``), which a browser sends cross-site only after a
preflight the broker never answers. So a POST must declare a JSON type, and a PUT or
PATCH that declares a type must declare a JSON one (neither can be sent cross-site
without a preflight, so an undeclared body is left to the handler).
"""

from __future__ import annotations

from .._core._types import ASGIApp, Receive, Scope, Send
from ._hal import HttpError

#: methods that change something; POST is the one a browser sends cross-site unasked
WRITES = frozenset({"POST", "PUT", "PATCH"})


def is_json(content_type: str) -> bool:
    """``application/json``, ``application/hal+json``, ``application/merge-patch+json``
    (parameters such as ``charset`` allowed)."""
    media = content_type.split(";", 1)[0].strip().lower()
    kind, _, subtype = media.partition("/")
    return kind == "application" and (subtype == "json" or subtype.endswith("+json"))


class JsonOnly:
    """ASGI middleware: ``415`` for a write whose body is not declared as JSON."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in WRITES:
            declared = [value.decode("latin-1") for name, value in scope.get("headers", ()) if name == b"content-type"]
            missing = not declared and scope["method"] == "POST"
            if missing or not all(is_json(value) for value in declared):
                shown = f"Content-Type {declared[0]!r}" if declared else "no Content-Type"
                message = (
                    f"Unsupported Media Type: {scope['method']} bodies must be JSON, sent with "
                    f"'Content-Type: application/json' (this request has {shown})"
                )
                response = HttpError(415, [message], {"Connection": "close"}).response()
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
