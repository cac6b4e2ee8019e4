"""``.ci/run`` tests every Python the package claims, and refuses to pass on fewer than two.

These run the real script against a PATH made for the test: it must tell an interpreter
that runs from one that only claims to (a pyenv shim for a version pyenv has not selected)
and from one that answers as another version, and stop before installing anything.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "run"
PYPROJECT = ROOT / "pyproject.toml"
BASH = shutil.which("bash")
THIS = f"{sys.version_info.major}.{sys.version_info.minor}"
#: what the script needs besides the interpreters (bash builtins aside)
TOOLS = ("dirname", "basename", "grep", "sort", "tail", "rm")

pytestmark = pytest.mark.skipif(BASH is None, reason="bash is not installed: .ci/run is a bash script")


def claimed_versions() -> list[str]:
    """The Pythons pyproject.toml's classifiers name (read as text: tomllib is 3.11+)."""
    return re.findall(r'^\s*"Programming Language :: Python :: (3\.\d+)",$', PYPROJECT.read_text(), re.M)


def script_versions() -> list[str]:
    found = re.search(r"^VERSIONS=\(([^)]*)\)$", SCRIPT.read_text(), re.M)
    assert found, ".ci/run names the versions it tests in VERSIONS=(...)"
    return found.group(1).split()


def test_the_script_tests_exactly_the_pythons_the_package_claims() -> None:
    assert script_versions() == claimed_versions() == ["3.10", "3.11", "3.12", "3.13"]
    assert f'requires-python = ">={claimed_versions()[0]}"' in PYPROJECT.read_text().splitlines()
    assert THIS in claimed_versions()  # the suite itself runs on a claimed version


def test_the_script_names_no_absolute_path_of_a_machine() -> None:
    text = SCRIPT.read_text()
    assert not re.search(r"(?<![\w.$}])/(work|root|home|tmp|opt)/", text)


def make_path(tmp_path: Path, interpreters: dict[str, str]) -> str:
    """A directory holding the tools the script uses and the given ``python3.X`` files,
    each a symlink to an interpreter or a script's text."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        where = shutil.which(tool)
        assert where, f"{tool} is not installed"
        (bin_dir / tool).symlink_to(where)
    for name, target in interpreters.items():
        if target.startswith("#!"):
            (bin_dir / name).write_text(target)
            (bin_dir / name).chmod(0o755)
        else:
            (bin_dir / name).symlink_to(target)
    return str(bin_dir)


def run_script(path: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PYENV", "VIRTUAL_ENV"))}
    environment["PATH"] = path
    assert BASH is not None
    return subprocess.run(  # noqa: S603
        [BASH, str(SCRIPT)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def test_one_python_that_runs_is_not_enough(tmp_path: Path) -> None:
    others = [v for v in script_versions() if v != THIS]
    shim = '#!/bin/sh\necho "pyenv: $(basename "$0"): command not found" >&2\nexit 127\n'
    path = make_path(
        tmp_path,
        {
            f"python{THIS}": sys.executable,  # the one real interpreter
            f"python{others[0]}": shim,  # claims a version it cannot run
            f"python{others[1]}": sys.executable,  # runs, but as another version
        },
    )
    completed = run_script(path)
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert f"== Python {THIS}: {path}/python{THIS}" in completed.stdout
    assert f"== Python {others[0]}: not found on this machine" in completed.stdout
    assert f"== Python {others[1]}: not found on this machine" in completed.stdout
    assert "== FAIL: found 1 of the supported Pythons (3.10 3.11 3.12 3.13); CI needs at least 2" in completed.stderr
    assert "=================== Python" not in completed.stdout  # it started no version's install


def test_no_python_at_all_fails_the_same_way(tmp_path: Path) -> None:
    completed = run_script(make_path(tmp_path, {}))
    assert completed.returncode == 1
    assert "== FAIL: found 0 of the supported Pythons" in completed.stderr
    assert "=================== Python" not in completed.stdout


def test_the_script_runs_the_readmes_test_command_on_each_python() -> None:
    readme = (ROOT / "README.md").read_text()
    command = "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/python -m pytest -q"
    assert f"```sh\n{command}\n```" in readme
    lines = [line.strip() for line in SCRIPT.read_text().splitlines() if "-m pytest" in line]
    assert len(lines) == 1, lines
    # the script's own additions: quiet pip, a note of the stage reached, a copy of the output
    steps = [step.strip() for step in lines[0].split("&&") if not step.strip().startswith("stage=")]
    steps[0] = steps[0].replace('"$python"', "python3")
    steps[1] = steps[1].replace("install -q ", "install ")
    steps[-1] = steps[-1].partition(" | tee ")[0]
    as_in_readme = re.sub(r'"\$venv(/bin/\w+)?"', r".venv\1", " && ".join(steps))
    assert as_in_readme == command
