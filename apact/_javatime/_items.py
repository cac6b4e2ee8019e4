"""Pattern items: what a ``DateTimeFormatter`` pattern tokenizes into, and the tokenizer.

Also `JavaTimeError`, which every later stage raises too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union


class JavaTimeError(ValueError):
    """An invalid or unsupported date/time pattern, or an unformattable value."""


@dataclass(frozen=True, slots=True)
class _Literal:
    text: str


@dataclass(frozen=True, slots=True)
class _Field:
    letter: str
    count: int


@dataclass(frozen=True, slots=True)
class _Optional:
    items: tuple[_Item, ...]


_Item = Union[_Literal, _Field, _Optional]


# Maximum letter counts per pattern letter (Java's "Too many pattern letters").
_MAX_COUNT = {
    "G": 5,
    "u": 19,
    "y": 19,
    "Y": 19,
    "D": 3,
    "M": 5,
    "L": 5,
    "d": 2,
    "Q": 5,
    "q": 5,
    "w": 2,
    "W": 1,
    "E": 5,
    "e": 5,
    "c": 5,
    "F": 1,
    "a": 1,
    "h": 2,
    "K": 2,
    "k": 2,
    "H": 2,
    "m": 2,
    "s": 2,
    "S": 9,
    "A": 19,
    "n": 19,
    "N": 19,
    "V": 2,
    "v": 4,
    "z": 4,
    "O": 4,
    "X": 5,
    "x": 5,
    "Z": 5,
}
_INVALID_COUNTS = {"V": {1}, "v": {2, 3}, "O": {2, 3}, "c": {2}}


def _tokenize(pattern: str) -> tuple[_Item, ...]:
    stack: list[list[_Item]] = [[]]
    opens: list[int] = []
    i, n = 0, len(pattern)

    def fail(reason: str) -> JavaTimeError:
        return JavaTimeError(f"invalid date/time pattern {pattern!r}: {reason}")

    def add_literal(text: str) -> None:
        items = stack[-1]
        if items and isinstance(items[-1], _Literal):
            items[-1] = _Literal(items[-1].text + text)
        else:
            items.append(_Literal(text))

    while i < n:
        ch = pattern[i]
        if ch == "'":
            if pattern.startswith("''", i):
                add_literal("'")
                i += 2
                continue
            j, text = i + 1, []
            while True:
                if j >= n:
                    raise fail(f"unterminated quoted literal starting at position {i}")
                if pattern[j] == "'":
                    if pattern.startswith("''", j):
                        text.append("'")
                        j += 2
                        continue
                    break
                text.append(pattern[j])
                j += 1
            add_literal("".join(text))
            i = j + 1
        elif ch == "[":
            opens.append(i)
            stack.append([])
            i += 1
        elif ch == "]":
            if len(stack) == 1:
                raise fail(f"unbalanced ']' at position {i}")
            opens.pop()
            inner = tuple(stack.pop())
            stack[-1].append(_Optional(inner))
            i += 1
        elif ch in "#{}":
            raise fail(f"reserved character {ch!r} at position {i}")
        elif ("a" <= ch <= "z") or ("A" <= ch <= "Z"):
            j = i
            while j < n and pattern[j] == ch:
                j += 1
            count = j - i
            if ch not in _MAX_COUNT:
                raise fail(f"unknown pattern letter {ch!r} at position {i}")
            if count > _MAX_COUNT[ch] or count in _INVALID_COUNTS.get(ch, ()):
                raise fail(
                    f"too many pattern letters {ch * count!r} at position {i}"
                    if count > _MAX_COUNT[ch]
                    else f"invalid number of pattern letters {ch * count!r} at position {i}"
                )
            stack[-1].append(_Field(ch, count))
            i = j
        else:
            add_literal(ch)
            i += 1
    if len(stack) > 1:
        raise fail(f"unclosed optional section '[' at position {opens[-1]}")
    return tuple(stack[0])
