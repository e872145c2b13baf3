# rnn-course: two commands set everything up.
#   make book   create .venv if missing, install, build the HTML book (warnings are errors)
#   make test   create .venv if missing, install, run every test (package, lessons, notebooks, built book)
#   make serve  the built book on http://127.0.0.1:8000/ (search with excerpts)
#   make pdf    the whole book as one PDF, _build/pdf/rnn-course.pdf (offline: Debian's chromium)
# Also: make check (lint + library + lesson checks, < 1 min), make lint, make bench,
# make test-claims (the chapters' claims on more seeds and budgets, ~15 min CPU), make clean,
# make test-pythons, make wheel.
# Another interpreter: make test-unit PYTHON=python3.13 (its own venv, .venv-3.13).

SHELL := /bin/bash
PYTHON ?= python3
PYENV_ROOT ?= $(HOME)/.pyenv
# The interpreter to build venvs with. `python3.13` may be a pyenv shim that is not
# activated, so fall back to pyenv's own copy of that version.
PYTHON_BIN := $(shell $(PYTHON) -c 'import sys; print(sys.executable)' 2>/dev/null || \
	ls -d $(PYENV_ROOT)/versions/$(patsubst python%,%,$(PYTHON)).*/bin/python3 2>/dev/null | tail -1)
