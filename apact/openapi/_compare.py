"""One HTTP interaction against an OpenAPI document: does the provider's document say it
serves what the pact asks for?

In order: the path (against the path templates, under the servers' base paths), the
method, the path parameters, the query parameters and headers the operation declares
(required ones present, values valid, and no query parameter the document does not
know), cookies, the request body (for its content type), then the response: its status
among the documented ones (or a ``2XX`` range, or ``default``), its headers, and its
body (for its content type). Bodies in JSON, forms and text are walked through their
schema (`_schemas`); other bodies are noted as not checked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from ..matching import Mismatch
from ..matching._http import by_name
from ..matching._mismatch import Kind
from ..matching._rules import EMPTY, Node, compile_rules
from ..pact.model import Body, HttpInteraction, HttpRequest, HttpResponse, RuleList
from ._document import Location, OpenAPIDocument
from ._operations import Template, find, near_miss, paths
from ._schemas import Entry, Place, Walker

#: request headers an OpenAPI document never declares as parameters (the spec says
#: such declarations are ignored: they have their own places)
_IGNORED_REQUEST_HEADERS = frozenset({"accept", "content-type", "authorization"})
#: response headers about the transport, which no document is expected to list
_TRANSPORT_HEADERS = frozenset(
    {"content-type", "content-length", "transfer-encoding", "connection", "date", "server", "keep-alive"}
)


@dataclass(slots=True)
class Outcome:
    """What comparing one interaction found."""

    mismatches: list[Mismatch] = field(default_factory=list)
    #: parts that could not be checked, and why
    notes: list[str] = field(default_factory=list)

    def add(self, kind: Kind, path: str, expected: Any, where: Location | str, message: str) -> None:
        self.mismatches.append(Mismatch(kind, path, expected, str(where), message))


@dataclass(frozen=True, slots=True)
class _Operation:
    template: Template
    method: str
    operation: dict[str, Any]
    base: str
    where: Location
    #: (in, name) -> the parameter (names of headers in lower case)
    parameters: dict[tuple[str, str], Entry]
    #: the path parameters' values in the pact's path
    values: dict[str, str]

    @property
    def title(self) -> str:
        return f"{self.method.upper()} {self.template.text}"


def compare(document: OpenAPIDocument, interaction: HttpInteraction) -> Outcome:
    outcome = Outcome()
    request, response = interaction.request, interaction.response
    operation = _operation(document, request, outcome)
    if operation is None:
        return outcome
    requests = Walker(document, "request")
    _path_parameters(document, operation, requests)
    _query(document, operation, request, requests, outcome)
    _request_headers(document, operation, request, requests, outcome)
    _request_body(document, operation, request, requests, outcome)
    outcome.mismatches += requests.mismatches
    _response(document, operation, response, outcome)
    return outcome


# -- the operation ------------------------------------------------------------------------------


def _operation(document: OpenAPIDocument, request: HttpRequest, outcome: Outcome) -> _Operation | None:
    method = request.method.lower()
    found = find(document, request.path)
    if not found:
        other = near_miss(document, request.path)
        listed = paths(document)
        shown = ", ".join(listed[:8]) + (", ..." if len(listed) > 8 else "")
        hint = f"; did the pact mean {other}?" if other else f" (its paths: {shown or 'none'})"
        outcome.add(
            "path",
            "$.request.path",
            request.path,
            "paths",
            f"the pact requests {request.path}, a path the OpenAPI document does not have{hint}",
        )
        return None
    if method == "head" and not any(isinstance(item.template.item.get("head"), dict) for item in found):
        method = "get"  # servers answer HEAD as GET, without the body; documents rarely list it
    chosen = next((item for item in found if isinstance(item.template.item.get(method), dict)), None)
    if chosen is None:
        template = found[0].template
        has = ", ".join(template.methods()) or "no operation"
        outcome.add(
            "method",
            "$.request.method",
            request.method.upper(),
            template.where,
            f"the pact requests {request.method.upper()} {request.path}; the OpenAPI document has no {request.method.upper()} "
            f"operation for {template.text} (it has {has}: {template.where})",
        )
        return None
    template = chosen.template
    operation = template.item[method]
    where = template.where.child(method)
    parameters: dict[tuple[str, str], Entry] = {}
    for owner, owner_where in (
        (template.item, template.where),
        (operation, where),
    ):  # the operation's override the path's
        for index, parameter in enumerate(owner.get("parameters") or []):
            value, base, place = document.resolve(parameter, template.base, owner_where.child("parameters", index))
            name = value["name"].lower() if value["in"] == "header" else value["name"]
            parameters[(value["in"], name)] = (value, base, place)
    return _Operation(template, method, operation, template.base, where, parameters, chosen.values)


# -- parameters ---------------------------------------------------------------------------------


def _schema_of(parameter: Entry) -> tuple[Entry | None, str | None]:
    """A parameter's (or header's) schema, or its ``content`` media type's with that
    media type (the value is then JSON text)."""
    value, base, where = parameter
    if "schema" in value:
        return (value["schema"], base, where.child("schema")), None
    content = value.get("content")
    if isinstance(content, dict) and content:
        media, item = next(iter(content.items()))
        if isinstance(item, dict) and "schema" in item:
            return (item["schema"], base, where.child("content", media, "schema")), media
    return None, None


def _is_array(walker: Walker, entry: Entry) -> bool:
    """Does the schema (or one of its alternatives) make the value an array?"""
    applicable = walker.applicable([entry])
    types = set(applicable.types)
    for _, options, _ in applicable.groups:
        for option in options:
            types |= walker.applicable([option]).types
    return "array" in types


def _check_parameter(
    document: OpenAPIDocument,
    walker: Walker,
    parameter: Entry,
    texts: list[str],
    place: Place,
    rules: RuleList | None,
    *,
    separator: str = ",",
    explode: bool = False,
) -> None:
    """Walk a parameter's values (text) through its schema. An array is its values
    (``explode``: a query parameter repeated) or one value split on ``separator``."""
    entry, media = _schema_of(parameter)
    if entry is None:
        return
    node = compile_rules({"$": rules}) if rules is not None else EMPTY
    if media is not None:  # a JSON value in a parameter
        try:
            value = json.loads(texts[0])
        except ValueError:
            message = f"the pact {walker.verb} {place.name} = {texts[0]!r}, which is not the {media} the OpenAPI document says ({entry[2]})"
            walker.report(place, texts[0], message, entry[2])
            return
        walker.walk(value, place, node, [entry])
        return
    if _is_array(walker, entry):
        items = (
            texts
            if explode
            else [part.strip() if separator == "," else part for text in texts for part in text.split(separator)]
        )
        walker.walk(items, place, node, [entry], textual=True)
        return
    if len(texts) > 1:
        message = f"the pact {walker.verb} {place.name} {len(texts)} times; the OpenAPI document declares one value ({parameter[2]})"
        walker.report(place, texts, message, parameter[2])
        return
    walker.walk(texts[0], place, node, [entry], textual=True)


def _path_parameters(document: OpenAPIDocument, operation: _Operation, walker: Walker) -> None:
    for name, text in operation.values.items():
        parameter = operation.parameters.get(("path", name))
        if parameter is None:
            continue  # the document's own mistake: a template with an undeclared parameter
        place = Place("path", ("request", "path"), f"the path parameter `{name}`")
        style = parameter[0].get("style", "simple")
        if style == "label":
            text = text.removeprefix(".")
        elif style == "matrix":
            text = text.removeprefix(f";{name}=")
        _check_parameter(document, walker, parameter, [text], place, None)


def _query(
    document: OpenAPIDocument, operation: _Operation, request: HttpRequest, walker: Walker, outcome: Outcome
) -> None:
    query = request.query or {}
    rules = by_name(request.matching_rules.get("query"), fold_case=False)
    used: set[str] = set(_api_key_names(document, "query"))
    for (place_in, name), parameter in operation.parameters.items():
        if place_in != "query":
            continue
        value = parameter[0]
        entry, _ = _schema_of(parameter)
        style = value.get("style", "form")
        if style == "deepObject":
            keys = [key for key in query if key.startswith(name + "[")]
            used.update(keys)
            if not keys and value.get("required") is True:
                _missing_query(outcome, name, parameter)
            continue  # its values are not checked: one object spread over keys
        if name not in query and entry is not None and style == "form" and value.get("explode", True):
            properties = _object_properties(entry, walker)
            present = [key for key in query if key in properties]
            if present:  # an object spread over its properties (form, exploded)
                used.update(present)
                place = Place("query", ("request", "query"), f"the query parameter `{name}`")
                walker.walk({key: query[key][0] for key in present}, place, EMPTY, [entry], textual=True)
                continue
        if name not in query:
            if value.get("required") is True:
                _missing_query(outcome, name, parameter)
            continue
        used.add(name)
        separator = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(style, ",")
        explode = value.get("explode", style == "form") is True
        place = Place("query", ("request", "query", name), f"the query parameter `{name}`")
        _check_parameter(
            document, walker, parameter, query[name], place, rules.get(name), separator=separator, explode=explode
        )
    for name in query:
        if name not in used:
            outcome.add(
                "query",
                f"$.request.query{_token(name)}",
                query[name],
                operation.where.child("parameters"),
                f"the pact sends the query parameter `{name}`, which the OpenAPI document does not declare for "
                f"{operation.title} ({operation.where.child('parameters')})",
            )


def _missing_query(outcome: Outcome, name: str, parameter: Entry) -> None:
    outcome.add(
        "query",
        f"$.request.query{_token(name)}",
        None,
        parameter[2],
        f"the OpenAPI document requires the query parameter `{name}` ({parameter[2]}); the pact does not send it",
    )


def _object_properties(entry: Entry, walker: Walker) -> set[str]:
    names: set[str] = set()
    for schema, _, _ in walker.applicable([entry]).flat:
        if isinstance(schema.get("properties"), dict) and schema.get("type", "object") == "object":
            names.update(schema["properties"])
    return names


def _api_key_names(document: OpenAPIDocument, place: str) -> list[str]:
    """Names of API keys the document's security schemes send in ``place``."""
    components = document.contents.get("components")
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    names = []
    for scheme in schemes.values() if isinstance(schemes, dict) else ():
        if (
            isinstance(scheme, dict)
            and scheme.get("type") == "apiKey"
            and scheme.get("in") == place
            and isinstance(scheme.get("name"), str)
        ):
            names.append(scheme["name"])
    return names


