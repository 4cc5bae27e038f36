"""The Swedish protocol extractor on five protocols written the way different vendors do.

Every fixture is parsed once (cached per module); one small test per field, then invariants
over every item of every fixture. Expected values were read off the documents themselves.
"""

from __future__ import annotations

import codecs
import json
import re
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from publisher.errors import MalformedDocument, PublisherError
from publisher.extract import ExtractOptions, detect, extract
from publisher.extract.parsing import parse_html
from publisher.extract.sv_html import APPEAL_PERIOD, html_to_blocks, parse_blocks
from publisher.model import Item, Outcome, Protocol, Status, Votes, to_dict

from .conftest import ROOT, SV_FIXTURES, run_cli

TZ = ZoneInfo("Europe/Stockholm")

SOCIAL = "bjorkfors-socialnamnden-2024-06-18.html"  # semantic CMS page, UTF-8
BOARD = "sjohamra-kommunstyrelsen-2024-09-10.html"  # Word export, windows-1252
FLAT = "lillasa-miljo-och-byggnadsnamnden-2024-03-21.html"  # <br> text, ISO-8859-1
DRAFT = "norrbacka-barn-och-utbildningsnamnden-2024-11-12-preliminart.html"  # <pre>, UTF-8
TABLES = "granby-kultur-och-fritidsnamnden-2024-04-09.html"  # tables, UTF-8 with BOM
DOCUMENTS = (SOCIAL, BOARD, FLAT, DRAFT, TABLES)

BASE_URL = "https://www.example.se/politik/protokoll/2024/protokoll.html"


@cache
def parsed(name: str) -> Protocol:
    """Each fixture through the public entry point (privacy applied), once per module."""
    data = (SV_FIXTURES / name).read_bytes()
    return extract(data, "sv-html", ExtractOptions(base_url=BASE_URL))


@pytest.fixture(scope="module")
def social() -> Protocol:
    return parsed(SOCIAL)


@pytest.fixture(scope="module")
def board() -> Protocol:
    return parsed(BOARD)


@pytest.fixture(scope="module")
def flat() -> Protocol:
    return parsed(FLAT)


@pytest.fixture(scope="module")
def draft() -> Protocol:
    return parsed(DRAFT)


@pytest.fixture(scope="module")
def tables() -> Protocol:
    return parsed(TABLES)


def item(protocol: Protocol, number: str) -> Item:
    return next(i for i in protocol.items if i.number == number)


# --------------------------------------------------------------------------------------------
# The fixtures really are the markups and encodings they claim to be


def test_fixtures_cover_three_markups_and_two_encodings() -> None:
    raw = {name: (SV_FIXTURES / name).read_bytes() for name in DOCUMENTS}
    assert b"charset=windows-1252" in raw[BOARD] and b"\xa7" in raw[BOARD]  # § in cp1252
    assert b"charset=iso-8859-1" in raw[FLAT] and b"\xa7" in raw[FLAT]
    assert "§".encode() in raw[SOCIAL] and raw[TABLES].startswith(b"\xef\xbb\xbf")
    assert b"MsoNormal" in raw[BOARD] and b"<o:p>" in raw[BOARD]
    assert raw[FLAT].count(b"<BR>") > 20 and b"<p" not in raw[FLAT].lower()
    assert b"<pre>" in raw[DRAFT] and b"<dl" in raw[SOCIAL]


# --------------------------------------------------------------------------------------------
# Body, organization, meeting


@pytest.mark.parametrize(
    ("name", "body", "organization"),
    [
        (SOCIAL, "Socialnämnden", "Björkfors kommun"),
        (BOARD, "Kommunstyrelsen", "Sjöhamra kommun"),
        (FLAT, "Miljö- och byggnadsnämnden", "Lillåsa kommun"),
        (DRAFT, "Barn- och utbildningsnämnden", "Norrbacka kommun"),
        (TABLES, "Kultur- och fritidsnämnden", "Granby kommun"),
    ],
)
def test_body_and_organization(name: str, body: str, organization: str) -> None:
    protocol = parsed(name)
    assert protocol.body.name == body
    assert protocol.organization is not None
    assert protocol.organization.name == organization
    assert protocol.language == "sv"
    assert protocol.source_id is None


def test_body_option_overrides_the_document() -> None:
    data = (SV_FIXTURES / SOCIAL).read_bytes()
    protocol = extract(data, "sv-html", ExtractOptions(body="Individ- och familjenämnden"))
    assert protocol.body.name == "Individ- och familjenämnden"
    assert protocol.meeting.title == "Individ- och familjenämndens sammanträde 2024-06-18"


@pytest.mark.parametrize(
    ("name", "day", "start", "end"),
    [
        (SOCIAL, date(2024, 6, 18), (13, 0), (15, 30)),
        (BOARD, date(2024, 9, 10), (8, 30), (12, 15)),
        (FLAT, date(2024, 3, 21), (18, 0), (20, 45)),  # "21 mars 2024", "kl 18.00-20.45"
        (DRAFT, date(2024, 11, 12), (15, 0), (17, 40)),
        (TABLES, date(2024, 4, 9), (18, 0), (20, 30)),  # separate "Datum" and "Tid" rows
    ],
)
def test_meeting_date_and_times_are_local_and_aware(
    name: str, day: date, start: tuple[int, int], end: tuple[int, int]
) -> None:
    meeting = parsed(name).meeting
    assert meeting.date == day
    assert meeting.start == datetime(day.year, day.month, day.day, *start, tzinfo=TZ)
    assert meeting.end == datetime(day.year, day.month, day.day, *end, tzinfo=TZ)
    assert meeting.start is not None and meeting.start.utcoffset() is not None


def test_winter_meeting_has_winter_offset(draft: Protocol) -> None:
    assert draft.meeting.start is not None
    assert draft.meeting.start.utcoffset() == timedelta(hours=1)


def test_other_timezone_option() -> None:
    data = (SV_FIXTURES / SOCIAL).read_bytes()
    protocol = extract(data, "sv-html", ExtractOptions(timezone="Europe/Helsinki"))
    assert protocol.meeting.start is not None
    assert protocol.meeting.start.utcoffset() == timedelta(hours=3)


@pytest.mark.parametrize(
    ("name", "location"),
    [
        (SOCIAL, "Stadshuset, Sessionssalen"),
        (BOARD, "Kommunhuset, Sjösalen"),
        (FLAT, "Kommunhuset, rum Ugglan"),
        (DRAFT, "Bildningshuset, lokal Aulan"),
        (TABLES, "Kulturhuset Facklan, Lilla salen"),
    ],
)
def test_location_without_date_or_clock(name: str, location: str) -> None:
    assert parsed(name).meeting.location == location


def test_meeting_title(social: Protocol, flat: Protocol) -> None:
    assert social.meeting.title == "Socialnämndens sammanträde 2024-06-18"
    assert flat.meeting.title == "Miljö- och byggnadsnämndens sammanträde 2024-03-21"


# --------------------------------------------------------------------------------------------
# Approval (justering) and notice (anslag)


