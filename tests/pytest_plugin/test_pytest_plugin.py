"""The pytest plugin, run by pytester: one item per interaction (ids, -k, -x, --lf,
--junitxml, failure output, pending, skipped, errors), the ``pact`` fixture and its
marker and options, anyio's plugin alongside, and pytest-xdist for both sides."""

from __future__ import annotations

import ast
import json
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

import apact
from apact import pactfile

pytest_plugins = ["pytester"]


def _import_all_of_apact() -> None:
    """pytester's in-process runs forget the modules first imported inside them; the
    plugin imports the verifier lazily, so a later run would re-import ``_sources`` and
    hold another ``PactSource`` class than the plugin's. Imported here once, every run
    shares the same modules."""
    import importlib
    import pkgutil

    for module in pkgutil.walk_packages(apact.__path__, "apact."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)


_import_all_of_apact()

PLUGIN = Path(__file__).resolve().parents[2] / "apact" / "pytest_plugin" / "__init__.py"


def steak(
    description: str,
    cooking: str,
    status: int = 201,
    *,
    states: tuple[str, ...] = ("steaks are available",),
    **extra: object,
) -> dict[str, object]:
    """A V4 interaction ordering a steak, answered with ``{"waitingTime": 10}``."""
    interaction: dict[str, object] = {
        "type": "Synchronous/HTTP",
        "description": description,
        "request": {
            "method": "POST",
            "path": "/steaks/",
            "headers": {"Content-Type": ["application/json"]},
            "body": {"contentType": "application/json", "encoded": False, "content": {"cooking": cooking}},
        },
        "response": {
            "status": status,
            "headers": {"Content-Type": ["application/json"]},
            "body": {"contentType": "application/json", "encoded": False, "content": {"waitingTime": 10}},
        },
        **extra,
    }
    if states:
        interaction["providerStates"] = [{"name": name} for name in states]
    return interaction


def write_pact(
    directory: Path, *interactions: dict[str, object], consumer: str = "Sous Chef", name: str | None = None
) -> Path:
    document = {
        "consumer": {"name": consumer},
        "provider": {"name": "Grill Chef"},
        "interactions": list(interactions),
        "metadata": {"pactSpecification": {"version": "4.0"}},
    }
    path = directory / (name or f"{consumer}-Grill Chef.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document))
    return path


#: a provider module: the Grill Chef app, which logs each order it gets to orders.log,
#: serves every steak but well-done ones, and breaks on "broken"
PROVIDER = """
from pathlib import Path

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from apact import Verifier
from apact.pytest_plugin import interaction_tests

LOG = Path(__file__).with_name("orders.log")


async def steaks(request):
    order = await request.json()
    with LOG.open("a") as log:
        log.write(order["cooking"] + "\\n")
    if order["cooking"] == "broken":
        return JSONResponse({"waitingTime": "ten"}, status_code=201)
    return JSONResponse({"waitingTime": 10}, status_code=201)


verifier = Verifier("Grill Chef", app=Starlette(routes=[Route("/steaks/", steaks, methods=["POST"])]))


@verifier.state("steaks are available")
def steaks_available():
    pass


test_grill_chef = interaction_tests(verifier, "pacts")
"""

MEDIUM = steak("a request for a medium-rare steak", "medium-rare")
RARE = steak("a request for a rare steak", "rare")
BROKEN = steak("a request for a broken steak", "broken")
BLUE = steak("a request for a blue steak", "blue", states=())


#: hypothesis's plugin spends a second per session in its terminal summary: not needed here.
#: The in-process session marks apact for assertion rewriting although the outer session has
#: imported it (the checkout's apact.egg-info, which setuptools leaves beside the sources of an
#: editable install, is on sys.path here): its warning would land in the output compared
QUIET = ("-p", "no:hypothesispytest", "-W", "ignore::pytest.PytestAssertRewriteWarning")


def run(pytester: pytest.Pytester, *arguments: str) -> pytest.RunResult:
    """pytest, in this process."""
    return pytester.runpytest(*QUIET, *arguments)


def run_subprocess(pytester: pytest.Pytester, *arguments: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(*QUIET, "-p", "no:cacheprovider", *arguments, timeout=120)


def orders(pytester: pytest.Pytester) -> list[str]:
    log = pytester.path / "orders.log"
    return log.read_text().split() if log.exists() else []


# -- provider verification: one item per interaction -----------------------------------------------


def test_each_interaction_is_an_item_with_a_readable_id(pytester: pytest.Pytester) -> None:
    write_pact(pytester.path / "pacts", MEDIUM, BLUE)
    write_pact(pytester.path / "pacts", RARE, consumer="Line Cook")
    pytester.makepyfile(test_grill_chef_side=PROVIDER)
    result = run(pytester, "--collect-only", "-q")
    result.stdout.fnmatch_lines(
        [
            "test_grill_chef_side.py::test_grill_chef[[]Line Cook :: a request for a rare steak [[]steaks are available]]",
            "test_grill_chef_side.py::test_grill_chef[[]Sous Chef :: a request for a medium-rare steak [[]steaks are available]]",
            "test_grill_chef_side.py::test_grill_chef[[]Sous Chef :: a request for a blue steak]",
            "3 tests collected*",
        ]
    )
    assert orders(pytester) == []  # collecting verifies nothing


def test_the_selected_items_are_verified_in_one_run_and_each_reports_its_verdict(pytester: pytest.Pytester) -> None:
    write_pact(pytester.path / "pacts", MEDIUM, BROKEN, BLUE)
    pytester.makepyfile(test_grill_chef_side=PROVIDER)
    result = run(pytester, "-v")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_grill_chef[[]Sous Chef :: a request for a medium-rare steak [[]steaks are available]] PASSED*",
            "*test_grill_chef[[]Sous Chef :: a request for a broken steak [[]steaks are available]] FAILED*",
            "*'Grill Chef' (in-process ASGI app Starlette): 3 interactions (2 passed, 1 failed, 0 pending, 0 skipped)*",
        ]
    )
    assert sorted(orders(pytester)) == ["blue", "broken", "medium-rare"]  # each replayed once


