"""Confidentiality and personal identity numbers: decided here, once, fail-closed.

``protect(protocol)`` is applied to every extractor's result before it leaves
``publisher.extract``. It

1. marks an item confidential when the source says so (``public=False`` from OParl, a closed
   session) **or** its text carries a Swedish secrecy marker (sekretess, OSL, särskilt protokoll);
2. withholds everything of a confidential item except its number and position;
3. masks Swedish personnummer and samordningsnummer in every remaining text field.

A false positive hides a public item; a false negative leaks. We accept the former.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime
import enum
import inspect
import itertools
import re
import types
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, TypeVar

from publisher.model import Item, Link, Outcome, Protocol, Status
from publisher.text import WordSet, fold, pattern_hints

try:  # the C scan for where a number may begin (publisher/_speedups.c), when it is built
    from publisher import _speedups
    from publisher._speedups import number_start as _number_start
except ImportError:  # pragma: no cover - the tests force this path too
    _speedups = None  # type: ignore[assignment]
    _number_start = None  # type: ignore[assignment]
#: the C reading of a whole record tree (see ``mask_all``); ``None`` without the module
_tree_may_hold_number: Callable[[Any, dict[type, tuple[Any, ...]], frozenset[type]], bool] | None
_tree_may_hold_number = getattr(_speedups, "tree_may_hold_number", None)

MASK = "[personnummer]"

# Between the date and the last four digits: "-" (or "+" for people over 100), a space, or
# nothing, as written; and as documents really carry it: any dash Word or a typesetter makes
# of "-", spaces around it ("620830 - 4581"), a doubled dash, a line break after it
# ("881102-<br>7716"), invisible characters (zero-width space, direction marks, word joiner,
# BOM), ".", ":", "·", "_" or "/" (file names and link paths), URL escapes in a link ("%2D",
# "%20", "%E2%80%93", escaped twice over by a redirect: "%252D"), character references left
# as text by a CMS that escaped them once too often ("921130&ndash;4564", "&#8211;",
# "&amp;ndash;"): up to six such units. A unit is at most 18 characters
# (``SEPARATOR_LENGTH``, which publisher/_speedups.c's number_start knows too).
_SEPARATOR_CHARS = (
    r"\s\u200b-\u200f\u2060\ufeff_.:\u00b7/+\-\u2010-\u2015\u2212\ufe58\ufe63\uff0b\uff0d"
)
_URL_ESCAPE = r"%(?:25){0,2}[0-9A-Fa-f]{2}"
_CHARACTER_REFERENCE = r"&(?:amp;){0,2}(?:[A-Za-z]{2,8}|#\d{1,7}|#[xX][0-9A-Fa-f]{1,6});"
SEPARATOR = rf"(?:[{_SEPARATOR_CHARS}]|{_URL_ESCAPE}|{_CHARACTER_REFERENCE}){{1,6}}"
#: the longest a separator can be (six of the longest unit, "&amp;amp;#x10FFFF;")
SEPARATOR_LENGTH = 6 * 18
if getattr(_speedups, "SEPARATOR_LENGTH", None) != SEPARATOR_LENGTH:
    # a C module built for another separator would scan too short a stretch: never use it
    _number_start = None  # type: ignore[assignment]
    _tree_may_hold_number = None
# Between the parts of the date, when they are set apart: "85 03 12-1231", "1985-03-12-1231"
_DATE_GAP = r"[ .\-\u2010\u2011\u2013\u00a0\u2009\u202f]"

# 12 digits (century) or 10, a separator or none. A date written with gaps has them both
# (``g1``), and is then not the start of a period: "2024-06-18 – 2024-07-15" reads as a
# number "2024-06-18 – 2024" followed by "-07-15". Only that is left alone: a serial that is
# a year, then the rest of a date; "1981-12-18-9876." before a numbered line "2." is a number.
_PNR = re.compile(
    # not the tail of a longer number (a URL escape before it is not: "gutachten%2019…")
    r"(?:(?<!\d)|(?<=%[0-9A-Fa-f][0-9A-Fa-f]))"
    r"(?P<century>(?:18|19|20))?"
    rf"(?P<yy>\d{{2}})(?P<g1>{_DATE_GAP})?(?P<mm>\d{{2}})(?(g1){_DATE_GAP})(?P<dd>\d{{2}})"
    rf"(?P<sep>{SEPARATOR})?"
    r"(?P<serial>\d{3})(?P<check>\d)"
    r"(?!\d)"
    r"(?(g1)(?!(?<=(?:19|20)\d\d)\s*[-\u2013./]\s*\d{1,2}[-\u2013./]\d{1,2}(?!\d)))"
)

# Secrecy markers, matched against an item's title and text: the ways minutes say an item was
# handled in private or is confidential. Every alternative contains one of SECRECY_WORDS
# (lower case), which gates the full expression (a test runs one wording of each).
_SECRECY = re.compile(
    # Swedish: secrecy under the Public Access to Information and Secrecy Act (OSL); items
    # kept in a separate protocol; care of children and addicts (LVU, LVM), immediate custody;
    # national security (säkerhetsskyddslagen, "HEMLIG", but not a secret ballot)
    r"\bsekretess|\bsekretessbelag|\bomfattas av sekretess|\benligt\s+(?:\d+\s*kap\.?\s*)?"
    r"(?:\d+\s*§\s*)?OSL\b|\bOSL\b|offentlighets-\s*och\s*sekretesslag"
    r"|\bsärskilt protokoll|\bsärskilt sekretessprotokoll|\bsekretessprövning"
    r"|\bseparat protokoll|\bseparat sekretessprotokoll|\(sekr\.?\)"
    r"|\b(?:inom|bakom) stängda dörrar|\bej offentlig|\binte offentlig|\bicke offentlig"
    r"|\bsekr\.|\bsekrl\b"
    r"|\bskyddade personuppgifter|\bskyddad(?:e)? identitet|\bstängt sammanträde"
    r"|\bstängda sammanträde|\bsärskild(?:a|t) protokoll|\bO\.S\.L\.|\bO\. S\. L\."
    r"|\bprotokollförs (?:separat|särskilt)|\bprotokolleras (?:separat|särskilt)"
    r"|\blämnas (?:inte|ej) ut\b|\bLVU\b|\bLVM\b|\bomedelbart omhändertag"
    r"|\bsäkerhetsskydd|\bhemligstämpl|\bhemlig(?:a|t)?\b(?!\s+(?:omröstning|val)\b)"
    # German, Norwegian, Danish, Dutch, Portuguese, Finnish, Polish, Czech
    r"|\bnicht[\s\-\u2010-\u2015_]*(?:ö|oe)ffentlich|\bausschluss der öffentlichkeit|\bvertraulich"
    r"|\bsteuergeheimnis|\bgeheimhaltung|\bgeheime sitzung"
    r"|\bunntatt offentlighet|\bunntatt fra offentlighet|\bfor lukkede døre|\blukket møde"
    r"|\bmøtet (?:ble|blir|vert|vart) lukket|\blukket behandling|\bkommuneloven § 11-5"
    r"|\bfortrolig"
    r"|\bbesloten (?:vergadering|gedeelte|deel|zitting|sessie|raadsvergadering)"
    r"|\bin beslotenheid|\b(?:achter|met) gesloten deuren|\bgeheimhouding"
    r"|\bporta fechada|\bsessão reservada"
    r"|\bsalassa pidettävä|\bsuljetussa istunnossa|\bposiedzenie niejawne|\bniejawn|\btajne\b"
    r"|\bneveřejn"
    # French, Spanish, Italian
    r"|\bhuis[\s\-]clos|\bséance non publique|\bséance secrète|\bconfidentiel"
    r"|\bsesi[oó]n secreta|\ba puerta cerrada|\bconfidencial"
    r"|\bseduta segreta|\ba porte chiuse|\bconfidenziale"
    # English: closed or private sessions and sittings, local government's exempt information
    r"|\bclosed session|\bclosed sitting|\bclosed meeting|\bin closed (?:session|sitting|meeting)"
    r"|\bin camera\b|\bexecutive session|\bprivate session"
    r"|\b(?:held|met|sat|sitting|meeting|considered|heard|taken|deliberated)\s+in\s+private\b"
    r"|\b(?:take|taking|took)\s+(?:\w+\s+){0,3}?in\s+private\b|\((?:closed|private|confidential)\)"
    r"|\bnot for publication|\(exempt\)|\bexempt information"
    r"|\bexclu(?:de|ded|ding|sion of) the press and (?:the )?public"
    r"|\bpress and public (?:were |be |are )?excluded|\bconfidential nature of the business"
    r"|\bconfidential (?:report|item|appendix|annex|information|matter|minute)"
    r"|\bpress and public (?:withdrew|left|retired)|\bstrangers withdrew",
    re.IGNORECASE,
)

# Every alternative of _SECRECY holds one of these once case-folded (``fold``): the cheap
# substring gate before the expression. As specific as the alternatives allow, so that
# ordinary text ("offentliga", "öffentliche Sitzung", "Barn- och") rarely opens it.
SECRECY_WORDS = (
    "sekretess",
    "osl",
    "särskilt protokoll",
    "separat protokoll",
    "(sekr",
    "sekr.",
    "sekrl",
    "skyddade person",
    "stängda dörrar",
    "ej offentlig",
    "inte offentlig",
    "icke offentlig",
    "skyddad identitet",
    "skyddade identitet",
    "stängt sammanträde",
    "stängda sammanträde",
    "särskilda protokoll",
    "särskildt protokoll",
    "o.s.l.",
    "o. s. l.",
    "protokollförs separat",
    "protokollförs särskilt",
    "protokolleras separat",
    "protokolleras särskilt",
    "lämnas inte ut",
    "lämnas ej ut",
    "lvu",
    "lvm",
    "omedelbart omhändertag",
    "säkerhetsskydd",
    "hemlig",
    "unntatt",
    "nicht",
    "ausschluss der öffentlich",
    "vertraulich",
    "geheim",
    "lukkede døre",
    "lukket",
    "kommuneloven § 11-5",
    "fortrolig",
    "besloten",  # ("besloten" is also "decided": the expression needs a second word)
    "gesloten deuren",
    "porta fechada",
    "sessão reservada",
    "salassa",
    "suljetussa istunnossa",
    "niejawn",
    "tajne",
    "neveřejn",
    "huis",
    "séance non publique",
    "séance secrète",
    "confidenti",
    "secreta",
    "puerta cerrada",
    "confidencial",
    "confidenzial",
    "segreta",
    "porte chiuse",
    "closed session",
    "closed sitting",
    "closed meeting",
    "in closed",
    "camera",
    "executive session",
    "private",
    "(closed",
    "not for publication",
    "exempt",
    "the press and",
    "press and public",
    "strangers withdrew",
)

# A word broken at the end of a line ("sekre-" / "tess", PDF exports): the secrecy check also
# reads the text with such breaks joined
# (the "-" first, the word character before it looked back at from there: the engine skips
# to each "-" in C instead of trying the expression at every character)
_LINE_HYPHEN = re.compile(r"-(?<=\w-)[ \t]*\r?\n\s*(?=\w)")


def with_joined_breaks(text: str) -> str:
    """``text``, followed by itself with every word broken by "-" and a line break joined
    again when it has any: what the secrecy check reads."""
    joined = _joined_breaks(text)
    return text if joined is None else f"{text}\n{joined}"


def _joined_breaks(text: str) -> str | None:
    """``text`` with every word broken by "-" and a line break joined again; ``None`` when
    it has no such word."""
    if "-" in text and ("\n" in text or "\r" in text):
        joined, count = _LINE_HYPHEN.subn("", text)
        if count:
            return joined
    return None


# Every form of the number contains its shape (``_PNR`` without its optional century, its
# conditions and its digit boundaries). Strings without it — nearly all — skip the full
# pattern. A run of digits alone would not do: ids and URLs ("prot-202223--013",
# "/1718900000000/") have them, and each sent its string through the masking path.
# (``\d\d`` first: the engine skips to the next digit before trying)
NUMBER_SHAPE = rf"\d\d{_DATE_GAP}?\d\d{_DATE_GAP}?\d\d(?:{SEPARATOR})?\d{{4}}"
_NUMBER_SHAPE = re.compile(NUMBER_SHAPE)


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def _plausible_date(century: str | None, yy: str, mm: str, dd: str) -> bool:
    day = int(dd)
    if day > 60:  # samordningsnummer: day + 60
        day -= 60
    year = int((century or "19") + yy)
    if century is None:
        # Without a century any year is possible; check against a leap year so 29 Feb passes.
        year = 2000
    try:
        date(year, int(mm), day)
    except ValueError:
        return False
    return True


def _replace(match: re.Match[str]) -> str:
    g = match.groupdict()
    if not _plausible_date(g["century"], g["yy"], g["mm"], g["dd"]):
        return match.group(0)
    ten = g["yy"] + g["mm"] + g["dd"] + g["serial"] + g["check"]
    if not luhn_ok(ten):
        return match.group(0)
    return MASK


def mask_personnummer(text: str) -> str:
    """Replace every Luhn-valid personnummer/samordningsnummer with ``[personnummer]``."""
    return _mask_text(text)


_SECRECY_GATE = WordSet(SECRECY_WORDS)


def has_secrecy_marker(*texts: str | None) -> bool:
    for text in texts:
        if not text:
            continue
        # what is read is ``with_joined_breaks(text)``
        joined = _joined_breaks(text)
        if joined is not None:
            text = f"{text}\n{joined}"
        if _SECRECY_GATE.search(text) and _secrecy_search(text):
            return True
    return False


def _alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of ``pattern``: split at every "|" that is not escaped nor
    inside a group or a character class."""
    parts: list[str] = []
    depth = start = i = 0
    in_class = False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 1  # the escaped character is skipped too
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            i += 1 if pattern.startswith("^", i + 1) else 0
            i += 1 if pattern.startswith("]", i + 1) else 0  # "[]" or "[^]": a literal "]"
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


