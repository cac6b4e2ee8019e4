"""How the commands of ``apact`` report an error they cannot go on from (each command's
module has its ``DESCRIPTION`` and ``EPILOG``, ``add_arguments(parser)`` and ``run(args)``;
``apact/cli/__init__.py`` dispatches to them)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from .._core._printable import printable

if TYPE_CHECKING:
    from ..errors import PactFileError


def error(command: str, message: str, code: int = 2) -> int:
    """Print ``apact COMMAND: error: MESSAGE`` to stderr (as argparse does) and return
    ``code`` (2: the command could not do its work)."""
    print(printable(f"apact {command}: error: {message}"), file=sys.stderr)
    return code


def unreadable_pacts(command: str, unreadable: PactFileError, code: int = 2) -> int:
    """Print an error line for every pact that cannot be read (``unreadable`` may stand
    for several: see `apact._unreadable`) and return ``code``."""
    from ..pact._unreadable import each

    for problem in each(unreadable):
        error(command, f"cannot read a pact: {problem}")
    return code


def nothing_found(command: str, what: str, code: int = 1) -> int:
    """Print that there was nothing to work on (an empty directory, say) and return
    ``code`` (1: almost always a mistake)."""
    print(printable(f"apact {command}: {what}"), file=sys.stderr)
    return code
