"""``/metrics`` after a real pipeline pass, parsed back with prometheus_client's parser."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from publisher import jobs, metrics, settings
from publisher.jobs import Context
from publisher.opsweb import create_ops_app
from publisher.store import Store

from .conftest import run_cli
from .pipeline import (
    Pipeline,
    RedisServer,
    local_today,
    protocol_html,
    publication_rows,
    redis_server,  # noqa: F401 - fixture
    wait_until,
)
from .test_admin import NOW, write_config

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(ctx: Context) -> Samples:
    client = TestClient(create_ops_app(ctx.settings, lambda: ctx))
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


@pytest.fixture
def contexts() -> Iterator[list[Context]]:
    made: list[Context] = []
    yield made
    for ctx in made:
        ctx.store.dispose()


def test_metrics_after_a_real_pipeline_pass(
    tmp_path: Path, database_url: str, contexts: list[Context]
) -> None:
    path = write_config(tmp_path, database_url)
    broken = tmp_path / "drop" / "trasig.html"
    broken.write_bytes(b"<html><body><p>Inget protokoll h\xc3\xa4r.</p></body></html>")
    old = (NOW - timedelta(days=1)).timestamp()
    os.utime(broken, (old, old))  # settled: the directory source skips files being written
    ctx = jobs.open_context(settings.load(path, env={}), migrate=True, now=NOW)
    contexts.append(ctx)

    report = jobs.build(ctx, all_sources=True)
    assert len(report.released) == 2 and report.rendered
    # a second pass: nothing changed, every document answers "not modified"
    again = Context(ctx.settings, ctx.store, fixed_now=NOW + timedelta(minutes=15))
    jobs.build(again, all_sources=True)

    s = scrape(ctx)
    assert value(s, "publisher_database_up") == 1
    assert value(s, "publisher_polls_total", source="drop", outcome="new_documents") == 1
    assert value(s, "publisher_polls_total", source="drop", outcome="no_change") == 1
    assert value(s, "publisher_poll_duration_seconds_count", source="drop") == 2
    assert value(s, "publisher_poll_duration_seconds_bucket", source="drop", le="+Inf") == 2
    assert value(s, "publisher_poll_duration_seconds_sum", source="drop") > 0
    buckets = [
        v
        for (name, labels), v in s.items()
        if name == "publisher_poll_duration_seconds_bucket" and ("source", "drop") in labels
    ]
    assert buckets == sorted(buckets)  # cumulative
    assert value(s, "publisher_document_responses_total", source="drop", result="fetched") == 4
    assert value(s, "publisher_document_responses_total", source="drop", result="not_modified") == 4
    assert value(s, "publisher_not_modified_ratio", source="drop") == 0.5

    dead = ctx.store.dead_letters()
    assert len(dead) == 1
    reason = dead[0]["error_reason"]
    assert value(s, "publisher_extraction_errors_total", reason=reason) == 1
    assert value(s, "publisher_dead_letters", reason=reason) == 1

    assert value(s, "publisher_publications_released_total") == 2
    assert value(s, "publisher_publications", state="published") == 2
    assert value(s, "publisher_publications", state="pending") == 1
    assert value(s, "publisher_pending_publications") == 1
    assert value(s, "publisher_publish_lag_seconds_count") == 2
    # released at NOW, due two days after approval (13 and 17 June): days late, not minutes
    assert value(s, "publisher_publish_lag_seconds_sum") > 86400
    assert value(s, "publisher_oldest_due_seconds") == 0

    assert value(s, "publisher_feeds_rendered_total") >= 1
    assert value(s, "publisher_meetings_rendered_total") == 2
    assert value(s, "publisher_render_backlog") == 0
    assert value(
        s, "publisher_source_last_success_timestamp_seconds", source="drop"
    ) == pytest.approx((NOW + timedelta(minutes=15)).timestamp())
    assert value(s, "publisher_source_consecutive_failures", source="drop") == 0
    assert value(s, "publisher_source_stale", source="drop") == 0


def test_failed_polls_are_counted_by_outcome(tmp_path: Path, contexts: list[Context]) -> None:
    path = write_config(tmp_path, f"sqlite:///{tmp_path}/p.db")
    ctx = jobs.open_context(settings.load(path, env={}), migrate=True, now=NOW)
    contexts.append(ctx)
    (tmp_path / "drop").rename(tmp_path / "moved")
    jobs.poll_source(ctx, "drop")
    s = scrape(ctx)
    polls = {
        dict(labels)["outcome"]: v
        for (name, labels), v in s.items()
        if name == "publisher_polls_total"
    }
    # a missing directory is a configuration error that will not fix itself
    assert polls == {"permanent_error": 1}
    assert value(s, "publisher_source_consecutive_failures", source="drop") == 1
    assert ("publisher_source_last_success_timestamp_seconds", (("source", "drop"),)) not in s


def test_an_unreachable_database_is_a_gauge_not_a_500(tmp_path: Path) -> None:
    from .pipeline import free_port

    store = Store(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing")
    collector = metrics.PipelineCollector(lambda: store, lambda: ["x"], lambda: NOW)
    text = metrics.exposition(metrics.registry_for(collector)).decode()
    families = {f.name: f for f in text_string_to_metric_families(text)}
    assert families["publisher_database_up"].samples[0].value == 0
    assert "publisher_polls" not in families
    store.dispose()


def test_counters_survive_and_add_up_across_stores(tmp_path: Path) -> None:
    """Two processes (here: two engines) adding to the same counters."""
    url = f"sqlite:///{tmp_path}/m.db"
    first, second = Store(url), Store(url)
    first.migrate()
    for store in (first, second, first):
        metrics.record_poll(store, "s", "no_change", 0.3, not_modified=2)
    metrics.record_render(second, 5)
    collector = metrics.PipelineCollector(lambda: first, lambda: ["s"], lambda: NOW)
    text = metrics.exposition(metrics.registry_for(collector)).decode()
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for f in text_string_to_metric_families(text)
        for s in f.samples
    }
    assert value(samples, "publisher_polls_total", source="s", outcome="no_change") == 3
    assert value(samples, "publisher_poll_duration_seconds_bucket", source="s", le="0.25") == 0
    assert value(samples, "publisher_poll_duration_seconds_bucket", source="s", le="0.5") == 3
    assert value(samples, "publisher_meetings_rendered_total") == 5
    first.dispose()
    second.dispose()


def test_recording_without_the_table_never_raises(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path}/empty.db")  # not migrated
    metrics.record_poll(store, "s", "no_change", 0.1)
    metrics.record_render(store, 1)
    store.dispose()


# --------------------------------------------------------------------------- real workers


@pytest.fixture
def pipeline(tmp_path: Path, redis_server: RedisServer) -> Iterator[Pipeline]:  # noqa: F811
    redis_server.client().flushall()
    p = Pipeline(root=tmp_path, redis=redis_server)
    yield p
    p.stop_all()


@pytest.mark.slow
def test_work_done_in_celery_workers_shows_in_status_and_metrics(pipeline: Pipeline) -> None:
    """The counters a worker process records are what this process scrapes; the CLI sees
    the live worker and the queue; /readyz sees database and broker."""
    pipeline.write_config()
    today = local_today()
    pipeline.add("sn.html", protocol_html(today - timedelta(days=2), today - timedelta(days=1)))
    old = time.time() - 3600
    os.utime(pipeline.drop / "sn.html", (old, old))
    pipeline.start_worker("opsworker")
    pipeline.start_beat()
    store = pipeline.store()
    try:
        wait_until(
            lambda: any(r["state"] == "published" for r in publication_rows(store)),
            60,
            "the protocol to be published by the workers",
            pipeline,
        )
        ctx = jobs.open_context(settings.load(pipeline.config, env={}))
        wait_until(lambda: store.unrendered() == [], 30, "the render", pipeline)
        s = scrape(ctx)
        assert value(s, "publisher_polls_total", source="drop", outcome="new_documents") >= 1
        assert value(s, "publisher_publications_released_total") == 1
        assert value(s, "publisher_meetings_rendered_total") >= 1

        client = TestClient(create_ops_app(ctx.settings, lambda: ctx))
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"database": "ok", "broker": "ok"}

        report = wait_until(
            lambda: (
                r
                if (
                    r := json.loads(
                        run_cli("status", "--json", "--config", str(pipeline.config)).stdout
                    )
                )["broker"]["workers"]
                else None
            ),
            30,
            "the worker to answer a ping",
            pipeline,
        )
        assert any(name.startswith("opsworker@") for name in report["broker"]["workers"])
        assert isinstance(report["broker"]["queue_length"], int)
        ctx.store.dispose()
    finally:
        store.dispose()


def test_readyz_names_what_is_unreachable(tmp_path: Path, contexts: list[Context]) -> None:
    from .pipeline import free_port

    path = write_config(tmp_path, f"sqlite:///{tmp_path}/p.db")
    config = settings.load(path, env={"PUBLISHER_BROKER_URL": f"redis://127.0.0.1:{free_port()}/0"})
    ctx = jobs.open_context(config, migrate=True, now=NOW)
    contexts.append(ctx)
    client = TestClient(create_ops_app(ctx.settings, lambda: ctx))
    assert client.get("/healthz").json() == {"status": "ok"}
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["broker"]
    assert response.json()["checks"]["database"] == "ok"

    down = Context(
        ctx.settings,
        Store(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing"),
        fixed_now=NOW,
    )
    contexts.append(down)
    response = TestClient(create_ops_app(ctx.settings, lambda: down)).get("/readyz")
    assert response.status_code == 503 and response.json()["failed"] == ["broker", "database"]


def test_celery_events_are_on_for_flower() -> None:
    from celery import Celery

    from workers.celery_app import configure

    app = Celery("events-probe")  # not the global app other tests import
    configure(app, settings.Settings(broker_url="memory://"))
    assert app.conf.worker_send_task_events is True
    assert app.conf.task_send_sent_event is True


# --------------------------------------------------------------------------- HTTP requests


class _Board:
    """A local web server with one protocol page answering conditional requests, and a 404."""

    def __init__(self) -> None:
        import http.server
        import threading

        from .pipeline import free_port

        body = (Path(__file__).resolve().parents[1] / "examples" / "protocols").glob("*.html")
        page = sorted(body)[0].read_bytes()
        etag = '"v1"'

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                if self.path != "/p.html":
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args: object) -> None:
                pass

        self.port = free_port()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_http_requests_are_counted_by_outcome_with_their_own_latency(
    tmp_path: Path, contexts: list[Context]
) -> None:
    """Per request: 200, then 304 (conditional), and a 404; latency without politeness."""
    board = _Board()
    try:
        base = f"http://127.0.0.1:{board.port}"
        config = tmp_path / "publisher.toml"
        config.write_text(
            f"""