def _request_headers(
    document: OpenAPIDocument, operation: _Operation, request: HttpRequest, walker: Walker, outcome: Outcome
) -> None:
    rules = by_name(request.matching_rules.get("header"), fold_case=True)
    cookies = _cookies(request)
    for (place_in, name), parameter in operation.parameters.items():
        original = parameter[0]["name"]
        if place_in == "header" and name not in _IGNORED_REQUEST_HEADERS:
            values = request.header(original)
            path = f"$.request.headers{_token(original)}"
            if values is None:
                if parameter[0].get("required") is True:
                    outcome.add(
                        "header",
                        path,
                        None,
                        parameter[2],
                        f"the OpenAPI document requires the header `{original}` ({parameter[2]}); the pact does not send it",
                    )
                continue
            place = Place("header", ("request", "headers", original), f"the header `{original}`")
            _check_parameter(document, walker, parameter, [", ".join(values)], place, rules.get(name))
        elif place_in == "cookie":
            path = f"$.request.headers.Cookie{_token(original)}"
            if original not in cookies:
                if parameter[0].get("required") is True:
                    outcome.add(
                        "header",
                        path,
                        None,
                        parameter[2],
                        f"the OpenAPI document requires the cookie `{original}` ({parameter[2]}); the pact does not send it",
                    )
                continue
            place = Place("header", ("request", "headers", "Cookie", original), f"the cookie `{original}`")
            _check_parameter(document, walker, parameter, [cookies[original]], place, None)


