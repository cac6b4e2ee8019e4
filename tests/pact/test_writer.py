"""Writing pact files: merging, spec clashes, the layout, and many processes at once."""

from __future__ import annotations

import json
import multiprocessing
import os
import select
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Callable
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


def write(
    target: Path, *interactions: HttpInteraction, spec: Spec = Spec.V4, overwrite: bool = False, consumer: str = "c"
) -> Any:
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
    assert os.listdir(tmp_path) == ["c-p.json"]  # no temporary file, and no lock file once written


def test_awkward_values_are_laid_out_as_json_dumps_writes_them(tmp_path: Path) -> None:
    from apact.model import Body

    body: JSON = {'é ü \u2028 "quoted" \\': [1.5, -0.0, 1e100, 10**30, True, None, {}, [], {"x": [[]]}], "": "tab\t"}
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
def test_merging_another_spec_version_is_an_error_and_leaves_the_file_alone(
    tmp_path: Path, first: Spec, then: Spec
) -> None:
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
    with pytest.raises(
        PactWriteError, match=r"cannot merge into this file, it is not a pact apact can read \(JSONDecodeError"
    ):
        write(target, http("b"))
    target.write_text(
        '{"consumer": {"name": "c"}, "provider": {"name": "p"}, "metadata": {"pactSpecification": {"version": "9"}}}'
    )
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
    document["interactions"].append(json.loads(json.dumps(document["interactions"][0]).replace('"b"', '"c"')))
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
    assert [i.description for i in merged.interactions] == sorted(
        [*(i.description for i in original.interactions), "zzz new"]
    )
    assert {i.description: i for i in merged.interactions} | {} == {i.description: i for i in original.interactions} | {
        "zzz new": http("zzz new")
    }
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

    start.wait(timeout=60)  # type: ignore[attr-defined]  # all processes begin together
    anyio.run(main)


@pytest.mark.parametrize("round_", range(3))
def test_eight_processes_writing_fifty_interactions_each_lose_none(tmp_path: Path, round_: int) -> None:
    # not fork: this process has threads (Python 3.12+ warns that a fork may deadlock);
    # the fork server is started without them, and imports this module once, not per worker
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context: Any = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload([__name__])
    start = context.Barrier(PROCESSES)  # the workers wait for each other, however late each starts
    workers = [context.Process(target=_one_worker, args=(str(tmp_path), w, start)) for w in range(PROCESSES)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
    assert [p.exitcode for p in workers] == [0] * PROCESSES
    pact = pactfile.load(tmp_path / "Sous Chef-Grill Chef.json")
    assert len(pact.interactions) == PROCESSES * PER_PROCESS
    assert {i.description for i in pact.interactions} == {
        f"steak {n} for worker {w}" for n in range(PER_PROCESS) for w in range(PROCESSES)
    }
    assert os.listdir(tmp_path) == ["Sous Chef-Grill Chef.json"]  # no temporary files, and the lock file is gone


# -- files a team can share ---------------------------------------------------------------------


def _write_with_umask(target: Path, umask: int, description: str) -> None:
    """A pact written by a process with ``umask`` (a real process: the umask is the
    process's), merged into ``target`` if it exists."""
    script = (
        "import os, sys\n"
        f"os.umask({umask})\n"
        "from pathlib import Path\n"
        "from apact.pact._writer import entry, write_pact\n"
        "from apact.model import HttpInteraction, HttpRequest, HttpResponse, Spec\n"
        "interaction = HttpInteraction(sys.argv[2], HttpRequest('GET', '/'), HttpResponse(200))\n"
        "write_pact(Path(sys.argv[1]), 'c', 'p', [entry(interaction, Spec.V4)], Spec.V4)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(target), description], check=True, timeout=60)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_a_new_pact_file_gets_the_mode_the_umask_allows(tmp_path: Path, umask: int, mode: int) -> None:
    target = tmp_path / "c-p.json"
    _write_with_umask(target, umask, "a")
    assert stat.S_IMODE(target.stat().st_mode) == mode  # as open() and the official Pact tools: not mkstemp's 0600


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_a_merge_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    target = tmp_path / "c-p.json"
    _write_with_umask(target, 0o077, "a")
    target.chmod(0o644)  # shared with a provider job running as another user
    _write_with_umask(target, 0o077, "b")
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert summary(json.loads(target.read_text())) == [("a", None, 200), ("b", None, 200)]  # merged, not just re-moded
    target.chmod(0o664)
    write(target, http("c"))  # this process's umask does not matter either
    assert stat.S_IMODE(target.stat().st_mode) == 0o664


@pytest.mark.skipif(sys.platform == "win32", reason="Windows cannot remove an open lock file")
def test_the_lock_file_is_gone_once_written_so_git_add_does_not_pick_it_up(tmp_path: Path) -> None:
    pacts = tmp_path / "pacts"
    write(pacts / "c-p.json", http("a"))
    write(pacts / "c-p.json", http("b"))
    assert os.listdir(pacts) == ["c-p.json"]
    # a lock file left by an older apact is taken over and removed
    (pacts / ".c-p.json.lock").write_text("")
    write(pacts / "c-p.json", http("c"))
    assert os.listdir(pacts) == ["c-p.json"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fcntl locks, /proc")
def test_a_writer_waiting_on_a_removed_lock_file_locks_the_path_again(tmp_path: Path) -> None:
    """The removal protocol: a writer that got the lock of a file its holder removed
    meanwhile does not go ahead (two writers would hold "the" lock at once)."""
    import fcntl

    target = tmp_path / "c-p.json"
    lock = tmp_path / ".c-p.json.lock"
    holder = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(holder, fcntl.LOCK_EX)
    waiting = subprocess.Popen(
        [
            sys.executable, "-c",
            "import sys; from pathlib import Path; from apact._core._files import locked\n"
            "with locked(Path(sys.argv[1])):\n    print('locked', flush=True)\n    sys.stdin.readline()\n",
            str(target),
        ],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        # the other writer opens the lock file and waits on it (its open files show in /proc)
        _wait_until(lambda: _holds_open(waiting.pid, os.fstat(holder).st_ino), "the writer to open the lock file")
        os.unlink(lock)  # as a holder does before releasing it
        replacement = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)  # a third writer's lock file ...
        fcntl.flock(replacement, fcntl.LOCK_EX)  # ... which it holds
        fcntl.flock(holder, fcntl.LOCK_UN)  # the waiting writer gets the lock of the removed file, sees that ...
        os.close(holder)
        new = os.fstat(replacement).st_ino
        _wait_until(
            lambda: _holds_open(waiting.pid, new), "the writer to open the new lock file"
        )  # ... and locks the path again
        assert waiting.stdout is not None
        assert not select.select([waiting.stdout], [], [], 0)[0]  # without going ahead meanwhile
        fcntl.flock(replacement, fcntl.LOCK_UN)
        assert waiting.stdout.readline() == "locked\n"  # now it may
        os.close(replacement)
        waiting.communicate("\n", timeout=60)
        assert waiting.returncode == 0
    finally:
        if waiting.poll() is None:
            waiting.kill()
            waiting.wait()


def _wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)  # polling a condition between checks, not synchronisation


def _holds_open(pid: int, inode: int) -> bool:
    """Whether process ``pid`` has the file with ``inode`` open."""
    try:
        return any(os.stat(f"/proc/{pid}/fd/{fd}").st_ino == inode for fd in os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return False
