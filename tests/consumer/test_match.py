"""The matcher DSL: examples, the rules written for V2/V3/V4, and what they accept."""

from __future__ import annotations

import datetime
import json

import pytest

from apact import generate, match, pactfile
from apact._core._types import JSON
from apact.consumer._terms import Term, compile_json, compile_text
from apact.errors import PactWriteError
from apact.matching import response_mismatches
from apact.model import Body, HttpResponse, Matcher, PactFile, Spec
from apact.pact import _parse

from ..json_helpers import tree

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100"
    "05fe02fe0000000049454e44ae426082"
)


def rules_of(value: object, spec: Spec = Spec.V4) -> dict[str, list[dict[str, JSON]]]:
    compiled = compile_json(value, spec, "$.body")
    return {path: [m.to_json() for m in rule_list.matchers] for path, rule_list in compiled.rules.items()}


def generators_of(value: object, spec: Spec = Spec.V4) -> dict[str, dict[str, JSON]]:
    return {path: g.to_json() for path, g in compile_json(value, spec, "$.body").generators.items()}


def check(body: object, actual: object, spec: Spec = Spec.V4) -> list[str]:
    """Mismatches of a response body ``actual`` against a pact body holding terms."""
    compiled = compile_json(body, spec, "$.body")
    expected = HttpResponse(
        200, None, Body.from_json(compiled.example), {"body": compiled.rules} if compiled.rules else {}
    )
    return [str(m) for m in response_mismatches(expected, HttpResponse(200, None, Body.from_json(tree(actual))), spec)]


# -- what each matcher writes ------------------------------------------------------------------

CASES = [
    (match.like("Alice"), "Alice", [{"match": "type"}]),
    (match.like([1, 2], min=1, max=5), [1, 2], [{"match": "type", "min": 1, "max": 5}]),
    (match.each_like("admin", min=2), ["admin", "admin"], [{"match": "type", "min": 2}]),
    (match.each_like({"id": 1}), [{"id": 1}], [{"match": "type", "min": 1}]),
    (match.regex(r"\d{5}", "12345"), "12345", [{"match": "regex", "regex": r"\d{5}"}]),
    (match.integer(10), 10, [{"match": "integer"}]),
    (match.decimal(1.5), 1.5, [{"match": "decimal"}]),
    (match.decimal(2), 2.0, [{"match": "decimal"}]),
    (match.number(3), 3, [{"match": "number"}]),
    (match.boolean(False), False, [{"match": "boolean"}]),
    (match.null(), None, [{"match": "null"}]),
    (match.string("x"), "x", [{"match": "type"}]),
    (match.equal("NZ"), "NZ", [{"match": "equality"}]),
    (match.includes("pact", "contract pact"), "contract pact", [{"match": "include", "value": "pact"}]),
    (match.includes("pact"), "pact", [{"match": "include", "value": "pact"}]),
    (match.semver("1.2.3"), "1.2.3", [{"match": "semver"}]),
    (match.not_empty("x"), "x", [{"match": "notEmpty"}]),
    (match.values({"a": 1}), {"a": 1}, [{"match": "values"}]),
    (
        match.each_key({"daily": 10}, match.regex("[a-z]+")),
        {"daily": 10},
        [{"match": "eachKey", "rules": [{"match": "regex", "regex": "[a-z]+"}]}],
    ),
    (
        match.each_value({"beta": True}, match.boolean()),
        {"beta": True},
        [{"match": "eachValue", "rules": [{"match": "boolean"}]}],
    ),
    (match.content_type("image/png", PNG), PNG, [{"match": "contentType", "value": "image/png"}]),
    (match.date("2024-05-06"), "2024-05-06", [{"match": "date", "format": "yyyy-MM-dd"}]),
    (match.time("07:30:00"), "07:30:00", [{"match": "time", "format": "HH:mm:ss"}]),
    (
        match.datetime("2024-01-02T03:04:05Z"),
        "2024-01-02T03:04:05Z",
        [{"match": "datetime", "format": "yyyy-MM-dd'T'HH:mm:ssXXX"}],
    ),
    (
        match.uuid("c0ffee00-1234-4abc-8def-0123456789ab"),
        "c0ffee00-1234-4abc-8def-0123456789ab",
        [
            {
                "match": "regex",
                "regex": "^([0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}|[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12})$",
            }
        ],
    ),
    (match.status_code("success"), 200, [{"match": "statusCode", "status": "success"}]),
    (match.status_code([200, 201], 201), 201, [{"match": "statusCode", "status": [200, 201]}]),
]


