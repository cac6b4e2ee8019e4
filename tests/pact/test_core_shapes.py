"""Pact shapes other Pact implementations wrote over the years, which the official core
(pact-python 4.2's Rust core) reads, and apact reads the same way (issue 16).

Each pact here is the minimal shape of one seen in real pacts, written by the test. How
the core judges them is measured in tests/verifier/test_verifier_core_shapes.py.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from apact import pactfile
from apact._core._types import JSON
from apact.matching import request_mismatches, response_mismatches
from apact.model import AsyncMessage, Body, HttpInteraction, HttpRequest, HttpResponse, PactFile, Spec, SyncMessage

JSON_TYPE = {"Content-Type": "application/json"}


def document(version: str | None, *interactions: dict[str, Any], **metadata: Any) -> dict[str, Any]:  # noqa: ANN401
    result: dict[str, Any] = {"consumer": {"name": "Sous Chef"}, "provider": {"name": "Grill Chef"}}
    result["interactions"] = list(interactions)
    if version is not None:
        result["metadata"] = {"pactSpecification": {"version": version}}
    if metadata:
        result["metadata"] = metadata
    return result


def http(response: dict[str, Any], request: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:  # noqa: ANN401
    return {
        "description": "an order",
        "request": request or {"method": "GET", "path": "/steaks/1"},
        "response": response,
        **extra,
    }


def only_http(doc: dict[str, Any]) -> HttpInteraction:
    (interaction,) = pactfile.loads(json.dumps(doc), file="pact.json").interactions
    assert isinstance(interaction, HttpInteraction)
    return interaction


def verdict(doc: dict[str, Any], status: int, body: Any) -> list[str]:  # noqa: ANN401
    """The mismatches of a JSON response against the pact's only interaction."""
    expected = only_http(doc).response
    actual = HttpResponse(status, {"Content-Type": ["application/json"]}, Body(json.dumps(body).encode()))
    return [str(mismatch) for mismatch in response_mismatches(expected, actual, Spec.V3)]


# -- bodies that are JSON strings ----------------------------------------------------------


@pytest.mark.parametrize(
    "doc",
    [
        document(
            "4.0",
            {
                **http(
                    {
                        "status": 200,
                        "headers": {"Content-Type": ["application/json"]},
                        "body": {"content": "Fulfilling", "contentType": "application/json", "encoded": False},
                    }
                ),
                "type": "Synchronous/HTTP",
            },
        ),
        document("3.0.0", http({"status": 200, "headers": JSON_TYPE, "body": "Fulfilling"})),
        document("2.0.0", http({"status": 200, "headers": JSON_TYPE, "body": "Fulfilling"})),
    ],
    ids=["V4", "V3", "V2"],
)
def test_a_json_body_that_is_not_json_text_is_a_json_string(doc: dict[str, Any]) -> None:
    body = only_http(doc).response.body
    assert body is not None and body.json() == "Fulfilling"
    assert verdict(doc, 200, "Fulfilling") == []
    assert verdict(doc, 200, "Pending") != []


def test_a_json_body_holding_json_text_is_that_json() -> None:
    doc = document("3.0.0", http({"status": 200, "headers": JSON_TYPE, "body": '{"id": 1}'}))
    body = only_http(doc).response.body
    assert body is not None and body.json() == {"id": 1}


#: JSON bodies: strings that are JSON text themselves, blank, or neither; other values
#: (not null: a null body is no body, as the specification says)
BODIES: list[JSON] = ["Fulfilling", 'a "quoted" word', "1", "{}", "", " ", 1, {"id": 1}, ["a"], True]
#: what V4 cannot carry: a string content under a JSON type is JSON text if it parses
#: (the core reads it so too), and a blank one is no body (docs/conformance.md)
NOT_IN_V4 = ("1", "{}", "", " ")


@pytest.mark.parametrize("header", [True, False], ids=["Content-Type", "no Content-Type"])
@pytest.mark.parametrize(
    "spec, value",
    [(spec, value) for spec in ("V2", "V3", "V4") for value in BODIES if spec != "V4" or value not in NOT_IN_V4],
)
def test_every_json_body_survives_read_write_read(spec: str, header: bool, value: JSON) -> None:
    headers = {"Content-Type": ["application/json"]} if header else None
    written = HttpResponse(200, headers, Body.from_json(value))
    changed = PactFile("Sous Chef", "Grill Chef", (HttpInteraction("an order", HttpRequest("GET", "/"), written),))
    once = pactfile.loads(pactfile.dumps(changed, spec))
    twice = pactfile.loads(pactfile.dumps(once, spec))
    for read in (once, twice):
        response = read.interactions[0]
        assert isinstance(response, HttpInteraction) and response.response.body is not None
        assert response.response.body.json() == value


