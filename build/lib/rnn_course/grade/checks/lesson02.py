"""Checks of lesson 02: the SRN step, the SRN over a sequence, a softmax output layer.

Probes isolate one term each: with h_prev = 0 and zero biases only the input
term x W_ihᵀ remains; with x = 0 only the recurrent term; with both zero only
the biases. Square weights (D = H) let a transposed weight run and be named.
"""

import numpy as np

from ..probes import call, expect_array, expect_close, randn, sigmoid, softmax, unpack
from ..registry import Exercise

step_ex = Exercise("srn_step_forward", "02", "rnn_course.numpy_rnn:srn_step_forward")
seq_ex = Exercise("srn_forward", "02", "rnn_course.numpy_rnn:srn_forward")
out_ex = Exercise("softmax_output", "02", "rnn_course.grade.reference:softmax_output")

ACT = {"tanh": np.tanh, "relu": lambda a: np.maximum(a, 0)}


def srn_params(name, B=3, D=4, H=5):
    """Probe inputs of one step: x (B, D), h_prev (B, H), weights in torch layout."""
    return {
        "x": randn(name + "x", B, D),
        "h_prev": randn(name + "h", B, H),
        "W_ih": randn(name + "Wih", H, D, scale=0.5),
        "W_hh": randn(name + "Whh", H, H, scale=0.5),
        "b_ih": randn(name + "bih", H),
        "b_hh": randn(name + "bhh", H),
    }


def step_variants(p, act="tanh"):
    """(feedback, value) of typical mistakes in one SRN step, on the inputs ``p``."""
    x, h, Wi, Wh, bi, bh = (p[k] for k in ("x", "h_prev", "W_ih", "W_hh", "b_ih", "b_hh"))
    f = ACT[act]
    a = x @ Wi.T + bi + h @ Wh.T + bh
    out = [
        ("missing nonlinearity: apply f (tanh) to the pre-activation.", a),
        (
            "wrong nonlinearity: this is tanh's job, you used "
            + ("ReLU" if act == "tanh" else "tanh")
            + " (use the `nonlinearity` argument).",
            ACT["relu" if act == "tanh" else "tanh"](a),
        ),
        ("wrong nonlinearity: sigmoid where tanh belongs.", sigmoid(a)),
        ("bias dropped: add both b_ih and b_hh.", f(a - bi - bh)),
        ("bias dropped: b_hh is missing.", f(a - bh)),
        ("bias dropped: b_ih is missing.", f(a - bi)),
        ("bias added twice: add b_ih and b_hh once each.", f(a + bi + bh)),
        ("the previous state is ignored: add h_prev W_hhᵀ.", f(a - h @ Wh.T)),
    ]
    if x.shape[1] == h.shape[1]:  # square weights: a transposed weight runs
        out += [
            (
                "transposed weight: with W_ih of shape (H, D) (torch layout) compute x @ W_ih.T.",
                f(x @ Wi + bi + h @ Wh.T + bh),
            ),
            (
                "transposed weight: with W_hh of shape (H, H) (torch layout) compute h_prev "
                "@ W_hh.T.",
                f(x @ Wi.T + bi + h @ Wh + bh),
            ),
            (
                "transposed weight: both weights are transposed; use x @ W_ih.T and h_prev @ "
                "W_hh.T.",
                f(x @ Wi + bi + h @ Wh + bh),
            ),
            ("W_ih and W_hh are swapped.", f(x @ Wh.T + bi + h @ Wi.T + bh)),
        ]
    return out


def srn_step(p, act="tanh"):
    a = p["x"] @ p["W_ih"].T + p["b_ih"] + p["h_prev"] @ p["W_hh"].T + p["b_hh"]
    return ACT[act](a)


def _step(fn, p, act=None):
    args = dict(p) if act is None else dict(p, nonlinearity=act)
    h, _ = unpack(call(fn, args), ["h_next", "cache"])
    return h


@step_ex.check
def step_shape(fn):
    """returns (h_next, cache) with h_next of shape (B, H)"""
    h = _step(fn, srn_params("shape"))  # B=3, D=4, H=5
    expect_array(h, (3, 5), "h_next", letters=("B", "H"))


@step_ex.check
def step_input_term(fn):
    """input term f(x W_ihᵀ) alone (h_prev = 0, biases 0)"""
    p = srn_params("input", D=5)
    p["h_prev"] = np.zeros_like(p["h_prev"])
    p["b_ih"], p["b_hh"] = np.zeros(5), np.zeros(5)
    expect_close(_step(fn, p), srn_step(p), "h_next", step_variants(p))


@step_ex.check
def step_recurrent_term(fn):
    """recurrent term f(h_prev W_hhᵀ) alone (x = 0, biases 0)"""
    p = srn_params("recurrent", D=5)
    p["x"] = np.zeros_like(p["x"])
    p["b_ih"], p["b_hh"] = np.zeros(5), np.zeros(5)
    expect_close(_step(fn, p), srn_step(p), "h_next", step_variants(p))


@step_ex.check
def step_biases(fn):
    """biases alone: f(b_ih + b_hh) (x = 0, h_prev = 0)"""
    p = srn_params("bias", D=5)
    p["x"], p["h_prev"] = np.zeros_like(p["x"]), np.zeros_like(p["h_prev"])
    expect_close(_step(fn, p), srn_step(p), "h_next", step_variants(p))


