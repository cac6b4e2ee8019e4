"""The done-when flow of the broker work, with apact as the client: the Sous Chef's
consumer tests write the Grill Chef pact -> ``apact publish`` -> the Grill Chef verifies
the pacts from the broker and publishes the results -> ``apact can-i-deploy`` says yes;
then a breaking provider change -> the verification fails -> ``apact can-i-deploy``
says no, naming the consumer and the interaction.

It runs the README's broker section as written: its ``sh`` blocks' ``apact`` commands
as subprocesses (each ``text`` block must appear in the output of the block before it),
its Python blocks in one namespace, against ``apact broker`` over real HTTP.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import anyio
import anyio.to_thread
import pytest

from apact import Pact, match
from apact._serve import serve as serving
from apact.broker.server import SqliteStore, create_app
from apact.examples.sous_chef import GrillChefClient, NotServed

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
        with pytest.raises(NotServed):
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
async def test_the_readme_broker_flow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = readme_section()
    assert [kind for kind, _ in blocks] == ["sh", "text", "python", "sh", "text", "python", "sh", "text"]
    await sous_chef_tests(tmp_path / "pacts")
    assert (tmp_path / "pacts" / "Sous Chef-Grill Chef.json").exists()

    store = SqliteStore(str(tmp_path / "broker.sqlite"))
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