# -- matching rules in older or odder forms --------------------------------------------------


def test_an_empty_rule_category_is_no_rule() -> None:
    doc = document("3.0.0", http({"status": 200, "matchingRules": {"status": {}, "body": {}, "header": {}}}))
    assert only_http(doc).response.matching_rules == {}


@pytest.mark.parametrize(
    "key, category, name",
    [("$.query.foo[0]", "query", "foo"), ("$.header['se-token'][0]", "header", "se-token")],
)
def test_a_v2_rule_key_with_an_index_is_the_parameters_rule(key: str, category: str, name: str) -> None:
    request = {"method": "GET", "path": "/", "query": "foo=1", "headers": {"se-token": "1"}}
    request["matchingRules"] = {key: {"match": "regex", "regex": "\\d+"}}
    rules = only_http(document("2.0.0", http({"status": 200}, request))).request.matching_rules
    assert list(rules[category]) == [name]


def test_old_request_and_response_matching_rules_keys_are_read_and_written_back() -> None:
    request = {"method": "GET", "path": "/steaks/1", "requestMatchingRules": {"$.path": {"regex": "/steaks/\\d+"}}}
    response = {
        "status": 200,
        "headers": JSON_TYPE,
        "body": {"id": 1},
        "responseMatchingRules": {"$.body.id": {"match": "type"}},
    }
    doc = document("2.0.0", http(response, request))
    interaction = only_http(doc)
    assert list(interaction.request.matching_rules) == ["path"]
    assert verdict(doc, 200, {"id": 2}) == []
    assert verdict(doc, 200, {"id": "2"}) != []
    written = json.loads(pactfile.dumps(pactfile.loads(json.dumps(doc)), Spec.V3))["interactions"][0]
    assert written["request"]["matchingRules"]["path"]["matchers"][0]["regex"] == "/steaks/\\d+"
    assert written["response"]["matchingRules"]["body"]["$.id"]["matchers"] == [{"match": "type"}]


@pytest.mark.parametrize("name", ["timestamp", "date"])
def test_a_rule_without_match_named_after_a_date_rule(name: str) -> None:
    rule = {name: "yyyy-MM-dd"}
    doc = document(
        "2.0.0",
        http({"status": 200, "headers": JSON_TYPE, "body": {"on": "2020-01-01"}, "matchingRules": {"$.body.on": rule}}),
    )
    assert verdict(doc, 200, {"on": "2021-03-04"}) == []
    assert verdict(doc, 200, {"on": "01/02/2020"}) != []


def test_a_time_rule_without_match() -> None:
    doc = document(
        "2.0.0",
        http(
            {
                "status": 200,
                "headers": JSON_TYPE,
                "body": {"at": "10:00"},
                "matchingRules": {"$.body.at": {"time": "HH:mm"}},
            }
        ),
    )
    assert verdict(doc, 200, {"at": "23:59"}) == []
    assert verdict(doc, 200, {"at": "10:00:00"}) != []


def test_the_format_in_an_attribute_named_after_the_rule_is_the_format() -> None:
    rules = {"body": {"$.on": {"matchers": [{"match": "timestamp", "timestamp": "yyyy-MM-dd"}]}}}
    doc = document(
        "3.0.0", http({"status": 200, "headers": JSON_TYPE, "body": {"on": "2020-01-01"}, "matchingRules": rules})
    )
    assert verdict(doc, 200, {"on": "2021-03-04"}) == []
    assert verdict(doc, 200, {"on": "2020-01-01T10:00"}) != []  # the ISO default would pass it


@pytest.mark.parametrize(
    "kind, bound, good, bad", [("min-type", "min", [1, 2], [1]), ("max-type", "max", [1], [1, 2, 3])]
)
def test_min_type_and_max_type(kind: str, bound: str, good: list[int], bad: list[int]) -> None:
    rules = {"body": {"$.sides": {"matchers": [{"match": kind, bound: 2}]}}}
    doc = document("3.0.0", http({"status": 200, "headers": JSON_TYPE, "body": {"sides": [1]}, "matchingRules": rules}))
    assert verdict(doc, 200, {"sides": good}) == []
    assert verdict(doc, 200, {"sides": bad}) != []
    assert verdict(doc, 200, {"sides": ["x"] * len(good)}) != []


# -- the rest of the document ------------------------------------------------------------------


