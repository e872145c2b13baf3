"""Smoke test of the *installed* rnn_course and rnn-grade distributions (in a venv), run from
outside the repository.

Usage: ``python .ci/check_installed.py LESSON_FOLDER`` with the venv's python, from a
temporary directory; LESSON_FOLDER is the repository's ``lessons/02_srn`` (only its
``fixtures/correct_a.py`` is read: the wheels ship no fixtures). Checks that both packages
imported are the installed ones (not the source tree), that the library carries no
grading code, that every module imports, that the corpora load, that the NumPy and torch
layers run, and that the installed ``rnn-grade`` command grades, in its sandbox:

- a fresh workbook: every exercise "not implemented";
- a correct notebook (the fixture's answers in the installed workbook): full marks;
- a wrong one (the fixture with ``b_ih`` dropped): ``srn_step_forward`` fails with the
  named mistake (the bias `b_ih` left out), the rest of the notebook still graded.

A grader that crashes (0/0, no exercises) fails every one of these. ``RNN_GRADE_SANDBOX``
(default ``bwrap``) is the isolation the report must name.
"""

import importlib
import json
import os
import pkgutil
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def main(lesson):
    import numpy as np
    import torch

    import rnn_course

    where = Path(rnn_course.__file__).resolve()
    assert "site-packages" in where.parts, f"rnn_course imported from {where}, not a wheel"
    assert not (where.parent / "grade").exists(), "the library wheel carries grading code"
    import rnn_grade
    from rnn_grade import lessons

    grader = Path(rnn_grade.__file__).resolve()
    assert "site-packages" in grader.parts, f"rnn_grade imported from {grader}, not a wheel"
    assert lessons.root() == grader.parent / "lessons", lessons.root()
    assert len(lessons.folders()) >= 6, lessons.folders()
    for m in pkgutil.walk_packages(rnn_course.__path__, "rnn_course."):
        importlib.import_module(m.name)
    from rnn_course import numpy_rnn, torch_rnn
    from rnn_course.data.text import CharVocab, load_corpus

    for name in ("pydoc", "stdlib"):
        text = load_corpus(name)
        assert len(text) > 100_000, (name, len(text))
        assert len(CharVocab.from_text(text)) > 50
    rng = np.random.default_rng(0)
    x, h0 = rng.standard_normal((3, 2, 4)), np.zeros((2, 5))
    w = [rng.standard_normal(s) for s in ((20, 4), (20, 5), (20,), (20,))]
    h, c, _ = numpy_rnn.lstm_forward(x, h0, h0, *w)
    out, _ = torch_rnn.LSTM(4, 5, proj_size=2)(torch.from_numpy(x).float())
    assert h.shape == (3, 2, 5) and out.shape == (3, 2, 2)
    exe = shutil.which("rnn-grade", path=os.path.dirname(sys.executable))
    assert exe, "the rnn-grade console script is not installed next to python"
    answers = (Path(lesson) / "fixtures" / "correct_a.py").read_text(encoding="utf-8")
    wrong = answers.replace("b_ih[j] + b_hh[j] + ", "b_hh[j] + ")
    assert wrong != answers, "the lesson-02 fixture changed: update the mistake made here"
    from rnn_grade import gradescope

    with tempfile.TemporaryDirectory() as tmp:
        class_dir = Path(tmp) / "class"
        for student, text in (("fresh", None), ("right", answers), ("wrong", wrong)):
            nb = class_dir / student / "02_srn.ipynb"
            nb.parent.mkdir(parents=True)
            if text is None:
                shutil.copy(gradescope.workbook("02"), nb)
            else:
                nb.write_text(gradescope.answered_notebook("02", text), encoding="utf-8")
        report = Path(tmp) / "report.json"
        cmd = [exe, str(class_dir), "--lesson", "02", "-j", "2", "--json", str(report)]
        r = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp, timeout=600)
        out = f"rnn-grade exit {r.returncode}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
        assert r.returncode == 0 and report.exists(), out  # 0: everything given was graded
        doc = json.loads(report.read_text())
        got = {Path(nb["path"]).parent.name: nb for nb in doc["notebooks"]}
        assert sorted(got) == ["fresh", "right", "wrong"], out
        sandbox = os.environ.get("RNN_GRADE_SANDBOX", "bwrap")
        for name, nb in got.items():
            assert nb.get("sandbox") == sandbox, (name, nb.get("sandbox"), nb.get("sandbox_note"))
            assert len(nb["exercises"]) == 3 and not nb.get("error"), (name, out)
        status = {n: {e["id"]: e for e in nb["exercises"]} for n, nb in got.items()}
        assert all(e["status"] == "not implemented" for e in status["fresh"].values()), out
        assert got["right"]["score"] == got["right"]["max_score"] == 3, out
        step = status["wrong"]["srn_step_forward"]
        said = json.dumps(step)
        assert step["status"] == "fail" and "`b_ih`" in said, said  # the missing bias, named
        assert status["wrong"]["softmax_output"]["status"] == "pass", out
    version = sys.version.split()[0]
    print(
        f"installed rnn_course {rnn_course.__version__} and rnn_grade work (Python {version}): "
        f"fresh 0/3, correct 3/3, wrong {got['wrong']['score']:g}/3 with its mistake named, "
        f"sandbox {sandbox}"
    )


if __name__ == "__main__":
    main(sys.argv[1])
