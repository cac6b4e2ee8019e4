"""The done-when flow of the broker work, with apact as the client: the Sous Chef's
consumer tests write the Grill Chef pact -> ``apact publish`` -> the Grill Chef verifies
the pacts from the broker and publishes the results -> ``apact can-i-deploy`` says yes;
then a breaking provider change -> the verification fails -> ``apact can-i-deploy``
says no, naming the consumer and the interaction.

It runs the README's broker section as written: its ``sh`` blocks' ``apact`` commands
as subprocesses (each ``text`` block must appear in the output of the block before it),
its Python blocks in one namespace, against ``apact broker`` over real HTTP.

Both flows run on SQLite and on PostgreSQL (the ``database`` fixture).
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path

import anyio
import anyio.to_thread
import pytest

from apact import Pact, match
from apact._core._serve import serve as serving
from apact.broker_server import create_app
from apact.broker_server._open import open_store
from apact.examples.sous_chef import GrillChefClient, NotServedError

from .test_client_command import APACT

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCK = re.compile(r"^```(sh|python|text)\n(.*?)^```", re.S | re.M)


def readme_section() -> list[tuple[str, str]]:
    """``(kind, code)`` of each block between ``<!-- broker:start -->`` and ``<!-- broker:end -->``."""
    text = README.read_text()
    section = text[text.index("<!-- broker:start -->") : text.index("<!-- broker:end -->")]
    return BLOCK.findall(section)


async def sous_chef_tests(pact_dir: Path) -> None:
    """The Sous Chef's consumer tests (README: "Writing a pact"); they write the pact."""
    async with Pact("Sous Chef", "Grill Chef", pact_dir=pact_dir) as pact:
        (
            pact.given("steaks are available")
            .upon_receiving("a request for a medium-rare steak")
            .with_request("POST", "/steaks/", body={"cooking": "medium-rare"})
            .will_respond_with(201, body={"waitingTime": match.integer(10)})
        )
        assert await GrillChefClient(pact.client).order("medium-rare") == 10
    async with Pact("Sous Chef", "Grill Chef", pact_dir=pact_dir) as pact:
        (
            pact.given("steaks are available")
            .upon_receiving("a request for a well-done steak")
            .with_request("POST", "/steaks/", body={"cooking": "well-done"})
            .will_respond_with(422, body={"reason": "we do not serve well-done steaks"})
        )
        with pytest.raises(NotServedError):
            await GrillChefClient(pact.client).order("well-done")


async def run_sh(code: str, env: dict[str, str], cwd: Path) -> str:
    """Each ``export`` and ``apact`` line of a README sh block; their output, checked
    against the exit status the line's comment promises (0 unless ``# exits N``)."""
    output = ""
    for line in code.splitlines():
        command, _, comment = line.partition("   #")
        words = shlex.split(command)
        if not words:
            continue
        if words[0] == "export":
            name, _, value = words[1].partition("=")
            if name != "PACT_BROKER_BASE_URL":  # the test's broker stands in for the README's
                env[name] = value
            continue
        assert words[0] == "apact", line
        with anyio.fail_after(60):
            done = await anyio.run_process([*APACT, *words[1:]], env=env, cwd=cwd, check=False)
        stdout, stderr = done.stdout.decode(), done.stderr.decode()
        promised = re.search(r"exits (\d)", comment)
        assert done.returncode == (int(promised.group(1)) if promised else 0), f"{line}\n{stdout}{stderr}"
        output += stdout
    return output


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_the_readme_broker_flow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database: str) -> None:
    blocks = readme_section()
    assert [kind for kind, _ in blocks] == ["sh", "text", "python", "sh", "text", "python", "sh", "text"]
    await sous_chef_tests(tmp_path / "pacts")
    assert (tmp_path / "pacts" / "Sous Chef-Grill Chef.json").exists()

    store = open_store(database)
    async with serving(create_app(store)) as url:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PACT_BROKER_")}
        env["PACT_BROKER_BASE_URL"] = url
        monkeypatch.setenv("PACT_BROKER_BASE_URL", url)  # for the Python blocks' BrokerClient()
        monkeypatch.chdir(tmp_path)
        namespace: dict[str, object] = {"__name__": "readme_broker"}
        output = ""
        for number, (kind, code) in enumerate(blocks):
            if kind == "sh":
                output = await run_sh(code, env, tmp_path)
            elif kind == "text":
                assert code in output, f"README block {number + 1} is not what the commands printed:\n{output}"
            else:  # the Python blocks call anyio.run: in a thread, as a script would
                await anyio.to_thread.run_sync(
                    exec, compile(code, f"README broker block {number + 1}", "exec"), namespace
                )

    with store.transaction() as tx:
        grill = tx.pacticipant("Grill Chef")
        assert grill is not None
        assert [(v.success, v.provider_version_id) for v in tx.verifications(provider_id=grill.id)] == [
            (True, tx.version(grill.id, "1.0.0").id),  # type: ignore[union-attr]
            (False, tx.version(grill.id, "2.0.0").id),  # type: ignore[union-attr]
        ]
    store.close()


