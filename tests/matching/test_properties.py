"""Properties of the matching engine, checked with hypothesis.

* any JSON value matches itself under equality;
* a value generated from a matcher's example and rules matches that matcher;
* no input makes the engine raise anything but our own error type.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from apact import _javatime, _regex
from apact.errors import PactFileError
from apact.matching import match_message, match_request, match_response

SPECS = st.sampled_from(["1.0.0", "1.1.0", "2.0.0", "3.0.0", "4.0"])
KEYS = st.text(min_size=1, max_size=8)
SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20)
)
JSON_VALUES: st.SearchStrategy[Any] = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4), max_leaves=25
)


def _body(value: object, spec: str) -> object:
    if spec == "4.0":
        return {"contentType": "application/json", "encoded": False, "content": value}
    return value


@given(value=JSON_VALUES, spec=SPECS)
@example(value="NaN", spec="2.0.0")  # (a string body that Python's json, not JSON, reads as a number)
@example(value="-Infinity", spec="3.0.0")
def test_any_json_body_matches_itself(value: object, spec: str) -> None:
    headers = {"Content-Type": "application/json"}
    request = {"method": "POST", "path": "/", "headers": headers, "body": _body(value, spec)}
    assert match_request(request, request, spec) == []
    response = {"status": 200, "headers": headers, "body": _body(value, spec)}
    assert match_response(response, response, spec) == []


@given(value=JSON_VALUES, spec=st.sampled_from(["3.0.0", "4.0"]))
def test_any_json_message_matches_itself(value: object, spec: str) -> None:
    message = {"contents": _body(value, spec), "metadata": {"contentType": "application/json"}}
    assert match_message(message, message, spec) == []


@given(
    headers=st.dictionaries(
        st.from_regex(r"X-[A-Za-z]{1,8}", fullmatch=True), st.from_regex(r"[ -~]{0,12}", fullmatch=True), max_size=4
    ),
    query=st.dictionaries(
        st.from_regex(r"[a-z]{1,6}", fullmatch=True), st.lists(st.text(max_size=6), min_size=1, max_size=3), max_size=4
    ),
    spec=st.sampled_from(["3.0.0", "4.0"]),
)
def test_any_headers_and_query_match_themselves(headers: dict[str, Any], query: dict[str, Any], spec: str) -> None:
    request = {"method": "GET", "path": "/x", "headers": headers, "query": query}
    assert match_request(request, request, spec) == []


# -- values generated from matchers -------------------------------------------------------

PATTERNS = [
    r"\d+",
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    r"[A-Z]{3}-\d{1,4}",
    r"(red|green|blue)",
    r"\w+@\w+\.com",
    r"\d{4}-\d{2}-\d{2}",
]
DATE_FORMATS = ["yyyy-MM-dd", "dd/MM/yyyy", "EEE, d MMM yyyy"]
TIME_FORMATS = ["HH:mm:ss", "hh:mm a", "HH:mm:ss.SSS"]
DATETIME_FORMATS = ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "yyyy-MM-dd HH:mm:ssZ"]
TIMEZONES = st.sampled_from(
    [
        datetime.timezone.utc,
        datetime.timezone(datetime.timedelta(hours=2)),
        datetime.timezone(datetime.timedelta(hours=-5, minutes=-30)),
    ]
)
DATETIMES = st.datetimes(
    min_value=datetime.datetime(1900, 1, 1), max_value=datetime.datetime(2999, 12, 31), timezones=TIMEZONES
)


@st.composite
def rule_example_value(draw: st.DrawFn) -> tuple[dict[str, Any], object, object]:
    """(matcher, example, an actual value that satisfies the matcher)."""
    kind = draw(
        st.sampled_from(
            [
                "type",
                "integer",
                "decimal",
                "number",
                "boolean",
                "null",
                "regex",
                "include",
                "date",
                "time",
                "datetime",
                "semver",
                "notEmpty",
                "equality",
                "eachLike",
            ]
        )
    )
    if kind == "type":
        example = draw(SCALARS)
        same = {
            type(None): st.none(),
            bool: st.booleans(),
            int: st.integers(),
            float: st.floats(allow_nan=False, allow_infinity=False),
            str: st.text(max_size=20),
        }[type(example)]
        return {"match": "type"}, example, draw(same)
    if kind == "integer":
        return {"match": "integer"}, draw(st.integers()), draw(st.integers())
    if kind == "decimal":
        value = draw(st.floats(allow_nan=False, allow_infinity=False))
        return {"match": "decimal"}, 1.5, value
    if kind == "number":
        return {"match": "number"}, 1, draw(st.integers() | st.floats(allow_nan=False, allow_infinity=False))
    if kind == "boolean":
        return {"match": "boolean"}, True, draw(st.booleans())
    if kind == "null":
        return {"match": "null"}, None, None
    if kind == "regex":
        pattern = draw(st.sampled_from(PATTERNS))
        rng = random.Random(draw(st.integers(0, 2**32)))
        return (
            {"match": "regex", "regex": pattern},
            _regex.generate_string(pattern, rng),
            _regex.generate_string(pattern, rng),
        )
    if kind == "include":
        needle = draw(st.text(min_size=1, max_size=5))
        return (
            {"match": "include", "value": needle},
            needle,
            draw(st.text(max_size=5)) + needle + draw(st.text(max_size=5)),
        )
    if kind in ("date", "time", "datetime"):
        formats = {"date": DATE_FORMATS, "time": TIME_FORMATS, "datetime": DATETIME_FORMATS}[kind]
        fmt = draw(st.sampled_from(formats))
        moment = draw(DATETIMES)
        moment_or_day = moment.date() if kind == "date" else moment
        java = _javatime.parse_pattern(fmt)
        return {"match": kind, "format": fmt}, java.format(moment_or_day), java.format(moment_or_day)
    if kind == "semver":
        numbers = draw(st.lists(st.integers(0, 999), min_size=3, max_size=3))
        return {"match": "semver"}, "1.0.0", ".".join(map(str, numbers))
    if kind == "notEmpty":
        # a non-empty value of the example's type (an array example also asks for its type)
        typed: list[tuple[Any, st.SearchStrategy[Any]]] = [
            ("x", st.text(min_size=1)),
            (1, st.integers()),
            ([1], st.lists(st.integers(), min_size=1)),
        ]
        example, values = draw(st.sampled_from(typed))
        return {"match": "notEmpty"}, example, draw(values)
    if kind == "equality":
        same = draw(JSON_VALUES)
        return {"match": "equality"}, same, same
    low = draw(st.integers(0, 3))
    items = draw(st.lists(st.integers(), min_size=low, max_size=low + 4))
    return {"match": "type", "min": low}, [0], items


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=300)
@given(case=rule_example_value(), spec=st.sampled_from(["3.0.0", "4.0"]))
def test_values_generated_from_a_matcher_match_it(case: tuple[dict[str, Any], object, object], spec: str) -> None:
    rule, example, value = case
    rules = {"body": {"$.v": {"matchers": [rule]}}}
    expected = {
        "status": 200,
        "headers": {"Content-Type": "application/json"},
        "body": _body({"v": example}, spec),
        "matchingRules": rules,
    }
    actual = {"status": 200, "headers": {"Content-Type": "application/json"}, "body": _body({"v": value}, spec)}
    assert match_response(expected, actual, spec) == []


# -- robustness ---------------------------------------------------------------------------------

ANYTHING = st.recursive(
    SCALARS | st.sampled_from(["$", "$.a", "$[*]", "type", "regex", "body", "header", "matchers", "[(", "\\d+"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "method",
                    "path",
                    "query",
                    "headers",
                    "body",
                    "status",
                    "matchingRules",
                    "generators",
                    "contents",
                    "metadata",
                    "metaData",
                    "content",
                    "contentType",
                    "encoded",
                    "match",
                    "regex",
                    "min",
                    "max",
                    "matchers",
                    "combine",
                    "$.body",
                    "$.a",
                    "body",
                    "header",
                    "query",
                    "x",
                ]
            )
            | KEYS,
            inner,
            max_size=5,
        )
    ),
    max_leaves=30,
)


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=400)
@given(
    expected=ANYTHING,
    actual=ANYTHING,
    spec=SPECS,
    which=st.sampled_from([match_request, match_response, match_message]),
)
def test_no_input_raises_anything_but_our_error(expected: object, actual: object, spec: str, which: object) -> None:
    try:
        result = which(expected, actual, spec)  # type: ignore[operator]
    except PactFileError:
        return
    assert isinstance(result, list)


@settings(max_examples=200)
@given(
    rules=st.dictionaries(
        st.sampled_from(["$", "$.a", "$.a[*]", "$.*", "$.a.b", "$[0]", "$['a']"]),
        st.builds(
            lambda match, extra: {"matchers": [{"match": match, **extra}]},
            st.sampled_from(
                [
                    "type",
                    "regex",
                    "integer",
                    "decimal",
                    "number",
                    "boolean",
                    "null",
                    "include",
                    "values",
                    "eachKey",
                    "eachValue",
                    "arrayContains",
                    "notEmpty",
                    "semver",
                    "date",
                    "equality",
                    "contentType",
                    "statusCode",
                ]
            ),
            st.fixed_dictionaries(
                {},
                optional={
                    "min": st.integers(-1, 3),
                    "max": st.integers(0, 3),
                    "regex": st.sampled_from(["\\d+", "[", "(a+)+$"]),
                    "value": SCALARS,
                    "format": st.sampled_from(["yyyy", "qqqqqq", "HH"]),
                    "rules": st.lists(st.just({"match": "integer"}), max_size=1),
                    "variants": st.just([{"index": 0, "rules": {}}]),
                    "status": st.sampled_from(["success", "nope", 200]),
                },
            ),
        ),
        max_size=3,
    ),
    body=JSON_VALUES,
    other=JSON_VALUES,
    spec=st.sampled_from(["3.0.0", "4.0"]),
)
def test_random_rules_over_random_bodies_never_crash(
    rules: dict[str, Any], body: object, other: object, spec: str
) -> None:
    expected = {
        "status": 200,
        "headers": {"Content-Type": "application/json"},
        "body": _body(body, spec),
        "matchingRules": {"body": rules},
    }
    actual = {"status": 200, "headers": {"Content-Type": "application/json"}, "body": _body(other, spec)}
    try:
        match_response(expected, actual, spec)
    except PactFileError:
        pass


def test_hostile_regex_is_bounded() -> None:
    rules = {"body": {"$.v": {"matchers": [{"match": "regex", "regex": "(a+)+$"}]}}}
    expected = {"status": 200, "body": {"v": "aaa"}, "matchingRules": rules}
    actual = {"status": 200, "body": {"v": "a" * 5000 + "!"}}
    mismatches = match_response(expected, actual, "3.0.0")  # would take forever with plain `re`
    assert [m.path for m in mismatches] == ["$.body.v"]


def _retyped(value: object, rng: random.Random) -> object:
    """``value`` rebuilt with its keys in another order and, sometimes, one number or
    boolean swapped for an equal value of another JSON type (``1`` / ``1.0`` / ``true``)."""
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {key: _retyped(item, rng) for key, item in items}
    if isinstance(value, list):
        return [_retyped(item, rng) for item in value]
    if rng.random() < 0.2:
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return float(value)
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            return int(value)
    return value


def _typed_equal(one: object, two: object) -> bool:
    """The reference: JSON equality, one value at a time."""
    if type(one) is not type(two):
        return False
    if isinstance(one, dict) and isinstance(two, dict):
        return one.keys() == two.keys() and all(_typed_equal(one[key], two[key]) for key in one)
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(_typed_equal(a, b) for a, b in zip(one, two))
    return bool(one == two)


@given(value=JSON_VALUES, seed=st.integers(0, 2**32))
def test_equality_tells_json_types_apart_in_any_key_order(value: object, seed: int) -> None:
    """The engine's equality (Python's ``==`` first, then the types level by level)
    agrees with a plain typed comparison, whatever the key order of the actual body."""
    actual = _retyped(value, random.Random(seed))
    headers = {"Content-Type": "application/json"}
    expected_response = {"status": 200, "headers": headers, "body": {"doc": value}}
    actual_response = {"status": 200, "headers": headers, "body": {"doc": actual}}
    mismatches = match_response(expected_response, actual_response, "3.0.0")
    assert (mismatches == []) == _typed_equal(value, actual), mismatches
