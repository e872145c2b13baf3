"""Grade lesson notebooks: one learner process per notebook, the checks here.

For each notebook: read it (``notebook.load``: read-only, refuses what is not a
plain notebook), decide its lesson (the instructor's ``--lesson``, else the file
name: ``02_srn.ipynb``, ``alice_02_srn.ipynb``; never the notebook's metadata),
start a ``proxy.LearnerSession`` (sandboxed when bubblewrap starts) that runs the
setup and exercise cells, and run each exercise's checks in this process on a
proxy of the learner's function. Many notebooks run in parallel (``jobs``), each
in its own learner process; one bad notebook never stops the rest.
"""

import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import notebook, probes
from .execution import run_checks
from .proxy import LearnerSession
from .registry import LESSONS, lesson_exercises
from .sandbox import Limits, blocked_names, bwrap_problem, fallback_uid, graded_copy

SECONDS = 10.0  # default time limit per exercise (cell execution and checks, each)
LESSON_IN_NAME = re.compile(r"(?:^|_)(\d\d)_")


# ------------------------------------------------------------------ finding submissions


def find_notebooks(paths):
    """[(path, root or None)] of the notebooks under ``paths`` (files, or folders walked).

    Anything named ``*.ipynb`` is listed, whatever it is (a folder, a FIFO, a symlink):
    ``notebook.load`` then says why it is not a notebook. Symlinked folders are not entered.
    """
    found = []
    for p in map(Path, paths):
        if p.is_dir() and not p.is_symlink():
            for dirpath, dirnames, filenames in os.walk(p):
                dirnames[:] = sorted(d for d in dirnames if d != ".ipynb_checkpoints")
                names = sorted(filenames + [d for d in dirnames if d.endswith(".ipynb")])
                for name in names:
                    if name.endswith(".ipynb"):
                        found.append((Path(dirpath) / name, p))
                dirnames[:] = [d for d in dirnames if not d.endswith(".ipynb")]
        else:  # a file, or a missing path: notebook.load names the problem
            found.append((p, None))
    return found


def _split_name(name):
    """(student prefix or "", lesson "NN" or None) of a file name like ``alice_02_srn.ipynb``."""
    matches = list(LESSON_IN_NAME.finditer(name))
    known = [m for m in matches if m.group(1) in LESSONS] or matches
    if not known:
        return "", None
    m = known[0]
    return name[: m.start()], m.group(1)


def lesson_number(text):
    """'02' from '2', '02', '02_srn.ipynb', 'path/to/alice_02_srn.ipynb'; None if none."""
    text = str(text).strip()
    if text.isdigit():
        return f"{int(text):02d}"
    return _split_name(Path(text).name)[1]


def student_of(path, root):
    """The student a submission belongs to: ``alice_02_x.ipynb`` or ``alice/02_x.ipynb``."""
    path = Path(path)
    prefix, _ = _split_name(path.name)
    if prefix:
        return prefix
    if root is not None:
        rel = path.relative_to(root).parts
        if len(rel) > 1:
            return rel[0]
        return Path(root).name  # a student's own folder named on the command line ("" for .)
    return path.parent.name


# ------------------------------------------------------------------ one notebook


def _result(ex, status, message, output=""):
    return {
        "id": ex.id,
        "lesson": ex.lesson,
        "status": status,
        "tests": [],
        "passed": 0,
        "total": len(ex.checks),
        "output": output,
        "message": message,
    }