def test_a_failing_item_shows_the_mismatch_report_and_no_traceback(pytester: pytest.Pytester) -> None:
    write_pact(pytester.path / "pacts", MEDIUM, BROKEN)
    pytester.makepyfile(test_grill_chef_side=PROVIDER)
    result = run(pytester)
    result.assert_outcomes(passed=1, failed=1)
    failures = result.stdout.str().split("= FAILURES =", 1)[1].split(" apact verifications ", 1)[0]
    assert failures.splitlines()[1:-1] == [
        "_ test_grill_chef[Sous Chef :: a request for a broken steak [steaks are available]] _",
        "Sous Chef -> Grill Chef: a request for a broken steak",
        "   given steaks are available",
        "   request: POST /steaks/",
        '   $.body.waitingTime: expected 10 (integer), got "ten" (string)',
        "   body (- expected, + actual):",
        "      {",
        '     -  "waitingTime": 10',
        '     +  "waitingTime": "ten"',
        "      }",
        "   pact: pacts/Sous Chef-Grill Chef.json",
    ]


def test_k_selects_interactions_and_only_those_are_replayed(pytester: pytest.Pytester) -> None:
    write_pact(pytester.path / "pacts", MEDIUM, RARE, BROKEN)
    pytester.makepyfile(test_grill_chef_side=PROVIDER)
    result = run(pytester, "-k", "rare and not medium")
    result.assert_outcomes(passed=1, deselected=2)
    assert orders(pytester) == ["rare"]


def test_x_stops_at_the_first_failing_interaction(pytester: pytest.Pytester) -> None:
    write_pact(pytester.path / "pacts", MEDIUM, BROKEN, steak("another broken steak", "broken"), RARE)
    pytester.makepyfile(test_grill_chef_side=PROVIDER)
    result = run(pytester, "-x")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*stopping after 1 failures*"])


def test_lf_reruns_the_failed_interactions_only(pytester: pytest.Pytester) -> None:
    write_pact(pytester.path / "pacts", MEDIUM, BROKEN, RARE)
    pytester.makepyfile(test_grill_chef_side=PROVIDER)
    run(pytester, "-p", "cacheprovider").assert_outcomes(passed=2, failed=1)
    (pytester.path / "orders.log").unlink()
    result = run(pytester, "-p", "cacheprovider", "--lf")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["run-last-failure: rerun previous 1 failure", "*: 1 interaction (0 passed, 1 failed, *"]
    )
    assert orders(pytester) == ["broken"]


