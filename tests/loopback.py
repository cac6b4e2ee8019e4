"""Real HTTP servers on loopback for the tests: a thread serving one of `http.server`'s
handlers on 127.0.0.1 (a free port) while in the block; an ASGI app whose answer never
ends, for `apact._core._serve.serve`."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import anyio

from apact._core._types import ASGIApp, Receive, Scope, Send


@contextmanager
def serving(handler: Callable[..., http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """``handler`` serving on 127.0.0.1 while in the block; yields the base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def answering(body: bytes) -> AbstractContextManager[str]:
    """Every GET answered with ``body`` as ``application/json`` (a pact for the stub to
    fetch, a provider's answer for the verifier)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802  (http.server's name)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    return serving(Handler)


class _QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002, ANN401
        pass


def serving_files(directory: Path) -> AbstractContextManager[str]:
    """The files of ``directory``, as a static web server serves them."""
    return serving(functools.partial(_QuietFiles, directory=str(directory)))


def unending(kind: str) -> ASGIApp:
    """A broker over real HTTP whose index never comes whole: a byte every 0.1 s
    ("trickled", each read well within the client's timeout), 64 KiB chunks one after
    another ("endless"), or a Content-Length of 10 GiB ("declared")."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        headers = [(b"content-type", b"application/hal+json")]
        if kind == "declared":
            headers.append((b"content-length", b"%d" % (10 * 1024**3)))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for _ in range(300 if kind == "trickled" else 4096):  # (bounded: the server's end cuts it off anyway)
            await anyio.sleep(0.1 if kind == "trickled" else 0)
            await send(
                {"type": "http.response.body", "body": b" " if kind == "trickled" else b" " * 65536, "more_body": True}
            )

    return app
