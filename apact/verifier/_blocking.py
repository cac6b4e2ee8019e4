"""Running the verifier from sync code: ``Verifier.verify_sync``'s event loop.

A sync test (or script) has no event loop; ``verify_sync`` starts one for the run and
closes it after. Called where a loop already runs (an async test), it would have to
block that loop, which state handlers and an in-process app need: it refuses, saying
to ``await verifier.verify(...)`` instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Literal, TypeVar

import anyio

from .._core._loops import running_event_loop

__all__ = ["Backend", "run_blocking"]

T = TypeVar("T")

Backend = Literal["asyncio", "trio"]


def run_blocking(function: Callable[[], Awaitable[T]], backend: Backend, what: str) -> T:
    """Run ``function`` on a new event loop of ``backend`` and return its result;
    ``what`` names the caller in the error raised when a loop already runs here."""
    if backend not in ("asyncio", "trio"):
        raise ValueError(f"backend must be 'asyncio' or 'trio', got {backend!r}")
    running = running_event_loop()
    if running is not None:
        raise RuntimeError(
            f"{what} blocks until the verification ends, and this code runs in an event loop ({running}) "
            "(an async test or function): use `result = await verifier.verify(...)` there"
        )
    return anyio.run(function, backend=backend)
