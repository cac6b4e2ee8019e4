"""The pact model: what a pact file says, independent of its specification version.

Every spec version (V1 to V4) is read into these classes by `apact.pactfile`,
which owns all the version quirks; everything else in apact (the matching engine, the
mock provider, the verifier) works on the model only.

Conventions:

* headers are ``dict[str, list[str]]`` keeping the names' case as written and each
  value unsplit (``"a, b"`` stays one string; the engine splits on commas);
* a query is ``dict[str, list[str]]`` of decoded values (V3 and later store it so;
  V1 and V2 strings are parsed, and their raw text is kept for V1 matching);
* a body is ``None`` when the pact does not specify one ("any body will do"), or a
  `Body` (possibly empty);
* matching rules and generators are ``category -> key -> ...``; single-valued
  categories (``path``, ``status``) use the key ``""``; body keys are JSON paths
  relative to the body (``$.items[*].id``), header, query and metadata keys are names.
  Message contents use the category ``body`` whatever the file calls it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal, TypeAlias

from .._core._frozen import builder
from .._core._types import JSON
from . import _jsondepth, _sniff


class Spec(enum.IntEnum):
    """A Pact specification version; comparable (``spec >= Spec.V3``)."""

    V1 = 10
    V1_1 = 11
    V2 = 20
    V3 = 30
    V4 = 40

    @property
    def version(self) -> str:
        """The version as written in a pact's ``metadata.pactSpecification.version``."""
        return _VERSION_STRINGS[self]

    @property
    def label(self) -> str:
        """A short name: ``V1``, ``V1.1``, ``V2``, ``V3``, ``V4``."""
        return "V1.1" if self is Spec.V1_1 else self.name

    @classmethod
    def parse(cls, value: object) -> Spec:
        """Read ``"4.0"``, ``"V4"``, ``"3.0.0"``, ``"1.1"``, ``2`` ... as a spec version.

        Raises `ValueError` for anything else.
        """
        if isinstance(value, Spec):
            return value
        text = str(value).strip().upper().removeprefix("V")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            text = str(value)
        parts = text.split(".")
        try:
            numbers = [int(p) for p in parts]
        except ValueError:
            raise ValueError(f"unknown Pact specification version {value!r}") from None
        while len(numbers) > 1 and numbers[-1] == 0:
            numbers.pop()
        found = _BY_NUMBERS.get(tuple(numbers))
        if found is None:
            raise ValueError(
                f"unknown Pact specification version {value!r} (apact knows 1.0.0, 1.1.0, 2.0.0, 3.0.0 and 4.0)"
            )
        return found


_VERSION_STRINGS = {
    Spec.V1: "1.0.0",
    Spec.V1_1: "1.1.0",
    Spec.V2: "2.0.0",
    Spec.V3: "3.0.0",
    Spec.V4: "4.0",
}
_BY_NUMBERS = {(1,): Spec.V1, (1, 1): Spec.V1_1, (2,): Spec.V2, (3,): Spec.V3, (4,): Spec.V4}


# -- matching rules and generators -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Matcher:
    """One matching rule, e.g. ``{"match": "regex", "regex": "\\\\d+"}``.

    ``match`` is the rule's name as written (V2 rules without ``match`` get ``type``
    or ``regex``); ``attrs`` holds every other attribute as written.
    """

    match: str
    attrs: Mapping[str, JSON] = field(default_factory=dict)

    def get(self, name: str, default: JSON = None) -> JSON:
        return self.attrs.get(name, default)

    def to_json(self) -> dict[str, JSON]:
        return {"match": self.match, **self.attrs}


@dataclass(frozen=True, slots=True)
class RuleList:
    """The matchers that apply at one place, combined with ``AND`` (default) or ``OR``."""

    matchers: tuple[Matcher, ...]
    combine: Literal["AND", "OR"] = "AND"


@dataclass(frozen=True, slots=True)
class Generator:
    """One generator, e.g. ``{"type": "RandomInt", "min": 1, "max": 9}``."""

    type: str
    attrs: Mapping[str, JSON] = field(default_factory=dict)

    def get(self, name: str, default: JSON = None) -> JSON:
        return self.attrs.get(name, default)

    def to_json(self) -> dict[str, JSON]:
        return {"type": self.type, **self.attrs}


MatchingRules: TypeAlias = "dict[str, dict[str, RuleList]]"
Generators: TypeAlias = "dict[str, dict[str, Generator]]"


# -- bodies ------------------------------------------------------------------------------


