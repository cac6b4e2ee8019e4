"""`open_store`: the store a ``--database`` names, an SQLite path or a PostgreSQL URL."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from ._sqlite import SqliteStore
from ._store import Store

if TYPE_CHECKING:  # psycopg is imported only for a PostgreSQL URL
    from ._postgres import PostgresStore

_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
POSTGRESQL_SCHEMES = ("postgresql", "postgres")


def is_url(database: str) -> bool:
    return _URL.match(database) is not None


def shown(database: str) -> str:
    """How to name ``database`` to a user: an absolute path, or the URL without its password."""
    if database == ":memory:":
        return database
    if not is_url(database):
        return os.path.abspath(database)
    from ._postgres import redacted

    return redacted(database)


def open_store(database: str) -> Store:
    """The store for ``database``, its migrations applied: ``postgresql://`` (or
    ``postgres://``) is a PostgreSQL server, anything else not a URL an SQLite file.

    Raises `ValueError`, with one line saying why, when it cannot be used.
    """
    return _open(database)


def migrate(database: str) -> tuple[int, ...]:
    """Apply ``database``'s pending migrations; the numbers applied."""
    store = _open(database)
    try:
        return store.applied_migrations
    finally:
        store.close()


def _open(database: str) -> SqliteStore | PostgresStore:
    found = _URL.match(database)
    if found is None:
        return SqliteStore(database)
    scheme = found.group(1).lower()
    if scheme in POSTGRESQL_SCHEMES:
        from ._postgres import PostgresStore

        return PostgresStore(database)
    raise ValueError(
        f"cannot use the database {shown(database)}: apact does not know the URL scheme {scheme}://;"
        " use postgresql://user:password@host:port/database, or an SQLite file's path"
    )
