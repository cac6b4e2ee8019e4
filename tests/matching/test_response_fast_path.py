"""The shortcuts of a response's comparison (a verification compares one per
interaction) say exactly what the full comparison says: the same mismatches, worded
the same, at the same paths, in the same order, passing or failing.

The reference is the same comparison with the shortcuts turned off: `headers_pass`
never settling the status and headers, `_sizes` never settling an array's length.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import apact.matching as matching
from apact.matching import _json, response_mismatches
from apact.matching._compiled import Compiled, rules_key
from apact.model import Spec
from apact.pact import _jsondepth
from apact.pact._parse import parse_response
from apact.pact._parse_rules import parse_rule_list
from apact.pact.model import _UNSET, Body, HttpResponse

_BODY_RULES = {
    "$.id": {"matchers": [{"match": "integer"}]},
    "$.cooking": {"matchers": [{"match": "regex", "regex": "^(rare|medium)$"}]},
    "$.sides": {"matchers": [{"match": "type", "min": 1, "max": 2}]},
    "$.sides[*].price": {"matchers": [{"match": "number"}]},
}
_BODY = {"id": 1, "cooking": "rare", "sides": [{"name": "chips", "price": 2.5}]}


def expected_response(*, rules: bool = True, headers: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    document: dict[str, Any] = {
        "status": status,
        "headers": {"Content-Type": "application/json"} if headers is None else headers,
        "body": _BODY,
    }
    if rules:
        document["matchingRules"] = {"body": _BODY_RULES}
    return parse_response(document, Spec.V3, strict=False)


def received(body: Any, headers: dict[str, list[str]] | None = None, status: int = 200) -> HttpResponse:  # noqa: ANN401
    """An app's answer as the verifier makes it: lower-cased headers, the body as bytes."""
    content = body if isinstance(body, bytes) else json.dumps(body, separators=(",", ":")).encode()
    headers = (
        {"content-type": ["application/json"], "content-length": [str(len(content))]} if headers is None else headers
    )
    return HttpResponse(status, headers, Body(content, None, False, _UNSET))


def reference(
    monkeypatch: pytest.MonkeyPatch, expected: HttpResponse, actual: HttpResponse, spec: Spec
) -> list[matching.Mismatch]:
    with monkeypatch.context() as patched:
        patched.setattr(matching, "headers_pass", lambda *_: False)
        patched.setattr(_json, "_sizes", lambda *_: None)
        return response_mismatches(expected, _fresh(actual), spec)


def _fresh(response: HttpResponse) -> HttpResponse:
    """The same response, its body not parsed yet (as each comparison gets it)."""
    body = response.body
    assert body is not None
    return HttpResponse(response.status, response.headers, Body(body.content, body.content_type, body.null, _UNSET))


HEADERS: list[tuple[str, dict[str, Any], dict[str, list[str]]]] = [
    ("same", {"Content-Type": "application/json"}, {"content-type": ["application/json"]}),
    ("same name as written", {"Content-Type": "application/json"}, {"Content-Type": ["application/json"]}),
    (
        "both spellings",
        {"Content-Type": "application/json"},
        {"Content-Type": ["text/plain"], "content-type": ["application/json"]},
    ),
    ("other name case", {"Content-Type": "application/json"}, {"CONTENT-TYPE": ["application/json"]}),
    ("value case", {"Content-Type": "application/json"}, {"content-type": ["Application/JSON"]}),
    ("whitespace", {"Content-Type": "application/json"}, {"content-type": [" application/json "]}),
    ("missing", {"Content-Type": "application/json"}, {"content-length": ["12"]}),
    ("extra parameter", {"Content-Type": "application/json"}, {"content-type": ["application/json; charset=utf-8"]}),
    ("missing parameter", {"Content-Type": "application/json; charset=utf-8"}, {"content-type": ["application/json"]}),
    (
        "other charset",
        {"Content-Type": "application/json; charset=utf-8"},
        {"content-type": ["application/json; charset=latin-1"]},
    ),
    (
        "charset case",
        {"Content-Type": "application/json; charset=UTF-8"},
        {"content-type": ["application/json; charset=utf-8"]},
    ),
    ("same parameters", {"Content-Type": "text/plain; a=1; A=2"}, {"content-type": ["text/plain; a=1; A=2"]}),
    ("two values", {"X-Tags": ["a", "b"]}, {"x-tags": ["a", "b"]}),
    ("two values, one header", {"X-Tags": ["a", "b"]}, {"x-tags": ["a, b"]}),
    ("one value, two headers", {"X-Tags": "a, b"}, {"x-tags": ["a", "b"]}),
    ("commas without spaces", {"X-Tags": "a, b"}, {"x-tags": ["a,b"]}),
    ("folded", {"X-Note": "one\n two"}, {"x-note": ["one two"]}),
    ("a date", {"Date": "Mon, 1 Jan 2024"}, {"date": ["Mon,1 Jan 2024"]}),
    ("empty", {"X-Empty": ""}, {"x-empty": [""]}),
    ("no headers expected", {}, {}),
    ("none received", {"Content-Type": "application/json"}, {}),
]


