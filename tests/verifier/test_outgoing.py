"""The request to send as `new_outgoing` makes it (once per replayed interaction, with
a shortcut for the usual path) is the one the constructor makes."""

from __future__ import annotations

import pytest

from apact.verifier._targets import Outgoing, new_outgoing

PATHS = [
    "/steaks/",
    "/steaks/42",
    "/a-b_c.d~e/f",
    "/pacticipants/Pricing Service",
    "/pacticipants/Pricing%20Service",
    "/100%",
    "/what?",
    "/a=b&c,d:e;f@g+h",
    "/caf\u00e9",
    "/\u2603/snow",
    "//host/x",
    "/tab\there",
    "",
]


@pytest.mark.parametrize("path", PATHS)
def test_new_outgoing_is_the_constructor(path: str) -> None:
    made = new_outgoing("GET", path, "a=1", (("Accept", "application/json"),), b"")
    built = Outgoing("GET", path, "a=1", (("Accept", "application/json"),), b"")
    assert made == built
    assert made.raw_path == built.raw_path


def test_a_question_mark_in_the_path_is_sent_encoded() -> None:
    assert new_outgoing("GET", "/what?", "", (), b"").raw_path == "/what%3F"
    assert new_outgoing("GET", "/steaks/", "", (), b"").raw_path == "/steaks/"
