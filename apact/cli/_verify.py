"""``apact verify``: verify a provider against pacts from the command line.

The pieces, in the order ``run`` uses them, each a function a new option can extend:

* ``add_arguments(parser)``: one argument group per concern (sources, provider,
  states, replay, selection, reports);
* ``verifier_options(args)``: the keywords of ``Verifier(...)``;
* ``await load(args)``: the pacts (files, directories, URLs), as ``PactSource`` objects;
  with ``--broker-url`` and no files, the pacts a Pact Broker selects (the broker's
  options and their handling are in ``apact/cli/_broker_client.py``);
* ``verify_options(args)``: the keywords of ``verifier.verify(...)``;
* ``await write_reports(args, result)``: the JUnit and JSON files.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import inspect
import os
import re
import signal
import sys
import time
import traceback
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

from ._error import error, unreadable_pacts

if TYPE_CHECKING:
    from ..verifier import InteractionResult, PactSource, VerificationResult

DESCRIPTION = """\
Verify that a provider honours its consumers' pacts: replay every interaction against
it and match each response. The provider is an ASGI or WSGI app called in-process (--app), a
server that is already running (--base-url), or a server apact starts on a free port
(--command). Provider states are set through a state-change URL (--state-change-url);
for Python state handlers, write a test with apact.Verifier (see docs/provider.md).

Prints a report (every interaction's verdict, then each failure: where, what was
expected and what came, with a diff of the bodies) and a table of counts per pact.
With --broker-url (or PACT_BROKER_BASE_URL) and no PACT, the pacts come from a Pact
Broker (--consumer-version-selectors, --enable-pending, --include-wip-pacts-since), and
--publish sends the results back for --provider-version.

On SIGINT (Ctrl-C) or SIGTERM (a cancelled CI job, timeout, docker stop) it stops
replaying, prints the report of what was verified and writes --junit and --json, then
stops the server it started (SIGTERM to its process group, SIGKILL after
--stop-timeout), and exits 130. The report and files are always written before that
server is stopped.

