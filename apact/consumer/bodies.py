"""Bodies that are not JSON: text, XML, forms, multipart uploads and bytes.

A body given to ``with_request`` or ``will_respond_with`` is JSON unless it says
otherwise: a ``str`` is text, ``bytes`` are binary, and these classes give the rest:

```python
from apact import Form, Multipart, File, Text, Xml

.with_request("POST", "/login", body=Form({"user": "alice", "age": match.integer(30)}))
.with_request("POST", "/photos", body=Multipart({"photo": File(png, "image/png", "steak.png"),
                                                  "caption": "rare"}))
.will_respond_with(200, body=Text(match.regex(r"Hello, \\w+!", "Hello, Alice!")))
.will_respond_with(200, body=Xml("<steak cooking='rare'/>",
                                 rules={"$.steak['@cooking']": match.regex("rare|medium")}))
```

The body's content type becomes the ``Content-Type`` header unless one is given (a
given header wins, e.g. ``application/hal+json`` for a dict). Matchers work in form
fields (by field name), multipart text parts (by part name), whole text bodies and XML
(by the path you give, see docs/matching.md for XML paths); a multipart file is matched
by its content type (``exact=True`` compares its bytes instead).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from ..pact import _sniff
from ..pact._paths import format_token
from ..pact.model import Body, Generator, Matcher, RuleList, Spec
from ._terms import Term, compile_body, compile_text

__all__ = ["Binary", "File", "Form", "Multipart", "Text", "Xml"]


@dataclass(frozen=True, slots=True)
class Text:
    """A text body; ``text`` may be a matcher (``match.regex(...)``) for the whole body."""

    text: str | Term
    content_type: str = "text/plain"


@dataclass(frozen=True, slots=True)
class Xml:
    """An XML document; ``rules`` put matchers at XML paths (``$.steak['@cooking']``,
    ``$.steak.name['#text']``): only their rules are used, the document is the example."""

    document: str
    rules: Mapping[str, Term] = field(default_factory=dict)
    content_type: str = "application/xml"


@dataclass(frozen=True, slots=True)
class Form:
    """An ``application/x-www-form-urlencoded`` form; a value may be a string, a
    number, a matcher, or a list of them (a repeated field)."""

    fields: Mapping[str, object]
    content_type: str = "application/x-www-form-urlencoded"


@dataclass(frozen=True, slots=True)
class File:
    """A file in a `Multipart` body. By default any content of
    ``content_type`` matches (a ``contentType`` rule); ``exact=True`` wants these bytes."""

    content: bytes
    content_type: str = "application/octet-stream"
    filename: str | None = None
    exact: bool = False


@dataclass(frozen=True, slots=True)
class Multipart:
    """A ``multipart/form-data`` body: text fields (strings or matchers) and files.
    The boundary differs between clients, so the ``Content-Type`` header is matched
    by a regex that allows any boundary."""

    parts: Mapping[str, str | Term | File]
    boundary: str = "apact-7MA4YWxkTrZu0gW"
    subtype: str = "form-data"


@dataclass(frozen=True, slots=True)
class Binary:
    """Bytes, compared exactly (for "any PNG", use ``match.content_type``)."""

    content: bytes
    content_type: str = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class Built:
    """A body in model terms: the body, its rules and generators (body category), its
    content type, and rules for the ``Content-Type`` header it needs."""

    body: Body
    rules: dict[str, RuleList]
    generators: dict[str, Generator]
    content_type: str
    header_rules: tuple[Matcher, ...] = ()


def build(value: object, spec: Spec, where: str, declared: str | None) -> Built:
    """The model of a body given as ``value``; ``declared`` is the Content-Type header
    the user gave, if any."""
    try:
        return _build(value, spec, where, declared)
    except UnicodeEncodeError as error:  # (JSON keeps it as its escape: only text gets here)
        character = error.object[error.start]
        raise ValueError(
            f"{where}: the text holds a lone surrogate (\\u{ord(character):04x}), which UTF-8 text cannot hold"
        ) from None


def _build(value: object, spec: Spec, where: str, declared: str | None) -> Built:
    if isinstance(value, Text):
        return _text(value.text, spec, where, declared or value.content_type)
    if isinstance(value, Xml):
        return _xml(value, spec, where, declared)
    if isinstance(value, Form):
        return _form(value, spec, where, declared)
    if isinstance(value, Multipart):
        return _multipart(value, spec, where)
    if isinstance(value, Binary):
        content_type = declared or value.content_type
        return Built(Body(bytes(value.content), content_type), {}, {}, content_type)
    if isinstance(value, (bytes, bytearray)):
        content_type = declared or "application/octet-stream"
        return Built(Body(bytes(value), content_type), {}, {}, content_type)
    if isinstance(value, Term) and isinstance(value.example, bytes):
        compiled = compile_body(value, spec, where)
        kind = next((m.get("value") for m in value.rules if m.match == "contentType"), None)
        content_type = declared or (kind if isinstance(kind, str) else "application/octet-stream")
        return Built(Body(value.example, content_type), compiled.rules, compiled.generators, content_type)
    textual = isinstance(value, str) or (isinstance(value, Term) and isinstance(value.example, str))
    if textual and not (declared and _sniff.is_json(declared)):  # a string is text, unless declared JSON
        return _text(value, spec, where, declared or "text/plain")
    content_type = declared or "application/json"
    compiled = compile_body(value, spec, where)
    return Built(Body.from_json(compiled.example, content_type), compiled.rules, compiled.generators, content_type)


def _text(value: object, spec: Spec, where: str, content_type: str) -> Built:
    text, matchers, generator = compile_text(value, spec, where)
    return Built(
        Body(text.encode(), content_type),
        {"$": RuleList(matchers)} if matchers else {},
        {"$": generator} if generator is not None else {},
        content_type,
    )


def _xml(value: Xml, spec: Spec, where: str, declared: str | None) -> Built:
    rules: dict[str, RuleList] = {}
    generators: dict[str, Generator] = {}
    for path, term in value.rules.items():
        compiled = compile_body(term, spec, f"{where} {path}")
        if "$" in compiled.rules:
            rules[path] = compiled.rules["$"]
        if "$" in compiled.generators:
            generators[path] = compiled.generators["$"]
    content_type = declared or value.content_type
    return Built(Body(value.document.encode(), content_type), rules, generators, content_type)


def _form(value: Form, spec: Spec, where: str, declared: str | None) -> Built:
    pairs: list[tuple[str, str]] = []
    rules: dict[str, RuleList] = {}
    generators: dict[str, Generator] = {}
    for name, given in value.fields.items():
        items = given if isinstance(given, (list, tuple)) else [given]
        for item in items:
            text, matchers, generator = compile_text(item, spec, f"{where}.{name}")
            pairs.append((name, text))
            key = "$" + format_token(name)
            if matchers:
                rules.setdefault(key, RuleList(matchers))
            if generator is not None:
                generators.setdefault(key, generator)
    content_type = declared or value.content_type
    return Built(Body(urlencode(pairs).encode(), content_type), rules, generators, content_type)


def _multipart(value: Multipart, spec: Spec, where: str) -> Built:
    boundary = value.boundary
    chunks: list[bytes] = []
    rules: dict[str, RuleList] = {}
    for name, part in value.parts.items():
        key = "$" + format_token(name)
        disposition = f'form-data; name="{name}"'
        if isinstance(part, File):
            if part.filename is not None:
                disposition += f'; filename="{part.filename}"'
            head = f"Content-Disposition: {disposition}\r\nContent-Type: {part.content_type}\r\n"
            content = part.content
            if not part.exact:
                rules[key] = RuleList((Matcher("contentType", {"value": part.content_type}),))
        else:
            text, matchers, _ = compile_text(part, spec, f"{where}.{name}")
            head = f"Content-Disposition: {disposition}\r\n"
            content = text.encode()
            if matchers:
                rules[key] = RuleList(matchers)
        chunks.append(f"--{boundary}\r\n{head}\r\n".encode() + content + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    content_type = f"multipart/{value.subtype}; boundary={boundary}"
    header_rule = Matcher("regex", {"regex": f"^multipart/{value.subtype};\\s*boundary=.+$"})
    return Built(Body(b"".join(chunks), content_type), rules, {}, content_type, (header_rule,))
