"""``SyncPact``: what ``with Pact(...) as pact:`` gives a sync test, for type checkers.

The object is the ``Pact`` itself; this protocol only says what is different in a
``with`` block: ``pact.client`` is an ``httpx.Client`` (for ``pact.url``, where the mock
is served from a thread of its own) instead of an in-process ``httpx.AsyncClient``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import httpx

from .._core._types import JSON
from ..pact.model import Interaction, Spec

if TYPE_CHECKING:
    from ._pact import HttpInteractionBuilder, Problem
    from .messages import AsyncMessageBuilder, SyncMessageBuilder
    from .mock import MockProvider

__all__ = ["SyncPact"]


class SyncPact(Protocol):
    """A :class:`~apact.Pact` inside ``with Pact(...) as pact:`` (a sync test): the
    same object and methods, with ``pact.client`` an ``httpx.Client``. Annotate your
    helpers' ``pact`` parameter with it."""

    consumer: str
    provider: str
    spec: Spec
    file: Path | None
    mock: MockProvider

    @property
    def client(self) -> httpx.Client:
        """An ``httpx.Client`` whose ``base_url`` is ``pact.url`` (closed when the block ends)."""

    @property
    def url(self) -> str:
        """The mock's base URL (``http://127.0.0.1:PORT``), for any client."""

    @property
    def interactions(self) -> tuple[Interaction, ...]: ...

    def problems(self) -> list[Problem]: ...

    def given(self, state: str, params: Mapping[str, JSON] | None = None, /, **more: JSON) -> HttpInteractionBuilder:
        """Start an interaction in a provider state."""

    def upon_receiving(self, description: str) -> HttpInteractionBuilder:
        """Start an interaction (without a provider state)."""

    def expects_to_receive(self, description: str) -> AsyncMessageBuilder: ...

    def sync_message(self, description: str) -> SyncMessageBuilder: ...
