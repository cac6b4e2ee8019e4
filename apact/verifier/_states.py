"""Provider states: calling the handlers (setup, teardown, values) or a state-change URL.

A handler is any callable taking the state's params (or nothing):

* a function (sync or async) sets the state up and may return a dict of values for
  ``fromProviderState`` generators;
* a generator function (sync or async) sets up, ``yield``\\ s its values (or nothing),
  and tears down after the ``yield``, like a pytest fixture.

Sync handlers run on the event loop's thread, as pytest fixtures do: keep them quick,
or write them ``async`` (or wrap blocking work in ``anyio.to_thread.run_sync``).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Generator, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeAlias

import anyio

from .._types import JSON
from ..model import ProviderState
from ._result import VerificationError, describe

#: a provider-state handler: ``(params) -> values`` or ``() -> values``, sync or async,
#: or a (sync or async) generator function that yields the values and tears down after
StateHandler: TypeAlias = Callable[..., Any]

#: sends one state-change request: ``(state, action, params) -> values``
StateChange: TypeAlias = Callable[[ProviderState, str], Awaitable[Mapping[str, JSON] | None]]


@dataclass(frozen=True, slots=True)
class Handler:
    """A registered handler: the callable, whether it takes the params, whether the
    state may be shared by concurrent interactions."""

    name: str
    function: StateHandler
    takes_params: bool
    shared: bool


def make_handler(name: str, function: StateHandler, *, shared: bool) -> Handler:
    if not callable(function):
        raise TypeError(f"the handler for provider state {name!r} is not callable: {function!r}")
    return Handler(name, function, _takes_params(function), shared)


def _takes_params(function: StateHandler) -> bool:
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return True
    positional = [
        p
        for p in signature.parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
    ]
    return bool(positional)


class StateFailure(Exception):
    """A state could not be set up or torn down; carries the :class:`VerificationError`."""

    def __init__(self, error: VerificationError) -> None:
        super().__init__(error.message)
        self.error = error


def missing_states(states: Sequence[ProviderState], handlers: Mapping[str, Handler], has_state_change: bool) -> list[str]:
    """The names of ``states`` nothing can set up."""
    if has_state_change:
        return []
    return [state.name for state in states if state.name not in handlers]


@asynccontextmanager
async def provider_states(
    states: Sequence[ProviderState],
    handlers: Mapping[str, Handler],
    state_change: StateChange | None,
    *,
    timeout: float,
) -> AsyncIterator[dict[str, JSON]]:
    """Set ``states`` up in order, yield the values for provider-state generators (the
    states' params, overridden by what the handlers returned), tear them down in reverse
    order. Raises :class:`StateFailure` when a handler fails (teardown of the states
    already set up still runs). States with no handler (when allowed) are skipped.

    Each setup and teardown is bounded by ``timeout``; teardown runs even when the
    verification is cancelled.
    """
    values: dict[str, JSON] = {}
    for state in states:
        values.update(state.params)
    returned: dict[str, JSON] = {}
    async with AsyncExitStack() as stack:
        for state in states:
            handler = handlers.get(state.name)
            if handler is not None:
                got = await stack.enter_async_context(_run_handler(handler, state, timeout))
            elif state_change is not None:
                got = await stack.enter_async_context(_run_state_change(state_change, state, timeout))
            else:
                continue
            returned.update(got)
        values.update(returned)
        yield values


@asynccontextmanager
async def _run_handler(handler: Handler, state: ProviderState, timeout: float) -> AsyncIterator[Mapping[str, JSON]]:
    label = _label(state)
    try:
        with anyio.fail_after(timeout):
            result = handler.function(dict(state.params)) if handler.takes_params else handler.function()
            if inspect.isasyncgen(result):
                teardown = _async_generator_teardown(result, label, timeout)
                value = await _first(result.__anext__(), StopAsyncIteration)
            elif inspect.isgenerator(result):
                teardown = _generator_teardown(result, label, timeout)
                value = _first_sync(result)
            else:
                teardown = None
                value = await result if inspect.isawaitable(result) else result
    except StateFailure:
        raise
    except TimeoutError:
        raise StateFailure(
            VerificationError("state", f"the handler for {label} did not finish its setup within {timeout:g} s")
        ) from None
    except Exception as error:
        raise StateFailure(VerificationError.from_exception("state", f"the handler for {label} raised {describe(error)}", error)) from None
    values = _values(value, label)
    if teardown is None:
        yield values
        return
    try:
        yield values
    finally:
        await teardown()


async def _first(awaitable: Awaitable[Any], stop: type[BaseException]) -> Any:  # noqa: ANN401
    try:
        return await awaitable
    except stop:
        return None


def _first_sync(generator: Generator[Any, None, None]) -> Any:  # noqa: ANN401
    try:
        return next(generator)
    except StopIteration:
        return None


def _async_generator_teardown(generator: AsyncGenerator[Any, None], label: str, timeout: float) -> Callable[[], Awaitable[None]]:
    async def teardown() -> None:
        with anyio.CancelScope(shield=True):
            try:
                with anyio.fail_after(timeout):
                    await generator.__anext__()
            except StopAsyncIteration:
                return
            except TimeoutError:
                await generator.aclose()
                raise StateFailure(
                    VerificationError("teardown", f"the handler for {label} did not finish its teardown within {timeout:g} s")
                ) from None
            except Exception as error:
                raise StateFailure(VerificationError.from_exception("teardown", f"the teardown of {label} raised {describe(error)}", error)) from None
            await generator.aclose()
            raise StateFailure(VerificationError("teardown", f"the handler for {label} yielded more than once"))

    return teardown


def _generator_teardown(generator: Generator[Any, None, None], label: str, timeout: float) -> Callable[[], Awaitable[None]]:
    async def teardown() -> None:
        try:
            next(generator)
        except StopIteration:
            return
        except Exception as error:
            raise StateFailure(VerificationError.from_exception("teardown", f"the teardown of {label} raised {describe(error)}", error)) from None
        generator.close()
        raise StateFailure(VerificationError("teardown", f"the handler for {label} yielded more than once"))

    return teardown


@asynccontextmanager
async def _run_state_change(change: StateChange, state: ProviderState, timeout: float) -> AsyncIterator[Mapping[str, JSON]]:
    label = _label(state)
    try:
        with anyio.fail_after(timeout):
            value = await change(state, "setup")
    except TimeoutError:
        raise StateFailure(VerificationError("state", f"the state-change URL did not answer within {timeout:g} s for {label}")) from None
    except Exception as error:
        raise StateFailure(VerificationError.from_exception("state", f"the state-change request for {label} failed: {error}", error)) from None
    try:
        yield _values(value, label)
    finally:
        with anyio.CancelScope(shield=True):
            try:
                with anyio.fail_after(timeout):
                    await change(state, "teardown")
            except TimeoutError:
                raise StateFailure(
                    VerificationError("teardown", f"the state-change URL did not answer within {timeout:g} s for the teardown of {label}")
                ) from None
            except Exception as error:
                raise StateFailure(VerificationError.from_exception("teardown", f"the state-change teardown of {label} failed: {error}", error)) from None


def _values(value: object, label: str) -> Mapping[str, JSON]:
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return value
    raise StateFailure(
        VerificationError(
            "state",
            f"the handler for {label} gave {value!r} ({type(value).__name__}); it may return or yield "
            "a dict of values for provider-state generators, or None",
        )
    )


def _label(state: ProviderState) -> str:
    text = f"provider state {state.name!r}"
    if state.params:
        text += " with params " + json.dumps(state.params, ensure_ascii=False, sort_keys=True)
    return text
