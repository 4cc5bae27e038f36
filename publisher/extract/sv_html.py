"""Swedish municipal protocols (protokoll) in HTML from any vendor → ``Protocol``.

Real protocols reach us as semantic CMS pages, Word exports (windows-1252, ``MsoNormal``
paragraphs, the header block in a table), flat ``<br>``-separated text, or ``<pre>`` dumps.
Class names differ per vendor and per year, so nothing here looks at CSS classes. The work
is split in two steps that know nothing of each other:

1. ``html_to_blocks`` flattens the HTML into a sequence of text *blocks*: one block per line
   of text as a reader sees it (block elements, ``<br>`` breaks, table rows). Within a block a
   TAB separates table cells, so a header table row ``Plats och tid | Stadshuset`` becomes
   ``"Plats och tid\\tStadshuset"``. A row with a cell of several paragraphs (a Word header
   cell listing every member) is read cell by cell instead, which is the "label above its
   values" layout. Links are kept beside the blocks, by block index.
2. ``parse_blocks`` reads that sequence the way a clerk would: ``§ 46`` starts an item; label
   words (*Sammanträdesdatum*, *Justeringens plats och tid*, *Beslut*, *Omröstning* ...) say
   what the following text is, whether the value sits after a colon, in the next cell, or on
   the next line.

A PDF text extractor only has to produce the same blocks (lines; TAB between columns) to reuse
step 2. Everything is linear in the size of the document: regular expressions are anchored at
a block start or run over one block or one item; the costlier ones only run where a cheap
substring test says they can match.
"""

from __future__ import annotations

import bisect
import functools
import re
import threading
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import compress
from typing import Any

from lxml import etree

from publisher.errors import MalformedDocument, PublisherError
from publisher.extract import ExtractOptions
from publisher.extract.dates import find_date as _find_date
from publisher.extract.dates import find_time_range, local
from publisher.extract.outcomes import classify, is_unanimous
from publisher.extract.parsing import clean, clean_block, parse_html, raw_text
from publisher.extract.votecounts import find_votes
from publisher.model import (
    Body,
    Item,
    Link,
    Meeting,
    Organization,
    Outcome,
    People,
    Person,
    Protocol,
    ProtocolState,
    Status,
    Votes,
)
from publisher.privacy import SECRECY_WORDS, has_secrecy_marker, with_joined_breaks
from publisher.text import (
    WordSet,
    collapse_space,
    fold,
    nfc,
    plain_digits,
    scrub,
    start_strings,
)

FORMAT = "sv-html"

#: dates as Swedish documents write them: "5/3/2024" is 5 March
find_date = functools.partial(_find_date, day_first=True)

#: Kommunallagen 13 kap.: an appeal must reach the court within three weeks of the day the
#: notice (anslag) of the signed protocol was posted. Used when only the posting date is given.
APPEAL_PERIOD = timedelta(days=21)

# ============================================================================================
# Step 1: HTML → blocks

# The flattening runs as an XSLT stylesheet: libxslt walks the tree in C, several times faster
# than a Python loop over every element, which matters because extraction is benchmarked
# against a bare lxml parse. The stylesheet only marks structure with private-use characters;
# Python then cleans the text and decides what the marks mean. The stylesheet is ours and runs
# with every document/file/network access denied.
_BREAK = "\ue010"  # a block boundary: p, div, li, br, headings, table rows ...
_CELL = "\ue011"  # between two cells of a one-line table row
_PRE = "\ue012"  # a line break inside <pre>, where newlines and column gaps are layout
_BOLD_END = "\ue013"  # the end of a <b>/<strong>: maybe a run-in label ("<b>Beslut</b> Nämnden")
_LINK_OPEN, _LINK_TEXT, _LINK_CLOSE = "\ue000", "\ue001", "\ue002"  # <a href> around its text
# An image's alt text ("Sekretess" on a lock icon in a heading): never shown as text, but read
# for secrecy with the block it stands in
_ALT_OPEN, _ALT_CLOSE = "\ue014", "\ue015"
# A horizontal rule, or the start of the notes below a text (footnotes, endnotes): after the
# last item, what follows is no part of it (a page footer, "Sidan uppdaterad …", the notes)
_RULE = "\ue016"
_ALT_MARK = re.compile(f"{_ALT_OPEN}([^{_ALT_OPEN}{_ALT_CLOSE}]*){_ALT_CLOSE}?")
_MARKS = re.compile("[\ue000-\ue016]")
_LINK_MARK = re.compile(
    f"{_LINK_OPEN}([^{_LINK_TEXT}{_LINK_OPEN}]*){_LINK_TEXT}([^{_LINK_CLOSE}]*){_LINK_CLOSE}?"
)
_PRE_SPLIT = re.compile(r" {3,}|\ue011")

_BLOCK_TAGS = (
    "p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd section article header footer main aside "
    "blockquote address figure figcaption hr table caption thead tbody tfoot form fieldset "
    "legend center details summary body html"
).split()
# A footnote mark or exponent is set apart ("850312-1231<sup>1</sup>" is a number and a
# mark, not one longer number that no longer reads as a personnummer).
# Form controls and site navigation carry no protocol text (navigation menus of CMS pages
# list every committee name, which would confuse the body-name search).
_SKIP_TAGS = "head title nav select option button textarea template noscript script style"
# Word (Save as HTML, filtered too) keeps its review comments: their text in a closing
# "msocomtxt" div, a "[KG1]" reference anchor in the text. An editor's note ("Kontrollera med
# Bengt: ska sökandens personnummer … stå med?") is no part of the protocol: never read.
# (Element names first, and Word's class names as Word writes them: a pattern that starts
# "*[…]" is tried on every element of the page, which cost a fifth of reading it.)
# Google Docs keeps them too: "[a]" anchors to "#cmnt1" in the text, and at the end one div
# per comment opening with the anchor back ("#cmnt_ref1").
_WORD_COMMENTS = (
    "div[@class='msocomtxt']|a[@class='msocomanchor']|span[@class='MsoCommentReference']"
    "|div[@style][contains(@style, 'mso-element:comment')]"
    "|a[@href][starts-with(@href, '#cmnt')]|div[p[1]/a[starts-with(@href, '#cmnt_ref')]]"
)
# Notes below the text: Markdown's and EPUB's roles and class, Word's footnote and endnote
# lists, Google Docs' footnotes (one div each, opening with the anchor back, "#ftnt_ref1")
_NOTES = (
    "hr|div[@role='doc-endnotes' or @class='footnotes']|section[@role='doc-endnotes']"
    "|aside[@role='doc-footnote' or @role='doc-endnote']|ol[@class='footnotes']"
    "|div[@style][contains(@style, 'mso-element:footnote-list')"
    " or contains(@style, 'mso-element:endnote-list')]"
    "|div[p[1]/a[starts-with(@href, '#ftnt_ref')]]"
)
# What an icon says only in markup is read like an image's alt text (for secrecy, never
# shown): an inline SVG's <title> ("Sekretess" on a lock), an abbreviation's or an image's
# title, a span's or an icon's aria-label. The element's own content is read as ever.
_LABELLED = "".join(
    f"""<xsl:template match="svg"{mode}>&#xE014;<xsl:value-of select=".//title"/>&#xE015;\
</xsl:template>
<xsl:template match="abbr[@title]|span[@aria-label]|i[@aria-label]|img[@title]"\
 priority="-0.1"{mode}>&#xE014;<xsl:value-of select="@title|@aria-label"/>&#xE015;\
<xsl:apply-templates{mode}/></xsl:template>
"""
    for mode in ("", ' mode="pre"', ' mode="cell"')
)
_XSLT_SOURCE = f"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:output method="text" encoding="UTF-8"/>
<xsl:template match="{"|".join(_SKIP_TAGS.split())}"/>
<xsl:template match="{_WORD_COMMENTS}" priority="2"/>
<xsl:template match="{_WORD_COMMENTS}" mode="cell" priority="2"/>
<xsl:template match="{_WORD_COMMENTS}" mode="pre" priority="2"/>
<xsl:template match="{"|".join(_SKIP_TAGS.split())}" mode="cell"/>
<xsl:template match="{"|".join(_BLOCK_TAGS)}">&#xE010;<xsl:apply-templates/>&#xE010;</xsl:template>
<xsl:template match="br">&#xE010;</xsl:template>
<xsl:template match="{_NOTES}" priority="1"
 >&#xE010;&#xE016;&#xE010;<xsl:apply-templates/>&#xE010;</xsl:template>
<xsl:template match="b|strong"><xsl:apply-templates/>&#xE013;</xsl:template>
<xsl:template match="sup|sub"><xsl:text> </xsl:text><xsl:apply-templates/></xsl:template>
<xsl:template match="img[@alt]">&#xE014;<xsl:value-of select="@alt"/>&#xE015;</xsl:template>
{_LABELLED}
<xsl:template match="img[@alt]" mode="pre"
 >&#xE014;<xsl:value-of select="@alt"/>&#xE015;</xsl:template>
<xsl:template match="img[@alt]" mode="cell"
 >&#xE014;<xsl:value-of select="@alt"/>&#xE015;</xsl:template>
<xsl:template match="a[@href]">&#xE000;<xsl:value-of select="@href"/>&#xE001;
 <xsl:apply-templates/>&#xE002;</xsl:template>
<xsl:template match="pre">&#xE010;&#xE012;<xsl:apply-templates mode="pre"/>&#xE010;</xsl:template>
<xsl:template match="text()" mode="pre"
 ><xsl:value-of select="translate(., '&#10;&#9;', '&#xE012;&#xE011;')"/></xsl:template>
<xsl:template match="br" mode="pre">&#xE012;</xsl:template>
<xsl:template match="a[@href]" mode="pre">&#xE000;<xsl:value-of select="@href"/>&#xE001;
 <xsl:apply-templates mode="pre"/>&#xE002;</xsl:template>
<xsl:template match="*" mode="pre"><xsl:apply-templates mode="pre"/></xsl:template>
<xsl:template match="tr">
 <xsl:choose>
  <xsl:when test="count(td|th) &gt; 1 and not((td|th)[*[2] or table])"
  >&#xE010;<xsl:for-each select="td|th"><xsl:if test="position() &gt; 1">&#xE011;</xsl:if
  ><xsl:apply-templates mode="cell"/></xsl:for-each>&#xE010;</xsl:when>
  <xsl:otherwise><xsl:for-each select="td|th">
   &#xE010;<xsl:apply-templates/>&#xE010;</xsl:for-each></xsl:otherwise>
 </xsl:choose>
</xsl:template>
<xsl:template match="a[@href]" mode="cell">&#xE000;<xsl:value-of select="@href"/>&#xE001;
 <xsl:apply-templates mode="cell"/>&#xE002;</xsl:template>
<xsl:template match="br|sup|sub" mode="cell"
 ><xsl:text> </xsl:text><xsl:apply-templates mode="cell"/></xsl:template>
<xsl:template match="*" mode="cell"><xsl:apply-templates mode="cell"/></xsl:template>
</xsl:stylesheet>"""
_flattener = threading.local()  # lxml XSLT objects are not shared between threads

try:  # the same flattening as one walk of the tree in C (publisher/_flatten.c)
    from publisher import _flatten as _flatten_c
except ImportError:  # pragma: no cover - no compiler at install: the stylesheet runs
    _flatten_c = None  # type: ignore[assignment]
# (built against one lxml's headers: used with that lxml only, the stylesheet with another)
_C_FLATTEN = _flatten_c is not None and _flatten_c.LXML_VERSION == etree.__version__


def _flatten(element: Any) -> str:
    return _flatten_utf8(element).decode("utf-8", "replace")


def _flatten_utf8(element: Any) -> bytes:
    """The text of ``element`` with the marks above, UTF-8: ``_XSLT_SOURCE``'s output."""
    if _C_FLATTEN and isinstance(element, etree._Element):
        try:
            return bytes(_flatten_c.flatten(element))
        except RecursionError as exc:
            raise MalformedDocument(f"cannot flatten the HTML: {exc}") from None
        except TypeError:
            pass  # not an element of an HTML document: the stylesheet reads it
    return _flatten_xslt(element)


def _flatten_xslt(element: Any) -> bytes:
    transform = getattr(_flattener, "xslt", None)
    if transform is None:
        transform = etree.XSLT(
            etree.XML(_XSLT_SOURCE.encode("utf-8")),
            access_control=etree.XSLTAccessControl.DENY_ALL,
        )
        _flattener.xslt = transform
    try:
        return bytes(transform(element))
    except etree.XSLTError as exc:  # e.g. nesting deeper than libxslt's recursion limit
        raise MalformedDocument(f"cannot flatten the HTML: {exc}".splitlines()[0]) from None


_DOCUMENT_EXT = re.compile(r"\.(pdf|docx?|odt|rtf|xlsx?|ods|pptx?)(?:$|[?#])", re.IGNORECASE)
_MEDIA_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "rtf": "application/rtf",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


@dataclass(frozen=True, slots=True)
class TextDocument:
    """A document as a sequence of text blocks, the input of ``parse_blocks``."""

    blocks: tuple[str, ...]
    #: block index → links anchored in that block
    links: Mapping[int, tuple[Link, ...]] = field(default_factory=dict)
    #: the document's own title (HTML ``<title>``, PDF metadata), a fallback for the body name
    title: str | None = None
    #: block index → the alt texts of the images in that block (read for secrecy only)
    alts: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    #: the index of the block after each horizontal rule or start of notes (``_RULE``)
    rules: tuple[int, ...] = ()


