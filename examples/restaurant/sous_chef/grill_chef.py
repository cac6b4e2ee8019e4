"""The Sous Chef's client for the Grill Chef's API (httpx): the code its pact tests exercise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class Steak:
    """An order the Grill Chef accepted."""

    id: int
    table: int
    cut: str
    cooking: str
    status: str
    minutes: int


class NotServedError(Exception):
    """The Grill Chef refused the order (well-done, none left); ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class GrillChef:
    """The Grill Chef as the Sous Chef sees it. ``client`` has the service's base URL."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def cuts_in_stock(self) -> dict[str, int]:
        response = await self.client.get("/menu")
        response.raise_for_status()
        return {cut["name"]: cut["inStock"] for cut in response.json()["cuts"]}

    async def order(self, table: int, cut: str, cooking: str) -> Steak:
        response = await self.client.post("/orders", json={"table": table, "cut": cut, "cooking": cooking})
        if response.status_code in (409, 422):
            raise NotServedError(response.json()["reason"])
        response.raise_for_status()
        return _steak(response.json())

    async def steak(self, order_id: int) -> Steak:
        response = await self.client.get(f"/orders/{order_id}")
        response.raise_for_status()
        return _steak(response.json())


def _steak(body: dict[str, Any]) -> Steak:
    return Steak(
        id=int(body["id"]),
        table=int(body["table"]),
        cut=str(body["cut"]),
        cooking=str(body["cooking"]),
        status=str(body["status"]),
        minutes=int(body["waitingTime"]),
    )
