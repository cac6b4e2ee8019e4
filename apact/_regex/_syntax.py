"""The vocabulary of the regex syntax tree, and the error every stage raises.

`_parser` builds the tree from a pattern in Python ``re`` syntax; the cost
model, the automaton and the generator walk it.  A node is ``(op, argument)``:

``(LITERAL, code point)``, ``(NOT_LITERAL, code point)``, ``(ANY, None)``,
``(IN, [class items])`` with items ``(NEGATE, None)``, ``(LITERAL, cp)``,
``(RANGE, (lo, hi))``, ``(CATEGORY, category)``; ``(AT, anchor)``;
``(BRANCH, (None, [sequences]))``; ``(SUBPATTERN, (group or None, add flags,
remove flags, sequence))``; ``(MAX_REPEAT | MIN_REPEAT | POSSESSIVE_REPEAT,
(lo, hi, sequence))`` with ``hi == MAXREPEAT`` when unbounded;
``(ATOMIC_GROUP, sequence)``; ``(GROUPREF, group)``; ``(GROUPREF_EXISTS,
(group, yes, no or None))``; ``(ASSERT | ASSERT_NOT, (direction, sequence))``.
A sequence is a list of nodes.  This is the shape of the tree CPython's own
(private, version-dependent) parser builds, so the stages read like ``sre``
while depending only on this package.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any


class RegexError(ValueError):
    """An invalid, untranslatable, or unboundable regular expression."""


# Flags (bits of our own; the tree never meets re's).
_F_IGNORECASE = 1
_F_MULTILINE = 2
_F_DOTALL = 4
_F_VERBOSE = 8
_F_ASCII = 16
_F_UNICODE = 32
_TYPE_FLAGS = _F_ASCII | _F_UNICODE
_FLAG_LETTERS = {"i": _F_IGNORECASE, "m": _F_MULTILINE, "s": _F_DOTALL, "x": _F_VERBOSE, "a": _F_ASCII, "u": _F_UNICODE}
_MAXREPEAT = sys.maxsize

# Node kinds: distinct strings, compared by identity.
_LITERAL = "LITERAL"
_NOT_LITERAL = "NOT_LITERAL"
_ANY = "ANY"
_IN = "IN"
_NEGATE = "NEGATE"
_RANGE = "RANGE"
_CATEGORY = "CATEGORY"
_AT = "AT"
_BRANCH = "BRANCH"
_SUBPATTERN = "SUBPATTERN"
_MAX_REPEAT = "MAX_REPEAT"
_MIN_REPEAT = "MIN_REPEAT"
_POSSESSIVE_REPEAT = "POSSESSIVE_REPEAT"
_ATOMIC_GROUP = "ATOMIC_GROUP"
_GROUPREF = "GROUPREF"
_GROUPREF_EXISTS = "GROUPREF_EXISTS"
_ASSERT = "ASSERT"
_ASSERT_NOT = "ASSERT_NOT"

# Anchors (the argument of AT).
_AT_BEGINNING = "AT_BEGINNING"  # ^
_AT_BEGINNING_STRING = "AT_BEGINNING_STRING"  # \A
_AT_END = "AT_END"  # $
_AT_END_STRING = "AT_END_STRING"  # \Z
_AT_BOUNDARY = "AT_BOUNDARY"  # \b
_AT_NON_BOUNDARY = "AT_NON_BOUNDARY"  # \B

# Categories (the argument of CATEGORY).
_CATEGORY_DIGIT = "CATEGORY_DIGIT"
_CATEGORY_NOT_DIGIT = "CATEGORY_NOT_DIGIT"
_CATEGORY_SPACE = "CATEGORY_SPACE"
_CATEGORY_NOT_SPACE = "CATEGORY_NOT_SPACE"
_CATEGORY_WORD = "CATEGORY_WORD"
_CATEGORY_NOT_WORD = "CATEGORY_NOT_WORD"

_REPEATS = frozenset((_MAX_REPEAT, _MIN_REPEAT, _POSSESSIVE_REPEAT))
_SINGLE_CHAR_OPS = frozenset((_LITERAL, _NOT_LITERAL, _ANY, _IN))
_BACKTRACK_ONLY = {
    _GROUPREF: "backreferences",
    _GROUPREF_EXISTS: "conditional groups",
    _ASSERT: "lookaround assertions",
    _ASSERT_NOT: "lookaround assertions",
    _ATOMIC_GROUP: "atomic groups",
    _POSSESSIVE_REPEAT: "possessive quantifiers",
}


def _combine_flags(flags: int, add: int, remove: int) -> int:
    if add & _TYPE_FLAGS:
        flags &= ~_TYPE_FLAGS
    return (flags | add) & ~remove


def _backtrack_only_features(items: Iterable[tuple[Any, Any]]) -> set[str]:
    found: set[str] = set()
    for op, av in items:
        if op in _BACKTRACK_ONLY:
            found.add(_BACKTRACK_ONLY[op])
        if op is _SUBPATTERN:
            found |= _backtrack_only_features(av[3])
        elif op is _ATOMIC_GROUP:
            found |= _backtrack_only_features(av)
        elif op is _BRANCH:
            for b in av[1]:
                found |= _backtrack_only_features(b)
        elif op in _REPEATS:
            found |= _backtrack_only_features(av[2])
        elif op is _GROUPREF_EXISTS:
            found |= _backtrack_only_features(av[1])
            if av[2] is not None:
                found |= _backtrack_only_features(av[2])
        elif op in (_ASSERT, _ASSERT_NOT):
            found |= _backtrack_only_features(av[1])
    return found