@pytest.mark.parametrize(
    "metadata",
    [{"pactSpecification": {"version": None}}, {"pactSpecification": {}}, {"pact-specification": {"version": None}}],
    ids=["null", "missing", "pact-specification null"],
)
def test_a_null_or_missing_spec_version_is_read_by_the_pacts_shape(metadata: dict[str, Any]) -> None:
    doc = document(None, http({"status": 200}), **metadata)
    pact = pactfile.loads(json.dumps(doc))
    assert pact.spec == Spec.V2 and len(pact.interactions) == 1


@pytest.mark.parametrize("version", ["3.0.0", "4.0"])
def test_provider_states_as_a_string_is_one_state(version: str) -> None:
    interaction = http({"status": 200}, providerStates="a steak exists")
    if version == "4.0":
        interaction["type"] = "Synchronous/HTTP"
    assert [s.name for s in only_http(document(version, interaction)).provider_states] == ["a steak exists"]


@pytest.mark.parametrize(
    "contents, metadata, expected",
    [({"id": 1}, {"contentType": "application/json"}, b'{"id":1}'), ("ready", {"contentType": "text/plain"}, b"ready")],
    ids=["json", "text"],
)
def test_v4_message_contents_not_in_the_body_form(contents: Any, metadata: dict[str, str], expected: bytes) -> None:  # noqa: ANN401
    doc = document(
        "4.0", {"type": "Asynchronous/Messages", "description": "an order", "contents": contents, "metadata": metadata}
    )
    (message,) = pactfile.loads(json.dumps(doc)).interactions
    assert isinstance(message, AsyncMessage) and message.message.contents is not None
    assert message.message.contents.content == expected


def test_messages_without_contents_and_a_sync_message_without_response() -> None:
    doc = document(
        "4.0",
        {"type": "Asynchronous/Messages", "description": "a ping"},
        {
            "type": "Synchronous/Messages",
            "description": "a fire-and-forget",
            "request": {"contents": {"content": {"id": 1}, "contentType": "application/json", "encoded": False}},
        },
    )
    ping, forget = pactfile.loads(json.dumps(doc)).interactions
    assert isinstance(ping, AsyncMessage) and isinstance(forget, SyncMessage)
    assert forget.responses == ()


# -- what was read with a guess is said --------------------------------------------------------


def test_the_guesses_are_warnings() -> None:
    doc = document(
        None,
        http({"status": 200}, providerStates="a steak exists"),
        http({"status": 200, "responseMatchingRules": {"$.status": {"match": "type"}}}),
        pactSpecification={"version": None},
    )
    assert pactfile.loads(json.dumps(doc)).warnings == (
        "no pact specification version: read as V2, as its shape implies",
        "$.interactions[0].providerStates is a string: read as one provider state of that name",
        "$.interactions[1].response.responseMatchingRules: the old name of matchingRules, read as matchingRules",
    )
    message = {"type": "Asynchronous/Messages", "description": "an order", "contents": {"id": 1}}
    assert pactfile.loads(json.dumps(document("4.0", message))).warnings == (
        "$.interactions[0].contents is not in the V4 body form: read as before V4",
    )
    assert pactfile.loads(json.dumps(document("3.0.0", http({"status": 200})))).warnings == ()


@pytest.mark.parametrize("spec", [Spec.V2, Spec.V3])
def test_old_rule_forms_are_written_back_as_they_were_read(spec: Spec) -> None:
    rules = {"$.body.sides": {"match": "min-type", "min": 1}, "$.body.on": {"timestamp": "yyyy-MM-dd"}}
    doc = document(
        "2.0.0",
        http({"status": 200, "headers": JSON_TYPE, "body": {"sides": [1], "on": "2020-01-01"}, "matchingRules": rules}),
    )
    once = pactfile.loads(pactfile.dumps(pactfile.loads(json.dumps(doc)), spec))
    written = json.loads(pactfile.dumps(once, spec))["interactions"][0]["response"]["matchingRules"]
    if spec == Spec.V2:
        assert written == {
            "$.body.sides": {"match": "min-type", "min": 1},
            "$.body.on": {"match": "timestamp", "timestamp": "yyyy-MM-dd"},
        }
    else:
        assert written["body"]["$.on"]["matchers"] == [{"match": "timestamp", "timestamp": "yyyy-MM-dd"}]
    reread = json.loads(pactfile.dumps(once, spec))
    assert verdict(reread, 200, {"sides": [], "on": "2021-03-04"}) != []
    assert verdict(reread, 200, {"sides": [2], "on": "2020-01-01T10:00"}) != []
    assert verdict(reread, 200, {"sides": [2], "on": "2021-03-04"}) == []


