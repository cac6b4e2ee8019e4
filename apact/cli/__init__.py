"""The ``apact`` command line (also ``python -m apact``): a dispatcher.

Each command (or family of commands) lives in its own module of ``apact/cli/``
(``_verify``, ``_stub``, ``_show``, ``_demo``, the broker client's in ``_broker_client``,
``apact broker`` in ``_broker_server``) with its description, examples, ``add_arguments(parser)`` and ``run(args) -> int``;
this module only puts them together. Command modules import at top level nothing
but the standard library, so ``apact --help`` stays quick; and ``main`` fills in only the
command it runs (its module imported, its arguments added): ``apact verify`` pays for no
other command's options, some of which need their layer to word their defaults
(``apact broker``'s webhook defaults come from the broker server, which imports Starlette).
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .._core._version import __version__

if TYPE_CHECKING:
    from ._broker_client import Command

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


@dataclass(frozen=True)
class _Command:
    """A command as ``apact --help`` lists it, and where the rest of it lives: the module
    and the names of its description, epilog, ``add_arguments`` and ``run`` in it (a
    module is imported only for the command that runs, or for every command's help)."""

    name: str
    summary: str
    module: str
    description: str
    epilog: str | None
    add_arguments: str
    run: str


def _commands(only: str | None = None) -> list[_Command | Command]:
    """The commands, in ``apact --help``'s order; the broker client's as its own
    ``COMMANDS`` describe them (that module imports only the standard library). With
    ``only`` the name of a command, that command alone: its run needs no other."""
    own = [  # before the broker client's
        _Command(
            "verify", "verify a provider against pacts", "_verify", "DESCRIPTION", "EPILOG", "add_arguments", "run"
        ),
        _Command(
            "openapi-check",
            "check pacts against the provider's OpenAPI document",
            "_openapi_check",
            "DESCRIPTION",
            "EPILOG",
            "add_arguments",
            "run",
        ),
        _Command("stub", "serve pacts as a stub provider", "_stub", "DESCRIPTION", "EPILOG", "add_arguments", "run"),
        _Command(
            "show", "show pacts in detail", "_show", "SHOW_DESCRIPTION", "SHOW_EPILOG", "add_show_arguments", "show"
        ),
        _Command(
            "check",
            "validate pact files and summarize them",
            "_show",
            "CHECK_DESCRIPTION",
            "CHECK_EPILOG",
            "add_check_arguments",
            "check",
        ),
    ]
    after = [
        _Command("broker", "run a Pact Broker", "_broker_server", "DESCRIPTION", None, "add_arguments", "run"),
        _Command(
            "demo",
            "run the built-in Grill Chef example end to end",
            "_demo",
            "DESCRIPTION",
            None,
            "add_arguments",
            "run",
        ),
    ]
    chosen: list[_Command | Command] = [each for each in [*own, *after] if each.name == only]
    if chosen:
        return chosen
    from . import _broker_client as broker_client

    # publish, can-i-deploy, record-deployment, ...
    every: list[_Command | Command] = [*own, *broker_client.COMMANDS, *after]
    return [each for each in every if each.name == only] or every


def _parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with ``only`` (``main`` knows which command runs before it
    parses), that command alone, or when ``only`` names none (``""`` for ``apact --help``,
    or a mistyped command), every command listed but none filled in."""
    parser = argparse.ArgumentParser(
        prog="apact", description=_DESCRIPTION, epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"apact {__version__}")
    commands = parser.add_subparsers(dest="subcommand", metavar="COMMAND")
    for each in _commands(only):
        if only is not None and each.name != only:
            commands.add_parser(each.name, help=each.summary)
            continue
        if isinstance(each, _Command):
            module = importlib.import_module(f".{each.module}", __name__)
            description: str = getattr(module, each.description)
            epilog: str | None = None if each.epilog is None else getattr(module, each.epilog)
            add_arguments: Callable[[argparse.ArgumentParser], None] = getattr(module, each.add_arguments)
            run: Run = getattr(module, each.run)
        else:
            description, epilog, add_arguments, run = each.description, each.epilog, each.add_arguments, each.run
        command = commands.add_parser(
            each.name,
            help=each.summary,
            description=description,
            epilog=epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        add_arguments(command)
        command.set_defaults(run=run)
    return parser


def _command_name(argv: Sequence[str]) -> str | None:
    """The command ``argv`` runs: its first word that is not an option (``apact`` itself
    has only ``--help`` and ``--version``, which stop before any command runs); None
    when ``--help`` comes first (``apact --help verify`` lists every command)."""
    for word in argv:
        if word in ("-h", "--help"):
            return None
        if not word.startswith("-"):
            return word
    return None


#: the commands that import no HTTP client (or only for a URL given): every other one
#: imports httpx first, the lean way (see `._imports`)
_WITHOUT_HTTP = frozenset({"check", "stub", "broker", "openapi-check"})


def main(argv: Sequence[str] | None = None) -> int:
    import sys

    arguments = sys.argv[1:] if argv is None else list(argv)
    # a pact's text may hold a lone surrogate (a JSON escape, "\ud800", in a description or
    # a state): printed, it is that escape, not a UnicodeEncodeError (stderr does so already)
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="backslashreplace")
    parser = _parser(only=_command_name(arguments) or "")
    args = parser.parse_args(arguments)
    if args.subcommand is None:
        parser.print_help()
        return 2
    if args.subcommand not in _WITHOUT_HTTP:
        from ._imports import import_httpx

        import_httpx()
    run: Run = args.run
    return run(args)
