"""Provider states: calling the handlers (setup, teardown, values) or a state-change URL.

A handler is any callable taking the state's params (or nothing):

* a function (sync or async) sets the state up and may return a dict of values for
  ``fromProviderState`` generators;
* a generator function (sync or async) sets up, ``yield``s its values (or nothing),
  and tears down after the ``yield``, like a pytest fixture.

Sync handlers run on the event loop's thread, as pytest fixtures do: keep them quick,
or write them ``async`` (or wrap blocking work in ``anyio.to_thread.run_sync``).
"""

from __future__ import annotations

import functools
import inspect
import json
import types
from collections.abc import (
    AsyncGenerator,
    Awaitable,
    Callable,
    Generator,
    Iterator,
    Mapping,
    Sequence,
)
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar

import anyio

from .._core._types import JSON
from ..pact.model import ProviderState
from ._bounded import ScopeClass, Spare, TimedOutError, bounded
from ._result import ErrorKind, VerificationProblem, exception_line

T = TypeVar("T")

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


class WithCatchAll(Mapping[str, Handler]):
    """The handlers by state name, and for any other name the catch-all handler (which
    gets the state's name first, then what a handler of its own would get)."""

    def __init__(self, own: Mapping[str, Handler], catch_all: Handler | None) -> None:
        self._own = own
        self._catch_all = catch_all

    def __getitem__(self, name: str) -> Handler:
        found = self._own.get(name)
        if found is not None:
            return found
        if self._catch_all is None:
            raise KeyError(name)
        function = functools.partial(self._catch_all.function, name)
        return Handler(name, function, _takes_params(function), self._catch_all.shared)

    def __contains__(self, name: object) -> bool:
        return name in self._own or (self._catch_all is not None and isinstance(name, str))

    def __iter__(self) -> Iterator[str]:
        return iter(self._own)

    def __len__(self) -> int:
        return len(self._own)


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


class StateHandlerError(Exception):
    """A state could not be set up or torn down; carries the `VerificationProblem`."""

    def __init__(self, error: VerificationProblem) -> None:
        super().__init__(error.message)
        self.error = error


class StateChangeError(Exception):
    """The state-change URL did not do its job (an error status, no answer): the message
    says it all, so the report shows no traceback."""


def missing_states(
    states: Sequence[ProviderState], handlers: Mapping[str, Handler], has_state_change: bool
) -> list[str]:
    """The names of ``states`` nothing can set up."""
    if has_state_change:
        return []
    return [state.name for state in states if state.name not in handlers]


def provider_states(
    states: Sequence[ProviderState],
    handlers: Mapping[str, Handler],
    state_change: StateChange | None,
    *,
    timeout: float,
    scope_of: ScopeClass = anyio.CancelScope,
    spare: Spare | None = None,
) -> ProviderStates:
    """Set ``states`` up in order, give the values for provider-state generators (the
    states' params, overridden by what the handlers returned), tear them down in reverse
    order. Raises `StateHandlerError` when a handler fails (the states already set up
    are still torn down). States with no handler (when allowed) are passed over.

    Each setup and teardown is bounded by ``timeout`` (a sync handler cannot be
    interrupted, though); teardown runs even when the verification is cancelled.
    ``scope_of`` makes their cancel scopes (see `._bounded.scope_class`); with a
    ``spare`` (`._bounded.Spare`), a handler that does not suspend needs none.
    (A class, not an ``asynccontextmanager``: it runs around every interaction, and the
    generator-based manager cost as much as a state handler's own work.)
    """
    return ProviderStates(states, handlers, state_change, timeout, scope_of, spare)


