"""The suite's own scheduler (tests/scheduling.py) sends a module of ``TOGETHER`` to one
xdist worker whole, and hands the other tests out one by one: a real pytest run, in a
subprocess, with two workers, over a project whose paths are the suite's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

RECORD = """\
import os
from pathlib import Path

import pytest


@pytest.mark.parametrize("n", range(8))
def test_records_its_worker(n: int) -> None:
    with open(Path(os.environ["WORKERS_SEEN"]) / (__name__.rsplit(".", 1)[-1] + ".txt"), "a") as seen:
        seen.write(os.environ["PYTEST_XDIST_WORKER"] + "\\n")
"""


def test_a_module_named_together_runs_on_one_worker_and_the_rest_is_spread(tmp_path: Path) -> None:
    project = tmp_path / "project"
    for module in ("tests/broker_server/test_pages_browser.py", "tests/test_anything.py"):
        (project / module).parent.mkdir(parents=True, exist_ok=True)
        (project / module).write_text(RECORD)
    (project / "pytest.ini").write_text("[pytest]\n")
    seen = tmp_path / "seen"
    seen.mkdir()
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "pytest", "-q", "-n", "2", "--dist", "loadgroup", "-p", "tests.scheduling",
         "-p", "no:cacheprovider", "--import-mode=importlib"],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(ROOT), "WORKERS_SEEN": str(seen)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    together = (seen / "test_pages_browser.txt").read_text().split()
    spread = (seen / "test_anything.txt").read_text().split()
    assert len(together) == len(spread) == 8
    assert len(set(together)) == 1, together
    assert len(set(spread)) == 2, spread
