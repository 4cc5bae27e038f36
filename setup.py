"""The C scanner behind ``publisher.text.WordSet`` (everything else is in pyproject.toml).

The extension is optional: without a C compiler the install goes on without it, and the same
answers come from regular expressions, only slower (``tests/test_text_scan.py`` says so).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "publisher._speedups",
            sources=["publisher/_speedups.c"],
            optional=True,
            extra_compile_args=["-O2"],
        )
    ]
)
