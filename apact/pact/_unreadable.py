"""Every pact that cannot be read, not only the first.

A command given a directory of pacts reports each bad file at once, so one run shows
everything to fix (``apact check`` does, and so do ``verify``, ``show``, ``stub`` and
``publish``). Readers collect the `PactFileError` of each source
and raise `together`: one of them as itself, several as `UnreadablePactsError`
(still a ``PactFileError``, for whoever catches those); `each` takes it apart.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import PactFileError, UnreadablePactsError


def together(errors: Sequence[PactFileError]) -> PactFileError:
    """The error to raise for ``errors`` (at least one)."""
    return errors[0] if len(errors) == 1 else UnreadablePactsError(errors)


def each(error: PactFileError) -> tuple[PactFileError, ...]:
    """The errors ``error`` stands for."""
    return error.errors if isinstance(error, UnreadablePactsError) else (error,)
