"""The broker's HTML pages and badges over real HTTP (no browser): content negotiation,
escaping, authentication, the badge SVG, and how a pact and the network are laid out;
on SQLite and PostgreSQL. The tests that only read share one filled broker per module
and backend (``shared``); those that write get one of their own (``broker``). The
browser's view of the same pages is tests/broker_server/test_pages_browser.py."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections.abc import AsyncIterator, Callable, Iterator
from urllib.parse import quote

import httpx
import pytest
from anyio.from_thread import start_blocking_portal

from apact._core._serve import serve as serving
from apact._core._types import JSONDict
from apact.broker_server import create_app
from apact.broker_server._graph import layout
from apact.broker_server._open import open_store
from apact.broker_server._pages import wants_html
from apact.broker_server._pages_data import Edge
from apact.broker_server._pages_pact import body_lines, interactions, rules_by_category
from apact.broker_server._store import Store

from ..broker.grill import sous_chef_pact
from ._empty import empty
from .pages_helpers import BROWSER, HAL, HOSTILE, hostile_pact, pair_path, publish, verify

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # the pages do not depend on the event loop; trio is covered by the API tests


SOUS, GRILL = "Sous Chef", "Grill Chef"
PAIR = pair_path(GRILL, SOUS)


async def _filled(client: httpx.AsyncClient) -> None:
    """1.0.0 (main, verified by Grill Chef 1.0.0), 2.0.0 (feature, failed by 2.0.0)."""
    await publish(client, sous_chef_pact(), "1.0.0", branch="main", tags=("prod",))
    await verify(client, GRILL, SOUS, "1.0.0", "1.0.0", True)
    await publish(client, sous_chef_pact(rare=True), "2.0.0", branch="feature")
    await verify(client, GRILL, SOUS, "2.0.0", "2.0.0", False)


async def _fill(url: str) -> None:
    async with httpx.AsyncClient(base_url=url) as client:
        await _filled(client)


@pytest.fixture(scope="module")
def shared_url(module_database: str) -> Iterator[str]:
    """One filled broker for the module's tests that only read: served over real HTTP
    from an event loop in a thread of its own, as it outlives each test's loop."""
    store = open_store(module_database)
    try:
        with start_blocking_portal() as portal, portal.wrap_async_context_manager(serving(create_app(store))) as url:
            portal.call(_fill, url)
            yield url
    finally:
        store.close()


@pytest.fixture
async def shared(shared_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the shared broker: for tests that change nothing."""
    async with httpx.AsyncClient(base_url=shared_url) as client:
        yield client


@pytest.fixture
async def broker(store: Store) -> AsyncIterator[httpx.AsyncClient]:
    """A filled broker of the test's own, for a test that writes."""
    async with serving(create_app(store)) as url:
        async with httpx.AsyncClient(base_url=url) as client:
            await _filled(client)
            yield client


# -- content negotiation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", True),  # Chromium, Firefox
        ("text/html", True),
        ("application/hal+json", False),
        ("application/hal+json, application/json, */*; q=0.2", False),  # the official clients
        ("*/*", False),
        (None, False),
        ("application/json;q=1, text/html;q=0.5", False),
        ("text/html;q=0", False),
    ],
)
def test_html_is_served_only_to_a_client_that_prefers_it(accept: str | None, html: bool) -> None:
    assert wants_html(accept) is html


@pytest.mark.parametrize(
    "path",
    ["/", f"{PAIR}/latest", f"{PAIR}/version/1.0.0", "/pacticipants/Sous%20Chef"],
)
async def test_a_browser_gets_html_and_api_clients_the_same_json_as_before(
    shared: httpx.AsyncClient, path: str
) -> None:
    broker = shared
    page = await broker.get(path, headers=BROWSER)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["vary"] == "Accept"
    assert "script-src" not in page.headers["content-security-policy"]  # default-src 'none': no script at all
    assert page.text.startswith("<!DOCTYPE html>")

    hal = await broker.get(path, headers=HAL)
    anything = await broker.get(path, headers={"Accept": "*/*"})
    assert hal.headers["content-type"].startswith("application/hal+json")
    assert hal.headers["vary"] == "Accept"
    assert hal.json() == anything.json() and "_links" in hal.json()


