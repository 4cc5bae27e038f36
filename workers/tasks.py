"""Thin tasks: take ids, call one job, handle retry and logging only.

Transient errors (database hiccups, broker reconnects) retry with exponential backoff; the
jobs themselves record permanent errors (dead letters, failing sources) in the store, so
nothing here retries bad input.
"""

from __future__ import annotations

import logging

from celery import Task
from sqlalchemy.exc import OperationalError

from publisher import jobs
from publisher.errors import TransientError
from workers.celery_app import app, context

log = logging.getLogger("publisher.tasks")

RETRY = {
    "autoretry_for": (TransientError, OperationalError),
    "retry_backoff": 2,
    "retry_backoff_max": 120,  # never an ETA longer than a few minutes
    "retry_jitter": True,
    "max_retries": 8,
}


@app.task(name="publisher.sweep_sources", bind=True, **RETRY)
def sweep_sources(self: Task) -> list[str]:
    """Beat: claim due sources and queue their polls; re-queue documents whose task was lost."""
    ctx = context()
    claimed = jobs.sweep_sources(ctx)
    for source_id in claimed:
        poll_source.delay(source_id)
    for document_id in jobs.recover(ctx):
        process_document.delay(document_id)
    return claimed


@app.task(name="publisher.poll_source", bind=True, **RETRY)
def poll_source(self: Task, source_id: str) -> list[int]:
    ids = jobs.poll_source(context(), source_id)
    for document_id in ids:
        process_document.delay(document_id)
    return ids


@app.task(name="publisher.process_document", bind=True, **RETRY)
def process_document(self: Task, document_id: int) -> str | None:
    meeting_id = jobs.process_document(context(), document_id)
    log.info(
        "task done",
        extra={"task_id": self.request.id, "document_id": document_id, "meeting_id": meeting_id},
    )
    return meeting_id


@app.task(name="publisher.release_due", bind=True, **RETRY)
def release_due(self: Task) -> list[str]:
    """Beat: publish what is due, then render whatever changed (also catches lost renders)."""
    ctx = context()
    released = jobs.release(ctx)
    if released or ctx.store.unrendered(limit=1):
        render.delay()
    return released


@app.task(name="publisher.render", bind=True, **RETRY)
def render(self: Task) -> list[str]:
    return jobs.render(context())


@app.task(name="publisher.ping")
def ping() -> None:
    """A task that does nothing: a liveness probe, and the baseline of the pipeline benchmark."""
