"""Shared paths, fixtures and assertion helpers for every test file.

The book's code, ``book/rnn_book``, is importable as ``rnn_book``.

Paths (module constants and fixtures of the same name, lower case):
``ROOT`` the repository, ``BOOK_DIR`` / ``LESSON_DIR`` the notebook folders,
``BOOK_NOTEBOOKS`` / ``LESSON_NOTEBOOKS`` the numbered notebooks in them.

Session-wide settings, applied once before any test runs: torch and the BLAS
libraries use one thread (tests are small; thread pools only contend on a
2-core machine), and matplotlib draws with the non-interactive Agg backend.

``assert_within(errors, budget, what)`` is the one way a gradient or parity test
fails: it names the worst array, its error and the budget, then lists the rest.
"""

import os
import sys
from pathlib import Path

import numpy as np
import pytest

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parent.parent
BOOK_DIR = ROOT / "book"
LESSON_DIR = ROOT / "lessons"
# The book's own code (figures, experiments) is not installed: import it from book/.
if str(BOOK_DIR) not in sys.path:
    sys.path.insert(0, str(BOOK_DIR))
BOOK_NOTEBOOKS = sorted(BOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
LESSON_NOTEBOOKS = sorted(LESSON_DIR.glob("[0-9][0-9]_*/[0-9][0-9]_*.ipynb"))


MARKERS = {
    "slow": "trains a model for seconds (deselect with -m 'not slow' for a quick run)",
    "browser": "needs headless Chromium and a built book",
    "gpu": "needs CUDA",
    "claims": "a chapter's claim about its own experiment (every test in tests/claims)",
}


def pytest_collection_modifyitems(config, items):
    claims = Path(__file__).resolve().parent / "claims"
    for item in items:  # `-m "slow and claims"` selects the refutation runs (make test-claims)
        if claims in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.claims)


def pytest_configure(config):
    for name, text in MARKERS.items():  # here, so a copy of tests/ outside the repo has them
        config.addinivalue_line("markers", f"{name}: {text}")
    try:
        import torch
    except ImportError:  # the library's NumPy half is usable without torch
        return
    torch.set_num_threads(1)


def assert_within(errors, budget, what=""):
    """Fail unless every value of ``errors`` (name -> float) is at most ``budget``.

    The message leads with the worst entry, e.g.
    ``lstm: dW_hh error 3.1e-02 > budget 1e-07 (all: dx 2.0e-09, ...)``.
    """
    assert errors, f"{what}: nothing was compared"
    worst = max(errors, key=lambda k: errors[k])
    if not errors[worst] <= budget:  # also catches NaN
        rest = ", ".join(f"{k} {v:.1e}" for k, v in sorted(errors.items(), key=lambda kv: -kv[1]))
        prefix = f"{what}: " if what else ""
        pytest.fail(
            f"{prefix}{worst} error {errors[worst]:.1e} > budget {budget:g} (all: {rest})",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def lesson_dir():
    return LESSON_DIR


@pytest.fixture(scope="session")
def lesson_notebooks():
    return LESSON_NOTEBOOKS


@pytest.fixture(scope="session")
def book_notebooks():
    return BOOK_NOTEBOOKS


@pytest.fixture
def rng():
    """A fresh ``numpy.random.Generator`` seeded 0 for each test."""
    return np.random.default_rng(0)
