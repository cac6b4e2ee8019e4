"""The Grill Chef's database: SQLite through the standard library.

``sqlite3`` blocks, so every call runs in a worker thread (``anyio.to_thread``) and the
event loop keeps serving. Each call opens its own connection to the database file: cheap
for SQLite, and safe from any thread or process (the provider verification's state
handlers write to the same file a started server reads).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import anyio.to_thread

T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS stock (cut TEXT PRIMARY KEY, count INTEGER NOT NULL CHECK (count >= 0));
CREATE TABLE IF NOT EXISTS orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    table_number INTEGER NOT NULL,
    cut TEXT NOT NULL,
    cooking TEXT NOT NULL,
    status TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Order:
    id: int
    table: int
    cut: str
    cooking: str
    status: str


class OutOfStockError(Exception):
    """No steak of that cut is left."""


class Database:
    """The stock of steaks and the orders, in the SQLite file at ``path``."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        def in_a_thread() -> T:
            connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            try:
                connection.execute("BEGIN IMMEDIATE")  # one writer at a time: no lost update
                try:
                    result = work(connection)
                except BaseException:
                    connection.execute("ROLLBACK")
                    raise
                connection.execute("COMMIT")
                return result
            finally:
                connection.close()

        return await anyio.to_thread.run_sync(in_a_thread)

    async def create(self) -> None:
        def create(connection: sqlite3.Connection) -> None:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    connection.execute(statement)

        await self._run(create)

    async def stock(self) -> dict[str, int]:
        return await self._run(lambda c: dict(c.execute("SELECT cut, count FROM stock ORDER BY cut").fetchall()))

    async def set_stock(self, cut: str, count: int) -> None:
        await self._run(lambda c: c.execute("INSERT OR REPLACE INTO stock (cut, count) VALUES (?, ?)", (cut, count)))

    async def place_order(self, table: int, cut: str, cooking: str) -> Order:
        def place(connection: sqlite3.Connection) -> Order:
            taken = connection.execute("UPDATE stock SET count = count - 1 WHERE cut = ? AND count > 0", (cut,))
            if taken.rowcount == 0:
                raise OutOfStockError(cut)
            cursor = connection.execute(
                "INSERT INTO orders (table_number, cut, cooking, status) VALUES (?, ?, ?, 'cooking')",
                (table, cut, cooking),
            )
            assert cursor.lastrowid is not None
            return Order(cursor.lastrowid, table, cut, cooking, "cooking")

        return await self._run(place)

    async def order(self, order_id: int) -> Order | None:
        row = await self._run(
            lambda c: c.execute(
                "SELECT id, table_number, cut, cooking, status FROM orders WHERE id = ?", (order_id,)
            ).fetchone()
        )
        return Order(*row) if row else None

    async def clear(self) -> None:
        def clear(connection: sqlite3.Connection) -> None:
            connection.execute("DELETE FROM orders")
            connection.execute("DELETE FROM stock")

        await self._run(clear)