async def test_the_index_shows_each_pair_its_latest_pact_and_its_verification_filtered_by_branch_and_tag(
    shared: httpx.AsyncClient,
) -> None:
    broker = shared
    everything = (await broker.get("/", headers=BROWSER)).text
    assert "Sous Chef" in everything and "Grill Chef" in everything
    assert f"{PAIR}/version/2.0.0" in everything and "status-failed" in everything

    main = (await broker.get("/?branch=main", headers=BROWSER)).text
    assert f"{PAIR}/version/1.0.0" in main and "status-verified" in main and "/version/2.0.0" not in main
    prod = (await broker.get("/?tag=prod", headers=BROWSER)).text
    assert f"{PAIR}/version/1.0.0" in prod and "status-verified" in prod
    none = (await broker.get("/?branch=nowhere", headers=BROWSER)).text
    assert "No pacts match this filter" in none
    assert 'href="/?branch=feature"' in everything and 'href="/?tag=prod"' in everything  # plain links


async def test_an_unknown_pacticipant_is_an_html_404_for_a_browser_and_json_for_a_client(
    shared: httpx.AsyncClient,
) -> None:
    broker = shared
    page = await broker.get("/pacticipants/Nobody", headers=BROWSER)
    assert page.status_code == 404 and "No pacticipant with name" in page.text
    assert page.headers["content-type"].startswith("text/html")
    api = await broker.get("/pacticipants/Nobody", headers=HAL)
    assert api.status_code == 404 and api.json()["errors"]


async def test_the_matrix_page_lists_consumer_and_provider_versions_with_links_to_the_results(
    shared: httpx.AsyncClient,
) -> None:
    broker = shared
    page = (await broker.get("/pacticipants/Grill%20Chef", headers=BROWSER)).text
    rows = re.findall(r'<tr class="row-(\w+)">', page)
    assert rows == ["failed", "verified"]  # newest first
    results = re.findall(r'href="([^"]*/verification-results/\d+)"', page)
    assert len(results) == 2
    result = await broker.get(results[0], headers=BROWSER)
    assert result.status_code == 200 and "status-failed" in result.text
    pair = (await broker.get("/matrix/provider/Grill%20Chef/consumer/Sous%20Chef", headers=BROWSER)).text
    assert re.findall(r'<tr class="row-(\w+)">', pair) == ["failed", "verified"]


async def test_the_matrix_page_shows_what_is_deployed_where(broker: httpx.AsyncClient) -> None:
    created = await broker.post("/environments", json={"name": "production", "production": True})
    assert created.status_code == 201, created.text
    uuid = created.json()["uuid"]
    recorded = await broker.post(
        f"/pacticipants/Sous%20Chef/versions/1.0.0/deployed-versions/environment/{uuid}", json={}
    )
    assert recorded.status_code == 201, recorded.text
    page = (await broker.get("/pacticipants/Sous%20Chef", headers=BROWSER)).text
    assert "production (deployed)" in page  # next to the version
    assert '<span class="deployed">Sous Chef 1.0.0 (deployed)</span>' in page  # in the environments table


# -- escaping ----------------------------------------------------------------------------------


async def test_markup_from_clients_is_shown_as_text_on_every_page(store: Store) -> None:
    document = hostile_pact()
    consumer = document["consumer"]["name"]
    async with serving(create_app(store)) as url:
        async with httpx.AsyncClient(base_url=url) as client:
            await publish(client, document, "1.0.0", branch=HOSTILE, tags=(HOSTILE,))
            await verify(client, GRILL, consumer, "1.0.0", HOSTILE, False)
            pair = pair_path(GRILL, consumer)
            name = quote(consumer, safe="")
            paths = ["/", f"{pair}/latest", f"/pacticipants/{name}", f"/pacticipants/{name}/network", "/network"]
            paths.append(f"/matrix/provider/Grill%20Chef/consumer/{name}")
            pages = {path: (await client.get(path, headers=BROWSER)).text for path in paths}
    escaped = HOSTILE.replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;")
    for path, page in pages.items():
        assert "<script" not in page.lower(), path
        assert escaped in page, path
    pact_page = pages[f"{pair}/latest"]
    assert f"a request {escaped}" in pact_page  # the description
    assert f"&#34;cooking&#34;: &#34;{escaped}&#34;" in pact_page  # the body


#: what a page must not pass to the browser raw: controls, and the bidirectional
#: overrides, embeddings, isolates and marks that reorder the text after them
UNSHOWN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


