"""Sync test suites (issue 19): ``with Pact(...)`` in a test that is not async, with a
``requests`` client, and blocking clients inside ``async with``. The mock is served
from a thread of its own in both forms."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import anyio
import httpx
import pytest
import requests

from apact import ConsumerMismatchError, Pact, SyncPact, match

from ..hostile import NeverReading

ANSWER_WITHIN = 5.0  # seconds: generous on a loaded machine; the mock answers in milliseconds


def orders(pact: Pact | SyncPact) -> None:
    """The interactions both twins write: a state with params, matchers, a generator."""
    (
        pact.given("order 7 exists", id=7)
        .upon_receiving("a request for order 7")
        .with_request("GET", "/orders/7", query={"expand": "lines"}, headers={"Accept": "application/json"})
        .will_respond_with(
            200,
            body={
                "id": match.integer(7),
                "placed": match.datetime("2026-12-02T10:00:00", format="yyyy-MM-dd'T'HH:mm:ss"),
                "lines": match.each_like({"sku": match.string("A-1"), "count": match.integer(2)}),
            },
        )
    )
    (
        pact.upon_receiving("a new order")
        .with_request("POST", "/orders", body={"lines": [{"sku": "A-1", "count": 2}]})
        .will_respond_with(201, headers={"Location": match.regex(r"/orders/\d+", "/orders/8")}, body={"id": 8})
    )


def test_a_sync_test_with_requests_writes_the_same_pact_as_its_async_twin(tmp_path: Path) -> None:
    with Pact("web", "orders", pact_dir=tmp_path / "sync") as pact:
        orders(pact)
        found = requests.get(
            pact.url + "/orders/7",
            params={"expand": "lines"},
            headers={"Accept": "application/json"},
            timeout=ANSWER_WITHIN,
        )
        assert found.status_code == 200 and found.json()["lines"] == [{"sku": "A-1", "count": 2}]
        created = requests.post(pact.url + "/orders", json={"lines": [{"sku": "A-1", "count": 2}]}, timeout=5)
        assert created.status_code == 201 and created.headers["Location"] == "/orders/8"

    async def async_twin() -> None:
        async with Pact("web", "orders", pact_dir=tmp_path / "async") as pact:
            orders(pact)
            found = await pact.client.get(
                "/orders/7", params={"expand": "lines"}, headers={"Accept": "application/json"}
            )
            assert found.status_code == 200
            created = await pact.client.post("/orders", json={"lines": [{"sku": "A-1", "count": 2}]})
            assert created.status_code == 201

    anyio.run(async_twin)
    written = (tmp_path / "sync" / "web-orders.json").read_bytes()
    assert b'"order 7 exists"' in written and b'"a new order"' in written
    assert written == (tmp_path / "async" / "web-orders.json").read_bytes()


def test_pact_client_is_a_sync_httpx_client_for_the_served_mock(tmp_path: Path) -> None:
    with Pact("web", "orders", pact_dir=tmp_path) as pact:
        orders(pact)
        client: httpx.Client = pact.client
        assert isinstance(client, httpx.Client) and client is pact.client
        assert str(client.base_url) == pact.url + "/" or str(client.base_url) == pact.url
        found = client.get("/orders/7", params={"expand": "lines"}, headers={"Accept": "application/json"})
        assert found.json()["id"] == 7
        assert client.post("/orders", json={"lines": [{"sku": "A-1", "count": 2}]}).status_code == 201
    assert client.is_closed
    assert (tmp_path / "web-orders.json").exists()


def test_a_client_that_never_reads_its_answer_does_not_keep_the_block_from_ending() -> None:
    """A response left unread (a stream never consumed, a hung client process) used to
    hold ``with Pact`` open until that client went away: forever, when the test held it."""
    with Pact("web", "files", pact_dir=None) as pact:
        big = "x" * (16 * 1024 * 1024)  # more than the kernel's buffers on both sides hold
        pact.upon_receiving("a big file").with_request("GET", "/big").will_respond_with(200, body=big)
        client = NeverReading(pact.url, "/big")
        client.answered()
    with client:
        assert client.let_go_by_server(), "the block waited for the client to go"


def _failure(block: Callable[[Pact | SyncPact], None], sync: bool, pact_dir: Path) -> BaseException:
    """The exception leaving a block (``with`` or ``async with``) that runs ``block``."""
    if sync:
        with pytest.raises(BaseException) as raised, Pact("web", "orders", pact_dir=pact_dir) as pact:
            block(pact)
        return raised.value

    async def run() -> BaseException:
        with pytest.raises(BaseException) as raised:
            async with Pact("web", "orders", pact_dir=pact_dir, serve_http=True) as pact:
                await anyio.to_thread.run_sync(block, pact)
        return raised.value

    return anyio.run(run)


def _missing_and_unexpected(pact: Pact | SyncPact) -> None:
    orders(pact)
    answer = requests.get(pact.url + "/orders/9", timeout=ANSWER_WITHIN)
    assert answer.status_code == 500 and answer.headers["x-apact"] == "unexpected-request"


def _raises(pact: Pact | SyncPact) -> None:
    orders(pact)
    raise LookupError("the consumer's own bug")


@pytest.mark.parametrize("block", [_missing_and_unexpected, _raises])
def test_a_failing_with_block_fails_as_the_async_block_does_and_writes_nothing(
    tmp_path: Path, block: Callable[[Pact | SyncPact], None]
) -> None:
    sync = _failure(block, True, tmp_path)
    twin = _failure(block, False, tmp_path)
    assert type(sync) is type(twin) and str(sync) == str(twin)
    assert getattr(sync, "__notes__", None) == getattr(twin, "__notes__", None)
    if isinstance(sync, ConsumerMismatchError):
        assert "unexpected request: GET /orders/9" in str(sync)
        assert '2. missing request: "a request for order 7" (given order 7 exists) expected GET /orders/7' in str(sync)
    else:
        assert isinstance(sync, LookupError)
        (note,) = getattr(sync, "__notes__", [])
        assert '2. missing request: "a new order" expected POST /orders' in note
    assert not (tmp_path / "web-orders.json").exists()


def _refused(url: str) -> bool:
    parts = urlsplit(url)
    assert parts.port is not None
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=ANSWER_WITHIN).close()
    except ConnectionRefusedError:
        return True
    return False


def _mock_threads() -> list[threading.Thread]:
    """The threads serving mocks (anyio's blocking portals, named ``asyncio-portal-...``)."""
    return [thread for thread in threading.enumerate() if "portal" in thread.name]


def test_the_with_block_stops_its_server_and_thread(tmp_path: Path) -> None:
    before = _mock_threads()
    with Pact("web", "orders", pact_dir=None) as pact:
        url = pact.url
        assert len(_mock_threads()) == len(before) + 1  # the mock's own thread
        assert not _refused(url)
        with pytest.raises(RuntimeError, match="already in use"), pact:  # type: ignore[attr-defined]
            pass  # pragma: no cover
    assert _refused(url)
    assert _mock_threads() == before
    with pytest.raises(RuntimeError, match=r"pact\.client is only available inside .*`with Pact\(\.\.\.\) as pact:`"):
        pact.client  # noqa: B018
    with pytest.raises(RuntimeError, match="not served over HTTP"):
        pact.url  # noqa: B018


@pytest.mark.anyio
async def test_a_with_block_on_an_event_loop_is_refused_with_what_to_do(anyio_backend: str) -> None:
    pact = Pact("web", "orders", pact_dir=None)
    with (
        pytest.raises(
            RuntimeError, match=rf"`with Pact\(\.\.\.\)` is for sync tests, .* in an event loop \({anyio_backend}\)"
        ),
        pact,
    ):
        pass  # pragma: no cover
    async with pact:  # the Pact is not left half open
        pass


@pytest.mark.anyio
async def test_a_blocking_client_on_the_event_loop_gets_its_answer() -> None:
    # issue 19: requests.get made on the test's own event loop, the mock served on that
    # loop, could never be answered (the test hung, or ended in a ReadTimeout)
    async with Pact("web", "orders", pact_dir=None, serve_http=True) as pact:
        pact.upon_receiving("a request for order 1").with_request("GET", "/orders/1").will_respond_with(
            200, body={"id": match.integer(1)}
        )
        response = requests.get(pact.url + "/orders/1", timeout=ANSWER_WITHIN)
        assert response.status_code == 200
        assert response.json() == {"id": 1}
        url = pact.url
    assert _refused(url)


@pytest.mark.anyio
async def test_a_cancelled_async_block_leaves_no_server_behind() -> None:
    before = _mock_threads()
    urls: list[str] = []
    with anyio.move_on_after(0.5) as scope:
        async with Pact("web", "orders", pact_dir=None, serve_http=True) as pact:
            urls.append(pact.url)
            await anyio.sleep_forever()
    assert scope.cancelled_caught
    assert _refused(urls[0])
    assert _mock_threads() == before
