"""The broker's HTTP API, in-process (httpx over ASGI) and once over real HTTP, on
SQLite and on PostgreSQL (the ``store`` and ``database`` fixtures, backends.py)."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import anyio
import httpx
import pytest

from apact._core._serve import serve as serving
from apact.broker_server import create_app, serve
from apact.broker_server._open import open_store
from apact.broker_server._store import Store

pytestmark = pytest.mark.anyio

BASE = "http://broker"


def pact(consumer: str = "Sous Chef", provider: str = "Grill Chef", *descriptions: str) -> dict[str, Any]:
    interactions = [
        {"description": d, "request": {"method": "GET", "path": "/"}, "response": {"status": 200}}
        for d in descriptions or ("a request for a steak",)
    ]
    return {"consumer": {"name": consumer}, "provider": {"name": provider}, "interactions": interactions}


def contracts(document: dict[str, Any], version: str = "1.0.0", **extra: Any) -> dict[str, Any]:
    """A ``/contracts/publish`` body for one pact."""
    content = base64.b64encode(json.dumps(document).encode()).decode()
    contract = {
        "consumerName": document["consumer"]["name"],
        "providerName": document["provider"]["name"],
        "specification": "pact",
        "contentType": "application/json",
        "content": content,
    }
    contract.update(extra.pop("contract", {}))
    return {
        "pacticipantName": document["consumer"]["name"],
        "pacticipantVersionNumber": version,
        "contracts": [contract],
        **extra,
    }


@pytest.fixture
async def client(store: Store) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(store)), base_url=BASE) as found:
        yield found


def client_for(store: Store, **options: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(store, **options)), base_url=BASE)


async def test_the_index_links_everything_with_absolute_and_templated_hrefs(
    client: httpx.AsyncClient, store: Store
) -> None:
    links = (await client.get("/")).json()["_links"]
    assert links["pb:pacticipant"] == {
        "href": f"{BASE}/pacticipants/{{pacticipant}}",
        "title": "Fetch a pacticipant by name",
        "templated": True,
    }
    assert links["pb:publish-contracts"]["href"] == f"{BASE}/contracts/publish"
    assert "templated" not in links["pb:publish-contracts"]
    async with client_for(store, base_url="https://pacts.example.org/broker/") as other:
        assert (await other.get("/")).json()["_links"]["self"]["href"] == "https://pacts.example.org/broker/"


async def test_names_are_encoded_in_links_and_decoded_in_paths(client: httpx.AsyncClient) -> None:
    """Pacticipant names with spaces, branches with slashes, versions with plus signs."""
    put = await client.put("/pacticipants/Pricing%20Service/branches/feature%2Frare/versions/1.0.0%2Bbuild.7", json={})
    assert put.status_code == 201, put.text
    assert put.json()["_links"]["self"]["href"] == (
        f"{BASE}/pacticipants/Pricing%20Service/branches/feature%2Frare/versions/1.0.0%2Bbuild.7"
    )
    version = (await client.get("/pacticipants/Pricing%20Service/versions/1.0.0+build.7")).json()
    assert (version["number"], version["branch"]) == ("1.0.0+build.7", "feature/rare")
    assert (await client.get("/pacticipants/Pricing%20Service/branches/feature%2Frare")).json()[
        "name"
    ] == "feature/rare"
    odd = await client.put("/pacticipants/100%25%20Beef%2FGrill", json={})
    assert (odd.json()["name"], odd.json()["_links"]["self"]["href"]) == (
        "100% Beef/Grill",
        f"{BASE}/pacticipants/100%25%20Beef%2FGrill",
    )
    deleted = await client.delete("/pacticipants/Pricing%20Service/branches/feature%2Frare")
    assert deleted.status_code == 204
    assert (await client.get("/pacticipants/Pricing%20Service/branches/feature%2Frare")).status_code == 404


async def test_publishing_contracts(client: httpx.AsyncClient) -> None:
    body = contracts(pact(), branch="main", tags=["dev"], buildUrl="http://ci/1")
    published = await client.post("/contracts/publish", json=body)
    assert published.status_code == 200, published.text
    answer = published.json()
    assert [n["type"] for n in answer["notices"]] == ["success", "success"]
    assert (
        answer["_links"]["pb:contracts"][0]["href"]
        == f"{BASE}/pacts/provider/Grill%20Chef/consumer/Sous%20Chef/version/1.0.0"
    )
    chef = (await client.get("/pacticipants/Sous%20Chef")).json()
    assert chef["mainBranch"] == "main"  # the first "main", "master" or "develop" branch seen
    version = (await client.get("/pacticipants/Sous%20Chef/versions/1.0.0")).json()
    assert (version["buildUrl"], [t["name"] for t in version["_embedded"]["tags"]]) == ("http://ci/1", ["dev"])

    again = (await client.post("/contracts/publish", json=body)).json()
    assert "unchanged" in again["notices"][-1]["text"]
    changed = (
        await client.post("/contracts/publish", json=contracts(pact("Sous Chef", "Grill Chef", "another")))
    ).json()
    assert changed["notices"][-1]["type"] == "warning"
    merged = contracts(pact("Sous Chef", "Grill Chef", "a third"), contract={"onConflict": "merge"})
    assert (await client.post("/contracts/publish", json=merged)).status_code == 200
    served = (await client.get("/pacts/provider/Grill%20Chef/consumer/Sous%20Chef/latest")).json()
    assert [i["description"] for i in served["interactions"]] == ["another", "a third"]
    assert all(len(i["_id"]) == 40 for i in served["interactions"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"pacticipantName": None}, "pacticipantName"),
        ({"pacticipantVersionNumber": " "}, "pacticipantVersionNumber"),
        ({"contracts": []}, "contracts"),
        ({"tags": "dev"}, "tags"),
        ({"contracts": [{"providerName": "Grill Chef", "content": "not base64!"}]}, "contracts[0].content"),
        (
            {"contracts": [{"providerName": "Grill Chef", "content": "e30\u202e"}]},
            "contracts[0].content",
        ),  # (was a 500)
        ({"contracts": [{"providerName": "Grill Chef", "content": None}]}, "contracts[0].content"),
        (
            {"contracts": [{"providerName": "Grill Chef", "content": {"consumer": "a pact, not encoded"}}]},
            "contracts[0].content",
        ),
        ({"contracts": [{"providerName": "Grill Chef", "specification": "oas"}]}, "contracts[0].specification"),
        ({"contracts": [{"consumerName": "Someone else", "providerName": "Grill Chef"}]}, "contracts[0].consumerName"),
    ],
)
async def test_invalid_publications_name_the_field(
    client: httpx.AsyncClient, change: dict[str, Any], field: str
) -> None:
    response = await client.post("/contracts/publish", json={**contracts(pact()), **change})
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()


async def test_changing_a_published_pact_can_be_refused(store: Store) -> None:
    async with client_for(store, allow_contract_modification=False) as client:
        assert (await client.post("/contracts/publish", json=contracts(pact()))).status_code == 200
        refused = await client.post("/contracts/publish", json=contracts(pact("Sous Chef", "Grill Chef", "changed")))
        assert refused.status_code == 409
        assert "Publish the changed pact with a new consumer version" in refused.json()["errors"]["content"][0]


async def test_the_older_per_pact_put(client: httpx.AsyncClient) -> None:
    url = "/pacts/provider/Grill%20Chef/consumer/Sous%20Chef/version/1.0.0"
    created = await client.put(url, json=pact())
    assert (created.status_code, created.headers["X-Pact-Consumer-Version"]) == (201, "1.0.0")
    assert (await client.put(url, json=pact())).status_code == 200
    mismatch = await client.put(url, json=pact("Somebody"))
    assert mismatch.status_code == 400
    assert "published for consumer 'Sous Chef'" in mismatch.json()["errors"]["pact"][0]
    fetched = await client.get(url)
    assert fetched.json()["_links"]["pb:publish-verification-results"]["href"].endswith("/verification-results")


async def test_any_version_number_is_published_and_fetched_over_real_http(store: Store) -> None:
    # the version goes back in X-Pact-Consumer-Version: as UTF-8, what no header may hold
    # percent-encoded; it was a 500 (latin-1 cannot encode it) after the pact was stored
    versions = {
        "1.0.0\u200f": b"1.0.0\xe2\x80\x8f",
        "caf\xe9": b"caf\xc3\xa9",
        "1\r\n2\x1b\t\x7f3": b"1%0D%0A2%1B\t%7F3",
    }
    async with serving(create_app(store)) as url, httpx.AsyncClient(base_url=url) as client:
        for number, sent in versions.items():
            path = f"/pacts/provider/Grill%20Chef/consumer/Sous%20Chef/version/{quote(number, safe='')}"
            for answer in (await client.put(path, json=pact()), await client.get(path)):
                assert answer.status_code in (200, 201), (number, answer.text)
                assert dict(answer.headers.raw)[b"x-pact-consumer-version"] == sent
            versions_listed = await client.get("/pacticipants/Sous%20Chef/versions")
            assert number in [v["number"] for v in versions_listed.json()["_embedded"]["versions"]]


async def test_a_verification_id_no_store_can_hold_is_a_404(client: httpx.AsyncClient) -> None:
    # a number past SQLite's 64 bits was an OverflowError, a superscript digit (isdigit,
    # yet not int()) a ValueError: both 500s
    url = "/pacts/provider/Grill%20Chef/consumer/Sous%20Chef/version/1.0.0"
    assert (await client.put(url, json=pact())).status_code == 201
    verifications = (await client.get(url)).json()["_links"]["pb:publish-verification-results"]["href"]
    result = {"success": True, "providerApplicationVersion": "2.0.0"}
    published = await client.post(verifications, json=result)
    assert published.status_code == 201, published.text
    known = published.json()["_links"]["self"]["href"]
    assert (await client.get(known)).status_code == 200
    for odd in ("9" * 30, str(2**63), "\xb2", "\u0661", "-1", "+1", " 1", "1_0"):
        base = known.rsplit("/", 1)[0] + "/" + quote(odd, safe="")
        for path, accept in ((base, "application/hal+json"), (base + "/triggered-webhooks", "application/hal+json")):
            answer = await client.get(path, headers={"Accept": accept})
            assert answer.status_code == 404, (odd, path, answer.text)
            assert answer.json() == {"errors": [f"No verification result {odd} for this pact found"]}
        page = await client.get(base, headers={"Accept": "text/html"})
        assert page.status_code == 404, (odd, page.text)


async def test_a_nul_character_is_refused_on_every_backend_before_it_is_stored(client: httpx.AsyncClient) -> None:
    # PostgreSQL cannot store one (psycopg's DataError was a 500); SQLite stored it: the
    # same request now gets the same 400 from both, and nothing of it is kept
    assert (await client.post("/contracts/publish", json=contracts(pact()))).status_code == 200
    pacts = "/pacts/provider/Grill%20Chef/consumer/Sous%20Chef"
    verifications = (await client.get(f"{pacts}/latest")).json()["_links"]["pb:publish-verification-results"]["href"]
    created = await client.post("/environments", json={"name": "production", "production": True})
    environment = created.json()["uuid"]
    requests: list[tuple[str, str, Any]] = [
        ("POST", "/contracts/publish", contracts(pact(), "1.0.1\x00")),
        ("POST", "/contracts/publish", contracts(pact(), "1.0.2", branch="main\x00")),
        ("POST", "/contracts/publish", contracts(pact(), "1.0.3", tags=["prod\x00"])),
        ("POST", verifications, {"success": True, "providerApplicationVersion": "2\x00"}),
        ("POST", "/environments", {"name": "staging\x00", "production": False}),
        ("PATCH", "/pacticipants/Sous%20Chef", {"displayName": "Sous\x00Chef"}),
        (
            "POST",
            f"/pacticipants/Sous%20Chef/versions/1.0.0/deployed-versions/environment/{environment}",
            {"applicationInstance": "blue\x00"},
        ),  # fmt: skip
        ("PUT", "/pacticipants/Sous%20Chef/versions/1.0.0", {"tags": [{"name": "t\x00"}]}),
        ("POST", "/pacts/provider/Grill%20Chef/for-verification", {"providerVersionBranch": "main\x00"}),
        ("GET", "/pacts/provider/Grill%20Chef/for-verification?providerVersionBranch=main%00", None),
        ("GET", "/pacticipants/Sous%00Chef", None),
        ("PUT", "/pacticipants/Sous%00Chef", {}),
        ("PUT", f"{pacts}/version/3%00", pact()),
    ]
    for method, path, body in requests:
        answer = await client.request(method, path, json=body)
        assert answer.status_code == 400, (method, path, answer.text)
        (error,) = answer.json()["errors"]
        assert "holds a NUL character (\\u0000), which the broker cannot keep" in error, (path, error)
    listed = (await client.get("/pacticipants/Sous%20Chef/versions")).json()["_embedded"]["versions"]
    assert [v["number"] for v in listed] == ["1.0.0"]  # nothing of the refused requests was kept
    assert [p["name"] for p in (await client.get("/pacticipants")).json()["_embedded"]["pacticipants"]] == [
        "Grill Chef",
        "Sous Chef",
    ]


async def test_verifying_through_pacts_for_verification(client: httpx.AsyncClient) -> None:
    """pending until a successful result from the provider branch; results and the matrix show it."""
    await client.post("/contracts/publish", json=contracts(pact(), branch="main"))
    query = {
        "consumerVersionSelectors": [{"mainBranch": True}],
        "providerVersionBranch": "main",
        "includePendingStatus": True,
    }
    found = (await client.post("/pacts/provider/Grill%20Chef/for-verification", json=query)).json()["_embedded"][
        "pacts"
    ]
    assert [(p["shortDescription"], p["verificationProperties"]["pending"]) for p in found] == [
        ("latest from branch main (1.0.0)", True)
    ]
    document = (await client.get(found[0]["_links"]["self"]["href"])).json()
    interaction_id = document["interactions"][0]["_id"]
    await client.put("/pacticipants/Grill%20Chef/branches/main/versions/2.0.0", json={})
    result = {
        "success": False,
        "providerApplicationVersion": "2.0.0",
        "testResults": [{"interactionId": interaction_id, "success": False}],
        "verifiedBy": {"implementation": "tests"},
    }
    posted = await client.post(document["_links"]["pb:publish-verification-results"]["href"], json=result)
    assert posted.status_code == 201, posted.text
    assert (await client.get(posted.headers["Location"])).json()["success"] is False
    matrix = (
        await client.get("/matrix?q[][pacticipant]=Grill+Chef&q[][version]=2.0.0&latestby=cvp&latest=true")
    ).json()
    assert matrix["summary"]["deployable"] is False
    assert "failed interactions: 'a request for a steak'" in matrix["summary"]["reason"]

    result.update(success=True, providerApplicationVersion="2.0.1", testResults=[])
    await client.put("/pacticipants/Grill%20Chef/branches/main/versions/2.0.1", json={})
    await client.post(document["_links"]["pb:publish-verification-results"]["href"], json=result)
    again = (await client.post("/pacts/provider/Grill%20Chef/for-verification", json=query)).json()["_embedded"][
        "pacts"
    ]
    assert again[0]["verificationProperties"]["pending"] is False


async def test_pacts_for_verification_errors(client: httpx.AsyncClient) -> None:
    unknown = await client.post("/pacts/provider/Nobody/for-verification", json={})
    assert (unknown.status_code, unknown.json()) == (404, {"errors": ["No pacticipant with name 'Nobody' found"]})
    await client.put("/pacticipants/Grill%20Chef", json={})
    bad = await client.post("/pacts/provider/Grill%20Chef/for-verification", json={"consumerVersionSelectors": [{}]})
    assert bad.status_code == 400
    assert "selects nothing" in bad.json()["errors"]["consumerVersionSelectors"][0]
    legacy = await client.get("/pacts/provider/Grill%20Chef/for-verification")
    assert legacy.json()["_links"]["self"]["href"] == f"{BASE}/pacts/provider/Grill%20Chef/for-verification"


async def test_deployments_and_releases(client: httpx.AsyncClient) -> None:
    environment = (await client.post("/environments", json={"name": "production", "production": True})).json()
    record = environment["uuid"]
    for number in ("1", "2"):
        await client.put(f"/pacticipants/Grill%20Chef/versions/{number}", json={})
    deploy = "/pacticipants/Grill%20Chef/versions/{}/deployed-versions/environment/" + record
    first = await client.post(deploy.format("1"), json={"applicationInstance": "blue"})
    assert (first.status_code, first.json()["target"]) == (201, "blue")
    assert (await client.post(deploy.format("1"), json={"applicationInstance": "blue"})).status_code == 200
    await client.post(deploy.format("2"), json={"applicationInstance": "blue"})
    current = f"/environments/{record}/deployed-versions/currently-deployed?pacticipant=Grill+Chef"
    deployed = (await client.get(current)).json()["_embedded"]["deployedVersions"]
    assert [d["_embedded"]["version"]["number"] for d in deployed] == ["2"]  # 2 replaced 1 on blue
    undeployed = await client.patch(deployed[0]["_links"]["self"]["href"], json={"currentlyDeployed": False})
    assert undeployed.json()["currentlyDeployed"] is False
    redeploy = await client.patch(deployed[0]["_links"]["self"]["href"], json={"currentlyDeployed": True})
    assert redeploy.status_code == 422
    release = "/pacticipants/Grill%20Chef/versions/{}/released-versions/environment/" + record
    for number in ("1", "2"):
        assert (await client.post(release.format(number), json={})).status_code == 201
    supported = (await client.get(f"/environments/{record}/released-versions/currently-supported")).json()
    assert len(supported["_embedded"]["releasedVersions"]) == 2  # releases add up


async def test_environment_rules(client: httpx.AsyncClient) -> None:
    spaced = await client.post("/environments", json={"name": "pre prod"})
    assert (spaced.status_code, list(spaced.json()["errors"])) == (400, ["name"])
    assert (await client.post("/environments", json={"name": "test"})).status_code == 201
    assert (await client.post("/environments", json={"name": "test"})).status_code == 409
    found = (await client.get("/environments?name=test")).json()["_embedded"]["environments"]
    assert [e["displayName"] for e in found] == ["test"]


async def test_tags_and_latest_versions(client: httpx.AsyncClient) -> None:
    tag = "/pacticipants/Condor/versions/{}/tags/prod"
    assert (await client.put(tag.format("1.0"), json={})).status_code == 201  # creates Condor and 1.0
    assert (await client.put(tag.format("1.0"), json={})).status_code == 200
    await client.put("/pacticipants/Condor/versions/2.0", json={"tags": ["qa"]})
    assert (await client.get("/pacticipants/Condor/latest-version")).json()["number"] == "2.0"
    assert (await client.get("/pacticipants/Condor/latest-version/prod")).json()["number"] == "1.0"
    assert (await client.delete(tag.format("1.0"))).status_code == 204
    missing = await client.get("/pacticipants/Condor/latest-version/prod")
    assert missing.json() == {"errors": ["Pacticipant 'Condor' has no version with tag 'prod'"]}


async def test_can_i_deploy(client: httpx.AsyncClient) -> None:
    assert (await client.get("/can-i-deploy?pacticipant=Foo")).json() == {"errors": {"version": ["is missing"]}}
    await client.post("/contracts/publish", json=contracts(pact("Foo", "Bar")))
    await client.post("/environments", json={"name": "production"})
    answer = (await client.get("/can-i-deploy?pacticipant=Foo&version=1.0.0&environment=production")).json()
    assert answer["summary"]["deployable"] is None
    assert answer["notices"] == [
        {
            "type": "error",
            "text": "There is no verified pact between version 1.0.0 of Foo and a version of Bar in production: "
            "there is no such version",
        }
    ]


async def test_webhooks_are_stored_updated_listed_and_deleted(client: httpx.AsyncClient) -> None:
    hook = {
        "description": "tell CI",
        "events": [{"name": "contract_requiring_verification_published"}],
        "request": {"method": "POST", "url": "https://ci.example.org/hook", "password": "hunter2"},
    }
    created = await client.post("/webhooks", json=hook)
    assert created.status_code == 201, created.text
    url = created.json()["_links"]["self"]["href"]
    assert (await client.get(url)).json()["request"]["password"] == "**********"
    assert (await client.put(url, json={**hook, "description": "tell CI loudly"})).status_code == 200
    listed = (await client.get("/webhooks")).json()["_links"]["pb:webhooks"]
    assert [w["title"] for w in listed] == ["tell CI loudly"]
    invalid = await client.post("/webhooks", json={"events": [{"name": "sometimes"}], "request": {"method": "POST"}})
    assert set(invalid.json()["errors"]) == {"events", "request.url"}
    assert (await client.delete(url)).status_code == 204


async def test_errors_are_json(client: httpx.AsyncClient) -> None:
    nowhere = await client.get("/nowhere")
    assert (nowhere.status_code, nowhere.headers["content-type"]) == (404, "application/hal+json;charset=utf-8")
    assert nowhere.json() == {"errors": ["No resource at /nowhere (start from the index, GET /)"]}
    assert (await client.delete("/matrix")).json() == {"errors": ["DELETE is not allowed on /matrix"]}
    json_type = {"Content-Type": "application/json"}
    broken = await client.post("/contracts/publish", content=b"{not json", headers=json_type)
    assert broken.status_code == 400 and "not valid JSON" in broken.json()["errors"][0]
    # Python's json reads NaN, but no Pact tool could read the pact back
    pact = b'{"consumer": {"name": "Sous Chef"}, "provider": {"name": "Grill Chef"}, "interactions": [], "x": NaN}'
    nan = await client.put(
        "/pacts/provider/Grill%20Chef/consumer/Sous%20Chef/version/1", content=pact, headers=json_type
    )
    assert nan.status_code == 400 and "not valid JSON: NaN is not JSON" in nan.json()["errors"][0], nan.text
    assert (await client.get("/pacticipants/Nobody")).json() == {"errors": ["No pacticipant with name 'Nobody' found"]}


async def test_authentication(store: Store) -> None:
    async with client_for(store, token="s3cret", read_only_token="peek", username="chef", password="grill") as client:
        refused = await client.get("/")
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"] == 'Basic realm="apact broker"'
        assert "this broker needs credentials" in refused.json()["errors"][0]
        wrong = await client.get("/", headers={"Authorization": "Bearer nope"})
        assert "not accepted" in wrong.json()["errors"][0]
        assert (await client.get("/diagnostic/status/heartbeat")).status_code == 200  # for health checks
        peek = {"Authorization": "Bearer peek"}
        assert (await client.get("/", headers=peek)).status_code == 200
        assert (await client.head("/", headers=peek)).status_code == 200
        forbidden = await client.put("/pacticipants/Foo", json={}, headers=peek)
        assert (forbidden.status_code, forbidden.json()["errors"][0][:9]) == (403, "Forbidden")
        reading = await client.post("/pacts/provider/Grill%20Chef/for-verification", json={}, headers=peek)
        assert reading.status_code == 404  # allowed (a read), and there is no such provider
        assert (
            await client.put("/pacticipants/Foo", json={}, headers={"Authorization": "Bearer s3cret"})
        ).status_code == 201
        basic = httpx.BasicAuth("chef", "grill")
        assert (await client.put("/pacticipants/Bar", json={}, auth=basic)).status_code == 201
        assert (await client.get("/", auth=httpx.BasicAuth("chef", "wrong"))).status_code == 401
        # credentials that are not base64 (Latin-1 letters in the header: a 500 before)
        for odd in (b"Basic \xe9t\xe9", b"Basic Y2hlZjpncmlsbA==\xff", b"Basic !!!!"):
            assert (await client.get("/", headers={b"Authorization": odd})).status_code == 401, odd
    with pytest.raises(ValueError, match="both a username and a password"):
        create_app(store, username="chef")


@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_serve_over_real_http(database: str) -> None:
    """``serve`` binds loopback on a free port, says where, and keeps data in the file."""
    urls: list[str] = []
    async with anyio.create_task_group() as tasks:
        ready = anyio.Event()

        def announce(url: str) -> None:
            urls.append(url)
            ready.set()

        tasks.start_soon(lambda: serve(port=0, database=database, ready=announce))
        with anyio.fail_after(10):
            await ready.wait()
        async with httpx.AsyncClient(base_url=urls[0]) as client:
            assert (await client.put("/pacticipants/Foo", json={})).status_code == 201
            assert (await client.get("/")).json()["_links"]["self"]["href"] == urls[0] + "/"
        tasks.cancel_scope.cancel()
    assert urls[0].startswith("http://127.0.0.1:")
    store = open_store(database)
    try:
        with store.transaction() as tx:
            assert [p.name for p in tx.pacticipants()] == ["Foo"]
    finally:
        store.close()


@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_a_body_the_handler_ignores_does_not_cost_the_connection(store: Store) -> None:
    """PUT a tag with ``{}`` (the handler reads no body), then POST on the same
    keep-alive connection, many times: the broker reads every body, so hypercorn can
    reuse the connection instead of dropping it under the next request."""
    from apact._core._serve import serve as serving

    def requests(url: str) -> None:  # from another thread, as a client in another process would
        with httpx.Client(base_url=url) as client:
            for number in range(150):
                tagged = client.put(f"/pacticipants/Foo/versions/{number}/tags/prod", json={})
                assert tagged.status_code == 201
                created = client.post("/pacticipants", json={"name": f"Bar {number}"})
                assert created.status_code == 201

    async with serving(create_app(store)) as url:
        await anyio.to_thread.run_sync(requests, url)
