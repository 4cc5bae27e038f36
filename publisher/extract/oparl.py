"""OParl 1.0/1.1 ``Meeting`` objects (German council information systems) → ``Protocol``.

A Meeting carries its agenda items embedded (``agendaItem``), each with a short ``result``
phrase from the vendor's list ("einstimmig beschlossen", "Kenntnisnahme", "vertagt") and
sometimes a ``resolutionText``. Files (invitation, minutes, attachments) are embedded File
objects or, from OParl 1.0 servers, bare URLs.

Decisions this module makes, and why:

* **Approval** = the meeting has a ``resultsProtocol``. OParl has no "minutes signed" flag;
  the results protocol is attached once the minutes are released, so its presence is the
  signal. Without one the protocol is ``draft``: stored and re-polled, never published. An
  extractor has no clock, so a future meeting (its agenda) and a past one whose minutes are
  not out yet are both drafts, which is what both need. ``meetingState`` is free text whose
  values differ between vendors (OParl/spec#279), so it never approves anything.
* ``approved_at`` is the results protocol File's ``date``, dropped when it lies before the
  meeting: minutes cannot be signed before the meeting (the spec's own example has one).
* A **cancelled** meeting (``cancelled: true``) is a draft even with a results protocol:
  there are no decisions of a meeting that did not take place. Its agenda is kept.
* A ``deleted`` Meeting is a tombstone: the source layer retracts it (``gone``); handed to the
  extractor it is a ``MalformedDocument``.
* **Body**: ``options.body`` (the operator's word) wins; then an embedded Organization's name;
  then the name derived from the meeting name ("4. Sitzung des Finanzausschusses" →
  "Finanzausschuss", "Ortschaftsrat Durlach (öffentlich/nicht öffentlich)" → "Ortschaftsrat
  Durlach"). ``Body.id`` is the first organization URL.
* ``public`` is fail-closed: only an explicit true (or an absent key) makes an item public.
* Outcome comes from ``result``; when an item has no ``result`` but a ``resolutionText``, from
  that text. "erledigt" (dealt with, no resolution of its own: a swearing-in, a motion the
  administration answered) maps to ``noted``: nothing was approved or rejected, the body took
  the matter as settled.
* Language is ``options.language`` or German: OParl has no language field and is a German
  standard.
"""

from __future__ import annotations

import dataclasses
import html
import re
from datetime import date, datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any
from unicodedata import is_normalized
from urllib.parse import urljoin

from publisher.errors import MalformedDocument
from publisher.extract import ExtractOptions
from publisher.extract.dates import parse_iso_datetime, zone
from publisher.extract.outcomes import classify, is_unanimous
from publisher.extract.parsing import clean, clean_block, parse_json
from publisher.extract.votecounts import find_votes
from publisher.model import (
    Body,
    Item,
    Link,
    Meeting,
    Outcome,
    People,
    Person,
    Protocol,
    ProtocolState,
    Status,
    Votes,
)
from publisher.privacy import has_secrecy_marker
from publisher.text import fold

FORMAT = "oparl"

_TAG = re.compile(r"<[A-Za-z/!][^<>]*>")
_BLOCK_TAG = re.compile(r"<(?:br|/p|/div|/li|/h\d|/tr)\b[^<>]*>", re.IGNORECASE)

