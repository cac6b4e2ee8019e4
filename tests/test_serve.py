"""``_serve.serve`` on a fixed port (the stub server's ``--port``); the ephemeral-port
behaviour is tested with the mock provider in test_mock.py."""

from __future__ import annotations

import socket

import httpx
import pytest

from apact._serve import serve
from apact.mock import MockProvider

pytestmark = pytest.mark.anyio


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_serve_binds_the_port_it_is_given_and_again_after_a_restart() -> None:
    port = _free_port()
    for _ in range(2):  # the second bind follows a served connection's close at once
        async with serve(MockProvider(), port=port) as url, httpx.AsyncClient() as client:
            assert url == f"http://127.0.0.1:{port}"
            assert (await client.get(url + "/nothing")).status_code == 500  # the mock's unexpected request


async def test_a_port_in_use_raises_oserror() -> None:
    async with serve(MockProvider()) as url:
        port = int(url.rsplit(":", 1)[1])
        with pytest.raises(OSError):
            async with serve(MockProvider(), port=port):
                pass
