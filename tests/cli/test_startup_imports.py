"""``apact verify`` imports what verifying needs and nothing else (issue 14: the command
starts in well under a second). A real ``apact verify --base-url`` run, in a subprocess,
against a real HTTP server on loopback, that lists the modules it loaded once it is done;
and ``apact --help``, which imports no command's layer at all. Which modules were loaded
is a behaviour (no timing is asserted): a module named here slipping into the import
chain again is what made the command slow (the broker server, with Starlette and Jinja,
for ``apact broker``'s option defaults)."""

from __future__ import annotations

import importlib
import importlib.util
import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from apact.cli._imports import import_without

from ..hostile import server_process
from ..loopback import answering

#: runs ``apact`` with the arguments given, then prints the names of the modules loaded
_RUN_AND_LIST = """\
import sys, apact.cli
try:
    code = apact.cli.main(sys.argv[1:])
except SystemExit as stop:
    code = stop.code
print("MODULES", " ".join(sorted(sys.modules)))
sys.exit(code)
"""

#: the layers and packages ``apact verify --base-url`` (a pact file, no broker, no app) must not load
NOT_FOR_VERIFY = (
    "apact.broker",  # the broker client: only with --broker-url or --publish
    "apact.broker_server",
    "apact.consumer",
    "apact.mock",
    "apact.openapi",
    "apact.pytest_plugin",
    "apact.cli._broker_server",
    "apact.cli._stub",
    "apact.cli._openapi_check",
    "apact.cli._demo",
    "apact.cli._show",
    "starlette",
    "hypercorn",
    "jinja2",
    "jsonschema",
    "a2wsgi",  # only when a WSGI app is called in-process
    "sqlite3",
    "psycopg",
)


def loaded_by(*args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", _RUN_AND_LIST, *args], capture_output=True, text=True, timeout=120, check=False
    )
    line = next((line for line in done.stdout.splitlines() if line.startswith("MODULES ")), None)
    assert line is not None, done.stdout + done.stderr
    return done, set(line.split()[1:])


def loaded(modules: set[str], prefix: str) -> list[str]:
    return sorted(name for name in modules if name == prefix or name.startswith(prefix + "."))


def steak_server() -> AbstractContextManager[str]:
    """A provider on loopback that answers every GET with the steak the pact expects."""
    return answering(json.dumps({"id": 2, "cooking": "rare"}).encode())


def steak_pact(path: Path) -> Path:
    """One interaction with a type matcher and a regex: the matching engine at work."""
    path.write_text(
        json.dumps(
            {
                "consumer": {"name": "Sous Chef"},
                "provider": {"name": "Grill Chef"},
                "interactions": [
                    {
                        "type": "Synchronous/HTTP",
                        "description": "a rare steak",
                        "request": {"method": "GET", "path": "/steaks/2"},
                        "response": {
                            "status": 200,
                            "headers": {"Content-Type": ["application/json"]},
                            "body": {"contentType": "application/json", "content": {"id": 2, "cooking": "rare"}},
                            "matchingRules": {
                                "body": {
                                    "$.id": {"combine": "AND", "matchers": [{"match": "integer"}]},
                                    "$.cooking": {
                                        "combine": "AND",
                                        "matchers": [{"match": "regex", "regex": "rare|medium"}],
                                    },
                                }
                            },
                        },
                    }
                ],
                "metadata": {"pactSpecification": {"version": "4.0"}},
            }
        )
    )
    return path


def test_verify_over_http_loads_no_other_layer(tmp_path: Path) -> None:
    pact = steak_pact(tmp_path / "Sous Chef-Grill Chef.json")
    with steak_server() as url:
        done, modules = loaded_by("verify", str(pact), "--base-url", url, "--no-progress")
    assert done.returncode == 0, done.stdout + done.stderr  # it did verify, over real HTTP
    assert "1 passed" in done.stdout, done.stdout
    assert {"apact.verifier", "apact.matching", "httpx"} <= modules  # the list is the run's
    for name in NOT_FOR_VERIFY:
        assert not loaded(modules, name), (name, loaded(modules, name))


