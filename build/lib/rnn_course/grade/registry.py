"""The exercises of every lesson and their checks.

An ``Exercise`` knows its id (the function name the learner defines), its lesson,
where its reference lives (``"module:function"``) and its checks. A check is a
pytest-style function ``check(fn)`` that calls the learner's ``fn`` on probe
inputs and ``assert``s; the assertion message is the feedback. Its docstring's
first line says what it tests.
"""

import importlib
from dataclasses import dataclass, field

LESSONS = {
    "01": "Motivation: windows and bags of words",
    "02": "The simple recurrent network",
    "03": "Backpropagation through time",
    "04": "Vanishing and exploding gradients",
    "05": "LSTM and GRU",
    "06": "Applications",
}

CHECK_MODULES = [f"rnn_course.grade.checks.lesson{n}" for n in LESSONS]

EXERCISES = {}  # id -> Exercise, filled when the check modules are imported


@dataclass
class Exercise:
    id: str
    lesson: str
    reference: str  # "package.module:function"
    checks: list = field(default_factory=list)

    def __post_init__(self):
        EXERCISES[self.id] = self

    def check(self, fn):
        """Decorator: register ``fn`` as one check of this exercise."""
        self.checks.append(fn)
        return fn

    def reference_function(self):
        module, name = self.reference.split(":")
        return getattr(importlib.import_module(module), name)


def load_all():
    """Import every lesson's check module (cheap: none imports torch at import time)."""
    for module in CHECK_MODULES:
        importlib.import_module(module)
    return EXERCISES


def lesson_exercises(lesson):
    load_all()
    return [e for e in EXERCISES.values() if e.lesson == lesson]
