"""The matching engine: does an actual request, response or message satisfy a pact?

Two ways in:

* `match_request`, `match_response` and `match_message` take the
  expected and actual parts as dicts written as in a pact file of ``spec_version``
  (``"1.0.0"``, ``"1.1.0"``, ``"2.0.0"``, ``"3.0.0"``, ``"4.0"``);
* `request_mismatches`, `response_mismatches` and
  `message_mismatches` take model objects (`apact.model`), already parsed:
  the mock provider and the verifier use these.

All return a list of `Mismatch`; an empty list means a match. The engine is
pure: no I/O, no global state, and it raises nothing but
`PactFileError` (for a pact that cannot be read).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._core._api import publish
from .._core._types import JSON
from ..errors import PactFileError
from ..pact._jsondepth import JsonTooDeepError, check_value
from ..pact._parse import parse_message, parse_request, parse_response
from ..pact._paths import format_token
from ..pact._sniff import CONTENT_TYPE_KEYS
from ..pact.model import HttpRequest, HttpResponse, MatchingRules, MessageContents, Spec, content_type_of, find_header
from ._body import compare_bodies
from ._compiled import Compiled
from ._http import (
    by_name,
    compare_headers,
    compare_media_types,
    compare_method,
    compare_path,
    compare_query,
    compare_raw_query,
    compare_status,
    headers_pass,
)
from ._json import Walk, new_walk
from ._mismatch import Mismatch, show
from ._rules import check_equal, check_rules

__all__ = [
    "Mismatch",
    "match_message",
    "match_request",
    "match_response",
    "message_mismatches",
    "request_mismatches",
    "response_mismatches",
]

publish(__name__, globals(), ["Mismatch"])


def _spec(spec_version: str | Spec) -> Spec:
    try:
        return Spec.parse(spec_version)
    except ValueError as error:
        raise PactFileError(str(error)) from None


def match_request(expected: Mapping[str, Any], actual: Mapping[str, Any], spec_version: str | Spec) -> list[Mismatch]:
    """Mismatches between an expected request and an actual one, both as pact JSON."""
    spec = _spec(spec_version)
    want = _expected(parse_request, expected, spec)
    have = _actual(parse_request, actual, spec)
    return request_mismatches(want, have, spec)


def match_response(expected: Mapping[str, Any], actual: Mapping[str, Any], spec_version: str | Spec) -> list[Mismatch]:
    """Mismatches between an expected response and an actual one, both as pact JSON."""
    spec = _spec(spec_version)
    want = _expected(parse_response, expected, spec)
    have = _actual(parse_response, actual, spec)
    return response_mismatches(want, have, spec)


def match_message(expected: Mapping[str, Any], actual: Mapping[str, Any], spec_version: str | Spec) -> list[Mismatch]:
    """Mismatches between an expected message and an actual one, both as pact JSON."""
    spec = _spec(spec_version)
    want = _expected(parse_message, expected, spec)
    have = _actual(parse_message, actual, spec)
    return message_mismatches(want, have, spec)


def _expected(parse: Any, expected: Mapping[str, Any], spec: Spec) -> Any:
    _check_depth(expected)
    return parse(expected, spec, "$", strict=False)


def _actual(parse: Any, actual: Mapping[str, Any], spec: Spec) -> Any:
    # the actual side carries no rules worth validating, but reads like the expected one
    try:
        _check_depth(actual)
        return parse(actual, spec, "$", strict=False)
    except PactFileError as error:
        raise error.located(prefix="$actual") from None


_BODIES = frozenset({"body", "contents", "content"})


def _check_depth(part: Mapping[str, Any]) -> None:
    """Everything but the body nested no deeper than the limit (bodies are checked, at
    less cost, as they are read): the engine's walks recurse."""
    if not isinstance(part, Mapping):
        return  # the parser says what is wrong with it
    try:
        check_value({key: value for key, value in part.items() if key not in _BODIES})
    except JsonTooDeepError as error:
        raise PactFileError(error.reason, path=error.path()) from None


def request_mismatches(
    expected: HttpRequest, actual: HttpRequest, spec: Spec = Spec.V4, *, compiled: Compiled | None = None
) -> list[Mismatch]:
    """Compare requests: method, path, query, headers, body (no unexpected keys).

    ``compiled`` (the same for the comparisons of one run) keeps the rules compiled
    from one comparison to the next (see `._compiled`)."""
    rules = expected.matching_rules
    walk = new_walk("method", True, compiled)
    compare_method(walk, expected.method, actual.method)
    walk.kind = "path"
    compare_path(walk, expected.path, actual.path, rules.get("path"))
    walk.kind = "query"
    if spec == Spec.V1 and (expected.raw_query is not None or actual.raw_query is not None):
        compare_raw_query(walk, expected.raw_query, actual.raw_query)
    else:
        compare_query(walk, expected.query, actual.query, rules.get("query"))
    _compare_headers_and_body(walk, expected, actual, spec)
    return walk.mismatches


