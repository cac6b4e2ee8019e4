"""Read matching rules and generators (V2 flat JSON paths, V3/V4 categories).

Every matcher is checked as it is read (a known type, a valid regex, a valid date
format, sane ``min``/``max``), so that matching never meets a broken rule; problems
raise `PactFileError` with the JSON path of the offending value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from .._core._frozen import builder
from ._paths import PathError, child_path, format_path, parse_path
from ._reading import expect_object, expect_string, fail, json_kind
from .model import Generator, Generators, Matcher, MatchingRules, RuleList, Spec

T = TypeVar("T")

# matcher names as files write them -> the name the engine dispatches on
MATCHER_NAMES: dict[str, str] = {
    "equality": "equality",
    "regex": "regex",
    "type": "type",
    "min": "type",
    "max": "type",
    "min-type": "type",
    "max-type": "type",
    "minmax": "type",
    "include": "include",
    "integer": "integer",
    "decimal": "decimal",
    "real": "decimal",
    "number": "number",
    "boolean": "boolean",
    "null": "null",
    "date": "date",
    "time": "time",
    "timestamp": "datetime",
    "datetime": "datetime",
    "contentType": "contentType",
    "content-type": "contentType",
    "values": "values",
    "eachKey": "eachKey",
    "each-key": "eachKey",
    "eachValue": "eachValue",
    "each-value": "eachValue",
    "arrayContains": "arrayContains",
    "array-contains": "arrayContains",
    "semver": "semver",
    "notEmpty": "notEmpty",
    "not-empty": "notEmpty",
    "statusCode": "statusCode",
    "status-code": "statusCode",
}

STATUS_GROUPS = (
    "info",
    "success",
    "redirect",
    "clientError",
    "serverError",
    "nonError",
    "error",
)

GENERATOR_TYPES = frozenset(
    {
        "RandomInt",
        "RandomDecimal",
        "RandomHexadecimal",
        "RandomString",
        "Regex",
        "Uuid",
        "Date",
        "Time",
        "DateTime",
        "RandomBoolean",
        "ProviderState",
        "MockServerURL",
    }
)

# categories whose rules/generators have no key level
SINGLE_VALUE_CATEGORIES = frozenset({"path", "status"})


# -- matching rules ------------------------------------------------------------------------


def parse_matching_rules(raw: object, path: str, spec: Spec, *, message: bool = False) -> MatchingRules:
    """V2 flat JSON-path keys or V3/V4 categories -> ``category -> key -> RuleList``,
    whatever ``spec`` the pact says (kept in the signature for the callers)."""
    del spec
    if raw is None:
        return {}
    raw = expect_object(raw, path)
    if not raw:
        return {}
    # the keys tell the form, not the pact's version, as in the core: pact-jvm 3.x wrote
    # V3 categories in V2 pacts, and some tools V2 paths in V3 ones
    if any(key.startswith("$") for key in raw):
        return _parse_v2_rules(raw, path, message=message)
    return _by_category(raw, path, parse_rule_list, marker="matchers")


def _by_category(
    raw: dict[str, Any], path: str, parse: Callable[[object, str], T], *, marker: str
) -> dict[str, dict[str, T]]:
    """V3+ ``{category: {key: item}}`` (rules or generators) -> ``category -> key -> item``.

    ``path`` and ``status`` hold one item, written bare or under a ``"$"`` key (the
    item is recognised by its ``marker`` attribute); body keys are JSON paths.
    """
    parsed: dict[str, dict[str, T]] = {}
    for category, entries in raw.items():
        where = child_path(path, category)
        name = _category(category)
        entries = expect_object(entries, where)
        if not entries:  # an empty category, as the Rust core itself writes ("status": {})
            continue
        if name in SINGLE_VALUE_CATEGORIES:
            if marker not in entries and len(entries) == 1:  # written with a "$" key
                ((key, entries),) = entries.items()
                where = child_path(where, key)
            parsed[name] = {"": parse(entries, where)}
            continue
        target = parsed.setdefault(name, {})
        for key, item in entries.items():
            key_path = child_path(where, key)
            target[_body_key(key, key_path) if name == "body" else key] = parse(item, key_path)
    return parsed


def _category(name: str) -> str:
    if name == "headers":
        return "header"
    if name in ("content", "contents"):
        return "body"
    return name


#: a plugin's own rule key (``column:1`` for CSV): not a JSON path, kept as written
_PLUGIN_KEY = re.compile(r"[A-Za-z][\w-]*:")


def _body_key(key: str, path: str) -> str:
    if _PLUGIN_KEY.match(key):
        return key
    try:
        parse_path(key)
    except PathError as error:
        raise fail(f"invalid JSON path: {error}", path) from None
    return key  # "id" is "$.id" to the engine (and to the core), and written back as it came


def _parse_v2_rules(raw: dict[str, Any], path: str, *, message: bool) -> MatchingRules:
    rules: MatchingRules = {}
    for key, rule in raw.items():
        where = child_path(path, key)
        try:
            tokens = parse_path(key)
        except PathError as error:
            raise fail(f"invalid JSON path: {error}", where) from None
        if not tokens:
            raise fail("a V2 matching rule path must name what it applies to ($.body, $.headers, ...)", where)
        head, rest = tokens[0], tokens[1:]
        if head == "body" or (message and head in ("contents", "content")):
            category, name = "body", _body_rest(key, head, rest)
        elif head in ("headers", "header", "query", "metadata", "metaData"):
            if len(rest) == 2 and isinstance(rest[0], str) and isinstance(rest[1], int):
                rest = rest[:1]  # pact-go v1 wrote "$.query.foo[0]": the parameter's rule, as the core reads it
            if len(rest) != 1 or not isinstance(rest[0], str):
                raise fail(f"expected $.{head}.<name>", where)
            category = {"headers": "header", "metaData": "metadata"}.get(head, head)
            name = rest[0]
        elif head in ("path", "status") and not rest:
            category, name = head, ""
        else:
            raise fail(
                f"unknown matching rule target {head!r} (expected body, headers, query or path)",
                where,
            )
        rules.setdefault(category, {})[name] = parse_rule_list(rule, where)
    return rules


def _body_rest(key: str, head: str, rest: tuple[Any, ...]) -> str:
    """``$.body.a[*]`` -> ``$.a[*]``, keeping the author's spelling where possible."""
    prefix = "$." + head
    if key.startswith(prefix) and key[len(prefix) : len(prefix) + 1] in ("", ".", "["):
        return "$" + key[len(prefix) :]
    return format_path(rest)


