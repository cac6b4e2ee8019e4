"""The broker client's commands: ``apact publish``, ``apact can-i-deploy``, ``apact
record-deployment``, ``record-undeployment``, ``record-release``,
``record-support-ended``, ``create-environment``, ``delete-pact``, ``delete-version``,
``delete-pacticipant``, and the Pact Broker options of ``apact verify``.

`COMMANDS` holds each command's name, summary, description, epilog,
``add_arguments(parser)`` and ``run(args) -> int``, for ``apact/cli/__init__.py`` to add. For
``apact verify``: `add_verify_arguments` adds ``--broker-url``,
``--provider-version``, ``--publish``, the selectors and the pending/WIP options,
`check_verify_arguments` checks them, `fetch_for_verification` gets the
pacts to verify and `publish_verification` publishes the results.

Exit statuses: 0 done (can-i-deploy: yes); 1 can-i-deploy: no or unknown; 2 the
command could not do its work (a broker error, an invalid pact file, bad arguments).
Credentials come from the options or from ``PACT_BROKER_TOKEN``,
``PACT_BROKER_USERNAME`` and ``PACT_BROKER_PASSWORD`` (safer: command lines are visible
to other users), the URL from ``--broker-url`` or ``PACT_BROKER_BASE_URL``.

Only the standard library is imported at the top, so ``apact --help`` stays quick.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from .._core._printable import printable

if TYPE_CHECKING:
    import httpx

    from ..broker.client import BrokerClient, PactsForVerification, VerificationPublication
    from ..verifier import VerificationResult

_CREDENTIALS = """\
The broker's URL comes from --broker-url or PACT_BROKER_BASE_URL; credentials from
--broker-token or PACT_BROKER_TOKEN (bearer), or --broker-username/--broker-password or
PACT_BROKER_USERNAME/PACT_BROKER_PASSWORD (basic auth). Prefer the variables for
secrets: command lines are visible to other users of the machine. Transient failures
(no connection, 502, 503, 504) are retried three times.
"""


def add_broker_arguments(parser: argparse.ArgumentParser, *, short: bool = True) -> None:
    """``--broker-url`` and the credentials (with ``-b``, ``-k``, ``-u``, ``-p`` as in the
    official ``pact broker`` commands, unless ``short=False``)."""
    group = parser.add_argument_group("Pact Broker")

    def option(name: str, letter: str, **options: Any) -> None:
        group.add_argument(name, *([letter] if short else []), **options)

    option("--broker-url", "-b", metavar="URL", help="the Pact Broker's base URL [PACT_BROKER_BASE_URL]")
    option("--broker-token", "-k", metavar="TOKEN", help="bearer token [PACT_BROKER_TOKEN]")
    option("--broker-username", "-u", metavar="NAME", help="basic auth username [PACT_BROKER_USERNAME]")
    option("--broker-password", "-p", metavar="PASSWORD", help="basic auth password [PACT_BROKER_PASSWORD]")


def client_from(args: argparse.Namespace) -> BrokerClient:
    """A `BrokerClient` from the options, defaulting to the environment variables."""
    from ..broker.client import BrokerClient

    return BrokerClient(
        args.broker_url,
        token=args.broker_token,
        username=args.broker_username,
        password=args.broker_password,
    )


# -- the commands ----------------------------------------------------------------------------------------

PUBLISH_DESCRIPTION = """\
Publish pact files (or the *.json files of directories) to a Pact Broker for a version
of their consumer, with its branch, tags and build URL, and print the broker's notices.
The files are checked first and sent as written. Exits 0 when published, 2 when not
(an invalid pact, a broker error).
"""

PUBLISH_EPILOG = """\
examples:
  apact publish pacts/ --consumer-app-version "$(git rev-parse HEAD)" --branch "$(git branch --show-current)"
  apact publish 'pacts/Sous Chef-Grill Chef.json' -a 1.0.0 --tag dev --build-url "$CI_JOB_URL" -b http://127.0.0.1:9292
