"""The matching engine's results: kinds, JSON paths, expected/actual and the messages."""

from __future__ import annotations

from typing import Any

import pytest

from apact.errors import PactFileError
from apact.matching import Mismatch, match_message, match_request, match_response


def one(mismatches: list[Mismatch]) -> Mismatch:
    assert len(mismatches) == 1, [str(m) for m in mismatches]
    return mismatches[0]


def test_the_issue_example() -> None:
    expected = {
        "status": 201,
        "body": {"waitingTime": 10},
        "matchingRules": {"body": {"$.waitingTime": {"matchers": [{"match": "integer"}]}}},
    }
    mismatch = one(match_response(expected, {"status": 201, "body": {"waitingTime": "ten"}}, "3.0.0"))
    assert str(mismatch) == '$.body.waitingTime: expected an integer (like 10), got "ten" (string)'
    assert (mismatch.kind, mismatch.path, mismatch.expected, mismatch.actual) == (
        "body",
        "$.body.waitingTime",
        10,
        "ten",
    )


def test_method_path_status() -> None:
    assert str(one(match_request({"method": "POST", "path": "/"}, {"method": "get", "path": "/"}, "4.0"))) == (
        "$.method: expected method POST, got GET"
    )
    mismatch = one(match_request({"method": "GET", "path": "/steaks/"}, {"method": "GET", "path": "/steaks"}, "4.0"))
    assert (mismatch.kind, str(mismatch)) == ("path", '$.path: expected path "/steaks/", got "/steaks"')
    mismatch = one(match_response({"status": 201}, {"status": 500}, "4.0"))
    assert (mismatch.kind, str(mismatch)) == ("status", "$.status: expected status 201, got 500")


def test_status_code_groups() -> None:
    rules = {"status": {"$": {"matchers": [{"match": "statusCode", "status": "success"}]}}}
    assert match_response({"status": 200, "matchingRules": rules}, {"status": 204}, "4.0") == []
    assert str(one(match_response({"status": 200, "matchingRules": rules}, {"status": 404}, "4.0"))) == (
        "$.status: expected a success status, got 404"
    )
    codes = {"status": {"$": {"matchers": [{"match": "statusCode", "status": [200, 201]}]}}}
    assert str(one(match_response({"status": 200, "matchingRules": codes}, {"status": 202}, "4.0"))) == (
        "$.status: expected one of the status codes 200, 201, got 202"
    )


def test_query_messages() -> None:
    request = {"method": "GET", "path": "/", "query": {"page": ["1"], "tag": ["a", "b"]}}
    mismatches = match_request(
        request, {"method": "GET", "path": "/", "query": {"tag": ["b", "a"], "x": ["1"]}}, "3.0.0"
    )
    assert [str(m) for m in mismatches] == [
        '$.query.page: expected query parameter "page" (with "1"), but it is missing',
        '$.query.tag[0]: expected "a", got "b"',
        '$.query.tag[1]: expected "b", got "a"',
        '$.query.x: unexpected query parameter "x"="1"',
    ]
    assert {m.kind for m in mismatches} == {"query"}


def test_v1_compares_query_strings_verbatim() -> None:
    request = {"method": "GET", "path": "/", "query": "a=1&b=2"}
    assert match_request(request, {"method": "GET", "path": "/", "query": "a=1&b=2"}, "1.0.0") == []
    assert str(one(match_request(request, {"method": "GET", "path": "/", "query": "b=2&a=1"}, "1.0.0"))) == (
        '$.query: expected the query string "a=1&b=2", got "b=2&a=1"'
    )
    assert match_request(request, {"method": "GET", "path": "/", "query": "b=2&a=1"}, "1.1.0") == []


def test_header_messages() -> None:
    expected = {"status": 200, "headers": {"Content-Type": "application/json", "X-Count": "1, 2"}}
    mismatches = match_response(expected, {"status": 200, "headers": {"content-type": "text/plain"}}, "3.0.0")
    assert [str(m) for m in mismatches] == [
        '$.headers[\'Content-Type\']: expected "application/json", got "text/plain"',
        "$.headers['X-Count']: expected header X-Count: \"1, 2\", but it is missing",
    ]
    assert {m.kind for m in mismatches} == {"header"}
    ok = {"status": 200, "headers": {"Content-Type": "application/json; charset=utf-8", "X-Count": "1,2"}}
    assert match_response(expected, ok, "3.0.0") == []