def _hinted_parts(pattern: str) -> list[tuple[str, tuple[str, ...] | None]]:
    """Each top-level alternative of ``pattern`` with its ``pattern_hints``; the whole pattern
    as one unhinted part when the split does not give alternatives that stand on their own."""
    parts = _alternatives(pattern)
    try:
        for part in parts:
            re.compile(part)
    except re.error:  # pragma: no cover - a split in the wrong place
        parts = [pattern]
    return [(part, pattern_hints(part)) for part in parts]


# Speed only, same answers: ``_SECRECY`` matches a text exactly when one of its top-level
# alternatives does, and an alternative whose every match starts with one of a few literal
# words (``pattern_hints``) matches no text that holds none of them once folded (the
# premise of every gate). So once the gate is passed, only the alternatives whose words the
# text holds (and those without such words) are searched, as one expression: a few instead of
# some sixty, each tried at every character (90 µs for a short paragraph).
_SECRECY_PARTS = _hinted_parts(_SECRECY.pattern)
_SECRECY_HINTS = WordSet(hint for _part, hints in _SECRECY_PARTS for hint in hints or ())
#: the hints a text holds → the expression of the alternatives they admit (hint sets recur)
_SECRECY_SEARCHES: dict[frozenset[str], re.Pattern[str]] = {}


