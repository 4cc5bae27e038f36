"""TEI Parla-CLARIN: Riksdag records (real sample and own OCR-damaged one) and ParlaMint."""

from __future__ import annotations

import random
import re
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from lxml import etree

from publisher.extract import detect, extract, tei
from publisher.extract.parsing import clean, element_text, local_name
from publisher.model import Item, Outcome, Protocol, Status, to_dict
from publisher.schema import protocol_schema
from publisher.text import fold

from .conftest import FIXTURES, THIRD_PARTY

RIKSDAG = THIRD_PARTY / "tei" / "prot-202223--013.xml"
OCR = FIXTURES / "tei" / "riksdagen-snabbprotokoll-ocr.xml"
PARLAMINT = FIXTURES / "tei" / "eastmarch-assembly-2024-02-07.parlamint.xml"
ALL = [RIKSDAG, OCR, PARLAMINT]


def parsed(path: Path) -> Protocol:
    return extract(path.read_bytes())


def items_by_number(protocol: Protocol) -> dict[str, Item]:
    return {item.number: item for item in protocol.items}


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_detected_as_tei_and_valid_against_the_schema(path: Path) -> None:
    assert detect(path.read_bytes()) == "tei"
    jsonschema.validate(to_dict(parsed(path)), protocol_schema())


def test_riksdag_record_metadata() -> None:
    protocol = parsed(RIKSDAG)
    assert protocol.body.name == "Riksdagen"
    assert protocol.meeting.date == date(2022, 10, 25)
    assert protocol.source_id == "prot-202223--013"
    assert protocol.protocol.status is Status.APPROVED
    assert protocol.language == "sv"
    assert (
        protocol.links[0].url == "http://data.riksdagen.se/fil/2FC533A7-480B-4BAC-BE4A-716D1958CCDC"
    )


def test_riksdag_record_has_its_eight_paragraphs_in_order() -> None:
    protocol = parsed(RIKSDAG)
    assert [i.number for i in protocol.items] == [f"§ {n}" for n in range(1, 9)]
    assert protocol.items[0].title == "Justering av protokoll"
    assert protocol.items[3].title == "Avsägelser"
    assert protocol.items[7].title == "Anmälan om sammansatt utrikes- och försvarsutskott"


def test_kammaren_bifoll_is_an_approval_with_its_wording() -> None:
    item = items_by_number(parsed(RIKSDAG))["§ 4"]
    assert item.outcome is Outcome.APPROVED
    assert item.outcome_text == "Kammaren biföll dessa avsägelser."


def test_forklarade_valda_is_an_election() -> None:
    item = items_by_number(parsed(RIKSDAG))["§ 5"]
    assert item.outcome is Outcome.ELECTED
    assert item.outcome_text.startswith("Tredje vice talmannen förklarade valda")


def test_announcements_are_not_decisions() -> None:
    items = items_by_number(parsed(RIKSDAG))
    for number in ("§ 2", "§ 3", "§ 6", "§ 7"):
        assert items[number].outcome is Outcome.OTHER
        assert items[number].decision is None


def test_item_ids_come_from_the_record_not_positions() -> None:
    protocol = parsed(RIKSDAG)
    ids = [i.id for i in protocol.items]
    assert len(set(ids)) == len(ids)
    assert all(i and i.startswith("prot-202223--013#i-") for i in ids)


def test_ocr_damaged_heading_numbers_are_rejoined() -> None:
    items = parsed(OCR).items
    assert [i.number for i in items] == ["§ 12", "§ 13", "§ 14"]
    assert items[0].title == "Beslut om ärenden som slutdebatterats vid tidigare sammanträde"


def test_votering_counts_are_read() -> None:
    votes = parsed(OCR).items[0].votes
    assert votes is not None
    assert (votes.yes, votes.no, votes.abstain, votes.absent) == (175, 169, 0, 5)


def test_bordlaggning_is_postponed() -> None:
    assert parsed(OCR).items[1].outcome is Outcome.POSTPONED


def test_speeches_are_opinions_not_decisions() -> None:
    # § 14's speaker says "kammaren beslutade fel": a speech, not the chamber's decision
    item = parsed(OCR).items[2]
    assert item.outcome is Outcome.OTHER
    assert item.decision is None


def test_snabbprotokoll_is_a_draft() -> None:
    assert parsed(OCR).protocol.status is Status.DRAFT


