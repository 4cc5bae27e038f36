"""Akoma Ntoso debate records, debates and minutes → ``Protocol``.

One code path for every dialect: elements are matched on their lower-cased *local* name, so the
OASIS 3.0 namespace, the WD17/CSD working drafts, the 2.0 and 1.0 namespaces
(``http://www.akomantoso.org/1.0``, root ``akomantoso``, ``debaterecord``, capitalised
``Questions``/``PointOfOrder``, ``subdivision`` sections, ``id`` instead of ``eId``) and
documents without any namespace all read the same way. Nothing here names a namespace.

What becomes what, and why:

* **Items** are the top-level structural containers of the body (``debateSection`` and the
  specialised ones: ``questions``, ``address``, ``pointOfOrder``, ``adjournment``, …; in other
  document types ``hcontainer``/``section``). A debate's top level is its order paper; nested
  sections (one question, one speech group) belong to the item they sit in. A body wrapped in
  one single section is unwrapped. Number: ``num``, else the position. Title: ``heading``, else
  the first nested heading, else the ``name`` attribute.
* **Decision** text is what the record states as a result (``summary``, ``narrative``, ``p``
  outside speeches) and that the outcome vocabulary recognises; speeches are opinions, not
  results, and are never read for decisions.
* **Votes** come from ``voting``/``recount``/``quorumVerification`` in the analysis metadata.
  They attach to the item holding their ``href`` (where the vote is recorded in the text),
  else the item their ``refersTo`` names. A ``recount`` on the same subject replaces the counts
  it restates. When a ``count`` cites a ``quantity`` in the text (``href``), the printed number
  wins over the count's ``value``: the analysis is the mark-up editor's reading of the text,
  the text is the record (the Kenyan sample has ``value="34"`` citing a printed "56").
  Without analysis, ``quantity`` elements and written counts in the decision are used.
* **Status**: a published Akoma Ntoso debate record *is* the official record (Hansard is
  produced from the verified transcript), so it is ``approved`` unless the document calls
  itself a draft/provisional/uncorrected record (``docStatus``, ``publication``).
  ``approved_at`` is the FRBRExpression date (the date this text version was fixed; never
  earlier than the real approval, so a delay counted from it errs late, not early);
  ``posted_at`` the ``publication`` date. Dates before the meeting are dropped.
* ``source_id`` is the FRBRWork URI (not the expression's): language versions of one debate
  are one meeting.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from lxml import etree

from publisher.errors import MalformedDocument
from publisher.extract import ExtractOptions, outcomes
from publisher.extract.dates import find_date, find_time_range, local, parse_iso_datetime, zone
from publisher.extract.outcomes import classify, is_unanimous
from publisher.extract.parsing import clean, element_text, parse_xml
from publisher.extract.votecounts import find_votes
from publisher.model import (
    Body,
    Item,
    Meeting,
    Outcome,
    Protocol,
    ProtocolState,
    Status,
    Votes,
)
from publisher.privacy import has_secrecy_marker
from publisher.text import WordSet

FORMAT = "akn"

# Containers that are agenda items when they sit at the top of the body (lower-cased).
_SECTIONS = frozenset(
    {
        "debatesection",
        "subdivision",  # AKN 1.0 / Bungeni
        "administrationofoath",
        "rollcall",
        "prayers",
        "oralstatements",
        "writtenstatements",
        "personalstatements",
        "ministerialstatements",
        "resolutions",
        "nationalinterest",
        "declarationofvote",
        "communication",
        "petitions",
        "papers",
        "noticesofmotion",
        "questions",
        "address",
        "proceduralmotions",
        "pointoforder",
        "adjournment",
        "division",
        # other document types (doc, statement, report) structure their body with these
        "hcontainer",
        "section",
        "part",
        "chapter",
        "article",
        "level",
        "clause",
    }
)
# Ceremony and the sitting's own end: "The House adjourned" is no decision on an item.
# containers whose element name says nothing about their content
_GENERIC = frozenset(
    {"debatesection", "subdivision", "hcontainer", "section", "part", "chapter", "article"}
    | {"level", "clause", "division"}
)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_PROCEDURAL = frozenset({"adjournment", "prayers", "rollcall", "administrationofoath"})
_BODIES = (
    "debatebody",
    "mainbody",
    "body",
    "maincontent",
    "judgmentbody",
    "amendmentbody",
    "collectionbody",
)
# Utterances and stage directions: never the record's statement of a result.
_SKIP = frozenset(
    {"speech", "question", "answer", "other", "from", "scene", "remark", "authorialnote"}
    | {"heading", "subheading", "num", "note", "notes", "meta"}
)
_DECISION_BLOCKS = frozenset({"decision", "outcome", "summary", "narrative"})
_CAMEL = re.compile(r"([a-z])([A-Z])")
# read for secrecy only: what the walk skips but may say an item was private
# (and an "other" block, a reference to a note kept with the metadata: "<noteRef
# href="#n1"/>", an inline concept; the item's own number, "§ 2 (sekr.)", the scan reads)
_ASIDE_TAGS = tuple(
    "{*}" + name
    for name in (
        "remark", "scene", "authorialNote", "subheading", "heading", "other", "noteRef",
        "concept",
    )
)  # fmt: skip
_VOTE_EVENTS = frozenset({"voting", "recount", "quorumverification"})

_DRAFT = re.compile(
    r"\bdraft\b|\bprovisional\b|\buncorrected\b|\bunconfirmed\b|\bunrevised\b|\bunedited\b"
    r"|\bpreliminary\b"
    r"|\bsubject to (?:confirmation|correction|approval)|\bnot (?:yet )?(?:approved|confirmed)"
    r"|\bbozza\b|\bprovvisori[oa]\b|\bnon revisionat|\bentwurf\b|\bvorläufig|\bunkorrigiert"
    r"|\brasimu\b|\bprojet\b|\bprovisoire\b|\butkast\b|\bojusterad|\bpreliminärt?\b"
    r"|\b(?:ej|inte|icke)\s+justera[td]|\bconcept(?:verslag|notulen|besluitenlijst)?\b",
    re.IGNORECASE,
)
_BRACKETED = re.compile(r"^\s*[(\[]([^()\[\]]*)[)\]]\s*\.?\s*$")
_SUBTAG = re.compile(r"[-_]")  # "en-GB", "sv_SE"
_INT = re.compile(r"\s*(\d{1,6})\s*")

# ISO 639-2 (T and B) → 639-1 for the languages parliaments publish in
_LANGUAGES = {
    "eng": "en", "ita": "it", "fra": "fr", "fre": "fr", "deu": "de", "ger": "de",
    "swe": "sv", "nor": "no", "nob": "nb", "nno": "nn", "dan": "da", "fin": "fi",
    "spa": "es", "por": "pt", "swa": "sw", "swh": "sw", "nld": "nl", "dut": "nl",
    "ara": "ar", "rus": "ru", "pol": "pl", "ron": "ro", "rum": "ro", "ell": "el",
    "gre": "el", "zho": "zh", "chi": "zh", "jpn": "ja", "gle": "ga", "cym": "cy",
    "wel": "cy", "afr": "af", "zul": "zu", "xho": "xh", "sot": "st", "tsn": "tn",
    "amh": "am", "hau": "ha", "yor": "yo", "ibo": "ig", "kin": "rw", "lug": "lg",
    "som": "so", "est": "et", "lav": "lv", "lit": "lt", "slk": "sk", "slo": "sk",
    "slv": "sl", "ces": "cs", "cze": "cs", "hun": "hu", "bul": "bg", "hrv": "hr",
    "srp": "sr", "mlt": "mt", "isl": "is", "ice": "is", "tur": "tr", "heb": "he",
    "hin": "hi", "urd": "ur", "ben": "bn", "msa": "ms", "may": "ms", "ind": "id",
    "tha": "th", "vie": "vi", "kor": "ko", "tgl": "tl", "fil": "tl", "cat": "ca",
    "eus": "eu", "baq": "eu", "glg": "gl", "ukr": "uk", "sqi": "sq", "alb": "sq",
}  # fmt: skip

# Vote categories named by a count's refersTo or its TLCConcept's showAs
_VOTE_WORDS: dict[str, str] = {}
for _category, _words in (
    ("yes", "ayes aye yes yeas yea for favour favor infavour infavor favorevoli si sì ja "
     "ndiyo pour oui content contents tá ta votesfor yesvotes"),
    ("no", "noes no nays nay against contrari nein hapana contre non nej notcontent "
     "notcontents níl nil votesagainst novotes mot imot"),
    ("abstain", "abstentions abstention abstain abstained abstaining astenuti astensioni "
     "enthaltung enthaltungen stimmenthaltung staon avstår avholdende"),
    ("absent", "absent absentees assenti abwesend frånvarande fraværende"),
):  # fmt: skip
    for _word in _words.split():
        _VOTE_WORDS[_word] = _category
_NON_LETTERS = re.compile(r"[^a-zà-ÿ]")
_WORD_SPLIT = re.compile(r"[^a-zà-ÿ]+|(?<=[a-zà-ÿ])(?=[A-Z])")


_NAMES: dict[str, str] = {}


def _name(el: etree._Element) -> str:
    """Lower-cased local name; '' for comments and processing instructions."""
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    name = _NAMES.get(tag)
    if name is None:
        name = tag.rpartition("}")[2].lower()
        if len(_NAMES) < 4096:  # a document with endless made-up tags must not grow it
            _NAMES[tag] = name
    return name


def _wild(*names: str) -> tuple[str, ...]:
    """lxml tag filters matching these names in any namespace (or none), in both spellings."""
    tags: list[str] = []
    for name in names:
        for spelling in (name, name.lower()):
            tag = "{*}" + spelling
            if tag not in tags:
                tags.append(tag)
    return tuple(tags)


_FRONT_TAGS = _wild("docDate", "docTitle", "docProponent", "docStatus", "location")
_QUANTITY_TAGS = _wild("quantity")
_TIME_TAGS = _wild("recordedTime")


def _ident(el: etree._Element) -> str | None:
    return el.get("eId") or el.get("id") or el.get("wId") or el.get("GUID")


def _ref(value: str | None) -> str | None:
    """'#dbsect_2' (or the first of a list of references) → 'dbsect_2'."""
    tokens = value.split() if value else []
    if not tokens:
        return None
    return tokens[0].removeprefix("#") or None


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    if value.isascii() and value.isdigit() and len(value) <= 6:
        return int(value)  # (speed only) what the expression reads of "72", without it
    match = _INT.fullmatch(value)
    return int(match[1]) if match else None


def _iso_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _moment(value: str | None, tz: str) -> datetime | None:
    moment = parse_iso_datetime(value, tz) if value and len(value.strip()) > 10 else None
    if moment is None:
        return None
    try:
        moment.astimezone(zone(tz))  # reject instants that cannot be shown in local time
    except (OverflowError, ValueError):
        return None
    return moment


def _label(section: etree._Element) -> str | None:
    """A title for a section without heading: its ``name`` attribute, else what the
    specialised container is ("adjournment", "point of order")."""
    if name := clean(section.get("name")):
        return name
    kind = _name(section)
    if kind in _GENERIC:
        return None
    local = str(section.tag).rpartition("}")[2]
    return _CAMEL.sub(" ", local).lower()


def _unbracket(text: str) -> str:
    # (speed only: a match starts, after whitespace, with "(" or "[")
    if not text.lstrip().startswith(("(", "[")):
        return text
    match = _BRACKETED.match(text)
    return match[1].strip() if match else text


def _language(code: str | None) -> str | None:
    """'eng' → 'en', 'en-GB' → 'en'; the first of several ('eng swa')."""
    tokens = code.split() if code else []
    if not tokens:
        return None
    first = _SUBTAG.split(tokens[0].lower())[0]
    return _LANGUAGES.get(first, first) or None


def _vote_category(ref: str | None, meta: _Meta) -> str | None:
    key = _ref(ref)
    if not key:
        return None
    for candidate in (key, meta.concept(key)):
        if not candidate:
            continue
        low = candidate.lower()
        if low in _VOTE_WORDS:  # letters only, so ``flat`` below would be ``low`` itself
            return _VOTE_WORDS[low]
        flat = _NON_LETTERS.sub("", low)
        if flat in _VOTE_WORDS:
            return _VOTE_WORDS[flat]
        for token in reversed(_WORD_SPLIT.split(candidate)):
            if token and token.lower() in _VOTE_WORDS:
                return _VOTE_WORDS[token.lower()]
    return None


# --- the document's metadata ------------------------------------------------------------------


@dataclass
class _Meta:
    work: dict[str, etree._Element] = field(default_factory=dict)
    expression: dict[str, etree._Element] = field(default_factory=dict)
    publication: etree._Element | None = None
    events: list[etree._Element] = field(default_factory=list)
    #: TLC id → the first TLC element with that id (its kind, showAs and href are read when
    #: asked for: most are never looked up)
    tlc: dict[str, etree._Element] = field(default_factory=dict)

    def showas(self, ref: str | None, kind: str | None = None) -> str | None:
        key = _ref(ref)
        if not key or key not in self.tlc:
            return None
        el = self.tlc[key]
        return clean(el.get("showAs")) if kind is None or _name(el) == kind else None

    def concept(self, key: str) -> str | None:
        """The showAs of the TLC element ``key`` names, to name vote categories ("#favorevoli"
        → "Voti favorevoli"); ``None`` without one."""
        el = self.tlc.get(key)
        return (el.get("showAs") or None) if el is not None else None

    def tlc_href(self, ref: str | None) -> str | None:
        key = _ref(ref)
        return self.tlc[key].get("href") if key and key in self.tlc else None


# FRBR children: "FRBRthis" in 2.0+, "this" in 1.0 drafts
_FRBR_KEYS = {
    "frbrthis": "this",
    "this": "this",
    "frbruri": "uri",
    "uri": "uri",
    "frbrdate": "date",
    "date": "date",
    "frbrauthor": "author",
    "author": "author",
    "frbrlanguage": "language",
    "language": "language",
    "frbrname": "name",
    "frbralias": "alias",
}

# What ``_read_meta`` reads of an element, by its lower-cased name: nothing (0), an FRBRWork
# (1), an FRBRExpression (2), the publication (3), a vote event (4) or a TLC reference (5:
# every name starting with "tlc")
_META_KINDS = {"frbrwork": 1, "frbrexpression": 2, "publication": 3} | dict.fromkeys(
    _VOTE_EVENTS, 4
)
#: tag → what ``_read_meta`` reads of it; as bounded as ``_NAMES``
_META_TAG_KINDS: dict[str, int] = {}


def _meta_kind(el: etree._Element) -> int:
    name = _name(el)  # '' for a comment: nothing to read
    kind = _META_KINDS.get(name) or (5 if name.startswith("tlc") else 0)
    if name and len(_META_TAG_KINDS) < 4096:
        _META_TAG_KINDS[el.tag] = kind  # a str: ``name`` is not ''
    return kind


def _read_meta(meta: etree._Element | None) -> _Meta:
    found = _Meta()
    if meta is None:
        return found
    kinds = _META_TAG_KINDS
    tlc = found.tlc
    for el in meta.iter():
        kind = kinds.get(el.tag)  # a comment (its tag is a function): never found
        if kind is None:
            kind = _meta_kind(el)
        if not kind:
            continue
        if kind == 5:
            ident = el.get("eId") or el.get("id") or el.get("wId") or el.get("GUID")
            if ident and ident not in tlc:  # the first element with an id is the one
                tlc[ident] = el
        elif kind == 4:
            found.events.append(el)
        elif kind == 3:
            if found.publication is None:
                found.publication = el
        else:
            target = found.work if kind == 1 else found.expression
            if target:
                continue  # a component's identification: the first one is the document's
            for child in el:
                key = _FRBR_KEYS.get(_name(child))
                if key and key not in target:
                    target[key] = child
    return found


def _front(doc: etree._Element, fronts: list[etree._Element]) -> dict[str, etree._Element]:
    """The first docDate, docTitle, docProponent, docStatus and location of the cover/preface
    (``fronts``), else of the whole document."""
    found: dict[str, etree._Element] = {}
    for scope in fronts:
        for el in scope.iter(*_FRONT_TAGS):
            found.setdefault(_name(el), el)
    # the rest from anywhere in the document, but not the location: a place named in a speech
    # is not where the meeting was. Only the missing ones are looked for (the first element of
    # each name is all that counts, and the ones found keep their front element).
    missing = [tag for key, tags in _DOCUMENT_TAGS.items() if key not in found for tag in tags]
    if missing:
        for el in doc.iter(*missing):
            found.setdefault(_name(el), el)
    return found


#: the lxml tag filters of the front elements looked for in the whole document, by name
_DOCUMENT_TAGS = {
    name.lower(): _wild(name) for name in ("docDate", "docTitle", "docProponent", "docStatus")
}


# --- the body ---------------------------------------------------------------------------------


def _body_container(doc: etree._Element, parts: list[tuple[str, etree._Element]]) -> etree._Element:
    """The body of ``doc``, whose element children and their names are ``parts``."""
    for wanted in _BODIES:
        for name, child in parts:
            if name == wanted:
                return child
    # Bungeni's AKN 1.0 debate records: <debaterecord><debate> … the body is called "debate"
    for name, child in parts:
        if name == "debate" and _name(doc) != "debate":
            return child
    return doc


def _sections(container: etree._Element) -> list[etree._Element]:
    return [c for c in container if _name(c) in _SECTIONS]


def _top_sections(body: etree._Element) -> list[etree._Element]:
    sections = _sections(body)
    for _ in range(3):
        # a body wrapped in one "Proceedings" section: its children are the agenda
        if len(sections) == 1 and len(inner := _sections(sections[0])) >= 2:
            sections = inner
        else:
            break
    return sections


# The blocks a section's walk reads; it enters neither them nor the elements of ``_SKIP``.
_BLOCKS = _DECISION_BLOCKS | {"p"}


class _Scan:
    """What the walk of one section found."""

    __slots__ = (
        "heading",
        "heading_element",
        "number",
        "subheadings",
        "nested_headings",
        "results",
        "texts",
    )

    def __init__(self) -> None:
        #: the text of the section's first ``heading`` and ``num`` child that has any
        self.heading: str | None = None
        #: the heading child whose text ``heading`` is
        self.heading_element: etree._Element | None = None
        self.number: str | None = None
        #: its ``subheading`` children and the headings nested in it, in document order; their
        #: text is only read when the section has no heading of its own
        self.subheadings: list[etree._Element] = []
        self.nested_headings: list[etree._Element] = []
        #: (text, outcome, block) of every block that states a recognised result, in order
        self.results: list[tuple[str, Outcome, etree._Element]] = []
        #: the text of every block read, in document order
        self.texts: list[str] = []

    def title(self) -> str | None:
        return self.heading or _first_text(self.subheadings) or _first_text(self.nested_headings)

    def quantities(self) -> list[etree._Element]:
        """The ``quantity`` elements in the blocks that state a result, in document order."""
        # (a block without child elements has none: lxml's iter is not even built for it)
        return [
            q
            for _text, _outcome, block in self.results
            if len(block)
            for q in block.iter(*_QUANTITY_TAGS)
        ]

    def written_votes(self) -> Votes | None:
        """The last counts written out in the record's own blocks ("The Dáil divided: Tá, 63;
        …"): the division's counts often stand in a block of their own, before the result.

        The last block that states counts wins, so the blocks are read from the end and the
        first that states any is the answer (``find_votes`` is pure: reading fewer blocks,
        later, finds the same counts as reading every block as it is met)."""
        for text in reversed(self.texts):
            if (votes := find_votes(text)) is not None:
                return votes
        return None


def _first_text(elements: list[etree._Element]) -> str | None:
    """The text of the first of ``elements`` that has any."""
    for el in elements:
        if text := element_text(el):
            return text
    return None


# What the walk of a section does with an element, by lower-cased name: enter it (anything
# not named here), read it as a block, take it as a heading, number or subheading, or pass it
_ENTER, _READ, _HEADING, _NUMBER, _SUBHEADING, _PASS = range(6)
_SCAN_ACTIONS = (
    dict.fromkeys(_SKIP, _PASS)
    | dict.fromkeys(_BLOCKS, _READ)
    | {"heading": _HEADING, "num": _NUMBER, "subheading": _SUBHEADING}
)
#: tag → what the walk does with it; as bounded as ``_NAMES``
_SCAN_TAG_ACTIONS: dict[str, int] = {}


def _scan_action(tag: str) -> int:
    action = _SCAN_ACTIONS.get(tag.rpartition("}")[2].lower(), _ENTER)  # as ``_name``
    if len(_SCAN_TAG_ACTIONS) < 4096:
        _SCAN_TAG_ACTIONS[tag] = action
    return action


def _scan(section: etree._Element, procedural: bool) -> _Scan:
    """Walk ``section`` in document order without entering the elements of ``_STOP``: read
    its decision blocks (unless it is ceremony, ``procedural``) and note its headings."""
    scan = _Scan()
    actions = _SCAN_TAG_ACTIONS
    # Depth first, with a stack of child iterators: the innermost open element's children are
    # read until one is entered (``break``) or none is left (``else``: back to its parent).
    # Every element met is looked at once; the inside of the ``_STOP`` elements is never met.
    stack = [iter(section)]
    while stack:
        for el in stack[-1]:
            tag = el.tag
            action = actions.get(tag)  # a comment (its tag is a function): not found
            if action is None:
                if tag.__class__ is not str:
                    continue  # a comment
                action = _scan_action(tag)
            if action == _ENTER:
                stack.append(iter(el))
                break
            if action == _READ:
                if not procedural:
                    text = element_text(el)
                    outcome = classify(text)
                    if text and outcome is not Outcome.OTHER:
                        scan.results.append((_unbracket(text), outcome, el))
                    scan.texts.append(text)
            elif action == _HEADING:
                if len(stack) > 1:  # below the section's own children
                    scan.nested_headings.append(el)
                elif scan.heading is None and (heading := element_text(el)):
                    scan.heading, scan.heading_element = heading, el
            elif len(stack) > 1:
                continue
            elif action == _NUMBER:
                if scan.number is None:
                    scan.number = element_text(el) or None
            elif action == _SUBHEADING:
                scan.subheadings.append(el)
        else:
            stack.pop()
    return scan


# --- votes from the analysis ----------------------------------------------------------------


@dataclass
class _Tally:
    counts: dict[str, int] = field(default_factory=dict)
    outcome: Outcome | None = None
    outcome_text: str | None = None
    #: the analysis names its outcome by a reference only ("#vedtatt"), without a TLC
    #: concept that says it in words (``showAs``)
    outcome_bare: bool = False

    def votes(self) -> Votes | None:
        if not self.counts:
            return None
        return Votes(
            yes=self.counts.get("yes"),
            no=self.counts.get("no"),
            abstain=self.counts.get("abstain"),
            absent=self.counts.get("absent"),
        )


# Every id attribute below the context element, in document order (an element's attributes
# come right after it, before its children), each knowing its element: one XPath pass in C
# with no string tests per node.
_ID_ATTRIBUTES = etree.XPath("descendant::*/@eId|descendant::*/@id|descendant::*/@wId")


def _ids(doc: etree._Element, wanted: set[str]) -> dict[str, etree._Element]:
    """The first element (in document order) below ``doc`` carrying each wanted id in its
    ``eId``, ``id`` or ``wId``."""
    wanted = {ident for ident in wanted if ident and "|" not in ident}
    found: dict[str, etree._Element] = {}
    if not wanted:
        return found
    for value in _ID_ATTRIBUTES(doc):
        if value in wanted and value not in found:
            found[str(value)] = value.getparent()
    return found


def _count_value(
    count: etree._Element, ids: dict[str, etree._Element]
) -> tuple[str | None, int | None]:
    target = ids.get(_ref(count.get("href")) or "")
    if target is not None:
        printed = _int(target.get("normalized")) or _int(element_text(target))
        if printed is not None:
            return count.get("refersTo"), printed
    return count.get("refersTo"), _int(count.get("value"))


def _enclosing(el: etree._Element | None, items: dict[etree._Element, int]) -> int | None:
    while el is not None:
        if el in items:
            return items[el]
        el = el.getparent()
    return None


def _tallies(
    meta: _Meta, doc: etree._Element, items: dict[etree._Element, int]
) -> dict[int, _Tally]:
    if not meta.events:
        return {}
    counts = {event: [count for count in event if _name(count) == "count"] for event in meta.events}
    wanted = {
        _ref(event.get(attr)) or "" for event in meta.events for attr in ("href", "refersTo")
    } | {_ref(count.get("href")) or "" for event in meta.events for count in counts[event]}
    ids = _ids(doc, wanted)
    # group the events by their subject: a recount restates the vote on the same subject
    groups: dict[str, list[etree._Element]] = {}
    for event in meta.events:
        subject = _ref(event.get("refersTo")) or _ref(event.get("href")) or ""
        groups.setdefault(subject, []).append(event)
    tallies: dict[int, _Tally] = {}
    for subject, events in groups.items():
        index = None
        for event in events:
            index = _enclosing(ids.get(_ref(event.get("href")) or ""), items)
            if index is not None:
                break
        if index is None:
            index = _enclosing(ids.get(subject), items)
        if index is None:
            continue
        tally = tallies.setdefault(index, _Tally())
        for event in events:
            for count in counts[event]:
                ref, value = _count_value(count, ids)
                category = _vote_category(ref, meta)
                if category and value is not None:
                    tally.counts[category] = value
            said = event.get("outcome")
            shown = meta.showas(said)
            wording = shown or (_ref(said) or None)
            if wording and (outcome := classify(wording)) is not Outcome.OTHER:
                tally.outcome, tally.outcome_text = outcome, wording
                tally.outcome_bare = not shown
    return tallies


def _said_in_words(tally: _Tally, results: list[tuple[str, Outcome, etree._Element]]) -> str | None:
    """The record's own sentence for the analysis's outcome, when the analysis names it by a
    reference only (``outcome="#vedtatt"``, no concept with a ``showAs``): an identifier is
    no wording, so the last block of the record that states the same outcome gives it
    ("Kommunestyret vedtok innstillingen med 25 mot 10 stemmer."). A concept's ``showAs``
    ("Carried", "Approvato") is the document's own wording and stays."""
    if not tally.outcome_bare:
        return None
    for at in range(len(results) - 1, -1, -1):  # by index: see the note in ``_items``
        text, outcome, _block = results[at]
        if outcome is tally.outcome:
            return text
    return None


