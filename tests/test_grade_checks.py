"""The lesson checks themselves, run in this process (fast).

- every reference passes every check of every lesson;
- every untouched stub fails with "not implemented yet";
- every mistake in the catalogue (tests/mistakes) fails with its targeted message,
  and every exercise has at least 3 catalogued mistakes;
- the stubs in the lesson notebooks are derived from the references (no drift);
- the notebooks hold exactly the registered exercises, each followed by its check
  cell, and are stored without outputs.
"""

import ast
import inspect
from pathlib import Path

import nbformat
import pytest

from rnn_course.grade import notebook
from rnn_course.grade.execution import run_checks
from rnn_course.grade.registry import LESSONS, load_all
from rnn_course.grade.stubs import stub_source
from tests.mistakes import load as load_mistakes

LESSON_DIR = Path(__file__).resolve().parent.parent / "lessons"
NOTEBOOKS = sorted(LESSON_DIR.glob("[0-9][0-9]_*.ipynb"))
EXERCISES = load_all()
MISTAKES = load_mistakes()


def _exercise_cells():
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        for i, c in enumerate(nb.cells):
            if "exercise" in c.metadata.get("tags", []):
                yield path.name, nb, i, c


@pytest.mark.parametrize("ex_id", sorted(EXERCISES))
def test_reference_passes_every_check(ex_id):
    ex = EXERCISES[ex_id]
    result = run_checks(ex, ex.reference_function())
    assert result["status"] == "pass", result
    assert result["passed"] == len(ex.checks) >= 2


@pytest.mark.parametrize("ex_id", sorted(EXERCISES))
def test_untouched_stub_is_not_implemented(ex_id):
    ns = {}
    exec(stub_source(EXERCISES[ex_id].reference_function()), ns)
    result = run_checks(EXERCISES[ex_id], ns[ex_id])
    assert result["status"] == "not implemented"
    assert "not implemented yet" in result["message"]


@pytest.mark.parametrize(
    "ex_id, expect, fn", MISTAKES, ids=[f"{m[0]}-{m[2].__name__}" for m in MISTAKES]
)
def test_mistake_gets_its_targeted_message(ex_id, expect, fn):
    result = run_checks(EXERCISES[ex_id], fn)
    assert result["status"] == "fail"
    messages = [t["message"] for t in result["tests"] if not t["passed"]]
    assert any(expect in m for m in messages), messages


def test_catalogue_has_three_mistakes_per_exercise():
    counts = {ex_id: 0 for ex_id in EXERCISES}
    for ex_id, _, _ in MISTAKES:
        counts[ex_id] += 1
    assert min(counts.values()) >= 3, counts


def test_one_lesson_notebook_per_chapter():
    assert [p.name[:2] for p in NOTEBOOKS] == list(LESSONS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_holds_its_lesson_exercises_each_followed_by_check(path):
    nb = nbformat.read(path, as_version=4)
    lesson = notebook.lesson_of(nb)
    ids = [ex_id for ex_id, _ in notebook.exercise_cells(nb)]
    assert ids == [e.id for e in EXERCISES.values() if e.lesson == lesson]
    for i, c in enumerate(nb.cells):
        if "exercise" in c.metadata.get("tags", []):
            assert nb.cells[i + 1].source.strip() == f"check({c.metadata['exercise']})"
    for c in nb.cells:
        if c.cell_type == "code":
            assert c.outputs == [] and c.execution_count is None, "commit notebooks without outputs"


@pytest.mark.parametrize(
    "where", list(_exercise_cells()), ids=lambda w: f"{w[0]}-{w[3].metadata['exercise']}"
)
def test_stub_matches_library_signature_and_docstring(where):
    _, _, _, cell = where
    ref = EXERCISES[cell.metadata["exercise"]].reference_function()
    assert cell.source.rstrip() == stub_source(ref).rstrip(), (
        "stub drifted from the library: run `python -m rnn_course.grade.stubs lessons/*.ipynb`"
    )
    tree = ast.parse(cell.source)
    fn = tree.body[0]
    assert ast.get_docstring(fn) == inspect.getdoc(ref)
    ns = {}
    exec(cell.source, ns)
    assert inspect.signature(ns[ref.__name__]) == inspect.signature(ref)
