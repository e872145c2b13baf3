"""The Gradescope bundle (rnn_grade.gradescope) and the student handout (rnn_grade.release).

The bundle is also proven end to end in a Gradescope-shaped container:
tests/test_gradescope_rootfs.py (slow).
"""

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from rnn_grade import gradescope, release
from rnn_grade.registry import lesson_exercises

LESSON = "02"


def _answers(lesson, fixture="correct_a"):
    from rnn_grade import lessons

    return (Path(lessons.folders()[lesson]) / "fixtures" / f"{fixture}.py").read_text()


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle") / "autograder.zip"
    return gradescope.build(LESSON, out, seed=31337, secret_visibility="after_due_date")


def test_bundle_holds_only_what_grading_needs(bundle):
    z = zipfile.ZipFile(bundle)
    names = z.namelist()
    for script in ("setup.sh", "run_autograder"):
        assert stat.S_IMODE(z.getinfo(script).external_attr >> 16) == 0o755
    reqs = z.read("requirements.txt").decode().split()
    assert sorted(r.split("==")[0] for r in reqs) == ["nbformat", "numpy", "torch"]
    setup = z.read("setup.sh").decode()
    assert "--index-url https://download.pytorch.org/whl/cpu" in setup
    assert "bubblewrap" in setup and "chmod 700" in setup
    assert "packages/rnn_grade/lessons/02_srn/checks.py" in names
    assert "packages/rnn_grade/lessons/05_lstm/checks.py" in names  # "looks like lesson 05"
    assert "packages/rnn_course/numpy_rnn.py" in names
    assert not [n for n in names if "/fixtures/" in n or "__pycache__" in n or n.endswith(".pyc")]
    assert z.read("secret_seed").decode().strip() == "31337"
    config = json.loads(z.read("config.json"))
    assert config["lesson"] == LESSON and config["notebook"] == "02_srn.ipynb"
    for script in ("setup.sh", "run_autograder"):
        r = subprocess.run(["bash", "-n"], input=z.read(script), capture_output=True)
        assert r.returncode == 0, r.stderr


def test_choose_names_other_lessons_and_puts_the_expected_name_first(tmp_path):
    sub = tmp_path / "submission"
    fresh = (gradescope.workbook(LESSON)).read_text()
    _write(sub / "02_srn_final.ipynb", gradescope.answered_notebook(LESSON, _answers(LESSON)))
    _write(sub / "02_srn.ipynb", fresh)
    _write(sub / "05_lstm.ipynb", gradescope.workbook("05").read_text())
    _write(sub / ".ipynb_checkpoints" / "02_srn-checkpoint.ipynb", fresh)
    _write(sub / "broken.ipynb", "{not json")
    os.symlink("/etc/passwd", sub / "link.ipynb")
    choice = gradescope.choose(sub, LESSON, "02_srn.ipynb")
    assert [p.name for p in choice.graded] == ["02_srn.ipynb", "02_srn_final.ipynb"]
    assert {p.name: v for p, v in choice.others.items()} == {"05_lstm.ipynb": "05"}
    assert [p.name for p, _ in choice.unreadable] == ["broken.ipynb"]


def test_results_split_points_between_public_and_secret_tests():
    config = {"secret_share": 0.25, "secret_visibility": "after_due_date"}
    public = {
        "seconds": 1.0,
        "exercises": [
            {"id": "f", "status": "pass", "passed": 4, "total": 4, "points": 2},
            {
                "id": "g",
                "status": "fail",
                "passed": 1,
                "total": 4,
                "points": 1,
                "message": "bias dropped",
            },
        ],
    }
    secret = {
        "seconds": 1.0,
        "exercises": [
            {"id": "f", "status": "fail", "passed": 2, "total": 4, "points": 2},
            {"id": "g", "status": "fail", "passed": 0, "total": 4, "points": 1},
        ],
    }
    doc = gradescope.results(config, public, secret)
    got = [(t["name"], t["score"], t["max_score"], t["visibility"]) for t in doc["tests"]]
    assert got == [
        ("f (public probes)", 1.5, 1.5, "visible"),
        ("f (secret probes)", 0.25, 0.5, "after_due_date"),
        ("g (public probes)", 0.1875, 0.75, "visible"),
        ("g (secret probes)", 0.0, 0.25, "after_due_date"),
    ]
    assert doc["score"] == pytest.approx(1.9375)
    assert "bias dropped" in doc["tests"][2]["output"]
    only_public = gradescope.results(config, public)
    assert [t["max_score"] for t in only_public["tests"]] == [2.0, 1.0]


@pytest.fixture(scope="module")
def layout(bundle, tmp_path_factory):
    """A local /autograder as setup.sh leaves it: the bundle in source/, its packages in
    grader/; this Python stands in for the venv's (RNN_GRADE_PYTHON)."""
    root = tmp_path_factory.mktemp("autograder")
    zipfile.ZipFile(bundle).extractall(root / "source")
    shutil.copytree(root / "source" / "packages", root / "grader")
    return root


