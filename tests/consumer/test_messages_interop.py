"""Interoperability of message pacts with the official pact-python (its Rust core):

* a message pact written by apact (V3; V4 with HTTP interactions, asynchronous and
  synchronous messages) is verified by pact-python's ``Verifier``, which fetches the
  messages over real HTTP from ``Verifier.message_app()`` serving apact producers; a
  producer that renames a field fails it where the pact says;
* message pacts written by pact-python (V3 and V4) verify with apact's producers, and
  the official verifier reaches the same verdicts against the same producers.
"""

from __future__ import annotations

import os

os.environ.setdefault("PACT_DO_NOT_TRACK", "true")  # pact-python phones home otherwise

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio.to_thread
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from apact import Message, Pact, Verifier, match
from apact._core._serve import serve
from apact._core._types import ASGIApp

official = pytest.importorskip(
    "pact", reason="pact-python is not installed: the message interoperability tests need it"
)

pytestmark = [pytest.mark.anyio, pytest.mark.parametrize("anyio_backend", ["asyncio"])]

CONSUMER, PROVIDER = "Shipping", "Orders"


async def write_apact_pact(directory: Path, spec: str) -> Path:
    """The Shipping service's pact with Orders, written by apact."""
    async with Pact(CONSUMER, PROVIDER, pact_dir=directory, spec=spec) as pact:  # type: ignore[arg-type]
        event = (
            pact.expects_to_receive("an order created event")
            .given("an order exists", id=1001, status="pending")
            .with_content(
                {
                    "orderId": match.integer(1001),
                    "total": match.decimal(19.99),
                    "items": match.each_like({"sku": match.regex(r"^SKU-\d+$", "SKU-1"), "qty": match.integer(1)}),
                    "placedAt": match.datetime("2024-03-01T10:00:00Z"),
                }
            )
            .with_metadata(topic="orders", partition=match.integer(3))
        )
        await event.verify(lambda message: None)
        await pact.expects_to_receive("a heartbeat").with_content("ping").verify(lambda message: None)
        if spec == "V4":
            lookup = (
                pact.sync_message("a price lookup")
                .given("the catalogue has product", sku="SKU-1")
                .with_request({"sku": match.regex(r"^SKU-\d+$", "SKU-1")})
                .will_respond_with({"sku": "SKU-1", "price": match.decimal(9.99)}, metadata={"status": "ok"})
            )
            await lookup.send({"sku": "SKU-1"})
            pact.upon_receiving("a request for an order").with_request("GET", "/orders/1001").will_respond_with(
                200, body={"orderId": match.integer(1001)}
            )
            assert (await pact.client.get("/orders/1001")).status_code == 200
    assert pact.file is not None
    return pact.file


async def order(request: Request) -> JSONResponse:
    return JSONResponse({"orderId": int(request.path_params["id"])})


ORDER_ROUTE = Route("/orders/{id:int}", order)


