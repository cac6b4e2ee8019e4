"""Verifying over real HTTP: a running server (base URL), pacts fetched from URLs, and
servers apact starts itself, including ones that fail to start, crash or get cancelled."""

from __future__ import annotations

import math
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from apact._core import _answers
from apact._core._serve import serve
from apact.errors import PactFileError, ProviderStartError
from apact.examples import GRILL_CHEF_PACT
from apact.verifier import Verifier
from apact.verifier._sources import load_sources

from ..loopback import unending
from . import verifier_app
from .verifier_helpers import alive, app_command, app_env, interaction, pact, served

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with served() as url:
        yield url


def with_states(verifier: Verifier) -> Verifier:
    verifier.state("steaks are available")(lambda: None)
    return verifier


async def test_a_running_server_at_a_base_url(base_url: str) -> None:
    result = await with_states(Verifier("Grill Chef", base_url=base_url)).verify(GRILL_CHEF_PACT)
    result.assert_ok()
    assert result.target == base_url


async def test_a_base_url_with_a_path_prefixes_the_requests(base_url: str) -> None:
    result = await with_states(Verifier("Grill Chef", base_url=base_url + "/api")).verify(GRILL_CHEF_PACT)
    assert [m.message for r in result.interactions for m in r.mismatches][0].startswith("expected status 201, got 404")


async def test_pacts_from_urls_with_basic_and_bearer_auth(base_url: str) -> None:
    verifier = with_states(Verifier("Grill Chef", base_url=base_url))
    (await verifier.verify(f"{base_url}/pacts/basic", auth=("user", "secret"))).assert_ok()
    result = await verifier.verify(f"{base_url}/pacts/token", auth="t0ken")
    result.assert_ok()
    assert result.pacts[0].source == f"{base_url}/pacts/token"
    with pytest.raises(
        PactFileError, match=r"/pacts/basic: cannot fetch the pact: HTTP 401 \(check the credentials: auth=\)"
    ):
        await verifier.verify(f"{base_url}/pacts/basic", auth=("user", "wrong"))


async def test_a_state_change_url_gets_setup_and_teardown_and_its_values_are_used(base_url: str) -> None:
    async with httpx.AsyncClient() as client:
        before = len((await client.get(f"{base_url}/_pact/states")).json())
    generated = interaction(
        "a steak",
        "/steaks/",
        method="POST",
        request_body={"cooking": "rare", "id": 1},
        status=201,
        body={"waitingTime": 10},
        states=[{"name": "a steak exists", "params": {"cut": "rib-eye"}}],
    )
    generated["request"]["generators"] = {"body": {"$.id": {"type": "ProviderState", "expression": "${steakId}"}}}
    verifier = Verifier("Grill Chef", base_url=base_url, state_change_url=f"{base_url}/_pact/state")
    (await verifier.verify(pact(generated))).assert_ok()
    async with httpx.AsyncClient() as client:
        changes = (await client.get(f"{base_url}/_pact/states")).json()[before:]
    assert changes == [
        {"action": "setup", "params": {"cut": "rib-eye"}, "state": "a steak exists"},
        {"action": "teardown", "params": {"cut": "rib-eye"}, "state": "a steak exists"},
    ]


async def test_a_slow_server_times_out(base_url: str) -> None:
    result = await Verifier("Grill Chef", base_url=base_url, request_timeout=0.2).verify(
        pact(interaction("slow", "/slow"))
    )
    (error,) = result.interactions[0].errors
    assert (error.kind, error.message) == ("timeout", "no response to GET /slow within 0.2 s")


async def test_nothing_listening_is_a_transport_error() -> None:
    result = await with_states(Verifier("Grill Chef", base_url="http://127.0.0.1:9")).verify(GRILL_CHEF_PACT)
    error = result.interactions[0].errors[0]
    assert error.kind == "transport"
    assert error.message.startswith("cannot send POST /steaks/ to http://127.0.0.1:9: ConnectError")


# -- servers apact starts ------------------------------------------------------------------------------


def started(**options: Any) -> Verifier:  # noqa: ANN401
    options.setdefault("command", app_command())
    options.setdefault("env", app_env())
    options.setdefault("readiness_url", "/health")
    return with_states(Verifier("Grill Chef", **options))


