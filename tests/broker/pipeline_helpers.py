"""An ``apact broker`` subprocess, and the official ``pact`` CLI and ``apact`` run side by
side against it, with their output read as it comes (to synchronise on it)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import anyio
import anyio.abc
from anyio.streams.text import TextReceiveStream

from .grill import pact_cli

#: what the CLIs see: no PACT_BROKER_* variable of the machine, no colours, one HTTP retry
_QUIET = {"PACT_DO_NOT_TRACK": "true", "PACT_BROKER_HTTP_RETRIES": "1", "NO_COLOR": "1"}


def environment(**extra: str) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("PACT_BROKER_")}, **_QUIET, **extra}


@dataclass
class Running:
    """A process whose output (stderr merged into stdout) is collected as it arrives."""

    process: anyio.abc.Process
    chunks: list[str] = field(default_factory=list)

    @property
    def output(self) -> str:
        return "".join(self.chunks)

    async def until(self, condition: Callable[[str], bool], what: str, timeout: float = 60) -> None:
        """Poll ``condition(output)`` until it holds; fail, showing the output, after ``timeout`` s."""
        with anyio.move_on_after(timeout):
            while not condition(self.output):
                if self.process.returncode is not None:
                    break
                await anyio.sleep(0.05)
        assert condition(self.output), f"never saw {what}; output so far:\n{self.output}"

    async def finished(self, timeout: float = 60) -> int:
        with anyio.fail_after(timeout):
            return await self.process.wait()


@asynccontextmanager
async def started(command: list[str], env: dict[str, str]) -> AsyncIterator[Running]:
    """Start ``command``; on the way out it is terminated (if still running) and waited for."""
    process = await anyio.open_process(
        command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    running = Running(process)

    async def read() -> None:
        assert process.stdout is not None
        async for text in TextReceiveStream(process.stdout, errors="replace"):
            running.chunks.append(text)

    try:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(read)
            try:
                yield running
            finally:
                if process.returncode is None:
                    process.terminate()
                with anyio.CancelScope(shield=True), anyio.fail_after(30):
                    await process.wait()
    finally:
        await process.aclose()


@asynccontextmanager
async def apact_broker(database: Path | str, *options: str) -> AsyncIterator[str]:
    """``apact broker`` on a free port with its data in ``database`` (an SQLite file or a
    PostgreSQL URL); its URL."""
    command = [sys.executable, "-m", "apact", "broker", "--port", "0", "--database", str(database), *options]
    async with started(command, environment()) as broker:
        await broker.until(lambda out: "apact broker: serving " in out, "the broker's start")
        line = next(line for line in broker.output.splitlines() if "apact broker: serving " in line)
        yield line.split("serving ", 1)[1].split(" ", 1)[0]


def official_command(*args: str) -> list[str]:
    return [pact_cli(), *args]


def apact_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "apact", *args]


async def run(command: list[str], stdin: bytes | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run to the end; ``stdout`` holds stdout and stderr, decoded."""
    with anyio.fail_after(timeout):
        done = await anyio.run_process(
            command,
            input=stdin,
            stdin=subprocess.DEVNULL if stdin is None else None,  # never the terminal pytest may run on
            env=environment(),
            check=False,
            stderr=subprocess.STDOUT,
        )
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(errors="replace"))
