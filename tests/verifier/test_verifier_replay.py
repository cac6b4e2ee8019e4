"""Replaying pacts against an in-process app: verdicts, reports, options, concurrency."""

from __future__ import annotations

import gc
import json
import xml.etree.ElementTree as ElementTree
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from apact import pactfile
from apact._core._types import Receive, Scope, Send
from apact.errors import MismatchError, PactFileError, ProviderStartError
from apact.examples import GRILL_CHEF_PACT
from apact.verifier import PactSource, VerificationFailedError, Verifier

from ..json_helpers import tree
from .verifier_helpers import document, interaction, pact

pytestmark = pytest.mark.anyio


def grill_chef(*, broken: bool = False) -> Starlette:
    async def steaks(request: Request) -> JSONResponse:
        order = await request.json()
        if broken:
            return JSONResponse({"waitingTime": "ten"}, status_code=201)
        if order["cooking"] == "well-done":
            return JSONResponse({"reason": "we do not serve well-done steaks"}, status_code=422)
        return JSONResponse({"waitingTime": 10}, status_code=201)

    return Starlette(routes=[Route("/steaks/", steaks, methods=["POST"])])


def verifier_for(app: Any, **options: Any) -> Verifier:  # noqa: ANN401
    verifier = Verifier("Grill Chef", app=app, **options)
    verifier.state("steaks are available")(lambda: None)
    return verifier


async def test_the_grill_chef_honours_its_pact() -> None:
    result = await verifier_for(grill_chef()).verify(GRILL_CHEF_PACT)
    result.assert_ok()
    assert [r.status for r in result.interactions] == ["passed", "passed"]
    assert result.ok and result.verified == 2
    assert all(r.duration > 0 for r in result.interactions)
    assert result.interactions[0].request == "POST /steaks/"


async def test_a_verification_leaves_no_cycles_behind(tmp_path: Path) -> None:
    # what a run builds (the pact it read included) is freed with its result, not left
    # for the collector: else a pact of thousands of interactions stays in memory until
    # the collector's next full pass, which then walks all of it
    def orders(count: int) -> Path:
        order = json.loads(GRILL_CHEF_PACT.read_text())["interactions"][0]
        path = tmp_path / f"orders-{count}.json"
        many = [{**order, "description": f"order {number}"} for number in range(count)]
        path.write_text(json.dumps(document(*many)))
        return path

    async def garbage_after(path: Path) -> int:
        # apact's own objects only: another thread of this worker (a server a test left
        # stopping) may leave garbage of its own meanwhile
        gc.collect()
        gc.disable()
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            result = await verifier_for(grill_chef()).verify(path)
            assert result.ok
            del result
            gc.collect()
            return sum(1 for thing in gc.garbage if type(thing).__module__.startswith("apact"))
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
            gc.enable()

    assert await garbage_after(orders(50)) == await garbage_after(orders(5))


async def test_a_broken_provider_gets_a_readable_report() -> None:
    result = await verifier_for(grill_chef(broken=True)).verify(GRILL_CHEF_PACT)
    assert not result.ok
    report = result.report()
    assert "  FAILED   a request for a medium-rare steak  (given steaks are available)" in report
    assert "1) Sous Chef -> Grill Chef: a request for a medium-rare steak" in report
    assert "   request: POST /steaks/" in report
    assert '   $.body.waitingTime: expected an integer (like 10), got "ten" (string)' in report
    assert "   $.status: expected status 422, got 201" in report
    assert "   body (- expected, + actual):" in report
    assert '     -  "reason": "we do not serve well-done steaks"' in report
    assert '     +  "waitingTime": "ten"' in report
    assert report.endswith(
        "2 interactions: 0 passed, 2 failed (0 pending, 0 skipped) in " + report.rsplit(" in ", 1)[1]
    )
    assert "verification FAILED" in report.splitlines()[-1]
    with pytest.raises(VerificationFailedError) as caught:
        result.assert_ok()
    assert isinstance(caught.value, MismatchError) and isinstance(caught.value, AssertionError)
    assert str(caught.value) == report
    assert caught.value.result is result


