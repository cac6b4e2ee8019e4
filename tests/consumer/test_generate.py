"""The generator DSL: what each generator writes, and what the mock then sends."""

from __future__ import annotations

import datetime
import random
import re

import pytest

from apact import generate, match
from apact._core._types import JSON
from apact.consumer._terms import compile_json
from apact.matching._generation import Context, generate_response
from apact.model import Body, HttpResponse, Spec

from ..json_helpers import tree

NOW = datetime.datetime(2026, 3, 4, 5, 6, 7, tzinfo=datetime.timezone.utc)


def written(term: object) -> tuple[object, list[dict[str, JSON]], dict[str, JSON] | None]:
    compiled = compile_json({"v": term}, Spec.V4, "$.body")
    rules = compiled.rules.get("$.v")
    generator = compiled.generators.get("$.v")
    return (
        tree(compiled.example)["v"],
        [m.to_json() for m in rules.matchers] if rules else [],
        generator.to_json() if generator else None,
    )


@pytest.mark.parametrize(
    ("term", "example", "rules", "generator"),
    [
        (generate.integer(), 1, [{"match": "integer"}], {"type": "RandomInt", "min": 0, "max": 2**31 - 1}),
        (generate.integer(10, 20), 10, [{"match": "integer"}], {"type": "RandomInt", "min": 10, "max": 20}),
        (generate.decimal(4), 12.34, [{"match": "decimal"}], {"type": "RandomDecimal", "digits": 4}),
        (
            generate.hexadecimal(6),
            "012345",
            [{"match": "regex", "regex": "^[0-9a-fA-F]+$"}],
            {"type": "RandomHexadecimal", "digits": 6},
        ),
        (generate.string(3), "abc", [{"match": "type"}], {"type": "RandomString", "size": 3}),
        (generate.boolean(), True, [{"match": "boolean"}], {"type": "RandomBoolean"}),
        (
            generate.regex(r"[a-z]{2}\d"),
            None,
            [{"match": "regex", "regex": r"[a-z]{2}\d"}],
            {"type": "Regex", "regex": r"[a-z]{2}\d"},
        ),
        (
            generate.uuid(),
            "e2490de5-5bd3-43d5-b7c4-526e33f71304",
            [{"match": "regex", "regex": "^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$"}],
            {"type": "Uuid", "format": "lower-case-hyphenated"},
        ),
        (
            generate.uuid("urn"),
            "urn:uuid:e2490de5-5bd3-43d5-b7c4-526e33f71304",
            None,
            {"type": "Uuid", "format": "URN"},
        ),
        (
            generate.date(),
            "2024-01-02",
            [{"match": "date", "format": "yyyy-MM-dd"}],
            {"type": "Date", "format": "yyyy-MM-dd"},
        ),
        (
            generate.date("%d/%m/%Y", expression="today + 1 week"),
            "02/01/2024",
            [{"match": "date", "format": "dd/MM/yyyy"}],
            {"type": "Date", "format": "dd/MM/yyyy", "expression": "today + 1 week"},
        ),
        (generate.time("HH:mm"), "03:04", [{"match": "time", "format": "HH:mm"}], {"type": "Time", "format": "HH:mm"}),
        (
            generate.datetime(expression="now - 2 hours"),
            "2024-01-02T03:04:05Z",
            [{"match": "datetime", "format": "yyyy-MM-dd'T'HH:mm:ssXXX"}],
            {"type": "DateTime", "format": "yyyy-MM-dd'T'HH:mm:ssXXX", "expression": "now - 2 hours"},
        ),
        (generate.provider_state("${id}", 42), 42, [], {"type": "ProviderState", "expression": "${id}"}),
        (
            generate.mock_server_url("http://localhost:8080/orders/1001"),
            "http://localhost:8080/orders/1001",
            [{"match": "regex", "regex": ".*(/orders/1001)$"}],
            {"type": "MockServerURL", "example": "http://localhost:8080/orders/1001", "regex": ".*(/orders/1001)$"},
        ),
    ],
    ids=lambda value: getattr(value, "name", None),
)
def test_each_generator_writes_a_fixed_example_its_rule_and_itself(
    term: object, example: object, rules: object, generator: object
) -> None:
    got_example, got_rules, got_generator = written(term)
    if example is not None:
        assert got_example == example
    if rules is not None:
        assert got_rules == rules
    assert got_generator == generator
    assert written(term) == (got_example, got_rules, got_generator)  # stable


