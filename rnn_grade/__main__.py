"""Command line: ``rnn-grade [OPTIONS] SUBMISSIONS...`` and ``rnn-grade release ...``.

Exit status (also in ``--help`` and the README's grading section):

- 0: every notebook it was given was graded (whatever the scores; timeouts included);
- 1: some notebook could not be graded (not a notebook, a refused symlink, an unknown
  lesson, a grader error), or names another lesson than the rest of the class;
- 2: nothing to grade, a bad command line, or learner code cannot be isolated (no
  bubblewrap and no ``--no-sandbox-as-user``, or that path refused);
- 130: interrupted (the reports keep what was graded).

``rnn-grade release ...`` is ``rnn_grade.release.main(argv)`` (the student handout).
"""

import argparse
import math
import os
import sys
import time
from collections import Counter
from pathlib import Path

from . import report, roster
from .results import NotebookResult, NotebookStatus
from .runner import (
    SECONDS,
    NoIsolation,
    find_notebooks,
    grade_many,
    lesson_number,
    prepare,
    set_seed,
)
from .sandbox import Limits

EPILOG = """\
exit status: 0 every notebook given was graded (whatever the scores); 1 some notebook
could not be graded (not a notebook, a symlink, unknown lesson, grader error) or names
another lesson than the class; 2 nothing to grade, a bad command line, or no sandbox;
130 interrupted (the reports keep what was graded).

rnn-grade release ...   writes a lesson's student handout (rnn-grade release --help).
"""


def _positive(kind, integer=False):
    def parse(text):
        try:
            value = int(text) if integer else float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a positive {kind}, got {text!r}") from None
        if not math.isfinite(value) or value <= 0:
            raise argparse.ArgumentTypeError(f"expected a positive {kind}, got {text!r}")
        return value

    return parse


def _seed(text):
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer seed, got {text!r}") from None


def _lesson(text):
    from .registry import LESSONS

    n = lesson_number(text)
    if n not in LESSONS:
        raise argparse.ArgumentTypeError(
            f"expected a lesson number ({', '.join(LESSONS)}) or a lesson file name, got {text!r}"
        )
    return n


def _fraction(text):
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 < value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1], got {text!r}")
    return value


