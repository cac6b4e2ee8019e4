"""Reading pact files of every version, writing V2/V3/V4, round trips and bad input."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from apact import pactfile
from apact._core import _files
from apact.errors import PactFileError, PactWriteError
from apact.model import (
    AsyncMessage,
    Body,
    HttpInteraction,
    HttpRequest,
    HttpResponse,
    MessageContents,
    PactFile,
    Spec,
    SyncMessage,
)
from apact.pact._request_check import pact_problems

from ..json_helpers import tree

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PACT_PYTHON = FIXTURES / "pact-python"
HANDWRITTEN = FIXTURES / "handwritten"


# -- reading every version ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "spec"),
    [
        ("v1-http.json", Spec.V1),
        ("v1.1-http.json", Spec.V1_1),
        ("v2-http.json", Spec.V2),
        ("v3-http.json", Spec.V3),
        ("v3-message.json", Spec.V3),
        ("v4-http.json", Spec.V4),
        ("v4-messages.json", Spec.V4),
    ],
)
def test_reads_files_written_by_pact_python(name: str, spec: Spec) -> None:
    path = PACT_PYTHON / name
    document = json.loads(path.read_text())
    pact = pactfile.load(path)
    assert pact.spec is spec
    assert pact.consumer == document["consumer"]["name"]
    assert pact.provider == document["provider"]["name"]
    raw = document.get("interactions", []) + document.get("messages", [])
    assert [i.description for i in pact.interactions] == [r["description"] for r in raw]


def test_v4_interaction_kinds_states_and_extras() -> None:
    pact = pactfile.load(HANDWRITTEN / "v4-extras.json")
    upload, form, event, query = pact.interactions
    assert isinstance(upload, HttpInteraction) and isinstance(form, HttpInteraction)
    assert upload.key == "f2b6c1d0" and upload.pending is True
    assert upload.comments == {"testname": "test_upload", "text": ["uploads are new"]}
    assert [(s.name, s.params) for s in upload.provider_states] == [
        ("the grill is hot", {"temperature": 250}),
        ("a steak exists", {"id": 42}),
    ]
    assert upload.extra == {"pluginConfiguration": {}, "transport": "http"}
    assert upload.request.query == {"size": ["large"], "tag": ["a", "b"]}
    assert upload.request.body is not None
    assert upload.request.body.content.startswith(b"\x89PNG")  # base64 decoded
    assert upload.request.matching_rules["path"][""].matchers[0].get("regex") == "/steaks/\\d+/photo"
    assert upload.request.generators["path"][""].type == "ProviderState"
    assert upload.response.matching_rules["status"][""].matchers[0].match == "statusCode"
    assert form.request.body == Body(b"cut=sirloin&cooking=rare", "application/x-www-form-urlencoded")
    assert form.response.body is not None and form.response.body.json() == {"id": 1, "at": "2026-11-25T10:00:00Z"}
    assert form.response.matching_rules["header"]["Location"].combine == "OR"
    assert isinstance(event, AsyncMessage)
    assert event.message.metadata == {"contentType": "application/json", "topic": "kitchen"}
    assert set(event.message.matching_rules) == {"body", "metadata"}  # "content" is read as body
    assert isinstance(query, SyncMessage)
    assert query.request.contents == Body(b"how done is 42?", "text/plain")
    assert query.responses[0].contents is not None and query.responses[0].contents.json() == {"doneness": "medium"}


def test_v1_ruby_style_file() -> None:
    pact = pactfile.load(HANDWRITTEN / "v1-ruby.json")
    assert pact.spec is Spec.V2  # no metadata: the shape says V1/V2, read with V2 rules
    first, second = pact.interactions
    assert isinstance(first, HttpInteraction) and isinstance(second, HttpInteraction)
    assert [s.name for s in first.provider_states] == ["an alligator named Mary exists"]
    assert first.request.query == {"size": ["large"], "colour": ["green"]}
    assert first.request.raw_query == "size=large&colour=green"
    assert first.request.headers == {"Accept": ["application/json"]}
    assert second.response.body == Body(b"")


def test_v1_1_text_and_repeated_query() -> None:
    (interaction,) = pactfile.load(HANDWRITTEN / "v1.1-text.json").interactions
    assert isinstance(interaction, HttpInteraction)
    assert interaction.request.query == {"name": ["Mary", "Fred"]}
    assert interaction.response.body == Body(b"hello Mary and Fred")


def test_v2_rules_are_read_into_categories() -> None:
    xml, search = pactfile.load(HANDWRITTEN / "v2-xml.json").interactions
    assert isinstance(xml, HttpInteraction) and isinstance(search, HttpInteraction)
    rules = xml.response.matching_rules
    assert set(rules["body"]) == {"$.animals", "$.animals.alligator['@name']"}
    assert rules["body"]["$.animals"].matchers[0].attrs == {"min": 1}
    assert rules["header"]["Content-Type"].matchers[0].match == "regex"
    assert set(search.request.matching_rules) == {"query", "path"}
    assert search.response.matching_rules["body"]["$"].matchers[0].match == "type"  # {"min": 1}


# -- writing and round trips ---------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        PACT_PYTHON / "v2-http.json",
        PACT_PYTHON / "v3-http.json",
        PACT_PYTHON / "v3-message.json",
        PACT_PYTHON / "v4-http.json",
        PACT_PYTHON / "v4-messages.json",
        HANDWRITTEN / "v2-xml.json",
        HANDWRITTEN / "v4-extras.json",
    ],
    ids=lambda p: p.name,
)
def test_round_trip_in_the_same_version_loses_nothing(path: Path) -> None:
    pact = pactfile.load(path)
    text = pactfile.dumps(pact)
    again = pactfile.loads(text)
    assert again == pact
    assert pactfile.dumps(again) == text  # deterministic


@pytest.mark.parametrize("name", ["v2-http.json", "v3-http.json", "v4-http.json", "v4-messages.json"])
def test_pact_python_files_are_written_back_identically(name: str) -> None:
    """Our writer produces the same JSON the Rust core wrote (key order aside)."""
    path = PACT_PYTHON / name
    assert json.loads(pactfile.dumps(pactfile.load(path))) == json.loads(path.read_text())


def test_writes_older_versions_in_their_own_format() -> None:
    pact = pactfile.load(HANDWRITTEN / "v2-xml.json")
    v3 = tree(pactfile.to_json(pact, "V3"))
    response = v3["interactions"][0]["response"]
    assert response["matchingRules"]["body"]["$.animals"] == {
        "matchers": [{"match": "type", "min": 1}],
        "combine": "AND",
    }
    assert response["matchingRules"]["header"]["Content-Type"]["matchers"][0]["match"] == "regex"
    assert v3["interactions"][0]["providerStates"] == [{"name": "alligators exist"}]
    assert v3["interactions"][1]["request"]["query"] == {"q": ["alli gator"], "page": ["2"]}
    v2 = tree(pactfile.to_json(pactfile.loads(json.dumps(v3)), "V2"))
    assert v2["interactions"][1]["request"]["query"] == "q=alli+gator&page=2"
    assert v2["interactions"][0]["response"]["matchingRules"]["$.body.animals"] == {"match": "type", "min": 1}
    assert v2["metadata"]["pactSpecification"] == {"version": "2.0.0"}
    assert v2["metadata"]["pact-jvm"] == {"version": "3.5.0"}  # other metadata kept
    v4 = tree(pactfile.to_json(pact, "V4"))
    assert v4["interactions"][0]["type"] == "Synchronous/HTTP"
    assert v4["interactions"][0]["response"]["headers"] == {"Content-Type": ["application/xml"]}
    assert v4["interactions"][0]["response"]["body"]["contentType"] == "application/xml"


def test_v3_reads_and_writes_binary_message_contents_as_base64() -> None:
    pact = pactfile.load(PACT_PYTHON / "v3-message.json")
    thumbnail = next(i for i in pact.interactions if "thumbnail" in i.description)
    assert isinstance(thumbnail, AsyncMessage)
    assert thumbnail.message.contents is not None
    assert thumbnail.message.contents.content.startswith(b"\x89PNG")
    written = pactfile.to_json(pact)
    raw = json.loads((PACT_PYTHON / "v3-message.json").read_text())
    assert written["messages"] == raw["messages"]


def test_what_an_older_version_cannot_say_is_an_error_not_a_loss() -> None:
    pact = pactfile.load(HANDWRITTEN / "v4-extras.json")
    with pytest.raises(PactWriteError, match=r"interaction 0 'an upload of a steak photo'.*spec V3"):
        pactfile.to_json(pact, "V2")
    with pytest.raises(PactWriteError, match="Synchronous/Messages interaction needs spec V4"):
        pactfile.to_json(pact, "V3")
    with pytest.raises(PactWriteError, match="writes pacts of spec V2, V3 and V4"):
        pactfile.to_json(pact, "1.1.0")


def test_save_is_atomic_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "pacts" / "a-b.json"
    pact = pactfile.load(HANDWRITTEN / "v4-extras.json")
    pactfile.save(pact, target)
    first = target.read_bytes()
    assert pactfile.load(target) == pact
    with pytest.raises(PactWriteError):
        pactfile.save(pact, target, spec="V2")  # fails while rendering
    assert target.read_bytes() == first
    assert os.listdir(target.parent) == ["a-b.json"]


def test_a_failure_while_writing_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "a-b.json"
    target.write_text("old content")

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="No space left"):
        _files.write_atomically(target, b"new content")
    assert target.read_text() == "old content"
    assert os.listdir(tmp_path) == ["a-b.json"]


def test_replacing_an_existing_file_swaps_it_whole_and_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "a-b.json"
    for round_ in range(3):
        _files.write_atomically(target, f"version {round_}".encode() * 1000, durable=round_ % 2 == 0)
        assert target.read_bytes() == f"version {round_}".encode() * 1000
        assert os.listdir(tmp_path) == ["a-b.json"]


@pytest.mark.skipif(sys.platform != "linux", reason="renameat2(RENAME_EXCHANGE) is Linux only")
def test_on_linux_an_existing_file_is_exchanged_not_renamed_over(tmp_path: Path) -> None:
    one, other = tmp_path / "one", tmp_path / "other"
    one.write_text("one")
    other.write_text("other")
    assert _files._exchange(str(one), other)
    assert (one.read_text(), other.read_text()) == ("other", "one")
    assert not _files._exchange(str(one), tmp_path / "missing")


def test_without_the_exchange_call_the_file_is_renamed_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_files, "_renameat2", lambda: None)
    target = tmp_path / "a-b.json"
    target.write_text("old content")
    _files.write_atomically(target, b"new content", durable=False)
    assert target.read_text() == "new content"
    assert os.listdir(tmp_path) == ["a-b.json"]


# -- bad input: every error names the file, the interaction and the JSON path ---------------


def _write(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "Sous Chef-Grill Chef.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def _pact(response: dict[str, Any], request: dict[str, Any] | None = None, version: str = "4.0") -> dict[str, Any]:
    interaction = {
        "type": "Synchronous/HTTP",
        "description": "a request for a steak",
        "request": request or {"method": "POST", "path": "/steaks/"},
        "response": response,
    }
    if not version.startswith("4"):
        interaction.pop("type")
    return {
        "consumer": {"name": "Sous Chef"},
        "provider": {"name": "Grill Chef"},
        "interactions": [{"type": "Synchronous/HTTP", "description": "ok", "request": {}, "response": {}}, interaction]
        if version.startswith("4")
        else [interaction],
        "metadata": {"pactSpecification": {"version": version}},
    }


def _error(tmp_path: Path, document: object) -> PactFileError:
    path = _write(tmp_path, document)
    with pytest.raises(PactFileError) as caught:
        pactfile.load(path)
    assert caught.value.file == str(path)
    assert str(caught.value).startswith(str(path) + ": ")
    return caught.value


def test_bad_json(tmp_path: Path) -> None:
    error = _error(tmp_path, '{"consumer": {"name": "Sous Chef"},\n  "provider": }')
    assert "not valid JSON: Expecting value at line 2, column 15" in str(error)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(tmp_path: Path, constant: str) -> None:
    # Python's json reads them; the official core (serde_json) cannot parse such a file
    error = _error(
        tmp_path, '{"consumer": {"name": "Sous Chef"},\n  "provider": {"name": "NaN"}, "x": ' + constant + "}"
    )
    assert f"not valid JSON: {constant} is not JSON" in str(error)
    assert str(error).endswith("at line 2, column 37")  # (not the "NaN" string before it)


def test_unknown_spec_version(tmp_path: Path) -> None:
    error = _error(tmp_path, _pact({"status": 201}, version="5.0"))
    assert error.path == "$.metadata.pactSpecification.version"
    assert "unknown Pact specification version '5.0'" in str(error)


def test_unknown_matcher_type(tmp_path: Path) -> None:
    rules = {"body": {"$.waitingTime": {"matchers": [{"match": "intger"}]}}}
    error = _error(
        tmp_path,
        _pact(
            {
                "status": 201,
                "body": {"content": {"waitingTime": 10}, "contentType": "application/json"},
                "matchingRules": rules,
            }
        ),
    )
    assert (error.interaction, error.description) == (1, "a request for a steak")
    assert error.path == "$.interactions[1].response.matchingRules.body['$.waitingTime'].matchers[0].match"
    assert 'interaction 1 "a request for a steak"' in str(error)
    assert "unknown matcher type 'intger'" in str(error)


def test_unknown_status_group(tmp_path: Path) -> None:
    # the V4 groups are info, success, redirect, clientError, serverError, nonError and
    # error; the official core cannot load a pact with any other ("information")
    rules = {"status": {"$": {"matchers": [{"match": "statusCode", "status": "information"}]}}}
    error = _error(tmp_path, _pact({"status": 100, "matchingRules": rules}))
    assert error.path == "$.interactions[1].response.matchingRules.status['$'].matchers[0].status"
    assert "unknown status group 'information' (known: info, success, redirect, clientError, serverError" in str(error)


def test_invalid_regex(tmp_path: Path) -> None:
    rules = {"$.body.id": {"match": "regex", "regex": "[0-9"}}
    error = _error(tmp_path, _pact({"status": 200, "body": {"id": "1"}, "matchingRules": rules}, version="2.0.0"))
    assert error.interaction == 0
    assert error.path == "$.interactions[0].response.matchingRules['$.body.id'].regex"
    assert str(error).endswith(": invalid regex '[0-9': unterminated character set at position 0")


def test_invalid_date_format(tmp_path: Path) -> None:
    rules = {"body": {"$.at": {"matchers": [{"match": "date", "format": "yyyy-bb-dd"}]}}}
    error = _error(
        tmp_path, _pact({"status": 200, "body": {"at": "2026-01-01"}, "matchingRules": rules}, version="3.0.0")
    )
    assert error.path == "$.interactions[0].response.matchingRules.body['$.at'].matchers[0].format"
    assert str(error).endswith(": invalid date/time pattern 'yyyy-bb-dd': unknown pattern letter 'b' at position 5")


def test_unknown_generator(tmp_path: Path) -> None:
    generators = {"body": {"$.id": {"type": "RandomUnicorn"}}}
    error = _error(tmp_path, _pact({"status": 200, "body": {"id": 1}, "generators": generators}, version="3.0.0"))
    assert error.path == "$.interactions[0].response.generators.body['$.id'].type"
    assert "unknown generator type 'RandomUnicorn'" in str(error)


@pytest.mark.parametrize(
    ("body", "path", "message"),
    [
        ({"contentType": "image/png", "encoded": "base64", "content": "***"}, "content", "not valid base64"),
        ({"contentType": "image/png", "encoded": "rot13", "content": "x"}, "encoded", "unknown body encoding 'rot13'"),
    ],
)
def test_body_that_does_not_fit_its_content_type(tmp_path: Path, body: dict[str, Any], path: str, message: str) -> None:
    error = _error(tmp_path, _pact({"status": 200, "body": body}))
    assert error.path == f"$.interactions[1].response.body.{path}"
    assert message in str(error)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            # base64: a string written as is would be a JSON string (as the core reads it)
            {"contentType": "application/json", "encoded": "base64", "content": "e25vdCBqc29u"},
            "the body is not valid JSON although its content type is application/json",
        ),
        (
            {"contentType": "application/xml", "encoded": False, "content": "<a><b></a>"},
            "the body is not well-formed XML although its content type is application/xml",
        ),
    ],
)
def test_a_response_body_that_does_not_fit_its_content_type_is_read(body: dict[str, Any], message: str) -> None:
    """The official core reads such a pact and fails that interaction: so does apact
    (tests/verifier/test_verifier_malformed.py), and ``apact check`` calls it invalid."""
    pact = pactfile.loads(json.dumps(_pact({"status": 200, "body": body})))
    [problem] = pact_problems(pact)
    assert (problem.path, problem.interaction) == ("$.interactions[1].response.body", 1)
    assert str(problem).startswith(f'interaction 1 "a request for a steak": $.interactions[1].response.body: {message}')


def test_a_json_typed_body_that_is_not_json_is_written_back_as_its_bytes(tmp_path: Path) -> None:
    """Written as text, a V4 JSON content would read back as a JSON *string*: another
    body than the pact's. Its bytes are written base64-encoded, as they came."""
    body = {"contentType": "application/json", "encoded": "base64", "content": "e25vdCBqc29u"}
    pact = pactfile.loads(json.dumps(_pact({"status": 200, "body": body})))
    again = pactfile.load(pactfile.save(pact, tmp_path / "again.json"))
    [interaction] = [each for each in again.interactions if each.description == "a request for a steak"]
    assert isinstance(interaction, HttpInteraction) and interaction.response.body is not None
    assert interaction.response.body.content == b"{not json"
    written = json.loads((tmp_path / "again.json").read_text())["interactions"][1]["response"]["body"]
    assert written == body


