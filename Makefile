# The two commands a newcomer needs:  `make run`  and  `make test`.
# Both create .venv with the interpreter named by PYTHON and install the project into it.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: run test lint unit bench clean browser nginx

# The install compiles the C speedups and the extraction core (mypyc, see setup.py): a change
# to any of them installs again, so that the compiled forms are never older than the sources.
NATIVE  = publisher/_speedups.c publisher/_flatten.c publisher/text.py publisher/privacy.py \
          $(addprefix publisher/extract/,parsing.py dates.py outcomes.py votecounts.py \
          sv_html.py akn.py tei.py oparl.py)

$(STAMP): pyproject.toml setup.py $(NATIVE)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/publisher run --config examples/demo.toml

lint: $(STAMP)
	$(BIN)/ruff check publisher workers feeds tests benchmarks
	$(BIN)/ruff format --check publisher workers feeds tests benchmarks
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -m "not slow"

# Debian's chromium for the browser tests (Playwright drives it; it never downloads one).
# Idempotent: does nothing when chromium is already installed.
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

# Debian's nginx: tests/test_compose.py runs deploy/nginx.conf in it (private prefix and port,
# never the system service). Idempotent like `browser`.
nginx:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || (apt-get update -qq && apt-get install -y -qq nginx)

test: lint browser nginx
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/extract.py
	$(BIN)/python benchmarks/pipeline.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