# -- string bodies before V4: base64 or text, as the core decides ----------------------------


@pytest.mark.parametrize(
    "content_type, base64_read",
    [
        ("multipart/form-data; boundary=x", True),  # the core writes multipart bodies so
        ("image/svg+xml", True),
        ("application/octet-stream", True),
        ("application/graphql", False),  # a query language: text, for the core
        ("text/csv", False),
        ("text/plain", False),
    ],
)
def test_a_string_body_is_base64_where_the_core_reads_it_so(content_type: str, base64_read: bool) -> None:
    """Measured with pact-python 4.2 (``pactffi_parse_pact_json``): before V4, the core
    decodes a string body that is valid base64 unless its content type is text-like."""
    raw = b"<svg/>" if "svg" in content_type else b"hello"
    written = base64.b64encode(raw).decode()
    request = {"method": "POST", "path": "/", "headers": {"Content-Type": content_type}, "body": written}
    for version in ("2.0.0", "3.0.0"):
        body = only_http(document(version, http({"status": 200}, request))).request.body
        assert body is not None and body.content == (raw if base64_read else written.encode())


@pytest.mark.parametrize("content_type", ["multipart/form-data; boundary=x", "application/graphql"])
def test_text_like_and_multipart_bodies_survive_read_write_read(content_type: str) -> None:
    content = b"--x\r\nContent-Disposition: form-data; name=a\r\n\r\n\x89PNG\r\n--x--\r\n"
    if "graphql" in content_type:
        content = b"{ steak(id: 1) { cooking } }"
    request = HttpRequest("POST", "/", headers={"Content-Type": [content_type]}, body=Body(content))
    pact = PactFile("Sous Chef", "Grill Chef", (HttpInteraction("an upload", request, HttpResponse(200)),))
    for spec in (Spec.V2, Spec.V3, Spec.V4):
        written = json.loads(pactfile.dumps(pact, spec))["interactions"][0]["request"]["body"]
        if "graphql" in content_type and spec < Spec.V4:
            assert written == content.decode()  # as text, which the core reads as text
        (read,) = pactfile.loads(json.dumps({**json.loads(pactfile.dumps(pact, spec))})).interactions
        assert isinstance(read, HttpInteraction) and read.request.body is not None
        assert read.request.body.content == content


def test_what_apact_reads_and_the_core_ignores_is_said() -> None:
    """A V3 message's ``content`` (a Pact Broker fixture) and a ``content`` generator
    category (pact-jvm): apact reads them, the core (measured: pact-python 4.2) ignores
    them; the warning says so, as the checks they carry are apact's alone."""
    message = {"description": "a tweet", "content": {"id": 1}, "matchingRules": {"body": {"$.id": {"matchers": []}}}}
    pact = pactfile.loads(json.dumps(document("3.0.0", message) | {"messages": [message], "interactions": []}))
    (read,) = pact.interactions
    assert isinstance(read, AsyncMessage) and read.message.contents is not None
    assert read.message.contents.json() == {"id": 1}
    assert pact.warnings == ("$.messages[0].content: read as the message's contents (the official core ignores it)",)
    v4 = {
        "type": "Asynchronous/Messages",
        "description": "an order",
        "contents": {"content": {"a": "1"}, "contentType": "application/json", "encoded": False},
        "generators": {"content": {"a": {"type": "Uuid"}}},
    }
    pact = pactfile.loads(json.dumps(document("4.0", v4)))
    (read,) = pact.interactions
    assert isinstance(read, AsyncMessage) and list(read.message.generators["body"]) == ["a"]
    assert pact.warnings == (
        "$.interactions[0].generators.content: read as the body's generators (the official core ignores them)",
    )


@pytest.mark.parametrize(
    "content_type, raw, expected",
    [
        ("application/json", {"id": 1}, {"id": 1}),
        ("application/json", [1, 2], [1, 2]),
        ("application/json", "Fulfilling", "Fulfilling"),
        ("text/plain", "rare", b"rare"),
        ("application/xml", "<steak/>", b"<steak/>"),
    ],
)
def test_a_v4_http_body_not_in_the_v4_body_form_is_read_as_before_v4(
    content_type: str,
    raw: Any,  # noqa: ANN401
    expected: Any,  # noqa: ANN401
) -> None:
    """The core reads such a body whole, "as the body" (with a warning, measured with
    pact-python 4.2): so does apact, saying so, and writes it back in the V4 form."""
    response = {"status": 200, "headers": {"Content-Type": [content_type]}, "body": raw}
    doc = document("4.0", {**http(response), "type": "Synchronous/HTTP"})
    pact = pactfile.loads(json.dumps(doc))
    (interaction,) = pact.interactions
    assert isinstance(interaction, HttpInteraction) and interaction.response.body is not None
    body = interaction.response.body
    assert (body.content if isinstance(expected, bytes) else body.json()) == expected
    assert pact.warnings == ("$.interactions[0].response.body is not in the V4 body form: read as before V4",)
    written = json.loads(pactfile.dumps(pact))["interactions"][0]["response"]["body"]
    assert written["contentType"] == content_type
    assert pactfile.loads(pactfile.dumps(pact)).warnings == ()