def _secrecy_search(text: str) -> bool:
    """``_SECRECY.search(text) is not None``."""
    found = _SECRECY_HINTS.found(text)
    search = _SECRECY_SEARCHES.get(found)
    if search is None:
        admitted = [
            part for part, hints in _SECRECY_PARTS if hints is None or not found.isdisjoint(hints)
        ]
        search = re.compile("|".join(admitted) or "(?!)", re.IGNORECASE)  # (?!): never
        if len(_SECRECY_SEARCHES) < 1024:
            _SECRECY_SEARCHES[found] = search
    return search.search(text) is not None


T = TypeVar("T")


_JOIN = "\x00"


def mask_all(value: T) -> T:
    """Mask personnummer in every string inside a (frozen) record tree."""
    # Fast path: nearly every protocol holds the number's shape (``_NUMBER_SHAPE``) nowhere.
    # One search over all its strings (joined by NUL, which is neither a digit nor part of a
    # separator, so no run spans two strings: "\n" would be, as a line break may split a
    # number) proves that; only a tree that has such a run is
    # walked again to rebuild the records concerned. The runs found in the joined
    # text name the strings that hold one (no run spans the separator); each of those is
    # masked once, and only when one really changes is the tree rebuilt, with exactly those
    # strings (``_mask_text`` leaves every other string as it is anyway).
    #
    # Faster still, the C module reads the whole tree as ``_texts`` does and looks for where
    # the shape may begin in each string (``_number_start``, which finds every such place) at
    # C speed; when it says none can hold one, the search below would find no run either
    # (a run lies within one string). Whatever it does not know (a type not yet in
    # ``_RECORD_FIELDS``, a str subclass) it answers "maybe", and the walk below decides.
    if _tree_may_hold_number is not None and not _tree_may_hold_number(
        value, _RECORD_FIELDS, _LEAVES
    ):
        return value
    texts = _texts(value)
    if not texts:
        return value
    joined = _JOIN.join(texts)
    run = _shape_search(joined)
    if run is None:
        return value
    # the string a run is in: the last that starts at or before it (not the NULs before it
    # counted: a string may hold a NUL of its own)
    starts = list(itertools.accumulate((len(text) + 1 for text in texts[:-1]), initial=0))
    holding = {
        bisect.bisect_right(starts, found.start()) - 1 for found in _runs(joined, run.start())
    }
    changed = frozenset(
        text for text in (texts[index] for index in holding) if _mask_text(text) is not text
    )
    if not changed:
        return value
    result: T = _mask(value, changed)
    return result


