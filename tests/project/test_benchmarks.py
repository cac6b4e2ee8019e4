"""``benchmarks/run_all.py --quick`` runs every benchmark and prints the whole table.

A smoke test: tiny sizes, one run each, nothing written into the docs. pact-python's
column is measured when it is installed; pactman's says it was not run (it needs a venv
of its own).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


# every workload once, pact-python's included: about two minutes on a loaded two-core machine
@pytest.mark.timeout(660)  # the subprocess's own 600 s guard, and some
def test_run_all_quick_prints_one_row_per_workload() -> None:
    docs = ROOT / "docs" / "benchmarks.md"
    before = docs.read_text()
    completed = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "benchmarks" / "run_all.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=600,  # only a guard against a hang: on a busy 2-core machine it can take minutes
        check=False,
        env={**os.environ, "PACT_DO_NOT_TRACK": "true"},
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    lines = completed.stdout.splitlines()
    assert any(line.startswith("Run on ") and "Machine: " in line and "Versions: " in line for line in lines)
    header = next(line for line in lines if line.startswith("workload"))
    assert "apact" in header and "pact-python" in header and "pactman" in header
    rows = {line.split("  ")[0]: line for line in lines[lines.index(header) + 1 :] if line.strip()}
    names = list(rows)
    for prefix in (
        "consumer: per-test cycle",
        "consumer: one pact of",
        "matching: ",
        "parallel writes: 3 processes",
        "peak memory: consumer",
    ):
        assert any(name.startswith(prefix) for name in names), (prefix, names)
    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401

        assert any(name.startswith("verify 10 interactions: apact in-process") for name in names), names
        assert any(name.startswith("verify 10 interactions: over HTTP") for name in names), names
        limit = next(line for name, line in rows.items() if "as a multiple of the FastAPI app called directly" in name)
        ratio = [cell.strip() for cell in limit.split("  ") if cell.strip()][1]
        assert float(ratio.removesuffix("x")) > 1, limit  # apact adds to the app's own work
    except ImportError:
        assert any(name.startswith("verification (needs fastapi and uvicorn") for name in names), names
    parallel = next(line for name, line in rows.items() if name.startswith("parallel writes"))
    assert parallel.split()[parallel.split().index("of") + 2] == "0", parallel  # apact loses no interaction
    assert docs.read_text() == before  # --quick writes nothing


def _quick(script: str, env: dict[str, str] | None = None) -> str:
    """The output of ``benchmarks/{script} --quick``, which must succeed."""
    completed = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "benchmarks" / script), "--quick"],
        capture_output=True,
        text=True,
        timeout=600,  # a guard against a hang, as for run_all above
        check=False,
        env=env,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


@pytest.mark.timeout(660)
def test_the_openapi_benchmark_runs_quick() -> None:
    """``bench_openapi.py --quick``: its pact fits its generated document (it fails
    otherwise) and it prints its figures."""
    output = _quick("bench_openapi.py")
    assert "50 interactions against a 20-path OpenAPI 3.1 document" in output
    assert any(
        line.strip().startswith("check the pact") and line.rstrip().endswith("(< 1 s)") for line in output.splitlines()
    )


@pytest.mark.timeout(660)
def test_the_broker_benchmark_runs_quick() -> None:
    """``bench_broker.py --quick``: a broker of 1,000 publications filled, served on a
    loopback port by a child process (which it stops), each hot request timed over HTTP."""
    output = _quick("bench_broker.py", env={**os.environ, "PACT_DO_NOT_TRACK": "true"})
    lines = output.splitlines()
    assert lines[0].startswith("Run on ") and " cores, Python " in lines[0], lines[0]
    header = next(line for line in lines if line.startswith("operation"))
    assert "1,000: p50 / p99 (cpu) ms" in header and "p99 < 50 ms" in header
    rows = {line[:18].strip(): line[18:].split() for line in lines[lines.index(header) + 1 :] if line.strip()}
    assert list(rows) == [
        "publish",
        "for-verification",
        "for-verif. + WIP",
        "can-i-deploy",
        "matrix",
        "latest pact",
        "/pacts/latest",
    ]
    for cells in rows.values():
        p50, slash, p99, cpu, verdict = cells[:5]
        assert slash == "/" and 0 < float(p50) <= float(p99), cells
        assert cpu.startswith("(") and cpu.endswith(")") and float(cpu[1:-1]) > 0, cells  # Linux: /proc
        assert verdict in ("yes", "NO"), cells


@pytest.mark.timeout(660)
def test_the_floor_benchmark_runs_quick() -> None:
    """``bench_floor.py --quick``: every loop checks its verdicts (it fails otherwise), and
    each row says its time, its multiple of the app called directly, and its own share."""
    pytest.importorskip("starlette", reason="the floor benchmark's app is a Starlette app")
    output = _quick("bench_floor.py")
    lines = output.splitlines()
    assert lines[0].startswith("apact in-process against its floor, starlette, 30 interactions"), lines[0]
    rows = {cells[0]: cells[1:] for cells in (line.split() for line in lines[3:])}
    assert list(rows) == [
        "direct",
        "sent",
        "parsed",
        "handmade",
        "floor",
        "lean",
        "lean+json",
        "+states",
        "+send",
        "+match",
        "+steps",
        "+units",
        "apact",
    ], lines
    assert rows["direct"][1:] == ["1.00x", "0.0000"], rows["direct"]
    for name, (ms, ratio, own) in rows.items():
        assert float(ms) > 0 and ratio.endswith("x"), (name, ms, ratio, own)


def test_the_read_benchmark_runs_quick() -> None:
    """``bench_read.py --quick``: a row per size and way, each with its time, its multiple
    of ``json.loads`` and of itself at the smallest size."""
    output = _quick("bench_read.py")
    lines = output.splitlines()
    assert lines[0].startswith("Reading and writing the Grill Chef pact"), lines[0]
    rows = [line.split(None, 1) for line in lines[4:]]
    ways = ["json", "read", "read, gc on", "write", "write, gc on"]
    assert [size for size, _ in rows] == ["100"] * 5 + ["300"] * 5, lines
    for _, rest in rows:
        way, figures = rest[:13].strip(), rest[13:].split()
        assert way in ways and len(figures) == 3, rest
        assert float(figures[0]) > 0 and figures[1].endswith("x") and figures[2].endswith("x"), rest
    assert [rest[:13].strip() for _, rest in rows] == ways * 2


def test_the_broker_benchmark_counts_a_few_milliseconds_of_cpu() -> None:
    """The broker's CPU time per request is a difference of two readings around a few
    requests of a millisecond or two each: a reading in clock ticks (10 ms) made it zero
    now and then, and the row printed ``(0.0)``. Two milliseconds of work must show."""
    spec = importlib.util.spec_from_file_location("bench_broker", ROOT / "benchmarks" / "bench_broker.py")
    assert spec is not None and spec.loader is not None
    bench_broker = importlib.util.module_from_spec(spec)
    sys.modules["bench_broker"] = bench_broker  # its dataclasses look their module up there
    try:
        spec.loader.exec_module(bench_broker)
    finally:
        del sys.modules["bench_broker"]
    before = bench_broker.cpu_reading(os.getpid())
    started = time.thread_time()
    while time.thread_time() - started < 0.002:
        pass
    after = bench_broker.cpu_reading(os.getpid())
    assert before is not None and after is not None
    assert 0.001 <= bench_broker.cpu_between(before, after) < 1, (before, after)


def test_the_startup_import_run_imports_only_what_the_command_loaded(tmp_path: Path) -> None:
    """The start-up report's "imports" line imports the modules ``apact verify`` had loaded
    by its first request. A module imports an optional one the command held back (as httpx
    its own command line): the run must not import it either, or the imports measure more
    than the command pays (it once read longer than the whole start-up)."""
    spec = importlib.util.spec_from_file_location("bench_verifier", ROOT / "benchmarks" / "bench_verifier.py")
    assert spec is not None and spec.loader is not None
    bench_verifier = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_verifier)
    (tmp_path / "wanted.py").write_text(
        "import pathlib, sys\n"
        "pathlib.Path(sys.argv[1]).with_name('wanted-imported').touch()\n"
        "try:\n    import optional_extra\nexcept ImportError:\n    pass\n"
    )
    (tmp_path / "optional_extra.py").write_text(
        "import pathlib, sys\npathlib.Path(sys.argv[1]).with_name('extra-imported').touch()\n"
    )
    names = tmp_path / "names.txt"
    names.write_text("wanted\n")
    subprocess.run(  # noqa: S603
        [sys.executable, "-c", bench_verifier._IMPORT_THESE, str(names)],  # noqa: SLF001
        cwd=tmp_path,  # (``-c`` puts it first on sys.path)
        check=True,
        timeout=60,
    )
    assert (tmp_path / "wanted-imported").exists()
    assert not (tmp_path / "extra-imported").exists()
