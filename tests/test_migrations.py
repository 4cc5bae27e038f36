"""A database created by earlier releases upgrades to the newest revision without losing
anything, on SQLite and on the real PostgreSQL server: rows written at schema 0001, then rows
in the tables of 0002 (feeds, feed_log) and 0003 (ops_counters) written at 0003 — the
previous release — all survive the upgrade to whatever the head is now."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from alembic.script import ScriptDirectory

from publisher import metrics
from publisher.migrations import config, current, upgrade
from publisher.store import (
    Store,
    UTCDateTime,
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


#: the tables of 0002 and 0003 as those releases created them (lightweight: not the current
#: metadata, which may have grown columns since), and rows the way they wrote them
LATER_TABLES = {
    "feeds": sa.table(
        "feeds",
        sa.column("name", sa.String),
        sa.column("kind", sa.String),
        sa.column("body_slug", sa.String),
        sa.column("body_name", sa.String),
        sa.column("language", sa.String),
        sa.column("length", sa.Integer),
        sa.column("updated_at", UTCDateTime()),
    ),
    "feed_log": sa.table(
        "feed_log",
        sa.column("feed", sa.String),
        sa.column("position", sa.Integer),
        sa.column("entry_key", sa.String),
        sa.column("meeting_id", sa.String),
        sa.column("kind", sa.String),
        sa.column("at", UTCDateTime()),
        sa.column("data", sa.Text),
    ),
    "ops_counters": sa.table(
        "ops_counters",
        sa.column("name", sa.String),
        sa.column("source_id", sa.String),
        sa.column("label", sa.String),
        sa.column("value", sa.Float),
    ),
}
LATER_ROWS: dict[str, list[dict[str, Any]]] = {
    "feeds": [
        {
            "name": "all",
            "kind": "all",
            "body_slug": None,
            "body_name": None,
            "language": "sv",
            "length": 2,
            "updated_at": T0,
        },
        {
            "name": "body:socialnamnden",
            "kind": "body",
            "body_slug": "socialnamnden",
            "body_name": "Socialnämnden",
            "language": "sv",
            "length": 1,
            "updated_at": T0,
        },
    ],
    "feed_log": [
        {
            "feed": "all",
            "position": 0,
            "entry_key": "m1",
            "meeting_id": "m1",
            "kind": "entry",
            "at": T0,
            "data": '{"title": "Socialnämnden 2024-06-18", "text": "åäö"}',
        },
        {
            "feed": "all",
            "position": 1,
            "entry_key": "m1",
            "meeting_id": "m1",
            "kind": "tombstone",
            "at": T0 + timedelta(days=1),
            "data": "{}",
        },
        {
            "feed": "body:socialnamnden",
            "position": 0,
            "entry_key": "m1",
            "meeting_id": "m1",
            "kind": "entry",
            "at": T0,
            "data": "{}",
        },
    ],
    "ops_counters": [
        {"name": "polls", "source_id": "board", "label": "no_change", "value": 41.0},
        {"name": "poll_seconds_sum", "source_id": "board", "label": "", "value": 12.5},
        {"name": "render_rounds", "source_id": "", "label": "", "value": 7.0},
    ],
}
#: the revision of the previous release, whose tables LATER_ROWS fill
PREVIOUS = "0003"


def _snapshot(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every seeded column of every seeded table (columns added later are not compared)."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for table, rows in OLD_ROWS.items():
            columns = [table.c[key] for key in rows[0]]
            found[table.name] = sorted(tuple(r) for r in conn.execute(sa.select(*columns)).all())
        for name, later_rows in LATER_ROWS.items():
            light = LATER_TABLES[name]
            columns = [light.c[key] for key in later_rows[0]]
            found[name] = sorted(
                (tuple(r) for r in conn.execute(sa.select(*columns)).all()), key=repr
            )
    return found


def _upgrade_keeps_everything(url: str) -> None:
    store = Store(url)
    try:
        upgrade(store.engine, "0001")
        assert current(store.engine) == "0001"
        with store.engine.begin() as conn:
            for table, rows in OLD_ROWS.items():
                for row in rows:
                    # only the columns of 0001, whatever the current metadata has grown
                    conn.execute(sa.insert(table).values(**row))
        upgrade(store.engine, PREVIOUS)
        assert current(store.engine) == PREVIOUS
        with store.engine.begin() as conn:
            for name, later_rows in LATER_ROWS.items():
                conn.execute(sa.insert(LATER_TABLES[name]), later_rows)
        before = _snapshot(store.engine)
        assert all(before[name] for name in LATER_ROWS)  # seeded, so survival means something

        store.migrate()

        head = ScriptDirectory.from_config(config()).get_current_head()
        assert current(store.engine) == head
        assert _snapshot(store.engine) == before
        names = set(sa.inspect(store.engine).get_table_names())
        assert {"ops_counters", "feeds", "feed_log"} <= names
        # the upgraded database works for the new code: counters, reads, writes
        metrics.record_poll(store, "board", "no_change", 0.2, not_modified=3)
        c = metrics.ops_counters.c
        with store.engine.connect() as conn:
            polls = conn.execute(
                sa.select(c.value).where(c.name == "polls", c.label == "no_change")
            ).scalar_one()
        assert polls == 42  # the previous release's 41, plus one: counting goes on
        assert store.feed_infos()["body:socialnamnden"]["body_name"] == "Socialnämnden"
        assert [r["kind"] for r in store.feed_rows("all", 0, 10)] == ["entry", "tombstone"]
        assert store.counts()["published"] == 1 and store.counts()["dead_letters"] == 1
        assert store.events(meeting_id="m1")[0]["detail"] == {"why": "namn på sidan 3"}
        assert bytes(store.document(2)["raw"]) == b"\x00\xff binary"  # type: ignore[index]
        # and migrating again is a no-op
        after = _snapshot(store.engine)
        store.migrate()
        assert _snapshot(store.engine) == after
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


def test_feeds_of_the_previous_release_get_a_written_mark_of_zero(tmp_path: Any) -> None:
    """0004 adds ``feeds.written``: existing feeds start at 0, so the first render after the
    upgrade writes their archive pages once (repairing any an earlier release missed)."""
    from publisher.store import feeds

    store = Store(f"sqlite:///{tmp_path}/old.db")
    try:
        upgrade(store.engine, "0003")
        with store.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO feeds (name, kind, length) VALUES ('all', 'all', 7)"))
        store.migrate()
        assert current(store.engine) == ScriptDirectory.from_config(config()).get_current_head()
        with store.engine.connect() as conn:
            row = conn.execute(sa.select(feeds.c.length, feeds.c.written)).one()
        assert tuple(row) == (7, 0)
        store.feed_written({"all": 7})
        store.feed_written({"all": 3})  # never backwards
        assert store.feed_infos()["all"]["written"] == 7
    finally:
        store.dispose()
