"""Matchers: example values that also say which other values would do.

```python
from apact import match

body = {
    "id": match.integer(42),                      # any integer
    "name": match.like("Alice"),                  # any string
    "tags": match.each_like("admin", min=1),      # an array of strings, at least one
    "created": match.datetime("2024-01-02T03:04:05Z"),
    "code": match.regex(r"[A-Z]{3}-\\d+", "ABC-1"),
}
```

Every function returns a `Term`: the example (what the mock provider sends, what
the pact file shows) and the matching rules written at that place. Terms nest anywhere
in a JSON body (``like`` and ``each_like`` apply to everything below them, a nested
term overrides them) and stand alone as header values, query values, the request path
and the response status.

Examples are checked against their own rules when the term is made
(``match.integer("ten")`` raises `ValueError` at once). A matcher called without
an example gets a fixed, readable one *and* a generator, so that the mock provider
sends fresh values and the pact stays stable from run to run (as pact-js does).

Specification versions: everything works with V3 and V4. V2 knows only the ``type``
(with ``min``/``max``) and ``regex`` rules, so for ``spec="V2"`` a rule is written as
the closest V2 rule that still accepts every value the original accepts and checks as
much as it can: ``integer``/``decimal``/``number``/``boolean``/``null`` and the date
matchers become ``type``; ``includes``, ``semver``, ``equal`` (on strings) and
``not_empty`` (on strings) become anchored regexes; ``not_empty`` on arrays becomes
``type`` with ``min: 1``. Rules with no V2 counterpart (``values``, ``each_key``,
``each_value``, ``array_containing``, ``content_type``, ``status_code``, ``equal`` on
non-strings) raise `PactWriteError`; generators you asked for
(``generate.*``) do too, while the ones apact adds to example-less matchers are left
out.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from typing import Literal

from .. import _javatime, _regex
from .._core._api import publish
from .._core._types import JSON
from ..matching._mismatch import show
from ..matching._rules import check_value
from ..pact._parse_rules import STATUS_GROUPS
from ..pact.model import Generator, Matcher, RuleList, Spec
from . import _terms
from ._terms import Children, Term

__all__ = [
    "Term",
    "array_containing",
    "boolean",
    "content_type",
    "date",
    "datetime",
    "decimal",
    "each_key",
    "each_like",
    "each_value",
    "equal",
    "includes",
    "integer",
    "like",
    "not_empty",
    "null",
    "number",
    "regex",
    "semver",
    "status_code",
    "string",
    "time",
    "uuid",
    "values",
]

publish(__name__, globals(), ["Term"])  # matchers and generators both make one

# -- type and structure --------------------------------------------------------------------


def like(example: object, *, min: int | None = None, max: int | None = None, generator: Term | None = None) -> Term:
    """Any value of the same type as ``example`` (for objects and arrays: the same
    shape, every value below compared by type). ``min``/``max`` bound an array's
    length. Written ``{"match": "type"}``."""
    attrs = _bounds("match.like", min, max)
    value = example
    children: Children = "exact"
    if isinstance(example, (list, tuple)):
        children = "each"
    term = _terms.make("match.like", value, (Matcher("type", attrs),), children=children)
    return _terms.with_generator(term, generator)


def each_like(item: object, *, min: int = 1, max: int | None = None) -> Term:
    """An array whose every item is like ``item``, with at least ``min`` (default 1)
    and at most ``max`` items. The example repeats ``item`` ``min`` times (at least
    once). Written ``{"match": "type", "min": 1}`` plus the item's rules at ``[*]``."""
    attrs = _bounds("match.each_like", min, max)
    if max is not None and max < 1:
        raise ValueError(f"match.each_like: max must be at least 1, got {max}")
    count = min if min > 1 else 1
    return _terms.make("match.each_like", [item] * count, (Matcher("type", attrs),), children="each")


def _bounds(name: str, low: int | None, high: int | None) -> dict[str, JSON]:
    attrs: dict[str, JSON] = {}
    for label, bound in (("min", low), ("max", high)):
        if bound is None:
            continue
        if isinstance(bound, bool) or not isinstance(bound, int) or bound < 0:
            raise ValueError(f"{name}: {label} must be a non-negative integer, got {bound!r}")
        attrs[label] = bound
    if low is not None and high is not None and low > high:
        raise ValueError(f"{name}: min ({low}) is greater than max ({high})")
    return attrs


