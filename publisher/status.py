"""What operators see: per-source health, lateness and the publication queue, as plain data.

Flags, each computed from what the database knows (so every process agrees):

* **state** of a source: ``new`` (never polled), ``failing`` (five failed polls in a row, or
  a permanent error such as a wrong URL), ``backing off`` (fewer failures: it is being
  retried with a growing delay), ``stale`` (polls succeed but the source has gone silent,
  see below), ``ok``.
* **stale**: learned from the source's own rhythm, not a fixed number. Each meeting the
  source ever showed has an activity date: the day its protocol was posted, else approved,
  else the day it was first published. Only dates up to today count: a meeting scheduled in
  the future (OParl lists those as drafts) says nothing about the source having spoken, so
  the meeting date itself is never used. The gaps between consecutive distinct dates are its
  rhythm. When the silence since
  the newest date exceeds ``stale_factor`` × the median gap the source is stale. A source
  with fewer than ``stale_min_history`` gaps is never called stale: there is nothing to
  learn from yet (a council meeting monthly and a board meeting twice a year differ by six).
* **overdue**: a meeting whose date is more than ``overdue_days`` ago and whose protocol is
  not approved (a draft, or an OParl meeting without a results protocol), grouped by body —
  the promise municipalities make is "minutes within two weeks". Only meetings of sources in
  the configuration count, and none that vanished from their source or that the source says
  were cancelled (OParl ``cancelled``): no minutes will come for those.

``broker`` probes Redis or AMQP (RabbitMQ) with one-second timeouts and reports ``unreachable``
rather than fail;
worker pings go through ``workers.celery_app`` (imported lazily: ``publisher`` never imports
Celery itself).
"""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from publisher.extract.dates import zone
from publisher.jobs import Context
from publisher.settings import Settings
from publisher.store import documents, meetings, publications
from publisher.text import slugify

#: consecutive failures after which a source counts as failing rather than backing off
FAILING_AFTER = 5
#: Celery's default queue of this project (workers.celery_app: task_default_queue)
QUEUE = "publisher"
#: kombu's Redis transport keeps priorities 3, 6, 9 in lists named queue + sep + priority
_PRIORITY_SEP = "\x06\x16"


@dataclass(frozen=True)
class Rhythm:
    """How often a source shows something new, and whether it has been silent too long."""

    intervals: int
    median_days: float | None
    last_activity: date | None
    silent_days: int | None
    threshold_days: float | None
    stale: bool


def rhythm(activity: Iterable[date], today: date, factor: float, min_history: int) -> Rhythm:
    days = sorted(set(activity))
    if not days:
        return Rhythm(0, None, None, None, None, False)
    gaps = [(b - a).days for a, b in zip(days, days[1:], strict=False)]
    silent = (today - days[-1]).days
    if len(gaps) < min_history:
        return Rhythm(len(gaps), None, days[-1], silent, None, False)
    median = float(statistics.median(gaps))
    # a source posting several protocols a day still gets one day of grace per factor
    threshold = max(median, 1.0) * factor
    return Rhythm(len(gaps), median, days[-1], silent, threshold, silent > threshold)


def source_state(row: dict[str, Any], now: datetime, stale: bool = False) -> str:
    if row.get("last_poll_at") is None:
        return "new"
    failures = row.get("failures") or 0
    if failures:
        permanent = (row.get("last_error_reason") or "").startswith("permanent")
        return "failing" if failures >= FAILING_AFTER or permanent else "backing off"
    return "stale" if stale else "ok"


def today(settings: Settings, now: datetime) -> date:
    return now.astimezone(zone(settings.timezone)).date()


def _activity(conn: sa.Connection, settings: Settings, day: date) -> dict[str, list[date]]:
    """Per source the days it showed something: posted, else approved, else first published.
    Days after ``day`` are ignored (a future date is a plan, not activity)."""
    m, p = meetings.c, publications.c
    tz = zone(settings.timezone)
    found: dict[str, list[date]] = defaultdict(list)
    for source_id, approved_at, posted_at, first_published_at in conn.execute(
        sa.select(m.source_id, m.approved_at, m.posted_at, p.first_published_at).select_from(
            meetings.outerjoin(publications, p.meeting_id == m.id)
        )
    ):
        candidates = [d for d in (posted_at, approved_at) if d is not None and d <= day]
        if candidates:
            found[source_id].append(candidates[0])
        elif first_published_at is not None:
            if first_published_at.tzinfo is None:
                first_published_at = first_published_at.replace(tzinfo=UTC)
            published = first_published_at.astimezone(tz).date()
            if published <= day:
                found[source_id].append(published)
    return found


