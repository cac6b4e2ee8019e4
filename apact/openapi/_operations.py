"""Finding the operation a pact's request is for: its path against the document's path
templates (``/orders/{order_id}``), under any base path its ``servers`` give.

Concrete paths win over templated ones (OpenAPI's rule: ``/orders/mine`` before
``/orders/{id}``), then templates with more literal text. The index is built once per
document: literal paths in a dict, templates grouped by their number of segments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from ._document import Location, OpenAPIDocument
from ._load import METHODS

_PARAMETER = re.compile(r"\{([^{}/]+)\}")


@dataclass(frozen=True, slots=True)
class Template:
    """One entry of ``paths``."""

    text: str
    #: ``None`` for a path without parameters
    pattern: re.Pattern[str] | None
    names: tuple[str, ...]
    #: characters outside the parameters: more is more specific
    literal: int
    item: dict[str, Any]
    base: str
    where: Location

    def methods(self) -> list[str]:
        return [method.upper() for method in METHODS if isinstance(self.item.get(method), dict)]


@dataclass(frozen=True, slots=True)
class Found:
    """A template the path matches, with the path parameters' values (decoded)."""

    template: Template
    values: dict[str, str]


@dataclass(frozen=True, slots=True)
class _Index:
    literal: dict[str, Template]
    #: (segments, the first segment when it is literal, else None) -> templates
    by_segments: dict[tuple[int, str | None], list[Template]]
    prefixes: tuple[str, ...]
    texts: tuple[str, ...]


def find(document: OpenAPIDocument, path: str) -> list[Found]:
    """The templates ``path`` matches, the most specific first."""
    index = _index(document)
    found: list[Found] = []
    for prefix in index.prefixes:
        if prefix and not (path == prefix or path.startswith(prefix + "/")):
            continue
        rest = path[len(prefix) :] or "/"
        literal = index.literal.get(rest)
        if literal is not None:
            found.append(Found(literal, {}))
        segments = rest.count("/")
        first = rest.split("/", 2)[1] if segments else ""
        for template in (*index.by_segments.get((segments, first), ()), *index.by_segments.get((segments, None), ())):
            assert template.pattern is not None
            match = template.pattern.fullmatch(rest)
            if match is not None:
                found.append(
                    Found(template, {name: unquote(text) for name, text in zip(template.names, match.groups())})
                )
    found.sort(key=lambda item: (-item.template.literal, len(item.template.names)))
    return found


def near_miss(document: OpenAPIDocument, path: str) -> str | None:
    """The pact's path with or without a trailing slash, if the document has that."""
    other = path[:-1] if path.endswith("/") and len(path) > 1 else path + "/"
    return other if find(document, other) else None


def paths(document: OpenAPIDocument) -> tuple[str, ...]:
    """The document's path templates, as written."""
    return _index(document).texts


def _index(document: OpenAPIDocument) -> _Index:
    cached: _Index | None = document.cache.get("paths")
    if cached is not None:
        return cached
    literal: dict[str, Template] = {}
    #: (segments, the first segment when it is literal, else None) -> templates
    by_segments: dict[tuple[int, str | None], list[Template]] = {}
    root = document.root()
    paths = document.contents.get("paths") or {}
    for text, item in paths.items():
        item, base, where = document.resolve(item, document.uri, root.child("paths", text))
        names = tuple(_PARAMETER.findall(text))
        if not names:
            literal.setdefault(text, Template(text, None, (), len(text), item, base, where))
            continue
        pieces = _PARAMETER.split(text)  # literal, name, literal, name, ..., literal
        pattern = "".join(re.escape(piece) if number % 2 == 0 else "([^/]+)" for number, piece in enumerate(pieces))
        length = sum(len(piece) for piece in pieces[::2])
        template = Template(text, re.compile(pattern), names, length, item, base, where)
        first = text.split("/", 2)[1]
        by_segments.setdefault((text.count("/"), None if "{" in first else first), []).append(template)
    index = _Index(literal, by_segments, _prefixes(document.contents.get("servers")), tuple(paths))
    document.cache["paths"] = index
    return index


def _prefixes(servers: Any) -> tuple[str, ...]:
    """The base paths of the document's servers (``https://x/api/v1`` -> ``/api/v1``),
    the longest first, and ``""`` (paths as written)."""
    found: set[str] = set()
    for server in servers if isinstance(servers, list) else ():
        if not isinstance(server, dict) or not isinstance(server.get("url"), str):
            continue
        url = server["url"]
        variables = server.get("variables")
        for name, variable in (variables if isinstance(variables, dict) else {}).items():
            if isinstance(variable, dict) and isinstance(variable.get("default"), str):
                url = url.replace("{" + name + "}", variable["default"])
        path = urlsplit(url).path if "://" in url else url
        path = path.rstrip("/")
        if path.startswith("/"):
            found.add(path)
    return (*sorted(found, key=len, reverse=True), "")
