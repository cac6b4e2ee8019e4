"""``Pact`` and its HTTP interaction builder; how a ``Pact`` block works is told in
`apact.consumer` (the package)."""

from __future__ import annotations

import os
import weakref
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar, cast
from urllib.parse import parse_qsl

import anyio
import anyio.to_thread

from .._core import _compat
from .._core._limits import DEFAULT_BODY_TIMEOUT, DEFAULT_MAX_BODY_SIZE, BodyLimits, WholeBodies
from .._core._loops import running_event_loop
from .._core._printable import printable
from .._core._types import JSON
from ..errors import MismatchError
from ..pact import _writer
from ..pact._describe import interaction_line, request_line
from ..pact._parse import body_misfit
from ..pact._request_check import request_problems
from ..pact.model import (
    Body,
    Generator,
    HttpInteraction,
    HttpRequest,
    HttpResponse,
    Interaction,
    RuleList,
    Spec,
)
from . import _raw, bodies
from ._builder import InteractionBuilder, Recorder, check_description
from ._terms import Term, compile_json, compile_text
from .messages import AsyncMessageBuilder, HandlerFailed, SyncMessageBuilder, UnexpectedMessage, UnhandledMessage

if TYPE_CHECKING:  # (imported when a client is first made: `apact stub` starts without it)
    import httpx
from .mock import MockProvider, UnexpectedRequest

__all__ = ["ConsumerMismatchError", "HttpInteractionBuilder", "MissingRequest", "Pact", "SyncPact"]

#: the base URL of ``pact.client`` (requests never leave the process)
CLIENT_BASE_URL = "http://apact.mock"


@dataclass(frozen=True, slots=True)
class MissingRequest:
    """An interaction no request matched."""

    interaction: HttpInteraction

    def render(self) -> str:
        return (
            f"missing request: {interaction_line(self.interaction)} expected "
            f"{request_line(self.interaction.request)}, but no such request was made"
        )


@dataclass(frozen=True, slots=True)
class IncompleteInteraction:
    """An interaction the test did not finish writing."""

    description: str
    missing: str

    def render(self) -> str:
        return f"incomplete interaction: {self.description} has no {self.missing}"


Problem = (
    UnexpectedRequest | MissingRequest | IncompleteInteraction | UnhandledMessage | HandlerFailed | UnexpectedMessage
)


class ConsumerMismatchError(MismatchError):
    """The consumer test did not do what its pact says; ``problems`` lists how."""

    def __init__(self, consumer: str, provider: str, problems: Sequence[Problem]) -> None:
        self.consumer = consumer
        self.provider = provider
        self.problems = tuple(problems)
        super().__init__(render_problems(consumer, provider, self.problems))


def _recorder_of(pact: Pact) -> Recorder:
    """What the Pact's builders call it by: through a weak reference, as the Pact holds
    its builders (bound methods would make a cycle of every block, its mock and its
    interactions, left for the cyclic collector)."""
    reference = weakref.ref(pact)

    def alive() -> Pact:
        found = reference()
        if found is None:  # (a builder kept past its Pact)
            raise RuntimeError("this interaction's Pact is gone: write interactions while it is in use")
        return found

    def record(builder: InteractionBuilder, interaction: Interaction) -> None:
        alive()._record(builder, interaction)

    def check_open(what: str) -> None:
        alive()._check_open(what)

    return Recorder(pact.spec, record, check_open)


def render_problems(consumer: str, provider: str, problems: Sequence[Problem]) -> str:
    count = f"{len(problems)} problem" + ("" if len(problems) == 1 else "s")
    lines = [f"pact between {consumer} and {provider}: {count}, no pact file written"]
    for number, problem in enumerate(problems, 1):
        text = problem.render().replace("\n", "\n   ")
        lines.append(f"\n{number}. {text}")
    return printable("\n".join(lines))


_SPECS: dict[str, Spec] = {"V2": Spec.V2, "V3": Spec.V3, "V4": Spec.V4}