def _cookies(request: HttpRequest) -> dict[str, str]:
    found: dict[str, str] = {}
    for header in request.header("Cookie") or []:
        for pair in header.split(";"):
            name, equals, value = pair.strip().partition("=")
            if equals:
                found[name] = value
    return found


# -- bodies -------------------------------------------------------------------------------------


def _request_body(
    document: OpenAPIDocument, operation: _Operation, request: HttpRequest, walker: Walker, outcome: Outcome
) -> None:
    body = request.body
    sent = body is not None and not body.is_empty
    declared = operation.operation.get("requestBody")
    if declared is None:
        if sent:
            outcome.add(
                "body",
                "$.request.body",
                None,
                operation.where,
                f"the pact sends a body; the OpenAPI document declares none for {operation.title} ({operation.where})",
            )
        return
    value, base, where = document.resolve(declared, operation.base, operation.where.child("requestBody"))
    if not sent:
        if value.get("required") is True:
            outcome.add(
                "body",
                "$.request.body",
                None,
                where,
                f"the OpenAPI document requires a request body ({where}.required); the pact sends none",
            )
        return
    assert body is not None
    content = value.get("content") or {}
    _body(
        document,
        walker,
        outcome,
        body,
        request.content_type(),
        content,
        base,
        where.child("content"),
        request.matching_rules,
        "request",
        operation.title,
    )