def test_body_that_does_not_fit_its_content_type_header_before_v4() -> None:
    response = {"status": 200, "headers": {"Content-Type": "application/xml"}, "body": "<open>"}
    [problem] = pact_problems(pactfile.loads(json.dumps(_pact(response, version="3.0.0"))))
    assert problem.path == "$.interactions[0].response.body"
    assert "not well-formed XML although its content type is application/xml" in str(problem)


def test_message_contents_must_fit_their_content_type(tmp_path: Path) -> None:
    # (a message has no request to send: its contents are all a pact says)
    document = {
        "consumer": {"name": "Sous Chef"},
        "provider": {"name": "Grill Chef"},
        "messages": [{"description": "an order", "contents": "<open", "metadata": {"contentType": "application/xml"}}],
        "metadata": {"pactSpecification": {"version": "3.0.0"}},
    }
    error = _error(tmp_path, document)
    assert error.path == "$.messages[0].contents"
    assert "not well-formed XML although its content type is application/xml" in str(error)


def test_wrong_types_and_missing_parts(tmp_path: Path) -> None:
    error = _error(tmp_path, _pact({"status": "ok"}))
    assert error.path == "$.interactions[1].response.status"
    assert "status must be an integer, got a string" in str(error)
    document = _pact({"status": 200})
    del document["interactions"][1]["request"]
    error = _error(tmp_path, document)
    assert "an HTTP interaction needs a 'request'" in str(error)
    error = _error(tmp_path, {"consumer": {"name": "A"}, "interactions": []})
    assert "the pact has no provider" in str(error)


