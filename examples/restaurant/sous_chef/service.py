"""The Sous Chef's own API (FastAPI): a waiter posts a table's order, the Sous Chef gets the
steak from the Grill Chef and says when it will be ready.

``POST /tables/{table}/steaks`` ``{"cut": "ribeye", "cooking": "rare"}`` answers 202
``{"orderId": 1, "readyInMinutes": 8}``, or 409 ``{"reason": ...}`` when the Grill Chef
refuses.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from .grill_chef import GrillChef, NotServedError


class SteakRequest(BaseModel):
    cut: str
    cooking: str


def create_app(grill_chef_url: str, transport: httpx.AsyncBaseTransport | None = None) -> FastAPI:
    """The Sous Chef, talking to the Grill Chef at ``grill_chef_url`` (through ``transport`` if given)."""
    clients: list[GrillChef] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with httpx.AsyncClient(base_url=grill_chef_url, transport=transport, timeout=5) as client:
            clients.append(GrillChef(client))
            yield

    app = FastAPI(title="Sous Chef", lifespan=lifespan)

    @app.post("/tables/{table}/steaks", status_code=202, response_model=None)
    async def order_steak(table: int, steak: SteakRequest) -> JSONResponse:
        try:
            ordered = await clients[0].order(table, steak.cut, steak.cooking)
        except NotServedError as refused:
            return JSONResponse({"reason": refused.reason}, status_code=409)
        return JSONResponse({"orderId": ordered.id, "readyInMinutes": ordered.minutes}, status_code=202)

    return app


def app_from_environment() -> FastAPI:
    return create_app(os.environ.get("GRILL_CHEF_URL", "http://127.0.0.1:8000"))
