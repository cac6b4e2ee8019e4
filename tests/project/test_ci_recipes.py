"""docs/ci.md's recipes use apact's commands as they are: every ``apact COMMAND --option``
in the page is an option that ``apact COMMAND --help`` lists."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[2] / "docs" / "ci.md"
CONTINUATION = re.compile(r"^\s+(--|\"|\$)")


def commands_in_page() -> dict[str, set[str]]:
    """Each command used in a code block, with the options given to it anywhere."""
    used: dict[str, set[str]] = {}
    for block in re.findall(r"^```(?:yaml|sh)\n(.*?)^```", PAGE.read_text(), re.S | re.M):
        lines = [re.sub(r"\s#\s.*$", "", line) for line in block.splitlines()]  # not the comments
        for number, line in enumerate(lines):
            found = re.search(r"\bapact ([a-z-]+)", line)
            if not found:
                continue
            command = [line[found.start() :]]
            for following in lines[number + 1 :]:
                if not CONTINUATION.match(following):
                    break
                command.append(following)
            used.setdefault(found.group(1), set()).update(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", " ".join(command)))
    return used


def help_of(*command: str) -> str:
    completed = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "apact", *command, "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    return completed.stdout + completed.stderr


def broker_options_of_verify() -> set[str]:
    """The Pact Broker options ``apact verify`` gets from the broker client."""
    import argparse

    from apact.cli._broker_client import add_verify_arguments

    parser = argparse.ArgumentParser()
    add_verify_arguments(parser)
    return {option for action in parser._actions for option in action.option_strings if option.startswith("--")}


def test_every_option_in_the_ci_recipes_exists() -> None:
    used = commands_in_page()
    assert {"publish", "verify", "can-i-deploy", "record-deployment"} <= set(used), used
    known = help_of()
    pending = [f"apact {command}" for command in used if not re.search(rf"^\s+{re.escape(command)}\s", known, re.M)]
    for command, options in used.items():
        if f"apact {command}" in pending:
            continue
        text = help_of(command)
        unknown = {option for option in options if option not in text}
        if command == "verify" and "--broker-url" not in text:  # the broker options are not wired in yet
            pending += sorted(f"apact verify {option}" for option in unknown & broker_options_of_verify())
            unknown -= broker_options_of_verify()
        assert not unknown, f"apact {command}: {sorted(unknown)} not in its --help"
    if pending:
        pytest.skip(f"not on the command line yet: {', '.join(pending)}")
