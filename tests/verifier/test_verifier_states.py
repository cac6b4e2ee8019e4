"""Provider states: handlers of every kind, teardown, injected values, the state-change
URL, missing and failing handlers, and the rule that keeps states from interleaving."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from apact.verifier import Verifier

from .verifier_helpers import interaction, pact

pytestmark = pytest.mark.anyio

STEAKS = {"name": "steaks are available", "params": {"count": 2}}


class Kitchen:
    def __init__(self) -> None:
        self.steaks = 0
        self.log: list[str] = []


def kitchen_app(kitchen: Kitchen) -> Starlette:
    async def steaks(request: Request) -> JSONResponse:
        kitchen.log.append(f"request {request.url.path}")
        return JSONResponse({"count": kitchen.steaks})

    async def steak(request: Request) -> JSONResponse:
        kitchen.log.append(f"request {request.url.path}")
        return JSONResponse({"id": int(request.path_params["id"]), "count": kitchen.steaks})

    return Starlette(routes=[Route("/steaks/", steaks), Route("/steaks/{id}", steak)])


def steak_pact(count: int = 2, *descriptions: str) -> Any:  # noqa: ANN401
    return pact(
        *[
            interaction(d, "/steaks/", body={"count": count}, states=[STEAKS])
            for d in (descriptions or ("a request for the steaks",))
        ]
    )


async def test_an_async_generator_handler_sets_up_receives_params_and_tears_down() -> None:
    kitchen = Kitchen()
    verifier = Verifier("Grill Chef", app=kitchen_app(kitchen))

    @verifier.state("steaks are available")
    async def steaks(params: dict[str, Any]) -> AsyncIterator[None]:
        kitchen.log.append(f"setup {params}")
        kitchen.steaks = params["count"]
        yield
        kitchen.steaks = 0
        kitchen.log.append("teardown")

    result = await verifier.verify(steak_pact())
    result.assert_ok()
    assert kitchen.log == ["setup {'count': 2}", "request /steaks/", "teardown"]


@pytest.mark.parametrize("kind", ["sync function", "async function", "sync generator", "no params"])
async def test_every_kind_of_handler_works(kind: str) -> None:
    kitchen = Kitchen()
    verifier = Verifier("Grill Chef", app=kitchen_app(kitchen))

    def set_up(params: dict[str, Any]) -> None:
        kitchen.steaks = params["count"]

    if kind == "sync function":
        verifier.state("steaks are available")(set_up)
    elif kind == "async function":

        @verifier.state("steaks are available")
        async def async_set_up(params: dict[str, Any]) -> None:
            await anyio.sleep(0)
            set_up(params)

    elif kind == "sync generator":

        @verifier.state("steaks are available")
        def generator(params: dict[str, Any]) -> Iterator[None]:
            set_up(params)
            yield
            kitchen.log.append("teardown")

    else:

        @verifier.state("steaks are available")
        def no_params() -> None:
            kitchen.steaks = 2

    result = await verifier.verify(steak_pact())
    result.assert_ok()
    assert kitchen.log[-1] == ("teardown" if kind == "sync generator" else "request /steaks/")


async def test_values_from_a_handler_feed_provider_state_generators() -> None:
    kitchen = Kitchen()
    verifier = Verifier("Grill Chef", app=kitchen_app(kitchen))
    generated = interaction(
        "a request for a steak the state created",
        "/steaks/1",
        body={"id": 1, "count": 0},
        states=[{"name": "a steak exists"}],
    )
    generated["request"]["generators"] = {"path": {"type": "ProviderState", "expression": "/steaks/${steakId}"}}
    generated["response"]["generators"] = {"body": {"$.id": {"type": "ProviderState", "expression": "${steakId}"}}}

    @verifier.state("a steak exists")
    async def steak_exists() -> AsyncIterator[dict[str, int]]:
        yield {"steakId": 42}

    result = await verifier.verify(pact(generated))
    result.assert_ok()
    assert kitchen.log == ["request /steaks/42"]


async def test_state_params_feed_provider_state_generators_when_the_handler_returns_nothing() -> None:
    kitchen = Kitchen()
    verifier = Verifier("Grill Chef", app=kitchen_app(kitchen), ignore_missing_states=True)
    generated = interaction(
        "by params", "/steaks/1", body={"id": 7, "count": 0}, states=[{"name": "a steak", "params": {"steakId": 7}}]
    )
    generated["request"]["generators"] = {"path": {"type": "ProviderState", "expression": "/steaks/${steakId}"}}
    result = await verifier.verify(pact(generated))
    result.assert_ok()
    assert kitchen.log == ["request /steaks/7"]


async def test_a_provider_state_value_the_state_did_not_give_keeps_the_example() -> None:
    """As the official verifier does (issue 16): it used to fail the interaction."""
    kitchen = Kitchen()
    verifier = Verifier("Grill Chef", app=kitchen_app(kitchen), ignore_missing_states=True)
    generated = interaction("needs a value", "/steaks/1", body={"id": 1, "count": 0}, states=[{"name": "a steak"}])
    generated["request"]["generators"] = {"path": {"type": "ProviderState", "expression": "/steaks/${steakId}"}}
    generated["response"]["generators"] = {"body": {"$.id": {"type": "ProviderState", "expression": "${steakId}"}}}
    result = await verifier.verify(pact(generated))
    result.assert_ok()
    assert kitchen.log == ["request /steaks/1"]


async def test_a_missing_handler_fails_the_interactions_needing_it_and_says_what_to_do() -> None:
    verifier = Verifier("Grill Chef", app=kitchen_app(Kitchen()))
    result = await verifier.verify(steak_pact(2, "one", "two"))
    assert [r.status for r in result.interactions] == ["failed", "failed"]
    report = result.report()
    assert "missing state: no handler for provider state 'steaks are available'" in report
    assert "@verifier.state('steaks are available')" in report
    with pytest.raises(AssertionError, match="no handler for provider state"):
        result.assert_ok()


async def test_missing_handlers_can_be_ignored() -> None:
    verifier = Verifier("Grill Chef", app=kitchen_app(Kitchen()), ignore_missing_states=True)
    result = await verifier.verify(steak_pact(0))
    result.assert_ok()


async def test_a_raising_handler_fails_its_interaction_with_the_traceback_and_sends_nothing() -> None:
    kitchen = Kitchen()
    verifier = Verifier("Grill Chef", app=kitchen_app(kitchen))

    @verifier.state("steaks are available")
    async def broken(params: dict[str, Any]) -> None:
        raise ValueError("the fridge is locked")

    result = await verifier.verify(steak_pact())
    (only,) = result.interactions
    assert only.status == "failed"
    (error,) = only.errors
    assert error.kind == "state"
    assert (
        error.message
        == "the handler for provider state 'steaks are available' with params {\"count\": 2} raised ValueError: the fridge is locked"
    )
    assert error.traceback is not None and 'raise ValueError("the fridge is locked")' in error.traceback
    assert "in broken" in error.traceback.splitlines()[1]  # the user's frame comes first
    assert kitchen.log == []
    assert "Traceback" in result.report()


async def test_a_raising_teardown_fails_the_interaction() -> None:
    verifier = Verifier("Grill Chef", app=kitchen_app(Kitchen()))

    @verifier.state("steaks are available")
    def steaks(params: dict[str, Any]) -> Iterator[None]:
        yield
        raise RuntimeError("cannot clean up")

    result = await verifier.verify(steak_pact(0))
    (only,) = result.interactions
    assert only.status == "failed"
    assert [e.kind for e in only.errors] == ["teardown"]
    assert "the teardown of provider state 'steaks are available'" in only.errors[0].message


@pytest.mark.parametrize("suspends", [False, True], ids=["at once", "after suspending"])
async def test_an_async_generator_handler_done_at_once_or_after_suspending(suspends: bool) -> None:
    """The usual handler is set up and torn down without a coroutine of its own; one
    that suspends is awaited: the same order, values and teardown either way."""
    kitchen = Kitchen()
    verifier = Verifier("Grill Chef", app=kitchen_app(kitchen))

    @verifier.state("steaks are available")
    async def steaks(params: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        if suspends:
            await anyio.sleep(0)
        kitchen.steaks = params["count"]
        kitchen.log.append("setup")
        yield {"count": params["count"]}
        if suspends:
            await anyio.sleep(0)
        kitchen.steaks = 0
        kitchen.log.append("teardown")

    result = await verifier.verify(steak_pact(2, "first", "second"))
    result.assert_ok()
    assert kitchen.log == ["setup", "request /steaks/", "teardown"] * 2


@pytest.mark.parametrize("suspends", [False, True], ids=["at once", "after suspending"])
@pytest.mark.parametrize("fault", ["yields twice", "raises in teardown", "raises in setup", "never yields"])
async def test_an_async_generator_handler_that_misbehaves(suspends: bool, fault: str) -> None:
    kitchen = Kitchen()
    verifier = Verifier("Grill Chef", app=kitchen_app(kitchen))

    @verifier.state("steaks are available")
    async def steaks(params: dict[str, Any]) -> AsyncIterator[None]:
        if suspends:
            await anyio.sleep(0)
        if fault == "raises in setup":
            raise RuntimeError("no grill")
        kitchen.steaks = params["count"]
        if fault == "never yields":
            return
        yield
        if suspends:
            await anyio.sleep(0)
        kitchen.log.append("teardown")
        if fault == "raises in teardown":
            raise RuntimeError("cannot clean up")
        yield

    result = await verifier.verify(steak_pact(2))
    (only,) = result.interactions
    messages = [error.message for error in only.errors]
    if fault == "never yields":  # set up, nothing to tear down
        assert only.status == "passed", only.errors
        assert kitchen.log == ["request /steaks/"]
    elif fault == "raises in setup":
        assert [e.kind for e in only.errors] == ["state"]
        assert "the handler for provider state 'steaks are available'" in messages[0]
        assert "RuntimeError: no grill" in messages[0]
        assert kitchen.log == []  # nothing sent
    else:
        assert [e.kind for e in only.errors] == ["teardown"], messages
        assert kitchen.log == ["request /steaks/", "teardown"]
        if fault == "yields twice":
            assert "yielded more than once" in messages[0]
        else:
            assert "the teardown of provider state 'steaks are available'" in messages[0]
            assert "raised RuntimeError: cannot clean up" in messages[0]


async def test_a_handler_returning_something_else_than_a_dict_is_an_error() -> None:
    verifier = Verifier("Grill Chef", app=kitchen_app(Kitchen()))
    verifier.state("steaks are available")(lambda params: 42)
    result = await verifier.verify(steak_pact(0))
    assert "gave 42 (int); it may return or yield a dict" in result.interactions[0].errors[0].message


async def test_teardowns_run_when_a_later_setup_fails() -> None:
    log: list[str] = []
    verifier = Verifier("Grill Chef", app=kitchen_app(Kitchen()))

    @verifier.state("first")
    async def first() -> AsyncIterator[None]:
        log.append("first up")
        yield
        log.append("first down")

    @verifier.state("second")
    async def second() -> None:
        raise RuntimeError("no")

    result = await verifier.verify(pact(interaction("two states", states=[{"name": "first"}, {"name": "second"}])))
    assert not result.ok
    assert log == ["first up", "first down"]


async def test_a_registered_state_cannot_be_registered_twice() -> None:
    verifier = Verifier("Grill Chef", app=kitchen_app(Kitchen()))
    verifier.state("x")(lambda: None)
    with pytest.raises(ValueError, match="already has a handler"):
        verifier.state("x")(lambda: None)


async def test_a_state_change_path_goes_to_the_app_itself() -> None:
    changes: list[dict[str, Any]] = []

    async def state_change(request: Request) -> JSONResponse:
        changes.append(await request.json())
        return JSONResponse({"steakId": 5})

    async def steak(request: Request) -> JSONResponse:
        return JSONResponse({"id": int(request.path_params["id"])})

    app = Starlette(routes=[Route("/_pact/state", state_change, methods=["POST"]), Route("/steaks/{id}", steak)])
    generated = interaction(
        "a steak", "/steaks/1", body={"id": 5}, states=[{"name": "a steak exists", "params": {"a": 1}}]
    )
    generated["request"]["generators"] = {"path": {"type": "ProviderState", "expression": "/steaks/${steakId}"}}
    result = await Verifier("Grill Chef", app=app, state_change_url="/_pact/state").verify(pact(generated))
    result.assert_ok()
    assert changes == [
        {"action": "setup", "params": {"a": 1}, "state": "a steak exists"},
        {"action": "teardown", "params": {"a": 1}, "state": "a steak exists"},
    ]


async def test_a_failing_state_change_url_fails_the_interaction() -> None:
    async def state_change(request: Request) -> JSONResponse:
        return JSONResponse({"error": "no"}, status_code=500)

    app = Starlette(routes=[Route("/_pact/state", state_change, methods=["POST"])])
    verifier = Verifier("Grill Chef", app=app, state_change_url="/_pact/state", state_change_teardown=False)
    result = await verifier.verify(steak_pact())
    assert "/_pact/state answered 500" in result.interactions[0].errors[0].message


@pytest.mark.parametrize(
    "answer",
    [
        b"[" * 100_000 + b"]" * 100_000,  # a RecursionError's traceback in the report before
        b'{"a":' * 200 + b"1" + b"}" * 200,  # read and its values used before
        b'{"steakId": NaN}',  # read and its values used before
        b"{",  # the interaction failed before
    ],
)
async def test_a_state_change_answer_apact_does_not_read_gives_no_values_as_in_the_core(answer: bytes) -> None:
    """The official verifier passes the interaction (checked with pact-python's `pact
    verifier`): the setup stands and its answer gives no values, so a generator needing
    one keeps the pact's example, as without a value."""

    async def state_change(request: Request) -> Response:
        return Response(answer, media_type="application/json")

    asked: list[str] = []

    async def steak(request: Request) -> JSONResponse:
        asked.append(request.url.path)
        return JSONResponse({"id": 5})

    app = Starlette(routes=[Route("/_pact/state", state_change, methods=["POST"]), Route("/steaks/{id}", steak)])
    verifier = Verifier("Grill Chef", app=app, state_change_url="/_pact/state", state_change_teardown=False)
    plain = interaction("a steak", "/steaks/5", body={"id": 5}, states=[{"name": "a steak exists"}])
    generated = interaction("a generated steak", "/steaks/1", body={"id": 5}, states=[{"name": "a steak exists"}])
    generated["request"]["generators"] = {"path": {"type": "ProviderState", "expression": "/steaks/${steakId}"}}
    result = await verifier.verify(pact(plain, generated))
    assert [i.status for i in result.interactions] == ["passed", "passed"], result.report()
    assert sorted(asked) == ["/steaks/1", "/steaks/5"]  # (the generated one: the example)


async def test_handlers_win_over_the_state_change_url() -> None:
    kitchen = Kitchen()
    verifier = Verifier("Grill Chef", app=kitchen_app(kitchen), state_change_url="/nowhere")
    verifier.state("steaks are available")(lambda params: setattr(kitchen, "steaks", 2))
    (await verifier.verify(steak_pact())).assert_ok()


# -- the rule: states never interleave -----------------------------------------------------------


def logging_app(log: list[str], in_flight: list[int]) -> Starlette:
    async def endpoint(request: Request) -> JSONResponse:
        in_flight[0] += 1
        in_flight[1] = max(in_flight[1], in_flight[0])
        log.append(f"request {request.url.path}")
        await anyio.sleep(0)
        await anyio.sleep(0)
        in_flight[0] -= 1
        return JSONResponse({})

    return Starlette(routes=[Route("/{name}", endpoint)])


async def test_unshared_states_get_setup_and_teardown_around_each_interaction_alone() -> None:
    log: list[str] = []
    in_flight = [0, 0]
    verifier = Verifier("Grill Chef", app=logging_app(log, in_flight), concurrency=8)

    @verifier.state("a")
    async def a() -> AsyncIterator[None]:
        log.append("setup a")
        await anyio.sleep(0)
        yield
        await anyio.sleep(0)
        log.append("teardown a")

    items = [interaction(f"a {i}", f"/a{i}", states=[{"name": "a"}]) for i in range(3)]
    (await verifier.verify(pact(*items))).assert_ok()
    assert log == [entry for i in range(3) for entry in ("setup a", f"request /a{i}", "teardown a")]
    assert in_flight[1] == 1


async def test_a_shared_state_is_set_up_once_for_its_interactions_which_run_concurrently() -> None:
    log: list[str] = []
    in_flight = [0, 0]
    verifier = Verifier("Grill Chef", app=logging_app(log, in_flight), concurrency=8)

    @verifier.state("menu", shared=True)
    async def menu() -> AsyncIterator[None]:
        log.append("setup menu")
        yield
        log.append("teardown menu")

    items = [interaction(f"m {i}", f"/m{i}", states=[{"name": "menu"}]) for i in range(4)]
    items.append(interaction("no state", "/free"))
    (await verifier.verify(pact(*items))).assert_ok()
    assert log[0] == "setup menu" and log[5] == "teardown menu"
    assert sorted(log[1:5]) == [f"request /m{i}" for i in range(4)]
    assert log[6] == "request /free"  # a unit of its own, after the shared one
    assert in_flight[1] == 4


async def test_shared_states_with_different_params_are_different_units() -> None:
    seen: list[Any] = []
    verifier = Verifier("Grill Chef", app=logging_app([], [0, 0]))

    @verifier.state("menu", shared=True)
    def menu(params: dict[str, Any]) -> Iterator[None]:
        seen.append(("up", params))
        yield
        seen.append(("down", params))

    items = [interaction(f"m {i}", f"/m{i}", states=[{"name": "menu", "params": {"day": i % 2}}]) for i in range(4)]
    (await verifier.verify(pact(*items))).assert_ok()
    assert seen == [("up", {"day": 0}), ("down", {"day": 0}), ("up", {"day": 1}), ("down", {"day": 1})]
