"""Pacticipant labels, as the official Pact Broker has them, on SQLite and PostgreSQL: the
store, the HTTP API over real HTTP (``PUT``/``GET``/``DELETE
/pacticipants/{p}/labels/{label}``, ``GET /pacticipants/label/{label}``, the labels
embedded in a pacticipant and its ``pb:label`` link), who may change them, and the
``${pactbroker.consumerLabels}``/``providerLabels`` of a webhook fired at a real server."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from apact._core._serve import serve
from apact.broker_server import create_app
from apact.broker_server._store import Store


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # the store is the subject here, not the event loop


# the store


def test_labels_are_added_once_listed_by_name_and_deleted(store: Store) -> None:
    with store.transaction() as tx:
        web, api = tx.add_pacticipant("Web"), tx.add_pacticipant("Api")
        first, created = tx.add_label(web.id, "team-b")
        assert (first.pacticipant_id, first.name, created) == (web.id, "team-b", True)
        again, created_again = tx.add_label(web.id, "team-b")
        assert (again, created_again) == (first, False)  # the same label, not a second one
        tx.add_label(web.id, "mobile")
        tx.add_label(api.id, "mobile")
    with store.transaction() as tx:
        assert [label.name for label in tx.labels(web.id)] == ["mobile", "team-b"]
        assert [p.name for p in tx.labelled("mobile")] == ["Api", "Web"]
        assert [p.name for p in tx.labelled("team-b")] == ["Web"]
        assert tx.labelled("Mobile") == []  # names are exact, as the official broker's by default
        assert tx.delete_label(web.id, "mobile") is True
        assert tx.delete_label(web.id, "mobile") is False
        assert [label.name for label in tx.labels(web.id)] == ["team-b"]
        assert [p.name for p in tx.labelled("mobile")] == ["Api"]


def test_deleting_a_pacticipant_deletes_its_labels(store: Store) -> None:
    with store.transaction() as tx:
        web = tx.add_pacticipant("Web")
        tx.add_label(web.id, "mobile")
        tx.delete_pacticipant(web.id)
    with store.transaction() as tx:
        assert tx.labelled("mobile") == []
        again = tx.add_pacticipant("Web")  # a new pacticipant of the same name starts bare
        assert tx.labels(again.id) == []


# the HTTP API, over real HTTP


@asynccontextmanager
async def broker_over_http(store: Store, **options: Any) -> AsyncIterator[tuple[str, httpx.AsyncClient]]:
    async with serve(create_app(store, **options)) as url, httpx.AsyncClient(base_url=url, timeout=30) as client:
        yield url, client


@pytest.mark.anyio
async def test_labels_through_the_api(store: Store) -> None:
    async with broker_over_http(store) as (url, client):
        assert (await client.get("/pacticipants/Web/labels/mobile")).status_code == 404  # no such pacticipant

        created = await client.put("/pacticipants/Web/labels/mobile", json={})
        assert created.status_code == 201, created.text  # and the pacticipant with it
        assert created.headers["location"] == f"{url}/pacticipants/Web/labels/mobile"
        body = created.json()
        assert body["name"] == "mobile" and body["createdAt"] and body["updatedAt"]
        assert body["_links"]["self"] == {
            "href": f"{url}/pacticipants/Web/labels/mobile",
            "title": "Label",
            "name": "mobile",
        }
        assert body["_links"]["pacticipant"] == {
            "href": f"{url}/pacticipants/Web",
            "title": "Pacticipant",
            "name": "Web",
        }

        again = await client.put("/pacticipants/Web/labels/mobile")  # no body, as the official client may send
        assert again.status_code == 200 and "location" not in again.headers
        assert again.json()["createdAt"] == body["createdAt"]
        assert (await client.put("/pacticipants/Web/labels/team%20a")).status_code == 201
        assert (await client.put("/pacticipants/Api/labels/mobile")).status_code == 201

        fetched = await client.get("/pacticipants/Web/labels/mobile")
        assert fetched.status_code == 200 and fetched.json() == body

        web = (await client.get("/pacticipants/Web")).json()
        assert [(label["name"], label["_links"]["self"]["href"]) for label in web["_embedded"]["labels"]] == [
            ("mobile", f"{url}/pacticipants/Web/labels/mobile"),
            ("team a", f"{url}/pacticipants/Web/labels/team%20a"),
        ]
        assert web["_links"]["pb:label"] == {
            "href": f"{url}/pacticipants/Web/labels/{{label}}",
            "title": "Get, create or delete a label for Web",
            "templated": True,
        }
        assert (await client.put("/pacticipants/Bare")).status_code == 201
        assert (await client.get("/pacticipants/Bare")).json()["_embedded"]["labels"] == []

        mobile = await client.get("/pacticipants/label/mobile")
        assert mobile.status_code == 200
        assert [p["name"] for p in mobile.json()["_embedded"]["pacticipants"]] == ["Api", "Web"]
        assert mobile.json()["_links"]["self"]["href"] == f"{url}/pacticipants/label/mobile"
        assert (await client.get("/pacticipants/label/nobody")).json()["_embedded"]["pacticipants"] == []

        assert (await client.delete("/pacticipants/Web/labels/mobile")).status_code == 204
        assert (await client.delete("/pacticipants/Web/labels/mobile")).status_code == 404
        assert (await client.get("/pacticipants/Web/labels/mobile")).status_code == 404
        assert [p["name"] for p in (await client.get("/pacticipants/label/mobile")).json()["pacticipants"]] == ["Api"]

        assert (await client.delete("/pacticipants/Web")).status_code == 204
        assert (await client.get("/pacticipants/label/team%20a")).json()["pacticipants"] == []


@pytest.mark.anyio
async def test_a_pacticipant_named_label_keeps_its_own_resources(store: Store) -> None:
    async with broker_over_http(store) as (_, client):
        assert (await client.put("/pacticipants/label/versions/1.0.0", json={})).status_code == 201
        listed = await client.get("/pacticipants/label/versions")
        assert [v["number"] for v in listed.json()["_embedded"]["versions"]] == ["1.0.0"]


@pytest.mark.anyio
async def test_a_read_only_user_reads_labels_and_cannot_change_them(store: Store) -> None:
    credentials = {"username": "chef", "password": "grill", "read_only_username": "guest", "read_only_password": "look"}
    async with broker_over_http(store, **credentials) as (_, client):
        writer, reader = httpx.BasicAuth("chef", "grill"), httpx.BasicAuth("guest", "look")
        assert (await client.put("/pacticipants/Web/labels/mobile", auth=reader)).status_code == 403
        assert (await client.put("/pacticipants/Web/labels/mobile")).status_code == 401
        assert (await client.put("/pacticipants/Web/labels/mobile", auth=writer)).status_code == 201
        assert (await client.delete("/pacticipants/Web/labels/mobile", auth=reader)).status_code == 403
        assert (await client.get("/pacticipants/Web/labels/mobile", auth=reader)).status_code == 200
        listed = await client.get("/pacticipants/label/mobile", auth=reader)
        assert [p["name"] for p in listed.json()["pacticipants"]] == ["Web"]
        assert (await client.delete("/pacticipants/Web/labels/mobile", auth=writer)).status_code == 204


# webhooks


@pytest.mark.anyio
async def test_a_webhook_sends_the_pacticipants_labels(store: Store) -> None:
    """At a real HTTP server: the labels joined by ", " as the official broker's
    ``pacticipant.labels.collect(&:name).join(", ")``, by name."""
    received: list[Any] = []
    arrived = anyio.Event()

    async def hook(request: Request) -> Response:
        received.append(json.loads(await request.body()))
        arrived.set()
        return Response("thanks")

    target = Starlette(routes=[Route("/hook", hook, methods=["POST"])])
    options = {"webhook_schemes": ("http",), "webhook_hosts": ("127.0.0.1",)}
    async with serve(target) as target_url, broker_over_http(store, **options) as (_, client):
        for path in ("Web/labels/team-a", "Web/labels/mobile", "Api/labels/backend"):
            assert (await client.put(f"/pacticipants/{path}")).status_code == 201
        assert (await client.put("/pacticipants/Bare")).status_code == 201
        webhook = {
            "events": [{"name": "contract_published"}],
            "request": {
                "method": "POST",
                "url": f"{target_url}/hook",
                "headers": {"Content-Type": "application/json"},
                "body": {"consumer": "${pactbroker.consumerLabels}", "provider": "${pactbroker.providerLabels}"},
            },
        }
        assert (await client.post("/webhooks", json=webhook)).status_code == 201
        for consumer, provider in (("Web", "Api"), ("Bare", "Api")):
            document = {
                "consumer": {"name": consumer},
                "provider": {"name": provider},
                "interactions": [
                    {"description": "a request", "request": {"method": "GET", "path": "/"}, "response": {"status": 200}}
                ],
            }
            published = await client.post(
                "/contracts/publish",
                json={
                    "pacticipantName": consumer,
                    "pacticipantVersionNumber": "1.0.0",
                    "contracts": [
                        {
                            "consumerName": consumer,
                            "providerName": provider,
                            "specification": "pact",
                            "contentType": "application/json",
                            "content": base64.b64encode(json.dumps(document).encode()).decode(),
                        }
                    ],
                },
            )
            assert published.status_code == 200, published.text
            with anyio.fail_after(20):
                await arrived.wait()
            arrived = anyio.Event()
    assert received == [
        {"consumer": "mobile, team-a", "provider": "backend"},
        {"consumer": "", "provider": "backend"},  # no labels: empty, as the official broker
    ]
