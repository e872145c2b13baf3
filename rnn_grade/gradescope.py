"""The Gradescope autograder of one lesson: the bundle, and the grading of one submission.

Build the bundle (an instructor, once per lesson)::

    rnn-grade gradescope 02 -o autograder.zip [--seed N] [--secret-visibility after_due_date]

(also ``python -m rnn_grade.gradescope 02 ...``). The zip holds Gradescope's two scripts,
``setup.sh`` and ``run_autograder``, ``config.json`` (the lesson, the pinned versions),
``requirements.txt`` and ``packages/``: the ``rnn_grade`` package with every lesson's
grading files (never the test fixtures) and the ``rnn_course`` library, copied from where
this Python imports them (a source checkout or an install). With ``--seed`` it also holds
``secret_seed``.

``setup.sh`` (Gradescope runs it once, as root, when it builds the image): finds a Python
3.11 to 3.13 (the image's ``python3``; else ``python3.13``/``3.12``/``3.11`` from apt:
Ubuntu 22.04 ships 3.10 but has ``python3.11`` in universe; else it stops with one line
naming the base image to choose), makes ``/autograder/venv`` with numpy, the CPU-only torch
(from PyTorch's CPU index) and nbformat, copies ``packages/`` to ``/autograder/grader``
(root only: learner code reads the venv, never the grader, the solutions or the library),
installs bubblewrap, closes ``/autograder/source`` (the seed) to other users and grades
the bundle's own self-test notebook.

``run_autograder`` (per submission, as root) runs ``python -m rnn_grade.gradescope run``:
:func:`run` picks the notebook (see :func:`choose`), grades it with ``rnn-grade`` in a
subprocess (the learner code in bubblewrap where it starts, else as the grader's
unprivileged user), once with the public probes (tests ``visible``) and, with a secret seed,
once more with the seed (tests hidden until ``--secret-visibility``), and writes
``/autograder/results/results.json`` last, after the grader and every learner process have
ended, in a root-only folder that learner code can neither see (bubblewrap) nor write (the
unprivileged user). For a local run, ``RNN_GRADE_AUTOGRADER`` (default ``/autograder``)
moves the whole layout, ``RNN_GRADE_GRADER`` the packages (default its ``grader/``) and
``RNN_GRADE_PYTHON`` the interpreter (default its ``venv/bin/python``).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

VISIBILITIES = ("visible", "after_due_date", "after_published", "hidden")
PINNED = ("numpy", "torch", "nbformat")  # all that grading installs besides the packages
TORCH_INDEX = "https://download.pytorch.org/whl/cpu"
PYTHONS = ("3.11", "3.13")  # oldest and newest supported
MAX_NOTEBOOKS = 3  # notebooks of the lesson graded in one submission (the best one counts)
SKIP_DIRS = {".ipynb_checkpoints", "__MACOSX", ".git"}
HERE = Path(__file__).resolve().parent
WHEN = {
    "after_due_date": "after the due date",
    "after_published": "once grades are published",
    "hidden": "to your instructor only",
}
ISOLATION = {  # the student-facing line per isolation the report names
    "bwrap": "Your code ran in a sandbox (bubblewrap), apart from the grader.",
    "user": "Your code ran as a separate unprivileged user, apart from the grader.",
    "none": "Your code ran in a separate process without a sandbox (this image cannot "
    "start one; your instructor is told).",
}


# ------------------------------------------------------------------ the bundle


def pins():
    """{distribution: version} of numpy, torch and nbformat as this Python has them."""
    out = {}
    for name in PINNED:
        out[name] = metadata.version(name).split("+")[0]  # 2.13.0+cpu -> 2.13.0
    return out


def _tree(src, arc):
    """(file, name in the zip) for every file under ``src`` but bytecode and caches."""
    for path in sorted(Path(src).rglob("*")):
        rel = path.relative_to(src)
        if path.is_file() and not path.is_symlink() and "__pycache__" not in rel.parts:
            if path.suffix not in (".pyc", ".pyo"):
                yield path, f"{arc}/{rel.as_posix()}"


def package_files():
    """The files of ``packages/``: rnn_grade with its lessons (no fixtures) and rnn_course."""
    import rnn_course

    from . import lessons

    yield from _tree(HERE, "packages/rnn_grade")
    inside = HERE / "lessons"
    for folder in lessons.folders().values():
        if Path(folder).resolve().parent == inside.resolve():
            continue  # an installed grader: already under packages/rnn_grade/lessons
        for path, name in _tree(folder, f"packages/rnn_grade/lessons/{Path(folder).name}"):
            if "/fixtures/" not in name:
                yield path, name
    yield from _tree(Path(rnn_course.__file__).resolve().parent, "packages/rnn_course")


def exercise_sources(text, ids):
    """{exercise id: cell source} from a module of answers: each cell holds the module's
    imports, its helpers (functions and assignments that are no exercise) and the function."""
    import ast

    tree = ast.parse(text)
    seg = lambda node: ast.get_source_segment(text, node)
    head = [seg(n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    helpers = [
        seg(n)
        for n in tree.body
        if isinstance(n, ast.Assign) or (isinstance(n, ast.FunctionDef) and n.name not in ids)
    ]
    return {
        n.name: "\n\n\n".join(["\n".join(head), *helpers, seg(n)])
        for n in tree.body
        if isinstance(n, ast.FunctionDef) and n.name in ids
    }


def answered_notebook(lesson, text):
    """The lesson's workbook (JSON text) with the exercises of module ``text`` filled in."""
    import nbformat

    from . import notebook
    from .registry import lesson_exercises

    ids = [e.id for e in lesson_exercises(lesson)]
    nb = notebook.read(workbook(lesson))
    return nbformat.writes(notebook.with_exercises(nb, exercise_sources(text, ids)))


