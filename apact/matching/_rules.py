"""Finding the rule for a place in a body, and checking one value against rules.

Rule selection follows the specification (V2): every rule whose path matches the
place, or a parent of it (rules cascade to children), is weighed: the root counts 2,
a key or index that matches counts 2, a star counts 1, and the weights multiply. The
reference implementation then prefers the larger ``weight × path length``; so do we,
and on a tie the rule that is exactly at the place, then the first one written.

Walking a body visits thousands of places that share a shape (``$.items[0].id``,
``$.items[1].id``, ...), so the rules are compiled into `Node` objects, one per
distinct shape, each knowing its best rule and caching its children: choosing the rule
for a place costs a dictionary lookup, not a pass over every rule. The paths themselves
are compiled into a trie (`_Step`), so that building a node for a new shape costs a
lookup per trie step its parent has reached, not a weighing of every rule.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType

from .. import _javatime, _regex
from ..pact import _sniff
from ..pact._parse_rules import MATCHER_NAMES, date_format, matcher_list
from ..pact._paths import STAR, STAR_INDEX, Token, Wildcard, parse_path
from ..pact.model import Matcher, RuleList
from ._mismatch import a_type, got, plural, show, type_name


class _Step:
    """One step of the rules' paths, compiled into a trie so that the rules reaching a
    child place are found by a lookup per step, not a test per rule.

    ``keys`` holds the next steps by token, an index by its decimal text (what the key
    ``'2'`` and the index ``[2]`` both match), ``star`` and ``star_index`` the wildcard
    ones again; ``rules`` are the rules of the first path written that ends here (a
    path written twice weighs the same wherever it applies: the first wins)."""

    __slots__ = ("keys", "length", "order", "rules", "star", "star_index")

    def __init__(self, length: int) -> None:
        self.keys: dict[str | Wildcard, _Step] = {}
        self.star: _Step | None = None
        self.star_index: _Step | None = None
        self.length = length  # tokens + 1 (the root counts)
        self.order = 0
        self.rules: RuleList | None = None


#: a rule in force at a place: ``(weight × length, -order, rules)``, the larger the better
_Candidate = tuple[int, int, RuleList]
#: the trie steps a place has reached that go on, each with the weight of the way there
_States = list[tuple[_Step, int]]


def _before(one: _Candidate, other: _Candidate) -> bool:
    """Whether ``one`` wins over ``other``, or ties (the first seen wins a tie)."""
    return one[0] > other[0] or (one[0] == other[0] and one[1] >= other[1])


class Node:
    """The rules in force at one place of a body (and how to reach its children).

    A place is the set of trie steps its path has reached (``_states``), the best rule
    in force and the best one its children inherit; children are built on first use
    and kept."""

    __slots__ = (
        "best",
        "cascaded",
        "_chosen",
        "_carried",
        "_states",
        "_children",
        "_index_child",
        "_key_child",
        "_passes",
        "on_object",
    )

    def __init__(self, states: _States, chosen: _Candidate | None, cascaded: bool, carried: _Candidate | None) -> None:
        best = self.best = chosen[2] if chosen is not None else None
        self.cascaded = cascaded
        #: whether an object here has rules to check on itself (see `._json._object_level`):
        #: not for the usual ones, a plain ``type`` or one an eachLike's items inherit
        self.on_object = best is not None and not (
            len(best.matchers) == 1 and best.matchers[0].match == "type" and (cascaded or not best.matchers[0].attrs)
        )
        self._chosen = chosen  # the best rule in force
        self._carried = carried  # what the children inherit: the best, "exactly here" aside
        self._states = states
        self._children: dict[str | int, Node] = {}
        # the child of every index (and of every other key) that no path names: one
        # node, whatever the index (arrays are walked item by item)
        self._index_child: Node | None = None
        self._key_child: Node | None = None
        self._passes: Passes | None | bool = False  # not built yet (see passes)

    @property
    def defined(self) -> bool:
        return self.best is not None

    @property
    def passes(self) -> Passes | None:
        """A quick test that a JSON value passes this place's rules, built once: true
        only when `check_rules` would find nothing (false says nothing: the full
        check runs); ``None`` when the rules have no quick test."""
        passes = self._passes
        if passes is False:
            passes = self._passes = quick_test(self.best) if self.best is not None else None
        return passes  # type: ignore[return-value]

    def child(self, fragment: str | int) -> Node:
        node = self._children.get(fragment)
        if node is None:
            node = self._grow(fragment)
        return node

    def _grow(self, fragment: str | int) -> Node:
        """The child at ``fragment``, built (or shared) and kept."""
        inherited = self._carried
        if not self._states and inherited is None:
            return self  # no rule here or below (EMPTY): it keeps nothing
        if isinstance(fragment, int):
            key, index_like = str(fragment), True
        else:
            key, index_like = fragment, fragment.isdigit()
        # the steps the child reaches, in the order of the states (the first wins a tie)
        reached = []
        named = False
        for step, weight in self._states:
            found = step.keys.get(key)
            if found is not None:
                reached.append((found, weight * 2))
                named = True
            if step.star is not None:
                reached.append((step.star, weight))
            if index_like and step.star_index is not None:
                reached.append((step.star_index, weight))
        if not named:
            node = self._index_child if index_like else self._key_child
            if node is not None:
                if len(self._children) < _CHILDREN_KEPT:
                    self._children[fragment] = node
                return node
        states = []
        exact: _Step | None = None  # where the best rule ending at the child ends
        score = 0
        for step, weight in reached:
            if step.rules is not None and (
                exact is None
                or weight * step.length > score
                or (weight * step.length == score and step.order < exact.order)
            ):
                exact, score = step, weight * step.length
            if step.keys:
                states.append((step, weight))
        if exact is None or exact.rules is None:
            if inherited is None:
                node = EMPTY if not states else Node(states, None, False, None)
            elif not states and not self._states and self.cascaded:
                node = self  # the same rule cascading further down: the same place
            else:
                node = Node(states, inherited, True, inherited)
        else:
            here = (score, -exact.order, exact.rules)
            if inherited is None:
                node = Node(states, here, False, here)
            else:
                # on equal weight × length the rule exactly here wins, then the first
                # written; what the children inherit is the best of both either way
                carried = inherited if _before(inherited, here) else here
                node = (
                    Node(states, here, False, carried)
                    if score >= inherited[0]
                    else Node(states, inherited, True, carried)
                )
        if not named:
            if index_like:
                self._index_child = node
            else:
                self._key_child = node
        if len(self._children) < _CHILDREN_KEPT:
            self._children[fragment] = node
        return node


EMPTY = Node([], None, False, None)

#: the most children a node keeps (a map with a new key in every response, walked for a
#: whole run through a shared tree, must not grow it without bound)
_CHILDREN_KEPT = 1024

#: a quick test of one value: ``passes(expected, actual)``
Passes = Callable[[object, object], bool]
_SCALARS = frozenset({str, int, float, bool, type(None)})


def quick_test(rules: RuleList) -> Passes | None:
    """The quick test of a rule list (see `Node.passes`): for ``AND`` lists of the
    matchers that most pacts use on JSON values (``type`` on scalars, ``integer``,
    ``number``, ``decimal``, ``boolean``, ``null``, ``regex`` on strings), the
    conditions under which `check_value` passes, with no reason worded, the regex
    compiled once. Everything else (and every value these do not pass) takes the full
    check, so a quick test only ever shortens a comparison that finds nothing."""
    matchers = rules.matchers
    if rules.combine != "AND" or not matchers:
        return None
    if len(matchers) == 1:  # (most rule lists)
        return _quick(matchers[0])
    tests: list[Passes] = []
    for matcher in matchers:
        test = _quick(matcher)
        if test is None:
            return None
        tests.append(test)
    return lambda expected, actual: all(test(expected, actual) for test in tests)


def _quick(matcher: Matcher) -> Passes | None:
    kind = MATCHER_NAMES[matcher.match]
    test = _QUICK_TESTS.get(kind)
    if test is not None or kind != "regex":
        return test
    try:
        regex = _regex.compile_regex(str(matcher.get("regex")))
    except _regex.RegexError:
        return None  # the full check says why

    def matches(expected: object, actual: object) -> bool:
        if type(actual) is not str:
            return False
        try:
            return regex.fullmatch(actual)
        except _regex.RegexError:  # too long to check in bounded time: the full check says so
            return False

    return matches


def _same_scalar_type(expected: object, actual: object) -> bool:
    return type(expected) is type(actual) and type(actual) in _SCALARS


def _is_integer(expected: object, actual: object) -> bool:
    return type(actual) is int


def _is_number(expected: object, actual: object) -> bool:
    return type(actual) is int or type(actual) is float


def _is_decimal(expected: object, actual: object) -> bool:
    return type(actual) is float and math.isfinite(actual)


def _is_boolean(expected: object, actual: object) -> bool:
    return type(actual) is bool


def _is_null(expected: object, actual: object) -> bool:
    return actual is None


#: the quick tests that need nothing from their matcher (made once, not per place)
_QUICK_TESTS: Mapping[str, Passes] = MappingProxyType(
    {
        "type": _same_scalar_type,
        "integer": _is_integer,
        "number": _is_number,
        "decimal": _is_decimal,
        "boolean": _is_boolean,
        "null": _is_null,
    }
)


def merge(one: Node, other: Node) -> Node:
    """A node with the rules of two places (for paths that can be written two ways)."""
    if one is other or other is EMPTY:
        return one
    if one is EMPTY:
        return other
    # the best of both (the first on a tie), as if their rules were weighed together
    chosen, cascaded = one._chosen, one.cascaded
    if other._chosen is not None and (
        chosen is None
        or (other._chosen[0], not other.cascaded, other._chosen[1]) > (chosen[0], not cascaded, chosen[1])
    ):
        chosen, cascaded = other._chosen, other.cascaded
    carried = one._carried
    if other._carried is not None and (carried is None or not _before(carried, other._carried)):
        carried = other._carried
    return Node(one._states + other._states, chosen, cascaded, carried)


def compile_rules(rules: Mapping[str, RuleList] | None, prefix: Iterable[Token] = ()) -> Node:
    """The root `Node` for a category of body rules (``{"$.a": RuleList}``).

    ``prefix`` are tokens already walked (used to scope rules below a place)."""
    if not rules:
        return EMPTY
    prefix = tuple(prefix)
    root = _Step(1)
    for order, (path, rule_list) in enumerate(rules.items()):
        step = root
        for token in (*prefix, *parse_path(path)) if prefix else parse_path(path):
            key = str(token) if isinstance(token, int) else token
            following = step.keys.get(key)
            if following is None:
                following = step.keys[key] = _Step(step.length + 1)
                if key is STAR:
                    step.star = following
                elif key is STAR_INDEX:
                    step.star_index = following
            step = following
        if step.rules is None:
            step.rules, step.order = rule_list, order
    return _root(root)


def _root(root: _Step) -> Node:
    states = [(root, 2)] if root.keys else []
    if root.rules is None:
        return Node(states, None, False, None)
    here = (2, -root.order, root.rules)
    return Node(states, here, False, here)


def scoped(rules: RuleList) -> Node:
    """A node whose children (and their descendants) follow ``rules`` — how eachValue
    hands its rules to the values of a map or array."""
    root = _Step(1)
    step = root.keys[STAR] = root.star = _Step(2)
    step.rules = rules
    return _root(root)


# -- checking one value -------------------------------------------------------------------

_SEMVER = re.compile(
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?"
)
_INTEGER_TEXT = re.compile(r"[-+]?\d+")
_DECIMAL_TEXT = re.compile(r"[-+]?(\d+\.\d*|\.\d+)([eE][-+]?\d+)?|[-+]?\d+[eE][-+]?\d+")
_NUMBER_TEXT = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")

_STATUS_GROUPS: dict[str, range | tuple[range, ...]] = {
    "info": range(100, 200),
    "success": range(200, 300),
    "redirect": range(300, 400),
    "clientError": range(400, 500),
    "serverError": range(500, 600),
    "nonError": range(100, 400),
    "error": range(400, 600),
}

# without a format, ISO 8601 (as the reference implementations read it)
_ISO_CHECKS = {
    "date": _javatime.matches_iso_date,
    "time": _javatime.matches_iso_time,
    "datetime": _javatime.matches_iso_datetime,
}


def kind_of(matcher: Matcher) -> str:
    return MATCHER_NAMES[matcher.match]


def as_text(value: object) -> str:
    """The string a regex/include/date rule reads: strings as they are, other JSON as
    JSON text (``4`` -> ``"4"``, ``null`` -> ``"null"``)."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return repr(value)
    return str(value) if isinstance(value, (int, float)) else show(value)