def _normalized_text(block: etree._Element) -> str:
    """The text of ``block`` with each ``quantity`` written as its normalized number."""
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        if isinstance(el.tag, str) and _name(el) == "quantity" and _int(el.get("normalized")):
            parts.append(f" {el.get('normalized')} ")
            return
        parts.append(el.text or "" if isinstance(el.tag, str) else "")
        for child in el:
            walk(child)
            parts.append(child.tail or "")

    walk(block)
    return clean("".join(parts)) or ""


def _quantity_votes(quantities: Iterable[etree._Element], meta: _Meta) -> Votes | None:
    counts: dict[str, int] = {}
    for quantity in quantities:
        category = _vote_category(quantity.get("refersTo"), meta)
        value = _int(quantity.get("normalized")) or _int(element_text(quantity))
        if category and value is not None:
            counts.setdefault(category, value)
    if not counts:
        return None
    return Votes(
        yes=counts.get("yes"),
        no=counts.get("no"),
        abstain=counts.get("abstain"),
        absent=counts.get("absent"),
    )


# --- assembling the protocol -----------------------------------------------------------------


def _asides(
    body: etree._Element, sections: list[etree._Element]
) -> dict[etree._Element, list[etree._Element]]:
    """Each of ``sections`` (top sections below ``body``, none inside another) → what
    ``section.iter(*_ASIDE_TAGS)`` gives, in one pass over the body instead of one per section
    (lxml builds its tag matcher anew for every ``iter``): each aside goes to the section
    above it, found from its parents, in document order."""
    tops = set(sections)
    found: dict[etree._Element, list[etree._Element]] = {}
    for el in body.iter(*_ASIDE_TAGS):
        up = el.getparent()
        while up is not None and up is not body:
            if up in tops:
                found.setdefault(up, []).append(el)
                break
            up = up.getparent()
    return found


