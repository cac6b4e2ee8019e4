"""Translation of Java / Rust / JavaScript regex syntax into Python ``re`` syntax."""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable

from ._properties import _HSPACE, _POSIX_CLASSES, _class_text, _complement, _escape_cp, _property_ranges, _ranges_body
from ._syntax import RegexError

_FLAG_MAP = {
    "i": "i",
    "m": "m",
    "s": "s",
    "x": "x",
    "a": "a",
    # No boolean effect in Python: Unicode is the default for str
    # patterns, greediness (Rust U) never changes whether text matches,
    # Java UNIX_LINES / Rust CRLF only tweak line terminators.
    "u": "",
    "U": "",
    "d": "",
    "R": "",
    "n": "",
}
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
                if pattern.startswith("(?<", i) and i + 3 < n and (pattern[i + 3].isalpha() or pattern[i + 3] == "_"):
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


def _map_flags(letters: str, pattern: str, pos: int, fail: Callable[[str, int], RegexError]) -> str:
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
            name, nxt = pattern[i + 3 : end], end + 1
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
        quoted = pattern[i + 2 :] if end < 0 else pattern[i + 2 : end]
        nxt = n if end < 0 else end + 2
        return "".join(_escape_cp(ord(q)) for q in quoted), nxt
    if e in "xu" and pattern.startswith("{", i + 2):
        end = pattern.find("}", i + 3)
        digits = pattern[i + 3 : end] if end >= 0 else ""
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
        digits = pattern[i + 2 : j]
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
            return f"(?P={pattern[i + 3 : end]})", end + 1
    return pattern[i : i + 2], i + 2