def check_value(
    matcher: Matcher,
    expected: object,
    actual: object,
    *,
    cascaded: bool = False,
    textual: bool = False,
) -> str | None:
    """Check one actual value against one matcher; ``None`` if it passes, else the
    reason in words. ``textual`` values come from text (headers, query, path, XML),
    where numbers and booleans are written as strings."""
    kind = kind_of(matcher)
    if kind == "equality" or kind == "values":
        return check_equal(expected, actual)
    if kind == "type":
        return _check_type(matcher, expected, actual, cascaded, textual)
    if kind == "regex":
        pattern = str(matcher.get("regex"))
        if isinstance(actual, (dict, list)):
            # a rule on an object or an array passes it, as in the core; where the pact
            # has a scalar, an object or an array in its place does not (the core matches
            # the regex against its JSON text, which fails but for patterns like `.*`)
            if isinstance(expected, (dict, list)):
                return None
            return f"expected a value matching /{pattern}/, got {got(actual)}"
        text = as_text(actual)
        try:
            if _regex.compile_regex(pattern).fullmatch(text):
                return None
        except _regex.RegexError as error:  # a value too long for this pattern to check safely
            return f"cannot check {got(actual)[:60]} against /{pattern}/: {error}"
        return f"expected a value matching /{pattern}/, got {got(actual)}"
    if kind == "include":
        needle = matcher.get("value")
        needle = needle if isinstance(needle, str) else as_text(needle)
        if isinstance(actual, (dict, list)):
            return f"expected a value including {show(needle)}, got {got(actual)}"
        if needle in as_text(actual):
            return None
        return f"expected a value including {show(needle)}, got {got(actual)}"
    if kind == "integer":
        if isinstance(actual, int) and not isinstance(actual, bool):
            return None
        if textual and isinstance(actual, str) and _INTEGER_TEXT.fullmatch(actual):
            return None
        return f"expected an integer (like {show(expected)}), got {got(actual)}"
    if kind == "decimal":
        if isinstance(actual, float) and math.isfinite(actual):
            return None
        if textual and isinstance(actual, str) and _DECIMAL_TEXT.fullmatch(actual):
            return None
        return f"expected a decimal number (like {show(expected)}), got {got(actual)}"
    if kind == "number":
        if isinstance(actual, (int, float)) and not isinstance(actual, bool):
            return None
        if textual and isinstance(actual, str) and _NUMBER_TEXT.fullmatch(actual):
            return None
        return f"expected a number (like {show(expected)}), got {got(actual)}"
    if kind == "boolean":
        if isinstance(actual, bool) or actual in ("true", "false"):
            return None
        return f"expected a boolean, got {got(actual)}"
    if kind == "null":
        if actual is None:
            return None
        return f"expected null, got {got(actual)}"
    if kind in ("date", "time", "datetime"):
        fmt = date_format(matcher.attrs, matcher.match)
        if not isinstance(actual, str):
            return f"expected a {_WORDS[kind]} string, got {got(actual)}"
        if fmt is None:
            matches = _ISO_CHECKS[kind](actual)
            described = "ISO 8601"
        else:
            matches = _javatime.parse_pattern(str(fmt)).matches(actual)
            described = f"{fmt!r}"
        if matches:
            return None
        return f"expected a {_WORDS[kind]} in the format {described}, got {got(actual)}"
    if kind == "semver":
        if isinstance(actual, str) and _SEMVER.fullmatch(actual):
            return None
        return f"expected a semantic version (like 1.2.3), got {got(actual)}"
    if kind == "notEmpty":
        if actual is None or actual == "" or actual == [] or actual == {}:
            return f"expected a non-empty value, got {got(actual)}"
        # the type too when the example is an array or an object, as the official core
        # checks it (its structure); for a scalar's example any non-empty value passes
        if isinstance(expected, (dict, list)) and not same_type(expected, actual):
            return (
                f"expected a non-empty {a_type(expected).split(' ', 1)[-1]} (like {show(expected)}), got {got(actual)}"
            )
        return None
    if kind == "contentType":
        wanted = str(matcher.get("value"))
        data = actual if isinstance(actual, bytes) else as_text(actual).encode()
        if _sniff.matches_content_type(wanted, data):
            return None
        return f"expected content of type {wanted}, got {_sniff.sniff(data) or 'unknown content'}"
    if kind == "statusCode":
        return check_status(matcher, actual)
    # eachKey, eachValue, arrayContains: about collections, handled where they are
    return None