def _content_root(root: Any) -> Any:
    # A semantic page's <main> holds the protocol without the site chrome; use it only when
    # it really contains the items (some CMSs put the protocol outside <main>).
    for candidate in root.iter("main"):
        if "§" in raw_text(candidate):  # (its text, as text_content() has it, in one C call)
            return candidate
    body = root.find("body")
    return body if body is not None else root


def _make_link(href: str, text: str, base_url: str | None) -> Link | None:
    href = href.strip()
    lowered = href.lower()
    if not href or lowered.startswith(("javascript:", "mailto:", "tel:", "data:", "#")):
        return None
    try:
        url = urllib.parse.urljoin(base_url, href) if base_url else href
        path = urllib.parse.urlsplit(url).path
    except ValueError:  # "http://[::1" and other unparseable hosts
        return None
    match = _DOCUMENT_EXT.search(path + "?")
    media_type = _MEDIA_TYPES.get(match.group(1).lower()) if match else None
    return Link(url=url, title=clean(_MARKS.sub("", text)), media_type=media_type)


def html_to_document(root: Any, base_url: str | None = None) -> TextDocument:
    """Flatten a parsed HTML tree into text blocks; see the module docstring."""
    title_el = root.find(".//title")
    title = clean(raw_text(title_el)) if title_el is not None else None
    flat = _flatten_utf8(_content_root(root))
    text = flat.decode("utf-8", "replace")
    if _PRE in text:
        text = _BREAK.join(_pre_lines(segment) for segment in text.split(_BREAK))
    text = _clean_document(text)
    blocks: list[str] = []
    append = blocks.append
    links: dict[int, list[Link]] = {}
    alts: dict[int, list[str]] = {}
    rules: list[int] = []
    for segment in text.split(_BREAK):
        # Most segments are plain text or the empty gap between two block boundaries. A
        # printable one holds no mark (private-use characters are not printable; the text is
        # cleaned, so no control character or whitespace but " " is left): what
        # ``_add_block`` would make of it is the segment stripped, when anything is left.
        if segment.isprintable():
            if line := segment.strip():
                append(line)
            continue
        if not (len(segment) > 1 or segment.strip()):
            continue
        if _RULE in segment:
            if not rules or rules[-1] != len(blocks):
                rules.append(len(blocks))
            segment = segment.replace(_RULE, "")
        if _BOLD_END in segment:
            head, _mark, tail = segment.partition(_BOLD_END)
            label = head.strip(" \ue000\ue001\ue002")
            if tail.strip() and len(label) <= 60 and _RUN_IN_LABEL.fullmatch(label):
                _add_block(head, blocks, links, base_url, alts)
                segment = tail
            segment = segment.replace(_BOLD_END, "")
        _add_block(segment, blocks, links, base_url, alts)
    return TextDocument(
        blocks=tuple(blocks),
        links={k: tuple(v) for k, v in links.items()},
        title=title,
        alts={k: tuple(v) for k, v in alts.items()},
        rules=tuple(rules),
    )


def _clean_document(text: str) -> str:
    """What ``parsing.clean`` does per field, once for the whole text: NFC, no ligatures,
    characters that are not seen or control characters, whitespace runs collapsed
    (``text.scrub``: one pass of C), digits written as character references as digits."""
    return plain_digits(scrub(nfc(text)))


def _pre_lines(segment: str) -> str:
    # Plain-text protocols align label and value with runs of spaces: those become cells.
    if _PRE not in segment:
        return segment
    lines = []
    for line in segment.split(_PRE):
        if "   " in line or _CELL in line:
            line = _CELL.join(part.strip() for part in _PRE_SPLIT.split(line))
        lines.append(line)
    return _BREAK.join(lines)


def _add_block(
    segment: str,
    blocks: list[str],
    links: dict[int, list[Link]],
    base_url: str | None,
    alts: dict[int, list[str]] | None = None,
) -> None:
    found: list[Link] = []
    texts: list[str] = []
    if _ALT_OPEN in segment:
        texts = [alt for alt in _ALT_MARK.findall(segment) if alt.strip()]
        segment = _ALT_MARK.sub(" ", segment)
    if _LINK_OPEN in segment:
        for match in _LINK_MARK.finditer(segment):
            link = _make_link(match.group(1), match.group(2), base_url)
            if link is not None:
                found.append(link)
        segment = _LINK_MARK.sub(r"\2", segment)
    if _LINK_TEXT in segment or _LINK_CLOSE in segment or _LINK_OPEN in segment:
        segment = _MARKS.sub(" ", segment)  # a link that spans blocks: keep its text only
    if _CELL in segment:
        cells = [cell.strip() for cell in segment.split(_CELL)]
        line = "\t".join(cells).strip("\t") if any(cells) else ""
    else:
        line = segment.strip()
    # a link without text (an icon) belongs to the line before it; so does an image alone
    target = len(blocks) if line or not blocks else len(blocks) - 1
    if found:
        links.setdefault(target, []).extend(found)
    if texts and alts is not None:
        alts.setdefault(target, []).extend(texts)
    if line:
        blocks.append(line)


def html_to_blocks(root: Any) -> list[str]:
    """The text blocks of a parsed HTML tree (links and title dropped)."""
    return list(html_to_document(root).blocks)


# ============================================================================================
# Step 2: blocks → Protocol
#
# Vocabulary, shared by both layouts a label can have: "Label: value", "Label<TAB>value",
# or "Label" alone with the value in the next block(s).

# letters a Swedish label or name may contain: Latin with its accented forms (Latin-1 and
# Latin Extended-A/B: "Suljić", "Nováková", "Łukasz", "Öztürk"); × and ÷ are not letters
_W = "A-Za-zÀ-ÖØ-öø-ɏ"
_UPPER = "A-Z" + "".join(c for c in map(chr, range(0xC0, 0x250)) if c.isupper())
_B = rf"(?<![{_W}0-9])"  # word start
_E = rf"(?![{_W}0-9])"  # word end

# § 46 / §46 / § 46a — but not §§ 40–58 or § 40–58 (the paragraph range of the protocol).
# Some exports spell the sign out: "Paragraf 41" (never "Paragrafer", the header's range label).
_ITEM_HEAD = re.compile(
    r"(?:§(?!§)|[Pp](?:aragraf|ARAGRAF)(?=\s*\d))"
    r"\s*(\d{1,4})([a-z])?(?![\d\w])(?!\s*(?:[-–—]|,|och)\s*\d{1,4}\s*(?:$|\t|,))"
)
_HEAD_INITIALS = frozenset("§Pp")  # the first character of every _ITEM_HEAD match


def _heading_at_start(text: str) -> bool:
    """Whether ``_ITEM_HEAD`` can match at the start of ``text`` ("§" or "Paragraf"), told
    without running it."""
    return text[:1] == "§" or (text[1:8] in ("aragraf", "ARAGRAF") and text[:1] in ("P", "p"))


def _item_head_at_start(text: str) -> re.Match[str] | None:
    """``_ITEM_HEAD.match(text)``"""
    return _ITEM_HEAD.match(text) if _heading_at_start(text) else None


_LEADERS = re.compile(r"[.…_·]{3,}")


def _has_leaders(text: str) -> bool:
    """Whether ``_LEADERS`` can match in ``text``, told by substring tests in C: a run of
    three of ".…_·" holds "…" or "·", or else is of "." and "_" alone, and holds two alike
    side by side or alternates ("._.", "_._")."""
    return (
        ".." in text or "__" in text or "…" in text or "·" in text or "._." in text or "_._" in text
    )


_PAGE_NUMBER = re.compile(
    r"sid(?:a|an)?\s*\d+(?:\s*(?:av|\(|/)\s*\d+\)?)?|\d+\s*\(\s*\d+\s*\)", re.IGNORECASE
)
_PAGE_HEADER = re.compile(
    r"(?:sammanträdes)?protokoll(?:sutdrag)?$|sammanträdesdatum\b|utdrag\s+ur\s+protokoll",
    re.IGNORECASE,
)
# "Paragrafer" with the range on the next line ("§ 46"): a value, not an item heading
# (the singular "Paragraf" is also the label of an item's own number in a per-item table)
_PARAGRAPHS_LABEL = re.compile(
    r"(?:justerade\s+paragraf(?:er)?|paragrafer)\s*:?\s*$", re.IGNORECASE
)
_NOISE = re.compile(
    # (with the signers' initials filled in: "Justerandes signatur: TA", "Justerandes sign: AB, CD")
    r"(?:justerandes?|justerares)\s+sign(?:atur(?:er)?)?\.?"
    r"(?:\s*:(?:\s*(?-i:[A-ZÅÄÖ]{1,3})\b(?:\s*(?:,|och)?\s*(?-i:[A-ZÅÄÖ]{1,3})\b)*)?)?"
    r"|utdragsbestyrkande(?:\s*:)?|"
    r"sid(?:a|an)?\s*\d+(?:\s*(?:av|\(|/)\s*\d+\)?)?|\d+\s*\(\s*\d+\s*\)|"
    r"ordförandes\s+sign(?:atur)?\.?|sekreterarens\s+sign(?:atur)?\.?",
    re.IGNORECASE,
)

# --- header labels. Key → (pattern, anywhere). "Anywhere" labels never occur in running
# text, so they are recognised in the middle of a cell ("Datum då anslaget sätts upp
# 2024-06-21 Datum då anslaget tas ned 2024-07-15"); the others (Datum, Ordförande,
# "tjänstgörande ersättare", which also occurs inside a member list) only where a label can
# start: at the start of a cell, right after another label, or after signature dots.
_HEADER_LABELS: tuple[tuple[str, str, bool], ...] = (
    (
        "posted",
        r"datum\s+då\s+anslaget\s+(?:sätts|sattes|satts|har\s+satts)\s+upp"
        r"|datum\s+för\s+anslags?\s+uppsättande|anslaget\s+(?:sätts|sattes|har\s+satts)\s+upp"
        r"|anslag(?:et)?\s+uppsatt|anslagsdatum|datum\s+för\s+anslag(?:et)?"
        r"|anslag(?:et)?\s+publicera(?:t|des)|uppsättningsdatum|anslagets\s+uppsättande"
        r"|datum\s+för\s+tillkännagivande|(?:protokollet\s+)?anslogs"
        r"|protokollet\s+har\s+tillkännagivits"
        rf"|anslag(?:et|its)?\s+på\s+(?:[{_W}]+\s+){{0,3}}?anslagstavla(?:n)?"
        r"|anslag(?:et)?\s+under\s+tiden",
        True,
    ),
    (
        "taken_down",
        r"datum\s+då\s+anslaget\s+(?:tas|togs)\s+(?:ned|ner)|datum\s+för\s+anslags?\s+nedtagande"
        r"|(?:anslaget\s+)?(?:tas|togs)\s+(?:ned|ner)|nedtagningsdatum|datum\s+för\s+nedtagande"
        r"|anslagets\s+nedtagande|sista\s+dag(?:en)?\s+(?:för\s+överklagande|att\s+överklaga)"
        r"|överklagandetiden\s+(?:går\s+ut|utgår|löper\s+ut)",
        True,
    ),
    ("storage", r"förvaringsplats(?:\s+för\s+protokollet)?|protokollet\s+förvaras", True),
    (
        "justering",
        r"justeringens\s+(?:plats\s+och\s+tid|tid\s+och\s+plats|plats,?\s+dag\s+och\s+tid"
        r"|plats\s+och\s+datum|datum\s+och\s+plats|plats|tid|datum)"
        r"|(?:tid\s+och\s+plats|plats\s+och\s+tid)\s+för\s+justering(?:en)?"
        r"|justeringsdatum|justeringsdag|datum\s+för\s+justering(?:en)?",
        True,
    ),
    ("justering", r"justering", False),
    (
        "approved_mark",
        r"protokollet\s+(?:är|har\s+(?:blivit\s+)?)\s*justera(?:t|ts)|protokollet\s+justera(?:des|t)"
        r"|justeringen\s+har\s+(?:tillkännagivits|tillkännagetts|skett)"
        r"|justeringen\s+tillkännagiven|protokollet\s+är\s+(?:digitalt|elektroniskt)\s+"
        r"(?:signerat|justerat)|(?:digitalt|elektroniskt)\s+(?:signerat|justerat)"
        r"|signerat\s+(?:digitalt|elektroniskt)",
        True,
    ),
    ("approved_mark", r"justerat", False),
    ("organ", r"beslutande\s+organ|organ|nämnd|instans", False),
    (
        "date",
        r"sammanträdesdatum|sammanträdets\s+datum|sammanträdesdag|mötesdatum"
        r"|datum\s+för\s+sammanträdet|datum\s+för\s+mötet|datum\s+och\s+tid",
        True,
    ),
    ("date", r"datum", False),
    (
        "place_time",
        r"plats\s+och\s+tid|tid\s+och\s+plats|plats,?\s+datum\s+och\s+tid|tid,?\s+datum\s+och\s+plats"
        r"|sammanträdesplats|sammanträdeslokal|mötesplats|sammanträdestid",
        False,
    ),
    ("place_time", r"plats|lokal|tid", False),
    (
        "present",
        r"beslutande\s+ledamöter|närvarande\s+ledamöter|närvarande\s+beslutande"
        r"|tjänstgörande\s+ledamöter|tjänstgörande\s+ersättare",
        False,
    ),
    ("present", r"beslutande|närvarande|ledamöter", False),
    (
        "others",
        r"övriga\s+(?:närvarande|deltagande|deltagare)(?:\s+tjänstepersoner|\s+tjänstemän)?"
        r"|ej\s+tjänstgörande\s+ersättare|närvarande\s+ersättare|närvarande\s+tjänste(?:män|personer)"
        r"|anmält\s+förhinder|ärendeförteckning|innehållsförteckning|föredragningslista"
        r"|närvarolista",
        False,
    ),
    (
        "others",
        r"övriga|ersättare|tjänstepersoner|tjänstemän|frånvarande|insynsplats|adjungerade?"
        r"|gäster|förhinder|ärendelista|innehåll|upprop",
        False,
    ),
    ("secretary", r"vid\s+protokollet", False),
    ("secretary", r"sekreterare|protokollförare|nämndsekreterare", False),
    ("chair", r"ordförande|ordf\.", False),
    (
        "adjusters",
        r"utse[sd]?d?a?\s+att\s+justera|utsågs\s+att\s+justera|utsedda\s+justerare"
        r"|justeringspersoner|justeringsperson",
        False,
    ),
    ("adjusters", r"justerare|justerande", False),
    ("signatures", r"underskrifter|justerandes\s+signaturer", False),
    ("signatures", r"underskrift|justeras|signaturer|namnförtydligande", False),
    ("paragraphs", r"justerade\s+paragrafer|paragrafer", True),
    ("paragraphs", r"paragraf", False),
    ("anslag", r"anslag\s*/\s*bevis|anslagsbevis|bevis\s+om\s+(?:anslag|justering)", True),
    ("anslag", r"bevis|anslag", False),
)


