"""Serve an ASGI app over real HTTP on 127.0.0.1 for a test (hypercorn, a free port)."""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from hypercorn.config import Config

from apact._types import ASGIApp
from apact.broker.server import _on_trio


@asynccontextmanager
async def serving(app: ASGIApp) -> AsyncIterator[str]:
    """The app's URL while it is served; the server stops when the block ends."""
    if _on_trio():
        from hypercorn.trio import serve
    else:
        from hypercorn.asyncio import serve  # type: ignore[assignment]
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.setblocking(False)
    config = Config()
    config.bind = [f"fd://{os.dup(sock.fileno())}"]
    config.accesslog = None
    config.graceful_timeout = 0.5
    stop = anyio.Event()
    try:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(lambda: serve(app, config, shutdown_trigger=stop.wait))  # type: ignore[arg-type]
            try:
                yield f"http://127.0.0.1:{sock.getsockname()[1]}"
            finally:
                stop.set()  # a graceful stop, even when the block fails
    finally:
        sock.close()
