"""The Sous Chef's client for the Grill Chef: the consumer's own code in the built-in example."""

from __future__ import annotations

import httpx


class NotServedError(Exception):
    """The Grill Chef refused the order; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class GrillChefClient:
    """Orders steaks from the Grill Chef over HTTP."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def order(self, cooking: str) -> int:
        """Order a steak; returns the waiting time in minutes."""
        response = await self.client.post("/steaks/", json={"cooking": cooking})
        if response.status_code == 422:
            raise NotServedError(response.json()["reason"])
        response.raise_for_status()
        return int(response.json()["waitingTime"])
