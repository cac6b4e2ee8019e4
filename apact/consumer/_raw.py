"""The DSL's escape hatches: matching rules and generators given raw, as a pact file
writes them (``with_matching_rules``, ``with_generators``).

For users porting an existing pact and for tools that generate pacts: the rules are
read and checked exactly as rules read from a pact file (`apact.pact._parse_rules`),
so a bad one fails at the call that gave it, naming its JSON path, and they are
merged with the rules the ``match`` terms made, as the official core merges them: a
raw rule at a place a term already rules is added to that place's matchers; a raw
generator replaces the one there.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal, TypeVar

from ..errors import PactFileError
from ..pact._parse_rules import parse_generators, parse_matching_rules
from ..pact.model import Generators, HttpRequest, HttpResponse, MatchingRules, MessageContents, RuleList, Spec

__all__ = ["Part", "RawRules", "part_name"]

#: a part as pact-python names it (``"Request"``, ``"Response"``); lower case is accepted
Part = Literal["Request", "Response", "request", "response"]

#: what each part's rules may apply to
REQUEST = frozenset({"path", "query", "header", "body"})
RESPONSE = frozenset({"status", "header", "body"})
MESSAGE = frozenset({"body", "metadata"})

_P = TypeVar("_P", HttpRequest, HttpResponse, MessageContents)


def part_name(part: object, last: str | None, what: str) -> str:
    """``"request"`` or ``"response"``: the part named, or (``None``) the part written last."""
    if part is None:
        if last is None:
            raise ValueError(f"{what}: name the part (part='Request' or 'Response'), none is written yet")
        return last
    if not isinstance(part, str) or part.lower() not in ("request", "response"):
        raise ValueError(f"{what}: part is 'Request' or 'Response', got {part!r}")
    return part.lower()


def _document(raw: object, what: str) -> object:
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError as error:
            raise ValueError(f"{what}: not valid JSON text: {error}") from None
    if not isinstance(raw, Mapping):
        raise TypeError(f"{what}: expected a mapping (or its JSON text), got {type(raw).__name__}")
    return dict(raw)


def _check(parsed: Mapping[str, object], allowed: frozenset[str], what: str) -> None:
    for category in parsed:
        if category not in allowed:
            raise ValueError(
                f"{what}: $.{category}: this part has no {category!r} to apply to "
                f"(it has: {', '.join(sorted(allowed))})"
            )


def read_rules(raw: object, allowed: frozenset[str], what: str, *, message: bool = False) -> MatchingRules:
    """Rules in the V2 flat form (``{"$.body.id": {"match": "type"}}``) or the V3/V4
    category form (``{"body": {"$.id": {"matchers": [...]}}}``), checked."""
    try:
        parsed = parse_matching_rules(_document(raw, what), "$", Spec.V3, message=message)
    except PactFileError as error:
        raise ValueError(f"{what}: {error.path}: {error.reason}") from None
    _check(parsed, allowed, what)
    return parsed


def read_generators(raw: object, allowed: frozenset[str], what: str) -> Generators:
    """Generators in the category form (``{"body": {"$.id": {"type": "RandomInt"}}}``), checked."""
    try:
        parsed = parse_generators(_document(raw, what), "$")
    except PactFileError as error:
        raise ValueError(f"{what}: {error.path}: {error.reason}") from None
    _check(parsed, allowed, what)
    return parsed


def merge_rules(base: MatchingRules, extra: MatchingRules) -> MatchingRules:
    """``base`` with ``extra``'s matchers added after those at the same place."""
    merged = {category: dict(entries) for category, entries in base.items()}
    for category, entries in extra.items():
        target = merged.setdefault(category, {})
        for key, rules in entries.items():
            there = target.get(key)
            target[key] = rules if there is None else RuleList((*there.matchers, *rules.matchers), there.combine)
    return merged


def merge_generators(base: Generators, extra: Generators) -> Generators:
    merged = {category: dict(entries) for category, entries in base.items()}
    for category, entries in extra.items():
        merged.setdefault(category, {}).update(entries)
    return merged


@dataclass(slots=True)
class RawRules:
    """The raw rules and generators a builder was given, per part (``request``,
    ``response``, ``response 1`` ...), applied each time the builder rebuilds."""

    rules: dict[str, MatchingRules] = field(default_factory=dict)
    generators: dict[str, Generators] = field(default_factory=dict)

    def add_rules(self, part: str, rules: MatchingRules) -> None:
        self.rules[part] = merge_rules(self.rules.get(part, {}), rules)

    def add_generators(self, part: str, generators: Generators) -> None:
        self.generators[part] = merge_generators(self.generators.get(part, {}), generators)

    @contextlib.contextmanager
    def kept_if_recorded(self) -> Iterator[None]:
        """Undo what the block added if it raises: rules the pact cannot hold (a
        generator in a V2 pact) fail the call that gave them, and only that call."""
        rules, generators = dict(self.rules), dict(self.generators)
        try:
            yield
        except BaseException:
            self.rules, self.generators = rules, generators
            raise

    def apply(self, part: str, built: _P) -> _P:
        rules, generators = self.rules.get(part), self.generators.get(part)
        if not rules and not generators:
            return built
        return replace(
            built,
            matching_rules=merge_rules(built.matching_rules, rules or {}),
            generators=merge_generators(built.generators, generators or {}),
        )
