"""The lesson notebooks with the solutions filled in run top to bottom, every check passing,
and every capstone printing its result.

(The untouched notebooks are run by the nbval pass over lessons/ that CI does: their
check cells print "not implemented yet" and the capstones what is still missing.)
"""

import importlib
import inspect
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from rnn_grade import notebook
from rnn_grade.registry import load_all

LESSON_DIR = Path(__file__).resolve().parent.parent / "lessons"
NOTEBOOKS = sorted(LESSON_DIR.glob("[0-9][0-9]_*/[0-9][0-9]_*.ipynb"))
EXERCISES = load_all()
COMPANIONS = set(EXERCISES) | {n for ex in EXERCISES.values() for n in ex.companions}


def _text(cell):
    return "".join(
        o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream"
    )


def solution_sources(nb):
    """{exercise id: the source of the lesson's solution (and its companions)}, as a
    learner would type it (an import would trip the grader's tripwire)."""
    out = {}
    for ex_id, _ in notebook.exercise_cells(nb):
        ex = EXERCISES[ex_id]
        if not ex.package:  # a lesson not yet in its folder: import the reference
            module, name = ex.reference.split(":")
            out[ex_id] = f"from {module} import {name}"
        else:
            module = importlib.import_module(ex.package + ".solutions")
            names = [*_helpers(module), *ex.companions, ex_id]
            parts = [_imports(module)] + [inspect.getsource(getattr(module, n)) for n in names]
            out[ex_id] = "\n\n".join(parts)
    return out


def _imports(module):
    """The module's one-line import statements (a cell must import what it uses)."""
    lines = inspect.getsource(module).splitlines()
    return "\n".join(line for line in lines if re.match(r"(import|from) \S+", line))


def _helpers(module):
    """Functions of a solutions module that are no exercise (e.g. a sigmoid)."""
    return [
        n
        for n, f in vars(module).items()
        if inspect.isfunction(f) and f.__module__ == module.__name__ and n not in COMPANIONS
    ]


def run_filled(path):
    nb = nbformat.read(path, as_version=4)
    filled = notebook.with_exercises(nb, solution_sources(nb))
    NotebookClient(
        filled,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(LESSON_DIR)}},
    ).execute()
    return filled


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_filled_in_lesson_runs_and_passes(path):
    filled = run_filled(path)
    checks = [c for c in filled.cells if c.cell_type == "code" and c.source.startswith("check(")]
    assert checks
    for c in checks:
        out = _text(c)
        assert "[PASS]" in out and "FAIL" not in out, out
    text = "\n".join(_text(c) for c in filled.cells)
    assert "still to do" not in text and "to see this" not in text, text