def test_missing_file() -> None:
    with pytest.raises(PactFileError, match=r"nowhere\.json: cannot read the file"):
        pactfile.load("nowhere.json")


def test_errors_survive_pickling() -> None:
    import pickle

    error = PactFileError("bad", path="$.x", file="f.json", interaction=2, description="d")
    again = pickle.loads(pickle.dumps(error))
    assert (again.file, again.interaction, again.description, again.path, str(again)) == (
        "f.json",
        2,
        "d",
        "$.x",
        str(error),
    )


@pytest.mark.parametrize("spec", [Spec.V4, Spec.V3])
@pytest.mark.parametrize("text", ['"1"', '"{}"', '""', '"[1]"', '"null"', '"rare"', '" 1 "'])
def test_a_json_string_body_holding_json_text_reads_back_as_the_same_string(
    text: str, spec: Spec, tmp_path: Path
) -> None:
    """A JSON string whose characters are JSON text (``"1"``, ``"{}"``) or nothing, written
    bare, would read back as that JSON (the number 1, an object) or as no body: another
    body than the pact's, which the verifier would then demand."""
    body = Body(text.encode(), "application/json")
    response = HttpResponse(200, {"Content-Type": ["application/json"]}, body)
    pact = PactFile(
        "Sous Chef", "Grill Chef", (HttpInteraction("a word", HttpRequest("GET", "/word"), response),), spec
    )
    again = pactfile.load(pactfile.save(pact, tmp_path / "again.json"))
    [interaction] = again.interactions
    assert isinstance(interaction, HttpInteraction) and interaction.response.body is not None
    assert interaction.response.body.content == text.encode()
    assert interaction.response.body.json() == json.loads(text)


