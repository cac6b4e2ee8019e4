"""Generators: replace example values in a request, response or message with fresh ones.

Pact files may attach generators to values (V3+): random numbers and strings, UUIDs,
dates relative to today, values from a provider state (``fromProviderState``), URLs of
the mock server. Which ones run depends on who is running them:

* the **consumer** side (mock provider, stub server) generates response and message
  values, including ``MockServerURL``; ``ProviderState`` values do not exist yet, so
  those keep their examples;
* the **provider** side (verifier) generates request values, resolving ``ProviderState``
  expressions from the values the state handlers returned; in expected responses only
  ``ProviderState`` generators run (the others stand for values no one can predict and
  leave the examples alone).
"""

from __future__ import annotations

import copy
import datetime
import random
import re
import string
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Literal

from .. import _javatime, _regex
from .._core._types import JSON
from ..errors import GenerationError
from ..pact._paths import STAR, STAR_INDEX, Token, parse_path
from ..pact.model import Body, Generator, Generators, HttpRequest, HttpResponse, MessageContents

Mode = Literal["consumer", "provider"]


@dataclass(frozen=True, slots=True)
class Context:
    """What generators may draw on."""

    mode: Mode = "consumer"
    #: values the provider-state handlers returned, for ``ProviderState`` expressions
    provider_state: Mapping[str, JSON] = field(default_factory=dict)
    #: the base URL of the mock or stub server, for ``MockServerURL``
    mock_server_url: str | None = None
    rng: random.Random = field(default_factory=random.Random)
    #: the moment "now" stands for (tests may pin it)
    now: datetime.datetime | None = None


# -- applying to parts -----------------------------------------------------------------------


def generate_request(request: HttpRequest, context: Context) -> HttpRequest:
    """``request`` with its generators applied (provider side: what to send)."""
    generators = _applicable(request.generators, context, expected=False)
    if not generators:
        return request
    changes: dict[str, object] = {}
    if "path" in generators:
        changes["path"] = str(generate_value(generators["path"][""], request.path, context))
    if "query" in generators and request.query is not None:
        query = {name: list(values) for name, values in request.query.items()}
        for name, generator in generators["query"].items():
            if name in query:
                query[name] = [str(generate_value(generator, value, context)) for value in query[name]]
        changes["query"] = query
    if "header" in generators:
        changes["headers"] = _headers(request.headers, generators["header"], context)
    if "body" in generators and request.body is not None:
        changes["body"] = _body(request.body, generators["body"], context)
    return replace(request, **changes)  # type: ignore[arg-type]


def generate_response(response: HttpResponse, context: Context, *, expected: bool = False) -> HttpResponse:
    """``response`` with its generators applied: consumer side, what the mock sends;
    provider side (``expected=True``), the expected values from provider states."""
    generators = _applicable(response.generators, context, expected=expected)
    if not generators:
        return response
    changes: dict[str, object] = {}
    if "status" in generators:
        value = generate_value(generators["status"][""], response.status, context)
        changes["status"] = int(value) if isinstance(value, (int, str)) and str(value).isdigit() else response.status
    if "header" in generators:
        changes["headers"] = _headers(response.headers, generators["header"], context)
    if "body" in generators and response.body is not None:
        changes["body"] = _body(response.body, generators["body"], context)
    return replace(response, **changes)  # type: ignore[arg-type]


def generate_message(message: MessageContents, context: Context, *, expected: bool = False) -> MessageContents:
    generators = _applicable(message.generators, context, expected=expected)
    if not generators:
        return message
    changes: dict[str, object] = {}
    if "body" in generators and message.contents is not None:
        changes["contents"] = _body(message.contents, generators["body"], context)
    if "metadata" in generators:
        metadata = dict(message.metadata)
        for key, generator in generators["metadata"].items():
            if key in metadata:
                metadata[key] = generate_value(generator, metadata[key], context)
        changes["metadata"] = metadata
    return replace(message, **changes)  # type: ignore[arg-type]


def _applicable(generators: Generators, context: Context, *, expected: bool) -> Generators:
    """The generators that run in this mode (see the module docstring)."""
    if not generators:
        return {}
    out: Generators = {}
    for category, entries in generators.items():
        kept = {key: g for key, g in entries.items() if _runs(g, context.mode, expected)}
        if kept:
            out[category] = kept
    return out


