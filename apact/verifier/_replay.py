"""Replaying one interaction against the provider and judging what came back.

`replay` dispatches on the interaction's type: HTTP interactions are replayed
here, message interactions (V3 message pacts, V4 messages) are produced by the
provider's producers and judged in `_messages`.
"""

from __future__ import annotations

import inspect
import random
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeAlias
from urllib.parse import urlencode, urljoin, urlsplit

import httpx

from .._core._frozen import builder
from .._core._types import JSON
from ..errors import GenerationError
from ..matching import Mismatch, response_mismatches
from ..matching._compiled import Compiled
from ..matching._generation import Context, generate_request, generate_response
from ..pact._request_check import RequestProblem, request_problems
from ..pact.model import HttpInteraction, HttpRequest, HttpResponse, Interaction, MessageContents, Spec, find_header
from ._bounded import Spare
from ._messages import MessageInteraction, Producer, ProducerKey, verify_message
from ._result import VerificationProblem, exception_line
from ._targets import Outgoing, Received, Sender, SendError, encode_query, new_outgoing

#: changes a request before it is sent: gets an ``httpx.Request`` and changes it in
#: place (returning ``None``) or returns another one; sync or async
RequestFilter: TypeAlias = Callable[[httpx.Request], "httpx.Request | None | Awaitable[httpx.Request | None]"]


class RunRandom:
    """A run's random numbers, for generators: seeded (from the OS) when the first is
    drawn, as most pacts have no random generator and seeding costs more than a short
    run's other set-up."""

    __slots__ = ("_rng",)

    def __init__(self) -> None:
        self._rng: random.Random | None = None

    def get(self) -> random.Random:
        rng = self._rng
        if rng is None:
            rng = self._rng = random.Random()
        return rng


@dataclass(frozen=True, slots=True)
class Settings:
    """What every replay needs besides the interaction."""

    sender: Sender
    timeout: float
    headers: Mapping[str, str]
    filters: Sequence[RequestFilter]
    #: for random generators (one per run: seeding one per request costs more than the app)
    rng: RunRandom = field(default_factory=RunRandom)
    #: the message producers, by description and state
    producers: Mapping[ProducerKey, Producer] = field(default_factory=dict)
    #: for messages without a producer: one that fetches them from the message endpoint
    fetch: Callable[[MessageInteraction], Producer] | None = None
    #: follow a 3xx answer to the same origin, as the official verifier does
    follow_redirects: bool = True
    #: the pacts' rules compiled once for the whole run (interactions repeat their rules)
    compiled: Compiled = field(default_factory=Compiled)


@dataclass(frozen=True, slots=True)
class Replayed:
    """The outcome of one replay."""

    mismatches: tuple[Mismatch, ...] = ()
    errors: tuple[VerificationProblem, ...] = ()
    request: str | None = None
    #: what came (a response, or a message a producer made) and what the pact expects
    response: HttpResponse | MessageContents | None = None
    expected: HttpResponse | MessageContents | None = None


def replay(
    interaction: Interaction,
    spec: Spec,
    values: Mapping[str, JSON],
    settings: Settings,
    *,
    where: str = "$.request",
    spare: Spare | None = None,
) -> Coroutine[Any, Any, Replayed]:
    """Replay ``interaction`` (``where`` is the JSON path of its request, for reports;
    ``spare`` the replaying task's `._bounded.Spare`, if it is that task): the
    coroutine to await (a plain function: no coroutine of its own around the replay)."""
    if isinstance(interaction, HttpInteraction):
        return replay_http(interaction, spec, values, settings, where=where, spare=spare)
    return _replay_message(interaction, spec, values, settings)


async def _replay_message(
    interaction: MessageInteraction, spec: Spec, values: Mapping[str, JSON], settings: Settings
) -> Replayed:
    verdict = await verify_message(
        interaction,
        spec,
        values,
        settings.producers,
        timeout=settings.timeout,
        rng=settings.rng.get(),
        fetch=settings.fetch,
    )
    return Replayed(verdict.mismatches, verdict.errors, None, verdict.actual, verdict.expected)