@pytest.mark.parametrize("spec", [Spec.V2, Spec.V3, Spec.V4])
def test_a_lone_surrogate_in_a_json_string_is_written_as_its_escape(spec: Spec, tmp_path: Path) -> None:
    """Read from ``"\\ud800"`` (the spec's testcases have such strings), it has no UTF-8
    form: saving the pact raised UnicodeEncodeError."""
    body = Body(b'{"name": "x\\ud800y"}', "application/json")
    response = HttpResponse(200, {"Content-Type": ["application/json"]}, body)
    pact = PactFile(
        "Sous Chef", "Grill Chef", (HttpInteraction("a name", HttpRequest("GET", "/name"), response),), spec
    )
    path = pactfile.save(pact, tmp_path / "surrogate.json")
    assert b'"x\\ud800y"' in path.read_bytes()
    [interaction] = pactfile.load(path).interactions
    assert isinstance(interaction, HttpInteraction) and interaction.response.body is not None
    assert interaction.response.body.json() == {"name": "x\ud800y"}


@pytest.mark.parametrize("spec", [Spec.V2, Spec.V3])
@pytest.mark.parametrize("content_type", ["application/json", "application/hal+json", "text/json"])
def test_a_json_typed_body_that_is_not_json_cannot_be_written_before_v4(
    spec: Spec, content_type: str, tmp_path: Path
) -> None:
    """Before V4 a body is written as JSON or as a string, and a string under a JSON
    content type reads back as a JSON string: ``rare`` would come back as ``"rare"``."""
    response = HttpResponse(200, {"Content-Type": [content_type]}, Body(b"rare", None))
    pact = PactFile(
        "Sous Chef", "Grill Chef", (HttpInteraction("a word", HttpRequest("GET", "/word"), response),), spec
    )
    with pytest.raises(
        PactWriteError, match=r"^interaction 0 'a word': its response body is not JSON although its content type is "
    ):
        pactfile.save(pact, tmp_path / "word.json")
    assert not (tmp_path / "word.json").exists()


