"""The access modes teams configure (issue 13): a read-only basic-auth user, public
reading, a protected heartbeat, several base URLs; over real HTTP, on SQLite and
PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from apact._core._serve import serve as serving
from apact.broker_server import create_app
from apact.broker_server._store import Store

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


HEARTBEAT = "/diagnostic/status/heartbeat"
WRITER = httpx.BasicAuth("chef", "grill")
READER = httpx.BasicAuth("guest", "look")


async def test_a_read_only_basic_auth_user_reads_and_cannot_write(store: Store) -> None:
    app = create_app(store, username="chef", password="grill", read_only_username="guest", read_only_password="look")
    async with serving(app) as url, httpx.AsyncClient(base_url=url) as client:
        assert (await client.put("/pacticipants/Foo", json={}, auth=WRITER)).status_code == 201
        assert (await client.get("/pacticipants/Foo", auth=READER)).json()["name"] == "Foo"
        refused = await client.put("/pacticipants/Bar", json={}, auth=READER)
        assert refused.status_code == 403
        assert refused.json()["errors"] == ["Forbidden: read-only credentials allow only reading (GET, HEAD), not PUT"]
        assert (await client.delete("/pacticipants/Foo", auth=READER)).status_code == 403
        fetching = await client.post("/pacts/provider/Foo/for-verification", json={}, auth=READER)
        assert fetching.status_code == 200  # a provider's CI fetches its pacts with read-only credentials
        for wrong in (httpx.BasicAuth("guest", "grill"), httpx.BasicAuth("chef", "look"), None):
            answer = await client.get("/", auth=wrong)
            assert answer.status_code == 401
            assert answer.headers["www-authenticate"] == 'Basic realm="apact broker"'
        assert (await client.get(HEARTBEAT)).status_code == 200  # open by default, for load balancers
    with pytest.raises(ValueError, match="read-only basic auth user needs both"):
        create_app(store, read_only_username="guest")
    with pytest.raises(ValueError, match="must differ"):
        create_app(store, username="chef", password="a", read_only_username="chef", read_only_password="b")


async def test_public_read_lets_anyone_read_but_writing_needs_credentials(store: Store) -> None:
    app = create_app(store, token="s3cret", read_only_token="peek", allow_public_read=True)
    async with serving(app) as url, httpx.AsyncClient(base_url=url) as client:
        bearer = {"Authorization": "Bearer s3cret"}
        assert (await client.put("/pacticipants/Foo", json={}, headers=bearer)).status_code == 201
        assert (await client.get("/pacticipants/Foo")).status_code == 200
        assert (await client.get("/matrix?q[][pacticipant]=Foo&latestby=cvp&latest=true")).status_code == 200
        assert (await client.post("/pacts/provider/Foo/for-verification", json={})).status_code == 200
        anonymous = await client.put("/pacticipants/Bar", json={})
        assert anonymous.status_code == 401
        assert anonymous.json()["errors"] == ["Unauthorized: this broker lets anyone read, but PUT needs credentials"]
        assert anonymous.headers["www-authenticate"] == 'Bearer realm="apact broker"'
        assert (await client.delete("/pacticipants/Foo")).status_code == 401
        wrong = await client.get("/pacticipants/Foo", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401  # wrong credentials are refused, not taken for none
        assert (
            await client.put("/pacticipants/Bar", json={}, headers={"Authorization": "Bearer peek"})
        ).status_code == 403
        assert (await client.get("/pacticipants/Bar")).status_code == 404  # nothing was written


async def test_the_heartbeat_can_require_read_access(store: Store) -> None:
    app = create_app(store, token="s3cret", read_only_token="peek", heartbeat_requires_auth=True)
    async with serving(app) as url, httpx.AsyncClient(base_url=url) as client:
        assert (await client.get(HEARTBEAT)).status_code == 401
        assert (await client.get(HEARTBEAT, headers={"Authorization": "Bearer peek"})).json()["ok"] is True
    public = create_app(store, token="s3cret", heartbeat_requires_auth=True, allow_public_read=True)
    async with serving(public) as url, httpx.AsyncClient(base_url=url) as client:
        assert (await client.get(HEARTBEAT)).status_code == 200  # public reading includes the heartbeat


async def test_several_base_urls_each_request_gets_the_links_of_the_one_it_used(store: Store) -> None:
    """Reached through a gateway (https) and from inside (http on 9292): the links of each."""
    app = create_app(store, base_url="https://pact.example.com, http://pact.internal:9292")
    async with serving(app) as url, httpx.AsyncClient(base_url=url) as client:

        async def self_link(**headers: str) -> str:
            href: str = (await client.get("/", headers=headers)).json()["_links"]["self"]["href"]
            return href

        assert await self_link(Host="pact.internal:9292") == "http://pact.internal:9292/"
        assert await self_link(**{"X-Forwarded-Host": "pact.example.com", "X-Forwarded-Proto": "https"}) == (
            "https://pact.example.com/"
        )
        assert await self_link(Host="pact.example.com") == "https://pact.example.com/"  # http, port 80: no match
        assert await self_link(Host="evil.example") == "https://pact.example.com/"  # the first, never the Host
        forged = {"X-Forwarded-Host": "evil.example", "Host": "pact.internal:9292"}
        assert await self_link(**forged) == "http://pact.internal:9292/"
        pacticipant = await client.put("/pacticipants/Foo", json={}, headers={"Host": "pact.internal:9292"})
        assert pacticipant.json()["_links"]["self"]["href"] == "http://pact.internal:9292/pacticipants/Foo"
    with pytest.raises(ValueError, match="'ftp://x' is not an http"):
        create_app(store, base_url="http://a ftp://x")


@contextmanager
def broker_process(database: str, *options: str, **environment: str) -> Iterator[str]:
    """``apact broker`` on ``database`` in a subprocess on a free port; its URL. Stopped
    (SIGTERM, then waited for) on the way out."""
    process = subprocess.Popen(
        [sys.executable, "-m", "apact", "broker", "--port", "0", "--database", database, *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **environment},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "serving" in line, line + (process.stderr.read() if process.stderr else "")
        yield line.split("serving ", 1)[1].split(" ", 1)[0]
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_apact_broker_takes_the_access_options_and_their_variables(database: str) -> None:
    environment: dict[str, Any] = {
        "APACT_BROKER_USERNAME": "chef",
        "APACT_BROKER_PASSWORD": "grill",
        "APACT_BROKER_READ_ONLY_USERNAME": "guest",
        "APACT_BROKER_READ_ONLY_PASSWORD": "look",
        "APACT_BROKER_HEARTBEAT_REQUIRES_AUTH": "true",
    }
    with broker_process(database, **environment) as url, httpx.Client(base_url=url) as client:
        assert client.get(HEARTBEAT).status_code == 401
        assert client.get(HEARTBEAT, auth=READER).status_code == 200
        assert client.put("/pacticipants/Foo", json={}, auth=READER).status_code == 403
        assert client.put("/pacticipants/Foo", json={}, auth=WRITER).status_code == 201
    with (
        broker_process(
            database, "--token", "s3cret", "--allow-public-read", "--base-url", "http://a.example http://b.example"
        ) as url,
        httpx.Client(base_url=url) as client,
    ):
        assert client.get("/pacticipants").status_code == 200
        assert client.put("/pacticipants/Foo", json={}).status_code == 401
        assert client.get("/", headers={"Host": "b.example"}).json()["_links"]["self"]["href"] == "http://b.example/"
        assert client.get("/").json()["_links"]["self"]["href"] == "http://a.example/"


def test_public_reading_beyond_loopback_is_warned_about() -> None:
    from apact.cli._broker_server import start_warnings

    said = start_warnings("0.0.0.0", "https://pact.example.com", protected=True, public_read=True)
    assert said == [
        "warning: --allow-public-read on 0.0.0.0: anyone who can reach this machine can read every pact, "
        "version and deployment record (writing still needs credentials)."
    ]
    assert start_warnings("127.0.0.1", "http://127.0.0.1:9292", protected=True, public_read=True) == []
