"""Bounded regular expressions for Pact matchers and generators.

Pact files carry regexes written for Java (pact-jvm), Rust (the Pact core) or
JavaScript (pact-js).  apact evaluates them on values it does not control, so a
hostile pattern (``(a+)+$``) or a huge value must never hang the process, while
ordinary patterns (``\\d+``, uuids, ``^[a-z]+$``) must stay as fast as ``re``.

Design
------
1. :func:`translate` rewrites Java/Rust-isms into Python ``re`` syntax and
   refuses constructs it cannot express (class intersections, nested classes).
2. The translated pattern is parsed once with the stdlib parser (``re._parser``
   on 3.11+, ``sre_parse`` on 3.10) and a *cost model* of ``re``'s backtracking
   is evaluated over the AST.  For a value of length ``n`` it bounds the steps
   ``re`` can take: every element contributes its own work, multiplied by the
   number of distinct ways the elements before it can hand over to it; a
   variable repeat offers up to ``n`` ways unless the next thing the pattern
   needs is disjoint from what the repeat consumes (``[a-z]+@``), and a repeat
   of an ambiguous body offers ``ways**count`` (exponential).  Searching
   multiplies by the ``n + 1`` start positions unless the pattern is anchored
   (a failing start never reached the pattern's unconditional tail, which
   caps the repeats leading into it: ``\\d+`` stays linear).
   From that bound each pattern gets two length limits (search / fullmatch):
   the largest ``n`` whose bound stays under ``max(_BUDGET, _LINEAR_RATE * n)``.
   Linear patterns get an unlimited length; ``(a+)+$`` gets a handful of
   characters; ``\\s*\\s*\\s*$`` (polynomial) gets a few dozen.
3. Values within the limit run on ``re`` (sub-microsecond).  Longer values run
   on a linear-time engine: the AST is compiled to a Thompson NFA, simulated as
   a lazily built DFA (subset construction on demand, cached per state and
   character, flushed when it grows too large), so the cost is
   O(len(pattern) x len(value)) in the worst case and one dict lookup per
   character in the common case.  Zero-width assertions are resolved in the
   epsilon closure from the kinds of the previous and next characters.
4. Backreferences, lookarounds, atomic groups, possessive repeats and
   conditionals cannot run on an NFA.  A pattern using them whose cost bound
   does not even allow ``_MIN_BACKTRACK_LEN`` characters is refused by
   :func:`compile_regex`; otherwise a value longer than its limit raises
   :class:`RegexError` instead of being evaluated without a bound.

Only booleans are returned (``search``/``fullmatch``), so greedy vs lazy
repeats and group captures never matter to the NFA.
"""

from __future__ import annotations

import functools
import importlib
import math
import random
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice
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

__all__ = [
    "Regex",
    "RegexError",
    "compile_regex",
    "generate_string",
    "translate",
]


class RegexError(ValueError):
    """An invalid, untranslatable, or unboundable regular expression."""


# --- tuning ----------------------------------------------------------------

# Worst-case backtracking steps allowed on the ``re`` path (~6 ns each in C).
_BUDGET = 250_000.0
# Linear-time patterns may use ``re`` at any length while their bound grows at
# most this many steps per character.
_LINEAR_RATE = 64.0
# Patterns needing backtracking-only features must at least handle this much.
_MIN_BACKTRACK_LEN = 64
# NFA size cap (instructions) after expanding counted repeats.
_MAX_PROGRAM = 50_000
# Lazy DFA cache caps; beyond them the cache is flushed and rebuilt.
_MAX_DFA_STATES = 4_000
_MAX_DFA_TRANSITIONS = 400_000
# Unbounded repeats generate at most this many extra iterations.
_GEN_UNBOUNDED_EXTRA = 8
_UNLIMITED = sys.maxsize

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

# Whether this Python's ``\B`` matches the empty string (changed in 3.14).
_NON_BOUNDARY_MATCHES_EMPTY = re.search(r"\B", "") is not None


# =============================================================================
# Translation (Java / Rust / JS syntax -> Python re syntax)
# =============================================================================

_Ranges = tuple[tuple[int, int], ...]

