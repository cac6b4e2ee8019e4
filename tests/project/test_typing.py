"""apact ships ``py.typed``: its own code and its tests type-check strictly, as its users' will.

The options live in pyproject.toml's ``[tool.mypy]`` (strict, Python 3.10, ``apact`` and
``tests``), so a bare ``mypy`` in the repository checks exactly what this test checks.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .test_public_api import USER_CODE

ROOT = Path(__file__).resolve().parents[2]


# a cold mypy over the whole tree takes about two minutes on a loaded two-core machine
@pytest.mark.timeout(900)
def test_apact_and_its_tests_type_check_under_mypy_strict(tmp_path: Path) -> None:
    """One mypy run (a cold one costs the suite the most): the tree as configured, and a
    user's module that must see apact's public names with their types, not as ``Any``
    through the module ``__getattr__`` (``bad.py`` would then pass)."""
    pytest.importorskip("mypy", reason="mypy is not installed (pip install -e '.[test]')")
    (tmp_path / "good.py").write_text(USER_CODE)
    (tmp_path / "bad.py").write_text("from apact import Pact\n\nnot_a_class: int = Pact\n")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", os.devnull, "apact", "tests"]  # (no cache to write)
        + [str(tmp_path / "good.py"), str(tmp_path / "bad.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=840,
    )
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    # the only error is bad.py's: the tree and the user's module are clean
    assert result.returncode == 1 and len(errors) == 1, result.stdout + result.stderr
    assert errors[0].startswith(str(tmp_path / "bad.py")) and 'expression has type "type[Pact]"' in errors[0]
    # strict, for the oldest Python, over both trees: [tool.mypy] is what a bare mypy uses
    section = (ROOT / "pyproject.toml").read_text().split("[tool.mypy]\n", 1)[1].split("\n[", 1)[0]
    for setting in ('python_version = "3.10"', "strict = true", 'files = ["apact", "tests"]'):
        assert setting in section.splitlines(), setting