def orders(*, broken: bool) -> Verifier:
    """The Orders provider: its HTTP app, producers and states (``broken``: a field
    renamed, a wrong topic)."""
    verifier = Verifier(PROVIDER, app=Starlette(routes=[ORDER_ROUTE]))

    @verifier.state("an order exists")
    async def order_exists(params: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        yield {"total": 42.5}

    verifier.state("the catalogue has product")(lambda params: None)

    @verifier.message("an order created event")
    async def order_created(params: dict[str, Any]) -> Message:
        event = {
            "orderId": params["id"] + 1,
            "total": params["total"],
            "items": [{"sku": "SKU-77", "qty": 3}, {"sku": "SKU-8", "qty": 1}],
            "placedAt": "2026-11-25T10:11:12Z",
            "source": "providers may add keys",
        }
        if broken:
            event["order_id"] = event.pop("orderId")
        return Message(event, {"topic": "order" if broken else "orders", "partition": 7})

    verifier.message("a heartbeat")(lambda: "ping")

    @verifier.message("a price lookup")
    def price(request: Message) -> Message:
        assert isinstance(request.contents, dict)
        return Message({"sku": request.contents["sku"], "price": 12.25}, {"status": "ok"})

    return verifier


def served_app(verifier: Verifier) -> ASGIApp:
    """The provider's HTTP app, with the message endpoint mounted at /_pact."""
    return Starlette(routes=[ORDER_ROUTE, Mount("/_pact", app=verifier.message_app())])


def official_verify(pact_file: Path, url: str) -> tuple[bool, dict[str, Any], str]:
    verifier = (
        official.Verifier(PROVIDER, host="127.0.0.1")
        .add_transport(url=url)
        .add_transport(protocol="message", port=urlsplit(url).port, path="/_pact/message")
        .state_handler(f"{url}/_pact/state", teardown=True, body=True)
        .add_source(str(pact_file))
    )
    try:
        verifier.verify()
        passed = True
    except RuntimeError:
        passed = False
    return passed, verifier.results, verifier.output(strip_ansi=True)


async def verdicts(
    pact_file: Path, verifier: Verifier
) -> tuple[tuple[bool, dict[str, bool]], tuple[bool, dict[str, bool]], dict[str, Any], str]:
    """The official verifier's verdicts against the served producers, apact's against
    the same producers in-process, the official results and output."""
    async with serve(served_app(verifier)) as url:
        passed, results, output = await anyio.to_thread.run_sync(official_verify, pact_file, url)
    theirs = (passed, {r["description"]: r["result"] == "OK" for r in results["interactionResults"]})
    result = await verifier.verify(pact_file)
    ours = (result.ok, {r.description: r.passed for r in result.interactions})
    return theirs, ours, results, output


@pytest.mark.parametrize("spec", ["V3", "V4"])
async def test_the_official_verifier_accepts_an_apact_message_pact_from_apact_producers(
    tmp_path: Path, spec: str
) -> None:
    pact_file = await write_apact_pact(tmp_path, spec)
    theirs, ours, results, output = await verdicts(pact_file, orders(broken=False))
    assert theirs == ours, output
    assert theirs[0], output
    expected = {"an order created event", "a heartbeat"} | (
        {"a price lookup", "a request for an order"} if spec == "V4" else set()
    )
    assert set(theirs[1]) == expected
    assert results["errors"] == []


async def test_the_official_verifier_rejects_a_producer_that_renamed_a_field(tmp_path: Path) -> None:
    pact_file = await write_apact_pact(tmp_path, "V4")
    theirs, ours, results, output = await verdicts(pact_file, orders(broken=True))
    assert theirs == ours
    assert {d for d, ok in theirs[1].items() if not ok} == {"an order created event"}
    (error,) = results["errors"]
    found = {(m["type"], m.get("path") or m.get("key"), m["mismatch"]) for m in error["mismatch"]["mismatches"]}
    assert {(kind, where) for kind, where, _ in found} == {("BodyMismatch", "$"), ("MetadataMismatch", "topic")}, output
    assert ("BodyMismatch", "$", "Actual map is missing the following keys: orderId") in found


# -- message pacts written by pact-python -----------------------------------------------------------------


def write_pact_python_pact(directory: Path, spec: str) -> Path:
    pact = official.Pact(CONSUMER, PROVIDER).with_specification(spec)
    (
        pact.upon_receiving("an order created event", "Async")
        .given("an order exists", id=1001, status="pending")
        .with_body(
            {
                "orderId": official.match.int(1001),
                "total": official.match.decimal(19.99),
                "items": official.match.each_like(
                    {"sku": official.match.regex("SKU-1", regex=r"^SKU-\d+$"), "qty": official.match.int(1)}
                ),
                "placedAt": official.match.datetime("2024-03-01T10:00:00Z", format="%Y-%m-%dT%H:%M:%SZ"),
            },
            "application/json",
        )
        .with_metadata({"topic": "orders", "partition": official.match.int(3)})
    )
    pact.upon_receiving("a heartbeat", "Async").with_body("ping", "text/plain")
    pact.verify(lambda body, metadata: None, "Async")
    if spec == "V4":
        (
            pact.upon_receiving("a price lookup", "Sync")
            .given("the catalogue has product", sku="SKU-1")
            .with_body({"sku": official.match.regex("SKU-1", regex=r"^SKU-\d+$")}, "application/json")
            .will_respond_with()
            .with_body({"sku": "SKU-1", "price": official.match.decimal(9.99)}, "application/json")
            .with_metadata({"status": "ok"})
        )
        pact.verify(lambda body, metadata: None, "Sync")
    pact.write_file(directory, overwrite=True)
    (written,) = directory.glob("*.json")
    return written


@pytest.mark.parametrize("spec", ["V3", "V4"])
@pytest.mark.parametrize("broken", [False, True], ids=["good", "broken"])
async def test_a_pact_python_message_pact_verifies_with_apact_as_with_the_official_verifier(
    tmp_path: Path, spec: str, broken: bool
) -> None:
    pact_file = write_pact_python_pact(tmp_path, spec)
    theirs, ours, _, output = await verdicts(pact_file, orders(broken=broken))
    assert ours == theirs, output
    assert ours[0] is not broken
    assert len(ours[1]) == (3 if spec == "V4" else 2)
    if broken:
        assert {d for d, ok in ours[1].items() if not ok} == {"an order created event"}
