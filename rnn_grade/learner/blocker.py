"""The import rule of graded code: no course library, no grader beyond the learner side.

The course library and the grader's engine are not in the learner process's file
system at all (isolation by absence): they cannot be imported, read or copied. This
finder only turns the failed import into the grader's clear message and records it,
so the exercise fails naming what was imported, whatever the spelling (``import``,
``importlib.import_module``, ``__import__``, a changed ``sys.path``). Removing the
finder changes the message, not the outcome: the files are not there.
"""

import importlib.machinery
import re

MESSAGE = "the course library is not available to graded code"
HITS = []  # names graded code tried to import, in order

# rnn_grade's learner side, which the learner process itself runs
ALLOWED = re.compile(r"^rnn_grade(\.learner(\..+)?|\.lessons(\.l\d\d_\w+(\.harness)?)?)?$")


class Blocker:
    """A ``sys.meta_path`` finder answering ``import rnn_course...`` with ``MESSAGE``."""

    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        top = fullname.partition(".")[0]
        if top not in ("rnn_course", "rnn_grade"):
            return None
        if top == "rnn_grade" and ALLOWED.match(fullname):
            if "." not in fullname or importlib.machinery.PathFinder.find_spec(fullname, path):
                return None  # the learner side itself (found by the normal finders)
        HITS.append(fullname)
        raise ImportError(f"{fullname}: {MESSAGE}", name=fullname)


def take_hit():
    """The first blocked name since the last call (and forget them), or None."""
    hit = HITS[0] if HITS else None
    HITS.clear()
    return hit
