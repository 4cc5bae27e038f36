"""Render what changed: log the changed entries, then rewrite only the files they affect.

``render_changed(settings, store, meeting_ids)`` is called with the meetings whose public
state changed (published, corrected, retracted, restored). For each it

1. appends to the feed log (``publisher.store.feed_log``) a snapshot of every entry whose
   visible content changed — the meeting's "in brief" entry in the instance feed and its
   body's feed, one entry per public decision in the body's decisions feed — or a deleted
   marker (RFC 6721 tombstone) for a retraction or a decision a correction removed;
2. writes ``meetings/<id>.json`` and ``meetings/<id>.html``;
3. rewrites, per affected feed, the current document (Atom, RSS, JSON Feed: the newest rows
   of the log, at least ``feed_entries``) and only the archive pages the new rows landed in —
   full pages never change again, apart from the one ``next-archive`` link a page gains when
   the page after it fills up (RFC 5005);
4. rewrites the body's calendar and meetings index, and the instance indexes
   (``index.html``, ``index.opml``, ``feeds/index.json``), all bounded by the number of
   bodies, not by history;
5. pings the WebSub hub for every current feed it rewrote, after the file is in place.

Entry times: an entry's ``updated`` is the instant its change became public (the release,
correction or retraction time stored on the publication), kept strictly increasing within a
feed — entries released by one sweep at the same instant are spaced a microsecond apart, in
log order — so readers can order them and no two share a timestamp. Nothing reads the clock:
re-rendering unchanged data produces identical bytes, and ``write_atomic`` leaves those files
untouched.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from feeds import i18n, ical, websub
from feeds import site as pages
from feeds.entries import (
    CALENDAR_MEETINGS,
    Site,
    comparable,
    decision_snapshots,
    entry_from_log,
    meeting_snapshot,
    newest_first,
    protocol_link,
)
from feeds.formats import FORMATS, FeedDoc, render
from feeds.safety import check_output, clean_text
from feeds.writer import write_atomic
from publisher.errors import ConfigError
from publisher.settings import Settings
from publisher.store import Store

log = logging.getLogger("feeds.render")

_TICK = timedelta(microseconds=1)
#: ``updated`` of a feed that has no entry yet (never the build time: bytes must be stable)
_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass
class Output:
    """Files to write, in order: pages before the feeds that link to them."""

    files: list[tuple[str, bytes]] = field(default_factory=list)

    def add(self, path: str, data: bytes) -> None:
        check_output(path, data)  # refuse the whole render before anything is written
        self.files.append((path, data))


def label_language(settings: Settings, source_id: str, document_language: str | None) -> str:
    """The source's configured language, else the document's own, else the instance's."""
    try:
        configured = settings.source(source_id).language
    except ConfigError:  # a source removed from the settings after publishing
        configured = None
    return i18n.language_for(configured, document_language, settings.language)


def _next(clock: datetime | None, when: datetime) -> datetime:
    return when if clock is None or when > clock else clock + _TICK


# ------------------------------------------------------------------------ logging changes


