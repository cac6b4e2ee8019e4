"""HAL plumbing for the broker server: URLs, JSON responses, errors, request bodies.

Every href the broker writes is absolute (``base`` + path) and every name in a path is
percent-encoded (pacticipant names contain spaces, branch names contain slashes).
Errors are raised as `HttpError` and rendered as JSON, either
``{"errors": ["message"]}`` or, for invalid fields, ``{"errors": {"field": ["message"]}}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, unquote

from starlette.requests import Request
from starlette.responses import Response

from .._core._types import JSON, JSONDict
from ..pact._jsondepth import NotJsonError, strict_loads

HAL_JSON = "application/hal+json;charset=utf-8"

Handler = Callable[[Request], Awaitable[Response]]


def segment(value: str) -> str:
    """One path segment, percent-encoded (``"Pricing Service"`` -> ``"Pricing%20Service"``)."""
    return quote(value, safe="")


@dataclass(frozen=True, slots=True)
class Urls:
    """The broker's URLs under ``base`` (no trailing slash)."""

    base: str

    def __call__(self, path: str) -> str:
        return self.base + path

    def pacticipant(self, name: str) -> str:
        return self(f"/pacticipants/{segment(name)}")

    def versions(self, pacticipant: str) -> str:
        return self.pacticipant(pacticipant) + "/versions"

    def version(self, pacticipant: str, number: str) -> str:
        return self.versions(pacticipant) + "/" + segment(number)

    def tag(self, pacticipant: str, number: str, tag: str) -> str:
        return self.version(pacticipant, number) + "/tags/" + segment(tag)

    def label(self, pacticipant: str, label: str) -> str:
        return self.pacticipant(pacticipant) + "/labels/" + segment(label)

    def branch(self, pacticipant: str, branch: str) -> str:
        return self.pacticipant(pacticipant) + "/branches/" + segment(branch)

    def branch_version(self, pacticipant: str, branch: str, number: str) -> str:
        return self.branch(pacticipant, branch) + "/versions/" + segment(number)

    def environment(self, uuid: str) -> str:
        return self(f"/environments/{segment(uuid)}")

    def deployed_version(self, uuid: str) -> str:
        return self(f"/deployed-versions/{segment(uuid)}")

    def released_version(self, uuid: str) -> str:
        return self(f"/released-versions/{segment(uuid)}")

    def record(self, kind: str, pacticipant: str, number: str, environment_uuid: str) -> str:
        return self.version(pacticipant, number) + f"/{kind}-versions/environment/{segment(environment_uuid)}"

    def pacts(self, provider: str, consumer: str) -> str:
        return self(f"/pacts/provider/{segment(provider)}/consumer/{segment(consumer)}")

    def pact(self, provider: str, consumer: str, number: str) -> str:
        return self.pacts(provider, consumer) + "/version/" + segment(number)

    def pact_version(self, provider: str, consumer: str, sha: str, metadata: str | None = None) -> str:
        url = self.pacts(provider, consumer) + "/pact-version/" + segment(sha)
        return url + "/metadata/" + segment(metadata) if metadata else url

    def verification(self, provider: str, consumer: str, sha: str, id: int) -> str:
        return self.pact_version(provider, consumer, sha) + f"/verification-results/{id}"

    def webhook(self, uuid: str) -> str:
        return self(f"/webhooks/{segment(uuid)}")


def link(href: str, *, title: str | None = None, name: str | None = None, templated: bool = False) -> JSONDict:
    found: JSONDict = {"href": href}
    if title is not None:
        found["title"] = title
    if name is not None:
        found["name"] = name
    if templated:
        found["templated"] = True
    return found


#: what no header value may hold (RFC 9110: controls but tab, and DEL)
_NOT_IN_HEADER = re.compile("[\x00-\x08\x0a-\x1f\x7f]")


def without_controls(text: str) -> str:
    """``text`` with the controls no header value may hold (CR, LF...) percent-encoded:
    a value a client chose cannot end the header it is put in."""
    return _NOT_IN_HEADER.sub(lambda found: f"%{ord(found.group()):02X}", text)


def header_value(text: str) -> str:
    """``text`` as a header value: its UTF-8 bytes (as the official broker sends them;
    starlette writes a value as Latin-1, hence the decode), `without_controls`. A
    version number is any string a client chose, and it goes back in
    ``X-Pact-Consumer-Version``: sent as it was, it failed to encode (a 500 after the
    pact was stored) or let a client split the answer's header."""
    if text.isascii() and _NOT_IN_HEADER.search(text) is None:  # (nearly every one)
        return text
    return without_controls(text).encode("utf-8", "backslashreplace").decode("latin-1")


def hal(body: JSON, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(),
        status_code=status,
        headers=headers,
        media_type=HAL_JSON,
    )


