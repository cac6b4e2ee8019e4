"""Reading and writing a large pact without the garbage collector walking the model as it
grows (`apact._core._gc`): no collection starts while it is built, and the collector's
switch is left as it was found, whatever happens."""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest

from apact import pactfile
from apact._core._gc import collector_paused
from apact.errors import PactFileError

T = TypeVar("T")


def _pact(count: int) -> bytes:
    interactions = [
        {
            "type": "Synchronous/HTTP",
            "description": f"order {i}",
            "providerStates": [{"name": "steaks are available", "params": {"count": i % 5}}],
            "request": {"method": "POST", "path": "/steaks/", "headers": {"Content-Type": ["application/json"]}},
            "response": {
                "status": 201,
                "body": {"contentType": "application/json", "encoded": False, "content": {"waitingTime": i}},
                "matchingRules": {"body": {"$.waitingTime": {"combine": "AND", "matchers": [{"match": "integer"}]}}},
            },
        }
        for i in range(count)
    ]
    document = {
        "consumer": {"name": "Sous Chef"},
        "provider": {"name": "Grill Chef"},
        "interactions": interactions,
        "metadata": {"pactSpecification": {"version": "4.0"}},
    }
    return json.dumps(document).encode()


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """The generation of each collection that starts while the test runs."""
    started: list[int] = []

    def note(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started.append(info["generation"])

    gc.callbacks.append(note)
    try:
        yield started
    finally:
        gc.callbacks.remove(note)


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if not was:
            gc.disable()


@pytest.mark.usefixtures("collector_on")
def test_a_large_pact_is_read_and_written_with_no_collection_on_the_way(collections: list[int]) -> None:
    data = _pact(2_000)  # thousands of container objects: dozens of collections without the pause

    def during(step: Callable[[], T]) -> T:
        gc.collect()  # (from nothing pending: what starts below, the step started)
        collections.clear()
        done = step()
        assert collections == [], f"{len(collections)} collections started during {step}"
        return done

    pact = during(lambda: pactfile.loads(data, file="large.json"))
    text = during(lambda: pactfile.dumps(pact))
    document = during(lambda: pactfile.to_json(pact))
    assert gc.isenabled()
    assert len(pact.interactions) == len(document["interactions"]) == 2_000  # type: ignore[arg-type]
    assert pactfile.loads(text).interactions == pact.interactions


@pytest.mark.usefixtures("collector_on")
def test_the_collector_is_back_on_after_a_pact_that_cannot_be_read() -> None:
    broken = _pact(3).replace(b'"status": 201', b'"status": "created"')
    with pytest.raises(PactFileError, match="status"):
        pactfile.loads(broken, file="broken.json")
    assert gc.isenabled()


def test_a_collector_found_off_is_left_off() -> None:
    was = gc.isenabled()
    gc.disable()
    try:
        pactfile.loads(_pact(3))
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()


@pytest.mark.usefixtures("collector_on")
def test_the_pause_lasts_as_long_as_the_function_and_ends_on_an_error() -> None:
    seen: list[bool] = []

    @collector_paused
    def build(fail: bool) -> str:
        """Builds."""
        seen.append(gc.isenabled())
        if fail:
            raise ValueError("no")
        return "built"

    assert build(False) == "built"
    assert gc.isenabled()
    with pytest.raises(ValueError, match="no"):
        build(True)
    assert gc.isenabled()
    assert seen == [False, False]
    assert build.__name__ == "build" and build.__doc__ == "Builds."
