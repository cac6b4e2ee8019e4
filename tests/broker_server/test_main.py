"""``python -m apact.broker_server``: a real process, real HTTP, data kept in the SQLite
file or the PostgreSQL database. The credentials and options tests use SQLite in memory
only: what they check is read before any database is opened."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import httpx
import pytest

asyncio_only = pytest.mark.parametrize("anyio_backend", ["asyncio"])

PACT = {"consumer": {"name": "Sous Chef"}, "provider": {"name": "Grill Chef"}, "interactions": []}


@asynccontextmanager
async def broker_process(*args: str) -> AsyncIterator[str]:
    """``python -m apact.broker_server --port 0 ...`` until the block ends; yields its URL."""
    command = [sys.executable, "-m", "apact.broker_server", "--port", "0", *args]
    async with await anyio.open_process(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        try:
            assert process.stdout is not None
            with anyio.fail_after(20):
                line = (await process.stdout.receive()).decode()
            found = re.search(r"serving (http://\S+)", line)
            assert found, f"unexpected first line: {line!r}"
            yield found.group(1)
        finally:
            process.terminate()
            with anyio.fail_after(10):
                await process.wait()


@pytest.mark.anyio
@asyncio_only
async def test_the_broker_runs_keeps_its_data_and_binds_loopback(database: str) -> None:
    pact_url = "/pacts/provider/Grill%20Chef/consumer/Sous%20Chef/version/1.0.0"
    async with broker_process("--database", database) as url:
        assert url.startswith("http://127.0.0.1:")
        async with httpx.AsyncClient(base_url=url) as client:
            assert (await client.get("/diagnostic/status/heartbeat")).json()["ok"] is True
            assert (await client.put(pact_url, json=PACT)).status_code == 201
    async with broker_process("--database", database) as url, httpx.AsyncClient(base_url=url) as client:
        response = await client.get(pact_url)
        assert response.status_code == 200
        assert response.json()["consumer"] == {"name": "Sous Chef"}


@pytest.mark.anyio
@asyncio_only
async def test_credentials_come_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APACT_BROKER_TOKEN", "s3cret")
    async with broker_process("--database", ":memory:") as url, httpx.AsyncClient(base_url=url) as client:
        assert (await client.get("/")).status_code == 401
        assert (await client.get("/", headers={"Authorization": "Bearer s3cret"})).status_code == 200


def test_invalid_options_are_reported() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "apact.broker_server", "--port", "0", "--database", ":memory:", "--username", "chef"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "basic auth needs both a username and a password" in result.stderr