def parser():
    p = argparse.ArgumentParser(
        prog="rnn-grade",
        description="Grade rnn-course lesson notebooks. The notebooks are read, never modified; "
        "learner code runs in a sandboxed learner process, the checks here.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="+", help="lesson notebooks, or folders of submissions")
    p.add_argument(
        "--lesson", type=_lesson, help="the lesson to grade (default: from each file's name)"
    )
    p.add_argument(
        "-j",
        "--jobs",
        type=_positive("integer", True),
        default=os.cpu_count() or 1,
        help="notebooks graded at once (default: the number of cores)",
    )
    p.add_argument(
        "--json",
        metavar="FILE",
        help="write a JSON report, appended to as the run goes (valid JSON at the end)",
    )
    p.add_argument(
        "--csv",
        metavar="FILE",
        help="write one CSV row per submission as it is graded (sorted by student at the end)",
    )
    p.add_argument(
        "--gradescope",
        metavar="PATH",
        help="Gradescope results.json: a file for one notebook, else a folder (one per student)",
    )
    p.add_argument(
        "--roster",
        metavar="FILE",
        help="CSV with a header row id,name,files: names students, maps LMS-export file "
        "names (files: ;-separated file or folder names), lists who handed in nothing",
    )
    p.add_argument(
        "--timeout",
        type=_positive("number of seconds"),
        default=SECONDS,
        metavar="S",
        help=f"time limit per exercise in seconds (default {SECONDS:g}); each notebook's "
        "budget is derived from its lesson's exercises",
    )
    p.add_argument(
        "--seed",
        type=_seed,
        default=None,
        help="secret seed changing every probe input (default: $RNN_GRADE_SEED, else none)",
    )
    p.add_argument(
        "--no-similarity",
        action="store_true",
        help="skip the similarity report of a class run (copied or hidden code)",
    )
    p.add_argument(
        "--similarity-threshold",
        type=_fraction,
        default=None,
        metavar="F",
        help="how alike two submissions must be to be listed (default 0.9)",
    )
    box = p.add_mutually_exclusive_group()
    box.add_argument(
        "--no-sandbox-as-user",
        "--no-sandbox",
        dest="no_sandbox",
        action="store_true",
        help="where bubblewrap cannot start: run learner code as the dedicated unprivileged "
        "user rnn-grade-learner (root only; refused unless that user can read no grader, "
        "lesson, submission or report file)",
    )
    box.add_argument(
        "--require-sandbox", action="store_true", help="(the default) fail if bwrap cannot start"
    )
    d = Limits()
    p.add_argument(
        "--memory",
        type=_positive("number of MB", True),
        default=d.memory_mb,
        metavar="MB",
        help=f"address space per learner process (default {d.memory_mb})",
    )
    p.add_argument(
        "--cpu-seconds",
        type=_positive("number of seconds", True),
        default=d.cpu_seconds,
        metavar="S",
        help=f"CPU time per learner process (default {d.cpu_seconds})",
    )
    p.add_argument(
        "--file-size",
        type=_positive("number of MB", True),
        default=d.file_mb,
        metavar="MB",
        help=f"largest file learner code may write (default {d.file_mb})",
    )
    p.add_argument(
        "--max-procs",
        type=_positive("integer", True),
        default=d.procs,
        metavar="N",
        help=f"processes and threads learner code may add (default {d.procs})",
    )
    p.add_argument(
        "-v", "--verbose", action="store_true", help="a block for every notebook, passed tests too"
    )
    p.add_argument(
        "--no-progress", action="store_true", help="no progress line (it shows on a terminal)"
    )
    return p


SUBCOMMANDS = {  # rnn-grade NAME ...: module whose main(argv) handles it
    "gradescope": "gradescope",  # the Gradescope autograder zip of a lesson
    "release": "release",  # the student handout of a lesson
}


# ------------------------------------------------------------------ names that are options


def options_that_are_files(argv):
    """The message refusing an argument spelled like an option that names a file, or None.

    ``rnn-grade *.ipynb`` in a folder holding ``--lesson=01_x.ipynb`` would otherwise
    take a student's file name as an option.
    """
    for arg in argv:
        if arg == "--":
            return None
        if arg.startswith("-") and len(arg) > 1 and os.path.lexists(arg):
            return (
                f"rnn-grade: the argument '{report.escape_name(arg)}' is spelled like an option "
                "but is a file here: refusing to guess. A shell glob over student files puts "
                "such names on the command line; pass folders, or put -- before file names."
            )
    return None


def targets_that_are_inputs(args, items):
    """The message refusing a --json/--csv/--gradescope target that is an input, or None."""
    inputs = set()
    for path, _ in items:
        try:
            inputs.add(os.path.realpath(path))
        except OSError:
            continue
    for flag in ("json", "csv", "gradescope"):
        target = getattr(args, flag)
        if target is None:
            continue
        real = os.path.realpath(target)
        if str(target).endswith(".ipynb") or real in inputs:
            return (
                f"rnn-grade: --{flag} {report.escape_name(target)} names a notebook: refusing "
                "to write a report over a submission"
            )
    return None


# ------------------------------------------------------------------ the run


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] and argv[0] in SUBCOMMANDS:
        import importlib

        return importlib.import_module(f"{__package__}.{SUBCOMMANDS[argv[0]]}").main(argv[1:])
    refused = options_that_are_files(argv)
    if refused:
        print(refused, file=sys.stderr)
        return 2
    p = parser()
    args = p.parse_args(argv)
    if args.seed is None and os.environ.get("RNN_GRADE_SEED"):
        try:
            args.seed = _seed(os.environ["RNN_GRADE_SEED"])
        except argparse.ArgumentTypeError as exc:
            p.error(f"RNN_GRADE_SEED: {exc}")
    students = None
    if args.roster:
        try:
            students = roster.load(args.roster)
        except roster.RosterError as exc:
            print(f"rnn-grade: {exc}", file=sys.stderr)
            return 2
    items = find_notebooks(args.paths)
    if not items and not students:
        print("no notebooks found in: " + report.escape_name(" ".join(args.paths)), file=sys.stderr)
        return 2
    refused = targets_that_are_inputs(args, items)
    if refused:
        print(refused, file=sys.stderr)
        return 2
    outputs = _private_outputs(args, len(items))
    try:
        prepare(items, args.jobs or os.cpu_count() or 1, not args.no_sandbox, outputs)
    except NoIsolation as exc:
        print(f"rnn-grade: {exc}", file=sys.stderr)
        return 2
    set_seed(args.seed)
    return Run(args, items, students, outputs).go()


