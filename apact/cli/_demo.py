"""``apact demo``: the built-in Grill Chef example end to end (the work is in ``apact.examples._demo``)."""

from __future__ import annotations

import argparse
from pathlib import Path

DESCRIPTION = """\
Run the built-in Grill Chef example end to end: the Sous Chef's consumer tests write
the pact, the Grill Chef is verified against it in-process, and the report is printed.
Needs nothing but apact. Exit status 0 when both sides pass, 1 otherwise.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--pact-dir",
        type=Path,
        metavar="DIR",
        help="write the pact into DIR and keep it (default: a temporary directory, removed at the end)",
    )
    parser.add_argument(
        "--broken-provider",
        action="store_true",
        help="verify a Grill Chef that answers waitingTime as text: the verification fails (exit status 1)",
    )


def run(args: argparse.Namespace) -> int:
    from ..examples._demo import run_command

    return run_command(args.pact_dir, broken=args.broken_provider)
