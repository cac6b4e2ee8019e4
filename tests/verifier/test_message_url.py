"""Verifying messages fetched from the provider's message endpoint (``message_url=``,
``apact verify --message-url``), as the official verifiers do: a provider that already
serves that endpoint is verified without writing producers in Python."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from apact import Message, pactfile
from apact.verifier import Verifier

from .message_helpers import message, pact, part, sync_message

pytestmark = pytest.mark.anyio

PACT = pact(
    message(
        "an order created event",
        {"orderId": 1, "total": 9.5},
        {"topic": "orders"},
        states=[{"name": "an order exists", "params": {"id": 1}}],
    ),
    sync_message("a price lookup", part({"sku": "A-1"}), part({"sku": "A-1", "price": 3})),
)


def provider_app(*, renamed: bool = False) -> Starlette:
    """A provider serving its messages the official way (here with apact's own endpoint)."""
    producers = Verifier("Orders")
    seen_states: list[dict[str, Any]] = []

    @producers.state("an order exists")
    def order_exists(params: dict[str, Any]) -> None:
        seen_states.append(params)

    @producers.message("an order created event")
    def order_created(values: dict[str, Any]) -> Message:
        key = "order_id" if renamed else "orderId"
        return Message({key: values["id"], "total": 9.5}, {"topic": "orders"})

    @producers.message("a price lookup")
    def price(request: Message) -> dict[str, Any]:
        return {"sku": request.contents["sku"], "price": 3}  # type: ignore[index]

    app = Starlette(routes=[Mount("/_pact", app=producers.message_app())])
    app.state.seen_states = seen_states
    return app


async def test_messages_fetched_from_the_endpoint_pass() -> None:
    app = provider_app()
    verifier = Verifier(
        "Orders", app=app, lifespan=False, message_url="/_pact/message", state_change_url="/_pact/state"
    )
    result = await verifier.verify(PACT)
    result.assert_ok()
    assert [r.status for r in result.interactions] == ["passed", "passed"]
    assert app.state.seen_states == [{"id": 1}]


async def test_a_renamed_field_fails_with_a_readable_mismatch() -> None:
    verifier = Verifier(
        "Orders",
        app=provider_app(renamed=True),
        lifespan=False,
        message_url="/_pact/message",
        state_change_url="/_pact/state",
    )
    result = await verifier.verify(PACT)
    assert [r.status for r in result.interactions] == ["failed", "passed"]
    assert '$.contents.orderId: expected key "orderId" (like 1), but it is missing' in result.report()


async def test_a_producer_in_python_wins_over_the_endpoint() -> None:
    verifier = Verifier(
        "Orders",
        app=provider_app(renamed=True),
        lifespan=False,
        message_url="/_pact/message",
        state_change_url="/_pact/state",
    )
    verifier.message("an order created event")(lambda: Message({"orderId": 1, "total": 9.5}, {"topic": "orders"}))
    result = await verifier.verify(PACT)
    result.assert_ok()


async def test_an_endpoint_error_is_reported_with_what_it_answered() -> None:
    verifier = Verifier(
        "Orders", app=Starlette(), lifespan=False, message_url="/_pact/message", ignore_missing_states=True
    )
    result = await verifier.verify(PACT)
    assert [r.status for r in result.interactions] == ["failed", "failed"]
    assert "the message endpoint /_pact/message answered 404: Not Found" in result.report()


def test_apact_verify_takes_the_message_endpoint(tmp_path: Path) -> None:
    (tmp_path / "provider_app.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parents[2])!r})\n"
        "from tests.verifier.test_message_url import provider_app\n"
        "app = provider_app()\n"
    )
    pact_file = pactfile.save(PACT, tmp_path / "Shipping-Orders.json")
    command = [sys.executable, "-m", "apact", "verify", "--app", "provider_app:app", "--app-dir", str(tmp_path)]
    options = ["--message-url", "/_pact/message", "--state-change-url", "/_pact/state", str(pact_file)]
    result = subprocess.run([*command, *options], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 interactions: 2 passed" in result.stdout
    without = subprocess.run(
        [*command, "--state-change-url", "/_pact/state", str(pact_file)], capture_output=True, text=True, timeout=60
    )
    assert without.returncode == 1
    assert "give --message-url URL (the provider's message endpoint)" in without.stdout  # in the command line's words
    assert "@verifier" not in without.stdout
