"""Where pacts come from: files, directories (their ``*.json`` files, sorted), HTTP(S)
URLs (with basic or bearer auth), or pacts already in memory."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

import anyio
import httpx

from .._core._answers import bound_answer
from ..errors import PactFileError
from ..pact import pactfile
from ..pact._local import load_pact_files
from ..pact._unreadable import together
from ..pact.model import PactFile


@dataclass(frozen=True, slots=True)
class PactSource:
    """A pact with where it came from, and whether it is pending (a Pact Broker says
    so for pacts the provider has not yet verified: failures are then reported, not
    fatal). ``notices`` are shown in the result's notices (a broker's reasons for
    verifying the pact, say)."""

    pact: PactFile
    origin: str = "<PactFile>"
    pending: bool = False
    notices: tuple[str, ...] = ()


#: what ``verify()`` takes: a path (file or directory), a URL, a pact, a PactSource
Source: TypeAlias = "str | os.PathLike[str] | PactFile | PactSource"

#: credentials for URL sources: ``(user, password)`` for basic auth, a string for a
#: bearer token, or any ``httpx.Auth``
Auth: TypeAlias = "tuple[str, str] | str | httpx.Auth | None"


def is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


async def load_sources(
    sources: Sequence[Source], *, auth: Auth = None, timeout: float = 30.0, auth_hint: str = "auth="
) -> list[PactSource]:
    """Read every source, in the order given. Raises `PactFileError` (naming the
    file or URL) for a source that cannot be read: every one of them, when several
    cannot (see `apact.pact._unreadable`). ``auth_hint`` says where credentials are
    given (the command line has options for them)."""
    loaded: list[PactSource] = []
    errors: list[PactFileError] = []
    client: httpx.AsyncClient | None = None
    try:
        for source in sources:
            if isinstance(source, PactSource):
                loaded.append(source)
            elif isinstance(source, PactFile):
                loaded.append(PactSource(source))
            elif isinstance(source, str) and is_url(source):
                if client is None:
                    client = httpx.AsyncClient(
                        timeout=timeout,
                        auth=_httpx_auth(auth),
                        follow_redirects=True,
                        event_hooks={"response": [bound_answer]},  # (its size: bounded as it arrives)
                    )
                try:
                    loaded.append(await _fetch(client, source, auth_hint, timeout))
                except PactFileError as error:
                    errors.append(error)
            else:
                read, failed = await _read_path(os.fspath(source))
                loaded += read
                errors += failed
    finally:
        if client is not None:
            await client.aclose()
    if errors:
        raise together(errors)
    return loaded


async def _read_path(path: str) -> tuple[list[PactSource], list[PactFileError]]:
    """The pacts of a file, or of a directory's ``*.json`` files by name, and the
    errors of those that cannot be read."""
    # one trip to a worker thread for the whole file or directory
    loaded, errors = await anyio.to_thread.run_sync(load_pact_files, path)
    return [PactSource(local.pact, local.name) for local in loaded], errors


async def _fetch(client: httpx.AsyncClient, url: str, auth_hint: str, timeout: float) -> PactSource:
    try:
        # the whole answer within the timeout: httpx's bounds each read, and a server
        # trickling a byte at a time held the run (and a CI job) for ever
        with anyio.fail_after(timeout):
            response = await client.get(url, headers={"Accept": "application/hal+json, application/json"})
    except TimeoutError:
        raise PactFileError(f"cannot fetch the pact: no whole answer within {timeout:g} s", file=url) from None
    except httpx.HTTPError as error:
        raise PactFileError(f"cannot fetch the pact: {error}", file=url) from None
    if response.status_code != 200:
        hint = f" (check the credentials: {auth_hint})" if response.status_code in (401, 403) else ""
        raise PactFileError(f"cannot fetch the pact: HTTP {response.status_code}{hint}", file=url)
    return PactSource(pactfile.loads(response.content, file=url), url)


def _httpx_auth(auth: Auth) -> httpx.Auth | None:
    if auth is None or isinstance(auth, httpx.Auth):
        return auth
    if isinstance(auth, tuple):
        return httpx.BasicAuth(*auth)
    return _Bearer(auth)


class _Bearer(httpx.Auth):
    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request):  # type: ignore[no-untyped-def]
        request.headers["Authorization"] = self._header
        yield request