async def test_a_started_server_is_verified_and_stopped(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    # a string command is split as a shell would split it
    verifier = started(command=" ".join(app_command()), env=app_env(PID_FILE=str(pid_file)))
    result = await verifier.verify(GRILL_CHEF_PACT)
    result.assert_ok()
    assert result.target.startswith("http://127.0.0.1:") and "(started: " in result.target
    assert not alive(int(pid_file.read_text()))


async def test_a_broken_started_server_fails_verification_and_is_stopped() -> None:
    result = await started(env=app_env(BROKEN="1")).verify(GRILL_CHEF_PACT)
    assert [r.status for r in result.interactions] == ["failed", "failed"]


async def test_a_server_that_cannot_start_shows_its_output() -> None:
    verifier = started(command=app_command(module="no_such_module:app"), startup_timeout=20)
    with pytest.raises(ProviderStartError) as caught:
        await verifier.verify(GRILL_CHEF_PACT)
    message = str(caught.value)
    assert "the provider server exited with code" in message and "before it was ready" in message
    assert "no_such_module" in message.split("output:", 1)[1]


async def test_a_server_that_never_gets_ready_is_killed(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    script = f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); print('warming up', flush=True); time.sleep(60)"
    verifier = started(command=[sys.executable, "-c", script, "{port}"], startup_timeout=1.0)
    with pytest.raises(ProviderStartError) as caught:
        await verifier.verify(GRILL_CHEF_PACT)
    assert "did not become ready within 1 s" in str(caught.value)
    assert "warming up" in str(caught.value)
    assert not alive(int(pid_file.read_text()))


async def test_a_server_that_ignores_sigterm_is_killed_after_the_grace_period(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    script = (
        "import os, signal, sys\n"
        f"open({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "sys.argv = ['hypercorn', 'verifier_app:app', '--bind', '127.0.0.1:' + sys.argv[1]]\n"
        "from hypercorn.__main__ import main\n"
        "main()\n"
    )
    verifier = started(command=[sys.executable, "-c", script, "{port}"], stop_timeout=0.2)
    (await verifier.verify(GRILL_CHEF_PACT)).assert_ok()
    assert not alive(int(pid_file.read_text()))


async def test_a_server_crashing_during_verification_fails_it_with_its_output() -> None:
    crash = interaction("a request that sets the grill on fire", "/crash", method="POST", status=200)
    after = interaction(
        "a request after the fire", "/steaks/", method="POST", request_body={"cooking": "rare"}, status=201
    )
    verifier = started(concurrency=1)
    with anyio.fail_after(30), pytest.raises(ProviderStartError) as caught:
        await verifier.verify(pact(crash, after))
    message = str(caught.value)
    assert "the provider server (pid " in message and ") exited with code " in message
    assert "during the verification, leaving without an answer 'a request that sets the grill on fire'" in message
    assert "the grill is on fire" in message.split("output:", 1)[1] and "crashing now" in message
    # what was verified before it died comes with the error: the rest was not run
    result = caught.value.result
    assert result is not None
    first, second = result.interactions
    assert first.status == "failed" and first.errors[0].kind == "transport"
    assert second.status in ("failed", "skipped")  # its request was sent, or not, when the exit was noticed
    if second.status == "skipped":
        assert second.reason == "not run: the provider server exited"


async def test_cancelling_a_verification_stops_the_server(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    verifier = Verifier(
        "Grill Chef", command=app_command(), env=app_env(PID_FILE=str(pid_file)), readiness_url="/health"
    )
    in_state = anyio.Event()

    @verifier.state("steaks are available")
    async def hang() -> AsyncIterator[None]:
        in_state.set()
        await anyio.sleep_forever()
        yield  # pragma: no cover

    with anyio.fail_after(30):
        async with anyio.create_task_group() as group:
            group.start_soon(verifier.verify, GRILL_CHEF_PACT)
            await in_state.wait()
            pid = int(pid_file.read_text())
            assert alive(pid)
            group.cancel_scope.cancel()
    assert not alive(pid)


@pytest.mark.parametrize("target", ["in-process", "started"])
async def test_an_on_result_callback_that_raises_ends_the_run_with_its_own_exception(target: str) -> None:
    """Whatever the target, the callback's exception comes out as itself (not in an
    exception group), and a started server is stopped all the same."""

    def progress(result: object, done: int, total: int) -> None:
        raise LookupError(f"no progress bar for {done} of {total}")

    verifier = started() if target == "started" else with_states(Verifier("Grill Chef", app=verifier_app.app))
    with pytest.raises(LookupError, match="no progress bar for 1 of 2"):
        await verifier.verify(GRILL_CHEF_PACT, on_result=progress)


async def test_a_command_without_a_port_needs_a_base_url() -> None:
    with pytest.raises(ValueError, match=r"no \{port\} placeholder"):
        Verifier("Grill Chef", command="hypercorn app:app")
    Verifier("Grill Chef", command="hypercorn app:app --bind 127.0.0.1:8000", base_url="http://127.0.0.1:8000")


@pytest.mark.parametrize(
    ("options", "said"),
    [
        # each was taken, and every interaction then failed on its own with a transport error
        ({"base_url": "notaurl"}, "base_url='notaurl' is not an http:// or https:// URL"),
        ({"base_url": "ftp://grill/"}, "base_url='ftp://grill/' is not an http:// or https:// URL"),
        ({"base_url": "http://[::1"}, "base_url='http://[::1' is not a URL: Invalid IPv6 URL"),
        ({"base_url": "http://"}, "base_url='http://' has no host"),
        ({"base_url": "http://x", "state_change_url": "grill/state"}, "state_change_url='grill/state' is not an"),
        ({"message_url": "localhost:9/messages"}, "message_url='localhost:9/messages' is not an http:// or"),
        ({"base_url": "http://x", "request_timeout": math.nan}, "request_timeout must be positive, got nan"),
        ({"command": "run {port}", "startup_timeout": math.nan}, "startup_timeout must be positive, got nan"),
        ({"command": "run {port}", "stop_timeout": -1.0}, "stop_timeout must be positive, got -1.0"),
    ],
)
async def test_a_url_or_a_timeout_that_cannot_work_is_refused_when_the_verifier_is_made(
    options: dict[str, Any], said: str
) -> None:
    with pytest.raises(ValueError) as refused:
        Verifier("Grill Chef", **options)
    assert str(refused.value).startswith(said), str(refused.value)


async def test_urls_that_work_are_taken() -> None:
    Verifier("Grill Chef", base_url="http://127.0.0.1:8000/api", state_change_url="/_pact/state")
    Verifier("Grill Chef", base_url="https://[::1]:8443", message_url="http://127.0.0.1:9/messages")
    Verifier("Grill Chef", command="hypercorn app:app --bind 127.0.0.1:{port}", base_url="http://127.0.0.1:{port}/api")
    Verifier("Grill Chef", base_url="http://x", request_timeout=math.inf)  # (no deadline)


async def test_one_target_only() -> None:
    with pytest.raises(ValueError, match="give one target"):
        Verifier("Grill Chef", app=object(), base_url="http://x")  # type: ignore[arg-type]
    Verifier("Grill Chef")  # for messages only (test_messages_provider.py verifies HTTP interactions with no target)
    with pytest.raises(ValueError, match="is a path on the target, and this Verifier has none"):
        Verifier("Grill Chef", state_change_url="/_pact/state")


async def test_a_pact_url_whose_answer_never_comes_whole_is_an_error_not_a_hang() -> None:
    """httpx's timeout bounds each read: a server trickling the pact a byte at a time
    held the run (and a CI job) for ever; the whole answer must come within the timeout."""
    async with serve(unending("trickled")) as url:
        with pytest.raises(PactFileError) as caught:
            await load_sources([url + "/pact.json"], timeout=1)
    assert str(caught.value) == f"{url}/pact.json: cannot fetch the pact: no whole answer within 1 s"


@pytest.mark.parametrize("kind", ["endless", "declared"])
async def test_a_pact_url_answering_without_end_is_refused_before_it_fills_the_memory(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server answering a pact URL without end (or declaring a huge answer) was read
    until the memory ran out, if fast enough to beat the timeout: it is refused once it
    passes the bound (here 1 MiB), whatever the timeout (the stub and ``apact show``
    read pact URLs the same way)."""
    monkeypatch.setattr(_answers, "MAX_ANSWER_SIZE", 1024 * 1024)
    async with serve(unending(kind)) as url:
        with pytest.raises(PactFileError) as caught:
            await load_sources([url + "/pact.json"], timeout=60)
    assert str(caught.value) == f"{url}/pact.json: cannot fetch the pact: the answer is larger than 1 MiB"
