"""``classify`` skips rules by literal hints for speed; it must answer as trying them all."""

from __future__ import annotations

import random

import pytest

from publisher.extract import outcomes
from publisher.model import Outcome

WORDS = (
    "beschlossen einstimmig abgelehnt zur Kenntnis vertagt verwiesen zurückgestellt erledigt "
    "ohne Beschluss approved CARRIED motion lost referred back committee noted elected "
    "appointed avslår bifaller till handlingarna återremiss bordläggs föreslår "
    "kommunfullmäktige att utgår approvata respinta rinviato in commissione prende atto élu "
    "adopté imepitishwa the House met at 10 a.m. question put Lägger informationen "
    # negated approvals, rejected procedural motions, separable verbs, committee proposals
    "beslutar att inte godkänna medge beviljas yrkandet om avslås Återremissyrkandet "
    "ändringsyrkandet lehnt den Antrag auf Vertagung wird abgelehnt ab. ab 2026 not agreed "
    "disagreed n'est pas adopté falt Innstillingen vedtok motion to refer back was lost "
    "Individutskottet socialnämnden Ordföranden Ein Beschluss gefasst keine Mehrheit "
    "wählt Bericht erfolgt Queda retirada medgav utsettelsesforslaget "
    # Dutch, Portuguese, more Swedish, English "as recommended"
    "aangenomen niet verworpen vastgesteld benoemd aangehouden aprovado rejeitada não foi "
    "Baixa à Comissão sem votação eleito adiada förkastas beviljade förrättar val refused as "
    "recommended"
).split()


def every_rule(text: str) -> Outcome:
    # what classify reads: the text without its rejected procedural motions, every time
    text = outcomes.without_rejected_motions(text)
    for outcome, pattern in outcomes._COMPILED:
        if pattern.search(text):
            return outcome
    return Outcome.OTHER


def test_every_rule_has_hints() -> None:
    # a rule without hints is correct but slow: keep new rules starting with a literal word
    assert all(hints is not None for hints in outcomes._HINTS)


@pytest.mark.parametrize("seed", range(5))
def test_hinted_classify_equals_trying_every_rule(seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - test data, not cryptography
    for _ in range(2000):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(1, 9)))
        if rng.random() < 0.3:
            text = text.upper()
        assert outcomes.classify(text) is every_rule(text), text


@pytest.mark.parametrize("text", ["Der Antrag wurde einstimmig beſchloſſen.", "Motion carrİed."])
def test_case_folding_spellings_reach_the_rule_that_matches_them(text: str) -> None:
    # the hint prefilter folds like re.IGNORECASE, so it never skips a rule that would match
    tried = [outcome for outcome, pattern in outcomes._COMPILED if pattern.search(text)]
    assert tried, "no rule matches: the test text is wrong"
    assert outcomes.classify(text) is tried[0]


@pytest.mark.parametrize("seed", range(3))
def test_classify_in_odd_spellings_equals_trying_every_rule(seed: int) -> None:
    # classify tries a rule only where one of its hints stands in the folded text: spellings
    # that re.IGNORECASE equates with the hints' letters (long s, dotted and dotless i, the
    # Kelvin sign) must be found there all the same
    rng = random.Random(seed)  # noqa: S311 - test data, not cryptography
    odd = {"s": "ſ", "i": "İ", "k": "\u212a", "I": "ı", "a": "A", "å": "Å"}
    for _ in range(2000):
        words = [rng.choice(WORDS) for _ in range(rng.randrange(1, 9))]
        text = " ".join(
            "".join(odd.get(c, c) if rng.random() < 0.3 else c for c in word) for word in words
        )
        assert outcomes.classify(text) is every_rule(text), text


MOTION_PIECES = [
    "avslår", "avslå", "med avslag på", "Annas (S)", "yrkandet om", "yrkande att ärendet ska",
    "återremiss", "återremitteras", "bordläggning", "ändringsyrkandet", "Återremissyrkandet",
    "avslås", "föll", "inte", "ej", "och", "lehnt den", "Vertagungsantrag", "Antrag auf",
    "Verweisung", "wird", "abgelehnt", "ab", "findet keine Mehrheit", "The motion to", "refer",
    "defer", "was lost", "fell", "Forslaget om å", "sende saken tilbake", "falt",
    "Utsettelsesforslaget", "ble nedstemt", "bifaller förslaget",
]  # fmt: skip


def test_rejected_motion_expression_has_first_words() -> None:
    # without them every text with a motion word would be searched in full: slow
    assert outcomes._MOTION_STARTS == outcomes._hints(outcomes._REJECTED_MOTION.pattern)


@pytest.mark.parametrize("seed", range(3))
def test_motions_taken_out_where_they_start_equal_the_substitution(seed: int) -> None:
    # classify looks for rejected motions only in a text holding one of _MOTION_WORDS, and
    # tries the expression only where one of its first words stands (found folded as
    # re.IGNORECASE folds: odd spellings of their letters too)
    rng = random.Random(seed)  # noqa: S311 - test data, not cryptography
    odd = {"s": "ſ", "i": "İ", "k": "\u212a", "a": "A", "å": "Å", "ä": "Ä"}
    matched = 0
    for _ in range(3000):
        words = [rng.choice(MOTION_PIECES) for _ in range(rng.randrange(1, 7))]
        text = " ".join(
            "".join(odd.get(c, c) if rng.random() < 0.2 else c for c in word) for word in words
        )
        expected = outcomes.without_rejected_motions(text)
        found = outcomes._HINT_WORDS.found(text)
        assert outcomes._without_motions(text, found) == expected, text
        matched += expected != text
    assert matched > 100  # the texts do name rejected motions
