"""The command line, consistent: every command reads directories and names every bad
file; one exit code table (docs/cli.md), true for every command; hints in the command
line's words; no apact internals in the reports; a port in use said the same way
everywhere; SIGTERM and SIGINT stop the servers gracefully. Real subprocesses."""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
import signal
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pytest

from apact.examples import GRILL_CHEF_PACT

ROOT = Path(__file__).resolve().parents[2]


def apact(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "apact", *args], capture_output=True, text=True, timeout=120, cwd=cwd)


def http(
    description: str, path: str = "/steaks/", status: object = 200, states: list[str] | None = None
) -> dict[str, object]:
    interaction: dict[str, object] = {
        "type": "Synchronous/HTTP",
        "description": description,
        "request": {"method": "GET", "path": path},
        "response": {"status": status},
    }
    if states:
        interaction["providerStates"] = [{"name": name} for name in states]
    return interaction


def write(path: Path, *interactions: dict[str, object], provider: str = "Grill Chef") -> Path:
    document = {
        "consumer": {"name": "Sous Chef"},
        "provider": {"name": provider},
        "interactions": list(interactions),
        "metadata": {"pactSpecification": {"version": "4.0"}},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document))
    return path


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """A directory with a valid pact and two bad ones (each bad in its own way)."""
    pacts = tmp_path / "pacts"
    write(pacts / "a-good.json", http("a steak"))
    write(pacts / "b-string-status.json", http("a missing steak", status="404"))
    (pacts / "c-not-json.json").write_text('{"consumer": ')
    return pacts


