"""The feeds as readers see them: built by the real pipeline over real fixtures, then parsed
back with lxml (RELAX NG), jsonschema and feedparser — never compared as strings.
"""

from __future__ import annotations

import dataclasses
import json
import locale
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import feedparser
import jsonschema
import pytest
from lxml import etree

from feeds import formats, i18n, ical
from feeds.entries import Site
from feeds.render import render_all
from feeds.safety import UnsafeOutput, check_output
from feeds.search import render_search, search
from publisher import jobs, lifecycle, schema, settings
from publisher.jobs import Context

from .conftest import FIXTURES, ROOT, SCHEMAS, SV_FIXTURES

ATOM = "{http://www.w3.org/2005/Atom}"
TOMB = "{http://purl.org/atompub/tombstones/1.0}"
FH = "{http://purl.org/syndication/history/1.0}"
T0 = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)
BASE = "https://kommun.example/protokoll/"
PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


# ---------------------------------------------------------------------------------- harness


class Build:
    """A configured instance over drop folders: run the real ``jobs.build`` at chosen times."""

    def __init__(
        self,
        tmp_path: Path,
        sources: str,
        *,
        extra: dict[str, Any] | None = None,
        publisher: str = "",
        database_url: str | None = None,
    ) -> None:
        self.root = tmp_path
        tmp_path.mkdir(parents=True, exist_ok=True)
        self.out = tmp_path / "public"
        db = database_url or f"sqlite:///{tmp_path}/publisher.db"
        text = f"""
[publisher]
organization = "Exempelstads kommun"
base_url = "{BASE}"
output_dir = "{self.out}"
database_url = "{db}"
{publisher}
{sources}
"""
        (tmp_path / "publisher.toml").write_text(text, "utf-8")
        loaded = settings.load(tmp_path / "publisher.toml", env={})
        if extra:
            loaded = dataclasses.replace(loaded, **extra)
        self.ctx: Context = jobs.open_context(loaded, migrate=True, now=T0)

    @property
    def settings(self) -> settings.Settings:
        return self.ctx.settings

    def run(self, now: datetime) -> jobs.BuildReport:
        self.ctx.fixed_now = now
        return jobs.build(self.ctx, all_sources=True)

    def read(self, path: str) -> bytes:
        return (self.out / path).read_bytes()

    def json(self, path: str) -> Any:
        return json.loads(self.read(path))

    def close(self) -> None:
        self.ctx.store.dispose()


def drop_source(folder: Path, source_id: str = "kommun", extra: str = "") -> str:
    return f"""
[[sources]]
id = "{source_id}"
kind = "directory"
path = "{folder}"
{extra}
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A drop folder holding the sample protocols of examples/ and tests/fixtures/sv."""
    path = tmp_path / "drop"
    path.mkdir()
    # bjorkfors-socialnamnden-2024-06-18 is the same meeting (body and date) as the example
    # socialnamnden-2024-06-18: both in one folder would be two versions of one meeting
    samples = [*(ROOT / "examples" / "protocols").glob("*.html"), *SV_FIXTURES.glob("*.html")]
    for src in [p for p in samples if not p.name.startswith("bjorkfors")]:
        shutil.copy2(src, path / src.name)  # keeps the old mtime: "settled" for the source
    return path


_edits = iter(range(10, 10_000))


def edit(path: Path, text: str) -> None:
    """Change a dropped file as an operator would, dated in the (recent) past: the directory
    source leaves files younger than its settle time for the next poll."""
    path.write_text(text, "utf-8")
    past = time.time() - next(_edits)
    os.utime(path, (past, past))


@pytest.fixture
def build(tmp_path: Path, folder: Path) -> Iterator[Build]:
    made = Build(tmp_path, drop_source(folder))
    made.run(T0)
    yield made
    made.close()


def all_files(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def atom_schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(SCHEMAS / "atom.rng")))


@pytest.fixture(scope="module")
def jsonfeed_validator() -> Any:
    data = json.loads((SCHEMAS / "jsonfeed-schema-v1.1.json").read_text("utf-8"))
    cls = jsonschema.validators.validator_for(data)
    return cls(data, format_checker=cls.FORMAT_CHECKER)


def validate_atom(data: bytes, rng: etree.RelaxNG) -> etree._Element:
    doc = etree.fromstring(data, PARSER)
    rng.assertValid(doc)  # tombstones included: RFC 4287 admits foreign-namespace elements
    return doc


def check_feed(
    stem: Path, rng: etree.RelaxNG, validator: Any, *, expect_entries: bool = True
) -> dict[str, Any]:
    """Validate the three formats of one feed and check they agree as a reader sees them."""
    atom_bytes = stem.with_suffix(".atom").read_bytes()
    rss_bytes = stem.with_suffix(".rss").read_bytes()
    feed_json = json.loads(stem.with_suffix(".json").read_bytes())
    doc = validate_atom(atom_bytes, rng)
    validator.validate(feed_json)
    atom = feedparser.parse(atom_bytes)
    rss = feedparser.parse(rss_bytes)
    assert not atom.bozo, atom.get("bozo_exception")
    assert not rss.bozo, rss.get("bozo_exception")
    live = [i for i in feed_json["items"] if not i["_publisher"]["retracted"]]
    if expect_entries:
        assert live
    # ids, titles, links and dates round-trip, in order, in all three formats
    assert [e.id for e in atom.entries] == [i["id"] for i in live]
    assert [e.id for e in rss.entries] == [i["id"] for i in live]
    assert [e.title for e in atom.entries] == [i["title"] for i in live]
    assert [e.title for e in rss.entries] == [i["title"] for i in live]
    assert [e.link for e in atom.entries] == [i["url"] for i in live]
    assert [e.link for e in rss.entries] == [i["url"] for i in live]
    for entry, item in zip(atom.entries, live, strict=True):
        updated = datetime.fromisoformat(item["date_modified"])
        assert entry.updated_parsed[:6] == updated.astimezone(UTC).timetuple()[:6]
        assert entry.tags and entry.tags[0].term  # body category
    for entry, item in zip(rss.entries, live, strict=True):
        published = datetime.fromisoformat(item["date_published"]).astimezone(UTC)
        assert entry.published_parsed[:6] == published.timetuple()[:6]
    ids = [i["id"] for i in feed_json["items"]]
    assert len(ids) == len(set(ids)), "duplicate entry ids"
    stamps = [i["date_modified"] for i in feed_json["items"]]
    assert all(datetime.fromisoformat(s).tzinfo is not None for s in stamps)
    # as a reader sees them: feedparser's dates have second resolution, RSS has only pubDate
    seconds = [datetime.fromisoformat(s).astimezone(UTC).timetuple()[:6] for s in stamps]
    assert len(seconds) == len(set(seconds)), "two entries share an updated second"
    atom_updated = [e.updated_parsed[:6] for e in atom.entries]
    assert len(atom_updated) == len(set(atom_updated)), "two Atom entries share an updated"
    rss_dates = [e.published_parsed[:6] for e in rss.entries]
    assert len(rss_dates) == len(set(rss_dates)), "two RSS items share a pubDate"
    # feed level: self and alternate links, author, language
    rels = {link.get("rel"): link.get("href") for link in doc.findall(f"{ATOM}link")}
    assert rels["self"] == feed_json["feed_url"].replace(".json", ".atom")
    assert rels["alternate"] == BASE
    assert doc.find(f"{ATOM}author/{ATOM}name").text == "Exempelstads kommun"
    assert doc.get("{http://www.w3.org/XML/1998/namespace}lang")
    assert rss.feed.language and atom.feed.author == "Exempelstads kommun"
    assert rss.feed.author == "Exempelstads kommun"  # RSS too (dc:creator)
    assert doc.find(f"{FH}complete") is None
    return feed_json


