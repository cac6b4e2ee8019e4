"""``apact openapi-check``: check pacts against the provider's OpenAPI document, without
running the provider (`apact.openapi`)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from ._error import error

if TYPE_CHECKING:
    from ..openapi import OpenAPIDocument
    from ..verifier import VerificationResult

DESCRIPTION = """\
Check that a provider's OpenAPI document (3.0 or 3.1) says it serves what its
consumers' pacts ask for, without running the provider: for each HTTP interaction,
its path and method, its parameters and request body, and the response's status,
headers and body, the pact's matching rules widening its examples (an integer rule
means any integer). Every mismatch says what the pact expects, what the document
says, and where in the document.

The document is a file (JSON or YAML) or a URL (--spec), or the app's own (--app:
FastAPI's app.openapi(), else what the app serves at --openapi-path, fetched
in-process). Message interactions are skipped (they would need an AsyncAPI document).

Prints the same report as apact verify. Exits 0 when every interaction fits the
document, 1 when one does not (or nothing was checked), 2 when it could not check
(bad arguments, an unreadable pact or document).
"""

EPILOG = """\
examples:
  apact openapi-check pacts/ --spec openapi.yaml
  apact openapi-check 'pacts/Sous Chef-Grill Chef.json' --spec http://127.0.0.1:8000/openapi.json
  apact openapi-check pacts/ --app restaurant.grill_chef.service:app_from_environment --junit reports/openapi.xml

  # in CI, before the provider is even built: the document in the provider's repository
  apact openapi-check pacts/ --spec ../grill-chef/openapi.json --provider 'Grill Chef' --json reports/openapi.json
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "sources",
        nargs="+",
        metavar="PACT",
        help="pact files, directories (their *.json files) or HTTP(S) URLs of pacts",
    )
    document = parser.add_argument_group("the OpenAPI document (give --spec or --app)")
    document.add_argument("--spec", metavar="FILE|URL", help="the document: a JSON or YAML file, or an HTTP(S) URL")
    document.add_argument(
        "--app",
        metavar="MODULE:ATTR",
        help="the provider's ASGI app, e.g. grill_chef.app:app; a callable ending in () is called "
        "(module:factory() builds the app): FastAPI's app.openapi(), else its --openapi-path in-process",
    )
    document.add_argument(
        "--app-dir", default=".", metavar="DIR", help="where --app's module is imported from (default: .)"
    )
    document.add_argument(
        "--openapi-path",
        default="/openapi.json",
        metavar="PATH",
        help="with --app, where a non-FastAPI app serves its document (default: /openapi.json)",
    )
    selection = parser.add_argument_group("choosing what to check")
    selection.add_argument(
        "--provider", metavar="NAME", help="only pacts with this provider (others are left out, with a notice)"
    )
    selection.add_argument("--allow-empty", action="store_true", help="exit 0 even if no interaction was checked")
    output = parser.add_argument_group("reports")
    output.add_argument("--junit", metavar="FILE", help="write JUnit XML (a test case per interaction)")
    output.add_argument("--json", metavar="FILE", help="write the results as JSON")
    output.add_argument("--verbose", "-v", action="store_true", help="list each request checked and its duration")


def run(args: argparse.Namespace) -> int:
    """Check; 0 if every interaction fits the document, 1 if not, 2 if it could not check."""
    from ..errors import PactFileError
    from ..openapi import OpenAPIError

    if (args.spec is None) == (args.app is None):
        return error("openapi-check", "give the OpenAPI document: --spec FILE|URL or --app MODULE:ATTR (one of them)")
    try:
        document = _document(args)
        from ..openapi import check

        result = check(args.sources, document, provider=args.provider)
    except OpenAPIError as unusable:
        return error("openapi-check", str(unusable))
    except PactFileError as unreadable:
        return error("openapi-check", f"cannot read a pact: {unreadable}")
    except _AppError as app:
        return error("openapi-check", str(app))
    print(result.report(verbose=args.verbose, table=True), flush=True)
    try:
        _write_reports(args, result)
    except OSError as unwritable:
        return error("openapi-check", f"cannot write a report: {unwritable}")
    if not result.ok:
        return 1
    if not result.verified and not args.allow_empty:
        print("Nothing was checked: no pact had an HTTP interaction (--allow-empty accepts that).", file=sys.stderr)
        return 1
    return 0


def _document(args: argparse.Namespace) -> OpenAPIDocument:
    from ..openapi import fetch, load

    if args.spec is not None:
        return load(args.spec)
    from ._verify import _UsageError, import_app

    spec: str = args.app
    build = spec.endswith("()")
    try:
        app = import_app(spec.removesuffix("()"), args.app_dir)
    except _UsageError as usage:
        raise _AppError(str(usage)) from None
    if build:
        try:
            app = app()  # type: ignore[operator]
        except Exception as raised:  # the factory's own error, shown as such
            raise _AppError(f"--app {spec} raised {type(raised).__name__}: {raised}") from None
    if callable(getattr(app, "openapi", None)):
        return load(app=app)
    import anyio

    return anyio.run(fetch, app, args.openapi_path)


def _write_reports(args: argparse.Namespace, result: VerificationResult) -> None:
    from pathlib import Path

    from ..pact._jsondepth import utf8
    from ..verifier._report import json_text

    for option, text in ((args.junit, result.to_junit_xml), (args.json, lambda: json_text(result))):
        if option:
            target = Path(option)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(utf8(text()))  # (a lone surrogate as its escape, as in apact verify)


class _AppError(Exception):
    """--app cannot give a document; the message says why."""