def selftest_notebook(lesson):
    """The workbook with its ``correct_a`` fixture filled in, or None where the fixtures are
    not at hand (an installed grader ships none)."""
    from . import lessons

    path = Path(lessons.folders()[lesson]) / "fixtures" / "correct_a.py"
    if not path.is_file():
        return None
    return answered_notebook(lesson, path.read_text(encoding="utf-8"))


def workbook(lesson):
    from . import lessons

    folder = Path(lessons.folders()[lesson])
    return folder / f"{folder.name}.ipynb"


def build(lesson, output, *, seed=None, secret_visibility="after_due_date", secret_share=0.5):
    """Write the Gradescope bundle of ``lesson`` ("02") to ``output``; return its path."""
    from .registry import LESSONS

    if lesson not in LESSONS:
        raise ValueError(f"no lesson {lesson!r}; the lessons are {', '.join(LESSONS)}")
    if secret_visibility not in VISIBILITIES:
        raise ValueError(f"--secret-visibility: one of {', '.join(VISIBILITIES)}")
    if not 0 < secret_share < 1:
        raise ValueError("--secret-share: a fraction between 0 and 1, e.g. 0.5")
    name = workbook(lesson).name
    versions = pins()
    config = {
        "lesson": lesson,
        "title": LESSONS[lesson],
        "notebook": name,
        "pins": versions,
        "torch_index": TORCH_INDEX,
        "pythons": list(PYTHONS),
        "secret_visibility": secret_visibility,
        "secret_share": secret_share,
    }
    scripts = {"setup.sh": SETUP, "run_autograder": RUN}
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as z:
        for path, arc in package_files():
            z.write(path, arc)
        z.writestr("config.json", json.dumps(config, indent=2) + "\n")
        z.writestr("requirements.txt", "".join(f"{k}=={v}\n" for k, v in versions.items()))
        if seed is not None:
            z.writestr("secret_seed", f"{int(seed)}\n")
        test = selftest_notebook(lesson)
        if test is not None:
            z.writestr(f"selftest/{name}", test)
        for script, text in scripts.items():
            info = zipfile.ZipInfo(script)
            info.external_attr = 0o100755 << 16
            z.writestr(info, text.replace("@TORCH_INDEX@", TORCH_INDEX))
    return Path(output)


