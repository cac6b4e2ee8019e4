"""The broker client facing brokers that fail: clear errors, retries of transient
failures only, and no credentials in any message. Small Starlette apps misbehave on
purpose; retries wait for delays of 0 seconds, so nothing sleeps. No ``apact broker``
here, so no backend."""

from __future__ import annotations

import socket
from collections.abc import Callable

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from apact._core import _answers
from apact._core._serve import serve
from apact.broker import BrokerClient, BrokerError
from apact.examples import GRILL_CHEF_PACT

from ..loopback import unending
from .client_helpers import client_of

pytestmark = pytest.mark.anyio

INDEX = {
    "_links": {
        "pb:publish-contracts": {"href": "http://broker/contracts/publish"},
        "pb:environments": {"href": "http://broker/environments"},
        "pb:pacticipant-version": {"href": "http://broker/pacticipants/{pacticipant}/versions/{version}"},
    }
}


def broker(handler: Callable[[Request], Response], calls: list[str]) -> Starlette:
    """An index, and ``handler`` answering everything else (each request counted)."""

    async def index(request: Request) -> Response:
        return JSONResponse(INDEX)

    async def other(request: Request) -> Response:
        calls.append(f"{request.method} {request.url.path}")
        return handler(request)

    return Starlette(
        routes=[Route("/", index), Route("/{path:path}", other, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])]
    )


def answering(*responses: Response) -> Callable[[Request], Response]:
    """Each response in turn, then the last one forever."""
    queue = list(responses)
    return lambda request: queue.pop(0) if len(queue) > 1 else queue[0]


CREATED = JSONResponse({"name": "test", "uuid": "u-1", "production": False}, 201)


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_gateway_errors_are_retried(status: int) -> None:
    calls: list[str] = []
    app = broker(answering(PlainTextResponse("wait", status), PlainTextResponse("wait", status), CREATED), calls)
    async with client_of(app, retry_delays=(0, 0, 0)) as client:
        environment = await client.create_environment("test")
    assert environment.uuid == "u-1"
    assert calls == ["POST /environments"] * 3


async def test_a_broker_that_stays_down_is_an_error_after_the_retries() -> None:
    calls: list[str] = []
    app = broker(answering(JSONResponse({"errors": ["maintenance"]}, 503)), calls)
    async with client_of(app, retry_delays=(0, 0)) as client:
        with pytest.raises(BrokerError) as caught:
            await client.create_environment("test")
    assert len(calls) == 3
    assert caught.value.status == 503
    assert str(caught.value) == (
        "could not create the environment test: POST http://broker/environments answered 503 Service Unavailable: "
        "maintenance (the broker failed 3 times; see its logs)"
    )


@pytest.mark.parametrize(
    ("response", "status", "said"),
    [
        (JSONResponse({"errors": {"name": ["is missing"], "production": ["must be a boolean"]}}, 400), 400,
         ": name: is missing; production: must be a boolean"),
        (JSONResponse({"errors": ["Unauthorized"]}, 401), 401,
         ": Unauthorized (the broker wants credentials: give a token"),
        (JSONResponse({"title": "Forbidden", "detail": "no write access"}, 403), 403,
         ": no write access (the credentials are valid but not allowed to do this (a read-only token?))"),
        (JSONResponse({"errors": ["No environments here"]}, 404), 404, ": No environments here"),
        (JSONResponse({"errors": {"name": ["already exists"]}}, 409), 409, ": name: already exists"),
        (PlainTextResponse("<html>Internal   Server\nError</html>", 500), 500,
         ": <html>Internal Server Error</html> (the broker failed; see its logs)"),
        (Response(b"", 422), 422, "answered 422 Unprocessable Entity"),
    ],
)  # fmt: skip
async def test_other_failures_are_not_retried_and_say_what_the_broker_said(
    response: Response, status: int, said: str
) -> None:
    calls: list[str] = []
    async with client_of(broker(answering(response), calls), retry_delays=(0, 0)) as client:
        with pytest.raises(BrokerError) as caught:
            await client.create_environment("test")
    assert calls == ["POST /environments"]
    assert caught.value.status == status
    assert caught.value.method == "POST" and caught.value.url == "http://broker/environments"
    message = str(caught.value)
    assert message.startswith("could not create the environment test: POST http://broker/environments answered")
    assert said in message


