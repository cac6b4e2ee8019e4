"""``examples/django_kitchen`` runs: a Django project verified in-process through its
ASGI handler, with provider states written with the ORM, under pytest-django.

The example has its own ``pytest.ini`` (pytest-django's settings live there, not in
apact's suite), so it runs as a subprocess in its directory, as a user runs it. Its
tests run twice: on Django's default in-memory SQLite test database, and on a SQLite
file (``GRILL_CHEF_TEST_DB``), where a connection closed at the end of a request is
really closed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from apact.examples import GRILL_CHEF_PACT

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "django_kitchen"


def run_example(*arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    pytest.importorskip("django", reason="the Django example needs Django (pip install -e '.[test]')")
    pytest.importorskip("pytest_django", reason="the Django example needs pytest-django (pip install -e '.[test]')")
    environment = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *arguments],
        cwd=EXAMPLE,
        env={**environment, **(env or {})},
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
    )


def test_the_django_example_passes_on_an_in_memory_test_database() -> None:
    completed = run_example()
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "6 passed" in completed.stdout, completed.stdout  # the command line twice: ASGI and WSGI


def test_the_django_example_passes_on_a_sqlite_file_test_database(tmp_path: Path) -> None:
    database = tmp_path / "test-grill-chef.sqlite3"
    completed = run_example("-k", "not command_line", env={"GRILL_CHEF_TEST_DB": str(database)})
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "4 passed" in completed.stdout, completed.stdout
    assert not database.exists(), "pytest-django destroys its test database at the end"


def test_the_django_example_verifies_the_built_in_example_pact() -> None:
    committed = json.loads((EXAMPLE / "pacts" / "Sous Chef-Grill Chef.json").read_text(encoding="utf-8"))
    assert committed == json.loads(GRILL_CHEF_PACT.read_text(encoding="utf-8"))


def test_apacts_own_suite_runs_without_a_django_project() -> None:
    """pytest-django, installed for the example, is a plugin of every pytest run: in
    apact's own suite it must find no Django settings (none in pyproject.toml, no
    manage.py where the suite runs), and stay idle."""
    conf = pytest.importorskip("django.conf", reason="Django is not installed")
    assert not conf.settings.configured
