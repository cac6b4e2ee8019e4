"""The Pact Broker client.

`BrokerClient` talks to any Pact Broker: publishes pacts, fetches the pacts a
provider should verify, publishes verification results, asks can-i-deploy and records
deployments (``apact.broker.client``). The broker *server* (``apact broker``) is
`apact.broker_server`; ``apact.broker.server`` only re-exports it, for code written
before it moved. See ``docs/broker.md``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..errors import BrokerError
    from .client import (
        BrokerClient,
        CanIDeployResult,
        Environment,
        MatrixRow,
        Notice,
        PactsForVerification,
        PublishedPact,
        PublishedVerification,
        PublishResult,
        Recorded,
        VerifiablePact,
        VerificationNotice,
        VerificationPublication,
    )

__all__ = [
    "BrokerClient",
    "BrokerError",
    "CanIDeployResult",
    "Environment",
    "MatrixRow",
    "Notice",
    "PactsForVerification",
    "PublishResult",
    "PublishedPact",
    "PublishedVerification",
    "Recorded",
    "VerifiablePact",
    "VerificationNotice",
    "VerificationPublication",
]


def __getattr__(name: str) -> Any:
    # imported on first use, so that ``apact broker`` and the command line's other
    # broker commands do not load the client (httpx, the verifier) just to start
    if name not in __all__:
        raise AttributeError(f"module 'apact.broker' has no attribute {name!r}")
    module = importlib.import_module("apact.errors" if name == "BrokerError" else "apact.broker.client")
    value = getattr(module, name)
    globals()[name] = value
    return value
