"""Request bodies on a budget: the broker, the stub and the mock served over HTTP.

A server that reads whatever a client sends, as slowly as the client likes, can be
made to hold gigabytes or every file descriptor by anyone who can connect.
`WholeBodies` reads a request's whole body *before* the app sees it (so a
handler that ignores the body cannot leave it half-read on a kept-alive connection)
and bounds that read twice:

- size: a declared ``Content-Length`` above ``max_size`` is a ``413`` before a body
  byte is read; a body without one (chunked) is counted as it arrives and is a ``413``
  as soon as it passes the limit. A request never holds more than the limit in
  memory (twice, for the moment the chunks are joined).
- time: the whole body must arrive within ``timeout`` seconds of the request's
  headers, else ``408``. hypercorn already closes connections whose *headers* are slow
  (its keep-alive timeout); a body trickling a byte at a time kept a connection, and
  a file descriptor, forever.

Both answers close the connection (the rest of the body is never read). The middleware
is placed after authentication in the broker, so a client without credentials is
answered ``401`` before any of its body is read.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import anyio

from ._types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "DEFAULT_BODY_TIMEOUT",
    "DEFAULT_MAX_BODY_SIZE",
    "BodyLimits",
    "WholeBodies",
    "declares_body",
    "format_size",
    "parse_size",
    "seconds_argument",
    "size_argument",
]

#: large enough for the largest real pacts (a few MiB), small enough for any machine
DEFAULT_MAX_BODY_SIZE = 10 * 1024 * 1024
#: 10 MiB in 30 s is 350 KB/s: a slow network, yet a trickling body is let go soon
DEFAULT_BODY_TIMEOUT = 30.0

_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1000, "kib": 1024, "m": 1024**2, "mb": 1000**2, "mib": 1024**2}
_UNITS |= {"g": 1024**3, "gb": 1000**3, "gib": 1024**3}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*", re.IGNORECASE)


def parse_size(text: str) -> int:
    """Bytes in ``"10MiB"``, ``"512k"``, ``"2 MB"`` or ``"1048576"`` (k, M, G are
    binary, kB, MB, GB decimal); ``ValueError`` says what is accepted."""
    found = _SIZE.fullmatch(text)
    unit = _UNITS.get(found.group(2).lower()) if found else None
    if found is None or unit is None:
        raise ValueError(f"not a size: {text!r} (a number of bytes, or with a unit: 512k, 10MiB, 1G)")
    size = int(float(found.group(1)) * unit)
    if size < 1:
        raise ValueError(f"a size must be at least 1 byte, got {text!r}")
    return size


def format_size(size: int) -> str:
    """``10485760`` -> ``"10 MiB"``: the limit as the messages show it."""
    for unit, name in ((1024**3, "GiB"), (1024**2, "MiB"), (1024, "KiB")):
        if size >= unit:
            value = size / unit
            return f"{value:g} {name}" if value.is_integer() else f"{value:.1f} {name} ({size} bytes)"
    return f"{size} byte" + ("" if size == 1 else "s")


def size_argument(text: str) -> int:
    """``--max-body-size`` of ``apact broker`` and ``apact stub``: bytes, or with a unit."""
    try:
        return parse_size(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def seconds_argument(text: str, *, allow_zero: bool = False) -> float:
    """A number of seconds from the command line, finite: positive (``--body-timeout`` of
    ``apact broker`` and ``apact stub``), or also 0 with ``allow_zero`` (the broker
    client's ``--retry-interval``: retry at once)."""
    try:
        value = float(text)
    except ValueError:
        if allow_zero:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
        value = 0.0
    if allow_zero and not 0 <= value < float("inf"):  # NaN fails every comparison
        raise argparse.ArgumentTypeError(f"{text} is not a number of seconds")
    if not allow_zero and not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"not a positive number of seconds: {text!r}")
    return value


def declares_body(scope: Scope) -> bool:
    """Whether the request says a body follows (a non-zero length, or chunked)."""
    for name, value in scope.get("headers", ()):
        if name == b"transfer-encoding" or (name == b"content-length" and value.strip() not in (b"0", b"")):
            return True
    return False


def _json_error(message: str) -> tuple[bytes, bytes]:
    return b"application/json", json.dumps({"error": message}).encode()


@dataclass(frozen=True, slots=True)
class BodyLimits:
    """How big and how slow a request body may be, and what the user sets to change
    them (named in the error messages: ``--max-body-size``, ``max_body_size=``)."""

    max_size: int = DEFAULT_MAX_BODY_SIZE
    timeout: float = DEFAULT_BODY_TIMEOUT
    size_option: str = "--max-body-size"
    timeout_option: str = "--body-timeout"

    def __post_init__(self) -> None:
        if self.max_size < 1:
            raise ValueError(f"the maximum body size must be at least 1 byte, got {self.max_size}")
        if not self.timeout > 0:
            raise ValueError(f"the body timeout must be more than 0 seconds, got {self.timeout}")

    def too_large(self) -> str:
        return (
            f"the request body is larger than this server accepts ({format_size(self.max_size)}); "
            f"the limit is set with {self.size_option}"
        )

    def too_slow(self) -> str:
        return (
            f"the request body did not arrive within {self.timeout:g} seconds; "
            f"the time allowed is set with {self.timeout_option}"
        )


class WholeBodies:
    """ASGI middleware: read each HTTP request's body, within `BodyLimits`, then
    hand it to ``app`` in one message. ``render`` turns an error message into the
    content type and body of the ``413``/``408`` (the broker's errors are HAL)."""

    def __init__(
        self,
        app: ASGIApp,
        limits: BodyLimits | None = None,
        render: Callable[[str], tuple[bytes, bytes]] = _json_error,
    ) -> None:
        self.app = app
        self.limits = limits or BodyLimits()
        self.render = render

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.max_size
        if _declared_length(scope) > limit:
            await self._reject(send, 413, self.limits.too_large())
            return
        chunks: list[bytes] = []
        size = 0
        with anyio.move_on_after(self.limits.timeout) as deadline:
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    return  # the client went away: no one to answer
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > limit:
                    await self._reject(send, 413, self.limits.too_large())
                    return
                if chunk:
                    chunks.append(chunk)
                if not message.get("more_body", False):
                    break
        if deadline.cancelled_caught:
            await self._reject(send, 408, self.limits.too_slow())
            return
        whole: list[Message] = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]
        del chunks

        async def replay() -> Message:
            return whole.pop() if whole else await receive()

        await self.app(scope, replay, send)

    async def _reject(self, send: Send, status: int, message: str) -> None:
        content_type, body = self.render(message)
        headers = [
            (b"content-type", content_type),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),  # the rest of the body is never read
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0  # the server rejects a malformed length before the app runs
    return 0
