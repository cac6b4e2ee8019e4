"""What a report quotes is capped: a value, a path, a message or a diff line at most
``QUOTE_LIMIT`` characters, at most ``LIST_LIMIT`` mismatches per interaction, each
with a note of what was left out. So a 10 MB body that does not match makes a report
of kilobytes, and the console, JSON, JUnit and broker forms say the same."""

from __future__ import annotations

import base64
import json
import xml.etree.ElementTree as ElementTree
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from apact._core._serve import serve
from apact._core._types import JSON
from apact.matching import Mismatch
from apact.matching._mismatch import LIST_LIMIT, QUOTE_LIMIT
from apact.messages import Message as UserMessage
from apact.mock import MockProvider
from apact.model import AsyncMessage, Body, HttpInteraction, HttpRequest, HttpResponse, MessageContents, PactFile, Spec
from apact.verifier import VerificationResult, Verifier

from ..json_helpers import tree

pytestmark = pytest.mark.anyio

TEN_MB = 10_000_000
JSON_TYPE = {"Content-Type": ["application/json"]}


def test_a_long_value_is_quoted_by_its_start_with_what_was_cut() -> None:
    mismatch = Mismatch("body", "$.body.name", "steak", "x" * TEN_MB, 'expected "steak", got "xxx…"')
    quoted = mismatch.to_json()
    assert quoted["actual"] == "x" * QUOTE_LIMIT + f"... ({TEN_MB - QUOTE_LIMIT:,} more characters not shown)"
    assert quoted["expected"] == "steak"  # short values are quoted whole
    assert mismatch.actual == "x" * TEN_MB  # the mismatch itself keeps what came
    big: JSON = {"items": [*range(100_000)]}
    text = json.dumps(big, separators=(",", ":"))
    assert (
        Mismatch("body", "$", big, None, "m").to_json()["expected"]
        == text[:QUOTE_LIMIT] + f"... ({len(text) - QUOTE_LIMIT:,} more characters not shown)"
    )
    small: JSON = {"items": [1, 2, 3]}
    assert Mismatch("body", "$", small, None, "m").to_json()["expected"] == small
    key = "k" * 5_000
    long_path = Mismatch("body", f"$.body.{key}", None, 1, f"unexpected key {key}")
    assert len(str(long_path)) < 2 * QUOTE_LIMIT + 200
    assert str(long_path).count("more characters not shown") == 2


def _tally(report: str) -> int:
    return report.count("more characters not shown")


def _steaks(answer: bytes, content_type: str = "application/json") -> Starlette:
    async def steak(request: Request) -> Response:
        return Response(answer, media_type=content_type)

    return Starlette(routes=[Route("/steak", steak)])


def _pact(body: Body) -> PactFile:
    response = HttpResponse(200, {"Content-Type": [body.content_type or "application/json"]}, body)
    return PactFile("Sous Chef", "Grill Chef", (HttpInteraction("a steak", HttpRequest("GET", "/steak"), response),))


def _sizes(result: VerificationResult) -> tuple[int, int, int]:
    return len(result.report()), len(json.dumps(result.to_json())), len(result.to_junit_xml())


async def test_a_10_mb_json_body_that_does_not_match_makes_a_small_report() -> None:
    answer = json.dumps({"name": "x" * TEN_MB}).encode()
    result = await Verifier("Grill Chef", app=_steaks(answer)).verify(_pact(Body.from_json({"name": "steak"})))
    (item,) = result.interactions
    assert item.status == "failed"
    report = result.report()
    assert all(size < 40_000 for size in _sizes(result)), _sizes(result)
    assert f'   $.body.name: expected "steak", got "{"x" * 60}' in report  # the message shows its own short preview
    assert _tally(report) >= 1  # the diff's 10 MB line, cut
    document = tree(result.to_json())
    (quoted,) = document["pacts"][0]["interactions"][0]["mismatches"]
    assert quoted["actual"].endswith(f"... ({TEN_MB - QUOTE_LIMIT:,} more characters not shown)")
    body = document["pacts"][0]["interactions"][0]["response"]["body"]
    assert body.endswith(f"... ({len(answer) - QUOTE_LIMIT:,} more characters not shown)")
    junit = ElementTree.fromstring(result.to_junit_xml())
    failure = junit.find("testsuite/testcase/failure")
    assert failure is not None and failure.text is not None
    assert failure.text == "\n".join(
        report.split("Failures:\n\n", 1)[1].split("\n\n")[0].splitlines()
    )  # the console's lines
    results = result.pacts[0].verification_results("1.0.0")
    (broker,) = tree(results)["testResults"][0]["mismatches"]
    assert broker["actual"] == quoted["actual"]
    assert len(json.dumps(results)) < 10_000


async def test_a_10_mb_text_body_that_does_not_match_makes_a_small_report() -> None:
    answer = b"y" * TEN_MB
    result = await Verifier("Grill Chef", app=_steaks(answer, "text/plain")).verify(
        _pact(Body(b"a steak", "text/plain"))
    )
    assert all(size < 40_000 for size in _sizes(result)), _sizes(result)
    (quoted,) = tree(result.to_json())["pacts"][0]["interactions"][0]["mismatches"]
    assert quoted["actual"] == "y" * QUOTE_LIMIT + f"... ({TEN_MB - QUOTE_LIMIT:,} more characters not shown)"
    assert _tally(result.report()) == 1  # the diff's one line