def _note_text(doc: etree._Element, ref: etree._Element, notes: dict[str, etree._Element]) -> str:
    """The text of the note a ``noteRef`` points to (by ``href``, "#n1"), wherever it is."""
    key = _ref(ref.get("href"))
    if not key:
        return ""
    if not notes:  # the first reference: the document's notes by id, once
        for note in doc.iter("{*}note", "{*}authorialNote"):
            if ident := _ident(note):
                notes.setdefault(ident, note)
        notes[""] = doc  # (the index is built, even for a document without a note)
    note = notes.get(key)
    return element_text(note) if note is not None else ""


def _items(
    body: etree._Element,
    sections: list[etree._Element],
    meta: _Meta,
    doc: etree._Element,
    source_id: str | None,
) -> tuple[Item, ...]:
    tallies: dict[int, _Tally] = {}
    if meta.events:
        index = {section: position for position, section in enumerate(sections)}
        tallies = _tallies(meta, doc, index)
    asides = _asides(body, sections)
    notes: dict[str, etree._Element] = {}  # note id → note, read at the first noteRef
    items: list[Item] = []
    for position, section in enumerate(sections):
        kind = _name(section)
        scan = _scan(section, kind in _PROCEDURAL)
        results = scan.results
        decision = ("\n".join([text for text, _o, _b in results]) or None) if results else None
        last_text, last_outcome = results[-1][:2] if results else (None, Outcome.OTHER)
        votes = None
        tally = tallies.get(position)
        if tally is not None:
            votes = tally.votes()
            # an explicit outcome in the analysis beats our reading of the wording; but a
            # vote that carried a recommendation to another body ("RECOMMENDED to Council",
            # "Carried") decided to recommend: the recommendation is what was decided
            carried_recommendation = (
                last_outcome is Outcome.RECOMMENDED and tally.outcome is Outcome.APPROVED
            )
            if tally.outcome and not carried_recommendation:
                last_text = _said_in_words(tally, results) or tally.outcome_text
                last_outcome = tally.outcome
        # the analysis, else the marked-up quantities, else the counts written in the text
        # (each is ``None`` or a ``Votes``, which is always true)
        if votes is None and results and (quantities := scan.quantities()):
            votes = _quantity_votes(quantities, meta)
            if votes is None:
                # quantities that name no vote concept ("favorevoli <quantity
                # normalized="14">quattordici</quantity>"): the wording around them does
                # (by index, not reversed(): mypyc 2.4 cannot compile reversed() of these)
                for at in range(len(results) - 1, -1, -1):
                    block = results[at][2]
                    if next(block.iter(*_QUANTITY_TAGS), None) is not None:
                        votes = find_votes(_normalized_text(block))
                        if votes is not None:
                            break
        if votes is None:
            votes = scan.written_votes()
        ident = section.get("eId") or section.get("id") or section.get("wId") or section.get("GUID")
        # the record's own blocks may say the item was heard in private ("Members resolved to
        # exclude the press and public"), not only its heading or result: fail closed
        # and so may its stage directions, remarks and notes, and its sub-headings
        # ("Exempt information", "Confidential – not for publication"); the heading's text
        # is the one the walk read
        said = [*scan.texts, scan.number or ""] + [
            (scan.heading or "")
            if el is scan.heading_element
            else _note_text(doc, el, notes)
            if _name(el) == "noteref"
            else f"{element_text(el)} {meta.showas(el.get('refersTo')) or ''}"
            if _name(el) == "concept"
            else element_text(el)
            for el in asides.get(section, ())
        ]
        # and the section's own classification: status="confidential", class="sekretess" (a
        # value of its own, as a label in brackets is: "(confidential)", "(closed)")
        said += [
            f"({value.strip()})"
            for attr in ("status", "class", "name")
            if (value := section.get(attr))
        ]
        # and so may the concept the section refers to ("#closedSession", "#in_camera"), by
        # its name and by what the references call it (showAs="Sekretess enligt OSL")
        if concept := section.get("refersTo"):
            said.append(_CAMEL.sub(r"\1 \2", concept).replace("_", " ").replace("-", " "))
            said += [shown for ref in concept.split() if (shown := meta.showas(ref))]
        said = [t for t in said if t]
        secret = bool(said) and has_secrecy_marker("\n".join(said))
        items.append(
            Item(
                number=scan.number or str(position + 1),
                title=scan.title() or _label(section),
                decision=decision,
                outcome=last_outcome,
                outcome_text=last_text,
                unanimous=is_unanimous(decision),
                votes=votes,
                public=not secret,
                id=(f"{source_id}#{ident}" if source_id else ident) if ident else None,
            )
        )
    return tuple(items)


