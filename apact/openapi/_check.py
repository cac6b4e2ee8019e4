"""Checking pacts against an OpenAPI document: the result has the shape of a
verification's (`VerificationResult`), so the verifier's
console, JSON and JUnit reports serve it unchanged."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

from ..errors import PactFileError
from ..pact import pactfile
from ..pact._local import load_pact_files
from ..pact._unreadable import together
from ..pact.model import HttpInteraction, Interaction, PactFile
from ..verifier._result import InteractionResult, PactResult, Status, VerificationResult
from ._compare import compare
from ._document import OpenAPIDocument
from ._load import load

#: a pact: a file, a directory (its ``*.json`` files), an HTTP(S) URL, or a PactFile
PactSource: TypeAlias = "str | os.PathLike[str] | PactFile"
#: the document: loaded, or what :func:`load` reads (a file, a URL, a dict)
DocumentSource: TypeAlias = "OpenAPIDocument | str | os.PathLike[str] | Mapping[str, Any]"

MESSAGES_NOT_CHECKED = (
    "a message: only HTTP interactions are checked against an OpenAPI document (AsyncAPI is not supported)"
)


def check(
    pacts: PactSource | Sequence[PactSource],
    document: DocumentSource,
    *,
    provider: str | None = None,
) -> VerificationResult:
    started = time.perf_counter()
    if not isinstance(document, OpenAPIDocument):
        document = load(document)
    sources = read_pacts(pacts)
    notices: list[str] = []
    results: list[PactResult] = []
    for pact, origin in sources:
        if provider is not None and pact.provider != provider:
            notices.append(f"{origin}: left out: it is for the provider {pact.provider!r}, not {provider!r}")
            continue
        items = []
        for index, interaction in enumerate(pact.interactions):
            item, notes = check_interaction(document, interaction, index)
            items.append(item)
            notices += [f"{pact.consumer} -> {pact.provider}: {interaction.description!r}: {note}" for note in notes]
        results.append(PactResult(pact.consumer, pact.provider, origin, tuple(items), pact=pact))
    name = provider or ", ".join(sorted({pact.provider for pact, _ in sources})) or document.title
    target = f"OpenAPI {document.version} document {document.source}"
    return VerificationResult(name, tuple(results), time.perf_counter() - started, tuple(notices), target=target)


def check_interaction(
    document: OpenAPIDocument, interaction: Interaction, index: int = 0
) -> tuple[InteractionResult, list[str]]:
    """One interaction's verdict, and what of it could not be checked."""
    identity: dict[str, Any] = {
        "provider_states": interaction.provider_states,
        "index": index,
        "key": interaction.key,
        "interaction_id": interaction.extra.get("_id") if isinstance(interaction.extra.get("_id"), str) else None,
        "pending": interaction.pending,
    }
    if not isinstance(interaction, HttpInteraction):
        return InteractionResult(
            interaction.description, interaction.kind, "skipped", reason=MESSAGES_NOT_CHECKED, **identity
        ), []
    started = time.perf_counter()
    outcome = compare(document, interaction)
    status: Status = "passed" if not outcome.mismatches else ("pending" if interaction.pending else "failed")
    result = InteractionResult(
        interaction.description,
        interaction.kind,
        status,
        mismatches=tuple(outcome.mismatches),
        duration=time.perf_counter() - started,
        request=f"{interaction.request.method.upper()} {interaction.request.path}",
        **identity,
    )
    return result, outcome.notes


def read_pacts(pacts: PactSource | Sequence[PactSource]) -> list[tuple[PactFile, str]]:
    """The pacts with where they came from, in the order given (a directory's files
    sorted by name). Raises `PactFileError` for one that cannot be read."""
    items: Sequence[PactSource] = [pacts] if isinstance(pacts, (str, os.PathLike, PactFile)) else pacts
    found: list[tuple[PactFile, str]] = []
    errors: list[PactFileError] = []
    for item in items:
        if isinstance(item, PactFile):
            found.append((item, "<PactFile>"))
            continue
        name = os.fspath(item)
        if name.startswith(("http://", "https://")):
            found.append((_fetch(name), name))
        else:
            loaded, failed = load_pact_files(name)
            found += [(local.pact, local.name) for local in loaded]
            errors += failed
    if errors:  # every file that cannot be read, not only the first
        raise together(errors)
    return found


def _fetch(url: str) -> PactFile:
    import httpx

    from .._core._answers import sync_client

    try:
        with sync_client(30.0) as fetching:
            response = fetching.get(url, headers={"Accept": "application/hal+json, application/json"})
    except httpx.HTTPError as error:
        raise PactFileError(f"cannot fetch the pact: {error}", file=url) from None
    if response.status_code != 200:
        raise PactFileError(f"cannot fetch the pact: HTTP {response.status_code}", file=url)
    return pactfile.loads(response.content, file=url)