async def test_an_app_that_raises_fails_with_its_traceback() -> None:
    async def boom(request: Request) -> Response:
        raise KeyError("grill")

    app = Starlette(routes=[Route("/steaks/", boom, methods=["POST"])])
    result = await verifier_for(app).verify(GRILL_CHEF_PACT)
    first = result.interactions[0]
    assert first.status == "failed"
    assert any(m.path == "$.status" for m in first.mismatches)  # Starlette answered 500
    (error,) = first.errors
    assert error.kind == "provider" and error.message == "the app raised KeyError: 'grill'"
    assert error.traceback is not None and 'raise KeyError("grill")' in error.traceback


async def test_a_slow_answer_times_out() -> None:
    async def slow(request: Request) -> Response:
        await anyio.sleep_forever()
        raise AssertionError

    app = Starlette(routes=[Route("/steaks/", slow, methods=["POST"])])
    result = await verifier_for(app, request_timeout=0.05).verify(GRILL_CHEF_PACT)
    assert [e.kind for r in result.interactions for e in r.errors] == ["timeout", "timeout"]
    assert "the app did not answer POST /steaks/ within 0.05 s" in result.report()


async def test_the_lifespan_runs_once_around_the_verification() -> None:
    events: list[str] = []

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        events.append("startup")
        yield {"cook": "Gordon"}
        events.append("shutdown")

    async def steaks(request: Request) -> JSONResponse:
        events.append(f"order by {request.state.cook}")
        await request.json()
        return JSONResponse({"waitingTime": 10}, status_code=201)

    app = Starlette(routes=[Route("/steaks/", steaks, methods=["POST"])], lifespan=lifespan)
    verifier = verifier_for(app)
    (await verifier.verify(GRILL_CHEF_PACT, description="medium")).assert_ok()
    assert events == ["startup", "order by Gordon", "shutdown"]


async def test_a_failing_lifespan_startup_is_a_start_error() -> None:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        raise RuntimeError("no gas")
        yield  # pragma: no cover

    app = Starlette(lifespan=lifespan)
    with pytest.raises(ProviderStartError, match="(?s)lifespan startup failed: .*RuntimeError: no gas"):
        await verifier_for(app).verify(GRILL_CHEF_PACT)


async def test_an_app_without_lifespan_support_is_called_without_it() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok"})

    result = await Verifier("Grill Chef", app=app).verify(pact(interaction("plain")))
    result.assert_ok()


async def test_random_generators_give_each_request_its_own_values() -> None:
    """A request's random generators are drawn afresh for each interaction (one
    random source per run, seeded from the OS: two runs do not repeat each other)."""
    seen: list[Any] = []

    async def orders(request: Request) -> JSONResponse:
        seen.append((request.headers["x-order"], (await request.json())["note"]))
        return JSONResponse({})

    app = Starlette(routes=[Route("/orders", orders, methods=["POST"])])
    items = []
    for description in ("one", "two"):
        item = interaction(description, "/orders", method="POST", request_body={"note": "medium"})
        item["request"]["headers"]["X-Order"] = ["5"]
        item["request"]["generators"] = {
            "header": {"X-Order": {"type": "RandomInt", "min": 100000, "max": 999999}},
            "body": {"$.note": {"type": "RandomString", "size": 24}},
        }
        items.append(item)
    (await Verifier("Grill Chef", app=app).verify(pact(*items))).assert_ok()
    (await Verifier("Grill Chef", app=app).verify(pact(*items))).assert_ok()
    assert len(seen) == 4
    assert all(100000 <= int(number) <= 999999 and len(note) == 24 for number, note in seen)
    assert len({note for _, note in seen}) == 4  # (24 random letters and digits: no repeats)


