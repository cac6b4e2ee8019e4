"""Reading and writing a large pact: linear in its interactions (issue 14).

`bench_verifier`'s ``+read`` column showed ``verify()`` given a 10,000-interaction file
paying far more per interaction to read it than at 1,000: the garbage collector walked
the model as it grew (see `apact._core._gc`). This script times, on the Grill Chef pact of
`bench_verifier` at several sizes, in one process, interleaved:

* ``json``: ``json.loads`` of the file's bytes, the least any reader does (the limit);
* ``read``: ``pactfile.loads``, the pact checked and its model built;
* ``read, gc on``: the same with the collector left running (what apact did before);
* ``write`` and ``write, gc on``: ``pactfile.dumps`` of the model, likewise;

in CPU µs per interaction (the median of ``--rounds``), each with its multiple of the
limit and of its own cost at the smallest size (linear: 1.0x). Run:
``python benchmarks/bench_read.py [--sizes 1000,10000,30000]``.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_verifier  # noqa: E402

from apact import pactfile  # noqa: E402


def _undecorated(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` without its collector pause (`apact._core._gc.collector_paused`)."""
    return getattr(function, "__wrapped__", function)


def _reader_with_gc(data: bytes) -> object:
    from apact.pact import _parse

    return _undecorated(_parse.loads)(data, file="bench.json")


def _writer_with_gc(pact: Any) -> object:  # noqa: ANN401
    from apact.pact import _dump

    # (pactfile.dumps and the document it dumps, each without its pause)
    dump = _undecorated(pactfile.dumps)
    inner = _dump.pact_to_json
    _dump.pact_to_json = _undecorated(inner)
    try:
        return dump(pact)
    finally:
        _dump.pact_to_json = inner


def measure(size: int, rounds: int) -> dict[str, float]:
    """CPU µs per interaction of each way, median of ``rounds`` (interleaved)."""
    data = json.dumps(bench_verifier.make_pact(size)).encode()
    pact = pactfile.loads(data, file="bench.json")
    ways: dict[str, Callable[[], object]] = {
        "json": lambda: json.loads(data),
        "read": lambda: pactfile.loads(data, file="bench.json"),
        "read, gc on": lambda: _reader_with_gc(data),
        "write": lambda: pactfile.dumps(pact),
        "write, gc on": lambda: _writer_with_gc(pact),
    }
    times: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(rounds):
        for name, way in ways.items():
            gc.collect()  # each from the same start: nothing left over from the one before
            started = time.process_time()
            made = way()
            times[name].append(time.process_time() - started)
            del made
    return {name: statistics.median(values) * 1e6 / size for name, values in times.items()}


def report(rows: dict[int, dict[str, float]], rounds: int) -> None:
    print(f"Reading and writing the Grill Chef pact — Python {platform.python_version()}, {date.today()}")
    print(f"(CPU µs per interaction, median of {rounds}, interleaved; x json: multiple of json.loads;")
    print(f" x {min(rows):,}: multiple of the same at {min(rows):,} interactions)")
    smallest = rows[min(rows)]
    print(f"{'interactions':>12}  {'way':<13}{'µs':>8}{'x json':>9}{f'x {min(rows):,}':>9}")
    for size, figures in rows.items():
        for name, value in figures.items():
            print(f"{size:>12,}  {name:<13}{value:8.1f}{value / figures['json']:8.2f}x{value / smallest[name]:8.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,30000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="100 and 300 interactions, one round (a smoke test)")
    args = parser.parse_args()
    sizes, rounds = ([100, 300], 1) if args.quick else ([int(s) for s in args.sizes.split(",")], args.rounds)
    report({size: measure(size, rounds) for size in sizes}, rounds)


if __name__ == "__main__":
    main()
