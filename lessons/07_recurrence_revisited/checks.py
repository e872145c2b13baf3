"""Checks of lesson 07: a minGRU step, the linear recurrence by a scan, its backward pass,
and a minGRU layer over a sequence through the learner's scan.

Weights in torch layout, blocks z, n stacked along the first axis. The probes
keep decays a in (0, 1) (sigmoids of random numbers), as a minGRU's are.
"""

import numpy as np

from rnn_grade.probes import expect_outputs, randn
from rnn_grade.registry import Exercise

PACKAGE = "rnn_grade.lessons.l07_recurrence_revisited"

step_ex = Exercise("min_gru_step", "07", f"{PACKAGE}.solutions:min_gru_step",
                   returns=("h_next",))
scan_ex = Exercise("linear_scan", "07", f"{PACKAGE}.solutions:linear_scan", returns=("h",))
scan_back_ex = Exercise("scan_backward", "07", f"{PACKAGE}.solutions:scan_backward",
                        returns=("da", "db", "dh0"), builds_on=("linear_scan",))
seq_ex = Exercise("min_gru_sequence", "07", f"{PACKAGE}.solutions:min_gru_sequence",
                  returns=("h",), builds_on=("linear_scan",))


def _sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def cell_args(name, T=None, B=3, D=4, H=5, h=1.0, x=1.0):
    """Probe inputs of one step (T None) or a sequence."""
    seq = T is not None
    args = {"x": randn(name + "x", *((T, B) if seq else (B,)), D) * x}
    args["h0" if seq else "h_prev"] = randn(name + "h", B, H) * h
    args["W_ih"] = randn(name + "W", 2 * H, D, scale=0.7)
    args["b_ih"] = randn(name + "b", 2 * H, scale=0.5)
    return args


def scan_args(name, T, B=3, H=5, h=1.0):
    return {"a": _sig(randn(name + "a", T, B, H) + 1.0), "b": randn(name + "b", T, B, H),
            "h0": randn(name + "h", B, H) * h}


def back_args(name, T, B=3, H=5, last_only=False):
    args = scan_args(name, T, B, H)
    h, state = np.empty_like(args["b"]), args["h0"]
    for t in range(T):  # the forward states, by the loop (trusted)
        state = h[t] = args["a"][t] * state + args["b"][t]
    dh = randn(name + "dh", T, B, H)
    if last_only:
        dh[:-1] = 0.0
    return {"dh": dh, "a": args["a"], "h": h, "h0": args["h0"]}


# ------------------------------------------------------------------ min_gru_step


@step_ex.check
def step_full(fn):
    """one step: h_next = z ⊙ h_prev + (1 - z) ⊙ n (B = 3, D = 4, H = 5)"""
    expect_outputs(step_ex, fn, cell_args("sfull"))


@step_ex.check
def step_zero_state(fn):
    """h_prev = 0: only the candidate, weighted by 1 - z"""
    expect_outputs(step_ex, fn, cell_args("szero", h=0.0))


@step_ex.check
def step_square(fn):
    """D = H = 5"""
    expect_outputs(step_ex, fn, cell_args("ssq", D=5))


# ------------------------------------------------------------------ linear_scan


@scan_ex.check
def scan_one(fn):
    """T = 1: one step from h0"""
    expect_outputs(scan_ex, fn, scan_args("lone", 1))


@scan_ex.check
def scan_seven(fn):
    """T = 7 (not a power of two): equal to the loop h_t = a_t ⊙ h_{t-1} + b_t"""
    expect_outputs(scan_ex, fn, scan_args("lseven", 7))


@scan_ex.check
def scan_long(fn):
    """T = 100, B = 2, H = 3"""
    expect_outputs(scan_ex, fn, scan_args("llong", 100, B=2, H=3))


# ------------------------------------------------------------------ scan_backward


@scan_back_ex.check
def back_last(fn):
    """gradient on the last state only (T = 5): it must reach every step and h0"""
    expect_outputs(scan_back_ex, fn, back_args("blast", 5, last_only=True))


@scan_back_ex.check
def back_all(fn):
    """gradients on every state (T = 7)"""
    expect_outputs(scan_back_ex, fn, back_args("ball", 7))


@scan_back_ex.check
def back_one(fn):
    """T = 1"""
    expect_outputs(scan_back_ex, fn, back_args("bone", 1))


# ------------------------------------------------------------------ min_gru_sequence


@seq_ex.check
def seq_one(fn):
    """T = 1 is one step from h0"""
    expect_outputs(seq_ex, fn, cell_args("qone", T=1))


@seq_ex.check
def seq_six(fn):
    """T = 6: every state, through your scan"""
    expect_outputs(seq_ex, fn, cell_args("qsix", T=6))


@seq_ex.check
def seq_zero_input(fn):
    """x = 0 (T = 4): the biases alone set the gates"""
    expect_outputs(seq_ex, fn, cell_args("qzero", T=4, x=0.0))
