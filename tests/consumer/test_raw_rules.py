"""The DSL's escape hatches (issue 16): matching rules and generators given raw, as a
pact file writes them, on a request, a response or a message part, as pact-python's
``with_matching_rules(rules, part=)`` and ``with_generators(generators, part=)``."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from apact import ConsumerMismatchError, Message, Pact, match, pactfile
from apact.errors import PactWriteError

pytestmark = pytest.mark.anyio

PACT_FILE = "Sous Chef-Grill Chef.json"


def read(path: Path) -> Any:
    return json.loads(path.read_text())


async def test_v4_category_rules_on_the_request_let_the_consumer_send_other_values(tmp_path: Path) -> None:
    async with Pact("Sous Chef", "Grill Chef", pact_dir=tmp_path, spec="V4") as pact:
        (
            pact.upon_receiving("an order")
            .with_request("POST", "/steaks/", body={"cooking": "rare", "table": 7})
            .with_matching_rules({"body": {"$.table": {"matchers": [{"match": "integer"}]}}})
            .will_respond_with(201, body={"id": match.integer(1)})
        )
        response = await pact.client.post("/steaks/", json={"cooking": "rare", "table": 12})
        assert response.status_code == 201, response.text
    interaction = read(tmp_path / PACT_FILE)["interactions"][0]
    assert interaction["request"]["matchingRules"] == {
        "body": {"$.table": {"combine": "AND", "matchers": [{"match": "integer"}]}}
    }
    assert interaction["response"]["matchingRules"] == {
        "body": {"$.id": {"combine": "AND", "matchers": [{"match": "integer"}]}}
    }


async def test_without_a_part_the_rules_go_to_the_part_written_last_and_merge_with_the_terms(tmp_path: Path) -> None:
    """As the core does: a raw rule at a place a term rules is added after the term's."""
    async with Pact("Sous Chef", "Grill Chef", pact_dir=tmp_path, spec="V4") as pact:
        (
            pact.upon_receiving("an order")
            .with_request("POST", "/steaks/", body={"cooking": "rare"})
            .will_respond_with(201, body={"id": match.integer(1), "waitingTime": 10})
            .with_matching_rules({"body": {"$.id": {"matchers": [{"match": "number"}]}}})
            .with_matching_rules('{"$.body.waitingTime": {"match": "type"}}')  # V2 flat form, as JSON text
        )
        assert (await pact.client.post("/steaks/", json={"cooking": "rare"})).json() == {"id": 1, "waitingTime": 10}
    interaction = read(tmp_path / PACT_FILE)["interactions"][0]
    assert "matchingRules" not in interaction["request"]
    assert interaction["response"]["matchingRules"] == {
        "body": {
            "$.id": {"combine": "AND", "matchers": [{"match": "integer"}, {"match": "number"}]},
            "$.waitingTime": {"combine": "AND", "matchers": [{"match": "type"}]},
        }
    }
    assert pactfile.load(tmp_path / PACT_FILE).interactions[0] is not None  # apact reads back what it wrote


async def test_a_v2_pact_gets_the_rules_in_its_flat_form(tmp_path: Path) -> None:
    async with Pact("Sous Chef", "Grill Chef", pact_dir=tmp_path, spec="V2") as pact:
        (
            pact.upon_receiving("the menu")
            .with_request("GET", "/menu", query={"day": "monday"})
            .with_matching_rules({"query": {"day": {"matchers": [{"match": "regex", "regex": "^[a-z]+day$"}]}}})
            .will_respond_with(200, body={"items": ["steak"]})
            .with_matching_rules({"$.body.items": {"min": 1, "match": "type"}}, part="Response")
        )
        assert (await pact.client.get("/menu", params={"day": "friday"})).json() == {"items": ["steak"]}
    interaction = read(tmp_path / PACT_FILE)["interactions"][0]
    assert interaction["request"]["matchingRules"] == {"$.query.day": {"match": "regex", "regex": "^[a-z]+day$"}}
    assert interaction["response"]["matchingRules"] == {"$.body.items": {"match": "type", "min": 1}}