def log_meeting(
    settings: Settings, store: Store, row: dict[str, Any]
) -> tuple[dict[str, tuple[int, int]], dict[str, Any] | None, datetime | None]:
    """Append the changed entries of one meeting to its feeds, in one transaction.

    Returns the appended position ranges per feed, the meeting's current snapshot (None when
    retracted) and the ``updated`` of its newest entry.
    """
    slug = row["body_slug"]
    lang = label_language(settings, row["source_id"], row["language"])
    protocol = json.loads(row["protocol"])
    retracted = row["publication_state"] == "retracted"
    url = protocol_link(protocol, store.document_url(row["source_id"], row["document_key"]))
    body_feed, decisions_feed = f"body:{slug}", f"decisions:{slug}"
    body_meta = {"body_slug": slug, "body_name": row["body_name"], "language": lang}
    ranges: dict[str, tuple[int, int]] = {}
    snapshot = None if retracted else meeting_snapshot(row, protocol, lang, url)
    decisions = dict(decision_snapshots(row, protocol, lang, url)) if snapshot is not None else {}
    # nothing unsafe enters the feed log: archive pages are built from it for years
    check_output(f"feed log of {row['id']}", json.dumps([snapshot, decisions]).encode())
    with store.begin() as conn:
        clock = store.feed_clock(conn, "all", kind="all")
        store.feed_clock(conn, body_feed, kind="body", **body_meta)
        decision_clock = store.feed_clock(conn, decisions_feed, kind="decisions", **body_meta)
        last = store.latest_feed_rows(body_feed, [row["id"]], conn).get(row["id"])
        last_data = json.loads(last["data"]) if last else None
        meeting_rows: list[dict[str, Any]] = []
        updated = last["at"] if last else None
        if snapshot is not None:
            if (
                last is None
                or last["kind"] == "deleted"
                or (comparable(last_data or {}) != comparable(snapshot))
            ):
                updated = _next(clock, row["published_at"])
                meeting_rows.append(_row(row["id"], row["id"], "entry", updated, snapshot))
        elif last is not None and last["kind"] == "entry":
            updated = _next(clock, row["publication_updated_at"])
            meeting_rows.append(_row(row["id"], row["id"], "deleted", updated, last_data))
        # decisions: changed ones, and tombstones for those gone (retraction or correction)
        current = decisions
        before = {f"{row['id']}/{d['key']}" for d in (last_data or {}).get("decisions", [])}
        latest = store.latest_feed_rows(decisions_feed, sorted(before | current.keys()), conn)
        decision_rows = []
        change = row["publication_updated_at"] if snapshot is None else row["published_at"]
        for key in sorted(current.keys() | before, key=_protocol_order(current)):
            previous = latest.get(key)
            if key in current:
                data = current[key]
                if previous and previous["kind"] == "entry":
                    if comparable(json.loads(previous["data"])) == comparable(data):
                        continue
                decision_clock = _next(decision_clock, change)
                decision_rows.append(_row(key, row["id"], "entry", decision_clock, data))
            elif previous and previous["kind"] == "entry":
                decision_clock = _next(decision_clock, change)
                data = json.loads(previous["data"])
                decision_rows.append(_row(key, row["id"], "deleted", decision_clock, data))
        if meeting_rows:
            ranges["all"] = store.feed_append(conn, "all", meeting_rows)
            ranges[body_feed] = store.feed_append(conn, body_feed, meeting_rows)
        if decision_rows:
            ranges[decisions_feed] = store.feed_append(conn, decisions_feed, decision_rows)
    return ranges, snapshot, updated


def _protocol_order(current: dict[str, Any]) -> Any:
    """Sort key: decisions in protocol order, then removed ones (their tombstones)."""
    order = {key: i for i, key in enumerate(current)}

    def key(entry_key: str) -> tuple[int, str]:
        return (order.get(entry_key, len(order)), entry_key)

    return key


def _row(key: str, meeting_id: str, kind: str, at: datetime, data: Any) -> dict[str, Any]:
    return {
        "entry_key": key,
        "meeting_id": meeting_id,
        "kind": kind,
        "at": at,
        "data": json.dumps({**data, "updated": at.isoformat()}, ensure_ascii=False),
    }


# ------------------------------------------------------------------------ feed documents


def feed_doc(
    site: Site,
    info: dict[str, Any],
    rows: list[dict[str, Any]],
    page: int | None,
    complete_pages: int,
) -> FeedDoc:
    name = info["name"]
    lang = i18n.language_for(info.get("language"), site.language)
    if info["kind"] == "all":
        title = i18n.label(lang, "feed_all", org=site.organization)
    elif info["kind"] == "body":
        title = i18n.label(lang, "feed_body", body=info["body_name"])
    else:
        title = i18n.label(lang, "feed_decisions", body=info["body_name"])
    entries = [entry_from_log(site, r) for r in newest_first(rows)]
    updated = max((r["at"] for r in rows), default=info.get("updated_at") or _EPOCH)
    current = pages.feed_urls(site, name)
    archive = page is not None
    if archive:
        assert page is not None  # noqa: S101 - narrowed for mypy
        prev = pages.feed_urls(site, name, page - 1) if page > 0 else None
        nxt = pages.feed_urls(site, name, page + 1) if page + 1 < complete_pages else None
    else:
        prev = pages.feed_urls(site, name, complete_pages - 1) if complete_pages else None
        nxt = None
    return FeedDoc(
        id=site.tag(f"feed/{name.replace(':', '/')}"),
        title=title,
        subtitle=site.organization,
        language=lang,
        updated=updated,
        self_urls=pages.feed_urls(site, name, page) if archive else current,
        alternate=site.base_url,
        author=site.organization,
        author_uri=site.base_url,
        entries=entries,
        hub=site.websub_hub if not archive else None,
        current=current if archive else None,
        prev_archive=prev,
        next_archive=nxt,
        archive=archive,
        extension={"feed": name, "page": page},
    )


