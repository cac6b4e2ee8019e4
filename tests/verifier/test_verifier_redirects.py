"""Redirects (issue 16): the official verifier (pact-python 4.2, reqwest) follows a 3xx
answer, so a pact recording the final answer passes there. apact follows them too by
default, on the target only, and ``follow_redirects=False`` / ``--no-follow-redirects``
makes the 3xx the response to match."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

import anyio
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from apact._core._serve import serve
from apact.cli._verify import add_arguments, verifier_options
from apact.verifier import Verifier

from .hostile_helpers import Seen, recording
from .verifier_helpers import interaction, pact, served

pytestmark = pytest.mark.anyio


def kitchen(seen: list[str], elsewhere: str = "http://127.0.0.1:9") -> Starlette:
    async def note(request: Request) -> bytes:
        body = await request.body()
        seen.append(f"{request.method} {request.url.path} {body.decode()}".strip())
        return body

    async def moved(request: Request) -> Response:
        await note(request)
        return RedirectResponse("/steaks/new", status_code=int(request.query_params.get("status", "302")))

    async def new(request: Request) -> Response:
        body = await note(request)
        return JSONResponse({"method": request.method, "body": json.loads(body) if body else None})

    async def relative(request: Request) -> Response:
        await note(request)
        return RedirectResponse("new", status_code=302)

    async def loop(request: Request) -> Response:
        await note(request)
        return RedirectResponse("/loop", status_code=302)

    async def away(request: Request) -> Response:
        await note(request)
        return RedirectResponse(f"{elsewhere}/steal", status_code=302)

    return Starlette(
        routes=[
            Route("/steaks/old", moved, methods=["GET", "POST"]),
            Route("/steaks/new", new, methods=["GET", "POST"]),
            Route("/steaks/relative", relative),
            Route("/loop", loop),
            Route("/away", away),
        ]
    )


def followed(description: str, path: str, method: str, status: int, landed: dict[str, Any]) -> dict[str, Any]:
    """An interaction whose request is redirected with ``status``; the pact records where it lands."""
    result = interaction(
        description, path, method=method, body=landed, request_body={"n": 1} if method == "POST" else None
    )
    result["request"]["query"] = {"status": [str(status)]}
    return result


FOLLOWED = [
    followed("302 after a GET", "/steaks/old", "GET", 302, {"method": "GET", "body": None}),
    followed("303 after a POST: a GET", "/steaks/old", "POST", 303, {"method": "GET", "body": None}),
    followed("302 after a POST: a GET", "/steaks/old", "POST", 302, {"method": "GET", "body": None}),
    followed("307 keeps the POST and its body", "/steaks/old", "POST", 307, {"method": "POST", "body": {"n": 1}}),
    followed("308 too", "/steaks/old", "POST", 308, {"method": "POST", "body": {"n": 1}}),
]


async def test_redirects_are_followed_in_process() -> None:
    seen: list[str] = []
    result = await Verifier("Grill Chef", app=kitchen(seen)).verify(pact(*FOLLOWED))
    result.assert_ok()
    assert 'POST /steaks/new {"n":1}' in seen and "GET /steaks/new" in seen


async def test_redirects_are_followed_over_http() -> None:
    seen: list[str] = []
    async with serve(kitchen(seen)) as url:
        result = await Verifier("Grill Chef", base_url=url).verify(pact(*FOLLOWED))
    result.assert_ok()


async def test_redirects_are_followed_under_a_base_url_path() -> None:
    seen: list[str] = []
    outer = Starlette(routes=[])
    outer.mount("/grill", kitchen(seen))

    async with serve(outer) as url:
        landed = {"method": "GET", "body": None}
        inside = interaction("to new, relative to /grill/steaks/", "/steaks/relative", body=landed)
        # RedirectResponse("/steaks/new") leaves the base URL's path: not followed
        outside = interaction("to /steaks/new", "/steaks/old", body=landed)
        result = await Verifier("Grill Chef", base_url=url + "/grill", concurrency=1).verify(pact(inside, outside))
    assert [r.status for r in result.interactions] == ["passed", "failed"]
    assert "expected status 200, got 302" in result.report()
    assert seen == ["GET /grill/steaks/relative", "GET /grill/steaks/new", "GET /grill/steaks/old"]


async def test_follow_redirects_false_makes_the_3xx_the_response() -> None:
    seen: list[str] = []
    expecting_302 = interaction("a 302", "/steaks/old", status=302)
    result = await Verifier("Grill Chef", app=kitchen(seen), follow_redirects=False).verify(pact(expecting_302))
    result.assert_ok()
    assert seen == ["GET /steaks/old"]
    default = await Verifier("Grill Chef", app=kitchen([])).verify(pact(expecting_302))
    assert "expected status 302, got 200" in default.report()


async def test_a_redirect_loop_fails_the_interaction() -> None:
    seen: list[str] = []
    result = await Verifier("Grill Chef", app=kitchen(seen)).verify(pact(interaction("a loop", "/loop")))
    assert "transport: more than 10 redirects, starting from GET /loop" in result.report()
    assert len(seen) == 11


async def test_a_redirect_to_another_origin_is_not_followed() -> None:
    to_attacker: list[Seen] = []
    seen: list[str] = []
    async with serve(recording(to_attacker)) as attacker:
        async with serve(kitchen(seen, elsewhere=attacker)) as url:
            away = interaction("sent away", "/away", status=302)
            verifier = Verifier("Grill Chef", base_url=url, headers={"X-Api-Key": "SECRET"})
            result = await verifier.verify(pact(away))
    result.assert_ok()
    assert to_attacker == [] and seen == ["GET /away"]


def test_the_cli_option() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    base = ["--base-url", "http://127.0.0.1:1", "pacts/"]
    assert verifier_options(parser.parse_args(base))["follow_redirects"] is True
    assert verifier_options(parser.parse_args(["--no-follow-redirects", *base]))["follow_redirects"] is False


def test_the_official_verifier_follows_redirects_as_apact_does(tmp_path: Path) -> None:
    pytest.importorskip("pact", reason="pact-python is not installed: the interoperability tests need it")
    os.environ.setdefault("PACT_DO_NOT_TRACK", "true")
    from pact import Verifier as PactPythonVerifier

    document = {
        "consumer": {"name": "Sous Chef"},
        "provider": {"name": "Grill Chef"},
        "interactions": [
            {"description": "moved", "request": {"method": "GET", "path": "/moved"}, "response": {"status": 200}},
            {"description": "a 302", "request": {"method": "GET", "path": "/moved-too"}, "response": {"status": 302}},
        ],
        "metadata": {"pactSpecification": {"version": "3.0.0"}},
    }
    path = tmp_path / "redirects.json"
    path.write_text(json.dumps(document))
    canned = {
        "/moved": {"status": 302, "headers": {"Location": "/landed"}},
        "/moved-too": {"status": 302, "headers": {"Location": "/landed"}},
        "/landed": {"status": 200},
    }
    with served("canned_app:app", CANNED=json.dumps(canned)) as url:
        official = PactPythonVerifier("Grill Chef", host="127.0.0.1").add_transport(url=url).add_source(str(path))
        with pytest.raises(RuntimeError):
            official.verify()
        verdicts = {item["description"]: item["result"] == "OK" for item in official.results["interactionResults"]}
        ours = anyio.run(Verifier("Grill Chef", base_url=url).verify, path)
        not_following = anyio.run(Verifier("Grill Chef", base_url=url, follow_redirects=False).verify, path)
    assert verdicts == {"moved": True, "a 302": False}
    assert {item.description: item.passed for item in ours.interactions} == verdicts
    assert {item.description: item.passed for item in not_following.interactions} == {"moved": False, "a 302": True}
