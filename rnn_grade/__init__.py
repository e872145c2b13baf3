"""The lesson grader.

In a lesson notebook: ``from rnn_grade import check`` then ``check(srn_step_forward)``.
From the shell: ``python -m rnn_grade lessons/02_srn/02_srn.ipynb`` (or ``rnn-grade``), several
notebooks or a folder of submissions, ``--json report.json`` for a machine-readable report.

Stuck: ``hint("srn_forward")`` (the next hint each call), ``solution("srn_forward")``
(after a checked attempt; ``RNN_COURSE_SOLUTIONS=off`` turns solutions off).

Modules: ``probes`` (probe inputs, calls into learner code, comparisons), ``registry``
(exercises, checks, mistakes), ``lessons`` (finds the lesson folders ``lessons/NN_<name>/``,
imported as ``rnn_grade.lessons.lNN_<name>``), ``hints`` (hint and solution),
``execution`` (run checks with a time limit, captured output), ``notebook`` (read
exercise cells), ``runner`` and ``worker`` (one separate process per notebook),
``report`` (text and JSON), ``stubs`` (exercise stubs from the solutions), ``fixtures``
(the lessons' test solutions).
"""

from .check import check
from .hints import hint, solution

__all__ = ["check", "grade_notebook", "grade_paths", "hint", "solution"]


def __getattr__(name):  # keep `import rnn_grade` light: nbformat loads only when grading
    if name in ("grade_notebook", "grade_paths"):
        from . import runner

        return getattr(runner, name)
    raise AttributeError(f"module 'rnn_grade' has no attribute {name!r}")
