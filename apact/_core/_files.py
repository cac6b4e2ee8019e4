"""Files for every layer: replacing one atomically (readers see the old content or the
new, whole), an exclusive lock across processes, and reading one within a bound.

Pact files are written through these (``apact.pact.pactfile``, the merging writer in
``apact.pact._writer``), and so is what the pytest plugin's workers share.
"""

from __future__ import annotations

import errno
import functools
import os
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import PactWriteError

__all__ = ["MAX_READ_SIZE", "locked", "read_file", "write_atomically"]

#: the most read of a file apact takes whole (a pact, an OpenAPI document): far beyond
#: any real one, and yet a path that never ends (``/dev/zero``, a FIFO fed without end)
#: is refused before it fills the memory
MAX_READ_SIZE = 256 * 1024 * 1024


def read_file(name: str | os.PathLike[str]) -> bytes:
    """The bytes of ``name``, at most `MAX_READ_SIZE` of them; raises `OSError` (with
    ``strerror`` saying so when it is larger). A regular file larger than that is refused
    before a byte is read; anything else (``/dev/stdin``, a FIFO, a device, a file still
    growing) is counted as it is read."""
    limit = MAX_READ_SIZE
    with open(name, "rb") as stream:
        info = os.fstat(stream.fileno())
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            raise _too_large(name, limit)
        chunks, size = [], 0
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise _too_large(name, limit)
            chunks.append(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


_CHUNK = 1024 * 1024


def _too_large(name: str | os.PathLike[str], limit: int) -> OSError:
    from ._limits import format_size

    return OSError(errno.EFBIG, f"it is larger than {format_size(limit)}", os.fspath(name))


def write_atomically(target: Path, data: bytes, *, durable: bool = True) -> None:
    """Replace ``target`` with ``data`` so that it is always either old or new, whole.

    ``durable=False`` skips the ``fsync``: the replacement stays atomic for readers and
    survives the writing process crashing, but not a power cut (test suites writing
    pacts on every test pass use it: the sync costs more than the rest of the write).

    The new content goes to ``.{name}.{random}.tmp`` next to the target, which the
    writer holds an exclusive ``flock`` on until it has replaced the target. A writer
    killed in between leaves its temporary file behind: the next write to the same
    target removes it (see `_remove_stale`), and never one a live writer holds.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(target)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        _give_mode(handle, target)
        with os.fdopen(handle, "wb") as stream:
            _claim(stream.fileno())
            stream.write(data)
            stream.flush()
            if durable:
                os.fsync(stream.fileno())
            if sys.platform != "win32":
                _replace(temporary, target)  # the claim still held (Windows cannot rename an open file)
        if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
            _replace(temporary, target)
    except BaseException:
        _unlink(temporary)
        raise


def _replace(temporary: str, target: Path) -> None:
    if _exchange(temporary, target):
        _unlink(temporary)  # now holds the old content (which a sweeper may have removed already)
    else:
        os.replace(temporary, target)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _claim(descriptor: int) -> None:
    """Hold an exclusive lock on our temporary file while it exists: the mark of a live
    writer (the lock goes with the process, however it ends). On Windows an open file
    cannot be deleted at all, which protects it the same way."""
    if sys.platform != "win32":
        import fcntl

        fcntl.flock(descriptor, fcntl.LOCK_EX)


#: an empty temporary file this recent may be a writer's between creating it and
#: locking it, so it is left alone (a writer locks its file before writing a byte)
_EMPTY_GRACE = 60.0


def _remove_stale(target: Path) -> None:
    """Remove the temporary files of writers to ``target`` that are gone: those nobody
    holds a lock on (an empty one only once it is a minute old). Errors are ignored:
    this is tidying, not the write."""
    prefix = f".{target.name}."
    try:
        names = [name for name in os.listdir(target.parent) if name.startswith(prefix) and name.endswith(".tmp")]
    except OSError:
        return
    for name in names:
        path = os.path.join(target.parent, name)
        try:
            if sys.platform == "win32":  # pragma: no cover - a file open elsewhere cannot be deleted there
                if not _recent_and_empty(os.stat(path)):
                    os.unlink(path)
                continue
            descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            if _abandoned(descriptor):
                os.unlink(path)
        except OSError:
            pass
        finally:
            os.close(descriptor)


def _abandoned(descriptor: int) -> bool:
    """Whether no live writer holds this temporary file (we lock it if so)."""
    if _recent_and_empty(os.fstat(descriptor)):
        return False
    import fcntl

    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False  # a live writer's
    return True


def _recent_and_empty(info: os.stat_result) -> bool:
    return info.st_size == 0 and time.time() - info.st_mtime < _EMPTY_GRACE


def _give_mode(handle: int, target: Path) -> None:
    """The new file's mode: the file it replaces keeps its own (a ``chmod 644`` stays),
    a new file gets what the umask allows (``0644`` under the usual ``022``), as
    ``open()`` would give it, and as the official Pact tools write pact files; not
    ``mkstemp``'s ``0600``, which a provider job running as another user cannot read."""
    if sys.platform == "win32":  # pragma: no cover - no POSIX modes there
        return
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    os.fchmod(handle, mode)


def _umask() -> int:
    """The process's umask (read, not changed, where Linux tells it)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: set and set back (briefly process-wide)
    os.umask(mask)
    return mask


def _exchange(temporary: str, target: Path) -> bool:
    """Swap the two files atomically (Linux ``renameat2(RENAME_EXCHANGE)``); ``False``
    where that is not possible (no such call, the target does not exist, a file system
    that cannot), and the caller renames over the target instead.

    Why: ext4 flushes a file renamed over another one (its replace-via-rename
    safeguard), which made replacing a 700 kB pact cost 0.6 ms; exchanging the files
    and deleting the old one costs 0.05 ms, with readers still seeing the old or the
    new file, whole.
    """
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    at_cwd, exchange = -100, 2  # AT_FDCWD, RENAME_EXCHANGE
    return renameat2(at_cwd, os.fsencode(temporary), at_cwd, os.fsencode(target), exchange) == 0


@functools.lru_cache(maxsize=1)
def _renameat2() -> Callable[[int, bytes, int, bytes, int], int] | None:
    if sys.platform != "linux":
        return None
    import ctypes  # only when a pact is written over another: reading pacts needs none of it

    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    function.restype = ctypes.c_int
    return function


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``.{name}.lock`` next to ``path`` (other processes
    block until it is released; closing the descriptor releases it).

    On POSIX the lock file exists only while a writer holds it, so it never lands in
    ``git add pacts/``: the holder removes it before releasing it. A writer that was
    waiting then holds a lock on a file no longer there, sees that (the path is gone,
    or names another file) and locks the path anew, so two writers never both hold
    the lock of the same path. (Windows cannot remove an open file: the lock file
    stays there.)"""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.with_name(f".{path.name}.lock")
    while True:
        try:
            descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise PactWriteError(f"{lock}: cannot create the lock file: {error.strerror or error}") from None
        try:
            _lock(descriptor)
        except BaseException:
            os.close(descriptor)
            raise
        if sys.platform == "win32" or _still_there(lock, descriptor):
            break
        os.close(descriptor)  # its holder removed it: lock the one there now
    try:
        yield
    finally:
        if sys.platform != "win32":
            try:
                os.unlink(lock)
            except OSError:
                pass
        os.close(descriptor)


def _lock(descriptor: int) -> None:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        while True:
            try:
                msvcrt.locking(descriptor, msvcrt.LK_LOCK, 1)  # retries for 10 s, then raises
                return
            except OSError:
                continue
    else:
        import fcntl

        fcntl.flock(descriptor, fcntl.LOCK_EX)


def _still_there(lock: Path, descriptor: int) -> bool:
    """Whether the file locked through ``descriptor`` is still the one at ``lock``."""
    try:
        return os.path.samestat(os.fstat(descriptor), os.stat(lock))
    except FileNotFoundError:
        return False
