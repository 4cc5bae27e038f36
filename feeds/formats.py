"""One feed document, three formats: Atom 1.0 and RSS 2.0 through feedgen, JSON Feed 1.1.

feedgen builds the documents; lxml then adds what feedgen has no API for — RFC 6721
tombstones, the RFC 5005 ``fh:archive`` marker, ``atom:link`` relations in RSS, per-entry
``xml:lang`` — and rewrites RSS dates with ``email.utils`` (feedgen formats them by switching
the *process* locale to C and back, which is not thread-safe; ours never look at the locale,
and feedgen is never handed an RSS date to format).

Nothing here reads a clock: a document's ``updated`` is its newest entry's, so rendering the
same entries twice gives the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from feedgen.feed import FeedGenerator
from lxml import etree

from feeds import i18n
from feeds.entries import Entry
from feeds.safety import clean_text

ATOM_NS = "http://www.w3.org/2005/Atom"
TOMBSTONE_NS = "http://purl.org/atompub/tombstones/1.0"
HISTORY_NS = "http://purl.org/syndication/history/1.0"
DC_NS = "http://purl.org/dc/elements/1.1/"
JSONFEED_VERSION = "https://jsonfeed.org/version/1.1"

MEDIA_TYPES = {
    "atom": "application/atom+xml",
    "rss": "application/rss+xml",
    "json": "application/feed+json",
}
FORMATS = tuple(MEDIA_TYPES)

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@dataclass(frozen=True)
class FeedDoc:
    """A feed document before serialisation. URLs per format in ``self_urls``."""

    id: str
    title: str
    language: str
    updated: datetime
    self_urls: dict[str, str]
    alternate: str
    author: str
    author_uri: str
    entries: list[Entry]
    subtitle: str | None = None
    hub: str | None = None
    current: dict[str, str] | None = None
    prev_archive: dict[str, str] | None = None
    next_archive: dict[str, str] | None = None
    archive: bool = False
    extension: dict[str, Any] = field(default_factory=dict)


def render(doc: FeedDoc, fmt: str) -> bytes:
    if fmt == "atom":
        return to_atom(doc)
    if fmt == "rss":
        return to_rss(doc)
    if fmt == "json":
        return to_json(doc)
    raise ValueError(f"unknown feed format {fmt!r}")


def _generator(doc: FeedDoc, fmt: str) -> FeedGenerator:
    fg = FeedGenerator()
    fg.id(doc.id)
    fg.title(clean_text(doc.title))
    fg.subtitle(clean_text(doc.subtitle or doc.title))
    fg.language(i18n.BCP47[i18n.language_for(doc.language)])
    fg.author(name=clean_text(doc.author), uri=doc.author_uri)
    if fmt == "atom":
        fg.updated(doc.updated)
    else:
        # feedgen formats RSS dates by switching the process locale (not thread-safe, and
        # the web app renders search feeds in threads); to_rss writes them itself, so none
        # is left for feedgen to format (its lastBuildDate would default to now()).
        fg._FeedGenerator__rss_lastBuildDate = None
    fg.generator("meeting-publisher")
    fg.link(href=doc.self_urls[fmt], rel="self", type=MEDIA_TYPES[fmt])
    fg.link(href=doc.alternate, rel="alternate", type="text/html")
    if fmt == "atom":
        for rel, urls in _history_links(doc):
            fg.link(href=urls[fmt], rel=rel, type=MEDIA_TYPES[fmt])
        if doc.hub:
            fg.link(href=doc.hub, rel="hub")
    for entry in doc.entries:
        if entry.deleted:
            continue
        fe = fg.add_entry(order="append")
        fe.id(entry.id)
        fe.guid(entry.id, permalink=False)
        fe.title(entry.title)
        fe.updated(entry.updated)
        if entry.published is not None and fmt == "atom":
            fe.published(entry.published)
        # feedgen 1.0 drops rel/type/title of entry links (it shadows its own variable);
        # to_atom writes the entry links itself, this one is RSS's <link>
        fe.link(href=entry.link, rel="alternate", type="text/html")
        fe.summary(entry.summary)
        fe.content(entry.content_html, type="html")
        for category in entry.categories:
            fe.category(term=category.term, label=category.label, scheme=category.scheme)
    return fg


def _history_links(doc: FeedDoc) -> list[tuple[str, dict[str, str]]]:
    links = []
    for rel, urls in (
        ("current", doc.current),
        ("prev-archive", doc.prev_archive),
        ("next-archive", doc.next_archive),
    ):
        if urls:
            links.append((rel, urls))
    return links


def _serialize(root: Any) -> bytes:
    data: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)
    return data


def to_atom(doc: FeedDoc) -> bytes:
    root = etree.fromstring(_generator(doc, "atom").atom_str(), _PARSER)
    a = f"{{{ATOM_NS}}}"
    # entries come out in the order given; give each its own language (the instance feed
    # mixes sources)
    live = [e for e in doc.entries if not e.deleted]
    for element, entry in zip(root.iter(f"{a}entry"), live, strict=True):
        element.set("{http://www.w3.org/XML/1998/namespace}lang", i18n.BCP47[entry.language])
        for old in element.findall(f"{a}link"):
            element.remove(old)
        anchor = element.find(f"{a}title")
        links = [(entry.link, "alternate", "text/html", None), *(
            (href, "related", media_type, title) for href, media_type, title in entry.related
        )]  # fmt: skip
        for href, rel, media_type, title in reversed(links):
            link = etree.Element(f"{a}link", href=href, rel=rel, type=media_type)
            if title:
                link.set("title", title)
            anchor.addnext(link)
    # RFC 4287's grammar puts extension elements among the feed metadata, before the first
    # entry; RFC 5005's marker and RFC 6721's tombstones are such elements
    first = root.find(f"{a}entry")

    def place(element: Any) -> None:
        if first is not None:
            first.addprevious(element)
        else:
            root.append(element)

    if doc.archive:
        place(etree.Element(f"{{{HISTORY_NS}}}archive", nsmap={"fh": HISTORY_NS}))
    for entry in doc.entries:
        if not entry.deleted:
            continue
        # RFC 6721: the reader removes the entry with this id; ``when`` is the retraction
        tomb = etree.Element(
            f"{{{TOMBSTONE_NS}}}deleted-entry",
            nsmap={"at": TOMBSTONE_NS},
            ref=entry.id,
            when=_rfc3339(entry.updated),
        )
        place(tomb)
        link = etree.SubElement(tomb, f"{a}link", href=entry.link, rel="alternate")
        link.set("type", "text/html")
        comment = etree.SubElement(tomb, f"{{{TOMBSTONE_NS}}}comment")
        comment.set("{http://www.w3.org/XML/1998/namespace}lang", i18n.BCP47[entry.language])
        comment.text = entry.summary
    etree.cleanup_namespaces(root, top_nsmap={"at": TOMBSTONE_NS, "fh": HISTORY_NS})
    return _serialize(root)


def to_rss(doc: FeedDoc) -> bytes:
    """RSS 2.0 has no tombstones: a retracted entry simply leaves the RSS feed."""
    root = etree.fromstring(_generator(doc, "rss").rss_str(), _PARSER)
    channel = root.find("channel")
    for element in channel.iter("pubDate", "lastBuildDate"):
        element.getparent().remove(element)
    # RFC 822 dates in English whatever LC_TIME says (email.utils never consults the locale)
    build = etree.Element("lastBuildDate")
    build.text = format_datetime(doc.updated.astimezone(UTC))
    channel.find("language").addnext(build)
    # the feed's author: RSS's own managingEditor/webMaster must be e-mail addresses, so the
    # organisation goes into Dublin Core's creator (what validators and readers accept)
    creator = etree.Element(f"{{{DC_NS}}}creator", nsmap={"dc": DC_NS})
    creator.text = clean_text(doc.author)
    build.addnext(creator)
    live = [e for e in doc.entries if not e.deleted]
    for item, entry in zip(channel.iter("item"), live, strict=True):
        when = entry.published or entry.updated
        pub = etree.SubElement(item, "pubDate")
        pub.text = format_datetime(when.astimezone(UTC))
    anchor = channel.find(f"{{{ATOM_NS}}}link")
    extra = [(rel, urls["rss"]) for rel, urls in _history_links(doc)]
    if doc.hub:
        extra.append(("hub", doc.hub))
    for rel, href in reversed(extra):
        link = etree.Element(f"{{{ATOM_NS}}}link", href=href, rel=rel)
        anchor.addnext(link)
    if doc.archive:
        etree.SubElement(channel, f"{{{HISTORY_NS}}}archive", nsmap={"fh": HISTORY_NS})
    etree.cleanup_namespaces(root, top_nsmap={"atom": ATOM_NS, "dc": DC_NS, "fh": HISTORY_NS})
    return _serialize(root)


def _rfc3339(value: datetime) -> str:
    return value.isoformat()


def to_json(doc: FeedDoc) -> bytes:
    """JSON Feed 1.1; our own data sits in ``_publisher`` objects (the extension mechanism)."""
    items = []
    for entry in doc.entries:
        item: dict[str, Any] = {
            "id": entry.id,
            "url": entry.link,
            "title": entry.title,
            "content_html": entry.content_html,
            "content_text": entry.summary,
            "summary": entry.summary,
            "date_published": _rfc3339(entry.published or entry.updated),
            "date_modified": _rfc3339(entry.updated),
            "language": i18n.BCP47[entry.language],
            "tags": [c.label for c in entry.categories],
            "_publisher": {**entry.extension, "retracted": entry.deleted},
        }
        if entry.related and not entry.deleted:
            item["external_url"] = entry.related[-1][0]
        items.append(item)
    feed: dict[str, Any] = {
        "version": JSONFEED_VERSION,
        "title": doc.title,
        "home_page_url": doc.alternate,
        "feed_url": doc.self_urls["json"],
        "description": doc.subtitle or doc.title,
        "language": i18n.BCP47[i18n.language_for(doc.language)],
        "authors": [{"name": doc.author, "url": doc.author_uri}],
    }
    if doc.prev_archive:
        # JSON Feed pagination: next_url leads to older entries
        feed["next_url"] = doc.prev_archive["json"]
    if doc.hub:
        feed["hubs"] = [{"type": "WebSub", "url": doc.hub}]
    feed["items"] = items
    history = {rel: urls["json"] for rel, urls in _history_links(doc)}
    feed["_publisher"] = {
        "id": doc.id,
        "updated": _rfc3339(doc.updated),
        "archive": doc.archive,
        "links": history,
        **doc.extension,
    }
    return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
