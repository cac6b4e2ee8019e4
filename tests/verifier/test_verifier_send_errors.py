"""Whatever the HTTP stack raises while sending, the verdict is one failed interaction
with a clear reason, never a traceback (issue 16).

Not every error of the HTTP stack is an ``httpx.HTTPError``: h11 raises
``LocalProtocolError`` when a user's ``--header "Content-Length: 3"`` announces less than
the body apact sends, or when a request filter sets a header value HTTP cannot carry.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import anyio
import httpx

from apact._core._types import Receive, Scope, Send
from apact.verifier import Verifier

from .hostile_helpers import write
from .interop_app import make_app
from .verifier_helpers import document, interaction, served

ORDER = {"cooking": "medium-rare"}


def order_pact_interactions() -> list[dict[str, Any]]:
    """An order (a POST with a JSON body of 25 bytes), and a GET that needs no body."""
    return [
        interaction("an order", method="POST", request_body=ORDER, status=201, body={"waitingTime": 12, "id": 1}),
        interaction("the health check", path="/health", status=200),
    ]


def order_pact(tmp_path: Path) -> Path:
    return write(tmp_path / "sous-chef-grill-chef.json", document(*order_pact_interactions()))


def cli(*args: str) -> tuple[int, str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PACT_BROKER_")}

    async def run() -> tuple[int, str, str]:
        with anyio.fail_after(60):
            done = await anyio.run_process([sys.executable, "-m", "apact", *args], env=environment, check=False)
        return done.returncode, done.stdout.decode(), done.stderr.decode()

    return anyio.run(run)


def test_a_content_length_header_shorter_than_the_body_fails_the_interaction_it_cannot_send(tmp_path: Path) -> None:
    pact = order_pact(tmp_path)
    with served("interop_app:app") as url:
        code, out, err = cli("verify", "--base-url", url, "--header", "Content-Length: 3", str(pact))
    assert code == 1, out + err
    assert "Traceback" not in out + err, out + err
    for said in (
        f"transport: cannot send POST /steaks/ to {url}: LocalProtocolError: Too much data for declared Content-Length",
        f"transport: cannot send GET /health to {url}: LocalProtocolError: Too little data for declared Content-Length",
    ):
        assert said in out, out
    assert "2 failed" in out.splitlines()[-1], out  # each interaction fails on its own, the run goes on


def test_through_the_api_a_wrong_content_length_header_is_a_clear_reason(tmp_path: Path) -> None:
    pact = order_pact(tmp_path)
    with served("interop_app:app") as url:
        result = anyio.run(Verifier("Grill Chef", base_url=url, headers={"Content-Length": "3"}).verify, pact)
    assert [item.status for item in result.interactions] == ["failed", "failed"], result.report()
    assert_clear(result.to_json(), result.report())
    problem = result.interactions[0].errors[0]
    assert (problem.kind, problem.traceback) == ("transport", None)
    assert problem.message == (
        f"cannot send POST /steaks/ to {url}: LocalProtocolError: Too much data for declared Content-Length"
    )


def test_a_request_filter_setting_the_length_or_a_header_http_cannot_carry(tmp_path: Path) -> None:
    """A filter's ``Content-Length`` is left to the sender (the true length is sent, the
    order passes); a header value with a line break cannot be sent: that interaction
    fails with a clear reason, the next one is still verified."""
    pact = order_pact(tmp_path)

    def length(request: httpx.Request) -> None:
        request.headers["Content-Length"] = "3"

    def line_break(request: httpx.Request) -> None:
        if request.method == "POST":
            request.headers["X-Note"] = "first line\r\nsecond line"

    with served("interop_app:app") as url:
        kept = anyio.run(Verifier("Grill Chef", base_url=url, request_filters=[length]).verify, pact)
        broken = anyio.run(Verifier("Grill Chef", base_url=url, request_filters=[line_break]).verify, pact)
    assert [item.status for item in kept.interactions] == ["passed", "passed"], kept.report()
    assert [item.status for item in broken.interactions] == ["failed", "passed"], broken.report()
    assert_clear(broken.to_json(), broken.report())
    (problem,) = broken.interactions[0].errors
    assert (problem.kind, problem.traceback) == ("transport", None)
    assert problem.message.startswith(f"cannot send POST /steaks/ to {url}: LocalProtocolError: "), problem.message


def assert_clear(document: object, report: str) -> None:
    for text in (json.dumps(document), report):
        assert "Traceback" not in text and "h11/" not in text, text


def test_in_process_a_wrong_content_length_header_fails_as_over_http(tmp_path: Path) -> None:
    """The same verdict as over HTTP, where h11 refuses to send: the app never gets two
    ``content-length`` headers that disagree."""
    pact = order_pact(tmp_path)
    result = anyio.run(Verifier("Grill Chef", app=make_app(), headers={"Content-Length": "3"}).verify, pact)
    assert [item.status for item in result.interactions] == ["failed", "failed"], result.report()
    assert_clear(result.to_json(), result.report())
    reasons = [(item.errors[0].kind, item.errors[0].message) for item in result.interactions]
    assert reasons == [
        ("transport", "cannot send POST /steaks/ to the app: its Content-Length header says 3, the body is 25 bytes"),
        ("transport", "cannot send GET /health to the app: its Content-Length header says 3, the body is 0 bytes"),
    ]


def test_in_process_a_right_content_length_header_reaches_the_app_once(tmp_path: Path) -> None:
    seen: list[list[tuple[bytes, bytes]]] = []
    app = make_app()

    async def noting(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            seen.append(list(scope["headers"]))
        await app(scope, receive, send)

    pact = write(tmp_path / "order.json", document(order_pact_interactions()[0]))
    result = anyio.run(Verifier("Grill Chef", app=noting, headers={"Content-Length": "25"}).verify, pact)
    assert result.ok, result.report()
    (headers,) = seen
    assert [value for name, value in headers if name == b"content-length"] == [b"25"]
    assert [value for name, value in headers if name == b"host"] == [b"testserver"]