def render_feed(
    site: Site, store: Store, info: dict[str, Any], touched: set[int] | None, out: Output
) -> None:
    """The current documents of one feed, plus the archive pages ``touched`` positions fall
    in (all pages when ``touched`` is None)."""
    name, length, size = info["name"], info["length"], site.page_size
    complete = length // size
    # the current feed: at least feed_entries rows, and every row not yet in a full page
    lower = max(0, min(complete * size, length - site.feed_entries))
    if touched is None:
        archive_pages = set(range(complete))
    else:
        archive_pages = {p // size for p in touched if p // size < complete}
        # a page that just filled up gives its predecessor a next-archive link
        for page in list(archive_pages):
            if page > 0 and (page + 1) * size - 1 in touched:
                archive_pages.add(page - 1)
    for page in sorted(archive_pages):
        rows = store.feed_rows(name, page * size, (page + 1) * size)
        doc = feed_doc(site, info, rows, page, complete)
        for fmt in FORMATS:
            out.add(pages.feed_path(name, fmt, page), render(doc, fmt))
    doc = feed_doc(site, info, store.feed_rows(name, lower, length), None, complete)
    for fmt in FORMATS:
        out.add(pages.feed_path(name, fmt), render(doc, fmt))


# ------------------------------------------------------------------------ the entry point


def render_changed(
    settings: Settings, store: Store, meeting_ids: list[str], *, full: bool = False
) -> list[str]:
    """Log and write the outputs of ``meeting_ids``; returns the paths written.

    ``full`` re-renders every archive page too (``render_all``)."""
    site = Site.from_settings(settings)
    out = Output()
    touched: dict[str, set[int]] = defaultdict(set)
    bodies: dict[str, str] = {}
    rows = sorted(
        (
            r
            for r in store.render_rows(meeting_ids)
            if r["publication_state"] in ("published", "retracted") and r["first_published_at"]
        ),
        key=lambda r: (r["published_at"] or r["first_published_at"], r["id"]),
    )
    for row in rows:
        # names reach XML through lxml, which refuses control characters
        row["body_name"] = clean_text(row["body_name"])
        ranges, snapshot, updated = log_meeting(settings, store, row)
        for feed, (start, end) in ranges.items():
            touched[feed].update(range(start, end))
        bodies[row["body_slug"]] = row["body_name"]
        lang = label_language(settings, row["source_id"], row["language"])
        summary = pages.meeting_summary(
            site, row, snapshot, updated or row["publication_updated_at"], lang
        )
        out.add(f"meetings/{row['id']}.json", pages.dump(summary))
        out.add(f"meetings/{row['id']}.html", pages.meeting_html(site, summary))
    names = ["all"] + [f"{k}:{slug}" for slug in sorted(bodies) for k in ("body", "decisions")]
    infos = store.feed_infos()
    for name in names:
        if name in infos:
            render_feed(site, store, infos[name], None if full else touched[name], out)
    for slug, name in sorted(bodies.items()):
        meetings = store.body_meetings(slug, CALENDAR_MEETINGS)
        lang = i18n.language_for(infos.get(f"body:{slug}", {}).get("language"), site.language)
        for m in meetings:
            m["label_language"] = label_language(settings, m["source_id"], m["language"])
        out.add(pages.calendar_path(slug), ical.calendar(site, name, lang, meetings))
        out.add(
            pages.index_path(slug), pages.dump(pages.body_index(site, slug, name, lang, meetings))
        )
    if rows:
        ordered = _index_order(infos)
        out.add("feeds/index.json", pages.dump(pages.feed_index(site, ordered)))
        out.add("index.opml", pages.opml(site, ordered))
        out.add("index.html", pages.index_html(site, ordered))
    written = []
    for path, data in out.files:
        if write_atomic(settings.output_dir / path, data):
            written.append(path)
    if site.websub_hub:
        current = {pages.feed_path(n, fmt) for n in names for fmt in FORMATS}
        websub.ping(site.websub_hub, [site.url(p) for p in written if p in current])
    log.info("rendered", extra={"meetings": len(rows), "files_written": len(written)})
    return [str(settings.output_dir / p) for p in written]


def _index_order(infos: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The instance feed first, then per body its meetings feed and its decisions feed."""
    order = {"all": 0, "body": 1, "decisions": 2}
    return sorted(
        infos.values(),
        key=lambda i: (i["kind"] != "all", i.get("body_slug") or "", order[i["kind"]]),
    )


def render_all(settings: Settings, store: Store) -> list[str]:
    """Re-render everything: every published meeting and every archive page. For a new
    deployment of this version (fills the feed log) or after changing ``base_url``; costs
    O(history), unlike ``render_changed``."""
    ids = [m["id"] for m in store.published()]
    return render_changed(settings, store, ids, full=True)