@pytest.mark.parametrize(
    ("term", "example", "written"), CASES, ids=lambda value: value.name if isinstance(value, Term) else ""
)
def test_each_matcher_writes_its_example_and_rule(
    term: Term, example: object, written: list[dict[str, object]]
) -> None:
    assert term.example == example
    assert type(term.example) is type(example)
    compiled = compile_json(term, Spec.V4, "$.body") if not isinstance(example, bytes) else None
    if compiled is not None:
        assert compiled.example == example
    assert [m.to_json() for m in term.rules] == written


def test_array_containing_writes_variants_with_rules_relative_to_each_item() -> None:
    term = match.array_containing([match.like({"id": match.integer(1)}), "admin"])
    assert term.example == [{"id": 1}, "admin"]
    assert rules_of({"roles": term}) == {
        "$.roles": [
            {
                "match": "arrayContains",
                "variants": [
                    {
                        "index": 0,
                        "rules": {
                            "$": {"matchers": [{"match": "type"}], "combine": "AND"},
                            "$.id": {"matchers": [{"match": "integer"}], "combine": "AND"},
                        },
                    },
                    {"index": 1, "rules": {}},
                ],
            }
        ]
    }
    assert check({"roles": term}, {"roles": ["x", {"id": 7, "extra": True}, "admin"]}) == []
    assert check({"roles": term}, {"roles": [{"id": "7"}, "admin"]}) == [
        '$.body.roles: expected the array to contain an item like {"id": 1} (variant 0), but none of its 2 items matches'
    ]


# -- nesting: where the rules go -------------------------------------------------------------------


def test_rules_nest_at_the_path_of_each_term() -> None:
    body = {
        "id": match.integer(42),
        "owner": match.like({"name": "Alice", "email": match.regex(r".+@.+", "a@b.c")}),
        "items": match.each_like({"sku": match.regex(r"[A-Z]+", "AB"), "qty": 1}, min=2),
        "plain": [match.integer(1), {"deep": match.boolean(True)}],
        "limits": match.values({"daily": match.integer(10)}),
        "odd key": match.like("x"),
    }
    assert rules_of(body) == {
        "$.id": [{"match": "integer"}],
        "$.owner": [{"match": "type"}],
        "$.owner.email": [{"match": "regex", "regex": ".+@.+"}],
        "$.items": [{"match": "type", "min": 2}],
        "$.items[*].sku": [{"match": "regex", "regex": "[A-Z]+"}],
        "$.plain[0]": [{"match": "integer"}],
        "$.plain[1].deep": [{"match": "boolean"}],
        "$.limits": [{"match": "values"}],
        "$.limits.*": [{"match": "integer"}],
        "$['odd key']": [{"match": "type"}],
    }
    assert compile_json(body, Spec.V4, "$.body").example == {
        "id": 42,
        "owner": {"name": "Alice", "email": "a@b.c"},
        "items": [{"sku": "AB", "qty": 1}, {"sku": "AB", "qty": 1}],
        "plain": [1, {"deep": True}],
        "limits": {"daily": 10},
        "odd key": "x",
    }


