"""A real PostgreSQL server for the broker's tests, started in a temporary directory.

`PostgresServer.start()` finds the Debian binaries (``$APACT_POSTGRESQL_BIN``, else the
newest ``/usr/lib/postgresql/*/bin``, else ``initdb`` on the PATH), runs ``initdb`` and
``pg_ctl start`` on a free port of 127.0.0.1 (its unix socket in the same directory),
and `stop()` stops it and removes the directory. PostgreSQL refuses to run as root: as
root it runs as the ``postgres`` user (else ``nobody``), which owns the directory.

Each test gets an empty database with the broker's schema (`emptied_database`: one per
server, emptied before each test, as ``CREATE DATABASE`` takes 0.4 s to 1.6 s on a
loaded 2-core machine and TRUNCATE a few milliseconds), or a new one without any
table (`new_database`, for the tests of migrations). A module that shares one broker
among its tests has a database of its own (``emptied_database("module")``), so that a
test of another module run in between on the same worker cannot empty it.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# stops the server and removes its directory once its stdin closes: when the test process
# ends, however it ends (a SIGKILL included), no PostgreSQL is left running
WATCHDOG = """
import shutil, subprocess, sys
sys.stdin.read()
subprocess.run(sys.argv[1:-1], capture_output=True, timeout=60)
shutil.rmtree(sys.argv[-1], ignore_errors=True)
"""

MISSING = (
    "PostgreSQL not found, so the broker tests' PostgreSQL variants are skipped: install the Debian package"
    " postgresql, or set APACT_POSTGRESQL_BIN to the folder of its initdb, to run them"
)
TEMPLATE = "apact_template"


def find_binaries() -> Path | None:
    configured = os.environ.get("APACT_POSTGRESQL_BIN")
    if configured:
        return Path(configured) if (Path(configured) / "initdb").is_file() else None
    found = sorted(
        (Path(folder) for folder in glob.glob("/usr/lib/postgresql/*/bin") if Path(folder, "initdb").is_file()),
        key=lambda folder: int(folder.parent.name) if folder.parent.name.isdigit() else 0,
    )
    if found:
        return found[-1]
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def skip_or_fail_without_postgresql() -> Path:
    """The binaries' folder; skips the test when there are none (fails on CI)."""
    binaries = find_binaries()
    if binaries is None:
        if os.environ.get("APACT_REQUIRE_POSTGRESQL") == "1":
            pytest.fail(f"{MISSING} (APACT_REQUIRE_POSTGRESQL=1)")
        pytest.skip(MISSING)
    return binaries


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _unprivileged_user() -> str | None:
    """The user to run PostgreSQL as: None when not root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("running as root and neither a postgres nor a nobody user exists to run PostgreSQL as")


@dataclass
class PostgresServer:
    binaries: Path
    directory: Path
    port: int
    user: str | None
    _names: itertools.count[int] = field(default_factory=itertools.count)
    _shared: dict[str, str] = field(default_factory=dict)
    _watchdog: subprocess.Popen[bytes] | None = None

    @classmethod
    def start(cls, binaries: Path) -> PostgresServer:
        directory = Path(tempfile.mkdtemp(prefix="apact-postgresql-"))
        server = cls(binaries, directory, free_port(), _unprivileged_user())
        try:
            if server.user is not None:
                record = pwd.getpwnam(server.user)
                os.chown(directory, record.pw_uid, record.pw_gid)
            server._run("initdb", "-D", str(directory / "data"), "-U", "apact", "--auth=trust", "-E", "UTF8")
            options = (
                f"-p {server.port} -k {directory} -c listen_addresses=127.0.0.1"
                " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
            )
            server._watchdog = subprocess.Popen(
                [sys.executable, "-c", WATCHDOG, *server._command("pg_ctl", *server._stop_args()), str(directory)],
                stdin=subprocess.PIPE,
                start_new_session=True,  # a Ctrl-C to the tests' process group leaves it to its job
            )
            server._run(
                "pg_ctl", "-D", str(directory / "data"), "-l", str(directory / "log"), "-o", options, "-w", "start"
            )
            server.sql(f"CREATE DATABASE {TEMPLATE}")
        except BaseException:
            server.stop()
            raise
        return server

    def _command(self, program: str, *args: str) -> list[str]:
        command = [str(self.binaries / program), *args]
        return ["runuser", "-u", self.user, "--", *command] if self.user is not None else command

    def _stop_args(self) -> list[str]:
        return ["-D", str(self.directory / "data"), "-m", "immediate", "-w", "stop"]

    def _run(self, program: str, *args: str) -> str:
        command = self._command(program, *args)
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.directory, timeout=60)
        if done.returncode != 0:
            log = self.directory / "log"
            tail = log.read_text(errors="replace")[-2000:] if log.is_file() else ""
            raise RuntimeError(f"{program} failed ({done.returncode}): {done.stdout}{done.stderr}{tail}")
        return done.stdout

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://apact@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as connection:
            connection.execute(statement)

    def new_database(self, *, migrated: bool = True) -> str:
        """A new database's URL: with the broker's schema (no data), or without any table."""
        name = f"test_{os.getpid()}_{next(self._names)}"
        self.sql(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE if migrated else 'template0'} STRATEGY FILE_COPY")
        return self.url(name)

    def emptied_database(self, purpose: str = "test") -> str:
        """The server's database for ``purpose`` ("test" or "module"), with the broker's
        schema and no data."""
        url = self._shared.get(purpose)
        if url is None:
            url = self._shared[purpose] = self.new_database()
            return url
        import psycopg

        from ._empty import POSTGRESQL_TABLES, empty_sql

        with psycopg.connect(url, autocommit=True) as connection:
            tables = [row[0] for row in connection.execute(POSTGRESQL_TABLES).fetchall()]
            for statement in empty_sql(True, tables):
                connection.execute(statement)
        return url

    def migrate_template(self) -> None:
        from apact.broker_server._open import migrate

        migrate(self.url(TEMPLATE))

    def stop(self) -> None:
        try:
            if (self.directory / "data" / "postmaster.pid").exists():
                self._run("pg_ctl", *self._stop_args())
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)
            if self._watchdog is not None:
                self._watchdog.communicate(timeout=60)  # its stdin closed: it finds nothing to do