async def replay_http(
    interaction: HttpInteraction,
    spec: Spec,
    values: Mapping[str, JSON],
    settings: Settings,
    *,
    where: str = "$.request",
    spare: Spare | None = None,
) -> Replayed:
    """Send the interaction's request and judge the response. Whatever goes wrong is
    this interaction's failure, said in the result: nothing raised here may end the
    verification of the others (cancellation aside)."""
    step = "generating the request"
    outgoing: Outgoing | None = None
    expected: HttpResponse | None = None
    try:
        if interaction.request.generators or interaction.response.generators:
            context = Context(mode="provider", provider_state=values, rng=settings.rng.get())
            try:
                request = generate_request(interaction.request, context)
                expected = generate_response(interaction.response, context, expected=True)
            except GenerationError as error:
                return Replayed(errors=(VerificationProblem("generator", str(error)),))
        else:  # what the generators would give (most interactions have none): no context made
            request, expected = interaction.request, interaction.response
        step = "checking the request"
        # the pact's own request was checked when the interaction was chosen: only one
        # its generators changed is checked again
        problems = request_problems(request) if request is not interaction.request else []
        if problems:
            return Replayed(errors=(invalid_request(problems, where, generated=True),), expected=expected)
        step = "building the request"
        outgoing = build_request(request, settings.headers)
        if settings.filters:
            try:
                outgoing = await _filter(outgoing, settings)
            except Exception as error:
                return Replayed(
                    errors=(
                        VerificationProblem.from_exception(
                            "request filter", f"a request filter raised {exception_line(error)}", error
                        ),
                    ),
                    request=outgoing.line,
                )
        step = "sending the request"
        try:
            received: Received = await settings.sender.send(outgoing, settings.timeout, spare=spare)
            if settings.follow_redirects and received.error is None and received.response.status in REDIRECTS:
                received = await _follow_redirects(outgoing, received, settings, spare)
        except SendError as failure:
            return Replayed(errors=(failure.error,), request=outgoing.line, expected=expected)
        step = "matching the response"
        mismatches = tuple(response_mismatches(expected, received.response, spec, compiled=settings.compiled))
    except Exception as error:
        internal = VerificationProblem.from_exception("internal", f"{step} raised {exception_line(error)}", error)
        return Replayed(errors=(internal,), request=outgoing.line if outgoing is not None else None, expected=expected)
    errors = (received.error,) if received.error is not None else ()
    return _new_replayed(mismatches, errors, outgoing.line, received.response, expected)


#: ``Replayed(...)`` given every field, at a fifth of the cost (`._core._frozen`)
_new_replayed = builder(Replayed)


def invalid_request(problems: Sequence[RequestProblem], where: str, *, generated: bool = False) -> VerificationProblem:
    """The error of an interaction whose request cannot be sent (nothing was sent)."""
    said = "; ".join(f"{where}{problem.path[1:]}: {problem.reason}" for problem in problems)
    what = "the request its generators made" if generated else "the pact's request"
    return VerificationProblem("invalid interaction", f"{what} cannot be sent as written (nothing was sent): {said}")


def invalid_response(misfit: str, where: str) -> VerificationProblem:
    """The error of an interaction whose expected response body no answer can match
    (nothing was sent)."""
    return VerificationProblem(
        "invalid interaction", f"the pact's response cannot be matched (nothing was sent): {where}: {misfit}"
    )


#: headers about the connection or the framing of the message, not the request: some
#: pacts recorded them live (pact-test: ``Host: localhost:8000``, ``Content-Length`` of
#: the indented JSON it sent); replayed as written they contradict what is sent (h11
#: refuses a wrong length, an app gets two ``host`` headers), so the sender sets its own
TRANSPORT_HEADERS = frozenset(
    {
        "host",
        "content-length",
        "connection",
        "keep-alive",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "proxy-connection",
    }
)


_NONE: frozenset[str] = frozenset()