def _runs(generator: Generator, mode: Mode, expected: bool) -> bool:
    if generator.type == "ProviderState":
        return mode == "provider"
    if generator.type == "MockServerURL":
        return mode == "consumer"
    return not expected


def _headers(
    headers: Mapping[str, list[str]] | None, generators: Mapping[str, Generator], context: Context
) -> dict[str, list[str]]:
    out = {name: list(values) for name, values in (headers or {}).items()}
    lowered = {name.lower(): name for name in out}
    for name, generator in generators.items():
        actual_name = lowered.get(name.lower(), name)
        values = out.get(actual_name) or [""]
        out[actual_name] = [str(generate_value(generator, value, context)) for value in values]
    return out


def _body(body: Body, generators: Mapping[str, Generator], context: Context) -> Body:
    try:
        document = body.json()
    except (ValueError, UnicodeDecodeError):
        # a text body: only a generator for the whole body ("$") applies
        whole = generators.get("$")
        if whole is None:
            return body
        return Body(
            str(generate_value(whole, body.content.decode(errors="replace"), context)).encode(), body.content_type
        )
    document = copy.deepcopy(document)
    for path, generator in generators.items():
        document = _apply_at(document, parse_path(path), generator, context)
    return Body.from_json(document, body.content_type)


def _apply_at(value: JSON, tokens: tuple[Token, ...], generator: Generator, context: Context) -> JSON:
    if not tokens:
        return generate_value(generator, value, context)
    token, rest = tokens[0], tokens[1:]
    if isinstance(value, dict):
        keys = list(value) if token is STAR else [token] if isinstance(token, str) and token in value else []
        for key in keys:
            value[key] = _apply_at(value[key], rest, generator, context)
    elif isinstance(value, list):
        if token is STAR or token is STAR_INDEX:
            indexes = range(len(value))
        elif isinstance(token, int) or (isinstance(token, str) and token.isdigit()):
            index = int(token)
            indexes = range(index, index + 1) if index < len(value) else range(0)
        else:
            indexes = range(0)
        for index in indexes:
            value[index] = _apply_at(value[index], rest, generator, context)
    return value


# -- one value -----------------------------------------------------------------------------------

_ALPHANUMERIC = string.ascii_letters + string.digits
_EXPRESSION = re.compile(r"\$\{([^}]+)\}")


_NONZERO = "123456789"


def generate_value(generator: Generator, example: JSON, context: Context) -> JSON:
    """A fresh value from ``generator`` (``example`` is the value it replaces)."""
    kind = generator.type
    rng = context.rng
    if kind == "RandomInt":
        low = _int(generator.get("min"), 0)
        high = _int(generator.get("max"), 2**31 - 1)
        return rng.randint(min(low, high), max(low, high))
    if kind == "RandomDecimal":
        # all ``digits`` of them in the number, as the official core makes it: neither the
        # first nor the last is a zero, which the number would lose (0.5, 1.20)
        digits = max(_int(generator.get("digits"), 10), 2)
        middle = "".join(rng.choice(string.digits) for _ in range(digits - 2))
        text = rng.choice(_NONZERO) + middle + rng.choice(_NONZERO)
        point = rng.randint(1, digits - 1)
        return float(Decimal(text[:point] + "." + text[point:]))
    if kind == "RandomHexadecimal":
        # upper case, as the official core writes it
        return "".join(rng.choice("0123456789ABCDEF") for _ in range(_int(generator.get("digits"), 10)))
    if kind == "RandomString":
        return "".join(rng.choice(_ALPHANUMERIC) for _ in range(_int(generator.get("size"), 20)))
    if kind == "RandomBoolean":
        return rng.random() < 0.5
    if kind == "Regex":
        return _regex.generate_string(str(generator.get("regex")), rng)
    if kind == "Uuid":
        value = uuid.UUID(int=rng.getrandbits(128), version=4)
        fmt = generator.get("format") or "lower-case-hyphenated"
        return {
            "simple": value.hex,
            "upper-case-hyphenated": str(value).upper(),
            "URN": value.urn,
        }.get(str(fmt), str(value))
    if kind in ("Date", "Time", "DateTime"):
        return _moment(generator, context)
    if kind == "ProviderState":
        try:
            return provider_state_value(str(generator.get("expression")), context.provider_state, example)
        except _MissingStateValueError:
            return example  # the state did not supply it: the example stays, as the core keeps it
    if kind == "MockServerURL":
        return _mock_server_url(generator, example, context)
    raise GenerationError(f"unknown generator type {kind!r}")


