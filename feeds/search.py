"""Search feeds: the public decisions matching words, a body and/or an outcome, as Atom, RSS
or JSON Feed — so a resident can follow "förskola" or every rejection.

Outputs are static files, so search is a function the web app calls per request
(``/search?q=…&body=…&outcome=…&format=atom``): ``search`` finds the entries, and
``render_search`` serialises them with the same code and the same entry ids as the decision
feeds (a reader following both sees one entry, not two).

Matching: every word of ``q`` must occur in the item's title or case number (case-insensitive,
including å/ä/ö — SQLite's LIKE folds ASCII only, so candidates are re-checked in Python).
Confidential items have no title and never match; only published meetings are searched.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa

from feeds import i18n
from feeds.entries import Entry, Site, entry_from_log, item_keys
from feeds.formats import MEDIA_TYPES, FeedDoc, render
from feeds.render import _EPOCH
from feeds.site import feed_urls
from publisher.model import Outcome
from publisher.settings import Settings
from publisher.store import Store, items, meetings, publications

MAX_LIMIT = 200
MAX_WORDS = 8


def words(q: str | None) -> list[str]:
    return [w for w in re.split(r"\s+", (q or "").strip()) if w][:MAX_WORDS]


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(
    store: Store,
    settings: Settings,
    q: str | None = None,
    body: str | None = None,
    outcome: str | None = None,
    limit: int = 50,
) -> list[Entry]:
    """Newest matching decisions first, at most ``limit`` (capped at ``MAX_LIMIT``)."""
    if outcome is not None and outcome not in {o.value for o in Outcome}:
        return []
    limit = max(1, min(limit, MAX_LIMIT))
    terms = words(q)
    query = (
        sa.select(items.c.meeting_id, items.c.position, items.c.title, items.c.case_number)
        .join(meetings, meetings.c.id == items.c.meeting_id)
        .join(publications, publications.c.meeting_id == items.c.meeting_id)
        .where(publications.c.state == "published", items.c.public.is_(True))
        .order_by(publications.c.published_at.desc(), items.c.meeting_id.desc(), items.c.position)
    )
    if body:
        query = query.where(meetings.c.body_slug == body)
    if outcome:
        query = query.where(items.c.outcome == outcome)
    for term in terms:
        variants = {term, term.lower(), term.upper(), term.capitalize()}
        query = query.where(
            sa.or_(
                *(items.c.title.ilike(_like(v), escape="\\") for v in variants),
                *(items.c.case_number.ilike(_like(v), escape="\\") for v in variants),
            )
        )
    folded = [t.casefold() for t in terms]
    hits: list[tuple[str, int]] = []
    with store.engine.connect() as conn:
        # candidates in pages: the Python re-check may drop a few
        for hit in conn.execute(query.limit(limit * 4)):
            text = f"{hit.title or ''} {hit.case_number or ''}".casefold()
            if all(t in text for t in folded):
                hits.append((hit.meeting_id, hit.position))
            if len(hits) >= limit:
                break
    if not hits:
        return []
    site = Site.from_settings(settings)
    by_meeting: dict[str, dict[str, Any]] = {
        r["id"]: r for r in store.render_rows(sorted({m for m, _ in hits}))
    }
    wanted: dict[str, list[str]] = {}
    keys: dict[tuple[str, int], str] = {}
    for meeting_id, position in hits:
        row = by_meeting.get(meeting_id)
        if row is None:
            continue
        all_keys = item_keys(json.loads(row["protocol"]))
        if position >= len(all_keys):
            continue
        key = f"{meeting_id}/{all_keys[position]}"
        keys[(meeting_id, position)] = key
        wanted.setdefault(f"decisions:{row['body_slug']}", []).append(key)
    logged: dict[str, dict[str, Any]] = {}
    for feed, feed_keys in wanted.items():
        logged |= store.latest_feed_rows(feed, feed_keys)
    entries = []
    for found in hits:
        log_row = logged.get(keys.get(found, ""))
        if log_row is not None and log_row["kind"] == "entry":
            entries.append(entry_from_log(site, log_row))
    return entries


def render_search(
    store: Store,
    settings: Settings,
    q: str | None = None,
    body: str | None = None,
    outcome: str | None = None,
    fmt: str = "atom",
    limit: int = 50,
) -> tuple[bytes, str]:
    """(document bytes, media type) of a search feed."""
    if fmt not in MEDIA_TYPES:
        raise ValueError(f"unknown feed format {fmt!r}")
    site = Site.from_settings(settings)
    entries = search(store, settings, q=q, body=body, outcome=outcome, limit=limit)
    params = {k: v for k, v in (("q", q), ("body", body), ("outcome", outcome)) if v}
    described = " ".join([*words(q), *(f"{k}:{v}" for k, v in params.items() if k != "q")]) or "*"
    lang = site.language
    doc = FeedDoc(
        id=site.tag("search?" + urlencode(sorted(params.items()))),
        title=i18n.label(lang, "feed_search", query=described),
        subtitle=site.organization,
        language=lang,
        updated=max((e.updated for e in entries), default=_EPOCH),
        self_urls={
            f: site.url("search?" + urlencode({**params, "format": f})) for f in MEDIA_TYPES
        },
        alternate=site.base_url,
        author=site.organization,
        author_uri=site.base_url,
        entries=entries,
        current=None,
        extension={"search": params, "feeds": feed_urls(site, "all")},
    )
    return render(doc, fmt), MEDIA_TYPES[fmt]
