"""The matrix as plain functions: reading queries, rows, can-i-deploy verdicts and reasons.

No store here (the functions are given records): the stores' matrix reads are
test_query_narrowing.py's and the matrix over HTTP test_api.py's, on both backends."""

from __future__ import annotations

import itertools
from urllib.parse import urlencode

import pytest

from apact.broker_server._matrix import (
    MatrixData,
    MatrixError,
    MatrixPact,
    MatrixSelector,
    MatrixVerification,
    MatrixVersion,
    evaluate,
    parse_query,
)


def world() -> MatrixData:
    """Foo (consumer) and Bar (provider):

    * Foo 1 (prod, in production) and Foo 2 (prod) publish pacts a and b; Foo 3 publishes b too
    * Bar 10 (in production) verified a; Bar 11 (main) verified a and failed b
    """
    versions = {
        "Foo": [
            MatrixVersion("Foo", "1", 1, ("main",), ("prod",), ("production",)),
            MatrixVersion("Foo", "2", 2, ("main",), ("prod",), ()),
            MatrixVersion("Foo", "3", 3, ("feat",), (), ()),
        ],
        "Bar": [
            MatrixVersion("Bar", "10", 10, ("main",), (), ("production",)),
            MatrixVersion("Bar", "11", 11, ("main",), (), ()),
        ],
        "Lonely": [],
    }
    pacts = [
        MatrixPact("Foo", 1, "Bar", "a", "2025-01-01"),
        MatrixPact("Foo", 2, "Bar", "b", "2025-01-02"),
        MatrixPact("Foo", 3, "Bar", "b", "2025-01-03"),
    ]
    verifications = [
        MatrixVerification(1, "a", "Bar", 10, True, "2025-01-01", ()),
        MatrixVerification(2, "a", "Bar", 11, True, "2025-01-02", ()),
        MatrixVerification(3, "b", "Bar", 11, False, "2025-01-03", ("a request for a steak",)),
    ]
    return MatrixData({"Foo": "main", "Bar": "main", "Lonely": None}, versions, pacts, verifications)


def ask(query: str) -> tuple[bool | None, list[tuple[str, str, bool | None]], list[str]]:
    result = evaluate(parse_query(query), world())
    rows = [
        (row.consumer.number, row.provider_version.number if row.provider_version else "-", row.success)
        for row in result.rows
        if not row.ignored
    ]
    return result.deployable, rows, [reason.text for reason in result.reasons]


def test_two_versions_verified_together_are_deployable() -> None:
    deployable, rows, reasons = ask("q[][pacticipant]=Foo&q[][version]=1&q[][pacticipant]=Bar&q[][version]=10")
    assert (deployable, rows) == (True, [("1", "10", True)])
    assert reasons == ["All required verification results are published and successful"]


def test_a_failed_verification_names_the_versions_and_interactions() -> None:
    deployable, rows, reasons = ask("q[][pacticipant]=Foo&q[][version]=2&q[][pacticipant]=Bar&q[][version]=11")
    assert (deployable, rows) == (False, [("2", "11", False)])
    assert reasons == [
        "The verification of the pact between version 2 of Foo and version 11 of Bar failed; "
        "failed interactions: 'a request for a steak'"
    ]


def test_a_missing_verification_is_unknown() -> None:
    deployable, rows, reasons = ask("q[][pacticipant]=Foo&q[][version]=2&q[][pacticipant]=Bar&q[][version]=10")
    assert (deployable, rows) == (None, [("2", "-", None)])
    assert reasons == ["There is no verified pact between version 2 of Foo and version 10 of Bar (10)"]


