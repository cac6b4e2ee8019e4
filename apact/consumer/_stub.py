"""The stub server behind ``apact stub``: the mock provider, fed with pact files.

A consumer team develops against the contract: every HTTP interaction of the pacts is
answered with its response (generators applied: fresh random values, URLs pointing at
the stub); a request that matches none gets the mock provider's readable ``500``,
which names the closest interactions and every mismatch. Unlike the mock provider in
a consumer test, the stub always answers a request with the *first* interaction that
matches (the same answer every time), and it forgets unexpected requests once logged
(it may run for days).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .._core._limits import BodyLimits, WholeBodies
from .._core._printable import printable
from .._core._types import Message, Receive, Scope, Send
from ..pact.model import HttpInteraction, PactFile, Spec
from .mock import MockProvider


@dataclass(frozen=True, slots=True)
class Stub:
    """The stub's ASGI app (``app``) and what it serves."""

    app: StubApp
    #: the HTTP interactions answered, in the pacts' order
    interactions: tuple[HttpInteraction, ...]
    #: the pacts served (after the provider filter)
    pacts: tuple[PactFile, ...]
    #: interactions not served: messages (no HTTP), or left out by the state filter
    left_out: int


def build(
    pacts: Iterable[PactFile],
    *,
    provider: str | None = None,
    state: str | re.Pattern[str] | None = None,
    cors: bool = False,
    log: Callable[[str, bool], None] | None = None,
    limits: BodyLimits | None = None,
) -> Stub:
    """A stub for the HTTP interactions of ``pacts`` (of ``provider`` only, if given).
    ``state`` (a regular expression, searched) keeps the interactions without provider
    states and those with a state it matches: the way to choose which of two
    interactions with the same request (in different states) answers. ``log`` gets a
    line per request (``201 POST /steaks/``), or the report of one that matched no
    interaction, and whether it did not match (or was refused). ``limits`` bounds
    request bodies (``413``, ``408``: see `apact._limits`)."""
    pattern = re.compile(state) if isinstance(state, str) else state
    chosen = tuple(pact for pact in pacts if provider is None or pact.provider == provider)
    interactions: list[HttpInteraction] = []
    left_out = 0
    for pact in chosen:
        for interaction in pact.interactions:
            names = [s.name for s in interaction.provider_states]
            wanted = pattern is None or not names or any(pattern.search(name) for name in names)
            if isinstance(interaction, HttpInteraction) and wanted:
                interactions.append(interaction)
            else:
                left_out += 1
    spec = max((pact.spec for pact in chosen), default=Spec.V4)  # the rules' semantics: the newest wins
    mock = MockProvider(interactions, spec=spec, cors=cors, prefer_unused=False)
    return Stub(StubApp(mock, log, limits), tuple(interactions), chosen, left_out)


class StubApp:
    """The mock provider (an ASGI app), its request bodies bounded, logging each request."""

    def __init__(
        self, mock: MockProvider, log: Callable[[str, bool], None] | None, limits: BodyLimits | None = None
    ) -> None:
        self.mock = mock
        self._log = log
        self._bounded = WholeBodies(mock, limits)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.mock(scope, receive, send)
            return
        status = 0

        async def watched(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self._bounded(scope, receive, watched)
        unexpected, self.mock.unexpected[:] = list(self.mock.unexpected), []
        if self._log is None:
            return
        # (what a client sent is printed as escapes where a terminal would act on it)
        for report in unexpected:
            self._log(printable(f"{status} {report.render()}"), True)
        if not unexpected:
            query = scope.get("query_string", b"").decode("latin-1")
            refused = status in (408, 413)  # the body was too big or too slow: worth a line even with --quiet
            line = f"{status} {scope['method']} {scope['path']}" + (f"?{query}" if query else "")
            self._log(printable(line), refused)


__all__ = ["Stub", "StubApp", "build"]
