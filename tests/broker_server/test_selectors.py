"""Pacts for verification as plain functions: selectors, pending and WIP pacts.

No store here (the functions are given records): the stores' reads for them are
test_query_narrowing.py's and for-verification over HTTP test_api.py's, on both backends."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from apact.broker_server._selectors import (
    ConsumerPact,
    ProviderHistory,
    ProviderVerification,
    Selector,
    SelectorError,
    VerifiablePact,
    VerificationQuery,
    is_pending,
    pacts_for_verification,
    parse_query,
    read_metadata,
    select,
)


def cp(consumer: str, version: str, sha: str, **attributes: Any) -> ConsumerPact:
    """A consumer pact (ordered by its version's major number); ``branches``, ``tags``,
    ``deployed_to``, ``released_to`` as tuples."""
    return ConsumerPact(
        consumer=consumer,
        main_branch=attributes.get("main_branch", "main"),
        version=version,
        order=int(version.split(".")[0]),
        branches=frozenset(attributes.get("branches", ())),
        tags=frozenset(attributes.get("tags", ())),
        deployed_to=frozenset(attributes.get("deployed_to", ())),
        released_to=frozenset(attributes.get("released_to", ())),
        sha=sha,
        published_at=attributes.get("published_at", "2025-06-01T00:00:00+00:00"),
    )


def picked(selector: Selector, pacts: list[ConsumerPact], provider_branch: str | None = None) -> list[tuple[str, str]]:
    return sorted((pact.version, reason) for pact, reason in select(selector, pacts, provider_branch))


PACTS = [
    cp("Web", "1", "a", branches=("main",), tags=("prod",), deployed_to=("production",)),
    cp("Web", "2", "b", branches=("main",), tags=("prod",)),
    cp("Web", "3", "c", branches=("feat/x",), released_to=("production", "test")),
    cp("Web", "4", "d", branches=("main",)),
    cp("App", "7", "e", branches=("trunk",), main_branch="trunk"),
]


def test_main_branch_is_each_consumers_latest_on_its_own_main_branch() -> None:
    assert picked(Selector(main_branch=True), PACTS) == [
        ("4", "latest from branch main"),
        ("7", "latest from branch trunk"),
    ]


def test_branch_falls_back_per_consumer() -> None:
    selector = Selector(branch="feat/x", fallback_branch="trunk")
    assert picked(selector, PACTS) == [
        ("3", "latest from branch feat/x"),
        ("7", "latest from branch trunk (fallback: none from branch feat/x)"),
    ]
    assert picked(Selector(branch="main", latest=False), PACTS) == [
        ("1", "from branch main"),
        ("2", "from branch main"),
        ("4", "from branch main"),
    ]


def test_matching_branch_uses_the_provider_branch() -> None:
    assert picked(Selector(matching_branch=True), PACTS, "feat/x") == [("3", "latest from branch feat/x")]


def test_tags_select_all_versions_unless_latest() -> None:
    assert picked(Selector(tag="prod"), PACTS) == [("1", "with tag prod"), ("2", "with tag prod")]
    assert picked(Selector(tag="prod", latest=True), PACTS) == [("2", "latest with tag prod")]
    fallback = Selector(tag="qa", latest=True, fallback_tag="prod")
    assert picked(fallback, PACTS) == [("2", "latest with tag prod (fallback: none with tag qa)")]


def test_deployed_released_and_environments() -> None:
    assert picked(Selector(deployed=True), PACTS) == [("1", "deployed to production")]
    assert picked(Selector(released=True), PACTS) == [("3", "released in production"), ("3", "released in test")]
    assert picked(Selector(environment="production"), PACTS) == [
        ("1", "deployed to production"),
        ("3", "released in production"),
    ]
    assert picked(Selector(deployed_or_released=True, environment="test"), PACTS) == [("3", "released in test")]


def test_latest_and_consumer() -> None:
    assert picked(Selector(latest=True), PACTS) == [("4", "latest"), ("7", "latest")]
    assert picked(Selector(latest=True, consumer="App"), PACTS) == [("7", "latest")]


def test_versions_with_the_same_content_are_verified_once() -> None:
    pacts = [cp("Web", "1", "same", tags=("prod",)), cp("Web", "2", "same", branches=("main",))]
    query = VerificationQuery(selectors=(Selector(tag="prod"), Selector(main_branch=True)))
    (only,) = pacts_for_verification(query, pacts, ProviderHistory())
    assert (only.sha, [p.version for p in only.versions], only.latest.version) == ("same", ["1", "2"], "2")
    assert only.reasons == ("with tag prod (1)", "latest from branch main (2)")


def test_no_selectors_means_main_branch_or_latest_plus_deployed_and_released() -> None:
    found = pacts_for_verification(VerificationQuery(), PACTS, ProviderHistory())
    assert sorted((p.consumer, p.latest.version) for p in found) == [
        ("App", "7"),
        ("Web", "1"),
        ("Web", "3"),
        ("Web", "4"),
    ]


def verification(
    sha: str, *, at: str, success: bool = True, branches: tuple[str, ...] = (), wip: bool = False
) -> ProviderVerification:
    return ProviderVerification(sha, success, wip, frozenset(branches), frozenset(), at)


class TestPending:
    def test_a_pact_never_verified_is_pending(self) -> None:
        assert is_pending("a", ProviderHistory(), "main", ())
        assert is_pending("a", ProviderHistory(), None, ())

    def test_a_success_on_the_branch_ends_pending_a_failure_or_a_wip_success_does_not(self) -> None:
        history = ProviderHistory(
            verifications=(
                verification("a", at="2025-01-01", branches=("main",)),
                verification("b", at="2025-01-01", branches=("main",), success=False),
                verification("c", at="2025-01-01", branches=("main",), wip=True),
            ),
            branch_created={"main": "2024-01-01"},
        )
        assert [is_pending(sha, history, "main", ()) for sha in "abc"] == [False, True, True]

    def test_a_new_branch_inherits_successes_from_before_it_was_created(self) -> None:
        history = ProviderHistory(
            verifications=(
                verification("old", at="2025-01-01", branches=("main",)),
                verification("new", at="2025-03-01", branches=("main",)),
            ),
            branch_created={"main": "2024-01-01", "feat": "2025-02-01"},
        )
        assert not is_pending("old", history, "feat", ())
        assert is_pending("new", history, "feat", ())  # verified on main after feat began
        assert not is_pending("new", history, "brand-new", ())  # a branch not seen yet inherits everything

    def test_with_tags_a_pact_is_pending_if_pending_for_any_tag(self) -> None:
        tagged = ProviderVerification("a", True, False, frozenset(), frozenset({"prod"}), "2025-01-01")
        history = ProviderHistory(verifications=(tagged,), tag_created={"prod": "2024-01-01", "qa": "2025-06-01"})
        assert not is_pending("a", history, None, ("prod",))
        assert not is_pending("a", history, None, ("qa",))  # verified before qa was first used
        history = ProviderHistory(verifications=(tagged,), tag_created={"prod": "2024-01-01", "qa": "2024-06-01"})
        assert is_pending("a", history, None, ("prod", "qa"))


class TestWorkInProgress:
    pacts = [
        cp("Web", "1", "main-sha", branches=("main",)),
        cp("Web", "2", "feature-sha", branches=("feat/y",), published_at="2025-06-01T00:00:00+00:00"),
        cp("Web", "3", "old-sha", branches=("feat/old",), published_at="2024-01-01T00:00:00+00:00"),
        cp("Web", "4", "done-sha", branches=("feat/done",)),
    ]
    history = ProviderHistory(verifications=(verification("done-sha", at="2025-07-01", branches=("main",)),))

    def query(self, **changes: Any) -> VerificationQuery:
        base: dict[str, Any] = {
            "selectors": (Selector(main_branch=True),),
            "provider_version_branch": "main",
            "include_pending_status": True,
            "include_wip_pacts_since": datetime(2025, 1, 1, tzinfo=timezone.utc),
        }
        return VerificationQuery(**{**base, **changes})

    def test_recent_unverified_branch_heads_are_wip_and_pending(self) -> None:
        found = {p.sha: p for p in pacts_for_verification(self.query(), self.pacts, self.history)}
        assert set(found) == {"main-sha", "feature-sha"}
        assert (found["feature-sha"].wip, found["feature-sha"].pending) == (True, True)
        assert found["feature-sha"].reasons == ("latest from branch feat/y (2), work in progress",)
        assert not found["main-sha"].wip

    def test_no_wip_without_a_provider_branch_or_tags(self) -> None:
        query = self.query(provider_version_branch=None)
        assert {p.sha for p in pacts_for_verification(query, self.pacts, self.history)} == {"main-sha"}


class TestQueries:
    def test_a_full_query(self) -> None:
        query = parse_query(
            {
                "consumerVersionSelectors": [{"mainBranch": True}, {"deployedOrReleased": True, "consumer": "Web"}],
                "providerVersionBranch": "main",
                "providerVersionTags": ["prod"],
                "includePendingStatus": True,
                "includeWipPactsSince": "2025-01-31",
            }
        )
        assert query.selectors == (Selector(main_branch=True), Selector(deployed_or_released=True, consumer="Web"))
        assert query.include_wip_pacts_since == datetime(2025, 1, 31, tzinfo=timezone.utc)
        assert (query.provider_version_branch, query.provider_version_tags) == ("main", ("prod",))

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ({"consumerVersionSelectors": [{"mainbranch": True}]}, "unknown property 'mainbranch'"),
            ({"consumerVersionSelectors": [{"consumer": "Web"}]}, "selects nothing"),
            ({"consumerVersionSelectors": [{"branch": 3}]}, "branch must be a string"),
            ({"consumerVersionSelectors": [{"matchingBranch": True}]}, "needs providerVersionBranch"),
            (
                {"consumerVersionSelectors": [{"tag": "prod", "fallbackTag": "qa"}]},
                "fallbackTag needs a tag and latest",
            ),
            ({"consumerVersionSelectors": [{"deployed": True, "latest": True}]}, "'latest' cannot be combined"),
            ({"consumerVersionSelectors": [{"tag": "prod", "branch": "main"}]}, "use one selector for each"),
            ({"includeWipPactsSince": "last week"}, "includeWipPactsSince must be a date"),
            ({"consumerVersionSelectors": {"latest": True}}, "must be a list"),
        ],
    )
    def test_invalid_queries_say_why(self, body: dict[str, Any], message: str) -> None:
        with pytest.raises(SelectorError, match=message):
            parse_query(body)


def test_pact_url_metadata_round_trips() -> None:
    pact = VerifiablePact("Web", "a", (cp("Web", "1.0", "a"),), ("latest",), pending=True, wip=True)
    assert read_metadata(pact.metadata()) == {"cv": ["1.0"], "w": True}
    assert read_metadata("not base64 json!") == {}
