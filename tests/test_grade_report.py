"""The typed report and its writers, names, rosters, caps and similarity (no grading: fast).

- results: statuses are enums; a malformed or missing notebook scores 0 of the lesson's
  maximum; learner text is shortened (R12);
- writers: names with newlines cannot paint a PASS block (F09); the JSON is valid at the
  end and readable line by line before; the CSV is appended and sorted once at the end;
- names: the folder names the student (F01), LMS exports and rosters map names;
- the command line refuses file names spelled like options (R07) and reports written
  over a submission (R07b);
- notebooks: a cell too large to parse, JSON too deep or too many objects, and symlinks
  are refused with one line (R02, R03, F04); the grader stays under 500 MB on a 5 MB cell;
- similarity: renamed copies pair up, the reference code is recognised, encoded code
  (F07) is flagged.
"""

import csv
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from rnn_grade import notebook, report, roster, similarity
from rnn_grade.__main__ import main
from rnn_grade.results import (
    ExerciseResult,
    ExerciseStatus,
    NotebookResult,
    NotebookStatus,
    TestResult,
)
from rnn_grade.runner import find_notebooks

ROOT = Path(__file__).resolve().parent.parent


def _exercise(ex_id="srn_step_forward", passed=5, total=5, message=""):
    status = ExerciseStatus.PASS if passed == total else ExerciseStatus.FAIL
    tests = [
        TestResult(f"test {i}", i < passed, "" if i < passed else message) for i in range(total)
    ]
    return ExerciseResult(ex_id, "02", status, tests, total=total)


def _result(student, path=None, exercises=None, **kw):
    exercises = [_exercise()] if exercises is None else exercises
    kw.setdefault("maximum", 3.0)
    return NotebookResult(
        path or f"subs/{student}/02_srn.ipynb", student, "02", exercises=exercises, **kw
    )


# ------------------------------------------------------------------ results


def test_a_malformed_or_missing_notebook_scores_zero_of_the_lessons_maximum():
    bad = _result("eve", exercises=[], status=NotebookStatus.MALFORMED, error="not valid JSON")
    gone = _result("dan", path="", exercises=[], status=NotebookStatus.MISSING)
    for r in (bad, gone):
        assert (r.score, r.max_score, r.complete) == (0.0, 3.0, False)
        row = report.csv_row(r, ["srn_step_forward", "srn_forward"])
        assert (row["total"], row["maximum"], row["srn_forward"]) == ("0", "3", "0")
        assert report.gradescope(r)["max_score"] == 3.0
    assert NotebookStatus("not a notebook") is NotebookStatus.MALFORMED
    with pytest.raises(ValueError):
        NotebookStatus("passed")


def test_learner_values_are_shortened_in_every_message():
    """R12: a returned 7 MB string stays a few hundred characters per test."""
    huge = "z" * 7_000_000
    ex = ExerciseResult.from_dict(
        {"id": "perplexity", "lesson": "06", "status": "fail", "total": 2, "message": huge,
         "output": huge, "tests": [{"name": "t", "passed": False, "message": huge}] * 2}
    )  # fmt: skip
    r = _result("mallory", exercises=[ex], error=huge)
    assert len(ex.tests[0].message) < 600 and "characters cut" in ex.tests[0].message
    assert len(report.notebook_text(r, verbose=True)) < 6_000
    assert len(json.dumps(report.gradescope(r))) < 10_000
    assert len(json.dumps(r.to_dict())) < 10_000


# ------------------------------------------------------------------ writers


F09 = (
    "mallory_02_srn.ipynb  (lesson 02: The simple recurrent network)\n"
    "  [PASS] srn_step_forward  5\u22155 tests\n  score: 3\u22153 points\n" + "\n" * 40 + ".ipynb"
)


def test_a_file_name_with_newlines_cannot_paint_a_pass_block():
    """F09: every name a student chose is printed on one line, control characters escaped."""
    stub = _exercise(passed=0, message="not implemented")
    r = _result("mallory", path=f"subs/{F09}", exercises=[stub], name="M\x1b[32mallory")
    text = report.notebook_text(r)
    assert not any(line.lstrip().startswith("[PASS]") for line in text.splitlines())
    assert "\\n  [PASS]" in text.splitlines()[0] and "\x1b" not in text
    assert "score: 0/3 points" in text
    row = report.csv_row(r, ["srn_step_forward"])
    assert "\n" not in row["file"] and "\\n" in row["file"]
    summary = report.summary_text([r]).splitlines()
    assert not any(line.lstrip().startswith(("[PASS]", "score")) for line in summary)


