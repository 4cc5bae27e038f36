"""The HTTP app (``publisher.web``) over a store and output directory built by the real pipeline
(directory source over ``examples/protocols``), through TestClient and a real uvicorn server."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from publisher import jobs, service
from publisher import settings as settings_module
from publisher.jobs import Context
from publisher.settings import Settings
from publisher.store import items
from publisher.web import create_app

from .browser import free_port, run_uvicorn

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "protocols"
#: far after every example's approval date: everything is released in one build
NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
HUB = "https://hub.example.org/"


@dataclass
class Built:
    root: Path
    settings: Settings
    ctx: Context


def build_site(root: Path, protocols: Path = EXAMPLES) -> Built:
    """Run the real pipeline (poll → extract → schedule → release → render) once."""
    data = {
        "publisher": {
            "organization": "Exempelstads kommun",
            "base_url": "http://127.0.0.1:8000/",
            "output_dir": "public",
            "database_url": "sqlite:///publisher.db",
        },
        "sources": [{"id": "exempelstad", "kind": "directory", "path": str(protocols)}],
    }
    config = settings_module.from_mapping(data, root, env={})
    ctx = jobs.open_context(config, migrate=True, now=NOW)
    report = jobs.build(ctx, all_sources=True)
    assert report.released, "the examples must be released by the build"
    return Built(root, config, ctx)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    site = build_site(tmp_path_factory.mktemp("web"))
    yield site
    site.ctx.store.dispose()


@pytest.fixture(scope="module")
def client(built: Built) -> Iterator[TestClient]:
    with TestClient(create_app(built.settings, lambda: built.ctx.store)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def hub_client(built: Built) -> Iterator[TestClient]:
    settings = replace(built.settings, websub_hub=HUB)
    with TestClient(create_app(settings, lambda: built.ctx.store)) as test_client:
        yield test_client


def body_slug(built: Built) -> str:
    return next(iter(sorted(p.stem for p in (built.settings.output_dir / "feeds").glob("*.atom"))))


# --------------------------------------------------------------------------- files


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/feeds/all.atom", "application/atom+xml; charset=utf-8"),
        ("/feeds/all.rss", "application/rss+xml; charset=utf-8"),
        ("/feeds/all.json", "application/feed+json"),
        ("/feeds/socialnamnden.json", "application/feed+json"),
        ("/feeds/socialnamnden/decisions.atom", "application/atom+xml; charset=utf-8"),
        ("/feeds/index.json", "application/json"),
        ("/calendar/socialnamnden.ics", "text/calendar; charset=utf-8"),
        ("/index.opml", "text/x-opml; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/", "text/html; charset=utf-8"),
        ("/embed.js", "text/javascript; charset=utf-8"),
    ],
)
def test_media_types(client: TestClient, path: str, media_type: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert response.headers["x-content-type-options"] == "nosniff"


def test_meeting_summary_files_are_json(client: TestClient, built: Built) -> None:
    summary = next((built.settings.output_dir / "meetings").glob("*-*.json"))
    response = client.get(f"/meetings/{summary.name}")
    assert response.headers["content-type"] == "application/json"
    assert response.json() == json.loads(summary.read_bytes())


def test_file_bytes_are_the_file(client: TestClient, built: Built) -> None:
    response = client.get("/feeds/all.atom", headers={"accept-encoding": "identity"})
    assert response.content == (built.settings.output_dir / "feeds" / "all.atom").read_bytes()
    assert int(response.headers["content-length"]) == len(response.content)


def test_etag_is_strong_and_stable_across_requests(client: TestClient) -> None:
    first = client.get("/feeds/all.atom", headers={"accept-encoding": "identity"})
    second = client.get("/feeds/all.atom", headers={"accept-encoding": "identity"})
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"'), "strong ETag, not W/"
    assert second.headers["etag"] == etag
    assert first.headers["last-modified"] == second.headers["last-modified"]
    assert first.headers["cache-control"] == "public, max-age=300, must-revalidate"


def test_etag_survives_a_rewrite_with_identical_bytes_and_changes_with_new_bytes(
    client: TestClient, built: Built
) -> None:
    path = built.settings.output_dir / "feeds" / "kommunstyrelsen.rss"
    original = path.read_bytes()
    before = client.get("/feeds/kommunstyrelsen.rss").headers["etag"]
    old_inode = path.stat().st_ino
    tmp = path.with_name(".kommunstyrelsen.rss.tmp")
    tmp.write_bytes(original)
    os.utime(tmp, ns=(time.time_ns() + 5_000_000_000,) * 2)
    os.replace(tmp, path)  # what the atomic writer does: a new inode and a new mtime
    assert path.stat().st_ino != old_inode
    after = client.get("/feeds/kommunstyrelsen.rss")
    assert after.headers["etag"] == before
    assert client.get(
        "/feeds/kommunstyrelsen.rss", headers={"if-none-match": before}
    ).status_code == (304)
    try:
        path.write_bytes(original.replace(b"</channel>", b"<!-- changed --></channel>"))
        os.utime(path, ns=(time.time_ns() + 10_000_000_000,) * 2)
        changed = client.get("/feeds/kommunstyrelsen.rss")
        assert changed.headers["etag"] != before
        assert client.get(
            "/feeds/kommunstyrelsen.rss", headers={"if-none-match": before}
        ).status_code == (200)
    finally:
        path.write_bytes(original)


def test_if_none_match_gives_304_without_a_body(client: TestClient) -> None:
    first = client.get("/feeds/socialnamnden.atom", headers={"accept-encoding": "identity"})
    etag = first.headers["etag"]
    for sent in (etag, f"W/{etag}", f'"nope", {etag}', "*"):
        response = client.get(
            "/feeds/socialnamnden.atom",
            headers={"if-none-match": sent, "accept-encoding": "identity"},
        )
        assert response.status_code == 304, sent
        assert response.content == b""
        assert response.headers["etag"] == etag
        assert response.headers["cache-control"] == first.headers["cache-control"]
        assert response.headers["access-control-allow-origin"] == "*"
    stale = client.get("/feeds/socialnamnden.atom", headers={"if-none-match": '"stale"'})
    assert stale.status_code == 200


def test_if_modified_since(client: TestClient) -> None:
    first = client.get("/feeds/all.json")
    modified = first.headers["last-modified"]
    again = client.get("/feeds/all.json", headers={"if-modified-since": modified})
    assert again.status_code == 304
    old = client.get(
        "/feeds/all.json", headers={"if-modified-since": "Sun, 01 Jan 2000 00:00:00 GMT"}
    )
    assert old.status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2)
    both = client.get(
        "/feeds/all.json", headers={"if-modified-since": modified, "if-none-match": '"other"'}
    )
    assert both.status_code == 200


def test_head_has_the_headers_and_no_body(client: TestClient) -> None:
    get = client.get("/feeds/all.rss", headers={"accept-encoding": "identity"})
    head = client.head("/feeds/all.rss", headers={"accept-encoding": "identity"})
    assert head.status_code == 200
    assert head.content == b""
    for name in ("etag", "content-type", "content-length", "last-modified", "cache-control"):
        assert head.headers[name] == get.headers[name]


def test_gzip_negotiation_and_its_own_strong_etag(client: TestClient) -> None:
    plain = client.get("/feeds/all.atom", headers={"accept-encoding": "identity"})
    zipped = client.get("/feeds/all.atom", headers={"accept-encoding": "br, gzip;q=0.8"})
    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert plain.headers["vary"] == zipped.headers["vary"] == "Accept-Encoding"
    # httpx decodes transparently; the bytes on the wire are smaller
    assert zipped.content == plain.content
    assert int(zipped.headers["content-length"]) < len(plain.content)
    assert zipped.headers["etag"] != plain.headers["etag"]
    assert not zipped.headers["etag"].startswith("W/")
    again = client.get("/feeds/all.atom", headers={"accept-encoding": "gzip"})
    assert again.headers["etag"] == zipped.headers["etag"], "gzip output is deterministic"
    # a validator of either representation revalidates the current content
    for tag in (plain.headers["etag"], zipped.headers["etag"]):
        response = client.get(
            "/feeds/all.atom", headers={"accept-encoding": "gzip", "if-none-match": tag}
        )
        assert response.status_code == 304
        assert response.headers["etag"] == zipped.headers["etag"]
    refused = client.get("/feeds/all.atom", headers={"accept-encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers


@pytest.mark.parametrize(
    "path",
    [
        "/feeds/all.atom",
        "/feeds/all.rss",
        "/feeds/all.json",
        "/feeds/index.json",
        "/calendar/socialnamnden.ics",
        "/index.opml",
        "/api/v1/bodies",
        "/api/v1/meetings",
    ],
)
def test_cors_for_public_data(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"origin": "https://www.example.se"})
    assert response.headers["access-control-allow-origin"] == "*"


def test_cors_preflight_for_conditional_requests(client: TestClient) -> None:
    response = client.options(
        "/feeds/all.json",
        headers={
            "origin": "https://www.example.se",
            "access-control-request-method": "GET",
            "access-control-request-headers": "if-none-match",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    assert "If-None-Match" in response.headers["access-control-allow-headers"]


def test_no_cors_for_html_and_operations(client: TestClient) -> None:
    assert "access-control-allow-origin" not in client.get("/index.html").headers
    assert "access-control-allow-origin" not in client.get("/healthz").headers
    assert "access-control-allow-origin" not in client.get("/admin/status").headers


def test_websub_link_headers(client: TestClient, hub_client: TestClient) -> None:
    assert "link" not in client.get("/feeds/all.atom").headers
    for path in ("/feeds/all.atom", "/feeds/socialnamnden.rss", "/feeds/socialnamnden.json"):
        links = httpx.Response(200, headers=hub_client.get(path).headers).links
        assert links["hub"]["url"] == HUB
        assert links["self"]["url"] == "http://127.0.0.1:8000" + path
    # revalidation keeps the links (a hub-aware reader may only ever see 304s)
    first = hub_client.get("/feeds/all.atom")
    again = hub_client.get("/feeds/all.atom", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304 and again.headers["link"] == first.headers["link"]
    assert "link" not in hub_client.get("/feeds/index.json").headers
    assert "link" not in hub_client.get("/calendar/socialnamnden.ics").headers


def test_missing_file_is_a_json_404(client: TestClient) -> None:
    response = client.get("/feeds/no-such-body.atom")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"detail": "Not Found"}


def test_hidden_and_temporary_files_are_not_served(client: TestClient, built: Built) -> None:
    hidden = built.settings.output_dir / "feeds" / ".all.atom.x1y2.tmp"
    hidden.write_bytes(b"half a feed")
    try:
        assert client.get("/feeds/.all.atom.x1y2.tmp").status_code == 404
    finally:
        hidden.unlink()


def _raw_get(base: str, target: str) -> tuple[int, bytes]:
    """A request with the target exactly as given (clients normalise ``..`` away)."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data