def test_parlamint_sections_heads_and_metadata() -> None:
    protocol = parsed(PARLAMINT)
    assert protocol.body.name == "Eastmarch Assembly"
    assert protocol.meeting.title == "Sitting of the Eastmarch Assembly, 7 February 2024"
    assert protocol.meeting.date == date(2024, 2, 7)
    assert protocol.meeting.location == "Port Aldous"
    assert protocol.protocol.posted_at == date(2024, 3, 1)
    assert protocol.language == "en"
    assert [i.title for i in protocol.items] == [
        "Harbour Dredging Bill: Second Reading",
        "Petitions",
        "Appointment of the Auditor General",
    ]


def test_parlamint_division_and_outcomes() -> None:
    first, petitions, appointment = parsed(PARLAMINT).items
    assert first.outcome is Outcome.APPROVED
    assert first.outcome_text == "The House agreed to the second reading of the bill."
    assert first.votes is not None and (first.votes.yes, first.votes.no) == (31, 18)
    assert petitions.outcome is Outcome.OTHER  # only a speech: nothing was decided
    assert appointment.outcome is Outcome.ELECTED


def test_tei_corpus_reads_its_first_record() -> None:
    inner = PARLAMINT.read_bytes().split(b"?>", 1)[1].split(b"-->", 1)[1]
    corpus = (
        b'<teiCorpus xmlns="http://www.tei-c.org/ns/1.0"><teiHeader/>' + inner + b"</teiCorpus>"
    )
    protocol = extract(corpus)
    assert protocol.body.name == "Eastmarch Assembly"
    assert len(protocol.items) == 3


RECORD = """<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:id="prot-202324--091"><teiHeader>
<fileDesc><titleStmt><title>Riksdagens protokoll 2023/24:91</title></titleStmt></fileDesc>
</teiHeader><text><front><div type="preface"><docDate when="2024-03-19">2024-03-19</docDate>
</div></front><body><div type="commentSection"><note type="title">§ 3 Beslut</note>
{notes}</div></body></text></TEI>"""


def record_item(*notes: str) -> Item:
    xml = RECORD.format(notes="".join(f"<note>{note}</note>" for note in notes))
    return extract(xml.encode(), "tei").items[0]


def test_votering_tally_on_lines_of_their_own() -> None:
    # the Riksdag's layout: "Votering:" and one note per count, which names no vote itself
    item = record_item(
        "1. utskottet",
        "2. res. 1 (V, MP)",
        "Votering:",
        "281 för utskottet",
        "43 för res. 1",
        "25 frånvarande",
        "Kammaren biföll utskottets förslag.",
    )
    assert item.outcome is Outcome.APPROVED
    assert item.votes is not None
    assert (item.votes.yes, item.votes.no, item.votes.absent) == (281, 43, 25)


@pytest.mark.parametrize(
    "subject", ["Kammaren", "Kamrnaren", "Karnmaren", "KAMRNAREN", "Karnrnaren"]
)
def test_ocr_damaged_subject_still_decides(subject: str) -> None:
    # OCR reads "m" as "rn": the chamber's decision is still its decision
    item = record_item("Motionen föredrogs.", f"{subject} avslog motionen.")
    assert item.outcome is Outcome.REJECTED
    assert item.outcome_text == f"{subject} avslog motionen."


def test_count_lines_before_the_vote_note_are_no_tally() -> None:
    # only the lines right after a note that names a vote are its counts
    item = record_item(
        "281 för utskottet", "43 för res. 1", "Votering begärdes inte.", "Kammaren biföll."
    )
    assert item.votes is None


def test_lords_contents_and_not_contents() -> None:
    item = record_item("Division on Amendment 9. Contents 142; Not-Contents 231.")
    assert item.votes is not None
    assert (item.votes.yes, item.votes.no) == (142, 231)


def test_body_override_wins() -> None:
    from publisher.extract import ExtractOptions

    protocol = extract(RIKSDAG.read_bytes(), "tei", ExtractOptions(body="Sveriges riksdag"))
    assert protocol.body.name == "Sveriges riksdag"


# --------------------------------------------------------------------------------------------
# The fast paths of the extractor, pinned against what they stand for.

