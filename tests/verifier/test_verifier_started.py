"""A server apact starts, as a CI job meets it: an address already taken, an unhandled
exception that makes uvicorn close its connection, a kept-alive connection closed under
a request; what the server printed shows in the failing interaction's report."""

from __future__ import annotations

import json
import socket
import sys
import threading
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import anyio
import pytest

from apact.errors import ProviderStartError
from apact.verifier import Verifier

from ..json_helpers import tree
from .process_helpers import provider_env, uvicorn_command
from .verifier_helpers import interaction, pact, served

pytestmark = pytest.mark.anyio


# -- the server answering is the one apact started -----------------------------------------------------


async def test_a_fixed_address_already_taken_is_refused_rather_than_verifying_the_other_server(tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    with served() as other:  # another service on the address the command would listen on
        port = other.rsplit(":", 1)[1]
        verifier = Verifier(
            "Grill Chef",
            command=uvicorn_command().replace("{port}", port),
            base_url=other,
            readiness_url="/health",
            env=provider_env(markers),
        )
        with anyio.fail_after(60), pytest.raises(ProviderStartError) as caught:
            await verifier.verify(pact(interaction("an order", "/orders", method="POST")))
    assert str(caught.value).startswith(
        f"cannot listen on 127.0.0.1:{port}: address already in use: something is already listening there"
    )
    assert not (markers / "pid").exists()  # the command was not even started


async def test_a_started_server_that_cannot_listen_says_so(tmp_path: Path) -> None:
    """A fixed port taken once the command runs (here: by the time it binds; a race in
    real life): its exit before being ready says which address, with its output."""
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    port = blocker.getsockname()[1]  # bound, not listening: a connection is refused, binding fails
    try:
        verifier = Verifier(
            "Grill Chef",
            command=uvicorn_command().replace("{port}", str(port)),
            base_url=f"http://127.0.0.1:{port}",
            readiness_url="/health",
            env=provider_env(tmp_path),
        )
        with anyio.fail_after(60), pytest.raises(ProviderStartError) as caught:
            await verifier.verify(pact(interaction("an order", "/orders", method="POST")))
    finally:
        blocker.close()
    message = str(caught.value)
    assert message.startswith(
        f"the provider server exited before it was ready: cannot listen on 127.0.0.1:{port}: address already in use"
    )
    assert "address already in use" in message.split("output:", 1)[1].lower()  # uvicorn's own words


# -- no false failures over HTTP; the server's output in the report -------------------------------------


async def test_after_uvicorn_answers_a_500_the_next_requests_pass_and_the_failure_shows_its_traceback(
    tmp_path: Path,
) -> None:
    """uvicorn closes the kept-alive connection after an unhandled exception; the
    teardown and the next interaction sent on it are sent again on a new one."""
    state = [{"name": "the kitchen is open"}]
    verifier = Verifier(
        "Grill Chef",
        command=uvicorn_command(),
        readiness_url="/health",
        env=provider_env(tmp_path),
        state_change_url="/_pact/state",
        concurrency=1,
    )
    boom = interaction("a: a request the kitchen cannot take", "/boom", states=state)
    order = interaction("b: an order", "/orders", method="POST", states=state)
    with anyio.fail_after(60):
        result = await verifier.verify(pact(boom, order))
    failed, passed = result.interactions
    assert [m.message for m in failed.mismatches] == ["expected status 200, got 500"]
    assert failed.errors == ()  # its teardown went through
    assert passed.status == "passed", passed.errors
    # what uvicorn printed while the failing interaction ran: its log, the app's traceback
    assert failed.output is not None and passed.output is None
    assert "about to fail" in failed.output and "RuntimeError: the kitchen is on fire" in failed.output
    report = result.report()
    shown = report.split("   the provider server printed meanwhile:\n", 1)[1]
    assert '"POST /_pact/state HTTP/1.1" 200' in shown  # its setup ...
    assert (
        "     about to fail\n" in shown and "     RuntimeError: the kitchen is on fire" in shown
    )  # ... its request ...
    assert "RuntimeError: the kitchen is on fire" in tree(result.to_json())["pacts"][0]["interactions"][0]["output"]
    case = next(ElementTree.fromstring(result.to_junit_xml()).iter("testcase"))
    system_out = case.find("system-out")
    assert system_out is not None and "RuntimeError: the kitchen is on fire" in (system_out.text or "")


# -- a retry once, and only when the connection was closed before any of the answer --------------------


@contextmanager
def raw_server(answer: Callable[[int, int], tuple[bytes, bool]]) -> Iterator[tuple[str, list[tuple[int, str]]]]:
    """An HTTP server on a raw socket: ``answer(connection, request)`` (both counted
    from 1) gives the bytes to send back (maybe none) and whether to keep the
    connection open. Yields its URL and the requests seen: ``(connection, request line)``."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    seen: list[tuple[int, str]] = []
    stop = threading.Event()

    def serve() -> None:
        connections = 0
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            connections += 1
            with connection:
                data = b""
                requests = 0
                while True:
                    while b"\r\n\r\n" not in data:
                        chunk = connection.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                    if b"\r\n\r\n" not in data:
                        break
                    head, data = data.split(b"\r\n\r\n", 1)
                    requests += 1
                    seen.append((connections, head.split(b"\r\n", 1)[0].decode()))
                    reply, keep_open = answer(connections, requests)
                    connection.sendall(reply)
                    if not keep_open:
                        break

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", seen
    finally:
        stop.set()
        # closing the listener does not wake an accept() blocked in another thread: a
        # connection does (it is read to its end, then the loop sees the stop)
        socket.create_connection(listener.getsockname(), timeout=10).close()
        thread.join(10)
        listener.close()
        assert not thread.is_alive()


OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}"
TWO = pact(interaction("a", "/a"), interaction("b", "/b"))


async def test_a_kept_alive_connection_closed_under_a_request_is_retried_once_on_a_new_one() -> None:
    with raw_server(lambda connection, request: (OK, True) if request == 1 else (b"", False)) as (url, seen):
        result = await Verifier("Grill Chef", base_url=url, concurrency=1).verify(TWO)
    assert [r.status for r in result.interactions] == ["passed", "passed"]
    assert seen == [(1, "GET /a HTTP/1.1"), (1, "GET /b HTTP/1.1"), (2, "GET /b HTTP/1.1")]


async def test_a_new_connection_closed_without_an_answer_is_not_retried() -> None:
    with raw_server(lambda connection, request: (b"", False)) as (url, seen):
        result = await Verifier("Grill Chef", base_url=url, concurrency=1).verify(pact(interaction("a", "/a")))
    (error,) = result.interactions[0].errors
    assert (
        error.kind == "transport"
        and "RemoteProtocolError: Server disconnected without sending a response" in error.message
    )
    assert seen == [(1, "GET /a HTTP/1.1")]


async def test_an_answer_cut_short_is_not_retried() -> None:
    cut = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"

    with raw_server(lambda connection, request: (OK, True) if request == 1 else (cut, False)) as (url, seen):
        result = await Verifier("Grill Chef", base_url=url, concurrency=1).verify(TWO)
    assert result.interactions[1].errors[0].kind == "transport"
    assert seen == [(1, "GET /a HTTP/1.1"), (1, "GET /b HTTP/1.1")]


def test_the_cli_refuses_a_taken_address(tmp_path: Path) -> None:
    import subprocess

    document = {
        "consumer": {"name": "Sous Chef"},
        "provider": {"name": "Grill Chef"},
        "interactions": [interaction("an order", "/orders", method="POST")],
        "metadata": {"pactSpecification": {"version": "4.0"}},
    }
    (tmp_path / "pact.json").write_text(json.dumps(document))
    with served() as other:
        port = other.rsplit(":", 1)[1]
        command = [sys.executable, "-m", "apact", "verify", "--command", uvicorn_command().replace("{port}", port)]
        result = subprocess.run(
            [*command, "--base-url", other, str(tmp_path / "pact.json")],
            capture_output=True, text=True, timeout=120, env=provider_env(tmp_path),
        )  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    assert (
        f"apact verify: error: the provider did not start: cannot listen on 127.0.0.1:{port}: address already in use"
        in result.stderr
    )
    assert result.stdout == ""  # nothing verified: no report of the other server's 404s


def test_the_cli_reports_what_was_verified_before_the_server_crashed(tmp_path: Path) -> None:
    import subprocess

    from .verifier_helpers import app_command, app_env, document

    crash = interaction("a: a request that sets the grill on fire", "/crash", method="POST")
    after = interaction(
        "b: a request after the fire", "/steaks/", method="POST", request_body={"cooking": "rare"}, status=201
    )
    (tmp_path / "pact.json").write_text(json.dumps(document(crash, after)))
    command = [
        sys.executable,
        "-m",
        "apact",
        "verify",
        "--command",
        " ".join(app_command()),
        "--readiness-url",
        "/health",
    ]
    result = subprocess.run(
        [*command, "--concurrency", "1", "--json", str(tmp_path / "report.json"), str(tmp_path / "pact.json")],
        capture_output=True, text=True, timeout=120, env={**provider_env(tmp_path), **app_env()},
    )  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    assert "  FAILED   a: a request that sets the grill on fire" in result.stdout  # the report of what was verified
    assert result.stderr.startswith("apact verify: error: the provider server (pid ")
    assert (
        "during the verification, leaving without an answer 'a: a request that sets the grill on fire'" in result.stderr
    )
    assert "the grill is on fire" in result.stderr  # its output
    assert json.loads((tmp_path / "report.json").read_text())["summary"]["failed"] >= 1  # and the files are written
