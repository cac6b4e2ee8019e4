"""Messages the V4 specification allows to be empty (issue 16): a synchronous message
with no response message, and message interactions without contents."""

from __future__ import annotations

from typing import Any

import pytest

from apact.verifier import Verifier

from . import message_helpers as m

pytestmark = pytest.mark.anyio

FIRE_AND_FORGET = {"type": "Synchronous/Messages", "description": "fire and forget", "request": m.part({"id": 1})}
PING = {"type": "Asynchronous/Messages", "description": "a ping"}


@pytest.mark.parametrize("made", [None, []], ids=["None", "empty list"])
async def test_a_sync_message_without_response_passes_when_none_is_made(made: Any) -> None:  # noqa: ANN401
    verifier = Verifier("Orders")
    requests: list[Any] = []

    @verifier.message("fire and forget")
    def produce(request: Any) -> Any:  # noqa: ANN401
        requests.append(request.contents)
        return made

    (await verifier.verify(m.pact(FIRE_AND_FORGET))).assert_ok()
    assert requests == [{"id": 1}]


async def test_a_sync_message_without_response_fails_when_one_is_made() -> None:
    verifier = Verifier("Orders")
    verifier.message("fire and forget")(lambda request: {"id": 2})
    result = await verifier.verify(m.pact(FIRE_AND_FORGET))
    assert "$.response: expected 0 response messages, got 1" in result.report()


async def test_a_message_without_contents() -> None:
    verifier = Verifier("Orders")
    verifier.message("a ping")(lambda: None)
    (await verifier.verify(m.pact(PING))).assert_ok()


async def test_a_message_with_contents_still_needs_them() -> None:
    verifier = Verifier("Orders")
    verifier.message("an order")(lambda: None)
    result = await verifier.verify(m.pact(m.message("an order", {"id": 1})))
    assert 'producer: what the producer for message "an order" returned is None' in result.report()