def _label_regex(labels: Iterable[tuple[str, str, bool]]) -> re.Pattern[str]:
    parts = [f"(?P<l{index}>{pattern})" for index, (_k, pattern, _a) in enumerate(labels)]
    return re.compile(_B + "(?:" + "|".join(parts) + ")" + _E, re.IGNORECASE)


# Labels are tried where a label can start (anchored: cheap), the "anywhere" ones are searched
# for inside a cell only when one of their words occurs in it.
_HEADER_AT = _label_regex(_HEADER_LABELS)
_ANYWHERE_LABELS = tuple(label for label in _HEADER_LABELS if label[2])
_HEADER_ANYWHERE = _label_regex(_ANYWHERE_LABELS)
_ANYWHERE_WORDS = (
    "anslag", "justera", "justering", "förvar", "sammanträde", "paragraf", "bevis", "datum",
    "överklag", "signerat", "protokollet",
)  # fmt: skip
# (one of them is in the folded text wherever an "anywhere" label is: each is part of one)
_ANYWHERE_GATE = WordSet(_ANYWHERE_WORDS)
_GAP = re.compile(r"[\s:.…_·–—-]*")


def _label_starts(pattern: str) -> tuple[frozenset[str], int]:
    """The folded strings a match of a label ``pattern`` must begin with, and their length:
    three characters, or two for a label whose first three are not one fixed literal choice
    (``text.start_strings``)."""
    for length in (3, 2):
        starts = start_strings(pattern, length, re.IGNORECASE)
        if starts is not None:
            return starts, length
    raise ValueError(f"label {pattern!r} has no literal start")  # pragma: no cover


_AT_STARTS = tuple(_label_starts(pattern) for _key, pattern, _anywhere in _HEADER_LABELS)


@functools.lru_cache(maxsize=1024)
def _labels_starting(head: str) -> re.Pattern[str] | None:
    """``_HEADER_AT`` cut down to the labels that can match a text whose folded first three
    characters are ``head``: the same alternatives in the same order with the same group
    names (so the same one wins and ``_label_key`` names it), the others left out as they
    cannot match there. Far quicker than trying some fifty alternatives, and ``None`` (no
    label) for most cells: names, dates, places."""
    parts = [
        f"(?P<l{index}>{pattern})"
        for index, (_key, pattern, _anywhere) in enumerate(_HEADER_LABELS)
        if head[: _AT_STARTS[index][1]] in _AT_STARTS[index][0]
    ]
    if not parts:
        return None
    return re.compile(_B + "(?:" + "|".join(parts) + ")" + _E, re.IGNORECASE)


def _label_at(cell: str, pos: int) -> re.Match[str] | None:
    """``_HEADER_AT.match(cell, pos)``"""
    labels = _labels_starting(fold(cell[pos : pos + 3]))
    return None if labels is None else labels.match(cell, pos)


_SINGLE_KEYS = frozenset(
    "posted taken_down storage justering organ date place_time chair secretary approved_mark "
    "paragraphs".split()
)
_MULTI_KEYS = frozenset(("present", "others", "adjusters"))
_PERSON_KEYS = frozenset(("chair", "secretary"))
_DATED_KEYS = frozenset(("posted", "taken_down", "justering", "date", "approved_mark"))

# Lines that end the last item: the signature and notice blocks printed after the items.
_CLOSING = re.compile(
    rf"(?:underskrifter|underskrift|vid\s+protokollet|justeras|justerat){_E}"
    rf"\s*(?::|\t|$|[.…_]{{3}}|\d)"
    rf"|(?:anslag\s*/\s*bevis|anslagsbevis|bevis\s+om\s+(?:anslag|justering)"
    rf"|protokollet\s+(?:är|har)\s+justera(?:t|ts)|datum\s+då\s+anslaget"
    rf"|protokollet\s+justera(?:t|des)|protokollet\s+har\s+tillkännagivits"
    rf"|(?:anslag\s*:\s*)?protokollet\s+(?:anslogs|har\s+anslagits|har\s+satts\s+upp)"
    rf"|anslaget\s+på\s+(?:[{_W}]+\s+){{0,3}}?anslagstavla(?:n)?){_E}",
    re.IGNORECASE,
)

_CLOSING_INITIALS = frozenset("uUvVjJaAbBpPdD")
# An appendix printed after the last item ("Bilaga 1 till § 62 – Omröstningslista"): the
# last item ends there, or the appendix of another item would be read as part of it
_APPENDIX = re.compile(
    r"(?:bilaga\s+\d+\s*(?:till\s+(?:§|paragraf|protokoll)|[:–—-])"
    r"|omröstningslista|omröstningsbilaga|voteringslista|(?:fotnoter|fotnot|noter)\s*:?\s*$)",
    re.IGNORECASE,
)
_DRAFT = re.compile(
    rf"{_B}(?:preliminärt?|ej\s+justera[td]|inte\s+justera[td]|ojustera[td]|icke\s+justera[td]"
    rf"|utkast|ännu\s+(?:ej|inte)\s+justera[td]){_E}",
    re.IGNORECASE,
)
_BODY_WORDS = (
    "nämnd", "styrelse", "fullmäktige", "utskott", "beredning", "direktion", "kommitté",
    "råd", "presidi",
)  # fmt: skip

# --- body and organization names
_BODY_WORD = (
    r"(?:nämnd(?:en)?|styrelse(?:n)?|fullmäktige|utskott(?:et)?|beredning(?:en)?"
    r"|direktion(?:en)?|kommitté(?:n)?|råd(?:et)?|presidium|presidiet)"
)
_BODY_NAME = re.compile(
    rf"{_B}(?P<name>"
    rf"(?:[{_W}]+-(?:,\s*[{_W}]+-)*\s+(?:och|&)\s+)?"  # "Barn- och ", "Miljö-, hälso- och "
    rf"[{_W}]*{_BODY_WORD}"
    # "Kommunstyrelsens arbetsutskott", "Socialnämndens individ- och familjeutskott"
    rf"(?:s\s+(?:[{_W}]+-(?:,\s*[{_W}]+-)*\s+(?:och|&)\s+)?[{_W}]*utskott(?:et)?)?"
    rf"(?P<gen>s)?){_E}",
    re.IGNORECASE,
)
_BODY_STOP = re.compile(
    r"^(?:nämnd|nämnden|styrelse|styrelsen|råd|rådet|utskott|utskottet|beslutande)$", re.I
)
_ADJECTIVE_BEFORE = re.compile(rf"{_B}([{_W}]{{3,}}a)[ \u00a0]+$")
_NOT_ADJECTIVES = frozenset(
    "denna samma andra alla flera sina dessa hela vilka båda övriga berörda egna nya "
    "aktuella ansvariga ovanstående nämnda".split()
)
_ORGANIZATION = re.compile(
    rf"{_B}(?:(?P<a>[A-ZÅÄÖ][{_W}-]+)\s+(?P<kind>(?i:kommun|stad|kommunalförbund))"
    rf"|(?P<region>(?i:region)\s+[A-ZÅÄÖ][{_W}-]+)){_E}"
)
# A direction or size word before a municipality's name belongs to it: "Östra Åby kommun"
_NAME_PREFIX = re.compile(
    r"(?<!\w)(?:östra|västra|norra|södra|övre|nedre|stora|lilla|nya|gamla)\s+$", re.IGNORECASE
)

# --- item sections (the labels inside one §)
# the first part of a coordinated compound: "Kultur- och fritidsnämndens beslut"
_COMPOUND = rf"(?:[{_W}]+-\s+(?:och|&)\s+)?"
# an adjective before a genitive: "Tekniska nämndens", "Sociala utskottets"
_ADJECTIVE = rf"(?:[{_W}]+a\s+)?"
_SECTION_LABELS: tuple[tuple[str, str], ...] = (
    ("decision", rf"(?:{_COMPOUND}{_ADJECTIVE}[{_W}-]+s\s+)?beslut(?:et)?(?:\s+i\s+ärendet)?"),
    (
        "recommend",
        rf"(?:{_COMPOUND}{_ADJECTIVE}(?P<gen>[{_W}-]+s)\s+)?förslag\s+till\s+"
        rf"(?:(?:kommun|region|landstings)?fullmäktige|[{_W}]*styrelsen|[{_W}]*nämnden)"
        r"(?:s\s+beslut)?",
    ),
    (
        "proposal",
        rf"(?:{_COMPOUND}{_ADJECTIVE}[{_W}-]+s\s+)?(?:förslag(?:\s+till\s+beslut)?|beslutsförslag)"
        r"|förslag\s+till\s+beslut",
    ),
    (
        "motions",
        r"yrkanden?(?:\s+och\s+propositionsordning)?|yrkande(?:n)?\s+och\s+beslutsgång"
        r"|propositionsordning|proposition(?:er)?|beslutsgång|beslutsordning"
        r"|ärendets\s+behandling|behandling\s+på\s+sammanträdet|överläggning",
    ),
    ("vote", r"omröstning(?:sresultat)?|votering|omröstningsbilaga|omröstningslista"),
    ("reservation", r"reservation(?:er)?|reservationer?\s+och\s+särskilda\s+yttranden"),
    (
        "other",
        r"ärendebeskrivning|sammanfattning(?:\s+av\s+ärendet)?|bakgrund|beslutsunderlag"
        r"|ärendet|underlag|handlingar|bilagor?|jäv|särskilt\s+yttrande|särskilda\s+yttranden"
        r"|protokollsanteckning(?:ar)?|expedieras(?:\s+till)?|expediering|beslutet\s+"
        r"(?:skickas|expedieras)\s+till|skickas\s+till|för\s+kännedom|för\s+verkställighet"
        r"|paragrafen\s+(?:är\s+|förklaras\s+)?(?:omedelbart\s+)?justerad|omedelbar\s+justering"
        r"|ekonomiska\s+konsekvenser|yttrande|motivering|förvaltningens\s+bedömning"
        r"|bedömning|information|deltar\s+inte\s+i\s+beslutet|anmälan\s+om\s+jäv",
    ),
)
_SECTION_RE = re.compile(
    r"^(?:"
    + "|".join(f"(?P<{key}{i}>{pattern})" for i, (key, pattern) in enumerate(_SECTION_LABELS))
    + r")\s*(?::\s*(?P<rest>.*)|\.?\s*$)",
    re.IGNORECASE,
)
_SECTION_KEYS = {f"{key}{i}": key for i, (key, _pattern) in enumerate(_SECTION_LABELS)}
_SECTION_KEY_LIST = tuple(_SECTION_KEYS.items())
_RUN_IN_LABEL = re.compile(
    r"(?:"
    + "|".join(pattern for _key, pattern in _SECTION_LABELS)
    + r"|sammanträdesdatum|plats\s+och\s+tid|tid\s+och\s+plats|beslutande|ordförande|sekreterare"
    r"|justerare|utses\s+att\s+justera|justeringens\s+plats\s+och\s+tid)\s*:?",
    re.IGNORECASE,
)
# Who proposes (as opposed to who decides): their "förslag till kommunfullmäktige" is input.
_PROPOSERS = re.compile(
    r"^(?:arbetsutskottet|utskottet|förvaltningen|ordföranden|presidiet|beredningen"
    r"|kontoret|sektorn|direktören|kommundirektören|kommunledningskontoret|tjänstepersonen)s?$",
    re.IGNORECASE,
)

