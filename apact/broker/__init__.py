"""The Pact Broker side of apact.

:class:`BrokerClient` talks to any Pact Broker: publishes pacts, fetches the pacts a
provider should verify, publishes verification results, asks can-i-deploy and records
deployments (``apact.broker.client``). ``apact.broker.server`` is ``apact broker``: a
Pact Broker (Starlette app, SQLite storage) that the official Pact clients accept. See
``docs/broker.md``.
"""

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
