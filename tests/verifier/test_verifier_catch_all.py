"""Catch-alls (issue 16): one function for every provider state (as pact-python's
``state_handler(fn)``), the opt-in call for interactions without a state (the official
verifiers post state ``""`` for them), and one producer for every message."""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from apact import Message
from apact.verifier import Verifier

from . import message_helpers
from .verifier_helpers import document, interaction, pact, served

pytestmark = pytest.mark.anyio


def steak_app(log: list[str]) -> Starlette:
    async def steak(request: Request) -> JSONResponse:
        log.append(f"request {request.url.path}")
        return JSONResponse({"id": int(request.path_params["id"])})

    async def state(request: Request) -> JSONResponse:
        change = await request.json()
        log.append(f"{change['action']} {change['state']!r}")
        return JSONResponse({})

    return Starlette(routes=[Route("/steaks/{id}", steak), Route("/_pact/state", state, methods=["POST"])])


STATEFUL = [
    interaction("steak 1", "/steaks/1", body={"id": 1}, states=[{"name": "a steak", "params": {"id": 1}}]),
    interaction("steak 2", "/steaks/2", body={"id": 2}, states=[{"name": "its own handler"}]),
]
STATELESS = [interaction("steak 3", "/steaks/3", body={"id": 3}), interaction("steak 4", "/steaks/4", body={"id": 4})]


async def test_the_catch_all_handles_every_state_without_a_handler_of_its_own() -> None:
    log: list[str] = []
    verifier = Verifier("Grill Chef", app=steak_app(log), concurrency=1)

    @verifier.any_state
    def any_state(name: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        log.append(f"setup {name!r} {params}")
        yield {"id": params.get("id", 0)}
        log.append(f"teardown {name!r}")

    @verifier.state("its own handler")
    def own() -> None:
        log.append("own handler")

    result = await verifier.verify(pact(*STATEFUL, *STATELESS))
    result.assert_ok()
    assert log == [
        "setup 'a steak' {'id': 1}",
        "request /steaks/1",
        "teardown 'a steak'",
        "own handler",
        "request /steaks/2",
        "request /steaks/3",  # no state, and no call for it: the default
        "request /steaks/4",
    ]


async def test_a_catch_all_taking_only_the_name() -> None:
    names: list[str] = []
    verifier = Verifier("Grill Chef", app=steak_app([]))
    verifier.any_state(names.append)
    (await verifier.verify(pact(STATEFUL[0]))).assert_ok()
    assert names == ["a steak"]
    with pytest.raises(ValueError, match="already registered"):
        verifier.any_state(names.append)


async def test_call_without_state_calls_the_catch_all_for_each_interaction_without_one() -> None:
    log: list[str] = []
    verifier = Verifier("Grill Chef", app=steak_app(log), concurrency=4, call_without_state=True)

    @verifier.any_state
    async def reset(name: str) -> None:
        log.append(f"reset {name!r}")

    (await verifier.verify(pact(*STATELESS))).assert_ok()
    assert sorted(log) == ["request /steaks/3", "request /steaks/4", "reset ''", "reset ''"]
    assert log.index("reset ''") < log.index("request /steaks/3")


async def test_call_without_state_posts_the_empty_state_to_the_state_change_url() -> None:
    log: list[str] = []
    verifier = Verifier(
        "Grill Chef", app=steak_app(log), state_change_url="/_pact/state", concurrency=1, call_without_state=True
    )
    (await verifier.verify(pact(STATELESS[0]))).assert_ok()
    assert log == ["setup ''", "request /steaks/3", "teardown ''"]
    log.clear()
    (await Verifier("Grill Chef", app=steak_app(log), state_change_url="/_pact/state").verify(pact(STATELESS[0])))
    assert log == ["request /steaks/3"]


def test_the_official_verifier_posts_the_empty_state_as_call_without_state_does(tmp_path: Path) -> None:
    pytest.importorskip("pact", reason="pact-python is not installed: the interoperability tests need it")
    os.environ.setdefault("PACT_DO_NOT_TRACK", "true")
    from pact import Verifier as PactPythonVerifier

    path = tmp_path / "stateless.json"
    path.write_text(json.dumps(document(interaction("steak 3", "/steaks/3"))))
    canned = {"/steaks/3": {"status": 200}, "/_pact/state": {"status": 200, "body": "{}"}}

    def states_posted(url: str) -> list[dict[str, Any]]:
        with urllib.request.urlopen(url + "/_seen", timeout=10) as answer:  # noqa: S310
            seen = json.loads(answer.read())
        return [json.loads(item["body"]) for item in seen if item["path"] == "/_pact/state"]

    with served("canned_app:app", CANNED=json.dumps(canned)) as url:
        official = PactPythonVerifier("Grill Chef", host="127.0.0.1").add_transport(url=url).add_source(str(path))
        official.state_handler(f"{url}/_pact/state", teardown=True, body=True)
        official.verify()
        theirs = states_posted(url)
    with served("canned_app:app", CANNED=json.dumps(canned)) as url:
        verifier = Verifier("Grill Chef", base_url=url, state_change_url="/_pact/state", call_without_state=True)
        anyio.run(verifier.verify, path)
        ours = states_posted(url)
    assert [(s["state"], s["action"]) for s in theirs] == [("", "setup"), ("", "teardown")]
    assert [(s["state"], s["action"]) for s in ours] == [(s["state"], s["action"]) for s in theirs]


async def test_the_catch_all_producer_makes_every_message_without_a_producer() -> None:
    verifier = Verifier("Orders")
    calls: list[str] = []

    @verifier.any_message
    def produce(description: str, *rest: Any) -> Any:  # noqa: ANN401
        calls.append(description)
        if description == "a reply":
            (request, _values) = rest
            assert isinstance(request, Message)
            return {"echo": request.contents}
        return {"order": description}

    @verifier.message("its own")
    def own() -> dict[str, str]:
        return {"order": "own"}

    contract = message_helpers.pact(
        message_helpers.message("order 1", {"order": "order 1"}),
        message_helpers.message("its own", {"order": "own"}),
        message_helpers.sync_message(
            "a reply", message_helpers.part({"id": 1}), message_helpers.part({"echo": {"id": 1}})
        ),
    )
    result = await verifier.verify(contract)
    result.assert_ok()
    assert sorted(calls) == ["a reply", "order 1"]
    with pytest.raises(ValueError, match="already registered"):
        verifier.any_message(produce)
