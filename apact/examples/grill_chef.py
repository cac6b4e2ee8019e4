"""The Grill Chef, the provider of the built-in example: a Starlette app that cooks steaks.

``POST /steaks/`` with ``{"cooking": "medium-rare"}`` answers 201 ``{"waitingTime": 10}``;
a well-done steak is refused with 422 ``{"reason": "we do not serve well-done steaks"}``;
when the kitchen has no steaks the answer is 503. How many steaks the kitchen has is the
provider state "steaks are available" (``Kitchen.steaks``). ``python -m apact demo`` uses
it; ``examples/`` in the repository has the same pair as services with a database.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


@dataclass
class Kitchen:
    """The app's state: how many steaks are in the fridge."""

    steaks: int = 0


def make_app(kitchen: Kitchen, *, waiting_time: object = 10) -> Starlette:
    """The Grill Chef serving from ``kitchen``.

    ``waiting_time`` is what a cooked order answers as its ``waitingTime``: the demo's
    ``--broken-provider`` makes it ``"ten minutes"``, a change the Sous Chef's pact
    catches.
    """

    async def order_steak(request: Request) -> JSONResponse:
        order = await request.json()
        if order.get("cooking") == "well-done":
            return JSONResponse({"reason": "we do not serve well-done steaks"}, status_code=422)
        if kitchen.steaks <= 0:
            return JSONResponse({"reason": "no steaks left"}, status_code=503)
        return JSONResponse({"waitingTime": waiting_time}, status_code=201)

    return Starlette(routes=[Route("/steaks/", order_steak, methods=["POST"])])
