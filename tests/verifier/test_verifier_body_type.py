"""A provider answering with another kind of body than the pact's: the verdict names a
``body type`` mismatch in every report (text, JSON, JUnit, the broker's results)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from apact.verifier import Verifier

from .verifier_helpers import interaction, pact

pytestmark = pytest.mark.anyio


async def menu(request: Request) -> PlainTextResponse:
    return PlainTextResponse("steak, chips, salad")


async def test_a_text_answer_to_a_json_pact_is_a_body_type_mismatch() -> None:
    document = pact(interaction("the menu", path="/menu", body={"items": ["steak", "chips", "salad"]}))
    result = await Verifier("Grill Chef", app=Starlette(routes=[Route("/menu", menu)])).verify(document)
    (item,) = result.interactions
    assert item.status == "failed"
    body_type = [m for m in item.mismatches if m.kind == "body type"]
    assert [(m.path, m.expected, m.actual) for m in body_type] == [("$.body", "application/json", "text/plain")]
    assert "$.body: expected a body of type application/json, got text/plain" in result.report()
    reported: Any = result.to_json()["pacts"]
    reported = reported[0]["interactions"][0]["mismatches"]
    assert {"kind": "body type", "path": "$.body", "expected": "application/json", "actual": "text/plain",
            "message": "expected a body of type application/json, got text/plain"} in reported  # fmt: skip
    assert "expected a body of type application/json, got text/plain" in result.to_junit_xml()
    results = result.pacts[0].verification_results("1.0.0")
    entries: Any = results["testResults"]
    entries = entries[0]["mismatches"]
    assert {"attribute": "body", "description": "expected a body of type application/json, got text/plain",
            "identifier": "$", "expected": "application/json", "actual": "text/plain"} in entries  # fmt: skip
    json.dumps(results)
