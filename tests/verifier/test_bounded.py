"""Steps under a deadline (``_bounded``): a step that completes at once pays for no
timer, one that suspends gets its deadline, its shield and its own cancel scopes; and the
verifier's setup, request and teardown deadlines, through it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from apact.verifier import Verifier
from apact.verifier._bounded import Spare, TimedOutError, bounded, scope_class

from .verifier_helpers import interaction, pact

pytestmark = pytest.mark.anyio

STEAKS = {"name": "steaks are available", "params": {"count": 2}}


async def at_once(value: int) -> int:
    return value


async def test_a_step_that_never_suspends_gives_its_value() -> None:
    assert await bounded(at_once(7), 0.01) == 7


async def test_a_step_that_suspends_gives_its_value_when_done_in_time() -> None:
    async def later() -> str:
        await anyio.lowlevel.checkpoint()
        await anyio.lowlevel.checkpoint()
        return "done"

    assert await bounded(later(), 10) == "done"


async def test_a_step_past_its_deadline_is_cancelled() -> None:
    cleaned = anyio.Event()

    async def forever() -> None:
        try:
            await anyio.sleep_forever()
        finally:
            cleaned.set()

    with pytest.raises(TimedOutError):
        await bounded(forever(), 0.05)
    assert cleaned.is_set()  # cancelled inside, not abandoned


async def test_the_exceptions_of_a_step_are_its_own() -> None:
    async def fails_later() -> None:
        await anyio.lowlevel.checkpoint()
        raise KeyError("grill")

    async def fails_at_once() -> None:
        raise ValueError("no steak")

    with pytest.raises(KeyError, match="grill"):
        await bounded(fails_later(), 10)
    with pytest.raises(ValueError, match="no steak"):
        await bounded(fails_at_once(), 10)


async def test_a_step_may_enter_cancel_scopes_and_task_groups_before_it_suspends() -> None:
    """The scope around the rest of a step is entered before the step starts: the step's
    own scopes nest inside it, whenever it suspends."""

    async def with_a_task_group() -> int:
        async with anyio.create_task_group() as group:
            group.start_soon(anyio.lowlevel.checkpoint)
            with anyio.CancelScope():
                await anyio.lowlevel.checkpoint()
        return 3

    assert await bounded(with_a_task_group(), 10) == 3

    async def stuck_in_a_task_group() -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(anyio.sleep_forever)

    with pytest.raises(TimedOutError):
        await bounded(stuck_in_a_task_group(), 0.05)


async def test_a_shielded_step_finishes_when_the_caller_is_cancelled() -> None:
    finished: list[str] = []
    started = anyio.Event()

    async def teardown() -> None:
        started.set()
        await anyio.lowlevel.checkpoint()
        await anyio.lowlevel.checkpoint()
        finished.append("torn down")

    async def caller() -> None:
        await bounded(teardown(), 10, shield=True)

    async with anyio.create_task_group() as group:
        group.start_soon(caller)
        await started.wait()
        group.cancel_scope.cancel()
    assert finished == ["torn down"]


async def test_an_unshielded_step_is_cancelled_with_its_caller() -> None:
    async with anyio.create_task_group() as group:
        group.start_soon(bounded, anyio.sleep_forever(), 10)
        await anyio.lowlevel.checkpoint()
        group.cancel_scope.cancel()
    # the step did not outlive the group: the group would not have ended otherwise


# -- in a spare scope -----------------------------------------------------------------------


async def test_steps_that_never_suspend_leave_the_spare_as_it_was() -> None:
    with Spare(scope_class()) as spare:
        entered = spare.scope
        assert await bounded(at_once(1), 0.01, spare=spare) == 1
        assert await bounded(at_once(2), 0.01, shield=True, spare=spare) == 2
        with pytest.raises(ValueError, match="no steak"):
            await bounded(_fails_at_once(), 10, spare=spare)
        assert spare.scope is entered
        assert not entered.shield  # a shielded step's shield ends with it
        assert entered.deadline == float("inf")


async def _fails_at_once() -> None:
    raise ValueError("no steak")


async def test_a_step_that_suspends_takes_the_spare_and_a_new_one_is_entered() -> None:
    async def later() -> str:
        await anyio.lowlevel.checkpoint()
        return "done"

    with Spare(scope_class()) as spare:
        entered = spare.scope
        assert await bounded(later(), 10, spare=spare) == "done"
        assert spare.scope is not entered
        assert await bounded(later(), 10, spare=spare) == "done"


async def test_a_step_past_its_deadline_in_a_spare_is_cancelled_and_the_next_steps_run() -> None:
    cleaned = anyio.Event()

    async def forever() -> None:
        try:
            await anyio.sleep_forever()
        finally:
            cleaned.set()

    async def later() -> str:
        await anyio.sleep(0.01)  # would be cancelled at once if the spare were the late step's
        return "done"

    with Spare(scope_class()) as spare:
        with pytest.raises(TimedOutError, match="not done within 0.05 s"):
            await bounded(forever(), 0.05, spare=spare)
        assert cleaned.is_set()
        assert await bounded(later(), 10, spare=spare) == "done"
        assert await bounded(at_once(5), 10, spare=spare) == 5


async def test_a_step_in_a_spare_may_enter_scopes_before_it_suspends_and_fail_late() -> None:
    async def with_a_task_group() -> int:
        async with anyio.create_task_group() as group:
            group.start_soon(anyio.lowlevel.checkpoint)
            with anyio.CancelScope():
                await anyio.lowlevel.checkpoint()
        return 3

    async def stuck_in_a_task_group() -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(anyio.sleep_forever)

    async def fails_later() -> None:
        with anyio.CancelScope():
            await anyio.lowlevel.checkpoint()
            raise KeyError("grill")

    with Spare(scope_class()) as spare:
        assert await bounded(with_a_task_group(), 10, spare=spare) == 3
        with pytest.raises(TimedOutError):
            await bounded(stuck_in_a_task_group(), 0.05, spare=spare)
        with pytest.raises(KeyError, match="grill"):
            await bounded(fails_later(), 10, spare=spare)
        assert await bounded(with_a_task_group(), 10, spare=spare) == 3


async def test_a_shielded_step_in_a_spare_finishes_when_the_caller_is_cancelled() -> None:
    finished: list[str] = []
    started = anyio.Event()

    async def teardown() -> None:
        started.set()
        await anyio.lowlevel.checkpoint()
        await anyio.lowlevel.checkpoint()
        finished.append("torn down")

    async def caller() -> None:
        with Spare(scope_class()) as spare:
            await bounded(at_once(1), 10, shield=True, spare=spare)  # shielded, then not
            await bounded(teardown(), 10, shield=True, spare=spare)

    async with anyio.create_task_group() as group:
        group.start_soon(caller)
        await started.wait()
        group.cancel_scope.cancel()
    assert finished == ["torn down"]


async def test_an_unshielded_step_in_a_spare_is_cancelled_with_its_caller() -> None:
    async def caller() -> None:
        with Spare(scope_class()) as spare:
            await bounded(at_once(1), 10, shield=True, spare=spare)  # its shield does not stay
            await bounded(anyio.sleep_forever(), 10, spare=spare)

    async with anyio.create_task_group() as group:
        group.start_soon(caller)
        await anyio.lowlevel.checkpoint()
        group.cancel_scope.cancel()


# -- through the verifier ---------------------------------------------------------------


def counting_app() -> Starlette:
    async def steaks(request: Request) -> JSONResponse:
        async with anyio.create_task_group() as group:  # a scope of its own before it answers
            group.start_soon(anyio.lowlevel.checkpoint)
        return JSONResponse({"count": 2})

    return Starlette(routes=[Route("/steaks/", steaks)])


def steak_pact() -> Any:  # noqa: ANN401
    return pact(interaction("a request for the steaks", "/steaks/", body={"count": 2}, states=[STEAKS]))


async def test_an_app_and_handlers_that_suspend_inside_scopes_of_their_own_verify() -> None:
    verifier = Verifier("Grill Chef", app=counting_app())
    log: list[str] = []

    @verifier.state("steaks are available")
    async def steaks(params: dict[str, Any]) -> AsyncIterator[None]:
        async with anyio.create_task_group() as group:
            group.start_soon(anyio.lowlevel.checkpoint)
        log.append("setup")
        yield
        with anyio.CancelScope():
            await anyio.lowlevel.checkpoint()
        log.append("teardown")

    result = await verifier.verify(steak_pact())
    assert result.ok, result.report()
    assert log == ["setup", "teardown"]


async def test_a_setup_past_the_request_timeout_fails_its_interaction() -> None:
    verifier = Verifier("Grill Chef", app=counting_app(), request_timeout=0.05)

    @verifier.state("steaks are available")
    async def steaks() -> None:
        await anyio.sleep_forever()

    result = await verifier.verify(steak_pact())
    (only,) = result.interactions
    assert only.status == "failed"
    assert [(e.kind, e.message) for e in only.errors] == [
        (
            "state",
            "the handler for provider state 'steaks are available' with params {\"count\": 2} "
            "did not finish its setup within 0.05 s",
        )
    ]


async def test_a_teardown_past_the_request_timeout_is_reported() -> None:
    verifier = Verifier("Grill Chef", app=counting_app(), request_timeout=0.05)

    @verifier.state("steaks are available")
    async def steaks() -> AsyncIterator[None]:
        yield
        await anyio.sleep_forever()

    result = await verifier.verify(steak_pact())
    (only,) = result.interactions
    assert only.status == "failed"
    assert [(e.kind, e.message) for e in only.errors] == [
        (
            "teardown",
            "the handler for provider state 'steaks are available' with params {\"count\": 2} "
            "did not finish its teardown within 0.05 s",
        )
    ]
    assert not only.mismatches  # the request itself was answered as the pact expects