@step_ex.check
def step_full(fn):
    """full step on random inputs (tanh)"""
    p = srn_params("full", D=5)
    expect_close(_step(fn, p), srn_step(p), "h_next", step_variants(p))


@step_ex.check
def step_relu(fn):
    """nonlinearity="relu" gives max(0, a)"""
    p = srn_params("relu")
    expect_close(_step(fn, p, "relu"), srn_step(p, "relu"), "h_next", step_variants(p, "relu"))


def seq_params(name, T=4, B=3, D=4, H=5):
    return {
        "x": randn(name + "x", T, B, D),
        "h0": randn(name + "h0", B, H),
        "W_ih": randn(name + "Wih", H, D, scale=0.5),
        "W_hh": randn(name + "Whh", H, H, scale=0.5),
        "b_ih": randn(name + "bih", H),
        "b_hh": randn(name + "bhh", H),
    }


def srn_sequence(p, act="tanh", carry=True):
    hs, h = [], p["h0"]
    for t in range(p["x"].shape[0]):
        start = h if carry else p["h0"]
        step = {
            "x": p["x"][t],
            "h_prev": start,
            **{k: p[k] for k in ("W_ih", "W_hh", "b_ih", "b_hh")},
        }
        h = srn_step(step, act)
        hs.append(h)
    return np.stack(hs)  # (T, B, H)


def seq_variants(p, act="tanh"):
    want = srn_sequence(p, act)
    zero = dict(p, h0=np.zeros_like(p["h0"]))
    return [
        (
            "state not carried: every step must start from the state the previous step "
            "returned (h_prev = h_next), not from h0.",
            srn_sequence(p, act, carry=False),
        ),
        (
            "h0 ignored: the first step starts from the given h0, not from zeros.",
            srn_sequence(zero, act),
        ),
        (
            "off by one: h[t] is the state after step t, so h[0] = f(x_0 ..., h0) and h0 itself "
            "is not part of h.",
            np.concatenate([p["h0"][None], want[:-1]]),
        ),
        (
            "wrong nonlinearity: pass `nonlinearity` on to every step.",
            srn_sequence(p, "relu" if act == "tanh" else "tanh"),
        ),
    ]


def _seq(fn, p, act=None):
    args = dict(p) if act is None else dict(p, nonlinearity=act)
    h, _ = unpack(call(fn, args), ["h", "cache"])
    return h


@seq_ex.check
def seq_shape(fn):
    """returns (h, cache) with h of shape (T, B, H)"""
    h = _seq(fn, seq_params("seqshape"))
    expect_array(h, (4, 3, 5), "h", letters=("T", "B", "H"))


@seq_ex.check
def seq_one_step(fn):
    """T = 1 is one srn step"""
    p = seq_params("seqone", T=1)
    expect_close(_seq(fn, p), srn_sequence(p), "h", seq_variants(p))


@seq_ex.check
def seq_carries_state(fn):
    """the state is carried from step to step (T = 5)"""
    p = seq_params("seqcarry", T=5)
    expect_close(_seq(fn, p), srn_sequence(p), "h", seq_variants(p))


@seq_ex.check
def seq_relu(fn):
    """nonlinearity="relu" on a sequence"""
    p = seq_params("seqrelu", T=3)
    expect_close(_seq(fn, p, "relu"), srn_sequence(p, "relu"), "h", seq_variants(p, "relu"))


def out_params(name, T=2, B=3, H=4, V=6):
    return {
        "h": randn(name + "h", T, B, H),
        "W_ho": randn(name + "W", V, H),
        "b_o": randn(name + "b", V),
    }


def out_variants(p):
    h, W, b = p["h"], p["W_ho"], p["b_o"]
    z = h @ W.T + b
    out = [
        ("missing softmax: return probabilities, softmax(h W_hoᵀ + b_o), not the scores.", z),
        (
            "softmax over the wrong axis: normalise over the last axis (the V outputs), "
            "so that every probs[t, b] sums to 1.",
            softmax(z, axis=0),
        ),
        (
            "softmax over the wrong axis: normalise over the last axis (V), not the batch.",
            softmax(z, axis=1),
        ),
        ("bias dropped: add b_o before the softmax.", softmax(h @ W.T)),
        ("missing exp: softmax divides exp(z) by its sum, not z.", z / z.sum(-1, keepdims=True)),
    ]
    if W.shape[0] == W.shape[1]:
        out.append(
            (
                "transposed weight: with W_ho of shape (V, H) (torch layout) compute h @ W_ho.T.",
                softmax(h @ W + b),
            )
        )
    return out


@out_ex.check
def out_shape(fn):
    """returns probabilities of shape (T, B, V)"""
    p = out_params("outshape")
    expect_array(call(fn, p), (2, 3, 6), "probs", letters=("T", "B", "V"))


@out_ex.check
def out_values(fn):
    """probs = softmax(h W_hoᵀ + b_o) over the last axis"""
    p = out_params("outvalues", V=4)
    want = softmax(p["h"] @ p["W_ho"].T + p["b_o"])
    expect_close(call(fn, p), want, "probs", out_variants(p))


@out_ex.check
def out_stable(fn):
    """large scores (around 1000) do not overflow"""
    p = out_params("outstable")
    p["b_o"] = p["b_o"] + 1000.0
    want = softmax(p["h"] @ p["W_ho"].T + p["b_o"])
    expect_close(call(fn, p), want, "probs", out_variants(p))
