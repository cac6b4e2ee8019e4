"""Method, path, query, headers and status: the parts of HTTP around the body."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, unquote_plus

from ..pact import _sniff
from ..pact._paths import PathError, parse_path
from ..pact.model import Headers, Query, RuleList, Spec, find_header
from ._body import compare_value_lists
from ._compiled import LIMIT
from ._json import Walk
from ._mismatch import show
from ._rules import EMPTY, check_equal, check_rules

# headers whose values contain commas that do not separate values
_UNSPLIT = frozenset(
    {
        "date",
        "expires",
        "last-modified",
        "if-modified-since",
        "if-unmodified-since",
        "retry-after",
        "set-cookie",
        "cookie",
        "user-agent",
        "www-authenticate",
        "proxy-authenticate",
        "authorization",
    }
)
_MEDIA_TYPE_HEADERS = frozenset({"content-type", "accept"})
_FOLD = re.compile(r"\r?\n[ \t]+")


def by_name(rules: Mapping[str, RuleList] | None, *, fold_case: bool) -> dict[str, RuleList]:
    """Header/query/metadata rules keyed by plain name (files also write ``$.name``)."""
    if not rules:
        return {}
    named: dict[str, RuleList] = {}
    for key, rule_list in rules.items():
        name = key
        if key.startswith("$"):
            try:
                tokens = parse_path(key)
            except PathError:
                tokens = ()
            if len(tokens) == 1 and isinstance(tokens[0], str):
                name = tokens[0]
        named[name.lower() if fold_case else name] = rule_list
    return named


def compare_method(walk: Walk, expected: str, actual: str) -> None:
    if expected.upper() != actual.upper():
        walk.fail(
            "$.method", expected.upper(), actual.upper(), f"expected method {expected.upper()}, got {actual.upper()}"
        )


def compare_path(walk: Walk, expected: str, actual: str, rules: Mapping[str, RuleList] | None) -> None:
    rule_list = (rules or {}).get("")
    if rule_list is not None:
        for reason in check_rules(rule_list, expected, actual, textual=True):
            walk.fail("$.path", expected, actual, reason)
    elif expected != actual and _decoded(expected) != _decoded(actual):
        walk.fail("$.path", expected, actual, f"expected path {show(expected)}, got {show(actual)}")


_ESCAPE = re.compile(r"%(?!2[Ff])[0-9A-Fa-f]{2}")


def _decoded(path: str) -> str:
    """A path with its percent-escapes decoded (except ``%2F``, which is not ``/``):
    pacts record paths encoded (the Rust core) or decoded (apact), both mean the same."""
    return _ESCAPE.sub(lambda m: unquote(m.group()), path) if "%" in path else path


def compare_status(walk: Walk, expected: int, actual: int, rules: Mapping[str, RuleList] | None) -> None:
    rule_list = rules.get("") if rules else None
    if rule_list is not None:
        for reason in check_rules(rule_list, expected, actual):
            walk.fail("$.status", expected, actual, reason)
    elif expected != actual:
        walk.fail("$.status", expected, actual, f"expected status {expected}, got {actual}")


def compare_query(
    walk: Walk,
    expected: Query | None,
    actual: Query | None,
    rules: Mapping[str, RuleList] | None,
) -> None:
    compare_value_lists(
        walk,
        "$.query",
        EMPTY,
        expected or {},
        actual or {},
        what="query parameter",
        rules_by_name=walk.compiled.by_name(rules, False, lambda: by_name(rules, fold_case=False)),
    )


def compare_raw_query(walk: Walk, expected: str | None, actual: str | None) -> None:
    """V1: the query strings must be the same (after percent-decoding)."""
    want = unquote_plus(expected or "")
    have = unquote_plus(actual or "")
    if want != have:
        walk.fail("$.query", expected or "", actual or "", f"expected the query string {show(want)}, got {show(have)}")


def compare_headers(
    walk: Walk,
    expected: Headers | None,
    actual: Headers | None,
    rules: Mapping[str, RuleList] | None,
    spec: Spec,
) -> None:
    if not expected:
        return
    # (no rules, the usual case: no lambda made, no table asked)
    named = walk.compiled.by_name(rules, True, lambda: by_name(rules, fold_case=True)) if rules else None
    for name, values in expected.items():
        path = ("$.headers", name)  # written out only for a mismatch
        found = find_header(actual, name)
        want = _joined(values)
        if found is None:
            walk.fail(path, want, None, f"expected header {name}: {show(want)}, but it is missing")
            continue
        have = _joined(found)
        lowered = name.lower()
        rule_list = named.get(lowered) if named else None
        if rule_list is not None:
            # a header given several times: the rules apply to each value, as the core
            # applies them (one value holding commas is still one value)
            pairs = [(want, have)] if len(found) < 2 else [(_each(values, i), v.strip()) for i, v in enumerate(found)]
            for one_want, one_have in pairs:
                for reason in check_rules(rule_list, one_want, one_have, textual=True):
                    walk.fail(path, want, have, reason)
            continue
        if spec >= _V3 and lowered in _MEDIA_TYPE_HEADERS:
            media = walk.compiled.media
            problem = media.get((want, have), _UNKNOWN)
            if problem is _UNKNOWN:
                problem = compare_media_types(want, have)
                if len(media) < LIMIT:
                    media[want, have] = problem
        elif lowered in _UNSPLIT:
            problem = None if want == have else f"expected {show(want)}, got {show(have)}"
        else:
            problem = _compare_split(want, have)
        if problem is not None:
            walk.fail(path, want, have, problem)


_V3 = Spec.V3


def headers_pass(
    expected: Headers | None, actual: Headers | None, spec: Spec, media: Mapping[tuple[str, str], str | None]
) -> bool:
    """Whether `compare_headers` (given no header rules) would find nothing, settled
    without its calls: every expected header is present (under its name as written or
    lower-cased, where `find_header` looks first) with the same values, or is a media
    type whose comparison with the value found is in ``media`` as passing. ``False``
    says nothing: `compare_headers` decides (and words what differs)."""
    if not expected:
        return True
    if not actual:
        return False
    for name, values in expected.items():
        found = actual.get(name)
        if found is None:
            found = actual.get(name.lower())
            if found is None:
                return False
        if found == values:
            continue  # the same values: whatever the header, nothing to say
        if len(values) != 1 or len(found) != 1 or spec < _V3 or name.lower() not in _MEDIA_TYPE_HEADERS:
            return False
        want, have = values[0], found[0]
        # (the key `compare_headers` keeps the verdict under: each value as `_joined` gives it)
        if "\n" in want or "\n" in have or media.get((want.strip(), have.strip()), _UNKNOWN) is not None:
            return False
    return True


def _each(values: list[str], index: int) -> str:
    """The expected value matching the actual one at ``index`` (the last if fewer)."""
    return _FOLD.sub(" ", values[min(index, len(values) - 1)]).strip() if values else ""


def _joined(values: list[str]) -> str:
    if len(values) == 1 and "\n" not in values[0]:
        return values[0].strip()
    return ", ".join(_FOLD.sub(" ", value).strip() for value in values)


_UNKNOWN: Any = object()


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",")]


def _compare_split(want: str, have: str) -> str | None:
    if _split(want) == _split(have):
        return None
    return check_equal(want, have)


def compare_media_types(want: str, have: str) -> str | None:
    wanted, found = _split(want), _split(have)
    if len(wanted) != len(found):
        return f"expected {show(want)}, got {show(have)}"
    for one, other in zip(wanted, found):
        _, params = _sniff.parse_content_type(one)
        _, other_params = _sniff.parse_content_type(other)
        # header values are case-sensitive (spec testcases), parameters aside
        if one.split(";")[0].strip() != other.split(";")[0].strip():
            return f"expected {show(want)}, got {show(have)}"
        lowered = {k.lower(): v for k, v in other_params.items()}
        for key, value in params.items():
            actual_value = lowered.get(key.lower())
            if actual_value is None:
                return f"expected {show(want)} (with {key}={value}), got {show(have)}"
            same = actual_value.lower() == value.lower() if key.lower() == "charset" else actual_value == value
            if not same:
                return f"expected {key}={value}, got {key}={actual_value} in {show(have)}"
    return None
