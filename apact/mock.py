"""``apact.mock``, kept for compatibility: the mock provider, now in `apact.consumer.mock`."""

from ._core._api import renamed
from .consumer.mock import (
    Candidate,
    MockProvider,
    UnexpectedRequest,
)

__all__ = [
    "Candidate",
    "MockProvider",
    "UnexpectedRequest",
]

#: internal helpers that this module exported by mistake
__getattr__ = renamed(
    __name__,
    {
        "body_diff": "apact.consumer.mock._body_diff",
        "describe": "apact.pact._describe.interaction_line",
        "request_from_asgi": "apact.consumer.mock._request_from_asgi",
        "request_line": "apact.pact._describe.request_line",
    },
)
