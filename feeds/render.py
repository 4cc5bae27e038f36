"""Render what changed: log the changed entries, then rewrite only the files they affect.

``render_changed(settings, store, meeting_ids)`` is called with the meetings whose public
state changed (published, corrected, retracted, restored). Holding the store's render lock
(one render at a time, across processes and hosts), it

1. appends to the feed log (``publisher.store.feed_log``), in one transaction for the
   batch, a snapshot of every entry whose visible content changed — the meeting's "in brief"
   entry in the instance feed and its body's feed, one entry per public decision in the
   body's decisions feed — or a deleted marker (RFC 6721 tombstone) for a retraction or a
   decision a correction removed;
2. writes ``meetings/<id>.json`` and ``meetings/<id>.html``;
3. rewrites, per affected feed, the current document (Atom, RSS, JSON Feed: the newest rows
   of the log, at least ``feed_entries``) and every archive page holding rows past the
   feed's ``written`` mark — full pages never change again, apart from the one
   ``next-archive`` link a page gains when the page after it fills up (RFC 5005). The mark
   moves only after every file is in place, so a render that fails or crashes after logging
   leaves it behind and the next render (of any meeting) writes those pages: the archive
   chain never points at a page that was not written;
4. rewrites the body's calendar and meetings index, and the instance indexes
   (``index.html``, ``index.opml``, ``feeds/index.json``), all bounded by the number of
   bodies, not by history;
5. pings the WebSub hub for every current feed it rewrote, after the file is in place.

Entry times: an entry's ``updated`` is the instant its change became public (the release,
correction or retraction time stored on the publication). Entries released together are
spaced whole seconds apart going backwards from that instant — the newest meeting (and its
last decision) gets the instant itself, nothing is dated in the future — so readers that
see dates to the second (RSS, feedparser) can order them and no two share a timestamp;
times stay strictly increasing within a feed. A new entry's ``published`` is its first
``updated``; a correction keeps it. Nothing reads the clock: re-rendering unchanged data
produces identical bytes, and ``write_atomic`` leaves those files untouched.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
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
#: the distance between entries released together (readers see dates to the second)
_SPACING = timedelta(seconds=1)
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


def _space(instants: list[datetime], clock: datetime | None) -> list[datetime]:
    """The ``at`` of entries appended to one feed together, oldest first.

    Entries released at one instant are spaced whole seconds apart going *backwards* from
    it — the newest gets the instant itself, none lands in the future — so readers with
    second resolution (RSS dates, feedparser) see distinct, ordered times. The result stays
    strictly increasing and strictly after the feed's ``clock``; only when the gap since the
    previous append is too small for whole seconds are the oldest ones a microsecond apart.
    """
    spaced: list[datetime] = []
    following: datetime | None = None
    for when in reversed(instants):
        at = when if following is None else min(when, following - _SPACING)
        spaced.append(at)
        following = at
    spaced.reverse()
    previous = clock
    for i, at in enumerate(spaced):
        if previous is not None and at <= previous:
            spaced[i] = at = previous + _TICK
        previous = at
    return spaced


@dataclass
class _Plan:
    """What one meeting appends to its feeds, before the times are assigned."""

    row: dict[str, Any]
    snapshot: dict[str, Any] | None
    #: (kind, data, instant) of the meeting entry, if it changed
    meeting: tuple[str, dict[str, Any], datetime] | None = None
    #: (entry key, kind, data, instant) per changed decision
    decisions: list[tuple[str, str, dict[str, Any], datetime]] = field(default_factory=list)
    #: the ``at`` of the meeting's newest logged entry (None: never logged)
    updated: datetime | None = None


def log_meetings(
    settings: Settings, store: Store, rows: list[dict[str, Any]]
) -> tuple[dict[str, tuple[int, int]], list[tuple[dict[str, Any] | None, datetime | None]]]:
    """Append the changed entries of ``rows`` (in order) to their feeds, in one transaction.

    Returns the appended position ranges per feed and, per row, the meeting's current
    snapshot (None when retracted) and the ``updated`` of its newest entry.
    """
    if not rows:
        return {}, []
    prepared = []
    for row in rows:
        lang = label_language(settings, row["source_id"], row["language"])
        protocol = json.loads(row["protocol"])
        retracted = row["publication_state"] == "retracted"
        url = protocol_link(protocol, store.document_url(row["source_id"], row["document_key"]))
        snapshot = None if retracted else meeting_snapshot(row, protocol, lang, url)
        decisions = (
            dict(decision_snapshots(row, protocol, lang, url)) if snapshot is not None else {}
        )
        # nothing unsafe enters the feed log: archive pages are built from it for years
        check_output(f"feed log of {row['id']}", json.dumps([snapshot, decisions]).encode())
        prepared.append((row, lang, snapshot, decisions))
    ranges: dict[str, tuple[int, int]] = {}
    plans: list[_Plan] = []
    with store.begin() as conn:
        clock = store.feed_clock(conn, "all", kind="all")
        decision_clocks: dict[str, datetime | None] = {}
        for row, lang, _snapshot, _decisions in prepared:
            slug = row["body_slug"]
            meta = {"body_slug": slug, "body_name": row["body_name"], "language": lang}
            store.feed_clock(conn, f"body:{slug}", kind="body", **meta)
            decision_clocks[slug] = store.feed_clock(
                conn, f"decisions:{slug}", kind="decisions", **meta
            )
        for row, _lang, snapshot, decisions in prepared:
            plans.append(_plan(store, conn, row, snapshot, decisions))
        # times: the meeting entries share theirs between the instance and the body feed
        # (the instance feed's clock is the later of the two: it holds every body's rows)
        meeting_plans = [p for p in plans if p.meeting]
        times = _space([p.meeting[2] for p in meeting_plans if p.meeting], clock)
        by_feed: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for plan, at in zip(meeting_plans, times, strict=True):
            assert plan.meeting is not None  # noqa: S101 - filtered above
            kind, data, _instant = plan.meeting
            entry = _row(plan.row["id"], plan.row["id"], kind, at, data)
            by_feed["all"].append(entry)
            by_feed[f"body:{plan.row['body_slug']}"].append(entry)
            plan.updated = at
        for slug in sorted(decision_clocks):
            changed = [
                (plan, change)
                for plan in plans
                if plan.row["body_slug"] == slug
                for change in plan.decisions
            ]
            times = _space([change[3] for _plan_, change in changed], decision_clocks[slug])
            for (plan, (key, kind, data, _instant)), at in zip(changed, times, strict=True):
                by_feed[f"decisions:{slug}"].append(_row(key, plan.row["id"], kind, at, data))
        for name in sorted(by_feed, key=lambda n: (n != "all", n)):
            ranges[name] = store.feed_append(conn, name, by_feed[name])
    return ranges, [(p.snapshot, p.updated) for p in plans]


def _plan(
    store: Store,
    conn: Any,
    row: dict[str, Any],
    snapshot: dict[str, Any] | None,
    current: dict[str, dict[str, Any]],
) -> _Plan:
    """The entries of one meeting whose visible content changed since they were logged."""
    plan = _Plan(row=row, snapshot=snapshot)
    slug = row["body_slug"]
    last = store.latest_feed_rows(f"body:{slug}", [row["id"]], conn).get(row["id"])
    last_data = json.loads(last["data"]) if last else None
    plan.updated = last["at"] if last else None
    if snapshot is not None:
        if (
            last is None
            or last["kind"] == "deleted"
            or (comparable(last_data or {}) != comparable(snapshot))
        ):
            plan.meeting = ("entry", _keep_published(snapshot, last_data), row["published_at"])
    elif last is not None and last["kind"] == "entry":
        plan.meeting = ("deleted", last_data or {}, row["publication_updated_at"])
    # decisions: changed ones, and tombstones for those gone (retraction or correction)
    before = {f"{row['id']}/{d['key']}" for d in (last_data or {}).get("decisions", [])}
    latest = store.latest_feed_rows(f"decisions:{slug}", sorted(before | current.keys()), conn)
    change = row["publication_updated_at"] if snapshot is None else row["published_at"]
    for key in sorted(current.keys() | before, key=_protocol_order(current)):
        previous = latest.get(key)
        previous_data = json.loads(previous["data"]) if previous else None
        if key in current:
            data = current[key]
            if previous and previous["kind"] == "entry":
                if comparable(previous_data or {}) == comparable(data):
                    continue
            data = _keep_published(data, previous_data)
            plan.decisions.append((key, "entry", data, change))
        elif previous and previous["kind"] == "entry":
            plan.decisions.append((key, "deleted", previous_data or {}, change))
    return plan


def _keep_published(data: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    """An entry keeps the ``published`` of its first logged version (a correction is the same
    entry); a new one gets its own first ``at`` (see ``_row``), not the release instant it
    shares with the rest of its sweep."""
    if previous and previous.get("published"):
        return {**data, "published": previous["published"]}
    return {k: v for k, v in data.items() if k != "published"}


def _protocol_order(current: dict[str, Any]) -> Any:
    """Sort key: decisions in protocol order, then removed ones (their tombstones)."""
    order = {key: i for i, key in enumerate(current)}

    def key(entry_key: str) -> tuple[int, str]:
        return (order.get(entry_key, len(order)), entry_key)

    return key


def _row(key: str, meeting_id: str, kind: str, at: datetime, data: Any) -> dict[str, Any]:
    payload = {"published": at.isoformat(), **data, "updated": at.isoformat()}
    return {
        "entry_key": key,
        "meeting_id": meeting_id,
        "kind": kind,
        "at": at,
        "data": json.dumps(payload, ensure_ascii=False),
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


def archive_pages(written: int, length: int, size: int, *, full: bool = False) -> range:
    """The archive pages to (re)write when the files are known to be written for positions
    ``< written`` and the log holds ``length`` rows: every complete page holding a position
    from ``written`` on, and the page before the first of them — it gains its
    ``next-archive`` link once that page is complete (RFC 5005). ``full``: every page."""
    complete = length // size
    if full:
        return range(complete)
    first = min(written, length) // size
    if first >= complete:
        return range(0)
    return range(max(0, first - 1), complete)


def render_feed(site: Site, store: Store, info: dict[str, Any], full: bool, out: Output) -> None:
    """The current documents of one feed, plus every archive page not yet known to be
    written (``info["written"]``, see ``Store.feed_written``; all pages when ``full``)."""
    name, length, size = info["name"], info["length"], site.page_size
    complete = length // size
    # the current feed: at least feed_entries rows, and every row not yet in a full page
    lower = max(0, min(complete * size, length - site.feed_entries))
    for page in archive_pages(info.get("written") or 0, length, size, full=full):
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

    Holds the store's render lock (``Store.render_lock``) throughout: two renders never
    interleave, so an older one cannot overwrite what a newer one wrote. Besides the feeds
    of these meetings' bodies, it rewrites every feed whose files lag behind its log (a
    render that failed after logging: its archive pages are written now). ``full``
    re-renders every archive page too (``render_all``)."""
    with store.render_lock():
        return _render_changed(settings, store, meeting_ids, full=full)