def test_path_traversal_is_refused_on_a_real_server(built: Built) -> None:
    secret = built.root / "secret.txt"
    secret.write_text("database password", "utf-8")
    (built.settings.output_dir / "escape").unlink(missing_ok=True)
    (built.settings.output_dir / "escape").symlink_to(secret)
    app = create_app(built.settings, lambda: built.ctx.store)
    try:
        with run_uvicorn(app) as base:
            for target in (
                "/../secret.txt",
                "/feeds/../../secret.txt",
                "/%2e%2e/secret.txt",
                "/feeds/%2e%2e/%2e%2e/secret.txt",
                "/feeds/..%2f..%2fsecret.txt",
                "/..%5csecret.txt",
                "/escape",
                "/" + str(secret),
                "//" + str(secret),
            ):
                status, data = _raw_get(base, target)
                assert status in (400, 404), target
                assert b"database password" not in data, target
            assert _raw_get(base, "/feeds/all.atom")[0] == 200
    finally:
        (built.settings.output_dir / "escape").unlink()


# --------------------------------------------------------------------------- real server


def test_real_uvicorn_server_200_304_gzip(built: Built) -> None:
    app = create_app(built.settings, lambda: built.ctx.store)
    with run_uvicorn(app) as base, httpx.Client(base_url=base) as http:
        first = http.get("/feeds/socialnamnden.atom", headers={"accept-encoding": "gzip"})
        assert first.status_code == 200
        assert first.headers["content-encoding"] == "gzip"
        assert first.headers["content-type"] == "application/atom+xml; charset=utf-8"
        second = http.get(
            "/feeds/socialnamnden.atom",
            headers={"accept-encoding": "gzip", "if-none-match": first.headers["etag"]},
        )
        assert second.status_code == 304
        assert second.headers["etag"] == first.headers["etag"]
        raw = http.get("/feeds/socialnamnden.atom", headers={"accept-encoding": "identity"})
        assert raw.content == first.content  # httpx decoded the gzip body
        assert "content-encoding" not in raw.headers
        api = http.get("/api/v1/meetings", params={"body": "socialnamnden"})
        assert api.status_code == 200
        assert [m["body"]["slug"] for m in api.json()["meetings"]] == ["socialnamnden"]


