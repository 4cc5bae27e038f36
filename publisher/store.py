"""Tables, upserts, versions, the event log and atomic claims (SQLAlchemy Core).

The store holds no business rules: ``publisher.lifecycle`` decides *what* happens, this module
makes it durable and race-free. Everything the pipeline must not lose lives here — not in the
broker — so a flushed Redis or a killed worker loses nothing: sweeps re-derive work from these
tables.

Instants are stored as naive UTC (``UTCDateTime``) so SQLite and PostgreSQL compare them the
same way; they come back timezone-aware.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from publisher.sources.base import Validators

SCHEMA_REVISION = "0004"
#: the PostgreSQL advisory lock key of ``Store.render_lock`` (any constant bigint, fixed)
RENDER_LOCK_KEY = 0x6D70_7265_6E64_6572  # "mprender"


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; instants must be aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # SQLite without type detection
            value = datetime.fromisoformat(value)
        result: datetime = value.replace(tzinfo=UTC)
        return result


metadata = sa.MetaData()

sources = sa.Table(
    "sources",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("next_poll_at", UTCDateTime, nullable=True),
    sa.Column("last_poll_at", UTCDateTime, nullable=True),
    sa.Column("last_success_at", UTCDateTime, nullable=True),
    sa.Column("last_error_at", UTCDateTime, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("last_error_reason", sa.String(64), nullable=True),
    sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
    sa.Column("polls", sa.Integer, nullable=False, server_default="0"),
    sa.Column("not_modified", sa.Integer, nullable=False, server_default="0"),
)

validators = sa.Table(
    "validators",
    metadata,
    sa.Column("url", sa.String(2048), primary_key=True),
    sa.Column("etag", sa.String(512), nullable=True),
    sa.Column("last_modified", sa.String(128), nullable=True),
    sa.Column("links", sa.Text, nullable=True),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)

documents = sa.Table(
    "documents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source_id", sa.String(64), nullable=False),
    sa.Column("key", sa.String(2048), nullable=False),
    sa.Column("url", sa.String(2048), nullable=True),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("fetched_at", UTCDateTime, nullable=False),
    sa.Column("raw", sa.LargeBinary, nullable=False),
    # pending → extracted | failed ; failed rows are the dead letters an operator can replay
    sa.Column("state", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("error_reason", sa.String(64), nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("meeting_id", sa.String(64), nullable=True),
    sa.Column("gone_at", UTCDateTime, nullable=True),
    sa.UniqueConstraint("source_id", "key", "content_hash", name="uq_documents_content"),
)
sa.Index("ix_documents_key", documents.c.source_id, documents.c.key)
sa.Index("ix_documents_state", documents.c.state)

meetings = sa.Table(
    "meetings",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("source_id", sa.String(64), nullable=False),
    sa.Column("natural_key", sa.String(2048), nullable=False),
    sa.Column("document_key", sa.String(2048), nullable=False),
    sa.Column("body_name", sa.String(512), nullable=False),
    sa.Column("body_slug", sa.String(128), nullable=False),
    sa.Column("meeting_date", sa.Date, nullable=True),
    sa.Column("meeting_start", UTCDateTime, nullable=True),
    sa.Column("title", sa.Text, nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("approved_at", sa.Date, nullable=True),
    sa.Column("posted_at", sa.Date, nullable=True),
    sa.Column("language", sa.String(8), nullable=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    # the privacy-safe Protocol JSON (model.to_dict); never holds confidential text
    sa.Column("protocol", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.Column("gone_at", UTCDateTime, nullable=True),
    sa.UniqueConstraint("source_id", "natural_key", name="uq_meetings_natural"),
)
sa.Index("ix_meetings_body", meetings.c.body_slug, meetings.c.meeting_date)

items = sa.Table(
    "items",
    metadata,
    sa.Column("meeting_id", sa.String(64), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("number", sa.String(64), nullable=False),
    sa.Column("title", sa.Text, nullable=True),
    sa.Column("case_number", sa.String(128), nullable=True),
    sa.Column("outcome", sa.String(32), nullable=False),
    sa.Column("public", sa.Boolean, nullable=False),
)

publications = sa.Table(
    "publications",
    metadata,
    sa.Column("meeting_id", sa.String(64), primary_key=True),
    # pending → published → (corrected: still published, newer version) → retracted
    # pending → held (operator) → pending ; pending → cancelled (vanished before release)
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("due_at", UTCDateTime, nullable=False),
    sa.Column("published_at", UTCDateTime, nullable=True),
    sa.Column("first_published_at", UTCDateTime, nullable=True),
    sa.Column("published_version", sa.Integer, nullable=True),
    sa.Column("rendered_version", sa.Integer, nullable=True),
    sa.Column("rendered_state", sa.String(16), nullable=True),
    # set in the same UPDATE as every public change, so finding work costs O(changes), not
    # O(history); cleared only if nothing changed again while rendering (see mark_rendered)
    sa.Column("needs_render", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)
# Partial: only waiting rows are ever searched by due_at, and without a general index on
# state the claim's outer UPDATE looks its ids up by primary key instead of walking every
# pending row (which made a sweep grow with the number of scheduled publications).
sa.Index(
    "ix_publications_due",
    publications.c.due_at,
    sqlite_where=publications.c.state == "pending",
    postgresql_where=publications.c.state == "pending",
)
sa.Index("ix_publications_render", publications.c.needs_render)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("source_id", sa.String(64), nullable=True),
    sa.Column("meeting_id", sa.String(64), nullable=True),
    sa.Column("actor", sa.String(128), nullable=False),
    sa.Column("detail", sa.Text, nullable=True),
)
sa.Index("ix_events_meeting", events.c.meeting_id, events.c.id)

# The feeds' append-only log (migration 0002). Every public change of an entry — a meeting's
# "in brief" summary or one decision — appends a row holding the privacy-safe snapshot the
# renderer needs. A feed document is a pure function of a range of positions, so the current
# feed reads only its newest rows and a full archive page (RFC 5005) never changes again:
# rendering costs the same with 100 or 100 000 meetings of history.
feeds = sa.Table(
    "feeds",
    metadata,
    sa.Column("name", sa.String(200), primary_key=True),
    # all | body | decisions
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("body_slug", sa.String(128), nullable=True),
    sa.Column("body_name", sa.String(512), nullable=True),
    sa.Column("language", sa.String(8), nullable=True),
    # the next free position: rows hold positions 0 … length-1
    sa.Column("length", sa.Integer, nullable=False, server_default="0"),
    # the newest row's ``at``; appends are kept strictly after it (see feed_clock)
    sa.Column("updated_at", UTCDateTime, nullable=True),
    # (migration 0004) the length up to which the feed's files are known to be written: the
    # renderer moves it only after every file is in place (see feed_written)
    sa.Column("written", sa.Integer, nullable=False, server_default="0"),
)

feed_log = sa.Table(
    "feed_log",
    metadata,
    sa.Column("feed", sa.String(200), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("entry_key", sa.String(400), nullable=False),
    sa.Column("meeting_id", sa.String(64), nullable=False),
    # entry | deleted
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("data", sa.Text, nullable=False),
)
sa.Index("ix_feed_log_entry", feed_log.c.feed, feed_log.c.entry_key, feed_log.c.position)


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Claimed:
    """A publication the caller has just atomically taken."""

    meeting_id: str
    version: int


class Store:
    """A connection pool plus the handful of race-free operations the pipeline needs."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        kwargs: dict[str, Any] = {"echo": echo, "future": True}
        if url.startswith("sqlite"):
            path = url.split("///", 1)[1] if "///" in url else ""
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = sa.create_engine(url, **kwargs)
        self._render_local = threading.local()  # render_lock's reentrancy depth
        self._render_thread_lock = threading.Lock()
        if url.startswith("sqlite"):
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            sa.event.listen(self.engine, "begin", _sqlite_begin)

    # ------------------------------------------------------------------ schema

    def migrate(self) -> None:
        """Bring the schema to the newest revision (Alembic)."""
        from publisher.migrations import upgrade

        upgrade(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A write transaction (on SQLite: BEGIN IMMEDIATE; reads elsewhere stay deferred)."""
        with self.engine.connect() as conn:
            conn.execution_options(publisher_write=True)
            with conn.begin():
                yield conn

    # ------------------------------------------------------------------ events

    def log(
        self,
        conn: Connection,
        kind: str,
        at: datetime,
        *,
        source_id: str | None = None,
        meeting_id: str | None = None,
        actor: str = "system",
        **detail: Any,
    ) -> None:
        # A plain insert with parameters: the statement compiles once and stays cached
        # (``.values(...)`` would build and cache-key a new statement per event).
        conn.execute(
            events.insert(),
            {
                "at": at,
                "kind": kind,
                "source_id": source_id,
                "meeting_id": meeting_id,
                "actor": actor,
                "detail": json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
            },
        )

    def events(self, *, meeting_id: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        query = sa.select(events).order_by(events.c.id.desc()).limit(limit)
        if meeting_id:
            query = query.where(events.c.meeting_id == meeting_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            {**row, "detail": json.loads(row["detail"]) if row["detail"] else {}} for row in rows
        ]

    # ------------------------------------------------------------------ sources

    def ensure_sources(self, source_ids: Iterable[str], now: datetime) -> None:
        """Create poll state for configured sources (due immediately)."""
        with self.begin() as conn:
            existing = set(conn.execute(sa.select(sources.c.id)).scalars())
            for source_id in source_ids:
                if source_id not in existing:
                    conn.execute(sources.insert().values(id=source_id, next_poll_at=now))

    def claim_due_sources(
        self, now: datetime, next_poll: dict[str, datetime], only: Sequence[str] | None = None
    ) -> list[str]:
        """Atomically move each due source's ``next_poll_at`` forward; return those claimed.

        The claim *is* the schedule: two beats racing for one source cannot both win, and a
        poll task lost with the broker is simply retried at the next interval.
        """
        claimed = []
        with self.begin() as conn:
            query = sa.select(sources.c.id).where(sources.c.next_poll_at <= now)
            if only is not None:
                query = query.where(sources.c.id.in_(list(only)))
            due = list(conn.execute(query).scalars())
        for source_id in due:
            if source_id not in next_poll:
                continue
            with self.begin() as conn:
                result = conn.execute(
                    sources.update()
                    .where(sources.c.id == source_id, sources.c.next_poll_at <= now)
                    .values(next_poll_at=next_poll[source_id])
                )
                if result.rowcount == 1:
                    claimed.append(source_id)
        return claimed

    def source_state(self, source_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = (
                conn.execute(sa.select(sources).where(sources.c.id == source_id)).mappings().first()
            )
        return dict(row) if row else None

    def all_source_states(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [
                dict(r) for r in conn.execute(sa.select(sources).order_by(sources.c.id)).mappings()
            ]

    def record_poll(
        self,
        source_id: str,
        now: datetime,
        *,
        ok: bool,
        next_poll_at: datetime,
        not_modified: int = 0,
        error: str | None = None,
        reason: str | None = None,
    ) -> int:
        """Store one poll's outcome; returns the consecutive failure count."""
        with self.begin() as conn:
            row = conn.execute(
                sa.select(sources.c.failures).where(sources.c.id == source_id)
            ).first()
            failures = 0 if ok else (row[0] if row else 0) + 1
            values: dict[str, Any] = {
                "last_poll_at": now,
                "next_poll_at": next_poll_at,
                "failures": failures,
                "polls": sources.c.polls + 1,
                "not_modified": sources.c.not_modified + not_modified,
            }
            if ok:
                values["last_success_at"] = now
            else:
                values.update(last_error=error, last_error_reason=reason, last_error_at=now)
            conn.execute(sources.update().where(sources.c.id == source_id).values(**values))
        return failures

    # ------------------------------------------------------------------ validators

    def validator_store(self) -> DBValidators:
        return DBValidators(self)

    # ------------------------------------------------------------------ documents

    def add_document(
        self, source_id: str, key: str, url: str | None, raw: bytes, now: datetime
    ) -> tuple[int, bool]:
        """Store a fetched document; returns (document id, created). Same bytes → same row."""
        digest = content_hash(raw)
        with self.begin() as conn:
            existing = conn.execute(
                sa.select(documents.c.id).where(
                    documents.c.source_id == source_id,
                    documents.c.key == key,
                    documents.c.content_hash == digest,
                )
            ).first()
            if existing:
                conn.execute(
                    documents.update().where(documents.c.id == existing[0]).values(gone_at=None)
                )
                return int(existing[0]), False
            version = (
                conn.execute(
                    sa.select(sa.func.max(documents.c.version)).where(
                        documents.c.source_id == source_id, documents.c.key == key
                    )
                ).scalar()
                or 0
            ) + 1
            try:
                with conn.begin_nested():
                    doc_id = conn.execute(
                        documents.insert().values(
                            source_id=source_id,
                            key=key,
                            url=url,
                            content_hash=digest,
                            version=version,
                            fetched_at=now,
                            raw=raw,
                            state="pending",
                        )
                    ).inserted_primary_key[0]  # type: ignore[index]
            except sa.exc.IntegrityError:  # a concurrent poll stored the same bytes first
                row = conn.execute(
                    sa.select(documents.c.id).where(
                        documents.c.source_id == source_id,
                        documents.c.key == key,
                        documents.c.content_hash == digest,
                    )
                ).one()
                return int(row[0]), False
            self.log(conn, "discovered", now, source_id=source_id, key=key, version=version)
        return int(doc_id), True

    def document(self, document_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(_SELECT_DOCUMENT, {"doc": document_id}).mappings().first()
        return dict(row) if row else None

    def mark_document(
        self,
        document_id: int,
        state: str,
        *,
        meeting_id: str | None = None,
        reason: str | None = None,
        error: str | None = None,
    ) -> None:
        with self.begin() as conn:
            conn.execute(
                documents.update()
                .where(documents.c.id == document_id)
                .values(state=state, meeting_id=meeting_id, error_reason=reason, error=error)
            )

    def pending_documents(self, older_than: datetime, limit: int = 100) -> list[int]:
        """Documents stored but never processed (their task was lost): the sweep re-sends them."""
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    sa.select(documents.c.id)
                    .where(documents.c.state == "pending", documents.c.fetched_at <= older_than)
                    .order_by(documents.c.id)
                    .limit(limit)
                ).scalars()
            )

    def dead_letters(self, limit: int = 100) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(
                    documents.c.id,
                    documents.c.source_id,
                    documents.c.key,
                    documents.c.url,
                    documents.c.fetched_at,
                    documents.c.error_reason,
                    documents.c.error,
                )
                .where(documents.c.state == "failed")
                .order_by(documents.c.id.desc())
                .limit(limit)
            ).mappings()
            return [dict(r) for r in rows]

    def current_keys(self, source_id: str) -> set[str]:
        """Document keys of a source that are not known to be gone."""
        with self.engine.connect() as conn:
            return set(
                conn.execute(
                    sa.select(documents.c.key)
                    .where(documents.c.source_id == source_id, documents.c.gone_at.is_(None))
                    .distinct()
                ).scalars()
            )

    def mark_keys_gone(self, source_id: str, keys: Iterable[str], now: datetime) -> None:
        keys = list(keys)
        if not keys:
            return
        with self.begin() as conn:
            conn.execute(
                documents.update()
                .where(
                    documents.c.source_id == source_id,
                    documents.c.key.in_(keys),
                    documents.c.gone_at.is_(None),
                )
                .values(gone_at=now)
            )

    # ------------------------------------------------------------------ meetings

    def meeting(self, meeting_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = (
                conn.execute(sa.select(meetings).where(meetings.c.id == meeting_id))
                .mappings()
                .first()
            )
        return dict(row) if row else None

    def meetings_for_keys(self, source_id: str, keys: Iterable[str]) -> list[dict[str, Any]]:
        keys = list(keys)
        if not keys:
            return []
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(meetings).where(
                    meetings.c.source_id == source_id, meetings.c.document_key.in_(keys)
                )
            ).mappings()
            return [dict(r) for r in rows]

    def publication(self, meeting_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = (
                conn.execute(sa.select(publications).where(publications.c.meeting_id == meeting_id))
                .mappings()
                .first()
            )
        return dict(row) if row else None

    def pending_publications(self, limit: int = 1000) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(publications, meetings.c.body_name, meetings.c.meeting_date)
                .join(meetings, meetings.c.id == publications.c.meeting_id)
                .where(publications.c.state.in_(["pending", "held"]))
                .order_by(publications.c.due_at)
                .limit(limit)
            ).mappings()
            return [dict(r) for r in rows]

    # ------------------------------------------------------------------ publishing

    def claim_due(self, now: datetime, limit: int = 500) -> list[Claimed]:
        """Atomically move due pending publications to ``published``; each exactly once.

        One UPDATE … WHERE state = 'pending' AND due_at <= now per batch: in PostgreSQL a
        concurrent sweep blocks on the row and re-checks ``state`` after the first commits,
        so it skips it; SQLite serializes writers. Only the winner gets the row back.
        """
        p = publications
        with self.begin() as conn:
            due = (
                sa.select(p.c.meeting_id)
                .where(p.c.state == "pending", p.c.due_at <= now)
                .order_by(p.c.due_at)
                .limit(limit)
            )
            if conn.dialect.name == "postgresql":
                due = due.with_for_update(skip_locked=True)
            result = conn.execute(
                p.update()
                .where(p.c.meeting_id.in_(due.scalar_subquery()), p.c.state == "pending")
                .values(
                    state="published",
                    published_at=now,
                    first_published_at=sa.func.coalesce(p.c.first_published_at, now),
                    published_version=p.c.version,
                    needs_render=True,
                    updated_at=now,
                )
                .returning(p.c.meeting_id, p.c.version)
            )
            claimed = [Claimed(meeting_id=row[0], version=row[1]) for row in result]
            for claim in claimed:
                self.log(conn, "published", now, meeting_id=claim.meeting_id, version=claim.version)
        return claimed

    def unrendered(self, limit: int = 500) -> list[str]:
        """Meetings whose public state changed since their outputs were last written."""
        p = publications
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    sa.select(p.c.meeting_id)
                    .where(p.c.needs_render.is_(True))
                    .order_by(p.c.meeting_id)
                    .limit(limit)
                ).scalars()
            )

    def render_marks(self, meeting_ids: Iterable[str]) -> dict[str, tuple[int | None, str]]:
        """(published_version, state) per meeting, read *before* rendering them."""
        p = publications
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(p.c.meeting_id, p.c.published_version, p.c.state).where(
                    p.c.meeting_id.in_(list(meeting_ids))
                )
            ).all()
        return {row[0]: (row[1], row[2]) for row in rows}

    def mark_rendered(self, marks: dict[str, tuple[int | None, str]]) -> None:
        """Clear ``needs_render`` only where nothing changed since ``render_marks``: a
        correction landing mid-render keeps its flag and is rendered next round."""
        p = publications
        with self.begin() as conn:
            for meeting_id, (version, state) in marks.items():
                conn.execute(
                    p.update()
                    .where(
                        p.c.meeting_id == meeting_id,
                        p.c.state == state,
                        p.c.published_version == version
                        if version is not None
                        else p.c.published_version.is_(None),
                    )
                    .values(rendered_version=version, rendered_state=state, needs_render=False)
                )

    def published(self, *, body_slug: str | None = None) -> list[dict[str, Any]]:
        """Published and retracted meetings with their publication, newest first."""
        query = (
            sa.select(
                meetings,
                publications.c.state.label("publication_state"),
                publications.c.published_at,
                publications.c.first_published_at,
                publications.c.published_version,
            )
            .join(publications, publications.c.meeting_id == meetings.c.id)
            .where(publications.c.state.in_(["published", "retracted"]))
            .order_by(publications.c.first_published_at.desc(), meetings.c.id)
        )
        if body_slug:
            query = query.where(meetings.c.body_slug == body_slug)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    # ------------------------------------------------------------------ feeds (rendering)
    #
    # Query methods for ``feeds.render``. Each reads a bounded number of rows through an
    # index — none walks the history — so rendering one change costs O(feed size).

    def render_rows(self, meeting_ids: Iterable[str]) -> list[dict[str, Any]]:
        """Meetings with their publication (any state), for the given ids only."""
        ids = list(meeting_ids)
        if not ids:
            return []
        query = (
            sa.select(
                meetings,
                publications.c.state.label("publication_state"),
                publications.c.published_at,
                publications.c.first_published_at,
                publications.c.published_version,
                publications.c.updated_at.label("publication_updated_at"),
            )
            .join(publications, publications.c.meeting_id == meetings.c.id)
            .where(meetings.c.id.in_(ids))
        )
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def document_url(self, source_id: str, key: str) -> str | None:
        """The URL of the newest stored version of a source document (its protocol link)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(documents.c.url)
                .where(documents.c.source_id == source_id, documents.c.key == key)
                .order_by(documents.c.version.desc())
                .limit(1)
            ).first()
        return row[0] if row else None

    def body_meetings(self, body_slug: str, limit: int) -> list[dict[str, Any]]:
        """The newest ``limit`` meetings of a body by meeting date, any status, with their
        publication state if they have one (calendar and meetings index)."""
        query = (
            sa.select(
                meetings.c.id,
                meetings.c.source_id,
                meetings.c.body_name,
                meetings.c.body_slug,
                meetings.c.meeting_date,
                meetings.c.meeting_start,
                meetings.c.title,
                meetings.c.status,
                meetings.c.version,
                meetings.c.language,
                meetings.c.protocol,
                meetings.c.updated_at,
                publications.c.state.label("publication_state"),
                publications.c.published_at,
                publications.c.first_published_at,
                publications.c.updated_at.label("publication_updated_at"),
            )
            .select_from(
                meetings.outerjoin(publications, publications.c.meeting_id == meetings.c.id)
            )
            .where(meetings.c.body_slug == body_slug)
            .order_by(meetings.c.meeting_date.desc(), meetings.c.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def feed_infos(self, names: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
        """Feed metadata rows (one per feed: O(bodies), not O(history))."""
        query = sa.select(feeds).order_by(feeds.c.name)
        if names is not None:
            query = query.where(feeds.c.name.in_(list(names)))
        with self.engine.connect() as conn:
            return {r["name"]: dict(r) for r in conn.execute(query).mappings()}

    def feed_rows(self, feed: str, start: int, end: int) -> list[dict[str, Any]]:
        """Log rows of ``feed`` with ``start <= position < end``, oldest first."""
        query = (
            sa.select(feed_log)
            .where(
                feed_log.c.feed == feed,
                feed_log.c.position >= start,
                feed_log.c.position < end,
            )
            .order_by(feed_log.c.position)
        )
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def latest_feed_rows(
        self, feed: str, keys: Iterable[str], conn: Connection | None = None
    ) -> dict[str, dict[str, Any]]:
        """The newest log row of each entry key in ``feed`` (index ``ix_feed_log_entry``)."""
        keys = list(keys)
        if not keys:
            return {}
        # every logged version of these keys (an entry has one per public change: few), via
        # ix_feed_log_entry; a GROUP BY/MAX join made SQLite scan the whole feed instead
        query = sa.select(feed_log).where(feed_log.c.feed == feed, feed_log.c.entry_key.in_(keys))

        def run(c: Connection) -> dict[str, dict[str, Any]]:
            newest: dict[str, dict[str, Any]] = {}
            for r in c.execute(query).mappings():
                key = r["entry_key"]
                if key not in newest or r["position"] > newest[key]["position"]:
                    newest[key] = dict(r)
            return newest

        if conn is not None:
            return run(conn)
        with self.engine.connect() as own:
            return run(own)

    def feed_clock(self, conn: Connection, feed: str, **meta: Any) -> datetime | None:
        """Create ``feed`` if needed, lock its row for this transaction and return the ``at``
        of its newest row (appends must come strictly after it)."""
        query = sa.select(feeds.c.updated_at).where(feeds.c.name == feed)
        if conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = conn.execute(query).first()
        if row is None:
            try:
                with conn.begin_nested():
                    conn.execute(feeds.insert().values(name=feed, length=0, **meta))
            except sa.exc.IntegrityError:  # a concurrent renderer created it first
                pass
            row = conn.execute(query).first()
        elif meta:
            conn.execute(feeds.update().where(feeds.c.name == feed).values(**meta))
        return row[0] if row else None

    def feed_written(self, lengths: dict[str, int]) -> None:
        """Record that the files of each feed are written for its first ``length`` rows.
        Never moves a mark backwards (a stale renderer cannot undo a newer one's mark)."""
        if not lengths:
            return
        with self.begin() as conn:
            for name, length in sorted(lengths.items()):
                conn.execute(
                    feeds.update()
                    .where(feeds.c.name == name, feeds.c.written < length)
                    .values(written=length)
                )

    @contextmanager
    def render_lock(self) -> Iterator[None]:
        """Hold the instance-wide render lock: one render at a time across processes, and
        with PostgreSQL across hosts. Reentrant within a thread.

        PostgreSQL: a session-level advisory lock (``pg_advisory_lock``) on a connection kept
        for the duration; the server drops it if the process dies. SQLite (one host by
        nature): an exclusive ``flock`` on a file beside the database, released by the kernel
        when the process dies. Neither holds a database transaction open while rendering, so
        the pipeline keeps writing meanwhile.
        """
        local = self._render_local
        if getattr(local, "depth", 0):
            local.depth += 1
            try:
                yield
            finally:
                local.depth -= 1
            return
        with self._render_lock_held():
            local.depth = 1
            try:
                yield
            finally:
                local.depth = 0

    @contextmanager
    def _render_lock_held(self) -> Iterator[None]:
        if self.engine.dialect.name == "postgresql":
            conn = self.engine.connect()
            released = False
            try:
                conn.execute(sa.select(sa.func.pg_advisory_lock(RENDER_LOCK_KEY)))
                conn.commit()  # a session lock: no transaction stays open while rendering
                try:
                    yield
                finally:
                    conn.execute(sa.select(sa.func.pg_advisory_unlock(RENDER_LOCK_KEY)))
                    conn.commit()
                    released = True
            finally:
                if not released:
                    conn.invalidate()  # closing the session releases the lock, whatever it held
                conn.close()
            return
        path = self._render_lock_path()
        if path is None:  # an in-memory database lives in this process only
            with self._render_thread_lock:
                yield
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _render_lock_path(self) -> Path | None:
        database = self.engine.url.database
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        return Path(database).with_name(Path(database).name + ".render-lock")

    def feed_append(
        self, conn: Connection, feed: str, rows: Sequence[dict[str, Any]]
    ) -> tuple[int, int]:
        """Append rows (entry_key, meeting_id, kind, at, data) to ``feed``; returns the range
        of positions [start, end) they were given. Call ``feed_clock`` first in ``conn``."""
        if not rows:
            length = conn.execute(sa.select(feeds.c.length).where(feeds.c.name == feed)).scalar()
            return int(length or 0), int(length or 0)
        end = conn.execute(
            feeds.update()
            .where(feeds.c.name == feed)
            .values(length=feeds.c.length + len(rows), updated_at=rows[-1]["at"])
            .returning(feeds.c.length)
        ).scalar_one()
        start = int(end) - len(rows)
        conn.execute(
            feed_log.insert(),
            [{"feed": feed, "position": start + i, **row} for i, row in enumerate(rows)],
        )
        return start, int(end)

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            pubs: dict[str, int] = dict(
                conn.execute(
                    sa.select(publications.c.state, sa.func.count()).group_by(publications.c.state)
                ).all()
            )
            docs: dict[str, int] = dict(
                conn.execute(
                    sa.select(documents.c.state, sa.func.count()).group_by(documents.c.state)
                ).all()
            )
            drafts = conn.execute(
                sa.select(sa.func.count())
                .select_from(meetings)
                .where(meetings.c.status != "approved")
            ).scalar_one()
        return {
            "pending": pubs.get("pending", 0),
            "held": pubs.get("held", 0),
            "published": pubs.get("published", 0),
            "retracted": pubs.get("retracted", 0),
            "documents": sum(docs.values()),
            "dead_letters": docs.get("failed", 0),
            "drafts": drafts,
        }


class DBValidators:
    """``ValidatorStore`` backed by the ``validators`` table."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, url: str) -> Validators | None:
        with self.store.engine.connect() as conn:
            row = conn.execute(sa.select(validators).where(validators.c.url == url)).first()
        if row is None:
            return None
        return Validators(
            etag=row.etag,
            last_modified=row.last_modified,
            links=tuple(json.loads(row.links)) if row.links else (),
        )

    def put(self, url: str, value: Validators) -> None:
        values = {
            "etag": value.etag,
            "last_modified": value.last_modified,
            "links": json.dumps(list(value.links)) if value.links else None,
            "updated_at": datetime.now(UTC),
        }
        with self.store.begin() as conn:
            updated = conn.execute(
                validators.update().where(validators.c.url == url).values(**values)
            ).rowcount
            if not updated:
                try:
                    with conn.begin_nested():
                        conn.execute(validators.insert().values(url=url, **values))
                except sa.exc.IntegrityError:
                    conn.execute(
                        validators.update().where(validators.c.url == url).values(**values)
                    )


_SELECT_DOCUMENT = sa.select(documents).where(documents.c.id == sa.bindparam("doc"))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT and defers BEGIN; we issue it.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets the web server read while a worker writes; busy_timeout waits instead of failing
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL stays consistent after any crash and loses no committed transaction
    # when the *process* dies; only an OS crash or power cut can drop the last commits, which
    # the next poll re-fetches (documents are idempotent by content hash). FULL would fsync
    # on every commit and halve pipeline throughput.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # Writers take the lock up front (IMMEDIATE), so two processes racing for the same claim
    # queue up (busy_timeout) instead of failing with "database is locked" when a read lock
    # would have to be upgraded. Pure reads stay DEFERRED and run beside the writer (WAL).
    write = conn.get_execution_options().get("publisher_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def json_date(value: date | None) -> str | None:
    return value.isoformat() if value else None
