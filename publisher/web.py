"""The HTTP app: the output files, the JSON API, search, the embed widget and page.

``create_app(settings)`` returns a FastAPI app; ``publisher run`` serves it with uvicorn.

Files
    Everything in the output directory is served as nginx would (``try_files $uri @app``): a
    path naming a regular file gets that file, anything else goes to the routes. File
    requests never enter FastAPI's routing or dependency injection — ``_Front`` is a plain ASGI
    layer in front of it — because feed readers poll and almost every request is a revalidation
    that ends in 304; that path costs one ``stat`` and a dict lookup (see
    ``benchmarks/feeds_http.py``).

    Validators are *strong* ETags computed from the file's bytes, cached per
    (inode, size, mtime_ns): the same bytes give the same ETag across requests, restarts and
    hosts, even when a file is rewritten with identical content. The gzip variant is a
    different byte sequence, so it gets its own strong ETag (``"<hash>.gz"``) rather than
    nginx's weakened one; ``If-None-Match`` accepts either tag of the current content, so a
    reader that switches encodings still gets a 304.

Headers
    Feeds, JSON, calendars and OPML carry ``Access-Control-Allow-Origin: *`` (public data any
    site may read, which the embed script relies on); the API and search do too; the
    operations routes (``publisher.opsweb``) do not. With ``websub_hub`` configured, feed
    responses carry ``Link: <hub>; rel="hub", <self>; rel="self"`` (WebSub §4). Search feeds
    never do: the hub is pinged for the rendered files only.

    Generated responses (the API, search feeds, the embed page: ``_dynamic``) revalidate like
    the files: strong ETag of their bytes (own tag for the gzip variant, compressed there and
    not by the middleware), ``Cache-Control`` with ``must-revalidate``, ``Last-Modified`` where
    a result has a meaningful date, 304 on ``If-None-Match``.

The API reads published, non-retracted meetings from the store. The store holds only the
privacy-safe protocol (``publisher.privacy`` ran before it was written); the API projects a
confidential item to its number, position and ``public: false`` all the same, so a later
change upstream cannot leak through here.
"""

from __future__ import annotations

import email.utils
import hashlib
import html
import json
import os
import re
import stat
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, cast
from urllib.parse import quote, urlencode

import anyio
import sqlalchemy as sa
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, TypeAdapter
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from publisher import __version__
from publisher.model import Outcome
from publisher.settings import Settings
from publisher.store import Store, items, meetings, publications

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

STATIC = resources.files("publisher") / "static"
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,127}$")
LANGS = ("sv", "en", "de", "nb")

#: bodies at most this size are kept in memory (feeds are tens of kB); larger are re-read
CACHE_BODY_MAX = 2 * 1024 * 1024
CACHE_ENTRIES = 4096
#: smaller responses are not worth compressing
GZIP_MIN = 512

FEED_MAX_AGE = 300
#: archive pages rarely change (they gain a ``next-archive`` link, a full re-render rewrites
#: them), so they are kept longer than the current feeds — but still revalidated
ARCHIVE_MAX_AGE = 3600
#: the JSON API, search feeds: results change with every publication
API_MAX_AGE = 60

_TYPES = {
    ".atom": "application/atom+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
FEED_JSON = "application/feed+json"
_COMPRESSIBLE = {".atom", ".rss", ".ics", ".opml", ".html", ".json", ".xml", ".txt", ".css"}
_COMPRESSIBLE |= {".js", ".svg"}
#: public data: any origin may read it (the embed script fetches feeds cross-origin)
_CORS = {".atom", ".rss", ".ics", ".opml", ".json", ".js"}
_FEEDS = {".atom", ".rss"}

_CORS_HEADERS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-expose-headers", b"ETag, Last-Modified, Link"),
]
_PREFLIGHT_HEADERS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-methods", b"GET, HEAD, OPTIONS"),
    (b"access-control-allow-headers", b"If-None-Match, If-Modified-Since"),
    (b"access-control-max-age", b"86400"),
]
_NOSNIFF = (b"x-content-type-options", b"nosniff")

# --------------------------------------------------------------------------- files


def strong_etag(data: bytes) -> str:
    return '"' + hashlib.blake2b(data, digest_size=16).hexdigest() + '"'


def _gzip(data: bytes) -> bytes:
    import gzip

    # mtime=0: the same input always gives the same bytes, so the gzip ETag is stable too
    return gzip.compress(data, compresslevel=6, mtime=0)


def _accepts_gzip(value: bytes | None) -> bool:
    if not value or b"gzip" not in value:
        return False
    for part in value.decode("latin-1").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "x-gzip", "*"):
            q = params.strip().replace(" ", "")
            return not (q.startswith("q=") and float(q[2:] or 0) == 0)
    return False


def _etag_list(value: bytes) -> list[bytes]:
    """The entity tags of an ``If-None-Match`` value, ``W/`` stripped (weak comparison,
    RFC 9110 §13.1.2)."""
    tags = []
    for part in value.split(b","):
        tag = part.strip()
        if tag.startswith(b"W/"):
            tag = tag[2:]
        tags.append(tag)
    return tags


