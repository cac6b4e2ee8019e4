"""Generators: fresh values in the right places, in the right mode."""

from __future__ import annotations

import datetime
import json
import random
import re
import uuid
from typing import Any

import pytest

from apact import _javatime
from apact._core._types import JSON
from apact.errors import GenerationError
from apact.matching._generation import (
    Context,
    generate_message,
    generate_request,
    generate_response,
    generate_value,
    provider_state_value,
    shift,
)
from apact.model import Generator, Spec
from apact.pact._parse import parse_message, parse_request, parse_response

from ..json_helpers import tree

NOW = datetime.datetime(2026, 1, 31, 10, 30, 0, tzinfo=datetime.timezone.utc)


def context(mode: str = "consumer", **kwargs: object) -> Context:
    return Context(mode=mode, rng=random.Random(7), now=NOW, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("generator", "check"),
    [
        ({"type": "RandomInt", "min": 5, "max": 9}, lambda v: isinstance(v, int) and 5 <= v <= 9),
        ({"type": "RandomDecimal", "digits": 6}, lambda v: isinstance(v, float) and len(str(v).replace(".", "")) <= 6),
        ({"type": "RandomHexadecimal", "digits": 8}, lambda v: re.fullmatch("[0-9A-F]{8}", v)),
        ({"type": "RandomString", "size": 12}, lambda v: re.fullmatch("[A-Za-z0-9]{12}", v)),
        ({"type": "RandomBoolean"}, lambda v: isinstance(v, bool)),
        ({"type": "Regex", "regex": "[A-Z]{3}-\\d{2}"}, lambda v: re.fullmatch("[A-Z]{3}-[0-9]{2}", v)),
        ({"type": "Uuid"}, lambda v: str(uuid.UUID(v)) == v),
        ({"type": "Uuid", "format": "simple"}, lambda v: re.fullmatch("[0-9a-f]{32}", v)),
        ({"type": "Uuid", "format": "URN"}, lambda v: v.startswith("urn:uuid:")),
        ({"type": "Date", "format": "dd/MM/yyyy"}, lambda v: v == "31/01/2026"),
        ({"type": "Date"}, lambda v: v == "2026-01-31"),
        ({"type": "Time", "format": "HH:mm"}, lambda v: v == "10:30"),
        ({"type": "DateTime", "format": "yyyy-MM-dd'T'HH:mm:ssXXX"}, lambda v: v == "2026-01-31T10:30:00Z"),
        ({"type": "Date", "expression": "today + 1 month", "format": "yyyy-MM-dd"}, lambda v: v == "2026-02-28"),
    ],
)
def test_each_generator(generator: dict[str, Any], check: object) -> None:
    kind = generator.pop("type")
    value = generate_value(Generator(kind, generator), None, context())
    assert check(value), value  # type: ignore[operator]


@pytest.mark.parametrize("digits", [2, 3, 6, 10])
def test_a_random_decimal_has_all_its_digits_and_hexadecimal_is_upper_case(digits: int) -> None:
    """As the official core makes them (measured by
    tests/fixtures/pact-python/differential_generators.py): ``digits`` digits, none of
    them lost as a leading or trailing zero of the number; hexadecimal digits in upper
    case."""
    for seed in range(300):
        made = Context(mode="consumer", rng=random.Random(seed), now=NOW)
        value = generate_value(Generator("RandomDecimal", {"digits": digits}), None, made)
        assert isinstance(value, float) and "." in json.dumps(value), value
        assert len(json.dumps(value).replace(".", "")) == digits, value
        hexadecimal = generate_value(Generator("RandomHexadecimal", {"digits": digits}), None, made)
        assert re.fullmatch(f"[0-9A-F]{{{digits}}}", str(hexadecimal)), hexadecimal


def test_date_expressions() -> None:
    assert shift(NOW, "tomorrow") == NOW + datetime.timedelta(days=1)
    assert shift(NOW, "now - 2 hours + 30 minutes") == NOW - datetime.timedelta(minutes=90)
    assert shift(NOW, "+1 year").year == 2027
    with pytest.raises(GenerationError, match="cannot read the date expression 'next blue moon'"):
        shift(NOW, "next blue moon")


