"""Pipeline figures, measured side by side in one run on this machine.

1. Protocols per second through a real Celery worker (2 processes) on a private redis-server,
   next to no-op Celery tasks through the same worker: ratio target >= 0.5.
2. Cost of one release sweep with 100 vs 100 000 scheduled publications: target <= 1.5x.
3. Lag from ``due_at`` to published (and to the summary file on disk) with a 1 s sweep:
   target <= one sweep interval + 1 s.

    .venv/bin/python benchmarks/pipeline.py [--protocols 300]
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import redis
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from publisher import lifecycle  # noqa: E402
from publisher.store import Store, documents, publications  # noqa: E402
from tests.pipeline import (  # noqa: E402
    BIN,
    free_port,
    local_today,
    protocol_html,
    seconds_since_local_midnight,
)

SWEEP = 1.0


class Bench:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.redis = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(root),
            ],
            stdout=subprocess.DEVNULL,
        )
        self.client = redis.Redis(port=self.port)
        for _ in range(100):
            try:
                self.client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        self.procs: list[subprocess.Popen[bytes]] = []
        self.db_url = f"sqlite:///{root}/publisher.db"

    def config(self, delay_seconds: int = 0) -> Path:
        (self.root / "drop").mkdir(exist_ok=True)
        path = self.root / "publisher.toml"
        path.write_text(f"""
[publisher]
output_dir = "public"
database_url = "{self.db_url}"
broker_url = "redis://127.0.0.1:{self.port}/0"
sweep_interval = "PT{int(SWEEP)}S"

[[sources]]
id = "drop"
kind = "directory"
path = "drop"
publish_delay = "PT{delay_seconds}S"
poll_interval = "PT1S"
""")
        subprocess.run(
            [str(BIN / "publisher"), "migrate", "--config", str(path)],
            check=True,
            capture_output=True,
        )
        return path

    def env(self) -> dict[str, str]:
        return {**os.environ, "PUBLISHER_CONFIG": str(self.root / "publisher.toml")}

    def start(self, *args: str) -> None:
        self.procs.append(
            subprocess.Popen(
                [str(BIN / "celery"), "-A", "workers", *args, "--loglevel=WARNING"],
                env=self.env(),
                cwd=self.root,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )

    def stop(self) -> None:
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            p.wait(30)
        self.procs.clear()

    def drained(self) -> bool:
        return self.client.llen("publisher") == 0 and self.client.hlen("unacked") == 0

    def close(self) -> None:
        self.stop()
        self.redis.terminate()
        self.redis.wait(10)


def wait(predicate, timeout: float = 300.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit("benchmark timed out")
        time.sleep(0.01)


def throughput(bench: Bench, count: int) -> tuple[float, float]:
    """(protocols/s, no-op tasks/s) through the same 2-process worker."""
    bench.config()
    from publisher import settings
    from workers.celery_app import app, configure

    configure(app, settings.load(bench.root / "publisher.toml"))
    store = Store(bench.db_url)
    now = datetime.now(UTC)
    ids = []
    for n in range(count):
        day = date(2020, 1, 1) + timedelta(days=n)
        doc_id, _ = store.add_document(
            "drop", f"p{n}.html", None, protocol_html(day, day + timedelta(days=1)), now
        )
        ids.append(doc_id)
    bench.start("worker", "--concurrency=2", "--without-gossip", "--without-mingle")
    app.send_task("publisher.ping")
    wait(bench.drained)  # worker is up
    time.sleep(1)

    start = time.perf_counter()
    for _ in range(count):
        app.send_task("publisher.ping")
    wait(bench.drained)
    noop = count / (time.perf_counter() - start)

    start = time.perf_counter()
    for doc_id in ids:
        app.send_task("publisher.process_document", args=(doc_id,))
    wait(bench.drained)
    elapsed = time.perf_counter() - start
    with store.engine.connect() as conn:
        done = conn.execute(
            sa.select(sa.func.count())
            .select_from(documents)
            .where(documents.c.state == "extracted")
        ).scalar_one()
    if done != count:
        raise SystemExit(f"only {done} of {count} protocols were extracted")
    bench.stop()
    store.dispose()
    return count / elapsed, noop


def sweep_cost(root: Path, scheduled: int) -> float:
    """Median seconds of one release sweep (claim + render lookup) over `scheduled` rows."""
    db = root / f"sweep-{scheduled}.db"
    store = Store(f"sqlite:///{db}")
    store.migrate()
    now = datetime.now(UTC)
    future = now + timedelta(days=30)
    with store.begin() as conn:
        rows = [
            {
                "meeting_id": f"m{n}",
                "state": "pending",
                "version": 1,
                "due_at": future + timedelta(seconds=n),
                "updated_at": now,
            }
            for n in range(scheduled)
        ]
        conn.execute(publications.insert(), rows)
    timings = []
    for round_ in range(30):
        # each round five publications become due, as in a steady stream
        with store.begin() as conn:
            conn.execute(
                publications.insert(),
                [
                    {
                        "meeting_id": f"due{round_}-{k}",
                        "state": "pending",
                        "version": 1,
                        "due_at": now - timedelta(seconds=1),
                        "updated_at": now,
                    }
                    for k in range(5)
                ],
            )
        start = time.perf_counter()
        released = lifecycle.release_due(store, now)
        store.mark_rendered(store.render_marks(store.unrendered()))
        timings.append(time.perf_counter() - start)
        assert len(released) == 5
    store.dispose()
    return statistics.median(timings)


def lag(bench: Bench, count: int) -> tuple[list[float], list[float]]:
    """Seconds from due_at to published_at and to the summary file's mtime."""
    for p in (bench.root / "drop").glob("*"):
        p.unlink()
    shutil.rmtree(bench.root / "public", ignore_errors=True)
    bench.db_url = f"sqlite:///{bench.root}/publisher.db"
    (bench.root / "publisher.db").unlink(missing_ok=True)
    bench.client.flushall()
    bench.config(delay_seconds=math.ceil(seconds_since_local_midnight()) + 4)
    for n in range(count):
        (bench.root / "drop" / f"p{n}.html").write_bytes(
            protocol_html(date(2021, 1, 1) + timedelta(days=n), local_today())
        )
    bench.start("worker", "--concurrency=2", "--without-gossip", "--without-mingle")
    bench.start("beat", "-s", str(bench.root / "beat-schedule"))
    store = Store(f"sqlite:///{bench.root}/publisher.db")

    def all_rendered() -> bool:
        with store.engine.connect() as conn:
            return (
                conn.execute(
                    sa.select(sa.func.count())
                    .select_from(publications)
                    .where(
                        publications.c.state == "published", publications.c.needs_render.is_(False)
                    )
                ).scalar_one()
                == count
            )

    wait(all_rendered, 120)
    to_published, to_file = [], []
    with store.engine.connect() as conn:
        for row in conn.execute(sa.select(publications)).mappings():
            to_published.append((row["published_at"] - row["due_at"]).total_seconds())
            mtime = (bench.root / "public" / "meetings" / f"{row['meeting_id']}.json").stat()
            to_file.append(
                datetime.fromtimestamp(mtime.st_mtime, UTC).timestamp() - row["due_at"].timestamp()
            )
    bench.stop()
    store.dispose()
    return to_published, to_file