async def test_bidi_overrides_and_controls_from_clients_are_shown_as_escapes(store: Store) -> None:
    # "Sous \u202efeHC" shows as "Sous Chef": a consumer named to pass for another (and
    # the escape character makes a badge that is not XML)
    consumer = "Sous \u202efeHC\x1b"
    document = sous_chef_pact()
    document["consumer"]["name"] = consumer
    document["interactions"][0]["description"] = "a request \u2066for\u2069 a \x1b[31msteak\x9b"
    document["interactions"][0]["request"]["body"]["content"] = {"cooking": "\u202erare-muidem"}
    async with serving(create_app(store)) as url:
        async with httpx.AsyncClient(base_url=url) as client:
            await publish(client, document, "1.0.0\u200f", branch="main\u202d", tags=("prod\u202a",))
            await verify(client, GRILL, consumer, "1.0.0\u200f", "2.0.0\u202e", True)
            pair = pair_path(GRILL, consumer)
            name = quote(consumer, safe="")
            paths = ["/", f"{pair}/latest", f"/pacticipants/{name}", f"/pacticipants/{name}/network", "/network"]
            paths.append(f"/matrix/provider/Grill%20Chef/consumer/{name}")
            pages = {path: (await client.get(path, headers=BROWSER)).text for path in paths}
            badge = (await client.get(f"{pair}/latest/badge")).text
    for path, page in pages.items():
        assert UNSHOWN.search(page) is None, (path, UNSHOWN.search(page))
        assert "Sous \\u202efeHC" in page, path
    assert "\\u200f" in pages[f"/pacticipants/{name}"]  # the version
    assert "\\u202e" in pages[f"/matrix/provider/Grill%20Chef/consumer/{name}"].split("Sous", 1)[1]
    assert "main\\u202d" in pages["/"] and "prod\\u202a" in pages["/"]
    pact_page = pages[f"{pair}/latest"]
    assert "a request \\u2066for\\u2069 a \\x1b[31msteak\\x9b" in pact_page  # the description
    assert "\\u202erare-muidem" in pact_page  # the body
    assert UNSHOWN.search(badge) is None and _badge_text(badge)[0] == "sous \\u202efehc\\x1b/grill chef pact"


# -- authentication and badges -----------------------------------------------------------------


async def test_pages_need_read_access_and_badges_too_unless_public(stores: Callable[[], Store]) -> None:
    badge = f"{PAIR}/latest/badge"
    for public in (False, True):
        store = stores()
        if public:
            empty(store)  # the same database, as new
        app = create_app(store, token="w", read_only_token="r", public_badges=public)
        async with serving(app) as url, httpx.AsyncClient(base_url=url) as client:
            writer = {"Authorization": "Bearer w"}
            client.headers.update(writer)
            await publish(client, sous_chef_pact(), "1.0.0")
            del client.headers["Authorization"]
            assert (await client.get("/", headers=BROWSER)).status_code == 401
            assert (await client.get(f"{PAIR}/latest", headers=BROWSER)).status_code == 401
            assert (await client.get("/ui/broker.css")).status_code == 401
            reader = {**BROWSER, "Authorization": "Bearer r"}
            page = await client.get("/", headers=reader)
            assert page.status_code == 200 and "Sous Chef" in page.text
            anonymous = await client.get(badge)
            assert anonymous.status_code == (200 if public else 401)
            if public:
                assert anonymous.headers["content-type"].startswith("image/svg+xml")
                # public badges open badges, nothing else
                assert (await client.get(f"{PAIR}/latest", headers=BROWSER)).status_code == 401
                assert (await client.get(f"{PAIR}/latest/badgex")).status_code == 401


def _badge_text(svg: str) -> tuple[str, str, str]:
    root = ElementTree.fromstring(svg)
    namespace = "{http://www.w3.org/2000/svg}"
    title = root.find(f"{namespace}title")
    assert title is not None and title.text is not None
    label, status = title.text.split(": ")
    (right,) = [rect.get("fill") for rect in root.iter(f"{namespace}rect") if rect.get("x")]
    return label, status, str(right)


async def test_the_badges_say_verified_failed_or_unknown_at_the_official_urls(broker: httpx.AsyncClient) -> None:
    latest = await broker.get(f"{PAIR}/latest/badge")
    assert latest.status_code == 200 and latest.headers["content-type"].startswith("image/svg+xml")
    assert latest.headers["cache-control"] == "no-cache"
    assert _badge_text(latest.text) == ("sous chef/grill chef pact", "failed", "#e05d44")
    prod = await broker.get(f"{PAIR}/latest/prod/badge")
    assert _badge_text(prod.text) == ("sous chef/grill chef pact", "verified", "#4c1")
    untagged = await broker.get(f"{PAIR}/latest-untagged/badge")
    assert _badge_text(untagged.text)[1] == "failed"  # 2.0.0 has no tag
    initials = await broker.get(f"{PAIR}/latest/badge", params={"initials": "true", "label": "consumer"})
    assert _badge_text(initials.text)[0] == "sc pact"
    missing = await broker.get(f"{pair_path(GRILL, 'Nobody')}/latest/badge")
    assert missing.status_code == 200 and _badge_text(missing.text) == ("pact not found", "unknown", "#9f9f9f")

    tagged = await broker.put("/pacticipants/Grill%20Chef/versions/1.0.0/tags/prod", json={})
    assert tagged.status_code in (200, 201), tagged.text
    matrix = await broker.get("/matrix/provider/Grill%20Chef/latest/prod/consumer/Sous%20Chef/latest/prod/badge")
    assert _badge_text(matrix.text) == ("sous chef (prod)/grill chef (prod) pact", "verified", "#4c1")
    none = await broker.get("/matrix/provider/Grill%20Chef/latest/dev/consumer/Sous%20Chef/latest/prod/badge")
    assert _badge_text(none.text)[1] == "unknown"  # no provider version tagged dev verified it


