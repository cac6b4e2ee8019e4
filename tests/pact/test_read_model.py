"""The model a pact is read into is the model its constructors make: the reader builds
its objects at a plain class's cost (`apact._core._frozen`), and nothing of that shows."""

from __future__ import annotations

import dataclasses
import json

import pytest

from apact import pactfile
from apact.pact.model import Body, HttpInteraction, HttpRequest, HttpResponse, Matcher, ProviderState, RuleList

PACT = {
    "consumer": {"name": "Sous Chef"},
    "provider": {"name": "Grill Chef"},
    "interactions": [
        {
            "type": "Synchronous/HTTP",
            "description": "an order",
            "providerStates": [{"name": "steaks are available", "params": {"count": 3}}],
            "request": {
                "method": "POST",
                "path": "/steaks/",
                "headers": {"Content-Type": ["application/json"]},
                "body": {"contentType": "application/json", "encoded": False, "content": {"cooking": "rare"}},
            },
            "response": {
                "status": 201,
                "body": {"contentType": "application/json", "encoded": False, "content": {"waitingTime": 12}},
                "matchingRules": {"body": {"$.waitingTime": {"combine": "AND", "matchers": [{"match": "integer"}]}}},
            },
            "pending": True,
            "key": "k1",
            "comments": {"text": ["seen"]},
            "_id": "abc",
        }
    ],
    "metadata": {"pactSpecification": {"version": "4.0"}},
}

EXPECTED = HttpInteraction(
    "an order",
    HttpRequest(
        "POST",
        "/steaks/",
        None,
        {"Content-Type": ["application/json"]},
        Body.from_json({"cooking": "rare"}, "application/json"),
    ),
    HttpResponse(
        201,
        None,
        Body.from_json({"waitingTime": 12}, "application/json"),
        {"body": {"$.waitingTime": RuleList((Matcher("integer"),), "AND")}},
    ),
    (ProviderState("steaks are available", {"count": 3}),),
    key="k1",
    pending=True,
    comments={"text": ["seen"]},
    extra={"_id": "abc"},
)


def test_what_is_read_equals_what_the_constructors_make() -> None:
    (read,) = pactfile.loads(json.dumps(PACT)).interactions
    assert read == EXPECTED
    assert isinstance(read, HttpInteraction)
    assert type(read) is HttpInteraction and type(read.request) is HttpRequest and type(read.response) is HttpResponse
    assert type(read.provider_states[0]) is ProviderState
    rule_list = read.response.matching_rules["body"]["$.waitingTime"]
    assert type(rule_list) is RuleList and type(rule_list.matchers[0]) is Matcher
    assert type(read.response.body) is Body and read.response.body.json() == {"waitingTime": 12}
    assert hash(read.response.body) == hash(EXPECTED.response.body)


def test_what_is_read_is_frozen_and_replaceable() -> None:
    (read,) = pactfile.loads(json.dumps(PACT)).interactions
    assert isinstance(read, HttpInteraction)
    for part in (read, read.request, read.response, read.provider_states[0], read.response.body):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(part, dataclasses.fields(part)[0].name, None)  # type: ignore[arg-type]
    changed = dataclasses.replace(read, description="another order")
    assert changed.description == "another order" and changed.request == read.request
    assert repr(read).startswith("HttpInteraction(description='an order'")


def test_an_interaction_without_the_optional_attributes_gets_their_defaults() -> None:
    bare = json.loads(json.dumps(PACT))
    for name in ("pending", "key", "comments", "_id", "providerStates"):
        del bare["interactions"][0][name]
    (read,) = pactfile.loads(json.dumps(bare)).interactions
    assert read == dataclasses.replace(EXPECTED, provider_states=(), key=None, pending=False, comments=None, extra={})
