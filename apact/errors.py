"""Every exception apact raises on purpose derives from `ApactError`.

```text
ApactError
├── PactFileError (ValueError)       a pact file or pact JSON that cannot be used:
│   │                                bad JSON, unknown spec version, unknown matcher,
│   │                                invalid regex, a body that does not fit its type
│   └── UnreadablePactsError         several at once (`error.errors`: each one)
├── PactWriteError                   a pact cannot be written (spec clash, lock, disk)
├── ProviderStartError               the provider to verify cannot be started: a server
│                                    command that exits or never gets ready, an app
│                                    whose lifespan startup fails
├── GenerationError (ValueError)     a generator cannot produce a value: a missing
│                                    provider-state value, a bad date expression
├── BrokerError                      a Pact Broker refused a request (401, 403, 404, 409,
│                                    5xx) or could not be reached; says what was
│                                    attempted and what the broker answered
├── OpenAPIError (ValueError)        an OpenAPI document that cannot be used
│                                    (apact.openapi)
└── MismatchError (AssertionError)   what was expected did not happen; carries a
    │                                readable report
    ├── ConsumerMismatchError        a consumer test's interactions were not met
    │                                (apact.consumer)
    └── VerificationFailedError      a provider does not honour its pacts
                                     (apact.verifier; ``error.result`` the result)
```

All of them can be imported from ``apact`` (``from apact import PactFileError``).

Errors about a place in a pact say where: the file, the interaction (index and
description) and the JSON path inside the file, e.g.:

```text
pacts/Sous Chef-Grill Chef.json: interaction 3 "a request for a steak":
$.interactions[3].request.matchingRules.body['$.id'].matchers[0]:
invalid regex '[0-9': unterminated character set at position 0
```
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any


class ApactError(Exception):
    """Base class of every error apact raises on purpose."""


class PactFileError(ApactError, ValueError):
    """A pact (file or JSON document) is invalid.

    ``file``, ``interaction`` (index), ``description`` and ``path`` (a JSON path from
    the document's root) locate the problem; ``reason`` says what is wrong. Any of the
    locators may be ``None`` when unknown (e.g. a pact given as a dict, not a file).
    """

    def __init__(
        self,
        reason: str,
        *,
        path: str | None = None,
        file: str | None = None,
        interaction: int | None = None,
        description: str | None = None,
    ) -> None:
        self.reason = reason
        self.path = path
        self.file = file
        self.interaction = interaction
        self.description = description
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.file is not None:
            where.append(str(self.file))
        if self.interaction is not None:
            label = f"interaction {self.interaction}"
            if self.description is not None:
                label += " " + json.dumps(self.description, ensure_ascii=False)
            where.append(label)
        if self.path is not None:
            where.append(self.path)
        return ": ".join([*where, self.reason])

    def located(
        self,
        *,
        file: str | None = None,
        interaction: int | None = None,
        description: str | None = None,
        prefix: str | None = None,
    ) -> PactFileError:
        """A copy of this error with more location filled in.

        ``prefix`` is prepended to a path that is relative to a part of the document
        (paths always start with ``$``; the prefix replaces that ``$``).
        """
        path = self.path
        if prefix is not None:
            path = prefix + (path[1:] if path else "")
        return PactFileError(
            self.reason,
            path=path,
            file=file if file is not None else self.file,
            interaction=interaction if interaction is not None else self.interaction,
            description=description if description is not None else self.description,
        )

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:  # keep the keyword-only fields when pickled
        return (_rebuild_pact_file_error, (self.reason, self.path, self.file, self.interaction, self.description))


def _rebuild_pact_file_error(
    reason: str, path: str | None, file: str | None, interaction: int | None, description: str | None
) -> PactFileError:
    return PactFileError(reason, path=path, file=file, interaction=interaction, description=description)


class UnreadablePactsError(PactFileError):
    """Several pacts cannot be read (a directory, or several files given at once):
    ``errors`` holds the `PactFileError` of each, so one run names every file to
    fix. One unreadable pact raises its own ``PactFileError``."""

    def __init__(self, errors: Sequence[PactFileError]) -> None:
        self.errors = tuple(errors)
        super().__init__(
            f"{len(self.errors)} pacts cannot be read:\n" + "\n".join(f"  {error}" for error in self.errors)
        )

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (UnreadablePactsError, (self.errors,))


class PactWriteError(ApactError):
    """A pact file could not be written (a spec version clash with the file on disk, ...)."""


class ProviderStartError(ApactError):
    """The provider to verify could not be started, or the server apact started exited
    during the verification; the message says why and shows the server's output when
    there is one. ``result`` is the `VerificationResult` so far
    when the server exited during the verification (``None`` otherwise)."""

    #: what was verified before the server exited (a ``VerificationResult``), if anything
    result: Any = None


class GenerationError(ApactError, ValueError):
    """A generator cannot produce a value (a missing provider-state value, a bad expression)."""


class BrokerError(ApactError):
    """A request to a Pact Broker failed. ``str(error)`` says what was attempted, the
    request, and what the broker answered (never credentials).

    ``status`` is the HTTP status (``None`` when the broker could not be reached),
    ``method`` and ``url`` the request, ``detail`` the broker's own message, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        method: str | None = None,
        url: str | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.method = method
        self.url = url
        self.detail = detail

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:  # keep the fields when pickled
        return (_rebuild_broker_error, (str(self), self.status, self.method, self.url, self.detail))


def _rebuild_broker_error(message, status, method, url, detail):  # type: ignore[no-untyped-def]
    return BrokerError(message, status=status, method=method, url=url, detail=detail)


class MismatchError(ApactError, AssertionError):
    """Expectations were not met; ``str(error)`` is the readable report."""


__all__ = [
    "ApactError",
    "BrokerError",
    "GenerationError",
    "MismatchError",
    "PactFileError",
    "PactWriteError",
    "ProviderStartError",
    "UnreadablePactsError",
]
