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


# ------------------------------------------------------------------ the blind set

BLIND = []  # (exercise id, truth, keywords, outside the textbook, neutral, function)
HONEST = []  # (exercise id, function): the blind set's writers' own correct answers


def blind(ex_id, truth, *keywords, other=False, neutral=()):
    """Decorator: a wrong solution written blind (from the workbook and the chapter
    alone, before reading the checks), with ``truth``, one line saying what is wrong.

    A message names it when it contains one of ``keywords``; ``other`` marks a bug
    outside the textbook ones; ``neutral``: substrings of a message reviewed as true
    but not naming the mistake (never misleading).
    """

    def register(fn):
        BLIND.append((ex_id, truth, keywords, other, tuple(neutral), fn))
        return fn

    return register


def honest(ex_id):
    """Decorator: a correct solution written by the blind set's writers."""

    def register(fn):
        HONEST.append((ex_id, fn))
        return fn

    return register


def blind_set(name="blind"):
    """(BLIND, HONEST) of the set ``fixtures/<name>.py`` over every lesson folder that has
    one: "blind" (the first blind set) or "blind_independent" (the independent one)."""
    for lesson in lessons.folders():
        try:
            fixture(lesson, name)
        except ModuleNotFoundError:
            continue
    mine = f".fixtures.{name}"
    return (
        [b for b in BLIND if b[-1].__module__.endswith(mine)],
        [h for h in HONEST if h[-1].__module__.endswith(mine)],
    )
