"""A provider answering with another kind of body than the pact's: the verdict names a
``body type`` mismatch in every report (text, JSON, JUnit, the broker's results)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio.to_thread
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from apact._core._serve import serve
from apact.verifier import Verifier

from .verifier_helpers import document, interaction, pact

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


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_the_official_verifier_fails_it_too_as_a_body_type_mismatch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PACT_DO_NOT_TRACK", "true")  # pact-python phones home otherwise
    official = pytest.importorskip("pact", reason="pact-python is not installed: the interoperability test needs it")
    pact_file = tmp_path / "menu.json"
    pact_file.write_text(json.dumps(document(interaction("the menu", path="/menu", body={"items": ["steak"]}))))
    app = Starlette(routes=[Route("/menu", menu)])

    def official_results(url: str) -> tuple[bool, Any]:
        verifier = official.Verifier("Grill Chef", host="127.0.0.1").add_transport(url=url).add_source(str(pact_file))
        try:
            verifier.verify()
        except RuntimeError:
            return False, verifier.results
        return True, verifier.results

    async with serve(app) as url:
        passed, results = await anyio.to_thread.run_sync(official_results, url)
        ours = await Verifier("Grill Chef", base_url=url).verify(pact_file)
    assert (passed, ours.ok) == (False, False)
    types = {m.get("type") for error in results["errors"] for m in error["mismatch"]["mismatches"]}
    assert "BodyTypeMismatch" in types, results
    assert "body type" in {m.kind for m in ours.interactions[0].mismatches}
