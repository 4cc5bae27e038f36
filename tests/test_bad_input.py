"""Bad input: one line on stderr, exit code 2, nothing on stdout, never a traceback."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from publisher.errors import PublisherError
from publisher.extract import extract

from .conftest import FIXTURES, THIRD_PARTY, run_cli

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE akomaNtoso [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0"><debate><meta/>
<debateBody><debateSection><heading>&xxe;</heading></debateSection></debateBody></debate>
</akomaNtoso>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE TEI [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><div><head>&lol9;</head></div></body>
</text></TEI>"""

SV_HEAD = "<html><body><h1>Protokoll Socialnämnden</h1><p>Sammanträdesdatum 2024-06-18</p>"

CASES: dict[str, bytes] = {
    "empty": b"",
    "whitespace": b"  \n\t \n",
    "plain-text": b"Hello, this is not a protocol.\n",
    "binary": bytes(range(256)) * 8,
    "malformed-xml": b'<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0">'
    b"<debate><meta></debate>",
    "malformed-tei": b'<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><div>',
    "unknown-xml": b"<?xml version='1.0'?><invoice><total>12</total></invoice>",
    "unknown-json": b'{"name": "not oparl", "items": []}',
    "malformed-json": b'{"type": "https://schema.oparl.org/1.1/Meeting", "name": ',
    "json-array-garbage": b'[1, 2, "agendaItem"',
    "utf16-without-bom": (SV_HEAD + "<h2>§ 1 Budget</h2></body></html>").encode("utf-16-le"),
    "bad-declared-encoding": b'<?xml version="1.0" encoding="no-such-codec"?>'
    b'<TEI xmlns="http://www.tei-c.org/ns/1.0"/>',
    "xxe": XXE,
    "billion-laughs": LAUGHS,
    "html-without-protocol": b"<html><body><p>Welcome to our site</p></body></html>",
}


def _assert_one_line_error(result_stdout: bytes, result_stderr: bytes, code: int) -> str:
    assert code == 2
    assert result_stdout == b""
    err = result_stderr.decode("utf-8")
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("publisher: error: ")
    return lines[0]


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_document_gives_one_line_and_exit_2(name: str, tmp_path: Path) -> None:
    path = tmp_path / f"{name}.dat"
    path.write_bytes(CASES[name])
    result = run_cli("extract", str(path))
    _assert_one_line_error(result.stdout, result.stderr, result.returncode)


def test_xxe_is_refused_and_never_reads_the_file(tmp_path: Path) -> None:
    path = tmp_path / "xxe.xml"
    path.write_bytes(XXE)
    for fmt in ("auto", "akn"):
        result = run_cli("extract", str(path), "--format", fmt)
        line = _assert_one_line_error(result.stdout, result.stderr, result.returncode)
        assert "entities" in line
        assert b"root:" not in result.stdout + result.stderr


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "laughs.xml"
    path.write_bytes(LAUGHS)
    result = run_cli("extract", str(path), "--format", "tei")
    assert "entities" in _assert_one_line_error(result.stdout, result.stderr, result.returncode)


def test_document_over_the_size_cap(tmp_path: Path) -> None:
    path = tmp_path / "huge.html"
    path.write_bytes(SV_HEAD.encode() + b"<p>" + b"x" * (21 * 1024 * 1024) + b"</p>")
    result = run_cli("extract", str(path))
    assert "cap" in _assert_one_line_error(result.stdout, result.stderr, result.returncode)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("/no/such/file.html",), "no such file"),
        (("/tmp",), "directory"),
        (("x.html", "--format", "selectors"), "--selectors"),
        (("x.html", "--timezone", "Mars/Olympus"), "timezone"),
    ],
)
def test_usage_errors_name_the_problem(args: tuple[str, ...], expected: str) -> None:
    result = run_cli("extract", *args)
    assert expected in _assert_one_line_error(result.stdout, result.stderr, result.returncode)


