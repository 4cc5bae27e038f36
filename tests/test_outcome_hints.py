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
    "adopté imepitishwa the House met at 10 a.m. question put Lägger informationen"
).split()


def every_rule(text: str) -> Outcome:
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
