"""The grader end to end: a worker process per notebook, the command line, robustness.

- untouched lessons: every exercise fails cleanly ("not implemented yet"), exit 1,
  and the notebook file is byte-for-byte unchanged, mtime included;
- lessons with the references filled in: every exercise passes, exit 0, JSON report;
- a folder of submissions is graded in one command;
- learner code that raises, loops forever, prints megabytes, returns the wrong
  type or mutates its input gets a clear message, and the grader does not crash.
"""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from rnn_course.grade import notebook
from rnn_course.grade.__main__ import main

LESSON_DIR = Path(__file__).resolve().parent.parent / "lessons"
NOTEBOOKS = sorted(LESSON_DIR.glob("[0-9][0-9]_*.ipynb"))


def _fingerprint(path):
    return hashlib.sha256(path.read_bytes()).hexdigest(), os.stat(path).st_mtime_ns


def _write(nb, path):
    nbformat.write(nb, path)
    return path


def _grade(*args):
    """Run the real command line in a subprocess; return (exit code, stdout)."""
    proc = subprocess.run(
        [sys.executable, "-m", "rnn_course.grade", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    return proc.returncode, proc.stdout + proc.stderr


def test_untouched_lessons_fail_cleanly_and_are_not_modified(tmp_path):
    before = {p: _fingerprint(p) for p in NOTEBOOKS}
    report = tmp_path / "report.json"
    code, out = _grade(*NOTEBOOKS, "--json", report)
    assert code == 1, out
    doc = json.loads(report.read_text())
    assert len(doc["notebooks"]) == len(NOTEBOOKS) and not doc["all_passed"]
    for nb in doc["notebooks"]:
        assert nb["error"] is None and nb["exercises"], nb
        for ex in nb["exercises"]:
            assert ex["status"] == "not implemented", ex
            assert "not implemented yet" in ex["message"]
    assert "Traceback" not in out
    assert {p: _fingerprint(p) for p in NOTEBOOKS} == before


def test_reference_solutions_pass_in_a_folder_of_submissions(tmp_path):
    folder = tmp_path / "submissions"
    for p in NOTEBOOKS:
        (folder / p.stem).mkdir(parents=True)
        nb = nbformat.read(p, as_version=4)
        _write(
            notebook.with_exercises(nb, notebook.reference_sources(nb)), folder / p.stem / p.name
        )
    before = {p: _fingerprint(p) for p in folder.rglob("*.ipynb")}
    report = tmp_path / "report.json"
    code, out = _grade(folder, "--json", report)
    assert code == 0, out
    doc = json.loads(report.read_text())
    assert doc["all_passed"] and len(doc["notebooks"]) == len(NOTEBOOKS)
    assert all(nb["score"] == nb["max_score"] > 0 for nb in doc["notebooks"])
    assert f"{len(NOTEBOOKS)}/{len(NOTEBOOKS)} notebooks complete" in out
    assert {p: _fingerprint(p) for p in folder.rglob("*.ipynb")} == before


BROKEN = {
    "srn_step_forward": """
def srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    a = x @ W_ih.T
    return a / 0 if False else undefined_name + a, None
""",
    "srn_forward": """
def srn_forward(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    while True:
        try:
            pass
        except Exception:
            pass
""",
    "softmax_output": """
def softmax_output(h, W_ho, b_o):
    print("x" * 3_000_000)
    return [[0.5]]
""",
}


def test_robust_to_raising_looping_printing_learner_code(tmp_path):
    nb = nbformat.read(LESSON_DIR / "02_srn.ipynb", as_version=4)
    path = _write(notebook.with_exercises(nb, BROKEN), tmp_path / "02_srn.ipynb")
    report = tmp_path / "r.json"
    code, out = _grade(path, "--timeout", "2", "--json", report)
    assert code == 1
    ex = {e["id"]: e for e in json.loads(report.read_text())["notebooks"][0]["exercises"]}
    raised = ex["srn_step_forward"]["tests"][0]["message"]
    assert "NameError" in raised and "line 4 of your exercise cell" in raised
    assert "undefined_name" in raised
    assert ex["srn_forward"]["status"] == "timeout"
    assert "time limit" in ex["srn_forward"]["message"]
    assert "should be a NumPy array" in ex["softmax_output"]["tests"][0]["message"]
    assert len(ex["softmax_output"]["output"]) < 3000
    assert "output truncated" in ex["softmax_output"]["output"]
    assert len(out) < 30_000


def test_broken_notebooks_do_not_crash_the_grader(tmp_path):
    nb = nbformat.read(LESSON_DIR / "01_motivation.ipynb", as_version=4)
    bad = notebook.with_exercises(
        nb, {"one_hot_window": "def one_hot_window(:\n", "bag_of_words": "x = 1"}
    )
    _write(bad, tmp_path / "a.ipynb")
    (tmp_path / "b.ipynb").write_text("{ this is not json")
    report = tmp_path / "r.json"
    code = main([str(tmp_path / "a.ipynb"), str(tmp_path / "b.ipynb"), "--json", str(report)])
    assert code == 1
    a, b = json.loads(report.read_text())["notebooks"]
    msgs = {e["id"]: e["message"] for e in a["exercises"]}
    assert "syntax error on line 1" in msgs["one_hot_window"]
    assert "does not define a function named `bag_of_words`" in msgs["bag_of_words"]
    assert "cannot read" in b["error"] and not b["all_passed"]


def test_no_notebooks_found_exits_2(tmp_path):
    assert main([str(tmp_path)]) == 2


@pytest.mark.parametrize("lesson", ["02_srn.ipynb"])
def test_in_notebook_check_never_raises(lesson, capsys):
    from rnn_course.grade import check

    def srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
        raise NotImplementedError

    check(srn_step_forward)
    check(lambda: 1, "srn_forward")
    check(print)  # unknown exercise
    out = capsys.readouterr().out
    assert "not implemented yet" in out and "no exercise named" in out
