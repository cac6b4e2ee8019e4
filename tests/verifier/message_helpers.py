"""Helpers for the message tests: small V4 message pacts written as pact JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from apact import pactfile
from apact.model import PactFile

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pact-python"


def part(value: Any, metadata: dict[str, Any] | None = None, **rules: Any) -> dict[str, Any]:  # noqa: ANN401
    """A message (contents and metadata, with ``matchingRules=``/``generators=``)."""
    content_type = "application/json" if not isinstance(value, str) else "text/plain"
    return {
        "contents": {"contentType": content_type, "encoded": False, "content": value},
        "metadata": {"contentType": content_type, **(metadata or {})},
        **rules,
    }


def message(
    description: str,
    value: Any,  # noqa: ANN401
    metadata: dict[str, Any] | None = None,
    *,
    states: list[dict[str, Any]] | None = None,
    **extra: Any,  # noqa: ANN401
) -> dict[str, Any]:
    """A V4 asynchronous message as pact JSON."""
    result: dict[str, Any] = {"type": "Asynchronous/Messages", "description": description, **part(value, metadata)}
    if states:
        result["providerStates"] = states
    result.update(extra)
    return result


def sync_message(
    description: str, request: dict[str, Any], *responses: dict[str, Any], states: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A V4 synchronous message as pact JSON (request and responses made by :func:`part`)."""
    result: dict[str, Any] = {
        "type": "Synchronous/Messages",
        "description": description,
        "request": request,
        "response": list(responses),
    }
    if states:
        result["providerStates"] = states
    return result


def pact(*interactions: dict[str, Any], consumer: str = "Shipping", provider: str = "Orders") -> PactFile:
    document = {
        "consumer": {"name": consumer},
        "provider": {"name": provider},
        "interactions": list(interactions),
        "metadata": {"pactSpecification": {"version": "4.0"}},
    }
    return pactfile.loads(json.dumps(document), file=f"{consumer}-{provider}.json")