@dataclass(slots=True)
class _Entry:
    """One file version: validators, prebuilt headers, its bytes if small."""

    key: tuple[int, int, int]
    path: str
    body: bytes | None
    etag: bytes
    etag_gz: bytes
    mtime: int
    content_type: bytes
    compressible: bool
    #: headers every response for this file carries (200 and 304 alike)
    common: list[tuple[bytes, bytes]]
    gz: bytes | None = None
    tags: frozenset[bytes] = field(default_factory=frozenset)


def _content_type(rel: str, suffix: str) -> str:
    if suffix == ".json" and rel.startswith("feeds/") and rel != "feeds/index.json":
        return FEED_JSON
    return _TYPES.get(suffix, "application/octet-stream")


class FileServer:
    """Serves regular files below ``root``; per-version cache of validators and bytes."""

    def __init__(self, root: Path, settings: Settings, *, max_age: int = FEED_MAX_AGE) -> None:
        self.root = str(root.resolve())
        self.settings = settings
        self.max_age = max_age
        self.cache: dict[str, _Entry] = {}

    def locate(self, path: str) -> str | None:
        """The filesystem path for a URL path, or ``None`` when it may not name a file here:
        ``..``/``.`` segments, hidden names (the writer's temp files are ``.name.tmp``),
        backslashes, NUL."""
        if "\\" in path or "\x00" in path:
            return None
        if path.endswith("/"):
            path += "index.html"
        parts = path.split("/")[1:]
        for part in parts:
            if not part or part[0] == ".":
                return None
        return os.path.join(self.root, *parts)

    def entry(self, fs_path: str, rel: str, st: os.stat_result) -> _Entry | None:
        key = (st.st_ino, st.st_size, st.st_mtime_ns)
        cached = self.cache.get(fs_path)
        if cached is not None and cached.key == key:
            return cached
        return self._load(fs_path, rel)

    def _load(self, fs_path: str, rel: str) -> _Entry | None:
        real = os.path.realpath(fs_path)
        if not real.startswith(self.root + os.sep):  # a symlink pointing out of the root
            return None
        try:
            with open(fs_path, "rb") as fh:
                # fstat of the open file: its bytes and its validators belong together even
                # when the writer renames a new version into place right now
                st = os.fstat(fh.fileno())
                if not stat.S_ISREG(st.st_mode):
                    return None
                data = fh.read()
        except OSError:
            return None
        suffix = os.path.splitext(rel)[1].lower()
        content_type = _content_type(rel, suffix)
        compressible = suffix in _COMPRESSIBLE and len(data) >= GZIP_MIN
        etag = strong_etag(data)
        etag_gz = etag[:-1] + '.gz"'
        mtime = int(st.st_mtime)
        common = [
            (b"cache-control", self._cache_control(rel, suffix).encode()),
            (b"last-modified", email.utils.formatdate(mtime, usegmt=True).encode()),
            _NOSNIFF,
        ]
        if compressible:
            common.append((b"vary", b"Accept-Encoding"))
        if suffix in _CORS:
            common.extend(_CORS_HEADERS)
        is_feed = suffix in _FEEDS or content_type == FEED_JSON
        if is_feed and self.settings.websub_hub:
            common.append((b"link", websub_link(self.settings, rel).encode()))
        entry = _Entry(
            key=(st.st_ino, st.st_size, st.st_mtime_ns),
            path=fs_path,
            body=data if len(data) <= CACHE_BODY_MAX else None,
            etag=etag.encode(),
            etag_gz=etag_gz.encode(),
            mtime=mtime,
            content_type=content_type.encode(),
            compressible=compressible,
            common=common,
            tags=frozenset({etag.encode(), etag_gz.encode(), b"*"}),
        )
        if len(self.cache) >= CACHE_ENTRIES:
            self.cache.pop(next(iter(self.cache)))
        self.cache[fs_path] = entry
        return entry

    def _cache_control(self, rel: str, suffix: str) -> str:
        if rel.startswith("feeds/archive/"):
            return f"public, max-age={ARCHIVE_MAX_AGE}, must-revalidate"
        return f"public, max-age={self.max_age}, must-revalidate"

    def read(self, entry: _Entry, gzip: bool) -> bytes:
        if gzip:
            if entry.gz is None:
                entry.gz = _gzip(self.read(entry, False))
            return entry.gz
        if entry.body is not None:
            return entry.body
        with open(entry.path, "rb") as fh:
            return fh.read()


def websub_link(settings: Settings, rel: str) -> str:
    self_url = settings.base_url + quote(rel, safe="/?=&")
    return f'<{settings.websub_hub}>; rel="hub", <{self_url}>; rel="self"'