def test_body_key_messages_in_requests_and_responses() -> None:
    expected = {"method": "POST", "path": "/", "body": {"cooking": "rare", "side": "chips"}}
    actual = {"method": "POST", "path": "/", "body": {"cooking": "well-done", "extra": True}}
    assert [str(m) for m in match_request(expected, actual, "2.0.0")] == [
        '$.body.side: expected key "side" (like "chips"), but it is missing',
        '$.body.extra: unexpected key "extra" with value true (a request may only carry the keys the pact lists)',
        '$.body.cooking: expected "rare", got "well-done"',
    ]
    response = {"status": 200, "body": {"cooking": "rare"}}
    assert match_response(response, {"status": 200, "body": {"cooking": "rare", "extra": 1}}, "2.0.0") == []


def test_array_messages() -> None:
    expected = {"status": 200, "body": {"items": [1, 2]}}
    assert str(one(match_response(expected, {"status": 200, "body": {"items": [1, 2, 3]}}, "3.0.0"))) == (
        "$.body.items: expected 2 items, got 3: [1, 2, 3]"
    )
    each_like = {
        "status": 200,
        "body": {"items": [{"id": 1}]},
        "matchingRules": {"body": {"$.items": {"matchers": [{"match": "type", "min": 2}]}}},
    }
    assert str(one(match_response(each_like, {"status": 200, "body": {"items": [{"id": 7}]}}, "3.0.0"))) == (
        "$.body.items: expected at least 2 items, got 1"
    )
    mismatch = one(match_response(each_like, {"status": 200, "body": {"items": [{"id": 1}, {"id": "x"}]}}, "3.0.0"))
    assert str(mismatch) == '$.body.items[1].id: expected a number (like 1), got "x" (string)'


def test_value_matcher_messages() -> None:
    def check(rule: dict[str, Any], example: object, actual: object) -> str:
        expected = {"status": 200, "body": {"v": example}, "matchingRules": {"body": {"$.v": {"matchers": [rule]}}}}
        return str(one(match_response(expected, {"status": 200, "body": {"v": actual}}, "4.0")))

    assert (
        check({"match": "regex", "regex": "\\d+"}, "1", "x1")
        == '$.body.v: expected a value matching /\\d+/, got "x1" (string)'
    )
    assert check({"match": "decimal"}, 1.5, 2) == "$.body.v: expected a decimal number (like 1.5), got 2 (integer)"
    assert check({"match": "boolean"}, True, "yes") == '$.body.v: expected a boolean, got "yes" (string)'
    assert check({"match": "null"}, None, 0) == "$.body.v: expected null, got 0 (integer)"
    assert check({"match": "include", "value": "rare"}, "medium-rare", "done") == (
        '$.body.v: expected a value including "rare", got "done" (string)'
    )
    assert check({"match": "date", "format": "yyyy-MM-dd"}, "2026-11-25", "25/11/2026") == (
        "$.body.v: expected a date in the format 'yyyy-MM-dd', got \"25/11/2026\" (string)"
    )
    assert (
        check({"match": "semver"}, "1.0.0", "1.0")
        == '$.body.v: expected a semantic version (like 1.2.3), got "1.0" (string)'
    )
    assert check({"match": "notEmpty"}, "x", "") == '$.body.v: expected a non-empty value, got "" (string)'
    assert check({"match": "type"}, "Mary", 4) == '$.body.v: expected a string (like "Mary"), got 4 (integer)'


def test_combine_or() -> None:
    rules = {"body": {"$.v": {"combine": "OR", "matchers": [{"match": "integer"}, {"match": "null"}]}}}
    expected = {"status": 200, "body": {"v": 1}, "matchingRules": rules}
    assert match_response(expected, {"status": 200, "body": {"v": None}}, "4.0") == []
    assert match_response(expected, {"status": 200, "body": {"v": 3}}, "4.0") == []
    assert str(one(match_response(expected, {"status": 200, "body": {"v": "x"}}, "4.0"))).startswith(
        "$.body.v: none of the rules match: expected an integer"
    )