class Pact:
    """The pact between ``consumer`` and ``provider``, as a context manager: ``async with``
    in async tests, ``with`` in sync ones (the mock is then served over HTTP at once,
    and ``pact.client`` is an ``httpx.Client`` for ``pact.url``).

    ``pact_dir``: where ``{consumer}-{provider}.json`` is written (``None``: nowhere);
    ``spec``: ``"V4"`` (default), ``"V3"`` or ``"V2"``; ``overwrite``: replace the file
    instead of merging into it; ``serve_http``: serve the mock at ``pact.url`` from the
    start (always, in a ``with`` block; served from a thread of its own, so blocking
    clients get their answers too); ``cors``: answer CORS preflight requests and add CORS headers. Served over
    HTTP, a request body over ``max_body_size`` bytes is answered ``413`` and one that
    takes over ``body_timeout`` seconds to arrive ``408``. The mock provider itself (an
    ASGI app) is ``pact.mock``.
    """

    def __init__(
        self,
        consumer: str,
        provider: str,
        *,
        pact_dir: str | os.PathLike[str] | None = "pacts",
        spec: Literal["V2", "V3", "V4"] | Spec = "V4",
        overwrite: bool = False,
        serve_http: bool = False,
        cors: bool = False,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        body_timeout: float = DEFAULT_BODY_TIMEOUT,
    ) -> None:
        if not consumer or not provider:
            raise ValueError("a pact needs a consumer and a provider name")
        self.consumer = consumer
        self.provider = provider
        self.spec = spec if isinstance(spec, Spec) else _SPECS.get(str(spec).upper()) or _bad_spec(spec)
        self.overwrite = overwrite
        self.file: Path | None = None if pact_dir is None else Path(pact_dir) / f"{consumer}-{provider}.json"
        self.mock = MockProvider(spec=self.spec, cors=cors)
        self._serve_http = serve_http
        self._limits = BodyLimits(max_body_size, body_timeout, "Pact(max_body_size=...)", "Pact(body_timeout=...)")
        self._builders: list[HttpInteractionBuilder | AsyncMessageBuilder | SyncMessageBuilder] = []
        self._owners: dict[tuple[str, str], InteractionBuilder] = {}
        #: which block is open: ``async with`` or ``with`` (``None``: neither)
        self._block: Literal["async", "sync"] | None = None
        #: the thread serving the mock over HTTP, once serving
        self._serving: ExitStack | None = None
        self._serving_lock: anyio.Lock | None = None
        self._transport: httpx.ASGITransport | None = None
        self._client: httpx.AsyncClient | None = None
        self._sync_client: httpx.Client | None = None
        self._url: str | None = None
        self._recorder = _recorder_of(self)

    # -- the block ---------------------------------------------------------------------------

    async def __aenter__(self) -> Pact:
        if self._block is not None:
            raise RuntimeError("this Pact is already in use: make one Pact per async with block")
        self._block = "async"
        self._serving_lock = anyio.Lock()
        try:
            if self._serve_http:
                await self.serve()
        except BaseException:
            await self._close_async()
            raise
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        __tracebackhide__ = True  # pytest shows the test's ``async with``, not this method's source
        await self._close_async()
        self._finish(error)

    def __enter__(self) -> SyncPact:
        """The block of a sync test: the mock is served over HTTP from a thread of its own
        at once (``pact.url``), and ``pact.client`` is an ``httpx.Client`` for it."""
        if self._block is not None:
            raise RuntimeError("this Pact is already in use: make one Pact per with block")
        running = running_event_loop()
        if running is not None:
            raise RuntimeError(
                f"`with Pact(...)` is for sync tests, and this code runs in an event loop ({running}): "
                "use `async with Pact(...) as pact:` here (with serve_http=True, blocking clients "
                "such as requests get their answers there too)"
            )
        from ._threaded import serve_in_thread

        serving = ExitStack()
        self._url = serving.enter_context(serve_in_thread(WholeBodies(self.mock, self._limits)))
        self._serving = serving
        self._block = "sync"
        return cast("SyncPact", self)  # the same object: SyncPact only types pact.client as an httpx.Client

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        __tracebackhide__ = True  # pytest shows the test's ``with``, not this method's source
        client, self._sync_client = self._sync_client, None
        serving, self._serving = self._serving, None
        self._block = None
        self._url = None
        try:
            if client is not None:
                client.close()
        finally:
            if serving is not None:
                serving.close()
        self._finish(error)

    async def _close_async(self) -> None:
        """End the ``async with`` block: close ``pact.client``, stop serving over HTTP
        (in a worker thread, as the server's thread is joined; shielded, so a cancelled
        test leaves no server behind)."""
        client, self._client = self._client, None
        serving, self._serving = self._serving, None
        self._block = None
        self._serving_lock = None
        self._url = None
        try:
            if client is not None:
                await client.aclose()
        finally:
            if serving is not None:
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(serving.close)

    def _finish(self, error: BaseException | None) -> None:
        """After either block: report the problems, or write the pact file."""
        __tracebackhide__ = True
        problems = self.problems()
        if error is not None:
            problems = [p for p in problems if not _reported_by(error, p)]
            if problems and isinstance(error, Exception):
                _compat.add_note(error, "apact: " + render_problems(self.consumer, self.provider, problems))
            return
        if problems:
            raise ConsumerMismatchError(self.consumer, self.provider, problems)
        if self.file is not None:
            entries = [b.entry for b in self._builders if b.entry is not None]
            _writer.write_pact(self.file, self.consumer, self.provider, entries, self.spec, overwrite=self.overwrite)

    def problems(self) -> list[Problem]:
        """What is wrong so far: unexpected requests, interactions not requested (or
        not finished)."""
        found: list[Problem] = list(self.mock.unexpected)
        for builder in self._builders:
            missing = builder.missing_part()
            if missing is not None:
                found.append(IncompleteInteraction(builder.label(), missing))
            else:
                found.extend(builder.unmet())
        return found

    @property
    def interactions(self) -> tuple[Interaction, ...]:
        """The interactions written so far (complete ones)."""
        return tuple(b.interaction for b in self._builders if b.interaction is not None)

    # -- reaching the mock -----------------------------------------------------------------------

    @property
    def transport(self) -> httpx.ASGITransport:
        """An httpx transport reaching the mock in-process (for your own client)."""
        if self._transport is None:
            import httpx

            self._transport = httpx.ASGITransport(app=self.mock)
        return self._transport

    @property
    def client(self) -> httpx.AsyncClient:
        """An ``httpx.AsyncClient`` reaching the mock in-process, ``base_url`` set
        (closed when the block ends); in a ``with`` block, an ``httpx.Client`` for
        ``pact.url`` (typed so by `SyncPact`)."""
        self._check_open("pact.client")
        import httpx

        if self._block == "sync":
            if self._sync_client is None:
                self._sync_client = httpx.Client(base_url=self.url)
            return cast("httpx.AsyncClient", self._sync_client)  # what SyncPact.client says it is
        if self._client is None:
            self._client = httpx.AsyncClient(transport=self.transport, base_url=CLIENT_BASE_URL)
        return self._client

    @property
    def url(self) -> str:
        """The mock's real HTTP base URL (``http://127.0.0.1:PORT``), once serving."""
        if self._url is None:
            raise RuntimeError(
                "the mock provider is not served over HTTP: use Pact(..., serve_http=True) "
                "or `await pact.serve()` first (pact.client needs no socket)"
            )
        return self._url

    async def serve(self) -> str:
        """Serve the mock over HTTP on 127.0.0.1 and a free port, until the block ends;
        returns (and sets ``pact.url`` to) its base URL. The server runs in a thread of
        its own, with its own event loop: a blocking client called on this event loop
        (``requests.get(pact.url)`` in an async test) is answered all the same."""
        self._check_open("pact.serve()")
        if self._url is not None:
            return self._url
        assert self._serving_lock is not None  # set with the async block (a with block serves at once)
        async with self._serving_lock:
            if self._url is None:
                from ._threaded import serve_in_thread

                # kept before starting: a cancelled start still stops with the block
                serving = self._serving = ExitStack()
                server = serve_in_thread(WholeBodies(self.mock, self._limits))
                self._url = await anyio.to_thread.run_sync(serving.enter_context, server)
        return self._url

    def _check_open(self, what: str) -> None:
        if self._block is None:
            raise RuntimeError(
                f"{what} is only available inside `async with Pact(...) as pact:` "
                "(or `with Pact(...) as pact:` in a sync test)"
            )

    # -- writing interactions ---------------------------------------------------------------------

    def given(self, state: str, params: Mapping[str, JSON] | None = None, /, **more: JSON) -> HttpInteractionBuilder:
        """Start an interaction in a provider state (``params`` and keywords are its
        parameters); chain ``.given`` again for several states."""
        return self._new().given(state, params, **more)

    def upon_receiving(self, description: str) -> HttpInteractionBuilder:
        """Start an interaction (without a provider state)."""
        return self._new().upon_receiving(description)

    def expects_to_receive(self, description: str) -> AsyncMessageBuilder:
        """Start an asynchronous message the consumer expects (V3 or V4); hand it to
        the consumer's handler with ``await message.verify(handler)``."""
        if self.spec < Spec.V3:
            raise ValueError(f"message pacts need spec V3 or V4 (this pact is {self.spec.label})")
        return self._add(AsyncMessageBuilder(self._recorder, description))

    def sync_message(self, description: str) -> SyncMessageBuilder:
        """Start a synchronous message (V4): a request message the consumer sends and
        the response message(s) it expects; its code sends with ``await message.send(...)``."""
        if self.spec < Spec.V4:
            raise ValueError(f"synchronous messages need spec V4 (this pact is {self.spec.label})")
        return self._add(SyncMessageBuilder(self._recorder, description))

    def _new(self) -> HttpInteractionBuilder:
        return self._add(HttpInteractionBuilder(self._recorder, self.mock))

    def _add(self, builder: B) -> B:
        self._builders.append(builder)
        return builder

    def _record(self, builder: InteractionBuilder, interaction: Interaction) -> None:
        """Take a builder's (re)built interaction, checking it can be written."""
        entry = _writer.entry(
            interaction, self.spec
        )  # fails here, at the line that made it, if the spec cannot hold it
        if any(b is not builder and b.entry is not None and b.entry.section != entry.section for b in self._builders):
            raise ValueError(
                f"a {self.spec.label} pact holds HTTP interactions or messages, not both: "
                "use spec='V4', or write the messages in a Pact block (and file) of their own"
            )
        owner = self._owners.setdefault(entry.key, builder)  # description and states identify an interaction
        if owner is not builder:
            raise ValueError(f"two interactions are {interaction_line(interaction)}: give them different descriptions")
        if builder.entry is not None and builder.entry.key != entry.key:
            del self._owners[builder.entry.key]
        builder.entry = entry
        builder.interaction = interaction


