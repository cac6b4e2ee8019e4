"""One interaction that cannot be replayed fails alone, with a clear reason, and never
ends the run with a traceback; ``apact check`` calls the same interactions invalid
(issue 11, item 6)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apact import pactfile
from apact.pact._request_check import pact_problems
from apact.verifier import Verifier

from .hostile_helpers import Seen, http_interaction, pact_document, provider_and_attacker, recording, write

pytestmark = pytest.mark.anyio

#: description -> (request, the JSON path and reason of its failure), in a V2 pact
MALFORMED: dict[str, tuple[dict[str, Any], str]] = {
    "a header value HTTP cannot carry": (
        {"method": "GET", "path": "/steaks", "headers": {"X-Order": "☃"}},
        "$.interactions[0].request.headers['X-Order']: the value holds '☃' at position 0, which HTTP/1.1 cannot carry",
    ),
    "a header value with CR LF": (
        {"method": "GET", "path": "/steaks", "headers": {"X-Order": "steak\r\nX-Injected: 1"}},
        "$.interactions[1].request.headers['X-Order']: the value holds the control character '\\r' at position 5",
    ),
    "a header name with a space": (
        {"method": "GET", "path": "/steaks", "headers": {"X Order": "steak"}},
        "$.interactions[2].request.headers['X Order']: 'X Order' is not a header name",
    ),
    "CR LF in the raw query": (
        {"method": "GET", "path": "/steaks", "query": "size=big\r\nX-Injected: 1"},
        "$.interactions[3].request.query: the query string holds the control character '\\r', which cannot be sent",
    ),
    "a method that is not one": (
        {"method": "GET / HTTP/1.1\r\nX-Injected: 1\r\n\r\nGET", "path": "/steaks"},
        "$.interactions[4].request.method: 'GET / HTTP/1.1\\r\\nX-Injected: 1\\r\\n\\r\\nGET' is not an HTTP method",
    ),
    "a relative path": (
        {"method": "GET", "path": "steaks"},
        "$.interactions[5].request.path: the path must start with '/', got 'steaks'",
    ),
}
#: sendable, though unusual: each passes, and the provider gets (raw path, query, X-Order header)
UNUSUAL: dict[str, tuple[dict[str, Any], tuple[bytes, bytes, str | None]]] = {
    "a Latin-1 header value": (
        {"method": "GET", "path": "/steaks", "headers": {"X-Order": "entrecôte"}},
        (b"/steaks", b"", "entrecôte"),  # sent as the byte 0xf4
    ),
    "blanks around a header value": (
        {"method": "GET", "path": "/steaks", "headers": {"X-Order": "  steak \t"}},
        (b"/steaks", b"", "steak"),
    ),
    "a raw query holding a space, a # and non-ASCII": (
        {"method": "GET", "path": "/steaks", "query": "name=Grill Chef&side=fries#1&sauce=béarnaise&pct=100%&x=%20"},
        (b"/steaks", b"name=Grill%20Chef&side=fries%231&sauce=b%C3%A9arnaise&pct=100%25&x=%20", None),
    ),
    "a path with spaces and non-ASCII": (
        {"method": "GET", "path": "/steaks/entrecôte au poivre"},
        (b"/steaks/entrec%C3%B4te%20au%20poivre", b"", None),
    ),
}


def malformed_pact() -> dict[str, Any]:
    interactions = [http_interaction(d, request, v2=True) for d, (request, _) in {**MALFORMED, **UNUSUAL}.items()]
    return pact_document(*interactions, v2=True)


def assert_each_failed_alone(result_errors: dict[str, tuple[str, list[str]]]) -> None:
    """``result_errors``: description -> (status, its errors as text)."""
    for description, (_, reason) in MALFORMED.items():
        status, errors = result_errors[description]
        assert status == "failed"
        assert len(errors) == 1 and errors[0].startswith(
            "invalid interaction: the pact's request cannot be sent as written (nothing was sent): "
        ), errors
        assert reason in errors[0]
    for description in UNUSUAL:
        assert result_errors[description] == ("passed", [])


def assert_received_as_sent(seen: list[Seen]) -> None:
    got = sorted((s.raw_path, s.query, s.headers.get("x-order")) for s in seen)
    assert got == sorted(received for _, received in UNUSUAL.values())


@pytest.mark.parametrize("concurrency", [1, 4])
async def test_over_http_each_fails_alone_and_the_others_are_sent_as_written(concurrency: int) -> None:
    async with provider_and_attacker() as servers:
        pact = pactfile.loads(json.dumps(malformed_pact()))
        result = await Verifier("Grill Chef", base_url=servers.provider, concurrency=concurrency).verify(pact)
    assert_each_failed_alone({r.description: (r.status, [str(e) for e in r.errors]) for r in result.interactions})
    assert_received_as_sent(servers.to_provider)


async def test_in_process_each_fails_alone_and_the_others_are_sent_as_written() -> None:
    seen: list[Seen] = []
    pact = pactfile.loads(json.dumps(malformed_pact()))
    result = await Verifier("Grill Chef", app=recording(seen)).verify(pact)
    assert_each_failed_alone({r.description: (r.status, [str(e) for e in r.errors]) for r in result.interactions})
    assert_received_as_sent(seen)


def apact(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "apact", *args], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_apact_check_and_apact_verify_agree(tmp_path: Path) -> None:
    pact = write(tmp_path / "malformed.json", malformed_pact())
    checked = await anyio.to_thread.run_sync(apact, "check", str(pact))
    assert checked.returncode == 1
    assert checked.stdout == ""
    problems = checked.stderr.splitlines()
    assert problems[-1] == "1 of 1 pact file(s) invalid"
    for index, (description, (_, reason)) in enumerate(MALFORMED.items()):
        assert problems[index].startswith(
            f"invalid: {pact}: interaction {index} {json.dumps(description, ensure_ascii=False)}: "
        )
        assert reason in problems[index]
    assert len(problems) == len(MALFORMED) + 1

    async with provider_and_attacker() as servers:
        verified = await anyio.to_thread.run_sync(apact, "verify", "--base-url", servers.provider, str(pact))
    assert verified.returncode == 1, verified.stderr
    assert "Traceback" not in verified.stdout + verified.stderr
    for description, (_, reason) in MALFORMED.items():
        assert f"  FAILED   {description}" in verified.stdout
        assert reason in verified.stdout
    for description in UNUSUAL:
        assert f"  passed   {description}" in verified.stdout
    assert verified.stdout.splitlines()[-1].startswith(
        f"{len(MALFORMED) + len(UNUSUAL)} interactions: {len(UNUSUAL)} passed, "
    )
    assert_received_as_sent(servers.to_provider)


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_a_response_body_that_is_not_what_its_content_type_says_fails_alone(tmp_path: Path) -> None:
    """The official core reads such a pact and fails that interaction ("Failed to parse
    the expected body"): apact refused the whole file (exit 2), so one bad example kept
    every other interaction unverified, and a pending pact failed the build. A request
    body that does not fit is sent as written, as the core sends it."""
    xml = {"status": 200, "headers": {"Content-Type": "application/xml"}, "body": "well done"}
    bad = {"description": "an XML example that is not XML", "request": {"method": "GET", "path": "/steaks"}}
    sent = {
        "description": "a request body that is not the XML it says",
        "request": {"method": "POST", "path": "/steaks", "headers": {"Content-Type": "text/xml"}, "body": "<rare"},
        "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": {"ok": True}},
    }
    fine = http_interaction("a fine one", {"method": "GET", "path": "/ok"}, v2=True)
    pact = write(tmp_path / "misfit.json", pact_document({**bad, "response": xml}, sent, fine, v2=True))
    checked = await anyio.to_thread.run_sync(apact, "check", str(pact))
    assert checked.returncode == 1
    assert checked.stderr.splitlines()[0] == (
        f'invalid: {pact}: interaction 0 "an XML example that is not XML": $.interactions[0].response.body: '
        "the body is not well-formed XML although its content type is application/xml: syntax error: line 1, column 0"
    )
    async with provider_and_attacker() as servers:
        verified = await anyio.to_thread.run_sync(apact, "verify", "--base-url", servers.provider, str(pact))
    assert verified.returncode == 1, verified.stderr
    assert "  FAILED   an XML example that is not XML" in verified.stdout
    assert (
        "invalid interaction: the pact's response cannot be matched (nothing was sent): $.interactions[0].response.body: "
        "the body is not well-formed XML although its content type is application/xml"
    ) in verified.stdout
    assert "  passed   a request body that is not the XML it says" in verified.stdout
    assert "  passed   a fine one" in verified.stdout
    assert sorted(seen.raw_path for seen in servers.to_provider) == [b"/ok", b"/steaks"]  # nothing sent for the first
    assert [seen.body for seen in servers.to_provider if seen.raw_path == b"/steaks"] == [b"<rare"]


def test_headers_that_cannot_be_sent_are_refused_up_front() -> None:
    for value, said in (("a\nb", "the control character '\\n' at position 1"), ("☃", "'☃' at position 0")):
        with pytest.raises(ValueError, match=re.escape(f"headers= 'X-Api-Key': the value holds {said}")):
            Verifier("Grill Chef", base_url="http://127.0.0.1:1", headers={"X-Api-Key": value})
    refused = apact("verify", "--base-url", "http://127.0.0.1:1", "--header", "X-Api-Key: SECR☃T", "pact.json")
    assert refused.returncode == 2
    assert refused.stderr == (
        "apact verify: error: --header 'X-Api-Key': the value holds '☃' at position 4, which HTTP/1.1 cannot carry "
        "(header values are Latin-1 text: encode it, e.g. percent-encoded)\n"
    )  # the value itself (a secret, maybe) is not repeated


# -- whatever goes wrong in one interaction ------------------------------------------------------------


def deep_json_app(depth: int) -> Callable[..., Any]:
    """``/deep`` answers JSON nested ``depth`` levels; anything else ``{"ok": true}``."""
    seen: list[Seen] = []
    fine = recording(seen)

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:  # noqa: ANN401
        if scope["type"] == "http" and scope["path"] == "/deep":
            await receive()
            await send(
                {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]}
            )
            await send({"type": "http.response.body", "body": b"[" * depth + b"]" * depth})
            return
        await fine(scope, receive, send)

    return app


@pytest.mark.parametrize("concurrency", [1, 4])
async def test_a_provider_answering_json_too_deep_to_walk_fails_that_interaction_only(concurrency: int) -> None:
    pact = pactfile.loads(
        json.dumps(
            pact_document(
                *(http_interaction(d, {"method": "GET", "path": p}) for d, p in (("deep", "/deep"), ("fine", "/ok")))
            )
        )
    )
    result = await Verifier("Grill Chef", app=deep_json_app(100_000), concurrency=concurrency).verify(pact)
    deep, fine = result.interactions
    assert (deep.status, fine.status) == ("failed", "passed")
    assert deep.mismatches or deep.errors  # whichever way the matcher says it: not what the pact expects
    assert all(
        error.kind == "internal" and error.message.startswith("matching the response raised ") for error in deep.errors
    )
    assert result.report()  # and the report can be made


async def test_an_error_of_the_http_stack_that_is_not_httpx_s_fails_that_interaction_only() -> None:
    """A 70 000-character path is too long for httpx's URLs (``httpx.InvalidURL`` is
    not an ``httpx.HTTPError``)."""
    long_path = "/steaks/" + "a" * 70_000
    async with provider_and_attacker() as servers:
        pact = pactfile.loads(
            json.dumps(
                pact_document(
                    http_interaction("long", {"method": "GET", "path": long_path}),
                    http_interaction("fine", {"method": "GET", "path": "/ok"}),
                )
            )
        )
        result = await Verifier("Grill Chef", base_url=servers.provider).verify(pact)
    long, fine = result.interactions
    assert (long.status, fine.status) == ("failed", "passed")
    (error,) = long.errors
    assert error.kind == "transport"
    assert error.message.startswith("cannot send GET /steaks/aaaa")
    assert (
        f"... ({len(long_path) + 4} characters) to {servers.provider}: InvalidURL: URL component 'path' too long"
        in error.message
    )
    assert long.request is not None and len(long.request) < 400
    assert [s.raw_path for s in servers.to_provider] == [b"/ok"]


# -- apact check agrees with the verifier, whatever the request ---------------------------------------

_TEXT = st.text(st.sampled_from(list("aZ09-_ /@?#:%\r\n\t\x00é☃")), max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    method=st.sampled_from(["GET", "post", "GE T", "", "M-SEARCH", "GET\r\n"]),
    path=_TEXT.map(lambda text: text if text.startswith(("/", "@", "h")) else "/" + text) | _TEXT,
    headers=st.dictionaries(st.text(st.sampled_from(list("Xa-_ :é")), min_size=0, max_size=6), _TEXT, max_size=2),
    query=st.none() | _TEXT,
)
def test_apact_check_agrees_with_the_verifier(
    method: str, path: str, headers: dict[str, str], query: str | None
) -> None:
    """Every interaction ``apact check`` calls invalid fails as one the verifier could
    not send, and no other; nothing raises."""
    request: dict[str, Any] = {"method": method, "path": path, "headers": headers}
    if query is not None:
        request["query"] = query
    document = pact_document(
        http_interaction("any", request, v2=True),
        http_interaction("fine", {"method": "GET", "path": "/ok"}, v2=True),
        v2=True,
    )
    pact = pactfile.loads(json.dumps(document))
    invalid = pact_problems(pact)
    seen: list[Seen] = []

    async def verify() -> Any:  # noqa: ANN401
        return await Verifier("Grill Chef", app=recording(seen)).verify(pact)

    result = anyio.run(verify)
    any_result, fine = result.interactions
    assert fine.status == "passed"
    kinds = [error.kind for error in any_result.errors]
    if invalid:
        assert (any_result.status, kinds) == ("failed", ["invalid interaction"])
        assert all(str(problem).split(": ", 2)[-1] in any_result.errors[0].message for problem in invalid)
        assert len(seen) == 1
    else:
        assert any_result.status == "passed", any_result.errors
        assert len(seen) == 2
