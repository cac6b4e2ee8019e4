"""Every route of the broker, given what a careless or hostile client sends, answers
with its own 4xx, never a 500, on SQLite and on PostgreSQL.

Deterministic rather than random: each path parameter of each route gets each odd
segment (the other parameters name what exists, so the lookups go deep), and each field
of each write body is replaced, one at a time, by each odd value or left out. What this
found first: a NUL character (PostgreSQL cannot store one), a verification id past 64
bits or written with a superscript digit, base64 content or Basic credentials that are
not ASCII, a version number no header can carry.
"""

from __future__ import annotations

import base64
import copy
import json
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from apact.broker_server import create_app
from apact.broker_server._store import Store

from ..broker.grill import sous_chef_pact

# (the routes are the same on trio: one backend of the event loop, both of the store)
on_asyncio = pytest.mark.parametrize("anyio_backend", ["asyncio"])

#: path segments (percent-encoded as sent): NUL, a right-to-left override, a number
#: past 64 bits, a superscript digit, a lone surrogate's UTF-8, a very long name
ODD_SEGMENTS = ["%00", "%E2%80%AE", "9" * 30, "%C2%B2", "%ED%A0%80", "x" * 3000]
#: what a body field gets instead of its value (besides being left out)
ODD_VALUES: list[Any] = [None, 7, "a\x00b", "\u202e", 10**30, [], {"name": "x"}, "", "x" * 3000]
HAL = {"Accept": "application/hal+json"}
HTML = {"Accept": "text/html"}
#: a webhook on a port nothing listens on (the broker allows this loopback host)
HOOK_URL = "https://127.0.0.1:9/hook"


def _contracts(version: str) -> dict[str, Any]:
    content = base64.b64encode(json.dumps(sous_chef_pact()).encode()).decode()
    return {
        "pacticipantName": "Sous Chef",
        "pacticipantVersionNumber": version,
        "branch": "main",
        "tags": ["prod"],
        "buildUrl": "https://ci.example/1",
        "contracts": [
            {
                "consumerName": "Sous Chef",
                "providerName": "Grill Chef",
                "specification": "pact",
                "contentType": "application/json",
                "content": content,
            }
        ],
    }


class Filled:
    """A broker with a pact, a verification, an environment, a deployment and a webhook;
    ``known`` names each path parameter's existing value."""

    def __init__(self, client: httpx.AsyncClient, known: dict[str, str], routes: list[tuple[str, list[str]]]) -> None:
        self.client = client
        self.known = known
        self.routes = routes


@pytest.fixture
async def broker(store: Store) -> AsyncIterator[Filled]:
    app = create_app(store, webhook_hosts=("127.0.0.1",))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://broker") as client:
        assert (await client.post("/contracts/publish", json=_contracts("1.0.0"))).status_code == 200
        pact = (await client.get("/pacts/provider/Grill%20Chef/consumer/Sous%20Chef/latest", headers=HAL)).json()
        results = pact["_links"]["pb:publish-verification-results"]["href"]
        verified = await client.post(results, json={"success": True, "providerApplicationVersion": "2.0.0"})
        assert verified.status_code == 201, verified.text
        environment = (await client.post("/environments", json={"name": "production", "production": True})).json()
        deployed = await client.post(
            f"/pacticipants/Sous%20Chef/versions/1.0.0/deployed-versions/environment/{environment['uuid']}", json={}
        )
        assert deployed.status_code == 201, deployed.text
        hook = await client.post("/webhooks", json=_webhook())
        assert hook.status_code == 201, hook.text
        known = {
            "provider": "Grill%20Chef",
            "consumer": "Sous%20Chef",
            "pacticipant": "Sous%20Chef",
            "version": "1.0.0",
            "tag": "prod",
            "provider_tag": "prod",
            "branch": "main",
            "sha": results.split("/pact-version/")[1].split("/")[0],
            "id": verified.json()["_links"]["self"]["href"].rsplit("/", 1)[1],
            "uuid": environment["uuid"],
            "label": "backend",
            "metadata": "e30",
            "trigger": "none",
        }
        found: Any = app
        while not hasattr(found, "routes"):  # (below the middleware)
            found = found.app
        routes = [(route.path, sorted(route.methods or ())) for route in found.routes if hasattr(route, "methods")]
        yield Filled(client, known, routes)


def _webhook() -> dict[str, Any]:
    return {
        "description": "a hook",
        "events": [{"name": "contract_content_changed"}],
        "request": {"method": "POST", "url": HOOK_URL, "headers": {"X-A": "1"}, "body": {"a": "${pactbroker.pactUrl}"}},
        "consumer": {"name": "Sous Chef"},
        "provider": {"name": "Grill Chef"},
    }


def _small_pact() -> dict[str, Any]:
    """A pact of one interaction: the broker keeps a pact's content as JSON, so its
    parts deeper down are not what is tried here."""
    document = sous_chef_pact()
    document["interactions"] = [{"description": "a request", "request": {"method": "GET", "path": "/"}}]
    return document


def _crashes(answer: httpx.Response) -> bool:
    return answer.status_code >= 500 and answer.status_code != 507


