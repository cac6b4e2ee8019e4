"""Pacts that recorded the live transport headers of the consumer's request (issue 16).

pact-test, the Python library of the original Sous Chef / Grill Chef article, writes
pacts with no ``metadata``, a ``"status": "PASSED"`` per interaction, ``"query": ""``,
``"headers": {}`` and the request headers as they went over the wire: ``Host``,
``Connection``, ``Content-Length`` (of the *indented* JSON it sent) and so on. Replayed
verbatim, ``Content-Length: 26`` announced 25 bytes of compact JSON: h11 refused to
send it, and in-process the app received two ``host`` and two ``content-length``
headers. Transport headers are the sender's business: never replayed as written.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import anyio
import pytest

from apact._core._serve import serve
from apact._core._types import ASGIApp, Receive, Scope, Send
from apact.verifier import Verifier

from .hostile_helpers import Seen, recording, write
from .interop_app import make_app
from .verifier_helpers import served

pytestmark = pytest.mark.anyio

ORDER = {"cooking": "medium-rare"}


def pact_test_document() -> dict[str, Any]:
    """The shape pact-test writes: the live headers of a ``requests`` call with ``json=``
    (whose body, ``{"cooking": "medium-rare"}``, is 26 bytes; apact sends 25)."""
    live_headers = {
        "Host": "localhost:8000",
        "User-Agent": "python-requests/2.18.4",
        "Accept-Encoding": "gzip, deflate",
        "Accept": "*/*",
        "Connection": "keep-alive",
        "Keep-Alive": "timeout=5",
        "Content-Length": str(len(json.dumps(ORDER))),
        "Content-Type": "application/json",
    }
    return {
        "consumer": {"name": "Sous Chef"},
        "provider": {"name": "Kitchen"},
        "interactions": [
            {
                "description": "an order for a medium-rare steak",
                "request": {"method": "POST", "path": "/steaks/", "query": "", "headers": live_headers, "body": ORDER},
                "response": {"status": 201, "headers": {}, "body": {"waitingTime": 12, "id": 1}},
                "status": "PASSED",
            },
            {
                "description": "a chunked order",
                "request": {
                    "method": "POST",
                    "path": "/steaks/",
                    "query": "",
                    "headers": {"Transfer-Encoding": "chunked", "Content-Type": "application/json", "TE": "trailers"},
                    "body": ORDER,
                },
                "response": {"status": 201, "headers": {}, "body": {"waitingTime": 12, "id": 1}},
                "status": "PASSED",
            },
        ],
    }


@pytest.fixture
def pact_test_pact(tmp_path: Path) -> Path:
    return write(tmp_path / "sous-chef-kitchen.json", pact_test_document())


def test_the_pact_holds_a_wrong_content_length() -> None:
    """A guard: the recorded length is not the length of the body apact sends."""
    sent = json.dumps(ORDER, separators=(",", ":")).encode()
    recorded = pact_test_document()["interactions"][0]["request"]["headers"]["Content-Length"]
    assert int(recorded) != len(sent)


@pytest.mark.parametrize("broken", [False, True], ids=["good", "broken"])
def test_over_http_the_verdict_is_the_providers(pact_test_pact: Path, broken: bool) -> None:
    with served("interop_app:app", **({"BROKEN": "1"} if broken else {})) as url:
        result = anyio.run(Verifier("Kitchen", base_url=url).verify, pact_test_pact)
    report = result.report()
    assert "transport" not in report and "Traceback" not in report, report
    assert [item.status for item in result.interactions] == (["failed"] * 2 if broken else ["passed"] * 2), report
    if broken:
        assert '$.body.waitingTime: expected 12 (integer), got "ten" (string)' in report


@pytest.mark.parametrize("broken", [False, True], ids=["good", "broken"])
async def test_in_process_the_verdict_is_the_providers(pact_test_pact: Path, broken: bool) -> None:
    result = await Verifier("Kitchen", app=make_app(broken=broken)).verify(pact_test_pact)
    report = result.report()
    assert "Traceback" not in report, report
    assert [item.status for item in result.interactions] == (["failed"] * 2 if broken else ["passed"] * 2), report


def headers_noted(seen: list[Seen], raw: list[list[tuple[bytes, bytes]]]) -> ASGIApp:
    """A recording app that also keeps every request's raw header list (duplicates too)."""
    answer = recording(seen, b'{"waitingTime": 12, "id": 1}')

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw.append(list(scope["headers"]))
        await answer(scope, receive, send)

    return app


async def test_the_provider_gets_one_host_and_the_true_length_over_http(pact_test_pact: Path) -> None:
    seen: list[Seen] = []
    raw: list[list[tuple[bytes, bytes]]] = []
    app = headers_noted(seen, raw)

    async with serve(app) as url:
        await Verifier("Kitchen", base_url=url).verify(pact_test_pact)
    assert [s.body for s in seen] == [json.dumps(ORDER, separators=(",", ":")).encode()] * 2
    for headers in raw:
        names = [name.lower() for name, _ in headers]
        assert names.count(b"host") == 1 and names.count(b"content-length") == 1, headers
        assert b"transfer-encoding" not in names and b"keep-alive" not in names and b"te" not in names
        assert dict(headers)[b"content-length"] == b"25"
        assert dict(headers)[b"host"] == url.removeprefix("http://").encode()
    # not a transport header: replayed (the two interactions run concurrently, in any order)
    assert sorted(s.headers.get("user-agent", "") for s in seen)[-1] == "python-requests/2.18.4"


async def test_the_app_gets_one_host_and_the_true_length_in_process(pact_test_pact: Path) -> None:
    seen: list[Seen] = []
    raw: list[list[tuple[bytes, bytes]]] = []
    app = headers_noted(seen, raw)

    await Verifier("Kitchen", app=app).verify(pact_test_pact)  # the verdict: see the tests above
    assert len(raw) == 2
    for headers in raw:
        names = [name for name, _ in headers]
        assert names.count(b"host") == 1 and names.count(b"content-length") == 1, headers
        assert b"connection" not in names and b"transfer-encoding" not in names
        assert dict(headers)[b"content-length"] == b"25"


def test_the_official_verifier_sends_the_recorded_length(pact_test_pact: Path) -> None:
    """Measured: pact-python 4.2's verifier replays ``Content-Length: 26`` verbatim with
    25 bytes, so the good provider's server waits for the missing byte and the
    interaction errors. apact deliberately differs (docs/conformance.md)."""
    pytest.importorskip("pact", reason="pact-python is not installed: the interoperability tests need it")
    os.environ.setdefault("PACT_DO_NOT_TRACK", "true")
    from pact import Verifier as PactPythonVerifier

    document = pact_test_document()
    del document["interactions"][1]
    path = write(pact_test_pact.with_name("official.json"), document)
    with served("interop_app:app") as url:
        official = PactPythonVerifier("Kitchen", host="127.0.0.1").add_transport(url=url).add_source(str(path))
        with pytest.raises(RuntimeError):
            official.verify()
        (item,) = official.results["interactionResults"]
        assert item["result"] == "Error" and "error sending request" in item["mismatch"]["message"]
        assert anyio.run(Verifier("Kitchen", base_url=url).verify, path).ok
