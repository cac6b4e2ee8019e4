"""The command line, run as a real subprocess: check, show, verify (in-process app,
started server, running server), stub (over its real port, with httpx)."""

from __future__ import annotations

import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from apact.examples import GRILL_CHEF_PACT

from ..hostile import NeverReading
from ..loopback import answering

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXAMPLES = ROOT / "examples"


def apact(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "apact", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env={**os.environ, **(env or {})},
    )


def pact_file(
    directory: Path, *interactions: dict[str, object], consumer: str = "Sous Chef", provider: str = "Grill Chef"
) -> Path:
    path = directory / f"{consumer}-{provider}.json"
    path.write_text(
        json.dumps(
            {
                "consumer": {"name": consumer},
                "provider": {"name": provider},
                "interactions": list(interactions),
                "metadata": {"pactSpecification": {"version": "4.0"}},
            }
        )
    )
    return path


def http(
    description: str, path: str, status: int = 200, body: object = None, *, state: str | None = None, **response: object
) -> dict[str, object]:
    interaction: dict[str, object] = {
        "type": "Synchronous/HTTP",
        "description": description,
        "request": {"method": "GET", "path": path},
        "response": {"status": status, **response},
    }
    if body is not None:
        interaction["response"]["body"] = {"contentType": "application/json", "encoded": False, "content": body}  # type: ignore[index]
    if state is not None:
        interaction["providerStates"] = [{"name": state}]
    return interaction


# -- check and show --------------------------------------------------------------------------------


def test_a_lone_surrogate_in_a_description_or_a_state_prints_as_its_escape(tmp_path: Path) -> None:
    """JSON allows ``"\\ud800"``, which no UTF-8 text can hold: ``apact check`` printed its
    summary with a UnicodeEncodeError traceback."""
    interaction = http("a steak \ud800", "/steaks", state="steaks \udfff")
    path = pact_file(tmp_path, interaction)
    assert b"\\ud800" in path.read_bytes()  # (json.dumps escapes it)
    result = apact("check", str(path))
    assert result.returncode == 0, result.stderr
    assert "[0] a steak \\ud800\n    given steaks \\udfff\n" in result.stdout


def test_check_prints_terminal_controls_in_a_pact_as_escapes(tmp_path: Path) -> None:
    """``apact check`` is what one runs on a pact from elsewhere: its descriptions and
    states may hold escape sequences or bidirectional overrides."""
    path = pact_file(tmp_path, http("a steak \x1b[2J", "/steaks", state="steaks \u202eelbaliava"))
    result = apact("check", str(path))
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert "[0] a steak \\x1b[2J\n    given steaks \\u202eelbaliava\n" in result.stdout


def test_check_the_built_in_example() -> None:
    result = apact("check", "--example")
    assert result.returncode == 0, result.stderr
    assert "Sous Chef -> Grill Chef, Pact specification V4" in result.stdout
    assert "POST /steaks/ -> 201" in result.stdout
    assert "response body $.waitingTime: integer" in result.stdout


def test_check_files_of_every_version() -> None:
    files = sorted(str(p) for p in (FIXTURES / "pact-python").glob("*.json"))
    result = apact("check", "--quiet", *files)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""


