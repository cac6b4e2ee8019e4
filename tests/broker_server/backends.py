"""The broker's stores for its tests: each test that takes ``database`` (or ``stores``,
``store``, ``module_database``) runs on SQLite and on a real PostgreSQL server (see
``_postgres.py``).

A plugin rather than a conftest's fixtures: tests/broker (the client's tests, which start
brokers too), tests/broker_server and tests/cli (the broker's signal test) register it
(`register`), so that a worker starts one PostgreSQL server for all, not one per folder."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from apact.broker_server._open import open_store
from apact.broker_server._store import Store

from ._postgres import PostgresServer, skip_or_fail_without_postgresql

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgresql_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server per test process (xdist worker), stopped at the end."""
    server = PostgresServer.start(skip_or_fail_without_postgresql())
    try:
        server.migrate_template()
        yield server
    finally:
        server.stop()


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty broker database: a new SQLite file, or a PostgreSQL database's URL."""
    if request.param == "sqlite":
        return str(tmp_path / "broker.sqlite")
    server: PostgresServer = request.getfixturevalue("postgresql_server")
    return server.emptied_database()


@pytest.fixture(scope="module", params=BACKENDS)
def module_database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Like ``database``, for a module whose tests share one broker: emptied once per
    module (and backend), a PostgreSQL database apart from the one ``database`` empties."""
    if request.param == "sqlite":
        return str(tmp_path_factory.mktemp("broker") / "broker.sqlite")
    server: PostgresServer = request.getfixturevalue("postgresql_server")
    return server.emptied_database("module")


@pytest.fixture
def stores(database: str) -> Iterator[Callable[[], Store]]:
    """Opens stores on ``database`` (as many as a test wants), closed after the test."""
    opened: list[Store] = []

    def open_one() -> Store:
        store = open_store(database)
        opened.append(store)
        return store

    yield open_one
    for store in opened:
        store.close()


@pytest.fixture
def store(stores: Callable[[], Store]) -> Store:
    return stores()


@pytest.fixture(params=BACKENDS)
def blank_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Like ``database``, but without the broker's schema: nothing migrated yet."""
    if request.param == "sqlite":
        return str(tmp_path / "broker.sqlite")
    server: PostgresServer = request.getfixturevalue("postgresql_server")
    return server.new_database(migrated=False)


def register(config: pytest.Config) -> None:
    """Make these fixtures visible to every test (once, whichever conftest asks first)."""
    if not config.pluginmanager.has_plugin(PLUGIN):
        config.pluginmanager.register(sys.modules[__name__], PLUGIN)


PLUGIN = "apact-broker-backends"
