"""The mock provider: an ASGI app that answers requests as the pact says.

```python
mock = MockProvider([interaction, ...], spec=Spec.V4, cors=False)
client = httpx.AsyncClient(transport=httpx.ASGITransport(app=mock), base_url="http://apact.mock")
```

Each request is compared with the expected requests by the matching engine. A request
that matches gets that interaction's response, with its generators applied (fresh
random values, URLs pointing at the mock). One that matches nothing gets a ``500``
whose JSON body lists, for the closest interactions, every mismatch (path, expected,
actual, message), and is recorded in `MockProvider.unexpected`. When several
interactions match, the first not yet used answers (so two interactions with the same
request but different provider states are each exercised), then the first;
``prefer_unused=False`` (a stub server) always answers with the first.

Interactions are model objects (`apact.model`), read or built once; finding the
candidates for a request is a dictionary lookup on method and path, then on the exact
JSON body for interactions that expect one (interactions with a path or body rule are
tried on every request to their route, or to any route), so the cost per request does
not grow with the number of interactions. The consumer's ``Pact`` adds interactions as
they are written; a stub server passes the interactions of pact files.
"""

from __future__ import annotations

import difflib
import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from .._core._types import JSON, Receive, Scope, Send
from ..matching import Mismatch, request_mismatches
from ..matching._generation import Context, generate_response
from ..matching._mismatch import cut, listed, more, quote
from ..pact import _sniff
from ..pact._describe import interaction_line, request_line
from ..pact._parse import body_misfit
from ..pact.model import Body, HttpInteraction, HttpRequest, Spec

__all__ = ["Candidate", "MockProvider", "UnexpectedRequest"]

#: how many near misses an unexpected request reports
CLOSEST = 3


@dataclass(frozen=True, slots=True)
class Candidate:
    """An interaction that did not match a request, and why."""

    interaction: HttpInteraction
    mismatches: tuple[Mismatch, ...]

    def to_json(self) -> dict[str, JSON]:
        shown, hidden = listed(self.mismatches)
        out: dict[str, JSON] = {
            "description": self.interaction.description,
            "providerStates": [state.name for state in self.interaction.provider_states],
            "mismatches": [m.to_json() for m in shown],
        }
        if hidden:
            out["mismatchesNotShown"] = hidden
        return out


@dataclass(frozen=True, slots=True)
class UnexpectedRequest:
    """A request no interaction matched, with the closest interactions."""

    request: HttpRequest
    closest: tuple[Candidate, ...]

    def render(self) -> str:
        """A readable report: the request, then each close interaction's mismatches."""
        lines = [f"unexpected request: {request_line(self.request)}"]
        if not self.closest:
            lines.append("  (no interactions were defined)")
        for candidate in self.closest:
            lines.append(f"  closest interaction: {interaction_line(candidate.interaction)}")
            shown, hidden = listed(candidate.mismatches)
            lines.extend(f"    {mismatch}" for mismatch in shown)
            if hidden:
                lines.append(f"    {more(hidden)}")
            lines.extend(
                "    " + line for line in _body_diff(candidate.interaction.request, self.request, candidate.mismatches)
            )
        return "\n".join(lines)

    def to_json(self) -> dict[str, JSON]:
        return {
            "error": f"apact mock provider: no interaction matches {request_line(self.request)}",
            "request": _request_json(self.request),
            "closest": [candidate.to_json() for candidate in self.closest],
            "report": self.render(),
        }


def _body_diff(
    expected: HttpRequest, actual: HttpRequest, mismatches: Iterable[Mismatch], limit: int = 24
) -> list[str]:
    """A unified diff of two JSON bodies (when the bodies differ and both are JSON): at
    most ``limit`` lines of at most `QUOTE_LIMIT`
    characters, of the first ``_DIFFED_LINES`` lines of each body (diffing costs more
    than linear time)."""
    if not any(m.kind == "body" for m in mismatches) or expected.body is None or actual.body is None:
        return []
    try:
        want, have = expected.body.json(), actual.body.json()
    except (ValueError, UnicodeDecodeError):
        return []
    left = json.dumps(want, indent=2, sort_keys=True, ensure_ascii=False).splitlines()
    right = json.dumps(have, indent=2, sort_keys=True, ensure_ascii=False).splitlines()
    diff = list(
        difflib.unified_diff(
            left[:_DIFFED_LINES], right[:_DIFFED_LINES], "expected body (example)", "actual body", n=1, lineterm=""
        )
    )
    if len(diff) > limit:
        diff = [*diff[:limit], f"... ({len(diff) - limit} more diff lines)"]
    longest = max(len(left), len(right))
    if longest > _DIFFED_LINES:
        diff.append(f"... (only the first {_DIFFED_LINES:,} of {longest:,} lines compared)")
    return [cut(line) for line in diff]