_FOLD_WORDS = (
    *tei._DECISION_WORDS,
    *tei._VERB_WORDS,
    *tei._VOTE_WORDS,
    *tei._PRELIMINARY_WORDS,
    *tei._RIKSDAG_WORDS,
)


def test_fold_keeps_positions_word_characters_and_case_insensitive_letters() -> None:
    # What the substring prefilters on fold(text) rely on (see tei._decision).
    everything = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    folded = fold(everything)
    assert len(folded) == len(everything)  # one character for each (lower() never shrinks)
    word = re.compile(r"\w")
    assert [m.start() for m in word.finditer(everything)] == [
        m.start() for m in word.finditer(folded)
    ]
    for letter in sorted(set("".join(_FOLD_WORDS)) - {"-"}):
        matching = re.findall(re.escape(letter), everything, re.IGNORECASE)
        assert {fold(c) for c in matching} == {letter}, letter


def test_verb_and_start_words_are_in_every_match() -> None:
    alternatives = tei._VERBS[len(r"\b(?:") : -len(r")\b")].split("|")
    assert len(alternatives) == 18
    for alternative in alternatives:
        assert any(stem in alternative for stem in tei._VERB_WORDS), alternative
    # subjects and other first words never match at one place, not even case-insensitively
    for subject in tei._SUBJECTS:
        for other in ("förklarade", *tei._OTHER_STARTS):
            assert re.match(other, subject, re.IGNORECASE) is None
            assert re.match(subject, other, re.IGNORECASE) is None


_PIECES = (
    "Tredje vice talmannen", "FÖRSTE VICE TALMAN", "andre vice talmannen", "Kammaren", "kammaren",
    "Riksdagen", "talmannens", "biföll", "BIFÖLL", "bifaller", "avslog", "avslår", "beslutade",
    "beslöt", "godkände", "godkänner", "antog", "medgav", "förklarade", "återförvisade",
    "bordlade", "hänvisade", "lade", "till", "handlingarna", "meddelade", "anmälde", "valda",
    "vald", "ärendet", "bordlades", "återförvisas", "skulle", "återremitterades", "avgjordes",
    "the", "The House", "chamber", "assembly", "agreed", "elected", "other", "sandre",
    "Protokollet", "justerades",
    "att", "X (S)", ".", ".", ",", "1", "Votering:", "Ja 175", "ayes 31", "division", "voting",
    "omröstning", "röstade", "ja-röster", "snabbprotokoll", "PRELIMINÄR", "draft", "provisional",
    "\u212aammaren", "bifölL", "beſlutade", "rıksdagen", "İn", "\u212brendet", "biföll.",
    "Kamrnaren", "KARNMAREN", "karnrnaren",
)  # fmt: skip


def _random_texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)  # noqa: S311 - reproducible test input
    return [" ".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 30))) for _ in range(count)]


def test_decision_finds_what_the_expression_finds() -> None:
    texts = _random_texts(3000, 1) + [
        "Tredje vice talmannen anmälde att X (S) inträtt. Kammaren biföll dessa avsägelser.",
        "Tredje vice talmannen förklarade valda till ledamot X (L) Tredje vice talmannen "
        "förklarade vald från och med den 2 november",
        "Kammaren lade ärendet till handlingarna. The House agreed. Protokollet justerades.",
        "\u212aAMMAREN BIFÖLL. ärendet bordlades",
    ]
    found = 0
    for text in texts:
        expected = [m.group(0).strip() for m in tei._DECISION.finditer(text)]
        words = tei._WORDS.found(text)
        assert tei._decision(text, fold(text), words) == (" ".join(expected) or None), text
        found += bool(expected)
    assert found > 300


def test_vote_and_preliminary_prefilters_miss_nothing() -> None:
    for text in _random_texts(3000, 2) + [
        "Swedish parliamentary record 202223",
        "SWEDIſH PARLIAMENT",
        "prot-202223--013",
        "PROT-2",
        "x prot-2",
        "Riksdagen",
        "rıksdag",
        "ParlaMint-EA",
    ]:
        assert tei._is_riksdag(text) == (tei._RIKSDAG.search(text) is not None), text
        folded = fold(text)
        if tei._VOTE_CONTEXT.search(text):
            assert any(word in folded for word in tei._VOTE_WORDS), text
        assert tei._preliminary(text) == (tei._PRELIMINARY.search(text) is not None), text


