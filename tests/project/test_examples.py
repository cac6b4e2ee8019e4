"""``examples/`` runs: the consumer tests rewrite exactly the committed pacts, and the
providers' verifications pass (the restaurant's in-process and as a started server; the
Flask kitchen's in-process and by pact-python's official verifier).

On asyncio only (apact's own tests cover trio). ``examples/grill_chef`` is run by
``tests/consumer/test_consumer.py`` and ``tests/verifier/test_verifier_readme.py``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PACT = EXAMPLES / "restaurant" / "pacts" / "Sous Chef-Grill Chef.json"


def test_the_restaurant_examples_pass_and_their_pact_is_the_committed_one() -> None:
    pytest.importorskip("fastapi", reason="the restaurant example is a FastAPI service (pip install fastapi)")
    before = PACT.read_bytes()
    completed = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", "-k", "asyncio", "restaurant"],
        cwd=EXAMPLES,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "8 passed" in completed.stdout, completed.stdout
    assert PACT.read_bytes() == before, "the consumer tests changed the pact: commit the new one if that was meant"


FLASK_PACT = EXAMPLES / "flask_kitchen" / "pacts" / "Waiter-Kitchen.json"


def test_the_flask_kitchen_example_passes_and_the_official_verifier_agrees() -> None:
    """The Waiter's ``requests`` tests rewrite exactly the committed pact; the Flask app
    honours it in-process (WSGI) and, served by werkzeug, by pact-python's verifier."""
    pytest.importorskip("flask", reason="the Flask example needs Flask (pip install -e '.[test]')")
    pytest.importorskip("pact", reason="the Flask example's last test runs pact-python's verifier")
    before = FLASK_PACT.read_bytes()
    completed = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider", "-k", "not trio",
         "flask_kitchen"],
        cwd=EXAMPLES,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "7 passed" in completed.stdout, completed.stdout
    assert FLASK_PACT.read_bytes() == before, (
        "the consumer tests changed the pact: commit the new one if that was meant"
    )