_DIFFED_LINES = 2000


def _request_json(request: HttpRequest) -> dict[str, JSON]:
    out: dict[str, JSON] = {"method": request.method, "path": request.path}
    if request.query:
        out["query"] = {name: list(values) for name, values in request.query.items()}
    if request.headers:
        out["headers"] = {name: list(values) for name, values in request.headers.items()}
    if request.body is not None:  # quoted: a long body is cut, with how much was
        try:
            out["body"] = quote(request.body.json())
        except (ValueError, UnicodeDecodeError):
            try:
                out["body"] = cut(request.body.text())
            except UnicodeDecodeError:
                out["body"] = f"<{len(request.body.content)} bytes>"
    return out


class MockProvider:
    """The mock provider (an ASGI app). See the module documentation."""

    def __init__(
        self,
        interactions: Iterable[HttpInteraction] = (),
        *,
        spec: Spec = Spec.V4,
        cors: bool = False,
        prefer_unused: bool = True,
    ) -> None:
        self.spec = spec
        self.cors = cors
        self.prefer_unused = prefer_unused
        self._interactions: list[HttpInteraction] = []
        self._calls: list[int] = []
        self._routes: dict[tuple[str, str], _Route] = {}
        self._anywhere: list[int] = []  # interactions whose path has a rule
        #: interactions whose request body is not what its content type says: they match
        #: no request (as in the official core), and this says why
        self._misfits: dict[int, Mismatch] = {}
        #: requests that matched no interaction, in arrival order
        self.unexpected: list[UnexpectedRequest] = []
        #: served over HTTP, the mock answers from a thread of its own while the test's
        #: thread adds interactions: each change and each lookup holds this lock
        self._lock = threading.Lock()
        for interaction in interactions:
            self.add(interaction)

    # -- the interactions ----------------------------------------------------------------

    def add(self, interaction: HttpInteraction) -> int:
        """Expect ``interaction``; returns its index (for `replace`)."""
        with self._lock:
            index = len(self._interactions)
            self._interactions.append(interaction)
            self._calls.append(0)
            self._file(index, interaction, add=True)
            return index

    def replace(self, index: int, interaction: HttpInteraction) -> None:
        """Change the interaction at ``index`` (its use count is kept)."""
        with self._lock:
            self._file(index, self._interactions[index], add=False)
            self._interactions[index] = interaction
            self._file(index, interaction, add=True)

    def _file(self, index: int, interaction: HttpInteraction, *, add: bool) -> None:
        """File the interaction under its route, and there under its exact JSON body
        when it has one (no body rules): a request is compared only with interactions
        that could match it."""
        request = interaction.request
        self._misfits.pop(index, None)
        if add:
            misfit = body_misfit(request.body, request.content_type())
            if misfit is not None:
                self._misfits[index] = _misfit(request, misfit)
        if request.matching_rules.get("path"):
            lists = [self._anywhere]
        else:
            route = self._routes.setdefault((request.method.upper(), request.path), _Route())
            key = None if request.matching_rules.get("body") else _expected_body_key(request)
            lists = [route.every, route.open if key is None else route.by_body.setdefault(key, [])]
        for indexes in lists:
            if add:
                indexes.append(index)
                indexes.sort()
            else:
                indexes.remove(index)

    @property
    def interactions(self) -> tuple[HttpInteraction, ...]:
        return tuple(self._interactions)

    def calls(self, index: int) -> int:
        """How many requests the interaction at ``index`` answered."""
        return self._calls[index]

    def missing(self) -> list[HttpInteraction]:
        """The interactions no request has matched."""
        return [i for i, n in zip(self._interactions, self._calls) if n == 0]

    # -- matching --------------------------------------------------------------------------

    def find(self, request: HttpRequest) -> int | UnexpectedRequest:
        """The index of the interaction that answers ``request`` (and count the call),
        or the report of an unexpected request (recorded)."""
        index = self._answering(request)
        return index if index is not None else self._unexpected(request)

    def _answering(self, request: HttpRequest) -> int | None:
        with self._lock:
            return self._answering_locked(request)

    def _answering_locked(self, request: HttpRequest) -> int | None:
        route = self._routes.get((request.method.upper(), request.path))
        candidates = route.candidates(request) if route is not None else []
        if self._anywhere:
            candidates = sorted((*candidates, *self._anywhere))
        misfits = self._misfits
        hits = [
            i
            for i in candidates
            if i not in misfits and not request_mismatches(self._interactions[i].request, request, self.spec)
        ]
        if not hits:
            return None
        index = next((i for i in hits if self._calls[i] == 0), hits[0]) if self.prefer_unused else hits[0]
        self._calls[index] += 1
        return index

    def _unexpected(self, request: HttpRequest) -> UnexpectedRequest:
        with self._lock:
            unexpected = UnexpectedRequest(request, self._closest(request))
            self.unexpected.append(unexpected)
            return unexpected

    def _closest(self, request: HttpRequest) -> tuple[Candidate, ...]:
        ranked = []
        for order, interaction in enumerate(self._interactions):
            mismatches = tuple(request_mismatches(interaction.request, request, self.spec))
            misfit = self._misfits.get(order)
            if misfit is not None:  # (the body's comparison would blame the request)
                came = request.body.content.decode(errors="replace") if request.body is not None else None
                misfit = Mismatch(misfit.kind, misfit.path, misfit.expected, came, misfit.message)
                mismatches = (*(m for m in mismatches if not m.path.startswith("$.body")), misfit)
            elsewhere = any(m.kind in ("method", "path") for m in mismatches)
            ranked.append((elsewhere, len(mismatches), order, Candidate(interaction, mismatches)))
        ranked.sort(key=lambda item: item[:3])
        if ranked and not ranked[0][0]:
            ranked = [item for item in ranked if not item[0]]  # same route: only those
        return tuple(item[3] for item in ranked[:CLOSEST])

    # -- ASGI ------------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        request = _request_from_asgi(scope, b"".join(chunks))
        extra: list[tuple[bytes, bytes]] = []
        origin = request.header("Origin") if self.cors else None
        if origin:
            extra = [
                (b"access-control-allow-origin", origin[0].encode()),
                (b"access-control-allow-credentials", b"true"),
            ]
        index = self._answering(request)
        if index is not None:
            await self._respond(index, scope, request, send, extra)
        elif self.cors and request.method.upper() == "OPTIONS" and request.header("Access-Control-Request-Method"):
            await _preflight(request, send, extra)  # the mock's business, not the pact's
        else:
            report = json.dumps(self._unexpected(request).to_json(), indent=2, ensure_ascii=False)
            body = report.encode("utf-8", "backslashreplace")  # a lone surrogate stays its JSON escape
            headers = [(b"content-type", b"application/json"), (b"x-apact", b"unexpected-request"), *extra]
            await _send(send, 500, headers, body)

    async def _respond(
        self, index: int, scope: Scope, request: HttpRequest, send: Send, extra: list[tuple[bytes, bytes]]
    ) -> None:
        response = self._interactions[index].response
        if response.generators:
            response = generate_response(response, Context(mode="consumer", mock_server_url=_base_url(scope)))
        headers: list[tuple[bytes, bytes]] = []
        has_type = False
        for name, values in (response.headers or {}).items():
            lowered = name.lower()
            if lowered == "content-length":
                continue
            has_type = has_type or lowered == "content-type"
            headers.extend((_header_bytes(lowered), _header_bytes(value)) for value in values)
        body = response.body.content if response.body is not None and not response.body.null else b""
        if body and not has_type and response.body is not None:
            declared = response.body.content_type or _sniff.sniff(body)
            if declared:
                headers.append((b"content-type", declared.encode("latin-1")))
        headers.extend(extra)
        await _send(send, response.status, headers, b"" if request.method.upper() == "HEAD" else body, len(body))