PY_VERSION := $(shell $(PYTHON_BIN) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
ifeq ($(PYTHON),python3)
VENV ?= .venv
else
VENV ?= .venv-$(PY_VERSION)
endif
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
# CI also runs the library's unit tests on every other supported Python found here.
SUPPORTED_PYTHONS := 3.11 3.12 3.13
LIB_TESTS := tests/test_numpy_rnn.py tests/test_layers.py tests/test_torch_rnn.py \
	tests/test_data.py tests/test_numpy_training.py tests/test_train.py tests/test_doctests.py \
	tests/test_bad_input.py tests/test_scan.py tests/test_min_rnn.py
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install book serve pdf pdf-from-cache test test-unit test-claims test-notebooks test-browser lint bench clean test-pythons wheel wheels check

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -n "$(PYTHON_BIN)" || { echo "make: no interpreter found for PYTHON=$(PYTHON)"; exit 2; }
	@test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@echo "Installing requirements.txt into $(VENV) (a few minutes the first time)..."
	$(PY) -m pip install --quiet --quiet -r requirements.txt
	@touch $(STAMP)

# The two distributions, built from copies of the sources in temporary directories (so
# setuptools' build/ and egg-info never land in the working tree), into _build/wheel:
# rnn_course (the library: wheel) and rnn-grade (the grader: wheel and sdist). The grader's
# stage holds rnn_grade/ with every lesson folder's grading files copied into
# rnn_grade/lessons/NN_<name>/ (fixtures and bytecode left out) and grader/pyproject.toml
# without its repository-only table.
wheel wheels: $(STAMP)
	@set -euo pipefail; rm -rf _build/wheel; tmp=$$(mktemp -d); \
	cp -r rnn_course pyproject.toml README.md LICENSE $$tmp/; \
	find $$tmp -name __pycache__ -prune -exec rm -rf {} +; \
	$(PY) -m pip wheel --quiet --no-deps --no-build-isolation -w $(CURDIR)/_build/wheel $$tmp; \
	rm -rf $$tmp; tmp=$$(mktemp -d); \
	sed '/^# --- repository only/,$$d' grader/pyproject.toml > $$tmp/pyproject.toml; \
	cp -r rnn_grade LICENSE $$tmp/; cp README.md $$tmp/README.md; \
	for d in lessons/[0-9][0-9]_*/; do \
	  mkdir -p $$tmp/rnn_grade/lessons/$$(basename $$d); \
	  (cd $$d && find . -maxdepth 1 -type f ! -name '*.pyc' -exec cp {} $$tmp/rnn_grade/lessons/$$(basename $$d)/ \;); \
	done; \
	find $$tmp -name __pycache__ -prune -exec rm -rf {} +; \
	for hook in build_sdist build_wheel; do \
	  (cd $$tmp && $(CURDIR)/$(PY) -c "import sys; from setuptools import build_meta as b; \
	    b.$$hook(sys.argv[1])" $(CURDIR)/_build/wheel) >/dev/null 2>&1; \
	done; \
	rm -rf $$tmp; ls _build/wheel/

# For each supported Python this machine has (the default one too): a venv of its own
# outside the repository (~/.cache/rnn-course), the pinned runtime and test dependencies,
# both wheels installed into it (not the source tree), .ci/check_installed.py (the
# installed rnn-grade grades a fresh, a correct and a wrong lesson-02 notebook in its
# sandbox: 0/3, 3/3 and the named mistake) and the library's unit tests, run from a copy of
# tests/ outside the repository so that they import the installed wheels. For the first
# Python, rnn-grade is then reinstalled from its sdist and checked again.
CI_VENVS ?= $(HOME)/.cache/rnn-course
test-pythons: wheel
	@set -euo pipefail; sdist=$$(ls _build/wheel/rnn_grade-*.tar.gz); \
	for v in $(SUPPORTED_PYTHONS); do \
	  exe=$$(command -v python$$v >/dev/null 2>&1 && python$$v -c 'import sys; print(sys.executable)' 2>/dev/null || \
	         ls -d $(PYENV_ROOT)/versions/$$v.*/bin/python3 2>/dev/null | tail -1 || true); \
	  if [ -z "$$exe" ]; then echo "test-pythons: Python $$v not found, skipped"; continue; fi; \
	  venv=$(CI_VENVS)/venv-$$v; start=$$(date +%s); \
	  [ -x $$venv/bin/python ] || $$exe -m venv $$venv; \
	  grep -E '^(numpy|torch|matplotlib|tqdm|nbformat|pytest|hypothesis)==' requirements.txt > $$venv/pins.new; \
	  if ! cmp -s $$venv/pins.new $$venv/pins.txt; then \
	    $$venv/bin/python -m pip install --quiet -r $$venv/pins.new && mv $$venv/pins.new $$venv/pins.txt; \
	  fi; \
	  $$venv/bin/python -m pip install --quiet --no-deps --force-reinstall _build/wheel/*.whl; \
	  tmp=$$(mktemp -d); cp -r tests $$tmp/tests; cp .ci/check_installed.py $$tmp/; \
	  (cd $$tmp && $$venv/bin/python check_installed.py $(CURDIR)/lessons/02_srn && \
	   $$venv/bin/python -m pytest -q -p no:cacheprovider $(LIB_TESTS)) || { rm -rf $$tmp; exit 1; }; \
	  if [ -n "$$sdist" ]; then \
	    $$venv/bin/python -m pip install --quiet --no-deps --force-reinstall $$sdist; \
	    (cd $$tmp && $$venv/bin/python check_installed.py $(CURDIR)/lessons/02_srn) || { rm -rf $$tmp; exit 1; }; \
	    echo "test-pythons: Python $$v: rnn-grade from the sdist passed too"; sdist=""; \
	  fi; \
	  rm -rf $$tmp; echo "test-pythons: Python $$v passed in $$(( $$(date +%s) - start )) s"; \
	done

# Every notebook is executed once per build: the execution cache is cleared first, and the
# PDF build (pdf-from-cache) reuses the outputs instead of running the notebooks again.
# One line the kernels print per notebook, "Kernel is running over TCP without encryption",
# is dropped from the log: the kernels listen on 127.0.0.1 only, and it reads like an error.
BOOK_STAMP := _build/.book-sources
# What the notebooks import: a change here makes their cached outputs stale.
EXEC_SOURCES = $(wildcard rnn_course book/rnn_book) requirements.txt
SERVE_PORT ?= 8000
book: $(STAMP)
	rm -rf _build/html _build/.doctrees _build/.jupyter_cache _build/jupyter_execute $(BOOK_STAMP)
	@set -o pipefail; $(VENV)/bin/jupyter-book build . --all -W -n --keep-going 2>&1 | \
	  grep --line-buffered -v 'Kernel is running over TCP without encryption'
	@touch $(BOOK_STAMP)
	@echo ""
	@echo "Read the book: run 'make serve' and open http://127.0.0.1:$(SERVE_PORT)/ (search works there)."
	@echo "Or open file://$(CURDIR)/_build/html/index.html (search then lists pages without excerpts)."

# The built book on this machine only (127.0.0.1), so that search can read the pages.
serve:
	@test -f _build/html/index.html || { echo "make serve: no book yet; run 'make book' first"; exit 2; }
	@echo "Serving the book at http://127.0.0.1:$(SERVE_PORT)/ (Ctrl+C stops it)"
	@$(PYTHON_BIN) -m http.server $(SERVE_PORT) --bind 127.0.0.1 --directory _build/html

# The whole book as one PDF: a single-page HTML build printed by Debian's chromium through
# Playwright once MathJax has typeset. `make pdf` reuses the notebooks executed by the last
# `make book` when no Python file the notebooks import changed since (jupyter-cache itself
# re-runs a notebook whose own code changed); otherwise it runs them afresh.
pdf: $(STAMP)
	@if [ -f $(BOOK_STAMP) ] && [ -d _build/.jupyter_cache ] && [ -z "$$(find $(EXEC_SOURCES) \
	    -newer $(BOOK_STAMP) \( -name '*.py' -o -name 'requirements.txt' \) -print -quit)" ]; then \
	  echo "make pdf: reusing the notebooks executed by the last 'make book'"; \
	else \
	  echo "make pdf: code changed since the last 'make book' (or none yet): running the notebooks"; \
	  rm -rf _build/.jupyter_cache; \
	fi
	$(MAKE) pdf-from-cache

pdf-from-cache: $(STAMP)
	rm -rf _build/singlehtml
	@set -o pipefail; $(VENV)/bin/jupyter-book build . --builder singlehtml --all -W -n \
	  --keep-going 2>&1 | grep --line-buffered -v 'Kernel is running over TCP without encryption'
	$(PY) book/_ext/print_pdf.py _build/singlehtml _build/pdf/rnn-course.pdf

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# The contributor's loop (under a minute): lint, the library's tests and the lesson checks;
# no sandbox, no notebooks, no training runs. `make test` stays the full suite CI runs.
CHECK_TESTS := tests/test_numpy_rnn.py tests/test_layers.py tests/test_torch_rnn.py \
	tests/test_data.py tests/test_bad_input.py tests/test_doctests.py tests/test_grade_checks.py
check: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -q -p no:cacheprovider -m "not slow" $(CHECK_TESTS)

# Package, grader and lesson tests (everything in tests/ except the built-book check and the
# slow claims runs, which have their own target below).
test-unit: $(STAMP)
	$(VENV)/bin/pytest -q -m "not browser and not (slow and claims)" tests

# The chapters' claims tried on more seeds, 3x the budget and learning rates x0.3 and x3
# (tests/claims, marked slow): about 15 minutes of CPU, so not part of `make test`.
test-claims: $(STAMP)
	$(VENV)/bin/pytest -q -m "slow and claims" tests/claims

# Every notebook runs top to bottom (nbval; outputs are compared only where a cell is tagged).
test-notebooks: $(STAMP)
	$(VENV)/bin/pytest -q --nbval-lax book lessons

# The built HTML and PDF opened in headless Chromium (needs `make book pdf` first).
test-browser: $(STAMP)
	$(VENV)/bin/pytest -q -m browser tests

test: lint test-unit test-pythons test-notebooks book pdf-from-cache test-browser
	@echo "make test: all checks passed"

bench: $(STAMP)
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $(PY) benchmarks/run_all.py

clean:
	rm -rf _build .pytest_cache .ruff_cache .hypothesis
