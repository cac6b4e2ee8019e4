"""Plugin pacts (issue 16): read, and written back with every plugin field and rule
key as the plugin wrote them. Their verification: tests/verifier/test_verifier_plugins.py."""

from __future__ import annotations

import json
from typing import Any

from apact import pactfile

from .plugin_shapes import plugin_pact


def without_defaults(value: Any) -> Any:  # noqa: ANN401
    """The document without what apact adds as defaults on write (``pending: false``)."""
    if isinstance(value, dict):
        return {k: without_defaults(v) for k, v in value.items() if not (k == "pending" and v is False)}
    if isinstance(value, list):
        return [without_defaults(v) for v in value]
    return value


def test_a_plugin_pact_is_read_and_written_back_as_it_was() -> None:
    document = plugin_pact()
    written = json.loads(pactfile.dumps(pactfile.loads(json.dumps(document))))
    for name in ("interactions", "consumer", "provider"):
        assert without_defaults(written[name]) == document[name]
    assert written["metadata"]["plugins"] == document["metadata"]["plugins"]


def test_plugin_rule_keys_are_not_json_paths() -> None:
    (_, csv, _) = pactfile.loads(json.dumps(plugin_pact())).interactions
    response = csv.response  # type: ignore[union-attr]
    assert list(response.matching_rules["body"]) == ["column:1", "column:2"]
    assert list(response.generators["body"]) == ["column:3"]
