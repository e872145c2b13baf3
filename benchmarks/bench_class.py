"""A class run as an instructor makes it: the whole ``rnn-grade`` command, similarity included.

Copies of lesson 02 (each student's exercise cells hold a correct solution, one of two
styles, with their own variable names, so the similarity report has real work to do)
are graded by the command line with ``-j 2``, CSV, JSON and the similarity report, in
bubblewrap and without it, in interleaved rounds so that other load on the machine
hits both alike. Prints notebooks per minute and the sandbox's cost ratio, then how the
similarity report alone scales with the class size (it compares pairs).
Target on 2 cores: at least 300 lesson-02 notebooks a minute sandboxed.

    python benchmarks/bench_class.py [--copies 200] [--rounds 2] [--quick]
"""

import argparse
import contextlib
import io
import re
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from rnn_grade import fixtures, notebook, similarity
from rnn_grade.__main__ import main as rnn_grade
from rnn_grade.registry import lesson_exercises
from rnn_grade.sandbox import bwrap_problem

ROOT = Path(__file__).resolve().parent.parent
WORKBOOK = ROOT / "lessons" / "02_srn" / "02_srn.ipynb"


def _renamed(source, i):
    """The source with its local names suffixed by the student number (a light disguise)."""
    names = {"a": f"pre{i}", "h": f"state{i}", "t": f"step{i}", "out": f"res{i}"}
    return re.sub(r"\b(a|h|t|out)\b", lambda m: names[m.group(1)], source)


def make_class(folder, copies):
    nb = nbformat.read(WORKBOOK, as_version=4)
    ids = [e.id for e in lesson_exercises("02")]
    styles = [fixtures.source("02", "correct_a"), fixtures.source("02", "correct_b")]
    for i in range(copies):
        source = _renamed(styles[i % 2], i)
        filled = notebook.with_exercises(nb, {ex_id: source for ex_id in ids})
        (folder / f"student{i:03d}").mkdir(parents=True)
        nbformat.write(filled, folder / f"student{i:03d}" / "02_srn.ipynb")


def run(folder, out, sandbox):
    args = [str(folder), "--lesson", "02", "-j", "2", "--no-progress"]
    args += ["--csv", str(out / "g.csv"), "--json", str(out / "r.json")]
    args += [] if sandbox else ["--no-sandbox-as-user"]  # the learner-user path
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()) as text:
        code = rnn_grade(args)
    seconds = time.perf_counter() - start
    summary = [line for line in text.getvalue().splitlines() if line.startswith("summary")]
    return seconds, code, summary[-1] if summary else "no summary"


def similarity_scaling(sizes):
    styles = [fixtures.source("02", "correct_a"), fixtures.source("02", "correct_b")]
    ids = [e.id for e in lesson_exercises("02")]
    print("\nsimilarity report alone (synthetic lesson-02 classes):")
    print(f"{'students':>9} {'pairs':>8} {'compared in full':>17} {'listed':>7} {'seconds':>8}")
    similarity.available()  # the import (copydetect, matplotlib) once, outside the timing
    for n in sizes:
        subs = [
            similarity.Submission(
                i, f"s{i:04d}", "02", {k: _renamed(styles[i % 2], i) for k in ids}
            )
            for i in range(n)
        ]
        rep = similarity.analyse(subs)
        pairs = n * (n - 1) // 2
        print(f"{n:>9} {pairs:>8} {rep.candidates:>17} {len(rep.pairs):>7} {rep.seconds:>8.2f}")


def main(argv):
    p = argparse.ArgumentParser()
    p.add_argument("--copies", type=int, default=200)
    p.add_argument("--rounds", type=int, default=2, help="interleaved rounds per mode")
    p.add_argument("--quick", action="store_true", help="20 copies, 1 round")
    p.add_argument("--sizes", default="100,200,400,800", help="class sizes for the scaling table")
    args = p.parse_args(argv)
    copies, rounds = (20, 1) if args.quick else (args.copies, args.rounds)
    modes = [False] if bwrap_problem() else [True, False]
    if bwrap_problem():
        print(f"bubblewrap cannot start ({bwrap_problem()}): learner-user runs only")
    with tempfile.TemporaryDirectory() as tmp:
        folder, out = Path(tmp) / "subs", Path(tmp) / "out"
        out.mkdir()
        make_class(folder, copies)
        times = {m: [] for m in modes}
        for r in range(rounds):
            for m in modes if r % 2 == 0 else modes[::-1]:
                if m not in times:
                    continue
                seconds, code, summary = run(folder, out, m)
                mode = "bwrap" if m else "user "
                if code == 2:  # this path refused here (see rnn-grade's message)
                    print(f"round {r + 1} {mode}: refused on this machine, left out")
                    del times[m]
                    continue
                times[m].append(seconds)
                print(f"round {r + 1} {mode}: {seconds:6.1f} s, exit {code}; {summary}")
    print(f"\n{copies} lesson-02 notebooks, -j 2, CSV + JSON + similarity report:")
    for m in times:
        best = min(times[m])
        rate = 60 * copies / best
        print(f"  {'bwrap' if m else 'user '}: best {best:6.1f} s = {rate:6.0f} notebooks/min")
    if len(times) == 2:
        print(f"  learner-user path: {min(times[False]) / min(times[True]):.2f}x the bwrap time")
    similarity_scaling([int(x) for x in args.sizes.split(",")][: 2 if args.quick else None])


if __name__ == "__main__":
    main(sys.argv[1:])
