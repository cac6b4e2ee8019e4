"""JSON path expressions as Pact uses them (a small subset of JSONPath).

From the specification (V2): all paths start with ``$``; elements are separated by
periods or written in bracket notation (``['x.y']``); array indices use brackets
(``[1]``); a star matches every key of a map or every item of an array, one level only.
"""

from __future__ import annotations

import functools
import re


class Wildcard:
    """``.*`` (any key or index) or ``[*]`` (any index)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


#: ``.*`` / ``['*']``: matches every key of a map or item of an array
STAR = Wildcard(".*")
#: ``[*]``: matches every item of an array
STAR_INDEX = Wildcard("[*]")

#: a token is a key (``str``), an index (``int``) or a wildcard
Token = str | int | Wildcard

_IDENTIFIER = re.compile(r"[A-Za-z_\-@#$:][A-Za-z0-9_\-@#$:]*")


class PathError(ValueError):
    """A JSON path expression that cannot be parsed."""


@functools.lru_cache(maxsize=4096)
def parse_path(expression: str) -> tuple[Token, ...]:
    """``$.a['b c'][0].*`` -> ``("a", "b c", 0, "*")`` (the root ``$`` is implicit).

    Raises `PathError` naming the position of the first problem. A quoted
    ``['*']`` is read as the wildcard, as the reference implementation does.
    """
    text = expression.strip()
    if not text.startswith("$"):
        # the reference implementation accepts a bare first key ("body.x" style)
        text = "$." + text if text else "$"
    tokens: list[Token] = []
    i, n = 1, len(text)
    while i < n:
        char = text[i]
        if char == ".":
            i += 1
            if i < n and text[i] == "*":
                tokens.append(STAR)
                i += 1
                continue
            match = _IDENTIFIER.match(text, i)
            if match is None:
                # keys with other characters (unicode, digits first): up to the next . or [
                end = i
                while end < n and text[end] not in ".[":
                    end += 1
                if end == i:
                    raise PathError(f"expected a key after '.' at position {i} in {expression!r}")
                tokens.append(text[i:end])
                i = end
            else:
                tokens.append(match.group())
                i = match.end()
        elif char == "[":
            close = _find_closing_bracket(text, i, expression)
            inner = text[i + 1 : close].strip()
            i = close + 1
            if inner == "*":
                tokens.append(STAR_INDEX)
            elif inner[:1] in "'\"":
                quote = inner[0]
                if len(inner) < 2 or inner[-1] != quote:
                    raise PathError(f"unterminated quoted key in {expression!r}")
                key = inner[1:-1].replace("\\" + quote, quote)
                tokens.append(STAR if key == "*" else key)
            else:
                try:
                    index = int(inner)
                except ValueError:
                    raise PathError(
                        f"expected an index, '*' or a quoted key in brackets, got [{inner}] in {expression!r}"
                    ) from None
                if index < 0:
                    raise PathError(f"negative index [{inner}] in {expression!r}")
                tokens.append(index)
        else:
            raise PathError(f"unexpected {char!r} at position {i} in {expression!r}")
    return tuple(tokens)


def _find_closing_bracket(text: str, start: int, expression: str) -> int:
    i = start + 1
    quote = None
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\":
                i += 2
                continue
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "]":
            return i
        i += 1
    raise PathError(f"unclosed '[' at position {start} in {expression!r}")


def format_path(tokens: tuple[Token, ...] | list[Token], root: str = "$") -> str:
    """The inverse of `parse_path`: ``("a", 0, "b c")`` -> ``$.a[0]['b c']``."""
    parts = [root]
    for token in tokens:
        parts.append(format_token(token))
    return "".join(parts)


def format_token(token: Token) -> str:
    if isinstance(token, str):  # (first: reading a pact names every key it passes)
        # an ASCII identifier is exactly [A-Za-z_][A-Za-z0-9_]*, tested without a regex
        if token.isascii() and token.isidentifier():
            return "." + token
        return "['" + token.replace("'", "\\'") + "']"
    if isinstance(token, int):
        return f"[{token}]"
    return token.text


def child_path(path: str, token: Token) -> str:
    """``child_path("$.a", 0)`` -> ``"$.a[0]"``."""
    return path + format_token(token)
