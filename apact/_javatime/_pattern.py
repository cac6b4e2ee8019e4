"""Compiled patterns: strict matching (one regex plus field validation) and formatting."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ._fields import _Parsed, _spec, _Temporal, _UnavailableError
from ._items import JavaTimeError, _Field, _Item, _Literal, _tokenize

_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@dataclass(frozen=True, slots=True)
class JavaPattern:
    """A parsed ``DateTimeFormatter`` pattern (see `parse_pattern`)."""

    pattern: str
    _items: tuple[_Item, ...]
    _regex: re.Pattern[str]
    _fields: tuple[tuple[str, Callable[[str], _Parsed]], ...]

    def matches(self, value: str) -> bool:
        """True if ``value`` strictly parses with this pattern and its fields are valid."""
        if not isinstance(value, str):
            return False
        m = self._regex.fullmatch(value)
        if m is None:
            return False
        found: dict[str, int | str] = {}
        try:
            for group, parse in self._fields:
                text = m.group(group)
                if text is None:
                    continue
                for kind, parsed in parse(text):
                    if found.setdefault(kind, parsed) != parsed:
                        return False
        except ValueError:
            return False
        return _consistent(found)

    def format(self, value: dt.datetime | dt.date | dt.time) -> str:
        """Render ``value``; optional sections are kept when their fields are available."""
        try:
            return "".join(_format_items(self._items, value))
        except _UnavailableError as exc:
            raise JavaTimeError(
                f"cannot format {value!r} with date/time pattern {self.pattern!r}: it has no {exc.args[0]}"
            ) from None


def _format_items(items: Sequence[_Item], value: _Temporal) -> list[str]:
    out: list[str] = []
    for item in items:
        if isinstance(item, _Literal):
            out.append(item.text)
        elif isinstance(item, _Field):
            out.append(_spec(item.letter, item.count).format(value))
        else:
            try:
                out.extend(_format_items(item.items, value))
            except _UnavailableError:
                pass
    return out


def _consistent(found: dict[str, int | str]) -> bool:
    year = found.get("year")
    year2 = found.get("year2")
    month = found.get("month")
    day = found.get("day")
    known_year = year if isinstance(year, int) else (year2 if isinstance(year2, int) else None)
    # An unknown year may be a leap year, so February 29 stays acceptable.
    leap = True if known_year is None else calendar.isleap(known_year)
    if isinstance(month, int) and isinstance(day, int):
        limit = (29 if leap else 28) if month == 2 else _DAYS_IN_MONTH[month - 1]
        if day > limit:
            return False
    doy = found.get("doy")
    if isinstance(doy, int) and doy == 366 and not leap:
        return False
    dow = found.get("dow")
    if isinstance(dow, int) and isinstance(year, int) and isinstance(month, int) and isinstance(day, int):
        if 1 <= year <= 9999 and dt.date(year, month, day).isoweekday() != dow:
            return False
    ampm = found.get("ampm")
    hour = found.get("hour")
    if isinstance(ampm, int) and isinstance(hour, int) and (hour >= 12) != (ampm == 1):
        return False
    return True


def _compile(pattern: str, items: tuple[_Item, ...]) -> JavaPattern:
    fields: list[tuple[str, Callable[[str], _Parsed]]] = []

    def build(seq: Sequence[_Item]) -> str:
        parts: list[str] = []
        for item in seq:
            if isinstance(item, _Literal):
                parts.append(re.escape(item.text))
            elif isinstance(item, _Field):
                spec = _spec(item.letter, item.count)
                name = f"f{len(fields)}"
                fields.append((name, spec.parse))
                parts.append(f"(?P<{name}>{spec.regex})")
            else:
                parts.append(f"(?:{build(item.items)})?")
        return "".join(parts)

    return JavaPattern(pattern, items, re.compile(build(items)), tuple(fields))


@functools.lru_cache(maxsize=512)
def parse_pattern(pattern: str) -> JavaPattern:
    """Parse a Java ``DateTimeFormatter`` pattern (cached).

    Raises JavaTimeError naming the pattern and the offending letter and
    position for unknown letters, too many letters, unterminated quotes,
    unbalanced optional sections and reserved characters.
    """
    if not isinstance(pattern, str):
        raise JavaTimeError(f"invalid date/time pattern {pattern!r}: expected a string")
    return _compile(pattern, _tokenize(pattern))
