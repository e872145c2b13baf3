"""Data for every chapter; nothing here is downloaded. Import the submodule you need:

- :mod:`rnn_course.data.tasks`  synthetic sequence tasks (adding problem, copy,
  recall, temporal XOR, parity, palindrome, window majority, sines)
- :mod:`rnn_course.data.reber`  the embedded Reber grammar
- :mod:`rnn_course.data.text`   corpora, :class:`~rnn_course.data.text.CharVocab`, splits

Each function has one import path (``from rnn_course.data.tasks import
adding_problem``); this package re-exports nothing. Batching for truncated
BPTT lives in :mod:`rnn_course.batching`.
"""

import importlib

_SUBMODULES = ("tasks", "reber", "text")


def __getattr__(name):
    if name in _SUBMODULES:  # ``rnn_course.data.tasks`` after ``from rnn_course import data``
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES))
