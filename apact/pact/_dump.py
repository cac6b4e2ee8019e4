"""Write the model as pact JSON of a chosen spec version (V2, V3 or V4).

The inverse of `apact.pact._parse`. Keys come out in a fixed, readable order, so the
same pact always produces the same bytes. What a version cannot express (two matchers
on one place in V2, generators before V3, a binary body before V4...) raises
`PactWriteError` naming the interaction, rather than being
quietly dropped.
"""

from __future__ import annotations

import base64
from urllib.parse import urlencode

from .._core._gc import collector_paused
from .._core._types import JSON
from ..errors import PactWriteError
from . import _jsondepth, _sniff
from ._parse import body_misfit, is_binary_type, parse_query
from ._paths import format_token
from .model import (
    AsyncMessage,
    Body,
    Generators,
    Headers,
    HttpInteraction,
    HttpRequest,
    HttpResponse,
    Interaction,
    MatchingRules,
    MessageContents,
    PactFile,
    ProviderState,
    Query,
    RuleList,
    Spec,
    SyncMessage,
    effective_type,
    find_header,
)

WRITABLE = (Spec.V2, Spec.V3, Spec.V4)

# matchers V2 knows; later ones need V3
#: what V2 pacts hold (and the V2-era forms apact reads from them, written back as read)
_V2_MATCHERS = frozenset({"type", "regex", "min", "max", "minmax", "min-type", "max-type", "timestamp", "date", "time"})


class _Where:
    """Names the interaction being written, for errors."""

    def __init__(self, index: int, interaction: Interaction) -> None:
        self.label = f"interaction {index} {interaction.description!r}"

    def error(self, reason: str) -> PactWriteError:
        return PactWriteError(f"{self.label}: {reason}")


@collector_paused  # (a large pact's document: see `._core._gc`)
def pact_to_json(pact: PactFile, spec: Spec | None = None) -> dict[str, JSON]:
    """The pact as a JSON document of ``spec`` (default: the pact's own version)."""
    return _document(pact, spec)[0]


def check_depth(text: str | bytes, pact: PactFile, spec: Spec | None = None, *, levels_above: int = 0) -> None:
    """Raise `PactWriteError` if ``text``, the pact written as JSON (or a part of
    it ``levels_above`` levels down in the file), nests deeper than apact (and the
    official core) reads: the file could not be read back. The error names the
    interaction and the path. Checked on the text, which costs next to nothing."""
    if not _jsondepth.too_deep(text, _jsondepth.MAX_DEPTH - levels_above):
        return
    _check_depth(*_document(pact, spec))
    raise PactWriteError(
        f"the pact nests JSON more than {_jsondepth.MAX_DEPTH} levels deep, so it could not be read back"
    )


def _document(pact: PactFile, spec: Spec | None) -> tuple[dict[str, JSON], dict[tuple[str, int], _Where]]:
    """The pact's JSON document, and which interaction sits at each ``(section, index)``."""
    spec = spec or pact.spec
    if spec not in WRITABLE:
        raise PactWriteError(f"apact writes pacts of spec V2, V3 and V4, not {spec.label}")
    document: dict[str, JSON] = {
        "consumer": {"name": pact.consumer},
        "provider": {"name": pact.provider},
    }
    http: list[JSON] = []
    messages: list[JSON] = []
    placed: dict[tuple[str, int], _Where] = {}  # (section, index in it) -> the interaction
    for index, interaction in enumerate(pact.interactions):
        where = _Where(index, interaction)
        if spec >= Spec.V4:
            placed["interactions", len(http)] = where
            http.append(_v4_interaction(interaction, where))
        elif isinstance(interaction, HttpInteraction):
            placed["interactions", len(http)] = where
            http.append(_http_interaction(interaction, spec, where))
        elif isinstance(interaction, AsyncMessage) and spec == Spec.V3:
            placed["messages", len(messages)] = where
            messages.append(_v3_message(interaction, where))
        else:
            raise where.error(f"a {interaction.kind} interaction needs spec V4 (or V3 for asynchronous messages)")
    if http or not messages:
        document["interactions"] = http
    if messages:
        document["messages"] = messages
    for key, value in pact.extra.items():
        document.setdefault(key, value)
    document["metadata"] = _metadata(pact.metadata, spec)
    return document, placed


