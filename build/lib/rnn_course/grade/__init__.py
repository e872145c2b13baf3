"""The lesson grader.

In a lesson notebook: ``from rnn_course.grade import check`` then ``check(srn_step_forward)``.
From the shell: ``python -m rnn_course.grade lessons/02_srn.ipynb`` (or ``rnn-grade``), several
notebooks or a folder of submissions, ``--json report.json`` for a machine-readable report.

Modules: ``probes`` (probe inputs, comparisons), ``registry`` (exercises and their checks),
``checks/lessonNN`` (the checks), ``execution`` (run checks with a time limit, captured
output), ``notebook`` (read exercise cells), ``runner`` and ``worker`` (one separate process
per notebook), ``report`` (text and JSON), ``stubs`` (exercise stubs from the library),
``reference`` / ``reference_torch`` (solutions of exercises the library has no function for).
"""

from .check import check

__all__ = ["check", "grade_notebook", "grade_paths"]


def __getattr__(name):  # keep `import rnn_course.grade` light: nbformat loads only when grading
    if name in ("grade_notebook", "grade_paths"):
        from . import runner

        return getattr(runner, name)
    raise AttributeError(f"module 'rnn_course.grade' has no attribute {name!r}")