SETUP = r"""#!/usr/bin/env bash
# rnn-grade autograder: Gradescope runs this once, as root, when it builds the image.
# It installs only what grading needs: a Python 3.11 to 3.13, numpy, the CPU-only torch,
# nbformat, bubblewrap, and the grader and library packages of this bundle.
set -euo pipefail
cd "$(dirname "$0")"
AG="${RNN_GRADE_AUTOGRADER:-/autograder}"
SRC="$(pwd)"
export DEBIAN_FRONTEND=noninteractive
say() { echo "rnn-grade setup: $*"; }
stop() { echo "rnn-grade setup: STOP: $*" >&2; exit 1; }
good() { "$1" -c 'import sys, venv, ensurepip
sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' \
         >/dev/null 2>&1; }
python_here() {
    for p in python3 python3.13 python3.12 python3.11; do
        exe="$(command -v "$p" 2>/dev/null)" && good "$exe" && { echo "$exe"; return 0; }
    done
    return 1
}
updated=""
apt_install() {
    command -v apt-get >/dev/null || return 1
    [ -n "$updated" ] || { apt-get update -qq && updated=1; }
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
PY="$(python_here || true)"
if [ -z "$PY" ]; then
    old="$(python3 -V 2>/dev/null || echo 'no python3')"
    say "the image's python3 ($old) is not 3.11 to 3.13: trying Python 3.11+ from apt"
    for v in 3.13 3.12 3.11; do
        if apt_install "python$v" "python$v-venv" 2>/dev/null; then break; fi
    done
    PY="$(python_here || true)"
    [ -n "$PY" ] || stop "this image has $old and apt offers no Python 3.11 to 3.13:" \
        "choose the Ubuntu 24.04 base image (Configure Autograder > Base Image)"
fi
say "Python: $PY ($("$PY" -V 2>&1))"
command -v bwrap >/dev/null || apt_install bubblewrap \
    || say "bubblewrap not installed: learner code will run as an unprivileged user"
rm -rf "$AG/venv"
"$PY" -m venv "$AG/venv"
pip=("$AG/venv/bin/python" -m pip install --quiet --disable-pip-version-check)
# the CPU-only torch from PyTorch's own index (the public index's Linux torch is the CUDA build,
# several GB); then numpy and nbformat (PIP_NO_INDEX and PIP_FIND_LINKS serve an offline run)
"${pip[@]}" --index-url @TORCH_INDEX@ "$(grep '^torch==' requirements.txt)"
"${pip[@]}" -r requirements.txt
# the grader and the library sit outside the venv, readable by root only: learner code
# (bubblewrap's nobody, or the grader's unprivileged user) reads the venv's numpy and torch,
# never the lessons' solutions, the library or the secret seed
rm -rf "$AG/grader"
cp -r packages "$AG/grader"
chmod -R go-rwx "$AG/grader"
chmod -R a+rX "$AG/venv"
chmod 700 "$SRC"
chmod 711 "$AG"
if [ -d selftest ]; then
    say "self-test: grading the bundle's own correct notebook"
    (cd "$AG/grader" && PYTHONPATH="$AG/grader" \
        "$AG/venv/bin/python" -m rnn_grade.gradescope selftest)
fi
say "done"
"""

RUN = r"""#!/usr/bin/env bash
# rnn-grade autograder: Gradescope runs this for every submission, as root.
# RNN_GRADE_AUTOGRADER, RNN_GRADE_GRADER and RNN_GRADE_PYTHON move it for a local run.
AG="${RNN_GRADE_AUTOGRADER:-/autograder}"
GRADER="${RNN_GRADE_GRADER:-$AG/grader}"
cd "$GRADER" || exit 1
PYTHONPATH="$GRADER" exec "${RNN_GRADE_PYTHON:-$AG/venv/bin/python}" -m rnn_grade.gradescope run
"""


# ------------------------------------------------------------------ one submission


@dataclass
class Choice:
    """What :func:`choose` found in a submission."""

    graded: list = field(default_factory=list)  # notebooks of this lesson, best guess first
    others: dict = field(default_factory=dict)  # {notebook: lesson it looks like}
    skipped: list = field(default_factory=list)  # notebooks of this lesson not graded
    unreadable: list = field(default_factory=list)  # (notebook, reason)
    count: int = 0  # every .ipynb seen


def _notebooks(folder):
    """Every regular .ipynb under ``folder`` (no symlinks, no checkpoints), in name order."""
    found = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        for f in sorted(filenames):
            p = Path(dirpath) / f
            if f.endswith(".ipynb") and not f.startswith("._") and not p.is_symlink():
                found.append(p)
    return found


_DEF = re.compile(r"^\s*def\s+([A-Za-z_]\w*)\s*\(", re.MULTILINE)


