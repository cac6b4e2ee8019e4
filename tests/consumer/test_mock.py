"""The mock provider (an ASGI app) and serving it over real HTTP."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from pathlib import Path

import anyio
import anyio.to_thread
import httpx
import pytest

import apact.consumer.mock
from apact import match, pactfile
from apact._core._serve import serve
from apact._core._types import Receive, Scope, Send
from apact.consumer import ConsumerMismatchError, Pact
from apact.mock import MockProvider
from apact.model import HttpInteraction, HttpRequest, HttpResponse, Spec

pytestmark = pytest.mark.anyio

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def interactions(*built: HttpInteraction) -> MockProvider:
    return MockProvider(built, spec=Spec.V4)


def http(
    description: str, method: str = "GET", path: str = "/", status: int = 200, **response: object
) -> HttpInteraction:
    return HttpInteraction(description, HttpRequest(method, path), HttpResponse(status, **response))  # type: ignore[arg-type]


def built(pact: Pact) -> MockProvider:
    return pact.mock


def client_for(mock: MockProvider) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=mock), base_url="http://apact.mock")


async def test_a_matching_request_gets_the_interactions_response() -> None:
    pact = Pact("c", "p", pact_dir=None)
    (
        pact.upon_receiving("a steak")
        .with_request("POST", "/steaks/", headers={"X-Table": match.integer(7)}, body={"cooking": match.like("rare")})
        .will_respond_with(201, headers={"Cache-Control": ["no-cache", "no-store"]}, body={"waitingTime": 10})
    )
    async with client_for(pact.mock) as client:
        response = await client.post("/steaks/", headers={"x-table": "12"}, json={"cooking": "medium"})
    assert response.status_code == 201
    assert response.json() == {"waitingTime": 10}
    assert response.headers["content-type"] == "application/json"
    assert response.headers.get_list("cache-control") == ["no-cache", "no-store"]
    assert pact.mock.calls(0) == 1 and pact.mock.unexpected == [] and pact.mock.missing() == []


async def test_an_unexpected_request_gets_a_500_listing_every_mismatch_of_the_closest_interactions() -> None:
    pact = Pact("c", "p", pact_dir=None)
    pact.upon_receiving("a steak").with_request(
        "POST", "/steaks/", body={"cooking": "rare", "side": "fries"}
    ).will_respond_with(201)
    pact.upon_receiving("the menu").with_request("GET", "/menu").will_respond_with(200)
    async with client_for(pact.mock) as client:
        response = await client.post("/steaks/", params={"hurry": "yes"}, json={"cooking": "well-done"})
    assert response.status_code == 500
    assert response.headers["x-apact"] == "unexpected-request"
    report = response.json()
    assert report["error"] == "apact mock provider: no interaction matches POST /steaks/?hurry=yes"
    assert report["request"]["body"] == {"cooking": "well-done"}
    assert [c["description"] for c in report["closest"]] == ["a steak"]  # same route: the menu is not shown
    assert report["closest"][0]["mismatches"] == [
        {
            "kind": "query",
            "path": "$.query.hurry",
            "expected": None,
            "actual": ["yes"],
            "message": 'unexpected query parameter "hurry"="yes"',
        },
        {
            "kind": "body",
            "path": "$.body.side",
            "expected": "fries",
            "actual": None,
            "message": 'expected key "side" (like "fries"), but it is missing',
        },
        {
            "kind": "body",
            "path": "$.body.cooking",
            "expected": "rare",
            "actual": "well-done",
            "message": 'expected "rare", got "well-done"',
        },
    ]
    assert report["report"].splitlines()[:3] == [
        "unexpected request: POST /steaks/?hurry=yes",
        '  closest interaction: "a steak"',
        '    $.query.hurry: unexpected query parameter "hurry"="yes"',
    ]
    assert '-  "cooking": "rare",' in report["report"] and '+  "cooking": "well-done"' in report["report"]
    assert len(pact.mock.unexpected) == 1
    assert pact.mock.unexpected[0].request.path == "/steaks/"


async def test_with_no_interaction_on_the_route_the_three_closest_are_reported() -> None:
    mock = interactions(*(http(f"item {n}", path=f"/items/{n}") for n in range(5)), http("post", "POST", "/items/1"))
    async with client_for(mock) as client:
        report = (await client.get("/things")).json()
    assert [c["description"] for c in report["closest"]] == ["item 0", "item 1", "item 2"]
    assert report["closest"][0]["mismatches"] == [
        {
            "kind": "path",
            "path": "$.path",
            "expected": "/items/0",
            "actual": "/things",
            "message": 'expected path "/items/0", got "/things"',
        }
    ]
    async with client_for(MockProvider()) as client:
        empty = (await client.get("/")).json()
    assert empty["closest"] == [] and "(no interactions were defined)" in empty["report"]


async def test_identical_requests_answer_in_turn_then_the_first_keeps_answering() -> None:
    mock = interactions(http("first", status=201), http("second", status=202))
    async with client_for(mock) as client:
        statuses = [(await client.get("/")).status_code for _ in range(3)]
    assert statuses == [201, 202, 201]
    assert (mock.calls(0), mock.calls(1)) == (2, 1)


async def test_a_path_with_a_rule_matches_other_paths() -> None:
    pact = Pact("c", "p", pact_dir=None)
    pact.upon_receiving("an item").with_request("GET", match.regex(r"/items/\d+", "/items/1")).will_respond_with(
        200, body={"ok": True}
    )
    pact.upon_receiving("the root").with_request("GET", "/").will_respond_with(204)
    async with client_for(pact.mock) as client:
        assert (await client.get("/items/987")).json() == {"ok": True}
        assert (await client.get("/")).status_code == 204
        assert (await client.get("/items/x")).status_code == 500


async def test_finding_the_interaction_looks_only_at_the_requests_route(monkeypatch: pytest.MonkeyPatch) -> None:
    mock = interactions(*(http(f"item {n}", path=f"/items/{n}") for n in range(1000)))
    compared: list[str] = []
    original = apact.consumer.mock.request_mismatches  # type: ignore[attr-defined]  # patched where the mock looks it up

    def counting(expected: HttpRequest, actual: HttpRequest, spec: Spec) -> list[object]:
        compared.append(expected.path)
        return original(expected, actual, spec)  # type: ignore[return-value]

    monkeypatch.setattr(apact.consumer.mock, "request_mismatches", counting)
    async with client_for(mock) as client:
        for n in (999, 0, 500):
            assert (await client.get(f"/items/{n}")).status_code == 200
    assert compared == ["/items/999", "/items/0", "/items/500"]


async def test_on_one_route_only_interactions_that_could_match_the_body_are_compared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pact = Pact("c", "p", pact_dir=None)
    for n in range(1000):
        pact.upon_receiving(f"order {n}").with_request(
            "POST", "/orders", body={"n": n, "x": -0.0 if n == 7 else 0.5}
        ).will_respond_with(200, body={"n": n})
    pact.upon_receiving("any big order").with_request(
        "POST", "/orders", body={"n": match.integer(1000), "x": 0.5}
    ).will_respond_with(201)
    compared: list[str] = []
    original = apact.consumer.mock.request_mismatches  # type: ignore[attr-defined]  # patched where the mock looks it up

    def counting(expected: HttpRequest, actual: HttpRequest, spec: Spec) -> list[object]:
        compared.append(expected.body.content.decode())  # type: ignore[union-attr]
        return original(expected, actual, spec)  # type: ignore[return-value]

    monkeypatch.setattr(apact.consumer.mock, "request_mismatches", counting)
    async with client_for(pact.mock) as client:
        assert (await client.post("/orders", json={"x": 0.5, "n": 500})).json() == {"n": 500}
        assert (
            await client.post("/orders", content=b'{"n": 7, "x": 0.0}', headers={"Content-Type": "application/json"})
        ).json() == {"n": 7}
        assert (await client.post("/orders", json={"n": 5000, "x": 0.5})).status_code == 201
        assert (await client.post("/orders", json={"n": 1.0, "x": 0.5})).status_code == 500  # 1.0 is not the integer 1
    assert compared[:6] == [
        '{"n":500,"x":0.5}',
        '{"n":1000,"x":0.5}',
        '{"n":7,"x":-0.0}',
        '{"n":1000,"x":0.5}',
        '{"n":1000,"x":0.5}',
        '{"n":1000,"x":0.5}',
    ]


async def test_replacing_an_interaction_moves_it_to_its_new_route() -> None:
    mock = interactions(http("a", path="/a"))
    mock.replace(0, http("a", path="/b", status=201))
    async with client_for(mock) as client:
        assert (await client.get("/b")).status_code == 201
        assert (await client.get("/a")).status_code == 500


async def test_head_requests_get_headers_only_and_generated_urls_point_at_the_mock() -> None:
    from apact import generate

    pact = Pact("c", "p", pact_dir=None)
    pact.upon_receiving("an order").with_request("GET", "/orders/1").will_respond_with(
        200,
        headers={"Location": generate.mock_server_url("http://provider/orders/1")},
        body={"self": generate.mock_server_url("http://provider/orders/1")},
    )
    pact.upon_receiving("a check").with_request("HEAD", "/orders/1").will_respond_with(200, body={"x": 1})
    async with client_for(pact.mock) as client:
        response = await client.get("/orders/1")
        head = await client.head("/orders/1")
    assert response.json() == {"self": "http://apact.mock/orders/1"}
    assert response.headers["location"] == "http://apact.mock/orders/1"
    assert head.status_code == 200 and head.content == b"" and head.headers["content-length"] == "7"


async def test_cors_preflight_is_answered_only_when_enabled() -> None:
    preflight = {
        "Origin": "http://app.test",
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "x-token",
    }
    for cors in (True, False):
        mock = MockProvider([http("put", "PUT", "/x")], cors=cors)
        async with client_for(mock) as client:
            response = await client.options("/x", headers=preflight)
            actual = await client.put("/x", headers={"Origin": "http://app.test"})
        if cors:
            assert response.status_code == 204
            assert response.headers["access-control-allow-origin"] == "http://app.test"
            assert response.headers["access-control-allow-headers"] == "x-token"
            assert "PUT" in response.headers["access-control-allow-methods"]
            assert actual.headers["access-control-allow-origin"] == "http://app.test"
            assert mock.unexpected == []
        else:
            assert response.status_code == 500
            assert "access-control-allow-origin" not in actual.headers
            assert len(mock.unexpected) == 1


async def test_a_stub_can_serve_the_interactions_of_a_pact_file() -> None:
    pact = pactfile.load(FIXTURES / "pact-python" / "v3-http.json")
    mock = MockProvider([i for i in pact.interactions if isinstance(i, HttpInteraction)], spec=pact.spec)
    async with client_for(mock) as client:
        response = await client.get(
            "/items", params=[("page", "2"), ("q", "a b&c=d"), ("sort", "name"), ("tag", "red"), ("tag", "blue")]
        )
        greeting = await client.get("/greeting")
    assert response.status_code == 200, response.text
    assert greeting.text == "Hello, Alice!" and greeting.headers["content-type"] == "text/plain"


async def test_a_pact_request_body_that_is_not_what_its_content_type_says_matches_no_request() -> None:
    """Not even its own bytes, as in the official core (the interop cases
    ``/v3-xml-body-not-well-formed``, ``/v4-json-body-not-json``); the report says the
    pact is at fault, not the request."""
    document = {
        "consumer": {"name": "Sous Chef"},
        "provider": {"name": "Grill Chef"},
        "interactions": [
            {
                "description": "an order in XML",
                "request": {
                    "method": "POST",
                    "path": "/orders",
                    "headers": {"Content-Type": "application/xml"},
                    "body": "<order><side></order>",
                },
                "response": {"status": 201},
            }
        ],
        "metadata": {"pactSpecification": {"version": "3.0.0"}},
    }
    pact = pactfile.loads(json.dumps(document).encode(), file="orders.json")
    mock = MockProvider([i for i in pact.interactions if isinstance(i, HttpInteraction)], spec=pact.spec)
    async with client_for(mock) as client:
        response = await client.post(
            "/orders", content=b"<order><side></order>", headers={"Content-Type": "application/xml"}
        )
    assert response.status_code == 500
    [closest] = response.json()["closest"]
    [mismatch] = closest["mismatches"]
    assert mismatch["path"] == "$.body"
    assert mismatch["message"].startswith(
        "the pact's body is not well-formed XML although its content type is application/xml: mismatched tag: "
    )
    assert mismatch["message"].endswith("; no request can match it")
    assert mock.missing() == list(mock.interactions)


async def test_an_unexpected_request_is_reported_with_what_a_terminal_would_act_on_as_escapes() -> None:
    """A client's path may hold an escape sequence (``%1B``): the consumer test's failure
    shows it escaped, not acted on."""
    pact = Pact("c", "p", pact_dir=None)
    async with client_for(pact.mock) as client:
        assert (await client.get("/steaks%1B[2J%C2%9B")).status_code == 500
    problems = str(ConsumerMismatchError("c", "p", pact.problems()))
    assert "\x1b" not in problems and "\x9b" not in problems
    assert "unexpected request: GET /steaks\\x1b[2J\\x9b" in problems


# -- serving over HTTP --------------------------------------------------------------------


async def test_serve_binds_loopback_on_an_ephemeral_port_and_stops_on_exit() -> None:
    mock = interactions(http("ping", path="/ping", body=None))
    async with serve(mock) as url:
        assert url.startswith("http://127.0.0.1:")
        port = int(url.rsplit(":", 1)[1])
        assert port > 0
        async with httpx.AsyncClient() as client:  # a keep-alive connection left open at exit
            assert (await client.get(url + "/ping")).status_code == 200

            def blocking_get() -> int:
                with urllib.request.urlopen(url + "/ping") as response:  # another thread
                    return int(response.status)

            assert await anyio.to_thread.run_sync(blocking_get) == 200
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


async def test_two_servers_get_two_ports() -> None:
    mock = MockProvider()
    async with serve(mock) as one, serve(mock) as two:
        assert one != two


async def test_serve_runs_the_apps_lifespan() -> None:
    events: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                events.append(message["type"])
                await send({"type": message["type"] + ".complete"})
                if message["type"] == "lifespan.shutdown":
                    return
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async with serve(app) as url, httpx.AsyncClient() as client:
        assert (await client.get(url)).status_code == 204
    assert events == ["lifespan.startup", "lifespan.shutdown"]


async def test_an_unexpected_request_over_http_reads_as_json_in_the_clients_error() -> None:
    mock = interactions(http("ping", path="/ping"))
    async with serve(mock) as url:

        def blocking_get() -> dict[str, object]:
            try:
                urllib.request.urlopen(url + "/pong")
            except urllib.error.HTTPError as error:
                assert error.code == 500
                return json.loads(error.read())  # type: ignore[no-any-return]
            raise AssertionError("expected a 500")

        report = await anyio.to_thread.run_sync(blocking_get)
    assert report["closest"][0]["mismatches"][0]["message"] == 'expected path "/ping", got "/pong"'  # type: ignore[index]