"""


def add_publish_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "pacts", nargs="+", metavar="PACT_OR_DIR", help="pact files, or directories of *.json pact files"
    )
    parser.add_argument(
        "--consumer-app-version", "-a", required=True, metavar="VERSION", help="the consumer's version (the commit SHA)"
    )
    parser.add_argument("--branch", metavar="BRANCH", help="the consumer version's branch")
    parser.add_argument(
        "--tag", "-t", action="append", default=[], metavar="TAG", help="a tag for the version (repeatable)"
    )
    parser.add_argument("--build-url", metavar="URL", help="the CI build that published the pacts")
    add_broker_arguments(parser)


async def _publish(args: argparse.Namespace, out: TextIO) -> int:
    from ..pact._local import pact_files
    from ._error import nothing_found

    if not any(pact_files(path) for path in args.pacts):
        return nothing_found("publish", "nothing to publish: no pact files found")
    async with client_from(args) as broker:
        result = await broker.publish_pacts(
            args.pacts,
            consumer_version=args.consumer_app_version,
            branch=args.branch,
            tags=args.tag,
            build_url=args.build_url,
        )
    print(printable(result.report()), file=out)
    return 0


CAN_I_DEPLOY_DESCRIPTION = """\
Ask a Pact Broker whether a version of an application (or the latest version on a
branch) can be deployed: whether its pacts with everything it integrates with are
verified successfully, against the versions in an environment (--to-environment), the
latest versions with a tag (--to), or else the latest versions. --retry-while-unknown
waits for verification results still to come. Prints the matrix rows the broker looked at, its reasons
(naming the versions and any failed interactions) and the verdict. Exits 0 for yes,
1 for no or unknown (a verification is missing), 2 when the broker could not answer.
"""

CAN_I_DEPLOY_EPILOG = """\
examples:
  apact can-i-deploy --pacticipant 'Grill Chef' --version "$(git rev-parse HEAD)" --to-environment production
  apact can-i-deploy --pacticipant 'Sous Chef' --branch main
  apact can-i-deploy -a 'Sous Chef' -e 1.0.0 --to-environment production --retry-while-unknown 30 --retry-interval 10
  apact can-i-deploy -a 'Sous Chef' -e 1.0.0 --to prod --ignore 'Legacy Billing' --ignore 'Grill Chef:2.0.0'
"""


def add_can_i_deploy_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pacticipant", "-a", required=True, metavar="NAME", help="the application to deploy")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--version", "-e", metavar="VERSION", help="its version")
    which.add_argument("--branch", metavar="BRANCH", help="or the latest version on this branch")
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--to-environment",
        metavar="ENVIRONMENT",
        help="where to deploy it: check against the versions deployed or released there "
        "(default: the latest version of everything it integrates with)",
    )
    where.add_argument(
        "--to", metavar="TAG", help="or check against the latest version of each integrated application tagged TAG"
    )
    parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="PACTICIPANT[:VERSION]",
        help="an integrated application (or one version of it) whose verification results do not count "
        "(repeatable) [PACT_BROKER_CAN_I_DEPLOY_IGNORE, comma-separated]",
    )
    parser.add_argument(
        "--retry-while-unknown",
        type=_count,
        default=0,
        metavar="TIMES",
        help="ask again up to TIMES times while a verification result is missing (the provider is still verifying)",
    )
    parser.add_argument(
        "--retry-interval",
        type=_seconds,
        default=10.0,
        metavar="SECONDS",
        help="seconds between those retries (default: 10)",
    )
    add_broker_arguments(parser)


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def _seconds(text: str) -> float:
    # imported here: only the standard library at the top (see the module's docstring)
    from .._core._limits import seconds_argument

    return seconds_argument(text, allow_zero=True)


def ignored_pacticipants(values: Sequence[str], environ: Mapping[str, str]) -> list[tuple[str, str | None]]:
    """``--ignore NAME`` / ``NAME:VERSION`` values, then the names in
    ``PACT_BROKER_CAN_I_DEPLOY_IGNORE`` (comma-separated, as the official client)."""
    found: list[tuple[str, str | None]] = []
    for value in values:
        name, colon, version = value.rpartition(":")
        found.append((name, version or None) if colon and name else (value, None))
    for name in environ.get("PACT_BROKER_CAN_I_DEPLOY_IGNORE", "").split(","):
        if name.strip():
            found.append((name.strip(), None))
    return found


async def _can_i_deploy(args: argparse.Namespace, out: TextIO) -> int:
    from ..broker.client import CanIDeployResult

    def waiting(answer: CanIDeployResult, retry: int, of: int) -> None:
        results = "result is" if answer.unknown == 1 else "results are"
        print(
            f"can-i-deploy: {answer.unknown} verification {results} missing; asking again in "
            f"{args.retry_interval:g}s (retry {retry} of {of})",
            file=sys.stderr,
            flush=True,
        )

    async with client_from(args) as broker:
        answer = await broker.can_i_deploy(
            args.pacticipant,
            version=args.version,
            branch=args.branch,
            to_environment=args.to_environment,
            to_tag=args.to,
            ignore=ignored_pacticipants(args.ignore, os.environ),
            retry_while_unknown=args.retry_while_unknown,
            retry_interval=args.retry_interval,
            on_retry=waiting,
        )
    print(printable(answer.report()), file=out)
    return 0 if answer.ok else 1


RECORD_DEPLOYMENT_DESCRIPTION = """\
Record in a Pact Broker that a version of an application is now deployed to an
environment (it replaces the version deployed there before, per application instance).
can-i-deploy --to-environment then checks against it, and providers verify its pacts
with the {"deployedOrReleased": true} selector.
"""

RECORD_DEPLOYMENT_EPILOG = """\
examples:
  apact record-deployment --pacticipant 'Grill Chef' --version "$(git rev-parse HEAD)" --environment production
  apact record-deployment -a 'Grill Chef' -e 1.0.0 --environment production --application-instance blue
