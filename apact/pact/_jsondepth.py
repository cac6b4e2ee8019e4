"""JSON with a bounded nesting depth: apact reads and writes no JSON nested deeper
than `MAX_DEPTH` levels of arrays and objects.

Why: apact's walks over JSON (matching, writing, reporting) recurse, and so do the
standard library's parser and encoder, so a document nested 100,000 levels deep (a
hostile pact, a provider's answer, a request to the mock) would raise ``RecursionError``
from wherever it first got walked. Bounding the depth where JSON enters (pact files,
bodies over the wire, values given to the engine or written to a pact) keeps every walk
after that safe, and the error says what is wrong and where.

The bound is the official Pact core's (the default recursion limit of its JSON parser:
127 levels parse, 128 do not), applied the same way: to a whole pact file, and to a
body on its own. So apact reads the pacts and bodies the core reads, refuses those it
refuses, and never writes a pact the core cannot read.

Checking costs little: a text is reduced to its brackets (``bytes.translate``), and one
with no more opening brackets than the limit cannot be too deep; others are peeled (each
pass removes the innermost pairs, all in C), and what a few passes leave is counted.
Only a document found too deep is scanned in Python, to name the place.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from typing import Any, NoReturn

from ._paths import format_token

#: the deepest nesting of arrays and objects apact reads or writes (``[]`` is 1 level)
MAX_DEPTH = 127

#: a path deeper than this many levels is shown with its middle levels left out
_LEVELS_SHOWN = 16
#: ... and one longer than this many characters with its middle characters left out
_PATH_SHOWN = 1000


class JsonTooDeepError(ValueError):
    """A JSON document nests arrays and objects deeper than `MAX_DEPTH`.

    ``tokens`` are the keys and indexes from the document's root to the array or object
    that goes past the limit; ``reason`` says what is wrong (without the place), ``why``
    why that is a problem.
    """

    def __init__(
        self,
        tokens: tuple[str | int, ...],
        limit: int = MAX_DEPTH,
        seen: dict[tuple[str | int, ...], str] | None = None,
    ) -> None:
        self.tokens = tokens
        self.limit = limit
        #: the strings read before that place, at most three levels down (see
        #: :func:`deep_place_in_text`): a pact file's error names the interaction with them
        self.seen = seen or {}
        #: why there is a limit, for messages
        self.why = f"apact reads JSON at most {limit} levels of arrays and objects deep, as the official Pact core does"
        self.reason = f"JSON nested more than {limit} levels deep: {self.why}"
        super().__init__(f"JSON nested more than {limit} levels deep (at {self.path()}): {self.why}")

    def path(self, root: str = "$") -> str:
        """The JSON path of the place, its middle levels left out when there are many."""
        return show_place(self.tokens, root)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:  # keep the fields when pickled (xdist)
        return (JsonTooDeepError, (self.tokens, self.limit, self.seen))


def show_place(tokens: tuple[str | int, ...], root: str = "$") -> str:
    """The JSON path of a deep place, its middle levels left out when there are many."""
    if len(tokens) <= _LEVELS_SHOWN + 8:
        return shorten_path(root + "".join(format_token(token) for token in tokens))
    head = "".join(format_token(token) for token in tokens[:_LEVELS_SHOWN])
    tail = "".join(format_token(token) for token in tokens[-4:])
    return shorten_path(f"{root}{head}…({len(tokens) - _LEVELS_SHOWN - 4} more levels)…{tail}")


def shorten_path(path: str) -> str:
    """A path cut to at most about 1,000 characters (its keys can be long)."""
    if len(path) <= _PATH_SHOWN:
        return path
    head, tail = path[: _PATH_SHOWN * 2 // 3], path[-_PATH_SHOWN // 3 :]
    return f"{head}…({len(path) - len(head) - len(tail)} characters not shown)…{tail}"


# -- parsing and encoding ------------------------------------------------------------------------


class NotJsonError(ValueError):
    """``NaN``, ``Infinity`` or ``-Infinity`` read: Python's json reads them by default,
    but they are not JSON (`loads` says where; the parser does not)."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"{name} is not JSON")


def _refuse(name: str) -> NoReturn:
    """``parse_constant`` of apact's parsers."""
    raise NotJsonError(name)


#: the standard library's parser (its scanner in C), refusing ``NaN`` and the
#: infinities; it holds no state from one document to the next
_DECODER = json.JSONDecoder(parse_constant=_refuse)


def strict_loads(data: str | bytes | bytearray) -> Any:  # noqa: ANN401
    """``json.loads(data)``, refusing ``NaN`` and the infinities (`NotJsonError`), with
    no depth limit of its own (``RecursionError``: see `loads`)."""
    if isinstance(data, str):
        if data.startswith("\ufeff"):
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", data, 0)
    else:
        data = bytes(data).decode(json.detect_encoding(data), "surrogatepass")
    return _DECODER.decode(data)


