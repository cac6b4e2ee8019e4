"""The layering in docs/architecture.md, enforced: the core imports no third party."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "apact"

# modules that must stay standard-library only (plus apact's own core)
CORE = [
    "_types.py",
    "errors.py",
    "_paths.py",
    "_regex",
    "_javatime",
    "_sniff.py",
    "model.py",
    "_reading.py",
    "_parse_rules.py",
    "_parse.py",
    "_request_check.py",
    "_dump.py",
    "pactfile.py",
    "_generation.py",
    "matching",
]
# and, within apact, nothing above them
UPPER = {
    "consumer", "mock", "_serve", "_writer", "verifier", "report", "pytest_plugin", "cli", "broker", "match", "generate", "stub",
    "_stub", "_cli", "_pytest_interactions",
}  # fmt: skip


def _modules(entry: str) -> list[Path]:
    path = PACKAGE / entry
    return sorted(path.rglob("*.py")) if path.is_dir() else [path]


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the apact package
                base = path.relative_to(PACKAGE).parent.parts[: len(path.relative_to(PACKAGE).parent.parts) - (node.level - 1)]
                names.add(".".join(("apact", *base, *(node.module.split(".") if node.module else []))))
            elif node.module:
                names.add(node.module)
    return names


@pytest.mark.parametrize("path", [p for entry in CORE for p in _modules(entry)], ids=lambda p: str(p.relative_to(PACKAGE)))
def test_core_modules_import_only_the_standard_library_and_the_core(path: Path) -> None:
    for name in _imports(path):
        top = name.split(".")[0]
        if top == "apact":
            parts = name.split(".")
            assert len(parts) < 2 or parts[1] not in UPPER, f"{path.name} imports {name}, a layer above it"
        else:
            assert top in sys.stdlib_module_names or top == "__future__", f"{path.name} imports the third-party {name}"


def test_the_facade_exports_what_it_lists_and_loads_nothing_heavy_until_asked() -> None:
    """``import apact`` (as the pytest plugin does in every session) stays light."""
    import subprocess

    code = (
        "import sys, apact\n"
        "heavy = sorted(m for m in ('httpx', 'starlette', 'hypercorn', 'apact.matching') if m in sys.modules)\n"
        "assert not heavy, heavy\n"
        "assert sorted(apact.__all__) == sorted([*apact._EXPORTS, '__version__']), 'apact.__all__ and _EXPORTS differ'\n"
        "assert all(getattr(apact, name) is not None for name in apact.__all__)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
