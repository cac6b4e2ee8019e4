"""The commands CI pipelines rely on (issue 18): can-i-deploy's ``--retry-while-unknown``,
``--to``, ``--ignore`` and ``--to-environment``, undeploying, ending support, deleting;
each run by ``apact`` and by the official ``pact`` CLI on the same ``apact broker``
subprocess, over real HTTP, to check they give the same answers.

The broker's backend matters to the answers, not to the clients: the can-i-deploy
questions and the official client's undeployments run on SQLite and on PostgreSQL (the
``database`` fixture); the rest, slow for what they test of the clients (polling,
confirming, deleting; their broker side on both backends in tests/broker_server), on
SQLite only."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import anyio
import httpx
import pytest

from apact._core._serve import serve as serving

from .grill import grill, run_pact, sous_chef_pact, text, write_pact
from .pipeline_helpers import apact_broker, apact_command, environment, official_command, run, started

pytestmark = [pytest.mark.anyio, pytest.mark.parametrize("anyio_backend", ["asyncio"])]


async def _verify(broker: str, version: str, *, breaking: bool = False) -> None:
    """``pact verifier`` verifies the Sous Chef pact against the Grill Chef ``version``
    (failing with ``breaking``) and publishes the result."""
    async with serving(grill("ten" if breaking else 10)) as provider:
        verified = await run_pact(
            "verifier", "--broker-url", broker, "--provider-name", "Grill Chef",
            "--hostname", "127.0.0.1", "--port", provider.rsplit(":", 1)[1],
            "--state-change-url", f"{provider}/_pact/state",
            "--consumer-version-selectors", '{"latest": true}',
            "--publish", "--provider-version", version, "--no-colour",
        )  # fmt: skip
    assert verified.returncode == (1 if breaking else 0), text(verified)


async def _publish(broker: str, tmp_path: Path, version: str = "1.0.0") -> None:
    pact_file = write_pact(tmp_path, sous_chef_pact())
    published = await run(official_command("broker", "publish", str(pact_file), "-a", version, "-b", broker))
    assert published.returncode == 0, published.stdout


def _matrix_fetches(at_least: int) -> Callable[[str], bool]:
    """Whether the official client's log (``--log-level info``) shows so many matrix requests."""
    return lambda out: sum("Fetching path" in line and "/matrix?" in line for line in out.splitlines()) >= at_least


async def test_both_clients_wait_for_a_verification_that_arrives_while_they_poll(tmp_path: Path) -> None:
    """The done-when of issue 18: both can-i-deploy --retry-while-unknown are polling (seen
    in their output) when the provider's verification is published; both then say yes."""
    async with apact_broker(tmp_path / "broker.sqlite") as broker:
        await _publish(broker, tmp_path)
        ask = ("can-i-deploy", "--pacticipant", "Sous Chef", "--version", "1.0.0")
        polling = ("--retry-while-unknown", "200", "--retry-interval", "0.5")  # 100 s to publish in
        official_asks = official_command("broker", *ask, *polling, "--log-level", "info", "-b", broker)
        apact_asks = apact_command(*ask, *polling, "--broker-url", broker)
        async with started(official_asks, environment()) as official, started(apact_asks, environment()) as ours:
            # each has asked, found the verification missing, and asked again
            await official.until(_matrix_fetches(2), "the official client asking twice")
            await ours.until(lambda out: "asking again in 0.5s (retry 2 of 200)" in out, "apact asking twice")
            assert official.process.returncode is None and ours.process.returncode is None
            await _verify(broker, "2.0.0")
            official_status, our_status = await official.finished(), await ours.finished()
        assert official_status == 0, official.output
        assert "Computer says yes" in official.output
        assert _matrix_fetches(3)(official.output)  # it asked again after the result arrived
        assert our_status == 0, ours.output
        assert ours.output.rstrip().endswith("can-i-deploy: yes, Sous Chef version 1.0.0 can be deployed")
        assert "Sous Chef  1.0.0      Grill Chef  2.0.0      true" in ours.output


async def test_both_give_up_after_the_retries_when_nothing_arrives(tmp_path: Path) -> None:
    async with apact_broker(tmp_path / "broker.sqlite") as broker:
        await _publish(broker, tmp_path)
        ask = (
            "can-i-deploy",
            "-a",
            "Sous Chef",
            "-e",
            "1.0.0",
            "--retry-while-unknown",
            "2",
            "--retry-interval",
            "1",
        )
        answers: list[subprocess.CompletedProcess[str]] = []

        async def asks(command: list[str]) -> None:
            answers.append(await run(command))

        async with anyio.create_task_group() as tasks:  # side by side: each waits out its retries
            tasks.start_soon(asks, official_command("broker", *ask, "-b", broker))
            tasks.start_soon(asks, apact_command(*ask, "-b", broker))
        official, ours = sorted(answers, key=lambda done: done.args[0] != official_command()[0])
    assert (official.returncode, ours.returncode) == (1, 1), official.stdout + ours.stdout
    assert "Computer says no" in official.stdout
    assert ours.stdout.count("verification result is missing; asking again in 1s") == 2
    assert "can-i-deploy: no (unknown), Sous Chef version 1.0.0 cannot be deployed" in ours.stdout


