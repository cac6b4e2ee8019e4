"""``python -m apact demo``: the Grill Chef end to end, as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from apact.examples import GRILL_CHEF_PACT


def demo(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "apact", "demo", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )


def test_the_demo_writes_the_pact_verifies_the_provider_and_leaves_nothing_behind(tmp_path: Path) -> None:
    completed = demo(tmp_path)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    out = completed.stdout
    assert "passed  the Sous Chef orders a medium-rare steak" in out
    assert "passed  the Sous Chef is refused a well-done steak" in out
    assert "(a temporary directory, removed at the end; --pact-dir DIR keeps it)" in out
    assert "Sous Chef -> Grill Chef, Pact specification V4" in out
    assert "Verifying 'Grill Chef' (in-process ASGI app Starlette): 1 pact, 2 interactions" in out
    assert "2 interactions: 2 passed, 0 failed" in out and "verification passed" in out
    assert list(tmp_path.iterdir()) == []  # nothing written where it ran
    written = out.split("pact written: ", 1)[1].split(" (a temporary", 1)[0]
    assert not Path(written).exists()


def test_the_demo_keeps_the_pact_it_wrote_in_pact_dir(tmp_path: Path) -> None:
    completed = demo(tmp_path, "--pact-dir", "pacts")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    written = json.loads((tmp_path / "pacts" / "Sous Chef-Grill Chef.json").read_text())
    assert written["interactions"] == json.loads(GRILL_CHEF_PACT.read_text())["interactions"]
    assert "temporary" not in completed.stdout


def test_a_broken_provider_fails_the_demo_with_a_readable_mismatch(tmp_path: Path) -> None:
    completed = demo(tmp_path, "--broken-provider")
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert '$.body.waitingTime: expected an integer (like 10), got "ten minutes" (string)' in completed.stdout
    assert "1 passed, 1 failed" in completed.stdout and "verification FAILED" in completed.stdout
