"""The public API's plumbing: old names that keep working, with a
`DeprecationWarning`, after a rename (`renamed`), and public names that
report the public module users import them from (`publish`).

A module that renamed a public name sets ``__getattr__ = renamed(__name__, {old: new})``:
``module.old`` (and ``from module import old``) then warns and answers with
``module.new``. The old names stay out of ``__all__`` and out of type checkers' view,
so new code is steered to the new names while code written before the rename runs.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Iterable, Mapping
from types import FunctionType
from typing import Any


def renamed(module: str, names: Mapping[str, str], *, stacklevel: int = 2) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``names`` (old name -> new name in ``module``); a
    new name may be dotted (``"apact.pact.model.MessageContents"``) when it lives
    elsewhere, and one in a private module is an internal helper that users should
    stop importing. ``stacklevel`` 3 when another ``__getattr__`` calls it, so that
    the warning points at the user's line."""

    def __getattr__(name: str) -> Any:
        new = names.get(name)
        if new is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        home, _, attribute = new.rpartition(".")
        where = home or module
        if _is_private(where):  # an internal helper that was public by mistake
            advice = "it is internal to apact and will be removed from the public API"
        else:
            advice = f"use {new if home else f'{module}.{new}'}; the old name will be removed"
        warnings.warn(f"{module}.{name} is deprecated: {advice}", DeprecationWarning, stacklevel=stacklevel)
        if where not in sys.modules:
            __import__(where)
        return getattr(sys.modules[where], attribute)

    return __getattr__


def publish(module: str, namespace: Mapping[str, object], names: Iterable[str]) -> None:
    """Make each class and function of ``names`` that a private module defines report
    ``module`` (the public module that exports it) as its ``__module__``: that is where
    users import it from, where the API reference shows it, and what a traceback, a
    ``repr`` or pickle should name (the private module may be reorganised)."""
    for name in names:
        value = namespace[name]
        if (isinstance(value, type) or isinstance(value, FunctionType)) and _is_private(value.__module__):
            value.__module__ = module


def _is_private(module: str) -> bool:
    return any(part.startswith("_") for part in module.split("."))