@pytest.mark.parametrize("content_type", ["text/json", "application/problem+json"])
def test_a_v4_json_typed_body_that_is_not_json_reads_back_as_its_bytes(content_type: str, tmp_path: Path) -> None:
    response = HttpResponse(200, {"Content-Type": [content_type]}, Body(b"rare", None))
    pact = PactFile("Sous Chef", "Grill Chef", (HttpInteraction("a word", HttpRequest("GET", "/word"), response),))
    [interaction] = pactfile.load(pactfile.save(pact, tmp_path / "word.json")).interactions
    assert isinstance(interaction, HttpInteraction) and interaction.response.body is not None
    assert interaction.response.body.content == b"rare"


def test_a_lone_surrogate_escape_in_a_pact_is_read_in_json_and_refused_in_text(tmp_path: Path) -> None:
    """JSON allows ``"\\ud800"``; a JSON body keeps it (as its escape), text has no UTF-8
    form for it: a clear error naming the place, not a UnicodeEncodeError."""
    json_body = {"status": 200, "headers": {"Content-Type": "application/json"}, "body": {"name": "x\ud800"}}
    pact = pactfile.loads(json.dumps(_pact(json_body, version="3.0.0")))
    body = pact.interactions[0].response.body  # type: ignore[union-attr]
    assert body is not None and body.json() == {"name": "x\ud800"} and body.content == b'{"name":"x\\ud800"}'
    text_body = {"status": 200, "headers": {"Content-Type": "text/plain"}, "body": "x\ud800"}
    error = _error(tmp_path, _pact(text_body, version="3.0.0"))
    assert (
        "$.interactions[0].response.body: the body's text holds a lone surrogate (\\ud800, from a JSON escape)"
        in str(error)
    )


