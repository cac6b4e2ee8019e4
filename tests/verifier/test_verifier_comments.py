"""V4 ``comments`` (``text``, ``testname``, references) in the verification report:
console, JSON and JUnit (issue 16)."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from apact.verifier import Verifier

from .verifier_helpers import interaction, pact

pytestmark = pytest.mark.anyio

COMMENTS = {
    "text": ["the steak the waiter asks for", "see the menu"],
    "testname": "tests/test_orders.py::test_steak",
    "references": {"Jira": "GRILL-42"},
}


def app() -> Starlette:
    async def steak(request: Request) -> JSONResponse:
        return JSONResponse({"id": int(request.path_params["id"])})

    return Starlette(routes=[Route("/steaks/{id}", steak)])


async def test_comments_are_in_every_form_of_the_report() -> None:
    good = interaction("steak 1", "/steaks/1", body={"id": 1}, comments=COMMENTS)
    bad = interaction("steak 2", "/steaks/2", body={"id": 3}, comments={"text": "a known gap"})
    plain = interaction("steak 4", "/steaks/4", body={"id": 4})
    result = await Verifier("Grill Chef", app=app(), concurrency=1).verify(pact(good, bad, plain))

    report = result.report()
    listing = report.split("Failures:")[0]
    assert (
        "  passed   steak 1\n"
        "             # the steak the waiter asks for\n"
        "             # see the menu\n"
        "             testname: tests/test_orders.py::test_steak\n"
        '             references: {"Jira": "GRILL-42"}\n'
        "  FAILED   steak 2\n"
        "             # a known gap\n"
        "  passed   steak 4\n"
    ) in listing
    failure = report.split("Failures:")[1]
    assert "1) Sous Chef -> Grill Chef: steak 2\n   # a known gap\n   request: GET /steaks/2" in failure

    document: Any = result.to_json()  # JSON: checked by shape below
    items = {i["description"]: i for i in document["pacts"][0]["interactions"]}
    assert items["steak 1"]["comments"] == COMMENTS
    assert items["steak 2"]["comments"] == {"text": "a known gap"}
    assert "comments" not in items["steak 4"]

    cases = {case.get("name"): case for case in ElementTree.fromstring(result.to_junit_xml()).iter("testcase")}
    properties = [p.get("value") for p in cases["steak 1"].iter("property") if p.get("name") == "comment"]
    assert properties == [
        "# the steak the waiter asks for",
        "# see the menu",
        "testname: tests/test_orders.py::test_steak",
        'references: {"Jira": "GRILL-42"}',
    ]
    failure_text = next(cases["steak 2"].iter("failure")).text or ""
    assert "# a known gap" in failure_text
    assert list(cases["steak 4"].iter("property")) == []
