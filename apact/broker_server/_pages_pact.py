"""A pact as people read it: each interaction's description, provider states, request
and response, with each matching rule next to the value it governs.

Any pact version (V1-V4, HTTP and message interactions) becomes `InteractionView`s of
plain strings; the template escapes them. A body is shown as indented JSON lines, each
with the rules of its JSON path (``$.items[0]`` also takes the rules of ``$.items[*]``);
a rule no line carries (``$.items.*``, a path the example lacks) is listed after it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from .._core._types import JSON, JSONDict

_V2_CATEGORIES = {"body": "body", "headers": "header", "header": "header", "query": "query", "path": "path"}


@dataclass(frozen=True, slots=True)
class Line:
    indent: int
    text: str
    rules: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Row:
    """A header, query parameter, status or path: a name, its value, its rules."""

    name: str
    value: str
    rules: tuple[str, ...] = ()


@dataclass(slots=True)
class Part:
    """A request, a response or a message."""

    title: str
    rows: list[Row] = field(default_factory=list)
    body: list[Line] = field(default_factory=list)
    body_type: str | None = None
    other_rules: list[Row] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class InteractionView:
    anchor: str
    kind: str
    description: str
    states: list[str]
    parts: list[Part]
    pending: bool


def describe_rule(rule: JSON) -> str:
    """``{"match": "regex", "regex": "\\d+"}`` -> ``regex \\d+``; any other keys as ``key=value``."""
    if not isinstance(rule, dict):
        return json.dumps(rule)
    kind = str(rule.get("match", "equality"))
    extras = []
    for key, value in rule.items():
        if key == "match":
            continue
        shown = value if isinstance(value, str) else json.dumps(value)
        extras.append(shown if key in ("regex", "format") else f"{key} {shown}")
    return " ".join([kind, *extras])


def _rule_list(entry: JSON) -> tuple[str, ...]:
    """The matchers of a V3/V4 entry (``{"matchers": [...], "combine": "OR"}``) or a V2 rule."""
    matchers = entry.get("matchers") if isinstance(entry, dict) else None
    if isinstance(entry, dict) and isinstance(matchers, list):
        described = tuple(describe_rule(rule) for rule in matchers)
        if described and entry.get("combine") == "OR":
            return (*described[:-1], f"{described[-1]} (combined with OR)")
        return described
    return (describe_rule(entry),)


def rules_by_category(matching_rules: JSON) -> dict[str, dict[str, tuple[str, ...]]]:
    """Matching rules of any pact version as ``{category: {path or name: descriptions}}``;
    body paths are ``$``-rooted, header names lower-cased."""
    found: dict[str, dict[str, tuple[str, ...]]] = {}
    if not isinstance(matching_rules, dict):
        return found
    for key, entry in matching_rules.items():
        if key.startswith("$."):  # V2: "$.body.x", "$.headers.Accept", "$.path"
            head, _, rest = key[2:].partition(".")
            head, bracket, tail = head.partition("[")
            category = _V2_CATEGORIES.get(head)
            if category is None:
                continue
            if category == "body":
                path = "$" + (f"[{tail}" if bracket else "") + (f".{rest}" if rest else "")
            else:
                path = rest
            found.setdefault(category, {})[path] = _rule_list(entry)
        elif isinstance(entry, dict):  # V3/V4: {"body": {"$.x": {...}}, "path": {"matchers": [...]}}
            category = _V2_CATEGORIES.get(key, key)
            if category == "path" or "matchers" in entry:
                found.setdefault(category, {})[""] = _rule_list(entry)
            else:
                found[category] = {str(path): _rule_list(item) for path, item in entry.items()}
    if "header" in found:
        found["header"] = {name.lower(): rules for name, rules in found["header"].items()}
    if "content" in found:  # V3 messages call the body "content"
        found.setdefault("body", {}).update(found.pop("content"))
    return found


def _key_path(path: str, key: str) -> str:
    return f"{path}.{key}" if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_\-]*", key) else f"{path}[{json.dumps(key)}]"


def _wildcards(path: str) -> list[str]:
    starred = re.sub(r"\[\d+\]", "[*]", path)
    return [path] if starred == path else [path, starred]


def body_lines(value: JSON, rules: dict[str, tuple[str, ...]]) -> tuple[list[Line], list[Row]]:
    """``value`` as indented JSON lines, each with the rules of its path; and the rules
    that no line took."""
    used: set[str] = set()
    lines: list[Line] = []

    def rules_of(path: str) -> tuple[str, ...]:
        found: list[str] = []
        for candidate in _wildcards(path):
            if candidate in rules:
                used.add(candidate)
                found.extend(rules[candidate])
        return tuple(found)

    def walk(item: JSON, path: str, indent: int, prefix: str, comma: str) -> None:
        here = rules_of(path)
        if isinstance(item, dict) and item:
            lines.append(Line(indent, prefix + "{", here))
            entries = list(item.items())
            for number, (key, child) in enumerate(entries):
                walk(child, _key_path(path, key), indent + 1, json.dumps(key) + ": ", "," * (number < len(entries) - 1))
            lines.append(Line(indent, "}" + comma))
        elif isinstance(item, list) and item:
            lines.append(Line(indent, prefix + "[", here))
            for number, child in enumerate(item):
                walk(child, f"{path}[{number}]", indent + 1, "", "," * (number < len(item) - 1))
            lines.append(Line(indent, "]" + comma))
        else:
            lines.append(Line(indent, prefix + json.dumps(item, ensure_ascii=False) + comma, here))

    walk(value, "$", 0, "", "")
    others = [Row(path, "", described) for path, described in rules.items() if path not in used]
    return lines, others


def _body(part: JSONDict, key: str) -> tuple[JSON, str | None, bool]:
    """The body's value, its declared content type and whether there is one (V4 wraps it
    in ``{"content", "contentType", "encoded"}``)."""
    if key not in part:
        return None, None, False
    body = part[key]
    if isinstance(body, dict) and "content" in body and set(body) <= {"content", "contentType", "encoded"}:
        content_type = body.get("contentType")
        encoded = body.get("encoded")
        content = body["content"]
        if encoded and isinstance(content, str):
            content = f"({encoded}) {content}"
        return content, content_type if isinstance(content_type, str) else None, True
    return body, None, True


def _values(value: JSON) -> str:
    if isinstance(value, list):
        return ", ".join(v if isinstance(v, str) else json.dumps(v) for v in value)
    return value if isinstance(value, str) else json.dumps(value)


def part(title: str, data: JSON) -> Part:
    shown = Part(title)
    if not isinstance(data, dict):
        shown.rows.append(Row("value", _values(data)))
        return shown
    rules = rules_by_category(data.get("matchingRules"))
    if "method" in data:
        shown.rows.append(Row("method", str(data["method"])))
    if "path" in data:
        shown.rows.append(Row("path", _values(data["path"]), rules.get("path", {}).get("", ())))
    if "status" in data:
        shown.rows.append(Row("status", _values(data["status"]), rules.get("status", {}).get("", ())))
    query = data.get("query")
    if isinstance(query, dict):
        for name, value in query.items():
            shown.rows.append(Row(f"query {name}", _values(value), rules.get("query", {}).get(name, ())))
    elif isinstance(query, str) and query:
        shown.rows.append(Row("query", query))
    for key in ("headers", "metadata"):
        values = data.get(key)
        if isinstance(values, dict):
            category = "header" if key == "headers" else "metadata"
            for name, value in values.items():
                found = rules.get(category, {})
                described = found.get(name.lower(), found.get(name, ()))
                shown.rows.append(Row(f"{key[:-1] if key == 'headers' else key} {name}", _values(value), described))
    body_key = next((key for key in ("body", "contents", "content") if key in data), None)
    if body_key is not None:
        value, content_type, present = _body(data, body_key)
        if present:
            shown.body, shown.other_rules = body_lines(value, rules.get("body", {}))
            shown.body_type = content_type
    return shown


def _states(interaction: JSONDict) -> list[str]:
    states = interaction.get("providerStates")
    if isinstance(states, list):
        found = []
        for state in states:
            if isinstance(state, dict):
                name = str(state.get("name", ""))
                params = state.get("params")
                found.append(f"{name} {json.dumps(params, ensure_ascii=False)}" if params else name)
            else:
                found.append(str(state))
        return found
    single = interaction.get("providerState") or interaction.get("provider_state")
    return [str(single)] if single else []


def interactions(document: JSONDict) -> list[InteractionView]:
    found = []
    items: list[JSON] = []
    for key in ("interactions", "messages"):
        listed = document.get(key)
        if isinstance(listed, list):
            items.extend(listed)
    for number, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        kind = str(item.get("type") or ("Synchronous/HTTP" if "request" in item else "Asynchronous/Messages"))
        parts: list[Part] = []
        if "request" in item:
            parts.append(part("Request", item["request"]))
        response = item.get("response")
        if isinstance(response, list):
            parts.extend(
                part("Response" if len(response) == 1 else f"Response {n + 1}", r) for n, r in enumerate(response)
            )
        elif "response" in item:
            parts.append(part("Response", response))
        if "request" not in item and "response" not in item:
            parts.append(part("Message", item))
        found.append(
            InteractionView(
                anchor=f"interaction-{number + 1}",
                kind=kind,
                description=str(item.get("description", "")),
                states=_states(item),
                parts=parts,
                pending=bool(item.get("pending")),
            )
        )
    return found


def specification(document: JSONDict) -> str | None:
    metadata = document.get("metadata")
    if not isinstance(metadata, dict):
        return None
    for key in ("pactSpecification", "pact-specification", "pactSpecificationVersion"):
        value = metadata.get(key)
        if isinstance(value, dict) and "version" in value:
            return str(value["version"])
        if isinstance(value, str):
            return value
    return None