def equal(example: object) -> Term:
    """Exactly ``example`` (useful below ``like``, whose type rule it overrides).
    Written ``{"match": "equality"}``."""
    problem = None if isinstance(example, str) else "match.equal on a value that is not a string needs spec V3 or later"
    v2 = (Matcher("regex", {"regex": "^" + _terms.escape_regex(example) + "$"}),) if isinstance(example, str) else None
    return _terms.make("match.equal", example, (Matcher("equality"),), v2_rules=v2, v2_problem=problem)


def values(example: Mapping[str, object]) -> Term:
    """An object with any keys whose values are like those of ``example`` (rules nested
    in the values apply to every entry). Written ``{"match": "values"}``."""
    _expect_mapping("match.values", example)
    return _terms.make(
        "match.values",
        example,
        (Matcher("values"),),
        children="any_key",
        v2_problem="match.values needs spec V3 or later",
    )


def each_key(example: Mapping[str, object], rules: Term | Sequence[Term]) -> Term:
    """An object whose every key matches ``rules`` (e.g. ``match.regex(r"[a-z]+")``);
    its values compare with the example's. Written ``{"match": "eachKey", "rules": [...]}``."""
    _expect_mapping("match.each_key", example)
    matchers = _rule_list("match.each_key", rules)
    for key in example:
        for matcher in matchers:
            reason = check_value(matcher, key, key)
            if reason is not None:
                raise ValueError(f"match.each_key: the example key {show(key)} does not fit the rules: {reason}")
    return _terms.make(
        "match.each_key",
        _plain("match.each_key", example),
        (Matcher("eachKey", {"rules": [m.to_json() for m in matchers]}),),
        children="none",
        v2_problem="match.each_key needs spec V3 or later",
    )


def each_value(example: Mapping[str, object], rules: Term | Sequence[Term]) -> Term:
    """An object (with any keys) whose every value matches ``rules``
    (e.g. ``match.boolean()``). Written ``{"match": "eachValue", "rules": [...]}``."""
    _expect_mapping("match.each_value", example)
    matchers = _rule_list("match.each_value", rules)
    for key, item in example.items():
        item = _terms.resolve(item)
        for matcher in matchers:
            reason = check_value(matcher, item, item)
            if reason is not None:
                raise ValueError(f"match.each_value: the example value at {show(key)} does not fit the rules: {reason}")
    return _terms.make(
        "match.each_value",
        _plain("match.each_value", example),
        (Matcher("eachValue", {"rules": [m.to_json() for m in matchers]}),),
        children="none",
        v2_problem="match.each_value needs spec V3 or later",
    )


def _expect_mapping(name: str, example: object) -> None:
    if not isinstance(example, Mapping):
        raise TypeError(f"{name} takes an example object (a dict), got {type(example).__name__}")


def _rule_list(name: str, rules: Term | Sequence[Term]) -> tuple[Matcher, ...]:
    terms = [rules] if isinstance(rules, Term) else list(rules)
    matchers: list[Matcher] = []
    for term in terms:
        if not isinstance(term, Term):
            raise TypeError(f"{name}: rules= takes match.* terms, got {term!r}")
        matchers.extend(term.rules)
    if not matchers:
        raise ValueError(f"{name}: rules= must hold at least one matcher")
    return tuple(matchers)


def _plain(name: str, example: Mapping[str, object]) -> object:
    """The example of each_key/each_value, which may not hold terms (their rules go in
    ``rules=``, which apply to every entry)."""
    for key, item in example.items():
        if _holds_term(item):
            raise ValueError(
                f"{name}: the example value at {show(key)} holds a matcher; "
                "give the rules for every value in rules= instead"
            )
    return example