def test_publisher_run_serves_the_app_and_stops(built: Built) -> None:
    port = free_port()
    settings = replace(built.settings, port=port, host="127.0.0.1")
    ctx = Context(settings=settings, store=built.ctx.store, fixed_now=NOW)
    ticks: list[float] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=service.serve, args=(ctx, lambda: ticks.append(time.monotonic()), stop)
    )
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/feeds/all.atom", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        assert response.status_code == 200
        assert response.headers["etag"]
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/bodies").status_code == 200
        assert ticks, "the scheduler runs beside the server"
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


# --------------------------------------------------------------------------- API


def test_bodies(client: TestClient) -> None:
    bodies = client.get("/api/v1/bodies").json()
    slugs = [b["slug"] for b in bodies]
    assert slugs == sorted(slugs)
    assert {"socialnamnden", "kommunstyrelsen", "barn-och-utbildningsnamnden"} <= set(slugs)
    social = next(b for b in bodies if b["slug"] == "socialnamnden")
    assert social["name"] == "Socialnämnden"
    assert social["meetings"] == 1
    assert social["latest_meeting_date"] == "2024-06-18"
    assert social["feeds"]["meetings"]["json"] == "http://127.0.0.1:8000/feeds/socialnamnden.json"
    assert social["embed"] == "http://127.0.0.1:8000/embed/socialnamnden"


