"""A notice board (*anslagstavla*) or archive page that links to protocol documents.

The page is fetched conditionally; its document links are remembered in the listing's
validators so a 304 costs nothing more than the conditional GETs of the documents themselves.
Reading the page's links is discovery; the documents' content is never looked at here.

Which links are documents:

* ``link_selector``: an XPath (starts with ``/``, ``./`` or ``(``) or CSS expression. It may
  select ``<a>`` elements, elements containing them, or ``@href`` attribute values.
* otherwise a regular expression — ``link_pattern`` or ``DEFAULT_LINK_PATTERN`` — searched in
  the link's ``href`` as written and in its text (including ``title``, ``aria-label`` and image
  ``alt`` text), for links in the page content: links inside ``<nav>``, ``role=navigation``
  and the page's own ``<header>``/``<footer>`` are menus, not notices.

The default pattern is the word *protokoll* and its relatives. On Swedish notice boards
(Sitevision, Netpublicator, Meetings Plus exports) a posted protocol is announced as
"Protokoll kommunstyrelsen 2024-06-12", "Justerat protokoll …" or "Anslag om justerat
protokoll", and the file names say "protokoll" too; the other notices on the same board
(kungörelser, bygglov, kallelser, detaljplaner) do not. A rule like "every ``.html`` under the
board's path" would pick those up, because on Sitevision every notice is such a page.

Links are resolved against the final page URL (or ``<base href>``), fragments dropped,
duplicates removed (first position kept); only http(s) links are kept and the page itself is
skipped.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Collection, Iterable
from urllib.parse import urldefrag, urljoin, urlsplit

import requests
from lxml import etree

from publisher.errors import FetchRefused, PermanentError
from publisher.extract.parsing import clean, parse_html
from publisher.settings import SourceConfig
from publisher.sources.base import FetchedDocument, PollResult, Validators, ValidatorStore
from publisher.sources.http import conditional_get, http_date

log = logging.getLogger("publisher.sources.listing")

DEFAULT_LINK_PATTERN = r"(?i)protokol|protocol|minutes|niederschrift"
#: bump when the link-finding rules change, so a 304 listing does not reuse stale links
_LINK_RULES_VERSION = "1"
_MENU_ROLES = frozenset({"navigation", "banner", "contentinfo"})
_SECTIONING = frozenset({"article", "section", "main", "aside"})
_XPATH_START = ("/", "./", "(")


def poll(
    source: SourceConfig,
    validators: ValidatorStore,
    *,
    known_keys: Collection[str],
    session: requests.Session,
) -> PollResult:
    if not source.url:
        raise FetchRefused(f"source {source.id}: an http-listing source needs a url")
    listing_key = validators_key(source)
    previous = validators.get(listing_key)
    page = conditional_get(
        session,
        source.url,
        previous,
        max_bytes=source.max_bytes,
        timeout=source.request_timeout,
        politeness=source.politeness,
    )
    if page.body is None:
        links: tuple[str, ...] = previous.links if previous else ()
    else:
        root = parse_html(page.body, source.max_bytes)
        links = tuple(find_links(root, page.url, source, listing_url=source.url))
    listing_validators = Validators(
        etag=page.validators.etag, last_modified=page.validators.last_modified, links=links
    )
    if listing_validators != previous:
        validators.put(listing_key, listing_validators)

    complete = True
    if not links:
        # A board with no protocols at all is far more often a redesign or an error page
        # than the truth; an incomplete poll retracts nothing.
        log.warning("no document links on the listing page", extra={"url": source.url})
        complete = False
    documents: list[FetchedDocument] = []
    for link in links:
        stored = validators.get(link) if link in known_keys else None
        try:
            result = conditional_get(
                session,
                link,
                stored,
                max_bytes=source.max_bytes,
                timeout=source.request_timeout,
                politeness=source.politeness,
            )
        except PermanentError as exc:
            # Still linked but refused (404, too large): an error to report, not a retraction.
            # Transient errors propagate and the whole poll is retried; nothing is kept.
            log.warning(
                "linked document not fetched",
                extra={"source_id": source.id, "url": link, "error": str(exc)},
            )
            complete = False
            continue
        new = Validators(etag=result.validators.etag, last_modified=result.validators.last_modified)
        if new != validators.get(link):
            validators.put(link, new)
        documents.append(
            FetchedDocument(
                key=link,
                url=result.url,
                data=result.body,
                modified=http_date(new.last_modified),
            )
        )
    return PollResult(documents=tuple(documents), complete=complete)


def validators_key(source: SourceConfig) -> str:
    """Where the listing's validators live: its URL plus a digest of the link rules.

    The links remembered for a 304 were found with the rules of that time; when the operator
    changes ``link_selector``/``link_pattern`` (or the rules change in code) the digest changes,
    so the page is fetched in full once. The fragment never reaches a server, and document
    keys never carry one, so it cannot collide with a document's validators.
    """
    rules = "\0".join((_LINK_RULES_VERSION, source.link_selector or "", source.link_pattern or ""))
    digest = hashlib.sha256(rules.encode("utf-8")).hexdigest()[:12]
    return f"{source.url}#links-{digest}"


def find_links(
    root: etree._Element, page_url: str, source: SourceConfig, *, listing_url: str | None = None
) -> list[str]:
    """The document URLs on a listing page, in page order, without duplicates."""
    base = page_url
    for base_el in root.iter("base"):
        href = base_el.get("href")
        if href and href.strip():
            base = urljoin(page_url, href.strip())
            break
    if source.link_selector:
        candidates: Iterable[str] = _selected(root, source.link_selector)
    else:
        pattern = re.compile(source.link_pattern or DEFAULT_LINK_PATTERN)
        candidates = (
            href
            for el in root.iter("a", "area")
            if (href := el.get("href")) is not None
            and not _in_menu(el)
            and (pattern.search(href) or pattern.search(_link_text(el)))
        )
    skip = {urldefrag(page_url)[0], urldefrag(listing_url or page_url)[0]}
    seen: set[str] = set()
    links: list[str] = []
    for href in candidates:
        href = href.strip()
        if not href or href.startswith("#"):
            continue
        absolute = urldefrag(urljoin(base, href))[0]
        if urlsplit(absolute).scheme.lower() not in ("http", "https"):
            continue
        if absolute in skip or absolute in seen:
            continue
        seen.add(absolute)
        links.append(absolute)
    return links


def _selected(root: etree._Element, selector: str) -> list[str]:
    try:
        if selector.lstrip().startswith(_XPATH_START):
            found = root.xpath(selector)
        else:
            from lxml.cssselect import CSSSelector

            found = CSSSelector(selector)(root)
    except (etree.XPathError, SyntaxError, ValueError) as exc:
        # cssselect's SelectorSyntaxError is a SyntaxError
        raise FetchRefused(
            f"link_selector {selector!r} is not a valid XPath or CSS expression ({exc})"
        ) from None
    if not isinstance(found, list):
        found = [found]
    hrefs: list[str] = []
    for item in found:
        if isinstance(item, str):  # an @href attribute value
            hrefs.append(str(item))
        elif isinstance(item, etree._Element):
            if item.get("href") is not None:
                hrefs.append(item.get("href"))
            else:
                hrefs.extend(a.get("href") for a in item.iter("a", "area") if a.get("href"))
    return hrefs


def _link_text(el: etree._Element) -> str:
    parts = [*el.itertext(), el.get("title") or "", el.get("aria-label") or ""]
    parts.extend(img.get("alt") or "" for img in el.iter("img"))
    return clean(" ".join(parts)) or ""


def _in_menu(el: etree._Element) -> bool:
    """Inside site navigation, or the page's own header/footer (not an article's)."""
    for ancestor in el.iterancestors():
        tag = ancestor.tag if isinstance(ancestor.tag, str) else ""
        if tag == "nav" or (ancestor.get("role") or "").lower() in _MENU_ROLES:
            return True
        if tag in ("header", "footer") and not any(
            isinstance(up.tag, str) and up.tag in _SECTIONING for up in ancestor.iterancestors()
        ):
            return True
    return False
