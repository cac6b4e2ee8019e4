"""SIGINT and SIGTERM for the long-running commands (``apact verify``, ``stub``, ``broker``).

A cancelled CI job, ``timeout``, ``docker stop`` and ``kill`` send SIGTERM, which kills
a Python process at once by default: no report, no cleanup, and a server it started
left running. The commands treat SIGTERM as Ctrl-C:

* `sigterm_as_sigint` makes SIGTERM raise ``KeyboardInterrupt`` until the event
  loop takes over (while the command starts: imports, arguments);
* `signals_handled` hands both signals to a callback on the event loop, so the
  command decides what an interruption means (stop serving, stop replaying and
  report) instead of an exception landing wherever the code happens to be.

Both only act in the main thread (where Python delivers signals), and leave the
handlers as they found them (commands are also run in-process, by tests).
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager

import anyio

#: the signals that stop a long-running command
STOPPING = (signal.SIGINT, signal.SIGTERM)


def _can_handle() -> bool:
    return sys.platform != "win32" and threading.current_thread() is threading.main_thread()


@contextmanager
def sigterm_as_sigint() -> Iterator[None]:
    """SIGTERM raises ``KeyboardInterrupt``, as SIGINT does, within the block."""
    if not _can_handle():
        yield
        return
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@asynccontextmanager
async def signals_handled(on_signal: Callable[[signal.Signals], None]) -> AsyncIterator[None]:
    """Call ``on_signal`` on the event loop for each SIGINT or SIGTERM received while
    the block runs (neither raises nor kills meanwhile)."""
    if not _can_handle():
        yield
        return
    previous = {signum: signal.getsignal(signum) for signum in STOPPING}
    try:
        with anyio.open_signal_receiver(*STOPPING) as received:

            async def watch() -> None:
                async for signum in received:
                    on_signal(signal.Signals(signum))

            raised: BaseException | None = None  # the block's own error, raised as itself (not in a group)
            async with anyio.create_task_group() as group:
                group.start_soon(watch)
                try:
                    yield
                except BaseException as error:
                    raised = error
                finally:
                    group.cancel_scope.cancel()
            if raised is not None:
                raise raised
    finally:
        for signum, handler in previous.items():  # asyncio resets them to the defaults
            if handler is not None:
                signal.signal(signum, handler)
