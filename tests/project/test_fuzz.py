"""Fuzzing with hostile pact files (issue 11): whatever pact JSON comes in, ``apact
check``, the verifier and the stub answer with apact's own errors, never a traceback.

The pacts are *nearly* valid: each starts from a real V1-V4 pact (HTTP and message
interactions, matching rules, generators) and gets a few mutations at random JSON paths
(wrong types, missing keys, deep or huge values, bad regexes, odd generators, paths,
headers and queries, unicode, lone surrogates), so that most of them get past the
top-level validation and reach the engine.

The suite runs a derandomized, database-less profile (reproducible in CI, a few
seconds). ``APACT_FUZZ_EXAMPLES=2000`` runs more examples, randomized, to hunt.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, MutableMapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apact import Message, Verifier
from apact.cli import main
from apact.consumer._stub import build
from apact.errors import ApactError, PactFileError
from apact.pact import pactfile
from apact.pact.model import AsyncMessage, HttpInteraction, HttpResponse, PactFile, SyncMessage

ROOT = Path(__file__).resolve().parents[1]  # tests/
SEEDS = sorted(
    [
        *(ROOT / "fixtures" / "pact-python").glob("*.json"),
        *(ROOT / "fixtures" / "handwritten").glob("*.json"),
        ROOT.parent / "apact" / "examples" / "sous-chef-grill-chef.json",
    ]
)
SEED_DOCUMENTS = [json.loads(path.read_text(encoding="utf-8")) for path in SEEDS]

#: interaction errors that mean apact itself failed (the tiny providers below never raise)
CRASHES = {"internal", "provider"}


def fuzz_settings(examples: int) -> settings:
    """Reproducible in the suite; ``APACT_FUZZ_EXAMPLES`` asks for more, randomized."""
    wanted = int(os.environ.get("APACT_FUZZ_EXAMPLES", "0"))
    return settings(
        max_examples=max(examples, wanted * examples // 60),
        derandomize=not wanted,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )


# -- the mutations ---------------------------------------------------------------------------

#: stands for an integer too long for Python to convert (more than 4,300 digits)
HUGE = "\x00huge-integer\x00"

BAD_REGEXES = [
    "(",
    "[z-a]",
    "\\",
    "(?P<x>a)(?P<x>b)",
    "a{99999999999}",
    "(?:a?){30}a{30}",
    "(?:a?a?){20}b",
    "(?:\\w?){30}\\w{30}",
    "(a|a)*$",
    "\\p{L}+",
    "(?<=a+)b",
    "\\1(a)",
    "[[:alpha:]]",
    "",
]
ODD_STRINGS = [
    "",
    "@127.0.0.1:9/steal",
    "?x@host/",
    "#@host/x",
    "//host/x",
    "/a b/%zz/%00",
    "/\r\nX-Injected: 1",
    "☃",
    "é",
    "\ud800",
    "\udfff/x",
    "a" * 5000,
    "${steakId}",
    "$.body",
    "$[",
    "$..*",
    "$.body[*].*['a",
    "$.body[99999999999999999999]",
    "$['\\u0000']",
    "2024-13-45T25:61:61Z",
    "yyyy-MM-dd'T'HH:mm:ss'",
    "GE T",
    "application/json; charset=nope",
    "multipart/form-data; boundary=",
    "text/xml",
    "null",
]
ODD_MATCHERS: list[Any] = [{"match": "regex", "regex": regex} for regex in BAD_REGEXES[:8]] + [
    {"match": "type", "min": -1},
    {"match": "type", "max": "x"},
    {"match": "include"},
    {"match": "include", "value": 5},
    {"match": "values"},
    {"match": "arrayContains", "variants": "x"},
    {"match": "arrayContains", "variants": [{"index": 99, "rules": {"$": {"matchers": [{"match": "type"}]}}}]},
    {"match": "number"},
    {"match": "integer", "min": 10**20},
    {"match": "date", "format": "yyyy-MM-dd'"},
    {"match": "time", "format": "QQQQ GGGGG"},
    {"match": "timestamp", "timestamp": "yyyy"},
    {"match": "contentType", "value": "☃/☃"},
    {"match": "semver"},
    {"match": "eachKey", "rules": [{"match": "regex", "regex": "("}]},
    {"match": "eachValue", "rules": "x"},
    {"match": "notEmpty"},
    {"match": "statusCode", "status": "nope"},
    {"match": "statusCode", "status": [999, "x"]},
    {"match": "boolean"},
    {"match": "equality"},
    {"match": "nope"},
    {"match": None},
    {"regex": "\\d+"},
    {"min": 0},
]
ODD_GENERATORS: list[Any] = [
    {"type": "RandomInt", "min": 10, "max": 1},
    {"type": "RandomInt", "min": "a"},
    {"type": "RandomDecimal", "digits": 10**6},
    {"type": "RandomDecimal", "digits": -3},
    {"type": "RandomHexadecimal", "digits": 10**7},
    {"type": "RandomString", "size": -1},
    {"type": "RandomString", "size": 10**8},
    {"type": "Regex", "regex": "("},
    {"type": "Regex", "regex": "(?:a?){30}a{30}"},
    {"type": "Regex", "regex": "a{1000000}"},
    {"type": "Uuid", "format": "nope"},
    {"type": "Date", "format": "%%%"},
    {"type": "DateTime", "format": "yyyy-MM-dd'T'HH:mm:ss'", "expression": "+ 1 lightyear"},
    {"type": "Time", "expression": "@ noon + -"},
    {"type": "ProviderState", "expression": "${"},
    {"type": "ProviderState", "expression": "${missing}", "dataType": "INTEGER"},
    {"type": "MockServerURL", "regex": "(", "example": 5},
    {"type": "ArrayContains", "variants": [{"index": "x"}]},
    {"type": "Unknown"},
    {"type": None},
]
KEYS = [
    "matchingRules",
    "generators",
    "body",
    "headers",
    "query",
    "path",
    "method",
    "status",
    "contents",
    "metadata",
    "providerStates",
    "pending",
    "content",
    "contentType",
    "encoded",
    "$.body",
    "$.x[*]",
    "$",
    "",
    "\ud800",
]


def copied(value: Any) -> Any:
    """A copy (mutations must not touch the shared values); a JSON round trip, as
    ``copy.deepcopy`` recurses too deep for the deep values."""
    return json.loads(json.dumps(value))


#: stands for JSON nested deeper than Python can build or dump (arrays, this many levels)
DEEPER = "\x00deeper-than-python\x00"


def deep(depth: int, leaf: Any = 1) -> Any:
    value = leaf
    for level in range(depth):
        value = [value] if level % 2 else {"a": value}
    return value


def odd_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False),
        st.sampled_from([1e308, -0.0, 5e-324, 2**63, -(2**63) - 1, HUGE]),
        st.sampled_from(ODD_STRINGS),
        st.text(max_size=20),
    )
    structures = st.one_of(
        st.sampled_from(ODD_MATCHERS),
        st.sampled_from(ODD_GENERATORS),
        st.builds(
            lambda matchers: {"matchers": matchers, "combine": "OR"},
            st.lists(st.sampled_from(ODD_MATCHERS), max_size=3),
        ),
        st.builds(
            lambda key, generator: {key: generator},
            st.sampled_from(KEYS[:3] + ["$.id", "$[0]"]),
            st.sampled_from(ODD_GENERATORS),
        ),
        st.builds(deep, st.sampled_from([10, 60, 120, 126, 128, 400])),
        st.just(DEEPER),
        st.lists(scalars, max_size=4),
        st.dictionaries(st.sampled_from(KEYS), scalars, max_size=3),
    )
    return st.one_of(scalars, structures).map(copied)  # mutations must not touch the shared values


def nodes(document: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every JSON path in ``document`` (a tuple of keys and indexes), outermost first."""
    yield path
    if isinstance(document, dict):
        for key, value in document.items():
            yield from nodes(value, (*path, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from nodes(value, (*path, index))


def at(document: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        document = document[step]
    return document


@st.composite
def mutated_pacts(draw: st.DrawFn) -> str:
    """The text of a real pact after one to four mutations."""
    document = copied(draw(st.sampled_from(SEED_DOCUMENTS)))
    for _ in range(draw(st.integers(1, 4))):
        paths = list(nodes(document))
        path = paths[draw(st.integers(0, len(paths) - 1))]
        if not path:
            continue  # the document itself stays an object: its own errors are the dull ones
        parent, step = at(document, path[:-1]), path[-1]
        action = draw(st.sampled_from(["replace", "replace", "delete", "add", "wrap", "swap", "rename"]))
        if action == "replace":
            parent[step] = draw(odd_values())
        elif action == "delete":
            del parent[step]
        elif action == "add":
            target = parent[step]
            if isinstance(target, dict):
                target[draw(st.sampled_from(KEYS))] = draw(odd_values())
            elif isinstance(target, list):
                target.append(draw(odd_values()))
            else:
                parent[step] = draw(odd_values())
        elif action == "wrap":
            parent[step] = draw(
                st.sampled_from([[parent[step]], {"value": parent[step]}, deep(130, parent[step])]).map(copied)
            )
        elif action == "swap":
            other = paths[draw(st.integers(0, len(paths) - 1))]
            if other and other[: len(path)] != path and path[: len(other)] != other:
                parent[step] = copied(at(document, other))
        elif action == "rename" and isinstance(parent, dict):
            parent[draw(st.sampled_from(KEYS))] = parent.pop(step)
    text = json.dumps(document, ensure_ascii=draw(st.booleans()))
    return text.replace(json.dumps(HUGE), "9" * 5000).replace(json.dumps(DEEPER), "[" * 100_000 + "]" * 100_000)


# -- apact check -----------------------------------------------------------------------------


def run_check(text: str) -> tuple[int, str, str]:
    """``apact check`` on ``text`` through its Python entry: (exit code, stdout, stderr)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "Consumer-Provider.json"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["check", str(path)])
    return code, out.getvalue(), err.getvalue()


@fuzz_settings(150)
@given(mutated_pacts())
def test_apact_check_says_valid_or_invalid_with_a_reason(text: str) -> None:
    code, out, err = run_check(text)
    assert code in (0, 1), (code, out, err)
    assert "Traceback" not in out + err
    if code == 1:
        assert "invalid: " in err and "Consumer-Provider.json" in err, err
    else:
        assert ": valid" in out


@fuzz_settings(4)
@given(mutated_pacts())
def test_apact_check_as_a_process_exits_cleanly(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "Consumer-Provider.json"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        done = subprocess.run(
            [sys.executable, "-m", "apact", "check", str(path)], capture_output=True, text=True, timeout=120
        )
    assert done.returncode in (0, 1), done
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stdout.strip() or done.stderr.strip()


def loaded(text: str) -> PactFile | None:
    """The pact, or ``None`` for one apact refuses up front (with its own error)."""
    try:
        return pactfile.loads(text, file="Consumer-Provider.json")
    except PactFileError as error:
        assert str(error)
        return None


# -- the verifier ----------------------------------------------------------------------------


def answer_for(pact: PactFile, method: str, path: str) -> HttpResponse:
    """What the tiny provider answers: the pact's own response for this request (so the
    matching goes as deep as it can), else a plain JSON 200."""
    for interaction in pact.interactions:
        if isinstance(interaction, HttpInteraction) and interaction.request.path == path:
            if interaction.request.method.upper() == method.upper():
                return interaction.response
    return HttpResponse(200)


def response_parts(response: HttpResponse) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    status = response.status if 100 <= response.status <= 999 else 200
    headers = []
    for name, values in (response.headers or {}).items():
        for value in values:
            raw_name = name.encode("latin-1", "replace")
            raw_value = value.encode("latin-1", "replace")
            if re.fullmatch(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+", raw_name) and not re.search(rb"[\r\n\x00]", raw_value):
                if raw_name.lower() not in (b"content-length", b"transfer-encoding", b"connection"):
                    headers.append((raw_name, raw_value))
    body = response.body.content if response.body is not None else b'{"id": 1}'
    return status, headers, body


def tiny_app(pact: PactFile) -> Callable[..., Any]:
    async def app(scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        while (await receive()).get("more_body"):
            pass
        status, headers, body = response_parts(answer_for(pact, scope["method"], scope["path"]))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


def producing(verifier: Verifier, pact: PactFile) -> None:
    """A producer per message, answering the pact's own message."""
    for interaction in pact.interactions:
        if isinstance(interaction, AsyncMessage):
            expected = interaction.message
        elif isinstance(interaction, SyncMessage):
            expected = interaction.responses[0] if interaction.responses else interaction.request
        else:
            continue

        def produce(params: object, expected: Any = expected) -> Message:
            contents = expected.contents.content if expected.contents is not None else None
            kind = expected.contents.content_type if expected.contents is not None else None
            return Message(contents, metadata=dict(expected.metadata), content_type=kind)

        with contextlib.suppress(ValueError):  # two messages with one description: the first produces
            verifier.message(interaction.description)(produce)


def assert_only_apact_errors(verify: Callable[[], Any]) -> None:
    try:
        result = anyio.run(verify)
    except ApactError as error:
        assert str(error)
        return
    for pact in result.pacts:
        for item in pact.interactions:
            crashes = [error for error in item.errors if error.kind in CRASHES]
            assert not crashes, "\n".join(f"{error}\n{error.traceback}" for error in crashes)
    # every form of the report renders too
    assert result.report(verbose=True, table=True)
    json.dumps(result.to_json())
    assert result.to_junit_xml()


@fuzz_settings(100)
@given(mutated_pacts())
def test_the_verifier_in_process_fails_bad_interactions_with_its_own_errors(text: str) -> None:
    pact = loaded(text)
    if pact is None:
        return
    verifier = Verifier(pact.provider, app=tiny_app(pact), request_timeout=2, ignore_missing_states=True)
    producing(verifier, pact)
    assert_only_apact_errors(lambda: verifier.verify(pact))


class PactServer:
    """A small real HTTP server on loopback answering as :func:`answer_for` says, for
    the pact the current example set."""

    def __init__(self) -> None:
        self.pact = PactFile("Consumer", "Provider")
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                path = self.path.split("?", 1)[0]
                status, headers, body = response_parts(answer_for(owner.pact, self.command, path))
                self.send_response_only(status)
                for name, value in headers:
                    self.send_header(name.decode("latin-1"), value.decode("latin-1"))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> PactServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=30)


@pytest.fixture(scope="module")
def pact_server() -> Iterator[PactServer]:
    with PactServer() as server:
        yield server


@fuzz_settings(25)
@given(text=mutated_pacts())
def test_the_verifier_over_http_fails_bad_interactions_with_its_own_errors(pact_server: PactServer, text: str) -> None:
    pact = loaded(text)
    if pact is None:
        return
    pact_server.pact = pact
    verifier = Verifier(
        pact.provider,
        base_url=pact_server.url,
        request_timeout=2,
        ignore_missing_states=True,
        headers={"X-Api-Key": "SECRET"},
    )
    producing(verifier, pact)
    assert_only_apact_errors(lambda: verifier.verify(pact))


# -- the stub --------------------------------------------------------------------------------


def raw_requests(pact: PactFile) -> Iterator[tuple[str, bytes, bytes, list[tuple[bytes, bytes]], bytes]]:
    """Each HTTP interaction's request as raw ASGI parts, odd bytes and all, and a
    request that matches none."""
    for interaction in pact.interactions:
        if not isinstance(interaction, HttpInteraction):
            continue
        request = interaction.request
        path = request.path.encode("utf-8", "surrogatepass")
        if request.raw_query is not None:
            query = request.raw_query.encode("utf-8", "surrogatepass")
        else:
            query = b"&".join(
                f"{name}={value}".encode("utf-8", "surrogatepass")
                for name, values in (request.query or {}).items()
                for value in values
            )
        headers = [
            (name.lower().encode("utf-8", "surrogatepass"), value.encode("utf-8", "surrogatepass"))
            for name, values in (request.headers or {}).items()
            for value in values
        ]
        body = request.body.content if request.body is not None else b""
        yield request.method, path, query, headers, body
    yield (
        "POST",
        b"/\xff\xfe",
        b"a=%zz&\xff",
        [(b"content-type", b"application/json")],
        b'{"a": "\\ud800"}' + b"[" * 3000,
    )


async def call(
    app: Any, method: str, path: bytes, query: bytes, headers: list[tuple[bytes, bytes]], body: bytes
) -> tuple[int, bytes]:
    """One request straight into the ASGI app: its status and body."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path.decode("utf-8", "replace"),
        "raw_path": path,
        "query_string": query,
        "root_path": "",
        "headers": [*headers, (b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    sent = [{"type": "http.request", "body": body, "more_body": False}]
    started: list[int] = []
    answer = bytearray()

    async def receive() -> dict[str, Any]:
        return sent.pop() if sent else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            started.append(message["status"])
        elif message["type"] == "http.response.body":
            answer.extend(message.get("body", b""))

    await app(scope, receive, send)
    assert started, "no response"
    return started[0], bytes(answer)


@fuzz_settings(100)
@given(mutated_pacts())
def test_the_stub_answers_every_request_without_a_500(text: str) -> None:
    pact = loaded(text)
    if pact is None:
        return
    lines: list[str] = []
    stub = build([pact], log=lambda line, unexpected: lines.append(line))

    async def requests() -> None:
        for method, path, query, headers, body in raw_requests(pact):
            status, answer = await call(stub.app, method, path, query, headers, body)
            assert b"Traceback" not in answer
            if status == 500 and not any(i.response.status == 500 for i in stub.interactions):
                # the mock's answer to a request no interaction expects: a report, in JSON
                assert "unexpected request" in lines[-1], lines
                assert json.loads(answer, parse_int=str), answer  # its numbers may be longer than int() takes

    anyio.run(requests)


def answered(response: httpx.Response) -> None:
    """An answer, or the stub's 500 for a request no interaction expects: its JSON
    report, never a crash."""
    assert "Traceback" not in response.text
    if response.status_code == 500:
        assert json.loads(response.text, parse_int=str), response.text


def test_apact_stub_as_a_process_serves_a_hostile_pact_and_stops_cleanly(tmp_path: Path) -> None:
    """A real ``apact stub`` on a pact full of odd corners answers hostile requests, keeps
    answering, and stops on SIGTERM without a traceback; a broken pact is exit 2."""
    document = json.loads((ROOT / "fixtures" / "pact-python" / "v4-http.json").read_text(encoding="utf-8"))
    first = document["interactions"][0]
    first["request"]["path"] = "/caf\u00e9/%zz/\u2603"
    first["request"]["matchingRules"] = {"path": {"matchers": [{"match": "regex", "regex": "(?:a?){30}a{30}"}]}}
    first["response"]["body"] = {"content": deep(120), "contentType": "application/json", "encoded": False}
    pact = tmp_path / "Consumer-Provider.json"
    pact.write_text(json.dumps(document), encoding="utf-8")
    broken = tmp_path / "Broken-Provider.json"
    broken.write_text(
        json.dumps({**document, "interactions": [{**first, "request": {"path": deep(300)}}]}), encoding="utf-8"
    )

    refused = subprocess.run(
        [sys.executable, "-m", "apact", "stub", str(broken), "--port", "0"], capture_output=True, text=True, timeout=120
    )
    assert refused.returncode == 2 and "Broken-Provider.json" in refused.stderr and "Traceback" not in refused.stderr, (
        refused
    )

    process = subprocess.Popen(
        [sys.executable, "-m", "apact", "stub", str(pact), "--port", "0", "--max-body-size", "64k"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        readable, _, _ = select.select([process.stdout], [], [], 60)
        found = re.search(r"(http://\S+)", process.stdout.readline() if readable else "")
        assert found, "the stub never said where it serves"
        url = found.group(1)
        with httpx.Client(base_url=url, timeout=30) as client:
            for path in ("/caf%C3%A9/%25zz/%E2%98%83", "/" + "a" * 100 + "!", "/%ED%A0%80", "/x?" + "a=%ff&" * 500):
                answered(client.get(path))
            answered(client.post("/", content=b"[" * 60_000, headers={"Content-Type": "application/json"}))
            answered(client.post("/", content=b'{"a": "\\ud800"}', headers={"Content-Type": "application/json"}))
            assert client.post("/", content=b"x" * 100_000).status_code == 413
            started = time.monotonic()
            answered(client.get("/" + "a" * 100 + "!"))
            assert time.monotonic() - started < 10  # the hostile regex is bounded: generous, not a benchmark
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            _, err = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            _, err = process.communicate()
            raise AssertionError(f"the stub ignored SIGTERM: {err}") from None
    assert process.returncode == 0, err
    assert "Traceback" not in err, err


# -- what the fuzzing found, as minimal examples ---------------------------------------------


def test_a_response_header_that_is_not_latin_1_is_answered_as_utf_8() -> None:
    """Found by the fuzzing: the stub (and the mock) crashed with UnicodeEncodeError
    answering a pact whose response header value is not Latin-1 (``☃``). They answer it
    as UTF-8 bytes, as the official mock server does."""
    pact = pactfile.loads(
        json.dumps(
            {
                "consumer": {"name": "C"},
                "provider": {"name": "P"},
                "interactions": [
                    {
                        "type": "Synchronous/HTTP",
                        "description": "a snowman",
                        "request": {"method": "GET", "path": "/greeting"},
                        "response": {"status": 200, "headers": {"X-Snow": ["☃"], "Content-Type": "caf\u00e9"}},
                    }
                ],
                "metadata": {"pactSpecification": {"version": "4.0"}},
            }
        )
    )
    stub = build([pact])
    sent: list[MutableMapping[str, Any]] = []

    async def request() -> None:
        async def send(message: MutableMapping[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "method": "GET",
            "path": "/greeting",
            "raw_path": b"/greeting",
            "query_string": b"",
            "headers": [],
        }
        await stub.app(scope, lambda: _request_message(), send)

    anyio.run(request)
    assert sent[0]["status"] == 200
    assert (b"x-snow", "☃".encode()) in sent[0]["headers"]
    assert (b"content-type", "caf\u00e9".encode("latin-1")) in sent[0]["headers"]


async def _request_message() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


def test_an_integer_too_long_for_python_is_a_pact_file_error(tmp_path: Path) -> None:
    """Found by the fuzzing: a pact holding an integer of more than 4,300 digits made
    ``pactfile.loads`` raise a bare ValueError, and ``apact check`` print a traceback."""
    text = '{"consumer": {"name": "C"}, "provider": {"name": "P"}, "interactions": [], "n": ' + "9" * 5000 + "}"
    with pytest.raises(PactFileError, match="digits"):
        pactfile.loads(text, file="C-P.json")
    code, out, err = run_check(text)
    assert code == 1 and "invalid: " in err and "Traceback" not in out + err, err


def test_an_unexpected_request_with_a_lone_surrogate_gets_its_report() -> None:
    """Found by the fuzzing: the mock's report on an unexpected request whose JSON body
    holds a lone surrogate (``"\\ud800"``) failed to encode, and the stub answered a 500
    with an empty body. The report quotes it as the JSON escape it was."""
    pact = pactfile.load(ROOT / "fixtures" / "pact-python" / "v4-http.json")
    stub = build([pact])
    status, answer = anyio.run(
        call, stub.app, "POST", b"/", b"", [(b"content-type", b"application/json")], b'{"a": "\\ud800"}'
    )
    assert status == 500
    assert "\\ud800" in json.dumps(json.loads(answer, parse_int=str)), answer
