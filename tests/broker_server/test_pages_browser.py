"""The broker's pages in a real headless Chromium: what a person sees.

An ``apact broker`` process (basic auth on; on SQLite, then on PostgreSQL: the
``module_database`` fixture) is filled through the official ``pact`` CLI
with the Sous Chef / Grill Chef pact, a passing and a failing verification (``pact
verifier`` against the Grill Chef), a deployment, and a pact whose consumer name,
description and body are markup. One browser serves the module (both backends); every request it makes
is recorded and must go to the broker. Screenshots go to each test's ``tmp_path`` and,
when ``APACT_ARTIFACTS`` names a directory, there too, as ``broker-<page>.png``:

    APACT_ARTIFACTS=docs/images .venv/bin/python -m pytest -n 0 tests/broker_server/test_pages_browser.py

regenerates the screenshots docs/broker.md shows. Without Chromium (Debian's
``chromium``) or Playwright the module skips with one line; with
``APACT_REQUIRE_BROWSER=1`` (CI) it fails instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

import anyio
import pytest

from apact._core._serve import serve as serving

from ..broker.grill import grill, pact_cli, sous_chef_pact, write_pact
from ..hostile import server_process
from .pages_helpers import HOSTILE, SPOOF, hostile_pact

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

# one worker runs the whole module (tests/scheduling.py): one broker, one browser

NO_BROWSER = "headless Chromium not found: install the Debian packages chromium and chromium-driver"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
USER, PASSWORD = "chef", "s3cret"
PAIR = "/pacts/provider/Grill%20Chef/consumer/Sous%20Chef"
GREEN, RED, GREY = "rgb(26, 127, 55)", "rgb(179, 38, 30)", "rgb(228, 231, 235)"


def _chromium() -> str:
    """The system's Chromium, with Playwright to drive it; else skip (or fail on CI)."""
    found = next((p for p in ("/usr/bin/chromium", shutil.which("chromium")) if p and os.path.exists(p)), None)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        found = None
    if found is None:
        if os.environ.get("APACT_REQUIRE_BROWSER") == "1":
            pytest.fail(NO_BROWSER + " (APACT_REQUIRE_BROWSER=1)")
        pytest.skip(NO_BROWSER)
    return found


def _pact(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "PACT_DO_NOT_TRACK": "true",
        "PACT_BROKER_HTTP_RETRIES": "1",
        "NO_COLOR": "1",
        "PACT_BROKER_USERNAME": USER,
        "PACT_BROKER_PASSWORD": PASSWORD,
    }
    done = subprocess.run([pact_cli(), *args], env=environment, capture_output=True, text=True, timeout=60, check=False)
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


async def _verify(broker: str, provider_version: str, branch: str) -> subprocess.CompletedProcess[str]:
    """``pact verifier`` (the Rust core) against the Grill Chef, publishing its result."""
    async with serving(grill(10)) as provider:
        return await anyio.to_thread.run_sync(
            lambda: _pact(
                "verifier",
                "--broker-url", broker,
                "--provider-name", "Grill Chef",
                "--hostname", "127.0.0.1",
                "--port", provider.rsplit(":", 1)[1],
                "--state-change-url", f"{provider}/_pact/state",
                "--consumer-version-selectors", json.dumps({"branch": branch}),
                "--publish",
                "--provider-version", provider_version,
                "--provider-branch", "main",
                "--no-colour",
                check=False,
            )
        )  # fmt: skip


def _fill(broker: str, directory: Path) -> None:
    b = ("--broker-base-url", broker)
    _pact("broker", "create-environment", "--name", "production", "--production", *b)
    main = write_pact(directory, sous_chef_pact(), "main.json")
    _pact("broker", "publish", str(main), "--consumer-app-version", "1.0.0", "--branch", "main", *b)
    passed = anyio.run(_verify, broker, "1.0.0", "main")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    for name in ("Sous Chef", "Grill Chef"):
        _pact(
            "broker", "record-deployment", "--pacticipant", name, "--version", "1.0.0",
            "--environment", "production", *b,
        )  # fmt: skip
    rare = write_pact(directory, sous_chef_pact(rare=True), "rare.json")
    _pact("broker", "publish", str(rare), "--consumer-app-version", "2.0.0", "--branch", "rare-steaks", *b)
    failed = anyio.run(_verify, broker, "1.1.0", "rare-steaks")  # the Grill Chef serves no rare steak
    assert failed.returncode == 1, failed.stdout + failed.stderr
    hostile = write_pact(directory, hostile_pact(), "hostile.json")
    _pact("broker", "publish", str(hostile), "--consumer-app-version", "6.6.6", *b)