B = TypeVar("B", bound="HttpInteractionBuilder | AsyncMessageBuilder | SyncMessageBuilder")


class SyncPact(Protocol):
    """What ``with Pact(...) as pact:`` gives a sync test, for type checkers: the same
    `Pact` object and methods, with ``pact.client`` an ``httpx.Client``
    (for ``pact.url``, where the mock is served from a thread of its own) instead of an
    in-process ``httpx.AsyncClient``. Annotate your helpers' ``pact`` parameter with it."""

    consumer: str
    provider: str
    spec: Spec
    file: Path | None
    mock: MockProvider

    @property
    def client(self) -> httpx.Client:
        """An ``httpx.Client`` whose ``base_url`` is ``pact.url`` (closed when the block ends)."""

    @property
    def url(self) -> str:
        """The mock's base URL (``http://127.0.0.1:PORT``), for any client."""

    @property
    def interactions(self) -> tuple[Interaction, ...]: ...

    def problems(self) -> list[Problem]: ...

    def given(self, state: str, params: Mapping[str, JSON] | None = None, /, **more: JSON) -> HttpInteractionBuilder:
        """Start an interaction in a provider state."""

    def upon_receiving(self, description: str) -> HttpInteractionBuilder:
        """Start an interaction (without a provider state)."""

    def expects_to_receive(self, description: str) -> AsyncMessageBuilder: ...

    def sync_message(self, description: str) -> SyncMessageBuilder: ...


