"""Which tests pytest-xdist hands out together: the suite's ``pytest_xdist_make_scheduler``.

A module whose module-scoped fixture starts something costly (a filled broker and a
browser, the Rust core's mock servers, a stub per specification version) is set up once
per worker that runs any of its tests; with three workers, up to three times. Such a
module goes to one worker whole. So do the attack tests, which take turns anyway.

pytest-xdist's own way, an ``xdist_group`` mark under ``--dist loadgroup``, relies on each
worker appending ``@group`` to the test's node id, and pytest 9.2 ignores that edit: the
mark stopped grouping anything, silently (pytest-xdist issue #1386). The controller sees
node ids only, so the modules are named here, and the scheduler groups them by their
path, whatever pytest does to node ids; it still honours an ``@group`` suffix where one
arrives. Everything else is handed out test by test, as ``loadgroup`` does.
"""

from __future__ import annotations

from typing import Any

import pytest
from xdist.scheduler import LoadGroupScheduling  # type: ignore[import-untyped]  # (xdist ships no types)

#: module path -> the group its tests go in (one worker runs a group, set up once)
TOGETHER = {
    "tests/broker_server/test_pages_browser.py": "browser",  # a filled broker, Chromium
    "tests/consumer/test_core_request_rules.py": "core-request-rules",  # the core's mock servers, four stubs
    "tests/verifier/test_verifier_servers.py": "verifier-servers",  # a provider process
    # the attacks on the servers' limits, one at a time (`hostile.alone`): on one worker,
    # they follow each other, rather than two workers' waiting for the lock while a third
    # attacks (and the broker's edge tests share a broker process)
    "tests/broker/test_http_edge.py": "attacks",
    "tests/consumer/test_mock_limits.py": "attacks",
    "tests/consumer/test_stub_limits.py": "attacks",
}


class TogetherScheduling(LoadGroupScheduling):  # type: ignore[misc]  # (an untyped base)
    """``loadgroup``, with the modules of :data:`TOGETHER` each one unit of work."""

    def _split_scope(self, nodeid: str) -> str:
        group = TOGETHER.get(nodeid.split("::", 1)[0])
        return group if group is not None else super()._split_scope(nodeid)


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> LoadGroupScheduling | None:
    if config.getvalue("dist") != "loadgroup":
        return None  # another --dist: xdist's own scheduler
    return TogetherScheduling(config, log)