_POSIX_CLASSES: dict[str, _Ranges] = {
    "lower": ((0x61, 0x7A),),
    "upper": ((0x41, 0x5A),),
    "ascii": ((0x00, 0x7F),),
    "alpha": ((0x41, 0x5A), (0x61, 0x7A)),
    "digit": ((0x30, 0x39),),
    "alnum": ((0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)),
    "punct": ((0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)),
    "graph": ((0x21, 0x7E),),
    "print": ((0x20, 0x7E),),
    "blank": ((0x09, 0x09), (0x20, 0x20)),
    "cntrl": ((0x00, 0x1F), (0x7F, 0x7F)),
    "xdigit": ((0x30, 0x39), (0x41, 0x46), (0x61, 0x66)),
    "space": ((0x09, 0x0D), (0x20, 0x20)),
    "word": ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)),
}

# Java's \h: horizontal whitespace.
_HSPACE: _Ranges = (
    (0x09, 0x09), (0x20, 0x20), (0xA0, 0xA0), (0x1680, 0x1680), (0x180E, 0x180E),
    (0x2000, 0x200A), (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000),
)

_GENERAL_CATEGORY_NAMES = {
    "l": "L", "letter": "L", "lu": "Lu", "uppercaseletter": "Lu", "ll": "Ll",
    "lowercaseletter": "Ll", "lt": "Lt", "titlecaseletter": "Lt", "lm": "Lm",
    "modifierletter": "Lm", "lo": "Lo", "otherletter": "Lo", "m": "M", "mark": "M",
    "mn": "Mn", "nonspacingmark": "Mn", "mc": "Mc", "spacingmark": "Mc", "me": "Me",
    "enclosingmark": "Me", "n": "N", "number": "N", "nd": "Nd", "decimalnumber": "Nd",
    "nl": "Nl", "letternumber": "Nl", "no": "No", "othernumber": "No", "p": "P",
    "punctuation": "P", "pc": "Pc", "connectorpunctuation": "Pc", "pd": "Pd",
    "dashpunctuation": "Pd", "ps": "Ps", "openpunctuation": "Ps", "pe": "Pe",
    "closepunctuation": "Pe", "pi": "Pi", "initialpunctuation": "Pi", "pf": "Pf",
    "finalpunctuation": "Pf", "po": "Po", "otherpunctuation": "Po", "s": "S",
    "symbol": "S", "sm": "Sm", "mathsymbol": "Sm", "sc": "Sc", "currencysymbol": "Sc",
    "sk": "Sk", "modifiersymbol": "Sk", "so": "So", "othersymbol": "So", "z": "Z",
    "separator": "Z", "zs": "Zs", "spaceseparator": "Zs", "zl": "Zl",
    "lineseparator": "Zl", "zp": "Zp", "paragraphseparator": "Zp", "c": "C",
    "other": "C", "cc": "Cc", "control": "Cc", "cf": "Cf", "format": "Cf", "cs": "Cs",
    "surrogate": "Cs", "co": "Co", "privateuse": "Co", "cn": "Cn", "unassigned": "Cn",
}

# Unicode binary properties (Java ``\p{IsX}``/``\p{javaX}``, Rust ``\p{X}``),
# approximated by general categories.
_UNICODE_PROPERTIES = {
    "alphabetic": "L|Nl", "letter": "L", "digit": "Nd", "lowercase": "Ll",
    "uppercase": "Lu", "titlecase": "Lt", "punctuation": "P", "control": "Cc",
    "letterordigit": "L|Nd", "whitespace": "", "spacechar": "Z",
}


@functools.lru_cache(maxsize=1)
def _category_runs() -> dict[str, list[tuple[int, int]]]:
    """Maximal code point runs per Unicode general category (one scan, cached)."""
    runs: dict[str, list[tuple[int, int]]] = {}
    category = unicodedata.category
    start = 0
    current = category("\x00")
    for cp in range(1, sys.maxunicode + 1):
        cat = category(chr(cp))
        if cat != current:
            runs.setdefault(current, []).append((start, cp - 1))
            start, current = cp, cat
    runs.setdefault(current, []).append((start, sys.maxunicode))
    return runs


@functools.lru_cache(maxsize=64)
def _category_ranges(spec: str) -> _Ranges:
    """Code point ranges of ``|``-separated general categories or prefixes."""
    prefixes = tuple(spec.split("|"))
    picked = [r for cat, rs in _category_runs().items() if cat.startswith(prefixes) for r in rs]
    return _normalize_ranges(picked)