def _int(value: object, default: int) -> int:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return default


_DEFAULT_PATTERNS = {"Date": "yyyy-MM-dd", "Time": "HH:mm:ss", "DateTime": "yyyy-MM-dd'T'HH:mm:ssXXX"}


def _moment(generator: Generator, context: Context) -> str:
    now = context.now or datetime.datetime.now(datetime.timezone.utc).astimezone()
    expression = generator.get("expression")
    if isinstance(expression, str) and expression.strip():
        now = shift(now, expression)
    fmt = generator.get("format") or _DEFAULT_PATTERNS[generator.type]
    return _javatime.parse_pattern(str(fmt)).format(now)


_UNITS = {
    "second": datetime.timedelta(seconds=1),
    "minute": datetime.timedelta(minutes=1),
    "hour": datetime.timedelta(hours=1),
    "day": datetime.timedelta(days=1),
    "week": datetime.timedelta(weeks=1),
}
_TERM = re.compile(r"\s*([+-])\s*(\d+)\s*(second|minute|hour|day|week|month|year)s?\s*")
_BASES = {
    "now": datetime.timedelta(0),
    "today": datetime.timedelta(0),
    "tomorrow": datetime.timedelta(days=1),
    "yesterday": datetime.timedelta(days=-1),
}


def shift(now: datetime.datetime, expression: str) -> datetime.datetime:
    """Evaluate a Pact date expression such as ``today + 1 day`` or ``now - 2 hours``.

    Supported: a base (``now``, ``today``, ``tomorrow``, ``yesterday``; default now)
    followed by ``+``/``-`` terms in seconds, minutes, hours, days, weeks, months or
    years. Anything else raises `GenerationError`.
    """
    text = expression.strip().lower()
    base = next((word for word in _BASES if text.startswith(word)), None)
    if base is not None:
        now = now + _BASES[base]
        text = text[len(base) :]
    position = 0
    while position < len(text):
        match = _TERM.match(text, position)
        if match is None:
            raise GenerationError(f"cannot read the date expression {expression!r} at {text[position:]!r}")
        sign = 1 if match.group(1) == "+" else -1
        amount, unit = int(match.group(2)) * sign, match.group(3)
        if unit in _UNITS:
            now = now + _UNITS[unit] * amount
        else:
            months = amount * (12 if unit == "year" else 1)
            year, month = divmod(now.month - 1 + months, 12)
            year += now.year
            day = min(now.day, _days_in_month(year, month + 1))
            now = now.replace(year=year, month=month + 1, day=day)
        position = match.end()
    return now


def _days_in_month(year: int, month: int) -> int:
    following = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return (following - datetime.timedelta(days=1)).day


class _MissingStateValueError(GenerationError):
    """An expression names a value the provider state did not give."""


def provider_state_value(expression: str, values: Mapping[str, JSON], example: JSON = None) -> JSON:
    """``${id}`` -> the state's ``id`` value, keeping its type; ``/users/${id}`` -> text."""
    whole = _EXPRESSION.fullmatch(expression.strip())
    if whole:
        return _lookup(whole.group(1), values, expression)
    return _EXPRESSION.sub(lambda m: _text(_lookup(m.group(1), values, expression)), expression)


def _lookup(name: str, values: Mapping[str, JSON], expression: str) -> JSON:
    current: JSON = dict(values)
    for part in name.strip().split("."):
        if isinstance(current, dict) and part in current:
            current = current[part]
        else:
            known = ", ".join(sorted(values)) or "none"
            raise _MissingStateValueError(
                f"the provider state gave no value for {name!r} (needed by the expression {expression!r}); "
                f"values given: {known}"
            )
    return current


def _text(value: JSON) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _mock_server_url(generator: Generator, example: JSON, context: Context) -> JSON:
    base = context.mock_server_url
    sample = generator.get("example") if isinstance(generator.get("example"), str) else example
    if base is None or not isinstance(sample, str):
        return example
    pattern = generator.get("regex")
    if isinstance(pattern, str):
        match = re.match(pattern, sample)
        if match and match.groups():
            return base.rstrip("/") + "/" + match.group(1).lstrip("/")
    return sample
