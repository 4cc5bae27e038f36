"""Test harness for the real pipeline: a private redis-server, real Celery worker and beat
processes, a drop folder, a database, and helpers to write protocols and wait for outcomes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import redis
import sqlalchemy as sa

from publisher.store import Store, events, publications

BIN = Path(sys.executable).parent
TZ = ZoneInfo("Europe/Stockholm")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class RedisServer:
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port)


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A private redis-server on a free port: never the shared one on 6379."""
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = RedisServer(port, process)
    client = server.client()
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    else:
        process.kill()
        pytest.fail("redis-server did not start")
    client.close()
    yield server
    process.terminate()
    process.wait(10)


def protocol_html(
    day: date,
    approved: date | None,
    *,
    body: str = "Socialnämnden",
    title: str = "Budget",
    decision: str = "Socialnämnden godkänner förslaget.",
) -> bytes:
    """A small signed (or, without ``approved``, preliminary) Swedish protocol."""
    if approved:
        signed = f"""
<p>Justeringens plats och tid: Stadshuset {approved.isoformat()}</p>
<h2>Anslag/bevis</h2>
<p>Protokollet är justerat. Justeringen har tillkännagivits genom anslag.</p>
<p>Datum då anslaget sätts upp: {approved.isoformat()}</p>
<p>Datum då anslaget tas ned: {(approved + timedelta(days=22)).isoformat()}</p>"""
        heading = "Protokoll"
    else:
        signed = "<p>Justeringens plats och tid:</p>"
        heading = "Preliminärt protokoll – ej justerat"
    return f"""<!DOCTYPE html>
<html lang="sv"><head><meta charset="utf-8"><title>{heading} {body} {day}</title></head>
<body>
<h1>{heading} {body}</h1>
<p>Sammanträdesdatum: {day.isoformat()}</p>
<p>Plats och tid: Stadshuset, kl. 13.00–15.00</p>
<p>Ordförande: Anna Berg (S)</p>
<p>Justerare: Bo Ek (M)</p>
{signed}
<h2>§ 1 {title}</h2>
<p>Dnr SN {day.year}/{day.toordinal() % 1000}</p>
<h3>Beslut</h3>
<p>{decision}</p>
<h2>§ 2 Placering enligt SoL</h2>
<p>Sekretess enligt 26 kap. 1 § OSL. Ärendet redovisas i särskilt protokoll.</p>
</body></html>
""".encode()


@dataclass
class Pipeline:
    root: Path
    redis: RedisServer
    delay_seconds: int = 0
    delay_from: str = "approved"
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def drop(self) -> Path:
        return self.root / "drop"

    @property
    def output(self) -> Path:
        return self.root / "public"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.root}/publisher.db"

    @property
    def config(self) -> Path:
        return self.root / "publisher.toml"

    def write_config(self) -> None:
        self.drop.mkdir(exist_ok=True)
        self.config.write_text(
            f"""
[publisher]
organization = "Testkommun"
base_url = "http://127.0.0.1:8000/"
output_dir = "public"
database_url = "{self.db_url}"
broker_url = "{self.redis.url}"
sweep_interval = "PT1S"
recover_after = "PT4S"

[[sources]]
id = "drop"
kind = "directory"
path = "drop"
publish_delay = "PT{self.delay_seconds}S"
delay_from = "{self.delay_from}"
poll_interval = "PT1S"
""",
            "utf-8",
        )
        result = subprocess.run(
            [str(BIN / "publisher"), "migrate", "--config", str(self.config)],
            capture_output=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr

    def env(self) -> dict[str, str]:
        return {**os.environ, "PUBLISHER_CONFIG": str(self.config), "PYTHONUNBUFFERED": "1"}

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.root / f"{name}.log").open("ab")
        process = subprocess.Popen(
            [str(BIN / "celery"), "-A", "workers", *args],
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.root,
            start_new_session=True,  # its own process group, so a kill takes its children too
        )
        log.close()
        self.processes[name] = process
        return process

    def start_worker(self, name: str = "worker") -> subprocess.Popen[bytes]:
        return self.start(
            name,
            "worker",
            "--loglevel=INFO",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"{name}@%h",
        )

    def start_beat(self, name: str = "beat") -> subprocess.Popen[bytes]:
        return self.start(
            name, "beat", "--loglevel=INFO", "-s", str(self.root / f"{name}-schedule")
        )

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.processes.pop(name)
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        process.wait(20)

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.kill(name, signal.SIGTERM)

    def store(self) -> Store:
        return Store(self.db_url)

    def add(self, name: str, data: bytes) -> None:
        # write then rename, as a careful municipal export job would
        tmp = self.drop / f".{name}.tmp"
        tmp.write_bytes(data)
        tmp.rename(self.drop / name)

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n" + p.read_text("utf-8", "replace")[-4000:]
            for p in sorted(self.root.glob("*.log"))
        )


def wait_until(
    predicate: Callable[[], Any],
    timeout: float,
    what: str,
    pipeline: Pipeline | None = None,
    interval: float = 0.2,
) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    details = pipeline.logs() if pipeline else ""
    pytest.fail(f"timed out after {timeout}s waiting for {what}\n{details}")


def publication_rows(store: Store) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(publications)).mappings()]


def published_event_counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(events.c.meeting_id, sa.func.count())
            .where(events.c.kind == "published")
            .group_by(events.c.meeting_id)
        ).all()
    return {row[0]: row[1] for row in rows}


def local_today() -> date:
    return datetime.now(TZ).date()


def seconds_since_local_midnight() -> float:
    now = datetime.now(TZ)
    midnight = datetime.combine(now.date(), datetime.min.time(), tzinfo=TZ)
    return (now - midnight).total_seconds()


def utc_now() -> datetime:
    return datetime.now(UTC)