def test_junitxml_has_a_test_case_per_interaction_with_the_mismatch(pytester: pytest.Pytester) -> None:
    write_pact(pytester.path / "pacts", MEDIUM, BROKEN)
    pytester.makepyfile(test_grill_chef_side=PROVIDER)
    run(pytester, "--junitxml=report.xml").assert_outcomes(passed=1, failed=1)
    cases = {case.get("name"): case for case in ElementTree.parse(pytester.path / "report.xml").iter("testcase")}
    assert set(cases) == {
        "test_grill_chef[Sous Chef :: a request for a medium-rare steak [steaks are available]]",
        "test_grill_chef[Sous Chef :: a request for a broken steak [steaks are available]]",
    }
    failure = cases["test_grill_chef[Sous Chef :: a request for a broken steak [steaks are available]]"].find("failure")
    assert failure is not None
    assert "Sous Chef -> Grill Chef: a request for a broken steak" in failure.get("message", "")
    assert '$.body.waitingTime: expected 10 (integer), got "ten" (string)' in (failure.text or "")


def test_pending_failures_are_xfail_and_skipped_interactions_are_skipped(pytester: pytest.Pytester) -> None:
    write_pact(pytester.path / "pacts", MEDIUM, steak("a pending broken steak", "broken", pending=True))
    pytester.makepyfile(
        test_grill_chef_side=PROVIDER,
        test_skipping_side=PROVIDER.replace('Verifier("Grill Chef", ', 'Verifier("Grill Chef", pending="skip", '),
    )
    result = run(pytester, "-rsx")
    result.assert_outcomes(passed=2, xfailed=1, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "SKIPPED*pending (the verifier skips pending interactions: pending='skip')",
            "XFAIL*a pending broken steak*pending interaction (its failure does not fail the verification):",
        ]
    )


def test_ids_stay_unique_when_descriptions_and_states_repeat(pytester: pytest.Pytester) -> None:
    twin = steak("a request for a medium-rare steak", "medium-rare", states=())
    with_params = {**MEDIUM, "providerStates": [{"name": "steaks are available", "params": {"count": 1}}]}
    write_pact(pytester.path / "pacts", MEDIUM, twin, with_params)
    write_pact(pytester.path / "pacts", MEDIUM, name="Sous Chef-Grill Chef (old).json")
    pytester.makepyfile(test_grill_chef_side=PROVIDER)
    result = run(pytester, "--collect-only", "-q")
    result.stdout.fnmatch_lines(
        [
            "*[[]Sous Chef :: a request for a medium-rare steak [[]steaks are available]]",
            "*[[]Sous Chef :: a request for a medium-rare steak [[]steaks are available] #2]",
            "*[[]Sous Chef :: a request for a medium-rare steak]",
            '*[[]Sous Chef :: a request for a medium-rare steak [[]steaks are available] [[]{"count": 1}]]',
            "4 tests collected*",
        ]
    )
    run(pytester).assert_outcomes(passed=4)


def test_an_unreadable_pact_or_nothing_to_verify_is_a_failing_item_not_a_collection_error(
    pytester: pytest.Pytester,
) -> None:
    (pytester.path / "pacts").mkdir()
    (pytester.path / "pacts" / "bad.json").write_text("{not json")
    pytester.makepyfile(
        test_grill_chef_side=PROVIDER,
        test_empty_side=PROVIDER.replace(
            'interaction_tests(verifier, "pacts")', 'interaction_tests(verifier, "empty")'
        ),
        test_allowed_side=PROVIDER.replace(
            'interaction_tests(verifier, "pacts")', 'interaction_tests(verifier, "empty", allow_empty=True)'
        ),
    )
    (pytester.path / "empty").mkdir()
    result = run(pytester, "-rs")
    result.assert_outcomes(failed=2, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "*test_grill_chef[[]no interactions]*",
            "nothing to verify: no interaction in empty for provider 'Grill Chef' (interaction_tests(..., allow_empty=True) accepts that)",
            "*test_grill_chef[[]unreadable pact]*",
            "cannot read a pact: pacts/bad.json: not valid JSON: *",
        ]
    )


