"""Rules to shapes: which values a pact allows at one place, as JSON types.

A pact's example is one value; its matching rules widen it. An ``integer`` rule means
"any integer", a ``type`` rule "any value of the example's type", ``eachLike`` "any
array of such items". What the OpenAPI document is compared with is that *shape*: the
types the rules allow (an ``integer`` rule against ``type: string`` is a mismatch even
where the example would pass). Constraints that are not about types (an ``enum``, a
``pattern``, a ``minimum``) are checked on the example: a ``regex`` rule against an
``enum`` is checked by its example.

Types are JSON Schema's, with ``decimal`` for numbers that are not integers (so a
``decimal`` rule is told apart from ``number``, which allows both).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..matching._rules import Node, kind_of
from ..pact.model import RuleList

#: the rules that fix a type whatever the example
_TYPED = {"integer": "integer", "decimal": "decimal", "number": "number", "boolean": "boolean", "null": "null"}
#: the rules that allow other values than the example (of the example's type)
_WIDENING = frozenset(
    {
        "type",
        "regex",
        "include",
        "date",
        "time",
        "datetime",
        "semver",
        "notEmpty",
        "eachKey",
        "eachValue",
        "arrayContains",
        "values",
    }
)

ARTICLES = {
    "integer": "an integer",
    "decimal": "a decimal number",
    "number": "a number",
    "string": "a string",
    "boolean": "a boolean",
    "null": "null",
    "array": "an array",
    "object": "an object",
}


@dataclass(frozen=True, slots=True)
class Shape:
    """What the pact allows at a place."""

    #: the JSON types allowed (``decimal``: a number that is not an integer)
    types: frozenset[str]
    #: a rule lets other values through than the example (its length, for arrays)
    widened: bool = False
    #: the rule that decided the types, when it is not the example's own type
    rule: str | None = None

    def describe(self) -> str:
        """``an integer``, ``a string or null`` ..."""
        return " or ".join(ARTICLES[name] for name in sorted(self.types))


#: the shape of an example without rules, per type
_PLAIN = {name: Shape(frozenset([name])) for name in ARTICLES}


def value_type(value: object) -> str:
    """A JSON value's type; a number with no fractional part is an ``integer``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "decimal"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def shape_of(value: object, rules: RuleList | None, *, textual: bool = False) -> Shape:
    """The shape the pact allows where its example is ``value`` and ``rules`` apply.

    ``textual`` values (query parameters, headers, path segments, form fields) are
    text in the pact: a ``type`` rule there says nothing about the type the document
    gives the value, so the example (converted to that type) is what is checked.
    """
    own = value_type(value)
    if rules is None or not rules.matchers:
        return _PLAIN[own]
    sets: list[frozenset[str]] = []
    widened = False
    deciding: str | None = None
    for matcher in rules.matchers:
        kind = kind_of(matcher)
        typed = _TYPED.get(kind)
        if typed is not None and not isinstance(value, (dict, list)):
            sets.append(frozenset([typed]))
            widened = True
            deciding = deciding or kind
        else:
            sets.append(frozenset([own]))
            widened = widened or (kind in _WIDENING and not (textual and kind == "type"))
    if rules.combine == "OR":
        types = frozenset().union(*sets)
    else:
        types = sets[0].intersection(*sets[1:]) or sets[0]
    return Shape(types, widened, deciding if types != frozenset([own]) else None)


def rules_at(node: Node) -> RuleList | None:
    """The rules in force at a place of a body (``None`` where none applies)."""
    return node.best