@pytest.mark.parametrize(
    ("name", "status", "approved", "posted", "appeal_ends"),
    [
        (SOCIAL, Status.APPROVED, date(2024, 6, 20), date(2024, 6, 21), date(2024, 7, 15)),
        # "Justeringens plats och tid: Kommunkansliet, fredag 13 september 2024"
        (BOARD, Status.APPROVED, date(2024, 9, 13), date(2024, 9, 16), date(2024, 10, 8)),
        # only "Anslagsdatum": the appeal period is computed (three weeks)
        (FLAT, Status.APPROVED, date(2024, 3, 26), date(2024, 3, 27), date(2024, 4, 17)),
        (DRAFT, Status.DRAFT, None, None, None),
        (TABLES, Status.APPROVED, date(2024, 4, 12), date(2024, 4, 15), date(2024, 5, 7)),
    ],
)
def test_approval_and_notice(
    name: str,
    status: Status,
    approved: date | None,
    posted: date | None,
    appeal_ends: date | None,
) -> None:
    state = parsed(name).protocol
    assert state.status is status
    assert state.approved_at == approved
    assert state.posted_at == posted
    assert state.appeal_ends == appeal_ends


def test_appeal_end_computed_from_posting_is_three_weeks(flat: Protocol) -> None:
    state = flat.protocol
    assert state.posted_at is not None
    assert state.appeal_ends == state.posted_at + APPEAL_PERIOD == date(2024, 4, 17)


def test_approval_place(social: Protocol, board: Protocol) -> None:
    assert social.protocol.approval_place == "Socialförvaltningen"
    assert board.protocol.approval_place == "Kommunkansliet"


def test_preliminary_protocol_is_draft_even_with_adjusters_named(draft: Protocol) -> None:
    assert draft.protocol.status is Status.DRAFT
    assert [p.name for p in draft.people.adjusters] == ["Malin Krook"]


@pytest.mark.parametrize(
    ("html", "status"),
    [
        ("<p>Justeringens plats och tid:</p>", Status.DRAFT),
        ("<p>Justeringens plats och tid: Stadshuset 2024-06-20</p>", Status.APPROVED),
        ("<p>Ojusterat protokoll</p>", Status.DRAFT),
        ("<p>Utkast</p><p>Justeringens plats och tid: Stadshuset 2024-06-20</p>", Status.DRAFT),
        ("<p>Protokollet är justerat.</p>", Status.APPROVED),
        ("<p>Justerat 2024-06-20</p>", Status.APPROVED),
        ("<p>Anslagsdatum: 2024-06-21</p>", Status.APPROVED),
        ("<p>Ordförande: Anna Berg (S)</p>", Status.UNKNOWN),
    ],
)
def test_status_wording(html: str, status: Status) -> None:
    page = (
        "<html><body><h1>Protokoll Socialnämnden</h1><p>Sammanträdesdatum: 2024-06-18</p>"
        f"{html}<h2>§ 1 Budget</h2><p>Beslut: Socialnämnden godkänner budgeten.</p>"
        "</body></html>"
    )
    assert extract(page.encode(), "sv-html").protocol.status is status


# --------------------------------------------------------------------------------------------
# People


def test_chair_from_the_signature_block_gets_party_from_members(social: Protocol) -> None:
    chair = social.people.chair
    assert chair is not None
    assert (chair.name, chair.party) == ("Lena Holm", "S")


def test_chair_from_member_list_role(flat: Protocol) -> None:
    # no "Ordförande" label: "Göran Svedberg (C) ordförande" in Närvarande ledamöter
    assert flat.people.chair is not None and flat.people.chair.name == "Göran Svedberg"


@pytest.mark.parametrize(
    ("name", "chair", "secretary", "adjusters"),
    [
        (SOCIAL, "Lena Holm", "Martin Krantz", ["Karin Åberg"]),
        # the secretary's name sits one row below "Sekreterare ...... Paragrafer 112-117"
        (BOARD, "Ingrid Wallin", "Sofia Lindqvist", ["Hanna Lund"]),
        (FLAT, "Göran Svedberg", "Elin Sand", ["Anita Roos"]),
        (DRAFT, "Fredrik Alm", "Jonas Vik", ["Malin Krook"]),
        (TABLES, "Ylva Granath", "Tove Lind", ["Bertil Kron"]),
    ],
)
def test_officers(name: str, chair: str, secretary: str, adjusters: list[str]) -> None:
    people = parsed(name).people
    assert people.chair is not None and people.chair.name == chair
    assert people.secretary is not None and people.secretary.name == secretary
    assert [p.name for p in people.adjusters] == adjusters


@pytest.mark.parametrize(
    ("name", "count"), [(SOCIAL, 13), (BOARD, 11), (FLAT, 7), (DRAFT, 5), (TABLES, 7)]
)
def test_present_members(name: str, count: int) -> None:
    assert len(parsed(name).people.present) == count


def test_replaced_member_is_not_present(social: Protocol) -> None:
    names = {p.name for p in social.people.present}
    assert "Ulla Berglund" in names  # tjänstgörande ersättare för Tomas Falk (S)
    assert "Tomas Falk" not in names
    assert "Helena Sjöberg" not in names  # övriga närvarande are not members


def test_parties_and_roles(social: Protocol) -> None:
    present = {p.name: p for p in social.people.present}
    assert present["Oskar Dahl"].party == "SD"
    assert present["Karin Åberg"].role == "vice ordförande"


def test_substitutes_are_not_present(flat: Protocol, tables: Protocol) -> None:
    assert "Karl Berg" not in {p.name for p in flat.people.present}  # Ersättare
    assert "Mats Öberg" not in {p.name for p in tables.people.present}


# --------------------------------------------------------------------------------------------
# Items


@pytest.mark.parametrize(
    ("name", "numbers"),
    [
        (SOCIAL, [f"§ {n}" for n in range(46, 54)]),
        (BOARD, [f"§ {n}" for n in range(112, 118)]),
        (FLAT, [f"§ {n}" for n in range(12, 17)]),  # printed "§12": normalised to "§ 12"
        (DRAFT, [f"§ {n}" for n in range(78, 82)]),
        # the contents table lists every § first; each item appears once
        (TABLES, [f"§ {n}" for n in range(20, 25)]),
    ],
)
def test_item_numbers(name: str, numbers: list[str]) -> None:
    assert [i.number for i in parsed(name).items] == numbers


def test_titles(social: Protocol, board: Protocol, flat: Protocol, tables: Protocol) -> None:
    assert item(social, "§ 48").title == "Riktlinjer för ekonomiskt bistånd 2025"
    # Word puts "§ 112" and the title in separate paragraphs
    assert item(board, "§ 112").title == "Delårsrapport augusti 2024 för Sjöhamra kommun"
    assert item(flat, "§ 14").title == "Ansökan om strandskyddsdispens för brygga vid Lillsjön"
    assert item(tables, "§ 22").title == "Granby kommuns kulturpris 2024"