# --- body names from meeting names ----------------------------------------------------------
_STATE_WORDS = (
    r"(?:öffentliche|nicht\s?öffentliche|nicht-öffentliche|gemeinsame|konstituierende"
    r"|außerordentliche|ordentliche|feierliche|\d+\.)"
)
# "(öffentlich/nicht öffentlich)", "(Sondersitzung)", "(12.02.2025)"; "(Ausschuss II)" stays
_NOISE_PAREN = re.compile(r"\s*\((?=[^()]*(?:öffentlich|sitzung|\d{1,2}\.\d))[^()]*\)", re.I)
_DATE_TAIL_AS_READ = (
    r"[\s,\-–—]*(?:\b(?:am|vom)\s+)?(?:(?:mo|di|mi|do|fr|sa|so)\w*,?\s+)?"
    r"(?:\d{1,2}\.\s?\d{1,2}\.\s?(?:\d{2,4})?|\d{4}-\d{2}-\d{2}).*$"
)
# (speed only, the same matches: the lookahead admits the first character of every match of
# the expression, a separator, "am"/"vom", a weekday or the date itself, and turns down most
# positions at once instead of trying each optional part there)
_DATE_TAIL = re.compile(r"(?=[\s,\-–—amvdfs\d])" + _DATE_TAIL_AS_READ, re.I)
# Speed only: every match of ``_DATE_TAIL`` contains a date written as one of these (its two
# alternatives without their optional tails; digits, dots, dashes and ``\s`` are the same with
# and without ``re.I``). ``_DATE_TAIL`` tries its optional lead-in at every position of the
# name, many times slower than this search, which starts with a bare ``\d`` the engine skips
# to; most meeting names hold no date.
_DATE_CORE = re.compile(r"\d(?:\d?\.\s?\d{1,2}\.|\d{3}-\d{2}-\d{2})")
# The last two runs of word characters (and what surrounds them), read backwards.
_TWO_RUNS = re.compile(r"\W*\w+\W*\w+\W*")
# ("Öffentliche/Nichtöffentliche Sitzung des …": states joined by "/" too)
_SITZUNG_PREFIX = re.compile(
    rf"^(?:{_STATE_WORDS}\s*/?\s*)*\w*sitzung\s+(?P<article>des|der|im|in der|vom)\s+", re.I
)
_SITZUNG_SUFFIX = re.compile(rf"[\s,\-–—:]+(?:{_STATE_WORDS}\s*)*\w*sitzung\b.*$", re.I)
_HEADS = (
    r"ausschuss|beirat|rat|tag|senat|vorstand|gremium|präsidium|kuratorium|konvent|parlament"
    r"|komitee|kollegium|verband"
)
# the genitive of the head noun after "des": Finanzausschusses, Gemeinderates, Kreistags
_GENITIVE = re.compile(rf"^(\w*?(?:{_HEADS}))(?:es|s)$", re.I)
_COMPOUND_SITZUNG = re.compile(rf"^(\w*?(?:{_HEADS}))s?sitzung$", re.I)
_STOP_WORDS = {"für", "der", "des", "zur", "zum", "von", "vom", "im", "am", "in", "bei", "mit"}


def body_name_from_meeting(name: str) -> str | None:
    """The deciding body as named inside an OParl meeting name, in the nominative."""
    # (each expression is only run when the text holds what every match of it contains)
    text = _NOISE_PAREN.sub("", name) if "(" in name else name
    if date_core := _DATE_CORE.search(text):
        text = _without_date_tail(text, date_core.start())
    text = text.strip(" ,-–—:")
    article = None
    if prefix := _SITZUNG_PREFIX.match(text):
        article = prefix["article"].lower()
        text = text[prefix.end() :]
    else:
        text = _SITZUNG_SUFFIX.sub("", text)
    words = text.split()
    # a word (no whitespace, so ``$`` is its end) matches ``_COMPOUND_SITZUNG`` only when it
    # ends in "sitzung", ``_GENITIVE`` only when it ends in "s", both case-insensitively:
    # ``fold`` lower-cases every character ``re.IGNORECASE`` equates with an ASCII letter to
    # that letter (ſ is "s")
    if (
        len(words) == 1
        and fold(words[0][-7:]) == "sitzung"
        and (compound := _COMPOUND_SITZUNG.match(words[0]))
    ):
        words = [compound[1]]
    if article == "des":
        for index, word in enumerate(words):
            if word.lower() in _STOP_WORDS or word.endswith(","):
                break
            if fold(word[-1]) == "s" and (genitive := _GENITIVE.match(word)):
                words[index] = genitive[1]
    return clean(" ".join(words).strip(" ,-–—:"))


