"""WSGI providers (Flask, any PEP 3333 callable) verified in-process: provider states,
passing and failing, the errors given at construction for what is not an app, and
requests served in worker threads while the event loop goes on."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import anyio
import pytest
from flask import Flask, Response, jsonify, request

from apact.verifier import Verifier

from . import verifier_helpers
from .verifier_helpers import pact

pytestmark = pytest.mark.anyio

STEAKS = {"name": "steaks are available", "params": {"count": 3}}
StartResponse = Callable[..., Callable[[bytes], object]]


class Kitchen:
    def __init__(self) -> None:
        self.steaks = 0
        self.log: list[str] = []


def flask_app(kitchen: Kitchen) -> Flask:
    app = Flask("kitchen")

    @app.get("/steaks/")
    def steaks() -> Response:
        kitchen.log.append(f"request {request.path} in {threading.current_thread().name}")
        return jsonify({"count": kitchen.steaks})

    @app.post("/orders")
    def order() -> tuple[Response, int]:
        order = request.get_json()
        if kitchen.steaks < 1:
            return jsonify({"reason": "sold out"}), 409
        return jsonify({"cut": order["cut"], "table": int(request.args["table"])}), 201

    @app.get("/broken")
    def broken() -> Response:
        raise RuntimeError("the grill is on fire")

    return app


def interaction(
    *args: Any,  # noqa: ANN401
    query: dict[str, list[str]] | None = None,
    headers: dict[str, list[str]] | None = None,
    **options: Any,  # noqa: ANN401
) -> dict[str, Any]:
    """The helpers' interaction, with a request query and more response headers."""
    made = verifier_helpers.interaction(*args, **options)
    if query is not None:
        made["request"]["query"] = query
    if headers is not None:
        made["response"].setdefault("headers", {}).update(headers)
    return made


def with_states(verifier: Verifier, kitchen: Kitchen) -> Verifier:
    @verifier.state("steaks are available")
    def available(params: dict[str, Any]) -> Iterator[None]:
        kitchen.log.append(f"setup {params['count']}")
        kitchen.steaks = params["count"]
        yield
        kitchen.steaks = 0
        kitchen.log.append("teardown")

    return verifier


async def test_a_flask_app_is_verified_in_process_with_provider_states() -> None:
    """Once a TypeError at every request (Flask.__call__() takes 3 positional arguments but 4 were given)."""
    kitchen = Kitchen()
    verifier = with_states(Verifier("Grill Chef", app=flask_app(kitchen)), kitchen)
    result = await verifier.verify(
        pact(
            interaction("the steaks", body={"count": 3}, states=[STEAKS]),
            interaction(
                "an order",
                "/orders",
                method="POST",
                status=201,
                request_body={"cut": "ribeye"},
                body={"cut": "ribeye", "table": 7},
                states=[STEAKS],
                query={"table": ["7"]},
            ),
            interaction("a sold-out order", "/orders", method="POST", status=409, request_body={"cut": "ribeye"}),
        )
    )
    assert result.ok, result.report()
    assert result.target == "in-process WSGI app Flask"
    assert [item.status for item in result.interactions] == ["passed"] * 3
    request = kitchen.log[1]
    assert kitchen.log == ["setup 3", request, "teardown", "setup 3", "teardown"]
    assert request.startswith("request /steaks/ in ") and not request.endswith(threading.main_thread().name)


async def test_a_flask_app_that_breaks_the_pact_fails_with_the_reasons() -> None:
    kitchen = Kitchen()
    verifier = with_states(Verifier("Grill Chef", app=flask_app(kitchen)), kitchen)
    result = await verifier.verify(
        pact(
            interaction("the steaks", body={"count": 4}, states=[STEAKS]),
            interaction("a broken grill", "/broken", body={"ok": True}),
        )
    )
    assert not result.ok
    report = result.report()
    assert "$.body.count: expected 4, got 3" in report, report
    assert [item.status for item in result.interactions] == ["failed", "failed"]
    assert "$.status: expected status 200, got 500" in report, report  # Flask's own 500 page
    assert "the grill is on fire" not in report

    app = flask_app(kitchen)
    app.config["PROPAGATE_EXCEPTIONS"] = True  # (docs/flask.md): the exception, not the page
    propagated = await Verifier("Grill Chef", app=app).verify(pact(interaction("a broken grill", "/broken")))
    assert "provider: the app raised RuntimeError: the grill is on fire" in propagated.report()