@pytest.mark.parametrize(
    ("name", "number", "case_number"),
    [
        (SOCIAL, "§ 48", "SN 2024/112"),
        (SOCIAL, "§ 46", None),
        (BOARD, "§ 113", "KS 2023/0877"),
        (FLAT, "§ 12", "MBN 2024-000045"),  # "Diarienummer:"
        (DRAFT, "§ 79", "BUN 2024/0211"),
        (TABLES, "§ 21", "KFN 2024/0033"),
    ],
)
def test_case_numbers(name: str, number: str, case_number: str | None) -> None:
    assert item(parsed(name), number).case_number == case_number


@pytest.mark.parametrize(
    ("name", "outcomes"),
    [
        (
            SOCIAL,
            {"§ 46": "elected", "§ 47": "approved", "§ 48": "approved", "§ 49": "noted"}
            | {"§ 52": "approved", "§ 53": "noted"},
        ),
        (
            BOARD,
            {"§ 112": "recommended", "§ 113": "referred_back", "§ 114": "postponed"}
            | {"§ 115": "elected", "§ 116": "approved", "§ 117": "noted"},
        ),
        (
            FLAT,
            {"§ 12": "approved", "§ 13": "approved", "§ 14": "rejected", "§ 15": "noted"}
            | {"§ 16": "withdrawn"},
        ),
        (DRAFT, {"§ 78": "elected", "§ 79": "noted", "§ 81": "referred_back"}),
        (
            TABLES,
            {"§ 20": "elected", "§ 21": "approved", "§ 22": "elected", "§ 23": "withdrawn"}
            | {"§ 24": "noted"},
        ),
    ],
)
def test_outcomes(name: str, outcomes: dict[str, str]) -> None:
    protocol = parsed(name)
    assert {n: item(protocol, n).outcome.value for n in outcomes} == outcomes


def test_outcome_text_is_the_original_first_sentence(social: Protocol, board: Protocol) -> None:
    assert item(social, "§ 48").outcome_text == (
        "Socialnämnden beslutar att anta riktlinjer för ekonomiskt bistånd 2025 enligt bilaga 1."
    )
    assert item(board, "§ 112").outcome_text == (
        "Kommunstyrelsen föreslår kommunfullmäktige att godkänna delårsrapporten per den "
        "31 augusti 2024."
    )


def test_yrkanden_are_not_the_decision(social: Protocol, flat: Protocol) -> None:
    # the motions ask for "avslag" and "bifall"; the decision is what the nämnd decided
    decision = item(social, "§ 48").decision or ""
    assert decision.startswith("Socialnämnden beslutar att anta riktlinjer")
    assert "avslag" not in decision and "yrkar" not in decision
    assert item(flat, "§ 14").decision == (
        "Miljö- och byggnadsnämnden avslår ansökan om strandskyddsdispens."
    )


def test_decision_keeps_all_its_paragraphs(social: Protocol) -> None:
    assert item(social, "§ 48").decision == (
        "Socialnämnden beslutar att anta riktlinjer för ekonomiskt bistånd 2025 enligt bilaga 1."
        "\nRiktlinjerna gäller från och med den 1 januari 2025."
    )


def test_hard_wrapped_decision_is_rejoined(draft: Protocol) -> None:
    assert item(draft, "§ 81").decision == (
        "Barn- och utbildningsnämnden beslutar att återremittera ärendet till förvaltningen "
        "för en fördjupad konsekvensanalys av skolvägarna."
    )


def test_page_headers_do_not_leak_into_items(board: Protocol) -> None:
    # the Word export repeats "Sjöhamra kommun | SAMMANTRÄDESPROTOKOLL | Sida 3 (6)" on every
    # page, in the middle of § 113, and ends with a "Justerandes sign" footer
    text = json.dumps(to_dict(board)["items"], ensure_ascii=False)
    assert "SAMMANTRÄDESPROTOKOLL" not in text and "Sida " not in text
    assert "Justerandes sign" not in text and "Utdragsbestyrkande" not in text


@pytest.mark.parametrize(
    ("name", "number", "votes"),
    [
        (SOCIAL, "§ 48", Votes(yes=7, no=4, abstain=2)),  # "7 ja-röster, 4 nej-röster och 2 avstår"
        (BOARD, "§ 113", Votes(yes=5, no=6, abstain=0)),  # counted from the voting table
        (FLAT, "§ 14", Votes(yes=4, no=3, abstain=0)),  # "Ja: 4 Nej: 3 Avstår: 0"
        (TABLES, "§ 21", Votes(yes=5, no=2)),  # "5 ja-röster mot 2 nej-röster"
        (SOCIAL, "§ 49", None),
    ],
)
def test_votes(name: str, number: str, votes: Votes | None) -> None:
    assert item(parsed(name), number).votes == votes


@pytest.mark.parametrize(
    ("name", "number", "reservations"),
    [
        (SOCIAL, "§ 48", [("Karin Åberg", "M"), ("Johan Lind", "M")]),
        (BOARD, "§ 113", [("Ingrid Wallin", "C"), ("Rolf Sandberg", "C")]),
        (FLAT, "§ 14", [("Per-Olof Hägg", "M"), ("Mikael Nord", "SD")]),
        (TABLES, "§ 21", [("Bertil Kron", "M"), ("Henrik Lundh", "M")]),
        (SOCIAL, "§ 52", []),
    ],
)
def test_reservations(name: str, number: str, reservations: list[tuple[str, str]]) -> None:
    found = item(parsed(name), number).reservations
    assert [(p.name, p.party) for p in found] == reservations


def test_unanimous_only_when_the_text_says_so(social: Protocol, tables: Protocol) -> None:
    assert item(social, "§ 49").unanimous is True  # "beslutar enhälligt"
    assert item(tables, "§ 22").unanimous is True  # "Beslutet är enhälligt."
    assert item(social, "§ 48").unanimous is False  # votes against and a reservation
    assert item(social, "§ 47").unanimous is None  # nothing said


@pytest.mark.parametrize(("name", "count"), [(SOCIAL, 2), (BOARD, 0), (FLAT, 0), (DRAFT, 1)])
def test_confidential_count(name: str, count: int) -> None:
    assert parsed(name).counts.confidential == count


def test_confidential_items_keep_only_their_number(social: Protocol) -> None:
    withheld = [i for i in social.items if not i.public]
    assert [i.number for i in withheld] == ["§ 50", "§ 51"]
    assert all(i.title is None and i.decision is None for i in withheld)


def test_attachments_resolve_against_the_base_url(social: Protocol, tables: Protocol) -> None:
    urls = [link.url for link in item(social, "§ 48").attachments]
    assert urls == [
        "https://www.example.se/download/18.4f2a/1718000000000/riktlinjer-ekonomiskt-bistand-2025.pdf",
        "https://www.example.se/politik/protokoll/2024/tjansteskrivelse-sn-2024-112.pdf",
    ]
    assert item(social, "§ 48").attachments[0].media_type == "application/pdf"
    assert item(social, "§ 48").attachments[1].title == "Tjänsteskrivelse 2024-05-28"
    assert [link.title for link in item(tables, "§ 21").attachments] == [
        "bilaga 1 Fördelning av föreningsbidrag",
        "bilaga 2",
    ]