#: content types and bodies for the round trip below: JSON of every kind, JSON strings
#: that hold JSON text, text, XML, a form, bytes, lone surrogates, nothing
ROUND_TRIP_TYPES = [
    "application/json", "application/json; charset=utf-8", "application/hal+json", "application/problem+json",
    "text/json", "text/plain", "text/html", "application/xml", "application/x-www-form-urlencoded",
    "application/octet-stream", "image/png", None,
]  # fmt: skip
ROUND_TRIP_BODIES = [
    b'"1"', b'"{}"', b'""', b'" 1 "', b"1", b'{"a":1}', b"[1, 2]", b"true", b'"rare"', b'" "', b'"\\u00e9"',
    b'"\\ud800"', b'{"a":"x\\udfff"}', b"rare", b"<r/>", b"<r>1</r>", b"a=1&b=2", b" ", b"{not json",
    "\xe9".encode(), b"x\ny", b"\x89PNG\r\n", b"\xff\xfe", b"\x00",
]  # fmt: skip


def test_every_body_written_reads_back_as_itself(tmp_path: Path) -> None:
    """Whatever a pact's body (any content type, either side, every version), apact
    writes it so that it reads back as the same body, or refuses to write it with a
    reason (a binary body, or JSON-typed bytes that are not JSON, before V4): never a
    pact that reads back as another contract, or cannot be read at all. (JSON ``null``
    is "no body", as the specification says; JSON may come back re-spaced.)"""
    changed = []
    for spec in (Spec.V2, Spec.V3, Spec.V4):
        for content_type in ROUND_TRIP_TYPES:
            for raw in ROUND_TRIP_BODIES:
                for side in ("request", "response"):
                    headers = {"Content-Type": [content_type]} if content_type else None
                    if side == "request":
                        interaction = HttpInteraction(
                            "x", HttpRequest("POST", "/", headers=headers, body=Body(raw)), HttpResponse(200)
                        )
                    else:
                        interaction = HttpInteraction(
                            "x", HttpRequest("GET", "/"), HttpResponse(200, headers, Body(raw))
                        )
                    try:
                        path = pactfile.save(PactFile("C", "P", (interaction,), spec), tmp_path / "p.json")
                    except PactWriteError as refused:
                        assert spec < Spec.V4, refused
                        continue
                    [back] = pactfile.load(path).interactions
                    assert isinstance(back, HttpInteraction)
                    body = back.request.body if side == "request" else back.response.body
                    assert body is not None
                    if body.content == raw:
                        continue
                    try:  # (re-spaced JSON, under a JSON content type or none)
                        same_json = "json" in (content_type or "json") and json.loads(body.content) == json.loads(raw)
                    except ValueError:
                        same_json = False
                    if not same_json:
                        changed.append((spec.label, content_type, raw, side, body.content))
    assert changed == []


