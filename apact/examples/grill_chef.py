"""The Grill Chef, the provider of the built-in example: a Starlette app that cooks steaks.

``POST /steaks/`` with ``{"cooking": "medium-rare"}`` answers 201 ``{"waitingTime": 10}``;
a well-done steak is refused with 422 ``{"reason": "we do not serve well-done steaks"}``;
when the kitchen has no steaks the answer is 503. How many steaks the kitchen has is the
provider state "steaks are available" (``Kitchen.steaks``). ``python -m apact demo`` uses
it, and so does ``examples/grill_chef`` in the repository (adding a state-change endpoint).
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
        """Order a steak. What follows the line is the operation's OpenAPI description,
        which Starlette's ``SchemaGenerator`` reads (see docs/openapi.md).
        ---
        summary: order a steak
        requestBody:
          required: true
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Order"}
        responses:
          "201":
            description: the steak is cooking
            content:
              application/json:
                schema:
                  type: object
                  required: [waitingTime]
                  properties:
                    waitingTime: {type: integer, minimum: 0, description: minutes}
          "422":
            description: a steak the chef does not cook (well-done)
            content:
              application/json:
                schema: {$ref: "#/components/schemas/Refusal"}
          "503":
            description: no steaks left
            content:
              application/json:
                schema: {$ref: "#/components/schemas/Refusal"}
        """
        order = await request.json()
        if order.get("cooking") == "well-done":
            return JSONResponse({"reason": "we do not serve well-done steaks"}, status_code=422)
        if kitchen.steaks <= 0:
            return JSONResponse({"reason": "no steaks left"}, status_code=503)
        return JSONResponse({"waitingTime": waiting_time}, status_code=201)

    return Starlette(routes=[Route("/steaks/", order_steak, methods=["POST"])])


#: the components the operations' descriptions refer to: with them, Starlette's
#: ``SchemaGenerator({"openapi": "3.0.3", "info": ..., "components": COMPONENTS})``
#: makes the Grill Chef's OpenAPI document from its routes
COMPONENTS: dict[str, object] = {
    "schemas": {
        "Order": {
            "type": "object",
            "required": ["cooking"],
            "properties": {"cooking": {"type": "string", "enum": ["rare", "medium-rare", "medium", "well-done"]}},
        },
        "Refusal": {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}},
    }
}
