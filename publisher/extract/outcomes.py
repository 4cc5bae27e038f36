"""Map decision wording to the outcome vocabulary: Swedish, German, English, Norwegian, Dutch, and
the Italian, French, Spanish, Portuguese and Swahili of parliamentary records.

Order matters: the first rule that matches wins, and the specific phrases come before the
general ones ("avslår" must win over a later "beslutar", "abgelehnt" over "beschlossen").
A recommendation comes before rejection: "föreslår kommunfullmäktige att avslå motionen" is a
recommendation, the board itself rejected nothing. A negated approval ("beslutar att inte
godkänna", "nicht angenommen", "not agreed to", "n'est pas adopté") comes before the approval
its verb would otherwise match. Each rule is a regular expression matched case-insensitively
against the whole decision text; the original wording is kept beside it.

Before the rules are tried, a rejected motion to refer back or postpone (or a rejected
Swedish amendment) is taken out of the text: "avslår yrkandet om återremiss och beslutar att
…" is decided by the rest, not by the "avslår" and "återremiss" of the motion it turned down.
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
    # "Amendment 3 not moved.": the Westminster formula for an amendment not proceeded with
    (Outcome.WITHDRAWN, r"\bwithdrawn\b|\bstruck\b|\bremoved from the agenda|\bnot moved\b"),
    (Outcome.WITHDRAWN, r"\btrukket\b|\butgikk\b|\butgår\b"),
    # Italian, French, Swahili (Akoma Ntoso debate records)
    (Outcome.WITHDRAWN, r"\britirat[oaie]\b|\bretiré|\bimeondolewa|\biliondolewa"),
    # Spanish: only the result formulas; "la retirada de tropas" is a subject, not a result
    (
        Outcome.WITHDRAWN,
        r"\bqueda retirad[oa]|\bquedan retirad[oa]s|\bha sido retirad[oa]|\bhan sido retirad"
        r"|\bfue retirad[oa]|\bfueron retirad",
    ),
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
    # Portuguese: "Baixa à Comissão de Economia sem votação por 30 dias" (the Assembleia's
    # referral without a vote; after a vote, "baixa à comissão" only routes the approved text)
    (
        Outcome.REFERRED_BACK,
        r"\b(?:baixa|baixou|baixam)\s+(?:à|às|ao|a)\s[^.;]{0,120}?comiss[^.;]{0,160}?"
        r"\bsem\s+vota",
    ),
    # --- postponed / tabled
    (Outcome.POSTPONED, r"bordl(ägg|ägs|äggs|agd|ades)|\bbordläggning|\bskjuts upp"),
    (Outcome.POSTPONED, r"\bvertagt|\bvertagung|\bverschoben|\bzurückgestellt"),
    (Outcome.POSTPONED, r"\bpostponed|\bdeferred|\btabled\b|\bcontinued to\b|\badjourned"),
    (Outcome.POSTPONED, r"\butsatt\b|\butsettes\b|\butsettelse"),
    (Outcome.POSTPONED, r"\brinviat[oaie]\b|\bajourné|\breporté|\bimeahirishwa|\biliahirishwa"),
    (Outcome.POSTPONED, r"\bqueda sobre la mesa|\bse aplaza|\baplazad[oa]"),
    # Dutch "aangehouden" (also "detained", but in council minutes an item held over)
    (Outcome.POSTPONED, r"\baangehouden\b"),
    (Outcome.POSTPONED, r"\badiad[oa]s?\b"),
    # Norwegian: the committee's "innstilling" is what was voted on; "Innstillingen ble
    # bifalt" and "Kommunestyret vedtok innstillingen" are the decision, not a recommendation
    # ("Formannskapet vedtar slik innstilling til kommunestyret" is one). The adoption comes
    # first: "Forslaget fra Sp ble ikke vedtatt. Innstillingen ble vedtatt." adopted it.
    (
        Outcome.APPROVED,
        r"\binnstilling(?:en)?\s+(?:ble\s+|er\s+)?(?:enstemmig\s+)?(?:bifalt|vedtatt|godkjent|vedtas)"
        r"|\b(?:vedtok|vedtar|godkjente|godkjenner)\s+(?:enstemmig\s+)?"
        r"(?:innstillingen\b|[\wæøå-]+s\s+innstilling\b(?!\s+til\b))",
    ),
    # ... and "ikke bifalt" a rejection, as is a recommendation that fell
    (
        Outcome.REJECTED,
        r"\bikke (?:bifalt|vedtatt|godkjent|flertall)|\binnstilling(?:en)?\s+(?:ble\s+)?"
        r"(?:falt|nedstemt)\b",
    ),
    # --- recommendation to another body (föreslår fullmäktige …)
    (
        Outcome.RECOMMENDED,
        r"föreslå[rs]?\s+(kommun|region|landstings)?fullmäktige|\bföreslås\s+"
        r"(kommun|region)?fullmäktige|\bhemställer|\btillstyrk",
    ),
    # a committee proposing to another body: "Individutskottet föreslår socialnämnden att",
    # "… föreslår barn- och utbildningsnämnden besluta att". Not the chair or the office
    # proposing to the body itself ("Ordföranden föreslår nämnden att bifalla"): a decision.
    (
        Outcome.RECOMMENDED,
        r"föreslår?(?<!ordföranden föreslår)(?<!ordföranden föreslå)(?<!ordförande föreslår)"
        r"(?<!förvaltningen föreslår)(?<!förvaltningen föreslå)"
        r"\s+(?:\w+-\s+(?:och|&)\s+)?\w*(?:nämnden|styrelsen|utskottet|direktionen)"
        r"\s+(?:att|besluta)\b",
    ),
    (Outcome.RECOMMENDED, r"\bempfiehlt|empfehlung|\bempfohlen|\bvorberaten|\bvorgeschlagen"),
    # "that the application be refused as recommended" decides as the officers recommended: a
    # decision, not a recommendation to another body ("RECOMMENDED to Council: that …")
    (Outcome.RECOMMENDED, r"\brecommend(?<!\bas recommend)|\bforwarded to (the )?council"),
    (Outcome.RECOMMENDED, r"\btilrår|\binnstilling|\banbefal"),
    # --- rejected
    (
        Outcome.REJECTED,
        r"\bavslå|\bavslag\b|\bavslog\b|\bavslogs|\bavslagits|\bavslagen|\bfaller\b"
        r"|\bförkasta",
    ),
    # A negated approval is a refusal, in every language: "beslutar att inte godkänna",
    # "beviljas inte", "nicht angenommen", "was not agreed to", "n'est pas adopté". Only the
    # decision's own verb: "beslutar att godkänna A och att inte bevilja B" approves A.
    (
        Outcome.REJECTED,
        r"\b(?:beslutar|beslutade|beslöt|beslutas|besluta)\s+att\s+(?:inte|ej|icke)\s+"
        r"(?:godkänna|bevilja|anta|medge|bifalla|tillstyrka|fastställa|tillåta|acceptera)\b"
        r"|\b(?:godkänner|godkänns|beviljar|beviljas|beviljade|antar|antas|medger|medges"
        r"|bifaller|bifalls|tillstyrker|tillstyrks|fastställer|fastställs)\s+(?:inte|ej|icke)\b",
    ),
    (
        Outcome.REJECTED,
        r"\babgelehnt|\bablehnung|\bnicht beschlossen|\bnicht zugestimmt|\bkeine zustimmung"
        r"|\bnicht angenommen|\bnicht genehmigt|\bkeine mehrheit"
        r"|\bnicht die erforderliche mehrheit",
    ),
    # the separable verb: "Der Gemeinderat lehnt den Antrag … ab." ("ab" ends the clause;
    # "lehnt sich an …" and "ab 2026" are no rejection). A sentence may run over dates and
    # abbreviations ("vom 12.03.2025", "Nr. 4"): a "." ends it only before a capital letter.
    (
        Outcome.REJECTED,
        r"\blehn(?:t|te|en|ten)\s(?:[^.;!?\n]|\.(?=\S)|\.\s+(?-i:[a-zäöüß\d])){0,200}?\sab"
        r"(?=\s*(?:[.;,:!?)]|$|und\b|sowie\b))",
    ),
    (
        Outcome.REJECTED,
        r"\brejected|\bdefeated|\bnegatived|\b(motion|amendment|question) (failed|lost)"
        r"|\bdenied|\bfell\b|\bnot agreed|\bdisagreed\b|\bnot carried|\bnot adopted"
        r"|\bnot approved|\bnot passed|\brefused\b",
    ),
    (
        Outcome.REJECTED,
        r"\bavslått|\bavvist|\bikke vedtatt|\bforkastet|\bfalt\b|\bnedstemt",
    ),
    (Outcome.REJECTED, r"\brespint[oaie]\b|\bnon approvat|\bbocciat[oaie]\b|\brejeté|\brefusé"),
    (
        Outcome.REJECTED,
        r"\bpas (?:été )?(?:adopt|approuv|accept|retenu)|\bnon adopté|\bnon approuvé"
        r"|\bnon (?:è |viene |sono |vengono )?(?:stat[oaie] )?(?:approv|accolt)",
    ),
    (Outcome.REJECTED, r"\bimekataliwa|\bilikataliwa"),
    # Dutch; "niet aangenomen" before the approval its verb would match
    (Outcome.REJECTED, r"\bverworpen\b|\bniet (?:aangenomen|goedgekeurd|vastgesteld)\b"),
    # Portuguese; "não foi aprovado" before the approval its verb would match
    (
        Outcome.REJECTED,
        r"\brejeitad[oa]s?\b|\bnão (?:foi |foram |é |são |ser )?aprovad|\bnão aprova",
    ),
    (
        Outcome.REJECTED,
        r"\bse rechaza|\brechazad[oa]s?\b|\bdesestimad[oa]s?\b|\bno se aprueba|\bno aprueba"
        r"|\bno (?:es|fue|ha sido|queda) aprobad",
    ),
    # --- elections
    (
        Outcome.ELECTED,
        r"\bväljer?\b|\bväljs\b|\bvaldes\b|\bvalde\b(?!\s+att\b)|\bvalda?\b|\butse[sr]?\b"
        r"|\butsågs|\bförklarade vald|\bförrätta(?:r|s|de|des)?\s+val\b",
    ),
    # "Der Gemeinderat wählt Frau K. zur Schiedsperson" (not "wählen": "die Variante B zu
    # wählen" chooses, it elects no one)
    (
        Outcome.ELECTED,
        r"\bgewählt|\bwahl\b|\bbestellt|\bbenannt|\bwählt\b|\bwählte\b|\bwiedergewählt",
    ),
    (Outcome.ELECTED, r"\belected\b|\bappointed\b|\bnominated\b"),
    (Outcome.ELECTED, r"\bvalgt\b|\boppnevnt"),
    (Outcome.ELECTED, r"\belett[oaie]\b|\bnominat[oaie]\b|\bélu(e|s|es)?\b"),
    (Outcome.ELECTED, r"\belegid[oa]s?\b|\bse designa\b"),
    (Outcome.ELECTED, r"\bbenoemd\b|\bherbenoemd\b"),
    (Outcome.ELECTED, r"\beleit[oa]s?\b"),
    # --- noted / for information
    (
        Outcome.NOTED,
        r"lägg(a|er|s) .{0,40}till handlingarna|\btill handlingarna|\bnoter(ar|as|ade)"
        r"|\binformationen (tas|togs) emot|\bmed godkännande till protokollet|\banteckna"
        r"|\banses besvarad|\btar del av|\bhar tagit del av|\btackar för informationen",
    ),
    (Outcome.NOTED, r"\bqueda enterad[oa]|\btoma conocimiento|\bse da cuenta"),
    # "Bericht erfolgt" (SessionNet's result for a report given), "Die Anfrage wurde
    # schriftlich beantwortet" (as Swedish "anses besvarad")
    (
        Outcome.NOTED,
        r"\bkenntnis|\bkenntnisnahme|\bzur kenntnis|\bberichtet|\berledigt|\bbeantwortet"
        r"|\b(?:bericht|sachstandsbericht|information|mitteilung|bekanntgabe)\s+(?:ist\s+|wurde\s+)?"
        r"(?:erfolgt|erfolgte|erstattet|gegeben)\b",
    ),
    (Outcome.NOTED, r"\bnoted\b|\breceived and filed|\bfor information|\breport received"),
    (
        Outcome.NOTED,
        r"\btatt til orientering|\btas til orientering|\btil etterretning"
        r"|\bvedlagt protokollen|\bvedlegges protokollen",
    ),
    # "ohne Beschluss", "Ein Beschluss wird nicht gefasst" (no resolution taken) must not
    # reach the approved rule for "Beschluss"
    (
        Outcome.NOTED,
        r"\bohne beschluss|\bpres[oa] d'atto|\bprende atto|\bpris acte|\bprend acte"
        r"|\bkein(?:e|en)?\s+beschluss|\bbeschluss\s+(?:wird|wurde|ist)\s+nicht\s+"
        r"(?:gefasst|erforderlich)",
    ),
    # --- approved
    (
        Outcome.APPROVED,
        r"\bbifall|\bbifaller|\bbiföll|\bbifölls|\bgodkänn|\bantar\b|\bantogs"
        r"|\bantas\b|\bfastställ|\bbeviljar|\bbeviljas|\bbeviljade\b|\bbeslutar|\bbeslutade"
        r"|\bbeslutades|\btillstyrker"
        # consent to a request ("Fullmäktige medger att interpellationen får ställas",
        # "Kammaren medgav att motionstiden förlängdes") grants it, as "beviljar" does
        r"|\bmedger\b|\bmedgav\b|\bmedges\b|\bmedgavs\b",
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
    # Dutch. Not "besloten": "decided" says nothing of the result (and a "besloten
    # vergadering" is a closed session)
    (
        Outcome.APPROVED,
        r"\baangenomen\b|\bgoedgekeurd\b|\bvastgesteld\b",
    ),
    (Outcome.APPROVED, r"\baprovad[oa]s?\b"),
)

_COMPILED = tuple((outcome, re.compile(pattern, re.IGNORECASE)) for outcome, pattern in _RULES)

# A rejected motion to refer back or to postpone, or a rejected amendment, is not the outcome
# of the matter: "avslår yrkandet om återremiss och beslutar att anvisa 18,5 miljoner" decided
# the matter, and its "avslår" and "återremiss" say nothing about that decision. Such phrases
# are taken out before the rules are tried, so the rest of the text decides ("… och bifaller
# förslaget": approved; "… och avslår motionen": rejected); when nothing else is said the
# outcome is ``other``, not the motion's. Only motions that are never the matter itself: an
# agenda item is not a motion to refer back, and a Swedish "ändringsyrkande" is made at the
# meeting, whereas a "motion" or an English "amendment" may be the item.
_SV_MOTION = (
    r"(?:(?:återremiss|bordläggnings|ajournerings|ändrings|tilläggs)yrkande(?:t|na|n)?"
    r"|(?:yrkande(?:t|na|n)?|förslage[tn])\s+(?:om|om\s+att|att)\s+(?:ärendet\s+(?:ska|skall)\s+)?"
    r"(?:återremi|bordl|ajourn)\w*)"
)
#: a few words (an owner: "Anna Anderssons (S)") between the verb and the motion, but not
#: another object ("avslår motionen och yrkandet om återremiss" rejected the motion)
_OWNER = r"(?:(?!och\b|samt\b|men\b|,)[\w().-]+\s+){0,5}?"
_DE_MOTION = (
    r"(?:(?:geschäftsordnungsantrag|antrag)\s+auf\s+(?:vertagung|zurückstellung|verweisung"
    r"|rückverweisung|überweisung|absetzung)\w*"
    r"|(?:vertagungs|zurückstellungs|verweisungs|rückverweisungs|überweisungs|absetzungs)antrag\w*)"
)
_REJECTED_MOTION = re.compile(
    # Swedish: "avslår (Annas) yrkande om återremiss", "med avslag på återremissyrkandet",
    # "yrkandet om bordläggning (från X) avslås", "ärendet ska inte återremitteras"
    rf"\b(?:avslår|avslog|avslå)\s+(?:därmed\s+)?{_OWNER}{_SV_MOTION}\b"
    rf"|\bavslag\s+(?:på|av|till)\s+{_OWNER}{_SV_MOTION}\b"
    rf"|\b{_SV_MOTION}(?:\s+(?:från|av)\s+[^.;,]{{1,60}}?)?\s+"
    r"(?:avslås|avslogs|har\s+avslagits|faller|föll)\b"
    r"|\b(?:inte|icke)\s+(?:ska\s+|skall\s+)?(?:återremitteras|bordläggas)\b"
    r"|\bej (?:ska |skall )?(?:återremitteras|bordläggas)\b"
    # German: "Der Antrag auf Vertagung wird abgelehnt", "lehnt den Vertagungsantrag ab"
    rf"|\b{_DE_MOTION}[^.;]{{0,120}}?\b(?:wird|wurde|ist)\s+(?:\w+\s+){{0,2}}?abgelehnt"
    rf"|\b{_DE_MOTION}\s+(?:findet|fand|erhält|erhielt)\s+keine\s+mehrheit"
    rf"|\blehn(?:t|te|en|ten)\s+(?:den|einen)\s+(?:\w+\s+){{0,3}}?{_DE_MOTION}[^.;]{{0,80}}?\sab\b"
    # English: "The motion to refer the item back was lost"
    r"|\b(?:motion|amendment|proposal)\s+to\s+(?:refer|defer|postpone|adjourn|table|recommit)\b"
    r"[^.;]{0,150}?\b(?:(?:was|were|is)\s+(?:lost|defeated|rejected|negatived|withdrawn"
    r"|not\s+carried|not\s+agreed(?:\s+to)?)|fell|failed)\b"
    # Norwegian: "Forslaget fra X om å sende saken tilbake falt", "Utsettelsesforslaget falt"
    r"|\butsettelsesforslag(?:et)?\s+(?:ble\s+)?(?:falt|nedstemt|ikke\s+vedtatt|forkastet|avvist)"
    r"|\bforslag(?:et)?\s+(?:fra\s+[^.;]{1,80}?\s+)?om\s+(?:å\s+)?(?:utsette\s+saken|utsettelse"
    r"|sende\s+saken\s+tilbake|tilbakesending)[^.;]{0,60}?\s(?:falt|ble\s+nedstemt"
    r"|ble\s+ikke\s+vedtatt|ble\s+forkastet|ble\s+avvist|fikk\s+ikke\s+flertall)\b",
    re.IGNORECASE,
)
#: every match of _REJECTED_MOTION holds one of these (its motion), folded as ``fold`` folds;
#: a text holding none is not searched
_MOTION_WORDS = (
    "återremi", "bordl", "ajourn", "ändringsyrkand", "tilläggsyrkand", "vertagung",
    "zurückstellung", "verweisung", "überweisung", "absetzung", "refer", "defer", "postpon",
    "adjourn", "table", "recommit", "utsett", "tilbake",
)  # fmt: skip
#: every match of _REJECTED_MOTION starts with one of these (its first words): it is tried
#: only where one stands (``_without_motions``), as the rules are (``_search_at``)
_MOTION_STARTS: tuple[str, ...] = _hints(_REJECTED_MOTION.pattern) or ()


def without_rejected_motions(text: str) -> str:
    """``text`` without the rejected procedural motions and amendments it mentions (each
    becomes a space): what the outcome rules read."""
    return _REJECTED_MOTION.sub(" ", text)


def _without_motions(text: str, found: frozenset[str]) -> str:
    """``without_rejected_motions(text)``, given the words of ``_HINT_WORDS`` that ``text``
    holds (``found``). Speed only, the same answer: a text that names no motion
    (``_MOTION_WORDS``) has none to take out, and a match can only start where one of its
    first words does (``_MOTION_STARTS``, found in ``fold(text)`` at the very place, as in
    ``_search_at``), so the expression is tried there, left to right, each match from the
    end of the last, as ``re.sub`` takes them: one search of a long alternation costs forty
    times a scan for words."""
    if found.isdisjoint(_MOTION_SET):
        return text
    starts = [word for word in _MOTION_STARTS if word in found]
    if not starts:
        return text
    folded = fold(text)
    places: set[int] = set()
    for word in starts:
        at = folded.find(word)
        while at >= 0:
            places.add(at)
            at = folded.find(word, at + 1)
    parts: list[str] = []
    end = 0
    for at in sorted(places):
        if at < end:
            continue
        match = _REJECTED_MOTION.match(text, at)
        if match is not None:
            parts.append(text[end:at])
            parts.append(" ")
            end = match.end()
    if not parts:
        return text
    parts.append(text[end:])
    return "".join(parts)


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
# the hints found are the candidates, the same as testing every hint with ``in``. The same
# pass tells whether the text names a motion (``_MOTION_WORDS``), which no rule is keyed by.
_HINT_WORDS = WordSet((*_ALL_HINTS, *_MOTION_WORDS, *_MOTION_STARTS))
_MOTION_SET = frozenset(_MOTION_WORDS)
_NO_RULES: frozenset[int] = frozenset()
#: the hints found in a text → the rules they admit (hint sets recur: texts of one language
#: say the same few things)
_CANDIDATES: dict[frozenset[str], tuple[int, ...]] = {}


def _candidates(found: frozenset[str]) -> tuple[int, ...]:
    rules = _CANDIDATES.get(found)
    if rules is None:
        rules = tuple(
            sorted(_UNHINTED.union(*(_RULES_BY_HINT.get(hint, _NO_RULES) for hint in found)))
        )
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
    found = _HINT_WORDS.found(text)
    rest = _without_motions(text, found)
    if rest != text:
        text, found = rest, _HINT_WORDS.found(rest)
    folded = None
    for outcome, pattern, hints in _plan(found):
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