def _times(
    body: etree._Element, day: date | None, tz: str, fronts: list[etree._Element]
) -> tuple[datetime | None, datetime | None]:
    """The meeting's start and end: the first recorded time (on the meeting's day), in the
    preface ("The House met at <recordedTime …>2.30 p.m.") or the body, and the first in an
    adjournment."""
    start = end = None
    elements = [el for front in fronts for el in front.iter(*_TIME_TAGS)]
    for el in itertools.chain(elements, body.iter(*_TIME_TAGS)):
        moment = _moment(el.get("time"), tz)
        if moment is None:
            continue
        in_adjournment = any(_name(a) == "adjournment" for a in el.iterancestors())
        if in_adjournment:
            if end is None:
                end = moment
        elif start is None and (day is None or moment.date() == day):
            start = moment
        if start is not None and end is not None:
            break  # both found: no later time changes either
    if start is None and day is not None:
        start, front_end = _front_times(fronts, day, tz)
        end = end or front_end
    if start is not None and end is not None and end <= start:
        # the Kenyan sample records "2.07 p.m." as 02:07: an end before the start is a typo
        end = None
    return start, end


def _front_times(
    fronts: list[etree._Element], day: date, tz: str
) -> tuple[datetime | None, datetime | None]:
    """Without a recorded time, the start as the front matter gives it: a ``time`` element
    ("at <time time="19:00:00+01:00">7.00 pm</time>"), else the clock times written in the
    paragraph that dates the meeting ("<docDate …>9.9.2024</docDate> kl. 18.00–20.40",
    "aanvang 19.30 uur")."""
    for front in fronts:
        for el in front.iter("{*}time"):
            value = (el.get("time") or "").strip()
            moment = _moment(value, tz) if "T" in value else _clock(day, value, tz)
            if moment is not None and moment.date() == day:
                return moment, None
    for front in fronts:
        for dated in front.iter("{*}docDate"):
            holder = dated.getparent()
            if holder is None:
                continue
            # (the date's own text left out: "9.9.2024" is no clock time)
            first, last = find_time_range(element_text(holder).replace(element_text(dated), " "))
            if first is not None:
                end = local(day, last, tz) if last is not None else None
                return local(day, first, tz), end
    return None, None


