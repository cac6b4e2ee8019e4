"""Filling a broker for the page tests: pacts and verification results over its HTTP API."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote

import httpx

from ..broker.grill import sous_chef_pact

HOSTILE = "<script>document.title='pwned'</script>"
#: a right-to-left override before a reversed text: it shows as "a well-done steak"
SPOOF = "a \u202ekaets enod-llew"
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
HAL = {"Accept": "application/hal+json"}


def hostile_pact() -> dict[str, Any]:
    """The Sous Chef pact with a consumer, a description and a body that are markup, and
    a description that would show other than it reads."""
    document = sous_chef_pact()
    document["consumer"]["name"] = f"Sous {HOSTILE} Chef"
    interaction = document["interactions"][0]
    interaction["description"] = f"a request {HOSTILE}"
    interaction["request"]["body"]["content"] = {"cooking": HOSTILE}
    document["interactions"][1]["description"] = f"a request for {SPOOF}"
    return document


async def publish(
    client: httpx.AsyncClient,
    document: dict[str, Any],
    version: str,
    *,
    branch: str | None = None,
    tags: tuple[str, ...] = (),
) -> None:
    body: dict[str, Any] = {
        "pacticipantName": document["consumer"]["name"],
        "pacticipantVersionNumber": version,
        "tags": list(tags),
        "contracts": [
            {
                "consumerName": document["consumer"]["name"],
                "providerName": document["provider"]["name"],
                "specification": "pact",
                "contentType": "application/json",
                "content": base64.b64encode(json.dumps(document).encode()).decode(),
            }
        ],
    }
    if branch:
        body["branch"] = branch
    response = await client.post("/contracts/publish", json=body)
    assert response.status_code == 200, response.text


async def verify(
    client: httpx.AsyncClient, provider: str, consumer: str, consumer_version: str, provider_version: str, success: bool
) -> None:
    """Publish a verification result for that consumer version's pact, as a verifier does."""
    pact = await client.get(f"{pair_path(provider, consumer)}/version/{quote(consumer_version, safe='')}", headers=HAL)
    assert pact.status_code == 200, pact.text
    url = pact.json()["_links"]["pb:publish-verification-results"]["href"]
    result = {"success": success, "providerApplicationVersion": provider_version, "verifiedBy": {"implementation": "t"}}
    response = await client.post(url, json=result)
    assert response.status_code == 201, response.text


def pair_path(provider: str, consumer: str) -> str:
    return f"/pacts/provider/{quote(provider, safe='')}/consumer/{quote(consumer, safe='')}"
