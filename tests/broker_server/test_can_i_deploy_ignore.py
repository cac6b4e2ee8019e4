"""``GET /can-i-deploy`` takes ``ignore[]=Name`` and the matrix's
``ignore[][pacticipant]=Name&ignore[][version]=1`` (one version of it); on SQLite and
PostgreSQL."""

from __future__ import annotations

import httpx
import pytest

from apact.broker_server import create_app
from apact.broker_server._store import Store

from .test_api import BASE, contracts, pact

pytestmark = pytest.mark.anyio


async def test_can_i_deploy_ignores_a_pacticipant_or_one_version_of_it(store: Store) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(store)), base_url=BASE) as client:
        await client.post("/contracts/publish", json=contracts(pact()))
        document = (await client.get("/pacts/provider/Grill%20Chef/consumer/Sous%20Chef/version/1.0.0")).json()
        result = {"success": False, "providerApplicationVersion": "2.0.0", "testResults": []}
        posted = await client.post(document["_links"]["pb:publish-verification-results"]["href"], json=result)
        assert posted.status_code == 201, posted.text

        async def deployable(query: str) -> object:
            answer = await client.get(f"/can-i-deploy?pacticipant=Sous+Chef&version=1.0.0&{query}")
            assert answer.status_code == 200, answer.text
            return answer.json()["summary"]["deployable"]

        assert await deployable("") is False
        assert await deployable("ignore[]=Grill+Chef") is True
        assert await deployable("ignore[][pacticipant]=Grill+Chef&ignore[][version]=2.0.0") is True
        assert await deployable("ignore[][pacticipant]=Grill+Chef&ignore[][version]=1.0.0") is False
        too_many = "&".join(f"ignore[][pacticipant]=P{i}" for i in range(101))
        refused = await client.get(f"/can-i-deploy?pacticipant=Sous+Chef&version=1.0.0&{too_many}")
        assert refused.status_code == 400 and "at most 100" in refused.json()["errors"][0]