# UTF-8 bytes → b"0" for an ASCII digit and for every byte of a non-ASCII character (which
# may be a digit of another script: ``\d`` is Unicode), b"x" for every other ASCII byte.
_DIGIT_BYTES = bytes(
    0x30 if (0x30 <= byte <= 0x39 or byte >= 0x80) else 0x78 for byte in range(256)
)


def _may_have_ten_digits(text: str) -> bool:
    """False only when ``_NUMBER_SHAPE`` cannot match ``text``: its ten digits are ten
    characters each mapped to at least one b"0". Table translation and a count in C, instead
    of the regular expression's per-character loop (several times slower)."""
    return text.encode("utf-8", "surrogatepass").translate(_DIGIT_BYTES).count(b"0") >= 10


def _shape_search(text: str) -> re.Match[str] | None:
    """``_NUMBER_SHAPE.search(text)``: the expression is tried only where the C scan says the
    shape may begin (nearly nowhere), or, without the C module, after a digit count."""
    if _number_start is None:
        return _NUMBER_SHAPE.search(text) if _may_have_ten_digits(text) else None
    return next(_runs(text, 0), None)


def _runs(text: str, start: int) -> Iterator[re.Match[str]]:
    """``_NUMBER_SHAPE.finditer(text, start)``."""
    if _number_start is None:
        yield from _NUMBER_SHAPE.finditer(text, start)
        return
    # every match starts at a candidate: the first candidate from ``start`` where the
    # expression matches is where finditer's search would stop, and it goes on after the match
    match = _NUMBER_SHAPE.match
    while (candidate := _number_start(text, start)) >= 0:
        found = match(text, candidate)
        if found is None:
            start = candidate + 1
        else:
            yield found
            start = found.end()


