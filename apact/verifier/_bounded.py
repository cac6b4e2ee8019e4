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

Even without its timer, a scope per step costs three scopes per interaction (about
9 µs, more than the rest of a state's setup and teardown). A `Spare` removes them for
the steps that complete at once: the task that replays enters one scope ahead, and
every step it runs starts inside that scope (its own scopes, if it enters any, nest in
it). A step that completes without suspending leaves the spare as it was, for the next
step; a step that suspends takes the spare as its own scope (its deadline set then,
its shield set before it started), which is left when the step ends, and a new spare
is entered for the steps after it. So a run whose steps never suspend enters one
scope in all, and a step that suspends is bounded exactly as with a scope of its own.
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


class Spare:
    """A cancel scope entered ahead of the steps of one task (see the module docstring):
    ``with Spare(scope_of) as spare:`` around them, each given to `bounded` as
    ``spare=``. Only for steps awaited in the task that entered it, with no scope of
    their caller's still open around them (the steps of a replay, not those of a task
    it starts, nor a step awaited inside another step)."""

    __slots__ = ("_scope_of", "scope")

    def __init__(self, scope_of: ScopeClass) -> None:
        self._scope_of = scope_of
        self.scope: anyio.CancelScope = scope_of()

    def __enter__(self) -> Spare:
        self.scope.__enter__()
        return self

    def __exit__(self, *exc_info: Any) -> bool | None:  # noqa: ANN401
        return self.scope.__exit__(*exc_info)

    def renew(self) -> None:
        """Enter a new spare (the last one was taken by a step that suspended)."""
        scope = self._scope_of()
        scope.__enter__()
        self.scope = scope

    def start(self, step: Step[T] | Coroutine[Any, Any, T], shield: bool = False) -> tuple[bool, Any]:
        """Run ``step`` (not yet started) in the spare up to its first suspension:
        ``(True, its value)`` if it completed, ``(False, what it suspended with)`` if
        not, to be given to `finish`. The step's exceptions propagate as they are.

        (`bounded` with a spare is `start` then `finish`; a caller that runs a step per
        interaction calls them itself, so a step that does not suspend makes no coroutine.)"""
        scope = self.scope
        if shield:
            scope.shield = True  # before the step starts, as a scope of its own would be
        try:
            first = step.send(None)
        except StopIteration as done:
            if shield:
                scope.shield = False
            return True, done.value
        except BaseException:
            if shield:
                scope.shield = False
            raise
        return False, first

    async def finish(self, step: Step[T] | Coroutine[Any, Any, T], first: object, timeout: float) -> T:
        """The rest of a step `start` left suspended: the spare is the step's scope now,
        its deadline counted from here (as in `bounded`), left when the step ends (a new
        spare is entered for the steps after it). Raises `TimedOutError` if cancelled by
        its deadline."""
        scope = self.scope
        scope.deadline = anyio.current_time() + timeout
        try:
            value = await _Resumed(step, first)
        except BaseException as error:
            try:
                swallowed = scope.__exit__(type(error), error, error.__traceback__)
            finally:
                self.renew()
            if not swallowed:
                raise
            raise TimedOutError(f"not done within {timeout:g} s" if scope.cancelled_caught else "cancelled") from None
        try:
            scope.__exit__(None, None, None)
        finally:
            self.renew()
        return value


def bounded(
    step: Step[T] | Coroutine[Any, Any, T],
    timeout: float,
    *,
    shield: bool = False,
    scope_of: ScopeClass = anyio.CancelScope,
    spare: Spare | None = None,
) -> Coroutine[Any, Any, T]:
    """Await ``step`` (not yet started), cancelled after ``timeout`` seconds (raising
    `TimedOutError`); ``shield`` protects it from outer cancellation. Exceptions
    of the step propagate as they are. ``scope_of`` makes the scope (`scope_class`);
    with a ``spare`` (`Spare`), the step starts in it and takes it only if it suspends.

    (A plain function that gives the coroutine to await: one coroutine per step, not
    two, three steps per interaction.)"""
    if spare is not None:
        return _in_spare(step, timeout, shield, spare)
    return _in_scope(step, timeout, shield, scope_of)


async def _in_scope(step: Step[T] | Coroutine[Any, Any, T], timeout: float, shield: bool, scope_of: ScopeClass) -> T:
    """`bounded` in a scope of the step's own."""
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


async def _in_spare(step: Step[T] | Coroutine[Any, Any, T], timeout: float, shield: bool, spare: Spare) -> T:
    """`bounded` in ``spare``'s scope: the step's own until it ends, if it suspends."""
    done, value = spare.start(step, shield)
    if done:
        return value  # type: ignore[no-any-return]
    return await spare.finish(step, value, timeout)


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


__all__ = ["ScopeClass", "Spare", "TimedOutError", "bounded", "scope_class"]
