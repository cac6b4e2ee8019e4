"""The generator engine on its own (issue 16): ``generate.apply_to_request``,
``apply_to_response`` and ``apply_to_message`` run a read pact's generators, in the
consumer's or the provider's mode, with provider-state values and a mock server URL."""

from __future__ import annotations

import datetime
import json
import random
import uuid

import pytest

from apact import generate, pactfile
from apact.model import HttpInteraction, PactFile

EXAMPLE_UUID = "00000000-0000-0000-0000-000000000000"


def read_pact() -> PactFile:
    """A V4 pact as another tool might write it, with generators on every part."""
    document = {
        "consumer": {"name": "Sous Chef"},
        "provider": {"name": "Grill Chef"},
        "interactions": [
            {
                "type": "Synchronous/HTTP",
                "description": "a steak",
                "providerStates": [{"name": "a steak exists", "params": {"id": 42}}],
                "request": {
                    "method": "PUT",
                    "path": "/steaks/1",
                    "query": {"table": ["1"]},
                    "headers": {"Content-Type": ["application/json"]},
                    "body": {"content": {"tip": 1}, "contentType": "application/json", "encoded": False},
                    "generators": {
                        "path": {"type": "ProviderState", "expression": "/steaks/${id}"},
                        "query": {"table": {"type": "RandomInt", "min": 10, "max": 19}},
                        "body": {"$.tip": {"type": "RandomInt", "min": 100, "max": 199}},
                    },
                },
                "response": {
                    "status": 200,
                    "headers": {"Content-Type": ["application/json"]},
                    "body": {
                        "content": {"id": 1, "ticket": EXAMPLE_UUID, "self": "http://localhost/steaks/1"},
                        "contentType": "application/json",
                        "encoded": False,
                    },
                    "generators": {
                        "body": {
                            "$.id": {"type": "ProviderState", "expression": "${id}"},
                            "$.ticket": {"type": "Uuid"},
                            "$.self": {"type": "MockServerURL", "example": "http://localhost/steaks/1",
                                       "regex": ".*(/steaks/\\d+)$"},
                        }
                    },
                },
            },
            {
                "type": "Asynchronous/Messages",
                "description": "a steak served",
                "contents": {"content": {"served": "2000-01-01"}, "contentType": "application/json", "encoded": False},
                "generators": {"body": {"$.served": {"type": "Date", "format": "yyyy-MM-dd"}}},
            },
        ],
        "metadata": {"pactSpecification": {"version": "4.0"}},
    }  # fmt: skip
    return pactfile.loads(json.dumps(document), file="sous-chef-grill-chef.json")


def http() -> HttpInteraction:
    interaction = read_pact().interactions[0]
    assert isinstance(interaction, HttpInteraction)
    return interaction


def test_the_provider_mode_makes_the_request_to_send_with_the_state_values() -> None:
    request = generate.apply_to_request(http().request, mode="provider", provider_state={"id": 7})
    assert request.path == "/steaks/7"
    assert request.query is not None and 10 <= int(request.query["table"][0]) <= 19
    assert request.body is not None and 100 <= request.body.json()["tip"] <= 199  # type: ignore[index, operator, call-overload]


def test_the_consumer_mode_makes_what_the_mock_sends() -> None:
    response = generate.apply_to_response(http().response, mode="consumer", mock_server_url="http://127.0.0.1:9999")
    assert response.body is not None
    body = response.body.json()
    assert isinstance(body, dict)
    assert body["id"] == 1  # no provider state on the consumer's side: the example stays
    assert body["ticket"] != EXAMPLE_UUID and str(uuid.UUID(str(body["ticket"]))) == body["ticket"]
    assert body["self"] == "http://127.0.0.1:9999/steaks/1"


def test_the_provider_mode_makes_the_expected_response() -> None:
    """Only the state's values: a random value stands for one no one can predict."""
    response = generate.apply_to_response(http().response, mode="provider", provider_state={"id": 42})
    assert response.body is not None
    assert response.body.json() == {"id": 42, "ticket": EXAMPLE_UUID, "self": "http://localhost/steaks/1"}


def test_a_state_that_gave_no_value_keeps_the_example() -> None:
    response = generate.apply_to_response(http().response, mode="provider", provider_state={})
    assert response.body is not None and response.body.json()["id"] == 1  # type: ignore[index, call-overload]


def test_messages_and_pinned_randomness_and_time() -> None:
    message = read_pact().interactions[1].message  # type: ignore[union-attr]
    now = datetime.datetime(2026, 3, 4, 5, 6, 7, tzinfo=datetime.timezone.utc)
    made = generate.apply_to_message(message, mode="consumer", now=now)
    assert made.contents is not None and made.contents.json() == {"served": "2026-03-04"}
    assert generate.apply_to_message(message, mode="provider", now=now) == message  # expected: unpredictable
    first, second = (
        generate.apply_to_request(http().request, mode="provider", provider_state={"id": 1}, rng=random.Random(7))
        for _ in range(2)
    )
    assert first == second


def test_the_mode_is_consumer_or_provider() -> None:
    with pytest.raises(ValueError, match="mode is 'consumer' or 'provider', got 'mock'"):
        generate.apply_to_request(http().request, mode="mock")  # type: ignore[arg-type]
