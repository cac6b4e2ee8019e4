"""Writing pact files: merging, spec clashes, the layout, and many processes at once."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
from pathlib import Path
from typing import Any

import anyio
import pytest

import apact.pact._writer
from apact import Pact, match, pactfile
from apact._core._types import JSON
from apact.errors import PactWriteError
from apact.model import HttpInteraction, HttpRequest, HttpResponse, ProviderState, Spec
from apact.pact._writer import entry, write_pact

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def http(description: str, *states: ProviderState, status: int = 200, path: str = "/") -> HttpInteraction:
    return HttpInteraction(description, HttpRequest("GET", path), HttpResponse(status), tuple(states))


def write(target: Path, *interactions: HttpInteraction, spec: Spec = Spec.V4, overwrite: bool = False, consumer: str = "c") -> Any:
    write_pact(target, consumer, "p", [entry(i, spec) for i in interactions], spec, overwrite=overwrite)
    return json.loads(target.read_text())


def summary(document: dict[str, Any]) -> list[tuple[str, object, object]]:
    return [(i["description"], i.get("providerStates"), i["response"]["status"]) for i in document["interactions"]]


def test_same_description_and_states_replace_others_are_kept_sorted(tmp_path: Path) -> None:
    target = tmp_path / "pacts" / "c-p.json"
    write(target, http("b"), http("a", ProviderState("s", {"id": 1})))
    document = write(
        target,
        http("a", ProviderState("s", {"id": 1}), status=201),  # replaces
        http("a", ProviderState("s", {"id": 2}), status=202),  # other params: another interaction
        http("0"),
    )
    assert summary(document) == [
        ("0", None, 200),
        ("a", [{"name": "s", "params": {"id": 1}}], 201),
        ("a", [{"name": "s", "params": {"id": 2}}], 202),
        ("b", None, 200),
    ]
    assert document["metadata"] == {"apact": {"version": "0.1.0"}, "pactSpecification": {"version": "4.0"}}
    assert list(document) == ["consumer", "provider", "interactions", "metadata"]


def test_overwrite_keeps_only_the_new_interactions(tmp_path: Path) -> None:
    target = tmp_path / "c-p.json"
    write(target, http("a"), http("b"))
    assert summary(write(target, http("c"), overwrite=True)) == [("c", None, 200)]


def test_the_file_is_laid_out_as_json_dumps_writes_it_and_reads_back(tmp_path: Path) -> None:
    target = tmp_path / "c-p.json"
    for n in range(3):
        write(target, http(f"request {n} ü", path=f"/{n}"))
    text = target.read_text()
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
    assert [i.description for i in pactfile.load(target).interactions] == ["request 0 ü", "request 1 ü", "request 2 ü"]
    assert os.listdir(tmp_path) == [".c-p.json.lock", "c-p.json"] or sorted(os.listdir(tmp_path)) == [".c-p.json.lock", "c-p.json"]


def test_awkward_values_are_laid_out_as_json_dumps_writes_them(tmp_path: Path) -> None:
    from apact.model import Body

    body: JSON = {"é ü \u2028 \"quoted\" \\": [1.5, -0.0, 1e100, 10**30, True, None, {}, [], {"x": [[]]}], "": "tab\t"}
    target = tmp_path / "c-p.json"
    interaction = HttpInteraction("odd", HttpRequest("GET", "/"), HttpResponse(200, body=Body.from_json(body)))
    write(target, interaction)
    text = target.read_text()
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
    assert json.loads(text)["interactions"][0]["response"]["body"]["content"] == body


def test_an_unchanged_pact_is_not_rewritten(tmp_path: Path) -> None:
    target = tmp_path / "c-p.json"
    write(target, http("a"))
    before = target.stat()
    write(target, http("a"))
    after = target.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


@pytest.mark.parametrize(("first", "then"), [(Spec.V4, Spec.V3), (Spec.V3, Spec.V2), (Spec.V2, Spec.V4)])
def test_merging_another_spec_version_is_an_error_and_leaves_the_file_alone(tmp_path: Path, first: Spec, then: Spec) -> None:
    target = tmp_path / "c-p.json"
    write(target, http("a"), spec=first)
    before = target.read_bytes()
    with pytest.raises(PactWriteError) as raised:
        write(target, http("b"), spec=then)
    assert str(raised.value) == (
        f"{target}: the file holds a {first.label} pact and this Pact writes {then.label}; apact does not convert "
        f"pact files silently: use spec='{first.label}', delete the file, or pass overwrite=True"
    )
    assert target.read_bytes() == before
    assert summary(write(target, http("b"), spec=then, overwrite=True)) == [("b", None, 200)]


def test_another_consumer_or_a_broken_file_is_not_merged_into(tmp_path: Path) -> None:
    target = tmp_path / "c-p.json"
    write(target, http("a"))
    with pytest.raises(PactWriteError, match="the file is the pact between 'c' and 'p', not between 'other' and 'p'"):
        write(target, http("b"), consumer="other")
    target.write_text('{"consumer": ')
    with pytest.raises(PactWriteError, match=r"cannot merge into this file, it is not a pact apact can read \(JSONDecodeError"):
        write(target, http("b"))
    target.write_text('{"consumer": {"name": "c"}, "provider": {"name": "p"}, "metadata": {"pactSpecification": {"version": "9"}}}')
    with pytest.raises(PactWriteError, match="unknown Pact specification version '9'"):
        write(target, http("b"))


def test_a_file_changed_by_someone_else_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "c-p.json"
    write(target, http("a"))
    other = pactfile.load(target).with_interactions((http("z", status=418),))
    pactfile.save(other, target)  # e.g. another process; laid out by pactfile, not by the writer
    assert summary(write(target, http("b"))) == [("b", None, 200), ("z", None, 418)]
    text = target.read_text()
    document = json.loads(text)
    document["interactions"].append(json.loads(json.dumps(document["interactions"][0]) .replace('"b"', '"c"')))
    target.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")  # as the writer lays it out

    def not_the_slow_path(data: bytes) -> None:
        raise AssertionError("a file laid out as apact writes it is cut into interactions, not parsed whole")

    monkeypatch.setattr(apact.pact._writer, "_parse", not_the_slow_path)
    assert summary(write(target, http("d"))) == [("b", None, 200), ("c", None, 200), ("d", None, 200), ("z", None, 418)]


def test_merging_into_a_pact_python_file_keeps_its_interactions_and_metadata(tmp_path: Path) -> None:
    target = tmp_path / "c-p.json"
    shutil.copy(FIXTURES / "pact-python" / "v4-http.json", target)
    original = pactfile.load(target)
    write_pact(target, original.consumer, original.provider, [entry(http("zzz new"), Spec.V4)], Spec.V4)
    merged = pactfile.load(target)
    assert [i.description for i in merged.interactions] == sorted([*(i.description for i in original.interactions), "zzz new"])
    assert {i.description: i for i in merged.interactions} | {} == {i.description: i for i in original.interactions} | {"zzz new": http("zzz new")}
    assert merged.metadata["pactRust"] == original.metadata["pactRust"]
    assert merged.metadata["apact"] == {"version": "0.1.0"}


def test_a_v3_message_pact_is_not_given_http_interactions(tmp_path: Path) -> None:
    # the official tools read a V3 pact as HTTP interactions or as a message pact, never both
    target = tmp_path / "c-p.json"
    shutil.copy(FIXTURES / "pact-python" / "v3-message.json", target)
    before = target.read_bytes()
    original = pactfile.load(target)
    with pytest.raises(PactWriteError, match="a V3 pact holds HTTP interactions or messages, not both"):
        write_pact(target, original.consumer, original.provider, [entry(http("an http one"), Spec.V3)], Spec.V3)
    assert target.read_bytes() == before


def test_what_the_spec_cannot_say_fails_when_serialised() -> None:
    with pytest.raises(PactWriteError, match="provider state parameters need spec V3 or later"):
        entry(http("a", ProviderState("s", {"id": 1})), Spec.V2)


# -- many processes, one file ------------------------------------------------------------------

PROCESSES = 8
PER_PROCESS = 50


def _one_worker(directory: str, worker: int, start: object) -> None:
    async def main() -> None:
        for n in range(PER_PROCESS):
            async with Pact("Sous Chef", "Grill Chef", pact_dir=directory) as pact:
                (
                    pact.given("steaks are available", worker=worker)
                    .upon_receiving(f"steak {n} for worker {worker}")
                    .with_request("POST", "/steaks/", body={"n": n})
                    .will_respond_with(201, body={"waitingTime": match.integer(10)})
                )
                response = await pact.client.post("/steaks/", json={"n": n})
                assert response.status_code == 201

    start.wait()  # type: ignore[attr-defined]  # all processes begin together
    anyio.run(main)


@pytest.mark.parametrize("round_", range(3))
def test_eight_processes_writing_fifty_interactions_each_lose_none(tmp_path: Path, round_: int) -> None:
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context: Any = multiprocessing.get_context(method)  # a fork or a spawn context: both have Process
    start = context.Event()
    workers = [context.Process(target=_one_worker, args=(str(tmp_path), w, start)) for w in range(PROCESSES)]
    for process in workers:
        process.start()
    start.set()
    for process in workers:
        process.join(timeout=120)
    assert [p.exitcode for p in workers] == [0] * PROCESSES
    pact = pactfile.load(tmp_path / "Sous Chef-Grill Chef.json")
    assert len(pact.interactions) == PROCESSES * PER_PROCESS
    assert {i.description for i in pact.interactions} == {f"steak {n} for worker {w}" for n in range(PER_PROCESS) for w in range(PROCESSES)}
    assert sorted(os.listdir(tmp_path)) == [".Sous Chef-Grill Chef.json.lock", "Sous Chef-Grill Chef.json"]  # no temporary files