async def _send_file(
    server: FileServer, entry: _Entry, scope: Scope, send: Send, head: bool
) -> None:
    inm = ims = accept = None
    for name, value in scope["headers"]:
        if name == b"if-none-match":
            inm = value
        elif name == b"if-modified-since":
            ims = value
        elif name == b"accept-encoding":
            accept = value
    gzip = entry.compressible and _accepts_gzip(accept)
    etag = entry.etag_gz if gzip else entry.etag
    if inm is not None:
        # fast path: a reader sends back exactly the one tag it was given
        fresh = inm in entry.tags or any(tag in entry.tags for tag in _etag_list(inm))
    elif ims is not None:
        try:
            since = email.utils.parsedate_to_datetime(ims.decode("latin-1")).timestamp()
        except (TypeError, ValueError):
            since = None
        fresh = since is not None and entry.mtime <= since
    else:
        fresh = False
    if fresh:
        await send(
            {
                "type": "http.response.start",
                "status": 304,
                "headers": [(b"etag", etag), *entry.common],
            }
        )
        await send({"type": "http.response.body", "body": b""})
        return
    if entry.body is None or (gzip and entry.gz is None):
        body = await anyio.to_thread.run_sync(server.read, entry, gzip)
    else:
        body = server.read(entry, gzip)
    headers = [
        (b"content-type", entry.content_type),
        (b"content-length", str(len(body)).encode()),
        (b"etag", etag),
        *entry.common,
    ]
    if gzip:
        headers.append((b"content-encoding", b"gzip"))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else body})


async def _send_json(send: Send, status: int, data: object, extra: Any = ()) -> None:
    body = json.dumps(data).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        _NOSNIFF,
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _http_date(value: datetime | str) -> str:
    if isinstance(value, str):  # an SQLite aggregate loses the column type
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:  # the store keeps UTC
        value = value.replace(tzinfo=UTC)
    return email.utils.format_datetime(value.astimezone(UTC), usegmt=True)


def _dynamic(
    request: Request,
    body: bytes,
    media_type: str,
    *,
    status: int = 200,
    max_age: int = API_MAX_AGE,
    last_modified: datetime | str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """A generated response (API, search feed, embed page) with the validators the files
    have: a strong ETag of its bytes, and ``"<hash>.gz"`` for the gzip variant, which is
    therefore compressed here, never by the middleware (``_GZip`` leaves these routes alone);
    Cache-Control with ``must-revalidate``; Last-Modified when the caller knows a meaningful
    one. ``If-None-Match`` with either tag of the current bytes gives a 304.
    ``If-Modified-Since`` alone never does: a result can change without a newer timestamp (a
    retraction removes a meeting), and only the ETag sees that."""
    etag = strong_etag(body)
    etag_gz = etag[:-1] + '.gz"'
    accept = request.headers.get("accept-encoding", "").encode("latin-1")
    gzip = len(body) >= GZIP_MIN and _accepts_gzip(accept)
    out = {
        "ETag": etag_gz if gzip else etag,
        "Cache-Control": f"public, max-age={max_age}, must-revalidate",
        "Vary": "Accept-Encoding",
        "X-Content-Type-Options": "nosniff",
        **(headers or {}),
    }
    if last_modified is not None:
        out["Last-Modified"] = _http_date(last_modified)
    inm = request.headers.get("if-none-match")
    if status == 200 and inm is not None:
        tags = _etag_list(inm.encode("latin-1"))
        if b"*" in tags or etag.encode() in tags or etag_gz.encode() in tags:
            return Response(status_code=304, headers=out)
    if gzip:
        body = _gzip(body)
        out["Content-Encoding"] = "gzip"
    return Response(body, status_code=status, media_type=media_type, headers=out)


def _api_response(
    request: Request, value: BaseModel | list[Any], last_modified: datetime | str | None = None
) -> Response:
    """A JSON API result, serialised as FastAPI would (by alias), with validators."""
    if isinstance(value, BaseModel):
        body = value.model_dump_json(by_alias=True).encode()
    else:
        body = _LIST.dump_json(value, by_alias=True)
    return _dynamic(request, body, "application/json", last_modified=last_modified)


#: paths that are always routes, never files (saves a stat per API request)
_ROUTE_PREFIXES = ("/api/", "/embed/", "/docs", "/openapi.json", "/redoc")
#: routes whose responses are public data readable from any origin
_CORS_ROUTES = ("/api/", "/search")
_LIST: TypeAdapter[list[Any]] = TypeAdapter(list[Any])
#: routes that compress their own responses (``_dynamic``): strong ETags per encoding
_SELF_ENCODING = ("/api/", "/search", "/embed/")


async def _preflight(send: Send) -> None:
    await send({"type": "http.response.start", "status": 204, "headers": _PREFLIGHT_HEADERS})
    await send({"type": "http.response.body", "body": b""})


class _Front:
    """Answers what needs no routing: files (and their CORS preflights).

    Called by ``PublisherApp.__call__`` before FastAPI's own stack (telemetry, error
    middleware, router), which would more than double the cost of a 304.
    """

    def __init__(self, output: FileServer, static: dict[str, FileServer]) -> None:
        self.output = output
        self.static = static

    async def handle(self, scope: Scope, send: Send) -> bool:
        """True when the request was answered here."""
        path: str = scope["path"]
        if path.startswith(_ROUTE_PREFIXES):
            return False
        method: str = scope["method"]
        if method == "GET" or method == "HEAD":
            return await self._file(path, scope, send, method == "HEAD")
        if method == "OPTIONS" and os.path.splitext(path)[1] in _CORS:
            await _preflight(send)
            return True
        return False

    async def _file(self, path: str, scope: Scope, send: Send, head: bool) -> bool:
        server = self.static.get(path, self.output)
        fs_path = server.locate(path)
        if fs_path is None:
            if ".." in path.split("/") or "\\" in path or "\x00" in path:
                await _send_json(send, 404, {"detail": "Not Found"})
                return True
            return False
        try:
            st = os.stat(fs_path)
        except (OSError, ValueError):
            return False
        if not stat.S_ISREG(st.st_mode):
            return False
        rel = fs_path[len(server.root) + 1 :].replace(os.sep, "/")
        entry = server.entry(fs_path, rel, st)
        if entry is None:
            return False
        await _send_file(server, entry, scope, send, head)
        return True


class _PublicRoutes:
    """CORS for the API and search (public data); the operations routes get none."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(_CORS_ROUTES):
            if scope["method"] == "OPTIONS":
                await _preflight(send)
                return
            send = _with_headers(send, _CORS_HEADERS)
        await self.app(scope, receive, send)


class _GZip:
    """Starlette's gzip middleware for the routes that do not compress their own responses
    (it would keep a strong ETag on a different byte sequence)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=GZIP_MIN)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(_SELF_ENCODING):
            await self.app(scope, receive, send)
        else:
            await self.gzip(scope, receive, send)


