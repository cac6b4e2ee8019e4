"""Cost model of ``re``'s backtracking: how long a value ``re`` may be given.

See the package docstring (design, step 2) for the bound it computes.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ._charsets import _char_pred
from ._parser import _Parsed
from ._syntax import (
    _AT,
    _AT_BEGINNING,
    _AT_BEGINNING_STRING,
    _AT_END,
    _ATOMIC_GROUP,
    _BRANCH,
    _F_IGNORECASE,
    _F_MULTILINE,
    _GROUPREF,
    _GROUPREF_EXISTS,
    _IN,
    _LITERAL,
    _POSSESSIVE_REPEAT,
    _RANGE,
    _REPEATS,
    _SINGLE_CHAR_OPS,
    _SUBPATTERN,
    _combine_flags,
)

# Worst-case backtracking steps allowed on the ``re`` path (~6 ns each in C).
_BUDGET = 250_000.0
# What re pays, in steps, beyond testing characters (measured on CPython
# 3.11): an iteration of a repeat of more than one character (~20 ns), and
# entering a repeat inside the body of such a repeat, which saves its state for
# backtracking on every iteration (~0.2 us for a single-character repeat, ~1 us
# and more for a repeat of a group).
_ITERATION_STEPS = 4.0
_NESTED_SINGLE_REPEAT_STEPS = 32.0
_NESTED_REPEAT_STEPS = 128.0
# Linear-time patterns may use ``re`` at any length while their bound grows at
# most this many steps per character.
_LINEAR_RATE = 64.0
# The limit of a pattern that may use ``re`` at any length.
_UNLIMITED = sys.maxsize
# Longest value the limits are computed for (2**41 characters: 8 TiB of text).
_MAX_LOG_LEN = 41

_ASCII_ALL = (1 << 128) - 1


@dataclass(frozen=True, slots=True)
class _CharSet:
    """Over-approximation of a character set: exact ASCII bits + 'maybe non-ASCII'."""

    mask: int
    other: bool

    def union(self, o: _CharSet) -> _CharSet:
        return _CharSet(self.mask | o.mask, self.other or o.other)

    def disjoint(self, o: _CharSet) -> bool:
        return not (self.mask & o.mask) and not (self.other and o.other)


_EMPTY_SET = _CharSet(0, False)
_FULL_SET = _CharSet(_ASCII_ALL, True)
_NEWLINE_SET = _CharSet(1 << 10, False)


@dataclass(frozen=True, slots=True)
class _Info:
    first: _CharSet  # characters that can be consumed first
    nullable: bool  # can match without consuming (possibly under a condition)
    always: bool  # can match without consuming, unconditionally


@dataclass(frozen=True, slots=True)
class _Follow:
    """What the rest of the pattern needs after an element."""

    first: _CharSet
    end: bool  # may succeed at the end of the value without consuming
    always: bool  # succeeds unconditionally without consuming (search tail)


_FOLLOW_END = _Follow(_EMPTY_SET, True, False)
_FOLLOW_ALWAYS = _Follow(_EMPTY_SET, True, True)


def _mul(a: float, b: float) -> float:
    if a == 0 or b == 0:
        return 0.0
    return a * b


def _pow(base: float, exp: int) -> float:
    try:
        return base**exp
    except OverflowError:
        return math.inf


def _geometric(w: float, lo: int, hi: int) -> float:
    """sum(w**j for j in range(lo, hi + 1))."""
    if hi < lo:
        return 0.0
    if w == 1:
        return float(hi - lo + 1)
    if w == 0:
        return 1.0 if lo == 0 else 0.0
    top = _pow(w, hi + 1)
    if math.isinf(top):
        return math.inf
    return (top - _pow(w, lo)) / (w - 1)


class _CostModel:
    """Upper bound on re's steps for a value of length n (see module docstring)."""

    def __init__(self, parsed: _Parsed) -> None:
        self._top = list(parsed.data)
        self._flags = parsed.flags
        self._info: dict[tuple[int, int], _Info] = {}
        self._single: dict[tuple[Any, int], _CharSet] = {}
        # Keyed by the id() of sequences of the tree, which lives as long as the model.
        self._seq_infos: dict[tuple[int, int], _Info] = {}
        self._follows: dict[tuple[int, _Follow, int], list[_Follow]] = {}
        self._failing = False
        self._iterated = 0  # depth of repeat bodies (of more than one character) being costed
        top = self._top
        multiline = bool(self._flags & _F_MULTILINE)
        self.anchored = (
            bool(top)
            and top[0][0] is _AT
            and (top[0][1] is _AT_BEGINNING_STRING or (top[0][1] is _AT_BEGINNING and not multiline))
        )

    def steps(self, n: int, search: bool) -> float:
        self._failing = False
        follow = _FOLLOW_ALWAYS if search else _FOLLOW_END
        _, work = self._seq(self._top, follow, self._flags, n)
        if not search:
            return work
        if self.anchored:
            return work + n + 1
        # Every start position but the last one tried fails; a failing attempt
        # never reaches the unconditional tail, so repeats leading into it stop
        # early (see _repeat).  The last attempt may succeed: count it in full.
        self._failing = True
        try:
            _, failing = self._seq(self._top, follow, self._flags, n)
        finally:
            self._failing = False
        return _mul(failing, n + 1) + work

    def limit(self, search: bool) -> int:
        """Largest value length ``re`` may be given, ``_UNLIMITED`` if linear.

        The bound is nondecreasing in ``n``, so values up to the returned
        length cost at most ``_BUDGET`` steps.  A pattern is unlimited only if
        its bound stays within ``_BUDGET + _LINEAR_RATE * n`` at every power
        of two up to 2**41, which then holds within a factor of two at every
        length: a huge constant (``(?:a?){30}``, ~2**30 steps whatever ``n``)
        is not linear however long the value.
        """

        def steps(n: int) -> float:
            return self.steps(n, search)

        def linear_at(k: int) -> bool:
            return steps(1 << k) <= _BUDGET + _LINEAR_RATE * (1 << k)

        # the longest length first: most patterns that are not linear fail there
        if linear_at(_MAX_LOG_LEN) and all(linear_at(k) for k in range(_MAX_LOG_LEN)):
            return _UNLIMITED
        if steps(0) > _BUDGET:
            return -1
        lo, hi = 0, 1 << _MAX_LOG_LEN
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if steps(mid) <= _BUDGET:
                lo = mid
            else:
                hi = mid
        return lo

    # --- static information ------------------------------------------------

    def _charset(self, op: Any, av: Any, flags: int) -> _CharSet:
        key: tuple[Any, int] = (id(av) if op is _IN else (op, av), flags)
        cached = self._single.get(key)
        if cached is None:
            pred = _char_pred(op, av, flags)
            mask = 0
            for cp in range(128):
                if pred(chr(cp)):
                    mask |= 1 << cp
            exact = not flags & _F_IGNORECASE and (
                (op is _LITERAL and av < 128)
                or (op is _IN and all((o is _LITERAL and a < 128) or (o is _RANGE and a[1] < 128) for o, a in av))
            )
            cached = _CharSet(mask, not exact)
            self._single[key] = cached
        return cached

    def _node_info(self, node: tuple[Any, Any], flags: int) -> _Info:
        op, av = node
        if op in _SINGLE_CHAR_OPS:
            return _Info(self._charset(op, av, flags), False, False)
        key = (id(node), flags)
        cached = self._info.get(key)
        if cached is not None:
            return cached
        if op is _AT:
            first = _NEWLINE_SET if av is _AT_END and flags & _F_MULTILINE else _EMPTY_SET
            info = _Info(first, True, False)
        elif op is _SUBPATTERN:
            info = self._seq_info(av[3], _combine_flags(flags, av[1], av[2]))
        elif op is _ATOMIC_GROUP:
            info = self._seq_info(av, flags)
        elif op is _BRANCH:
            infos = [self._seq_info(b, flags) for b in av[1]]
            first = _EMPTY_SET
            for inf in infos:
                first = first.union(inf.first)
            info = _Info(first, any(i.nullable for i in infos), any(i.always for i in infos))
        elif op in _REPEATS:
            lo, _hi, body = av
            inner = self._seq_info(body, flags)
            info = _Info(inner.first, lo == 0 or inner.nullable, lo == 0 or inner.always)
        elif op is _GROUPREF_EXISTS:
            yes = self._seq_info(av[1], flags)
            no = self._seq_info(av[2], flags) if av[2] is not None else _Info(_EMPTY_SET, True, True)
            info = _Info(yes.first.union(no.first), yes.nullable or no.nullable, False)
        elif op is _GROUPREF:
            info = _Info(_FULL_SET, True, False)
        else:  # lookarounds: zero width, conditional
            info = _Info(_EMPTY_SET, True, False)
        self._info[key] = info
        return info

    def _seq_info(self, items: Sequence[tuple[Any, Any]], flags: int) -> _Info:
        key = (id(items), flags)
        cached = self._seq_infos.get(key)
        if cached is None:
            cached = self._seq_infos[key] = self._compute_seq_info(items, flags)
        return cached

    def _compute_seq_info(self, items: Sequence[tuple[Any, Any]], flags: int) -> _Info:
        first = _EMPTY_SET
        nullable = always = True
        for node in items:
            info = self._node_info(node, flags)
            if nullable:
                first = first.union(info.first)
            nullable = nullable and info.nullable
            always = always and info.always
            if not nullable:
                break
        if not nullable:
            always = False
        return _Info(first, nullable, always)

    @staticmethod
    def _prepend(info: _Info, follow: _Follow) -> _Follow:
        first = info.first.union(follow.first) if info.nullable else info.first
        return _Follow(first, info.nullable and follow.end, info.always and follow.always)

    # --- cost --------------------------------------------------------------

    def _seq(self, items: Sequence[tuple[Any, Any]], follow: _Follow, flags: int, n: int) -> tuple[float, float]:
        """(ways to hand over to ``follow``, work done inside) for a sequence."""
        key = (id(items), follow, flags)
        follows = self._follows.get(key)
        if follows is None:  # what follows each element does not depend on n: once
            follows = [follow] * len(items)
            f = follow
            for idx in range(len(items) - 1, -1, -1):
                follows[idx] = f
                f = self._prepend(self._node_info(items[idx], flags), f)
            self._follows[key] = follows
        ways, work = 1.0, 0.0
        for idx, node in enumerate(items):
            w, c = self._node(node, follows[idx], flags, n)
            work += _mul(ways, c)
            ways = _mul(ways, w)
            if ways == 0:
                break
        return ways, work

    def _node(self, node: tuple[Any, Any], follow: _Follow, flags: int, n: int) -> tuple[float, float]:
        op, av = node
        if op in _SINGLE_CHAR_OPS or op is _AT:
            return 1.0, 1.0
        if op is _SUBPATTERN:
            return self._seq(av[3], follow, _combine_flags(flags, av[1], av[2]), n)
        if op is _ATOMIC_GROUP:
            w, c = self._seq(av, follow, flags, n)
            return min(w, 1.0), c
        if op is _BRANCH:
            branches = av[1]
            results = [self._seq(b, follow, flags, n) for b in branches]
            infos = [self._seq_info(b, flags) for b in branches]
            work = sum(c for _, c in results)
            exclusive = not any(i.nullable for i in infos) and all(
                a.first.disjoint(b.first) for x, a in enumerate(infos) for b in infos[x + 1 :]
            )
            ways = max(w for w, _ in results) if exclusive else sum(w for w, _ in results)
            return ways, work
        if op in _REPEATS:
            return self._repeat(av, op, follow, flags, n)
        if op is _GROUPREF_EXISTS:
            yes = self._seq(av[1], follow, flags, n)
            no = self._seq(av[2], follow, flags, n) if av[2] is not None else (1.0, 1.0)
            return yes[0] + no[0], yes[1] + no[1]
        if op is _GROUPREF:
            return 1.0, float(n + 1)
        # lookaround: atomic, its body is tried against whatever follows
        _, c = self._seq(av[1], _FOLLOW_ALWAYS, flags, n)
        return 1.0, c + 1

    def _repeat(self, av: Any, op: Any, follow: _Follow, flags: int, n: int) -> tuple[float, float]:
        lo, hi, body = av
        body_items: list[tuple[Any, Any]] = body
        body_info = self._seq_info(body_items, flags)
        # Iterations re may make: a body that can match empty may do so for
        # each of the ``lo`` forced ones and once more after the last one that
        # consumed (re stops a repeat only after an empty iteration past ``lo``).
        top = max(lo, min(hi, lo + n + 1 if body_info.nullable else n))
        single = _single_char_body(body_items, flags)
        if single is not None:
            s_op, s_av, s_flags = single
            entry = _NESTED_SINGLE_REPEAT_STEPS if self._iterated else 0.0
            if lo > n:
                return 0.0, float(n + 1) + entry
            choices = float(min(hi, n) - lo + 1)
            work = min(hi, n) + choices + entry
            x = self._charset(s_op, s_av, s_flags)
            if follow.always and self._failing:
                # Reaching `lo` iterations would succeed; failing attempts stop sooner.
                return 1.0, float(min(lo, n) + 1) + entry
            if op is _POSSESSIVE_REPEAT or follow.always:
                return 1.0, work
            if x.disjoint(follow.first):
                # Only the longest run hands over, and at the end of the value
                # also the run short of a final newline (``$``), if it takes one.
                return (2.0 if follow.end and x.mask & _NEWLINE_SET.mask else 1.0), work
            return choices, work
        entry = _NESTED_REPEAT_STEPS if self._iterated else 0.0
        inner_follow = _Follow(body_info.first.union(follow.first), follow.end, False)
        self._iterated += 1
        try:
            wb, cb = self._seq(body_items, inner_follow, flags, n)
        finally:
            self._iterated -= 1
        cb += _ITERATION_STEPS
        if follow.always and self._failing and wb <= 1:
            return 1.0, _mul(float(min(lo, n) + 1), cb) + entry
        ways = _geometric(wb, lo, top)
        work = _mul(_geometric(wb, 0, top - 1), cb) + top + entry
        if op is _POSSESSIVE_REPEAT or follow.always:
            ways = min(ways, 1.0)
        elif wb <= 1 and not body_info.nullable and body_info.first.disjoint(follow.first):
            ways = min(ways, 2.0 if follow.end else 1.0)
        return ways, work


def _single_char_body(items: Sequence[tuple[Any, Any]], flags: int) -> tuple[Any, Any, int] | None:
    """The (op, av, flags) of a repeat body that matches exactly one character."""
    while len(items) == 1:
        op, av = items[0]
        if op in _SINGLE_CHAR_OPS:
            return op, av, flags
        if op is not _SUBPATTERN:
            return None
        flags = _combine_flags(flags, av[1], av[2])
        items = list(av[3])
    return None