def test_relative_links_stay_relative_without_a_base_url() -> None:
    protocol = extract((SV_FIXTURES / TABLES).read_bytes(), "sv-html")
    assert item(protocol, "§ 21").attachments[0].url == "bilagor/kfn-2024-04-09-bilaga-1.pdf"


def test_protocol_pdf_link_but_no_navigation(social: Protocol) -> None:
    assert [link.url for link in social.links] == [
        "https://www.example.se/download/18.7c1d2e/1718900000000/"
        "socialnamnden-protokoll-2024-06-18.pdf"
    ]


# --------------------------------------------------------------------------------------------
# A vendor layout none of the fixtures uses: § and Dnr in a table row, the committee's own
# "förslag till kommunstyrelsen", a decision without a label, "Justerat" in the footer.

COMMITTEE = """<html><head><meta charset="utf-8"></head><body>
<table><tr><td>Bergsjö kommun</td><td>SAMMANTRÄDESPROTOKOLL</td><td>1(4)</td></tr>
<tr><td>Kommunstyrelsens arbetsutskott</td><td>Sammanträdesdatum</td><td>2024-05-07</td></tr>
</table>
<table><tr><td>Tid och plats</td><td>Kommunhuset, tisdag 7 maj 2024 kl. 09.00-11.15</td></tr>
<tr><td>Beslutande</td><td>Eva Rask (S), ordförande; Sten Ohlin (M); Pia Lunde (C)</td></tr>
<tr><td>Övriga</td><td>Mats Berg, kommunchef<br>Lisa Dahl, sekreterare</td></tr>
<tr><td>Justerande</td><td>Sten Ohlin</td></tr></table>
<table><tr><td>§ 61</td><td>Dnr KS 2024/201</td></tr></table>
<p><b>Upphandling av skolskjuts</b></p>
<p><b>Arbetsutskottets förslag till kommunstyrelsen</b></p>
<p>Arbetsutskottet föreslår kommunstyrelsen besluta</p>
<p>att godkänna förfrågningsunderlaget för upphandling av skolskjuts 2025-2029.</p>
<table><tr><td>§ 62</td><td>Dnr KS 2024/190</td></tr></table>
<p><b>Information om lägesbild</b></p>
<p>Förvaltningen föreslår att arbetsutskottet beslutar att lägga informationen till
 handlingarna.</p>
<p>Kommunchefen redogör för lägesbilden.</p>
<p>Arbetsutskottet noterar informationen.</p>
<p>Justerandes sign ........ Utdragsbestyrkande</p>
<p>Vid protokollet</p><p>Lisa Dahl</p>
<p>Justerat 2024-05-10</p>
<p>Bevis om anslag: Protokollet är justerat. Anslaget sätts upp 2024-05-13 och tas ned
 2024-06-04.</p>
</body></html>"""


@pytest.fixture(scope="module")
def committee() -> Protocol:
    return extract(COMMITTEE.encode(), "auto")


def test_committee_layout_header(committee: Protocol) -> None:
    assert committee.format == "sv-html"
    assert committee.body.name == "Kommunstyrelsens arbetsutskott"
    assert committee.meeting.start == datetime(2024, 5, 7, 9, 0, tzinfo=TZ)
    assert committee.meeting.location == "Kommunhuset"
    assert [p.name for p in committee.people.present] == ["Eva Rask", "Sten Ohlin", "Pia Lunde"]
    assert committee.people.secretary is not None
    assert committee.people.secretary.name == "Lisa Dahl"


def test_committee_layout_notice(committee: Protocol) -> None:
    state = committee.protocol
    assert (state.status, state.approved_at) == (Status.APPROVED, date(2024, 5, 10))
    assert (state.posted_at, state.appeal_ends) == (date(2024, 5, 13), date(2024, 6, 4))


def test_committee_recommendation_and_unlabeled_decision(committee: Protocol) -> None:
    first, second = committee.items
    assert (first.number, first.case_number) == ("§ 61", "KS 2024/201")
    assert first.outcome is Outcome.RECOMMENDED  # its own proposal to the board
    # the proposal of the administration is not the decision; the committee's sentence is
    assert second.decision == "Arbetsutskottet noterar informationen."
    assert second.outcome is Outcome.NOTED


def test_a_proposers_recommendation_is_not_the_boards_decision() -> None:
    page = (
        "<html><body><h1>Protokoll Kommunstyrelsen 2024-05-14</h1>"
        "<h2>§ 70 Taxa</h2><p>Arbetsutskottets förslag till kommunfullmäktige</p>"
        "<p>Arbetsutskottet föreslår kommunfullmäktige att anta taxan.</p>"
        "<p>Beslut</p><p>Kommunstyrelsen beslutar att återremittera ärendet.</p></body></html>"
    )
    entry = extract(page.encode(), "sv-html").items[0]
    assert entry.outcome is Outcome.REFERRED_BACK
    assert entry.decision == "Kommunstyrelsen beslutar att återremittera ärendet."


@pytest.mark.parametrize(
    "marker",
    [
        "Sekretess enligt 26 kap. 1 § OSL",
        "Ärendet omfattas av sekretess.",
        "Handlingarna är sekretessbelagda.",
        "Ärendet redovisas i särskilt protokoll.",
        "Beslut fattat enligt OSL.",
        "Individärende",
        "Beslut i ett enskilt ärende",
        "Sekretessprövning har gjorts.",
    ],
)
def test_every_secrecy_wording_withholds_the_item(marker: str) -> None:
    # the marker sits in the description, not in the title or decision that privacy sees
    page = (
        "<html><body><h1>Protokoll Socialnämnden 2024-06-18</h1>"
        f"<h2>§ 9 Ansökan om bistånd</h2><p>{marker}</p>"
        "<p>Beslut</p><p>Socialnämnden beviljar ansökan.</p></body></html>"
    )
    entry = extract(page.encode(), "sv-html").items[0]
    assert not entry.public and entry.title is None and entry.decision is None


def test_secrecy_words_in_ordinary_text_do_not_hide_an_item(social: Protocol) -> None:
    # "individ- och familjeomsorgen", "den enskildes behov", "särskilt stöd" are not markers
    assert item(social, "§ 53").public and item(social, "§ 48").public


# --------------------------------------------------------------------------------------------
# Privacy through the real entry point


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


_PNR = re.compile(
    r"(?<!\d)(?:18|19|20)?(\d{2})(\d{2})(\d{2})[-+\u2010-\u2013\u2212 \u00a0]?(\d{3})(\d)(?!\d)"
)


def personnummer_in(text: str) -> list[str]:
    """Luhn-valid numbers with a real month and day (or day + 60, samordningsnummer)."""
    found = []
    for match in _PNR.finditer(text):
        yy, mm, dd, serial, check = match.groups()
        day = int(dd) - 60 if int(dd) > 60 else int(dd)
        if 1 <= int(mm) <= 12 and 1 <= day <= 31 and _luhn(yy + mm + dd + serial + check):
            found.append(match.group(0))
    return found