class _Route:
    """The interactions expecting one method and path: those with an exact JSON body
    (no body rules) by that body, the others in ``open``."""

    __slots__ = ("open", "by_body", "every")

    #: up to this many interactions on a route, comparing them all is cheaper than keying
    FEW = 8

    def __init__(self) -> None:
        self.open: list[int] = []
        self.by_body: dict[str, list[int]] = {}
        self.every: list[int] = []

    def candidates(self, request: HttpRequest) -> list[int]:
        """The interactions that could match ``request``. Sound: the engine compares
        JSON bodies without rules for strict equality, and equal JSON documents have the
        same key, so no interaction left out could have matched."""
        if not self.by_body or len(self.every) <= self.FEW:
            return self.every
        key = _body_key(request.body)
        keyed = self.by_body.get(key, []) if key is not None else []
        return sorted((*self.open, *keyed)) if self.open and keyed else (keyed or self.open)


def _misfit(request: HttpRequest, misfit: str) -> Mismatch:
    """The mismatch every request gets from an interaction whose body is not what its
    content type says (``misfit``: `body_misfit`'s reason)."""
    body = request.body
    shown = body.content.decode(errors="replace") if body is not None else None
    return Mismatch("body", "$.body", shown, None, f"the pact's {misfit.removeprefix('the ')}; no request can match it")