class PublisherApp(FastAPI):
    """FastAPI with the output files answered before its middleware stack (nginx's
    ``try_files $uri @app``)."""

    front: _Front | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        front = self.front
        if front is not None and scope["type"] == "http" and await front.handle(scope, send):
            return
        await super().__call__(scope, receive, send)


def _with_headers(send: Send, extra: list[tuple[bytes, bytes]]) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", []), *extra]
        await send(message)

    return wrapped


# --------------------------------------------------------------------------- API models


class BodyRef(BaseModel):
    name: str
    slug: str


class Counts(BaseModel):
    items: int = Field(description="agenda items (§) in the protocol")
    public: int
    confidential: int = Field(description="items withheld under secrecy (OSL); never shown")


class FeedLinks(BaseModel):
    atom: str
    rss: str
    json_feed: str = Field(serialization_alias="json")


class Votes(BaseModel):
    yes: int | None = None
    no: int | None = None
    abstain: int | None = None
    absent: int | None = None


class MeetingSummary(BaseModel):
    id: str = Field(description="stable meeting id (source + natural key)")
    body: BodyRef
    date: date | None
    start: datetime | None = None
    title: str | None
    counts: Counts
    version: int
    published_at: datetime | None = Field(description="first publication")
    updated_at: datetime | None = Field(description="last published change")
    url: str = Field(description="the meeting's JSON summary file")
    html_url: str


class MeetingList(BaseModel):
    meetings: list[MeetingSummary]
    next: str | None = Field(description="URL of the next (older) page, if any")


class Item(BaseModel):
    """One agenda item. A confidential item has only ``number``, ``position`` and
    ``public: false``; everything else is null."""

    number: str
    position: int
    public: bool
    title: str | None = None
    case_number: str | None = None
    outcome: Outcome | None = None
    outcome_text: str | None = None
    unanimous: bool | None = None
    votes: Votes | None = None


class MeetingDetail(MeetingSummary):
    location: str | None = None
    approved_at: date | None = None
    posted_at: date | None = None
    protocol_url: str | None = None
    items: list[Item]


class ItemHit(BaseModel):
    meeting_id: str
    body: BodyRef
    meeting_date: date | None
    number: str
    position: int
    public: bool
    title: str | None = None
    case_number: str | None = None
    outcome: Outcome | None = None
    url: str


class ItemList(BaseModel):
    items: list[ItemHit]


class BodyFeeds(BaseModel):
    meetings: FeedLinks
    decisions: FeedLinks
    calendar: str


class BodyInfo(BaseModel):
    slug: str
    name: str
    meetings: int = Field(description="published meetings")
    latest_meeting_date: date | None
    feeds: BodyFeeds
    embed: str = Field(description="iframe-able page listing the latest meetings")


class Problem(BaseModel):
    detail: str


class SearchFormat(StrEnum):
    json = "json"
    atom = "atom"
    rss = "rss"


Lang = Literal["sv", "en", "de", "nb"]

# --------------------------------------------------------------------------- API queries
#
# Read-only queries of the public tables. They join ``publications`` so only what has been
# released (state ``published``: not pending, held or retracted) is ever visible here.


def _published() -> sa.Select[Any]:
    return (
        sa.select(
            meetings.c.id,
            meetings.c.body_name,
            meetings.c.body_slug,
            meetings.c.meeting_date,
            meetings.c.meeting_start,
            meetings.c.title,
            meetings.c.protocol,
            publications.c.published_version,
            publications.c.first_published_at,
            publications.c.published_at,
        )
        .join(publications, publications.c.meeting_id == meetings.c.id)
        .where(publications.c.state == "published")
    )


def _url(settings: Settings, path: str, params: dict[str, Any] | None = None) -> str:
    query = {k: v for k, v in (params or {}).items() if v is not None}
    return settings.base_url + path + ("?" + urlencode(query) if query else "")


def _feed_path(name: str, fmt: str) -> str:
    """Output path of feed ``name`` (``body:<slug>``, ``decisions:<slug>``): the renderer's
    own mapping, which moves a body whose slug names an instance-wide file (``all``,
    ``index``, ``search``, ``archive``) to ``<slug>-body``."""
    from feeds.site import feed_path

    return feed_path(name, fmt)


