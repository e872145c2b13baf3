"""Read a lesson notebook, safely, and pick out the cells the grader runs.

The notebook file is only ever read here, never written. ``load`` refuses what
is not a plain notebook file (a folder named ``.ipynb``, a FIFO or device, a
symlink leading out of the submissions, invalid JSON, nbformat 3, cells whose
source is not text) with one readable line.

Which cells are graded (``graded_cells``): the cells tagged ``setup`` (run
first), then, in notebook order, every code cell tagged ``exercise`` or
defining at top level a function of the lesson's exercises, so a retagged,
moved, duplicated or split cell still grades. The lesson is the instructor's
(``rnn-grade --lesson`` or the file name), never the notebook's metadata.
"""

import ast
import json
import os
import re
import stat
from dataclasses import dataclass, field

MAX_BYTES = 50 * 2**20  # a notebook larger than this is refused


class NotebookError(ValueError):
    """A file that cannot be graded as a notebook; ``str()`` is the one-line reason."""


@dataclass
class Cell:
    index: int
    cell_type: str
    source: str
    tags: list
    exercise: str | None  # metadata["exercise"], a hint only


@dataclass
class Graded:
    """What the grader runs: setup source, exercise cells, and what each one defines."""

    setup: str
    cells: list  # sources, in order
    defines: list  # set of top-level function names, per cell
    tagged: list  # metadata exercise id (or None), per cell
    helpers: set = field(default_factory=set)  # names bound only in cells not run


def _inside(path, root):
    return path == root or path.startswith(root.rstrip("/") + "/")


def load(path, root=None):
    """The notebook's cells as ``Cell`` objects; ``NotebookError`` with the reason if not one.

    ``root``: the submissions folder it was found in; a symlink leading outside it is refused.
    """
    path = os.fspath(path)
    try:
        st = os.lstat(path)
    except OSError as exc:
        raise NotebookError(f"cannot open: {exc.strerror}") from None
    target = path
    if stat.S_ISLNK(st.st_mode):
        target = os.path.realpath(path)
        if root is not None and not _inside(target, os.path.realpath(root)):
            raise NotebookError("a symlink leading out of the submissions folder: not read")
        try:
            st = os.stat(target)
        except OSError:
            raise NotebookError("a broken symlink") from None
    if stat.S_ISDIR(st.st_mode):
        raise NotebookError("a folder named like a notebook, not a notebook file")
    if not stat.S_ISREG(st.st_mode):
        raise NotebookError("not a regular file (a FIFO, socket or device): not read")
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(target, flags)
    except OSError as exc:
        raise NotebookError(f"cannot open: {exc.strerror}") from None
    try:
        fst = os.fstat(fd)
        if not stat.S_ISREG(fst.st_mode):
            raise NotebookError("not a regular file: not read")
        if fst.st_size > MAX_BYTES:
            raise NotebookError(f"{fst.st_size:,} bytes, over the {MAX_BYTES:,}-byte limit")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(MAX_BYTES + 1)
    finally:
        os.close(fd)
    return parse(data)


def parse(data):
    """``Cell`` objects of the notebook JSON ``data`` (bytes or str)."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise NotebookError("not UTF-8 text, so not a notebook") from None
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise NotebookError(f"not valid JSON ({exc}), so not a notebook") from None
    if type(doc) is not dict or "nbformat" not in doc:
        raise NotebookError("JSON, but not a Jupyter notebook (no nbformat field)")
    if doc["nbformat"] != 4:
        raise NotebookError(
            f"an nbformat {doc['nbformat']!r} notebook: open it in Jupyter and save it again "
            "(version 4)"
        )
    if type(doc.get("cells")) is not list:
        raise NotebookError("a notebook without a list of cells")
    cells = []
    for i, c in enumerate(doc["cells"]):
        if type(c) is not dict or type(c.get("cell_type")) is not str:
            raise NotebookError(f"cell {i + 1} is not a cell (no cell_type)")
        src = c.get("source", "")
        if type(src) is list and all(type(s) is str for s in src):
            src = "".join(src)
        if type(src) is not str:
            raise NotebookError(f"cell {i + 1}: its source is not text")
        meta = c.get("metadata") if type(c.get("metadata")) is dict else {}
        tags = meta.get("tags") if type(meta.get("tags")) is list else []
        ex = meta.get("exercise") if type(meta.get("exercise")) is str else None
        cells.append(Cell(i, c["cell_type"], src, [t for t in tags if type(t) is str], ex))
    return cells


_MAGIC = re.compile(r"^[ \t]*[%!].*$", re.MULTILINE)


def runnable(source):
    """The cell's source with IPython magics and shell lines (``%``, ``!``) blanked out."""
    return _MAGIC.sub("", source)


def _bound_names(tree):
    """(top-level function names, every top-level bound name) of a module AST."""
    fns, names = set(), set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            fns.add(node.name)
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                names.update(n.id for n in ast.walk(t) if isinstance(n, ast.Name))
    return fns, names


def _parse(source):
    try:
        return _bound_names(ast.parse(runnable(source)))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set(), set()


def graded_cells(cells, exercise_ids):
    """The ``Graded`` cells of a notebook for a lesson whose exercises are ``exercise_ids``."""
    ids = set(exercise_ids)
    setup, run, defines, tagged, helpers = [], [], [], [], set()
    for c in cells:
        if c.cell_type != "code":
            continue
        fns, names = _parse(c.source)
        if "setup" in c.tags:
            setup.append(runnable(c.source))
        elif "exercise" in c.tags or fns & ids:
            run.append(runnable(c.source))
            defines.append(fns)
            tagged.append(c.exercise)
        else:
            helpers |= names
    return Graded("\n".join(setup), run, defines, tagged, helpers)


# ------------------------------------------------------------------ for lesson authors and tests


def read(path):
    """The notebook at ``path`` as a NotebookNode (v4); raises ValueError with a readable reason."""
    import nbformat

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
    """The lesson number the notebook's metadata claims (lesson authors' tests only).

    The grader never uses it: the lesson comes from the instructor or the file name.
    """
    from .registry import load_all

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

    For tests and instructors (e.g. a notebook with the reference solutions filled in).
    """
    import nbformat

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
    from .registry import load_all

    exercises = load_all()
    out = {}
    for ex_id, _ in exercise_cells(nb):
        if ex_id in exercises:
            module, name = exercises[ex_id].reference.split(":")
            out[ex_id] = f"from {module} import {name}"
    return out