def test_each_key_each_value_and_array_contains() -> None:
    rules = {
        "body": {
            "$.scores": {
                "matchers": [
                    {"match": "eachKey", "rules": [{"match": "regex", "regex": "[a-z]+"}], "value": {"ann": 1}}
                ]
            },
            "$.prices": {"matchers": [{"match": "eachValue", "rules": [{"match": "integer"}], "value": {"a": 1}}]},
            "$.roles": {
                "matchers": [
                    {
                        "match": "arrayContains",
                        "variants": [
                            {"index": 0, "rules": {"$": {"matchers": [{"match": "regex", "regex": "admin|root"}]}}}
                        ],
                    }
                ]
            },
        }
    }
    expected = {
        "status": 200,
        "body": {"scores": {"ann": 1}, "prices": {"a": 1}, "roles": ["admin"]},
        "matchingRules": rules,
    }
    good = {
        "status": 200,
        "body": {"scores": {"bob": 2, "cy": 3}, "prices": {"x": 5, "y": 6}, "roles": ["user", "root"]},
    }
    assert match_response(expected, good, "4.0") == []
    bad = {"status": 200, "body": {"scores": {"Bob": 2}, "prices": {"x": 1.5}, "roles": ["user"]}}
    assert [str(m) for m in match_response(expected, bad, "4.0")] == [
        '$.body.scores.Bob: key "Bob": expected a value matching /[a-z]+/, got "Bob" (string)',
        "$.body.prices.x: expected an integer (like 1), got 1.5 (decimal)",
        '$.body.roles: expected the array to contain an item like "admin" (variant 0), but none of its 1 item matches',
    ]


def test_values_of_an_empty_example_compares_no_value() -> None:
    """With no example value, a values rule (or eachValue, whose own "value" is no
    example: the core ignores it) says nothing of the values; a request still may carry
    no key the pact does not list (the official core's verdicts)."""
    each_value = {"match": "eachValue", "rules": [{"match": "type"}], "value": {"x": 1}}
    for rule in ({"match": "values"}, each_value):
        rules = {"body": {"$.m": {"matchers": [rule]}}}
        response = {"status": 200, "body": {"m": {}}, "matchingRules": rules}
        assert match_response(response, {"status": 200, "body": {"m": {"b": "s"}}}, "4.0") == []
        request = {"method": "POST", "path": "/", "body": {"m": {}}, "matchingRules": rules}
        assert match_request(request, {"method": "POST", "path": "/", "body": {"m": {}}}, "4.0") == []
        assert [
            str(m) for m in match_request(request, {"method": "POST", "path": "/", "body": {"m": {"b": 2}}}, "4.0")
        ] == ['$.body.m.b: unexpected key "b" with value 2 (a request may only carry the keys the pact lists)']


def test_xml_messages() -> None:
    expected = {
        "status": 200,
        "headers": {"Content-Type": "application/xml"},
        "body": '<alligator name="Mary"><colour>red</colour></alligator>',
    }
    actual = {
        "status": 200,
        "headers": {"Content-Type": "application/xml"},
        "body": "<alligator><colour>blue</colour></alligator>",
    }
    assert [str(m) for m in match_response(expected, actual, "3.0.0")] == [
        "$.body.alligator['@name']: expected attribute name=\"Mary\", but it is missing",
        '$.body.alligator.colour[\'#text\']: expected "red", got "blue"',
    ]


def test_xml_min_and_max_count_an_elements_text_as_a_child() -> None:
    """As the official core counts an element's child nodes: a leaf's text is one, so a
    repeated leaf element (``<side>fries</side>``) under ``type`` with ``min: 1`` passes."""
    xml = {"Content-Type": "application/xml"}
    rules = {"body": {"$.order.side": {"matchers": [{"match": "type", "min": 1}]}}}
    expected = {"status": 200, "headers": xml, "body": "<order><side>fries</side></order>", "matchingRules": rules}
    two = {"status": 200, "headers": xml, "body": "<order><side>salad</side><side>beans</side></order>"}
    assert match_response(expected, two, "3.0.0") == []
    empty = {"status": 200, "headers": xml, "body": "<order><side/></order>"}
    assert [str(m) for m in match_response(expected, empty, "3.0.0")] == [
        "$.body.order.side: expected at least 1 child (elements and text), got 0"
    ]
    rules = {"body": {"$.order": {"matchers": [{"match": "type", "max": 1}]}}}
    expected = {"status": 200, "headers": xml, "body": "<order><side>fries</side></order>", "matchingRules": rules}
    mixed = {"status": 200, "headers": xml, "body": "<order><side>fries</side>and a drink</order>"}
    assert [str(m) for m in match_response(expected, mixed, "3.0.0")] == [
        "$.body.order: expected at most 1 child (elements and text), got 2"
    ]


