"""The SQLite `Store`: one file (or ``":memory:"``), and the SQL both backends share.

The file is in WAL mode and the store keeps several connections (``capacity``): readers
run in parallel, each on its own snapshot, beside the one writer SQLite allows. A
transaction the broker runs starts optimistic (``BEGIN``, no lock); if it writes after
another writer committed, SQLite refuses (SQLITE_BUSY), the store raises `ConflictError`
and `atomically` runs it again with the write lock taken up front (a lock in this
process plus ``BEGIN IMMEDIATE``, which serialises other processes sharing the file too).
Its methods block. Its schema comes from `_migrations`, applied when it opens.

`SqliteTransaction` is written in portable SQL with ``?`` placeholders;
`PostgresStore` (``_postgres.py``) runs the very same class on PostgreSQL.
"""

from __future__ import annotations

import json
import os
import queue
import sqlite3
import threading
import weakref
from collections.abc import Callable, Collection, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime, timezone
from typing import Any, Protocol

from .._core._types import JSON, JSONDict
from ._migrations import LATEST, Dialect, migrate
from ._store import (
    Branch,
    ConflictError,
    Deployment,
    DeploymentKind,
    Environment,
    Label,
    PactHead,
    Pacticipant,
    Publication,
    StorageFullError,
    TriggeredStatus,
    TriggeredWebhook,
    UnstorableTextError,
    Verification,
    Version,
    Webhook,
    WebhookExecution,
    new_uuid,
    utc_now,
)

_CHUNK = 500  # values per IN list: well under SQLite's limit on parameters (999 before 3.32)
_SQLITE_FULL = 13  # sqlite3.SQLITE_FULL from Python 3.11
_SQLITE_BUSY = 5  # and its extended codes (BUSY_SNAPSHOT...) in the low byte

# the latest revision of each (consumer version, provider) pair
_CURRENT_PUBLICATIONS = """
SELECT p.id, v.pacticipant_id, p.consumer_version_id, p.provider_id, p.sha, p.created_at
FROM publications p JOIN versions v ON v.id = p.consumer_version_id
WHERE p.id = (SELECT MAX(q.id) FROM publications q
              WHERE q.consumer_version_id = p.consumer_version_id AND q.provider_id = p.provider_id)
"""


class SqliteStore:
    """A `Store` in one SQLite file (or ``":memory:"``, which has one connection).

    ``clock`` gives the time recorded on new records (tests pass a fake one);
    ``connections`` is how many transactions may run at once.
    """

    def __init__(
        self, database: str = ":memory:", *, clock: Callable[[], datetime] = utc_now, connections: int = 4
    ) -> None:
        self.database = database
        self._clock = clock
        self.capacity = 1 if database == ":memory:" else max(1, connections)
        self._write_lock = threading.Lock()
        self._idle: queue.SimpleQueue[sqlite3.Connection] = queue.SimpleQueue()
        self._connections: list[sqlite3.Connection] = []
        try:
            self._connections.append(_open(database))
            self.applied_migrations = _migrate(self._connections[0])
            self._connections.extend(_open(database) for _ in range(self.capacity - 1))
        except (sqlite3.Error, ValueError) as error:
            _close_all(self._connections)
            reason = str(error) if isinstance(error, ValueError) else _unusable(database, error)
            raise ValueError(f"cannot use the database {os.path.abspath(database)}: {reason}") from error
        for connection in self._connections:
            self._idle.put(connection)
        # a store dropped without close() (an app built for a test, say) still closes its
        # connections, when it is collected, rather than leaving that to each connection's
        # own finaliser (which Python 3.13 reports as a ResourceWarning)
        self._closer = weakref.finalize(self, _close_all, list(self._connections))

    @contextmanager
    def transaction(self, *, optimistic: bool = False) -> Iterator[SqliteTransaction]:
        connection = self._idle.get()
        try:
            with ExitStack() as locked:
                if not optimistic:
                    locked.enter_context(self._write_lock)
                try:
                    connection.execute("BEGIN" if optimistic else "BEGIN IMMEDIATE")
                    try:
                        yield SqliteTransaction(connection, self._clock)
                        connection.execute("COMMIT")
                    finally:
                        # after a failed block or COMMIT, undo what SQLite has not: it rolls
                        # back by itself after some errors (a full disk), not after others (a
                        # deferred constraint at COMMIT), which would wedge the connection
                        if connection.in_transaction:
                            connection.execute("ROLLBACK")
                except sqlite3.Error as error:
                    if _is_full(error):
                        raise StorageFullError(
                            f"{self.database} is full ({error}): nothing of this change was kept"
                        ) from error
                    if optimistic and _is_busy(error):
                        raise ConflictError(f"another writer changed {self.database} first ({error})") from error
                    raise
        finally:
            self._idle.put(connection)

    def close(self) -> None:
        self._closer()


def _close_all(connections: list[sqlite3.Connection]) -> None:
    for connection in connections:
        connection.close()


