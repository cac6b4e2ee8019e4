"""Rules compiled once for a run (``_compiled``): equal rules share one compiled tree,
whoever carries them, and comparing through it says exactly what a fresh comparison says."""

from __future__ import annotations

from typing import Any

import pytest

from apact.matching import _compiled, request_mismatches, response_mismatches
from apact.matching._compiled import Compiled, rules_key
from apact.matching._rules import check_rules, quick_test
from apact.model import Spec
from apact.pact._parse import parse_request, parse_response
from apact.pact._parse_rules import parse_rule_list
from apact.pact.model import Matcher, RuleList

RULES = {
    "body": {
        "$.id": {"matchers": [{"match": "integer"}]},
        "$.cooking": {"matchers": [{"match": "regex", "regex": "^(rare|medium)$"}]},
        "$.sides": {"matchers": [{"match": "type", "min": 1}]},
        "$.sides[*].price": {"matchers": [{"match": "number"}]},
    },
    "header": {"X-Kitchen": {"matchers": [{"match": "regex", "regex": "\\d+"}]}},
}


def expected(steak_id: int) -> Any:  # noqa: ANN401
    """One interaction's response: each parsed on its own, as a pact's interactions are."""
    document = {
        "status": 200,
        "headers": {"Content-Type": "application/json", "X-Kitchen": "1"},
        "body": {"id": steak_id, "cooking": "rare", "sides": [{"name": "chips", "price": 2.5}]},
        "matchingRules": RULES,
    }
    return parse_response(document, Spec.V3, strict=False)


def actual(body: dict[str, Any], kitchen: str = "7") -> Any:  # noqa: ANN401
    document = {"status": 200, "headers": {"Content-Type": "application/json; charset=utf-8", "X-Kitchen": kitchen}}
    return parse_response({**document, "body": body}, Spec.V3, strict=False)


GOOD = {"id": 5, "cooking": "medium", "sides": [{"name": "fries", "price": 3}, {"name": "salad", "price": 1.5}]}
BAD = {"id": "five", "cooking": "well-done", "sides": [{"name": "fries", "price": "3"}]}


def test_equal_rules_of_different_interactions_share_one_tree() -> None:
    compiled = Compiled()
    one, other = expected(1), expected(2)
    assert one.matching_rules["body"] is not other.matching_rules["body"]
    assert compiled.node(one.matching_rules["body"]) is compiled.node(other.matching_rules["body"])
    assert len(compiled.nodes) == 1


@pytest.mark.parametrize("body", [GOOD, BAD], ids=["matching", "not matching"])
@pytest.mark.parametrize("kitchen", ["7", "seven"])
def test_a_shared_compilation_finds_what_a_fresh_one_finds(body: dict[str, Any], kitchen: str) -> None:
    compiled = Compiled()
    fresh = [response_mismatches(expected(n), actual(body, kitchen), Spec.V3) for n in range(3)]
    shared = [response_mismatches(expected(n), actual(body, kitchen), Spec.V3, compiled=compiled) for n in range(3)]
    assert shared == fresh
    assert bool(fresh[0]) == (body is BAD or kitchen == "seven")
    if body is BAD:
        paths = {m.path for m in fresh[0]}
        assert {"$.body.id", "$.body.cooking", "$.body.sides[0].price"} <= paths, paths


def test_requests_share_their_query_and_header_rules_too() -> None:
    def request(path: str) -> Any:  # noqa: ANN401
        document = {
            "method": "GET",
            "path": path,
            "query": "page=2",
            "headers": {"Accept": "application/json"},
            "matchingRules": {"query": {"page": {"matchers": [{"match": "integer"}]}}},
        }
        return parse_request(document, Spec.V3, strict=False)

    compiled = Compiled()
    for path in ("/steaks/1", "/steaks/2"):
        have = parse_request(
            {"method": "GET", "path": path, "query": "page=two", "headers": {"Accept": "application/json"}},
            Spec.V3,
            strict=False,
        )
        (mismatch,) = request_mismatches(request(path), have, Spec.V3, compiled=compiled)
        assert mismatch.path == "$.query.page"
    assert len(compiled.named) == 1  # the query rules by name, once for both requests


