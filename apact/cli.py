"""The ``apact`` command line (also ``python -m apact``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import __version__

_DESCRIPTION = """\
apact: consumer-driven contract testing (Pact V1-V4), asyncio-native and pure Python.

commands:
  check PACT...    read pact files of any spec version, validate every part and
                   print a summary; errors name the file, interaction and JSON path
  broker           run a Pact Broker (SQLite storage) that the official clients accept
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="apact",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"apact {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    check = commands.add_parser(
        "check",
        help="validate pact files and summarize them",
        description="Read pact files (V1 to V4), check every part of them and print a summary. "
        "Exits 1 if any file is invalid.",
    )
    check.add_argument("files", nargs="*", metavar="PACT", help="pact files to check")
    check.add_argument(
        "--example",
        action="store_true",
        help="check the built-in Grill Chef example pact",
    )
    check.add_argument("--quiet", "-q", action="store_true", help="print only problems")
    from .broker._command import DESCRIPTION as BROKER_DESCRIPTION
    from .broker._command import add_arguments as add_broker_arguments

    add_broker_arguments(
        commands.add_parser(
            "broker",
            help="run a Pact Broker",
            description=BROKER_DESCRIPTION,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "check":
        return _check(parser, args)
    if args.command == "broker":
        from .broker._command import run as run_broker

        return run_broker(args)
    parser.print_help()
    return 2


def _check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from . import pactfile
    from ._summary import summarize
    from .errors import PactFileError

    files = list(args.files)
    if args.example:
        from .examples import GRILL_CHEF_PACT

        files.append(str(GRILL_CHEF_PACT))
    if not files:
        parser.error("check needs at least one PACT file (or --example)")
    failed = 0
    for index, name in enumerate(files):
        try:
            pact = pactfile.load(name)
        except PactFileError as error:
            failed += 1
            print(f"invalid: {error}", file=sys.stderr)
            continue
        if not args.quiet:
            if index:
                print()
            print(f"{name}: valid")
            print(summarize(pact))
    if failed:
        print(f"{failed} of {len(files)} pact file(s) invalid", file=sys.stderr)
    return 1 if failed else 0
