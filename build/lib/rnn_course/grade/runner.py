"""Grade lesson notebooks: extract the exercise cells, run them in a separate process.

One worker process per notebook (``python -m rnn_course.grade.worker``) runs the
setup and exercise cells and then the checks, with a time limit per exercise;
this process only reads the notebook (never writes it) and collects the results.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from . import notebook
from .registry import LESSONS, lesson_exercises

SECONDS = 10.0  # default time limit per exercise (cell execution and checks, each)
STARTUP = 60.0  # allowance for starting Python and importing numpy/torch in the worker
TAIL = 2000  # characters kept of the worker's own stdout/stderr


def find_notebooks(paths):
    """Notebook files named by ``paths`` (files, or folders searched recursively)."""
    found = []
    for p in map(Path, paths):
        if p.is_dir():
            found += sorted(q for q in p.rglob("*.ipynb") if ".ipynb_checkpoints" not in q.parts)
        else:
            found.append(p)
    return found


def _tail(path):
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return text if len(text) <= TAIL else "... " + text[-TAIL:]


def _run_worker(setup, cells, seconds, cwd):
    """Run the worker on the cells; return (results by id, worker message or None)."""
    with tempfile.TemporaryDirectory(prefix="rnn-grade-") as tmp:
        job, result = os.path.join(tmp, "job.json"), os.path.join(tmp, "result.json")
        with open(job, "w", encoding="utf-8") as f:
            json.dump({"setup": setup, "cells": cells, "seconds": seconds}, f)
        env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
        env["MPLBACKEND"] = "Agg"
        budget = STARTUP + seconds * (2 * len(cells) + 1)
        out_path = os.path.join(tmp, "worker.out")
        message = None
        with open(out_path, "w") as out:
            try:
                proc = subprocess.run(
                    [sys.executable, "-m", "rnn_course.grade.worker", job, result],
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    cwd=cwd,
                    env=env,
                    timeout=budget,
                )
                if proc.returncode != 0:
                    message = f"the grading process stopped with exit code {proc.returncode}"
            except subprocess.TimeoutExpired:
                message = f"the grading process was stopped after {budget:g} s"
        results = {}
        if os.path.exists(result):
            with open(result, encoding="utf-8") as f:
                results = json.load(f)
        tail = _tail(out_path)
        if message and tail.strip():
            message += ". Its last output:\n" + tail
        return results, message


def grade_notebook(path, seconds=SECONDS):
    """Grade one notebook; return its report dict (never raises)."""
    report = {"path": str(path), "lesson": None, "title": "", "exercises": [], "error": None}
    try:
        nb = notebook.read(path)
    except ValueError as exc:
        report["error"] = str(exc)
        return _score(report)
    lesson = notebook.lesson_of(nb)
    cells = notebook.exercise_cells(nb)
    report["lesson"], report["title"] = lesson, LESSONS.get(lesson, "")
    if not cells and lesson is None:
        report["error"] = "no exercise cells found (code cells tagged `exercise`)."
        return _score(report)
    expected = [e.id for e in lesson_exercises(lesson)] if lesson in LESSONS else []
    results, message = _run_worker(
        notebook.setup_source(nb),
        [list(c) for c in cells],
        seconds,
        str(Path(path).parent.resolve()),
    )
    if "__setup__" in results:
        report["error"] = results.pop("__setup__")["message"]
    present = [ex_id for ex_id, _ in cells]
    for ex_id in expected + [i for i in present if i not in expected]:
        if ex_id in results:
            report["exercises"].append(results[ex_id])
        elif ex_id not in present:
            report["exercises"].append(
                {
                    "id": ex_id,
                    "status": "fail",
                    "tests": [],
                    "passed": 0,
                    "output": "",
                    "message": "the exercise cell is missing from the notebook (tag `exercise`).",
                }
            )
        else:
            report["exercises"].append(
                {
                    "id": ex_id,
                    "status": "fail",
                    "tests": [],
                    "passed": 0,
                    "output": "",
                    "message": message or "not graded: the grading process ended early.",
                }
            )
    return _score(report)


def _score(report):
    exercises = report["exercises"]
    report["score"] = sum(e["status"] == "pass" for e in exercises)
    report["max_score"] = len(exercises)
    report["tests_passed"] = sum(e.get("passed", 0) for e in exercises)
    report["tests_total"] = sum(e.get("total", len(e.get("tests", []))) for e in exercises)
    report["all_passed"] = (
        bool(exercises) and report["score"] == len(exercises) and not report["error"]
    )
    return report


def grade_paths(paths, seconds=SECONDS):
    """Reports for every notebook under ``paths``."""
    return [grade_notebook(p, seconds) for p in find_notebooks(paths)]
