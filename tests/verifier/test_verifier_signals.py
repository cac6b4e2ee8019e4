"""What a cancelled CI job does to a verification: SIGTERM or SIGINT to ``apact verify
--command`` (to the process, or to its whole process group), during the replay and
while apact stops the server; a KeyboardInterrupt in the Python API while it does.
Real subprocesses, real signals, a real uvicorn server; no process may be left."""

from __future__ import annotations

import json
import os
import signal
import sys
import textwrap
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from .process_helpers import assert_nothing_left, kill_group, launched, poll, provider_env, server_pid, uvicorn_command
from .verifier_helpers import document, interaction

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and process groups")


def write_pact(directory: Path, *interactions: dict[str, object]) -> Path:
    path = directory / "Sous Chef-Grill Chef.json"
    path.write_text(json.dumps(document(*interactions)))
    return path


def verify_command(pact: Path, tmp_path: Path, *options: str) -> list[str]:
    return [
        sys.executable, "-m", "apact", "verify", "--command", uvicorn_command(), "--readiness-url", "/health",
        "--junit", str(tmp_path / "junit.xml"), "--json", str(tmp_path / "report.json"), "--no-progress",
        *options, str(pact),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("signum", "to_group"),
    [(signal.SIGTERM, False), (signal.SIGTERM, True), (signal.SIGINT, False)],
    ids=["SIGTERM", "SIGTERM-to-the-group", "SIGINT"],
)
def test_a_signal_during_the_replay_reports_what_was_verified_and_leaves_no_server(
    tmp_path: Path, signum: signal.Signals, to_group: bool
) -> None:
    pact = write_pact(
        tmp_path,
        interaction("a: an order", "/orders", method="POST"),
        interaction("b: a slow request", "/slow"),
        interaction("c: another order", "/orders", method="POST"),
    )
    markers = tmp_path / "markers"
    markers.mkdir()
    command = verify_command(pact, tmp_path, "--concurrency", "1", "--request-timeout", "120", "--stop-timeout", "2")
    pid = None
    with launched(command, provider_env(markers), tmp_path) as apact:
        try:
            pid = server_pid(markers)
            poll(lambda: (markers / "slow").exists(), "the slow request to reach the server")
            if to_group:  # a cancelled CI job, `timeout`: the whole group of apact
                os.killpg(apact.pid, signum)
            else:
                apact.send_signal(signum)
            out, err = apact.communicate(timeout=60)
            assert apact.returncode == 130, out + err
            assert_nothing_left(pid)
        finally:
            if pid is not None:  # whatever happened, no server is left behind by the test
                kill_group(pid)
    # what was verified so far, and what was not, in the report and the files
    assert "  passed   a: an order" in out
    assert "  skipped  b: a slow request: not run: the verification was interrupted" in out
    assert "  skipped  c: another order: not run: the verification was interrupted" in out
    assert out.rstrip().endswith("verification INTERRUPTED")
    assert f"apact verify: interrupted ({signum.name}): 1 of 3 interactions verified" in err
    report = json.loads((tmp_path / "report.json").read_text())
    assert (report["interrupted"], report["ok"], report["summary"]["passed"], report["summary"]["skipped"]) == (
        True,
        False,
        1,
        2,
    )
    cases = ElementTree.parse(tmp_path / "junit.xml").getroot().iter("testcase")
    assert [case.find("skipped") is not None for case in cases] == [False, True, True]


def test_a_signal_while_the_server_stops_loses_neither_the_report_nor_the_server(tmp_path: Path) -> None:
    """The report and the JUnit file are out before the stop begins; a Ctrl-C while
    apact waits for the server (which takes its time) does not leave it running."""
    pact = write_pact(tmp_path, interaction("an order", "/orders", method="POST"))
    markers = tmp_path / "markers"
    markers.mkdir()
    # a stop-timeout far longer than the test: apact waits for the server, which ends its
    # stop when the test says so (`go`), after the signal (no race with the grace period)
    command = verify_command(pact, tmp_path, "--stop-timeout", "60")
    pid = None
    with launched(command, provider_env(markers, SLOW_STOP="1"), tmp_path) as apact:
        try:
            pid = server_pid(markers)
            poll(lambda: (markers / "stopping").exists(), "apact to begin stopping the server")
            assert (tmp_path / "junit.xml").exists()  # written before the stop began
            apact.send_signal(signal.SIGINT)
            (markers / "go").write_text("")  # the server may finish stopping now
            out, err = apact.communicate(timeout=60)
            assert_nothing_left(pid)
        finally:
            if pid is not None:
                kill_group(pid)
    assert apact.returncode == 130, out + err
    assert out.rstrip().endswith("verification passed")  # the verdict was complete
    assert (
        "interrupted (SIGINT, after the verification (while the provider server stopped)): 1 of 1 interactions verified"
        in err
    )


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_a_keyboard_interrupt_while_the_api_stops_the_server_does_not_orphan_it(tmp_path: Path, backend: str) -> None:
    pact = write_pact(tmp_path, interaction("an order", "/orders", method="POST"))
    markers = tmp_path / "markers"
    markers.mkdir()
    script = tmp_path / "verify.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import anyio
            from apact.verifier import Verifier

            verifier = Verifier("Grill Chef", command={uvicorn_command()!r}, readiness_url="/health", stop_timeout=60)
            result = anyio.run(verifier.verify, {str(pact)!r}, backend={backend!r})
            print("verify() returned", result.ok)
            """
        )
    )
    pid = None
    with launched([sys.executable, str(script)], provider_env(markers, SLOW_STOP="1"), tmp_path) as python:
        try:
            pid = server_pid(markers)
            poll(lambda: (markers / "stopping").exists(), "verify() to begin stopping the server")
            python.send_signal(signal.SIGINT)
            (markers / "go").write_text("")  # the server may finish stopping now
            out, err = python.communicate(timeout=60)
            assert_nothing_left(pid)
        finally:
            if pid is not None:
                kill_group(pid)
    # the interrupt is not swallowed: raised once the server is gone. On Python 3.10 anyio's
    # asyncio runner cannot uncancel its main task, so Ctrl-C ends anyio.run() with a
    # CancelledError there (anyio's behaviour, whatever the code inside does)
    expected = "CancelledError" if backend == "asyncio" and sys.version_info < (3, 11) else "KeyboardInterrupt"
    assert err.rstrip().splitlines()[-1].endswith(expected), err
    assert "verify() returned" not in out
