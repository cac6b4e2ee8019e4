"""Database work runs in a pool of worker threads and connections: a request stuck on a
lock in the database does not hold up the heartbeat or the reads beside it."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator

import anyio
import httpx
import pytest

from apact._core._serve import serve
from apact.broker_server import SqliteStore, create_app
from apact.broker_server._postgres import PostgresStore
from apact.broker_server._store import Store

pytestmark = [pytest.mark.anyio, pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])]

PROMPT = 10.0  # seconds; generous on a loaded machine: a blocked read would wait for the lock


@contextlib.contextmanager
def writes_locked(store: Store) -> Iterator[Callable[[], bool]]:
    """Another connection holds the lock writers need (readers need not); yields a test
    of whether one of the broker's writes is waiting for it."""
    if isinstance(store, PostgresStore):
        import psycopg

        url = store._url
        with psycopg.connect(url) as holder, psycopg.connect(url, autocommit=True) as observer:
            holder.execute("LOCK TABLE pacticipants IN EXCLUSIVE MODE")  # SELECT still allowed

            def waiting() -> bool:
                row = observer.execute("SELECT count(*) FROM pg_locks WHERE NOT granted").fetchone()
                return row is not None and row[0] > 0

            yield waiting
            holder.rollback()
        return
    assert isinstance(store, SqliteStore)
    with contextlib.closing(sqlite3.connect(store.database, isolation_level=None)) as writer:
        writer.execute("BEGIN IMMEDIATE")  # the write lock: the broker's readers go on (WAL)
        yield lambda: store._idle.qsize() < store.capacity  # a connection is out: the write is in
        writer.execute("ROLLBACK")


async def poll(condition: Callable[[], bool], what: str) -> None:
    """Wait for ``condition`` (``what`` names it when it never comes)."""
    deadline = time.monotonic() + PROMPT
    while not condition():
        assert time.monotonic() < deadline, f"waited {PROMPT} s for {what}"
        await anyio.sleep(0.01)


async def test_a_blocked_write_does_not_stall_the_heartbeat_or_reads(store: Store) -> None:
    async with serve(create_app(store)) as url, httpx.AsyncClient(base_url=url, timeout=60) as client:
        assert (await client.put("/pacticipants/Web", json={})).status_code == 201
        written: list[httpx.Response] = []
        async with anyio.create_task_group() as tasks:
            with writes_locked(store) as waiting:

                async def write() -> None:
                    written.append(await client.put("/pacticipants/Api", json={}))

                tasks.start_soon(write)
                await poll(waiting, "the write waits for the lock")
                for _ in range(3):
                    started = time.monotonic()
                    with anyio.fail_after(PROMPT):
                        heartbeat = await client.get("/diagnostic/status/heartbeat")
                        listed = await client.get("/pacticipants")
                    elapsed = time.monotonic() - started
                    assert heartbeat.json()["ok"] is True
                    assert [p["name"] for p in listed.json()["_embedded"]["pacticipants"]] == ["Web"]
                    assert elapsed < PROMPT
                assert written == []  # still blocked: the reads went past it
        assert [response.status_code for response in written] == [201]  # done once the lock went
        names = [p["name"] for p in (await client.get("/pacticipants")).json()["_embedded"]["pacticipants"]]
        assert names == ["Api", "Web"]