def _normalize_ranges(ranges: Iterable[tuple[int, int]]) -> _Ranges:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1] + 1:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return tuple(merged)


def _complement(ranges: _Ranges) -> _Ranges:
    out: list[tuple[int, int]] = []
    prev = 0
    for lo, hi in ranges:
        if lo > prev:
            out.append((prev, lo - 1))
        prev = hi + 1
    if prev <= sys.maxunicode:
        out.append((prev, sys.maxunicode))
    return tuple(out)


def _property_ranges(name: str, pattern: str, pos: int) -> _Ranges:
    """Ranges for a ``\\p{name}`` property, or RegexError if unknown."""
    key = name.replace(" ", "").replace("-", "").replace("_", "").lower()
    for prefix in ("generalcategory=", "gc="):
        if key.startswith(prefix):
            return _general_category(key[len(prefix):], name, pattern, pos)
    unicode_named = key.startswith(("is", "java"))
    if unicode_named:
        key = key[2:] if key.startswith("is") else key[4:]
    elif key in _POSIX_CLASSES:  # Java's POSIX classes are US-ASCII only
        return _POSIX_CLASSES[key]
    if key in _UNICODE_PROPERTIES:
        spec = _UNICODE_PROPERTIES[key]
        if not spec:  # white space: not a general category
            return _normalize_ranges((cp, cp) for cp in range(0x3001) if chr(cp).isspace())
        return _category_ranges(spec)
    return _general_category(key, name, pattern, pos)


def _general_category(key: str, name: str, pattern: str, pos: int) -> _Ranges:
    if key in _GENERAL_CATEGORY_NAMES:
        return _category_ranges(_GENERAL_CATEGORY_NAMES[key])
    raise RegexError(
        f"invalid regex {pattern!r}: unsupported character property \\p{{{name}}} "
        f"at position {pos} (scripts and blocks cannot be translated to Python re)"
    )


def _escape_cp(cp: int) -> str:
    if cp < 0x100:
        return f"\\x{cp:02x}"
    if cp < 0x10000:
        return f"\\u{cp:04x}"
    return f"\\U{cp:08x}"


def _ranges_body(ranges: _Ranges) -> str:
    return "".join(
        _escape_cp(lo) if lo == hi else f"{_escape_cp(lo)}-{_escape_cp(hi)}" for lo, hi in ranges
    )


_FLAG_MAP = {"i": "i", "m": "m", "s": "s", "x": "x", "a": "a",
             # No boolean effect in Python: Unicode is the default for str
             # patterns, greediness (Rust U) never changes whether text matches,
             # Java UNIX_LINES / Rust CRLF only tweak line terminators.
             "u": "", "U": "", "d": "", "R": "", "n": ""}
_INLINE_FLAGS = re.compile(r"\(\?([A-Za-z]*)(?:-([A-Za-z]*))?([:)])")


def translate(pattern: str) -> str:
    """Rewrite a Java/Rust/JavaScript regex into equivalent Python ``re`` syntax.

    Handles named groups ``(?<n>..)`` and ``\\k<n>``, ``\\z``/``\\Z``, Unicode
    and POSIX properties (``\\p{Alpha}``, ``\\p{L}``, ``\\P{..}``, ``\\pL``,
    ``[[:alpha:]]``), ``\\h``/``\\H``, ``\\R``, ``\\Q..\\E`` quoting,
    ``\\x{..}``/``\\u{..}``, ``\\e``, ``\\cX``, Java octal ``\\0nnn`` and inline
    flags in the middle of a pattern (scoped to the rest of their group, which
    Python 3.11 requires).  Everything else is left alone for ``re`` to judge.
    Raises RegexError for constructs with no Python equivalent (class
    intersection ``&&``, nested classes, unknown properties or flags).
    """
    return _translate(pattern)