_UNSET: object = object()


@dataclass(frozen=True, slots=True, eq=False)
class Body:
    """A body: bytes plus the content type the pact declares for them.

    ``content_type`` is the type declared with the body (V4 ``contentType``, a
    message's content type); ``None`` means "see the Content-Type header". ``null``
    marks a body written as JSON ``null``, which the specification treats as an empty
    body for matching but which is written back as ``null``.
    """

    content: bytes
    content_type: str | None = None
    null: bool = False
    _json: object = field(default=_UNSET, repr=False)
    #: V4 ``contentTypeHint`` (``TEXT``, ``BINARY``, ``DEFAULT``), kept for writing back
    content_type_hint: str | None = field(default=None, repr=False)

    @classmethod
    def from_json(cls, value: JSON, content_type: str | None = "application/json") -> Body:
        """A body holding the JSON document ``value`` (kept, not re-parsed)."""
        encoded = _jsondepth.utf8(_jsondepth.dumps(value))  # JsonTooDeepError (a ValueError) past the depth limit
        if cls is Body:  # (a pact's JSON bodies are made here: at a plain class's cost)
            return _new_body(encoded, content_type, False, value, None)
        return cls(encoded, content_type, False, value)

    @classmethod
    def from_text(cls, text: str, content_type: str | None = None) -> Body:
        return cls(text.encode(), content_type)

    @property
    def is_empty(self) -> bool:
        """An empty body: no bytes, or JSON ``null`` standing for "empty"."""
        return self.null or not self.content

    def json(self) -> JSON:
        """The body parsed as JSON (cached). Raises `ValueError` if it is not
        (`JsonTooDeepError` if it nests too deep, which is cached
        too: finding where costs a scan)."""
        value = self._json
        if value is _UNSET:
            try:
                value = _jsondepth.loads(self.content)
            except _jsondepth.JsonTooDeepError as error:
                object.__setattr__(self, "_json", error)
                raise
            object.__setattr__(self, "_json", value)
        elif isinstance(value, _jsondepth.JsonTooDeepError):
            raise value.with_traceback(None)
        return value  # type: ignore[return-value]

    def text(self) -> str:
        """The body decoded as UTF-8 (raises `UnicodeDecodeError`)."""
        return self.content.decode()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Body):
            return NotImplemented
        return self.content == other.content and self.content_type == other.content_type and self.null == other.null

    def __hash__(self) -> int:
        return hash((self.content, self.content_type, self.null))


#: ``Body(...)`` given every field, at a fifth of the cost (`apact._core._frozen`)
_new_body = builder(Body)


# -- HTTP --------------------------------------------------------------------------------


Headers: TypeAlias = "dict[str, list[str]]"
Query: TypeAlias = "dict[str, list[str]]"


@dataclass(frozen=True, slots=True)
class HttpRequest:
    method: str = "GET"
    path: str = "/"
    query: Query | None = None
    headers: Headers | None = None
    body: Body | None = None
    matching_rules: MatchingRules = field(default_factory=dict)
    generators: Generators = field(default_factory=dict)
    #: the query string exactly as a V1/V2 file wrote it (V1 compares it verbatim)
    raw_query: str | None = None

    def header(self, name: str) -> list[str] | None:
        return find_header(self.headers, name)

    def content_type(self) -> str | None:
        return content_type_of(self.body, self.headers)


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int = 200
    headers: Headers | None = None
    body: Body | None = None
    matching_rules: MatchingRules = field(default_factory=dict)
    generators: Generators = field(default_factory=dict)

    def header(self, name: str) -> list[str] | None:
        return find_header(self.headers, name)

    def content_type(self) -> str | None:
        return content_type_of(self.body, self.headers)


def find_header(headers: Headers | None, name: str) -> list[str] | None:
    """The values of header ``name`` (case-insensitive), or ``None``."""
    if not headers:
        return None
    values = headers.get(name)
    if values is not None:
        return values
    lowered = name.lower()
    values = headers.get(lowered)  # (what an ASGI app or HTTP/2 sends)
    if values is not None:
        return values
    for key, values in headers.items():
        if key.lower() == lowered:
            return values
    return None


def content_type_of(body: Body | None, headers: Headers | None) -> str | None:
    """The declared content type: the body's own, else the Content-Type header."""
    if body is not None and body.content_type:
        return body.content_type
    values = find_header(headers, "Content-Type")
    if values:
        return ", ".join(values)
    return None