def looks_like(path):
    """The lesson whose exercises ``path`` defines most (None when it defines none).

    Reads the notebook's JSON (size-capped) and looks at the exercise tags and the names of
    the functions its code cells define; nothing is executed.
    """
    from .notebook import MAX_BYTES
    from .registry import load_all

    if path.stat().st_size > MAX_BYTES:
        raise ValueError(f"larger than {MAX_BYTES // 2**20} MB")
    try:
        nb = json.loads(path.read_bytes())
    except (ValueError, RecursionError):
        raise ValueError("not valid JSON, so not a notebook") from None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise ValueError("no list of cells, so not a notebook")
    names = set()
    for c in cells:
        if not isinstance(c, dict) or c.get("cell_type") != "code":
            continue
        tag = (
            (c.get("metadata") or {}).get("exercise")
            if isinstance(c.get("metadata"), dict)
            else None
        )
        if isinstance(tag, str):
            names.add(tag)
        src = c.get("source", "")
        src = "".join(src) if isinstance(src, list) else str(src)
        names.update(_DEF.findall(src))
    votes = {}
    for ex in load_all().values():
        if ex.id in names:
            votes[ex.lesson] = votes.get(ex.lesson, 0) + 1
    return max(votes, key=lambda k: (votes[k], k)) if votes else None


def choose(folder, lesson, expected):
    """Which notebooks of a submission to grade for ``lesson``.

    Every .ipynb is looked at (never run): one that defines the exercises of another lesson
    is named as such and not graded; the notebooks of this lesson (or of no lesson, e.g. an
    untouched stub) are graded, the expected file name first, at most ``MAX_NOTEBOOKS``.
    """
    choice = Choice()
    mine = []
    for path in _notebooks(folder):
        choice.count += 1
        try:
            seen = looks_like(path)
        except (OSError, ValueError) as exc:
            choice.unreadable.append((path, str(exc)))
            continue
        if seen is not None and seen != lesson:
            choice.others[path] = seen
        else:
            mine.append(path)
    mine.sort(key=lambda p: (p.name != expected, str(p)))
    choice.graded, choice.skipped = mine[:MAX_NOTEBOOKS], mine[MAX_NOTEBOOKS:]
    return choice


def _grade(path, lesson, python, *, seed=None):
    """The report dict of one notebook graded by ``rnn-grade`` in a subprocess."""
    from .sandbox import bwrap_problem

    with tempfile.TemporaryDirectory(prefix="rnn-grade-gs-") as private:  # mode 0700
        out = Path(private) / "report.json"
        # a copy in the private folder: no learner user can read the submission's own folder
        copy = Path(private) / "submission" / Path(path).name
        copy.parent.mkdir()
        shutil.copyfile(path, copy)
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "TMPDIR")}
        env["PYTHONPATH"] = str(HERE.parent)  # this grader, installed or not
        if seed is not None:
            env["RNN_GRADE_SEED"] = str(seed)  # never on a command line others can read
        cmd = [python, "-m", "rnn_grade", "--lesson", lesson, "-j", "1"]
        if bwrap_problem():  # a container without user namespaces: the learner user
            cmd.append("--no-sandbox-as-user")
        cmd += ["--json", str(out), str(copy)]
        proc = subprocess.run(
            cmd, env=env, cwd=private, capture_output=True, text=True, timeout=3600
        )
        sys.stdout.write(proc.stdout[-20000:])
        sys.stderr.write(proc.stderr[-20000:])
        if proc.returncode == 2 or not out.exists() or not out.stat().st_size:
            said = proc.stderr.strip().splitlines()[-1:] or ["no message"]
            raise RuntimeError(f"the grader stopped (exit status {proc.returncode}): {said[0]}")
        doc = json.loads(out.read_text(encoding="utf-8"))
    notebooks = doc.get("notebooks") or []
    if not notebooks:
        raise RuntimeError("the grader wrote no report")
    return notebooks[0]


def _earned(ex):
    points = float(ex.get("points", 1))
    total = ex.get("total") or 0
    if ex.get("status") == "pass":
        return points
    return points * ex.get("passed", 0) / total if total else 0.0


def _feedback(ex):
    from .report import escape

    lines = [f"{ex.get('status', '?').upper()}: {ex.get('passed', 0)}/{ex.get('total', 0)} tests"]
    if ex.get("message"):
        lines.append(str(ex["message"]))
    for t in ex.get("tests", []):
        if not t.get("passed"):
            lines.append(f"  FAIL {t.get('name', '')}")
            if t.get("message"):
                lines.append("       " + str(t["message"]).replace("\n", "\n       "))
    if ex.get("output"):
        lines.append("your code printed:\n" + str(ex["output"])[:2000])
    return escape("\n".join(lines))[:8000]


