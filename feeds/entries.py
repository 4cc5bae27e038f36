"""Entries: what a feed says about one meeting ("in brief") or one decision.

Two steps, kept apart on purpose:

1. ``meeting_snapshot``/``decision_snapshots`` turn a stored, privacy-safe protocol into plain
   JSON-able data. The renderer appends a snapshot to the feed log whenever it differs from
   the last one logged (see ``feeds.render``); archive pages are built from these stored
   snapshots, so they never change when the code or the protocol does later.
2. ``entry_from_log`` turns a logged snapshot into an ``Entry`` with labels in the entry's
   language; ``feeds.formats`` writes entries as Atom, RSS and JSON Feed.

Identity: an entry's id is a tag URI (RFC 4151) built from the meeting id — itself a hash of
the source and the meeting's natural key — and, for a decision, the item's own id or its
printed number (``§ 46``). Never a title or a position, so ids survive rebuilds, renamed
bodies and corrections.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from feeds import i18n
from feeds.safety import clean_text, clean_tree, sanitize_html
from publisher.settings import Settings
from publisher.text import slugify

#: the date part of every tag URI; fixed forever (changing it changes every id)
TAG_DATE = "2024"
#: meetings in a body's calendar and meetings index (newest by meeting date)
CALENDAR_MEETINGS = 100
#: slugs a body may not use as a feed file name (they name instance-wide files)
RESERVED_SLUGS = frozenset({"all", "index", "archive", "search"})

OUTCOME_SCHEME = "urn:meeting-publisher:outcome"
_LETTERS = str.maketrans("0123456789abcdef", "abcdefghijklmnop")


@dataclass(frozen=True)
class Site:
    """What rendering needs from the settings, read once per render."""

    base_url: str
    organization: str
    language: str
    authority: str
    feed_entries: int
    page_size: int
    websub_hub: str | None

    @classmethod
    def from_settings(cls, settings: Settings) -> Site:
        host = urlsplit(settings.base_url).hostname or "localhost"
        return cls(
            base_url=settings.base_url,
            organization=settings.organization,
            language=i18n.language_for(settings.language),
            authority=settings.tag_authority or host,
            # the current feed always covers the newest, still incomplete archive page
            feed_entries=max(settings.feed_entries, 1),
            page_size=max(settings.archive_page_size, 1),
            websub_hub=settings.websub_hub,
        )

    def url(self, path: str) -> str:
        return self.base_url + path

    def tag(self, specific: str) -> str:
        return f"tag:{self.authority},{TAG_DATE}:{specific}"


#: what replaces a retracted meeting's own title wherever it is still listed (calendar,
#: meetings index): a retraction may be for privacy, so nothing of the protocol remains
WITHDRAWN_TITLES = {
    "sv": "Protokoll återkallat",
    "en": "Minutes withdrawn",
    "de": "Niederschrift zurückgezogen",
    "nb": "Protokoll trukket tilbake",
}


def withdrawn_title(lang: str | None) -> str:
    return WITHDRAWN_TITLES[i18n.language_for(lang)]


def feed_slug(body_slug: str) -> str:
    return f"{body_slug}-body" if body_slug in RESERVED_SLUGS else body_slug


def item_key(item: dict[str, Any], seen: set[str]) -> str:
    """The item's identity within its meeting: its own id, else its printed number, else a
    digest of the item's own text — never its position, which a corrected protocol may
    shift. The key is only ever used under its meeting's id (entry key and tag URI
    ``<meeting-id>/<key>``, the page anchor of ``meetings/<meeting-id>.html``), so the
    digest scopes to the meeting through it, and ``item_keys(protocol)`` (search) computes
    the same key from the stored protocol alone."""
    raw = str(item.get("id") or item.get("number") or "")
    if not raw:
        text = "\n".join(str(item.get(k) or "") for k in ("title", "case_number", "decision"))
        # letters only: a run of digits in an id could look like a personnummer and have
        # the final privacy check refuse the file
        digest = hashlib.sha256(text.encode()).hexdigest()[:12].translate(_LETTERS)
        raw = f"item-{digest}"
    key = slugify(raw, fallback="item")
    if len(key) > 48:
        # a long id (an OParl URL) would be cut by slugify, and two could collide: a digest
        # of the whole id keeps the key unique and stable
        key = f"{key[:40].rstrip('-')}-{hashlib.sha256(raw.encode()).hexdigest()[:10]}"
    unique, n = key, 2
    while unique in seen:  # a protocol that prints one number twice
        unique, n = f"{key}-{n}", n + 1
    seen.add(unique)
    return unique


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _votes(item: dict[str, Any]) -> dict[str, int | None] | None:
    votes = item.get("votes")
    if not votes or all(votes.get(k) is None for k in ("yes", "no", "abstain")):
        return None
    return {k: votes.get(k) for k in ("yes", "no", "abstain", "absent")}


def item_keys(protocol: dict[str, Any]) -> list[str]:
    """The key of every item of a stored protocol, by position (confidential ones too)."""
    seen: set[str] = set()
    return [item_key(item, seen) for item in protocol.get("items", [])]


def public_decisions(protocol: dict[str, Any]) -> list[dict[str, Any]]:
    """The public items of a stored protocol, each with its stable ``key``."""
    seen: set[str] = set()
    result = []
    for item in protocol.get("items", []):
        key = item_key(item, seen)
        if not item.get("public", True):
            continue
        result.append(
            {
                "key": key,
                "number": item.get("number"),
                "title": item.get("title"),
                "case_number": item.get("case_number"),
                "decision": item.get("decision"),
                "outcome": item.get("outcome") or "other",
                "outcome_text": item.get("outcome_text"),
                "unanimous": item.get("unanimous"),
                "votes": _votes(item),
                "attachments": [
                    {"url": a["url"], "title": a.get("title")}
                    for a in item.get("attachments", [])
                    if str(a.get("url", "")).startswith(("http://", "https://"))
                ],
            }
        )
    return result


def protocol_link(protocol: dict[str, Any], document_url: str | None) -> str | None:
    for link in protocol.get("links", []):
        if str(link.get("url", "")).startswith(("http://", "https://")):
            return str(link["url"])
    if document_url and document_url.startswith(("http://", "https://")):
        return document_url
    return None


def meeting_snapshot(
    row: dict[str, Any], protocol: dict[str, Any], language: str, protocol_url: str | None
) -> dict[str, Any]:
    """The "in brief" data of one published meeting (without ``updated``; the log adds it)."""
    meeting = protocol.get("meeting", {})
    counts = protocol.get("counts") or {"items": 0, "confidential": 0, "public": 0}
    snapshot = {
        "type": "meeting",
        "meeting_id": row["id"],
        "version": row.get("published_version") or row["version"],
        "language": language,
        "body": {"name": row["body_name"], "slug": row["body_slug"]},
        "title": meeting.get("title"),
        "date": _iso(row["meeting_date"]),
        "start": meeting.get("start") if len(meeting.get("start") or "") > 10 else None,
        "location": meeting.get("location"),
        "published": _iso(row["first_published_at"]),
        "protocol_url": protocol_url,
        "counts": counts,
        "decisions": [
            {k: d[k] for k in ("key", "number", "title", "outcome", "outcome_text", "votes")}
            | {"unanimous": d["unanimous"]}
            for d in public_decisions(protocol)
        ],
    }
    return dict(clean_tree(snapshot))


def decision_snapshots(
    row: dict[str, Any], protocol: dict[str, Any], language: str, protocol_url: str | None
) -> list[tuple[str, dict[str, Any]]]:
    """(entry key, data) of every public decision of a published meeting."""
    result = []
    for decision in public_decisions(protocol):
        data = {
            "type": "decision",
            "meeting_id": row["id"],
            "language": language,
            "body": {"name": row["body_name"], "slug": row["body_slug"]},
            "date": _iso(row["meeting_date"]),
            "published": _iso(row["first_published_at"]),
            "protocol_url": protocol_url,
            **decision,
        }
        result.append((f"{row['id']}/{decision['key']}", dict(clean_tree(data))))
    return result


def comparable(data: dict[str, Any]) -> str:
    """What decides whether a change is worth a new feed entry: everything a reader sees."""
    visible = {k: v for k, v in data.items() if k not in ("updated", "version", "published")}
    return json.dumps(visible, sort_keys=True, ensure_ascii=False)


# ---------------------------------------------------------------------------------- entries


@dataclass(frozen=True)
class Category:
    term: str
    label: str
    scheme: str | None = None


@dataclass(frozen=True)
class Entry:
    id: str
    key: str
    title: str
    updated: datetime
    published: datetime | None
    link: str
    language: str
    content_html: str = ""
    summary: str = ""
    categories: tuple[Category, ...] = ()
    related: tuple[tuple[str, str, str], ...] = ()  # (href, media type, title)
    deleted: bool = False
    extension: dict[str, Any] = field(default_factory=dict)


def meeting_page(site: Site, meeting_id: str) -> str:
    return site.url(f"meetings/{meeting_id}.html")


def meeting_json(site: Site, meeting_id: str) -> str:
    return site.url(f"meetings/{meeting_id}.json")


def _date_label(lang: str, value: str | None) -> str | None:
    return i18n.long_date(lang, date.fromisoformat(value)) if value else None


def brief_title(data: dict[str, Any]) -> str:
    lang, body = data["language"], data["body"]["name"]
    day = _date_label(lang, data.get("date"))
    if day:
        return i18n.label(lang, "brief_title", body=body, date=day)
    return i18n.label(lang, "brief_title_nodate", body=body)


def outcome_words(lang: str, decision: dict[str, Any]) -> str:
    """The outcome in plain words, with the vote counts when there was a vote."""
    words = i18n.outcome(lang, decision.get("outcome") or "other")
    votes = decision.get("votes")
    if votes:
        counts = {k: "–" if votes.get(k) is None else votes[k] for k in ("yes", "no", "abstain")}
        words += f" ({i18n.label(lang, 'votes', **counts)})"
    elif decision.get("unanimous"):
        words += f" ({i18n.label(lang, 'unanimous')})"
    return words


def confidential_line(lang: str, counts: dict[str, Any]) -> str:
    total, secret = counts.get("items", 0), counts.get("confidential", 0)
    if secret:
        return i18n.label(lang, "confidential", n=secret, total=total)
    return i18n.label(lang, "none_confidential", total=total)


def brief_html(site: Site, data: dict[str, Any]) -> str:
    lang = data["language"]
    e = html.escape
    parts = []
    day = _date_label(lang, data.get("date"))
    if day:
        parts.append(f"<p>{e(i18n.label(lang, 'met', body=data['body']['name'], date=day))}</p>")
    decisions = data.get("decisions", [])
    if decisions:
        parts.append(f"<h3>{e(i18n.label(lang, 'decisions'))}</h3><ul>")
        for d in decisions:
            heading = " ".join(x for x in (d.get("number"), d.get("title")) if x)
            parts.append(f"<li><strong>{e(heading)}</strong>: {e(outcome_words(lang, d))}</li>")
        parts.append("</ul>")
    else:
        parts.append(f"<p>{e(i18n.label(lang, 'no_public_decisions'))}</p>")
    parts.append(f"<p>{e(confidential_line(lang, data.get('counts', {})))}</p>")
    links = [f'<a href="{e(meeting_page(site, data["meeting_id"]))}">'
             f"{e(i18n.label(lang, 'summary_page'))}</a>"]  # fmt: skip
    if data.get("protocol_url"):
        links.append(f'<a href="{e(data["protocol_url"])}">{e(i18n.label(lang, "protocol"))}</a>')
    parts.append(f"<p>{' · '.join(links)}</p>")
    return sanitize_html("".join(parts))


def brief_text(data: dict[str, Any]) -> str:
    lang = data["language"]
    lines = [
        f"{' '.join(x for x in (d.get('number'), d.get('title')) if x)}: {outcome_words(lang, d)}"
        for d in data.get("decisions", [])
    ]
    lines.append(confidential_line(lang, data.get("counts", {})))
    return "\n".join(lines)


def decision_title(data: dict[str, Any]) -> str:
    return " ".join(x for x in (data.get("number"), data.get("title")) if x) or data["key"]


def decision_html(site: Site, data: dict[str, Any]) -> str:
    lang = data["language"]
    e = html.escape
    day = _date_label(lang, data.get("date")) or ""
    parts = [
        f"<p>{e(i18n.label(lang, 'decision_of', body=data['body']['name'], date=day).strip())}"
        f"</p><p><strong>{e(i18n.label(lang, 'outcome_label'))}:</strong> "
        f"{e(outcome_words(lang, data))}</p>"
    ]
    if data.get("decision"):
        parts.append(f"<p>{e(data['decision'])}</p>")
    if data.get("case_number"):
        parts.append(f"<p>{e(i18n.label(lang, 'case'))}: {e(data['case_number'])}</p>")
    links = [f'<a href="{e(meeting_page(site, data["meeting_id"]))}">'
             f"{e(i18n.label(lang, 'summary_page'))}</a>"]  # fmt: skip
    if data.get("protocol_url"):
        links.append(f'<a href="{e(data["protocol_url"])}">{e(i18n.label(lang, "protocol"))}</a>')
    for attachment in data.get("attachments", []):
        links.append(f'<a href="{e(attachment["url"])}">{e(attachment.get("title") or "")}</a>')
    parts.append(f"<p>{' · '.join(links)}</p>")
    return sanitize_html("".join(parts))


def body_category(site: Site, body: dict[str, Any]) -> Category:
    return Category(term=body["slug"], label=body["name"], scheme=site.url("feeds/index.json"))


def outcome_category(lang: str, outcome: str) -> Category:
    return Category(term=outcome, label=i18n.outcome(lang, outcome), scheme=OUTCOME_SCHEME)


def entry_from_log(site: Site, row: dict[str, Any]) -> Entry:
    """An ``Entry`` from one feed-log row (``kind`` entry or deleted)."""
    data = json.loads(row["data"]) if isinstance(row["data"], str) else row["data"]
    at: datetime = row["at"]
    lang = data["language"]
    published = datetime.fromisoformat(data["published"]) if data.get("published") else None
    meeting_id = data["meeting_id"]
    page = meeting_page(site, meeting_id)
    if data["type"] == "meeting":
        entry_id = site.tag(meeting_id)
        title = brief_title(data)
    else:
        entry_id = site.tag(f"{meeting_id}/{data['key']}")
        title = decision_title(data)
        page += f"#item-{data['key']}"
    extension: dict[str, Any] = {
        "type": data["type"],
        "meeting_id": meeting_id,
        "retracted": row["kind"] == "deleted",
        "summary_url": meeting_json(site, meeting_id),
        "body": data["body"],
    }
    if row["kind"] == "deleted":
        text = i18n.label(lang, "retracted")
        return Entry(
            id=entry_id,
            key=row["entry_key"],
            title=i18n.label(lang, "retracted_title", title=title),
            updated=at,
            published=published,
            link=page,
            language=lang,
            content_html=sanitize_html(f"<p>{html.escape(text)}</p>"),
            summary=text,
            categories=(body_category(site, data["body"]),),
            deleted=True,
            extension=extension,
        )
    related: list[tuple[str, str, str]] = [
        (meeting_json(site, meeting_id), "application/json", "JSON")
    ]
    if data.get("protocol_url"):
        related.append((data["protocol_url"], "text/html", i18n.label(lang, "protocol")))
    if data["type"] == "meeting":
        outcomes = sorted({d.get("outcome") or "other" for d in data.get("decisions", [])})
        categories = (
            body_category(site, data["body"]),
            *(outcome_category(lang, o) for o in outcomes),
        )
        extension |= {"counts": data.get("counts"), "date": data.get("date")}
        content, summary = brief_html(site, data), brief_text(data)
    else:
        categories = (
            body_category(site, data["body"]),
            outcome_category(lang, data.get("outcome") or "other"),
        )
        extension |= {
            "number": data.get("number"),
            "outcome": data.get("outcome"),
            "votes": data.get("votes"),
            "date": data.get("date"),
        }
        content = decision_html(site, data)
        summary = outcome_words(lang, data)
    return Entry(
        id=entry_id,
        key=row["entry_key"],
        title=clean_text(title),
        updated=at,
        published=published,
        link=page,
        language=lang,
        content_html=content,
        summary=clean_text(summary),
        categories=categories,
        related=tuple(related),
        extension=extension,
    )


def newest_first(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Log rows newest first, each entry key once (its newest row wins: a correction or a
    retraction supersedes what came before)."""
    seen: set[str] = set()
    result = []
    for row in sorted(rows, key=lambda r: r["position"], reverse=True):
        if row["entry_key"] in seen:
            continue
        seen.add(row["entry_key"])
        result.append(row)
    return result