def _calendar_path(body_slug: str) -> str:
    from feeds.site import calendar_path

    return calendar_path(body_slug)


def _feeds(settings: Settings, name: str) -> FeedLinks:
    return FeedLinks(
        atom=_url(settings, _feed_path(name, "atom")),
        rss=_url(settings, _feed_path(name, "rss")),
        json_feed=_url(settings, _feed_path(name, "json")),
    )


def _summary_fields(settings: Settings, row: Any, protocol: dict[str, Any]) -> dict[str, Any]:
    counts = protocol.get("counts") or {}
    item_list = protocol.get("items") or []
    confidential = sum(1 for i in item_list if not i.get("public", True))
    return {
        "id": row.id,
        "body": BodyRef(name=row.body_name, slug=row.body_slug),
        "date": row.meeting_date,
        "start": row.meeting_start,
        "title": row.title,
        "counts": Counts(
            items=counts.get("items", len(item_list)),
            public=counts.get("public", len(item_list) - confidential),
            confidential=counts.get("confidential", confidential),
        ),
        "version": row.published_version or 1,
        "published_at": row.first_published_at,
        "updated_at": row.published_at,
        "url": _url(settings, f"meetings/{quote(row.id)}.json"),
        "html_url": _url(settings, f"meetings/{quote(row.id)}.html"),
    }


def _item(position: int, raw: dict[str, Any]) -> Item:
    if not raw.get("public", True):
        return Item(number=str(raw.get("number", "")), position=position, public=False)
    votes = raw.get("votes")
    outcome = raw.get("outcome")
    return Item(
        number=str(raw.get("number", "")),
        position=position,
        public=True,
        title=raw.get("title"),
        case_number=raw.get("case_number"),
        outcome=Outcome(outcome) if outcome in set(Outcome) else None,
        outcome_text=raw.get("outcome_text"),
        unanimous=raw.get("unanimous"),
        votes=Votes(**{k: votes.get(k) for k in ("yes", "no", "abstain", "absent")})
        if isinstance(votes, dict)
        else None,
    )


def _words(q: str | None) -> list[str]:
    return [w for w in re.split(r"\s+", (q or "").strip()) if w][:8]


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# --------------------------------------------------------------------------- embed page

EMBED_LABELS: dict[str, dict[str, str]] = {
    "sv": {
        "heading": "{body}: senaste protokollen",
        "heading_all": "Senaste protokollen",
        "empty": "Inga publicerade protokoll ännu.",
        "missing": "Det finns inga protokoll för den här nämnden.",
        "subscribe": "Prenumerera",
        "meeting": "Sammanträde",
    },
    "en": {
        "heading": "{body}: latest minutes",
        "heading_all": "Latest minutes",
        "empty": "No minutes published yet.",
        "missing": "There are no minutes for this body.",
        "subscribe": "Subscribe",
        "meeting": "Meeting",
    },
    "de": {
        "heading": "{body}: neueste Protokolle",
        "heading_all": "Neueste Protokolle",
        "empty": "Noch keine Protokolle veröffentlicht.",
        "missing": "Für dieses Gremium gibt es keine Protokolle.",
        "subscribe": "Abonnieren",
        "meeting": "Sitzung",
    },
    "nb": {
        "heading": "{body}: siste protokoller",
        "heading_all": "Siste protokoller",
        "empty": "Ingen protokoller publisert ennå.",
        "missing": "Det finnes ingen protokoller for dette organet.",
        "subscribe": "Abonner",
        "meeting": "Møte",
    },
}

_EMBED_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors *"
)
_EMBED_STYLE = """
html{color-scheme:light}
body{margin:0;padding:.75rem 1rem;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,
sans-serif;color:#1a1a1a;background:#fff}
h1{font-size:1.15rem;margin:0 0 .5rem}
ul{list-style:none;margin:0;padding:0}
li{padding:.45rem 0;border-top:1px solid #d0d0d0}
li:first-child{border-top:0}
a{color:#0b4f8a;text-decoration:underline}
a:focus-visible{outline:3px solid #0b4f8a;outline-offset:2px}
time{display:block;color:#474747;font-size:.9rem}
p{margin:.6rem 0 0;font-size:.9rem}
"""


def _long_date(lang: str, day: date) -> str:
    try:
        from feeds.i18n import long_date
    except ImportError:  # pragma: no cover - feeds is part of this distribution
        return day.isoformat()
    return long_date(lang, day)


def _entry_date(item: dict[str, Any]) -> date | None:
    ext = item.get("_publisher") or {}
    for value in (ext.get("date"), item.get("date_published")):
        if isinstance(value, str) and len(value) >= 10:
            try:
                return date.fromisoformat(value[:10])
            except ValueError:
                continue
    return None


_LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def _lang_tag(value: object) -> str | None:
    """A BCP 47-looking language tag from a feed, else ``None``."""
    return value if isinstance(value, str) and _LANG_TAG.match(value) else None


def _safe_url(value: object) -> str | None:
    return value if isinstance(value, str) and value.startswith(("https://", "http://")) else None


