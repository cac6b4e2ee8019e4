"""The official Pact specification testcases, V1 to V4, each as its own test.

They are read from ``../shared/pact-spec`` next to the project (or the directory in
``APACT_PACT_SPEC``), never copied into it. Cases whose upstream content is itself
wrong are kept and marked xfail with the reason; docs/conformance.md lists them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from apact.matching import match_message, match_request, match_response

SPEC_DIR = Path(os.environ.get("APACT_PACT_SPEC", Path(__file__).resolve().parents[3] / "shared" / "pact-spec"))
VERSIONS = {"v1": "1.0.0", "v1.1": "1.1.0", "v2": "2.0.0", "v3": "3.0.0", "v4": "4.0"}
MATCHERS = {"request": match_request, "response": match_response, "message": match_message}

# upstream cases known to be wrong: {"v4/response/body/x.json": "why"}
KNOWN_DEFECTS: dict[str, str] = {}


def _cases() -> list[Any]:
    if not SPEC_DIR.is_dir():
        return [
            pytest.param(
                None,
                marks=pytest.mark.skip(
                    reason=f"Pact specification testcases not found at {SPEC_DIR} "
                    "(set APACT_PACT_SPEC to their directory)"
                ),
                id="pact-spec-missing",
            )
        ]
    cases = []
    for path in sorted(SPEC_DIR.glob("v*/*/*/*.json")):
        relative = path.relative_to(SPEC_DIR).as_posix()
        marks = []
        if relative in KNOWN_DEFECTS:
            marks.append(pytest.mark.xfail(reason=KNOWN_DEFECTS[relative], strict=True))
        cases.append(pytest.param(path, marks=marks, id=relative.removesuffix(".json")))
    return cases


@pytest.mark.parametrize("case", _cases())
def test_specification_case(case: Path) -> None:
    version, category = case.relative_to(SPEC_DIR).parts[:2]
    # some upstream V1 files start with a UTF-8 byte order mark
    data = json.loads(case.read_text(encoding="utf-8-sig"))
    mismatches = MATCHERS[category](data["expected"], data["actual"], VERSIONS[version])
    if data["match"]:
        assert mismatches == [], f"{data['comment']}: expected a match, got:\n" + "\n".join(map(str, mismatches))
    else:
        assert mismatches, f"{data['comment']}: expected a mismatch, got a match"
        for mismatch in mismatches:
            assert mismatch.path.startswith("$") and mismatch.message, mismatch


def test_all_803_cases_are_collected() -> None:
    if not SPEC_DIR.is_dir():
        pytest.skip(f"Pact specification testcases not found at {SPEC_DIR}")
    assert len(list(SPEC_DIR.glob("v*/*/*/*.json"))) == 803