def _without_date_tail(text: str, first_date: int) -> str:
    """``_DATE_TAIL.sub("", text)`` for a text whose first date starts at ``first_date``.

    Without a line break ``.*$`` runs to the end, so the result is the text before the
    leftmost match, and a match starts at the first date at the latest. It starts no earlier
    than the end of the third-last run of word characters before that date: what a match
    puts before its date (separators, "am"/"vom", a weekday word) holds at most two runs of
    word characters, and a later date lies behind still more runs. So the search starts
    there instead of trying the expression's optional lead-in at every position of the name
    (``\b`` and the other lookarounds still see the characters before the start position).
    """
    if "\n" in text:
        return _DATE_TAIL.sub("", text)
    back = _TWO_RUNS.match(text[first_date - 1 :: -1]) if first_date else None
    match = _DATE_TAIL.search(text, first_date - back.end() if back else 0)
    return text[: match.start()] if match else text


# --- small typed accessors: JSON from the wild has any type anywhere -----------------------


# Some RIS servers put HTML-escaped text in JSON strings ("Schulentwicklungsplan &amp;
# Raumbedarf"): a character reference is never what the author wrote.
_CHARACTER_REFERENCE = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#\d{1,7}|#[xX][0-9A-Fa-f]{1,6});")


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        if "&" in value and _CHARACTER_REFERENCE.search(value):
            value = html.unescape(value)
        # Exactly ``clean(value)``, without its work for a text that is clean already (ids,
        # URLs, most names): a printable text holds no control character, no soft hyphen and
        # no whitespace but " " (every other whitespace character is unprintable), so with no
        # "  ", in NFC already (as ASCII always is) and in Latin-1 (no ligature, no variation
        # selector) ``clean`` would only strip it.
        if value.isprintable() and "  " not in value and (value.isascii() or _latin_nfc(value)):
            return value.strip() or None
        return clean(value)
    if isinstance(value, _NUMBERS) and not isinstance(value, bool):
        return str(value)
    return None


_NUMBERS = (int, float)  # (``int | float`` would build a union object at every call)


def _latin_nfc(value: str) -> bool:
    """Whether ``value`` is Latin-1 (German names are; a ligature or a selector is not) and
    in NFC."""
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return is_normalized("NFC", value)


