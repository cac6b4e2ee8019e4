"""Request-side rules, judged by the official core and by apact (issue 16): the same
small pacts (pact-go v1's indexed rule keys, old ``requestMatchingRules``, query and
header rules per value, a header given several times) are served by the core's mock
server (``pact mock``, the Rust core that pact-python 4.2 ships) and by ``apact stub``,
both real processes, and the same requests, some matching and some not, must get the
same verdict from both: the interaction's answer, or the ``500`` of a request that
matches nothing. The plain request parts around the rules (query encodings, bodies,
content types, paths) are compared alike; the one difference found, percent-encoded
paths, is a strict expected failure documented in docs/conformance.md. How apact reads
each shape is tested in tests/pact/test_core_shapes.py; the provider side is compared
in tests/verifier/test_verifier_core_shapes.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import pytest

from ..hostile import server_process

PACT_CLI = shutil.which("pact", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
if PACT_CLI is None:
    pytest.skip("the official pact CLI (pact-python 4.2's `pact`) is not installed", allow_module_level=True)

#: the core phones home unless told not to
CORE_ENVIRONMENT = {**os.environ, "PACT_DO_NOT_TRACK": "true"}

#: a request sent: what follows the case's path in its URL (``?foo=1``), its headers
#: (repeated names are sent as separate header lines), and its body, if any (a string is
#: sent as it is, anything else as JSON)
Sent = tuple[str, list[tuple[str, str]], Any]


class Case(NamedTuple):
    """One interaction (its path is its name), the requests that match it and those that do not."""

    version: str
    request: dict[str, Any]
    matching: list[Sent]
    mismatching: list[Sent]
    #: why apact's verdict differs from the core's on every request of the case
    differs: str | None = None


PATH_DIFFERS = (
    "apact's mock and stub match the path percent-decoded, the core's mock server as sent (docs/conformance.md)"
)


def _get(path: str, **more: Any) -> dict[str, Any]:
    return {"method": "GET", "path": path, **more}


def _regex(pattern: str) -> dict[str, Any]:
    return {"matchers": [{"match": "regex", "regex": pattern}]}


CASES: dict[str, Case] = {
    # pact-go v1 wrote V2 query and header rules with the index of the value
    "/v2-query-indexed": Case(
        "2.0.0",
        _get("/v2-query-indexed", query="foo=1", matchingRules={"$.query.foo[0]": {"match": "regex", "regex": "\\d+"}}),
        [("?foo=7", [], None)],
        [("?foo=x", [], None), ("", [], None)],
    ),
    "/v2-query": Case(
        "2.0.0",
        _get("/v2-query", query="foo=1", matchingRules={"$.query.foo": {"match": "regex", "regex": "\\d+"}}),
        [("?foo=7", [], None)],
        [("?foo=x", [], None)],
    ),
    "/v2-query-several-values": Case(
        "2.0.0",
        _get(
            "/v2-query-several-values",
            query="foo=1&foo=2",
            matchingRules={"$.query.foo": {"match": "regex", "regex": "\\d+"}},
        ),
        [("?foo=7&foo=8", [], None), ("?foo=7", [], None), ("?foo=7&foo=8&foo=9", [], None)],
        [("?foo=7&foo=x", [], None), ("?foo=x&foo=8", [], None)],
    ),
    "/v2-query-second-value-indexed": Case(
        "2.0.0",
        _get(
            "/v2-query-second-value-indexed",
            query="foo=1&foo=2",
            matchingRules={"$.query.foo[1]": {"match": "regex", "regex": "\\d+"}},
        ),
        [("?foo=1&foo=7", [], None), ("?foo=7&foo=8", [], None)],
        [("?foo=1&foo=x", [], None)],
    ),
    "/v2-headers-indexed": Case(
        "2.0.0",
        _get(
            "/v2-headers-indexed",
            headers={"X-Token": "42"},
            matchingRules={"$.headers['X-Token'][0]": {"match": "regex", "regex": "\\d+"}},
        ),
        [("", [("X-Token", "7")], None)],
        [("", [("X-Token", "seven")], None), ("", [], None)],
    ),
    "/v2-header-indexed": Case(  # pact-go v1's spelling: `header`, not `headers`
        "2.0.0",
        _get(
            "/v2-header-indexed",
            headers={"se-token": "42"},
            matchingRules={"$.header['se-token'][0]": {"match": "regex", "regex": "\\d+"}},
        ),
        [("", [("se-token", "7")], None)],
        [("", [("se-token", "seven")], None)],
    ),
    "/v2-request-matching-rules": Case(
        "2.0.0",
        {
            "method": "POST",
            "path": "/v2-request-matching-rules",
            "headers": {"Content-Type": "application/json"},
            "body": {"id": 1},
            "requestMatchingRules": {
                "$.body.id": {"match": "type"},
                "$.query.foo": {"match": "regex", "regex": "\\d+"},
            },
            "query": "foo=1",
        },
        [("?foo=7", [("Content-Type", "application/json")], {"id": 2})],
        [
            ("?foo=7", [("Content-Type", "application/json")], {"id": "2"}),
            ("?foo=x", [("Content-Type", "application/json")], {"id": 2}),
        ],
    ),
    "/v3-query-per-value": Case(
        "3.0.0",
        _get("/v3-query-per-value", query={"foo": ["1", "2"]}, matchingRules={"query": {"foo": _regex("\\d+")}}),
        [("?foo=7&foo=8", [], None), ("?foo=7", [], None), ("?foo=7&foo=8&foo=9", [], None)],
        [("?foo=7&foo=x", [], None)],
    ),
    "/v3-request-matching-rules": Case(
        "3.0.0",
        _get(
            "/v3-request-matching-rules",
            query={"foo": ["1"]},
            headers={"X-Token": "42"},
            requestMatchingRules={"query": {"foo": _regex("\\d+")}, "header": {"X-Token": _regex("\\d+")}},
        ),
        [("?foo=7", [("X-Token", "8")], None)],
        [("?foo=x", [("X-Token", "8")], None), ("?foo=7", [("X-Token", "eight")], None)],
    ),
    "/v3-header-rule": Case(
        "3.0.0",
        _get("/v3-header-rule", headers={"X-Token": "42"}, matchingRules={"header": {"X-Token": _regex("\\d+")}}),
        [("", [("X-Token", "8")], None)],
        [("", [("X-Token", "eight")], None)],
    ),
    "/v4-header-several-times": Case(
        "4.0",
        _get(
            "/v4-header-several-times",
            headers={"X-Test": ["1000", "1234", "9999"]},
            matchingRules={"header": {"X-Test": _regex("\\d+")}},
        ),
        [("", [("X-Test", "1"), ("X-Test", "2"), ("X-Test", "3")], None), ("", [("X-Test", "1")], None)],
        [
            ("", [("X-Test", "1"), ("X-Test", "x"), ("X-Test", "3")], None),
            ("", [("X-Test", "1, 2, 3")], None),  # one value (the core does not split it), not a number
        ],
    ),
    "/v4-one-header-value-with-commas": Case(
        "4.0",
        _get(
            "/v4-one-header-value-with-commas",
            headers={"X-Test": ["1000"]},
            matchingRules={"header": {"X-Test": _regex("\\d+")}},
        ),
        [("", [("X-Test", "1")], None)],
        [("", [("X-Test", "1, 2")], None)],
    ),
    "/v4-query-per-value": Case(
        "4.0",
        _get("/v4-query-per-value", query={"foo": ["1", "2"]}, matchingRules={"query": {"foo": _regex("\\d+")}}),
        [("?foo=7&foo=8", [], None)],
        [("?foo=7&foo=x", [], None)],
    ),
    "/v2-path-rule": Case(
        "2.0.0",
        _get("/v2-path-rule/1", matchingRules={"$.path": {"match": "regex", "regex": "/v2-path-rule/\\d+"}}),
        [("/1", [], None), ("/77", [], None)],
        [("/x", [], None), ("", [], None)],
    ),
    "/v3-accept-list": Case(
        "3.0.0",
        _get("/v3-accept-list", headers={"Accept": "text/html, application/json"}),
        [
            ("", [("Accept", "text/html,application/json")], None),
            ("", [("Accept", "text/html"), ("Accept", "application/json")], None),
        ],
        [("", [("Accept", "application/json, text/html")], None)],
    ),
    "/v3-query-order": Case(
        "3.0.0",
        _get("/v3-query-order", query={"a": ["1"], "b": ["x y"]}),
        [("?b=x%20y&a=1", [], None), ("?a=1&b=x+y", [], None)],
        [("?a=1", [], None), ("?a=1&b=x+y&c=3", [], None)],
    ),
    "/v2-headers-indexed-lower-case": Case(
        "2.0.0",
        _get(
            "/v2-headers-indexed-lower-case",
            headers={"X-Token": "42"},
            matchingRules={"$.headers['x-token'][0]": {"match": "regex", "regex": "\\d+"}},
        ),
        [("", [("X-Token", "7")], None)],
        [("", [("X-Token", "seven")], None)],
    ),
    "/v3-header-rule-lower-case": Case(
        "3.0.0",
        _get(
            "/v3-header-rule-lower-case",
            headers={"X-Token": "42"},
            matchingRules={"header": {"x-token": _regex("\\d+")}},
        ),
        [("", [("x-token", "8")], None)],
        [("", [("X-TOKEN", "eight")], None)],
    ),
    "/v3-content-type-parameters": Case(
        "3.0.0",
        {
            "method": "POST",
            "path": "/v3-content-type-parameters",
            "headers": {"Content-Type": "application/json"},
            "body": {"id": 1},
        },
        [
            ("", [("Content-Type", "application/json; charset=utf-8")], {"id": 1}),
            ("", [("Content-Type", "application/json")], {"id": 1}),
        ],
        [("", [("Content-Type", "text/plain")], {"id": 1})],
    ),
    "/v3-content-type-charset": Case(
        "3.0.0",
        {
            "method": "POST",
            "path": "/v3-content-type-charset",
            "headers": {"Content-Type": "application/json; charset=utf-8"},
            "body": {"id": 1},
        },
        [("", [("Content-Type", "application/json;charset=UTF-8")], {"id": 1})],
        [("", [("Content-Type", "application/json")], {"id": 1})],
    ),
    "/v3-method-lower-case": Case(
        "3.0.0",
        {"method": "get", "path": "/v3-method-lower-case"},
        [("", [], None)],
        [],
    ),
    "/v3-empty-query-value": Case(
        "3.0.0",
        _get("/v3-empty-query-value", query={"foo": [""]}),
        [("?foo=", [], None), ("?foo", [], None)],
        [("?foo=1", [], None)],
    ),
    "/v3-include-header": Case(
        "3.0.0",
        _get(
            "/v3-include-header",
            headers={"X-Kind": "steak, rare"},
            matchingRules={"header": {"X-Kind": {"matchers": [{"match": "include", "value": "steak"}]}}},
        ),
        [("", [("X-Kind", "a steak, well done")], None)],
        [("", [("X-Kind", "fish")], None)],
    ),
    "/v4-query-min-type": Case(
        "4.0",
        _get(
            "/v4-query-min-type",
            query={"foo": ["1", "2"]},
            matchingRules={"query": {"foo": {"matchers": [{"match": "type", "min": 2}]}}},
        ),
        [("?foo=a&foo=b", [], None), ("?foo=a&foo=b&foo=c", [], None)],
        [("?foo=a", [], None)],
    ),
    "/v3-no-query": Case("3.0.0", _get("/v3-no-query"), [("", [], None)], [("?x=1", [], None)]),
    "/v3-query-repeated-without-rule": Case(
        "3.0.0",
        _get("/v3-query-repeated-without-rule", query={"a": ["1"]}),
        [("?a=1", [], None)],
        [("?a=1&a=1", [], None), ("?a=1&a=2", [], None)],
    ),
    "/v3-query-values-without-rule": Case(
        "3.0.0",
        _get("/v3-query-values-without-rule", query={"a": ["1", "2"]}),
        [("?a=1&a=2", [], None)],
        [("?a=1", [], None), ("?a=2&a=1", [], None)],
    ),
    "/v3-no-body-in-the-pact": Case(
        "3.0.0",
        {"method": "POST", "path": "/v3-no-body-in-the-pact"},
        [("", [("Content-Type", "application/json")], {"id": 1}), ("", [], None)],
        [],
    ),
    "/v3-body-missing": Case(
        "3.0.0",
        {
            "method": "POST",
            "path": "/v3-body-missing",
            "headers": {"Content-Type": "application/json"},
            "body": {"id": 1},
        },
        [],
        [("", [("Content-Type", "application/json")], None)],
    ),
    "/v2-header-with-commas-rule": Case(
        "2.0.0",
        _get(
            "/v2-header-with-commas-rule",
            headers={"X-Test": "1, 2"},
            matchingRules={"$.headers.X-Test": {"match": "regex", "regex": "\\d+"}},
        ),
        [("", [("X-Test", "7")], None)],
        # before V4 a header's value is one string: the rule applies to all of it
        [("", [("X-Test", "7, 8")], None), ("", [("X-Test", "7, x")], None)],
    ),
    "/v3-request-body-extra-key": Case(
        "3.0.0",
        {
            "method": "POST",
            "path": "/v3-request-body-extra-key",
            "headers": {"Content-Type": "application/json"},
            "body": {"id": 1},
        },
        [],
        [("", [("Content-Type", "application/json")], {"id": 1, "x": 2})],
    ),
    "/v3-form-body-rule": Case(
        "3.0.0",
        {
            "method": "POST",
            "path": "/v3-form-body-rule",
            "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            "body": "a=1&b=2",
            "matchingRules": {"body": {"$.b": _regex("\\d+")}},
        },
        [
            ("", [("Content-Type", "application/x-www-form-urlencoded")], "a=1&b=7"),
            ("", [("Content-Type", "application/x-www-form-urlencoded")], "b=7&a=1"),
        ],
        [
            ("", [("Content-Type", "application/x-www-form-urlencoded")], "a=1&b=x"),
            ("", [("Content-Type", "application/x-www-form-urlencoded")], "a=2&b=7"),
        ],
    ),
    "/v3-text-body": Case(
        "3.0.0",
        {"method": "POST", "path": "/v3-text-body", "headers": {"Content-Type": "text/plain"}, "body": "rare"},
        [("", [("Content-Type", "text/plain")], "rare"), ("", [("Content-Type", "text/plain; charset=utf-8")], "rare")],
        [("", [("Content-Type", "text/plain")], "rare\n")],
    ),
    "/v3-query-name-case": Case(
        "3.0.0", _get("/v3-query-name-case", query={"foo": ["1"]}), [("?foo=1", [], None)], [("?FOO=1", [], None)]
    ),
    "/v3-trailing-slash": Case("3.0.0", _get("/v3-trailing-slash"), [], [("/", [], None)]),
    # the core's mock server compares the path as sent, still percent-encoded; apact
    # compares it decoded (as ASGI gives it), so it matches a pact's "/a b" and not "/a%20b"
    "/v3-path with space": Case("3.0.0", _get("/v3-path with space"), [], [("", [], None)], differs=PATH_DIFFERS),
    "/v3-café": Case("3.0.0", _get("/v3-café"), [], [("", [], None)], differs=PATH_DIFFERS),
    "/v3-path%20encoded": Case("3.0.0", _get("/v3-path%20encoded"), [("", [], None)], [], differs=PATH_DIFFERS),
    "/v3-query-plus": Case(
        "3.0.0",
        _get("/v3-query-plus", query={"q": ["a+b"]}),
        [("?q=a%2Bb", [], None)],
        [("?q=a+b", [], None), ("?q=a%20b", [], None)],
    ),
    "/v2-query-plus": Case(
        "2.0.0", _get("/v2-query-plus", query="q=a+b"), [("?q=a+b", [], None)], [("?q=a%2Bb", [], None)]
    ),
    "/v2-query-encoded": Case(
        "2.0.0",
        _get("/v2-query-encoded", query="q=a%20b&r=%2F"),
        [("?q=a%20b&r=%2F", [], None), ("?q=a+b&r=/", [], None)],
        [],
    ),
    "/v3-json-array-min": Case(
        "3.0.0",
        {
            "method": "POST",
            "path": "/v3-json-array-min",
            "headers": {"Content-Type": "application/json"},
            "body": {"sides": [{"n": 1}]},
            "matchingRules": {"body": {"$.sides": {"matchers": [{"match": "type", "min": 1}]}}},
        },
        [("", [("Content-Type", "application/json")], {"sides": [{"n": 2}, {"n": 3}]})],
        [
            ("", [("Content-Type", "application/json")], {"sides": []}),
            ("", [("Content-Type", "application/json")], {"sides": [{"n": "2"}]}),
        ],
    ),
    # a rule of values over an empty example object says nothing of the values, and a
    # request may carry no key the pact does not list: the core fails any key (found by
    # the differential run, tests/fixtures/pact-python/differential_requests.py)
    "/v3-values-of-an-empty-object": Case(
        "3.0.0",
        {
            "method": "POST",
            "path": "/v3-values-of-an-empty-object",
            "headers": {"Content-Type": "application/json"},
            "body": {"m": {}},
            "matchingRules": {"body": {"$.m": {"matchers": [{"match": "values"}]}}},
        },
        [("", [("Content-Type", "application/json")], {"m": {}})],
        [("", [("Content-Type", "application/json")], {"m": {"b": 1}})],
    ),
    # ... nor does an eachValue's own "value" stand in for the example (the core ignores it)
    "/v4-each-value-of-an-empty-object": Case(
        "4.0",
        {
            "method": "POST",
            "path": "/v4-each-value-of-an-empty-object",
            "headers": {"Content-Type": "application/json"},
            "body": {"content": {"m": {}}, "contentType": "application/json", "encoded": False},
            "matchingRules": {
                "body": {"$.m": {"matchers": [{"match": "eachValue", "rules": [{"match": "type"}], "value": {"x": 1}}]}}
            },
        },
        [("", [("Content-Type", "application/json")], {"m": {}})],
        [
            ("", [("Content-Type", "application/json")], {"m": {"b": 2}}),
            ("", [("Content-Type", "application/json")], {"m": {"b": "s"}}),
        ],
    ),
    # a pact's request body that is not what its content type says matches no request,
    # not even the same bytes (the core: "Failed to parse the expected body")
    "/v3-xml-body-not-well-formed": Case(
        "3.0.0",
        {
            "method": "POST",
            "path": "/v3-xml-body-not-well-formed",
            "headers": {"Content-Type": "application/xml"},
            "body": "<order><side></order>",
        },
        [],
        [
            ("", [("Content-Type", "application/xml")], "<order><side></order>"),
            ("", [("Content-Type", "application/xml")], "<order><side/></order>"),
        ],
    ),
    "/v4-xml-body-not-well-formed": Case(
        "4.0",
        {
            "method": "POST",
            "path": "/v4-xml-body-not-well-formed",
            "headers": {"Content-Type": ["application/xml"]},
            "body": {"content": "medium rare", "contentType": "application/xml", "encoded": False},
        },
        [],
        [("", [("Content-Type", "application/xml")], "medium rare")],
    ),
    "/v4-json-body-not-json": Case(
        "4.0",
        {
            "method": "POST",
            "path": "/v4-json-body-not-json",
            "headers": {"Content-Type": ["application/json"]},
            # base64 of "{medium rare"
            "body": {"content": "e21lZGl1bSByYXJl", "contentType": "application/json", "encoded": "base64"},
        },
        [],
        [("", [("Content-Type", "application/json")], "{medium rare")],
    ),
}

#: the core's name for each version (``pact mock create --specification``)
SPECIFICATIONS = {"2.0.0": "V2", "3.0.0": "V3", "4.0": "V4"}


def pact_for(version: str) -> dict[str, Any]:
    interactions = []
    for path, case in CASES.items():
        if case.version != version:
            continue
        interaction: dict[str, Any] = {"description": path, "request": case.request, "response": {"status": 200}}
        if version == "4.0":
            interaction["type"] = "Synchronous/HTTP"
        interactions.append(interaction)
    return {
        "consumer": {"name": "Sous Chef"},
        "provider": {"name": "Grill Chef"},
        "interactions": interactions,
        "metadata": {"pactSpecification": {"version": version}},
    }


def _wait_for(pattern: str, log: Path, process: subprocess.Popen[bytes], timeout: float = 30) -> re.Match[str]:
    deadline = time.monotonic() + timeout
    while True:
        found = re.search(pattern, log.read_text(errors="replace"))
        if found:
            return found
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"no {pattern!r} from {process.args!r}: {log.read_text(errors='replace')}")
        time.sleep(0.05)


@contextmanager
def core_master(directory: Path) -> Iterator[str]:
    """The core's master mock server on a free port (its port); it, and with it every
    mock server it made, is stopped and reaped when the block ends."""
    assert PACT_CLI is not None
    log = directory / "pact-mock-master.txt"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [PACT_CLI, "mock", "start", "--host", "127.0.0.1", "--port", "0", "--no-file-log", "--no-term-log"],
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=directory,
            env=CORE_ENVIRONMENT,
        )
    try:
        port = _wait_for(r"Master server started on port (\d+)", log, process).group(1)
        yield port
    finally:
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
    assert process.returncode is not None


def core_mock_server(master_port: str, pact: Path, version: str) -> str:
    """A mock server of the core's master made from ``pact``: its URL."""
    assert PACT_CLI is not None
    created = subprocess.run(
        [PACT_CLI, "mock", "create", "--host", "127.0.0.1", "--port", master_port, "--file", str(pact)]
        + ["--specification", SPECIFICATIONS[version]],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=pact.parent,
        env=CORE_ENVIRONMENT,
    )
    found = re.search(r"started on port (\d+)", created.stdout + created.stderr)
    assert created.returncode == 0 and found, created.stdout + created.stderr
    return f"http://127.0.0.1:{found.group(1)}"


