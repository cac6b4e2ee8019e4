"""What the verifier's errors tell the user to do, in the words of the interface used.

A test using `Verifier` registers handlers and passes
keywords; ``apact verify`` has options instead. An error read on the command line
that says ``register one with @verifier.state(...)`` sends its reader to an API they
are not using: the command line gives the verifier `CLI_HINTS` (without them,
the verifier speaks of its own API).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Hints:
    #: how to make a provider state known, for ``{name!r}``
    missing_state: str
    #: how to give a message, for ``{description!r}``
    missing_producer: str


CLI_HINTS = Hints(
    missing_state="give --state-change-url URL (the provider's state-change endpoint), or --ignore-missing-states to replay it without",
    missing_producer="give --message-url URL (the provider's message endpoint)",
)
