"""Message pacts on the consumer side, and the `Message` both sides hand around.

An **asynchronous message** is one the provider publishes (to a queue, a topic, a
stream) and the consumer handles. The test declares it and hands the example to the
consumer's own handler:

```python
async with Pact("Shipping", "Orders", pact_dir="pacts") as pact:
    event = (pact.expects_to_receive("an order created event")
                 .given("an order exists", id=1001)
                 .with_content({"orderId": match.integer(1001), "total": match.decimal(19.99)})
                 .with_metadata(topic="orders"))
    await event.verify(on_order_created)      # sync or async; gets a Message
```

A **synchronous message** (V4) is a request message the consumer sends and the response
message(s) it gets back; the consumer's code sends through ``send``:

```python
lookup = (pact.sync_message("a price lookup")
              .with_request({"sku": match.regex(r"SKU-\\d+", "SKU-1")})
              .will_respond_with({"price": match.decimal(9.99)}))
reply = await lookup.send({"sku": "SKU-7"})    # checked against the request; a Message
```

Contents are JSON unless they say otherwise (``str`` is text, ``bytes`` binary, or the
`apact.bodies` classes), with matchers and generators anywhere; metadata values may
be matchers too. The pact file gets the ``contentType`` metadata the official tools
write. On leaving the block, a message never handled (or never sent) fails the test like
an HTTP interaction never requested.
"""

from __future__ import annotations

import inspect
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._core import _compat
from .._core._api import publish
from .._core._types import JSON
from ..errors import MismatchError
from ..matching import Mismatch, message_mismatches
from ..matching._generation import Context, generate_message
from ..pact._describe import interaction_line
from ..pact._parse import body_misfit
from ..pact._sniff import content_type_in
from ..pact._user_message import Message, decode, encode
from ..pact.model import AsyncMessage, Generator, Interaction, MessageContents, RuleList, Spec, SyncMessage
from . import _raw, bodies
from ._builder import InteractionBuilder, Recorder
from ._terms import compile_json

__all__ = [
    "AsyncMessageBuilder",
    "HandlerFailed",
    "Message",
    "SyncMessageBuilder",
    "UnexpectedMessage",
    "UnhandledMessage",
]

publish(__name__, globals(), ["Message"])  # defined below both sides, in the pact layer


def compile_message(
    content: object, metadata: Mapping[str, object], content_type: str | None, spec: Spec, where: str
) -> MessageContents:
    """An expected message from the DSL: contents (see `apact.bodies.build`) and
    metadata, either holding matchers and generators. Adds the ``contentType``
    metadata, as the official tools do."""
    rules: dict[str, dict[str, RuleList]] = {}
    generators: dict[str, dict[str, Generator]] = {}
    values: dict[str, JSON] = {}
    for key, value in metadata.items():
        if not isinstance(key, str) or not key:
            raise TypeError(f"{where}.metadata: a metadata key is a non-empty string, got {key!r}")
        compiled = compile_json(value, spec, f"{where}.metadata.{key}")
        nested = sorted((set(compiled.rules) | set(compiled.generators)) - {"$"})
        if nested:
            raise ValueError(
                f"{where}.metadata.{key}: matchers apply to a whole metadata value, not inside it "
                f"(found some at {', '.join(nested)})"
            )
        values[key] = compiled.example
        if "$" in compiled.rules:
            rules.setdefault("metadata", {})[key] = compiled.rules["$"]
        if "$" in compiled.generators:
            generators.setdefault("metadata", {})[key] = compiled.generators["$"]
    declared = content_type or content_type_in(values)
    body = None
    if content is not None:
        built = bodies.build(content, spec, f"{where}.contents", declared)
        body = built.body
        if built.rules:
            rules["body"] = built.rules
        if built.generators:
            generators["body"] = built.generators
        if content_type_in(values) is None:
            values = {"contentType": built.content_type, **values}
        # a pact with such contents cannot be read back (by apact or the official core)
        misfit = body_misfit(body, declared or built.content_type)
        if misfit is not None:
            raise ValueError(f"{where}.contents: {misfit}")
    return MessageContents(body, values, rules, generators)


async def _call(function: Callable[..., object], *args: object) -> object:
    result = function(*args)
    if inspect.isawaitable(result):
        result = await result
    return result


# -- what can go wrong ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UnhandledMessage:
    """A message the test declared but never handed to a handler (or never sent)."""

    interaction: AsyncMessage | SyncMessage

    def render(self) -> str:
        if isinstance(self.interaction, SyncMessage):
            return (
                f"message never sent: {interaction_line(self.interaction)}: the consumer's code never sent its request "
                "(send it with `await ....send(contents)`)"
            )
        return (
            f"message never handled: {interaction_line(self.interaction)}: no handler was given the message "
            "(call `await ....verify(handler)` with the consumer's handler)"
        )


@dataclass(frozen=True, slots=True)
class HandlerFailed:
    """The consumer's handler raised on the example message."""

    interaction: AsyncMessage
    error: BaseException = field(compare=False)

    def render(self) -> str:
        trace = "".join(traceback.format_exception(self.error)).rstrip()
        return f"message handler failed: {interaction_line(self.interaction)}: the handler raised\n" + _indent(trace)


