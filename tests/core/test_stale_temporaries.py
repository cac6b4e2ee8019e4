"""A writer killed mid-write leaves its ``.{name}.{random}.tmp`` behind; the next write
to the same pact removes it, and never the temporary file of a writer still alive.

The children here are real processes, stopped with SIGKILL half-way through a write
(their temporary file written, not yet renamed over the pact)."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from apact import pactfile
from apact._core import _files
from apact.model import HttpInteraction, Spec
from apact.pact._writer import entry, write_pact

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and locks")

#: a child that writes ``argv[1]`` atomically but stops before the rename: it prints its
#: temporary file's path, then waits for its stdin to close (or for SIGKILL)
STUCK_WRITER = """
import sys
from pathlib import Path
from apact._core import _files

def stuck(temporary, target):
    print(temporary, flush=True)
    sys.stdin.read()

_files._exchange = stuck  # what replaces the target with the temporary file
_files.write_atomically(Path(sys.argv[1]), b"half a pact " * 100_000, durable=False)
"""


@contextmanager
def stuck_writer(target: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """A child stopped half-way through writing ``target``, and its temporary file."""
    child = subprocess.Popen(
        [sys.executable, "-c", STUCK_WRITER, str(target)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        deadline = time.monotonic() + 30
        while not select.select([child.stdout], [], [], max(0.0, deadline - time.monotonic()))[0]:
            if time.monotonic() > deadline or child.poll() is not None:
                raise AssertionError("the child never got half-way")
        yield child, Path(child.stdout.readline().strip())
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=30)
        for stream in (child.stdin, child.stdout):
            if stream is not None:
                stream.close()


def _names(directory: Path) -> list[str]:
    return sorted(os.listdir(directory))


def test_the_next_write_removes_what_a_killed_writer_left(tmp_path: Path) -> None:
    target = tmp_path / "Sous Chef-Grill Chef.json"
    with stuck_writer(target) as (child, temporary):
        assert temporary.parent == tmp_path and temporary.name.startswith(".Sous Chef-Grill Chef.json.")
        assert temporary.stat().st_size == len(b"half a pact " * 100_000)
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    assert temporary.exists()  # left behind: nobody renamed or removed it
    write_pact(target, "Sous Chef", "Grill Chef", [entry(HttpInteraction("a steak"), Spec.V4)], Spec.V4)
    assert not temporary.exists()
    assert _names(tmp_path) == ["Sous Chef-Grill Chef.json"]  # the lock file too is gone
    assert [i.description for i in pactfile.load(target).interactions] == ["a steak"]


def test_a_live_writer_s_temporary_file_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "a-b.json"
    with stuck_writer(target) as (child, temporary):
        for round_ in range(3):
            _files.write_atomically(target, f"version {round_}".encode(), durable=False)
            assert temporary.exists()  # the child still holds it
        assert target.read_bytes() == b"version 2"
        assert child.stdin is not None
        child.stdin.close()  # let it go on: it renames its file over the target
        assert child.wait(timeout=30) == 0
    assert target.read_bytes() == b"half a pact " * 100_000
    assert not temporary.exists()
    assert _names(tmp_path) == ["a-b.json"]


def test_an_empty_temporary_file_is_a_writer_about_to_lock_it_until_it_is_old(tmp_path: Path) -> None:
    target = tmp_path / "a-b.json"
    fresh, old, abandoned = (tmp_path / f".a-b.json.{name}.tmp" for name in ("fresh", "old", "abandoned"))
    fresh.touch()
    old.touch()
    long_ago = time.time() - 3600
    os.utime(old, (long_ago, long_ago))
    abandoned.write_bytes(b"half a pact")
    other = tmp_path / ".other.json.x.tmp"  # another pact's: not ours to judge
    other.write_bytes(b"half another pact")
    _files.write_atomically(target, b"new", durable=False)
    assert _names(tmp_path) == [fresh.name, other.name, "a-b.json"]
