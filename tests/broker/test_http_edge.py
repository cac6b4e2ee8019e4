"""The broker against hostile clients, over real sockets to a real ``apact broker``
process (issue 11: bodies read before authentication and without a limit, bodies
trickled forever, cross-site writes, client errors answered 500, silent risky starts).
On SQLite (in memory) only: the HTTP edge is in front of the store, the same for both."""

from __future__ import annotations

import base64
import json
import socket
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
import pytest

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

HEARTBEAT = "/diagnostic/status/heartbeat"
TOKEN = {"Authorization": "Bearer s3cret"}
JSON_TYPE = {"Content-Type": "application/json"}
MiB = 1024 * 1024


def broker(tmp_path: Path, *options: str, open_files: int | None = None) -> AbstractContextManager[Server]:
    return server_process(
        ["-m", "apact", "broker", "--port", "0", "--database", ":memory:", *options], tmp_path, open_files=open_files
    )


@pytest.fixture(scope="module")
def open_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with broker(tmp_path_factory.mktemp("broker")) as server:
        yield server.url


# -- bodies: authentication first, then a size limit -------------------------------------------


def test_a_client_without_credentials_is_answered_before_it_sends_its_body(tmp_path: Path) -> None:
    """A 300 MB body declared with a wrong token: 401 at once, not one body byte read."""
    with broker(tmp_path, "--token", "s3cret") as server, connect(server.url) as sock:
        headers = {"Authorization": "Bearer wrong", **JSON_TYPE, "Content-Length": str(300 * MiB)}
        sock.sendall(request_head("POST", "/contracts/publish", headers))
        response = read_response(sock, timeout=5)
    assert response.status == 401
    assert response.closed  # its body is never read: the connection cannot be reused


def test_a_body_declared_above_the_limit_is_refused_before_it_is_sent(tmp_path: Path) -> None:
    with broker(tmp_path, "--token", "s3cret") as server, connect(server.url) as sock:
        sock.sendall(
            request_head("POST", "/contracts/publish", {**TOKEN, **JSON_TYPE, "Content-Length": str(11 * MiB)})
        )
        response = read_response(sock, timeout=5)
    assert response.status == 413
    assert response.closed
    (message,) = json.loads(response.body)["errors"]
    assert "10 MiB" in message and "--max-body-size" in message


def test_a_chunked_body_is_cut_off_as_soon_as_it_passes_the_limit(tmp_path: Path) -> None:
    with broker(tmp_path, "--max-body-size", "1KiB") as server:
        with connect(server.url) as sock:
            sock.sendall(request_head("POST", "/pacticipants", {**JSON_TYPE, "Transfer-Encoding": "chunked"}))
            for _ in range(11):  # 1,100 bytes, then wait for the answer
                sock.sendall(b"64\r\n" + b" " * 100 + b"\r\n")
            response = read_response(sock, timeout=5)
        assert response.status == 413
        assert "1 KiB" in json.loads(response.body)["errors"][0]
        body = json.dumps({"name": "Sous Chef"}).encode()
        padded = body + b" " * (1024 - len(body))  # exactly the limit is allowed
        created = httpx.post(server.url + "/pacticipants", content=padded, headers=JSON_TYPE)
        assert created.status_code == 201, created.text
        over = httpx.post(server.url + "/pacticipants", content=padded + b" ", headers=JSON_TYPE)
        assert over.status_code == 413


