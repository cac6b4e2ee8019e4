"""The documentation builds in strict mode, and its Python samples run.

Every ```python block in README.md and docs/ runs, page by page in one namespace (so a
page can build on its earlier blocks), in a temporary directory; then every ``test_*``
function the page defined is called (awaited on asyncio if it is a coroutine). A block
that cannot run on its own is preceded by ``<!-- not-run: the reason -->``.
"""

from __future__ import annotations

import ast
import inspect
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from html import unescape
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


# reStructuredText in a docstring: a role (``:class:`Pact` ``) or a literal block's ``::``
RST_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|attr|mod|data|exc|obj|const|ref):`")
RST_LITERAL = re.compile(r"(?<!:)::\s*$", re.M)


def _docstrings(tree: ast.AST) -> Iterator[ast.Constant]:
    """Every docstring: a module's, class's or function's, and an attribute's (a string
    statement after an assignment, which mkdocstrings shows too)."""
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list):
            for statement in body:
                if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
                    if isinstance(statement.value.value, str):
                        yield statement.value


def test_docstrings_are_markdown() -> None:
    """apact's docstrings are Markdown, as mkdocstrings renders them: a reStructuredText
    role or ``::`` block would reach the API reference raw."""
    found = []
    for path in sorted((ROOT / "apact").rglob("*.py")):
        for docstring in _docstrings(ast.parse(path.read_text(), str(path))):
            assert isinstance(docstring.value, str)
            for number, line in enumerate(docstring.value.splitlines()):
                if RST_ROLE.search(line) or RST_LITERAL.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{docstring.lineno + number}: {line.strip()}")
    assert not found, "reStructuredText in docstrings (write `Name` and fenced code instead):\n" + "\n".join(found)


def _text(html: str) -> str:
    """What a reader sees of a page: its text, without scripts, styles and tags."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", "", html))


@pytest.mark.skipif(
    shutil.which("mkdocs") is None and not (Path(sys.executable).parent / "mkdocs").exists(),
    reason="mkdocs is not installed (pip install -e '.[test]')",
)
def test_docs_build_in_strict_mode(tmp_path: Path) -> None:
    """The site builds in strict mode, as a user reads it: Material with highlighting,
    copy buttons, search and a dark mode, nothing fetched from elsewhere, no page meant
    for apact's developers, and an API reference without raw reStructuredText. (One
    build for every check: it takes a while.)"""
    site = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1", "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    pages = {path.relative_to(site).as_posix(): path.read_text() for path in site.rglob("*.html")}

    # nothing internal: docs/internal/ is for apact's developers, and names their tools
    assert not (site / "internal").exists()
    leaks = [name for name, html in pages.items() if "pact-python-notes" in html or "example.invalid" in html]
    assert not leaks, f"pages linking to docs/internal/ or a made-up URL: {leaks}"

    # the API reference: Markdown rendered, no reStructuredText role or literal-block marker
    reference = {name: html for name, html in pages.items() if name.startswith("reference/")}
    assert len(reference) >= 7 and all("doc-heading" in html for html in reference.values())
    for name, html in reference.items():
        roles = sorted(set(re.findall(r":(?:class|meth|func|attr|mod|data|exc):", html)))
        assert not roles, f"{name} shows reStructuredText roles: {roles}"
        prose = _text(re.sub(r"<(code|pre)\b.*?</\1>", "", html, flags=re.S))
        literal = re.findall(r".{0,40}::.{0,40}", prose)
        assert not literal, f"{name} shows a reStructuredText literal-block '::': {literal}"
    assert '<div class="highlight"><pre><span></span><code>ApactError\n' in reference["reference/errors.html"]

    # the theme: Material, highlighted code with a copy button, a light/dark toggle, search
    index = pages["index.html"]
    assert "assets/stylesheets/main" in index and 'data-md-component="palette"' in index
    assert index.count('data-md-color-scheme="slate"') >= 1 and '"content.code.copy"' in index
    assert '<span class="kn">from</span>' in index  # Pygments has coloured the Python samples
    assert (site / "search" / "search_index.js").is_file()  # offline: the index inlined as a script

    # offline: no web font, no script or stylesheet from a CDN (a link to a page is fine)
    for name, html in pages.items():
        remote = re.findall(
            r"<(?:script|img)\b[^>]*\bsrc=\"(?:https?:)?//[^\"]*\"|<link\b[^>]*\bhref=\"(?:https?:)?//[^\"]*\"", html
        )
        assert not remote, f"{name} loads from the network: {remote}"
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html, name
