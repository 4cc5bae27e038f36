"""The non-feed outputs: per-meeting JSON summary and HTML page, the meetings index per body,
the feed index JSON, OPML and ``index.html``.

HTML is built from escaped text only (``html.escape`` on every value), has a ``lang``
attribute, one ``h1``, lists for lists and no script; the per-meeting page is the entries'
``alternate`` link, so it reads well without any stylesheet.
"""

from __future__ import annotations

import html
import json
from datetime import date, datetime
from typing import Any

from lxml import etree

from feeds import i18n
from feeds.entries import (
    Site,
    brief_title,
    confidential_line,
    feed_slug,
    meeting_json,
    meeting_page,
    outcome_words,
    withdrawn_title,
)
from feeds.formats import FORMATS, MEDIA_TYPES
from feeds.safety import clean_text, clean_tree

SUMMARY_SCHEMA_VERSION = 1
INDEX_SCHEMA_VERSION = 1


def dump(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def feed_path(name: str, fmt: str, page: int | None = None) -> str:
    """Output path of feed ``name`` (``all``, ``body:<slug>``, ``decisions:<slug>``)."""
    kind, _, slug = name.partition(":")
    if kind == "all":
        base, archive = "feeds/all", "feeds/archive/all"
    elif kind == "body":
        base, archive = f"feeds/{feed_slug(slug)}", f"feeds/archive/{feed_slug(slug)}"
    elif kind == "decisions":
        base = f"feeds/{feed_slug(slug)}/decisions"
        archive = f"feeds/archive/{feed_slug(slug)}/decisions"
    else:
        raise ValueError(f"unknown feed {name!r}")
    return f"{archive}/{page}.{fmt}" if page is not None else f"{base}.{fmt}"


def feed_urls(site: Site, name: str, page: int | None = None) -> dict[str, str]:
    return {fmt: site.url(feed_path(name, fmt, page)) for fmt in FORMATS}


def calendar_path(body_slug: str) -> str:
    return f"calendar/{feed_slug(body_slug)}.ics"


def index_path(body_slug: str) -> str:
    return f"meetings/{feed_slug(body_slug)}.index.json"


# ------------------------------------------------------------------------ meeting summary


def meeting_summary(
    site: Site,
    row: dict[str, Any],
    snapshot: dict[str, Any] | None,
    updated: datetime,
    language: str,
) -> dict[str, Any]:
    """The "i korthet" document (``publisher/schemas/summary.schema.json``)."""
    retracted = row["publication_state"] == "retracted" or snapshot is None
    protocol = None if retracted else json.loads(row["protocol"])
    meeting = (protocol or {}).get("meeting", {})
    slug = row["body_slug"]
    data: dict[str, Any] = {
        "schema_version": SUMMARY_SCHEMA_VERSION,
        "id": row["id"],
        "entry_id": site.tag(row["id"]),
        "url": meeting_json(site, row["id"]),
        "html_url": meeting_page(site, row["id"]),
        "retracted": retracted,
        "version": row["published_version"] or row["version"],
        "published": row["first_published_at"].isoformat(),
        "updated": updated.isoformat(),
        "language": language,
        "body": {"name": row["body_name"], "slug": slug},
        "title": brief_title(
            {
                "language": language,
                "body": {"name": row["body_name"], "slug": slug},
                "date": _date(row["meeting_date"]),
            }
        ),
        "meeting": {
            "title": meeting.get("title"),
            "date": row["meeting_date"].isoformat() if row["meeting_date"] else None,
            "start": meeting.get("start"),
            "location": meeting.get("location"),
        },
        "counts": None,
        "confidential_text": None,
        "decisions": [],
        "protocol_url": None,
        "feeds": {
            "meetings": feed_urls(site, f"body:{slug}"),
            "decisions": feed_urls(site, f"decisions:{slug}"),
            "calendar": site.url(calendar_path(slug)),
        },
        "protocol": protocol,
    }
    if snapshot is not None and not retracted:
        data["counts"] = snapshot["counts"]
        data["confidential_text"] = confidential_line(language, snapshot["counts"])
        data["protocol_url"] = snapshot.get("protocol_url")
        data["decisions"] = [
            {
                "key": d["key"],
                "entry_id": site.tag(f"{row['id']}/{d['key']}"),
                "number": d.get("number"),
                "title": d.get("title"),
                "outcome": d.get("outcome") or "other",
                "outcome_label": outcome_words(language, d),
                "outcome_text": d.get("outcome_text"),
                "unanimous": d.get("unanimous"),
                "votes": d.get("votes"),
                "url": meeting_page(site, row["id"]) + f"#item-{d['key']}",
            }
            for d in snapshot["decisions"]
        ]
    # control characters out of every field (a location from a PDF, a title from OParl): the
    # HTML page is built from this, and JSON readers should not meet them either
    cleaned: dict[str, Any] = clean_tree(data)
    return cleaned


def _page(lang: str, title: str, body: str, head: str = "") -> bytes:
    e = html.escape
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{e(i18n.BCP47[lang])}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)}</title>\n{head}"
        "<style>body{font:1rem/1.5 system-ui,sans-serif;max-width:42rem;margin:1rem auto;"
        "padding:0 1rem;color:#111;background:#fff}a{color:#0645ad}</style>\n"
        f"</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n"
    ).encode()


