"""The catalogue of typical mistakes: each is a wrong implementation of one exercise.

``@mistake(exercise, expect)`` registers a function; the test suite grades it and
requires that the exercise fails with feedback containing ``expect`` (the
targeted message), not only a generic "wrong values".
"""

MISTAKES = []  # (exercise id, expected feedback substring, function)


def mistake(exercise, expect):
    def register(fn):
        MISTAKES.append((exercise, expect, fn))
        return fn

    return register


def load():
    from . import lesson04, lesson05, lesson06  # noqa: F401

    return MISTAKES
