"""Matching as the official core does on shapes the specification's testcases leave
open (issue 16): a header given several times, ``notEmpty`` and the type (checked for
an array or an object only). Their
verdicts against the core itself are in tests/verifier/test_verifier_core_shapes.py."""

from __future__ import annotations

import json

import pytest

from apact._core._types import JSON
from apact.matching import response_mismatches
from apact.model import Body, HttpResponse, Matcher, RuleList, Spec

REGEX = {"header": {"X-Test": RuleList((Matcher("regex", {"regex": "\\d+"}),))}}


def header_mismatches(expected: list[str], actual: list[str]) -> list[str]:
    want = HttpResponse(200, {"X-Test": expected}, matching_rules=REGEX)
    have = HttpResponse(200, {"x-test": actual})
    return [str(m) for m in response_mismatches(want, have, Spec.V4)]


def test_the_rules_apply_to_each_value_of_a_header_given_several_times() -> None:
    assert header_mismatches(["1000", "1234", "9999"], ["1", "2", "3"]) == []
    assert header_mismatches(["1000"], ["1", "2", "3"]) == []
    (problem,) = header_mismatches(["1000", "1234", "9999"], ["1", "x", "3"])
    assert 'got "x"' in problem


def test_one_value_holding_commas_is_one_value() -> None:
    assert header_mismatches(["1000"], ["1"]) == []
    assert header_mismatches(["1000"], ["1, 2"]) != []


def body_mismatches(example: JSON, actual: JSON) -> list[str]:
    rules = {"body": {"$.sides": RuleList((Matcher("notEmpty"),))}}
    want = HttpResponse(200, {"Content-Type": ["application/json"]}, Body.from_json({"sides": example}), rules)
    have = HttpResponse(200, {"Content-Type": ["application/json"]}, Body(json.dumps({"sides": actual}).encode()))
    return [str(m) for m in response_mismatches(want, have, Spec.V4)]


@pytest.mark.parametrize(
    "example, actual",
    [(["fries"], ["salad", "beans"]), ("fries", "salad"), (1, 2.5), ({"a": 1}, {"a": 2, "b": 2})],
)
def test_not_empty_passes_a_non_empty_value_of_the_examples_type(example: JSON, actual: JSON) -> None:
    assert body_mismatches(example, actual) == []


@pytest.mark.parametrize("example, actual", [("fries", ["fries"]), (1, "one"), ("fries", 2), (True, {"a": 1})])
def test_not_empty_of_a_scalar_takes_any_non_empty_value(example: JSON, actual: JSON) -> None:
    # the type is the array's or the object's, in the core: a scalar example's rule asks
    # only for a value that is not empty (as the V4 specification words it)
    assert body_mismatches(example, actual) == []


@pytest.mark.parametrize(
    "example, actual, said",
    [
        (["fries"], "fries", 'expected a non-empty array (like ["fries"]), got "fries" (string)'),
        ({"a": 1}, [1], 'expected a non-empty object (like {"a": 1}), got [1] (array)'),
        (["fries"], [], "expected a non-empty array, got []"),
        ("fries", "", 'expected a non-empty value, got "" (string)'),
        ("fries", [], "expected a non-empty value, got [] (array)"),
    ],
)
def test_not_empty_fails_another_type_or_an_empty_value(example: JSON, actual: JSON, said: str) -> None:
    (problem,) = body_mismatches(example, actual)
    assert said in problem


@pytest.mark.parametrize(
    ("example", "actual", "said"),
    [
        (5, {"value": 5}, '$.body.id: expected a value matching /^[0-9]+$/, got {"value": 5} (object)'),
        (5, [5], "$.body.id: expected a value matching /^[0-9]+$/, got [5] (array)"),
        (5, 77, None),
        # a rule on an object or an array passes it, in the core too
        ({"value": 5}, {"value": 7}, None),
        ([5], [7, 8], None),
    ],
)
def test_a_regex_where_the_pact_has_a_scalar_fails_an_object_or_an_array(
    example: JSON, actual: JSON, said: str | None
) -> None:
    rules = {"body": {"$.id": RuleList((Matcher("regex", {"regex": "^[0-9]+$"}),))}}
    want = HttpResponse(200, {"Content-Type": ["application/json"]}, Body.from_json({"id": example}), rules)
    have = HttpResponse(200, {"Content-Type": ["application/json"]}, Body(json.dumps({"id": actual}).encode()))
    assert [str(m) for m in response_mismatches(want, have, Spec.V4)] == ([said] if said else [])