def test_nested_rules_are_checked_by_the_engine_with_their_messages() -> None:
    body = {
        "items": match.each_like({"sku": match.regex(r"[A-Z]+", "AB"), "qty": 1}),
        "limits": match.values({"daily": match.integer(10)}),
    }
    assert check(body, {"items": [{"sku": "X", "qty": 9}, {"sku": "Y", "qty": 2}], "limits": {"weekly": 70}}) == []
    assert check(body, {"items": [{"sku": "X", "qty": 9}, {"sku": "y1", "qty": "2"}], "limits": {"weekly": 7.5}}) == [
        '$.body.items[1].sku: expected a value matching /[A-Z]+/, got "y1" (string)',
        '$.body.items[1].qty: expected a number (like 1), got "2" (string)',
        "$.body.limits.weekly: expected an integer (like 10), got 7.5 (decimal)",
    ]
    assert check(body, {"items": [], "limits": {}}) == ["$.body.items: expected at least 1 item, got 0"]


@pytest.mark.parametrize(
    ("term", "good", "bad", "message"),
    [
        (match.integer(1), 5, 5.5, "expected an integer (like 1), got 5.5 (decimal)"),
        (match.decimal(1.5), 2.25, 2, "expected a decimal number (like 1.5), got 2 (integer)"),
        (match.number(1), 2.5, "2", 'expected a number (like 1), got "2" (string)'),
        (match.boolean(True), False, 1, "expected a boolean, got 1 (integer)"),
        (match.null(), None, 0, "expected null, got 0 (integer)"),
        (match.like("a"), "b", 1, 'expected a string (like "a"), got 1 (integer)'),
        (match.equal("NZ"), "NZ", "AU", 'expected "NZ", got "AU"'),
        (match.includes("pact"), "a pact!", "contract", 'expected a value including "pact", got "contract" (string)'),
        (match.semver("1.0.0"), "2.10.3-rc.1", "2.1", 'expected a semantic version (like 1.2.3), got "2.1" (string)'),
        (match.not_empty(["a"]), ["b", "c"], [], "expected a non-empty array, got []"),
        (
            match.date("2024-01-02"),
            "2025-12-31",
            "2025-13-01",
            "expected a date in the format 'yyyy-MM-dd', got \"2025-13-01\" (string)",
        ),
        (
            match.time("10:00", "%H:%M"),
            "23:59",
            "24:00",
            "expected a time in the format 'HH:mm', got \"24:00\" (string)",
        ),
        (
            match.uuid(format="simple"),
            "c0ffee0012344abc8def0123456789ab",
            "c0ffee00-1234",
            'expected a value matching /^[0-9a-fA-F]{32}$/, got "c0ffee00-1234" (string)',
        ),
        (match.each_like(1, max=2), [1, 2], [1, 2, 3], "expected at most 2 items, got 3"),
        (
            match.each_key({"ab": 1}, match.regex("[a-z]+")),
            {"xy": 2},
            {"X1": 2},
            'key "X1": expected a value matching /[a-z]+/, got "X1" (string)',
        ),
        (match.each_value({"a": True}, match.boolean()), {"b": False}, {"b": 1}, "expected a boolean, got 1 (integer)"),
    ],
    ids=lambda value: value.name if isinstance(value, Term) else None,
)
def test_each_matcher_accepts_other_values_of_its_kind_and_says_why_it_rejects(
    term: Term, good: object, bad: object, message: str
) -> None:
    assert check({"v": term}, {"v": term.example}) == []
    assert check({"v": term}, {"v": good}) == []
    assert [m.split(": ", 1)[1] for m in check({"v": term}, {"v": bad})] == [message]


