"""A generator that keeps the example and adds no matching rule (issue 16):
``generate.only(...)``, and ``generate.provider_state``, which never added one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from apact import Pact, generate, match
from apact.consumer._terms import compile_json
from apact.errors import PactWriteError
from apact.model import Spec
from apact.verifier import Verifier

pytestmark = pytest.mark.anyio


def written(term: object) -> tuple[object, list[str], dict[str, Any]]:
    compiled = compile_json({"v": term}, Spec.V4, "$.body")
    return (
        compiled.example["v"],  # type: ignore[index, call-overload]
        sorted(compiled.rules),  # the places that got a rule
        {key: generator.to_json() for key, generator in compiled.generators.items()},
    )


@pytest.mark.parametrize(
    ("term", "example", "generator"),
    [
        (generate.only(generate.integer(1, 9), 5), 5, {"type": "RandomInt", "min": 1, "max": 9}),
        (
            generate.only(generate.uuid()),
            "e2490de5-5bd3-43d5-b7c4-526e33f71304",
            {"type": "Uuid", "format": "lower-case-hyphenated"},
        ),
        (generate.only(generate.date(expression="today + 1 day"), "2026-01-01"), "2026-01-01", None),
        (generate.provider_state("${id}", 7), 7, {"type": "ProviderState", "expression": "${id}"}),
    ],
)
def test_the_example_and_the_generator_are_kept_and_no_rule_is_added(
    term: object, example: object, generator: dict[str, object] | None
) -> None:
    value, rules, generators = written(term)
    assert rules == []
    assert value == example
    if generator is not None:
        assert generators == {"$.v": generator}
    else:
        assert generators["$.v"]["type"] == "Date"


def test_only_takes_a_generator_and_a_plain_example() -> None:
    with pytest.raises(TypeError, match="expected a generate"):
        generate.only(match.integer(1))
    with pytest.raises(TypeError, match="plain value"):
        generate.only(generate.integer(), match.integer(3))
    with pytest.raises(ValueError, match="has no example of its own"):
        generate.only(generate.provider_state("${id}"))


def menu_app(item_id: int) -> Starlette:
    async def menu(request: Request) -> JSONResponse:
        return JSONResponse({"id": item_id, "name": "steak"})

    return Starlette(routes=[Route("/menu/1", menu)])


async def test_the_mock_generates_and_the_verifier_compares_the_example_exactly(tmp_path: Path) -> None:
    async with Pact("Sous Chef", "Grill Chef", pact_dir=tmp_path, spec="V4") as pact:
        (
            pact.upon_receiving("a menu item")
            .with_request("GET", "/menu/1")
            .will_respond_with(200, body={"id": generate.only(generate.integer(100, 199), 5), "name": "steak"})
        )
        answered = (await pact.client.get("/menu/1")).json()
    assert 100 <= answered["id"] <= 199 and answered["name"] == "steak"
    response = json.loads((tmp_path / "Sous Chef-Grill Chef.json").read_text())["interactions"][0]["response"]
    assert response["body"]["content"] == {"id": 5, "name": "steak"}
    assert response["generators"] == {"body": {"$.id": {"type": "RandomInt", "min": 100, "max": 199}}}
    assert "matchingRules" not in response
    pact_file = tmp_path / "Sous Chef-Grill Chef.json"
    exact = await Verifier("Grill Chef", app=menu_app(5)).verify(pact_file)
    other = await Verifier("Grill Chef", app=menu_app(150)).verify(pact_file)
    assert exact.ok, exact.report()
    assert not other.ok
    assert [m.path for m in other.interactions[0].mismatches] == ["$.body.id"]


async def test_a_v2_pact_refuses_it_at_the_line_that_asks() -> None:
    async with Pact("Sous Chef", "Grill Chef", pact_dir=None, spec="V2") as pact:
        builder = pact.upon_receiving("a menu item").with_request("GET", "/menu/1")
        with pytest.raises(PactWriteError, match=r"\$\.response\.body\.id: generate\.only: generators need spec V3"):
            builder.will_respond_with(200, body={"id": generate.only(generate.integer(), 5)})
        builder.will_respond_with(200, body={"id": 5})
        await pact.client.get("/menu/1")
