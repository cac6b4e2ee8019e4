"""The README's provider verification examples run as written, and print what it shows."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def provider_section() -> str:
    text = (ROOT / "README.md").read_text()
    return text.split("<!-- provider:start -->", 1)[1].split("<!-- provider:end -->", 1)[0]


def blocks(section: str, language: str) -> list[str]:
    """The fenced code blocks whose info string is ``language``."""
    found: list[str] = []
    current: list[str] | None = None
    inside = False
    for line in section.splitlines():
        if line.startswith("```"):
            if inside:
                if current is not None:
                    found.append("\n".join(current) + "\n")
                current, inside = None, False
            else:
                inside = True
                current = [] if line[3:].strip() == language else None
        elif current is not None:
            current.append(line)
    return found


def run(code: str) -> str:
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    completed = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=EXAMPLES, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


def normalised(report: str) -> str:
    report = re.sub(r"\(\S*/apact/examples/", "(.../apact/examples/", report)
    return re.sub(r" in \d+\.\d+ s ", " in 0.01 s ", report).strip()


def test_the_readme_verifies_the_grill_chef_in_process_and_as_a_started_server() -> None:
    section = provider_section()
    in_process, started = blocks(section, "python")
    (shown,) = blocks(section, "")
    assert 'Verifier("Grill Chef", app=app)' in in_process and "command=" in started
    assert normalised(run(in_process)) == shown.strip()
    assert "2 passed, 0 failed" in run(started)


def test_the_grill_chef_example_test_passes() -> None:
    completed = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-n",
            "0",
            "-p",
            "no:cacheprovider",
            "grill_chef/test_grill_chef_provider.py",
        ],
        cwd=EXAMPLES,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
