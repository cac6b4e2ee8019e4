"""The layers of docs/architecture.md, enforced.

* import-linter's contracts in pyproject.toml (each layer imports only the layers below
  it; third-party packages only where they belong) hold, and fail when broken;
* no import cycle between apact's modules, counting imports inside functions and under
  ``TYPE_CHECKING``;
* the engine and everything below it use the standard library only;
* the old import paths (compatibility modules) still give the same objects;
* ``import apact`` stays light.
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: the packages that must do with the standard library alone
STANDARD_LIBRARY_ONLY = ("apact.errors", "apact._regex", "apact._javatime", "apact.pact", "apact.matching")

#: old import path -> where its names live now (docs/architecture.md lists these)
COMPATIBILITY = {
    "apact.model": "apact.pact.model",
    "apact.pactfile": "apact.pact.pactfile",
    "apact.match": "apact.consumer.match",
    "apact.generate": "apact.consumer.generate",
    "apact.mock": "apact.consumer.mock",
    "apact.bodies": "apact.consumer.bodies",
    "apact.messages": "apact.consumer.messages",
    "apact.broker.server": "apact.broker_server",
}

_LINT_IMPORTS = "import sys; from importlinter.cli import lint_imports_command; sys.argv = ['lint-imports', '--no-cache']; lint_imports_command()"
_GRAPH = (
    "import json, sys, grimp\n"
    "graph = grimp.build_graph('apact', include_external_packages=True, cache_dir=None)\n"
    "json.dump({m: sorted(graph.find_modules_directly_imported_by(m)) for m in graph.modules if m.split('.')[0] == 'apact'}, sys.stdout)\n"
)


def _run(code: str, where: Path) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a new interpreter that finds ``apact`` in ``where`` (and reads ``where``'s pyproject.toml)."""
    env = {**os.environ, "PYTHONPATH": str(where)}
    return subprocess.run([sys.executable, "-c", code], cwd=where, env=env, capture_output=True, text=True, timeout=300)


def _imports(where: Path) -> dict[str, list[str]]:
    """apact's module -> the modules it imports (apact's and external, top-level), as grimp sees them."""
    result = _run(_GRAPH, where)
    assert result.returncode == 0, result.stderr
    graph: dict[str, list[str]] = json.loads(result.stdout)
    return graph


def _cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(start: str) -> None:  # iterative, so a deep chain of imports cannot hit the recursion limit
        work = [(start, iter(graph.get(start, [])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            module, successors = work[-1]
            successor = next((s for s in successors if s in graph), None)
            if successor is not None:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(graph[successor])))
                elif successor in on_stack:
                    low[module] = min(low[module], index[successor])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[module])
            if low[module] == index[module]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == module:
                        break
                if len(component) > 1 or module in graph[module]:
                    found.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


