"""Checks of lesson 02: the SRN step, the SRN over a sequence, a softmax output layer.

Probes isolate one term each: with h_prev = 0 and zero biases only the input term
x W_ihᵀ remains; with x = 0 only the recurrent term; with both zero only the biases.
Square weights (D = H, V = H) let a transposed weight run, so its mistake is named.
"""

import numpy as np

from rnn_grade.probes import expect_outputs, randn
from rnn_grade.registry import Exercise

step_ex = Exercise(
    "srn_step_forward", "02", "rnn_course.numpy_rnn:srn_step_forward", returns=("h_next", "cache")
)
seq_ex = Exercise(
    "srn_forward",
    "02",
    "rnn_course.numpy_rnn:srn_forward",
    returns=("h", "cache"),
    builds_on=("srn_step_forward",),
)
out_ex = Exercise(
    "softmax_output",
    "02",
    "rnn_grade.lessons.l02_srn.solutions:softmax_output",
    returns=("probs",),
)


def srn_args(name, T=None, B=3, D=5, H=5, x=1.0, h=1.0, b=1.0, act=None):
    """Probe inputs; ``x``, ``h``, ``b`` scale the input, state and biases (0 removes them)."""
    lead = (B,) if T is None else (T, B)
    args = {
        "x": randn(name + "x", *lead, D) * x,
        "h_prev" if T is None else "h0": randn(name + "h", B, H) * h,
        "W_ih": randn(name + "Wih", H, D, scale=0.5),
        "W_hh": randn(name + "Whh", H, H, scale=0.5),
        "b_ih": randn(name + "bih", H) * b,
        "b_hh": randn(name + "bhh", H) * b,
    }
    return args if act is None else dict(args, nonlinearity=act)


def _activation(act):
    def diagnose(h_next, cache):
        if act == "relu" and np.min(h_next) < 0:
            return "a ReLU's output is never negative: h_next = max(a, 0) (np.maximum(a, 0))."
        if act == "tanh" and np.max(np.abs(h_next)) > 1:
            return "tanh's output lies in [-1, 1]; yours does not: is the tanh applied?"
        return None

    return diagnose


def _step(fn, args):
    expect_outputs(step_ex, fn, args, diagnose=_activation(args.get("nonlinearity", "tanh")))


@step_ex.check
def step_input_term(fn):
    """input term f(x W_ihᵀ) alone (h_prev = 0, biases 0)"""
    _step(fn, srn_args("input", h=0, b=0))


@step_ex.check
def step_recurrent_term(fn):
    """recurrent term f(h_prev W_hhᵀ) alone (x = 0, biases 0)"""
    _step(fn, srn_args("recurrent", x=0, b=0))


@step_ex.check
def step_biases(fn):
    """biases alone: f(b_ih + b_hh) (x = 0, h_prev = 0)"""
    _step(fn, srn_args("bias", x=0, h=0))


@step_ex.check
def step_full(fn):
    """full step, B = 3, D = 4, H = 5 (tanh)"""
    _step(fn, srn_args("full", D=4))


@step_ex.check
def step_relu(fn):
    """nonlinearity="relu" gives max(0, a)"""
    _step(fn, srn_args("relu", act="relu"))


@seq_ex.check
def seq_one_step(fn):
    """T = 1 is one step from h0"""
    expect_outputs(seq_ex, fn, srn_args("seqone", T=1, D=4))


@seq_ex.check
def seq_carries_state(fn):
    """the state is carried from step to step (T = 5)"""
    expect_outputs(seq_ex, fn, srn_args("seqcarry", T=5, D=4))


@seq_ex.check
def seq_relu(fn):
    """nonlinearity="relu" on a sequence (T = 3)"""
    expect_outputs(seq_ex, fn, srn_args("seqrelu", T=3, D=4, act="relu"))


def out_args(name, T=2, B=3, H=4, V=4, shift=0.0):
    return {
        "h": randn(name + "h", T, B, H),
        "W_hy": randn(name + "W", V, H),
        "b_hy": randn(name + "b", V) + shift,
    }


def _sums_to_one(probs):
    if not np.allclose(np.sum(probs, axis=-1), 1.0):
        return "each probs[t, b] must sum to 1 over the V outputs: divide exp(z) by its sum."
    return None


@out_ex.check
def out_values(fn):
    """probs = softmax(h W_hyᵀ + b_hy) over the last axis (V = H = 4)"""
    expect_outputs(out_ex, fn, out_args("outvalues"), diagnose=_sums_to_one)


@out_ex.check
def out_shape(fn):
    """T = 2, B = 3, H = 4, V = 6: probabilities of shape (T, B, V)"""
    expect_outputs(out_ex, fn, out_args("outshape", V=6), diagnose=_sums_to_one)


@out_ex.check
def out_stable(fn):
    """large scores (around 1000) do not overflow"""
    expect_outputs(out_ex, fn, out_args("outstable", V=6, shift=1000.0))
