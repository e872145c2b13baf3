"""The lesson notebooks with the references filled in run top to bottom, every check passing.

(The untouched notebooks are run by the nbval pass over lessons/ that CI does:
their check cells print "not implemented yet" and never raise.)
"""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from rnn_course.grade import notebook

LESSON_DIR = Path(__file__).resolve().parent.parent / "lessons"
NOTEBOOKS = sorted(LESSON_DIR.glob("[0-9][0-9]_*.ipynb"))


def _text(cell):
    return "".join(
        o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_filled_in_lesson_runs_and_passes(path):
    nb = nbformat.read(path, as_version=4)
    filled = notebook.with_exercises(nb, notebook.reference_sources(nb))
    NotebookClient(
        filled,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(LESSON_DIR)}},
    ).execute()
    checks = [c for c in filled.cells if c.cell_type == "code" and c.source.startswith("check(")]
    assert checks
    for c in checks:
        out = _text(c)
        assert "[PASS]" in out and "FAIL" not in out, out
    assert not any("implement" in _text(c) and "to see this" in _text(c) for c in filled.cells)
