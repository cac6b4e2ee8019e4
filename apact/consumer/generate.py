"""Generators: values made fresh each time they are used.

```python
from apact import generate, match

body = {
    "id": generate.uuid(),                                  # a new UUID per response
    "expires": generate.date(expression="today + 1 week"),
    "self": generate.mock_server_url("http://localhost/orders/1", r".*(/orders/\\d+)$"),
    "owner": match.integer(42, generator=generate.provider_state("${userId}")),
}
```

Used as a value, a generator stands for "any value of this kind": it carries a fixed
example (what the pact file shows, the same every run), the matching rule that accepts
the values it makes (``generate.integer()`` is also ``{"match": "integer"}``), and the
generator. The mock provider sends generated values in its responses; the verifier
generates request values, and fills in ``provider_state`` values from what the
provider's state handlers return. Passed as ``generator=`` to a ``match.*`` function,
only the generator is taken.

``generate.only(generate.integer(1, 9), 5)`` keeps the generator and the example ``5``
and adds no matching rule (as does ``generate.provider_state``): the verifier then compares
the value as any plain value, for users who want fresh values from the mock but an exact
answer from the provider, or rules of their own (``with_matching_rules``).

Generators need spec V3 or later.

The engine that runs a pact's generators is public too, for tools of your own (a stub,
a test fixture): `apply_to_request`, `apply_to_response` and `apply_to_message` take a
part of a read pact (`apact.model`) and give it back with fresh values, in the
``consumer`` mode (what the mock provider does: random values, ``mock_server_url``) or
the ``provider`` mode (what the verifier does: the request to send, and the values
``provider_state`` expressions take from the state handlers' values).
"""

from __future__ import annotations

import datetime as _datetime
import random
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Literal
from urllib.parse import urlsplit

from .._core._types import JSON
from ..matching._generation import Context, generate_message, generate_request, generate_response
from ..pact.model import Generator, HttpRequest, HttpResponse, MessageContents
from . import match
from ._terms import NO_EXAMPLE, Term, escape_regex
from .match import UuidFormat

__all__ = [
    "apply_to_message",
    "apply_to_request",
    "apply_to_response",
    "boolean",
    "date",
    "datetime",
    "decimal",
    "hexadecimal",
    "integer",
    "mock_server_url",
    "only",
    "provider_state",
    "regex",
    "string",
    "time",
    "uuid",
]


def _asked(term: Term, name: str, generator: Generator | None = None) -> Term:
    """``term`` as a generator the user asked for (so V2 refuses it rather than drop it)."""
    return replace(term, name=name, explicit_generator=True, generator=generator or term.generator)


def integer(min: int = 0, max: int = 2**31 - 1) -> Term:
    """A random integer in ``min``..``max`` (``RandomInt``); matches any integer."""
    return _asked(match.integer(min=min, max=max), "generate.integer")


def decimal(digits: int = 10) -> Term:
    """A random decimal number of ``digits`` digits (``RandomDecimal``); matches any decimal."""
    return _asked(match.decimal(digits=digits), "generate.decimal")


