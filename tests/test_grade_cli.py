"""The grader end to end: the command line, a class at once, points, seeds, Gradescope.

- untouched lessons: every exercise fails cleanly ("not implemented yet"), exit 0 (every
  notebook was graded), and the notebook file is byte-for-byte unchanged, mtime included;
- lessons whose exercise cells hold the solutions' source: every exercise passes
  (sandboxed), exit 0; the same cells holding an *import* of the solution fail:
  the graded copy of the package blocks it;
- a folder of mixed submissions grades in one command into JSON, CSV and
  per-student Gradescope files that agree on points and partial credit;
- ``--seed`` changes every probe: answers memorised from the public probes fail;
- the Gradescope bundle runs locally.
"""

import ast
import csv
import hashlib
import importlib
import inspect
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from rnn_grade import notebook, probes
from rnn_grade.__main__ import main
from rnn_grade.execution import run_checks
from rnn_grade.registry import load_all
from tests.test_grade_attacks import honest

ROOT = Path(__file__).resolve().parent.parent
LESSON_DIR = ROOT / "lessons"
NOTEBOOKS = sorted(LESSON_DIR.glob("[0-9][0-9]_*/[0-9][0-9]_*.ipynb"))
EXERCISES = load_all()


def _fingerprint(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest(), os.stat(path).st_mtime_ns


def _grade(*args, env=None):
    """Run the real command line in a subprocess; return (exit code, stdout + stderr)."""
    proc = subprocess.run(
        [sys.executable, "-m", "rnn_grade", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    return proc.returncode, proc.stdout + proc.stderr


def module_source(module_name):
    """A module's whole source with relative imports made absolute (a learner's copy)."""
    module = importlib.import_module(module_name)
    source = inspect.getsource(module)
    tree = ast.parse(source)
    package = module.__package__
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            node.module = f"{base}.{node.module}" if node.module else base
            node.level = 0
    return ast.unparse(tree)


def copied_solutions(nb):
    """{exercise id: the source of the module holding its solution}."""
    out = {}
    for ex_id, _ in notebook.exercise_cells(nb):
        fn = EXERCISES[ex_id].solution_function()
        out[ex_id] = module_source(fn.__module__)
    return out


def test_untouched_lessons_fail_cleanly_and_are_not_modified(tmp_path):
    before = {p: _fingerprint(p) for p in NOTEBOOKS}
    report = tmp_path / "report.json"
    code, out = _grade(*NOTEBOOKS, "--json", report)
    assert code == 0, out  # all graded (the exit status is not the scores)
    doc = json.loads(report.read_text())
    assert len(doc["notebooks"]) == len(NOTEBOOKS) and not doc["all_passed"]
    for nb in doc["notebooks"]:
        assert nb["error"] is None and nb["exercises"], nb
        for ex in nb["exercises"]:
            assert ex["status"] == "not implemented", ex
            assert "not implemented yet" in ex["message"]
    assert "Traceback" not in out
    assert {p: _fingerprint(p) for p in NOTEBOOKS} == before


def test_solutions_pass_in_a_folder_and_imported_answers_are_blocked(tmp_path):
    folder, blocked = tmp_path / "submissions", tmp_path / "importers"
    for p in NOTEBOOKS:
        nb = nbformat.read(p, as_version=4)
        (folder / p.stem).mkdir(parents=True)
        nbformat.write(notebook.with_exercises(nb, copied_solutions(nb)), folder / p.stem / p.name)
        (blocked / p.stem).mkdir(parents=True)
        imports = notebook.with_exercises(nb, notebook.reference_sources(nb))
        nbformat.write(imports, blocked / p.stem / p.name)
    before = {p: _fingerprint(p) for p in folder.rglob("*.ipynb")}
    report = tmp_path / "report.json"
    code, out = _grade(folder, "--json", report, "-j", "2")
    assert code == 0, out
    doc = json.loads(report.read_text())
    assert doc["all_passed"] and len(doc["notebooks"]) == len(NOTEBOOKS)
    assert all(nb["score"] == nb["max_score"] > 0 for nb in doc["notebooks"])
    assert f"{len(NOTEBOOKS)} graded, {len(NOTEBOOKS)} complete" in out
    assert {p: _fingerprint(p) for p in folder.rglob("*.ipynb")} == before
    code, out = _grade(blocked, "--json", report, "-j", "2")
    doc = json.loads(report.read_text())
    assert code == 0 and all(nb["score"] == 0 for nb in doc["notebooks"])
    for nb in doc["notebooks"]:
        assert "your code imports `" in json.dumps(nb)
        for ex in nb["exercises"]:  # blocked, or blamed on a blocked exercise it builds on
            assert ex["passed"] == 0, ex
            assert "your code imports `" in json.dumps(ex) or "fix `" in json.dumps(ex), ex


BROKEN = {
    "srn_step_forward": """
def srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    a = x @ W_ih.T
    return a / 0 if False else undefined_name + a, None
""",
    "softmax_output": """
def softmax_output(h, W_hy, b_hy):
    print("x" * 3_000_000)
    return [[0.5]]
""",
}


def test_raising_and_printing_learner_code_get_clear_messages(tmp_path):
    nb = nbformat.read(LESSON_DIR / "02_srn" / "02_srn.ipynb", as_version=4)
    path = tmp_path / "02_srn.ipynb"
    nbformat.write(notebook.with_exercises(nb, BROKEN), path)
    report = tmp_path / "r.json"
    code = main([str(path), "--timeout", "5", "--json", str(report)])
    assert code == 0
    ex = {e["id"]: e for e in json.loads(report.read_text())["notebooks"][0]["exercises"]}
    raised = json.dumps(ex["srn_step_forward"]["tests"], ensure_ascii=False)
    assert "NameError" in raised and "line 4 of your exercise cell" in raised
    assert "undefined_name" in raised
    assert "should be a NumPy array" in json.dumps(ex["softmax_output"]["tests"])
    assert len(ex["softmax_output"]["output"]) < 3000
    assert "output truncated" in ex["softmax_output"]["output"]


def test_broken_cells_do_not_crash_the_grader(tmp_path):
    nb = nbformat.read(LESSON_DIR / "01_motivation" / "01_motivation.ipynb", as_version=4)
    bad = notebook.with_exercises(
        nb, {"one_hot_window": "def one_hot_window(:\n", "bag_of_words": "x = 1"}
    )
    nbformat.write(bad, tmp_path / "01_motivation.ipynb")
    report = tmp_path / "r.json"
    code = main([str(tmp_path / "01_motivation.ipynb"), "--json", str(report)])
    assert code == 0
    (a,) = json.loads(report.read_text())["notebooks"]
    msgs = {e["id"]: e["message"] for e in a["exercises"]}
    assert "syntax error on line 1" in msgs["one_hot_window"]
    assert "does not define a function named `bag_of_words`" in msgs["bag_of_words"]


def test_no_notebooks_found_exits_2(tmp_path):
    assert main([str(tmp_path)]) == 2


def test_in_notebook_check_never_raises(capsys):
    from rnn_grade import check

    def srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
        raise NotImplementedError

    check(srn_step_forward)
    check(lambda: 1, "srn_forward")
    check(print)  # unknown exercise
    out = capsys.readouterr().out
    assert "not implemented yet" in out and "no exercise named" in out
    assert "this is a self-check; the grade is computed by `rnn-grade`" in out


def test_run_checks_still_works_in_process_on_a_real_function():
    ns = {}
    exec(honest()["softmax_output"], ns)
    result = run_checks(EXERCISES["softmax_output"], ns["softmax_output"], 10)
    assert result["status"] == "pass" and result["passed"] == result["total"] == 3


# ------------------------------------------------------------------ a class at once

NO_RELU = """
import numpy as np

def srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    return np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh), None
"""


def _class(folder, size=30):
    """A class of ``size`` submissions mixing layouts, lessons and qualities; {student: score}."""
    l01 = nbformat.read(LESSON_DIR / "01_motivation" / "01_motivation.ipynb", as_version=4)
    l02 = nbformat.read(LESSON_DIR / "02_srn" / "02_srn.ipynb", as_version=4)
    full = notebook.with_exercises(l02, honest())
    # ReLU ignored: step 4/5 tests (0.8), the sequence 2/3 (0.67), softmax 1: 2.47 points
    partial = notebook.with_exercises(l02, honest() | {"srn_step_forward": NO_RELU})
    solved01 = notebook.with_exercises(l01, copied_solutions(l01))
    kinds = [
        ("folder", full, 3),
        ("folder", partial, 2.47),
        ("folder", l02, 0),
        ("file", solved01, 2),
        ("file", l01, 0),
        ("junk", None, 0),
    ]
    expected = {}
    for i in range(size):
        layout, nb, score = kinds[i % len(kinds)]
        student = f"s{i:02d}"
        if layout == "folder":
            (folder / student).mkdir(parents=True)
            nbformat.write(nb, folder / student / "02_srn.ipynb")
        elif layout == "file":
            folder.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, folder / f"{student}_01_motivation.ipynb")
        else:
            (folder / f"{student}_02_srn.ipynb").write_text("not a notebook")
        expected[student] = score
    return expected


def test_a_class_grades_into_csv_json_and_gradescope_that_agree(tmp_path, capsys):
    folder = tmp_path / "class"
    expected = _class(folder)
    paths = {k: tmp_path / k for k in ("csv", "json", "gs")}
    code = main(
        [str(folder), "-j", "2", "--csv", str(paths["csv"]), "--json", str(paths["json"])]
        + ["--gradescope", str(paths["gs"])]
    )
    text = capsys.readouterr().out
    assert code == 1
    rows = {r["student"]: r for r in csv.DictReader(paths["csv"].open())}
    doc = {r["student"]: r for r in json.loads(paths["json"].read_text())["notebooks"]}
    assert set(rows) == set(doc) == set(expected)
    for student, score in expected.items():
        assert float(rows[student]["total"]) == doc[student]["score"] == pytest.approx(score)
        gs = json.loads((paths["gs"] / f"{student}_{doc[student]['lesson']}.json").read_text())
        if doc[student]["status"] == "graded":
            assert gs["score"] == pytest.approx(score)
            assert sum(t["score"] for t in gs["tests"]) == pytest.approx(score)
            assert {"name", "number", "score", "max_score", "output", "visibility"} <= set(
                gs["tests"][0]
            )
    assert rows["s01"]["srn_step_forward"] == "0.8"  # 4 of 5 tests: partial credit
    assert "srn_step_forward         4/5 tests  0.8/1 points" in text
    assert rows["s05"]["status"] == "not a notebook" and rows["s00"]["status"] == "graded"
    assert rows["s03"]["one_hot_window"] == "1" and rows["s03"]["srn_forward"] == ""
    assert len(list(paths["gs"].glob("*.json"))) == 30


def test_an_interrupted_class_run_keeps_what_it_graded(tmp_path):
    folder = tmp_path / "class"
    _class(folder, size=12)
    csv_path, json_path = tmp_path / "g.csv", tmp_path / "g.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "rnn_grade", str(folder), "-j", "1"]
        + ["--csv", str(csv_path), "--json", str(json_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (
        not csv_path.exists() or len(csv_path.read_text().splitlines()) < 3
    ):
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=60) == 130
    rows = list(csv.DictReader(csv_path.open()))
    doc = json.loads(json_path.read_text())
    assert 2 <= len(rows) < 12 and len(doc["notebooks"]) >= len(rows) - 1
    assert all(r["status"] in ("graded", "not a notebook") for r in rows)


# ------------------------------------------------------------------ an instructor's seed


def _memoriser(ex_id, fn):
    """Learner source that answers the public probes from a table, and nothing else."""
    table = {}

    def recorder(*args):
        out = fn(*args)
        key = hashlib.sha256(repr([a.tobytes() for a in args if hasattr(a, "tobytes")]).encode())
        table[key.hexdigest()] = out[0].tolist()
        return out

    run_checks(EXERCISES[ex_id], recorder, 10)
    return f"""
import hashlib
import numpy as np

TABLE = {table!r}

def {ex_id}(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    args = [x, h_prev, W_ih, W_hh, b_ih, b_hh]
    key = hashlib.sha256(repr([a.tobytes() for a in args]).encode()).hexdigest()
    return np.array(TABLE.get(key, 0.0)), None
"""


def test_a_secret_seed_defeats_memorised_answers(tmp_path):
    ns = {}
    exec(honest()["srn_step_forward"], ns)
    source = _memoriser("srn_step_forward", ns["srn_step_forward"])
    nb = nbformat.read(LESSON_DIR / "02_srn" / "02_srn.ipynb", as_version=4)
    path = tmp_path / "02_srn.ipynb"
    nbformat.write(notebook.with_exercises(nb, honest() | {"srn_step_forward": source}), path)
    report = tmp_path / "r.json"

    def step(*flags, env=None):
        code, out = _grade(path, "--json", report, *flags, env=env)
        ex = json.loads(report.read_text())["notebooks"][0]["exercises"][0]
        return ex["status"]

    try:
        assert step() == "pass"  # the public probes: memorised
        assert step("--seed", "12345") == "fail"
        assert step(env=dict(os.environ, RNN_GRADE_SEED="777")) == "fail"
        honest_path = tmp_path / "honest" / "02_srn.ipynb"
        honest_path.parent.mkdir()
        nbformat.write(notebook.with_exercises(nb, honest()), honest_path)
        code, _ = _grade(honest_path, "--seed", "12345")
        assert code == 0  # a real solution passes any seed
    finally:
        probes.set_seed(None)


def test_the_student_is_named_by_folder_or_file_prefix(tmp_path):
    """`rnn-grade alice/` and `rnn-grade .` both name alice; a prefix names the student."""
    from rnn_grade.runner import student_of

    (tmp_path / "alice").mkdir()
    nb = tmp_path / "alice" / "02_srn.ipynb"
    assert student_of(nb, tmp_path) == "alice"
    assert student_of(nb, tmp_path / "alice") == "alice"
    assert student_of(tmp_path / "bob_02_srn.ipynb", tmp_path) == "bob"
    assert student_of(nb, None) == "alice"

