"""Interoperability of the DSL's escape hatches (issue 16): a pact apact writes with raw
rules (V2 flat and V3/V4 category forms), raw generators and ``generate.only`` gets the
same verdict from the official verifier (pact-python 4.2, its Rust core) as from apact,
on a provider that honours it and on providers that break it."""

from __future__ import annotations

import os

os.environ.setdefault("PACT_DO_NOT_TRACK", "true")  # pact-python phones home otherwise

import json
from pathlib import Path
from typing import Any

import anyio.to_thread
import pytest

from apact import Pact, generate
from apact._core._serve import serve
from apact._core._types import Receive, Scope, Send
from apact.verifier import Verifier

official = pytest.importorskip("pact", reason="pact-python is not installed: the interoperability test needs it")

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.parametrize("anyio_backend", ["asyncio"]),
]

CONSUMER, PROVIDER = "Sous Chef", "Host"

ANSWERS: dict[str, dict[str, Any]] = {
    "good": {"table": 12, "name": "patio", "ticket": "T-123", "seat": 3},
    "wrong types": {"table": "12", "name": "Patio", "ticket": "T-123", "seat": 3},
    "another seat": {"table": 12, "name": "patio", "ticket": "T-123", "seat": 5},
    "a bad ticket": {"table": 12, "name": "patio", "ticket": "ticket 9", "seat": 3},
}


async def write_pact(directory: Path, spec: str) -> Path:
    async with Pact(CONSUMER, PROVIDER, pact_dir=directory, spec=spec) as pact:  # type: ignore[arg-type]
        (
            pact.upon_receiving("a table")
            .with_request("POST", "/tables", body={"guests": 2})
            .with_matching_rules({"$.body.guests": {"match": "integer"}})
            .will_respond_with(
                200,
                body={
                    "table": 4,
                    "name": "window",
                    "ticket": "T-000",
                    "seat": generate.only(generate.integer(1, 9), 3),
                },
            )
            .with_matching_rules({"$.body.table": {"match": "integer"}})
            .with_matching_rules({"body": {"$.name": {"matchers": [{"match": "regex", "regex": "^[a-z]+$"}]}}})
            .with_matching_rules({"body": {"$.ticket": {"matchers": [{"match": "regex", "regex": "^T-\\d{3}$"}]}}})
            .with_generators({"body": {"$.ticket": {"type": "Regex", "regex": "T-[0-9]{3}"}}})
        )
        answered = (await pact.client.post("/tables", json={"guests": 5})).json()
        assert answered["ticket"].startswith("T-") and 1 <= answered["seat"] <= 9
    assert pact.file is not None
    return pact.file


def host(answer: dict[str, Any]) -> Any:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        payload = json.dumps(answer).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    return app


def official_verdict(pact_file: Path, url: str) -> bool:
    verifier = official.Verifier(PROVIDER, host="127.0.0.1").add_transport(url=url).add_source(str(pact_file))
    try:
        verifier.verify()
    except RuntimeError:
        return False
    return True


@pytest.mark.parametrize("spec", ["V3", "V4"])
@pytest.mark.parametrize("answer", list(ANSWERS))
async def test_the_official_verifier_and_apact_agree(tmp_path: Path, spec: str, answer: str) -> None:
    pact_file = await write_pact(tmp_path, spec)
    async with serve(host(ANSWERS[answer])) as url:
        theirs = await anyio.to_thread.run_sync(official_verdict, pact_file, url)
        ours = await Verifier(PROVIDER, base_url=url).verify(pact_file)
    assert ours.ok == theirs, ours.report()
    assert theirs is (answer == "good")