# ---------------------------------------------------------------------------------- validity


def test_every_rendered_feed_validates_and_round_trips(
    build: Build, atom_schema: etree.RelaxNG, jsonfeed_validator: Any
) -> None:
    stems = sorted({p.with_suffix("") for p in build.out.joinpath("feeds").rglob("*.atom")})
    # the instance feed, and per body its feed and its decisions feed
    bodies = {p.stem for p in build.out.joinpath("feeds").glob("*.atom")} - {"all"}
    assert {"socialnamnden", "kommunstyrelsen", "barn-och-utbildningsnamnden"} <= bodies
    assert len(stems) == 1 + 2 * len(bodies)
    # a decisions feed is empty only for a body without a single public decision
    public = {
        body: any(
            i["_publisher"]["counts"]["public"] for i in build.json(f"feeds/{body}.json")["items"]
        )
        for body in bodies
    }
    assert any(public.values())
    for stem in stems:
        body = stem.parent.name if stem.name == "decisions" else stem.name
        check_feed(stem, atom_schema, jsonfeed_validator, expect_entries=public.get(body, True))


def test_meeting_entry_is_an_in_brief_summary(build: Build) -> None:
    feed = build.json("feeds/socialnamnden.json")
    entries = {i["title"]: i for i in feed["items"]}
    item = entries["Socialnämnden 18 juni 2024 i korthet"]
    html = etree.fromstring(f"<div>{item['content_html']}</div>", etree.HTMLParser())
    decisions = [" ".join(li.itertext()) for li in html.iter("li")]
    assert any(
        "§ 41" in d and "Verksamhetsplan" in d and "bifall" in d and "ja 5" in d for d in decisions
    )
    text = " ".join(html.itertext())
    assert "2 av 5 ärenden omfattades av sekretess." in text
    hrefs = [a.get("href") for a in html.iter("a")]
    assert item["url"] in hrefs  # the per-meeting page
    assert item["_publisher"]["counts"] == {"items": 5, "confidential": 2, "public": 3}
    assert set(item["tags"]) >= {"Socialnämnden", "bifall"}
    page = etree.parse(
        str(build.out / "meetings" / f"{item['_publisher']['meeting_id']}.html"),
        etree.HTMLParser(),
    )
    assert page.getroot().get("lang") == "sv-SE"
    assert page.find(".//h1").text == item["title"]


def test_decision_entries_are_one_public_item_each(build: Build) -> None:
    feed = build.json("feeds/socialnamnden/decisions.json")
    numbers = sorted(i["_publisher"]["number"] for i in feed["items"])
    assert numbers == ["§ 40", "§ 41", "§ 44"]  # § 42 and § 43 are confidential
    votes = {i["_publisher"]["number"]: i["_publisher"]["votes"] for i in feed["items"]}
    assert votes["§ 41"]["yes"] == 5 and votes["§ 41"]["no"] == 2
    assert all(i["id"].startswith("tag:kommun.example,2024:") for i in feed["items"])


