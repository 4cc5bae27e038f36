"""Rendering one change costs the same whatever the size of history, on SQLite and PostgreSQL.

Timing is noisy, so the test measures the database's own work instead: SQLite's progress
handler counts virtual-machine instructions, which grow with every row a query visits. A
render that read the whole history would visit thousands of rows more over a large one.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import feeds.render
from benchmarks.feeds import publish_one, seed_history
from feeds.render import render_changed
from publisher import jobs, lifecycle
from publisher.settings import Settings, SourceConfig
from publisher.store import Store

T0 = datetime(2031, 3, 1, 8, 0, tzinfo=UTC)


def make(tmp_path: Path, url: str | None = None) -> tuple[Settings, Store]:
    config = Settings(
        organization="Inkrementella kommun",
        base_url="https://kommun.example/",
        output_dir=tmp_path / "public",
        database_url=url or f"sqlite:///{tmp_path}/publisher.db",
        sources=(SourceConfig(id="bench", kind="directory", path=tmp_path),),
    )
    store = Store(config.database_url)
    store.migrate()
    return config, store


class Work:
    """Counts SQLite VM instructions (in steps of 100) and statements on a store's engine."""

    def __init__(self, store: Store) -> None:
        self.steps = 0
        self.statements = 0
        self.counting = False
        sa.event.listen(store.engine, "connect", self._connect)
        sa.event.listen(store.engine, "before_cursor_execute", self._statement)
        store.engine.dispose()  # new connections get the handler

    def _connect(self, dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.set_progress_handler(self._step, 100)

    def _step(self) -> int:
        if self.counting:
            self.steps += 1
        return 0

    def _statement(self, *_args: Any) -> None:
        if self.counting:
            self.statements += 1


def render_cost(tmp_path: Path, history: int) -> tuple[int, int, list[str]]:
    config, store = make(tmp_path)
    try:
        ids = seed_history(store, meetings_count=history, items_per_meeting=2)
        render_changed(config, store, ids[-1:])
        work = Work(store)
        mid = publish_one(
            store, source_id="bench", body="Socialnämnden", n=1, at=T0 + timedelta(days=1)
        )
        work.counting = True
        written = render_changed(config, store, [mid])
        work.counting = False
        names = sorted(Path(p).relative_to(config.output_dir).as_posix() for p in written)
        return work.steps, work.statements, names
    finally:
        store.dispose()


def test_render_work_does_not_grow_with_history(tmp_path: Path) -> None:
    small_steps, small_statements, small_files = render_cost(tmp_path / "small", 200)
    large_steps, large_statements, large_files = render_cost(tmp_path / "large", 4000)
    assert small_statements == large_statements
    # the same kinds of files: current feeds, the meeting's pages, calendar, indexes
    assert small_files == large_files
    assert not [f for f in large_files if "/archive/" in f]
    # both histories fill every window (feeds, calendar); B-tree depth grows with log(n);
    # anything proportional to history would cost ~20x
    assert large_steps <= small_steps * 1.3 + 10, (small_steps, large_steps)


@pytest.fixture
def store_url(database_url: str) -> Iterator[str]:
    yield database_url


def test_log_render_correct_retract_on_both_databases(tmp_path: Path, store_url: str) -> None:
    config, store = make(tmp_path, store_url)
    try:
        ids = seed_history(store, meetings_count=3, rendered=False)
        ctx = jobs.Context(settings=config, store=store, fixed_now=T0)
        assert sorted(jobs.render(ctx)) == sorted(ids)
        assert jobs.render(ctx) == []
        out = config.output_dir
        feed = json.loads((out / "feeds" / "all.json").read_bytes())
        assert len(feed["items"]) == 3
        stamps = [i["date_modified"] for i in feed["items"]]
        assert len(set(stamps)) == 3
        # a retraction: a tombstone entry with the same id, newest first
        assert lifecycle.retract(store, ids[0], T0 + timedelta(days=1), "op", "test")
        assert jobs.render(ctx) == [ids[0]]
        after = json.loads((out / "feeds" / "all.json").read_bytes())
        assert after["items"][0]["_publisher"]["retracted"] is True
        assert (
            after["items"][0]["id"]
            == [i["id"] for i in feed["items"] if i["_publisher"]["meeting_id"] == ids[0]][0]
        )
        assert len(after["items"]) == 3
        decisions = json.loads((out / "feeds" / "socialnamnden" / "decisions.json").read_bytes())
        ids_seen = [i["id"] for i in decisions["items"]]
        assert len(ids_seen) == len(set(ids_seen))
        infos = store.feed_infos()
        assert infos["all"]["length"] == 4 and infos["body:socialnamnden"]["length"] == 4
    finally:
        store.dispose()


# ---------------------------------------------------------------------------------- render lock


def test_two_renders_never_run_at_once(
    tmp_path: Path, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers (each its own Store: own pool, own lock handle) render at the same time:
    the renders are serialized, and neither overwrites the other's newer feed."""
    config, store = make(tmp_path, store_url)
    other = Store(config.database_url)
    try:
        ids = seed_history(store, meetings_count=4, rendered=False)
        active: set[int] = set()
        overlap: list[int] = []
        real = feeds.render.render_feed

        def slow_render_feed(*args: Any) -> None:
            active.add(threading.get_ident())
            overlap.append(len(active))
            time.sleep(0.05)
            try:
                real(*args)
            finally:
                active.discard(threading.get_ident())

        monkeypatch.setattr(feeds.render, "render_feed", slow_render_feed)
        start = threading.Barrier(2)
        errors: list[BaseException] = []

        def worker(own: Store, batch: list[str]) -> None:
            try:
                start.wait()
                render_changed(config, own, batch)
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                errors.append(exc)

        threads = [
            threading.Thread(target=worker, args=(store, ids[:2])),
            threading.Thread(target=worker, args=(other, ids[2:])),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not errors, errors
        assert overlap and max(overlap) == 1, "two renders ran at the same time"
        feed = json.loads((config.output_dir / "feeds" / "all.json").read_bytes())
        assert sorted(i["_publisher"]["meeting_id"] for i in feed["items"]) == sorted(ids)
        # the render jobs too: two workers sweeping at once render each meeting once
        store.mark_rendered(store.render_marks(ids))
        more = seed_history(
            store, source_id="more", meetings_count=3, rendered=False, start=T0 + timedelta(days=9)
        )
        results: list[list[str]] = []
        contexts = [jobs.Context(settings=config, store=s, fixed_now=T0) for s in (store, other)]
        start = threading.Barrier(2)

        def job(ctx: jobs.Context) -> None:
            start.wait()
            results.append(jobs.render(ctx))

        threads = [threading.Thread(target=job, args=(c,)) for c in contexts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        done = [m for r in results for m in r]
        assert sorted(done) == sorted(more), "a meeting was rendered by both workers"
    finally:
        other.dispose()
        store.dispose()


def test_the_render_lock_is_held_across_stores_and_reentrant(
    tmp_path: Path, store_url: str
) -> None:
    config, store = make(tmp_path, store_url)
    other = Store(config.database_url)
    try:
        acquired = threading.Event()

        def wait_for_lock() -> None:
            with other.render_lock():
                acquired.set()

        with store.render_lock():
            with store.render_lock():  # reentrant: render_changed inside jobs.render
                waiter = threading.Thread(target=wait_for_lock)
                waiter.start()
                assert not acquired.wait(0.5), "a second store got the lock while it was held"
        assert acquired.wait(10), "the lock was not released"
        waiter.join(10)
        # a render that fails releases the lock too
        with pytest.raises(RuntimeError):
            with store.render_lock():
                raise RuntimeError("render failed")
        acquired.clear()
        waiter = threading.Thread(target=wait_for_lock)
        waiter.start()
        assert acquired.wait(10)
        waiter.join(10)
    finally:
        other.dispose()
        store.dispose()