def test_record_text_is_its_parts_cleaned_and_joined() -> None:
    rng = random.Random(3)  # noqa: S311 - reproducible test input
    # combining marks, a soft hyphen, controls, odd spaces, Hangul jamo (which compose)
    alphabet = "aée\u0301\u0308\u00ad\x85\x7f\x1f \n\t\u00a0\u3000\u2000\u1100\u1161\u11a8öx"
    for _ in range(20000):
        parts = [
            "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))
            for _ in range(rng.randint(0, 4))
        ]
        cleaned = [c for c in (clean(p) for p in parts) if c]
        assert tei._record_text(parts) == " ".join(cleaned), parts


def _reference_sections(body: etree._Element) -> list[tuple[str, str | None, str | None, list]]:
    """The walk as it was first written: every element asked for its parent."""
    sections: list[tuple[str, str | None, str | None, list]] = []
    current: list | None = None
    inside: set[etree._Element] = set()
    named: set[etree._Element] = set()  # the heads that named their debate section
    for el in body.iter(*tei._RECORD_TAGS):
        if el in named:
            continue
        name = local_name(el)
        parent = el.getparent()
        if parent is not None and parent in inside:
            inside.add(el)
            continue
        if name == "div":
            head = next((c for c in el if local_name(c) == "head"), None)
            if head is not None and (el.get("type") or "").lower() == "debatesection":
                text = element_text(head)
                parsed = tei._heading(text)
                number, title = parsed or (str(len(sections) + 1), text or None)
                current = []
                sections.append((number, title, el.get(tei.XML_ID), current))
                named.add(head)
            continue
        if name == "u" and tei._is_speech(el):
            inside.add(el)
            continue
        text = element_text(el)
        if not text:
            continue
        is_title = (el.get("type") or "").lower() == "title" or name == "head"
        parsed = tei._heading(text) if is_title or name == "note" else None
        if parsed is not None and (is_title or current is None):
            current = []
            ident = el.get(tei.XML_ID) or tei._div_id(el)
            sections.append((parsed[0], parsed[1], ident, current))
            continue
        if name == "head":
            continue
        if current is not None:
            current.append(text)
    return sections


def _random_body(rng: random.Random, depth: int = 0) -> str:
    parts = []
    for _ in range(rng.randint(0, 6 if depth == 0 else 3)):
        tag = rng.choice(["note", "note", "p", "u", "u", "head", "seg", "div", "pb"])
        attrs = rng.choice(["", ' type="title"', ' type="TITLE"', ' type="debateSection"'])
        attrs += rng.choice(["", ' who="#A"', ' who="unknown"', ' who=" #Unknown "'])
        attrs += rng.choice(["", f' xml:id="x{rng.randint(0, 9)}"'])
        text = rng.choice(["§ 1 Val", "$ 1 2 Titel", "Kammaren biföll.", "", "  ", "text", "§ 3"])
        inner = _random_body(rng, depth + 1) if depth < 3 and rng.random() < 0.5 else ""
        parts.append(f"<{tag}{attrs}>{text}{inner}</{tag}>{rng.choice(['', ' tail'])}")
    return "".join(parts)


def test_sections_leave_out_speeches_as_the_plain_walk_did() -> None:
    rng = random.Random(4)  # noqa: S311 - reproducible test input
    for _ in range(1500):
        ns = rng.choice(['xmlns="http://www.tei-c.org/ns/1.0"', ""])
        xml = f"<body {ns}>{_random_body(rng)}</body>"
        body = etree.fromstring(xml, etree.XMLParser(collect_ids=False))
        got = [
            (s.number, s.title, s.ident, tei._record_text(s.record)) for s in tei._sections(body)
        ]
        want = [(n, t, i, " ".join(texts)) for n, t, i, texts in _reference_sections(body)]
        assert got == want


MUNICIPAL = """<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:lang="sv"><teiHeader><fileDesc>
<titleStmt><title>Kommunfullmäktige, webbsändning</title></titleStmt>
<publicationStmt><publisher>Kommunledningskontoret</publisher><date when="2024-06-28"/>
</publicationStmt><sourceDesc><p>Webb-tv</p></sourceDesc></fileDesc><profileDesc><settingDesc>
<setting><name type="org">Kommunfullmäktige i Ekby</name><name type="place">Folkets hus</name>
<date when="2024-06-17T18:30:00+02:00">17 juni 2024</date></setting></settingDesc></profileDesc>
<revisionDesc><change when="2024-06-21" status="justerat">Justerat.</change>
<change when="2024-06-24" status="anslaget">Anslaget.</change></revisionDesc></teiHeader>
<text><body>{sections}</body></text></TEI>"""


