"""docs/index.md, followed as a newcomer would: its consumer test writes exactly the pact
file the page shows, and its provider verification passes against that file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import anyio
import pytest

PAGE = Path(__file__).resolve().parents[2] / "docs" / "index.md"


def test_the_page_writes_the_pact_it_explains_and_verifies_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = PAGE.read_text()
    blocks = re.findall(r"^```python\n(.*?)^```", text, re.S | re.M)
    (shown,) = re.findall(r"^```json\n(.*?)^```", text, re.S | re.M)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "getting_started"}
    for code in blocks:
        exec(compile(code, str(PAGE), "exec"), namespace)
    anyio.run(namespace["test_a_medium_rare_steak_is_cooked"])  # type: ignore[arg-type]
    written = json.loads((tmp_path / "pacts" / "Sous Chef-Grill Chef.json").read_text())
    expected = json.loads(shown)
    expected["metadata"]["apact"]["version"] = written["metadata"]["apact"]["version"]
    assert written == expected
    anyio.run(namespace["test_the_grill_chef_honours_its_pacts"])  # type: ignore[arg-type]
