"""`BrokerClient`'s pipeline methods in Python, against ``apact broker`` in-process:
can-i-deploy's waiting, tags and ignores; undeploying; ending support; deleting. The
broker, on SQLite in memory, only serves the client here: the same commands against a
broker on PostgreSQL are in test_pipeline_commands.py."""

from __future__ import annotations

import httpx
import pytest

from apact.broker import BrokerClient, CanIDeployResult
from apact.broker_server import SqliteStore, create_app
from apact.errors import BrokerError
from apact.examples import GRILL_CHEF_PACT

from .client_helpers import client_of, grill_chef_verifier, through

pytestmark = pytest.mark.anyio


async def _verified(broker: BrokerClient, provider_version: str, *, breaking: bool = False) -> None:
    pacts = await broker.pacts_for_verification("Grill Chef", selectors=[{"latest": True}])
    result = await grill_chef_verifier("ten minutes" if breaking else 10).verify(*pacts.sources)
    await broker.publish_verification_results(result, provider_version=provider_version)


async def test_can_i_deploy_asks_again_while_a_result_is_missing() -> None:
    """While a result is missing it asks again (``on_retry`` told each time) and, with
    no retries left, returns the unknown answer; a known answer, yes or no, at once."""
    seen: list[str] = []
    app = create_app(SqliteStore())
    async with client_of(through(app, seen)) as broker:
        await broker.publish_pacts([GRILL_CHEF_PACT], consumer_version="1.0.0")
        waits: list[tuple[int, int, int]] = []

        def on_retry(answer: CanIDeployResult, retry: int, of: int) -> None:
            waits.append((answer.unknown, retry, of))

        unknown = await broker.can_i_deploy(
            "Sous Chef", version="1.0.0", retry_while_unknown=2, retry_interval=0, on_retry=on_retry
        )
        assert (unknown.deployable, unknown.unknown) == (None, 1)
        assert waits == [(1, 1, 2), (1, 2, 2)]
        assert sum(line.startswith("GET /matrix") for line in seen) == 3  # asked, then twice again

        waits.clear()
        await _verified(broker, "2.0.0")
        known = await broker.can_i_deploy(
            "Sous Chef", version="1.0.0", retry_while_unknown=5, retry_interval=0, on_retry=on_retry
        )
        assert (known.deployable, known.unknown, waits) == (True, 0, [])  # no waiting once the answer is known

        await _verified(broker, "3.0.0", breaking=True)
        no = await broker.can_i_deploy("Sous Chef", version="1.0.0", retry_while_unknown=5, retry_interval=0)
        assert (no.deployable, no.unknown) == (False, 0)  # a failure is an answer: no retries
        with pytest.raises(ValueError, match="either to_environment= or to_tag="):
            await broker.can_i_deploy("Sous Chef", version="1.0.0", to_environment="production", to_tag="prod")
        with pytest.raises(ValueError, match="must not be negative"):
            await broker.can_i_deploy("Sous Chef", version="1.0.0", retry_while_unknown=-1)


async def test_can_i_deploy_to_a_tag_and_ignoring() -> None:
    app = create_app(SqliteStore())
    async with client_of(app) as broker:
        await broker.publish_pacts([GRILL_CHEF_PACT], consumer_version="1.0.0")
        await _verified(broker, "1.0.0")
        await _verified(broker, "2.0.0", breaking=True)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://broker") as raw:
            tagged = await raw.put("/pacticipants/Grill%20Chef/versions/1.0.0/tags/prod", json={})
            assert tagged.status_code == 201
        prod = await broker.can_i_deploy("Sous Chef", version="1.0.0", to_tag="prod")
        assert prod.deployable is True and prod.tag == "prod"
        assert prod.report().endswith("can-i-deploy: yes, Sous Chef version 1.0.0 can be deployed with prod")
        latest = await broker.can_i_deploy("Sous Chef", version="1.0.0")
        assert latest.deployable is False
        ignoring = await broker.can_i_deploy("Sous Chef", version="1.0.0", ignore=[("Grill Chef", "2.0.0")])
        assert ignoring.deployable is True
        assert [row.ignored for row in ignoring.rows] == [True]
        assert (await broker.can_i_deploy("Sous Chef", version="1.0.0", ignore=["Grill Chef"])).deployable is True
        with pytest.raises(BrokerError, match="Environment with name 'prodution' does not exist"):
            await broker.can_i_deploy("Sous Chef", version="1.0.0", to_environment="prodution")


async def test_undeploying_and_ending_support() -> None:
    async with client_of(create_app(SqliteStore())) as broker:
        await broker.publish_pacts([GRILL_CHEF_PACT], consumer_version="1.0.0")
        await broker.create_environment("production")
        await broker.record_deployment("Sous Chef", "1.0.0", "production", application_instance="blue")
        with pytest.raises(BrokerError, match="application instances to record the undeployment from: blue"):
            await broker.record_undeployment("Sous Chef", "production")
        (ended,) = await broker.record_undeployment("Sous Chef", "production", application_instance="blue")
        assert str(ended) == (
            "Recorded the undeployment of Sous Chef version 1.0.0 from production (application instance blue)."
        )
        with pytest.raises(BrokerError, match="Sous Chef is not currently deployed to production"):
            await broker.record_undeployment("Sous Chef", "production", application_instance="blue")
        with pytest.raises(BrokerError, match="no environment called 'staging' \\(environments: production;"):
            await broker.record_undeployment("Sous Chef", "staging")

        await broker.record_release("Sous Chef", "1.0.0", "production")
        (ended,) = await broker.record_support_ended("Sous Chef", "1.0.0", "production")
        assert str(ended) == "Recorded the end of support of Sous Chef version 1.0.0 in production."
        with pytest.raises(BrokerError, match="version 1.0.0 is not currently released to production"):
            await broker.record_support_ended("Sous Chef", "1.0.0", "production")


async def test_deleting() -> None:
    seen: list[str] = []
    async with client_of(through(create_app(SqliteStore()), seen)) as broker:
        await broker.publish_pacts([GRILL_CHEF_PACT], consumer_version="1.0.0")
        await broker.delete_pact("Grill Chef", "Sous Chef", "1.0.0")
        with pytest.raises(BrokerError, match="404 Not Found: the broker has no such pact"):
            await broker.delete_pact("Grill Chef", "Sous Chef", "1.0.0")
        await broker.delete_version("Sous Chef", "1.0.0")
        with pytest.raises(BrokerError, match="knows no version 1.0.0 of Sous Chef"):
            await broker.delete_version("Sous Chef", "1.0.0")
        await broker.delete_pacticipant("Sous Chef")
        with pytest.raises(BrokerError, match="knows no pacticipant Sous Chef"):
            await broker.delete_pacticipant("Sous Chef")
    assert [line for line in seen if line.startswith("DELETE")][:3] == [
        "DELETE /pacts/provider/Grill%20Chef/consumer/Sous%20Chef/version/1.0.0",
        "DELETE /pacts/provider/Grill%20Chef/consumer/Sous%20Chef/version/1.0.0",
        "DELETE /pacticipants/Sous%20Chef/versions/1.0.0",
    ]
