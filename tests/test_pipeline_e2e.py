"""End to end through real Celery worker and beat processes on a private redis-server.

Each test drops Swedish protocols into a directory source and watches the database and the
output directory, as an operator would. Faults are real: SIGKILL to the worker's process
group, FLUSHALL on Redis, two beat processes at once.
"""

from __future__ import annotations

import json
import math
import signal
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from publisher.store import meetings

from .pipeline import (
    Pipeline,
    RedisServer,
    local_today,
    protocol_html,
    publication_rows,
    published_event_counts,
    redis_server,  # noqa: F401 - fixture
    seconds_since_local_midnight,
    utc_now,
    wait_until,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def pipeline(tmp_path: Path, redis_server: RedisServer) -> Iterator[Pipeline]:  # noqa: F811
    redis_server.client().flushall()
    p = Pipeline(root=tmp_path, redis=redis_server)
    yield p
    p.stop_all()


def test_dropped_protocol_waits_for_its_delay_then_is_published_once(pipeline: Pipeline) -> None:
    # approved today; the delay is chosen so that due_at lies ~8 s from now
    pipeline.delay_seconds = math.ceil(seconds_since_local_midnight()) + 8
    pipeline.write_config()
    pipeline.add("sn.html", protocol_html(date(2024, 6, 18), local_today()))
    pipeline.add("draft.html", protocol_html(date(2024, 6, 19), None, body="Kommunstyrelsen"))
    pipeline.start_worker()
    pipeline.start_beat()
    store = pipeline.store()

    rows = wait_until(lambda: publication_rows(store), 30, "the protocol to be scheduled", pipeline)
    (pub,) = rows
    assert pub["state"] == "pending"
    due = pub["due_at"]
    assert due > utc_now()

    # until due_at nothing is published
    while utc_now() < due - timedelta(seconds=1):
        assert publication_rows(store)[0]["state"] == "pending"
        time.sleep(0.3)

    wait_until(
        lambda: publication_rows(store)[0]["state"] == "published", 20, "the release", pipeline
    )
    pub = publication_rows(store)[0]
    assert pub["published_at"] >= due
    # one sweep interval (1 s) plus scheduling slack
    assert pub["published_at"] - due < timedelta(seconds=3)
    assert published_event_counts(store) == {pub["meeting_id"]: 1}

    summary_path = pipeline.output / "meetings" / f"{pub['meeting_id']}.json"
    wait_until(summary_path.exists, 15, "the summary file", pipeline)
    summary = json.loads(summary_path.read_text("utf-8"))
    assert summary["body"]["name"] == "Socialnämnden"
    assert summary["protocol"]["counts"]["confidential"] == 1
    text = summary_path.read_text("utf-8")
    assert "Placering" not in text and "OSL" not in text

    # the draft was stored, never scheduled
    drafts = store.counts()["drafts"]
    assert drafts == 1 and len(publication_rows(store)) == 1
    store.dispose()


def test_sigkill_of_the_worker_loses_and_duplicates_nothing(pipeline: Pipeline) -> None:
    pipeline.write_config()
    # enough documents that the worker (about 100-300 per second) is still busy when the
    # kill lands a few milliseconds after the first publication appears
    count = 150
    for n in range(count):
        day = date(2024, 1, 1) + timedelta(days=n)
        pipeline.add(f"p{n:03}.html", protocol_html(day, day + timedelta(days=2)))
    pipeline.start_beat()
    pipeline.start_worker()
    store = pipeline.store()
    # kill the worker's whole process group while documents are being processed
    wait_until(lambda: publication_rows(store), 60, "processing to start", pipeline, 0.01)
    pipeline.kill("worker", signal.SIGKILL)
    assert len(publication_rows(store)) < count, "worker finished before the kill"
    pipeline.start_worker("worker2")
    wait_until(
        lambda: len([p for p in publication_rows(store) if p["state"] == "published"]) == count,
        120,
        "every protocol to be published",
        pipeline,
    )
    counts = published_event_counts(store)
    assert len(counts) == count and set(counts.values()) == {1}
    assert store.counts()["dead_letters"] == 0
    store.dispose()


def test_flushall_and_restart_lose_nothing_and_publish_nothing_early(pipeline: Pipeline) -> None:
    pipeline.delay_seconds = math.ceil(seconds_since_local_midnight()) + 10
    pipeline.write_config()
    for n in range(5):
        pipeline.add(
            f"p{n}.html", protocol_html(date(2024, 3, 1) + timedelta(days=n), local_today())
        )
    pipeline.start_worker()
    pipeline.start_beat()
    store = pipeline.store()
    wait_until(lambda: len(publication_rows(store)) == 5, 40, "all scheduled", pipeline)
    # the broker forgets everything; the processes die with it
    pipeline.redis.client().flushall()
    pipeline.kill("worker")
    pipeline.kill("beat")
    pipeline.redis.client().flushall()
    assert all(p["state"] == "pending" for p in publication_rows(store))
    pipeline.start_worker("worker2")
    pipeline.start_beat("beat2")
    wait_until(
        lambda: all(p["state"] == "published" for p in publication_rows(store)),
        40,
        "all published after the restart",
        pipeline,
    )
    for pub in publication_rows(store):
        assert pub["published_at"] >= pub["due_at"]
    assert set(published_event_counts(store).values()) == {1}
    store.dispose()


def test_two_beats_publish_each_protocol_exactly_once(pipeline: Pipeline) -> None:
    pipeline.write_config()
    for n in range(10):
        day = date(2024, 2, 1) + timedelta(days=n)
        pipeline.add(f"p{n}.html", protocol_html(day, day))
    pipeline.start_beat("beat-a")
    pipeline.start_beat("beat-b")
    pipeline.start_worker("worker-a")
    pipeline.start_worker("worker-b")
    store = pipeline.store()
    wait_until(
        lambda: len([p for p in publication_rows(store) if p["state"] == "published"]) == 10,
        60,
        "all published",
        pipeline,
    )
    time.sleep(3)  # several more sweeps from both beats
    counts = published_event_counts(store)
    assert len(counts) == 10 and set(counts.values()) == {1}
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(meetings)).scalar() == 10
    store.dispose()