class Servers(NamedTuple):
    core: dict[str, str]
    apact: dict[str, str]


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """Per specification version, one pact file served by the core and by ``apact stub``."""
    directory = tmp_path_factory.mktemp("request-rules")
    with ExitStack() as stack:
        master = stack.enter_context(core_master(directory))
        core, ours = {}, {}
        for version in SPECIFICATIONS:
            pact = directory / f"request-rules-{version}.json"
            pact.write_text(json.dumps(pact_for(version)))
            core[version] = core_mock_server(master, pact, version)
            stub = stack.enter_context(server_process(["-m", "apact", "stub", str(pact), "--quiet"], directory))
            ours[version] = stub.url
        yield Servers(core, ours)


#: the headers each server sets on its ``500`` for a request that matched no interaction
#: (the core: ``Request-Mismatch`` when one interaction is close, else ``Unexpected-Request``)
MISMATCH_MARKS = {("x-pact", "Request-Mismatch"), ("x-pact", "Unexpected-Request"), ("x-apact", "unexpected-request")}


def matched(base_url: str, path: str, sent: Sent) -> bool:
    """Whether the server answered the request with the interaction (``200``), not with
    its ``500`` for a request that matched nothing (which says so in a header: any
    other answer is an error of the test, not a verdict)."""
    rest, headers, body = sent
    url = base_url + path + rest
    if body is None:
        response = httpx.request(CASES[path].request.get("method", "GET"), url, headers=headers, timeout=30)
    else:
        content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        response = httpx.request(CASES[path].request["method"], url, headers=headers, content=content, timeout=30)
    if response.status_code == 200:
        return True
    marks = {(name, response.headers.get(name)) for name, _ in MISMATCH_MARKS}
    assert response.status_code == 500 and MISMATCH_MARKS & marks, response.text
    return False


