"""Smoke test of the *installed* rnn_course and rnn-grade wheels (in a venv), run from outside
the repository.

Usage: ``python .ci/check_installed.py LESSON.ipynb`` with the venv's python, from a
temporary directory. Checks that both packages imported are the installed ones (not the
source tree), that the library carries no grading code, that every module imports, that
the corpora load, that the NumPy and torch layers run, and that the ``rnn-grade`` console
script grades a lesson notebook with the lessons shipped in its wheel (a fresh workbook:
exit code 1, every exercise graded "not implemented", and a JSON report).
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
    with tempfile.TemporaryDirectory() as tmp:
        nb = Path(tmp) / Path(lesson).name
        shutil.copy(lesson, nb)
        report = Path(tmp) / "report.json"
        r = subprocess.run([exe, str(nb), "--json", str(report)], capture_output=True, text=True)
        assert r.returncode == 1, f"rnn-grade exit {r.returncode}\n{r.stdout}\n{r.stderr}"
        doc = json.loads(report.read_text())
        assert doc["all_passed"] is False and doc["notebooks"], doc
        exercises = doc["notebooks"][0]["exercises"]
        assert exercises and all(e["status"] == "not implemented" for e in exercises), doc
    version = sys.version.split()[0]
    print(f"installed rnn_course {rnn_course.__version__} and rnn_grade work (Python {version})")


if __name__ == "__main__":
    main(sys.argv[1])
