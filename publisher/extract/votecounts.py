"""Vote counts written out in decision text, in the languages our formats arrive in.

``find_votes`` reads "Ja: 9, Nein: 3, Enthaltung: 1", "12 Ja-Stimmen, 3 Nein-Stimmen",
"bei 2 Gegenstimmen und 1 Enthaltung", "mit 9:3:1 Stimmen", "Ayes 21, Noes 9", "Tá, 63; Níl, 45",
"carried by 72 to 56 votes", "favorevoli 18, contrari 5, astenuti 2", "11 votos a favor, 6 votos en
contra", "172 för bifall, 140 för avslag", the Riksdag's "281 för utskottet, 43 för res. 1, 25
frånvarande", the House of Lords' "Contents 210; Not-Contents 185", "med 25 mot 10 stemmer",
the Dutch "17 stemmen voor, 8 tegen", the Portuguese 'votos «sim» 180, votos «não» 25', and the
Swedish roll call's "förslag (JA) fick 15 röster".

Short everyday words ("for", "no", "ja") are labels only in company: "postponed for 3 months"
is not a vote, so a lone weak label never makes a count. A guessed count is worse than none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from publisher.model import Votes
from publisher.text import WordSet, fold

# category -> (strong labels, weak labels); lower case, matched case-insensitively
_LABELS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "yes": (
        ("ja-stimmen", "jastimmen", "ja-stimme", "ayes", "aye", "yeas", "in favour", "in favor")
        + ("favorevoli", "voti favorevoli", "ja-röster", "voix pour", "tá", "stimmen dafür")
        + ("votos a favor", "röster för bifall", "för bifall", "votes for", "votes in favour")
        + ("stemmen voor", "votos «sim»", 'votos "sim"'),
        # the Lords' "Contents" and the Riksdag's "för utskottet" (the committee's proposal)
        # are everyday words too: they count beside another label only
        ("ja", "yes", "for", "dafür", "pour", "ndiyo", "a favor", "contents", "för utskottet")
        # "60 röster för och 19 röster emot" ("43 röster för reservationen" is none)
        + ("röster för",),
    ),
    "no": (
        ("nein-stimmen", "neinstimmen", "gegenstimmen", "gegenstimme", "noes", "nays")
        + ("contrari", "voti contrari", "nej-röster", "voix contre", "níl", "stimmen dagegen")
        + ("votos en contra", "votos contra", "röster för avslag", "för avslag", "votes against")
        + ("not-contents", "not contents", "non-contents", "stemmen tegen", "röster emot")
        + ("votos «não»", 'votos "não"'),
        # the Riksdag's "43 för res. 1" (a reservation, against the committee's proposal)
        ("nein", "no", "nay", "against", "dagegen", "contre", "hapana", "nej", "en contra", "tegen")
        + ("contra",)
        + ("för res", "för reservation", "för reservationen"),
    ),
    "abstain": (
        ("stimmenthaltungen", "stimmenthaltung", "enthaltungen", "enthaltung", "abstentions")
        + ("abstention", "abstained", "astenuti", "astensioni", "avstår", "avstod", "staon")
        + ("abstenciones", "abstención", "abstenções", "abstenção", "enth.")
        # "2 ledamöter avstår", "4 som avstår"
        + ("ledamöter avstår", "ledamot avstår", "som avstår")
        + ("ledamöter avstod", "ledamot avstod", "som avstod"),
        ("abstain",),
    ),
    "absent": (("abwesend", "assenti", "frånvarande", "ausentes"), ("absent",)),
}

_CATEGORY: dict[str, str] = {}
_STRONG: set[str] = set()
for _category, (_strong, _weak) in _LABELS.items():
    for _label in _strong + _weak:
        _CATEGORY[_label] = _category
    _STRONG.update(_strong)

#: every label, longest first: where two labels start at the same place the longer is read
_LABELS_BY_LENGTH = tuple(sorted(_CATEGORY, key=len, reverse=True))


def _label_patterns(labels: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The label-first and number-first count expressions over ``labels``."""
    alternatives = "|".join(re.escape(label) for label in labels)
    return (
        # "Ayes 72", "Nein: 3", "Tá, 63" (the Oireachtas), "Ja — 172"
        re.compile(
            rf"(?<![\w-])(?P<label>{alternatives})(?![\w-])\s*[:=,–—]?\s*(?P<n>\d{{1,4}})"
            r"(?!\d|[.:/]\d)",
            re.IGNORECASE,
        ),
        # "12 Ja-Stimmen", "bei 2 Gegenstimmen": one to four digits, not after a digit nor
        # after a digit and one of ".:/" (``(?<!\d)(?<!\d[.:/])\d{1,4}``, with the conditions
        # checked after the first digit, so that the expression starts with ``\d`` and the
        # engine skips to the next digit in C instead of trying every position)
        re.compile(
            rf"(?P<n>\d(?<!\d\d)(?<!\d[.:/]\d)\d{{0,3}})\s*(?P<label>{alternatives})(?![\w-])",
            re.IGNORECASE,
        ),
    )


