"""What every request handler of the broker needs: the store, the base URL, the options."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from anyio.lowlevel import RunVar
from starlette.requests import Request

from ._base_urls import choose_base_url
from ._hal import Urls, base_url
from ._store import Store, Transaction, atomically

T = TypeVar("T")


def _one_at_a_time() -> RunVar[CapacityLimiter]:
    return RunVar("apact broker store")


@dataclass(frozen=True, slots=True)
class Broker:
    store: Store
    base_url: str | None
    allow_contract_modification: bool
    # as many worker threads per event loop as the store has connections: more requests
    # queue on the loop, not as dozens of threads blocked on the store (which slows the
    # loop's own thread)
    _turn: RunVar[CapacityLimiter] = field(default_factory=_one_at_a_time, repr=False, compare=False)
    #: every configured base URL, when there are several: links use the one the request matches
    base_urls: tuple[str, ...] = ()

    async def run(self, work: Callable[[Transaction], T]) -> T:
        """Run ``work`` in one transaction, in a worker thread (the store's calls block);
        again if it collides with a concurrent one (see `atomically`)."""
        try:
            limiter = self._turn.get()
        except LookupError:
            limiter = CapacityLimiter(self.store.capacity)
            self._turn.set(limiter)
        return await anyio.to_thread.run_sync(partial(self._atomic, work), limiter=limiter)

    def _atomic(self, work: Callable[[Transaction], T]) -> T:
        return atomically(self.store, work)


def broker(request: Request) -> Broker:
    found: Broker = request.app.state.broker
    return found


def urls(request: Request) -> Urls:
    found = broker(request)
    return base_url(request, choose_base_url(request, found.base_urls) if found.base_urls else found.base_url)