_DNR = re.compile(
    rf"{_B}(?:dnr|d\.nr|diarienr|diarienummer|ärendenummer|ärendenr|ärende\s+nr)\.?\s*:?\s*"
    r"(?P<value>(?:[A-ZÅÄÖ]{1,8}[ ./-]?)?\d{2,4}(?:[/.:-]\d{1,7})+(?:[.-][0-9A-Za-z]{1,6})*)",
    re.IGNORECASE,
)
# "<Nämnden> beslutar ...": up to four words of subject, none of them a verb of proposing
# ("Förvaltningen föreslår att nämnden beslutar ..." is a proposal, not the decision).
_UNLABELED_DECISION = re.compile(
    rf"^(?:(?!(?:föreslår|yrkar|förordar|anser|bedömer|har|hade|ska|skulle|att|om)\s)"
    rf"[{_W}-]+\s+){{0,4}}?(?:beslutar|beslöt|beslutade|beslutas"
    rf"|föreslår\s+(?:kommun|region)?fullmäktige|utser|väljer|godkänner|antar|noterar"
    rf"|fastställer|beviljar|avslår|lägger|återremitterar|bordlägger|tar\s+del\s+av){_E}"
    rf"|^(?:ärendet|ärendena|informationen|frågan|motionen|rapporten|redovisningen"
    rf"|delegationsbesluten|delegationsbeslut|anmälan|anmälningarna|meddelandena|handlingarna"
    rf"|dagordningen|föredragningslistan|protokollet)\s+(?:[{_W}]+\s+){{0,3}}?"
    rf"(?:utgår|bordläggs|återremitteras|noteras|läggs|godkänns|godkändes|antas|fastställs"
    rf"|anmäls|tas|förklaras|avslås|bifalls){_E}",
    re.IGNORECASE,
)
_SECTION_FIRST_WORDS = frozenset(
    """beslut beslutet förslag beslutsförslag yrkande yrkanden propositionsordning proposition
    propositioner beslutsgång beslutsordning ärendets behandling överläggning omröstning
    omröstningsresultat votering omröstningsbilaga omröstningslista reservation reservationer
    ärendebeskrivning sammanfattning bakgrund beslutsunderlag ärendet underlag handlingar
    bilaga bilagor jäv särskilt särskilda protokollsanteckning protokollsanteckningar
    expedieras expediering skickas för paragrafen omedelbar ekonomiska yttrande motivering
    förvaltningens bedömning information deltar anmälan""".split()
)
_SECTION_AFTER_GENITIVE = frozenset(("beslut", "förslag", "beslutsförslag"))
_VOTE_WORDS = ("röst", "votering", "nej", "ja:", "avst")
# substrings of every wording outcomes.is_unanimous (or "enigt") recognises
_UNANIMOUS_WORDS = (
    "enhällig", "enstämmig", "enig", "unanim", "einstimm", "enstemm", "objection", "nem",
)  # fmt: skip
# privacy's own prefilter words (each of its secrecy markers contains one), and those of
# _INDIVIDUAL_CASE
_SECRECY_WORDS = (
    *SECRECY_WORDS,
    "individärende",
    "personärende",
    "enskilt ärende",
    "enskild ärende",
    "enskilda ärende",
    "familjeärende",
)
# One pass over an item's text finds the words of every gate below
_ITEM_WORDS = WordSet((*_SECRECY_WORDS, *_VOTE_WORDS, "reserv", *_UNANIMOUS_WORDS))
_SECRECY_SET = frozenset(_SECRECY_WORDS)
_VOTE_SET = frozenset(_VOTE_WORDS)
_UNANIMOUS_SET = frozenset(_UNANIMOUS_WORDS)
_WRAPPED = re.compile(r"^(?!att\s)[a-zåäöé]")
_CONTINUATION = re.compile(r"^(?:att\s|[a-zåäö]|\d{1,2}[.)]\s+att\s|[-–•]\s*att\s)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ])")
_ENIGT = re.compile(rf"{_B}(?:enig(?:t|a)?|enhälligt){_E}", re.IGNORECASE)
_INDIVIDUAL_CASE = re.compile(
    rf"{_B}(?:individärenden?|personärenden?|enskil(?:t|da?)\s+ärenden?"
    rf"|individ-\s+och\s+familjeärenden?){_E}",
    re.IGNORECASE,
)
_WITHDRAWN_TITLE = re.compile(rf"{_B}(?:utgår|utgick|struket|stryks){_E}", re.IGNORECASE)

# --- votes
_NUM_WORDS = {
    "noll": 0, "en": 1, "ett": 1, "två": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6, "sju": 7,
    "åtta": 8, "nio": 9, "tio": 10, "elva": 11, "tolv": 12, "tretton": 13, "fjorton": 14,
    "femton": 15, "sexton": 16, "sjutton": 17, "arton": 18, "nitton": 19, "tjugo": 20,
}  # fmt: skip
_VOTE_TOKEN = re.compile(r"[0-9a-zåäöé]+(?:-[0-9a-zåäöé]+)*|[:=]")
_VOTE_WORD_KEYS = {
    "ja": "yes", "ja-röst": "yes", "ja-röster": "yes",
    "nej": "no", "nej-röst": "no", "nej-röster": "no",
    "avstår": "abstain", "avstod": "abstain", "avstående": "abstain", "nedlagda": "abstain",
    "frånvarande": "absent",
}  # fmt: skip
_TOTAL_ROW = re.compile(r"^(?:summa|totalt|total|resultat|antal|summering)", re.IGNORECASE)
_COLUMN = {
    "ja": "yes",
    "nej": "no",
    "avstår": "abstain",
    "avstod": "abstain",
    "avstående": "abstain",
    "avst": "abstain",
    "avst.": "abstain",
    "frånvarande": "absent",
}

# --- people
_NAME_TOKEN = rf"[{_UPPER}][{_W}'’]*(?:-[{_UPPER}]?[{_W}'’]+)*"
_PARTICLE = r"(?:af|von|de|van|der|den|la|du|di|da|el|bin)"
_NAME = rf"{_NAME_TOKEN}(?:[ \u00a0]+(?:{_PARTICLE}[ \u00a0]+)?{_NAME_TOKEN}){{1,4}}"
_PARTY = r"\(\s*([A-ZÅÄÖ][A-Za-zÅÄÖåäö]{0,5})\s*\)"
_PARTY_RE = re.compile(_PARTY)
_NAME_WORD = re.compile(_NAME_TOKEN)
_PARTICLES = frozenset(_PARTICLE.strip("(?:)").split("|"))
_NAME_ONLY = re.compile(rf"{_NAME}")
_PARTY_CELL = re.compile(r"^[A-ZÅÄÖ][A-Za-zÅÄÖåäö]{0,3}$")
_ROLE = re.compile(
    rf"{_B}(?:(?:\d:(?:e|a)|förste|andre|1:e|2:e)\s+vice\s+ordförande|vice\s+ordförande"
    rf"|ordförande|ordf\.?|sekreterare|protokollförare|justerare|tjänstgörande\s+ersättare"
    rf"|ersättare|ledamot|adjungerad|nämndsekreterare|kommunsekreterare){_E}",
    re.IGNORECASE,
)
_SUBSTITUTE_FOR = re.compile(r"(?:ersättare|ersätter|istället|i\s+stället)\s+för\s*$", re.I)
_NOT_NAME_WORDS = frozenset(
    """reservation reservationer ledamöterna ledamoten ledamot mot ordföranden ordförande
    sekreterare justerare beslutande ersättare tjänstgörande vice för och samt även
    närvarande från med av partiet yrkande yrkanden anslag protokoll protokollet
    socialnämnden kommunstyrelsen nämnden styrelsen se enligt bilaga sida sidan paragraf
    paragrafer utses att justera justeras underskrifter övriga kl klockan stadshuset
    kommunhuset sammanträdet omröstning beslut beslutet""".split()
)
# On lower-cased text with single spaces: literal prefixes let the regex engine skip ahead.
_CUT_REASON = re.compile(r"förmån för|med hänvisning till|i enlighet med|bilaga")
_RESERV_WORD = re.compile(r"reserv(?:erar|erade|ation)")

# --- dates and places inside values
_DATE_TEXT = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}\.\d{1,2}\.\d{4}|\d{1,2}/\d{1,2}/\d{2,4}|\b(?:19|20)\d{6}\b"
    r"|\b\d{1,2}(?::e|:a)?\s+(?:januari|februari|mars|april|maj|juni|juli|augusti|september"
    r"|oktober|november|december)(?:\s+\d{4})?",
    re.IGNORECASE,
)
_TIME_TEXT = re.compile(
    r"(?:\bkl(?:ockan)?\.?\s*)?\d{1,2}[.:]\d{2}(?:\s*[-–—]\s*\d{1,2}[.:]\d{2})?"
    r"|\bkl(?:ockan)?\.?\s*\d{1,2}(?:\s*[-–—]\s*\d{1,2})?",
    re.IGNORECASE,
)
_WEEKDAY = re.compile(
    r"\b(?:måndag|tisdag|onsdag|torsdag|fredag|lördag|söndag)(?:en)?(?:\s+den)?\b|\bden\b",
    re.IGNORECASE,
)
_PLACE_CUT = re.compile(r"\b(?:ajourn\w*|paus\w*|sammanträdet\s+ajourneras)\b.*$", re.I)


# --------------------------------------------------------------------------------------------
# Header


@dataclass
class _Header:
    values: dict[str, list[str]] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)

    def first(self, key: str) -> str | None:
        for value in self.values.get(key, ()):
            if value:
                return value
        return None

    def all(self, key: str) -> list[str]:
        return [v for v in self.values.get(key, ()) if v]

    def add(self, key: str, value: str) -> None:
        self.values.setdefault(key, []).append(value)


def _strip_value(text: str) -> str:
    # dot leaders between two values are a column gap ("Amir Suljic ...... Hedvig Lantz")
    if _has_leaders(text):
        text = _LEADERS.sub("\t", text)
    return text.strip(" \t:;,–—-").strip()


def _header_tokens(lines: Iterable[str]) -> list[tuple[str | None, str]]:
    """(label key or None, text) per label or free text, in reading order."""
    tokens: list[tuple[str | None, str]] = []
    for line in lines:
        for cell in line.split("\t") if "\t" in line else (line,):
            cell = cell.strip()
            if not cell:
                continue
            if _item_head_at_start(cell):
                tokens.append((None, cell))
                continue
            accepted = _cell_labels(cell)
            if not accepted:
                value = _strip_value(cell)
                if value:  # a row of signature dots is not a value
                    tokens.append((None, value))
                continue
            if accepted[0][0] > 0:
                head = _strip_value(cell[: accepted[0][0]])
                if head:
                    tokens.append((None, head))
            for pos, (_start, end, key) in enumerate(accepted):
                stop = accepted[pos + 1][0] if pos + 1 < len(accepted) else len(cell)
                tokens.append((key, _strip_value(cell[end:stop])))
    return tokens


def _cell_labels(cell: str) -> list[tuple[int, int, str]]:
    """(start, end, key) of every label in one cell: at its start, chained right after another
    label ("Underskrifter Sekreterare ......"), and "anywhere" labels inside it."""
    accepted: list[tuple[int, int, str]] = []
    pos = 0
    while pos < len(cell):
        match = _label_at(cell, pos)
        if not match:
            break
        accepted.append((match.start(), match.end(), _label_key(match, _HEADER_LABELS)))
        gap = _GAP.match(cell, match.end())
        pos = gap.end() if gap else match.end()
    if pos < len(cell) and _ANYWHERE_GATE.search(cell):
        for match in _HEADER_ANYWHERE.finditer(cell, pos):
            accepted.append((match.start(), match.end(), _label_key(match, _ANYWHERE_LABELS)))
    return accepted


def _label_key(match: re.Match[str], labels: Sequence[tuple[str, str, bool]]) -> str:
    return labels[int((match.lastgroup or "l0")[1:])][0]


def _parse_header(lines: Sequence[str]) -> _Header:
    """Assign every label its value: on the same line, in the next cell, or on the next line.

    Single-valued labels take one following text; list labels (members, justerare) take every
    text up to the next label; marker labels (Anslag/bevis, Underskrifter) take nothing.
    """
    header = _Header()
    tokens = _header_tokens(lines)
    count = len(tokens)
    used = [key is not None for key, _text in tokens]
    pending: list[tuple[int, str]] = []

    def free(j: int) -> bool:
        return j < count and not used[j] and not _item_head_at_start(tokens[j][1])

    for i, (key, text) in enumerate(tokens):
        if key is None:
            continue
        header.seen.add(key)
        if text:
            header.add(key, text)
        j = i + 1
        if key in _MULTI_KEYS:
            while free(j):
                header.add(key, tokens[j][1])
                used[j] = True
                j += 1
            continue
        if key not in _SINGLE_KEYS:
            continue
        if text:
            if key in _DATED_KEYS and not find_date(text) and free(j) and find_date(tokens[j][1]):
                header.add(key, tokens[j][1])  # "Justeringens plats och tid: Stadshuset" + date
                used[j] = True
            continue
        if free(j):
            header.add(key, tokens[j][1])
            used[j] = True
            if key == "place_time" and free(j + 1):
                # "Plats och tid" printed over two lines: the room, then date and clock times
                following = tokens[j + 1][1]
                if find_time_range(_DATE_TEXT.sub(" ", following))[0] or find_date(following):
                    header.add(key, following)
                    used[j + 1] = True
        elif key in _PERSON_KEYS:
            pending.append((i, key))
    # Signature tables put "Sekreterare ...... Paragrafer 40-58" on one row and the name on
    # the row below: give a person label that found no value the next unused name.
    for i, key in pending:
        for j in range(i + 1, min(i + 8, count)):
            other_key, text = tokens[j]
            if other_key in _PERSON_KEYS or other_key in _MULTI_KEYS:
                break
            if free(j) and _people(text):
                header.add(key, text)
                used[j] = True
                break
    return header