def _check_depth(document: dict[str, JSON], placed: dict[tuple[str, int], _Where]) -> None:
    try:
        _jsondepth.check_value(document)
    except _jsondepth.JsonTooDeepError as error:
        tokens = error.tokens
        where = placed.get((str(tokens[0]), tokens[1])) if len(tokens) >= 2 and isinstance(tokens[1], int) else None
        reason = f"{error.path()}: {error.reason}, so the pact file could not be read back"
        raise (where.error(reason) if where is not None else PactWriteError(reason)) from None


def _metadata(metadata: dict[str, JSON], spec: Spec) -> dict[str, JSON]:
    out: dict[str, JSON] = {}
    for key, value in metadata.items():
        if key in ("pactSpecification", "pact-specification", "pactSpecificationVersion"):
            continue
        out[key] = value
    out["pactSpecification"] = {"version": spec.version}
    return dict(sorted(out.items()))


# -- interactions --------------------------------------------------------------------------


def _states(states: tuple[ProviderState, ...], spec: Spec, where: _Where) -> dict[str, JSON]:
    if not states:
        return {}
    if spec <= Spec.V2:
        if len(states) > 1:
            raise where.error("several provider states need spec V3 or later")
        if states[0].params:
            raise where.error("provider state parameters need spec V3 or later")
        return {"providerState": states[0].name}
    return {"providerStates": [{"name": s.name, **({"params": s.params} if s.params else {})} for s in states]}


def _common_v4(interaction: Interaction, where: _Where) -> dict[str, JSON]:
    out: dict[str, JSON] = {"type": interaction.kind}
    if interaction.key is not None:
        out["key"] = interaction.key
    out["description"] = interaction.description
    out.update(_states(interaction.provider_states, Spec.V4, where))
    return out


def _tail_v4(interaction: Interaction, out: dict[str, JSON]) -> dict[str, JSON]:
    if interaction.comments is not None:
        out["comments"] = interaction.comments
    out["pending"] = interaction.pending
    for key, value in interaction.extra.items():
        out.setdefault(key, value)
    return out


def _v4_interaction(interaction: Interaction, where: _Where) -> dict[str, JSON]:
    out = _common_v4(interaction, where)
    if isinstance(interaction, HttpInteraction):
        out["request"] = _request(interaction.request, Spec.V4, where)
        out["response"] = _response(interaction.response, Spec.V4, where)
    elif isinstance(interaction, AsyncMessage):
        out.update(_message(interaction.message, Spec.V4, where))
    elif isinstance(interaction, SyncMessage):
        out["request"] = _message(interaction.request, Spec.V4, where)
        out["response"] = [_message(m, Spec.V4, where) for m in interaction.responses]
    return _tail_v4(interaction, out)


def _http_interaction(interaction: HttpInteraction, spec: Spec, where: _Where) -> dict[str, JSON]:
    out: dict[str, JSON] = {"description": interaction.description}
    out.update(_states(interaction.provider_states, spec, where))
    out["request"] = _request(interaction.request, spec, where)
    out["response"] = _response(interaction.response, spec, where)
    # V4 attributes read from a V4 file and written back older: kept rather than lost
    if interaction.key is not None:
        out["key"] = interaction.key
    if interaction.pending:
        out["pending"] = True
    if interaction.comments is not None:
        out["comments"] = interaction.comments
    for key, value in interaction.extra.items():
        out.setdefault(key, value)
    return out


def _v3_message(interaction: AsyncMessage, where: _Where) -> dict[str, JSON]:
    out: dict[str, JSON] = {"description": interaction.description}
    out.update(_states(interaction.provider_states, Spec.V3, where))
    out.update(_message(interaction.message, Spec.V3, where))
    for key, value in interaction.extra.items():
        out.setdefault(key, value)
    return out


# -- parts -----------------------------------------------------------------------------------


def _request(request: HttpRequest, spec: Spec, where: _Where) -> dict[str, JSON]:
    out: dict[str, JSON] = {"method": request.method, "path": request.path}
    if request.query is not None:
        out["query"] = _query(request, spec)
    if request.headers is not None:
        out["headers"] = _headers(request.headers, spec)
    if request.body is not None:
        out["body"] = _body(
            request.body, request.content_type(), spec, where, _header_type(request.headers), "request body"
        )
    _rules_and_generators(out, request.matching_rules, request.generators, spec, where, message=False)
    return out


