"""Message producers: the provider's functions that make the messages its pacts
describe, and judging what they make.

A producer is registered for a message's description, optionally for one of its
provider states (``@verifier.message("an order created event", state="an order
exists")``); a producer registered for a state wins over one registered for the
description alone. It may be a sync or async function and is called with:

* for an asynchronous message: the provider-state values (the states' params,
  overridden by what the state handlers returned) if it takes an argument;
* for a synchronous message: the request message (an `apact.Message`, its
  generators applied) if it takes an argument, then the provider-state values if it
  takes two.

It returns the message: an `apact.Message` (contents, metadata, content type),
or just the contents (a dict or list: JSON; ``str``: text; ``bytes``: binary). For a
synchronous message with several responses, it returns a list of ``Message``.
"""

from __future__ import annotations

import base64
import functools
import inspect
import json
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeAlias

import anyio

from .._core._types import JSON
from ..errors import GenerationError
from ..matching import Mismatch, message_mismatches
from ..matching._generation import Context, generate_message
from ..pact import _jsondepth
from ..pact._describe import interaction_line
from ..pact._dump import message_to_json
from ..pact._user_message import Message, decode, encode
from ..pact.model import AsyncMessage, MessageContents, Spec, SyncMessage
from ._result import VerificationProblem, exception_line

#: a message producer: ``() -> message``, ``(params) -> message``, or for a synchronous
#: message ``(request) -> message`` / ``(request, params) -> message``; sync or async
MessageProducer: TypeAlias = Callable[..., Any]

#: what a producer is registered under: the message's description and a provider state (or ``None``)
ProducerKey: TypeAlias = "tuple[str, str | None]"


@dataclass(frozen=True, slots=True)
class Producer:
    """A registered producer and how many positional arguments it takes (0 to 2)."""

    description: str
    state: str | None
    function: MessageProducer
    arguments: int

    def label(self) -> str:
        if not self.description:
            return "(any message)"
        return repr(self.description) + (f" in state {self.state!r}" if self.state is not None else "")


def make_producer(description: str, state: str | None, function: MessageProducer) -> Producer:
    if not isinstance(description, str) or not description:
        raise ValueError(f"a message producer is registered for a non-empty description, got {description!r}")
    if not callable(function):
        raise TypeError(f"the producer for message {description!r} is not callable: {function!r}")
    return Producer(description, state, function, _positional(function))


def _positional(function: MessageProducer) -> int:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return 2
    count = 0
    for parameter in parameters:
        if parameter.kind is parameter.VAR_POSITIONAL:
            return 2
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            count += 1
    return min(count, 2)


MessageInteraction: TypeAlias = "AsyncMessage | SyncMessage"


#: the key of the catch-all producer (no message has an empty description)
ANY_MESSAGE: ProducerKey = ("", None)


def make_catch_all(function: MessageProducer) -> Producer:
    """The producer of every message without one of its own: it gets the message's
    description first, then what a producer of its own would get."""
    if not callable(function):
        raise TypeError(f"the catch-all message producer is not callable: {function!r}")
    return Producer("", None, function, 0)


def find_producer(producers: Mapping[ProducerKey, Producer], interaction: MessageInteraction) -> Producer | None:
    """The producer for ``interaction``: one registered for its description and one of
    its states (in order), else one registered for the description alone, else the
    catch-all (given the description)."""
    for state in interaction.provider_states:
        found = producers.get((interaction.description, state.name))
        if found is not None:
            return found
    found = producers.get((interaction.description, None))
    if found is None and ANY_MESSAGE in producers:
        function = functools.partial(producers[ANY_MESSAGE].function, interaction.description)
        return Producer(interaction.description, None, function, _positional(function))
    return found


def missing_producer(
    producers: Mapping[ProducerKey, Producer], interaction: MessageInteraction, hint: str | None = None
) -> VerificationProblem:
    """``hint``: what to do, for ``{description!r}`` (see `_hints`); by default,
    in the Python API's words, with the producers registered."""
    if hint is not None:
        return VerificationProblem(
            "missing producer",
            f"no producer for message {interaction.description!r}: {hint.format(description=interaction.description)}",
        )
    known = ", ".join(sorted(p.label() for p in producers.values())) or "none"
    return VerificationProblem(
        "missing producer",
        f"no producer for message {interaction.description!r}: register one with "
        f"@verifier.message({interaction.description!r}), or give the provider's message endpoint "
        f"(message_url=, apact verify --message-url) (producers registered: {known})",
    )


#: posts a JSON body to the message endpoint: -> (status, content type, metadata header, body)
Post: TypeAlias = "Callable[[bytes], Awaitable[tuple[int, str | None, str | None, bytes]]]"

#: the header the official message endpoints put the metadata in (base64 of a JSON object)
METADATA_HEADER = "Pact-Message-Metadata"


