"""What a failed match reports: where, what was expected, what came."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .._core._types import JSON

#: what differs; ``body type`` is a body (or message contents) of another content type
#: than the pact's, so its contents were not compared (the core's ``BodyTypeMismatch``)
Kind = Literal["method", "path", "query", "header", "body", "body type", "status", "metadata"]


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One difference between what a pact expects and what actually came.

    ``path`` is a JSON path from the root of the request, response or message
    (``$.body.waitingTime``, ``$.headers['Content-Type']``, ``$.query.page[0]``,
    ``$.status``, ``$.contents.id``, ``$.metadata.kafka_topic``); ``message`` is one
    line a human reads, e.g. ``expected an integer (like 10), got "ten" (string)``.
    """

    kind: Kind
    path: str
    expected: JSON
    actual: JSON
    message: str

    def __str__(self) -> str:
        return f"{cut(self.path)}: {cut(self.message)}"

    def to_json(self) -> dict[str, JSON]:
        """The mismatch as a report quotes it: long values, paths and messages cut to
        `QUOTE_LIMIT` characters (see `quote`)."""
        return {
            "kind": self.kind,
            "path": cut(self.path),
            "expected": quote(self.expected),
            "actual": quote(self.actual),
            "message": cut(self.message),
        }


#: the most characters of one value, path, message or line that a report quotes: a
#: 100 MB body that does not match is reported by its start, not echoed whole
QUOTE_LIMIT = 2048
#: the most mismatches a report lists for one interaction (the rest are counted)
LIST_LIMIT = 100


def cut(text: str, limit: int = QUOTE_LIMIT) -> str:
    """``text``, or its first ``limit`` characters and how many more there were."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit:,} more characters not shown)"


def quote(value: JSON) -> JSON:
    """A value as a report quotes it: itself when its JSON text is short, else the
    start of that text (a string) and how much was cut."""
    if isinstance(value, str):
        return cut(value)
    if not isinstance(value, (dict, list)):
        return value
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):
        return cut(repr(value))
    return value if len(text) <= QUOTE_LIMIT else cut(text)


def listed(mismatches: Sequence[Mismatch]) -> tuple[Sequence[Mismatch], int]:
    """The mismatches a report lists (the first `LIST_LIMIT`), and how many it
    leaves out."""
    return mismatches[:LIST_LIMIT], max(0, len(mismatches) - LIST_LIMIT)


def more(count: int, one: str = "mismatch", many: str = "mismatches") -> str:
    """``... and 9,900 more mismatches (not shown)``: what a report left out."""
    return f"... and {count:,} more {one if count == 1 else many} (not shown)"


_MAX_SHOWN = 80


def show(value: object) -> str:
    """A value as JSON, shortened to one readable line."""
    if isinstance(value, bytes):
        try:
            value = value.decode()
        except UnicodeDecodeError:
            return f"<{len(value)} bytes>"
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) > _MAX_SHOWN:
        text = text[: _MAX_SHOWN - 1] + "…"
    return text


def type_name(value: object) -> str:
    """The JSON type of a value, as a user reads it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "decimal"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def got(value: object) -> str:
    """``"ten" (string)`` — an actual value with its type."""
    return f"{show(value)} ({type_name(value)})"


def a_type(value: object) -> str:
    """``a string`` / ``an integer`` ... for "expected a ..." sentences."""
    name = type_name(value)
    if name in ("integer", "decimal"):
        name = "number"
    if name == "null":
        return "null"
    return ("an " if name[0] in "aeiou" else "a ") + name


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")