"""

RECORD_RELEASE_DESCRIPTION = """\
Record in a Pact Broker that a version of an application was released to an
environment. Released versions stay supported side by side (a mobile app, a library),
unlike deployments, which replace each other.
"""

RECORD_RELEASE_EPILOG = """\
examples:
  apact record-release --pacticipant 'Sous Chef App' --version 2.3.0 --environment production
"""


def add_record_arguments(parser: argparse.ArgumentParser, *, deployment: bool = False) -> None:
    parser.add_argument("--pacticipant", "-a", required=True, metavar="NAME", help="the application")
    parser.add_argument("--version", "-e", required=True, metavar="VERSION", help="its version")
    parser.add_argument("--environment", required=True, metavar="ENVIRONMENT", help="the environment's name")
    if deployment:
        parser.add_argument(
            "--application-instance",
            metavar="NAME",
            help="which instance, when several are deployed to the environment at once (blue/green, per customer)",
        )
    add_broker_arguments(parser)


async def _record_deployment(args: argparse.Namespace, out: TextIO) -> int:
    async with client_from(args) as broker:
        recorded = await broker.record_deployment(
            args.pacticipant, args.version, args.environment, application_instance=args.application_instance
        )
    print(printable(str(recorded)), file=out)
    return 0


async def _record_release(args: argparse.Namespace, out: TextIO) -> int:
    async with client_from(args) as broker:
        recorded = await broker.record_release(args.pacticipant, args.version, args.environment)
    print(printable(str(recorded)), file=out)
    return 0


RECORD_UNDEPLOYMENT_DESCRIPTION = """\
Record in a Pact Broker that an application is no longer deployed to an environment
(at an application instance, or the deployment recorded without one). Only needed when
an application is removed: a new deployment replaces the one before by itself. Exits 2
when the application is not deployed there.
"""

RECORD_UNDEPLOYMENT_EPILOG = """\
examples:
  apact record-undeployment --pacticipant 'Grill Chef' --environment production
  apact record-undeployment -a 'Grill Chef' --environment production --application-instance blue
"""

RECORD_SUPPORT_ENDED_DESCRIPTION = """\
Record in a Pact Broker that a released version of an application is no longer
supported in an environment: providers stop verifying its pacts as released, and
can-i-deploy stops checking against it. Exits 2 when that version is not released there.
"""

RECORD_SUPPORT_ENDED_EPILOG = """\
examples:
  apact record-support-ended --pacticipant 'Sous Chef App' --version 2.3.0 --environment production