def _objects(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if value is None:
        return []
    return [value]


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def _plain(text: str | None) -> str | None:
    """Decision text, also from servers that put HTML into ``resolutionText``."""
    if text is None:
        return None
    if "<" in text and _TAG.search(text):
        text = _BLOCK_TAG.sub("\n", text)
        text = _TAG.sub("", text)
    if "&" in text and _CHARACTER_REFERENCE.search(text):
        # every character reference, with or without tags ("nicht&ouml;ffentlich",
        # "850312&ndash;1231" are what the secrecy check and the masking must read)
        text = html.unescape(text)
    return clean_block(text)


def _url(value: str | None, options: ExtractOptions) -> str | None:
    if not value:
        return None
    if options.base_url and not _is_url(value):
        return urljoin(options.base_url, value)
    return value


def _link(value: Any, options: ExtractOptions) -> Link | None:
    """A File object (or a File URL from OParl 1.0) as a link to the document itself."""
    if isinstance(value, str):
        url = _url(_text(value), options)
        return Link(url=url) if url else None
    if not isinstance(value, dict) or value.get("deleted") is True:
        return None
    url = _url(_text(value.get("accessUrl")) or _text(value.get("downloadUrl")), options)
    if not url:
        return None
    return Link(  # positional (see _POSITIONAL): url, title, media_type
        url,
        _text(value.get("name")) or _text(value.get("fileName")),
        _text(value.get("mimeType")),
    )


def _links(values: list[Any], options: ExtractOptions) -> tuple[Link, ...]:
    return tuple(link for value in values if (link := _link(value, options)))


def _date(value: Any) -> date | None:
    text = _text(value)
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _moment(value: Any, tz: str) -> tuple[date | None, datetime | None]:
    """(local date, aware datetime) of an OParl date-time; a bare date has no datetime."""
    text = _text(value)
    if not text:
        return None, None
    if len(text) == 10:
        return _date(text), None
    moment = parse_iso_datetime(text, tz)
    if moment is None:
        return None, None
    try:
        return moment.astimezone(zone(tz)).date(), moment
    except (OverflowError, ValueError):  # year 1 or 9999 pushed out of range by the offset
        return None, None


# --- the document ---------------------------------------------------------------------------


def _type_name(obj: dict[str, Any]) -> str:
    kind = obj.get("type")
    return kind.rstrip("/").rsplit("/", 1)[-1] if isinstance(kind, str) else ""


def _is_meeting(obj: Any) -> bool:
    if not isinstance(obj, dict):
        return False
    kind = _type_name(obj)
    if kind:
        return kind == "Meeting"
    return "agendaItem" in obj and ("start" in obj or "name" in obj)


def _meeting_object(doc: Any) -> dict[str, Any]:
    if _is_meeting(doc):
        meeting: dict[str, Any] = doc
        return meeting
    if isinstance(doc, dict) and isinstance(doc.get("data"), list):
        # an object list page: accepted when it holds exactly one Meeting
        found = [obj for obj in doc["data"] if _is_meeting(obj)]
        if len(found) == 1:
            only: dict[str, Any] = found[0]
            return only
        if not found:
            raise MalformedDocument("an OParl object list without a Meeting")
        raise MalformedDocument(
            f"an OParl list of {len(found)} meetings; extract one Meeting object at a time"
        )
    if isinstance(doc, dict) and _type_name(doc):
        raise MalformedDocument(f"an OParl {_type_name(doc)} object, not a Meeting")
    raise MalformedDocument("JSON that is not an OParl Meeting object")


_ABSENT = object()

# A meeting's items and file links are built with positional arguments: a call with keywords
# costs a third more, and there are many. These are the field orders those calls follow; a
# change to the model stops the import here rather than filling the wrong fields.
_POSITIONAL = {
    Item: (
        "number", "title", "case_number", "decision", "outcome", "outcome_text", "unanimous",
        "votes", "reservations", "attachments", "public", "id",
    ),
    Link: ("url", "title", "media_type"),
}  # fmt: skip
for _record, _order in _POSITIONAL.items():
    if tuple(f.name for f in dataclasses.fields(_record)) != _order:  # pragma: no cover
        raise ImportError(f"{_record.__name__} has other fields now: update {__name__}")
# "N 1", "NÖ 2", "nö 3", "N-6", "TOP NÖ 5", "7 (nö)": numbered nicht öffentlich
_NON_PUBLIC_NUMBER = re.compile(
    r"^(?:TOP\s*)?(?:N|NÖ|NOE|n\.\s?ö\.)\s*[-.]?\s*\d"
    r"|\((?:N|NÖ|NOE|n\.\s?ö\.|nicht[\s-]?öffentlich)\)\s*$",
    re.IGNORECASE,
)
# "öffentlich" as a word of its own, not the end of "nichtöffentlich" / "nicht öffentlich":
# a meeting name that has it has a public part
_PUBLIC_PART = re.compile(r"(?<![\w-])(?<!nicht\s)öffentlich", re.IGNORECASE)


def _is_public(value: Any, number: str) -> bool:
    """Whether an item is public, from its ``public`` value (``_ABSENT`` without one)."""
    if value is True:
        return True
    if value is _ABSENT:
        # Council systems number non-public items "N 1", "NÖ 2" or "nö 3" (nicht öffentlich;
        # "Ö 1" for public ones)
        return _NON_PUBLIC_NUMBER.search(number) is None
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "ja", "yes", "öffentlich")
    return isinstance(value, int) and value == 1


