"""Metadata-only meeting pages read with configured XPath/CSS expressions → ``Protocol``.

For agency pages and meeting calendars that publish *that* a meeting happens (and link its
documents) but no decisions in a structure worth parsing. A selectors configuration names one
expression per field; the result is a meeting with body, title, start/end, location and
document links, and no items.

Configuration (TOML or JSON; in a source's ``selectors`` table or a file)::

    timezone = "America/Detroit"           # optional, else the source's/the instance's
    meeting  = "article.event"             # optional: each match is one meeting (calendars)
    body     = { value = "Library Commission" }   # a literal instead of an expression
    title    = "h1"
    date     = "//th[contains(., 'Date')]/following-sibling::td"
    time     = "//th[contains(., 'Time')]/following-sibling::td"   # "1:30pm - 2:30pm"
    start    = "time @datetime"            # CSS with an attribute: "selector @attr"
    location = "//th[contains(., 'Location')]/following-sibling::td"
    links    = "section[data-scroll-name=minutes] a[href]"
    approved_if = "a[href$='.pdf']"       # optional: a match means approved minutes exist
    id       = "link[rel=canonical] @href"  # optional stable identity (default: canonical URL)

An expression starting with ``/``, ``./``, ``(`` or ``..`` is XPath, anything else CSS. Inside a
``meeting`` container, XPath is evaluated relative to it (write ``.//h2``). A bad expression or
an unknown key is a ``ConfigError`` naming the key, raised before the document is read.

Without ``approved_if`` the protocol status is ``unknown``: a calendar entry says nothing about
signed minutes, and the pipeline only ever publishes approved protocols.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urljoin

from cssselect import SelectorError
from lxml import etree
from lxml.cssselect import CSSSelector

from publisher.errors import ConfigError, MalformedDocument
from publisher.extract import ExtractOptions
from publisher.extract.dates import find_date, find_time_range, local, zone
from publisher.extract.parsing import clean, parse_html
from publisher.model import Body, Link, Meeting, Protocol, ProtocolState, Status

FORMAT = "selectors"
TEXT_FIELDS = ("body", "title", "date", "time", "start", "end", "location", "id")
KEYS = frozenset((*TEXT_FIELDS, "links", "meeting", "approved_if", "timezone", "language"))
_XPATH_START = ("/", "./", "(", "..")
_CSS_ATTR = re.compile(r"^(.*?)\s+@([A-Za-z_:][\w:.-]*)\s*$")
_DEFAULT_ID = "//link[@rel='canonical']/@href | //meta[@property='og:url']/@content"
_ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")

Finder = Callable[[etree._Element], list[Any]]


@dataclass(frozen=True)
class Config:
    finders: dict[str, Finder]
    literals: dict[str, str]
    timezone: str | None
    language: str | None


def _finder(key: str, expression: str) -> Finder:
    expression = expression.strip()
    if not expression:
        raise ConfigError(f"selectors.{key}: empty expression")
    try:
        if expression.startswith(_XPATH_START):
            xpath = etree.XPath(expression)
            return lambda el: list(xpath(el))
        match = _CSS_ATTR.match(expression)
        css = CSSSelector(match.group(1) if match else expression)
        if match is None:
            return lambda el: list(css(el))
        attr = match.group(2)
        return lambda el: [v for v in (e.get(attr) for e in css(el)) if v is not None]
    except etree.XPathSyntaxError as exc:
        raise ConfigError(f"selectors.{key}: invalid XPath {expression!r}: {exc}") from None
    except SelectorError as exc:
        raise ConfigError(f"selectors.{key}: invalid CSS selector {expression!r}: {exc}") from None


@functools.lru_cache(maxsize=256)
def _compiled(key: str, expression: str) -> Finder:
    return _finder(key, expression)


def compile_config(selectors: Mapping[str, Any]) -> Config:
    """Validate a selectors table; errors name the offending key."""
    unknown = sorted(set(selectors) - KEYS)
    if unknown:
        raise ConfigError(f"selectors.{unknown[0]}: unknown key (known: {', '.join(sorted(KEYS))})")
    finders: dict[str, Finder] = {}
    literals: dict[str, str] = {}
    for key, value in selectors.items():
        if key in ("timezone", "language"):
            if not isinstance(value, str):
                raise ConfigError(f"selectors.{key}: expected a string")
            continue
        if isinstance(value, Mapping):
            if set(value) != {"value"} or not isinstance(value["value"], str):
                raise ConfigError(f'selectors.{key}: a table must be {{ value = "text" }}')
            literals[key] = value["value"]
        elif isinstance(value, str):
            finders[key] = _compiled(key, value)
        else:
            raise ConfigError(f"selectors.{key}: expected an expression or {{ value = ... }}")
    if "title" not in finders and "title" not in literals:
        raise ConfigError("selectors.title: required (an expression for the meeting's title)")
    tz = selectors.get("timezone")
    if tz is not None:
        zone(tz)  # fails with a ConfigError naming the zone
    return Config(finders, literals, tz, selectors.get("language"))


def _text_of(found: list[Any]) -> str | None:
    for hit in found:
        text = hit if isinstance(hit, str) else hit.text_content()
        cleaned = clean(str(text))
        if cleaned:
            return cleaned
    return None


def _field(config: Config, key: str, scope: etree._Element) -> str | None:
    if key in config.literals:
        return config.literals[key]
    finder = config.finders.get(key)
    return _text_of(finder(scope)) if finder else None


def _instant(text: str | None, day: date | None, tz: str) -> tuple[datetime | None, date | None]:
    """A date-time from a field: an ISO instant as written, else a date and a clock time."""
    if not text:
        return None, None
    if _ISO_INSTANT.match(text):
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if value.tzinfo is None:
            value = value.replace(tzinfo=zone(tz))
        return value, value.astimezone(zone(tz)).date()
    found_day = find_date(text) or day
    clock, _ = find_time_range(text)
    if found_day is None:
        return None, None
    return local(found_day, clock, tz) if clock else None, found_day


def _links(config: Config, scope: etree._Element, base_url: str | None) -> tuple[Link, ...]:
    finder = config.finders.get("links")
    if finder is None:
        return ()
    links: dict[str, Link] = {}
    for hit in finder(scope):
        if isinstance(hit, str):
            href, title = hit, None
        else:
            href, title = hit.get("href") or hit.get("src"), clean(hit.text_content())
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        url = urljoin(base_url, href.strip()) if base_url else href.strip()
        media = "application/pdf" if re.search(r"\.pdf(\?|#|$)", url, re.I) else None
        links.setdefault(url, Link(url=url, title=title, media_type=media))
    return tuple(links.values())


def _meeting(
    config: Config, scope: etree._Element, options: ExtractOptions, page_id: str | None
) -> Protocol:
    tz = config.timezone or options.timezone
    day = find_date(_field(config, "date", scope))
    start, start_day = _instant(_field(config, "start", scope), day, tz)
    day = day or start_day
    end, _ = _instant(_field(config, "end", scope), day, tz)
    clock_text = _field(config, "time", scope)
    if clock_text and day is not None:
        first, last = find_time_range(clock_text)
        start = local(day, first, tz) if first else start
        end = local(day, last, tz) if last else end
    if start is not None and end is not None and end < start and end.date() == start.date():
        end = end + timedelta(days=1)  # "7:00 PM - 12:15 AM": past midnight
    body = options.body or _field(config, "body", scope)
    if not body:
        raise MalformedDocument("the page names no body; set selectors.body or the source's body")
    title = _field(config, "title", scope)
    if not title:
        raise MalformedDocument("selectors.title matched nothing on this page")
    ident = _field(config, "id", scope)
    if ident and options.base_url and not re.match(r"^[a-z][a-z0-9+.-]*:", ident, re.I):
        ident = urljoin(options.base_url, ident)  # a relative link identifies by its URL
    ident = ident or page_id
    approved = config.finders.get("approved_if")
    status = Status.UNKNOWN
    if approved is not None:
        status = Status.APPROVED if approved(scope) else Status.DRAFT
    return Protocol(
        format=FORMAT,
        body=Body(name=body),
        meeting=Meeting(
            title=title,
            date=day,
            start=start,
            end=end if end and start and end > start else None,
            location=_field(config, "location", scope),
            id=ident,
        ),
        protocol=ProtocolState(status=status),
        links=_links(config, scope, options.base_url),
        language=options.language or config.language,
        source_id=ident,
    )


def extract_all(data: bytes, options: ExtractOptions) -> list[Protocol]:
    """Every meeting on the page (one per ``meeting`` container match, else the page)."""
    if not options.selectors:
        raise ConfigError("format 'selectors' needs a selectors configuration")
    config = compile_config(options.selectors)
    root = parse_html(data, options.max_bytes)
    page_id = _text_of(_compiled("id", _DEFAULT_ID)(root)) or options.base_url
    container = config.finders.get("meeting")
    scopes = [s for s in container(root) if isinstance(s, etree._Element)] if container else [root]
    if not scopes:
        raise MalformedDocument("selectors.meeting matched nothing on this page")
    if len(scopes) == 1:
        return [_meeting(config, scopes[0], options, page_id)]
    meetings = []
    for position, scope in enumerate(scopes, 1):
        protocol = _meeting(config, scope, options, None)
        if protocol.source_id is None and page_id:
            # no id of its own: the page plus the meeting's date and title stay stable
            day = protocol.meeting.date.isoformat() if protocol.meeting.date else str(position)
            ident = f"{page_id}#{day}-{protocol.meeting.title}"
            protocol = _with_id(protocol, ident)
        meetings.append(protocol)
    return meetings


def _with_id(protocol: Protocol, ident: str) -> Protocol:
    return replace(protocol, source_id=ident, meeting=replace(protocol.meeting, id=ident))


def extract(data: bytes, options: ExtractOptions) -> Protocol:
    """The page's (first) meeting; calendars with several use ``extract_all``."""
    return extract_all(data, options)[0]


__all__ = ["compile_config", "extract", "extract_all"]