def _response(document: OpenAPIDocument, operation: _Operation, response: HttpResponse, outcome: Outcome) -> None:
    responses = operation.operation.get("responses") or {}
    where = operation.where.child("responses")
    key = _status_key(responses, response.status)
    if key is None:
        listed = ", ".join(responses) or "none"
        outcome.add(
            "status",
            "$.response.status",
            response.status,
            where,
            f"the pact expects status {response.status}; the OpenAPI document lists {listed} for {operation.title} ({where})",
        )
        return
    value, base, place = document.resolve(responses[key], operation.base, where.child(key))
    if not isinstance(value, dict):
        return
    title = f"{key} of {operation.title}"
    walker = Walker(document, "response")
    rules = by_name(response.matching_rules.get("header"), fold_case=True)
    headers = value.get("headers")
    declared: dict[str, Any] = headers if isinstance(headers, dict) else {}
    by_lower = {name.lower(): name for name in declared}
    for name, values in (response.headers or {}).items():
        if name.lower() in _TRANSPORT_HEADERS:
            continue
        path = f"$.response.headers{_token(name)}"
        found = by_lower.get(name.lower())
        if found is None:
            outcome.add(
                "header",
                path,
                values,
                place.child("headers"),
                f"the pact expects the header `{name}`; the OpenAPI document does not declare it for {title} ({place}.headers)",
            )
            continue
        header = document.resolve(declared[found], base, place.child("headers", found))
        header_place = Place("header", ("response", "headers", name), f"the header `{name}`")
        _check_parameter(document, walker, header, [", ".join(values)], header_place, rules.get(name.lower()))
    body = response.body
    if body is not None and not body.is_empty:
        content = value.get("content") or {}
        if not content:
            outcome.add(
                "body",
                "$.response.body",
                None,
                place,
                f"the pact expects a body; the OpenAPI document declares none for {title} ({place})",
            )
        else:
            _body(
                document,
                walker,
                outcome,
                body,
                response.content_type(),
                content,
                base,
                place.child("content"),
                response.matching_rules,
                "response",
                title,
            )
    outcome.mismatches += walker.mismatches


def _status_key(responses: dict[str, Any], status: int) -> str | None:
    for key in (str(status), f"{status // 100}XX", f"{status // 100}xx", "default"):
        if key in responses:
            return key
    return None


def _body(
    document: OpenAPIDocument,
    walker: Walker,
    outcome: Outcome,
    body: Body,
    content_type: str | None,
    content: dict[str, Any],
    base: str,
    where: Location,
    rules: dict[str, dict[str, RuleList]],
    part: str,
    title: str,
) -> None:
    essence = content_type.split(";")[0].strip().lower() if content_type else None
    json_body = _parses_as_json(body) if essence is None or _is_json(essence) else False
    media = _media(content, essence, json_body)
    path = f"$.{part}.body"
    if media is None:
        said = (
            f"`{essence}`"
            if essence
            else ("JSON (the pact gives no content type)" if json_body else "a body of no content type")
        )
        offered = ", ".join(f"`{key}`" for key in content)
        verb, accept = ("sends", "accepts") if part == "request" else ("expects", "gives")
        outcome.add(
            "body",
            path,
            essence,
            where,
            f"the pact {verb} {said}; the OpenAPI document {accept} {offered} for {title} ({where})",
        )
        return
    item = content[media]
    if not isinstance(item, dict) or "schema" not in item:
        return  # no schema: any body of that type
    entry: Entry = (item["schema"], base, where.child(media, "schema"))
    place = Place("body", (part, "body"), "the body")
    node: Node = compile_rules(rules.get("body"))
    kind = essence or media.split(";")[0].strip().lower()
    if json_body or _is_json(kind):
        try:
            value = body.json()
        except ValueError:
            outcome.notes.append(
                f"the {part} body is not JSON, although its content type ({kind}) says so: not checked"
            )
            return
        walker.walk(value, place, node, [entry])
    elif kind == "application/x-www-form-urlencoded":
        fields = parse_qs(body.text(), keep_blank_values=True)
        walker.walk(
            {name: items[0] if len(items) == 1 else items for name, items in fields.items()},
            place,
            node,
            [entry],
            textual=True,
        )
    elif kind.startswith("text/"):
        walker.walk(body.text(), place, node, [entry])
    else:
        outcome.notes.append(
            f"the {part} body ({kind}) was not checked against its schema: apact checks JSON, form and text bodies"
        )


def _media(content: dict[str, Any], essence: str | None, json_body: bool) -> str | None:
    """The ``content`` key for the pact's content type: the same media type, else a
    ``type/*`` or ``*/*`` range; without a content type, JSON if the body is JSON."""
    keys = {key.split(";")[0].strip().lower(): key for key in content}
    wanted = essence or ("application/json" if json_body else None)
    if wanted is None:
        return next(iter(content)) if len(content) == 1 else None
    for candidate in (wanted, wanted.split("/")[0] + "/*", "*/*"):
        if candidate in keys:
            return keys[candidate]
    if essence is None and json_body:
        return next((key for lowered, key in keys.items() if _is_json(lowered)), None)
    return None


def _is_json(essence: str) -> bool:
    return essence == "application/json" or essence.endswith("+json")


def _parses_as_json(body: Body) -> bool:
    try:
        body.json()
    except (ValueError, UnicodeDecodeError):
        return False
    return True


def _token(name: str) -> str:
    from ..pact._paths import format_token

    return format_token(name)
