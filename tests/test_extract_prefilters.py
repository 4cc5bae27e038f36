"""The speed-only prefilters of extraction and privacy never skip what the full test would find.

Each prefilter is checked against the exact (slow) test it stands in for, on hand-picked edge
cases (other scripts' digits, characters that case-fold to ASCII letters, control characters
in every encoding) and on seeded random strings built from the characters that matter.
"""

from __future__ import annotations

import importlib
import random
import re
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from publisher import privacy
from publisher import text as text_module
from publisher.errors import UnsafeDocument
from publisher.extract import (
    ExtractOptions,
    dates,
    outcomes,
    parsing,
    sv_html,
    votecounts,
)
from publisher.model import Outcome

_DIGITY = "0123456789١٢٣٤٥٦٧٨٩０１２３４５６７８９ -\n\u2013åäöxİıſK\ud7ff"


def _rng(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 - reproducible test data, not secrets


def _random_strings(alphabet: str, count: int = 3000, seed: int = 11) -> list[str]:
    rng = _rng(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24))) for _ in range(count)]


@pytest.mark.parametrize(
    "text",
    ["123456", "١٢٣٤٥٦", "12٣4５6", "811218-9876", "x19811218 9876y", "12345", "åäöåäö", ""],
)
def test_digit_count_prefilter_admits_every_run(text: str) -> None:
    if privacy._NUMBER_SHAPE.search(text):
        assert privacy._may_have_ten_digits(text)


def test_digit_count_prefilter_is_a_superset_on_random_text() -> None:
    for text in _random_strings(_DIGITY):
        if privacy._NUMBER_SHAPE.search(text):
            assert privacy._may_have_ten_digits(text), text


def _shape_starts(text: str) -> list[int]:
    """Every index where ``_NUMBER_SHAPE`` matches (overlapping ones too)."""
    return [i for i in range(len(text)) if privacy._NUMBER_SHAPE.match(text, i)]


def test_c_number_scan_finds_every_index_where_the_shape_begins() -> None:
    if privacy._number_start is None:
        pytest.fail("publisher._speedups is not built")
    alphabet = _DIGITY + "0123456789%25DFa&#;ndashmp/._:+\u00b7\u2212\u00a0\u200b\u2009"
    checked = 0
    for text in _random_strings(alphabet, count=20000, seed=15):
        for start in _shape_starts(text):
            checked += 1
            # the first candidate at or after any index before a match is at or before it
            assert 0 <= privacy._number_start(text, start) <= start, (text, start)
        candidates = []
        position = privacy._number_start(text, 0)
        while position >= 0:
            candidates.append(position)
            position = privacy._number_start(text, position + 1)
        assert set(_shape_starts(text)) <= set(candidates), text
    assert checked > 200