def meeting_html(site: Site, summary: dict[str, Any]) -> bytes:
    e = html.escape
    lang = i18n.language_for(summary["language"])
    slug = summary["body"]["slug"]
    head = (
        "".join(
            f'<link rel="alternate" type="{MEDIA_TYPES[fmt]}" href="{e(url)}" '
            f'title="{e(i18n.label(lang, "feed_body", body=summary["body"]["name"]))}">\n'
            for fmt, url in feed_urls(site, f"body:{slug}").items()
        )
        + f'<link rel="alternate" type="application/json" href="{e(summary["url"])}">\n'
    )
    parts = [f"<h1>{e(summary['title'])}</h1>\n"]
    meeting = summary["meeting"]
    if meeting["date"]:
        day = i18n.long_date(lang, date.fromisoformat(meeting["date"]))
        met = i18n.label(lang, "met", body=summary["body"]["name"], date=day)
        where = f" {meeting['location']}." if meeting.get("location") else ""
        parts.append(f"<p>{e(met + where)}</p>\n")
    if summary["retracted"]:
        parts.append(f"<p>{e(i18n.label(lang, 'retracted'))}</p>\n")
    else:
        parts.append(f"<h2>{e(i18n.label(lang, 'decisions'))}</h2>\n")
        if summary["decisions"]:
            parts.append("<ul>\n")
            for d in summary["decisions"]:
                heading = " ".join(x for x in (d["number"], d["title"]) if x)
                parts.append(
                    f'<li id="item-{e(d["key"])}"><strong>{e(heading)}</strong>: '
                    f"{e(d['outcome_label'])}</li>\n"
                )
            parts.append("</ul>\n")
        else:
            parts.append(f"<p>{e(i18n.label(lang, 'no_public_decisions'))}</p>\n")
        parts.append(f"<p>{e(summary['confidential_text'] or '')}</p>\n")
        if summary["protocol_url"]:
            parts.append(
                f'<p><a href="{e(summary["protocol_url"])}">'
                f"{e(i18n.label(lang, 'protocol'))}</a></p>\n"
            )
    feeds = summary["feeds"]["meetings"]
    parts.append(
        f"<p>{e(i18n.label(lang, 'subscribe'))}: "
        + " · ".join(f'<a href="{e(url)}">{fmt.upper()}</a>' for fmt, url in feeds.items())
        + f' · <a href="{e(summary["feeds"]["calendar"])}">{e(i18n.label(lang, "calendar"))}'
        "</a></p>\n"
    )
    return _page(lang, summary["title"], "".join(parts), head)


# ------------------------------------------------------------------------ per-body index


def body_index(
    site: Site, slug: str, name: str, language: str, meetings: list[dict[str, Any]]
) -> dict[str, Any]:
    """The newest published meetings of a body (complete history: the archived feeds)."""
    listed = [m for m in meetings if m.get("publication_state") in ("published", "retracted")]
    updated = max((_changed(m) for m in listed), default=None)
    return {
        "schema_version": INDEX_SCHEMA_VERSION,
        "body": {"name": name, "slug": slug},
        "language": language,
        "updated": updated.isoformat() if updated else None,
        "feeds": {
            "meetings": feed_urls(site, f"body:{slug}"),
            "decisions": feed_urls(site, f"decisions:{slug}"),
            "calendar": site.url(calendar_path(slug)),
        },
        "meetings": [
            {
                "id": m["id"],
                "date": _date(m["meeting_date"]),
                # a retraction may be for privacy: not even the protocol's own title stays
                "title": withdrawn_title(m.get("label_language") or language)
                if m["publication_state"] == "retracted"
                else clean_text(m["title"] or "") or None,
                "retracted": m["publication_state"] == "retracted",
                "url": meeting_json(site, m["id"]),
                "html_url": meeting_page(site, m["id"]),
                "published": m["first_published_at"].isoformat(),
                "updated": _changed(m).isoformat(),
            }
            for m in listed
        ],
    }


