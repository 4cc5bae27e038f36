"""States of a protocol and the rules that move it, written to the store with an event each.

    discovered → extracted → (draft | approved) → scheduled(due_at) → published
                                                                        → corrected | retracted

* Only approved protocols get a publication; ``due_at = anchor + delay`` with the anchor the
  approval (justering) date, the notice (anslag) date or the meeting date, per source.
* A new version before ``due_at`` replaces the pending one (same due rule, new content).
* After publishing, a new version updates the same entry at once (a correction, logged with
  what changed); a published protocol that vanishes from its source is retracted (tombstone).
* Nothing here sleeps or schedules timers: ``due_at`` is data; the beat sweep releases it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from publisher.extract.dates import zone
from publisher.model import Protocol, Status, to_dict
from publisher.settings import SourceConfig
from publisher.store import Store, documents, items, meetings, publications
from publisher.text import slugify


def natural_key(protocol: Protocol, document_key: str) -> str:
    """What identifies the meeting at its source, independent of file names and titles.

    The document's own id when it has one (OParl URL, Akoma Ntoso FRBR URI, TEI xml:id);
    otherwise body + meeting date (a body meets at most once a day in practice, and a
    re-posted or renamed protocol file must stay the same meeting); otherwise the file key.
    """
    if protocol.source_id:
        return protocol.source_id
    if protocol.meeting.date and protocol.body.name:
        return f"{slugify(protocol.body.name)}/{protocol.meeting.date.isoformat()}"
    return f"document:{document_key}"


def meeting_id(source_id: str, key: str) -> str:
    """Stable, URL-safe meeting id: the source id plus a hash of the natural key."""
    digest = hashlib.sha256(f"{source_id}\x00{key}".encode()).hexdigest()[:12]
    return f"{source_id}-{digest}"


def _local_midnight(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone(tz))


def anchor(protocol: Protocol, delay_from: str, tz: str) -> datetime | None:
    """The instant the delay counts from. Falls back along approval → notice → meeting so an
    approved protocol that omits one date is still scheduled (the fallback is logged)."""
    state, meeting = protocol.protocol, protocol.meeting
    order = {
        "approved": (state.approved_at, state.posted_at),
        "posted": (state.posted_at, state.approved_at),
        "meeting": (),
    }[delay_from]
    for day in order:
        if day is not None:
            return _local_midnight(day, tz)
    if meeting.start is not None:
        return meeting.start
    if meeting.date is not None:
        return _local_midnight(meeting.date, tz)
    return None


def due_at(protocol: Protocol, source: SourceConfig, now: datetime) -> datetime:
    start = anchor(protocol, source.delay_from, source.timezone)
    # Without any date the protocol is still approved: the delay counts from discovery.
    return (start or now) + source.publish_delay


def protocol_json(protocol: Protocol) -> str:
    return json.dumps(to_dict(protocol), ensure_ascii=False, sort_keys=True)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """A short changelog: which parts of the protocol differ between two versions."""
    changed = [
        key
        for key in ("body", "meeting", "protocol", "people", "links")
        if old.get(key) != new.get(key)
    ]
    old_items = {i["number"]: i for i in old.get("items", [])}
    new_items = {i["number"]: i for i in new.get("items", [])}
    for number in new_items.keys() - old_items.keys():
        changed.append(f"added {number}")
    for number in old_items.keys() - new_items.keys():
        changed.append(f"removed {number}")
    for number in new_items.keys() & old_items.keys():
        if new_items[number] != old_items[number]:
            changed.append(f"changed {number}")
    return sorted(changed)


@dataclass(frozen=True)
class Accepted:
    meeting_id: str
    version: int
    changed: bool
    #: publication state after this document: None (draft), pending, published, …
    publication: str | None
    due_at: datetime | None


# Hot-path statements built once: with bound parameters SQLAlchemy compiles each a single
# time, where ``.where(...).values(...)`` per call re-builds and re-keys a statement.
_SELECT_MEETING = sa.select(meetings).where(meetings.c.id == sa.bindparam("mid"))
_UPDATE_MEETING = meetings.update().where(meetings.c.id == sa.bindparam("mid"))
_UPDATE_DOCUMENT = documents.update().where(documents.c.id == sa.bindparam("doc"))
_SELECT_PUBLICATION = sa.select(publications).where(
    publications.c.meeting_id == sa.bindparam("mid")
)


def accept(
    store: Store,
    source: SourceConfig,
    document_id: int,
    document_key: str,
    protocol: Protocol,
    now: datetime,
    actor: str = "system",
) -> Accepted:
    """Store an extracted, privacy-safe protocol and move its publication along."""
    key = natural_key(protocol, document_key)
    mid = meeting_id(source.id, key)
    text = protocol_json(protocol)
    digest = _hash(text)
    approved = protocol.protocol.status == Status.APPROVED
    with store.begin() as conn:
        row = conn.execute(_SELECT_MEETING, {"mid": mid}).mappings().first()
        values = {
            "document_key": document_key,
            "body_name": protocol.body.name,
            "body_slug": slugify(protocol.body.name),
            "meeting_date": protocol.meeting.date,
            "meeting_start": protocol.meeting.start,
            "title": protocol.meeting.title,
            "status": protocol.protocol.status.value,
            "approved_at": protocol.protocol.approved_at,
            "posted_at": protocol.protocol.posted_at,
            "language": protocol.language or source.language,
            "content_hash": digest,
            "protocol": text,
            "updated_at": now,
            "gone_at": None,
        }
        if row is None:
            version, changed = 1, True
            conn.execute(
                meetings.insert(),
                {
                    "id": mid,
                    "source_id": source.id,
                    "natural_key": key,
                    "version": 1,
                    "created_at": now,
                    **values,
                },
            )
            store.log(
                conn,
                "extracted",
                now,
                source_id=source.id,
                meeting_id=mid,
                actor=actor,
                status=protocol.protocol.status.value,
                document=document_key,
            )
        elif row["content_hash"] != digest:
            version, changed = row["version"] + 1, True
            conn.execute(_UPDATE_MEETING, {"mid": mid, "version": version, **values})
            store.log(
                conn,
                "new_version",
                now,
                source_id=source.id,
                meeting_id=mid,
                actor=actor,
                version=version,
                changes=changes(json.loads(row["protocol"]), json.loads(text)),
            )
        else:
            version, changed = row["version"], False
            conn.execute(
                meetings.update()
                .where(meetings.c.id == mid)
                .values(document_key=document_key, gone_at=None)
            )
        if changed:
            conn.execute(items.delete().where(items.c.meeting_id == mid))
            rows = [
                {
                    "meeting_id": mid,
                    "position": pos,
                    "number": item.number,
                    "title": item.title,
                    "case_number": item.case_number,
                    "outcome": item.outcome.value,
                    "public": item.public,
                }
                for pos, item in enumerate(protocol.items)
            ]
            if rows:
                conn.execute(items.insert(), rows)
        conn.execute(
            _UPDATE_DOCUMENT,
            {
                "doc": document_id,
                "state": "extracted",
                "meeting_id": mid,
                "error": None,
                "error_reason": None,
            },
        )
        state, due = _schedule(store, conn, source, mid, version, protocol, approved, now, actor)
    return Accepted(meeting_id=mid, version=version, changed=changed, publication=state, due_at=due)


def _schedule(
    store: Store,
    conn: sa.Connection,
    source: SourceConfig,
    mid: str,
    version: int,
    protocol: Protocol,
    approved: bool,
    now: datetime,
    actor: str,
) -> tuple[str | None, datetime | None]:
    pub = conn.execute(_SELECT_PUBLICATION, {"mid": mid}).mappings().first()
    log = {"source_id": source.id, "meeting_id": mid, "actor": actor}
    if not approved:
        if pub is None:
            return None, None
        if pub["state"] in ("pending", "held"):
            # No longer approved (the source re-posted it as a draft): never publish it early.
            conn.execute(
                publications.update()
                .where(publications.c.meeting_id == mid)
                .values(state="cancelled", updated_at=now)
            )
            store.log(conn, "cancelled", now, reason="no longer approved", **log)
            return "cancelled", None
        return pub["state"], pub["due_at"]
    due = due_at(protocol, source, now)
    if pub is None:
        conn.execute(
            publications.insert(),
            {
                "meeting_id": mid,
                "state": "pending",
                "version": version,
                "due_at": due,
                "updated_at": now,
            },
        )
        store.log(conn, "scheduled", now, due_at=due.isoformat(), version=version, **log)
        return "pending", due
    state = pub["state"]
    if state in ("pending", "held", "cancelled"):
        new_state = "held" if state == "held" else "pending"
        if pub["version"] != version or pub["due_at"] != due or state == "cancelled":
            conn.execute(
                publications.update()
                .where(publications.c.meeting_id == mid)
                .values(state=new_state, version=version, due_at=due, updated_at=now)
            )
            store.log(conn, "rescheduled", now, due_at=due.isoformat(), version=version, **log)
        return new_state, due
    if pub["version"] != version or state == "retracted":
        # After publishing: the same entry is updated at once (corrected), or restored.
        conn.execute(
            publications.update()
            .where(publications.c.meeting_id == mid)
            .values(
                state="published",
                version=version,
                published_version=version,
                needs_render=True,
                published_at=now,
                updated_at=now,
            )
        )
        store.log(
            conn, "restored" if state == "retracted" else "corrected", now, version=version, **log
        )
    return "published", pub["due_at"]


def retract_vanished(
    store: Store, source_id: str, present_keys: set[str], now: datetime, actor: str = "system"
) -> list[str]:
    """Documents a complete listing no longer shows: retract what was published from them,
    cancel what was still waiting. Returns the affected meeting ids.

    Exception: a notice board (anslagstavla) takes a protocol down when its appeal period has
    run out. A published protocol that leaves its source after its ``appeal_ends`` date has
    expired from the board, not been withdrawn: it stays published (event ``left_source``).
    """
    gone = store.current_keys(source_id) - present_keys
    if not gone:
        return []
    store.mark_keys_gone(source_id, gone, now)
    affected = []
    for meeting in store.meetings_for_keys(source_id, gone):
        affected.append(meeting["id"])
        with store.begin() as conn:
            conn.execute(
                meetings.update().where(meetings.c.id == meeting["id"]).values(gone_at=now)
            )
            pub = conn.execute(
                sa.select(publications.c.state).where(publications.c.meeting_id == meeting["id"])
            ).first()
            if pub is None:
                continue
            new_state = {"published": "retracted", "pending": "cancelled", "held": "cancelled"}.get(
                pub[0]
            )
            if new_state is None:
                continue
            if new_state == "retracted" and _appeal_over(meeting, now):
                store.log(
                    conn,
                    "left_source",
                    now,
                    source_id=source_id,
                    meeting_id=meeting["id"],
                    actor=actor,
                    reason="taken down after the appeal period",
                    document=meeting["document_key"],
                )
                continue
            conn.execute(
                publications.update()
                .where(publications.c.meeting_id == meeting["id"], publications.c.state == pub[0])
                .values(state=new_state, updated_at=now, needs_render=new_state == "retracted")
            )
            store.log(
                conn,
                "retracted" if new_state == "retracted" else "cancelled",
                now,
                source_id=source_id,
                meeting_id=meeting["id"],
                actor=actor,
                reason="vanished from source",
                document=meeting["document_key"],
            )
    return affected


def _appeal_over(meeting: dict[str, Any], now: datetime) -> bool:
    state = json.loads(meeting["protocol"]).get("protocol", {})
    ends = state.get("appeal_ends")
    return bool(ends) and date.fromisoformat(ends) < now.date()


def release_due(store: Store, now: datetime) -> list[str]:
    """Publish everything whose ``due_at`` has passed; each publication exactly once."""
    return [claim.meeting_id for claim in store.claim_due(now)]


def hold(store: Store, mid: str, now: datetime, actor: str, why: str) -> bool:
    return _transition(store, mid, now, actor, why, frm=("pending",), to="held", kind="held")


def unhold(store: Store, mid: str, now: datetime, actor: str, why: str) -> bool:
    return _transition(store, mid, now, actor, why, frm=("held",), to="pending", kind="unheld")


def release_now(store: Store, mid: str, now: datetime, actor: str, why: str) -> bool:
    """Operator: publish a pending or held publication immediately."""
    with store.begin() as conn:
        result = conn.execute(
            publications.update()
            .where(publications.c.meeting_id == mid, publications.c.state.in_(["pending", "held"]))
            .values(
                state="published",
                published_at=now,
                updated_at=now,
                first_published_at=sa.func.coalesce(publications.c.first_published_at, now),
                published_version=publications.c.version,
                needs_render=True,
            )
        )
        if result.rowcount != 1:
            return False
        store.log(conn, "published", now, meeting_id=mid, actor=actor, why=why, manual=True)
    return True


def retract(store: Store, mid: str, now: datetime, actor: str, why: str) -> bool:
    return _transition(
        store, mid, now, actor, why, frm=("published",), to="retracted", kind="retracted"
    )


def _transition(
    store: Store,
    mid: str,
    now: datetime,
    actor: str,
    why: str,
    *,
    frm: tuple[str, ...],
    to: str,
    kind: str,
) -> bool:
    with store.begin() as conn:
        result = conn.execute(
            publications.update()
            .where(publications.c.meeting_id == mid, publications.c.state.in_(list(frm)))
            .values(state=to, updated_at=now, needs_render=to in ("published", "retracted"))
        )
        if result.rowcount != 1:
            return False
        store.log(conn, kind, now, meeting_id=mid, actor=actor, why=why)
    return True


def backoff(failures: int, base: timedelta, cap: timedelta, jitter: float) -> timedelta:
    """Exponential backoff for a failing source: base·2^(n-1), capped, times a jitter factor
    in [0.5, 1.5) supplied by the caller (kept out of here so this stays deterministic)."""
    exponent = min(max(failures - 1, 0), 20)
    delay = min(base * (2**exponent), cap)
    return delay * jitter
