"""One pytest test per interaction: what ``apact.pytest_plugin.interaction_tests`` builds.

**Collection** reads the pacts (so every item, and its id, exists before anything
runs) and keeps the interactions for the verifier's provider that the filters let
through: one parameter (a `_Case`) per interaction, id'd
``Consumer :: description [states]``.

**The first item of a test to run verifies**, in one ``verifier.verify()`` call, the
interactions of every item of that test in ``session.items``: the items this session
selected, after ``-k``, ``-m``, ``--lf`` and deselection. So the verifier's
concurrency and its single start of the provider (app lifespan, server command) are
kept; every item then reports its own verdict from the stored result. Under
pytest-xdist every worker collects and selects the same items: the first worker to
run an item of the test verifies them all, under a file lock, and leaves the result
(pickled) in the session's shared temporary directory for the others. So the
provider is verified once, and provider states are never set up by two workers at
the same time.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import pickle
import re
import time
import traceback
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ._stash import VERIFICATIONS

if TYPE_CHECKING:
    from ..pact.model import Interaction, PactFile
    from ..verifier import Auth, InteractionResult, PactResult, PactSource, Source, VerificationResult, Verifier

#: the parameter's name, which the test function takes
ARGUMENT = "apact_interaction"


@dataclass(frozen=True, slots=True, eq=False)
class _Group:
    """One ``interaction_tests(...)``: the verifier and the pacts read for it."""

    verifier: Verifier
    sources: tuple[PactSource, ...]
    backend: str
    allow_empty: bool
    #: what was read, for the message when there is nothing to verify
    described: str


@dataclass(frozen=True, slots=True)
class _Case:
    """One item: an interaction (``source``, ``index``), or the item that says there is
    none (``empty``) or that the pacts cannot be read (``problem``)."""

    group: _Group
    source: int = -1
    index: int = -1
    problem: str | None = None
    empty: bool = False


@dataclass(frozen=True, slots=True)
class _Verified:
    """What the verification of a group's selected items found (picklable: under
    pytest-xdist, one worker verifies and the others read it)."""

    provider: str
    result: VerificationResult | None
    #: (source, index) -> the verdict
    verdicts: dict[tuple[int, int], tuple[PactResult, InteractionResult]]
    #: the verification could not run (a provider that did not start, ...)
    error: str | None = None
    seconds: float = 0.0


def make_tests(
    verifier: Verifier,
    sources: Sequence[Source],
    *,
    auth: Auth,
    consumers: str | Collection[str] | None,
    description: str | re.Pattern[str] | None,
    state: str | re.Pattern[str] | None,
    no_state: bool,
    backend: str,
    allow_empty: bool,
) -> Callable[..., None]:
    import anyio

    from ..errors import PactFileError
    from ..verifier._sources import load_sources

    if not sources:
        raise ValueError("interaction_tests() needs at least one source: a pact file, a directory or a URL")
    described = f"{', '.join(map(str, sources))} for provider {verifier.provider!r}"
    try:
        loaded = anyio.run(functools.partial(load_sources, sources, auth=auth), backend=backend)
    except PactFileError as unreadable:
        group = _Group(verifier, (), backend, allow_empty, described)
        return _test([pytest.param(_Case(group, problem=f"cannot read a pact: {unreadable}"), id="unreadable pact")])
    wanted = _Filter.of(consumers, description, state, no_state)
    chosen = tuple(
        source for source in loaded if source.pact.provider == verifier.provider and wanted.consumer(source.pact)
    )
    group = _Group(verifier, chosen, backend, allow_empty, described)
    cases = [
        (_Case(group, number, index), source.pact, interaction)
        for number, source in enumerate(chosen)
        for index, interaction in enumerate(source.pact.interactions)
        if wanted.interaction(interaction)
    ]
    if not cases:
        return _test([pytest.param(_Case(group, empty=True), id="no interactions")])
    ids = _ids([(pact, interaction) for _, pact, interaction in cases])
    return _test([pytest.param(case, id=name) for (case, _, _), name in zip(cases, ids)])


def _test(params: list[Any]) -> Callable[..., None]:
    def test_interaction(apact_interaction: _Case, request: pytest.FixtureRequest) -> None:
        _report(apact_interaction, request)

    return pytest.mark.parametrize(ARGUMENT, params)(test_interaction)


# -- ids ----------------------------------------------------------------------------------------


def _ids(cases: list[tuple[PactFile, Interaction]]) -> list[str]:
    """``Sous Chef :: a request for a steak [steaks are available]``; where two are the
    same, the states' params are added, then ``#2``, ``#3`` ... (pytest needs unique ids)."""
    ids = []
    for pact, interaction in cases:
        names = " and ".join(state.name for state in interaction.provider_states)
        ids.append(f"{pact.consumer} :: {interaction.description}" + (f" [{names}]" if names else ""))
    for index, (_, interaction) in enumerate(cases):
        if ids.count(ids[index]) > 1 and any(state.params for state in interaction.provider_states):
            params = json.dumps(
                [dict(state.params) for state in interaction.provider_states], sort_keys=True, ensure_ascii=False
            )
            ids[index] = f"{ids[index]} {params}"
    seen: dict[str, int] = {}
    for index, name in enumerate(ids):
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            ids[index] = f"{name} #{seen[name]}"
    return ids


