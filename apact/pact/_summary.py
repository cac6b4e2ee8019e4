"""A human summary of a pact: who, which spec, each interaction and its rules.

``summarize(pact)`` is what ``apact check`` prints; ``summarize(pact, details=True)``
is ``apact show``: also the headers, query and bodies of each request and response
(or message), their generators, and the pact's metadata.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from .._core._types import JSON
from .model import (
    AsyncMessage,
    Body,
    Generators,
    Headers,
    HttpInteraction,
    Interaction,
    MatchingRules,
    MessageContents,
    PactFile,
    SyncMessage,
)

#: a body longer than this (in characters, on one line) is cut short
_BODY_WIDTH = 160


def summarize(pact: PactFile, *, details: bool = False) -> str:
    kinds = {"HTTP": 0, "asynchronous message": 0, "synchronous message": 0}
    for interaction in pact.interactions:
        kinds[_kind(interaction)] += 1
    counted = ", ".join(f"{count} {name}" for name, count in kinds.items() if count)
    lines = [
        f"{pact.consumer} -> {pact.provider}, Pact specification {pact.spec.label}",
        f"{len(pact.interactions)} interaction{'s' if len(pact.interactions) != 1 else ''}"
        + (f" ({counted})" if counted else ""),
    ]
    if details and pact.metadata:
        lines.append("metadata: " + _compact(pact.metadata))
    for index, interaction in enumerate(pact.interactions):
        lines.append("")
        lines.extend(_interaction(index, interaction, details))
    return "\n".join(lines)


def _kind(interaction: Interaction) -> str:
    if isinstance(interaction, HttpInteraction):
        return "HTTP"
    if isinstance(interaction, AsyncMessage):
        return "asynchronous message"
    return "synchronous message"


def _interaction(index: int, interaction: Interaction, details: bool) -> list[str]:
    flags = [word for word, on in (("pending", interaction.pending),) if on]
    head = f"[{index}] {interaction.description}" + (f" ({', '.join(flags)})" if flags else "")
    lines = [head]
    if details and interaction.key:
        lines.append(f"    key {interaction.key}")
    for state in interaction.provider_states:
        params = ", ".join(f"{k}={v!r}" for k, v in state.params.items())
        lines.append(f"    given {state.name}" + (f" ({params})" if params else ""))
    if isinstance(interaction, HttpInteraction):
        request, response = interaction.request, interaction.response
        query = "&".join(f"{k}={v}" for k, values in (request.query or {}).items() for v in values)
        lines.append(f"    {request.method} {request.path}{'?' + query if query else ''} -> {response.status}")
        if details:
            lines.extend(_parts("request", request.headers, request.body, request.content_type()))
            lines.extend(_parts("response", response.headers, response.body, response.content_type()))
        lines.extend(_rules("request", request.matching_rules))
        lines.extend(_rules("response", response.matching_rules))
        if details:
            lines.extend(_generators("request", request.generators))
            lines.extend(_generators("response", response.generators))
    elif isinstance(interaction, AsyncMessage):
        lines.append(f"    message ({interaction.message.content_type() or 'no content type'})")
        lines.extend(_message("message", interaction.message, details))
    elif isinstance(interaction, SyncMessage):
        lines.append(f"    request message -> {len(interaction.responses)} response message(s)")
        lines.extend(_message("request", interaction.request, details))
        for number, reply in enumerate(interaction.responses):
            lines.extend(_message(f"response {number}", reply, details))
    return lines


def _message(side: str, message: MessageContents, details: bool) -> list[str]:
    lines = []
    if details:
        if message.metadata:
            lines.append(f"    {side} metadata: {_compact(dict(message.metadata))}")
        lines.extend(_parts(side, None, message.contents, message.content_type()))
    lines.extend(_rules(side, message.matching_rules))
    if details:
        lines.extend(_generators(side, message.generators))
    return lines


def _parts(side: str, headers: Headers | None, body: Body | None, content_type: str | None) -> list[str]:
    lines = [f"    {side} header {name}: {', '.join(values)}" for name, values in (headers or {}).items()]
    if body is not None:
        lines.append(f"    {side} body ({content_type or 'no content type'}): {_body(body)}")
    return lines


def _body(body: Body) -> str:
    if body.null:
        return "null"
    if body.is_empty:
        return "(empty)"
    try:
        text = _compact(body.json())
    except (ValueError, UnicodeDecodeError):
        try:
            text = " ".join(body.text().split())
        except UnicodeDecodeError:
            return f"<{len(body.content)} bytes>"
    return text if len(text) <= _BODY_WIDTH else text[: _BODY_WIDTH - 3] + "..."


def _compact(value: JSON) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _rules(side: str, rules: MatchingRules) -> list[str]:
    lines = []
    for category, entries in rules.items():
        for key, rule_list in entries.items():
            where = category if not key else f"{category} {key}"
            names = f" {rule_list.combine.lower()} ".join(_matcher(m.match, m.attrs) for m in rule_list.matchers)
            lines.append(f"    {side} {where}: {names}")
    return lines


def _generators(side: str, generators: Generators) -> list[str]:
    lines = []
    for category, entries in generators.items():
        for key, generator in entries.items():
            where = category if not key else f"{category} {key}"
            lines.append(f"    {side} {where}: generated by {_matcher(generator.type, generator.attrs)}")
    return lines


def _matcher(name: str, attrs: Mapping[str, JSON]) -> str:
    """``integer``, ``regex "^\\d+$"``, ``type min=1``, ``date format="yyyy-MM-dd"``:
    strings as written (a regex's backslashes are not doubled)."""
    words = [name]
    for attr, value in attrs.items():
        shown = f'"{value}"' if isinstance(value, str) else _compact(value)
        words.append(shown if attr == name else f"{attr}={shown}")
    return " ".join(words)
