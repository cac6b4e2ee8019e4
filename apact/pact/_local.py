"""Pact files on disk as every reader takes them: a file, or a directory's ``*.json``
files (sorted by name, not recursing). The verifier, the broker client's publishing,
``apact show`` and the OpenAPI check all read them here, so they agree on what a
directory holds.

An empty directory holds no pacts, which is not an error here: what to make of having
nothing is the caller's to say (verifying nothing fails unless ``allow_empty=True``;
publishing nothing is refused).
"""

from __future__ import annotations

import os

from ..errors import PactFileError

__all__ = ["read_pact_files"]


def read_pact_files(path: str) -> list[tuple[str, bytes]]:
    """``[(name, content)]`` of the file ``path``, or of the directory's ``*.json``
    files by name. Raises :class:`PactFileError` naming a file that cannot be read."""
    if os.path.isdir(path):
        names = sorted(entry.name for entry in os.scandir(path) if entry.name.endswith(".json") and entry.is_file())
        return [_read(os.path.join(path, name)) for name in names]
    return [_read(path)]


def _read(name: str) -> tuple[str, bytes]:
    try:
        with open(name, "rb") as stream:
            return name, stream.read()
    except OSError as error:
        raise PactFileError(f"cannot read the file: {error.strerror or error}", file=name) from None
