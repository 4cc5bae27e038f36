"""Lifecycle rules on a real database (SQLite file and the real PostgreSQL server)."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from publisher import lifecycle
from publisher.model import Body, Item, Meeting, Outcome, Protocol, ProtocolState, Status
from publisher.privacy import protect
from publisher.settings import SourceConfig
from publisher.store import Store, events, items, meetings

TZ = ZoneInfo("Europe/Stockholm")
NOW = datetime(2024, 6, 25, 10, 0, tzinfo=UTC)
SOURCE = SourceConfig(id="lund-sn", kind="directory", publish_delay=timedelta(days=2))


def protocol(
    status: Status = Status.APPROVED,
    approved: date | None = date(2024, 6, 20),
    posted: date | None = date(2024, 6, 21),
    day: date = date(2024, 6, 18),
    decision: str = "Godkänns.",
) -> Protocol:
    return protect(
        Protocol(
            format="sv-html",
            body=Body(name="Socialnämnden"),
            meeting=Meeting(date=day, start=datetime(2024, 6, 18, 13, 0, tzinfo=TZ)),
            protocol=ProtocolState(status=status, approved_at=approved, posted_at=posted),
            items=(
                Item(number="§ 46", title="Budget", decision=decision, outcome=Outcome.APPROVED),
                Item(number="§ 47", title="Placering av barn", decision="Sekretess enligt OSL"),
            ),
        )
    )


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    store = Store(database_url)
    store.migrate()
    yield store
    store.dispose()


def accept(
    store: Store,
    proto: Protocol,
    key: str = "sn-2024-06-18.html",
    source: SourceConfig = SOURCE,
    now: datetime = NOW,
) -> lifecycle.Accepted:
    doc_id, _ = store.add_document(source.id, key, None, repr(proto).encode(), now)
    return lifecycle.accept(store, source, doc_id, key, proto, now)


def kinds(store: Store, meeting_id: str) -> list[str]:
    return [e["kind"] for e in reversed(store.events(meeting_id=meeting_id))]


def test_approved_protocol_is_scheduled_from_its_approval_date(store: Store) -> None:
    result = accept(store, protocol())
    # justering 2024-06-20, local midnight, plus P2D
    assert result.due_at == datetime(2024, 6, 22, 0, 0, tzinfo=TZ)
    pub = store.publication(result.meeting_id)
    assert pub is not None and pub["state"] == "pending"
    assert pub["due_at"] == datetime(2024, 6, 22, 0, 0, tzinfo=TZ)


@pytest.mark.parametrize(
    ("delay_from", "expected"),
    [
        ("approved", datetime(2024, 6, 22, 0, 0, tzinfo=TZ)),
        ("posted", datetime(2024, 6, 23, 0, 0, tzinfo=TZ)),
        ("meeting", datetime(2024, 6, 20, 13, 0, tzinfo=TZ)),
    ],
)
def test_delay_anchor_is_configurable(store: Store, delay_from: str, expected: datetime) -> None:
    source = dataclasses.replace(SOURCE, delay_from=delay_from)
    assert accept(store, protocol(), source=source).due_at == expected


def test_missing_anchor_falls_back_to_the_next_known_date(store: Store) -> None:
    result = accept(store, protocol(approved=None))
    assert result.due_at == datetime(2024, 6, 23, 0, 0, tzinfo=TZ)  # posted + P2D


def test_draft_is_stored_but_never_scheduled(store: Store) -> None:
    result = accept(store, protocol(status=Status.DRAFT, approved=None, posted=None))
    assert result.publication is None
    assert store.publication(result.meeting_id) is None
    assert lifecycle.release_due(store, NOW + timedelta(days=365)) == []
    assert store.meeting(result.meeting_id)["status"] == "draft"  # type: ignore[index]


def test_draft_becomes_approved_on_a_later_poll(store: Store) -> None:
    first = accept(store, protocol(status=Status.DRAFT, approved=None, posted=None))
    second = accept(store, protocol())
    assert first.meeting_id == second.meeting_id
    assert second.version == 2 and second.publication == "pending"


def test_the_same_document_twice_is_one_meeting_and_one_set_of_items(store: Store) -> None:
    a = accept(store, protocol())
    b = accept(store, protocol())
    assert a.meeting_id == b.meeting_id and b.version == 1 and not b.changed
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(meetings)).scalar() == 1
        assert conn.execute(sa.select(sa.func.count()).select_from(items)).scalar() == 2
    assert kinds(store, a.meeting_id) == ["extracted", "scheduled"]


def test_new_version_before_due_replaces_the_pending_one(store: Store) -> None:
    first = accept(store, protocol())
    second = accept(store, protocol(decision="Godkänns med ändring."))
    assert second.meeting_id == first.meeting_id and second.version == 2
    assert store.publication(first.meeting_id)["version"] == 2  # type: ignore[index]
    released = lifecycle.release_due(store, datetime(2024, 6, 22, 0, 0, tzinfo=TZ))
    assert released == [first.meeting_id]
    assert kinds(store, first.meeting_id).count("published") == 1


def test_nothing_is_released_before_due_and_each_once_after(store: Store) -> None:
    result = accept(store, protocol())
    due = datetime(2024, 6, 22, 0, 0, tzinfo=TZ)
    assert lifecycle.release_due(store, due - timedelta(seconds=1)) == []
    assert lifecycle.release_due(store, due) == [result.meeting_id]
    assert lifecycle.release_due(store, due + timedelta(days=1)) == []
    pub = store.publication(result.meeting_id)
    assert pub is not None and pub["state"] == "published" and pub["published_at"] == due


def test_correction_after_publishing_updates_the_same_entry(store: Store) -> None:
    first = accept(store, protocol())
    lifecycle.release_due(store, datetime(2024, 7, 1, tzinfo=UTC))
    fixed = accept(store, protocol(decision="Avslås."), now=datetime(2024, 7, 2, tzinfo=UTC))
    assert fixed.meeting_id == first.meeting_id and fixed.publication == "published"
    pub = store.publication(first.meeting_id)
    assert pub is not None and pub["published_version"] == 2
    corrected = [e for e in store.events(meeting_id=first.meeting_id) if e["kind"] == "corrected"]
    assert len(corrected) == 1
    new_version = [
        e for e in store.events(meeting_id=first.meeting_id) if e["kind"] == "new_version"
    ]
    assert new_version[0]["detail"]["changes"] == ["changed § 46"]


def test_vanished_published_protocol_is_retracted_and_pending_one_cancelled(store: Store) -> None:
    published = accept(store, protocol(), key="a.html")
    lifecycle.release_due(store, datetime(2024, 7, 1, tzinfo=UTC))
    pending = accept(store, protocol(day=date(2024, 8, 1), approved=date(2024, 8, 2)), key="b.html")
    affected = lifecycle.retract_vanished(store, SOURCE.id, set(), datetime(2024, 7, 2, tzinfo=UTC))
    assert set(affected) == {published.meeting_id, pending.meeting_id}
    assert store.publication(published.meeting_id)["state"] == "retracted"  # type: ignore[index]
    assert store.publication(pending.meeting_id)["state"] == "cancelled"  # type: ignore[index]
    assert lifecycle.release_due(store, datetime(2025, 1, 1, tzinfo=UTC)) == []


def test_confidential_item_text_never_reaches_the_store(store: Store) -> None:
    result = accept(store, protocol())
    with store.engine.connect() as conn:
        stored = conn.execute(sa.select(meetings.c.protocol)).scalar_one()
        titles = list(conn.execute(sa.select(items.c.title)).scalars())
        log = " ".join(str(d) for d in conn.execute(sa.select(events.c.detail)).scalars())
    assert "Placering av barn" not in stored and "OSL" not in stored
    assert titles == ["Budget", None]
    assert "Placering" not in log
    assert json.loads(stored)["counts"]["confidential"] == 1
    assert result.meeting_id.startswith("lund-sn-")


def test_every_transition_is_in_the_event_log(store: Store) -> None:
    result = accept(store, protocol())
    lifecycle.release_due(store, datetime(2024, 7, 1, tzinfo=UTC))
    lifecycle.retract(
        store, result.meeting_id, datetime(2024, 7, 2, tzinfo=UTC), "admin:anna", "wrong document"
    )
    log = store.events(meeting_id=result.meeting_id)
    assert [e["kind"] for e in reversed(log)] == [
        "extracted",
        "scheduled",
        "published",
        "retracted",
    ]
    assert log[0]["actor"] == "admin:anna" and log[0]["detail"]["why"] == "wrong document"


def test_concurrent_sweeps_publish_each_publication_exactly_once(database_url: str) -> None:
    stores = [Store(database_url) for _ in range(4)]
    stores[0].migrate()
    ids = []
    for n in range(40):
        day = date(2024, 1, 1) + timedelta(days=n)
        ids.append(accept(stores[0], protocol(day=day, approved=day), key=f"{n}.html").meeting_id)
    results: list[list[str]] = [[] for _ in stores]
    barrier = threading.Barrier(len(stores))

    def sweep(i: int) -> None:
        barrier.wait()
        for _ in range(5):
            results[i].extend(lifecycle.release_due(stores[i], datetime(2025, 1, 1, tzinfo=UTC)))

    threads = [threading.Thread(target=sweep, args=(i,)) for i in range(len(stores))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    released = [m for r in results for m in r]
    assert sorted(released) == sorted(ids)
    published = [e for e in stores[0].events(limit=1000) if e["kind"] == "published"]
    assert len(published) == len(ids)
    for s in stores:
        s.dispose()


def test_backoff_grows_and_is_capped() -> None:
    base, cap = timedelta(seconds=30), timedelta(hours=6)
    delays = [lifecycle.backoff(n, base, cap, 1.0) for n in range(1, 12)]
    assert delays[:3] == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120)]
    assert delays[-1] == cap and all(a <= b for a, b in zip(delays, delays[1:], strict=False))


def test_a_correction_landing_mid_render_is_rendered_next_round(store: Store) -> None:
    result = accept(store, protocol())
    assert store.unrendered() == []  # pending: nothing public yet
    lifecycle.release_due(store, datetime(2024, 7, 1, tzinfo=UTC))
    assert store.unrendered() == [result.meeting_id]
    marks = store.render_marks([result.meeting_id])
    accept(store, protocol(decision="Avslås."), now=datetime(2024, 7, 2, tzinfo=UTC))
    store.mark_rendered(marks)  # the render that started before the correction
    assert store.unrendered() == [result.meeting_id]
    store.mark_rendered(store.render_marks([result.meeting_id]))
    assert store.unrendered() == []


def test_protocol_taken_down_after_its_appeal_period_stays_published(store: Store) -> None:
    proto = dataclasses.replace(
        protocol(),
        protocol=ProtocolState(
            status=Status.APPROVED,
            approved_at=date(2024, 6, 20),
            posted_at=date(2024, 6, 21),
            appeal_ends=date(2024, 7, 12),
        ),
    )
    result = accept(store, proto)
    lifecycle.release_due(store, datetime(2024, 7, 1, tzinfo=UTC))
    # still on the board during the appeal period: vanishing now is a retraction …
    # … but after 12 July the board takes it down as a matter of routine
    lifecycle.retract_vanished(store, SOURCE.id, set(), datetime(2024, 7, 20, tzinfo=UTC))
    assert store.publication(result.meeting_id)["state"] == "published"  # type: ignore[index]
    assert kinds(store, result.meeting_id)[-1] == "left_source"


def test_protocol_vanishing_during_its_appeal_period_is_retracted(store: Store) -> None:
    proto = dataclasses.replace(
        protocol(),
        protocol=ProtocolState(
            status=Status.APPROVED, approved_at=date(2024, 6, 20), appeal_ends=date(2024, 7, 12)
        ),
    )
    result = accept(store, proto)
    lifecycle.release_due(store, datetime(2024, 7, 1, tzinfo=UTC))
    lifecycle.retract_vanished(store, SOURCE.id, set(), datetime(2024, 7, 5, tzinfo=UTC))
    assert store.publication(result.meeting_id)["state"] == "retracted"  # type: ignore[index]
