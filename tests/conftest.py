"""Shared test set-up: async tests run on both anyio backends (asyncio and trio)."""

from __future__ import annotations

import compileall
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import apact

from .scheduling import pytest_xdist_make_scheduler  # noqa: F401  (a hook: which tests go together)

# The suite's longest tests, longest first (measured with ``--durations``: each takes 5 to 25
# seconds, most of it in subprocesses). They are collected first so that xdist hands them
# out at the start: one of them scheduled last would keep a worker busy after the others
# have run out of work. A whole module stays together (its module-scoped fixtures are set
# up once per worker); everything else keeps its order.
SLOW_FIRST = (
    "tests/project/test_typing.py",  # mypy --strict over the whole tree, cold
    "tests/cli/test_cli_consistency.py::test_the_exit_code_table_is_true_for_every_command",
    "tests/project/test_benchmarks.py",
    "tests/project/test_django_example.py",
    "tests/project/test_packaging.py",  # sdist, wheel, a new venv
    "tests/project/test_examples.py",
    "tests/consumer/test_mock_limits.py",  # trickled bodies: slow on purpose
    "tests/consumer/test_stub_limits.py",
    "tests/openapi/test_openapi_pytest.py",
    "tests/project/test_docs.py::test_docs_build_in_strict_mode",  # mkdocs --strict
    "tests/verifier/test_verifier_transport_headers.py",
    "tests/pact/test_writer.py::test_eight_processes_writing_fifty_interactions_each_lose_none",
    "tests/verifier/test_verifier_signals.py",
)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto``: one worker more than the machine has cores.

    Measured on two cores, the suite keeps them busy only about 60 % of the time: many
    tests wait on a subprocess starting, a deadline-poll or a trickled body. A third
    worker fills those gaps. ``PYTEST_XDIST_AUTO_NUM_WORKERS`` still decides when set.
    """
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS") or config.option.numprocesses != "auto":
        return None  # xdist's own answer
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cores + 1


def pytest_configure(config: pytest.Config) -> None:
    """Compile apact's modules once, before any test starts `python -m apact`.

    Where ``PYTHONDONTWRITEBYTECODE`` is set (CI images often set it) an editable install
    is never cached, so each of the suite's hundreds of subprocesses would compile apact
    again: about 0.2 s apiece. compileall writes the caches whatever that variable says.
    """
    if not hasattr(config, "workerinput"):  # the controller only, not each xdist worker
        compileall.compile_dir(Path(apact.__file__).parent, quiet=1)


def _slow_rank(nodeid: str) -> int:
    for rank, prefix in enumerate(SLOW_FIRST):
        if nodeid == prefix or nodeid.startswith((prefix + "::", prefix + "[")):
            return rank
    return len(SLOW_FIRST)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests of ``SLOW_FIRST`` first, longest first (a stable sort: the same order in
    every xdist worker, as xdist requires)."""
    items.sort(key=lambda item: _slow_rank(item.nodeid))


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    backend: str = request.param
    return backend


@pytest.fixture(autouse=True, scope="session")
def _official_callback_servers_closed() -> Iterator[None]:
    """pact-python 4.2 serves a Python state or message handler from an HTTP server that
    it shuts down but never closes (``pact/_server.py``): its listening socket was left to
    the collector, and a handler thread finishing late could hold the last reference past
    its test, so that the "unclosed socket" failed whichever test ran then. Here each such
    server is closed when pact-python's block ends, as it should be."""
    try:
        from pact import _server
    except ImportError:  # (pact-python not installed: its tests skip)
        yield
        return
    patch = pytest.MonkeyPatch()
    for owner in (_server.StateCallback, _server.MessageProducer):
        patch.setattr(owner, "__exit__", _closing_exit(owner.__exit__))
    yield
    patch.undo()


def _closing_exit(original: Callable[..., None]) -> Callable[..., None]:
    def closing_exit(self: Any, *exc: object) -> None:  # noqa: ANN401  (pact-python's classes)
        try:
            original(self, *exc)
        finally:
            server = getattr(self, "_server", None)
            if server is not None:
                server.server_close()

    return closing_exit
