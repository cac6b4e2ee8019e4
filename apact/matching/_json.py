"""Comparing JSON documents (and anything shaped like them) under matching rules.

Semantics, as the specification and its testcases define them:

* objects: every expected key must be present; unexpected keys fail a request
  (be strict in what you send) and pass a response or message (be loose in what you
  accept). A ``values``/``eachKey``/``eachValue`` rule on an object compares every
  actual entry instead, against the expected value with the same key or the first one
  (an empty example has none: its entries are not compared, and a request's are
  unexpected keys, as in the official core);
* arrays: without a rule, the same length and item by item; with a rule (``type`` with
  ``min``/``max``, ...), every actual item is compared with the expected item at its
  index or, past the end, with the first expected item, and missing items are only
  reported through ``min``; ``arrayContains`` looks for each variant anywhere;
* values: the rule in force (see `_rules`) or equality.
"""

from __future__ import annotations

import io
import math
import pickle
from collections.abc import Iterable
from functools import partial
from itertools import chain, compress
from operator import attrgetter, is_
from typing import Any

from .._core._types import JSON
from ..pact._parse_rules import parse_rule_list
from ..pact._paths import format_token
from ..pact.model import Matcher, RuleList
from ._compiled import Compiled
from ._mismatch import Kind, Mismatch, got, plural, show
from ._rules import (
    EMPTY,
    Node,
    check_equal,
    check_rules,
    check_value,
    compile_rules,
    each_key_rules,
    kind_of,
    scoped,
    size_problem,
)

_ABSENT: Any = object()

# A place in a document, built as cheaply as possible while walking ((parent, key)
# pairs) and written out as a JSON path only when a mismatch is reported there.
Place = str | tuple[Any, str | int]  # (parent place, key or index)


def render(place: Place) -> str:
    tokens = []
    while isinstance(place, tuple):
        place, token = place
        tokens.append(token)
    return place + "".join(format_token(token) for token in reversed(tokens))


class Walk:
    """One comparison in progress: where mismatches go and how strict to be; made by
    `new_walk`."""

    __slots__ = ("kind", "strict", "mismatches", "compiled")

    kind: Kind
    strict: bool  # no unexpected keys (requests)
    mismatches: list[Mismatch]
    #: rules compiled once for the comparisons of a run (a fresh table if none is given)
    compiled: Compiled

    def fail(self, path: Place, expected: Any, actual: Any, message: str, *, kind: Kind | None = None) -> None:
        self.mismatches.append(Mismatch(kind or self.kind, render(path), expected, actual, message))


def new_walk(kind: Kind, strict: bool, compiled: Compiled | None = None) -> Walk:
    """A `Walk` (``compiled``: the run's, else a fresh one). A function, and `Walk` has
    no ``__init__``: making an instance of a class with one re-enters the interpreter,
    which costs twice what this does, and every comparison makes one."""
    walk = Walk()
    walk.kind = kind
    walk.strict = strict
    walk.mismatches = []
    walk.compiled = compiled if compiled is not None else Compiled()
    return walk


def compare_json(walk: Walk, path: Place, node: Node, expected: JSON, actual: JSON) -> None:
    if node is EMPTY and strictly_equal(expected, actual):
        return  # no rule below here and nothing differs: skip the detailed walk
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            _wrong_shape(walk, path, node, expected, actual)
        else:
            compare_objects(walk, path, node, expected, actual)
    elif isinstance(expected, list):
        if not isinstance(actual, list):
            _wrong_shape(walk, path, node, expected, actual)
        else:
            _compare_arrays(walk, path, node, expected, actual)
    else:
        rules = node.best
        if rules is None:
            reason = check_equal(expected, actual)
            if reason is not None:
                walk.fail(path, expected, actual, reason)
        else:
            passes = node.passes
            if passes is not None and passes(expected, actual):
                return
            for reason in check_rules(rules, expected, actual, cascaded=node.cascaded):
                walk.fail(path, expected, actual, reason)


