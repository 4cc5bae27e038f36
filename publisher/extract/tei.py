"""TEI Parla-CLARIN parliamentary records (Swedish Riksdag protocols, ParlaMint) → ``Protocol``.

Two shapes of the same encoding are read, both by walking the body in document order:

* **Riksdag records** (riksdagen-records): every paragraph of the chamber's record is a ``note``;
  a ``note type="title"`` reading ``§ 4 Avsägelser`` opens an item. What the Speaker *does*
  ("Kammaren biföll dessa avsägelser.", "Tredje vice talmannen förklarade valda till …") is the
  decision. The OCR that produced these files splits words and numbers ("u ppdraget",
  "202 2"), reads "§" as "$" or "S", and sometimes files a note as an utterance of speaker
  ``unknown``; all of that is tolerated: unattributed utterances count as record text, numbers
  in headings are re-joined, and nothing depends on exact spacing.
* **ParlaMint** corpora: ``div type="debateSection"`` with a ``head``; the section is the item.
  Speeches (``u`` with a known speaker) are opinions, never decisions.

Metadata: the meeting date is ``docDate/@when`` (front matter), else the ``setting/date`` or
the header's source date. ``source_id`` is the TEI ``xml:id`` (the record's identifier, stable
across corrected re-releases). A published parliamentary record is the official, checked
record, so it is ``approved`` unless it calls itself preliminary (the Riksdag's
"snabbprotokoll", a draft ``revisionDesc`` status). The record carries no approval date; the
publication delay then counts from the next anchor the lifecycle knows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from lxml import etree

from publisher.errors import MalformedDocument
from publisher.extract import ExtractOptions
from publisher.extract.dates import find_date
from publisher.extract.outcomes import classify, is_unanimous
from publisher.extract.parsing import clean, element_text, local_name, parse_xml
from publisher.extract.votecounts import find_votes
from publisher.model import Body, Item, Link, Meeting, Outcome, Protocol, ProtocolState, Status
from publisher.privacy import fold

FORMAT = "tei"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# "§ 12 Title", "$ 1 2 Title" (OCR), "§12. Title", "S 3 Title" only when followed by a capital
_PARAGRAPH = re.compile(
    r"^\s*(?:§|\$|S(?=\s*\d+\s+[A-ZÅÄÖ]))\s*(\d+(?:\s\d(?!\d))*)\s*[.:]?\s*(.*)$", re.S
)
# Sentences that state what the chamber decided, as opposed to what was announced or said.
_DECISION = re.compile(
    r"(?:(?:\b(?:förste|andre|tredje)\s+vice\s+)?\b(?:kammaren|riksdagen|talmannen|talman)\b"
    r"[^.]{0,60}?"
    r"\b(?:biföll|bifaller|avslog|avslår|beslutade|beslöt|godkände|godkänner|antog|medgav"
    r"|förklarade|återförvisade|bordlade|hänvisade|lade\s+\w*\s*till\s+handlingarna)\b"
    r"|\bförklarade\s+(?:\w+\s+){0,8}?valda?\b"
    r"|\bärendet\s+(?:bordlades|återremitterades|avgjordes)\b"
    r"|\b(?:the\s+(?:house|chamber|assembly)\s+(?:agreed|adopted|approved|rejected|elected))\b"
    r"|\b(?:protokollet\b[^.]{0,40}\bjusterades)\b)[^.]*\.?",
    re.IGNORECASE,
)
_PRELIMINARY = re.compile(r"snabbprotokoll|preliminär|preliminary|provisional|draft", re.I)
_VOTE_CONTEXT = re.compile(
    r"votering|omröstning|röstade|ja-röster|\bdivi(?:sion|ded)\b|\bvoting\b|\bayes\b", re.I
)
# Speed only: every match of _DECISION starts with one of these words, every match of
# _VOTE_CONTEXT contains one of those; texts (case-folded) without any skip the expression.
_DECISION_WORDS = (
    "förste", "andre", "tredje", "kammaren", "riksdagen", "talman", "förklarade", "ärendet",
    "the", "protokollet",
)  # fmt: skip
_DECISION_START = re.compile(rf"\b(?:{'|'.join(_DECISION_WORDS)})", re.IGNORECASE)
_VOTE_WORDS = ("votering", "omröstning", "röstade", "ja-röster", "divi", "voting", "ayes")
_RIKSDAG = re.compile(r"riksdag|swedish parliament|^prot-\d", re.I)
_SPLIT_DIGITS = re.compile(r"(?<=\d) (?=\d)")


@dataclass
class _Section:
    number: str
    title: str | None
    ident: str | None
    record: list[str] = field(default_factory=list)  # the record's own text, not speeches


def _text(el: etree._Element) -> str:
    return element_text(el)  # already cleaned (clean is idempotent)


def _heading(text: str) -> tuple[str, str | None] | None:
    match = _PARAGRAPH.match(text)
    if match is None:
        return None
    number = _SPLIT_DIGITS.sub("", match.group(1))
    return f"§ {number}", clean(match.group(2)) or None


def _is_speech(el: etree._Element) -> bool:
    who = (el.get("who") or "").strip().lower()
    return bool(who) and who not in ("unknown", "#unknown")


_RECORD_TAGS = ("{*}note", "{*}head", "{*}p", "{*}u", "{*}div")  # in any namespace or none


def _walk(body: etree._Element) -> Iterator[etree._Element]:
    """Record-level elements in order: headings, notes, paragraphs, unattributed utterances."""
    return body.iter(*_RECORD_TAGS)


def _sections(body: etree._Element) -> list[_Section]:
    sections: list[_Section] = []
    current: _Section | None = None
    inside_speech: set[etree._Element] = set()
    for el in _walk(body):
        name = local_name(el)
        parent = el.getparent()
        if parent is not None and (parent in inside_speech):
            inside_speech.add(el)
            continue
        if name == "div":
            head = next((c for c in el if local_name(c) == "head"), None)
            if head is not None and (el.get("type") or "").lower() == "debatesection":
                text = _text(head)
                parsed = _heading(text)
                number, title = parsed or (str(len(sections) + 1), text or None)
                current = _Section(number, title, el.get(XML_ID))
                sections.append(current)
            continue
        if name == "u" and _is_speech(el):
            inside_speech.add(el)
            continue
        text = _text(el)
        if not text:
            continue
        is_title = (el.get("type") or "").lower() == "title" or name == "head"
        parsed = _heading(text) if is_title or name == "note" else None
        if parsed is not None and (is_title or current is None):
            current = _Section(parsed[0], parsed[1], el.get(XML_ID) or _div_id(el))
            sections.append(current)
            continue
        if name == "head":
            continue  # a ParlaMint head already named its section
        if current is not None:
            current.record.append(text)
    return sections


def _div_id(el: etree._Element) -> str | None:
    parent = el.getparent()
    return parent.get(XML_ID) if parent is not None and local_name(parent) == "div" else None


def _decision(record: list[str], folded: str) -> str | None:
    if not any(word in folded for word in _DECISION_WORDS):
        return None
    text = " ".join(record)
    # As ``_DECISION.finditer(text)``, but the expression is only tried where one of its
    # first words starts (it fails everywhere else), found by a much cheaper search.
    found: list[str] = []
    pos = 0
    while (start := _DECISION_START.search(text, pos)) is not None:
        match = _DECISION.match(text, start.start())
        if match is None:
            pos = start.start() + 1
            continue
        found.append(match.group(0).strip())
        pos = match.end()
    return " ".join(found) if found else None


def _item(section: _Section, source_id: str | None) -> Item:
    folded = fold(" ".join(section.record))
    decision = _decision(section.record, folded)
    outcome = classify(decision) if decision else Outcome.OTHER
    context = ""
    if any(word in folded for word in _VOTE_WORDS):
        context = " ".join(t for t in section.record if _VOTE_CONTEXT.search(t))
    ident = section.ident
    return Item(
        number=section.number,
        title=section.title,
        decision=decision,
        outcome=outcome,
        outcome_text=decision,
        unanimous=is_unanimous(decision),
        votes=find_votes(context) if context else None,
        id=(f"{source_id}#{ident}" if source_id else ident) if ident else None,
    )


# The header and front matter are read from one pass over the document in C (lxml's tag
# filter; "{*}name" is the local name in any namespace or none), instead of one XPath scan of
# the whole tree per field. Each lookup below keeps the meaning of the XPath expression it
# replaced (quoted beside it): ``//`` searches the whole document (of a teiCorpus, too), and
# results come in document order.
_INDEX_NAMES = (
    "front", "docDate", "settingDesc", "sourceDesc", "date", "text", "titleStmt", "title",
    "setting", "name", "publicationStmt", "org", "orgName", "publisher", "revisionDesc",
    "change", "pb",
)  # fmt: skip
_INDEX_TAGS = tuple("{*}" + name for name in _INDEX_NAMES)


class _Index:
    def __init__(self, root: etree._Element) -> None:
        found: dict[str, list[etree._Element]] = {}
        for el in root.getroottree().getroot().iter(*_INDEX_TAGS):
            found.setdefault(local_name(el), []).append(el)
        self._found = found

    def all(self, name: str) -> list[etree._Element]:
        """``//*[local-name()=name]``"""
        return self._found.get(name, [])

    def below(self, ancestor: str, name: str) -> list[etree._Element]:
        """``//*[local-name()=ancestor]//*[local-name()=name]``"""
        return [
            el
            for el in self.all(name)
            if any(local_name(a) == ancestor for a in el.iterancestors())
        ]

    def children(self, parent: str, name: str) -> list[etree._Element]:
        """``//*[local-name()=parent]/*[local-name()=name]``"""
        return [
            el
            for el in self.all(name)
            if (up := el.getparent()) is not None and local_name(up) == parent
        ]