@functools.lru_cache(maxsize=1024)
def _translate(pattern: str) -> str:
    out: list[str] = []
    n = len(pattern)
    i = 0
    # One entry per open group: the inline-flag scopes opened inside it, which
    # must be closed at its ")" and re-opened after each "|".
    frames: list[list[str]] = [[]]
    in_class = False
    at_start = True
    verbose = False
    multiline = False

    def fail(reason: str, pos: int) -> RegexError:
        return RegexError(f"invalid regex {pattern!r}: {reason} at position {pos}")

    while i < n:
        ch = pattern[i]
        if in_class:
            if ch == "\\":
                text, i = _translate_escape(pattern, i, True, multiline, fail)
                out.append(text)
                continue
            if ch == "]":
                in_class = False
                out.append(ch)
            elif ch == "[":
                m = re.compile(r"\[:(\^?)([A-Za-z]+):\]").match(pattern, i)
                if m is None:
                    raise fail("nested character classes are not supported", i)
                ranges = _POSIX_CLASSES.get(m.group(2).lower())
                if ranges is None:
                    raise fail(f"unknown POSIX class [:{m.group(2)}:]", i)
                out.append(_ranges_body(_complement(ranges) if m.group(1) else ranges))
                i = m.end()
                continue
            elif ch == "&" and pattern.startswith("&&", i):
                raise fail("character class intersection (&&) is not supported", i)
            elif ch in "~|&":
                out.append("\\" + ch)  # literal in Java; avoids re's set-operation warnings
            else:
                out.append(ch)
            i += 1
            continue

        if ch == "\\":
            text, i = _translate_escape(pattern, i, False, multiline, fail)
            out.append(text)
            at_start = False
            continue
        if ch == "[":
            in_class = True
            at_start = False
            out.append("[")
            i += 1
            if pattern.startswith("^", i):
                out.append("^")
                i += 1
            if pattern.startswith("]", i):
                out.append("\\]")
                i += 1
            continue
        if ch == "(":
            if pattern.startswith("(?", i):
                m = _INLINE_FLAGS.match(pattern, i)
                if m is not None:
                    on = _map_flags(m.group(1), pattern, i, fail)
                    off = _map_flags(m.group(2) or "", pattern, i, fail).replace("a", "")
                    spec = on + ("-" + off if off else "")
                    if m.group(3) == ")":  # standalone flags: apply to rest of group
                        if "x" in on and at_start:
                            verbose = True
                        if "m" in on:
                            multiline = True
                        if "m" in off:
                            multiline = False
                        if at_start and len(frames) == 1 and not off:
                            if on:
                                out.append(f"(?{on})")
                        elif spec:
                            opener = f"(?{spec}:"
                            out.append(opener)
                            frames[-1].append(opener)
                        i = m.end()
                        continue
                    out.append(f"(?{spec}:" if spec else "(?:")
                    frames.append([])
                    at_start = False
                    i = m.end()
                    continue
                if pattern.startswith("(?<", i) and i + 3 < n and (
                    pattern[i + 3].isalpha() or pattern[i + 3] == "_"
                ):
                    out.append("(?P<")
                    frames.append([])
                    at_start = False
                    i += 3
                    continue
                if pattern.startswith("(?#", i):
                    end = pattern.find(")", i)
                    end = n if end < 0 else end + 1
                    out.append(pattern[i:end])
                    i = end
                    continue
                if pattern.startswith("(?P=", i) or pattern.startswith("(?P>", i):
                    end = pattern.find(")", i)
                    end = n if end < 0 else end + 1
                    out.append(pattern[i:end])
                    at_start = False
                    i = end
                    continue
            out.append("(")
            frames.append([])
            at_start = False
            i += 1
            continue
        if ch == ")":
            if len(frames) > 1:
                out.append(")" * len(frames.pop()))
            out.append(")")
            at_start = False
            i += 1
            continue
        if ch == "|":
            scopes = frames[-1]
            out.append(")" * len(scopes) + "|" + "".join(scopes))
            at_start = False
            i += 1
            continue
        if ch == "#" and verbose:
            end = pattern.find("\n", i)
            end = n if end < 0 else end + 1
            out.append(pattern[i:end])
            i = end
            continue
        if not (verbose and ch.isspace()):
            at_start = False
        out.append(ch)
        i += 1
    out.append(")" * len(frames[0]))
    return "".join(out)