def test_a_municipal_transcript_names_its_body_start_approval_and_notice() -> None:
    section = '<div type="debateSection"><head>§ 54 Årsredovisning</head></div>'
    protocol = extract(MUNICIPAL.format(sections=section).encode(), "tei")
    assert protocol.body.name == "Kommunfullmäktige i Ekby"  # not the publishing office
    assert protocol.meeting.location == "Folkets hus"
    assert protocol.meeting.start is not None
    assert protocol.meeting.start.isoformat() == "2024-06-17T18:30:00+02:00"
    assert protocol.protocol.approved_at == date(2024, 6, 21)
    assert protocol.protocol.posted_at == date(2024, 6, 24)  # the notice, not the text's date


def test_a_section_headed_by_its_paragraph_is_one_item_and_stays_closed() -> None:
    # the head opened the section; read again by the walk it opened a second, empty and
    # public copy of a section held behind closed doors, with its title
    section = (
        '<div type="debateSection"><head>§ 58 Förvärv av fastigheten Prästgården 2:4</head>'
        '<note type="comment">Fullmäktige beslutar att överläggningen ska hållas inom stängda '
        'dörrar.</note><note type="decision">Fullmäktige beslutar att förvärva fastigheten.'
        "</note></div>"
    )
    protocol = extract(MUNICIPAL.format(sections=section).encode(), "tei")
    assert [(i.number, i.public, i.title) for i in protocol.items] == [("§ 58", False, None)]
    assert "Prästgården" not in str(to_dict(protocol))


@pytest.mark.parametrize(
    ("head", "number", "title"),
    [
        ("§ l Justering av protokoll", "§ 1", "Justering av protokoll"),
        ("$ l2 Bordläggning", "§ 12", "Bordläggning"),
        ("§ 1O Val av suppleant", "§ 10", "Val av suppleant"),
    ],
)
def test_ocr_letters_for_digits_in_a_heading(head: str, number: str, title: str) -> None:
    assert tei._heading(head) == (number, title)


def test_a_word_after_the_sign_is_no_ocr_number() -> None:
    assert tei._heading("§ lnformation om ärendet") is None


def test_the_chamber_sending_a_matter_back_is_a_referral() -> None:
    item = record_item(
        "På yrkande av Per Ahlgren (m) beslöt kammaren att ärendet skulle återförvisas till "
        "utskottet."
    )
    assert item.outcome is Outcome.REFERRED_BACK


def test_documents_announced_and_tabled_are_no_decision() -> None:
    # the Riksdag tables every new document at its first reading: nothing was postponed
    item = record_item("Följande dokument anmäldes och bordlades: Proposition 2023/24:131.")
    assert item.outcome is Outcome.OTHER


@pytest.mark.parametrize(
    "section",
    [
        '<div type="debateSection"><head>§ 2 Ansökan</head><head>Sekretess</head>'
        '<note type="decision">Nämnden beslutade bifalla ansökan.</note></div>',
        '<div type="debateSection"><head>§ 2 Ansökan</head><ab>Ärendet omfattas av sekretess.'
        '</ab><note type="decision">Nämnden beslutade bifalla ansökan.</note></div>',
        '<div type="debateSection" ana="#sekretess"><head>§ 2 Ansökan</head>'
        '<note type="decision">Nämnden beslutade bifalla ansökan.</note></div>',
        # text left out for a reason, a transcriber's note inside a speech
        '<div type="debateSection"><head>§ 2 Ansökan</head><gap reason="sekretess"/>'
        '<note type="decision">Nämnden beslutade bifalla ansökan.</note></div>',
        '<div type="debateSection"><head>§ 2 Ansökan</head><u who="#ordf"><note>Sekretess'
        '</note><seg>Vi går vidare.</seg></u><note type="decision">Nämnden beslutade bifalla '
        "ansökan.</note></div>",
    ],
)
def test_a_section_that_says_it_is_confidential_in_any_part_is_withheld(section: str) -> None:
    (item,) = extract(MUNICIPAL.format(sections=section).encode(), "tei").items
    assert item.public is False
