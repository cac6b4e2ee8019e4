"""A body of another content type than the pact's is its own kind of mismatch,
``body type`` (the core's ``BodyTypeMismatch``): its contents were not compared, so a
tool reading the results can tell "wrong shape" from "wrong kind of body" (issue 16)."""

from __future__ import annotations

from apact.matching import match_message, match_request, match_response

JSON_ORDER = {"headers": {"Content-Type": "application/json"}, "body": {"cooking": "rare"}}
TEXT_ORDER = {"headers": {"Content-Type": "text/plain"}, "body": "cooking=rare"}


def test_a_response_of_another_content_type() -> None:
    (mismatch,) = [m for m in match_response({"status": 200, **JSON_ORDER}, {"status": 200, **TEXT_ORDER}, "3.0.0")
                   if m.path == "$.body"]  # fmt: skip
    assert (mismatch.kind, mismatch.expected, mismatch.actual) == ("body type", "application/json", "text/plain")
    assert str(mismatch) == "$.body: expected a body of type application/json, got text/plain"
    assert mismatch.to_json()["kind"] == "body type"


def test_a_request_of_another_content_type() -> None:
    expected = {"method": "POST", "path": "/steaks/", **JSON_ORDER}
    actual = {"method": "POST", "path": "/steaks/", **TEXT_ORDER}
    kinds = {m.kind for m in match_request(expected, actual, "4.0") if m.path == "$.body"}
    assert kinds == {"body type"}


def test_message_contents_of_another_content_type() -> None:
    expected = {"contents": {"id": 1}, "metadata": {"contentType": "application/json"}}
    actual = {"contents": "<id>1</id>", "metadata": {"contentType": "application/xml"}}
    (mismatch,) = [m for m in match_message(expected, actual, "3.0.0") if m.kind != "metadata"]
    assert (mismatch.kind, mismatch.path) == ("body type", "$.contents")


def test_the_same_family_under_another_name_is_compared_as_a_body() -> None:
    """``application/hal+json`` is JSON: the contents are compared, a difference is a ``body`` one."""
    actual = {"status": 200, "headers": {"Content-Type": "application/hal+json"}, "body": {"cooking": "raw"}}
    mismatches = match_response({"status": 200, **JSON_ORDER}, actual, "3.0.0")
    assert [(m.kind, m.path) for m in mismatches if m.kind != "header"] == [("body", "$.body.cooking")]