def _wrong_shape(walk: Walk, path: Place, node: Node, expected: JSON, actual: JSON) -> None:
    rules = node.best
    if rules is not None:
        # rules that do not care about the shape (notEmpty, a regex over text...) decide
        kinds = {kind_of(m) for m in rules.matchers}
        if kinds <= {"notEmpty", "regex", "include", "null"}:
            for reason in check_rules(rules, expected, actual, cascaded=node.cascaded):
                walk.fail(path, expected, actual, reason)
            return
    what = "an object" if isinstance(expected, dict) else "an array"
    walk.fail(path, expected, actual, f"expected {what} (like {show(expected)}), got {got(actual)}")


def compare_objects(walk: Walk, path: Place, node: Node, expected: dict[str, Any], actual: dict[str, Any]) -> None:
    if node.on_object:
        rules: RuleList = node.best  # type: ignore[assignment]  # (on_object: there are rules)
        if not node.cascaded and any(kind_of(m) in ("values", "eachKey", "eachValue") for m in rules.matchers):
            _compare_object_values(walk, path, node, rules, expected, actual)
            return
        # its own rules and those it inherits, as the core applies them (`_object_level`)
        for reason in check_rules(rules, expected, actual, cascaded=node.cascaded, check=_object_level):
            walk.fail(path, expected, actual, reason)
    entries: Iterable[tuple[str, Any]] = expected.items()
    if not expected.keys() <= actual.keys():
        for key, value in expected.items():
            if key not in actual:
                walk.fail((path, key), value, None, f"expected key {show(key)} (like {show(value)}), but it is missing")
        entries = [(key, value) for key, value in entries if key in actual]
    if walk.strict and not actual.keys() <= expected.keys():
        _unexpected_keys(walk, path, expected, actual)
    compiled = walk.compiled
    steps = compiled.steps.get(node) or compiled.steps_below(node)
    for key, value in entries:
        other = actual[key]
        child, passes = steps.get(key) or compiled.step(steps, node, key)
        kind = type(value)
        if kind is not dict and kind is not list:
            # a value settled here without a call per place: what compare_json would
            # find first (equal values of one type without rules, or the quick test)
            if child is EMPTY:
                if kind is type(other) and value == other:
                    continue
            elif passes is not None and passes(value, other):
                continue
        elif child is not EMPTY:
            # an object or an array under rules: walked at once (as compare_json would)
            if kind is dict and type(other) is dict:
                compare_objects(walk, (path, key), child, value, other)
                continue
            if kind is list and type(other) is list:
                _compare_arrays(walk, (path, key), child, value, other)
                continue
        compare_json(walk, (path, key), child, value, other)


def _unexpected_keys(walk: Walk, path: Place, expected: dict[str, Any], actual: dict[str, Any]) -> None:
    """A request's keys that the pact does not list."""
    for key, value in actual.items():
        if key not in expected:
            walk.fail(
                (path, key),
                None,
                value,
                f"unexpected key {show(key)} with value {show(value)} (a request may only carry the keys the pact lists)",
            )


def _object_level(
    matcher: Matcher, expected: JSON, actual: dict[str, Any], *, cascaded: bool = False, **_: bool
) -> str | None:
    """A rule of an object (its own, or one it inherits from a place above it:
    ``cascaded``) applied to the object itself, as the official core applies it:
    ``equality`` to the whole object (so no key may be added, although a response may
    otherwise carry more), a ``type`` rule's own ``min`` and ``max`` to its number of
    keys, ``notEmpty`` to its keys, and a matcher of values (``integer``, ``boolean``,
    ``include``, a date...) is not met by an object; a regex is (the core matches none
    against one), and the matchers of collections say nothing here. Its keys are
    compared after this, as without the rule."""
    kind = kind_of(matcher)
    if kind == "type":
        if cascaded:  # (a parent's min and max are about the parent)
            return None
        problem = size_problem(matcher, len(actual), "key")
        return None if problem is None else f"{problem}: {show(actual)}"
    if kind == "equality":
        return None if strictly_equal(expected, actual) else f"expected {show(expected)}, got {show(actual)}"
    if kind == "notEmpty":
        return None if actual else "expected a non-empty object, got {}"
    if kind in ("regex", "values", "eachKey", "eachValue", "arrayContains"):
        return None
    return check_value(matcher, expected, actual)