def test_every_message_written_reads_back_as_itself_or_is_refused(tmp_path: Path) -> None:
    """Message contents that are not what their content type says cannot be read back (a
    message is all its contents): writing them is refused, naming the interaction."""
    changed = []
    for spec in (Spec.V3, Spec.V4):
        for content_type in ROUND_TRIP_TYPES:
            for raw in ROUND_TRIP_BODIES:
                metadata: dict[str, Any] = {"contentType": content_type} if content_type else {}
                message = AsyncMessage("an order", MessageContents(Body(raw), metadata))
                try:
                    path = pactfile.save(PactFile("C", "P", (message,), spec), tmp_path / "m.json")
                except PactWriteError as refused:
                    assert str(refused).startswith("interaction 0 'an order': "), refused
                    continue
                [back] = pactfile.load(path).interactions
                assert isinstance(back, AsyncMessage) and back.message.contents is not None
                content = back.message.contents.content
                if content == raw:
                    continue
                try:  # (re-spaced JSON, under a JSON content type or none)
                    same_json = "json" in (content_type or "json") and json.loads(content) == json.loads(raw)
                except ValueError:
                    same_json = False
                if not same_json:
                    changed.append((spec.label, content_type, raw, content))
    assert changed == []
    message = AsyncMessage("an order", MessageContents(Body(b"rare"), {"contentType": "application/xml"}))
    with pytest.raises(
        PactWriteError,
        match="^interaction 0 'an order': its contents are not well-formed XML although its content type is application/xml",
    ):
        pactfile.save(PactFile("C", "P", (message,)), tmp_path / "m.json")