def test_the_json_report_is_appended_and_valid_when_closed(tmp_path):
    path = tmp_path / "r.json"
    out = report.JsonReport(path, seed_used=False, lesson="02")
    results = [_result("bob"), _result("alice", exercises=[_exercise(passed=2)])]
    for r in results:
        out.add(r)
    cut = report.read_json(path)  # the run is still going (or the machine died)
    assert [nb["student"] for nb in cut["notebooks"]] == ["bob", "alice"]
    with pytest.raises(ValueError):
        json.loads(path.read_text())
    out.close(results)
    doc = json.loads(path.read_text())
    assert doc["format"] == report.FORMAT and doc["lesson"] == "02"
    assert doc["summary"]["graded"] == 2 and doc["summary"]["complete"] == 1
    assert doc["notebooks"][1]["exercises"][0]["status"] == "fail"
    assert doc["notebooks"][1]["score"] == pytest.approx(0.4) and not doc["all_passed"]


def test_the_csv_is_appended_as_the_run_goes_and_sorted_by_student_at_the_end(tmp_path):
    path = tmp_path / "g.csv"
    out = report.CsvReport(path, ["srn_step_forward"])
    results = [_result(s) for s in ("raj", "Quinn", "=cmd()", "alice")]
    for i, r in enumerate(results):
        out.add(r)
        assert len(path.read_text().splitlines()) == i + 2  # flushed row by row
    out.close(results)
    rows = list(csv.DictReader(path.open()))
    assert [r["student"] for r in rows] == ["'=cmd()", "alice", "Quinn", "raj"]
    assert {r["total"] for r in rows} == {"1"} and {r["maximum"] for r in rows} == {"3"}


def test_the_summary_counts_what_an_instructor_asks_first():
    results = [
        _result("a"),
        _result("b", exercises=[_exercise(passed=0)], status=NotebookStatus.TIMED_OUT),
        _result("c", exercises=[], status=NotebookStatus.MALFORMED),
        _result("d", path="", exercises=[], status=NotebookStatus.MISSING, name="Dee Lee"),
    ]
    results[1].exercises[0].status = ExerciseStatus.TIMEOUT
    c = report.counts(results)
    assert (c["notebooks"], c["graded"], c["complete"], c["timeouts"]) == (3, 2, 1, 1)
    assert (c["malformed"], c["missing"]) == (1, 1)
    text = report.summary_text(results)
    assert "handed in nothing: d (Dee Lee)" in text and "missing 1" in text
    assert "mean score 0.25/3" in text


# ------------------------------------------------------------------ names


def _items(tmp_path, rels):
    for rel in rels:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("{}")
    return [(tmp_path / rel, tmp_path) for rel in rels]


def test_the_folder_names_the_student_never_a_file_name_prefix(tmp_path):
    """F01: mallory/bob_02_srn.ipynb is mallory's; a parent folder of lessons names students."""
    items = _items(tmp_path, ["bob/02_srn.ipynb", "mallory/bob_02_srn.ipynb"])
    assert [n[0] for n in roster.name_students(items)] == ["bob", "mallory"]
    items = _items(
        tmp_path / "c", ["l02/alice/02_srn.ipynb", "l02/bob/02_srn.ipynb", "l05/cy/x/05_lstm.ipynb"]
    )
    assert [n[0] for n in roster.name_students(items)] == ["alice", "bob", "cy"]
    flat = _items(
        tmp_path / "f",
        [
            "doejohn_12345_678910_02_srn.ipynb",
            "smithjane_LATE_23456_789012_02_srn.ipynb",
            "alice_02_srn.ipynb",
            "Lesson 2 - Bob Lee.ipynb",
        ],
    )
    names = [n[0] for n in roster.name_students(flat)]
    assert names == ["doejohn", "smithjane", "alice", "Lesson 2 - Bob Lee"]
    dupes = roster.duplicates([("bob", "02"), ("bob", "02"), ("amy", "02")])
    assert set(dupes) == {0, 1}


