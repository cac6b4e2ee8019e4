"""The rule a compiled tree (`apact.matching._rules`) chooses for a place is the rule a
plain reading of the specification (V2) chooses: every rule whose path matches the
place or a parent of it is weighed (root 2, a matching key or index 2, a star 1, the
weights multiplied), the largest ``weight × path length`` wins, and on a tie the rule
exactly at the place, then the first written. Checked against a straightforward
reference over generated rule sets and places, walked through one tree (so that the
children it caches and shares between indexes are checked too), through `merge` and
`scoped`."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apact.matching._rules import EMPTY, Node, compile_rules, merge, scoped
from apact.pact._paths import STAR, STAR_INDEX, Token, format_path
from apact.pact.model import Matcher, RuleList

KEYS = ["a", "b", "0"]  # digit strings are keys that name an index too
INDEXES = [0, 1]
TOKENS = st.sampled_from([*KEYS, *INDEXES, STAR, STAR_INDEX])
FRAGMENTS: st.SearchStrategy[str | int] = st.sampled_from([*KEYS, "c", *INDEXES, 3])
PLACES: st.SearchStrategy[tuple[str | int, ...]] = st.lists(FRAGMENTS, max_size=5).map(tuple)


@dataclass(frozen=True)
class Rule:
    tokens: tuple[Token, ...]
    rules: RuleList


def rule_set(paths: list[tuple[Token, ...]], spelled: list[bool]) -> tuple[dict[str, RuleList], list[Rule]]:
    """Rules in the order written (a path written twice, the second way, is a second rule)."""
    written: dict[str, RuleList] = {}
    kept: list[Rule] = []
    for number, (tokens, quoted) in enumerate(zip(paths, spelled, strict=False)):
        path = format_path(tokens)
        if quoted:  # the same place written with quoted keys
            path = "$" + "".join(f"['{t}']" if isinstance(t, str) else format_path((t,))[1:] for t in tokens)
        if path in written:
            continue
        rules = RuleList((Matcher("type", {"rule": number}),))
        written[path] = rules
        kept.append(Rule(tokens, rules))
    return written, kept


def weight(token: Token, fragment: str | int) -> int:
    if token is STAR:
        return 1
    if token is STAR_INDEX:
        return 1 if isinstance(fragment, int) or fragment.isdigit() else 0
    if isinstance(token, int):
        return 2 if fragment == token or fragment == str(token) else 0
    return 2 if fragment == token or (isinstance(fragment, int) and token == str(fragment)) else 0


def candidates(rules: list[Rule], place: tuple[str | int, ...]) -> list[tuple[int, bool, int, RuleList]]:
    """``(weight × length, exactly here, -order, rules)`` of every rule in force at ``place``."""
    found = []
    for order, rule in enumerate(rules):
        if len(rule.tokens) > len(place):
            continue
        total = 2
        for token, fragment in zip(rule.tokens, place, strict=False):
            total *= weight(token, fragment)
        if total:
            found.append((total * (len(rule.tokens) + 1), len(rule.tokens) == len(place), -order, rule.rules))
    return found


def choose(found: list[tuple[int, bool, int, RuleList]]) -> tuple[RuleList | None, bool]:
    """The best candidate (the first of equals), and whether it is cascaded from a parent."""
    best = None
    for candidate in found:
        if best is None or candidate[:3] > best[:3]:
            best = candidate
    return (None, False) if best is None else (best[3], not best[1])


def walk(root: Node, place: tuple[str | int, ...]) -> Node:
    node = root
    for fragment in place:
        node = node.child(fragment)
    return node


PATHS = st.lists(st.lists(TOKENS, max_size=4).map(tuple), max_size=12)


def fragment_for(token: Token) -> st.SearchStrategy[str | int]:
    """A fragment the token matches (most of the time: a place near the rules)."""
    if token is STAR:
        return FRAGMENTS
    if token is STAR_INDEX:
        return st.sampled_from([*INDEXES, 3])
    assert isinstance(token, (str, int))  # (the wildcards are handled above)
    return st.just(token) | FRAGMENTS


@st.composite
def places_near(draw: st.DrawFn, paths: list[tuple[Token, ...]]) -> tuple[str | int, ...]:
    if not paths or draw(st.booleans()):
        return draw(PLACES)
    tokens = draw(st.sampled_from(paths))
    place = tuple(draw(fragment_for(token)) for token in tokens)
    return place + tuple(draw(st.lists(FRAGMENTS, max_size=2)))


@settings(max_examples=600, deadline=None)
@given(paths=PATHS, spelled=st.lists(st.booleans(), min_size=12, max_size=12), data=st.data())
def test_a_compiled_tree_chooses_the_rule_the_specification_chooses(
    paths: list[tuple[Token, ...]], spelled: list[bool], data: st.DataObject
) -> None:
    written, rules = rule_set(paths, spelled)
    places = data.draw(st.lists(places_near(paths), max_size=12))
    root = compile_rules(written)
    for place in places:
        node = walk(root, place)
        best, cascaded = choose(candidates(rules, place))
        assert node.best is best, (place, node.best, best)
        assert node.defined is (best is not None)
        if best is not None:
            assert node.cascaded is cascaded, place


@settings(max_examples=200, deadline=None)
@given(
    paths=PATHS,
    spelled=st.lists(st.booleans(), min_size=12, max_size=12),
    one=PLACES,
    other=PLACES,
    below=st.lists(PLACES, max_size=6),
)
def test_a_merged_node_chooses_among_the_rules_of_both_places(
    paths: list[tuple[Token, ...]],
    spelled: list[bool],
    one: tuple[str | int, ...],
    other: tuple[str | int, ...],
    below: list[tuple[str | int, ...]],
) -> None:
    written, rules = rule_set(paths, spelled)
    root = compile_rules(written)
    merged = merge(walk(root, one), walk(root, other))
    for place in [(), *below]:
        node = walk(merged, place)
        best, cascaded = choose(candidates(rules, one + place) + candidates(rules, other + place))
        assert node.best is best, place
        if best is not None:
            assert node.cascaded is cascaded


@settings(max_examples=100, deadline=None)
@given(places=st.lists(PLACES, max_size=8))
def test_scoped_rules_apply_to_every_child_and_cascade_below(places: list[tuple[str | int, ...]]) -> None:
    rules = RuleList((Matcher("integer"),))
    root = scoped(rules)
    assert root.best is None
    for place in places:
        node = walk(root, place)
        assert node.best is (rules if place else None)
        if place:
            assert node.cascaded is (len(place) > 1)


def test_two_trees_merged_prefer_the_first_on_a_tie() -> None:
    first, second = RuleList((Matcher("integer"),)), RuleList((Matcher("number"),))
    one, other = compile_rules({"$.a": first}), compile_rules({"$.a": second})
    assert merge(one, other).child("a").best is first
    assert merge(other, one).child("a").best is second
    assert merge(one, EMPTY) is one
    assert merge(EMPTY, other) is other


def test_indexes_no_rule_names_share_one_child() -> None:
    rules = RuleList((Matcher("integer"),))
    root = compile_rules({"$[*].a": rules, "$[2].b": rules, "$['5'].c": rules})
    assert root.child(0) is root.child(7)
    assert root.child(2) is not root.child(0)
    assert root.child(5) is not root.child(0)
    assert root.child(5).child("c").best is rules
    assert root.child(0).child("c").best is None


@pytest.mark.parametrize(
    ("written", "place", "chosen"),
    [
        # (weights: root 2 × key 2 × star 1 ...; × length)
        ({"$.a.*": 0, "$.*.b": 1}, ("a", "b"), 0),  # a tie (2·2·1·3 each): the first written
        ({"$.*.b": 0, "$.a.*": 1}, ("a", "b"), 0),
        ({"$.a": 0, "$.a.*": 1}, ("a", "b"), 1),  # 4·3 = 12 exact against 4·2 = 8 cascaded
        ({"$.a": 0, "$.*.*": 1}, ("a", "b"), 0),  # 4·2 = 8 cascaded against 2·3 = 6 exact
        ({"$.a.b": 0, "$.*.*.*": 1}, ("a", "b", "c"), 0),  # 8·3 = 24 cascaded against 2·4 = 8
        ({"$": 0, "$.*": 1}, ("x",), 1),  # 2·1 = 2 cascaded, 2·2 = 4 exact
        ({"$[*]": 0, "$['0']": 1}, (0,), 1),  # a quoted digit key names the index
    ],
)
def test_worked_examples(written: dict[str, int], place: tuple[str | int, ...], chosen: int) -> None:
    lists = {path: RuleList((Matcher("type", {"rule": n}),)) for path, n in written.items()}
    node = walk(compile_rules(lists), place)
    assert node.best is not None
    assert node.best.matchers[0].get("rule") == chosen
