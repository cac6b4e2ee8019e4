"""ISO-8601 defaults: Pact's formats when a matcher or generator has none."""

from __future__ import annotations

import functools

from ._items import _Field, _Item, _Literal, _Optional, _tokenize
from ._pattern import JavaPattern, _compile, parse_pattern

#: Defaults used by the Pact specification when a matcher/generator has no format.
ISO_DATE = "yyyy-MM-dd"
ISO_TIME = "HH:mm:ss"
ISO_DATETIME = "yyyy-MM-dd'T'HH:mm:ss"

_ISO_OFFSET = _Field("X", 5)
_ISO_FRACTION = _Optional((_Literal("."), _Field("S", 0)))
_ISO_TIME_ITEMS: tuple[_Item, ...] = (
    _Field("H", 2),
    _Literal(":"),
    _Field("m", 2),
    _Optional((_Literal(":"), _Field("s", 2), _ISO_FRACTION)),
)


@functools.lru_cache(maxsize=1)
def _iso_patterns() -> tuple[JavaPattern, JavaPattern, JavaPattern]:
    date = parse_pattern(ISO_DATE)
    time = _compile("ISO-8601 time", _ISO_TIME_ITEMS + (_Optional((_ISO_OFFSET,)),))
    datetime = _compile(
        "ISO-8601 date-time",
        _tokenize(ISO_DATE)
        + (_Literal("T"),)
        + _ISO_TIME_ITEMS
        + (_Optional((_ISO_OFFSET, _Optional((_Literal("["), _Field("V", 2), _Literal("]"))))),),
    )
    return date, time, datetime


def matches_iso_date(value: str) -> bool:
    """``yyyy-MM-dd`` with a valid calendar date (Pact's default ``date`` format)."""
    return _iso_patterns()[0].matches(value)


def matches_iso_time(value: str) -> bool:
    """ISO-8601 local or offset time: ``HH:mm[:ss[.f{1,9}]][offset]``.

    This is what Java's ``ISO_TIME`` (and the Rust core) accept for Pact's
    default ``time`` format ``HH:mm:ss``; the offset is ``Z`` or ``+HH:MM[:ss]``.
    """
    return _iso_patterns()[1].matches(value)


def matches_iso_datetime(value: str) -> bool:
    """ISO-8601 date-time: ``yyyy-MM-dd'T'HH:mm[:ss[.f{1,9}]][offset['['zone']']]``.

    Java's ``ISO_DATE_TIME`` accepted for Pact's default ``datetime`` format;
    the region suffix (``[Europe/Paris]``) is only allowed after an offset.
    """
    return _iso_patterns()[2].matches(value)
