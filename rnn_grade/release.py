"""``rnn-grade release LESSON OUT [--no-solutions] [--wheels DIR]``: a lesson's student handout.

OUT gets:

- ``NN_<name>.ipynb``: the lesson's workbook as learners start it (exercise stubs that
  raise ``NotImplementedError``, the check cells, the capstone), outputs cleared; with
  ``--no-solutions`` a cell right after the one that imports ``rnn_grade`` turns
  ``solution()`` off, so that it says solutions are off for this class (``check`` and
  ``hint`` work as before);
- ``wheels/``: the ``rnn_course`` and ``rnn-grade`` wheels the notebook needs (from
  ``--wheels``, default ``_build/wheel`` of a source checkout: ``make wheels``);
- ``README.md``: what to do, the exact ``pip install`` line, how the lesson is graded and
  what to hand in; the same install line alone in ``INSTALL.txt``.

The course library teaches the code the exercises ask for (its chapters derive and
implement each function), so a handout cannot hide answers and does not try to:
``--no-solutions`` only keeps the one-call shortcut out of the workbook. What protects a
graded class is the grader's secret seed (memorised outputs fail) and the similarity
report of a class run (copied code is shown to the instructor).
"""

import argparse
import json
import shutil
import sys
from importlib import metadata
from pathlib import Path

TORCH_INDEX = "https://download.pytorch.org/whl/cpu"
OFF_MARK = "rnn-grade release --no-solutions"
OFF_CELL = f"""# Solutions are off for this class ({OFF_MARK}): solution() says so.
# check() and hint() work as usual.
import os

os.environ["RNN_COURSE_SOLUTIONS"] = "off"
"""


def _wheel(folder, dist):
    pattern = dist.replace("-", "_") + "-*.whl"
    found = sorted(Path(folder).glob(pattern))
    if not found:
        raise FileNotFoundError(
            f"no {pattern} in {folder}: build the wheels with `make wheels`, or pass --wheels DIR"
        )
    return found[-1]


def default_wheels():
    """``_build/wheel`` of the source checkout this grader runs from (None when installed)."""
    repo = Path(__file__).resolve().parent.parent
    return repo / "_build" / "wheel" if (repo / "grader" / "pyproject.toml").exists() else None


def _pin(dist):
    try:
        return f"{dist}=={metadata.version(dist).split('+')[0]}"
    except metadata.PackageNotFoundError:
        return dist


def install_line(wheels):
    """The exact ``pip install`` line of the handout (run in the handout folder)."""
    parts = ["python -m pip install", f"--extra-index-url {TORCH_INDEX}"]
    parts += [f"./wheels/{w.name}" for w in wheels]
    parts += [_pin(d) for d in ("numpy", "torch", "nbformat", "tqdm")]
    parts.append(_pin("jupyterlab"))
    return " ".join(parts)


def handout_notebook(lesson, solutions=True):
    """The workbook of ``lesson`` as a NotebookNode, outputs cleared; see the module doc."""
    import nbformat

    from .gradescope import workbook

    nb = nbformat.read(workbook(lesson), as_version=4)
    for c in nb.cells:
        if c.cell_type == "code":
            c.outputs, c.execution_count = [], None
    nb.metadata.setdefault("rnn_course", {})["solutions"] = "on" if solutions else "off"
    if not solutions:
        at = next(
            (
                i
                for i, c in enumerate(nb.cells)
                if c.cell_type == "code" and "rnn_grade import" in c.source
            ),
            None,
        )
        if at is None:
            raise ValueError(f"the workbook of lesson {lesson} never imports rnn_grade")
        cell = nbformat.v4.new_code_cell(OFF_CELL)
        cell.metadata["tags"] = ["solutions-off"]
        nb.cells.insert(at + 1, cell)
    return nb


def readme(lesson, title, notebook_name, line, solutions):
    help_line = (
        "`solution(fn)` shows the lesson's solution once `check` has run on an attempt of yours."
        if solutions
        else "Solutions are off for this class: `solution(fn)` says so. Use `hint(fn)` "
        "(again for the next hint) and the chapter."
    )
    return f"""# Lesson {lesson}: {title}

Your workbook is `{notebook_name}`. Fill in each exercise cell (replace the
`raise NotImplementedError`), then run the check cell under it: it tests your function
at once and names the likely mistake. `hint(fn)` gives the next hint. {help_line}

## Install (once)

Python 3.11 to 3.13; in this folder, ideally in a fresh virtual environment
(`python -m venv .venv` and activate it):

```
{line}
```

(The extra index gives the CPU-only build of torch, a few hundred MB instead of
several GB.) Then `jupyter lab {notebook_name}`.

## Hand in

Hand in `{notebook_name}` itself (keep its name and the function names; your own
helper functions are fine). Only the exercise cells are graded: each exercise is
run on the probes your check cells use and, where your instructor chose so, on
inputs you have not seen, so code that returns memorised numbers fails. Code that
imports the course library (`rnn_course`) instead of writing the function fails the
exercise.
"""


def release(lesson, out, *, solutions=True, wheels=None):
    """Write the handout of ``lesson`` into the folder ``out``; return the install line."""
    import nbformat

    from .registry import LESSONS

    if lesson not in LESSONS:
        raise ValueError(f"no lesson {lesson!r}; the lessons are {', '.join(LESSONS)}")
    folder = Path(wheels) if wheels else default_wheels()
    if folder is None:
        raise FileNotFoundError(
            "pass --wheels DIR: the folder of the rnn_course and rnn-grade wheels"
        )
    found = [_wheel(folder, "rnn_course"), _wheel(folder, "rnn_grade")]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    from .gradescope import workbook

    nb = handout_notebook(lesson, solutions)
    name = workbook(lesson).name
    nbformat.write(nb, out / name)
    (out / "wheels").mkdir(exist_ok=True)
    for w in found:
        shutil.copy2(w, out / "wheels" / w.name)
    line = install_line(found)
    (out / "INSTALL.txt").write_text(line + "\n", encoding="utf-8")
    (out / "README.md").write_text(
        readme(lesson, LESSONS[lesson], name, line, solutions), encoding="utf-8"
    )
    manifest = {"lesson": lesson, "notebook": name, "solutions": solutions, "install": line}
    (out / "handout.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return line


def main(argv=None):
    from .runner import lesson_number

    p = argparse.ArgumentParser(
        prog="rnn-grade release",
        description="Write the student handout of a lesson: the workbook with stubs, "
        "the instructions and the exact pip install line.",
    )
    p.add_argument("lesson", help="the lesson: its number (02) or workbook name")
    p.add_argument("out", help="the folder to write the handout into")
    p.add_argument(
        "--no-solutions",
        action="store_true",
        help="solution() in the handout says solutions are off for this class",
    )
    p.add_argument("--wheels", help="folder of the rnn_course and rnn-grade wheels (make wheels)")
    args = p.parse_args(argv)
    lesson = lesson_number(Path(args.lesson).name)
    try:
        line = release(lesson, args.out, solutions=not args.no_solutions, wheels=args.wheels)
    except (ValueError, FileNotFoundError) as exc:
        p.error(str(exc))
    print(f"wrote the handout of lesson {lesson} to {args.out}")
    print(f"students install with:\n  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