_WORDS = {"date": "date", "time": "time", "datetime": "date-time"}


def _check_type(matcher: Matcher, expected: object, actual: object, cascaded: bool, textual: bool) -> str | None:
    if textual and isinstance(actual, str) and not isinstance(expected, (dict, list)):
        return None  # a string stands for any scalar in headers, query and XML
    if not same_type(expected, actual):
        return f"expected {a_type(expected)} (like {show(expected)}), got {got(actual)}"
    if isinstance(actual, list) and not cascaded:
        return size_problem(matcher, len(actual), "item")
    return None


def size_problem(matcher: Matcher, size: int, noun: str) -> str | None:
    """What a rule's ``min`` and ``max`` say of a collection of ``size`` of ``noun`` (an
    array's items, an object's keys): ``None`` if they pass it."""
    low, high = matcher.get("min"), matcher.get("max")
    if isinstance(low, int) and size < low:
        return f"expected at least {plural(low, noun)}, got {size}"
    if isinstance(high, int) and size > high:
        return f"expected at most {plural(high, noun)}, got {size}"
    return None


def same_type(expected: object, actual: object) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return isinstance(expected, bool) and isinstance(actual, bool)
    if isinstance(expected, (int, float)):
        return isinstance(actual, (int, float))
    if expected is None:
        return actual is None
    return type(expected) is type(actual) or (isinstance(expected, str) and isinstance(actual, str))


