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
the header's source date; the start is the ``setting/date`` when it gives a clock time. The
body is the parliament's ``orgName``, else the setting's ``name type="org"``, else the
publisher. A ``revisionDesc`` change whose status says the record was signed ("justerat",
"approved") gives ``approved_at``; one saying it was posted ("anslaget") ``posted_at``, else
the ``publicationStmt`` date. ``source_id`` is the TEI ``xml:id`` (the record's identifier, stable
across corrected re-releases). A published parliamentary record is the official, checked
record, so it is ``approved`` unless it calls itself preliminary (the Riksdag's
"snabbprotokoll", a draft ``revisionDesc`` status). The record carries no approval date; the
publication delay then counts from the next anchor the lifecycle knows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from lxml import etree

from publisher.errors import MalformedDocument
from publisher.extract import ExtractOptions
from publisher.extract.dates import find_date, parse_iso_datetime
from publisher.extract.outcomes import classify, is_unanimous
from publisher.extract.parsing import clean, element_text, local_name, parse_xml, raw_text
from publisher.extract.votecounts import find_votes
from publisher.model import Body, Item, Link, Meeting, Outcome, Protocol, ProtocolState, Status
from publisher.privacy import SECRECY_WORDS, has_secrecy_marker
from publisher.text import WordSet, fold

FORMAT = "tei"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# "§ 12 Title", "$ 1 2 Title" (OCR), "§12. Title", "S 3 Title" only when followed by a capital
_PARAGRAPH = re.compile(
    r"^\s*(?:§|\$|S(?=\s*\d+\s+[A-ZÅÄÖ]))\s*(\d+(?:\s\d(?!\d))*)\s*[.:]?\s*(.*)$", re.S
)
# OCR reads a one as "l" or "I" and a nought as "O": "§ l Justering", "§ 1O Val" (after "§"
# only, and only before a capitalised title, as the Riksdag prints its headings)
_OCR_PARAGRAPH = re.compile(r"^\s*(?:§|\$)\s*(\d*[lI]\d*|\d+[O]\d*)(?=\s+[A-ZÅÄÖ])")
_OCR_DIGITS = str.maketrans("lIO", "110")
# What the chamber (or its Speaker) did, after the subject in _DECISION's first alternative.
# The subject as OCR reads it too: "m" as "rn" ("Kamrnaren avslog motionen").
_VERBS = (
    r"\b(?:biföll|bifaller|avslog|avslår|beslutade|beslöt|godkände|godkänner|antog|medgav"
    r"|förklarade|återförvisade|återförvisas|bordlade|bordlades|hänvisade|valde"
    r"|lade\s+\w*\s*till\s+handlingarna)\b"
)
# Sentences that state what the chamber decided, as opposed to what was announced or said.
_DECISION = re.compile(
    r"(?:(?:\b(?:förste|andre|tredje)\s+vice\s+)?\b(?:ka(?:m|rn)(?:m|rn)aren|riksdagen|talmannen"
    r"|talman)\b"
    r"[^.]{0,60}?" + _VERBS + r"|\bförklarade\s+(?:\w+\s+){0,8}?valda?\b"
    r"|\bärendet\s+(?:bordlades|återremitterades|avgjordes)\b"
    r"|\bföredrogs\s+och\s+bordlades\b"
    r"|\b(?:the\s+(?:house|chamber|assembly)\s+(?:agreed|adopted|approved|rejected|elected))\b"
    r"|\b(?:protokollet\b[^.]{0,40}\bjusterades)\b)[^.]*\.?",
    re.IGNORECASE,
)
_PRELIMINARY = re.compile(r"snabbprotokoll|preliminär|preliminary|provisional|draft", re.I)
# every match of _PRELIMINARY, case-folded, contains one of these (see ``_preliminary``)
_PRELIMINARY_WORDS = ("snabbprotokoll", "prelimin", "provisional", "draft")
_VOTE_CONTEXT = re.compile(
    r"votering|omröstning|röstade|ja-röster|\bdivi(?:sion|ded)\b|\bvoting\b|\bayes\b"
    r"|stimme|\bvot(?:anti|i|os|es)\b|favorevoli",
    re.I,
)
# Speed only: every match of _DECISION starts with one of these words (see ``_decision``).
# The subjects open only _DECISION's first alternative.
_SUBJECT_WORDS = (
    "förste", "andre", "tredje", "kammaren", "kamrnaren", "karnmaren", "karnrnaren",
    "riksdagen", "talman",
)  # fmt: skip
_DECISION_WORDS = (*_SUBJECT_WORDS, "förklarade", "ärendet", "the", "protokollet", "föredrogs")
_SUBJECTS = frozenset(_SUBJECT_WORDS)
# Every match of _VERBS contains one of these, lower case ("bif" for "biföll" and "bifaller",
# "avsl", "besl", "godkän" likewise, "handlingarna" for "lade … till handlingarna"). The second
# alternative needs one too: "förklarade".
_VERB_WORDS = (
    "bif", "avsl", "besl", "godkän", "antog", "medgav", "förklarade", "återförvisa",
    "bordlade", "hänvisade", "valde", "handlingarna",
)  # fmt: skip
# The first words of the other alternatives
_OTHER_STARTS = ("ärendet", "the", "protokollet", "föredrogs")
_BOUNDARY = re.compile(r"\b")
# Speed only: every match of _VOTE_CONTEXT contains one of these ("vot" for votering, voting
# and votanti, "röst" for omröstning, röstade and ja-röster), so does its case-folded text.
_VOTE_WORDS = ("röst", "vot", "divi", "ayes", "stimme", "favorevoli")
# Which of the words above a section's text holds (``word in fold(text)``), all in one pass of
# the C scanner instead of a substring search of the folded text for each; and privacy's
# secrecy gate words, so that the record's secrecy check costs no second pass when it
# holds none (see ``_item``)
_WORDS = WordSet((*_DECISION_WORDS, *_VERB_WORDS, *_VOTE_WORDS, *SECRECY_WORDS))
_SECRECY_SET = frozenset(SECRECY_WORDS)
_VOTE_SET = frozenset(_VOTE_WORDS)
_RIKSDAG = re.compile(r"riksdag|swedish parliament|^prot-\d", re.I)
# every match of _RIKSDAG, case-folded, holds one of these, or starts with the last
_RIKSDAG_WORDS = ("riksdag", "swedish parliament", "prot-")
_SPLIT_DIGITS = re.compile(r"(?<=\d) (?=\d)")
# a count on a line of its own, below a "Votering:" note: a number and a few words
_TALLY_LINE = re.compile(r"\d{1,4}\s+[^\W\d].{0,60}$")


