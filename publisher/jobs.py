"""The units of work, as plain functions: the Celery tasks in ``workers.tasks``, the embedded
``publisher run`` loop and ``publisher build`` all call these, so there is one code path.

Each job takes ids, re-reads state from the store, does one thing and is idempotent: running
it twice (a redelivered task, two beats) changes nothing the second time.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from publisher import lifecycle, metrics
from publisher.errors import ExtractionError, PermanentError, PublisherError, TransientError
from publisher.extract import ExtractOptions, extract
from publisher.settings import Settings, SourceConfig
from publisher.store import Store

log = logging.getLogger("publisher.jobs")

#: backoff of a failing source: first retry after BACKOFF_BASE, doubling up to BACKOFF_CAP
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=6)
#: OParl incremental polls overlap the previous one by this much (clock skew between hosts)
OPARL_OVERLAP = timedelta(minutes=5)


@dataclass
class Context:
    settings: Settings
    store: Store
    #: a clock override for one run (``publisher build --now``); persists nothing
    fixed_now: datetime | None = None
    jitter: Callable[[], float] = field(default=lambda: random.uniform(0.5, 1.5))  # noqa: S311

    def now(self) -> datetime:
        return self.fixed_now or self.settings.now or datetime.now(UTC)


def open_context(
    settings: Settings, *, migrate: bool = False, now: datetime | None = None
) -> Context:
    store = Store(settings.database_url)
    if migrate:
        store.migrate()
    ctx = Context(settings=settings, store=store, fixed_now=now)
    store.ensure_sources([s.id for s in settings.sources if s.enabled], ctx.now())
    return ctx


def sweep_sources(ctx: Context, only: list[str] | None = None) -> list[str]:
    """Claim every source whose ``next_poll_at`` has passed; the caller polls them."""
    now = ctx.now()
    enabled = [s for s in ctx.settings.sources if s.enabled]
    ctx.store.ensure_sources([s.id for s in enabled], now)
    next_poll = {s.id: now + s.poll_interval for s in enabled}
    return ctx.store.claim_due_sources(now, next_poll, only)


def poll_source(ctx: Context, source_id: str) -> list[int]:
    """Fetch one source; store new or changed documents; return their ids for processing.

    Failures never raise: they are recorded on the source with a backoff persisted as
    ``next_poll_at`` (a sleeping worker would block the others).
    """
    from publisher.sources import poll

    now = ctx.now()
    source = ctx.settings.source(source_id)
    state = ctx.store.source_state(source_id) or {}
    since = None
    if source.kind == "oparl" and state.get("last_success_at"):
        since = state["last_success_at"] - OPARL_OVERLAP
    known = ctx.store.current_keys(source_id)
    started = time.monotonic()
    try:
        result = poll(source, ctx.store.validator_store(), since=since, known_keys=known)
    except (TransientError, PermanentError) as exc:
        _record_failure(ctx, source, now, exc)
        outcome = "transient_error" if isinstance(exc, TransientError) else "permanent_error"
        metrics.record_poll(ctx.store, source_id, outcome, time.monotonic() - started)
        return []
    elapsed = time.monotonic() - started
    new_ids: list[int] = []
    not_modified = 0
    gone: set[str] = set()
    for doc in result.documents:
        if doc.gone:
            gone.add(doc.key)
        elif doc.data is None:
            not_modified += 1
        else:
            doc_id, created = ctx.store.add_document(source_id, doc.key, doc.url, doc.data, now)
            if created:
                new_ids.append(doc_id)
    if result.complete:
        present = {d.key for d in result.documents if not d.gone}
        lifecycle.retract_vanished(ctx.store, source_id, present, now)
    elif gone:
        lifecycle.retract_vanished(
            ctx.store, source_id, ctx.store.current_keys(source_id) - gone, now
        )
    ctx.store.record_poll(
        source_id, now, ok=True, next_poll_at=now + source.poll_interval, not_modified=not_modified
    )
    metrics.record_poll(
        ctx.store,
        source_id,
        "new_documents" if new_ids else "no_change",
        elapsed,
        fetched=sum(1 for d in result.documents if d.data is not None),
        not_modified=not_modified,
    )
    log.info(
        "polled", extra={"source_id": source_id, "new": len(new_ids), "not_modified": not_modified}
    )
    return new_ids


def _record_failure(ctx: Context, source: SourceConfig, now: datetime, exc: PublisherError) -> None:
    previous = (ctx.store.source_state(source.id) or {}).get("failures") or 0
    delay = lifecycle.backoff(previous + 1, BACKOFF_BASE, BACKOFF_CAP, ctx.jitter())
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        delay = max(delay, timedelta(seconds=retry_after))
    if isinstance(exc, PermanentError):
        # a wrong URL will not fix itself quickly: never poll it more often than usual
        delay = max(delay, source.poll_interval)
    reason = "transient" if isinstance(exc, TransientError) else "permanent"
    ctx.store.record_poll(
        source.id,
        now,
        ok=False,
        next_poll_at=now + delay,
        error=str(exc),
        reason=f"{reason}:{type(exc).__name__}",
    )
    log.warning(
        "poll failed",
        extra={"source_id": source.id, "error": str(exc), "retry_in": delay.total_seconds()},
    )


def extract_options(source: SourceConfig, url: str | None) -> ExtractOptions:
    return ExtractOptions(
        timezone=source.timezone,
        base_url=url,
        selectors=source.selectors,
        body=source.body,
        language=source.language,
        max_bytes=source.max_bytes,
    )


def process_document(ctx: Context, document_id: int, actor: str = "system") -> str | None:
    """Extract one stored document and hand it to the lifecycle. Idempotent.

    A document that cannot be extracted becomes a dead letter (state ``failed`` with the
    reason); its raw bytes stay in the store for a replay after a fix.
    """
    doc = ctx.store.document(document_id)
    if doc is None or doc["state"] != "pending":
        return doc["meeting_id"] if doc else None
    now = ctx.now()
    try:
        source = ctx.settings.source(doc["source_id"])
    except PublisherError:
        ctx.store.mark_document(
            document_id,
            "failed",
            reason="unknown_source",
            error=f"source {doc['source_id']!r} is no longer configured",
        )
        return None
    try:
        protocol = extract(bytes(doc["raw"]), source.format, extract_options(source, doc["url"]))
    except ExtractionError as exc:
        ctx.store.mark_document(document_id, "failed", reason=exc.reason, error=str(exc))
        with ctx.store.begin() as conn:
            ctx.store.log(
                conn,
                "extraction_failed",
                now,
                source_id=source.id,
                actor=actor,
                document=doc["key"],
                reason=exc.reason,
                error=str(exc),
            )
        log.warning(
            "extraction failed",
            extra={"source_id": source.id, "document_id": document_id, "reason": exc.reason},
        )
        return None
    accepted = lifecycle.accept(ctx.store, source, document_id, doc["key"], protocol, now, actor)
    log.info(
        "processed",
        extra={
            "source_id": source.id,
            "meeting_id": accepted.meeting_id,
            "publication": accepted.publication,
        },
    )
    return accepted.meeting_id


def recover(ctx: Context) -> list[int]:
    """Stored documents whose processing task was lost (flushed broker, killed worker)."""
    return ctx.store.pending_documents(older_than=ctx.now() - ctx.settings.recover_after)


def release(ctx: Context) -> list[str]:
    released = lifecycle.release_due(ctx.store, ctx.now())
    if released:
        log.info("released", extra={"meetings": released})
    return released


def render(ctx: Context) -> list[str]:
    """Write the outputs of every meeting whose public state changed. Returns meeting ids.

    Fail-closed per meeting: output that fails the final privacy check is never written and
    its meeting stays unrendered (logged as an error, retried every round), while the other
    meetings of the batch are rendered one by one.
    """
    # one render at a time (two workers, beat plus an operator): an older render must not
    # overwrite the feeds a newer one wrote; the waiting one then sees the work as done
    with ctx.store.render_lock():
        return _render(ctx)


def _render(ctx: Context) -> list[str]:
    from feeds.render import render_changed
    from feeds.safety import UnsafeOutput

    ids = ctx.store.unrendered()
    if not ids:
        return ids
    marks = ctx.store.render_marks(ids)
    try:
        render_changed(ctx.settings, ctx.store, ids)
        done = ids
    except UnsafeOutput:
        done = []
        for meeting_id in ids:
            try:
                render_changed(ctx.settings, ctx.store, [meeting_id])
            except UnsafeOutput as exc:
                log.error("render refused", extra={"meeting_id": meeting_id, "error": str(exc)})
                continue
            done.append(meeting_id)
    ctx.store.mark_rendered({m: marks[m] for m in done if m in marks})
    if done:
        metrics.record_render(ctx.store, len(done))
    return done


def replay(ctx: Context, document_id: int, actor: str, why: str) -> str | None:
    """Operator: run a dead letter through extraction again (after a fix)."""
    doc = ctx.store.document(document_id)
    if doc is None:
        raise PermanentError(f"no document {document_id}")
    ctx.store.mark_document(document_id, "pending")
    with ctx.store.begin() as conn:
        ctx.store.log(
            conn,
            "replayed",
            ctx.now(),
            source_id=doc["source_id"],
            actor=actor,
            why=why,
            document=doc["key"],
        )
    return process_document(ctx, document_id, actor)


@dataclass
class BuildReport:
    polled: list[str]
    documents: int
    released: list[str]
    rendered: list[str]
    failed_sources: list[str]


def build(ctx: Context, *, all_sources: bool = False) -> BuildReport:
    """One full pass, for cron and static hosting: poll due sources, process, release, render."""
    claimed = (
        [s.id for s in ctx.settings.sources if s.enabled] if all_sources else sweep_sources(ctx)
    )
    processed = 0
    failed = []
    for source_id in claimed:
        ids = poll_source(ctx, source_id)
        state = ctx.store.source_state(source_id) or {}
        if state.get("failures"):
            failed.append(source_id)
        for doc_id in ids:
            process_document(ctx, doc_id)
            processed += 1
    for doc_id in recover(ctx):
        process_document(ctx, doc_id)
        processed += 1
    released = release(ctx)
    rendered = render(ctx)
    return BuildReport(claimed, processed, released, rendered, failed)