def test_provider_state_expressions_keep_types_or_interpolate() -> None:
    values: dict[str, JSON] = {"id": 42, "user": {"name": "Mary"}}
    assert provider_state_value("${id}", values) == 42
    assert provider_state_value("/users/${id}/${user.name}", values) == "/users/42/Mary"
    with pytest.raises(GenerationError, match="the provider state gave no value for 'missing'.*values given: id, user"):
        provider_state_value("${missing}", values)


def test_request_generators_run_on_the_provider_side_only_with_state_values() -> None:
    request = parse_request(
        {
            "method": "GET",
            "path": "/orders/1",
            "query": {"page": ["1"]},
            "headers": {"X-Id": "0"},
            "body": {"items": [{"id": 0}, {"id": 0}], "ref": "x"},
            "generators": {
                "path": {"type": "ProviderState", "expression": "/orders/${orderId}"},
                "query": {"page": {"type": "RandomInt", "min": 2, "max": 2}},
                "header": {"X-Id": {"type": "ProviderState", "expression": "${orderId}"}},
                "body": {
                    "$.items[*].id": {"type": "RandomInt", "min": 7, "max": 7},
                    "$.ref": {"type": "ProviderState", "expression": "${orderId}"},
                },
            },
        },
        Spec.V3,
    )
    generated = generate_request(request, context("provider", provider_state={"orderId": 99}))
    assert generated.path == "/orders/99"
    assert generated.query == {"page": ["2"]}
    assert generated.headers == {"X-Id": ["99"]}
    assert generated.body is not None and generated.body.json() == {"items": [{"id": 7}, {"id": 7}], "ref": 99}
    assert request.body is not None and tree(request.body.json())["ref"] == "x"  # the pact itself is untouched


def test_response_generators_on_the_consumer_side() -> None:
    response = parse_response(
        {
            "status": 201,
            "headers": {"Location": "http://localhost:1234/orders/5"},
            "body": {"id": 5, "at": "2000-01-01", "link": "http://localhost:1234/orders/5"},
            "generators": {
                "body": {
                    "$.id": {"type": "RandomInt", "min": 100, "max": 100},
                    "$.at": {"type": "Date"},
                    "$.link": {
                        "type": "MockServerURL",
                        "regex": ".*/(orders/\\d+)$",
                        "example": "http://localhost:1234/orders/5",
                    },
                },
                "header": {"Location": {"type": "MockServerURL", "regex": ".*/(orders/\\d+)$"}},
            },
        },
        Spec.V3,
    )
    generated = generate_response(response, context(mock_server_url="http://127.0.0.1:5555"))
    assert generated.body is not None
    assert generated.body.json() == {"id": 100, "at": "2026-01-31", "link": "http://127.0.0.1:5555/orders/5"}
    assert generated.headers == {"Location": ["http://127.0.0.1:5555/orders/5"]}
    expected = generate_response(response, context("provider", provider_state={}), expected=True)
    assert expected is response  # nothing runs in an expected response but ProviderState


def test_message_generators() -> None:
    message = parse_message(
        {
            "contents": {"at": "x"},
            "metadata": {"key": "k"},
            "generators": {
                "body": {"$.at": {"type": "Time", "format": "HH:mm"}},
                "metadata": {"key": {"type": "RandomString", "size": 3}},
            },
        },
        Spec.V3,
    )
    generated = generate_message(message, context())
    assert generated.contents is not None and generated.contents.json() == {"at": "10:30"}
    assert isinstance(generated.metadata["key"], str) and len(generated.metadata["key"]) == 3


def test_generated_dates_match_their_own_format() -> None:
    fmt = "EEE, dd MMM yyyy HH:mm:ss z"
    value = generate_value(Generator("DateTime", {"format": fmt}), None, context())
    assert isinstance(value, str) and _javatime.parse_pattern(fmt).matches(value)
