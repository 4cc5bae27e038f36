"""The compiled extraction core (mypyc, ``publisher/_native.py``): built, fresh, and giving the
very same answers as its Python sources.

A compiled module that ran stale code would be the worst kind of bug (a fix that does not
run), and one that answered differently from its source would make every other test a test
of the wrong thing: so both are checked here, on every sample document there is.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from publisher import _native
from publisher.cli import load_selectors
from publisher.extract import ExtractOptions, detect, extract_all
from publisher.model import to_dict

from .conftest import FIXTURES, ROOT, THIRD_PARTY

GENERALITY = ROOT / "tests" / "generality"


def _documents() -> list[Path]:
    paths = [*FIXTURES.rglob("*"), *GENERALITY.rglob("*"), *THIRD_PARTY.rglob("*")]
    return sorted(p for p in paths if p.is_file() and p.suffix in (".html", ".xml", ".json"))


def _options(path: Path) -> ExtractOptions:
    for suffix in (".toml", ".json"):
        config = path.with_suffix(suffix)
        if config.exists() and config != path:
            return ExtractOptions(selectors=load_selectors(str(config)))
        config = FIXTURES / "selectors" / (path.stem + suffix)
        if config.exists():
            return ExtractOptions(selectors=load_selectors(str(config)))
    return ExtractOptions()


def _digests() -> dict[str, str]:
    """Document → hash of its extracted JSON (or of the error it raises)."""
    found: dict[str, str] = {}
    for path in _documents():
        data = path.read_bytes()
        options = _options(path)
        try:
            fmt = detect(data, options)
            result: object = [to_dict(p) for p in extract_all(data, fmt, options)]
        except Exception as exc:  # noqa: BLE001 - the error is part of the answer
            result = f"{type(exc).__name__}: {exc}"
        text = json.dumps(result, sort_keys=True, ensure_ascii=False, default=str)
        found[str(path)] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return found


def test_the_extraction_core_runs_compiled() -> None:
    # make install compiles it; a build that silently lost it would be slower than the
    # benchmark target, and a stale one would run sources other than these
    assert _native.status() == "compiled", (
        f"the extraction core is {_native.status()}: `make` compiles it"
    )
    for name in _native.NATIVE_MODULES:
        module = sys.modules.get(name) or __import__(name, fromlist=["_"])
        assert not str(module.__file__).endswith(".py"), name


def test_compiled_and_source_give_the_same_answers() -> None:
    script = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); "
        "from tests.test_native import _digests; print(json.dumps(_digests()))"
    )
    env = {**os.environ, "PUBLISHER_PURE_PYTHON": "1"}
    done = subprocess.run(
        [sys.executable, "-c", script, str(ROOT)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        cwd=ROOT,
    )
    pure = json.loads(done.stdout)
    assert len(pure) > 100
    assert _digests() == pure


def test_pure_python_is_what_the_environment_asks_for() -> None:
    script = (
        "import publisher._native as n, publisher.extract.sv_html as s; "
        "print(n.status(), s.__file__)"
    )
    env = {**os.environ, "PUBLISHER_PURE_PYTHON": "1"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    state, path = done.stdout.split()
    assert state == "pure" and path.endswith("sv_html.py")


@pytest.mark.parametrize(
    ("compiled", "recorded", "expected"),
    [
        ((), {}, "pure"),
        (_native.NATIVE_MODULES, {"x": "1"}, "stale"),  # built from other sources
        (_native.NATIVE_MODULES[:-1], None, "stale"),  # one failed to compile
        (_native.NATIVE_MODULES, None, "compiled"),
    ],
)
def test_a_compiled_module_runs_only_when_built_from_these_sources(
    compiled: tuple[str, ...], recorded: dict[str, str] | None, expected: str
) -> None:
    current = {name: f"digest of {name}" for name in _native.NATIVE_MODULES}
    assert _native.decide(compiled, current if recorded is None else recorded, current) == expected


def test_an_edited_source_is_run_instead_of_its_stale_compiled_form(tmp_path: Path) -> None:
    # a copy of the installed tree with one source changed after the build
    copy = tmp_path / "tree"
    copy.mkdir()
    publisher_dir = ROOT / "publisher"
    subprocess.run(["cp", "-a", str(publisher_dir), str(copy / "publisher")], check=True)
    for library in ROOT.glob("*__mypyc*"):
        subprocess.run(["cp", "-a", str(library), str(copy)], check=True)
    source = copy / "publisher" / "extract" / "tei.py"
    source.write_text(source.read_text("utf-8") + "\nEDITED_AFTER_THE_BUILD = True\n", "utf-8")
    script = (
        "import publisher._native as n, publisher.extract.tei as t; "
        "print(n.status(), t.__file__, getattr(t, 'EDITED_AFTER_THE_BUILD', False))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=copy,
        env={**os.environ, "PYTHONPATH": str(copy), "PUBLISHER_PURE_PYTHON": ""},
    )
    state, path, edited = done.stdout.split()
    assert (state, edited) == ("stale", "True") and path.endswith("tei.py")