def grade_notebook(
    path,
    seconds=SECONDS,
    *,
    lesson=None,
    student=None,
    root=None,
    sandbox=True,
    limits=None,
    hide=(),
):
    """Grade one notebook; return its report dict (never raises on a bad notebook)."""
    start = time.monotonic()
    report = {
        "path": str(path),
        "student": student if student is not None else student_of(path, root),
        "lesson": None,
        "title": "",
        "status": "graded",
        "exercises": [],
        "error": None,
        "sandbox": "bwrap" if sandbox and bwrap_problem() is None else "none",
    }
    if report["sandbox"] == "none":
        report["sandbox_note"] = (
            "disabled (--no-sandbox)" if not sandbox else bwrap_problem() or ""
        ) + "; learner code ran as a plain child process with limits"
        if fallback_uid() == 0:
            report["sandbox_note"] += (
                ", AS ROOT (nobody cannot run this Python): install bubblewrap, or Python "
                "where other users can read it"
            )
    lesson = lesson_number(lesson) if lesson else lesson_number(Path(path).name)
    if lesson in LESSONS:
        report["lesson"], report["title"] = lesson, LESSONS[lesson]
    try:
        cells = notebook.load(path, root)
    except notebook.NotebookError as exc:
        report.update(status="not a notebook", error=str(exc))
        return _score(report, start)
    if lesson not in LESSONS:
        report.update(
            status="unknown lesson",
            error="cannot tell the lesson: name the file NN_<name>.ipynb (e.g. 02_srn.ipynb) "
            "or pass --lesson NN",
        )
        return _score(report, start)
    exercises = lesson_exercises(lesson)
    report["lesson"], report["title"] = lesson, LESSONS[lesson]
    graded = notebook.graded_cells(cells, [e.id for e in exercises])
    pkg = graded_copy(blocked_names(exercises))
    hide = list(hide) + [str(Path(path).resolve().parent)] + ([str(root)] if root else [])
    session = LearnerSession(
        graded.setup,
        graded.cells,
        pkg_root=pkg,
        sandboxed=report["sandbox"] == "bwrap",
        limits=limits,
        seconds=seconds,
        helper_names=graded.helpers,
        hide=hide,
    )
    try:
        session.start()
        if session.setup_error:
            report["error"] = "setup cells: " + session.setup_error
        for ex in exercises:
            result = _grade_exercise(ex, graded, session, seconds)
            result["points"] = getattr(ex, "points", 1)
            report["exercises"].append(result)
            if result["status"] == "timeout":
                report["status"] = "timed out"
    finally:
        session.close()
    return _score(report, start)


def _grade_exercise(ex, graded, session, seconds):
    defining = [i for i, d in enumerate(graded.defines) if ex.id in d]
    tagged = [i for i, t in enumerate(graded.tagged) if t == ex.id]
    if not defining and not tagged:
        return _result(
            ex,
            "fail",
            f"exercise {ex.id} not found in the notebook: no cell defines `def {ex.id}(...)`.",
        )
    last = (defining or tagged)[-1]
    if not session.alive:
        session.begin(seconds)  # restarts it
    if last in session.cell_errors:
        return _result(ex, "fail", session.cell_errors[last], session.take_output())
    if ex.id not in session.callables:
        return _result(ex, "fail", f"the exercise cell does not define a function named `{ex.id}`.")
    limit = max(seconds, getattr(ex, "seconds", None) or 0)  # an exercise may need longer
    prepare = getattr(ex, "prepare", None)
    if callable(prepare):  # the checks' own imports (torch), before the clock starts
        prepare()
    return run_checks(ex, session.function(ex.id), limit)


def _score(report, start):
    from .report import earned

    exercises = report["exercises"]
    report["score"] = round(sum(earned(e) for e in exercises), 2)
    report["max_score"] = float(sum(e.get("points", 1) for e in exercises))
    report["tests_passed"] = sum(e.get("passed", 0) for e in exercises)
    report["tests_total"] = sum(e.get("total", len(e.get("tests", []))) for e in exercises)
    report["all_passed"] = (
        bool(exercises) and all(e["status"] == "pass" for e in exercises) and not report["error"]
    )
    report["seconds"] = round(time.monotonic() - start, 3)
    return report


# ------------------------------------------------------------------ a class at once


def set_seed(seed):
    """Every probe input changes with ``seed`` (None: the public probes)."""
    probes.set_seed(seed)


def grade_many(items, seconds=SECONDS, *, jobs=None, lesson=None, on_report=None, **kwargs):
    """Grade [(path, root)] with ``jobs`` learner processes at a time; reports in input order.

    ``on_report(index, report)`` is called as each notebook finishes (in the calling thread).
    """
    jobs = max(1, jobs or os.cpu_count() or 1)
    reports = [None] * len(items)

    def one(i):
        path, root = items[i]
        try:
            return i, grade_notebook(path, seconds, lesson=lesson, root=root, **kwargs)
        except Exception as exc:  # noqa: BLE001 - one notebook never stops the class
            r = {"path": str(path), "student": student_of(path, root), "lesson": lesson}
            r |= {"title": "", "status": "grader error", "exercises": [], "sandbox": "?"}
            r["error"] = f"the grader failed on this notebook: {type(exc).__name__}: {exc}"
            return i, _score(r, time.monotonic())

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for i, r in pool.map(one, range(len(items))) if jobs == 1 else _as_done(pool, one, items):
            reports[i] = r
            if on_report:
                on_report(i, r)
    return reports


def _as_done(pool, one, items):
    from concurrent.futures import as_completed

    futures = [pool.submit(one, i) for i in range(len(items))]
    for f in as_completed(futures):
        yield f.result()


def grade_paths(paths, seconds=SECONDS, **kwargs):
    """Reports for every notebook under ``paths``."""
    return grade_many(find_notebooks(paths), seconds, **kwargs)


__all__ = ["Limits", "find_notebooks", "grade_many", "grade_notebook", "grade_paths"]
