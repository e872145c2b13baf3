"""The lesson grader.

In a lesson notebook: ``from rnn_course.grade import check`` then ``check(srn_step_forward)``.
From the shell: ``python -m rnn_course.grade lessons/02_srn.ipynb`` (or ``rnn-grade``), several
notebooks or a folder of submissions, ``--json report.json`` for a machine-readable report.
"""

from .check import check
from .runner import grade_notebook, grade_paths

__all__ = ["check", "grade_notebook", "grade_paths"]
