"""Reading and writing pact files.

::

    from apact import pactfile

    pact = pactfile.load("pacts/Sous Chef-Grill Chef.json")   # any spec version, V1-V4
    pactfile.save(pact, "copy.json", spec="V3")                # V2, V3 or V4 (default: as read)

Reading checks everything (JSON syntax, spec version, matchers, regexes, date formats,
bodies against their content type) and raises :class:`~apact.errors.PactFileError`
naming the file, the interaction and the JSON path. Writing is atomic: the new content
goes to a temporary file in the same directory, which then replaces the target, so a
crash never leaves a half-written pact and readers never see one.
"""

from __future__ import annotations

import ctypes
import functools
import json
import os
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from .._core._types import JSON
from ..errors import PactFileError
from . import _dump, _parse
from .model import PactFile, Spec

__all__ = ["dumps", "load", "loads", "save", "to_json", "write_atomically"]


def load(path: str | os.PathLike[str]) -> PactFile:
    """Read a pact file of any specification version."""
    name = os.fspath(path)
    try:
        data = Path(name).read_bytes()
    except OSError as error:
        raise PactFileError(f"cannot read the file: {error.strerror or error}", file=name) from None
    return loads(data, file=name)


def loads(text: str | bytes, *, file: str | None = None) -> PactFile:
    """Read pact JSON text; ``file`` names it in errors."""
    if isinstance(text, bytes) and text.startswith(b"\xef\xbb\xbf"):
        text = text[3:]  # a UTF-8 byte order mark, as some tools write
    return _parse.loads(text, file=file)


def to_json(pact: PactFile, spec: Spec | str | None = None) -> dict[str, JSON]:
    """The pact as a JSON document (a dict) of ``spec`` (V2, V3 or V4)."""
    return _dump.pact_to_json(pact, Spec.parse(spec) if spec is not None else None)


def dumps(pact: PactFile, spec: Spec | str | None = None) -> str:
    """The pact as JSON text: two-space indented, UTF-8, a newline at the end."""
    return json.dumps(to_json(pact, spec), indent=2, ensure_ascii=False) + "\n"


def save(pact: PactFile, path: str | os.PathLike[str], spec: Spec | str | None = None) -> Path:
    """Write the pact to ``path`` atomically; returns the path."""
    target = Path(path)
    write_atomically(target, dumps(pact, spec).encode())
    return target


def write_atomically(target: Path, data: bytes, *, durable: bool = True) -> None:
    """Replace ``target`` with ``data`` so that it is always either old or new, whole.

    ``durable=False`` skips the ``fsync``: the replacement stays atomic for readers and
    survives the writing process crashing, but not a power cut (test suites writing
    pacts on every test pass use it: the sync costs more than the rest of the write).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        _give_mode(handle, target)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        if _exchange(temporary, target):
            os.unlink(temporary)  # now holds the old content
        else:
            os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise


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
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    function.restype = ctypes.c_int
    return function
