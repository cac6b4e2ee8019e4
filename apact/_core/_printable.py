"""Text printed to a terminal or a log: what a client sent, a provider answered or a pact
says, with what a terminal would act on written as escapes. Here, below every layer,
since the reports of each print such text (and the command line must not import the
matching engine to print an error)."""

from __future__ import annotations

import re

#: what a terminal or a log viewer acts on rather than shows: control characters (but
#: line feed and tab), DEL, C1 controls (``\x9b`` starts an escape sequence too) and the
#: bidirectional overrides that reorder what is shown
_NOT_PRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with what a terminal would act on written as escapes (``\\x1b``,
    ``\\u202e``): a report quotes what a provider answered, a client sent and a pact
    says, and none of them may clear a CI log, recolour it or fake a line in it."""
    if _NOT_PRINTABLE.search(text) is None:  # (nearly every report)
        return text
    return _NOT_PRINTABLE.sub(escaped, text)


def escaped(found: re.Match[str]) -> str:
    """The character ``found`` as Python writes it in a string (``\\x07``, ``\\ud800``)."""
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