class HttpError(Exception):
    """An HTTP error with a JSON body; raise it anywhere in a request's work."""

    def __init__(self, status: int, errors: list[str] | dict[str, list[str]], headers: dict[str, str] | None = None):
        super().__init__(status, errors)
        self.status = status
        self.errors = errors
        self.headers = headers

    def response(self) -> Response:
        return hal({"errors": self.errors}, self.status, self.headers)  # type: ignore[dict-item]


def not_found(message: str) -> HttpError:
    return HttpError(404, [message])


def invalid(field: str, message: str) -> HttpError:
    return HttpError(400, {field: [message]})


def base_url(request: Request, configured: str | None) -> Urls:
    """URLs for the configured base URL, else for the one the client used."""
    return Urls((configured or str(request.base_url)).rstrip("/"))


def param(request: Request, name: str) -> str:
    """A path parameter; paths are routed undecoded (see ``server``), so decode it here."""
    return unquote(request.path_params[name])


async def json_body(request: Request, *, required: bool = True) -> JSONDict:
    """The request's JSON object (``{}`` for an empty body unless ``required``); a body
    that is not one, or that no part of the broker could store or show, is a 400."""
    raw = await request.body()
    if not raw.strip():
        if required:
            raise HttpError(400, ["the request needs a JSON body"])
        return {}
    try:
        document = read_json(raw)
    except ValueError as error:
        raise HttpError(400, [f"the request body is not valid JSON: {error}"]) from None
    if not isinstance(document, dict):
        raise HttpError(400, [f"the request body must be a JSON object, got {type(document).__name__}"])
    return document


def read_json(raw: bytes) -> JSON:
    """JSON text as the broker can store it, else a ``ValueError`` with a plain reason
    (never the exception of the parser's limits: integers of more than 4,300 digits,
    nesting past its recursion limit, or a lone surrogate escape UTF-8 cannot hold)."""
    try:
        document: JSON = strict_loads(raw)  # (NaN and the infinities are not JSON: no reader takes them)
    except (UnicodeDecodeError, json.JSONDecodeError, NotJsonError) as error:
        raise ValueError(str(error)) from None
    except RecursionError:
        raise ValueError("it is nested too deeply") from None
    except ValueError:  # Python refuses integers of more than 4,300 digits
        raise ValueError("it holds a number with too many digits (over 4,300)") from None
    if _SURROGATE_ESCAPE.search(raw):  # only such escapes make strings UTF-8 cannot hold
        where = lone_surrogate(document)
        if where is not None:
            raise ValueError(f"{where} is a string with a lone surrogate escape (\\ud800-\\udfff), which is not text")
    return document


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def lone_surrogate(document: JSON) -> str | None:
    """The JSON path of the first string (or key) holding half a surrogate pair, as
    ``"\\ud800"`` parses to: no UTF-8 can hold it, so it could not be stored."""
    todo: list[tuple[str, JSON]] = [("$", document)]
    while todo:
        path, value = todo.pop()
        if isinstance(value, str):
            if not _utf8(value):
                return path
        elif isinstance(value, dict):
            for key, item in reversed(value.items()):
                if not _utf8(key):
                    return f"{path} (a key)"
                todo.append((f"{path}.{key}" if key.isidentifier() else f"{path}[{json.dumps(key)}]", item))
        elif isinstance(value, list):
            todo.extend((f"{path}[{index}]", item) for index, item in reversed(list(enumerate(value))))
    return None


def _utf8(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def optional_string(body: JSONDict, *names: str) -> str | None:
    """The first of ``names`` present in ``body``; a string or None, else a 400."""
    for name in names:
        if name in body and body[name] is not None:
            value = body[name]
            if not isinstance(value, str):
                raise invalid(name, f"must be a string, got {json.dumps(value)}")
            return value
    return None


def required_string(body: JSONDict, name: str) -> str:
    value = optional_string(body, name)
    if value is None or not value.strip():
        raise invalid(name, "is missing")
    return value


def optional_bool(body: JSONDict, name: str) -> bool | None:
    value = body.get(name)
    if value is not None and not isinstance(value, bool):
        raise invalid(name, f"must be true or false, got {json.dumps(value)}")
    return value


def timestamp(stored: str | None) -> str | None:
    """A stored timestamp as the API shows it: ISO 8601 to the second, with the offset."""
    if stored is None:
        return None
    return datetime.fromisoformat(stored).isoformat(timespec="seconds")


def string_list(body: JSONDict, name: str) -> list[str]:
    """A list of non-blank strings (``[]`` when absent), else a 400."""
    value = body.get(name) or []
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise invalid(name, f"must be a list of names, got {json.dumps(value)}")
    return [item for item in value if isinstance(item, str)]


def request_url(request: Request, urls: Urls) -> str:
    """The URL of this request as the client knows it (under the configured base URL)."""
    query = request.url.query
    return urls(request.url.path) + (f"?{query}" if query else "")
