"""Interoperability: a pact written by apact (V3 and V4, with every kind of matcher and
generator) is accepted and verified by the official Pact verifier (pact-python's
``Verifier``, its Rust core) against a real provider served over HTTP; a provider that
breaks the contract fails that verifier, at the places the matchers guard."""

from __future__ import annotations

import os

os.environ.setdefault("PACT_DO_NOT_TRACK", "true")  # pact-python phones home otherwise

import datetime
import json
import uuid
from pathlib import Path
from typing import Any

import anyio.to_thread
import pytest

from apact import Form, Pact, Text, generate, match
from apact._core._serve import serve
from apact._core._types import Receive, Scope, Send

official = pytest.importorskip(
    "pact", reason="pact-python is not installed: the consumer interoperability test needs it"
)

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.parametrize("anyio_backend", ["asyncio"]),
]

CONSUMER, PROVIDER = "Sous Chef", "Pantry"


async def write_pact(directory: Path, spec: str) -> Path:
    """The Sous Chef's pact with the Pantry, written by apact after real requests."""
    async with Pact(CONSUMER, PROVIDER, pact_dir=directory, spec=spec) as pact:  # type: ignore[arg-type]
        (
            pact.given("a user exists", id=42, name="Alice")
            .upon_receiving("a request for a user")
            .with_request(
                "GET",
                generate.provider_state("/users/${id}", "/users/1"),
                query={"fields": match.regex("all|short", "all")},
                headers={"Accept": "application/json", "X-Request-Id": match.uuid()},
            )
            .will_respond_with(
                200,
                headers={"X-Served-By": match.regex(r"pantry-\d+", "pantry-1")},
                body={
                    "id": match.integer(1, generator=generate.provider_state("${id}")),
                    "name": match.like("Bob"),
                    "email": match.regex(r"[^@]+@[^@]+", "bob@example.com"),
                    "tags": match.each_like("cook", min=1),
                    "addresses": match.each_like(
                        {"street": match.like("1 Main St"), "zip": match.regex(r"\d{5}", "12345")}
                    ),
                    "created": match.datetime("2024-01-02T03:04:05Z"),
                    "birthday": match.date("17/05/1990", "%d/%m/%Y"),
                    "wakeUp": match.time("07:30", "HH:mm"),
                    "uid": match.uuid(),
                    "balance": match.decimal(12.5),
                    "score": match.number(7),
                    "visits": match.integer(),
                    "active": match.boolean(True),
                    "deletedAt": match.null(),
                    "version": match.semver("1.2.3"),
                    "motto": match.includes("pact", "we love pact"),
                    "country": match.equal("NZ"),
                    "roles": match.array_containing(["reader", match.like({"admin": True})]),
                    "limits": match.each_key({"daily": 10}, match.regex("[a-z]+")),
                    "flags": match.each_value({"beta": True}, match.boolean()),
                    "settings": match.values({"theme": match.like("dark")}),
                    "nick": match.not_empty("Al"),
                    "token": generate.hexadecimal(8),
                    "expires": generate.date(expression="today + 1 week"),
                },
            )
        )
        (
            pact.upon_receiving("an order")
            .with_request("POST", "/orders", body={"item": "steak", "count": match.integer(2)})
            .will_respond_with(
                201,
                headers={"Location": generate.mock_server_url("http://localhost/orders/1", r".*(/orders/\d+)$")},
                body={
                    "id": match.integer(1),
                    "self": generate.mock_server_url("http://localhost/orders/1", r".*(/orders/\d+)$"),
                },
            )
        )
        (
            pact.upon_receiving("a health check")
            .with_request("GET", "/health")
            .will_respond_with(match.status_code("success", 200), body=Text(match.regex(r"ok \d+", "ok 1")))
        )
        (
            pact.upon_receiving("a login")
            .with_request("POST", "/login", body=Form({"user": "alice", "age": match.integer(30)}))
            .will_respond_with(204)
        )
        client = pact.client
        user = await client.get(
            "/users/1",
            params={"fields": "all"},
            headers={"Accept": "application/json", "X-Request-Id": str(uuid.uuid4())},
        )
        assert user.status_code == 200, user.text
        order = await client.post("/orders", json={"item": "steak", "count": 2})
        assert order.json()["self"] == "http://apact.mock/orders/1"
        assert (await client.get("/health")).text == "ok 1"
        assert (await client.post("/login", data={"user": "alice", "age": "30"})).status_code == 204
    assert pact.file is not None
    return pact.file