[publisher]
database_url = "sqlite:///{tmp_path}/p.db"
output_dir = "public"

[[sources]]
id = "web"
kind = "url"
url = "{base}/p.html"
politeness = 1.5

[[sources]]
id = "gone"
kind = "url"
url = "{base}/missing.html"
politeness = 0
""",
            "utf-8",
        )
        ctx = jobs.open_context(settings.load(config, env={}), migrate=True, now=NOW)
        contexts.append(ctx)
        jobs.poll_source(ctx, "web")  # 200
        jobs.poll_source(ctx, "web")  # 304, after a polite wait of 1.5 s
        jobs.poll_source(ctx, "gone")  # 404
    finally:
        board.close()
    s = scrape(ctx)
    assert value(s, "publisher_http_requests_total", source="web", outcome="ok") == 1
    assert value(s, "publisher_http_requests_total", source="web", outcome="not_modified") == 1
    assert value(s, "publisher_http_requests_total", source="gone", outcome="client_error") == 1
    assert value(s, "publisher_polls_total", source="gone", outcome="permanent_error") == 1
    assert value(s, "publisher_http_request_duration_seconds_count", source="web") == 2
    assert value(s, "publisher_http_request_duration_seconds_bucket", source="web", le="+Inf") == 2
    assert value(s, "publisher_http_request_duration_seconds_bucket", source="web", le="1.0") == 2
    # the poll waited for politeness; the requests themselves were quick
    assert value(s, "publisher_poll_duration_seconds_sum", source="web") >= 1.4
    assert value(s, "publisher_http_request_duration_seconds_sum", source="web") < 1.0
    assert value(s, "publisher_document_responses_total", source="web", result="not_modified") == 1


def test_readyz_probes_an_amqp_broker(tmp_path: Path, contexts: list[Context]) -> None:
    """RabbitMQ on 127.0.0.1:5672 (guest/guest): ready; a closed port: 503 naming the broker."""
    from .pipeline import free_port

    path = write_config(tmp_path, f"sqlite:///{tmp_path}/p.db")
    for url, code, state in (
        ("amqp://guest:guest@127.0.0.1:5672//", 200, "ok"),
        (f"amqp://guest:guest@127.0.0.1:{free_port()}//", 503, "unreachable"),
    ):
        config = settings.load(path, env={"PUBLISHER_BROKER_URL": url})
        ctx = jobs.open_context(config, migrate=True, now=NOW)
        contexts.append(ctx)
        started = time.monotonic()
        response = TestClient(create_ops_app(ctx.settings, lambda c=ctx: c)).get("/readyz")
        assert time.monotonic() - started < 10
        assert response.status_code == code, response.text
        assert response.json()["checks"] == {"database": "ok", "broker": state}


def test_admin_status_json_timestamps_are_iso_8601(tmp_path: Path, contexts: list[Context]) -> None:
    from .test_admin import AUTH

    path = write_config(tmp_path, f"sqlite:///{tmp_path}/p.db")
    ctx = jobs.open_context(settings.load(path, env={}), migrate=True, now=NOW)
    contexts.append(ctx)
    jobs.build(ctx, all_sources=True)
    client = TestClient(create_ops_app(ctx.settings, lambda: ctx))
    report = client.get("/admin/status", headers=AUTH).json()
    assert report["now"] == "2024-06-21T12:00:00+00:00"
    assert report["sources"][0]["last_poll_at"] == "2024-06-21T12:00:00+00:00"
    public = client.get("/status.json").json()
    assert all("T" in b["last_published_at"] for b in public["bodies"] if b["last_published_at"])
