"""Whether a pact's HTTP request can be sent as written: one check, shared.

A pact is data from someone else (a consumer team, a broker), and the verifier sends
its requests with the provider's credentials. A path like ``@evil:9999/x`` appended to
a base URL turns the provider's host into user-info; a header value holding CR LF
splits the request; a character HTTP/1.1 cannot carry aborts the client. So the same
rules are applied everywhere a request enters or leaves apact, and they agree:

* ``apact check`` reports each problem as an invalid pact (the file, the interaction,
  the JSON path);
* the verifier fails that interaction without sending anything (the others still run),
  also when a generator produced the bad value;
* the consumer builder refuses such a request at the line that writes it;
* the broker answers 400 to a publication holding one.

The reader itself stays lenient (the pact is readable, and the rest of it can still
be verified): these rules are about sending, not parsing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import PactFileError
from ._parse import body_misfit, parse_headers, parse_query
from ._paths import child_path
from .model import HttpInteraction, HttpRequest, HttpResponse, PactFile

#: an HTTP token (RFC 9110): what a method and a header name are made of
_TOKEN = re.compile(r"[-!#$%&'*+.^_`|~0-9A-Za-z]+")
#: control characters: none may be sent in a header value (but tab) or a raw query
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_QUERY_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: how much of an offending value a message quotes
_QUOTED = 60


@dataclass(frozen=True, slots=True)
class RequestProblem:
    """Why a request cannot be sent; ``path`` is the JSON path from the request
    (``$.path``, ``$.headers['X-Token']``)."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def request_problems(request: HttpRequest) -> list[RequestProblem]:
    """Everything that keeps ``request`` from being sent as written (empty if nothing)."""
    return [] if _plainly_fine(request) else _problems(request)


def _problems(request: HttpRequest) -> list[RequestProblem]:
    """`request_problems`, part by part."""
    problems: list[RequestProblem] = []
    if not _TOKEN.fullmatch(request.method):
        problems.append(
            RequestProblem(
                "$.method",
                f"{_quote(request.method)} is not an HTTP method (a token: letters, digits, !#$%&'*+-.^_`|~)",
            )
        )
    if not request.path.startswith("/"):
        problems.append(
            RequestProblem(
                "$.path",
                f"the path must start with '/', got {_quote(request.path)} "
                "(requests go to the provider only: a path is never read as a host or a URL)",
            )
        )
    surrogate = _surrogate(request.path)
    if surrogate is not None:
        problems.append(RequestProblem("$.path", surrogate))
    if request.raw_query is not None:
        control = _QUERY_CONTROL.search(request.raw_query)
        if control is not None:
            problems.append(
                RequestProblem(
                    "$.query",
                    f"the query string holds the control character {control.group()!r}, which cannot be sent: "
                    f"percent-encode it (%{ord(control.group()):02X})",
                )
            )
        surrogate = _surrogate(request.raw_query)
        if surrogate is not None:
            problems.append(RequestProblem("$.query", surrogate))
    else:
        for name, values in (request.query or {}).items():
            surrogate = next(filter(None, map(_surrogate, [name, *values])), None)
            if surrogate is not None:
                problems.append(RequestProblem(child_path("$.query", name), surrogate))
    for name, values in (request.headers or {}).items():
        for value in values:
            problem = header_problem(name, value)
            if problem is not None:
                problems.append(RequestProblem(child_path("$.headers", name), problem))
                break
    return problems


#: the usual methods, known to be tokens without a regex
_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "get", "post", "put", "delete"})


def _plainly_fine(request: HttpRequest) -> bool:
    """The usual request, found fine in one pass with no call per part: a token for a
    method, an ASCII path from ``/``, a query and headers of plain ASCII (no lone
    surrogate, no character Latin-1 lacks) with token names and no control character.
    ``False`` says nothing: `request_problems` looks at each part then."""
    path, method = request.path, request.method
    if not (path.startswith("/") and path.isascii() and (method in _METHODS or _TOKEN.fullmatch(method))):
        return False
    if request.raw_query is not None:
        raw = request.raw_query
        if not raw.isascii() or _QUERY_CONTROL.search(raw):
            return False
    elif request.query:
        for name, values in request.query.items():
            if not name.isascii() or not all(value.isascii() for value in values):
                return False
    if request.headers:
        for name, values in request.headers.items():
            if not _TOKEN.fullmatch(name):
                return False
            for value in values:
                if not value.isascii() or _CONTROL.search(value):
                    return False
    return True


