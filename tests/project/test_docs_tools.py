"""The samples of the README's pytest/command-line section, docs/pytest.md and
docs/cli.md run as shown: their pytest modules under pytest (from ``examples/``, where
the Grill Chef app is), their commands in a shell, their outputs compared."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
ENV = {
    **os.environ,
    "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),  # apact, hypercorn
    "PYTHONPATH": os.pathsep.join([str(EXAMPLES), os.environ.get("PYTHONPATH", "")]),
}


def readme_section() -> str:
    text = (ROOT / "README.md").read_text()
    return text.split("<!-- tools:start -->", 1)[1].split("<!-- tools:end -->", 1)[0]


def section(page: str, heading: str) -> str:
    """The text of ``page`` from ``heading`` to the next heading of its level."""
    text = (ROOT / "docs" / page).read_text()
    level = heading.split(" ", 1)[0]
    after = text.split(heading + "\n", 1)[1]
    return re.split(rf"^{level} ", after, maxsplit=1, flags=re.M)[0]


def blocks(text: str, language: str) -> list[str]:
    return [code for info, code in BLOCK.findall(text) if info == language]


def modules(text: str) -> dict[str, str]:
    """The python blocks that are pytest modules: ``# test_name.py`` on their first line."""
    found = {}
    for code in blocks(text, "python"):
        first = code.splitlines()[0]
        if re.fullmatch(r"# test_\w+\.py", first):
            found[first[2:]] = code
    return found


def run_modules(found: dict[str, str], directory: Path) -> str:
    for name, code in found.items():
        (directory / name).write_text(code)
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "-p", "no:hypothesispytest", *found],
        cwd=directory,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


def shell(command: str) -> str:
    completed = subprocess.run(
        ["bash", "-c", command], cwd=EXAMPLES, env=ENV, capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


def normalised(output: str) -> str:
    return re.sub(r" in \d+\.\d\d s - ", " in 0.01 s - ", output).strip()


def passed_lines(output: str) -> list[str]:
    """``-v`` lines without their percentage."""
    return [re.sub(r"\s+\[\s*\d+%\]$", "", line) for line in output.splitlines() if line.endswith("%]")]


def test_the_readme_pytest_module_runs_one_test_per_interaction(tmp_path: Path) -> None:
    text = readme_section()
    found = modules(text)
    assert list(found) == ["test_grill_chef_interactions.py"]
    shown = next(code for code in blocks(text, "") if code.startswith("$ pytest -v"))
    assert passed_lines(run_modules(found, tmp_path)) == shown.splitlines()[1:]


def test_the_readme_commands_verify_in_process_and_a_started_server() -> None:
    text = readme_section()
    in_process, started = blocks(text, "sh")
    assert "--app grill_chef.app:app" in in_process and "--command " in started
    report = next(code for code in blocks(text, "") if code.startswith("Verifying"))
    assert normalised(shell(in_process)) == report.strip()
    assert "2 interactions: 2 passed, 0 failed" in shell(started)


def test_the_pytest_guide_modules_pass(tmp_path: Path) -> None:
    found = modules((ROOT / "docs" / "pytest.md").read_text())
    assert sorted(found) == ["test_grill_chef_interactions.py", "test_sous_chef_pact.py"]
    output = run_modules(found, tmp_path)
    assert "test_sous_chef_pact.py::test_a_medium_rare_steak[trio] PASSED" in output
    assert (tmp_path / "pacts" / "Sous Chef-Grill Chef.json").exists()


@pytest.mark.parametrize("heading", ["## `apact verify`", "## `apact show`"])
def test_the_command_line_reference_shows_what_its_commands_print(heading: str) -> None:
    text = section("cli.md", heading)
    command = blocks(text, "sh")[0]
    shown = blocks(text, "")[0]
    assert normalised(shell(command)) == shown.strip()