def test_number_runs_are_finditer_with_and_without_the_c_scan(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = _random_strings(_DIGITY + "0123456789%2D-", count=5000, seed=16)
    texts += ["19811218-9876 och 811218 9876", "%2019811218–9876", "x" * 50 + "8112189876"]
    expected = [[m.span() for m in privacy._NUMBER_SHAPE.finditer(t)] for t in texts]
    for c_scan in (privacy._number_start, None):
        monkeypatch.setattr(privacy, "_number_start", c_scan)
        assert [[m.span() for m in privacy._runs(t, 0)] for t in texts] == expected
        assert [privacy._shape_search(t) is not None for t in texts] == [bool(e) for e in expected]


def test_number_shape_is_in_every_personnummer_match() -> None:
    # the shape is the gate to the full pattern: it must hold wherever the pattern matches
    matched = 0
    for text in _random_strings(_DIGITY + "0123456789+\u2212\u00a0", count=20000, seed=12):
        for found in privacy._PNR.finditer(text):
            matched += 1
            assert privacy._NUMBER_SHAPE.search(found.group(0)), found.group(0)
    assert matched > 100  # the random texts do hold numbers of that form


def test_number_shape_passes_over_ids_and_urls() -> None:
    for text in ("prot-202223--013", "/download/18.7c1d2e/17189/x.pdf", "Dnr KS 2024/1234"):
        assert privacy._NUMBER_SHAPE.search(text) is None


def test_personnummer_in_another_script_is_still_masked() -> None:
    digits = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    assert privacy.mask_all("Sökande 811218-9876".translate(digits)) == f"Sökande {privacy.MASK}"


@pytest.mark.parametrize("text", ["ſekretess", "İN CAMERA", "SEKRETESS", "KLOSED", "ıı", "plain"])
def test_fold_matches_full_case_folding(text: str) -> None:
    assert text_module.fold(text) == text.translate(text_module._FOLD).lower()


def test_fold_on_random_text() -> None:
    for text in _random_strings("aAöÖİıſKkSsé ", seed=13):
        assert text_module.fold(text) == text.translate(text_module._FOLD).lower()


def test_outcome_hint_finder_finds_every_hint() -> None:
    hints = list(outcomes._ALL_HINTS)
    rng = _rng(14)
    for _ in range(3000):
        parts = [
            rng.choice(hints)[: rng.randint(1, 14)] if rng.random() < 0.7 else rng.choice("a ö")
            for _ in range(rng.randint(0, 6))
        ]
        lowered = rng.choice(["", " "]).join(parts)
        expected: set[int] = set()
        for hint in hints:
            if hint in lowered:
                expected |= outcomes._RULES_BY_HINT[hint]
        found = set(outcomes._candidates(outcomes._HINT_WORDS.found(lowered)))
        assert found == expected | outcomes._UNHINTED, lowered


@pytest.mark.parametrize(
    "data",
    [
        b'<!DOCTYPE x [<!ENTITY a "b">]><x/>',
        b'<!doctype x [<!entity a "b">]><x/>',
        b'<x/><!EnTiTy a "b">',
        b"<!<!ENTITY",
    ],
)
def test_entity_declarations_are_refused(data: bytes) -> None:
    with pytest.raises(UnsafeDocument):
        parsing._refuse_entities(data)


def test_entity_refusal_matches_the_expression() -> None:
    rng = _rng(15)
    pieces = [b"<!", b"ENTITY", b"entity", b"EnTi", b"TY", b"<", b"!", b"x", b" ", b"<!--"]
    for _ in range(3000):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        refused = parsing._ENTITY_DECL.search(data) is not None
        try:
            parsing._refuse_entities(data)
        except UnsafeDocument:
            assert refused, data
        else:
            assert not refused, data


def test_control_count_matches_the_expression() -> None:
    rng = _rng(16)
    pieces = ["a", "å", "\x00", "\x08", "\t", "\n", "\x1f", "\x7f", "\x80", "\x85", "\x9f", "€"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        expected = len(parsing._CONTROL.findall(text))
        assert parsing._control_count(text, text.encode("utf-8")) == expected, text
        latin = text.encode("latin-1", "replace").decode("latin-1")
        assert parsing._control_count(latin, None, latin.encode("latin-1"), c1=True) == len(
            parsing._CONTROL.findall(latin)
        )
        try:
            raw = text.encode("cp1252")
        except UnicodeEncodeError:
            continue
        try:
            decoded = raw.decode("cp1252")
        except UnicodeDecodeError:
            continue
        assert parsing._control_count(decoded, None, raw) == len(parsing._CONTROL.findall(decoded))


def test_raw_text_is_itertext() -> None:
    root = etree.fromstring(
        b"<r><a>x<!--c-->y<b>z<?pi q?>w</b>t<![CDATA[cd]]></a>tail<e/><f>only</f></r>"
    )
    for el in root.iter():
        if isinstance(el.tag, str):
            text = parsing.raw_text(el)
            assert text == "".join(el.itertext())
            assert type(text) is str


def test_start_strings_lists_what_a_match_can_begin_with() -> None:
    starts = text_module.start_strings(r"(?:protokollet\s+)?anslogs|tid|datum\s+då", 3, re.I)
    assert starts == {"pro", "ans", "tid", "dat"}
    # a match that may be shorter, or a class first: no fixed start
    assert text_module.start_strings(r"ej\s+x", 3) is None
    assert text_module.start_strings(r"[a-z]+", 2) is None
    assert text_module.start_strings(r"\bſek", 3, re.I) == {"sek"}  # folded as fold folds


def test_header_label_prefilter_passes_every_label() -> None:
    # every spelling the labels know, in random case and with ſ/K/İ, inside random cells
    pieces = [
        "Datum då anslaget sätts upp", "Justeringens plats och tid", "Ej tjänstgörande ersättare",
        "ORDFÖRANDE", "ordf.", "Utses att justera", "Paragrafer", "Anslag / bevis", "tid",
        "ſekreterare", "Plats och tid", "Beslutande", "Närvarande", "ej\ttjänstgörande", "Anna",
        "2024-06-18", ": ", " ", "....", "Övriga", "İnstans", "\u212aommun",
    ]  # fmt: skip
    rng = _rng(17)
    for _ in range(4000):
        cell = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 4)))
        for pos in range(len(cell)):
            expected = sv_html._HEADER_AT.match(cell, pos)
            found = sv_html._label_at(cell, pos)
            assert (found and found.span()) == (expected and expected.span()), (cell, pos)