def test_check_reports_an_invalid_file_with_its_location(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    document = json.loads((FIXTURES / "handwritten" / "v4-extras.json").read_text())
    document["interactions"][1]["response"]["matchingRules"]["body"]["$.id"]["matchers"][0]["match"] = "integr"
    bad.write_text(json.dumps(document))
    result = apact("check", str(bad), str(FIXTURES / "handwritten" / "v2-xml.json"))
    assert result.returncode == 1
    assert f'invalid: {bad}: interaction 1 "an order form": ' in result.stderr
    assert (
        "$.interactions[1].response.matchingRules.body['$.id'].matchers[0].match: unknown matcher type 'integr'"
        in result.stderr
    )
    assert "1 of 2 pact file(s) invalid" in result.stderr
    assert "v2-xml.json: valid" in result.stdout


def unmatchable_order(tmp_path: Path) -> Path:
    """A pact whose first interaction's request body is not the XML its content type says."""
    order = http("an order in XML", "/orders")
    order["request"] = {
        "method": "POST",
        "path": "/orders",
        "body": {"content": "<order><side></order>", "contentType": "application/xml", "encoded": False},
    }
    return pact_file(tmp_path, order, http("a menu", "/menu"))


def test_check_warns_of_an_interaction_no_request_can_match(tmp_path: Path) -> None:
    """A request body that is not what its content type says: the verifier sends it as
    written (as the core does), so the pact is valid, but no consumer's request matches
    it in the mock or the stub; check says so, on standard error, and stays 0."""
    orders = unmatchable_order(tmp_path)
    for quiet in ((), ("--quiet",)):
        result = apact("check", *quiet, str(orders))
        assert result.returncode == 0, result.stderr
        assert result.stderr == (
            f'apact check: warning: {orders}: interaction 0 "an order in XML": $.interactions[0].request.body: '
            "the body is not well-formed XML although its content type is application/xml: mismatched tag: "
            "line 1, column 15; no request can match it (in the mock or the stub)\n"
        )
        assert result.stdout.startswith(f"{orders}: valid\n") if not quiet else result.stdout == ""


def test_show_details_states_bodies_matchers_and_generators(tmp_path: Path) -> None:
    generated = http(
        "a request for an order",
        "/orders/1",
        201,
        {"id": 1, "placed": "2026-01-01"},
        state="an order exists",
        headers={"Content-Type": ["application/json"]},
        matchingRules={"body": {"$.placed": {"matchers": [{"match": "date", "format": "yyyy-MM-dd"}]}}},
        generators={"body": {"$.id": {"type": "RandomInt", "min": 1, "max": 9}}},
    )
    result = apact("show", str(pact_file(tmp_path, generated)))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1:] == [
        "Sous Chef -> Grill Chef, Pact specification V4",
        "1 interaction (1 HTTP)",
        'metadata: {"pactSpecification": {"version": "4.0"}}',
        "",
        "[0] a request for an order",
        "    given an order exists",
        "    GET /orders/1 -> 201",
        "    response header Content-Type: application/json",
        '    response body (application/json): {"id": 1, "placed": "2026-01-01"}',
        '    response body $.placed: date format="yyyy-MM-dd"',
        "    response body $.id: generated by RandomInt min=1 max=9",
    ]


