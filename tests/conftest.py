"""Shared test set-up: async tests run on both anyio backends (asyncio and trio)."""

from __future__ import annotations

import compileall
from pathlib import Path

import pytest

import apact


def pytest_configure(config: pytest.Config) -> None:
    """Compile apact's modules once, before any test starts `python -m apact`.

    Where ``PYTHONDONTWRITEBYTECODE`` is set (CI images often set it) an editable install
    is never cached, so each of the suite's hundreds of subprocesses would compile apact
    again: about 0.2 s apiece. compileall writes the caches whatever that variable says.
    """
    if not hasattr(config, "workerinput"):  # the controller only, not each xdist worker
        compileall.compile_dir(Path(apact.__file__).parent, quiet=1)


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    backend: str = request.param
    return backend
