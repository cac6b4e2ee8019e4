"""JSON nested deeper than apact reads (127 levels, the official core's limit): a clear
error or mismatch everywhere it can come in, never a ``RecursionError``.

Pact files (``apact check``, ``apact verify``, reading, writing, merging), bodies over
the wire (the mock and the stub over real HTTP, a provider's answer to the verifier,
message contents and metadata) and values given to the engine as dicts.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from apact import pactfile
from apact._core._serve import serve
from apact.consumer._stub import build
from apact.errors import PactFileError, PactWriteError
from apact.matching import match_request, match_response, message_mismatches, request_mismatches, response_mismatches
from apact.messages import Message as UserMessage
from apact.mock import MockProvider
from apact.model import (
    AsyncMessage,
    Body,
    HttpInteraction,
    HttpRequest,
    HttpResponse,
    MessageContents,
    PactFile,
    Spec,
)
from apact.pact import _jsondepth
from apact.pact._writer import entry, write_pact
from apact.verifier import Verifier

LIMIT = _jsondepth.MAX_DEPTH
JSON_TYPE = {"Content-Type": ["application/json"]}


def nested_text(depth: int, key: str = "a") -> str:
    """``{"a":{"a":...1...}}``: ``depth`` objects, one inside the other."""
    return f'{{"{key}":' * depth + "1" + "}" * depth


def nested_value(depth: int) -> Any:  # noqa: ANN401
    value: Any = 1
    for _ in range(depth):
        value = {"a": value}
    return value


def deep_pact_text(depth: int) -> str:
    """A V4 pact whose second interaction's request body nests ``depth`` levels: the file
    nests five more (document, interactions, interaction, request, body)."""
    first = '{"type":"Synchronous/HTTP","description":"a shallow one","request":{"method":"GET","path":"/"},"response":{"status":200}}'
    deep = (
        '{"type":"Synchronous/HTTP","description":"a deep one","request":{"method":"POST","path":"/orders",'
        '"headers":{"Content-Type":["application/json"]},"body":{"contentType":"application/json","encoded":false,'
        f'"content":{nested_text(depth)}}}}},"response":{{"status":201}}}}'
    )
    return (
        '{"consumer":{"name":"Sous Chef"},"provider":{"name":"Grill Chef"},'
        f'"interactions":[{first},{deep}],"metadata":{{"pactSpecification":{{"version":"4.0"}}}}}}'
    )


def run_apact(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "apact", *args], capture_output=True, text=True, timeout=120)


# -- the bound itself ----------------------------------------------------------------------------


@pytest.mark.parametrize("opening", ["[", '{"k":'])
def test_127_levels_are_read_and_128_are_not(opening: str) -> None:
    closing = "]" if opening == "[" else "}"
    assert _jsondepth.loads(opening * LIMIT + "1" + closing * LIMIT) is not None
    with pytest.raises(_jsondepth.JsonTooDeepError) as raised:
        _jsondepth.loads(opening * (LIMIT + 1) + "1" + closing * (LIMIT + 1))
    assert raised.value.limit == LIMIT == 127
    assert len(raised.value.tokens) == LIMIT  # the path to the 128th array or object


def test_brackets_inside_strings_do_not_count() -> None:
    text = json.dumps({"text": "[" * 500 + "{" * 500, "quoted": '\\"[[[' * 100, "list": nested_value(LIMIT - 1)})
    assert _jsondepth.loads(text)["text"].startswith("[[[")
    assert not _jsondepth.too_deep(text)
    assert _jsondepth.too_deep(json.dumps({"text": "]]]" * 100, "list": nested_value(LIMIT)}))


def _depth(value: Any) -> int:  # noqa: ANN401
    """The reference: arrays and objects nested in ``value``, counted by recursion."""
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
    if children is None:
        return 0
    return 1 + max((_depth(child) for child in children), default=0)


TRICKY_TEXT = st.text(alphabet='[]{}"\\ ab\n', max_size=6)
NESTED = st.recursive(
    st.none() | st.integers() | TRICKY_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TRICKY_TEXT, inner, max_size=3),
    max_leaves=40,
)


@settings(max_examples=400)
@given(value=NESTED, limit=st.integers(min_value=0, max_value=12), ascii_only=st.booleans())
def test_the_quick_check_agrees_with_counting(value: Any, limit: int, ascii_only: bool) -> None:  # noqa: ANN401
    """Brackets in keys and strings, escaped quotes and backslashes, any spacing."""
    text = json.dumps(value, ensure_ascii=ascii_only, indent=1 if ascii_only else None)
    assert _jsondepth.too_deep(text, limit) == (_depth(value) > limit)
    assert _jsondepth.too_deep(text.encode(), limit) == (_depth(value) > limit)
    found = _jsondepth.deep_place_in_text(text, limit)
    assert (found is not None) == (_depth(value) > limit)


JSON_LIKE = st.text(alphabet='[]{}"\\ :,01a\n.-eE', max_size=12)


@settings(max_examples=600)
@given(text=JSON_LIKE | NESTED.map(json.dumps), around=st.sampled_from(["", " ", "\n", "x"]))
@example(text="[] []", around="")
@example(text="{}}", around="")
@example(text='{"a": [1, 2]}', around="")
def test_reading_agrees_with_the_standard_library(text: str, around: str) -> None:
    """`_jsondepth.loads` parses the usual body by the C scanner directly: the same
    values as ``json.loads``, and the same errors, whatever surrounds the text."""
    for candidate in (text, around + text, text + around):
        try:
            expected: Any = json.loads(candidate)
        except ValueError as error:
            with pytest.raises(type(error)) as raised:
                _jsondepth.loads(candidate.encode("utf-8", "surrogatepass"))
            assert str(raised.value) == str(error)
        else:
            assert _jsondepth.loads(candidate.encode("utf-8", "surrogatepass")) == expected


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_a_deep_value_is_refused_with_its_path_not_a_recursion_error(depth: int) -> None:
    with pytest.raises(_jsondepth.JsonTooDeepError) as raised:
        _jsondepth.dumps(nested_value(depth))
    assert raised.value.path().startswith("$.a.a.a.a")
    assert "more levels" in raised.value.path()  # the middle levels are left out of the message
    with pytest.raises(_jsondepth.JsonTooDeepError):
        Body.from_json(nested_value(depth))
    with pytest.raises(_jsondepth.JsonTooDeepError) as from_text:
        Body(nested_text(depth).encode()).json()
    assert str(from_text.value) == str(raised.value)


# -- pact files --------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_apact_check_names_the_file_the_interaction_and_the_path(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "Sous Chef-Grill Chef.json"
    path.write_text(deep_pact_text(depth))
    result = run_apact("check", str(path))
    assert result.returncode == 1, result.stderr  # an invalid pact, as docs/cli.md says
    assert "Traceback" not in result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(f'invalid: {path}: interaction 1 "a deep one": $.interactions[1].request.body.content.a.a.')
    assert first.endswith(
        ": JSON nested more than 127 levels deep: apact reads JSON at most 127 levels of arrays and objects deep, as the official Pact core does"
    )
    verify = run_apact("verify", "--base-url", "http://127.0.0.1:9", str(path))
    assert verify.returncode == 2, verify.stderr  # the pact cannot be used: nothing was verified
    assert "Traceback" not in verify.stderr
    assert verify.stderr.startswith(
        f'apact verify: error: cannot read a pact: {path}: interaction 1 "a deep one": $.interactions[1]'
    )


def test_the_limit_applies_to_the_whole_file_as_in_the_official_core(tmp_path: Path) -> None:
    """A body 122 levels deep sits 127 levels deep in a V4 file: readable; 123 is not."""
    pactfile.loads(deep_pact_text(LIMIT - 5))
    with pytest.raises(PactFileError) as raised:
        pactfile.loads(deep_pact_text(LIMIT - 4), file="deep.json")
    assert (raised.value.file, raised.value.interaction, raised.value.description) == ("deep.json", 1, "a deep one")


def test_the_official_core_reads_and_refuses_the_same_pacts(tmp_path: Path) -> None:
    core = pytest.importorskip("pact")
    verdicts = {}
    for depth in (LIMIT - 5, LIMIT - 4):
        path = tmp_path / f"{depth}.json"
        path.write_text(deep_pact_text(depth))
        verifier = (
            core.Verifier("Grill Chef", host="127.0.0.1").add_transport(url="http://127.0.0.1:9").add_source(str(path))
        )
        with pytest.raises(RuntimeError):  # nothing answers on port 9: it fails either way
            verifier.verify()
        loaded = "Failed to load pact" not in json.dumps(verifier.results["errors"])
        try:
            pactfile.load(path)
            verdicts[depth] = (loaded, True)
        except PactFileError:
            verdicts[depth] = (loaded, False)
    assert verdicts == {LIMIT - 5: (True, True), LIMIT - 4: (False, False)}


@pytest.mark.parametrize("depth", [LIMIT + 1, 1_000, 100_000])
def test_a_body_given_as_a_value_or_encoded_as_json_text(depth: int) -> None:
    document = json.loads(deep_pact_text(1))
    document["interactions"][1]["request"]["body"] = {
        "contentType": "application/json",
        "encoded": "json",
        "content": nested_text(depth),
    }
    with pytest.raises(PactFileError) as raised:
        pactfile.loads(json.dumps(document), file="p.json")
    assert str(raised.value).startswith(
        'p.json: interaction 1 "a deep one": $.interactions[1].request.body.content.a.a.'
    )
    assert "JSON nested more than 127 levels deep" in str(raised.value)


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_a_pact_with_a_deep_body_is_not_written(tmp_path: Path, depth: int) -> None:
    deep = HttpInteraction(
        "a deep one", HttpRequest("POST", "/orders", None, JSON_TYPE, Body(nested_text(depth).encode()))
    )
    pact = PactFile("Sous Chef", "Grill Chef", (HttpInteraction("a shallow one"), deep))
    for spec in ("V3", "V4"):
        with pytest.raises(
            PactWriteError,
            match=r"^interaction 1 'a deep one': a body is nested more than 127 levels deep \(at \$\.a\.a",
        ):
            pactfile.dumps(pact, spec)
    with pytest.raises(PactWriteError, match="^interaction 0 'a deep one': a body is nested more than 127 levels deep"):
        entry(deep, Spec.V4)
    assert list(tmp_path.iterdir()) == []


def test_a_body_that_fits_but_would_nest_the_file_too_deep_is_not_written() -> None:
    """122 levels fit a V4 file; 123 would make it 128 deep, which nobody could read back."""
    pactfile.loads(pactfile.dumps(PactFile("C", "P", (_deep_request(LIMIT - 5),))))
    with pytest.raises(PactWriteError) as raised:
        pactfile.dumps(PactFile("C", "P", (_deep_request(LIMIT - 4),)))
    assert str(raised.value).startswith("interaction 0 'a deep one': $.interactions[0].request.body.content.a.a.")
    assert "so the pact file could not be read back" in str(raised.value)


def _deep_request(depth: int) -> HttpInteraction:
    return HttpInteraction(
        "a deep one", HttpRequest("POST", "/orders", None, JSON_TYPE, Body.from_json(nested_value(depth)))
    )


def test_merging_into_a_file_nested_too_deep_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "Sous Chef-Grill Chef.json"
    path.write_text(deep_pact_text(100_000))
    with pytest.raises(
        PactWriteError,
        match="cannot merge into this file, it is not a pact apact can read \\(JSON nested more than 127",
    ):
        write_pact(path, "Sous Chef", "Grill Chef", [entry(HttpInteraction("another"), Spec.V4)], Spec.V4)
    assert path.read_text() == deep_pact_text(100_000)  # left alone


# -- the engine ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [LIMIT + 1, 1_000, 100_000])
def test_a_provider_answering_deep_json_is_a_mismatch(depth: int) -> None:
    expected = HttpResponse(200, JSON_TYPE, Body.from_json({"a": 1}))
    actual = HttpResponse(200, JSON_TYPE, Body(nested_text(depth).encode()))
    (mismatch,) = response_mismatches(expected, actual, Spec.V4)
    assert (mismatch.kind, mismatch.path) == ("body", "$.body")
    assert mismatch.message.startswith(
        "expected a JSON body, got one nested more than 127 levels deep (at $.body.a.a.a"
    )
    assert mismatch.message.endswith(
        "): apact reads JSON at most 127 levels of arrays and objects deep, as the official Pact core does"
    )
    assert isinstance(mismatch.actual, str) and len(mismatch.actual) <= 200  # a preview, not the body
    untyped = HttpResponse(200, None, Body(nested_text(depth).encode()))  # no Content-Type: still JSON by its look
    assert [m.message for m in response_mismatches(HttpResponse(200, None, Body.from_json({"a": 1})), untyped)] == [
        mismatch.message
    ]


def test_a_request_with_a_deep_body_is_a_mismatch_and_one_with_any_body_matches() -> None:
    deep = HttpRequest("POST", "/orders", None, JSON_TYPE, Body(nested_text(100_000).encode()))
    (mismatch,) = request_mismatches(HttpRequest("POST", "/orders", None, JSON_TYPE, Body.from_json({"a": 1})), deep)
    assert "nested more than 127 levels deep" in mismatch.message
    assert request_mismatches(HttpRequest("POST", "/orders"), deep) == []  # no body in the pact: any body


def test_deep_message_contents_are_a_mismatch() -> None:
    actual = MessageContents(Body(nested_text(100_000).encode(), "application/json"))
    (mismatch,) = message_mismatches(MessageContents(Body.from_json({"a": 1})), actual)
    assert mismatch.path == "$.contents"
    assert mismatch.message.startswith(
        "expected a JSON body, got one nested more than 127 levels deep (at $.contents.a.a"
    )


@pytest.mark.parametrize("depth", [LIMIT + 1, 100_000])
def test_deep_xml_is_a_mismatch_too(depth: int) -> None:
    xml = HttpResponse(
        200, {"Content-Type": ["application/xml"]}, Body(("<a>" * depth + "x" + "</a>" * depth).encode())
    )
    shallow = HttpResponse(200, {"Content-Type": ["application/xml"]}, Body(b"<a>x</a>"))
    (mismatch,) = response_mismatches(shallow, xml)
    assert mismatch.message.startswith(
        "expected an XML body, got one with elements nested more than 127 levels deep (at $.body.a.a"
    )
    (mismatch,) = response_mismatches(xml, xml)
    assert mismatch.message.startswith("the pact's body has XML elements nested more than 127 levels deep")


def test_the_dict_api_says_which_side_and_where() -> None:
    with pytest.raises(PactFileError, match=r"^\$actual\.body\.a\.a.*JSON nested more than 127 levels deep"):
        match_response({"status": 200, "body": {"a": 1}}, {"status": 200, "body": nested_value(100_000)}, "4.0")
    with pytest.raises(PactFileError, match=r"^\$\.body\.a\.a.*JSON nested more than 127 levels deep"):
        match_request(
            {"method": "POST", "path": "/", "body": nested_value(1_000)}, {"method": "POST", "path": "/"}, "3.0.0"
        )
    rules = {"body": {"$.a": {"matchers": [{"match": "type", "example": nested_value(100_000)}]}}}
    with pytest.raises(PactFileError, match=r"^\$\.matchingRules\.body\['\$\.a'\]\.matchers\[0\]\.example\.a\.a"):
        match_response({"status": 200, "matchingRules": rules}, {"status": 200}, "4.0")


# -- the mock and the stub, over real HTTP -----------------------------------------------------------


def _orders() -> list[HttpInteraction]:
    return [
        HttpInteraction(
            "an order", HttpRequest("POST", "/orders", None, JSON_TYPE, Body.from_json({"a": 1})), HttpResponse(201)
        ),
        HttpInteraction("any body", HttpRequest("PUT", "/orders"), HttpResponse(204)),
    ]


async def _post_deep(url: str) -> tuple[httpx.Response, httpx.Response, httpx.Response]:
    deep = nested_text(100_000).encode()
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        refused = await client.post("/orders", content=deep, headers={"Content-Type": "application/json"})
        accepted = await client.put("/orders", content=deep, headers={"Content-Type": "application/json"})
        still = await client.post("/orders", json={"a": 1})
    return refused, accepted, still


def _assert_says_why(refused: httpx.Response) -> None:
    assert refused.status_code == 500  # the mock's answer to a request no interaction matches
    assert len(refused.content) < 20_000  # the 600 kB body is not echoed whole
    report = refused.json()
    (mismatch,) = report["closest"][0]["mismatches"]
    assert mismatch["path"] == "$.body"
    assert mismatch["message"].startswith(
        "expected a JSON body, got one nested more than 127 levels deep (at $.body.a.a"
    )
    assert "more characters not shown" in report["request"]["body"]


@pytest.mark.anyio
async def test_the_mock_answers_a_deep_body_with_why() -> None:
    mock = MockProvider(_orders())
    async with serve(mock) as url:
        refused, accepted, still = await _post_deep(url)
    _assert_says_why(refused)
    assert accepted.status_code == 204  # the pact asks for no body: any body will do
    assert still.status_code == 201  # and the mock goes on
    assert len(mock.unexpected) == 1


@pytest.mark.anyio
async def test_the_stub_answers_a_deep_body_with_why() -> None:
    logged: list[tuple[str, bool]] = []
    stub = build(
        [PactFile("Sous Chef", "Grill Chef", tuple(_orders()))], log=lambda line, bad: logged.append((line, bad))
    )
    async with serve(stub.app) as url:
        refused, accepted, still = await _post_deep(url)
    _assert_says_why(refused)
    assert (accepted.status_code, still.status_code) == (204, 201)
    line, bad = logged[0]
    assert bad and line.startswith("500 unexpected request: POST /orders")
    assert "expected a JSON body, got one nested more than 127 levels deep" in line


# -- the verifier ----------------------------------------------------------------------------------------------


def _deep_provider(depth: int) -> Starlette:
    deep = nested_text(depth).encode()

    async def answer(request: Request) -> Response:
        return Response(deep if request.url.path == "/deep" else b'{"a":1}', media_type="application/json")

    return Starlette(routes=[Route("/deep", answer), Route("/shallow", answer)])


def _verified_pact() -> PactFile:
    return PactFile(
        "Sous Chef",
        "Grill Chef",
        tuple(
            HttpInteraction(name, HttpRequest("GET", path), HttpResponse(200, JSON_TYPE, Body.from_json({"a": 1})))
            for name, path in (("a deep answer", "/deep"), ("a shallow answer", "/shallow"))
        ),
    )


@pytest.mark.anyio
@pytest.mark.parametrize("depth", [LIMIT + 1, 100_000])
async def test_a_provider_answering_deep_json_fails_that_interaction_only(depth: int) -> None:
    result = await Verifier("Grill Chef", app=_deep_provider(depth)).verify(_verified_pact())
    deep, shallow = result.interactions
    assert (deep.status, shallow.status) == ("failed", "passed")
    (mismatch,) = deep.mismatches
    assert mismatch.message.startswith("expected a JSON body, got one nested more than 127 levels deep (at $.body.a.a")
    report = result.report()
    assert "   $.body: expected a JSON body, got one nested more than 127 levels deep" in report
    assert len(report) < 10_000
    assert len(json.dumps(result.to_json())) < 10_000
    assert len(result.to_junit_xml()) < 20_000


@pytest.mark.anyio
async def test_the_message_endpoint_refuses_deep_json_with_why() -> None:
    async with (
        serve(Verifier("Grill Chef").message_app()) as url,
        httpx.AsyncClient(base_url=url, timeout=60) as client,
    ):
        answer = await client.post("/_pact/message", content=nested_text(100_000).encode())
    assert answer.status_code == 400
    assert answer.text.startswith(
        "apact message endpoint: the request is not a JSON object (JSON nested more than 127 levels deep (at $.a.a"
    )


@pytest.mark.anyio
async def test_a_message_endpoint_sending_deep_metadata_fails_that_message() -> None:
    metadata = base64.b64encode(nested_text(2_000).encode()).decode()  # 16 kB: a header can be no longer

    async def message(request: Request) -> Response:
        return Response(b'{"a":1}', media_type="application/json", headers={"Pact-Message-Metadata": metadata})

    provider = Starlette(routes=[Route("/_pact/message", message, methods=["POST"])])
    pact = PactFile(
        "Sous Chef", "Grill Chef", (AsyncMessage("an order event", MessageContents(Body.from_json({"a": 1}))),), Spec.V4
    )
    async with serve(provider) as url:
        result = await Verifier("Grill Chef", message_url=f"{url}/_pact/message").verify(pact)
    (item,) = result.interactions
    assert item.status == "failed"
    assert "not base64 JSON: JSON nested more than 127 levels deep" in item.errors[0].message


def test_a_producer_returning_deep_contents_is_reported_not_raised() -> None:
    pact = PactFile(
        "Sous Chef", "Grill Chef", (AsyncMessage("an order event", MessageContents(Body.from_json({"a": 1}))),), Spec.V4
    )
    verifier = Verifier("Grill Chef")
    verifier.message("an order event")(
        lambda: UserMessage(nested_text(100_000).encode(), content_type="application/json")
    )
    result = anyio.run(verifier.verify, pact)
    (item,) = result.interactions
    assert item.status == "failed"
    assert item.mismatches[0].message.startswith(
        "expected a JSON body, got one nested more than 127 levels deep (at $.contents.a.a"
    )
