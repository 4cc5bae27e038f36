"""A database created by the previous release (schema 0001, with data) upgrades to the newest
revision without losing anything, on SQLite and on the real PostgreSQL server."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from alembic.script import ScriptDirectory

from publisher import metrics
from publisher.migrations import config, current, upgrade
from publisher.store import (
    Store,
    documents,
    events,
    items,
    meetings,
    publications,
    sources,
    validators,
)

T0 = datetime(2024, 6, 20, 8, 30, tzinfo=UTC)

#: the tables of release 0001 and one row each the way that release wrote them
OLD_ROWS: dict[sa.Table, list[dict[str, Any]]] = {
    sources: [
        {
            "id": "board",
            "next_poll_at": T0 + timedelta(minutes=15),
            "last_poll_at": T0,
            "last_success_at": T0 - timedelta(hours=1),
            "last_error_at": T0,
            "last_error": "HTTP 503",
            "last_error_reason": "transient:ServerBusy",
            "failures": 1,
            "polls": 42,
            "not_modified": 17,
        }
    ],
    validators: [
        {
            "url": "https://example.org/anslagstavla",
            "etag": '"abc"',
            "last_modified": "Thu, 20 Jun 2024 08:00:00 GMT",
            "links": '["https://example.org/p/1.html"]',
            "updated_at": T0,
        }
    ],
    documents: [
        {
            "id": 1,
            "source_id": "board",
            "key": "p/1.html",
            "url": "https://example.org/p/1.html",
            "content_hash": "0" * 64,
            "version": 1,
            "fetched_at": T0,
            "raw": "<html>Socialnämnden § 1 – åäö</html>".encode(),
            "state": "extracted",
            "meeting_id": "m1",
        },
        {
            "id": 2,
            "source_id": "board",
            "key": "p/2.html",
            "url": None,
            "content_hash": "1" * 64,
            "version": 1,
            "fetched_at": T0,
            "raw": b"\x00\xff binary",
            "state": "failed",
            "error_reason": "malformed",
            "error": "no body",
        },
    ],
    meetings: [
        {
            "id": "m1",
            "source_id": "board",
            "natural_key": "socialnamnden/2024-06-18",
            "document_key": "p/1.html",
            "body_name": "Socialnämnden",
            "body_slug": "socialnamnden",
            "meeting_date": date(2024, 6, 18),
            "meeting_start": T0 - timedelta(days=2),
            "title": "Sammanträde",
            "status": "approved",
            "approved_at": date(2024, 6, 20),
            "posted_at": date(2024, 6, 21),
            "language": "sv",
            "version": 2,
            "content_hash": "2" * 64,
            "protocol": '{"schema_version": 1, "body": {"name": "Socialnämnden"}}',
            "created_at": T0,
            "updated_at": T0,
        }
    ],
    items: [
        {
            "meeting_id": "m1",
            "position": 0,
            "number": "§ 1",
            "title": "Val av justerare",
            "case_number": "SN 2024/1",
            "outcome": "elected",
            "public": True,
        }
    ],
    publications: [
        {
            "meeting_id": "m1",
            "state": "published",
            "version": 2,
            "due_at": T0,
            "published_at": T0,
            "first_published_at": T0,
            "published_version": 2,
            "rendered_version": 2,
            "rendered_state": "published",
            "needs_render": False,
            "updated_at": T0,
        }
    ],
    events: [
        {
            "id": 1,
            "at": T0,
            "kind": "held",
            "source_id": None,
            "meeting_id": "m1",
            "actor": "cli:alice",
            "detail": '{"why": "namn på sidan 3"}',
        }
    ],
}


def _snapshot(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return {
            table.name: sorted(tuple(row) for row in conn.execute(sa.select(table)).all())
            for table in OLD_ROWS
        }


def _upgrade_keeps_everything(url: str) -> None:
    store = Store(url)
    try:
        upgrade(store.engine, "0001")
        assert current(store.engine) == "0001"
        with store.engine.begin() as conn:
            for table, rows in OLD_ROWS.items():
                for row in rows:
                    conn.execute(table.insert().values(**row))
        before = _snapshot(store.engine)

        store.migrate()

        head = ScriptDirectory.from_config(config()).get_current_head()
        assert current(store.engine) == head
        assert _snapshot(store.engine) == before
        names = set(sa.inspect(store.engine).get_table_names())
        assert {"ops_counters", "feeds", "feed_log"} <= names
        # the upgraded database works for the new code: counters, reads, writes
        metrics.record_poll(store, "board", "no_change", 0.2, not_modified=3)
        with store.engine.connect() as conn:
            assert conn.execute(sa.select(metrics.ops_counters.c.value)).scalars().all()
        assert store.counts()["published"] == 1 and store.counts()["dead_letters"] == 1
        assert store.events(meeting_id="m1")[0]["detail"] == {"why": "namn på sidan 3"}
        assert bytes(store.document(2)["raw"]) == b"\x00\xff binary"  # type: ignore[index]
        # and migrating again is a no-op
        store.migrate()
        assert _snapshot(store.engine) == before
    finally:
        store.dispose()


def test_sqlite_database_of_the_previous_release_upgrades(tmp_path: Any) -> None:
    _upgrade_keeps_everything(f"sqlite:///{tmp_path}/old.db")


def test_postgresql_database_of_the_previous_release_upgrades(pg_url: str) -> None:
    _upgrade_keeps_everything(pg_url)


def test_revisions_form_one_chain() -> None:
    script = ScriptDirectory.from_config(config())
    assert len(script.get_heads()) == 1, "two migrations claim the same parent"
    chain = [rev.revision for rev in script.walk_revisions()]
    assert chain[-1] == "0001" and "0003" in chain