def test_can_i_deploy_to_an_environment_checks_what_is_there() -> None:
    assert ask("q[][pacticipant]=Foo&q[][version]=1&latestby=cvpv&environment=production")[:2] == (
        True,
        [("1", "10", True)],
    )
    # deploying the provider: the consumer versions in production must be verified by it
    assert ask("q[][pacticipant]=Bar&q[][version]=11&latestby=cvpv&environment=production")[:2] == (
        True,
        [("1", "11", True)],
    )
    deployable, _, reasons = ask("q[][pacticipant]=Foo&q[][version]=2&latestby=cvpv&environment=staging")
    assert deployable is None
    assert reasons == [
        "There is no verified pact between version 2 of Foo and a version of Bar in staging: there is no such version"
    ]


def test_latest_tag_and_main_branch_pick_the_partner_versions() -> None:
    assert ask("q[][pacticipant]=Foo&q[][version]=1&latestby=cvp&latest=true")[:2] == (True, [("1", "11", True)])
    assert ask("q[][pacticipant]=Bar&q[][version]=11&latestby=cvp&latest=true&tag=prod")[:2] == (
        False,
        [("2", "11", False)],
    )
    assert ask("q[][pacticipant]=Foo&q[][version]=3&latestby=cvp&mainBranch=true")[0] is False


def test_latestby_cvp_keeps_the_latest_provider_version() -> None:
    both = "q[][pacticipant]=Foo&q[][version]=1&q[][pacticipant]=Bar"
    assert ask(both + "&latestby=cvpv")[1] == [("1", "10", True), ("1", "11", True)]
    assert ask(both + "&latestby=cvp")[1] == [("1", "11", True)]


def test_success_filter_and_ignore() -> None:
    everything = "q[][pacticipant]=Foo&q[][pacticipant]=Bar&latestby=cvpv"
    assert ask(everything + "&success[]=false")[1] == [("2", "11", False), ("3", "11", False)]
    deployable, rows, reasons = ask(everything + "&ignore[][pacticipant]=Foo&ignore[][version]=2&ignore[][version]=3")
    assert deployable is False  # Foo 3 is not ignored: the second version starts a new ignore selector
    deployable, rows, reasons = ask(
        "q[][pacticipant]=Bar&q[][version]=11&q[][pacticipant]=Foo&q[][tag]=prod&ignore[][pacticipant]=Foo&ignore[][version]=2"
    )
    assert (deployable, rows) == (True, [("1", "11", True)])
    assert reasons[1].startswith("Ignoring: The verification of the pact between version 2 of Foo")


def test_versions_and_pacticipants_that_do_not_exist() -> None:
    deployable, rows, reasons = ask("q[][pacticipant]=Foo&q[][version]=9&q[][pacticipant]=Bar&q[][version]=10")
    assert (deployable, reasons[0]) == (False, "No version 9 of Foo exists")
    with pytest.raises(MatrixError, match="No pacticipant with name 'Nobody' found"):
        ask("q[][pacticipant]=Nobody&q[][version]=1")
    with pytest.raises(MatrixError, match="at least one selector"):
        ask("latestby=cvp")
    assert ask("q[][pacticipant]=Lonely&latest=true&latestby=cvp")[2] == ["There are no missing dependencies"]


def test_selectors_are_read_whatever_order_the_keys_come_in() -> None:
    """A query whose keys were sorted or shuffled (pact files keep query parameters by
    name) still means the same selectors, as long as one reading names real versions."""
    pairs = [
        ("q[][pacticipant]", "Bar"),
        ("q[][version]", "11"),
        ("q[][pacticipant]", "Foo"),
        ("q[][tag]", "prod"),
        ("latestby", "cvpv"),
    ]
    for order in itertools.permutations(pairs):
        assert ask(urlencode(order))[:2] == (False, [("1", "11", True), ("2", "11", False)]), order


def test_the_reading_as_sent_comes_first() -> None:
    query = parse_query("q[][pacticipant]=Foo&q[][version]=1&q[][pacticipant]=Bar&q[][version]=10")
    assert query.readings[0] == (MatrixSelector("Foo", version="1"), MatrixSelector("Bar", version="10"))
