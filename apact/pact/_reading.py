"""Small checks for reading JSON documents, raising located `PactFileError`s."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import PactFileError


def fail(reason: str, path: str) -> PactFileError:
    return PactFileError(reason, path=path)


def json_kind(value: object) -> str:
    """A short description of a JSON value's type for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def expect_object(value: object, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise fail(f"expected an object, got {json_kind(value)}", path)
    return value


def expect_string(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise fail(f"expected a string, got {json_kind(value)}", path)
    return value


def first_key(mapping: Mapping[str, Any], *names: str) -> str | None:
    for name in names:
        if name in mapping:
            return name
    return None
