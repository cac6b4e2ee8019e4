"""A provider server apact starts itself, on a free loopback port.

``command`` is run (without a shell) with ``{port}`` replaced by a free port on
127.0.0.1; its output (stdout and stderr together) is collected as it comes; the
readiness URL is polled with a short back-off (no sleep stands in for "it must be up by
now") until it answers with a status below 500 *while the process is alive* (an answer
from another server on a taken port is not readiness); at the end the process group
gets SIGTERM, then SIGKILL after a grace period, whatever happened: a failure, an
error, a cancellation, a KeyboardInterrupt (the stop is shielded from them, and
re-raises them once the server is gone, so no server outlives apact). If the server
dies before it is ready the error shows its output; the verifier watches it during
the verification (see ``Server.exited``).

A fixed address (a base URL without ``{port}``) where something already listens is
refused before the command starts: the command could not listen there, and apact
would verify the other server.
"""

from __future__ import annotations

import math
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
import anyio.lowlevel
import httpx

from ..errors import ProviderStartError

#: how much of the server's output is kept (the end of it)
_KEEP_OUTPUT = 64 * 1024
#: tries when the free port was taken between choosing it and the server binding it
_PORT_TRIES = 3
#: how much of the output one interaction's report shows (the end of it)
_KEEP_PER_INTERACTION = 16 * 1024


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
    #: apact is stopping it: from then on, its exit is expected
    stopping: bool = False
    #: bytes of output received so far (kept or not): a position in the output
    received: int = 0
    #: set (and replaced) whenever output comes
    _more: anyio.Event = field(default_factory=anyio.Event)

    def output(self) -> str:
        text = self._output.decode(errors="replace")
        if len(self._output) >= _KEEP_OUTPUT:
            text = "[...]\n" + text
        return text

    def output_between(self, start: int, end: int | None = None) -> str:
        """What it printed from position ``start`` to ``end`` (to now by default), as
        far as it is kept: the end of it, at most ``_KEEP_PER_INTERACTION`` bytes."""
        end = self.received if end is None else min(end, self.received)
        first = self.received - len(self._output)  # the position of the first byte kept
        cut = start < first or end - start > _KEEP_PER_INTERACTION
        start = max(start, first, end - _KEEP_PER_INTERACTION)
        if start >= end:
            return ""
        text = bytes(self._output[start - first : end - first]).decode(errors="replace")
        return "[...]\n" + text if cut else text

    async def settled(self, quiet: float = 0.1, limit: float = 1.0) -> None:
        """Wait until no output has come for ``quiet`` seconds (at most ``limit``): a
        server logs an error's traceback just after it answers."""
        with anyio.move_on_after(limit):
            while not self.output_done.is_set():
                more = self._more
                with anyio.move_on_after(quiet) as scope:
                    await more.wait()
                if scope.cancelled_caught:
                    return

    @property
    def died(self) -> bool:
        """It exited before apact began to stop it."""
        return self.returncode is not None and not self.stopping

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
        self.received += len(chunk)
        if len(self._output) > _KEEP_OUTPUT:
            del self._output[: len(self._output) - _KEEP_OUTPUT]
        self._more.set()
        self._more = anyio.Event()

    def died_error(self, what: str) -> ProviderStartError:
        """The error of a server that exited while apact used it, with its output."""
        return _start_error(self, f"(pid {self.pid}) exited with code {self.returncode} {what}")


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
    give_up: anyio.Event | None = None,
) -> AsyncIterator[Server]:
    """Start the server, wait until it is ready, yield it, stop it (see module doc).

    ``base_url`` and ``readiness_url`` may hold ``{port}``; a readiness URL starting
    with ``/`` is relative to the base URL. ``give_up`` set while waiting for it to
    get ready (an interrupted ``apact verify``) stops it and raises `StartInterruptedError`.
    """
    argv = split_command(command)
    if not argv:
        raise ProviderStartError("the provider command is empty")
    if "{port}" not in base_url:
        await _refuse_taken_address(base_url)
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
        interrupted: BaseException | None = None
        async with anyio.create_task_group() as group:
            group.start_soon(_read_output, process, server)
            group.start_soon(_watch_exit, process, server)
            try:
                await _wait_until_ready(server, ready, startup_timeout, give_up)
            except (_PortTakenError, ProviderStartError, StartInterruptedError) as failure:
                problem = failure
            else:
                try:
                    yield server
                except Exception as failure:  # the verification's own error
                    problem = failure
            finally:
                server.stopping = True
                with anyio.CancelScope(shield=True):
                    interrupted = await _stop(process, server, stop_timeout)
                    group.cancel_scope.cancel()
        if interrupted is not None:
            raise interrupted
        if isinstance(problem, _PortTakenError):
            if attempt < _PORT_TRIES and "{port}" in base_url:
                continue
            problem = _start_error(server, f"exited before it was ready: {_cannot_listen(url)}")
        if problem is not None:
            raise problem
        return


