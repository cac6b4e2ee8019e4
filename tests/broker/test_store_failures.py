"""The SQLite store when SQLite refuses: a failed COMMIT, a full database.

Both are real SQLite behaviour: a deferred foreign key makes COMMIT fail and leaves
the transaction open (SQLite does not roll it back itself), and ``max_page_count``
makes writes fail with SQLITE_FULL ("database or disk is full") exactly as a full disk
does.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from apact.broker._sqlite import SqliteStore
from apact.broker._store import StorageFull


def orphan_version(store: SqliteStore) -> None:
    """Insert a version of a pacticipant that does not exist, checked only at COMMIT."""
    with store.transaction():
        store._connection.execute("PRAGMA defer_foreign_keys = ON")
        store._connection.execute(
            "INSERT INTO versions (pacticipant_id, number, created_at) VALUES (999, '1', '2025-01-01')"
        )


def test_a_failed_commit_is_rolled_back_and_the_store_stays_usable() -> None:
    store = SqliteStore()
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY constraint failed"):
        orphan_version(store)
    assert not store._connection.in_transaction
    with store.transaction() as tx:  # was: "cannot start a transaction within a transaction"
        web = tx.add_pacticipant("Web")
        tx.add_version(web.id, "1", None)
    with store.transaction() as tx:
        assert [p.name for p in tx.pacticipants()] == ["Web"]
        assert store._connection.execute("SELECT count(*) FROM versions").fetchone() == (1,)  # not the orphan


def fill(store: SqliteStore) -> None:
    """Let the database grow by no page from now on."""
    (pages,) = store._connection.execute("PRAGMA page_count").fetchone()
    store._connection.execute(f"PRAGMA max_page_count = {pages}")


def test_a_full_database_is_storage_full_and_keeps_what_was_committed(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "broker.sqlite"))
    with store.transaction() as tx:
        tx.add_pacticipant("Web")
    fill(store)
    with pytest.raises(StorageFull, match="full") as full:
        with store.transaction() as tx:
            api = tx.add_pacticipant("Api")
            tx.add_pact_content("sha", api.id, api.id, "x" * 1_000_000)
    assert isinstance(full.value.__cause__, sqlite3.OperationalError)
    assert not store._connection.in_transaction
    with store.transaction() as tx:  # reads go on, and the committed data is intact
        assert [p.name for p in tx.pacticipants()] == ["Web"]
    store._connection.execute("PRAGMA max_page_count = 1073741823")  # space freed
    with store.transaction() as tx:
        tx.add_pacticipant("Api")
    with store.transaction() as tx:
        assert [p.name for p in tx.pacticipants()] == ["Api", "Web"]