def test_the_readme_section_shows_the_verdicts() -> None:
    """The flow above checks the section runs; this, that it still shows the point."""
    text = "".join(code for kind, code in readme_section() if kind == "text")
    assert "can-i-deploy: yes, Sous Chef version 1.0.0 can be deployed to production" in text
    assert "can-i-deploy: no, Grill Chef version 2.0.0 cannot be deployed to production" in text
    assert (
        "of Sous Chef and version 2.0.0 of Grill Chef failed; failed interactions: 'a request for a medium-rare steak'"
        in text
    )


GRILL_CHEF_MODULE = '''
"""The example Grill Chef with a state-change endpoint, for apact verify --app."""
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from apact.examples.grill_chef import Kitchen, make_app

kitchen = Kitchen()


async def change_state(request):
    change = await request.json()
    kitchen.steaks = 3 if change["action"] == "setup" else 0
    return JSONResponse({})


def grill_chef(waiting_time):
    cooking = make_app(kitchen, waiting_time=waiting_time)
    return Starlette(routes=[Route("/_pact/state", change_state, methods=["POST"]), Mount("", cooking)])


app = grill_chef(10)
broken = grill_chef("ten minutes")  # a string where the pact wants an integer
'''


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_the_flow_on_the_command_line(tmp_path: Path, database: str) -> None:
    """Every step after the consumer tests is an apact command in its own process:
    publish, verify --broker-url --publish, record-deployment, can-i-deploy (yes); a
    breaking provider change fails verify, and can-i-deploy says no, naming the consumer
    and the interaction."""
    await sous_chef_tests(tmp_path / "pacts")
    (tmp_path / "grill_chef_provider.py").write_text(GRILL_CHEF_MODULE)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PACT_BROKER_")}

    async def apact(*args: str, status: int = 0) -> str:
        command = [sys.executable, "-m", "apact", *args] if args[0] == "verify" else [*APACT, *args]  # see APACT
        with anyio.fail_after(60):
            done = await anyio.run_process(command, env=env, cwd=tmp_path, check=False)
        output = done.stdout.decode() + done.stderr.decode()
        assert done.returncode == status, f"{args}\n{output}"
        return output

    def verify(version: str, app: str, *selectors: str) -> list[str]:
        return [
            "verify", "--app", f"grill_chef_provider:{app}", "--app-dir", str(tmp_path), "--provider", "Grill Chef",
            "--state-change-url", "/_pact/state", "--enable-pending", "--provider-version", version,
            "--provider-branch", "main", "--publish", "--no-progress",
            *(option for selector in selectors for option in ("--consumer-version-selectors", selector)),
        ]  # fmt: skip

    store = open_store(database)
    async with serving(create_app(store)) as url:
        env["PACT_BROKER_BASE_URL"] = url
        await apact("create-environment", "--name", "production", "--production")
        published = await apact("publish", "pacts", "--consumer-app-version", "1.0.0", "--branch", "main")
        assert "Published the pact between Sous Chef version 1.0.0 and Grill Chef." in published

        verified = await apact(*verify("1.0.0", "app", '{"mainBranch": true}'))
        assert "This pact is in pending state for this version of Grill Chef" in verified  # the broker's notice
        assert "2 interactions: 2 passed, 0 failed" in verified
        assert (
            "Published the verification result of Sous Chef -> Grill Chef (success: true) for Grill Chef version 1.0.0"
        ) in verified
        assert "This pact is no longer in pending state" in verified
        for name in ("Grill Chef", "Sous Chef"):
            await apact("record-deployment", "--pacticipant", name, "--version", "1.0.0", "--environment", "production")
        yes = await apact(
            "can-i-deploy", "--pacticipant", "Sous Chef", "--version", "1.0.0", "--to-environment", "production"
        )
        assert "can-i-deploy: yes, Sous Chef version 1.0.0 can be deployed to production" in yes

        broken = await apact(
            *verify("2.0.0", "broken", '{"mainBranch": true}', '{"deployedOrReleased": true}'), status=1
        )
        assert '$.body.waitingTime: expected an integer (like 10), got "ten minutes" (string)' in broken
        assert "(success: false) for Grill Chef version 2.0.0" in broken
        no = await apact(
            "can-i-deploy",
            "--pacticipant",
            "Grill Chef",
            "--version",
            "2.0.0",
            "--to-environment",
            "production",
            status=1,
        )
        assert (
            "The verification of the pact between version 1.0.0 of Sous Chef and version 2.0.0 of Grill Chef failed; "
            "failed interactions: 'a request for a medium-rare steak'"
        ) in no
        assert "can-i-deploy: no, Grill Chef version 2.0.0 cannot be deployed to production" in no
    store.close()
