"""Real processes for the tests: start them in their own process group, wait for a
condition with a deadline (never a sleep standing in for "it must be there by now"),
check that nothing is left, and clean up whatever happens."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from .verifier_helpers import HERE


def poll(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    """Wait until ``condition()`` holds, checking with a short back-off; fail saying
    ``what`` was awaited after ``timeout`` seconds (generous: a loaded 2-core machine)."""
    deadline = time.monotonic() + timeout
    delay = 0.01
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(delay)  # polling a condition between checks, not synchronisation
        delay = min(delay * 1.5, 0.05)


def group_gone(pgid: int) -> bool:
    """No process is left in the process group ``pgid`` (zombies count as left)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def assert_nothing_left(pid: int, what: str = "the provider server") -> None:
    """The process ``pid`` and its process group (a started server leads its own) are
    gone, within a deadline."""
    poll(lambda: process_gone(pid) and group_gone(pid), f"{what} (pid {pid}) and its process group to be gone", 20)


def kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def provider_env(markers: Path, **extra: str) -> dict[str, str]:
    """The environment of a ``ci_app`` server (and of an apact that starts one)."""
    path = os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, "MARKERS": str(markers), **extra}


def uvicorn_command(module: str = "ci_app:app") -> str:
    return f"{sys.executable} -m uvicorn {module} --port {{port}}"


@contextlib.contextmanager
def launched(command: list[str], env: dict[str, str], cwd: Path) -> Iterator[subprocess.Popen[str]]:
    """``command`` in a process group of its own (a signal to the group reaches it and
    not pytest); killed with its group at the end whatever happened."""
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=cwd, start_new_session=True
    )
    try:
        yield process
    finally:
        kill_group(process.pid)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.communicate(timeout=30)


def server_pid(markers: Path) -> int:
    poll(lambda: (markers / "pid").exists() and (markers / "pid").read_text() != "", "the provider server to start")
    return int((markers / "pid").read_text())