async def test_unreachable_brokers() -> None:
    """No listener: a connection error, retried, then an error naming the broker."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens once it is closed
    async with BrokerClient(f"http://127.0.0.1:{port}", retry_delays=(0, 0), env={}) as client:
        with pytest.raises(BrokerError) as caught:
            await client.publish_pacts([GRILL_CHEF_PACT], consumer_version="1")
    error = caught.value
    assert error.status is None
    assert str(error).startswith(
        f"could not read the Pact Broker's index: cannot reach the Pact Broker at http://127.0.0.1:{port}: "
    )
    assert str(error).endswith("(tried 3 times)")


def counting(calls: list[str], error: type[httpx.TransportError]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if request.url.path == "/":
            return httpx.Response(200, json=INDEX)
        raise error("it went wrong", request=request)

    return httpx.MockTransport(handle)


async def test_which_transport_errors_are_retried() -> None:
    """A connection never made is retried for any request; a lost response only for a
    request that may be repeated (not a POST, which could have been done twice)."""
    for error, method, attempts in [
        (httpx.ConnectError, "POST", 3),
        (httpx.ConnectTimeout, "POST", 3),
        (httpx.ReadTimeout, "POST", 1),
        (httpx.RemoteProtocolError, "POST", 1),
        (httpx.ReadTimeout, "GET", 3),
    ]:
        calls: list[str] = []
        async with client_of(counting(calls, error), retry_delays=(0, 0)) as client:
            with pytest.raises(BrokerError) as caught:
                if method == "POST":
                    await client.create_environment("test")
                else:
                    await client.environments()
        assert calls == ["GET"] + [method] * attempts, (error, method)
        assert "cannot reach the Pact Broker at http://broker: " in str(caught.value)
        if error is httpx.ReadTimeout:
            assert "no answer in time (ReadTimeout)" in str(caught.value)


async def test_something_that_is_not_a_broker() -> None:
    app = Starlette(routes=[Route("/", lambda request: PlainTextResponse("<html>hello</html>"))])
    async with client_of(app) as client:
        with pytest.raises(BrokerError, match=r"answered 200 with something that is not JSON \(text/plain; "
                           r"charset=utf-8\): is http://broker a Pact Broker\?"):  # fmt: skip
            await client.environments()
    async with client_of(Starlette(routes=[Route("/", lambda request: JSONResponse({}))])) as client:
        with pytest.raises(BrokerError, match="has no 'pb:environments' relation in its index"):
            await client.environments()


DEEP = b"[" * 100_000 + b"]" * 100_000


def misbehaving(kind: str) -> httpx.MockTransport:
    """A broker whose every answer is wrong in one way no Pact Broker is."""

    def handle(request: httpx.Request) -> httpx.Response:
        if kind == "deep":  # nested past the parser's recursion limit
            return httpx.Response(200, content=DEEP, headers={"Content-Type": "application/hal+json"})
        if kind == "deep error":
            return httpx.Response(400, content=DEEP, headers={"Content-Type": "application/hal+json"})
        if kind == "redirect loop":
            return httpx.Response(302, headers={"Location": str(request.url)})
        assert kind == "bad gzip"  # says gzip, is not
        return httpx.Response(200, content=b"{}", headers={"Content-Encoding": "gzip"})

    return httpx.MockTransport(handle)


@pytest.mark.parametrize(
    ("kind", "said"),
    [
        ("deep", "answered 200 with JSON nested too deep to read (application/hal+json)"),
        ("deep error", "answered 400 Bad Request: [[[[["),
        ("redirect loop", "cannot reach the Pact Broker at http://broker: it redirected more than 20 times"),
        ("bad gzip", "cannot reach the Pact Broker at http://broker: the answer's body could not be decoded"),
    ],
)
async def test_answers_no_broker_gives_are_errors_not_tracebacks(kind: str, said: str) -> None:
    # each was a RecursionError, TooManyRedirects or DecodingError out of the client
    async with client_of(misbehaving(kind), retry_delays=(0, 0)) as client:
        with pytest.raises(BrokerError) as caught:
            await client.environments()
    assert str(caught.value).startswith("could not read the Pact Broker's index: "), str(caught.value)
    assert said in str(caught.value)
    assert len(str(caught.value)) < 700


async def test_credentials_never_show_in_errors() -> None:
    """Even a broker that echoes the Authorization header back."""

    def echo(request: Request) -> Response:
        return JSONResponse({"errors": [f"bad header {request.headers.get('authorization')}"]}, 401)

    app = broker(echo, [])
    async with client_of(app, token="t0p-secret") as client:
        with pytest.raises(BrokerError) as with_token:
            await client.create_environment("test")
    async with client_of(app, username="chef", password="pa55word") as client:
        with pytest.raises(BrokerError) as with_password:
            await client.create_environment("test")
    async with client_of(app, base_url="http://chef:pa55word@broker") as client:
        with pytest.raises(BrokerError) as in_the_url:
            await client.create_environment("test")
        assert "pa55word" not in repr(client)
    assert "bad header Bearer ***" in str(with_token.value)
    assert "bad header Basic ***" in str(with_password.value)
    for caught in (with_token, with_password, in_the_url):
        error = caught.value
        for text in (str(error), repr(error), error.detail or "", error.url or "", repr(error.__reduce__())):
            assert "t0p-secret" not in text and "pa55word" not in text
            assert "Y2hlZjpwYTU1d29yZA" not in text  # base64 of chef:pa55word
    async with client_of(app, token="t0p-secret") as client:
        assert "t0p-secret" not in repr(client) and "t0p-secret" not in repr(client._hal.credentials)


@pytest.mark.parametrize(
    ("kind", "said"),
    [
        ("trickled", "gave no whole answer within 1 s"),
        ("endless", "answered more than 1 MiB"),
        ("declared", "answered more than 1 MiB"),
    ],  # fmt: skip
)
async def test_an_answer_that_never_ends_is_an_error_not_a_hang(
    kind: str, said: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """httpx's timeout bounds each read, not the answer: a broker (or a proxy) trickling
    its answer held every command for ever, and one answering without end filled the memory."""
    monkeypatch.setattr(_answers, "MAX_ANSWER_SIZE", 1024 * 1024)
    async with serve(unending(kind)) as url, BrokerClient(url, timeout=1, retry_delays=(), env={}) as client:
        with pytest.raises(BrokerError) as caught:
            await client.environments()
    assert str(caught.value) == f"could not read the Pact Broker's index: GET {url} {said}"
