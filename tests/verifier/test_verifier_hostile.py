"""A pact never sends the verifier's requests, and the credentials they carry, anywhere
but to the provider (issue 11, item 1).

A request path is appended to the provider's URL as a path, never read as a URL: a
path not starting with ``/`` (``@host:port/x``, ``?x@host/x``, ``#@host/x``, ``http://
host/x``, ...) is an invalid interaction, failed without sending anything; a path that
does start with ``/`` goes to the provider, however odd. Two real servers on loopback,
the provider and an "attacker", record whatever reaches them.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apact import Pact, pactfile
from apact._core._serve import serve
from apact.broker_server import SqliteStore, create_app
from apact.broker_server._domain import ensure_pacticipant, ensure_version, publish_pact
from apact.model import HttpRequest
from apact.pact._request_check import request_problems
from apact.verifier import Verifier
from apact.verifier._replay import build_request

from .hostile_helpers import Seen, Servers, http_interaction, pact_document, provider_and_attacker, recording, write

pytestmark = pytest.mark.anyio

#: paths that do not start with "/": each an invalid interaction, nothing sent
HOSTILE = [
    "@{attacker}/steal",
    "?x@{attacker}/steal",
    "#@{attacker}/steal",
    "http://{attacker}/steal",
    "\\\\{attacker}/steal",
    "%40{attacker}/steal",
    "{attacker}/steal",
    "",
]
#: odd paths that do start with "/": sent to the provider, as the provider receives them
TO_PROVIDER = {
    "//{attacker}/steal": "//{attacker}/steal",
    "/@{attacker}/steal": "/@{attacker}/steal",
    "/?x@{attacker}/steal": "/%3Fx@{attacker}/steal",
    "/#@{attacker}/steal": "/%23@{attacker}/steal",
    "/%2F%2F{attacker}/steal": "/%2F%2F{attacker}/steal",
    "/\\{attacker}/steal": "/%5C{attacker}/steal",
}
SECRET = {"X-Api-Key": "SECRET"}


def hostile_pact(attacker: str) -> dict[str, Any]:
    """Every hostile and odd path, then one plain interaction (``POST /ok`` with a body)."""
    paths = [path.format(attacker=attacker) for path in [*HOSTILE, *TO_PROVIDER]]
    interactions = [http_interaction(f"path {path!r}", {"method": "GET", "path": path}) for path in paths]
    body = {"contentType": "application/json", "encoded": False, "content": {"order": "steak"}}
    interactions.append(
        http_interaction(
            "fine", {"method": "POST", "path": "/ok", "headers": {"Content-Type": ["application/json"]}, "body": body}
        )
    )
    return pact_document(*interactions)


def assert_nothing_left_the_provider(servers: Servers) -> None:
    assert servers.to_attacker == []
    expected = {raw.format(attacker=servers.attacker).encode() for raw in TO_PROVIDER.values()} | {b"/ok"}
    assert {seen.raw_path for seen in servers.to_provider} == expected
    assert all(seen.headers["x-api-key"] == "SECRET" for seen in servers.to_provider)


def assert_hostile_paths_failed_alone(statuses: Mapping[str, tuple[str, str]], attacker: str) -> None:
    """``statuses``: description -> (status, the first error's text)."""
    for index, path in enumerate(HOSTILE):
        status, error = statuses[f"path {path.format(attacker=attacker)!r}"]
        assert status == "failed"
        assert error.startswith(
            "invalid interaction: the pact's request cannot be sent as written (nothing was sent): "
        )
        assert f"$.interactions[{index}].request.path: the path must start with '/', got " in error
    for path in TO_PROVIDER:
        assert statuses[f"path {path.format(attacker=attacker)!r}"] == ("passed", "")
    assert statuses["fine"] == ("passed", "")


async def test_the_verifier_sends_nothing_to_another_host_whatever_the_path() -> None:
    async with provider_and_attacker() as servers:
        pact = pactfile.loads(json.dumps(hostile_pact(servers.attacker)))
        result = await Verifier("Grill Chef", base_url=servers.provider, headers=SECRET).verify(pact)
    assert_nothing_left_the_provider(servers)
    statuses = {r.description: (r.status, str(r.errors[0]) if r.errors else "") for r in result.interactions}
    assert_hostile_paths_failed_alone(statuses, servers.attacker)
    assert [seen.body for seen in servers.to_provider if seen.raw_path == b"/ok"] == [b'{"order":"steak"}']


async def test_a_base_url_with_a_path_prefixes_every_request_and_request_filters_see_it_once() -> None:
    seen_by_filter: list[str] = []

    def note(request: httpx.Request) -> None:
        seen_by_filter.append(str(request.url))

    async with provider_and_attacker() as servers:
        pact = pactfile.loads(json.dumps(hostile_pact(servers.attacker)))
        for filters in ((), (note,)):
            servers.to_provider.clear()
            verifier = Verifier(
                "Grill Chef", base_url=servers.provider + "/api/", headers=SECRET, request_filters=filters
            )
            result = await verifier.verify(pact)
            assert servers.to_attacker == []
            expected = {b"/api" + raw.format(attacker=servers.attacker).encode() for raw in TO_PROVIDER.values()}
            assert {seen.raw_path for seen in servers.to_provider} == expected | {b"/api/ok"}
            assert result.count("failed") == len(HOSTILE)
    assert f"{servers.provider}/api/ok" in seen_by_filter
    assert all(url.startswith(servers.provider + "/api/") for url in seen_by_filter)


async def test_a_generated_path_is_checked_too() -> None:
    """A ``fromProviderState`` generator may make the path from a state's value."""
    async with provider_and_attacker() as servers:
        generated = http_interaction("a generated path", {"method": "GET", "path": "/steaks/1"})
        generated["request"]["generators"] = {"path": {"type": "ProviderState", "expression": "${place}"}}
        generated["providerStates"] = [{"name": "a place"}]
        pact = pactfile.loads(
            json.dumps(pact_document(generated, http_interaction("fine", {"method": "GET", "path": "/ok"})))
        )
        verifier = Verifier("Grill Chef", base_url=servers.provider, headers=SECRET)
        verifier.state("a place")(lambda: {"place": f"@{servers.attacker}/steal"})
        result = await verifier.verify(pact)
    assert servers.to_attacker == []
    assert [seen.raw_path for seen in servers.to_provider] == [b"/ok"]
    failed, passed = result.interactions
    assert (failed.status, passed.status) == ("failed", "passed")
    assert str(failed.errors[0]) == (
        "invalid interaction: the request its generators made cannot be sent as written (nothing was sent): "
        f"$.interactions[0].request.path: the path must start with '/', got '@{servers.attacker}/steal' "
        "(requests go to the provider only: a path is never read as a host or a URL)"
    )


async def test_in_process_the_path_goes_into_the_scope_as_a_path() -> None:
    seen: list[Seen] = []
    pact = pactfile.loads(json.dumps(hostile_pact("127.0.0.1:9")))
    result = await Verifier("Grill Chef", app=recording(seen), headers=SECRET).verify(pact)
    statuses = {r.description: (r.status, str(r.errors[0]) if r.errors else "") for r in result.interactions}
    assert_hostile_paths_failed_alone(statuses, "127.0.0.1:9")
    expected = {raw.format(attacker="127.0.0.1:9").encode() for raw in TO_PROVIDER.values()}
    assert {s.raw_path for s in seen} == expected | {b"/ok"}


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_the_official_verifier_sends_nothing_to_another_host_either(tmp_path: Path) -> None:
    """The reference (pact-python 4.2's Rust verifier) puts a ``/`` in front of such a
    path and sends it to the provider, where it passes; apact fails it as invalid
    (docs/conformance.md). Neither sends anything elsewhere."""
    pytest.importorskip("pact", reason="pact-python is not installed")
    os.environ.setdefault("PACT_DO_NOT_TRACK", "true")
    from pact import Verifier as PactPythonVerifier

    async with provider_and_attacker() as servers:
        pact = write(tmp_path / "hostile.json", hostile_pact(servers.attacker))
        official = (
            PactPythonVerifier("Grill Chef", host="127.0.0.1")
            .add_transport(url=servers.provider)
            .add_source(str(pact))
            .add_custom_header("X-Api-Key", "SECRET")
        )
        await anyio.to_thread.run_sync(official.verify)
    assert servers.to_attacker == []
    verdicts = {item["description"]: item["result"] for item in official.results["interactionResults"]}
    assert set(verdicts.values()) == {"OK"}
    assert f"/@{servers.attacker}/steal".encode() in {seen.raw_path for seen in servers.to_provider}


# -- the command line, and pacts from a broker ---------------------------------------------------------


async def apact(*args: str) -> tuple[int, str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PACT_BROKER_")}
    with anyio.fail_after(60):
        done = await anyio.run_process([sys.executable, "-m", "apact", *args], env=environment, check=False)
    return done.returncode, done.stdout.decode(), done.stderr.decode()


def assert_reported_without_traceback(code: int, out: str, err: str, attacker: str) -> None:
    assert code == 1, err
    assert "Traceback" not in out + err
    assert f"{len(HOSTILE)} failed" in out.splitlines()[-1]
    for index, path in enumerate(HOSTILE):
        assert f"  FAILED   path {path.format(attacker=attacker)!r}" in out
        assert f"$.interactions[{index}].request.path: the path must start with '/'" in out
    assert "  passed   fine" in out


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_apact_verify_sends_nothing_to_another_host(tmp_path: Path) -> None:
    async with provider_and_attacker() as servers:
        pact = write(tmp_path / "hostile.json", hostile_pact(servers.attacker))
        code, out, err = await apact(
            "verify", "--base-url", servers.provider, "--header", "X-Api-Key: SECRET", str(pact)
        )
    assert_nothing_left_the_provider(servers)
    assert_reported_without_traceback(code, out, err, servers.attacker)


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_pact_from_a_broker_sends_nothing_to_another_host() -> None:
    """The broker refuses such a pact now (below); one it holds from before (or that
    another broker accepted) still cannot send the provider's secret elsewhere."""
    store = SqliteStore()
    async with provider_and_attacker() as servers, serve(create_app(store)) as broker:
        with store.transaction() as tx:  # stored as an older broker would have: no check
            consumer, _ = ensure_pacticipant(tx, "Sous Chef")
            version, _ = ensure_version(tx, consumer, "1")
            publish_pact(
                tx,
                consumer,
                version,
                "Grill Chef",
                hostile_pact(servers.attacker),
                merge=False,
                allow_modification=True,
            )
        code, out, err = await apact(
            "verify", "--broker-url", broker, "--provider", "Grill Chef", "--base-url", servers.provider,
            "--header", "X-Api-Key: SECRET",
        )  # fmt: skip
    store.close()
    assert_nothing_left_the_provider(servers)
    assert_reported_without_traceback(code, out, err, servers.attacker)


async def test_the_broker_refuses_to_publish_such_a_pact() -> None:
    import base64

    document = hostile_pact("127.0.0.1:9")
    content = base64.b64encode(json.dumps(document).encode()).decode()
    contract = {"consumerName": "Sous Chef", "providerName": "Grill Chef", "specification": "pact", "content": content}
    body = {"pacticipantName": "Sous Chef", "pacticipantVersionNumber": "1", "contracts": [contract]}
    store = SqliteStore()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(store)), base_url="http://broker"
    ) as client:
        published = await client.post("/contracts/publish", json=body)
        put = await client.put("/pacts/provider/Grill%20Chef/consumer/Sous%20Chef/version/1", json=document)
        assert (await client.get("/pacts/provider/Grill%20Chef/consumer/Sous%20Chef/latest")).status_code == 404
    store.close()
    for response, field in ((published, "contracts[0].content"), (put, "pact")):
        assert response.status_code == 400
        errors = response.json()["errors"][field]
        assert len(errors) == len(HOSTILE)
        assert errors[0] == (
            "interaction 0 \"path '@127.0.0.1:9/steal'\": $.interactions[0].request.path: the path must start with '/', "
            "got '@127.0.0.1:9/steal' (requests go to the provider only: a path is never read as a host or a URL)"
        )
        assert errors[-1].startswith(f"interaction {len(HOSTILE) - 1} \"path ''\": $.interactions[{len(HOSTILE) - 1}]")