def pantry(*, broken: bool) -> Any:
    """The provider: answers with values other than the pact's examples, of the right
    kinds (or, ``broken``, of the wrong kinds)."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        path, method = scope["path"], scope["method"]
        host = dict(scope["headers"]).get(b"host", b"").decode()
        headers: list[tuple[bytes, bytes]] = [(b"content-type", b"application/json")]
        status, payload = 404, b"{}"
        if method == "GET" and path.startswith("/users/"):
            today = datetime.date.today()
            user: dict[str, Any] = {
                "id": int(path.rsplit("/", 1)[1]),
                "name": "Alice",
                "email": "alice@pantry.test",
                "tags": ["admin", "cook", "taster"],
                "addresses": [{"street": "2 High St", "zip": "54321"}, {"street": "3 Low Rd", "zip": "99999"}],
                "created": "2026-11-25T10:11:12+01:00",
                "birthday": "01/02/2003",
                "wakeUp": "06:15",
                "uid": str(uuid.uuid4()),
                "balance": 99.75,
                "score": 3.5,
                "visits": 1234,
                "active": False,
                "deletedAt": None,
                "version": "10.0.1-rc.2",
                "motto": "pact all the things",
                "country": "NZ",
                "roles": ["writer", {"admin": False, "since": 2020}, "reader"],
                "limits": {"weekly": 70, "monthly": 300},
                "flags": {"dark": False, "new": True},
                "settings": {"theme": "light", "lang": "mi"},
                "nick": "Ally",
                "token": "deadbeef",
                "expires": (today + datetime.timedelta(days=3)).isoformat(),
                "extra": "providers may add keys",
            }
            if broken:
                user |= {"id": str(user["id"]), "tags": [], "country": "AU", "limits": {"Weekly": 70}}
            status, payload = 200, json.dumps(user).encode()
            headers.append((b"x-served-by", b"pantry-7"))
        elif method == "POST" and path == "/orders" and json.loads(body) == {"item": "steak", "count": 2}:
            status, payload = 201, json.dumps({"id": 77, "self": f"http://{host}/orders/77"}).encode()
            headers.append((b"location", f"http://{host}/orders/77".encode()))
        elif method == "GET" and path == "/health":
            status, payload = 200, b"ok 12345"
            headers = [(b"content-type", b"text/plain")]
        elif method == "POST" and path == "/login" and body == b"user=alice&age=30":
            status, payload = 204, b""
        headers.append((b"content-length", str(len(payload)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    return app


def official_verify(
    pact_file: Path, url: str, calls: list[tuple[str, str, dict[str, Any] | None]]
) -> tuple[bool, dict[str, Any], str]:
    def state(state: str, action: str, parameters: dict[str, Any] | None) -> None:
        calls.append((state, action, parameters))

    verifier = (
        official.Verifier(PROVIDER, host="127.0.0.1")
        .add_transport(url=url)
        .add_source(str(pact_file))
        .state_handler(state, teardown=True)
    )
    try:
        verifier.verify()
        passed = True
    except RuntimeError:
        passed = False
    return passed, verifier.results, verifier.output(strip_ansi=True)


@pytest.mark.parametrize("spec", ["V3", "V4"])
async def test_the_official_verifier_accepts_an_apact_pact(tmp_path: Path, spec: str) -> None:
    pact_file = await write_pact(tmp_path, spec)
    assert (
        json.loads(pact_file.read_text())["metadata"]["pactSpecification"]["version"]
        == {"V3": "3.0.0", "V4": "4.0"}[spec]
    )
    calls: list[tuple[str, str, dict[str, Any] | None]] = []
    async with serve(pantry(broken=False)) as url:
        passed, results, output = await anyio.to_thread.run_sync(official_verify, pact_file, url, calls)
    assert passed, output
    assert results["errors"] == []
    assert sorted(r["description"] for r in results["interactionResults"]) == [
        "a health check",
        "a login",
        "a request for a user",
        "an order",
    ]
    assert all(r["result"] == "OK" for r in results["interactionResults"])
    assert ("a user exists", "setup", {"id": 42, "name": "Alice"}) in calls


async def test_the_official_verifier_rejects_a_provider_breaking_the_matchers(tmp_path: Path) -> None:
    pact_file = await write_pact(tmp_path, "V4")
    async with serve(pantry(broken=True)) as url:
        passed, results, output = await anyio.to_thread.run_sync(official_verify, pact_file, url, [])
    assert not passed
    failed = {r["description"] for r in results["interactionResults"] if r["result"] != "OK"}
    assert failed == {"a request for a user"}
    (error,) = results["errors"]
    paths = sorted({m.get("path") for m in error["mismatch"]["mismatches"]})
    assert paths == ["$.country", "$.id", "$.limits.Weekly", "$.tags"], output
