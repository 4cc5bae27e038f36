"""The extraction core, compiled: which modules, and the guard that never runs a stale build.

The modules in ``NATIVE_MODULES`` are plain, typed Python. When the project is installed
with mypyc at hand (a build requirement, see ``setup.py``), each is also compiled to a C
extension beside its source, and Python imports the extension instead: the same code, a
fifth to a third faster (benchmarks/extract.py), which is what brings extraction within its
speed target.

A compiled module is only ever used when it was built from exactly the source beside it.
``setup.py`` records each source's SHA-256 in ``publisher/_native_build.py`` (generated, not
committed). ``guard()`` runs first thing when ``publisher`` is imported: if any compiled
module is missing, was built from other source (an editable install edited since its last
build) or ``PUBLISHER_PURE_PYTHON`` is set, every one of them is imported from its source
instead. All or none: the compiled modules call each other directly, so a mix would run two
copies of one module. ``status()`` tells which way it went.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

#: compiled by setup.py (in this order of dependence) when mypyc is available
NATIVE_MODULES: tuple[str, ...] = (
    "publisher.text",
    "publisher.privacy",
    "publisher.extract.parsing",
    "publisher.extract.dates",
    "publisher.extract.outcomes",
    "publisher.extract.votecounts",
    "publisher.extract.sv_html",
    "publisher.extract.akn",
    "publisher.extract.tei",
    "publisher.extract.oparl",
)

#: the directory that holds the ``publisher`` package
_ROOT = Path(__file__).resolve().parent.parent

_state = "pure"


def source_path(name: str) -> Path:
    return _ROOT.joinpath(*name.split(".")).with_suffix(".py")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _compiled_path(name: str) -> Path | None:
    source = source_path(name)
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        candidate = source.with_suffix(suffix)
        if candidate.exists():
            return candidate
    return None


def decide(compiled: Sequence[str], recorded: dict[str, str], current: dict[str, str]) -> str:
    """``compiled``: the modules that have an extension beside their source; ``recorded``:
    module → digest of the source it was built from; ``current``: module → digest of the
    source now. "compiled" when every module may run compiled, "pure" when none is compiled,
    "stale" otherwise (then every module runs from its source)."""
    if not compiled:
        return "pure"
    if set(compiled) != set(NATIVE_MODULES):
        return "stale"
    if any(recorded.get(name) != current.get(name) for name in NATIVE_MODULES):
        return "stale"
    return "compiled"


class _SourceFirst(importlib.abc.MetaPathFinder):
    """Imports the native modules from their ``.py`` source, never from an extension."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in NATIVE_MODULES:
            return None
        source = source_path(fullname)
        if not source.exists():  # pragma: no cover - an install without its sources
            return None
        return importlib.util.spec_from_file_location(fullname, source)


def guard() -> None:
    """Decide, before any native module is imported, whether they run compiled."""
    global _state
    compiled = [name for name in NATIVE_MODULES if _compiled_path(name) is not None]
    if not compiled:
        _state = "pure"
        return
    try:
        from publisher import _native_build  # type: ignore[attr-defined]
    except ImportError:
        recorded: dict[str, str] = {}
    else:
        recorded = dict(_native_build.SOURCES)
        # the compiled modules' shared library, beside the package
        if not any(_ROOT.glob(f"{_native_build.LIBRARY}.*")):
            recorded = {}
    current = {name: digest(source_path(name)) for name in NATIVE_MODULES}
    _state = decide(compiled, recorded, current)
    if os.environ.get("PUBLISHER_PURE_PYTHON", "") not in ("", "0"):
        _state = "pure"
    if _state != "compiled":
        already = [name for name in NATIVE_MODULES if name in sys.modules]
        if already:  # pragma: no cover - publisher imports this before anything else
            raise ImportError(f"imported before publisher._native.guard: {already}")
        sys.meta_path.insert(0, _SourceFirst())


def status() -> str:
    """ "compiled", "pure" (nothing compiled, or ``PUBLISHER_PURE_PYTHON`` set) or "stale"
    (compiled from other sources, or in part: the sources run)."""
    return _state
