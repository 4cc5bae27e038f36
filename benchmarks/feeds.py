"""Feed rendering cost against the size of history.

Renders one body's outputs after one new meeting is published, once over a small history and
once over a large one (100 vs 100 000 historical decision items by default), seeded with bulk
inserts straight into the tables the renderer reads (meetings, items, publications and the
feed log, built with the renderer's own snapshot functions). The incremental renderer reads
only the newest rows of each feed, so the two times should be close (target: ratio <= 1.5).

    .venv/bin/python benchmarks/feeds.py [--small 100] [--large 100000] [--repeat 5]

If ``benchmarks/feeds_http.py`` exists (the HTTP serving benchmark), ``main`` runs it too and
prints its figures.
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


from feeds.entries import decision_snapshots, meeting_snapshot  # noqa: E402
from feeds.render import render_changed  # noqa: E402
from publisher.lifecycle import protocol_json  # noqa: E402
from publisher.model import (  # noqa: E402
    Body,
    Item,
    Meeting,
    Outcome,
    Protocol,
    ProtocolState,
    Status,
    Votes,
)
from publisher.settings import Settings, SourceConfig  # noqa: E402
from publisher.store import Store, feed_log, feeds, items, meetings, publications  # noqa: E402

ITEMS_PER_MEETING = 10
START = datetime(2020, 1, 1, 12, 0, tzinfo=UTC)
OUTCOMES = list(Outcome)


def make_protocol(
    body: str, day: date, n_items: int, seq: int, title: str | None = None
) -> Protocol:
    """A plausible approved protocol: every fourth item confidential, some with a vote."""
    made = []
    for i in range(n_items):
        public = i % 4 != 3
        made.append(
            Item(
                number=f"§ {seq * n_items + i + 1}",
                title=(title or f"Ärende {i + 1} om förskola och skola") if public else None,
                case_number=f"DNR 2024/{seq}-{i}" if public else None,
                decision=f"Nämnden beslutar i ärende {i + 1}." if public else None,
                outcome=OUTCOMES[i % len(OUTCOMES)] if public else Outcome.OTHER,
                votes=Votes(yes=7, no=4, abstain=0) if public and i % 5 == 0 else None,
                public=public,
            )
        )
    return Protocol(
        format="sv-html",
        body=Body(name=body),
        meeting=Meeting(title=f"{body} sammanträde {day.isoformat()}", date=day),
        protocol=ProtocolState(status=Status.APPROVED, approved_at=day + timedelta(days=3)),
        items=tuple(made),
        language="sv",
    )


def meeting_rows(
    source_id: str, protocol: Protocol, mid: str, published: datetime, version: int = 1
) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]:
    from publisher.text import slugify

    text = protocol_json(protocol)
    meeting = {
        "id": mid,
        "source_id": source_id,
        "natural_key": mid,
        "document_key": f"{mid}.html",
        "body_name": protocol.body.name,
        "body_slug": slugify(protocol.body.name),
        "meeting_date": protocol.meeting.date,
        "meeting_start": None,
        "title": protocol.meeting.title,
        "status": "approved",
        "approved_at": protocol.protocol.approved_at,
        "posted_at": None,
        "language": protocol.language,
        "version": version,
        "content_hash": mid,
        "protocol": text,
        "created_at": published,
        "updated_at": published,
        "gone_at": None,
    }
    item_rows = [
        {
            "meeting_id": mid,
            "position": pos,
            "number": item.number,
            "title": item.title,
            "case_number": item.case_number,
            "outcome": item.outcome.value,
            "public": item.public,
        }
        for pos, item in enumerate(protocol.items)
    ]
    publication = {
        "meeting_id": mid,
        "state": "published",
        "version": version,
        "due_at": published,
        "published_at": published,
        "first_published_at": published,
        "published_version": version,
        "needs_render": True,
        "updated_at": published,
    }
    return meeting, item_rows, publication


def seed_history(
    store: Store,
    *,
    source_id: str = "bench",
    body: str = "Socialnämnden",
    meetings_count: int,
    items_per_meeting: int = ITEMS_PER_MEETING,
    start: datetime = START,
    rendered: bool = True,
) -> list[str]:
    """Insert ``meetings_count`` published meetings of one body with bulk inserts; when
    ``rendered``, also their feed-log rows exactly as the renderer would have appended them.
    Returns the meeting ids, oldest first."""
    from publisher.text import slugify

    slug = slugify(body)
    ids: list[str] = []
    m_rows, i_rows, p_rows = [], [], []
    log_rows: dict[str, list[dict[str, Any]]] = {
        "all": [],
        f"body:{slug}": [],
        f"decisions:{slug}": [],
    }
    tick = timedelta(microseconds=1)
    decision_at = start
    for n in range(meetings_count):
        mid = f"{source_id}-{n:08d}"
        published = start + timedelta(hours=n)
        day = date(2029, 12, 31) - timedelta(days=meetings_count - 1 - n)  # before any new one
        protocol = make_protocol(body, day, items_per_meeting, n)
        meeting, its_items, publication = meeting_rows(source_id, protocol, mid, published)
        publication["needs_render"] = not rendered
        m_rows.append(meeting)
        i_rows.extend(its_items)
        p_rows.append(publication)
        ids.append(mid)
        if not rendered:
            continue
        row = {**meeting, **publication, "publication_state": "published"}
        stored = json.loads(meeting["protocol"])
        snapshot = meeting_snapshot(row, stored, "sv", None)
        entry = {
            "entry_key": mid,
            "meeting_id": mid,
            "kind": "entry",
            "at": published,
            "data": json.dumps({**snapshot, "updated": published.isoformat()}),
        }
        log_rows["all"].append(entry)
        log_rows[f"body:{slug}"].append(entry)
        for key, data in decision_snapshots(row, stored, "sv", None):
            decision_at = max(published, decision_at + tick)
            log_rows[f"decisions:{slug}"].append(
                {
                    "entry_key": key,
                    "meeting_id": mid,
                    "kind": "entry",
                    "at": decision_at,
                    "data": json.dumps({**data, "updated": decision_at.isoformat()}),
                }
            )
    with store.begin() as conn:
        for table, rows in ((meetings, m_rows), (items, i_rows), (publications, p_rows)):
            for chunk in range(0, len(rows), 5000):
                conn.execute(table.insert(), rows[chunk : chunk + 5000])
        if rendered:
            for name, rows in log_rows.items():
                kind = name.split(":")[0]
                conn.execute(
                    feeds.insert().values(
                        name=name,
                        kind=kind,
                        body_slug=None if kind == "all" else slug,
                        body_name=None if kind == "all" else body,
                        language="sv",
                        length=len(rows),
                        updated_at=rows[-1]["at"] if rows else None,
                    )
                )
                positioned = [{"feed": name, "position": i, **r} for i, r in enumerate(rows)]
                for chunk in range(0, len(positioned), 5000):
                    conn.execute(feed_log.insert(), positioned[chunk : chunk + 5000])
    return ids


def publish_one(store: Store, *, source_id: str, body: str, n: int, at: datetime) -> str:
    """Insert one newly published meeting (as the release sweep leaves it)."""
    mid = f"{source_id}-new-{n:06d}"
    protocol = make_protocol(body, date(2030, 1, 1) + timedelta(days=n), ITEMS_PER_MEETING, n)
    meeting, its_items, publication = meeting_rows(source_id, protocol, mid, at)
    with store.begin() as conn:
        conn.execute(meetings.insert(), [meeting])
        conn.execute(items.insert(), its_items)
        conn.execute(publications.insert(), [publication])
    return mid


def bench_settings(workdir: Path) -> Settings:
    return Settings(
        organization="Benchmark kommun",
        base_url="https://example.org/",
        output_dir=workdir / "out",
        database_url=f"sqlite:///{workdir}/bench.db",
        sources=(SourceConfig(id="bench", kind="directory", path=workdir),),
    )


class History:
    """One seeded database with its settings, ready to publish and render one more meeting."""

    def __init__(self, workdir: Path, history_items: int, items_per_meeting: int) -> None:
        self.settings = bench_settings(workdir)
        self.store = Store(self.settings.database_url)
        self.store.migrate()
        self.count = max(1, history_items // items_per_meeting)
        self.items = self.count * items_per_meeting
        started = time.perf_counter()
        ids = seed_history(
            self.store, meetings_count=self.count, items_per_meeting=items_per_meeting
        )
        self.seed_seconds = time.perf_counter() - started
        # write the current outputs once, so the timed renders compare with real files
        render_changed(self.settings, self.store, ids[-1:])
        self.at = START + timedelta(hours=self.count + 1)
        self.n = 0
        self.timings: list[float] = []
        self.written = 0

    def render_one(self) -> None:
        mid = publish_one(self.store, source_id="bench", body="Socialnämnden", n=self.n, at=self.at)
        self.n += 1
        self.at += timedelta(hours=1)
        started = time.perf_counter()
        self.written = len(render_changed(self.settings, self.store, [mid]))
        self.timings.append(time.perf_counter() - started)

    def result(self) -> dict[str, Any]:
        return {
            "history_items": self.items,
            "history_meetings": self.count,
            "seed_seconds": round(self.seed_seconds, 3),
            # best of N: the figure least disturbed by other load on the machine
            "render_seconds": min(self.timings),
            "render_seconds_median": statistics.median(self.timings),
            "files_written_last": self.written,
        }


def render_benchmark(
    small: int = 100, large: int = 100_000, repeat: int = 9, items_per_meeting: int = 2
) -> dict[str, Any]:
    """Render time of one body's outputs after one new meeting, small vs large history.

    With 2 items per meeting the small history (50 meetings) already fills every current
    feed (50 entries), so the ratio measures growth with history alone. With 10 items per
    meeting the small history has only 10 meetings: its feeds are shorter than the window,
    and the ratio then also measures the difference between a 10- and a 50-entry feed."""
    with tempfile.TemporaryDirectory() as tmp:
        runs = [
            History(Path(tmp) / "small", small, items_per_meeting),
            History(Path(tmp) / "large", large, items_per_meeting),
        ]
        # alternate, so load from elsewhere on the machine hits both alike
        for _ in range(repeat):
            for run in runs:
                run.render_one()
        small_result, large_result = (run.result() for run in runs)
        for run in runs:
            run.store.dispose()
    ratio = large_result["render_seconds"] / small_result["render_seconds"]
    return {
        "items_per_meeting": items_per_meeting,
        "small": small_result,
        "large": large_result,
        "ratio": round(ratio, 3),
        "target_ratio": 1.5,
        "ok": ratio <= 1.5,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--small", type=int, default=100, help="historical items, small run")
    parser.add_argument("--large", type=int, default=100_000, help="historical items, large run")
    parser.add_argument("--repeat", type=int, default=9, help="renders per run (best of)")
    parser.add_argument(
        "--items-per-meeting",
        type=int,
        action="append",
        help="decision items per historical meeting (repeatable; default: 2 and 10)",
    )
    args = parser.parse_args(argv)
    for per_meeting in args.items_per_meeting or [2, 10]:
        result = render_benchmark(args.small, args.large, args.repeat, per_meeting)
        print(f"-- {per_meeting} items per historical meeting")
        for name in ("small", "large"):
            r = result[name]
            print(
                f"render one new meeting, {r['history_items']:>7} historical items "
                f"({r['history_meetings']} meetings): {r['render_seconds'] * 1000:6.1f} ms best, "
                f"{r['render_seconds_median'] * 1000:6.1f} ms median "
                f"(seeded in {r['seed_seconds']:.1f} s, {r['files_written_last']} files written)"
            )
        print(f"ratio large/small: {result['ratio']:.2f} (target <= {result['target_ratio']})")
    try:
        http = importlib.import_module("benchmarks.feeds_http")
    except ModuleNotFoundError as exc:
        if exc.name != "benchmarks.feeds_http":
            raise
        print("benchmarks/feeds_http.py not present: HTTP figures skipped")
    else:
        figures = http.http_benchmark()
        for key, value in figures.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