async def test_to_ignore_and_to_environment_give_the_official_answers(tmp_path: Path, database: str) -> None:
    """Grill Chef 1.0.0 (tagged prod, deployed to production) verified the pact, 2.0.0
    (tagged dev, the latest) broke it: each question gets the same answer from both."""
    async with apact_broker(database) as broker:
        b = ("-b", broker)
        await _publish(broker, tmp_path)
        async with httpx.AsyncClient(base_url=broker) as client:  # the setup, straight through the API
            pact = (await client.get("/pacts/provider/Grill%20Chef/consumer/Sous%20Chef/version/1.0.0")).json()
            for version, success, tag in (("1.0.0", True, "prod"), ("2.0.0", False, "dev")):
                result = {"success": success, "providerApplicationVersion": version, "testResults": []}
                posted = await client.post(pact["_links"]["pb:publish-verification-results"]["href"], json=result)
                assert posted.status_code == 201, posted.text
                tagged = await client.put(f"/pacticipants/Grill%20Chef/versions/{version}/tags/{tag}", json={})
                assert tagged.status_code == 201, tagged.text
            production = (await client.post("/environments", json={"name": "production"})).json()["uuid"]
            path = f"/pacticipants/Grill%20Chef/versions/1.0.0/deployed-versions/environment/{production}"
            assert (await client.post(path, json={})).status_code == 201

        sous_chef = ("can-i-deploy", "--pacticipant", "Sous Chef", "--version", "1.0.0")
        cases: list[tuple[tuple[str, ...], tuple[str, ...], int]] = [
            ((), (), 1),  # against the latest Grill Chef: 2.0.0 failed
            (("--to", "prod"), ("--to", "prod"), 0),
            (("--to", "dev"), ("--to", "dev"), 1),
            (("--to-environment", "production"), ("--to-environment", "production"), 0),
            (("--ignore", "Grill Chef"), ("--ignore", "Grill Chef"), 0),
            (("--ignore", "Grill Chef", "--version", "2.0.0"), ("--ignore", "Grill Chef:2.0.0"), 0),
            (("--ignore", "Grill Chef", "--version", "1.0.0"), ("--ignore", "Grill Chef:1.0.0"), 1),
        ]
        answers: dict[tuple[str, ...], subprocess.CompletedProcess[str]] = {}

        async def ask(command: list[str]) -> None:
            answers[tuple(command)] = await run(command, timeout=100)

        async with anyio.create_task_group() as tasks:  # side by side: the questions only read
            for official_options, our_options, _ in cases:
                tasks.start_soon(ask, official_command("broker", *sous_chef, *official_options, *b))
                tasks.start_soon(ask, apact_command(*sous_chef, *our_options, *b))
            tasks.start_soon(ask, official_command("broker", *sous_chef, "--to-environment", "prodution", *b))
            tasks.start_soon(ask, apact_command(*sous_chef, "--to-environment", "prodution", *b))
            tasks.start_soon(ask, apact_command(*sous_chef, "--to", "prod", "--to-environment", "production", *b))
        for official_options, our_options, expected in cases:
            official = answers[tuple(official_command("broker", *sous_chef, *official_options, *b))]
            ours = answers[tuple(apact_command(*sous_chef, *our_options, *b))]
            assert official.returncode == expected, f"{official_options}: {official.stdout}"
            assert ours.returncode == expected, f"{our_options}: {ours.stdout}"
            verdict = "can-i-deploy: yes" if expected == 0 else "can-i-deploy: no"
            assert verdict in ours.stdout, f"{our_options}: {ours.stdout}"
        # the ignored row is shown, marked so, and the broker's "Ignoring" reason printed (as the official)
        ignoring = answers[tuple(apact_command(*sous_chef, "--ignore", "Grill Chef", *b))]
        assert "ignored, false" in ignoring.stdout and "Ignoring: The verification" in ignoring.stdout

        # an environment that does not exist: the broker says so, to both (apact exits 2: no answer)
        official = answers[tuple(official_command("broker", *sous_chef, "--to-environment", "prodution", *b))]
        ours = answers[tuple(apact_command(*sous_chef, "--to-environment", "prodution", *b))]
        message = "Environment with name 'prodution' does not exist"
        assert official.returncode == 1 and message in official.stdout, official.stdout
        assert ours.returncode == 2 and message in ours.stdout, ours.stdout
        both = answers[tuple(apact_command(*sous_chef, "--to", "prod", "--to-environment", "production", *b))]
        assert both.returncode == 2 and "not allowed with argument" in both.stdout