# -- examples -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: match.integer("ten"),  # type: ignore[arg-type]
            'match.integer: the example "ten" does not fit its own rule: expected an integer (like "ten"), got "ten" (string)',
        ),
        (
            lambda: match.regex(r"\d+", "abc"),
            'match.regex: the example "abc" does not fit its own rule: expected a value matching /\\d+/, got "abc" (string)',
        ),
        (
            lambda: match.date("02/01/2024"),
            "match.date: the example \"02/01/2024\" does not fit its own rule: expected a date in the format 'yyyy-MM-dd'",
        ),
        (lambda: match.each_like(1, min=3, max=2), "match.each_like: min (3) is greater than max (2)"),
        (lambda: match.like([1], min=-1), "match.like: min must be a non-negative integer, got -1"),
        (lambda: match.regex("[0-9"), "match.regex: invalid regex '[0-9'"),
        (lambda: match.status_code("fine"), "match.status_code: unknown status group 'fine'"),
        # (the core cannot read a pact with it: "info" is the group's name)
        (lambda: match.status_code("information"), "match.status_code: unknown status group 'information'"),
        (
            lambda: match.status_code([200], 404),
            "match.status_code: the example 404 does not fit its own rule: expected one of the status codes 200, got 404",
        ),
        (
            lambda: match.content_type("image/png", b"GIF89a"),
            "does not fit its own rule: expected content of type image/png, got image/gif",
        ),
        (
            lambda: match.each_key({"AB": 1}, match.regex("[a-z]+")),
            'match.each_key: the example key "AB" does not fit the rules',
        ),
        (
            lambda: match.each_value({"a": match.integer(1)}, match.integer()),
            'match.each_value: the example value at "a" holds a matcher; give the rules for every value in rules= instead',
        ),
        (
            lambda: match.date(format="%Q"),
            "match.date: strftime format '%Q': directive %Q at position 0 has no Java DateTimeFormatter equivalent",
        ),
        (lambda: match.integer(min=5, max=1), "match.integer: min (5) is greater than max (1)"),
        (lambda: match.uuid(format="hex"), "match.uuid: unknown format 'hex'"),  # type: ignore[arg-type]
    ],
)
def test_a_bad_example_or_argument_fails_at_once_naming_the_matcher(make: object, message: str) -> None:
    with pytest.raises((ValueError, TypeError)) as raised:
        make()  # type: ignore[operator]
    assert message in str(raised.value)


def test_matchers_without_an_example_get_a_fixed_one_and_a_generator() -> None:
    body = {
        "id": match.integer(),
        "small": match.integer(min=5, max=9),
        "price": match.decimal(),
        "count": match.number(),
        "flag": match.boolean(),
        "name": match.string(size=4),
        "code": match.regex(r"[A-Z]{3}-\d{2}"),
        "uid": match.uuid(format="uppercase"),
        "day": match.date(format="%d/%m/%Y"),
        "at": match.time(),
        "when": match.datetime(),
        "version": match.semver(),
    }
    first = compile_json(body, Spec.V4, "$.body")
    assert compile_json(body, Spec.V4, "$.body").example == first.example  # the same every run
    example = first.example
    assert isinstance(example, dict)
    assert example["id"] == 1 and example["small"] == 5 and example["price"] == 12.34 and example["count"] == 42
    assert example["flag"] is True and example["name"] == "abcd"
    assert example["uid"] == "E2490DE5-5BD3-43D5-B7C4-526E33F71304"
    assert (example["day"], example["at"], example["when"]) == ("02/01/2024", "03:04:05", "2024-01-02T03:04:05Z")
    assert example["version"] == "1.0.0"
    assert check(body, example) == []  # generated examples fit their rules
    assert first.generators["$.code"].to_json() == {"type": "Regex", "regex": r"[A-Z]{3}-\d{2}"}
    assert {path: g.type for path, g in first.generators.items()} == {
        "$.id": "RandomInt",
        "$.small": "RandomInt",
        "$.price": "RandomDecimal",
        "$.count": "RandomInt",
        "$.flag": "RandomBoolean",
        "$.name": "RandomString",
        "$.code": "Regex",
        "$.uid": "Uuid",
        "$.day": "Date",
        "$.at": "Time",
        "$.when": "DateTime",
        "$.version": "Regex",
    }
    assert first.generators["$.small"].to_json() == {"type": "RandomInt", "min": 5, "max": 9}
    assert first.generators["$.day"].to_json() == {"type": "Date", "format": "dd/MM/yyyy"}
    assert first.generators["$.uid"].to_json() == {"type": "Uuid", "format": "upper-case-hyphenated"}