@pytest.fixture(scope="module")
def broker(module_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    _chromium()
    directory = tmp_path_factory.mktemp("pages-browser")
    command = ["-m", "apact", "broker", "--port", "0", "--database", module_database]
    with server_process([*command, "--username", USER, "--password", PASSWORD], directory) as server:
        # in a thread of its own: the browser's Playwright may already run an event loop here
        with ThreadPoolExecutor(1) as worker:
            worker.submit(_fill, server.url, directory).result()
        yield server.url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def context(browser: Browser, broker: str) -> Iterator[BrowserContext]:
    made = browser.new_context(
        http_credentials={"username": USER, "password": PASSWORD}, viewport={"width": 1280, "height": 900}
    )
    made.set_default_timeout(15_000)
    try:
        yield made
    finally:
        made.close()


@pytest.fixture(scope="module")
def page(context: BrowserContext) -> Iterator[Page]:
    opened = context.new_page()
    yield opened
    opened.close()


def _screenshot(page: Page, tmp_path: Path, name: str) -> None:
    page.screenshot(path=str(tmp_path / f"broker-{name}.png"), full_page=True)
    artifacts = os.environ.get("APACT_ARTIFACTS")
    if artifacts:
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(artifacts) / f"broker-{name}.png"), full_page=True)


def _background(page: Page, selector: str) -> str:
    colour: str = page.eval_on_selector(selector, "e => getComputedStyle(e).backgroundColor")
    return colour


def _row(page: Page, consumer: str) -> Any:
    return page.locator("table.pacts tbody tr").filter(has=page.get_by_role("rowheader", name=consumer))


def test_the_index_shows_each_pairs_latest_verification_in_colour(page: Page, broker: str, tmp_path: Path) -> None:
    page.goto(broker + "/")
    assert page.title() == "Pacts · apact broker"
    for landmark in ("banner", "navigation", "main", "contentinfo", "search"):  # for screen readers
        assert page.get_by_role(landmark).count() >= 1, landmark
    headers = page.get_by_role("columnheader").all_inner_texts()
    assert headers[:5] == ["Consumer", "Provider", "Latest pact", "Published", "Latest verification"]
    sous = _row(page, "Sous Chef")
    assert "2.0.0" in sous.inner_text() and "failed" in sous.inner_text()
    assert sous.locator(".status").evaluate("e => getComputedStyle(e).backgroundColor") == RED
    assert sous.locator(".status").evaluate("e => getComputedStyle(e).color") == "rgb(255, 255, 255)"
    hostile = _row(page, f"Sous {HOSTILE} Chef")
    assert hostile.locator(".status").evaluate("e => getComputedStyle(e).backgroundColor") == GREY
    badges = page.locator("table.pacts img")
    assert badges.count() == 2
    for number in range(2):  # the badges loaded: real SVG from the broker
        assert badges.nth(number).evaluate("img => img.complete && img.naturalWidth > 0")
    _screenshot(page, tmp_path, "index")

    page.get_by_label("Consumer branch").fill("main")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/?branch=main*")
    main = _row(page, "Sous Chef")
    assert "1.0.0" in main.inner_text() and "production (deployed)" in main.inner_text()
    assert main.locator(".status").evaluate("e => getComputedStyle(e).backgroundColor") == GREEN
    assert _row(page, f"Sous {HOSTILE} Chef").count() == 0


def test_the_pact_page_shows_each_interaction_with_its_rules(page: Page, broker: str, tmp_path: Path) -> None:
    page.goto(broker + PAIR + "/latest")
    titles = page.locator("article.interaction h2").all_inner_texts()
    assert sorted(titles) == [
        "a request for a medium-rare steak",
        "a request for a rare steak",
        "a request for a well-done steak",
    ]
    first = page.locator("article.interaction", has_text="a request for a medium-rare steak")
    assert "Given\nsteaks are available" in first.inner_text() or "steaks are available" in first.inner_text()
    governed = first.locator(".line", has=page.locator(".rule"))
    assert governed.count() == 1
    assert governed.locator("code").inner_text().strip() == '"waitingTime": 10'
    assert governed.locator(".rule").inner_text() == "integer"
    assert first.get_by_role("cell", name="POST").count() == 1
    assert _background(page, ".summary .status") == RED
    _screenshot(page, tmp_path, "pact")


def test_the_matrix_shows_versions_results_and_deployments(page: Page, broker: str, tmp_path: Path) -> None:
    page.goto(broker + "/pacticipants/Grill%20Chef")
    every = page.locator("table.matrix tbody tr")
    assert every.count() == 3  # newest first: the markup consumer's pact, not verified
    assert "not verified" in every.nth(0).inner_text()
    assert every.nth(0).locator(".status").evaluate("e => getComputedStyle(e).backgroundColor") == GREY
    rows = every.filter(has_text="Sous Chef")
    assert rows.count() == 2
    newest, oldest = rows.nth(0).inner_text(), rows.nth(1).inner_text()
    assert "2.0.0" in newest and "1.1.0" in newest and "failed" in newest
    assert "1.0.0" in oldest and "verified" in oldest
    assert rows.nth(0).locator(".status").evaluate("e => getComputedStyle(e).backgroundColor") == RED
    assert rows.nth(1).locator(".status").evaluate("e => getComputedStyle(e).backgroundColor") == GREEN
    environments = page.locator("table.environments").inner_text()
    assert "Grill Chef 1.0.0 (deployed)" in environments and "Sous Chef 1.0.0 (deployed)" in environments
    _screenshot(page, tmp_path, "matrix")

    rows.nth(0).get_by_role("link", name="failed").click()
    page.wait_for_url("**/verification-results/*")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Verification of the pact")
    assert _background(page, ".summary .status") == RED
    assert "a request for a rare steak" in page.locator("pre.results").inner_text()


