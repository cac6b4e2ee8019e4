"""Interoperability on the odd-but-real pact shapes of issue 16: the official verifier
(pact-python 4.2, its Rust core) and apact verify the same small pacts against the same
provider, a good one and a broken one, and must reach the same verdict on every
interaction. How apact reads each shape is tested in tests/pact/test_core_shapes.py.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any, NamedTuple

import anyio
import pytest

from apact import pactfile
from apact.verifier import Verifier

from .verifier_helpers import core_verdicts, served

pytest.importorskip("pact", reason="pact-python is not installed: the interoperability tests need it")
os.environ.setdefault("PACT_DO_NOT_TRACK", "true")  # pact-python phones home otherwise

JSON_TYPE = {"Content-Type": "application/json"}


class Case(NamedTuple):
    """One interaction (its description is its path) and what each provider answers."""

    version: str | None
    response: dict[str, Any]
    good: Any
    broken: Any
    headers: list[tuple[str, str]] | None = None
    broken_headers: list[tuple[str, str]] | None = None
    request: dict[str, Any] | None = None
    states: list[dict[str, Any]] | str | None = None
    #: the answers' content type, if not JSON: then ``good`` and ``broken`` are sent as text
    content_type: str | None = None
    #: the broken answer's content type, if not that of the good one (sent as text)
    broken_type: str | None = None
    #: the statuses of the good and the broken answers
    statuses: tuple[int, int] = (200, 200)


#: a multipart answer, which the core writes base64-encoded before V4 (and so reads)
MULTIPART = "multipart/form-data; boundary=XyZ"
PARTS = '--XyZ\r\nContent-Disposition: form-data; name="cooking"\r\n\r\n{}\r\n--XyZ--\r\n'


CASES = {
    "/json-string-v4": Case(
        "4.0",
        {
            "status": 200,
            "headers": {"Content-Type": ["application/json"]},
            "body": {"content": "Fulfilling", "contentType": "application/json", "encoded": False},
        },
        "Fulfilling",
        "Pending",
    ),
    "/json-string-v3": Case("3.0.0", {"status": 200, "headers": JSON_TYPE, "body": "Fulfilling"}, "Fulfilling", 7),
    "/json-string-v2": Case("2.0.0", {"status": 200, "headers": JSON_TYPE, "body": "Fulfilling"}, "Fulfilling", ""),
    # Python's json reads NaN and the infinities; JSON has neither, and the core (serde_json)
    # says it cannot parse such a body: a number rule is not met by them
    "/number-not-nan": Case(
        "3.0.0",
        {
            "status": 200,
            "headers": JSON_TYPE,
            "body": {"grams": 1.5},
            "matchingRules": {"body": {"$.grams": {"matchers": [{"match": "number"}]}}},
        },
        '{"grams": 2.5}',
        '{"grams": NaN}',
        content_type="application/json",
    ),
    # an object's own rules, which the core checks on the object itself: equality of the
    # whole object (a response may otherwise carry more keys), a type rule's min and max
    # on its number of keys
    "/equality-on-an-object": Case(
        "3.0.0",
        {
            "status": 200,
            "headers": JSON_TYPE,
            "body": {"steak": {"cooking": "rare"}},
            "matchingRules": {"body": {"$.steak": {"matchers": [{"match": "equality"}]}}},
        },
        {"steak": {"cooking": "rare"}, "table": 4},
        {"steak": {"cooking": "rare", "table": 4}},
    ),
    # a regex where the pact has a scalar: an object or an array in its place fails it
    "/regex-on-a-scalar-answered-with-an-object": Case(
        "3.0.0",
        {
            "status": 200,
            "headers": JSON_TYPE,
            "body": {"id": 5},
            "matchingRules": {"body": {"$.id": {"matchers": [{"match": "regex", "regex": "^[0-9]+$"}]}}},
        },
        {"id": 77},
        {"id": {"value": 77}},
    ),
    "/regex-on-a-scalar-answered-with-an-array": Case(
        "3.0.0",
        {
            "status": 200,
            "headers": JSON_TYPE,
            "body": {"done": True},
            "matchingRules": {"body": {"$.done": {"matchers": [{"match": "regex", "regex": "^(true|false)$"}]}}},
        },
        {"done": False},
        {"done": [True]},
    ),
    "/equality-on-an-array-of-objects": Case(
        "3.0.0",
        {
            "status": 200,
            "headers": JSON_TYPE,
            "body": {"steaks": [{"cooking": "rare"}]},
            "matchingRules": {"body": {"$.steaks": {"matchers": [{"match": "equality"}]}}},
        },
        {"steaks": [{"cooking": "rare"}]},
        {"steaks": [{"cooking": "rare", "table": 4}]},  # (the items inherit the rule)
    ),
    "/min-on-an-object": Case(
        "3.0.0",
        {
            "status": 200,
            "headers": JSON_TYPE,
            "body": {"sides": {"chips": 1}},
            "matchingRules": {"body": {"$.sides": {"matchers": [{"match": "type", "min": 1}]}}},
        },
        {"sides": {"chips": 2}},
        {"sides": {}},
    ),
    "/max-on-an-object": Case(
        "2.0.0",
        {
            "status": 200,
            "headers": JSON_TYPE,
            "body": {"sides": {"chips": 1}},
            "matchingRules": {"$.body.sides": {"match": "type", "max": 1}},
        },
        {"sides": {"chips": 2}},
        {"sides": {"chips": 2, "salad": 1}},
    ),
    "/number-not-infinity": Case(
        "2.0.0",
        {"status": 200, "headers": JSON_TYPE, "body": [1.5], "matchingRules": {"$.body[0]": {"match": "type"}}},
        "[2.5]",
        "[-Infinity]",
        content_type="application/json",
    ),
    "/empty-category": Case(
        "3.0.0",
        {"status": 200, "headers": JSON_TYPE, "body": {"id": 1}, "matchingRules": {"status": {}, "body": {}}},
        {"id": 1},
        {"id": 2},
    ),
    "/response-matching-rules": Case(
        "2.0.0",
        {
            "status": 200,
            "headers": JSON_TYPE,
            "body": {"id": 1},
            "responseMatchingRules": {"$.body.id": {"match": "type"}},
        },
        {"id": 2},
        {"id": "2"},
    ),
    "/timestamp-without-match": Case(
        "2.0.0",
        {
            "status": 200,
            "headers": JSON_TYPE,
            "body": {"on": "2020-01-01"},
            "matchingRules": {"$.body.on": {"timestamp": "yyyy-MM-dd"}},
        },
        {"on": "2021-03-04"},
        {"on": "01/02/2020"},
    ),
    "/format-named-after-the-rule": Case(
        "3.0.0",
        {
            "status": 200,
            "headers": JSON_TYPE,
            "body": {"on": "2020-01-01"},
            "matchingRules": {"body": {"$.on": {"matchers": [{"match": "timestamp", "timestamp": "yyyy-MM-dd"}]}}},
        },
        {"on": "2021-03-04"},
        {"on": "2020-01-01T10:00"},
    ),
    "/min-type": Case(
        "3.0.0",
        {
            "status": 200,
            "headers": JSON_TYPE,
            "body": {"sides": [1]},
            "matchingRules": {"body": {"$.sides": {"matchers": [{"match": "min-type", "min": 2}]}}},
        },
        {"sides": [5, 6]},
        {"sides": [5]},
    ),
    "/indexed-header-rule": Case(
        "2.0.0",
        {
            "status": 200,
            "headers": {"X-Token": "42"},
            "matchingRules": {"$.headers['X-Token'][0]": {"match": "regex", "regex": "\\d+"}},
        },
        None,
        None,
        [("X-Token", "7")],
        [("X-Token", "seven")],
    ),
    "/header-given-several-times": Case(
        "4.0",
        {
            "status": 200,
            "headers": {"X-Test": ["1000", "1234", "9999"]},
            "matchingRules": {"header": {"X-Test": {"matchers": [{"match": "regex", "regex": "\\d+"}]}}},
        },
        None,
        None,
        [("X-Test", "1"), ("X-Test", "2"), ("X-Test", "3")],
        [("X-Test", "1"), ("X-Test", "x"), ("X-Test", "3")],
    ),
    "/one-header-value-with-commas": Case(
        "4.0",
        {
            "status": 200,
            "headers": {"X-Test": ["1000"]},
            "matchingRules": {"header": {"X-Test": {"matchers": [{"match": "regex", "regex": "\\d+"}]}}},
        },
        None,
        None,
        [("X-Test", "1")],
        [("X-Test", "1, 2")],  # one value (the core does not split it), not a number
    ),
    "/not-empty-checks-the-type": Case(
        "4.0",
        {
            "status": 200,
            "headers": {"Content-Type": ["application/json"]},
            "body": {"content": {"sides": ["fries"]}, "contentType": "application/json", "encoded": False},
            "matchingRules": {"body": {"$.sides": {"matchers": [{"match": "notEmpty"}]}}},
        },
        {"sides": ["salad", "beans"]},
        {"sides": "fries"},
    ),
    # ... but not a scalar's: any value that is not empty passes (found by the
    # differential run, tests/fixtures/pact-python/differential.py)
    "/not-empty-of-a-scalar": Case(
        "4.0",
        {
            "status": 200,
            "headers": {"Content-Type": ["application/json"]},
            "body": {"content": {"side": "fries"}, "contentType": "application/json", "encoded": False},
            "matchingRules": {"body": {"$.side": {"matchers": [{"match": "notEmpty"}]}}},
        },
        {"side": ["salad", "beans"]},
        {"side": ""},
    ),
    # an eachValue's own "value" does not stand in for an empty example: the values are
    # not compared (found by the differential run, as above)
    "/each-value-of-an-empty-example": Case(
        "4.0",
        {
            "status": 200,
            "headers": {"Content-Type": ["application/json"]},
            "body": {"content": {"m": {}}, "contentType": "application/json", "encoded": False},
            "matchingRules": {
                "body": {"$.m": {"matchers": [{"match": "eachValue", "rules": [{"match": "type"}], "value": {"x": 1}}]}}
            },
        },
        {"m": {"b": "s"}},
        {"m": "s"},
    ),
    "/state-value-not-given": Case(
        "4.0",
        {"status": 200},
        None,
        None,
        broken_headers=[("X-Broken", "1")],
        request={
            "method": "GET",
            "path": "/state-value-not-given",
            "generators": {"path": {"type": "ProviderState", "expression": "/steaks/${steakId}"}},
        },
        states=[{"name": "a steak exists"}],
    ),
    "/null-spec-version": Case(None, {"status": 200, "headers": JSON_TYPE, "body": {"id": 1}}, {"id": 1}, {"id": 2}),
    "/v4-body-not-in-the-v4-form": Case(
        "4.0",
        {
            "status": 200,
            "headers": {"Content-Type": ["application/json"]},
            "body": {"id": 1, "sides": ["fries"]},
            "matchingRules": {"body": {"$.id": {"matchers": [{"match": "integer"}]}}},
        },
        {"id": 7, "sides": ["fries"]},
        {"id": 7, "sides": ["salad"]},
    ),
    "/v3-categories-in-v2": Case(
        "2.0.0",
        {
            "status": 200,
            "headers": JSON_TYPE,
            "body": {"sides": [1, 2]},
            "matchingRules": {"body": {"$.sides": {"matchers": [{"match": "type", "min": 2}]}}},
        },
        {"sides": [5, 6, 7]},
        {"sides": [5]},
    ),
    "/rule-key-without-dollar": Case(
        "3.0.0",
        {
            "status": 200,
            "headers": JSON_TYPE,
            "body": {"id": 1},
            "matchingRules": {"body": {"id": {"matchers": [{"match": "type"}]}}},
        },
        {"id": 2},
        {"id": "2"},
    ),
    "/body-of-another-type": Case(
        "3.0.0",
        {"status": 200, "headers": JSON_TYPE, "body": {"id": 1}},
        {"id": 1},
        '{"id": 1}',  # the same text, as text/plain: a body type mismatch in both
        broken_type="text/plain",
    ),
    "/no-metadata": Case("none", {"status": 200, "headers": JSON_TYPE, "body": {"id": 1}}, {"id": 1}, {"id": 2}),
    "/max-type": Case(
        "3.0.0",
        {
            "status": 200,
            "headers": JSON_TYPE,
            "body": {"sides": [1]},
            "matchingRules": {"body": {"$.sides": {"matchers": [{"match": "max-type", "max": 2}]}}},
        },
        {"sides": [5, 6]},
        {"sides": [5, 6, 7]},
    ),
    "/date-without-match": Case(
        "2.0.0",
        {
            "status": 200,
            "headers": JSON_TYPE,
            "body": {"on": "2020-01-01"},
            "matchingRules": {"$.body.on": {"date": "yyyy-MM-dd"}},
        },
        {"on": "2021-03-04"},
        {"on": "03/04/2021"},
    ),
    "/time-without-match": Case(
        "2.0.0",
        {
            "status": 200,
            "headers": JSON_TYPE,
            "body": {"at": "10:00"},
            "matchingRules": {"$.body.at": {"time": "HH:mm"}},
        },
        {"at": "23:59"},
        {"at": "23:59:59"},
    ),
    "/old-rule-forms-in-v3": Case(
        "3.0.0",
        {
            "status": 200,
            "headers": JSON_TYPE,
            "body": {"on": "2020-01-01", "sides": [1]},
            "responseMatchingRules": {
                "body": {
                    "$.on": {"matchers": [{"timestamp": "yyyy-MM-dd"}]},
                    "$.sides": {"matchers": [{"match": "min-type", "min": 1}]},
                }
            },
        },
        {"on": "2021-03-04", "sides": [2, 3]},
        {"on": "2021-03-04", "sides": []},
    ),
    "/provider-states-as-a-string": Case(
        "3.0.0",
        {"status": 200, "headers": JSON_TYPE, "body": {"id": 1}},
        {"id": 1},
        {"id": 2},
        states="a steak exists",
    ),
    "/multipart-base64": Case(
        "3.0.0",
        {
            "status": 200,
            "headers": {"Content-Type": MULTIPART},
            "body": base64.b64encode(PARTS.format("rare").encode()).decode(),
        },
        PARTS.format("rare"),
        PARTS.format("well-done"),
        content_type=MULTIPART,
    ),
}

# XML: a type rule's min and max on an element count its children, its text one of
# them (the official core counts its child nodes: a leaf element's text is one; found
# by the differential run, tests/fixtures/pact-python/differential_xml.py)...
XML = "application/xml"


def _xml(body: str, rules: dict[str, Any]) -> dict[str, Any]:
    return {"status": 200, "headers": {"Content-Type": XML}, "body": body, "matchingRules": {"body": rules}}


def _type(**bounds: int) -> dict[str, Any]:
    return {"matchers": [{"match": "type", **bounds}]}


CASES.update(
    {
        "/xml-min-on-an-element-with-text": Case(
            "3.0.0",
            _xml("<r><b>1</b></r>", {"$.r.b": _type(min=1)}),
            "<r><b>2</b><b>3</b></r>",
            "<r><b></b></r>",
            content_type=XML,
        ),
        "/xml-min-counts-elements-and-text": Case(
            "3.0.0",
            _xml("<r><a/>x</r>", {"$.r": _type(min=2)}),
            "<r><a/>y</r>",
            "<r><a/></r>",
            content_type=XML,
        ),
        "/xml-max-counts-text": Case(
            "3.0.0",
            _xml("<r><a>1</a></r>", {"$.r": _type(max=1)}),
            "<r><a>2</a></r>",
            "<r><a>2</a>t</r>",
            content_type=XML,
        ),
    }
)

# V4's status groups, each with an answer in it and one outside it (1xx cannot be the
# final answer over HTTP): apact's groups are the core's (a group the core does not know
# fails the whole pact in it)
CASES.update(
    {
        f"/status-code-{group}": Case(
            "4.0",
            {
                "status": 200,
                "headers": {"Content-Type": ["application/json"]},
                "body": {"content": {"id": 1}, "contentType": "application/json", "encoded": False},
                "matchingRules": {"status": {"$": {"matchers": [{"match": "statusCode", "status": status}]}}},
            },
            {"id": 1},
            {"id": 1},
            statuses=statuses,
        )
        for group, status, statuses in [
            ("success", "success", (201, 404)),
            ("redirect", "redirect", (399, 200)),
            ("client-error", "clientError", (404, 200)),
            ("server-error", "serverError", (503, 299)),
            ("non-error", "nonError", (299, 400)),
            ("error", "error", (400, 200)),
            ("list", [200, 201], (201, 202)),
        ]
    }
)


def pact_for(version: str | None, paths: list[str]) -> dict[str, Any]:
    interactions = []
    for path in paths:
        interaction: dict[str, Any] = {
            "description": path,
            "request": CASES[path].request or {"method": "GET", "path": path},
            "response": CASES[path].response,
        }
        if CASES[path].states:
            interaction["providerStates"] = CASES[path].states
        if version == "4.0":
            interaction["type"] = "Synchronous/HTTP"
        interactions.append(interaction)
    spec: dict[str, Any] = {"version": version}
    document: dict[str, Any] = {
        "consumer": {"name": "Sous Chef"},
        "provider": {"name": "Grill Chef"},
        "interactions": interactions,
        "metadata": {"pactSpecification": spec},
    }
    if version == "none":  # pact-ruby's and the Pact Broker's fixtures: no metadata at all
        del document["metadata"]
    return document


@pytest.fixture(scope="module")
def pact_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    directory = tmp_path_factory.mktemp("shapes")
    versions = sorted({case.version or "" for case in CASES.values()})
    files = []
    for version in versions:
        paths = [path for path, case in CASES.items() if (case.version or "") == version]
        path = directory / f"shapes-{version or 'null'}.json"
        path.write_text(json.dumps(pact_for(version or None, paths)))
        files.append(path)
    return files


def canned(broken: bool) -> str:
    answers = {}
    for path, case in CASES.items():
        body = case.broken if broken else case.good
        content_type = (broken and case.broken_type) or case.content_type
        headers = [("Content-Type", content_type or "application/json")] if body is not None else []
        headers += (case.broken_headers if broken else case.headers) or []
        text = "" if body is None else body if content_type else json.dumps(body)
        answers[path] = {"status": case.statuses[broken], "headers": headers, "body": text}
    # the example path answers; a generated one (/steaks/...) would not
    answers["/state-value-not-given"]["status"] = 404 if broken else 200
    return json.dumps(answers)


def official_verdicts(files: list[Path], base_url: str) -> dict[str, bool]:
    from pact import Verifier as PactPythonVerifier

    verdicts: dict[str, bool] = {}
    for file in files:
        verifier = PactPythonVerifier("Grill Chef", host="127.0.0.1").add_transport(url=base_url).add_source(str(file))
        verdicts.update(core_verdicts(verifier))
    return verdicts


def rewritten(files: list[Path], directory: Path) -> list[Path]:
    """Each pact read and written back by apact, in the version it was read as."""
    directory.mkdir(exist_ok=True)
    return [pactfile.save(pactfile.load(file), directory / file.name) for file in files]


@pytest.mark.parametrize("broken", [False, True], ids=["good", "broken"])
def test_apact_and_the_core_agree_on_every_shape(pact_files: list[Path], broken: bool, tmp_path: Path) -> None:
    with served("canned_app:app", CANNED=canned(broken)) as url:
        official = official_verdicts(pact_files, url)
        verifier = Verifier("Grill Chef", base_url=url, ignore_missing_states=True)  # as the official one does
        result = anyio.run(verifier.verify, *pact_files)
        # what apact writes back keeps every rule: the core judges it as it judged the original
        official_on_rewritten = official_verdicts(rewritten(pact_files, tmp_path / "rewritten"), url)
    ours = {item.description: item.passed for item in result.interactions}
    assert set(official) == set(CASES), official
    assert ours == official, result.report()
    assert official_on_rewritten == official
    assert set(official.values()) == {not broken}
    assert any(
        n.endswith("shapes-null.json: no pact specification version: read as V2, as its shape implies")
        for n in result.notices
    )


def test_a_plugin_pact_fails_without_its_plugin_in_the_core_as_in_apact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The core, verifying an interaction whose plugin is not installed, tries to install
    it from the plugin index on GitHub and fails the whole verification; apact fails that
    interaction (not run: needs plugin X). No plugin of that name exists, and the core's
    download goes to a closed loopback proxy: the test never leaves the machine."""
    from pact import Verifier as PactPythonVerifier

    monkeypatch.setenv("PACT_PLUGIN_DIR", str(tmp_path / "plugins"))

    interaction = {
        "type": "Synchronous/HTTP",
        "description": "a report",
        "pluginConfiguration": {"apact-no-such-plugin": {"columns": 3}},
        "request": {"method": "GET", "path": "/report"},
        "response": {
            "status": 200,
            "headers": {"Content-Type": ["text/x-apact"]},
            "body": {"content": "a,b", "contentType": "text/x-apact", "contentTypeHint": "DEFAULT", "encoded": False},
            "matchingRules": {"body": {"column:1": {"combine": "AND", "matchers": [{"match": "type"}]}}},
        },
        "transport": "http",
    }
    document = pact_for("4.0", [])
    document["interactions"] = [interaction]
    document["metadata"]["plugins"] = [{"configuration": {}, "name": "apact-no-such-plugin", "version": "0.0.1"}]
    path = tmp_path / "plugin.json"
    path.write_text(json.dumps(document))
    canned_answer = {"/report": {"status": 200, "headers": {"Content-Type": "text/x-apact"}, "body": "a,b"}}
    with served("canned_app:app", CANNED=json.dumps(canned_answer)) as url:
        official = PactPythonVerifier("Grill Chef", host="127.0.0.1").add_transport(url=url).add_source(str(path))
        # the proxy only while the core runs: urllib's global opener, built at a process's
        # first urlopen, keeps the proxies it saw then, for every later test of this worker
        with monkeypatch.context() as proxied, pytest.raises(RuntimeError):
            for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
                proxied.setenv(name, "http://127.0.0.1:9")
            for name in ("NO_PROXY", "no_proxy"):
                proxied.setenv(name, "127.0.0.1,localhost")
            official.verify()
        result = anyio.run(Verifier("Grill Chef", base_url=url).verify, path)
    assert not result.ok
    assert [(i.description, i.status) for i in result.interactions] == [("a report", "failed")]
    assert "not run: needs plugin apact-no-such-plugin" in result.report()
