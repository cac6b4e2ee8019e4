"""Two ``apact broker`` processes on one database, as behind a load balancer: writes
interleaved through both, at once, lose nothing and both serve the same data."""

from __future__ import annotations

import json
from typing import Any

import anyio
import httpx
import pytest

from .test_main import broker_process

CONSUMERS = ("Web", "Mobile")
VERSIONS = 12


def pact(consumer: str, version: int) -> dict[str, Any]:
    interaction = {
        "description": f"a request from {consumer} {version}",
        "request": {"method": "GET", "path": f"/items/{version}"},
        "response": {"status": 200},
    }
    return {"consumer": {"name": consumer}, "provider": {"name": "Api"}, "interactions": [interaction]}


async def publish_tag_and_verify(one: httpx.AsyncClient, other: httpx.AsyncClient, consumer: str, n: int) -> None:
    """Publish through one broker, tag and verify through the other, then branch through the first."""
    path = f"/pacts/provider/Api/consumer/{consumer}/version/{n}"
    published = await one.put(path, json=pact(consumer, n))
    assert published.status_code in (200, 201), published.text
    tagged = await other.put(f"/pacticipants/{consumer}/versions/{n}/tags/t{n % 3}", json={})
    assert tagged.status_code in (200, 201), tagged.text
    fetched = await other.get(path)
    assert fetched.status_code == 200, fetched.text
    results_url = fetched.json()["_links"]["pb:publish-verification-results"]["href"]
    verified = await other.post(
        results_url, json={"success": n % 4 != 0, "providerApplicationVersion": f"api-{consumer}-{n}"}
    )
    assert verified.status_code == 201, verified.text
    branched = await one.put(f"/pacticipants/{consumer}/branches/main/versions/{n}", json={})
    assert branched.status_code in (200, 201), branched.text


def normalised(response: httpx.Response, url: str) -> Any:
    assert response.status_code == 200, response.text
    return json.loads(response.text.replace(url, "BROKER"))


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_two_brokers_on_one_database_serve_the_same_complete_data(database: str) -> None:
    async with (
        broker_process("--database", database) as first_url,
        broker_process("--database", database) as second_url,
        httpx.AsyncClient(base_url=first_url, timeout=60) as first,
        httpx.AsyncClient(base_url=second_url, timeout=60) as second,
    ):
        async with anyio.create_task_group() as tasks:
            for n in range(VERSIONS):
                for index, consumer in enumerate(CONSUMERS):
                    one, other = (first, second) if (n + index) % 2 == 0 else (second, first)
                    tasks.start_soon(publish_tag_and_verify, one, other, consumer, n)

        for consumer in CONSUMERS:
            seen = []
            for client, url in ((first, first_url), (second, second_url)):
                versions = normalised(await client.get(f"/pacticipants/{consumer}/versions"), url)
                matrix = normalised(await client.get(f"/matrix?q[][pacticipant]={consumer}&latestby=cvp"), url)
                latest = normalised(await client.get("/pacts/latest"), url)
                seen.append((versions, matrix, latest))
            assert seen[0] == seen[1]  # both brokers serve the same data
            versions, matrix, _ = seen[0]
            numbers = sorted(int(v["number"]) for v in versions["_embedded"]["versions"])
            assert numbers == list(range(VERSIONS))  # every version, once
            for version in versions["_embedded"]["versions"]:
                n = int(version["number"])
                assert [t["name"] for t in version["_embedded"]["tags"]] == [f"t{n % 3}"]
                assert [b["name"] for b in version["_embedded"]["branchVersions"]] == ["main"]
            outcomes = sorted(
                (int(row["consumer"]["version"]["number"]), row["verificationResult"]["success"])
                for row in matrix["matrix"]
            )
            assert outcomes == [(n, n % 4 != 0) for n in range(VERSIONS)]  # every result, for its pact
