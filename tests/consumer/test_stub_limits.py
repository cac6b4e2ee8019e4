"""``apact stub`` against hostile clients, over real sockets to a real process (issue 11:
bodies without a size limit or a read timeout)."""

from __future__ import annotations

import json
import sys
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
import pytest

from apact.examples import GRILL_CHEF_PACT

from ..hostile import (
    Server,
    Trickle,
    alone,
    assert_responsive,
    connect,
    flooding,
    latencies,
    peak_memory,
    read_response,
    request_head,
    server_process,
    wait_until,
)

MiB = 1024 * 1024
STEAK = json.dumps({"cooking": "medium-rare"}).encode()
JSON_TYPE = {"Content-Type": "application/json"}


def stub(tmp_path: Path, *options: str, open_files: int | None = None) -> AbstractContextManager[Server]:
    return server_process(["-m", "apact", "stub", str(GRILL_CHEF_PACT), *options], tmp_path, open_files=open_files)


def test_a_body_declared_above_the_default_limit_is_refused_before_it_is_sent(tmp_path: Path) -> None:
    with stub(tmp_path) as server, connect(server.url) as sock:
        sock.sendall(request_head("POST", "/steaks/", {**JSON_TYPE, "Content-Length": str(11 * MiB)}))
        response = read_response(sock, timeout=5)
    assert response.status == 413
    assert response.closed
    message = json.loads(response.body)["error"]
    assert "10 MiB" in message and "--max-body-size" in message
    assert "413 POST /steaks/" in server.stderr()


def test_a_body_is_cut_off_at_the_limit_it_is_given(tmp_path: Path) -> None:
    with stub(tmp_path, "--max-body-size", "1KiB") as server:
        with connect(server.url) as sock:
            sock.sendall(request_head("POST", "/steaks/", {**JSON_TYPE, "Transfer-Encoding": "chunked"}))
            for _ in range(11):
                sock.sendall(b"64\r\n" + b" " * 100 + b"\r\n")
            response = read_response(sock, timeout=5)
        assert response.status == 413
        assert "1 KiB" in json.loads(response.body)["error"]
        padded = STEAK + b" " * (1024 - len(STEAK))  # exactly the limit: served
        assert httpx.post(server.url + "/steaks/", content=padded, headers=JSON_TYPE).status_code == 201
        assert httpx.post(server.url + "/steaks/", content=padded + b" ", headers=JSON_TYPE).status_code == 413


def test_big_bodies_are_refused_at_once_and_the_stub_answers_meanwhile(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Twelve clients declaring 300 MB bodies, over and over: each is refused before
    its body is read, the stub's memory barely moves, and it keeps answering."""
    declared = {**JSON_TYPE, "Content-Length": str(300 * MiB)}
    with alone(tmp_path_factory), stub(tmp_path, "--quiet") as server:
        baseline = latencies(server.url, "/steaks/", 10, method="POST", body=STEAK, expect=201)
        before = peak_memory(server.process.pid)
        with flooding(server.url, "/steaks/", [declared] * 12, 64 * MiB):
            found = latencies(server.url, "/steaks/", method="POST", body=STEAK, expect=201)
        grown = peak_memory(server.process.pid) - before
    assert grown < 50 * MiB, f"the stub grew by {grown / MiB:.0f} MiB"
    assert_responsive(found, baseline)


def test_chunked_bodies_over_the_limit_cost_at_most_the_limit(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Bodies without a declared length, over and over: each is read up to the limit and
    refused, so six at a time hold at most six limits; the stub answers throughout (its
    loop is busy reading them: the bound is looser than for refusals that read nothing)."""
    chunked = {**JSON_TYPE, "Transfer-Encoding": "chunked"}
    with alone(tmp_path_factory), stub(tmp_path, "--max-body-size", "1MiB", "--quiet") as server:
        before = peak_memory(server.process.pid)
        with flooding(server.url, "/steaks/", [chunked] * 6, 64 * MiB):
            found = latencies(server.url, "/steaks/", method="POST", body=STEAK, expect=201)
        grown = peak_memory(server.process.pid) - before
    assert grown < 6 * 2 * MiB + 40 * MiB, f"the stub grew by {grown / MiB:.0f} MiB"
    assert max(found) < 2.0, sorted(found)


def test_a_trickled_body_times_out_with_408(tmp_path: Path) -> None:
    with stub(tmp_path, "--body-timeout", "1", "--quiet") as server, connect(server.url) as sock:
        sock.sendall(request_head("POST", "/steaks/", {**JSON_TYPE, "Content-Length": "100"}) + b"{")
        response = read_response(sock, timeout=10)
    assert (response.status, response.closed) == (408, True)
    assert "--body-timeout" in json.loads(response.body)["error"]
    assert "408 POST /steaks/" in server.stderr()  # logged even with --quiet


def test_trickled_bodies_are_let_go_and_the_stub_answers_meanwhile(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    head = request_head("POST", "/steaks/", {**JSON_TYPE, "Content-Length": "100000"})
    with alone(tmp_path_factory), stub(tmp_path, "--body-timeout", "5", "--quiet") as server:
        baseline = latencies(server.url, "/steaks/", 10, method="POST", body=STEAK, expect=201)
        with Trickle(server.url, 300, head) as slow:
            latencies(server.url, "/steaks/", 1, method="POST", body=STEAK, expect=201)  # once all are taken in
            found = latencies(server.url, "/steaks/", 10, 0.02, method="POST", body=STEAK, expect=201)
            assert slow.open_count() > 0  # measured while the attack runs
            wait_until(lambda: slow.open_count() == 0, 20, "every trickling connection closed")
        assert_responsive(found, baseline)


@pytest.mark.skipif(sys.platform != "linux", reason="a process's limits are read from /proc")
def test_clients_that_connect_for_every_request_do_not_run_it_out_of_file_descriptors(tmp_path: Path) -> None:
    """hypercorn holds a connection the client closed until its keep-alive timeout (5 s),
    so a client opening a connection per request (``requests.get`` in a loop) holds a
    descriptor of the stub's per request for 5 s: past the soft limit (256 on macOS),
    asyncio logs every refused accept, hundreds of thousands of lines, and stops
    accepting for a second at a time. The stub raises its soft limit to the hard one."""
    request = request_head("POST", "/steaks/", {**JSON_TYPE, "Content-Length": str(len(STEAK))}) + STEAK
    with stub(tmp_path, "--quiet", open_files=64) as server:
        answered = []
        for _ in range(300):
            with connect(server.url) as sock:
                sock.sendall(request)
                answered.append(read_response(sock, timeout=10).status)
        limits = Path(f"/proc/{server.process.pid}/limits")
        soft = [line.split()[3] for line in limits.read_text().splitlines() if line.startswith("Max open files")]
        stderr = server.stderr()
    assert answered == [201] * 300
    assert "Too many open files" not in stderr, stderr[:2000]
    assert soft and soft[0] != "64", soft
