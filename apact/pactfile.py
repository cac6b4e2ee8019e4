"""``apact.pactfile``, kept for compatibility: reading and writing pact files, now in `apact.pact.pactfile`."""

from ._core._api import renamed
from .pact.pactfile import (
    PactFile,
    dumps,
    load,
    loads,
    save,
    to_json,
)

__all__ = [
    "PactFile",
    "dumps",
    "load",
    "loads",
    "save",
    "to_json",
]

#: an internal helper that this module exported by mistake
__getattr__ = renamed(__name__, {"write_atomically": "apact._core._files.write_atomically"})
