"""``apact.pactfile``, kept for compatibility: reading and writing pact files, now in :mod:`apact.pact.pactfile`."""

from .pact.pactfile import (
    dumps,
    load,
    loads,
    save,
    to_json,
    write_atomically,
)

__all__ = [
    "dumps",
    "load",
    "loads",
    "save",
    "to_json",
    "write_atomically",
]