_LABEL_FIRST, _NUMBER_FIRST = _label_patterns(_LABELS_BY_LENGTH)
# "mit 9:3:1 Stimmen" (yes:no:abstain) and "mit 9:3 Stimmen"
_TRIPLE = re.compile(r"(?<![\d:./])(\d{1,3})\s*[:/]\s*(\d{1,3})\s*[:/]\s*(\d{1,3})(?![\d:./])")
_PAIR_STIMMEN = re.compile(r"(?<![\d:./])(\d{1,3})\s*:\s*(\d{1,3})\s+stimmen", re.IGNORECASE)
_VOTE_CONTEXT = re.compile(r"stimm|\bvot|\bvoti\b|\brös", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
# "carried by 72 to 56 votes", "by 7 votes to 2"
_BY_TO = re.compile(r"\bby\s+(\d{1,4})\s+(?:votes?\s+)?to\s+(\d{1,4})\b", re.IGNORECASE)
# "mit 51 gegen 37 Stimmen" (the first number voted for what was decided)
_MIT_GEGEN = re.compile(r"\bmit\s+(\d{1,4})\s+gegen\s+(\d{1,4})\s+stimmen", re.IGNORECASE)
# Norwegian "med 25 mot 10 stemmer", Swedish "med 281 röster mot 43" (likewise; the unit
# must be said once, or "med 2 mot 1" in any sentence would be a vote)
_VOTE_UNIT = r"(?:röster|stemmer|stemmar|røyster)"
_MED_MOT = re.compile(
    rf"\bmed\s+(\d{{1,4}})\s+{_VOTE_UNIT}\s+mot\s+(\d{{1,4}})(?!\d)"
    rf"|\bmed\s+(\d{{1,4}})\s+mot\s+(\d{{1,4}})\s+{_VOTE_UNIT}\b",
    re.IGNORECASE,
)


# Swedish roll calls: "Kommunstyrelsens förslag (JA) fick 15 röster, Annas förslag (NEJ) fick
# 11 röster. 1 ledamot röstade blankt." (a blank vote abstains)
_FICK = re.compile(r"\((ja|nej)\)\s+fick\s+(\d{1,4})\s+röst", re.IGNORECASE)
_BLANK = re.compile(r"(?<![\d.:/])(\d{1,4})\s+(?:[^\W\d]+\s+){0,3}?blank[at]?\b", re.IGNORECASE)


def _labelled(matches: Iterable[re.Match[str]]) -> dict[str, tuple[int, bool]]:
    found: dict[str, tuple[int, bool]] = {}
    for match in matches:
        # the pattern matches case-insensitively, so "Ayeſ" or "İn favour" match too: fold the
        # label the way re.IGNORECASE does before looking it up
        label = fold(match["label"])
        category = _CATEGORY.get(label)
        if category is None:
            continue
        if category not in found:
            found[category] = (int(match["n"]), label in _STRONG)
    return found


# Speed only, same answers: a count is read only beside a label of _CATEGORY, from a ratio
# in a vote context (_VOTE_CONTEXT: "stimm", "vot", "rös"), from "by 72 to 56" (_BY_TO) or
# with a unit (_MED_MOT: "rös", "stemm", "røyst"), so a text holding none of these words once
# case-folded the way re.IGNORECASE folds (``fold``: "ſ", "ı", "İ" and the Kelvin sign too)
# states no count. Most texts hold none.
_COUNT_WORDS = WordSet({*_CATEGORY, "stimm", "vot", "rös", "by", "stemm", "røyst"})


class _Labels(NamedTuple):
    """The count expressions over the labels a text holds, and how many categories those
    labels name (no reading finds more)."""

    label_first: re.Pattern[str]
    number_first: re.Pattern[str]
    categories: int


#: the words of ``_COUNT_WORDS`` found in a text → the count expressions over the labels among
#: them (``None``: there are none); label sets recur, as the texts of one language use the
#: same few
_PATTERNS: dict[frozenset[str], _Labels | None] = {}


def _patterns(found: frozenset[str]) -> _Labels | None:
    try:
        return _PATTERNS[found]
    except KeyError:
        labels = tuple(label for label in _LABELS_BY_LENGTH if label in found)
        patterns = None
        if labels:
            categories = len({_CATEGORY[label] for label in labels})
            patterns = _Labels(*_label_patterns(labels), categories)
        if len(_PATTERNS) < 1024:
            _PATTERNS[found] = patterns
        return patterns


def find_votes(text: str | None) -> Votes | None:
    """The vote counts stated in ``text``, or ``None`` when it states none."""
    if not text or not _DIGIT.search(text):
        return None
    found = _COUNT_WORDS.found(text)
    if not found:
        return None
    patterns = _patterns(found)
    if patterns is None:
        return _read_votes(text, {}, {})
    # Speed only, same matches as ``_LABEL_FIRST.finditer(text)`` and
    # ``_NUMBER_FIRST.finditer(text)``: a label matches only where the text, folded, holds it
    # (the premise of the gate above), so the alternatives of the labels the text lacks never
    # match and are left out; the others keep their order, so at every position the same
    # alternative is the first to match. (A handful of alternatives instead of ninety-odd,
    # each tried case-insensitively at every word: several times faster.)
    label_first = _labelled(patterns.label_first.finditer(text))
    # The number-first reading only counts when it pairs more categories than the other, and
    # it cannot pair more than the text's labels name: when the label-first reading has them
    # all, it is not read ("Ayes 31, Noes 18, Abstentions 2.").
    number_first: dict[str, tuple[int, bool]] = {}
    if len(label_first) < patterns.categories:
        number_first = _labelled(patterns.number_first.finditer(text))
    return _read_votes(text, label_first, number_first)


def _read_votes(
    text: str, label_first: dict[str, tuple[int, bool]], number_first: dict[str, tuple[int, bool]]
) -> Votes | None:
    """The counts in ``text``, given what ``_labelled`` reads from its label-first and its
    number-first matches."""
    # Whichever reading ("label number" or "number label") pairs more labels with numbers is
    # the document's own layout: "Ja 12 Nein 3" would otherwise also read "12 Nein".
    best = label_first
    if len(number_first) > len(best):
        best = number_first
    if len(best) >= 2 or (len(best) == 1 and next(iter(best.values()))[1]):
        counts = {category: number for category, (number, _strong) in best.items()}
        return Votes(
            yes=counts.get("yes"),
            no=counts.get("no"),
            abstain=counts.get("abstain"),
            absent=counts.get("absent"),
        )
    fick: dict[str, int] = {}
    for match in _FICK.finditer(text):
        fick.setdefault(match[1].lower(), int(match[2]))
    if len(fick) == 2:
        blank = _BLANK.search(text)
        return Votes(yes=fick["ja"], no=fick["nej"], abstain=int(blank[1]) if blank else None)
    if _VOTE_CONTEXT.search(text):
        if triple := _TRIPLE.search(text):
            return Votes(yes=int(triple[1]), no=int(triple[2]), abstain=int(triple[3]))
        if pair := _PAIR_STIMMEN.search(text):
            return Votes(yes=int(pair[1]), no=int(pair[2]))
    if by_to := _BY_TO.search(text):
        return Votes(yes=int(by_to[1]), no=int(by_to[2]))
    if mit := _MIT_GEGEN.search(text):
        return Votes(yes=int(mit[1]), no=int(mit[2]))
    if med := _MED_MOT.search(text):
        if med[1] is not None:
            return Votes(yes=int(med[1]), no=int(med[2]))
        return Votes(yes=int(med[3]), no=int(med[4]))
    return None