async def test_paths_and_queries_are_encoded_and_headers_sent() -> None:
    seen: list[Any] = []

    async def echo(request: Request) -> JSONResponse:
        seen.append(
            (
                request.url.path,
                request.scope["raw_path"],
                sorted(request.query_params.multi_items()),
                request.headers.get("x-chef"),
            )
        )
        return JSONResponse({})

    app = Starlette(routes=[Route("/{rest:path}", echo)])
    item = interaction("odd path", "/menu/steak frites/ü")
    item["request"]["query"] = {"tag": ["red", "a b&c"]}
    item["request"]["headers"] = {"X-Chef": ["Gordon"]}
    (await Verifier("Grill Chef", app=app).verify(pact(item))).assert_ok()
    assert seen == [
        ("/menu/steak frites/ü", b"/menu/steak%20frites/%C3%BC", [("tag", "a b&c"), ("tag", "red")], "Gordon")
    ]


async def test_request_filters_and_custom_headers_change_the_request() -> None:
    async def guarded(request: Request) -> Response:
        if request.headers.get("authorization") != "Bearer secret" or request.headers.get("x-tenant") != "t1":
            return JSONResponse({"error": "who are you"}, status_code=401)
        return JSONResponse({"path": request.url.path, "trace": request.headers.get("x-trace")})

    app = Starlette(routes=[Route("/{rest:path}", guarded)])
    item = interaction("a guarded request", "/orders", body={"path": "/v2/orders", "trace": "abc"})

    def authorise(request: httpx.Request) -> None:
        request.headers["Authorization"] = "Bearer secret"

    async def reroute(request: httpx.Request) -> httpx.Request:
        await anyio.sleep(0)
        return httpx.Request(
            request.method, request.url.copy_with(path="/v2" + request.url.path), headers=request.headers
        )

    verifier = Verifier(
        "Grill Chef", app=app, headers={"X-Tenant": "t1", "X-Trace": "abc"}, request_filters=[authorise, reroute]
    )
    (await verifier.verify(pact(item))).assert_ok()
    without = await Verifier("Grill Chef", app=app).verify(pact(item))
    assert "$.status: expected status 200, got 401" in without.report()


async def test_a_raising_request_filter_fails_the_interaction() -> None:
    def broken(request: httpx.Request) -> None:
        raise RuntimeError("no token")

    result = await Verifier("Grill Chef", app=grill_chef(), request_filters=[broken]).verify(pact(interaction("x")))
    (error,) = result.interactions[0].errors
    assert error.kind == "request filter" and "RuntimeError: no token" in error.message


# -- concurrency ---------------------------------------------------------------------------------------


def rendezvous_app(needed: int) -> tuple[Starlette, list[str]]:
    """An app whose requests all wait until ``needed`` of them are in flight together:
    it deadlocks (and the test times out) unless the verifier really is concurrent."""
    arrived: list[str] = []
    together = anyio.Event()

    async def meet(request: Request) -> JSONResponse:
        arrived.append(request.url.path)
        if len(arrived) >= needed:
            together.set()
        await together.wait()
        return JSONResponse({})

    return Starlette(routes=[Route("/{name}", meet)]), arrived


async def test_interactions_really_are_replayed_concurrently() -> None:
    app, arrived = rendezvous_app(needed=3)
    items = [interaction(f"meeting {i}", f"/m{i}") for i in range(6)]
    with anyio.fail_after(10):
        result = await Verifier("Grill Chef", app=app, concurrency=3).verify(pact(*items))
    result.assert_ok()
    assert len(arrived) == 6


async def test_concurrency_is_bounded() -> None:
    in_flight = [0, 0]

    async def count(request: Request) -> JSONResponse:
        in_flight[0] += 1
        in_flight[1] = max(in_flight)
        for _ in range(3):
            await anyio.sleep(0)
        in_flight[0] -= 1
        return JSONResponse({})

    app = Starlette(routes=[Route("/{name}", count)])
    items = [interaction(f"i {i}", f"/i{i}") for i in range(20)]
    (await Verifier("Grill Chef", app=app, concurrency=3).verify(pact(*items))).assert_ok()
    assert in_flight[1] == 3