def _child(el: etree._Element, name: str) -> etree._Element | None:
    """``./*[local-name()=name][1]``"""
    for child in el:
        if isinstance(child.tag, str) and local_name(child) == name:
            return child
    return None


def _date(index: _Index) -> date | None:
    for ancestor, name in (
        ("front", "docDate"),
        ("settingDesc", "date"),
        ("sourceDesc", "date"),
        ("text", "docDate"),
    ):
        found = index.below(ancestor, name)
        if found:
            el = found[0]
            day = find_date(el.get("when") or "") or find_date(_text(el))
            if day is not None:
                return day
    return None


def _title(index: _Index) -> str | None:
    # ParlaMint's main title names the corpus; its sub title names the sitting.
    titles = index.children("titleStmt", "title")
    best = [t for t in titles if t.get("type") == "sub"] or [
        t for t in titles if t.get("type") == "main"
    ]
    best = best or titles
    return _text(best[0]) or None if best else None


def _location(index: _Index) -> str | None:
    names = index.children("setting", "name")
    return ", ".join(t for t in (_text(n) for n in names) if t) or None


def _published(index: _Index, day: date | None) -> date | None:
    found = index.children("publicationStmt", "date")
    el = found[0] if found else None
    posted = find_date(el.get("when") or _text(el)) if el is not None else None
    return posted if posted and (day is None or posted >= day) else None