#: a JSON string, or one of the three words outside strings (group 1)
_CONSTANT = re.compile(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)')


def _constant_error(data: str | bytes | bytearray, name: str) -> json.JSONDecodeError:
    """The parse error of a document that holds ``name`` (``NaN``...), where it first does
    (the document parsed up to there, so the first such word outside a string)."""
    text = data if isinstance(data, str) else bytes(data).decode(json.detect_encoding(data), "surrogatepass")
    where = next((found.start(1) for found in _CONSTANT.finditer(text) if found.group(1)), 0)
    return json.JSONDecodeError(str(NotJsonError(name)), text, where)


def loads(data: str | bytes | bytearray) -> Any:
    """``json.loads``, refusing documents nested deeper than `MAX_DEPTH`
    (`JsonTooDeepError`, a ``ValueError`` like every other parse error) and Python's
    ``NaN``, ``Infinity`` and ``-Infinity``, which are not JSON (`json.JSONDecodeError`,
    where the first is): the official core cannot parse a pact or a body with them, so
    neither does apact (else ``NaN`` would pass a ``number`` rule, and equal nothing)."""
    try:
        if type(data) is bytes and data[:1] in _OPENING:
            # the usual body, an object or an array, decoded and scanned without
            # json.loads's encoding detection and the three Python calls around its
            # scanner; anything amiss (another encoding, an error, what follows the
            # value), and `strict_loads` reads it again and says what
            try:
                text = data.decode("utf-8", "surrogatepass")
                value, end = _SCAN(text, 0)
                whole = end == len(text)
            except (StopIteration, ValueError):
                whole = False
            if not whole:
                value = strict_loads(data)
        else:
            value = strict_loads(data)
    except RecursionError:
        raise _too_deep_text(data) from None
    except NotJsonError as error:
        raise _constant_error(data, error.name) from None
    if len(data) > MAX_DEPTH:  # (a shorter text has too few brackets to nest that deep)
        check_text(data)
    return value


#: `_DECODER`'s scanner (in C), called without the decoder's Python calls around it
_SCAN: Callable[[str, int], tuple[Any, int]] = _DECODER.scan_once  # type: ignore[attr-defined]  # (undeclared)
_OPENING = frozenset((b"{", b"["))


def dumps(value: object) -> str:
    """Compact JSON text (``ensure_ascii=False``), refusing values nested deeper than
    `MAX_DEPTH` (`JsonTooDeepError`)."""
    try:
        text = _COMPACT.encode(value)
    except RecursionError:
        raise _too_deep_value(value) from None
    if too_deep(text):
        raise _too_deep_value(value)
    return text


#: what ``json.dumps(value, ensure_ascii=False, separators=(",", ":"))`` encodes with, made
#: once rather than per call (an encoder keeps nothing from one call to the next): a pact
#: of thousands of JSON bodies makes one each as it is read
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def utf8(text: str) -> bytes:
    """JSON text as UTF-8. A lone surrogate (read from a ``\\ud800`` escape, which JSON
    allows) has no UTF-8 form: it is written back as that escape, as only a JSON string
    can hold one and ``backslashreplace`` writes it as JSON does."""
    try:
        return text.encode()
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace")


def check_text(data: str | bytes | bytearray) -> None:
    """Raise `JsonTooDeepError` if the (valid) JSON text ``data`` nests too deep."""
    if too_deep(data):
        raise _too_deep_text(data)


def check_value(value: object) -> None:
    """Raise `JsonTooDeepError` if the JSON value ``value`` nests too deep (a walk
    over its arrays and objects, with no recursion)."""
    tokens = _deep_place(value, MAX_DEPTH)
    if tokens is not None:
        raise JsonTooDeepError(tokens)


# -- is it too deep? ------------------------------------------------------------------------------

_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_STRING = re.compile(rb'"[^"]*"')
#: maps ``{`` and ``}`` to ``[`` and ``]`` (the depth does not care which)
_BRACKETS = bytes.maketrans(b"{}", b"[]")
#: every byte but brackets and quotes
_NOISE = bytes(set(range(256)) - set(b'"[]{}'))
#: ``[`` and ``]`` as the signed bytes 1 and -1
_STEPS = bytes.maketrans(b"[]", b"\x01\xff")
#: how many levels are peeled off before counting what is left
_PEELED = 8