def test_body_presence_and_type() -> None:
    expected = {"status": 200, "headers": {"Content-Type": "application/json"}, "body": {"a": 1}}
    missing = one(match_response(expected, {"status": 200, "headers": {"Content-Type": "application/json"}}, "3.0.0"))
    assert str(missing) == "$.body: expected a body (application/json), but it is missing or empty"
    assert missing.expected == {"a": 1}
    text = {"status": 200, "headers": {"Content-Type": "text/plain"}, "body": "hi"}
    body_mismatches = [m for m in match_response(expected, text, "3.0.0") if m.kind == "body type"]
    assert str(one(body_mismatches)) == "$.body: expected a body of type application/json, got text/plain"
    assert str(one(match_response({"status": 200, "body": ""}, {"status": 200, "body": "x"}, "3.0.0"))) == (
        '$.body: expected no body, got "x"'
    )
    not_json = {"status": 200, "headers": {"Content-Type": "application/json"}, "body": "{nope"}
    assert str(one(match_response(expected, not_json, "3.0.0"))).startswith(
        "$.body: expected a JSON body, got text that is not JSON"
    )


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(constant: str) -> None:
    # Python's json reads them as floats (NaN would pass a number rule); the official core
    # says it cannot parse the body, and so does apact
    expected = {
        "status": 200,
        "headers": {"Content-Type": "application/json"},
        "body": {"grams": 1.5},
        "matchingRules": {"body": {"$.grams": {"matchers": [{"match": "number"}]}}},
    }
    actual = {"status": 200, "headers": {"Content-Type": "application/json"}, "body": '{"grams": ' + constant + "}"}
    assert str(one(match_response(expected, actual, "3.0.0"))) == (
        f"$.body: expected a JSON body, got text that is not JSON ({constant} is not JSON: "
        f'line 1 column 11 (char 10)): "{{\\"grams\\": {constant}}}"'
    )
    assert match_response(expected, {**actual, "body": '{"grams": "NaN"}'}, "3.0.0") != []  # a string, not a number
    message = {"contents": {"grams": 1.5}, "metadata": {"contentType": "application/json"}}
    message["matchingRules"] = expected["matchingRules"]
    sent = {"contents": actual["body"], "metadata": {"contentType": "application/json"}}
    assert str(one(match_message(message, sent, "3.0.0"))).startswith(
        f"$.contents: expected a JSON body, got text that is not JSON ({constant} is not JSON"
    )


def test_an_objects_own_rules_apply_to_the_object_as_in_the_core() -> None:
    # each as pact-python 4.2 (the official core) judged it, its words in the comments
    def mismatches(rule: dict[str, Any], expected: Any, actual: Any) -> list[str]:  # noqa: ANN401
        json_type = {"Content-Type": "application/json"}
        want = {"status": 200, "headers": json_type, "body": {"x": expected}}
        want["matchingRules"] = {"body": {"$.x": {"matchers": [rule]}}}
        return [
            str(m) for m in match_response(want, {"status": 200, "headers": json_type, "body": {"x": actual}}, "3.0.0")
        ]

    equality = {"match": "equality"}
    # "Expected {"b": Number(1), "d": Number(2)} to be equal to {"b": Number(1)}"
    assert mismatches(equality, {"b": 1}, {"b": 1, "d": 2}) == ['$.body.x: expected {"b": 1}, got {"b": 1, "d": 2}']
    assert mismatches(equality, {"b": 1}, {"b": 1}) == []
    assert mismatches(equality, {"b": 1}, {"b": 1.0}) != []  # JSON's types: 1 is not 1.0
    # "Expected {} (size 0) to have minimum size of 1", "... (size 2) to have maximum size of 1"
    assert mismatches({"match": "type", "min": 1}, {}, {}) == ["$.body.x: expected at least 1 key, got 0: {}"]
    assert mismatches({"match": "type", "min": 1}, {"a": 1}, {"a": 2}) == []
    assert mismatches({"match": "type", "max": 1}, {"a": 1}, {"a": 1, "b": 2}) == [
        '$.body.x: expected at most 1 key, got 2: {"a": 1, "b": 2}'
    ]
    # "Unable to match {} using Integer" (and Number, Null, Boolean, Include("a"))
    for rule in ({"match": "integer"}, {"match": "number"}, {"match": "null"}, {"match": "boolean"}):
        assert len(mismatches(rule, {}, {})) == 1, rule
    assert mismatches({"match": "include", "value": "a"}, {}, {}) == [
        '$.body.x: expected a value including "a", got {} (object)'
    ]
    assert mismatches({"match": "regex", "regex": "^[ab]+$"}, {}, {}) == []  # the core matches no regex on one
    # the keys are still compared, as without the rule
    assert mismatches({"match": "type", "min": 1}, {"a": 1}, {"a": "one"}) == [
        '$.body.x.a: expected a number (like 1), got "one" (string)'
    ]
    # and the objects below inherit the rule, but for a type rule's min and max
    assert mismatches(equality, [{"a": 1}], [{"a": 1, "b": 2}]) == [
        '$.body.x[0]: expected {"a": 1}, got {"a": 1, "b": 2}'
    ]
    assert mismatches({"match": "notEmpty"}, {"y": {}}, {"y": {}}) == [
        "$.body.x.y: expected a non-empty object, got {}"
    ]
    assert mismatches({"match": "integer"}, [{}], [{}]) == [
        "$.body.x[0]: expected an integer (like {}), got {} (object)"
    ]
    assert mismatches({"match": "type", "min": 1}, {"y": {}}, {"y": {}}) == []