@contextmanager
def taken_port() -> Iterator[int]:
    """A port something listens on, for the block."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        yield listener.getsockname()[1]


# -- directories, and every bad file -------------------------------------------------------------


def test_check_takes_a_directory_and_names_every_invalid_file(mixed: Path) -> None:
    result = apact("check", str(mixed))
    assert result.returncode == 1
    assert f"{mixed / 'a-good.json'}: valid" in result.stdout
    assert (
        f'invalid: {mixed / "b-string-status.json"}: interaction 0 "a missing steak": $.interactions[0].response.status: '
        "status must be an integer, got a string ('404'): write 404"
    ) in result.stderr
    assert f"invalid: {mixed / 'c-not-json.json'}: " in result.stderr
    assert result.stderr.rstrip().endswith("2 of 3 pact file(s) invalid")


@pytest.mark.parametrize(
    "command",
    [
        ["verify", "--base-url", "http://127.0.0.1:9"],
        ["show"],
        ["stub"],
        ["publish", "--consumer-app-version", "1", "--broker-url", "http://127.0.0.1:9"],
    ],
    ids=["verify", "show", "stub", "publish"],
)
def test_every_command_names_every_pact_it_cannot_read(mixed: Path, command: list[str]) -> None:
    name = command[0]
    result = apact(*command, str(mixed))
    assert result.returncode == 2, result.stdout + result.stderr
    errors = [
        line for line in result.stderr.splitlines() if line.startswith(f"apact {name}: error: cannot read a pact: ")
    ]
    assert len(errors) == 2, result.stderr
    assert f"{mixed / 'b-string-status.json'}: interaction 0" in errors[0] and "got a string ('404')" in errors[0]
    assert f"{mixed / 'c-not-json.json'}: " in errors[1]


# -- one table of exit codes ------------------------------------------------------------------------


def exit_code_table() -> dict[int, str]:
    """docs/cli.md's table: code -> the row's text."""
    text = (ROOT / "docs" / "cli.md").read_text()
    section = text.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    return {int(row[1]): row[0] for row in re.findall(r"^(\| (\d+) \|.*)$", section, re.MULTILINE)}


def cases(tmp: Path) -> list[tuple[str, list[str], int, str]]:
    """(what, arguments, exit code, the words of the table's row that say so)."""
    empty = tmp / "empty"
    empty.mkdir()
    bad = tmp / "bad.json"
    bad.write_text("{")
    good = str(GRILL_CHEF_PACT)
    stateless = str(write(tmp / "stateless.json", http("a steak")))
    return [
        ("check: all valid", ["check", good], 0, "every pact is valid"),
        ("show: shown", ["show", good], 0, "done"),
        ("verify: empty, allowed", ["verify", "--base-url", "http://127.0.0.1:9", "--allow-empty", str(empty)], 0, "done"),
        ("check: invalid", ["check", str(bad)], 1, "`check`: a pact file is invalid"),
        ("verify: a failed interaction", ["verify", "--base-url", "http://127.0.0.1:9", stateless], 1, "`verify`: an interaction failed"),
        ("verify: an empty directory", ["verify", "--base-url", "http://127.0.0.1:9", str(empty)], 1, "an empty directory"),
        ("verify: filters that match nothing", ["verify", "--base-url", "http://127.0.0.1:9", "--description", "^no such", good], 1, "filters that match nothing"),
        ("show: an empty directory", ["show", str(empty)], 1, "an empty directory"),
        ("check: an empty directory", ["check", str(empty)], 1, "an empty directory"),
        ("stub: an empty directory", ["stub", str(empty)], 1, "an empty directory"),
        ("publish: an empty directory", ["publish", "-a", "1", "-b", "http://127.0.0.1:9", str(empty)], 1, "an empty directory"),
        ("verify: bad arguments", ["verify", good], 2, "bad arguments"),
        ("check: bad arguments", ["check"], 2, "bad arguments"),
        ("verify: unreadable", ["verify", "--base-url", "http://127.0.0.1:9", str(bad)], 2, "a pact that cannot be read"),
        ("show: unreadable", ["show", str(bad)], 2, "a pact that cannot be read"),
        ("stub: unreadable", ["stub", str(bad)], 2, "a pact that cannot be read"),
        ("publish: unreadable", ["publish", "-a", "1", "-b", "http://127.0.0.1:9", str(bad)], 2, "a pact that cannot be read"),
        ("verify: no start", ["verify", "--command", f"{sys.executable} -c 'raise SystemExit(3)' {{port}}", good], 2, "a provider that did not start"),
        ("publish: no broker", ["publish", "-a", "1", "-b", "http://127.0.0.1:9", good], 2, "a Pact Broker that refused or could not be reached"),
    ]  # fmt: skip


def test_the_exit_code_table_is_true_for_every_command(tmp_path: Path) -> None:
    table = exit_code_table()
    assert sorted(table) == [0, 1, 2, 130]
    for what, arguments, code, words in cases(tmp_path):
        assert words in table[code], f"{what}: docs/cli.md's row for {code} does not say {words!r}"
        result = apact(*arguments)
        assert result.returncode == code, (
            f"{what}: exit {result.returncode}, not {code}\n{result.stdout}{result.stderr}"
        )
    # the other rows' cases: an address in use (below), interrupted (tests/verifier/test_verifier_signals.py)
    assert "an address in use" in table[2] and "interrupted" in table[130]


@pytest.mark.parametrize(
    "command",
    [["stub", str(GRILL_CHEF_PACT)], ["broker", "--base-url", "http://127.0.0.1:9292", "--database", ":memory:"]],
    ids=["stub", "broker"],
)
def test_a_port_in_use_is_said_in_words(command: list[str]) -> None:
    with taken_port() as port:
        result = apact(*command, "--port", str(port))
        assert result.returncode == 2
        assert (
            result.stderr.strip()
            == f"apact {command[0]}: error: cannot listen on 127.0.0.1:{port}: address already in use"
        )


# -- the command line's words; no apact internals --------------------------------------------------


def test_the_missing_state_hint_uses_the_command_line_s_words(tmp_path: Path) -> None:
    pact = write(tmp_path / "pact.json", http("a steak", states=["steaks are available"]))
    result = apact("verify", "--base-url", "http://127.0.0.1:9", str(pact))
    assert result.returncode == 1
    assert (
        "missing state: no way to set up provider state 'steaks are available': give --state-change-url URL "
        "(the provider's state-change endpoint), or --ignore-missing-states to replay it without"
    ) in result.stdout
    assert "@verifier" not in result.stdout + result.stderr and "=," not in result.stdout


def test_the_credentials_hint_uses_the_command_line_s_words() -> None:
    from ..verifier.verifier_helpers import served

    with served() as url:
        result = apact("verify", "--base-url", url, f"{url}/pacts/basic")
    assert result.returncode == 2
    assert result.stderr == (
        f"apact verify: error: cannot read a pact: {url}/pacts/basic: cannot fetch the pact: HTTP 401 (check the "
        "credentials: --broker-token, or --broker-username and --broker-password, for URLs on the --broker-url)\n"
    )


def test_a_failing_state_change_url_shows_no_apact_frames(tmp_path: Path) -> None:
    (tmp_path / "refusing.py").write_text(
        "from starlette.applications import Starlette\n"
        "from starlette.responses import JSONResponse\n"
        "from starlette.routing import Route\n\n"
        "async def state(request):\n    return JSONResponse({'error': 'no grill'}, status_code=500)\n\n"
        "app = Starlette(routes=[Route('/_pact/state', state, methods=['POST'])])\n"
    )
    pact = write(tmp_path / "pact.json", http("a steak", states=["steaks are available"]))
    result = apact(
        "verify", "--app", "refusing:app", "--app-dir", str(tmp_path), "--state-change-url", "/_pact/state", str(pact)
    )
    assert result.returncode == 1
    assert (
        "state: the state-change setup of provider state 'steaks are available' failed: "
        '/_pact/state answered 500: {"error":"no grill"}'
    ) in result.stdout
    assert (
        "Traceback" not in result.stdout
        and "apact/verifier" not in result.stdout
        and "RuntimeError" not in result.stdout
    )


def test_a_handler_s_traceback_shows_the_user_s_frames_only(tmp_path: Path) -> None:
    pact = write(tmp_path / "pact.json", http("a steak", states=["steaks are available"]))
    script = tmp_path / "handlers.py"
    script.write_text(
        "import contextlib\n"
        "import anyio\n"
        "from starlette.applications import Starlette\n"
        "from apact import pactfile\n"
        "from apact.verifier import Verifier\n\n"
        "verifier = Verifier('Grill Chef', app=Starlette())\n\n"
        "@contextlib.asynccontextmanager\n"
        "async def kitchen():\n"
        "    yield\n"
        "    raise RuntimeError('the fridge is open')\n\n"
        "@verifier.state('steaks are available')\n"
        "async def steaks():\n"
        "    async with kitchen():\n"
        "        yield\n\n"
        f"result = anyio.run(verifier.verify, pactfile.load({str(pact)!r}))\n"
        "print(result.report())\n"
    )
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    report = result.stdout
    assert (
        "teardown: the teardown of provider state 'steaks are available' raised RuntimeError: the fridge is open"
        in report
    )
    trace = report.split("Traceback (most recent call last):", 1)[1]
    lines = script.read_text().splitlines()
    for function, line in (
        ("steaks", "    async with kitchen():"),
        ("kitchen", "    raise RuntimeError('the fridge is open')"),
    ):
        assert f'File "{script}", line {lines.index(line) + 1}, in {function}' in trace  # the user's frames ...
    assert "apact" + os.sep not in trace and "contextlib" not in trace and "__aexit__" not in trace  # ... only


def test_pytest_does_not_show_assert_ok_s_own_source(tmp_path: Path) -> None:
    test = tmp_path / "test_provider.py"
    test.write_text(
        "import anyio\n"
        "from starlette.applications import Starlette\n"
        "from apact.examples import GRILL_CHEF_PACT\n"
        "from apact.verifier import Verifier\n\n"
        "def test_the_provider():\n"
        "    verifier = Verifier('Grill Chef', app=Starlette(), ignore_missing_states=True)\n"
        "    result = anyio.run(verifier.verify, GRILL_CHEF_PACT)\n"
        "    result.assert_ok()  # the line pytest shows\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert "result.assert_ok()  # the line pytest shows" in result.stdout
    assert "raise VerificationFailedError" not in result.stdout and "_result.py" not in result.stdout


# -- the servers stop gracefully on SIGTERM and SIGINT ----------------------------------------------


@contextmanager
def running_broker(database: str) -> Iterator[tuple[subprocess.Popen[str], int]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "apact", "broker", "--port", "0", "--database", database],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.search(r"serving http://127\.0\.0\.1:(\d+) ", line)
        assert found, line + (process.stderr.read() if process.poll() is not None and process.stderr else "")
        yield process, int(found.group(1))
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)


def read_line(stream: IO[str] | None, timeout: float = 60) -> str:
    assert stream is not None
    assert select.select([stream], [], [], timeout)[0], f"nothing printed within {timeout} s"
    return stream.readline()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_broker_answers_the_request_in_flight_and_closes_its_database_on_a_signal(
    database: str, signum: signal.Signals
) -> None:
    """On SQLite and PostgreSQL (the ``database`` fixture, tests/broker_server/backends.py):
    the publication in flight is stored whichever the backend."""
    pact = json.dumps(
        {"consumer": {"name": "Sous Chef"}, "provider": {"name": "Grill Chef"}, "interactions": []}
    ).encode()
    with (
        running_broker(database) as (broker, port),
        socket.create_connection(("127.0.0.1", port), timeout=60) as client,
    ):
        # a publication in flight: its head sent, the broker waiting for its body (it says so: 100 Continue)
        client.sendall(
            b"PUT /pacts/provider/Grill%20Chef/consumer/Sous%20Chef/version/1.0.0 HTTP/1.1\r\nHost: broker\r\n"
            b"Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: "
            + str(len(pact)).encode()
            + b"\r\n\r\n"
        )
        assert client.recv(100).startswith(b"HTTP/1.1 100 ")
        broker.send_signal(signum)
        assert (
            read_line(broker.stdout)
            == f"apact broker: {signum.name} received: stopping once the requests in flight are answered\n"
        )
        client.sendall(pact)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = client.recv(65536)
            assert chunk, answer
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 201 ")
        out, err = broker.communicate(timeout=60)
        assert broker.returncode == 0, err
    assert out == "apact broker: stopped\n"
    if database.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(database) as connection:
            assert connection.execute("SELECT count(*) FROM pacticipants").fetchone() == (2,)
        return
    assert os.listdir(os.path.dirname(database)) == ["broker.sqlite"]  # no write-ahead log left: closed cleanly
    with contextlib.closing(sqlite3.connect(database)) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert check.execute("SELECT count(*) FROM pacticipants").fetchone() == (2,)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_stub_stops_on_a_signal(signum: signal.Signals) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "apact", "stub", str(GRILL_CHEF_PACT)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert " at http://127.0.0.1:" in read_line(process.stdout)
        process.send_signal(signum)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert (process.returncode, out) == (0, "apact stub: stopped\n"), err
