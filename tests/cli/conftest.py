"""The broker's backends (SQLite and PostgreSQL) for the broker's signal test in
test_cli_consistency.py: see tests/broker_server/backends.py."""

from __future__ import annotations

import pytest

from ..broker_server import backends


def pytest_configure(config: pytest.Config) -> None:
    backends.register(config)