class ProviderStates:
    """What `provider_states` returns: an async context manager, whose `enter` and
    `exit` a caller around every interaction may call itself (no coroutine is made for
    states set up and torn down at once)."""

    __slots__ = ("_states", "_handlers", "_change", "_timeout", "_scope_of", "_spare", "_teardowns")

    def __init__(
        self,
        states: Sequence[ProviderState],
        handlers: Mapping[str, Handler],
        change: StateChange | None,
        timeout: float,
        scope_of: ScopeClass,
        spare: Spare | None,
    ) -> None:
        self._states = states
        self._handlers = handlers
        self._change = change
        self._timeout = timeout
        self._scope_of = scope_of
        self._spare = spare
        self._teardowns: list[Teardown] = []

    async def __aenter__(self) -> dict[str, JSON]:
        entered = self.enter()
        return entered if type(entered) is dict else await entered  # type: ignore[misc]

    async def __aexit__(self, *exc_info: object) -> None:
        rest = self.exit()
        if rest is not None:
            await rest

    def enter(self) -> dict[str, JSON] | Awaitable[dict[str, JSON]]:
        """`__aenter__` without a coroutine of its own when every handler is done at
        once (the usual case, around every interaction): the values, or the awaitable
        that gives them."""
        if not self._states:
            return {}
        if len(self._states) == 1:
            state = self._states[0]
            handler = self._handlers.get(state.name)
            if handler is not None:
                set_up = _set_up(handler, state, self._timeout, self._scope_of, self._spare)
                if isinstance(set_up, tuple):
                    got, teardown = set_up
                    if teardown is not None:
                        self._teardowns.append(teardown)
                    values = dict(state.params)
                    values.update(got)
                    return values
                return self._entered(set_up)
        return self._set_up_all()

    async def _entered(self, set_up: Awaitable[SetUp]) -> dict[str, JSON]:
        """The one state's setup that suspended in `enter`."""
        got, teardown = await set_up
        if teardown is not None:
            self._teardowns.append(teardown)
        values = dict(self._states[0].params)
        values.update(got)
        return values

    def exit(self) -> Awaitable[None] | None:
        """`__aexit__` without a coroutine of its own when every teardown is done at
        once: ``None``, or the awaitable that finishes them. Raises `StateHandlerError`."""
        teardowns = self._teardowns
        if not teardowns:
            return None
        if len(teardowns) == 1:
            self._teardowns = []
            return teardowns[0]()
        return self._tear_down_all()

    async def _set_up_all(self) -> dict[str, JSON]:
        values: dict[str, JSON] = {}
        for state in self._states:
            values.update(state.params)
        returned: dict[str, JSON] = {}
        try:
            for state in self._states:
                handler = self._handlers.get(state.name)
                if handler is not None:
                    # the usual handler is done at once: no coroutine for it (see `_set_up`)
                    set_up = _set_up(handler, state, self._timeout, self._scope_of, self._spare)
                    got, teardown = set_up if isinstance(set_up, tuple) else await set_up
                elif self._change is not None:
                    got, teardown = await _set_up_by_url(self._change, state, self._timeout)
                else:
                    continue
                returned.update(got)
                if teardown is not None:
                    self._teardowns.append(teardown)
        except BaseException:
            await self.__aexit__(None, None, None)  # the states already set up (its failure replaces this one)
            raise
        values.update(returned)
        return values

    async def _tear_down_all(self) -> None:
        teardowns, self._teardowns = self._teardowns, []
        failure: StateHandlerError | None = None
        for teardown in reversed(teardowns):
            try:
                rest = teardown()
                if rest is not None:
                    await rest
            except StateHandlerError as error:
                failure = failure or error
        if failure is not None:
            raise failure


#: tears a state down, at once (``None``) or by the awaitable it returns; raises `StateHandlerError`
Teardown: TypeAlias = Callable[[], "Awaitable[None] | None"]

#: what `_set_up` gives: the values for generators and the teardown (or ``None``)
SetUp: TypeAlias = "tuple[Mapping[str, JSON], Teardown | None]"


