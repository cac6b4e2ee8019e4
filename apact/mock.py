"""``apact.mock``, kept for compatibility: the mock provider, now in :mod:`apact.consumer.mock`."""

from .consumer.mock import (
    Candidate,
    MockProvider,
    UnexpectedRequest,
    body_diff,
    describe,
    request_from_asgi,
    request_line,
)

__all__ = [
    "Candidate",
    "MockProvider",
    "UnexpectedRequest",
    "body_diff",
    "describe",
    "request_from_asgi",
    "request_line",
]
