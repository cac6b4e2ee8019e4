"""What every request handler of the broker needs: the store, the base URL, the options."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

import anyio.to_thread
from starlette.requests import Request

from ._hal import Urls, base_url
from ._store import Store, Transaction

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Broker:
    store: Store
    base_url: str | None
    allow_contract_modification: bool

    async def run(self, work: Callable[[Transaction], T]) -> T:
        """Run ``work`` in one transaction, in a worker thread (the store's calls block)."""
        return await anyio.to_thread.run_sync(partial(self._atomic, work))

    def _atomic(self, work: Callable[[Transaction], T]) -> T:
        with self.store.transaction() as tx:
            return work(tx)


def broker(request: Request) -> Broker:
    found: Broker = request.app.state.broker
    return found


def urls(request: Request) -> Urls:
    return base_url(request, broker(request).base_url)
