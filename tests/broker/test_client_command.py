"""The broker client's commands, run as real subprocesses against ``apact broker`` over
real HTTP: publish, create-environment, record-deployment, record-release,
can-i-deploy; and the broker options of ``apact verify``. The broker, on SQLite, only
serves the commands here: its answers are tested on both backends in tests/broker_server
(and the whole flow in test_client_flow.py)."""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
from pathlib import Path

import anyio
import httpx
import pytest

from apact._core._serve import serve as serving
from apact._core._types import Receive, Scope, Send
from apact.broker_server import SqliteStore, create_app
from apact.cli import _broker_client as command
from apact.examples import GRILL_CHEF_PACT

from .client_helpers import grill_chef_verifier
from .grill import write_pact

pytestmark = [pytest.mark.anyio, pytest.mark.parametrize("anyio_backend", ["asyncio"])]


def _apact() -> list[str]:
    """``python -m apact`` once ``apact/cli/__init__.py`` offers the broker client's commands;
    until then, their own module (``python -m apact.cli._broker_client publish ...``)."""
    from apact.cli import _parser

    (subcommands,) = (a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    wired = all(each.name in subcommands.choices for each in command.COMMANDS)
    return [sys.executable, "-m", "apact" if wired else "apact.cli._broker_client"]


#: how to run ``apact publish``, ``apact can-i-deploy``, ...
APACT = _apact()


async def apact(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command with no PACT_BROKER_* variables but those in ``env``."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PACT_BROKER_")}
    with anyio.fail_after(60):
        done = await anyio.run_process([*APACT, *args], env={**environment, **(env or {})}, check=False)
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(), done.stderr.decode())


async def test_publish_record_and_can_i_deploy(tmp_path: Path) -> None:
    store = SqliteStore()
    async with serving(create_app(store)) as url:
        b = ("--broker-url", url)
        created = await apact("create-environment", "--name", "production", "--production", *b)
        assert created.returncode == 0, created.stderr
        assert created.stdout.startswith("Created the production environment production (uuid ")

        published = await apact(
            "publish", str(GRILL_CHEF_PACT), "--consumer-app-version", "1.0.0", "--branch", "main",
            "--tag", "dev", "--build-url", "https://ci/1", *b,
        )  # fmt: skip
        assert published.returncode == 0, published.stderr
        assert published.stdout == (
            "Created Sous Chef version 1.0.0 on branch main with tags dev.\n"
            "Published the pact between Sous Chef version 1.0.0 and Grill Chef.\n"
        )
        deployed = await apact("record-deployment", "-a", "Sous Chef", "-e", "1.0.0", "--environment", "production", *b)
        assert deployed.returncode == 0, deployed.stderr
        assert deployed.stdout == "Recorded the deployment of Sous Chef version 1.0.0 to production.\n"

        unknown = await apact(
            "can-i-deploy", "--pacticipant", "Sous Chef", "--version", "1.0.0", "--to-environment", "production", *b
        )
        assert unknown.returncode == 1, unknown.stderr  # Grill Chef has not verified it yet
        assert "can-i-deploy: no (unknown)" in unknown.stdout

        async with command.client_from(
            argparse.Namespace(broker_url=url, broker_token=None, broker_username=None, broker_password=None)
        ) as broker:
            pacts = await broker.pacts_for_verification("Grill Chef")
            result = await grill_chef_verifier().verify(*pacts.sources)
            await broker.publish_verification_results(result, provider_version="2.0.0", branch="main")
        deployed = await apact(
            "record-deployment", "--pacticipant", "Grill Chef", "--version", "2.0.0", "--environment", "production",
            "--application-instance", "blue", *b,
        )  # fmt: skip
        assert deployed.returncode == 0, deployed.stderr
        yes = await apact("can-i-deploy", "-a", "Sous Chef", "-e", "1.0.0", "--to-environment", "production", *b)
        assert yes.returncode == 0, yes.stdout + yes.stderr
        assert yes.stdout == (
            "CONSUMER   C.VERSION  PROVIDER    P.VERSION  SUCCESS?\n"
            "Sous Chef  1.0.0      Grill Chef  2.0.0      true\n"
            "\n"
            "All required verification results are published and successful\n"
            "\n"
            "can-i-deploy: yes, Sous Chef version 1.0.0 can be deployed to production\n"
        )
        by_branch = await apact("can-i-deploy", "--pacticipant", "Sous Chef", "--branch", "main", *b)
        assert by_branch.returncode == 0, by_branch.stdout
        released = await apact(
            "record-release", "--pacticipant", "Sous Chef", "--version", "1.0.0", "--environment", "production", *b
        )
        assert released.stdout == "Recorded the release of Sous Chef version 1.0.0 to production.\n"

        missing = await apact("record-release", "-a", "Sous Chef", "-e", "9.9.9", "--environment", "production", *b)
        assert missing.returncode == 2
        assert missing.stderr.startswith(
            "apact record-release: error: could not record the release of Sous Chef version 9.9.9"
        )
    store.close()


