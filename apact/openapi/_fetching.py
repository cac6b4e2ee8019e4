"""HTTP for the OpenAPI check (documents, the files their ``$ref`` reach, pacts), each
answer bounded as a whole: in time and in size.

httpx's timeout bounds each read, not the answer: a server trickling a document a byte
at a time held ``apact openapi-check`` (and a CI job) for ever, and one answering
without end was read until the memory ran out. The client's hooks give every request a
deadline and count its answer as it arrives. Imported when a URL is fetched (httpx
with it), not with the package.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx

from .._core._limits import format_size

__all__ = ["MAX_ANSWER_SIZE", "client"]

#: the most read of one answer, as sent: far beyond any real document or pact
MAX_ANSWER_SIZE = 256 * 1024 * 1024


def client(timeout: float) -> httpx.Client:
    """A client whose every answer must come whole within ``timeout`` seconds of its
    request, and be at most `MAX_ANSWER_SIZE` bytes (else an ``httpx`` error saying so)."""

    def start(request: httpx.Request) -> None:
        request.extensions["apact.deadline"] = time.monotonic() + timeout

    def bound(response: httpx.Response) -> None:
        limit = MAX_ANSWER_SIZE
        declared = response.headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > limit:
            raise httpx.ReadError(f"its answer is larger than {format_size(limit)}", request=response.request)
        deadline = response.request.extensions["apact.deadline"]
        response.stream = _Bounded(response.stream, response.request, deadline, timeout, limit)

    return httpx.Client(timeout=timeout, follow_redirects=True, event_hooks={"request": [start], "response": [bound]})


class _Bounded(httpx.SyncByteStream):
    """A response's bytes, until its deadline and up to ``limit``."""

    def __init__(
        self,
        stream: httpx.SyncByteStream | httpx.AsyncByteStream,
        request: httpx.Request,
        deadline: float,
        timeout: float,
        limit: int,
    ) -> None:
        assert isinstance(stream, httpx.SyncByteStream)  # (the sync client's)
        self._stream, self._request = stream, request
        self._deadline, self._timeout, self._limit = deadline, timeout, limit

    def __iter__(self) -> Iterator[bytes]:
        size = 0
        for chunk in self._stream:
            size += len(chunk)
            if size > self._limit:
                raise httpx.ReadError(f"its answer is larger than {format_size(self._limit)}", request=self._request)
            if time.monotonic() > self._deadline:
                raise httpx.ReadTimeout(f"no whole answer within {self._timeout:g} s", request=self._request)
            yield chunk

    def close(self) -> None:
        self._stream.close()