def results(config, public, secret=None):
    """Gradescope's results.json (a dict) from the public report and the secret-seed one."""
    share = config["secret_share"] if secret is not None else 0.0
    by_id = {e["id"]: e for e in (secret or {}).get("exercises", [])}
    tests = []
    for ex in public.get("exercises", []):
        points = float(ex.get("points", 1))
        runs = [("public probes", ex, points * (1 - share), "visible")]
        if secret is not None:
            sx = by_id.get(ex["id"], {"status": "fail", "message": "not graded"})
            runs.append(("secret probes", sx, points * share, config["secret_visibility"]))
        for label, e, worth, visibility in runs:
            tests.append(
                {
                    "name": f"{ex['id']} ({label})",
                    "number": str(len(tests) + 1),
                    "score": round(worth * _earned(e) / points, 4) if points else 0.0,
                    "max_score": round(worth, 4),
                    "output": _feedback(e),
                    "visibility": visibility,
                }
            )
    return {
        "score": round(sum(t["score"] for t in tests), 4),
        "execution_time": round(public.get("seconds", 0.0) + (secret or {}).get("seconds", 0.0), 3),
        "output": "",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def _zero(config, message):
    """results.json for a submission graded 0 of the lesson's maximum, with ``message``."""
    from .registry import lesson_exercises

    tests = [
        {
            "name": ex.id,
            "number": str(i),
            "score": 0.0,
            "max_score": float(getattr(ex, "points", 1)),
            "output": "not graded: " + message,
            "visibility": "visible",
        }
        for i, ex in enumerate(lesson_exercises(config["lesson"]), 1)
    ]
    return {
        "score": 0.0,
        "output": message,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def _write(results_dir, doc):
    """Write results.json last, atomically, in a folder only root can write."""
    results_dir = Path(results_dir)
    if results_dir.is_symlink():
        results_dir.unlink()
    results_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(results_dir, 0o755)
    if os.getuid() == 0:
        os.chown(results_dir, 0, 0)
    fd, tmp = tempfile.mkstemp(dir=results_dir, prefix=".results-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
    os.chmod(tmp, 0o644)
    os.replace(tmp, results_dir / "results.json")


def _rel(path, folder):
    from .report import escape

    try:
        return escape(str(Path(path).relative_to(folder)))
    except ValueError:
        return escape(Path(path).name)


def grade_submission(config, submission, python, seed=None):
    """results.json (a dict) for the submission folder, with a student-facing ``output``."""
    from .registry import LESSONS

    lesson, expected = config["lesson"], config["notebook"]
    head = f"Lesson {lesson}: {config['title']}."
    choice = choose(submission, lesson, expected)
    notes = []
    for path, other in choice.others.items():
        title = LESSONS.get(other, "")
        notes.append(
            f"{_rel(path, submission)} looks like lesson {other} ({title}), not lesson {lesson}: "
            "not graded here."
        )
    for path, why in choice.unreadable:
        notes.append(f"{_rel(path, submission)} could not be read: {why}.")
    if not choice.graded:
        if choice.others:
            path, other = next(iter(choice.others.items()))
            msg = (
                f"Nothing graded: {_rel(path, submission)} looks like lesson {other} "
                f"({LESSONS.get(other, '')}), and this assignment is lesson {lesson}. "
                f"Upload your lesson {lesson} notebook, {expected}."
            )
            notes = notes[1:]
        elif choice.count:
            msg = f"Nothing graded: no readable notebook in the submission. Upload {expected}."
        else:
            msg = f"Nothing graded: no notebook (.ipynb) in the submission. Upload {expected}."
        doc = _zero(config, msg)
        doc["output"] = "\n".join([head, msg, *notes])
        return doc
    graded = []
    for path in choice.graded:
        try:
            public = _grade(path, lesson, python)
            secret = _grade(path, lesson, python, seed=seed) if seed is not None else None
        except (RuntimeError, subprocess.TimeoutExpired, ValueError) as exc:
            notes.append(f"{_rel(path, submission)}: {exc}")
            continue
        graded.append((results(config, public, secret), path, public))
    if not graded:
        doc = _zero(config, "the grader could not grade your notebook")
        doc["output"] = "\n".join([head, *notes])
        return doc
    best, path, public = max(graded, key=lambda g: g[0]["score"])
    lines = [head, f"Graded file: {_rel(path, submission)}."]
    if len(graded) > 1:
        scores = ", ".join(
            f"{_rel(p, submission)} {_visible(d):g}/{_visible(d, 'max_score'):g}"
            for d, p, _ in graded
        )
        lines.append(
            f"Your submission has {len(graded)} notebooks of this lesson (visible points: "
            f"{scores}); the best one counts."
        )
    for p in choice.skipped:
        lines.append(f"{_rel(p, submission)}: not graded (at most {MAX_NOTEBOOKS} notebooks).")
    lines += notes
    if public.get("error"):
        lines.append("ERROR " + str(public["error"]))
    if seed is not None and config["secret_visibility"] != "visible":
        when = WHEN[config["secret_visibility"]]
        lines.append(
            "Tests marked (secret probes) run your functions on inputs you have not seen; "
            f"their results are shown {when}."
        )
    box = public.get("sandbox") or "none"
    other = f"Your code ran apart from the grader ({box})."
    lines.append(ISOLATION.get(box, ISOLATION["none"] if box in ("none", "?") else other))
    from .report import escape

    best["output"] = escape("\n".join(lines))
    return best


def _visible(doc, key="score"):
    return sum(t[key] for t in doc["tests"] if t["visibility"] == "visible")


def _layout():
    root = Path(os.environ.get("RNN_GRADE_AUTOGRADER", "/autograder"))
    return root, root / "source", root / "submission", root / "results"


def run(argv=None):
    """Grade ``/autograder/submission`` into ``/autograder/results/results.json``."""
    root, source, submission, results_dir = _layout()
    config = json.loads((source / "config.json").read_text(encoding="utf-8"))
    seed_file = source / "secret_seed"
    seed = int(seed_file.read_text().strip()) if seed_file.exists() else None
    start = time.monotonic()
    stale = results_dir / "results.json"
    if stale.exists() or stale.is_symlink():
        stale.unlink()  # an old or planted file never stands
    try:
        doc = grade_submission(config, submission, sys.executable, seed)
    except Exception as exc:  # the student still gets a line, the log the details
        import traceback

        traceback.print_exc()
        doc = _zero(config, f"the autograder failed ({type(exc).__name__}); tell your instructor")
    doc["execution_time"] = round(time.monotonic() - start, 3)
    _write(results_dir, doc)
    print(json.dumps({"score": doc["score"], "output": doc["output"]}, indent=2))
    return 0


def selftest(argv=None):
    """Grade the bundle's self-test notebook (setup.sh): full marks, or setup fails."""
    root, source, _, _ = _layout()
    config = json.loads((source / "config.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="rnn-grade-selftest-") as tmp:
        shutil.copytree(source / "selftest", Path(tmp) / "submission")
        doc = grade_submission(config, Path(tmp) / "submission", sys.executable)
    full = sum(t["max_score"] for t in doc["tests"])
    print(f"rnn-grade setup: self-test {doc['score']:g}/{full:g}")
    if doc["score"] < full or not doc["tests"]:
        print(doc["output"], file=sys.stderr)
        return 1
    return 0


def parser():
    p = argparse.ArgumentParser(
        prog="rnn-grade gradescope",
        description="Build the Gradescope autograder zip of one lesson.",
    )
    p.add_argument("lesson", help="the lesson: its number (02) or workbook (02_srn.ipynb)")
    p.add_argument("-o", "--output", default="autograder.zip", help="the zip to write")
    p.add_argument(
        "--seed",
        type=int,
        default=None,
        help="the instructor's secret seed: each exercise is graded twice, with the public "
        "probes and with inputs changed by this seed (default: $RNN_GRADE_SEED, else public only)",
    )
    p.add_argument(
        "--secret-visibility",
        choices=VISIBILITIES,
        default="after_due_date",
        help="when students see the secret-seed tests (Gradescope's visibility; "
        "default after_due_date)",
    )
    p.add_argument(
        "--secret-share",
        type=float,
        default=0.5,
        help="the share of each exercise's points the secret-seed test carries (default 0.5)",
    )
    return p


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["run"]:
        return run(argv[1:])
    if argv[:1] == ["selftest"]:
        return selftest(argv[1:])
    from .runner import lesson_number

    p = parser()
    args = p.parse_args(argv)
    seed = args.seed
    if seed is None and os.environ.get("RNN_GRADE_SEED"):
        seed = int(os.environ["RNN_GRADE_SEED"])
    lesson = lesson_number(Path(args.lesson).name) or lesson_number(args.lesson)
    try:
        out = build(
            lesson,
            args.output,
            seed=seed,
            secret_visibility=args.secret_visibility,
            secret_share=args.secret_share,
        )
    except ValueError as exc:
        p.error(str(exc))
    print(f"wrote {out}: the Gradescope autograder of lesson {lesson}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