def _response(response: HttpResponse, spec: Spec, where: _Where) -> dict[str, JSON]:
    out: dict[str, JSON] = {"status": response.status}
    if response.headers is not None:
        out["headers"] = _headers(response.headers, spec)
    if response.body is not None:
        out["body"] = _body(
            response.body, response.content_type(), spec, where, _header_type(response.headers), "response body"
        )
    _rules_and_generators(out, response.matching_rules, response.generators, spec, where, message=False)
    return out


def _message(message: MessageContents, spec: Spec, where: _Where) -> dict[str, JSON]:
    out: dict[str, JSON] = {}
    if message.contents is not None:
        seen = _sniff.content_type_in(message.metadata)
        misfit = body_misfit(message.contents, message.content_type())
        if misfit is not None:  # (a reader refuses such contents: a message is all its contents)
            raise where.error(f"its contents are {misfit.removeprefix('the body is ')} (no reader accepts them)")
        out["contents"] = _body(message.contents, message.content_type(), spec, where, seen, "contents")
    out["metadata"] = message.metadata  # "metaData" in the V3 text; the Rust core writes this
    _rules_and_generators(out, message.matching_rules, message.generators, spec, where, message=True)
    return out


def message_to_json(message: MessageContents) -> dict[str, JSON]:
    """One message as V4 pact JSON (``contents``, ``metadata``, rules, generators)."""
    return _message(message, Spec.V4, _Where(0, AsyncMessage("a message")))


def _query(request: HttpRequest, spec: Spec) -> JSON:
    query: Query = request.query or {}
    if spec >= Spec.V3:
        return {name: list(values) for name, values in query.items()}
    if request.raw_query is not None and parse_query(request.raw_query, "$")[0] == query:
        return request.raw_query  # the author's spelling, when it still says the same
    return urlencode([(name, value) for name, values in query.items() for value in values])


def _headers(headers: Headers, spec: Spec) -> JSON:
    if spec >= Spec.V4:
        return {name: list(values) for name, values in headers.items()}
    return {name: ", ".join(values) for name, values in headers.items()}


def _header_type(headers: Headers | None) -> str | None:
    found = find_header(headers, "Content-Type")
    return found[0] if found else None


def _body(
    body: Body, declared: str | None, spec: Spec, where: _Where, seen: str | None = None, part: str = "body"
) -> JSON:
    """``seen``: the content type a reader of a pre-V4 pact sees (the header, the
    message metadata's), which says whether a string body is JSON text or a JSON string;
    ``part`` names the body in errors."""
    content_type = body.content_type or declared
    if spec >= Spec.V4:
        return _v4_body(body, content_type, where)
    if body.null:
        return None
    if _is_json(body, content_type, where):
        value = body.json()
        if isinstance(value, str) and (not (seen and _sniff.is_json(seen)) or _reads_as_json(value)):
            # written bare, the string would read back as text, or as the JSON it holds
            # ("1", "{}"), or as no body (""): its JSON text reads back as this string (a
            # lone surrogate as its escape: as a character, it has no UTF-8 text)
            return _jsondepth.utf8(_jsondepth.dumps(value)).decode()
        return value
    if content_type and is_binary_type(content_type):
        return base64.b64encode(body.content).decode("ascii")  # as the Rust core does
    if content_type and _sniff.is_json(content_type):
        raise where.error(
            f"its {part} is not JSON although its content type is {content_type}: before V4 it can only be "
            "written as a string, which reads back as a JSON string (another body); write the pact as V4, "
            "which writes its bytes"
        )
    try:
        return body.text()
    except UnicodeDecodeError:
        raise where.error(
            f"a binary body ({len(body.content)} bytes) needs a binary content type to be written before V4"
        ) from None


def _reads_as_json(text: str) -> bool:
    """Whether a reader takes the string body ``text`` for JSON text (or no body)."""
    if not text.strip():
        return True
    try:
        _jsondepth.loads(text)
    except ValueError:
        return False
    return True


def _is_json(body: Body, content_type: str | None, where: _Where) -> bool:
    if content_type is not None and not _sniff.is_json(content_type):
        return False
    try:
        body.json()
    except _jsondepth.JsonTooDeepError as error:
        # written as text, it would be read back as too deep (or as a string, not JSON)
        raise where.error(
            f"a body is nested more than {error.limit} levels deep (at {error.path()} in it): {error.why}"
        ) from None
    except (ValueError, UnicodeDecodeError):
        return False
    return True


