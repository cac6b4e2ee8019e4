"""Random strings that fullmatch a pattern (Pact's ``Regex`` generator)."""

from __future__ import annotations

import functools
import random
from collections.abc import Iterable
from typing import Any

from ._charsets import _char_pred
from ._compile import compile_regex
from ._parser import _parse, _Parsed
from ._syntax import (
    _BRANCH,
    _CATEGORY_DIGIT,
    _CATEGORY_SPACE,
    _CATEGORY_WORD,
    _IN,
    _LITERAL,
    _MAXREPEAT,
    _NEGATE,
    _RANGE,
    _REPEATS,
    _SINGLE_CHAR_OPS,
    _SUBPATTERN,
    RegexError,
    _backtrack_only_features,
    _combine_flags,
)

# Unbounded repeats generate at most this many extra iterations.
_GEN_UNBOUNDED_EXTRA = 8

_PRINTABLE = tuple(chr(cp) for cp in range(0x20, 0x7F))
_WORD_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"


def generate_string(pattern: str, rng: random.Random) -> str:
    """A random string that fullmatches ``pattern`` (Pact's ``Regex`` generator).

    Unbounded repeats produce at most 8 extra iterations, anchors are ignored,
    characters are drawn from printable ASCII where the class allows.  Raises
    RegexError for backreferences and lookarounds, or if no candidate matches
    after several attempts (e.g. contradictory anchors).
    """
    regex = compile_regex(pattern)
    parsed = _parse_cached(regex.translated)
    features = _backtrack_only_features(parsed.data)
    if features:
        raise RegexError(f"cannot generate a string for regex {pattern!r}: it uses {', '.join(sorted(features))}")
    for _ in range(50):
        out: list[str] = []
        _generate(parsed.data, parsed.flags, rng, out)
        candidate = "".join(out)
        if regex.fullmatch(candidate):
            return candidate
    raise RegexError(f"cannot generate a string matching regex {pattern!r}")


@functools.lru_cache(maxsize=256)
def _parse_cached(translated: str) -> _Parsed:
    return _parse(translated)


def _generate(items: Iterable[tuple[Any, Any]], flags: int, rng: random.Random, out: list[str]) -> None:
    for op, av in items:
        if op in _SINGLE_CHAR_OPS:
            out.append(_generate_char(op, av, flags, rng))
        elif op is _SUBPATTERN:
            _generate(av[3], _combine_flags(flags, av[1], av[2]), rng, out)
        elif op is _BRANCH:
            _generate(rng.choice(av[1]), flags, rng, out)
        elif op in _REPEATS:
            lo, hi, body = av
            top = lo + _GEN_UNBOUNDED_EXTRA if hi == _MAXREPEAT else min(hi, lo + 1000)
            for _ in range(rng.randint(lo, top)):
                _generate(body, flags, rng, out)
        # anchors are zero width: nothing to produce


def _generate_char(op: Any, av: Any, flags: int, rng: random.Random) -> str:
    pred = _char_pred(op, av, flags)
    if op is _LITERAL:
        return chr(av)
    candidates: list[str] = []
    if op is _IN and not any(o is _NEGATE for o, _ in av):
        for o, a in av:
            if o is _LITERAL:
                candidates.append(chr(a))
            elif o is _RANGE:
                candidates.append(chr(rng.randint(a[0], a[1])))
            elif a is _CATEGORY_DIGIT:
                candidates.append(rng.choice("0123456789"))
            elif a is _CATEGORY_WORD:
                candidates.append(rng.choice(_WORD_CHARS))
            elif a is _CATEGORY_SPACE:
                candidates.append(rng.choice(" \t"))
        candidates = [ch for ch in candidates if pred(ch)]
        if candidates:
            return rng.choice(candidates)
    candidates = [ch for ch in _PRINTABLE if pred(ch)]
    if candidates:
        return rng.choice(candidates)
    for cp in range(0x10FFFF + 1):
        if pred(chr(cp)):
            return chr(cp)
    raise RegexError("character class matches no character")  # pragma: no cover
