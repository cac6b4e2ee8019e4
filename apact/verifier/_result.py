"""What a verification found: per pact and per interaction, in the pacts' order."""

from __future__ import annotations

import os
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .._core._types import JSON
from ..errors import MismatchError
from ..matching import Mismatch
from ..pact.model import HttpResponse, MessageContents, PactFile, ProviderState
from . import _report
from ._shapes import Status as Status  # part of the results' vocabulary (apact.verifier.Status)

#: where an error came from
ErrorKind = Literal[
    "state",  # a provider-state handler (or the state-change URL) failed in setup
    "teardown",  # ... or in teardown
    "missing state",  # no handler for a provider state
    "generator",  # a generator could not produce a value (e.g. a missing state value)
    "request filter",  # a request filter raised
    "transport",  # the request could not be sent or no response came
    "timeout",  # no response within the request timeout
    "provider",  # the in-process app raised
    "producer",  # a message producer raised or returned something that is not a message
    "missing producer",  # no producer for a message
    "no target",  # an HTTP interaction, but the verifier has no HTTP target (app=, base_url=, command=)
    "invalid interaction",  # the pact's request cannot be sent as written (a path not starting with /, ...): not sent
    "plugin",  # the interaction needs a Pact plugin (protobuf, gRPC, CSV...), which apact does not run: not run
    "internal",  # apact failed on this interaction (a bug, or input it cannot handle): said with the traceback
]


_PACKAGE = Path(__file__).resolve().parents[1]  # apact/


def _internal(filename: str) -> bool:
    path = Path(filename)
    return path.name == "contextlib.py" or _PACKAGE in path.resolve().parents


def _drop_internal_frames(shown: traceback.TracebackException, seen: set[int]) -> None:
    """Take apact's frames out of ``shown`` and of the exceptions chained to it."""
    if id(shown) in seen:
        return
    seen.add(id(shown))
    shown.stack = traceback.StackSummary.from_list([frame for frame in shown.stack if not _internal(frame.filename)])
    for chained in (shown.__cause__, shown.__context__):
        if chained is not None:
            _drop_internal_frames(chained, seen)


def exception_line(error: BaseException) -> str:
    """``ValueError: no fridge`` (or just the type when there is no message)."""
    message = str(error)
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


@dataclass(frozen=True, slots=True)
class VerificationProblem:
    """Something that went wrong other than a mismatch, with its traceback if any."""

    kind: ErrorKind
    message: str
    traceback: str | None = None

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"

    @classmethod
    def from_exception(cls, kind: ErrorKind, message: str, error: BaseException) -> VerificationProblem:
        """``message`` plus the traceback of ``error``, without apact's own frames (nor
        ``contextlib``'s, which only say that apact entered a context manager): the
        user's code is what the reader wants to see. An ``internal`` error (apact
        failed) keeps them all: they are what a bug report needs."""
        if kind == "internal":
            return cls(kind, message, "".join(traceback.format_exception(type(error), error, error.__traceback__)))
        shown = traceback.TracebackException(type(error), error, error.__traceback__)
        _drop_internal_frames(shown, set())
        text = "".join(shown.format())
        return cls(kind, message, text)

    def to_json(self) -> dict[str, JSON]:
        return {"kind": self.kind, "message": self.message, "traceback": self.traceback}


@dataclass(frozen=True, slots=True)
class InteractionResult:
    """The verdict on one interaction of one pact."""

    description: str
    #: the interaction's type: ``Synchronous/HTTP``, ``Asynchronous/Messages``, ...
    kind: str
    status: Status
    provider_states: tuple[ProviderState, ...] = ()
    mismatches: tuple[Mismatch, ...] = ()
    errors: tuple[VerificationProblem, ...] = ()
    #: seconds, from building the request to matching the response (state setup and
    #: teardown included when the interaction had them to itself)
    duration: float = 0.0
    #: the interaction (or its whole pact) is pending: a failure does not fail the run
    pending: bool = False
    #: why it was skipped
    reason: str | None = None
    #: the request line sent, e.g. ``POST /steaks/``
    request: str | None = None
    #: what the provider answered, or the message its producer made (kept for
    #: interactions that did not pass)
    response: HttpResponse | MessageContents | None = field(default=None, repr=False)
    #: the expected response (or message) after provider-state generators (kept with ``response``)
    expected: HttpResponse | MessageContents | None = field(default=None, repr=False)
    #: position in the pact's interactions
    index: int = 0
    #: the V4 interaction key, and the broker's ``_id`` of the interaction if any
    key: str | None = None
    interaction_id: str | None = None
    #: what the provider server apact started printed while the interaction ran (its
    #: traceback, say): kept for interactions that did not pass
    output: str | None = field(default=None, repr=False)
    #: the V4 interaction's ``comments`` (``text``, ``testname``, references...)
    comments: dict[str, JSON] | None = field(default=None, repr=False)

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def given(self) -> str:
        """``steaks are available and the grill is hot``, or ``""``."""
        return " and ".join(state.name for state in self.provider_states)