def test_personnummer_search_from_candidates_is_the_full_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if privacy._number_start is None:
        pytest.fail("publisher._speedups is not built")
    alphabet = _DIGITY + "0123456789%2D-+19"
    texts = _random_strings(alphabet, count=8000, seed=18)
    texts += ["%2019811218–9876", "19811218-9876", "x 811218 9876 y", "2018112189876"]
    # a text full of numbers (the candidates are read as the search goes: no longer all first)
    texts += ["8503121230 " * 60, "85031212301" * 30, "19" + "8503121231" * 20]
    for text in texts:
        for pos in range(0, len(text) + 1, 3):
            expected = privacy._PNR.search(text, pos)
            found = privacy._pnr_search(text, pos)
            assert (found and found.span()) == (expected and expected.span()), (text, pos)
    masked = [privacy._mask_text(t) for t in texts]
    monkeypatch.setattr(privacy, "_number_start", None)
    assert [privacy._mask_text(t) for t in texts] == masked


def test_noise_and_role_prefilters_pass_what_the_expressions_match() -> None:
    pieces = [
        "Justerandes sign", "JUSTERARES SIGNATUR", "ſida 3 (9)", "Sid 2", "12 (14)", "٣ (٤)",
        "Utdragsbestyrkande", "Ordförandes sign.", "sekreterarens signatur", "Anna Berg",
        "ordförande", "vice ordförande", "2:e vice ORDFÖRANDE", "ordf.", "tjänstgörande ersättare",
        "Ledamot", "adjungerad", "för", "§ 4", ", ", " ", "\t", "ſekreterare", "Kommunſekreterare",
    ]  # fmt: skip
    rng = _rng(19)
    for _ in range(6000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 3)))
        cells = [c.strip() for c in text.split("\t") if c.strip()]
        noise = bool(cells) and all(sv_html._NOISE.fullmatch(c) for c in cells)
        assert sv_html._is_noise(text) == noise, text
        cut = sv_html._ROLE_CUT.split(text, maxsplit=1)[0]
        match = sv_html._ROLE.search(cut) if len(text) >= 4 else None
        assert (sv_html._role(text) is not None) == (match is not None), text


def test_number_first_counts_match_as_first_written() -> None:
    # ``_NUMBER_FIRST`` checks "not after a digit, nor after a digit and one of .:/" after its
    # first digit instead of before it; the matches must be the very same
    labels = "|".join(re.escape(label) for label in votecounts._LABELS_BY_LENGTH)
    as_written = re.compile(
        rf"(?<!\d)(?<!\d[.:/])(?P<n>\d{{1,4}})\s*(?P<label>{labels})(?![\w-])", re.IGNORECASE
    )
    rng = _rng(18)
    pieces = ["1", "23", "4567", "٣", ".", ":", "/", " ", "-", "ja", "Nein", "Noes", "x", "ſ"]
    matched = 0
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        expected = [(m.span(), m.groupdict()) for m in as_written.finditer(text)]
        assert [(m.span(), m.groupdict()) for m in votecounts._NUMBER_FIRST.finditer(text)] == (
            expected
        ), text
        matched += bool(expected)
    assert matched > 500


