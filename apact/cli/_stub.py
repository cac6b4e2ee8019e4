"""``apact stub``: serve pacts as a stub provider, for consumers to develop against."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from .._core._limits import DEFAULT_BODY_TIMEOUT, DEFAULT_MAX_BODY_SIZE, format_size, seconds_argument, size_argument
from .._core._printable import printable
from ._arguments import port
from ._error import error, nothing_found, unreadable_pacts

if TYPE_CHECKING:
    from .._core._types import ASGIApp
    from ..pact.model import HttpInteraction, PactFile

DESCRIPTION = """\
Serve the HTTP interactions of pact files as a stub provider, so a consumer team can
develop against the contract: a request that matches an interaction gets its
response (generators applied: fresh random values, URLs pointing at the stub); when
several match, the first in the pacts' order answers, every time (--state chooses
among interactions that differ by provider state). Any other request gets a 500
whose JSON body names the closest interactions and every mismatch.

Prints "apact stub: serving ... at http://HOST:PORT" on stdout once it accepts
connections (scripts can wait for that line), then a line per request on stderr.
A request body over --max-body-size is answered 413, one slower than --body-timeout
408 (both logged even with --quiet).
Stops on Ctrl-C or SIGTERM, finishing the requests in flight (exit 0); exits 2 if it
cannot start (an unreadable pact, an address in use), 1 if there is nothing to serve.
"""

EPILOG = """\
examples:
  apact stub pacts/                                # a free port, printed
  apact stub 'pacts/Sous Chef-Grill Chef.json' --port 8080
  apact stub pacts/ --provider 'Grill Chef' --state 'steaks are available' --cors

  # in a script: start it, wait for the URL, use it
  apact stub pacts/ > stub.out &
  until grep -q 'at http://' stub.out; do sleep 0.1; done
  url=$(grep -o 'http://[^ ]*' stub.out)
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "pacts", nargs="+", metavar="PACT_OR_DIR", help="pact files, directories (their *.json files) or URLs"
    )
    parser.add_argument("--port", type=port, default=0, help="port to listen on (default: 0, a free one)")
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: 127.0.0.1, this machine only; 0.0.0.0: every interface)",
    )
    parser.add_argument("--provider", metavar="NAME", help="serve only the pacts with this provider")
    parser.add_argument(
        "--state",
        metavar="REGEX",
        help="serve only interactions without provider states or with a state this matches (searched)",
    )
    parser.add_argument(
        "--cors", action="store_true", help="answer CORS preflight requests and add CORS headers (browser apps)"
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="log only the requests that match no interaction")
    parser.add_argument(
        "--max-body-size",
        type=size_argument,
        default=DEFAULT_MAX_BODY_SIZE,
        metavar="SIZE",
        help=f"largest request body accepted, e.g. 512k, 50MiB (default: {format_size(DEFAULT_MAX_BODY_SIZE)}; more is a 413)",
    )
    parser.add_argument(
        "--body-timeout",
        type=seconds_argument,
        default=DEFAULT_BODY_TIMEOUT,
        metavar="SECONDS",
        help=f"time a request body may take to arrive (default: {DEFAULT_BODY_TIMEOUT:g}; longer is a 408)",
    )


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted: 0 then; 2 if the stub cannot start."""
    import re

    import anyio

    from .._core._limits import BodyLimits
    from ..consumer._stub import build
    from ..errors import PactFileError

    try:
        state = re.compile(args.state) if args.state is not None else None
    except re.error as invalid:
        return error("stub", f"--state {args.state!r} is not a regular expression: {invalid}")
    try:
        read = _read(args.pacts)
    except PactFileError as unreadable:
        return unreadable_pacts("stub", unreadable)

    def log(line: str, unexpected: bool) -> None:
        if unexpected or not args.quiet:
            print(line, file=sys.stderr, flush=True)

    limits = BodyLimits(args.max_body_size, args.body_timeout)
    pacts_read = [pact for _, pact in read]
    stub = build(pacts_read, provider=args.provider, state=state, cors=args.cors, log=log, limits=limits)
    if not stub.interactions:
        found = ", ".join(sorted({f"{pact.consumer} -> {pact.provider}" for pact in pacts_read})) or "no pact files"
        return nothing_found("stub", f"nothing to serve: no HTTP interaction (found: {found})")
    pairs = ", ".join(dict.fromkeys(f"{pact.consumer} -> {pact.provider}" for pact in stub.pacts))
    pacts = pairs if len(stub.pacts) == 1 else f"{len(stub.pacts)} pacts ({pairs})"
    count = f"{len(stub.interactions)} interaction{'s' if len(stub.interactions) != 1 else ''}"

    for line in _unmatchable(read, stub.interactions):
        print(printable(f"apact stub: warning: {line}"), file=sys.stderr, flush=True)

    def ready(url: str) -> None:
        left_out = f", {stub.left_out} left out (messages or --state)" if stub.left_out else ""
        print(f"apact stub: serving {count} of {pacts}{left_out} at {url}", flush=True)

    from .._core._serve import cannot_listen, raise_open_files_limit
    from .._core._signals import sigterm_as_sigint

    raise_open_files_limit()
    with sigterm_as_sigint():
        try:
            anyio.run(_serve, stub.app, args.host, args.port, ready)
        except KeyboardInterrupt:
            pass
        except OSError as unusable:
            return error("stub", cannot_listen(args.host, args.port, unusable))
    print("apact stub: stopped", flush=True)
    return 0


def _read(sources: list[str]) -> list[tuple[str, PactFile]]:
    """The pacts of the files, directories and URLs given, in order, each with where it
    came from; without a URL, read here rather than by the verifier's `load_sources`, so
    that a stub of local files starts without the verifier and its HTTP client (a fifth
    of a second)."""
    from ..pact._local import load_pact_files
    from ..pact._unreadable import together

    if any(source.startswith(("http://", "https://")) for source in sources):
        import anyio

        from ..verifier._sources import load_sources

        return [(source.origin, source.pact) for source in anyio.run(load_sources, sources)]
    pacts: list[tuple[str, PactFile]] = []
    errors = []
    for source in sources:
        loaded, failed = load_pact_files(source)
        pacts += ((local.name, local.pact) for local in loaded)
        errors += failed
    if errors:
        raise together(errors)
    return pacts


def _unmatchable(read: list[tuple[str, PactFile]], served: tuple[HttpInteraction, ...]) -> list[str]:
    """The served interactions whose request body is not what its content type says: no
    request can match them (as in the official core), which a user learns here once
    rather than from the report of every request."""
    from ..pact._request_check import request_misfits

    serving = {id(interaction) for interaction in served}
    return [
        str(misfit)
        for origin, pact in read
        for misfit in request_misfits(pact, file=origin)
        if misfit.interaction is not None and id(pact.interactions[misfit.interaction]) in serving
    ]


async def _serve(app: ASGIApp, host: str, port: int, ready: Callable[[str], None]) -> None:
    import anyio

    from .._core._serve import serve
    from .._core._signals import signals_handled

    stop = anyio.Event()
    async with signals_handled(lambda signum: stop.set()), serve(app, host=host, port=port) as url:
        ready(url)
        await stop.wait()  # until SIGINT or SIGTERM
