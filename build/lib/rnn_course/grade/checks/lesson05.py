"""Checks of lesson 05: LSTM step forward and backward, GRU step forward.

Weights are in torch layout with gate blocks stacked along the first axis
(LSTM i, f, g, o; GRU r, z, n). A learner's output is compared with the right
equations and with the equations as a typical mistake would write them (gate
order, sigmoid and tanh swapped, a missing term), each computed on the same
probe inputs, so the feedback can name the mistake.
"""

import numpy as np

from rnn_course.numpy_rnn import lstm_step_backward, lstm_step_forward

from ..probes import call, expect_array, expect_close, randn, sigmoid, unpack
from ..registry import Exercise

lstm_ex = Exercise("lstm_step_forward", "05", "rnn_course.numpy_rnn:lstm_step_forward")
lstm_back_ex = Exercise("lstm_step_backward", "05", "rnn_course.numpy_rnn:lstm_step_backward")
gru_ex = Exercise("gru_step_forward", "05", "rnn_course.numpy_rnn:gru_step_forward")


def params(name, G, B=3, D=4, H=5, states=("h_prev", "c_prev")):
    p = {"x": randn(name + "x", B, D)}
    for s in states:
        p[s] = randn(name + s, B, H)
    p["W_ih"] = randn(name + "Wih", G * H, D, scale=0.5)
    p["W_hh"] = randn(name + "Whh", G * H, H, scale=0.5)
    p["b_ih"] = randn(name + "bih", G * H, scale=0.5)
    p["b_hh"] = randn(name + "bhh", G * H, scale=0.5)
    return p


def lstm(p, order="ifgo", acts="sstS", c_term=True, tanh_c=True, transpose=False, bias=2):
    """LSTM step with switches for typical mistakes; returns (h, c)."""
    x, h, c = p["x"], p["h_prev"], p["c_prev"]
    Wi, Wh = (p["W_ih"], p["W_hh"])
    H = h.shape[1]
    if transpose:  # each block used as its transpose (square D = H only)
        Wi = np.concatenate([Wi[k * H : (k + 1) * H].T for k in range(4)])
        Wh = np.concatenate([Wh[k * H : (k + 1) * H].T for k in range(4)])
    b = {2: p["b_ih"] + p["b_hh"], 1: p["b_ih"], 0: 0.0}[bias]
    a = x @ Wi.T + h @ Wh.T + b  # (B, 4H)
    blocks = dict(zip(order, np.split(a, 4, axis=1), strict=True))
    fn = {"s": sigmoid, "t": np.tanh, "S": sigmoid}
    i, f, g, o = (fn[acts[k]](blocks[name]) for k, name in enumerate("ifgo"))
    c_next = (f * c if c_term else 0) + i * g
    return o * (np.tanh(c_next) if tanh_c else c_next), c_next


def lstm_variants(p, which):
    k = {"h": 0, "c": 1}[which]
    square = p["x"].shape[1] == p["h_prev"].shape[1]
    out = [
        (
            "wrong gate order: torch stacks the blocks as i, f, g, o (not i, f, o, g).",
            lstm(p, "ifog"),
        ),
        (
            "wrong gate order: torch stacks the blocks as i, f, g, o (not f, i, g, o).",
            lstm(p, "figo"),
        ),
        (
            "wrong gate order: torch stacks the blocks as i, f, g, o (not i, g, f, o).",
            lstm(p, "igfo"),
        ),
        (
            "sigmoid/tanh swapped in a gate: g (the candidate) uses tanh, i, f, o use sigmoid.",
            lstm(p, acts="ssst"),
        ),
        ("sigmoid/tanh swapped in a gate: g uses tanh, o uses sigmoid.", lstm(p, acts="sstt")),
        ("sigmoid/tanh swapped in a gate: the candidate g must use tanh.", lstm(p, acts="sssS")),
        (
            "the cell forgets everything: c_next = f * c_prev + i * g (the f * c_prev term "
            "is missing).",
            lstm(p, c_term=False),
        ),
        ("missing nonlinearity: h_next = o * tanh(c_next), not o * c_next.", lstm(p, tanh_c=False)),
        ("bias dropped: add both b_ih and b_hh.", lstm(p, bias=0)),
        ("bias dropped: b_hh is missing.", lstm(p, bias=1)),
        (
            "transposed weight: use x @ W_ih.T and h_prev @ W_hh.T (torch layout (4H, D)).",
            lstm(p, transpose=True) if square else None,
        ),
    ]
    return [(m, v[k]) for m, v in out if v is not None]