def _holds_term(value: object) -> bool:
    if isinstance(value, Term):
        return True
    if isinstance(value, Mapping):
        return any(_holds_term(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(_holds_term(item) for item in value)
    return False


def array_containing(variants: Sequence[object]) -> Term:
    """An array holding, somewhere and in any order, an item matching each of
    ``variants`` (other items are allowed). Written ``{"match": "arrayContains",
    "variants": [{"index": 0, "rules": {...}}, ...]}``."""
    if isinstance(variants, (str, bytes)) or not isinstance(variants, Sequence) or not variants:
        raise TypeError("match.array_containing takes a non-empty list of example items")
    written: list[JSON] = []
    for index, variant in enumerate(variants):
        compiled = _terms.compile_json(variant, Spec.V4, "$")
        entry: dict[str, JSON] = {
            "index": index,
            "rules": {path: _rule_list_json(rules) for path, rules in compiled.rules.items()},
        }
        if compiled.generators:
            entry["generators"] = {path: generator.to_json() for path, generator in compiled.generators.items()}
        written.append(entry)
    return _terms.make(
        "match.array_containing",
        list(variants),
        (Matcher("arrayContains", {"variants": written}),),
        children="none",
        v2_problem="match.array_containing needs spec V3 or later",
    )


def _rule_list_json(rules: RuleList) -> dict[str, JSON]:
    return {"matchers": [m.to_json() for m in rules.matchers], "combine": rules.combine}


# -- scalars -------------------------------------------------------------------------------------

_TYPE = Matcher("type")


def integer(
    example: int | None = None, *, min: int | None = None, max: int | None = None, generator: Term | None = None
) -> Term:
    """Any integer. Without an example: one in ``min``..``max`` and a ``RandomInt``
    generator (``min``/``max`` only bound the generated values)."""
    if example is None:
        low, high = (0 if min is None else min), (2**31 - 1 if max is None else max)
        if low > high:
            raise ValueError(f"match.integer: min ({low}) is greater than max ({high})")
        term = _terms.make(
            "match.integer",
            _clamp(1, low, high),
            (Matcher("integer"),),
            generator=Generator("RandomInt", {"min": low, "max": high}),
            v2_rules=(_TYPE,),
        )
    else:
        term = _terms.make("match.integer", example, (Matcher("integer"),), v2_rules=(_TYPE,))
    return _terms.with_generator(term, generator)


def _clamp(value: int, low: int, high: int) -> int:
    return low if value < low else high if value > high else value


def decimal(example: float | None = None, *, digits: int | None = None, generator: Term | None = None) -> Term:
    """Any number with a fraction (an integer example is written as a float). Without
    an example: ``12.34`` and a ``RandomDecimal`` generator of ``digits`` digits."""
    if example is None:
        attrs: dict[str, JSON] = {"digits": digits} if digits is not None else {}
        term = _terms.make(
            "match.decimal",
            12.34,
            (Matcher("decimal"),),
            generator=Generator("RandomDecimal", attrs),
            v2_rules=(_TYPE,),
        )
    else:
        if isinstance(example, int) and not isinstance(example, bool):
            example = float(example)
        term = _terms.make("match.decimal", example, (Matcher("decimal"),), v2_rules=(_TYPE,))
    return _terms.with_generator(term, generator)


def number(example: float | None = None, *, generator: Term | None = None) -> Term:
    """Any number, integer or not. Without an example: ``42`` and a ``RandomInt`` generator."""
    if example is None:
        term = _terms.make(
            "match.number",
            42,
            (Matcher("number"),),
            generator=Generator("RandomInt", {"min": 0, "max": 1000}),
            v2_rules=(_TYPE,),
        )
    else:
        term = _terms.make("match.number", example, (Matcher("number"),), v2_rules=(_TYPE,))
    return _terms.with_generator(term, generator)


def boolean(example: bool | None = None, *, generator: Term | None = None) -> Term:
    """``true`` or ``false``. Without an example: ``true`` and a ``RandomBoolean`` generator."""
    if example is None:
        term = _terms.make(
            "match.boolean",
            True,
            (Matcher("boolean"),),
            generator=Generator("RandomBoolean"),
            v2_rules=(_TYPE,),
        )
    else:
        term = _terms.make("match.boolean", example, (Matcher("boolean"),), v2_rules=(_TYPE,))
    return _terms.with_generator(term, generator)


def null() -> Term:
    """``null`` (and nothing else). Written ``{"match": "null"}``."""
    return _terms.make("match.null", None, (Matcher("null"),), v2_rules=(_TYPE,))


def string(example: str | None = None, *, size: int | None = None, generator: Term | None = None) -> Term:
    """Any string (``like`` for strings). Without an example: ``"abcdefghij"`` (or
    ``size`` letters) and a ``RandomString`` generator."""
    if example is None:
        length = 10 if size is None else size
        attrs: dict[str, JSON] = {"size": size} if size is not None else {}
        letters = "abcdefghijklmnopqrstuvwxyz"
        term = _terms.make(
            "match.string",
            (letters * (length // 26 + 1))[:length],
            (_TYPE,),
            generator=Generator("RandomString", attrs),
        )
    else:
        if not isinstance(example, str):
            raise TypeError(f"match.string takes a string example, got {show(example)}")
        term = _terms.make("match.string", example, (_TYPE,))
    return _terms.with_generator(term, generator)


def regex(pattern: str, example: str | None = None, *, generator: Term | None = None) -> Term:
    """A string matching the regular expression ``pattern`` as a whole (write it so
    that Java and Rust read it the same: no Python-only syntax). Without an example:
    one generated from the pattern, and a ``Regex`` generator."""
    if not isinstance(pattern, str):
        raise TypeError(f"match.regex: the pattern must be a string, got {pattern!r}")
    try:
        _regex.compile_regex(pattern)
    except _regex.RegexError as error:
        raise ValueError(f"match.regex: invalid regex {pattern!r}: {error}") from None
    rule = Matcher("regex", {"regex": pattern})
    if example is None:
        term = _terms.make(
            "match.regex",
            _example_for(pattern),
            (rule,),
            generator=Generator("Regex", {"regex": pattern}),
        )
    else:
        term = _terms.make("match.regex", example, (rule,))
    return _terms.with_generator(term, generator)


def _example_for(pattern: str) -> str:
    """A fixed string matching ``pattern`` (the same one every run)."""
    try:
        return _regex.generate_string(pattern, random.Random(pattern))
    except _regex.RegexError as error:
        raise ValueError(f"cannot make an example for the regex {pattern!r}: {error}; give one") from None


def includes(value: str, example: str | None = None, *, generator: Term | None = None) -> Term:
    """A string containing ``value``; the example defaults to ``value`` itself.
    Written ``{"match": "include", "value": ...}``."""
    if not isinstance(value, str):
        raise TypeError(f"match.includes takes a string, got {value!r}")
    v2 = (Matcher("regex", {"regex": "^[\\s\\S]*" + _terms.escape_regex(value) + "[\\s\\S]*$"}),)
    term = _terms.make(
        "match.includes", value if example is None else example, (Matcher("include", {"value": value}),), v2_rules=v2
    )
    return _terms.with_generator(term, generator)


_UUID_PATTERNS = {
    "lowercase": "[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}",
    "uppercase": "[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}",
    "simple": "[0-9a-fA-F]{32}",
    "urn": "urn:uuid:[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}",
}
_UUID_GENERATOR_FORMATS = {
    "lowercase": "lower-case-hyphenated",
    "uppercase": "upper-case-hyphenated",
    "simple": "simple",
    "urn": "URN",
}
_UUID_EXAMPLE = "e2490de5-5bd3-43d5-b7c4-526e33f71304"
UuidFormat = Literal["lowercase", "uppercase", "simple", "urn"]


def _uuid_example(form: UuidFormat | None) -> str:
    if form == "uppercase":
        return _UUID_EXAMPLE.upper()
    if form == "simple":
        return _UUID_EXAMPLE.replace("-", "")
    if form == "urn":
        return "urn:uuid:" + _UUID_EXAMPLE
    return _UUID_EXAMPLE


def uuid(example: str | None = None, *, format: UuidFormat | None = None, generator: Term | None = None) -> Term:
    """A UUID: ``format`` is ``lowercase``, ``uppercase``, ``simple`` (32 hex digits) or
    ``urn``; without one, lower- or upper-case with hyphens. Written as an anchored
    ``regex`` rule (as pact-python and pact-js do); without an example, a ``Uuid``
    generator."""
    if format is not None and format not in _UUID_PATTERNS:
        raise ValueError(f"match.uuid: unknown format {format!r} (known: {', '.join(_UUID_PATTERNS)})")
    body = _UUID_PATTERNS[format] if format else f"({_UUID_PATTERNS['lowercase']}|{_UUID_PATTERNS['uppercase']})"
    rule = Matcher("regex", {"regex": f"^{body}$"})
    if example is None:
        attrs: dict[str, JSON] = {"format": _UUID_GENERATOR_FORMATS[format]} if format else {}
        term = _terms.make("match.uuid", _uuid_example(format), (rule,), generator=Generator("Uuid", attrs))
    else:
        term = _terms.make("match.uuid", example, (rule,))
    return _terms.with_generator(term, generator)


_SEMVER = (
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(-(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(\.(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*)?"
    r"(\+[0-9a-zA-Z-]+(\.[0-9a-zA-Z-]+)*)?$"
)


def semver(example: str | None = None, *, generator: Term | None = None) -> Term:
    """A semantic version (``1.2.3``, ``2.0.0-rc.1``). Without an example: ``"1.0.0"``
    and a ``Regex`` generator. Written ``{"match": "semver"}``."""
    v2 = (Matcher("regex", {"regex": _SEMVER}),)
    if example is None:
        term = _terms.make(
            "match.semver",
            "1.0.0",
            (Matcher("semver"),),
            generator=Generator("Regex", {"regex": r"[1-9]\.(0|[1-9][0-9]?)\.(0|[1-9][0-9]?)"}),
            v2_rules=v2,
        )
    else:
        term = _terms.make("match.semver", example, (Matcher("semver"),), v2_rules=v2)
    return _terms.with_generator(term, generator)


def not_empty(example: object, *, generator: Term | None = None) -> Term:
    """A value like ``example`` that is not empty (not ``""``, ``[]``, ``{}`` or null).
    Written ``{"match": "notEmpty"}``."""
    resolved = _terms.resolve(example)
    v2: tuple[Matcher, ...] | None = None
    problem = None
    if isinstance(resolved, str):
        v2 = (Matcher("regex", {"regex": "^[\\s\\S]+$"}),)
    elif isinstance(resolved, list):
        v2 = (Matcher("type", {"min": 1}),)
    else:
        problem = "match.not_empty on a value that is not a string or an array needs spec V3 or later"
    children: Children = "each" if isinstance(example, (list, tuple)) else "exact"
    term = _terms.make(
        "match.not_empty", example, (Matcher("notEmpty"),), children=children, v2_rules=v2, v2_problem=problem
    )
    return _terms.with_generator(term, generator)


def content_type(content_type: str, example: bytes | str) -> Term:
    """Content of the media type ``content_type`` (told from the bytes: magic numbers
    for images and documents, parsing for JSON and XML), e.g. a whole binary body:
    ``body=match.content_type("image/png", png_bytes)``. Written
    ``{"match": "contentType", "value": ...}``."""
    if not isinstance(content_type, str) or "/" not in content_type:
        raise ValueError(f"match.content_type: expected a media type such as image/png, got {content_type!r}")
    if not isinstance(example, (bytes, str)):
        raise TypeError(f"match.content_type takes bytes or text as the example, got {type(example).__name__}")
    return _terms.make(
        "match.content_type",
        example,
        (Matcher("contentType", {"value": content_type}),),
        v2_problem="match.content_type needs spec V3 or later",
    )


_STATUS_EXAMPLES = {
    "info": 100,
    "success": 200,
    "redirect": 302,
    "clientError": 400,
    "serverError": 500,
    "nonError": 200,
    "error": 400,
}


def status_code(status: str | Sequence[int], example: int | None = None) -> Term:
    """A response status: a group (``info``, ``success``, ``redirect``, ``clientError``,
    ``serverError``, ``nonError``, ``error``) or a list of codes, for
    ``will_respond_with(match.status_code("success"))``. The example defaults to the
    group's first usual code (``200`` for ``success``). Written ``{"match": "statusCode"}``."""
    if isinstance(status, str):
        if status not in STATUS_GROUPS:
            raise ValueError(f"match.status_code: unknown status group {status!r} (known: {', '.join(STATUS_GROUPS)})")
        attr: JSON = status
        default = _STATUS_EXAMPLES[status]
    else:
        codes = list(status)
        if not codes or not all(isinstance(c, int) and not isinstance(c, bool) and 100 <= c <= 599 for c in codes):
            raise ValueError(f"match.status_code: expected a status group or a list of status codes, got {status!r}")
        attr = list(codes)
        default = codes[0]
    return _terms.make(
        "match.status_code",
        default if example is None else example,
        (Matcher("statusCode", {"status": attr}),),
        v2_problem="match.status_code needs spec V3 or later",
    )


# -- dates and times -------------------------------------------------------------------------------

#: the moment examples of example-less date/time matchers show
EXAMPLE_MOMENT = dt.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=dt.timezone.utc)

_DEFAULT_FORMATS = {"date": "yyyy-MM-dd", "time": "HH:mm:ss", "datetime": "yyyy-MM-dd'T'HH:mm:ssXXX"}
_GENERATORS = {"date": "Date", "time": "Time", "datetime": "DateTime"}


def _java_format(fmt: str | None, kind: Literal["date", "time", "datetime"], name: str) -> str:
    """A date/time format as Java writes it: strftime formats (``%Y-%m-%d``) are
    converted, Java patterns (``yyyy-MM-dd``) are kept; ``None`` is the ISO default."""
    if fmt is None:
        return _DEFAULT_FORMATS[kind]
    if not isinstance(fmt, str):
        raise TypeError(f"{name}: format must be a string, got {fmt!r}")
    try:
        java = _javatime.strftime_to_java(fmt) if _javatime.looks_like_strftime(fmt) else fmt
        _javatime.parse_pattern(java)
    except _javatime.JavaTimeError as error:
        raise ValueError(f"{name}: {error}") from None
    return java


def _format_moment(moment: dt.date | dt.time | dt.datetime, java: str, name: str) -> str:
    try:
        return _javatime.parse_pattern(java).format(moment)
    except _javatime.JavaTimeError as error:
        raise ValueError(f"{name}: {error}") from None


def _moment(
    kind: Literal["date", "time", "datetime"],
    example: str | dt.date | dt.time | None,
    fmt: str | None,
    generator: Term | None,
) -> Term:
    name = f"match.{kind}"
    java = _java_format(fmt, kind, name)
    rule = Matcher(kind, {"format": java})
    if example is None:
        value = _format_moment(EXAMPLE_MOMENT, java, name)
        term = _terms.make(
            name, value, (rule,), generator=Generator(_GENERATORS[kind], {"format": java}), v2_rules=(_TYPE,)
        )
    else:
        if isinstance(example, (dt.date, dt.time)):
            example = _format_moment(example, java, name)
        term = _terms.make(name, example, (rule,), v2_rules=(_TYPE,))
    return _terms.with_generator(term, generator)


def date(example: str | dt.date | None = None, format: str | None = None, *, generator: Term | None = None) -> Term:
    """A date in ``format``: a Java pattern (``dd/MM/yyyy``) or a strftime format
    (``%d/%m/%Y``), written as Java; default ``yyyy-MM-dd``. The example may be a
    `datetime.date`. Without one: 2024-01-02 and a ``Date`` generator (today)."""
    return _moment("date", example, format, generator)


def time(
    example: str | dt.time | dt.datetime | None = None, format: str | None = None, *, generator: Term | None = None
) -> Term:
    """A time of day in ``format`` (Java or strftime; default ``HH:mm:ss``)."""
    return _moment("time", example, format, generator)


def datetime(
    example: str | dt.datetime | None = None, format: str | None = None, *, generator: Term | None = None
) -> Term:
    """A date and time in ``format`` (Java or strftime; default
    ``yyyy-MM-dd'T'HH:mm:ssXXX``, e.g. ``2024-01-02T03:04:05Z``)."""
    return _moment("datetime", example, format, generator)
