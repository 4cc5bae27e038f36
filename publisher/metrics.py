"""Prometheus metrics, derived from the database at scrape time.

Why not ordinary in-process counters: the work happens in Celery worker processes, usually
several, often on other hosts, and the web process that serves ``/metrics`` does none of it.
prometheus-client's multiprocess mode only covers processes sharing one directory on one
host. So everything that the pipeline's own tables already know is read from them at scrape
time by a custom collector (publications by state, releases and extraction errors from the
event log, per-source timestamps, dead letters, the render backlog), and the few numbers no
table holds — poll outcomes, poll duration, 304 responses, meetings rendered, and per HTTP
request its outcome and latency — are added up in one small table, ``ops_counters``
(migration 0003), by :func:`record_poll` and :func:`record_render`. Per-request numbers are
tallied in memory by ``publisher.sources.http`` (per thread, no I/O per request) and written
by :func:`record_poll` in the same transaction as the poll they belong to. Every process
sees the same numbers, a restarted process loses none, and a scrape costs a handful of
indexed aggregate queries.

Recording never breaks the pipeline: a failed counter update is logged and dropped.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from publisher.sources.http import REQUEST_BUCKETS, take_request_stats
from publisher.store import Store, documents, events, metadata, publications, sources

log = logging.getLogger("publisher.metrics")

#: the table of migration 0003; ``source_id``/``label`` are '' where they do not apply
ops_counters = sa.Table(
    "ops_counters",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("source_id", sa.String(64), primary_key=True, server_default=""),
    sa.Column("label", sa.String(64), primary_key=True, server_default=""),
    sa.Column("value", sa.Float, nullable=False, server_default="0"),
)

#: upper bounds (seconds) of the poll duration histogram: a directory takes milliseconds, a
#: polite crawl of a notice board with several documents tens of seconds
POLL_BUCKETS: tuple[float, ...] = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
#: upper bounds (seconds) of the publish lag histogram: from "the sweep caught it at once"
#: to "held by an operator for a week"
LAG_BUCKETS: tuple[float, ...] = (10, 30, 60, 300, 900, 3600, 6 * 3600, 86400, 7 * 86400)

POLL_OUTCOMES = ("new_documents", "no_change", "transient_error", "permanent_error")

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _bucket_label(value: float, buckets: Sequence[float]) -> str:
    for bound in buckets:
        if value <= bound:
            return _fmt_bound(bound)
    return "+Inf"


def _fmt_bound(bound: float) -> str:
    return repr(float(bound))


def _bump(store: Store, rows: Iterable[tuple[str, str, str, float]]) -> None:
    """Add each (name, source_id, label, delta) to its counter, creating it at 0 first."""
    c = ops_counters.c
    try:
        with store.begin() as conn:
            for name, source_id, label, delta in rows:
                key = (c.name == name) & (c.source_id == source_id) & (c.label == label)
                updated = conn.execute(
                    ops_counters.update().where(key).values(value=c.value + delta)
                ).rowcount
                if updated:
                    continue
                try:
                    with conn.begin_nested():
                        conn.execute(
                            ops_counters.insert().values(
                                name=name, source_id=source_id, label=label, value=delta
                            )
                        )
                except sa.exc.IntegrityError:  # another process created it first
                    conn.execute(ops_counters.update().where(key).values(value=c.value + delta))
    except sa.exc.SQLAlchemyError as exc:
        log.warning("metrics not recorded", extra={"error": str(exc)})


def record_poll(
    store: Store,
    source_id: str,
    outcome: str,
    seconds: float,
    *,
    fetched: int = 0,
    not_modified: int = 0,
) -> None:
    """One poll of a source: its outcome (one of ``POLL_OUTCOMES``) and duration, plus the
    HTTP requests this thread made since the last poll was recorded (the poll's own)."""
    rows: list[tuple[str, str, str, float]] = [
        ("polls", source_id, outcome, 1),
        ("poll_seconds_bucket", source_id, _bucket_label(seconds, POLL_BUCKETS), 1),
        ("poll_seconds_sum", source_id, "", max(seconds, 0.0)),
        ("poll_seconds_count", source_id, "", 1),
    ]
    if fetched:
        rows.append(("responses", source_id, "fetched", fetched))
    if not_modified:
        rows.append(("responses", source_id, "not_modified", not_modified))
    rows.extend(
        (name, source_id, label, delta)
        for (name, label), delta in sorted(take_request_stats().items())
    )
    _bump(store, rows)


def record_render(store: Store, meetings: int) -> None:
    """One render round that wrote the outputs of ``meetings`` meetings."""
    _bump(store, [("render_rounds", "", "", 1), ("meetings_rendered", "", "", meetings)])


# --------------------------------------------------------------------------- scrape side


def _counters(conn: sa.Connection) -> dict[str, list[tuple[str, str, float]]]:
    by_name: dict[str, list[tuple[str, str, float]]] = defaultdict(list)
    for name, source_id, label, value in conn.execute(
        sa.select(
            ops_counters.c.name,
            ops_counters.c.source_id,
            ops_counters.c.label,
            ops_counters.c.value,
        )
    ):
        by_name[name].append((source_id, label, float(value)))
    return by_name


def _histogram(
    name: str,
    documentation: str,
    per_key: dict[str, dict[str, float]],
    sums: dict[str, float],
    buckets: Sequence[float],
    label: str | None,
) -> HistogramMetricFamily:
    """Cumulative buckets from the stored per-bucket counts."""
    family = HistogramMetricFamily(name, documentation, labels=[label] if label else None)
    for key in sorted(set(per_key) | set(sums)):
        counts = per_key.get(key, {})
        running = 0.0
        cumulative = []
        for bound in buckets:
            running += counts.get(_fmt_bound(bound), 0.0)
            cumulative.append((_fmt_bound(bound), running))
        running += counts.get("+Inf", 0.0)
        cumulative.append(("+Inf", running))
        family.add_metric([key] if label else [], cumulative, sums.get(key, 0.0))
    return family


def _extraction_reasons(conn: sa.Connection) -> list[tuple[str, int]]:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import JSON

        reason: Any = sa.cast(events.c.detail, JSON)["reason"].astext
    else:
        reason = sa.func.json_extract(events.c.detail, "$.reason")
    rows = conn.execute(
        sa.select(reason, sa.func.count())
        .where(events.c.kind == "extraction_failed")
        .group_by(reason)
    ).all()
    return [(str(r or "unknown"), int(n)) for r, n in rows]


def families(store: Store, source_ids: Sequence[str], now: datetime) -> Iterator[Metric]:
    """Every metric family, read from the database in one connection."""
    with store.engine.connect() as conn:
        counters = _counters(conn)
        source_rows = [dict(r) for r in conn.execute(sa.select(sources)).mappings()]
        pub_states: dict[str, int] = dict(
            conn.execute(
                sa.select(publications.c.state, sa.func.count()).group_by(publications.c.state)
            ).all()
        )
        render_backlog = conn.execute(
            sa.select(sa.func.count())
            .select_from(publications)
            .where(publications.c.needs_render.is_(True))
        ).scalar_one()
        released = conn.execute(
            sa.select(sa.func.count()).select_from(events).where(events.c.kind == "published")
        ).scalar_one()
        lags = conn.execute(
            sa.select(publications.c.first_published_at, publications.c.due_at).where(
                publications.c.first_published_at.is_not(None)
            )
        ).all()
        dead = conn.execute(
            sa.select(documents.c.error_reason, sa.func.count())
            .where(documents.c.state == "failed")
            .group_by(documents.c.error_reason)
        ).all()
        reasons = _extraction_reasons(conn)
        overdue_due = conn.execute(
            sa.select(sa.func.min(publications.c.due_at)).where(
                publications.c.state == "pending", publications.c.due_at <= now
            )
        ).scalar()

    polls = CounterMetricFamily(
        "publisher_polls", "Polls of a source by outcome", labels=["source", "outcome"]
    )
    for source_id, outcome, value in sorted(counters.get("polls", [])):
        polls.add_metric([source_id, outcome], value)
    yield polls

    per_key: dict[str, dict[str, float]] = defaultdict(dict)
    for source_id, label, value in counters.get("poll_seconds_bucket", []):
        per_key[source_id][label] = value
    sums = {s: v for s, _label, v in counters.get("poll_seconds_sum", [])}
    yield _histogram(
        "publisher_poll_duration_seconds",
        "Duration of one poll of a source (all its requests, politeness waits included)",
        per_key,
        sums,
        POLL_BUCKETS,
        "source",
    )

    responses = CounterMetricFamily(
        "publisher_document_responses",
        "Document requests by result: fetched (200) or not_modified (304)",
        labels=["source", "result"],
    )
    share = GaugeMetricFamily(
        "publisher_not_modified_ratio",
        "Share of document requests answered 304 Not Modified",
        labels=["source"],
    )
    per_source: dict[str, dict[str, float]] = defaultdict(dict)
    for source_id, label, value in sorted(counters.get("responses", [])):
        responses.add_metric([source_id, label], value)
        per_source[source_id][label] = value
    for source_id, values in sorted(per_source.items()):
        total = sum(values.values())
        if total:
            share.add_metric([source_id], values.get("not_modified", 0.0) / total)
    yield responses
    yield share

    requests_total = CounterMetricFamily(
        "publisher_http_requests",
        "HTTP requests to sources by outcome (each redirect hop is one request): ok, "
        "not_modified (304), redirect, client_error, server_error, network_error, body_error",
        labels=["source", "outcome"],
    )
    for source_id, outcome, value in sorted(counters.get("http_requests", [])):
        requests_total.add_metric([source_id, outcome], value)
    yield requests_total
    request_buckets: dict[str, dict[str, float]] = defaultdict(dict)
    for source_id, label, value in counters.get("http_request_seconds_bucket", []):
        request_buckets[source_id][label] = value
    request_sums = {s: v for s, _label, v in counters.get("http_request_seconds_sum", [])}
    yield _histogram(
        "publisher_http_request_duration_seconds",
        "Latency of one HTTP request to a source, from sending it to the end of its body "
        "(politeness waits excluded)",
        request_buckets,
        request_sums,
        REQUEST_BUCKETS,
        "source",
    )

    errors = CounterMetricFamily(
        "publisher_extraction_errors", "Documents that failed extraction", labels=["reason"]
    )
    for reason, count in sorted(reasons):
        errors.add_metric([reason], count)
    yield errors
    dead_letters = GaugeMetricFamily(
        "publisher_dead_letters", "Documents waiting for an operator's replay", labels=["reason"]
    )
    for reason, count in sorted((str(r or "unknown"), n) for r, n in dead):
        dead_letters.add_metric([reason], count)
    yield dead_letters

    yield CounterMetricFamily(
        "publisher_publications_released",
        "Publications released (by the schedule or an operator), corrections excluded",
        value=released,
    )
    lag_counts: dict[str, dict[str, float]] = {"": defaultdict(float)}
    lag_sum = 0.0
    for first, due in lags:
        lag = max((first - due).total_seconds(), 0.0)
        lag_counts[""][_bucket_label(lag, LAG_BUCKETS)] += 1
        lag_sum += lag
    yield _histogram(
        "publisher_publish_lag_seconds",
        "Time from a publication's due_at to its first release",
        lag_counts,
        {"": lag_sum},
        LAG_BUCKETS,
        None,
    )
    oldest = GaugeMetricFamily(
        "publisher_oldest_due_seconds",
        "How long the oldest due but unreleased publication has waited (0: none)",
        value=(now - overdue_due).total_seconds() if overdue_due else 0.0,
    )
    yield oldest

    states = GaugeMetricFamily("publisher_publications", "Publications by state", labels=["state"])
    for state in ("pending", "held", "published", "retracted", "cancelled"):
        states.add_metric([state], pub_states.get(state, 0))
    yield states
    yield GaugeMetricFamily(
        "publisher_pending_publications",
        "Publications waiting for their due time (pending or held)",
        value=pub_states.get("pending", 0) + pub_states.get("held", 0),
    )

    rendered = sum(v for _s, _l, v in counters.get("meetings_rendered", []))
    rounds = sum(v for _s, _l, v in counters.get("render_rounds", []))
    # NB: rounds, not files: jobs.render does not hand the written paths on (yet)
    yield CounterMetricFamily(
        "publisher_feeds_rendered",
        "Render rounds that wrote changed outputs (rounds, not files)",
        value=rounds,
    )
    yield CounterMetricFamily(
        "publisher_meetings_rendered", "Meetings whose outputs were (re)written", value=rendered
    )
    yield GaugeMetricFamily(
        "publisher_render_backlog",
        "Publications whose public state changed and is not yet rendered",
        value=render_backlog,
    )

    configured = set(source_ids)
    last_success = GaugeMetricFamily(
        "publisher_source_last_success_timestamp_seconds",
        "Unix time of the last successful poll of a source",
        labels=["source"],
    )
    last_poll = GaugeMetricFamily(
        "publisher_source_last_poll_timestamp_seconds",
        "Unix time of the last poll of a source",
        labels=["source"],
    )
    failures = GaugeMetricFamily(
        "publisher_source_consecutive_failures",
        "Failed polls of a source since its last success",
        labels=["source"],
    )
    for row in sorted(source_rows, key=lambda r: r["id"]):
        if row["id"] not in configured:
            continue
        if row["last_success_at"]:
            last_success.add_metric([row["id"]], row["last_success_at"].timestamp())
        if row["last_poll_at"]:
            last_poll.add_metric([row["id"]], row["last_poll_at"].timestamp())
        failures.add_metric([row["id"]], row["failures"] or 0)
    yield last_success
    yield last_poll
    yield failures


class PipelineCollector(Collector):
    """Reads the numbers at scrape time through ``get_store`` (see the module docstring)."""

    def __init__(
        self,
        get_store: Callable[[], Store],
        source_ids: Callable[[], Sequence[str]],
        clock: Callable[[], datetime],
        extra: Callable[[], Iterable[Metric]] | None = None,
    ) -> None:
        self.get_store = get_store
        self.source_ids = source_ids
        self.clock = clock
        self.extra = extra

    def describe(self) -> Iterable[Metric]:
        # No query at registration time; the families are only known when scraped.
        return []

    def collect(self) -> Iterable[Metric]:
        up = GaugeMetricFamily(
            "publisher_database_up", "1 if the database answered this scrape, else 0"
        )
        try:
            found = list(families(self.get_store(), self.source_ids(), self.clock()))
            if self.extra is not None:
                found.extend(self.extra())
        except sa.exc.SQLAlchemyError as exc:
            log.warning("metrics scrape failed", extra={"error": str(exc)})
            up.add_metric([], 0)
            return [up]
        up.add_metric([], 1)
        return [*found, up]


def registry_for(collector: Collector) -> CollectorRegistry:
    """Its own registry: no process/platform collectors of the default one (the web process's
    CPU time says nothing about the pipeline) and nothing registered twice in tests."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    return registry


def exposition(registry: CollectorRegistry) -> bytes:
    return generate_latest(registry)