def _lstm_out(fn, p):
    h, c, _ = unpack(call(fn, p), ["h_next", "c_next", "cache"])
    return h, c


@lstm_ex.check
def lstm_shapes(fn):
    """returns (h_next, c_next, cache) with states of shape (B, H)"""
    h, c = _lstm_out(fn, params("lshape", 4))
    expect_array(h, (3, 5), "h_next", letters=("B", "H"))
    expect_array(c, (3, 5), "c_next", letters=("B", "H"))


@lstm_ex.check
def lstm_cell_state(fn):
    """c_next = f ⊙ c_prev + i ⊙ g"""
    p = params("lcell", 4, D=5)
    h, c = _lstm_out(fn, p)
    expect_close(c, lstm(p)[1], "c_next", lstm_variants(p, "c"))


@lstm_ex.check
def lstm_hidden_state(fn):
    """h_next = o ⊙ tanh(c_next)"""
    p = params("lhidden", 4, D=5)
    h, c = _lstm_out(fn, p)
    expect_close(h, lstm(p)[0], "h_next", lstm_variants(p, "h"))


@lstm_ex.check
def lstm_non_square(fn):
    """works with D ≠ H"""
    p = params("lnonsq", 4, D=3)
    h, c = _lstm_out(fn, p)
    expect_close(h, lstm(p)[0], "h_next", lstm_variants(p, "h"))


# --------------------------------------------------------------- LSTM backward

BACK = ["dx", "dh_prev", "dc_prev", "dW_ih", "dW_hh", "db_ih", "db_hh"]


def lstm_back(p, dh, dc, mistake=None):
    """Gradients of one LSTM step, or as the named ``mistake`` computes them."""
    x, h, c = p["x"], p["h_prev"], p["c_prev"]
    a = x @ p["W_ih"].T + h @ p["W_hh"].T + p["b_ih"] + p["b_hh"]
    ai, af, ag, ao = np.split(a, 4, axis=1)
    i, f, g, o = sigmoid(ai), sigmoid(af), np.tanh(ag), sigmoid(ao)
    c_next = f * c + i * g
    tc = np.tanh(c_next)
    dc_total = (0 if mistake == "no_dc_next" else dc) + dh * o * (
        1 if mistake == "no_tanh_grad" else 1 - tc**2
    )
    do = dh * tc * o * (1 - o)
    di = dc_total * g * i * (1 - i)
    df = dc_total * c * f * (1 - f)
    dg = dc_total * i * (1 - g**2)
    blocks = [di, df, dg, do] if mistake != "order" else [di, df, do, dg]
    da = np.concatenate(blocks, axis=1)  # (B, 4H)
    dc_prev = dc_total if mistake == "no_f" else dc_total * f
    return (da @ p["W_ih"], da @ p["W_hh"], dc_prev, da.T @ x, da.T @ h, da.sum(0), da.sum(0))


def _back_case(name, D=5):
    p = params(name, 4, D=D)
    _, _, cache = lstm_step_forward(**p)
    dh, dc = randn(name + "dh", 3, 5), randn(name + "dc", 3, 5)
    want = lstm_step_backward(dh, dc, cache)
    msgs = {
        "no_f": "dc_prev is missing the forget gate: along the additive path dc_prev = dc ⊙ f.",
        "no_dc_next": "dc_next ignored: the gradient on c_next is dc_next plus the part "
        "from h_next (dh ⊙ o ⊙ (1 - tanh²(c_next))).",
        "no_tanh_grad": "missing nonlinearity derivative: h_next = o ⊙ tanh(c_next), so the "
        "gradient reaching c_next is dh ⊙ o ⊙ (1 - tanh²(c_next)).",
        "order": "wrong gate order in the gradient: stack the blocks as i, f, g, o.",
    }
    var = [(m, lstm_back(p, dh, dc, k)) for k, m in msgs.items()]
    return cache, dh, dc, want, var


def _expect_back(got, want, var):
    got = unpack(got, BACK)
    for k, (name, g, w) in enumerate(zip(BACK, got, want, strict=True)):
        expect_close(g, w, name, [(m, v[k]) for m, v in var])