def test_the_network_is_an_svg_of_who_consumes_whom(page: Page, broker: str, tmp_path: Path) -> None:
    page.goto(broker + "/network")
    nodes = page.locator("svg a.node")
    labels = nodes.locator("text").all_text_contents()
    assert sorted(labels) == ["Grill Chef", "Sous <script>docume…", "Sous Chef"]
    assert f"Sous {HOSTILE} Chef" in nodes.locator("title").all_text_contents()  # the whole name, as its tooltip
    red = page.locator("svg path.edge-failed")
    assert red.count() == 1 and red.evaluate("e => getComputedStyle(e).stroke") == RED
    box = page.locator("svg").bounding_box()
    assert box is not None and box["width"] > 300
    _screenshot(page, tmp_path, "network")
    nodes.filter(has_text="Grill Chef").click()
    page.wait_for_url("**/pacticipants/Grill%20Chef")


def test_markup_in_names_descriptions_and_bodies_shows_as_text(page: Page, broker: str) -> None:
    consumer = f"Sous {HOSTILE} Chef"
    pair = f"/pacts/provider/Grill%20Chef/consumer/{quote(consumer, safe='')}"
    for path in ["/", pair + "/latest", f"/pacticipants/{quote(consumer, safe='')}", "/network"]:
        page.goto(broker + path)
        assert page.evaluate("document.scripts.length") == 0, path
        assert page.title() != "pwned", path
        assert HOSTILE in page.locator("main").inner_text(), path
    page.goto(broker + pair + "/latest")
    assert page.locator("article.interaction h2").first.inner_text() == f"a request {HOSTILE}"
    assert page.locator(".body code", has_text=HOSTILE).first.inner_text() == f'"cooking": "{HOSTILE}"'
    assert page.get_by_role("heading", level=1).inner_text() == f"Pact between {consumer} and Grill Chef"


def test_a_bidi_override_shows_as_its_escape_not_as_text_turned_around(page: Page, broker: str) -> None:
    consumer = quote(f"Sous {HOSTILE} Chef", safe="")
    page.goto(f"{broker}/pacts/provider/Grill%20Chef/consumer/{consumer}/latest")
    titles = page.locator("article.interaction h2").all_inner_texts()
    # what the browser holds, not only what the page says: no override left to act on
    assert f"a request for {SPOOF}".replace("\u202e", "\\u202e") in titles
    assert not any("\u202e" in title for title in titles)


def test_the_badge_is_an_svg_the_browser_draws(page: Page, broker: str, tmp_path: Path) -> None:
    response = page.goto(broker + PAIR + "/latest/badge")
    assert response is not None and response.headers["content-type"].startswith("image/svg+xml")
    assert page.locator("svg title").text_content() == "sous chef/grill chef pact: failed"
    page.goto(broker + PAIR + "/latest/badge?label=consumer")
    assert page.locator("svg title").text_content() == "sous chef pact: failed"
    box = page.locator("svg").bounding_box()
    assert box is not None and 100 < box["width"] < 400 and box["height"] == 20
    page.locator("svg").screenshot(path=str(tmp_path / "badge.png"))


def test_no_page_asks_another_host_for_anything(context: BrowserContext, broker: str) -> None:
    """Every request of every page (the page, its stylesheet, its badges) goes to the broker."""
    made: list[str] = []
    page = context.new_page()
    page.on("request", lambda request: made.append(request.url))
    try:
        page.goto(broker + "/", wait_until="load")
        pages = [broker + "/", broker + "/network", broker + "/pacticipants/Grill%20Chef"]
        pages += [broker + PAIR + "/latest", broker + "/matrix/provider/Grill%20Chef/consumer/Sous%20Chef"]
        result = page.locator("table.pacts a", has_text="failed").first.get_attribute("href")
        assert result is not None and result.startswith("/")  # links stay on the broker
        pages.append(broker + result)
        for url in pages:
            page.goto(url, wait_until="load")
    finally:
        page.close()
    here = urlsplit(broker).netloc
    assert [url for url in made if urlsplit(url).netloc != here] == []
    assert sum(url.endswith("/ui/broker.css") for url in made) >= 1
    assert sum(url.endswith("/latest/badge") for url in made) >= 2  # the index's and the pact page's


@pytest.mark.parametrize("required", [False, True])
def test_without_chromium_the_module_skips_in_one_line_or_fails_where_required(
    monkeypatch: pytest.MonkeyPatch, required: bool
) -> None:
    monkeypatch.setattr(os.path, "exists", lambda path: False)
    monkeypatch.setattr(shutil, "which", lambda name, *args, **kwargs: None)
    monkeypatch.setenv("APACT_REQUIRE_BROWSER", "1" if required else "0")
    expected = pytest.fail.Exception if required else pytest.skip.Exception
    with pytest.raises(expected) as raised:
        _chromium()
    assert str(raised.value).splitlines()[0].startswith(NO_BROWSER)
