"""``hint(name)`` and ``solution(name)``: help for a stuck learner, inside a lesson notebook.

``hint`` gives the next hint each time it is called: the idea, then the equation, then
a skeleton with blanks (``____``). ``solution`` prints the lesson's solution, but only
after ``check(name)`` has run on an attempt of the learner's own; an instructor turns
solutions off for a graded class with ``RNN_COURSE_SOLUTIONS=off`` (the grader records
the setting in its report).
"""

import inspect
import os
import textwrap

from .registry import load_all

SWITCH = "RNN_COURSE_SOLUTIONS"  # "off" (or 0, no, false) hides every solution
ATTEMPTED = set()  # exercise ids checked in this kernel with code of the learner's own
_shown = {}  # exercise id -> number of hints shown so far


def solutions_enabled():
    return os.environ.get(SWITCH, "on").strip().lower() not in ("off", "0", "no", "false")


def _exercise(name):
    name = getattr(name, "__name__", name)
    exercises = load_all()
    if name not in exercises:
        print(f"no exercise named {name!r}; known: {', '.join(sorted(exercises))}")
        return None
    return exercises[name]


def hint(name):
    """Print the next hint for exercise ``name`` (a function or its name)."""
    ex = _exercise(name)
    if ex is None:
        return
    if not ex.hints:
        print(f"no hints for `{ex.id}`.")
        return
    k = min(_shown.get(ex.id, 0), len(ex.hints) - 1)
    _shown[ex.id] = k + 1
    label = ("the idea", "the equation", "a skeleton: fill in the blanks ____")[min(k, 2)]
    print(f"hint {k + 1}/{len(ex.hints)} for `{ex.id}` ({label}):\n")
    text = ex.hints[k]
    print(textwrap.fill(text, 76) if "\n" not in text else text)
    if k + 1 < len(ex.hints):
        print(f"\n(call hint({ex.id!r}) again for the next one)")


def solution(name):
    """Print the solution of ``name``, once ``check`` has run on an attempt of yours."""
    ex = _exercise(name)
    if ex is None:
        return
    if not solutions_enabled():
        print(f"solutions are turned off for this course ({SWITCH}=off): ask your instructor.")
        return
    if ex.id not in ATTEMPTED:
        print(
            f"write an attempt first and run check({ex.id}) on it; then solution({ex.id!r}) "
            "shows the lesson's solution to compare with."
        )
        return
    for fn in [ex.solution_of(n) for n in ex.companions] + [ex.solution_function()]:
        print(inspect.getsource(fn))
