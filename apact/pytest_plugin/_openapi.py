"""One pytest test per interaction, checked against an OpenAPI document: what
``apact.pytest_plugin.openapi_tests`` builds.

Collection reads the pacts (so every item and its id, ``Consumer :: description
[states]`` as for ``interaction_tests``, exist before anything runs); the first item to
run loads the document (once per test: a file, a URL, a FastAPI app's ``openapi()`` or
any ASGI app's ``/openapi.json``), and each item checks its own interaction, which
takes well under a millisecond, so nothing is shared between xdist workers but the
pacts on disk.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ..openapi import OpenAPIDocument
    from ..pact.model import PactFile

#: the parameter's name, which the test function takes
ARGUMENT = "apact_openapi_interaction"


@dataclass(frozen=True, slots=True, eq=False)
class _Group:
    """One ``openapi_tests(...)``: where the document comes from, loaded once."""

    spec: str | os.PathLike[str] | Mapping[str, Any] | OpenAPIDocument | None
    app: object
    allow_empty: bool
    #: what was read, for the message when there is nothing to check
    described: str
    #: "document" -> the document, or "problem" -> why it could not be loaded
    loaded: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Case:
    """One item: an interaction of a pact, or the item saying there is none
    (``empty``) or that the pacts cannot be read (``problem``)."""

    group: _Group
    pact: PactFile | None = None
    origin: str = ""
    index: int = -1
    problem: str | None = None
    empty: bool = False


def make_tests(
    sources: Sequence[str | os.PathLike[str] | PactFile],
    *,
    spec: str | os.PathLike[str] | Mapping[str, Any] | OpenAPIDocument | None,
    app: object,
    provider: str | None,
    consumers: str | Collection[str] | None,
    allow_empty: bool,
) -> Callable[..., None]:
    from ..errors import PactFileError
    from ..openapi._check import read_pacts
    from ._interactions import _ids

    if not sources:
        raise ValueError("openapi_tests() needs at least one source: a pact file, a directory or a URL")
    if (spec is None) == (app is None):
        raise ValueError("openapi_tests() needs the OpenAPI document: spec= (a file, a URL, a dict) or app=, not both")
    described = ", ".join(map(str, sources)) + (f" for provider {provider!r}" if provider else "")
    group = _Group(spec, app, allow_empty, described)
    try:
        loaded = read_pacts(list(sources))
    except PactFileError as unreadable:
        return _test([pytest.param(_Case(group, problem=f"cannot read a pact: {unreadable}"), id="unreadable pact")])
    wanted = {consumers} if isinstance(consumers, str) else set(consumers) if consumers is not None else None
    chosen = [
        (pact, origin)
        for pact, origin in loaded
        if (provider is None or pact.provider == provider) and (wanted is None or pact.consumer in wanted)
    ]
    cases = [
        (_Case(group, pact, origin, index), pact, interaction)
        for pact, origin in chosen
        for index, interaction in enumerate(pact.interactions)
    ]
    if not cases:
        return _test([pytest.param(_Case(group, empty=True), id="no interactions")])
    ids = _ids([(pact, interaction) for _, pact, interaction in cases])
    return _test([pytest.param(case, id=name) for (case, _, _), name in zip(cases, ids)])


def _test(params: list[Any]) -> Callable[..., None]:
    def test_interaction(apact_openapi_interaction: _Case) -> None:
        _report(apact_openapi_interaction)

    return pytest.mark.parametrize(ARGUMENT, params)(test_interaction)


def _report(case: _Case) -> None:
    """Pass, fail, skip or xfail the item as the check finds."""
    group = case.group
    if case.empty:
        message = f"nothing to check: no interaction in {group.described}"
        if group.allow_empty:
            pytest.skip(message)
        pytest.fail(message + " (openapi_tests(..., allow_empty=True) accepts that)", pytrace=False)
    if case.problem is not None:
        pytest.fail(case.problem, pytrace=False)
    assert case.pact is not None
    document = _document(group)
    from ..openapi._check import check_interaction
    from ..verifier._report import interaction_text
    from ..verifier._result import PactResult

    pact = case.pact
    result, notes = check_interaction(document, pact.interactions[case.index], case.index)
    summary = PactResult(pact.consumer, pact.provider, case.origin, (result,), pact=pact)
    context = "".join(f"\n   not checked: {note}" for note in notes)
    if result.status == "failed":
        pytest.fail(interaction_text(summary, result) + context, pytrace=False)
    if result.status == "pending":
        pytest.xfail("pending interaction (its failure does not fail the check):\n" + interaction_text(summary, result))
    if result.status == "skipped":
        pytest.skip(result.reason or "not checked")


def _document(group: _Group) -> OpenAPIDocument:
    """The group's document, loaded by its first item; an item fails (without a
    traceback) when it cannot be loaded."""
    from ..openapi import OpenAPIDocument, OpenAPIError, fetch, load

    if not group.loaded:
        try:
            if isinstance(group.spec, OpenAPIDocument):
                group.loaded["document"] = group.spec
            elif group.spec is not None:
                group.loaded["document"] = load(group.spec)
            elif callable(getattr(group.app, "openapi", None)):
                group.loaded["document"] = load(app=group.app)
            else:
                import anyio

                group.loaded["document"] = anyio.run(fetch, group.app)
        except OpenAPIError as unusable:
            group.loaded["problem"] = f"cannot use the OpenAPI document: {unusable}"
    if "problem" in group.loaded:
        pytest.fail(group.loaded["problem"], pytrace=False)
    document: OpenAPIDocument = group.loaded["document"]
    return document
