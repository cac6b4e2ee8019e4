"""Interoperability on the message shapes of issue 16: the official verifier (pact-python
4.2's Rust core, fetching each message from pact-python's own message server) and
apact verify the same message pacts with producers making the same messages, a good
set and a broken one, and must reach the same verdict on every message. How apact
reads each shape is tested in tests/pact/test_core_shapes.py."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import anyio
import pytest

from apact import Message
from apact.verifier import Verifier

from .verifier_helpers import core_verdicts

pytest.importorskip("pact", reason="pact-python is not installed: the interoperability tests need it")
os.environ.setdefault("PACT_DO_NOT_TRACK", "true")  # pact-python phones home otherwise

JSON_TYPE = "application/json"


class Case(NamedTuple):
    """One message (its description is the key) and what each producer makes of it."""

    version: str
    message: dict[str, Any]
    good: Any
    broken: Any
    #: the metadata the producer gives, with either contents
    metadata: dict[str, Any] | None = None
    #: fails even as the pact writes it, in the core as in apact (a rule its own
    #: example does not meet)
    never_passes: bool = False


ID_RULE = {"body": {"$.id": {"matchers": [{"match": "integer"}]}}}

CASES = {
    "contents not in the V4 body form": Case(
        "4.0",
        {
            "type": "Asynchronous/Messages",
            "contents": {"id": 1},
            "metadata": {"contentType": JSON_TYPE},
            "matchingRules": ID_RULE,
        },
        {"id": 7},
        {"id": "7"},
    ),
    "a V4 message in the V4 form": Case(
        "4.0",
        {
            "type": "Asynchronous/Messages",
            "contents": {"content": {"id": 1}, "contentType": JSON_TYPE, "encoded": False},
            "metadata": {"contentType": JSON_TYPE},
            "matchingRules": ID_RULE,
        },
        {"id": 7},
        {"id": 7.5},
    ),
    "a V3 message with metaData": Case(
        "3.0.0",
        {"contents": {"id": 1}, "metaData": {"contentType": JSON_TYPE}, "matchingRules": ID_RULE},
        {"id": 7},
        {"name": "seven"},
    ),
    "a V4 message without contents": Case(
        "4.0",
        {"type": "Asynchronous/Messages", "metadata": {"contentType": JSON_TYPE}},
        {"id": 1},
        None,  # nothing is expected: whatever is made passes, in both
    ),
    "a V3 message with providerStates as a string": Case(
        "3.0.0",
        {"contents": {"id": 1}, "providerStates": "an order exists", "metadata": {"contentType": JSON_TYPE}},
        {"id": 1},
        {"id": 2},
    ),
    # metadata values are JSON values, matched as the contents' are (found by the
    # differential run, tests/fixtures/pact-python/differential_messages.py): apact read
    # a string that holds a number as one, as in a header
    "metadata that holds a number in a string, under number": Case(
        "3.0.0",
        {
            "contents": {"id": 1},
            "metadata": {"contentType": JSON_TYPE, "version": "1.0"},
            "matchingRules": {"metadata": {"version": {"matchers": [{"match": "number"}]}}},
        },
        {"id": 1},
        {"id": 1},
        metadata={"version": "1.0"},
        never_passes=True,
    ),
    "metadata that holds a number, under type, given a string": Case(
        "4.0",
        {
            "type": "Asynchronous/Messages",
            "contents": {"content": {"id": 1}, "contentType": JSON_TYPE, "encoded": False},
            "metadata": {"contentType": JSON_TYPE, "kind": 1},
            "matchingRules": {"metadata": {"kind": {"matchers": [{"match": "type"}]}}},
        },
        {"id": 1},
        {"id": 1},
        metadata={"kind": "1"},
        never_passes=True,
    ),
    "metadata that holds a number, under integer": Case(
        "4.0",
        {
            "type": "Asynchronous/Messages",
            "contents": {"content": {"id": 1}, "contentType": JSON_TYPE, "encoded": False},
            "metadata": {"contentType": JSON_TYPE, "kind": 2},
            "matchingRules": {"metadata": {"kind": {"matchers": [{"match": "integer"}]}}},
        },
        {"id": 1},
        {"id": "1"},
        metadata={"kind": 7},
    ),
}


def documents() -> dict[str, dict[str, Any]]:
    by_version: dict[str, dict[str, Any]] = {}
    for description, case in CASES.items():
        key = "interactions" if case.version == "4.0" else "messages"
        document = by_version.setdefault(
            case.version,
            {
                "consumer": {"name": "Shipping"},
                "provider": {"name": "Orders"},
                key: [],
                "metadata": {"pactSpecification": {"version": case.version}},
            },
        )
        document[key].append({"description": description, **case.message})
    return by_version


@pytest.fixture(scope="module")
def pact_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    directory = tmp_path_factory.mktemp("message-shapes")
    files = []
    for version, document in documents().items():
        path = directory / f"messages-{version}.json"
        path.write_text(json.dumps(document))
        files.append(path)
    return files


def made(broken: bool) -> dict[str, Any]:
    return {
        description: case.broken if broken and case.broken is not None else case.good
        for description, case in CASES.items()
    }


def official_verdicts(files: list[Path], broken: bool) -> dict[str, bool]:
    from pact import Verifier as PactPythonVerifier
    from pact.types import Message as PactPythonMessage

    handlers: dict[str, Callable[..., PactPythonMessage] | PactPythonMessage | bytes] = {
        description: PactPythonMessage(
            contents=json.dumps(value).encode(), metadata=CASES[description].metadata, content_type=JSON_TYPE
        )
        for description, value in made(broken).items()
    }
    verdicts: dict[str, bool] = {}
    for file in files:
        verdicts.update(core_verdicts(PactPythonVerifier("Orders").message_handler(handlers).add_source(str(file))))
    return verdicts


def producer(value: Any, metadata: dict[str, Any] | None) -> Callable[[], Message]:  # noqa: ANN401
    return lambda: Message(value, metadata or {}, JSON_TYPE)


@pytest.mark.parametrize("broken", [False, True], ids=["good", "broken"])
def test_apact_and_the_core_agree_on_every_message_shape(pact_files: list[Path], broken: bool) -> None:
    official = official_verdicts(pact_files, broken)
    verifier = Verifier("Orders", ignore_missing_states=True)  # as the official one does
    for description, value in made(broken).items():
        verifier.message(description)(producer(value, CASES[description].metadata))
    result = anyio.run(verifier.verify, *pact_files)
    ours = {item.description: item.passed for item in result.interactions}
    assert set(official) == set(CASES), official
    assert ours == official, result.report()
    assert {official[d] for d, case in CASES.items() if case.broken is not None and not case.never_passes} == {
        not broken
    }
    assert not any(official[d] for d, case in CASES.items() if case.never_passes)
    assert official["a V4 message without contents"]