def test_show_says_which_pact_cannot_be_read(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text('{"consumer": {"name": "Sous Chef"}')
    result = apact("show", str(tmp_path / "broken.json"), str(GRILL_CHEF_PACT))
    assert result.returncode == 2  # it could not do all its work (see the exit code table in docs/cli.md)
    assert result.stderr.startswith(f"apact show: error: cannot read a pact: {tmp_path / 'broken.json'}: ")
    assert "a request for a medium-rare steak" in result.stdout  # the readable one is still shown


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_file_without_end_is_an_error_not_the_memory_filled() -> None:
    """``apact show /dev/zero`` (a wrong path, a device, a FIFO fed without end) read until
    the memory ran out: at most 256 MiB of a pact file is read."""
    said = "/dev/zero: cannot read the file: it is larger than 256 MiB"
    for command, code in (("check", 1), ("show", 2)):  # (check: 1 is "a pact is invalid")
        result = apact(command, "/dev/zero", str(GRILL_CHEF_PACT))
        assert result.returncode == code, result.stderr
        assert said in result.stderr, result.stderr
    assert "a request for a medium-rare steak" in result.stdout  # show: the other pact is still shown


@pytest.mark.skipif(not os.path.exists("/dev/stdin"), reason="needs /dev/stdin")
def test_a_pact_piped_in_is_read() -> None:
    """Files that are not regular files are read (in chunks, counted): a pact through
    ``/dev/stdin``, a FIFO."""
    result = subprocess.run(
        [sys.executable, "-m", "apact", "show", "/dev/stdin"],
        input=GRILL_CHEF_PACT.read_text(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "a request for a medium-rare steak" in result.stdout


def test_usage_errors_and_help_that_teaches(capsys: pytest.CaptureFixture[str]) -> None:
    result = apact("check")
    assert result.returncode == 2
    assert "apact check: error: give at least one PACT file or directory (or --example)" in result.stderr
    for first in (("--help",), ("--help", "verify"), ("-h", "stub")):  # every command listed
        top = apact(*first).stdout
        assert all(f"    {command} " in top for command in ("verify", "stub", "show", "check", "broker")), first
    from apact.cli import main  # each command's help, in this process (argparse only)

    for command in ("verify", "stub", "show", "check"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "\nexamples:\n  " in capsys.readouterr().out, command


def test_the_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("apact")
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.startswith("apact "), result.stderr


# -- verify ------------------------------------------------------------------------------------------


STATES = {"GRILL_CHEF_PROVIDER_STATES": "1"}


def test_verify_an_in_process_app_with_its_state_endpoint(tmp_path: Path) -> None:
    result = apact(
        "verify", "--app", "grill_chef.app:app", "--app-dir", str(EXAMPLES), "--state-change-url", "/_pact/state",
        "--junit", str(tmp_path / "reports" / "pacts.xml"), "--json", str(tmp_path / "reports" / "pacts.json"),
        str(GRILL_CHEF_PACT), env=STATES,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Verifying 'Grill Chef' (in-process ASGI app Starlette): 1 pact, 2 interactions"
    assert "  passed   a request for a medium-rare steak  (given steaks are available)" in lines
    assert lines[-5:-1] == [
        "  pact                     passed  failed  pending  skipped",
        "  Sous Chef -> Grill Chef       2       0        0        0",
        "  total                         2       0        0        0",
        "",
    ]
    assert re.fullmatch(
        r"2 interactions: 2 passed, 0 failed \(0 pending, 0 skipped\) in \d+\.\d\d s - verification passed", lines[-1]
    )
    assert len(ElementTree.parse(tmp_path / "reports" / "pacts.xml").getroot().findall("./testsuite/testcase")) == 2
    assert json.loads((tmp_path / "reports" / "pacts.json").read_text())["summary"]["passed"] == 2


def test_verify_fails_with_exit_1_and_says_why(tmp_path: Path) -> None:
    """Without the state endpoint, the kitchen has no steaks: a 503 instead of a 201."""
    result = apact(
        "verify", "--app", "grill_chef.app:app", "--ignore-missing-states", str(GRILL_CHEF_PACT), cwd=EXAMPLES
    )
    assert result.returncode == 1
    assert "1) Sous Chef -> Grill Chef: a request for a medium-rare steak" in result.stdout
    assert "   $.status: expected status 201, got 503" in result.stdout
    assert "  Sous Chef -> Grill Chef       1       1        0        0" in result.stdout
    assert result.stdout.rstrip().endswith("verification FAILED")

    missing = apact("verify", "--app", "grill_chef.app:app", str(GRILL_CHEF_PACT), cwd=EXAMPLES)
    assert missing.returncode == 1
    assert "give --state-change-url URL (or --ignore-missing-states" in missing.stderr


def test_verify_a_server_it_starts_with_filters(tmp_path: Path) -> None:
    result = apact(
        "verify", "--command", f"{sys.executable} -m hypercorn grill_chef.app:app --bind 127.0.0.1:{{port}}",
        "--state-change-url", "/_pact/state", "--description", "well-done", "--consumer", "Sous Chef", "-v",
        str(GRILL_CHEF_PACT), cwd=EXAMPLES, env=STATES,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^Verifying 'Grill Chef' \(http://127\.0\.0\.1:\d+ \(started: .*hypercorn", result.stdout, re.M)
    assert "  passed   a request for a well-done steak  (given steaks are available)  [POST /steaks/ " in result.stdout
    assert (
        "  skipped  a request for a medium-rare steak  (given steaks are available): left out by the description filter 'well-done'"
        in result.stdout
    )


USAGE_ERRORS = {
    "no pact": ((), "give at least one PACT"),
    "no provider": (
        (str(GRILL_CHEF_PACT),),
        "give the provider to verify: --app MODULE:ATTR, --base-url URL or --command",
    ),
    "two providers": (("--app", "a:b", "--base-url", "http://x", str(GRILL_CHEF_PACT)), "give one provider"),
    "no {port}": (("--command", "serve --port 80", str(GRILL_CHEF_PACT)), "--command needs a {port} placeholder"),
    "app without attribute": (("--app", "grill_chef", str(GRILL_CHEF_PACT)), "--app takes MODULE:ATTRIBUTE"),
    "app not found": (
        ("--app", "no_such_module:app", str(GRILL_CHEF_PACT)),
        "cannot import 'no_such_module' for --app: no module named 'no_such_module'",
    ),
    "no such attribute": (
        ("--app", "grill_chef.app:nope", "--app-dir", str(EXAMPLES), str(GRILL_CHEF_PACT)),
        "module 'grill_chef.app' has no attribute 'nope'",
    ),
    "unreadable pact": (("--base-url", "http://127.0.0.1:9", str(FIXTURES / "missing.json")), "cannot read a pact: "),
    "several providers": (
        ("--base-url", "http://127.0.0.1:9", str(GRILL_CHEF_PACT), str(FIXTURES / "pact-python" / "v3-http.json")),
        "the pacts are for several providers ('Grill Chef', 'pact-python-provider'): choose one with --provider",
    ),
    "bad header": (
        ("--base-url", "http://127.0.0.1:9", "--header", "no colon", str(GRILL_CHEF_PACT)),
        "--header takes 'NAME: VALUE'",
    ),
    "bad regex": (
        ("--base-url", "http://127.0.0.1:9", "--description", "(", str(GRILL_CHEF_PACT)),
        "--description '(' is not a regular expression",
    ),
}


@pytest.mark.parametrize("case", USAGE_ERRORS)
def test_verify_usage_errors_exit_2_with_a_message(case: str) -> None:
    arguments, message = USAGE_ERRORS[case]
    result = apact("verify", *arguments)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith("apact verify: error: ") and message in result.stderr, result.stderr
    assert result.stdout == ""


def test_verify_argument_types_are_checked_by_argparse() -> None:
    result = apact("verify", "--concurrency", "0", "--base-url", "http://127.0.0.1:9", str(GRILL_CHEF_PACT))
    assert result.returncode == 2 and "argument --concurrency: must be at least 1, got 0" in result.stderr


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        # each was taken: every interaction then failed with the same transport error
        (["--base-url", "notaurl"], "argument --base-url: 'notaurl' is not an http:// or https:// URL"),
        (["--base-url", "http://[::1"], "argument --base-url: 'http://[::1' is not a URL: "),
        (
            ["--base-url", "http://x", "--state-change-url", "x/state"],
            "argument --state-change-url: 'x/state' is not an http:// or https:// URL (or a path starting with /)",
        ),
        (
            ["--base-url", "http://x", "--request-timeout", "nan"],
            "argument --request-timeout: must be positive, got nan",
        ),
        (["--command", "run {port}", "--startup-timeout", "nan"], "argument --startup-timeout: must be positive"),
    ],
)
def test_verify_refuses_a_url_or_a_timeout_that_cannot_work(arguments: list[str], said: str) -> None:
    result = apact("verify", *arguments, str(GRILL_CHEF_PACT))
    assert result.returncode == 2, result.stdout + result.stderr
    assert said in result.stderr.splitlines()[-1]


@pytest.mark.parametrize("command", [["stub", str(GRILL_CHEF_PACT)], ["broker", "--database", ":memory:"]])
def test_a_port_past_65535_is_a_usage_error(command: list[str]) -> None:
    # the broker's was an OverflowError's traceback from bind()
    result = apact(*command, "--port", "70000")
    assert result.returncode == 2
    assert "argument --port: a port is 0 to 65535, got 70000" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_progress_line_on_a_terminal(tmp_path: Path) -> None:
    """On a terminal, a line rewritten in place while a long pact replays, cleared at the end."""
    (tmp_path / "slow.py").write_text(
        "import anyio\n"
        "async def app(scope, receive, send):\n"
        "    if scope['type'] != 'http':\n"
        "        return\n"
        "    await anyio.sleep(0.1)\n"
        "    await send({'type': 'http.response.start', 'status': 200, 'headers': []})\n"
        "    await send({'type': 'http.response.body', 'body': b''})\n"
    )
    pact = pact_file(tmp_path, *(http(f"request {n}", f"/{n}") for n in range(6)))
    controller, terminal = os.openpty()
    try:
        process = subprocess.run(
            [
                sys.executable,
                "-m",
                "apact",
                "verify",
                "--app",
                "slow:app",
                "--app-dir",
                str(tmp_path),
                "--concurrency",
                "1",
                str(pact),
            ],
            stdout=subprocess.PIPE,
            stderr=terminal,
            timeout=60,
        )
        os.close(terminal)
        terminal = -1
        shown = b""
        while select.select([controller], [], [], 0)[0]:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal is closed: all read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(controller)
        if terminal >= 0:
            os.close(terminal)
    assert process.returncode == 0, process.stdout
    updates = re.findall(rb"\r\x1b\[2Kapact verify: (\d)/6 interactions, 0 failed, \d+ s", shown)
    assert updates, shown  # progress was shown while replaying ...
    assert shown.endswith(b"\r\x1b[2K")  # ... and cleared at the end
    assert b"apact verify" not in process.stdout  # stdout stays the report


# -- stub --------------------------------------------------------------------------------------------


@dataclass
class Stub:
    process: subprocess.Popen[str]
    url: str
    ready: str


@contextmanager
def stub(*args: str) -> Iterator[Stub]:
    """``apact stub ...`` running; its URL from the line it prints when ready."""
    process = subprocess.Popen(
        [sys.executable, "-m", "apact", "stub", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 30
        while not select.select([process.stdout], [], [], max(0.0, deadline - time.monotonic()))[0]:
            if time.monotonic() > deadline:
                raise AssertionError("apact stub printed nothing for 30 s")
        line = process.stdout.readline()
        found = re.search(r" at (http://\S+)$", line.strip())
        assert found, (line, process.stderr.read() if process.poll() is not None and process.stderr else "")
        yield Stub(process, found.group(1), line)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=10)
        for pipe in (process.stdout, process.stderr):  # an unclosed pipe is a ResourceWarning
            if pipe is not None:
                pipe.close()


def test_the_stub_answers_the_pacts_interactions_over_its_port(tmp_path: Path) -> None:
    orders = pact_file(
        tmp_path,
        http(
            "a request for an order", "/orders/1", 200, {"id": 1},
            state="an order exists", generators={"body": {"$.id": {"type": "RandomInt", "min": 1000, "max": 9999}}},
        ),
        http("a request for a missing order", "/orders/1", 404, state="no orders"),
        {"type": "Asynchronous/Messages", "description": "an order event", "contents": {"content": {"id": 1}}},
    )  # fmt: skip
    with stub(str(orders), str(GRILL_CHEF_PACT)) as running, httpx.Client(base_url=running.url) as client:
        assert (
            running.ready
            == f"apact stub: serving 4 interactions of 2 pacts (Sous Chef -> Grill Chef), 1 left out (messages or --state) at {running.url}\n"
        )
        first, second = client.get("/orders/1"), client.get("/orders/1")
        assert first.status_code == second.status_code == 200  # the first matching interaction, every time
        assert 1000 <= first.json()["id"] <= 9999  # generated
        steak = client.post("/steaks/", json={"cooking": "medium-rare"})
        assert (steak.status_code, steak.json()) == (201, {"waitingTime": 10})
        unexpected = client.post("/steaks/", json={"cooking": "blue"})
        assert unexpected.status_code == 500
        assert unexpected.json()["closest"][0]["mismatches"][0]["message"] == 'expected "medium-rare", got "blue"'
        running.process.send_signal(signal.SIGTERM)
        out, err = running.process.communicate(timeout=10)
    assert running.process.returncode == 0
    assert out == "apact stub: stopped\n"
    assert err.splitlines()[:4] == [
        "200 GET /orders/1",
        "200 GET /orders/1",
        "201 POST /steaks/",
        "500 unexpected request: POST /steaks/",
    ]
    assert '    $.body.cooking: expected "medium-rare", got "blue"' in err


def test_the_stub_warns_at_start_of_an_interaction_no_request_can_match(tmp_path: Path) -> None:
    """A request body that is not what its content type says matches nothing (as in the
    core): said once when the stub starts, not only in the 500 of each request."""
    orders = unmatchable_order(tmp_path)
    with stub(str(orders)) as running, httpx.Client(base_url=running.url) as client:
        assert client.get("/menu").status_code == 200
        sent = client.post("/orders", content=b"<order><side></order>", headers={"Content-Type": "application/xml"})
        assert sent.status_code == 500
        running.process.send_signal(signal.SIGTERM)
        _, err = running.process.communicate(timeout=10)
    assert err.splitlines()[0] == (
        f'apact stub: warning: {orders}: interaction 0 "an order in XML": $.interactions[0].request.body: '
        "the body is not well-formed XML although its content type is application/xml: mismatched tag: line 1, "
        "column 15; no request can match it"
    )
    assert err.splitlines()[1] == "200 GET /menu"


def test_the_stub_stops_on_sigterm_while_a_client_does_not_read_its_answer(tmp_path: Path) -> None:
    """A client that never reads a large answer kept ``apact stub`` from stopping until
    that client went away; its connection is closed half a second after SIGTERM now."""
    files = pact_file(tmp_path, http("a big file", "/big", 200, "x" * (16 * 1024 * 1024)))
    with stub(str(files), "--quiet") as running, NeverReading(running.url, "/big") as client:
        client.answered()
        running.process.send_signal(signal.SIGTERM)
        out, _ = running.process.communicate(timeout=10)
        assert running.process.returncode == 0 and out == "apact stub: stopped\n"
        assert client.let_go_by_server()


def test_the_stub_logs_what_a_client_sent_with_terminal_controls_escaped(tmp_path: Path) -> None:
    """The stub is a network service: a client's path (``%1B[2J``, a C1 ``%C2%9B``) is
    printed in its operator's terminal as escapes, not acted on."""
    orders = pact_file(tmp_path, http("a menu", "/menu"))
    with stub(str(orders)) as running, httpx.Client(base_url=running.url) as client:
        assert client.get("/menu%1B[2J%C2%9B").status_code == 500
        assert client.get("/menu").status_code == 200
        running.process.send_signal(signal.SIGTERM)
        _, err = running.process.communicate(timeout=10)
    assert "\x1b" not in err and "\x9b" not in err
    assert "500 unexpected request: GET /menu\\x1b[2J\\x9b" in err.splitlines()


def test_the_stub_on_a_fixed_port_and_chosen_states(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    orders = pact_file(
        tmp_path,
        http("an order", "/orders/1", 200, state="an order exists"),
        http("no order", "/orders/1", 404, state="no orders"),
    )
    with stub(str(tmp_path), "--port", str(port), "--state", "^no orders$", "--quiet") as running:
        assert running.url == f"http://127.0.0.1:{port}"
        assert httpx.get(running.url + "/orders/1").status_code == 404
        again = apact("stub", str(orders), "--port", str(port))  # the port is taken
        assert again.returncode == 2
        assert again.stderr.startswith(f"apact stub: error: cannot listen on 127.0.0.1:{port}: ")


def test_the_stub_refuses_what_it_cannot_serve(tmp_path: Path) -> None:
    messages = pact_file(
        tmp_path, {"type": "Asynchronous/Messages", "description": "an order event", "contents": {"content": {"id": 1}}}
    )
    result = apact("stub", str(messages))
    assert result.returncode == 1  # nothing to do (see the exit code table in docs/cli.md)
    assert result.stderr == "apact stub: nothing to serve: no HTTP interaction (found: Sous Chef -> Grill Chef)\n"
    unreadable = apact("stub", str(tmp_path / "nope.json"))
    assert unreadable.returncode == 2 and "cannot read a pact: " in unreadable.stderr


def test_the_stub_serves_pacts_from_urls_and_files_and_names_every_unreadable_one(tmp_path: Path) -> None:
    """Files are read in the stub itself, URLs fetched as the verifier fetches them; each
    source keeps its place, and every file that cannot be read is named at once."""
    orders = pact_file(tmp_path, http("an order", "/orders"))
    with answering(GRILL_CHEF_PACT.read_bytes()) as base:
        with stub(f"{base}/pacts/latest", str(orders)) as running, httpx.Client(base_url=running.url) as client:
            assert client.post("/steaks/", json={"cooking": "medium-rare"}).status_code == 201  # from the URL
            assert client.get("/orders").status_code == 200  # from the file
    unreadable = apact("stub", str(tmp_path / "nope.json"), str(orders), str(tmp_path / "gone.json"))
    assert unreadable.returncode == 2
    assert "nope.json" in unreadable.stderr and "gone.json" in unreadable.stderr, unreadable.stderr


def test_verify_against_the_stub_of_the_same_pact() -> None:
    """The stub honours the pact it serves: apact verify --base-url says so."""
    with stub(str(GRILL_CHEF_PACT)) as running:
        result = apact("verify", "--base-url", running.url, "--ignore-missing-states", str(GRILL_CHEF_PACT))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Verifying 'Grill Chef' ({running.url}): 1 pact, 2 interactions" in result.stdout