def _v4_body(body: Body, content_type: str | None, where: _Where) -> JSON:
    if body.null:
        return {"content": None, **({"contentType": content_type} if content_type else {})}
    if content_type is None:
        content_type = effective_type(body, None)
    out: dict[str, JSON] = {"contentType": content_type}
    if body.content_type_hint is not None:  # plugin pacts say how to read the content
        out["contentTypeHint"] = body.content_type_hint
    if _is_json(body, content_type, where):
        value = body.json()
        if not (isinstance(value, str) and _reads_as_json(value)):
            out["encoded"] = False
            out["content"] = value
            return out
        # a JSON string holding JSON text ("1", "{}") or nothing, written bare, reads back
        # as that JSON or as no body: its bytes are written instead (below, base64)
    try:
        text = body.text()
    except UnicodeDecodeError:
        text = None
    # (bytes under a JSON type, text/json included, that are not JSON, and the JSON strings
    # above: as text they would read back as a JSON string, another body; so they are
    # written as their bytes)
    if (
        text is not None
        and (_sniff.is_text(content_type) or _sniff.is_xml(content_type) or _sniff.is_form(content_type))
        and not _sniff.is_json(content_type)
    ):
        out["encoded"] = False
        out["content"] = text
    else:
        out["encoded"] = "base64"
        out["content"] = base64.b64encode(body.content).decode("ascii")
    return out


# -- rules and generators ----------------------------------------------------------------------


def _rules_and_generators(
    out: dict[str, JSON],
    rules: MatchingRules,
    generators: Generators,
    spec: Spec,
    where: _Where,
    *,
    message: bool,
) -> None:
    if any(rules.values()):
        out["matchingRules"] = _v2_rules(rules, where, message) if spec <= Spec.V2 else _rules(rules, spec, message)
    if any(generators.values()):
        if spec <= Spec.V2:
            raise where.error("generators need spec V3 or later")
        out["generators"] = _generators(generators, spec, message)


def _category_name(category: str, spec: Spec, message: bool) -> str:
    # V4 message contents: the Rust core (pact-python, pact-js) writes "body" too
    return category


def _rule_list(rule_list: RuleList) -> dict[str, JSON]:
    return {"matchers": [m.to_json() for m in rule_list.matchers], "combine": rule_list.combine}


def _rules(rules: MatchingRules, spec: Spec, message: bool) -> dict[str, JSON]:
    out: dict[str, JSON] = {}
    for category, entries in rules.items():
        if not entries:
            continue
        name = _category_name(category, spec, message)
        if category == "path" and "" in entries:
            out[name] = _rule_list(entries[""])
        elif category == "status" and "" in entries:
            out[name] = {"$": _rule_list(entries[""])}  # as the Rust core writes it
        else:
            out[name] = {key: _rule_list(rule_list) for key, rule_list in entries.items()}
    return out


def _v2_rules(rules: MatchingRules, where: _Where, message: bool) -> dict[str, JSON]:
    out: dict[str, JSON] = {}
    for category, entries in rules.items():
        for key, rule_list in entries.items():
            if len(rule_list.matchers) != 1:
                raise where.error(
                    f"V2 allows one matcher per place, {category} {key or ''} has {len(rule_list.matchers)}: use spec V3"
                )
            matcher = rule_list.matchers[0]
            if matcher.match not in _V2_MATCHERS:
                raise where.error(
                    f"the {matcher.match!r} matcher needs spec V3 or later (V2 knows type, min, max and regex)"
                )
            if category == "body":
                path = "$.body" + (key[1:] if key.startswith("$") else ("" if key.startswith("[") else ".") + key)
            elif category in ("path",):
                path = "$.path"
            elif category == "header":
                path = "$.headers" + format_token(key)
            elif category == "query":
                path = "$.query" + format_token(key)
            else:
                raise where.error(f"{category} matching rules need spec V3 or later")
            out[path] = matcher.to_json()
    return out


def _generators(generators: Generators, spec: Spec, message: bool) -> dict[str, JSON]:
    out: dict[str, JSON] = {}
    for category, entries in generators.items():
        if not entries:
            continue
        name = _category_name(category, spec, message)
        if category in ("path", "status") and "" in entries:
            out[name] = entries[""].to_json()
        else:
            out[name] = {key: g.to_json() for key, g in entries.items()}
    return out


__all__ = ["WRITABLE", "check_depth", "message_to_json", "pact_to_json"]
