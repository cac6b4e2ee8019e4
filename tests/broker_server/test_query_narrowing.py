"""For-verification and the matrix read only the versions their queries can pick, and
answer exactly as they would over the whole history.

A random history (consumers with main and feature branches, tags, deployments and
releases, contents shared between versions, a provider verifying on branches and tags)
is queried with every kind of selector, alone and combined, with and without pending
and WIP pacts: the answer from the narrowed read (``load(tx, provider, query)``) must
equal the one from every pact (``load(tx, provider)``). Matrix queries (random
selectors, options and ignores) are answered from the store's narrowed reads and from
every version, pact and verification read up front, alike.

Each store has its own narrowed reads (its own SQL): the histories are built in SQLite
for every seed and in PostgreSQL for the first one or two (``on_both``: the cost of
building a history over a socket is paid for fewer seeds).
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta
from urllib.parse import urlencode

import pytest

from apact.broker_server._domain import latest_pacts, latest_publication, provider_publications
from apact.broker_server._matrix import MatrixData, MatrixError, evaluate, parse_query
from apact.broker_server._matrix import load as load_matrix
from apact.broker_server._selectors import (
    Selector,
    VerificationQuery,
    load,
    pacts_for_verification,
)
from apact.broker_server._store import Pacticipant, Publication, Transaction, Version

from .histories import START, history_on

SELECTORS = [
    Selector(main_branch=True),
    Selector(main_branch=True, latest=False),
    Selector(branch="main"),
    Selector(branch="feat-1", latest=False),
    Selector(branch="nope", fallback_branch="trunk"),
    Selector(branch="feat-2", fallback_branch="main", latest=False),
    Selector(matching_branch=True),
    Selector(matching_branch=True, latest=False),
    Selector(tag="prod"),
    Selector(tag="prod", latest=True),
    Selector(tag="nope", fallback_tag="rc", latest=True),
    Selector(latest=True),
    Selector(latest=True, consumer="App"),
    Selector(branch="main", consumer="Web"),
    Selector(deployed=True),
    Selector(released=True),
    Selector(deployed_or_released=True, environment="production"),
    Selector(environment="test"),
]


def queries(rng: random.Random) -> list[VerificationQuery]:
    found = [VerificationQuery()]  # the default selectors
    found += [VerificationQuery(selectors=(selector,), provider_version_branch="main") for selector in SELECTORS]
    for _ in range(40):
        branch = rng.choice([None, "main", "dev", "fresh"])
        found.append(
            VerificationQuery(
                selectors=tuple(rng.sample(SELECTORS, rng.randrange(0, 4))) if branch else
                tuple(s for s in rng.sample(SELECTORS, rng.randrange(0, 4)) if not s.matching_branch),
                provider_version_branch=branch,
                provider_version_tags=tuple(rng.sample(["prod", "dev", "new"], rng.randrange(3))) if not branch else (),
                include_pending_status=rng.random() < 0.5,
                include_wip_pacts_since=START + timedelta(hours=rng.randrange(0, 30)) if rng.random() < 0.5 else None,
            )
        )  # fmt: skip
    return found


def on_both(seeds: int, on_postgresql: int) -> pytest.MarkDecorator:
    """``seed`` and ``database``: each of ``seeds`` on SQLite, the first ``on_postgresql`` also on PostgreSQL."""
    cases = [(seed, "sqlite") for seed in range(seeds)] + [(seed, "postgresql") for seed in range(on_postgresql)]
    return pytest.mark.parametrize(("seed", "database"), cases, indirect=["database"])


@on_both(6, 2)
def test_the_narrowed_read_answers_as_the_whole_history_does(seed: int, database: str) -> None:
    store, provider_id = history_on(database, seed)
    try:
        with store.transaction() as tx:
            everything = load(tx, provider_id)
            assert everything[0], "the history has pacts with the provider"
            answered = 0
            for query in queries(random.Random(seed)):
                narrowed = load(tx, provider_id, query)
                expected = pacts_for_verification(query, *everything)
                assert pacts_for_verification(query, *narrowed) == expected, query
                assert len(narrowed[0]) <= len(everything[0])
                answered += bool(expected)
            assert answered > 10  # the queries do select pacts
    finally:
        store.close()


def test_the_narrowed_read_skips_versions_no_selector_can_pick(database: str) -> None:
    store, provider_id = history_on(database, 1)
    try:
        with store.transaction() as tx:
            everything, _ = load(tx, provider_id)
            narrowed, _ = load(tx, provider_id, VerificationQuery(selectors=(Selector(main_branch=True),)))
            assert len(narrowed) < len(everything) / 2, (len(narrowed), len(everything))
    finally:
        store.close()


# the matrix


def everything(data: MatrixData) -> MatrixData:
    """The same data with every pact and verification read up front, and every version
    filtered in Python: the matrix as it was before it read only what a query picks."""
    assert data.fetch is not None
    pacts, verifications = [], []
    for consumer, provider in sorted(data.pairs):
        found = data.fetch(consumer, provider, list(data.versions[consumer]), list(data.versions[provider]))
        pacts += found[0]
        verifications += found[1]
    versions = {name: list(data.versions[name]) for name in data.versions}
    failures = [replace(v, failed_interactions=v.failures(), explain=None) for v in verifications]
    return MatrixData(dict(data.main_branches), versions, pacts, sorted(failures, key=lambda v: v.id))


def matrix_queries(rng: random.Random, versions: dict[str, list[str]]) -> list[str]:
    names = ["Web", "App", "Cli", "Batch", "Provider", "Other", "Nobody"]

    def selector(prefix: str) -> list[tuple[str, str]]:
        name = rng.choice(names)
        found = [(f"{prefix}[][pacticipant]", name)]
        numbers = versions.get(name) or ["9.9"]
        for key, value in (
            ("version", rng.choice(numbers[-3:] + [rng.choice(numbers)])),
            ("latest", "true"),
            ("tag", rng.choice(["prod", "dev", "rc"])),
            ("branch", rng.choice(["main", "trunk", "feat-1", "dev"])),
            ("mainBranch", "true"),
        ):
            if rng.random() < 0.3:
                found.append((f"{prefix}[][{key}]", value))
        return found

    found = []
    for _ in range(60):
        pairs = [pair for _ in range(rng.choice([1, 1, 2, 3])) for pair in selector("q")]
        for key, value in (
            ("latest", "true"),
            ("tag", "prod"),
            ("environment", rng.choice(["production", "test"])),
            ("mainBranch", "true"),
            ("latestby", rng.choice(["cvp", "cvpv"])),
            ("success[]", rng.choice(["true", "false", ""])),
        ):
            if rng.random() < 0.2:
                pairs.append((key, value))
        if rng.random() < 0.2:
            pairs += selector("ignore")
        found.append(urlencode(pairs))
    return found


@on_both(4, 2)
def test_the_matrix_read_by_index_answers_as_every_version_does(seed: int, database: str) -> None:
    store, _ = history_on(database, seed)
    try:
        with store.transaction() as tx:
            versions = {p.name: [v.number for v in tx.versions(p.id)] for p in tx.pacticipants()}
            answered = 0
            for query in matrix_queries(random.Random(seed), versions):
                parsed = parse_query(query)
                names = {s.pacticipant for reading in parsed.readings for s in reading if s.pacticipant}
                try:
                    expected = evaluate(parsed, everything(load_matrix(tx, names)))
                except MatrixError as error:
                    with pytest.raises(MatrixError) as raised:
                        evaluate(parsed, load_matrix(tx, names))
                    assert raised.value.errors == error.errors
                    continue
                narrowed = evaluate(parsed, load_matrix(tx, names))
                assert narrowed.rows == expected.rows, query
                assert narrowed.reasons == expected.reasons, query
                assert (narrowed.deployable, narrowed.counts) == (expected.deployable, expected.counts), query
                answered += bool(expected.rows)
            assert answered > 10
    finally:
        store.close()


# the latest pacts


def brute_force(tx: Transaction, provider: Pacticipant) -> list[tuple[Pacticipant, Publication, Version]]:
    """Each consumer's latest pact with ``provider``, from every publication."""
    latest: dict[int, tuple[Pacticipant, Publication, Version]] = {}
    for publication in tx.publications(provider_id=provider.id):
        version = tx.version_by_id(publication.consumer_version_id)
        latest[publication.consumer_id] = (tx.pacticipant_by_id(publication.consumer_id), publication, version)
    return sorted(latest.values(), key=lambda item: (item[0].name.lower(), item[2].id))


