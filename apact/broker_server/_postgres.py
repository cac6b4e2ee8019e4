"""The PostgreSQL `Store`: a pool of psycopg 3 connections, SERIALIZABLE transactions.

psycopg 3's synchronous API fits the store interface, which the broker calls from
worker threads; an async driver (asyncpg) would need an event loop in each of them.
Every transaction is SERIALIZABLE, so that several brokers on one database behave as if
they took turns, as processes sharing an SQLite file do: when two collide (a
serialization failure, a deadlock, or both creating the same row), PostgreSQL rolls one
back and the store raises `ConflictError`, which `atomically` answers by running it
again. The SQL is `SqliteTransaction`'s, its ``?`` placeholders turned into psycopg's.
Migrations run on start under an advisory lock: brokers starting together take turns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ._migrations import Dialect, migrate
from ._sqlite import SqliteTransaction
from ._store import ConflictError, StorageFullError, utc_now

try:
    import psycopg
    import psycopg.errors
    from psycopg_pool import ConnectionPool, PoolTimeout
except ImportError:  # pragma: no cover - the postgresql extra is not installed
    psycopg = None  # type: ignore[assignment]

# pg_advisory_lock's key for migrations: "apact_mg" as a 64-bit integer
_MIGRATION_LOCK = int.from_bytes(b"apact_mg", "big")
_RETRY_LOCK = int.from_bytes(b"apact_rt", "big")  # and for retried transactions
_CONFLICTS = ("40001", "40P01", "23505")  # serialization failure, deadlock, unique violation
_DISK_FULL = "53100"


def redacted(url: str) -> str:
    """``url`` without its password, to show in logs and errors."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def one_line(error: BaseException) -> str:
    """libpq's message (several lines, tab-indented hints) as one line."""
    return "; ".join(line.strip() for line in str(error).splitlines() if line.strip())


class PostgresStore:
    """A `Store` in a PostgreSQL database, given as a ``postgresql://`` URL.

    ``connections`` is the pool's size, and so how many transactions run at once.
    """

    def __init__(self, url: str, *, clock: Callable[[], datetime] = utc_now, connections: int = 8) -> None:
        self.database = redacted(url)
        self._url = url
        self._clock = clock
        self.capacity = max(1, connections)
        if psycopg is None:  # pragma: no cover
            raise ValueError(
                f"cannot use the database {self.database}: PostgreSQL needs psycopg;"
                " install apact with the postgresql extra: pip install 'apact[postgresql]'"
            )
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=10) as connection:
                self.applied_migrations = _migrate(connection)
        except (psycopg.Error, ValueError) as error:
            raise ValueError(f"cannot use the database {self.database}: {one_line(error)}") from error
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=self.capacity,
            kwargs={"connect_timeout": 10},
            configure=_configure,
            check=ConnectionPool.check_connection,  # a server restarted since: a new connection
            name="apact broker",
            open=False,
        )
        try:
            self._pool.open(wait=True, timeout=30)
        except (psycopg.Error, PoolTimeout) as error:
            self._pool.close()
            raise ValueError(f"cannot use the database {self.database}: {one_line(error)}") from error

    @contextmanager
    def transaction(self, *, optimistic: bool = False) -> Iterator[SqliteTransaction]:
        """One SERIALIZABLE transaction; unless ``optimistic``, it first waits for its
        turn among the non-optimistic ones (any may still conflict with an optimistic one)."""
        try:
            with self._pool.connection() as connection, connection.transaction():
                if not optimistic:
                    # a retry: one at a time across every broker on this database, so
                    # that retried transactions cannot keep colliding with each other
                    connection.execute("SELECT pg_advisory_xact_lock(%s)", (_RETRY_LOCK,))
                yield SqliteTransaction(_Placeholders(connection), self._clock)
        except psycopg.Error as error:
            if error.sqlstate in _CONFLICTS:
                raise ConflictError(f"a concurrent transaction on {self.database} got in first ({error})") from error
            if error.sqlstate == _DISK_FULL:
                raise StorageFullError(
                    f"{self.database} is full ({one_line(error)}): nothing of this change was kept"
                ) from error
            raise

    def close(self) -> None:
        self._pool.close()


def _configure(connection: psycopg.Connection[Any]) -> None:
    connection.isolation_level = psycopg.IsolationLevel.SERIALIZABLE


class _Placeholders:
    """A psycopg connection that takes `SqliteTransaction`'s ``?`` placeholders."""

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self._connection = connection

    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        query = sql.replace("%", "%%").replace("?", "%s")
        return self._connection.execute(query, tuple(parameters))


def _migrate(connection: psycopg.Connection[Any]) -> tuple[int, ...]:
    """Apply the migrations the database lacks, each in its own transaction, holding an
    advisory lock so that brokers starting at once do not both migrate."""
    connection.execute("SELECT pg_advisory_lock(%s)", (_MIGRATION_LOCK,))
    try:
        return migrate(
            Dialect(
                backend="postgresql", placeholder="%s", execute=connection.execute, transaction=connection.transaction
            )
        )
    finally:
        connection.execute("SELECT pg_advisory_unlock(%s)", (_MIGRATION_LOCK,))