def test_form_and_multipart_bodies() -> None:
    form = {
        "method": "POST",
        "path": "/",
        "headers": {"Content-Type": "application/x-www-form-urlencoded"},
        "body": "a=1&b=2",
    }
    same = dict(form, body="b=2&a=1")
    assert match_request(form, same, "3.0.0") == []
    assert str(one(match_request(form, dict(form, body="a=1&b=3"), "3.0.0"))) == '$.body.b: expected "2", got "3"'
    boundary = "XyZ"
    content_type = f"multipart/form-data; boundary={boundary}"

    def multipart(data: str) -> str:
        return (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
            f"Content-Type: text/plain\r\n\r\n{data}\r\n--{boundary}--\r\n"
        )

    expected = {"method": "POST", "path": "/", "headers": {"Content-Type": content_type}, "body": multipart("hello")}
    assert match_request(expected, expected, "3.0.0") == []
    assert str(one(match_request(expected, dict(expected, body=multipart("bye")), "3.0.0"))) == (
        '$.body.file: expected "hello", got "bye" (first difference at character 0)'
    )


def test_message_contents_and_metadata() -> None:
    expected = {
        "contents": {"orderId": 1},
        "metaData": {"contentType": "application/json", "topic": "orders"},
        "matchingRules": {"body": {"$.orderId": {"matchers": [{"match": "integer"}]}}},
    }
    actual = {
        "contents": {"orderId": "1", "extra": True},
        "metaData": {"contentType": "application/json", "topic": "order"},
    }
    mismatches = match_message(expected, actual, "3.0.0")
    assert [(m.kind, str(m)) for m in mismatches] == [
        ("body", '$.contents.orderId: expected an integer (like 1), got "1" (string)'),
        ("metadata", '$.metadata.topic: expected "orders", got "order"'),
    ]


def test_message_metadata_values_are_json_values() -> None:
    """As the official core matches them: ``integer`` wants a number, not a string
    holding one (a header's value is text; a message's metadata value is JSON)."""
    expected = {
        "contents": {"orderId": 1},
        "metaData": {"contentType": "application/json", "version": 2},
        "matchingRules": {"metadata": {"version": {"matchers": [{"match": "integer"}]}}},
    }
    number = {"contents": {"orderId": 1}, "metaData": {"contentType": "application/json", "version": 3}}
    assert match_message(expected, number, "3.0.0") == []
    text = {"contents": {"orderId": 1}, "metaData": {"contentType": "application/json", "version": "3"}}
    assert [str(m) for m in match_message(expected, text, "3.0.0")] == [
        '$.metadata.version: expected an integer (like 2), got "3" (string)'
    ]


def test_bad_expectations_raise_our_error() -> None:
    expected = {"status": 200, "matchingRules": {"body": {"$.x": {"matchers": [{"match": "bogus"}]}}}}
    with pytest.raises(
        PactFileError, match=r"\$\.matchingRules\.body\['\$\.x'\]\.matchers\[0\]\.match: unknown matcher type 'bogus'"
    ):
        match_response(expected, {"status": 200}, "3.0.0")
    with pytest.raises(PactFileError, match="unknown Pact specification version '9'"):
        match_response({"status": 200}, {"status": 200}, "9")