def _open(database: str) -> sqlite3.Connection:
    if sqlite3.sqlite_version_info < (3, 35):  # INSERT ... RETURNING
        raise ValueError(f"the broker needs SQLite 3.35 or newer; this Python has SQLite {sqlite3.sqlite_version}")
    connection = sqlite3.connect(database, check_same_thread=False, isolation_level=None, timeout=30)
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        if database != ":memory:":
            # WAL: readers do not block the writer; NORMAL: no fsync per commit, still
            # safe from corruption (a power cut may lose the last commits, a crash not)
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        connection.close()
        raise
    return connection


def _migrate(connection: sqlite3.Connection) -> tuple[int, ...]:
    """Apply the migrations the file lacks, each in its own write transaction. Brokers
    starting on one file take turns per migration, each checking inside its transaction
    what is already applied: every migration is applied once and in order, though not
    necessarily all by the same process. Returns the numbers this one applied."""

    @contextmanager
    def write_transaction() -> Iterator[None]:
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
            connection.execute("COMMIT")
        finally:
            if connection.in_transaction:
                connection.execute("ROLLBACK")

    def newer_unrecorded() -> set[int]:
        (user_version,) = connection.execute("PRAGMA user_version").fetchone()
        # written by a newer apact before it recorded migrations
        return {user_version} if user_version > LATEST else set()

    def stamp(version: int) -> None:
        # what apact before migrations checked: it refuses a file from a newer apact
        connection.execute(f"PRAGMA user_version = {version}")

    return migrate(
        Dialect(
            backend="sqlite",
            placeholder="?",
            execute=connection.execute,
            transaction=write_transaction,
            also_done=newer_unrecorded,
            stamp=stamp,
        )
    )


def _unusable(database: str, error: sqlite3.Error) -> str:
    """Why SQLite could not open ``database``, and what to do, in words a user acts on.

    SQLite says only "unable to open database file" for most of these; the file system
    tells them apart.
    """
    path = os.path.abspath(database)
    folder = os.path.dirname(path)
    if os.path.isdir(path):
        return f"it is a directory; use a file in it, such as {os.path.join(path, 'pact_broker.sqlite')}"
    if not os.path.exists(folder):
        return f"the directory {folder} does not exist; create it, or use a path in an existing directory"
    if not os.path.isdir(folder):
        return f"{folder} is not a directory; use a path in a directory"
    if "not a database" in str(error):
        return f"it is not an SQLite database ({error}); use the broker's database file, or a new path to start an empty one"
    if "readonly" in str(error) or (os.path.exists(path) and not os.access(path, os.W_OK)):
        return f"this user cannot write it ({error}); make it writable for this user, or use another path"
    return f"SQLite cannot open it ({error}); check that this user may create and write files in {folder}"


def _is_full(error: sqlite3.Error) -> bool:
    """SQLITE_FULL: the disk (or ``max_page_count``) has no room (Python 3.10 gives no code)."""
    code = getattr(error, "sqlite_errorcode", None)
    return code == _SQLITE_FULL if code is not None else "database or disk is full" in str(error)


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def _is_busy(error: sqlite3.Error) -> bool:
    """SQLITE_BUSY: another connection holds the write lock, or wrote since this
    transaction's snapshot (Python 3.10 gives no code)."""
    code = getattr(error, "sqlite_errorcode", None)
    return code & 0xFF == _SQLITE_BUSY if code is not None else "database is locked" in str(error)


def _version(row: sqlite3.Row | tuple[Any, ...], branches: tuple[str, ...], tags: tuple[str, ...]) -> Version:
    return Version(row[0], row[1], row[2], row[3], row[4], branches, tags)


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...
    def fetchall(self) -> list[Any]: ...


