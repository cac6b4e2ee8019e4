"""The command line, run as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


def apact(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "apact", *args], capture_output=True, text=True, timeout=60, cwd=cwd
    )


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
    assert "$.interactions[1].response.matchingRules.body['$.id'].matchers[0].match: unknown matcher type 'integr'" in result.stderr
    assert "1 of 2 pact file(s) invalid" in result.stderr
    assert "v2-xml.json: valid" in result.stdout


def test_usage_errors_and_help() -> None:
    result = apact("check")
    assert result.returncode == 2
    assert "check needs at least one PACT file" in result.stderr
    assert "check PACT" in apact("--help").stdout


def test_broker_serves_the_hal_index_until_stopped(tmp_path: Path) -> None:
    import re
    import urllib.request

    process = subprocess.Popen(
        [sys.executable, "-m", "apact", "broker", "--port", "0", "--database", str(tmp_path / "broker.sqlite")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # printed once the socket is listening
        found = re.search(r"serving (http://127\.0\.0\.1:\d+)", line)
        assert found, line
        with urllib.request.urlopen(found.group(1) + "/", timeout=10) as response:
            index = json.load(response)
        assert "pb:publish-contracts" in index["_links"]
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert (tmp_path / "broker.sqlite").exists()