def _compare_object_values(
    walk: Walk, path: Place, node: Node, rules: RuleList, expected: dict[str, Any], actual: dict[str, Any]
) -> None:
    """values / eachKey / eachValue: keys are free, and every actual entry is compared
    with the expected entry of the same key or, failing that, the first one. An empty
    example gives none to compare with (an eachValue's own ``value`` is not one: the
    official core ignores it), so the rule says nothing of the values, and a request
    may carry no key, as without the rule (the core's verdicts, measured)."""
    each_value: Matcher | None = None
    for matcher in rules.matchers:
        kind = kind_of(matcher)
        if kind == "eachKey":
            key_rules = each_key_rules(matcher)
            for key in actual:
                for reason in check_rules(key_rules, key, key, textual=True):
                    walk.fail((path, key), key, key, f"key {show(key)}: {reason}")
        elif kind == "eachValue":
            each_value = matcher
        elif kind == "notEmpty" and not actual:
            walk.fail(path, expected, actual, "expected a non-empty object, got {}")
    if not expected:
        if walk.strict and actual:
            _unexpected_keys(walk, path, expected, actual)
        return
    examples = list(expected.values())
    value_node = scoped(each_key_rules(each_value)) if each_value is not None else node
    for key, value in actual.items():
        example = expected[key] if key in expected else examples[0]
        compare_json(walk, (path, key), value_node.child(key), example, value)


def _compare_arrays(walk: Walk, path: Place, node: Node, expected: list[Any], actual: list[Any]) -> None:
    rules = node.best
    if rules is None:
        if not expected and actual:
            walk.fail(
                path, expected, actual, f"expected an empty array, got {plural(len(actual), 'item')}: {show(actual)}"
            )
            return
        for index, value in enumerate(expected):
            if index < len(actual):
                compare_json(walk, (path, index), node.child(index), value, actual[index])
        if len(expected) != len(actual):
            walk.fail(
                path,
                expected,
                actual,
                f"expected {plural(len(expected), 'item')}, got {len(actual)}: {show(actual)}",
            )
        return
    if not expected:
        # a rule on an array with no example says nothing about its items
        for matcher in rules.matchers:
            reason = _array_level(matcher, expected, actual, node.cascaded)
            if reason:
                walk.fail(path, expected, actual, reason)
        return
    compiled = walk.compiled
    sizes = compiled.sizes.get(node, _ABSENT)
    if sizes is _ABSENT:
        sizes = compiled.keep(compiled.sizes, node, _sizes(rules, node.cascaded))
    if sizes is not None and sizes[0] <= len(actual) <= sizes[1]:
        _compare_items(walk, path, node, expected, actual)  # what the loop below comes to
        return
    contents_done = False
    for matcher in rules.matchers:
        kind = kind_of(matcher)
        if kind == "arrayContains":
            _array_contains(walk, path, matcher, expected, actual)
            continue
        if kind == "eachValue":
            if node.cascaded:
                continue
            value_node = scoped(each_key_rules(matcher))
            _compare_items(walk, path, value_node, expected, actual)
            contents_done = True
            continue
        reason = _array_level(matcher, expected, actual, node.cascaded)
        if reason:
            walk.fail(path, expected, actual, reason)
    if not contents_done and any(kind_of(m) != "arrayContains" for m in rules.matchers):
        _compare_items(walk, path, node, expected, actual)


def _sizes(rules: RuleList, cascaded: bool) -> tuple[int, float] | None:
    """The lengths of an array that pass every matcher of ``rules`` at the array's level,
    when those are all ``type`` matchers (``eachLike``: their ``min`` and ``max``, which
    a cascaded rule does not apply), so that `_compare_arrays` knows a length passes
    without its loop over the matchers; ``None`` for other rules (the loop decides)."""
    low, high = 0, math.inf
    for matcher in rules.matchers:
        if kind_of(matcher) != "type":
            return None
        if not cascaded:
            # (as `_check_type` reads them: an int, or no bound)
            least, most = matcher.get("min"), matcher.get("max")
            if isinstance(least, int):
                low = max(low, least)
            if isinstance(most, int):
                high = min(high, most)
    return low, high