@on_both(3, 1)
def test_the_latest_pacts_read_by_index_are_those_of_every_publication(seed: int, database: str) -> None:
    store, _ = history_on(database, seed)
    try:
        with store.transaction() as tx:
            expected = [
                (provider, consumer, publication, version)
                for provider in tx.pacticipants()
                for consumer, publication, version in brute_force(tx, provider)
            ]
            assert len(expected) >= 5
            assert latest_pacts(tx) == expected
            for provider in tx.pacticipants():
                every = brute_force_all(tx, provider)  # read once per provider: a query per publication
                for consumer in tx.pacticipants():
                    for tag, branch in ((None, None), ("prod", None), (None, "main"), ("dev", "main")):
                        wanted = [
                            (p, v)
                            for c, p, v in every
                            if c.id == consumer.id
                            and (tag is None or tag in v.tags)
                            and (branch is None or branch in v.branches)
                        ]
                        found = latest_publication(tx, provider, consumer, tag=tag, branch=branch)
                        assert found == (wanted[-1] if wanted else None), (provider, consumer, tag, branch)
                for options in (
                    {},
                    {"tag": "prod"},
                    {"branch": "main"},
                    {"main_branch": True},
                    {"branch": "feat-1", "latest": False},
                    {"main_branch": True, "latest": False},
                    {"tag": "dev", "latest": False},
                    {"latest": False},
                ):
                    assert provider_publications(tx, provider, **options) == brute_force_publications(
                        every, **options
                    ), (provider, options)
    finally:
        store.close()


def brute_force_all(tx: Transaction, provider: Pacticipant) -> list[tuple[Pacticipant, Publication, Version]]:
    """Every pact with ``provider``, by consumer version."""
    return [
        (tx.pacticipant_by_id(p.consumer_id), p, tx.version_by_id(p.consumer_version_id))
        for p in tx.publications(provider_id=provider.id)
    ]


def brute_force_publications(
    every: list[tuple[Pacticipant, Publication, Version]],
    *,
    tag: str | None = None,
    branch: str | None = None,
    main_branch: bool = False,
    latest: bool = True,
) -> list[tuple[Pacticipant, Publication, Version]]:
    """`provider_publications` as it was: every publication (``brute_force_all``) checked."""
    found: dict[tuple[int, int], tuple[Pacticipant, Publication, Version]] = {}
    for consumer, publication, version in every:
        wanted_branch = consumer.main_branch if main_branch else branch
        if (tag is not None and tag not in version.tags) or (main_branch and wanted_branch is None):
            continue
        if wanted_branch is not None and wanted_branch not in version.branches:
            continue
        found[(consumer.id, 0 if latest else version.id)] = (consumer, publication, version)
    return sorted(found.values(), key=lambda item: (item[0].name.lower(), item[2].id))
