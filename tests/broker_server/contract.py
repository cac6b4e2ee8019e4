"""The official Pact Broker client's consumer contract with the broker, and how to replay it.

The contract (``Pact Broker Client V2-Pact Broker.json``, MIT, from the Pact Broker
client project) lives outside the repository: ``$APACT_BROKER_CONTRACT`` or
``../shared/broker-contracts/`` next to the checkout. Tests skip when it is absent.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from apact._core._types import Receive, Scope, Send
from apact.broker_server import create_app
from apact.broker_server._store import Store

from ._empty import empty
from .states import STATES

NAME = "Pact Broker Client V2-Pact Broker.json"
REPOSITORY = Path(__file__).resolve().parents[2]
# the contract's responses hold literal links like http://example.org/pacticipants/Condor
BASE_URL = "http://example.org"

# interactions the broker deliberately does not pass, with the reason (docs/broker.md)
EXCLUDED: dict[str, str] = {}


def contract_path() -> Path | None:
    configured = os.environ.get("APACT_BROKER_CONTRACT")
    candidates = [Path(configured)] if configured else [REPOSITORY.parent / "shared" / "broker-contracts" / NAME]
    return next((path for path in candidates if path.is_file()), None)


def require_contract() -> Path:
    """The contract's path; skips the test when it is absent."""
    path = contract_path()
    if path is None:
        configured = os.environ.get("APACT_BROKER_CONTRACT")
        where = f"APACT_BROKER_CONTRACT={configured} is not a file" if configured else "set APACT_BROKER_CONTRACT"
        pytest.skip(
            f"the Pact Broker client contract '{NAME}' was not found ({where}; it is not part of the repository)"
        )
    return path


def load_contract() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(require_contract().read_text())
    return document


def interaction_id(index: int, description: str, state: str | None) -> str:
    """A test id: ``3: a request for ... [the state]``."""
    return f"{index}: {description}" + (f" [{state}]" if state else "")


class StatefulBroker:
    """The broker app plus a test-only state-change endpoint, ``POST /_pact/state``.

    Setup seeds the named state, teardown empties the store (on SQLite or PostgreSQL).
    It never fails (verifiers retry failed state changes for minutes): an unknown
    state, or a seeding function that raises, is recorded in ``problems`` for the test
    to report.
    """

    def __init__(self, store: Store, **options: Any) -> None:
        self.options = options
        self.problems: list[str] = []
        self.store = store
        self.broker = create_app(self.store, base_url=BASE_URL, **options)
        self.app = Starlette(
            routes=[Route("/_pact/state", self.state_change, methods=["POST"]), Mount("/", self.forward)]
        )

    async def forward(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.broker(scope, receive, send)

    def reset(self) -> None:
        """An empty broker, its ids counting from 1 again (as in a new database)."""
        empty(self.store)
        self.broker = create_app(self.store, base_url=BASE_URL, **self.options)

    def seed(self, state: str) -> None:
        if state not in STATES:
            self.problems.append(f"no handler for the provider state {state!r} in states.py")
            return
        try:
            with self.store.transaction() as tx:
                STATES[state](tx)
        except Exception as error:  # reported by the test, not to the verifier
            self.problems.append(f"seeding {state!r} failed: {error!r}")

    async def state_change(self, request: Request) -> Response:
        try:
            body = await request.json() if (await request.body()) else dict(request.query_params)
        except ValueError as error:
            self.problems.append(f"unreadable state change: {error}")
            return JSONResponse({})
        if body.get("action", "setup") == "teardown" or not body.get("state"):
            self.reset()
        else:
            self.seed(body["state"])
        return JSONResponse({})
