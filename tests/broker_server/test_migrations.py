"""Versioned schema migrations, on both backends: applied on start, once, under a lock;
an SQLite file from before migrations adopted without losing data; ``--migrate-only``;
and ``--database`` values the broker cannot use (one line, exit 2).

Backend-specific by nature: adopting a pre-migration file (only SQLite files predate
migrations), the refusals of a PostgreSQL server or URL, and the per-request lookups'
plans, which are SQLite's (``EXPLAIN QUERY PLAN``; PostgreSQL's plans depend on its
statistics, and that its indexes exist is tests/broker_server/test_query_plans.py's)."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from apact.broker_server._migrations import LATEST, MIGRATIONS, SCHEMA_MIGRATIONS
from apact.broker_server._open import migrate, open_store
from apact.broker_server._sqlite import _CURRENT_PUBLICATIONS

from ._postgres import PostgresServer, free_port

DATA = Path(__file__).parent / "data"


def applied_versions(database: str) -> list[int]:
    if database.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(database) as connection:
            return [row[0] for row in connection.execute("SELECT version FROM schema_migrations ORDER BY version")]
    with contextlib.closing(sqlite3.connect(database)) as connection:
        return [row[0] for row in connection.execute("SELECT version FROM schema_migrations ORDER BY version")]


def broker(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "apact", "broker", *args], capture_output=True, text=True, timeout=60)


def test_a_new_database_gets_every_migration_once(blank_database: str) -> None:
    assert migrate(blank_database) == tuple(range(1, LATEST + 1))
    assert migrate(blank_database) == ()  # a second start finds nothing to do
    assert (
        applied_versions(blank_database) == [migration.number for migration in MIGRATIONS] == list(range(1, LATEST + 1))
    )


def test_an_sqlite_file_from_before_migrations_is_adopted_with_its_data(tmp_path: Path) -> None:
    """The file (a dump of one written by apact before migrations: no schema_migrations
    table, user_version 1) keeps every record and gains the later migrations."""
    database = str(tmp_path / "broker.sqlite")
    with contextlib.closing(sqlite3.connect(database)) as connection:
        connection.executescript((DATA / "before-migrations.sql").read_text())
    store = open_store(database)
    try:
        with store.transaction() as tx:
            web, api = tx.pacticipant("Web"), tx.pacticipant("Api")
            assert web is not None and api is not None
            (version,) = tx.versions(web.id)
            assert (version.number, version.branches, version.tags) == ("1.0.0", ("main",), ("prod",))
            (publication,) = tx.publications(consumer_id=web.id)
            assert '"a request"' in (tx.pact_content(publication.sha) or "")
            (verification,) = tx.verifications(provider_id=api.id)
            assert verification.success and verification.sha == publication.sha
            assert [d.uuid for d in tx.deployments(active=True)] == ["d-1"]
            assert [w.uuid for w in tx.webhooks()] == ["w-1"]
            assert [e.name for e in tx.environments()] == ["production"]
            tx.add_version(web.id, "2.0.0", None)  # and it takes new data
    finally:
        store.close()
    assert applied_versions(database) == list(range(1, LATEST + 1))
    with contextlib.closing(sqlite3.connect(database)) as connection:
        assert connection.execute("PRAGMA user_version").fetchone() == (LATEST,)
        plan = connection.execute(
            "EXPLAIN QUERY PLAN SELECT branch_id FROM branch_versions WHERE version_id = 1"
        ).fetchall()
    assert "branch_versions_by_version" in str(plan)  # migration 2's index, used


def test_a_database_migrated_by_a_newer_apact_is_refused(blank_database: str) -> None:
    database = blank_database
    migrate(database)
    statement = "INSERT INTO schema_migrations (version, description, applied_at) VALUES (99, 'future', 'then')"
    if database.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(database, autocommit=True) as server:
            server.execute(statement)
    else:
        with contextlib.closing(sqlite3.connect(database)) as connection, connection:
            connection.execute(statement)
    with pytest.raises(ValueError, match=rf"newer apact \(schema 99, this one reads {LATEST}\); upgrade apact"):
        open_store(database)


def test_migrate_only_applies_the_migrations_and_exits(blank_database: str) -> None:
    database = blank_database
    first = broker("--database", database, "--migrate-only")
    assert first.returncode == 0, first
    assert first.stdout.strip().endswith(
        f"applied migrations {', '.join(str(m.number) for m in MIGRATIONS)}; the schema is up to date"
    )
    assert "postgresql://" not in database or database in first.stdout  # no password to hide here
    again = broker("--database", database, "--migrate-only")
    assert again.returncode == 0, again
    assert again.stdout.strip().endswith("nothing to migrate; the schema is up to date")
    assert applied_versions(database) == list(range(1, LATEST + 1))


def test_migrate_only_reads_the_database_url_from_the_environment(blank_database: str) -> None:
    database = blank_database
    done = subprocess.run(
        [sys.executable, "-m", "apact", "broker", "--migrate-only"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "APACT_BROKER_DATABASE_URL": database},
    )
    assert done.returncode == 0, done
    assert applied_versions(database) == list(range(1, LATEST + 1))


def test_brokers_starting_together_migrate_once(blank_database: str) -> None:
    """Four deploys at once on a blank database take turns: every migration is applied
    once, by one of them, and all four start. On PostgreSQL an advisory lock held for
    the whole run makes the first apply them all and the others find nothing to do; on
    SQLite each migration is its own write transaction (``BEGIN IMMEDIATE``), so another
    process may take the next one, which is as good."""
    database = blank_database
    command = [sys.executable, "-m", "apact", "broker", "--database", database, "--migrate-only"]
    processes = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    try:
        outputs = [process.communicate(timeout=60) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert [process.returncode for process in processes] == [0, 0, 0, 0], outputs
    applied = [
        int(number)
        for out, _ in outputs
        for found in re.findall(r"applied migrations ([\d, ]+);", out)
        for number in found.split(", ")
    ]
    assert sorted(applied) == list(range(1, LATEST + 1)), outputs
    if database.startswith("postgresql://"):
        assert sum("applied migrations" in out for out, _ in outputs) == 1, outputs
    assert applied_versions(database) == list(range(1, LATEST + 1))


def one_line_refusal(database: str) -> str:
    result = broker("--port", "0", "--base-url", "http://127.0.0.1:9292", "--database", database)
    assert result.returncode == 2, result
    assert "serving" not in result.stdout and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_an_unknown_url_scheme_is_one_line() -> None:
    line = one_line_refusal("mysql://user:secret@db.example/pacts")
    assert line == (
        "apact broker: cannot use the database mysql://user:***@db.example/pacts: apact does not know the URL"
        " scheme mysql://; use postgresql://user:password@host:port/database, or an SQLite file's path"
    )


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_a_server_that_refuses_is_one_line_without_the_password(scheme: str) -> None:
    port = free_port()  # nothing listens there
    line = one_line_refusal(f"{scheme}://apact:s3cret@127.0.0.1:{port}/pacts")
    assert line.startswith(f"apact broker: cannot use the database {scheme}://apact:***@127.0.0.1:{port}/pacts: ")
    assert "Connection refused" in line and "s3cret" not in line


def test_a_missing_database_on_a_running_server_is_one_line(postgresql_server: PostgresServer) -> None:
    line = one_line_refusal(postgresql_server.url("no_such_database"))
    assert 'database "no_such_database" does not exist' in line


LOOKUPS = {
    "publications of a consumer version": f"{_CURRENT_PUBLICATIONS} AND p.consumer_version_id = 1",
    "publications of a provider": f"{_CURRENT_PUBLICATIONS} AND p.provider_id = 1",
    "publications of a consumer": f"{_CURRENT_PUBLICATIONS} AND v.pacticipant_id = 1",
    "publications of a pact content": f"{_CURRENT_PUBLICATIONS} AND p.sha = 'x'",
    "branches of versions": "SELECT bv.version_id, b.name FROM branch_versions bv JOIN branches b"
    " ON b.id = bv.branch_id WHERE bv.version_id IN (1, 2)",
    "deployments of a version": "SELECT uuid FROM deployments WHERE version_id = 1",
    "deployments to an environment": "SELECT uuid FROM deployments WHERE environment_uuid = 'e' AND active = 1",
    "verifications of a provider": "SELECT id FROM verifications WHERE provider_id = 1 ORDER BY id",
    "verifications of a pact content": "SELECT id FROM verifications WHERE sha = 'x'",
}


@pytest.mark.parametrize("query", LOOKUPS.values(), ids=LOOKUPS.keys())
def test_lookups_search_an_index_rather_than_scan_a_table(tmp_path: Path, query: str) -> None:
    """SQLite's plan for each lookup the broker makes per request (issue 13: full scans)."""
    database = str(tmp_path / "broker.sqlite")
    migrate(database)
    with contextlib.closing(sqlite3.connect(database)) as connection:
        connection.execute("ANALYZE")
        plan = [row[3] for row in connection.execute(f"EXPLAIN QUERY PLAN {query}")]
    assert not [step for step in plan if step.startswith("SCAN")], plan


