"""Webhooks that fire: at a real HTTP server the test starts on loopback (allowed
explicitly), after the triggering response, with retries, logs and the refusal of
addresses a webhook may not reach; on SQLite and PostgreSQL (the ``store`` and
``database`` fixtures). Left on SQLite alone, as what they test happens before or beside
the store: the refusals when saved and at start (nothing is stored), the huge and
dripping responses and HTTPS (what the webhook's HTTP client reads and checks)."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from anyio.streams.tls import TLSStream
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from apact._core._serve import serve as serving
from apact.broker_server import SqliteStore, create_app
from apact.broker_server._store import Store
from apact.cli._broker_server import add_arguments, webhook_options

from .test_api import BASE, contracts, pact

pytestmark = pytest.mark.anyio

VARIABLES = (
    "pactUrl", "verificationResultUrl", "consumerName", "providerName", "consumerVersionNumber",
    "providerVersionNumber", "consumerVersionTags", "providerVersionTags", "consumerVersionBranch",
    "providerVersionBranch", "consumerLabels", "providerLabels", "githubVerificationStatus",
    "bitbucketVerificationStatus", "eventName", "buildUrl",
)  # fmt: skip


@dataclass
class Receiver:
    """A real HTTP server recording what webhooks send it."""

    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # answered in turn, then 200
    gate: anyio.Event | None = None  # when set, each request waits for it
    arrived: anyio.Event = field(default_factory=anyio.Event)
    answer: Response | None = None  # instead of "thanks"

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        self.received.append(
            {
                "method": request.method,
                "path": request.url.path,
                "query": request.url.query,
                "headers": dict(request.headers),
                "body": json.loads(body) if body.startswith(b"{") else body.decode(),
            }
        )
        self.arrived.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.answer is not None:
            return self.answer
        return Response("thanks", self.statuses.pop(0) if self.statuses else 200)


@asynccontextmanager
async def receiver(**options: Any) -> AsyncIterator[Receiver]:
    found = Receiver(**options)
    app = Starlette(routes=[Route("/{path:path}", found.handle, methods=["GET", "POST", "PUT"])])
    async with serving(app) as url:
        found.url = url
        yield found


def broker_app(store: Store | None = None, **options: Any) -> Starlette:
    settings: dict[str, Any] = {
        "webhook_schemes": ("http",),
        "webhook_hosts": ("127.0.0.1",),
        "webhook_retry_schedule": (0.05, 0.05),
        **options,
    }
    return create_app(store or SqliteStore(), **settings)


@asynccontextmanager
async def running(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """The broker in-process with its lifespan running (which runs the webhooks)."""
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
            yield client


async def until(condition: Callable[[], Awaitable[bool]], what: str, timeout: float = 20) -> None:
    """Poll ``condition`` until it holds; fail after ``timeout`` seconds."""
    with anyio.move_on_after(timeout):
        while not await condition():
            await anyio.sleep(0.02)
        return
    raise AssertionError(f"timed out waiting for {what}")


def calls(target: Receiver, count: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return len(target.received) >= count

    return check


def hook(url: str, *events: str, **extra: Any) -> dict[str, Any]:
    body = {name: f"${{pactbroker.{name}}}" for name in VARIABLES}
    return {
        "description": "tell CI",
        "events": [{"name": event} for event in events],
        "request": {
            "method": "POST",
            "url": url + "/build?consumer=${pactbroker.consumerName}&unknown=${pactbroker.nope}",
            "headers": {"Content-Type": "application/json", "X-Provider": "${pactbroker.providerName}"},
            "body": body,
        },
        **extra,
    }


async def created(client: httpx.AsyncClient, body: dict[str, Any]) -> str:
    response = await client.post("/webhooks", json=body)
    assert response.status_code == 201, response.text
    href: str = response.json()["_links"]["self"]["href"]
    return href.rsplit("/", 1)[1]


async def test_publishing_fires_published_and_content_changed_with_the_variables_expanded(store: Store) -> None:
    async with receiver() as target, running(broker_app(store)) as client:
        await created(client, hook(target.url, "contract_published", "contract_content_changed"))
        first = contracts(pact(), "1.0.0", branch="main", tags=["dev"], buildUrl="https://ci/1")
        assert (await client.post("/contracts/publish", json=first)).status_code == 200

        await until(calls(target, 2), "two webhook calls")
        served = (await client.get("/pacts/provider/Grill%20Chef/consumer/Sous%20Chef/version/1.0.0")).json()
        triggered = await client.get(served["_links"]["pb:triggered-webhooks"]["href"])
        names = sorted(t["eventName"] for t in triggered.json()["_embedded"]["triggeredWebhooks"])
        assert names == ["contract_content_changed", "contract_published"]
        by_event = {r["body"]["eventName"]: r for r in target.received}
        assert set(by_event) == {"contract_published", "contract_content_changed"}
        call = by_event["contract_content_changed"]
        assert call["path"] == "/build"
        assert call["query"] == "consumer=Sous+Chef&unknown=${pactbroker.nope}"  # unknown: left as written
        assert call["headers"]["x-provider"] == "Grill Chef"
        sha_url = f"{BASE}/pacts/provider/Grill%20Chef/consumer/Sous%20Chef/pact-version/"
        assert call["body"]["pactUrl"].startswith(sha_url)
        assert {k: v for k, v in call["body"].items() if k != "pactUrl"} == {
            "verificationResultUrl": "",
            "consumerName": "Sous Chef",
            "providerName": "Grill Chef",
            "consumerVersionNumber": "1.0.0",
            "providerVersionNumber": "",
            "consumerVersionTags": "dev",
            "providerVersionTags": "",
            "consumerVersionBranch": "main",
            "providerVersionBranch": "",
            "consumerLabels": "",
            "providerLabels": "",
            "githubVerificationStatus": "pending",
            "bitbucketVerificationStatus": "INPROGRESS",
            "eventName": "contract_content_changed",
            "buildUrl": "https://ci/1",
        }

        # the same content from the next version (same tag): published, not changed
        same = contracts(pact(), "1.0.1", tags=["dev"])
        assert (await client.post("/contracts/publish", json=same)).status_code == 200
        await until(calls(target, 3), "a third call")
        # different content: both again
        changed = contracts(pact("Sous Chef", "Grill Chef", "a request for a burger"), "1.0.2", tags=["dev"])
        assert (await client.post("/contracts/publish", json=changed)).status_code == 200
        await until(calls(target, 5), "two more calls")
        events = [(r["body"]["consumerVersionNumber"], r["body"]["eventName"]) for r in target.received]
        assert sorted(events[2:]) == [
            ("1.0.1", "contract_published"),
            ("1.0.2", "contract_content_changed"),
            ("1.0.2", "contract_published"),
        ]


async def test_a_new_tag_is_a_content_change_and_put_publishes_fire_too(store: Store) -> None:
    async with receiver() as target, running(broker_app(store)) as client:
        await created(client, hook(target.url, "contract_content_changed"))
        assert (await client.post("/contracts/publish", json=contracts(pact(), "1", tags=["dev"]))).status_code == 200

        async def one() -> bool:
            return len(target.received) >= 1

        await until(one, "one call")  # webhooks run concurrently: one at a time keeps their order
        assert (await client.post("/contracts/publish", json=contracts(pact(), "2", tags=["prod"]))).status_code == 200
        both = contracts(pact(), "2.5", tags=["dev", "prod"])  # each tag's previous version had this content
        assert (await client.post("/contracts/publish", json=both)).status_code == 200
        put = await client.put("/pacts/provider/Grill%20Chef/consumer/Sous%20Chef/version/3", json=pact())
        assert put.status_code == 201  # untagged, same content as the previous version: no change

        async def two() -> bool:
            return len(target.received) >= 2

        await until(two, "two calls")
        changed = await client.put(
            "/pacts/provider/Grill%20Chef/consumer/Sous%20Chef/version/4", json=pact("Sous Chef", "Grill Chef", "x")
        )
        assert changed.status_code == 201

        async def three() -> bool:
            return len(target.received) >= 3

        await until(three, "a third call")
        assert [r["body"]["consumerVersionNumber"] for r in target.received] == ["1", "2", "4"]
        assert [r["body"]["consumerVersionTags"] for r in target.received] == ["dev", "prod", ""]


async def test_verification_results_fire_published_and_succeeded_or_failed(store: Store) -> None:
    async with receiver() as target, running(broker_app(store)) as client:
        await created(
            client,
            hook(
                target.url,
                "provider_verification_published",
                "provider_verification_succeeded",
                "provider_verification_failed",
            ),
        )
        assert (await client.post("/contracts/publish", json=contracts(pact(), "1.0.0"))).status_code == 200
        links = (await client.get("/pacts/provider/Grill%20Chef/consumer/Sous%20Chef/latest")).json()["_links"]
        publish_url = links["pb:publish-verification-results"]["href"]
        await client.put("/pacticipants/Grill%20Chef/branches/main/versions/7.0.0", json={})
        ok = {"success": True, "providerApplicationVersion": "7.0.0", "buildUrl": "https://ci/verify/7"}
        verified = await client.post(publish_url, json=ok)
        assert verified.status_code == 201
        failed = await client.post(publish_url, json={"success": False, "providerApplicationVersion": "7.0.1"})
        assert failed.status_code == 201

        async def four() -> bool:
            return len(target.received) >= 4

        await until(four, "four calls")
        seen = sorted(
            (r["body"]["providerVersionNumber"], r["body"]["eventName"], r["body"]["githubVerificationStatus"])
            for r in target.received
        )
        assert seen == [
            ("7.0.0", "provider_verification_published", "success"),
            ("7.0.0", "provider_verification_succeeded", "success"),
            ("7.0.1", "provider_verification_failed", "failure"),
            ("7.0.1", "provider_verification_published", "failure"),
        ]
        success = next(r["body"] for r in target.received if r["body"]["eventName"].endswith("succeeded"))
        assert success["verificationResultUrl"] == verified.headers["location"]
        assert (success["providerVersionBranch"], success["buildUrl"]) == ("main", "https://ci/verify/7")
        assert (success["bitbucketVerificationStatus"], success["consumerVersionNumber"]) == ("SUCCESSFUL", "1.0.0")
        # linked from the verification result: its triggered webhooks and their logs
        triggered_url = verified.headers["location"] + "/triggered-webhooks"

        async def done() -> bool:
            found = (await client.get(triggered_url)).json()["_embedded"]["triggeredWebhooks"]
            return len(found) == 2 and all(t["status"] == "success" for t in found)

        await until(done, "the verification's webhooks to succeed")


async def test_contract_requiring_verification_fires_once_per_provider_version_missing_a_result(store: Store) -> None:
    """The latest main-branch provider version and each deployed one, until it has verified the content."""
    async with receiver() as target, running(broker_app(store)) as client:
        for number in ("6", "7"):
            assert (await client.put(f"/pacticipants/Grill%20Chef/branches/main/versions/{number}", json={})).is_success
        environment = await client.post("/environments", json={"name": "production", "production": True})
        uuid = environment.json()["uuid"]
        deployed = await client.post(
            f"/pacticipants/Grill%20Chef/versions/6/deployed-versions/environment/{uuid}", json={}
        )
        assert deployed.status_code == 201, deployed.text
        await created(client, hook(target.url, "contract_requiring_verification_published"))
        assert (await client.post("/contracts/publish", json=contracts(pact(), "1"))).status_code == 200
        await until(calls(target, 2), "a call per provider version")
        versions = sorted(
            (r["body"]["providerVersionNumber"], r["body"]["providerVersionBranch"]) for r in target.received
        )
        assert versions == [("6", "main"), ("7", "main")]
        assert {r["body"]["eventName"] for r in target.received} == {"contract_requiring_verification_published"}
        pact_url = target.received[0]["body"]["pactUrl"]
        verified = await client.post(
            pact_url + "/verification-results", json={"success": True, "providerApplicationVersion": "7"}
        )
        assert verified.status_code == 201
        assert (await client.post("/contracts/publish", json=contracts(pact(), "2"))).status_code == 200
        second = "/pacts/provider/Grill%20Chef/consumer/Sous%20Chef/version/2/triggered-webhooks"
        assert len((await client.get(second)).json()["_embedded"]["triggeredWebhooks"]) == 1  # recorded with it
        await until(calls(target, 3), "the call for the version still missing a result")
        assert target.received[2]["body"]["providerVersionNumber"] == "6"
        assert target.received[2]["body"]["consumerVersionNumber"] == "2"


async def test_consumer_and_provider_filters_apply(store: Store) -> None:
    async with receiver() as target, running(broker_app(store)) as client:
        for name in ("Pastry%20Chef", "Grill%20Chef"):
            await client.put(f"/pacticipants/{name}", json={})
        await created(client, hook(target.url, "contract_published", consumer={"name": "Pastry Chef"}))
        await created(client, hook(target.url + "/grill", "contract_published", provider={"name": "Grill Chef"}))
        assert (await client.post("/contracts/publish", json=contracts(pact(), "1"))).status_code == 200

        async def one() -> bool:
            return len(target.received) >= 1

        await until(one, "the provider's webhook")
        # the consumer-filtered one was not triggered at all (nothing recorded for it)
        listed = (
            await client.get("/pacts/provider/Grill%20Chef/consumer/Sous%20Chef/version/1/triggered-webhooks")
        ).json()
        assert len(listed["_embedded"]["triggeredWebhooks"]) == 1
        assert [r["path"] for r in target.received] == ["/grill/build"]


async def test_label_filters_fire_for_the_pacticipants_with_the_label(store: Store) -> None:
    """``{"label": ...}`` takes every pacticipant with the label at the time of the event
    (labelled after the webhook was made, unlabelled before the next publish); with a
    name as well, both must hold."""
    async with receiver() as target, running(broker_app(store)) as client:
        assert (await client.put("/pacticipants/Pastry%20Chef", json={})).status_code in (200, 201)
        await created(client, hook(target.url + "/grills", "contract_published", provider={"label": "grill"}))
        await created(client, hook(target.url + "/web", "contract_published", consumer={"label": "web"}))
        await created(
            client,
            hook(target.url + "/both", "contract_published", consumer={"name": "Pastry Chef", "label": "web"}),
        )
        for name in ("Grill%20Chef", "Oven"):
            assert (await client.put(f"/pacticipants/{name}/labels/grill")).status_code == 201
        assert (await client.put("/pacticipants/Sous%20Chef/labels/web")).status_code == 201

        async def published(consumer: str, provider: str, version: str) -> list[str]:
            """The paths the publication's webhooks called: as many as it triggered."""
            before = len(target.received)
            answer = await client.post("/contracts/publish", json=contracts(pact(consumer, provider), version))
            assert answer.status_code == 200, answer.text
            where = f"/pacts/provider/{provider}/consumer/{consumer}/version/{version}/triggered-webhooks"
            triggered = (await client.get(where.replace(" ", "%20"))).json()["_embedded"]["triggeredWebhooks"]
            await until(calls(target, before + len(triggered)), f"the webhook calls for {consumer} {version}")
            return sorted(r["path"] for r in target.received[before:])

        assert await published("Sous Chef", "Grill Chef", "1") == ["/grills/build", "/web/build"]
        assert await published("Sous Chef", "Oven", "2") == ["/grills/build", "/web/build"]
        # Pastry Chef has no label yet: only the provider's label fires
        assert await published("Pastry Chef", "Oven", "1") == ["/grills/build"]
        assert (await client.put("/pacticipants/Pastry%20Chef/labels/web")).status_code == 201
        assert (await client.delete("/pacticipants/Oven/labels/grill")).status_code in (200, 204)
        assert await published("Pastry Chef", "Oven", "2") == ["/both/build", "/web/build"]


