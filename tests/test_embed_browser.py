"""The embed snippet and the iframe page in real headless Chromium.

The app (uvicorn) serves a real build of ``examples/protocols``; the host page comes from a
separate ``http.server`` on another port, so the widget's feed request is cross-origin and only
works because the feed carries CORS headers. Screenshots go to ``$PUBLISHER_TEST_ARTIFACTS``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from publisher.web import create_app

from .browser import browser, browser_page, run_uvicorn, screenshot, serve_directory  # noqa: F401
from .test_web import Built, build_reserved_site, build_site

pytestmark = pytest.mark.slow

HOST_PAGE = """<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<title>Exempelstads kommun</title>
<style>
  /* a hostile host stylesheet: none of it may reach the widget */
  body {{ font-family: Georgia, serif; background: #fafaf0; }}
  h2, li, a, time, p {{ color: rgb(255, 0, 0) !important; font-size: 40px !important; }}
  ul {{ list-style: square; }}
</style>
</head>
<body>
<h1>Socialnämnden</h1>
<p id="intro">Senaste nytt från nämnden.</p>
<script src="{app}/embed.js" data-body="socialnamnden" data-limit="5"></script>
<div id="english">
<script src="{app}/embed.js" data-body="kommunstyrelsen" data-lang="en"
        data-heading-level="3"></script>
</div>
<div id="broken">
<script src="{app}/embed.js" data-body="finns-inte"></script>
</div>
<iframe id="frame" title="Protokoll" src="{app}/embed/socialnamnden?lang=nb"
        width="600" height="220"></iframe>
</body>
</html>
"""


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site: Built = build_site(tmp_path_factory.mktemp("embed"))
    feed = site.settings.output_dir / "feeds" / "socialnamnden.json"
    assert feed.exists(), "the renderer writes feeds/<slug>.json"
    with run_uvicorn(create_app(site.settings, lambda: site.ctx.store)) as url:
        yield url
    site.ctx.store.dispose()


#: an English municipal page embedding a Swedish body, and a page without a language
#: embedding a body whose slug is reserved ("search": its feeds are feeds/search-body.*) and
#: whose source labels in English
OTHER_PAGES = {
    "english.html": """<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Exempelstad in English</title></head>
<body><h1>Social services committee</h1>
<script src="{app}/embed.js" data-body="socialnamnden"></script>
</body></html>
""",
    "nolang.html": """<!doctype html>
<html><head><meta charset="utf-8"><title>Search</title></head>
<body><h1>Search</h1>
<script src="{reserved}/embed.js" data-body="search"></script>
</body></html>
""",
}


@pytest.fixture(scope="module")
def reserved_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site: Built = build_reserved_site(tmp_path_factory.mktemp("embed-reserved"))
    with run_uvicorn(create_app(site.settings, lambda: site.ctx.store)) as url:
        yield url
    site.ctx.store.dispose()


@pytest.fixture(scope="module")
def host_url(
    tmp_path_factory: pytest.TempPathFactory, app_url: str, reserved_url: str
) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("host")
    (root / "index.html").write_text(HOST_PAGE.format(app=app_url), "utf-8")
    for name, text in OTHER_PAGES.items():
        (root / name).write_text(text.format(app=app_url, reserved=reserved_url), "utf-8")
    with serve_directory(root) as url:
        yield url


def test_embed_script_renders_the_latest_meetings_cross_origin(
    browser_page: Any,  # noqa: F811
    app_url: str,
    host_url: str,
) -> None:
    page = browser_page
    assert host_url.rsplit(":", 1)[1] != app_url.rsplit(":", 1)[1], "two origins"
    feed_requests: list[str] = []
    page.on("requestfinished", lambda r: feed_requests.append(r.url) if "/feeds/" in r.url else 0)
    page.goto(host_url + "/index.html")
    widget = page.locator(".meeting-publisher-embed[data-body=socialnamnden]")
    widget.and_(page.locator("[data-state=ready]")).wait_for(timeout=10_000)

    # Playwright's CSS locators pierce open shadow roots
    heading = widget.get_by_role("heading", level=2)
    assert heading.inner_text() == "Socialnämnden: senaste protokollen"
    items = widget.get_by_role("listitem")
    assert items.count() == 1
    link = items.first.get_by_role("link")
    assert link.inner_text() == "Socialnämnden 18 juni 2024 i korthet"
    assert link.get_attribute("href", timeout=1000).endswith(".html")
    time_el = items.first.locator("time")
    assert time_el.get_attribute("datetime") == "2024-06-18"
    assert time_el.inner_text() == "18 juni 2024"
    assert widget.get_attribute("lang") == "sv"
    assert f"{app_url}/feeds/socialnamnden.json" in feed_requests

    # isolation: the host page's !important rules do not reach into the shadow root
    color = link.evaluate("e => getComputedStyle(e).color")
    size = link.evaluate("e => getComputedStyle(e).fontSize")
    assert color != "rgb(255, 0, 0)" and size == "16px"
    # and the widget's styles do not leak out: the host paragraph keeps the host's rules
    assert page.locator("#intro").evaluate("e => getComputedStyle(e).fontSize") == "40px"

    english = page.locator(".meeting-publisher-embed[data-body=kommunstyrelsen]")
    english.and_(page.locator("[data-state=ready]")).wait_for(timeout=10_000)
    assert english.get_by_role("heading", level=3).inner_text() == (
        "Kommunstyrelsen: latest minutes"
    )
    assert english.locator("time").first.inner_text() == "11 June 2024"
    assert english.get_attribute("lang") == "en"

    broken = page.locator(".meeting-publisher-embed[data-body=finns-inte]")
    broken.and_(page.locator("[data-state=error]")).wait_for(timeout=10_000)
    assert broken.get_by_role("status").inner_text() == "Protokollen kunde inte hämtas just nu."

    frame = page.frame_locator("#frame")
    assert frame.get_by_role("heading", level=1).inner_text(timeout=10_000) == (
        "Socialnämnden: siste protokoller"
    )
    path = screenshot(page, "embed-script-host-page")
    assert path.stat().st_size > 1000


def test_embed_page_works_with_javascript_off(browser: Any, app_url: str) -> None:  # noqa: F811
    context = browser.new_context(java_script_enabled=False, viewport={"width": 600, "height": 400})
    try:
        page = context.new_page()
        response = page.goto(app_url + "/embed/socialnamnden")
        assert response is not None and response.status == 200
        assert page.locator("html").get_attribute("lang") == "sv"
        assert page.get_by_role("heading", level=1).inner_text() == (
            "Socialnämnden: senaste protokollen"
        )
        items = page.get_by_role("list").get_by_role("listitem")
        assert items.count() == 1
        assert items.first.get_by_role("link").inner_text() == (
            "Socialnämnden 18 juni 2024 i korthet"
        )
        assert items.first.locator("time").inner_text() == "18 juni 2024"
        path = screenshot(page, "embed-page-no-javascript")
        assert path.stat().st_size > 1000
    finally:
        context.close()


def test_embed_script_labels_in_the_page_language_titles_in_the_bodys(
    browser_page: Any,  # noqa: F811
    host_url: str,
) -> None:
    page = browser_page
    page.goto(host_url + "/english.html")
    widget = page.locator(".meeting-publisher-embed[data-body=socialnamnden]")
    widget.and_(page.locator("[data-state=ready]")).wait_for(timeout=10_000)
    assert widget.get_attribute("lang") == "en", "the page's language (en-GB) picks the labels"
    assert widget.get_by_role("heading", level=2).inner_text() == ("Socialnämnden: latest minutes")
    entry = widget.get_by_role("listitem").first
    assert entry.get_attribute("lang") == "sv-SE", "a Swedish title says so"
    assert entry.get_by_role("link").inner_text() == "Socialnämnden 18 juni 2024 i korthet"
    time_el = entry.locator("time")
    assert time_el.inner_text() == "18 June 2024"
    assert time_el.get_attribute("lang") == "en"
    path = screenshot(page, "embed-script-english-host-page")
    assert path.stat().st_size > 1000


def test_embed_script_reserved_slug_and_the_feeds_own_language(
    browser_page: Any,  # noqa: F811
    host_url: str,
    reserved_url: str,
) -> None:
    page = browser_page
    requests: list[str] = []
    page.on("requestfinished", lambda r: requests.append(r.url) if "/feeds/" in r.url else 0)
    page.goto(host_url + "/nolang.html")
    widget = page.locator(".meeting-publisher-embed[data-body=search]")
    widget.and_(page.locator("[data-state=ready]")).wait_for(timeout=10_000)
    # no data-lang, no page language: the feed's own (en), not the Swedish default
    assert widget.get_attribute("lang") == "en"
    assert widget.get_by_role("heading", level=2).inner_text() == "Search: latest minutes"
    entries = widget.get_by_role("listitem")
    assert entries.count() == 1
    assert entries.first.get_attribute("lang") is None, "title and labels share a language"
    subscribe = widget.locator("a[type='application/atom+xml']")
    assert subscribe.get_attribute("href") == f"{reserved_url}/feeds/search-body.atom"
    assert f"{reserved_url}/feeds/search-body.json" in requests
    assert f"{reserved_url}/feeds/search.json" not in requests
    path = screenshot(page, "embed-script-reserved-slug")
    assert path.stat().st_size > 1000
