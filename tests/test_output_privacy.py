"""After a full build over every fixture that extracts, no file in the output directory holds
a confidential item's title or text, or a personnummer.

The confidential texts are collected by extracting the same fixtures *without* the privacy
stage (the format modules' ``extract`` return the raw model; ``publisher.extract.extract``
is what applies ``privacy.protect``), so the test knows exactly what must not leak.
"""

from __future__ import annotations

import html
import importlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest

from publisher import jobs, privacy, settings
from publisher.errors import PublisherError
from publisher.extract import FORMATS, detect
from publisher.extract.parsing import decode_text
from publisher.model import Protocol

from .conftest import FIXTURES, ROOT, THIRD_PARTY

NOW = datetime(2035, 1, 1, tzinfo=UTC)  # far enough ahead that everything is released


def sources_toml() -> str:
    """One drop-folder source per fixture family, selectors pages with their selectors."""
    parts = []
    folders = {
        "sv": FIXTURES / "sv",
        "examples": ROOT / "examples" / "protocols",
        "oparl": FIXTURES / "oparl",
        "akn": FIXTURES / "akn",
        "tei": FIXTURES / "tei",
        "tp-oparl": THIRD_PARTY / "oparl",
        "tp-akn": THIRD_PARTY / "akn",
        "tp-tei": THIRD_PARTY / "tei",
    }
    for source_id, folder in folders.items():
        assert folder.is_dir(), folder
        parts.append(f'[[sources]]\nid = "{source_id}"\nkind = "directory"\npath = "{folder}"\n')
    pages = {
        "det-library": (THIRD_PARTY / "html_meeting_pages", "det_library_commission"),
        "det-police": (THIRD_PARTY / "html_meeting_pages", "det_police_department"),
        "fjellvik": (FIXTURES / "selectors", "fjellvik-motekalender"),
    }
    for source_id, (folder, stem) in pages.items():
        selectors = FIXTURES / "selectors" / f"{stem}.toml"
        parts.append(
            f'[[sources]]\nid = "{source_id}"\nkind = "directory"\npath = "{folder}"\n'
            f'pattern = "{stem}.html"\nformat = "selectors"\nselectors = "{selectors}"\n'
        )
    return "\n".join(parts)


def raw_protocols(config: settings.Settings) -> list[tuple[Path, Protocol]]:
    """Every fixture extracted WITHOUT privacy.protect."""
    result = []
    for source in config.sources:
        assert source.path is not None
        for path in sorted(source.path.glob(source.pattern)):
            if not path.is_file() or path.suffix == ".md":
                continue
            data = path.read_bytes()
            options = jobs.extract_options(source, None)
            try:
                fmt = detect(data, options) if source.format == "auto" else source.format
                module = importlib.import_module(FORMATS[fmt])
                if fmt == "selectors":
                    protocols = list(module.extract_all(data, options))
                else:
                    protocols = [module.extract(data, options)]
            except PublisherError:
                continue  # not a protocol (a meeting list page): it does not extract
            result.extend((path, p) for p in protocols)
    return result


_BLOCKS = ("p", "div", "h1", "h2", "h3", "h4", "li", "tr", "td", "th", "dd", "dt", "section", "br")
_PARAGRAPH = re.compile(r"^§\s*(\d+)\b\s*(.*)$")


def source_segments(data: bytes) -> dict[str, list[str]]:
    """Lines of a Swedish protocol's text per § number, read from the document itself.

    The Swedish extractor withholds a confidential item while reading it (nothing of it
    reaches even the raw model), so its secrets are taken from the source text instead."""
    tree = lxml.html.fromstring(decode_text(data))
    for element in tree.iter(*_BLOCKS):
        element.tail = "\n" + (element.tail or "")
    segments: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in tree.text_content().splitlines():
        line = re.sub(r"\s+", " ", raw).strip()
        match = _PARAGRAPH.match(line)
        if match:
            current = segments.setdefault(f"§ {match.group(1)}", [])
            line = match.group(2)
        if current is not None and line:
            current.append(line)
    return segments


def oparl_item_texts(data: bytes) -> dict[str, list[str]]:
    """The human texts of every agenda item of an OParl meeting, per item number, read from
    the JSON itself: the OParl extractor does not read a non-public item's texts at all."""
    doc = json.loads(data)
    meetings = doc.get("data", [doc]) if isinstance(doc, dict) else []
    texts: dict[str, list[str]] = {}
    for meeting in meetings:
        items = meeting.get("agendaItem") if isinstance(meeting, dict) else None
        for raw in items if isinstance(items, list) else []:
            if not isinstance(raw, dict):
                continue
            number = str(raw.get("number") or raw.get("order") or "").strip()
            for key in ("name", "result", "resolutionText"):
                value = raw.get(key)
                if isinstance(value, str) and value.strip():
                    texts.setdefault(number, []).append(re.sub(r"\s+", " ", value).strip())
    return texts