def _all_documents() -> list[Path]:
    found = [p for p in FIXTURES.rglob("*") if p.suffix in (".html", ".htm", ".xml", ".json")]
    found += [p for p in THIRD_PARTY.rglob("*") if p.suffix in (".html", ".xml", ".json")]
    return sorted(found)


@pytest.mark.parametrize("path", _all_documents(), ids=lambda p: p.name)
def test_damaged_documents_raise_only_publisher_errors(path: Path) -> None:
    """Truncated and bit-flipped real documents: a clear error or a result, never a crash."""
    data = path.read_bytes()
    rng = random.Random(path.name)  # noqa: S311 - deterministic damage, not cryptography
    variants = [data[: len(data) * k // 7] for k in range(1, 7)]
    for _ in range(6):
        damaged = bytearray(data)
        for _ in range(20):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        variants.append(bytes(damaged))
    for variant in variants:
        try:
            extract(variant)
        except PublisherError:
            pass


def test_a_reader_that_stops_early_gets_no_error_message() -> None:
    # `publisher extract … | head -c 100`: the pipe closes before the JSON is written
    exe = Path(sys.executable).with_name("publisher")
    document = FIXTURES / "sv" / "bjorkfors-socialnamnden-2024-06-18.html"
    with subprocess.Popen(
        [str(exe), "extract", str(document)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()  # long before the program, still starting, writes anything
        stderr = process.stderr.read()
        assert process.wait(timeout=60) == 141
    assert stderr == b""


def test_a_lone_surrogate_in_json_is_cleaned_not_a_crash(tmp_path: Path) -> None:
    # "\ud800" is valid JSON syntax but no character: UTF-8 cannot even write it
    meeting = {
        "type": "https://schema.oparl.org/1.1/Meeting",
        "name": "Sitzung des Rates \\ud800",
        "start": "2024-05-02T18:00:00+02:00",
        "resultsProtocol": {"accessUrl": "https://example.org/p.pdf"},
        "agendaItem": [{"number": "1", "name": "Haushalt \\udfff 2025", "result": "beschlossen"}],
    }
    path = tmp_path / "surrogate.json"
    path.write_text(json.dumps(meeting).replace("\\\\u", "\\u"), "utf-8")
    done = run_cli("extract", str(path))
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["items"][0]["title"] == "Haushalt 2025"
    assert "\\ud800" not in done.stdout.decode("utf-8")


def test_extract_does_not_load_the_pipeline() -> None:
    # `publisher extract` is a one-shot command: importing the store (SQLAlchemy, Alembic)
    # and the jobs for it took over a second of its start, for a command that never uses them
    probe = (
        "import sys; from publisher import cli; "
        "cli.main(['extract', sys.argv[1]]); "
        "print(sorted(m for m in ('sqlalchemy', 'alembic', 'publisher.store', 'publisher.jobs') "
        "if m in sys.modules), file=sys.stderr)"
    )
    document = FIXTURES / "sv" / "bjorkfors-socialnamnden-2024-06-18.html"
    done = subprocess.run(
        [sys.executable, "-c", probe, str(document)], capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout)["format"] == "sv-html"
    assert done.stderr.strip() == "[]"


def test_a_damaged_document_leaves_nothing_behind_for_the_next() -> None:
    # the HTML and XML parsers are kept, one per thread: after documents that fail, or are
    # damaged and read anyway, the same documents read exactly as they did on their own
    documents = [p for p in _all_documents() if p.suffix in (".html", ".xml")]
    before = {p: extract(p.read_bytes()) for p in documents if _reads(p.read_bytes())}
    for path in documents:
        data = path.read_bytes()
        _reads(data[: len(data) // 3] + b"<\xff<<!--")
        if path in before:
            assert extract(data) == before[path], path


def _reads(data: bytes) -> bool:
    try:
        extract(data)
    except PublisherError:
        return False
    return True
