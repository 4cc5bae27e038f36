"""Sources against a real loopback HTTP server that plays a municipal website.

The server (``Site``) serves a notice board (*anslagstavla*) linking to protocols and to other
notices, protocol documents with ETag/Last-Modified and 304 handling, misbehaving routes
(429, 500, hanging, dripping, oversized, gzip bomb, redirects) and an OParl API. It records
every request it receives, so the tests assert on what actually went over the wire.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from publisher import USER_AGENT
from publisher.errors import DocumentTooLarge, FetchFailed, FetchRefused, ServerBusy
from publisher.settings import SourceConfig
from publisher.sources import MemoryValidators, PendingValidators, PollResult, directory, poll

MAX_BYTES = 256 * 1024
GZIP_BOMB_DECODED = 64 * 1024 * 1024

KS = "/dokument/ks-2024-06-12.html"
SN = "/anslagstavla/handlingar/sn-2024-06-19.html"  # linked relatively from /anslagstavla/
BUN = "/dokument/bun-protokoll-2024-06-20.html"
NOT_PROTOCOLS = (
    "/dokument/kungorelse-bygglov-eken-4.html",
    "/dokument/kallelse-kf-2024-06-24.html",
    "/politik/protokoll-och-handlingar.html",
    "/om-webbplatsen/protokoll-och-kakor.html",
)

LISTING = """<!DOCTYPE html>
<html lang="sv"><head><meta charset="utf-8"><title>Anslagstavla – Exempelstads kommun</title>
</head><body>
<header><a href="/">Exempelstads kommun</a>
  <nav><ul>
    <li><a href="/politik/protokoll-och-handlingar.html">Protokoll och handlingar</a></li>
    <li><a href="/kontakt.html">Kontakt</a></li>
  </ul></nav>
</header>
<main id="innehall">
  <h1>Anslagstavla</h1>
  <ul class="notices">
    <li><a class="doc" href="/dokument/ks-2024-06-12.html">Protokoll kommunstyrelsen
      2024-06-12</a></li>
    <li><a class="doc" href="handlingar/sn-2024-06-19.html">Justerat protokoll
      socialnämnden 2024-06-19</a>
      (<a href="handlingar/sn-2024-06-19.html#p3">protokollsutdrag § 3</a>)</li>
    <li><a class="doc" href="/dokument/bun-protokoll-2024-06-20.html">Barn- och
      utbildningsnämnden 2024-06-20</a></li>
    {extra}
    <li><a href="/dokument/kungorelse-bygglov-eken-4.html">Kungörelse bygglov Eken 4</a></li>
    <li><a href="/dokument/kallelse-kf-2024-06-24.html">Kallelse kommunfullmäktige</a></li>
    <li><a href="mailto:registrator@exempelstad.se?subject=protokoll">Begär protokoll</a></li>
    <li><a href="ftp://arkiv.exempelstad.se/protokoll/">Protokollarkiv (FTP)</a></li>
    <li><a href="#innehall">Till toppen</a></li>
  </ul>