def build_request(request: HttpRequest, custom_headers: Mapping[str, str]) -> Outgoing:
    """The request to send for a (generated, checked) pact request, with the custom
    headers replacing the pact's headers of the same name and the pact's transport
    headers (`TRANSPORT_HEADERS`) left to the sender."""
    headers: list[tuple[str, str]] = []
    has_content_type = False
    # (no custom headers, one value per header: the usual request, built without a
    # generator or a set per request)
    overridden = {name.lower() for name in custom_headers} if custom_headers else _NONE
    if request.headers:
        for name, values in request.headers.items():
            lowered = name.lower()
            if lowered in overridden or lowered in TRANSPORT_HEADERS:
                continue
            has_content_type = has_content_type or lowered == "content-type"
            if len(values) == 1:
                headers.append((name, values[0].strip(" \t")))
            else:
                headers.append((name, ", ".join(value.strip(" \t") for value in values)))
    body = b""
    if request.body is not None and not request.body.null:
        body = request.body.content
        if request.body.content_type and not has_content_type and "content-type" not in overridden:
            headers.append(("Content-Type", request.body.content_type))
    if custom_headers:
        headers.extend((name, value.strip(" \t")) for name, value in custom_headers.items())
    if request.raw_query is not None:
        query = encode_query(request.raw_query)
    elif request.query:
        query = urlencode([(name, value) for name, values in request.query.items() for value in values])
    else:
        query = ""
    return new_outgoing(request.method.upper(), request.path, query, tuple(headers), body)


#: the answers that send the client elsewhere, and how many of them in a row are followed
REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10


async def _follow_redirects(
    outgoing: Outgoing, received: Received, settings: Settings, spare: Spare | None
) -> Received:
    """With ``settings.follow_redirects``, follow what the 3xx answer ``received`` to
    ``outgoing`` points to, as the official verifier (reqwest) does, but only on the
    target itself: a ``Location`` on another origin (or outside the base URL's path) is
    not followed, the 3xx is the response, so the request and its credentials stay with
    the provider. (Awaited only for a 3xx: most answers need no coroutine of their own.)"""
    hops = 0
    while settings.follow_redirects and received.error is None and received.response.status in REDIRECTS:
        location = find_header(received.response.headers, "location")
        following = (
            _redirected(outgoing, received.response.status, location[0], settings.sender.base_url) if location else None
        )
        if following is None:
            break
        if hops == MAX_REDIRECTS:
            raise SendError(
                VerificationProblem("transport", f"more than {MAX_REDIRECTS} redirects, starting from {outgoing.line}")
            )
        hops += 1
        outgoing = following
        received = await settings.sender.send(outgoing, settings.timeout, spare=spare)
    return received


def _redirected(outgoing: Outgoing, status: int, location: str, base_url: str) -> Outgoing | None:
    """The request a redirect asks for, or ``None`` if it leaves the target. 303, and
    301/302 after a POST, become a GET without a body (as browsers, httpx and reqwest do)."""
    base = urlsplit(base_url)
    prefix = base.path.rstrip("/")
    resolved = urlsplit(urljoin(f"{base.scheme}://{base.netloc}{prefix}{outgoing.target}", location.strip()))
    if (resolved.scheme, resolved.netloc.lower()) != (base.scheme, base.netloc.lower()):
        return None
    if prefix and not (resolved.path == prefix or resolved.path.startswith(prefix + "/")):
        return None
    path = resolved.path[len(prefix) :] or "/"
    method, headers, body = outgoing.method, outgoing.headers, outgoing.body
    if (status == 303 and method != "HEAD") or (status in (301, 302) and method == "POST"):
        method, body = "GET", b""
        headers = tuple((name, value) for name, value in headers if not name.lower().startswith("content-"))
    return Outgoing(method, path, encode_query(resolved.query), headers, body)


async def _filter(outgoing: Outgoing, settings: Settings) -> Outgoing:
    request = outgoing.to_httpx(settings.sender.base_url)
    for function in settings.filters:
        changed = function(request)
        if inspect.isawaitable(changed):
            changed = await changed
        if changed is not None:
            if not isinstance(changed, httpx.Request):
                raise TypeError(f"a request filter returned {changed!r}; return an httpx.Request or None")
            request = changed
    outgoing = Outgoing.from_httpx(request, settings.sender.base_url)
    kept = tuple((name, value) for name, value in outgoing.headers if name.lower() not in TRANSPORT_HEADERS)
    return replace(outgoing, headers=kept)
