"""The Waiter's client for the Kitchen, with ``requests`` (what the contract is about)."""

from __future__ import annotations

from dataclasses import dataclass

import requests


class NotOnTheMenuError(Exception):
    """The Kitchen does not know the dish."""


class SoldOutError(Exception):
    """The Kitchen has no portion of the dish left."""


@dataclass(frozen=True)
class Dish:
    id: int
    name: str
    price: float
    available: bool


@dataclass(frozen=True)
class Order:
    id: int
    dish: int
    table: int
    status: str


class KitchenClient:
    def __init__(self, base_url: str, session: requests.Session | None = None, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = session or requests.Session()
        self.timeout = timeout

    def menu(self) -> list[Dish]:
        response = self.session.get(f"{self.base_url}/menu", timeout=self.timeout)
        response.raise_for_status()
        return [Dish(**dish) for dish in response.json()["dishes"]]

    def order(self, dish: int, table: int) -> Order:
        response = self.session.post(
            f"{self.base_url}/orders", json={"dish": dish, "table": table}, timeout=self.timeout
        )
        if response.status_code == 404:
            raise NotOnTheMenuError(response.json()["error"])
        if response.status_code == 409:
            raise SoldOutError(response.json()["error"])
        response.raise_for_status()
        return Order(**response.json())

    def order_status(self, order_id: int) -> str:
        response = self.session.get(f"{self.base_url}/orders/{order_id}", timeout=self.timeout)
        response.raise_for_status()
        return str(response.json()["status"])
