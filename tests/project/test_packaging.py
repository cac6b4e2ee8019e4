"""apact installs anywhere: ``python -m build`` makes an sdist and a wheel, the wheel is
built from the sdist (so the sdist holds everything ``pip install`` needs), and the wheel
installed into a new virtual environment runs ``python -m apact demo``.

The build runs without isolation (the backend, setuptools, comes with the test extras),
from a copy of the checkout, so the working tree gets no ``build/`` or ``*.egg-info``.
The new environment gets the wheel's dependencies from the package index, through pip's
cache: a handful of small wheels.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# what is not part of a checkout: environments, caches, earlier builds, the built site
JUNK = shutil.ignore_patterns(
    ".git", ".venv*", "__pycache__", "*.egg-info", "build", "dist", "site", "pacts", ".*_cache", ".hypothesis"
)


def _run(command: list[str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    assert completed.returncode == 0, f"{' '.join(command)}:\n{completed.stdout}\n{completed.stderr}"
    return completed


def _sources() -> set[str]:
    """apact's modules and data files in the checkout, as paths inside the package."""
    package = ROOT / "apact"
    return {
        path.relative_to(ROOT).as_posix()
        for path in package.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix in {".py", ".json", ".typed"}
    }


@pytest.mark.timeout(300)  # the build and the install take about 30 s; a loaded machine may need more
def test_the_wheel_built_from_the_sdist_installs_in_a_new_environment_and_runs_the_demo(tmp_path: Path) -> None:
    pytest.importorskip("build", reason="python -m build is in the test extras (pip install -e '.[test]')")
    checkout = tmp_path / "checkout"
    shutil.copytree(ROOT, checkout, ignore=JUNK)
    dist = tmp_path / "dist"
    # no --sdist/--wheel: the sdist first, then the wheel from the unpacked sdist
    _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(checkout)], cwd=tmp_path)
    (sdist,) = dist.glob("apact-*.tar.gz")
    (wheel,) = dist.glob("apact-*-py3-none-any.whl")

    sources = _sources()
    assert "apact/py.typed" in sources and "apact/examples/sous-chef-grill-chef.json" in sources

    with tarfile.open(sdist) as archive:
        top = sdist.name.removesuffix(".tar.gz")
        in_sdist = {name.removeprefix(f"{top}/") for name in archive.getnames()}
    for needed in ("pyproject.toml", "README.md", "LICENSE", "PKG-INFO"):
        assert needed in in_sdist, f"the sdist lacks {needed}"
    assert not sources - in_sdist, f"the sdist lacks {sorted(sources - in_sdist)}"

    with zipfile.ZipFile(wheel) as archive:
        in_wheel = set(archive.namelist())
        info = wheel.name.split("-py3")[0] + ".dist-info"
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
        metadata = archive.read(f"{info}/METADATA").decode()
    assert not sources - in_wheel, f"the wheel lacks {sorted(sources - in_wheel)}"
    assert f"{info}/licenses/LICENSE" in in_wheel
    assert not any(name.startswith(("tests/", "docs/", "examples/")) for name in in_wheel), (
        "the wheel ships more than apact"
    )
    assert "apact = apact.cli:main" in entry_points and "[pytest11]" in entry_points
    assert "Requires-Dist: httpx" in metadata and "Provides-Extra: openapi" in metadata

    # a new environment with nothing but the wheel and its dependencies (this pip drives it)
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", str(wheel)],
        cwd=tmp_path,
        timeout=240,
    )

    # from elsewhere than the checkout, so that only the installed apact can be imported
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = _run(
        [str(python), "-c", "import apact, pathlib; print(pathlib.Path(apact.__file__).parent)"], cwd=elsewhere
    )
    installed = Path(where.stdout.strip())
    assert installed.is_relative_to(venv) and (installed / "py.typed").is_file()

    demo = _run([str(python), "-m", "apact", "demo", "--pact-dir", "pacts"], cwd=elsewhere)
    assert "2 interactions: 2 passed, 0 failed" in demo.stdout, demo.stdout
    assert "verification passed" in demo.stdout, demo.stdout
    pact = json.loads((elsewhere / "pacts" / "Sous Chef-Grill Chef.json").read_text())
    assert (pact["consumer"]["name"], pact["provider"]["name"]) == ("Sous Chef", "Grill Chef")