SENT = [
    pytest.param(
        path,
        sent,
        verdict,
        id=f"{path}-{'matching' if verdict else 'mismatching'}-{n}",
        marks=[pytest.mark.xfail(strict=True, reason=case.differs)] if case.differs else [],
    )
    for path, case in CASES.items()
    for verdict, requests in ((True, case.matching), (False, case.mismatching))
    for n, sent in enumerate(requests)
]


@pytest.mark.parametrize(("path", "sent", "verdict"), SENT)
def test_the_core_and_apact_give_the_same_verdict(servers: Servers, path: str, sent: Sent, verdict: bool) -> None:
    version = CASES[path].version
    official = matched(servers.core[version], path, sent)
    ours = matched(servers.apact[version], path, sent)
    assert (official, ours) == (verdict, verdict), f"the core: {official}, apact: {ours}"


# -- which interaction answers: the core's best score, apact's full match ---------------------------


def test_a_request_matching_one_interaction_in_full_is_answered_although_the_core_prefers_another(
    tmp_path: Path,
) -> None:
    """The core's mock server answers with the interaction whose comparison scores best
    (a point per part that matches, one off per part that does not) and refuses the
    request when that one is not a full match, even if another interaction is. A rule
    that takes any path makes every interaction a candidate: here ``/anything``, whose
    two extra headers match, outscores ``/b``, which the request matches in full. apact
    answers with ``/b`` (docs/conformance.md); without the extra headers both do."""
    anything = {
        "method": "POST",
        "path": "/anything",
        "headers": {"Content-Type": "application/json", "X-A": "x", "X-B": "y"},
        "body": {"d": 1},
        "matchingRules": {
            "$.path": {"match": "type"},
            "$.headers.X-A": {"match": "type"},
            "$.headers.X-B": {"match": "type"},
        },
    }
    b = {"method": "POST", "path": "/b", "headers": {"Content-Type": "application/json"}, "body": 3.0}
    pact = tmp_path / "scores.json"
    pact.write_text(
        json.dumps(
            {
                "consumer": {"name": "Sous Chef"},
                "provider": {"name": "Grill Chef"},
                "interactions": [
                    {"description": "anything", "request": anything, "response": {"status": 201}},
                    {"description": "b", "request": b, "response": {"status": 202}},
                ],
                "metadata": {"pactSpecification": {"version": "2.0.0"}},
            }
        )
    )
    plain = {"Content-Type": "application/json"}
    with (
        core_master(tmp_path) as master,
        server_process(["-m", "apact", "stub", str(pact), "--quiet"], tmp_path) as stub,
    ):
        core = core_mock_server(master, pact, "2.0.0")
        answers = {
            name: [
                httpx.post(f"{url}/b", content=b"3.0", headers=headers, timeout=30)
                for headers in (plain, {**plain, "X-A": "q", "X-B": "r"})
            ]
            for name, url in (("core", core), ("apact", stub.url))
        }
    assert [response.status_code for response in answers["core"]] == [202, 500]
    assert answers["core"][1].headers["x-pact"] == "Request-Mismatch"
    assert [response.status_code for response in answers["apact"]] == [202, 202]