class Run:
    """One run of the command: grade, write as it goes, summarise."""

    def __init__(self, args, items, students, private=()):
        self.args, self.items, self.students = args, items, students
        self.private = list(private)  # report paths learner code must not reach
        self.limits = Limits(args.memory, args.cpu_seconds, args.file_size, args.max_procs)
        self.names = roster.name_students(items, students)
        self.lessons = [args.lesson or lesson_number(Path(p).name) for p, _ in items]
        self.class_lesson, self.lesson_flags = _lesson_flags(self.lessons, args.lesson)
        if args.lesson:  # say so where a file's name claims another lesson (F12)
            for i, (p, _) in enumerate(items):
                named = lesson_number(Path(p).name)
                if named and named != args.lesson:
                    self.lesson_flags[i] = (
                        f"named: this looks like lesson {named} (its file name); graded as "
                        f"lesson {args.lesson} (--lesson)"
                    )
        self.dupes = roster.duplicates(
            [(n[0], les) for n, les in zip(self.names, self.lessons, strict=True)]
        )
        self.done = [None] * len(items)
        self.gs_names = set()
        self.gs_dir = _gradescope_dir(args.gradescope, len(items))
        self.single = len(items) == 1 and not students
        self.bar = None

    def go(self):
        args = self.args
        ids = _exercise_columns(self.lessons, self.class_lesson)
        csv_out = report.CsvReport(args.csv, ids) if args.csv else None
        meta = {"seed_used": args.seed is not None, "lesson": args.lesson}
        json_out = report.JsonReport(args.json, **meta) if args.json else None
        self.outputs = [w for w in (csv_out, json_out) if w]
        start = time.monotonic()
        self.bar = _progress(len(self.items), args.no_progress or self.single)
        try:
            grade_many(
                self.items,
                args.timeout,
                jobs=args.jobs,
                lesson=args.lesson,
                on_report=self.on_report,
                sandbox=not args.no_sandbox,
                limits=self.limits,
                hide=self.private,
            )
        except KeyboardInterrupt:
            return self.interrupted()
        finally:
            if self.bar is not None:
                self.bar.close()
        results = [r for r in self.done if r is not None] + self.missing()
        sim = self.similarity(results)
        for r in results:
            if sim is not None:
                r.similarity = sim.flags(id(r))
        for w in self.outputs:
            w.close(results, sim)
        if not self.single:
            elapsed = time.monotonic() - start
            print(report.summary_text(results, sim))
            print(f"  {len(self.items)} notebooks in {elapsed:.1f} s, -j {args.jobs}")
        return 0 if all(_clean(r) for r in results) else 1

    # -- as each notebook finishes (in the calling thread)
    def on_report(self, i, r):
        r = _typed(r)
        student, name, flags = self.names[i]
        r.student, r.name = student, name
        r.flags.extend(flags)
        if i in self.lesson_flags:
            r.flags.append(self.lesson_flags[i])
        if i in self.dupes:
            r.flags.append(self.dupes[i])
        self.done[i] = r
        for w in self.outputs:
            w.add(r)
        if self.args.gradescope:
            target = self.args.gradescope if self.gs_dir is None else self._gs_name(r)
            report.write_gradescope(r, target)
        if self.args.verbose or self.single or not _clean(r) or not r.complete:
            self.write(report.notebook_text(r, self.args.verbose) + "\n")
        if self.bar is not None:
            self.bar.update(1)

    def write(self, text):
        if self.bar is not None:
            self.bar.write(text, file=sys.stdout)
        else:
            print(text, flush=True)

    def missing(self):
        if not self.students:
            return []
        from .registry import lesson_exercises

        seen = {r.student for r in self.done if r is not None}
        out = []
        lesson = self.class_lesson
        maximum = float(sum(e.points for e in lesson_exercises(lesson))) if lesson else None
        for s in roster.missing(self.students, seen):
            out.append(
                NotebookResult(
                    path="",
                    student=s.id,
                    name=s.name,
                    lesson=lesson,
                    status=NotebookStatus.MISSING,
                    maximum=maximum,
                    error="no submission found",
                )
            )
        return out

    def similarity(self, results):
        if self.args.no_similarity or self.single:
            return None
        from . import similarity

        subs, refs, stubs = _submissions(results)
        threshold = self.args.similarity_threshold or similarity.THRESHOLD
        return similarity.analyse(subs, refs, stubs, threshold)

    def interrupted(self):
        from .sandbox import kill_all

        kill_all()
        kept = [r for r in self.done if r is not None]
        for w in self.outputs:
            w.close(kept)
        print(
            f"\ninterrupted: {len(kept)} of {len(self.items)} notebooks graded (reports hold them)"
        )
        sys.stdout.flush()
        os._exit(130)

    def _gs_name(self, r):
        stem = "_".join(x for x in (r.student, r.lesson) if x) or Path(r.path).stem
        stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem)[:120]
        name, k = stem, 1
        while name in self.gs_names:
            k += 1
            name = f"{stem}-{k}"
        self.gs_names.add(name)
        return os.path.join(self.gs_dir, name + ".json")