async def test_a_10_mb_binary_body_is_quoted_by_its_first_bytes() -> None:
    answer = b"\xff" * TEN_MB
    result = await Verifier("Grill Chef", app=_steaks(answer, "application/octet-stream")).verify(
        _pact(Body(b"\x00\x01", "application/octet-stream"))
    )
    body = tree(result.to_json())["pacts"][0]["interactions"][0]["response"]["body"]
    assert body == {"base64": base64.b64encode(b"\xff" * QUOTE_LIMIT).decode(), "bytesNotShown": TEN_MB - QUOTE_LIMIT}
    assert all(size < 40_000 for size in _sizes(result)), _sizes(result)


async def test_ten_thousand_mismatches_are_listed_up_to_the_limit_then_counted() -> None:
    count = 10_000
    answer = json.dumps({"items": [{"id": "not a number"} for _ in range(count)]}).encode()
    expected = Body.from_json({"items": [{"id": n} for n in range(count)]})
    result = await Verifier("Grill Chef", app=_steaks(answer)).verify(_pact(expected))
    (item,) = result.interactions
    assert len(item.mismatches) == count  # the result keeps them all
    hidden = count - LIST_LIMIT
    report = result.report()
    lines = report.splitlines()
    listed = [line for line in lines if line.startswith("   $.body.items[")]
    assert len(listed) == LIST_LIMIT
    assert f"   ... and {hidden:,} more mismatches (not shown)" in lines
    assert all(size < 60_000 for size in _sizes(result)), _sizes(result)
    entry = tree(result.to_json())["pacts"][0]["interactions"][0]
    assert (len(entry["mismatches"]), entry["mismatchesNotShown"]) == (LIST_LIMIT, hidden)
    assert [m["path"] for m in entry["mismatches"]] == [line.split(":")[0].strip() for line in listed]
    junit = ElementTree.fromstring(result.to_junit_xml()).find("testsuite/testcase/failure")
    assert junit is not None and f"... and {hidden:,} more mismatches (not shown)" in (junit.text or "")
    broker = tree(result.pacts[0].verification_results("1.0.0"))["testResults"][0]["mismatches"]
    assert len(broker) == LIST_LIMIT + 1
    assert broker[-1] == {"attribute": "mismatches", "description": f"... and {hidden:,} more mismatches (not shown)"}


def _mock() -> MockProvider:
    request = HttpRequest(
        "POST", "/orders", None, JSON_TYPE, Body.from_json({"items": [{"id": n} for n in range(200)]})
    )
    return MockProvider([HttpInteraction("an order", request, HttpResponse(201))])


async def _unexpected(json_body: Any) -> httpx.Response:  # noqa: ANN401
    async with serve(_mock()) as url, httpx.AsyncClient(base_url=url, timeout=120) as client:
        return await client.post(
            "/orders", content=json.dumps(json_body).encode(), headers={"Content-Type": "application/json"}
        )


async def test_the_mock_quotes_a_10_mb_request_by_its_start() -> None:
    answer = await _unexpected({"note": "z" * TEN_MB})
    assert answer.status_code == 500
    assert len(answer.content) < 40_000
    report = answer.json()
    assert report["request"]["body"].endswith("more characters not shown)")
    assert len(report["request"]["body"]) < QUOTE_LIMIT + 100
    messages = [m["message"] for m in report["closest"][0]["mismatches"]]
    assert any(message.startswith('unexpected key "note" with value "zzz') for message in messages)
    assert all(len(line) <= QUOTE_LIMIT + 60 for line in report["report"].splitlines())


async def test_the_mock_lists_a_near_miss_s_mismatches_up_to_the_limit() -> None:
    answer = await _unexpected({"items": [{"id": str(n)} for n in range(200)]})
    (closest,) = answer.json()["closest"]
    assert (len(closest["mismatches"]), closest["mismatchesNotShown"]) == (LIST_LIMIT, 200 - LIST_LIMIT)
    assert f"    ... and {200 - LIST_LIMIT} more mismatches (not shown)" in answer.json()["report"].splitlines()


def _message_pact() -> PactFile:
    expected = MessageContents(Body.from_json({"id": 1}), {"contentType": "application/json"})
    return PactFile(
        "Sous Chef",
        "Grill Chef",
        (AsyncMessage("an order event", expected), AsyncMessage("a broken event", expected)),
        Spec.V4,
    )


async def test_huge_metadata_and_a_huge_error_are_quoted_by_their_start() -> None:
    verifier = Verifier("Grill Chef")
    note = "n" * TEN_MB
    verifier.message("an order event")(lambda: UserMessage({"id": "one"}, {"note": note}))

    @verifier.message("a broken event")
    def broken() -> None:
        raise ValueError("e" * TEN_MB)

    result = await verifier.verify(_message_pact())
    assert [item.status for item in result.interactions] == ["failed", "failed"]
    assert all(size < 40_000 for size in _sizes(result)), _sizes(result)
    report = result.report()
    assert all(len(line) < QUOTE_LIMIT + 200 for line in report.splitlines())
    first, second = tree(result.to_json())["pacts"][0]["interactions"]
    assert first["response"]["metadata"].endswith("more characters not shown)")  # the metadata, as quoted JSON text
    (error,) = second["errors"]
    assert error["message"].endswith("more characters not shown)")
    assert "more characters not shown)" in error["traceback"]
    exceptions = tree(result.pacts[0].verification_results("1.0.0"))["testResults"][1]["exceptions"]
    assert exceptions[0]["message"].endswith("more characters not shown)")
