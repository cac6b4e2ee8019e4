"""The broker's backends (SQLite and PostgreSQL) for the tests here: see
tests/broker_server/backends.py."""

from __future__ import annotations

import pytest

from ..broker_server import backends


def pytest_configure(config: pytest.Config) -> None:
    backends.register(config)