def _clock(day: date, value: str, tz: str) -> datetime | None:
    """A time of day ("19:00:00+01:00", "19:00") on ``day``: in its own offset, else local."""
    try:
        clock = time.fromisoformat(value)
    except ValueError:
        return None
    if clock.tzinfo is not None:
        return datetime.combine(day, clock)
    return local(day, clock, tz)


def _body(front: dict[str, etree._Element], meta: _Meta, options: ExtractOptions) -> Body:
    author = meta.work.get("author")
    author_ref = author.get("href") if author is not None else None
    proponent = front.get("docproponent")
    name = None
    body_id = None
    if proponent is not None:
        ref = proponent.get("refersTo")
        name = meta.showas(ref) or element_text(proponent) or None
        body_id = meta.tlc_href(ref)
    if name is None and author_ref:
        name = meta.showas(author_ref, "tlcorganization")
    if body_id is None and author_ref:
        # FRBRauthor names the author (an organisation, by TLC id or by URI)
        if author_ref.startswith("#"):
            if meta.showas(author_ref, "tlcorganization") is not None:
                body_id = meta.tlc_href(author_ref)
        else:
            body_id = author_ref
    if name is None:
        name = next(
            (clean(el.get("showAs")) for el in meta.tlc.values() if _name(el) == "tlcorganization"),
            None,
        )
    name = name or options.body
    if not name:
        raise MalformedDocument(
            "Akoma Ntoso document names no body (docProponent, FRBRauthor); set the source's body"
        )
    return Body(name=name, id=body_id)


