"""Which event loop, if any, runs in this thread: the sync entry points (``with Pact``,
``Verifier.verify_sync``) refuse to block one, and say which."""

from __future__ import annotations

import asyncio
import sys

__all__ = ["running_event_loop"]


def running_event_loop() -> str | None:
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
