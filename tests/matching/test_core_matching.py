"""Matching as the official core does on shapes the specification's testcases leave
open (issue 16): a header given several times, ``notEmpty`` and the type. Their
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


@pytest.mark.parametrize(
    "example, actual, said",
    [
        (["fries"], "fries", 'expected a non-empty array (like ["fries"]), got "fries" (string)'),
        ("fries", ["fries"], "expected a non-empty string"),
        (["fries"], [], "expected a non-empty array, got []"),
    ],
)
def test_not_empty_fails_another_type_or_an_empty_value(example: JSON, actual: JSON, said: str) -> None:
    (problem,) = body_mismatches(example, actual)
    assert said in problem
