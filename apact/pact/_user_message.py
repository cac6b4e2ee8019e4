"""The `Message` user code sees (``apact.Message``), and converting it to and from
the model's message (``apact.pact.model.MessageContents``, which also holds matching rules and
generators).

Both sides hand it around: the consumer's handlers receive one and its code sends one
(``apact.consumer.messages``), a provider's message producers return one (the verifier).
So it lives here, below both.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from .._core._types import JSON
from . import _jsondepth, _sniff
from ._sniff import content_type_in
from .model import Body, MessageContents, effective_type

__all__ = ["Message", "decode", "encode"]


@dataclass(frozen=True, slots=True)
class Message:
    """A message as your code sees it: its contents and its metadata.

    The consumer's handlers receive one; a provider's message producers may return one
    (or just the contents). ``contents`` is a JSON value (dict, list, ...) for JSON
    messages, ``str`` for text and ``bytes`` for anything else; ``metadata`` holds what
    travels beside it (a topic, a key, headers). ``content_type`` is
    ``application/json`` for a JSON value, ``text/plain`` for ``str`` and
    ``application/octet-stream`` for ``bytes`` unless given here or as the
    ``contentType`` metadata.
    """

    contents: object = None
    metadata: Mapping[str, JSON] = field(default_factory=dict)
    content_type: str | None = None

    @property
    def body(self) -> bytes:
        """The contents as bytes (JSON encoded compactly, text as UTF-8)."""
        contents = encode(self, "the message").contents
        return b"" if contents is None else contents.content


# -- between Message and the model -----------------------------------------------------------------


def decode(message: MessageContents) -> Message:
    """The model's message as your code sees it (contents decoded by content type)."""
    content_type = message.content_type()
    body = message.contents
    if body is None or body.null:
        return Message(None, dict(message.metadata), content_type)
    kind = effective_type(body, content_type)
    return Message(_decoded(body, kind), dict(message.metadata), content_type or kind)


def _decoded(body: Body, kind: str) -> object:
    """JSON as its value, text as ``str``, anything else (or what does not decode) as bytes."""
    if _sniff.is_json(kind):
        try:
            return body.json()
        except (ValueError, UnicodeDecodeError):
            pass
    if _sniff.is_text(kind) or _sniff.is_xml(kind) or _sniff.is_form(kind):
        try:
            return body.text()
        except UnicodeDecodeError:
            pass
    return body.content


def encode(value: object, what: str) -> MessageContents:
    """What a producer returned (or what the consumer sends) as the model's message:
    a `Message`, or just the contents (a JSON value, ``str`` or ``bytes``).
    ``what`` names the value in errors (``TypeError``)."""
    if value is None:
        raise TypeError(f"{what} is None: return the message (a dict, list, str, bytes or apact.Message)")
    message = value if isinstance(value, Message) else Message(value)
    if not isinstance(message.metadata, Mapping):
        raise TypeError(f"{what}: the metadata must be a mapping, got {type(message.metadata).__name__}")
    metadata: dict[str, JSON] = {}
    for key, item in message.metadata.items():
        metadata[str(key)] = _json(item, f"{what}: metadata {key!r}")
    contents = message.contents
    content_type = message.content_type or content_type_in(metadata)
    body: Body | None
    if contents is None:
        body = None
    elif isinstance(contents, (bytes, bytearray, memoryview)):
        content_type = content_type or _sniff.OCTET_STREAM
        body = Body(bytes(contents), content_type)
    elif isinstance(contents, str):
        content_type = content_type or "text/plain"
        body = Body(contents.encode(), content_type)
    else:
        content_type = content_type or "application/json"
        body = Body(_jsondepth.utf8(_json_text(contents, f"{what}: the contents")), content_type)
    if content_type is not None and content_type_in(metadata) is None:
        metadata["contentType"] = content_type
    return MessageContents(body, metadata)


def _json(value: object, what: str) -> JSON:
    _json_text(value, what)
    return value  # type: ignore[return-value]


def _json_text(value: object, what: str) -> str:
    """``value`` as compact JSON text; a ``TypeError`` saying why it is not JSON a
    reader takes (not a number, nested too deep: the producer's doing, not apact's)."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except RecursionError:
        text = None
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"{what} is not JSON ({error}): give a dict, list, str, number, bool or None "
            "(or bytes or str contents for other content types)"
        ) from None
    if text is None or _jsondepth.too_deep(text):
        raise TypeError(
            f"{what} is nested more than {_jsondepth.MAX_DEPTH} levels deep: apact reads JSON at most "
            f"{_jsondepth.MAX_DEPTH} levels of arrays and objects deep, as the official Pact core does"
        )
    return text
