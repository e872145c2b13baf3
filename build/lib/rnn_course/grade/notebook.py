"""Read a lesson notebook: its lesson number, setup cells and exercise cells.

Cell conventions (set by the lesson authors, kept by learners):

- ``tags: ["setup"]``     imports the exercises need; the grader runs these first.
- ``tags: ["exercise"]`` and ``metadata["exercise"] = "srn_step_forward"``:
  the learner's code for one exercise (the function of that name).
- notebook ``metadata["rnn_course"]["lesson"] = "02"``.

The notebook file is only ever read here, never written.
"""

import nbformat

from .registry import load_all


def read(path):
    """The notebook at ``path`` as a NotebookNode (v4); raises ValueError with a readable reason."""
    try:
        with open(path, encoding="utf-8") as f:
            return nbformat.read(f, as_version=4)
    except Exception as exc:
        raise ValueError(f"cannot read {path} as a notebook: {type(exc).__name__}: {exc}") from None


def _tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def setup_source(nb):
    return "\n".join(c.source for c in nb.cells if c.cell_type == "code" and "setup" in _tags(c))


def exercise_cells(nb):
    """[(exercise id, source)] of the cells tagged ``exercise``, in notebook order."""
    cells = []
    for c in nb.cells:
        if c.cell_type == "code" and "exercise" in _tags(c):
            cells.append((c.metadata.get("exercise", ""), c.source))
    return cells


def lesson_of(nb):
    """The lesson number from the metadata, else from the exercise ids."""
    lesson = nb.metadata.get("rnn_course", {}).get("lesson")
    if lesson:
        return str(lesson)
    exercises = load_all()
    for ex_id, _ in exercise_cells(nb):
        if ex_id in exercises:
            return exercises[ex_id].lesson
    return None


def with_exercises(nb, sources):
    """A copy of ``nb`` whose exercise cells hold ``sources[id]`` (others unchanged).

    For tests and instructors (e.g. a notebook with the reference solutions filled in:
    ``{"srn_step_forward": "from rnn_course.numpy_rnn import srn_step_forward"}``).
    """
    nb = nbformat.reads(nbformat.writes(nb), as_version=4)  # a deep copy
    for c in nb.cells:
        if (
            c.cell_type == "code"
            and "exercise" in _tags(c)
            and c.metadata.get("exercise") in sources
        ):
            c.source = sources[c.metadata["exercise"]]
    return nb


def reference_sources(nb):
    """{exercise id: an import of its reference} for the exercises of ``nb``."""
    exercises = load_all()
    out = {}
    for ex_id, _ in exercise_cells(nb):
        if ex_id in exercises:
            module, name = exercises[ex_id].reference.split(":")
            out[ex_id] = f"from {module} import {name}"
    return out