def _set_up(
    handler: Handler, state: ProviderState, timeout: float, scope_of: ScopeClass, spare: Spare | None = None
) -> SetUp | Awaitable[SetUp]:
    """Set ``state`` up with ``handler``: what it gives (a tuple) if an async generator
    handler yielded at once in ``spare`` (the usual handler: nothing to await, so no
    coroutine made), else the awaitable that gives it (`_set_up_awaited`). Raises
    `StateHandlerError`."""
    if spare is None:
        return _set_up_awaited(handler, state, timeout, scope_of, None)
    try:
        result = handler.function(dict(state.params)) if handler.takes_params else handler.function()
        if not isinstance(result, types.AsyncGeneratorType):  # (as inspect.isasyncgen, minus a call)
            return _set_up_awaited(handler, state, timeout, scope_of, spare, result)
        step = result.__anext__()
        try:
            done, value = spare.start(step)
        except StopAsyncIteration:
            return {}, None  # it ended without a yield: nothing to tear down
        teardown = functools.partial(_end_async_generator, result, state, timeout, scope_of, spare)
        if not done:
            return _set_up_resumed(step, value, state, timeout, spare, teardown)
    except Exception as error:
        raise _setup_failed(state, error) from None
    return ({} if value is None else _values(value, state)), teardown  # (the usual None: no call)


async def _set_up_resumed(
    step: Awaitable[Any], first: object, state: ProviderState, timeout: float, spare: Spare, teardown: Teardown
) -> SetUp:
    """The rest of an async generator's setup that suspended in `_set_up`."""
    try:
        value: object = await spare.finish(step, first, timeout)  # type: ignore[arg-type]
    except StopAsyncIteration:
        return {}, None
    except TimedOutError:
        raise _setup_late(state, timeout) from None
    except Exception as error:
        raise _setup_failed(state, error) from None
    return _values(value, state), teardown


_NOT_CALLED: Any = object()


async def _set_up_awaited(
    handler: Handler,
    state: ProviderState,
    timeout: float,
    scope_of: ScopeClass,
    spare: Spare | None,
    result: Any = _NOT_CALLED,  # noqa: ANN401  (what the handler returned, if already called)
) -> SetUp:
    teardown: Teardown | None = None
    value: object = None
    try:
        if result is _NOT_CALLED:
            result = handler.function(dict(state.params)) if handler.takes_params else handler.function()
        if isinstance(result, types.AsyncGeneratorType):  # (as inspect.isasyncgen, minus a call)
            teardown = functools.partial(_end_async_generator, result, state, timeout, scope_of, spare)
            try:
                value = await bounded(result.__anext__(), timeout, scope_of=scope_of, spare=spare)
            except StopAsyncIteration:
                teardown = None
        elif inspect.isgenerator(result):
            teardown = functools.partial(_end_generator, result, state)
            try:
                value = next(result)
            except StopIteration:
                teardown = None
        elif inspect.isawaitable(result):
            value = await bounded(
                result if inspect.iscoroutine(result) else _awaited(result), timeout, scope_of=scope_of, spare=spare
            )
        else:
            value = result
    except TimedOutError:
        raise _setup_late(state, timeout) from None
    except Exception as error:
        raise _setup_failed(state, error) from None
    return _values(value, state), teardown


def _setup_late(state: ProviderState, timeout: float) -> StateHandlerError:
    return StateHandlerError(
        VerificationProblem("state", f"the handler for {_label(state)} did not finish its setup within {timeout:g} s")
    )


def _setup_failed(state: ProviderState, error: Exception) -> StateHandlerError:
    message = f"the handler for {_label(state)} raised {exception_line(error)}"
    return StateHandlerError(VerificationProblem.from_exception("state", message, error))


async def _awaited(awaitable: Awaitable[T]) -> T:
    """Any awaitable as a coroutine (what `bounded` drives)."""
    return await awaitable


def _end_async_generator(
    generator: AsyncGenerator[Any, Any],
    state: ProviderState,
    timeout: float,
    scope_of: ScopeClass,
    spare: Spare | None = None,
) -> Awaitable[None] | None:
    """Resume ``generator`` past its ``yield``, shielded (a state is torn down even when
    the verification is cancelled): ``None`` if it ended at once in ``spare`` (the usual
    handler: no coroutine made), else the awaitable that ends it."""
    if spare is None:
        return _end_async_generator_awaited(generator, generator.__anext__(), None, state, timeout, scope_of)
    step = generator.__anext__()
    try:
        done, first = spare.start(step, shield=True)
    except StopAsyncIteration:
        return None  # ended: the usual teardown
    except Exception as error:
        raise _teardown_failed(state, error) from None
    if done:  # it yielded again
        return _yielded_again(generator, state, timeout, scope_of, spare)
    return _end_async_generator_awaited(generator, step, first, state, timeout, scope_of, spare)


