"""The Grill Chef provider: a Starlette app that cooks steaks.

``POST /steaks/`` with ``{"cooking": "medium-rare"}`` answers 201
``{"waitingTime": 10}``; a well-done steak is refused with 422
``{"reason": "we do not serve well-done steaks"}``; when the kitchen has no steaks
the answer is 503. How many steaks the kitchen has is what the provider state
"steaks are available" sets up: in-process with a state handler, or, for a server
started in another process, through the test-only state-change endpoint
``POST /_pact/state`` that ``GRILL_CHEF_PROVIDER_STATES=1`` turns on.
"""

from __future__ import annotations

import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


class Kitchen:
    """The app's state: how many steaks are in the fridge."""

    def __init__(self) -> None:
        self.steaks = 0


kitchen = Kitchen()


async def order_steak(request: Request) -> JSONResponse:
    order = await request.json()
    if order.get("cooking") == "well-done":
        return JSONResponse({"reason": "we do not serve well-done steaks"}, status_code=422)
    if kitchen.steaks <= 0:
        return JSONResponse({"reason": "no steaks left"}, status_code=503)
    return JSONResponse({"waitingTime": 10}, status_code=201)


async def change_state(request: Request) -> JSONResponse:
    """``{"state": ..., "params": {...}, "action": "setup" | "teardown"}``, as Pact
    verifiers post it."""
    change = await request.json()
    if change.get("state") == "steaks are available":
        kitchen.steaks = int(change.get("params", {}).get("count", 3)) if change.get("action") == "setup" else 0
    return JSONResponse({})


routes = [Route("/steaks/", order_steak, methods=["POST"])]
if os.environ.get("GRILL_CHEF_PROVIDER_STATES") == "1":  # never in production
    routes.append(Route("/_pact/state", change_state, methods=["POST"]))

app = Starlette(routes=routes)
