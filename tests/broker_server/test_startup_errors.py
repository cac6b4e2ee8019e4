"""``python -m apact broker --database ...`` that cannot use its database: one line that
names the file and the fix, exit 2, no traceback, no server left running. SQLite files
only: a PostgreSQL server that refuses is tests/broker_server/test_migrations.py's."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from apact.broker_server._migrations import LATEST


def start(database: str) -> subprocess.CompletedProcess[str]:
    # (with --base-url, so the one line is not preceded by the warning about its absence)
    command = [
        sys.executable,
        "-m",
        "apact",
        "broker",
        "--port",
        "0",
        "--base-url",
        "http://127.0.0.1:9292",
        "--database",
        database,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def refused(database: str) -> str:
    """The broker's one line of complaint about ``database``."""
    result = start(database)
    assert result.returncode == 2, result
    assert "serving" not in result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"apact broker: cannot use the database {os.path.abspath(database)}: ")
    return lines[0]


def test_a_database_in_a_missing_directory(tmp_path: Path) -> None:
    line = refused(str(tmp_path / "missing" / "broker.sqlite"))
    assert line.endswith(
        f"the directory {tmp_path / 'missing'} does not exist; create it, or use a path in an existing directory"
    )


def test_a_database_under_a_file(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a directory")
    line = refused(str(tmp_path / "notes.txt" / "broker.sqlite"))
    assert line.endswith(f"{tmp_path / 'notes.txt'} is not a directory; use a path in a directory")


def test_a_directory_given_as_the_database(tmp_path: Path) -> None:
    line = refused(str(tmp_path))
    assert line.endswith(f"it is a directory; use a file in it, such as {tmp_path / 'pact_broker.sqlite'}")


def test_a_file_that_is_not_a_database_is_left_alone(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    text = "shopping list: eggs, flour, butter, sugar, and far more text than an SQLite header\n" * 5
    notes.write_text(text)
    line = refused(str(notes))
    assert line.endswith(
        "it is not an SQLite database (file is not a database);"
        " use the broker's database file, or a new path to start an empty one"
    )
    assert notes.read_text() == text


@pytest.fixture
def unwritable_directory(tmp_path: Path) -> Iterator[Path]:
    """A directory this user may not create files in (root may write anywhere but /proc)."""
    if os.geteuid() == 0:
        if not Path("/proc/self").is_dir():
            pytest.skip("running as root without /proc: no directory is unwritable")
        yield Path("/proc")
        return
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        yield folder
    finally:
        folder.chmod(0o755)


def test_a_database_in_a_directory_this_user_cannot_write(unwritable_directory: Path) -> None:
    line = refused(str(unwritable_directory / "apact-broker-test.sqlite"))
    assert f"this user may create and write files in {unwritable_directory}" in line


def test_a_read_only_database_file(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes read-only files")  # the directory case above covers root
    database = tmp_path / "broker.sqlite"
    database.touch()
    database.chmod(0o444)
    line = refused(str(database))
    assert "make it writable for this user, or use another path" in line


def test_a_database_from_a_newer_apact(tmp_path: Path) -> None:
    database = tmp_path / "broker.sqlite"
    with contextlib.closing(sqlite3.connect(database)) as connection:
        connection.execute("PRAGMA user_version = 99")
    line = refused(str(database))
    assert line.endswith(f"it was written by a newer apact (schema 99, this one reads {LATEST}); upgrade apact")