async def test_a_wsgi_app_that_raises_is_reported_with_the_exception() -> None:
    def raises(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ["PATH_INFO"] == "/late":
            start_response("200 OK", [("Content-Type", "application/json")])
            yield b'{"ok": '
        raise RuntimeError("the grill is on fire")

    result = await Verifier("Grill Chef", app=raises).verify(
        pact(interaction("early", "/early", body={"ok": True}), interaction("late", "/late", body={"ok": True}))
    )
    assert not result.ok
    early, late = result.interactions
    assert [error.message for error in early.errors] == ["the app raised RuntimeError: the grill is on fire"]
    assert [error.message for error in late.errors] == ["the app raised RuntimeError: the grill is on fire"]
    assert "$.status: expected status 200, got 500" in result.report()


def echo(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """A bare PEP 3333 function: the request, as the app saw it, in JSON."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    seen = {
        "method": environ["REQUEST_METHOD"],
        "path": environ["PATH_INFO"],
        "query": environ["QUERY_STRING"],
        "type": environ.get("CONTENT_TYPE"),
        "auth": environ.get("HTTP_AUTHORIZATION"),
        "body": json.loads(environ["wsgi.input"].read(length)) if length else None,
    }
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(seen).encode()]


class Counter:
    """A PEP 3333 class: called with (environ, start_response), its instance is the body."""

    def __init__(self, environ: dict[str, Any], start_response: StartResponse) -> None:
        start_response("200 OK", [("Content-Type", "application/json"), ("X-Kind", "class")])

    def __iter__(self) -> Iterator[bytes]:
        yield b'{"count": '
        yield b"2}"


async def test_a_bare_wsgi_function_sees_the_request_and_has_provider_states() -> None:
    states: list[str] = []
    verifier = Verifier("Grill Chef", app=echo, headers={"Authorization": "Bearer xyz"})

    @verifier.state("steaks are available")
    async def available(params: dict[str, Any]) -> None:
        states.append(f"steaks {params['count']}")

    seen = {
        "method": "POST",
        "path": "/steaks/caf\u00e9",
        "query": "cut=ribeye&cut=t-bone",
        "type": "application/json",
        "auth": "Bearer xyz",
        "body": {"count": 1},
    }
    result = await verifier.verify(
        pact(
            interaction(
                "an echo",
                "/steaks/caf%C3%A9",
                method="POST",
                request_body={"count": 1},
                body={**seen, "path": "/steaks/caf\u00c3\u00a9"},  # PEP 3333: bytes as latin-1
                states=[STEAKS],
                query={"cut": ["ribeye", "t-bone"]},
            )
        )
    )
    assert result.ok, result.report()
    assert result.target == "in-process WSGI app echo"
    assert states == ["steaks 3"]

    counted = await Verifier("Grill Chef", app=Counter).verify(
        pact(interaction("a count", "/", body={"count": 2}, headers={"X-Kind": ["class"]}))
    )
    assert counted.ok, counted.report()
    assert counted.target == "in-process WSGI app Counter"


async def test_a_state_change_url_on_the_flask_app_itself() -> None:
    kitchen = Kitchen()
    app = flask_app(kitchen)

    @app.post("/_pact/state")
    def state() -> Response:
        change = request.get_json()
        kitchen.steaks = change["params"]["count"] if change["action"] == "setup" else 0
        return jsonify({})

    verifier = Verifier("Grill Chef", app=app, state_change_url="/_pact/state")
    result = await verifier.verify(pact(interaction("the steaks", body={"count": 3}, states=[STEAKS])))
    assert result.ok, result.report()
    assert kitchen.steaks == 0  # torn down


# -- told at construction ---------------------------------------------------------------------------


def create_app() -> Flask:
    return flask_app(Kitchen())


async def make_app() -> Flask:
    return flask_app(Kitchen())


class Factory:
    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        return echo(environ, start_response)


class Handler(Factory):
    """As Django's ``WSGIHandler``: its constructor takes ``*args, **kwargs``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401
        pass


def asgi2(scope: dict[str, Any]) -> None:
    return None


async def too_few(scope: dict[str, Any], receive: object) -> None:
    return None


def either(*args: Any) -> Any:  # noqa: ANN401
    return echo(*args)


WRONG_APPS: dict[str, tuple[object, str]] = {
    "a factory": (create_app, "app=create_app is a function taking no arguments: an app factory, not an app: "
                  "pass the app it makes: app=create_app()"),
    "an async factory": (make_app, "app=make_app is an async function taking no arguments: an app factory, not an app: pass the app it makes: app=await make_app()"),
    "a class to instantiate": (Factory, "app=Factory is a class whose constructor takes no arguments: an app "
                               "factory, not an app: pass the app it makes: app=Factory()"),
    "a class taking anything": (Handler, "app=Handler is a class taking any arguments: what makes an app, not an "
                                "app: pass the app it makes: app=Handler()"),
    "an ASGI 2 app": (asgi2, "app=asgi2 is a callable taking one argument: an ASGI 2 app (app(scope))"),
    "an async function with 2 parameters": (too_few, "app=too_few is an async callable taking 2 arguments, where an "
                                            "ASGI app takes (scope, receive, send)"),
    "either": (either, "app=either is a callable that takes 2 or 3 arguments, so either an ASGI or a WSGI app: "
               "say which with interface='asgi' or interface='wsgi'"),
    "not callable": ({"app": 1}, "app={'app': 1} is not callable, so not an app: pass an ASGI app"),
}  # fmt: skip


@pytest.mark.parametrize("case", WRONG_APPS)
def test_what_is_not_an_app_is_refused_at_construction_saying_what_to_pass(case: str) -> None:
    app, message = WRONG_APPS[case]
    with pytest.raises(ValueError) as refused:
        Verifier("Grill Chef", app=app)  # type: ignore[arg-type]
    assert message in str(refused.value)


async def test_interface_says_which_when_the_callable_cannot() -> None:
    result = await Verifier("Grill Chef", app=either, interface="wsgi").verify(
        pact(interaction("an echo", "/x", body={"method": "GET", "path": "/x"}))
    )
    assert result.ok, result.report()
    with pytest.raises(ValueError, match="interface must be 'auto', 'asgi' or 'wsgi', got 'asgi2'"):
        Verifier("Grill Chef", app=either, interface="asgi2")  # type: ignore[arg-type]


# -- threads -------------------------------------------------------------------------------------------


async def test_a_blocking_wsgi_app_blocks_neither_the_loop_nor_the_other_requests() -> None:
    """Both requests wait at a barrier in the app, the first also for the event loop to
    run a task: done in turn, or on the loop's thread, neither would ever pass."""
    barrier = threading.Barrier(2, timeout=20)
    entered = threading.Event()
    released = threading.Event()

    def blocking(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ["PATH_INFO"] == "/first":
            entered.set()
            if not released.wait(timeout=20):
                start_response("500 Blocked", [])
                return [b"the event loop never released the request"]
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            start_response("500 Alone", [])
            return [b"the other request never came"]
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"ok": true}']

    async def release_when_entered() -> None:
        with anyio.fail_after(30):
            while not entered.is_set():
                await anyio.sleep(0.01)
        released.set()

    verifier = Verifier("Grill Chef", app=blocking, concurrency=2, request_timeout=60)
    async with anyio.create_task_group() as group:
        group.start_soon(release_when_entered)
        result = await verifier.verify(
            pact(interaction("first", "/first", body={"ok": True}), interaction("second", "/second", body={"ok": True}))
        )
    assert result.ok, result.report()


async def test_a_wsgi_app_that_does_not_answer_in_time_is_a_timeout() -> None:
    stuck = threading.Event()

    def hangs(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        stuck.wait(timeout=30)
        start_response("200 OK", [])
        return [b""]

    try:
        result = await Verifier("Grill Chef", app=hangs, request_timeout=0.5).verify(
            pact(interaction("slow", "/", body={"ok": True}))
        )
    finally:
        stuck.set()  # the abandoned worker thread ends
    assert not result.ok
    assert "the app did not answer GET / within 0.5 s" in result.report()