Exits 0 when the provider honours the pacts, 1 when it does not (or nothing was
verified), 2 when it could not verify (bad arguments, an unreadable pact, a provider
that did not start or exited, an address in use, a broker error), 130 when
interrupted.
"""

EPILOG = """\
examples:
  # the Grill Chef app, in-process (run from examples/; its state endpoint is test-only)
  GRILL_CHEF_PROVIDER_STATES=1 apact verify --app grill_chef.app:app \\
      --state-change-url /_pact/state  pacts/

  # a Flask app made by its factory, in-process (WSGI: called in worker threads)
  apact verify --app 'kitchen.app:create_app()' --state-change-url /_pact/state  pacts/

  # a server apact starts on a free port, ready once /health answers
  apact verify --command 'uvicorn grill_chef.app:app --port {port}' \\
      --readiness-url /health --state-change-url /_pact/state  pacts/

  # a server that is already running; one consumer; reports for CI
  apact verify --base-url http://127.0.0.1:8000 --consumer 'Sous Chef' \\
      --junit reports/pacts.xml --json reports/pacts.json  pacts/

  # re-run one interaction, stopping at the first failure
  apact verify --app grill_chef.app:app --description 'medium-rare' --fail-fast pacts/

  # the pacts a Pact Broker selects, pending ones not failing the run; results published
  apact verify --app grill_chef.app:app --provider 'Grill Chef' --state-change-url /_pact/state \\
      --broker-url http://127.0.0.1:9292 --consumer-version-selectors '{"mainBranch": true}' \\
      --enable-pending --provider-version "$(git rev-parse HEAD)" --provider-branch main --publish
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "sources",
        nargs="*",
        metavar="PACT",
        help="pact files, directories (their *.json files) or HTTP(S) URLs of pacts",
    )
    target = parser.add_argument_group("the provider (give --app, --base-url or --command)")
    target.add_argument(
        "--app",
        metavar="MODULE:ATTR",
        help="an ASGI or WSGI (Flask, Django) app to call in-process, e.g. grill_chef.app:app; "
        "'kitchen:create_app()' calls an app factory",
    )
    target.add_argument(
        "--factory", action="store_true", help="--app names an app factory: call it (without arguments) for the app"
    )
    target.add_argument(
        "--interface",
        choices=("auto", "asgi", "wsgi"),
        default="auto",
        help="what --app is (default: auto, read from the callable)",
    )
    target.add_argument(
        "--app-dir",
        default=".",
        metavar="DIR",
        help="where --app's module is imported from (put first on sys.path; default: the current directory)",
    )
    target.add_argument(
        "--base-url",
        type=_target_url,
        metavar="URL",
        help="the URL of a running provider; with --command, where its routes start (e.g. http://127.0.0.1:{port}/api)",
    )
    target.add_argument(
        "--command",
        metavar="CMD",
        help="a command that starts the provider on {port}, a free loopback port apact chooses; stopped at the end",
    )
    target.add_argument(
        "--readiness-url",
        default="/",
        metavar="URL",
        help="with --command: polled until it answers below 500 (default: /)",
    )
    target.add_argument(
        "--startup-timeout",
        type=_positive,
        default=30.0,
        metavar="SECONDS",
        help="with --command: time to get ready (default: 30)",
    )
    target.add_argument(
        "--stop-timeout",
        type=_positive,
        default=5.0,
        metavar="SECONDS",
        help="with --command: time between SIGTERM and SIGKILL when it is stopped (default: 5)",
    )
    target.add_argument(
        "--follow-redirects",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="follow a 3xx answer on the provider, as the official verifier does (default); "
        "--no-follow-redirects makes it the response to match",
    )
    target.add_argument(
        "--provider", metavar="NAME", help="the provider's name in the pacts (default: the pacts' only provider)"
    )

    states = parser.add_argument_group("provider states")
    states.add_argument(
        "--state-change-url",
        type=_url_or_path,
        metavar="URL",
        help='POSTed {"state", "params", "action": "setup"|"teardown"} around each interaction; a URL starting with / goes to the provider itself',
    )
    states.add_argument("--no-state-teardown", action="store_true", help="POST setup only, no teardown")
    states.add_argument(
        "--ignore-missing-states",
        action="store_true",
        help="replay interactions whose states cannot be set up (no --state-change-url)",
    )

    messages = parser.add_argument_group("message pacts")
    messages.add_argument(
        "--message-url",
        type=_url_or_path,
        metavar="URL",
        help="the provider's message endpoint, as the official verifiers use it: POSTed "
        '{"description", "providerStates"} for each message, it answers the message (body, Content-Type, '
        "Pact-Message-Metadata header); a URL starting with / goes to the provider itself",
    )

    replay = parser.add_argument_group("replaying")
    replay.add_argument(
        "--concurrency",
        type=_at_least_one,
        default=4,
        metavar="N",
        help="interactions in flight at once (default: 4; 1: one by one)",
    )
    replay.add_argument(
        "--request-timeout", type=_positive, default=10.0, metavar="SECONDS", help="per request (default: 10)"
    )
    replay.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="a header added to every request, replacing the pact's (repeatable), e.g. 'Authorization: Bearer xyz'",
    )

    selection = parser.add_argument_group("choosing what to verify")
    selection.add_argument(
        "--consumer", action="append", metavar="NAME", help="only this consumer's pacts (repeatable)"
    )
    selection.add_argument(
        "--description", metavar="REGEX", help="only interactions whose description matches (searched)"
    )
    selection.add_argument("--state", metavar="REGEX", help="only interactions with a provider state that matches")
    selection.add_argument("--no-state", action="store_true", help="only interactions without provider states")
    selection.add_argument("--fail-fast", action="store_true", help="stop at the first failure")
    selection.add_argument(
        "--pending",
        choices=("report", "enforce", "skip"),
        default="report",
        help="pending interactions: report failures without failing (default), enforce them, or skip them",
    )
    selection.add_argument("--allow-empty", action="store_true", help="exit 0 even if nothing was verified")

    output = parser.add_argument_group("reports")
    output.add_argument("--junit", metavar="FILE", help="write JUnit XML (a test case per interaction)")
    output.add_argument("--json", metavar="FILE", help="write the results as JSON")
    output.add_argument("--verbose", "-v", action="store_true", help="list each request and its duration")
    output.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress line on stderr (shown on a terminal, or every 10 s on long runs)",
    )

    from ._broker_client import add_verify_arguments

    add_verify_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Verify; 0 if the provider honours the pacts, 1 if not, 2 if it could not verify,
    130 if interrupted (SIGINT or SIGTERM)."""
    from .._core._signals import sigterm_as_sigint
    from ..errors import BrokerError, PactFileError, ProviderStartError

    try:
        problem = check_arguments(args)
        if problem is not None:
            return error("verify", problem)
        options = verifier_options(args)
    except _UsageError as usage:
        return error("verify", str(usage))
    import anyio

    with sigterm_as_sigint():
        try:
            return anyio.run(_main, args, options)
        except _UsageError as usage:
            return error("verify", str(usage))
        except PactFileError as unreadable:
            return unreadable_pacts("verify", unreadable)
        except ProviderStartError as start:  # (exited during the verification: the report is out already)
            return error("verify", f"the provider did not start: {start}" if start.result is None else str(start))
        except BrokerError as broker:
            return error("verify", str(broker))
        except KeyboardInterrupt:
            print("apact verify: interrupted", file=sys.stderr, flush=True)
            return 130


def check_arguments(args: argparse.Namespace) -> str | None:
    """What is wrong with the arguments taken together, or ``None``."""
    from ._broker_client import check_verify_arguments, wants_broker

    if not args.sources and not wants_broker(args):
        return "give at least one PACT: a pact file, a directory of pact files or a URL (or --broker-url)"
    broker_problem = check_verify_arguments(args)
    if broker_problem is not None:
        return broker_problem
    targets = [name for name in ("app", "command") if getattr(args, name)]
    if len(targets) > 1 or (args.app and args.base_url):
        return "give one provider: --app, --base-url or --command (--base-url may go with --command)"
    if (args.factory or args.interface != "auto") and not args.app:
        return f"--{'factory' if args.factory else 'interface'} goes with --app"
    if not (args.app or args.base_url or args.command):
        return "give the provider to verify: --app MODULE:ATTR, --base-url URL or --command 'CMD ... {port}'"
    if args.command and not args.base_url and "{port}" not in args.command:
        return "--command needs a {port} placeholder (where apact tells it to listen), or --base-url with its address"
    for option in ("description", "state"):
        pattern = getattr(args, option)
        try:
            re.compile(pattern or "")
        except re.error as invalid:
            return f"--{option} {pattern!r} is not a regular expression: {invalid}"
    return None


def verifier_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keywords of ``Verifier(provider, ...)``; imports ``--app``."""
    options: dict[str, Any] = {
        "readiness_url": args.readiness_url,
        "startup_timeout": args.startup_timeout,
        "stop_timeout": args.stop_timeout,
        "state_change_url": args.state_change_url,
        "state_change_teardown": not args.no_state_teardown,
        "message_url": args.message_url,
        "ignore_missing_states": args.ignore_missing_states,
        "concurrency": args.concurrency,
        "request_timeout": args.request_timeout,
        "headers": _headers(args.header),
        "pending": args.pending,
        "follow_redirects": args.follow_redirects,
    }
    if args.app:
        options["app"] = load_app(args.app, args.app_dir, factory=args.factory, interface=args.interface)
        options["interface"] = args.interface
    if args.base_url:
        options["base_url"] = args.base_url
    if args.command:
        options["command"] = args.command
    return options