def rhythms(ctx: Context) -> dict[str, Rhythm]:
    settings = ctx.settings
    day = today(settings, ctx.now())
    with ctx.store.engine.connect() as conn:
        activity = _activity(conn, settings, day)
    return {
        s.id: rhythm(activity.get(s.id, []), day, settings.stale_factor, settings.stale_min_history)
        for s in settings.sources
    }


def overdue(ctx: Context) -> list[dict[str, Any]]:
    """Bodies with meetings older than ``overdue_days`` and no approved protocol."""
    settings = ctx.settings
    cutoff = today(settings, ctx.now()) - timedelta(days=settings.overdue_days)
    m = meetings.c
    with ctx.store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                m.id, m.source_id, m.body_name, m.body_slug, m.meeting_date, m.status, m.protocol
            )
            .where(
                m.status != "approved",
                m.meeting_date.is_not(None),
                m.meeting_date < cutoff,
                m.gone_at.is_(None),
                m.source_id.in_([s.id for s in settings.sources]),
            )
            .order_by(m.body_name, m.meeting_date)
        ).mappings()
        by_body: dict[str, dict[str, Any]] = {}
        for row in rows:
            if json.loads(row["protocol"]).get("meeting", {}).get("cancelled"):
                continue  # called off: there will be no minutes to wait for
            body = by_body.setdefault(
                row["body_slug"],
                {"body": row["body_name"], "body_slug": row["body_slug"], "meetings": []},
            )
            body["meetings"].append(
                {
                    "meeting_id": row["id"],
                    "source_id": row["source_id"],
                    "meeting_date": row["meeting_date"],
                    "status": row["status"],
                    "days_since": (cutoff - row["meeting_date"]).days + settings.overdue_days,
                }
            )
    return list(by_body.values())


def broker(
    settings: Settings, *, ping_workers: bool = True, timeout: float = 1.0
) -> dict[str, Any]:
    """Queue length and live workers; never raises (a status page must work without Redis)."""
    url = settings.broker_url
    if url and url.startswith(("amqp://", "amqps://", "pyamqp://")):
        return _amqp(url, ping_workers=ping_workers, timeout=timeout)
    if not url or not url.startswith(("redis://", "rediss://")):
        return {"configured": bool(url), "queue_length": "n/a", "workers": "n/a"}
    import redis

    client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        names = [QUEUE] + [f"{QUEUE}{_PRIORITY_SEP}{p}" for p in (3, 6, 9)]
        length: int | str = sum(int(client.llen(name)) for name in names)
    except redis.RedisError:
        return {"configured": True, "queue_length": "unreachable", "workers": "unreachable"}
    finally:
        client.close()
    return {
        "configured": True,
        "queue_length": length,
        "workers": _workers(url, ping_workers, timeout),
    }


def _workers(url: str, ping_workers: bool, timeout: float) -> list[str] | str:
    if not ping_workers:
        return "not checked"
    try:
        from workers.celery_app import ping_workers as ping

        return ping(url, timeout)
    except Exception:  # noqa: BLE001 - any broker trouble is "unreachable" on a status page
        return "unreachable"


def _amqp(url: str, *, ping_workers: bool, timeout: float) -> dict[str, Any]:
    """RabbitMQ: connect with kombu (one attempt, ``timeout`` seconds) and read the queue's
    message count with a passive declare (a queue no worker has declared yet counts 0)."""
    from kombu import Connection

    unreachable = {"configured": True, "queue_length": "unreachable", "workers": "unreachable"}
    try:
        with Connection(url, connect_timeout=timeout, transport_options={"max_retries": 0}) as conn:
            conn.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=timeout
            )
            channel = conn.channel()
            try:
                length: int | str = int(channel.queue_declare(QUEUE, passive=True).message_count)
            except conn.channel_errors:  # NOT_FOUND: nothing declared it yet
                length = 0
    except Exception:  # noqa: BLE001 - kombu raises many types; all mean "unreachable" here
        return unreachable
    return {
        "configured": True,
        "queue_length": length,
        "workers": _workers(url, ping_workers, timeout),
    }