def test_paths_compare_with_percent_escapes_decoded() -> None:
    """The Rust core records paths encoded, apact's mock decoded: both mean the same."""
    encoded = {"method": "GET", "path": "/pacticipants/Pricing%20Service"}
    decoded = {"method": "GET", "path": "/pacticipants/Pricing Service"}
    assert match_request(encoded, decoded, "4.0") == []
    assert match_request(decoded, encoded, "4.0") == []
    slash = {"method": "GET", "path": "/a%2Fb"}
    assert (
        str(one(match_request(slash, {"method": "GET", "path": "/a/b"}, "4.0")))
        == '$.path: expected path "/a%2Fb", got "/a/b"'
    )


def test_equal_values_of_other_json_types_are_mismatches_however_deep() -> None:
    """``1``, ``1.0`` and ``true`` are equal in Python, not in JSON: equality of a whole
    body tells them apart at any depth and in any key order."""
    headers = {"Content-Type": "application/json"}
    expected = {"items": [{"id": 1, "price": 2.0, "ok": True, "tags": ["a"]}] * 3}
    swapped = {"items": [{"tags": ["a"], "ok": True, "price": 2.0, "id": 1}] * 3}
    assert (
        match_response(
            {"status": 200, "headers": headers, "body": expected},
            {"status": 200, "headers": headers, "body": swapped},
            "3.0.0",
        )
        == []
    )
    for field, other in (("id", 1.0), ("id", True), ("price", 2), ("ok", 1)):
        actual = {"items": [dict(item) for item in expected["items"]]}
        actual["items"][2][field] = other
        mismatches = match_response(
            {"status": 200, "headers": headers, "body": expected},
            {"status": 200, "headers": headers, "body": actual},
            "3.0.0",
        )
        assert [m.path for m in mismatches] == [f"$.body.items[2].{field}"], (field, other, mismatches)


def test_strict_equality_of_trees_pickled_or_walked() -> None:
    """`strictly_equal` settles equal trees by their pickles when it can (same types,
    same key order) and by a walk when not: either way the same answer."""
    from apact.matching._json import strictly_equal

    tags = ["a", "b"]
    record: dict[str, Any] = {"id": 1, "score": 2.5, "ok": True, "note": None, "tags": tags}
    shared = {"records": [record] * 50}  # one object fifty times: the pickles do not depend on it
    copied = {"records": [dict(record, tags=list(tags)) for _ in range(50)]}
    assert strictly_equal(shared, copied)
    assert strictly_equal(copied, shared)
    reordered = {"records": [dict(reversed(list(record.items()))) for _ in range(50)]}
    assert strictly_equal(shared, reordered)  # keys in another order: walked
    assert strictly_equal({"v": [0.0]}, {"v": [-0.0]})  # equal in JSON, not byte for byte
    for field, other in (("id", 1.0), ("id", True), ("score", 2.5), ("ok", 1), ("note", None)):
        changed = {"records": [dict(item) for item in copied["records"]]}
        changed["records"][49][field] = other
        same = type(other) is type(record[field]) and other == record[field]
        assert strictly_equal(shared, changed) is same, (field, other)
        changed["records"][49] = dict(reversed(list(changed["records"][49].items())))
        assert strictly_equal(shared, changed) is same, (field, other, "reordered")


@pytest.mark.parametrize("values", [5, 40], ids=["small tree: walked value by value", "larger: level by level"])
def test_strict_equality_of_small_and_larger_trees(values: int) -> None:
    """A small tree (a typical response) is settled value by value, a larger one level
    by level: the same answers, a type that differs found at any depth."""
    from apact.matching._json import strictly_equal

    def tree(leaf: Any) -> dict[str, Any]:
        return {"a": [{"b": leaf, "c": "x"}], **{f"k{i}": i for i in range(values)}}

    assert strictly_equal(tree(1), tree(1))
    for one, other in ((1, 1.0), (1, True), (0, False), ({"d": 1}, {"d": 1.0}), ([1], [1.0])):
        assert one == other
        assert not strictly_equal(tree(one), tree(other)), (one, other)
        assert not strictly_equal(tree(other), tree(one)), (other, one)
    assert not strictly_equal(1, 1.0)
    assert not strictly_equal([1, [2]], [1, [2.0]])
    assert strictly_equal([1, {"x": None}], [1, {"x": None}])