def _reported_by(error: BaseException, problem: Problem) -> bool:
    """Whether the exception leaving the block already tells of ``problem``."""
    if isinstance(problem, (HandlerFailed, UnexpectedMessage)):
        return problem.error is error
    return isinstance(error, ConsumerMismatchError) and problem in error.problems


def _bad_spec(spec: object) -> Spec:
    raise ValueError(f"spec must be 'V2', 'V3' or 'V4', got {spec!r}")


class HttpInteractionBuilder(InteractionBuilder):
    """One HTTP interaction being written: ``given`` ... ``upon_receiving`` ...
    ``with_request`` ... ``will_respond_with``. Each method returns the builder."""

    def __init__(self, recorder: Recorder, mock: MockProvider) -> None:
        super().__init__(recorder)
        self._mock = mock
        self._request: HttpRequest | None = None
        self._response: HttpResponse | None = None
        self._raw = _raw.RawRules()
        #: the part written last, which raw rules without a ``part`` go to
        self._last_part: str | None = None
        #: the interaction's index in the mock, once complete
        self.slot: int | None = None

    def upon_receiving(self, description: str) -> HttpInteractionBuilder:
        """Name the interaction (the name, with the states, identifies it in the pact)."""
        check_description(description)
        if self._description is not None:
            raise ValueError(f"this interaction is already called {self._description!r}: start another from the Pact")
        self._description = description
        return self._changed()

    def with_request(
        self,
        method: str,
        path: object = "/",
        *,
        query: Mapping[str, object] | str | None = None,
        headers: Mapping[str, object] | None = None,
        body: object = None,
    ) -> HttpInteractionBuilder:
        """The request the consumer will make. ``path``, query values and header values
        may be matchers; ``body`` is JSON unless it is ``str`` (text), ``bytes``, or one
        of `apact.bodies` (``Text``, ``Xml``, ``Form``, ``Multipart``, ``Binary``)."""
        spec = self._spec
        path_text, path_rules, path_generator = compile_text(path, spec, "$.request.path")
        rules: dict[str, dict[str, RuleList]] = {}
        generators: dict[str, dict[str, Generator]] = {}
        if path_rules:
            rules["path"] = {"": RuleList(path_rules)}
        if path_generator is not None:
            generators["path"] = {"": path_generator}
        parsed_query = _query(query, spec, rules, generators)
        head, body_model = _headers_and_body(headers, body, spec, "request", rules, generators, self.label())
        request = HttpRequest(method.upper(), path_text, parsed_query, head, body_model, rules, generators)
        problems = request_problems(request)  # the verifier would not send it: say so here, not there
        if problems:
            said = "; ".join(f"$.request{problem.path[1:]}: {problem.reason}" for problem in problems)
            raise ValueError(f"the request of {self.label()} cannot be sent as written: {said}")
        self._request = request
        self._last_part = "request"
        return self._changed()

    def will_respond_with(
        self,
        status: object = 200,
        *,
        headers: Mapping[str, object] | None = None,
        body: object = None,
    ) -> HttpInteractionBuilder:
        """The response the provider must give; ``status`` may be
        ``match.status_code(...)``; headers and body as in `with_request`."""
        spec = self._spec
        rules: dict[str, dict[str, RuleList]] = {}
        generators: dict[str, dict[str, Generator]] = {}
        if isinstance(status, Term):
            compiled = compile_json(status, spec, "$.status")
            if "$" in compiled.rules:
                rules["status"] = {"": compiled.rules["$"]}
            status = compiled.example
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
            raise ValueError(
                f"a response status is an integer from 100 to 599 or match.status_code(...), got {status!r}"
            )
        head, body_model = _headers_and_body(headers, body, spec, "response", rules, generators, self.label())
        self._response = HttpResponse(status, head, body_model, rules, generators)
        self._last_part = "response"
        return self._changed()

    def with_matching_rules(
        self, rules: Mapping[str, object] | str, part: _raw.Part | None = None
    ) -> HttpInteractionBuilder:
        """Matching rules given raw, as a pact file writes them: the V2 flat form
        (``{"$.body.id": {"match": "type"}}``) or the V3/V4 category form
        (``{"body": {"$.id": {"matchers": [{"match": "type"}]}}}``), a mapping or its
        JSON text. They apply to ``part`` (``"Request"`` or ``"Response"``; by default
        the part written last), are checked as rules read from a pact file, and are
        added to the rules the ``match`` terms made (after them, at the same place)."""
        where = _raw.part_name(part, self._last_part, f"with_matching_rules of {self.label()}")
        what = f"with_matching_rules of {self.label()} ({where})"
        allowed = _raw.REQUEST if where == "request" else _raw.RESPONSE
        with self._raw.kept_if_recorded():
            self._raw.add_rules(where, _raw.read_rules(rules, allowed, what))
            return self._changed()

    def with_generators(
        self, generators: Mapping[str, object] | str, part: _raw.Part | None = None
    ) -> HttpInteractionBuilder:
        """Generators given raw, in the category form of a pact file
        (``{"body": {"$.id": {"type": "RandomInt", "min": 1, "max": 9}}}``), for
        ``part`` as in `with_matching_rules`; one replaces a term's generator at the
        same place. They add no matching rule. Generators need spec V3 or later."""
        where = _raw.part_name(part, self._last_part, f"with_generators of {self.label()}")
        what = f"with_generators of {self.label()} ({where})"
        allowed = _raw.REQUEST if where == "request" else _raw.RESPONSE
        with self._raw.kept_if_recorded():
            self._raw.add_generators(where, _raw.read_generators(generators, allowed, what))
            return self._changed()

    def missing_part(self) -> str | None:
        """What the interaction still needs, or ``None`` when complete."""
        if self._description is None:
            return "description (call .upon_receiving(...))"
        if self._request is None:
            return "request (call .with_request(...))"
        if self._response is None:
            return "response (call .will_respond_with(...))"
        return None

    def unmet(self) -> list[MissingRequest]:
        """What the test did not do for this (complete) interaction: request it."""
        if self.slot is None or not isinstance(self.interaction, HttpInteraction) or self._mock.calls(self.slot):
            return []
        return [MissingRequest(self.interaction)]

    def _build(self, common: dict[str, Any]) -> Interaction:
        assert self._request is not None and self._response is not None
        request = self._raw.apply("request", self._request)
        response = self._raw.apply("response", self._response)
        return HttpInteraction(request=request, response=response, **common)

    def _recorded(self, interaction: Interaction) -> None:
        assert isinstance(interaction, HttpInteraction)
        if self.slot is None:
            self.slot = self._mock.add(interaction)
        else:
            self._mock.replace(self.slot, interaction)


