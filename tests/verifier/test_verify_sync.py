"""``Verifier.verify_sync``: the blocking entry point for sync tests (issue 19, item 3),
called from plain (not async) pytest tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from apact import VerificationFailedError, Verifier

from .verifier_helpers import interaction, pact

STEAKS = {"name": "steaks are available", "params": {"count": 2}}


def kitchen(stock: list[int]) -> Verifier:
    """A verifier of an in-process app whose count of steaks a sync state handler sets."""

    async def steaks(request: Request) -> JSONResponse:
        return JSONResponse({"count": stock[-1] if stock else 0})

    verifier = Verifier("Grill Chef", app=Starlette(routes=[Route("/steaks/", steaks)]))

    @verifier.state("steaks are available")
    def steaks_available(params: dict[str, int]) -> Iterator[None]:
        stock.append(params["count"])
        yield
        stock.pop()

    return verifier


def test_a_sync_test_verifies_with_sync_state_handlers() -> None:
    stock: list[int] = []
    result = kitchen(stock).verify_sync(
        pact(interaction("a request for the steaks", body={"count": 2}, states=[STEAKS]))
    )
    result.assert_ok()
    assert [i.description for p in result.pacts for i in p.interactions] == ["a request for the steaks"]
    assert stock == []  # torn down


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_a_failing_provider_is_a_result_on_either_backend(backend: str) -> None:
    seen: list[tuple[str, int, int]] = []
    result = kitchen([]).verify_sync(
        pact(interaction("a request for the steaks", body={"count": 3}, states=[STEAKS])),
        backend=backend,  # type: ignore[arg-type]
        on_result=lambda found, done, total: seen.append((found.description, done, total)),
    )
    assert not result.ok
    assert seen == [("a request for the steaks", 1, 1)]
    with pytest.raises(VerificationFailedError, match="a request for the steaks"):
        result.assert_ok()


def test_an_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="backend must be 'asyncio' or 'trio', got 'curio'"):
        kitchen([]).verify_sync(pact(), backend="curio")  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_it_refuses_on_a_running_event_loop_saying_what_to_do(anyio_backend: str) -> None:
    with pytest.raises(RuntimeError) as refused:
        kitchen([]).verify_sync(pact(interaction("a request for the steaks", body={"count": 2}, states=[STEAKS])))
    assert str(refused.value) == (
        f"verifier.verify_sync() blocks until the verification ends, and this code runs in an event loop ({anyio_backend}) "
        "(an async test or function): use `result = await verifier.verify(...)` there"
    )
