"""WSGI apps for ``apact verify --app`` (imported by the subprocess, from this directory)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, jsonify, request


def create_app() -> Flask:
    """A Flask app factory; its state endpoint sets the stock of steaks."""
    app = Flask("kitchen")
    stock = {"steaks": 0}

    @app.get("/steaks/")
    def steaks() -> Response:
        return jsonify({"count": stock["steaks"]})

    @app.post("/_pact/state")
    def state() -> Response:
        change = request.get_json()
        stock["steaks"] = change["params"].get("count", 0) if change["action"] == "setup" else 0
        return jsonify({})

    return app


async def async_factory() -> Flask:
    return create_app()


def broken_factory() -> Flask:
    raise RuntimeError("no configuration for the kitchen")


def application(environ: dict[str, Any], start_response: Callable[..., object]) -> Iterable[bytes]:
    """A bare PEP 3333 function."""
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps({"count": 0, "path": environ["PATH_INFO"]}).encode()]


def either(*args: Any) -> Iterable[bytes]:  # noqa: ANN401
    """A WSGI app that its signature cannot tell from an ASGI one."""
    return application(*args)


def menu() -> dict[str, int]:
    """A function taking no arguments that makes no app."""
    return {"ribeye": 3}


MENU = menu()


def stuck(environ: dict[str, Any], start_response: Callable[..., object]) -> Iterable[bytes]:
    """A WSGI app that never answers (a deadlock)."""
    threading.Event().wait()
    raise AssertionError("unreachable")
