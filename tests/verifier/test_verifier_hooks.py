"""What the command line and the pytest plugin use: ``verify(on_result=...)`` (each
verdict as it is known, for progress lines), the summary table, one interaction's
failure text."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from apact.examples import GRILL_CHEF_PACT
from apact.verifier import InteractionResult, Verifier
from apact.verifier._report import interaction_text

from .verifier_helpers import interaction, pact

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


def grill_chef(waiting_time: object) -> Starlette:
    return Starlette(
        routes=[
            Route(
                "/steaks/",
                lambda request: JSONResponse({"waitingTime": waiting_time}, status_code=201),
                methods=["POST"],
            )
        ]
    )


async def test_the_report_can_end_with_a_table_of_counts_per_pact() -> None:
    verifier = Verifier("Grill Chef", app=grill_chef(10), ignore_missing_states=True)
    other = pact(interaction("a request for a menu", "/menu"), consumer="Line Cook")
    result = await verifier.verify(GRILL_CHEF_PACT, other)
    lines = result.report(table=True).splitlines()
    assert lines[-6:-1] == [
        "  pact                     passed  failed  pending  skipped",
        "  Sous Chef -> Grill Chef       1       1        0        0",  # it refuses well-done steaks: not this app
        "  Line Cook -> Grill Chef       0       1        0        0",
        "  total                         1       2        0        0",
        "",
    ]
    assert lines[-1].startswith("3 interactions: 1 passed, 2 failed")
    assert "pact    " not in result.report()


async def test_one_interactions_failure_reads_as_in_the_report_with_its_pact() -> None:
    verifier = Verifier("Grill Chef", app=grill_chef("ten"), ignore_missing_states=True)
    result = await verifier.verify(GRILL_CHEF_PACT)
    text = interaction_text(result.pacts[0], result.interactions[0])
    assert text.splitlines()[:4] == [
        "Sous Chef -> Grill Chef: a request for a medium-rare steak",
        "   given steaks are available",
        "   request: POST /steaks/",
        '   $.body.waitingTime: expected an integer (like 10), got "ten" (string)',
    ]
    assert text.endswith(f"   pact: {GRILL_CHEF_PACT}")