def effective_type(body: Body, declared: str | None) -> str:
    """The base content type of a body: declared, else guessed from its bytes (what
    the matching engine compares it as, and the V4 ``contentType`` written for it)."""
    if declared:
        return _sniff.base_type(declared)
    if body._json is not _UNSET:
        return "application/json"
    content = body.content.lstrip()
    if content[:1] in (b"{", b"[") or content in (b"null", b"true", b"false"):
        try:
            body.json()
            return "application/json"
        except _jsondepth.JsonTooDeepError:
            return "application/json"  # compared as such, to say why it does not match
        except ValueError:
            pass
    if content.startswith(b"<"):
        return "application/xml"
    try:
        body.text()
    except UnicodeDecodeError:
        return "application/octet-stream"
    try:
        body.json()  # numbers and strings written as JSON values
        return "application/json"
    except ValueError:
        return "text/plain"


# -- messages ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MessageContents:
    """Message contents and metadata (an asynchronous message, or one side of a
    synchronous one)."""

    contents: Body | None = None
    metadata: dict[str, JSON] = field(default_factory=dict)
    matching_rules: MatchingRules = field(default_factory=dict)
    generators: Generators = field(default_factory=dict)

    def content_type(self) -> str | None:
        if self.contents is not None and self.contents.content_type:
            return self.contents.content_type
        return _sniff.content_type_in(self.metadata)


# -- interactions ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProviderState:
    name: str
    params: dict[str, JSON] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class HttpInteraction:
    """A request and the response it expects (V4 ``Synchronous/HTTP``)."""

    description: str
    request: HttpRequest = field(default_factory=HttpRequest)
    response: HttpResponse = field(default_factory=HttpResponse)
    provider_states: tuple[ProviderState, ...] = ()
    key: str | None = None
    pending: bool = False
    comments: dict[str, JSON] | None = None
    #: any other attribute the file carries (``pluginConfiguration``, ``_id``, ...),
    #: written back unchanged
    extra: dict[str, JSON] = field(default_factory=dict)

    kind = "Synchronous/HTTP"


@dataclass(frozen=True, slots=True)
class AsyncMessage:
    """A message the provider sends (V3 message pacts; V4 ``Asynchronous/Messages``)."""

    description: str
    message: MessageContents = field(default_factory=MessageContents)
    provider_states: tuple[ProviderState, ...] = ()
    key: str | None = None
    pending: bool = False
    comments: dict[str, JSON] | None = None
    extra: dict[str, JSON] = field(default_factory=dict)

    kind = "Asynchronous/Messages"


@dataclass(frozen=True, slots=True)
class SyncMessage:
    """A request message and the response messages it expects
    (V4 ``Synchronous/Messages``)."""

    description: str
    request: MessageContents = field(default_factory=MessageContents)
    responses: tuple[MessageContents, ...] = ()
    provider_states: tuple[ProviderState, ...] = ()
    key: str | None = None
    pending: bool = False
    comments: dict[str, JSON] | None = None
    extra: dict[str, JSON] = field(default_factory=dict)

    kind = "Synchronous/Messages"


Interaction: TypeAlias = "HttpInteraction | AsyncMessage | SyncMessage"


@dataclass(frozen=True, slots=True)
class PactFile:
    """A whole pact: who the consumer and provider are, and their interactions."""

    consumer: str
    provider: str
    interactions: tuple[Interaction, ...] = ()
    spec: Spec = Spec.V4
    #: the ``metadata`` object as read (``pactSpecification`` included)
    metadata: dict[str, JSON] = field(default_factory=dict)
    #: other attributes of the top-level object, and of ``consumer``/``provider``
    extra: dict[str, JSON] = field(default_factory=dict)
    #: what was read with a guess (an old or odd shape the core reads too), in words
    warnings: tuple[str, ...] = field(default=(), compare=False)

    def with_interactions(self, interactions: tuple[Interaction, ...]) -> PactFile:
        return replace(self, interactions=interactions)


def state_names(interaction: Interaction) -> tuple[str, ...]:
    return tuple(state.name for state in interaction.provider_states)


__all__ = [
    "AsyncMessage",
    "Body",
    "Generator",
    "Generators",
    "Headers",
    "HttpInteraction",
    "HttpRequest",
    "HttpResponse",
    "Interaction",
    "Matcher",
    "MatchingRules",
    "MessageContents",
    "PactFile",
    "ProviderState",
    "Query",
    "RuleList",
    "Spec",
    "SyncMessage",
    "content_type_of",
    "effective_type",
    "find_header",
    "state_names",
]