@pytest.mark.anyio
@on_asyncio
async def test_every_route_answers_odd_path_segments_without_a_500(broker: Filled) -> None:
    crashed = []
    tried = 0
    for path, methods in broker.routes:
        names = re.findall(r"{(\w+)}", path)
        for odd_name in names:
            for odd in ODD_SEGMENTS:
                url = path
                for name in names:
                    url = url.replace(f"{{{name}}}", odd if name == odd_name else broker.known.get(name, "x"))
                for method in methods:
                    if method == "HEAD":
                        continue
                    body: dict[str, Any] | None = {} if method in ("POST", "PUT", "PATCH") else None
                    for accept in (HAL, HTML) if method == "GET" else (HAL,):
                        tried += 1
                        answer = await broker.client.request(method, url, json=body, headers=accept)
                        if _crashes(answer):
                            crashed.append((method, url[:100], answer.text[:200]))
    assert tried > 500  # (the routes were found)
    assert not crashed, crashed[:5]


def _leaves(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:  # noqa: ANN401
    """The path of every key and item of a JSON body."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        yield (*path, key)
        yield from _leaves(value, (*path, key))


def _variants(body: dict[str, Any]) -> Iterator[tuple[tuple[Any, ...], Any, Any]]:  # noqa: ANN401
    """``body`` with one field replaced by each odd value, or left out."""
    for path in _leaves(body):
        for odd in [*ODD_VALUES, "left out"]:
            changed = copy.deepcopy(body)
            parent = changed
            for key in path[:-1]:
                parent = parent[key]
            if odd == "left out":
                del parent[path[-1]]
            else:
                parent[path[-1]] = odd
            yield path, odd, changed


@pytest.mark.anyio
@on_asyncio
async def test_every_write_answers_odd_bodies_without_a_500(broker: Filled) -> None:
    known = broker.known
    pair = f"/pacts/provider/{known['provider']}/consumer/{known['consumer']}"
    writes: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", "/contracts/publish", _contracts("1.0.1")),
        (
            "POST",
            f"{pair}/pact-version/{known['sha']}/verification-results",
            {"success": True, "providerApplicationVersion": "2.0.1", "testResults": [{"success": True}]},
        ),
        ("POST", "/environments", {"name": "staging", "displayName": "Staging", "production": False}),
        ("PUT", f"/environments/{known['uuid']}", {"name": "production", "production": True}),
        ("POST", "/pacticipants", {"name": "Pastry Chef", "mainBranch": "main", "repositoryUrl": "https://r"}),
        ("PATCH", "/pacticipants/Sous%20Chef", {"displayName": "Sous", "mainBranch": "main"}),
        (
            "POST",
            f"/pacticipants/Sous%20Chef/versions/1.0.0/deployed-versions/environment/{known['uuid']}",
            {"applicationInstance": "blue"},
        ),
        ("PUT", "/pacticipants/Sous%20Chef/versions/1.0.0", {"buildUrl": "https://b", "tags": [{"name": "t"}]}),
        ("POST", "/webhooks", _webhook()),
        (
            "POST",
            "/pacts/provider/Grill%20Chef/for-verification",
            {
                "consumerVersionSelectors": [{"branch": "main", "latest": True}, {"deployedOrReleased": True}],
                "providerVersionBranch": "main",
                "providerVersionTags": ["prod"],
                "includePendingStatus": True,
                "includeWipPactsSince": "2026-01-01",
            },
        ),
        ("PUT", f"{pair}/version/1.0.2", _small_pact()),
    ]
    crashed = []
    for method, url, body in writes:
        for path, odd, changed in _variants(body):
            answer = await broker.client.request(method, url, json=changed, headers=HAL)
            if _crashes(answer):
                crashed.append((method, url, path, repr(odd)[:30], answer.text[:200]))
    assert not crashed, crashed[:5]


@pytest.mark.anyio
@on_asyncio
async def test_odd_queries_get_no_500(broker: Filled) -> None:
    queries = [
        "q[][pacticipant]=%00",
        "q[][pacticipant]=Sous%20Chef&q[][version]=" + "9" * 30,
        "q[][pacticipant]=Sous%20Chef&q[][branch]=%ED%A0%80&latestby=cvp",
        "pacticipant=Sous%20Chef&version=1.0.0&to=%00&environment=%E2%80%AE",
        "providerVersionBranch=%00&providerVersionTags[]=%00&includePendingStatus=maybe",
        "branch=%00&tag=%ED%A0%80&label=%00&initials=yes",
    ]
    paths = ["/matrix", "/can-i-deploy", "/pacts/provider/Grill%20Chef/for-verification", "/", "/network"]
    paths.append("/pacts/provider/Grill%20Chef/consumer/Sous%20Chef/latest/badge")
    crashed = []
    for path in paths:
        for query in queries:
            for accept in (HAL, HTML):
                answer = await broker.client.get(f"{path}?{query}", headers=accept)
                if _crashes(answer):
                    crashed.append((path, query, answer.text[:200]))
    assert not crashed, crashed[:5]


def test_the_odd_segments_are_sent_as_given() -> None:
    # (httpx keeps a path's percent-escapes as they are: the broker gets these bytes)
    url = httpx.URL("http://broker/pacticipants/" + ODD_SEGMENTS[4])
    assert url.raw_path == b"/pacticipants/%ED%A0%80"
    assert quote("\x00", safe="") == ODD_SEGMENTS[0]
