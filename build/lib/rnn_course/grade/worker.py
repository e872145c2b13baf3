"""The grader's worker process: runs one notebook's learner code and checks it.

Started by ``runner.grade_notebook`` as ``python -m rnn_course.grade.worker JOB RESULT``.
JOB is a JSON file {"setup": source, "cells": [[id, source], ...], "seconds": limit};
RESULT is rewritten after every exercise, so a worker killed for running too long
still leaves the results it had.
"""

import json
import linecache
import os
import sys

from .execution import ExerciseTimeout, captured_output, describe_exception, run_checks, time_limit
from .registry import load_all


def _write(path, results):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(results, f)
    os.replace(tmp, path)


def _exec_cell(source, filename, namespace, seconds):
    """Run a cell's source; return None or a message saying why it failed."""
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    with captured_output() as out:
        try:
            with time_limit(seconds):
                exec(compile(source, filename, "exec"), namespace)
        except ExerciseTimeout:
            return (
                f"running the cell took longer than {seconds:g} s — an endless loop at top level?",
                out.text(),
            )
        except SyntaxError as exc:
            return (
                f"syntax error on line {exc.lineno} of the cell: {exc.msg} "
                f"→ {(exc.text or '').strip()}",
                out.text(),
            )
        except BaseException as exc:  # noqa: BLE001 - any learner error becomes a message
            return f"the cell failed to run: {describe_exception(exc)}", out.text()
    return None, out.text()


def main(job_path, result_path):
    with open(job_path, encoding="utf-8") as f:
        job = json.load(f)
    seconds = job["seconds"]
    exercises = load_all()
    namespace = {"__name__": "__learner__"}
    results = {}
    error, _ = _exec_cell(job["setup"], "<setup cells>", namespace, seconds)
    if error:
        results["__setup__"] = {
            "id": "__setup__",
            "status": "fail",
            "message": "setup cells: " + error,
        }
    cell_errors = {}
    for i, (ex_id, source) in enumerate(job["cells"]):
        error, output = _exec_cell(source, f"<exercise {ex_id or i}>", namespace, seconds)
        if error:
            cell_errors[ex_id] = (error, output)
    for ex_id, _ in job["cells"]:
        if ex_id in results:
            continue
        base = {"id": ex_id, "lesson": None, "tests": [], "passed": 0, "output": ""}
        if ex_id not in exercises:
            results[ex_id] = base | {
                "status": "fail",
                "message": f"no checks for exercise `{ex_id}`.",
            }
        elif ex_id in cell_errors:
            error, output = cell_errors[ex_id]
            ex = exercises[ex_id]
            results[ex_id] = base | {
                "lesson": ex.lesson,
                "status": "fail",
                "message": error,
                "output": output,
                "total": len(ex.checks),
            }
        elif not callable(namespace.get(ex_id)):
            ex = exercises[ex_id]
            results[ex_id] = base | {
                "lesson": ex.lesson,
                "status": "fail",
                "total": len(ex.checks),
                "message": f"the exercise cell does not define a function named `{ex_id}`.",
            }
        else:
            results[ex_id] = run_checks(exercises[ex_id], namespace[ex_id], seconds)
        _write(result_path, results)
    _write(result_path, results)


if __name__ == "__main__":
    sys.setrecursionlimit(3000)
    main(sys.argv[1], sys.argv[2])