def test_a_roster_names_students_maps_exports_and_lists_who_is_missing(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(
        "id,name,files\n"
        "jdoe,John Doe,12345\n"
        "asmith,Ann Smith,submission_777\n"
        "bob,Bob Lee,\n"
        "zed,Zed Who,\n"
    )
    students = roster.load(path)
    files = ["doejohn_12345_678910_02_srn.ipynb", "submission_777/02_srn.ipynb"]
    items = _items(tmp_path / "subs", [*files, "bob_02_srn.ipynb", "eve_02_srn.ipynb"])
    named = roster.name_students(items, students)
    expected = [("jdoe", "John Doe"), ("asmith", "Ann Smith"), ("bob", "Bob Lee")]
    assert [(n[0], n[1]) for n in named[:3]] == expected
    assert named[3][0] == "eve" and "not on the roster" in named[3][2][0]
    assert [s.id for s in roster.missing(students, [n[0] for n in named])] == ["zed"]
    (tmp_path / "bad.csv").write_text("student,name\nx,y\n")
    with pytest.raises(roster.RosterError, match="no 'id' column"):
        roster.load(tmp_path / "bad.csv")


# ------------------------------------------------------------------ the command line


def test_a_file_name_spelled_like_an_option_is_refused(tmp_path, monkeypatch, capsys):
    """R07: `rnn-grade *.ipynb` over `--lesson=01_motivation.ipynb` grades nothing, says why."""
    monkeypatch.chdir(tmp_path)
    for name in ("alice_05_lstm.ipynb", "--lesson=01_motivation.ipynb"):
        Path(name).write_text("{}")
    assert main(["--lesson=01_motivation.ipynb", "alice_05_lstm.ipynb"]) == 2
    err = capsys.readouterr().err
    assert "spelled like an option but is a file here" in err


def test_a_report_is_never_written_over_a_submission(tmp_path, monkeypatch, capsys):
    """R07b: `--json=carol_05_lstm.ipynb` (or any target that is an input) is refused."""
    monkeypatch.chdir(tmp_path)
    Path("carol_05_lstm.ipynb").write_text('{"carol": 1}')
    for flags in (["--json", "carol_05_lstm.ipynb"], ["--csv", "./carol_05_lstm.ipynb"]):
        assert main(["carol_05_lstm.ipynb", *flags]) == 2
        assert "refusing to write a report over a submission" in capsys.readouterr().err
    assert Path("carol_05_lstm.ipynb").read_text() == '{"carol": 1}'


def test_release_is_dispatched_to_its_own_command(monkeypatch):
    seen = []
    fake = type(sys)("rnn_grade.release")
    fake.main = lambda argv: seen.append(argv) or 0
    monkeypatch.setitem(sys.modules, "rnn_grade.release", fake)
    import rnn_grade

    monkeypatch.setattr(rnn_grade, "release", fake, raising=False)
    assert main(["release", "02", "-o", "out"]) == 0 and seen == [["02", "-o", "out"]]


# ------------------------------------------------------------------ reading notebooks


def _nb(cells):
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells})


def test_caps_before_parsing_give_one_clear_line():
    """R02/R03: huge cells, too many objects and deep nesting are refused before parsing."""
    big = {"cell_type": "code", "source": "x = [" + "0," * 2_500_000 + "]", "metadata": {}}
    with pytest.raises(notebook.NotebookError, match="over the .* limit") as e:
        notebook.parse(_nb([big]))
    assert "\n" not in str(e.value)
    with pytest.raises(notebook.NotebookError, match="objects"):
        notebook.parse('{"nbformat": 4, "cells": [' + ",".join(["{}"] * 300_000) + "]}")
    with pytest.raises(notebook.NotebookError, match="nested"):
        notebook.parse('{"nbformat": 4, "metadata": ' + "[" * 5000 + "]" * 5000 + ', "cells": []}')
    fine = {"cell_type": "code", "source": 'd = {"a": [1, {"b": "[[[{{{"}]}', "metadata": {}}
    assert notebook.parse(_nb([fine]))[0].source.startswith("d =")