def test_a_provider_that_cannot_start_fails_every_item_after_one_attempt(pytester: pytest.Pytester) -> None:
    write_pact(pytester.path / "pacts", MEDIUM, RARE)
    pytester.makepyfile(
        test_grill_chef_side="""
from pathlib import Path

from apact import Verifier
from apact.pytest_plugin import interaction_tests

STARTS = Path(__file__).with_name("starts.log")


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        await receive()
        with STARTS.open("a") as log:
            log.write("start\\n")
        await send({"type": "lifespan.startup.failed", "message": "no database"})


verifier = Verifier("Grill Chef", app=app, ignore_missing_states=True)
test_grill_chef = interaction_tests(verifier, "pacts")
"""
    )
    result = run(pytester)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["the verification of 'Grill Chef' could not run: *no database*"])
    assert (pytester.path / "starts.log").read_text() == "start\n"


# -- the consumer side: the pact fixture --------------------------------------------------------------

CONSUMER = """
import pytest

from apact import match

pytestmark = [pytest.mark.anyio, pytest.mark.pact("Sous Chef", "Grill Chef")]


@pytest.fixture
def anyio_backend():
    return "asyncio"


async def order(pact, cooking):
    response = await pact.client.post("/steaks/", json={"cooking": cooking})
    return response.status_code


async def test_medium_rare(pact):
    async with pact:
        (pact.given("steaks are available").upon_receiving("a request for a medium-rare steak")
             .with_request("POST", "/steaks/", body={"cooking": "medium-rare"})
             .will_respond_with(201, body={"waitingTime": match.integer(10)}))
        assert await order(pact, "medium-rare") == 201


@pytest.mark.pact(spec="V3")
class TestOlderConsumers:
    async def test_written_as_v3(self, pact):
        assert (pact.consumer, pact.provider, pact.spec.label) == ("Sous Chef", "Grill Chef", "V3")

    @pytest.mark.pact(consumer="Line Cook")
    async def test_another_consumer(self, pact):
        assert (pact.consumer, pact.spec.label) == ("Line Cook", "V3")
"""


def test_the_pact_fixture_shares_the_modules_settings_and_writes_the_pact(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_sous_chef_side=CONSUMER)
    run(pytester).assert_outcomes(passed=3)
    written = pactfile.load(pytester.path / "pacts" / "Sous Chef-Grill Chef.json")
    assert [i.description for i in written.interactions] == ["a request for a medium-rare steak"]
    assert written.spec.label == "V4"


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        (["--apact-pact-dir", "from-option"], "from-option"),
        (["--apact-pact-dir", "from-option", "env:from-env"], "from-option"),
        (["env:from-env", "ini:from-ini"], "from-env"),
        (["ini:from-ini"], "sub/from-ini"),
        ([], "pacts"),
    ],
)
def test_where_pacts_go_option_then_environment_then_ini_then_rootdir(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, how: list[str], expected: str
) -> None:
    pytester.makepyfile(test_sous_chef_side=CONSUMER)
    arguments = [word for word in how if ":" not in word]
    for word in how:
        if word.startswith("env:"):
            monkeypatch.setenv("APACT_PACT_DIR", word[4:])
        if word.startswith("ini:"):
            (pytester.path / "sub").mkdir()
            (pytester.path / "sub" / "pytest.ini").write_text(f"[pytest]\napact_pact_dir = {word[4:]}\n")
            arguments += ["-c", "sub/pytest.ini", "--rootdir", "."]
    if not any(word.startswith("env:") for word in how):
        monkeypatch.delenv("APACT_PACT_DIR", raising=False)
    run(pytester, *arguments, "test_sous_chef_side.py").assert_outcomes(passed=3)
    assert (pytester.path / expected / "Sous Chef-Grill Chef.json").exists()


def test_the_pact_fixture_without_settings_fails_saying_what_to_add(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_sous_chef_side="""
import pytest

def test_no_marker(pact):
    pass

@pytest.mark.pact("Sous Chef", "Grill Chef", overwrite=True)
def test_unknown_setting(pact):
    pass
"""
    )
    result = run(pytester)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "*the pact fixture needs a consumer and a provider: mark the test, its class or its module, "
            "e.g. pytestmark = pytest.mark.pact('Sous Chef', 'Grill Chef')",
            "*the pact marker does not take overwrite (it takes consumer, provider, spec, pact_dir, serve_http, cors)",
        ]
    )