def test_meetings_newest_first_with_paging(client: TestClient) -> None:
    everything = client.get("/api/v1/meetings").json()["meetings"]
    dates = [m["date"] for m in everything]
    assert dates == sorted(dates, reverse=True)
    assert len(everything) == 3
    seen: list[str] = []
    url: str | None = "/api/v1/meetings?limit=1"
    while url:
        page = client.get(url.removeprefix("http://127.0.0.1:8000")).json()
        seen += [m["id"] for m in page["meetings"]]
        url = page["next"]
    assert seen == [m["id"] for m in everything]
    older = client.get("/api/v1/meetings", params={"before": "2024-06-14"}).json()["meetings"]
    assert all(m["date"] < "2024-06-14" for m in older) and older


def test_meetings_filter_by_body(client: TestClient) -> None:
    result = client.get("/api/v1/meetings", params={"body": "kommunstyrelsen"}).json()
    assert [m["body"]["name"] for m in result["meetings"]] == ["Kommunstyrelsen"]
    assert client.get("/api/v1/meetings", params={"body": "ingen"}).json()["meetings"] == []


def test_meeting_detail_hides_confidential_items(client: TestClient, built: Built) -> None:
    meeting_id = client.get("/api/v1/meetings", params={"body": "socialnamnden"}).json()[
        "meetings"
    ][0]["id"]
    detail = client.get(f"/api/v1/meetings/{meeting_id}").json()
    assert detail["counts"]["confidential"] >= 1
    secret = [i for i in detail["items"] if not i["public"]]
    public = [i for i in detail["items"] if i["public"]]
    assert len(secret) == detail["counts"]["confidential"]
    assert len(public) == detail["counts"]["public"]
    for item in secret:
        assert item["number"]
        assert {k for k, v in item.items() if v is not None} == {"number", "position", "public"}
    assert all(i["title"] for i in public)
    assert detail["location"]


def test_items_never_show_a_confidential_title(client: TestClient, built: Built) -> None:
    with built.ctx.store.engine.connect() as conn:
        hidden = conn.execute(
            sa.select(items.c.meeting_id, items.c.number).where(items.c.public.is_(False))
        ).all()
    assert hidden, "the examples contain confidential items"
    listed = client.get("/api/v1/items", params={"limit": 200}).json()["items"]
    for item in listed:
        if (item["meeting_id"], item["number"]) in set(map(tuple, hidden)):
            assert item["public"] is False
            assert item["title"] is None and item["case_number"] is None
            assert item["outcome"] is None
    assert any(not i["public"] for i in listed)


