"""`_core._files.read_file`: what apact reads whole (pacts, OpenAPI documents) is at
most `MAX_READ_SIZE`, whatever the path is: a regular file, a FIFO, a device."""

from __future__ import annotations

import contextlib
import errno
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from apact._core import _files
from apact._core._files import read_file

LIMIT = 1024 * 1024


@pytest.fixture(autouse=True)
def _small_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_files, "MAX_READ_SIZE", LIMIT)


def test_a_regular_file_up_to_the_limit_is_read_and_one_byte_more_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pact.json"
    path.write_bytes(b"x" * LIMIT)
    assert read_file(path) == b"x" * LIMIT
    with path.open("ab") as stream:
        stream.write(b"y")
    with pytest.raises(OSError) as refused:
        read_file(path)
    assert refused.value.errno == errno.EFBIG
    assert refused.value.strerror == "it is larger than 1 MiB"
    assert refused.value.filename == str(path)
    (tmp_path / "empty.json").touch()
    assert read_file(tmp_path / "empty.json") == b""


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_without_end_is_refused_at_the_limit() -> None:
    with pytest.raises(OSError, match="it is larger than 1 MiB"):
        read_file("/dev/zero")


@contextlib.contextmanager
def fifo_fed(path: Path, data: bytes) -> Iterator[Path]:
    """A FIFO at ``path`` a thread writes ``data`` into (until the reader goes away)."""
    os.mkfifo(path)

    def feed() -> None:
        with contextlib.suppress(BrokenPipeError), path.open("wb") as stream:
            stream.write(data)

    feeder = threading.Thread(target=feed)
    feeder.start()
    try:
        yield path
    finally:
        feeder.join(timeout=30)
        assert not feeder.is_alive(), "the FIFO's writer is still blocked"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_read_in_chunks_and_counted(tmp_path: Path) -> None:
    pact = b'{"consumer": {"name": "Sous Chef"}}' * 40_000  # (1.4 MiB: several chunks)
    with fifo_fed(tmp_path / "small", pact[: LIMIT - 1]) as path:
        assert read_file(path) == pact[: LIMIT - 1]
    with fifo_fed(tmp_path / "large", pact) as path, pytest.raises(OSError, match="it is larger than 1 MiB"):
        read_file(path)
