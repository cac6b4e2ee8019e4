"""apact ships ``py.typed``: its own code and its tests type-check strictly, as its users' will.

The options live in pyproject.toml's ``[tool.mypy]`` (strict, Python 3.10, ``apact`` and
``tests``), so a bare ``mypy`` in the repository checks exactly what this test checks.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


# a cold mypy over the whole tree takes about two minutes on a loaded two-core machine
@pytest.mark.timeout(900)
def test_apact_and_its_tests_type_check_under_mypy_strict(tmp_path: Path) -> None:
    pytest.importorskip("mypy", reason="mypy is not installed (pip install -e '.[test]')")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=840,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # the configuration really covers both trees, in strict mode, for the oldest Python
    assert "Success: no issues found" in result.stdout