def run_sql(database: str, *statements: str) -> None:
    """Each statement in its own transaction, straight through the driver."""
    if database.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(database, autocommit=True) as server:
            for statement in statements:
                server.execute(statement.encode())
        return
    with contextlib.closing(sqlite3.connect(database, isolation_level=None)) as connection:
        connection.execute("PRAGMA foreign_keys = ON")
        for statement in statements:
            connection.execute(statement)


def migrated_to(database: str, last: int) -> None:
    """``database`` as an apact whose newest migration was ``last`` left it (SQLite's
    ``user_version`` included)."""
    backend = "postgresql" if database.startswith("postgresql://") else "sqlite"
    statements = [SCHEMA_MIGRATIONS]
    for migration in MIGRATIONS[:last]:
        statements += migration.statements(backend)
        statements.append(
            "INSERT INTO schema_migrations (version, description, applied_at)"
            f" VALUES ({migration.number}, 'migration {migration.number}', 'then')"
        )
    if backend == "sqlite":
        statements.append(f"PRAGMA user_version = {last}")
    run_sql(database, *statements)


def test_a_version_4_database_with_data_gains_pacticipant_labels(blank_database: str) -> None:
    """Migration 5 (labels) on a database written by an apact before labels: its data
    kept, labels usable at once, the pacticipant's resources unchanged otherwise."""
    database = blank_database
    migrated_to(database, 4)
    now = "2026-01-01T00:00:00.000000+00:00"
    run_sql(
        database,
        f"INSERT INTO pacticipants (id, name, created_at, updated_at) VALUES (1, 'Web', '{now}', '{now}')",
        f"INSERT INTO versions (id, pacticipant_id, number, created_at) VALUES (1, 1, '1.0.0', '{now}')",
        f"INSERT INTO tags (version_id, name, created_at) VALUES (1, 'prod', '{now}')",
    )
    assert applied_versions(database) == [1, 2, 3, 4]
    assert migrate(database) == (5,)
    assert applied_versions(database) == list(range(1, LATEST + 1))
    if not database.startswith("postgresql://"):
        with contextlib.closing(sqlite3.connect(database)) as connection:
            assert connection.execute("PRAGMA user_version").fetchone() == (LATEST,)
    store = open_store(database)
    try:
        with store.transaction() as tx:
            web = tx.pacticipant("Web")
            assert web is not None and web.created_at == now
            assert [(v.number, v.tags) for v in tx.versions(web.id)] == [("1.0.0", ("prod",))]
            assert tx.labels(web.id) == []
            assert tx.add_label(web.id, "mobile")[1] is True
        with store.transaction() as tx:
            assert [p.name for p in tx.labelled("mobile")] == ["Web"]
    finally:
        store.close()