#: made at a plain class's cost (`._core._frozen`): a pact has a few for each interaction
_new_rule_list = builder(RuleList)
_new_matcher = builder(Matcher)


def parse_rule_list(raw: object, path: str) -> RuleList:
    raw = expect_object(raw, path)
    if "matchers" in raw:
        matchers_raw = raw["matchers"]
        where = path + ".matchers"
        if not isinstance(matchers_raw, list):
            raise fail(f"expected an array of matchers, got {json_kind(matchers_raw)}", where)
        combine = raw.get("combine", "AND")
        if combine not in ("AND", "OR"):
            raise fail(f"combine must be AND or OR, got {combine!r}", path + ".combine")
        # (from a list, not a generator: a generator costs more than a rule's one matcher)
        matchers = tuple([parse_matcher(m, f"{where}[{i}]") for i, m in enumerate(matchers_raw)])
        return _new_rule_list(matchers, combine)
    # V2 style (also seen in V3 files): the matcher itself
    return RuleList((parse_matcher(raw, path),))


def parse_matcher(raw: object, path: str) -> Matcher:
    raw = expect_object(raw, path)
    attrs = {k: v for k, v in raw.items() if k != "match"}
    if "match" in raw:
        written = raw["match"]
        if not isinstance(written, str):
            raise fail(f"matcher type must be a string, got {json_kind(written)}", path + ".match")
        if written not in MATCHER_NAMES:
            raise fail(
                f"unknown matcher type {written!r} (known: {', '.join(sorted(set(MATCHER_NAMES)))})",
                path + ".match",
            )
        name = written
    elif "regex" in raw:
        name = "regex"
    elif "min" in raw or "max" in raw:
        name = "type"
    elif named := [key for key in ("timestamp", "date", "time") if key in raw]:
        name = named[0]  # old pact-jvm: {"timestamp": "yyyy-MM-dd"}, the format named after the rule
    else:
        raise fail("a matcher needs a 'match' attribute", path)
    _check_matcher(MATCHER_NAMES[name], attrs, path, name)
    return _new_matcher(name, attrs)


def date_format(attrs: Mapping[str, Any], name: str) -> object:
    """A date/time matcher's format: ``format``, or (old pact-jvm) the attribute named
    after the rule, ``{"match": "timestamp", "timestamp": "yyyy-MM-dd"}``, as the core reads it."""
    return attrs.get("format", attrs.get(name))


