"""Fresh wrong solutions of lesson 05 (not the catalogue), with the words naming each.

Backward ones come with the forward they were written with (a module-level
forward of the same name is the sibling the check runs): the correct forwards of
``correct_a_l05``, whose dict cache holds the pre-activations.
"""

import numpy as np

from . import correct_a_l05 as ok
from . import fresh

lstm_step_forward = ok.lstm_step_forward
lstm_forward = ok.lstm_forward
gru_step_forward = ok.gru_step_forward
lstm_step_backward = ok.lstm_step_backward
sig = ok._sigmoid


def _gates(x, h, W_ih, W_hh, b_ih, b_hh, names="ifgo"):
    H = h.shape[1]
    a = x @ W_ih.T + h @ W_hh.T + b_ih + b_hh
    return {n: a[:, k * H : (k + 1) * H] for k, n in enumerate(names)}


@fresh("lstm_step_forward", "gate order")
def lsf_order(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    a = _gates(x, h_prev, W_ih, W_hh, b_ih, b_hh, names="ifog")
    c = sig(a["f"]) * c_prev + sig(a["i"]) * np.tanh(a["g"])
    return sig(a["o"]) * np.tanh(c), c, None


@fresh("lstm_step_forward", "i ⊙ g", "input gate")
def lsf_no_input_gate(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    a = _gates(x, h_prev, W_ih, W_hh, b_ih, b_hh)
    c = sig(a["f"]) * c_prev + np.tanh(a["g"])
    return sig(a["o"]) * np.tanh(c), c, None


@fresh("lstm_step_forward", "old cell")
def lsf_old_cell(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    a = _gates(x, h_prev, W_ih, W_hh, b_ih, b_hh)
    c = sig(a["f"]) * c_prev + sig(a["i"]) * np.tanh(a["g"])
    return sig(a["o"]) * np.tanh(c_prev), c, None


@fresh("lstm_step_forward", "sigmoid")
def lsf_all_tanh(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    a = _gates(x, h_prev, W_ih, W_hh, b_ih, b_hh)
    c = np.tanh(a["f"]) * c_prev + np.tanh(a["i"]) * np.tanh(a["g"])
    return np.tanh(a["o"]) * np.tanh(c), c, None


@fresh("lstm_step_forward", "bias")
def lsf_one_bias(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    a = _gates(x, h_prev, W_ih, W_hh, b_ih, 0.0 * b_hh)
    c = sig(a["f"]) * c_prev + sig(a["i"]) * np.tanh(a["g"])
    return sig(a["o"]) * np.tanh(c), c, None


def _lsb(dh_next, dc_next, cache, dc_prev_rule=None, slope=None, through_h=True, Wh_input=None):
    p = cache["pre"]
    i, f, o, g = sig(p["i"]), sig(p["f"]), sig(p["o"]), np.tanh(p["g"])
    t = np.tanh(cache["c_next"])
    dc = dc_next + (dh_next * o * (1 - t**2) if through_h else 0)
    s = slope or (lambda v: v * (1 - v))
    da = np.concatenate(
        [dc * g * s(i), dc * cache["c_prev"] * s(f), dc * i * (1 - g**2), dh_next * t * s(o)], 1
    )
    db = da.sum(0)
    dc_prev = dc_prev_rule(dc, dc_next, f) if dc_prev_rule else dc * f
    h_in = cache["h_prev"] if Wh_input is None else Wh_input(cache, o, t)
    return da @ cache["W_ih"], da @ cache["W_hh"], dc_prev, da.T @ cache["x"], da.T @ h_in, db, db


@fresh("lstm_step_backward", "dc_prev")
def lsb_dc_prev_from_upstream(dh_next, dc_next, cache):
    return _lsb(dh_next, dc_next, cache, dc_prev_rule=lambda dc, dc_next, f: dc_next * f)


@fresh("lstm_step_backward", "already activated")
def lsb_sigmoid_again(dh_next, dc_next, cache):
    return _lsb(dh_next, dc_next, cache, slope=lambda v: sig(v) * (1 - sig(v)))


@fresh("lstm_step_backward", "dc_next ignored", "from h_next")
def lsb_only_dc_next(dh_next, dc_next, cache):
    return _lsb(dh_next, dc_next, cache, through_h=False)


@fresh("lstm_step_backward", "h_prev")
def lsb_dW_hh_with_h_next(dh_next, dc_next, cache):
    return _lsb(dh_next, dc_next, cache, Wh_input=lambda cache, o, t: o * t)


@fresh("lstm_step_backward", "forget gate")
def lsb_no_f(dh_next, dc_next, cache):
    return _lsb(dh_next, dc_next, cache, dc_prev_rule=lambda dc, dc_next, f: dc)


def _lsf_loop(x, h0, c0, W, start=None, carry_c=True, axis=0):
    T, B, _ = x.shape
    H = h0.shape[1]
    h, c = np.zeros((T, B, H)), np.zeros((T, B, H))
    for t in range(T):
        h_prev = h[t - 1] if (start == "wrap" or t > 0) else h0
        c_prev = (c[t - 1] if (start == "wrap" or t > 0) else c0) if carry_c else c0
        h[t], c[t], _ = ok.lstm_step_forward(x[t], h_prev, c_prev, *W)
    if axis == 1:
        return h.transpose(1, 0, 2), c.transpose(1, 0, 2), None
    return h, c, None


@fresh("lstm_forward", "h0")
def lf_wraps(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
    return _lsf_loop(x, h0, c0, (W_ih, W_hh, b_ih, b_hh), start="wrap")


@fresh("lstm_forward", "cell state")
def lf_c_from_c0(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
    return _lsf_loop(x, h0, c0, (W_ih, W_hh, b_ih, b_hh), carry_c=False)


@fresh("lstm_forward", "wrong axis")
def lf_batch_first(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
    return _lsf_loop(x, h0, c0, (W_ih, W_hh, b_ih, b_hh), axis=1)


@fresh("lstm_forward", "(T, B, H)", "every step")
def lf_last_only(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
    h, c, _ = _lsf_loop(x, h0, c0, (W_ih, W_hh, b_ih, b_hh))
    return h[-1], c[-1], None


def _lb(dh, cache, carry_h=True, carry_c=True, forward_in_time=False, alias=False, keep=False):
    T = cache["T"]
    steps = cache["steps"]
    B, H = dh.shape[1:]
    D = steps[0]["x"].shape[1]
    dx = np.zeros((T, B, D))
    dW_ih, dW_hh = np.zeros((4 * H, D)), np.zeros((4 * H, H))
    db_ih = np.zeros(4 * H)
    db_hh = db_ih if alias else np.zeros(4 * H)
    gh, gc = np.zeros((B, H)), np.zeros((B, H))
    for t in range(T) if forward_in_time else reversed(range(T)):
        out = ok.lstm_step_backward(
            dh[t] + (gh if carry_h else 0), gc if carry_c else 0 * gc, steps[t]
        )
        dx[t], gh, gc, a, b, c, d = out
        if keep:
            dW_ih, dW_hh, db_ih, db_hh = a, b, c, d
        else:
            dW_ih += a
            dW_hh += b
            db_ih += c
            db_hh += d
    return dx, gh, gc, dW_ih, dW_hh, db_ih, db_hh


@fresh("lstm_backward", "step t+1")
def lb_no_carry(dh, cache):
    return _lb(dh, cache, carry_h=False)


@fresh("lstm_backward", "aliased")
def lb_alias(dh, cache):
    return _lb(dh, cache, alias=True)


@fresh("lstm_backward", "cell gradient")
def lb_no_cell_carry(dh, cache):
    return _lb(dh, cache, carry_c=False)


@fresh("lstm_backward", "direction")
def lb_forward_in_time(dh, cache):
    return _lb(dh, cache, forward_in_time=True)


@fresh("lstm_backward", "overwritten")
def lb_keeps_last(dh, cache):
    return _lb(dh, cache, keep=True)


def _gru(x, h, W_ih, W_hh, b_ih, b_hh, mix="torch", reset="after", names="rzn"):
    H = h.shape[1]
    ax = {n: (x @ W_ih.T + b_ih)[:, k * H : (k + 1) * H] for k, n in enumerate(names)}
    ah = {n: (h @ W_hh.T + b_hh)[:, k * H : (k + 1) * H] for k, n in enumerate(names)}
    r, z = sig(ax["r"] + ah["r"]), sig(ax["z"] + ah["z"])
    if reset == "before":
        rec = (r * h) @ W_hh[2 * H :].T + b_hh[2 * H :]
    elif reset == "bias_out":
        rec = r * (h @ W_hh[2 * H :].T) + b_hh[2 * H :]
    else:
        rec = r * ah["n"]
    n = np.tanh(ax["n"] + rec)
    return (z * n + (1 - z) * h if mix == "swapped" else (1 - z) * n + z * h), None


@fresh("gru_step_forward", "opposite role")
def gf_mix(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    return _gru(x, h_prev, W_ih, W_hh, b_ih, b_hh, mix="swapped")


@fresh("gru_step_forward", "wrong place")
def gf_reset_before(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    return _gru(x, h_prev, W_ih, W_hh, b_ih, b_hh, reset="before")


@fresh("gru_step_forward", "inside the reset")
def gf_bias_out(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    return _gru(x, h_prev, W_ih, W_hh, b_ih, b_hh, reset="bias_out")


@fresh("gru_step_forward", "gate order")
def gf_order(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    return _gru(x, h_prev, W_ih, W_hh, b_ih, b_hh, names="zrn")


def _gb(dh_next, cache, direct=True, dz_sign=1, r_in_rec=True, tanh_twice=False):
    r, z, n, hn, h = cache["r"], cache["z"], cache["n"], cache["hn"], cache["h"]
    slope = 1 - (np.tanh(n) if tanh_twice else n) ** 2
    dan = dh_next * (1 - z) * slope
    daz = dz_sign * dh_next * (h - n) * z * (1 - z)
    dar = dan * hn * r * (1 - r)
    d_in = np.concatenate((dar, daz, dan), -1)
    d_rec = np.concatenate((dar, daz, dan * r if r_in_rec else dan), -1)
    dh_prev = d_rec @ cache["Wh"] + (z * dh_next if direct else 0)
    return d_in @ cache["Wi"], dh_prev, d_in.T @ cache["x"], d_rec.T @ h, d_in.sum(0), d_rec.sum(0)


@fresh("gru_step_backward", "direct path")
def gb_direct(dh_next, cache):
    return _gb(dh_next, cache, direct=False)


@fresh("gru_step_backward", "sign")
def gb_sign(dh_next, cache):
    return _gb(dh_next, cache, dz_sign=-1)


@fresh("gru_step_backward", "missing r")
def gb_no_r(dh_next, cache):
    return _gb(dh_next, cache, r_in_rec=False)


@fresh("gru_step_backward", "twice")
def gb_tanh_twice(dh_next, cache):
    return _gb(dh_next, cache, tanh_twice=True)
