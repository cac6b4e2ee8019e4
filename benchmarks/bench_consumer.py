"""Consumer-side benchmark (issue 3), apact beside pact-python 4.2 in the same run.

Three workloads, as the issue states them:

1. **per-test cycle**: ``async with Pact(...)`` + one interaction + one request through
   ``pact.client`` + the pact write, 1,000 times, each test with its own interaction
   written with ``overwrite=True`` (so every write really rewrites the file, and the file
   stays small). Target: under 1 ms each, at least 5x faster than pact-python.
2. **1,000 tests merging into one file**: the same cycle, each test with its own
   interaction, so the file grows to 1,000 interactions. Target: under 2 s in total.
3. **one Pact, 1,000 interactions, each requested once** (then written). Target: under
   1 s. Run twice: 1,000 paths, and one path with 1,000 request bodies.

pact-python does the same work with its own API: a ``Pact``, ``serve()`` (its Rust mock
server on 127.0.0.1), one ``httpx.Client`` shared by all its cycles (kinder to it than
one client per test), and ``write_file`` (merging). Its third workload is timed on a few
requests and extrapolated to 1,000 (at this size each of its requests takes seconds).
The per-test cycles are the median of three runs for both; the other apact figures too,
pact-python's other figures come from one run.

Run: ``python benchmarks/bench_consumer.py`` (about 90 s with pact-python installed;
``--quick`` runs pact-python's merge workload on 200 tests only and says so).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

os.environ.setdefault("PACT_DO_NOT_TRACK", "true")  # pact-python phones home otherwise

import anyio  # noqa: E402

from apact import Pact, match  # noqa: E402

N = 1000


# -- apact --------------------------------------------------------------------------------------


async def apact_cycle(directory: Path, description: str, *, overwrite: bool = False) -> None:
    async with Pact("Sous Chef", "Grill Chef", pact_dir=directory, overwrite=overwrite) as pact:
        (
            pact.given("steaks are available")
            .upon_receiving(description)
            .with_request("POST", "/steaks/", body={"cooking": "medium-rare"})
            .will_respond_with(201, body={"waitingTime": match.integer(10)})
        )
        response = await pact.client.post("/steaks/", json={"cooking": "medium-rare"})
        assert response.status_code == 201


async def apact_small_file(directory: Path, count: int = N) -> None:
    for n in range(count):
        await apact_cycle(directory, f"a request for steak {n}", overwrite=True)


async def apact_growing_file(directory: Path, count: int = N) -> None:
    for n in range(count):
        await apact_cycle(directory, f"a request for steak {n}")


async def apact_many_paths(directory: Path, count: int = N) -> None:
    async with Pact("Sous Chef", "Grill Chef", pact_dir=directory) as pact:
        for n in range(count):
            pact.upon_receiving(f"a request for steak {n}").with_request("GET", f"/steaks/{n}").will_respond_with(
                200, body={"id": match.integer(n), "cooking": "rare"}
            )
        client = pact.client
        for n in range(count):
            assert (await client.get(f"/steaks/{n}")).status_code == 200


async def apact_one_path(directory: Path) -> None:
    async with Pact("Sous Chef", "Grill Chef", pact_dir=directory) as pact:
        for n in range(N):
            pact.upon_receiving(f"order {n}").with_request(
                "POST", "/steaks/", body={"table": n, "cooking": "rare"}
            ).will_respond_with(201, body={"waitingTime": match.integer(10)})
        client = pact.client
        for n in range(N):
            assert (await client.post("/steaks/", json={"table": n, "cooking": "rare"})).status_code == 201


def time_apact(workload: Callable[[Path], Awaitable[None]], backend: str = "asyncio", runs: int = 3) -> float:
    """Median seconds over ``runs`` runs, each in a fresh directory."""
    results = []
    for _ in range(runs):
        directory = Path(tempfile.mkdtemp(prefix="apact-bench-"))
        try:
            start = time.perf_counter()
            anyio.run(workload, directory, backend=backend)
            results.append(time.perf_counter() - start)
        finally:
            shutil.rmtree(directory)
    return statistics.median(results)


# -- pact-python ------------------------------------------------------------------------------------


def peer_available() -> str | None:
    try:
        import pact
    except ImportError:
        return None
    return getattr(pact, "__version__", "?")


def peer_cycle(directory: Path, description: str, client: object, *, overwrite: bool) -> None:
    from pact import Pact as PeerPact
    from pact import match as peer_match

    pact = PeerPact("Sous Chef", "Grill Chef")
    (
        pact.upon_receiving(description)
        .given("steaks are available")
        .with_request("POST", "/steaks/")
        .with_body({"cooking": "medium-rare"}, "application/json")
        .will_respond_with(201)
        .with_body({"waitingTime": peer_match.int(10)}, "application/json")
    )
    with pact.serve(addr="127.0.0.1", verbose=False) as server:
        response = client.post(f"{server.url}/steaks/", json={"cooking": "medium-rare"})  # type: ignore[attr-defined]
        assert response.status_code == 201
    pact.write_file(directory, overwrite=overwrite)


def time_peer_cycles(count: int, *, overwrite: bool) -> float:
    import httpx

    directory = Path(tempfile.mkdtemp(prefix="pact-python-bench-"))
    try:
        with httpx.Client() as client:
            start = time.perf_counter()
            for n in range(count):
                peer_cycle(directory, f"a request for steak {n}", client, overwrite=overwrite)
            return time.perf_counter() - start
    finally:
        shutil.rmtree(directory)


def time_peer_many_paths(sample: int, count: int = N) -> tuple[float, float]:
    """(seconds to define and serve ``count`` interactions, seconds per request)."""
    import httpx
    from pact import Pact as PeerPact
    from pact import match as peer_match

    pact = PeerPact("Sous Chef", "Grill Chef")
    start = time.perf_counter()
    for n in range(count):
        pact.upon_receiving(f"a request for steak {n}").with_request("GET", f"/steaks/{n}").will_respond_with(
            200
        ).with_body({"id": peer_match.int(n), "cooking": "rare"}, "application/json")
    with pact.serve(addr="127.0.0.1", verbose=False, raises=False) as server, httpx.Client(timeout=600) as client:
        setup = time.perf_counter() - start
        start = time.perf_counter()
        for n in range(sample):
            assert client.get(f"{server.url}/steaks/{n}").status_code == 200
        per_request = (time.perf_counter() - start) / sample
    return setup, per_request


# -- report -----------------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def s(seconds: float) -> str:
    return f"{seconds:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="pact-python merges 200 tests instead of 1,000")
    parser.add_argument("--no-peer", action="store_true", help="leave pact-python out")
    options = parser.parse_args()
    peer = None if options.no_peer else peer_available()
    print(
        f"apact consumer benchmark — Python {platform.python_version()} on {platform.machine()}, "
        f"{platform.system()}, {os.cpu_count()} CPUs, {datetime.date.today()}"
    )
    print(f"peer: {'pact-python ' + peer if peer else 'pact-python not installed'}")
    rows: list[tuple[str, str, str, str, str]] = []

    cycle = time_apact(apact_small_file) / N
    cycle_trio = time_apact(apact_small_file, "trio") / N
    growing = time_apact(apact_growing_file)
    many_paths = time_apact(apact_many_paths)
    one_path = time_apact(apact_one_path)

    peer_cycle_time = peer_growing = None
    peer_paths: tuple[float, float] | None = None
    merge_count = 200 if options.quick else N
    if peer:
        peer_cycle_time = statistics.median(time_peer_cycles(N, overwrite=True) for _ in range(3)) / N
        peer_growing = time_peer_cycles(merge_count, overwrite=False)
        peer_paths = time_peer_many_paths(sample=3)

    def ratio(mine: float, theirs: float | None) -> str:
        return f"{theirs / mine:.0f}x" if theirs else "-"

    rows.append(
        (
            "per-test cycle (x1,000, asyncio)",
            ms(cycle),
            ms(peer_cycle_time) if peer_cycle_time else "-",
            ratio(cycle, peer_cycle_time),
            "OK" if cycle < 0.001 and (not peer_cycle_time or peer_cycle_time / cycle >= 5) else "MISSED",
        )
    )
    rows.append(("per-test cycle (x1,000, trio)", ms(cycle_trio), "", "", "OK" if cycle_trio < 0.001 else "MISSED"))
    peer_merge = "-"
    if peer_growing is not None:
        peer_merge = s(peer_growing) + ("" if merge_count == N else f" ({merge_count} tests only)")
    rows.append(
        (
            "1,000 tests merging into one file",
            s(growing),
            peer_merge,
            ratio(growing, peer_growing) if merge_count == N else "-",
            "OK" if growing < 2 else "MISSED",
        )
    )
    peer_total = peer_paths[0] + N * peer_paths[1] if peer_paths else None
    rows.append(
        (
            "one Pact, 1,000 paths, each requested once",
            s(many_paths),
            f"~{peer_total:.0f} s (extrapolated: {peer_paths[1]:.2f} s/request)" if peer_paths and peer_total else "-",
            ratio(many_paths, peer_total),
            "OK" if many_paths < 1 else "MISSED",
        )
    )
    rows.append(
        ("one Pact, 1 path, 1,000 bodies, each requested", s(one_path), "", "", "OK" if one_path < 1 else "MISSED")
    )

    headers = ("workload", "apact", "pact-python", "ratio", "target")
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(5)]
    for row in [headers, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


if __name__ == "__main__":
    sys.exit(main())
