"""A provider for the verifier's tests, served by hypercorn in a subprocess.

It is the Grill Chef (``POST /steaks/``) plus what the tests need: a state-change
endpoint, pacts served behind basic and bearer auth, its PID, and a way to crash.
``BROKEN=1`` in the environment makes it answer the steak orders wrongly.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

PACT = Path(__file__).resolve().parents[2] / "apact" / "examples" / "sous-chef-grill-chef.json"
BROKEN = os.environ.get("BROKEN") == "1"
if os.environ.get("PID_FILE"):  # tests check that the process is gone afterwards
    Path(os.environ["PID_FILE"]).write_text(str(os.getpid()))
STATES: list[dict[str, object]] = []


async def order_steak(request: Request) -> JSONResponse:
    order = await request.json()
    if BROKEN:
        return JSONResponse({"waitingTime": "ten"}, status_code=201)
    if order.get("cooking") == "well-done":
        return JSONResponse({"reason": "we do not serve well-done steaks"}, status_code=422)
    return JSONResponse({"waitingTime": 10}, status_code=201)


async def state_change(request: Request) -> JSONResponse:
    change = await request.json()
    STATES.append(change)
    if change.get("state") == "a broken state":
        return JSONResponse({"error": "cannot"}, status_code=500)
    return JSONResponse({"steakId": 42} if change.get("action") == "setup" else {})


async def states(request: Request) -> JSONResponse:
    return JSONResponse(STATES)


async def pact_basic(request: Request) -> Response:
    if request.headers.get("authorization") != "Basic dXNlcjpzZWNyZXQ=":  # user:secret
        return JSONResponse({"error": "unauthorised"}, status_code=401)
    return Response(PACT.read_bytes(), media_type="application/json")


async def pact_token(request: Request) -> Response:
    if request.headers.get("authorization") != "Bearer t0ken":
        return JSONResponse({"error": "unauthorised"}, status_code=401)
    return Response(PACT.read_bytes(), media_type="application/json")


async def pid(request: Request) -> JSONResponse:
    return JSONResponse({"pid": os.getpid()})


async def crash(request: Request) -> Response:
    print("the grill is on fire", flush=True)
    print("crashing now", file=sys.stderr, flush=True)
    os._exit(3)


async def slow(request: Request) -> Response:
    await anyio.sleep(1)  # longer than the tests' timeout, short enough not to hold up shutdown
    return JSONResponse({})


async def health(request: Request) -> Response:
    return Response(json.dumps({"ok": True}), media_type="application/json")


app = Starlette(
    routes=[
        Route("/steaks/", order_steak, methods=["POST"]),
        Route("/_pact/state", state_change, methods=["POST"]),
        Route("/_pact/states", states),
        Route("/pacts/basic", pact_basic),
        Route("/pacts/token", pact_token),
        Route("/pid", pid),
        Route("/crash", crash, methods=["POST"]),
        Route("/slow", slow),
        Route("/health", health),
    ]
)
