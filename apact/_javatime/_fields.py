"""Field specifications: how each pattern letter parses, validates and formats.

Zone and offset fields included; `_pattern` assembles them into a pattern.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Union

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTHS_SHORT = tuple(m[:3] for m in _MONTHS)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAYS_SHORT = tuple(d[:3] for d in _DAYS)
_QUARTERS = ("1st quarter", "2nd quarter", "3rd quarter", "4th quarter")

# Zone abbreviations accepted by ``z`` (Java recognises these in English).
_ZONE_ABBREVIATIONS = frozenset(
    """UTC GMT UT Z PST PDT PT MST MDT MT CST CDT CT EST EDT ET AKST AKDT HST HDT AST
    ADT NST NDT CET CEST MET MEST EET EEST WET WEST BST IST GMT JST KST HKT SGT PHT
    WIB WITA WIT ICT MSK SAMT YEKT OMST KRAT IRKT YAKT VLAT MAGT PETT AEST AEDT ACST
    ACDT AWST NZST NZDT CHST SST ART BRT CLT CLST COT PET VET UYT PYT BOT ECT GFT SRT
    FNT AMT WAT CAT EAT SAST PKT NPT BDT MMT IRST IRDT GST AFT UZT TJT TMT KGT ALMT
    HOVT ULAT CHOT AZT GET AMT TRT CAST MUT SCT RET MVT IOT""".split()
)
_ZONE_FULL_NAMES = {
    "UTC": "Coordinated Universal Time",
    "GMT": "Greenwich Mean Time",
    "BST": "British Summer Time",
    "CET": "Central European Standard Time",
    "CEST": "Central European Summer Time",
    "EET": "Eastern European Standard Time",
    "EEST": "Eastern European Summer Time",
    "WET": "Western European Standard Time",
    "WEST": "Western European Summer Time",
    "PST": "Pacific Standard Time",
    "PDT": "Pacific Daylight Time",
    "MST": "Mountain Standard Time",
    "MDT": "Mountain Daylight Time",
    "CST": "Central Standard Time",
    "CDT": "Central Daylight Time",
    "EST": "Eastern Standard Time",
    "EDT": "Eastern Daylight Time",
    "JST": "Japan Standard Time",
    "IST": "India Standard Time",
    "AEST": "Australian Eastern Standard Time",
    "AEDT": "Australian Eastern Daylight Time",
    "HST": "Hawaii-Aleutian Standard Time",
}

_ZONE_ID = r"[A-Za-z][A-Za-z0-9~._+-]*(?:/[A-Za-z0-9~._+-]+)*"
_PREFIXED_OFFSET = r"(?:UTC|GMT|UT)(?:[+-]\d{1,2}(?::?\d{2}(?::?\d{2})?)?)?"
_FULL_ZONE_NAME = r"[A-Z][A-Za-z-]*(?: [A-Z][A-Za-z-]*)* Time"

_Temporal = Union[dt.datetime, dt.date, dt.time]
_Parsed = tuple[tuple[str, int | str], ...]


class _UnavailableError(Exception):
    """A field cannot be formatted from the value given (e.g. hours of a date)."""


@dataclass(frozen=True, slots=True)
class _Spec:
    """How one field parses (regex + converter) and formats."""

    regex: str
    parse: Callable[[str], _Parsed]
    format: Callable[[_Temporal], str]


def _date(v: _Temporal) -> dt.date:
    if isinstance(v, dt.date):
        return v
    raise _UnavailableError("date fields")


def _time(v: _Temporal) -> dt.time:
    if isinstance(v, dt.datetime):
        return v.timetz()
    if isinstance(v, dt.time):
        return v
    raise _UnavailableError("time fields")


def _offset_seconds(v: _Temporal) -> int:
    if isinstance(v, dt.datetime):
        off = v.utcoffset()
    elif isinstance(v, dt.time):
        off = v.utcoffset()
    else:
        raise _UnavailableError("zone fields")
    return 0 if off is None else int(off.total_seconds())


def _tzinfo(v: _Temporal) -> dt.tzinfo | None:
    if isinstance(v, (dt.datetime, dt.time)):
        return v.tzinfo
    raise _UnavailableError("zone fields")


def _num(
    count: int, lo: int, hi: int, kind: str, *, max_digits: int | None = None
) -> tuple[str, Callable[[str], _Parsed]]:
    """Numeric field: count 1 -> 1..max digits, otherwise exactly/at least count."""
    if count == 1:
        regex = rf"\d{{1,{max_digits or 19}}}"
    elif max_digits and max_digits > count:
        regex = rf"\d{{{count},{max_digits}}}"
    else:
        regex = rf"\d{{{count}}}"

    def parse(text: str) -> _Parsed:
        value = int(text)
        if not lo <= value <= hi:
            raise ValueError(kind)
        return ((kind, value),)

    return regex, parse


def _pad(value: int, count: int) -> str:
    return str(value).zfill(count) if count > 1 else str(value)


def _text(
    names: Sequence[str], kind: str, base: int = 1, extra: dict[str, int] | None = None
) -> tuple[str, Callable[[str], _Parsed]]:
    lookup = {name: idx + base for idx, name in enumerate(names)}
    if extra:
        lookup.update(extra)
    regex = "|".join(re.escape(k) for k in sorted(lookup, key=len, reverse=True))

    def parse(text: str) -> _Parsed:
        return ((kind, lookup[text]),)

    return f"(?:{regex})", parse


def _ignore(regex: str) -> tuple[str, Callable[[str], _Parsed]]:
    return regex, lambda text: ()


def _parse_offset(text: str) -> _Parsed:
    """+HH[[:]MM[[:]SS]] (possibly after GMT/UTC/UT) or Z; validates ranges."""
    body = text
    for prefix in ("GMT", "UTC", "UT"):
        if body.startswith(prefix):
            body = body[len(prefix) :]
            break
    if body in ("", "Z"):
        return (("offset", 0),)
    sign = -1 if body[0] == "-" else 1
    parts = body[1:].split(":") if ":" in body else [body[1:3], body[3:5], body[5:7]]
    parts = [p for p in parts if p]
    hours = int(parts[0])
    minutes = int(parts[1]) if len(parts) > 1 else 0
    seconds = int(parts[2]) if len(parts) > 2 else 0
    if hours > 18 or minutes > 59 or seconds > 59 or (hours == 18 and (minutes or seconds)):
        raise ValueError("offset")
    return (("offset", sign * (hours * 3600 + minutes * 60 + seconds)),)


def _format_offset(seconds: int, *, colon: bool, minutes: str, secs: bool, zero: str | None) -> str:
    """Java offset printing; minutes: 'always' or 'nonzero'."""
    if seconds == 0 and zero is not None:
        return zero
    sign = "-" if seconds < 0 else "+"
    total = abs(seconds)
    h, rem = divmod(total, 3600)
    m, s = divmod(rem, 60)
    sep = ":" if colon else ""
    out = f"{sign}{h:02d}"
    if minutes == "always" or m or (secs and s):
        out += f"{sep}{m:02d}"
    if secs and s:
        out += f"{sep}{s:02d}"
    return out


@functools.lru_cache(maxsize=1)
def _known_regions() -> frozenset[str]:
    try:
        import zoneinfo

        return frozenset(zoneinfo.available_timezones())
    except Exception:  # pragma: no cover - no tz database: accept any well-formed id
        return frozenset()


def _parse_zone(text: str, names: bool) -> _Parsed:
    """Validate a zone: offset forms, known region ids, and (for ``z``) names."""
    if re.fullmatch(_PREFIXED_OFFSET, text) or re.fullmatch(r"Z|[+-]\d{2}:\d{2}(?::\d{2})?", text):
        return _parse_offset(text)
    regions = _known_regions()
    if text in regions or (not regions and "/" in text):
        return (("zone", text),)
    if names and (text in _ZONE_ABBREVIATIONS or re.fullmatch(_FULL_ZONE_NAME, text)):
        return (("zone", text),)
    raise ValueError("zone")


def _zone_name(v: _Temporal, full: bool) -> str:
    tz = _tzinfo(v)
    off = _offset_seconds(v)
    name = None
    if tz is not None:
        ref = v if isinstance(v, dt.datetime) else None
        name = tz.tzname(ref)
    if tz is None or name is None:
        name = "UTC"
    if name not in _ZONE_ABBREVIATIONS and not re.fullmatch(_PREFIXED_OFFSET, name):
        name = "GMT" + _format_offset(off, colon=True, minutes="always", secs=True, zero="")
    if full and name in _ZONE_FULL_NAMES:
        return _ZONE_FULL_NAMES[name]
    return name


def _zone_id(v: _Temporal) -> str:
    tz = _tzinfo(v)
    key = getattr(tz, "key", None)
    regions = _known_regions()
    if isinstance(key, str) and (key in regions or not regions):
        return key
    off = _offset_seconds(v)
    if tz is None or off == 0:
        return "UTC"
    return _format_offset(off, colon=True, minutes="always", secs=True, zero="Z")


def _iso_week_of_month(d: dt.date) -> int:
    # Java WeekFields.ISO.weekOfMonth(): Monday start, minimal days 4.
    dow = d.isoweekday()
    week_start = (d.day - dow) % 7
    offset = 7 - week_start if week_start + 1 > 4 else -week_start
    return (7 + offset + (d.day - 1)) // 7


def _micros_of_day(t: dt.time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


# letter -> (min, max, kind, hour-of-day -> printed value)
_HOUR_FIELDS: dict[str, tuple[int, int, str, Callable[[int], int]]] = {
    "H": (0, 23, "hour", lambda h: h),
    "k": (1, 24, "hour_k", lambda h: h or 24),
    "K": (0, 11, "hour_K", lambda h: h % 12),
    "h": (1, 12, "hour_h", lambda h: h % 12 or 12),
}
# letter -> (max, kind, time -> value) for milli-of-day, nano-of-second, nano-of-day
_COUNT_FIELDS: dict[str, tuple[int, str, Callable[[dt.time], int]]] = {
    "A": (86_399_999, "milliofday", lambda t: _micros_of_day(t) // 1000),
    "n": (999_999_999, "nano", lambda t: t.microsecond * 1000),
    "N": (86_399_999_999_999, "nanoofday", lambda t: _micros_of_day(t) * 1000),
}


@functools.lru_cache(maxsize=256)
def _spec(letter: str, count: int) -> _Spec:
    """The parse/format behaviour of ``letter`` repeated ``count`` times."""
    L, c = letter, count
    if L == "G":
        names = {1: ("AD", "BC"), 4: ("Anno Domini", "Before Christ"), 5: ("A", "B")}[c if c >= 4 else 1]
        regex, parse = _text(names, "era")
        return _Spec(regex, parse, lambda v: names[0] if _date(v).year > 0 else names[1])
    if L in "uyY":
        kind = "weekyear" if L == "Y" else "year"

        def year_of(v: _Temporal) -> int:
            d = _date(v)
            return d.isocalendar()[0] if L == "Y" else d.year

        if c == 2:

            def parse2(text: str) -> _Parsed:
                return ((kind + "2", 2000 + int(text)),)

            return _Spec(r"\d{2}", parse2, lambda v: f"{year_of(v) % 100:02d}")
        regex = r"[+-]?\d{1,19}" if c == 1 else (rf"\d{{{c}}}|[+-]\d{{{c + 1},19}}" if c >= 4 else rf"-?\d{{{c},19}}")

        def parse_year(text: str) -> _Parsed:
            year = int(text)
            if L == "y" and year < 1:  # year-of-era starts at 1
                raise ValueError(kind)
            return ((kind, year),)

        return _Spec(f"(?:{regex})", parse_year, lambda v: _pad(year_of(v), c))
    if L in "ML":
        if c <= 2:
            regex, parse = _num(c, 1, 12, "month", max_digits=2)
            return _Spec(regex, parse, lambda v: _pad(_date(v).month, c))
        if c == 3:
            regex, parse = _text(_MONTHS_SHORT, "month", extra={"Sept": 9})
            return _Spec(regex, parse, lambda v: _MONTHS_SHORT[_date(v).month - 1])
        if c == 4:
            regex, parse = _text(_MONTHS, "month")
            return _Spec(regex, parse, lambda v: _MONTHS[_date(v).month - 1])
        regex, parse = _ignore("[JFMASOND]")
        return _Spec(regex, parse, lambda v: _MONTHS[_date(v).month - 1][0])
    if L == "d":
        regex, parse = _num(c, 1, 31, "day", max_digits=2)
        return _Spec(regex, parse, lambda v: _pad(_date(v).day, c))
    if L == "D":
        regex, parse = _num(c, 1, 366, "doy", max_digits=3)
        return _Spec(regex, parse, lambda v: _pad(_date(v).timetuple().tm_yday, c))
    if L in "Qq":

        def quarter(v: _Temporal) -> int:
            return (_date(v).month - 1) // 3 + 1

        if c <= 2:
            regex, parse = _num(c, 1, 4, "quarter", max_digits=1 if c == 1 else 2)
            return _Spec(regex, parse, lambda v: _pad(quarter(v), c))
        if c == 3:
            regex, parse = _text(("Q1", "Q2", "Q3", "Q4"), "quarter")
            return _Spec(regex, parse, lambda v: f"Q{quarter(v)}")
        if c == 4:
            regex, parse = _text(_QUARTERS, "quarter")
            return _Spec(regex, parse, lambda v: _QUARTERS[quarter(v) - 1])
        regex, parse = _num(1, 1, 4, "quarter", max_digits=1)
        return _Spec(regex, parse, lambda v: str(quarter(v)))
    if L == "w":
        regex, parse = _num(c, 1, 53, "week", max_digits=2)
        return _Spec(regex, parse, lambda v: _pad(_date(v).isocalendar()[1], c))
    if L == "W":
        regex, parse = _num(1, 0, 6, "weekofmonth", max_digits=1)
        return _Spec(regex, parse, lambda v: str(_iso_week_of_month(_date(v))))
    if L == "F":
        regex, parse = _num(1, 1, 5, "alignedweek", max_digits=1)
        return _Spec(regex, parse, lambda v: str((_date(v).day - 1) // 7 + 1))
    if L in "Eec":
        if L != "E" and c <= 2:
            regex, parse = _num(c, 1, 7, "dow", max_digits=1 if c == 1 else 2)
            return _Spec(regex, parse, lambda v: _pad(_date(v).isoweekday(), c))
        if c <= 3:
            regex, parse = _text(_DAYS_SHORT, "dow")
            return _Spec(regex, parse, lambda v: _DAYS_SHORT[_date(v).weekday()])
        if c == 4:
            regex, parse = _text(_DAYS, "dow")
            return _Spec(regex, parse, lambda v: _DAYS[_date(v).weekday()])
        regex, parse = _ignore("[MTWFS]")
        return _Spec(regex, parse, lambda v: _DAYS[_date(v).weekday()][0])
    if L == "a":
        regex, parse = _text(("AM", "PM"), "ampm", base=0)
        return _Spec(regex, parse, lambda v: "AM" if _time(v).hour < 12 else "PM")
    if L in "hKkH":
        lo, hi, kind, conv = _HOUR_FIELDS[L]
        regex, parse = _num(c, lo, hi, kind, max_digits=2)
        return _Spec(regex, parse, lambda v: _pad(conv(_time(v).hour), c))
    if L == "m":
        regex, parse = _num(c, 0, 59, "minute", max_digits=2)
        return _Spec(regex, parse, lambda v: _pad(_time(v).minute, c))
    if L == "s":
        regex, parse = _num(c, 0, 59, "second", max_digits=2)
        return _Spec(regex, parse, lambda v: _pad(_time(v).second, c))
    if L == "S":
        regex, parse = _ignore(rf"\d{{{c}}}" if c else r"\d{1,9}")
        if c == 0:  # internal: ISO fraction, 1-9 digits, printed without zeros
            return _Spec(regex, parse, lambda v: f"{_time(v).microsecond:06d}".rstrip("0") or "0")
        return _Spec(regex, parse, lambda v: f"{_time(v).microsecond * 1000:09d}"[:c])
    if L in "AnN":
        hi, kind, value = _COUNT_FIELDS[L]
        regex, parse = _num(c, 0, hi, kind, max_digits=19)
        return _Spec(regex, parse, lambda v: _pad(value(_time(v)), c))
    if L == "X" or L == "x":
        zero = "Z" if L == "X" else None
        z_alt = "Z|" if L == "X" else ""
        regex = {
            1: r"[+-]\d{2}(?:\d{2})?",
            2: r"[+-]\d{4}",
            3: r"[+-]\d{2}:\d{2}",
            4: r"[+-]\d{4}(?:\d{2})?",
            5: r"[+-]\d{2}:\d{2}(?::\d{2})?",
        }[c]
        colon = c in (3, 5)
        minutes = "nonzero" if c == 1 else "always"
        secs = c in (4, 5)

        def fmt_x(v: _Temporal) -> str:
            off = _offset_seconds(v)
            return _format_offset(off, colon=colon, minutes=minutes, secs=secs, zero=zero if zero else None)

        return _Spec(f"(?:{z_alt}{regex})", _parse_offset, fmt_x)
    if L == "Z":
        if c <= 3:
            return _Spec(
                r"[+-]\d{4}",
                _parse_offset,
                lambda v: _format_offset(_offset_seconds(v), colon=False, minutes="always", secs=False, zero=None),
            )
        if c == 4:
            return _Spec(
                r"GMT(?:[+-]\d{2}:\d{2}(?::\d{2})?)?",
                _parse_offset,
                lambda v: "GMT" + _format_offset(_offset_seconds(v), colon=True, minutes="always", secs=True, zero=""),
            )
        return _Spec(
            r"(?:Z|[+-]\d{2}:\d{2}(?::\d{2})?)",
            _parse_offset,
            lambda v: _format_offset(_offset_seconds(v), colon=True, minutes="always", secs=True, zero="Z"),
        )
    if L == "O":
        if c == 1:

            def fmt_o(v: _Temporal) -> str:
                off = _offset_seconds(v)
                if off == 0:
                    return "GMT"
                sign = "-" if off < 0 else "+"
                h, rem = divmod(abs(off), 3600)
                m, s = divmod(rem, 60)
                return f"GMT{sign}{h}" + (f":{m:02d}" if m or s else "") + (f":{s:02d}" if s else "")

            return _Spec(r"GMT(?:[+-]\d{1,2}(?::\d{2}(?::\d{2})?)?)?", _parse_offset, fmt_o)
        return _Spec(
            r"GMT(?:[+-]\d{2}:\d{2}(?::\d{2})?)?",
            _parse_offset,
            lambda v: "GMT" + _format_offset(_offset_seconds(v), colon=True, minutes="always", secs=True, zero=""),
        )
    if L == "V":
        regex = rf"(?:{_ZONE_ID}|{_PREFIXED_OFFSET}|[+-]\d{{2}}:\d{{2}}(?::\d{{2}})?)"
        return _Spec(regex, lambda text: _parse_zone(text, False), _zone_id)
    # z and v: zone names (either style), region ids and GMT/UTC offsets
    regex = rf"(?:{_ZONE_ID}|{_PREFIXED_OFFSET}|{_FULL_ZONE_NAME})"
    return _Spec(regex, lambda text: _parse_zone(text, True), lambda v: _zone_name(v, full=c == 4))
