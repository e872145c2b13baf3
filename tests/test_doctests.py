"""Every example in the library's docstrings runs and prints what it shows.

This is how the "equivalent loop" examples of :mod:`rnn_course.numpy_rnn` stay
true: each fast sequence function's docstring loops the readable step
functions and checks that the two agree. (The grader's package has its own tests.)
"""

import doctest
import importlib
import pkgutil

import pytest

import rnn_course

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(rnn_course.__path__, "rnn_course.")
    if not m.name.startswith("rnn_grade")
)


def test_the_modules_with_examples_are_found():
    assert {"rnn_course.numpy_rnn", "rnn_course.train", "rnn_course.gradcheck"} <= set(MODULES)
    from rnn_course import numpy_rnn

    tests = doctest.DocTestFinder(exclude_empty=True).find(numpy_rnn)
    with_loop = {
        t.name.rsplit(".", 1)[-1] for t in tests if "step_" in "".join(e.source for e in t.examples)
    }
    fast = {f"{c}_{d}" for c in ("srn", "lstm", "gru") for d in ("forward", "backward")}
    assert fast <= with_loop  # every fast function shows (and runs) its equivalent loop


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report = []
    for test in finder.find(module, name, globs=dict(vars(module))):
        result = runner.run(test, out=report.append)
        assert result.failed == 0, f"{test.name}: {result.failed} example(s) failed\n" + "".join(
            report
        )
