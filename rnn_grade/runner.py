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
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import notebook, probes
from . import sandbox as _sandbox
from .execution import run_checks
from .proxy import LearnerSession
from .registry import LESSONS, lesson_exercises
from .sandbox import Limits, bwrap_problem, learner_tree

SECONDS = 10.0  # default time limit per exercise (cell execution and checks, each)
START_BUDGET = 30.0  # seconds of a notebook's budget for starting and its imports
LESSON_IN_NAME = re.compile(r"(?:^|_)(\d\d)_")


# ------------------------------------------------------------------ finding submissions


def find_notebooks(paths):
    """[(path, root or None)] of the notebooks under ``paths`` (files, or folders walked).

    Anything named ``*.ipynb`` is listed, whatever it is (a folder, a FIFO, a symlink):
    ``notebook.load`` then says why it is not a notebook. A symlinked folder is listed, not
    entered, so it is refused with one line rather than silently left out.
    """
    found = []
    for p in map(Path, paths):
        if p.is_dir() and not p.is_symlink():
            for dirpath, dirnames, filenames in os.walk(p):
                dirnames[:] = sorted(d for d in dirnames if d != ".ipynb_checkpoints")
                links = [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
                found.extend((Path(dirpath) / d, p) for d in links if not d.endswith(".ipynb"))
                dirnames[:] = [d for d in dirnames if d not in links or d.endswith(".ipynb")]
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
    budget=None,
):
    """Grade one notebook; return its ``results.NotebookResult`` (never raises on a bad one).

    ``budget``: wall-clock seconds for the whole notebook (default ``budget_of`` its
    lesson's exercises); when it runs out the learner process is killed, the exercises
    not yet graded score 0 with a message, and the notebook is "timed out".

    ``sandbox``: True for bubblewrap, False for the learner-user path (``prepare``
    first). ``hide``: more paths learner code must not reach (report files).
    """
    start = time.monotonic()
    report = {
        "path": str(path),
        "student": student if student is not None else student_of(path, root),
        "lesson": None,
        "title": "",
        "status": "graded",
        "exercises": [],
        "error": None,
        "sandbox": "bwrap" if sandbox else "user",
    }
    if not sandbox:
        report["sandbox_note"] = (
            "no bubblewrap (--no-sandbox-as-user): learner code ran as a dedicated "
            "unprivileged user with kernel-enforced limits"
        )
    lesson = lesson_number(lesson) if lesson else lesson_number(Path(path).name)
    if lesson in LESSONS:
        report["lesson"], report["title"] = lesson, LESSONS[lesson]
    try:
        cells = notebook.load(path, root)
    except notebook.Refused as exc:
        report.update(status="refused", error=str(exc))
        return _score(report, start)
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
    pkg = learner_tree()
    session = LearnerSession(
        graded.setup,
        graded.cells,
        pkg_root=pkg,
        sandboxed=report["sandbox"] == "bwrap",
        limits=limits,
        seconds=seconds,
        helper_names=graded.helpers,
    )
    budget = budget or budget_of(exercises, seconds)
    watchdog = Watchdog(session, budget)
    try:
        session.start()
        if session.setup_error and not watchdog.fired:
            report["error"] = "setup cells: " + session.setup_error
        for ex in exercises:
            if watchdog.fired:
                result = _result(ex, "timeout", watchdog.message())
            else:
                result = _grade_exercise(ex, graded, session, seconds)
                if watchdog.fired and result["status"] != "pass":  # ran out during it
                    result = _result(ex, "timeout", watchdog.message())
            result["points"] = getattr(ex, "points", 1)
            report["exercises"].append(result)
            if result["status"] == "timeout":
                report["status"] = "timed out"
    finally:
        watchdog.cancel()
        session.close()
    if watchdog.fired:
        report["budget"] = watchdog.message()
    return _score(report, start)


def budget_of(exercises, seconds=SECONDS):
    """A notebook's wall-clock budget: a start allowance, then for each exercise of the
    lesson its cell and its checks (``seconds``, or longer where an exercise needs it).

    Counted from the instructor's exercise list, never from the notebook's cells: extra
    cells share the budget, so a thousand slow cells cost what three do.
    """
    per = [max(seconds, getattr(ex, "seconds", None) or 0) for ex in exercises]
    return START_BUDGET + sum(seconds + limit for limit in per)


