"""Serving the mock provider over HTTP from a thread of its own, on its own event loop.

A blocking client (``requests``, ``urllib``, ``httpx.Client``) waits for its answer
without letting any event loop run. Served on the test's loop, the mock could never
answer a blocking call made on that loop, and the test hung; served from its own
thread it answers whoever calls, from wherever: a sync test, a worker thread, another
process, or a blocking call inside ``async with``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from anyio.from_thread import start_blocking_portal

from .._core._serve import serve
from .._core._types import ASGIApp

__all__ = ["serve_in_thread"]


@contextmanager
def serve_in_thread(app: ASGIApp) -> Iterator[str]:
    """Serve ``app`` on loopback and a free port from a new thread running an asyncio
    loop; yields the base URL, and stops the server and the thread on leaving. Blocks
    while starting and stopping: from async code, call it in a worker thread."""
    with start_blocking_portal("asyncio") as portal, portal.wrap_async_context_manager(serve(app)) as url:
        yield url