def _texts(value: Any) -> list[str]:
    """Every ``str`` inside a record tree (records, tuples), in no particular order; the same
    strings ``_mask`` visits."""
    if type(value) is str:
        return [value]
    texts: list[str] = []
    add = texts.append
    nodes = [value]
    push = nodes.append
    pop = nodes.pop
    leaves = _LEAVES
    collectors = _COLLECTORS
    while nodes:
        node = pop()
        kind = node.__class__
        if kind is tuple:
            for child in node:
                child_kind = child.__class__
                if child_kind is str:
                    add(child)
                elif child_kind not in leaves:
                    push(child)
            continue
        collect = collectors.get(kind, _NOT_SEEN)
        if collect is _NOT_SEEN:
            collect = _collector(kind)
        if collect is not None:
            collect(node, add, push, leaves)
        elif _is_text(node):
            add(str(node))  # a str subclass (lxml's XPath strings are): text all the same
    return texts


def _is_text(value: Any) -> bool:
    """A string of any kind but the members of our vocabularies (``Outcome``, ``Status``)."""
    return isinstance(value, str) and not isinstance(value, enum.Enum)


#: types that hold no text of their own: not walked into (anything else is, or is looked
#: at and found to be no record). An enum member of the outcome vocabulary is a fixed word.
_LEAVES = frozenset(
    (type(None), bool, int, float, Outcome, Status, date, datetime.datetime, datetime.timedelta)
)
_COLLECTORS: dict[type, Callable[..., None] | None] = {}
_NOT_SEEN: Any = object()


