"""The JSON form of the model: schema-valid, round-trips, refuses unknown versions; and the
records' quick constructors build what dataclasses would."""

from __future__ import annotations

import dataclasses
import inspect
import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import jsonschema
import pytest

from publisher import model
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


@pytest.mark.parametrize("record", model._RECORDS, ids=lambda record: record.__name__)
def test_quick_init_builds_what_the_generated_init_builds(record: type) -> None:
    """Every record's __init__ is replaced (model._quick_init): same parameters, defaults and
    factories as the dataclass's own, and still frozen."""
    reference = dataclasses.make_dataclass(
        "Reference",
        [(f.name, f.type, f) for f in dataclasses.fields(record)],
        frozen=True,
        slots=True,
    )
    assert inspect.signature(record.__init__).parameters.keys() == (
        inspect.signature(reference.__init__).parameters.keys()
    )
    required = {
        f.name: f"value of {f.name}"
        for f in dataclasses.fields(record)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    built, expected = record(**required), reference(**required)
    for f in dataclasses.fields(record):
        assert getattr(built, f.name) == getattr(expected, f.name), f.name
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.__setattr__(dataclasses.fields(record)[0].name, "changed")
    with pytest.raises(TypeError):
        record(**required, not_a_field=1)
    if required:
        with pytest.raises(TypeError):
            record()


def test_default_factories_make_a_new_value_per_record() -> None:
    first, second = (
        Protocol(format="x", body=Body(name="a")),
        Protocol(format="x", body=Body(name="a")),
    )
    assert first.meeting == second.meeting and first.meeting is not second.meeting