async def test_the_consumer_builder_refuses_such_a_path() -> None:
    async with Pact("Sous Chef", "Grill Chef", pact_dir=None) as pact:
        builder = pact.upon_receiving("a stolen steak")
        with pytest.raises(ValueError, match=r"^the request of 'a stolen steak' cannot be sent as written: ") as caught:
            builder.with_request("GET", "@127.0.0.1:9/steal")
        assert "$.request.path: the path must start with '/', got '@127.0.0.1:9/steal'" in str(caught.value)
        builder.with_request("GET", "/steaks").will_respond_with(200)
        assert (await pact.client.get("/steaks")).status_code == 200


# -- the URL, built from parts -------------------------------------------------------------------------


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    path=st.text(st.sampled_from(list("/\\@?#:%.2F4 evil")) | st.characters(), max_size=30),
    query=st.none() | st.text(st.sampled_from(list("/\\@?#:%&= evil")) | st.characters(), max_size=20),
    base=st.sampled_from(["http://127.0.0.1:8000", "http://127.0.0.1:8000/api/", "https://provider.test"]),
)
def test_the_host_never_comes_from_the_pact(path: str, query: str | None, base: str) -> None:
    """Whatever the path and raw query, a request either goes to the base URL's
    scheme, host and port, or cannot be built; and the check lets through only paths
    that start with ``/``, kept under the base URL's path."""
    request = HttpRequest("GET", path, raw_query=query)
    problems = request_problems(request)
    where = httpx.URL(base)
    try:
        url = build_request(request, {}).to_httpx(base).url
    except (httpx.InvalidURL, UnicodeError):  # the verifier never gets here: the check said why
        assert problems
        return
    assert (url.scheme, url.host, url.port, url.fragment) == (where.scheme, where.host, where.port, "")
    if not problems:
        assert url.raw_path.startswith(where.raw_path.rstrip(b"/") + b"/")