class Watchdog:
    """Kills a notebook's learner process when the notebook's budget runs out."""

    def __init__(self, session, budget):
        self.session, self.budget, self.fired = session, budget, False
        self.timer = threading.Timer(budget, self._fire)
        self.timer.daemon = True
        self.timer.start()

    def _fire(self):
        self.fired = True
        session = self.session
        session.setup, session.cells = "", []  # a restart after this runs nothing
        process = session.process
        if process is not None:
            process.kill()

    def cancel(self):
        self.timer.cancel()

    def message(self):
        return (
            f"not graded: the notebook's time budget ({self.budget:g} s, from its lesson's "
            "exercises) ran out; cells that run long at top level spend it"
        )


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
    """The typed result of a report dict; a notebook not graded scores 0 of the maximum."""
    from .results import from_report

    lesson = report.get("lesson")
    maximum = None
    if lesson in LESSONS:
        maximum = float(sum(getattr(e, "points", 1) for e in lesson_exercises(lesson)))
    report["seconds"] = round(time.monotonic() - start, 3)
    result = from_report(report, maximum)
    if report.get("budget"):
        result.flags.append("budget: " + report["budget"])
    return result


# ------------------------------------------------------------------ a class at once


def set_seed(seed):
    """Every probe input changes with ``seed`` (None: the public probes)."""
    probes.set_seed(seed)


class NoIsolation(RuntimeError):
    """Learner code cannot be isolated here; ``str()`` says what to install or change."""


def protected_paths(items, hide=()):
    """What learner code must not read: the grader, the library, the lessons, the
    submissions (their folders) and the report paths."""
    paths = [str(_sandbox.GRADER_DIR), str(_sandbox.PACKAGE_DIR), str(_lessons_root())]
    for path, root in items:
        paths.append(str(Path(path).resolve().parent))
        if root is not None:
            paths.append(str(Path(root).resolve()))
    return paths + [str(h) for h in hide]


def _lessons_root():
    from . import lessons

    return lessons.root()


def user_path_problem(items=()):
    """None when the learner-user path can grade ``items`` here, else why not."""
    return _sandbox.user_problem(protected_paths(items))


_PREPARED = {}  # (sandbox, jobs) -> the protected paths already verified


def prepare(items, jobs, sandbox, hide=()):
    """Check once that learner code can be isolated (``NoIsolation`` says why not)."""
    key, paths = (bool(sandbox), jobs), set(protected_paths(items, hide))
    if paths <= _PREPARED.get(key, set()):
        return
    _prepare(items, jobs, sandbox, hide)
    _PREPARED.setdefault(key, set()).update(paths)


def _prepare(items, jobs, sandbox, hide):
    if sandbox:
        problem = bwrap_problem()
        if problem:
            raise NoIsolation(
                f"{problem}; install bubblewrap (Debian/Ubuntu: apt install bubblewrap), "
                "or grade with --no-sandbox-as-user as root"
            )
        return
    problem = _sandbox.user_problem(protected_paths(items, hide), jobs)
    if problem:
        raise NoIsolation(f"--no-sandbox-as-user: {problem}")
    _sandbox.use_learner_users(jobs)


def grade_many(items, seconds=SECONDS, *, jobs=None, lesson=None, on_report=None, **kwargs):
    """Grade [(path, root)] with ``jobs`` learner processes at a time; reports in input order.

    ``on_report(index, report)`` is called as each notebook finishes (in the calling thread).
    """
    jobs = max(1, jobs or os.cpu_count() or 1)
    reports = [None] * len(items)
    prepare(items, jobs, kwargs.get("sandbox", True), kwargs.get("hide", ()))

    def one(i):
        path, root = items[i]
        try:
            try:
                return i, grade_notebook(path, seconds, lesson=lesson, root=root, **kwargs)
            except SystemError as exc:  # CPython <= 3.11.7, gh-106905: two threads built
                if "recursion depth mismatch" not in str(exc):  # ASTs at once; grade again
                    raise
                return i, grade_notebook(path, seconds, lesson=lesson, root=root, **kwargs)
        except Exception as exc:  # noqa: BLE001 - one notebook never stops the class
            n = lesson_number(lesson) if lesson else lesson_number(Path(path).name)
            r = {"path": str(path), "student": student_of(path, root)}
            r |= {"lesson": n if n in LESSONS else None, "title": LESSONS.get(n, "")}
            r |= {"status": "grader error", "exercises": [], "sandbox": "none"}
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