@dataclass(frozen=True, slots=True)
class PactResult:
    """The verdicts on one pact's interactions, in the pact's order."""

    consumer: str
    provider: str
    #: where the pact came from: a file path, a URL, or ``<PactFile>``
    source: str
    interactions: tuple[InteractionResult, ...] = ()
    #: the whole pact is pending (the broker said so): failures are reported, not fatal
    pending: bool = False
    #: the pact as read (its ``extra`` holds a broker's ``_links``)
    pact: PactFile | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not any(result.status == "failed" for result in self.interactions)

    def count(self, status: Status) -> int:
        return sum(1 for result in self.interactions if result.status == status)

    @property
    def title(self) -> str:
        return f"{self.consumer} -> {self.provider}"

    def verification_results(
        self,
        provider_version: str,
        *,
        build_url: str | None = None,
        extra: Mapping[str, JSON] | None = None,
    ) -> dict[str, JSON]:
        """The body a Pact Broker's ``pb:publish-verification-results`` link expects for
        this pact: ``success``, ``providerApplicationVersion``, ``testResults`` (one
        entry per replayed interaction), ``verifiedBy`` (and ``buildUrl``, ``extra``)."""
        return _report.verification_results(self, provider_version, build_url=build_url, extra=extra)


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """Everything one ``await verifier.verify(...)`` found.

    ``ok`` is true when no interaction failed (pending failures do not count);
    `assert_ok` raises a `VerificationFailedError` carrying the readable
    report. `report` is that report, `to_json`, and `to_junit_xml`
    are the machine-readable forms (and `PactResult.verification_results` what a
    Pact Broker takes).
    """

    provider: str
    pacts: tuple[PactResult, ...] = ()
    #: seconds for the whole run (sources, target start-up and shutdown included)
    duration: float = 0.0
    #: things worth knowing that are not about one interaction (pacts left out because
    #: they are for another provider, a provider process that died, ...)
    notices: tuple[str, ...] = ()
    #: how the provider was reached: ``in-process app``, ``http://...``, ``command ...``
    target: str = ""
    #: stopped early by SIGINT or SIGTERM (``apact verify``): the interactions not
    #: verified by then are skipped, and the verification is not ``ok``
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return not self.interrupted and all(pact.ok for pact in self.pacts)

    @property
    def interactions(self) -> tuple[InteractionResult, ...]:
        return tuple(result for pact in self.pacts for result in pact.interactions)

    def count(self, status: Status) -> int:
        return sum(pact.count(status) for pact in self.pacts)

    @property
    def verified(self) -> int:
        """How many interactions were replayed (not skipped)."""
        return sum(1 for result in self.interactions if result.status != "skipped")

    def assert_ok(self, *, allow_empty: bool = False) -> None:
        """Raise `VerificationFailedError` (an ``AssertionError``) with the report if
        an interaction failed, or if nothing was verified at all (an empty directory or
        filters that match nothing are almost always a mistake) unless ``allow_empty``."""
        __tracebackhide__ = True  # pytest shows the test's line, not this method's source
        if not self.ok:
            raise VerificationFailedError(self.report(), self)
        if not allow_empty and not self.verified:
            raise VerificationFailedError(
                self.report() + "\nNothing was verified: no pact had an interaction to replay "
                "(pass allow_empty=True to accept that).",
                self,
            )

    def report(self, *, verbose: bool = False, table: bool = False) -> str:
        """The readable report: every interaction's verdict, then each failure with
        where, what was expected and what came (and a diff of the bodies).
        ``verbose`` also lists the passed interactions' durations and requests;
        ``table`` ends it with a table of the counts per pact."""
        return _report.render_text(self, verbose=verbose, table=table)

    def to_json(self) -> dict[str, JSON]:
        """The results as a JSON document (``json.dumps`` it as it is)."""
        return _report.to_json(self)

    def to_junit_xml(self) -> str:
        """JUnit XML: a test suite per pact, a test case per interaction."""
        return _report.to_junit_xml(self)

    async def write_json(self, path: str | os.PathLike[str]) -> None:
        await _report.write_text(path, _report.json_text(self))

    async def write_junit(self, path: str | os.PathLike[str]) -> None:
        await _report.write_text(path, self.to_junit_xml())


class VerificationFailedError(MismatchError):
    """The provider does not honour its pacts; ``str(error)`` is the readable report and
    ``error.result`` the `VerificationResult`."""

    def __init__(self, report: str, result: VerificationResult) -> None:
        super().__init__(report)
        self.result = result

    def __reduce__(self):  # type: ignore[no-untyped-def]  # picklable for xdist
        return (VerificationFailedError, (str(self), self.result))