@dataclass(slots=True)
class _Section:
    number: str
    title: str | None
    ident: str | None
    #: the record's own text, not speeches: each element's text as it stands (``raw_text``),
    #: cleaned once for the whole section by ``_record_text``
    record: list[str] = field(default_factory=list)
    #: read for secrecy only: a further head of the section ("Sekretess"), its ``ana``
    #: classes ("#sekretess")
    hidden: list[str] = field(default_factory=list)


def _text(el: etree._Element) -> str:
    return element_text(el)  # already cleaned (clean is idempotent)


def _heading(text: str) -> tuple[str, str | None] | None:
    if (ocr := _OCR_PARAGRAPH.match(text)) is not None:
        text = "§ " + ocr.group(1).translate(_OCR_DIGITS) + text[ocr.end() :]
    match = _PARAGRAPH.match(text)
    if match is None:
        return None
    number = match.group(1)
    if " " in number:  # (``_SPLIT_DIGITS`` removes spaces, and only those)
        number = _SPLIT_DIGITS.sub("", number)
    return f"§ {number}", clean(match.group(2)) or None


def _is_speech(el: etree._Element) -> bool:
    """An utterance of a known speaker; the chair's (ParlaMint ``ana="#chair"``) is the
    record's own voice: "Question declared carried.", "Lovforslaget er vedtaget."."""
    who = (el.get("who") or "").strip().lower()
    if not who or who in ("unknown", "#unknown"):
        return False
    return "#chair" not in (el.get("ana") or "").lower().split()


# in any namespace or none; "desc" of an incident ("The Seanad went into private session."),
# a stage direction ("The Committee deliberated in private.")
_RECORD_TAGS = (
    "{*}note", "{*}head", "{*}p", "{*}ab", "{*}u", "{*}div", "{*}desc", "{*}stage", "{*}gap",
)  # fmt: skip