@contextlib.contextmanager
def throwaway_postgres(server_url: str) -> Iterator[str]:
    name = f"publisher_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield server_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--protocols", type=int, default=300)
    parser.add_argument(
        "--postgres",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        help="server for the PostgreSQL throughput run (a throwaway database); '' skips it",
    )
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        bench = Bench(Path(tmp))
        try:
            protocols, noop = throughput(bench, args.protocols)
            ratio = protocols / noop
            ok &= ratio >= 0.5
            print(
                f"throughput: {protocols:8.1f} protocols/s   {noop:8.1f} no-op tasks/s   "
                f"ratio {ratio:.2f} (target >= 0.50)  SQLite"
            )
            if args.postgres:
                with throwaway_postgres(args.postgres) as url:
                    bench.db_url = url
                    bench.client.flushall()
                    protocols, noop = throughput(bench, args.protocols)
                    print(
                        f"throughput: {protocols:8.1f} protocols/s   {noop:8.1f} no-op tasks/s   "
                        f"ratio {protocols / noop:.2f} (target >= 0.50)  PostgreSQL"
                    )
            small = sweep_cost(Path(tmp), 100)
            large = sweep_cost(Path(tmp), 100_000)
            ok &= large / small <= 1.5
            print(
                f"sweep:      {small * 1000:8.2f} ms @ 100     {large * 1000:8.2f} ms @ 100000   "
                f"ratio {large / small:.2f} (target <= 1.50)"
            )
            published, files = lag(bench, 20)
            worst = max(published)
            ok &= worst <= SWEEP + 1
            print(
                f"lag:        due→published max {worst:.2f} s, median "
                f"{statistics.median(published):.2f} s; due→file on disk max {max(files):.2f} s"
                f" (target <= {SWEEP + 1:.1f} s with a {SWEEP:.0f} s sweep)"
            )
        finally:
            bench.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
