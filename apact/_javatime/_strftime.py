"""Python ``strftime`` formats converted to Java ``DateTimeFormatter`` patterns."""

from __future__ import annotations

import re

from ._items import JavaTimeError

_STRFTIME_TO_JAVA = {
    "Y": "yyyy",
    "y": "yy",
    "m": "MM",
    "d": "dd",
    "H": "HH",
    "I": "hh",
    "M": "mm",
    "S": "ss",
    "f": "SSSSSS",
    "p": "a",
    "a": "EEE",
    "A": "EEEE",
    "b": "MMM",
    "h": "MMM",
    "B": "MMMM",
    "j": "DDD",
    "z": "xx",
    ":z": "xxx",
    "Z": "z",
    "G": "YYYY",
    "V": "ww",
    "u": "e",
    "F": "yyyy-MM-dd",
    "T": "HH:mm:ss",
    "R": "HH:mm",
    "D": "MM/dd/yy",
    "r": "hh:mm:ss a",
    # glibc "no padding" flag
    "-d": "d",
    "-m": "M",
    "-H": "H",
    "-I": "h",
    "-M": "m",
    "-S": "s",
    "-j": "D",
}
_STRFTIME_LITERALS = {"%": "%", "n": "\n", "t": "\t"}
_STRFTIME_DIRECTIVE = re.compile(r"%([-:]?)(.?)", re.S)
_JAVA_SPECIAL = frozenset("[]#{}'")


def looks_like_strftime(fmt: str) -> bool:
    """True if ``fmt`` contains a ``%`` directive (a Python/C format, not Java)."""
    return re.search(r"%[-:]?[A-Za-z%]", fmt) is not None


def strftime_to_java(fmt: str) -> str:
    """Convert a Python ``strftime`` format into the equivalent Java pattern.

    Letters and Java's special characters in literal text are quoted.  Raises
    JavaTimeError for directives with no Java equivalent (``%w``, ``%U``,
    ``%c``, ``%s``...).
    """
    out: list[str] = []
    literal: list[str] = []

    def flush() -> None:
        if not literal:
            return
        text = "".join(literal)
        literal.clear()
        if any(ch.isascii() and ch.isalpha() or ch in _JAVA_SPECIAL for ch in text):
            out.append("'" + text.replace("'", "''") + "'")
        else:
            out.append(text)

    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch != "%":
            literal.append(ch)
            i += 1
            continue
        m = _STRFTIME_DIRECTIVE.match(fmt, i)
        assert m is not None
        flag, directive = m.group(1), m.group(2)
        key = flag + directive
        if not flag and directive in _STRFTIME_LITERALS:
            literal.append(_STRFTIME_LITERALS[directive])
        elif key in _STRFTIME_TO_JAVA:
            flush()
            out.append(_STRFTIME_TO_JAVA[key])
        else:
            raise JavaTimeError(
                f"strftime format {fmt!r}: directive %{key} at position {i} has no Java DateTimeFormatter equivalent"
            )
        i = m.end()
    flush()
    return "".join(out)
