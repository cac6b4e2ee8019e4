"""Helpers for apact.openapi's tests: pacts written in the test, the example apps'
documents as their frameworks generate them, a served directory on loopback."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from apact import pactfile
from apact.model import PactFile
from apact.verifier import VerificationResult

HERE = Path(__file__).resolve().parent
DOCUMENTS = HERE / "documents"
ROOT = HERE.parents[1]
EXAMPLES = ROOT / "examples"
RESTAURANT_PACTS = EXAMPLES / "restaurant" / "pacts"


def http(
    description: str,
    path: str,
    *,
    method: str = "GET",
    query: dict[str, list[str]] | None = None,
    headers: dict[str, list[str]] | None = None,
    request_body: Any = None,  # noqa: ANN401
    request_type: str = "application/json",
    request_rules: dict[str, Any] | None = None,
    status: int = 200,
    response_headers: dict[str, list[str]] | None = None,
    body: Any = None,  # noqa: ANN401
    body_type: str = "application/json",
    rules: dict[str, Any] | None = None,
    **extra: Any,  # noqa: ANN401
) -> dict[str, Any]:
    """A V4 HTTP interaction as pact JSON; ``rules`` and ``request_rules`` are
    ``{category: {key: [matcher, ...]}}``."""
    request: dict[str, Any] = {"method": method, "path": path}
    if query is not None:
        request["query"] = query
    if headers is not None:
        request["headers"] = dict(headers)
    if request_body is not None:
        request.setdefault("headers", {})["Content-Type"] = [request_type]
        request["body"] = _body(request_body, request_type)
    if request_rules:
        request["matchingRules"] = _rules(request_rules)
    response: dict[str, Any] = {"status": status}
    if response_headers is not None:
        response["headers"] = dict(response_headers)
    if body is not None:
        response.setdefault("headers", {})["Content-Type"] = [body_type]
        response["body"] = _body(body, body_type)
    if rules:
        response["matchingRules"] = _rules(rules)
    return {"type": "Synchronous/HTTP", "description": description, "request": request, "response": response, **extra}


def _body(content: Any, content_type: str) -> dict[str, Any]:  # noqa: ANN401
    return {"contentType": content_type, "encoded": False, "content": content}


def _rules(rules: dict[str, Any]) -> dict[str, Any]:
    return {
        category: {key: {"matchers": matchers, "combine": "AND"} for key, matchers in keys.items()}
        for category, keys in rules.items()
    }


def pact(*interactions: dict[str, Any], consumer: str = "Sous Chef", provider: str = "Grill Chef") -> PactFile:
    text = json.dumps({
        "consumer": {"name": consumer},
        "provider": {"name": provider},
        "interactions": list(interactions),
        "metadata": {"pactSpecification": {"version": "4.0"}},
    })  # fmt: skip
    return pactfile.loads(text, file=f"{consumer}-{provider}.json")


def write_pact(
    directory: Path, *interactions: dict[str, Any], consumer: str = "Sous Chef", provider: str = "Grill Chef"
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{consumer}-{provider}.json"
    pactfile.save(pact(*interactions, consumer=consumer, provider=provider), path)
    return path


def found(result: VerificationResult) -> dict[str, list[tuple[str, str]]]:
    """description -> [(JSON path, message)] of every interaction that did not pass."""
    return {
        item.description: [(mismatch.path, mismatch.message) for mismatch in item.mismatches]
        for pact in result.pacts
        for item in pact.interactions
        if item.mismatches
    }


def statuses(result: VerificationResult) -> dict[str, str]:
    return {item.description: item.status for item in result.interactions}


# -- the example apps' documents ----------------------------------------------------------------


def restaurant_app() -> Any:  # noqa: ANN401
    """The restaurant's FastAPI Grill Chef (on a database file nobody opens: the
    document needs no data)."""
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))
    from restaurant.grill_chef.db import Database
    from restaurant.grill_chef.service import create_app

    return create_app(Database(":memory:"))


def grill_chef_document() -> dict[str, Any]:
    """The built-in Starlette Grill Chef's OpenAPI 3.0 document, as Starlette's
    ``SchemaGenerator`` makes it from the routes' descriptions."""
    from starlette.schemas import SchemaGenerator

    from apact.examples.grill_chef import COMPONENTS, Kitchen, make_app

    base = {"openapi": "3.0.3", "info": {"title": "Grill Chef", "version": "1.0"}, "components": COMPONENTS}
    return SchemaGenerator(base).get_schema(make_app(Kitchen()).routes)