def _expected_body_key(request: HttpRequest) -> str | None:
    """The key of an expected JSON body (compared as JSON: no other content type)."""
    declared = request.content_type()
    if declared is not None and not _sniff.is_json(declared):
        return None
    return _body_key(request.body)


def _body_key(body: Body | None) -> str | None:
    """A JSON body as canonical text (sorted keys, ``-0.0`` as ``0.0``, ``1`` and
    ``1.0`` kept apart as the engine keeps them), or ``None`` if it is not JSON."""
    if body is None or body.is_empty:
        return None
    try:
        value = body.json()
    except (ValueError, UnicodeDecodeError):
        return None
    return json.dumps(_without_negative_zero(value), sort_keys=True, separators=(",", ":"))


def _without_negative_zero(value: JSON) -> JSON:
    if isinstance(value, float):
        return 0.0 if value == 0 else value
    if isinstance(value, dict):
        return {key: _without_negative_zero(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_negative_zero(item) for item in value]
    return value


def _request_from_asgi(scope: Scope, body: bytes) -> HttpRequest:
    """The model of an incoming request (header names as ASGI gives them, lower-case)."""
    headers: dict[str, list[str]] = {}
    for raw_name, raw_value in scope.get("headers", ()):
        headers.setdefault(raw_name.decode("latin-1"), []).append(raw_value.decode("latin-1"))
    text = scope.get("query_string", b"").decode("latin-1")
    query: dict[str, list[str]] | None = None
    if text:
        query = {}
        for name, value in parse_qsl(text, keep_blank_values=True):
            query.setdefault(name, []).append(value)
    return HttpRequest(
        method=scope["method"],
        path=scope["path"],
        query=query,
        headers=headers,
        body=Body(body) if body else None,
        raw_query=text or None,
    )


def _base_url(scope: Scope) -> str:
    host = next((value.decode("latin-1") for name, value in scope.get("headers", ()) if name == b"host"), None)
    if host is None:
        server = scope.get("server") or ("localhost", None)
        host = server[0] if server[1] is None else f"{server[0]}:{server[1]}"
    return f"{scope.get('scheme', 'http')}://{host}"


async def _send(
    send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes, length: int | None = None
) -> None:
    headers = [*headers, (b"content-length", str(len(body) if length is None else length).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _preflight(request: HttpRequest, send: Send, extra: list[tuple[bytes, bytes]]) -> None:
    method = (request.header("Access-Control-Request-Method") or ["GET"])[0]
    headers = [
        *extra,
        (b"access-control-allow-methods", f"{method}, GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS".encode("latin-1")),
        (b"access-control-max-age", b"600"),
    ]
    asked = request.header("Access-Control-Request-Headers")
    if asked:
        headers.append((b"access-control-allow-headers", ", ".join(asked).encode("latin-1")))
    await _send(send, 204, headers, b"")


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def _header_bytes(text: str) -> bytes:
    """A pact's response header as bytes: Latin-1 where it can be (what HTTP/1.1 and
    Python clients read back), else UTF-8, as the official mock server sends it, rather
    than failing the whole answer."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")
