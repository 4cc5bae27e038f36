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
    "akn/belcourt-conseil-2022-06-23.csd13.xml": "795a1dd6b5dbe0b14567",
    "akn/pwani-ndogo-bunge-2012-03-14.akn10.xml": "d4726636ea6b7fbf0093",
    "akn/riverton-council-minutes-2024-05-07.nons.xml": "2f2d059058e807c60016",
    "akn/valdoria-consiglio-2023-11-28.wd17.xml": "c61df2c3af97546e219d",
    "oparl/bauausschuss-lindenau-2025-01-15-abgesagt.json": "81f89dfd0352e3368da5",
    "oparl/gemeinderat-lindenau-2025-03-20-entwurf.json": "bc6137cc30a98c91c3c1",
    "oparl/sitzungsliste-seite-1.json": "9c4d05cda3fdaca4bad1",
    "oparl/umweltausschuss-lindenau-2024-09-12.json": "b18798a5be140d22777a",
    "selectors/fjellvik-motekalender.html": "4ba42b015eccafdedafc",
    "sv/bjorkfors-socialnamnden-2024-06-18.html": "ede15ef41dd6a260f6cd",
    "sv/granby-kultur-och-fritidsnamnden-2024-04-09.html": "89cad1bff2b3e537affc",
    "sv/lillasa-miljo-och-byggnadsnamnden-2024-03-21.html": "4e248c1fc0afd998c2ca",
    "sv/norrbacka-barn-och-utbildningsnamnden-2024-11-12-preliminart.html": "ef94536ce36090c343d4",
    "sv/sjohamra-kommunstyrelsen-2024-09-10.html": "95fe851267fe003359b3",
    "tei/eastmarch-assembly-2024-02-07.parlamint.xml": "91c2c26d242016d37423",
    "tei/riksdagen-snabbprotokoll-ocr.xml": "206ea5e35a2dc888f4ff",
    "third_party/akn/ke_Debate_Bungeni_2011-06-10.an.xml": "e5666c282d298f21c58d",
    "third_party/html_meeting_pages/det_library_commission.html": "fe9e39752c25214e1048",
    "third_party/html_meeting_pages/det_police_department.html": "b2a697b659eabe3d6309",
    "third_party/oparl/karlsruhe-meeting-10023.json": "2b8eff5ea86e2c695deb",
    "third_party/oparl/spec-Meeting-01.json": "4b4dddef556b52dfd043",
    "third_party/tei/prot-202223--013.xml": "699258767d0c8aa315a2",
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