@lstm_back_ex.check
def lstm_back_shapes(fn):
    """returns 7 gradients with the shapes of x, h_prev, c_prev and the weights"""
    cache, dh, dc, want, _ = _back_case("lbshape", D=3)
    got = unpack(call(fn, {"dh_next": dh, "dc_next": dc, "cache": cache}), BACK)
    for name, g, w in zip(BACK, got, want, strict=True):
        expect_array(g, w.shape, name)


@lstm_back_ex.check
def lstm_back_state_grads(fn):
    """dc_prev (the additive path) and dh_prev"""
    cache, dh, dc, want, var = _back_case("lbstate")
    got = unpack(call(fn, {"dh_next": dh, "dc_next": dc, "cache": cache}), BACK)
    for k in (2, 1):  # dc_prev first: its mistakes are the most specific
        expect_close(got[k], want[k], BACK[k], [(m, v[k]) for m, v in var])


@lstm_back_ex.check
def lstm_back_all(fn):
    """all gradients (dx, dh_prev, dc_prev, dW_ih, dW_hh, db_ih, db_hh)"""
    cache, dh, dc, want, var = _back_case("lball")
    _expect_back(call(fn, {"dh_next": dh, "dc_next": dc, "cache": cache}), want, var)


# ------------------------------------------------------------------------ GRU


def gru(p, order="rzn", z_role="torch", r_where="after", acts="sst", bias=2):
    x, h = p["x"], p["h_prev"]
    gi = x @ p["W_ih"].T + (p["b_ih"] if bias >= 1 else 0)  # (B, 3H)
    gh = h @ p["W_hh"].T + (p["b_hh"] if bias == 2 else 0)  # (B, 3H)
    blk_i = dict(zip(order, np.split(gi, 3, axis=1), strict=True))
    blk_h = dict(zip(order, np.split(gh, 3, axis=1), strict=True))
    fn = {"s": sigmoid, "t": np.tanh}
    r = fn[acts[0]](blk_i["r"] + blk_h["r"])
    z = fn[acts[1]](blk_i["z"] + blk_h["z"])
    if r_where == "after":  # torch: r multiplies (W_hn h + b_hn)
        n = fn[acts[2]](blk_i["n"] + r * blk_h["n"])
    else:  # r applied to h before the product
        H = h.shape[1]
        W_hn, b_hn = p["W_hh"][2 * H :], p["b_hh"][2 * H :] if bias == 2 else 0
        n = fn[acts[2]](blk_i["n"] + (r * h) @ W_hn.T + b_hn)
    return (1 - z) * n + z * h if z_role == "torch" else z * n + (1 - z) * h


def gru_variants(p):
    return [
        (
            "z plays the opposite role: torch computes h_next = (1 - z) ⊙ n + z ⊙ h_prev.",
            gru(p, z_role="swapped"),
        ),
        (
            "r applied in the wrong place: torch multiplies r with (W_hn h_prev + b_hn), "
            "after the product, not r ⊙ h_prev before it.",
            gru(p, r_where="before"),
        ),
        ("wrong gate order: torch stacks the blocks as r, z, n (not z, r, n).", gru(p, "zrn")),
        ("sigmoid/tanh swapped in a gate: n uses tanh, r and z use sigmoid.", gru(p, acts="sss")),
        ("sigmoid/tanh swapped in a gate: r and z use sigmoid.", gru(p, acts="tst")),
        ("bias dropped: add b_ih and b_hh (b_hn inside the r ⊙ (...)).", gru(p, bias=0)),
        ("bias dropped: b_hh is missing.", gru(p, bias=1)),
    ]


def _gru_out(fn, p):
    h, _ = unpack(call(fn, p), ["h_next", "cache"])
    return h


@gru_ex.check
def gru_shape(fn):
    """returns (h_next, cache) with h_next of shape (B, H)"""
    h = _gru_out(fn, params("gshape", 3, states=("h_prev",)))
    expect_array(h, (3, 5), "h_next", letters=("B", "H"))


@gru_ex.check
def gru_values(fn):
    """h_next = (1 - z) ⊙ n + z ⊙ h_prev with n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))"""
    p = params("gvalues", 3, D=5, states=("h_prev",))
    expect_close(_gru_out(fn, p), gru(p), "h_next", gru_variants(p))


@gru_ex.check
def gru_zero_input(fn):
    """x = 0: only the recurrent path and the biases act"""
    p = params("gzero", 3, states=("h_prev",))
    p["x"] = np.zeros_like(p["x"])
    expect_close(_gru_out(fn, p), gru(p), "h_next", gru_variants(p))