def fetching_producer(interaction: MessageInteraction, url: str, post: Post) -> Producer:
    """A producer that asks the provider's message endpoint for the message, the way the
    official verifiers do: ``POST {"description", "providerStates"[, "request"]}``; the
    answer's body is the contents, its Content-Type their type and the
    ``Pact-Message-Metadata`` header (base64 JSON) the metadata."""
    request: dict[str, JSON] = {"description": interaction.description}
    if interaction.provider_states:
        request["providerStates"] = [{"name": s.name, "params": s.params} for s in interaction.provider_states]

    async def fetch(*arguments: object) -> Message:
        body = dict(request)
        if isinstance(interaction, SyncMessage) and arguments and isinstance(arguments[0], Message):
            body["request"] = message_to_json(encode(arguments[0], "the request message"))
        status, content_type, header, data = await post(json.dumps(body).encode())
        if not 200 <= status < 300:
            raise RuntimeError(f"the message endpoint {url} answered {status}: {data.decode(errors='replace').strip()}")
        metadata: object = {}
        if header:
            try:
                metadata = _jsondepth.loads(base64.b64decode(header))
            except ValueError as error:
                raise RuntimeError(
                    f"the message endpoint {url} sent a {METADATA_HEADER} header that is not base64 JSON: {error}"
                ) from None
        if not isinstance(metadata, dict):
            raise RuntimeError(f"the message endpoint {url} sent metadata that is not a JSON object: {metadata!r}")
        return Message(data, metadata, content_type)

    return Producer(interaction.description, None, fetch, 2 if isinstance(interaction, SyncMessage) else 1)


# -- producing ------------------------------------------------------------------------------------


class ProducerError(Exception):
    """The producer raised, took too long, or returned something that is not a
    message; carries the `VerificationProblem` to report."""

    def __init__(self, error: VerificationProblem) -> None:
        super().__init__(error.message)
        self.error = error


async def produce(
    producer: Producer,
    interaction: MessageInteraction,
    values: Mapping[str, JSON],
    *,
    timeout: float,
    rng: random.Random,
) -> tuple[MessageContents, ...]:
    """Call ``producer`` for ``interaction`` and return what it made (one message, or
    a synchronous message's responses). Raises `ProducerError`."""
    what = f"the producer for message {interaction_line(interaction)}"
    arguments: list[object] = [dict(values)]
    if isinstance(interaction, SyncMessage):
        context = Context(mode="provider", provider_state=values, rng=rng)
        try:
            request = decode(generate_message(interaction.request, context))
        except GenerationError as error:
            raise ProducerError(VerificationProblem("generator", f"the request message: {error}")) from None
        arguments.insert(0, request)
    made: object = None
    with anyio.move_on_after(timeout) as scope:
        try:
            made = producer.function(*arguments[: producer.arguments])
            if inspect.isawaitable(made):
                made = await made
        except Exception as error:
            raise ProducerError(
                VerificationProblem.from_exception("producer", f"{what} raised {exception_line(error)}", error)
            ) from None
    if scope.cancelled_caught:
        raise ProducerError(VerificationProblem("timeout", f"{what} did not return within {timeout:g} s"))
    if isinstance(interaction, SyncMessage) and (made is None or (made in ([], ()) and not interaction.responses)):
        return ()  # no response message: the V4 specification allows a synchronous message none
    if made is None and isinstance(interaction, AsyncMessage) and interaction.message.contents is None:
        return (MessageContents(),)  # a message without contents (metadata only, or nothing)
    try:
        if isinstance(made, (list, tuple)) and made and all(isinstance(item, Message) for item in made):
            return tuple(encode(item, f"response {number} {what} returned") for number, item in enumerate(made, 1))
        return (encode(made, f"what {what} returned"),)
    except TypeError as error:
        raise ProducerError(VerificationProblem("producer", str(error))) from None


# -- judging ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a producer made, against what the pact expects (the first response of a
    synchronous message, for the report's diff)."""

    mismatches: tuple[Mismatch, ...] = ()
    errors: tuple[VerificationProblem, ...] = ()
    expected: MessageContents | None = None
    actual: MessageContents | None = None


async def verify_message(
    interaction: MessageInteraction,
    spec: Spec,
    values: Mapping[str, JSON],
    producers: Mapping[ProducerKey, Producer],
    *,
    timeout: float,
    rng: random.Random,
    fetch: Callable[[MessageInteraction], Producer] | None = None,
) -> Verdict:
    """Judge what the producer (registered, else fetched through ``fetch``) makes."""
    producer = find_producer(producers, interaction)
    if producer is None and fetch is not None:
        producer = fetch(interaction)
    if producer is None:
        return Verdict(errors=(missing_producer(producers, interaction),))
    context = Context(mode="provider", provider_state=values, rng=rng)
    parts = interaction.responses if isinstance(interaction, SyncMessage) else (interaction.message,)
    try:
        expected = tuple(generate_message(part, context, expected=True) for part in parts)
    except GenerationError as error:
        return Verdict(errors=(VerificationProblem("generator", str(error)),))
    try:
        actual = await produce(producer, interaction, values, timeout=timeout, rng=rng)
    except ProducerError as failure:
        return Verdict(errors=(failure.error,), expected=expected[0] if expected else None)
    mismatches: list[Mismatch] = []
    if len(actual) != len(expected):
        mismatches.append(
            Mismatch(
                "body",
                "$.response",
                len(expected),
                len(actual),
                f"expected {len(expected)} response messages, got {len(actual)}",
            )
        )
    for number, (want, have) in enumerate(zip(expected, actual)):
        found = message_mismatches(want, have, spec)
        if len(expected) > 1:  # say which response
            found = [replace(m, path=f"$.response[{number}]{m.path[1:]}") for m in found]
        mismatches += found
    return Verdict(tuple(mismatches), (), expected[0] if expected else None, actual[0] if actual else None)