def _map_flags(
    letters: str, pattern: str, pos: int, fail: Callable[[str, int], RegexError]
) -> str:
    mapped: list[str] = []
    for letter in letters:
        if letter not in _FLAG_MAP:
            raise fail(f"unsupported inline flag {letter!r}", pos)
        py = _FLAG_MAP[letter]
        if py and py not in mapped:
            mapped.append(py)
    return "".join(mapped)


def _translate_escape(
    pattern: str,
    i: int,
    in_class: bool,
    multiline: bool,
    fail: Callable[[str, int], RegexError],
) -> tuple[str, int]:
    """Translate the escape starting at ``pattern[i] == '\\'``; return (text, next index)."""
    n = len(pattern)
    if i + 1 >= n:
        return "\\", i + 1  # re reports the dangling backslash
    e = pattern[i + 1]
    if e in "pP":
        if pattern.startswith("{", i + 2):
            end = pattern.find("}", i + 3)
            if end < 0:
                raise fail("unterminated \\p{...} property", i)
            name, nxt = pattern[i + 3:end], end + 1
        elif i + 2 < n:
            name, nxt = pattern[i + 2], i + 3
        else:
            raise fail("incomplete \\p property", i)
        negated = e == "P"
        if name.startswith("^"):
            name, negated = name[1:], not negated
        ranges = _property_ranges(name, pattern, i)
        return _class_text(ranges, negated, in_class), nxt
    if e in "hH":
        return _class_text(_HSPACE, e == "H", in_class), i + 2
    if e == "Q":
        end = pattern.find("\\E", i + 2)
        quoted = pattern[i + 2:] if end < 0 else pattern[i + 2:end]
        nxt = n if end < 0 else end + 2
        return "".join(_escape_cp(ord(q)) for q in quoted), nxt
    if e in "xu" and pattern.startswith("{", i + 2):
        end = pattern.find("}", i + 3)
        digits = pattern[i + 3:end] if end >= 0 else ""
        if end < 0 or not digits or any(d not in "0123456789abcdefABCDEF" for d in digits):
            raise fail(f"invalid \\{e}{{...}} escape", i)
        cp = int(digits, 16)
        if cp > sys.maxunicode:
            raise fail(f"code point {digits} out of range", i)
        return _escape_cp(cp), end + 1
    if e == "e":
        return "\\x1b", i + 2
    if e == "c":
        if i + 2 >= n:
            raise fail("incomplete \\c control escape", i)
        return _escape_cp(ord(pattern[i + 2]) ^ 0x40), i + 3
    if e == "0":
        j = i + 2
        while j < n and j < i + 5 and pattern[j] in "01234567":
            j += 1
        digits = pattern[i + 2:j]
        if len(digits) == 3 and digits[0] > "3":
            digits, j = digits[:2], j - 1
        return _escape_cp(int(digits or "0", 8)), j
    if not in_class:
        if e == "z":
            return "\\Z", i + 2
        if e == "Z":
            # Java: end of input, or before a final line terminator.
            return ("(?=\\n?\\Z)" if multiline else "$"), i + 2
        if e == "R":
            return "(?:\\r\\n|[\\n\\x0b\\x0c\\r\\x85\\u2028\\u2029])", i + 2
        if e == "k" and pattern.startswith("<", i + 2):
            end = pattern.find(">", i + 3)
            if end < 0:
                raise fail("unterminated \\k<name> backreference", i)
            return f"(?P={pattern[i + 3:end]})", end + 1
    return pattern[i:i + 2], i + 2


def _class_text(ranges: _Ranges, negated: bool, in_class: bool) -> str:
    if in_class:
        return _ranges_body(_complement(ranges) if negated else ranges)
    return ("[^" if negated else "[") + _ranges_body(ranges) + "]"


# =============================================================================
# Character predicates (shared by the NFA, the cost model and the generator)
# =============================================================================

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


def _combine_flags(flags: int, add: int, remove: int) -> int:
    if add & _TYPE_FLAGS:
        flags &= ~_TYPE_FLAGS
    return (flags | add) & ~remove