def verify_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keywords of ``verifier.verify(...)`` (besides ``on_result``)."""
    return {
        "consumers": set(args.consumer) if args.consumer else None,
        "description": args.description,
        "state": args.state,
        "no_state": args.no_state,
        "fail_fast": args.fail_fast,
    }


async def load(args: argparse.Namespace) -> list[PactSource]:
    """The pacts to verify, read once (the provider name may come from them); URLs on
    the broker get its credentials."""
    from ..verifier._sources import load_sources
    from ._broker_client import pact_url_auth

    return await load_sources(
        args.sources,
        auth=pact_url_auth(args),
        timeout=max(args.request_timeout, 30.0),
        auth_hint="--broker-token, or --broker-username and --broker-password, for URLs on the --broker-url",
    )


async def write_reports(args: argparse.Namespace, result: VerificationResult) -> None:
    if args.junit:
        await result.write_junit(args.junit)
    if args.json:
        await result.write_json(args.json)


@dataclass(slots=True)
class _Signals:
    """What a SIGINT or SIGTERM does at each moment of ``apact verify``: before the
    replay, end at once (nothing started yet); during it, stop the replay and report
    what was verified; later (reporting, stopping the server), nothing more."""

    loading: Any = None  # the cancel scope of the steps before the replay
    replaying: Any = None  # the event that interrupts the replay
    received: str | None = None

    def __call__(self, signum: signal.Signals) -> None:
        if self.received is not None:
            return
        self.received = signum.name
        print(
            f"apact verify: {signum.name} received: stopping (the report is written first)", file=sys.stderr, flush=True
        )
        if self.replaying is not None:
            self.replaying.set()
        elif self.loading is not None:
            self.loading.cancel()


async def _main(args: argparse.Namespace, options: dict[str, Any]) -> int:
    from .._core._signals import signals_handled

    signals = _Signals()
    async with signals_handled(signals):
        return await _verify(args, options, signals)


async def _verify(args: argparse.Namespace, options: dict[str, Any], signals: _Signals) -> int:
    import anyio

    from ..errors import ProviderStartError
    from ..verifier import Verifier
    from ..verifier._hints import CLI_HINTS
    from . import _broker_client as broker

    with anyio.CancelScope() as signals.loading:
        sources = await load(args)
        fetched = (
            await broker.fetch_for_verification(args, args.provider, sys.stdout) if broker.wants_broker(args) else None
        )
        sources += fetched.sources if fetched is not None else ()
    if signals.received is not None:  # (the scope may have ended before it saw the cancellation)
        print("apact verify: interrupted before anything was verified", file=sys.stderr)
        return 130
    signals.replaying = anyio.Event()  # from now on, a signal interrupts the replay
    if not sources and not args.provider:
        return _nothing(args, "no pacts found in the sources given (a directory is read for *.json files)")
    provider = args.provider or _only_provider(sources)
    verifier = Verifier(provider, **options)
    verifier._hints = CLI_HINTS  # the reports speak of options, not of Python
    progress = Progress(sys.stderr, sys.stderr.isatty()) if not args.no_progress else None
    code = 0

    async def report(result: VerificationResult) -> None:
        """Before the server stops: the verdict is out at once, and nothing is lost
        if the stop is cut short."""
        nonlocal code
        if progress is not None:
            progress.close()
        print(result.report(verbose=args.verbose, table=True), flush=True)
        if any(error.kind == "missing state" for item in result.interactions for error in item.errors):
            print(
                "apact verify: interactions need provider states: give --state-change-url URL "
                "(or --ignore-missing-states to replay them without)",
                file=sys.stderr,
            )
        try:
            await write_reports(args, result)
        except OSError as unwritable:
            code = error("verify", f"cannot write a report: {unwritable}")

    try:
        result = await verifier._verify(
            sources, **verify_options(args), on_result=progress, interrupt=signals.replaying, before_stop=report
        )
    except ProviderStartError as start:
        if start.result is not None:  # it exited during the verification: what was verified, then the error
            await report(start.result)
        raise
    finally:
        if progress is not None:
            progress.close()
    if signals.received is not None:
        verified = f"{result.verified} of {len(result.interactions)} interactions verified"
        when = "" if result.interrupted else ", after the verification (while the provider server stopped)"
        print(f"apact verify: interrupted ({signals.received}{when}): {verified}, see the report", file=sys.stderr)
        return 130
    if code:
        return code
    await broker.publish_verification(args, result, fetched, sys.stdout)
    if not result.ok:
        return 1
    if not result.verified:
        return _nothing(args, "no pact had an interaction to replay")
    return 0


def _nothing(args: argparse.Namespace, why: str) -> int:
    """Nothing was verified: 1 (almost always a mistake), 0 with --allow-empty."""
    print(f"Nothing was verified: {why} (--allow-empty accepts that).", file=sys.stderr)
    return 0 if args.allow_empty else 1


def _only_provider(sources: list[PactSource]) -> str:
    providers = sorted({source.pact.provider for source in sources})
    if len(providers) > 1:
        raise _UsageError(
            f"the pacts are for several providers ({', '.join(map(repr, providers))}): choose one with --provider"
        )
    return providers[0]


# -- --app ------------------------------------------------------------------------------------


def load_app(spec: str, app_dir: str, *, factory: bool = False, interface: str = "auto") -> object:
    """``--app``: the app `import_app` finds, called when ``spec`` ends in ``()``
    or with ``factory`` (as uvicorn does with ``--factory``: a factory is called only
    when asked); a usage error when it is neither an ASGI nor a WSGI app."""
    called = factory or spec.endswith("()")
    found = import_app(spec.removesuffix("()"), app_dir)
    app = _call_factory(spec, found) if called else found
    _check_app(spec, app, interface, called=called)
    return app


def import_app(spec: str, app_dir: str) -> object:
    """``module.path:attribute`` (the attribute may be dotted) imported with ``app_dir``
    first on ``sys.path``."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise _UsageError(f"--app takes MODULE:ATTRIBUTE, e.g. grill_chef.app:app (got {spec!r})")
    directory = os.path.abspath(app_dir)
    if directory not in sys.path:
        sys.path.insert(0, directory)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as missing:
        if missing.name is None or not (module_name == missing.name or module_name.startswith(missing.name + ".")):
            raise _UsageError(
                f"importing {module_name!r} for --app raised:\n{traceback.format_exc().rstrip()}"
            ) from None
        raise _UsageError(
            f"cannot import {module_name!r} for --app: no module named {missing.name!r} in {directory} "
            "or on the Python path (--app-dir says where to look)"
        ) from None
    except Exception:  # the app's module raised while being imported: show where
        raise _UsageError(f"importing {module_name!r} for --app raised:\n{traceback.format_exc().rstrip()}") from None
    try:
        app: object = functools.reduce(getattr, attribute.split("."), module)
    except AttributeError:
        raise _UsageError(f"--app {spec}: module {module_name!r} has no attribute {attribute!r}") from None
    if not callable(app):
        raise _UsageError(f"--app {spec} is a {type(app).__name__}, not an ASGI or WSGI app (nor a factory)")
    return app