async def _currently(broker: str, kind: str) -> list[tuple[str, str | None]]:
    """(version, application instance) of each Grill Chef version currently deployed
    (``kind="deployed"``) or supported (``"released"``) in production."""
    async with httpx.AsyncClient(base_url=broker) as client:
        environments = (await client.get("/environments")).json()["_embedded"]["environments"]
        uuid = next(e["uuid"] for e in environments if e["name"] == "production")
        path = "deployed-versions/currently-deployed" if kind == "deployed" else "released-versions/currently-supported"
        found = (await client.get(f"/environments/{uuid}/{path}", params={"pacticipant": "Grill Chef"})).json()
    return sorted(
        (item["_embedded"]["version"]["number"], item.get("applicationInstance"))
        for item in found["_embedded"][f"{kind}Versions"]
    )


@pytest.mark.parametrize(
    ("client", "database"),
    [("official", "sqlite"), ("official", "postgresql"), ("apact", "sqlite")],
    indirect=["database"],
)
async def test_record_undeployment_and_support_ended(client: str, database: str) -> None:
    """The same commands through either client leave the broker in the same state and
    give the same verdicts (apact exits 2 where the official client exits 1: nothing to end)."""
    command = (lambda *args: official_command("broker", *args)) if client == "official" else apact_command
    failed = 1 if client == "official" else 2
    async with apact_broker(database) as broker:
        b = ("-b", broker)
        grill_chef = ("--pacticipant", "Grill Chef")
        for setup in (
            ("create-or-update-version", *grill_chef, "--version", "1.0.0"),
            ("create-or-update-version", *grill_chef, "--version", "1.0.1"),
            ("create-environment", "--name", "production"),
            ("record-deployment", *grill_chef, "--version", "1.0.0", "--environment", "production"),
            (
                "record-deployment", *grill_chef, "--version", "1.0.1", "--environment", "production",
                "--application-instance", "blue",
            ),
            ("record-release", *grill_chef, "--version", "1.0.0", "--environment", "production"),
            ("record-release", *grill_chef, "--version", "1.0.1", "--environment", "production"),
        ):  # fmt: skip
            done = await run(official_command("broker", *setup, *b))
            assert done.returncode == 0, done.stdout
        assert await _currently(broker, "deployed") == [("1.0.0", None), ("1.0.1", "blue")]

        undeployed = await run(command("record-undeployment", *grill_chef, "--environment", "production", *b))
        assert undeployed.returncode == 0, undeployed.stdout
        assert await _currently(broker, "deployed") == [("1.0.1", "blue")]  # only the one without an instance
        again = await run(command("record-undeployment", *grill_chef, "--environment", "production", *b))
        assert again.returncode == failed, again.stdout
        # only instance blue is deployed: which to undeploy must be said (the official client's words)
        assert "specify one of the following application instances to record the undeployment from: blue" in (
            again.stdout
        )
        blue = ("--application-instance", "blue")
        undeployed = await run(command("record-undeployment", *grill_chef, "--environment", "production", *blue, *b))
        assert undeployed.returncode == 0, undeployed.stdout
        assert await _currently(broker, "deployed") == []
        blue_again = await run(command("record-undeployment", *grill_chef, "--environment", "production", *blue, *b))
        assert blue_again.returncode == failed and "not currently deployed to production" in blue_again.stdout
        nowhere = await run(command("record-undeployment", *grill_chef, "--environment", "nowhere", *b))
        assert nowhere.returncode == failed and "nowhere" in nowhere.stdout, nowhere.stdout

        ended = await run(
            command("record-support-ended", *grill_chef, "--version", "1.0.0", "--environment", "production", *b)
        )
        assert ended.returncode == 0, ended.stdout
        assert await _currently(broker, "released") == [("1.0.1", None)]
        again = await run(
            command("record-support-ended", *grill_chef, "--version", "1.0.0", "--environment", "production", *b)
        )
        assert again.returncode == failed, again.stdout
    if client == "apact":
        assert undeployed.stdout == (
            "Recorded the undeployment of Grill Chef version 1.0.1 from production (application instance blue).\n"
        )
        assert ended.stdout == "Recorded the end of support of Grill Chef version 1.0.0 in production.\n"
        assert "Grill Chef version 1.0.0 is not currently released to production" in again.stdout


