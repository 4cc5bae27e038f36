"""The public status page and the operator page in headless Chromium, with screenshots.

The real web app (``publisher.web.create_app``, which includes the ops router) over a
database after a real pipeline pass with one healthy and one failing source.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from publisher import jobs, settings
from publisher.jobs import Context
from publisher.opsweb import COOKIE
from publisher.web import create_app

from .browser import browser, browser_page, run_uvicorn, screenshot  # noqa: F401
from .conftest import ROOT
from .test_admin import NOW, TOKEN

pytestmark = pytest.mark.slow

SECRET_ERROR = "secret-internal-path-xyz"  # noqa: S105 - a marker, not a password


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[Context]:
    examples = ROOT / "examples" / "protocols"
    (tmp_path / "drop").mkdir()
    (tmp_path / "board").mkdir()
    for name in ("kommunstyrelsen-2024-06-11.html", "barn-och-utbildningsnamnden-2024-06-13.html"):
        shutil.copy2(examples / name, tmp_path / "drop" / name)
    shutil.copy2(examples / "socialnamnden-2024-06-18.html", tmp_path / "board")
    broken = tmp_path / "drop" / "trasig.html"
    broken.write_bytes(b"<html><body><p>Inget protokoll.</p></body></html>")
    os.utime(broken, (NOW.timestamp() - 86400, NOW.timestamp() - 86400))
    (tmp_path / "publisher.toml").write_text(
        f"""
[publisher]
organization = "Exempelstads kommun"
database_url = "sqlite:///{tmp_path}/p.db"
output_dir = "public"
admin_token = "{TOKEN}"

[[sources]]
id = "drop"
kind = "directory"
path = "drop"
publish_delay = "P2D"

[[sources]]
id = "board"
kind = "directory"
path = "board"
publish_delay = "PT0S"
""",
        "utf-8",
    )
    context = jobs.open_context(
        settings.load(tmp_path / "publisher.toml", env={}), migrate=True, now=NOW
    )
    jobs.build(context, all_sources=True)
    # a source that keeps failing (one transient error is only "backing off", still reachable)
    for attempt in range(5):
        later = NOW + timedelta(minutes=20 + 10 * attempt)
        context.store.record_poll(
            "board",
            later,
            ok=False,
            next_poll_at=later + timedelta(minutes=5),
            error=f"connection refused ({SECRET_ERROR})",
            reason="transient:FetchFailed",
        )
    yield context
    context.store.dispose()


@pytest.fixture
def base_url(ctx: Context) -> Iterator[str]:
    with run_uvicorn(create_app(ctx.settings, store_factory=lambda: ctx.store)) as url:
        yield url


def test_public_status_page(base_url: str, browser_page: Any) -> None:  # noqa: F811
    page = browser_page
    response = page.goto(f"{base_url}/status")
    assert response.status == 200
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert page.locator("h1").inner_text().startswith("Exempelstads kommun")
    rows = {
        row.locator("th").inner_text(): [c.inner_text() for c in row.locator("td").all()]
        for row in page.locator("tbody tr").all()
    }
    assert set(rows) == {"Barn- och utbildningsnämnden", "Kommunstyrelsen", "Socialnämnden"}
    assert rows["Kommunstyrelsen"][1] == "yes"
    assert rows["Kommunstyrelsen"][0].startswith("2024-06-21")
    assert rows["Socialnämnden"][1] == "not at the moment"
    text = page.content()
    assert SECRET_ERROR not in text and "connection refused" not in text
    no_overflow = "document.documentElement.scrollWidth <= window.innerWidth"
    assert page.evaluate(no_overflow)
    shot = screenshot(page, "ops-public-status")
    assert shot.stat().st_size > 5000
    data = page.request.get(f"{base_url}/status.json").json()
    assert {b["body"] for b in data["bodies"]} == set(rows)
    assert SECRET_ERROR not in str(data)


def test_operator_page_signs_in_with_a_cookie(
    base_url: str,
    browser_page: Any,  # noqa: F811 - the fixture imported above
) -> None:
    page = browser_page
    page.goto(f"{base_url}/operator")
    assert page.url.endswith("/operator/login")  # not signed in: the form
    page.fill("#token", "wrong")
    page.click("button")
    assert page.locator("[role=alert]").inner_text() == "That token is not valid."
    screenshot(page, "ops-operator-login-refused")

    page.fill("#token", TOKEN)
    page.click("button")
    page.wait_for_url(f"{base_url}/operator")
    assert page.locator("h1").inner_text() == "Operator status"
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies[COOKIE]["httpOnly"] and cookies[COOKIE]["sameSite"] == "Strict"
    assert TOKEN not in cookies[COOKIE]["value"]
    assert page.evaluate("document.cookie") == ""  # not readable by scripts

    sources = {
        row.locator("th").inner_text(): [c.inner_text() for c in row.locator("td").all()]
        for row in page.locator("h2:has-text('Sources') + div table tbody tr").all()
    }
    assert sources["drop"][0] == "ok"
    assert sources["board"][0] == "failing"
    assert SECRET_ERROR in sources["board"][-1]  # operators do see the error
    dead = page.locator("h2:has-text('Dead letters') + div table tbody tr")
    assert dead.count() == 1 and "trasig.html" in dead.inner_text()
    events = page.locator("h2:has-text('Recent events') + div table tbody tr")
    assert events.count() > 3
    kinds = {row.locator("td").nth(1).inner_text() for row in events.all()}
    assert {"published", "scheduled", "extracted"} <= kinds
    screenshot(page, "ops-operator-page")

    page.click("text=Sign out")
    page.wait_for_url(f"{base_url}/operator/login")
    page.goto(f"{base_url}/operator")
    assert page.url.endswith("/operator/login")
