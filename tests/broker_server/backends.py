"""The broker's stores for its tests: each test that takes ``database`` (or ``stores``,
``store``, ``module_database``) runs on SQLite and on a real PostgreSQL server (see
``_postgres.py``).

A plugin rather than a conftest's fixtures: tests/broker (the client's tests, which start
brokers too), tests/broker_server and tests/cli (the broker's signal test) register it
(`register`), so that a worker starts one PostgreSQL server for all, not one per folder."""

from __future__ import annotations

import sys
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest

from apact.broker_server._open import open_store
from apact.broker_server._store import Store

from . import _postgres
from ._postgres import MISSING, PostgresServer, skip_or_fail_without_postgresql

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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Without PostgreSQL, every PostgreSQL variant skipped is one line of the summary
    (``SKIPPED [287] tests/broker_server/_postgres.py:66: PostgreSQL not found ...``):
    pytest reports a skip from a fixture at each test, which would be one line per test."""
    report = yield
    excinfo = call.excinfo
    if report.skipped and excinfo is not None and str(excinfo.value) == MISSING:
        here = [entry.lineno + 1 for entry in excinfo.traceback if str(entry.path) == _postgres.__file__]
        if here:
            report.longrepr = (_postgres.__file__, here[-1], f"Skipped: {MISSING}")
    return report


def register(config: pytest.Config) -> None:
    """Make these fixtures visible to every test (once, whichever conftest asks first)."""
    if not config.pluginmanager.has_plugin(PLUGIN):
        config.pluginmanager.register(sys.modules[__name__], PLUGIN)


PLUGIN = "apact-broker-backends"
