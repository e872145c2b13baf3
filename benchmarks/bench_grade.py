"""Grading throughput: copies of lessons 02 and 06 graded with -j 1 and -j 2, on every
isolation path this machine offers (bubblewrap; the learner-user path where it can run).

Every copy has the exercise cells filled with the lesson's solutions (copied as source,
as a learner would write them), so every check runs. Prints notebooks per minute and,
with both paths, the learner-user path's cost against bubblewrap, timed in interleaved
batches so that other load on the machine affects both alike. There is no unisolated
mode any more to compare with. Target on 2 cores: at least 300 lesson-02 notebooks a
minute with -j 2 in bubblewrap.

    python benchmarks/bench_grade.py [--copies 100] [--quick]
"""

import argparse
import ast
import importlib
import inspect
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from rnn_grade import notebook
from rnn_grade.registry import load_all
from rnn_grade.runner import find_notebooks, grade_many, user_path_problem
from rnn_grade.sandbox import bwrap_problem, learner_tree

LESSONS = Path(__file__).resolve().parent.parent / "lessons"
ROUNDS = 4  # each configuration is timed in this many interleaved batches


def _module_source(name):
    module = importlib.import_module(name)
    tree = ast.parse(inspect.getsource(module))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = module.__package__.rsplit(".", node.level - 1)[0]
            node.module, node.level = (f"{base}.{node.module}" if node.module else base), 0
    return ast.unparse(tree)


def _filled(path):
    exercises = load_all()
    nb = nbformat.read(path, as_version=4)
    sources = {
        ex_id: _module_source(exercises[ex_id].solution_function().__module__)
        for ex_id, _ in notebook.exercise_cells(nb)
    }
    return notebook.with_exercises(nb, sources)


def _folder(root, lesson_file, copies):
    nb = _filled(LESSONS / lesson_file[: -len(".ipynb")] / lesson_file)
    folder = Path(root) / lesson_file[:2]
    for i in range(copies):
        (folder / f"student{i:03d}").mkdir(parents=True)
        nbformat.write(nb, folder / f"student{i:03d}" / lesson_file)
    return find_notebooks([folder])


def _time(items, jobs, sandbox):
    start = time.perf_counter()
    reports = grade_many(items, 10.0, jobs=jobs, sandbox=sandbox)
    seconds = time.perf_counter() - start
    scores = {(r.score, r.max_score, r.sandbox) for r in reports}
    return seconds, scores


def main(argv):
    p = argparse.ArgumentParser()
    p.add_argument("--copies", type=int, default=100)
    p.add_argument("--quick", action="store_true", help="10 copies")
    p.add_argument("--lessons", default="02,06", help="comma-separated lessons (02, 06)")
    args = p.parse_args(argv)
    files = {"02": "02_srn.ipynb", "06": "06_applications.ipynb"}
    chosen = [files[n] for n in args.lessons.split(",")]
    copies = 10 if args.quick else args.copies
    problem = bwrap_problem()
    modes = [] if problem else [True]
    if problem:
        print(f"no bubblewrap here: {problem}")
    with tempfile.TemporaryDirectory(prefix="bench-probe-") as probe:
        user = user_path_problem([(Path(probe) / "x.ipynb", None)])
    if user is None:
        modes.append(False)
    else:
        print(f"learner-user path not timed here: {user}")
    print(f"{'lesson':<8}{'-j':>3}{'sandbox':>9}{'seconds':>9}{'nb/min':>9}  scores")
    rows = {}
    with tempfile.TemporaryDirectory(prefix="bench-grade-") as root:
        for lesson_file in chosen:
            items = _folder(root, lesson_file, copies)
            learner_tree()  # warm caches
            _time(items[:2], 1, modes[0])  # warm-up: imports, the graded copy, page cache
            for jobs in (1, 2):
                # rounds alternate the modes, so a change of machine load hits both alike
                seconds, scores = dict.fromkeys(modes, 0.0), {m: set() for m in modes}
                for r in range(ROUNDS):
                    batch = items[r::ROUNDS]
                    for sandbox in modes if r % 2 == 0 else modes[::-1]:
                        t, got = _time(batch, jobs, sandbox)
                        seconds[sandbox] += t
                        scores[sandbox] |= got
                for sandbox in modes:
                    rows[lesson_file[:2], jobs, sandbox] = seconds[sandbox]
                    rate = 60 * len(items) / seconds[sandbox]
                    box = "bwrap" if sandbox else "user"
                    print(
                        f"{lesson_file[:2]:<8}{jobs:>3}{box:>9}{seconds[sandbox]:>9.1f}"
                        f"{rate:>9.1f}  {sorted(scores[sandbox])}",
                        flush=True,
                    )
    if len(modes) == 2:
        print("\ncost of the learner-user path against bubblewrap (user s / bwrap s):")
        for lesson in [f[:2] for f in chosen]:
            for jobs in (1, 2):
                ratio = rows[lesson, jobs, False] / rows[lesson, jobs, True]
                print(f"  lesson {lesson}, -j {jobs}: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
