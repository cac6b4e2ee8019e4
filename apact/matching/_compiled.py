"""What the comparisons of one run can share, compiled once.

Choosing the rule for a place is cheap once a category's rules are compiled into a
tree of `Node` (see `._rules`), but compiling them, and growing
the tree while walking a body, costs more than the walk itself. A verification compares
each response once, and the interactions of a pact mostly repeat the same rules (the
same endpoint, the same matchers), so a `Compiled` keeps one tree per distinct
set of rules (by value, not by object) for the whole run, with the header, query and
metadata rules by name and the media types already compared. The verifier keeps one per
run and hands it to the engine through `Walk`; nothing is module-level,
and every table is bounded.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from ..pact.model import RuleList
from ._rules import EMPTY, Node, Passes, compile_rules

#: the most entries a table of a `Compiled` holds (past it, more is compiled afresh)
LIMIT = 4096

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def rules_key(rules: Mapping[str, RuleList]) -> tuple[object, ...]:
    """A set of rules as a value (equal rules, equal keys), hashable unless an attribute
    is a list or an object (``arrayContains`` variants, ``eachKey`` rules, status lists):
    such rules are compiled afresh each time, as they are rare."""
    # computed for every comparison, so at the least cost: a tuple per rule list, of its
    # path, its combine and its matchers; one matcher (nearly every rule) as its name,
    # then its attributes if it has any, more (or none) as (name, attributes) pairs:
    # each shape tells itself from the others (a name is a string, a pair a tuple)
    parts: list[tuple[object, ...]] = []
    for path, rule_list in rules.items():
        try:
            (matcher,) = rule_list.matchers
        except ValueError:
            pairs = [(m.match, tuple(m.attrs.items())) for m in rule_list.matchers]
            parts.append((path, rule_list.combine, *pairs))
            continue
        attrs = matcher.attrs
        if attrs:
            parts.append((path, rule_list.combine, matcher.match, tuple(attrs.items())))
        else:
            parts.append((path, rule_list.combine, matcher.match))
    return tuple(parts)  # (unhashable if an attribute is a list or an object: see `Compiled.node`)


@dataclass(slots=True)
class Compiled:
    """Rule trees, rules by name and media-type verdicts, shared by the comparisons of
    one run (see the module docstring)."""

    nodes: dict[Hashable, Node] = field(default_factory=dict)
    named: dict[tuple[Hashable, bool], dict[str, RuleList]] = field(default_factory=dict)
    media: dict[tuple[str, str], str | None] = field(default_factory=dict)
    #: how a body of each content type is compared (``json``, ``xml``, ...)
    families: dict[str, str] = field(default_factory=dict)
    #: each content type as declared (``application/json; charset=utf-8``): its base type and family
    declared: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: a place's node: for each object key below it, the key's node and quick test (see `step`)
    steps: dict[Node, dict[str, tuple[Node, Passes | None]]] = field(default_factory=dict)
    #: a place's node: the lengths an array there passes its rules with (see `._json._sizes`)
    sizes: dict[Node, tuple[int, float] | None] = field(default_factory=dict)

    def node(self, rules: Mapping[str, RuleList] | None) -> Node:
        """The compiled tree of a category's rules (``{"$.a": RuleList}``)."""
        if not rules:
            return EMPTY
        key = rules_key(rules)
        try:
            node = self.nodes.get(key)
        except TypeError:  # attributes that are lists or objects: compiled afresh (rare)
            return compile_rules(rules)
        if node is None:
            node = compile_rules(rules)
            if len(self.nodes) < LIMIT:
                self.nodes[key] = node
        return node

    def steps_below(self, node: Node) -> dict[str, tuple[Node, Passes | None]]:
        """The steps below ``node``, kept in `steps` (filled by `step`)."""
        return self.keep(self.steps, node, {})

    @staticmethod
    def step(steps: dict[str, tuple[Node, Passes | None]], node: Node, key: str) -> tuple[Node, Passes | None]:
        """The node of ``key`` below ``node`` and its quick test, kept in ``steps`` (the
        steps below ``node``): an object's walk looks each key up there, for the two
        calls this takes."""
        child = node.child(key)
        step = (child, child.passes)
        if len(steps) < LIMIT:
            steps[key] = step
        return step

    @staticmethod
    def keep(table: dict[K, V], key: K, value: V) -> V:
        """``value``, kept as ``table[key]`` while the table is below `LIMIT`."""
        if len(table) < LIMIT:
            table[key] = value
        return value

    def by_name(
        self, rules: Mapping[str, RuleList] | None, fold_case: bool, build: Callable[[], dict[str, RuleList]]
    ) -> dict[str, RuleList]:
        """Header, query or metadata rules by plain name (``build`` makes them)."""
        if not rules:
            return {}
        key = rules_key(rules)
        try:
            return remember(self.named, (key, fold_case), build)
        except TypeError:  # (as in `node`)
            return build()


def remember(table: dict[K, V], key: K, make: Callable[[], V]) -> V:
    """``table[key]``, made (and kept while the table is below `LIMIT`) if missing."""
    value = table.get(key, _MISSING)
    if value is _MISSING:
        value = make()
        if len(table) < LIMIT:
            table[key] = value
    return value  # type: ignore[return-value]


_MISSING = object()

__all__ = ["LIMIT", "Compiled", "remember", "rules_key"]
