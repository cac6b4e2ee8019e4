"""A parser of Python ``re`` syntax into the tree of `_syntax`.

apact used CPython's private parser (``re._parser``, ``sre_parse`` on 3.10),
whose module, opcodes and tree change between Python versions.  This one is
ours.  It only ever sees patterns that ``re.compile`` has accepted on the
running Python (`compile_regex` compiles first), so it leaves every
error to ``re`` and needs no messages of its own; what it must get right is the
meaning, which the tests pin against ``re`` on every supported version.  Like
``sre``'s parser it factors a prefix common to all branches out of an
alternation and turns an alternation of single characters into a class, so the
cost model sees the pattern ``re`` actually runs.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from ._syntax import (
    _ANY,
    _ASSERT,
    _ASSERT_NOT,
    _AT,
    _AT_BEGINNING,
    _AT_BEGINNING_STRING,
    _AT_BOUNDARY,
    _AT_END,
    _AT_END_STRING,
    _AT_NON_BOUNDARY,
    _ATOMIC_GROUP,
    _BRANCH,
    _CATEGORY,
    _CATEGORY_DIGIT,
    _CATEGORY_NOT_DIGIT,
    _CATEGORY_NOT_SPACE,
    _CATEGORY_NOT_WORD,
    _CATEGORY_SPACE,
    _CATEGORY_WORD,
    _F_ASCII,
    _F_UNICODE,
    _F_VERBOSE,
    _FLAG_LETTERS,
    _GROUPREF,
    _GROUPREF_EXISTS,
    _IN,
    _LITERAL,
    _MAX_REPEAT,
    _MAXREPEAT,
    _MIN_REPEAT,
    _NEGATE,
    _NOT_LITERAL,
    _POSSESSIVE_REPEAT,
    _RANGE,
    _SUBPATTERN,
    RegexError,
)

_Node = tuple[Any, Any]

_DIGITS = frozenset("0123456789")
_OCTDIGITS = frozenset("01234567")
_HEXDIGITS = frozenset("0123456789abcdefABCDEF")
_WHITESPACE = frozenset(" \t\n\r\v\f")
_SIMPLE_ESCAPES = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92}
_CATEGORIES = {
    "d": _CATEGORY_DIGIT, "D": _CATEGORY_NOT_DIGIT, "s": _CATEGORY_SPACE,
    "S": _CATEGORY_NOT_SPACE, "w": _CATEGORY_WORD, "W": _CATEGORY_NOT_WORD,
}  # fmt: skip
_ANCHORS = {"A": _AT_BEGINNING_STRING, "b": _AT_BOUNDARY, "B": _AT_NON_BOUNDARY, "Z": _AT_END_STRING}
_HEX_LENGTHS = {"x": 2, "u": 4, "U": 8}
# Nodes sre compares by value when it factors a common prefix out of branches
# (it compares the others, which hold sub-sequences, by identity: never equal).
_FACTORABLE = frozenset((_LITERAL, _NOT_LITERAL, _ANY, _IN, _AT, _GROUPREF))


@dataclass(frozen=True, slots=True)
class _Parsed:
    """A parsed pattern: its top-level sequence and its global flags."""

    data: list[_Node]
    flags: int


class _VerboseRestartError(Exception):
    """A global (?x) met after the start: parse again in verbose mode (as sre does)."""


def _parse(pattern: str) -> _Parsed:
    """The tree of ``pattern``, which ``re.compile`` has accepted."""
    try:
        return _Parser(pattern, 0).parse()
    except _VerboseRestartError:
        return _Parser(pattern, _F_VERBOSE).parse()


class _Parser:
    def __init__(self, pattern: str, flags: int) -> None:
        self.text = pattern
        self.pos = 0
        self.flags = flags
        self.groups = 0
        self.names: dict[str, int] = {}

    def parse(self) -> _Parsed:
        data = self._alternation(bool(self.flags & _F_VERBOSE))
        if self.pos < len(self.text):  # pragma: no cover - re.compile rejected it
            raise RegexError(f"unbalanced parenthesis at position {self.pos}")
        flags = self.flags
        if not flags & _F_ASCII:
            flags |= _F_UNICODE
        return _Parsed(data, flags)

    # --- reading --------------------------------------------------------------

    def _peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def _take(self) -> str:
        ch = self._peek()
        self.pos += 1
        return ch

    def _match(self, expected: str) -> bool:
        if self.text.startswith(expected, self.pos):
            self.pos += len(expected)
            return True
        return False

    def _until(self, end: str) -> str:
        stop = self.text.index(end, self.pos)
        found = self.text[self.pos : stop]
        self.pos = stop + len(end)
        return found

    # --- sequences and alternations -------------------------------------------

    def _alternation(self, verbose: bool) -> list[_Node]:
        branches = [self._sequence(verbose)]
        while self._match("|"):
            branches.append(self._sequence(verbose))
        if len(branches) == 1:
            return branches[0]
        return _branch(branches)

    def _sequence(self, verbose: bool) -> list[_Node]:
        items: list[_Node] = []
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch in "|)":
                break
            self.pos += 1
            if verbose and ch in _WHITESPACE:
                continue
            if verbose and ch == "#":
                while self.pos < len(text) and text[self.pos] != "\n":
                    self.pos += 1
                continue
            if ch in "*+?":
                lo, hi = {"*": (0, _MAXREPEAT), "+": (1, _MAXREPEAT), "?": (0, 1)}[ch]
                self._repeat(items, lo, hi)
            elif ch == "{":
                bounds = self._counted()
                if bounds is None:
                    items.append((_LITERAL, ord("{")))
                else:
                    self._repeat(items, *bounds)
            elif ch == "(":
                node = self._group(verbose)
                if node is not None:
                    items.append(node)
            elif ch == "[":
                items.append(self._class())
            elif ch == ".":
                items.append((_ANY, None))
            elif ch == "^":
                items.append((_AT, _AT_BEGINNING))
            elif ch == "$":
                items.append((_AT, _AT_END))
            elif ch == "\\":
                items.append(self._escape())
            else:
                items.append((_LITERAL, ord(ch)))
        return items

    def _counted(self) -> tuple[int, int] | None:
        """``{m}``, ``{m,}``, ``{,n}``, ``{m,n}`` after a ``{``; None if literal."""
        start = self.pos
        if self._peek() == "}":
            return None
        lo = hi = ""
        while self._peek() in _DIGITS:
            lo += self._take()
        if self._match(","):
            while self._peek() in _DIGITS:
                hi += self._take()
        else:
            hi = lo
        if not self._match("}"):
            self.pos = start
            return None
        return (int(lo) if lo else 0), (int(hi) if hi else _MAXREPEAT)

    def _repeat(self, items: list[_Node], lo: int, hi: int) -> None:
        op = _MAX_REPEAT
        if self._match("?"):
            op = _MIN_REPEAT
        elif self._match("+"):
            op = _POSSESSIVE_REPEAT
        item = items.pop()
        body: list[_Node] = [item]
        if item[0] is _SUBPATTERN:
            group, add, remove, inner = item[1]
            if group is None and not add and not remove:
                body = inner
        items.append((op, (lo, hi, body)))

    # --- groups ---------------------------------------------------------------

    def _group(self, verbose: bool) -> _Node | None:
        if not self._match("?"):
            self.groups += 1
            group = self.groups
            body = self._alternation(verbose)
            self._match(")")
            return (_SUBPATTERN, (group, 0, 0, body))
        ch = self._take()
        if ch == "P":
            if self._match("<"):
                name = self._until(">")
                self.groups += 1
                group = self.groups
                self.names[name] = group
                body = self._alternation(verbose)
                self._match(")")
                return (_SUBPATTERN, (group, 0, 0, body))
            self._match("=")
            return (_GROUPREF, self._group_id(self._until(")")))
        if ch == ":":
            body = self._alternation(verbose)
            self._match(")")
            return (_SUBPATTERN, (None, 0, 0, body))
        if ch == "#":
            self._until(")")
            return None
        if ch in "=!" or (ch == "<" and self._peek() in "=!"):
            direction = 1
            if ch == "<":
                direction, ch = -1, self._take()
            body = self._alternation(verbose)
            self._match(")")
            return (_ASSERT if ch == "=" else _ASSERT_NOT, (direction, body))
        if ch == ">":
            body = self._alternation(verbose)
            self._match(")")
            return (_ATOMIC_GROUP, body)
        if ch == "(":
            group = self._group_id(self._until(")"))
            yes = self._sequence(verbose)
            no = self._sequence(verbose) if self._match("|") else None
            self._match(")")
            return (_GROUPREF_EXISTS, (group, yes, no))
        # inline flags: (?imsx) for the whole pattern, (?i-s:...) for a group
        self.pos -= 1
        add = remove = 0
        while self._peek() in _FLAG_LETTERS:
            add |= _FLAG_LETTERS[self._take()]
        if self._match("-"):
            while self._peek() in _FLAG_LETTERS:
                remove |= _FLAG_LETTERS[self._take()]
        if self._match(")"):
            if add & _F_VERBOSE and not self.flags & _F_VERBOSE:
                raise _VerboseRestartError
            self.flags |= add
            return None
        self._match(":")
        inner_verbose = (verbose or bool(add & _F_VERBOSE)) and not remove & _F_VERBOSE
        body = self._alternation(inner_verbose)
        self._match(")")
        return (_SUBPATTERN, (None, add & ~_F_VERBOSE, remove & ~_F_VERBOSE, body))

    def _group_id(self, name: str) -> int:
        return int(name) if name.isdecimal() else self.names[name]

    # --- escapes and classes --------------------------------------------------

    def _escape(self) -> _Node:
        """The node for the escape after a ``\\`` outside a class."""
        ch = self._take()
        if ch in _ANCHORS:
            return (_AT, _ANCHORS[ch])
        if ch in _CATEGORIES:
            return (_IN, [(_CATEGORY, _CATEGORIES[ch])])
        if ch in _DIGITS and ch != "0":
            digits = ch
            if self._peek() in _DIGITS:
                digits += self._take()
                if digits[0] in _OCTDIGITS and digits[1] in _OCTDIGITS and self._peek() in _OCTDIGITS:
                    return (_LITERAL, int(digits + self._take(), 8))
            return (_GROUPREF, int(digits))
        return (_LITERAL, self._code_point(ch))

    def _code_point(self, ch: str) -> int:
        """The character an escape (``\\`` then ``ch``) stands for, in or out of a class."""
        if ch in _HEX_LENGTHS:
            digits = self.text[self.pos : self.pos + _HEX_LENGTHS[ch]]
            self.pos += len(digits)
            return int(digits, 16)
        if ch == "N":
            self._match("{")
            return ord(unicodedata.lookup(self._until("}")))
        if ch in _OCTDIGITS:
            digits = ch
            while len(digits) < 3 and self._peek() in _OCTDIGITS:
                digits += self._take()
            return int(digits, 8)
        if ch in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[ch]
        return ord(ch)

    def _class(self) -> _Node:
        items: list[_Node] = []
        negate = self._match("^")
        start = self.pos
        while True:
            ch = self._take()
            if ch == "]" and self.pos - 1 != start:
                break
            first = self._class_item(ch)
            if self._peek() == "-" and self.text[self.pos + 1 : self.pos + 2] not in ("]", ""):
                self.pos += 1
                last = self._class_item(self._take())
                items.append((_RANGE, (first[1], last[1])))
            else:
                items.append(first)
        unique = list(dict.fromkeys(items))
        if len(unique) == 1 and unique[0][0] is _LITERAL:
            return (_NOT_LITERAL, unique[0][1]) if negate else unique[0]
        if negate:
            unique.insert(0, (_NEGATE, None))
        return (_IN, unique)

    def _class_item(self, ch: str) -> _Node:
        if ch != "\\":
            return (_LITERAL, ord(ch))
        escaped = self._take()
        if escaped in _CATEGORIES:
            return (_CATEGORY, _CATEGORIES[escaped])
        return (_LITERAL, self._code_point(escaped))


def _branch(branches: list[list[_Node]]) -> list[_Node]:
    """An alternation as ``sre`` builds it: common prefix first, single characters as a class."""
    prefix: list[_Node] = []
    while all(branches) and branches[0][0][0] in _FACTORABLE and all(b[0] == branches[0][0] for b in branches[1:]):
        prefix.append(branches[0][0])
        branches = [b[1:] for b in branches]
    members: list[_Node] = []
    for branch in branches:
        if len(branch) != 1:
            break
        op, av = branch[0]
        if op is _LITERAL:
            members.append((op, av))
        elif op is _IN and av[0][0] is not _NEGATE:
            members.extend(av)
        else:
            break
    else:
        return [*prefix, (_IN, list(dict.fromkeys(members)))]
    return [*prefix, (_BRANCH, (None, branches))]
