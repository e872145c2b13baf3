"""Command line: ``rnn-grade SUBMISSIONS... [--lesson NN] [-j N] [--json F] [--csv F] ...``.

Exit status 0 only when every exercise of every notebook passes; 1 when any
fails; 2 when no notebook was found or the command line is wrong (a bad flag,
``--require-sandbox`` where bubblewrap cannot start).
"""

import argparse
import math
import os
import sys
from pathlib import Path

from . import report
from .runner import SECONDS, find_notebooks, grade_many, lesson_number, set_seed
from .sandbox import Limits, bwrap_problem


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


def parser():
    p = argparse.ArgumentParser(
        prog="rnn-grade",
        description="Grade rnn-course lesson notebooks. The notebooks are read, never modified; "
        "learner code runs in a sandboxed learner process, the checks here.",
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
    p.add_argument("--json", metavar="FILE", help="write a JSON report (updated as the run goes)")
    p.add_argument("--csv", metavar="FILE", help="write one CSV row per submission as it is graded")
    p.add_argument(
        "--gradescope",
        metavar="PATH",
        help="Gradescope results.json: a file for one notebook, else a folder (one per student)",
    )
    p.add_argument(
        "--timeout",
        type=_positive("number of seconds"),
        default=SECONDS,
        metavar="S",
        help=f"time limit per exercise in seconds (default {SECONDS:g})",
    )
    p.add_argument(
        "--seed",
        type=_seed,
        default=None,
        help="secret seed changing every probe input (default: $RNN_GRADE_SEED, else none)",
    )
    box = p.add_mutually_exclusive_group()
    box.add_argument("--no-sandbox", action="store_true", help="run learner code without bwrap")
    box.add_argument(
        "--require-sandbox", action="store_true", help="fail if bubblewrap cannot start"
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
    p.add_argument("-v", "--verbose", action="store_true", help="list passed tests too")
    return p


def main(argv=None):
    p = parser()
    args = p.parse_args(argv)
    if args.seed is None and os.environ.get("RNN_GRADE_SEED"):
        try:
            args.seed = _seed(os.environ["RNN_GRADE_SEED"])
        except argparse.ArgumentTypeError as exc:
            p.error(f"RNN_GRADE_SEED: {exc}")
    problem = None if args.no_sandbox else bwrap_problem()
    if problem and args.require_sandbox:
        print(f"rnn-grade: --require-sandbox: {problem}", file=sys.stderr)
        return 2
    if problem:
        print(f"rnn-grade: WARNING grading without a sandbox: {problem}", file=sys.stderr)
    items = find_notebooks(args.paths)
    if not items:
        print("no notebooks found in: " + report.escape(" ".join(args.paths)), file=sys.stderr)
        return 2
    set_seed(args.seed)
    limits = Limits(args.memory, args.cpu_seconds, args.file_size, args.max_procs)
    ids = _exercise_columns(items, args.lesson)
    gs_dir = _gradescope_dir(args.gradescope, len(items))
    csv_out = report.CsvWriter(args.csv, ids) if args.csv else None
    done = [None] * len(items)
    names = set()
    meta = {"seed_used": args.seed is not None}

    def on_report(i, r):
        done[i] = r
        print(report.notebook_text(r, args.verbose), flush=True)
        print(flush=True)
        if csv_out:
            csv_out.add(r)
        if args.json:
            report.write_json([x for x in done if x is not None], args.json, **meta)
        if args.gradescope:
            target = args.gradescope if gs_dir is None else _gs_name(gs_dir, r, names)
            report.write_gradescope(r, target)

    try:
        reports = grade_many(
            items,
            args.timeout,
            jobs=args.jobs,
            lesson=args.lesson,
            on_report=on_report,
            sandbox=not args.no_sandbox,
            limits=limits,
        )
    except KeyboardInterrupt:
        from .sandbox import kill_all

        kill_all()
        kept = sum(x is not None for x in done)
        print(f"\ninterrupted: {kept} of {len(items)} notebooks graded (reports hold them)")
        sys.stdout.flush()
        os._exit(130)
    finally:
        if csv_out:
            csv_out.close()
    if len(reports) > 1:
        print(report.summary_text(reports))
    return 0 if all(r["all_passed"] for r in reports) else 1


def _exercise_columns(items, lesson):
    from .registry import LESSONS, lesson_exercises

    lessons = {lesson} if lesson else {lesson_number(Path(p).name) for p, _ in items}
    return [e.id for n in LESSONS if n in lessons for e in lesson_exercises(n)]


def _gradescope_dir(path, count):
    if path is None:
        return None
    if count == 1 and not os.path.isdir(path):
        return None
    os.makedirs(path, exist_ok=True)
    return path


def _gs_name(folder, r, names):
    stem = "_".join(x for x in (r.get("student"), r.get("lesson")) if x) or Path(r["path"]).stem
    stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem)
    name, k = stem, 1
    while name in names:
        k += 1
        name = f"{stem}-{k}"
    names.add(name)
    return os.path.join(folder, name + ".json")


if __name__ == "__main__":
    sys.exit(main())