def test_anyio_tests_on_both_backends_sit_beside_interaction_tests(pytester: pytest.Pytester) -> None:
    """anyio's plugin runs the consumer tests on asyncio and trio; the interaction tests
    (sync, on their own event loop) are not multiplied by the backends."""
    write_pact(pytester.path / "pacts", MEDIUM)
    pytester.makeconftest(
        """
import pytest

@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request):
    return request.param
"""
    )
    pytester.makepyfile(
        test_sous_chef_side=CONSUMER.replace('@pytest.fixture\ndef anyio_backend():\n    return "asyncio"\n', ""),
        test_grill_chef_side="import pytest\npytestmark = pytest.mark.anyio\n" + PROVIDER,
    )
    result = run(pytester, "-v", "--apact-pact-dir", "written")
    result.assert_outcomes(passed=7)
    result.stdout.fnmatch_lines(
        [
            "*test_grill_chef[[]Sous Chef :: a request for a medium-rare steak*PASSED*",
            "*test_medium_rare[[]trio]*PASSED*",
        ]
    )
    assert sum("::test_grill_chef[" in line for line in result.outlines) == 1  # not once per backend


# -- pytest-xdist ----------------------------------------------------------------------------------------


def test_under_xdist_pacts_merge_and_a_provider_is_verified_once(pytester: pytest.Pytester) -> None:
    """Two workers: twelve consumer tests in two modules write one pact file; the
    provider's interactions, run on both workers, are verified once (by whichever
    worker comes first, the other waiting for its result) and report their verdicts."""
    tests = "\n".join(
        f"""
async def test_{n}(pact):
    async with pact:
        (pact.upon_receiving("order MODULE {n}")
             .with_request("POST", "/steaks/", body={{"cooking": "MODULE {n}"}})
             .will_respond_with(201))
        assert (await pact.client.post("/steaks/", json={{"cooking": "MODULE {n}"}})).status_code == 201
"""
        for n in range(6)
    )
    header = 'import pytest\npytestmark = [pytest.mark.anyio, pytest.mark.pact("Sous Chef", "Grill Chef")]\n'
    header += '@pytest.fixture\ndef anyio_backend():\n    return "asyncio"\n'
    pytester.makepyfile(
        test_consumer_a=header + tests.replace("MODULE", "a"),
        test_consumer_b=header + tests.replace("MODULE", "b"),
        # collected first: xdist's first batches (two items each) put it on both workers
        test_a_provider=PROVIDER.replace('"pacts"', '"provider-pacts"'),
    )
    write_pact(pytester.path / "provider-pacts", MEDIUM, RARE, BROKEN, BLUE)
    result = run_subprocess(pytester, "-n", "2", "-v")
    result.assert_outcomes(passed=12 + 3, failed=1)
    provider_lines = [
        line for line in result.outlines if "test_a_provider.py::test_grill_chef" in line and "[gw" in line
    ]
    assert {line.split("]", 1)[0] for line in provider_lines} == {"[gw0", "[gw1"}, (
        provider_lines
    )  # both workers ran some
    assert sorted(orders(pytester)) == ["blue", "broken", "medium-rare", "rare"]  # ... but each was replayed once
    result.stdout.fnmatch_lines(
        ["*FAILED test_a_provider.py::test_grill_chef[[]Sous Chef :: a request for a broken steak*"]
    )
    written = pactfile.load(pytester.path / "pacts" / "Sous Chef-Grill Chef.json")
    assert sorted(i.description for i in written.interactions) == sorted(
        f"order {m} {n}" for m in "ab" for n in range(6)
    )


# -- the plugin stays light ---------------------------------------------------------------------------


def test_the_plugin_module_imports_only_the_standard_library_and_pytest_at_the_top() -> None:
    """It loads in every pytest session of every project that installs apact."""
    tree = ast.parse(PLUGIN.read_text())
    imported = []
    for node in tree.body:  # top level only: TYPE_CHECKING blocks and functions import lazily
        if isinstance(node, ast.Import):
            imported += [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.append(node.module.split(".")[0])
    assert imported and all(name in sys.stdlib_module_names or name in ("__future__", "pytest") for name in imported), (
        imported
    )