def test_rss_rendering_never_switches_the_process_locale(
    build: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    import feedgen.entry
    import feedgen.feed

    def forbidden(_date: Any) -> str:
        raise AssertionError("feedgen switched the process locale to format a date")

    monkeypatch.setattr(feedgen.feed, "formatRFC2822", forbidden)
    monkeypatch.setattr(feedgen.entry, "formatRFC2822", forbidden)
    before = build.read("feeds/all.rss")
    render_all(build.settings, build.ctx.store)
    assert build.read("feeds/all.rss") == before


def swedish_time_locale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Switch LC_TIME to Swedish, compiling the locale with localedef when the machine has
    none installed (glibc reads LOCPATH on every setlocale)."""
    try:
        return locale.setlocale(locale.LC_TIME, "sv_SE.UTF-8")
    except locale.Error:
        pass
    compiled = tmp_path / "locales"
    compiled.mkdir()
    subprocess.run(
        ["localedef", "-i", "sv_SE", "-f", "UTF-8", str(compiled / "sv_SE.UTF-8")],
        check=False,
        capture_output=True,
    )
    monkeypatch.setenv("LOCPATH", str(compiled))
    return locale.setlocale(locale.LC_TIME, "sv_SE.UTF-8")


def test_rss_dates_are_english_rfc822_whatever_the_locale(
    build: Build, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = locale.setlocale(locale.LC_TIME)
    try:
        swedish_time_locale(tmp_path, monkeypatch)
        # the locale really is Swedish: a naive strftime would now write "tor, 01 jan"
        assert time.strftime("%a", time.gmtime(0)) == "tor"
        render_all(build.settings, build.ctx.store)
        rss = etree.fromstring(build.read("feeds/all.rss"), PARSER)
    finally:
        locale.setlocale(locale.LC_TIME, original)
    dates = [e.text for e in rss.iter("pubDate", "lastBuildDate")]
    assert dates
    pattern = re.compile(
        r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
        r" \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$"
    )
    for value in dates:
        assert pattern.match(value), value
        assert parsedate_to_datetime(value).tzinfo is not None


# ---------------------------------------------------------------------------------- summaries


def test_meeting_summaries_and_indexes_validate_against_their_schemas(build: Build) -> None:
    summary = schema.load("summary.schema.json")
    index = schema.load("meeting-index.schema.json")
    cls = jsonschema.validators.validator_for(summary)
    checker = cls.FORMAT_CHECKER
    protocol = cls(schema.protocol_schema(), format_checker=checker)
    summaries = sorted((build.out / "meetings").glob("*-*.json"))
    summaries = [p for p in summaries if not p.name.endswith(".index.json")]
    assert len(summaries) >= 6
    for path in summaries:
        data = json.loads(path.read_bytes())
        cls(summary, format_checker=checker).validate(data)
        protocol.validate(data["protocol"])
        assert data["url"] == BASE + f"meetings/{path.name}"
    for path in (build.out / "meetings").glob("*.index.json"):
        data = json.loads(path.read_bytes())
        cls(index, format_checker=checker).validate(data)
        for meeting in data["meetings"]:
            assert (build.out / "meetings" / f"{meeting['id']}.json").exists()


def test_summary_states_confidential_count_in_plain_words(build: Build) -> None:
    index = build.json("meetings/socialnamnden.index.json")
    first = build.json(f"meetings/{index['meetings'][0]['id']}.json")
    assert first["confidential_text"] == "2 av 5 ärenden omfattades av sekretess."
    assert [d["number"] for d in first["decisions"]] == ["§ 40", "§ 41", "§ 44"]


# ---------------------------------------------------------------------------------- lifecycle


def entry_by_id(feed: dict[str, Any], entry_id: str) -> dict[str, Any]:
    (item,) = [i for i in feed["items"] if i["id"] == entry_id]
    return item


def test_correction_keeps_the_id_and_changes_updated(build: Build, folder: Path) -> None:
    before = build.json("feeds/socialnamnden.json")
    (item,) = [i for i in before["items"] if "18 juni" in i["title"]]
    page = folder / "socialnamnden-2024-06-18.html"
    text = page.read_text("utf-8")
    assert "Verksamhetsplan för äldreomsorgen 2025" in text
    edit(page, text.replace("äldreomsorgen 2025", "äldreomsorgen 2025–2026"))
    later = T0 + timedelta(days=2)
    build.run(later)
    after = build.json("feeds/socialnamnden.json")
    corrected = entry_by_id(after, item["id"])
    assert "2025–2026" in corrected["content_html"]
    assert datetime.fromisoformat(corrected["date_modified"]) == later  # the correction's
    assert corrected["date_published"] == item["date_published"]
    # the corrected entry is the newest in the current feed, once
    assert after["items"][0]["id"] == item["id"]
    assert [i["id"] for i in after["items"]].count(item["id"]) == 1
    decisions = build.json("feeds/socialnamnden/decisions.json")
    (d41,) = [i for i in decisions["items"] if i["_publisher"]["number"] == "§ 41"]
    assert "2025–2026" in d41["title"] and d41["id"].endswith("/41")
    summary = build.json(f"meetings/{item['_publisher']['meeting_id']}.json")
    assert summary["version"] == 2 and summary["updated"] == corrected["date_modified"]


def test_a_decision_removed_by_a_correction_gets_a_tombstone(
    build: Build, folder: Path, atom_schema: etree.RelaxNG
) -> None:
    before = build.json("feeds/socialnamnden/decisions.json")
    (d44,) = [i for i in before["items"] if i["_publisher"]["number"] == "§ 44"]
    page = folder / "socialnamnden-2024-06-18.html"
    text = page.read_text("utf-8")
    start = text.index("<section>\n    <h2>§ 44")
    end = text.index("</section>", start) + len("</section>")
    edit(page, text[:start] + text[end:])
    build.run(T0 + timedelta(days=1))
    doc = validate_atom(build.read("feeds/socialnamnden/decisions.atom"), atom_schema)
    assert [t.get("ref") for t in doc.findall(f"{TOMB}deleted-entry")] == [d44["id"]]
    live = [e.findtext(f"{ATOM}id") for e in doc.findall(f"{ATOM}entry")]
    assert d44["id"] not in live and len(live) == len(before["items"]) - 1
    # the other decisions did not change, so they were not re-announced
    after = build.json("feeds/socialnamnden/decisions.json")
    unchanged = {i["id"]: i["date_modified"] for i in before["items"] if i["id"] != d44["id"]}
    assert {i["id"]: i["date_modified"] for i in after["items"] if i["id"] in unchanged} == (
        unchanged
    )


def test_retraction_gives_a_tombstone(
    build: Build, folder: Path, atom_schema: etree.RelaxNG, jsonfeed_validator: Any
) -> None:
    feed = build.json("feeds/socialnamnden.json")
    (item,) = [i for i in feed["items"] if "18 juni" in i["title"]]
    # an operator retraction (a protocol vanishing from its source within the appeal period
    # takes the same path; lifecycle tests cover that decision)
    gone = T0 + timedelta(days=3)
    meeting_id = item["_publisher"]["meeting_id"]
    assert lifecycle.retract(build.ctx.store, meeting_id, gone, "registrator", "fel protokoll")
    build.run(gone)
    doc = validate_atom(build.read("feeds/socialnamnden.atom"), atom_schema)
    (tomb,) = doc.findall(f"{TOMB}deleted-entry")
    assert tomb.get("ref") == item["id"]
    assert datetime.fromisoformat(tomb.get("when")) >= gone
    assert item["id"] not in [e.findtext(f"{ATOM}id") for e in doc.findall(f"{ATOM}entry")]
    parsed = feedparser.parse(build.read("feeds/socialnamnden.rss"))
    assert item["id"] not in [e.id for e in parsed.entries]
    after = build.json("feeds/socialnamnden.json")
    jsonfeed_validator.validate(after)
    assert entry_by_id(after, item["id"])["_publisher"]["retracted"] is True
    summary = build.json(f"meetings/{item['_publisher']['meeting_id']}.json")
    assert summary["retracted"] is True and summary["protocol"] is None
    assert summary["decisions"] == []
    decisions = validate_atom(build.read("feeds/socialnamnden/decisions.atom"), atom_schema)
    assert len(decisions.findall(f"{TOMB}deleted-entry")) == 3
    instance = validate_atom(build.read("feeds/all.atom"), atom_schema)
    assert [t.get("ref") for t in instance.findall(f"{TOMB}deleted-entry")] == [item["id"]]


def test_ids_survive_a_rebuild_from_scratch(tmp_path: Path, folder: Path) -> None:
    first = Build(tmp_path / "one", drop_source(folder))
    first.run(T0)
    second = Build(tmp_path / "two", drop_source(folder))
    second.run(T0 + timedelta(days=30))  # another database, another clock
    try:
        for path in ("feeds/all.json", "feeds/socialnamnden/decisions.json"):
            ids_one = sorted(i["id"] for i in first.json(path)["items"])
            ids_two = sorted(i["id"] for i in second.json(path)["items"])
            assert ids_one == ids_two
    finally:
        first.close()
        second.close()


# ---------------------------------------------------------------------------------- archives


def test_history_is_complete_through_archive_pages(
    tmp_path: Path, folder: Path, atom_schema: etree.RelaxNG, jsonfeed_validator: Any
) -> None:
    from benchmarks.feeds import publish_one, seed_history

    made = Build(tmp_path, drop_source(folder), extra={"feed_entries": 4, "archive_page_size": 4})
    try:
        store = made.ctx.store
        ids = seed_history(store, source_id="kommun", meetings_count=9, rendered=False)
        jobs.render(made.ctx)  # renders the 9 meetings in one go
        current = feedparser.parse(made.read("feeds/socialnamnden.atom"))
        links = {link.rel: link.href for link in current.feed.links}
        assert links["prev-archive"].endswith("feeds/archive/socialnamnden/1.atom")
        assert "next-archive" not in links
        current_json = json.loads(made.read("feeds/socialnamnden.json"))
        assert current_json["next_url"].endswith("feeds/archive/socialnamnden/1.json")
        seen: list[str] = [e.id for e in current.entries]
        href: str | None = links["prev-archive"]
        pages = 0
        while href:
            path = made.out / href.removeprefix(BASE)
            doc = validate_atom(path.read_bytes(), atom_schema)
            assert doc.find(f"{FH}archive") is not None
            jsonfeed_validator.validate(json.loads(path.with_suffix(".json").read_bytes()))
            rels = {e.get("rel"): e.get("href") for e in doc.findall(f"{ATOM}link")}
            assert rels["current"] == BASE + "feeds/socialnamnden.atom"
            seen.extend(e.findtext(f"{ATOM}id") for e in doc.findall(f"{ATOM}entry"))
            href = rels.get("prev-archive")
            pages += 1
        assert pages == 2
        site = Site.from_settings(made.settings)
        assert {site.tag(i) for i in ids} <= set(seen)
        # one more meeting: only the current documents and the page it fills are written
        archive = made.out / "feeds" / "archive" / "socialnamnden"
        before = {p: p.stat().st_mtime_ns for p in archive.rglob("*.*")}
        new = [
            publish_one(
                store, source_id="kommun", body="Socialnämnden", n=n, at=T0 + timedelta(days=n)
            )
            for n in range(1, 4)
        ]

        def body_archives(written: list[str]) -> list[str]:
            return sorted(
                p.removeprefix(f"{made.out}/")
                for p in written
                if "/archive/socialnamnden/" in p and "/decisions/" not in p
            )

        assert body_archives(made_render(made, new[:1])) == []
        assert body_archives(made_render(made, new[1:2])) == []
        # the 12th entry fills page 2, which appears, and page 1 gains its next-archive link
        assert body_archives(made_render(made, new[2:3])) == sorted(
            f"feeds/archive/socialnamnden/{n}.{fmt}"
            for n in (1, 2)
            for fmt in ("atom", "json", "rss")
        )
        page0 = archive / "0.atom"
        assert page0.stat().st_mtime_ns == before[page0]  # full pages are immutable
        page1 = etree.fromstring((archive / "1.atom").read_bytes(), PARSER)
        rels = {e.get("rel"): e.get("href") for e in page1.findall(f"{ATOM}link")}
        assert rels["next-archive"].endswith("/2.atom")
    finally:
        made.close()


def made_render(made: Build, ids: list[str]) -> list[str]:
    from feeds.render import render_changed

    return render_changed(made.settings, made.ctx.store, ids)


# ---------------------------------------------------------------------------------- writing


def snapshot(out: Path) -> dict[Path, tuple[int, int]]:
    return {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in all_files(out)}


def test_a_second_build_rewrites_no_file(build: Build) -> None:
    before = snapshot(build.out)
    assert len(before) > 20
    report = build.run(T0 + timedelta(hours=1))
    assert report.rendered == []
    render_all(build.settings, build.ctx.store)  # even re-rendering everything changes nothing
    assert snapshot(build.out) == before


def test_a_reader_never_sees_a_partial_file(build: Build, folder: Path) -> None:
    targets = [build.out / p for p in ("feeds/all.atom", "feeds/all.json", "feeds/all.rss")]
    stop = threading.Event()
    reads: list[int] = []
    failures: list[str] = []

    def reader() -> None:
        while not stop.is_set():
            for target in targets:
                data = target.read_bytes()
                try:
                    if target.suffix == ".json":
                        json.loads(data)
                    else:
                        etree.fromstring(data, PARSER)
                except (ValueError, etree.XMLSyntaxError) as exc:
                    failures.append(f"{target.name}: {exc}")
                reads.append(len(data))

    thread = threading.Thread(target=reader)
    thread.start()
    page = folder / "socialnamnden-2024-06-18.html"
    original = page.read_text("utf-8")
    try:
        for n in range(6):
            edit(page, original.replace("äldreomsorgen 2025", f"äldreomsorgen 202{n}"))
            build.run(T0 + timedelta(days=n + 1))
    finally:
        stop.set()
        thread.join()
    assert not failures
    assert len(reads) > 10 and len(set(reads)) > 1  # it read while the files changed


# ---------------------------------------------------------------------------------- websub


def test_websub_hub_is_linked_and_pinged_after_the_file_is_visible(
    tmp_path: Path, folder: Path
) -> None:
    pings: list[tuple[str, bool]] = []
    out = tmp_path / "public"

    class Hub(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

        def do_POST(self) -> None:  # noqa: N802 - stdlib name
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            form = parse_qs(body)
            url = form["hub.url"][0]
            path = out / url.removeprefix(BASE)
            visible = form["hub.mode"] == ["publish"] and path.exists()
            if visible and path.suffix == ".json":
                json.loads(path.read_bytes())
            pings.append((url, visible))
            self.send_response(204)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hub = f"http://127.0.0.1:{server.server_port}/hub"
    made = Build(tmp_path, drop_source(folder), publisher=f'websub_hub = "{hub}"')
    try:
        made.run(T0)
        urls = {url for url, _ in pings}
        assert BASE + "feeds/all.atom" in urls and BASE + "feeds/socialnamnden.json" in urls
        assert all(visible for _, visible in pings)
        doc = feedparser.parse(made.read("feeds/all.atom"))
        assert {"hub": hub}.items() <= {ln.rel: ln.href for ln in doc.feed.links}.items()
        rss = etree.fromstring(made.read("feeds/all.rss"), PARSER)
        assert hub in [e.get("href") for e in rss.iter(f"{ATOM}link") if e.get("rel") == "hub"]
        assert made.json("feeds/all.json")["hubs"] == [{"type": "WebSub", "url": hub}]
        pings.clear()
        made.run(T0 + timedelta(hours=1))
        assert pings == []  # nothing changed, nothing to announce
    finally:
        made.close()
        server.shutdown()
        server.server_close()


def test_websub_ping_failure_is_logged_not_raised(tmp_path: Path, folder: Path) -> None:
    made = Build(tmp_path, drop_source(folder), publisher='websub_hub = "http://127.0.0.1:9/hub"')
    try:
        made.run(T0)
        assert (made.out / "feeds" / "all.atom").exists()
    finally:
        made.close()


# ---------------------------------------------------------------------------------- search


def test_search_finds_words_bodies_and_outcomes(
    build: Build, atom_schema: etree.RelaxNG, jsonfeed_validator: Any
) -> None:
    store, config = build.ctx.store, build.settings
    found = search(store, config, q="äldreomsorgen")
    assert [e.title for e in found] == ["§ 41 Verksamhetsplan för äldreomsorgen 2025"]
    assert search(store, config, q="ÄLDREOMSORGEN")[0].id == found[0].id
    decisions = build.json("feeds/socialnamnden/decisions.json")
    assert found[0].id in {i["id"] for i in decisions["items"]}
    assert search(store, config, q="äldreomsorgen", body="kommunstyrelsen") == []
    by_body = search(store, config, body="socialnamnden", limit=100)
    assert {e.extension["body"]["slug"] for e in by_body} == {"socialnamnden"}
    approved = search(store, config, outcome="approved", limit=200)
    assert approved and all(e.extension["outcome"] == "approved" for e in approved)
    assert search(store, config, outcome="nonsense") == []
    assert len(search(store, config, limit=2)) == 2
    for fmt, media_type in formats.MEDIA_TYPES.items():
        data, returned = render_search(store, config, q="äldreomsorgen", fmt=fmt)
        assert returned == media_type
        if fmt == "json":
            jsonfeed_validator.validate(json.loads(data))
            assert [i["id"] for i in json.loads(data)["items"]] == [found[0].id]
            continue
        parsed = feedparser.parse(data)
        assert not parsed.bozo and [e.id for e in parsed.entries] == [found[0].id]
        if fmt == "atom":
            validate_atom(data, atom_schema)


def test_search_never_matches_confidential_items(build: Build) -> None:
    # the withheld titles are not in the database at all; a search for secrecy words finds
    # no item, and every hit is public
    for word in ("sekretess", "OSL"):
        assert search(build.ctx.store, build.settings, q=word) == []


# ---------------------------------------------------------------------------------- calendar


def unfold(data: bytes) -> list[str]:
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")


def test_calendar_is_rfc5545(build: Build) -> None:
    data = build.read("calendar/kommunstyrelsen.ics")
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    lines = unfold(data) + unfold(build.read("calendar/socialnamnden.ics"))
    assert lines[0] == "BEGIN:VCALENDAR" and "END:VCALENDAR" in lines
    events = sum(line == "BEGIN:VEVENT" for line in lines)
    assert events >= 3
    uids = [line for line in lines if line.startswith("UID:")]
    assert len(uids) == events == len(set(uids))
    assert all(line.endswith("@kommun.example") for line in uids)
    assert sum(line.startswith("DTSTAMP:") for line in lines) == events
    starts = [line for line in lines if line.startswith("DTSTART")]
    assert all(re.match(r"DTSTART(:\d{8}T\d{6}Z|;VALUE=DATE:\d{8})$", s) for s in starts)
    assert "LOCATION:Rådhuset\\, Sessionssalen" in lines
    urls = [line.split(":", 1)[1] for line in lines if line.startswith("URL")]
    assert urls and all((build.out / u.removeprefix(BASE)).exists() for u in urls)


def test_ical_folding_and_escaping() -> None:
    line = "DESCRIPTION:" + ical.escape("Rådhuset; sal 2, plan 3\nTakvåning\\" + "å" * 80)
    folded = ical.fold(line)
    assert all(len(part) <= 75 for part in folded.split(b"\r\n"))
    assert folded.decode("utf-8").replace("\r\n ", "").rstrip("\r\n") == line
    assert "\\;" in line and "\\," in line and "\\n" in line and "\\\\" in line


# ---------------------------------------------------------------------------------- indexes


def test_index_files_list_every_feed(build: Build) -> None:
    index = build.json("feeds/index.json")
    names = {f["name"] for f in index["feeds"]}
    assert {"all", "body:socialnamnden", "decisions:socialnamnden"} <= names
    for feed in index["feeds"]:
        for fmt in feed["formats"].values():
            assert (build.out / fmt["url"].removeprefix(BASE)).exists(), fmt["url"]
    opml = etree.fromstring(build.read("index.opml"), PARSER)
    assert opml.get("version") == "2.0"
    outlines = [o.get("xmlUrl") for o in opml.iter("outline")]
    assert len(outlines) == len(index["feeds"])
    assert all((build.out / u.removeprefix(BASE)).exists() for u in outlines)
    page = etree.fromstring(build.read("index.html"), etree.HTMLParser())
    assert page.get("lang") == "sv-SE"
    assert len(page.findall(".//h1")) == 1
    alternates = page.xpath("//head/link[@rel='alternate']")
    types = {a.get("type") for a in alternates}
    assert types == {"application/atom+xml", "application/rss+xml", "application/feed+json"}
    assert {a.get("href") for a in alternates} == {
        f["url"] for feed in index["feeds"] for f in feed["formats"].values()
    }
    assert all(a.get("title") for a in alternates)


# ---------------------------------------------------------------------------------- labels


def test_every_language_has_every_label() -> None:
    keys = set(i18n.LABELS["sv"])
    for lang in ("en", "de", "nb"):
        assert set(i18n.LABELS[lang]) == keys
        assert set(i18n.OUTCOMES[lang]) == set(i18n.OUTCOMES["sv"])
    assert i18n.language_for("no") == "nb" and i18n.language_for("xx", None) == "sv"
    assert i18n.long_date("de", date(2024, 3, 5)) == "5. März 2024"


def test_labels_follow_the_source_language(tmp_path: Path) -> None:
    german = tmp_path / "de"
    german.mkdir()
    shutil.copy2(FIXTURES / "oparl" / "umweltausschuss-lindenau-2024-09-12.json", german)
    english = tmp_path / "en"
    english.mkdir()
    shutil.copy2(SV_FIXTURES / "bjorkfors-socialnamnden-2024-06-18.html", english)
    sources = drop_source(german, "lindenau") + drop_source(english, "engelska", 'language = "en"')
    made = Build(tmp_path, sources)
    try:
        made.run(T0)
        index = made.json("feeds/index.json")
        by_slug = {f["body"]["slug"]: f for f in index["feeds"] if f["kind"] == "body"}
        de_slug = next(s for s in by_slug if "umwelt" in s)
        de_feed = made.json(f"feeds/{de_slug}.json")
        assert de_feed["language"] == "de-DE"
        assert de_feed["items"][0]["title"].endswith("kurz gefasst")
        en_feed = made.json("feeds/socialnamnden.json")
        assert en_feed["language"] == "en"
        assert en_feed["items"][0]["title"] == "Socialnämnden 18 June 2024 in brief"
        assert "2 of 8 items were confidential." in en_feed["items"][0]["content_html"]
    finally:
        made.close()


# ---------------------------------------------------------------------------------- safety


def test_control_characters_are_removed_not_a_crash(
    tmp_path: Path, folder: Path, atom_schema: etree.RelaxNG
) -> None:
    from benchmarks.feeds import make_protocol, meeting_rows
    from publisher.store import items, meetings, publications

    made = Build(tmp_path, drop_source(folder))
    try:
        protocol = make_protocol("Socialnämnden", T0.date(), 3, 1, title="Bygg\x01lov\x0b i\x7f Å")
        meeting, its_items, publication = meeting_rows("kommun", protocol, "kommun-ctrl", T0)
        with made.ctx.store.begin() as conn:
            conn.execute(meetings.insert(), [meeting])
            conn.execute(items.insert(), its_items)
            conn.execute(publications.insert(), [publication])
        jobs.render(made.ctx)
        data = made.read("feeds/socialnamnden/decisions.atom")
        validate_atom(data, atom_schema)
        titles = [e.title for e in feedparser.parse(data).entries]
        assert "§ 4 Bygglov i Å" in titles
    finally:
        made.close()


def test_a_personnummer_in_output_is_refused(tmp_path: Path, folder: Path) -> None:
    from benchmarks.feeds import make_protocol, meeting_rows
    from publisher.store import items, meetings, publications

    with pytest.raises(UnsafeOutput):
        check_output("x.atom", "Ansökan från 19850101-1236".encode())
    check_output("x.atom", b"2030-01-01T09:00:00.000001+00:00 Dnr 2024/123456")
    made = Build(tmp_path, drop_source(folder))
    try:
        # a bug upstream that let a number through: bypass privacy.protect on purpose
        protocol = make_protocol("Socialnämnden", T0.date(), 2, 1, title="Ansökan 850101-1236")
        meeting, its_items, publication = meeting_rows("kommun", protocol, "kommun-pnr", T0)
        with made.ctx.store.begin() as conn:
            conn.execute(meetings.insert(), [meeting])
            conn.execute(items.insert(), its_items)
            conn.execute(publications.insert(), [publication])
        with pytest.raises(UnsafeOutput):
            made_render(made, ["kommun-pnr"])
        # the job renders the others and keeps the refused meeting for the next round
        report = made.run(T0 + timedelta(days=1))
        assert "kommun-pnr" not in report.rendered and len(report.rendered) == 6
        assert not any(b"850101-1236" in p.read_bytes() for p in all_files(made.out))
        assert made.ctx.store.unrendered() == ["kommun-pnr"]  # retried, never dropped
        keys = {r["entry_key"] for r in made.ctx.store.feed_rows("all", 0, 1000)}
        assert keys and "kommun-pnr" not in keys  # nothing of it entered the feed log
    finally:
        made.close()


def test_lifecycle_retract_is_rendered_by_the_render_job(build: Build) -> None:
    feed = build.json("feeds/all.json")
    victim = feed["items"][-1]["_publisher"]["meeting_id"]
    assert lifecycle.retract(build.ctx.store, victim, T0 + timedelta(days=1), "op", "test")
    assert jobs.render(build.ctx) == [victim]
    after = build.json("feeds/all.json")
    retracted = [i for i in after["items"] if i["_publisher"]["retracted"]]
    assert [i["_publisher"]["meeting_id"] for i in retracted] == [victim]


def test_pinned_tag_authority_keeps_every_id_when_the_site_moves(build: Build) -> None:
    before = {i["id"] for i in build.json("feeds/all.json")["items"]}
    assert before and all(i.startswith("tag:kommun.example,2024:") for i in before)
    moved = dataclasses.replace(
        build.settings, base_url="https://www.nykommun.example/", tag_authority="kommun.example"
    )
    render_all(moved, build.ctx.store)
    feed = build.json("feeds/all.json")
    assert {i["id"] for i in feed["items"]} == before
    assert feed["home_page_url"].startswith("https://www.nykommun.example/")


# ---------------------------------------------------------------------------------- audit fixes


def test_entries_released_together_are_seconds_apart_never_in_the_future(build: Build) -> None:
    """One sweep released every fixture at T0: readers that see dates to the second (RSS
    pubDate, feedparser) must still tell them apart and order them, the newest meeting on
    top, and nothing may be dated after the release."""
    feed = build.json("feeds/all.json")
    assert len(feed["items"]) >= 3
    modified = [datetime.fromisoformat(i["date_modified"]) for i in feed["items"]]
    published = [datetime.fromisoformat(i["date_published"]) for i in feed["items"]]
    assert all(t <= T0 for t in modified + published)
    assert modified[0] == T0  # the newest keeps the release instant itself
    assert all(a - b >= timedelta(seconds=1) for a, b in zip(modified, modified[1:], strict=False))
    days = [i["_publisher"]["date"] for i in feed["items"]]
    assert days == sorted(days, reverse=True)  # the newest meeting gets the latest time
    rss = feedparser.parse(build.read("feeds/all.rss"))
    pub_dates = [e.published_parsed[:6] for e in rss.entries]
    assert len(set(pub_dates)) == len(pub_dates)
    decisions = build.json("feeds/socialnamnden/decisions.json")
    stamps = [datetime.fromisoformat(i["date_modified"]) for i in decisions["items"]]
    assert len({s.replace(microsecond=0) for s in stamps}) == len(stamps)
    assert max(stamps) <= T0
    # ids do not depend on the times: a rebuild gives the same ids
    ids = [i["id"] for i in feed["items"]]
    render_all(build.settings, build.ctx.store)
    assert [i["id"] for i in build.json("feeds/all.json")["items"]] == ids


def test_rss_has_a_feed_level_author(build: Build) -> None:
    for path in ("feeds/all.rss", "feeds/socialnamnden.rss", "feeds/socialnamnden/decisions.rss"):
        parsed = feedparser.parse(build.read(path))
        assert not parsed.bozo
        assert parsed.feed.author == "Exempelstads kommun"
        doc = etree.fromstring(build.read(path), PARSER)
        creator = doc.find("channel/{http://purl.org/dc/elements/1.1/}creator")
        assert creator is not None and creator.text == "Exempelstads kommun"


def test_a_retracted_meeting_keeps_nothing_of_its_protocol_in_calendar_and_index(
    build: Build,
) -> None:
    feed = build.json("feeds/socialnamnden.json")
    (item,) = [i for i in feed["items"] if "18 juni" in i["title"]]
    meeting_id = item["_publisher"]["meeting_id"]
    meeting = build.json(f"meetings/{meeting_id}.json")["meeting"]
    assert meeting["title"] and meeting["location"]
    calendar = "\n".join(unfold(build.read("calendar/socialnamnden.ics")))
    assert ical.escape(meeting["location"]) in calendar
    assert lifecycle.retract(build.ctx.store, meeting_id, T0 + timedelta(days=3), "op", "pii")
    build.run(T0 + timedelta(days=3))
    lines = unfold(build.read("calendar/socialnamnden.ics"))
    begin = lines.index(next(x for x in lines if x.startswith(f"UID:{meeting_id}@"))) - 1
    event = lines[begin : lines.index("END:VEVENT", begin) + 1]
    assert "SUMMARY;LANGUAGE=sv-SE:Protokoll återkallat" in event
    assert not [x for x in event if x.startswith(("LOCATION", "URL", "DESCRIPTION"))]
    text = "\n".join(lines)
    assert ical.escape(meeting["location"]) not in text
    assert ical.escape(meeting["title"]) not in text
    index = build.json("meetings/socialnamnden.index.json")
    (listed,) = [m for m in index["meetings"] if m["id"] == meeting_id]
    assert listed["retracted"] is True and listed["title"] == "Protokoll återkallat"
    assert meeting["title"] not in json.dumps(index, ensure_ascii=False)
    page = build.read(f"meetings/{meeting_id}.html").decode()
    assert meeting["location"] not in page and meeting["title"] not in page


def test_items_without_id_or_number_keep_their_key_when_items_move() -> None:
    from feeds.entries import item_keys

    first = {"title": "Budget 2025", "decision": "Bifall."}
    second = {"title": "Motion om cykelbana", "decision": "Avslag."}
    keys = item_keys({"items": [first, second]})
    assert keys[0] != keys[1]
    assert not any(re.fullmatch(r"item(-\d+)?", k) for k in keys)  # never a position
    # a corrected protocol that adds an item in front keeps both keys (and so both ids)
    moved = item_keys({"items": [{"title": "Val av justerare"}, first, second]})
    assert moved[1:] == keys
    # identical items still get distinct keys
    twins = item_keys({"items": [first, dict(first)]})
    assert len(set(twins)) == 2 and twins[0] == keys[0]
    # digits-only runs could look like a personnummer to the final privacy check
    assert all(not re.search(r"\d{6}", k) for k in keys + moved)


def test_meeting_page_removes_control_characters_from_the_location(
    tmp_path: Path, folder: Path
) -> None:
    from benchmarks.feeds import make_protocol, meeting_rows
    from publisher.store import items, meetings, publications

    made = Build(tmp_path, drop_source(folder))
    try:
        protocol = make_protocol("Socialnämnden", T0.date(), 3, 1)
        protocol = dataclasses.replace(
            protocol,
            meeting=dataclasses.replace(protocol.meeting, location="Rådhuset\x0b sal\x01 3\x7f"),
        )
        meeting, its_items, publication = meeting_rows("kommun", protocol, "kommun-loc", T0)
        with made.ctx.store.begin() as conn:
            conn.execute(meetings.insert(), [meeting])
            conn.execute(items.insert(), its_items)
            conn.execute(publications.insert(), [publication])
        assert "kommun-loc" in jobs.render(made.ctx)
        page = made.read("meetings/kommun-loc.html").decode()
        assert "Rådhuset sal 3." in page
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", page)
        summary = made.json("meetings/kommun-loc.json")
        assert summary["meeting"]["location"] == "Rådhuset sal 3"
        etree.fromstring(page.encode(), etree.HTMLParser())
    finally:
        made.close()


def _walk_archive(out: Path, base: str, feed: str) -> int:
    """Follow a current JSON feed's ``next_url`` chain; every page must exist."""
    url = json.loads((out / feed).read_bytes()).get("next_url")
    pages = 0
    while url:
        assert url.startswith(base), url
        path = out / url.removeprefix(base)
        assert path.exists(), f"{feed}: archive page missing: {path.relative_to(out)}"
        for fmt in ("atom", "rss"):
            assert path.with_suffix(f".{fmt}").exists()
        pages += 1
        url = json.loads(path.read_bytes()).get("next_url")
    return pages


def test_a_render_failing_after_logging_leaves_no_archive_page_missing(
    tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import feeds.render
    from benchmarks.feeds import seed_history

    made = Build(tmp_path, drop_source(folder), extra={"feed_entries": 4, "archive_page_size": 4})
    try:
        ids = seed_history(made.ctx.store, source_id="kommun", meetings_count=9, rendered=False)
        real = feeds.render.write_atomic

        def disk_full(path: Path, data: bytes) -> bool:
            if "/archive/" in str(path):
                raise OSError(28, "No space left on device")
            return real(path, data)

        # the batch is logged, then writing its files fails (disk full, a crash)
        monkeypatch.setattr(feeds.render, "write_atomic", disk_full)
        with pytest.raises(OSError):
            jobs.render(made.ctx)
        monkeypatch.setattr(feeds.render, "write_atomic", real)
        assert made.ctx.store.feed_infos()["body:socialnamnden"]["length"] == 9
        # the retry logs nothing new, yet writes every page the log holds
        assert sorted(jobs.render(made.ctx)) == sorted(ids)
        for feed in ("feeds/all.json", "feeds/socialnamnden.json"):
            assert _walk_archive(made.out, BASE, feed) == 2
        assert _walk_archive(made.out, BASE, "feeds/socialnamnden/decisions.json") >= 4
        infos = made.ctx.store.feed_infos()
        assert all(i["written"] == i["length"] for i in infos.values())
    finally:
        made.close()


def test_render_all_restores_every_archive_page_at_the_current_base_url(
    tmp_path: Path, folder: Path
) -> None:
    from benchmarks.feeds import seed_history

    made = Build(tmp_path, drop_source(folder), extra={"feed_entries": 4, "archive_page_size": 4})
    try:
        seed_history(made.ctx.store, source_id="kommun", meetings_count=9, rendered=False)
        jobs.render(made.ctx)
        before = sorted(p.relative_to(made.out) for p in made.out.rglob("archive/**/*.*"))
        assert before
        shutil.rmtree(made.out)  # the output volume is lost, and the site moved meanwhile
        moved_base = "https://www.nykommun.example/"
        moved = dataclasses.replace(made.settings, base_url=moved_base)
        render_all(moved, made.ctx.store)
        after = sorted(p.relative_to(made.out) for p in made.out.rglob("archive/**/*.*"))
        assert after == before
        for feed in ("feeds/all.json", "feeds/socialnamnden.json"):
            assert _walk_archive(made.out, moved_base, feed) == 2
        assert not [p for p in made.out.rglob("*.*") if BASE.encode() in p.read_bytes()]
    finally:
        made.close()


@pytest.mark.parametrize(
    "written", ["850101—1236", "850101 - 1236", "850101-\n1236", "850101%2D1236"]
)
def test_the_last_check_knows_every_separator_privacy_knows(written: str) -> None:
    with pytest.raises(UnsafeOutput):
        check_output("x.atom", f"Ansökan från {written}".encode())


def test_a_cancelled_meeting_is_cancelled_in_the_calendar(tmp_path: Path) -> None:
    drop = tmp_path / "ris"
    drop.mkdir()
    held = json.loads(
        (FIXTURES / "oparl" / "umweltausschuss-lindenau-2024-09-12.json").read_bytes()
    )
    (drop / "held.json").write_text(json.dumps(held), "utf-8")
    called_off = dict(held, id=held["id"] + "-b", start="2024-10-10T17:00:00+02:00", cancelled=True)
    called_off.pop("end", None)
    called_off.pop("resultsProtocol", None)
    (drop / "called-off.json").write_text(json.dumps(called_off), "utf-8")
    for path in drop.iterdir():  # written long ago: settled for the source
        os.utime(path, (T0.timestamp() - 86400, T0.timestamp() - 86400))
    made = Build(tmp_path, drop_source(drop, "ris"))
    try:
        made.run(T0)
        (calendar,) = (made.out / "calendar").glob("*.ics")
        events = "\n".join(unfold(calendar.read_bytes())).split("BEGIN:VEVENT")[1:]
        status = {
            next(line for line in e.splitlines() if line.startswith("DTSTART"))[8:16]: next(
                line for line in e.splitlines() if line.startswith("STATUS:")
            )
            for e in events
        }
        assert status == {"20240912": "STATUS:CONFIRMED", "20241010": "STATUS:CANCELLED"}
    finally:
        made.close()
