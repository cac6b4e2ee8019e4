"""The Grill Chef's HTTP API (FastAPI).

* ``GET /menu``: ``{"cuts": [{"name": "ribeye", "inStock": 3}, ...]}``;
* ``POST /orders`` ``{"table": 7, "cut": "ribeye", "cooking": "medium-rare"}``: 201 with
  the order (``id``, ``table``, ``cut``, ``cooking``, ``status``, ``waitingTime``) and a
  ``Location``; 422 ``{"reason": "we do not serve well-done steaks"}``; 409
  ``{"reason": "no ribeye left"}``;
* ``GET /orders/{id}``: the order, or 404 ``{"reason": "no order 42"}``.

``create_app(database)`` builds the app; its lifespan creates the tables. ``app`` (at the
bottom) is the one a server runs, on the file named by ``GRILL_CHEF_DB``.

The models below (``Order``, ``Menu``, ``Refusal``) and each route's ``responses`` are
there for the OpenAPI document FastAPI serves at ``/openapi.json``: it says every answer
the service gives, so consumers' pacts can be checked against it
(``apact openapi-check``, see ``docs/openapi.md``).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from . import db
from .db import Database, OutOfStockError

COOKING_MINUTES = {"rare": 8, "medium-rare": 10, "medium": 12}


class OrderRequest(BaseModel):
    table: int
    cut: str
    cooking: Literal["rare", "medium-rare", "medium", "well-done"]


class Order(BaseModel):
    id: int
    table: int
    cut: str
    cooking: Literal["rare", "medium-rare", "medium"]
    status: Literal["cooking", "ready"]
    waitingTime: int  # its name in the JSON


class Cut(BaseModel):
    name: str
    inStock: int  # its name in the JSON


class Menu(BaseModel):
    cuts: list[Cut]


class Refusal(BaseModel):
    """Why an order was not taken, or what was not found."""

    reason: str


class Invalid(BaseModel):
    """FastAPI's answer to a request it cannot read."""

    detail: list[dict[str, object]]


_LOCATION = {"Location": {"description": "where the new order is", "schema": {"type": "string"}}}


def _order(order: db.Order) -> dict[str, object]:
    return {
        "id": order.id,
        "table": order.table,
        "cut": order.cut,
        "cooking": order.cooking,
        "status": order.status,
        "waitingTime": COOKING_MINUTES[order.cooking],
    }


def create_app(database: Database) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await database.create()
        yield

    app = FastAPI(title="Grill Chef", lifespan=lifespan)

    @app.get("/menu", response_model=Menu)
    async def menu() -> dict[str, list[dict[str, object]]]:
        return {"cuts": [{"name": cut, "inStock": count} for cut, count in (await database.stock()).items()]}

    @app.post(
        "/orders",
        status_code=201,
        response_model=None,
        responses={
            201: {"model": Order, "description": "the order, cooking", "headers": _LOCATION},
            409: {"model": Refusal, "description": "the cut is sold out"},
            422: {
                "model": Refusal | Invalid,
                "description": "a well-done steak (refused), or an order that cannot be read",
            },
        },
    )
    async def place_order(order: OrderRequest) -> JSONResponse:
        if order.cooking == "well-done":
            return JSONResponse({"reason": "we do not serve well-done steaks"}, status_code=422)
        try:
            placed = await database.place_order(order.table, order.cut, order.cooking)
        except OutOfStockError:
            return JSONResponse({"reason": f"no {order.cut} left"}, status_code=409)
        return JSONResponse(_order(placed), status_code=201, headers={"Location": f"/orders/{placed.id}"})

    @app.get(
        "/orders/{order_id}",
        response_model=None,
        responses={
            200: {"model": Order, "description": "the order"},
            404: {"model": Refusal, "description": "no such order"},
        },
    )
    async def get_order(order_id: int) -> JSONResponse:
        order = await database.order(order_id)
        if order is None:
            return JSONResponse({"reason": f"no order {order_id}"}, status_code=404)
        return JSONResponse(_order(order))

    return app


def app_from_environment() -> FastAPI:
    """The app a server runs: ``hypercorn 'restaurant.grill_chef.service:app_from_environment()'``."""
    return create_app(Database(os.environ.get("GRILL_CHEF_DB", "grill-chef.sqlite3")))
