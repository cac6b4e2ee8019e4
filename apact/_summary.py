"""A human summary of a pact: who, which spec, each interaction and its rules."""

from __future__ import annotations

from .model import AsyncMessage, HttpInteraction, Interaction, MatchingRules, PactFile, SyncMessage


def summarize(pact: PactFile) -> str:
    kinds = {"HTTP": 0, "asynchronous message": 0, "synchronous message": 0}
    for interaction in pact.interactions:
        kinds[_kind(interaction)] += 1
    counted = ", ".join(f"{count} {name}" for name, count in kinds.items() if count)
    lines = [
        f"{pact.consumer} -> {pact.provider}, Pact specification {pact.spec.label}",
        f"{len(pact.interactions)} interaction{'s' if len(pact.interactions) != 1 else ''}"
        + (f" ({counted})" if counted else ""),
    ]
    for index, interaction in enumerate(pact.interactions):
        lines.append("")
        lines.extend(_interaction(index, interaction))
    return "\n".join(lines)


def _kind(interaction: Interaction) -> str:
    if isinstance(interaction, HttpInteraction):
        return "HTTP"
    if isinstance(interaction, AsyncMessage):
        return "asynchronous message"
    return "synchronous message"


def _interaction(index: int, interaction: Interaction) -> list[str]:
    flags = [word for word, on in (("pending", interaction.pending),) if on]
    head = f"[{index}] {interaction.description}" + (f" ({', '.join(flags)})" if flags else "")
    lines = [head]
    for state in interaction.provider_states:
        params = ", ".join(f"{k}={v!r}" for k, v in state.params.items())
        lines.append(f"    given {state.name}" + (f" ({params})" if params else ""))
    if isinstance(interaction, HttpInteraction):
        request, response = interaction.request, interaction.response
        query = "&".join(f"{k}={v}" for k, values in (request.query or {}).items() for v in values)
        lines.append(f"    {request.method} {request.path}{'?' + query if query else ''} -> {response.status}")
        lines.extend(_rules("request", request.matching_rules))
        lines.extend(_rules("response", response.matching_rules))
    elif isinstance(interaction, AsyncMessage):
        lines.append(f"    message ({interaction.message.content_type() or 'no content type'})")
        lines.extend(_rules("message", interaction.message.matching_rules))
    elif isinstance(interaction, SyncMessage):
        lines.append(f"    request message -> {len(interaction.responses)} response message(s)")
        lines.extend(_rules("request", interaction.request.matching_rules))
        for number, reply in enumerate(interaction.responses):
            lines.extend(_rules(f"response {number}", reply.matching_rules))
    return lines


def _rules(side: str, rules: MatchingRules) -> list[str]:
    lines = []
    for category, entries in rules.items():
        for key, rule_list in entries.items():
            where = category if not key else f"{category} {key}"
            names = f" {rule_list.combine.lower()} ".join(m.match for m in rule_list.matchers)
            lines.append(f"    {side} {where}: {names}")
    return lines