@pytest.mark.parametrize("spec", [Spec.V2, Spec.V3, Spec.V4], ids=str)
@pytest.mark.parametrize(("name", "headers", "found"), HEADERS, ids=[h[0] for h in HEADERS])
def test_headers_settled_or_not_say_what_the_full_comparison_says(
    monkeypatch: pytest.MonkeyPatch, spec: Spec, name: str, headers: dict[str, Any], found: dict[str, list[str]]
) -> None:
    del name
    compiled = Compiled()  # shared, so the second comparison finds the media types compared
    want = expected_response(headers=headers)
    for _ in range(2):
        got = received(_BODY, found)
        assert response_mismatches(want, got, spec, compiled=compiled) == reference(monkeypatch, want, got, spec)


def test_a_settled_media_type_is_one_found_to_pass() -> None:
    compiled = Compiled()
    want = expected_response(headers={"Content-Type": "application/json"})
    assert (
        response_mismatches(
            want, received(_BODY, {"content-type": ["application/json; charset=utf-8"]}), compiled=compiled
        )
        == []
    )
    assert compiled.media == {("application/json", "application/json; charset=utf-8"): None}
    (mismatch,) = response_mismatches(want, received(_BODY, {"content-type": ["text/json"]}), compiled=compiled)
    assert mismatch.path == "$.headers['Content-Type']"
    (again,) = response_mismatches(want, received(_BODY, {"content-type": ["text/json"]}), compiled=compiled)
    assert again == mismatch  # a verdict kept as failing is worded again, not settled


BODIES: list[tuple[str, Any]] = [
    ("passing", {"id": 7, "cooking": "medium", "sides": [{"name": "fries", "price": 3}]}),
    ("extra keys", {"id": 7, "cooking": "rare", "sides": [{"name": "fries", "price": 3, "hot": True}], "x": 1}),
    ("missing keys", {"cooking": "rare", "sides": [{"price": 3}]}),
    ("wrong types", {"id": "7", "cooking": 1, "sides": {"name": "fries"}}),
    ("a float for an integer", {"id": 7.0, "cooking": "rare", "sides": [{"name": "fries", "price": 3}]}),
    ("regex", {"id": 7, "cooking": "well-done", "sides": [{"name": "fries", "price": 3}]}),
    ("too few items", {"id": 7, "cooking": "rare", "sides": []}),
    ("too many items", {"id": 7, "cooking": "rare", "sides": [{"name": "a", "price": 1}] * 3}),
    ("items of another type", {"id": 7, "cooking": "rare", "sides": ["chips"]}),
    ("an item's value wrong", {"id": 7, "cooking": "rare", "sides": [{"name": "a", "price": "1"}]}),
    ("an array", [_BODY]),
    ("same as the pact", _BODY),
    ("not JSON", b"{not json"),
    ("JSON and more", b'{"id": 1} {}'),
]


@pytest.mark.parametrize("rules", [True, False], ids=["rules", "no rules"])
@pytest.mark.parametrize(("name", "body"), BODIES, ids=[b[0] for b in BODIES])
def test_bodies_say_what_the_full_comparison_says(
    monkeypatch: pytest.MonkeyPatch, rules: bool, name: str, body: Any
) -> None:  # noqa: ANN401
    compiled = Compiled()
    want = expected_response(rules=rules)
    for _ in range(2):  # the second time through the tables the first one filled
        got = received(body)
        found = response_mismatches(want, got, Spec.V4, compiled=compiled)
        assert found == reference(monkeypatch, want, got, Spec.V4)
    # (a response may carry keys the pact does not list)
    passes = name == "same as the pact" or (rules and name in ("passing", "extra keys"))
    assert (found == []) == passes, found


@pytest.mark.parametrize("status", [200, 201, 500])
def test_a_status_that_differs_is_compared_in_full(monkeypatch: pytest.MonkeyPatch, status: int) -> None:
    want = expected_response()
    got = received(_BODY, {"content-type": ["text/plain"]}, status=status)
    found = response_mismatches(want, got, Spec.V4)
    assert found == reference(monkeypatch, want, got, Spec.V4)
    assert [m.kind for m in found] == (["status"] if status != 200 else []) + ["header", "body type"]