def secrets(protocols: list[tuple[Path, Protocol]]) -> set[str]:
    """Texts of confidential items that no public item also carries."""
    confidential: set[str] = set()
    public: set[str] = set()
    for path, protocol in protocols:
        if protocol.format == "oparl":
            raw_texts = oparl_item_texts(path.read_bytes())
            for item in protocol.items:
                lines = set(raw_texts.get(item.number, []))
                if item.public and not protocol.meeting.closed:
                    public |= lines
                else:
                    confidential |= lines
        if protocol.format == "sv-html":
            segments = source_segments(path.read_bytes())
            for item in protocol.items:
                lines = set(segments.get(re.sub(r"\s+", " ", item.number), []))
                if item.public:
                    public |= lines
                else:
                    confidential |= lines
        closed = protocol.meeting.closed
        for item in protocol.items:
            fields = {item.title, item.decision, item.outcome_text, item.case_number}
            texts = {re.sub(r"\s+", " ", t).strip() for t in fields if t}
            if privacy.is_confidential(item, closed):
                confidential |= texts
            else:
                public |= texts
    # generic lines ("Beslut", a secrecy notice) are in public items too or too short to tell
    return {t for t in confidential - public if len(t) >= 12}


def encodings(text: str) -> set[str]:
    """The forms a leaked string would take in our outputs (XML/HTML escaped, JSON)."""
    escaped = html.escape(text, quote=False)
    return {
        text,
        escaped,
        html.escape(text),
        html.escape(escaped, quote=False),
        json.dumps(text, ensure_ascii=False)[1:-1],
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, settings.Settings]:
    root = tmp_path_factory.mktemp("privacy")
    out = root / "public"
    (root / "publisher.toml").write_text(
        f"""
[publisher]
organization = "Integritetskommun"
base_url = "https://kommun.example/"
output_dir = "{out}"
database_url = "sqlite:///{root}/publisher.db"

{sources_toml()}
""",
        "utf-8",
    )
    config = settings.load(root / "publisher.toml", env={})
    ctx = jobs.open_context(config, migrate=True, now=NOW)
    try:
        report = jobs.build(ctx, all_sources=True)
        assert report.failed_sources == []
        assert len(report.rendered) >= 12
    finally:
        ctx.store.dispose()
    return out, config


def test_the_build_covers_every_family(built: tuple[Path, settings.Settings]) -> None:
    out, _config = built
    formats = set()
    for path in (out / "meetings").glob("*.json"):
        data = json.loads(path.read_bytes())
        if "protocol" in data and data["protocol"]:
            formats.add(data["protocol"]["format"])
    assert formats == {"sv-html", "oparl", "akn", "tei", "selectors"}


def test_no_confidential_text_in_any_output(built: tuple[Path, settings.Settings]) -> None:
    out, config = built
    hidden = secrets(raw_protocols(config))
    assert len(hidden) >= 15, "the fixtures must carry confidential items for this to mean much"
    assert "Ansökan om vård enligt LVU" in hidden  # a Swedish one, read from the source
    files = sorted(p for p in out.rglob("*") if p.is_file())
    assert len(files) > 40
    leaks = []
    for path in files:
        text = path.read_bytes().decode("utf-8")
        for secret in hidden:
            if any(form in text for form in encodings(secret)):
                leaks.append(f"{path.relative_to(out)}: {secret[:60]!r}")
    assert leaks == []


def test_no_personnummer_in_any_output(built: tuple[Path, settings.Settings]) -> None:
    out, config = built
    # the fixtures do carry numbers that the privacy stage must mask
    raw = json.dumps([repr(p) for _, p in raw_protocols(config)], ensure_ascii=False)
    assert privacy.mask_personnummer(raw) != raw
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        text = path.read_bytes().decode("utf-8")
        assert privacy.mask_personnummer(text) == text, path


def test_no_confidential_text_in_the_feed_log(built: tuple[Path, settings.Settings]) -> None:
    """Archive pages are rendered from the feed log for years: it must be as clean."""
    from publisher.store import Store, feed_log

    _out, config = built
    hidden = secrets(raw_protocols(config))
    store = Store(config.database_url)
    try:
        with store.engine.connect() as conn:
            rows = [r.data for r in conn.execute(feed_log.select())]
    finally:
        store.dispose()
    assert len(rows) > 30
    text = "\n".join(json.dumps(json.loads(r), ensure_ascii=False) for r in rows)
    assert [s for s in hidden if s in text] == []
    assert privacy.mask_personnummer(text) == text