def _leave_out(speech: etree._Element, skip: set[etree._Element]) -> None:
    """Add ``speech`` to ``skip``, and below it every record-level element whose parent is in
    ``skip`` (its parent comes first in document order): what the walk leaves out."""
    skip.add(speech)
    if len(speech):
        for el in speech.iterdescendants(*_RECORD_TAGS):
            if el.getparent() in skip:
                skip.add(el)


def _sections(body: etree._Element) -> list[_Section]:
    """Record-level elements in document order: headings, notes, paragraphs, unattributed
    utterances; ``div`` sections of ParlaMint."""
    sections: list[_Section] = []
    current: _Section | None = None
    # Left out: every speech (``u`` with a known speaker), and every record-level element
    # whose parent is left out. A speech's part of that is added when the walk meets it,
    # before its descendants (which come after it): the walk skips exactly the elements
    # whose parent is a speech or skipped, without asking every element for its parent.
    skip: set[etree._Element] = set()
    for el in body.iter(*_RECORD_TAGS):
        if skip and el in skip:
            # a note inside a speech is the transcriber's, no part of it: read for secrecy
            if current is not None and el.tag[-4:] == "note":  # (a str: see below)
                current.hidden.append(raw_text(el))
            continue
        tag = el.tag  # always a str: a tag-filtered iteration yields elements only
        name = tag[tag.rfind("}") + 1 :]  # local_name(el)
        if name == "div":
            # the attribute first: most divs are no debate section, and then their children
            # need not be searched for a head
            if (el.get("type") or "").lower() == "debatesection":
                head = next(el.iterchildren("{*}head"), None)
                if head is not None:
                    text = _text(head)
                    parsed = _heading(text)
                    number, title = parsed or (str(len(sections) + 1), text or None)
                    current = _Section(number, title, el.get(XML_ID))
                    if ana := el.get("ana"):
                        current.hidden.append(ana.replace("#", " ").replace("_", " "))
                    sections.append(current)
                    # The head has named this section: met again by the walk, a "§ 58" head
                    # would open a second one, with the record, and leave this one empty,
                    # public though the record says it was heard behind closed doors.
                    skip.add(head)
            continue
        if name == "gap":  # text left out, and why: <gap reason="sekretess"/>
            if current is not None:
                current.hidden += [v for a in ("reason", "desc") if (v := el.get(a))]
            continue
        if name == "u" and _is_speech(el):
            _leave_out(el, skip)
            continue
        kind = el.get("type")
        is_title = name == "head" or (kind is not None and kind.lower() == "title")
        if not is_title and current is not None:
            # Record text: only a title, or a note before any section, may open a section
            # (any other element's heading would go unused). The text is kept as it stands:
            # ``_record_text`` cleans the section's record at once, dropping a blank text
            # just as cleaning it here would have done.
            current.record.append(raw_text(el))
            continue
        if current is None and not is_title and name != "note":
            continue  # cannot open a section, and there is none to add it to
        raw = raw_text(el)
        cleaned = clean(raw)
        if not cleaned:
            continue
        parsed = _heading(cleaned)
        if parsed is not None:
            current = _Section(parsed[0], parsed[1], el.get(XML_ID) or _div_id(el))
            sections.append(current)
        elif current is not None:
            if name != "head":
                current.record.append(raw)
            else:  # (a ParlaMint head named its section; another is read for secrecy)
                current.hidden.append(raw)
    return sections


def _record_text(record: list[str]) -> str:
    """``" ".join(t for t in (clean(r) for r in record) if t)``, in one call of ``clean``.

    ``clean`` does the same to the joined text as to its parts: its steps work character by
    character (soft hyphens removed, control characters made spaces), on whitespace-separated
    words (collapsing whitespace: a blank part adds no word), or are NFC, which the joining
    space leaves as it is on both sides (it composes with nothing, before or after, and
    stops the reordering of combining marks)."""
    return clean(" ".join(record)) or ""


def _div_id(el: etree._Element) -> str | None:
    parent = el.getparent()
    return parent.get(XML_ID) if parent is not None and local_name(parent) == "div" else None


