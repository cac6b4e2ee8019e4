"""Tests for apact._regex: translation, bounded matching, the NFA, generation."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apact._regex import RegexError, _nfa_engines, compile_regex, generate_string, translate


def nfa(pattern: str, value: str) -> tuple[bool, bool]:
    search, full = _nfa_engines(pattern)
    return search.run(value), full.run(value)


def py(pattern: str, value: str) -> tuple[bool, bool]:
    compiled = re.compile(translate(pattern))
    return compiled.search(value) is not None, compiled.fullmatch(value) is not None


# --- the NFA agrees with re ---------------------------------------------------

CASES = [
    (r"\d+", ["", "abc", "a1", "123", "12a", "\u0663"]),
    (r"^[a-z]+$", ["", "abc", "abC", "abc\n", "\nabc", "ab c"]),
    (
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        [
            "123e4567-e89b-12d3-a456-426614174000",
            "123e4567-e89b-12d3-a456-42661417400",
            "x123e4567-e89b-12d3-a456-426614174000y",
            "123E4567-e89b-12d3-a456-426614174000",
        ],
    ),
    (r"(?i)^[0-9A-F]{2}$", ["ab", "AB", "aG", "1f"]),
    (r"a.c", ["abc", "a\nc", "ac", "xxabcxx"]),
    (r"(?s)a.c", ["a\nc", "abc"]),
    (r"(?m)^b$", ["a\nb\nc", "a\nbc", "b", "ab"]),
    (r"b$", ["ab", "ab\n", "ab\n\n", "b\nb"]),
    (r"b\Z", ["ab", "ab\n"]),
    (r"\Aab", ["ab", "cab"]),
    (r"\bfoo\b", ["foo", "a foo b", "foobar", "_foo", "éfoo", ""]),
    (r"(?a)\bfoo\b", ["éfoo", "éfooé", "1foo"]),
    (r"\Bo\B", ["foo", "o", "boo", "fob"]),
    (r"\b", ["", " ", "a"]),
    (r"\B", ["", " ", "a"]),
    (r"(foo|bar)+", ["", "foo", "foobar", "fo", "barfoobarx", "xbar"]),
    (r"a{2,4}", ["a", "aa", "aaaa", "aaaaa"]),
    (r"^a{2,4}$", ["a", "aa", "aaaa", "aaaaa"]),
    (r"^(ab|a)(bc|c)?$", ["ab", "abc", "abbc", "ac", "a"]),
    (r"[^\d\s]+", ["12 3", "a", " "]),
    (r"[\w.+-]+@[\w-]+\.[\w.-]+", ["john.doe@example.com", "@example.com", "a@b", "a@b.c"]),
    (r"(?i)straße", ["STRASSE", "Straße", "STRAßE"]),
    (r"(?i)[k]", ["K", "k", "\u212a"]),
    (r"(?i)\u017f", ["s", "S", "\u017f"]),
    (r"(a*)*b", ["aaab", "aaaa", "b", ""]),
    (r"(a|b|)+c", ["abc", "c", "ab"]),
    (r"x*", ["", "y"]),
    (r"^$", ["", "\n", "a"]),
    (r"(?m)$", ["", "\n"]),
    (r"\W\S\D", ["!a1", "!aa", " a "]),
    (r"[^a]", ["", "a", "b", "\n"]),
    (r"\p{Alpha}+\P{Digit}", ["ab!", "ab1"]),
    (r"\p{L}\p{Lu}", ["aÉ", "aé", "1A"]),
]


@pytest.mark.parametrize(("pattern", "values"), CASES)
def test_nfa_agrees_with_re(pattern: str, values: list[str]) -> None:
    for value in values:
        assert nfa(pattern, value) == py(pattern, value), (pattern, value)
        regex = compile_regex(pattern)
        assert (regex.search(value), regex.fullmatch(value)) == py(pattern, value)


_ATOMS = st.sampled_from(
    [
        "a",
        "b",
        "ab",
        ".",
        "[ab]",
        "[^a]",
        "[a-c]",
        r"\d",
        r"\w",
        r"\s",
        r"\W",
        r"\S",
        r"\b",
        r"\B",
        "^",
        "$",
        r"\A",
        r"\z",
        r"\n",
        "é",
        "A",
        "(?:)",
        "[^\\W\\d]",
    ]
)


def _patterns() -> st.SearchStrategy[str]:
    def extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        quantifier = st.sampled_from(["*", "+", "?", "{2}", "{1,3}", "{0,2}", "*?", "+?", "{2,}"])
        return st.one_of(
            st.tuples(children, children).map("".join),
            st.tuples(children, children).map(lambda t: f"{t[0]}|{t[1]}"),
            children.map(lambda s: f"({s})"),
            children.map(lambda s: f"(?:{s})"),
            st.tuples(children, quantifier).map(lambda t: f"(?:{t[0]}){t[1]}"),
        )

    body = st.recursive(_ATOMS, extend, max_leaves=8)
    flags = st.sampled_from(["", "(?i)", "(?s)", "(?m)", "(?a)", "(?im)", "(?is)"])
    return st.tuples(flags, body).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pattern=_patterns(), values=st.lists(st.text(alphabet="ab\n _1Aé", max_size=8), max_size=4))
def test_nfa_property_matches_re(pattern: str, values: list[str]) -> None:
    try:
        compiled = re.compile(translate(pattern))
    except re.error:
        return
    search, full = _nfa_engines(pattern)
    for value in values:
        assert search.run(value) == (compiled.search(value) is not None), (pattern, value)
        assert full.run(value) == (compiled.fullmatch(value) is not None), (pattern, value)


def test_dfa_cache_flush_keeps_results_correct(monkeypatch: pytest.MonkeyPatch) -> None:
    import apact._regex as mod

    monkeypatch.setattr(mod, "_MAX_DFA_STATES", 3)
    monkeypatch.setattr(mod, "_MAX_DFA_TRANSITIONS", 5)
    pattern = r"(a|b)*a(a|b){3}c"
    search, full = _nfa_engines(pattern)
    rnd = random.Random(1)
    for _ in range(50):
        value = "".join(rnd.choice("abc") for _ in range(rnd.randint(0, 30)))
        assert (search.run(value), full.run(value)) == py(pattern, value)


# --- hostile patterns are bounded ----------------------------------------------

HOSTILE = [
    (r"(a+)+$", "a" * 50_000 + "!", False, False),
    (r"^(a+)+$", "a" * 50_000 + "!", False, False),
    (r"(a|a)*b", "a" * 50_000, False, False),
    (r"(a|aa)*b", "a" * 50_000, False, False),
    (r"(\w+\s?)*$", "hello world " * 5_000 + "!", True, False),
    (r"^(\w+\s?)*$", "hello world " * 5_000 + "!", False, False),
    (r"(.*a){20}", "a" * 19 + "b" * 50_000, False, False),
    (r"(.*a){20}", "a" * 20 + "b" * 50_000, True, False),
    (r"\s*\s*\s*$", " " * 50_000 + "x", True, False),
    (r"^\s*\s*\s*$", " " * 50_000 + "x", False, False),
    (r"\s*$", " " * 200_000 + "x", True, False),
    (r"a*b", "a" * 200_000, False, False),
    (r"(x+x+)+y", "x" * 50_000, False, False),
    (r"^(([a-z])+.)+[A-Z]([a-z])+$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", False, False),
    (r"(\d+)*\.", "1" * 50_000, False, False),
]


# Nested optional repeats: exponential for re although every count is small
# (security review, issue 11).
NESTED_OPTIONAL = [
    (r"(?:a?){30}a{30}", "a" * 100 + "!", True, False),
    (r"(?:a?){30}", "a" * 100 + "!", True, False),
    (r"(?:a?a?){20}b", "a" * 100, False, False),
    (r"(?:\w?){30}\w{30}", "a" * 100 + "!", True, False),
    (r"(?:a?){40}a{40}", "a" * 100 + "!", True, False),
    (r"^(?:a?){30}a{30}$", "a" * 60, True, True),
    # a repeat of a body that can match empty iterates once more than `lo` for nothing
    (r"^(?:(?:(?:){3,8}){20}){1,3}", "a ", True, False),
    (r"(?:(?:){1,2}){18}x", "a" * 30, False, False),
    (r"(?:a(?:){0,1})*c", "a" * 5_000, False, False),
]


def test_repeats_nested_in_repeats_cost_what_re_pays_for_them() -> None:
    # Linear for re, but at ~1 us per character (re saves the inner repeat's state on
    # every iteration): long values go to the automaton...
    regex = compile_regex(r"(?:a(?:bc)?)*c")
    assert 100 < regex._fullmatch_limit < 100_000
    assert not regex.fullmatch("a" * 1_000_000)
    # ...while a single repeat of a group stays on re.
    assert compile_regex(r"(?:ab)*c")._fullmatch_limit == 2**63 - 1


@pytest.mark.timeout(10)
@pytest.mark.parametrize(("pattern", "value", "found", "whole"), HOSTILE + NESTED_OPTIONAL)
def test_hostile_patterns_finish(pattern: str, value: str, found: bool, whole: bool) -> None:
    regex = compile_regex(pattern)
    assert regex.search(value) is found
    assert regex.fullmatch(value) is whole


@pytest.mark.timeout(10)
def test_huge_value_on_simple_patterns() -> None:
    value = "x" * 10_000_000
    assert compile_regex(r"^x+$").fullmatch(value)
    assert not compile_regex(r"\d").search(value)
    assert compile_regex(r"x{3}$").search(value)


@pytest.mark.timeout(10)
def test_nfa_path_on_one_megabyte() -> None:
    value = "ab " * 350_000
    regex = compile_regex(r"^(\w+\s?)*$")
    assert regex.fullmatch(value)
    assert not regex.fullmatch(value + "!")


def test_backtracking_only_features() -> None:
    # Cheap patterns with lookarounds/backreferences run on re.
    password = compile_regex(r"^(?=.*\d)(?=.*[a-z]).{8,}$")
    assert password.fullmatch("abcdefg1")
    assert not password.fullmatch("abcdefgh")
    assert password.fullmatch("a1" * 100_000)
    assert compile_regex(r"(\w)\1").search("hello")
    # Catastrophic ones are refused up front...
    with pytest.raises(RegexError, match="backreferences.*not bounded"):
        compile_regex(r"^(a+)+\1$")
    with pytest.raises(RegexError, match="lookaround"):
        compile_regex(r"((?=a)a+)+$")
    # ...and polynomial ones refuse values beyond their bound.
    regex = compile_regex(r"(\d+)-\1")
    assert regex.search("x 12-12")
    assert regex.fullmatch("1" * 100_000 + "-" + "1" * 100_000)
    with pytest.raises(RegexError, match="cannot be evaluated in bounded time.*backreferences"):
        regex.search("1" * 100_000)


def test_safe_patterns_use_re_at_any_length() -> None:
    for pattern in [
        r"^[a-z]+$",
        r"\d{4}-\d{2}-\d{2}",
        r"^[\w.+-]+@[\w-]+\.[\w.-]+$",
        r"\d+",
        r"(foo|bar)+",
        r"\w{1,100000}",
        r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
    ]:
        regex = compile_regex(pattern)
        assert regex._search_limit == regex._fullmatch_limit == 2**63 - 1, pattern
        assert regex._search_engine is None


def test_polynomial_patterns_limit_re_and_fall_back() -> None:
    regex = compile_regex(r"a*b")  # quadratic for re.search on "aaaa..."
    assert 100 < regex._search_limit < 10_000
    assert regex._search_engine is not None
    assert not regex.search("a" * 100_000)
    assert regex.search("a" * 100_000 + "b")


def test_oversized_nfa_is_refused_only_beyond_the_re_bound() -> None:
    regex = compile_regex(r"[ab]{1,60000}c")
    assert regex.search("xx abc")
    with pytest.raises(RegexError, match="expand beyond"):
        regex.search("a" * 5_000)


# --- translation ----------------------------------------------------------------

TRANSLATIONS = [
    (r"(?<year>\d{4})-(?<m>\d\d)", r"(?P<year>\d{4})-(?P<m>\d\d)"),
    (r"(?<=a)b(?<!c)", r"(?<=a)b(?<!c)"),
    (r"abc\z", r"abc\Z"),
    (r"abc\Z", r"abc$"),
    (r"(?m)abc\Z", r"(?m)abc(?=\n?\Z)"),
    (r"\p{Digit}+", r"[\x30-\x39]+"),
    (r"\p{Lower}\p{Upper}", r"[\x61-\x7a][\x41-\x5a]"),
    (r"\P{Alpha}", r"[^\x41-\x5a\x61-\x7a]"),
    (r"\p{XDigit}", r"[\x30-\x39\x41-\x46\x61-\x66]"),
    (r"\p{Punct}", r"[\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]"),
    (r"\p{Space}", r"[\x09-\x0d\x20]"),
    (r"[\p{Alnum}_]", r"[\x30-\x39\x41-\x5a\x61-\x7a_]"),
    (r"[[:digit:]]", r"[\x30-\x39]"),
    (r"\h", r"[\x09\x20\xa0\u1680\u180e\u2000-\u200a\u202f\u205f\u3000]"),
    (r"\Qa.b*\E+", r"\x61\x2e\x62\x2a+"),
    (r"\x{41}\u{263A}", r"\x41\u263a"),
    (r"(?<w>a)\k<w>", r"(?P<w>a)(?P=w)"),
    (r"a(?i)b|c", r"a(?i:b)|(?i:c)"),
    (r"(a(?i)b)c", r"(a(?i:b))c"),
    (r"(?i)abc", r"(?i)abc"),
    (r"(?iu)abc", r"(?i)abc"),
    (r"(?U)a+", r"a+"),
    (r"[a|b~]", r"[a\|b\~]"),
    (r"[]a]", r"[\]a]"),
    (r"plain [a-z]+ \d", r"plain [a-z]+ \d"),
]


@pytest.mark.parametrize(("java", "python"), TRANSLATIONS)
def test_translate(java: str, python: str) -> None:
    assert translate(java) == python
    re.compile(python)


def test_translated_semantics() -> None:
    assert compile_regex(r"\p{L}+").fullmatch("Ωmega")
    assert not compile_regex(r"\p{L}+").fullmatch("a1")
    assert compile_regex(r"\p{N}").fullmatch("\u0663")
    assert compile_regex(r"[\P{L}]").fullmatch("1")
    assert not compile_regex(r"[\P{L}]").fullmatch("é")
    assert compile_regex(r"\pL").fullmatch("é")
    assert compile_regex(r"\p{IsDigit}").fullmatch("\u0663")
    assert not compile_regex(r"\p{Digit}").fullmatch("\u0663")
    assert compile_regex(r"(?<year>\d{4})").fullmatch("2024")
    assert compile_regex(r"a(?i)b|c").fullmatch("C")
    assert not compile_regex(r"a(?i)b|c").fullmatch("AB")
    assert compile_regex(r"\R").fullmatch("\r\n")
    assert compile_regex(r"\e\cA").fullmatch("\x1b\x01")
    assert compile_regex(r"\0101").fullmatch("A")


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("(abc", r"invalid regex '\(abc': missing \), unterminated subpattern at position 0"),
        ("abc)", r"invalid regex 'abc\)': unbalanced parenthesis at position 3"),
        ("[a-z", r"unterminated character set at position 0"),
        ("a**", r"multiple repeat at position 2"),
        (r"[a-z&&[^aeiou]]", r"intersection \(&&\) is not supported at position 4"),
        (r"[a[bc]]", r"nested character classes are not supported at position 2"),
        (r"\p{IsGreek}", r"unsupported character property \\p\{IsGreek\}"),
        (r"(?y)a", r"unsupported inline flag 'y'"),
        (r"\y", r"bad escape \\y"),
        ("x{3,2}", r"min repeat greater than max repeat"),
    ],
)
def test_errors_name_pattern_and_reason(pattern: str, message: str) -> None:
    with pytest.raises(RegexError, match=message):
        compile_regex(pattern)


def test_regex_error_is_value_error_and_non_string() -> None:
    assert issubclass(RegexError, ValueError)
    with pytest.raises(RegexError):
        compile_regex(None)


def test_compile_is_cached_and_exposes_pattern() -> None:
    assert compile_regex(r"\d+") is compile_regex(r"\d+")
    assert compile_regex(r"\d+").pattern == r"\d+"
    assert compile_regex(r"(?<a>x)").translated == "(?P<a>x)"


# --- generation -------------------------------------------------------------------

GENERATED = [
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$",
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z",
    r"\d{1,8}",
    r"[A-Z]{3}-\d+",
    r"(foo|bar)+",
    r"^[\w.+-]+@[\w-]+\.[a-z]{2,}$",
    r"[^\s@]+@[^\s@]+\.[^\s@]+",
    r"\bword\b",
    r"(?i)hello [a-z]*",
    r"\p{Upper}\p{Lower}+",
    r"(?<id>\d+)-\w?",
    r".*",
    r"[^\W\d_]+",
    r"(GET|POST|PUT|DELETE)",
]


@settings(max_examples=200, deadline=None)
@given(pattern=st.sampled_from(GENERATED), seed=st.integers(0, 2**32 - 1))
def test_generate_string_fullmatches(pattern: str, seed: int) -> None:
    value = generate_string(pattern, random.Random(seed))
    assert compile_regex(pattern).fullmatch(value), (pattern, value)


def test_generate_string_caps_unbounded_repeats() -> None:
    rnd = random.Random(7)
    assert all(len(generate_string(r"a+", rnd)) <= 9 for _ in range(100))
    assert all(len(generate_string(r"a{3,}", rnd)) <= 11 for _ in range(100))


def test_generate_string_refuses_unsupported() -> None:
    with pytest.raises(RegexError, match="backreferences"):
        generate_string(r"(a)\1", random.Random(0))
    with pytest.raises(RegexError, match="lookaround"):
        generate_string(r"(?=a)a", random.Random(0))
    with pytest.raises(RegexError, match="cannot generate"):
        generate_string(r"a^b", random.Random(0))
