"""Learners' code written for the tests, never copied from the library or the solutions.

``correct_a`` and ``correct_b``: two independent correct solutions of every exercise
(loops against vectorised code, other cache structures). ``fresh_lNN``: realistic
wrong solutions written for the naming-rate test, not taken from the catalogue; each
is registered with keywords that a message naming its mistake contains.
"""

import importlib
import inspect
import pkgutil

FRESH = []  # (exercise id, keywords, function)


def fresh(ex_id, *keywords):
    def register(fn):
        FRESH.append((ex_id, keywords, fn))
        return fn

    return register


def _functions(module):
    return {
        n: f
        for n, f in vars(module).items()
        if inspect.isfunction(f) and f.__module__ == module.__name__ and not n.startswith("_")
    }


CORRECT = {}
for _info in pkgutil.iter_modules(__path__):
    _module = importlib.import_module(f"{__name__}.{_info.name}")
    if _info.name.startswith("correct_"):
        _style = _info.name[len("correct_") :]
        CORRECT.setdefault(_style.split("_")[0], {}).update(_functions(_module))