def _collector(kind: type) -> Callable[..., None] | None:
    """For a record type: a function that hands every ``str`` field of a record to ``add`` and
    every other value that is not a leaf to ``push``; ``None`` for any other type. Written
    out field by field from the type's own fields (so a field added to the model is walked
    without a word here), as no loop over field values can be as quick."""
    names = _field_names(kind)
    collect: Callable[..., None] | None = None
    if names is not None:
        lines = ["def collect(node, add, push, leaves):"]
        for name in names:
            if not name.isidentifier():  # pragma: no cover - a dataclass field always is
                raise TypeError(f"field {name!r} of {kind.__name__}")
            # (None, a leaf, and the empty tuple, which holds nothing, are passed at once:
            # most optional fields are None, most tuples of a record are empty)
            lines += [
                f"    value = node.{name}",
                "    if value is not None:",
                "        value_kind = value.__class__",
                "        if value_kind is str:",
                "            add(value)",
                "        elif value_kind is tuple:",
                "            if value:",
                "                push(value)",
                "        elif value_kind not in leaves:",
                "            push(value)",
            ]
        namespace: dict[str, Any] = {}
        exec("\n".join(lines), namespace)  # noqa: S102 - our own code, from field names
        collect = namespace["collect"]
    _COLLECTORS[kind] = collect
    return collect


_NONE = type(None)


#: record type → its field names; ``None`` for every type that is not a dataclass
_FIELDS: dict[type, tuple[str, ...] | None] = {}
#: the records among them, as the C reading of a tree takes them (``mask_all``): for each
#: field the slot descriptor ``getattr`` calls (read without the attribute lookup), or the name
_RECORD_FIELDS: dict[type, tuple[Any, ...]] = {}


def _field_reader(cls: type, name: str) -> Any:
    """What the C reading of a tree reads the field ``name`` of a ``cls`` record with: the
    slot's descriptor, when ``getattr`` would end there for certain (a slot descriptor wins
    over everything but a ``__getattribute__`` of the class's own), else the name."""
    descriptor = inspect.getattr_static(cls, name, None)
    if (
        type(descriptor) is types.MemberDescriptorType
        and cls.__getattribute__ is object.__getattribute__
    ):
        return descriptor
    return name


def _field_names(cls: type) -> tuple[str, ...] | None:
    try:
        return _FIELDS[cls]
    except KeyError:
        names = (
            tuple(f.name for f in dataclasses.fields(cls))
            if dataclasses.is_dataclass(cls)
            else None
        )
        _FIELDS[cls] = names
        if names is not None:
            _RECORD_FIELDS[cls] = tuple(_field_reader(cls, name) for name in names)
    return names


def _pnr_search(text: str, pos: int) -> re.Match[str] | None:
    """``_PNR.search(text, pos)``, the expression tried only where a number can begin.

    A match of ``_PNR`` is the shape (``NUMBER_SHAPE``) from its two-digit year on, after
    an optional two-digit century: it begins where the shape begins or two characters
    before. The C scan lists every index where the shape may begin; the first of those
    places (and the places two before them) at or after ``pos`` where the expression
    matches is where the search would find it, as the search tries every index in order."""
    if _number_start is None:
        return _PNR.search(text, pos)
    # The places in order, found as the scan goes (not all of them first: a text full of
    # numbers made that quadratic). Once a candidate is known, no later one gives a place at
    # or before ``candidate - 2`` (they give ``later - 2`` and ``later``): those are settled.
    match = _PNR.match
    pending: list[int] = []
    candidate = _number_start(text, pos)
    while candidate >= 0:
        for place in (candidate - 2, candidate):
            if place >= pos and place not in pending:
                bisect.insort(pending, place)
        while pending and pending[0] <= candidate - 2:
            if (found := match(text, pending.pop(0))) is not None:
                return found
        candidate = _number_start(text, candidate + 1)
    for place in pending:
        if (found := match(text, place)) is not None:
            return found
    return None


def _mask_text(text: str) -> str:
    if _shape_search(text) is None:
        return text
    # As ``_PNR.sub(_replace, text)``, except that a candidate that is no number (an
    # impossible date, a wrong check digit) does not hide one that overlaps it from one
    # character on: "%2019811218–9876" reads "2019811218" first, then the real number.
    parts: list[str] = []
    done = pos = 0
    while (match := _pnr_search(text, pos)) is not None:
        if _replace(match) is MASK:
            parts += (text[done : match.start()], MASK)
            done = pos = match.end()
        else:
            pos = match.start() + 1
    if not parts:
        return text
    parts.append(text[done:])
    return "".join(parts)


