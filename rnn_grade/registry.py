"""The exercises of every lesson, their checks and their catalogue of typical mistakes.

Each lesson has one folder, ``lessons/NN_<name>/`` (the package
``rnn_grade.lessons.lNN_<name>``, see ``rnn_grade.lessons``):

- ``checks.py``    the exercises (``Exercise(...)``) and their checks (``@ex.check``);
- ``mistakes.py``  each typical mistake written once, as a wrong implementation with
  the exercise's signature and its feedback message (``@mistake(ex, "message")``);
- ``solutions.py`` the lesson's own solution of every exercise (what ``solution(...)``
  shows, what the checks compare with, and where the stubs' docstrings come from);
- ``hints.py``     ``HINTS = {exercise id: [idea, equation, skeleton with blanks]}``.

A check is a plain function ``check(fn)`` that calls the learner's ``fn`` on probe
inputs and ``assert``s; the assertion message is the feedback and the docstring's
first line is the test's name. ``probes.expect_outputs`` runs the solution and every
catalogued mistake on the same probe, so a wrong answer is named by the mistake
whose values it reproduces.
"""

import functools
import importlib
from dataclasses import dataclass, field

from . import lessons as _lessons

# {lesson number: title}, one entry per lesson folder (its ``TITLE``)
LESSONS = {
    n: getattr(importlib.import_module(p), "TITLE", n) for n, p in _lessons.packages().items()
}
EXERCISES = {}  # id -> Exercise, filled when the lesson modules are imported
_FAILURES = {}  # (exercise id, id(checked fn)) -> (checked fn, failure), within one run


@dataclass
class Mistake:
    fn: object  # a wrong implementation with the exercise's signature
    message: str  # the feedback a learner who made this mistake gets


@dataclass
class Exercise:
    """One graded function.

    ``reference``: "module:function" of the correct function the learner must not
    import (the grader blocks it). ``returns``: names of the returned values (one
    name: a single value). ``forward``: for a backward exercise, the name of the
    forward function whose cache it takes; the checks run the learner's own forward.
    ``builds_on``: exercises whose learner function this one may call; when this one
    fails and one of those fails too, the feedback says "fix X first".
    ``companions``: functions whose stubs share this exercise's cell (a forward
    written beside its backward when the forward is not an exercise of this lesson).
    """

    id: str
    lesson: str
    reference: str
    points: int = 1
    returns: tuple = ()
    forward: str = None
    builds_on: tuple = ()
    companions: tuple = ()
    checks: list = field(default_factory=list)
    mistakes: list = field(default_factory=list)
    hints: list = field(default_factory=list)
    seconds: float = None  # a longer time limit for this exercise's checks, if it needs one
    prepare: object = None  # called before the clock starts (e.g. a slow first import)
    package: str = None  # the lesson folder's package, set when it is loaded

    def __post_init__(self):
        EXERCISES[self.id] = self

    def check(self, fn):
        """Decorator: register ``fn`` as one check of this exercise."""

        first = not self.checks

        @functools.wraps(fn)
        def run(learner_fn):
            if first:  # a new run of this exercise's checks: forget earlier verdicts
                _FAILURES.clear()
            try:
                return fn(learner_fn)
            except BaseException as exc:
                if not isinstance(exc, Exception):
                    raise
                blame = self._blame_earlier(learner_fn, exc)
                if blame:
                    raise AssertionError(blame) from None
                raise

        self.checks.append(run)
        return run

    def _blame_earlier(self, learner_fn, exc):
        """'fix X first: ...' when an exercise this one builds on fails, else None."""
        from .probes import LearnerMissing, sibling

        for name in self.builds_on:
            if isinstance(exc, NotImplementedError):
                if str(exc).startswith(f"{name}:"):
                    return f"fix `{name}` first: it is still the stub, and `{self.id}` calls it."
                continue
            try:
                other = sibling(learner_fn, name)
            except LearnerMissing:
                continue
            failure = failure_of(name, other, learner_fn)
            if failure:
                return f"fix `{name}` first: {failure} (then check `{self.id}` again)."
        return None

    def first_failure(self, fn):
        """The feedback of this exercise's first failing check on ``fn``, or None."""
        import numpy as np

        for check in self.checks:
            try:
                with np.errstate(all="ignore"):
                    check(fn)
            except NotImplementedError:
                return "it is not implemented yet"
            except AssertionError as exc:
                return str(exc).rstrip(".")
            except Exception as exc:  # noqa: BLE001 - learner code raised
                return f"it raises {type(exc).__name__}"
        return None

    def reference_function(self):
        return _resolve(self.reference)

    def solution_function(self):
        """The lesson's solution (``solutions.<id>``), else the reference."""
        if self.package:
            module = importlib.import_module(self.package + ".solutions")
            if hasattr(module, self.id):
                return getattr(module, self.id)
        return self.reference_function()

    def solution_of(self, name):
        """Another function of this lesson's solutions (e.g. the forward of a backward)."""
        module = importlib.import_module(self.package + ".solutions")
        return getattr(module, name)


def failure_of(name, fn, checked):
    """``EXERCISES[name].first_failure(fn)``, computed once while ``checked`` is checked."""
    key = (name, id(checked))
    if key in _FAILURES and _FAILURES[key][0] is checked:
        return _FAILURES[key][1]
    if len(_FAILURES) > 64:
        _FAILURES.clear()
    failure = EXERCISES[name].first_failure(fn)
    _FAILURES[key] = (checked, failure)
    return failure


def _resolve(spec):
    module, name = spec.split(":")
    return getattr(importlib.import_module(module), name)


def mistake(exercise, message):
    """Decorator: register a wrong implementation of ``exercise`` with its feedback."""

    def register(fn):
        exercise.mistakes.append(Mistake(fn, message))
        return fn

    return register


def lesson_packages():
    """{lesson number: package} of the lesson folders ``lessons/NN_<name>/``."""
    return _lessons.packages()


def load_all():
    """Import every lesson's checks, mistakes and hints (cheap: no torch at import time)."""
    packages = lesson_packages()
    for lesson in LESSONS:
        package = packages[lesson]
        importlib.import_module(package + ".checks")
        importlib.import_module(package + ".mistakes")
        hints = importlib.import_module(package + ".hints").HINTS
        for ex in EXERCISES.values():
            if ex.lesson == lesson and ex.package is None:
                ex.package = package
                ex.hints = list(hints.get(ex.id, []))
    return EXERCISES


def lesson_exercises(lesson):
    load_all()
    return [e for e in EXERCISES.values() if e.lesson == lesson]
