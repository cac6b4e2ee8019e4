"""The Kitchen proves that it honours the Waiter's pact (the provider side).

First in-process: apact calls the Flask app (a WSGI app) in worker threads, no server, no
port, with provider states as Python functions. Then as a real server checked by
pact-python's official verifier (the Pact core in Rust): the same state functions behind
a state-change endpoint that only this test adds to the app.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, Response, jsonify, request
from werkzeug.serving import make_server

from apact import Verifier
from flask_kitchen.kitchen.app import Larder, create_app

PACTS = Path(__file__).resolve().parents[1] / "pacts"  # what the Waiter's tests wrote


def states(larder: Larder) -> dict[str, Callable[[dict[str, Any]], None]]:
    """Each provider state, set up in the larder (torn down by clearing it)."""

    def has_dishes(params: dict[str, Any]) -> None:
        larder.add_dish(1, "ribeye", 32.5, portions=3)
        larder.add_dish(2, "sea bass", 27.0, portions=2)

    def sold_out(params: dict[str, Any]) -> None:
        larder.add_dish(params["dish"], "ribeye", 32.5, portions=0)

    def an_order(params: dict[str, Any]) -> None:
        larder.add_dish(1, "ribeye", 32.5, portions=1)
        larder.place(1, table=7, order_id=params["id"])

    return {"the kitchen has dishes": has_dishes, "dish 1 is sold out": sold_out, "an order exists": an_order}


@pytest.mark.anyio
async def test_the_kitchen_honours_its_pact_in_process() -> None:
    larder = Larder()
    verifier = Verifier("Kitchen", app=create_app(larder))
    for name, set_up in states(larder).items():

        def handler(params: dict[str, Any], set_up: Callable[[dict[str, Any]], None] = set_up) -> Iterator[None]:
            set_up(params)
            yield
            larder.clear()

        verifier.state(name)(handler)
    result = await verifier.verify(PACTS)
    print(result.report())
    result.assert_ok()


def with_state_endpoint(app: Flask, larder: Larder) -> Flask:
    """``POST /_pact/state``, as the official verifiers call it: test code, not the Kitchen's."""
    set_ups = states(larder)

    def change_state() -> Response:
        change = request.get_json()
        larder.clear()
        if change.get("action", "setup") == "setup" and change.get("state"):  # ("": no state)
            set_ups[change["state"]](change.get("params") or {})
        return jsonify({})

    app.add_url_rule("/_pact/state", view_func=change_state, methods=["POST"])
    return app


@contextmanager
def served(app: Flask) -> Iterator[str]:
    """The app served over HTTP by werkzeug on a free loopback port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="kitchen server")
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def test_the_official_pact_verifier_agrees() -> None:
    pact = pytest.importorskip("pact", reason="pact-python (the official verifier) is not installed")
    larder = Larder()
    with served(with_state_endpoint(create_app(larder), larder)) as url:
        verifier = (
            pact.Verifier("Kitchen", host="127.0.0.1")
            .add_transport(url=url)
            .add_source(str(PACTS / "Waiter-Kitchen.json"))
            .state_handler(f"{url}/_pact/state", teardown=True, body=True)
        )
        verifier.verify()  # raises if any interaction fails
    results = verifier.results
    assert len(results["interactionResults"]) == 5
    assert all(item["result"] == "OK" for item in results["interactionResults"]), results
