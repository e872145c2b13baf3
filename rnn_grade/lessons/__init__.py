"""The lesson folders, each importable as the package ``rnn_grade.lessons.lNN_<name>``.

A lesson is a folder ``NN_<name>/`` (two digits, an underscore, a lower-case name)
holding ``__init__.py`` (its docstring and ``TITLE``), ``checks.py``, ``mistakes.py``,
``solutions.py``, ``hints.py``, ``capstone.py``, its data files and the learner's
workbook ``NN_<name>.ipynb``. Folder names start with a digit, which Python cannot
import, so each folder is registered here under the name ``l`` + its folder name:
``lessons/02_srn/checks.py`` is ``rnn_grade.lessons.l02_srn.checks``.

Where the folders are found, first match wins:

1. ``$RNN_GRADE_LESSONS`` (a folder of lesson folders);
2. the folders shipped inside this package (an installed ``rnn-grade`` wheel);
3. ``lessons/`` beside the ``rnn_grade`` package (the repository).

Adding a lesson is adding a folder: nothing here lists the lessons.
"""

import importlib
import importlib.machinery
import importlib.util
import os
import re
import sys
from pathlib import Path

FOLDER = re.compile(r"^(\d\d)_[a-z0-9_]+$")


def root():
    """The folder that holds the lesson folders."""
    env = os.environ.get("RNN_GRADE_LESSONS")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve().parent
    if any(_is_lesson(p) for p in here.iterdir()):
        return here
    return here.parent.parent / "lessons"


def _is_lesson(path):
    return path.is_dir() and FOLDER.match(path.name) and (path / "checks.py").is_file()


def folders():
    """{lesson number: folder} of every lesson folder, in lesson order."""
    base = root()
    if not base.is_dir():
        return {}
    found = {}
    for path in sorted(base.iterdir()):
        if _is_lesson(path):
            found.setdefault(FOLDER.match(path.name).group(1), path)
    return found


def module_name(folder):
    """``rnn_grade.lessons.l02_srn`` for the folder ``.../02_srn``."""
    return f"{__name__}.l{Path(folder).name}"


def load(folder):
    """The lesson folder as a package (its modules import as submodules)."""
    return importlib.import_module(module_name(folder))


def packages():
    """{lesson number: package name}, every lesson folder registered."""
    return {n: load(folder).__name__ for n, folder in folders().items()}


class _Finder(importlib.machinery.PathFinder):
    """Makes ``import rnn_grade.lessons.l02_srn`` work before anything called ``load``."""

    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        prefix = __name__ + ".l"
        if not fullname.startswith(prefix) or fullname.count(".") != 2:
            return None
        folder = folders().get(fullname[len(prefix) : len(prefix) + 2])
        if folder is None or module_name(folder) != fullname:
            return None
        return importlib.util.spec_from_file_location(
            fullname, folder / "__init__.py", submodule_search_locations=[str(folder)]
        )


if not any(f is _Finder or getattr(f, "__name__", "") == "_Finder" for f in sys.meta_path):
    sys.meta_path.append(_Finder)
