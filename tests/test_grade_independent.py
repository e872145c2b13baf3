"""Each function is graded on its own where the maths allows (issue 21): a learner
whose LSTM step reads the gate blocks in the wrong order, and whose backward passes
are right for that forward, loses the forward's points only; "fix X first" is said
once per exercise and never nested."""

import inspect

import numpy as np

from rnn_grade.execution import run_checks
from rnn_grade.registry import load_all

EXERCISES = load_all()
EDITS = {
    "a_i, a_f, a_g, a_o = np.split": "a_i, a_f, a_o, a_g = np.split",  # reads i, f, o, g
    "dg * (1 - g**2), do * o * (1 - o)]": "do * o * (1 - o), dg * (1 - g**2)]",  # and back
}
NAMES = ("lstm_step_forward", "lstm_step_backward", "lstm_forward", "lstm_backward")


def _learner(**more):
    """The lesson's solutions with the gate order changed consistently, as one notebook."""
    solutions = EXERCISES["lstm_step_forward"].solution_function()
    module = inspect.getmodule(solutions)
    ns = {"np": np, "sigmoid": module.sigmoid}
    for name in NAMES:
        source = inspect.getsource(getattr(module, name))
        for old, new in {**EDITS, **more}.items():
            source = source.replace(old, new)
        exec(source, ns)
    return ns


def test_a_wrong_forward_costs_the_forward_only():
    ns = _learner()
    results = {n: run_checks(EXERCISES[n], ns[n], 60) for n in NAMES}
    assert results["lstm_step_forward"]["status"] == "fail"
    assert results["lstm_step_backward"]["status"] == "pass"  # right for its own forward
    assert results["lstm_backward"]["status"] == "pass"
    messages = [t["message"] for t in results["lstm_forward"]["tests"] if not t["passed"]]
    assert sum("fix `lstm_step_forward` first" in m for m in messages) == 1
    assert all(m.count("fix `") <= 1 for m in messages)


def test_a_wrong_backward_of_a_wrong_forward_still_fails():
    ns = _learner(**{"dc_prev = dc * f": "dc_prev = dc"})
    result = run_checks(EXERCISES["lstm_step_backward"], ns["lstm_step_backward"], 60)
    assert result["status"] == "fail"
    assert "fix `lstm_step_forward` first" in result["tests"][0]["message"]
