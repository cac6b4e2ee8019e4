"""Awaiting a step under a deadline, paying for the deadline only when it can matter.

Every replayed interaction awaits three steps under a deadline: its state's setup, the
request (an in-process app), the state's teardown. An anyio cancel scope costs several
microseconds to enter and leave, as much as the rest of apact's work on a request; yet
in-process, most steps never suspend (an app without I/O answers at once; a state
handler that sets a variable yields at once), and a step that never suspends can be
neither interrupted nor late. Half of a scope's cost is its deadline (a timer
scheduled and cancelled), so `bounded` enters a scope without one, runs the step
up to its first suspension by hand, and only if it does suspend gives the scope its
deadline before awaiting the rest: the same behaviour, minus
the timer, for steps that complete synchronously. (The scope itself cannot be left out:
a step may enter scopes of its own before it suspends, and scopes nest.)

``anyio.CancelScope(...)`` looks the running backend up (through sniffio) on every
call, a third of a scope's cost; a run asks `scope_class` once and hands the
backend's own class to `bounded`, which builds its scopes directly.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Generator
from typing import Any, Generic, Protocol, TypeAlias, TypeVar

import anyio

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class TimedOutError(Exception):
    """The step did not finish within its deadline (it was cancelled)."""


class Step(Protocol[T_co]):
    """A coroutine or an async generator's ``__anext__()``/``asend()`` awaitable: what
    can be driven by ``send`` and ``throw``."""

    def send(self, value: Any, /) -> Any: ...  # noqa: ANN401

    def throw(self, error: BaseException, /) -> Any: ...  # noqa: ANN401

    def close(self) -> None: ...


#: what makes a cancel scope: ``anyio.CancelScope`` or the running backend's own class
ScopeClass: TypeAlias = Callable[..., anyio.CancelScope]


def scope_class() -> ScopeClass:
    """The running backend's cancel scope class (called in the event loop): building a
    scope from it skips the backend look-up of ``anyio.CancelScope(...)``."""
    return type(anyio.CancelScope())


async def bounded(
    step: Step[T] | Coroutine[Any, Any, T],
    timeout: float,
    *,
    shield: bool = False,
    scope_of: ScopeClass = anyio.CancelScope,
) -> T:
    """Await ``step`` (not yet started), cancelled after ``timeout`` seconds (raising
    `TimedOutError`); ``shield`` protects it from outer cancellation. Exceptions
    of the step propagate as they are. ``scope_of`` makes the scope (`scope_class`)."""
    with scope_of(shield=shield) as scope:
        try:
            first = step.send(None)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        # counted from the first suspension: what ran before it could not be interrupted
        scope.deadline = anyio.current_time() + timeout
        return await _Resumed(step, first)
    # here only when the scope swallowed its own cancellation: the deadline passed
    raise TimedOutError(f"not done within {timeout:g} s" if scope.cancelled_caught else "cancelled")


class _Resumed(Generic[T]):
    """The rest of a step that suspended once already: what ``await`` would do with it,
    starting from the value it suspended with."""

    __slots__ = ("_step", "_first")

    def __init__(self, step: Step[T] | Coroutine[Any, Any, T], first: object) -> None:
        self._step = step
        self._first = first

    def __await__(self) -> Generator[Any, Any, T]:
        step, pending = self._step, self._first
        while True:
            try:
                sent = yield pending
            except GeneratorExit:
                step.close()
                raise
            except BaseException as error:  # noqa: BLE001 - thrown in (cancellation): the step's to handle
                try:
                    pending = step.throw(error)
                except StopIteration as done:
                    return done.value  # type: ignore[no-any-return]
            else:
                try:
                    pending = step.send(sent)
                except StopIteration as done:
                    return done.value  # type: ignore[no-any-return]


__all__ = ["ScopeClass", "TimedOutError", "bounded", "scope_class"]
