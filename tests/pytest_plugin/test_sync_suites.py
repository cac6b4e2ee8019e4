"""The pytest plugin in a sync test suite (issue 19, item 3): no anyio plugin, no async
test; the ``pact`` fixture used with ``with``, a ``requests`` client, the provider
verified by ``interaction_tests`` and by ``verify_sync``. Run by pytester in a
subprocess with anyio's plugin disabled."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from apact import pactfile

from .test_pytest_plugin import MEDIUM, PROVIDER, orders, run_subprocess, write_pact

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]
MODULE_LINE = "# tests/test_web_pact.py\n"

SYNC_CONSUMER = """
import pytest
import requests

from apact import match

pytestmark = pytest.mark.pact("Sous Chef", "Grill Chef")


def test_order_with_requests(pact):
    with pact:
        (pact.given("steaks are available").upon_receiving("a request for a medium-rare steak")
             .with_request("POST", "/steaks/", body={"cooking": "medium-rare"})
             .will_respond_with(201, body={"waitingTime": match.integer(10)}))
        response = requests.post(pact.url + "/steaks/", json={"cooking": "medium-rare"}, timeout=10)
        assert (response.status_code, response.json()) == (201, {"waitingTime": 10})


def test_order_with_the_sync_client(pact):
    with pact as mock:
        (mock.upon_receiving("a request for a rare steak")
             .with_request("POST", "/steaks/", body={"cooking": "rare"})
             .will_respond_with(201))
        assert mock.client.post("/steaks/", json={"cooking": "rare"}).status_code == 201


def test_an_order_never_made(pact):
    with pact:
        pact.upon_receiving("a request for a blue steak").with_request("GET", "/blue").will_respond_with(200)
"""

SYNC_VERIFY = """
from grill_chef_side import verifier


def test_the_grill_chef_honours_its_pacts():
    result = verifier.verify_sync("provider-pacts")
    result.assert_ok()
    assert [i.description for p in result.pacts for i in p.interactions] == ["a request for a medium-rare steak"]
"""


def test_a_sync_suite_without_anyio_uses_the_fixture_and_verifies(pytester: pytest.Pytester) -> None:
    write_pact(pytester.path / "provider-pacts", MEDIUM)
    pytester.makepyfile(
        test_sous_chef_side=SYNC_CONSUMER,
        grill_chef_side=PROVIDER.replace('"pacts"', '"provider-pacts"'),
        test_grill_chef_side="from grill_chef_side import test_grill_chef\n",
        test_verify_side=SYNC_VERIFY,
    )
    result = run_subprocess(pytester, "-p", "no:anyio", "-W", "error", "-v")
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(
        [
            '*missing request: "a request for a blue steak" expected GET /blue, but no such request was made*',
            "FAILED test_sous_chef_side.py::test_an_order_never_made*",
        ]
    )
    assert "anyio" not in result.stdout.str().split("plugins:", 1)[1].split("\n", 1)[0]
    written = pactfile.load(pytester.path / "pacts" / "Sous Chef-Grill Chef.json")
    assert sorted(i.description for i in written.interactions) == [
        "a request for a medium-rare steak",
        "a request for a rare steak",
    ]
    # interaction_tests and verify_sync each replayed the provider's one interaction
    assert orders(pytester) == ["medium-rare", "medium-rare"]


def _guide_module() -> str:
    """The sync test module of docs/pytest.md (its first line names it)."""
    text = (ROOT / "docs" / "pytest.md").read_text()
    blocks: list[str] = re.findall(r"^```python\n(.*?)^```", text, re.S | re.M)
    (code,) = [code for code in blocks if code.startswith(MODULE_LINE)]
    return code


def test_the_pytest_guides_sync_module_passes_without_anyio(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_web_pact=_guide_module())
    result = run_subprocess(pytester, "-p", "no:anyio", "-W", "error", "-v")
    result.assert_outcomes(passed=2)
    written = pactfile.load(pytester.path / "pacts" / "web-orders.json")
    assert sorted(i.description for i in written.interactions) == ["a new order", "a request for order 7"]
