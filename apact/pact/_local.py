"""Pact files on disk as every reader takes them: a file, or a directory's ``*.json``
files (sorted by name, not recursing). The verifier, the broker client's publishing,
``apact check``/``show`` and the OpenAPI check all read them here, so they agree on what
a directory holds.

An empty directory holds no pacts, which is not an error here: what to make of having
nothing is the caller's to say (verifying nothing fails unless ``allow_empty=True``;
publishing nothing is refused). A file that cannot be read or parsed does not stop the
others: its error is collected, so one run names every bad file (see `_unreadable`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .._core._files import read_file
from ..errors import PactFileError
from . import pactfile
from .model import PactFile

__all__ = ["LocalPact", "load_pact_files", "pact_files", "read_pact_file"]


@dataclass(frozen=True)
class LocalPact:
    """A pact read from ``name``, with the bytes it was read from."""

    name: str
    content: bytes
    pact: PactFile


def pact_files(path: str) -> list[str]:
    """``path`` itself, or the directory's ``*.json`` files by name (none for an empty one)."""
    if os.path.isdir(path):
        return [
            os.path.join(path, name)
            for name in sorted(
                entry.name for entry in os.scandir(path) if entry.name.endswith(".json") and entry.is_file()
            )
        ]
    return [path]


def read_pact_file(name: str) -> bytes:
    """The bytes of ``name``; `PactFileError` naming it when it cannot be read."""
    try:
        return read_file(name)  # (at most 256 MiB: `/dev/zero` is an error, not the memory filled)
    except OSError as error:
        raise PactFileError(f"cannot read the file: {error.strerror or error}", file=name) from None


def load_pact_files(path: str) -> tuple[list[LocalPact], list[PactFileError]]:
    """The pacts of ``path`` (see `pact_files`), and the error of each file that
    cannot be read or is not a valid pact. Blocking: async callers run it in a thread."""
    loaded: list[LocalPact] = []
    errors: list[PactFileError] = []
    for name in pact_files(path):
        try:
            content = read_pact_file(name)
            loaded.append(LocalPact(name, content, pactfile.loads(content, file=name)))
        except PactFileError as error:
            errors.append(error)
    return loaded, errors
