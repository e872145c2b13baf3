"""Build a Gradescope autograder bundle for one lesson.

``python -m rnn_grade.gradescope lessons/02_srn.ipynb -o autograder.zip``

The zip holds this package's source, ``requirements.txt`` (pinned) and
``pyproject.toml``, plus Gradescope's two scripts:

- ``setup.sh`` installs bubblewrap and the pinned requirements (which install this
  package from the bundle);
- ``run_autograder`` grades the notebook in ``/autograder/submission`` for the
  bundle's lesson (never the notebook's own claim) with ``rnn-grade --gradescope``
  and writes ``/autograder/results/results.json``. ``RNN_GRADE_SOURCE``,
  ``RNN_GRADE_SUBMISSION``, ``RNN_GRADE_RESULTS`` and ``RNN_GRADE_PYTHON`` override
  the paths and the interpreter, so the bundle also runs locally in a temporary folder.

Gradescope gives every submission its own container; inside it the grader still
runs the learner code in its own process (and in bubblewrap where the container
allows user namespaces; else the results say ``"sandbox": "none"``).
"""

import argparse
import sys
import zipfile
from pathlib import Path

import rnn_course

from . import lessons
from .registry import LESSONS
from .runner import lesson_number

REPO = Path(rnn_course.__file__).resolve().parent.parent
GRADER = Path(__file__).resolve().parent

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once when the autograder image is built.
set -euo pipefail
cd "$(dirname "$0")"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq bubblewrap python3 python3-pip python3-venv
python3 -m venv /autograder/venv
# the pinned requirements; their "-e ." and "-e ./grader" install rnn_course and rnn_grade
/autograder/venv/bin/python -m pip install --quiet -r requirements.txt
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission; the paths can be overridden for a local run.
set -uo pipefail
SOURCE="${{RNN_GRADE_SOURCE:-/autograder/source}}"
SUBMISSION="${{RNN_GRADE_SUBMISSION:-/autograder/submission}}"
RESULTS="${{RNN_GRADE_RESULTS:-/autograder/results}}"
PYTHON="${{RNN_GRADE_PYTHON:-/autograder/venv/bin/python}}"
LESSON="{lesson}"
EXPECTED="{name}"
mkdir -p "$RESULTS"
cd "$SOURCE"
nb="$(find "$SUBMISSION" -maxdepth 3 -name "$EXPECTED" -not -path '*/.ipynb_checkpoints/*' \\
      | sort | head -n 1)"
if [ -z "$nb" ]; then
    nb="$(find "$SUBMISSION" -maxdepth 3 -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' \\
          | sort | head -n 1)"
fi
fail() {{
    printf '{{"score": 0, "output": "%s", "tests": []}}\\n' "$1" > "$RESULTS/results.json"
    exit 0
}}
[ -n "$nb" ] || fail "no notebook (.ipynb) found in the submission: upload $EXPECTED"
: > "$RESULTS/results.json"  # an old or planted file never stands
PYTHONPATH="$SOURCE" "$PYTHON" -m rnn_grade --lesson "$LESSON" -j 1 \\
    --gradescope "$RESULTS/results.json" "$nb"
status=$?
# 0: all passed, 1: graded with failures; anything else (killed, crashed) voids any
# results.json that exists, whoever wrote it
[ "$status" -le 1 ] || fail "the grader stopped (exit status $status): not graded"
[ -s "$RESULTS/results.json" ] || fail "the grader stopped before writing results"
exit 0
"""


def _tree(folder, rel_to, skip=()):
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(rel_to)
        if path.is_file() and "__pycache__" not in rel.parts and path.suffix != ".pyc":
            if not any(part in skip for part in rel.parts):
                yield path, rel


def _source_files():
    yield from _tree(REPO / "rnn_course", REPO)
    yield from _tree(GRADER, GRADER.parent)
    for folder in lessons.folders().values():  # each lesson's grading files, no fixtures
        yield from ((p, Path("lessons") / r) for p, r in _tree(folder, folder.parent, {"fixtures"}))
    for name in ("pyproject.toml", "requirements.txt", "README.md", "LICENSE"):
        if (REPO / name).exists():
            yield REPO / name, Path(name)
    if (REPO / "grader" / "pyproject.toml").exists():
        yield REPO / "grader" / "pyproject.toml", Path("grader/pyproject.toml")


def build(lesson_notebook, output, lesson=None):
    """Write the bundle for the lesson of ``lesson_notebook`` to ``output``; return its path."""
    lesson = lesson or lesson_number(Path(lesson_notebook).name)
    if lesson not in LESSONS:
        raise ValueError(
            f"cannot tell the lesson of {lesson_notebook}: name it NN_<name>.ipynb or pass --lesson"
        )
    name = Path(lesson_notebook).name
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as z:
        for path, rel in _source_files():
            z.write(path, str(rel))
        for script, text in (("setup.sh", SETUP), ("run_autograder", RUN)):
            info = zipfile.ZipInfo(script)
            info.external_attr = 0o755 << 16
            z.writestr(info, text.format(lesson=lesson, name=name))
    return Path(output)


def main(argv=None):
    p = argparse.ArgumentParser(
        prog="python -m rnn_grade.gradescope",
        description="Build a Gradescope autograder zip for one lesson.",
    )
    p.add_argument("lesson_notebook", help="the lesson notebook, e.g. lessons/02_srn.ipynb")
    p.add_argument("-o", "--output", default="autograder.zip", help="the zip to write")
    p.add_argument("--lesson", help="the lesson number (default: from the file name)")
    args = p.parse_args(argv)
    lesson = lesson_number(args.lesson) if args.lesson else None
    try:
        out = build(args.lesson_notebook, args.output, lesson)
    except ValueError as exc:
        p.error(str(exc))
    print(f"wrote {out}: the Gradescope autograder for {Path(args.lesson_notebook).name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
