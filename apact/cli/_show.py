"""``apact show`` (a pact in detail) and ``apact check`` (validate pacts, summarized)."""

from __future__ import annotations

import argparse
import sys

from .._core._printable import printable
from ._error import error, nothing_found, unreadable_pacts

SHOW_DESCRIPTION = """\
Show pacts in detail: consumer, provider, specification version, metadata, and for
each interaction its provider states, request and response (headers, bodies), which
matchers apply where, and the generators. Every pact that cannot be read is named,
with where and why (exit 2); exits 1 if no pact file was found.
"""

SHOW_EPILOG = """\
examples:
  apact show 'pacts/Sous Chef-Grill Chef.json'
  apact show pacts/                                  # every *.json file in it
  apact show https://broker.example.com/pacts/provider/Grill%20Chef/consumer/Sous%20Chef/latest
"""

CHECK_DESCRIPTION = """\
Read pact files (V1 to V4), check every part of them (JSON syntax, spec version,
matchers, regular expressions, date formats, generators, bodies against their content
type, requests that cannot be sent as written: a path not starting with /, a header
HTTP cannot carry, a control character in a query) and print a summary. A problem
names the file, the interaction and the JSON path, for every invalid file; apact
verify fails the same interactions. A directory is read for its *.json files. Exits 1
if any file is invalid (or none was found).
"""

CHECK_EPILOG = """\
examples:
  apact check pacts/
  apact check --quiet pacts/*.json && echo 'all valid'
  apact check --example                              # the built-in Grill Chef pact
"""


def add_show_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("pacts", nargs="+", metavar="PACT", help="pact files, directories (their *.json files) or URLs")


def add_check_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="*", metavar="PACT", help="pact files, or directories (their *.json files)")
    parser.add_argument("--example", action="store_true", help="check the built-in Grill Chef example pact")
    parser.add_argument("--quiet", "-q", action="store_true", help="print only problems")


def show(args: argparse.Namespace) -> int:
    import anyio

    from ..errors import PactFileError
    from ..pact._summary import summarize
    from ..verifier._sources import load_sources

    unreadable = 0
    shown = 0
    for name in args.pacts:
        try:
            sources = anyio.run(load_sources, [name])
        except PactFileError as problem:
            unreadable_pacts("show", problem)
            unreadable += 1
            continue
        if not sources:
            print(f"apact show: no pact files (*.json) in {name}", file=sys.stderr)
        for source in sources:
            print(printable(("\n" if shown else "") + f"{source.origin}\n{summarize(source.pact, details=True)}"))
            shown += 1
    if unreadable:
        return 2
    return 0 if shown else nothing_found("show", "nothing to show: no pact files found")


def check(args: argparse.Namespace) -> int:
    from ..errors import PactFileError
    from ..pact import pactfile
    from ..pact._local import pact_files
    from ..pact._request_check import pact_problems, request_misfits
    from ..pact._summary import summarize

    names = list(args.files)
    if args.example:
        from ..examples import GRILL_CHEF_PACT

        names.append(str(GRILL_CHEF_PACT))
    if not names:
        return error("check", "give at least one PACT file or directory (or --example)")
    files: list[str] = []
    for name in names:
        found = pact_files(name)
        if not found:
            print(f"apact check: no pact files (*.json) in {name}", file=sys.stderr)
        files += found
    if not files:
        return nothing_found("check", "nothing to check: no pact files found")
    failed = 0
    for index, name in enumerate(files):
        try:
            pact = pactfile.load(name)
        except PactFileError as problem:
            failed += 1
            print(printable(f"invalid: {problem}"), file=sys.stderr)
            continue
        unsendable = pact_problems(pact, file=name)  # what the verifier would fail, interaction by interaction
        if unsendable:
            failed += 1
            for unsent in unsendable:
                print(printable(f"invalid: {unsent}"), file=sys.stderr)
            continue
        for misfit in request_misfits(pact, file=name):  # valid, but the mock and the stub match nothing to it
            print(printable(f"apact check: warning: {misfit} (in the mock or the stub)"), file=sys.stderr)
        if not args.quiet:
            if index:
                print()
            print(f"{name}: valid")
            print(printable(summarize(pact)))
    if failed:
        print(f"{failed} of {len(files)} pact file(s) invalid", file=sys.stderr)
    return 1 if failed else 0