def check_equal(expected: object, actual: object) -> str | None:
    """JSON equality: ``1`` and ``1.0`` differ, ``true`` is not ``1``."""
    if same_type(expected, actual) and expected == actual:
        if isinstance(expected, float) is isinstance(actual, float):
            return None
    if type_name(expected) == type_name(actual):
        return f"expected {show(expected)}, got {show(actual)}"
    return f"expected {got(expected)}, got {got(actual)}"


def check_status(matcher: Matcher, actual: object) -> str | None:
    status = matcher.get("status")
    if not isinstance(actual, int):
        return f"expected a status code, got {got(actual)}"
    if isinstance(status, list):
        if actual in status:
            return None
        return f"expected one of the status codes {', '.join(map(str, status))}, got {actual}"
    group = _STATUS_GROUPS.get(str(status))
    if group is not None and actual in group:
        return None
    return f"expected a {status} status, got {actual}"


def check_rules(
    rules: RuleList,
    expected: object,
    actual: object,
    *,
    cascaded: bool = False,
    textual: bool = False,
    check: Callable[..., str | None] = check_value,
) -> list[str]:
    """Apply a rule list to one value: the reasons it fails (empty when it passes).
    ``check`` applies one matcher (`check_value`'s arguments and answer)."""
    reasons = []
    for matcher in rules.matchers:
        reason = check(matcher, expected, actual, cascaded=cascaded, textual=textual)
        if reason is None:
            if rules.combine == "OR":
                return []
        else:
            reasons.append(reason)
    if rules.combine == "OR" and len(reasons) > 1:
        return ["none of the rules match: " + "; ".join(reasons)]
    return reasons


def each_key_rules(matcher: Matcher) -> RuleList:
    """The rules an eachKey/eachValue matcher carries (validated when the pact was read)."""
    raw = matcher.get("rules") or []
    return RuleList(matcher_list(raw if isinstance(raw, list) else [], "$.rules"))


__all__ = [
    "EMPTY",
    "Node",
    "as_text",
    "check_equal",
    "check_rules",
    "check_status",
    "check_value",
    "compile_rules",
    "each_key_rules",
    "kind_of",
    "same_type",
    "scoped",
    "size_problem",
]
