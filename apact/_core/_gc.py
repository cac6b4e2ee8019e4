"""Building a large tree of objects without the cyclic garbage collector running through it.

CPython starts a collection every few hundred container objects allocated, whether or
not they could ever be part of a cycle: each walks what was allocated since the last,
every tenth what the last ten kept, and now and then one walks everything. Reading a
pact builds the model one interaction after another, and on a large pact those walks
reach across all that is already built: on CPython 3.12, reading the benchmark's Grill
Chef pact took 65 µs an interaction at 1,000 interactions and 155 µs at 10,000, over
half of it in the collector; paused, 53 µs and 58 µs (``benchmarks/bench_read.py``,
docs/benchmarks.md). Building a model makes no cycles to collect, so nothing is lost by
waiting: what other threads leave meanwhile is collected once the pause ends.

The collector's switch is the process's, not apact's: a pause that finds it off leaves
it off, and one that finds it on turns it back on when it ends (as Mercurial's
``util.nogc`` does, for the same reason). A thread that turns it off meanwhile, on
purpose, sees it turned back on.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

__all__ = ["collector_paused"]


def collector_paused(function: Callable[P, T]) -> Callable[P, T]:
    """``function`` with the cyclic garbage collector paused while it runs (see the
    module docstring): for the functions that build a large tree of objects at once."""

    @functools.wraps(function)
    def paused(*args: P.args, **kwargs: P.kwargs) -> T:
        if not gc.isenabled():
            return function(*args, **kwargs)
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.enable()

    return paused
