"""Hostile regexes never hang apact: the matcher's time grows at most linearly with the
value's length, whatever the pattern (issue 11), and the stub and the mock keep
answering, and stop on SIGTERM, with such a pattern in their pact."""

from __future__ import annotations

import json
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from apact import match
from apact._core._serve import serve
from apact._regex import RegexError, compile_regex
from apact._regex._cost import _CostModel
from apact._regex._parser import _parse
from apact._regex._translate import _translate
from apact.consumer import Pact

HOSTILE = r"(?:a?){30}a{30}"  # ~2**30 backtracking steps for re on "aaa...!"

# --- the time bound, over generated nested quantifiers -------------------------------------

_ATOMS = st.sampled_from(
    ["a", "b", r"\w", "[ab]", ".", r"\s", "(?:a|ab)", "(?:a|a)", "(?:a|)", "(?:)", "(?:a?)", "(?:a*)"]
)
_COUNTS = st.integers(2, 12)


def _nested(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        children.map("(?:{})?".format),
        children.map("(?:{})*".format),
        children.map("(?:{})+".format),
        children.map("({})*".format),
        st.tuples(children, _COUNTS).map(lambda t: f"(?:{t[0]}){{{t[1]}}}"),
        st.tuples(children, _COUNTS).map(lambda t: f"(?:{t[0]}){{0,{t[1]}}}"),
        st.tuples(children, _COUNTS).map(lambda t: f"(?:{t[0]}){{1,{t[1]}}}"),
        st.tuples(children, children).map("".join),
        st.tuples(children, children).map(lambda t: f"(?:{t[0]}|{t[1]})"),
    )


_FAMILIES = st.one_of(
    # the classic exponential shapes, with the counts of the security review
    st.tuples(_ATOMS, st.integers(2, 40)).map(lambda t: f"(?:{t[0]}?){{{t[1]}}}"),
    st.tuples(_ATOMS, st.integers(2, 40)).map(lambda t: f"(?:{t[0]}?){{{t[1]}}}{t[0]}{{{t[1]}}}"),
    st.tuples(_ATOMS, _ATOMS, st.integers(2, 30)).map(lambda t: f"(?:{t[0]}?{t[1]}?){{{t[2]}}}b"),
    _ATOMS.map("({}*)*".format),
    _ATOMS.map("({}+)+".format),
    st.tuples(_ATOMS, _ATOMS).map(lambda t: f"(?:{t[0]}|{t[1]})*"),
    # and anything nesting them
    st.recursive(_ATOMS, _nested, max_leaves=5),
)

_PATTERNS = st.tuples(st.sampled_from(["", "^"]), _FAMILIES, st.sampled_from(["", "$", "b", "!"])).map("".join)
_PUMPS = st.sampled_from(["a", "ab", "aab", "a ", "b"])
_TAILS = st.sampled_from(["!", "", "b", "\n"])


def _seconds(regex_call: object, value: str) -> float:
    start = time.perf_counter()
    try:
        regex_call(value)  # type: ignore[operator]
    except RegexError:
        pass  # refused: bounded too (a pattern the linear engine cannot run)
    return time.perf_counter() - start


