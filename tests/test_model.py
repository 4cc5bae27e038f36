"""The JSON form of the model: schema-valid, round-trips, refuses unknown versions."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import jsonschema
import pytest

from publisher.errors import MalformedDocument
from publisher.model import (
    Body,
    Item,
    Link,
    Meeting,
    Outcome,
    People,
    Person,
    Protocol,
    ProtocolState,
    Status,
    Votes,
    from_dict,
    to_dict,
)
from publisher.schema import protocol_schema

TZ = ZoneInfo("Europe/Stockholm")

SAMPLE = Protocol(
    format="sv-html",
    body=Body(name="Socialnämnden"),
    meeting=Meeting(
        title="Socialnämndens sammanträde",
        date=date(2024, 6, 18),
        start=datetime(2024, 6, 18, 13, 0, tzinfo=TZ),
        end=datetime(2024, 6, 18, 15, 30, tzinfo=TZ),
        location="Stadshuset",
    ),
    protocol=ProtocolState(status=Status.APPROVED, approved_at=date(2024, 6, 20)),
    people=People(chair=Person(name="Anna Berg", party="S"), adjusters=(Person(name="Bo Ek"),)),
    items=(
        Item(
            number="§ 46",
            title="Budget",
            outcome=Outcome.APPROVED,
            votes=Votes(yes=8, no=3, abstain=2),
            attachments=(Link(url="https://example.org/a.pdf", title="Bilaga"),),
        ),
        Item(number="§ 47", public=False),
    ),
)


def test_to_dict_validates_against_the_shipped_schema() -> None:
    jsonschema.validate(to_dict(SAMPLE), protocol_schema())


def test_round_trip_through_json_text() -> None:
    text = json.dumps(to_dict(SAMPLE), ensure_ascii=False)
    assert from_dict(json.loads(text)) == SAMPLE


def test_counts_in_json() -> None:
    assert to_dict(SAMPLE)["counts"] == {"items": 2, "confidential": 1, "public": 1}


def test_start_falls_back_to_the_date_when_no_time_is_known() -> None:
    protocol = Protocol(format="oparl", body=Body(name="B"), meeting=Meeting(date=date(2024, 1, 2)))
    data = to_dict(protocol)
    assert data["meeting"]["start"] == "2024-01-02"
    jsonschema.validate(data, protocol_schema())
    assert from_dict(data).meeting.start is None


def test_other_schema_versions_are_refused_on_read() -> None:
    data = to_dict(SAMPLE) | {"schema_version": 2}
    with pytest.raises(MalformedDocument, match="schema_version 2"):
        from_dict(data)


def test_schema_rejects_a_confidential_item_with_a_title() -> None:
    data = to_dict(SAMPLE)
    data["items"][1]["title"] = "Leaked"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, protocol_schema())
