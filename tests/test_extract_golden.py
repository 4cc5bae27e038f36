"""Pinned output: the complete JSON (``to_dict``) of every fixture document, as a hash.

Extraction is tuned for speed (prefilters, cached expressions, a fast path in privacy); this
test proves the tuning changed no result. Each document is extracted through the public
entry point (detection and privacy included) and its canonical JSON hashed.

When an output changes *on purpose*, check the new output by hand, then regenerate with

    .venv/bin/python -m tests.test_extract_golden

and paste the printed ``PINNED`` dict over the one below. An unexpected difference here is a
bug in the last optimisation, not a reason to regenerate.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from publisher.cli import load_selectors
from publisher.extract import ExtractOptions, detect, extract, extract_all
from publisher.model import to_dict

from .conftest import FIXTURES, ROOT, THIRD_PARTY

# document (relative to tests/fixtures, or third_party/...) → output hash; see the docstring
PINNED: dict[str, str] = {
    "akn/belcourt-conseil-2022-06-23.csd13.xml": "5f13da1f585dd9b0c30d",
    "akn/pwani-ndogo-bunge-2012-03-14.akn10.xml": "c6d9af28cc1e025c3a89",
    "akn/riverton-council-minutes-2024-05-07.nons.xml": "038d44f76af0e5c47db4",
    "akn/valdoria-consiglio-2023-11-28.wd17.xml": "b90dc864585a60ffaab1",
    "oparl/bauausschuss-lindenau-2025-01-15-abgesagt.json": "65c2cc7a56b29dc454b1",
    "oparl/gemeinderat-lindenau-2025-03-20-entwurf.json": "228558e922aed3f73f6e",
    "oparl/sitzungsliste-seite-1.json": "44b603580c1e9c3a0785",
    "oparl/umweltausschuss-lindenau-2024-09-12.json": "00c4967af35eedaf1938",
    "selectors/fjellvik-motekalender.html": "6cecb5e1e5544a90a40f",
    "sv/bjorkfors-socialnamnden-2024-06-18.html": "3a45c5a586fd87d05c05",
    "sv/granby-kultur-och-fritidsnamnden-2024-04-09.html": "2773870a1f0eaf9f5a4b",
    "sv/lillasa-miljo-och-byggnadsnamnden-2024-03-21.html": "425376cead769ee6e750",
    "sv/norrbacka-barn-och-utbildningsnamnden-2024-11-12-preliminart.html": "2a787280e2196484f433",
    "sv/sjohamra-kommunstyrelsen-2024-09-10.html": "52445e72a12249b9986b",
    "tei/eastmarch-assembly-2024-02-07.parlamint.xml": "7af1ba617494731c1ad4",
    "tei/riksdagen-snabbprotokoll-ocr.xml": "348653fc32067539d2e9",
    "third_party/akn/ke_Debate_Bungeni_2011-06-10.an.xml": "d09057cf407bca88d2e9",
    "third_party/html_meeting_pages/det_library_commission.html": "ff2a1cca6c085274acf4",
    "third_party/html_meeting_pages/det_police_department.html": "5e600751d4794bf49665",
    "third_party/oparl/karlsruhe-meeting-10023.json": "ad83454b2dfed11f410d",
    "third_party/oparl/spec-Meeting-01.json": "e3d9ed13c2ee2e78d90d",
    "third_party/tei/prot-202223--013.xml": "30699eabf118df01e1b1",
}


def _options(path: Path) -> ExtractOptions:
    for suffix in (".toml", ".json"):
        config = FIXTURES / "selectors" / (path.stem + suffix)
        if config.exists():
            return ExtractOptions(selectors=load_selectors(str(config)))
    return ExtractOptions()


def _documents() -> list[Path]:
    paths = sorted(FIXTURES.rglob("*")) + sorted(THIRD_PARTY.rglob("*"))
    # selectors/*.toml are configurations, not documents
    return [p for p in paths if p.is_file() and p.suffix in (".html", ".htm", ".xml", ".json")]


def _key(path: Path) -> str:
    base = FIXTURES if path.is_relative_to(FIXTURES) else THIRD_PARTY.parent
    return str(path.relative_to(base))


def _digest(path: Path) -> str:
    data = path.read_bytes()
    options = _options(path)
    fmt = detect(data, options)
    result = {
        "format": fmt,
        "protocol": to_dict(extract(data, fmt, options)),
        "all": [to_dict(protocol) for protocol in extract_all(data, fmt, options)],
    }
    canonical = json.dumps(result, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:20]


def test_every_fixture_is_pinned() -> None:
    assert sorted(_key(path) for path in _documents()) == sorted(PINNED)


@pytest.mark.parametrize("key", sorted(PINNED))
def test_output_is_unchanged(key: str) -> None:
    base = THIRD_PARTY.parent if key.startswith("third_party/") else FIXTURES
    path = base / key
    if not path.exists():
        pytest.fail(f"missing fixture {path}")
    assert _digest(path) == PINNED[key], f"{key}: extraction output changed"


if __name__ == "__main__":  # regenerate: prints the dict to paste into PINNED
    assert ROOT.exists()
    print("{")
    for document in _documents():
        print(f'    "{_key(document)}": "{_digest(document)}",')
    print("}")