async def test_concurrency_one_is_strictly_sequential_in_pact_order() -> None:
    order: list[str] = []
    in_flight = [0, 0]

    async def record(request: Request) -> JSONResponse:
        in_flight[0] += 1
        in_flight[1] = max(in_flight)
        order.append(request.url.path)
        await anyio.sleep(0)
        in_flight[0] -= 1
        return JSONResponse({})

    app = Starlette(routes=[Route("/{name}", record)])
    items = [interaction(f"i {i}", f"/i{i}") for i in range(8)]
    (await Verifier("Grill Chef", app=app, concurrency=1).verify(pact(*items))).assert_ok()
    assert order == [f"/i{i}" for i in range(8)]
    assert in_flight[1] == 1


async def test_the_report_order_is_the_pacts_order_whatever_finishes_first() -> None:
    gates = {f"/i{i}": anyio.Event() for i in range(4)}
    finished: list[str] = []

    async def reversed_finish(request: Request) -> JSONResponse:
        path = request.url.path
        index = int(path[2:])
        if index < 3:
            await gates[f"/i{index + 1}"].wait()  # each waits for the next one to finish
        finished.append(path)
        gates[path].set()
        return JSONResponse({"n": index})

    app = Starlette(routes=[Route("/{name}", reversed_finish)])
    first = [interaction(f"i {i}", f"/i{i}", body={"n": i}) for i in range(4)]
    with anyio.fail_after(10):
        result = await Verifier("Grill Chef", app=app, concurrency=4).verify(pact(*first), pact(consumer="Line Cook"))
    assert finished == ["/i3", "/i2", "/i1", "/i0"]
    assert [r.description for r in result.interactions] == ["i 0", "i 1", "i 2", "i 3"]
    assert [p.consumer for p in result.pacts] == ["Sous Chef", "Line Cook"]


async def test_fail_fast_stops_after_the_first_failure() -> None:
    items = [
        interaction(f"i {i}", "/steaks/", method="POST", request_body={"cooking": "rare"}, status=500) for i in range(5)
    ]
    result = await Verifier("Grill Chef", app=grill_chef(), concurrency=1).verify(pact(*items), fail_fast=True)
    assert [r.status for r in result.interactions] == ["failed", "skipped", "skipped", "skipped", "skipped"]
    assert "fail_fast" in (result.interactions[1].reason or "")


# -- choosing what to verify ------------------------------------------------------------------------------


async def test_filters_by_consumer_description_and_state() -> None:
    many = pact(
        interaction("a request for a menu", "/menu"),
        interaction("a request for a steak", "/steak", states=[{"name": "steaks are available"}]),
        interaction("a request for a salad", "/salad", states=[{"name": "salads are available"}]),
    )
    other = pact(interaction("a request for a menu", "/menu"), consumer="Line Cook")
    app = Starlette(routes=[Route("/{name}", lambda request: JSONResponse({}))])
    verifier = Verifier("Grill Chef", app=app, ignore_missing_states=True)

    result = await verifier.verify(many, other, consumers="Line Cook")
    assert [(p.consumer, [r.status for r in p.interactions]) for p in result.pacts] == [("Line Cook", ["passed"])]

    result = await verifier.verify(many, description="steak|salad")
    assert [r.status for r in result.interactions] == ["skipped", "passed", "passed"]
    assert result.interactions[0].reason == "left out by the description filter 'steak|salad'"

    result = await verifier.verify(many, state="^steaks")
    assert [r.status for r in result.interactions] == ["skipped", "passed", "skipped"]

    result = await verifier.verify(many, no_state=True)
    assert [r.status for r in result.interactions] == ["passed", "skipped", "skipped"]