async def test_the_environment_variables_and_credentials_kept_secret(tmp_path: Path) -> None:
    app = create_app(SqliteStore(), token="s3cret-token", username="chef", password="grill-pass")
    async with serving(app) as url:
        ok = await apact(
            "create-environment",
            "--name",
            "test",
            env={"PACT_BROKER_BASE_URL": url, "PACT_BROKER_TOKEN": "s3cret-token"},
        )
        assert ok.returncode == 0, ok.stderr
        basic = await apact(
            "publish", str(GRILL_CHEF_PACT), "-a", "1",
            env={"PACT_BROKER_BASE_URL": url, "PACT_BROKER_USERNAME": "chef", "PACT_BROKER_PASSWORD": "grill-pass"},
        )  # fmt: skip
        assert basic.returncode == 0, basic.stderr
        options = await apact("create-environment", "--name", "uat", "-b", url, "-u", "chef", "-p", "grill-pass")
        assert options.returncode == 0, options.stderr

        wrong = await apact("create-environment", "--name", "dev", "-b", url, "--broker-token", "not-the-token")
        assert wrong.returncode == 2
        assert "answered 401 Unauthorized" in wrong.stderr
        assert "the broker refused the bearer token given: check it" in wrong.stderr
        in_url = url.replace("http://", "http://chef:wrong-pass@")
        wrong_basic = await apact("create-environment", "--name", "dev", "-b", in_url)
        assert wrong_basic.returncode == 2 and "401" in wrong_basic.stderr
        for result in (wrong, wrong_basic):
            assert "not-the-token" not in result.stdout + result.stderr
            assert "wrong-pass" not in result.stdout + result.stderr


async def test_usage_errors(tmp_path: Path) -> None:
    no_version = await apact("publish", str(GRILL_CHEF_PACT), "-b", "http://127.0.0.1:1")
    assert no_version.returncode == 2 and "--consumer-app-version" in no_version.stderr
    no_url = await apact("publish", str(GRILL_CHEF_PACT), "-a", "1")
    assert no_url.returncode == 2
    assert no_url.stderr == (
        "apact publish: error: no Pact Broker URL: pass base_url= (--broker-url) or set PACT_BROKER_BASE_URL\n"
    )
    bad = write_pact(tmp_path, {"consumer": {"name": "A"}, "provider": {"name": "B"}, "interactions": 3}, "bad.json")
    invalid = await apact("publish", str(bad), "-a", "1", "-b", "http://127.0.0.1:1")
    assert invalid.returncode == 2 and invalid.stderr.startswith(f"apact publish: error: cannot read a pact: {bad}")
    neither = await apact("can-i-deploy", "--pacticipant", "Sous Chef", "-b", "http://127.0.0.1:1")
    assert neither.returncode == 2 and "one of the arguments --version/-e --branch is required" in neither.stderr
    helped = await apact("can-i-deploy", "--help")
    assert "PACT_BROKER_TOKEN" in helped.stdout and "apact can-i-deploy --pacticipant 'Grill Chef'" in helped.stdout


