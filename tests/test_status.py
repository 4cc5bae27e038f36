"""Status flags from constructed histories: failing, backing off, overdue, stale (and not)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis

from publisher import jobs, settings, status
from publisher.jobs import Context
from publisher.store import meetings, sources

from .conftest import run_cli
from .pipeline import free_port

NOW = datetime(2025, 6, 1, 10, 0, tzinfo=UTC)
TODAY = date(2025, 6, 1)


def write_config(tmp_path: Path, database_url: str, extra: str = "", **publisher: Any) -> Path:
    lines = [f'database_url = "{database_url}"', 'output_dir = "public"']
    lines += [f"{key} = {json.dumps(value)}" for key, value in publisher.items()]
    text = "[publisher]\n" + "\n".join(lines) + "\n"
    for source_id in ("alpha", "beta", "gamma"):
        text += f'\n[[sources]]\nid = "{source_id}"\nkind = "directory"\npath = "{source_id}"\n'
    path = tmp_path / "publisher.toml"
    path.write_text(text + extra, "utf-8")
    return path


@pytest.fixture
def contexts() -> Iterator[list[Context]]:
    made: list[Context] = []
    yield made
    for ctx in made:
        ctx.store.dispose()


def make_ctx(
    tmp_path: Path, database_url: str, made: list[Context], now: datetime = NOW, **publisher: Any
) -> Context:
    path = write_config(tmp_path, database_url, **publisher)
    ctx = jobs.open_context(settings.load(path, env={}), migrate=True, now=now)
    ctx.jitter = lambda: 1.0
    made.append(ctx)
    return ctx


def add_meeting(
    ctx: Context,
    source_id: str,
    day: date,
    *,
    body: str = "Socialnämnden",
    status_: str = "approved",
    approved_at: date | None = None,
    gone: bool = False,
    cancelled: bool = False,
) -> str:
    mid = f"{source_id}-{body[:3].lower()}-{day.isoformat()}"
    with ctx.store.begin() as conn:
        conn.execute(
            meetings.insert(),
            {
                "id": mid,
                "source_id": source_id,
                "natural_key": mid,
                "document_key": f"{mid}.html",
                "body_name": body,
                "body_slug": body.lower().replace("ä", "a"),
                "meeting_date": day,
                "status": status_,
                "approved_at": approved_at,
                "version": 1,
                "content_hash": mid,
                "protocol": '{"meeting": {"cancelled": true}}' if cancelled else "{}",
                "created_at": NOW,
                "updated_at": NOW,
                "gone_at": NOW if gone else None,
            },
        )
    return mid


def set_source(ctx: Context, source_id: str, **values: Any) -> None:
    with ctx.store.begin() as conn:
        conn.execute(sources.update().where(sources.c.id == source_id).values(**values))


def by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in report["sources"]}


def monthly(ctx: Context, source_id: str, last: date, count: int) -> None:
    """``count`` approved protocols, one every 30 days, the newest on ``last``."""
    for i in range(count):
        day = last - timedelta(days=30 * i)
        add_meeting(ctx, source_id, day, approved_at=day + timedelta(days=5))


# --------------------------------------------------------------------------- source state


def test_never_polled_source_is_new(tmp_path: Path, contexts: list[Context]) -> None:
    ctx = make_ctx(tmp_path, f"sqlite:///{tmp_path}/p.db", contexts)
    report = status.report(ctx, probe_broker=False)
    assert {s["state"] for s in report["sources"]} == {"new"}


def test_failing_and_backing_off_sources(
    tmp_path: Path, database_url: str, contexts: list[Context]
) -> None:
    ctx = make_ctx(tmp_path, database_url, contexts)
    store = ctx.store
    store.record_poll("alpha", NOW, ok=True, next_poll_at=NOW + timedelta(minutes=15))
    for i in range(2):
        store.record_poll(
            "beta",
            NOW - timedelta(minutes=i),
            ok=False,
            next_poll_at=NOW + timedelta(minutes=2),
            error="HTTP 503 from https://example.org/",
            reason="transient:ServerBusy",
        )
    for _ in range(5):
        store.record_poll(
            "gamma",
            NOW,
            ok=False,
            next_poll_at=NOW + timedelta(hours=1),
            error="connection refused",
            reason="transient:FetchFailed",
        )
    found = by_id(status.report(ctx, probe_broker=False))
    assert found["alpha"]["state"] == "ok"
    beta = found["beta"]
    assert beta["state"] == "backing off"
    assert beta["failures"] == 2
    assert beta["last_error"] == "HTTP 503 from https://example.org/"
    assert beta["last_error_reason"] == "transient:ServerBusy"
    assert beta["next_poll_at"] == NOW + timedelta(minutes=2)
    assert found["gamma"]["state"] == "failing"

    # recovery resets the state
    store.record_poll("beta", NOW, ok=True, next_poll_at=NOW + timedelta(minutes=15))
    assert by_id(status.report(ctx, probe_broker=False))["beta"]["state"] == "ok"


def test_a_permanent_error_is_failing_at_once(tmp_path: Path, contexts: list[Context]) -> None:
    ctx = make_ctx(tmp_path, f"sqlite:///{tmp_path}/p.db", contexts)
    ctx.store.record_poll(
        "alpha",
        NOW,
        ok=False,
        next_poll_at=NOW + timedelta(minutes=15),
        error="HTTP 404",
        reason="permanent:FetchRefused",
    )
    assert by_id(status.report(ctx, probe_broker=False))["alpha"]["state"] == "failing"


def test_a_real_poll_of_a_missing_directory_backs_off(
    tmp_path: Path, contexts: list[Context]
) -> None:
    ctx = make_ctx(tmp_path, f"sqlite:///{tmp_path}/p.db", contexts)
    assert jobs.poll_source(ctx, "alpha") == []
    alpha = by_id(status.report(ctx, probe_broker=False))["alpha"]
    assert alpha["state"] in ("backing off", "failing")
    assert alpha["last_error"] and alpha["last_error_at"] == NOW
    assert alpha["next_poll_at"] > NOW


# --------------------------------------------------------------------------- overdue


def test_overdue_meetings_are_flagged_per_body(
    tmp_path: Path, database_url: str, contexts: list[Context]
) -> None:
    ctx = make_ctx(tmp_path, database_url, contexts)
    late = add_meeting(ctx, "alpha", TODAY - timedelta(days=20), status_="draft")
    add_meeting(ctx, "alpha", TODAY - timedelta(days=10), status_="draft")  # within 14 days
    add_meeting(ctx, "alpha", TODAY - timedelta(days=40), approved_at=TODAY)  # approved
    add_meeting(ctx, "alpha", TODAY - timedelta(days=30), status_="draft", gone=True)
    oparl = add_meeting(
        ctx, "beta", TODAY - timedelta(days=15), body="Umweltausschuss", status_="draft"
    )
    report = status.report(ctx, probe_broker=False)
    overdue = {b["body"]: b for b in report["overdue"]}
    assert set(overdue) == {"Socialnämnden", "Umweltausschuss"}
    assert [m["meeting_id"] for m in overdue["Socialnämnden"]["meetings"]] == [late]
    assert overdue["Socialnämnden"]["meetings"][0]["days_since"] == 20
    assert [m["meeting_id"] for m in overdue["Umweltausschuss"]["meetings"]] == [oparl]
    assert by_id(report)["alpha"]["drafts"] == 2  # the gone one is not waiting any more


def test_a_cancelled_meeting_is_not_overdue(tmp_path: Path, contexts: list[Context]) -> None:
    # OParl says the meeting was called off: there will never be minutes to wait for
    ctx = make_ctx(tmp_path, f"sqlite:///{tmp_path}/p.db", contexts)
    add_meeting(ctx, "beta", TODAY - timedelta(days=40), body="Bauausschuss", status_="draft")
    add_meeting(
        ctx,
        "beta",
        TODAY - timedelta(days=30),
        body="Bauausschuss",
        status_="draft",
        cancelled=True,
    )
    (late,) = status.overdue(ctx)
    assert [m["meeting_date"] for m in late["meetings"]] == [TODAY - timedelta(days=40)]


def test_overdue_days_is_configurable(tmp_path: Path, contexts: list[Context]) -> None:
    ctx = make_ctx(tmp_path, f"sqlite:///{tmp_path}/p.db", contexts, overdue_days=30)
    add_meeting(ctx, "alpha", TODAY - timedelta(days=20), status_="draft")
    assert status.overdue(ctx) == []
    add_meeting(ctx, "alpha", TODAY - timedelta(days=31), status_="draft")
    assert len(status.overdue(ctx)[0]["meetings"]) == 1


# --------------------------------------------------------------------------- stale


def test_rhythm_is_learned_from_the_gaps() -> None:
    days = [date(2025, 1, 1) + timedelta(days=7 * i) for i in range(6)]
    learnt = status.rhythm(days, days[-1] + timedelta(days=22), factor=3.0, min_history=4)
    assert learnt.intervals == 5 and learnt.median_days == 7 and learnt.threshold_days == 21
    assert learnt.stale
    assert not status.rhythm(days, days[-1] + timedelta(days=21), 3.0, 4).stale
    few = status.rhythm(days[:4], days[-1] + timedelta(days=365), 3.0, 4)
    assert few.intervals == 3 and few.median_days is None and not few.stale
    assert status.rhythm([], TODAY, 3.0, 4) == status.Rhythm(0, None, None, None, None, False)


def test_stale_source_and_one_with_too_little_history(
    tmp_path: Path, database_url: str, contexts: list[Context]
) -> None:
    ctx = make_ctx(tmp_path, database_url, contexts)
    for source_id in ("alpha", "beta", "gamma"):
        ctx.store.record_poll(source_id, NOW, ok=True, next_poll_at=NOW + timedelta(minutes=15))
    # alpha: monthly for half a year, silent for four months -> stale
    monthly(ctx, "alpha", TODAY - timedelta(days=125), 7)
    # beta: the same rhythm, last protocol five weeks ago -> within 3 x 30 days
    monthly(ctx, "beta", TODAY - timedelta(days=35), 7)
    # gamma: only three protocols ever, the last a year ago: too little history to judge
    monthly(ctx, "gamma", TODAY - timedelta(days=365), 3)
    found = by_id(status.report(ctx, probe_broker=False))
    assert found["alpha"]["state"] == "stale" and found["alpha"]["stale"]
    assert found["alpha"]["rhythm"]["median_days"] == 30
    assert found["alpha"]["rhythm"]["silent_days"] == 120  # notice 5 days after the meeting
    assert found["beta"]["state"] == "ok" and not found["beta"]["stale"]
    assert found["gamma"]["state"] == "ok" and not found["gamma"]["stale"]
    assert found["gamma"]["rhythm"]["intervals"] == 2


def test_a_failing_source_stays_failing_even_if_stale(
    tmp_path: Path, contexts: list[Context]
) -> None:
    ctx = make_ctx(tmp_path, f"sqlite:///{tmp_path}/p.db", contexts, stale_factor=2)
    monthly(ctx, "alpha", TODAY - timedelta(days=90), 6)
    for _ in range(5):
        ctx.store.record_poll(
            "alpha", NOW, ok=False, next_poll_at=NOW, error="boom", reason="transient:X"
        )
    alpha = by_id(status.report(ctx, probe_broker=False))["alpha"]
    assert alpha["state"] == "failing" and alpha["stale"]


def test_stale_settings_are_validated(tmp_path: Path) -> None:
    from publisher.errors import ConfigError

    path = write_config(tmp_path, "sqlite:///x.db", stale_factor=0.5)
    with pytest.raises(ConfigError, match="stale_factor"):
        settings.load(path, env={})
    path = write_config(tmp_path, "sqlite:///x.db", stale_min_history=0)
    with pytest.raises(ConfigError, match="stale_min_history"):
        settings.load(path, env={})
    path = write_config(tmp_path, "sqlite:///x.db", stale_factor=4, stale_min_history=6)
    loaded = settings.load(path, env={})
    assert (loaded.stale_factor, loaded.stale_min_history) == (4.0, 6)


# --------------------------------------------------------------------------- broker


def test_broker_not_configured_is_na(tmp_path: Path, contexts: list[Context]) -> None:
    ctx = make_ctx(tmp_path, f"sqlite:///{tmp_path}/p.db", contexts)
    assert status.broker(ctx.settings) == {
        "configured": False,
        "queue_length": "n/a",
        "workers": "n/a",
    }


def test_broker_down_is_unreachable_not_a_crash(tmp_path: Path, contexts: list[Context]) -> None:
    port = free_port()  # nothing listens there
    ctx = make_ctx(
        tmp_path,
        f"sqlite:///{tmp_path}/p.db",
        contexts,
        broker_url=f"redis://127.0.0.1:{port}/0",
    )
    started = time.monotonic()
    report = status.report(ctx)
    assert report["broker"] == {
        "configured": True,
        "queue_length": "unreachable",
        "workers": "unreachable",
    }
    assert time.monotonic() - started < 10


@pytest.mark.slow
def test_queue_length_and_workers_from_real_redis(tmp_path: Path, contexts: list[Context]) -> None:
    url = "redis://127.0.0.1:6379/11"  # a dedicated database number on the shared server
    client = redis.Redis.from_url(url)
    client.delete(status.QUEUE)
    client.rpush(status.QUEUE, b"{}", b"{}", b"{}")
    try:
        ctx = make_ctx(tmp_path, f"sqlite:///{tmp_path}/p.db", contexts, broker_url=url)
        found = status.broker(ctx.settings, timeout=0.5)
    finally:
        client.delete(status.QUEUE)
        client.close()
    assert found["queue_length"] == 3
    # nobody serves db 11, so no worker answers: the ping ran and found none. That a running
    # worker *is* seen is proven in tests/test_metrics.py
    # (test_work_done_in_celery_workers_shows_in_status_and_metrics, which starts one).
    assert found["workers"] == []


# --------------------------------------------------------------------------- CLI


def test_status_command_table_and_json(tmp_path: Path, contexts: list[Context]) -> None:
    ctx = make_ctx(tmp_path, f"sqlite:///{tmp_path}/p.db", contexts)
    for i in range(2):
        ctx.store.record_poll(
            "beta",
            NOW,
            ok=False,
            next_poll_at=NOW,
            error=f"HTTP 503 #{i}",
            reason="transient:ServerBusy",
        )
    add_meeting(ctx, "alpha", TODAY - timedelta(days=20), status_="draft")
    config = str(tmp_path / "publisher.toml")
    env_now = ["--config", config]
    human = run_cli("status", *env_now)
    assert human.returncode == 0, human.stderr
    text = human.stdout.decode()
    assert "backing off" in text and "transient:ServerBusy: HTTP 503 #1" in text
    assert "overdue" in text and "Socialnämnden" in text
    machine = run_cli("status", "--json", *env_now)
    assert machine.returncode == 0, machine.stderr
    report = json.loads(machine.stdout)
    assert by_id(report)["beta"]["state"] == "backing off"
    assert report["broker"]["queue_length"] == "n/a"
    assert report["overdue"][0]["body"] == "Socialnämnden"


# --------------------------------------------------------------------------- audit fixes


def test_a_scheduled_future_meeting_does_not_hide_a_silent_source(
    tmp_path: Path, database_url: str, contexts: list[Context]
) -> None:
    """OParl lists future meetings as drafts: their date is a plan, not activity."""
    ctx = make_ctx(tmp_path, database_url, contexts)
    ctx.store.record_poll("alpha", NOW, ok=True, next_poll_at=NOW + timedelta(minutes=15))
    # monthly protocols, the last notice (meeting + 5 days) 200 days ago
    monthly(ctx, "alpha", TODAY - timedelta(days=205), 7)
    add_meeting(ctx, "alpha", TODAY + timedelta(days=10), status_="draft")  # scheduled
    add_meeting(ctx, "alpha", TODAY - timedelta(days=3), status_="draft")  # no protocol yet
    alpha = by_id(status.report(ctx, probe_broker=False))["alpha"]
    assert alpha["rhythm"]["silent_days"] == 200
    assert alpha["rhythm"]["last_activity"] == TODAY - timedelta(days=200)
    assert alpha["stale"] and alpha["state"] == "stale"


def test_overdue_and_drafts_ignore_unconfigured_sources_and_vanished_meetings(
    tmp_path: Path, contexts: list[Context]
) -> None:
    ctx = make_ctx(tmp_path, f"sqlite:///{tmp_path}/p.db", contexts)
    late = add_meeting(ctx, "alpha", TODAY - timedelta(days=20), status_="draft")
    add_meeting(ctx, "retired", TODAY - timedelta(days=20), body="Valnämnden", status_="draft")
    add_meeting(ctx, "alpha", TODAY - timedelta(days=30), status_="draft", gone=True)
    report = status.report(ctx, probe_broker=False)
    assert [b["body"] for b in report["overdue"]] == ["Socialnämnden"]
    assert [m["meeting_id"] for m in report["overdue"][0]["meetings"]] == [late]
    assert report["counts"]["drafts"] == 1  # not the vanished one, not the retired source's
    assert ctx.store.counts()["drafts"] == 3  # what store.counts() alone would have said


def test_public_status_unknown_failing_and_configured_bodies(
    tmp_path: Path, contexts: list[Context]
) -> None:
    path = write_config(tmp_path, f"sqlite:///{tmp_path}/p.db")
    text = path.read_text("utf-8")
    text += '\n[[sources]]\nid = "kultur"\nkind = "directory"\npath = "k"\nbody = "Kulturnämnden"\n'
    path.write_text(text, "utf-8")
    ctx = jobs.open_context(settings.load(path, env={}), migrate=True, now=NOW)
    contexts.append(ctx)
    add_meeting(ctx, "alpha", TODAY - timedelta(days=40), body="Socialnämnden")
    add_meeting(ctx, "beta", TODAY - timedelta(days=40), body="Tekniska nämnden")
    add_meeting(ctx, "gamma", TODAY - timedelta(days=40), body="Byggnämnden")

    def reachable() -> dict[str, bool | None]:
        return {b["body"]: b["reachable"] for b in status.public(ctx)["bodies"]}

    # nothing polled yet: unknown, not "reachable"; the configured body with no meeting shows
    assert reachable() == {
        "Byggnämnden": None,
        "Kulturnämnden": None,
        "Socialnämnden": None,
        "Tekniska nämnden": None,
    }
    ctx.store.record_poll("alpha", NOW, ok=True, next_poll_at=NOW)
    ctx.store.record_poll(  # one transient error: backing off, not an outage
        "beta", NOW, ok=False, next_poll_at=NOW, error="HTTP 503", reason="transient:ServerBusy"
    )
    for _ in range(5):  # failing
        ctx.store.record_poll(
            "gamma", NOW, ok=False, next_poll_at=NOW, error="refused", reason="transient:X"
        )
    ctx.store.record_poll(
        "kultur", NOW, ok=False, next_poll_at=NOW, error="404", reason="permanent:FetchRefused"
    )
    assert reachable() == {
        "Byggnämnden": False,
        "Kulturnämnden": False,
        "Socialnämnden": True,
        "Tekniska nämnden": True,
    }
    from fastapi.testclient import TestClient

    from publisher.opsweb import create_ops_app

    ctx.store.record_poll("kultur", NOW, ok=True, next_poll_at=NOW)
    add_meeting(ctx, "alpha", TODAY, body="Miljönämnden")
    ctx.store.record_poll("alpha", NOW, ok=True, next_poll_at=NOW)
    page = TestClient(create_ops_app(ctx.settings, lambda: ctx)).get("/status").text
    assert "Kulturnämnden" in page and "not checked yet" not in page
    with ctx.store.begin() as conn:
        conn.execute(sources.update().values(last_poll_at=None, failures=0))
    page = TestClient(create_ops_app(ctx.settings, lambda: ctx)).get("/status").text
    assert page.count("not checked yet") == 5


def test_status_on_an_unmigrated_database_is_one_line_and_creates_nothing(
    tmp_path: Path,
) -> None:
    db = tmp_path / "never.db"
    path = write_config(tmp_path, f"sqlite:///{db}")
    result = run_cli("status", "--config", str(path))
    assert result.returncode == 2 and result.stdout == b""
    assert result.stderr.decode() == (
        "publisher: error: database not migrated: run publisher migrate\n"
    )
    assert not db.exists()
    # an existing file without the schema (e.g. an empty SQLite file) is refused the same way
    db.write_bytes(b"")
    result = run_cli("status", "--config", str(path), "--json")
    assert result.returncode == 2 and b"database not migrated" in result.stderr
    assert db.stat().st_size == 0


def test_status_json_timestamps_are_iso_8601(tmp_path: Path, contexts: list[Context]) -> None:
    ctx = make_ctx(tmp_path, f"sqlite:///{tmp_path}/p.db", contexts)
    ctx.store.record_poll("alpha", NOW, ok=True, next_poll_at=NOW + timedelta(minutes=15))
    result = run_cli(
        "status", "--json", "--no-broker", "--config", str(tmp_path / "publisher.toml")
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    alpha = by_id(report)["alpha"]
    assert alpha["last_poll_at"] == "2025-06-01T10:00:00+00:00"
    assert alpha["next_poll_at"] == "2025-06-01T10:15:00+00:00"
    assert datetime.fromisoformat(report["now"]).tzinfo is not None and "T" in report["now"]
