"""Thompson NFA simulated as a lazily built DFA: the linear-time engine.

See the package docstring (design, step 3).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import islice
from typing import Any

from ._charsets import _char_pred
from ._parser import _Parsed
from ._syntax import (
    _AT,
    _AT_BEGINNING,
    _AT_BEGINNING_STRING,
    _AT_BOUNDARY,
    _AT_END,
    _AT_END_STRING,
    _AT_NON_BOUNDARY,
    _BRANCH,
    _F_ASCII,
    _F_MULTILINE,
    _MAXREPEAT,
    _REPEATS,
    _SINGLE_CHAR_OPS,
    _SUBPATTERN,
    _combine_flags,
)

# NFA size cap (instructions) after expanding counted repeats.
_MAX_PROGRAM = 50_000
# Lazy DFA cache caps; beyond them the cache is flushed and rebuilt.
_MAX_DFA_STATES = 4_000
_MAX_DFA_TRANSITIONS = 400_000

# Whether this Python's ``\B`` matches the empty string (changed in 3.14).
_NON_BOUNDARY_MATCHES_EMPTY = re.search(r"\B", "") is not None

_K_CHAR, _K_SPLIT, _K_JMP, _K_ASSERT, _K_MATCH = range(5)

# Character kinds seen by zero-width assertions (previous / next character).
_EDGE, _NL, _WORD_ASCII, _WORD_UNI, _OTHER, _NL_LAST = range(6)

# Assertion codes.
(
    _A_BOS,
    _A_BOL,
    _A_EOS,
    _A_EOL_OR_FINAL_NL,
    _A_EOL,
    _A_WORDB,
    _A_NWORDB,
    _A_WORDB_ASCII,
    _A_NWORDB_ASCII,
) = range(9)


def _char_kind(ch: str) -> int:
    if ch == "\n":
        return _NL
    if ch.isalnum() or ch == "_":
        return _WORD_ASCII if ch < "\x80" else _WORD_UNI
    return _OTHER


def _assert_holds(code: int, prev: int, nxt: int) -> bool:
    if code == _A_BOS:
        return prev == _EDGE
    if code == _A_BOL:
        return prev == _EDGE or prev == _NL
    if code == _A_EOS:
        return nxt == _EDGE
    if code == _A_EOL_OR_FINAL_NL:
        return nxt == _EDGE or nxt == _NL_LAST
    if code == _A_EOL:
        return nxt == _EDGE or nxt == _NL or nxt == _NL_LAST
    empty = prev == _EDGE and nxt == _EDGE
    if code == _A_WORDB or code == _A_WORDB_ASCII:
        if empty:
            return False
        words = (_WORD_ASCII,) if code == _A_WORDB_ASCII else (_WORD_ASCII, _WORD_UNI)
        return (prev in words) != (nxt in words)
    if empty:
        return _NON_BOUNDARY_MATCHES_EMPTY
    words = (_WORD_ASCII,) if code == _A_NWORDB_ASCII else (_WORD_ASCII, _WORD_UNI)
    return (prev in words) == (nxt in words)


class _ProgramTooLargeError(Exception):
    pass


class _Program:
    """Thompson NFA: parallel instruction arrays; CHAR/ASSERT continue at pc + 1."""

    def __init__(self, parsed: _Parsed) -> None:
        self.kind: list[int] = []
        self.arg: list[Any] = []
        self.alt: list[int] = []
        self._emit_seq(parsed.data, parsed.flags)
        self._emit(_K_MATCH)

    def _emit(self, kind: int, arg: Any = None, alt: int = -1) -> int:
        if len(self.kind) >= _MAX_PROGRAM:
            raise _ProgramTooLargeError
        self.kind.append(kind)
        self.arg.append(arg)
        self.alt.append(alt)
        return len(self.kind) - 1

    def _emit_seq(self, items: Iterable[tuple[Any, Any]], flags: int) -> None:
        for node in items:
            self._emit_node(node, flags)

    def _emit_node(self, node: tuple[Any, Any], flags: int) -> None:
        op, av = node
        if op in _SINGLE_CHAR_OPS:
            self._emit(_K_CHAR, _char_pred(op, av, flags))
        elif op is _AT:
            self._emit(_K_ASSERT, _assert_code(av, flags))
        elif op is _SUBPATTERN:
            self._emit_seq(av[3], _combine_flags(flags, av[1], av[2]))
        elif op is _BRANCH:
            jumps: list[int] = []
            branches = av[1]
            for idx, branch in enumerate(branches):
                if idx < len(branches) - 1:
                    split = self._emit(_K_SPLIT)
                    self.arg[split] = split + 1
                    self._emit_seq(branch, flags)
                    jumps.append(self._emit(_K_JMP))
                    self.alt[split] = len(self.kind)
                else:
                    self._emit_seq(branch, flags)
            for j in jumps:
                self.arg[j] = len(self.kind)
        elif op in _REPEATS:
            lo, hi, body = av
            for _ in range(lo):
                self._emit_seq(body, flags)
            if hi == _MAXREPEAT:
                split = self._emit(_K_SPLIT)
                self.arg[split] = split + 1
                self._emit_seq(body, flags)
                self._emit(_K_JMP, split)
                self.alt[split] = len(self.kind)
            else:
                splits: list[int] = []
                for _ in range(hi - lo):
                    split = self._emit(_K_SPLIT)
                    self.arg[split] = split + 1
                    splits.append(split)
                    self._emit_seq(body, flags)
                for split in splits:
                    self.alt[split] = len(self.kind)
        else:  # pragma: no cover - excluded by _backtrack_only_features
            raise AssertionError(f"unsupported node for the NFA: {op}")


def _assert_code(at: Any, flags: int) -> int:
    multiline = bool(flags & _F_MULTILINE)
    ascii_only = bool(flags & _F_ASCII)
    if at is _AT_BEGINNING:
        return _A_BOL if multiline else _A_BOS
    if at is _AT_BEGINNING_STRING:
        return _A_BOS
    if at is _AT_END:
        return _A_EOL if multiline else _A_EOL_OR_FINAL_NL
    if at is _AT_END_STRING:
        return _A_EOS
    if at is _AT_BOUNDARY:
        return _A_WORDB_ASCII if ascii_only else _A_WORDB
    if at is _AT_NON_BOUNDARY:
        return _A_NWORDB_ASCII if ascii_only else _A_NWORDB
    raise AssertionError(f"unexpected anchor {at}")  # pragma: no cover


class _State(dict):  # type: ignore[type-arg]
    """A DFA state: maps a character to the next state, computing misses."""

    __slots__ = ("pcs", "prev", "engine", "accepts")

    def __init__(self, pcs: frozenset[int], prev: int, engine: _Engine | None) -> None:
        super().__init__()
        self.pcs = pcs
        self.prev = prev
        self.engine = engine
        self.accepts: bool | None = None

    def __missing__(self, ch: str) -> _State:
        assert self.engine is not None
        return self.engine.transition(self, ch, False)


_MATCHED = _State(frozenset(), _EDGE, None)
_DEAD = _State(frozenset(), _EDGE, None)


class _Engine:
    """Lazy DFA over a shared NFA program, for one mode (search or fullmatch)."""

    def __init__(
        self,
        program: _Program,
        search: bool,
        anchored: bool,
        max_states: int = _MAX_DFA_STATES,
        max_transitions: int = _MAX_DFA_TRANSITIONS,
    ) -> None:
        self.program = program
        self.search = search
        self.restart = search and not anchored
        self.max_states = max_states
        self.max_transitions = max_transitions
        self.states: dict[tuple[frozenset[int], int], _State] = {}
        self.transitions = 0
        self.initial = self._intern(frozenset((0,)), _EDGE)

    def _intern(self, pcs: frozenset[int], prev: int) -> _State:
        key = (pcs, prev)
        state = self.states.get(key)
        if state is None:
            if len(self.states) >= self.max_states or self.transitions >= self.max_transitions:
                self._flush()
            state = _State(pcs, prev, self)
            self.states[key] = state
        return state

    def _flush(self) -> None:
        for state in self.states.values():
            state.clear()
        self.states.clear()
        self.transitions = 0
        self.initial = _State(frozenset((0,)), _EDGE, self)
        self.states[(self.initial.pcs, _EDGE)] = self.initial

    def _closure(self, pcs: Iterable[int], prev: int, nxt: int) -> tuple[list[int], bool]:
        kind, arg, alt = self.program.kind, self.program.arg, self.program.alt
        stack = list(pcs)
        seen: set[int] = set()
        chars: list[int] = []
        matched = False
        while stack:
            pc = stack.pop()
            if pc in seen:
                continue
            seen.add(pc)
            k = kind[pc]
            if k == _K_CHAR:
                chars.append(pc)
            elif k == _K_SPLIT:
                stack.append(alt[pc])
                stack.append(arg[pc])
            elif k == _K_JMP:
                stack.append(arg[pc])
            elif k == _K_ASSERT:
                if _assert_holds(arg[pc], prev, nxt):
                    stack.append(pc + 1)
            else:
                matched = True
        return chars, matched

    def transition(self, state: _State, ch: str, last: bool) -> _State:
        kind = _char_kind(ch)
        nxt_kind = _NL_LAST if (last and kind == _NL) else kind
        chars, matched = self._closure(state.pcs, state.prev, nxt_kind)
        if matched and self.search:
            result = _MATCHED
        else:
            arg = self.program.arg
            stepped = {pc + 1 for pc in chars if arg[pc](ch)}
            if self.restart:
                stepped.add(0)
            result = self._intern(frozenset(stepped), kind) if stepped else _DEAD
        if not last and state.engine is self:
            self.transitions += 1
            state[ch] = result
        return result

    def accepts(self, state: _State) -> bool:
        if state.accepts is None:
            state.accepts = self._closure(state.pcs, state.prev, _EDGE)[1]
        return state.accepts

    def run(self, value: str) -> bool:
        state = self.initial
        n = len(value)
        if n:
            trailing_nl = value[-1] == "\n"
            chars: Iterable[str] = islice(value, n - 1) if trailing_nl else value
            matched, dead = _MATCHED, _DEAD
            for ch in chars:
                state = state[ch]
                if state is matched:
                    return True
                if state is dead:
                    return False
            if trailing_nl:
                state = self.transition(state, "\n", True)
                if state is matched:
                    return True
                if state is dead:
                    return False
        return self.accepts(state)