</main>
<footer><a href="/om-webbplatsen/protokoll-och-kakor.html">Om protokoll och kakor</a></footer>
</body></html>
"""


def _http_date(day: int) -> str:
    return format_datetime(datetime(2024, 6, day, 8, 0, tzinfo=UTC), usegmt=True)


@dataclass
class Doc:
    body: bytes
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class Seen:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    at: float
    status: int = 0


def _gzip_bomb(decoded_size: int) -> bytes:
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: gzip container
    block = bytes(1 << 20)
    parts = [squeeze.compress(block) for _ in range(decoded_size >> 20)]
    parts.append(squeeze.flush())
    return b"".join(parts)


@dataclass
class Site:
    base: str = ""
    listing_extra: str = ""
    listing_etag: str = '"listing-1"'
    docs: dict[str, Doc] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    meetings: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base + path

    def requests(self, path: str | None = None) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if path is None or s.path == path]

    def forget(self) -> None:
        with self.lock:
            self.seen.clear()


class Handler(BaseHTTPRequestHandler):
    server: SiteServer
    seen: Seen
    timeout = 10

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        site = self.server.site
        parts = urlsplit(self.path)
        seen = Seen(
            path=parts.path,
            query=dict(parse_qsl(parts.query)),
            headers={k.lower(): v for k, v in self.headers.items()},
            at=time.monotonic(),
        )
        with site.lock:
            site.seen.append(seen)
        self.seen = seen
        try:
            status = self.route(site, parts.path, seen)
            seen.status = seen.status or status
        except OSError:  # the client gave up (timeouts, size caps): expected here
            self.close_connection = True

    def reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> int:
        # Record the status before the client can see the response: recorded afterwards, a
        # fast client's test read the request list while the status was still unset.
        self.seen.status = status
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if "Content-Length" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)
        return status

    def route(self, site: Site, path: str, seen: Seen) -> int:
        if path == "/anslagstavla":
            return self.reply(301, headers={"Location": "/anslagstavla/"})
        if path == "/anslagstavla/":
            if seen.headers.get("if-none-match") == site.listing_etag:
                return self.reply(304, headers={"ETag": site.listing_etag})
            body = LISTING.replace("{extra}", site.listing_extra).encode("utf-8")
            return self.reply(
                200, body, {"ETag": site.listing_etag, "Content-Type": "text/html; charset=utf-8"}
            )
        if path in site.docs:
            return self.document(site.docs[path], seen)
        if path.startswith("/oparl/"):
            return self.oparl(site, path, seen)
        special: dict[str, Callable[[], int]] = {
            "/busy": lambda: self.reply(429, headers={"Retry-After": "120"}),
            "/busy-date": lambda: self.reply(
                503,
                headers={
                    "Retry-After": format_datetime(
                        datetime.now(UTC) + timedelta(seconds=120), usegmt=True
                    )
                },
            ),
            "/error": lambda: self.reply(500, b"Internal Server Error"),
            "/gone": lambda: self.reply(410, b"Gone"),
            "/hang": lambda: self.hang(site),
            "/drip": lambda: self.drip(site),
            "/stall": lambda: self.stall(site),
            "/big": lambda: self.reply(200, b"x" * (MAX_BYTES + 1)),
            "/big-undeclared": self.big_undeclared,
            "/bomb": lambda: self.reply(
                200, self.server.bomb, {"Content-Encoding": "gzip", "Content-Type": "text/html"}
            ),
            "/gzip": lambda: self.reply(
                200,
                zlib.compress(site.docs[KS].body, wbits=31),
                {"Content-Encoding": "gzip", "Content-Type": "text/html"},
            ),
            "/redirect": lambda: self.reply(302, headers={"Location": KS}),
            "/redirect-loop": lambda: self.reply(302, headers={"Location": "/redirect-loop"}),
            "/redirect-ftp": lambda: self.reply(
                302, headers={"Location": "ftp://127.0.0.1/protokoll.html"}
            ),
        }
        if path in special:
            return special[path]()
        return self.reply(404, b"Not Found")

    def document(self, doc: Doc, seen: Seen) -> int:
        headers = {"Content-Type": "text/html; charset=utf-8"}
        if doc.etag:
            headers["ETag"] = doc.etag
        if doc.last_modified:
            headers["Last-Modified"] = doc.last_modified
        inm = seen.headers.get("if-none-match")
        ims = seen.headers.get("if-modified-since")
        if (doc.etag and inm == doc.etag) or (
            not inm and doc.last_modified and ims == doc.last_modified
        ):
            return self.reply(304, headers=headers)
        return self.reply(200, doc.body, headers)

    def hang(self, site: Site) -> int:
        site.stop.wait(5)  # longer than any request_timeout in these tests
        return self.reply(200, b"too late")

    def drip(self, site: Site) -> int:
        self.send_response(200)
        self.send_header("Content-Length", "2000")
        self.end_headers()
        for _ in range(2000):
            if site.stop.wait(0.02):
                break
            self.wfile.write(b"x")
            self.wfile.flush()
        return 200

    def stall(self, site: Site) -> int:
        # headers late, then one byte, then nothing: the body read must end at the deadline,
        # not one full read timeout after the headers
        if site.stop.wait(0.7):
            return 0
        self.send_response(200)
        self.send_header("Content-Length", "100")
        self.end_headers()
        self.wfile.write(b"x")
        self.wfile.flush()
        site.stop.wait(5)
        return 200

    def big_undeclared(self) -> int:
        # HTTP/1.0 without Content-Length: the body ends when the connection closes
        self.send_response(200)
        self.end_headers()
        sent = 0
        while sent <= MAX_BYTES:
            self.wfile.write(b"x" * 65536)
            sent += 65536
        return 200

    def oparl(self, site: Site, path: str, seen: Seen) -> int:
        base = site.base
        objects: dict[str, Any] = {
            "/oparl/system": {
                "id": f"{base}/oparl/system",
                "type": "https://schema.oparl.org/1.1/System",
                "oparlVersion": "https://schema.oparl.org/1.1/",
                "body": f"{base}/oparl/bodies",
            },
            "/oparl/bodies": {
                "data": [self.body_object(base, n) for n in ("1", "2")],
                "links": {},
            },
            "/oparl/body/1": self.body_object(base, "1"),
            "/oparl/loop": {
                "data": site.meetings["1"][:1],
                "links": {"next": f"{base}/oparl/loop"},
            },
            "/oparl/meeting/1": site.meetings["1"][0],
        }
        if path in objects:
            return self.json(objects[path])
        for body_id, meetings in site.meetings.items():
            if path == f"/oparl/body/{body_id}/meetings":
                return self.json(self.meeting_page(path, meetings, seen.query))
        return self.reply(404, b"Not Found")

    @staticmethod
    def body_object(base: str, body_id: str) -> dict[str, Any]:
        return {
            "id": f"{base}/oparl/body/{body_id}",
            "type": "https://schema.oparl.org/1.1/Body",
            "name": f"Ausschuss {body_id}",
            "meeting": f"{base}/oparl/body/{body_id}/meetings",
        }

    def meeting_page(
        self, path: str, meetings: list[dict[str, Any]], query: dict[str, str]
    ) -> dict[str, Any]:
        size = 3
        since = query.get("modified_since")
        if since:
            cutoff = datetime.fromisoformat(since)
            meetings = [m for m in meetings if datetime.fromisoformat(m["modified"]) >= cutoff]
        page = int(query.get("page", "1"))
        links = {}
        if page * size < len(meetings):
            filters = {k: v for k, v in query.items() if k != "page"}
            links["next"] = f"{self.server.site.base}{path}?" + urlencode(
                {**filters, "page": page + 1}
            )
        return {"data": meetings[(page - 1) * size : page * size], "links": links}

    def json(self, obj: Any) -> int:
        return self.reply(
            200, json.dumps(obj).encode("utf-8"), {"Content-Type": "application/json"}
        )


class SiteServer(ThreadingHTTPServer):
    # join handler threads on close, so no request outlives its test
    daemon_threads = False
    block_on_close = True

    def __init__(self, site: Site, bomb: bytes) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.site = site
        self.bomb = bomb


@pytest.fixture(scope="module")
def bomb() -> bytes:
    data = _gzip_bomb(GZIP_BOMB_DECODED)
    assert len(data) < MAX_BYTES  # small on the wire: only counting decoded bytes catches it
    return data


def _meeting(base: str, n: int, day: int, deleted: bool = False) -> dict[str, Any]:
    meeting: dict[str, Any] = {
        "id": f"{base}/oparl/meeting/{n}",
        "type": "https://schema.oparl.org/1.1/Meeting",
        "modified": f"2024-{day // 100:02d}-{day % 100:02d}T12:00:00+02:00",
    }
    if deleted:
        meeting["deleted"] = True
    else:
        meeting["name"] = f"{n}. Sitzung"
        meeting["start"] = f"2024-{day // 100:02d}-{day % 100:02d}T17:00:00+02:00"
    return meeting


@pytest.fixture
def site(bomb: bytes) -> Iterator[Site]:
    site = Site()
    server = SiteServer(site, bomb)
    host, port = server.server_address[:2]
    site.base = f"http://{host!s}:{port}"
    site.docs = {
        KS: Doc(b"<html><body><h1>Protokoll KS</h1></body></html>", '"ks-1"', _http_date(12)),
        SN: Doc(b"<html><body><h1>Protokoll SN</h1></body></html>", '"sn-1"'),
        BUN: Doc(b"<html><body><h1>Protokoll BUN</h1></body></html>", None, _http_date(20)),
        **{path: Doc(b"<html><body>not a protocol</body></html>", '"x"') for path in NOT_PROTOCOLS},
    }
    site.meetings = {
        # body 1: seven meetings over three pages, the sixth deleted
        "1": [_meeting(site.base, n, 600 + n, deleted=n == 6) for n in range(1, 8)],
        # body 2: one old meeting
        "2": [_meeting(site.base, 8, 501)],
    }
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield site
    finally:
        site.stop.set()
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def store() -> MemoryValidators:
    return MemoryValidators()


def source(site: Site, kind: str, path: str, **options: Any) -> SourceConfig:
    settings: dict[str, Any] = {"politeness": 0.0, "request_timeout": 5.0, "max_bytes": MAX_BYTES}
    settings.update(options)
    return SourceConfig(id="exempelstad", kind=kind, url=site.url(path), **settings)


def keys(result: PollResult) -> list[str]:
    return [doc.key for doc in result.documents]


def by_key(result: PollResult) -> dict[str, bytes | None]:
    return {doc.key: doc.data for doc in result.documents}


# ---------------------------------------------------------------------------- http-listing


def test_listing_first_poll_returns_every_protocol_with_its_bytes(
    site: Site, store: MemoryValidators
) -> None:
    result = poll(source(site, "http-listing", "/anslagstavla/"), store)

    assert keys(result) == [site.url(KS), site.url(SN), site.url(BUN)]
    assert by_key(result) == {site.url(p): site.docs[p].body for p in (KS, SN, BUN)}
    assert result.complete
    requested = {seen.path for seen in site.requests()}
    assert requested == {"/anslagstavla/", KS, SN, BUN}  # no menu, footer or other notices
    for seen in site.requests():
        assert seen.headers["user-agent"] == USER_AGENT
        assert "gzip" in seen.headers["accept-encoding"]
        assert "if-none-match" not in seen.headers


def test_second_poll_is_conditional_and_unchanged_documents_come_back_empty(
    site: Site, store: MemoryValidators
) -> None:
    config = source(site, "http-listing", "/anslagstavla/")
    first = poll(config, store)
    site.forget()

    second = poll(config, store, known_keys=keys(first))

    assert keys(second) == keys(first)
    assert all(doc.data is None for doc in second.documents)
    assert second.complete
    (listing,) = site.requests("/anslagstavla/")
    assert listing.headers["if-none-match"] == '"listing-1"'
    assert listing.status == 304  # the links were reused from the validators
    (ks,) = site.requests(KS)
    assert ks.headers["if-none-match"] == '"ks-1"'
    assert ks.headers["if-modified-since"] == site.docs[KS].last_modified
    (bun,) = site.requests(BUN)  # no ETag: Last-Modified alone
    assert bun.headers["if-modified-since"] == site.docs[BUN].last_modified
    assert "if-none-match" not in bun.headers
    assert [s.status for s in site.requests()] == [304, 304, 304, 304]


def test_changed_document_comes_back_with_its_new_bytes(
    site: Site, store: MemoryValidators
) -> None:
    config = source(site, "http-listing", "/anslagstavla/")
    first = poll(config, store)
    corrected = "<html><body><h1>Protokoll SN, rättat</h1></body></html>".encode()
    site.docs[SN] = Doc(corrected, '"sn-2"')

    second = poll(config, store, known_keys=keys(first))

    assert by_key(second) == {site.url(KS): None, site.url(SN): corrected, site.url(BUN): None}


def test_new_link_on_the_listing_is_fetched(site: Site, store: MemoryValidators) -> None:
    config = source(site, "http-listing", "/anslagstavla/")
    first = poll(config, store)
    site.docs["/dokument/kf-2024-06-24.html"] = Doc(b"<html><body>KF</body></html>", '"kf"')
    site.listing_extra = '<li><a href="/dokument/kf-2024-06-24.html">Protokoll KF</a></li>'
    site.listing_etag = '"listing-2"'

    second = poll(config, store, known_keys=keys(first))

    assert keys(second)[-1] == site.url("/dokument/kf-2024-06-24.html")
    assert (
        by_key(second)[site.url("/dokument/kf-2024-06-24.html")] == b"<html><body>KF</body></html>"
    )
    assert site.requests("/anslagstavla/")[-1].status == 200


def test_document_the_caller_does_not_hold_is_fetched_in_full(
    site: Site, store: MemoryValidators
) -> None:
    """Validators alone do not mean the document was stored (a crash after the poll)."""
    config = source(site, "http-listing", "/anslagstavla/")
    poll(config, store)
    site.forget()

    second = poll(config, store, known_keys=[site.url(KS)])

    assert by_key(second) == {
        site.url(KS): None,
        site.url(SN): site.docs[SN].body,
        site.url(BUN): site.docs[BUN].body,
    }
    (sn,) = site.requests(SN)
    assert "if-none-match" not in sn.headers


def test_failed_poll_leaves_no_validators_behind(site: Site, store: MemoryValidators) -> None:
    config = source(site, "http-listing", "/anslagstavla/")
    site.listing_extra = '<li><a href="/error">Protokoll (tillfälligt fel)</a></li>'

    with pytest.raises(ServerBusy):
        poll(config, store)

    # had KS's ETag been kept, the retry would get 304 and KS would never be stored
    for path in ("/anslagstavla/", KS, SN, BUN):
        assert store.get(site.url(path)) is None
    assert store._data == {}


def test_caller_can_commit_validators_after_storing(site: Site, store: MemoryValidators) -> None:
    config = source(site, "http-listing", "/anslagstavla/")
    pending = PendingValidators(store)

    result = poll(config, pending)

    assert store.get(site.url(KS)) is None  # not yet: the caller has not stored the documents
    pending.commit()
    assert store.get(site.url(KS)) is not None
    assert keys(result) == [site.url(KS), site.url(SN), site.url(BUN)]


def test_missing_linked_document_is_skipped_and_poll_is_incomplete(
    site: Site, store: MemoryValidators
) -> None:
    site.listing_extra = '<li><a href="/dokument/borttaget-protokoll.html">Protokoll X</a></li>'

    result = poll(source(site, "http-listing", "/anslagstavla/"), store)

    assert keys(result) == [site.url(KS), site.url(SN), site.url(BUN)]
    assert all(doc.data for doc in result.documents)
    assert not result.complete  # a 404 that is still linked is not a retraction


@pytest.mark.parametrize(
    "selector",
    [
        "//a[@class='doc']",
        "//ul[@class='notices']/li/a[@class='doc']/@href",
        "ul.notices a.doc",
        "(//li[a[@class='doc']])",
    ],
)
def test_link_selector_picks_the_documents(
    site: Site, store: MemoryValidators, selector: str
) -> None:
    result = poll(source(site, "http-listing", "/anslagstavla/", link_selector=selector), store)

    # the last form selects the <li>, whose "§ 3" link is the same document
    assert keys(result) == [site.url(KS), site.url(SN), site.url(BUN)]


def test_link_pattern_replaces_the_default(site: Site, store: MemoryValidators) -> None:
    config = source(site, "http-listing", "/anslagstavla/", link_pattern="(?i)kallelse")

    result = poll(config, store)

    assert keys(result) == [site.url("/dokument/kallelse-kf-2024-06-24.html")]


def test_invalid_link_selector_is_reported(site: Site, store: MemoryValidators) -> None:
    config = source(site, "http-listing", "/anslagstavla/", link_selector="ul[[")
    with pytest.raises(FetchRefused, match="link_selector"):
        poll(config, store)


def test_listing_without_document_links_is_incomplete(site: Site, store: MemoryValidators) -> None:
    config = source(site, "http-listing", "/anslagstavla/", link_pattern="^nothing-matches$")

    result = poll(config, store)

    assert result.documents == ()
    assert not result.complete  # a redesigned page must not retract every protocol


def test_relative_links_resolve_against_the_redirected_listing(
    site: Site, store: MemoryValidators
) -> None:
    # /anslagstavla → /anslagstavla/ (the trailing-slash redirect of many CMSs)
    result = poll(source(site, "http-listing", "/anslagstavla"), store)

    assert site.url(SN) in keys(result)
    assert by_key(result)[site.url(SN)] == site.docs[SN].body
    assert result.complete


# ---------------------------------------------------------------------------- url + HTTP rules


def test_url_source_is_conditional_once_held(site: Site, store: MemoryValidators) -> None:
    config = source(site, "url", KS)
    first = poll(config, store)
    second = poll(config, store, known_keys=keys(first))

    assert by_key(first) == {site.url(KS): site.docs[KS].body}
    assert by_key(second) == {site.url(KS): None}
    assert first.complete and second.complete
    assert first.documents[0].modified == datetime(2024, 6, 12, 8, 0, tzinfo=UTC)
    assert site.requests(KS)[-1].headers["if-none-match"] == '"ks-1"'


def test_redirect_is_followed(site: Site, store: MemoryValidators) -> None:
    (doc,) = poll(source(site, "url", "/redirect"), store).documents

    assert doc.key == site.url("/redirect")
    assert doc.url == site.url(KS)
    assert doc.data == site.docs[KS].body


def test_gzip_body_is_decoded(site: Site, store: MemoryValidators) -> None:
    (doc,) = poll(source(site, "url", "/gzip"), store).documents

    assert doc.data == site.docs[KS].body


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("/busy", ServerBusy),
        ("/error", ServerBusy),
        ("/dokument/finns-inte.html", FetchRefused),
        ("/gone", FetchRefused),
        ("/big", DocumentTooLarge),
        ("/big-undeclared", DocumentTooLarge),
        ("/bomb", DocumentTooLarge),
        ("/redirect-loop", FetchRefused),
        ("/redirect-ftp", FetchRefused),
    ],
)
def test_http_failures_have_their_type(
    site: Site, store: MemoryValidators, path: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        poll(source(site, "url", path), store)
    assert store._data == {}


def test_429_carries_retry_after_seconds(site: Site, store: MemoryValidators) -> None:
    with pytest.raises(ServerBusy) as caught:
        poll(source(site, "url", "/busy"), store)
    assert caught.value.status == 429
    assert caught.value.retry_after == 120


def test_503_carries_retry_after_date(site: Site, store: MemoryValidators) -> None:
    with pytest.raises(ServerBusy) as caught:
        poll(source(site, "url", "/busy-date"), store)
    assert caught.value.retry_after is not None
    assert 115 <= caught.value.retry_after <= 120


def test_404_status_is_kept(site: Site, store: MemoryValidators) -> None:
    with pytest.raises(FetchRefused) as caught:
        poll(source(site, "url", "/dokument/finns-inte.html"), store)
    assert caught.value.status == 404


@pytest.mark.parametrize("path", ["/hang", "/drip", "/stall"])
def test_slow_server_fails_within_the_request_timeout(
    site: Site, store: MemoryValidators, path: str
) -> None:
    started = time.monotonic()
    with pytest.raises(FetchFailed):
        poll(source(site, "url", path, request_timeout=1.0), store)
    elapsed = time.monotonic() - started
    assert 0.9 <= elapsed < 1.5


def test_unreachable_server_is_transient(store: MemoryValidators) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = SourceConfig(id="x", kind="url", url=f"http://127.0.0.1:{port}/p.html", politeness=0.0)
    with pytest.raises(FetchFailed):
        poll(config, store)


def test_requests_to_one_host_are_spaced_by_politeness(site: Site, store: MemoryValidators) -> None:
    config = source(site, "http-listing", "/anslagstavla/", politeness=0.25)

    poll(config, store)

    times = [seen.at for seen in site.requests()]
    assert len(times) == 4
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 0.25


# ---------------------------------------------------------------------------- OParl


def _meeting_ids(site: Site, *numbers: int) -> list[str]:
    return [site.url(f"/oparl/meeting/{n}") for n in numbers]


def test_oparl_system_yields_every_meeting_of_every_body(
    site: Site, store: MemoryValidators
) -> None:
    result = poll(source(site, "oparl", "/oparl/system"), store)

    assert keys(result) == _meeting_ids(site, 1, 2, 3, 4, 5, 6, 7, 8)
    assert result.complete
    gone = [doc.key for doc in result.documents if doc.gone]
    assert gone == _meeting_ids(site, 6)
    for doc in result.documents:
        if not doc.gone:
            assert doc.data is not None
            assert json.loads(doc.data)["id"] == doc.key
    pages = [s.query.get("page", "1") for s in site.requests("/oparl/body/1/meetings")]
    assert pages == ["1", "2", "3"]
    assert not any("modified_since" in s.query for s in site.requests())


@pytest.mark.parametrize("path", ["/oparl/body/1", "/oparl/body/1/meetings"])
def test_oparl_body_or_list_url(site: Site, store: MemoryValidators, path: str) -> None:
    result = poll(source(site, "oparl", path), store)

    assert keys(result) == _meeting_ids(site, 1, 2, 3, 4, 5, 6, 7)
    assert result.complete


def test_oparl_since_asks_only_for_changes_and_is_incomplete(
    site: Site, store: MemoryValidators
) -> None:
    since = datetime(2024, 6, 3, 8, 0, tzinfo=UTC)  # 10:00 in Berlin: meetings 3–7 changed

    result = poll(source(site, "oparl", "/oparl/system"), store, since=since)

    assert keys(result) == _meeting_ids(site, 3, 4, 5, 6, 7)
    assert not result.complete
    lists = [s for s in site.requests() if s.path.endswith("/meetings")]
    assert len(lists) == 3  # body 1: two pages, body 2: one (empty) page
    for seen in lists:
        assert seen.query["modified_since"] == "2024-06-03T08:00:00+00:00"


def test_oparl_page_loop_ends(site: Site, store: MemoryValidators) -> None:
    result = poll(source(site, "oparl", "/oparl/loop"), store)

    assert keys(result) == _meeting_ids(site, 1)
    assert not result.complete
    assert len(site.requests("/oparl/loop")) == 1


def test_oparl_url_of_another_object_is_refused(site: Site, store: MemoryValidators) -> None:
    with pytest.raises(FetchRefused, match="not an OParl System, Body or meeting list"):
        poll(source(site, "oparl", "/oparl/meeting/1"), store)


# ---------------------------------------------------------------------------- directory


def _write(folder: Path, name: str, data: bytes, age: float = 60.0) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    then = time.time() - age
    os.utime(path, (then, then))
    return path


def _folder_source(folder: Path, pattern: str = "**/*", **options: Any) -> SourceConfig:
    return SourceConfig(id="drop", kind="directory", path=folder, pattern=pattern, **options)


def test_directory_reads_new_changed_and_skips_unchanged(
    tmp_path: Path, store: MemoryValidators
) -> None:
    _write(tmp_path, "ks-2024-06-12.html", b"KS")
    _write(tmp_path, "nämnder/sn-2024-06-19.html", b"SN")
    for junk in (
        ".ks-2024-06-12.html",
        ".git/protokoll.html",
        "~$ks-2024-06-12.docx",
        "upload.html.part",
        "draft.html.tmp",
        ".ks-2024-06-12.html.swp",
        "backup.html~",
    ):
        _write(tmp_path, junk, b"junk")
    config = _folder_source(tmp_path)

    first = poll(config, store)
    assert by_key(first) == {"ks-2024-06-12.html": b"KS", "nämnder/sn-2024-06-19.html": b"SN"}
    assert first.complete

    second = poll(config, store, known_keys=keys(first))
    assert by_key(second) == {"ks-2024-06-12.html": None, "nämnder/sn-2024-06-19.html": None}

    _write(tmp_path, "nämnder/sn-2024-06-19.html", b"SN, justerat", age=30.0)
    _write(tmp_path, "bun-2024-06-20.html", b"BUN")
    (tmp_path / "ks-2024-06-12.html").unlink()
    third = poll(config, store, known_keys=keys(second))
    assert by_key(third) == {
        "bun-2024-06-20.html": b"BUN",
        "nämnder/sn-2024-06-19.html": b"SN, justerat",
    }
    assert third.complete


def test_directory_pattern_without_double_star_stays_at_the_top(
    tmp_path: Path, store: MemoryValidators
) -> None:
    _write(tmp_path, "ks.html", b"KS")
    _write(tmp_path, "arkiv/2019.html", b"old")
    _write(tmp_path, "notes.txt", b"notes")

    result = poll(_folder_source(tmp_path, "*.html"), store)

    assert by_key(result) == {"ks.html": b"KS"}


def test_directory_waits_for_a_file_still_being_written(
    tmp_path: Path, store: MemoryValidators
) -> None:
    config = _folder_source(tmp_path)
    _write(tmp_path, "ks.html", b"KS, half", age=0.0)

    assert poll(config, store).documents == ()  # too fresh: probably still being copied

    _write(tmp_path, "ks.html", b"KS", age=60.0)
    first = poll(config, store)
    assert by_key(first) == {"ks.html": b"KS"}

    _write(tmp_path, "ks.html", b"KS, being replaced", age=0.0)
    during = poll(config, store, known_keys=keys(first))
    assert by_key(during) == {"ks.html": None}  # still there, not yet re-read
    assert during.complete

    _write(tmp_path, "ks.html", b"KS, replaced", age=30.0)
    after = poll(config, store, known_keys=keys(first))
    assert by_key(after) == {"ks.html": b"KS, replaced"}


def test_directory_oversized_file_is_skipped_and_incomplete(
    tmp_path: Path, store: MemoryValidators
) -> None:
    _write(tmp_path, "ks.html", b"KS")
    _write(tmp_path, "huge.html", b"x" * 2048)

    result = poll(_folder_source(tmp_path, max_bytes=1024), store)

    assert by_key(result) == {"ks.html": b"KS"}
    assert not result.complete


def test_directory_missing_or_not_a_folder_is_refused(
    tmp_path: Path, store: MemoryValidators
) -> None:
    with pytest.raises(FetchRefused, match="no such directory"):
        poll(_folder_source(tmp_path / "saknas"), store)
    _write(tmp_path, "file.html", b"x")
    with pytest.raises(FetchRefused, match="not a directory"):
        poll(_folder_source(tmp_path / "file.html"), store)
    with pytest.raises(FetchRefused, match="inside the folder"):
        poll(_folder_source(tmp_path, "../*"), store)


def test_unchanged_file_costs_no_read(
    tmp_path: Path, store: MemoryValidators, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, "ks.html", b"KS")
    config = _folder_source(tmp_path)
    first = poll(config, store)

    def no_read(path: Path, max_bytes: int) -> bytes:
        raise AssertionError(f"{path} was read although unchanged")

    monkeypatch.setattr(directory, "_read", no_read)
    second = poll(config, store, known_keys=keys(first))

    assert by_key(second) == {"ks.html": None}
    assert second.complete


def test_config_from_settings_file_polls(tmp_path: Path, store: MemoryValidators) -> None:
    from publisher.settings import from_mapping

    _write(tmp_path / "incoming", "ks.html", b"KS")
    settings = from_mapping(
        {"sources": [{"id": "drop", "kind": "directory", "path": "incoming", "pattern": "*.html"}]},
        base=tmp_path,
        env={},
    )

    result = poll(settings.sources[0], store)

    assert by_key(result) == {"ks.html": b"KS"}