def _array_level(matcher: Matcher, expected: list[Any], actual: list[Any], cascaded: bool) -> str | None:
    kind = kind_of(matcher)
    if kind == "type":
        return check_value(matcher, expected, actual, cascaded=cascaded)
    if kind == "notEmpty":
        return None if actual else "expected a non-empty array, got []"
    if kind == "equality":
        if len(expected) != len(actual):
            return f"expected {plural(len(expected), 'item')}, got {len(actual)}: {show(actual)}"
    return None


def _compare_items(walk: Walk, path: Place, node: Node, expected: list[Any], actual: list[Any]) -> None:
    first = expected[0]
    for index, value in enumerate(actual):
        example = expected[index] if index < len(expected) else first
        child = node.child(index)
        if child is not EMPTY and type(example) is dict and type(value) is dict:
            compare_objects(walk, (path, index), child, example, value)  # (as compare_json would)
        else:
            compare_json(walk, (path, index), child, example, value)


def _array_contains(walk: Walk, path: Place, matcher: Matcher, expected: list[Any], actual: list[Any]) -> None:
    """Each variant (an expected item with its own rules) must match some actual item."""
    variants = matcher.get("variants")
    if not isinstance(variants, list) or not variants:
        variants = [{"index": i, "rules": {}} for i in range(len(expected))]
    for variant in variants:
        variant = variant if isinstance(variant, dict) else {}
        index = variant.get("index", 0)
        if not isinstance(index, int) or not 0 <= index < len(expected):
            walk.fail(path, expected, actual, f"arrayContains variant {index} is not in the example array")
            continue
        example = expected[index]
        raw_rules = variant.get("rules")
        rules = {
            key: parse_rule_list(value, "$")
            for key, value in (raw_rules if isinstance(raw_rules, dict) else {}).items()
        }
        root = compile_rules(rules)
        for item in actual:
            probe = new_walk(walk.kind, walk.strict, walk.compiled)
            compare_json(probe, "$", root, example, item)
            if not probe.mismatches:
                break
        else:
            walk.fail(
                path,
                example,
                actual,
                f"expected the array to contain an item like {show(example)} "
                f"(variant {index}), but none of its {plural(len(actual), 'item')} matches",
            )


def strictly_equal(expected: Any, actual: Any) -> bool:
    """JSON equality with JSON's types: ``1`` is not ``1.0``, ``true`` is not ``1``.

    Python's ``==`` (in C) settles most of it, but it holds ``1 == 1.0 == True``; when it
    passes, the types of the two trees are compared: value by value for a small tree (a
    typical response: an object of a few values), here rather than in a function of its
    own (the walk costs little more than a call); for a larger one (more than `_FEW`
    values), by `_same_types`, level by level and in C (no Python call per value): a
    1 MiB body is compared in a few milliseconds."""
    try:
        if expected != actual:
            return False
    except RecursionError:  # deeper than the depth bound lets a pact be: walk it
        return _strictly_equal_walk(expected, actual)
    if type(expected) is not type(actual):
        return False
    stack = [(expected, actual)]
    seen = 0
    while stack:
        one, two = stack.pop()
        if type(one) is dict:
            seen += len(one)
            if seen > _FEW:
                return _same_types(expected, actual)
            for key, value in one.items():  # the keys are the same (the trees are ==)
                other = two[key]
                kind = type(value)
                if kind is not type(other):
                    return False
                if kind is dict or kind is list:
                    stack.append((value, other))
        elif type(one) is list:
            seen += len(one)
            if seen > _FEW:
                return _same_types(expected, actual)
            for value, other in zip(one, two):
                kind = type(value)
                if kind is not type(other):
                    return False
                if kind is dict or kind is list:
                    stack.append((value, other))
    return True


class _DiffersError(Exception):
    """The actual's pickle left the expected's (`_same_pickles`)."""


class _Against:
    """A file for a pickler that checks each chunk written against ``want`` (the
    expected's pickle) and raises `_DiffersError` at the first one that differs."""

    __slots__ = ("_want", "at")

    def __init__(self, want: memoryview) -> None:
        self._want = want
        self.at = 0

    def write(self, chunk: bytes) -> int:
        end = self.at + len(chunk)
        if self._want[self.at : end] != chunk:
            raise _DiffersError
        self.at = end
        return len(chunk)


