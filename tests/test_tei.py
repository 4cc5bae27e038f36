"""TEI Parla-CLARIN: Riksdag records (real sample and own OCR-damaged one) and ParlaMint."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import jsonschema
import pytest

from publisher.extract import detect, extract
from publisher.model import Item, Outcome, Protocol, Status, to_dict
from publisher.schema import protocol_schema

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


def test_body_override_wins() -> None:
    from publisher.extract import ExtractOptions

    protocol = extract(RIKSDAG.read_bytes(), "tei", ExtractOptions(body="Sveriges riksdag"))
    assert protocol.body.name == "Sveriges riksdag"