def embed_page(
    settings: Settings, slug: str, feed: dict[str, Any] | None, limit: int, lang: str | None
) -> tuple[int, str]:
    """(status, HTML) of the iframe page: static markup, no script, no external resource.

    The labels are in ``lang``, else the feed's own language, else the instance's. Titles are
    in the body's language: an entry whose language (its own, else the feed's) differs from
    the labels' carries its own ``lang`` attribute, so a screen reader switches voice."""
    from feeds.i18n import supported

    feed_tag = _lang_tag(feed.get("language")) if feed else None
    feed_lang = supported(feed_tag)
    lang = lang or feed_lang or (settings.language if settings.language in LANGS else "sv")
    labels = EMBED_LABELS[lang]
    e = html.escape
    if feed is None:
        heading, body = labels["heading_all"], f"<p>{e(labels['missing'])}</p>"
        status = 404
    else:
        status = 200
        entries = [i for i in feed.get("items") or [] if isinstance(i, dict)]
        entries = [i for i in entries if not (i.get("_publisher") or {}).get("retracted")]
        names = [((i.get("_publisher") or {}).get("body") or {}).get("name") for i in entries]
        name = next((n for n in names if isinstance(n, str) and n), None)
        heading = labels["heading"].format(body=name) if name else labels["heading_all"]
        rows = []
        for item in entries[:limit]:
            day = _entry_date(item)
            title = e(str(item.get("title") or labels["meeting"]))
            url = _safe_url(item.get("url"))
            link = (
                f'<a href="{e(url)}" target="_blank" rel="noopener">{title}</a>' if url else title
            )
            # the title is in the body's language, the date in the labels' language
            tag = _lang_tag(item.get("language")) or feed_tag
            foreign = bool(tag) and (supported(tag) or tag) != lang
            own = f' lang="{e(tag or "")}"' if foreign else ""
            time_lang = f' lang="{lang}"' if foreign else ""
            when = (
                f'<time datetime="{day.isoformat()}"{time_lang}>{e(_long_date(lang, day))}</time>'
                if day
                else ""
            )
            rows.append(f"<li{own}>{link}{when}</li>")
        listing = f"<ul>{''.join(rows)}</ul>" if rows else f"<p>{e(labels['empty'])}</p>"
        feed_url = _url(settings, _feed_path(f"body:{slug}", "atom"))
        body = (
            f'{listing}<p><a href="{e(feed_url)}" target="_blank" rel="noopener" '
            f'type="application/atom+xml">{e(labels["subscribe"])} (Atom)</a></p>'
        )
    document = (
        f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="strict-origin-when-cross-origin">'
        f"<title>{e(heading)}</title><style>{_EMBED_STYLE}</style></head>"
        f"<body><main><h1>{e(heading)}</h1>{body}</main></body></html>\n"
    )
    return status, document


# --------------------------------------------------------------------------- the app


class _Resources:
    def __init__(self, settings: Settings, store_factory: Callable[[], Store] | None) -> None:
        self.settings = settings
        self.factory = store_factory
        self.owned = store_factory is None
        self._lock = threading.Lock()

    @cached_property
    def store(self) -> Store:
        # endpoints run in a thread pool: two first requests must not open two pools
        with self._lock:
            if "store" in self.__dict__:
                return cast(Store, self.__dict__["store"])
            return self.factory() if self.factory else Store(self.settings.database_url)

    def close(self) -> None:
        if self.owned and "store" in self.__dict__:
            self.store.dispose()