def _marked_private(raw: dict[str, Any]) -> bool:
    """Whether an item's keywords, its consultation's role or the paper consulted on say it
    is not public ("keyword": ["nichtöffentlich"], "role": "Beschlussfassung
    (nichtöffentlich)", "paper": {"name": "Vertrauliche Vorlage …"})."""
    keyword = raw.get("keyword")
    consultation = raw.get("consultation")
    if keyword is None and not isinstance(consultation, (dict, list)):
        return False  # (speed only) no keyword, and no consultation object to have a role
    texts = [k for k in _objects(keyword) if isinstance(k, str)]
    for entry in _objects(consultation) if not isinstance(consultation, dict) else [consultation]:
        if isinstance(entry, dict) and isinstance(entry.get("role"), str):
            texts.append(entry["role"])
        # and the paper it consults on ("Vertrauliche Vorlage: Grundstücksankauf …")
        paper = entry.get("paper") if isinstance(entry, dict) else None
        if isinstance(paper, dict):
            texts += [v for k in ("name", "paperType") if isinstance(v := paper.get(k), str)]
    return bool(texts) and has_secrecy_marker("\n".join(texts))


def _case_number(consultation: Any) -> str | None:
    if isinstance(consultation, dict):
        paper = consultation.get("paper")
        if isinstance(paper, dict):
            return _text(paper.get("reference"))
    return None


def _reading(wording: str) -> tuple[Outcome, bool | None, Votes | None]:
    """Outcome, unanimity and counts stated by a wording."""
    return classify(wording), is_unanimous(wording), find_votes(wording)


# ``result`` phrases come from each vendor's short list ("einstimmig beschlossen"), so the same
# few dozen recur in every meeting: worth remembering. Resolution texts are unique: not cached.
_result_reading = lru_cache(maxsize=1024)(_reading)
_NO_READING: tuple[Outcome, bool | None, Votes | None] = (Outcome.OTHER, None, None)


def _item(raw: dict[str, Any], position: int, options: ExtractOptions) -> Item:
    get = raw.get
    number = _text(get("number")) or _text(get("order")) or str(position)
    item_id = _text(get("id"))
    resolution_file = get("resolutionFile")
    auxiliary_file = get("auxiliaryFile")
    attachments: tuple[Link, ...] = ()
    if resolution_file is not None or auxiliary_file is not None:
        attachments = _links(_objects(resolution_file) + _objects(auxiliary_file), options)
    public = get("public", _ABSENT)
    if (public is not True and not _is_public(public, number)) or _marked_private(raw):
        # ``privacy.protect`` withholds every non-public item whatever it says, keeping only
        # its number and id (``privacy.withhold``): its title, decision and their reading
        # would be thrown away unread, so they are not worked out. (Its attachments are, as
        # before: with a base URL a malformed one raises, and still does.) Its title goes
        # with it for protect to find in the meeting's files ("Vorlage <title>"), never out.
        return Item(number=number, title=_text(get("name")), public=False, id=item_id)
    result = _text(get("result"))
    resolution = get("resolutionText")
    decision = _plain(resolution) if isinstance(resolution, str) else None
    outcome, unanimous, votes = _result_reading(result) if result else _NO_READING
    if decision:
        # The decision text only fills what the result phrase leaves open: its outcome when
        # there is no result, unanimity unless the result already says so, counts unless the
        # result gives them (a ``Votes`` is always true). Each reading is a pure function, so
        # one whose answer would be discarded is not computed.
        if not result:
            outcome = classify(decision)
        if not unanimous:
            unanimous = is_unanimous(decision)
        if votes is None:
            votes = find_votes(decision)
    return Item(  # positional (see _POSITIONAL)
        number,
        _text(get("name")),  # title
        _case_number(get("consultation")),  # case_number
        decision,
        outcome,
        result,  # outcome_text
        unanimous,
        votes,
        (),  # reservations
        attachments,
        True,  # public
        item_id,  # id
    )


_ORDER = itemgetter("order")


def _items(meeting: dict[str, Any], options: ExtractOptions) -> tuple[Item, ...]:
    # OParl 1.0 servers may list agenda items as URLs; an extractor does no I/O, so only
    # embedded objects count. Deleted items are tombstones, not agenda items.
    raw_items = [
        raw
        for raw in _objects(meeting.get("agendaItem"))
        if isinstance(raw, dict) and raw.get("deleted") is not True
    ]
    # JSON numbers are ``int``, ``float`` or ``bool`` (an ``int``) only, so ``type(o) is int``
    # is ``isinstance(o, int) and not isinstance(o, bool)``, and ``int(o)`` is ``o`` itself
    if raw_items and all(type(raw.get("order")) is int for raw in raw_items):
        # the array should already be in meeting order; ``order`` says so explicitly
        raw_items.sort(key=_ORDER)
    return tuple([_item(raw, position, options) for position, raw in enumerate(raw_items, 1)])