class Database(Protocol):
    """What `SqliteTransaction` needs of a connection: ``execute`` with ``?`` placeholders."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Cursor: ...


class _WithoutNul:
    """A connection that refuses a text holding NUL before the database sees it (see
    `UnstorableTextError`): every value the broker stores or looks up passes here."""

    def __init__(self, connection: Database) -> None:
        self._connection = connection

    def execute(self, sql: str, parameters: Any = (), /) -> Cursor:
        for value in parameters:
            if type(value) is str and "\x00" in value:
                raise UnstorableTextError(value)
        return self._connection.execute(sql, parameters)


class SqliteTransaction:
    """`Transaction` in portable SQL on a connection (by `SqliteStore` and `PostgresStore`)."""

    def __init__(self, connection: Database, clock: Callable[[], datetime]) -> None:
        self._db = _WithoutNul(connection)
        self._clock = clock

    def _now(self) -> str:
        return _iso(self._clock())

    def _one(self, sql: str, *args: object) -> Any:
        # every row fetched: an INSERT ... RETURNING is then complete on both backends
        rows = self._db.execute(sql, args).fetchall()
        return rows[0] if rows else None

    def _all(self, sql: str, *args: object) -> list[Any]:
        return self._db.execute(sql, args).fetchall()

    # pacticipants

    _PACTICIPANT = (
        "SELECT id, name, display_name, repository_url, main_branch, created_at, updated_at FROM pacticipants"
    )

    def pacticipant(self, name: str) -> Pacticipant | None:
        row = self._one(f"{self._PACTICIPANT} WHERE name = ?", name)
        return Pacticipant(*row) if row else None

    def pacticipant_by_id(self, id: int) -> Pacticipant:
        return Pacticipant(*self._one(f"{self._PACTICIPANT} WHERE id = ?", id))

    def pacticipants(self) -> list[Pacticipant]:
        return [Pacticipant(*row) for row in self._all(f"{self._PACTICIPANT} ORDER BY lower(name), id")]

    def add_pacticipant(self, name: str) -> Pacticipant:
        now = self._now()
        (id,) = self._one(
            "INSERT INTO pacticipants (name, created_at, updated_at) VALUES (?, ?, ?) RETURNING id", name, now, now
        )
        return self.pacticipant_by_id(id)

    def update_pacticipant(self, pacticipant: Pacticipant) -> Pacticipant:
        self._db.execute(
            "UPDATE pacticipants SET name = ?, display_name = ?, repository_url = ?, main_branch = ?, updated_at = ?"
            " WHERE id = ?",
            (
                pacticipant.name,
                pacticipant.display_name,
                pacticipant.repository_url,
                pacticipant.main_branch,
                self._now(),
                pacticipant.id,
            ),
        )
        return self.pacticipant_by_id(pacticipant.id)

    def delete_pacticipant(self, id: int) -> None:
        self._db.execute(
            "DELETE FROM verifications WHERE consumer_id = ? OR provider_id = ?"
            " OR provider_version_id IN (SELECT id FROM versions WHERE pacticipant_id = ?)",
            (id, id, id),
        )
        self._db.execute(
            "DELETE FROM publications WHERE provider_id = ?"
            " OR consumer_version_id IN (SELECT id FROM versions WHERE pacticipant_id = ?)",
            (id, id),
        )
        self._db.execute("DELETE FROM pact_contents WHERE consumer_id = ? OR provider_id = ?", (id, id))
        self._db.execute("DELETE FROM pacticipants WHERE id = ?", (id,))

    # pacticipant labels

    _LABEL = "SELECT pacticipant_id, name, created_at, updated_at FROM labels"

    def labels(self, pacticipant_id: int) -> list[Label]:
        return [
            Label(*row) for row in self._all(f"{self._LABEL} WHERE pacticipant_id = ? ORDER BY name", pacticipant_id)
        ]

    def add_label(self, pacticipant_id: int, name: str) -> tuple[Label, bool]:
        now = self._now()
        cursor = self._db.execute(
            "INSERT INTO labels (pacticipant_id, name, created_at, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (pacticipant_id, name, now, now),
        )
        row = self._one(f"{self._LABEL} WHERE pacticipant_id = ? AND name = ?", pacticipant_id, name)
        return Label(*row), cursor.rowcount > 0

    def delete_label(self, pacticipant_id: int, name: str) -> bool:
        cursor = self._db.execute("DELETE FROM labels WHERE pacticipant_id = ? AND name = ?", (pacticipant_id, name))
        return cursor.rowcount > 0

    def labelled(self, name: str) -> list[Pacticipant]:
        rows = self._all(
            f"{self._PACTICIPANT} WHERE id IN (SELECT pacticipant_id FROM labels WHERE name = ?) ORDER BY lower(name), id",
            name,
        )
        return [Pacticipant(*row) for row in rows]

    # versions, branches, tags

    _VERSION = "SELECT id, pacticipant_id, number, build_url, created_at FROM versions"

    def _labels(self, version_ids: list[int]) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
        branches: dict[int, list[str]] = {id: [] for id in version_ids}
        tags: dict[int, list[str]] = {id: [] for id in version_ids}
        if not version_ids:
            return branches, tags
        marks = ",".join("?" * len(version_ids))
        for version_id, name in self._all(
            f"SELECT bv.version_id, b.name FROM branch_versions bv JOIN branches b ON b.id = bv.branch_id"
            f" WHERE bv.version_id IN ({marks}) ORDER BY bv.created_at, b.id",
            *version_ids,
        ):
            branches[version_id].append(name)
        for version_id, name in self._all(
            f"SELECT version_id, name FROM tags WHERE version_id IN ({marks}) ORDER BY created_at, name", *version_ids
        ):
            tags[version_id].append(name)
        return branches, tags

    def _versions(self, rows: list[Any]) -> list[Version]:
        branches, tags = self._labels([row[0] for row in rows])
        return [_version(row, tuple(branches[row[0]]), tuple(tags[row[0]])) for row in rows]

    def version(self, pacticipant_id: int, number: str) -> Version | None:
        rows = self._all(f"{self._VERSION} WHERE pacticipant_id = ? AND number = ?", pacticipant_id, number)
        return self._versions(rows)[0] if rows else None

    def version_by_id(self, id: int) -> Version:
        return self._versions(self._all(f"{self._VERSION} WHERE id = ?", id))[0]

    def versions(self, pacticipant_id: int) -> list[Version]:
        return self._versions(self._all(f"{self._VERSION} WHERE pacticipant_id = ? ORDER BY id", pacticipant_id))

    def add_version(self, pacticipant_id: int, number: str, build_url: str | None) -> Version:
        (id,) = self._one(
            "INSERT INTO versions (pacticipant_id, number, build_url, created_at) VALUES (?, ?, ?, ?) RETURNING id",
            pacticipant_id,
            number,
            build_url,
            self._now(),
        )
        return self.version_by_id(id)

    def set_build_url(self, version_id: int, build_url: str) -> None:
        self._db.execute("UPDATE versions SET build_url = ? WHERE id = ?", (build_url, version_id))

    _BRANCH = "SELECT id, pacticipant_id, name, created_at FROM branches"

    def branch(self, pacticipant_id: int, name: str) -> Branch | None:
        row = self._one(f"{self._BRANCH} WHERE pacticipant_id = ? AND name = ?", pacticipant_id, name)
        return Branch(*row) if row else None

    def branches(self, pacticipant_id: int) -> list[Branch]:
        return [
            Branch(*row) for row in self._all(f"{self._BRANCH} WHERE pacticipant_id = ? ORDER BY id", pacticipant_id)
        ]

    def add_branch_version(self, version_id: int, branch: str) -> bool:
        pacticipant_id = self._one("SELECT pacticipant_id FROM versions WHERE id = ?", version_id)[0]
        now = self._now()
        self._db.execute(
            "INSERT INTO branches (pacticipant_id, name, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (pacticipant_id, branch, now),
        )
        branch_id = self._one("SELECT id FROM branches WHERE pacticipant_id = ? AND name = ?", pacticipant_id, branch)[
            0
        ]
        cursor = self._db.execute(
            "INSERT INTO branch_versions (branch_id, version_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (branch_id, version_id, now),
        )
        return cursor.rowcount > 0

    def delete_branch(self, pacticipant_id: int, name: str) -> bool:
        cursor = self._db.execute("DELETE FROM branches WHERE pacticipant_id = ? AND name = ?", (pacticipant_id, name))
        return cursor.rowcount > 0

    def add_tag(self, version_id: int, name: str) -> bool:
        cursor = self._db.execute(
            "INSERT INTO tags (version_id, name, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (version_id, name, self._now()),
        )
        return cursor.rowcount > 0

    def delete_tag(self, version_id: int, name: str) -> bool:
        return self._db.execute("DELETE FROM tags WHERE version_id = ? AND name = ?", (version_id, name)).rowcount > 0

    def tag_first_created(self, pacticipant_id: int, name: str) -> str | None:
        row = self._one(
            "SELECT MIN(t.created_at) FROM tags t JOIN versions v ON v.id = t.version_id"
            " WHERE v.pacticipant_id = ? AND t.name = ?",
            pacticipant_id,
            name,
        )
        return row[0] if row else None

    # environments, deployments and releases

    _ENVIRONMENT = "SELECT uuid, name, display_name, production, contacts, created_at, updated_at FROM environments"

    @staticmethod
    def _environment(row: Any) -> Environment:
        return Environment(row[0], row[1], row[2], bool(row[3]), tuple(json.loads(row[4])), row[5], row[6])

    def environment(self, uuid: str) -> Environment | None:
        row = self._one(f"{self._ENVIRONMENT} WHERE uuid = ?", uuid)
        return self._environment(row) if row else None

    def environments(self) -> list[Environment]:
        return [self._environment(row) for row in self._all(f"{self._ENVIRONMENT} ORDER BY lower(name)")]

    def save_environment(self, environment: Environment) -> Environment:
        now = self._now()
        self._db.execute(
            "INSERT INTO environments (uuid, name, display_name, production, contacts, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (uuid) DO UPDATE SET name = excluded.name,"
            " display_name = excluded.display_name, production = excluded.production,"
            " contacts = excluded.contacts, updated_at = excluded.updated_at",
            (
                environment.uuid,
                environment.name,
                environment.display_name,
                int(environment.production),
                json.dumps(list(environment.contacts)),
                now,
                now,
            ),
        )
        saved = self.environment(environment.uuid)
        assert saved is not None
        return saved

    def delete_environment(self, uuid: str) -> None:
        self._db.execute("DELETE FROM environments WHERE uuid = ?", (uuid,))

    _DEPLOYMENT = (
        "SELECT uuid, kind, version_id, environment_uuid, application_instance, active, created_at, ended_at"
        " FROM deployments"
    )

    @staticmethod
    def _deployment(row: Any) -> Deployment:
        return Deployment(row[0], row[1], row[2], row[3], row[4], bool(row[5]), row[6], row[7])

    def add_deployment(
        self,
        kind: DeploymentKind,
        version_id: int,
        environment_uuid: str,
        application_instance: str | None,
        uuid: str | None = None,
    ) -> Deployment:
        uuid = uuid or new_uuid()
        self._db.execute(
            "INSERT INTO deployments (uuid, kind, version_id, environment_uuid, application_instance, active,"
            " created_at) VALUES (?, ?, ?, ?, ?, 1, ?)",
            (uuid, kind, version_id, environment_uuid, application_instance, self._now()),
        )
        found = self.deployment(uuid)
        assert found is not None
        return found

    def deployment(self, uuid: str) -> Deployment | None:
        row = self._one(f"{self._DEPLOYMENT} WHERE uuid = ?", uuid)
        return self._deployment(row) if row else None

    def deployments(
        self,
        *,
        kind: DeploymentKind | None = None,
        environment_uuid: str | None = None,
        version_id: int | None = None,
        active: bool | None = None,
    ) -> list[Deployment]:
        where, args = _filters(kind=kind, environment_uuid=environment_uuid, version_id=version_id, active=active)
        return [self._deployment(row) for row in self._all(f"{self._DEPLOYMENT}{where} ORDER BY created_at", *args)]

    def end_deployment(self, uuid: str) -> Deployment:
        self._db.execute(
            "UPDATE deployments SET active = 0, ended_at = ? WHERE uuid = ? AND active = 1", (self._now(), uuid)
        )
        found = self.deployment(uuid)
        assert found is not None
        return found

    # pacts

    def add_pact_content(self, sha: str, consumer_id: int, provider_id: int, content: str) -> None:
        self._db.execute(
            "INSERT INTO pact_contents (sha, consumer_id, provider_id, content, created_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (sha, consumer_id, provider_id, content, self._now()),
        )

    def pact_content(self, sha: str) -> str | None:
        row = self._one("SELECT content FROM pact_contents WHERE sha = ?", sha)
        return row[0] if row else None

    def add_publication(self, consumer_version_id: int, provider_id: int, sha: str) -> Publication:
        (id,) = self._one(
            "INSERT INTO publications (consumer_version_id, provider_id, sha, created_at) VALUES (?, ?, ?, ?)"
            " RETURNING id",
            consumer_version_id,
            provider_id,
            sha,
            self._now(),
        )
        return Publication(*self._one(f"{_CURRENT_PUBLICATIONS} AND p.id = ?", id))

    def publications(
        self,
        *,
        provider_id: int | None = None,
        consumer_id: int | None = None,
        consumer_version_id: int | None = None,
        sha: str | None = None,
    ) -> list[Publication]:
        columns = {
            "p.provider_id": provider_id,
            "v.pacticipant_id": consumer_id,
            "p.consumer_version_id": consumer_version_id,
            "p.sha": sha,
        }
        where, args = _filters(prefix=" AND ", **columns)
        return [
            Publication(*row)
            for row in self._all(f"{_CURRENT_PUBLICATIONS}{where} ORDER BY p.consumer_version_id, p.id", *args)
        ]

    # verification results

    _VERIFICATION = (
        "SELECT id, sha, consumer_id, provider_id, provider_version_id, success, wip, build_url, test_results,"
        " verified_by, created_at FROM verifications"
    )

    @staticmethod
    def _verification(row: Any) -> Verification:
        return Verification(
            row[0], row[1], row[2], row[3], row[4], bool(row[5]), bool(row[6]), row[7],
            json.loads(row[8]), json.loads(row[9]), row[10],
        )  # fmt: skip

    def add_verification(
        self,
        *,
        sha: str,
        consumer_id: int,
        provider_id: int,
        provider_version_id: int,
        success: bool,
        wip: bool,
        build_url: str | None,
        test_results: JSON,
        verified_by: JSON,
    ) -> Verification:
        (id,) = self._one(
            "INSERT INTO verifications (sha, consumer_id, provider_id, provider_version_id, success, wip, build_url,"
            " test_results, verified_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            *(
                sha,
                consumer_id,
                provider_id,
                provider_version_id,
                int(success),
                int(wip),
                build_url,
                json.dumps(test_results),
                json.dumps(verified_by),
                self._now(),
            ),
        )
        found = self.verification(id)
        assert found is not None
        return found

    def verification(self, id: int) -> Verification | None:
        row = self._one(f"{self._VERIFICATION} WHERE id = ?", id)
        return self._verification(row) if row else None

    def verifications(self, *, provider_id: int | None = None, sha: str | None = None) -> list[Verification]:
        where, args = _filters(provider_id=provider_id, sha=sha)
        return [self._verification(row) for row in self._all(f"{self._VERIFICATION}{where} ORDER BY id", *args)]

    # webhooks

    def webhook(self, uuid: str) -> Webhook | None:
        row = self._one("SELECT uuid, document, created_at, updated_at FROM webhooks WHERE uuid = ?", uuid)
        return Webhook(row[0], json.loads(row[1]), row[2], row[3]) if row else None

    def webhooks(self) -> list[Webhook]:
        rows = self._all("SELECT uuid, document, created_at, updated_at FROM webhooks ORDER BY created_at, uuid")
        return [Webhook(row[0], json.loads(row[1]), row[2], row[3]) for row in rows]

    def save_webhook(self, uuid: str, document: JSONDict) -> tuple[Webhook, bool]:
        now = self._now()
        created = self.webhook(uuid) is None
        self._db.execute(
            "INSERT INTO webhooks (uuid, document, created_at, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (uuid) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at",
            (uuid, json.dumps(document), now, now),
        )
        saved = self.webhook(uuid)
        assert saved is not None
        return saved, created

    def delete_webhook(self, uuid: str) -> bool:
        return self._db.execute("DELETE FROM webhooks WHERE uuid = ?", (uuid,)).rowcount > 0

    # deleting pacts and versions

    def delete_version(self, id: int) -> None:
        self._db.execute("DELETE FROM verifications WHERE provider_version_id = ?", (id,))
        self._db.execute("DELETE FROM publications WHERE consumer_version_id = ?", (id,))
        self._db.execute("DELETE FROM versions WHERE id = ?", (id,))  # tags, branch links, deployments cascade
        self._delete_orphan_contents()

    def delete_publications(self, consumer_version_id: int, provider_id: int) -> int:
        deleted = self._db.execute(
            "DELETE FROM publications WHERE consumer_version_id = ? AND provider_id = ?",
            (consumer_version_id, provider_id),
        ).rowcount
        self._delete_orphan_contents()
        return int(deleted)

    def _delete_orphan_contents(self) -> None:
        """Pact contents no publication refers to, and their verification results: a
        result belongs to a content, and a content no version published is gone."""
        orphans = "SELECT sha FROM pact_contents WHERE sha NOT IN (SELECT sha FROM publications)"
        self._db.execute(f"DELETE FROM verifications WHERE sha IN ({orphans})")
        self._db.execute(f"DELETE FROM pact_contents WHERE sha IN ({orphans})")

    # webhook executions (added with firing webhooks: the lead ports these to PostgreSQL)

    _TRIGGERED = (
        "SELECT uuid, webhook_uuid, event_name, trigger_type, status, consumer_id, provider_id,"
        " consumer_version_id, verification_id, variables, created_at, updated_at FROM triggered_webhooks"
    )

    @staticmethod
    def _triggered(row: Any) -> TriggeredWebhook:
        return TriggeredWebhook(
            row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8],
            json.loads(row[9]), row[10], row[11],
        )  # fmt: skip

    def add_triggered_webhook(
        self,
        *,
        uuid: str,
        webhook_uuid: str,
        event_name: str,
        trigger_type: str,
        consumer_id: int | None,
        provider_id: int | None,
        consumer_version_id: int | None,
        verification_id: int | None,
        variables: JSONDict,
    ) -> TriggeredWebhook:
        now = self._now()
        self._db.execute(
            "INSERT INTO triggered_webhooks (uuid, webhook_uuid, event_name, trigger_type, status, consumer_id,"
            " provider_id, consumer_version_id, verification_id, variables, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, 'not_run', ?, ?, ?, ?, ?, ?, ?)",
            (
                uuid, webhook_uuid, event_name, trigger_type, consumer_id, provider_id, consumer_version_id,
                verification_id, json.dumps(variables), now, now,
            ),
        )  # fmt: skip
        found = self.triggered_webhook(uuid)
        assert found is not None
        return found

    def triggered_webhook(self, uuid: str) -> TriggeredWebhook | None:
        row = self._one(f"{self._TRIGGERED} WHERE uuid = ?", uuid)
        return self._triggered(row) if row else None

    def triggered_webhooks(
        self,
        *,
        webhook_uuid: str | None = None,
        consumer_version_id: int | None = None,
        provider_id: int | None = None,
        verification_id: int | None = None,
    ) -> list[TriggeredWebhook]:
        where, args = _filters(
            webhook_uuid=webhook_uuid,
            consumer_version_id=consumer_version_id,
            provider_id=provider_id,
            verification_id=verification_id,
        )
        return [self._triggered(row) for row in self._all(f"{self._TRIGGERED}{where} ORDER BY created_at, uuid", *args)]

    def set_triggered_webhook_status(self, uuid: str, status: TriggeredStatus) -> None:
        self._db.execute(
            "UPDATE triggered_webhooks SET status = ?, updated_at = ? WHERE uuid = ?", (status, self._now(), uuid)
        )

    def add_webhook_execution(self, triggered_uuid: str, success: bool, logs: str) -> WebhookExecution:
        now = self._now()
        (id,) = self._one(
            "INSERT INTO webhook_executions (triggered_uuid, success, logs, created_at) VALUES (?, ?, ?, ?)"
            " RETURNING id",
            triggered_uuid,
            int(success),
            logs,
            now,
        )
        return WebhookExecution(id, triggered_uuid, success, logs, now)

    def webhook_executions(self, triggered_uuid: str) -> list[WebhookExecution]:
        rows = self._all(
            "SELECT id, triggered_uuid, success, logs, created_at FROM webhook_executions"
            " WHERE triggered_uuid = ? ORDER BY id",
            triggered_uuid,
        )
        return [WebhookExecution(row[0], row[1], bool(row[2]), row[3], row[4]) for row in rows]

    # --- narrowed and bulk reads for the hot paths (brokerperf, issue 13) ---------------------

    # the provider has a pact from the consumer version ``{version}``
    _HAS_PACT = "EXISTS (SELECT 1 FROM publications p WHERE p.consumer_version_id = {version} AND p.provider_id = ?)"

    def _chunked(
        self, sql: str, values: Collection[object], before: tuple[object, ...] = (), after: tuple[object, ...] = ()
    ) -> list[Any]:
        """``sql`` (with ``{marks}`` for an ``IN`` list, between the parameters ``before`` and
        ``after``) run over ``values`` in chunks that stay under SQLite's limit on parameters."""
        items = list(values)
        rows: list[Any] = []
        for start in range(0, len(items), _CHUNK):
            chunk = items[start : start + _CHUNK]
            rows += self._all(sql.format(marks=",".join("?" * len(chunk))), *before, *chunk, *after)
        return rows

    def versions_by_ids(self, ids: Collection[int]) -> list[Version]:
        rows = self._chunked(f"{self._VERSION} WHERE id IN ({{marks}})", set(ids))
        return self._versions(sorted(rows, key=lambda row: int(row[0])))

    def latest_version_id(
        self, pacticipant_id: int, *, branch: str | None = None, tag: str | None = None
    ) -> int | None:
        if branch is not None:
            tagged = " AND EXISTS (SELECT 1 FROM tags t WHERE t.version_id = bv.version_id AND t.name = ?)"
            row = self._one(
                "SELECT bv.version_id FROM branches b JOIN branch_versions bv ON bv.branch_id = b.id"
                f" WHERE b.pacticipant_id = ? AND b.name = ?{tagged if tag is not None else ''}"
                " ORDER BY bv.version_id DESC LIMIT 1",
                pacticipant_id,
                branch,
                *([tag] if tag is not None else []),
            )
        elif tag is not None:
            row = self._one(
                "SELECT t.version_id FROM tags t JOIN versions v ON v.id = t.version_id"
                " WHERE t.name = ? AND v.pacticipant_id = ? ORDER BY t.version_id DESC LIMIT 1",
                tag,
                pacticipant_id,
            )
        else:
            row = self._one("SELECT id FROM versions WHERE pacticipant_id = ? ORDER BY id DESC LIMIT 1", pacticipant_id)
        return int(row[0]) if row else None

    # the pacticipants c with a pact content with the pacticipant ? (as provider: {side} is
    # provider_id, and consumer_id is c), probed by index once per pacticipant, so that
    # the cost does not grow with the number of contents
    _PAIRED = "EXISTS (SELECT 1 FROM pact_contents pc WHERE pc.{side} = ? AND pc.{other} = c.id)"
    # ... and a publication of them still there (a deleted version takes its publications)
    _PUBLISHED = (
        "EXISTS (SELECT 1 FROM versions v JOIN publications p ON p.consumer_version_id = v.id"
        " WHERE v.pacticipant_id = {consumer} AND p.provider_id = {provider})"
    )

    def integrations_of(self, pacticipant_id: int) -> set[tuple[int, int]]:
        consumers = self.consumers_of(pacticipant_id)
        providers = self._all(
            f"SELECT c.id FROM pacticipants c WHERE {self._PAIRED.format(side='consumer_id', other='provider_id')}"
            f" AND {self._PUBLISHED.format(consumer='?', provider='c.id')}",
            pacticipant_id,
            pacticipant_id,
        )
        return {(id, pacticipant_id) for id in consumers} | {(pacticipant_id, int(row[0])) for row in providers}

    def consumers_of(self, provider_id: int) -> list[int]:
        rows = self._all(
            f"SELECT c.id FROM pacticipants c WHERE {self._PAIRED.format(side='provider_id', other='consumer_id')}"
            f" AND {self._PUBLISHED.format(consumer='c.id', provider='?')}",
            provider_id,
            provider_id,
        )
        return sorted(int(row[0]) for row in rows)

    def integration_heads(self) -> list[tuple[int, int, int]]:
        rows = self._all(
            "SELECT c.id, r.id, (SELECT v.id FROM versions v WHERE v.pacticipant_id = c.id AND"
            f" {self._HAS_PACT.format(version='v.id').replace('?', 'r.id')} ORDER BY v.id DESC LIMIT 1)"
            " FROM pacticipants c JOIN pacticipants r"
            " ON EXISTS (SELECT 1 FROM pact_contents pc WHERE pc.provider_id = r.id AND pc.consumer_id = c.id)"
        )
        return [(int(consumer), int(provider), int(version)) for consumer, provider, version in rows if version]

    def pact_heads(
        self,
        provider_id: int,
        consumer_ids: Collection[int],
        *,
        branches: Collection[str] | None = (),
        tags: Collection[str] | None = (),
    ) -> list[PactHead]:
        heads: list[PactHead] = []
        consumers = sorted(set(consumer_ids))
        has_pact = self._HAS_PACT
        for consumer_id in consumers:
            row = self._one(
                f"SELECT v.id FROM versions v WHERE v.pacticipant_id = ? AND {has_pact.format(version='v.id')}"
                " ORDER BY v.id DESC LIMIT 1",
                consumer_id,
                provider_id,
            )
            if row:
                heads.append(PactHead(consumer_id, "latest", None, int(row[0])))
        if branches is None or branches:
            named = "" if branches is None else f" AND b.name IN ({','.join('?' * len(branches))})"
            for consumer_id, name, version_id in self._chunked(
                "SELECT b.pacticipant_id, b.name, (SELECT bv.version_id FROM branch_versions bv"
                f" WHERE bv.branch_id = b.id AND {has_pact.format(version='bv.version_id')}"
                f" ORDER BY bv.version_id DESC LIMIT 1) FROM branches b WHERE b.pacticipant_id IN ({{marks}}){named}",
                consumers,
                (provider_id,),
                tuple(branches or ()),
            ):
                if version_id is not None:
                    heads.append(PactHead(int(consumer_id), "branch", name, int(version_id)))
        if tags is None or tags:
            for consumer_id in consumers:
                names = sorted(set(tags)) if tags is not None else [
                    row[0]
                    for row in self._all(
                        "SELECT DISTINCT t.name FROM versions v JOIN tags t ON t.version_id = v.id"
                        " WHERE v.pacticipant_id = ?",
                        consumer_id,
                    )
                ]  # fmt: skip
                for name in names:
                    row = self._one(
                        "SELECT t.version_id FROM tags t JOIN versions v ON v.id = t.version_id"
                        f" WHERE t.name = ? AND v.pacticipant_id = ? AND {has_pact.format(version='t.version_id')}"
                        " ORDER BY t.version_id DESC LIMIT 1",
                        name,
                        consumer_id,
                        provider_id,
                    )
                    if row:
                        heads.append(PactHead(consumer_id, "tag", name, int(row[0])))
        return heads

    def pact_versions_labelled(
        self, provider_id: int, consumer_ids: Collection[int], *, branches: Collection[str], tags: Collection[str]
    ) -> set[int]:
        found: set[int] = set()
        consumers = sorted(set(consumer_ids))
        if branches:
            found.update(
                int(row[0])
                for row in self._chunked(
                    "SELECT bv.version_id FROM branches b JOIN branch_versions bv ON bv.branch_id = b.id"
                    f" WHERE b.name IN ({','.join('?' * len(branches))}) AND b.pacticipant_id IN ({{marks}})"
                    f" AND {self._HAS_PACT.format(version='bv.version_id')}",
                    consumers,
                    tuple(branches),
                    (provider_id,),
                )
            )
        if tags:
            found.update(
                int(row[0])
                for row in self._chunked(
                    "SELECT t.version_id FROM tags t JOIN versions v ON v.id = t.version_id"
                    f" WHERE t.name IN ({','.join('?' * len(tags))}) AND v.pacticipant_id IN ({{marks}})"
                    f" AND {self._HAS_PACT.format(version='t.version_id')}",
                    consumers,
                    tuple(tags),
                    (provider_id,),
                )
            )
        return found

    def publications_of(self, provider_id: int | None, consumer_version_ids: Collection[int]) -> list[Publication]:
        by_provider = " AND p.provider_id = ?" if provider_id is not None else ""
        rows = self._chunked(
            f"{_CURRENT_PUBLICATIONS}{by_provider} AND p.consumer_version_id IN ({{marks}})",
            set(consumer_version_ids),
            (provider_id,) if provider_id is not None else (),
        )
        return [Publication(*row) for row in sorted(rows, key=lambda row: (row[2], row[0]))]

    def verifications_of(self, provider_id: int, shas: Collection[str]) -> list[Verification]:
        rows = self._chunked(
            f"{self._VERIFICATION} WHERE provider_id = ? AND sha IN ({{marks}})", set(shas), (provider_id,)
        )
        return [self._verification(row) for row in sorted(rows, key=lambda row: int(row[0]))]

    # --- end of the brokerperf reads ------------------------------------------------------------


def _filters(*, prefix: str = " WHERE ", **columns: object) -> tuple[str, list[object]]:
    """`` WHERE a = ? AND b = ?`` for the columns whose value is not None."""
    given = {name: value for name, value in columns.items() if value is not None}
    if not given:
        return "", []
    clause = " AND ".join(f"{name} = ?" for name in given)
    return prefix + clause, [int(value) if isinstance(value, bool) else value for value in given.values()]
