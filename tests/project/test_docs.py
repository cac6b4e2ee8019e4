"""The documentation builds in strict mode, and its Python samples run.

Every ```python block in README.md and docs/ runs, page by page in one namespace (so a
page can build on its earlier blocks), in a temporary directory; then every ``test_*``
function the page defined is called (awaited on asyncio if it is a coroutine). A block
that cannot run on its own is preceded by ``<!-- not-run: the reason -->``.
"""

from __future__ import annotations

import inspect
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import anyio
import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted(p for p in (ROOT / "docs").rglob("*.md") if "internal" not in p.parts)]
BLOCK = re.compile(r"(<!--\s*not-run:[^>]*-->\s*)?^```python\n(.*?)^```", re.S | re.M)


def _blocks(page: Path) -> list[str]:
    return [code for skipped, code in BLOCK.findall(page.read_text()) if not skipped]


@pytest.mark.parametrize(
    "page",
    [p for p in PAGES if _blocks(p)],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_samples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PACT_DO_NOT_TRACK", "true")
    namespace: dict[str, object] = {"__name__": f"docs_sample_{page.stem}"}
    for number, code in enumerate(_blocks(page)):
        exec(compile(code, f"{page.relative_to(ROOT)} (python block {number + 1})", "exec"), namespace)
    for name, value in list(namespace.items()):
        if name.startswith("test_") and callable(value):
            if inspect.iscoroutinefunction(value):
                anyio.run(value)
            else:
                value()


@pytest.mark.skipif(
    shutil.which("mkdocs") is None and not (Path(sys.executable).parent / "mkdocs").exists(),
    reason="mkdocs is not installed (pip install -e '.[test]')",
)
def test_docs_build_in_strict_mode(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
