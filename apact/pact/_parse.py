"""Read pact JSON (any spec version) into the model of `apact.model`.

All the differences between specification versions are handled here and in
`apact.pact._dump`; nothing else in apact looks at raw pact JSON. Every problem raises
`PactFileError` with the JSON path of the offending value,
relative to the part being read (``$`` is that part); callers that know more (the file,
the interaction) add it with `PactFileError.located`.

``strict=True`` (pact files) also checks that bodies fit their declared content type;
``strict=False`` (the matching engine's dict API, where the "actual" side is whatever
came over the wire) keeps what it can and leaves the judgement to the engine.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from .._core._frozen import builder
from .._core._gc import collector_paused
from .._core._types import JSON
from ..errors import PactFileError
from . import _jsondepth, _sniff
from ._oddities import oddities
from ._parse_rules import parse_generators, parse_matching_rules
from ._paths import child_path
from ._reading import expect_object, expect_string, fail, first_key, json_kind
from .model import (
    AsyncMessage,
    Body,
    Headers,
    HttpInteraction,
    HttpRequest,
    HttpResponse,
    Interaction,
    MessageContents,
    PactFile,
    ProviderState,
    Query,
    Spec,
    SyncMessage,
)

# -- spec version ------------------------------------------------------------------------


def spec_of(document: Mapping[str, Any]) -> Spec:
    """The spec version a pact document declares, or the one its shape implies."""
    metadata = document.get("metadata")
    declared: object = None
    if isinstance(metadata, dict):
        for key in ("pactSpecification", "pact-specification", "pactSpecificationVersion"):
            if key in metadata:
                section = metadata[key]
                declared = section.get("version") if isinstance(section, dict) else section
                where = f"$.metadata.{key}" + (".version" if isinstance(section, dict) else "")
                if declared is None:
                    break  # null or missing: the core reads the pact anyway (by its shape)
                try:
                    return Spec.parse(declared)
                except ValueError as error:
                    raise fail(str(error), where) from None
    interactions = document.get("interactions")
    if isinstance(interactions, list) and any(isinstance(i, dict) and "type" in i for i in interactions):
        return Spec.V4
    if "messages" in document:
        return Spec.V3
    return Spec.V2


# -- headers, query, bodies ----------------------------------------------------------------


def parse_headers(raw: object, path: str) -> Headers | None:
    if raw is None:
        return None
    raw = expect_object(raw, path)
    headers: Headers = {}
    for name, value in raw.items():
        where = child_path(path, name)
        if isinstance(value, list):
            headers[name] = [_header_value(v, f"{where}[{i}]") for i, v in enumerate(value)]
        else:
            headers[name] = [_header_value(value, where)]
    return headers


def _header_value(value: object, path: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise fail(f"a header value must be a string, got {json_kind(value)}", path)


def parse_query(raw: object, path: str) -> tuple[Query | None, str | None]:
    """-> (the query as a map of value lists, the raw V1/V2 query string if any)."""
    if raw is None:
        return None, None
    if isinstance(raw, str):
        query: Query = {}
        for key, value in parse_qsl(raw, keep_blank_values=True):
            query.setdefault(key, []).append(value)
        return query, raw
    raw = expect_object(raw, path)
    query = {}
    for name, values in raw.items():
        where = child_path(path, name)
        if isinstance(values, list):
            query[name] = [_query_value(v, child_path(where, i)) for i, v in enumerate(values)]
        else:
            query[name] = [_query_value(values, where)]
    return query, None


def _query_value(value: object, path: str) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise fail(f"a query value must be a string, got {json_kind(value)}", path)


def parse_body(
    document: Mapping[str, Any],
    key: str,
    path: str,
    spec: Spec,
    *,
    declared_type: str | None,
    strict: bool,
    message: bool = False,
) -> Body | None:
    """Read ``document[key]`` as a body. ``declared_type`` is the Content-Type header
    (or message content type) used to check strict bodies written without their own.
    A V4 body or message contents not in the V4 body form (``"body": {"a": 1}``) are
    read as before V4, as the core reads them (the reader warns, see ``_oddities``)."""
    if key not in document:
        return None
    raw = document[key]
    where = path + "." + key  # (body, contents or content: a plain key)
    if raw is None:
        return Body(b"", None, null=True)
    try:
        if (
            spec >= Spec.V4
            and isinstance(raw, dict)
            and ("content" in raw or "contentType" in raw or "encoded" in raw or not raw)
        ):
            return _parse_v4_body(raw, where, declared_type, strict, message)
        if isinstance(raw, str):
            body = _v3_string_body(raw, declared_type, strict=strict)
        else:
            body = _json_body(raw, None, where)
    except UnicodeEncodeError as error:  # (a JSON body keeps such a character as its escape)
        character = error.object[error.start]
        raise fail(
            f"the body's text holds a lone surrogate (\\u{ord(character):04x}, from a JSON escape), which text "
            "cannot hold as UTF-8",
            where,
        ) from None
    if strict:
        _check_fit(body, declared_type, where, message)
    return body


def _v3_string_body(text: str, declared_type: str | None, *, strict: bool) -> Body:
    """Before V4, binary bodies (images, protobuf...) are written base64-encoded."""
    if declared_type and is_binary_type(declared_type):
        try:
            return Body(base64.b64decode(text, validate=True), None)
        except (binascii.Error, ValueError):
            pass
    return text_body(text, None, declared_type) if strict else Body(text.encode(), None)


def text_body(text: str, content_type: str | None, declared_type: str | None) -> Body:
    """A body written as a string: under a JSON content type, the JSON text it holds,
    or else the JSON *string* ``text`` (``"Fulfilling"``), as the Rust core reads it
    and as apact writes a JSON string body. ``""`` stays the empty body (the spec's
    testcases say so). Only for pacts: a string the engine's dict API is given as the
    actual body is the text that came."""
    if text.strip() and _sniff.is_json(content_type or declared_type or ""):
        try:
            _jsondepth.loads(text)
        except _jsondepth.JsonTooDeepError:
            pass  # JSON text, too deep: the fit check says where
        except ValueError:
            return Body.from_json(text, content_type)
    return Body(text.encode(), content_type)


def is_binary_type(content_type: str) -> bool:
    """Whether a body of this type is written base64-encoded before V4: as the Rust core
    decides (measured with pact-python 4.2), so that each reads what the other wrote.
    Multipart bodies and SVG images are binary for it; a GraphQL query is text."""
    base = _sniff.base_type(content_type)
    if _sniff.is_multipart(content_type) or base == "image/svg+xml":
        return True
    if base == "application/graphql":
        return False
    return not (
        _sniff.is_json(content_type)
        or _sniff.is_xml(content_type)
        or _sniff.is_text(content_type)
        or _sniff.is_form(content_type)
    )


def _parse_v4_body(raw: dict[str, Any], path: str, declared_type: str | None, strict: bool, message: bool) -> Body:
    content_type = raw.get("contentType")
    if content_type is not None and not isinstance(content_type, str):
        raise fail(f"contentType must be a string, got {json_kind(content_type)}", path + ".contentType")
    encoded = raw.get("encoded", False)
    content = raw.get("content")
    where = path + ".content"
    if "content" not in raw or content is None:
        return Body(b"", content_type, null="content" in raw)
    if encoded in (False, None, "utf8", "UTF8", "utf-8", "UTF-8", "text", "TEXT"):
        if isinstance(content, str):
            body = text_body(content, content_type, declared_type) if strict else Body(content.encode(), content_type)
        else:
            body = _json_body(content, content_type, where)
    elif isinstance(encoded, str) and encoded.lower() == "base64":
        text = expect_string(content, where)
        try:
            body = Body(base64.b64decode(text, validate=True), content_type)
        except (binascii.Error, ValueError):
            raise fail("content is not valid base64 although 'encoded' says base64", where) from None
    elif isinstance(encoded, str) and encoded.lower() == "json":
        text = expect_string(content, where)
        try:
            value = _jsondepth.loads(text)
        except _jsondepth.JsonTooDeepError as error:
            raise _too_deep(error, where) from None
        except ValueError as error:
            raise fail(f"content is not valid JSON although 'encoded' says json: {error}", where) from None
        body = _json_body(value, content_type, where)
    else:
        raise fail(f"unknown body encoding {encoded!r} (expected false, 'base64' or 'json')", path + ".encoded")
    if strict:
        _check_fit(body, content_type or declared_type, where, message)
    hint = raw.get("contentTypeHint")
    return dataclasses.replace(body, content_type_hint=hint) if isinstance(hint, str) else body


def _json_body(value: JSON, content_type: str | None, path: str) -> Body:
    try:
        return Body.from_json(value, content_type)
    except _jsondepth.JsonTooDeepError as error:
        raise _too_deep(error, path) from None


def _too_deep(error: _jsondepth.JsonTooDeepError, path: str) -> PactFileError:
    """Nesting past the limit, located at the array or object that goes past it."""
    return fail(error.reason, error.path(path))


def _check_fit(body: Body, content_type: str | None, path: str, message: bool) -> None:
    """A strict JSON body is parsed as it is read (its value kept for the matching);
    one nested deeper than JSON may be is refused. Message contents must be what their
    content type says. An HTTP body that is not is read all the same (`body_misfit`):
    the official core reads such a pact and fails that interaction (its response) or
    sends it as written (its request), so apact does the same rather than refusing
    every interaction of the pact."""
    if not content_type or not body.content or body.null:
        return
    if _sniff.is_json(content_type):
        try:
            body.json()
        except _jsondepth.JsonTooDeepError as error:
            raise _too_deep(error, path) from None
        except ValueError:
            if message:
                raise fail(body_misfit(body, content_type) or "not JSON", path) from None
    elif message and _sniff.is_xml(content_type):
        misfit = body_misfit(body, content_type)
        if misfit is not None:
            raise fail(misfit, path)


def body_misfit(body: Body | None, content_type: str | None) -> str | None:
    """Why a pact's body is not what its content type says (JSON that does not parse,
    XML that is not well formed), or ``None``. No answer can match such an expected
    body: the verifier fails its interaction (as the official core does, "Failed to
    parse the expected body"), and ``apact check`` calls it invalid."""
    if body is None or not content_type or not body.content or body.null:
        return None
    if _sniff.is_json(content_type):
        try:
            body.json()
        except _jsondepth.JsonTooDeepError:
            return None  # (refused as it is read)
        except ValueError as error:
            return f"the body is not valid JSON although its content type is {content_type}: {error}"
    elif _sniff.is_xml(content_type):
        import xml.etree.ElementTree as ElementTree

        try:
            ElementTree.fromstring(body.content)
        except ElementTree.ParseError as error:
            return f"the body is not well-formed XML although its content type is {content_type}: {error}"
    return None


# -- HTTP parts ----------------------------------------------------------------------------


def parse_request(raw: object, spec: Spec, path: str = "$", *, strict: bool = True) -> HttpRequest:
    raw = expect_object(raw, path)
    method = raw.get("method", "GET")
    method = expect_string(method, path + ".method")
    request_path = raw.get("path", "/")
    request_path = expect_string(request_path, path + ".path")
    query, raw_query = parse_query(raw.get("query"), path + ".query")
    headers = parse_headers(raw.get("headers"), path + ".headers")
    declared = _content_type_header(headers)
    body = parse_body(raw, "body", path, spec, declared_type=declared, strict=strict)
    key = _rules_key(raw, "requestMatchingRules")
    rules = parse_matching_rules(raw.get(key), path + "." + key, spec)  # (one of two plain keys)
    generators = parse_generators(raw.get("generators"), path + ".generators")
    return _new_request(method, request_path, query, headers, body, rules, generators, raw_query)


def parse_response(raw: object, spec: Spec, path: str = "$", *, strict: bool = True) -> HttpResponse:
    raw = expect_object(raw, path)
    status = raw.get("status", 200)
    if (
        isinstance(status, str) and status.strip().isdigit()
    ):  # the official verifiers fail on it (pact-python 4.2 panics)
        raise fail(f"status must be an integer, got a string ({status!r}): write {status.strip()}", path + ".status")
    if not isinstance(status, int) or isinstance(status, bool):
        raise fail(f"status must be an integer, got {json_kind(status)}", path + ".status")
    headers = parse_headers(raw.get("headers"), path + ".headers")
    declared = _content_type_header(headers)
    body = parse_body(raw, "body", path, spec, declared_type=declared, strict=strict)
    key = _rules_key(raw, "responseMatchingRules")
    rules = parse_matching_rules(raw.get(key), path + "." + key, spec)  # (one of two plain keys)
    generators = parse_generators(raw.get("generators"), path + ".generators")
    return _new_response(status, headers, body, rules, generators)


def _rules_key(raw: Mapping[str, Any], old: str) -> str:
    """``matchingRules``, or the old name (``requestMatchingRules`` ...) some pact-jvm
    versions wrote, which the core still reads."""
    return old if raw.get("matchingRules") is None and raw.get(old) is not None else "matchingRules"


def _content_type_header(headers: Headers | None) -> str | None:
    if not headers:
        return None
    for name, values in headers.items():
        if name.lower() == "content-type" and values:
            return values[0]
    return None


def parse_message(raw: object, spec: Spec, path: str = "$", *, strict: bool = True) -> MessageContents:
    """A message (V3 message, V4 async message, or one side of a V4 sync message)."""
    raw = expect_object(raw, path)
    meta_key = first_key(raw, "metadata", "metaData")
    metadata = raw.get(meta_key) if meta_key else None
    if metadata is None:
        metadata = {}
    metadata = dict(expect_object(metadata, child_path(path, meta_key or "metadata")))
    declared = _sniff.content_type_in(metadata)
    contents_key = first_key(raw, "contents", "content")
    contents = (
        parse_body(raw, contents_key, path, spec, declared_type=declared, strict=strict, message=True)
        if contents_key
        else None
    )
    if contents is not None and contents.content_type is None and declared is not None:
        contents = dataclasses.replace(contents, content_type=declared)
    rules = parse_matching_rules(raw.get("matchingRules"), path + ".matchingRules", spec, message=True)
    generators = parse_generators(raw.get("generators"), path + ".generators")
    return MessageContents(contents, metadata, rules, generators)


# -- interactions and whole pacts ------------------------------------------------------------


def parse_provider_states(raw: Mapping[str, Any], path: str) -> tuple[ProviderState, ...]:
    if "providerStates" in raw and raw["providerStates"] is not None:
        where = path + ".providerStates"
        items = raw["providerStates"]
        if isinstance(items, str):  # one state by its name, as the core reads it
            return (ProviderState(items),) if items else ()
        if not isinstance(items, list):
            raise fail(f"expected an array of provider states, got {json_kind(items)}", where)
        states = []
        for index, item in enumerate(items):
            spath = f"{where}[{index}]"
            item = expect_object(item, spath)
            name = expect_string(item.get("name"), spath + ".name")
            params = item.get("params") or {}
            params = expect_object(params, spath + ".params")
            states.append(_new_state(name, dict(params)))
        return tuple(states)
    key = first_key(raw, "providerState", "provider_state")
    if key is not None and raw[key] is not None:
        name = expect_string(raw[key], child_path(path, key))
        return (ProviderState(name),) if name else ()
    return ()


_COMMON_KEYS = frozenset(
    {
        "description",
        "providerState",
        "provider_state",
        "providerStates",
        "key",
        "pending",
        "comments",
        "type",
    }
)
_HTTP_KEYS = _COMMON_KEYS | {"request", "response"}
_ASYNC_KEYS = _COMMON_KEYS | {"contents", "content", "metadata", "metaData", "matchingRules", "generators"}
_SYNC_KEYS = _COMMON_KEYS | {"request", "response"}


def parse_interaction(raw: object, spec: Spec, path: str, *, message: bool = False) -> Interaction:
    """One entry of ``interactions`` (or of a V3 ``messages`` array if ``message``)."""
    raw = expect_object(raw, path)
    description = raw.get("description")
    if description is None:
        raise fail("an interaction needs a 'description'", path)
    description = expect_string(description, path + ".description")
    states = parse_provider_states(raw, path)
    common: dict[str, Any] = {"provider_states": states}
    if "key" in raw and raw["key"] is not None:
        common["key"] = expect_string(raw["key"], path + ".key")
    if "pending" in raw and raw["pending"] is not None:
        if not isinstance(raw["pending"], bool):
            raise fail("pending must be true or false", path + ".pending")
        common["pending"] = raw["pending"]
    if raw.get("comments") is not None:
        common["comments"] = dict(expect_object(raw["comments"], path + ".comments"))
    kind = raw.get("type")
    if message or kind == "Asynchronous/Messages":
        message_body = parse_message(raw, spec, path)
        extra = {k: v for k, v in raw.items() if k not in _ASYNC_KEYS}
        return AsyncMessage(description, message_body, extra=extra, **common)
    if kind == "Synchronous/Messages":
        request = parse_message(raw.get("request") or {}, spec, path + ".request")
        responses_raw = raw.get("response") or []
        rpath = path + ".response"
        if isinstance(responses_raw, dict):
            responses_raw = [responses_raw]
        if not isinstance(responses_raw, list):
            raise fail(f"expected an array of response messages, got {json_kind(responses_raw)}", rpath)
        responses = tuple(parse_message(r, spec, child_path(rpath, i)) for i, r in enumerate(responses_raw))
        extra = {k: v for k, v in raw.items() if k not in _SYNC_KEYS}
        return SyncMessage(description, request, responses, extra=extra, **common)
    if kind not in (None, "Synchronous/HTTP"):
        raise fail(
            f"unknown interaction type {kind!r} (expected Synchronous/HTTP, "
            "Asynchronous/Messages or Synchronous/Messages)",
            path + ".type",
        )
    if "request" not in raw:
        raise fail("an HTTP interaction needs a 'request'", path)
    if "response" not in raw:
        raise fail("an HTTP interaction needs a 'response'", path)
    http_request = parse_request(raw["request"], spec, path + ".request")
    http_response = parse_response(raw["response"], spec, path + ".response")
    extra = {k: v for k, v in raw.items() if k not in _HTTP_KEYS}
    if spec < Spec.V4 and "type" in raw:
        extra["type"] = kind
    return _new_http(
        description,
        http_request,
        http_response,
        states,
        common.get("key"),
        common.get("pending", False),
        common.get("comments"),
        extra,
    )


#: the model's frozen classes made at a plain class's cost (`._core._frozen`): every
#: interaction of a pact makes several, and their constructors were a fifth of reading it
_new_request = builder(HttpRequest)
_new_response = builder(HttpResponse)
_new_state = builder(ProviderState)
_new_http = builder(HttpInteraction)


def parse_pact(document: object, *, file: str | None = None) -> PactFile:
    """A whole pact document -> `PactFile`; errors name the file and interaction."""
    try:
        document = expect_object(document, "$")
        spec = spec_of(document)
        consumer = _party(document, "consumer")
        provider = _party(document, "provider")
        metadata = document.get("metadata") or {}
        metadata = dict(expect_object(metadata, "$.metadata"))
    except PactFileError as error:
        raise error.located(file=file) from None
    interactions: list[Interaction] = []
    for key, message in (("interactions", False), ("messages", True)):
        items = document.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            raise fail(f"expected an array, got {json_kind(items)}", f"$.{key}").located(file=file)
        for index, item in enumerate(items):
            try:
                interactions.append(parse_interaction(item, spec, f"$.{key}[{index}]", message=message))
            except PactFileError as error:
                description = item.get("description") if isinstance(item, dict) else None
                raise error.located(
                    file=file,
                    interaction=index,
                    description=description if isinstance(description, str) else None,
                ) from None
    extra = {
        k: v for k, v in document.items() if k not in ("consumer", "provider", "interactions", "messages", "metadata")
    }
    warnings = tuple(oddities(document, spec))
    return PactFile(consumer, provider, tuple(interactions), spec, metadata, extra, warnings)


def _party(document: Mapping[str, Any], role: str) -> str:
    party = document.get(role)
    if party is None:
        raise fail(f"the pact has no {role}", "$")
    party = expect_object(party, f"$.{role}")
    return expect_string(party.get("name"), f"$.{role}.name")


@collector_paused  # (the model of a large pact: see `._core._gc`)
def loads(text: str | bytes, *, file: str | None = None) -> PactFile:
    """Parse pact JSON text; a syntax error names the file, line and column."""
    try:
        document = _jsondepth.loads(text)
    except _jsondepth.JsonTooDeepError as error:
        raise _located_too_deep(error, file) from None
    except json.JSONDecodeError as error:
        raise PactFileError(
            f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}",
            file=file,
        ) from None
    except UnicodeDecodeError as error:
        raise PactFileError(f"not UTF-8 text: {error}", file=file) from None
    except ValueError as error:  # an integer longer than Python converts (4,300 digits)
        raise PactFileError(f"not valid JSON apact can read: {error}", file=file) from None
    return parse_pact(document, file=file)


def _located_too_deep(error: _jsondepth.JsonTooDeepError, file: str | None) -> PactFileError:
    """A whole pact file nested too deep: the place, and the interaction it is in (its
    description when the file gives it before that place)."""
    tokens = error.tokens
    if len(tokens) >= 2 and tokens[0] in ("interactions", "messages") and isinstance(tokens[1], int):
        description = error.seen.get((tokens[0], tokens[1], "description"))
        return PactFileError(error.reason, path=error.path(), file=file, interaction=tokens[1], description=description)
    return PactFileError(error.reason, path=error.path(), file=file)