def create_app(settings: Settings, store_factory: Callable[[], Store] | None = None) -> FastAPI:
    """The whole HTTP surface. ``store_factory`` gives the app its store (tests and
    ``publisher run`` share theirs); without it the app opens ``settings.database_url`` on
    first use and disposes of it on shutdown."""
    res = _Resources(settings, store_factory)
    output = FileServer(settings.output_dir, settings)
    static_dir = Path(str(STATIC))
    static = {"/embed.js": FileServer(static_dir, settings, max_age=3600)}

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        res.close()

    app = PublisherApp(
        title="Meeting publisher",
        version=__version__,
        summary="Approved council and committee minutes: feeds, summaries and a JSON API.",
        description=(
            "Published (released, not retracted) meetings and their public decisions. "
            "Confidential items appear only with their number and `public: false`. "
            "Static outputs (feeds, summaries, calendars) are served beside this API; "
            "see `/feeds/index.json`."
        ),
        lifespan=lifespan,
    )
    app.state.resources = res

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> Response:
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )

    api = "/api/v1"

    @app.get(f"{api}/bodies", tags=["api"], response_model=list[BodyInfo])
    def list_bodies(request: Request) -> Response:
        """Every body with published meetings, its feeds and embed page."""
        query = (
            sa.select(
                meetings.c.body_slug,
                sa.func.max(meetings.c.body_name),
                sa.func.count(),
                sa.func.max(meetings.c.meeting_date),
                sa.func.max(publications.c.published_at),
            )
            .join(publications, publications.c.meeting_id == meetings.c.id)
            .where(publications.c.state == "published")
            .group_by(meetings.c.body_slug)
            .order_by(meetings.c.body_slug)
        )
        with res.store.engine.connect() as conn:
            rows = conn.execute(query).all()
        result = []
        for slug, name, count, latest, _published_at in rows:
            if isinstance(latest, str):  # SQLite aggregate loses the column type
                latest = date.fromisoformat(latest)
            result.append(
                BodyInfo(
                    slug=slug,
                    name=name,
                    meetings=count,
                    latest_meeting_date=latest,
                    feeds=BodyFeeds(
                        meetings=_feeds(settings, f"body:{slug}"),
                        decisions=_feeds(settings, f"decisions:{slug}"),
                        calendar=_url(settings, _calendar_path(slug)),
                    ),
                    embed=_url(settings, f"embed/{slug}"),
                )
            )
        newest = max((r[4] for r in rows if r[4] is not None), default=None)
        return _api_response(request, result, newest)

    @app.get(f"{api}/meetings", tags=["api"], response_model=MeetingList)
    def list_meetings(
        request: Request,
        body: Annotated[
            str | None, Query(pattern=SLUG.pattern, description="body slug, e.g. socialnamnden")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
        before: Annotated[
            date | None, Query(description="only meetings held before this date (YYYY-MM-DD)")
        ] = None,
        before_id: Annotated[
            str | None,
            Query(max_length=64, description="with `before`: continue after this meeting id"),
        ] = None,
    ) -> Response:
        """Published meetings, newest meeting date first. Follow `next` for older ones."""
        day = sa.func.coalesce(meetings.c.meeting_date, date.min)
        query = _published().order_by(day.desc(), meetings.c.id.desc()).limit(limit + 1)
        if body:
            query = query.where(meetings.c.body_slug == body)
        if before is not None:
            if before_id:
                query = query.where(
                    sa.or_(day < before, sa.and_(day == before, meetings.c.id < before_id))
                )
            else:
                query = query.where(day < before)
        with res.store.engine.connect() as conn:
            rows = conn.execute(query).all()
        page = rows[:limit]
        summaries = [
            MeetingSummary(**_summary_fields(settings, r, json.loads(r.protocol))) for r in page
        ]
        next_url = None
        if len(rows) > limit and page:
            last = page[-1]
            next_url = _url(
                settings,
                "api/v1/meetings",
                {
                    "body": body,
                    "limit": limit,
                    "before": (last.meeting_date or date.min).isoformat(),
                    "before_id": last.id,
                },
            )
        newest = max((r.published_at for r in page if r.published_at is not None), default=None)
        return _api_response(request, MeetingList(meetings=summaries, next=next_url), newest)

    @app.get(
        f"{api}/meetings/{{meeting_id}}",
        tags=["api"],
        response_model=MeetingDetail,
        responses={404: {"model": Problem}, 410: {"model": Problem}},
    )
    def get_meeting(
        request: Request, meeting_id: Annotated[str, PathParam(max_length=64)]
    ) -> Response:
        """One published meeting with its items (confidential ones reduced to their number)."""
        with res.store.engine.connect() as conn:
            row = conn.execute(_published().where(meetings.c.id == meeting_id)).first()
            state = None
            if row is None:
                state = conn.execute(
                    sa.select(publications.c.state).where(publications.c.meeting_id == meeting_id)
                ).scalar()
        if row is None:
            if state == "retracted":
                raise HTTPException(410, "this meeting's publication was retracted")
            raise HTTPException(404, "no published meeting with this id")
        protocol = json.loads(row.protocol)
        meeting = protocol.get("meeting") or {}
        state_ = protocol.get("protocol") or {}
        source_id, key = None, None
        with res.store.engine.connect() as conn:
            found = conn.execute(
                sa.select(meetings.c.source_id, meetings.c.document_key).where(
                    meetings.c.id == meeting_id
                )
            ).first()
        if found:
            source_id, key = found
        protocol_url = res.store.document_url(source_id, key) if source_id and key else None
        detail = MeetingDetail(
            **_summary_fields(settings, row, protocol),
            location=meeting.get("location"),
            approved_at=state_.get("approved_at"),
            posted_at=state_.get("posted_at"),
            protocol_url=_safe_url(protocol_url),
            items=[_item(pos, raw) for pos, raw in enumerate(protocol.get("items") or [])],
        )
        return _api_response(request, detail, row.published_at)

    @app.get(f"{api}/items", tags=["api"], response_model=ItemList)
    def list_items(
        request: Request,
        body: Annotated[str | None, Query(pattern=SLUG.pattern)] = None,
        outcome: Outcome | None = None,
        q: Annotated[
            str | None,
            Query(max_length=200, description="words that must all occur in title or case no."),
        ] = None,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
    ) -> Response:
        """Agenda items of published meetings, newest first. With `q` or `outcome` only public
        items can match; without them confidential items are listed by number only."""
        terms = _words(q)
        query = (
            sa.select(
                items.c.meeting_id,
                items.c.position,
                items.c.number,
                items.c.title,
                items.c.case_number,
                items.c.outcome,
                items.c.public,
                meetings.c.body_name,
                meetings.c.body_slug,
                meetings.c.meeting_date,
                publications.c.published_at,
            )
            .join(meetings, meetings.c.id == items.c.meeting_id)
            .join(publications, publications.c.meeting_id == items.c.meeting_id)
            .where(publications.c.state == "published")
            .order_by(
                sa.func.coalesce(meetings.c.meeting_date, date.min).desc(),
                items.c.meeting_id.desc(),
                items.c.position,
            )
        )
        if body:
            query = query.where(meetings.c.body_slug == body)
        if outcome is not None or terms:
            query = query.where(items.c.public.is_(True))
        if outcome is not None:
            query = query.where(items.c.outcome == outcome.value)
        for term in terms:
            # SQLite's LIKE folds ASCII only: narrow with variants, re-check in Python
            variants = {term, term.lower(), term.upper(), term.capitalize()}
            query = query.where(
                sa.or_(
                    *(items.c.title.ilike(_like(v), escape="\\") for v in variants),
                    *(items.c.case_number.ilike(_like(v), escape="\\") for v in variants),
                )
            )
        folded = [t.casefold() for t in terms]
        hits: list[ItemHit] = []
        newest: datetime | None = None
        with res.store.engine.connect() as conn:
            for row in conn.execute(query.limit(limit * 4 if terms else limit)):
                text = f"{row.title or ''} {row.case_number or ''}".casefold()
                if not all(t in text for t in folded):
                    continue
                public = bool(row.public)
                if row.published_at is not None and (newest is None or row.published_at > newest):
                    newest = row.published_at
                hits.append(
                    ItemHit(
                        meeting_id=row.meeting_id,
                        body=BodyRef(name=row.body_name, slug=row.body_slug),
                        meeting_date=row.meeting_date,
                        number=row.number,
                        position=row.position,
                        public=public,
                        title=row.title if public else None,
                        case_number=row.case_number if public else None,
                        outcome=Outcome(row.outcome) if public else None,
                        url=_url(settings, f"meetings/{quote(row.meeting_id)}.html"),
                    )
                )
                if len(hits) >= limit:
                    break
        return _api_response(request, ItemList(items=hits), newest)

    async def search(
        request: Request,
        q: Annotated[str | None, Query(max_length=200)] = None,
        body: Annotated[str | None, Query(pattern=SLUG.pattern)] = None,
        outcome: Outcome | None = None,
        format: SearchFormat = SearchFormat.atom,  # noqa: A002 - the public parameter name
    ) -> Response:
        """A search feed (Atom, RSS or JSON Feed) of public decisions: every word of `q` in
        the title or case number, optionally one body and one outcome."""
        try:
            from feeds.search import render_search
        except ImportError:
            raise HTTPException(501, "search is not available in this installation") from None
        data, media_type = await anyio.to_thread.run_sync(
            lambda: render_search(
                res.store,
                settings,
                q=q,
                body=body,
                outcome=outcome.value if outcome else None,
                fmt=format.value,
            )
        )
        # No WebSub Link: the hub is pinged for the rendered feed files only, never for a
        # search result, so announcing a hub here would promise updates that never come.
        charset = "; charset=utf-8" if "xml" in media_type else ""
        return _dynamic(request, data, media_type + charset)

    feed_responses: dict[int | str, dict[str, Any]] = {
        200: {
            "description": "the search feed",
            "content": {
                "application/atom+xml": {},
                "application/rss+xml": {},
                "application/feed+json": {},
            },
        },
        501: {"model": Problem},
    }
    app.add_api_route(
        f"{api}/search", search, methods=["GET"], tags=["api"], responses=feed_responses
    )
    # the search feeds' own self links point here (``feeds.search``: base_url + "search?…")
    app.add_api_route("/search", search, methods=["GET"], include_in_schema=False)

    @app.get("/embed/{slug}", tags=["embed"], response_class=Response)
    async def embed(
        request: Request,
        slug: str,
        limit: Annotated[int, Query(ge=1, le=50)] = 5,
        lang: Lang | None = None,
    ) -> Response:
        """An iframe-able list of a body's latest meetings; works without JavaScript."""
        # async on purpose: the file cache belongs to the event loop thread
        feed = None
        if SLUG.match(slug):
            rel = _feed_path(f"body:{slug}", "json")
            fs_path = os.path.join(output.root, *rel.split("/"))
            try:
                st = os.stat(fs_path)
                entry = output.entry(fs_path, rel, st)
                if entry is not None:
                    feed = json.loads(output.read(entry, False))
            except (OSError, ValueError):
                feed = None
        status, page = embed_page(settings, slug, feed, limit, lang)
        headers = {
            "Content-Security-Policy": _EMBED_CSP,
            "Referrer-Policy": "strict-origin-when-cross-origin",
        }
        return _dynamic(
            request,
            page.encode(),
            "text/html",
            status=status,
            max_age=FEED_MAX_AGE,
            headers=headers,
        )

    _include_ops(app, settings, res)
    app.add_middleware(_GZip)
    app.add_middleware(_PublicRoutes)
    # files never reach the routing, gzip middleware or exception handling
    app.front = _Front(output, static)
    return app


def _include_ops(app: FastAPI, settings: Settings, res: _Resources) -> None:
    """Health, metrics, status and admin routes (``publisher.opsweb``), when present."""
    try:
        from publisher.opsweb import ops_router
    except ImportError:
        return
    from publisher.jobs import Context

    context: list[Context] = []

    def get_ctx() -> Context:
        if not context:
            context.append(Context(settings=settings, store=res.store))
        return context[0]

    app.include_router(ops_router(settings, get_ctx))