async def test_a_pact_changed_since_its_last_verification_has_an_orange_badge(broker: httpx.AsyncClient) -> None:
    changed = sous_chef_pact()
    changed["interactions"][0]["description"] = "a request for a steak, reworded"
    await publish(broker, changed, "3.0.0")
    badge = await broker.get(f"{PAIR}/latest/badge")
    assert _badge_text(badge.text) == ("sous chef/grill chef pact", "changed", "#fe7d37")


async def test_a_badge_escapes_the_names_it_shows(store: Store) -> None:
    document = hostile_pact()
    async with serving(create_app(store)) as url, httpx.AsyncClient(base_url=url) as client:
        await publish(client, document, "1")
        badge = await client.get(f"{pair_path(GRILL, document['consumer']['name'])}/latest/badge")
    assert "<script" not in badge.text
    assert _badge_text(badge.text)[0] == f"sous {HOSTILE.lower()} chef/grill chef pact"


# -- how a pact and the network are laid out ---------------------------------------------------


def test_each_matching_rule_is_shown_next_to_the_value_it_governs_in_every_pact_version() -> None:
    v2 = rules_by_category(
        {"$.body.items[*].id": {"match": "type"}, "$.headers.Accept": {"match": "regex", "regex": "json"}}
    )
    v3 = rules_by_category(
        {
            "body": {"$.items[*].id": {"matchers": [{"match": "integer"}, {"match": "null"}], "combine": "OR"}},
            "header": {"Accept": {"matchers": [{"match": "regex", "regex": "json"}]}},
            "path": {"matchers": [{"match": "regex", "regex": "/steaks/\\d+"}]},
        }
    )
    assert v2["body"] == {"$.items[*].id": ("type",)} and v2["header"] == {"accept": ("regex json",)}
    assert v3["body"]["$.items[*].id"] == ("integer", "null (combined with OR)")
    assert v3["path"] == {"": ("regex /steaks/\\d+",)}

    lines, others = body_lines({"items": [{"id": 1}, {"id": 2}], "x": "y"}, {**v2["body"], "$.nowhere": ("type",)})
    governed = [(line.text, line.rules) for line in lines if line.rules]
    assert governed == [('"id": 1', ("type",)), ('"id": 2', ("type",))]
    assert [row.name for row in others] == ["$.nowhere"]  # not lost: listed under the body


def test_v2_and_message_pacts_are_rendered_too() -> None:
    v2: JSONDict = {
        "interactions": [
            {
                "description": "a v2 request",
                "providerState": "a steak exists",
                "request": {"method": "GET", "path": "/steaks/1", "query": "cooking=rare"},
                "response": {"status": 200, "body": {"id": 1}, "matchingRules": {"$.body.id": {"match": "type"}}},
            }
        ],
        "messages": [{"description": "a steak is ready", "contents": {"id": 1}, "metadata": {"topic": "steaks"}}],
    }
    shown = interactions(v2)
    assert [i.description for i in shown] == ["a v2 request", "a steak is ready"]
    assert shown[0].states == ["a steak exists"]
    response = shown[0].parts[1]
    assert [(line.text, line.rules) for line in response.body if line.rules] == [('"id": 1', ("type",))]
    message = shown[1].parts[0]
    assert message.title == "Message" and ("metadata topic", "steaks") in [(r.name, r.value) for r in message.rows]


def test_the_network_points_from_consumers_to_providers_and_survives_cycles() -> None:
    graph = layout(
        [Edge("Web", "Orders", "verified"), Edge("Orders", "Stock", "failed"), Edge("Stock", "Orders", "unknown")],
        "Orders",
    )
    x = {node.name: node.x for node in graph.nodes}
    assert x["Web"] < x["Orders"]
    assert [node.name for node in graph.nodes if node.focus] == ["Orders"]
    assert len(graph.lines) == 3 and all(line.d.startswith("M") for line in graph.lines)
    assert graph.width > max(x.values()) and graph.height > 0
