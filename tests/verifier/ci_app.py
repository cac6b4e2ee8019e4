"""A provider served by uvicorn in a subprocess, for the tests of what a CI job meets:
signals, a crash, an unhandled exception, a slow stop.

It tells the tests where it is through files in ``$MARKERS`` (no sleeps: the tests
poll for them): ``pid`` once started, ``slow`` when the slow request has begun,
``stopping`` when uvicorn runs its shutdown (after SIGTERM). ``SLOW_STOP=1`` makes the
shutdown last until the test writes ``go`` (a minute at most), so a test can act while
apact waits for the server to stop, however long the machine takes to let it.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

MARKERS = Path(os.environ.get("MARKERS", "."))
STATES: list[dict[str, object]] = []


def mark(name: str, text: str = "") -> None:
    (MARKERS / name).write_text(text)


async def orders(request: Request) -> JSONResponse:
    return JSONResponse({"id": 1})


async def boom(request: Request) -> Response:
    print("about to fail", flush=True)
    raise RuntimeError("the kitchen is on fire")


async def slow(request: Request) -> Response:
    mark("slow")
    await anyio.sleep(60)
    return JSONResponse({})


async def state(request: Request) -> JSONResponse:
    STATES.append(await request.json())
    return JSONResponse({})


async def health(request: Request) -> Response:
    return Response("ok")


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    mark("pid", str(os.getpid()))
    yield
    mark("stopping")
    if os.environ.get("SLOW_STOP") == "1":
        with anyio.move_on_after(60):
            while not (MARKERS / "go").exists():
                await anyio.sleep(0.01)  # polling the marker, not synchronisation


app = Starlette(
    routes=[
        Route("/orders", orders, methods=["POST"]),
        Route("/boom", boom),
        Route("/slow", slow),
        Route("/_pact/state", state, methods=["POST"]),
        Route("/health", health),
    ],
    lifespan=lifespan,
)
