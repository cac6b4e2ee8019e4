"""The Grill Chef provider: a Starlette app that cooks steaks.

``POST /steaks/`` with ``{"cooking": "medium-rare"}`` answers 201
``{"waitingTime": 10}``; a well-done steak is refused with 422
``{"reason": "we do not serve well-done steaks"}``; when the kitchen has no steaks left
the answer is 503. The kitchen's stock is what the provider state
"steaks are available" sets up.
"""

from __future__ import annotations

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


app = Starlette(routes=[Route("/steaks/", order_steak, methods=["POST"])])