def test_the_word_export_really_contains_a_personnummer() -> None:
    text = (SV_FIXTURES / BOARD).read_bytes().decode("cp1252")
    assert personnummer_in(text) == ["780412\u20132385"]


def test_personnummer_is_masked_but_lookalikes_are_kept(board: Protocol) -> None:
    decision = item(board, "§ 116").decision or ""
    assert "[personnummer]" in decision
    assert "2385" not in decision
    # an organisationsnummer (month 20), a case number and dates are not identity numbers
    assert "212000-1231" in decision and "2024-10-01" in decision
    assert item(board, "§ 116").case_number == "KS 2024/0399"


# --------------------------------------------------------------------------------------------
# Invariants over every item of every fixture

ALL_ITEMS = [(name, index) for name in DOCUMENTS for index in range(len(parsed(name).items))]
OUTCOMES = {o.value for o in Outcome}
SECRECY = re.compile(r"sekretess|\bOSL\b|särskilt protokoll|individärende", re.IGNORECASE)


@pytest.mark.parametrize(("name", "index"), ALL_ITEMS, ids=lambda v: str(v))
def test_item_invariants(name: str, index: int) -> None:
    entry = parsed(name).items[index]
    assert re.fullmatch(r"§ \d+[a-z]?", entry.number)
    assert entry.outcome.value in OUTCOMES
    if entry.public:
        assert entry.title
        # a decision always comes with its original wording, and the outcome is read from it
        assert (entry.decision is None) == (entry.outcome_text is None) or (
            entry.outcome is Outcome.WITHDRAWN
        )
        if entry.decision is not None:
            assert entry.outcome is not Outcome.OTHER
    else:
        assert entry.title is None and entry.decision is None and entry.outcome_text is None
        assert entry.reservations == () and entry.votes is None


@pytest.mark.parametrize("name", DOCUMENTS)
def test_no_personnummer_or_secrecy_text_in_output(name: str) -> None:
    text = json.dumps(to_dict(parsed(name)), ensure_ascii=False)
    assert personnummer_in(text) == []
    assert not SECRECY.search(text)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_no_text_is_left_with_markup_artefacts(name: str) -> None:
    text = json.dumps(to_dict(parsed(name)), ensure_ascii=False)
    for artefact in ("&nbsp;", "\\u00a0", "\\t", "<", "\ue000", "\ufffd", "Ã"):
        assert artefact not in text


# --------------------------------------------------------------------------------------------
# Encodings, blocks, errors


def test_utf8_page_re_encoded_as_windows_1252_gives_the_same_protocol() -> None:
    text = (SV_FIXTURES / SOCIAL).read_bytes().decode("utf-8")
    recoded = text.replace('<meta charset="utf-8">', '<meta charset="windows-1252">')
    assert recoded != text
    again = extract(recoded.encode("cp1252"), "sv-html", ExtractOptions(base_url=BASE_URL))
    assert again == parsed(SOCIAL)


def test_windows_1252_export_re_encoded_as_utf8_gives_the_same_protocol() -> None:
    text = (SV_FIXTURES / BOARD).read_bytes().decode("cp1252")
    recoded = text.replace("charset=windows-1252", "charset=utf-8")
    again = extract(recoded.encode("utf-8"), "sv-html", ExtractOptions(base_url=BASE_URL))
    assert again == parsed(BOARD)


def test_blocks_from_any_source_parse_the_same() -> None:
    """What a PDF text extractor would hand over: lines, TAB between columns."""
    lines = [
        "Exempelstads kommun",
        "Protokoll Kommunstyrelsen",
        "Sammanträdesdatum\t2024-05-07",
        "Plats och tid\tRådhuset, kl. 09.00–10.30",
        "Ordförande\tKarin Dal (S)",
        "Justeringens plats och tid\tKommunkansliet 2024-05-10",
        "§ 12 Budget 2025",
        "Dnr KS 2024/0042",
        "Beslut",
        "Kommunstyrelsen föreslår kommunfullmäktige att fastställa budgeten.",
    ]
    protocol = parse_blocks(lines, ExtractOptions())
    assert protocol.body.name == "Kommunstyrelsen"
    assert protocol.protocol.approved_at == date(2024, 5, 10)
    assert protocol.items[0].outcome is Outcome.RECOMMENDED
    assert protocol.items[0].case_number == "KS 2024/0042"


def test_html_to_blocks_flattens_tables_breaks_and_paragraphs() -> None:
    root = parse_html(
        b"<html><body><table><tr><td>Ordf\xc3\xb6rande</td><td>Anna Berg (S)</td></tr>"
        b"<tr><td><p>Beslutande</p></td><td><p>A B (S)</p><p>C D (M)</p></td></tr></table>"
        b"<div>Rad ett<br>Rad <b>tv\xc3\xa5</b></div></body></html>"
    )
    assert html_to_blocks(root) == [
        "Ordförande\tAnna Berg (S)",
        "Beslutande",
        "A B (S)",
        "C D (M)",
        "Rad ett",
        "Rad två",
    ]


def test_a_page_without_protocol_structure_is_refused() -> None:
    page = b"<html><body><h1>V\xc3\xa4lkommen</h1><p>Om kommunen</p></body></html>"
    with pytest.raises(MalformedDocument, match="no Swedish protocol structure"):
        extract(page, "sv-html")


@pytest.mark.parametrize(
    "page",
    [
        b"<div>" * 5000 + b"\xc2\xa7 1 Budget" + b"</div>" * 5000,
        b"<table>" + b"<tr><td>\xc2\xa7 1</td>" * 3000 + b"</table>",
        b"<pre>\xc2\xa7 1\n" + b"Beslut: " * 20000 + b"</pre>",
        b"<p>\xc2\xa7 99999999999999999999 Ja: 999999999999 Nej: 1</p>",
        b"<p>Sammantr\xc3\xa4desdatum 9999-12-31</p><p>Anslagsdatum 9999-12-31</p>"
        b"<p>\xc2\xa7 1</p>",
        b"<p>\xc2\xa7 1</p><a href='http://[::1'>x</a>",
    ],
)
def test_hostile_pages_give_a_result_or_a_publisher_error(page: bytes) -> None:
    try:
        extract(page, "sv-html")
    except PublisherError:
        pass


# --------------------------------------------------------------------------------------------
# The real command line


@pytest.mark.parametrize("name", DOCUMENTS)
def test_cli_extract_auto_detects_and_prints_json(name: str) -> None:
    result = run_cli("extract", str(SV_FIXTURES / name), "--format", "auto")
    assert result.returncode == 0, result.stderr.decode()
    data = json.loads(result.stdout)
    assert data["format"] == "sv-html"
    assert {"schema_version", "body", "meeting", "protocol", "people", "items", "counts"} <= set(
        data
    )
    assert data["counts"]["items"] == len(parsed(name).items)
    assert data["protocol"]["status"] == parsed(name).protocol.status.value


@pytest.mark.parametrize("name", DOCUMENTS)
def test_detect_recognises_every_fixture(name: str) -> None:
    assert detect((SV_FIXTURES / name).read_bytes()) == "sv-html"