def _mask(value: Any, dirty: frozenset[str]) -> Any:
    """Rebuild only the records that hold a number to mask; everything else is returned as is
    (the very same object, which is how a caller sees that nothing changed).

    ``dirty`` holds every string of the tree that has the number's shape: no other string
    can hold a number, so no other string is searched again.
    """
    kind = value.__class__
    if kind is str:
        return _mask_text(value) if value in dirty else value
    if kind is tuple:
        rebuilt: list[Any] | None = None
        for index, old in enumerate(value):
            new = _mask(old, dirty)
            if new is not old:
                if rebuilt is None:
                    rebuilt = list(value)
                rebuilt[index] = new
        return value if rebuilt is None else tuple(rebuilt)
    rebuild = _REBUILDERS.get(kind, _NOT_SEEN)
    if rebuild is _NOT_SEEN:
        rebuild = _rebuilder(kind)
    if rebuild is not None:
        return rebuild(value, dirty)
    if _is_text(value):  # a str subclass: masked as a plain str
        return _mask_text(str(value)) if value in dirty else value
    return value


_REBUILDERS: dict[type, Callable[[Any, frozenset[str]], Any] | None] = {}


def _rebuilder(kind: type) -> Callable[[Any, frozenset[str]], Any] | None:
    """For a record type: a function returning the record with every field that holds a
    string of ``dirty`` masked (``_mask`` on each field that is not a leaf), itself when
    nothing changed; ``None`` for any other type. Written out field by field, as
    ``_collector`` is."""
    names = _field_names(kind)
    rebuild: Callable[[Any, frozenset[str]], Any] | None = None
    if names is not None:
        lines = ["def rebuild(node, dirty):", "    changes = None"]
        for name in names:
            if not name.isidentifier():  # pragma: no cover - a dataclass field always is
                raise TypeError(f"field {name!r} of {kind.__name__}")
            lines += [
                f"    value = node.{name}",
                "    if value.__class__ not in leaves:",
                "        new = mask(value, dirty)",
                "        if new is not value:",
                "            if changes is None:",
                "                changes = {}",
                f"            changes[{name!r}] = new",
            ]
        lines.append("    return node if changes is None else replace(node, **changes)")
        namespace: dict[str, Any] = {
            "leaves": _LEAVES,
            "mask": _mask,
            "replace": dataclasses.replace,
        }
        exec("\n".join(lines), namespace)  # noqa: S102 - our own code, from field names
        rebuild = namespace["rebuild"]
    _REBUILDERS[kind] = rebuild
    return rebuild


def withhold(item: Item) -> Item:
    """What survives of a confidential item: its number, position and that it was withheld.
    Not its id: a source's element ids are often made of the title ("…#staff_appeal_mr_x")."""
    return Item(number=_bare_number(item.number), outcome=Outcome.OTHER, public=False)


def _bare_number(number: str) -> str:
    """An item's number without what a source wrote after it ("1 Personalangelegenheit" is
    "1"): the words up to its first with a digit, and those after that are numbers too
    ("§ 46 a", "PS 46/24", "TOP Ö 1") or a short mark in brackets ("TOP 5 (n.ö.)"). A number
    without a digit keeps its first word."""
    words = number.split()
    first = next((i for i, word in enumerate(words) if any(c.isdigit() for c in word)), None)
    if first is None:
        return " ".join(words[:1]) if len(words) > 2 else " ".join(words)
    end = first + 1
    while end < len(words) and (
        any(c.isdigit() for c in words[end])
        or (len(words[end]) == 1 and words[end].islower())
        or _NUMBER_MARK.fullmatch(words[end]) is not None
    ):
        end += 1
    return " ".join(words[:end])


# a short mark in brackets after a number: "TOP 5 (n.ö.)", "7 (nö)", "§ 12 (S)"
_NUMBER_MARK = re.compile(r"\([^()\s]{1,6}\)")


def is_confidential(item: Item, closed_session: bool = False) -> bool:
    if not item.public or closed_session:
        return True
    # the fields as one text: one gate instead of four (a marker can only be found in more
    # places this way, never in fewer: fail closed)
    fields: tuple[str | None, ...] = (
        item.title,
        item.decision,
        item.outcome_text,
        item.case_number,
    )
    # an attachment's title is the item's text too ("Anlage 1 – nicht öffentlich: …"), and
    # so is its address (".../sekretessbelagt/beslut.pdf"), as for the meeting's own files
    if item.attachments:
        fields += tuple(link.title for link in item.attachments)
        fields += tuple(link.url for link in item.attachments)
    # (the empty ones left out, in C; with none left the check reads "" and finds nothing)
    return has_secrecy_marker("\n".join(filter(None, fields)))


