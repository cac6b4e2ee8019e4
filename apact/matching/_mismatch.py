"""What a failed match reports: where, what was expected, what came."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from .._core._types import JSON

Kind = Literal["method", "path", "query", "header", "body", "status", "metadata"]


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
        return f"{self.path}: {self.message}"

    def to_json(self) -> dict[str, JSON]:
        return {
            "kind": self.kind,
            "path": self.path,
            "expected": self.expected,
            "actual": self.actual,
            "message": self.message,
        }


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