EXAMPLES = sorted((ROOT / "examples" / "protocols").glob("*.html"))


def test_demo_has_three_approved_protocols_and_the_readme_example_extracts() -> None:
    assert len(EXAMPLES) == 3
    example = ROOT / "examples" / "protocols" / "socialnamnden-2024-06-18.html"
    result = run_cli("extract", str(example))
    assert result.returncode == 0, result.stderr.decode()
    assert json.loads(result.stdout)["body"]["name"] == "Socialnämnden"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_demo_protocols_are_approved(path: Path) -> None:
    protocol = extract(path.read_bytes())
    assert protocol.protocol.status is Status.APPROVED
    assert protocol.organization is not None
    assert protocol.organization.name == "Exempelstads kommun"
    assert protocol.items and all(i.public or i.title is None for i in protocol.items)


@pytest.mark.parametrize("marker", ["Ärendet omfattas av ſekretess", "ſärskilt protokoll förs"])
def test_secrecy_marker_with_long_s_is_withheld_by_the_extractor_itself(marker: str) -> None:
    # the extractor's cheap prefilter must not skip what privacy's pattern matches
    lines = [
        "Protokoll Socialnämnden",
        "Sammanträdesdatum\t2024-05-07",
        "§ 3 Placering av barn",
        marker,
        "Beslut",
        "Socialnämnden beslutar enligt förslaget.",
    ]
    (only,) = parse_blocks(lines, ExtractOptions()).items
    assert only.public is False and only.title is None and only.decision is None


def test_a_ligature_left_by_a_pdf_converter_is_read_as_its_letters() -> None:
    # pdftohtml leaves "ﬀ" (U+FB00) in "oﬀentliga": a reader sees "offentliga"
    page = (
        "<html><body><h1>Protokoll Överförmyndarnämnden 2024-05-14</h1>"
        "<h2>§ 33 Tillsyn över ställföreträdare</h2>"
        "<p>Uppgifterna i ärendet är ej oﬀentliga (32 kap. 1 §).</p>"
        "<p>Beslut</p><p>Nämnden beslutar att entlediga ställföreträdaren.</p>"
        "<h2>§ 34 Verksamhetsplan</h2><p>Beslut</p><p>Nämnden ﬁnner planen godkänd.</p>"
        "</body></html>"
    )
    secret, public = extract(page.encode(), "sv-html").items
    assert not secret.public and secret.title is None
    assert public.decision == "Nämnden finner planen godkänd."


def test_a_lock_icon_with_alt_text_withholds_its_item_and_alt_text_is_never_shown() -> None:
    page = (
        "<html><body><h1>Protokoll Byggnadsnämnden 2024-08-20</h1><p>Ålderstads kommun <img "
        'src="/vapen.svg" alt="Kommunvapen"></p>'
        '<h2>§ 124 Tillsyn av byggnad <img src="/ikoner/las.png" alt="Sekretess"></h2>'
        "<p>Beslut</p><p>Nämnden beslutar att ingripa mot verksamheten hos Ronja Blad.</p>"
        '<h2>§ 125 Information <img src="/ikoner/info.png" alt="Information"></h2>'
        "<p>Beslut</p><p>Informationen läggs till handlingarna.</p></body></html>"
    )
    secret, public = extract(page.encode(), "sv-html").items
    assert not secret.public and secret.title is None and secret.decision is None
    assert public.public and public.title == "Information"  # the alt text is not the title


def test_a_star_footnote_after_the_items_withholds_the_item_it_marks() -> None:
    page = (
        "<html><body><h1>Barn- och utbildningsnämnden protokoll</h1>"
        "<p>Sammanträdesdatum 2024-09-24</p>"
        "<h2>§ 80 Avstängning av elev vid Hagbyskolan*</h2>"
        "<p>Beslut</p><p>Nämnden beslutar att stänga av eleven Noah Lindgren.</p>"
        "<h2>§ 82 Redovisning av delegationsbeslut</h2>"
        "<p>Beslut</p><p>Redovisningen läggs till handlingarna.</p>"
        "<p>* Paragrafen omfattas av sekretess enligt 23 kap. 2 § OSL.</p>"
        "<p><strong>Anslag:</strong> Protokollet anslogs på kommunens digitala anslagstavla "
        "2024-09-30. Anslaget tas ned 2024-10-22.</p></body></html>"
    )
    protocol = extract(page.encode(), "sv-html")
    secret, last = protocol.items
    assert not secret.public and secret.title is None
    # the note and the notice are no text of the last item, and the notice is read
    assert last.public and last.decision == "Redovisningen läggs till handlingarna."
    assert str(protocol.protocol.posted_at) == "2024-09-30"
    assert str(protocol.protocol.appeal_ends) == "2024-10-22"


def test_a_header_row_listing_secret_items_by_number_alone_withholds_them() -> None:
    page = (
        "<html><body><h1>Kommunstyrelsens arbetsutskott protokoll</h1><table>"
        "<tr><td>Sammanträdesdatum</td><td>2024-10-01</td></tr>"
        "<tr><td>Sekretess</td><td>34, 36</td></tr></table>"
        "<h2>§ 34 Avgångsvederlag</h2><p>Beslut</p><p>Utskottet godkänner överenskommelsen.</p>"
        "<h2>§ 35 Upphandling</h2><p>Beslut</p><p>Utskottet godkänner upphandlingen.</p>"
        "<h2>§ 36 Förvärv av fastighet</h2><p>Beslut</p><p>Utskottet förvärvar fastigheten.</p>"
        "</body></html>"
    )
    items = extract(page.encode(), "sv-html").items
    assert [item.public for item in items] == [False, True, False]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_a_word_unicode_export_is_recognised_and_read(encoding: str) -> None:
    # Word's "Unicode" HTML export is UTF-16 with a byte order mark
    text = (SV_FIXTURES / "bjorkfors-socialnamnden-2024-06-18.html").read_text("utf-8")
    data = (codecs.BOM_UTF16_BE if encoding.endswith("be") else b"") + text.encode(encoding)
    assert detect(data) == "sv-html"
    assert extract(data).items == extract(text.encode("utf-8")).items


@pytest.mark.parametrize(
    "heading",
    [
        "<h2>MBN § 87 Bygglov för flerbostadshus</h2>",  # the body's abbreviation (Ciceron)
        "<h2>PU § 87 Bygglov för flerbostadshus</h2>",  # one that begins like "Paragraf"
        "<table><tr><th>Paragraf</th><td>§ 87</td></tr>"
        "<tr><th>Ärende</th><td>Bygglov för flerbostadshus</td></tr></table>",  # a table an item
    ],
)
def test_item_headings_with_something_before_the_paragraph_sign(heading: str) -> None:
    page = (
        "<html><body><h1>Miljö- och byggnadsnämnden protokoll</h1>"
        f"<p>Sammanträdesdatum 2024-10-29</p>{heading}<p>KS 2024/0312</p>"
        "<p>Beslut</p><p>Nämnden beviljar bygglov.</p></body></html>"
    )
    (item,) = extract(page.encode(), "sv-html").items
    assert (item.number, item.title) == ("§ 87", "Bygglov för flerbostadshus")
    assert item.case_number == "KS 2024/0312"  # a case number alone under the heading
    assert item.outcome is Outcome.APPROVED