@pytest.mark.parametrize(
    ("call", "example", "written"),
    [
        (lambda: match.date(datetime.date(2024, 5, 6), "%d.%m.%Y"), "06.05.2024", "dd.MM.yyyy"),
        (lambda: match.date("06 May 2024", "dd MMM yyyy"), "06 May 2024", "dd MMM yyyy"),
        (lambda: match.time(datetime.time(7, 5), "%I:%M %p"), "07:05 AM", "hh:mm a"),
        (
            lambda: match.datetime(
                datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc), "%Y-%m-%dT%H:%M:%S%z"
            ),
            "2024-05-06T07:08:09+0000",
            "yyyy-MM-dd'T'HH:mm:ssxx",
        ),
        (
            lambda: match.datetime("2024-05-06 at 07:08", "yyyy-MM-dd 'at' HH:mm"),
            "2024-05-06 at 07:08",
            "yyyy-MM-dd 'at' HH:mm",
        ),
    ],
)
def test_dates_take_strftime_or_java_formats_and_write_java(call: object, example: str, written: str) -> None:
    term = call()  # type: ignore[operator]
    assert term.example == example
    assert term.rules[0].get("format") == written


# -- where terms may stand --------------------------------------------------------------------------


def test_text_places_take_terms_with_scalar_examples() -> None:
    assert compile_text("plain", Spec.V4, "$.headers.X") == ("plain", (), None)
    assert compile_text(3, Spec.V4, "$.query.page") == ("3", (), None)
    text, rules, generator = compile_text(match.integer(), Spec.V4, "$.query.page")
    assert (text, rules, generator) == ("1", (Matcher("integer"),), match.integer().generator)
    with pytest.raises(
        TypeError, match=r"\$\.headers\.X: expected text \(a string, number or match\.\* term\), got \[1\]"
    ):
        compile_text(match.each_like(1), Spec.V4, "$.headers.X")


def test_values_that_are_not_json_name_their_place() -> None:
    with pytest.raises(TypeError, match=r"\$\.body\.when: date is not JSON"):
        compile_json({"when": datetime.date(2024, 1, 2)}, Spec.V4, "$.body")
    with pytest.raises(TypeError, match=r"\$\.body\.a\[1\]: object keys must be strings, got 1"):
        compile_json({"a": [0, {1: "x"}]}, Spec.V4, "$.body")
    with pytest.raises(ValueError, match=r"\$\.body\.x: nan is not a JSON number"):
        compile_json({"x": float("nan")}, Spec.V4, "$.body")


# -- V2 -------------------------------------------------------------------------------------------


