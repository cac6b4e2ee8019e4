"""Deleting a pact, a version and a pacticipant through the official broker's endpoints,
on SQLite and on PostgreSQL (the ``store`` fixture, backends.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from apact.broker_server import create_app
from apact.broker_server._store import Store

from .test_api import BASE, contracts, pact

pytestmark = pytest.mark.anyio

PACTS = "/pacts/provider/Grill%20Chef/consumer/Sous%20Chef/version"


@pytest.fixture
async def filled(store: Store) -> AsyncIterator[tuple[httpx.AsyncClient, Store]]:
    """Sous Chef 1.0.0 and 1.0.1 publish the same pact, 2.0.0 another; Grill Chef 5.0
    verified the first successfully; 2.0.0 is tagged and deployed to production."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(store)), base_url=BASE) as client:
        for version, document in (
            ("1.0.0", pact()),
            ("1.0.1", pact()),
            ("2.0.0", pact("Sous Chef", "Grill Chef", "x")),
        ):
            published = await client.post("/contracts/publish", json=contracts(document, version, tags=["dev"]))
            assert published.status_code == 200, published.text
        first = (await client.get(f"{PACTS}/1.0.0")).json()
        result = {"success": True, "providerApplicationVersion": "5.0", "testResults": []}
        posted = await client.post(first["_links"]["pb:publish-verification-results"]["href"], json=result)
        assert posted.status_code == 201, posted.text
        environment = (await client.post("/environments", json={"name": "production"})).json()["uuid"]
        deployed = await client.post(
            f"/pacticipants/Sous%20Chef/versions/2.0.0/deployed-versions/environment/{environment}", json={}
        )
        assert deployed.status_code == 201, deployed.text
        yield client, store


def _matrix(version: str) -> str:
    return f"/matrix?q[][pacticipant]=Sous+Chef&q[][version]={version}&q[][pacticipant]=Grill+Chef&latestby=cvp"


async def test_deleting_a_pact_keeps_the_version_and_shared_results(
    filled: tuple[httpx.AsyncClient, Store],
) -> None:
    client, store = filled
    deleted = await client.delete(f"{PACTS}/1.0.0")
    assert deleted.status_code == 204
    assert (await client.get(f"{PACTS}/1.0.0")).status_code == 404
    assert (await client.get("/pacticipants/Sous%20Chef/versions/1.0.0")).status_code == 200  # the version stays
    again = await client.delete(f"{PACTS}/1.0.0")
    assert (again.status_code, again.json()) == (
        404,
        {"errors": ["No pact between Sous Chef version 1.0.0 and Grill Chef found"]},
    )
    # 1.0.1 published the same content: its verification result still counts
    assert (await client.get(_matrix("1.0.1"))).json()["summary"]["deployable"] is True
    with store.transaction() as tx:
        assert len(tx.verifications()) == 1

    assert (await client.delete(f"{PACTS}/1.0.1")).status_code == 204
    with store.transaction() as tx:  # no version publishes that content now: it goes, with its result
        assert tx.verifications() == []
        assert len({p.sha for p in tx.publications()}) == 1
    latest = (await client.get("/pacts/provider/Grill%20Chef/consumer/Sous%20Chef/latest")).json()
    assert latest["interactions"][0]["description"] == "x"


async def test_deleting_versions(filled: tuple[httpx.AsyncClient, Store]) -> None:
    client, store = filled
    assert (await client.delete("/pacticipants/Grill%20Chef/versions/5.0")).status_code == 204
    assert (await client.get(_matrix("1.0.0"))).json()["summary"]["deployable"] is None  # its result went with it

    assert (await client.delete("/pacticipants/Sous%20Chef/versions/2.0.0")).status_code == 204
    assert (await client.get("/pacticipants/Sous%20Chef/versions/2.0.0")).status_code == 404
    assert (await client.get("/pacticipants/Sous%20Chef/latest-version/dev")).json()["number"] == "1.0.1"
    environment = (await client.get("/environments")).json()["_embedded"]["environments"][0]["uuid"]
    current = await client.get(f"/environments/{environment}/deployed-versions/currently-deployed")
    assert current.json()["_embedded"]["deployedVersions"] == []
    with store.transaction() as tx:
        assert {p.sha for p in tx.publications()} == {tx.publications()[0].sha}  # 2.0.0's content is gone
        assert len(tx.publications()) == 2
    missing = await client.delete("/pacticipants/Sous%20Chef/versions/9")
    assert missing.status_code == 404
    assert "9" in missing.json()["errors"][0]


async def test_deleting_a_pacticipant(filled: tuple[httpx.AsyncClient, Store]) -> None:
    client, store = filled
    assert (await client.delete("/pacticipants/Sous%20Chef")).status_code == 204
    assert (await client.get("/pacticipants/Sous%20Chef")).status_code == 404
    assert (await client.get(f"{PACTS}/1.0.0")).status_code == 404
    with store.transaction() as tx:
        assert (tx.publications(), tx.verifications()) == ([], [])
    assert (await client.delete("/pacticipants/Sous%20Chef")).status_code == 404
