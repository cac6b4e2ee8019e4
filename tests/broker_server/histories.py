"""A random broker history in an SQLite store, for the tests of the broker's queries.

Consumers with main and feature branches, tags, deployments and releases (some ended),
pact contents shared between versions and sometimes changed for the same version, a
provider verifying them on branches and tags (some failures, some WIP runs), and an
"Other" provider the consumers also publish to; times ten minutes apart from ``START``.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from apact.broker_server._open import is_url
from apact.broker_server._postgres import PostgresStore
from apact.broker_server._sqlite import SqliteStore
from apact.broker_server._store import DeploymentKind, Environment, Store, new_uuid

START = datetime(2025, 1, 1, tzinfo=timezone.utc)


class Clock:
    """Ten minutes later at each call: publication times spread over days."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=10)
        return self.now


def history(seed: int) -> tuple[SqliteStore, int]:
    """The history of ``seed`` in an SQLite store in memory, and the provider's id."""
    store = SqliteStore(":memory:", clock=Clock())
    return store, fill(store, seed)


def history_on(database: str, seed: int) -> tuple[Store, int]:
    """The history of ``seed`` in ``database`` (an SQLite file or a PostgreSQL URL)."""
    store: Store = PostgresStore(database, clock=Clock()) if is_url(database) else SqliteStore(database, clock=Clock())
    try:
        return store, fill(store, seed)
    except BaseException:
        store.close()
        raise


def fill(store: Store, seed: int) -> int:
    """A random history of ``seed``; the provider's id."""
    rng = random.Random(seed)
    with store.transaction() as tx:
        provider = tx.add_pacticipant("Provider")
        other = tx.add_pacticipant("Other")
        consumers = [tx.add_pacticipant(name) for name in ("Web", "App", "Cli", "Batch")]
        for consumer, main in zip(consumers, ("main", "trunk", None, "main"), strict=True):
            tx.update_pacticipant(replace(consumer, main_branch=main))
        environments = []
        for name in ("test", "production"):
            now = START.isoformat()
            environments.append(
                tx.save_environment(Environment(new_uuid(), name, None, name == "production", (), now, now))
            )
        provider_versions: list[int] = []
        for step in range(120):
            consumer = rng.choice(consumers)
            version = tx.add_version(consumer.id, f"{step}.0", None)
            branch = rng.choice(["main", "trunk", "main", f"feat-{rng.randrange(4)}", None])
            if branch:
                tx.add_branch_version(version.id, branch)
            for tag in rng.sample(["prod", "dev", "rc"], rng.randrange(3)):
                tx.add_tag(version.id, tag)
            for target in (provider, other) if rng.random() < 0.9 else (other,):
                sha = f"{consumer.name}-{target.name}-{rng.randrange(6)}"
                tx.add_pact_content(sha, consumer.id, target.id, "{}")
                tx.add_publication(version.id, target.id, sha)
                published = [sha]
                if target is provider and rng.random() < 0.2:  # a changed pact for the same version
                    tx.add_pact_content(sha + "x", consumer.id, target.id, "{}")
                    tx.add_publication(version.id, target.id, sha + "x")
                    published.append(sha + "x")
                if target is provider and rng.random() < 0.6:
                    if not provider_versions or rng.random() < 0.3:
                        pv = tx.add_version(provider.id, f"p{step}", None)
                        tx.add_branch_version(pv.id, rng.choice(["main", "dev", "main"]))
                        if rng.random() < 0.5:
                            tx.add_tag(pv.id, rng.choice(["prod", "dev"]))
                        provider_versions.append(pv.id)
                    tx.add_verification(
                        sha=rng.choice(published),
                        consumer_id=consumer.id,
                        provider_id=provider.id,
                        provider_version_id=rng.choice(provider_versions),
                        success=rng.random() < 0.7,
                        wip=rng.random() < 0.1,
                        build_url=None,
                        test_results=[],
                        verified_by={},
                    )
            if rng.random() < 0.15:
                kind: DeploymentKind = rng.choice(["deployed", "released"])
                deployment = tx.add_deployment(kind, version.id, rng.choice(environments).uuid, None)
                if rng.random() < 0.4:
                    tx.end_deployment(deployment.uuid)
    return provider.id