def test_v2_gets_the_closest_weaker_rule() -> None:
    body = {
        "i": match.integer(1),
        "d": match.decimal(1.5),
        "n": match.number(1),
        "b": match.boolean(True),
        "z": match.null(),
        "day": match.date("2024-01-02"),
        "inc": match.includes("a.b"),
        "eq": match.equal("x+y"),
        "ver": match.semver("1.2.3"),
        "ne": match.not_empty("x"),
        "nel": match.not_empty([1]),
        "each": match.each_like({"x": match.integer(1)}, min=2),
        "re": match.regex(r"\d+", "1"),
        "gen": match.integer(),  # its generator is apact's own: left out
    }
    assert rules_of(body, Spec.V2) == {
        "$.i": [{"match": "type"}],
        "$.d": [{"match": "type"}],
        "$.n": [{"match": "type"}],
        "$.b": [{"match": "type"}],
        "$.z": [{"match": "type"}],
        "$.day": [{"match": "type"}],
        "$.inc": [{"match": "regex", "regex": r"^[\s\S]*a\.b[\s\S]*$"}],
        "$.eq": [{"match": "regex", "regex": r"^x\+y$"}],
        "$.ver": [{"match": "regex", "regex": match._SEMVER}],
        "$.ne": [{"match": "regex", "regex": r"^[\s\S]+$"}],
        "$.nel": [{"match": "type", "min": 1}],
        "$.each": [{"match": "type", "min": 2}],
        "$.each[*].x": [{"match": "type"}],
        "$.re": [{"match": "regex", "regex": r"\d+"}],
        "$.gen": [{"match": "type"}],
    }
    assert generators_of(body, Spec.V2) == {}
    example = compile_json(body, Spec.V2, "$.body").example
    assert check(body, example, Spec.V2) == []
    assert check(body, {**example, "inc": "xa.by", "eq": "x+y", "ver": "0.1.0"}, Spec.V2) == []  # type: ignore[dict-item]
    assert check(body, {**example, "inc": "ab", "eq": "xxy"}, Spec.V2) == [  # type: ignore[dict-item]
        r'$.body.inc: expected a value matching /^[\s\S]*a\.b[\s\S]*$/, got "ab" (string)',
        r'$.body.eq: expected a value matching /^x\+y$/, got "xxy" (string)',
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            {"v": match.values({"a": 1})},
            r"\$\.body\.v: match\.values needs spec V3 or later \(this pact is V2: use Pact\(\.\.\., spec='V3'\)\)",
        ),
        ({"v": match.each_key({"a": 1}, match.regex("[a-z]"))}, "match.each_key needs spec V3"),
        ({"v": match.each_value({"a": 1}, match.integer())}, "match.each_value needs spec V3"),
        ({"v": match.array_containing([1])}, "match.array_containing needs spec V3"),
        ({"v": match.equal(1)}, "match.equal on a value that is not a string needs spec V3"),
        ({"v": match.not_empty({"a": 1})}, "match.not_empty on a value that is not a string or an array needs spec V3"),
        ({"v": match.status_code("success")}, "match.status_code needs spec V3"),
        ({"v": generate.uuid()}, r"\$\.body\.v: generate\.uuid: generators need spec V3 or later"),
        ({"v": match.integer(1, generator=generate.integer())}, "match.integer: generators need spec V3"),
    ],
)
def test_v2_refuses_what_it_cannot_say(value: object, message: str) -> None:
    with pytest.raises(PactWriteError, match=message):
        compile_json(value, Spec.V2, "$.body")


# -- the written pact reads back the same --------------------------------------------------------------


@pytest.mark.parametrize("spec", [Spec.V2, Spec.V3, Spec.V4])
def test_rules_written_to_a_pact_file_read_back_identical(spec: Spec) -> None:
    from apact import Pact

    body: dict[str, object] = {
        "id": match.integer(42),
        "tags": match.each_like({"n": match.regex(r"\d+", "1")}),
        "when": match.datetime(),
        "inc": match.includes("x"),
    }
    if spec >= Spec.V3:
        body |= {
            "v": match.values({"a": match.integer(1)}),
            "u": generate.uuid(),
            "k": match.each_key({"ab": 1}, match.regex("[a-z]+")),
        }
    pact = Pact("c", "p", spec=spec.label, pact_dir=None)  # type: ignore[arg-type]
    builder = (
        pact.upon_receiving("r")
        .with_request(
            "GET",
            match.regex(r"/items/\d+", "/items/1"),
            query={"page": match.integer(2)},
            headers={"X-Id": match.uuid()},
        )
        .will_respond_with(200, headers={"ETag": match.regex(r'"\w+"', '"abc"')}, body=body)
    )
    assert builder.slot is not None
    built = pact.mock.interactions[builder.slot]
    text = pactfile.dumps(PactFile("c", "p", (built,), spec))
    document = json.loads(text)
    again = _parse.parse_interaction(document["interactions"][0], spec, "$.interactions[0]")
    assert again.request.matching_rules == built.request.matching_rules  # type: ignore[union-attr]
    assert again.response.matching_rules == built.response.matching_rules  # type: ignore[union-attr]
    assert again.response.generators == built.response.generators  # type: ignore[union-attr]
    assert again.response.body.json() == built.response.body.json()  # type: ignore[union-attr]