def _call_factory(spec: str, factory: object) -> object:
    if not callable(factory):
        raise _UsageError(f"--app {spec}: {type(factory).__name__} is not callable, so not an app factory")
    try:
        app = factory()
    except Exception:  # the factory's own failure: show where
        raise _UsageError(f"--app {spec}: the app factory raised:\n{traceback.format_exc().rstrip()}") from None
    if inspect.isawaitable(app):
        if inspect.iscoroutine(app):
            app.close()  # (never awaited: no warning)
        raise _UsageError(
            f"--app {spec}: the app factory is async, and apact calls sync factories only: "
            "give the app itself (MODULE:ATTR) or a sync factory"
        )
    return app


def _check_app(spec: str, app: object, interface: str, *, called: bool) -> None:
    """A usage error, in the command line's words, if ``app`` is no app."""
    from ..verifier._wsgi import Unusable, sniff

    kind = sniff(app, "asgi" if interface == "asgi" else "wsgi" if interface == "wsgi" else "auto")
    if not isinstance(kind, Unusable):
        return
    where = f"--app {spec}: what the factory returned" if called else f"--app {spec}"
    if kind.factory and not called and inspect.iscoroutinefunction(app):
        fix = "apact calls sync factories only: give the app itself (MODULE:ATTR) or a sync factory"
    elif kind.factory and not called:
        fix = f"call it: --app '{spec}()' (or --factory)"
    elif kind.ambiguous:
        fix = "say which with --interface asgi or --interface wsgi"
    else:
        fix = "give an ASGI app (async def app(scope, receive, send)) or a WSGI app (def app(environ, start_response))"
    raise _UsageError(f"{where} is {kind.what}: {fix}")


