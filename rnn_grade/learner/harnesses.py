"""Trusted harnesses that run in the learner process (``fn.harness("module:function", ...)``).

A harness is grader code applied to the learner's function inside the learner
process, for results that are not data by themselves; it returns data. Lesson
folders may hold their own (``lessons/NN_*/harness.py``, run as
``rnn_grade.lessons.lNN_*.harness``); the graded copy holds them, never the checks.
"""

import itertools

MAX_ITEMS = 10_000


def as_list(fn, *args, **kwargs):
    """``list(fn(*args, **kwargs))`` for a function returning an iterator or generator.

    At most ``MAX_ITEMS`` items are taken (an endless generator is cut, and the check sees
    the cut list), so a harness call always ends.
    """
    return list(itertools.islice(fn(*args, **kwargs), MAX_ITEMS))