def _changed(meeting: dict[str, Any]) -> datetime:
    value: datetime = meeting["publication_updated_at"]
    return value


def _date(value: date | None) -> str | None:
    return value.isoformat() if value else None


# ------------------------------------------------------------------------ instance indexes


def _feed_title(site: Site, info: dict[str, Any]) -> str:
    lang = i18n.language_for(info.get("language"), site.language)
    if info["kind"] == "all":
        return clean_text(i18n.label(lang, "feed_all", org=site.organization))
    key = "feed_body" if info["kind"] == "body" else "feed_decisions"
    return clean_text(i18n.label(lang, key, body=info.get("body_name") or info.get("body_slug")))


def feed_index(site: Site, infos: list[dict[str, Any]]) -> dict[str, Any]:
    feeds = []
    for info in infos:
        entry = {
            "name": info["name"],
            "kind": info["kind"],
            "title": _feed_title(site, info),
            "language": i18n.BCP47[i18n.language_for(info.get("language"), site.language)],
            "body": {"name": info["body_name"], "slug": info["body_slug"]}
            if info.get("body_slug")
            else None,
            "formats": {
                fmt: {"url": url, "type": MEDIA_TYPES[fmt]}
                for fmt, url in feed_urls(site, info["name"]).items()
            },
            "entries": info["length"],
            "updated": info["updated_at"].isoformat() if info.get("updated_at") else None,
        }
        if info["kind"] == "body":
            entry["calendar"] = site.url(calendar_path(info["body_slug"]))
            entry["meetings_index"] = site.url(index_path(info["body_slug"]))
        feeds.append(entry)
    return {
        "schema_version": INDEX_SCHEMA_VERSION,
        "title": i18n.label(site.language, "index_title", org=site.organization),
        "home_page_url": site.base_url,
        "search": {
            "url_template": site.url("search?q={q}&body={body}&outcome={outcome}&format={format}"),
            "formats": list(FORMATS),
        },
        "feeds": feeds,
    }


def opml(site: Site, infos: list[dict[str, Any]]) -> bytes:
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = clean_text(
        i18n.label(site.language, "index_title", org=site.organization)
    )
    etree.SubElement(head, "ownerName").text = clean_text(site.organization)
    body = etree.SubElement(root, "body")
    for info in infos:
        etree.SubElement(
            body,
            "outline",
            type="rss",
            text=_feed_title(site, info),
            title=_feed_title(site, info),
            xmlUrl=site.url(feed_path(info["name"], "atom")),
            htmlUrl=site.base_url,
            language=i18n.BCP47[i18n.language_for(info.get("language"), site.language)],
        )
    data: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)
    return data


def index_html(site: Site, infos: list[dict[str, Any]]) -> bytes:
    e = html.escape
    lang = site.language
    title = i18n.label(lang, "index_title", org=site.organization)
    head = "".join(
        f'<link rel="alternate" type="{MEDIA_TYPES[fmt]}" title="{e(_feed_title(site, info))}"'
        f' href="{e(url)}">\n'
        for info in infos
        for fmt, url in feed_urls(site, info["name"]).items()
    )
    parts = [f"<h1>{e(title)}</h1>\n<p>{e(i18n.label(lang, 'index_intro'))}</p>\n<ul>\n"]
    for info in infos:
        links = " · ".join(
            f'<a href="{e(url)}" type="{MEDIA_TYPES[fmt]}">{fmt.upper()}</a>'
            for fmt, url in feed_urls(site, info["name"]).items()
        )
        extra = ""
        if info["kind"] == "body":
            extra = (
                f' · <a href="{e(site.url(calendar_path(info["body_slug"])))}" '
                f'type="text/calendar">{e(i18n.label(lang, "calendar"))}</a>'
                f' · <a href="{e(site.url(index_path(info["body_slug"])))}" '
                f'type="application/json">{e(i18n.label(lang, "meetings"))}</a>'
            )
        item_lang = i18n.BCP47[i18n.language_for(info.get("language"), lang)]
        parts.append(
            f'<li lang="{item_lang}"><strong>{e(_feed_title(site, info))}</strong>: '
            f"{links}{extra}</li>\n"
        )
    parts.append(
        f'</ul>\n<p><a href="{e(site.url("index.opml"))}">OPML</a> · '
        f'<a href="{e(site.url("feeds/index.json"))}">JSON</a></p>\n'
    )
    return _page(lang, title, "".join(parts), head)