@pytest.mark.parametrize(
    ("policy", "statuses", "ok"),
    [
        ("report", ["pending", "passed"], True),
        ("enforce", ["failed", "passed"], False),
        ("skip", ["skipped", "skipped"], False),
    ],
)
async def test_pending_interactions(policy: str, statuses: list[str], ok: bool) -> None:
    app = Starlette(routes=[Route("/{name}", lambda request: JSONResponse({"ok": True}))])
    items = [
        interaction("a new feature", "/new", status=201, pending=True),
        interaction("an old one", "/old", body={"ok": True}, pending=True),
    ]
    result = await Verifier("Grill Chef", app=app, pending=policy).verify(pact(*items))  # type: ignore[arg-type]
    assert [r.status for r in result.interactions] == statuses
    assert result.ok is (policy != "enforce")
    if policy == "report":
        assert "Pending failures (reported, not failing the verification):" in result.report()
        result.assert_ok()
    elif not ok:
        with pytest.raises(VerificationFailedError):
            result.assert_ok()


async def test_a_pending_pact_does_not_fail_the_verification() -> None:
    result = await verifier_for(grill_chef(broken=True)).verify(
        PactSource(pactfile.load(GRILL_CHEF_PACT), "broker", pending=True)
    )
    assert [r.status for r in result.interactions] == ["pending", "pending"]
    assert result.ok
    assert result.pacts[0].verification_results("1.0.0")["success"] is False


def old_style_pact(version: str) -> dict[str, Any]:
    """The Grill Chef pact as V1, V1.1 or V2 write it (V2 with its flat matching rules)."""
    interactions = []
    for cooking, status, body in (
        ("medium-rare", 201, {"waitingTime": 10}),
        ("well-done", 422, {"reason": "we do not serve well-done steaks"}),
    ):
        response: dict[str, Any] = {"status": status, "headers": {"Content-Type": "application/json"}, "body": body}
        if version == "2.0.0" and status == 201:
            response["matchingRules"] = {"$.body.waitingTime": {"match": "type"}}
        interactions.append(
            {
                "description": f"a request for a {cooking} steak",
                "providerState": "steaks are available",
                "request": {
                    "method": "POST",
                    "path": "/steaks/",
                    "headers": {"Content-Type": "application/json"},
                    "body": {"cooking": cooking},
                },
                "response": response,
            }
        )
    return {
        "consumer": {"name": "Sous Chef"},
        "provider": {"name": "Grill Chef"},
        "interactions": interactions,
        "metadata": {"pactSpecification": {"version": version}},
    }


@pytest.mark.parametrize("spec", ["V1", "V1.1", "V2", "V3", "V4"])
async def test_every_spec_version_is_verified(spec: str, tmp_path: Path) -> None:
    path = tmp_path / "pact.json"
    versions = {"V1": "1.0.0", "V1.1": "1.1.0", "V2": "2.0.0"}
    if spec in versions:
        path.write_text(json.dumps(old_style_pact(versions[spec])))
    else:
        pactfile.save(pactfile.load(GRILL_CHEF_PACT), path, spec)
    result = await verifier_for(grill_chef()).verify(path)
    result.assert_ok()
    assert result.pacts[0].pact is not None and result.pacts[0].pact.spec.label == spec
    broken = await verifier_for(grill_chef(broken=True)).verify(path)
    assert [r.status for r in broken.interactions] == ["failed", "failed"]


# -- sources -------------------------------------------------------------------------------------------


async def test_a_directory_gives_its_json_files_in_name_order(tmp_path: Path) -> None:
    for name, consumer in (("b.json", "Bistro"), ("a.json", "Sous Chef")):
        (tmp_path / name).write_text(json.dumps(document(interaction("x", "/x"), consumer=consumer)))
    (tmp_path / "notes.txt").write_text("not a pact")
    app = Starlette(routes=[Route("/{name}", lambda request: JSONResponse({}))])
    result = await Verifier("Grill Chef", app=app).verify(tmp_path)
    assert [(p.consumer, Path(p.source).name) for p in result.pacts] == [("Sous Chef", "a.json"), ("Bistro", "b.json")]


async def test_an_unreadable_pact_is_an_error_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(PactFileError, match="bad.json: not valid JSON"):
        await verifier_for(grill_chef()).verify(bad)
    with pytest.raises(PactFileError, match="cannot read the file"):
        await verifier_for(grill_chef()).verify(tmp_path / "missing.json")