def _query(
    query: Mapping[str, object] | str | None,
    spec: Spec,
    rules: dict[str, dict[str, RuleList]],
    generators: dict[str, dict[str, Generator]],
) -> dict[str, list[str]] | None:
    if query is None:
        return None
    if isinstance(query, str):
        parsed: dict[str, list[str]] = {}
        for name, value in parse_qsl(query.lstrip("?"), keep_blank_values=True):
            parsed.setdefault(name, []).append(value)
        return parsed
    return _text_values(query, spec, "query", "$.request.query", rules, generators)


def _text_values(
    given: Mapping[str, object],
    spec: Spec,
    category: str,
    where: str,
    rules: dict[str, dict[str, RuleList]],
    generators: dict[str, dict[str, Generator]],
) -> dict[str, list[str]]:
    """Query parameters or headers: name -> text values (a value may be a list, and a
    matcher, whose rule and generator go under the name)."""
    out: dict[str, list[str]] = {}
    for name, value in given.items():
        for item in value if isinstance(value, (list, tuple)) else [value]:
            text, matchers, generator = compile_text(item, spec, f"{where}.{name}")
            out.setdefault(name, []).append(text)
            if matchers:
                rules.setdefault(category, {}).setdefault(name, RuleList(matchers))
            if generator is not None:
                generators.setdefault(category, {}).setdefault(name, generator)
    return out


def _headers_and_body(
    headers: Mapping[str, object] | None,
    body: object,
    spec: Spec,
    part: str,
    rules: dict[str, dict[str, RuleList]],
    generators: dict[str, dict[str, Generator]],
    label: str,
) -> tuple[dict[str, list[str]] | None, Body | None]:
    out = None if headers is None else _text_values(headers, spec, "header", f"$.{part}.headers", rules, generators)
    declared = next((", ".join(values) for name, values in (out or {}).items() if name.lower() == "content-type"), None)
    if body is None:
        return out, None
    built = bodies.build(body, spec, f"$.{part}.body", declared)
    if built.rules:
        rules["body"] = built.rules
    if built.generators:
        generators["body"] = built.generators
    if declared is None:
        out = {**(out or {}), "Content-Type": [built.content_type]}
        if built.header_rules:
            rules.setdefault("header", {})["Content-Type"] = RuleList(built.header_rules)
    # no mock, stub or verifier can match such a body (nor can the official core's): said
    # here, not by a consumer test that passes on a pact no provider can meet
    misfit = body_misfit(built.body, declared or built.content_type)
    if misfit is not None:
        raise ValueError(f"the {part} of {label}: $.{part}.body: {misfit}")
    return out, built.body