"""


def add_record_undeployment_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pacticipant", "-a", required=True, metavar="NAME", help="the application")
    parser.add_argument("--environment", required=True, metavar="ENVIRONMENT", help="the environment's name")
    parser.add_argument(
        "--application-instance", metavar="NAME", help="the instance undeployed (default: the one recorded without)"
    )
    add_broker_arguments(parser)


async def _record_undeployment(args: argparse.Namespace, out: TextIO) -> int:
    async with client_from(args) as broker:
        ended = await broker.record_undeployment(
            args.pacticipant, args.environment, application_instance=args.application_instance
        )
    for each in ended:
        print(printable(str(each)), file=out)
    return 0


async def _record_support_ended(args: argparse.Namespace, out: TextIO) -> int:
    async with client_from(args) as broker:
        ended = await broker.record_support_ended(args.pacticipant, args.version, args.environment)
    for each in ended:
        print(printable(str(each)), file=out)
    return 0


DELETE_DESCRIPTION = """\
Delete {what} from a Pact Broker, through the official broker's DELETE endpoint
({endpoint}). It cannot be undone: on a terminal the command asks first; elsewhere (CI)
it needs --yes. Exits 0 when deleted, 2 when there was nothing to delete, the broker
refused, or it was not confirmed.
"""

DELETE_PACT_EPILOG = """\
examples:
  apact delete-pact --consumer 'Sous Chef' --version 1.0.0 --provider 'Grill Chef'
  apact delete-pact --consumer 'Sous Chef' --version 1.0.0 --provider 'Grill Chef' --yes   # in CI
"""

DELETE_VERSION_EPILOG = """\
examples:
  apact delete-version --pacticipant 'Sous Chef' --version 1.0.0
"""

DELETE_PACTICIPANT_EPILOG = """\
examples:
  apact delete-pacticipant --pacticipant 'Legacy Billing' --yes
"""


def _add_yes(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--yes", "-y", action="store_true", help="delete without asking (needed off a terminal)")
    add_broker_arguments(parser)


def add_delete_pact_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--consumer", required=True, metavar="NAME", help="the consumer that published the pact")
    parser.add_argument("--version", "-e", required=True, metavar="VERSION", help="the consumer version")
    parser.add_argument("--provider", required=True, metavar="NAME", help="the provider the pact is with")
    _add_yes(parser)


def add_delete_version_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pacticipant", "-a", required=True, metavar="NAME", help="the application")
    parser.add_argument("--version", "-e", required=True, metavar="VERSION", help="the version to delete")
    _add_yes(parser)


def add_delete_pacticipant_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pacticipant", "-a", required=True, metavar="NAME", help="the application to delete")
    _add_yes(parser)


def _what_is_deleted(args: argparse.Namespace) -> str:
    if args.subcommand_name == "delete-pact":
        return f"the pact between {args.consumer} version {args.version} and {args.provider}"
    if args.subcommand_name == "delete-version":
        return (
            f"version {args.version} of {args.pacticipant}, with its tags, deployments, the pacts it published "
            "and the verification results it made"
        )
    return f"the pacticipant {args.pacticipant}, with all its versions, pacts and verification results"


def confirmed(args: argparse.Namespace, stdin: TextIO, stderr: TextIO) -> bool:
    """``--yes``, or a "y" typed on a terminal; off a terminal, without ``--yes``, no
    (saying why): a destructive command in a script must say so."""
    if args.yes:
        return True
    name, what = args.subcommand_name, _what_is_deleted(args)
    if not stdin.isatty():
        print(
            f"apact {name}: error: not deleting {what} without confirmation: there is no terminal to ask on; "
            "add --yes to delete",
            file=stderr,
        )
        return False
    print(f"Delete {what} from the broker? This cannot be undone. [y/N] ", end="", file=stderr, flush=True)
    answer = stdin.readline().strip().lower()
    if answer not in ("y", "yes"):
        print(f"apact {name}: nothing deleted", file=stderr)
        return False
    return True


async def _delete(args: argparse.Namespace, out: TextIO) -> int:
    async with client_from(args) as broker:
        if args.subcommand_name == "delete-pact":
            await broker.delete_pact(args.provider, args.consumer, args.version)
        elif args.subcommand_name == "delete-version":
            await broker.delete_version(args.pacticipant, args.version)
        else:
            await broker.delete_pacticipant(args.pacticipant)
    what = _what_is_deleted(args).split(", with", 1)[0]
    print(f"Deleted {what}.", file=out)
    return 0


def _deleting(name: str) -> Callable[[argparse.Namespace], int]:
    """``run(args)`` of a delete command: confirmed first (exit 2 if not), then `_runner`'s."""
    run = _runner(name, _delete)

    def run_confirmed(args: argparse.Namespace) -> int:
        args.subcommand_name = name
        if not confirmed(args, sys.stdin, sys.stderr):
            return 2
        return run(args)

    return run_confirmed


CREATE_ENVIRONMENT_DESCRIPTION = """\
Create an environment in a Pact Broker (production, test, ...), to record deployments
and releases in and to ask can-i-deploy about.
"""

CREATE_ENVIRONMENT_EPILOG = """\
examples:
  apact create-environment --name production --production
  apact create-environment --name test --display-name 'Test (shared)'
"""


def add_create_environment_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--name", required=True, help="the environment's name, without spaces (e.g. production, test)")
    parser.add_argument("--display-name", metavar="TEXT", help="a name for people")
    parser.add_argument("--production", action="store_true", help="it is a production environment")
    add_broker_arguments(parser)


async def _create_environment(args: argparse.Namespace, out: TextIO) -> int:
    async with client_from(args) as broker:
        environment = await broker.create_environment(
            args.name, display_name=args.display_name, production=args.production
        )
    kind = "production environment" if environment.production else "environment"
    print(f"Created the {kind} {environment.name} (uuid {environment.uuid}).", file=out)
    return 0


def _runner(
    name: str, work: Callable[[argparse.Namespace, TextIO], Awaitable[int]]
) -> Callable[[argparse.Namespace], int]:
    """``run(args) -> int`` for a command: its exit status; 2, with the error on stderr,
    when it could not do its work."""

    def run(args: argparse.Namespace) -> int:
        import anyio

        from .._core._signals import sigterm_as_sigint
        from ..errors import BrokerError, PactFileError
        from ._error import unreadable_pacts

        with sigterm_as_sigint():
            try:
                return anyio.run(work, args, sys.stdout)
            except PactFileError as unreadable:
                return unreadable_pacts(name, unreadable)
            except (BrokerError, ValueError) as problem:
                print(printable(f"apact {name}: error: {problem}"), file=sys.stderr)
                return 2
            except KeyboardInterrupt:
                print(f"apact {name}: interrupted", file=sys.stderr)
                return 130

    return run


@dataclass(frozen=True, slots=True)
class Command:
    """What ``apact/cli/__init__.py`` needs to offer a command."""

    name: str
    summary: str
    description: str
    epilog: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


COMMANDS = (
    Command(
        "publish",
        "publish pact files to a Pact Broker",
        PUBLISH_DESCRIPTION + "\n" + _CREDENTIALS,
        PUBLISH_EPILOG,
        add_publish_arguments,
        _runner("publish", _publish),
    ),
    Command(
        "can-i-deploy",
        "ask a Pact Broker whether a version can be deployed",
        CAN_I_DEPLOY_DESCRIPTION + "\n" + _CREDENTIALS,
        CAN_I_DEPLOY_EPILOG,
        add_can_i_deploy_arguments,
        _runner("can-i-deploy", _can_i_deploy),
    ),
    Command(
        "record-deployment",
        "record a deployment in a Pact Broker",
        RECORD_DEPLOYMENT_DESCRIPTION + "\n" + _CREDENTIALS,
        RECORD_DEPLOYMENT_EPILOG,
        lambda parser: add_record_arguments(parser, deployment=True),
        _runner("record-deployment", _record_deployment),
    ),
    Command(
        "record-release",
        "record a release in a Pact Broker",
        RECORD_RELEASE_DESCRIPTION + "\n" + _CREDENTIALS,
        RECORD_RELEASE_EPILOG,
        add_record_arguments,
        _runner("record-release", _record_release),
    ),
    Command(
        "record-undeployment",
        "record in a Pact Broker that an application was removed from an environment",
        RECORD_UNDEPLOYMENT_DESCRIPTION + "\n" + _CREDENTIALS,
        RECORD_UNDEPLOYMENT_EPILOG,
        add_record_undeployment_arguments,
        _runner("record-undeployment", _record_undeployment),
    ),
    Command(
        "record-support-ended",
        "record in a Pact Broker that a released version is no longer supported",
        RECORD_SUPPORT_ENDED_DESCRIPTION + "\n" + _CREDENTIALS,
        RECORD_SUPPORT_ENDED_EPILOG,
        add_record_arguments,
        _runner("record-support-ended", _record_support_ended),
    ),
    Command(
        "delete-pact",
        "delete a consumer version's pact from a Pact Broker",
        DELETE_DESCRIPTION.format(
            what="the pact a consumer version published for a provider (the version stays)",
            endpoint="DELETE /pacts/provider/{p}/consumer/{c}/version/{v}",
        )
        + "\n"
        + _CREDENTIALS,
        DELETE_PACT_EPILOG,
        add_delete_pact_arguments,
        _deleting("delete-pact"),
    ),
    Command(
        "delete-version",
        "delete a version of an application from a Pact Broker",
        DELETE_DESCRIPTION.format(
            what="a version of an application, with its tags, deployments, the pacts it published and the "
            "verification results it made",
            endpoint="DELETE /pacticipants/{p}/versions/{v}",
        )
        + "\n"
        + _CREDENTIALS,
        DELETE_VERSION_EPILOG,
        add_delete_version_arguments,
        _deleting("delete-version"),
    ),
    Command(
        "delete-pacticipant",
        "delete an application and everything it has from a Pact Broker",
        DELETE_DESCRIPTION.format(
            what="an application (pacticipant) with all its versions, pacts and verification results",
            endpoint="DELETE /pacticipants/{p}",
        )
        + "\n"
        + _CREDENTIALS,
        DELETE_PACTICIPANT_EPILOG,
        add_delete_pacticipant_arguments,
        _deleting("delete-pacticipant"),
    ),
    Command(
        "create-environment",
        "create an environment in a Pact Broker",
        CREATE_ENVIRONMENT_DESCRIPTION + "\n" + _CREDENTIALS,
        CREATE_ENVIRONMENT_EPILOG,
        add_create_environment_arguments,
        _runner("create-environment", _create_environment),
    ),
)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m apact.cli._broker_client COMMAND ...``: the commands on their own."""
    parser = argparse.ArgumentParser(prog="apact")
    commands = parser.add_subparsers(dest="subcommand", metavar="COMMAND", required=True)
    for command in COMMANDS:
        sub = commands.add_parser(
            command.name,
            help=command.summary,
            description=command.description,
            epilog=command.epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command.add_arguments(sub)
        sub.set_defaults(run=command.run)
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    return run(args)


# -- apact verify ------------------------------------------------------------------------------------------


def add_verify_arguments(parser: argparse.ArgumentParser) -> None:
    """The Pact Broker options of ``apact verify``: where to fetch the pacts from, which,
    and where the results go."""
    add_broker_arguments(parser, short=False)
    group = parser.add_argument_group("verifying pacts from a Pact Broker (with --broker-url)")
    group.add_argument(
        "--consumer-version-selectors",
        action="append",
        default=[],
        metavar="JSON",
        help="which pacts, as JSON: '{\"mainBranch\": true}', '{\"deployedOrReleased\": true}', "
        '\'{"branch": "feat/x", "fallbackBranch": "main"}\', ... (repeatable, or a JSON list; default: the '
        "latest from each consumer's main branch and everything deployed or released)",
    )
    group.add_argument(
        "--enable-pending",
        action="store_true",
        help="ask which pacts are pending (not yet verified successfully by this provider branch): their failures "
        "are reported without failing the run",
    )
    group.add_argument(
        "--include-wip-pacts-since",
        metavar="DATE",
        help="also verify work-in-progress pacts (new consumer branches, pending) published since DATE (YYYY-MM-DD)",
    )
    group.add_argument("--provider-version", metavar="VERSION", help="the provider's version (the commit SHA)")
    group.add_argument(
        "--provider-branch", metavar="BRANCH", help="the provider version's branch (for pending pacts and the results)"
    )
    group.add_argument(
        "--provider-tag", action="append", default=[], metavar="TAG", help="a tag for the provider version (repeatable)"
    )
    group.add_argument(
        "--publish",
        action="store_true",
        help="publish the verification results to the broker (needs --provider-version)",
    )
    group.add_argument("--build-url", metavar="URL", help="the CI build, published with the results")


def broker_url(args: argparse.Namespace) -> str | None:
    """``--broker-url``, else ``PACT_BROKER_BASE_URL``, else ``None``."""
    return args.broker_url or os.environ.get("PACT_BROKER_BASE_URL") or None


def wants_broker(args: argparse.Namespace) -> bool:
    """Fetch the pacts to verify from the broker: there is a broker URL and no pact
    files or URLs were given. (Given some, the broker only receives the results: a
    webhook's pact URL, say, verified and published.)"""
    return not getattr(args, "sources", None) and broker_url(args) is not None


def check_verify_arguments(args: argparse.Namespace) -> str | None:
    """What is wrong with the broker options taken together, or ``None``."""
    if args.publish and broker_url(args) is None:
        return "--publish sends the results to a Pact Broker: give --broker-url (or set PACT_BROKER_BASE_URL)"
    if args.publish and not args.provider_version:
        return "--publish needs --provider-version (the commit SHA is a good one)"
    if wants_broker(args) and not getattr(args, "provider", None):
        return "give --provider NAME: the broker is asked for that provider's pacts"
    try:
        selectors_from(args)
    except ValueError as problem:
        return str(problem)
    return None


def pact_url_auth(args: argparse.Namespace) -> httpx.Auth | None:
    """For ``load_sources(..., auth=)``: the broker's credentials, sent only to URLs on
    the broker's origin (a webhook's pact URL), never elsewhere."""
    url = broker_url(args)
    if url is None:
        return None
    from ..broker._client_http import broker_auth, configure

    base, credentials = configure(url, args.broker_token, args.broker_username, args.broker_password, os.environ)
    return broker_auth(base, credentials)


def selectors_from(args: argparse.Namespace) -> list[dict[str, Any]]:
    """The ``--consumer-version-selectors`` values, parsed; ``ValueError`` naming a bad one."""
    selectors: list[dict[str, Any]] = []
    for text in args.consumer_version_selectors:
        try:
            value = json.loads(text)
        except ValueError as error:
            raise ValueError(f"--consumer-version-selectors {text!r} is not JSON: {error}") from None
        for selector in value if isinstance(value, list) else [value]:
            if not isinstance(selector, dict) or not selector:
                raise ValueError(
                    f'--consumer-version-selectors {text!r}: a selector is a JSON object such as {{"mainBranch": true}}'
                )
            selectors.append(selector)
    return selectors


async def fetch_for_verification(args: argparse.Namespace, provider: str, out: TextIO) -> PactsForVerification:
    """The pacts the broker selects for ``provider`` (pending and WIP as asked); prints
    the broker's notices about the selection itself. Pass ``.sources`` to ``verify()``:
    the notices about each pact go into the result's report."""
    async with client_from(args) as broker:
        fetched = await broker.pacts_for_verification(
            provider,
            selectors=selectors_from(args),
            provider_branch=args.provider_branch,
            provider_tags=args.provider_tag,
            include_pending=args.enable_pending,
            include_wip_since=args.include_wip_pacts_since,
        )
    for notice in fetched.notices:
        print(printable(notice), file=out)
    return fetched


async def publish_verification(
    args: argparse.Namespace, result: VerificationResult, fetched: PactsForVerification | None, out: TextIO
) -> VerificationPublication | None:
    """With ``--publish``, publish the results (printing what was and was not); then print
    the broker's after-verification notices for the pacts it gave."""
    published = None
    if args.publish:
        async with client_from(args) as broker:
            published = await broker.publish_verification_results(
                result,
                provider_version=args.provider_version,
                branch=args.provider_branch,
                tags=args.provider_tag,
                build_url=args.build_url,
            )
        print(printable(published.report()), file=out)
    if fetched is not None:
        for notice in fetched.notices_after(result, published):
            print(printable(notice), file=out)
    return published


if __name__ == "__main__":
    sys.exit(main())
