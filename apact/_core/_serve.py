"""Serving an ASGI app over real HTTP, on loopback, on a port the OS picks (or a given one).

```python
async with serve(app) as url:      # "http://127.0.0.1:49321"
    ...                            # any client, any thread or process, can connect
```

The listening socket is bound (port 0) and put in listening state *before* the URL is
handed out, so there is no window between choosing a port and using it, and no
readiness to poll: connections made at once wait in the backlog until hypercorn
accepts them. The socket is then given to hypercorn as ``fd://``. Works under asyncio
and trio (whichever runs the caller). Leaving the block stops the server; connections
still open are given ``graceful_timeout`` seconds to finish. ``port=`` binds a fixed
port instead (``apact stub --port 8080``); a port in use raises ``OSError``.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from functools import partial
from typing import Any, TypeAlias

import anyio
import anyio.lowlevel
from hypercorn.config import Config

from ._types import ASGIApp

__all__ = ["raise_open_files_limit", "serve"]

#: connections the kernel queues before they are accepted: a burst of a few hundred
#: clients (or of an attacker's) waits there instead of retrying after 1 s, 3 s, 7 s
_BACKLOG = 1024

#: the soft limit of open files the serving commands raise theirs to (if their hard
#: limit allows), and the most macOS accepts when its hard limit is unlimited
_OPEN_FILES = 65536
_MACOS_OPEN_MAX = 10240

_Handler: TypeAlias = Callable[[asyncio.AbstractEventLoop, dict[str, Any]], object]


@asynccontextmanager
async def serve(
    app: ASGIApp, *, host: str = "127.0.0.1", port: int = 0, graceful_timeout: float = 0.5, log: bool = False
) -> AsyncIterator[str]:
    """Serve ``app`` with hypercorn on ``host`` (loopback by default) and ``port`` (0:
    an ephemeral one); yields the base URL (``http://127.0.0.1:PORT``). ``log=True``
    lets hypercorn log errors to stderr."""
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if port and sys.platform != "win32":  # a fixed port can be bound again at once after a restart
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(_BACKLOG)
        port = listener.getsockname()[1]
    except BaseException:
        listener.close()
        raise
    config = Config()
    config.bind = [f"fd://{listener.fileno()}"]
    config.backlog = _BACKLOG  # hypercorn listens again, with its own (100)
    config.graceful_timeout = graceful_timeout
    config.accesslog = None
    config.errorlog = "-" if log else None
    stop = anyio.Event()
    shown = f"[{host}]" if ":" in host else host
    try:
        async with anyio.create_task_group() as group:
            group.start_soon(_run, app, config, stop.wait, port)
            try:
                yield f"http://{shown}:{port}"
            finally:
                stop.set()
    finally:
        # hypercorn made its own socket object for our file descriptor and closed it;
        # ours must not close the (possibly reused) descriptor number again
        listener.detach()


def _running_trio() -> bool:
    try:
        import sniffio  # trio depends on it (anyio does not): without it, this is asyncio
    except ImportError:
        return False
    try:
        return sniffio.current_async_library() == "trio"
    except sniffio.AsyncLibraryNotFoundError:
        return False


async def _run(app: ASGIApp, config: Config, stopped: Callable[[], Awaitable[object]], port: int) -> None:
    # hypercorn does not take being cancelled well (asyncio's worker raises on the way
    # out), so it is shielded and stopped through its shutdown trigger, which leaving
    # the serve() block (cancelled or not) pulls
    trio = _running_trio()
    with anyio.CancelScope(shield=True):
        async with anyio.create_task_group() as group:
            group.start_soon(_cut_off_after_grace, stopped, config.graceful_timeout, port, trio)
            if trio:
                from hypercorn.trio import serve as serve_trio

                await serve_trio(app, config, shutdown_trigger=stopped, mode="asgi")  # type: ignore[arg-type]
            else:
                await _serve_asyncio(app, config, stopped)
            group.cancel_scope.cancel()
        # hypercorn's own graceful wait may end before the grace above, giving up on a
        # connection whose transport is still open: closed now, not whenever the
        # collector finds it (an "unclosed transport" warning in some later code)
        _cut_off(port, trio)
        await anyio.lowlevel.checkpoint()  # (asyncio closes a transport on its next turn)


async def _serve_asyncio(app: ASGIApp, config: Config, stopped: Callable[[], Awaitable[object]]) -> None:
    from hypercorn.asyncio import serve as serve_asyncio

    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    quiet = partial(_quiet_cut_off_connections, previous)
    loop.set_exception_handler(quiet)
    try:
        await serve_asyncio(app, config, shutdown_trigger=stopped, mode="asgi")  # type: ignore[arg-type]
    finally:
        if loop.get_exception_handler() is quiet:  # else another server's is on top: leave it
            loop.set_exception_handler(previous)


async def _cut_off_after_grace(stopped: Callable[[], Awaitable[object]], grace: float, port: int, trio: bool) -> None:
    """Close the connections to ``port`` still open ``grace`` seconds after the stop.

    hypercorn means to end them itself, but does not always get there. On asyncio and
    Python 3.12.1 and later it first awaits ``Server.wait_closed()``, which now waits for
    every connection to end (hypercorn issue 308): a client that never finishes its
    body held the ``serve()`` block open until the body timeout. And on both loops, an
    answer its client does not read is written without end: asyncio's transport closes
    only once its buffer drains, and hypercorn's trio connection writes in a shielded
    scope, so a client that never reads (a stream left unread, a process hung) held the
    block open until that client went away. So each connection still open is cut off
    at once: its socket closed (asyncio: its transport aborted), so that its reads and
    writes fail and hypercorn ends it as when a client goes away, the app told of the
    disconnect. Its task is not cancelled: hypercorn gathers the connections' tasks, and
    one cancelled made its ``serve()`` raise ``CancelledError`` instead of returning.
    Only this server's connections are touched (their local port).
    """
    await stopped()
    await anyio.sleep(grace)
    _cut_off(port, trio)


def _cut_off(port: int, trio: bool) -> None:
    """Close each connection to local ``port`` still open (its task then ends as when
    the client goes away)."""
    if trio:
        for stream in _trio_connections(port):
            stream.socket.close()  # (trio's close wakes a task sending on it)
        return
    for writer in _asyncio_connections(port):
        writer.transport.abort()  # (drops what the client did not read)


def _asyncio_connections(port: int) -> list[asyncio.StreamWriter]:
    """The stream writers of hypercorn's connections to local ``port`` (the tasks
    running its ``_server_callback(reader, writer)``)."""
    found = []
    for task in asyncio.all_tasks():
        writer = _local(task.get_coro(), "worker_serve.<locals>._server_callback", "writer")
        if isinstance(writer, asyncio.StreamWriter) and _port(writer.get_extra_info("sockname")) == port:
            found.append(writer)
    return found


def _trio_connections(port: int) -> list[Any]:
    """The socket streams of the connections to local ``port``: those trio's
    ``serve_listeners`` hands hypercorn (each task runs ``_run_handler(stream, ...)``)."""
    from trio.lowlevel import current_root_task

    found = []
    tasks = [current_root_task()]
    while tasks:
        task = tasks.pop()
        if task is None:
            continue
        stream = _local(task.coro, "_run_handler", "stream")
        sock = getattr(stream, "socket", None)
        if sock is not None and sock.fileno() != -1 and _port(sock.getsockname()) == port:
            found.append(stream)
        tasks.extend(child for nursery in task.child_nurseries for child in nursery.child_tasks)
    return found


def _local(coroutine: object, qualname: str, name: str) -> object:
    """The local variable ``name`` of ``coroutine`` when it runs the function ``qualname``."""
    if getattr(coroutine, "__qualname__", "") != qualname:
        return None
    frame = getattr(coroutine, "cr_frame", None)
    return frame.f_locals.get(name) if frame is not None else None


def _port(address: object) -> int | None:
    return address[1] if isinstance(address, tuple) and len(address) >= 2 else None


def _quiet_cut_off_connections(
    previous: _Handler | None, loop: asyncio.AbstractEventLoop, context: dict[str, Any]
) -> None:
    """Drop asyncio's report of a connection cancelled when the server stops.

    Connections still busy ``graceful_timeout`` after the block ends (a client still
    sending its body) are cancelled; before Python 3.13 asyncio's stream callback then
    reports each as an "Exception in callback" with a ``CancelledError`` traceback
    (150 of them at the end of one test). Everything else goes on as before.
    """
    if isinstance(context.get("exception"), asyncio.CancelledError) and "StreamReaderProtocol" in str(
        context.get("message", "")
    ):
        return
    if previous is not None:
        previous(loop, context)
    else:
        loop.default_exception_handler(context)


def raise_open_files_limit() -> None:
    """Raise this process's soft limit of open files to its hard limit (at most 65,536):
    for the commands that only serve (``apact stub``, ``apact broker``), not for a
    library call in someone's process.

    hypercorn keeps a connection its client has closed until its keep-alive timeout
    (5 s), so a client that connects for every request (``requests.get`` in a loop)
    holds one of the server's descriptors per request for 5 s. Past the soft limit (256
    on macOS, 1,024 on most Linux systems), asyncio logs every refused accept, up to the
    backlog's count at a time, and stops accepting for a second each time."""
    try:
        import resource
    except ImportError:  # (Windows: no such limit)
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = _OPEN_FILES if hard == resource.RLIM_INFINITY else min(hard, _OPEN_FILES)
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return
    for limit in (wanted, min(wanted, _MACOS_OPEN_MAX)):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))
            return
        except (ValueError, OSError):
            continue  # (macOS refuses more than its kern.maxfilesperproc: try OPEN_MAX)


def cannot_listen(host: str, port: int, error: OSError) -> str:
    """What a command says when ``serve()`` cannot bind: ``cannot listen on
    127.0.0.1:9292: address already in use`` (not ``[Errno 98]``)."""
    shown = f"[{host}]" if ":" in host else host
    reason = "address already in use" if error.errno == errno.EADDRINUSE else (error.strerror or str(error)).lower()
    return f"cannot listen on {shown}:{port}: {reason}"