# =============================================================================
# Cost model of re's backtracking
# =============================================================================

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

    def __init__(self, parsed: Any) -> None:
        self._top = list(parsed.data)
        self._flags = parsed.state.flags
        self._info: dict[tuple[int, int], _Info] = {}
        self._single: dict[tuple[Any, int], _CharSet] = {}
        self._failing = False
        top = self._top
        multiline = bool(self._flags & _F_MULTILINE)
        self.anchored = bool(top) and top[0][0] is _AT and (
            top[0][1] is _c.AT_BEGINNING_STRING
            or (top[0][1] is _c.AT_BEGINNING and not multiline)
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
        """Largest value length whose bound stays within the budget."""

        def ok(n: int) -> bool:
            return self.steps(n, search) <= max(_BUDGET, _LINEAR_RATE * n)

        hi = 1 << 40
        if ok(hi):
            return _UNLIMITED
        if not ok(0):
            return -1
        lo = 0
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if ok(mid):
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
            exact = (
                not flags & _F_IGNORECASE
                and (
                    (op is _LITERAL and av < 128)
                    or (
                        op is _IN
                        and all(
                            (o is _LITERAL and a < 128) or (o is _RANGE and a[1] < 128)
                            for o, a in av
                        )
                    )
                )
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
            first = _NEWLINE_SET if av is _c.AT_END and flags & _F_MULTILINE else _EMPTY_SET
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

    def _seq(
        self, items: Sequence[tuple[Any, Any]], follow: _Follow, flags: int, n: int
    ) -> tuple[float, float]:
        """(ways to hand over to ``follow``, work done inside) for a sequence."""
        follows: list[_Follow] = [follow] * len(items)
        f = follow
        for idx in range(len(items) - 1, -1, -1):
            follows[idx] = f
            f = self._prepend(self._node_info(items[idx], flags), f)
        ways, work = 1.0, 0.0
        for idx, node in enumerate(items):
            w, c = self._node(node, follows[idx], flags, n)
            work += _mul(ways, c)
            ways = _mul(ways, w)
            if ways == 0:
                break
        return ways, work

    def _node(
        self, node: tuple[Any, Any], follow: _Follow, flags: int, n: int
    ) -> tuple[float, float]:
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
                a.first.disjoint(b.first) for x, a in enumerate(infos) for b in infos[x + 1:]
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

    def _repeat(
        self, av: Any, op: Any, follow: _Follow, flags: int, n: int
    ) -> tuple[float, float]:
        lo, hi, body = av
        body_items = list(body)
        body_info = self._seq_info(body_items, flags)
        top = max(lo, min(hi, n + 1 if body_info.nullable else n))
        single = _single_char_body(body_items, flags)
        if single is not None:
            s_op, s_av, s_flags = single
            if lo > n:
                return 0.0, float(n + 1)
            choices = float(min(hi, n) - lo + 1)
            work = min(hi, n) + choices
            x = self._charset(s_op, s_av, s_flags)
            if follow.always and self._failing:
                # Reaching `lo` iterations would succeed; failing attempts stop sooner.
                return 1.0, float(min(lo, n) + 1)
            if op is _POSSESSIVE_REPEAT or follow.always:
                return 1.0, work
            if x.disjoint(follow.first):
                return (2.0 if follow.end else 1.0), work
            return choices, work
        inner_follow = _Follow(body_info.first.union(follow.first), follow.end, False)
        wb, cb = self._seq(body_items, inner_follow, flags, n)
        if follow.always and self._failing and wb <= 1:
            return 1.0, _mul(float(min(lo, n) + 1), cb) + 1
        ways = _geometric(wb, lo, top)
        work = _mul(_geometric(wb, 0, top - 1), cb) + top
        if op is _POSSESSIVE_REPEAT or follow.always:
            ways = min(ways, 1.0)
        elif (
            wb <= 1
            and not body_info.nullable
            and body_info.first.disjoint(follow.first)
        ):
            ways = min(ways, 2.0 if follow.end else 1.0)
        return ways, work


def _single_char_body(
    items: Sequence[tuple[Any, Any]], flags: int
) -> tuple[Any, Any, int] | None:
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


# =============================================================================
# Thompson NFA simulated as a lazily built DFA
# =============================================================================

_K_CHAR, _K_SPLIT, _K_JMP, _K_ASSERT, _K_MATCH = range(5)

# Character kinds seen by zero-width assertions (previous / next character).
_EDGE, _NL, _WORD_ASCII, _WORD_UNI, _OTHER, _NL_LAST = range(6)

# Assertion codes.
(
    _A_BOS, _A_BOL, _A_EOS, _A_EOL_OR_FINAL_NL, _A_EOL,
    _A_WORDB, _A_NWORDB, _A_WORDB_ASCII, _A_NWORDB_ASCII,
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


class _ProgramTooLarge(Exception):
    pass


class _Program:
    """Thompson NFA: parallel instruction arrays; CHAR/ASSERT continue at pc + 1."""

    def __init__(self, parsed: Any) -> None:
        self.kind: list[int] = []
        self.arg: list[Any] = []
        self.alt: list[int] = []
        self._emit_seq(parsed.data, parsed.state.flags)
        self._emit(_K_MATCH)

    def _emit(self, kind: int, arg: Any = None, alt: int = -1) -> int:
        if len(self.kind) >= _MAX_PROGRAM:
            raise _ProgramTooLarge
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
    if at is _c.AT_BEGINNING:
        return _A_BOL if multiline else _A_BOS
    if at is _c.AT_BEGINNING_STRING:
        return _A_BOS
    if at is _c.AT_END:
        return _A_EOL if multiline else _A_EOL_OR_FINAL_NL
    if at is _c.AT_END_STRING:
        return _A_EOS
    if at is _c.AT_BOUNDARY:
        return _A_WORDB_ASCII if ascii_only else _A_WORDB
    if at is _c.AT_NON_BOUNDARY:
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

    def __init__(self, program: _Program, search: bool, anchored: bool) -> None:
        self.program = program
        self.search = search
        self.restart = search and not anchored
        self.states: dict[tuple[frozenset[int], int], _State] = {}
        self.transitions = 0
        self.initial = self._intern(frozenset((0,)), _EDGE)

    def _intern(self, pcs: frozenset[int], prev: int) -> _State:
        key = (pcs, prev)
        state = self.states.get(key)
        if state is None:
            if len(self.states) >= _MAX_DFA_STATES or self.transitions >= _MAX_DFA_TRANSITIONS:
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


# =============================================================================
# Public API
# =============================================================================


@dataclass(frozen=True, slots=True)
class Regex:
    """A compiled, bounded regular expression (see :func:`compile_regex`).

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
        parsed = _sre_parse.parse(translated, 0)
        compiled = re.compile(translated)
    except re.error as exc:
        raise _parse_error(pattern, translated, exc) from None
    except (OverflowError, RecursionError) as exc:
        raise RegexError(f"invalid regex {pattern!r}: {exc}") from None
    try:
        return _classify(pattern, translated, parsed, compiled)
    except RecursionError:
        raise RegexError(f"invalid regex {pattern!r}: groups nested too deeply") from None


def _classify(pattern: str, translated: str, parsed: Any, compiled: re.Pattern[str]) -> Regex:
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
            except _ProgramTooLarge:
                problem = (
                    f"its counted repeats expand beyond {_MAX_PROGRAM} NFA states, "
                    "too large for the linear-time engine"
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


# =============================================================================
# Generation
# =============================================================================

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
        raise RegexError(
            f"cannot generate a string for regex {pattern!r}: it uses {', '.join(sorted(features))}"
        )
    for _ in range(50):
        out: list[str] = []
        _generate(parsed.data, parsed.state.flags, rng, out)
        candidate = "".join(out)
        if regex.fullmatch(candidate):
            return candidate
    raise RegexError(f"cannot generate a string matching regex {pattern!r}")


@functools.lru_cache(maxsize=256)
def _parse_cached(translated: str) -> Any:
    return _sre_parse.parse(translated, 0)


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
            elif a is _c.CATEGORY_DIGIT:
                candidates.append(rng.choice("0123456789"))
            elif a is _c.CATEGORY_WORD:
                candidates.append(rng.choice(_WORD_CHARS))
            elif a is _c.CATEGORY_SPACE:
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


def _nfa_engines(pattern: str) -> tuple[_Engine, _Engine]:
    """(search, fullmatch) linear-time engines for ``pattern``, bypassing ``re``.

    For tests and benchmarks that must exercise the NFA path regardless of the
    value's length.
    """
    parsed = _sre_parse.parse(_translate(pattern), 0)
    anchored = _CostModel(parsed).anchored
    program = _Program(parsed)
    return _Engine(program, True, anchored), _Engine(program, False, anchored)
