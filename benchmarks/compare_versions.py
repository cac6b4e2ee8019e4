"""Two versions of apact on the same workloads, run alternately (issue 14's method).

On a shared machine the figures of one run move by a third from one minute to the next,
so a speed-up is only visible between versions measured side by side: this script
exports the ``--before`` commit (and the ``--after`` one, or uses the working tree) to
temporary directories and runs each workload in a fresh process per version, one
version after the other, ``--rounds`` times. Each process puts its version first on
``sys.path`` and runs from a neutral directory (an editable install, or the current
directory, would otherwise win), and reports CPU time. Workloads:

* ``matching``: `bench_matching`'s two (10,000 objects under eachLike, a 1 MiB body
  under equality), best of 7 comparisons per process;
* ``fastapi``/``starlette``: the in-process verification of 1,000 interactions (or
  ``--interactions``) against the app called directly (`bench_verifier`'s limit), best
  of 5, as a ratio.

Run: ``python benchmarks/compare_versions.py --before eaa354a~1 matching``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

_MATCHING = """
import json, sys, time
sys.path.insert(1, BENCHMARKS)
import bench_matching as b
from apact.matching import response_mismatches
from apact.model import Spec
from apact.pact._parse import parse_response
out = {}
for name, case in (("eachLike", b.each_like_case), ("1 MiB", b.equality_case)):
    e, a = case()
    want = parse_response(e, Spec.V3, strict=False)
    have = parse_response(a, Spec.V3, strict=False)
    have.body.json()
    best = float("inf")
    for _ in range(7):
        started = time.process_time()
        assert response_mismatches(want, have, Spec.V3) == []
        best = min(best, time.process_time() - started)
    out[name + " ms"] = best * 1000
print(json.dumps(out))
"""

_LIMIT = """
import anyio, json, sys, tempfile
from pathlib import Path
sys.path.insert(1, BENCHMARKS)
import bench_verifier as b
from apact.pact._local import load_pact_files

async def main():
    app = b.APPS[FRAMEWORK]()
    kitchen = app.state.kitchen
    pact = b.make_pact(SIZE)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pact.json"
        path.write_text(json.dumps(pact))
        (read,), _ = load_pact_files(str(path))
        requests = b._direct_requests(pact)
        await b.call_directly(app, kitchen, requests[:10])
        await b.verify_in_process(app, kitchen, read.pact)
        direct = apact = float("inf")
        for _ in range(5):
            direct = min(direct, await b.call_directly(app, kitchen, requests))
            apact = min(apact, (await b.verify_in_process(app, kitchen, read.pact))[0])
    per = 1000 / SIZE  # seconds for SIZE interactions: milliseconds per interaction
    print(json.dumps({"apact ms": apact * per, "direct ms": direct * per, "ratio": apact / direct}))

anyio.run(main)
"""


def export(commit: str, into: Path) -> Path:
    """The ``apact`` package of ``commit``, written under ``into``."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", commit, "apact"], cwd=HERE.parent, check=True, capture_output=True)  # noqa: S603, S607
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)  # noqa: S603, S607
    return into


def run(root: Path, workload: str, scratch: Path, size: int = 1000) -> dict[str, float]:
    code = (
        _MATCHING if workload == "matching" else _LIMIT.replace("FRAMEWORK", repr(workload)).replace("SIZE", str(size))
    )
    code = f"import sys; sys.path.insert(0, {str(root)!r}); BENCHMARKS = {str(HERE)!r}\n" + code
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=scratch, env=env, check=True, capture_output=True, text=True
    )  # noqa: S603
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workload", choices=["matching", "fastapi", "starlette"])
    parser.add_argument("--before", required=True, help="a commit (e.g. main, eaa354a~1)")
    parser.add_argument("--after", help="a commit (default: the working tree)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--interactions", type=int, default=1000, help="the pact's size (fastapi, starlette)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        versions = {"before": export(args.before, scratch / "before")}
        versions["after"] = export(args.after, scratch / "after") if args.after else HERE.parent
        samples: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
        for _ in range(args.rounds):
            for name, root in versions.items():
                samples[name].append(run(root, args.workload, scratch, args.interactions))
    for key in samples["before"][0]:
        before = [sample[key] for sample in samples["before"]]
        after = [sample[key] for sample in samples["after"]]
        print(
            f"{key:>12}  before {' '.join(f'{v:8.3f}' for v in before)}   after {' '.join(f'{v:8.3f}' for v in after)}"
            f"   medians {statistics.median(before):.3f} -> {statistics.median(after):.3f}"
        )


if __name__ == "__main__":
    main()
