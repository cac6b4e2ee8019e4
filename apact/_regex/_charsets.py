"""Single-character AST nodes as predicates, mirroring ``re``'s semantics.

Literals, classes and categories, shared by the NFA, the cost model and the
generator.  Under IGNORECASE a node is tested by ``re`` itself (a one-character
pattern rendered from the node): ``re``'s case folding (simple lower-casing plus
its own table of characters that share an upper case) is private to ``re`` and
changes with the Unicode database, so apact does not copy it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from ._syntax import (
    _ANY,
    _CATEGORY,
    _CATEGORY_DIGIT,
    _CATEGORY_NOT_DIGIT,
    _CATEGORY_NOT_SPACE,
    _CATEGORY_NOT_WORD,
    _CATEGORY_SPACE,
    _CATEGORY_WORD,
    _F_ASCII,
    _F_DOTALL,
    _F_IGNORECASE,
    _IN,
    _LITERAL,
    _NEGATE,
    _NOT_LITERAL,
    _RANGE,
    RegexError,
)

_Pred = Callable[[str], bool]

_CATEGORY_TEXT = {
    _CATEGORY_DIGIT: "\\d", _CATEGORY_NOT_DIGIT: "\\D", _CATEGORY_SPACE: "\\s",
    _CATEGORY_NOT_SPACE: "\\S", _CATEGORY_WORD: "\\w", _CATEGORY_NOT_WORD: "\\W",
}  # fmt: skip


def _category_pred(cat: Any, flags: int) -> _Pred:
    ascii_only = bool(flags & _F_ASCII)
    if cat in (_CATEGORY_DIGIT, _CATEGORY_NOT_DIGIT):
        base: _Pred = (lambda ch: "0" <= ch <= "9") if ascii_only else str.isdecimal
        positive = cat is _CATEGORY_DIGIT
    elif cat in (_CATEGORY_SPACE, _CATEGORY_NOT_SPACE):
        base = (lambda ch: ch in " \t\n\r\x0b\x0c") if ascii_only else str.isspace
        positive = cat is _CATEGORY_SPACE
    else:
        if ascii_only:
            base = lambda ch: ch < "\x80" and (ch.isalnum() or ch == "_")  # noqa: E731
        else:
            base = lambda ch: ch.isalnum() or ch == "_"  # noqa: E731
        positive = cat is _CATEGORY_WORD
    if positive:
        return base
    return lambda ch: not base(ch)


def _char_pred(op: Any, av: Any, flags: int) -> _Pred:
    """Predicate for a single-character AST node, mirroring re's semantics."""
    if flags & _F_IGNORECASE and op is not _ANY:
        return _folded_pred(op, av, flags)
    if op is _ANY:
        if flags & _F_DOTALL:
            return lambda ch: True
        return lambda ch: ch != "\n"
    if op is _LITERAL or op is _NOT_LITERAL:
        lit = chr(av)
        if op is _LITERAL:
            return lambda ch: ch == lit
        return lambda ch: ch != lit
    if op is _IN:
        return _class_pred(av, flags)
    raise AssertionError(f"not a single-character node: {op}")  # pragma: no cover


def _class_pred(items: Sequence[tuple[Any, Any]], flags: int) -> _Pred:
    negate = False
    singles: set[int] = set()
    ranges: list[tuple[int, int]] = []
    cats: list[_Pred] = []
    for op, av in items:
        if op is _NEGATE:
            negate = True
        elif op is _LITERAL:
            singles.add(av)
        elif op is _RANGE:
            ranges.append(av)
        elif op is _CATEGORY:
            cats.append(_category_pred(av, flags))
        else:  # pragma: no cover - the parser builds no other class items
            raise RegexError(f"unsupported character set item {op}")
    if not singles and not ranges and len(cats) == 1 and not negate:
        return cats[0]  # a lone \d, \w, \s, ...
    frozen = frozenset(singles)
    rng = tuple(ranges)

    def raw(ch: str) -> bool:
        cp = ord(ch)
        if cp in frozen:
            return True
        for lo, hi in rng:
            if lo <= cp <= hi:
                return True
        return any(cat(ch) for cat in cats)

    return (lambda ch: not raw(ch)) if negate else raw


def _folded_pred(op: Any, av: Any, flags: int) -> _Pred:
    """A case-insensitive node, tested by ``re`` on the node rendered alone."""
    scope = "(?i" + ("a" if flags & _F_ASCII else "") + ":"
    if op is _LITERAL:
        text = _char_text(av)
    elif op is _NOT_LITERAL:
        text = "[^" + _char_text(av) + "]"
    else:
        text = "[" + "".join(_class_item_text(o, a) for o, a in av) + "]"
    fullmatch = re.compile(scope + text + ")").fullmatch
    return lambda ch: fullmatch(ch) is not None


def _char_text(cp: int) -> str:
    return f"\\U{cp:08x}"


def _class_item_text(op: Any, av: Any) -> str:
    if op is _NEGATE:
        return "^"
    if op is _LITERAL:
        return _char_text(av)
    if op is _RANGE:
        return _char_text(av[0]) + "-" + _char_text(av[1])
    return _CATEGORY_TEXT[av]