async def test_a_request_the_raw_rules_refuse_is_a_mismatch(tmp_path: Path) -> None:
    with pytest.raises(ConsumerMismatchError, match=r"\$\.body\.table"):
        async with Pact("Sous Chef", "Grill Chef", pact_dir=tmp_path, spec="V3") as pact:
            (
                pact.upon_receiving("an order")
                .with_request("POST", "/steaks/", body={"table": 7})
                .with_matching_rules({"$.body.table": {"match": "integer"}})
                .will_respond_with(201)
            )
            await pact.client.post("/steaks/", json={"table": "seven"})
    assert not (tmp_path / PACT_FILE).exists()


async def test_raw_generators_run_in_the_mock_and_are_written(tmp_path: Path) -> None:
    async with Pact("Sous Chef", "Grill Chef", pact_dir=tmp_path, spec="V3") as pact:
        (
            pact.upon_receiving("an order")
            .with_request("POST", "/steaks/", body={"cooking": "rare"})
            .will_respond_with(201, body={"id": "00000000-0000-0000-0000-000000000000", "table": 7})
            .with_generators({"body": {"$.id": {"type": "Uuid"}}})
            .with_generators({"body": {"$.table": {"type": "RandomInt", "min": 1, "max": 9}}}, part="Response")
        )
        answered = (await pact.client.post("/steaks/", json={"cooking": "rare"})).json()
    assert answered["id"] != "00000000-0000-0000-0000-000000000000"
    uuid.UUID(answered["id"])
    assert 1 <= answered["table"] <= 9
    response = read(tmp_path / PACT_FILE)["interactions"][0]["response"]
    assert response["generators"] == {
        "body": {"$.id": {"type": "Uuid"}, "$.table": {"type": "RandomInt", "min": 1, "max": 9}}
    }
    assert "matchingRules" not in response  # a generator adds no rule
    assert response["body"] == {"id": "00000000-0000-0000-0000-000000000000", "table": 7}


@pytest.mark.parametrize(
    ("call", "said"),
    [
        (
            lambda b: b.with_matching_rules({"body": {"$.id": {"matchers": [{"match": "integr"}]}}}),
            "with_matching_rules of 'an order' (response): $.body['$.id'].matchers[0].match: unknown matcher type 'integr'",
        ),
        (
            lambda b: b.with_matching_rules({"$.body.id": {"match": "regex", "regex": "("}}),
            "with_matching_rules of 'an order' (response): $['$.body.id'].regex: ",
        ),
        (
            lambda b: b.with_matching_rules({"path": {"matchers": [{"match": "type"}]}}),
            "with_matching_rules of 'an order' (response): $.path: this part has no 'path' to apply to",
        ),
        (
            lambda b: b.with_matching_rules({"status": {"matchers": [{"match": "type"}]}}, part="Request"),
            "with_matching_rules of 'an order' (request): $.status: this part has no 'status' to apply to",
        ),
        (
            lambda b: b.with_matching_rules("{nope"),
            "with_matching_rules of 'an order' (response): not valid JSON text: ",
        ),
        (
            lambda b: b.with_matching_rules({"body": {}}, part="Body"),
            "with_matching_rules of 'an order': part is 'Request' or 'Response', got 'Body'",
        ),
        (
            lambda b: b.with_generators({"body": {"$.id": {"type": "RandomNumber"}}}),
            "with_generators of 'an order' (response): $.body['$.id'].type: unknown generator type 'RandomNumber'",
        ),
    ],
)
async def test_a_bad_rule_is_a_clear_error_naming_its_path(tmp_path: Path, call: Any, said: str) -> None:  # noqa: ANN401
    async with Pact("Sous Chef", "Grill Chef", pact_dir=tmp_path, spec="V4") as pact:
        builder = pact.upon_receiving("an order").with_request("GET", "/steaks/1").will_respond_with(200)
        with pytest.raises(ValueError) as raised:
            call(builder)
        assert str(raised.value).startswith(said), str(raised.value)
        await pact.client.get("/steaks/1")


async def test_rules_need_a_part_when_none_is_written_yet() -> None:
    async with Pact("Sous Chef", "Grill Chef", pact_dir=None) as pact:
        builder = pact.upon_receiving("an order")
        with pytest.raises(ValueError, match="name the part"):
            builder.with_matching_rules({"$.body.id": {"match": "type"}})
        builder.with_request("GET", "/steaks/1").will_respond_with(200)
        await pact.client.get("/steaks/1")


