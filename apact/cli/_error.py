"""The commands of ``apact`` (``apact/cli.py`` dispatches to them): each module has the
command's ``DESCRIPTION`` and ``EPILOG``, ``add_arguments(parser)`` and ``run(args)``."""

from __future__ import annotations

import sys


def error(command: str, message: str, code: int = 2) -> int:
    """Print ``apact COMMAND: error: MESSAGE`` to stderr (as argparse does) and return
    ``code`` (2: the command could not do its work)."""
    print(f"apact {command}: error: {message}", file=sys.stderr)
    return code
