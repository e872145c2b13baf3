# rnn-course: two commands set everything up.
#   make book   create .venv if missing, install, build the HTML book (warnings are errors)
#   make test   create .venv if missing, install, run every test (package, lessons, notebooks, built book)
#   make pdf    the whole book as one PDF, _build/pdf/rnn-course.pdf (offline: Debian's chromium)
# Also: make lint, make bench, make clean.

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install book pdf pdf-from-cache test test-unit test-notebooks test-browser lint bench clean

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

# Every notebook is executed once per build: the execution cache is cleared first, and the
# PDF build (pdf-from-cache) reuses the outputs instead of running the notebooks again.
book: $(STAMP)
	rm -rf _build/html _build/.doctrees _build/.jupyter_cache _build/jupyter_execute
	$(VENV)/bin/jupyter-book build . --all -W -n --keep-going
	@echo ""
	@echo "Open the book: file://$(CURDIR)/_build/html/index.html"

# The whole book as one PDF: a single-page HTML build printed by Debian's chromium through
# Playwright once MathJax has typeset. `make pdf` runs the notebooks afresh; `make test`
# calls pdf-from-cache right after `make book`.
pdf: $(STAMP)
	rm -rf _build/.jupyter_cache
	$(MAKE) pdf-from-cache

pdf-from-cache: $(STAMP)
	rm -rf _build/singlehtml
	$(VENV)/bin/jupyter-book build . --builder singlehtml --all -W -n --keep-going
	$(PY) book/_ext/print_pdf.py _build/singlehtml _build/pdf/rnn-course.pdf

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# Package, grader and lesson tests (everything in tests/ except the built-book check).
test-unit: $(STAMP)
	$(VENV)/bin/pytest -q -m "not browser" tests

# Every notebook runs top to bottom (nbval; outputs are compared only where a cell is tagged).
test-notebooks: $(STAMP)
	$(VENV)/bin/pytest -q --nbval-lax book lessons

# The built HTML and PDF opened in headless Chromium (needs `make book pdf` first).
test-browser: $(STAMP)
	$(VENV)/bin/pytest -q -m browser tests

test: lint test-unit test-notebooks book pdf-from-cache test-browser
	@echo "make test: all checks passed"

bench: $(STAMP)
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $(PY) benchmarks/run_all.py

clean:
	rm -rf _build .pytest_cache .ruff_cache .hypothesis