def protect(protocol: Protocol) -> Protocol:
    """Withhold confidential items and mask identity numbers everywhere. Idempotent."""
    protocol = _plain_addresses(protocol)
    closed = protocol.meeting.closed
    confidential = [is_confidential(item, closed) for item in protocol.items]
    # (as the source gave them, before withholding: their titles are looked for below)
    withheld = [item for item, secret in zip(protocol.items, confidential, strict=True) if secret]
    if any(confidential):
        items = tuple(
            withhold(item) if secret else item
            for item, secret in zip(protocol.items, confidential, strict=True)
        )
        protocol = dataclasses.replace(protocol, items=items)
    if protocol.links:
        # A meeting's own files are published beside its items: one that says it is
        # confidential ("Tischvorlage zu TOP 6 (vertraulich): Abfindung …") is dropped, its
        # title would tell what the withheld item is about; so is one that names a withheld
        # item by its number ("Utdrag § 48 Ansökan om …", "TOP 1 Personalangelegenheit") or
        # repeats its title ("Vorlage Personalangelegenheit Meier")
        naming = _naming([item.number for item in withheld if item.number])
        titles = [fold(t) for item in withheld if (t := (item.title or "").strip()) and len(t) >= 4]
        links = tuple(
            link
            for link in protocol.links
            if not _confidential_link(link) and not _names_withheld(link, naming, titles)
        )
        if len(links) != len(protocol.links):
            protocol = dataclasses.replace(protocol, links=links)
    return mask_all(protocol)


# A percent-escaped letter, digit or "-._~" is the very character (RFC 3986, 2.3): an address
# that spells "?pnr=%38%31%31%32…" is "?pnr=8112…", and is read, and masked, as that.
_ESCAPED_UNRESERVED = re.compile(
    r"%(3[0-9]|4[1-9A-Fa-f]|5[0-9Aa]|6[1-9A-Fa-f]|7[0-9Aa]|2[DdEe]|5[Ff]|7[Ee])"
)


def _plain(url: str) -> str:
    if "%" not in url:
        return url
    return _ESCAPED_UNRESERVED.sub(lambda m: chr(int(m.group(1), 16)), url)


def _plain_link(link: Link) -> Link:
    url = _plain(link.url)
    return link if url == link.url else dataclasses.replace(link, url=url)


def _plain_addresses(protocol: Protocol) -> Protocol:
    """``protocol`` with the escaped unreserved characters of its links' addresses written
    as themselves (the same addresses)."""
    changed = False
    items = []
    for item in protocol.items:
        attachments = tuple(_plain_link(link) for link in item.attachments)
        if attachments != item.attachments:
            item = dataclasses.replace(item, attachments=attachments)
            changed = True
        items.append(item)
    links = tuple(_plain_link(link) for link in protocol.links)
    if not changed and links == protocol.links:
        return protocol
    return dataclasses.replace(protocol, items=tuple(items), links=links)


def _names_withheld(link: Link, naming: re.Pattern[str] | None, titles: list[str]) -> bool:
    if not link.title:
        return False
    if naming is not None and naming.search(link.title):
        return True
    folded = fold(link.title)
    return any(title in folded for title in titles)


def _confidential_link(link: Link) -> bool:
    return has_secrecy_marker("\n".join(t for t in (link.title, link.url) if t))


# what names an item before a bare number ("TOP 1", "Punkt 3", "item 4", "ärende 5")
_ITEM_WORD = r"(?:§|TOP|Top|top|Punkt|Pkt\.?|Tagesordnungspunkt|[Ii]tem|[Ää]rende|[Pp]aragraf)"


def _naming(numbers: list[str]) -> re.Pattern[str] | None:
    """An expression finding any of the item ``numbers`` as a text names an item: as printed
    ("§ 48", "Ö 2", "PS 46/24"), a bare number only after a word that says it is an item."""
    alternatives = []
    for number in dict.fromkeys(n.strip() for n in numbers):
        if not number:
            continue
        written = r"\s*".join(re.escape(part) for part in number.split())
        if number[0].isdigit():
            written = rf"{_ITEM_WORD}\s*{written}"
        alternatives.append(written)
    if not alternatives:
        return None
    return re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?![\w])")
