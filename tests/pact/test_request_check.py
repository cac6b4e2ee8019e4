"""The request check's quick pass: what it finds fine, the part-by-part check does too."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from apact.pact._request_check import _plainly_fine, _problems, request_problems
from apact.pact.model import HttpRequest

#: plain characters and the ones each rule is about: controls, CR LF, tab, Latin-1,
#: beyond Latin-1, a lone surrogate, separators that are no token
TRICKY = st.text(alphabet="aZ09/-_ \t\r\n\x00\x7f\xe9\u20ac\ud800:;%?=&@", max_size=8)
PLAIN = st.text(alphabet="aZ09-_", min_size=1, max_size=6)


@st.composite
def requests(draw: st.DrawFn) -> HttpRequest:
    """A usual request with one part (or none) made of tricky characters."""
    part = draw(st.sampled_from(["none", "method", "path", "header name", "header value", "query", "raw query"]))
    tricky = draw(TRICKY)
    method = tricky if part == "method" else draw(st.sampled_from(["GET", "POST"]))
    path = ("/" + tricky if draw(st.booleans()) else tricky) if part == "path" else "/steaks/"
    name = tricky if part == "header name" else draw(PLAIN)
    value = tricky if part == "header value" else draw(PLAIN)
    query = {draw(PLAIN): [tricky]} if part == "query" else None
    raw_query = tricky if part == "raw query" else None
    return HttpRequest(method, path, query, {name: [value]}, raw_query=raw_query)


@settings(max_examples=1000)
@given(request=requests())
def test_a_request_the_quick_pass_finds_fine_has_no_problem(request: HttpRequest) -> None:
    problems = _problems(request)
    if _plainly_fine(request):
        assert problems == [], problems
    assert request_problems(request) == problems


def test_the_usual_requests_take_the_quick_pass() -> None:
    usual = HttpRequest("POST", "/steaks/", {"size": ["big"]}, {"Content-Type": ["application/json"]})
    assert _plainly_fine(usual)
    assert _plainly_fine(HttpRequest("GET", "/steaks/1", raw_query="a=1&b=%20"))
    assert not _plainly_fine(HttpRequest("GET", "/steaks/\u20ac"))  # looked at part by part
    assert request_problems(HttpRequest("GET", "/steaks/\u20ac")) == []