def _render_changed(
    settings: Settings, store: Store, meeting_ids: list[str], *, full: bool
) -> list[str]:
    site = Site.from_settings(settings)
    out = Output()
    bodies: dict[str, str] = {}
    rows = sorted(
        (
            r
            for r in store.render_rows(meeting_ids)
            if r["publication_state"] in ("published", "retracted") and r["first_published_at"]
        ),
        key=_log_order,
    )
    for row in rows:
        # names reach XML through lxml, which refuses control characters
        row["body_name"] = clean_text(row["body_name"])
    _ranges, logged = log_meetings(settings, store, rows)
    for row, (snapshot, updated) in zip(rows, logged, strict=True):
        bodies[row["body_slug"]] = row["body_name"]
        lang = label_language(settings, row["source_id"], row["language"])
        summary = pages.meeting_summary(
            site, row, snapshot, updated or row["publication_updated_at"], lang
        )
        out.add(f"meetings/{row['id']}.json", pages.dump(summary))
        out.add(f"meetings/{row['id']}.html", pages.meeting_html(site, summary))
    infos = store.feed_infos()
    names = ["all"] + [f"{k}:{slug}" for slug in sorted(bodies) for k in ("body", "decisions")]
    # feeds whose files lag behind their log: an earlier render logged, then failed
    names += sorted(
        n for n, i in infos.items() if n not in names and (i.get("written") or 0) < i["length"]
    )
    rendered: dict[str, int] = {}
    for name in names:
        if name in infos:
            render_feed(site, store, infos[name], full, out)
            rendered[name] = infos[name]["length"]
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
    # only now, with every file in place, are the feeds' files known to be written: a crash
    # or an error before this line leaves the mark behind, and the next render catches up
    store.feed_written(rendered)
    if site.websub_hub:
        current = {pages.feed_path(n, fmt) for n in names for fmt in FORMATS}
        websub.ping(site.websub_hub, [site.url(p) for p in written if p in current])
    log.info("rendered", extra={"meetings": len(rows), "files_written": len(written)})
    return [str(settings.output_dir / p) for p in written]


def _log_order(row: dict[str, Any]) -> tuple[datetime, date, str]:
    """Meetings enter the log by the instant of their change, then by meeting date: of the
    meetings released together, the newest meeting gets the latest time (``_space``)."""
    retracted = row["publication_state"] == "retracted"
    instant = row["publication_updated_at"] if retracted else row["published_at"]
    return (
        instant or row["first_published_at"],
        row["meeting_date"] or date.min,
        row["id"],
    )


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