async def _end_async_generator_awaited(
    generator: AsyncGenerator[Any, Any],
    step: Awaitable[Any],
    first: object,
    state: ProviderState,
    timeout: float,
    scope_of: ScopeClass,
    spare: Spare | None = None,
) -> None:
    """`_end_async_generator`'s step awaited: from its start (no ``spare``), or the
    rest of it (``first``: what it suspended with in ``spare``)."""
    try:
        if spare is None:
            await bounded(step, timeout, shield=True, scope_of=scope_of)  # type: ignore[arg-type]
        else:
            await spare.finish(step, first, timeout)  # type: ignore[arg-type]
    except StopAsyncIteration:
        return
    except TimedOutError:
        raise StateHandlerError(VerificationProblem("teardown", _late_teardown(state, timeout))) from None
    except Exception as error:
        raise _teardown_failed(state, error) from None
    await _yielded_again(generator, state, timeout, scope_of, spare)


async def _yielded_again(
    generator: AsyncGenerator[Any, Any], state: ProviderState, timeout: float, scope_of: ScopeClass, spare: Spare | None
) -> None:
    try:
        await bounded(generator.aclose(), timeout, shield=True, scope_of=scope_of, spare=spare)
    except TimedOutError:
        raise StateHandlerError(VerificationProblem("teardown", _late_teardown(state, timeout))) from None
    raise StateHandlerError(VerificationProblem("teardown", f"the handler for {_label(state)} yielded more than once"))


def _teardown_failed(state: ProviderState, error: Exception) -> StateHandlerError:
    message = f"the teardown of {_label(state)} raised {exception_line(error)}"
    return StateHandlerError(VerificationProblem.from_exception("teardown", message, error))


def _late_teardown(state: ProviderState, timeout: float) -> str:
    return f"the handler for {_label(state)} did not finish its teardown within {timeout:g} s"


async def _end_generator(generator: Generator[Any, Any, Any], state: ProviderState) -> None:
    try:
        next(generator)
    except StopIteration:
        return
    except Exception as error:
        message = f"the teardown of {_label(state)} raised {exception_line(error)}"
        raise StateHandlerError(VerificationProblem.from_exception("teardown", message, error)) from None
    generator.close()
    raise StateHandlerError(VerificationProblem("teardown", f"the handler for {_label(state)} yielded more than once"))


async def _set_up_by_url(
    change: StateChange, state: ProviderState, timeout: float
) -> tuple[Mapping[str, JSON], Teardown]:
    value = await _post_change(change, state, "setup", timeout)

    async def teardown() -> None:
        await _post_change(change, state, "teardown", timeout)

    return _values(value, state), teardown


async def _post_change(
    change: StateChange, state: ProviderState, action: str, timeout: float
) -> Mapping[str, JSON] | None:
    kind: ErrorKind = "state" if action == "setup" else "teardown"
    with anyio.CancelScope(shield=action == "teardown", deadline=anyio.current_time() + timeout):
        try:
            return await change(state, action)
        except StateChangeError as failure:
            raise StateHandlerError(
                VerificationProblem(kind, f"the state-change {action} of {_label(state)} failed: {failure}")
            ) from None
        except Exception as error:
            message = f"the state-change {action} of {_label(state)} failed: {exception_line(error)}"
            raise StateHandlerError(VerificationProblem.from_exception(kind, message, error)) from None
    # here only when the deadline cancelled the call
    raise StateHandlerError(
        VerificationProblem(
            kind, f"the state-change URL did not answer within {timeout:g} s ({action} of {_label(state)})"
        )
    )


def _values(value: object, state: ProviderState) -> Mapping[str, JSON]:
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return value
    raise StateHandlerError(
        VerificationProblem(
            "state",
            f"the handler for {_label(state)} gave {value!r} ({type(value).__name__}); it may return or yield "
            "a dict of values for provider-state generators, or None",
        )
    )


def _label(state: ProviderState) -> str:
    text = f"provider state {state.name!r}"
    if state.params:
        text += " with params " + json.dumps(state.params, ensure_ascii=False, sort_keys=True)
    return text
