"""Map decision wording to the outcome vocabulary: Swedish, German, English, Norwegian, and the
Italian, French, Spanish and Swahili of parliamentary records.

Order matters: the first rule that matches wins, and the specific phrases come before the
general ones ("avslår" must win over a later "beslutar", "abgelehnt" over "beschlossen").
A recommendation comes before rejection: "föreslår kommunfullmäktige att avslå motionen" is a
recommendation, the board itself rejected nothing. Each rule is a regular expression matched
case-insensitively against the whole decision text; the original wording is kept beside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from publisher.model import Outcome
from publisher.text import WordSet, fold
from publisher.text import pattern_hints as _hints

_RULES: tuple[tuple[Outcome, str], ...] = (
    # German "zurückgestellt" is deferred, not withdrawn: it must win over the withdrawn rule
    (Outcome.POSTPONED, r"\bzurückgestellt"),
    # --- withdrawn / struck from the agenda
    (Outcome.WITHDRAWN, r"\butgår\b|\bavförs\b|\bstryks från dagordningen|\bdras tillbaka"),
    (Outcome.WITHDRAWN, r"\bzurückgezogen|\bzurückgestellt|\babgesetzt|\bentfällt|\bentfallen"),
    (Outcome.WITHDRAWN, r"\bwithdrawn\b|\bstruck\b|\bremoved from the agenda"),
    (Outcome.WITHDRAWN, r"\btrukket\b|\butgikk\b|\butgår\b"),
    # Italian, French, Swahili (Akoma Ntoso debate records)
    (Outcome.WITHDRAWN, r"\britirat[oaie]\b|\bretiré|\bimeondolewa|\biliondolewa"),
    # --- referred back
    (Outcome.REFERRED_BACK, r"återremi(ss|tter|tera)|\båterförvisa"),
    (Outcome.REFERRED_BACK, r"\bverwiesen\b|\bzurückverwiesen|\büberwiesen|\bverweisung"),
    (
        Outcome.REFERRED_BACK,
        r"\breferred back|\brecommitted|\bremanded|\breferred to (the )?committee",
    ),
    (Outcome.REFERRED_BACK, r"\bsendes tilbake|\bsendt tilbake|\btilbakesend"),
    (
        Outcome.REFERRED_BACK,
        r"\b(rinviat|riman?dat)[oaie] in commissione|\brenvoyée? en commission",
    ),
    # --- postponed / tabled
    (Outcome.POSTPONED, r"bordl(ägg|ägs|äggs|agd|ades)|\bbordläggning|\bskjuts upp"),
    (Outcome.POSTPONED, r"\bvertagt|\bvertagung|\bverschoben|\bzurückgestellt"),
    (Outcome.POSTPONED, r"\bpostponed|\bdeferred|\btabled\b|\bcontinued to\b|\badjourned"),
    (Outcome.POSTPONED, r"\butsatt\b|\butsettes\b|\butsettelse"),
    (Outcome.POSTPONED, r"\brinviat[oaie]\b|\bajourné|\breporté|\bimeahirishwa|\biliahirishwa"),
    (Outcome.POSTPONED, r"\bqueda sobre la mesa|\bse aplaza|\baplazad[oa]"),
    # Norwegian: the committee's "innstilling" is what was voted on; "Innstillingen ble
    # bifalt" is the decision, not a recommendation (and "ikke bifalt" a rejection)
    (Outcome.REJECTED, r"\bikke (?:bifalt|vedtatt|godkjent)"),
    (
        Outcome.APPROVED,
        r"\binnstilling(?:en)?\s+(?:ble\s+|er\s+)?(?:enstemmig\s+)?(?:bifalt|vedtatt|godkjent)",
    ),
    # --- recommendation to another body (föreslår fullmäktige …)
    (
        Outcome.RECOMMENDED,
        r"föreslå[rs]?\s+(kommun|region|landstings)?fullmäktige|\bföreslås\s+"
        r"(kommun|region)?fullmäktige|\bhemställer|\btillstyrk"
        r"|föreslår\s+(kommun|region)styrelsen\s+att",
    ),
    (Outcome.RECOMMENDED, r"\bempfiehlt|empfehlung|\bempfohlen|\bvorberaten|\bvorgeschlagen"),
    (Outcome.RECOMMENDED, r"\brecommend|\bforwarded to (the )?council"),
    (Outcome.RECOMMENDED, r"\btilrår|\binnstilling|\banbefal"),
    # --- rejected
    (
        Outcome.REJECTED,
        r"\bavslå|\bavslag\b|\bavslog\b|\bavslogs|\bavslagits|\bavslagen|\bfaller\b",
    ),
    (
        Outcome.REJECTED,
        r"\babgelehnt|\bablehnung|\bnicht beschlossen|\bnicht zugestimmt|\bkeine zustimmung",
    ),
    (
        Outcome.REJECTED,
        r"\brejected|\bdefeated|\bnegatived|\b(motion|amendment|question) (failed|lost)"
        r"|\bdenied|\bfell\b",
    ),
    (Outcome.REJECTED, r"\bavslått|\bavvist|\bikke vedtatt|\bforkastet"),
    (Outcome.REJECTED, r"\brespint[oaie]\b|\bnon approvat|\bbocciat[oaie]\b|\brejeté|\brefusé"),
    (Outcome.REJECTED, r"\bimekataliwa|\bilikataliwa"),
    (Outcome.REJECTED, r"\bse rechaza|\brechazad[oa]s?\b|\bdesestimad[oa]s?\b"),
    # --- elections
    (
        Outcome.ELECTED,
        r"\bväljer?\b|\bväljs\b|\bvaldes\b|\bvalde\b(?!\s+att\b)|\bvalda?\b|\butse[sr]?\b"
        r"|\butsågs|\bförklarade vald",
    ),
    (Outcome.ELECTED, r"\bgewählt|\bwahl\b|\bbestellt|\bbenannt"),
    (Outcome.ELECTED, r"\belected\b|\bappointed\b|\bnominated\b"),
    (Outcome.ELECTED, r"\bvalgt\b|\boppnevnt"),
    (Outcome.ELECTED, r"\belett[oaie]\b|\bnominat[oaie]\b|\bélu(e|s|es)?\b"),
    (Outcome.ELECTED, r"\belegid[oa]s?\b|\bse designa\b"),
    # --- noted / for information
    (
        Outcome.NOTED,
        r"lägg(a|er|s) .{0,40}till handlingarna|\btill handlingarna|\bnoter(ar|as|ade)"
        r"|\binformationen (tas|togs) emot|\bmed godkännande till protokollet|\banteckna"
        r"|\banses besvarad|\btar del av|\bhar tagit del av|\btackar för informationen",
    ),
    (Outcome.NOTED, r"\bqueda enterad[oa]|\btoma conocimiento|\bse da cuenta"),
    (Outcome.NOTED, r"\bkenntnis|\bkenntnisnahme|\bzur kenntnis|\bberichtet|\berledigt"),
    (Outcome.NOTED, r"\bnoted\b|\breceived and filed|\bfor information|\breport received"),
    (
        Outcome.NOTED,
        r"\btatt til orientering|\btas til orientering|\btil etterretning"
        r"|\bvedlagt protokollen|\bvedlegges protokollen",
    ),
    # "ohne Beschluss" (no resolution taken) must not reach the approved rule for "Beschluss"
    (Outcome.NOTED, r"\bohne beschluss|\bpres[oa] d'atto|\bprende atto|\bpris acte|\bprend acte"),
    # --- approved
    (
        Outcome.APPROVED,
        r"\bbifall|\bbifaller|\bbiföll|\bbifölls|\bgodkänn|\bantar\b|\bantogs"
        r"|\bantas\b|\bfastställ|\bbeviljar|\bbeviljas|\bbeslutar|\bbeslutade|\bbeslutades|\btillstyrker",
    ),
    (
        Outcome.APPROVED,
        r"\bbeschlossen|\bbeschluss\b|\bangenommen|\bzugestimmt|\bgenehmigt"
        r"|\bbestätigt|\beinstimmig|\bmehrheitlich\b(?!.*abgelehnt)|\bzustimmung",
    ),
    (
        Outcome.APPROVED,
        r"\bapproved|\badopted|\bcarried\b|\bpassed\b|\bagreed\b|\bconfirmed\b"
        r"|\bratified|\baccepted\b",
    ),
    (Outcome.APPROVED, r"\bvedtatt|\bvedtok|\bvedtas|\bgodkjent|\bgodkjenner|\bbifalt|\benstemmig"),
    (
        Outcome.APPROVED,
        r"\bapprovat[oaie]\b|\badottat[oaie]\b|\baccolt[oaie]\b|\bapprouvé|\badopté"
        r"|\badopte\b|\bapprouve\b|\bapprova(?:no)?\b",
    ),
    (Outcome.APPROVED, r"\bse aprueba|\baprobad[oa]s?\b|\baprueba\b"),
    (Outcome.APPROVED, r"\bimepitishwa|\bilipitishwa|\bimekubaliwa|\bilikubaliwa"),
)

_COMPILED = tuple((outcome, re.compile(pattern, re.IGNORECASE)) for outcome, pattern in _RULES)


# Speed only, same answers: a rule whose every branch starts with a literal word cannot match
# a text that contains none of those words, and a substring test is ~20x cheaper than a
# search. Most text blocks in a record state no result, so most rules are skipped.
_HINTS = tuple(_hints(pattern) for _outcome, pattern in _RULES)
#: hint → indices of the rules it admits; rules without hints are always tried
_RULES_BY_HINT: dict[str, frozenset[int]] = {}
for _index, _rule_hints in enumerate(_HINTS):
    for _hint in _rule_hints or ():
        _RULES_BY_HINT[_hint] = _RULES_BY_HINT.get(_hint, frozenset()) | {_index}
_ALL_HINTS = tuple(_RULES_BY_HINT)
_UNHINTED = frozenset(i for i, rule_hints in enumerate(_HINTS) if rule_hints is None)


# Which hints occur in a text (folded as ``re.IGNORECASE`` folds), in one pass: the rules of
# the hints found are the candidates, the same as testing every hint with ``in``.
_HINT_WORDS = WordSet(_ALL_HINTS)
#: the hints found in a text → the rules they admit (hint sets recur: texts of one language
#: say the same few things)
_CANDIDATES: dict[frozenset[str], tuple[int, ...]] = {}


def _candidates(found: frozenset[str]) -> tuple[int, ...]:
    rules = _CANDIDATES.get(found)
    if rules is None:
        rules = tuple(sorted(_UNHINTED.union(*(_RULES_BY_HINT[hint] for hint in found))))
        if len(_CANDIDATES) < 4096:
            _CANDIDATES[found] = rules
    return rules


_UNANIMOUS = re.compile(
    r"\beinstimmig|\bunanim|\benhällig|\benstämmig|\benstemmig|\bwithout objection|\bnem\.? con",
    re.IGNORECASE,
)


#: one rule to try: its outcome, its expression, and the hints of it that the text holds
#: (``None``: the rule has no hints and is searched for everywhere)
_Step = tuple[Outcome, re.Pattern[str], tuple[str, ...] | None]
#: the hints found in a text → the rules they admit, in order, as steps
_PLANS: dict[frozenset[str], tuple[_Step, ...]] = {}


def _plan(found: frozenset[str]) -> tuple[_Step, ...]:
    plan = _PLANS.get(found)
    if plan is None:
        steps = []
        for index in _candidates(found):
            outcome, pattern = _COMPILED[index]
            rule_hints = _HINTS[index]
            held = None if rule_hints is None else tuple(h for h in rule_hints if h in found)
            steps.append((outcome, pattern, held))
        plan = tuple(steps)
        if len(_PLANS) < 4096:
            _PLANS[found] = plan
    return plan


def classify(text: str | None) -> Outcome:
    """The outcome for a piece of decision wording; ``other`` when nothing matches."""
    if not text:
        return Outcome.OTHER
    folded = None
    for outcome, pattern, hints in _plan(_HINT_WORDS.found(text)):
        if hints is None:  # a rule without hints is searched for everywhere
            if pattern.search(text):
                return outcome
            continue
        if folded is None:
            folded = fold(text)
        if _search_at(pattern, hints, text, folded):
            return outcome
    return Outcome.OTHER


def _search_at(pattern: re.Pattern[str], hints: Iterable[str], text: str, folded: str) -> bool:
    r"""``pattern.search(text) is not None`` for a pattern whose every match starts with one of
    its hints, given those of them that ``text`` holds (folded: ``folded``, ``fold(text)``).

    Speed only, the same answer: every match starts with a hint (``\b`` consumes nothing),
    and where a match starts in ``text`` its hint stands in ``fold(text)`` at the same place
    (``fold`` keeps every character in its place, and folds each that re.IGNORECASE equates
    with a letter of a hint to that letter: pinned by tests). So the expression is tried only
    there, with ``match`` (its ``\b`` still sees the character before), not at every
    character."""
    for hint in hints:
        at = folded.find(hint)
        while at >= 0:
            if pattern.match(text, at):
                return True
            at = folded.find(hint, at + 1)
    return False


# Speed only, same answers: every branch of _UNANIMOUS starts with one of these words, so a
# text that holds none of them case-folded (``fold``, as re.IGNORECASE folds) is not searched.
_UNANIMOUS_HINTS = _hints(_UNANIMOUS.pattern)
_UNANIMOUS_WORDS = WordSet(_UNANIMOUS_HINTS) if _UNANIMOUS_HINTS else None


def is_unanimous(text: str | None) -> bool | None:
    """True when the wording says so; ``None`` (unknown) otherwise, never a guessed False."""
    if not text:
        return None
    if _UNANIMOUS_WORDS is None:  # pragma: no cover - without the parser's hints
        return True if _UNANIMOUS.search(text) else None
    hints = _UNANIMOUS_WORDS.found(text)
    if hints and _search_at(_UNANIMOUS, hints, text, fold(text)):
        return True
    return None