def test_words_match_only_where_the_folded_text_holds_them() -> None:
    # what classify and is_unanimous rely on to try an expression only where one of its hints
    # starts in fold(text), and the label gate of find_votes: every character re.IGNORECASE
    # equates with a letter of these words folds to that letter (and fold keeps every
    # character in its place: see tests/test_tei.py)
    everything = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    words = [*votecounts._CATEGORY, *outcomes._ALL_HINTS, *(outcomes._UNANIMOUS_HINTS or ())]
    words += [*outcomes._MOTION_WORDS, *outcomes._MOTION_STARTS, *votecounts._COUNT_WORDS.words]
    for letter in sorted(set("".join(words))):
        matching = re.findall(re.escape(letter), everything, re.IGNORECASE)
        assert {text_module.fold(c) for c in matching} == {letter}, letter


@pytest.mark.parametrize(
    ("pattern", "parts"),
    [
        (r"a|b", ["a", "b"]),
        (r"a\|b|c", [r"a\|b", "c"]),
        (r"[|]|(?:x|y)|[]|]z|[^]|]", ["[|]", "(?:x|y)", "[]|]z", "[^]|]"]),
        (r"\((?:a|b)\)|\\|d", [r"\((?:a|b)\)", "\\\\", "d"]),
    ],
)
def test_top_level_alternatives_split_only_at_the_top(pattern: str, parts: list[str]) -> None:
    assert privacy._alternatives(pattern) == parts


def test_secrecy_search_by_hints_answers_as_the_whole_expression() -> None:
    # after the gate, only the alternatives of _SECRECY whose first words the text holds are
    # searched: never a different answer than searching them all
    assert all(hints is not None for _part, hints in privacy._SECRECY_PARTS)  # else: slower
    assert "|".join(part for part, _hints in privacy._SECRECY_PARTS) == privacy._SECRECY.pattern
    pieces = [
        *"sekretess OSL enligt 26 kap. 1 § särskilt protokoll (sekr.) sekrl nicht öffentlich "
        "Nichtöffentlich lukket møde in camera closed session met sat heard held taking took "
        "the item in private (closed) (confidential) (exempt) exempt information exclude "
        "excluding press and public were excluded withdrew strangers neveřejn".split(),
        "ſekretess", "İN CAMERA", "\u212aLOSED", "\n", "-", " ", "  ", "x", "(", ")", ".",
    ]  # fmt: skip
    rng = _rng(19)
    matched = 0
    for _ in range(6000):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        if rng.random() < 0.3:
            text = text.upper()
        expected = privacy._SECRECY.search(text) is not None
        assert privacy._secrecy_search(text) == expected, text
        matched += expected
    assert matched > 1000


def test_clean_makes_control_characters_spaces_as_before_the_split() -> None:
    # clean splits first and replaces control characters only when the joined text has any
    def as_first_written(text: str) -> str | None:
        import unicodedata

        if not text.isascii():
            text = unicodedata.normalize("NFC", text)
            # the characters that are not seen are removed (the soft hyphen, zero widths)
            text = "".join(
                c
                for c in text
                if c not in "\u00ad\u180e\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff"
                "\ufe00\ufe01\ufe02\ufe03\ufe04\ufe05\ufe06\ufe07\ufe08\ufe09\ufe0a\ufe0b"
                "\ufe0c\ufe0d\ufe0e\ufe0f"
            )
        return " ".join(parsing._CONTROL.sub(" ", text).split()) or None

    rng = _rng(20)
    pieces = ["a", "bc", "å", "e\u0301", " ", "  ", "\t", "\n", "\x00", "\x08", "\x0b", "\x0c"]
    pieces += ["\x1c", "\x1f", "\x7f", "\x85", "\x9f", "\u00a0", "\u00ad", "\u200b", "\u2028"]
    pieces += ["\u200d", "\u2060", "\ufeff", "\ufe0f"]
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert parsing.clean(text) == as_first_written(text), repr(text)