@dataclass(frozen=True, slots=True)
class UnexpectedMessage:
    """The consumer sent a request message the pact does not describe."""

    interaction: SyncMessage
    mismatches: tuple[Mismatch, ...]
    #: what ``send`` raised
    error: MismatchError = field(compare=False)

    def render(self) -> str:
        return str(self.error)


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


# -- builders ------------------------------------------------------------------------------------


class AsyncMessageBuilder(InteractionBuilder):
    """An asynchronous message being written: ``given`` ... ``with_content`` ...
    ``with_metadata``; then ``await builder.verify(handler)``. Each method but
    ``verify`` returns the builder."""

    def __init__(self, recorder: Recorder, description: str) -> None:
        super().__init__(recorder, description)
        self._content: object = None
        self._content_type: str | None = None
        self._metadata: dict[str, object] = {}
        self._message: MessageContents | None = None
        self._handled = False
        self._failure: HandlerFailed | None = None
        self._raw = _raw.RawRules()

    def with_content(self, content: object, *, content_type: str | None = None) -> AsyncMessageBuilder:
        """The message's contents: JSON (with matchers and generators) unless ``str``
        (text), ``bytes`` or one of `apact.bodies`; ``content_type`` overrides
        the type they imply (it becomes the ``contentType`` metadata)."""
        if content is None:
            raise ValueError("a message's contents cannot be None (use match.null() for JSON null)")
        self._message = compile_message(content, self._metadata, content_type, self._spec, "$")
        self._content, self._content_type = content, content_type
        return self._changed()

    def with_metadata(self, metadata: Mapping[str, object] | None = None, /, **more: object) -> AsyncMessageBuilder:
        """Metadata (a mapping and/or keywords, added to any given before); a value may
        be a matcher (``match.regex(...)``), which applies to the whole value."""
        merged = {**self._metadata, **(metadata or {}), **more}
        self._message = compile_message(self._content, merged, self._content_type, self._spec, "$")
        self._metadata = merged
        return self._changed()

    def with_matching_rules(self, rules: Mapping[str, object] | str) -> AsyncMessageBuilder:
        """Matching rules given raw, as a pact file writes them (V2 flat form,
        ``{"$.contents.id": {"match": "type"}}``, or V3/V4 categories,
        ``{"body": {"$.id": {"matchers": [...]}}}``); checked as rules read from a pact
        file and added to those the ``match`` terms made. See
        `HttpInteractionBuilder.with_matching_rules`."""
        what = f"with_matching_rules of message {self.label()}"
        with self._raw.kept_if_recorded():
            self._raw.add_rules("message", _raw.read_rules(rules, _raw.MESSAGE, what, message=True))
            return self._changed()

    def with_generators(self, generators: Mapping[str, object] | str) -> AsyncMessageBuilder:
        """Generators given raw, in the category form of a pact file
        (``{"body": {"$.id": {"type": "Uuid"}}, "metadata": {...}}``)."""
        what = f"with_generators of message {self.label()}"
        with self._raw.kept_if_recorded():
            self._raw.add_generators("message", _raw.read_generators(generators, _raw.MESSAGE, what))
            return self._changed()

    async def verify(self, handler: Callable[[Message], object]) -> Any:  # noqa: ANN401 - whatever the handler returns
        """Call the consumer's ``handler`` (sync or async) with the example message
        (generators applied) and return what it returns. If it raises, its exception
        propagates (with a note naming the message) and no pact is written."""
        interaction = self._complete("verify")
        example = decode(generate_message(interaction.message, Context()))
        try:
            result = await _call(handler, example)
        except Exception as error:
            self._failure = HandlerFailed(interaction, error)
            _compat.add_note(
                error,
                f"apact: raised by the handler of message {interaction_line(interaction)}; no pact file is written",
            )
            raise
        self._handled = True
        self._failure = None
        return result

    def _complete(self, what: str) -> AsyncMessage:
        self._recorder.check_open(f"{what}()")
        if self.interaction is None:
            raise RuntimeError(f"message {self.label()} is not complete: it has no {self.missing_part()}")
        assert isinstance(self.interaction, AsyncMessage)
        return self.interaction

    def missing_part(self) -> str | None:
        if self._message is None or self._message.contents is None:
            return "contents (call .with_content(...))"
        return None

    def unmet(self) -> list[HandlerFailed | UnhandledMessage]:
        if not isinstance(self.interaction, AsyncMessage):
            return []
        if self._failure is not None:
            return [self._failure]
        return [] if self._handled else [UnhandledMessage(self.interaction)]

    def _build(self, common: dict[str, Any]) -> Interaction:
        assert self._message is not None
        return AsyncMessage(message=self._raw.apply("message", self._message), **common)

    def _recorded(self, interaction: Interaction) -> None:
        self._handled = False  # changed since: handle it again
        self._failure = None