def test_items_search_and_outcome(client: TestClient) -> None:
    approved = client.get("/api/v1/items", params={"outcome": "approved"}).json()["items"]
    assert approved and all(i["outcome"] == "approved" and i["public"] for i in approved)
    found = client.get("/api/v1/items", params={"q": "ÄLDREOMSORGEN"}).json()["items"]
    assert [i["title"] for i in found] == ["Verksamhetsplan för äldreomsorgen 2025"]
    assert client.get("/api/v1/items", params={"q": "zzzz"}).json()["items"] == []


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/items?outcome=maybe", "outcome"),
        ("/api/v1/meetings?limit=0", "limit"),
        ("/api/v1/meetings?limit=1000", "limit"),
        ("/api/v1/meetings?before=yesterday", "before"),
        ("/api/v1/meetings?body=Social%20N%C3%A4mnden", "body"),
        ("/api/v1/search?format=pdf", "format"),
        ("/embed/socialnamnden?lang=fr", "lang"),
    ],
)
def test_invalid_parameters_are_422_naming_the_parameter(
    client: TestClient, path: str, field: str
) -> None:
    response = client.get(path)
    assert response.status_code == 422
    problem = response.json()["detail"][0]
    assert problem["loc"] == ["query", field]
    assert problem["msg"]


def test_unknown_meeting_is_404_json(client: TestClient) -> None:
    response = client.get("/api/v1/meetings/nope-123")
    assert response.status_code == 404
    assert response.json()["detail"] == "no published meeting with this id"


