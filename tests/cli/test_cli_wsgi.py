"""``apact verify --app`` with WSGI apps and app factories, through the real command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_cli import apact, http, pact_file

HERE = Path(__file__).resolve().parent


def steaks_pact(directory: Path, count: int = 3) -> str:
    interaction = http("the steaks", "/steaks/", body={"count": count}, state="steaks are available")
    interaction["providerStates"] = [{"name": "steaks are available", "params": {"count": 3}}]
    return str(pact_file(directory, interaction, provider="Kitchen"))


@pytest.mark.parametrize("app", [["wsgi_kitchen:create_app()"], ["wsgi_kitchen:create_app", "--factory"]])
def test_a_flask_app_factory_is_called_and_its_app_verified_in_process(tmp_path: Path, app: list[str]) -> None:
    result = apact(
        "verify", "--app", *app, "--app-dir", str(HERE), "--state-change-url", "/_pact/state", steaks_pact(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == "Verifying 'Kitchen' (in-process WSGI app Flask): 1 pact, 1 interaction"
    assert "  passed   the steaks  (given steaks are available)" in result.stdout


def test_a_wsgi_app_that_breaks_the_pact_exits_1(tmp_path: Path) -> None:
    result = apact(
        "verify", "--app", "wsgi_kitchen:create_app()", "--app-dir", str(HERE), "--state-change-url",
        "/_pact/state", steaks_pact(tmp_path, count=4),
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert "$.body.count: expected 4, got 3" in result.stdout


@pytest.mark.parametrize("app", [["wsgi_kitchen:application"], ["wsgi_kitchen:either", "--interface", "wsgi"]])
def test_a_bare_wsgi_function(tmp_path: Path, app: list[str]) -> None:
    pact = pact_file(tmp_path, http("the steaks", "/steaks/", body={"count": 0, "path": "/steaks/"}))
    result = apact("verify", "--app", *app, "--app-dir", str(HERE), str(pact))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"(in-process WSGI app {app[0].split(':')[1]})" in result.stdout.splitlines()[0]


USAGE_ERRORS = {
    "a factory not called": (
        ["--app", "wsgi_kitchen:create_app"],
        "--app wsgi_kitchen:create_app is a function taking no arguments: an app factory, not an app: "
        "call it: --app 'wsgi_kitchen:create_app()' (or --factory)",
    ),
    "a factory that raises": (
        ["--app", "wsgi_kitchen:broken_factory()"],
        "--app wsgi_kitchen:broken_factory(): the app factory raised:\nTraceback",
    ),
    "an async factory": (
        ["--app", "wsgi_kitchen:async_factory", "--factory"],
        "--app wsgi_kitchen:async_factory: the app factory is async, and apact calls sync factories only",
    ),
    "an async factory not called": (
        ["--app", "wsgi_kitchen:async_factory"],
        "--app wsgi_kitchen:async_factory is an async function taking no arguments: an app factory, not an app: "
        "apact calls sync factories only",
    ),
    "an app called as a factory": (
        ["--app", "wsgi_kitchen:application", "--factory"],
        "--app wsgi_kitchen:application: the app factory raised:\nTraceback",
    ),
    "what a factory returns is no app": (
        ["--app", "wsgi_kitchen:menu()"],
        "--app wsgi_kitchen:menu(): what the factory returned is not callable, so not an app",
    ),
    "an ambiguous callable": (
        ["--app", "wsgi_kitchen:either"],
        "--app wsgi_kitchen:either is a callable that takes 2 or 3 arguments, so either an ASGI or a WSGI app: "
        "say which with --interface asgi or --interface wsgi",
    ),
    "not callable": (
        ["--app", "wsgi_kitchen:MENU"],
        "--app wsgi_kitchen:MENU is a dict, not an ASGI or WSGI app (nor a factory)",
    ),
    "--factory without --app": (["--factory", "--base-url", "http://127.0.0.1:9"], "--factory goes with --app"),
}


@pytest.mark.parametrize("case", USAGE_ERRORS)
def test_what_is_no_app_is_a_usage_error_saying_what_to_give(case: str, tmp_path: Path) -> None:
    arguments, message = USAGE_ERRORS[case]
    result = apact("verify", *arguments, "--app-dir", str(HERE), steaks_pact(tmp_path))
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith("apact verify: error: ") and message in result.stderr, result.stderr
    assert result.stdout == ""


def test_a_wsgi_app_stuck_for_good_is_a_timeout_and_the_command_still_exits(tmp_path: Path) -> None:
    """The stuck request's thread is left behind, and does not keep the process alive
    (once, it did: the report was out, and the command never exited)."""
    pact = pact_file(tmp_path, http("the steaks", "/steaks/", body={"count": 0}))
    result = apact(
        "verify", "--app", "wsgi_kitchen:stuck", "--app-dir", str(HERE), "--request-timeout", "0.5", str(pact)
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "the app did not answer GET /steaks/ within 0.5 s" in result.stdout


def test_a_django_wsgi_application(tmp_path: Path) -> None:
    pytest.importorskip("django", reason="Django is in the test extras (pip install -e '.[test]')")
    pact = pact_file(tmp_path, http("the steaks", "/steaks/", body={"count": 0, "path": "/steaks/"}))
    result = apact("verify", "--app", "django_wsgi:application", "--app-dir", str(HERE), str(pact))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(in-process WSGI app WSGIHandler)" in result.stdout.splitlines()[0]