def _check_matcher(kind: str, attrs: dict[str, Any], path: str, name: str = "") -> None:
    """Validate a matcher's attributes so that matching never meets a broken rule."""
    if kind == "regex":
        regex = attrs.get("regex")
        where = path + ".regex"
        if not isinstance(regex, str):
            raise fail(f"a regex matcher needs a 'regex' string, got {json_kind(regex)}", where)
        from .. import _regex  # the regex machinery, for pacts that have a regex

        try:
            _regex.compile_regex(regex)
        except _regex.RegexError as error:
            raise fail(str(error), where) from None
    elif kind == "type" or "min" in attrs or "max" in attrs:
        for bound in ("min", "max"):
            if bound in attrs:
                attrs[bound] = _as_count(attrs[bound], child_path(path, bound))
    if kind in ("date", "time", "datetime"):
        fmt = date_format(attrs, name)
        if fmt is not None:
            where = child_path(path, "format" if "format" in attrs else name)
            if not isinstance(fmt, str):
                raise fail(f"a date/time format must be a string, got {json_kind(fmt)}", where)
            from .. import _javatime  # the date/time patterns, for pacts that have one

            try:
                _javatime.parse_pattern(fmt)
            except _javatime.JavaTimeError as error:
                raise fail(str(error), where) from None
    elif kind == "include":
        if "value" not in attrs:
            raise fail("an include matcher needs a 'value'", path)
    elif kind == "contentType":
        if not isinstance(attrs.get("value"), str):
            raise fail("a contentType matcher needs a 'value' string", path)
    elif kind == "statusCode":
        status = attrs.get("status")
        where = path + ".status"
        if isinstance(status, list):
            if not all(isinstance(s, int) and not isinstance(s, bool) for s in status):
                raise fail("statusCode 'status' must be a group name or an array of codes", where)
        elif status not in STATUS_GROUPS:
            raise fail(f"unknown status group {status!r} (known: {', '.join(STATUS_GROUPS)})", where)
    elif kind in ("eachKey", "eachValue"):
        rules = attrs.get("rules", [])
        where = path + ".rules"
        if not isinstance(rules, list):
            raise fail(f"expected an array of matchers, got {json_kind(rules)}", where)
        for index, rule in enumerate(rules):
            parse_matcher(rule, child_path(where, index))
    elif kind == "arrayContains":
        variants = attrs.get("variants")
        where = path + ".variants"
        if not isinstance(variants, list):
            raise fail(f"an arrayContains matcher needs a 'variants' array, got {json_kind(variants)}", where)
        for index, variant in enumerate(variants):
            vpath = child_path(where, index)
            variant = expect_object(variant, vpath)
            if not isinstance(variant.get("index"), int):
                raise fail("a variant needs an integer 'index'", vpath)
            rules = variant.get("rules") or {}
            rpath = vpath + ".rules"
            for key, rule_list in expect_object(rules, rpath).items():
                _body_key(key, child_path(rpath, key))
                parse_rule_list(rule_list, child_path(rpath, key))


def _as_count(value: object, path: str) -> int:
    if isinstance(value, bool):
        raise fail(f"expected a non-negative integer, got {json_kind(value)}", path)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or value < 0:
        raise fail(f"expected a non-negative integer, got {value!r}", path)
    return value


def matcher_list(raw: list[Any], path: str) -> tuple[Matcher, ...]:
    """Parse the ``rules`` of eachKey/eachValue (already validated)."""
    return tuple(parse_matcher(m, child_path(path, i)) for i, m in enumerate(raw))


# -- generators ----------------------------------------------------------------------------


def parse_generators(raw: object, path: str) -> Generators:
    if raw is None:
        return {}
    return _by_category(expect_object(raw, path), path, parse_generator, marker="type")


def parse_generator(raw: object, path: str) -> Generator:
    raw = expect_object(raw, path)
    kind = raw.get("type")
    if not isinstance(kind, str):
        raise fail(f"a generator needs a 'type' string, got {json_kind(kind)}", path)
    if kind not in GENERATOR_TYPES:
        raise fail(
            f"unknown generator type {kind!r} (known: {', '.join(sorted(GENERATOR_TYPES))})",
            path + ".type",
        )
    attrs = {k: v for k, v in raw.items() if k != "type"}
    if kind == "Regex":
        regex = attrs.get("regex")
        if not isinstance(regex, str):
            raise fail("a Regex generator needs a 'regex' string", path)
        from .. import _regex

        try:
            _regex.compile_regex(regex)
        except _regex.RegexError as error:
            raise fail(str(error), path + ".regex") from None
    elif kind in ("Date", "Time", "DateTime") and attrs.get("format") is not None:
        fmt = attrs["format"]
        from .. import _javatime

        try:
            _javatime.parse_pattern(expect_string(fmt, path + ".format"))
        except _javatime.JavaTimeError as error:
            raise fail(str(error), path + ".format") from None
    elif kind == "ProviderState" and not isinstance(attrs.get("expression"), str):
        raise fail("a ProviderState generator needs an 'expression' string", path)
    return Generator(kind, attrs)
