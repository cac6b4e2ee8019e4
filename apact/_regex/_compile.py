"""Compiled, bounded regexes: `compile_regex` picks ``re`` or the automaton."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ._automaton import _MAX_PROGRAM, _Engine, _Program, _ProgramTooLargeError
from ._cost import _UNLIMITED, _CostModel
from ._parser import _parse, _Parsed
from ._syntax import RegexError, _backtrack_only_features
from ._translate import _translate

# Patterns needing backtracking-only features must at least handle this much.
_MIN_BACKTRACK_LEN = 64


@dataclass(frozen=True, slots=True)
class Regex:
    """A compiled, bounded regular expression (see `compile_regex`).

    ``search``/``fullmatch`` use ``re`` while the value is short enough for the
    pattern's backtracking bound, and the linear-time lazy DFA beyond that.
    """

    pattern: str
    translated: str = field(compare=False)
    _search_limit: int = field(compare=False, repr=False)
    _fullmatch_limit: int = field(compare=False, repr=False)
    _re_search: Callable[[str], Any] = field(compare=False, repr=False)
    _re_fullmatch: Callable[[str], Any] = field(compare=False, repr=False)
    _search_engine: _Engine | None = field(compare=False, repr=False)
    _fullmatch_engine: _Engine | None = field(compare=False, repr=False)
    _nfa_problem: str | None = field(compare=False, repr=False)

    def search(self, value: str) -> bool:
        """True if the pattern matches anywhere in ``value``."""
        if len(value) <= self._search_limit:
            return self._re_search(value) is not None
        engine = self._search_engine
        if engine is None:
            raise self._unbounded(value, self._search_limit)
        return engine.run(value)

    def fullmatch(self, value: str) -> bool:
        """True if the pattern matches the whole of ``value``."""
        if len(value) <= self._fullmatch_limit:
            return self._re_fullmatch(value) is not None
        engine = self._fullmatch_engine
        if engine is None:
            raise self._unbounded(value, self._fullmatch_limit)
        return engine.run(value)

    def _unbounded(self, value: str, limit: int) -> RegexError:
        return RegexError(
            f"regex {self.pattern!r} cannot be evaluated in bounded time on a value of "
            f"{len(value)} characters (limit {max(limit, 0)}): {self._nfa_problem}"
        )


def _parse_error(pattern: str, translated: str, exc: re.error) -> RegexError:
    where = f" at position {exc.pos}" if exc.pos is not None else ""
    suffix = "" if translated == pattern else f" (in translated pattern {translated!r})"
    return RegexError(f"invalid regex {pattern!r}: {exc.msg}{where}{suffix}")


@functools.lru_cache(maxsize=2048)
def compile_regex(pattern: str) -> Regex:
    """Translate, validate, classify and compile ``pattern`` (cached).

    Raises RegexError naming the pattern and the reason for invalid or
    untranslatable patterns, and for patterns that need backtracking-only
    features (backreferences, lookarounds) while being too costly to backtrack.
    """
    if not isinstance(pattern, str):
        raise RegexError(f"invalid regex {pattern!r}: expected a string")
    translated = _translate(pattern)
    try:
        compiled = re.compile(translated)
        parsed = _parse(translated)
    except re.error as exc:
        raise _parse_error(pattern, translated, exc) from None
    except (OverflowError, RecursionError) as exc:
        raise RegexError(f"invalid regex {pattern!r}: {exc}") from None
    try:
        return _classify(pattern, translated, parsed, compiled)
    except RecursionError:
        raise RegexError(f"invalid regex {pattern!r}: groups nested too deeply") from None


def _classify(pattern: str, translated: str, parsed: _Parsed, compiled: re.Pattern[str]) -> Regex:
    model = _CostModel(parsed)
    search_limit = model.limit(search=True)
    fullmatch_limit = model.limit(search=False)
    problem: str | None = None
    search_engine = fullmatch_engine = None
    if search_limit != _UNLIMITED or fullmatch_limit != _UNLIMITED:
        features = _backtrack_only_features(parsed.data)
        if features:
            problem = (
                f"it uses {', '.join(sorted(features))}, which only a backtracking "
                "engine supports, and backtracking over this pattern is not bounded"
            )
            if fullmatch_limit < _MIN_BACKTRACK_LEN:
                raise RegexError(f"unsupported regex {pattern!r}: {problem}")
        else:
            try:
                program = _Program(parsed)
            except _ProgramTooLargeError:
                problem = (
                    f"its counted repeats expand beyond {_MAX_PROGRAM} NFA states, too large for the linear-time engine"
                )
            else:
                search_engine = _Engine(program, True, model.anchored)
                fullmatch_engine = _Engine(program, False, model.anchored)
    return Regex(
        pattern=pattern,
        translated=translated,
        _search_limit=search_limit,
        _fullmatch_limit=fullmatch_limit,
        _re_search=compiled.search,
        _re_fullmatch=compiled.fullmatch,
        _search_engine=search_engine,
        _fullmatch_engine=fullmatch_engine,
        _nfa_problem=problem,
    )
