"""Interoperability: pacts written by the official pact-python (its Rust core) are
verified by apact and by pact-python's own verifier against the same app, served over
real HTTP; the verdicts must agree, interaction by interaction, for a good provider and
for a deliberately broken one."""

from __future__ import annotations

import os

from apact.model import HttpInteraction

os.environ.setdefault("PACT_DO_NOT_TRACK", "true")  # pact-python phones home otherwise

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest

from apact import pactfile
from apact.verifier import Verifier

from .interop_app import make_app
from .verifier_helpers import served

pact = pytest.importorskip("pact", reason="pact-python is not installed: the interoperability tests need it")
from pact import Pact, generate, match  # noqa: E402
from pact.match.matcher import GenericMatcher  # noqa: E402

CONSUMER, PROVIDER = "Sous Chef", "Kitchen"
MODULE = "interop_app:app"


def _call(base: str, method: str, path: str, body: dict[str, Any] | None = None) -> int:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if body is not None else {}
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def write_pact(directory: Path, spec: str) -> Path:
    """The kitchen's pact, written by pact-python's mock server after real requests."""
    p = Pact(CONSUMER, PROVIDER).with_specification(spec)
    (
        p.upon_receiving("an order for a medium-rare steak")
        .given("the kitchen is open")
        .with_request("POST", "/steaks/")
        .with_body({"cooking": "medium-rare"}, "application/json")
        .will_respond_with(201)
        .with_body({"waitingTime": match.int(10), "id": match.int(1)}, "application/json")
    )
    (
        p.upon_receiving("an order for a well-done steak")
        .with_request("POST", "/steaks/")
        .with_body({"cooking": "well-done"}, "application/json")
        .will_respond_with(422)
        .with_body({"reason": match.str("we do not serve well-done steaks")}, "application/json")
    )
    (
        p.upon_receiving("a request for steak 42")
        .given("a steak exists", {"id": 42})
        .with_request("GET", "/steaks/42")
        .will_respond_with(200)
        .with_body(
            {
                "id": match.int(42),
                "cooking": match.regex("medium-rare", regex=r"^(rare|medium-rare|well-done)$"),
                "sides": match.each_like({"name": match.str("fries"), "price": match.number(2.5)}, min=1),
            },
            "application/json",
        )
    )
    p.upon_receiving("a request for a missing steak").with_request("GET", "/steaks/999").will_respond_with(404)
    (
        p.upon_receiving("a request for the Monday menu")
        .with_request("GET", "/menu")
        .with_query_parameter("day", "monday")
        .will_respond_with(200)
        .with_body({"day": "monday", "items": match.each_like("steak", min=1)}, "application/json")
    )
    if spec == "V4":
        (
            p.upon_receiving("a request for a steak the provider state names")
            .given("a steak exists", {"id": 7})
            .with_request(
                "GET",
                GenericMatcher(
                    "regex", "/steaks/7", regex=r"^/steaks/\d+$", generator=generate.provider_state("/steaks/${id}")
                ),
            )
            .will_respond_with(200)
            .with_body({"id": match.int(7), "cooking": match.str("rare")}, "application/json")
        )
    with p.serve(addr="127.0.0.1") as mock:
        base = str(mock.url).rstrip("/")
        assert _call(base, "POST", "/steaks/", {"cooking": "medium-rare"}) == 201
        assert _call(base, "POST", "/steaks/", {"cooking": "well-done"}) == 422
        assert _call(base, "GET", "/steaks/42") == 200
        assert _call(base, "GET", "/steaks/999") == 404
        assert _call(base, "GET", "/menu?day=monday") == 200
        if spec == "V4":
            assert _call(base, "GET", "/steaks/7") == 200
        assert mock.matched, mock.mismatches
        mock.write_file(directory, overwrite=True)
    (written,) = directory.glob("*.json")
    return written


@pytest.fixture(scope="module", params=["V3", "V4"])
def pact_file(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_pact(tmp_path_factory.mktemp(f"pact-{request.param}"), str(request.param))


@pytest.fixture(scope="module", params=[False, True], ids=["good", "broken"])
def provider(request: pytest.FixtureRequest) -> Iterator[tuple[str, bool]]:
    broken = bool(request.param)
    with served(MODULE, **({"BROKEN": "1"} if broken else {})) as url:
        yield url, broken


def pact_python_verdicts(pact_file: Path, base_url: str) -> tuple[bool, dict[str, bool]]:
    from pact import Verifier as PactPythonVerifier

    verifier = (
        PactPythonVerifier(PROVIDER, host="127.0.0.1")
        .add_transport(url=base_url)
        .add_source(str(pact_file))
        .state_handler(f"{base_url}/_pact/state", teardown=True, body=True)
    )
    try:
        verifier.verify()
        passed = True
    except RuntimeError:
        passed = False
    results = verifier.results
    return passed, {item["description"]: item["result"] == "OK" for item in results["interactionResults"]}


def apact_verdicts(pact_file: Path, verifier: Verifier) -> tuple[bool, dict[str, bool]]:
    result = anyio.run(verifier.verify, pact_file)
    assert all(item.status in ("passed", "failed") for item in result.interactions), result.report()
    return result.ok, {item.description: item.passed for item in result.interactions}


def test_apact_and_pact_python_reach_the_same_verdicts(pact_file: Path, provider: tuple[str, bool]) -> None:
    base_url, broken = provider
    official = pact_python_verdicts(pact_file, base_url)
    over_http = apact_verdicts(
        pact_file, Verifier(PROVIDER, base_url=base_url, state_change_url=f"{base_url}/_pact/state")
    )
    in_process = apact_verdicts(
        pact_file, Verifier(PROVIDER, app=make_app(broken=broken), state_change_url="/_pact/state")
    )
    assert over_http == official
    assert in_process == official
    assert official[0] is not broken
    if broken:  # the same, deliberately broken, interactions fail everywhere
        assert {d for d, ok in official[1].items() if not ok} == {
            "an order for a medium-rare steak",
            "a request for steak 42",
            "a request for a missing steak",
        }


def test_the_written_pact_uses_what_apact_has_to_understand(pact_file: Path) -> None:
    """A guard: the pact really has matchers, states with params and (V4) a generator."""
    loaded = pactfile.load(pact_file)
    rules = [i.response.matching_rules for i in loaded.interactions if hasattr(i, "response")]
    assert any("body" in r for r in rules)
    assert any(s.params for i in loaded.interactions for s in i.provider_states)
    if loaded.spec.label == "V4":
        assert any(isinstance(i, HttpInteraction) and i.request.generators for i in loaded.interactions)


def test_apact_reports_why_the_broken_kitchen_fails(pact_file: Path) -> None:
    verifier = Verifier(PROVIDER, app=make_app(broken=True), state_change_url="/_pact/state")
    report = anyio.run(verifier.verify, pact_file).report()
    assert '$.body.waitingTime: expected an integer (like 10), got "ten" (string)' in report
    assert "$.status: expected status 404, got 200" in report
    assert "$.body.sides[0].price: expected a number" in report