async def test_deleting_pacts_versions_and_pacticipants(tmp_path: Path) -> None:
    """apact deletes; the official CLI sees each thing gone (and the rest still there)."""
    async with apact_broker(tmp_path / "broker.sqlite") as broker:
        b = ("-b", broker)
        await _publish(broker, tmp_path, "1.0.0")
        await _publish(broker, tmp_path, "1.0.1")

        def official(*args: str) -> list[str]:
            return official_command("broker", *args, *b)

        pact_one = ("--consumer", "Sous Chef", "--version", "1.0.0", "--provider", "Grill Chef")
        refused = await run(apact_command("delete-pact", *pact_one, *b))  # no terminal, no --yes
        assert refused.returncode == 2
        assert "not deleting the pact between Sous Chef version 1.0.0 and Grill Chef without confirmation" in (
            refused.stdout
        )
        deleted = await run(apact_command("delete-pact", *pact_one, "--yes", *b))
        assert (deleted.returncode, deleted.stdout) == (
            0,
            "Deleted the pact between Sous Chef version 1.0.0 and Grill Chef.\n",
        )
        async with httpx.AsyncClient() as client:
            pacts = f"{broker}/pacts/provider/Grill%20Chef/consumer/Sous%20Chef/version"
            assert (await client.get(f"{pacts}/1.0.0")).status_code == 404
            assert (await client.get(f"{pacts}/1.0.1")).status_code == 200
        assert (
            await run(official("describe-version", "--pacticipant", "Sous Chef", "--version", "1.0.0"))
        ).returncode == 0
        again = await run(apact_command("delete-pact", *pact_one, "--yes", *b))
        assert again.returncode == 2 and "404" in again.stdout, again.stdout

        deleted = await run(apact_command("delete-version", "-a", "Sous Chef", "-e", "1.0.1", "-y", *b))
        assert deleted.returncode == 0, deleted.stdout
        gone = await run(official("describe-version", "--pacticipant", "Sous Chef", "--version", "1.0.1"))
        assert gone.returncode == 1 and "not found" in gone.stdout, gone.stdout
        listed = await run(official("list-latest-pact-versions"))
        assert "Sous Chef" not in listed.stdout  # no version publishes a pact any more

        deleted = await run(apact_command("delete-pacticipant", "-a", "Sous Chef", "--yes", *b))
        assert (deleted.returncode, deleted.stdout) == (0, "Deleted the pacticipant Sous Chef.\n")
        assert (await run(official("describe-pacticipant", "--name", "Sous Chef"))).returncode == 1
        assert (await run(official("describe-pacticipant", "--name", "Grill Chef"))).returncode == 0
        missing = await run(apact_command("delete-pacticipant", "-a", "Sous Chef", "--yes", *b))
        assert missing.returncode == 2 and "knows no pacticipant Sous Chef" in missing.stdout, missing.stdout


async def test_a_delete_on_a_terminal_asks_first(tmp_path: Path) -> None:
    """On a terminal (a pseudo-terminal here) the command asks; anything but y keeps the pacticipant."""
    import os
    import pty

    async with apact_broker(tmp_path / "broker.sqlite") as broker:
        await _publish(broker, tmp_path)

        def on_a_terminal(answer: bytes) -> tuple[int, str]:
            controller, terminal = pty.openpty()
            try:
                with subprocess.Popen(
                    apact_command("delete-pacticipant", "-a", "Grill Chef", "-b", broker),
                    stdin=terminal,
                    stdout=terminal,
                    stderr=terminal,
                ) as process:
                    os.close(terminal)
                    seen = b""
                    while b"[y/N]" not in seen:  # the question comes before the answer is typed
                        chunk = os.read(controller, 1024)
                        assert chunk, seen
                        seen += chunk
                    os.write(controller, answer)
                    try:
                        while chunk := os.read(controller, 1024):
                            seen += chunk
                    except OSError:  # the terminal closes when the process ends (Linux: EIO)
                        pass
                    return process.wait(timeout=60), seen.decode(errors="replace")
            finally:
                os.close(controller)

        status, said = await anyio.to_thread.run_sync(on_a_terminal, b"n\n")
        assert status == 2, said
        assert "Delete the pacticipant Grill Chef, with all its versions, pacts and verification results" in said
        assert "nothing deleted" in said
        assert (
            await run(official_command("broker", "describe-pacticipant", "--name", "Grill Chef", "-b", broker))
        ).returncode == 0
        status, said = await anyio.to_thread.run_sync(on_a_terminal, b"y\n")
        assert status == 0, said
        assert "Deleted the pacticipant Grill Chef." in said
        assert (
            await run(official_command("broker", "describe-pacticipant", "--name", "Grill Chef", "-b", broker))
        ).returncode == 1
