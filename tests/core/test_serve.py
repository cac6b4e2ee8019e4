"""``_serve.serve`` on a fixed port (the stub server's ``--port``); the ephemeral-port
behaviour is tested with the mock provider in test_mock.py."""

from __future__ import annotations

import socket

import anyio
import httpx
import pytest

from apact._core._serve import serve
from apact._core._types import Receive, Scope, Send
from apact.mock import MockProvider
from apact.verifier._process import free_port

from ..hostile import NeverReading

pytestmark = pytest.mark.anyio


async def test_serve_binds_the_port_it_is_given_and_again_after_a_restart() -> None:
    port = free_port()
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


async def test_cancelling_the_code_inside_stops_the_server_cleanly() -> None:
    """A test cancelled (a timeout, Ctrl-C) while serving: no error, and the port is free."""
    import anyio

    served: list[str] = []

    async def serving(task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        async with serve(MockProvider()) as url:
            served.append(url)
            task_status.started()
            await anyio.sleep_forever()

    async with anyio.create_task_group() as group:
        await group.start(serving)
        group.cancel_scope.cancel()
    port = int(served[0].rsplit(":", 1)[1])
    with socket.socket() as again:
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))


async def test_a_client_that_never_reads_its_answer_does_not_hold_the_block_open() -> None:
    """A client sends a request and never reads the answer: the server's write buffer
    never drains. Leaving the block cuts the connection off after the grace, as for a
    client still sending its body; it waited for that client to go away (forever, if
    the test itself held the client). The app is still shut down (its lifespan), as
    after any stop: cutting off a connection skipped that on Python 3.12 and later."""
    body = b"x" * (32 * 1024 * 1024)  # more than the kernel's buffers on both sides hold
    answering, shut_down = anyio.Event(), anyio.Event()

    async def big(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            shut_down.set()
            await send({"type": "lifespan.shutdown.complete"})
            return
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"%d" % len(body))]})
        answering.set()
        await send({"type": "http.response.body", "body": body})

    async with serve(big, graceful_timeout=0.1) as url:
        client = await anyio.to_thread.run_sync(NeverReading, url, "/big")
        await answering.wait()
    with client:
        assert await anyio.to_thread.run_sync(client.let_go_by_server), "the block waited for the client to go"
    assert shut_down.is_set()
