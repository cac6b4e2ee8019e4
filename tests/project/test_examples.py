"""``examples/`` runs: the restaurant's consumer tests rewrite exactly the committed pact,
and its provider verification (in-process and as a started server) passes.

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