# --------------------------------------------------------------------------------------------
# People


def _trim_name(name: str) -> str | None:
    words = name.split()
    while words and words[0].lower().rstrip(":,.") in _NOT_NAME_WORDS:
        words.pop(0)
    if len(words) < 2:
        return None
    joined = " ".join(words)
    # (lower-casing makes and removes no whitespace: the same words, each lower-cased)
    return None if not _NOT_NAME_WORDS.isdisjoint(joined.lower().split()) else joined


def _role(text: str) -> str | None:
    if len(text) < 4:
        return None  # ", " or nothing between two names
    if "för" in text or "§" in text:  # (what _ROLE_CUT can cut at)
        text = _ROLE_CUT.split(text, maxsplit=1)[0]
    if not _ROLE_GATE.search(text):
        return None
    match = _ROLE.search(text)
    if not match:
        return None
    # (the match has no whitespace at either end: its runs inside become single spaces)
    role = collapse_space(match.group(0).lower())
    return "ordförande" if role in ("ordf", "ordf.") else role  # the abbreviation, spelt out


_ROLE_CUT = re.compile(r"\bför\b|§")
# Speed only: every match of ``_ROLE`` holds one of these, folded as re.IGNORECASE folds
_ROLE_GATE = WordSet(
    ("ordf", "sekreterare", "protokollförare", "justerare", "ersättare", "ledamot", "adjungerad")
)


def _normalize_person_cells(text: str) -> str:
    # "Anna Berg<TAB>S<TAB>ordförande" (a members table) → "Anna Berg (S), ordförande"
    if "\t" not in text:
        return text
    cells = [c.strip() for c in text.split("\t") if c.strip()]
    if len(cells) >= 2 and _PARTY_CELL.match(cells[1]) and "(" not in cells[0]:
        cells = [f"{cells[0]} ({cells[1]})", *cells[2:]]
    return ", ".join(cells)


def _people(text: str, role: str | None = None) -> list[Person]:
    """Every person named in ``text``: "Anna Berg (S), ordförande, Bo Ek (M) och Cia Lind"."""
    if _has_leaders(text):
        text = _LEADERS.sub(" ", text)
    text = _strip_value(_normalize_person_cells(text))
    if not text or len(text) > 2000:
        return []
    found: list[Person] = []
    named = _names_with_party(text)
    if named:
        for index, (start, end, name, party) in enumerate(named):
            before = text[named[index - 1][1] if index else 0 : start]
            # (``_SUBSTITUTE_FOR`` ends in "för" and whitespace: nothing else can match)
            if fold(before.rstrip()[-3:]) == "för" and _SUBSTITUTE_FOR.search(before):
                continue  # "tjänstgörande ersättare för Eva Holm (S)": Eva was not there
            nxt = named[index + 1][0] if index + 1 < len(named) else len(text)
            found.append(Person(name=name, party=party, role=_role(text[end:nxt]) or role))
        return found
    for chunk in re.split(r"[,;\t]|\s+och\s+|\s+samt\s+|\s+&\s+", text):
        chunk = _strip_value(chunk)
        if not chunk:
            continue
        chunk_role = _role(chunk)
        if chunk_role and found and len(chunk) <= 40 and not _NAME_ONLY.match(chunk):
            found[-1] = Person(found[-1].name, found[-1].party, chunk_role)
            continue
        name_match = _NAME_ONLY.match(chunk)
        if not name_match or len(chunk) - name_match.end() > 40:
            continue
        trimmed = _trim_name(name_match.group(0))
        if trimmed:
            found.append(Person(name=trimmed, role=chunk_role or role))
    return found


