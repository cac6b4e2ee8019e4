"""An OpenAPI document as read: its JSON, its version, where it came from, and its
``$ref`` references (resolved through a ``referencing`` registry that holds the document
and every file or URL it refers to, all read when the document was loaded).

Every place in a document is a `Location`, so a mismatch can say where the
document says what it says (``components.schemas.Order.properties.waitingTime``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urldefrag, urljoin

from ..errors import ApactError

if TYPE_CHECKING:
    from referencing import Registry

#: a resolved reference: the value, the base URI its own references resolve against,
#: and where it is
Resolved = tuple[Any, str, "Location"]

#: how many ``$ref`` hops in a row before a chain counts as a cycle
_MAX_HOPS = 64


class OpenAPIError(ApactError, ValueError):
    """An OpenAPI document that cannot be used: unreadable, not OpenAPI 3, a ``$ref``
    that leads nowhere, a malformed part. The message names the document and the place
    in it."""


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a document: the resource's URI (``""`` for the main document) and the
    keys and indexes from its root."""

    uri: str = ""
    tokens: tuple[str | int, ...] = ()
    #: how the resource is named in messages (a file name), ``""`` for the main document
    name: str = ""

    def child(self, *tokens: str | int) -> Location:
        return Location(self.uri, self.tokens + tokens, self.name)

    def __str__(self) -> str:
        text = ""
        for token in self.tokens:
            text += f"[{token}]" if isinstance(token, int) else (f".{token}" if text else str(token))
        text = text or "(the document's root)"
        return f"{self.name}: {text}" if self.name else text


@dataclass(frozen=True, slots=True, eq=False)
class OpenAPIDocument:
    """An OpenAPI 3.0 or 3.1 document, ready to check pacts against.

    Made by `apact.openapi.load` (a file, a URL, a dict, a FastAPI app) or
    `apact.openapi.fetch` (any ASGI app serving its document), which read every
    file the document refers to and check that every ``$ref`` resolves.
    """

    #: the document's JSON
    contents: dict[str, Any]
    #: where it came from: a path, a URL, ``<dict>``, ``app:/openapi.json`` ...
    source: str
    #: the document's base URI, which relative references resolve against
    uri: str
    #: the registry of the document and the resources it refers to
    registry: Registry[Any] = field(repr=False)
    #: resource URI -> the name messages give it (a path relative to the document's)
    names: dict[str, str] = field(default_factory=dict, repr=False)
    #: per-document caches (resolved references, validators, the path index), filled
    #: as checks need them
    cache: dict[Any, Any] = field(default_factory=dict, repr=False)

    @property
    def version(self) -> str:
        """The ``openapi`` field: ``3.0.3``, ``3.1.0`` ..."""
        return str(self.contents.get("openapi", ""))

    @property
    def is_30(self) -> bool:
        """OpenAPI 3.0 (its own JSON Schema dialect: ``nullable``, no type lists); 3.1
        and later use JSON Schema 2020-12."""
        return self.version.startswith("3.0")

    @property
    def title(self) -> str:
        info = self.contents.get("info")
        return str(info.get("title", "")) if isinstance(info, dict) else ""

    def root(self) -> Location:
        return Location(self.uri, (), "")

    def lookup(self, base: str, ref: str, where: Location) -> Resolved:
        """The value ``ref`` refers to from a place whose base URI is ``base``."""
        key = ("ref", base, ref)
        found: Resolved | None = self.cache.get(key)
        if found is not None:
            return found
        from referencing.exceptions import Unresolvable

        try:
            resolved = self.registry.resolver(base_uri=base).lookup(ref)
        except Unresolvable:
            raise OpenAPIError(f"{self.source}: {where}: $ref {ref!r} leads nowhere") from None
        uri, fragment = urldefrag(urljoin(base, ref))
        tokens: tuple[str | int, ...] = ()
        if fragment.startswith("/"):
            tokens = tuple(_pointer_tokens(self.registry.contents(uri), fragment))
        elif fragment:
            tokens = (f"#{fragment}",)
        found = (resolved.contents, uri, Location(uri, tokens, self.names.get(uri, "" if uri == self.uri else uri)))
        self.cache[key] = found
        return found

    def resolve(self, value: Any, base: str, where: Location) -> Resolved:
        """Follow ``$ref`` until a value that is not a reference (for parameters,
        responses, headers, request bodies, path items: their other keys are ignored)."""
        for _ in range(_MAX_HOPS):
            if not (isinstance(value, dict) and isinstance(value.get("$ref"), str)):
                return value, base, where
            value, base, where = self.lookup(base, value["$ref"], where.child("$ref"))
        raise OpenAPIError(f"{self.source}: {where}: $ref goes round in a circle")


def _pointer_tokens(contents: Any, fragment: str) -> Iterator[str | int]:
    """A JSON pointer's steps: array indexes as numbers, object keys as strings."""
    for segment in unquote(fragment[1:]).split("/"):
        if isinstance(contents, list):
            index = int(segment)
            contents = contents[index]
            yield index
        else:
            key = segment.replace("~1", "/").replace("~0", "~")
            contents = contents[key] if isinstance(contents, dict) else None
            yield key
