"""The kitchen that the interoperability tests verify with apact and with pact-python.

``make_app(broken=True)`` answers some requests wrongly (the same ones every time), so
both verifiers must fail exactly those interactions. Provider states arrive at the
state-change URL ``/_pact/state`` (pact-python also posts state ``""`` for
interactions without one).
"""

from __future__ import annotations

import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


def make_app(*, broken: bool = False) -> Starlette:
    steaks: dict[int, str] = {}

    async def order(request: Request) -> JSONResponse:
        body = await request.json()
        if body.get("cooking") == "well-done":
            return JSONResponse({"reason": "we do not serve well-done steaks"}, status_code=422)
        return JSONResponse({"waitingTime": "ten" if broken else 12, "id": 1}, status_code=201)

    async def steak(request: Request) -> Response:
        steak_id = int(request.path_params["id"])
        if steak_id not in steaks:
            return JSONResponse({"reason": "no such steak"}, status_code=200 if broken else 404)
        sides = [{"name": "fries", "price": "2.50" if broken else 3.5}, {"name": "salad", "price": 4.0}]
        return JSONResponse({"id": steak_id, "cooking": steaks[steak_id], "sides": sides})

    async def menu(request: Request) -> JSONResponse:
        day = request.query_params.get("day", "")
        return JSONResponse({"day": day, "items": ["steak", "chips", "salad"]})

    async def state(request: Request) -> JSONResponse:
        change = await request.json()
        params = change.get("params") or {}
        if change.get("state") == "a steak exists":
            if change.get("action") == "setup":
                steaks[int(params["id"])] = "rare"
                return JSONResponse({"id": int(params["id"])})
            steaks.pop(int(params["id"]), None)
        return JSONResponse({})

    return Starlette(
        routes=[
            Route("/steaks/", order, methods=["POST"]),
            Route("/steaks/{id:int}", steak),
            Route("/menu", menu),
            Route("/_pact/state", state, methods=["POST"]),
            Route("/health", lambda request: JSONResponse({"ok": True})),
        ]
    )


app = make_app(broken=os.environ.get("BROKEN") == "1")
