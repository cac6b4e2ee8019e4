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

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from apact.examples.grill_chef import Kitchen, make_app

#: the app's state; the app itself is apact's built-in Grill Chef (``apact demo`` runs it)
kitchen = Kitchen()


async def change_state(request: Request) -> JSONResponse:
    """``{"state": ..., "params": {...}, "action": "setup" | "teardown"}``, as Pact
    verifiers post it."""
    change = await request.json()
    if change.get("state") == "steaks are available":
        kitchen.steaks = int(change.get("params", {}).get("count", 3)) if change.get("action") == "setup" else 0
    return JSONResponse({})


app = make_app(kitchen)
if os.environ.get("GRILL_CHEF_PROVIDER_STATES") == "1":  # never in production
    app.router.routes.append(Route("/_pact/state", change_state, methods=["POST"]))