def _status(front: dict[str, etree._Element], meta: _Meta) -> Status:
    said = []
    if (status := front.get("docstatus")) is not None:
        said.append(element_text(status))
    if meta.publication is not None:
        said += [meta.publication.get("name") or "", meta.publication.get("showAs") or ""]
    return Status.DRAFT if any(_is_draft(text) for text in said) else Status.APPROVED


# Speed only, same answers: every branch of ``_DRAFT`` starts with one of these words, so a
# text holding none of them once case-folded as ``re.IGNORECASE`` folds cannot match it.
_DRAFT_HINTS = outcomes._hints(_DRAFT.pattern)
_DRAFT_WORDS = WordSet(_DRAFT_HINTS) if _DRAFT_HINTS else None


def _is_draft(text: str) -> bool:
    if _DRAFT_WORDS is not None and not _DRAFT_WORDS.search(text):
        return False
    return _DRAFT.search(text) is not None


def extract(data: bytes, options: ExtractOptions) -> Protocol:
    root = parse_xml(data, options.max_bytes)
    if _name(root) != "akomantoso":
        raise MalformedDocument(f"not an Akoma Ntoso document (root <{_name(root) or '?'}>)")
    doc = next((c for c in root if isinstance(c.tag, str)), None)
    if doc is None:
        raise MalformedDocument("Akoma Ntoso document without a document element")
    # the document element's children, each named once
    parts = [(_name(c), c) for c in doc if isinstance(c.tag, str)]
    meta = _read_meta(next((c for name, c in parts if name == "meta"), None))
    fronts = [c for name, c in parts if name in ("preface", "coverpage")]
    front = _front(doc, fronts)

    work_uri = meta.work.get("uri")
    work_this = meta.work.get("this")
    source_id = clean(
        (work_uri.get("value") if work_uri is not None else None)
        or (work_this.get("value") if work_this is not None else None)
    )

    day = None
    if (doc_date := front.get("docdate")) is not None:
        day = _iso_date(doc_date.get("date")) or find_date(element_text(doc_date))
    if day is None and (work_date := meta.work.get("date")) is not None:
        day = _iso_date(work_date.get("date"))

    body_el = _body_container(doc, parts)
    start, end = _times(body_el, day, options.timezone, fronts)
    if day is None and start is not None:
        day = start.date()  # the wall-clock date where it was recorded

    status = _status(front, meta)
    approved_at = posted_at = None
    if status is Status.APPROVED:
        expression_date = meta.expression.get("date")
        # (not the date of a draft version: FRBRdate name="concept", "draft", "Entwurf")
        if expression_date is not None and not _is_draft(expression_date.get("name") or ""):
            approved_at = _iso_date(expression_date.get("date"))
        if meta.publication is not None:
            posted_at = _iso_date(meta.publication.get("date"))
        if day is not None:
            approved_at = approved_at if approved_at and approved_at >= day else None
            posted_at = posted_at if posted_at and posted_at >= day else None

    language_el = meta.expression.get("language")
    language = None
    if language_el is not None:
        language = _language(
            language_el.get("language") or language_el.get("code") or language_el.get("value")
        )
    language = (
        language
        or _language(doc.get("{http://www.w3.org/XML/1998/namespace}lang"))
        or options.language
    )

    title = front.get("doctitle")
    location = front.get("location")
    return Protocol(
        format=FORMAT,
        body=_body(front, meta, options),
        meeting=Meeting(
            title=element_text(title) or None if title is not None else None,
            date=day,
            start=start,
            end=end,
            location=element_text(location) or None if location is not None else None,
            id=source_id,
            # "The meeting was held in camera" in the preface: every item is confidential
            closed=any(has_secrecy_marker(element_text(c)) for c in fronts),
        ),
        protocol=ProtocolState(status=status, approved_at=approved_at, posted_at=posted_at),
        items=_items(body_el, _top_sections(body_el), meta, doc, source_id),
        language=language,
        source_id=source_id,
    )