async def test_a_filter_must_name_a_pacticipant_or_a_label_as_text(store: Store) -> None:
    async with running(broker_app(store)) as client:
        for party in ({}, {"label": ["web"]}, {"name": 5}, {"label": ""}, "web"):
            answer = await client.post(
                "/webhooks", json=hook("http://127.0.0.1:9", "contract_published", consumer=party)
            )
            assert answer.status_code == 400, party
            assert "consumer" in answer.json()["errors"], answer.text


@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_the_publish_response_arrives_before_the_webhook_call_completes(store: Store) -> None:
    """The receiving server holds the webhook call until the test has the publish
    response (over real HTTP): had the broker waited for the webhook, this would hang."""
    gate = anyio.Event()
    async with receiver(gate=gate) as target:
        app = broker_app(store)
        async with serving(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as client:
            await created(client, hook(target.url, "contract_published"))
            with anyio.fail_after(20):
                published = await client.post("/contracts/publish", json=contracts(pact(), "1"))
            assert published.status_code == 200
            with anyio.fail_after(20):
                await target.arrived.wait()  # the webhook was made, after the response
            triggered = "/pacts/provider/Grill%20Chef/consumer/Sous%20Chef/version/1/triggered-webhooks"
            statuses = [t["status"] for t in (await client.get(triggered)).json()["_embedded"]["triggeredWebhooks"]]
            assert statuses == ["not_run"]  # still in flight
            gate.set()

            async def succeeded() -> bool:
                found = (await client.get(triggered)).json()["_embedded"]["triggeredWebhooks"]
                return [t["status"] for t in found] == ["success"]

            await until(succeeded, "the held webhook to succeed")


async def test_a_failed_call_is_retried_and_each_attempt_logged_with_secrets_redacted(store: Store) -> None:
    async with receiver(statuses=[500]) as target, running(broker_app(store)) as client:
        body = hook(target.url, "contract_published")
        body["request"].update(username="ci-bot", password="hunter2")
        body["request"]["headers"]["X-Api-Token"] = "tok-123"
        uuid = await created(client, body)
        assert (await client.post("/contracts/publish", json=contracts(pact(), "1"))).status_code == 200
        triggered_url = "/pacts/provider/Grill%20Chef/consumer/Sous%20Chef/version/1/triggered-webhooks"

        async def succeeded() -> bool:
            found = (await client.get(triggered_url)).json()["_embedded"]["triggeredWebhooks"]
            return [t["status"] for t in found] == ["success"]

        await until(succeeded, "the retry to succeed")
        (triggered,) = (await client.get(triggered_url)).json()["_embedded"]["triggeredWebhooks"]
        assert triggered["numberOfAttemptsMade"] == 2
        assert len(target.received) == 2
        assert target.received[0]["headers"]["authorization"].startswith("Basic ")  # sent for real
        logs = (await client.get(triggered["_links"]["pb:logs"]["href"])).text
        assert "/trigger/" in triggered["_links"]["pb:logs"]["href"] and uuid in triggered["_links"]["pb:logs"]["href"]
        assert "HTTP/1.1 500" in logs and "Retrying webhook in 0.05 seconds" in logs
        assert "HTTP/1.1 200" in logs and "Successfully executed webhook" in logs
        assert "Authorization: **********" in logs and "X-Api-Token: **********" in logs
        assert "hunter2" not in logs and "tok-123" not in logs
        listed = (await client.get(f"/webhooks/{uuid}/triggered-webhooks")).json()["_embedded"]["triggeredWebhooks"]
        assert [t["uuid"] for t in listed] == [triggered["uuid"]]


async def test_failures_stop_after_the_retry_schedule(store: Store) -> None:
    async with receiver(statuses=[500, 502, 503, 504]) as target, running(broker_app(store)) as client:
        await created(client, hook(target.url, "contract_published"))
        assert (await client.post("/contracts/publish", json=contracts(pact(), "1"))).status_code == 200
        triggered_url = "/pacts/provider/Grill%20Chef/consumer/Sous%20Chef/version/1/triggered-webhooks"

        async def failed() -> bool:
            found = (await client.get(triggered_url)).json()["_embedded"]["triggeredWebhooks"]
            return [t["status"] for t in found] == ["failure"]

        await until(failed, "the webhook to fail for good")
        (triggered,) = (await client.get(triggered_url)).json()["_embedded"]["triggeredWebhooks"]
        assert triggered["numberOfAttemptsMade"] == 3 and len(target.received) == 3  # one try, two retries
        logs = (await client.get(triggered["_links"]["pb:logs"]["href"])).text
        assert logs.rstrip().endswith("Webhook execution failed after 3 attempts")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.1.2.3/hook", "10.1.2.3 is a private address"),
        ("http://169.254.169.254/latest/meta-data", "169.254.169.254 is a link-local address"),
        ("http://127.0.0.1:9/", "127.0.0.1 is a loopback address"),
        ("http://[::1]/", "::1 is a loopback address"),
        ("http://0.0.0.0/", "0.0.0.0 is a unspecified address"),
    ],
)
async def test_a_webhook_to_a_private_address_is_refused_when_saved(url: str, reason: str) -> None:
    app = create_app(SqliteStore(), webhook_schemes=("http", "https"))
    async with running(app) as client:
        refused = await client.post("/webhooks", json=hook(url.rstrip("/"), "contract_published"))
        assert refused.status_code == 400
        (message,) = refused.json()["errors"]["request.url"]
        assert message.startswith(reason) and "--webhook-host" in message