def test_rules_with_lists_or_objects_are_compiled_afresh_and_still_apply() -> None:
    document = {
        "status": 200,
        "body": {"steaks": [{"id": 1}]},
        "matchingRules": {
            "body": {
                "$.steaks": {
                    "matchers": [{"match": "arrayContains", "variants": [{"index": 0, "rules": {}}]}],
                }
            }
        },
    }
    want = parse_response(document, Spec.V4, strict=False)
    with pytest.raises(TypeError):  # a key that cannot be a table's
        hash(rules_key(want.matching_rules["body"]))
    compiled = Compiled()
    have = parse_response({"status": 200, "body": {"steaks": [{"id": 2}, {"id": 1}]}}, Spec.V4, strict=False)
    assert response_mismatches(want, have, Spec.V4, compiled=compiled) == []
    missing = parse_response({"status": 200, "body": {"steaks": [{"id": 2}]}}, Spec.V4, strict=False)
    assert response_mismatches(want, missing, Spec.V4, compiled=compiled)
    assert compiled.nodes == {}


def test_the_tables_stop_growing_at_their_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_compiled, "LIMIT", 3)
    compiled = Compiled()
    documents = [
        {"status": 200, "body": {"id": 1}, "matchingRules": {"body": {f"$.id{n}": {"matchers": [{"match": "type"}]}}}}
        for n in range(10)
    ]
    for document in documents:
        want = parse_response(document, Spec.V3, strict=False)
        have = parse_response({"status": 200, "body": {"id": 2}}, Spec.V3, strict=False)
        assert response_mismatches(want, have, Spec.V3, compiled=compiled)  # 2 is not 1, no rule at $.id
    assert len(compiled.nodes) == 3


VALUES: list[Any] = [
    0,
    1,
    -7,
    2.5,
    0.0,
    float("inf"),
    True,
    False,
    None,
    "",
    "rare",
    "SKU-0042",
    "12",
    [],
    [1],
    {},
    {"a": 1},
]
QUICK = [
    [{"match": "type"}],
    [{"match": "integer"}],
    [{"match": "number"}],
    [{"match": "decimal"}],
    [{"match": "boolean"}],
    [{"match": "null"}],
    [{"match": "regex", "regex": "SKU-\\d{4}"}],
    [{"match": "regex", "regex": "\\d+"}],
    [{"match": "type"}, {"match": "regex", "regex": "r.*"}],
]


@pytest.mark.parametrize("matchers", QUICK, ids=lambda m: "+".join(x.get("regex", x["match"]) for x in m))
def test_a_quick_test_passes_only_what_the_full_check_passes(matchers: list[dict[str, Any]]) -> None:
    rules = parse_rule_list({"matchers": matchers}, "$")
    passes = quick_test(rules)
    assert passes is not None
    quick_passed = 0
    for expected in VALUES:
        if isinstance(expected, (dict, list)):
            continue  # the quick test is for values (objects and arrays take their own walk)
        for value in VALUES:
            full = check_rules(rules, expected, value)
            if passes(expected, value):
                quick_passed += 1
                assert full == [], (expected, value, full)
    assert quick_passed  # it does pass something


@pytest.mark.parametrize(
    "matchers",
    [
        [{"match": "include", "value": "a"}],
        [{"match": "type"}, {"match": "include", "value": "a"}],
        [{"match": "regex", "regex": "(unclosed"}],
    ],
)
def test_rules_without_a_quick_test_take_the_full_check(matchers: list[dict[str, Any]]) -> None:
    rules = RuleList(tuple(Matcher(m["match"], {k: v for k, v in m.items() if k != "match"}) for m in matchers))
    assert quick_test(rules) is None
    assert quick_test(RuleList(rules.matchers, "OR")) is None


def test_a_shared_tree_keeps_a_bounded_number_of_children_per_place() -> None:
    """A map with new keys in every response, walked through one tree for a whole run,
    must not grow the tree without bound (the places past the bound are still judged)."""
    from apact.matching._rules import _CHILDREN_KEPT

    document = {
        "status": 200,
        "body": {"prices": {"a": 1}},
        "matchingRules": {
            "body": {
                "$.prices": {"matchers": [{"match": "values"}]},
                "$.prices.*": {"matchers": [{"match": "integer"}]},
            }
        },
    }
    want = parse_response(document, Spec.V3, strict=False)
    compiled = Compiled()
    for batch in range(3):
        prices = {f"steak {batch}-{n}": n for n in range(_CHILDREN_KEPT)}
        have = parse_response({"status": 200, "body": {"prices": prices}}, Spec.V3, strict=False)
        assert response_mismatches(want, have, Spec.V3, compiled=compiled) == []
    bad = parse_response({"status": 200, "body": {"prices": {"late": "ten"}}}, Spec.V3, strict=False)
    (mismatch,) = response_mismatches(want, bad, Spec.V3, compiled=compiled)
    assert mismatch.path == "$.body.prices.late"
    root = compiled.node(want.matching_rules["body"])
    prices_node = root.child("prices")
    assert len(prices_node._children) <= _CHILDREN_KEPT