def test_big_bodies_are_refused_at_once_and_the_heartbeat_answers_meanwhile(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The review's attack, over and over: six clients with a wrong token declaring
    300 MB bodies, and six with the token declaring 64 MiB: each is refused before its
    body is read, the broker's peak memory barely moves, and the heartbeat answers
    (six such bodies, held whole, peaked at 1.7 GB)."""
    with alone(tmp_path_factory):
        wrong = {"Authorization": "Bearer wrong", **JSON_TYPE, "Content-Length": str(300 * MiB)}
        large = {**TOKEN, **JSON_TYPE, "Content-Length": str(64 * MiB)}
        with broker(tmp_path, "--token", "s3cret") as server:
            baseline = latencies(server.url, HEARTBEAT, count=10)
            before = peak_memory(server.process.pid)
            with flooding(server.url, "/contracts/publish", [wrong] * 6 + [large] * 6, 64 * MiB):
                found = latencies(server.url, HEARTBEAT)
            grown = peak_memory(server.process.pid) - before
        assert grown < 50 * MiB, f"the broker grew by {grown / MiB:.0f} MiB"
        assert_responsive(found, baseline)


def test_chunked_bodies_over_the_limit_cost_at_most_the_limit(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Bodies without a declared length, from a client with the token, over and over:
    each is read up to the limit (10 MiB) and refused, so six at a time hold at most six
    limits; the heartbeat answers throughout (the loop is busy reading them: the bound
    is looser than for refusals that read nothing)."""
    with alone(tmp_path_factory):
        chunked = {**TOKEN, **JSON_TYPE, "Transfer-Encoding": "chunked"}
        with broker(tmp_path, "--token", "s3cret") as server:
            latencies(server.url, HEARTBEAT, count=3)
            before = peak_memory(server.process.pid)
            with flooding(server.url, "/contracts/publish", [chunked] * 6, 64 * MiB):
                found = latencies(server.url, HEARTBEAT)
            grown = peak_memory(server.process.pid) - before
        assert grown < 6 * 10 * MiB + 40 * MiB, f"the broker grew by {grown / MiB:.0f} MiB"
        assert max(found) < 2.0, sorted(found)


# -- slow bodies time out ----------------------------------------------------------------------------


def test_a_trickled_body_times_out_with_408(tmp_path: Path) -> None:
    with broker(tmp_path, "--body-timeout", "1") as server, connect(server.url) as sock:
        sock.sendall(request_head("POST", "/pacticipants", {**JSON_TYPE, "Content-Length": "100"}) + b"{")
        response = read_response(sock, timeout=10)
    assert response.status == 408
    assert response.closed
    (message,) = json.loads(response.body)["errors"]
    assert "1 seconds" in message and "--body-timeout" in message


def test_trickling_connections_are_closed_and_the_heartbeat_answers_meanwhile(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A few hundred connections trickling bodies a byte at a time (1,100 of them used to
    exhaust the file descriptors): each is let go after the body timeout, and the
    heartbeat answers while they run."""
    with alone(tmp_path_factory):
        head = request_head("POST", "/environments", {**TOKEN, **JSON_TYPE, "Content-Length": "100000"})
        with broker(tmp_path, "--token", "s3cret", "--body-timeout", "5") as server:
            baseline = latencies(server.url, HEARTBEAT, count=10)
            with Trickle(server.url, 300, head) as slow:
                latencies(server.url, HEARTBEAT, count=1)  # once the server has taken them all in
                found = latencies(server.url, HEARTBEAT, count=10, pause=0.02)
                assert slow.open_count() > 0  # measured while the attack runs
                wait_until(lambda: slow.open_count() == 0, 20, "every trickling connection closed")
                assert slow.sent > 0
            assert_responsive(found, baseline)
            assert httpx.get(server.url + "/environments", headers=TOKEN).json()["_embedded"]["environments"] == []


def test_trickled_headers_are_cut_off_too(tmp_path: Path) -> None:
    """Headers that never end were already cut off (hypercorn's 5 s keep-alive timeout,
    which runs until the headers are complete): the guard the body timeout mirrors."""
    head = b"POST /environments HTTP/1.1\r\nHost: apact.test\r\nX-Slow: "
    with broker(tmp_path) as server, Trickle(server.url, 20, head) as slow:
        wait_until(lambda: slow.open_count() == 0, 30, "every connection with unfinished headers closed")
        assert slow.sent > 0


# -- cross-site writes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "text/plain;charset=UTF-8",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        None,
    ],
)
def test_a_write_without_a_json_body_is_refused_with_415(open_broker: str, content_type: str | None) -> None:
    """The content types a web page may send to another site without asking (no CORS
    preflight): no write happens."""
    headers = {"Content-Type": content_type} if content_type else {}
    body = json.dumps({"name": "hacked"}).encode()
    response = httpx.post(open_broker + "/environments", content=body, headers=headers)
    assert response.status_code == 415, response.text
    assert "application/json" in response.json()["errors"][0]
    environments = httpx.get(open_broker + "/environments").json()["_embedded"]["environments"]
    assert not [e for e in environments if e["name"] == "hacked"]


@pytest.mark.parametrize(
    "content_type", ["application/json", "application/json; charset=utf-8", "application/hal+json"]
)
def test_json_bodies_are_accepted(open_broker: str, content_type: str) -> None:
    name = "staging-" + content_type.replace("/", "-").replace(";", "").replace(" ", "").replace("=", "-")
    response = httpx.post(open_broker + "/environments", json={"name": name}, headers={"Content-Type": content_type})
    assert response.status_code == 201, response.text


# -- client errors are 400s ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "reason"),
    [
        ("/pacticipants", b'{"name": "\\ud800"}', "$.name"),
        ("/environments", b'{"name": "x", "displayName": "a\\udc00b"}', "$.displayName"),
        ("/pacticipants", b'{"name": "x", "n": ' + b"1" * 5000 + b"}", "digits"),
        ("/pacticipants", b"[" * 100_000 + b"]" * 100_000, "nested"),
        (
            "/pacts/provider/B/consumer/A/version/1",
            b'{"consumer": {"name": "A"}, "provider": {"name": "B"}, "interactions": [{"description": "\\ud83d", '
            b'"request": {"method": "GET", "path": "/"}, "response": {"status": 200}}]}',
            "$.interactions[0].description",
        ),
    ],
    ids=["lone-surrogate", "lone-low-surrogate", "long-integer", "deep", "surrogate-in-a-pact"],
)
def test_unreadable_json_is_a_400_with_a_plain_reason(open_broker: str, path: str, body: bytes, reason: str) -> None:
    method = "PUT" if path.startswith("/pacts") else "POST"
    response = httpx.request(method, open_broker + path, content=body, headers=JSON_TYPE)
    assert response.status_code == 400, response.text
    (message,) = response.json()["errors"]
    assert reason in message
    assert "Error" not in message  # no exception class names


def _published(content: bytes) -> dict[str, object]:
    contract = {"consumerName": "A", "providerName": "B", "specification": "pact", "contentType": "application/json"}
    contract["content"] = base64.b64encode(content).decode()
    return {"pacticipantName": "A", "pacticipantVersionNumber": "2", "contracts": [contract]}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested"),
        (
            b'{"consumer": {"name": "A"}, "provider": {"name": "B"}, "interactions": [], "n": ' + b"9" * 5000 + b"}",
            "digits",
        ),
        (b'{"consumer": {"name": "A"}, "provider": {"name": "B"}, "interactions": [], "x": "\\udfff"}', "$.x"),
    ],
    ids=["deep", "long-integer", "lone-surrogate"],
)
def test_an_unreadable_published_pact_is_a_400_naming_the_contract(
    open_broker: str, content: bytes, reason: str
) -> None:
    response = httpx.post(open_broker + "/contracts/publish", json=_published(content))
    assert response.status_code == 400, response.text
    (message,) = response.json()["errors"]["contracts[0].content"]
    assert reason in message and "Error" not in message


def test_an_unreadable_pact_url_metadata_segment_is_ignored(open_broker: str) -> None:
    """The metadata segment of a pact's URL is the broker's own base64 JSON: a hand-made
    one nested too deeply is ignored like any other unreadable one (it was a 500)."""
    document = {"consumer": {"name": "A"}, "provider": {"name": "B"}, "interactions": []}
    published = httpx.put(open_broker + "/pacts/provider/B/consumer/A/version/9", json=document)
    assert published.status_code in (200, 201), published.text
    pact_version = published.json()["_links"]["pb:pact-version"]["href"]
    segment = base64.urlsafe_b64encode(b"[" * 3000 + b"]" * 3000).decode().rstrip("=")
    response = httpx.get(pact_version + "/metadata/" + segment)
    assert response.status_code == 200, response.text
    assert response.json()["consumer"] == {"name": "A"}


# -- risky starts are loud ----------------------------------------------------------------------------


def test_no_base_url_is_a_warning_at_start(tmp_path: Path) -> None:
    with broker(tmp_path) as server:
        httpx.get(server.url + HEARTBEAT)
    assert "--base-url" in server.stderr()
    with broker(tmp_path, "--base-url", "https://broker.example") as server:
        links = httpx.get(server.url + "/", headers={"Host": "evil.example"}).json()["_links"]
    assert links["self"]["href"] == "https://broker.example/"
    assert "warning" not in server.stderr().lower()


def _listening_port() -> tuple[socket.socket, int]:
    """A port taken on 127.0.0.1: binding it on every interface fails, so the test never
    exposes a broker to the network."""
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    return taken, taken.getsockname()[1]


def _start_on_every_interface(*options: str) -> str:
    import subprocess
    import sys

    taken, port = _listening_port()
    with taken:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "apact",
                "broker",
                "--host",
                "0.0.0.0",
                "--port",
                str(port),
                "--database",
                ":memory:",
                *options,
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2, result.stderr  # the port is taken: it did not start
    return result.stderr


def test_every_interface_without_credentials_is_a_loud_warning() -> None:
    stderr = _start_on_every_interface("--base-url", "http://broker.example:9292")
    assert "WARNING" in stderr and "0.0.0.0" in stderr and "--token" in stderr
    assert "WARNING" not in _start_on_every_interface("--base-url", "http://broker.example:9292", "--token", "s3cret")


@pytest.mark.skipif(sys.platform != "linux", reason="a process's limits are read from /proc")
def test_clients_that_connect_for_every_request_do_not_run_it_out_of_file_descriptors(tmp_path: Path) -> None:
    """As for the stub (tests/consumer/test_stub_limits.py): the broker raises its soft
    limit of open files, which a client connecting per request would otherwise exhaust
    in hypercorn's keep-alive timeout."""
    head = request_head("GET", HEARTBEAT, {})
    with broker(tmp_path, open_files=64) as server:
        answered = []
        for _ in range(300):
            with connect(server.url) as sock:
                sock.sendall(head)
                answered.append(read_response(sock, timeout=10).status)
        stderr = server.stderr()
    assert answered == [200] * 300
    assert "Too many open files" not in stderr, stderr[:2000]
