"""The `Verifier`: configuration, provider-state handlers, and ``verify()``.

How a run goes: read the sources; choose the interactions (provider name, filters,
pending policy, missing handlers); open the target (run the app's lifespan, start the
server, or just connect); replay the interactions in *units* (below); build the result
in the pacts' order; close the target.

**The provider-state rule.** At any moment, the interactions in flight all need the
same provider states (possibly none), set up before the first of them and torn down
after the last:

* interactions without provider states form one unit and run concurrently (at most
  ``concurrency`` at a time);
* interactions whose states all have handlers registered with ``shared=True`` are
  grouped by their states (names and params); each group is a unit: setup once, its
  interactions concurrently, teardown once;
* every other interaction with provider states is a unit of its own: setup, the
  request, teardown, with nothing else in flight, exactly as the official verifiers
  replay every interaction.

Units run one after another. So a handler never has its teardown interleave with a
request that needs its state, and no request sees another state's data; concurrency
comes from interactions that need no state or share a state declared shareable.
``concurrency=1`` replays everything strictly one by one, in the pacts' order.

Message interactions (V3 message pacts, V4 asynchronous and synchronous messages) go
through the same units: their states are set up by the same handlers, and instead of a
request, the producer registered for the message (``@verifier.message(...)``, see
`_messages`) makes it, to be matched against the pact.
"""

from __future__ import annotations

import bisect
import json
import os
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal, TypeVar

import anyio
import httpx

from .._core._frozen import builder
from .._core._types import JSON, ASGIApp
from ..errors import ProviderStartError
from ..matching import Mismatch
from ..pact import _jsondepth
from ..pact._request_check import header_problem, request_problems, response_misfit
from ..pact.model import HttpInteraction, HttpResponse, Interaction, MessageContents, ProviderState, find_header
from . import _asgi
from ._bounded import ScopeClass, Spare, scope_class
from ._endpoint import MessageEndpoint
from ._hints import Hints
from ._messages import (
    ANY_MESSAGE,
    METADATA_HEADER,
    MessageInteraction,
    MessageProducer,
    Post,
    Producer,
    ProducerKey,
    fetching_producer,
    find_producer,
    make_catch_all,
    make_producer,
    missing_producer,
)
from ._process import Server, StartInterruptedError, started_server
from ._replay import Replayed, RequestFilter, Settings, invalid_request, invalid_response, replay, replay_http
from ._result import InteractionResult, PactResult, Status, VerificationProblem, VerificationResult, exception_line
from ._sources import Auth, PactSource, Source, load_sources
from ._states import (
    Handler,
    ProviderStates,
    StateChange,
    StateChangeError,
    StateHandler,
    StateHandlerError,
    WithCatchAll,
    make_handler,
    missing_states,
)
from ._targets import (
    AppSender,
    HttpSender,
    NoTarget,
    Outgoing,
    Sender,
    SendError,
    http_client,
    send_retrying,
    tls_for,
    url_problem,
)
from ._wsgi import Interface, WSGIApp, app_name, asgi_app

#: interactions in flight at once by default: enough to overlap a provider's I/O waits,
#: few enough not to swamp a test database's connection pool
DEFAULT_CONCURRENCY = 4

#: what to do with pending interactions (V4 ``pending``, or a pact a broker says is
#: pending): ``report`` replays them and reports a failure as ``pending`` without failing
#: the verification; ``enforce`` treats them as any other; ``skip`` leaves them out
PendingPolicy = Literal["report", "enforce", "skip"]

F = TypeVar("F", bound=StateHandler)
P = TypeVar("P", bound=MessageProducer)