class SyncMessageBuilder(InteractionBuilder):
    """A synchronous message (V4) being written: ``given`` ... ``with_request`` ...
    ``will_respond_with`` (once per response message); then the consumer's code sends
    its request with ``await builder.send(...)``."""

    def __init__(self, recorder: Recorder, description: str) -> None:
        super().__init__(recorder, description)
        self._request: MessageContents | None = None
        self._responses: list[MessageContents] = []
        self._sent = False
        self._problems: list[UnexpectedMessage] = []
        self._raw = _raw.RawRules()

    def with_request(
        self, content: object, *, metadata: Mapping[str, object] | None = None, content_type: str | None = None
    ) -> SyncMessageBuilder:
        """The request message the consumer sends: contents as in
        `AsyncMessageBuilder.with_content`, metadata as in ``with_metadata``."""
        self._request = compile_message(content, metadata or {}, content_type, self._spec, "$.request")
        return self._changed()

    def will_respond_with(
        self, content: object, *, metadata: Mapping[str, object] | None = None, content_type: str | None = None
    ) -> SyncMessageBuilder:
        """A response message (call again for each further response)."""
        where = f"$.response[{len(self._responses)}]"
        self._responses.append(compile_message(content, metadata or {}, content_type, self._spec, where))
        return self._changed()

    def with_matching_rules(
        self, rules: Mapping[str, object] | str, part: _raw.Part | None = None
    ) -> SyncMessageBuilder:
        """Matching rules given raw (see `AsyncMessageBuilder.with_matching_rules`) for
        ``part``: ``"Request"``, or ``"Response"`` (the response message written last);
        by default the message written last."""
        key, what = self._part(part, "with_matching_rules")
        with self._raw.kept_if_recorded():
            self._raw.add_rules(key, _raw.read_rules(rules, _raw.MESSAGE, what, message=True))
            return self._changed()

    def with_generators(
        self, generators: Mapping[str, object] | str, part: _raw.Part | None = None
    ) -> SyncMessageBuilder:
        """Generators given raw (category form) for ``part``, as in `with_matching_rules`."""
        key, what = self._part(part, "with_generators")
        with self._raw.kept_if_recorded():
            self._raw.add_generators(key, _raw.read_generators(generators, _raw.MESSAGE, what))
            return self._changed()

    def _part(self, part: _raw.Part | None, method: str) -> tuple[str, str]:
        last = None if self._request is None else "response" if self._responses else "request"
        where = _raw.part_name(part, last, f"{method} of synchronous message {self.label()}")
        if where == "response":
            if not self._responses:
                raise ValueError(
                    f"{method} of synchronous message {self.label()}: no response message yet "
                    "(call .will_respond_with(...) first)"
                )
            index = len(self._responses) - 1
            return f"response {index}", f"{method} of synchronous message {self.label()} (response {index})"
        return "request", f"{method} of synchronous message {self.label()} (request)"

    async def send(
        self, content: object, *, metadata: Mapping[str, JSON] | None = None, content_type: str | None = None
    ) -> Message:
        """Send the consumer's request message: checked against the pact's request,
        answered with the response message (generators applied; the first, if the pact
        lists several: see `send_all`). A request that does not match raises
        `MismatchError` (an ``AssertionError``) saying why, and
        fails the test on leaving the block even if caught."""
        return (await self.send_all(content, metadata=metadata, content_type=content_type))[0]

    async def send_all(
        self, content: object, *, metadata: Mapping[str, JSON] | None = None, content_type: str | None = None
    ) -> tuple[Message, ...]:
        """As `send`, answered with every response message."""
        self._recorder.check_open("send()")
        interaction = self.interaction
        if not isinstance(interaction, SyncMessage):
            raise RuntimeError(f"synchronous message {self.label()} is not complete: it has no {self.missing_part()}")
        actual = encode(Message(content, metadata or {}, content_type), "the request message")
        mismatches = tuple(message_mismatches(interaction.request, actual, self._spec))
        if mismatches:
            lines = [
                f"unexpected request message for {interaction_line(interaction)}:",
                *(f"  {m}" for m in mismatches),
            ]
            error = MismatchError("\n".join(lines))
            self._problems.append(UnexpectedMessage(interaction, mismatches, error))
            raise error
        self._sent = True
        context = Context()
        return tuple(decode(generate_message(response, context)) for response in interaction.responses)

    def missing_part(self) -> str | None:
        if self._request is None:
            return "request message (call .with_request(...))"
        if not self._responses:
            return "response message (call .will_respond_with(...))"
        return None

    def unmet(self) -> list[UnexpectedMessage | UnhandledMessage]:
        if not isinstance(self.interaction, SyncMessage):
            return []
        problems: list[UnexpectedMessage | UnhandledMessage] = [*self._problems]
        if not self._sent and not problems:
            problems.append(UnhandledMessage(self.interaction))
        return problems

    def _build(self, common: dict[str, Any]) -> Interaction:
        assert self._request is not None
        responses = tuple(self._raw.apply(f"response {index}", r) for index, r in enumerate(self._responses))
        return SyncMessage(request=self._raw.apply("request", self._request), responses=responses, **common)

    def _recorded(self, interaction: Interaction) -> None:
        self._sent = False
        self._problems = []