def test_what_a_page_prints_after_its_end_is_read() -> None:
    # a CMS that appends to a finished page: libxml2 puts it beside the page's <html>; it is
    # read as the rest of the body (items there, and what makes one confidential)
    page = (
        "<html><body><h1>Tekniska nämnden protokoll</h1><p>Sammanträdesdatum 2024-02-06</p>"
        "<h2>§ 16 Informationsärenden</h2><p>Beslut</p><p>Nämnden tar del av informationen.</p>"
        "</body></html>"
        "<h2>§ 17 Delegationsbeslut</h2><p>Beslut</p><p>Nämnden godkänner redovisningen.</p>"
        "<h2>§ 18 Avstängning av elev</h2><p>Ärendet omfattas av sekretess enligt OSL.</p>"
    )
    items = extract(page.encode(), "sv-html").items
    assert [(item.number, item.public) for item in items] == [
        ("§ 16", True),
        ("§ 17", True),
        ("§ 18", False),
    ]
    assert items[1].decision == "Nämnden godkänner redovisningen."
    assert items[2].title is None and items[2].decision is None


def test_a_word_review_comment_is_no_text_of_the_protocol() -> None:
    page = (
        "<html><body><h1>Tekniska nämnden protokoll</h1><p>Sammanträdesdatum 2024-02-06</p>"
        "<h2>§ 16 Informationsärenden</h2><p><b>Beslut</b></p>"
        "<p>Tekniska nämnden tar del av informationen.<a class=msocomanchor "
        'href="#_msocom_1">[KG1]</a></p>'
        "<p>Justerandes signatur&nbsp;&nbsp;&nbsp; Utdragsbestyrkande</p>"
        '<div id="_com_1" class=msocomtxt><p class=MsoCommentText>Kontrollera med Bengt: ska '
        "sökandens uppgifter verkligen stå med?</p></div></body></html>"
    )
    (item,) = extract(page.encode(), "sv-html").items
    assert item.decision == "Tekniska nämnden tar del av informationen."


def test_an_adjective_and_a_genitive_before_the_recommendation_label() -> None:
    page = (
        "<html><body><h1>Tekniska nämnden protokoll</h1><p>Sammanträdesdatum 2024-02-06</p>"
        "<h2>§ 13 Taxa för vatten och avlopp 2025</h2>"
        "<p>Tekniska nämndens förslag till kommunfullmäktige</p>"
        "<p>1. att anta taxa för vatten och avlopp 2025 enligt bilaga 1,</p>"
        "<p>2. att taxan ska gälla från och med den 1 januari 2025.</p></body></html>"
    )
    (item,) = extract(page.encode(), "sv-html").items
    assert item.outcome is Outcome.RECOMMENDED
    assert item.decision is not None and item.decision.startswith("1. att anta taxa")


def test_a_table_headed_beslut_above_the_decision_is_not_the_decision() -> None:
    page = (
        "<html><body><h1>Byggnadsnämnden protokoll</h1><p>Sammanträdesdatum 2024-08-20</p>"
        "<h2>§ 123 Delegationsbeslut juli 2024</h2><pre>\n"
        "Beslut                 Fastighet        Sökande\n"
        "Marklov                Tallen 4         Ulf Ros\n</pre>"
        "<p><b>Beslut</b></p><p>Byggnadsnämnden lägger delegationsbesluten till "
        "handlingarna.</p></body></html>"
    )
    (item,) = extract(page.encode(), "sv-html").items
    assert item.decision == "Byggnadsnämnden lägger delegationsbesluten till handlingarna."
    assert item.outcome is Outcome.NOTED


def test_a_label_wrapped_over_two_pre_lines_and_a_two_word_municipality() -> None:
    page = (
        "<html><body><pre>\nÖSTRA ÅBY KOMMUN           PROTOKOLL\n"
        "Valnämnden                 Sammanträdesdatum 2024-06-09\n\n"
        "Justeringens\nplats och tid              Kommunhuset 2024-06-12\n\n"
        "§ 5   Rösträkning\n\nBeslut\nValnämnden fastställer resultatet.\n</pre></body></html>"
    )
    protocol = extract(page.encode(), "sv-html")
    assert str(protocol.protocol.approved_at) == "2024-06-12"
    assert protocol.organization is not None
    assert protocol.organization.name == "Östra Åby kommun"


def test_an_item_voted_twice_counts_the_vote_it_was_decided_by() -> None:
    page = (
        "<html><body><h1>Kommunfullmäktige protokoll</h1><p>Sammanträdesdatum 2024-11-18</p>"
        "<h2>§ 49 Mål och budget 2025</h2><p>Propositionsordning</p>"
        "<p>Votering begärs. Ja-röst för att avgöra ärendet i dag, nej-röst för återremiss. "
        "Omröstningsresultat: 32 ja-röster, 29 nej-röster.</p>"
        "<p>Därefter ställer ordföranden yrkandena mot varandra. Votering begärs. "
        "Omröstningsresultat: 33 ja-röster, 26 nej-röster, 2 avstår.</p>"
        "<p>Beslut</p><p>Kommunfullmäktige bifaller kommunstyrelsens förslag.</p></body></html>"
    )
    (item,) = extract(page.encode(), "sv-html").items
    assert item.votes == Votes(yes=33, no=26, abstain=2)


def test_a_table_of_the_result_alone_gives_its_numbers_not_one_mark_each() -> None:
    page = (
        "<html><body><h1>Regionfullmäktige protokoll</h1><p>Sammanträdesdatum 2024-11-26</p>"
        "<h2>§ 113 Skattesats för år 2025</h2><h3>Omröstning</h3><table>"
        "<tr><th>Ja</th><th>Nej</th><th>Avstår</th><th>Frånvarande</th></tr>"
        "<tr><td>41</td><td>38</td><td>2</td><td>0</td></tr></table>"
        "<h3>Beslut</h3><p>Regionfullmäktige fastställer skattesatsen.</p></body></html>"
    )
    (item,) = extract(page.encode(), "sv-html").items
    assert item.votes == Votes(yes=41, no=38, abstain=2, absent=0)


@pytest.mark.parametrize(
    "name",
    ["Socialnämndens individ- och familjeutskott", "Kommunstyrelsens arbets- och personalutskott"],
)
def test_a_committee_of_a_board_is_its_own_body(name: str) -> None:
    # not "Socialnämnden": the committee decided, under its own delegation
    page = (
        f"<html><body><table><tr><td>{name}</td><td>PROTOKOLL</td></tr>"
        "<tr><td>Sammanträdesdatum 2025-01-20</td></tr></table>"
        "<h2>§ 1 Föredragningslista</h2><p>Beslut: Listan godkänns.</p></body></html>"
    )
    assert extract(page.encode(), "sv-html").body.name == name


