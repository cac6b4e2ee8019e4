"""The mock provider served over HTTP (``Pact(..., serve_http=True)``) against hostile
clients, over real sockets (issue 11: bodies without a size limit or a read timeout, and
a block that ends with slow connections open printing a traceback for each)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import anyio.to_thread
import pytest

from apact import Pact, match

from ..hostile import (
    Trickle,
    alone,
    assert_responsive,
    connect,
    flooding,
    latencies,
    peak_memory,
    read_response,
    request_head,
    wait_until,
)

pytestmark = pytest.mark.anyio

MiB = 1024 * 1024
STEAK = json.dumps({"cooking": "medium-rare"}).encode()
JSON_TYPE = {"Content-Type": "application/json"}


def steak(pact: Pact) -> None:
    (
        pact.upon_receiving("a request for a steak")
        .with_request("POST", "/steaks/", body={"cooking": "medium-rare"})
        .will_respond_with(201, body={"waitingTime": match.integer(10)})
    )


def _send(url: str, head: bytes, *chunks: bytes) -> tuple[int, str, bool]:
    with connect(url) as sock:
        sock.sendall(head)
        for chunk in chunks:
            sock.sendall(chunk)
        response = read_response(sock, timeout=10)
    return response.status, json.loads(response.body)["error"], response.closed


async def test_a_body_declared_above_the_default_limit_is_refused_before_it_is_sent() -> None:
    async with Pact("Sous Chef", "Grill Chef", pact_dir=None, serve_http=True) as pact:
        steak(pact)
        head = request_head("POST", "/steaks/", {**JSON_TYPE, "Content-Length": str(11 * MiB)})
        status, message, closed = await anyio.to_thread.run_sync(_send, pact.url, head)
        assert (status, closed) == (413, True)
        assert "10 MiB" in message and "max_body_size" in message
        assert await anyio.to_thread.run_sync(
            lambda: latencies(pact.url, "/steaks/", 1, body=STEAK, method="POST", expect=201)
        )
    assert pact.mock.unexpected == []  # refused before the mock saw it


async def test_a_body_is_cut_off_at_the_limit_the_pact_gives() -> None:
    async with Pact("Sous Chef", "Grill Chef", pact_dir=None, serve_http=True, max_body_size=1024) as pact:
        steak(pact)
        head = request_head("POST", "/steaks/", {**JSON_TYPE, "Transfer-Encoding": "chunked"})
        status, message, closed = await anyio.to_thread.run_sync(
            _send, pact.url, head, *[b"64\r\n" + b" " * 100 + b"\r\n"] * 11
        )
        assert (status, closed) == (413, True)
        assert "1 KiB" in message and "Pact(max_body_size=...)" in message
        padded = STEAK + b" " * (1024 - len(STEAK))  # exactly the limit: answered
        assert await anyio.to_thread.run_sync(
            lambda: latencies(pact.url, "/steaks/", 1, body=padded, method="POST", expect=201)
        )


async def test_big_bodies_are_refused_at_once_and_the_mock_answers_meanwhile(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Twelve clients declaring 300 MB bodies, over and over, to a mock served in this
    very process: each is refused before its body is read, this process's memory barely
    moves, and the mock keeps answering."""
    declared = {**JSON_TYPE, "Content-Length": str(300 * MiB)}

    def attack(url: str) -> tuple[list[float], list[float], int]:
        baseline = latencies(url, "/steaks/", 10, method="POST", body=STEAK, expect=201)
        before = peak_memory(os.getpid())
        with flooding(url, "/steaks/", [declared] * 12, 64 * MiB):
            found = latencies(url, "/steaks/", method="POST", body=STEAK, expect=201)
        return found, baseline, peak_memory(os.getpid()) - before

    with alone(tmp_path_factory):
        async with Pact("Sous Chef", "Grill Chef", pact_dir=None, serve_http=True) as pact:
            steak(pact)
            found, baseline, grown = await anyio.to_thread.run_sync(attack, pact.url)
    assert grown < 50 * MiB, f"the test process grew by {grown / MiB:.0f} MiB"
    assert_responsive(found, baseline)


async def test_a_trickled_body_times_out_with_408() -> None:
    head = request_head("POST", "/steaks/", {**JSON_TYPE, "Content-Length": "100"})
    async with Pact("Sous Chef", "Grill Chef", pact_dir=None, serve_http=True, body_timeout=1) as pact:
        status, message, closed = await anyio.to_thread.run_sync(_send, pact.url, head + b"{")
    assert (status, closed) == (408, True)
    assert "1 seconds" in message and "Pact(body_timeout=...)" in message


async def test_trickled_bodies_are_let_go_and_the_mock_answers_meanwhile(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    head = request_head("POST", "/steaks/", {**JSON_TYPE, "Content-Length": "100000"})

    def attack(url: str) -> tuple[list[float], list[float]]:
        baseline = latencies(url, "/steaks/", 10, method="POST", body=STEAK, expect=201)
        with Trickle(url, 200, head) as slow:
            latencies(url, "/steaks/", 1, method="POST", body=STEAK, expect=201)  # once all are taken in
            found = latencies(url, "/steaks/", 10, 0.02, method="POST", body=STEAK, expect=201)
            assert slow.open_count() > 0  # measured while the attack runs
            wait_until(lambda: slow.open_count() == 0, 20, "every trickling connection closed")
        return found, baseline

    with alone(tmp_path_factory):
        async with Pact("Sous Chef", "Grill Chef", pact_dir=None, serve_http=True, body_timeout=5) as pact:
            steak(pact)
            assert_responsive(*await anyio.to_thread.run_sync(attack, pact.url))


SLOW_CLIENTS_AT_EXIT = """
import asyncio, socket
from apact import Pact

STEAK = b'{"cooking": "medium-rare"}'


def slow_clients(url, count):
    \"\"\"Connections that had one request answered (so the server surely holds them),
    then started a second whose body never comes.\"\"\"
    host, port = url.rsplit("/", 1)[1].split(":")
    slow = []
    for _ in range(count):
        sock = socket.create_connection((host, int(port)), timeout=10)
        sock.sendall(b"POST /steaks/ HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: application/json\\r\\nContent-Length: %d\\r\\n\\r\\n%s" % (len(STEAK), STEAK))
        answer = b""
        while not answer.endswith(b"}"):
            answer += sock.recv(4096)
        assert b" 201 " in answer, answer
        sock.sendall(b"POST /steaks/ HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: application/json\\r\\nContent-Length: 100\\r\\n\\r\\n{")
        slow.append(sock)
    return slow


async def main():
    async with Pact("Sous Chef", "Grill Chef", pact_dir=None, serve_http=True, body_timeout=600) as pact:
        (pact.upon_receiving("a request for a steak")
             .with_request("POST", "/steaks/", body={"cooking": "medium-rare"})
             .will_respond_with(201, body={"waitingTime": 10}))
        slow = await asyncio.to_thread(slow_clients, pact.url, 30)
    print("the block ended", flush=True)
    for sock in slow:
        sock.close()

asyncio.run(main())
"""


def test_a_block_ending_with_slow_connections_open_prints_no_tracebacks(tmp_path: Path) -> None:
    """Thirty clients still sending their bodies when the block ends: they are cut off
    quietly (each printed a CancelledError traceback), and soon: on Python 3.12 and later
    the block waited for them until the body timeout (600 s here; the test gives up at 60)."""
    script = tmp_path / "slow_clients.py"
    script.write_text(textwrap.dedent(SLOW_CLIENTS_AT_EXIT))
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "the block ended\n"
    assert result.stderr == ""
