"""A provider server apact starts itself, on a free loopback port.

``command`` is run (without a shell) with ``{port}`` replaced by a free port on
127.0.0.1; its output (stdout and stderr together) is collected as it comes; the
readiness URL is polled with a short back-off (no sleep stands in for "it must be up by
now") until it answers with a status below 500; at the end the process group gets
SIGTERM, then SIGKILL after a grace period, whatever happened: a failure, an error, a
cancellation. If the server dies before it is ready the error shows its output; if it
dies during the verification, the transport errors say so and the result's notices
show the output.
"""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import anyio
import anyio.abc
import httpx

from ..errors import ProviderStartError

#: how much of the server's output is kept (the end of it)
_KEEP_OUTPUT = 64 * 1024
#: tries when the free port was taken between choosing it and the server binding it
_PORT_TRIES = 3


@dataclass(slots=True)
class Server:
    """A started server: where it listens, and what it printed."""

    command: list[str]
    pid: int
    port: int
    base_url: str
    _output: bytearray = field(default_factory=bytearray)
    returncode: int | None = None
    #: set once the process has exited
    exited: anyio.Event = field(default_factory=anyio.Event)
    #: set once its output has ended (all of it read)
    output_done: anyio.Event = field(default_factory=anyio.Event)
    #: the process exited before apact stopped it
    died: bool = False

    def output(self) -> str:
        text = self._output.decode(errors="replace")
        if len(self._output) >= _KEEP_OUTPUT:
            text = "[...]\n" + text
        return text

    async def explain(self) -> str | None:
        """Why a request failed, when the reason is that the server is gone (its exit
        may be noticed a moment after the connection broke: wait a little for it)."""
        with anyio.move_on_after(0.5):
            await self.exited.wait()
        if self.returncode is None:
            return None
        return f"the provider server (pid {self.pid}) exited with code {self.returncode}"

    def _keep(self, chunk: bytes) -> None:
        self._output += chunk
        if len(self._output) > _KEEP_OUTPUT:
            del self._output[: len(self._output) - _KEEP_OUTPUT]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def split_command(command: str | Sequence[str]) -> list[str]:
    if isinstance(command, str):
        return shlex.split(command)
    return [str(part) for part in command]


@asynccontextmanager
async def started_server(
    command: str | Sequence[str],
    *,
    base_url: str,
    readiness_url: str,
    startup_timeout: float,
    stop_timeout: float,
    env: Mapping[str, str] | None,
    cwd: str | os.PathLike[str] | None,
) -> AsyncIterator[Server]:
    """Start the server, wait until it is ready, yield it, stop it (see module doc).

    ``base_url`` and ``readiness_url`` may hold ``{port}``; a readiness URL starting
    with ``/`` is relative to the base URL.
    """
    argv = split_command(command)
    if not argv:
        raise ProviderStartError("the provider command is empty")
    for attempt in range(1, _PORT_TRIES + 1):
        port = free_port()
        args = [part.replace("{port}", str(port)) for part in argv]
        environment = None
        if env is not None:
            environment = {**os.environ, **{k: v.replace("{port}", str(port)) for k, v in env.items()}}
        url = base_url.replace("{port}", str(port)).rstrip("/")
        ready = readiness_url.replace("{port}", str(port))
        if ready.startswith("/"):
            ready = url + ready
        try:
            process = await anyio.open_process(
                args,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env=environment,
                cwd=cwd,
                start_new_session=sys.platform != "win32",
            )
        except OSError as oserror:
            raise ProviderStartError(f"cannot start the provider command {shlex.join(args)}: {oserror}") from None
        server = Server(args, process.pid, port, url)
        # errors are raised after the task group, as themselves (not as an exception group)
        problem: Exception | None = None
        async with anyio.create_task_group() as group:
            group.start_soon(_read_output, process, server)
            group.start_soon(_watch_exit, process, server)
            try:
                await _wait_until_ready(server, ready, startup_timeout)
            except (_PortTakenError, ProviderStartError) as failure:
                problem = failure
            else:
                try:
                    yield server
                except Exception as failure:  # the verification's own error
                    problem = failure
                finally:
                    server.died = server.returncode is not None
            finally:
                with anyio.CancelScope(shield=True):
                    await _stop(process, server, stop_timeout)
                    group.cancel_scope.cancel()
                    await process.aclose()
        if isinstance(problem, _PortTakenError):
            if attempt < _PORT_TRIES:
                continue
            problem = _start_error(server, "exited before it was ready (its port was taken)")
        if problem is not None:
            raise problem
        return


class _PortTakenError(Exception):
    pass


async def _read_output(process: anyio.abc.Process, server: Server) -> None:
    """Keep the output, so the pipe never fills up and blocks the server."""
    try:
        if process.stdout is not None:
            async for chunk in process.stdout:
                server._keep(chunk)
    except (anyio.ClosedResourceError, anyio.BrokenResourceError):
        pass
    finally:
        server.output_done.set()


async def _watch_exit(process: anyio.abc.Process, server: Server) -> None:
    server.returncode = await process.wait()
    server.exited.set()


async def _wait_until_ready(server: Server, url: str, timeout: float) -> None:
    delay = 0.01
    async with httpx.AsyncClient(timeout=1.0, trust_env=False) as client:
        with anyio.move_on_after(timeout):
            while True:
                if server.exited.is_set():
                    with anyio.move_on_after(1.0):  # its last words: usually the traceback
                        await server.output_done.wait()
                    if _port_taken(server.output()):
                        raise _PortTakenError
                    raise _start_error(server, f"exited with code {server.returncode} before it was ready")
                try:
                    response = await client.get(url)
                    if response.status_code < 500:
                        return
                except httpx.HTTPError:
                    pass
                with anyio.move_on_after(delay):
                    await server.exited.wait()
                delay = min(delay * 1.5, 0.25)
    raise _start_error(server, f"did not become ready within {timeout:g} s (polled {url})")


def _port_taken(output: str) -> bool:
    lowered = output.lower()
    return "address already in use" in lowered or "errno 98" in lowered or "eaddrinuse" in lowered


def _start_error(server: Server, what: str) -> ProviderStartError:
    output = server.output().rstrip() or "(no output)"
    return ProviderStartError(
        f"the provider server {what}\n  command: {shlex.join(server.command)}\n  output:\n"
        + "\n".join("    " + line for line in output.splitlines())
    )


async def _stop(process: anyio.abc.Process, server: Server, grace: float) -> None:
    """SIGTERM to the process group, SIGKILL after ``grace`` seconds; then make sure no
    process of the group is left (a server's workers, a shell's children). Waits on the
    process itself: when the verification is cancelled, so is the exit watcher."""
    if process.returncode is None:
        _signal(process, signal.SIGTERM)
        with anyio.move_on_after(grace):
            await process.wait()
        if process.returncode is None:
            _signal(process, signal.SIGKILL)
            await process.wait()
    if sys.platform != "win32":
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _signal(process: anyio.abc.Process, signum: signal.Signals) -> None:
    try:
        if sys.platform == "win32":
            process.kill() if signum == signal.SIGKILL else process.terminate()
        else:
            os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass
