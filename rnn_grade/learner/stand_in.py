"""``rnn_grade`` as graded code sees it (the sandbox's ``rnn_grade/__init__.py``).

A workbook's setup cell runs ``from rnn_grade import check, hint, solution``. While
grading, the grader runs the checks itself, in its own process: here the three do
nothing, and nothing else of the grader is importable.
"""


def check(fn, exercise=None, seconds=None):
    """In the graded run the grader runs the checks itself; this call does nothing."""
    return None


def hint(name):
    """No hints while grading."""
    return None


def solution(name):
    """No solutions while grading."""
    return None