def response_mismatches(
    expected: HttpResponse, actual: HttpResponse, spec: Spec = Spec.V4, *, compiled: Compiled | None = None
) -> list[Mismatch]:
    """Compare responses: status, headers, body (unexpected keys allowed); ``compiled``
    as for `request_mismatches`."""
    rules = expected.matching_rules
    walk = new_walk("status", False, compiled)  # (positional: a call with keywords costs more)
    if (
        expected.status == actual.status
        and "status" not in rules
        and "header" not in rules
        and headers_pass(expected.headers, actual.headers, spec, walk.compiled.media)
    ):
        # the usual response (a verification compares one per interaction): its status
        # and headers settled as passing at a fraction of the cost of comparing them
        walk.kind = "body"
        _compare_body(walk, expected, actual, rules)
        return walk.mismatches
    compare_status(walk, expected.status, actual.status, rules.get("status"))
    _compare_headers_and_body(walk, expected, actual, spec)
    return walk.mismatches


def _compare_headers_and_body(
    walk: Walk, expected: HttpRequest | HttpResponse, actual: HttpRequest | HttpResponse, spec: Spec
) -> None:
    rules = expected.matching_rules
    walk.kind = "header"
    compare_headers(walk, expected.headers, actual.headers, rules.get("header") if rules else None, spec)
    walk.kind = "body"
    _compare_body(walk, expected, actual, rules)


def _compare_body(
    walk: Walk, expected: HttpRequest | HttpResponse, actual: HttpRequest | HttpResponse, rules: MatchingRules
) -> None:
    body = expected.body
    if body is None:
        return  # any body
    got = actual.body
    # the actual's content type as `content_type_of` finds it, written out (a call less):
    # the header under its usual spellings first (an app's, an ASGI server's), as
    # `find_header` looks for it, then `find_header` for any other
    got_type = got.content_type if got is not None else None
    if not got_type and actual.headers:
        headers = actual.headers
        values = headers.get("Content-Type")
        if values is None:
            values = headers.get("content-type")
            if values is None:
                values = find_header(headers, "Content-Type")
        got_type = ", ".join(values) if values else None
    compare_bodies(
        walk,
        "$.body",
        body,
        got,
        body.content_type or content_type_of(body, expected.headers),
        got_type,
        rules.get("body") if rules else None,
    )


def message_mismatches(
    expected: MessageContents, actual: MessageContents, spec: Spec = Spec.V4, *, compiled: Compiled | None = None
) -> list[Mismatch]:
    """Compare messages: contents (unexpected keys allowed) and metadata; ``compiled``
    as for `request_mismatches`."""
    rules = expected.matching_rules
    walk = new_walk("body", False, compiled)
    compare_bodies(
        walk,
        "$.contents",
        expected.contents,
        actual.contents,
        expected.content_type(),
        actual.content_type(),
        rules.get("body"),
    )
    walk.kind = "metadata"
    _compare_metadata(walk, expected.metadata, actual.metadata, rules.get("metadata"))
    return walk.mismatches


def _compare_metadata(walk: Walk, expected: Mapping[str, JSON], actual: Mapping[str, JSON], rules: Any) -> None:
    named = by_name(rules, fold_case=False)
    for key, value in expected.items():
        path = "$.metadata" + format_token(key)
        if key in CONTENT_TYPE_KEYS:
            found = next((actual[k] for k in CONTENT_TYPE_KEYS if k in actual), None)
        else:
            found = actual.get(key, _MISSING)
        if found is _MISSING or (found is None and key in CONTENT_TYPE_KEYS):
            walk.fail(path, value, None, f"expected metadata {show(key)}: {show(value)}, but it is missing")
            continue
        rule_list = named.get(key)
        if rule_list is not None:
            for reason in check_rules(rule_list, value, found):
                walk.fail(path, value, found, reason)
            continue
        if key in CONTENT_TYPE_KEYS and isinstance(value, str) and isinstance(found, str):
            problem = compare_media_types(value, found)
        else:
            problem = check_equal(value, found)
        if problem is not None:
            walk.fail(path, value, found, problem)


_MISSING: Any = object()