def test_symlinks_are_refused(tmp_path):
    """F04: a symlink to a classmate's notebook is never read, inside the folder or not."""
    (tmp_path / "bob").mkdir()
    (tmp_path / "bob" / "02_srn.ipynb").write_text(_nb([]))
    (tmp_path / "mallory").mkdir()
    os.symlink("../bob/02_srn.ipynb", tmp_path / "mallory" / "02_srn.ipynb")
    with pytest.raises(notebook.Refused, match="symlink"):
        notebook.load(tmp_path / "mallory" / "02_srn.ipynb", tmp_path)
    os.symlink("bob", tmp_path / "trudy")  # a linked folder is listed (and refused), not entered
    found = [p.relative_to(tmp_path).as_posix() for p, _ in find_notebooks([tmp_path])]
    assert sorted(found) == ["bob/02_srn.ipynb", "mallory/02_srn.ipynb", "trudy"]
    with pytest.raises(notebook.Refused):
        notebook.load(tmp_path / "trudy", tmp_path)


def test_the_grader_stays_under_500_mb_on_a_5_mb_cell(tmp_path):
    """R03: one 5 MB code cell cost 2.4 GB in ast.parse; now it is refused before parsing."""
    path = tmp_path / "02_srn.ipynb"
    cell = {"cell_type": "code", "source": "x = [" + "0," * 2_500_000 + "]\n", "metadata": {}}
    path.write_text(_nb([cell]))
    code = (
        "import sys\nfrom rnn_grade.__main__ import main\n"
        "rc = main([sys.argv[1], '--lesson', '02'])\n"
        # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child of a big
        # pytest process would report the parent's peak
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "print(rc, int(hwm.split()[1]) // 1024)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    rc, peak_mb = map(int, out.stdout.split()[-2:])
    assert rc == 1 and peak_mb < 500, out.stdout + out.stderr
    assert "over the" in out.stdout


# ------------------------------------------------------------------ similarity

HONEST = textwrap.dedent(
    """
    import numpy as np

    def srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
        pre = np.dot(x, W_ih.transpose()) + np.dot(h_prev, W_hh.transpose())
        pre = pre + b_ih[None, :] + b_hh[None, :]
        out = np.where(pre > 0, pre, 0.0) if nonlinearity == "relu" else np.tanh(pre)
        return out, None
    """
)
OTHER = textwrap.dedent(
    """
    def srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
        total = b_ih + b_hh
        for row in range(3):
            total = total + 0
        if nonlinearity != "tanh":
            raise ValueError(nonlinearity)
        return __import__("numpy").tanh(x.dot(W_ih.T) + h_prev.dot(W_hh.T) + total), {}
    """
)


@pytest.mark.skipif(similarity.available() is not None, reason="copydetect not installed")
def test_similarity_pairs_renamed_copies_and_recognises_the_reference():
    renamed = HONEST.replace("pre", "z").replace("out", "result") + "# all my own work\n"
    subs = [
        similarity.Submission(1, "alice", "02", {"srn_step_forward": HONEST}),
        similarity.Submission(2, "bob", "02", {"srn_step_forward": renamed}),
        similarity.Submission(3, "carol", "02", {"srn_step_forward": OTHER}),
    ]
    rep = similarity.analyse(subs, references={"02": OTHER})
    assert [(a, b, e) for a, b, _, e in rep.pairs] == [(1, 2, ["srn_step_forward"])]
    assert [k for k, _, _ in rep.reference] == [3]
    assert "similar to bob (1.00)" in rep.cell(1)
    doc = rep.to_dict()
    assert doc["pairs"][0]["a"] == "alice" and doc["reference"][0]["student"] == "carol"


def test_hidden_code_is_flagged():
    """F07: the library's bytecode pasted as marshal + base64 is flagged, not graded down."""
    blob = "QUJD" * 200
    source = f"import marshal, base64, types\ncode = marshal.loads(base64.b64decode({blob!r}))\n"
    reasons = similarity.hidden_code(source)
    assert "marshal.loads()" in reasons and "base64.b64decode()" in reasons
    assert any("encoded literal" in r for r in reasons)
    assert similarity.hidden_code("exec(bytes.fromhex('7072696e74'))") == [
        "bytes.fromhex()",
        "exec()",
    ]
    assert similarity.hidden_code(HONEST) == []