async def _refuse_taken_address(base_url: str) -> None:
    """A fixed address where something already listens: the server apact starts
    cannot listen there, and the readiness poll would reach the other one."""
    try:
        parsed = httpx.URL(base_url)
        host, port = parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80)
    except (httpx.InvalidURL, ValueError):
        return
    if not host:
        return
    with anyio.move_on_after(1.0):
        try:
            stream = await anyio.connect_tcp(host, port)
        except OSError:
            return
        await stream.aclose()
        raise ProviderStartError(
            f"{_cannot_listen(base_url)}: something is already listening there, and apact would verify it "
            "instead of the server it starts (stop it, or put {port} in the command and let apact choose the port)"
        )


def _cannot_listen(url: str) -> str:
    parsed = httpx.URL(url)
    host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return f"cannot listen on {host}:{port}: address already in use"


class _PortTakenError(Exception):
    pass


class StartInterruptedError(Exception):
    """The start was given up (see ``started_server``); the server is stopped."""


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


async def _wait_until_ready(server: Server, url: str, timeout: float, give_up: anyio.Event | None) -> None:
    delay = 0.01
    async with httpx.AsyncClient(timeout=1.0, trust_env=False) as client:
        with anyio.move_on_after(timeout):
            while True:
                if give_up is not None and give_up.is_set():
                    raise StartInterruptedError
                if server.exited.is_set():
                    with anyio.move_on_after(1.0):  # its last words: usually the traceback
                        await server.output_done.wait()
                    if _port_taken(server.output()):
                        raise _PortTakenError
                    raise _start_error(server, f"exited with code {server.returncode} before it was ready")
                try:
                    response = await client.get(url)
                    # the answer counts only if the process still runs: else another server answered
                    if response.status_code < 500 and await _still_running(server):
                        return
                except httpx.HTTPError:
                    pass
                with anyio.move_on_after(delay):
                    await server.exited.wait()
                delay = min(delay * 1.5, 0.25)
    raise _start_error(server, f"did not become ready within {timeout:g} s (polled {url})")


async def _still_running(server: Server) -> bool:
    """Whether the process runs (its exit is noticed a moment after it happens: give
    the exit watcher its turn first)."""
    await anyio.lowlevel.checkpoint()
    return not server.exited.is_set()


def _port_taken(output: str) -> bool:
    lowered = output.lower()
    return "address already in use" in lowered or "errno 98" in lowered or "eaddrinuse" in lowered


def _start_error(server: Server, what: str) -> ProviderStartError:
    output = server.output().rstrip() or "(no output)"
    return ProviderStartError(
        f"the provider server {what}\n  command: {shlex.join(server.command)}\n  output:\n"
        + "\n".join("    " + line for line in output.splitlines())
    )


async def _stop(process: anyio.abc.Process, server: Server, grace: float) -> BaseException | None:
    """SIGTERM to the process group, SIGKILL after ``grace`` seconds; then make sure no
    process of the group is left (a server's workers, a shell's children). Waits on the
    process itself: when the verification is cancelled, so is the exit watcher.

    Runs shielded; a cancellation that gets through all the same (asyncio's native
    ``Task.cancel()``, which a Ctrl-C under ``asyncio.run`` sends) or a
    ``KeyboardInterrupt`` does not cut it short: the first is returned, to be raised
    once the server is gone."""
    interrupted: BaseException | None = None

    async def wait(seconds: float | None) -> None:
        nonlocal interrupted
        deadline = None if seconds is None else anyio.current_time() + seconds
        while process.returncode is None:
            remaining = None if deadline is None else deadline - anyio.current_time()
            if remaining is not None and remaining <= 0:
                return
            try:
                with anyio.move_on_after(remaining if remaining is not None else math.inf):
                    await process.wait()
            except (KeyboardInterrupt, anyio.get_cancelled_exc_class()) as error:
                interrupted = interrupted or error

    if process.returncode is None:
        _signal(process, signal.SIGTERM)
        await wait(grace)
        if process.returncode is None:
            _signal(process, signal.SIGKILL)
            await wait(None)
    if sys.platform != "win32":
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    try:
        await process.aclose()  # its pipes (it has exited: nothing to wait for)
    except (KeyboardInterrupt, anyio.get_cancelled_exc_class()) as error:
        interrupted = interrupted or error
    return interrupted


def _signal(process: anyio.abc.Process, signum: signal.Signals) -> None:
    try:
        if sys.platform == "win32":
            process.kill() if signum == signal.SIGKILL else process.terminate()
        else:
            os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass
