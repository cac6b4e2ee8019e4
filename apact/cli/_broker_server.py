"""The ``apact broker`` command: its arguments and how it runs (also ``python -m
apact.broker_server``).

``add_arguments(parser)`` and ``run(args)`` are all ``apact/cli/__init__.py`` needs to offer
``apact broker`` as a subcommand.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import signal
import sys
from collections.abc import Sequence
from typing import Any

from .._core._limits import DEFAULT_BODY_TIMEOUT, DEFAULT_MAX_BODY_SIZE, format_size, seconds_argument, size_argument
from ._arguments import port

DESCRIPTION = """\
Run a Pact Broker: the part of the Pact Broker HTTP API the official Pact clients use
(publishing, pacts for verification, verification results, environments, deployments,
can-i-deploy), with its data in an SQLite file or a PostgreSQL database (--database
postgresql://..., or APACT_BROKER_DATABASE_URL). Binds 127.0.0.1 unless told otherwise.
Credentials may also come from APACT_BROKER_TOKEN, APACT_BROKER_READ_ONLY_TOKEN,
APACT_BROKER_USERNAME, APACT_BROKER_PASSWORD, APACT_BROKER_READ_ONLY_USERNAME and
APACT_BROKER_READ_ONLY_PASSWORD (safer than the command line).
Webhooks fire only to https URLs with POST, never to loopback or private addresses,
unless --webhook-scheme, --webhook-method and --webhook-host allow more (or
APACT_BROKER_WEBHOOK_SCHEMES, _METHODS, _HOSTS and _RETRY_SCHEDULE, comma-separated).
"""

_TRUE = frozenset({"1", "true", "yes", "on"})


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=port, default=9292, help="port to listen on (default: 9292; 0 picks a free one)")
    parser.add_argument(
        "--database",
        default=None,
        metavar="PATH|URL",
        help="SQLite file to keep the data in, created if missing (default: pact_broker.sqlite; ':memory:' keeps"
        " nothing), or a PostgreSQL URL, postgresql://user:password@host:port/database (needs apact[postgresql])"
        " [APACT_BROKER_DATABASE_URL]",
    )
    parser.add_argument(
        "--migrate-only",
        action="store_true",
        help="apply the database's pending schema migrations, then exit (for deploy pipelines)",
    )
    parser.add_argument(
        "--base-url",
        metavar="URL",
        help="the URL clients reach the broker at, used in every link (default: the URL of each request); "
        "several, space- or comma-separated, when it is reached at several: each request gets the links of the "
        "one it was sent to [APACT_BROKER_BASE_URL]",
    )
    parser.add_argument("--token", help="bearer token for reading and writing [APACT_BROKER_TOKEN]")
    parser.add_argument(
        "--read-only-token", metavar="TOKEN", help="bearer token for GET requests only [APACT_BROKER_READ_ONLY_TOKEN]"
    )
    parser.add_argument("--username", help="basic auth user for reading and writing [APACT_BROKER_USERNAME]")
    parser.add_argument("--password", help="basic auth password [APACT_BROKER_PASSWORD]")
    parser.add_argument(
        "--read-only-username",
        metavar="NAME",
        help="basic auth user for reading only [APACT_BROKER_READ_ONLY_USERNAME]",
    )
    parser.add_argument(
        "--read-only-password",
        metavar="PASSWORD",
        help="its password [APACT_BROKER_READ_ONLY_PASSWORD]",
    )
    parser.add_argument(
        "--allow-public-read",
        action="store_true",
        help="let requests without credentials read; writing still needs them [APACT_BROKER_ALLOW_PUBLIC_READ=true]",
    )
    parser.add_argument(
        "--heartbeat-requires-auth",
        action="store_true",
        help="the heartbeat needs read access too (default: open, for load balancers) "
        "[APACT_BROKER_HEARTBEAT_REQUIRES_AUTH=true]",
    )
    parser.add_argument(
        "--no-contract-modification",
        action="store_true",
        help="refuse (409) different pact content for a consumer version that already published one",
    )
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
    parser.add_argument(
        "--public-badges",
        action="store_true",
        help="serve the verification badges without credentials, for README images (as the official "
        "broker's enable_public_badge_access); everything else still needs them",
    )
    _add_webhook_arguments(parser)


def _listed(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def retry_schedule_argument(text: str) -> tuple[float, ...]:
    """``"1,5,30"``: the seconds to wait before each webhook retry (``""``: no retry)."""
    try:
        delays = tuple(float(item) for item in _listed(text))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected seconds separated by commas, such as 10,60,120, got {text!r}"
        ) from None
    if any(delay < 0 for delay in delays):
        raise argparse.ArgumentTypeError(f"delays must be zero or more seconds, got {text!r}")
    return delays


def _add_webhook_arguments(parser: argparse.ArgumentParser) -> None:
    from ..broker_server._webhooks import DEFAULT_METHODS, DEFAULT_RETRY_SCHEDULE, DEFAULT_SCHEMES

    schedule = ",".join(f"{delay:g}" for delay in DEFAULT_RETRY_SCHEDULE)
    parser.add_argument(
        "--webhook-scheme",
        action="append",
        metavar="SCHEME",
        help=f"a scheme webhooks may use, repeatable (default: {', '.join(DEFAULT_SCHEMES)}) "
        "[APACT_BROKER_WEBHOOK_SCHEMES]",
    )
    parser.add_argument(
        "--webhook-method",
        action="append",
        metavar="METHOD",
        help=f"an HTTP method webhooks may use, repeatable (default: {', '.join(DEFAULT_METHODS)}) "
        "[APACT_BROKER_WEBHOOK_METHODS]",
    )
    parser.add_argument(
        "--webhook-host",
        action="append",
        metavar="HOST",
        help="a host webhooks may call, repeatable: a name, *.domain, an IP, a CIDR range or /regex/ "
        "(default: any public host); naming a loopback or private address or host allows it "
        "[APACT_BROKER_WEBHOOK_HOSTS]",
    )
    parser.add_argument(
        "--webhook-retry-schedule",
        type=retry_schedule_argument,
        metavar="SECONDS,...",
        help=f"seconds to wait before each retry of a failed webhook (default: {schedule}) "
        "[APACT_BROKER_WEBHOOK_RETRY_SCHEDULE]",
    )


def webhook_options(args: argparse.Namespace) -> dict[str, Any]:
    """The ``serve()`` keywords for the webhook options, from the arguments or the environment."""
    options: dict[str, Any] = {}
    for name in ("schemes", "methods", "hosts"):
        given = getattr(args, f"webhook_{name[:-1]}", None)
        from_env = os.environ.get(f"APACT_BROKER_WEBHOOK_{name.upper()}")
        if given:
            options[f"webhook_{name}"] = [item for value in given for item in _listed(value)]
        elif from_env is not None:
            options[f"webhook_{name}"] = _listed(from_env)
    schedule = getattr(args, "webhook_retry_schedule", None)
    from_env = os.environ.get("APACT_BROKER_WEBHOOK_RETRY_SCHEDULE")
    if schedule is not None:
        options["webhook_retry_schedule"] = schedule
    elif from_env is not None:
        try:
            options["webhook_retry_schedule"] = retry_schedule_argument(from_env)
        except argparse.ArgumentTypeError as error:
            raise ValueError(f"APACT_BROKER_WEBHOOK_RETRY_SCHEDULE: {error}") from None
    return options


def start_warnings(host: str, base_url: str | None, protected: bool, public_read: bool = False) -> list[str]:
    """What is risky about how the broker is started, said before it serves."""
    local = _loopback(host)
    warnings = []
    if not local and protected and public_read:
        warnings.append(
            f"warning: --allow-public-read on {host}: anyone who can reach this machine can read every pact, "
            "version and deployment record (writing still needs credentials)."
        )
    if not local and not protected:
        warnings.append(
            f"WARNING: listening on {host} without credentials: anyone who can reach this machine "
            "can read and change every pact, version and deployment record. Set --token (and "
            "--read-only-token for CI jobs that only read), or bind 127.0.0.1."
        )
    if base_url is None:
        level = "warning" if local else "WARNING"
        warnings.append(
            f"{level}: no --base-url: the links in every response are built from the Host header "
            "each client sends, so a client can make them point anywhere. Set --base-url to the "
            "URL clients reach this broker at whenever anyone else can reach it (another machine, "
            "a container, a reverse proxy)."
        )
    return warnings


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def run(args: argparse.Namespace) -> int:
    """Serve until SIGINT or SIGTERM (0 then, once the requests in flight are answered
    and the database is closed); 2 for invalid options or an address in use."""
    import anyio

    from .._core._serve import cannot_listen, raise_open_files_limit
    from .._core._signals import signals_handled, sigterm_as_sigint
    from ..broker_server import serve
    from ..broker_server._open import migrate, shown

    database = args.database or os.environ.get("APACT_BROKER_DATABASE_URL") or "pact_broker.sqlite"
    if args.migrate_only:
        try:
            applied = migrate(database)
        except ValueError as error:
            print(f"apact broker: {error}", file=sys.stderr)
            return 2
        done = f"applied migrations {', '.join(map(str, applied))}" if applied else "nothing to migrate"
        print(f"apact broker: {shown(database)}: {done}; the schema is up to date", flush=True)
        return 0

    try:
        webhooks = webhook_options(args)
    except ValueError as error:
        print(f"apact broker: {error}", file=sys.stderr)
        return 2
    options = {
        name: getattr(args, name) or os.environ.get(f"APACT_BROKER_{name.upper()}") or None
        for name in ("token", "read_only_token", "username", "password", "read_only_username", "read_only_password")
    }
    flags = {
        name: getattr(args, name) or os.environ.get(f"APACT_BROKER_{name.upper()}", "").strip().lower() in _TRUE
        for name in ("allow_public_read", "heartbeat_requires_auth")
    }
    base_url = args.base_url or os.environ.get("APACT_BROKER_BASE_URL") or None

    for warning in start_warnings(args.host, base_url, any(options.values()), flags["allow_public_read"]):
        print(f"apact broker: {warning}", file=sys.stderr, flush=True)

    def ready(url: str) -> None:
        protected = " (authentication required)" if any(options.values()) else ""
        if protected and flags["allow_public_read"]:
            protected = " (anyone may read; writing needs credentials)"
        print(f"apact broker: serving {url} with data in {shown(database)}{protected}", flush=True)

    async def until_signalled() -> None:
        with anyio.CancelScope() as serving:

            def stop(signum: signal.Signals) -> None:
                # serve() ends: hypercorn answers the requests in flight, then the store closes
                if not serving.cancel_called:
                    print(
                        f"apact broker: {signum.name} received: stopping once the requests in flight are answered",
                        flush=True,
                    )
                serving.cancel()

            async with signals_handled(stop):
                await serve(
                    args.host,
                    args.port,
                    database,
                    base_url=base_url,
                    allow_contract_modification=not args.no_contract_modification,
                    max_body_size=args.max_body_size,
                    body_timeout=args.body_timeout,
                    ready=ready,
                    public_badges=args.public_badges,
                    token=options["token"],
                    read_only_token=options["read_only_token"],
                    username=options["username"],
                    password=options["password"],
                    read_only_username=options["read_only_username"],
                    read_only_password=options["read_only_password"],
                    allow_public_read=flags["allow_public_read"],
                    heartbeat_requires_auth=flags["heartbeat_requires_auth"],
                    **webhooks,
                )

    raise_open_files_limit()
    with sigterm_as_sigint():
        try:
            anyio.run(until_signalled)
        except KeyboardInterrupt:
            pass
        except OSError as error:
            print(f"apact broker: error: {cannot_listen(args.host, args.port, error)}", file=sys.stderr)
            return 2
        except ValueError as error:
            print(f"apact broker: {error}", file=sys.stderr)
            return 2
    print("apact broker: stopped", flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m apact.broker_server",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))