def _location(value: Any) -> str | None:
    if isinstance(value, str):
        text = _text(value)
        return None if text is None or _is_url(text) else text
    if not isinstance(value, dict):
        return None
    if description := _text(value.get("description")):
        return description
    town = " ".join(
        part for part in (_text(value.get("postalCode")), _text(value.get("locality"))) if part
    )
    parts = [_text(value.get("room")), _text(value.get("streetAddress")), town or None]
    return ", ".join(part for part in parts if part) or None


def _body(meeting: dict[str, Any], title: str | None, options: ExtractOptions) -> Body:
    organizations = _objects(meeting.get("organization"))
    body_id = None
    org_name = None
    for org in organizations:
        if isinstance(org, str) and body_id is None:
            body_id = _text(org)
        elif isinstance(org, dict):
            body_id = body_id or _text(org.get("id"))
            org_name = org_name or _text(org.get("name")) or _text(org.get("shortName"))
    name = options.body or org_name or (body_name_from_meeting(title) if title else None)
    if not name:
        raise MalformedDocument(
            "OParl meeting names no body (no name, no organization name); set the source's body"
        )
    return Body(name=name, id=body_id)


def _people(meeting: dict[str, Any]) -> People:
    # participants are Person URLs on most servers; only embedded persons carry names
    present = tuple(
        Person(name=name)
        for person in _objects(meeting.get("participant"))
        if isinstance(person, dict) and (name := _text(person.get("name")))
    )
    return People(present=present)


def extract(data: bytes, options: ExtractOptions) -> Protocol:
    meeting = _meeting_object(parse_json(data, options.max_bytes))
    meeting_url = _text(meeting.get("id"))
    if meeting.get("deleted") is True:
        raise MalformedDocument(f"OParl meeting {meeting_url or '(no id)'} is marked deleted")
    title = _text(meeting.get("name"))
    day, start = _moment(meeting.get("start"), options.timezone)
    end_day, end = _moment(meeting.get("end"), options.timezone)
    if start is not None and end is not None and end <= start:
        # Karlsruhe sends the meeting day's midnight as ``end`` when no end time is known
        end = None
    day = day or end_day

    results = meeting.get("resultsProtocol")
    results_link = _link(results, options)
    has_results = results_link is not None or (
        isinstance(results, dict) and bool(results) and results.get("deleted") is not True
    )
    cancelled = meeting.get("cancelled") is True
    approved = has_results and not cancelled
    approved_at = _date(results.get("date")) if approved and isinstance(results, dict) else None
    if approved_at is not None and day is not None and approved_at < day:
        approved_at = None

    links = tuple(
        link
        for link in (
            _link(meeting.get("invitation"), options),
            results_link,
            _link(meeting.get("verbatimProtocol"), options),
        )
        if link
    ) + _links(_objects(meeting.get("auxiliaryFile")), options)

    return Protocol(
        format=FORMAT,
        body=_body(meeting, title, options),
        meeting=Meeting(
            title=title,
            date=day,
            start=start,
            end=end,
            location=_location(meeting.get("location")),
            id=meeting_url,
            # "Nichtöffentliche Sitzung des …": every item of it is confidential (but not
            # "Öffentliche/Nichtöffentliche Sitzung" or "(öffentlich, anschließend
            # nichtöffentlicher Teil)", which have a public part: their items say which)
            closed=bool(title)
            and has_secrecy_marker(title)
            and _PUBLIC_PART.search(title or "") is None,
            cancelled=cancelled,
        ),
        protocol=ProtocolState(
            status=Status.APPROVED if approved else Status.DRAFT,
            approved_at=approved_at,
        ),
        people=_people(meeting),
        items=_items(meeting, options),
        links=links,
        language=options.language or "de",
        source_id=meeting_url,
    )