class Verifier:
    """Verifies that a provider honours the pacts its consumers wrote.

    ```python
    verifier = Verifier("Grill Chef", app=app)              # in-process, no socket

    @verifier.state("steaks are available")
    async def steaks_available(params):
        await db.insert_steaks(params.get("count", 3))
        yield {"steakId": 42}             # values for provider-state generators
        await db.clear()                  # teardown

    result = await verifier.verify("pacts/")
    result.assert_ok()
    ```

    Give one target for HTTP interactions: ``app`` (an ASGI app, called in-process, its
    lifespan run around the verification; or a WSGI app such as Flask's, called in
    worker threads; ``interface="asgi"`` or ``"wsgi"`` says which when apact cannot tell
    from the callable, and what is neither raises ``ValueError`` here, saying what to
    pass), ``base_url`` (a running server), or
    ``command`` (a server apact starts on a free loopback port: ``"uvicorn app:app
    --port {port}"``, ready when ``readiness_url`` answers below 500, stopped at the
    end). With ``command``, ``base_url`` may say where the server's routes start
    (``"http://127.0.0.1:{port}/api"``). Messages need no target, only producers
    (``@verifier.message(...)``): a verifier for message pacts alone takes none.
    A 3xx answer is followed on the target, as the official verifier follows it;
    ``follow_redirects=False`` makes it the response to match.
    """

    def __init__(
        self,
        provider: str,
        *,
        app: ASGIApp | WSGIApp | None = None,
        interface: Interface = "auto",
        base_url: str | None = None,
        command: str | Sequence[str] | None = None,
        readiness_url: str = "/",
        env: Mapping[str, str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
        startup_timeout: float = 30.0,
        stop_timeout: float = 5.0,
        lifespan: bool = True,
        state_change_url: str | None = None,
        state_change_teardown: bool = True,
        message_url: str | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        request_timeout: float = 10.0,
        headers: Mapping[str, str] | None = None,
        request_filters: Sequence[RequestFilter] = (),
        ignore_missing_states: bool = False,
        pending: PendingPolicy = "report",
        follow_redirects: bool = True,
        call_without_state: bool = False,
        skip_plugin_interactions: bool = False,
    ) -> None:
        if sum(target is not None for target in (app, command)) > 1 or (app is not None and base_url is not None):
            raise ValueError("give one target: app=, base_url= or command= (base_url= may go with command=)")
        for option, url in (("state_change_url", state_change_url), ("message_url", message_url)):
            if app is None and base_url is None and command is None and url is not None and url.startswith("/"):
                raise ValueError(
                    f"{option}={url!r} is a path on the target, and this Verifier has none: "
                    "give app=, base_url= or command=, or a full URL"
                )
        if command is not None and base_url is None and "{port}" not in " ".join(_words(command)):
            raise ValueError(
                "the command has no {port} placeholder, so apact cannot tell it where to listen: "
                "add {port}, or pass base_url= with the address it listens on"
            )
        urls = (("base_url", base_url), ("state_change_url", state_change_url), ("message_url", message_url))
        for option, url in urls:
            problem = url_problem(url) if url is not None and (option == "base_url" or url[:1] != "/") else None
            if problem is not None:
                raise ValueError(f"{option}={url!r} {problem}")
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        timeouts = (("request_timeout", request_timeout), ("startup_timeout", startup_timeout))
        for option, seconds in (*timeouts, ("stop_timeout", stop_timeout)):
            if not seconds > 0:  # (NaN too: no deadline can be set from it)
                raise ValueError(f"{option} must be positive, got {seconds}")
        if pending not in ("report", "enforce", "skip"):
            raise ValueError(f"pending must be 'report', 'enforce' or 'skip', got {pending!r}")
        for name, value in (headers or {}).items():
            problem = header_problem(name, value)
            if problem is not None:
                raise ValueError(f"headers= {name!r}: {problem}")
        if interface not in ("auto", "asgi", "wsgi"):
            raise ValueError(f"interface must be 'auto', 'asgi' or 'wsgi', got {interface!r}")
        self.provider = provider
        self._app: ASGIApp | None = None
        self._app_label = ""
        self._lifespan_app = False  # a WSGI app has no lifespan
        if app is not None:  # a WSGI app, or what is neither, is told here, not on every request
            self._app, kind = asgi_app(app, interface)
            self._app_label = f"in-process {kind.upper()} app {app_name(app)}"
            self._lifespan_app = kind == "asgi"
        self._base_url = base_url
        self._command = command
        self._readiness_url = readiness_url
        self._env = env
        self._cwd = cwd
        self._startup_timeout = startup_timeout
        self._stop_timeout = stop_timeout
        self._lifespan = lifespan
        self._state_change_url = state_change_url
        self._state_change_teardown = state_change_teardown
        self._message_url = message_url
        self.concurrency = concurrency
        self.request_timeout = request_timeout
        self._headers = dict(headers or {})
        self._filters = tuple(request_filters)
        self._ignore_missing_states = ignore_missing_states
        self._pending: PendingPolicy = pending
        self._follow_redirects = follow_redirects
        self._call_without_state = call_without_state
        self._skip_plugin_interactions = skip_plugin_interactions
        self._catch_all: Handler | None = None
        self._handlers: dict[str, Handler] = {}
        self._producers: dict[ProducerKey, Producer] = {}
        #: what errors tell the user to do, when not in the Python API's words (``apact verify``'s)
        self._hints: Hints | None = None

    # -- provider states --------------------------------------------------------------------

    def state(self, name: str, *, shared: bool = False) -> Callable[[F], F]:
        """Register the decorated function as the handler of provider state ``name``.

        The handler gets the state's params (a dict) if it takes an argument. It may be
        sync or async; a (sync or async) generator function tears the state down after
        its ``yield``. A dict it returns or yields gives values to ``fromProviderState``
        generators (added to the state's params). ``shared=True`` declares that
        interactions needing this state (with the same params) may share one setup and
        run concurrently: right for states the interactions only read.
        """

        def register(function: F) -> F:
            if name in self._handlers:
                raise ValueError(f"provider state {name!r} already has a handler: {self._handlers[name].function!r}")
            self._handlers[name] = make_handler(name, function, shared=shared)
            return function

        return register

    def any_state(self, function: F | None = None, *, shared: bool = False) -> Any:  # noqa: ANN401
        """Register the decorated function as the handler of every provider state
        without a handler of its own (as pact-python's ``state_handler(fn)`` routes every
        state through one function). It gets the state's name, then the params if it
        takes a second argument; otherwise it is a handler like those of
        `state` (sync or async, a generator tears down, a dict gives values).
        With ``Verifier(call_without_state=True)`` it is also called, with the name
        ``""``, for each interaction that has no provider state, as the official
        verifiers call their state-change URL (so a handler that resets data runs
        before every interaction)."""

        def register(handler: F) -> F:
            if self._catch_all is not None:
                raise ValueError(f"a catch-all state handler is already registered: {self._catch_all.function!r}")
            self._catch_all = make_handler("(any state)", handler, shared=shared)
            return handler

        return register(function) if function is not None else register

    @property
    def _all_handlers(self) -> Mapping[str, Handler]:
        # the plain dict without a catch-all: looked up a few times per interaction,
        # and a dict's ``get`` is C where the wrapper's is two Python calls
        if self._catch_all is None:
            return self._handlers
        return WithCatchAll(self._handlers, self._catch_all)

    def _states_of(self, interaction: Interaction) -> tuple[ProviderState, ...]:
        """The states to set up for ``interaction``: its own, or with
        ``call_without_state`` and something to call, the state ``""``."""
        states = interaction.provider_states
        if not states and self._call_without_state and (self._catch_all or self._state_change_url is not None):
            return (ProviderState(""),)
        return states

    # -- messages ---------------------------------------------------------------------------------

    def message(self, description: str, *, state: str | None = None) -> Callable[[P], P]:
        """Register the decorated function as the producer of the message called
        ``description`` in the pacts (only when it has provider state ``state``, if
        given; such a producer wins over one registered without a state).

        It may be sync or async. For an asynchronous message it gets the provider-state
        values (the states' params, and what their handlers returned) if it takes an
        argument; for a synchronous message it gets the request message (an
        `apact.Message`) first, then those values if it takes two. It returns the
        message: an `apact.Message`, or just its contents (a dict or list is
        JSON, ``str`` text, ``bytes`` binary); a list of ``Message`` for a synchronous
        message with several responses.
        """

        def register(function: P) -> P:
            producer = make_producer(description, state, function)
            key = (description, state)
            if key in self._producers:
                raise ValueError(
                    f"message {producer.label()} already has a producer: {self._producers[key].function!r}"
                )
            self._producers[key] = producer
            return function

        return register

    def any_message(self, function: P) -> P:
        """Register ``function`` (usable as a decorator) as the producer of every message
        without a producer of its own: it gets the message's description first, then
        what such a producer would get (the request message for a synchronous one, the
        provider-state values), and returns the message as `message` producers do."""
        if ANY_MESSAGE in self._producers:
            raise ValueError(
                f"a catch-all message producer is already registered: {self._producers[ANY_MESSAGE].function!r}"
            )
        self._producers[ANY_MESSAGE] = make_catch_all(function)
        return function

    def message_app(self) -> ASGIApp:
        """An ASGI app serving this verifier's producers and provider states the way the
        official Pact verifiers fetch messages: ``POST /_pact/message`` answers with the
        message (its contents as the body, its metadata base64-encoded JSON in the
        ``Pact-Message-Metadata`` header), ``POST /_pact/state`` sets provider states
        up and tears them down. Serve it, point the official verifier's message
        transport at it, and an apact producer set is verified by the official tools."""
        return MessageEndpoint(
            self._producers, WithCatchAll(self._handlers, self._catch_all), timeout=self.request_timeout
        )

    # -- verifying --------------------------------------------------------------------------------

    async def verify(
        self,
        *sources: Source,
        auth: Auth = None,
        consumers: str | Collection[str] | None = None,
        description: str | re.Pattern[str] | None = None,
        state: str | re.Pattern[str] | None = None,
        no_state: bool = False,
        fail_fast: bool = False,
        on_result: Callable[[InteractionResult, int, int], None] | None = None,
    ) -> VerificationResult:
        """Replay the interactions of the pacts in ``sources`` (files, directories of
        ``*.json`` files, HTTP(S) URLs fetched with ``auth``, ``PactFile`` objects)
        against the provider and return what was found.

        ``consumers`` keeps the pacts of these consumers only; ``description`` and
        ``state`` (regular expressions, searched) keep the interactions whose
        description or one of whose provider states match; ``no_state`` keeps those
        without provider states; the others are reported as skipped. ``fail_fast``
        stops at the first failure (the interactions not yet started are skipped).
        ``on_result(result, done, total)`` is called as each interaction's verdict is
        known (``done`` of the ``total`` interactions of the chosen pacts, those left
        out first), e.g. for a progress line; it runs on the event loop: keep it quick.

        Raises `PactFileError` for a source that cannot be read and
        `ProviderStartError` for a provider that cannot be started;
        a provider that does not honour a pact is a result, not an exception (see
        `VerificationResult.assert_ok`).
        """
        return await self._verify(
            sources,
            auth=auth,
            consumers=consumers,
            description=description,
            state=state,
            no_state=no_state,
            fail_fast=fail_fast,
            on_result=on_result,
        )

    def verify_sync(
        self,
        *sources: Source,
        auth: Auth = None,
        consumers: str | Collection[str] | None = None,
        description: str | re.Pattern[str] | None = None,
        state: str | re.Pattern[str] | None = None,
        no_state: bool = False,
        fail_fast: bool = False,
        on_result: Callable[[InteractionResult, int, int], None] | None = None,
        backend: Literal["asyncio", "trio"] = "asyncio",
    ) -> VerificationResult:
        """`verify` for sync tests and scripts: runs the verification on a new
        event loop (``backend``) and returns its result, blocking until it ends. It
        refuses (``RuntimeError``) where an event loop already runs: there, ``await
        verifier.verify(...)``. State handlers and producers may be sync or async
        as with `verify`."""
        from ._blocking import run_blocking

        async def run() -> VerificationResult:
            return await self.verify(
                *sources,
                auth=auth,
                consumers=consumers,
                description=description,
                state=state,
                no_state=no_state,
                fail_fast=fail_fast,
                on_result=on_result,
            )

        return run_blocking(run, backend, "verifier.verify_sync()")

    async def _verify(
        self,
        sources: Sequence[Source],
        *,
        auth: Auth = None,
        consumers: str | Collection[str] | None = None,
        description: str | re.Pattern[str] | None = None,
        state: str | re.Pattern[str] | None = None,
        no_state: bool = False,
        fail_fast: bool = False,
        on_result: Callable[[InteractionResult, int, int], None] | None = None,
        interrupt: anyio.Event | None = None,
        before_stop: Callable[[VerificationResult], Awaitable[None]] | None = None,
    ) -> VerificationResult:
        """`verify`, and what ``apact verify`` needs besides: ``interrupt`` (set
        on SIGINT or SIGTERM) stops the replay, leaving a result marked interrupted
        with what was verified so far; ``before_stop`` gets the result before the
        target is closed (a started server stopped), so the report is out at once and
        a stop cut short loses nothing."""
        if not sources:
            raise ValueError("verify() needs at least one source: a pact file, a directory or a URL")
        started = time.perf_counter()
        loaded = await load_sources(sources, auth=auth, timeout=max(self.request_timeout, 30.0))
        run = _Run(fail_fast=fail_fast, on_result=on_result, scope_of=scope_class())
        selection = _Selection(
            consumers={consumers} if isinstance(consumers, str) else set(consumers) if consumers is not None else None,
            description=re.compile(description) if isinstance(description, str) else description,
            state=re.compile(state) if isinstance(state, str) else state,
            no_state=no_state,
        )
        pacts = self._choose(loaded, selection, run)
        run.count(sum(len(pact.items) for pact in pacts))
        units = self._plan(item for pact in pacts for item in pact.items if item.key not in run.results)
        try:
            async with self._open_target(interrupt) as (sender, server, target):
                run.server = server
                async with self._message_fetcher(sender) as fetch:
                    settings = Settings(
                        sender,
                        self.request_timeout,
                        self._headers,
                        self._filters,
                        producers=self._producers,
                        fetch=fetch,
                        follow_redirects=self._follow_redirects,
                    )
                    async with self._state_changer(sender) as change:
                        await self._run_units(units, settings, change, run, interrupt)
                if server is not None:
                    run.attach_output(server)
                result = self._result(pacts, run, started, target)
                if server is not None and server.died:
                    raise _died(server, run, result)
                if before_stop is not None:
                    await before_stop(result)
        except StartInterruptedError:  # while the server was getting ready: it is stopped, nothing was run
            run.stop(_INTERRUPTED)
            result = self._result(
                pacts, run, started, f"a server not started yet: {' '.join(_words(self._command or ''))}"
            )
            if before_stop is not None:
                await before_stop(result)
        duration = time.perf_counter() - started
        if before_stop is None:  # no one has seen the result yet: its duration is set, not copied
            object.__setattr__(result, "duration", duration)
            return result
        return replace(result, duration=duration)

    async def _run_units(
        self,
        units: list[list[_Item]],
        settings: Settings,
        change: StateChange | None,
        run: _Run,
        interrupt: anyio.Event | None,
    ) -> None:
        """Run the units one after another, until the end, an interruption, or the
        started server's exit (the units in flight are cancelled: their states are
        still torn down)."""
        if interrupt is None and run.server is None:  # nothing to watch (the API: an app or a URL)
            with Spare(run.scope_of) as spare:
                for unit in units:
                    await self._run_unit(unit, settings, change, run, spare)
            return
        failure: Exception | None = None  # (an on_result callback's): raised as itself, not in a group
        with anyio.CancelScope() as replaying:

            async def stop_when(event: anyio.Event, reason: str) -> None:
                await event.wait()
                run.stop(reason)
                replaying.cancel()

            async with anyio.create_task_group() as watchers:
                if interrupt is not None:
                    watchers.start_soon(stop_when, interrupt, _INTERRUPTED)
                if run.server is not None:
                    watchers.start_soon(stop_when, run.server.exited, _SERVER_EXITED)
                # the steps of the replay (setup, request, teardown) start in one spare
                # scope rather than a scope each (see `._bounded.Spare`)
                try:
                    with Spare(run.scope_of) as spare:
                        for unit in units:
                            await self._run_unit(unit, settings, change, run, spare)
                except Exception as error:
                    failure = error
                watchers.cancel_scope.cancel()
        if failure is not None:
            raise failure

    def _result(self, pacts: list[_Pact], run: _Run, started: float, target: str) -> VerificationResult:
        notices = list(run.notices)
        interrupted = run.stop_reason == _INTERRUPTED
        if interrupted:
            verified = sum(1 for r in run.results.values() if r.status != "skipped")
            notices.append(
                f"the verification was interrupted: {verified} interaction{'s' if verified != 1 else ''} verified "
                "before, the others not run"
            )
        return VerificationResult(
            self.provider,
            tuple(pact.result(run) for pact in pacts),
            time.perf_counter() - started,
            tuple(notices),
            target,
            interrupted,
        )

    def _choose(self, loaded: list[PactSource], selection: _Selection, run: _Run) -> list[_Pact]:
        pacts: list[_Pact] = []
        for number, source in enumerate(loaded):
            pact = source.pact
            if pact.provider != self.provider:
                run.notices.append(
                    f"left out {source.origin}: it is a pact with provider {pact.provider!r}, not {self.provider!r}"
                )
                continue
            if selection.consumers is not None and pact.consumer not in selection.consumers:
                continue
            run.notices.extend(source.notices)
            run.notices.extend(f"{source.origin}: {warning}" for warning in pact.warnings)
            chosen = _Pact(source, number)
            in_pact = pact_plugins(pact.metadata)
            handlers = self._all_handlers
            # (what the loop below would ask each interaction the same: it runs per interaction)
            filtered = selection.filters
            skip_pending = self._pending == "skip"
            check_states = not self._ignore_missing_states and self._state_change_url is None
            for index, interaction in enumerate(pact.interactions):
                item = _Item(
                    chosen,
                    index,
                    interaction,
                    source.pending or interaction.pending,
                    interaction.provider_states or self._states_of(interaction),
                )
                chosen.items.append(item)
                reason = selection.reason_to_leave_out(interaction) if filtered else None
                if reason is None and skip_pending and item.pending:
                    reason = "pending (the verifier skips pending interactions: pending='skip')"
                plugins = needed_plugins(interaction, in_pact) if interaction.extra else None
                if reason is None and plugins:
                    said = f"not run: needs {plugins} (apact runs no Pact plugins)"
                    if not self._skip_plugin_interactions:
                        problem = VerificationProblem("plugin", said)
                        run.record(item, self._judged(item, (), (problem,), None, None, None, 0.0))
                        continue
                    reason = said + "; skipped: skip_plugin_interactions=True"
                if reason is not None:
                    run.record(item, _result(item, "skipped", reason=reason))
                    continue
                if (
                    not isinstance(interaction, HttpInteraction)
                    and self._message_url is None
                    and find_producer(self._producers, interaction) is None
                ):
                    no_producer = missing_producer(
                        self._producers, interaction, None if self._hints is None else self._hints.missing_producer
                    )
                    run.record(item, self._judged(item, (), (no_producer,), None, None, None, 0.0))
                    continue
                if isinstance(interaction, HttpInteraction):
                    problems = request_problems(interaction.request)
                    if problems:  # nothing is sent for it, and its states are not set up
                        error = invalid_request(problems, f"$.interactions[{index}].request")
                        run.record(item, self._judged(item, (), (error,), None, None, None, 0.0))
                        continue
                    misfit = response_misfit(interaction.response)
                    if misfit is not None:  # no answer can match it: nothing is sent either
                        error = invalid_response(misfit, f"$.interactions[{index}].response.body")
                        run.record(item, self._judged(item, (), (error,), None, None, None, 0.0))
                        continue
                if check_states:
                    for state in item.states:
                        if state.name not in handlers:
                            run.record(item, self._missing(item, missing_states(item.states, handlers, False)))
                            break
            pacts.append(chosen)
        return pacts

    def _missing(self, item: _Item, missing: list[str]) -> InteractionResult:
        names = ", ".join(repr(name) for name in missing)
        if self._hints is not None:
            message = f"no way to set up provider state {names}: {self._hints.missing_state.format(name=missing[0])}"
        else:
            known = ", ".join(repr(name) for name in sorted(self._handlers)) or "none"
            message = (
                f"no handler for provider state {names}: register one with @verifier.state({missing[0]!r}), "
                f"give a state_change_url=, or pass ignore_missing_states=True (handlers registered: {known})"
            )
        return self._judged(item, (), (VerificationProblem("missing state", message),), None, None, None, 0.0)

    def _plan(self, items: Iterator[_Item]) -> list[list[_Item]]:
        """Split the interactions into units (see the module docstring)."""
        units: list[list[_Item]] = []
        shared: dict[str, list[_Item]] = {}
        handlers = self._all_handlers
        by_url = self._state_change_url is not None
        for item in items:
            states = item.states
            shareable = True  # (a loop, not all() over a generator: this runs per interaction)
            for state in states:
                handler = handlers.get(state.name)
                # (a missing state, ignored, does nothing: it is shared unless a URL sets it up)
                if not (handler.shared if handler is not None else not by_url):
                    shareable = False
                    break
            key = _unit_key(states) if shareable else None
            if key is not None:
                if key not in shared:
                    shared[key] = []
                    units.append(shared[key])
                shared[key].append(item)
            else:
                units.append([item])
        return units

    async def _run_unit(
        self, unit: list[_Item], settings: Settings, change: StateChange | None, run: _Run, spare: Spare | None = None
    ) -> None:
        if run.stop_reason is not None:  # (`_Run.stopped`, minus a call per interaction)
            for item in unit:
                run.record(item, _not_run(item, run))
            return
        states = unit[0].states
        alone = len(unit) == 1
        started = time.perf_counter()
        if alone:
            run.begin(unit[0])  # its setup and teardown are its own: their output too
        try:
            # (``async with``, minus the two coroutines of ``__aenter__`` and ``__aexit__``
            # when the states are set up and torn down at once: this runs per interaction)
            around = ProviderStates(states, self._all_handlers, change, self.request_timeout, run.scope_of, spare)
            entered = around.enter()
            values = entered if type(entered) is dict else await entered  # type: ignore[misc]
            try:
                if alone:
                    await self._replay(unit[0], values, settings, run, started, spare)
                else:
                    await self._replay_all(unit, values, settings, run)
            finally:
                rest = around.exit()
                if rest is not None:
                    await rest
        except StateHandlerError as failure:
            for item in unit:
                previous = run.results.get(item.key)
                if previous is None:
                    run.record(
                        item, self._judged(item, (), (failure.error,), None, None, None, time.perf_counter() - started)
                    )
                elif previous.status != "skipped":
                    duration = time.perf_counter() - started if alone else previous.duration
                    errors = (*previous.errors, failure.error)
                    run.record(
                        item,
                        self._judged(
                            item,
                            previous.mismatches,
                            errors,
                            previous.request,
                            previous.response,
                            previous.expected,
                            duration,
                        ),
                    )
        else:
            if alone:
                key = unit[0].key
                result = run.results.get(key)
                if result is not None:
                    duration = time.perf_counter() - started
                    if run.on_result is None:  # no one has seen the result yet: it is set, not copied
                        object.__setattr__(result, "duration", duration)
                    else:
                        run.results[key] = _with_duration(result, duration)

    async def _replay_all(self, unit: list[_Item], values: Mapping[str, JSON], settings: Settings, run: _Run) -> None:
        pending = iter(unit)

        async def worker() -> None:
            for item in pending:  # one shared iterator: each item goes to one worker
                if run.stopped:
                    run.record(item, _not_run(item, run))
                else:
                    run.begin(item)
                    await self._replay(item, values, settings, run, time.perf_counter())

        async with anyio.create_task_group() as group:
            for _ in range(min(self.concurrency, len(unit))):
                group.start_soon(worker)

    async def _replay(
        self,
        item: _Item,
        values: Mapping[str, JSON],
        settings: Settings,
        run: _Run,
        started: float,
        spare: Spare | None = None,
    ) -> None:
        """Replay one interaction and record its verdict: whatever goes wrong in it is
        its failure, never the end of the run (cancellation aside)."""
        try:
            where = f"$.interactions[{item.index}].request"
            interaction = item.interaction
            if isinstance(interaction, HttpInteraction):  # (`replay`, minus a call per interaction)
                replayed = await replay_http(interaction, item.spec, values, settings, where=where, spare=spare)
            else:
                replayed = await replay(interaction, item.spec, values, settings, where=where, spare=spare)
        except Exception as error:
            failure = VerificationProblem.from_exception(
                "internal", f"verifying it raised {exception_line(error)}", error
            )
            replayed = Replayed(errors=(failure,))
        duration = time.perf_counter() - started
        if replayed.mismatches or replayed.errors:
            result = self._judged(
                item,
                replayed.mismatches,
                replayed.errors,
                replayed.request,
                replayed.response,
                replayed.expected,
                duration,
            )
        else:  # (what `_judged` gives a replay that passed, minus a call per interaction)
            result = _result(item, "passed", (), (), duration, None, replayed.request)
        if result.status != "passed" and run.server is not None and not run.server.died:
            await run.server.settled()  # a server logs an error's traceback just after it answers
        run.record(item, result)

    def _judged(
        self,
        item: _Item,
        mismatches: tuple[Mismatch, ...],
        errors: tuple[VerificationProblem, ...],
        request: str | None,
        response: HttpResponse | MessageContents | None,
        expected: HttpResponse | MessageContents | None,
        duration: float,
    ) -> InteractionResult:
        bad = bool(mismatches or errors)
        status: Status = ("pending" if item.pending and self._pending == "report" else "failed") if bad else "passed"
        return _result(
            item,
            status,
            mismatches,
            errors,
            duration,
            None,  # reason
            request,
            response if bad else None,
            expected if bad else None,
        )

    # -- targets --------------------------------------------------------------------------------

    @asynccontextmanager
    async def _open_target(
        self, interrupt: anyio.Event | None = None
    ) -> AsyncIterator[tuple[Sender, Server | None, str]]:
        if self._app is not None:
            if self._lifespan and self._lifespan_app:
                state: dict[str, object] = {}
                async with _asgi.lifespan(self._app, state, self._startup_timeout):
                    yield AppSender(self._app, state), None, self._app_label
            else:
                yield AppSender(self._app, None), None, self._app_label
        elif self._command is not None:
            tls = tls_for(self._base_url or "http://", trust_env=False)  # one per run, shared by its clients
            async with (
                started_server(
                    self._command,
                    base_url=self._base_url or "http://127.0.0.1:{port}",
                    readiness_url=self._readiness_url,
                    startup_timeout=self._startup_timeout,
                    stop_timeout=self._stop_timeout,
                    env=self._env,
                    cwd=self._cwd,
                    give_up=interrupt,
                ) as server,
                http_client(self.request_timeout, self.concurrency, trust_env=False, tls=tls) as client,
                http_client(
                    self.request_timeout, self.concurrency, trust_env=False, keep_alive=False, tls=tls
                ) as fresh,
            ):
                sender = HttpSender(client, server.base_url, server.explain, fresh=fresh)
                yield sender, server, f"{server.base_url} (started: {' '.join(server.command)})"
        elif self._base_url is not None:
            tls = tls_for(self._base_url, trust_env=True)
            async with (
                http_client(self.request_timeout, self.concurrency, tls=tls) as client,
                http_client(self.request_timeout, self.concurrency, keep_alive=False, tls=tls) as fresh,
            ):
                yield HttpSender(client, self._base_url, fresh=fresh), None, self._base_url
        else:
            yield NoTarget(), None, "no HTTP target: messages only"

    @asynccontextmanager
    async def _poster(self, url: str, sender: Sender) -> AsyncIterator[Post]:
        """A function posting JSON to ``url``: a URL starting with ``/`` goes to the
        target itself (an in-process app too), any other over HTTP."""

        async def to_target(body: bytes) -> tuple[int, str | None, str | None, bytes]:
            path, _, query = url.partition("?")
            received = await sender.send(
                Outgoing("POST", path, query, (("Content-Type", "application/json"),), body), self.request_timeout
            )
            response = received.response
            header = find_header(response.headers, METADATA_HEADER)
            data = response.body.content if response.body is not None else b""
            return response.status, response.content_type(), header[0] if header else None, data

        if url.startswith("/"):
            yield to_target
            return
        async with (
            httpx.AsyncClient(timeout=self.request_timeout) as client,
            http_client(self.request_timeout, 1, keep_alive=False) as fresh,
        ):

            async def over_http(body: bytes) -> tuple[int, str | None, str | None, bytes]:
                response, content = await send_retrying(
                    client,
                    fresh,
                    lambda: client.build_request(
                        "POST", url, content=body, headers={"Content-Type": "application/json"}
                    ),
                )
                headers = response.headers
                return response.status_code, headers.get("content-type"), headers.get(METADATA_HEADER), content

            yield over_http

    def _state_changer(self, sender: Sender) -> AbstractAsyncContextManager[StateChange | None]:
        """The function that posts to the state-change URL (``None`` without one: no
        generator-based manager, which costs a short run more than its requests' build)."""
        url = self._state_change_url
        if url is None:
            return nullcontext(None)
        return self._changing(url, sender)

    @asynccontextmanager
    async def _changing(self, url: str, sender: Sender) -> AsyncIterator[StateChange]:
        teardown = self._state_change_teardown
        async with self._poster(url, sender) as post:

            async def change(state: ProviderState, action: str) -> Mapping[str, JSON] | None:
                if action == "teardown" and not teardown:
                    return None
                body = json.dumps(
                    {"action": action, "params": state.params, "state": state.name}, sort_keys=True
                ).encode()
                try:
                    status, content_type, _, data = await post(body)
                except SendError as failure:  # said in full already: no traceback of apact's own
                    raise StateChangeError(failure.error.message) from None
                except httpx.HTTPError as error:
                    raise StateChangeError(f"cannot POST to {url}: {exception_line(error)}") from None
                if not 200 <= status < 300:
                    raise StateChangeError(f"{url} answered {status}: {data[:200].decode(errors='replace')}")
                if data.strip() and content_type and "json" in content_type:
                    # an answer that is not JSON as apact reads it anywhere (not JSON, NaN,
                    # past 127 levels) gives no values, and the setup stands: the official
                    # verifier passes such an interaction too (docs/conformance.md)
                    try:
                        value = _jsondepth.loads(data)
                    except ValueError:  # (JsonTooDeepError too)
                        return None
                    return value if isinstance(value, dict) else None
                return None

            yield change

    def _message_fetcher(
        self, sender: Sender
    ) -> AbstractAsyncContextManager[Callable[[MessageInteraction], Producer] | None]:
        """For messages without a producer: one that fetches them from ``message_url``
        (``None`` without one, as in `_state_changer`)."""
        url = self._message_url
        if url is None:
            return nullcontext(None)
        return self._fetching(url, sender)

    @asynccontextmanager
    async def _fetching(self, url: str, sender: Sender) -> AsyncIterator[Callable[[MessageInteraction], Producer]]:
        async with self._poster(url, sender) as post:
            yield lambda interaction: fetching_producer(interaction, url, post)


def _unit_key(states: Sequence[ProviderState]) -> str | None:
    """What interactions sharing one setup of ``states`` have in common, or ``None``
    for params that cannot be compared (too deep to serialise): a unit of its own."""
    if not states:
        return ""
    try:
        return json.dumps([[s.name, s.params] for s in states], sort_keys=True, default=str)
    except (RecursionError, ValueError, TypeError):
        return None


def _words(command: str | Sequence[str]) -> list[str]:
    return [command] if isinstance(command, str) else [str(part) for part in command]


# -- bookkeeping for one run -----------------------------------------------------------------------


@dataclass(slots=True)
class _Pact:
    source: PactSource
    number: int
    items: list[_Item] = field(default_factory=list)

    def result(self, run: _Run) -> PactResult:
        pact = self.source.pact
        return PactResult(
            pact.consumer,
            pact.provider,
            self.source.origin,
            tuple(run.results.get(item.key) or _not_run(item, run) for item in self.items),
            self.source.pending,
            pact,
        )


class _Item:
    """One interaction of a chosen pact, as the run handles it. (A plain class: one is
    made per interaction, and a dataclass's ``__init__`` and ``__post_init__`` cost two
    calls.)"""

    __slots__ = ("spec", "index", "interaction", "pending", "states", "key")

    def __init__(
        self, pact: _Pact, index: int, interaction: Interaction, pending: bool, states: tuple[ProviderState, ...]
    ) -> None:
        # (not the `_Pact` itself, whose items are these: a run's items and pacts would
        # be a cycle, freed only by the collector, with the pact they hold)
        self.spec = pact.source.pact.spec
        self.index = index
        self.interaction = interaction
        self.pending = pending
        #: the states to set up (`Verifier._states_of`)
        self.states = states
        #: ``(pact number, index)``, the item's key in the run's tables (asked for a
        #: few times per interaction: made once)
        self.key = (pact.number, index)


#: why the interactions not run were not run (``_Run.stop_reason``)
_FAIL_FAST = "fail_fast stopped the verification after a failure"
_INTERRUPTED = "the verification was interrupted"
_SERVER_EXITED = "the provider server exited"


@dataclass(slots=True)
class _Run:
    fail_fast: bool
    on_result: Callable[[InteractionResult, int, int], None] | None = None
    results: dict[tuple[int, int], InteractionResult] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    #: why the run stopped early (one of the reasons above), or ``None``
    stop_reason: str | None = None
    #: how many interactions the chosen pacts have (known once they are chosen)
    total: int | None = None
    #: the server apact started, if any, and where its output was when each
    #: interaction began and got its verdict
    server: Server | None = None
    started: dict[tuple[int, int], int] = field(default_factory=dict)
    ended: dict[tuple[int, int], int] = field(default_factory=dict)
    #: the interactions begun and without a verdict yet
    in_flight: dict[tuple[int, int], _Item] = field(default_factory=dict)
    #: makes the cancel scopes of the states' setup and teardown (see `._bounded.scope_class`)
    scope_of: ScopeClass = anyio.CancelScope

    @property
    def stopped(self) -> bool:
        return self.stop_reason is not None

    def stop(self, reason: str) -> None:
        if self.stop_reason is None:
            self.stop_reason = reason

    def begin(self, item: _Item) -> None:
        self.in_flight[item.key] = item
        if self.server is not None:
            self.started[item.key] = self.server.received

    def record(self, item: _Item, result: InteractionResult) -> None:
        self.results[item.key] = result
        self.in_flight.pop(item.key, None)
        if self.server is not None and item.key in self.started:
            self.ended[item.key] = self.server.received
        if self.fail_fast and result.status == "failed":
            self.stop(_FAIL_FAST)
        if self.on_result is not None and self.total is not None:
            self.on_result(result, len(self.results), self.total)

    def count(self, total: int) -> None:
        """Report each verdict from now on, after those already known."""
        self.total = total
        if self.on_result is not None:
            for done, result in enumerate(list(self.results.values()), 1):
                self.on_result(result, done, total)

    def attach_output(self, server: Server) -> None:
        """Give each interaction that did not pass what the server printed while it
        ran: from its start to the start of the next interaction begun after its
        verdict (its teardown, and the traceback a server logs just after answering)."""
        starts = sorted(self.started.values())
        for key, result in self.results.items():
            if result.status not in ("failed", "pending") or key not in self.started:
                continue
            start, end = self.started[key], self.ended.get(key, server.received)
            later = starts[bisect.bisect_left(starts, end) :]
            output = server.output_between(start, later[0] if later else None).rstrip()
            if output:
                self.results[key] = replace(result, output=output)


@dataclass(frozen=True, slots=True)
class _Selection:
    consumers: set[str] | None
    description: re.Pattern[str] | None
    state: re.Pattern[str] | None
    no_state: bool

    @property
    def filters(self) -> bool:
        """Whether any interaction may be left out (`reason_to_leave_out`)."""
        return self.description is not None or self.state is not None or self.no_state

    def reason_to_leave_out(self, interaction: Interaction) -> str | None:
        if not self.filters:
            return None  # nothing is left out (the usual run)
        if self.description is not None and not self.description.search(interaction.description):
            return f"left out by the description filter {self.description.pattern!r}"
        names = [state.name for state in interaction.provider_states]
        if self.no_state and names:
            return "left out by the no_state filter (it has provider states)"
        if self.state is not None and not any(self.state.search(name) for name in names):
            return f"left out by the state filter {self.state.pattern!r}"
        return None


_RESULT_FIELDS = tuple(f.name for f in fields(InteractionResult))


def _with_duration(result: InteractionResult, duration: float) -> InteractionResult:
    """``replace(result, duration=duration)``, at half the cost (``replace`` checks
    every field and calls the frozen ``__init__``): it runs once per interaction."""
    copied = object.__new__(InteractionResult)
    for name in _RESULT_FIELDS:
        object.__setattr__(copied, name, getattr(result, name))
    object.__setattr__(copied, "duration", duration)
    return copied


def _result(
    item: _Item,
    status: Status,
    mismatches: tuple[Mismatch, ...] = (),
    errors: tuple[VerificationProblem, ...] = (),
    duration: float = 0.0,
    reason: str | None = None,
    request: str | None = None,
    response: HttpResponse | MessageContents | None = None,
    expected: HttpResponse | MessageContents | None = None,
) -> InteractionResult:
    interaction = item.interaction
    interaction_id = interaction.extra.get("_id") if interaction.extra else None
    return _new_result(
        interaction.description,
        interaction.kind,
        status,
        interaction.provider_states,
        mismatches,
        errors,
        duration,
        item.pending,
        reason,
        request,
        response,
        expected,
        item.index,
        interaction.key,
        interaction_id if isinstance(interaction_id, str) else None,
        None,  # output: what a started server printed, attached at the end of the run
        interaction.comments,
    )


#: ``InteractionResult(...)`` given every field, at a fifth of the cost (`._core._frozen`):
#: one per interaction
_new_result = builder(InteractionResult)


def needed_plugins(interaction: Interaction, in_pact: Sequence[str] = ()) -> str | None:
    """What Pact plugin ``interaction`` needs (``plugin protobuf``, ``a plugin for the
    grpc transport``), or ``None``: plugin pacts say so in ``pluginConfiguration`` and
    ``transport``, and only the plugin can check what they hold. A content-type plugin's
    interaction (server-sent events) says it only by its ``interactionMarkup``, which
    only plugins write: it needs the pact's plugins (``in_pact``)."""
    extra = interaction.extra
    if not extra:
        return None  # nothing a plugin would have written (the usual interaction)
    configured = extra.get("pluginConfiguration")
    names = sorted(configured) if isinstance(configured, dict) else []
    transport = extra.get("transport")
    if names:
        return ("plugins " if len(names) > 1 else "plugin ") + ", ".join(names)
    if isinstance(transport, str) and transport.lower() not in ("http", "https", ""):
        return f"a plugin for the {transport} transport"
    if "interactionMarkup" in extra:
        if not in_pact:
            return "a plugin (its interactionMarkup is a plugin's)"
        return ("plugins " if len(in_pact) > 1 else "plugin ") + ", ".join(sorted(in_pact))
    return None


def pact_plugins(metadata: Mapping[str, JSON]) -> list[str]:
    """The names in a pact's ``metadata.plugins`` (the Rust core's list)."""
    listed = metadata.get("plugins")
    entries = listed if isinstance(listed, list) else []
    names = (entry.get("name") for entry in entries if isinstance(entry, dict))
    return [name for name in names if isinstance(name, str)]


def _not_run(item: _Item, run: _Run) -> InteractionResult:
    return _result(item, "skipped", reason=f"not run: {run.stop_reason or _FAIL_FAST}")


def _died(server: Server, run: _Run, result: VerificationResult) -> ProviderStartError:
    """The error of a started server that exited during the verification: with its
    output, what was in flight, and the result so far."""
    # the requests that got no answer (the one that crashed it is among them) and those in flight
    unanswered = [
        r.description for r in result.interactions if any(e.kind in ("transport", "timeout") for e in r.errors)
    ]
    unanswered += [item.interaction.description for item in run.in_flight.values()]
    what = "during the verification"
    if unanswered:
        what += f", leaving without an answer {', '.join(repr(name) for name in dict.fromkeys(unanswered))}"
    what += f" ({result.verified} of {len(result.interactions)} interactions verified before)"
    error = server.died_error(what)
    error.result = result
    return error


__all__ = ["DEFAULT_CONCURRENCY", "PendingPolicy", "Verifier"]
