"""The stores when the database refuses: a failed COMMIT, a full database (507 over HTTP).

On SQLite both are real SQLite behaviour: a deferred foreign key makes COMMIT fail and
leaves the transaction open (SQLite does not roll it back itself), and
``max_page_count`` makes writes fail with SQLITE_FULL ("database or disk is full")
exactly as a full disk does. The failed COMMIT is SQLite's alone (PostgreSQL rolls a
failed COMMIT back itself).

PostgreSQL out of disk space fails the statement with SQLSTATE 53100 (``disk_full``,
"could not extend file ...: No space left on device"); a full disk cannot be had
portably (PostgreSQL has no per-database size limit, and a small file system needs
root), so a trigger on ``pact_contents`` raises that same error, through the same
server, driver and rollback, until it is dropped ("space freed").
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from apact._core._serve import serve
from apact.broker_server import create_app
from apact.broker_server._postgres import PostgresStore
from apact.broker_server._sqlite import SqliteStore
from apact.broker_server._store import StorageFullError, Store

from ._postgres import PostgresServer


def orphan_version(store: SqliteStore) -> None:
    """Insert a version of a pacticipant that does not exist, checked only at COMMIT."""
    with store.transaction() as tx:
        tx._db.execute("PRAGMA defer_foreign_keys = ON")
        tx._db.execute("INSERT INTO versions (pacticipant_id, number, created_at) VALUES (999, '1', '2025-01-01')")


def test_a_failed_commit_is_rolled_back_and_the_store_stays_usable() -> None:
    store = SqliteStore()
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY constraint failed"):
        orphan_version(store)
    assert not any(connection.in_transaction for connection in store._connections)
    with store.transaction() as tx:  # was: "cannot start a transaction within a transaction"
        web = tx.add_pacticipant("Web")
        tx.add_version(web.id, "1", None)
    with store.transaction() as tx:
        assert [p.name for p in tx.pacticipants()] == ["Web"]
        assert tx._db.execute("SELECT count(*) FROM versions").fetchall() == [(1,)]  # not the orphan


def fill(store: SqliteStore) -> None:
    """Let the database grow by no page from now on (a limit each connection sets)."""
    for connection in store._connections:
        (pages,) = connection.execute("PRAGMA page_count").fetchone()
        connection.execute(f"PRAGMA max_page_count = {pages}")


def free(store: SqliteStore) -> None:
    for connection in store._connections:
        connection.execute("PRAGMA max_page_count = 1073741823")


def test_a_full_database_is_storage_full_and_keeps_what_was_committed(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "broker.sqlite"))
    with store.transaction() as tx:
        tx.add_pacticipant("Web")
    fill(store)
    with pytest.raises(StorageFullError, match="full") as full:
        with store.transaction() as tx:
            api = tx.add_pacticipant("Api")
            tx.add_pact_content("sha", api.id, api.id, "x" * 1_000_000)
    assert isinstance(full.value.__cause__, sqlite3.OperationalError)
    assert not any(connection.in_transaction for connection in store._connections)
    with store.transaction() as tx:  # reads go on, and the committed data is intact
        assert [p.name for p in tx.pacticipants()] == ["Web"]
    free(store)  # space freed
    with store.transaction() as tx:
        tx.add_pacticipant("Api")
    with store.transaction() as tx:
        assert [p.name for p in tx.pacticipants()] == ["Api", "Web"]


def pact(body_size: int) -> dict[str, object]:
    interaction = {
        "description": "a request for the menu",
        "request": {"method": "GET", "path": "/menu"},
        "response": {"status": 200, "body": {"menu": "x" * body_size}},
    }
    return {"consumer": {"name": "Web"}, "provider": {"name": "Api"}, "interactions": [interaction]}


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_full_broker_answers_507_loses_nothing_and_goes_on_reading(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "broker.sqlite"))
    try:
        await full_broker(store, lambda: fill(store), lambda: free(store))
    finally:
        store.close()


DISK_FULL = """
CREATE OR REPLACE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'could not extend file "base/1/2": No space left on device' USING ERRCODE = 'disk_full';
END $$;
CREATE TRIGGER disk_full BEFORE INSERT ON pact_contents FOR EACH ROW EXECUTE FUNCTION disk_full();
"""


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_full_postgresql_broker_answers_507_loses_nothing_and_goes_on_reading(
    postgresql_server: PostgresServer,
) -> None:
    database = postgresql_server.new_database()  # its own: the trigger must not outlive the test
    name = database.rsplit("/", 1)[1]

    def fill_up() -> None:
        postgresql_server.sql(DISK_FULL, name)

    def free_up() -> None:
        postgresql_server.sql("DROP TRIGGER disk_full ON pact_contents", name)

    store = PostgresStore(database)
    try:
        fill_up()
        with pytest.raises(StorageFullError, match="full") as full:
            with store.transaction() as tx:
                api = tx.add_pacticipant("Api")
                tx.add_pact_content("sha", api.id, api.id, "{}")
        assert getattr(full.value.__cause__, "sqlstate", None) == "53100"
        with store.transaction() as tx:
            assert tx.pacticipants() == []  # nothing of the refused transaction was kept
        free_up()
        await full_broker(store, fill_up, free_up)
    finally:
        store.close()


async def full_broker(store: Store, fill: Callable[[], None], free: Callable[[], None]) -> None:
    """A broker on ``store`` answers 507 while ``fill`` holds, keeps what it had, goes
    on reading, and takes the refused publication once ``free`` is called."""
    first, second = "/pacts/provider/Api/consumer/Web/version/1", "/pacts/provider/Api/consumer/Web/version/2"
    async with serve(create_app(store)) as url, httpx.AsyncClient(base_url=url) as client:
        assert (await client.put(first, json=pact(10))).status_code == 201
        fill()
        refused = await client.put(second, json=pact(1_000_000))
        assert refused.status_code == 507
        assert refused.json() == {
            "errors": [
                "The broker's storage is full: nothing of this request was saved."
                " Free space on the broker's disk, then send it again."
            ]
        }
        kept = (await client.get(first)).json()["interactions"]
        assert [i["response"]["body"] for i in kept] == [{"menu": "x" * 10}]
        assert (await client.get(second)).status_code == 404
        versions = await client.get("/pacticipants/Web/versions")
        assert [v["number"] for v in versions.json()["_embedded"]["versions"]] == ["1"]
        assert (await client.get("/matrix?q[][pacticipant]=Web&q[][version]=1")).status_code == 200
        free()  # space freed
        assert (await client.put(second, json=pact(1_000_000))).status_code == 201
