"""Helpers for the broker client's tests: a client of an in-process broker, and a
transport that records requests or edits the broker's answers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from apact import Verifier
from apact._core._types import ASGIApp
from apact.broker import BrokerClient
from apact.examples.grill_chef import Kitchen, make_app


def client_of(app: ASGIApp | httpx.AsyncBaseTransport, **options: Any) -> BrokerClient:
    """A client of ``app`` in-process at ``http://broker``, no retries, no environment variables."""
    transport = app if isinstance(app, httpx.AsyncBaseTransport) else httpx.ASGITransport(app=app)
    options.setdefault("retry_delays", ())
    options.setdefault("env", {})
    return BrokerClient(options.pop("base_url", "http://broker"), transport=transport, **options)


def through(
    app: ASGIApp,
    seen: list[str] | None = None,
    *,
    index: Callable[[dict[str, Any]], None] | None = None,
) -> httpx.MockTransport:
    """``app`` in-process, recording ``METHOD path`` of every request in ``seen`` and
    letting ``index`` edit the index's JSON (to play an older broker)."""
    inner = httpx.ASGITransport(app=app)

    async def handle(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(f"{request.method} {request.url.raw_path.decode().split('?')[0]}")
        response = await inner.handle_async_request(request)
        if index is not None and request.method == "GET" and request.url.path == "/":
            body = json.loads(await response.aread())
            index(body)
            return httpx.Response(response.status_code, json=body, headers={"Content-Type": "application/hal+json"})
        return response

    return httpx.MockTransport(handle)


def grill_chef_verifier(waiting_time: object = 10) -> Verifier:
    """The example Grill Chef, in-process; ``waiting_time="ten minutes"`` breaks the pact."""
    kitchen = Kitchen()
    verifier = Verifier("Grill Chef", app=make_app(kitchen, waiting_time=waiting_time))

    @verifier.state("steaks are available")
    def steaks_available(params: dict[str, Any]) -> Any:
        kitchen.steaks = int(params.get("count", 3))
        yield
        kitchen.steaks = 0

    return verifier
