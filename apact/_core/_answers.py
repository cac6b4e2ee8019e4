"""The answers of servers apact fetches from (pact URLs, a Pact Broker, OpenAPI
documents), bounded in size as they arrive.

httpx reads an answer whole into memory, with no bound: a server (or a proxy) answering
without end, fast enough to beat the timeout, was read until the memory ran out. The
hooks here refuse an answer declaring more than `MAX_ANSWER_SIZE` at once, and count
one that does not as it arrives. Their time is bounded by each caller: an async one
puts its whole request under ``anyio.fail_after`` (httpx's timeout bounds each read,
not the answer); the sync client made here checks a deadline as each chunk comes.

The one module of ``_core`` that imports httpx (imported only by those that fetch,
never by the engine or the model), so that the verifier, the broker client and the
OpenAPI check share one bound rather than keeping a copy each.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Iterator

import httpx

from ._limits import format_size

__all__ = ["MAX_ANSWER_SIZE", "AnswerTooLargeError", "bound_answer", "sync_client"]

#: the most read of one answer, as sent (before any Content-Encoding is undone): far
#: beyond any real pact, broker resource or document
MAX_ANSWER_SIZE = 256 * 1024 * 1024


class AnswerTooLargeError(httpx.RequestError):
    """An answer past `MAX_ANSWER_SIZE` (a request error, not a transport error: a
    broker client does not retry it)."""

    def __init__(self, limit: int, request: httpx.Request | None = None) -> None:
        super().__init__(f"the answer is larger than {format_size(limit)}", request=request)
        self.limit = limit


async def bound_answer(response: httpx.Response) -> None:
    """An async client's response hook: refuse an answer declaring more than
    `MAX_ANSWER_SIZE`, and count one that does not as it arrives."""
    limit = _checked_length(response)
    response.stream = _Counted(response.stream, response.request, limit)


def sync_client(timeout: float) -> httpx.Client:
    """A sync client following redirects, whose every answer must come whole within
    ``timeout`` seconds of its request (else ``httpx.ReadTimeout``) and be at most
    `MAX_ANSWER_SIZE` bytes (else `AnswerTooLargeError`)."""

    def start(request: httpx.Request) -> None:
        request.extensions["apact.deadline"] = time.monotonic() + timeout

    def bound(response: httpx.Response) -> None:
        limit = _checked_length(response)
        deadline = response.request.extensions["apact.deadline"]
        response.stream = _CountedSync(response.stream, response.request, limit, deadline, timeout)

    return httpx.Client(timeout=timeout, follow_redirects=True, event_hooks={"request": [start], "response": [bound]})


def _checked_length(response: httpx.Response) -> int:
    """The bound (read when the answer comes: tests lower it), having refused an answer
    that declares more."""
    limit = MAX_ANSWER_SIZE
    declared = response.headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > limit:
        raise AnswerTooLargeError(limit, response.request)
    return limit


class _Counted(httpx.AsyncByteStream):
    """An async client's answer, up to ``limit`` bytes."""

    def __init__(
        self, stream: httpx.SyncByteStream | httpx.AsyncByteStream, request: httpx.Request, limit: int
    ) -> None:
        assert isinstance(stream, httpx.AsyncByteStream)  # (the async client's)
        self._stream, self._request, self._limit = stream, request, limit

    async def __aiter__(self) -> AsyncIterator[bytes]:
        size = 0
        chunks = self._stream.__aiter__()
        async for chunk in chunks:
            size += len(chunk)
            if size > self._limit:
                # the connection closed first, so that the stream's own (nested) async
                # generators end on its error rather than being left to the collector
                # (trio warns of each)
                await self._stream.aclose()
                with contextlib.suppress(Exception):
                    async for _ in chunks:
                        pass
                raise AnswerTooLargeError(self._limit, self._request)
            yield chunk

    async def aclose(self) -> None:
        await self._stream.aclose()


class _CountedSync(httpx.SyncByteStream):
    """A sync client's answer, up to ``limit`` bytes and until ``deadline``."""

    def __init__(
        self,
        stream: httpx.SyncByteStream | httpx.AsyncByteStream,
        request: httpx.Request,
        limit: int,
        deadline: float,
        timeout: float,
    ) -> None:
        assert isinstance(stream, httpx.SyncByteStream)  # (the sync client's)
        self._stream, self._request, self._limit = stream, request, limit
        self._deadline, self._timeout = deadline, timeout

    def __iter__(self) -> Iterator[bytes]:
        size = 0
        for chunk in self._stream:
            size += len(chunk)
            if size > self._limit:
                raise AnswerTooLargeError(self._limit, self._request)
            if time.monotonic() > self._deadline:
                raise httpx.ReadTimeout(f"no whole answer within {self._timeout:g} s", request=self._request)
            yield chunk

    def close(self) -> None:
        self._stream.close()
