"""Running the verifier from sync code: ``Verifier.verify_sync``'s event loop.

A sync test (or script) has no event loop; ``verify_sync`` starts one for the run and
closes it after. Called where a loop already runs (an async test), it would have to
block that loop, which state handlers and an in-process app need: it refuses, saying
to ``await verifier.verify(...)`` instead.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Literal, TypeVar

import anyio

__all__ = ["Backend", "run_blocking"]

T = TypeVar("T")

Backend = Literal["asyncio", "trio"]


def run_blocking(function: Callable[[], Awaitable[T]], backend: Backend, what: str) -> T:
    """Run ``function`` on a new event loop of ``backend`` and return its result;
    ``what`` names the caller in the error raised when a loop already runs here."""
    if backend not in ("asyncio", "trio"):
        raise ValueError(f"backend must be 'asyncio' or 'trio', got {backend!r}")
    running = _running_event_loop()
    if running is not None:
        raise RuntimeError(
            f"{what} blocks until the verification ends, and this code runs on a {running} event loop "
            "(an async test or function): use `result = await verifier.verify(...)` there"
        )
    return anyio.run(function, backend=backend)


def _running_event_loop() -> str | None:
    """The event loop running in this thread, if any: ``"asyncio"``, ``"trio"``."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        return "asyncio"
    trio = sys.modules.get("trio")  # imported by whoever runs trio; not imported here otherwise
    if trio is not None:
        try:
            trio.lowlevel.current_trio_token()
        except RuntimeError:
            pass
        else:
            return "trio"
    return None