def test_a_failing_verification_still_loads_no_other_layer(tmp_path: Path) -> None:
    """A mismatch words its report (diffs, hints): still nothing of the other layers."""
    pact = steak_pact(tmp_path / "Sous Chef-Grill Chef.json")
    pact.write_text(pact.read_text().replace('"cooking": "rare"}', '"cooking": "well done"}'))
    pact.write_text(pact.read_text().replace("rare|medium", "well done"))
    with steak_server() as url:
        done, modules = loaded_by("verify", str(pact), "--base-url", url, "--no-progress")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "well done" in done.stdout, done.stdout
    for name in NOT_FOR_VERIFY:
        assert not loaded(modules, name), (name, loaded(modules, name))


def test_help_loads_no_layer() -> None:
    """``apact --help`` and ``apact verify --help`` list, they do not load what they list."""
    for args in (("--help",), ("verify", "--help")):
        done, modules = loaded_by(*args)
        assert done.returncode == 0, done.stderr
        assert "usage: apact" in done.stdout, done.stdout
        for name in ("apact.verifier", "apact.matching", "apact.pact", "httpx", "anyio", *NOT_FOR_VERIFY):
            assert not loaded(modules, name), (args, name, loaded(modules, name))


#: as `_RUN_AND_LIST`, for a server: the names go to the file ``$MODULES_FILE`` when it stops
_SERVE_AND_LIST = """\
import os, sys, apact.cli
try:
    code = apact.cli.main(sys.argv[1:])
except SystemExit as stop:
    code = stop.code
with open(os.environ["MODULES_FILE"], "w") as listed:
    listed.write(" ".join(sorted(sys.modules)))
sys.exit(code)
"""


@pytest.mark.parametrize("command", ["stub", "broker"])
def test_the_stub_and_the_broker_answer_without_loading_the_http_client(tmp_path: Path, command: str) -> None:
    """``apact stub`` of local files and ``apact broker`` (until it fires a webhook) need
    no HTTP client: httpx, with the command-line modules it imports when they are
    installed (click, rich, pygments), is a fifth of a second of their start-up, and of
    every test that starts one."""
    if command == "stub":
        arguments = ["stub", str(steak_pact(tmp_path / "Sous Chef-Grill Chef.json")), "--quiet"]
        path = "/steaks/2"
    else:
        arguments = ["broker", "--port", "0", "--database", str(tmp_path / "broker.sqlite")]
        path = "/diagnostic/status/heartbeat"
    listed = tmp_path / "modules.txt"
    with server_process(["-c", _SERVE_AND_LIST, *arguments], tmp_path, env={"MODULES_FILE": str(listed)}) as server:
        with urllib.request.urlopen(server.url + path, timeout=30) as answer:  # noqa: S310 (loopback)
            assert answer.status == 200
    modules = set(listed.read_text().split())  # written as it stopped (SIGTERM, as CI sends)
    assert {"apact.cli", "anyio"} <= modules  # the list is the run's
    assert not loaded(modules, "httpx"), loaded(modules, "httpx")


#: what the broker client's commands (publish, can-i-deploy, record-deployment...) must
#: not load: the verifier and the matching engine are a tenth of a second of each start
NOT_FOR_THE_BROKER_CLIENT = (
    "apact.verifier",
    "apact.matching",
    "apact.consumer",
    "apact.broker_server",
    "apact.openapi",
    "starlette",
    "hypercorn",
    "jinja2",
)


def test_a_broker_client_command_loads_neither_verifier_nor_matching(tmp_path: Path) -> None:
    """``apact can-i-deploy`` against a real broker: a question and its answer over HTTP,
    and nothing of the layers that verify (a pipeline runs such commands at every step)."""
    with server_process(["-m", "apact", "broker", "--port", "0", "--database", ":memory:"], tmp_path) as broker:
        done, modules = loaded_by("can-i-deploy", "--pacticipant", "Sous Chef", "--version", "1.0.0", "-b", broker.url)
    assert "Sous Chef" in done.stdout + done.stderr, done.stdout + done.stderr  # the broker's answer, said
    assert {"apact.broker.client", "httpx"} <= modules  # the list is the run's
    for name in NOT_FOR_THE_BROKER_CLIENT:
        assert not loaded(modules, name), (name, loaded(modules, name))


