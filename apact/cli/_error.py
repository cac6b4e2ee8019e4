"""How the commands of ``apact`` report an error they cannot go on from (each command's
module has its ``DESCRIPTION`` and ``EPILOG``, ``add_arguments(parser)`` and ``run(args)``;
``apact/cli/__init__.py`` dispatches to them)."""

from __future__ import annotations

import sys


def error(command: str, message: str, code: int = 2) -> int:
    """Print ``apact COMMAND: error: MESSAGE`` to stderr (as argparse does) and return
    ``code`` (2: the command could not do its work)."""
    print(f"apact {command}: error: {message}", file=sys.stderr)
    return code
