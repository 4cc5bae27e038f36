"""Configured selectors: US agency pages (third-party samples) and an own Norwegian calendar."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import jsonschema
import pytest

from publisher.cli import load_selectors
from publisher.errors import ConfigError, MalformedDocument
from publisher.extract import ExtractOptions, extract, extract_all
from publisher.model import Protocol, Status, to_dict
from publisher.schema import protocol_schema

from .conftest import FIXTURES, THIRD_PARTY, run_cli

PAGES = THIRD_PARTY / "html_meeting_pages"
CONFIGS = FIXTURES / "selectors"
LIBRARY = PAGES / "det_library_commission.html"
POLICE = PAGES / "det_police_department.html"
CALENDAR = CONFIGS / "fjellvik-motekalender.html"
CALENDAR_URL = "https://fjellvik.kommune.example/politikk/motekalender"
DETROIT = ZoneInfo("America/Detroit")
OSLO = ZoneInfo("Europe/Oslo")


def options_for(page: Path, base_url: str | None = None) -> ExtractOptions:
    return ExtractOptions(
        selectors=load_selectors(str(CONFIGS / f"{page.stem}.toml")), base_url=base_url
    )


def read(page: Path) -> Protocol:
    return extract(page.read_bytes(), "auto", options_for(page))


def calendar() -> list[Protocol]:
    return extract_all(CALENDAR.read_bytes(), "auto", options_for(CALENDAR, CALENDAR_URL))


@pytest.mark.parametrize("page", [LIBRARY, POLICE, CALENDAR], ids=lambda p: p.name)
def test_result_is_a_valid_metadata_only_meeting(page: Path) -> None:
    protocol = read(page)
    assert protocol.format == "selectors"
    assert protocol.items == ()
    jsonschema.validate(to_dict(protocol), protocol_schema())


def test_library_commission_title_body_and_location() -> None:
    protocol = read(LIBRARY)
    assert protocol.meeting.title == "Regular Commission Meeting"
    assert protocol.body.name == "Detroit Library Commission"
    assert protocol.meeting.location == "Main"


def test_library_commission_times_are_local_detroit_times() -> None:
    meeting = read(LIBRARY).meeting
    assert meeting.date == date(2019, 1, 15)
    assert meeting.start == datetime(2019, 1, 15, 13, 30, tzinfo=DETROIT)
    assert meeting.end == datetime(2019, 1, 15, 14, 30, tzinfo=DETROIT)
    assert meeting.start is not None and meeting.start.utcoffset() is not None


def test_library_commission_minutes_link_and_approval() -> None:
    protocol = read(LIBRARY)
    (link,) = protocol.links
    assert link.url.startswith(
        "https://d2qp1eesgvzzix.cloudfront.net/uploads/files/commission/"
        "1-15-19-DETROIT-LIBRARY-COMMISSION-PROCEEDINGS.pdf"
    )
    assert link.media_type == "application/pdf"
    assert protocol.protocol.status is Status.APPROVED  # the minutes PDF is published


def test_canonical_url_is_the_identity() -> None:
    assert read(LIBRARY).source_id == "https://detroitpubliclibrary.org/meeting/4908"
    assert read(POLICE).source_id == (
        "https://detroitmi.gov/events/board-police-commissioners-2-28-19"
    )


def test_police_board_page() -> None:
    protocol = read(POLICE)
    assert protocol.body.name == "Board of Police Commissioners"
    assert protocol.meeting.title == "Board of Police Commissioners - 2-28-19"
    assert protocol.meeting.start == datetime(2019, 2, 28, 15, 0, tzinfo=DETROIT)
    assert protocol.meeting.location is not None
    assert "1301 3rd Street" in protocol.meeting.location
    assert protocol.links == ()
    assert protocol.protocol.status is Status.UNKNOWN  # no approved_if: a calendar entry


def test_calendar_gives_one_meeting_per_container() -> None:
    meetings = calendar()
    assert [m.body.name for m in meetings] == [
        "Kommunestyret",
        "Formannskapet",
        "Hovedutvalg for oppvekst",
    ]
    assert [m.meeting.date for m in meetings] == [
        date(2025, 2, 13),
        date(2025, 3, 4),
        date(2025, 3, 19),
    ]


def test_calendar_times_and_places() -> None:
    first, second, third = calendar()
    assert first.meeting.start == datetime(2025, 2, 13, 18, 0, tzinfo=OSLO)
    assert first.meeting.end == datetime(2025, 2, 13, 21, 30, tzinfo=OSLO)
    assert second.meeting.end is None
    assert first.meeting.location == "Kommunestyresalen, Rådhuset"
    assert third.meeting.location == "Digitalt møte"
    assert all(m.language == "nb" for m in (first, second, third))


def test_calendar_links_are_absolute_and_ids_stable() -> None:
    first, second, _ = calendar()
    assert [link.url for link in first.links] == [
        "https://fjellvik.kommune.example/dok/2025-118/innkalling.pdf",
        "https://fjellvik.kommune.example/dok/2025-118/protokoll.pdf",
    ]
    assert first.source_id == "https://fjellvik.kommune.example/politikk/mote/2025-118"
    assert [m.source_id for m in calendar()] == [m.source_id for m in calendar()]


def test_approved_only_where_the_protocol_is_linked() -> None:
    assert [m.protocol.status for m in calendar()] == [
        Status.APPROVED,
        Status.DRAFT,
        Status.DRAFT,
    ]


@pytest.mark.parametrize(
    ("selectors", "key"),
    [
        ({"title": "h1", "colour": "p"}, "selectors.colour"),
        ({"title": "h1["}, "selectors.title"),
        ({"title": "h1", "date": "//p[@"}, "selectors.date"),
        ({"date": "p"}, "selectors.title"),
        ({"title": "h1", "body": {"text": "x"}}, "selectors.body"),
        ({"title": "h1", "links": 3}, "selectors.links"),
    ],
)
def test_bad_configuration_names_the_key(selectors: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        extract(LIBRARY.read_bytes(), "selectors", ExtractOptions(selectors=selectors))


def test_a_title_that_matches_nothing_is_a_document_error() -> None:
    options = ExtractOptions(selectors={"title": "h6.nothing", "body": {"value": "X"}})
    with pytest.raises(MalformedDocument, match="title"):
        extract(LIBRARY.read_bytes(), "selectors", options)


def test_cli_extract_with_selectors_file() -> None:
    result = run_cli(
        "extract",
        str(LIBRARY),
        "--format",
        "selectors",
        "--selectors",
        str(CONFIGS / "det_library_commission.toml"),
    )
    assert result.returncode == 0, result.stderr.decode()
    data = json.loads(result.stdout)
    assert data["meeting"]["start"] == "2019-01-15T13:30:00-05:00"
    assert data["body"]["name"] == "Detroit Library Commission"


def test_cli_bad_selector_is_one_line_exit_2(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('title = "h1["\n')
    result = run_cli("extract", str(LIBRARY), "--format", "selectors", "--selectors", str(config))
    assert result.returncode == 2
    assert result.stdout == b""
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "selectors.title" in lines[0]
