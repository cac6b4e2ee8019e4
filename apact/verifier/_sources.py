"""Where pacts come from: files, directories (their ``*.json`` files, sorted), HTTP(S)
URLs (with basic or bearer auth), or pacts already in memory."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

import anyio
import httpx

from ..errors import PactFileError
from ..pact import pactfile
from ..pact._local import read_pact_files
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


async def load_sources(sources: Sequence[Source], *, auth: Auth = None, timeout: float = 30.0) -> list[PactSource]:
    """Read every source, in the order given. Raises :class:`PactFileError` (naming the
    file or URL) for a source that cannot be read."""
    loaded: list[PactSource] = []
    client: httpx.AsyncClient | None = None
    try:
        for source in sources:
            if isinstance(source, PactSource):
                loaded.append(source)
            elif isinstance(source, PactFile):
                loaded.append(PactSource(source))
            elif isinstance(source, str) and is_url(source):
                if client is None:
                    client = httpx.AsyncClient(timeout=timeout, auth=_httpx_auth(auth), follow_redirects=True)
                loaded.append(await _fetch(client, source))
            else:
                loaded.extend(await _read_path(os.fspath(source)))
    finally:
        if client is not None:
            await client.aclose()
    return loaded


async def _read_path(path: str) -> list[PactSource]:
    # one trip to a worker thread for the whole file or directory
    files = await anyio.to_thread.run_sync(read_pact_files, path)
    return [PactSource(pactfile.loads(data, file=name), name) for name, data in files]


async def _fetch(client: httpx.AsyncClient, url: str) -> PactSource:
    try:
        response = await client.get(url, headers={"Accept": "application/hal+json, application/json"})
    except httpx.HTTPError as error:
        raise PactFileError(f"cannot fetch the pact: {error}", file=url) from None
    if response.status_code != 200:
        hint = " (check the credentials: auth=)" if response.status_code in (401, 403) else ""
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