def test_find_date_stops_at_an_iso_date_in_front_with_the_same_answer() -> None:
    # find_date returns an ISO date at the very start without reading the other notations;
    # behind one more character nothing changes but that shortcut, so the answers must agree
    rng = _rng(21)
    pieces = ["2024-06-18", "18.06.2024", "5/3/2024", "5/3 2024", "18 juni 2024", "June 5, 2024"]
    pieces += ["20240618", "2024-13-40", "1.2.", " ", "–", "7", "kl. 13.00"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 5)))
        for day_first in (False, True):
            assert dates.find_date(text, day_first=day_first) == dates.find_date(
                "x " + text, day_first=day_first
            ), text


def _record_trees() -> list[object]:
    """Record trees as extraction makes them (every fixture's protocol), and odd ones."""
    from publisher.extract import FORMATS, detect
    from publisher.model import Body, Item, Link, Meeting, Protocol, Votes

    here = Path(__file__).parent
    fixtures = sorted((here / "fixtures").rglob("*")) + sorted((here / "generality").rglob("*"))
    trees: list[object] = []
    for path in fixtures:
        if path.suffix not in (".xml", ".json", ".html") or not path.is_file():
            continue
        try:
            module = importlib.import_module(FORMATS[detect(path.read_bytes())])
            protocol = module.extract(path.read_bytes(), ExtractOptions())
        except Exception:  # noqa: S112 - bad input fixtures and selector pages
            continue
        trees.append(protocol)
    assert len(trees) > 60
    rng = _rng(22)
    pieces = ["811218-9876", "8112189876", "19811218 9876", "2024-06-18", "x", "", "12345"]
    for _ in range(400):

        def text() -> str:
            return " ".join(rng.choice(pieces) for _ in range(rng.randint(0, 3)))

        item = Item(
            number=text(),
            title=text() or None,
            votes=Votes(yes=3) if rng.random() < 0.3 else None,
            attachments=tuple(Link(url=text(), title=text()) for _ in range(rng.randint(0, 2))),
        )
        protocol = Protocol(
            format="x",
            body=Body(name=text()),
            meeting=Meeting(title=text() or None, location=rng.choice([None, text()])),
            items=(item,) * rng.randint(0, 2),
            source_id=rng.choice([None, text()]),
        )
        trees += [protocol, item, (text(), (text(),)), text()]
    # what the C reading does not know, it must leave to the walk
    trees += [Protocol(format="x", body=Body(name=_Sub("8112189876"))), ["8112189876"]]  # type: ignore[arg-type]
    trees += [(1, 2.5, None, True, date(2024, 1, 1), Outcome.OTHER)]
    return trees


class _Sub(str):
    pass