async def test_generators_in_a_v2_pact_fail_the_call_that_gave_them_and_only_it(tmp_path: Path) -> None:
    async with Pact("Sous Chef", "Grill Chef", pact_dir=tmp_path, spec="V2") as pact:
        builder = pact.upon_receiving("an order").with_request("GET", "/steaks/1").will_respond_with(200, body={"a": 1})
        with pytest.raises(PactWriteError, match="generators need spec V3 or later"):
            builder.with_generators({"body": {"$.a": {"type": "RandomInt"}}})
        builder.with_matching_rules({"$.body.a": {"match": "type"}})  # the builder is still usable
        await pact.client.get("/steaks/1")
    assert read(tmp_path / PACT_FILE)["interactions"][0]["response"]["matchingRules"] == {"$.body.a": {"match": "type"}}


# -- messages ------------------------------------------------------------------------------------

MESSAGE_FILE = "Shipping-Orders.json"


async def test_an_async_message_takes_raw_rules_and_generators_in_either_form(tmp_path: Path) -> None:
    got: list[Message] = []
    async with Pact("Shipping", "Orders", pact_dir=tmp_path, spec="V3") as pact:
        event = (
            pact.expects_to_receive("an order created event")
            .with_content({"orderId": 1001, "total": 19.99})
            .with_metadata(topic="orders")
            .with_matching_rules({"$.contents.orderId": {"match": "integer"}})  # V2 flat, as older pacts
            .with_matching_rules({"metadata": {"topic": {"matchers": [{"match": "regex", "regex": "^orders$"}]}}})
            .with_generators({"body": {"$.orderId": {"type": "RandomInt", "min": 2000, "max": 2999}}})
        )
        await event.verify(got.append)
    (message,) = got
    assert isinstance(message.contents, dict) and 2000 <= message.contents["orderId"] <= 2999  # generated
    written = read(tmp_path / MESSAGE_FILE)["messages"][0]
    assert written["contents"] == {"orderId": 1001, "total": 19.99}
    assert written["matchingRules"] == {
        "body": {"$.orderId": {"combine": "AND", "matchers": [{"match": "integer"}]}},
        "metadata": {"topic": {"combine": "AND", "matchers": [{"match": "regex", "regex": "^orders$"}]}},
    }
    assert written["generators"] == {"body": {"$.orderId": {"type": "RandomInt", "min": 2000, "max": 2999}}}


async def test_a_message_part_has_no_path_nor_query(tmp_path: Path) -> None:
    async with Pact("Shipping", "Orders", pact_dir=None, spec="V3") as pact:
        event = pact.expects_to_receive("an event").with_content({"id": 1})
        with pytest.raises(ValueError, match=r"with_matching_rules of message 'an event': \$\.query: this part has no"):
            event.with_matching_rules({"query": {"id": {"matchers": [{"match": "type"}]}}})
        await event.verify(lambda message: None)


async def test_a_sync_message_takes_rules_for_its_request_and_the_response_written_last(tmp_path: Path) -> None:
    async with Pact("Shipping", "Orders", pact_dir=tmp_path, spec="V4") as pact:
        lookup = (
            pact.sync_message("a price lookup")
            .with_request({"sku": "SKU-1"})
            .with_matching_rules({"body": {"$.sku": {"matchers": [{"match": "regex", "regex": "^SKU-\\d+$"}]}}})
            .will_respond_with({"price": 9.99})
            .with_matching_rules({"body": {"$.price": {"matchers": [{"match": "decimal"}]}}})
            .will_respond_with({"price": 8.99, "currency": "EUR"})
            .with_generators({"body": {"$.currency": {"type": "Regex", "regex": "EUR|GBP"}}}, part="Response")
        )
        first, second = await lookup.send_all({"sku": "SKU-7"})  # another SKU: the raw regex rule lets it match
    assert first.contents == {"price": 9.99}
    assert isinstance(second.contents, dict) and second.contents["currency"] in ("EUR", "GBP")
    written = read(tmp_path / MESSAGE_FILE)["interactions"][0]
    assert written["request"]["matchingRules"] == {
        "body": {"$.sku": {"combine": "AND", "matchers": [{"match": "regex", "regex": "^SKU-\\d+$"}]}}
    }
    assert written["response"][0]["matchingRules"] == {
        "body": {"$.price": {"combine": "AND", "matchers": [{"match": "decimal"}]}}
    }
    assert "matchingRules" not in written["response"][1]
    assert written["response"][1]["generators"] == {"body": {"$.currency": {"type": "Regex", "regex": "EUR|GBP"}}}