@dataclass(frozen=True, slots=True)
class _Filter:
    consumers: frozenset[str] | None
    description: re.Pattern[str] | None
    state: re.Pattern[str] | None
    no_state: bool

    @classmethod
    def of(
        cls,
        consumers: str | Collection[str] | None,
        description: str | re.Pattern[str] | None,
        state: str | re.Pattern[str] | None,
        no_state: bool,
    ) -> _Filter:
        return cls(
            frozenset([consumers] if isinstance(consumers, str) else consumers) if consumers is not None else None,
            re.compile(description) if isinstance(description, str) else description,
            re.compile(state) if isinstance(state, str) else state,
            no_state,
        )

    def consumer(self, pact: PactFile) -> bool:
        return self.consumers is None or pact.consumer in self.consumers

    def interaction(self, interaction: Interaction) -> bool:
        names = [state.name for state in interaction.provider_states]
        if self.description is not None and not self.description.search(interaction.description):
            return False
        if self.no_state and names:
            return False
        return self.state is None or any(self.state.search(name) for name in names)


# -- running -------------------------------------------------------------------------------------


def _report(case: _Case, request: pytest.FixtureRequest) -> None:
    """Pass, fail, skip or xfail the item as the verification found."""
    group = case.group
    if case.empty:
        message = f"nothing to verify: no interaction in {group.described}"
        if group.allow_empty:
            pytest.skip(message)
        pytest.fail(message + " (interaction_tests(..., allow_empty=True) accepts that)", pytrace=False)
    if case.problem is not None:
        pytest.fail(case.problem, pytrace=False)
    verified = _verified(case, request)
    if verified.error is not None:
        pytest.fail(verified.error, pytrace=False)
    pact, result = verified.verdicts[(case.source, case.index)]
    from ..verifier._report import interaction_text

    if result.status == "failed":
        notices = verified.result.notices if verified.result is not None else ()
        context = "".join(f"\n   notice: {notice}" for notice in notices)  # a provider server that died, ...
        pytest.fail(interaction_text(pact, result) + context, pytrace=False)
    if result.status == "pending":
        pytest.xfail(
            "pending interaction (its failure does not fail the verification):\n" + interaction_text(pact, result)
        )
    if result.status == "skipped":
        pytest.skip(result.reason or "skipped by the verifier")


def _verified(case: _Case, request: pytest.FixtureRequest) -> _Verified:
    """The verification of the items of ``case``'s test selected in this session, run by
    the first of them (in an xdist worker: by the first of them in any worker)."""
    store = request.config.stash.setdefault(VERIFICATIONS, {})
    if case.group not in store:
        selected = [case]
        for item in request.session.items:
            other = getattr(getattr(item, "callspec", None), "params", {}).get(ARGUMENT)
            if isinstance(other, _Case) and other.group is case.group and other.source >= 0 and other != case:
                selected.append(other)
        if hasattr(request.config, "workerinput"):  # a pytest-xdist worker
            base = request.getfixturevalue("tmp_path_factory").getbasetemp().parent  # shared by the workers
            test = request.node.nodeid.split("[", 1)[0]
            shared = base / f"apact-{hashlib.sha1(test.encode()).hexdigest()[:16]}.pickle"
            store[case.group] = _verify_once(case.group, selected, shared)
        else:
            store[case.group] = _verify(case.group, selected)
    verified: _Verified = store[case.group]
    if (case.source, case.index) not in verified.verdicts and verified.error is None:  # not selected at first
        return _verify(case.group, [case])
    return verified


def _verify_once(group: _Group, cases: list[_Case], shared: Path) -> _Verified:
    """Under pytest-xdist: the first worker to get here verifies the selection (every
    worker collected and selected the same items) and leaves the result in ``shared``
    for the others, which wait for it. So the provider is verified once, and provider
    states are never set up by two workers at the same time."""
    from .._core._files import locked, write_atomically

    with locked(shared):
        if shared.exists():
            found: _Verified = pickle.loads(shared.read_bytes())  # noqa: S301 (written by this session)
            return found
        verified = _verify(group, cases)
        write_atomically(shared, pickle.dumps(verified))
        return verified


def _verify(group: _Group, cases: list[_Case]) -> _Verified:
    """Verify the interactions of ``cases``, in the pacts' order, in one run."""
    import anyio

    from ..errors import ApactError

    by_source: dict[int, list[_Case]] = {}
    for case in sorted(cases, key=lambda case: (case.source, case.index)):
        by_source.setdefault(case.source, []).append(case)
    sources = [
        dataclasses.replace(
            group.sources[number],
            pact=group.sources[number].pact.with_interactions(
                tuple(group.sources[number].pact.interactions[case.index] for case in chosen)
            ),
        )
        for number, chosen in by_source.items()
    ]
    provider = group.verifier.provider
    started = time.perf_counter()
    try:
        result = anyio.run(functools.partial(group.verifier.verify, *sources), backend=group.backend)
    except ApactError as error:
        return _Verified(provider, None, {}, f"the verification of {provider!r} could not run: {error}")
    except Exception:
        return _Verified(
            provider, None, {}, f"the verification of {provider!r} raised:\n{traceback.format_exc().rstrip()}"
        )
    verdicts = {
        (case.source, case.index): (pact, verdict)
        for pact, chosen in zip(result.pacts, by_source.values())
        for case, verdict in zip(chosen, pact.interactions)
    }
    return _Verified(provider, result, verdicts, seconds=time.perf_counter() - started)


def summary_lines(store: dict[Any, Any]) -> list[str]:
    """The terminal summary: a line per verification run in this process."""
    lines = []
    for verified in store.values():
        if verified.result is None:
            lines.append(f"{verified.provider!r}: {verified.error}")
            continue
        result = verified.result
        counts = ", ".join(f"{result.count(status)} {status}" for status in ("passed", "failed", "pending", "skipped"))
        number = len(result.interactions)
        lines.append(
            f"{result.provider!r} ({result.target}): {number} interaction{'s' if number != 1 else ''} ({counts}) in {verified.seconds:.2f} s"
        )
        lines += [f"  notice: {notice}" for notice in result.notices]
    return lines