def hexadecimal(digits: int = 10) -> Term:
    """A random string of ``digits`` hexadecimal digits (``RandomHexadecimal``);
    matches any hexadecimal string."""
    if digits < 1:
        raise ValueError(f"generate.hexadecimal: digits must be at least 1, got {digits}")
    example = ("0123456789abcdef" * (digits // 16 + 1))[:digits]
    term = match.regex("^[0-9a-fA-F]+$", example)
    return _asked(term, "generate.hexadecimal", Generator("RandomHexadecimal", {"digits": digits}))


def string(size: int = 20) -> Term:
    """A random alphanumeric string of ``size`` characters (``RandomString``); matches
    any string."""
    return _asked(match.string(size=size), "generate.string")


def boolean() -> Term:
    """``true`` or ``false`` at random (``RandomBoolean``)."""
    return _asked(match.boolean(), "generate.boolean")


def regex(pattern: str) -> Term:
    """A random string matching ``pattern`` (``Regex``); matches that pattern."""
    return _asked(match.regex(pattern), "generate.regex")


def uuid(format: UuidFormat = "lowercase") -> Term:
    """A random UUID (``Uuid``) in ``format``: ``lowercase`` (default), ``uppercase``,
    ``simple`` or ``urn``."""
    return _asked(match.uuid(format=format), "generate.uuid")


def _moment(kind: Literal["date", "time", "datetime"], fmt: str | None, expression: str | None) -> Term:
    term: Term = getattr(match, kind)(format=fmt)
    assert term.generator is not None
    attrs: dict[str, JSON] = dict(term.generator.attrs)
    if expression is not None:
        from ..errors import GenerationError
        from ..matching._generation import shift

        try:
            shift(match.EXAMPLE_MOMENT, expression)
        except GenerationError as error:
            raise ValueError(f"generate.{kind}: {error}") from None
        attrs["expression"] = expression
    return _asked(term, f"generate.{kind}", Generator(term.generator.type, attrs))


def date(format: str | None = None, *, expression: str | None = None) -> Term:
    """Today's date (``Date``) in ``format`` (Java or strftime; default ``yyyy-MM-dd``),
    moved by ``expression`` (``"today + 1 day"``, ``"now - 2 weeks"``)."""
    return _moment("date", format, expression)


def time(format: str | None = None, *, expression: str | None = None) -> Term:
    """The current time (``Time``) in ``format`` (default ``HH:mm:ss``), moved by
    ``expression`` (``"now + 2 hours"``)."""
    return _moment("time", format, expression)


def datetime(format: str | None = None, *, expression: str | None = None) -> Term:
    """The current date and time (``DateTime``) in ``format`` (default
    ``yyyy-MM-dd'T'HH:mm:ssXXX``), moved by ``expression``."""
    return _moment("datetime", format, expression)


def provider_state(expression: str, example: object = NO_EXAMPLE) -> Term:
    """A value the provider's state handlers supply at verification time
    (``ProviderState``): ``"${id}"`` is the value named ``id`` (keeping its type),
    ``"/users/${id}"`` builds text. The mock provider and the pact use ``example``
    (needed when used as a value, not with ``generator=``)."""
    if not isinstance(expression, str) or "${" not in expression:
        raise ValueError(f"generate.provider_state: expected an expression such as '${{id}}', got {expression!r}")
    return Term(
        example,
        example,
        (),
        Generator("ProviderState", {"expression": expression}),
        True,
        "exact",
        "generate.provider_state",
    )


def mock_server_url(example: str, regex: str | None = None) -> Term:
    """A URL pointing at the mock provider (``MockServerURL``): the mock sends its own
    base URL followed by the part of ``example`` that ``regex``'s first group captures
    (default: the example's path and query). Matches any URL ending the same way
    (a ``regex`` rule), since the provider has its own base URL."""
    if regex is None:
        parts = urlsplit(example)
        tail = parts.path + (f"?{parts.query}" if parts.query else "")
        if not tail:
            raise ValueError(f"generate.mock_server_url: the example {example!r} has no path to keep")
        regex = ".*(" + escape_regex(tail) + ")$"
    found = re.match(regex, example)
    if found is None or not found.groups():
        raise ValueError(
            f"generate.mock_server_url: the regex {regex!r} must match the example {example!r} "
            "and capture the part after the base URL in a group"
        )
    term = match.regex(regex, example)
    generator = Generator("MockServerURL", {"example": example, "regex": regex})
    return _asked(term, "generate.mock_server_url", generator)


def only(generator: Term, example: object = NO_EXAMPLE) -> Term:
    """The generator of ``generator`` (any ``generate.*`` term) on ``example`` (by
    default the term's own), adding no matching rule: the pact shows ``example``, the
    mock provider and the verifier generate values, and the verifier compares the value
    as a plain one (equal to the example, unless rules of your own say otherwise)."""
    if not isinstance(generator, Term) or generator.generator is None:
        raise TypeError(f"generate.only: expected a generate.* term, got {generator!r}")
    value = generator.example if example is NO_EXAMPLE else example
    if isinstance(value, Term):
        raise TypeError("generate.only: the example is a plain value, not a match.* or generate.* term")
    if value is NO_EXAMPLE:
        raise ValueError(f"generate.only: {generator.name} has no example of its own: give one")
    return Term(value, value, (), generator.generator, True, "exact", "generate.only")


# -- the engine ------------------------------------------------------------------------------


def _context(
    mode: object,
    provider_state: Mapping[str, JSON] | None,
    mock_server_url: str | None,
    rng: random.Random | None,
    now: _datetime.datetime | None,
) -> Context:
    if mode not in ("consumer", "provider"):
        raise ValueError(f"mode is 'consumer' or 'provider', got {mode!r}")
    return Context(
        "consumer" if mode == "consumer" else "provider",
        dict(provider_state or {}),
        mock_server_url,
        rng if rng is not None else random.Random(),
        now,
    )


def apply_to_request(
    request: HttpRequest,
    *,
    mode: Literal["consumer", "provider"],
    provider_state: Mapping[str, JSON] | None = None,
    mock_server_url: str | None = None,
    rng: random.Random | None = None,
    now: _datetime.datetime | None = None,
) -> HttpRequest:
    """``request`` with its generators applied, as the verifier does in the
    ``provider`` mode (``provider_state``: the values the state handlers returned,
    for ``ProviderState`` expressions) or the mock provider's side does in the
    ``consumer`` mode (``mock_server_url``: its base URL, for ``MockServerURL``).
    ``rng`` and ``now`` pin the random values and the moment dates are made from.
    Raises `apact.errors.GenerationError` for a generator that cannot run."""
    return generate_request(request, _context(mode, provider_state, mock_server_url, rng, now))


def apply_to_response(
    response: HttpResponse,
    *,
    mode: Literal["consumer", "provider"],
    provider_state: Mapping[str, JSON] | None = None,
    mock_server_url: str | None = None,
    rng: random.Random | None = None,
    now: _datetime.datetime | None = None,
) -> HttpResponse:
    """``response`` with its generators applied: in the ``consumer`` mode, what the
    mock provider sends (every generator but ``ProviderState``); in the ``provider``
    mode, the response the verifier expects (only ``ProviderState`` generators run: the
    others stand for values no one can predict). Arguments as in `apply_to_request`."""
    context = _context(mode, provider_state, mock_server_url, rng, now)
    return generate_response(response, context, expected=mode == "provider")


def apply_to_message(
    message: MessageContents,
    *,
    mode: Literal["consumer", "provider"],
    provider_state: Mapping[str, JSON] | None = None,
    mock_server_url: str | None = None,
    rng: random.Random | None = None,
    now: _datetime.datetime | None = None,
) -> MessageContents:
    """A message (or one side of a synchronous message) with its generators applied:
    in the ``consumer`` mode, the example a consumer test's handler gets; in the
    ``provider`` mode, the message the verifier expects. Arguments as in
    `apply_to_request`."""
    context = _context(mode, provider_state, mock_server_url, rng, now)
    return generate_message(message, context, expected=mode == "provider")
