"""The ``apact`` command line (also ``python -m apact``): a dispatcher.

Each command (or family of commands) lives in its own module of ``apact/cli/``
(``_verify``, ``_stub``, ``_show``, ``_demo``, the broker client's in ``_broker_client``,
``apact broker`` in ``_broker_server``) with its description, examples, ``add_arguments(parser)`` and ``run(args) -> int``;
this module only puts them together. Command modules import at top level nothing
but the standard library, so ``apact --help`` stays quick.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

from .._core._version import __version__

_DESCRIPTION = """\
apact: consumer-driven contract testing (Pact V1-V4), asyncio-native and pure Python.
"""

_EPILOG = """\
examples:
  apact demo                                         # the built-in example, end to end
  apact verify --app grill_chef.app:app --state-change-url /_pact/state pacts/
  apact stub pacts/ --port 8080
  apact show 'pacts/Sous Chef-Grill Chef.json'
  apact check pacts/*.json
  apact publish pacts/ --consumer-app-version "$(git rev-parse HEAD)" --branch main
  apact can-i-deploy --pacticipant 'Sous Chef' --version "$(git rev-parse HEAD)" --to-environment production
  apact broker --port 9292 --database broker.sqlite

'apact COMMAND --help' explains a command, with examples.
"""

Run = Callable[[argparse.Namespace], int]


def _parser() -> argparse.ArgumentParser:
    from . import _broker_client as broker_client
    from . import _broker_server as broker
    from . import _demo as demo
    from . import _openapi_check as openapi_check
    from . import _show as show
    from . import _stub as stub
    from . import _verify as verify

    parser = argparse.ArgumentParser(
        prog="apact", description=_DESCRIPTION, epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"apact {__version__}")
    commands = parser.add_subparsers(dest="subcommand", metavar="COMMAND")
    command = _adder(commands)
    command(
        "verify", "verify a provider against pacts", verify.DESCRIPTION, verify.EPILOG, verify.add_arguments, verify.run
    )
    command(
        "openapi-check",
        "check pacts against the provider's OpenAPI document",
        openapi_check.DESCRIPTION,
        openapi_check.EPILOG,
        openapi_check.add_arguments,
        openapi_check.run,
    )
    command("stub", "serve pacts as a stub provider", stub.DESCRIPTION, stub.EPILOG, stub.add_arguments, stub.run)
    command("show", "show pacts in detail", show.SHOW_DESCRIPTION, show.SHOW_EPILOG, show.add_show_arguments, show.show)
    command(
        "check",
        "validate pact files and summarize them",
        show.CHECK_DESCRIPTION,
        show.CHECK_EPILOG,
        show.add_check_arguments,
        show.check,
    )
    for client in broker_client.COMMANDS:  # publish, can-i-deploy, record-deployment, ...
        command(client.name, client.summary, client.description, client.epilog, client.add_arguments, client.run)
    command("broker", "run a Pact Broker", broker.DESCRIPTION, None, broker.add_arguments, broker.run)
    command(
        "demo", "run the built-in Grill Chef example end to end", demo.DESCRIPTION, None, demo.add_arguments, demo.run
    )
    return parser


def _adder(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> Callable[[str, str, str, str | None, Callable[[argparse.ArgumentParser], None], Run], None]:
    def command(
        name: str,
        summary: str,
        description: str,
        epilog: str | None,
        add_arguments: Callable[[argparse.ArgumentParser], None],
        run: Run,
    ) -> None:
        parser = commands.add_parser(
            name,
            help=summary,
            description=description,
            epilog=epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        add_arguments(parser)
        parser.set_defaults(run=run)

    return command


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.subcommand is None:
        parser.print_help()
        return 2
    run: Run = args.run
    return run(args)
