"""The test suite's own PostgreSQL server leaves nothing behind, even when the test
process is killed outright."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ._postgres import MISSING, skip_or_fail_without_postgresql

REPOSITORY = Path(__file__).resolve().parents[2]
STARTER = """
import sys
from pathlib import Path
from tests.broker_server._postgres import PostgresServer
server = PostgresServer.start(Path(sys.argv[1]))
pid = (server.directory / "data" / "postmaster.pid").read_text().split()[0]
print(pid, server.directory, flush=True)
sys.stdin.read()
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_killed_test_process_leaves_no_postgresql_running() -> None:
    binaries = skip_or_fail_without_postgresql()
    with subprocess.Popen(
        [sys.executable, "-c", STARTER, str(binaries)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPOSITORY,
    ) as owner:
        try:
            assert owner.stdout is not None
            pid_text, directory = owner.stdout.readline().split()
            pid = int(pid_text)
            assert alive(pid) and Path(directory).is_dir()
            owner.send_signal(signal.SIGKILL)  # no teardown runs
            owner.wait(timeout=30)
        finally:
            if owner.poll() is None:
                owner.kill()
                owner.wait()
    deadline = time.monotonic() + 60
    while alive(pid) or Path(directory).exists():
        assert time.monotonic() < deadline, f"PostgreSQL {pid} in {directory} outlived its test process"
        time.sleep(0.05)


def test_without_postgresql_the_tests_skip_in_one_line_or_fail_when_required(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APACT_POSTGRESQL_BIN", str(tmp_path))  # no initdb there
    monkeypatch.delenv("APACT_REQUIRE_POSTGRESQL", raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        skip_or_fail_without_postgresql()
    assert str(skipped.value) == MISSING
    assert MISSING == (
        "PostgreSQL not found, so the broker tests' PostgreSQL variants are skipped: install the Debian package"
        " postgresql, or set APACT_POSTGRESQL_BIN to the folder of its initdb, to run them"
    )
    monkeypatch.setenv("APACT_REQUIRE_POSTGRESQL", "1")
    with pytest.raises(pytest.fail.Exception) as failed:
        skip_or_fail_without_postgresql()
    assert str(failed.value) == f"{MISSING} (APACT_REQUIRE_POSTGRESQL=1)"


def test_without_postgresql_the_skipped_variants_are_one_line_of_the_summary(tmp_path: Path) -> None:
    """pytest reports a fixture's skip at each test; the backends plugin folds them into
    one line at the skip, with the count, so the summary says it once."""
    environment = {key: value for key, value in os.environ.items() if key != "APACT_REQUIRE_POSTGRESQL"}
    environment["APACT_POSTGRESQL_BIN"] = str(tmp_path)  # no initdb there
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "0", "-p", "no:cacheprovider", "-rs", "-k", "postgresql",
         "tests/broker_server/test_can_i_deploy_ignore.py"],
        capture_output=True, text=True, timeout=120, cwd=REPOSITORY, env=environment,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    skipped = [line for line in done.stdout.splitlines() if line.startswith("SKIPPED")]
    assert skipped == [f"SKIPPED [2] tests/broker_server/_postgres.py:{skip_line()}: {MISSING}"], done.stdout


def skip_line() -> int:
    """The line of ``_postgres.py`` that skips."""
    source = (Path(__file__).parent / "_postgres.py").read_text().splitlines()
    return next(number for number, line in enumerate(source, 1) if line.strip() == "pytest.skip(MISSING)")