def test_v3_rule_categories_in_a_v2_pact_are_read_as_categories() -> None:
    """pact-jvm 3.x wrote V2 pacts with V3 rule categories (its issue 396): the core
    tells the rule forms apart by their keys, not by the pact's version; so does apact."""
    rules = {"body": {"$.parent": {"matchers": [{"match": "type", "min": 2}]}}}
    response = {"status": 200, "body": {"parent": [{"child": ["a"]}, {"child": ["a"]}]}, "matchingRules": rules}
    doc = document("2.0.0", http(response))
    assert only_http(doc).response.matching_rules["body"]["$.parent"].matchers[0].get("min") == 2
    assert verdict(doc, 200, {"parent": [{"child": ["b"]}, {"child": ["c"]}, {"child": []}]}) == []
    assert verdict(doc, 200, {"parent": [{"child": ["b"]}]}) != []
    written = json.loads(pactfile.dumps(pactfile.loads(json.dumps(doc)), Spec.V2))["interactions"][0]["response"]
    assert written["matchingRules"] == {"$.body.parent": {"match": "type", "min": 2}}


@pytest.mark.parametrize("spec", [Spec.V2, Spec.V3, Spec.V4])
def test_a_body_rule_key_without_dollar_is_kept_as_written(spec: Spec) -> None:
    """The core keeps ``id`` and a plugin's ``data.*`` (pact-php's server-sent events) as
    written and applies ``id`` to ``$.id``; apact too, and writes them back unchanged
    (V2 has only the flat form: ``$.body.id``)."""
    rules = {"body": {"id": {"matchers": [{"match": "type"}]}, "data.*": {"matchers": [{"match": "type"}]}}}
    response = {"status": 200, "headers": JSON_TYPE, "body": {"id": 1, "data": {}}, "matchingRules": rules}
    doc = document("3.0.0", http(response))
    assert list(only_http(doc).response.matching_rules["body"]) == ["id", "data.*"]
    assert verdict(doc, 200, {"id": 2, "data": {}}) == []
    assert verdict(doc, 200, {"id": "2", "data": {}}) != []
    written = json.loads(pactfile.dumps(pactfile.loads(json.dumps(doc)), spec))["interactions"][0]["response"]
    if spec == Spec.V2:
        assert list(written["matchingRules"]) == ["$.body.id", "$.body.data.*"]
    else:
        assert list(written["matchingRules"]["body"]) == ["id", "data.*"]
    assert verdict(written_doc(written, spec), 200, {"id": "2", "data": {}}) != []


def written_doc(response: dict[str, Any], spec: Spec) -> dict[str, Any]:
    interaction = http(response)
    if spec >= Spec.V4:
        interaction["type"] = "Synchronous/HTTP"
    return document({Spec.V2: "2.0.0", Spec.V3: "3.0.0", Spec.V4: "4.0"}[spec], interaction)


def test_request_side_old_forms_are_applied_to_requests() -> None:
    """``requestMatchingRules`` and an indexed V2 query key (pact-go v1) apply to the
    requests apact's mock and stub match, as the core reads them."""
    request = {
        "method": "GET",
        "path": "/steaks/1",
        "query": "cooking=rare&cooking=medium",
        "requestMatchingRules": {"$.path": {"regex": "/steaks/\\d+"}, "$.query.cooking[0]": {"regex": "[a-z]+"}},
    }
    expected = only_http(document("2.0.0", http({"status": 200}, request))).request

    def mismatches(path: str, *cooking: str) -> list[str]:
        actual = HttpRequest("GET", path, query={"cooking": list(cooking)})
        return [str(m) for m in request_mismatches(expected, actual, Spec.V2)]

    assert mismatches("/steaks/42", "well", "blue") == []
    assert mismatches("/steaks/x", "rare", "medium") != []
    assert mismatches("/steaks/1", "rare", "m3dium") != []
