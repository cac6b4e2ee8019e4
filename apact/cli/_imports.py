"""The command line's import of httpx, without two imports it makes that apact never uses.

httpx imports, when they are installed, its own command line (``httpx._main``, with
click, rich and pygments) and, through httpcore (imported when the first client is
made), trio (its locks, for a client running under trio). apact's command line runs on asyncio and uses
neither; where they are installed (rich, click and trio are common in a test
environment) they cost about 0.15 s of each command's start, as much as the rest of
its imports. Both are optional to httpx (each import is guarded by
``except ImportError``), so for the one import of httpx and httpcore they are held back the
documented way (``None`` in ``sys.modules`` makes ``import`` raise ``ImportError``) and
let go at once: an app the command loads afterwards imports trio as usual. Only the
command line does this: the library leaves its users' imports alone.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

#: what httpx imports when installed and apact's command line does not use
UNUSED_BY_HTTPX = ("httpx._main", "trio")


def import_httpx() -> None:
    """Import httpx and httpcore (those not yet imported) without `UNUSED_BY_HTTPX`."""
    import_without(("httpx", "httpcore"), UNUSED_BY_HTTPX)


def import_without(modules: Sequence[str], unused: Sequence[str]) -> None:
    """Import ``modules`` with the modules ``unused`` held back (those not yet imported);
    a module that cannot do without them (its import of one is not optional) is
    imported as it is."""
    wanted = [name for name in modules if name not in sys.modules]
    if not wanted:
        return
    held = [name for name in unused if name not in sys.modules]
    for name in held:
        sys.modules[name] = None  # type: ignore[assignment]  # (documented: import raises ImportError)
    try:
        for name in wanted:
            importlib.import_module(name)
    except ImportError:
        _let_go(held)
        for name in wanted:
            importlib.import_module(name)  # as it is (raises if it is not installed at all)
    finally:
        _let_go(held)


def _let_go(held: Sequence[str]) -> None:
    for name in held:
        if name in sys.modules and sys.modules[name] is None:
            del sys.modules[name]
