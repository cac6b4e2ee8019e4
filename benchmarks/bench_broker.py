"""Broker benchmark (issue 13): p50/p99 of the hot requests as the history grows.

A broker is filled with 1,000, 10,000 and 100,000 publications across 100 pacticipants
(60 consumers, 40 providers, two providers per consumer), with a realistic shape: each
consumer version is on ``main`` (tagged ``main``) or on a feature branch that changes
every ten versions, and publishes a pact to each of its two providers whose content
changes every fifth version; each provider verifies every pact with its current
version (one provider version per ten pacts received, one failure in ten), and
consumers and providers are deployed to ``test`` (every 100 steps) and ``production``
(every 300 steps), the previous deployment ending.

The fill goes straight through the store (``Transaction`` calls, 1,000 consumer
versions per transaction), not through HTTP: it is set-up, not what is measured. The
broker is then served by a child process on a loopback port, and one real HTTP client
(httpx, one kept-alive connection) times each request:

* ``publish``: ``POST /contracts/publish``, a new consumer version with two pacts;
* ``for-verification``: ``POST /pacts/provider/{p}/for-verification`` with the usual
  selectors (``mainBranch``, ``deployedOrReleased``) and pending pacts; ``+ WIP``: also
  the WIP pacts since yesterday, which here is every feature branch of the history (all
  of it was written minutes ago), so its answer grows with the history: the WIP pacts
  are the latest of each branch published since that date;
* ``can-i-deploy``: ``GET /can-i-deploy?pacticipant=..&version=..&environment=production``;
* ``matrix``: ``GET /matrix`` for a consumer version and its provider's latest version;
* ``latest pact``: ``GET /pacts/provider/{p}/consumer/{c}/latest``;
* ``/pacts/latest``: the latest pact of every integration.

Prints a table (p50 and p99 per operation and size, and in brackets the broker
process's CPU time per request, from ``/proc``: what a request costs the broker, which
other work on the machine inflates far less than the wall clock), whether each p99 is
under the 50 ms goal, and how it grows from the smallest size to the largest (flat or
not).

Run: ``python benchmarks/bench_broker.py [--sizes 1000,10000,100000] [--database PATH]
[--repeat 200]``; ``--quick`` is a smoke test (1,000 publications, a few requests).
``--database`` names where to build the broker (an SQLite file; any other string, such
as a PostgreSQL URL, goes to ``apact.broker_server._open.open_store`` when it exists); it
is emptied first for each size, and the last size's broker is left there (to look at,
or to serve again with ``--reuse``). Without it, a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GOAL_MS = 50.0
CONSUMERS = 60
PROVIDERS = 40
BATCH = 1000  # consumer versions per fill transaction
ENVIRONMENTS = {"test": 100, "production": 300}  # deploy every that many steps


# -- the store ------------------------------------------------------------------------------------


def open_store(database: str) -> Any:  # noqa: ANN401  (a Store: SQLite or whatever open_store gives)
    """The store for ``database``: ``open_store`` when the broker has one, else SQLite."""
    try:
        from apact.broker_server._open import open_store as opener  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        from apact.broker_server._sqlite import SqliteStore

        return SqliteStore(database)
    return opener(database)


def reset(database: str) -> None:
    """Start from an empty broker: an SQLite file is deleted; a PostgreSQL database loses
    its schema (every table the broker made), so each size starts from the first migration."""
    if database.startswith(("postgresql://", "postgres://")):
        import psycopg

        with psycopg.connect(database, autocommit=True) as connection:
            connection.execute("DROP SCHEMA public CASCADE")
            connection.execute("CREATE SCHEMA public")
    elif "://" not in database:
        for suffix in ("", "-wal", "-shm"):
            Path(database + suffix).unlink(missing_ok=True)


def consumer_name(index: int) -> str:
    return f"consumer-{index:02d}"


def provider_name(index: int) -> str:
    return f"provider-{index:02d}"


def providers_of(consumer: int) -> tuple[int, int]:
    first = consumer % PROVIDERS
    return first, (first + 1 + consumer % (PROVIDERS - 1)) % PROVIDERS


def pact_document(consumer: str, provider: str, revision: int) -> dict[str, Any]:
    return {
        "consumer": {"name": consumer},
        "provider": {"name": provider},
        "interactions": [
            {
                "description": f"a request for thing {n} (revision {revision})",
                "providerState": "things exist",
                "request": {"method": "GET", "path": f"/things/{n}"},
                "response": {"status": 200, "body": {"id": n, "name": "thing", "revision": revision}},
            }
            for n in range(3)
        ],
        "metadata": {"pactSpecification": {"version": "2.0.0"}},
    }


@dataclass
class Filled:
    """What the measurements need to know about the history."""

    steps: int = 0
    # the latest version number of each consumer
    latest: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


def fill(database: str, publications: int, *, seed: int = 13) -> Filled:
    """``publications`` pacts (two per consumer version) written straight through the store."""
    from apact.broker_server._domain import pact_sha

    rng = random.Random(seed)
    started = time.perf_counter()
    filled = Filled()
    store = open_store(database)
    try:
        ids: dict[str, int] = {}
        with store.transaction() as tx:
            for name in [consumer_name(i) for i in range(CONSUMERS)] + [provider_name(i) for i in range(PROVIDERS)]:
                ids[name] = tx.add_pacticipant(name).id
                tx.update_pacticipant(_with_main(tx.pacticipant_by_id(ids[name])))
            environments = {}
            for name in ENVIRONMENTS:
                environments[name] = _environment(tx, name)
        shas: dict[tuple[int, int, int], str] = {}
        provider_version: dict[int, int] = {}  # provider index -> its current version id
        received = dict.fromkeys(range(PROVIDERS), 0)
        active: dict[tuple[str, str], str] = {}  # (pacticipant, environment) -> deployment uuid
        main_versions: dict[str, int] = {}  # latest main version id per pacticipant
        steps = publications // 2
        for start in range(0, steps, BATCH):
            with store.transaction() as tx:
                for step in range(start, min(start + BATCH, steps)):
                    index = step % CONSUMERS
                    consumer = consumer_name(index)
                    serial = step // CONSUMERS
                    number = f"1.{serial}.0-{step}"
                    version = tx.add_version(ids[consumer], number, None)
                    on_main = rng.random() < 0.7
                    if on_main:
                        tx.add_branch_version(version.id, "main")
                        tx.add_tag(version.id, "main")
                        main_versions[consumer] = version.id
                    else:
                        tx.add_branch_version(version.id, f"feature-{serial // 10}")
                    filled.latest[consumer] = number
                    for provider_index in providers_of(index):
                        provider = provider_name(provider_index)
                        revision = serial // 5
                        key = (index, provider_index, revision)
                        if key not in shas:
                            document = pact_document(consumer, provider, revision)
                            shas[key] = pact_sha(document)
                            tx.add_pact_content(shas[key], ids[consumer], ids[provider], json.dumps(document))
                        tx.add_publication(version.id, ids[provider], shas[key])
                        if received[provider_index] % 10 == 0:
                            pv = tx.add_version(ids[provider], f"2.{received[provider_index] // 10}.0", None)
                            tx.add_branch_version(pv.id, "main")
                            provider_version[provider_index] = pv.id
                            main_versions[provider] = pv.id
                        received[provider_index] += 1
                        tx.add_verification(
                            sha=shas[key],
                            consumer_id=ids[consumer],
                            provider_id=ids[provider],
                            provider_version_id=provider_version[provider_index],
                            success=rng.random() < 0.9,
                            wip=False,
                            build_url=None,
                            test_results=[],
                            verified_by={"implementation": "bench"},
                        )
                    for environment, every in ENVIRONMENTS.items():
                        if step % every == every - 1:
                            _deploy_all(tx, ids, environments[environment], environment, main_versions, active)
        filled.steps = steps
    finally:
        store.close()
    filled.seconds = time.perf_counter() - started
    return filled


def _with_main(pacticipant: Any) -> Any:  # noqa: ANN401
    from dataclasses import replace

    return replace(pacticipant, main_branch="main")


def _environment(tx: Any, name: str) -> str:  # noqa: ANN401
    from apact.broker_server._store import Environment, new_uuid

    now = datetime.datetime.now(datetime.timezone.utc).isoformat()
    return str(tx.save_environment(Environment(new_uuid(), name, None, name == "production", (), now, now)).uuid)


def _deploy_all(
    tx: Any,  # noqa: ANN401
    ids: dict[str, int],
    environment_uuid: str,
    environment: str,
    main_versions: dict[str, int],
    active: dict[tuple[str, str], str],
) -> None:
    """Deploy every pacticipant's latest main version to ``environment``, ending the one before."""
    for name, version_id in main_versions.items():
        previous = active.get((name, environment))
        if previous is not None:
            tx.end_deployment(previous)
        active[(name, environment)] = tx.add_deployment("deployed", version_id, environment_uuid, None).uuid