def test_c_tree_reading_says_no_only_where_the_walk_finds_no_number(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if privacy._tree_may_hold_number is None:
        pytest.fail("publisher._speedups is not built")
    trees = _record_trees()
    for tree in trees:
        privacy._texts(tree)  # every record type the walk knows, the C reading knows too
    said_no = 0
    for tree in trees:
        maybe = privacy._tree_may_hold_number(tree, privacy._RECORD_FIELDS, privacy._LEAVES)
        if not maybe:
            said_no += 1
            joined = privacy._JOIN.join(privacy._texts(tree))
            assert privacy._NUMBER_SHAPE.search(joined) is None, tree
    assert said_no > 100
    # and mask_all answers the same with and without it
    with_c = [privacy.mask_all(tree) for tree in trees]
    monkeypatch.setattr(privacy, "_tree_may_hold_number", None)
    assert [privacy.mask_all(tree) for tree in trees] == with_c


def test_c_tree_reading_leaves_what_it_does_not_know_to_the_walk() -> None:
    if privacy._tree_may_hold_number is None:
        pytest.fail("publisher._speedups is not built")
    from publisher.model import Body, Protocol

    read = privacy._tree_may_hold_number
    fields, leaves = privacy._RECORD_FIELDS, privacy._LEAVES
    privacy._texts(Protocol(format="x", body=Body(name="x")))
    assert read(Protocol(format="x", body=Body(name="x")), fields, leaves) is False
    assert read(Protocol(format="x", body=Body(name="811218-9876")), fields, leaves) is True
    assert read(_Sub("no digits"), fields, leaves) is True  # a str subclass: maybe
    assert read(["no digits"], fields, leaves) is True  # a list: maybe
    assert read(Protocol(format="x", body=Body(name="x")), {}, leaves) is True  # unknown type
    assert read((Outcome.OTHER, None, 3, ("a", ("b",))), fields, leaves) is False


def test_c_number_scan_of_latin_1_text_finds_every_run() -> None:
    # Latin-1 text (one byte a character in CPython) is read by a loop of its own
    if privacy._number_start is None:
        pytest.fail("publisher._speedups is not built")
    alphabet = "0123456789" * 4 + " -.:/_+åäö\u00a0\u00b7\u00b2\u00b9%2Dx"
    texts = _random_strings(alphabet, count=20000, seed=23)
    assert all(max(text, default="a") <= "\u00ff" for text in texts)
    found = 0
    for text in texts:
        expected = [m.span() for m in privacy._NUMBER_SHAPE.finditer(text)]
        assert [m.span() for m in privacy._runs(text, 0)] == expected, text
        found += bool(expected)
    assert found > 200


def test_secrecy_check_reads_what_with_joined_breaks_gives() -> None:
    # has_secrecy_marker skips the doubled text when no break was joined and the gate finds
    # nothing: the answers must be those of the expression on with_joined_breaks(text)
    rng = _rng(24)
    pieces = ["sekre-", "tess", "in", "camera", "held", "in private", "-", "\n", "\r\n", " "]
    pieces += ["x-\n  y", "Bau- und", "2024-06-18", "OSL", "ej offent-\nlig", "closed", "session"]
    found = 0
    for _ in range(6000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        expected = bool(privacy._SECRECY.search(privacy.with_joined_breaks(text)))
        assert privacy.has_secrecy_marker(text) == expected, repr(text)
        found += expected
    assert found > 500


def test_c_tree_reading_reads_fields_as_getattr_does() -> None:
    # the C reading takes a slot straight from its descriptor only where getattr would: a
    # record class with a __getattribute__ of its own is read by name
    if privacy._tree_may_hold_number is None:
        pytest.fail("publisher._speedups is not built")
    import dataclasses

    @dataclasses.dataclass(frozen=True, slots=True)
    class Plain:
        text: str

    @dataclasses.dataclass(frozen=True, slots=True)
    class Odd:
        text: str

        def __getattribute__(self, name: str) -> object:
            value = object.__getattribute__(self, name)
            return "8112189876" if name == "text" else value

    for record in (Plain("no number"), Odd("no number")):
        privacy._texts(record)  # learnt by the walk
    read = privacy._tree_may_hold_number
    assert read(Plain("no number"), privacy._RECORD_FIELDS, privacy._LEAVES) is False
    assert read(Odd("no number"), privacy._RECORD_FIELDS, privacy._LEAVES) is True


def test_leader_and_heading_gates_admit_every_match() -> None:
    # sv_html runs _LEADERS and _ITEM_HEAD only where substring tests say they can match
    rng = _rng(26)
    leaders = 0
    for text in _random_strings(".…_·a -\t", 5000, seed=26):
        if sv_html._LEADERS.search(text):
            assert sv_html._has_leaders(text), text
            leaders += 1
    assert leaders > 500
    pieces = ["§", "§§", " ", "12", "a", "Paragraf", "PARAGRAF", "pARAGRAF", "P", "\t", "KS"]
    headings = 0
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 5)))
        match = sv_html._ITEM_HEAD.match(text)
        gated = sv_html._item_head_at_start(text)
        assert (match and match.group(0)) == (gated and gated.group(0)), text
        headings += match is not None
    assert headings > 50
