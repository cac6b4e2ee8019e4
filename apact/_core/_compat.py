"""What differs between the Pythons apact supports (3.10 and later), in one place.

Kept small on purpose: each helper says which version needs it, so it can go once that
version is no longer supported.
"""

from __future__ import annotations

import sys

__all__ = ["add_note"]


def add_note(error: BaseException, note: str) -> None:
    """``error.add_note(note)`` (PEP 678), on Python 3.10 too.

    3.10 has no ``add_note``: there the note goes into ``__notes__`` as 3.11 would put
    it, which pytest and the ``exceptiongroup`` backport (installed with anyio on 3.10)
    print under the traceback.
    """
    if sys.version_info >= (3, 11):
        error.add_note(note)
    else:
        notes = getattr(error, "__notes__", None)
        if not isinstance(notes, list):
            notes = []
            error.__notes__ = notes  # type: ignore[attr-defined]  # 3.10's BaseException declares no notes
        notes.append(note)
