"""Hostile matrix queries against a real broker process: refused or answered at once,
while the heartbeat keeps answering.

"At once" is measured as the broker process's own CPU time per query (Linux's
``/proc/<pid>/stat``), not as wall-clock latency: on a loaded CI machine the broker may
wait a second for a core with nothing wrong in it, while a regression that works
through the permutations costs seconds of CPU wherever it runs. The broker answers on
one event loop (the store's work in a thread holds the GIL too), so a query's CPU time
bounds how long it can keep the heartbeat waiting.

The broker runs under a 1 GiB address-space limit, so that a regression (the old
regrouping listed every permutation: 11 selectors reached 4 GB) fails this test with a
MemoryError instead of taking the machine down. On SQLite (in memory) only: the attack
is on reading and regrouping the query, done before the store is asked anything.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import anyio
import httpx
import pytest

from apact.broker_server._matrix import MAX_SELECTORS

asyncio_only = pytest.mark.parametrize("anyio_backend", ["asyncio"])

LIMITED = (
    "import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30));"
    " from apact.cli._broker_server import main; sys.exit(main(sys.argv[1:]))"
)
#: the issue's bound on a heartbeat's wait, as the broker's CPU time per hostile query
CPU_BOUND = 0.1
#: the wall clock only shows the heartbeat was not stuck behind the attack
HEARTBEAT_BOUND = 5.0
PROC = Path("/proc")
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) process ``pid`` has used so far."""
    fields = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime: fields 14 and 15 of stat


@asynccontextmanager
async def limited_broker() -> AsyncIterator[tuple[str, int]]:
    """A broker process on a free port with its memory capped; yields its URL and pid."""
    command = [sys.executable, "-c", LIMITED, "--port", "0", "--database", ":memory:"]
    async with await anyio.open_process(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        try:
            assert process.stdout is not None
            with anyio.fail_after(20):
                line = (await process.stdout.receive()).decode()
            found = re.search(r"serving (http://\S+)", line)
            assert found, f"unexpected first line: {line!r}"
            yield found.group(1), process.pid
        finally:
            process.terminate()
            with anyio.move_on_after(10):
                await process.wait()
            if process.returncode is None:  # stuck on a blocked event loop: do not leave it behind
                process.kill()
                await process.wait()


def grouped(selectors: list[tuple[str, str]]) -> str:
    return urlencode(
        [pair for name, version in selectors for pair in (("q[][pacticipant]", name), ("q[][version]", version))]
    )


def shuffled(names: list[str], versions: list[str]) -> str:
    """Every pacticipant first, then every version: the grouping lost, so regrouped."""
    return urlencode([("q[][pacticipant]", name) for name in names] + [("q[][version]", v) for v in versions])


# (what, query, expected status)
HOSTILE = [
    # the 1,000 selectors (the old regrouping: 1000! permutations)
    ("1,000 selectors", grouped([("Foo", "1")] * 1000), 400),
    # 11 selectors (11! permutations, 4 GB), read as sent
    ("11 selectors", grouped([("Foo", str(n)) for n in range(1, 12)]), 200),
    # 7 shuffled selectors, 2,520 ways to regroup; version 9 does not exist, so none fits
    ("7 shuffled selectors", shuffled(["Foo"] * 7, ["1", "2", "3", "4", "9"]), 200),
    # the most selectors allowed (the lone second version starts the last one), 9,702
    # ways to regroup, nearly the most tried; none fits
    (f"{MAX_SELECTORS} shuffled selectors", shuffled(["Foo"] * (MAX_SELECTORS - 1), ["9", "1"]), 200),
]


@pytest.mark.anyio
@asyncio_only
@pytest.mark.skipif(not (PROC / "self" / "stat").exists(), reason="reads the broker's CPU time from /proc (Linux)")
async def test_hostile_matrix_queries_do_not_stop_the_heartbeat() -> None:
    pact = {"consumer": {"name": "Foo"}, "provider": {"name": "Bar"}, "interactions": []}
    async with (
        limited_broker() as (url, pid),
        httpx.AsyncClient(base_url=url, timeout=60) as attacker,
        httpx.AsyncClient(base_url=url, timeout=10) as watcher,
    ):
        for number in range(1, 6):
            published = await attacker.put(f"/pacts/provider/Bar/consumer/Foo/version/{number}", json=pact)
            assert published.status_code == 201
        beats: list[tuple[float, float]] = []  # when each heartbeat was asked and answered
        answers: list[tuple[str, int, tuple[float, float], Any]] = []
        cpu: list[tuple[str, float]] = []  # the broker's CPU time for each query
        attacking = True

        async def watch() -> None:
            while attacking:
                start = time.perf_counter()
                beat = await watcher.get("/diagnostic/status/heartbeat")
                beats.append((start, time.perf_counter()))
                assert beat.status_code == 200

        # built beforehand: httpx takes tens of milliseconds over a 50 kB URL, time the
        # heartbeat (sharing this event loop) would be charged with
        requests = [(what, attacker.build_request("GET", "/matrix?" + query)) for what, query, _ in HOSTILE]
        with anyio.fail_after(120):
            async with anyio.create_task_group() as group:
                group.start_soon(watch)
                await anyio.wait_all_tasks_blocked()
                try:
                    for _ in range(5):
                        for what, request in requests:
                            start, used = time.perf_counter(), cpu_seconds(pid)
                            response = await attacker.send(request)
                            took = (start, time.perf_counter())
                            cpu.append((what, cpu_seconds(pid) - used))
                            answers.append((what, response.status_code, took, response.json()))
                finally:
                    attacking = False

    statuses = {what: status for what, status, _, _ in answers}
    assert statuses == {what: status for what, _, status in HOSTILE}
    refusal = next(body for what, _, _, body in answers if what == "1,000 selectors")
    assert refusal == {"errors": [f"A matrix query takes at most {MAX_SELECTORS} q[] selectors; this one has 1000"]}
    eleven = next(body for what, _, _, body in answers if what == "11 selectors")
    assert eleven["summary"]["deployable"] is False
    assert "No version 6 of Foo exists" in eleven["summary"]["reason"]
    for what, _, (start, end), _ in answers:  # a heartbeat was in flight during each attack
        assert any(asked < end and start < answered for asked, answered in beats), what
    costliest = max(cpu, key=lambda pair: pair[1])
    assert costliest[1] < CPU_BOUND, f"the broker spent {costliest[1]:.3f} s of CPU on {costliest[0]}"
    slowest = max(answered - asked for asked, answered in beats)
    assert slowest < HEARTBEAT_BOUND, f"slowest heartbeat {slowest:.3f} s while under attack"
