"""The broker's hot queries find their rows by index: no scan of a table that grows with
the history (issue 13: for-verification, the matrix and the latest pacts scanned
``branch_versions`` once per version and every publication per consumer version).

Every statement that for-verification, the matrix, can-i-deploy and the latest pacts
run on a random history is recorded (SQLite's trace callback, with its values), then
``EXPLAIN QUERY PLAN`` of each must use an index (or the integer primary key) and must
not ``SCAN`` any table but the small ones (pacticipants, environments: one row each).
The plans are SQLite's (PostgreSQL's depend on its statistics, not only its indexes);
that the issue's indexes exist is checked on both backends.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Callable

import pytest

from apact.broker_server import _matrix
from apact.broker_server._domain import latest_pacts as _latest_pacts_of_all
from apact.broker_server._domain import latest_publication, latest_version, provider_publications
from apact.broker_server._open import migrate
from apact.broker_server._selectors import Selector, VerificationQuery, load, pacts_for_verification
from apact.broker_server._sqlite import SqliteStore
from apact.broker_server._store import Transaction

from .histories import START, history

# the tables that grow with the history: none may be scanned
BIG_TABLES = {
    "versions",
    "branches",
    "branch_versions",
    "tags",
    "deployments",
    "pact_contents",
    "publications",
    "verifications",
    "webhooks",
}


def for_verification(tx: Transaction, provider: int) -> None:
    query = VerificationQuery(
        selectors=(Selector(main_branch=True), Selector(deployed_or_released=True), Selector(tag="prod", latest=True)),
        provider_version_branch="main",
        include_pending_status=True,
        include_wip_pacts_since=START,
    )
    assert pacts_for_verification(query, *load(tx, provider, query))


def matrix(tx: Transaction, provider: int) -> None:
    web = tx.pacticipant("Web")
    assert web is not None
    version = latest_version(tx, web)
    assert version is not None
    query = _matrix.parse_query(
        f"q[][pacticipant]=Web&q[][version]={version.number}&q[][pacticipant]=Provider&q[][latest]=true"
    )
    _matrix.evaluate(query, _matrix.load(tx, ["Web", "Provider"]))


def can_i_deploy(tx: Transaction, provider: int) -> None:
    for environment in ("production", None):
        query = _matrix.MatrixQuery(
            readings=((_matrix.MatrixSelector(pacticipant="Web", version="100.0"),),),
            latestby="cvp",
            latest=environment is None,
            tag="prod" if environment is None else None,
            environment=environment,
        )
        _matrix.evaluate(query, _matrix.load(tx, ["Web"]))


def latest_pacts(tx: Transaction, provider: int) -> None:
    found = tx.pacticipant_by_id(provider)
    for consumer in ("Web", "App"):
        pacticipant = tx.pacticipant(consumer)
        assert pacticipant is not None
        assert latest_publication(tx, found, pacticipant) is not None
        latest_publication(tx, found, pacticipant, tag="prod")
        latest_publication(tx, found, pacticipant, branch="main")
    assert provider_publications(tx, found)
    provider_publications(tx, found, main_branch=True)
    provider_publications(tx, found, tag="prod")
    assert _latest_pacts_of_all(tx)  # /pacts/latest


def statements(store: SqliteStore, provider: int, work: Callable[[Transaction, int], None]) -> list[str]:
    """The SELECT statements ``work`` runs, with their values."""
    seen: list[str] = []
    connection: sqlite3.Connection = store._connections[0]  # noqa: SLF001  (":memory:": the store's one connection, traced)
    connection.set_trace_callback(seen.append)
    try:
        with store.transaction() as tx:
            work(tx, provider)
    finally:
        connection.set_trace_callback(None)
    return sorted({statement for statement in seen if statement.lstrip().upper().startswith("SELECT")})


def scans(connection: sqlite3.Connection, statement: str) -> tuple[list[str], list[str]]:
    """The tables ``statement`` scans, and the steps of its plan."""
    steps = [row[3] for row in connection.execute(f"EXPLAIN QUERY PLAN {statement}")]
    scanned = [m.group(1) for step in steps if (m := re.match(r"SCAN (\w+)", step))]
    return scanned, steps


@pytest.mark.parametrize("work", [for_verification, matrix, can_i_deploy, latest_pacts])
def test_the_hot_queries_use_indexes_and_scan_no_big_table(work: Callable[[Transaction, int], None]) -> None:
    store, provider = history(2)
    try:
        found = statements(store, provider, work)
        assert len(found) > 3, found
        aliases = re.compile(r"\b(\w+) (?:AS )?(\w+)\b")
        for statement in found:
            scanned, steps = scans(store._connections[0], statement)  # noqa: SLF001
            # a scan names the table, or its alias in the statement ("publications p": p)
            tables = {alias: table for table, alias in aliases.findall(statement) if table in BIG_TABLES}
            big = [name for name in scanned if name in BIG_TABLES or name in tables]
            assert not big, f"{statement}\n" + "\n".join(steps)
            if any(re.search(rf"\b(FROM|JOIN) {table}\b", statement) for table in BIG_TABLES):
                assert any(re.search(r"USING (COVERING )?INDEX|USING (INTEGER )?PRIMARY KEY", s) for s in steps), (
                    f"{statement}\n" + "\n".join(steps)
                )
    finally:
        store.close()


def test_the_indexes_the_issue_names_exist(database: str) -> None:
    """Each column the issue names leads an index (its first column), on either backend."""
    tables = ("branch_versions", "publications", "deployments")
    migrate(database)
    if database.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(database) as connection:
            rows = connection.execute(
                "SELECT tablename, indexdef FROM pg_indexes WHERE tablename = ANY(%s)", (list(tables),)
            ).fetchall()
        indexed = {(table, definition.split("(", 1)[1].split(",")[0].rstrip(")").strip()) for table, definition in rows}
    else:
        with contextlib.closing(sqlite3.connect(database)) as connection:
            indexed = {
                (table, row[2])
                for table in tables
                for index in connection.execute(f"PRAGMA index_list({table})").fetchall()
                for row in connection.execute(f"PRAGMA index_info({index[1]})").fetchall()[:1]
            }
    assert {
        ("branch_versions", "version_id"),
        ("publications", "consumer_version_id"),
        ("deployments", "version_id"),
    } <= indexed