@pytest.fixture(scope="module")
def broken_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the package and its pyproject.toml with an upward import inside a function
    (the model imports the consumer) and an import cycle hidden behind TYPE_CHECKING (the
    matching engine and the verifier)."""
    where = tmp_path_factory.mktemp("broken")
    shutil.copytree(ROOT / "apact", where / "apact", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", where / "pyproject.toml")
    with open(where / "apact" / "pact" / "model.py", "a") as model:
        model.write("\n\ndef _upward() -> None:\n    from ..consumer import Pact  # noqa: F401\n")
    with open(where / "apact" / "matching" / "_mismatch.py", "a") as mismatch:
        mismatch.write(
            "\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from ..verifier._result import VerificationProblem  # noqa: F401\n"
        )
    return where


# -- the contracts -------------------------------------------------------------------------------


def test_the_import_contracts_hold() -> None:
    result = _run(_LINT_IMPORTS, ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"Contracts: \d+ kept, 0 broken", result.stdout), result.stdout


def test_the_import_contracts_fail_on_an_upward_import(broken_copy: Path) -> None:
    result = _run(_LINT_IMPORTS, broken_copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "each layer imports only the layers below it BROKEN" in result.stdout
    # both upward imports are named, the one inside a function and the one under TYPE_CHECKING
    assert "apact.pact.model -> apact.consumer" in result.stdout
    assert "apact.matching._mismatch -> apact.verifier._result" in result.stdout


def _contract(contract_id: str) -> dict[str, Any]:
    from importlinter.api import read_configuration

    contracts: list[dict[str, Any]] = read_configuration(str(ROOT / "pyproject.toml"))["contracts_options"]
    return next(contract for contract in contracts if contract.get("id") == contract_id)


def test_every_module_sits_in_a_layer() -> None:
    """The layers contract is exhaustive: a new top-level module must be put in a layer
    (or listed as a compatibility module), or the contracts fail."""
    layers = _contract("layers")
    assert str(layers["exhaustive"]).lower() == "true"
    ignored = set(layers["exhaustive_ignores"])
    assert ignored == {"__main__"} | {old.removeprefix("apact.") for old in COMPATIBILITY if old.count(".") == 1}


def test_the_architecture_page_draws_the_layers_of_the_contract() -> None:
    """docs/architecture.md's picture of the folders, top to bottom, is the contract's."""
    page = (ROOT / "docs" / "architecture.md").read_text()
    picture = re.search(r"^## Layers\n.*?^```text\n(.*?)^```", page, re.MULTILINE | re.DOTALL)
    assert picture is not None
    drawn = [
        {name.strip().rstrip("/") for name in re.split(r"\s{2,}", line)[0].split("|")}
        for line in picture.group(1).splitlines()
        if line and not line[0].isspace()
    ]
    declared = [{name.strip() for name in layer.split("|")} for layer in _contract("layers")["layers"]]
    assert drawn == declared
    listed = dict(re.findall(r"^\| `(apact[\w.]*)` \| `(apact[\w.]*)` \|$", page, re.MULTILINE))
    assert listed == COMPATIBILITY


# -- no cycle ------------------------------------------------------------------------------------


def test_no_import_cycle_between_modules() -> None:
    cycles = _cycles({m: [i for i in imported if i.startswith("apact")] for m, imported in _imports(ROOT).items()})
    assert cycles == [], "import cycles: " + "; ".join(" <-> ".join(cycle) for cycle in cycles)


def test_the_cycle_finder_sees_a_cycle_behind_type_checking(broken_copy: Path) -> None:
    graph = {m: [i for i in imported if i.startswith("apact")] for m, imported in _imports(broken_copy).items()}
    cycles = _cycles(graph)
    assert any({"apact.matching._mismatch", "apact.verifier._result"} <= set(cycle) for cycle in cycles), cycles


# -- third parties at the edges ------------------------------------------------------------------


def test_the_engine_and_below_use_only_the_standard_library() -> None:
    graph = _imports(ROOT)
    checked = [m for m in graph if any(m == p or m.startswith(p + ".") for p in STANDARD_LIBRARY_ONLY)]
    assert len(checked) > 30  # the packages were found
    outside = {
        module: sorted(i for i in imported if not i.startswith("apact") and i not in sys.stdlib_module_names)
        for module, imported in graph.items()
        if module in checked
    }
    assert {m: i for m, i in outside.items() if i} == {}


# -- compatibility -------------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new"), COMPATIBILITY.items())
def test_an_old_import_path_gives_the_same_objects(old: str, new: str) -> None:
    compatibility, home = importlib.import_module(old), importlib.import_module(new)
    names = list(compatibility.__all__)
    assert names and all(getattr(compatibility, name) is getattr(home, name) for name in names)
    assert set(names) <= set(home.__all__)


def _documented_imports() -> list[str]:
    """Every import of apact in the README, docs/ and examples/, as a line of Python."""
    sources = [(ROOT / "README.md").read_text(), *(path.read_text() for path in sorted((ROOT / "docs").rglob("*.md")))]
    blocks = [block for text in sources for block in re.findall(r"```python\n(.*?)```", text, re.DOTALL)]
    blocks += [path.read_text() for path in sorted((ROOT / "examples").rglob("*.py"))]
    found: set[str] = set()
    for block in blocks:
        try:
            tree = ast.parse(block)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "apact":
                found.add(ast.unparse(node))
            elif isinstance(node, ast.Import) and any(alias.name.split(".")[0] == "apact" for alias in node.names):
                found.add(ast.unparse(node))
    return sorted(found)


def test_every_import_the_documentation_shows_works() -> None:
    statements = _documented_imports()
    assert len(statements) > 10
    code = "import sys\nfailed = []\nfor line in sys.argv[1:]:\n    try:\n        exec(line, {})\n    except Exception as error:\n        failed.append(f'{line}: {error!r}')\nprint('\\n'.join(failed))\nraise SystemExit(1 if failed else 0)\n"
    result = subprocess.run(
        [sys.executable, "-c", code, *statements], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


# -- the facade ----------------------------------------------------------------------------------


def test_the_facade_exports_what_it_lists_and_loads_nothing_heavy_until_asked() -> None:
    """``import apact`` (as the pytest plugin does in every session) stays light."""
    code = (
        "import sys, apact\n"
        "heavy = sorted(m for m in ('httpx', 'starlette', 'hypercorn', 'apact.matching') if m in sys.modules)\n"
        "assert not heavy, heavy\n"
        "assert sorted(apact.__all__) == sorted([*apact._exports(), '__version__'])\n"
        "assert all(getattr(apact, name) is not None for name in apact.__all__)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
