"""Emptying a broker's database between tests, on either backend: every table but
``schema_migrations``, ids counting from 1 again (as in a new database)."""

from __future__ import annotations

from typing import Any

from apact.broker_server._postgres import PostgresStore
from apact.broker_server._store import Store

SQLITE_TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
POSTGRESQL_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"


def empty_sql(postgresql: bool, tables: list[str]) -> list[str]:
    kept = [table for table in tables if table != "schema_migrations"]
    if postgresql:
        return [f"TRUNCATE {', '.join(kept)} RESTART IDENTITY CASCADE"] if kept else []
    # foreign keys checked at COMMIT, so the order of the deletes does not matter
    return ["PRAGMA defer_foreign_keys = ON", *(f"DELETE FROM {table}" for table in kept)]


def empty(store: Store) -> None:
    postgresql = isinstance(store, PostgresStore)
    with store.transaction() as tx:
        db: Any = tx._db  # type: ignore[attr-defined]
        tables = [row[0] for row in db.execute(POSTGRESQL_TABLES if postgresql else SQLITE_TABLES, ()).fetchall()]
        for statement in empty_sql(postgresql, tables):
            db.execute(statement, ())