@pytest.mark.parametrize(
    ("notice", "posted", "down"),
    [
        ("Anslaget under tiden 2024-12-09 -- 2024-12-31", "2024-12-09", "2024-12-31"),
        ("Anslaget under tiden 2024-12-09–2024-12-31", "2024-12-09", "2024-12-31"),
        (
            "Protokollet har justerats 2024-12-04 och anslagits på regionens digitala "
            "anslagstavla 2024-12-05.",
            "2024-12-05",
            "2024-12-26",  # three weeks: no take-down date printed
        ),
    ],
)
def test_notice_wordings_give_the_posting_and_take_down(
    notice: str, posted: str, down: str
) -> None:
    page = (
        "<html><body><h1>Kommunstyrelsens arbetsutskott protokoll</h1>"
        f"<p>Sammanträdesdatum 2024-12-03</p><p>{notice}</p>"
        "<h2>§ 1 Föredragningslista</h2><p>Beslut: Listan godkänns.</p></body></html>"
    )
    state = extract(page.encode(), "sv-html").protocol
    assert (str(state.posted_at), str(state.appeal_ends)) == (posted, down)


_LAST_ITEM = (
    "<html><body><h1>Kultur- och fritidsnämnden protokoll</h1><p>Sammanträdesdatum 2025-03-05</p>"
    "<h2>§ 34 Kulturpris</h2><p>Beslut</p><p>Nämnden tilldelar priset Agnes Berg.</p>"
    "<h2>§ 35 Sommarlovsaktiviteter</h2>{inside}<p>Beslut</p>"
    "<p>Nämnden lägger informationen till handlingarna.</p>{after}</body></html>"
)


@pytest.mark.parametrize(
    "after",
    [
        # a page footer under a rule
        "<hr><p>Sidan uppdaterad 2025-03-10 av nämndadministrationen, tel 0645-100 00</p>",
        # Markdown's footnotes
        '<div class="footnotes" role="doc-endnotes"><hr><ol><li id="fn:1"><p>Ansökan inkom '
        '2025-01-15. <a href="#fnref:1" class="footnote-backref">↩</a></p></li></ol></div>',
        # Google Docs' footnotes
        '<div><p><a href="#ftnt_ref1" id="ftnt1">[1]</a> Ansökan inkom 2025-01-15.</p></div>',
        # a Google Docs review comment, and the signature line before it
        "<p>Justerandes signatur: TA &nbsp; Utdragsbestyrkande: ________</p>"
        '<div><p><a href="#cmnt_ref1" id="cmnt1">[a]</a>Kolla med Leila: ska kontaktuppgiften '
        "stå med? /Mats</p></div>",
    ],
)
def test_what_follows_the_last_item_is_not_its_decision(after: str) -> None:
    page = _LAST_ITEM.format(inside="", after=after)
    last = extract(page.encode(), "sv-html").items[-1]
    assert last.decision == "Nämnden lägger informationen till handlingarna."
    assert last.public


def test_an_editors_comment_is_never_read() -> None:
    page = _LAST_ITEM.format(
        inside='<p>Underlag<sup><a href="#cmnt1" id="cmnt_ref1">[a]</a></sup></p>',
        after='<div><p><a href="#cmnt_ref1" id="cmnt1">[a]</a>Stryk sökandens namn!</p></div>',
    )
    text = json.dumps(to_dict(extract(page.encode(), "sv-html")), ensure_ascii=False)
    assert "Stryk" not in text and "[a]" not in text


def test_a_rule_inside_the_last_item_does_not_end_it() -> None:
    page = _LAST_ITEM.format(inside="<p>Ärendet i korthet</p><hr>", after="")
    last = extract(page.encode(), "sv-html").items[-1]
    assert last.decision == "Nämnden lägger informationen till handlingarna."


def test_a_secrecy_note_after_the_last_item_still_withholds_it() -> None:
    # the notes are no part of the item's text, but what they say of secrecy still counts
    page = _LAST_ITEM.format(
        inside="", after="<hr><p>1) Uppgifterna omfattas av sekretess enligt 26 kap. 1 § OSL.</p>"
    )
    last = extract(page.encode(), "sv-html").items[-1]
    assert last.public is False


@pytest.mark.parametrize(
    ("sentence", "votes"),
    [
        ("Voteringen utfaller med 45 ja-röster, 32 nej-röster och 4 som avstår.", (45, 32, 4)),
        ("Omröstningsresultat: 7 ja-röster, 4 nej-röster, 2 ledamöter som avstår.", (7, 4, 2)),
    ],
)
def test_abstentions_counted_with_the_words_between(sentence: str, votes: tuple) -> None:
    page = (
        "<html><body><h1>Regionfullmäktige protokoll</h1><p>Sammanträdesdatum 2024-11-26</p>"
        f"<h2>§ 112 Budget 2025</h2><p>Omröstning</p><p>{sentence}</p>"
        "<p>Beslut</p><p>Regionfullmäktige bifaller regionstyrelsens förslag.</p></body></html>"
    )
    (item,) = extract(page.encode(), "sv-html").items
    assert item.votes is not None
    assert (item.votes.yes, item.votes.no, item.votes.abstain) == votes


@pytest.mark.parametrize(
    "furniture",
    [
        "<table><tr><td>SAMMANTRÄDESPROTOKOLL</td><td>Sida 2 (3)</td><td>Sekretess</td></tr>"
        "</table>",
        "<p>Sammanträdesdatum 2024-06-18 Sekretess</p>",
    ],
)
def test_a_marker_in_a_page_header_inside_an_item_withholds_it(furniture: str) -> None:
    # the page's header is no part of the item's text, but what it says of secrecy counts
    page = (
        "<html><body><h1>Socialnämnden protokoll</h1><p>Sammanträdesdatum 2024-06-18</p>"
        f"<h2>§ 48 Ansökan</h2><h3>Beslut</h3><p>Ansökan beviljas.</p>{furniture}"
        "<p>Beslutet gäller omedelbart.</p></body></html>"
    )
    (item,) = extract(page.encode(), "sv-html").items
    assert item.public is False


@pytest.mark.parametrize(
    ("icon", "public"),
    [
        ('<svg viewBox="0 0 8 8"><title>Sekretess</title><path d="M0 0h8v8z"/></svg>', False),
        ('<abbr title="Sekretess enligt OSL">S</abbr>', False),
        ('<span aria-label="Sekretessbelagt ärende">🔒</span>', False),
        ('<img src="lock.png" title="Sekretess">', False),
        ('<abbr title="Kommunstyrelsen">KS</abbr>', True),
    ],
)
def test_what_an_icon_says_only_in_markup_is_read_for_secrecy(icon: str, public: bool) -> None:
    page = (
        "<html><body><h1>Socialnämnden protokoll</h1><p>Sammanträdesdatum 2024-06-18</p>"
        f"<h2>§ 48 {icon} Ansökan</h2><h3>Beslut</h3><p>Ansökan beviljas.</p></body></html>"
    )
    (item,) = extract(page.encode(), "sv-html").items
    assert item.public is public
    assert "Sekretess" not in (item.title or "")