def header_problem(name: str, value: str) -> str | None:
    """Why the header ``name: value`` cannot be sent, or ``None``. The value is never
    quoted (it may be a credential); leading and trailing blanks are not part of a
    value and are not sent."""
    if not _TOKEN.fullmatch(name):
        return f"{_quote(name)} is not a header name (a token: letters, digits, !#$%&'*+-.^_`|~)"
    control = _CONTROL.search(value)
    if control is not None:
        return (
            f"the value holds the control character {control.group()!r} at position {control.start()}, "
            "which a header cannot carry (CR or LF would end it)"
        )
    try:
        value.encode("latin-1")
    except UnicodeEncodeError as error:
        return (
            f"the value holds {value[error.start]!r} at position {error.start}, which HTTP/1.1 cannot carry "
            "(header values are Latin-1 text: encode it, e.g. percent-encoded)"
        )
    return None


def pact_problems(pact: PactFile, *, file: str | None = None) -> list[PactFileError]:
    """Every problem that makes an interaction of ``pact`` invalid (a request that
    cannot be sent, a response body no answer can match), located (file, interaction,
    JSON path)."""
    found: list[PactFileError] = []
    for index, interaction in enumerate(pact.interactions):
        if isinstance(interaction, HttpInteraction):
            for problem in request_problems(interaction.request):
                found.append(located(problem, index, interaction.description, file=file))
            misfit = response_misfit(interaction.response)
            if misfit is not None:
                path = f"$.interactions[{index}].response.body"
                found.append(
                    PactFileError(misfit, path=path, file=file, interaction=index, description=interaction.description)
                )
    return found


def request_misfits(pact: PactFile, *, file: str | None = None) -> list[PactFileError]:
    """The interactions whose request body is not what its content type says, located.
    Not invalid: the verifier sends such a body as written, as the official core does;
    but no request can match it in the mock or the stub (nor in the core's mock server),
    which the stub and ``apact check`` say once."""
    found: list[PactFileError] = []
    for index, interaction in enumerate(pact.interactions):
        if isinstance(interaction, HttpInteraction):
            request = interaction.request
            misfit = body_misfit(request.body, request.content_type())
            if misfit is not None:
                path = f"$.interactions[{index}].request.body"
                message = f"{misfit}; no request can match it"
                found.append(
                    PactFileError(message, path=path, file=file, interaction=index, description=interaction.description)
                )
    return found


def response_misfit(response: HttpResponse) -> str | None:
    """Why no answer can match the response's body (it is not what its content type
    says: JSON that does not parse, XML that is not well formed), or ``None``. The
    verifier fails such an interaction without sending its request, as the official
    core fails it ("Failed to parse the expected body")."""
    body = response.body
    if body is None or not body.content:
        return None
    return body_misfit(body, response.content_type())


def document_problems(document: Mapping[str, Any]) -> list[PactFileError]:
    """The request problems of a pact document that is not read into the model (the
    broker keeps what it is given): the parts that make the request line and headers
    are read; a document the reader would reject for other reasons is not judged here."""
    found: list[PactFileError] = []
    items = document.get("interactions")
    for index, item in enumerate(items if isinstance(items, list) else ()):
        if not isinstance(item, dict) or item.get("type", "Synchronous/HTTP") != "Synchronous/HTTP":
            continue
        raw = item.get("request")
        if not isinstance(raw, dict):
            continue
        method, path = raw.get("method", "GET"), raw.get("path", "/")
        if not isinstance(method, str) or not isinstance(path, str):
            continue
        try:
            query, raw_query = parse_query(raw.get("query"), "$.query")
            headers = parse_headers(raw.get("headers"), "$.headers")
        except PactFileError:
            continue
        description = item.get("description")
        for problem in request_problems(HttpRequest(method, path, query, headers, raw_query=raw_query)):
            found.append(located(problem, index, description if isinstance(description, str) else None))
    return found


def located(problem: RequestProblem, index: int, description: str | None, *, file: str | None = None) -> PactFileError:
    """``problem`` of the request of ``interactions[index]`` as a `PactFileError`."""
    path = f"$.interactions[{index}].request{problem.path[1:]}"
    return PactFileError(problem.reason, path=path, file=file, interaction=index, description=description)


def _surrogate(text: str) -> str | None:
    """Why ``text`` cannot be percent-encoded (a lone surrogate, which JSON's
    ``\\ud800`` escapes can make: not text, no UTF-8 for it), or ``None``."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return f"it holds the lone surrogate {text[error.start]!r} at position {error.start}, which is not text and cannot be sent"
    return None


def _quote(value: str) -> str:
    """``repr`` of a value, cut short (a hostile pact may hold megabytes)."""
    if len(value) > _QUOTED:
        return repr(value[:_QUOTED]) + f" (cut: {len(value)} characters)"
    return repr(value)