def test_a_generator_given_to_a_matcher_keeps_the_matchers_example_and_rule() -> None:
    example, rules, generator = written(match.integer(42, generator=generate.provider_state("${userId}")))
    assert (example, rules, generator) == (
        42,
        [{"match": "integer"}],
        {"type": "ProviderState", "expression": "${userId}"},
    )
    example, rules, generator = written(match.like("Alice", generator=generate.string(8)))
    assert (example, rules, generator) == ("Alice", [{"match": "type"}], {"type": "RandomString", "size": 8})
    with pytest.raises(TypeError, match=r"match\.integer: generator= takes a generate\.\* value, got 5"):
        match.integer(1, generator=5)  # type: ignore[arg-type]


def test_provider_state_as_a_value_needs_an_example() -> None:
    with pytest.raises(ValueError, match=r"\$\.body\.v: generate\.provider_state used as a value needs an example"):
        written(generate.provider_state("${id}"))
    with pytest.raises(ValueError, match=r"expected an expression such as '\$\{id\}', got 'id'"):
        generate.provider_state("id")


def test_bad_arguments_fail_at_once() -> None:
    with pytest.raises(ValueError, match="generate.date: cannot read the date expression 'next tuesday'"):
        generate.date(expression="next tuesday")
    with pytest.raises(
        ValueError, match="must match the example 'http://x/a' and capture the part after the base URL in a group"
    ):
        generate.mock_server_url("http://x/a", r".*/b$")
    with pytest.raises(ValueError, match="generate.hexadecimal: digits must be at least 1"):
        generate.hexadecimal(0)


def test_the_mock_sends_generated_values_that_fit_the_rules() -> None:
    body = {
        "id": generate.uuid(),
        "n": generate.integer(5, 7),
        "hex": generate.hexadecimal(8),
        "code": generate.regex(r"[A-Z]{3}-\d{2}"),
        "tomorrow": generate.date(expression="tomorrow"),
        "self": generate.mock_server_url("http://localhost:8080/orders/1001"),
        "owner": generate.provider_state("${id}", 42),
    }
    compiled = compile_json(body, Spec.V4, "$.body")
    response = HttpResponse(
        200, None, Body.from_json(compiled.example), {"body": compiled.rules}, {"body": compiled.generators}
    )
    context = Context(mode="consumer", mock_server_url="http://127.0.0.1:5000", rng=random.Random(1), now=NOW)
    generated = generate_response(response, context).body
    assert generated is not None
    sent = tree(generated.json())
    assert isinstance(sent, dict)
    assert sent["id"] != tree(compiled.example)["id"] and re.fullmatch(
        "[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", sent["id"]
    )
    assert 5 <= sent["n"] <= 7
    assert re.fullmatch("[0-9A-F]{8}", sent["hex"])
    assert re.fullmatch(r"[A-Z]{3}-\d{2}", sent["code"])
    assert sent["tomorrow"] == "2026-03-05"
    assert sent["self"] == "http://127.0.0.1:5000/orders/1001"
    assert sent["owner"] == 42  # provider-state values are the provider's business


def test_generators_need_v3() -> None:
    from apact.errors import PactWriteError

    with pytest.raises(PactWriteError, match=r"\$\.body\.v: generate\.boolean: generators need spec V3 or later"):
        compile_json({"v": generate.boolean()}, Spec.V2, "$.body")
    assert compile_json({"v": generate.boolean()}, Spec.V3, "$.body").generators["$.v"].type == "RandomBoolean"
