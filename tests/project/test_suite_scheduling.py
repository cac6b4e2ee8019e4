"""The suite's own scheduler (tests/scheduling.py) sends a module of ``TOGETHER`` to one
xdist worker whole (a real pytest run, in a subprocess, with two workers, over a project
whose paths are the suite's), and hands the other tests out one by one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ..scheduling import TOGETHER, TogetherScheduling

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


def test_a_module_named_together_runs_on_one_worker(tmp_path: Path) -> None:
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
    assert len(set(together)) == 1, together  # (which worker ran the others is up to xdist)


def test_every_other_test_is_a_unit_of_its_own() -> None:
    """Only the named modules are grouped: the rest goes out test by test, as with xdist's
    own ``loadgroup`` (an ``@group`` suffix, should pytest keep it again, still counts)."""
    split = TogetherScheduling.__new__(TogetherScheduling)._split_scope  # (it reads no state)
    named = "tests/broker_server/test_pages_browser.py::test_the_badge_is_an_svg_the_browser_draws[sqlite]"
    assert split(named) == TOGETHER["tests/broker_server/test_pages_browser.py"]
    for nodeid in ("tests/pact/test_writer.py::test_a", "tests/pact/test_writer.py::test_b[x@y]"):
        assert split(nodeid) == nodeid
    assert split("tests/pact/test_writer.py::test_c[x]@cooks") == "cooks"
