"""Named character classes as code point ranges, rendered as ``re`` class text.

Java and Rust name classes Python ``re`` does not know: Unicode general
categories and binary properties (``\\p{L}``, ``\\p{IsAlphabetic}``), POSIX
classes (``\\p{Alpha}``, ``[[:alpha:]]``) and Java's ``\\h``.  `_translate`
replaces each with the explicit ranges computed here.
"""

from __future__ import annotations

import functools
import sys
import unicodedata
from collections.abc import Iterable

from ._syntax import RegexError

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
    (0x09, 0x09),
    (0x20, 0x20),
    (0xA0, 0xA0),
    (0x1680, 0x1680),
    (0x180E, 0x180E),
    (0x2000, 0x200A),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
)

_GENERAL_CATEGORY_NAMES = {
    "l": "L",
    "letter": "L",
    "lu": "Lu",
    "uppercaseletter": "Lu",
    "ll": "Ll",
    "lowercaseletter": "Ll",
    "lt": "Lt",
    "titlecaseletter": "Lt",
    "lm": "Lm",
    "modifierletter": "Lm",
    "lo": "Lo",
    "otherletter": "Lo",
    "m": "M",
    "mark": "M",
    "mn": "Mn",
    "nonspacingmark": "Mn",
    "mc": "Mc",
    "spacingmark": "Mc",
    "me": "Me",
    "enclosingmark": "Me",
    "n": "N",
    "number": "N",
    "nd": "Nd",
    "decimalnumber": "Nd",
    "nl": "Nl",
    "letternumber": "Nl",
    "no": "No",
    "othernumber": "No",
    "p": "P",
    "punctuation": "P",
    "pc": "Pc",
    "connectorpunctuation": "Pc",
    "pd": "Pd",
    "dashpunctuation": "Pd",
    "ps": "Ps",
    "openpunctuation": "Ps",
    "pe": "Pe",
    "closepunctuation": "Pe",
    "pi": "Pi",
    "initialpunctuation": "Pi",
    "pf": "Pf",
    "finalpunctuation": "Pf",
    "po": "Po",
    "otherpunctuation": "Po",
    "s": "S",
    "symbol": "S",
    "sm": "Sm",
    "mathsymbol": "Sm",
    "sc": "Sc",
    "currencysymbol": "Sc",
    "sk": "Sk",
    "modifiersymbol": "Sk",
    "so": "So",
    "othersymbol": "So",
    "z": "Z",
    "separator": "Z",
    "zs": "Zs",
    "spaceseparator": "Zs",
    "zl": "Zl",
    "lineseparator": "Zl",
    "zp": "Zp",
    "paragraphseparator": "Zp",
    "c": "C",
    "other": "C",
    "cc": "Cc",
    "control": "Cc",
    "cf": "Cf",
    "format": "Cf",
    "cs": "Cs",
    "surrogate": "Cs",
    "co": "Co",
    "privateuse": "Co",
    "cn": "Cn",
    "unassigned": "Cn",
}

# Unicode binary properties (Java ``\p{IsX}``/``\p{javaX}``, Rust ``\p{X}``),
# approximated by general categories.
_UNICODE_PROPERTIES = {
    "alphabetic": "L|Nl",
    "letter": "L",
    "digit": "Nd",
    "lowercase": "Ll",
    "uppercase": "Lu",
    "titlecase": "Lt",
    "punctuation": "P",
    "control": "Cc",
    "letterordigit": "L|Nd",
    "whitespace": "",
    "spacechar": "Z",
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
            return _general_category(key[len(prefix) :], name, pattern, pos)
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
    return "".join(_escape_cp(lo) if lo == hi else f"{_escape_cp(lo)}-{_escape_cp(hi)}" for lo, hi in ranges)


def _class_text(ranges: _Ranges, negated: bool, in_class: bool) -> str:
    if in_class:
        return _ranges_body(_complement(ranges) if negated else ranges)
    return ("[^" if negated else "[") + _ranges_body(ranges) + "]"