def _decision(text: str, folded: str, words: frozenset[str]) -> str | None:
    """The decision sentences of a section's record ``text`` (``folded``: ``fold(text)``;
    ``words``: the words of ``_WORDS`` it holds, ``_WORDS.found(text)``)."""
    # As ``_DECISION.finditer(text)``, but the expression is only tried where one of its
    # first words starts at a word boundary (it fails everywhere else), and those places are
    # found by substring searches in ``folded`` (a regular expression takes several times
    # longer to step through the text), at the very same positions: ``fold`` maps every
    # character to exactly one (``str.lower`` does so but for "İ", which ``fold`` maps to
    # "i" first) and to a word character (``\w``) exactly when it is one, so ``\b`` holds at
    # the same places; and every character that matches a letter of these words under
    # ``re.IGNORECASE`` ("S", "ſ", "K", "Å", "ı", …) folds to that very letter. (All pinned
    # by a test.) So wherever a word or verb matches in ``text``, it is in ``folded``.
    #
    # The first two alternatives need a verb; without one only the others can match, and
    # their first words are all that is looked for. (Which words and verbs occur at all,
    # ``words``, is known from one scan: only those are searched for.)
    verbs = [verb for verb in _VERB_WORDS if verb in words]
    starts: list[tuple[int, str]] = []
    for word in _DECISION_WORDS if verbs else _OTHER_STARTS:
        at = folded.find(word) if word in words else -1
        while at >= 0:
            starts.append((at, word))
            at = folded.find(word, at + 1)
    if not starts:
        return None
    # No word is a prefix of another, nor equal to one case-insensitively: one word a place.
    starts.sort()
    # Where that word is a subject ("tredje", "kammaren", …) only the first alternative can
    # match (no other alternative starts with one of those words, not even
    # case-insensitively), and only with ``_VERBS`` after the subject and no "." in between
    # (the prefix, the subject, ``\s``, ``[^.]`` and ``_VERBS`` match no "."), so with one
    # of ``verbs`` in ``folded`` before that ".". Without one the match would fail, so it is
    # not tried: trying costs the expression fifteen case-insensitive verbs at each of the
    # next 60 positions, and most subjects ("Tredje vice talmannen anmälde …") announce
    # rather than decide. A later subject before the same "." has no verb after it either.
    verbless = -1  # no verb follows a subject before this "." (before it)
    found: list[str] = []
    pos = 0
    for at, word in starts:
        # a search from ``pos`` finds the first place at or after it with a word boundary
        if at < pos or _BOUNDARY.match(folded, at) is None:
            continue
        if word in _SUBJECTS:
            if at < verbless:
                continue
            stop = text.find(".", at)
            if stop < 0:
                stop = len(text)
            for verb in verbs:
                if folded.find(verb, at, stop) >= 0:
                    break
            else:
                verbless = stop
                continue
        match = _DECISION.match(text, at)
        if match is None:
            continue
        found.append(match.group(0).strip())
        pos = match.end()
    return " ".join(found) if found else None


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _stated_result(record: list[str]) -> str | None:
    for raw in record:
        text = clean(raw)
        if not text:
            continue
        for sentence in _SENTENCE_END.split(text):
            if classify(sentence) is not Outcome.OTHER:
                return sentence
    return None


def _vote_context(record: list[str]) -> str:
    """The parts of a record that speak of a vote, joined: each that names one
    (``_VOTE_CONTEXT``), and the tally lines right after it. The Riksdag prints a votering as
    a "Votering:" note followed by one note per count ("281 för utskottet", "43 för res. 1",
    "25 frånvarande"), which name no vote themselves."""
    parts: list[str] = []
    tally = False
    for raw in record:
        text = clean(raw)
        if not text:
            continue
        if _VOTE_CONTEXT.search(text):
            parts.append(text)
            tally = True
        elif tally and _TALLY_LINE.match(text):
            parts.append(text)
        else:
            tally = False
    return " ".join(parts)


def _item(section: _Section, source_id: str | None, stated_results: bool) -> Item:
    text = _record_text(section.record)
    found = _WORDS.found(text)
    decision = _decision(text, fold(text), found) if found else None
    if decision is None and stated_results and text and classify(text) is not Outcome.OTHER:
        # Not a Riksdag record, whose own wording _DECISION knows: the record's first
        # sentence that states a result
        # ("Der Antrag ist abgelehnt.", "Question accordingly agreed to.", "L'Assemblea
        # approva."). The record is the chamber's own voice; speeches are not in it. (When
        # no rule matches the whole record, none matches one of its sentences: one call
        # instead of one per sentence for the many sections that only announce.)
        decision = _stated_result(section.record)
    outcome = classify(decision) if decision else Outcome.OTHER
    context = ""
    if not found.isdisjoint(_VOTE_SET):
        context = _vote_context(section.record)
    ident = section.ident
    return Item(
        number=section.number,
        title=section.title,
        decision=decision,
        outcome=outcome,
        outcome_text=decision,
        unanimous=is_unanimous(decision),
        votes=find_votes(context) if context else None,
        # the record itself may say the item was heard in private ("The Seanad went into
        # private session.", "for lukkede døre"): fail closed. (Speed only: the check reads
        # the text as it is, a cleaned text having no line break to join, and finds nothing
        # without one of SECRECY_WORDS in it, which ``found`` tells.)
        public=(found.isdisjoint(_SECRECY_SET) or not has_secrecy_marker(text))
        and not (section.hidden and has_secrecy_marker(*section.hidden)),
        id=(f"{source_id}#{ident}" if source_id else ident) if ident else None,
    )


