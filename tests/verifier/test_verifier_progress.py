"""``verify(on_result=...)``: each verdict as it is known, for progress lines."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from verifier_helpers import interaction, pact

from apact.verifier import InteractionResult, Verifier

pytestmark = pytest.mark.anyio


async def test_on_result_reports_every_verdict_with_the_count_done_and_the_total() -> None:
    async def menu(request: Request) -> JSONResponse:
        return JSONResponse({}, status_code=200 if request.path_params["name"] != "broken" else 500)

    verifier = Verifier("Grill Chef", app=Starlette(routes=[Route("/{name}", menu)]), concurrency=2)
    seen: list[tuple[str, str, int, int]] = []

    def on_result(result: InteractionResult, done: int, total: int) -> None:
        seen.append((result.description, result.status, done, total))

    result = await verifier.verify(
        pact(*(interaction(f"a request {n}", f"/{n}") for n in ("soup", "broken", "steak", "salad"))),
        pact(interaction("somebody else's", "/soup"), provider="Butcher"),  # not counted: left out
        description="soup|broken|steak",
        on_result=on_result,
    )
    assert seen[0] == ("a request salad", "skipped", 1, 4)  # left out by the filter: known first
    assert [(done, total) for *_, done, total in seen] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert sorted((d, s) for d, s, *_ in seen) == sorted((r.description, r.status) for r in result.interactions)
    assert ("a request broken", "failed") in [(d, s) for d, s, *_ in seen]