# -- progress ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Progress:
    """The progress line: rewritten in place on a terminal (after a moment, so quick runs
    show none), else a line every ``every`` seconds on long runs."""

    stream: TextIO
    tty: bool
    delay: float = 0.2
    every: float = 10.0
    started: float = field(default_factory=time.monotonic)
    last: float = 0.0
    failed: int = 0
    shown: bool = False

    def __call__(self, result: InteractionResult, done: int, total: int) -> None:
        self.failed += result.status == "failed"
        now = time.monotonic()
        wait, interval = (self.delay, 0.1) if self.tty else (self.every, self.every)
        if now - self.started < wait or now - self.last < interval:
            return
        self.last = now
        text = f"apact verify: {done}/{total} interactions, {self.failed} failed, {now - self.started:.0f} s"
        if self.tty:
            self.stream.write("\r\x1b[2K" + text)
            self.shown = True
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self.shown = False


# -- helpers -------------------------------------------------------------------------------------


class _UsageError(Exception):
    """Arguments that cannot work; the message says why."""


def _headers(values: list[str]) -> dict[str, str]:
    from ..pact._request_check import header_problem

    headers = {}
    for value in values:
        name, colon, text = value.partition(":")
        if not colon or not name.strip():
            raise _UsageError(f"--header takes 'NAME: VALUE', got {value!r}")
        problem = header_problem(name.strip(), text.strip())
        if problem is not None:  # the value is not repeated: it may be a secret
            raise _UsageError(f"--header {name.strip()!r}: {problem}")
        headers[name.strip()] = text.strip()
    return headers


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:  # (nan too)
        raise argparse.ArgumentTypeError(f"must be positive, got {text}")
    return value


def _url_problem(text: str) -> str | None:
    from ._imports import import_httpx

    import_httpx()  # (the lean way, as `main` does after parsing: these types run before)
    from ..verifier._targets import url_problem

    return url_problem(text)


def _target_url(text: str) -> str:
    """An http or https URL to send to (a command's ``{port}`` placeholder allowed)."""
    problem = _url_problem(text)
    if problem is not None:
        raise argparse.ArgumentTypeError(f"{text!r} {problem}")
    return text


def _url_or_path(text: str) -> str:
    """A URL to send to, or a path on the provider (``/_pact/state``)."""
    if text.startswith("/"):
        return text
    problem = _url_problem(text)
    if problem is not None:
        raise argparse.ArgumentTypeError(f"{text!r} {problem} (or a path starting with /)")
    return text


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value