def test_search_feeds(client: TestClient) -> None:
    pytest.importorskip("feeds.search")
    response = client.get("/api/v1/search", params={"q": "äldreomsorgen", "format": "json"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/feed+json")
    assert response.headers["access-control-allow-origin"] == "*"
    feed = response.json()
    titles = [i["title"] for i in feed["items"]]
    assert len(titles) == 1 and "Verksamhetsplan för äldreomsorgen 2025" in titles[0]
    atom = client.get("/search", params={"q": "äldreomsorgen"})
    assert atom.headers["content-type"] == "application/atom+xml; charset=utf-8"
    etag = atom.headers["etag"]
    again = client.get("/search", params={"q": "äldreomsorgen"}, headers={"if-none-match": etag})
    assert again.status_code == 304


def test_openapi_lists_the_api(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    paths = doc["paths"]
    for path in (
        "/api/v1/meetings",
        "/api/v1/meetings/{meeting_id}",
        "/api/v1/items",
        "/api/v1/search",
        "/api/v1/bodies",
        "/embed/{slug}",
    ):
        assert "get" in paths[path], path
    params = {p["name"] for p in paths["/api/v1/meetings"]["get"]["parameters"]}
    assert {"body", "limit", "before"} <= params
    schemas = doc["components"]["schemas"]
    assert "MeetingDetail" in schemas and "Item" in schemas
    assert client.get("/docs").status_code == 200


# --------------------------------------------------------------------------- embed page


def test_embed_page_is_static_accessible_and_frameable(client: TestClient) -> None:
    response = client.get("/embed/socialnamnden")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "x-frame-options" not in response.headers
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors *" in csp and "default-src 'none'" in csp
    from lxml import html as lxml_html

    doc = lxml_html.fromstring(response.content)
    assert doc.get("lang") == "sv"
    assert doc.xpath("//h1/text()") == ["Socialnämnden: senaste protokollen"]
    assert doc.xpath("//ul/li/a/text()") == ["Socialnämnden 18 juni 2024 i korthet"]
    assert doc.xpath("//ul/li/time/@datetime") == ["2024-06-18"]
    assert not doc.xpath("//script | //link | //img | //iframe | //*[@src]")


def test_embed_page_language_and_limit(client: TestClient) -> None:
    from lxml import html as lxml_html

    english = lxml_html.fromstring(client.get("/embed/socialnamnden?lang=en").content)
    assert english.get("lang") == "en"
    assert english.xpath("//time/text()") == ["18 June 2024"]
    german = lxml_html.fromstring(client.get("/embed/socialnamnden?lang=de&limit=1").content)
    assert german.xpath("//h1/text()") == ["Socialnämnden: neueste Protokolle"]


def test_embed_page_for_an_unknown_body(client: TestClient) -> None:
    response = client.get("/embed/no-such-body")
    assert response.status_code == 404
    assert "inga protokoll" in response.text.lower()
    assert client.get("/embed/..%2f..%2fsecret").status_code == 404


# --------------------------------------------------------------------------- HTTP caching of
# generated responses (API, search, embed page), archive pages, WebSub on search


def _assert_validators(client: TestClient, path: str, *, last_modified: bool = True) -> None:
    first = client.get(path, headers={"accept-encoding": "identity"})
    assert first.status_code == 200, path
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"'), f"{path}: strong ETag, not {etag}"
    assert first.headers["cache-control"].endswith("must-revalidate"), path
    assert "max-age=" in first.headers["cache-control"]
    assert ("last-modified" in first.headers) is last_modified, path
    again = client.get(path, headers={"accept-encoding": "identity", "if-none-match": etag})
    assert again.status_code == 304 and again.content == b"", path
    assert again.headers["etag"] == etag
    # the gzip variant is another byte sequence: its own strong tag, and a 304 for either
    packed = client.get(path, headers={"accept-encoding": "gzip"})
    if packed.headers.get("content-encoding") == "gzip":
        assert packed.headers["etag"] == etag[:-1] + '.gz"', path
        assert packed.content == first.content
    both = client.get(path, headers={"accept-encoding": "gzip", "if-none-match": etag})
    assert both.status_code == 304, path
    other = client.get(path, headers={"accept-encoding": "identity", "if-none-match": '"x"'})
    assert other.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/bodies",
        "/api/v1/meetings",
        "/api/v1/meetings?body=socialnamnden",
        "/api/v1/items",
        "/api/v1/items?q=%C3%A4ldreomsorgen",
    ],
)
def test_api_has_strong_etag_last_modified_cache_control_and_304(
    client: TestClient, path: str
) -> None:
    _assert_validators(client, path)
    cache_control = client.get(path).headers["cache-control"]
    assert cache_control == "public, max-age=60, must-revalidate"


def test_api_meeting_detail_validators(client: TestClient) -> None:
    meeting = client.get("/api/v1/meetings").json()["meetings"][0]
    _assert_validators(client, f"/api/v1/meetings/{meeting['id']}")
    modified = client.get(f"/api/v1/meetings/{meeting['id']}").headers["last-modified"]
    published = datetime.fromisoformat(meeting["updated_at"])
    from email.utils import parsedate_to_datetime

    assert parsedate_to_datetime(modified) == published.replace(microsecond=0)


def test_api_json_is_what_fastapi_would_send(client: TestClient) -> None:
    bodies = client.get("/api/v1/bodies", headers={"accept-encoding": "gzip"})
    assert bodies.headers["content-type"] == "application/json"
    assert bodies.headers["access-control-allow-origin"] == "*"
    assert bodies.json()[0]["feeds"]["meetings"]["json"].endswith(".json")  # by alias
    assert "json_feed" not in bodies.text


def test_search_and_embed_have_strong_etags(client: TestClient) -> None:
    pytest.importorskip("feeds.search")
    _assert_validators(client, "/search?q=%C3%A4ldreomsorgen", last_modified=False)
    _assert_validators(client, "/api/v1/search?format=json", last_modified=False)
    _assert_validators(client, "/embed/socialnamnden", last_modified=False)


def test_search_feeds_do_not_announce_the_hub(hub_client: TestClient) -> None:
    """The hub is pinged for rendered feeds only; a search result never gets a ping."""
    pytest.importorskip("feeds.search")
    for fmt in ("atom", "rss", "json"):
        for path in ("/search", "/api/v1/search"):
            response = hub_client.get(path, params={"q": "äldreomsorgen", "format": fmt})
            assert response.status_code == 200
            assert 'rel="hub"' not in response.headers.get("link", ""), (path, fmt)
            assert HUB not in response.text and '"hubs"' not in response.text
    # the files still carry it
    assert 'rel="hub"' in hub_client.get("/feeds/all.atom").headers["link"]


def test_archive_pages_are_revalidated(client: TestClient, built: Built) -> None:
    page = built.settings.output_dir / "feeds" / "archive" / "kommunstyrelsen" / "1.atom"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_bytes((built.settings.output_dir / "feeds" / "kommunstyrelsen.atom").read_bytes())
    try:
        response = client.get("/feeds/archive/kommunstyrelsen/1.atom")
        assert response.headers["cache-control"] == "public, max-age=3600, must-revalidate"
        etag = response.headers["etag"]
        assert etag.startswith('"')
        again = client.get("/feeds/archive/kommunstyrelsen/1.atom", headers={"if-none-match": etag})
        assert again.status_code == 304
    finally:
        page.unlink()


# --------------------------------------------------------------------------- reserved slugs


def build_reserved_site(root: Path, body: str = "Search", language: str = "en") -> Built:
    """A body whose slug ("search") names an instance-wide file: the renderer moves its feeds
    to ``feeds/search-body.*``. Its source labels in English."""
    protocols = root / "protocols"
    protocols.mkdir()
    copy = protocols / "socialnamnden-2024-06-18.html"
    copy.write_bytes((EXAMPLES / copy.name).read_bytes())
    old = time.time() - 3600  # the directory source skips files still being written
    os.utime(copy, (old, old))
    data = {
        "publisher": {
            "organization": "Exempelstads kommun",
            "base_url": "http://127.0.0.1:8000/",
            "output_dir": "public",
            "database_url": "sqlite:///publisher.db",
        },
        "sources": [
            {
                "id": "reserverad",
                "kind": "directory",
                "path": str(protocols),
                "body": body,
                "language": language,
            }
        ],
    }
    config = settings_module.from_mapping(data, root, env={})
    ctx = jobs.open_context(config, migrate=True, now=NOW)
    report = jobs.build(ctx, all_sources=True)
    assert report.released
    assert (config.output_dir / "feeds" / "search-body.json").exists()
    assert not (config.output_dir / "feeds" / "search.json").exists()
    return Built(root, config, ctx)


@pytest.fixture(scope="module")
def reserved(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    site = build_reserved_site(tmp_path_factory.mktemp("reserved"))
    yield site
    site.ctx.store.dispose()


def test_reserved_body_slug_links_and_embed_page(reserved: Built) -> None:
    with TestClient(create_app(reserved.settings, lambda: reserved.ctx.store)) as test_client:
        (body,) = test_client.get("/api/v1/bodies").json()
        assert body["slug"] == "search"
        base = "http://127.0.0.1:8000/"
        assert body["feeds"]["meetings"]["json"] == base + "feeds/search-body.json"
        assert body["feeds"]["decisions"]["atom"] == base + "feeds/search-body/decisions.atom"
        assert body["feeds"]["calendar"] == base + "calendar/search-body.ics"
        for url in (*body["feeds"]["meetings"].values(), body["feeds"]["calendar"]):
            assert test_client.get(url.removeprefix(base[:-1])).status_code == 200, url

        from lxml import html as lxml_html

        page = test_client.get("/embed/search")
        assert page.status_code == 200
        doc = lxml_html.fromstring(page.content)
        assert doc.xpath("//h1/text()") == ["Search: latest minutes"], "the feed's language"
        assert doc.get("lang") == "en"
        assert len(doc.xpath("//ul/li")) == 1
        (subscribe,) = doc.xpath("//a[@type='application/atom+xml']/@href")
        assert subscribe == base + "feeds/search-body.atom"


# --------------------------------------------------------------------------- embed languages


def test_embed_page_marks_titles_in_the_bodys_language(client: TestClient) -> None:
    from lxml import html as lxml_html

    english = lxml_html.fromstring(client.get("/embed/socialnamnden?lang=en").content)
    assert english.get("lang") == "en"
    (entry,) = english.xpath("//ul/li")
    assert entry.get("lang") == "sv-SE", "the title is Swedish inside English labels"
    assert entry.xpath("time/@lang") == ["en"], "the date is written in the labels' language"
    swedish = lxml_html.fromstring(client.get("/embed/socialnamnden").content)
    assert swedish.xpath("//ul/li/@lang") == [] and swedish.xpath("//time/@lang") == []
