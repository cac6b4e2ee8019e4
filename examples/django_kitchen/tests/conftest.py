"""The Grill Chef's tests run on asyncio: Django's ASGI handler and asgiref's
``sync_to_async`` are asyncio code (under trio, Django's handler fails on every request)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def requests_keep_the_test_connection() -> Iterator[None]:
    """For a sync test whose requests run on its own thread (``async_to_sync``): Django
    closes that thread's database connection as each request starts and ends, and with it
    the test's open transaction (except on an in-memory SQLite database, which Django
    never closes). Django's test client unhooks the same handlers for its requests."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
