"""Tests for apact._javatime: Java DateTimeFormatter patterns."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apact._javatime import (
    ISO_DATE,
    ISO_DATETIME,
    ISO_TIME,
    JavaTimeError,
    looks_like_strftime,
    matches_iso_date,
    matches_iso_datetime,
    matches_iso_time,
    parse_pattern,
    strftime_to_java,
)

MATCHES = [
    (
        "yyyy-MM-dd",
        ["2023-02-28", "2024-02-29", "2000-02-29", "0001-01-01", "2023-12-31"],
        [
            "2023-02-29",
            "1900-02-29",
            "2023-02-30",
            "2023-13-01",
            "2023-00-10",
            "2023-04-31",
            "2023-1-01",
            "23-01-01",
            "2023-01-1",
            "2023/01/01",
            "2023-01-01 ",
            "0000-01-01",
            "",
        ],
    ),
    ("uuuu-MM-dd", ["0000-01-01"], ["2023-02-29"]),
    (
        "HH:mm:ss",
        ["00:00:00", "23:59:59", "12:30:05"],
        ["24:00:00", "12:60:00", "12:00:60", "1:00:00", "12:00", "12:00:00.1"],
    ),
    ("H:m:s", ["1:2:3", "01:02:03", "23:59:59"], ["24:0:0", "1:2:", "123:0:0"]),
    (
        "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
        ["2024-01-31T12:34:56.789Z", "2024-01-31T12:34:56.789+01:00", "2024-01-31T12:34:56.789-05:30"],
        [
            "2024-01-31T12:34:56.789+0100",
            "2024-01-31T12:34:56Z",
            "2024-01-31T12:34:56.78Z",
            "2024-01-31T12:34:56.789+19:00",
            "2024-01-31T12:34:56.789+01:60",
            "2024-01-31 12:34:56.789Z",
        ],
    ),
    (
        "EEE, dd MMM yyyy HH:mm:ss z",
        [
            "Mon, 01 Jan 2024 10:00:00 GMT",
            "Mon, 01 Jan 2024 10:00:00 PST",
            "Mon, 01 Jan 2024 10:00:00 UTC",
            "Mon, 01 Jan 2024 10:00:00 Europe/London",
            "Sun, 31 Dec 2023 23:59:59 Pacific Standard Time",
            "Mon, 01 Jan 2024 10:00:00 GMT+01:00",
        ],
        [
            "Tue, 01 Jan 2024 10:00:00 GMT",
            "mon, 01 Jan 2024 10:00:00 GMT",
            "Mon, 01 jan 2024 10:00:00 GMT",
            "Mon, 01 Jan 2024 10:00:00 XYZ",
            "Mon, 01 Jan 2024 10:00:00 Mars/Olympus",
            "Mon, 01 Jan 2024 10:00:00",
        ],
    ),
    ("dd/MM/yy", ["31/12/99", "29/02/04", "01/01/00"], ["29/02/01", "1/1/99", "31/12/1999"]),
    (
        "yyyy-MM-dd'T'HH:mm:ss[.SSS]X",
        ["2024-01-01T00:00:00Z", "2024-01-01T00:00:00.123Z", "2024-01-01T00:00:00+05", "2024-01-01T00:00:00+0530"],
        ["2024-01-01T00:00:00.12Z", "2024-01-01T00:00:00", "2024-01-01T00:00:00+05:30"],
    ),
    ("h:mm a", ["1:05 PM", "12:00 AM", "11:59 PM"], ["0:00 AM", "13:00 PM", "1:05 pm", "1:05"]),
    ("hh 'o''clock' a", ["03 o'clock PM"], ["3 o'clock PM", "03 oclock PM"]),
    ("K:mm a, k:mm", ["0:00 AM, 24:00"], ["12:00 AM, 0:00"]),
    ("HH:mm a", ["13:00 PM", "01:00 AM"], ["13:00 AM"]),
    ("MMMM d, yyyy", ["January 5, 2024", "September 30, 2024"], ["Jan 5, 2024", "February 30, 2024"]),
    ("MMM yyyy", ["Sep 2024", "Sept 2024", "May 2024"], ["September 2024"]),
    ("EEEE", ["Monday", "Sunday"], ["Mon", "Funday"]),
    ("yyyyMMddHHmmss", ["20240131235959"], ["2024013123595", "20241331000000"]),
    ("yMMdd", ["20240131", "240131"], ["0131"]),
    ("D yyyy", ["366 2024", "365 2023", "1 2023"], ["366 2023", "367 2024", "0 2024"]),
    ("DDD", ["001", "366"], ["1", "01"]),
    ("Q QQQ QQQQ", ["1 Q1 1st quarter", "4 Q4 4th quarter"], ["5 Q5 5th quarter"]),
    ("yyyy-'W'ww-e", ["2024-W01-1", "2024-W53-7"], ["2024-W54-1", "2024-W01-8"]),
    ("HH:mm:ss.SSSSSSSSS", ["10:00:00.123456789"], ["10:00:00.12345678"]),
    ("HH:mm:ss.n", ["10:00:00.0", "10:00:00.999999999"], ["10:00:00.1000000000"]),
    ("A", ["0", "86399999"], ["86400000"]),
    ("xx", ["+0000", "-0130"], ["Z", "+00:00"]),
    ("x", ["+00", "+0530"], ["Z"]),
    ("XX", ["Z", "+0530"], ["+05:30"]),
    ("XXXX", ["Z", "+053015"], ["+05"]),
    ("XXXXX", ["Z", "+05:30", "+05:30:15"], ["+0530"]),
    ("Z", ["+0000", "-0800"], ["Z", "-08:00"]),
    ("ZZZZ", ["GMT", "GMT+08:00"], ["UTC", "GMT+8"]),
    ("ZZZZZ", ["Z", "-08:00"], ["-0800"]),
    ("O", ["GMT", "GMT+8", "GMT-5:30"], ["UTC"]),
    ("OOOO", ["GMT", "GMT+08:00"], ["GMT+8"]),
    (
        "VV",
        ["Europe/London", "America/Argentina/Buenos_Aires", "UTC", "Z", "+01:00"],
        ["Europe/Nowhere", "PST", "Pacific Standard Time"],
    ),
    (
        "yyyy-MM-dd['T'HH:mm[:ss]]",
        ["2024-01-01", "2024-01-01T10:00", "2024-01-01T10:00:59"],
        ["2024-01-01T10", "2024-01-01T10:00:60"],
    ),
    ("G yyyy", ["AD 2024", "BC 0044"], ["CE 2024"]),
    ("GGGG", ["Anno Domini"], ["AD"]),
    ("MMMMM EEEEE", ["J M"], ["Jan Mon"]),
    ("'['yyyy']'", ["[2024]"], ["2024"]),
    ("yyyy.MM.dd G 'at' HH:mm:ss z", ["2001.07.04 AD at 12:08:56 PDT"], ["2001.07.04 AD at 12:08:56"]),
]


@pytest.mark.parametrize(("pattern", "good", "bad"), MATCHES)
def test_matches(pattern: str, good: list[str], bad: list[str]) -> None:
    jp = parse_pattern(pattern)
    for value in good:
        assert jp.matches(value), (pattern, value)
    for value in bad:
        assert not jp.matches(value), (pattern, value)


def test_matches_rejects_non_strings() -> None:
    assert not parse_pattern("yyyy").matches(2024)  # type: ignore[arg-type]


AWARE = dt.datetime(2024, 3, 5, 14, 7, 9, 123456, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))

FORMATS = [
    ("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", AWARE, "2024-03-05T14:07:09.123+01:00"),
    ("EEE, dd MMM yyyy HH:mm:ss z", AWARE, "Tue, 05 Mar 2024 14:07:09 CET"),
    ("EEEE d MMMM uuuu G", AWARE, "Tuesday 5 March 2024 AD"),
    ("h:mm a VV", AWARE, "2:07 PM Europe/Paris"),
    ("Q QQQ QQQQ w W e D", AWARE, "1 Q1 1st quarter 10 1 2 65"),
    ("xx x XX ZZZZ O OOOO ZZZZZ", AWARE, "+0100 +01 +0100 GMT+01:00 GMT+1 GMT+01:00 +01:00"),
    ("zzzz n A N", AWARE, "Central European Standard Time 123456000 50829123 50829123456000"),
    ("yyyy-MM-dd'T'HH:mm:ssX", dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc), "2024-01-01T00:00:00Z"),
    ("yyyy-MM-dd'T'HH:mm:ssx", dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc), "2024-01-01T00:00:00+00"),
    ("yyyy-MM-dd'T'HH:mm:ssXXX", dt.datetime(2024, 1, 1), "2024-01-01T00:00:00Z"),
    ("dd/MM/yy", dt.date(1999, 12, 31), "31/12/99"),
    ("yyyy-MM-dd['T'HH:mm]", dt.date(2024, 1, 2), "2024-01-02"),
    ("yyyy-MM-dd['T'HH:mm]", dt.datetime(2024, 1, 2, 3, 4), "2024-01-02T03:04"),
    ("HH:mm:ss", dt.time(23, 59, 58), "23:59:58"),
    ("hh 'o''clock' a", dt.time(15), "03 o'clock PM"),
    ("K k", dt.time(0), "0 24"),
    ("VV z", dt.datetime(2024, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))), "+05:30 UTC+05:30"),
]


@pytest.mark.parametrize(("pattern", "value", "expected"), FORMATS)
def test_format(pattern: str, value: dt.datetime | dt.date | dt.time, expected: str) -> None:
    jp = parse_pattern(pattern)
    assert jp.format(value) == expected
    assert jp.matches(expected)


def test_format_missing_fields() -> None:
    with pytest.raises(JavaTimeError, match="has no time fields"):
        parse_pattern("yyyy-MM-dd HH:mm").format(dt.date(2024, 1, 1))
    with pytest.raises(JavaTimeError, match="has no date fields"):
        parse_pattern("yyyy HH").format(dt.time(1))
    with pytest.raises(JavaTimeError, match="has no zone fields"):
        parse_pattern("yyyy VV").format(dt.date(2024, 1, 1))


ROUND_TRIP = [
    "yyyy-MM-dd",
    "HH:mm:ss",
    "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
    "EEE, dd MMM yyyy HH:mm:ss z",
    "dd/MM/yy",
    "yyyy-MM-dd'T'HH:mm:ss[.SSS]X",
    "h:mm:ss a",
    "EEEE, MMMM d, uuuu",
    "yyyyMMdd'T'HHmmssSSSSSS",
    "D HH:mm:ss.n Z",
    "KK:mm a O",
    "yyyy-MM-dd'T'HH:mm:ssZZZZZ '['VV']'",
    "Q/w/W/e/F G",
    "yyyy-MM-dd HH:mm:ss.SSSSSSSSS xxxxx",
    "zzzz k",
    "A N",
]


@settings(max_examples=300, deadline=None)
@given(
    pattern=st.sampled_from(ROUND_TRIP),
    value=st.datetimes(min_value=dt.datetime(1, 1, 1), timezones=st.one_of(st.none(), st.timezones())),
)
def test_format_parse_round_trip(pattern: str, value: dt.datetime) -> None:
    jp = parse_pattern(pattern)
    assert jp.matches(jp.format(value)), (pattern, value, jp.format(value))


@given(value=st.dates())
def test_date_round_trip(value: dt.date) -> None:
    assert matches_iso_date(parse_pattern(ISO_DATE).format(value))


@given(value=st.times())
def test_time_round_trip(value: dt.time) -> None:
    assert matches_iso_time(parse_pattern(ISO_TIME).format(value))


def test_iso_defaults() -> None:
    assert (ISO_DATE, ISO_TIME, ISO_DATETIME) == ("yyyy-MM-dd", "HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss")
    assert matches_iso_date("2024-02-29")
    assert not matches_iso_date("2023-02-29")
    for good in ["10:00", "10:00:00", "10:00:00.1", "10:00:00.123456789", "10:00:00Z", "10:00:00+01:00"]:
        assert matches_iso_time(good), good
    for bad in ["24:00:00", "10:00:00.", "10:00:00.1234567890", "10", "10:00:00 Z"]:
        assert not matches_iso_time(bad), bad
    for good in [
        "2024-01-01T10:00:00",
        "2024-01-01T10:00",
        "2024-01-01T10:00:00.5Z",
        "2024-01-01T10:00:00+01:00[Europe/Paris]",
        "2024-01-01T10:00:00-05:00",
    ]:
        assert matches_iso_datetime(good), good
    for bad in [
        "2024-01-01",
        "2024-01-01 10:00:00",
        "2024-02-30T10:00:00",
        "2024-01-01T10:00:00[Europe/Paris]",
        "2024-01-01T25:00:00",
    ]:
        assert not matches_iso_datetime(bad), bad


ERRORS = [
    ("yyyy-bb", r"'yyyy-bb': unknown pattern letter 'b' at position 5"),
    ("jj", r"unknown pattern letter 'j' at position 0"),
    ("MMMMMM", r"too many pattern letters 'MMMMMM' at position 0"),
    ("ddd", r"too many pattern letters 'ddd' at position 0"),
    ("HHH", r"too many pattern letters 'HHH'"),
    ("aa", r"too many pattern letters 'aa'"),
    ("SSSSSSSSSS", r"too many pattern letters"),
    ("V", r"invalid number of pattern letters 'V'"),
    ("yyyy-MM-dd'T", r"unterminated quoted literal starting at position 10"),
    ("yyyy[-MM", r"unclosed optional section '\[' at position 4"),
    ("yyyy]", r"unbalanced '\]' at position 4"),
    ("yyyy#", r"reserved character '#' at position 4"),
]


@pytest.mark.parametrize(("pattern", "message"), ERRORS)
def test_errors(pattern: str, message: str) -> None:
    with pytest.raises(JavaTimeError, match=message):
        parse_pattern(pattern)
    assert issubclass(JavaTimeError, ValueError)


def test_parse_is_cached() -> None:
    assert parse_pattern("yyyy-MM-dd") is parse_pattern("yyyy-MM-dd")
    assert parse_pattern("yyyy-MM-dd").pattern == "yyyy-MM-dd"


STRFTIME = [
    ("%Y-%m-%d", "yyyy-MM-dd"),
    ("%H:%M:%S", "HH:mm:ss"),
    ("%H:%M:%S.%f%z", "HH:mm:ss.SSSSSSxx"),
    ("%Y-%m-%dT%H:%M:%S", "yyyy-MM-dd'T'HH:mm:ss"),
    ("%a, %d %b %Y", "EEE, dd MMM yyyy"),
    ("%A %B %-d %I:%M %p", "EEEE MMMM d hh:mm a"),
    ("%d/%m/%y %Z", "dd/MM/yy z"),
    ("%j at %Hh", "DDD' at 'HH'h'"),
    ("100%% [%Y]", "'100% ['yyyy']'"),
    ("it's %Y", "'it''s 'yyyy"),
    ("%F %T", "yyyy-MM-dd HH:mm:ss"),
    ("%G-W%V-%u", "YYYY'-W'ww-e"),
]


@pytest.mark.parametrize(("fmt", "java"), STRFTIME)
def test_strftime_to_java(fmt: str, java: str) -> None:
    assert strftime_to_java(fmt) == java
    parse_pattern(java)


@pytest.mark.parametrize("fmt", ["%Y-%m-%d", "%H:%M:%S.%f%z", "%a, %d %b %Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S"])
def test_strftime_conversion_agrees_with_python(fmt: str) -> None:
    value = dt.datetime(2024, 7, 4, 9, 5, 3, 120000, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
    java = parse_pattern(strftime_to_java(fmt))
    assert java.format(value) == value.strftime(fmt)
    assert java.matches(value.strftime(fmt))


@pytest.mark.parametrize("fmt", ["%w", "%U", "%c", "%s", "%x", "%C", "%e", "%"])
def test_strftime_without_equivalent(fmt: str) -> None:
    with pytest.raises(JavaTimeError, match="no Java DateTimeFormatter equivalent"):
        strftime_to_java(fmt)


def test_looks_like_strftime() -> None:
    assert looks_like_strftime("%Y-%m-%d")
    assert looks_like_strftime("100%%")
    assert not looks_like_strftime("yyyy-MM-dd")
    assert not looks_like_strftime("yyyy '%'")
