"""``check(fn)``: immediate feedback inside a lesson notebook.

Runs the exercise's checks on ``fn`` in the notebook's own process and prints
pass/fail per test with the feedback. It never raises, so a lesson notebook
with failing (or unimplemented) exercises still runs top to bottom. This is a
self-check: the grade is computed by ``rnn-grade``, which runs only the setup and
exercise cells, in a separate process.
"""

from . import hints
from .execution import run_checks
from .registry import load_all
from .report import exercise_text

SECONDS = 10.0
FOOTER = "       (this is a self-check; the grade is computed by `rnn-grade`)"


def check(fn, exercise=None, seconds=SECONDS):
    """Check the learner's function ``fn`` (exercise id defaults to its ``__name__``)."""
    try:
        exercises = load_all()
        ex_id = exercise or getattr(fn, "__name__", "")
        if ex_id not in exercises:
            print(f"check: no exercise named {ex_id!r}; known: {', '.join(sorted(exercises))}")
            return None
        ex = exercises[ex_id]
        if ex.prepare:
            ex.prepare()  # before the clock starts (a first `import torch` must not be cut)
        result = run_checks(ex, fn, max(seconds, ex.seconds or 0))
        if result["status"] != "not implemented":
            hints.ATTEMPTED.add(ex_id)
        print(exercise_text(result, verbose=True))
        if result["status"] == "pass":
            print("       well done!")
        elif exercises[ex_id].hints:
            print(f"       stuck? hint({ex_id!r}) gives a hint, one step at a time.")
        print(FOOTER)
        return None
    except Exception as exc:  # the grader itself must never stop the notebook
        print(f"check: internal error {type(exc).__name__}: {exc}")
        return None
