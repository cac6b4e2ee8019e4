"""Single-character AST nodes as predicates, mirroring ``sre``'s semantics.

Literals, classes and categories, with ``re``'s case folding under IGNORECASE;
shared by the NFA, the cost model and the generator.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ._syntax import (
    _ANY,
    _CASE_FIXES,
    _CATEGORY,
    _F_ASCII,
    _F_DOTALL,
    _F_IGNORECASE,
    _F_UNICODE,
    _IN,
    _LITERAL,
    _NEGATE,
    _NOT_LITERAL,
    _RANGE,
    RegexError,
    _c,
    _sre,
)

_Pred = Callable[[str], bool]


def _tolower_fn(flags: int) -> Callable[[int], int]:
    fn: Callable[[int], int] = _sre.unicode_tolower if flags & _F_UNICODE else _sre.ascii_tolower
    return fn


def _iscased_fn(flags: int) -> Callable[[int], bool]:
    fn: Callable[[int], bool] = _sre.unicode_iscased if flags & _F_UNICODE else _sre.ascii_iscased
    return fn


def _category_pred(cat: Any, flags: int) -> _Pred:
    ascii_only = bool(flags & _F_ASCII)
    if cat in (_c.CATEGORY_DIGIT, _c.CATEGORY_NOT_DIGIT):
        base: _Pred = (lambda ch: "0" <= ch <= "9") if ascii_only else str.isdecimal
        positive = cat is _c.CATEGORY_DIGIT
    elif cat in (_c.CATEGORY_SPACE, _c.CATEGORY_NOT_SPACE):
        base = (lambda ch: ch in " \t\n\r\x0b\x0c") if ascii_only else str.isspace
        positive = cat is _c.CATEGORY_SPACE
    elif cat in (_c.CATEGORY_WORD, _c.CATEGORY_NOT_WORD):
        if ascii_only:
            base = lambda ch: ch < "\x80" and (ch.isalnum() or ch == "_")  # noqa: E731
        else:
            base = lambda ch: ch.isalnum() or ch == "_"  # noqa: E731
        positive = cat is _c.CATEGORY_WORD
    else:  # pragma: no cover - LINEBREAK categories are not produced for str patterns
        base = lambda ch: ch == "\n"  # noqa: E731
        positive = "NOT" not in str(cat)
    if positive:
        return base
    return lambda ch: not base(ch)


def _char_pred(op: Any, av: Any, flags: int) -> _Pred:
    """Predicate for a single-character AST node, mirroring sre's semantics."""
    ignore = bool(flags & _F_IGNORECASE)
    if op is _ANY:
        if flags & _F_DOTALL:
            return lambda ch: True
        return lambda ch: ch != "\n"
    if op is _LITERAL or op is _NOT_LITERAL:
        positive = op is _LITERAL
        if ignore and _iscased_fn(flags)(av):
            tolower = _tolower_fn(flags)
            lowered = tolower(av)
            fixes = _CASE_FIXES if flags & _F_UNICODE else {}
            accepted = frozenset((lowered, *fixes.get(lowered, ())))
            if positive:
                return lambda ch: tolower(ord(ch)) in accepted
            return lambda ch: tolower(ord(ch)) not in accepted
        lit = chr(av)
        if positive:
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
        else:  # pragma: no cover - other charset ops only exist after compilation
            raise RegexError(f"unsupported character set item {op}")
    ignore = bool(flags & _F_IGNORECASE)
    if ignore:
        iscased = _iscased_fn(flags)
        ignore = any(iscased(cp) for cp in singles) or any(
            any(iscased(cp) for cp in range(lo, min(hi, 0xFFFF) + 1)) or hi > 0xFFFF
            for lo, hi in ranges
        )
    if not ignore:
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

    # sre lowers the set's members (plus case "fixes") and tests the lowered
    # character; ranges reaching beyond the BMP are tested with lower and upper.
    tolower = _tolower_fn(flags)
    fixes = _CASE_FIXES if flags & _F_UNICODE else {}
    lowered: set[int] = set()
    big: list[tuple[int, int]] = []

    def add(cp: int) -> None:
        low = tolower(cp)
        lowered.add(low)
        lowered.update(fixes.get(low, ()))

    for cp in singles:
        add(cp)
    for lo, hi in ranges:
        for cp in range(lo, min(hi, 0xFFFF) + 1):
            add(cp)
        if hi > 0xFFFF:
            big.append((max(lo, 0x10000), hi))
    frozen_low = frozenset(lowered)
    big_t = tuple(big)

    def folded(ch: str) -> bool:
        low = tolower(ord(ch))
        if low in frozen_low:
            return True
        if big_t:
            up = ord(chr(low).upper()[0])
            for lo, hi in big_t:
                if lo <= low <= hi or lo <= up <= hi:
                    return True
        if cats:
            lch = chr(low)
            return any(cat(lch) for cat in cats)
        return False

    return (lambda ch: not folded(ch)) if negate else folded