#: what httpx and httpcore import when installed, and apact's command line never uses
#: (apact/cli/_imports.py): about 0.15 s of each command's start
NOT_FOR_THE_COMMAND_LINE = ("httpx._main", "click", "rich", "pygments", "trio")


def test_verify_loads_neither_httpx_s_command_line_nor_trio(tmp_path: Path) -> None:
    """httpx imports its own command line (click, rich, pygments) and httpcore imports
    trio whenever they are installed; they are here (the test extras), and ``apact
    verify`` over real HTTP loads none of them."""
    for name in ("click", "rich", "pygments", "trio"):
        assert importlib.util.find_spec(name) is not None, f"{name} is installed with the test extras"
    pact = steak_pact(tmp_path / "Sous Chef-Grill Chef.json")
    with steak_server() as url:
        done, modules = loaded_by("verify", str(pact), "--base-url", url, "--no-progress")
    assert "1 passed" in done.stdout, done.stdout + done.stderr
    assert {"httpx", "httpcore"} <= modules  # it did send over HTTP
    for name in NOT_FOR_THE_COMMAND_LINE:
        assert not loaded(modules, name), (name, loaded(modules, name))


_TRIO_APP = """\
import json

import trio  # the command line holds trio back only while it imports httpx

BODY = json.dumps({"id": 2, "cooking": "rare", "trio": trio.__name__}).encode()


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": BODY})
"""


def test_an_app_verified_in_process_imports_trio_as_usual(tmp_path: Path) -> None:
    (tmp_path / "trio_kitchen.py").write_text(_TRIO_APP)
    pact = steak_pact(tmp_path / "Sous Chef-Grill Chef.json")
    done, modules = loaded_by(
        "verify", str(pact), "--app", "trio_kitchen:app", "--app-dir", str(tmp_path), "--no-progress"
    )
    assert "1 passed" in done.stdout, done.stdout + done.stderr
    assert "trio" in modules and "trio_kitchen" in modules


@pytest.fixture
def packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A directory on ``sys.path`` for made-up packages, forgotten afterwards."""
    monkeypatch.syspath_prepend(str(tmp_path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        del sys.modules[name]


def package(root: Path, name: str, init: str) -> None:
    (root / name).mkdir()
    (root / name / "__init__.py").write_text(init)
    (root / name / "_extra.py").write_text("thing = 'the extra'\n")


def test_an_optional_import_is_held_back_and_importable_afterwards(packages: Path) -> None:
    package(packages, "apact_guarded", "try:\n    from ._extra import thing\nexcept ImportError:\n    thing = None\n")
    import_without(["apact_guarded"], ["apact_guarded._extra"])
    guarded = sys.modules["apact_guarded"]
    assert guarded.thing is None and "apact_guarded._extra" not in sys.modules
    assert importlib.import_module("apact_guarded._extra").thing == "the extra"  # let go


def test_a_module_that_needs_it_is_imported_as_it_is(packages: Path) -> None:
    """Should httpx ever import its command line unguarded, the command line still runs."""
    package(packages, "apact_needy", "from ._extra import thing\n")
    import_without(["apact_needy"], ["apact_needy._extra"])
    assert sys.modules["apact_needy"].thing == "the extra"
    assert sys.modules["apact_needy._extra"] is not None


def test_a_module_already_imported_or_missing_is_what_import_makes_it(packages: Path) -> None:
    package(packages, "apact_early", "from ._extra import thing\n")
    early = importlib.import_module("apact_early")
    import_without(["apact_early"], ["apact_early._extra"])
    assert sys.modules["apact_early"] is early and sys.modules["apact_early._extra"] is not None
    with pytest.raises(ModuleNotFoundError):
        import_without(["apact_not_installed"], ["trio"])
    assert sys.modules.get("trio", "absent") is not None  # nothing left held back