def _run(layout, files, planted=None):
    sub = layout / "submission"
    shutil.rmtree(sub, ignore_errors=True)
    sub.mkdir()
    for name, text in files.items():
        _write(sub / name, text)
    if planted:
        _write(layout / "results" / "results.json", planted)
    env = dict(os.environ, RNN_GRADE_AUTOGRADER=str(layout), RNN_GRADE_PYTHON=sys.executable)
    r = subprocess.run(
        ["bash", str(layout / "source" / "run_autograder")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    return json.loads((layout / "results" / "results.json").read_text())


MAX = float(sum(e.points for e in lesson_exercises(LESSON)))


def test_run_grades_the_best_notebook_and_says_which(layout):
    fresh = gradescope.workbook(LESSON).read_text()
    doc = _run(
        layout,
        {
            "02_srn.ipynb": fresh,
            "work/02_srn_final.ipynb": gradescope.answered_notebook(LESSON, _answers(LESSON)),
        },
    )
    assert doc["score"] == pytest.approx(MAX)
    assert "Graded file: work/02_srn_final.ipynb." in doc["output"]
    assert "2 notebooks of this lesson" in doc["output"]
    vis = {t["visibility"] for t in doc["tests"]}
    assert vis == {"visible", "after_due_date"} and len(doc["tests"]) == 2 * len(
        lesson_exercises(LESSON)
    )


def test_run_names_a_mistake_and_another_lesson(layout):
    wrong = _answers(LESSON).replace("b_ih[j] + b_hh[j] + ", "b_hh[j] + ")
    doc = _run(layout, {"02_srn.ipynb": gradescope.answered_notebook(LESSON, wrong)})
    assert 0 < doc["score"] < MAX
    step = [t for t in doc["tests"] if t["name"].startswith("srn_step_forward (public")][0]
    assert step["score"] < step["max_score"] and "b_ih" in step["output"]
    doc = _run(layout, {"05_lstm.ipynb": gradescope.workbook("05").read_text()})
    assert doc["score"] == 0
    assert (
        "looks like lesson 05" in doc["output"]
        and "Upload your lesson 02 notebook" in doc["output"]
    )
    assert sum(t["max_score"] for t in doc["tests"]) == MAX  # 0 of the maximum, never 0/0


def test_run_with_nothing_to_grade(layout):
    forged = json.dumps({"score": 99, "tests": []})
    doc = _run(layout, {"notes.txt": "I could not do it"}, planted=forged)
    assert doc["score"] == 0 and "no notebook (.ipynb)" in doc["output"]
    assert sum(t["max_score"] for t in doc["tests"]) == MAX


# ------------------------------------------------------------------ the handout


@pytest.fixture()
def wheels(tmp_path):
    w = tmp_path / "wheels"
    w.mkdir()
    for name in ("rnn_course-0.1.0-py3-none-any.whl", "rnn_grade-0.1.0-py3-none-any.whl"):
        (w / name).write_bytes(b"PK")
    return w


@pytest.mark.parametrize("solutions", [True, False])
def test_release_writes_the_handout(tmp_path, wheels, solutions, capsys):
    out = tmp_path / "handout"
    argv = [LESSON, str(out), "--wheels", str(wheels)] + ([] if solutions else ["--no-solutions"])
    assert release.main(argv) == 0
    nb = nbformat.read(out / "02_srn.ipynb", as_version=4)
    src = nbformat.read(gradescope.workbook(LESSON), as_version=4)
    assert [c.source for c in nb.cells if "exercise" in c.metadata.get("tags", [])] == [
        c.source for c in src.cells if "exercise" in c.metadata.get("tags", [])
    ]
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    line = (out / "INSTALL.txt").read_text().strip()
    assert line.startswith(
        "python -m pip install --extra-index-url https://download.pytorch.org/whl/cpu"
    )
    assert (
        "./wheels/rnn_course-0.1.0-py3-none-any.whl ./wheels/rnn_grade-0.1.0-py3-none-any.whl"
        in line
    )
    assert "torch==" in line and line in (out / "README.md").read_text()
    assert sorted(p.name for p in (out / "wheels").iterdir()) == sorted(
        p.name for p in wheels.iterdir()
    )
    off = [c for c in nb.cells if "solutions-off" in c.metadata.get("tags", [])]
    assert len(off) == (0 if solutions else 1)
    if not solutions:
        # the handout's own cells, up to the switch, then solution(): it says they are off
        code = [c.source for c in nb.cells if c.cell_type == "code"]
        upto = code[: code.index(off[0].source) + 1]
        prog = "\n".join(upto) + "\nsolution('srn_step_forward')\n"
        r = subprocess.run(
            [sys.executable, "-c", prog],
            capture_output=True,
            text=True,
            env={k: v for k, v in os.environ.items() if k != "RNN_COURSE_SOLUTIONS"},
        )
        assert "off for this class" in r.stdout, r.stdout + r.stderr


def test_release_refuses_without_wheels(tmp_path):
    with pytest.raises(SystemExit):
        release.main([LESSON, str(tmp_path / "h"), "--wheels", str(tmp_path)])