def _same_pickles(expected: Any, actual: Any) -> bool:
    """Whether two trees known to be ``==`` pickle to the same bytes: then they have
    the same type at every place (and their objects the same key order), since each
    unpickles to the same tree. ``False`` says nothing: `_same_types` decides then.

    The C pickler, in fast mode (no memo, so the bytes do not depend on which objects
    the tree shares), writes a 1 MiB body in about 3 ms: the expected's whole, then the
    actual's in 64 KiB frames, each checked as it comes (a difference stops it early).
    Types that differ (``1`` for ``1.0``), keys in another order, ``-0.0`` for ``0.0``
    and trees a pickler refuses (too deep) all go to `_same_types`."""
    try:
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, 4)
        pickler.fast = True
        pickler.dump(expected)
        want = buffer.getbuffer()
        against = _Against(want)
        pickler = pickle.Pickler(against, 4)
        pickler.fast = True
        pickler.dump(actual)
    except Exception:  # _DiffersError, or a tree the pickler refuses (RecursionError, ...)
        return False
    return against.at == len(want)


def _same_types(expected: Any, actual: Any) -> bool:
    """Whether two trees known to be ``==`` have the same type at every place (for
    trees too large for `strictly_equal`'s own walk).

    One level at a time: the types of all the values of a level are compared as two
    lists, then the values of the objects (the actual's in the expected's key order,
    the keys being the same) and the items of the arrays make the next level. The
    first level of `_PICKLED` values or more is tried by `_same_pickles` first."""
    level: list[Any] = [expected]
    other: list[Any] = [actual]
    pickled = False
    while level:
        if not pickled and len(level) >= _PICKLED:
            # a wide level: its trees' pickles settle them all at once, if the same
            # (at most once: pickles that differ mean a walk to the end anyway)
            if _same_pickles(level, other):
                return True
            pickled = True
        types = list(map(type, level))
        if types != list(map(type, other)):
            return False
        kinds = set(types)  # (``in`` on the list would compare the types one by one)
        has_dicts = dict in kinds
        has_lists = list in kinds
        if not has_dicts and not has_lists:
            return True
        next_level: list[Any] = []
        next_other: list[Any] = []
        if has_dicts:
            if len(kinds) == 1:
                dicts, other_dicts = level, other
            else:
                mask = list(map(_is_dict, types))
                dicts = list(compress(level, mask))
                other_dicts = list(compress(other, mask))
            next_level.extend(chain.from_iterable(map(dict.values, dicts)))
            if list(chain.from_iterable(dicts)) == list(chain.from_iterable(other_dicts)):
                next_other.extend(chain.from_iterable(map(dict.values, other_dicts)))  # keys in the same order
            else:
                next_other.extend(chain.from_iterable(map(map, map(_getitem, other_dicts), dicts)))
        if has_lists:
            if len(kinds) == 1:
                next_level.extend(chain.from_iterable(level))
                next_other.extend(chain.from_iterable(other))
            else:
                mask = list(map(_is_list, types))
                next_level.extend(chain.from_iterable(compress(level, mask)))
                next_other.extend(chain.from_iterable(compress(other, mask)))
        level, other = next_level, next_other
    return True


#: the most values `strictly_equal` compares the types of one by one
_FEW = 32

#: how many values a level of `_same_types` has for their pickles to be compared
#: (pickling costs a few µs before the first value: a small body is walked faster)
_PICKLED = 32

_is_dict = partial(is_, dict)
_is_list = partial(is_, list)
_getitem = attrgetter("__getitem__")


def _strictly_equal_walk(expected: Any, actual: Any) -> bool:
    """`strictly_equal` one value at a time, without recursion."""
    stack = [(expected, actual)]
    while stack:
        one, two = stack.pop()
        kind = type(one)
        if kind is not type(two):
            return False
        if kind is dict:
            if len(one) != len(two):
                return False
            for key, value in one.items():
                if key not in two:
                    return False
                stack.append((value, two[key]))
        elif kind is list:
            if len(one) != len(two):
                return False
            stack.extend(zip(one, two))
        elif one != two:
            return False
    return True