# The header and front matter are read from one pass over the document in C (lxml's tag
# filter; "{*}name" is the local name in any namespace or none), instead of one XPath scan of
# the whole tree per field. Each lookup below keeps the meaning of the XPath expression it
# replaced (quoted beside it): ``//`` searches the whole document (of a teiCorpus, too), and
# results come in document order.
# Only the names looked up below; the ancestors and parents they are looked up under are
# found from each candidate (``iterancestors``, ``getparent``), not indexed.
_INDEX_NAMES = (
    "docDate", "date", "title", "name", "orgName", "publisher", "revisionDesc", "change", "pb",
)  # fmt: skip
_INDEX_TAGS = tuple("{*}" + name for name in _INDEX_NAMES)


def _local(tag: str) -> str:
    """``local_name`` of an element's tag (a str: "{namespace}name" or "name")."""
    return tag[tag.rfind("}") + 1 :]


class _Index:
    def __init__(self, root: etree._Element) -> None:
        found: dict[str, list[etree._Element]] = {}
        for el in root.getroottree().getroot().iter(*_INDEX_TAGS):
            name = _local(el.tag)  # a tag-filtered iteration yields elements only
            same = found.get(name)
            if same is None:
                found[name] = [el]
            else:
                same.append(el)
        self._found = found

    def all(self, name: str) -> list[etree._Element]:
        """``//*[local-name()=name]``"""
        return self._found.get(name, [])

    def first_below(self, ancestor: str, name: str) -> etree._Element | None:
        """``(//*[local-name()=ancestor]//*[local-name()=name])[1]``"""
        tag = "{*}" + ancestor
        for el in self.all(name):
            for _up in el.iterancestors(tag):
                return el
        return None

    def children(self, parent: str, name: str) -> list[etree._Element]:
        """``//*[local-name()=parent]/*[local-name()=name]``"""
        return [
            el
            for el in self.all(name)
            if (up := el.getparent()) is not None and _local(up.tag) == parent
        ]


def _date(index: _Index) -> date | None:
    for ancestor, name in (
        ("front", "docDate"),
        ("settingDesc", "date"),
        ("sourceDesc", "date"),
        ("text", "docDate"),
    ):
        el = index.first_below(ancestor, name)
        if el is not None:
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
    # (a name of type "org" names who met, not where: the body)
    names = [n for n in index.children("setting", "name") if not _is_org(n)]
    return ", ".join(t for t in (_text(n) for n in names) if t) or None


def _is_org(name: etree._Element) -> bool:
    return (name.get("type") or "").lower() in ("org", "organisation", "organization")


def _start(index: _Index, timezone: str) -> datetime | None:
    """The setting's date when it gives the clock time too ("2024-06-17T18:30:00+02:00")."""
    for el in index.children("setting", "date"):
        when = (el.get("when") or "").strip()
        if "T" in when:
            return parse_iso_datetime(when, timezone)
    return None


# A revisionDesc ``change`` whose status says the record was signed or posted:
# <change when="2024-06-21" status="justerat">, <change when="…" status="anslaget">
_APPROVED_CHANGE = re.compile(
    r"justera|approv|adopt|confirm|signed|genehmigt|vastgesteld|godkän", re.IGNORECASE
)
_POSTED_CHANGE = re.compile(r"anslag|posted|kundgemacht|bekanntgemacht", re.IGNORECASE)


def _changed(index: _Index, status: re.Pattern[str], day: date | None) -> date | None:
    for change in index.children("revisionDesc", "change"):
        if status.search(change.get("status") or ""):
            when = find_date(change.get("when") or "")
            if when is not None and (day is None or when >= day):
                return when
    return None