def _names_with_party(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, name, party) for every "Förnamn Efternamn (S)" in ``text``.

    Found from the party parenthesis backwards (a literal "(" is cheap to find), taking the
    capitalised words right before it as the name."""
    found: list[tuple[int, int, str, str]] = []
    if "(" not in text:
        return found
    for match in _PARTY_RE.finditer(text):
        head = text[: match.start()].rstrip()
        words = head.rsplit(None, 6)[-6:]
        name_words: list[str] = []
        for word in reversed(words):
            if _NAME_WORD.fullmatch(word):
                name_words.append(word)
            elif word in _PARTICLES and name_words:
                name_words.append(word)
            else:
                break
            if len(name_words) == 5:
                break
        name = _trim_name(" ".join(reversed(name_words)))
        if name:
            start = len(head) - len(" ".join(reversed(name_words)))
            found.append((start, match.end(), name, match.group(1)))
    return found


def _with_party(person: Person | None, parties: Mapping[str, str]) -> Person | None:
    if person is None or person.party or person.name not in parties:
        return person
    return Person(name=person.name, party=parties[person.name], role=person.role)


def _unique(people: Iterable[Person]) -> tuple[Person, ...]:
    seen: set[str] = set()
    result = []
    for person in people:
        if person.name not in seen:
            seen.add(person.name)
            result.append(person)
    return tuple(result)


# --------------------------------------------------------------------------------------------
# Items


@dataclass
class _Segment:
    head: int
    number: str
    rest: str
    end: int
    #: a short line printed right above the heading ("Sekretess", "Individärende"): read
    #: with this item's text for secrecy (and, unless the page's layout shows such labels
    #: belong to the item below, still part of the item before too; see ``_segments``)
    label: str = ""
    #: where the item would end but for a rule or notes after it (``_before_trailer``): what
    #: lies between is no part of its text, but is read for secrecy with it (fail closed)
    trailer: int = 0


# What may stand before "§" in an item heading: the body's abbreviation ("MBN § 87", "KS § 112",
# as Ciceron and Lex number items), or a table cell labelling the number ("Paragraf | § 101",
# one table per item)
_HEAD_PREFIX = re.compile(r"(?:[A-ZÅÄÖ]{2,6}[ \u00a0]*|[Pp]aragraf(?:nummer)?\s*:?\s*\t\s*)(?=§)")
_ABBREVIATION_INITIALS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZÅÄÖ")


def _head(block: str) -> tuple[str, str] | None:
    """(number, same-line rest) when ``block`` is an item heading."""
    start = 0
    if not _heading_at_start(block) or block.startswith(("Paragraf\t", "paragraf\t")):
        # "KS § 12", "PU § 3", "Paragraf<TAB>§ 12": a prefix before the "§" it needs
        if "§" not in block:
            return None
        prefix = _HEAD_PREFIX.match(block)
        if prefix is None:
            return None
        start = prefix.end()
    match = _ITEM_HEAD.match(block, start)
    if match is None:
        return None
    return f"§ {match.group(1)}{match.group(2) or ''}", block[match.end() :]


def _item_heads(blocks: Sequence[str]) -> tuple[list[tuple[int, str, str]], list[int]]:
    """The item headings to read (block index, number, same-line rest), and the block index of
    every heading, read or not (each ends the item before it)."""
    heads: list[tuple[int, str, str]] = []
    previous = ""
    for i, block in enumerate(blocks):
        if block[:1] in _HEAD_INITIALS or block[:1] in _ABBREVIATION_INITIALS:
            found = _head(block)
            if found is not None and not _PARAGRAPHS_LABEL.match(previous):
                heads.append((i, *found))
        if block.strip():
            previous = block
    # A table of contents lists every § as well as the items themselves, before them or after
    # them. Its rows are headings that follow one another with nothing between them; an item
    # has its text. Of the occurrences of a number the last one with text is the item (the
    # last one of all when none has text): never a contents row, where the item is printed.
    listed: set[int] = set()
    for position in range(len(heads) - 1):
        if heads[position + 1][0] == heads[position][0] + 1:
            listed.update((position, position + 1))
    chosen: dict[str, int] = {}
    for position, (_i, number, _rest) in enumerate(heads):
        earlier = chosen.get(number)
        if earlier is None or position not in listed or earlier in listed:
            chosen[number] = position
    kept = sorted(chosen.values())
    return [heads[position] for position in kept], [i for i, _number, _rest in heads]


def _segments(blocks: Sequence[str], rules: Sequence[int] = ()) -> list[_Segment]:
    heads, boundaries = _item_heads(blocks)
    labels = [_label_before(blocks, i) for i, _number, _rest in heads]
    # Labels above the headings ("Offentligt", "Sekretess", "Offentligt", "Individärende")
    # are the layout when at least half the headings have one and some label recurs: then
    # each belongs to the item below it alone. Otherwise a short line above a heading could
    # as well end the item before: both items are read with it (fail closed).
    given = [label for label in labels if label]
    layout = 2 * len(given) >= len(heads) >= 2 and len(set(given)) < len(given)
    # the footnote marks the headings carry: a note with one of them, after the last item,
    # ends it (the note is about another item, and what follows it is no item's text)
    marks = {
        _mark(found)
        for _i, _number, rest in heads
        if (found := _FOOTNOTE_MARK.search(rest.strip(" .:–—-\t")))
    }
    segments = []
    for position, (i, number, rest) in enumerate(heads):
        # the item runs to the next heading, whether that is read or a contents row
        after = bisect.bisect_right(boundaries, i)
        stop = boundaries[after] if after < len(boundaries) else len(blocks)
        if layout and position + 1 < len(heads) and labels[position + 1]:
            stop = min(stop, heads[position + 1][0] - 1)
        end = stop
        last = position + 1 == len(heads)
        for j in range(i + 1, stop):
            block = blocks[j]
            if (
                (block[:1] in _CLOSING_INITIALS and _CLOSING.match(block))
                or (last and _APPENDIX.match(block))
                or (last and marks and (note := _FOOTNOTE.match(block)) and _mark(note) in marks)
            ):
                end = j
                break
        trailer = end
        if last:
            end = _before_trailer(blocks, i, end, rules)
        segments.append(
            _Segment(
                head=i, number=number, rest=rest, end=end, label=labels[position], trailer=trailer
            )
        )
    return segments


def _before_trailer(blocks: Sequence[str], head: int, end: int, rules: Sequence[int]) -> int:
    """Where the last item ends when a rule or the notes follow it: at the first rule after
    which no item section ("Beslut", "Yrkanden" …) is printed. What follows such a rule is
    the page's footer or the text's notes, no part of the item; a rule between the parts of
    the item (before its "Beslut") does not end it."""
    for rule in rules:
        if head < rule < end and not any(_section(blocks[j]) for j in range(rule, end)):
            return rule
    return end


def _label_before(blocks: Sequence[str], head: int) -> str:
    """The short label line printed right above an item heading, if there is one."""
    if head == 0:
        return ""
    line = blocks[head - 1]
    # (a sentence ends the item above it: "Ärendet är sekretessbelagt.")
    if len(line) > 40 or line.endswith((".", ":")) or "\t" in line:
        return ""
    return line


def _dnr(text: str) -> re.Match[str] | None:
    lowered = text.lower()
    if "nr" not in lowered and "nummer" not in lowered:
        return None
    return _DNR.search(text)


def _is_noise(block: str) -> bool:
    if "\t" not in block:  # one cell: most lines
        cell = block.strip()
        return bool(cell) and _may_be_noise(cell) and _NOISE.fullmatch(cell) is not None
    cells = [c.strip() for c in block.split("\t") if c.strip()]
    return bool(cells) and all(_may_be_noise(c) and _NOISE.fullmatch(c) for c in cells)


# Speed only: every match of ``_NOISE`` begins with one of these letters (in any case, as
# re.IGNORECASE matches them: "ſ" is an "s") or a digit (``\d``: any decimal digit)
_NOISE_INITIALS = frozenset("jJuUsSſoO")


def _may_be_noise(cell: str) -> bool:
    return cell[0] in _NOISE_INITIALS or cell[0].isdecimal()


# noise phrases one after another in one cell ("Justerandes signatur: TA Utdragsbestyrkande:")
_NOISE_RUN = re.compile(rf"(?:{_NOISE.pattern})(?:\s+(?:{_NOISE.pattern}))*", re.IGNORECASE)
_FURNITURE_LINE = re.compile(
    rf"(?:(?:{_PAGE_NUMBER.pattern})|(?:{_NOISE.pattern})(?:\s+(?:{_NOISE.pattern}))*)\Z"
    rf"|(?:{_PAGE_HEADER.pattern})",
    re.IGNORECASE,
)


def _is_page_furniture(block: str, folded_body: str) -> bool:
    """A page header or footer repeated inside an item (Word and PDF exports repeat the
    letterhead on every page: "Sjöhamra kommun | SAMMANTRÄDESPROTOKOLL | Sida 3 (9)")."""
    if _has_leaders(block):
        block = _LEADERS.sub("\t", block)  # "Justerandes sign ...... Utdragsbestyrkande"
    if "\t" not in block:
        if len(block) > 60:
            return False  # running text, never furniture
        # ``_PAGE_NUMBER.fullmatch(block) or _PAGE_HEADER.match(block)``, or the block is
        # noise phrases one after another ("Justerandes signatur Utdragsbestyrkande", a
        # Word footer): one expression
        return block.casefold() == folded_body or _FURNITURE_LINE.match(block) is not None
    cells = [c.strip() for c in block.split("\t") if c.strip()]
    if not cells:
        return True
    if any(_PAGE_NUMBER.fullmatch(c) for c in cells) or all(_NOISE_RUN.fullmatch(c) for c in cells):
        return True
    flat = " ".join(cells)
    return bool(_PAGE_HEADER.match(flat)) or flat.casefold() == folded_body


_read_labels = threading.local()  # the label lines of the document being read (parse_blocks)


def _section_match(label: str) -> re.Match[str] | None:
    """``_SECTION_RE.match(label)``, remembered while one document is read: the same label
    lines ("Beslut", "Beslutsunderlag", "Yrkanden") come back in every item, and the
    expression, with its optional genitive before each label word, costs several
    microseconds a line."""
    seen: dict[str, re.Match[str] | None] | None = getattr(_read_labels, "matches", None)
    if seen is None:
        return _SECTION_RE.match(label)
    if label in seen:
        return seen[label]
    match = seen[label] = _SECTION_RE.match(label)
    return match


def _section(block: str) -> tuple[str, str, re.Match[str]] | None:
    """(section key, same-line text) when ``block`` is an item section label."""
    first, _tab, others = block.partition("\t")
    if len(first) > 60 and ":" not in first[:50]:
        return None  # running text: a label line is short or "Label: text"
    words = first[:48].lower().split(None, 2)
    if not words:
        return None
    head = words[0].rstrip(":.")
    if head.endswith("-") and len(words) > 2 and words[1] in ("och", "&"):
        words = words[2].split(None, 2)  # "Kultur- och fritidsnämndens beslut"
        head = words[0].rstrip(":.")
    if head not in _SECTION_FIRST_WORDS and not (
        head.endswith("s") and len(words) > 1 and words[1].rstrip(":.") in _SECTION_AFTER_GENITIVE
    ):
        # "Tekniska nämndens förslag …": an adjective and a genitive before the label word
        if not (
            head.endswith("a")
            and len(words) > 2
            and words[1].endswith("s")
            and words[2].split(None, 1)[0].rstrip(":.") in _SECTION_AFTER_GENITIVE
        ):
            return None
    label = first.strip()
    match = _section_match(label) if len(label) <= 60 else _SECTION_RE.match(label)
    if not match:
        return None
    key = next((key for name, key in _SECTION_KEY_LIST if match.start(name) >= 0), None)
    if key is None:
        return None
    if key in ("decision", "recommend") and sum(1 for c in others.split("\t") if c.strip()) >= 2:
        return None  # "Beslut | Fastighet | Sökande": the head row of a table, not a label
    rest = " ".join(p for p in ((match.group("rest") or "").strip(), others.strip()) if p)
    return key, rest, match


def _flat(block: str) -> str:
    return " ".join(c.strip() for c in block.split("\t") if c.strip())


def _unwrap(lines: Sequence[str]) -> list[str]:
    """Join hard-wrapped lines (plain text, PDF) back into paragraphs; "att ..." clauses of a
    decision stay on their own lines because the protocol lists them that way."""
    joined: list[str] = []
    for line in lines:
        if joined and _WRAPPED.match(line) and not joined[-1].endswith(":"):
            joined[-1] = f"{joined[-1]} {line}"
        else:
            joined.append(line)
    return joined


_TITLE_LABELS = frozenset(("ärende", "rubrik", "ärenderubrik", "ämne"))
# A case number on its own: the body's letters and year/number ("KS 2024/0199", "BN.2024.12")
_CASE_NUMBER_ONLY = re.compile(r"[A-ZÅÄÖ]{1,8}[ .-]?(?:19|20)\d{2}[/.:-]\d{1,7}(?:[.-]\d{1,6})?")
_DNR_LABELS = frozenset(("diarienummer", "dnr", "diarienr", "ärendenummer", "ärendenr"))


def _bare_label(line: str) -> str:
    return line.lower().rstrip(" :.") if len(line) <= 20 else ""


def _continues_title(title: str, line: str) -> bool:
    return (
        len(line) <= 80
        and title[-1:] not in ".:;!?"
        and not line.endswith(".")  # a sentence, not the tail of a heading
        and _WRAPPED.match(line) is not None
        and _dnr(line) is None
        and _UNLABELED_DECISION.match(line) is None
    )


def _join_split_labels(lines: list[str]) -> list[str]:
    """A label broken over two lines by a PDF converter ("Justeringens" / "plats och tid")
    as one line again: only where the second line completes a label the first starts."""
    joined: list[str] = []
    skip = False
    for i, line in enumerate(lines):
        if skip:
            skip = False
            continue
        if i + 1 < len(lines) and len(line) <= 30 and "\t" not in line:
            following = lines[i + 1]
            # (the second line may go on with the label's value in a cell: "plats och tid
            # <TAB> Kommunhuset 2024-06-12", a <pre> protocol's columns)
            if following[:1].islower():
                both = f"{line} {following}"
                match = _HEADER_AT.match(both)
                if match and match.end() > len(line) + 1 and not _HEADER_AT.match(line):
                    joined.append(both)
                    skip = True
                    continue
        joined.append(line)
    return joined


# "Paragraferna 63 och 65", "§§ 12-14", "paragraf 7": the item numbers a sentence names
_LISTED_NUMBER = r"\d{1,4}(?:\s?(?!t\.\s?o\.)[a-z](?![a-zåäö]))?"  # "12", "12a", "12 a"
_LIST_JOIN = r"(?:[-–—,]|och|&|samt|t\.\s?o\.\s?m\.?|till(?:\s+och\s+med)?)"
_NAMED_PARAGRAPHS = re.compile(
    rf"(?:§§?|\bparagraf(?:erna|er|en)?)\s*"
    rf"({_LISTED_NUMBER}(?:\s*{_LIST_JOIN}\s*(?:§§?\s*)?{_LISTED_NUMBER})*)",
    re.IGNORECASE,
)
_RANGE_JOIN = re.compile(r"\s*(?:[-–—]|t\.\s?o\.\s?m\.?|till(?:\s+och\s+med)?)\s*", re.I)
_LIST_ITEM = re.compile(r"^§§?\s*\d{1,4}\s?[a-z]?\s*[.,;]?\s*$")  # a number alone: "§ 12"
# A footnote printed after the items ("1 Paragrafen omfattas av sekretess", "* …") and the mark
# at the end of a heading that points to it ("Begäran om lönetillägg 1", "Avstängning*")
_FOOTNOTE = re.compile(r"^(?:(\d{1,2})[.)]?\s+|(\*{1,3}|[†‡])\s*)(?=\S)")
_FOOTNOTE_MARK = re.compile(r"(?:\s(\d{1,2})|(\*{1,3}|[†‡]))$")
# A cell that lists item numbers alone: "34, 36", "12–14", "7 och 9" (a header row
# "Sekretess | 34, 36")
_BARE_LIST = re.compile(rf"{_LISTED_NUMBER}(?:\s*{_LIST_JOIN}\s*{_LISTED_NUMBER})*")


def _mark(match: re.Match[str]) -> str:
    """The footnote mark a ``_FOOTNOTE`` or ``_FOOTNOTE_MARK`` match found: digits or stars."""
    return match.group(1) or match.group(2)


def _notes_outside_items(
    blocks: Sequence[str], in_item: Sequence[bool]
) -> tuple[dict[str, bool], set[str]]:
    """What the text outside the items says about them: footnotes printed after the items
    (mark → whether the note marks its item secret), and the numbers of the items a secrecy
    note in the header names ("Paragraferna 63 och 65 omfattas av sekretess")."""
    notes: dict[str, bool] = {}
    named: set[str] = set()
    last_item = max((i for i, inside in enumerate(in_item) if inside), default=-1)
    outside = [i for i, inside in enumerate(in_item) if not inside]
    # one check of all of it first: most protocols say nothing secret outside their items
    any_secret = has_secrecy_marker(with_joined_breaks("\n".join(blocks[i] for i in outside)))
    for i in outside:
        block = blocks[i]
        secret = any_secret and has_secrecy_marker(with_joined_breaks(block))
        if i > last_item and (note := _FOOTNOTE.match(block)):
            notes[_mark(note)] = notes.get(_mark(note), False) or secret
        if secret:
            for listed in _NAMED_PARAGRAPHS.finditer(block):
                named.update(_numbers(listed.group(1)))
            # "Sekretess | 34, 36", "Sekretess: 34 och 36": a cell of numbers alone
            for cell in block.split("\t"):
                listed_part = cell.rpartition(":")[2].strip(" .;")
                if listed_part and _BARE_LIST.fullmatch(listed_part):
                    named.update(_numbers(listed_part))
            # "Följande paragrafer omfattas av sekretess:" and the numbers as a list below
            for j in range(i + 1, min(i + 30, len(blocks))):
                if in_item[j] or not _LIST_ITEM.match(blocks[j]):
                    break  # (the items themselves begin)
                for listed in _NAMED_PARAGRAPHS.finditer(blocks[j]):
                    named.update(_numbers(listed.group(1)))
    return notes, named


def _numbers(listed: str) -> set[str]:
    """ "63 och 65" → {"63", "65"}; "12-14", "§ 12 – § 14", "12 t.o.m. 14" → {"12", "13",
    "14"}; "12 a" → {"12a"}."""
    found: set[str] = set()
    for part in re.split(r"\s*(?:,|\boch\b(?!\s+med)|&|samt)\s*", listed):
        span = [re.sub(r"\s+", "", p.strip().lstrip("§").strip()) for p in _RANGE_JOIN.split(part)]
        span = [p for p in span if p]
        if len(span) == 2 and span[0].isdigit() and span[1].isdigit():
            low, high = int(span[0]), int(span[1])
            if 0 <= high - low <= 200:
                found.update(str(n) for n in range(low, high + 1))
                continue
        found.update(span)
    return found


def _named(number: str, named: set[str]) -> bool:
    return number.removeprefix("§ ") in named


def _decision_sentence(lines: Sequence[str]) -> list[str] | None:
    for line in lines:
        if "." not in line:
            continue
        for sentence in _SENTENCE_END.split(line)[1:]:
            if _UNLABELED_DECISION.match(sentence):
                return [sentence]
    return None


def _first_sentence(lines: Sequence[str]) -> str | None:
    paragraphs: list[str] = []
    for line in lines:
        if paragraphs and (_CONTINUATION.match(line) or paragraphs[-1].endswith(":")):
            paragraphs[-1] = f"{paragraphs[-1]} {line}"
        else:
            paragraphs.append(line)
    if not paragraphs:
        return None
    sentence = _SENTENCE_END.split(paragraphs[0], maxsplit=1)[0]
    if len(sentence) > 400:
        sentence = sentence[:400].rsplit(" ", 1)[0] + " …"
    return clean(sentence)


def _number(text: str) -> int | None:
    if text.isdigit():
        return int(text) if len(text) <= 3 else None  # a year is not a count
    return _NUM_WORDS.get(text.lower())


def _votes(lines: Sequence[str], vote_lines: Sequence[str]) -> Votes | None:
    text_lines = [_flat(line) for line in vote_lines]
    text_lines += [
        line
        for line in lines
        if "röst" in (low := line.lower()) or "nej" in low or "avst" in low or "ja:" in low
    ]
    counts: dict[str, int | None] = {"yes": None, "no": None, "abstain": None, "absent": None}
    complete: dict[str, int | None] | None = None
    for line in text_lines:
        own: dict[str, int | None] = dict.fromkeys(counts)
        _count_votes(_VOTE_TOKEN.findall(line.lower()), own)
        if own["yes"] is not None and own["no"] is not None:
            complete = own
        for key, value in own.items():
            if counts[key] is None:
                counts[key] = value
    if complete is not None:
        # Two votes on one item ("avgöra i dag" 32-29, then the matter itself 33-26-2): the
        # last line that gives both yes and no is the vote the item was decided by; the other
        # lines only fill in what it leaves open ("… och 1 som avstår")
        counts = {key: counts[key] if value is None else value for key, value in complete.items()}
    if counts["yes"] is None and counts["no"] is None:
        table = _vote_table(vote_lines) or _vote_table(lines)
        if table is None:
            # the wordings of other languages and "3 röster för bifall, 2 för avslag"
            return find_votes(" \n".join(_flat(line) for line in text_lines))
        counts = table
    return Votes(
        yes=counts["yes"], no=counts["no"], abstain=counts["abstain"], absent=counts["absent"]
    )


def _count_votes(tokens: Sequence[str], counts: dict[str, int | None]) -> None:
    """Read counts from the words of one line, in the ways protocols write them:
    "7 ja-röster, 4 nej-röster och 2 avstår", "Ja: 4 Nej: 3 Avstår: 0", "med 5 röster mot 2".

    Only the vote labels and the words starting with "med" (in a line that has a "mot")
    are looked at: a paragraph that mentions a vote is mostly other words."""
    size = len(tokens)
    keys = list(compress(range(size), map(_VOTE_WORD_KEYS.get, tokens)))  # (labels are truthy)
    if "mot" in tokens:
        keys = sorted(keys + [i for i, token in enumerate(tokens) if token.startswith("med")])
    if not keys:
        return
    label_first = _label_first(tokens)
    for i in keys:
        token = tokens[i]
        key = _VOTE_WORD_KEYS.get(token)
        if key is None:
            if i + 4 < size and tokens[i + 2].startswith("röst"):  # "med 5 röster mot 2"
                yes, no = _number(tokens[i + 1]), _number(tokens[i + 4])
                if tokens[i + 3] == "mot" and yes is not None and no is not None:
                    counts["yes"] = counts["yes"] if counts["yes"] is not None else yes
                    counts["no"] = counts["no"] if counts["no"] is not None else no
            continue
        if counts[key] is not None:
            continue
        if i + 2 < size and tokens[i + 1] in (":", "="):  # "Ja: 8"
            counts[key] = _number(tokens[i + 2])
            continue
        if label_first:  # "Ja 26, Nej 19, Avstår 4"
            counts[key] = _number(tokens[i + 1]) if i + 1 < size else None
            continue
        # "8 ja-röster", "2 ledamöter avstår"; but in "Ja: 4 Nej: 3" the 4 belongs to "Ja:"
        # (and in "Omröstningsresultat: 32 ja-röster" the 32 to the "ja-röster")
        back = i - 1  # (over "ledamöter", "st", "som": "2 ledamöter avstår", "4 som avstår")
        while back >= 0 and tokens[back] in ("ledamöter", "ledamot", "st", "som"):
            back -= 1
        if back >= 0 and not (
            back >= 2 and tokens[back - 1] in (":", "=") and tokens[back - 2] in _VOTE_WORD_KEYS
        ):
            counts[key] = _number(tokens[back])


def _label_first(tokens: Sequence[str]) -> bool:
    """Whether the line writes each vote label before its number ("Ja 26, Nej 19"), judged by
    the first label: no number before it, one right after it."""
    for i in compress(range(len(tokens)), map(_VOTE_WORD_KEYS.get, tokens)):
        before = _number(tokens[i - 1]) if i else None
        after = _number(tokens[i + 1]) if i + 1 < len(tokens) else None
        return before is None and after is not None
    return False


def _vote_table(lines: Sequence[str]) -> dict[str, int | None] | None:
    """Count a voting table: a header row with Ja/Nej columns, one row per member."""
    columns: dict[int, str] | None = None
    counts: dict[str, int | None] = {}
    for line in lines:
        if "\t" not in line:
            if columns is not None:
                break
            continue
        cells = [c.strip() for c in line.split("\t")]
        if columns is None:
            found = {i: _COLUMN[c.lower()] for i, c in enumerate(cells) if c.lower() in _COLUMN}
            if "yes" in found.values() and "no" in found.values():
                columns = found
                counts = {key: 0 for key in ("yes", "no", "abstain", "absent")}
                for key in ("abstain", "absent"):
                    if key not in found.values():
                        counts[key] = None
            continue
        # the totals: a row so labelled, or a row of numbers only, naming no member (a table
        # of the result alone: "Ja | Nej | Avstår" over "41 | 38 | 2"; its numbers are counts,
        # not one member's marks)
        numbers = [cell for cell in cells if cell]
        if _TOTAL_ROW.match(cells[0]) or (numbers and all(c.isdigit() for c in numbers)):
            total: dict[str, int | None] = {"yes": None, "no": None, "abstain": None}
            total["absent"] = None
            for index, key in columns.items():
                if index < len(cells) and cells[index].isdigit():
                    total[key] = int(cells[index])
            if total["yes"] is not None or total["no"] is not None:
                return total
            break
        for index, key in columns.items():
            if index < len(cells) and cells[index] and cells[index] not in "-–":
                counts[key] = (counts[key] or 0) + 1
    if columns is None or not any(counts.values()):
        return None
    return counts


def _reservations(lines: Sequence[str], section_lines: Sequence[str]) -> list[Person]:
    found: list[Person] = []
    for line in section_lines:
        found.extend(_people_in_sentence(_before_reason(_flat(line))))
    for line in lines:
        if "reserv" not in line.lower():
            continue
        for sentence in _SENTENCE_END.split(_flat(line)):
            word = _RESERV_WORD.search(sentence.lower())
            if not word:
                continue
            before = _people_in_sentence(sentence[: word.start()])
            if before:
                found.extend(before)
                continue
            found.extend(_people_in_sentence(_before_reason(sentence[word.end() :])))
    return found


def _before_reason(text: str) -> str:
    """The part naming who reserved, before "till förmån för ..." names whose motion it was."""
    match = _CUT_REASON.search(text.lower())
    return text[: match.start()] if match else text


def _people_in_sentence(text: str) -> list[Person]:
    people = [Person(name=name, party=party) for _s, _e, name, party in _names_with_party(text)]
    if people:
        return people
    # No party given: "Anna Andersson reserverar sig" — the capitalised words next to it.
    for chunk in re.split(r",|\s+och\s+|\s+samt\s+", text):
        chunk = chunk.strip(" .:;")
        near = _NAME_ONLY.fullmatch(chunk) or _NAME_ONLY.search(chunk + " ")
        if near and (near.end() >= len(chunk) - 1 or near.start() == 0):
            name = _trim_name(near.group(0))
            if name and len(name.split()) <= 4:
                people.append(Person(name=name))
    return people


def _parse_item(
    blocks: Sequence[str],
    segment: _Segment,
    links: Mapping[int, tuple[Link, ...]],
    body_name: str,
    notes: Mapping[str, bool] | None = None,
    secret: bool = False,
    alts: Mapping[int, tuple[str, ...]] | None = None,
) -> Item:
    """One item; ``notes``: footnote mark → whether that footnote marks the item secret;
    ``secret``: text outside the item says it is confidential; ``alts``: block index → the
    alt texts of its images, read for secrecy with the item's blocks and the one above its
    heading (where a label would stand)."""
    if secret:
        return Item(number=segment.number, public=False)
    folded_body = body_name.casefold()
    # "Arbetsutskottets förslag" is input in a board's protocol but the decision in the
    # committee's own protocol
    own = body_name.split()[-1].lower() if body_name.split() else ""
    lines: list[str] = []
    indices: list[int] = []
    furniture: list[str] = []  # no part of the text, but read for secrecy with it
    for i in range(segment.head + 1, segment.end):
        block = blocks[i]
        if not _is_page_furniture(block, folded_body):
            lines.append(block)
            indices.append(i)
        else:
            furniture.append(block)
    flats = [line if "\t" not in line else _flat(line) for line in lines]

    rest = _flat(segment.rest).strip(" .:–—-\t")
    if notes and (mark := _FOOTNOTE_MARK.search(rest)) and _mark(mark) in notes:
        # "Begäran om lönetillägg 1", "Avstängning av elev*": the footnote mark of a note
        # printed after the items
        if notes[_mark(mark)]:
            return Item(number=segment.number, public=False)
        rest = rest[: mark.start()].rstrip()
    case_number = None
    dnr = _dnr(rest)
    if dnr:
        case_number = dnr.group("value")
        rest = (rest[: dnr.start()] + rest[dnr.end() :]).strip(" .:,;()–—-")
    title = rest or None
    title_index = -1
    body_start = 0
    if title is None:
        for position, line in enumerate(lines[:4]):
            flat = flats[position]
            if _bare_label(flat) in _TITLE_LABELS:
                continue  # "Ärende" over the title, in a table or list with one field a row
            match = _dnr(flat)
            if match and not (flat[: match.start()] + flat[match.end() :]).strip(" .:,;()–—-"):
                case_number = case_number or match.group("value")
                continue
            if _section(line):
                break
            if _CASE_NUMBER_ONLY.fullmatch(flat) and position + 1 < len(lines):
                # "KS 2024/0199" alone under the heading (a case number without "Dnr")
                case_number = case_number or flat
                continue
            title, title_index = flat, position
            label, tab, value = line.partition("\t")
            if tab and value.strip() and _bare_label(label) in _TITLE_LABELS:
                title = _flat(value)  # "Ärende | Föreningsbidrag 2025": a field row
            if match:
                case_number = case_number or match.group("value")
                title = (flat[: match.start()] + flat[match.end() :]).strip(" .:,;()–—-")
            break
    if title is not None:
        # a title wrapped over lines (PDF exports): "Riktlinjer för handläggning av" /
        # "ekonomiskt bistånd"
        while title_index + 1 < len(lines) and _continues_title(title, flats[title_index + 1]):
            title = f"{title} {flats[title_index + 1]}"
            title_index += 1
    if title_index >= 0:
        body_start = title_index + 1

    # Confidential first: nothing more is read from an item that will be withheld anyway.
    # Cheap substring tests on the lower-cased text decide which of the costlier regular
    # expressions can match at all: most items have no secrecy marker, vote or reservation.
    # Every secrecy marker privacy knows contains one of its SECRECY_WORDS, part of
    # _SECRECY_WORDS, so its full (slow) expression only runs on items that might be
    # confidential.
    all_text = "\n".join(flats)
    # what is read but never shown: the images' alt texts, the page headers and footers
    # printed inside the item ("SAMMANTRÄDESPROTOKOLL | Sida 2 (3) | Sekretess")
    hidden = "\n".join(furniture)
    if alts:
        hidden += "\n" + "\n".join(
            alt for i in range(max(segment.head - 1, 0), segment.end) for alt in alts.get(i, ())
        )
    full_text = with_joined_breaks(
        f"{segment.label}\n{segment.rest}\n{title or ''}\n{all_text}\n{hidden}"
    )
    words = _ITEM_WORDS.found(full_text)  # the gate words in fold(full_text)
    if not words.isdisjoint(_SECRECY_SET) and (
        has_secrecy_marker(full_text) or _INDIVIDUAL_CASE.search(full_text)
    ):
        return Item(number=segment.number, public=False)

    # Sections: label → lines, in order; unlabeled lines before the first label are "intro".
    sections: list[tuple[str, str | None, list[str]]] = [("intro", None, [])]
    for line in lines[body_start:]:
        found = _section(line) if line[:1].isalpha() else None
        if found:
            key, same_line, match = found
            gen = match.groupdict().get("gen")
            if key == "recommend" and gen and _PROPOSERS.match(gen):
                if not (own and gen.lower().startswith(own)):
                    key = "proposal"
            sections.append((key, match.group(0), [same_line] if same_line else []))
        else:
            sections[-1][2].append(line)

    if case_number is None:
        for position, line in enumerate(flats[: body_start + 6]):
            if position == body_start and _CASE_NUMBER_ONLY.fullmatch(line):
                case_number = line  # right under the heading, without "Dnr"
                break
            match = _dnr(line)
            if match is None and _bare_label(line) in _DNR_LABELS and position + 1 < len(flats):
                match = _dnr(f"{line} {flats[position + 1]}")  # "Diarienummer" / "KS 2023/1"
            if match:
                case_number = match.group("value")
                break

    decision_lines: list[str] | None = None
    recommended = False
    for key, _label, section_lines in sections:
        if key in ("decision", "recommend") and section_lines:
            decision_lines = [_flat(line) for line in section_lines]
            recommended = key == "recommend"
            break
    if decision_lines is None:
        # No "Beslut" label: the decision is the sentence "<Nämnden> beslutar att ...".
        unlabeled = [
            _flat(line)
            for key, _label, section_lines in sections
            if key in ("intro", "other")
            for line in section_lines
        ]
        for position, line in enumerate(unlabeled):
            if _UNLABELED_DECISION.match(line):
                decision_lines = [line]
                for following in unlabeled[position + 1 :]:
                    if not _CONTINUATION.match(following):
                        break
                    decision_lines.append(following)
                break
        else:
            # a paragraph that runs the case into its decision: "GN 2024/210. Nämnden
            # beslutar att ...": the sentence that says it
            decision_lines = _decision_sentence(unlabeled)

    decision = clean_block("\n".join(_unwrap(decision_lines))) if decision_lines else None
    outcome_text = _first_sentence(decision_lines) if decision_lines else None
    outcome = classify(outcome_text)
    if outcome is Outcome.OTHER:
        outcome = classify(decision)
    if recommended and outcome not in (
        Outcome.WITHDRAWN,
        Outcome.REFERRED_BACK,
        Outcome.POSTPONED,
        Outcome.REJECTED,
    ):
        outcome = Outcome.RECOMMENDED
    if decision is None and title and _WITHDRAWN_TITLE.search(title):
        outcome, outcome_text = Outcome.WITHDRAWN, title

    vote_lines = [line for key, _l, ls in sections if key == "vote" for line in ls]
    reservation_lines = [line for key, _l, ls in sections if key == "reservation" for line in ls]
    votes = None
    if vote_lines or not words.isdisjoint(_VOTE_SET):
        votes = _votes(lines, vote_lines)
    reservations: tuple[Person, ...] = ()
    if reservation_lines or "reserv" in words:
        reservations = _unique(_reservations(lines, reservation_lines))

    unanimous: bool | None = None
    if not words.isdisjoint(_UNANIMOUS_SET) and (
        is_unanimous(all_text) or _ENIGT.search(decision or "")
    ):
        unanimous = True
    if reservations or (votes is not None and votes.no):
        unanimous = False  # a recorded dissent or a counted "nej" is the text saying so

    attachments: list[Link] = []
    for i in indices:
        attachments.extend(links.get(i, ()))
    attachments.extend(links.get(segment.head, ()))

    return Item(
        number=segment.number,
        title=clean(title),
        case_number=clean(case_number),
        decision=decision,
        outcome=outcome,
        outcome_text=outcome_text,
        unanimous=unanimous,
        votes=votes,
        reservations=reservations,
        attachments=tuple(dict.fromkeys(attachments)),
        public=True,
    )


# --------------------------------------------------------------------------------------------
# Protocol


def _body_name(text: str) -> str | None:
    lowered = text.lower()
    if not any(word in lowered for word in _BODY_WORDS):
        return None
    for match in _BODY_NAME.finditer(text):
        name = match.group("name")
        if match.group("gen") and name.endswith("s"):
            name = name[:-1]  # "Socialnämndens sammanträde" names Socialnämnden
        if _BODY_STOP.match(name):
            # a bare "nämnden" is a name only with its adjective: "Tekniska nämnden"
            adjective = _ADJECTIVE_BEFORE.search(text, 0, match.start())
            if adjective is None or adjective.group(1).lower() in _NOT_ADJECTIVES:
                continue
            name = f"{adjective.group(1)} {name}"
        if name.isupper():
            name = name[0] + name[1:].lower()
        return name[0].upper() + name[1:]
    return None


def _find_body(header_lines: Sequence[str], header: _Header, title: str | None) -> str | None:
    early = [_flat(line) for line in header_lines[:25]]
    for index, line in enumerate(early):
        if "protokoll" in line.lower():
            name = _body_name(line)
            if name:
                return name
            if index + 1 < len(early) and len(early[index + 1]) < 120:
                name = _body_name(early[index + 1])
                if name:
                    return name
    organ = header.first("organ")
    if organ and (name := _body_name(organ)):
        return name
    if organ and len(organ) < 80:
        return organ
    if title and (name := _body_name(title)):
        return name
    for line in early[:10]:
        if len(line) < 80 and (name := _body_name(line)):
            return name
    return None


def _find_organization(header_lines: Sequence[str], title: str | None) -> str | None:
    for line in [*(header_lines[:25]), title or ""]:
        match = _ORGANIZATION.search(line)
        if match:
            if match.group("region"):
                return _title_case(match.group("region"))
            kind = match.group("kind")
            name = match.group("a")
            if prefix := _NAME_PREFIX.search(line, max(0, match.start() - 12), match.start()):
                name = f"{prefix.group(0).rstrip()} {name}"
            # "LILLÅSA KOMMUN" in a letterhead is "Lillåsa kommun"; "Göteborgs Stad" stays
            return f"{_title_case(name)} {kind.lower() if kind.isupper() else kind}"
    return None


def _title_case(text: str) -> str:
    if not text.isupper():
        return text
    return " ".join(word[:1] + word[1:].lower() for word in text.split())


def _genitive(name: str) -> str:
    return name if name[-1:].lower() in ("s", "x", "z") else f"{name}s"


def _dated_later(line: str) -> bool:
    """Whether ``line`` dates the signing or the notice ("Protokollet anslogs 2024-03-11"),
    not the meeting."""
    return any(
        _label_key(match, _ANYWHERE_LABELS) in _LATER_KEYS
        for match in _HEADER_ANYWHERE.finditer(line)
    )


_LATER_KEYS = frozenset(("posted", "taken_down", "justering", "approved_mark"))


def _place(value: str) -> str | None:
    text = _DATE_TEXT.sub(" ", value)
    text = _TIME_TEXT.sub(" ", text)
    text = _WEEKDAY.sub(" ", text)
    text = _PLACE_CUT.sub("", text)
    parts = [p.strip(" .:–—-()[]") for p in re.split(r"[,;\t]", text)]
    # (a part with no letter is what the cuts left over: a number, a bracket)
    place = ", ".join(p for p in parts if any(ch.isalpha() for ch in p))
    return clean(place)


def _approval_place(value: str) -> str | None:
    place = _place(value)
    return place if place and len(place) <= 120 else None


# between the two dates of a period: "2024-12-09 -- 2024-12-31", "9 december – 31 december"
_PERIOD_GAP = re.compile(
    r"(?:\s+-{1,2}\s*|\s*--\s*|\s*[–—]\s*|\s+(?:till(?:\s+och\s+med)?|t\.\s?o\.\s?m\.)\s+)(?=\d)"
)


def parse_blocks(
    blocks: Sequence[str],
    options: ExtractOptions,
    *,
    links: Mapping[int, tuple[Link, ...]] | None = None,
    title: str | None = None,
    alts: Mapping[int, tuple[str, ...]] | None = None,
    rules: Sequence[int] = (),
) -> Protocol:
    """Read a Swedish protocol from its text blocks (lines; TAB between table cells).

    ``links`` maps a block index to the links found in it; ``alts`` to the alt texts of its
    images (a lock icon's "Sekretess": read for secrecy, never published); ``title`` is the
    document's own title, used only when the text names no body. The body is
    ``options.body`` when given, else the name the document prints, else "Okänt organ".
    Status is ``draft`` when the header says so (preliminärt, ej justerat, utkast) or prints
    an empty "Justeringens plats och tid"; ``approved`` when it shows a justering date,
    "Protokollet är justerat" or a notice date; ``unknown`` otherwise. ``appeal_ends`` is the
    printed take-down date of the notice, or three weeks after the posting date when only
    that is printed.
    Raises ``MalformedDocument`` when there is neither a § item nor a protocol header.
    """
    # This document's label lines, remembered while it is read (``_section_match``; what is
    # remembered depends on the line alone, so the next document simply starts afresh).
    _read_labels.matches = {}
    links = links or {}
    blocks = [block.replace("\r", "") for block in blocks]
    segments = _segments(blocks, rules)
    in_item = [False] * len(blocks)
    for segment in segments:
        for i in range(segment.head, segment.end):
            in_item[i] = True
    header_lines = [
        block
        for i, block in enumerate(blocks)
        if not in_item[i] and block.strip() and not _is_noise(block)
    ]
    header_lines = _join_split_labels(header_lines)
    header = _parse_header(header_lines)
    known = header.seen - {"others", "anslag", "storage"}
    if not segments and len(known) < 2:
        raise MalformedDocument(
            "no Swedish protocol structure: no § items and no header (Sammanträdesdatum, "
            "Justerare ...)"
        )

    # --- body, organization
    body_name = options.body or _find_body(header_lines, header, title) or "Okänt organ"
    organization = _find_organization(header_lines, title)

    # --- meeting
    place_values = header.all("place_time")
    day = find_date(header.first("date"))
    for value in place_values:
        day = day or find_date(value)
    if day is None:
        for line in [*header_lines[:10], title or ""]:
            if ("protokoll" in line.lower() or _body_name(line)) and not _dated_later(line):
                day = find_date(line)
                if day:
                    break
    start = end = None
    location = None
    for value in place_values:
        if start is None:
            first, last = find_time_range(_DATE_TEXT.sub(" ", value))
            if first is not None and day is not None:
                start = local(day, first, options.timezone)
                end = local(day, last, options.timezone) if last else None
                if start is not None and end is not None and end < start:
                    end = end + timedelta(days=1)  # a meeting that runs past midnight
        location = location or _place(value)
    if start is None and day is not None:
        # "Sammanträdesdag: tisdag den 3 september 2024, kl. 17.00–19.15", "Datum och tid",
        # "Sammanträdet hölls i aulan klockan 13.30–15.00."
        running = [
            line
            for line in header_lines[:25]
            if "sammanträd" in (low := line.lower()) and ("kl" in low or "tid" in low)
        ]
        for value in [*header.all("date"), *running]:
            first, last = find_time_range(_DATE_TEXT.sub(" ", value))
            if first is not None:
                start = local(day, first, options.timezone)
                end = local(day, last, options.timezone) if last else None
                if start is not None and end is not None and end < start:
                    end = end + timedelta(days=1)
                break
    meeting = Meeting(
        title=f"{_genitive(body_name)} sammanträde" + (f" {day.isoformat()}" if day else ""),
        date=day,
        start=start,
        end=end,
        location=location,
    )

    # --- approval and notice
    # (not a contents row: "§ 12 Preliminär budgetram" names an item, not this protocol)
    draft_text = [
        *(line for line in header_lines if not _item_head_at_start(line)),
        title or "",
    ]
    draft = any(
        _DRAFT.search(line)
        for line in draft_text
        if "prelimin" in (lowered := line.lower()) or "juster" in lowered or "utkast" in lowered
    )
    justering = header.first("justering")
    approved_at = find_date(justering)
    approved_at = approved_at or find_date(header.first("approved_mark"))
    posted_at = None
    posted_until = None  # "Anslaget under tiden 2024-12-09 -- 2024-12-31": up, then down
    for value in header.all("posted"):
        posted_at = find_date(value)
        if posted_at:
            period = _PERIOD_GAP.split(value, maxsplit=1)
            if len(period) == 2 and find_date(period[0]) == posted_at:
                posted_until = find_date(period[1])
            break
    appeal_ends = None
    for value in header.all("taken_down"):
        appeal_ends = find_date(value)
        if appeal_ends:
            break
    if appeal_ends is None and posted_at and posted_until and posted_until > posted_at:
        appeal_ends = posted_until
    if appeal_ends is None and posted_at is not None and posted_at.year < 9999:
        appeal_ends = posted_at + APPEAL_PERIOD  # only the posting date is printed
    approved = bool(approved_at or posted_at or "approved_mark" in header.seen)
    if draft:
        status = Status.DRAFT
        # A preliminary protocol names the planned justering; nothing has been signed yet.
        approved_at = posted_at = appeal_ends = None
    elif approved:
        status = Status.APPROVED
    elif "justering" in header.seen:
        status = Status.DRAFT  # "Justeringens plats och tid" printed but left empty
    else:
        status = Status.UNKNOWN
    state = ProtocolState(
        status=status,
        approved_at=approved_at,
        posted_at=posted_at,
        appeal_ends=appeal_ends,
        approval_place=_approval_place(justering) if justering else None,
    )

    # --- people
    present: list[Person] = []
    for value in header.all("present"):
        present.extend(_people(value))
    others: list[Person] = []
    for value in header.all("others"):
        others.extend(_people(value))
    chair_people = _people(header.first("chair") or "", role="ordförande")
    chair = chair_people[0] if chair_people else None
    if chair is None:
        chair = next((p for p in present if p.role == "ordförande"), None)
    secretary_people = _people(header.first("secretary") or "", role="sekreterare")
    secretary = secretary_people[0] if secretary_people else None
    if secretary is None:
        secretary = next((p for p in [*others, *present] if p.role == "sekreterare"), None)
    adjusters: list[Person] = []
    for value in header.all("adjusters"):
        adjusters.extend(_people(value, role="justerare"))
    if chair is not None:
        adjusters = [p for p in adjusters if p.name != chair.name]
    # The signature block prints bare names; the member list has their parties.
    parties = {p.name: p.party for p in present if p.party}
    chair = _with_party(chair, parties)
    secretary = _with_party(secretary, parties)
    adjusters = [a for a in (_with_party(a, parties) for a in adjusters) if a is not None]
    people = People(
        chair=chair,
        adjusters=_unique(adjusters),
        secretary=secretary,
        present=_unique(present),
    )

    notes, named = _notes_outside_items(blocks, in_item)
    items = tuple(
        _parse_item(
            blocks,
            segment,
            links,
            body_name,
            notes,
            _named(segment.number, named)
            or (
                segment.trailer > segment.end
                and has_secrecy_marker(*blocks[segment.end : segment.trailer])
            ),
            alts,
        )
        for segment in segments
    )
    protocol_links: list[Link] = []
    for i, found in sorted(links.items()):
        if 0 <= i < len(blocks) and not in_item[i]:
            protocol_links.extend(link for link in found if link.media_type)

    return Protocol(
        format=FORMAT,
        body=Body(name=body_name),
        meeting=meeting,
        protocol=state,
        organization=Organization(name=organization) if organization else None,
        people=people,
        items=items,
        links=tuple(dict.fromkeys(protocol_links)),
        language="sv",
        source_id=None,
    )


def extract(data: bytes, options: ExtractOptions) -> Protocol:
    """Bytes of a Swedish protocol page → ``Protocol`` (privacy is applied by the caller)."""
    root = parse_html(data, options.max_bytes)
    try:
        document = html_to_document(root, options.base_url)
        return parse_blocks(
            document.blocks,
            options,
            links=document.links,
            title=document.title,
            alts=document.alts,
            rules=document.rules,
        )
    except PublisherError:
        raise
    except (ValueError, TypeError, IndexError, KeyError, OverflowError, RecursionError) as exc:
        # Hostile or damaged input must surface as a permanent extraction error, not a crash.
        raise MalformedDocument(
            f"cannot read the Swedish protocol: {type(exc).__name__}: {exc}".splitlines()[0]
        ) from None
