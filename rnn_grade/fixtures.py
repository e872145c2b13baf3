"""The learner solutions each lesson folder keeps in ``fixtures/`` (for its tests, not shipped).

``fixtures/correct_a.py`` and ``fixtures/correct_b.py``: two independent correct solutions
of every exercise of the lesson (loops against vectorised code, other cache structures),
never copied from the library or the solutions. ``fixtures/fresh.py``: realistic wrong
solutions written apart from the catalogue of mistakes, each registered with
``@fresh(exercise id, *keywords)``, keywords that a message naming its mistake contains.
"""

import importlib
import inspect

from . import lessons

FRESH = []  # (exercise id, keywords, function), filled as the fresh modules are imported


def fresh(ex_id, *keywords):
    """Decorator: register a wrong solution of ``ex_id`` the checks should name."""

    def register(fn):
        FRESH.append((ex_id, keywords, fn))
        return fn

    return register


def fixture(lesson, name):
    """The module ``fixtures/<name>.py`` of lesson ``lesson`` ("02"), e.g. ``correct_a``."""
    package = lessons.packages()[lesson]
    return importlib.import_module(f"{package}.fixtures.{name}")


def functions(module):
    """{name: function} defined at the top level of ``module`` (helpers with ``_`` left out)."""
    return {
        n: f
        for n, f in vars(module).items()
        if inspect.isfunction(f) and f.__module__ == module.__name__ and not n.startswith("_")
    }


def correct():
    """{"a": {name: function}, "b": {...}}: both correct styles over every lesson."""
    out = {}
    for lesson in lessons.folders():
        for style in ("a", "b"):
            out.setdefault(style, {}).update(functions(fixture(lesson, f"correct_{style}")))
    return out


def fresh_mistakes():
    """Every registered fresh mistake, each lesson's ``fixtures/fresh.py`` imported."""
    for lesson in lessons.folders():
        fixture(lesson, "fresh")
    return FRESH


def source(lesson, name="correct_a"):
    """The text of ``fixtures/<name>.py`` of lesson ``lesson``."""
    return (lessons.folders()[lesson] / "fixtures" / f"{name}.py").read_text(encoding="utf-8")