def _published(index: _Index, day: date | None) -> date | None:
    posted = _changed(index, _POSTED_CHANGE, day)
    if posted is not None:
        return posted
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
        and _local(org.tag) == "org"
        and org.get("role") == "parliament"
    ]
    if names:
        preferred = [n for n in names if n.get(XML_LANG) == lang] or names
        return Body(name=_text(preferred[0]))
    if _is_riksdag(title or "") or _is_riksdag(source_id or ""):
        return Body(name="Riksdagen", id="riksdagen")
    # the setting names who met (<name type="org">Kommunfullmäktige</name>): the publisher
    # is only who made the text (a records office, a corpus team)
    for name in index.children("setting", "name"):
        if _is_org(name) and (text := _text(name)):
            return Body(name=text)
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
    return Status.DRAFT if any(_preliminary(s) for s in said) else Status.APPROVED


def _is_riksdag(text: str) -> bool:
    """``_RIKSDAG.search(text) is not None``, tried only when ``fold(text)`` holds
    "riksdag" or "swedish parliament" or starts with "prot-" (a match there is one in
    ``fold(text)``: see ``_decision``). Most records of other parliaments hold none, and the
    expression would try its three alternatives at each of their characters."""
    folded = fold(text)
    if "riksdag" in folded or "swedish parliament" in folded or folded.startswith("prot-"):
        return _RIKSDAG.search(text) is not None
    return False


def _preliminary(text: str) -> bool:
    """``_PRELIMINARY.search(text)``, tried only when ``fold(text)`` has one of its words
    (a match there is one in ``fold(text)``: see ``_decision``)."""
    folded = fold(text)
    for word in _PRELIMINARY_WORDS:
        if word in folded:
            return _PRELIMINARY.search(text) is not None
    return False


def _facsimile(index: _Index) -> tuple[Link, ...]:
    # //*[local-name()='pb']/@facs
    pages = [facs for pb in index.all("pb") if (facs := pb.get("facs")) is not None]
    urls = dict.fromkeys(p.split("#", 1)[0] for p in pages if p.startswith("http"))
    media = "application/pdf"
    return tuple(Link(url=u, title="Protokoll (faksimil)", media_type=media) for u in urls)


def extract(data: bytes, options: ExtractOptions) -> Protocol:
    root = parse_xml(data, options.max_bytes)
    if local_name(root).lower() == "teicorpus":
        first = next(root.iterchildren("{*}TEI"), None)
        if first is None:
            raise MalformedDocument("teiCorpus without a TEI record")
        root = first
    if local_name(root) != "TEI":
        raise MalformedDocument(f"not a TEI record (root element <{local_name(root)}>)")
    # ./*[local-name()='text']/*[local-name()='body'] (of any text child), and the first text
    texts = list(root.iterchildren("{*}text"))
    body = next(
        (b for t in texts if (b := next(t.iterchildren("{*}body"), None)) is not None), None
    )
    text_el = texts[0] if texts else None
    if body is None:
        raise MalformedDocument("TEI record without text/body")
    index = _Index(root)
    source_id = root.get(XML_ID) or None
    title = _title(index)
    lang = root.get(XML_LANG) or (text_el.get(XML_LANG) if text_el is not None else None)
    riksdag = _is_riksdag(f"{title or ''} {source_id or ''}")
    if lang is None and riksdag:
        lang = "sv"
    day = _date(index)
    start = _start(index, options.timezone)
    if start is not None and day is None:
        day = start.date()
    elif start is not None and start.date() != day:
        start = None  # the setting's clock time belongs to another day than the sitting's
    chamber = Body(name=options.body) if options.body else _body(index, title, source_id, lang)
    status = _status(index, title)
    approved_at = _changed(index, _APPROVED_CHANGE, day) if status is Status.APPROVED else None
    return Protocol(
        format=FORMAT,
        body=chamber,
        meeting=Meeting(
            title=title, date=day, start=start, location=_location(index), id=source_id
        ),
        protocol=ProtocolState(
            status=status, approved_at=approved_at, posted_at=_published(index, day)
        ),
        items=tuple(_item(s, source_id, not riksdag) for s in _sections(body)),
        links=_facsimile(index),
        language=options.language or lang,
        source_id=source_id,
    )