async def test_pacts_for_another_provider_are_left_out_with_a_notice() -> None:
    result = await Verifier("Grill chef", app=grill_chef()).verify(GRILL_CHEF_PACT)
    assert result.pacts == ()
    assert "it is a pact with provider 'Grill Chef', not 'Grill chef'" in result.notices[0]
    with pytest.raises(VerificationFailedError, match="Nothing was verified"):
        result.assert_ok()
    result.assert_ok(allow_empty=True)


# -- output --------------------------------------------------------------------------------------------------


async def test_junit_and_json_reports(tmp_path: Path) -> None:
    app = grill_chef(broken=True)
    verifier = verifier_for(app)
    result = await verifier.verify(GRILL_CHEF_PACT, pact(interaction("a skipped one", "/x")), description="steak")
    await result.write_junit(tmp_path / "reports" / "pact.xml")
    await result.write_json(tmp_path / "reports" / "pact.json")

    root = ElementTree.parse(tmp_path / "reports" / "pact.xml").getroot()
    assert (
        root.tag == "testsuites"
        and root.get("tests") == "3"
        and root.get("failures") == "2"
        and root.get("skipped") == "1"
    )
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["Sous Chef -> Grill Chef", "Sous Chef -> Grill Chef"]
    case = suites[0].findall("testcase")[0]
    assert case.get("name") == "a request for a medium-rare steak (given steaks are available)"
    failure = case.find("failure")
    assert failure is not None and failure.get("message", "").startswith("$.body.waitingTime: expected an integer")
    assert suites[1].find("testcase/skipped") is not None

    data = json.loads((tmp_path / "reports" / "pact.json").read_text())
    assert data["ok"] is False
    assert data["summary"] == {"interactions": 3, "passed": 0, "failed": 2, "pending": 0, "skipped": 1}
    first = data["pacts"][0]["interactions"][0]
    assert first["status"] == "failed" and first["request"] == "POST /steaks/"
    assert first["mismatches"][0]["path"] == "$.body.waitingTime" and first["mismatches"][0]["actual"] == "ten"
    assert first["response"]["status"] == 201 and json.loads(first["response"]["body"]) == {"waitingTime": "ten"}
    assert data["pacts"][0]["specification"] == "4.0"


