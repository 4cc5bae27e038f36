"""The C parts of the project (everything else is in pyproject.toml).

* ``publisher._speedups``: the word-set scanner and text helpers behind ``publisher.text``.
* ``publisher._flatten``: the Swedish reader's HTML flattening as one walk of lxml's tree,
  built against the headers of the lxml in the build environment (and used only with that
  lxml version; otherwise the stylesheet it stands in for runs).
* The extraction core (``publisher._native.NATIVE_MODULES``), compiled with mypyc from the
  very same typed Python. The sources stay beside their compiled forms, and
  ``publisher/_native.py`` runs them instead whenever a compiled module was built from
  other source (an editable install edited since).

Both are optional: without a C compiler, or with ``PUBLISHER_PURE_PYTHON=1`` set while
installing, the install goes on with plain Python, which gives the same answers more slowly
(``tests/test_native.py`` checks that, and that a normal build is compiled).
"""

import importlib.util
import os
import sys
from pathlib import Path

from setuptools import Extension, setup

ROOT = Path(__file__).resolve().parent
#: the setup commands that build extensions (pip runs others for metadata first)
BUILDS = frozenset(("build", "build_ext", "bdist_wheel", "editable_wheel", "develop", "install"))


def _load_native_module():
    spec = importlib.util.spec_from_file_location("_native", ROOT / "publisher" / "_native.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def native_extensions() -> list[Extension]:
    """The mypyc-compiled extraction core, and a record of the sources it was built from."""
    native = _load_native_module()
    record = ROOT / "publisher" / "_native_build.py"
    record.unlink(missing_ok=True)
    if os.environ.get("PUBLISHER_PURE_PYTHON", "") not in ("", "0"):
        return []
    if not BUILDS.intersection(sys.argv[1:]):
        return []  # metadata only: no need to compile (each compile type-checks everything)
    try:
        from mypyc.build import mypycify
    except ImportError:
        print("mypyc is not installed: the extraction core stays plain Python", file=sys.stderr)
        return []
    sources = [str(native.source_path(name).relative_to(ROOT)) for name in native.NATIVE_MODULES]
    try:
        extensions = mypycify(sources, opt_level="3", debug_level="0")
    except (Exception, SystemExit) as exc:  # a type error or a mypyc bug: build without
        print(f"mypyc could not compile the extraction core: {exc}", file=sys.stderr)
        return []
    library = next((ext.name for ext in extensions if ext.name.endswith("__mypyc")), "")
    digests = {name: native.digest(native.source_path(name)) for name in native.NATIVE_MODULES}
    record.write_text(
        '"""Written by setup.py: what the compiled modules were built from."""\n\n'
        f"LIBRARY = {library!r}\n"
        f"SOURCES = {digests!r}\n",
        "utf-8",
    )
    for extension in extensions:
        extension.optional = True  # no compiler: the sources run (publisher._native)
    return extensions


def flatten_extensions() -> list[Extension]:
    """``publisher._flatten`` when lxml and its headers are at hand (they are in its wheels)."""
    try:
        import lxml
    except ImportError:
        print("lxml is not installed: HTML is flattened by its stylesheet", file=sys.stderr)
        return []
    return [
        Extension(
            "publisher._flatten",
            sources=["publisher/_flatten.c"],
            include_dirs=lxml.get_include(),
            optional=True,
            extra_compile_args=["-O2"],
        )
    ]


setup(
    ext_modules=[
        Extension(
            "publisher._speedups",
            sources=["publisher/_speedups.c"],
            optional=True,
            extra_compile_args=["-O2"],
        ),
        *flatten_extensions(),
        *native_extensions(),
    ]
)
