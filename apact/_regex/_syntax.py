"""The stdlib regex parser and the vocabulary of its AST.

Every stage after :mod:`._translate` works on the AST ``re`` itself parses
(``re._parser`` on 3.11+, ``sre_parse`` on 3.10): this module names its opcodes
and flags once, and holds the error every stage raises.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable
from typing import Any

# The stdlib regex parser, constants and case tables (moved in 3.11).
_sre: Any = importlib.import_module("_sre")
if sys.version_info >= (3, 11):
    _sre_parse: Any = importlib.import_module("re._parser")
    _c: Any = importlib.import_module("re._constants")
    # Lower-cased code point -> other lower-cased code points with the same upper case.
    _CASE_FIXES: dict[int, tuple[int, ...]] = importlib.import_module("re._casefix")._EXTRA_CASES
else:  # pragma: no cover - Python 3.10
    _sre_parse = importlib.import_module("sre_parse")
    _c = importlib.import_module("sre_constants")
    _CASE_FIXES = importlib.import_module("sre_compile")._ignorecase_fixes


class RegexError(ValueError):
    """An invalid, untranslatable, or unboundable regular expression."""


_F_IGNORECASE = _c.SRE_FLAG_IGNORECASE
_F_MULTILINE = _c.SRE_FLAG_MULTILINE
_F_DOTALL = _c.SRE_FLAG_DOTALL
_F_UNICODE = _c.SRE_FLAG_UNICODE
_F_ASCII = _c.SRE_FLAG_ASCII
_TYPE_FLAGS = _F_ASCII | _F_UNICODE | _c.SRE_FLAG_LOCALE
_MAXREPEAT = _c.MAXREPEAT

_LITERAL = _c.LITERAL
_NOT_LITERAL = _c.NOT_LITERAL
_ANY = _c.ANY
_IN = _c.IN
_NEGATE = _c.NEGATE
_RANGE = _c.RANGE
_CATEGORY = _c.CATEGORY
_AT = _c.AT
_BRANCH = _c.BRANCH
_SUBPATTERN = _c.SUBPATTERN
_MAX_REPEAT = _c.MAX_REPEAT
_MIN_REPEAT = _c.MIN_REPEAT
_POSSESSIVE_REPEAT = getattr(_c, "POSSESSIVE_REPEAT", None)
_ATOMIC_GROUP = getattr(_c, "ATOMIC_GROUP", None)
_GROUPREF = _c.GROUPREF
_GROUPREF_EXISTS = _c.GROUPREF_EXISTS
_ASSERT = _c.ASSERT
_ASSERT_NOT = _c.ASSERT_NOT
_REPEATS = frozenset(op for op in (_MAX_REPEAT, _MIN_REPEAT, _POSSESSIVE_REPEAT) if op is not None)
_SINGLE_CHAR_OPS = frozenset((_LITERAL, _NOT_LITERAL, _ANY, _IN))
_BACKTRACK_ONLY = {
    _GROUPREF: "backreferences",
    _GROUPREF_EXISTS: "conditional groups",
    _ASSERT: "lookaround assertions",
    _ASSERT_NOT: "lookaround assertions",
}
if _ATOMIC_GROUP is not None:
    _BACKTRACK_ONLY[_ATOMIC_GROUP] = "atomic groups"
if _POSSESSIVE_REPEAT is not None:
    _BACKTRACK_ONLY[_POSSESSIVE_REPEAT] = "possessive quantifiers"


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