@pytest.mark.timeout(120)
@settings(max_examples=60, deadline=timedelta(seconds=10), suppress_health_check=[HealthCheck.too_slow])
@given(pattern=_PATTERNS, pump=_PUMPS, tail=_TAILS)
@example(pattern=HOSTILE, pump="a", tail="!")
@example(pattern=r"(?:a?a?){20}b", pump="a", tail="")
@example(pattern=r"(?:\w?){30}\w{30}", pump="a", tail="!")
@example(pattern=r"^(?:(?:(?:){3,8}){20}){1,3}", pump="a", tail=" ")
def test_match_time_grows_at_most_linearly_with_the_value(pattern: str, pump: str, tail: str) -> None:
    regex = compile_regex(pattern)
    n = 64
    short = pump * (n // len(pump)) + tail
    long = pump * (4 * n // len(pump)) + tail
    for call in (regex.search, regex.fullmatch):
        at_n, at_4n = _seconds(call, short), _seconds(call, long)
        # generous bounds (a loaded 2-core machine): linear is 4x, exponential is 2**100x
        assert at_4n < 1.0, (pattern, call.__name__, at_4n)
        assert at_4n <= 16 * at_n + 0.05, (pattern, call.__name__, at_n, at_4n)


@settings(max_examples=100, deadline=None)
@given(pattern=_PATTERNS, search=st.booleans())
def test_the_cost_bound_is_nondecreasing_in_the_length(pattern: str, search: bool) -> None:
    """limit() relies on it: the bound at a length covers every shorter value."""
    try:
        compile_regex(pattern)
    except RegexError:
        return
    model = _CostModel(_parse(_translate(pattern)))
    bounds = [model.steps(n, search) for n in (0, 1, 2, 3, 8, 64, 65, 1 << 20)]
    assert bounds == sorted(bounds), (pattern, bounds)


def test_values_within_the_re_limit_stay_within_the_budget() -> None:
    """A nested optional repeat never reaches re: (?:a?){30} costs ~2**30 steps on any value."""
    for pattern in (HOSTILE, r"(?:a?){30}", r"(?:a?a?){20}b", r"(?:\w?){30}\w{30}", r"(?:(?:){1,2}){18}x"):
        regex = compile_regex(pattern)
        assert regex._search_limit <= 2 and regex._fullmatch_limit <= 2, pattern
        assert regex._search_engine is not None


# --- the stub and the mock, with a hostile regex in their pact ---------------------------


def _pact_with_a_hostile_query_rule(directory: Path) -> Path:
    path = directory / "Sous Chef-Grill Chef.json"
    interaction = {
        "type": "Synchronous/HTTP",
        "description": "a search",
        "request": {
            "method": "GET",
            "path": "/search",
            "query": {"q": ["a" * 60]},
            "matchingRules": {"query": {"q": {"combine": "AND", "matchers": [{"match": "regex", "regex": HOSTILE}]}}},
        },
        "response": {
            "status": 200,
            "body": {"content": {"found": True}, "contentType": "application/json", "encoded": False},
        },
    }
    pact = {
        "consumer": {"name": "Sous Chef"},
        "provider": {"name": "Grill Chef"},
        "interactions": [interaction],
        "metadata": {"pactSpecification": {"version": "4.0"}},
    }
    path.write_text(json.dumps(pact))
    return path


@contextmanager
def _stub(pact: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "apact", "stub", str(pact)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 30)
        assert ready, "apact stub printed nothing for 30 s"
        found = re.search(r" at (http://\S+)$", process.stdout.readline().strip())
        assert found, process.stderr.read() if process.stderr and process.poll() is not None else "no URL"
        yield process, found.group(1)
    finally:
        if process.poll() is None:  # it ignored SIGTERM: leave no process behind
            process.kill()
        process.communicate(timeout=10)


@pytest.mark.timeout(60)
def test_the_stub_answers_a_hostile_request_promptly_and_stops_on_sigterm(tmp_path: Path) -> None:
    with _stub(_pact_with_a_hostile_query_rule(tmp_path)) as (process, url):
        with httpx.Client(base_url=url, timeout=10) as client:  # re alone would take minutes
            start = time.monotonic()
            hostile = client.get("/search", params={"q": "a" * 100 + "!"})
            elapsed = time.monotonic() - start
            assert hostile.status_code == 500  # no interaction matches
            assert elapsed < 5.0, elapsed
            assert client.get("/search", params={"q": "a" * 45}).status_code == 200
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=10)
        assert process.returncode == 0
        assert out == "apact stub: stopped\n"


@pytest.mark.anyio
@pytest.mark.timeout(60)
async def test_the_mock_answers_a_hostile_request_promptly() -> None:
    pact = Pact("Sous Chef", "Grill Chef", pact_dir=None)
    (
        pact.upon_receiving("a search")
        .with_request("GET", "/search", query={"q": match.regex(HOSTILE, "a" * 60)})
        .will_respond_with(200, body={"found": True})
    )
    async with serve(pact.mock) as url, httpx.AsyncClient(base_url=url, timeout=10) as client:
        start = time.monotonic()
        hostile = await client.get("/search", params={"q": "a" * 100 + "!"})
        elapsed = time.monotonic() - start
        assert hostile.status_code == 500
        assert elapsed < 5.0, elapsed
        assert (await client.get("/search", params={"q": "a" * 59})).json() == {"found": True}