async def test_the_whitelists_are_applied_when_saved(store: Store) -> None:
    async with running(create_app(store, webhook_hosts=("*.example.org", "ci.internal"))) as client:
        plain = await client.post("/webhooks", json=hook("http://ci.example.org", "contract_published"))
        assert "scheme must be https" in plain.json()["errors"]["request.url"][0]
        get = hook("https://ci.example.org", "contract_published")
        get["request"]["method"] = "GET"
        assert "must be one of POST" in (await client.post("/webhooks", json=get)).json()["errors"]["request.method"][0]
        elsewhere = await client.post("/webhooks", json=hook("https://evil.example.com", "contract_published"))
        assert "not in the broker's webhook host list" in elsewhere.json()["errors"]["request.url"][0]
        deeper = await client.post("/webhooks", json=hook("https://a.b.example.org", "contract_published"))
        assert deeper.status_code == 400  # *.example.org: one label, as TLS certificates match
        assert (
            await client.post("/webhooks", json=hook("https://ci.example.org", "contract_published"))
        ).status_code == 201
        assert (
            await client.post("/webhooks", json=hook("https://ci.internal", "contract_published"))
        ).status_code == 201


@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_a_name_that_resolves_to_loopback_is_refused_without_connecting(store: Store) -> None:
    """``localhost`` cannot be judged when saved; when the webhook runs, the address it
    resolves to is, and no connection is made to it."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    try:
        app = create_app(store, webhook_schemes=("http",), webhook_retry_schedule=(0.01,))
        async with running(app) as client:
            await created(client, hook(f"http://localhost:{port}", "contract_published"))
            assert (await client.post("/contracts/publish", json=contracts(pact(), "1"))).status_code == 200
            triggered_url = "/pacts/provider/Grill%20Chef/consumer/Sous%20Chef/version/1/triggered-webhooks"

            async def failed() -> bool:
                found = (await client.get(triggered_url)).json()["_embedded"]["triggeredWebhooks"]
                return [t["status"] for t in found] == ["failure"]

            await until(failed, "the refusal")
            (triggered,) = (await client.get(triggered_url)).json()["_embedded"]["triggeredWebhooks"]
            assert triggered["numberOfAttemptsMade"] == 1  # a refusal is not retried
            logs = (await client.get(triggered["_links"]["pb:logs"]["href"])).text
            assert "Refused: localhost, which resolves to 127.0.0.1, is a loopback address" in logs
            assert "No request was made." in logs
        with pytest.raises(BlockingIOError):
            listener.accept()  # nothing ever connected
    finally:
        listener.close()


async def test_a_host_the_list_names_is_called_at_the_address_checked_with_its_own_host_header(
    store: Store,
) -> None:
    async with receiver() as target:
        port = target.url.rsplit(":", 1)[1]
        async with running(broker_app(store, webhook_hosts=("localhost",))) as client:
            await created(client, hook(f"http://localhost:{port}", "contract_published"))
            assert (await client.post("/contracts/publish", json=contracts(pact(), "1"))).status_code == 200
            await until(calls(target, 1), "the call to localhost")
        assert target.received[0]["headers"]["host"] == f"localhost:{port}"
        assert target.received[0]["headers"]["x-provider"] == "Grill Chef"


async def test_execute_tests_a_webhook_with_the_latest_pact_or_placeholders(store: Store) -> None:
    async with receiver() as target, running(broker_app(store)) as client:
        uuid = await created(client, hook(target.url, "contract_content_changed"))
        placeholder = await client.post(f"/webhooks/{uuid}/execute", json={})
        assert placeholder.status_code == 200, placeholder.text
        assert target.received[0]["body"]["consumerName"] == "placeholder-consumer"
        assert target.received[0]["body"]["eventName"] == "test"
        assert (await client.post("/contracts/publish", json=contracts(pact(), "2.0.0"))).status_code == 200

        async def fired() -> bool:
            return len(target.received) >= 2

        await until(fired, "the content-changed call")
        result = await client.post(f"/webhooks/{uuid}/execute", json={})
        assert result.status_code == 200
        executed = result.json()
        assert executed["success"] is True
        assert executed["request"]["method"] == "POST" and executed["response"]["status"] == 200
        assert executed["response"]["body"] == "thanks"
        assert "Successfully executed webhook" in executed["logs"]
        assert target.received[-1]["body"]["consumerVersionNumber"] == "2.0.0"
        logs = await client.get(executed["_links"]["pb:logs"]["href"])
        assert logs.text == executed["logs"]
        target.statuses.append(503)
        failing = await client.post(f"/webhooks/{uuid}/execute", json={})
        assert (failing.status_code, failing.json()["success"]) == (500, False)
        assert "HTTP/1.1 503" in failing.json()["logs"]
        assert (await client.post("/webhooks/nope/execute", json={})).status_code == 404


async def test_a_value_no_header_can_carry_as_it_is_goes_as_utf_8_with_its_controls_encoded(store: Store) -> None:
    # a consumer name beyond ASCII was a 500 (UnicodeEncodeError) and the call was never
    # made; a CR LF in it must not let a pacticipant's name add a header to the call
    consumer = "Caf\u00e9 \u2603\r\nX-Injected: 1"
    async with receiver() as target, running(broker_app(store)) as client:
        request = {
            "method": "POST",
            "url": target.url + "/build?consumer=${pactbroker.consumerName}",
            "headers": {"X-Consumer": "${pactbroker.consumerName} (${pactbroker.consumerVersionNumber})"},
            "body": "consumer=${pactbroker.consumerName}",
        }
        uuid = await created(
            client, {"description": "d", "events": [{"name": "contract_published"}], "request": request}
        )
        assert (await client.post("/contracts/publish", json=contracts(pact(consumer), "1\u00e9"))).status_code == 200
        result = await client.post(f"/webhooks/{uuid}/execute", json={})
        assert result.status_code == 200, result.text
    assert len(target.received) >= 1  # (the execution; the publication's call too, or not yet)
    for call in target.received:
        sent = call["headers"]["x-consumer"].encode("latin-1")  # (the bytes, as Starlette reads them)
        assert sent == "Caf\u00e9 \u2603%0D%0AX-Injected: 1 (1\u00e9)".encode()
        assert "x-injected" not in call["headers"]
        assert call["body"] == f"consumer={consumer}"  # (a text body takes the value as it is)
        assert call["query"] == "consumer=Caf%C3%A9+%E2%98%83%0D%0AX-Injected%3A+1"


async def test_shutdown_cancels_webhooks_in_flight_and_says_so(store: Store) -> None:
    async with receiver(gate=anyio.Event()) as target:
        app = broker_app(store)
        async with running(app) as client:
            await created(client, hook(target.url, "contract_published"))
            assert (await client.post("/contracts/publish", json=contracts(pact(), "1"))).status_code == 200
            with anyio.fail_after(20):
                await target.arrived.wait()
        # the lifespan has ended with the call still held by the receiver
        with store.transaction() as tx:
            (triggered,) = tx.triggered_webhooks()
            assert triggered.status == "cancelled"
            (execution,) = tx.webhook_executions(triggered.uuid)
            assert f"POST {target.url}/build" in execution.logs  # the attempt in flight, then
            assert "Cancelled during this attempt: the broker is shutting down" in execution.logs
        assert target.gate is not None
        target.gate.set()


async def test_a_huge_response_is_not_read_and_a_dripping_one_times_out() -> None:
    huge = Response(b"x" * 5_000_000, 200)

    async def drip() -> AsyncIterator[bytes]:
        while True:  # a byte at a time, each well within the read timeout
            yield b"."
            await anyio.sleep(0.1)

    async with receiver(answer=huge) as target:
        app = broker_app(webhook_retry_schedule=(), webhook_timeout=2)
        async with running(app) as client:
            uuid = await created(client, hook(target.url, "contract_published"))
            executed = (await client.post(f"/webhooks/{uuid}/execute", json={})).json()
            assert executed["success"] is True
            assert executed["response"]["body"].endswith("x... (truncated)")
            assert len(executed["logs"]) < 30_000
            assert target.received[0]["headers"]["accept-encoding"] == "identity"
            target.answer = StreamingResponse(drip())
            with anyio.fail_after(20):
                timed_out = (await client.post(f"/webhooks/{uuid}/execute", json={})).json()
            assert timed_out["success"] is False
            assert "Timed out: no complete response from 127.0.0.1 within 2 seconds" in timed_out["logs"]


async def test_shutdown_cancels_a_webhook_waiting_to_be_retried(store: Store) -> None:
    async with receiver(statuses=[500]) as target:
        async with running(broker_app(store, webhook_retry_schedule=(3600,))) as client:
            await created(client, hook(target.url, "contract_published"))
            assert (await client.post("/contracts/publish", json=contracts(pact(), "1"))).status_code == 200
            triggered_url = "/pacts/provider/Grill%20Chef/consumer/Sous%20Chef/version/1/triggered-webhooks"

            async def retrying() -> bool:
                found = (await client.get(triggered_url)).json()["_embedded"]["triggeredWebhooks"]
                return [t["status"] for t in found] == ["retrying"]

            await until(retrying, "the first attempt to fail")
    with store.transaction() as tx:
        (triggered,) = tx.triggered_webhooks()
        assert triggered.status == "cancelled"
        first, cancelled = tx.webhook_executions(triggered.uuid)
        assert "Retrying webhook in 3600 seconds" in first.logs
        assert "Cancelled before its next attempt: the broker is shutting down" in cancelled.logs
    assert len(target.received) == 1


def test_the_command_line_options_and_environment() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(
        ["--webhook-scheme", "http", "--webhook-scheme", "https", "--webhook-host", "ci.internal,10.0.0.0/8"]
        + ["--webhook-method", "POST", "--webhook-retry-schedule", "1,5,30"]
    )
    assert webhook_options(args) == {
        "webhook_schemes": ["http", "https"],
        "webhook_methods": ["POST"],
        "webhook_hosts": ["ci.internal", "10.0.0.0/8"],
        "webhook_retry_schedule": (1.0, 5.0, 30.0),
    }
    with pytest.raises(SystemExit):
        parser.parse_args(["--webhook-retry-schedule", "1,soon"])


def test_the_environment_gives_the_webhook_options(monkeypatch: pytest.MonkeyPatch) -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    monkeypatch.setenv("APACT_BROKER_WEBHOOK_HOSTS", "ci.internal, *.example.org")
    monkeypatch.setenv("APACT_BROKER_WEBHOOK_RETRY_SCHEDULE", "2,4")
    assert webhook_options(parser.parse_args([])) == {
        "webhook_hosts": ["ci.internal", "*.example.org"],
        "webhook_retry_schedule": (2.0, 4.0),
    }
    monkeypatch.setenv("APACT_BROKER_WEBHOOK_RETRY_SCHEDULE", "later")
    with pytest.raises(ValueError, match="APACT_BROKER_WEBHOOK_RETRY_SCHEDULE"):
        webhook_options(parser.parse_args([]))


def test_a_bad_host_entry_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="not a host name"):
        create_app(SqliteStore(), webhook_hosts=("https://ci.example.org/",))


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_the_official_cli_creates_tests_and_triggers_a_webhook(tmp_path: Path, store: Store) -> None:
    """``pact broker create-webhook``, ``publish`` and ``test-webhook`` (the official CLI)
    against ``apact broker`` over real HTTP, the webhook landing at a real server."""
    from ..broker.grill import run_pact, sous_chef_pact, text, write_pact

    pact_file = write_pact(tmp_path, sous_chef_pact())
    async with receiver() as target, serving(broker_app(store)) as broker:
        b = ("-b", broker)
        made = await run_pact(
            "broker", "create-webhook", target.url + "/ci?who=${pactbroker.consumerName}",
            "--request", "POST",
            "--header", "Content-Type: application/json",
            "--data", '{"pact": "${pactbroker.pactUrl}", "event": "${pactbroker.eventName}"}',
            "--provider", "Grill Chef",
            "--contract-content-changed",
            "--description", "verify the Grill Chef",
            *b,
        )  # fmt: skip
        assert made.returncode != 0  # as the official broker: no provider of that name yet
        assert "No provider with name 'Grill Chef' found" in text(made)
        published = await run_pact(
            "broker", "publish", str(pact_file), "--consumer-app-version", "1.0.0", "--branch", "main", *b
        )
        assert published.returncode == 0, text(published)
        made = await run_pact(
            "broker", "create-webhook", target.url + "/ci?who=${pactbroker.consumerName}",
            "--request", "POST",
            "--header", "Content-Type: application/json",
            "--data", '{"pact": "${pactbroker.pactUrl}", "event": "${pactbroker.eventName}"}',
            "--provider", "Grill Chef",
            "--contract-content-changed",
            "--description", "verify the Grill Chef",
            *b,
        )  # fmt: skip
        assert made.returncode == 0, text(made)
        changed = sous_chef_pact(rare=True)
        changed_file = write_pact(tmp_path, changed, "changed.json")
        republished = await run_pact(
            "broker", "publish", str(changed_file), "--consumer-app-version", "1.0.1", "--branch", "main", *b
        )
        assert republished.returncode == 0, text(republished)
        await until(calls(target, 1), "the webhook the changed pact triggered")
        (call,) = target.received
        assert (call["query"], call["body"]["event"]) == ("who=Sous+Chef", "contract_content_changed")
        assert call["body"]["pact"].startswith(
            broker + "/pacts/provider/Grill%20Chef/consumer/Sous%20Chef/pact-version/"
        )
        async with httpx.AsyncClient(base_url=broker) as client:
            (listed,) = (await client.get("/webhooks")).json()["_links"]["pb:webhooks"]
        tested = await run_pact("broker", "test-webhook", "--uuid", listed["href"].rsplit("/", 1)[1], *b)
        assert tested.returncode == 0, text(tested)
        assert "Successfully executed webhook" in text(tested)
        assert [r["body"]["event"] for r in target.received] == ["contract_content_changed", "test"]


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_https_goes_to_the_checked_address_with_the_name_for_sni_and_the_certificate(tmp_path: Path) -> None:
    """The connection is made to the resolved IP, yet TLS still names the host (SNI) and
    checks its certificate: a self-signed one for ``localhost`` is refused."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed: it makes this test's certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1"]
        + ["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    names: list[str | None] = []

    def sni(connection: ssl.SSLObject, name: str | None, ctx: ssl.SSLContext) -> None:
        names.append(name)

    context.sni_callback = sni
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)

    async def handshake() -> None:
        async with listener:
            inner = listener.listeners[0]
            assert isinstance(inner, anyio.abc.SocketListener)
            stream = await inner.accept()
            with pytest.raises((ssl.SSLError, anyio.BrokenResourceError, anyio.EndOfStream)):
                await TLSStream.wrap(stream, server_side=True, ssl_context=context)
            await stream.aclose()

    async with anyio.create_task_group() as group:
        group.start_soon(handshake)
        app = broker_app(webhook_schemes=("https",), webhook_hosts=("localhost",), webhook_retry_schedule=())
        async with running(app) as client:
            await created(client, hook(f"https://localhost:{port}", "contract_published"))
            assert (await client.post("/contracts/publish", json=contracts(pact(), "1"))).status_code == 200
            triggered_url = "/pacts/provider/Grill%20Chef/consumer/Sous%20Chef/version/1/triggered-webhooks"

            async def failed() -> bool:
                found = (await client.get(triggered_url)).json()["_embedded"]["triggeredWebhooks"]
                return [t["status"] for t in found] == ["failure"]

            await until(failed, "the refused certificate")
            (triggered,) = (await client.get(triggered_url)).json()["_embedded"]["triggeredWebhooks"]
            logs = (await client.get(triggered["_links"]["pb:logs"]["href"])).text
    assert names == ["localhost"]
    assert "Cannot connect to localhost at 127.0.0.1" in logs and "CERTIFICATE_VERIFY_FAILED" in logs


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_sigterm_stops_the_broker_process_cleanly_with_a_webhook_in_flight(
    stores: Callable[[], Store], database: str
) -> None:
    """``apact broker`` (a real process), its webhook options from the command line and
    the environment; SIGTERM while its webhook is held: exit 0, no traceback, and the
    database says the webhook was cancelled."""
    async with receiver(gate=anyio.Event()) as target:
        command = [sys.executable, "-m", "apact.broker_server", "--port", "0", "--database", database]
        command += ["--webhook-scheme", "http", "--webhook-retry-schedule", "0.1"]
        environment = {**os.environ, "APACT_BROKER_WEBHOOK_HOSTS": "127.0.0.1"}
        async with await anyio.open_process(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment
        ) as process:
            try:
                assert process.stdout is not None and process.stderr is not None
                with anyio.fail_after(20):
                    line = (await process.stdout.receive()).decode()
                found = re.search(r"serving (http://\S+)", line)
                assert found, line
                async with httpx.AsyncClient(base_url=found.group(1)) as client:
                    await created(client, hook(target.url, "contract_published"))
                    assert (await client.post("/contracts/publish", json=contracts(pact(), "1"))).status_code == 200
                with anyio.fail_after(20):
                    await target.arrived.wait()
                process.send_signal(signal.SIGTERM)
                with anyio.fail_after(20):
                    assert await process.wait() == 0
                errors = b""
                with anyio.move_on_after(5):
                    async for chunk in process.stderr:
                        errors += chunk
                assert b"Traceback" not in errors, errors.decode()
            finally:
                if process.returncode is None:
                    process.kill()
                    with anyio.fail_after(10):
                        await process.wait()
        assert target.gate is not None
        target.gate.set()
    with stores().transaction() as tx:
        (triggered,) = tx.triggered_webhooks()
        assert triggered.status == "cancelled"