def too_deep(data: str | bytes | bytearray, limit: int = MAX_DEPTH) -> bool:
    """Whether the valid JSON text ``data`` nests arrays and objects deeper than ``limit``."""
    if isinstance(data, str):
        if data.count("[") + data.count("{") <= limit:
            return False
        data = data.encode("utf-8", "surrogatepass")
    elif data.count(b"[") + data.count(b"{") <= limit:
        return False  # too few brackets to nest that deep (most bodies: two scans, no copy)
    if b"\\" in data:
        data = _ESCAPE.sub(b"", data)  # escaped quotes (and everything else escaped) out
    brackets = bytes(data).translate(_BRACKETS, _NOISE)
    if brackets.count(b"[") <= limit:
        return False  # too few to nest that deep
    if b'"' in brackets:
        # adjacent quotes go first: an empty string, or two strings with nothing
        # structural between them merged into one; then strings holding brackets
        brackets = brackets.replace(b'""', b"")
        if b'"' in brackets:
            brackets = _STRING.sub(b"", brackets)
    peeled = 0
    while brackets and peeled < _PEELED:  # shallow documents are gone after a few passes
        brackets = brackets.replace(b"[]", b"")  # the innermost pairs: one level less
        peeled += 1
    if not brackets:
        return peeled > limit
    # deeper ones: the running depth of what is left, counted in C (+1 per "[", -1 per "]")
    steps = memoryview(brackets.translate(_STEPS)).cast("b")
    return peeled + max(itertools.accumulate(steps)) > limit


# -- where? -----------------------------------------------------------------------------------------

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},:]', re.DOTALL)


def _too_deep_text(data: str | bytes | bytearray) -> JsonTooDeepError | RecursionError:
    """The error naming where ``data`` goes past the limit. When it does not (the
    parser ran out of stack for another reason), the ``RecursionError`` itself."""
    found = deep_place_in_text(data)
    if found is None:
        return RecursionError("maximum recursion depth exceeded while reading JSON")
    return JsonTooDeepError(found[0], MAX_DEPTH, found[1])


def deep_place_in_text(
    data: str | bytes | bytearray, limit: int = MAX_DEPTH
) -> tuple[tuple[str | int, ...], dict[tuple[str | int, ...], str]] | None:
    """Where a JSON text first nests deeper than ``limit``: the path to the array or
    object past the limit, and the strings read on the way at most three levels down
    (by their path: ``("interactions", 0, "description")``, to name an interaction).
    ``None`` if it does not. A scan in Python: for errors only."""
    text = data if isinstance(data, str) else bytes(data).decode("utf-8", "replace")
    stack: list[list[Any]] = []  # [is an object, current key or index]
    shallow: dict[tuple[str | int, ...], str] = {}
    last = ""
    key_next = False  # in an object, after "{" or ",": the next string is a key
    for match in _TOKEN.finditer(text):
        token = match.group()
        char = token[0]
        if char == "{" or char == "[":
            if len(stack) >= limit:
                return tuple(entry[1] for entry in stack), shallow
            stack.append([True, ""] if char == "{" else [False, 0])
            key_next = char == "{"
        elif char == "}" or char == "]":
            if stack:
                stack.pop()
            key_next = False
        elif char == ",":
            if stack and not stack[-1][0]:
                stack[-1][1] += 1
            key_next = bool(stack) and stack[-1][0]
        elif char == ":":
            if stack and stack[-1][0]:
                stack[-1][1] = _decoded(last)
            key_next = False
        elif key_next:
            last = token
        elif stack and stack[-1][0] and len(stack) <= 3:
            shallow[tuple(entry[1] for entry in stack)] = _decoded(token)
    return None


def _decoded(token: str) -> str:
    try:
        value = json.loads(token)
    except ValueError:
        return token[1:-1]
    return value if isinstance(value, str) else token[1:-1]


def _too_deep_value(value: object) -> JsonTooDeepError:
    tokens = _deep_place(value, MAX_DEPTH)
    return JsonTooDeepError(tokens if tokens is not None else ())


def _deep_place(value: object, limit: int) -> tuple[str | int, ...] | None:
    """The path to the first array or object past ``limit`` levels in ``value``, or
    ``None``: depth first, with a stack of iterators (no recursion)."""
    if not isinstance(value, (dict, list)):
        return None
    path: list[str | int] = []
    iterators: list[Any] = [_items(value)]
    while iterators:
        step = next(iterators[-1], None)
        if step is None:
            iterators.pop()
            if path:
                path.pop()
            continue
        token, child = step
        if isinstance(child, (dict, list)):
            path.append(token)
            if len(iterators) >= limit:
                return tuple(path)
            iterators.append(_items(child))
    return None


def _items(container: dict[str, Any] | list[Any]) -> Any:
    return iter(container.items()) if isinstance(container, dict) else enumerate(container)


__all__ = [
    "MAX_DEPTH",
    "JsonTooDeepError",
    "check_text",
    "check_value",
    "deep_place_in_text",
    "dumps",
    "loads",
    "shorten_path",
    "show_place",
    "too_deep",
]