def _typed(r):
    if isinstance(r, NotebookResult):
        return r
    from .results import from_report

    return from_report(r)


def _clean(r):
    """Graded as the class's lesson (or a roster student who handed in nothing)."""
    if r.status is NotebookStatus.MISSING:
        return True
    return r.status.graded and not any(f.startswith("lesson:") for f in r.flags)


def _lesson_flags(lessons, chosen):
    """(the class's lesson, {index: flag}) when notebooks named by file name disagree.

    Where one lesson has most notebooks, a notebook of another lesson is flagged
    ``lesson:`` (never counted complete, exit status 1): a lesson-01 notebook is no
    answer to a lesson-05 class. Where no lesson has most (a folder mixing lessons on
    purpose), each notebook gets a ``mixed:`` note and is graded as its own lesson.
    """
    if chosen:
        return chosen, {}
    count = Counter(n for n in lessons if n)
    if len(count) < 2:
        return (next(iter(count)) if count else None), {}
    top = count.most_common()
    major = top[0][0] if top[0][1] > top[1][1] else None
    spread = ", ".join(f"{n}: {c}" for n, c in sorted(count.items()))
    flags = {}
    for i, n in enumerate(lessons):
        if major is None and n:
            flags[i] = (
                f"mixed: graded as lesson {n}, from its file name (this run mixes lessons, "
                f"notebooks per lesson: {spread}; --lesson NN grades all as one)"
            )
        elif n and n != major:
            flags[i] = (
                f"lesson: this file's name says lesson {n}, but the class is lesson {major} "
                f"(notebooks per lesson: {spread}); graded as lesson {n} and not counted "
                "complete. Pass --lesson NN to grade every notebook as one lesson."
            )
    return major, flags


    """{exercise id: its lesson} of every lesson in the run, in lesson order."""
def _private_outputs(args, count):
    """The report paths, created readable by their owner only (learner code cannot read
    them on any path); returns them."""
    files = [path for path in (args.json, args.csv) if path]
    gs = args.gradescope
    if gs and not (count == 1 and not os.path.isdir(gs)):  # a folder of results files
        os.makedirs(gs, mode=0o700, exist_ok=True)
        os.chmod(gs, 0o700)
    elif gs:
        files.append(gs)
    for path in files:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        os.chmod(path, 0o600)
    return files + ([gs] if gs and gs not in files else [])


def _exercise_columns(lessons, class_lesson):
    from .registry import LESSONS, lesson_exercises

    chosen = {n for n in lessons if n} | ({class_lesson} if class_lesson else set())
    return {e.id: n for n in LESSONS if n in chosen for e in lesson_exercises(n)}


def _submissions(results):
    """Similarity inputs: each graded notebook's exercise code, references and stubs."""
    from . import notebook, similarity
    from .registry import lesson_exercises

    subs, refs, stubs = [], {}, {}
    for r in results:
        if not r.status.graded or not r.lesson:
            continue
        exercises = lesson_exercises(r.lesson)
        try:
            graded = notebook.graded_cells(notebook.load(r.path), [e.id for e in exercises])
        except (notebook.NotebookError, OSError):
            continue
        code, other = {}, []
        for source, defines, tagged in zip(
            graded.cells, graded.defines, graded.tagged, strict=True
        ):
            owners = [e.id for e in exercises if e.id in defines or e.id == tagged]
            if owners:
                code[owners[0]] = code.get(owners[0], "") + "\n" + source
            else:
                other.append(source)
        subs.append(similarity.Submission(id(r), r.student, r.lesson, code, "\n".join(other)))
        if r.lesson not in refs:
            refs[r.lesson] = "\n\n".join(similarity.reference_code(e) for e in exercises)
            stubs[r.lesson] = _stub_source(r.lesson, exercises)
    return subs, refs, stubs


def _stub_source(lesson, exercises):
    """The workbook's own exercise stubs (boilerplate every submission starts from)."""
    try:
        from . import stubs

        return "\n\n".join(stubs.cell_source(e) for e in exercises)
    except Exception:  # noqa: BLE001 - without stubs the comparison is only less precise
        return ""


def _progress(total, off):
    if off or total < 2:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    on_terminal = hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
    return tqdm(total=total, unit="notebook", file=sys.stderr, disable=not on_terminal)


def _gradescope_dir(path, count):
    if path is None:
        return None
    if count == 1 and not os.path.isdir(path):
        return None
    os.makedirs(path, exist_ok=True)
    return path


if __name__ == "__main__":
    sys.exit(main())
