"""The stores (SQLite and PostgreSQL): records, transactions, persistence, concurrency,
and the event loop."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import anyio
import httpx
import pytest

from apact._core._types import JSON
from apact.broker_server import SqliteStore, create_app
from apact.broker_server._context import Broker
from apact.broker_server._domain import ensure_pacticipant, ensure_version, publish_pact
from apact.broker_server._open import is_url
from apact.broker_server._postgres import PostgresStore
from apact.broker_server._store import ConflictError, Environment, Store, Transaction, atomically


def pact(consumer: str = "Web", provider: str = "Api", description: str = "a request") -> dict[str, JSON]:
    interactions: list[JSON] = [
        {"description": description, "request": {"method": "GET", "path": "/"}, "response": {"status": 200}}
    ]
    return {"consumer": {"name": consumer}, "provider": {"name": provider}, "interactions": interactions}


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2025, 1, 1, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def with_clock(database: str, clock: Callable[[], datetime]) -> Store:
    return PostgresStore(database, clock=clock) if is_url(database) else SqliteStore(database, clock=clock)


def test_records_round_trip(database: str) -> None:
    store = with_clock(database, FakeClock())
    with store.transaction() as tx:
        web = tx.add_pacticipant("Web")
        first = tx.add_version(web.id, "1.0", "http://ci/1")
        second = tx.add_version(web.id, "2.0", None)
        assert tx.add_tag(first.id, "prod") and not tx.add_tag(first.id, "prod")
        assert tx.add_branch_version(second.id, "feat/x") and not tx.add_branch_version(second.id, "feat/x")
        assert [v.number for v in tx.versions(web.id)] == ["1.0", "2.0"]
        assert tx.version(web.id, "1.0") == replace(first, tags=("prod",))
        assert tx.version_by_id(second.id).branches == ("feat/x",)
        assert tx.tag_first_created(web.id, "prod") == "2025-01-01T00:00:04.000000+00:00"
        assert [b.name for b in tx.branches(web.id)] == ["feat/x"]
        environment = tx.save_environment(
            Environment("e-1", "production", "Production", True, ({"name": "ops"},), "", "")
        )
        assert tx.environments() == [environment]
        deployment = tx.add_deployment("deployed", first.id, "e-1", "blue")
        assert tx.deployments(environment_uuid="e-1", active=True) == [deployment]
        ended = tx.end_deployment(deployment.uuid)
        assert (ended.active, ended.ended_at is not None) == (False, True)
        assert tx.deployments(active=True) == []
    store.close()


def test_a_publication_is_replaced_by_its_next_revision(store: Store) -> None:
    with store.transaction() as tx:
        web, api = tx.add_pacticipant("Web"), tx.add_pacticipant("Api")
        version = tx.add_version(web.id, "1", None)
        for sha in ("old", "new"):
            tx.add_pact_content(sha, web.id, api.id, "{}")
            tx.add_publication(version.id, api.id, sha)
        assert [p.sha for p in tx.publications(provider_id=api.id)] == ["new"]
        assert [p.sha for p in tx.publications(consumer_id=web.id, sha="old")] == []


def test_a_failed_transaction_leaves_nothing_behind(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.add_pacticipant("Web")
        raise RuntimeError("boom")
    with store.transaction() as tx:
        assert tx.pacticipants() == []


def test_data_survives_reopening_the_database(stores: Callable[[], Store]) -> None:
    store = stores()
    with store.transaction() as tx:
        tx.add_pacticipant("Web")
    store.close()
    with stores().transaction() as tx:
        assert [p.name for p in tx.pacticipants()] == ["Web"]


def test_deleting_a_pacticipant_deletes_its_pacts_and_results(store: Store) -> None:
    with store.transaction() as tx:
        web, _ = ensure_pacticipant(tx, "Web")
        version, _ = ensure_version(tx, web, "1")
        published = publish_pact(tx, web, version, "Api", pact(), merge=False, allow_modification=True)
        api_version, _ = ensure_version(tx, published.provider, "9")
        tx.add_verification(
            sha=published.publication.sha,
            consumer_id=web.id,
            provider_id=published.provider.id,
            provider_version_id=api_version.id,
            success=True,
            wip=False,
            build_url=None,
            test_results=[],
            verified_by=None,
        )
        tx.delete_pacticipant(web.id)
        assert tx.publications() == [] and tx.verifications() == []
        assert [p.name for p in tx.pacticipants()] == ["Api"]


def test_two_stores_on_one_database_serialise_their_writes(stores: Callable[[], Store]) -> None:
    """Like two broker processes sharing a database: both create the same pacticipant
    and version at once (one of them collides and runs again), and no write is lost."""
    both = [stores(), stores()]

    def tag(store: Store, prefix: str) -> None:
        for index in range(25):

            def work(tx: Transaction, tag: str = f"{prefix}{index}") -> None:
                web, _ = ensure_pacticipant(tx, "Web")
                version, _ = ensure_version(tx, web, "1")
                tx.add_tag(version.id, tag)

            atomically(store, work)

    threads = [threading.Thread(target=tag, args=(store, prefix)) for store, prefix in zip(both, "ab")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with both[0].transaction() as tx:
        assert len(tx.versions(tx.pacticipant("Web").id)[0].tags) == 50  # type: ignore[union-attr]


@pytest.mark.anyio
async def test_concurrent_publishes_lose_nothing(store: Store) -> None:
    """Fifty clients publish at once for the same consumer: every version, tag and pact is kept."""
    app = create_app(store)

    async def publish(client: httpx.AsyncClient, index: int) -> None:
        document = pact(description=f"request {index}")
        response = await client.put(f"/pacts/provider/Api/consumer/Web/version/{index}", json=document)
        assert response.status_code == 201, response.text
        tagged = await client.put(f"/pacticipants/Web/versions/{index}/tags/t{index % 5}", json={})
        assert tagged.status_code == 201, tagged.text

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://broker") as client:
        async with anyio.create_task_group() as tasks:
            for index in range(50):
                tasks.start_soon(publish, client, index)
    with store.transaction() as tx:
        web = tx.pacticipant("Web")
        assert web is not None
        versions = tx.versions(web.id)
        assert len(versions) == 50 and all(len(v.tags) == 1 for v in versions)
        assert len(tx.publications(consumer_id=web.id)) == 50
        assert len({p.sha for p in tx.publications(consumer_id=web.id)}) == 50


@pytest.mark.anyio
async def test_store_calls_run_off_the_event_loop_thread(store: Store) -> None:
    broker = Broker(store, None, True)
    loop_thread = threading.get_ident()

    def work(tx: Transaction) -> int:
        tx.pacticipants()
        return threading.get_ident()

    assert await broker.run(work) != loop_thread


def test_a_transaction_that_loses_a_race_is_run_again(store: Store) -> None:
    """It read that Api was missing, then another transaction created Api first: its own
    insert collides (SQLite: its snapshot is stale; PostgreSQL: the unique name), it is
    rolled back and run again, and then finds Api there."""
    attempts: list[bool] = []

    def work(tx: Transaction) -> None:
        missing = tx.pacticipant("Api") is None
        attempts.append(missing)
        if len(attempts) == 1:
            with store.transaction() as other:  # another connection gets in first
                other.add_pacticipant("Api")
        if missing:
            tx.add_pacticipant("Api")
        tx.add_pacticipant(f"Web {len(attempts)}")

    atomically(store, work)
    assert attempts == [True, False]
    with store.transaction() as tx:
        assert [p.name for p in tx.pacticipants()] == ["Api", "Web 2"]  # nothing of the first attempt


@pytest.mark.anyio
async def test_a_transaction_that_keeps_colliding_is_a_503_and_keeps_nothing(store: Store) -> None:
    class Contended:
        """A store where every write collides with a concurrent one."""

        capacity = 1

        @contextmanager
        def transaction(self, *, optimistic: bool = False) -> Iterator[Transaction]:
            with store.transaction(optimistic=optimistic) as tx:
                yield tx
                raise ConflictError("another broker changed it first")

        def close(self) -> None:
            store.close()

    transport = httpx.ASGITransport(app=create_app(Contended()))
    async with httpx.AsyncClient(transport=transport, base_url="http://broker") as client:
        refused = await client.put("/pacticipants/Web", json={})
    assert (refused.status_code, refused.headers["Retry-After"]) == (503, "1")
    assert refused.json()["errors"] == [
        "The broker's database was too busy with concurrent changes: nothing of this request was saved. Send it again."
    ]
    with store.transaction() as tx:
        assert tx.pacticipants() == []
