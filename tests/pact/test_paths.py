"""JSON paths as reports write them (`apact.pact._paths`): a plain key after a dot,
anything else in brackets and quotes, and what is written reads back as the same place."""

from __future__ import annotations

import pytest

from apact.pact._paths import STAR, STAR_INDEX, child_path, format_path, parse_path


@pytest.mark.parametrize(
    ("token", "written"),
    [
        ("waitingTime", "$.waitingTime"),
        ("_id2", "$._id2"),
        ("class", "$.class"),  # a Python keyword is a plain key all the same
        ("2fast", "$['2fast']"),
        ("café", "$['café']"),  # an identifier to Python, not a plain ASCII key
        ("naïve_key", "$['naïve_key']"),
        ("a b", "$['a b']"),
        ("it's", "$['it\\'s']"),
        ("", "$['']"),
        ("x-request-id", "$['x-request-id']"),
        (3, "$[3]"),
        (STAR, "$.*"),
        (STAR_INDEX, "$[*]"),
    ],
)
def test_a_child_path_writes_a_plain_key_plainly_and_quotes_the_rest(token: object, written: str) -> None:
    assert child_path("$", token) == written  # type: ignore[arg-type]
    assert format_path((token,)) == written  # type: ignore[arg-type]


@pytest.mark.parametrize("key", ["waitingTime", "class", "2fast", "café", "a b", "x-request-id"])
def test_a_written_key_reads_back_as_itself(key: str) -> None:
    assert parse_path(child_path("$", key)) == (key,)