# -- the server -----------------------------------------------------------------------------------


def serve_child(database: str) -> None:
    """In the child process: serve the broker over ``database`` until stdin closes."""
    import anyio

    from apact._core._serve import serve
    from apact.broker_server import create_app

    store = open_store(database)

    async def main() -> None:
        async with serve(create_app(store), port=0) as url:
            print(url, flush=True)
            await anyio.to_thread.run_sync(sys.stdin.read)

    try:
        anyio.run(main)
    finally:
        store.close()


def cpu_reading(pid: int) -> dict[str, float] | None:
    """The CPU time (s) each thread of process ``pid`` has used (Linux, from ``/proc``).

    A thread's ``schedstat`` counts nanoseconds, where the process's ``stat`` counts clock
    ticks (10 ms): too coarse for a difference around ten requests of a millisecond or two
    (it came out zero now and then). Kept per thread so that a worker thread exiting
    between two readings drops out of the difference rather than making it negative; the
    ticks are the fallback.
    """
    try:
        return {
            task.name: int((task / "schedstat").read_text().split()[0]) / 1e9
            for task in Path(f"/proc/{pid}/task").iterdir()
        }
    except (OSError, ValueError, IndexError):
        pass
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return {"ticks": (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")}


def cpu_between(before: dict[str, float], after: dict[str, float]) -> float:
    """The CPU time (s) used from reading ``before`` to reading ``after``."""
    return sum(max(0.0, used - before.get(thread, 0.0)) for thread, used in after.items())


@contextmanager
def served(database: str) -> Iterator[tuple[str, int]]:
    child = subprocess.Popen(  # noqa: S603
        [sys.executable, __file__, "--serve", database],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        url = child.stdout.readline().strip()
        if not url.startswith("http"):
            raise SystemExit(f"the broker did not start (exit status {child.wait()})")
        yield url, child.pid
    finally:
        assert child.stdin is not None
        child.stdin.close()
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


# -- measuring ------------------------------------------------------------------------------------

OPERATIONS = (
    "publish",
    "for-verification",
    "for-verif. + WIP",
    "can-i-deploy",
    "matrix",
    "latest pact",
    "/pacts/latest",
)


def requests_for(filled: Filled, rng: random.Random) -> dict[str, Callable[[Any, int], Any]]:
    """One request maker per operation: ``make(client, n)`` sends the n-th request."""
    since = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)).date().isoformat()

    def publish(client: Any, n: int) -> Any:  # noqa: ANN401
        index = rng.randrange(CONSUMERS)
        consumer = consumer_name(index)
        contracts = []
        for provider_index in providers_of(index):
            document = pact_document(consumer, provider_name(provider_index), 10**6 + n % 3)
            contracts.append(
                {
                    "consumerName": consumer,
                    "providerName": provider_name(provider_index),
                    "specification": "pact",
                    "contentType": "application/json",
                    "content": __import__("base64").b64encode(json.dumps(document).encode()).decode(),
                }
            )
        body = {
            "pacticipantName": consumer,
            "pacticipantVersionNumber": f"9.{n}.0-bench",
            "branch": "main",
            "tags": ["main"],
            "contracts": contracts,
        }
        return client.post("/contracts/publish", json=body)

    def for_verification(client: Any, n: int, *, wip: bool = False) -> Any:  # noqa: ANN401
        body: dict[str, Any] = {
            "consumerVersionSelectors": [{"mainBranch": True}, {"deployedOrReleased": True}],
            "providerVersionBranch": "main",
            "includePendingStatus": True,
        }
        if wip:
            body["includeWipPactsSince"] = since
        return client.post(f"/pacts/provider/{provider_name(rng.randrange(PROVIDERS))}/for-verification", json=body)

    def for_verification_wip(client: Any, n: int) -> Any:  # noqa: ANN401
        return for_verification(client, n, wip=True)

    def can_i_deploy(client: Any, n: int) -> Any:  # noqa: ANN401
        consumer = consumer_name(rng.randrange(CONSUMERS))
        params = {"pacticipant": consumer, "version": filled.latest[consumer], "environment": "production"}
        return client.get("/can-i-deploy", params=params)

    def matrix(client: Any, n: int) -> Any:  # noqa: ANN401
        index = rng.randrange(CONSUMERS)
        consumer = consumer_name(index)
        query = [
            ("q[][pacticipant]", consumer),
            ("q[][version]", filled.latest[consumer]),
            ("q[][pacticipant]", provider_name(providers_of(index)[0])),
            ("q[][latest]", "true"),
            ("latestby", "cvpv"),
        ]
        return client.get("/matrix", params=query)

    def latest_pact(client: Any, n: int) -> Any:  # noqa: ANN401
        index = rng.randrange(CONSUMERS)
        provider = provider_name(providers_of(index)[n % 2])
        return client.get(f"/pacts/provider/{provider}/consumer/{consumer_name(index)}/latest")

    def all_latest(client: Any, n: int) -> Any:  # noqa: ANN401
        return client.get("/pacts/latest")

    return {
        "publish": publish,
        "for-verification": for_verification,
        "for-verif. + WIP": for_verification_wip,
        "can-i-deploy": can_i_deploy,
        "matrix": matrix,
        "latest pact": latest_pact,
        "/pacts/latest": all_latest,
    }


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def measure(url: str, pid: int, filled: Filled, repeat: int) -> dict[str, tuple[float, float, float | None]]:
    """p50 and p99 (ms) of each operation, ``repeat`` requests each (after 3 warm-up ones),
    and the broker process's CPU time per request (ms): what the request costs the
    broker, which other work on the machine does not inflate as it does the wall clock."""
    import httpx

    rng = random.Random(7)
    found = {}
    with httpx.Client(base_url=url, timeout=600) as client:
        for operation, make in requests_for(filled, rng).items():
            timings = []
            cpu = None
            for n in range(repeat + 3):
                if n == 3:
                    cpu = cpu_reading(pid)
                started = time.perf_counter()
                response = make(client, n)
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code >= 400:
                    raise SystemExit(f"{operation}: {response.status_code} {response.text[:500]}")
                if n >= 3:
                    timings.append(elapsed)
            used = cpu_reading(pid)
            per_request = cpu_between(cpu, used) * 1000 / repeat if used is not None and cpu is not None else None
            found[operation] = (statistics.median(timings), percentile(timings, 0.99), per_request)
    return found


# -- the report -----------------------------------------------------------------------------------


def report(results: dict[int, dict[str, tuple[float, float, float | None]]], fills: dict[int, float]) -> str:
    sizes = sorted(results)
    lines = [
        f"Run on {datetime.date.today().isoformat()}. Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        "fill (s): " + ", ".join(f"{size:,} publications {fills[size]:.0f}" for size in sizes),
        "",
    ]
    header = f"{'operation':<18}" + "".join(f"{f'{size:,}: p50 / p99 (cpu) ms':>32}" for size in sizes)
    header += f"  {'p99 < 50 ms':<12}growth"
    lines.append(header)
    for operation in OPERATIONS:
        row = f"{operation:<18}"
        for size in sizes:
            p50, p99, cpu = results[size][operation]
            used = f" ({cpu:.2f})" if cpu is not None else ""
            row += f"{f'{p50:.1f} / {p99:.1f}{used}':>32}"
        largest = results[sizes[-1]][operation][1]
        row += f"  {'yes' if largest < GOAL_MS else 'NO':<12}"
        if len(sizes) > 1:
            smallest = results[sizes[0]][operation][1]
            ratio = largest / smallest if smallest else float("inf")
            row += f"x{ratio:.1f} from {sizes[0]:,} to {sizes[-1]:,} ({'flat' if ratio < 2 else 'grows'})"
        lines.append(row)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="publications per broker, comma-separated")
    parser.add_argument("--database", help="where to build each broker (default: a temporary SQLite file)")
    parser.add_argument("--repeat", type=int, default=200, help="requests per operation (default 200)")
    parser.add_argument("--quick", action="store_true", help="a smoke test: 1,000 publications, 10 requests each")
    parser.add_argument(
        "--reuse", action="store_true", help="measure the broker already in --database (filled for the one size given)"
    )
    parser.add_argument("--serve", help=argparse.SUPPRESS)  # the child process serving the broker
    args = parser.parse_args(argv)
    if args.serve:
        serve_child(args.serve)
        return 0
    sizes = [1000] if args.quick else [int(size) for size in args.sizes.split(",")]
    if args.reuse and (not args.database or len(sizes) != 1):
        parser.error("--reuse needs --database and one size")
    repeat = 10 if args.quick else args.repeat
    results, fills = {}, {}
    with tempfile.TemporaryDirectory(prefix="apact-bench-broker-") as tmp:
        database = args.database or str(Path(tmp, "broker.sqlite"))
        for size in sizes:
            if args.reuse:  # what the measurements need to know, without filling again
                filled = Filled(steps=size // 2)
                for step in range(filled.steps - CONSUMERS, filled.steps):
                    filled.latest[consumer_name(step % CONSUMERS)] = f"1.{step // CONSUMERS}.0-{step}"
            else:
                reset(database)
                filled = fill(database, size)
            fills[size] = filled.seconds
            print(f"filled {size:,} publications in {filled.seconds:.1f} s", file=sys.stderr, flush=True)
            with served(database) as (url, pid):
                results[size] = measure(url, pid, filled, repeat)
        if not args.database:
            reset(database)
    print(report(results, fills))
    return 0


if __name__ == "__main__":
    sys.exit(main())