def test_status_and_header_rules_are_compared_in_full() -> None:
    document = {
        "status": 200,
        "headers": {"Content-Type": "application/json", "X-Count": "1"},
        "body": {"id": 1},
        "matchingRules": {
            "status": {"matchers": [{"match": "statusCode", "status": "success"}]},
            "header": {"X-Count": {"matchers": [{"match": "regex", "regex": "\\d+"}]}},
        },
    }
    want = parse_response(document, Spec.V4, strict=False)
    assert (
        response_mismatches(want, received({"id": 1}, {"content-type": ["application/json"], "x-count": ["7"]}, 204))
        == []
    )
    found = response_mismatches(
        want, received({"id": 1}, {"content-type": ["application/json"], "x-count": ["1"]}, 404)
    )
    assert [m.path for m in found] == ["$.status"]  # the same status and header, still under the rules
    (mismatch,) = response_mismatches(
        want, received({"id": 1}, {"content-type": ["application/json"], "x-count": ["x"]})
    )
    assert mismatch.path == "$.headers['X-Count']"


def test_an_array_rule_cascading_to_nested_arrays_does_not_bound_them(monkeypatch: pytest.MonkeyPatch) -> None:
    document = {
        "status": 200,
        "body": {"grid": [[1, 2], [3, 4]]},
        "matchingRules": {"body": {"$.grid": {"matchers": [{"match": "type", "min": 2, "max": 2}]}}},
    }
    want = parse_response(document, Spec.V4, strict=False)
    for grid in ([[1], [2, 3, 4]], [[1]], [[1, 2], [3, 4], [5, 6]], [["a"], [1.5]]):
        got = received({"grid": grid}, {})
        assert response_mismatches(want, got) == reference(monkeypatch, want, got, Spec.V4), grid


@pytest.mark.parametrize(
    "one",
    [
        {"$.a": [{"match": "type"}]},
        {"$.a": [{"match": "type", "min": 1}]},
        {"$.a": [{"match": "type"}, {"match": "type"}]},
        {"$.a": [{"match": "type"}], "$.b": [{"match": "type"}]},
        {"$.a": []},
        {"$.b": [{"match": "type"}]},
        {"$.a": [{"match": "integer"}]},
    ],
)
def test_rules_keys_are_equal_only_for_equal_rules(one: dict[str, list[dict[str, Any]]]) -> None:
    others: list[dict[str, list[dict[str, Any]]]] = [
        {"$.a": [{"match": "type"}]},
        {"$.a": [{"match": "type", "min": 1}]},
        {"$.a": [{"match": "type"}, {"match": "type"}]},
        {"$.a": [{"match": "type"}], "$.b": [{"match": "type"}]},
        {"$.a": []},
        {"$.b": [{"match": "type"}]},
        {"$.a": [{"match": "integer"}]},
        {"$.a": [{"match": "type", "min": 1}, {"match": "integer"}]},
    ]

    def parsed(rules: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
        return {path: parse_rule_list({"matchers": matchers}, "$") for path, matchers in rules.items()}

    key = rules_key(parsed(one))
    assert key == rules_key(parsed(one))
    assert [other for other in others if rules_key(parsed(other)) == key] == [one]


@pytest.mark.parametrize(
    "data",
    [
        b'{"a":1}',
        b'{"a":1} \n',
        b'{"a":1}x',
        b"[1,",
        b"{}",
        b"[]",
        b'{"a":"\xff"}',
        b'{"a":"\xed\xa0\x80"}',  # a lone surrogate, as json.loads reads it
        '{"a":"é"}'.encode("utf-16-le"),
        "[1]".encode("utf-32-le"),
        "[1]".encode("utf-16-be"),
        b"{\x00}",
        b'"text"',
        b"12",
        b"",
    ],
)
def test_loads_reads_what_json_loads_reads(data: bytes) -> None:
    def outcome(read: Any) -> tuple[str, Any]:  # noqa: ANN401
        try:
            return "value", read(data)
        except ValueError as error:
            return type(error).__name__, str(error)

    assert outcome(_jsondepth.loads) == outcome(json.loads)


@pytest.mark.parametrize(
    ("category", "rule", "path"),
    [
        ("status", {"matchers": [{"match": "statusCode", "status": "serverError"}]}, "$.status"),
        ("header", {"X-Count": {"matchers": [{"match": "regex", "regex": "\\d+"}]}}, "$.headers['X-Count']"),
    ],
)
def test_rules_on_the_status_and_headers_apply_even_to_the_pacts_own_values(
    category: str, rule: dict[str, Any], path: str
) -> None:
    """A pact's example need not match its own rules: a status and headers that are the
    pact's own are still checked against them (not settled for being the same)."""
    document = {
        "status": 200,
        "headers": {"Content-Type": "application/json", "X-Count": "one"},
        "body": {"id": 1},
        "matchingRules": {category: rule},
    }
    want = parse_response(document, Spec.V4, strict=False)
    found = response_mismatches(want, received({"id": 1}, {"content-type": ["application/json"], "x-count": ["one"]}))
    assert [m.path for m in found] == [path]