def _body(index: _Index, title: str | None, source_id: str | None, lang: str | None) -> Body:
    # //*[local-name()='org'][@role='parliament']/*[local-name()='orgName'][@full='yes']
    names = [
        n
        for n in index.all("orgName")
        if n.get("full") == "yes"
        and (org := n.getparent()) is not None
        and local_name(org) == "org"
        and org.get("role") == "parliament"
    ]
    if names:
        preferred = [n for n in names if n.get(XML_LANG) == lang] or names
        return Body(name=_text(preferred[0]))
    if _RIKSDAG.search(title or "") or _RIKSDAG.search(source_id or ""):
        return Body(name="Riksdagen", id="riksdagen")
    publishers = index.children("publicationStmt", "publisher")
    publisher = publishers[0] if publishers else None
    if publisher is not None and _text(publisher):
        return Body(name=_text(publisher))
    if title:
        return Body(name=title)
    raise MalformedDocument("TEI record names no body; configure the source's body")


def _status(index: _Index, title: str | None) -> Status:
    said = [title or ""]
    said += [c.get("status") or "" for c in index.all("revisionDesc")]
    said += [c.get("status") or "" for c in index.all("change")[:1]]
    return Status.DRAFT if any(_PRELIMINARY.search(s) for s in said) else Status.APPROVED


def _facsimile(index: _Index) -> tuple[Link, ...]:
    # //*[local-name()='pb']/@facs
    pages = [facs for pb in index.all("pb") if (facs := pb.get("facs")) is not None]
    urls = dict.fromkeys(str(p).split("#", 1)[0] for p in pages if str(p).startswith("http"))
    media = "application/pdf"
    return tuple(Link(url=u, title="Protokoll (faksimil)", media_type=media) for u in urls)


def extract(data: bytes, options: ExtractOptions) -> Protocol:
    root = parse_xml(data, options.max_bytes)
    if local_name(root).lower() == "teicorpus":
        first = next((c for c in root if local_name(c) == "TEI"), None)
        if first is None:
            raise MalformedDocument("teiCorpus without a TEI record")
        root = first
    if local_name(root) != "TEI":
        raise MalformedDocument(f"not a TEI record (root element <{local_name(root)}>)")
    # ./*[local-name()='text']/*[local-name()='body'] (of any text child), and the first text
    texts = [c for c in root if isinstance(c.tag, str) and local_name(c) == "text"]
    body = next((b for t in texts if (b := _child(t, "body")) is not None), None)
    text_el = texts[0] if texts else None
    if body is None:
        raise MalformedDocument("TEI record without text/body")
    index = _Index(root)
    source_id = root.get(XML_ID) or None
    title = _title(index)
    lang = root.get(XML_LANG) or (text_el.get(XML_LANG) if text_el is not None else None)
    if lang is None and _RIKSDAG.search(f"{title or ''} {source_id or ''}"):
        lang = "sv"
    day = _date(index)
    chamber = Body(name=options.body) if options.body else _body(index, title, source_id, lang)
    return Protocol(
        format=FORMAT,
        body=chamber,
        meeting=Meeting(title=title, date=day, location=_location(index), id=source_id),
        protocol=ProtocolState(status=_status(index, title), posted_at=_published(index, day)),
        items=tuple(_item(s, source_id) for s in _sections(body)),
        links=_facsimile(index),
        language=options.language or lang,
        source_id=source_id,
    )