@pytest.mark.parametrize("kind", ["deep", "redirect loop"])
async def test_a_broker_answering_what_no_pact_broker_does_is_one_line_not_a_traceback(kind: str) -> None:
    """Over real HTTP, for the commands that read the index first and for apact verify."""

    async def misbehaving(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if kind == "deep":
            headers, body = [(b"content-type", b"application/hal+json")], b"[" * 100_000 + b"]" * 100_000
            await send({"type": "http.response.start", "status": 200, "headers": headers})
        else:
            location = scope["path"].encode()
            await send({"type": "http.response.start", "status": 302, "headers": [(b"location", location)]})
            body = b""
        await send({"type": "http.response.body", "body": body})

    said = "JSON nested too deep to read" if kind == "deep" else "it redirected more than 20 times"
    async with serving(misbehaving) as url:
        for arguments in (
            ["can-i-deploy", "--pacticipant", "Sous Chef", "--version", "1", "--to-environment", "production"],
            ["record-deployment", "--pacticipant", "Sous Chef", "--version", "1", "--environment", "production"],
            ["verify", "--provider", "Grill Chef", "--base-url", "http://127.0.0.1:9"],
        ):
            done = await apact(*arguments, "--broker-url", url)
            assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
            (line,) = done.stderr.splitlines()
            assert line.startswith(f"apact {arguments[0]}: error: could not "), line
            assert said in line


# -- apact verify's broker options --------------------------------------------------------------------------


def verify_args(*argv: str) -> argparse.Namespace:
    """Parse ``argv`` as ``apact verify`` would, with the broker options added."""
    parser = argparse.ArgumentParser()
    parser.add_argument("sources", nargs="*")
    parser.add_argument("--provider")
    command.add_verify_arguments(parser)
    return parser.parse_args(argv)


async def test_verify_options_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PACT_BROKER_BASE_URL", raising=False)
    check = command.check_verify_arguments
    assert check(verify_args("pacts/")) is None
    assert check(verify_args("--broker-url", "http://b", "--provider", "Grill Chef")) is None
    assert (
        check(verify_args("--broker-url", "http://b"))
        == "give --provider NAME: the broker is asked for that provider's pacts"
    )
    assert check(verify_args("pacts/", "--publish")) == (
        "--publish sends the results to a Pact Broker: give --broker-url (or set PACT_BROKER_BASE_URL)"
    )
    assert check(verify_args("--broker-url", "http://b", "--provider", "P", "--publish")) == (
        "--publish needs --provider-version (the commit SHA is a good one)"
    )
    bad = verify_args(
        "--broker-url", "http://b", "--provider", "P", "--consumer-version-selectors", "{mainBranch: true}"
    )
    assert (check(bad) or "").startswith("--consumer-version-selectors '{mainBranch: true}' is not JSON")
    listed = verify_args(
        "--consumer-version-selectors", '[{"mainBranch": true}, {"deployedOrReleased": true}]',
        "--consumer-version-selectors", '{"branch": "feat/x"}',
    )  # fmt: skip
    assert command.selectors_from(listed) == [{"mainBranch": True}, {"deployedOrReleased": True}, {"branch": "feat/x"}]
    assert not command.wants_broker(verify_args("pacts/"))
    assert not command.wants_broker(verify_args())
    assert command.wants_broker(verify_args("--broker-url", "http://b"))
    # a pact URL (from a webhook) and --broker-url: verify that pact, publish to the broker
    webhook = verify_args("http://b/pacts/x", "--broker-url", "http://b", "--provider-version", "1", "--publish")
    assert not command.wants_broker(webhook) and check(webhook) is None
    monkeypatch.setenv("PACT_BROKER_BASE_URL", "http://b")
    assert command.wants_broker(verify_args("--provider", "P"))  # the variable, and no pact files
    assert not command.wants_broker(verify_args("pacts/"))
    assert check(verify_args("pacts/", "--publish", "--provider-version", "1")) is None


async def test_pact_urls_on_the_broker_get_its_credentials_and_no_other(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PACT_BROKER_BASE_URL", "PACT_BROKER_TOKEN", "PACT_BROKER_USERNAME", "PACT_BROKER_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    seen: dict[str, str | None] = {}

    def handle(request: httpx.Request) -> httpx.Response:
        seen[str(request.url)] = request.headers.get("Authorization")
        return httpx.Response(200, content=GRILL_CHEF_PACT.read_bytes())

    assert command.pact_url_auth(verify_args("pacts/")) is None
    auth = command.pact_url_auth(verify_args("--broker-url", "https://broker.example:8443", "--broker-token", "t0k"))
    monkeypatch.setenv("PACT_BROKER_BASE_URL", "http://broker")
    monkeypatch.setenv("PACT_BROKER_USERNAME", "chef")
    monkeypatch.setenv("PACT_BROKER_PASSWORD", "grill")
    basic = command.pact_url_auth(verify_args())
    async with httpx.AsyncClient(transport=httpx.MockTransport(handle)) as client:
        for url in ("https://broker.example:8443/pacts/1", "https://broker.example/pacts/2", "http://elsewhere/p"):
            await client.get(url, auth=auth)
        await client.get("http://broker/pacts/3", auth=basic)
    assert seen == {
        "https://broker.example:8443/pacts/1": "Bearer t0k",
        "https://broker.example/pacts/2": None,  # another port
        "http://elsewhere/p": None,
        "http://broker/pacts/3": "Basic Y2hlZjpncmlsbA==",
    }


async def test_verify_fetches_from_the_broker_and_publishes() -> None:
    """What ``apact verify --broker-url ... --publish`` does around the verification."""
    store = SqliteStore()
    async with serving(create_app(store)) as url:
        async with command.client_from(verify_args("--broker-url", url)) as broker:
            await broker.publish_pacts([GRILL_CHEF_PACT], consumer_version="1", branch="main")
        args = verify_args(
            "--broker-url", url, "--provider", "Grill Chef", "--consumer-version-selectors", '{"mainBranch": true}',
            "--enable-pending", "--include-wip-pacts-since", "2020-01-01", "--provider-version", "7",
            "--provider-branch", "main", "--provider-tag", "prod", "--publish", "--build-url", "https://ci/7",
        )  # fmt: skip
        assert command.check_verify_arguments(args) is None
        out = io.StringIO()
        fetched = await command.fetch_for_verification(args, "Grill Chef", out)
        assert [p.pending for p in fetched.pacts] == [True]
        result = await grill_chef_verifier().verify(*fetched.sources)
        published = await command.publish_verification(args, result, fetched, out)
        assert published is not None and [p.success for p in published.published] == [True]
        assert out.getvalue() == (
            "Published the verification result of Sous Chef -> Grill Chef (success: true) for Grill Chef version 7\n"
            "This pact is no longer in pending state for a version of Grill Chef from branch 'main': a successful "
            "verification result has been published. From now on, a failing verification fails the build.\n"
        )
        nobody = io.StringIO()
        assert (await command.fetch_for_verification(verify_args("--broker-url", url), "Nobody", nobody)).pacts == ()
        assert (
            nobody.getvalue() == "The broker knows no pacticipant 'Nobody': no pact with this provider was published.\n"
        )
    with store.transaction() as tx:
        provider = tx.pacticipant("Grill Chef")
        assert provider is not None
        (version,) = tx.versions(provider.id)
        assert (version.number, version.branches, version.tags) == ("7", ("main",), ("prod",))
    store.close()