async def test_reports_hold_text_that_xml_and_utf8_cannot(tmp_path: Path) -> None:
    """A description read from the JSON escape ``\\ud800`` (a lone surrogate: no UTF-8
    form) and an answer holding control characters (no XML 1.0 form): the JUnit file was
    left empty by a UnicodeEncodeError, or would be XML no parser reads; both reports are
    written, with such characters as escapes."""

    async def garbled(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": "bell\x07 nul\x00 \ufffe".encode()})

    steak = interaction("a steak \ud800", "/steak", body="done")
    steak["response"]["headers"] = {"Content-Type": ["text/plain"]}
    steak["response"]["body"] = {"content": "done", "contentType": "text/plain", "encoded": False}
    result = await Verifier("Grill Chef", app=garbled).verify(pact(steak))
    await result.write_junit(tmp_path / "pact.xml")
    await result.write_json(tmp_path / "pact.json")
    case = ElementTree.parse(tmp_path / "pact.xml").getroot().find("testsuite/testcase")
    assert case is not None and case.get("name") == "a steak \\ud800"
    failure = case.find("failure")
    assert failure is not None
    assert 'got "bell\\u0007 nul\\u0000 \\ufffe"' in failure.get("message", "")  # (quoted as JSON, but for U+FFFE)
    assert failure.text is not None and "\\x07" in failure.text
    data = json.loads((tmp_path / "pact.json").read_text())
    first = data["pacts"][0]["interactions"][0]
    assert first["description"] == "a steak \ud800" and first["status"] == "failed"


async def test_the_report_shows_what_a_terminal_would_act_on_as_escapes() -> None:
    """A provider's answer (or a pact) may hold terminal escape sequences, a C1 control
    or a bidirectional override: quoted raw in the body diff, they would clear the CI
    log, recolour it or reorder what it shows."""

    async def hostile(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": "done\n\x1b[2J\x1b[32mALL PASSED\x9b0m\n".encode()})

    steak = interaction("a steak \u202edenob", "/steak")
    steak["response"]["body"] = {"content": "done\nrare\n", "contentType": "text/plain", "encoded": False}
    result = await Verifier("Grill Chef", app=hostile).verify(pact(steak))
    report = result.report()
    assert not set(report) & {"\x1b", "\x9b", "\u202e"}
    assert "     +\\x1b[2J\\x1b[32mALL PASSED\\x9b0m" in report.splitlines()
    assert "  FAILED   a steak \\u202edenob" in report.splitlines()


async def test_the_broker_verification_results_body() -> None:
    result = await verifier_for(grill_chef(broken=True)).verify(GRILL_CHEF_PACT)
    body = tree(result.pacts[0].verification_results("1.2.3", build_url="https://ci/1"))
    assert body["success"] is False
    assert body["providerApplicationVersion"] == "1.2.3" and body["buildUrl"] == "https://ci/1"
    assert body["verifiedBy"] == {"implementation": "apact", "version": __import__("apact").__version__}
    first, second = body["testResults"]
    assert first == {
        "interactionId": "",
        "interactionDescription": "a request for a medium-rare steak",
        "success": False,
        "mismatches": [
            {
                "attribute": "body",
                "description": 'expected an integer (like 10), got "ten" (string)',
                "identifier": "$.waitingTime",
                "expected": 10,
                "actual": "ten",
            }
        ],
    }
    assert second["mismatches"][0] == {
        "attribute": "status",
        "description": "expected status 422, got 201",
        "expected": 422,
        "actual": 201,
    }
    ok = await verifier_for(grill_chef()).verify(GRILL_CHEF_PACT)
    assert ok.pacts[0].verification_results("1.2.3")["success"] is True


async def test_plain_text_bodies_get_a_diff_too() -> None:
    app = Starlette(routes=[Route("/hello", lambda request: PlainTextResponse("Hello, Bob!"))])
    item = interaction("a greeting", "/hello")
    item["response"]["headers"] = {"Content-Type": ["text/plain"]}
    item["response"]["body"] = {"contentType": "text/plain", "encoded": False, "content": "Hello, Alice!"}
    report = (await Verifier("Grill Chef", app=app).verify(pact(item))).report()
    assert "     -Hello, Alice!" in report and "     +Hello, Bob!" in report


@pytest.mark.parametrize(
    "path",
    [
        "/pacticipants/Pricing%20Service/50%25",  # as the Rust core records paths
        "/pacticipants/Pricing Service/50%",  # as apact's mock records them
    ],
)
async def test_paths_written_encoded_or_decoded_reach_the_app_decoded(path: str) -> None:
    seen: list[tuple[str, bytes]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append((scope["path"], scope["raw_path"]))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    result = await Verifier("Grill Chef", app=app, lifespan=False).verify(pact(interaction("a pacticipant", path)))
    result.assert_ok()
    assert seen == [("/pacticipants/Pricing Service/50%", b"/pacticipants/Pricing%20Service/50%25")]


def test_a_result_copied_with_its_full_duration_keeps_every_other_field() -> None:
    """The run's cheap ``replace(result, duration=...)`` (the duration with the state's
    teardown) copies every field, including any added later."""
    import dataclasses

    from apact.verifier._result import InteractionResult
    from apact.verifier._verifier import _with_duration

    values = {
        f.name: f"value of {f.name}" if f.name != "duration" else 1.0 for f in dataclasses.fields(InteractionResult)
    }
    result = InteractionResult(**values)  # type: ignore[arg-type]
    copied = _with_duration(result, 2.5)
    assert copied == dataclasses.replace(result, duration=2.5)
    assert copied is not result and result.duration == 1.0