def report(ctx: Context, *, probe_broker: bool = True) -> dict[str, Any]:
    now = ctx.now()
    store = ctx.store
    with store.engine.connect() as conn:
        per_source: dict[str, int] = dict(
            conn.execute(
                sa.select(
                    documents.c.source_id, sa.func.count(sa.distinct(documents.c.key))
                ).group_by(documents.c.source_id)
            ).all()
        )
        drafts: dict[str, int] = dict(
            conn.execute(
                sa.select(meetings.c.source_id, sa.func.count())
                .where(meetings.c.status != "approved", meetings.c.gone_at.is_(None))
                .group_by(meetings.c.source_id)
            ).all()
        )
    learned = rhythms(ctx)
    configured = {s.id: s for s in ctx.settings.sources}
    sources = []
    for row in store.all_source_states():
        if row["id"] not in configured:
            continue
        learnt = learned.get(row["id"])
        stale = bool(learnt and learnt.stale)
        sources.append(
            {
                "id": row["id"],
                "kind": configured[row["id"]].kind,
                "enabled": configured[row["id"]].enabled,
                "state": source_state(row, now, stale),
                "stale": stale,
                "rhythm": asdict(learnt) if learnt else None,
                "last_poll_at": row["last_poll_at"],
                "last_success_at": row["last_success_at"],
                "last_error": row["last_error"],
                "last_error_reason": row["last_error_reason"],
                "last_error_at": row["last_error_at"],
                "next_poll_at": row["next_poll_at"],
                "failures": row["failures"],
                "documents": per_source.get(row["id"], 0),
                "drafts": drafts.get(row["id"], 0),
            }
        )
    return {
        "now": now,
        "sources": sources,
        # store.counts() counts drafts of vanished meetings and unconfigured sources too
        "counts": {**store.counts(), "drafts": sum(s["drafts"] for s in sources)},
        "pending": [
            {
                "meeting_id": p["meeting_id"],
                "state": p["state"],
                "body_name": p["body_name"],
                "meeting_date": p["meeting_date"],
                "due_at": p["due_at"],
            }
            for p in store.pending_publications()
        ],
        "overdue": overdue(ctx),
        "overdue_days": ctx.settings.overdue_days,
        "dead_letters": store.dead_letters(),
        "broker": broker(ctx.settings, ping_workers=probe_broker)
        if probe_broker
        else {"configured": bool(ctx.settings.broker_url)},
    }


#: what the public page says about a body's source(s); ``None`` is "not checked yet"
Reachable = bool | None


def _reachable(states: list[Reachable]) -> Reachable:
    """A body fed by several sources: unreachable if any is failing, reachable if any other
    answered, unknown when none has been polled."""
    if any(state is False for state in states):
        return False
    if any(state is True for state in states):
        return True
    return None


def public(ctx: Context) -> dict[str, Any]:
    """The subscribers' status page: per body, the last publication and whether its source
    is reachable right now. No error text, no internal ids beyond the body's slug.

    ``reachable`` is ``True``, ``False`` only when the source is *failing* (five failed polls
    in a row, or a permanent error: one transient error or a source backing off is not an
    outage a subscriber needs to hear about), or ``None`` (unknown) when it has not been
    polled yet. Bodies named in the configuration (``body`` of a source) are listed even
    before their first meeting."""
    m, p = meetings.c, publications.c
    now = ctx.now()
    with ctx.store.engine.connect() as conn:
        last = conn.execute(
            sa.select(m.body_slug, m.body_name, sa.func.max(p.first_published_at))
            .join(publications, p.meeting_id == m.id)
            .where(p.state == "published")
            .group_by(m.body_slug, m.body_name)
        ).all()
        body_sources = conn.execute(
            sa.select(m.body_slug, m.body_name, m.source_id).distinct()
        ).all()
    rows = {row["id"]: row for row in ctx.store.all_source_states()}
    enabled = {s.id for s in ctx.settings.sources if s.enabled}

    def reachable(source_id: str) -> Reachable:
        row = rows.get(source_id)
        if source_id not in enabled or row is None or row.get("last_poll_at") is None:
            return None
        return source_state(row, now) != "failing"

    bodies: dict[str, dict[str, Any]] = {}
    feeding: dict[str, list[Reachable]] = defaultdict(list)

    def body(slug: str, name: str) -> dict[str, Any]:
        return bodies.setdefault(
            slug, {"body": name, "body_slug": slug, "last_published_at": None, "reachable": None}
        )

    for source in ctx.settings.sources:
        if source.enabled and source.body:
            slug = slugify(source.body)
            body(slug, source.body)
            feeding[slug].append(reachable(source.id))
    for slug, name, source_id in body_sources:
        if source_id not in enabled:
            continue
        body(slug, name)
        feeding[slug].append(reachable(source_id))
    for slug, name, published_at in last:
        body(slug, name)["last_published_at"] = published_at
    for slug, found in bodies.items():
        found["reachable"] = _reachable(feeding.get(slug, []))
    return {
        "organization": ctx.settings.organization,
        "now": now,
        "bodies": sorted(bodies.values(), key=lambda b: b["body"].casefold()),
    }
