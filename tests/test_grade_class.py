"""A class graded end to end, as an instructor runs it (sandboxed where bubblewrap starts).

One run of a small class with a roster covers the reproducers about names and reports:
F01 (a file named after a classmate), F02 (another lesson without ``--lesson``), F04 (a
symlink to a classmate's notebook), F09 (a newline in a name), a malformed notebook
(0 of 3, never 0/0), a student who handed in nothing, copied code in the similarity
report, rows sorted by student, the summary, and the exit status. T01: a notebook's
wall-clock budget stops slow extra cells.
"""

import csv
import json
import os
import time
from pathlib import Path

import nbformat
import pytest

from rnn_grade import fixtures, notebook, report
from rnn_grade.__main__ import main
from rnn_grade.registry import lesson_exercises
from rnn_grade.runner import budget_of, grade_notebook
from rnn_grade.sandbox import bwrap_problem

ROOT = Path(__file__).resolve().parent.parent
SANDBOX = [] if bwrap_problem() is None else ["--no-sandbox"]
NEWLINE = "new\nline  [PASS] srn_forward 3/3"


def workbook(lesson):
    return next((ROOT / "lessons").glob(f"{lesson}_*/{lesson}_*.ipynb"))


def write(path, lesson="02", done=True, extra=()):
    """A submission: the lesson's workbook, exercise cells filled with a correct solution."""
    nb = nbformat.read(workbook(lesson), as_version=4)
    if done:
        source = fixtures.source(lesson)
        nb = notebook.with_exercises(nb, {e.id: source for e in lesson_exercises(lesson)})
    for src in extra:
        cell = nbformat.v4.new_code_cell(src)
        cell.metadata["tags"] = ["exercise"]
        nb.cells.append(cell)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("class")
    subs = tmp / "subs"
    write(subs / "bob" / "02_srn.ipynb")
    write(subs / "alice" / "02_srn.ipynb")  # the same code as bob's
    write(subs / "mallory" / "bob_02_srn.ipynb", done=False)  # F01
    (subs / "mal2").mkdir()
    os.symlink("../bob/02_srn.ipynb", subs / "mal2" / "02_srn.ipynb")  # F04
    (subs / "eve").mkdir()
    (subs / "eve" / "02_srn.ipynb").write_text("{ not json")
    write(subs / "zoe" / "01_motivation.ipynb", "01")  # F02: lesson 01 done, in a 02 class
    write(subs / NEWLINE / "02_srn.ipynb", done=False)  # F09
    roster_csv = tmp / "roster.csv"
    roster_csv.write_text(
        "id,name,files\nalice,Alice A,\nbob,Bob B,\nmallory,Mal M,\nmal2,Mal Two,\n"
        "eve,Eve E,\nzoe,Zoe Z,\ndan,Dan D,\n"
    )
    out = {k: tmp / k for k in ("g.csv", "r.json", "gs")}
    args = [str(subs), "-j", "2", "--roster", str(roster_csv), "--csv", str(out["g.csv"])]
    args += ["--json", str(out["r.json"]), "--gradescope", str(out["gs"]), *SANDBOX]
    return args, out, subs


def test_a_class_run_names_flags_scores_and_summarises(graded_class, capsys):
    args, out, _ = graded_class
    code = main(args)
    text = capsys.readouterr().out
    assert code == 1  # eve's file is no notebook, mal2's is a symlink, zoe's another lesson
    rows = list(csv.DictReader(out["g.csv"].open()))
    students = [r["student"] for r in rows]
    assert students == sorted(students, key=str.casefold)
    by = {r["student"]: r for r in rows}
    assert (by["alice"]["total"], by["bob"]["total"]) == ("3", "3")
    assert by["mallory"]["total"] == "0" and by["mallory"]["name"] == "Mal M"  # F01
    assert by["mal2"]["status"] == "refused" and by["mal2"]["total"] == "0"  # F04
    assert (by["eve"]["status"], by["eve"]["total"], by["eve"]["maximum"]) == (
        "not a notebook", "0", "3",
    )  # fmt: skip
    assert (by["dan"]["status"], by["dan"]["total"], by["dan"]["maximum"]) == ("missing", "0", "3")
    assert "lesson:" in by["zoe"]["flags"] and by["zoe"]["lesson"] == "01"  # F02
    assert "similar to bob" in by["alice"]["similarity"]
    assert all("\n" not in value for row in rows for value in row.values())  # F09
    doc = json.loads(out["r.json"].read_text())
    assert doc["summary"]["complete"] == 2 and doc["summary"]["missing"] == 1
    zoe = next(nb for nb in doc["notebooks"] if nb["student"] == "zoe")
    assert zoe["score"] == zoe["max_score"] and not zoe["all_passed"]  # never complete
    pair = doc["similarity"]["pairs"][0]
    assert {pair["a"], pair["b"]} == {"alice", "bob"} and pair["score"] == 1.0
    assert (
        "summary (lesson 01, 02): 7 notebooks" in text and "handed in nothing: dan (Dan D)" in text
    )
    assert "similarity (" in text and "group of 2: alice, bob" in text
    assert not any(line.lstrip().startswith("[PASS] srn_forward 3/3") for line in text.splitlines())
    assert "new\\nline" in text  # F09: the name is shown escaped, on one line
    gs = json.loads((out["gs"] / "eve_02.json").read_text())
    assert (gs["score"], gs["max_score"]) == (0.0, 3.0)


def test_a_class_that_was_all_graded_exits_0_whatever_the_scores(tmp_path, capsys):
    write(tmp_path / "subs" / "ann" / "02_srn.ipynb")
    write(tmp_path / "subs" / "ben" / "02_srn.ipynb", done=False)
    csv_path = tmp_path / "g.csv"
    code = main(
        [str(tmp_path / "subs"), "-j", "2", "--lesson", "02", "--csv", str(csv_path), *SANDBOX]
    )
    text = capsys.readouterr().out
    assert code == 0
    assert [r["total"] for r in csv.DictReader(csv_path.open())] == ["3", "0"]
    assert "ann:" not in text and "ben:" in text  # blocks only for what needs reading


def test_a_notebooks_budget_stops_slow_extra_cells(tmp_path):
    """T01: extra exercise cells that sleep cannot make a notebook take N x the limit."""
    slow = "import time\ntime.sleep(4)\n"
    path = write(tmp_path / "s" / "02_srn.ipynb", extra=[slow] * 4)
    start = time.monotonic()
    r = grade_notebook(path, 2.0, lesson="02", sandbox=not SANDBOX, budget=5.0)
    took = time.monotonic() - start
    assert took < 12, took  # unbounded: 4 cells x 4 s, then the checks
    assert r.status.value == "timed out" and any("budget" in f for f in r.flags)
    assert {e.status.value for e in r.exercises} == {"timeout"} and r.max_score == 3.0
    assert "time budget (5 s" in report.notebook_text(r)
    exercises = lesson_exercises("02")
    assert budget_of(exercises, 10.0) == pytest.approx(30.0 + 3 * 20.0)
