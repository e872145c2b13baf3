"""Typical mistakes of lesson 05, each written once with its feedback.

Backward mistakes take the cache of the solution's forward (imported here, so the
catalogue test runs each of them after that forward):
LSTM step ``(x, h_prev, c_prev, W_ih, W_hh, i, f, g, o, tanh_c)``, LSTM sequence a
list of step caches, GRU step ``(x, h_prev, W_ih, W_hh, r, z, n, ah_n)``.
"""

import numpy as np

from rnn_grade.registry import mistake

from .checks import (
    gru_step_back_ex,
    gru_step_ex,
    lstm_seq_back_ex,
    lstm_seq_ex,
    lstm_step_back_ex,
    lstm_step_ex,
)
from .solutions import gru_step_forward, lstm_forward, lstm_step_backward, lstm_step_forward
from .solutions import sigmoid as _sig

__all__ = ["gru_step_forward", "lstm_forward", "lstm_step_forward"]  # siblings of the backwards

# ------------------------------------------------------------------ lstm_step_forward


def _lstm(x, h, c, W_ih, W_hh, b_ih, b_hh, order="ifgo", acts="sstS", keep=True, out="tanh"):
    a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh  # (B, 4H)
    blocks = dict(zip(order, np.split(a, 4, axis=1), strict=True))
    act = {"s": _sig, "S": _sig, "t": np.tanh}
    i, f, g, o = (act[a_k](blocks[k]) for a_k, k in zip(acts, "ifgo", strict=True))
    c_next = (f * c if keep else 0) + i * g
    h_next = {"tanh": o * np.tanh(c_next), "none": o * c_next, "c_prev": o * np.tanh(c)}[out]
    return h_next, c_next, None


@mistake(lstm_step_ex, "wrong gate order: torch stacks the blocks as i, f, g, o (not i, f, o, g).")
def lstm_ifog(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    return _lstm(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, order="ifog")


@mistake(lstm_step_ex, "wrong gate order: torch stacks the blocks as i, f, g, o (not f, i, g, o).")
def lstm_figo(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    return _lstm(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, order="figo")


@mistake(lstm_step_ex, "wrong gate order: torch stacks the blocks as i, f, g, o (not i, g, f, o).")
def lstm_igfo(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    return _lstm(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, order="igfo")


@mistake(lstm_step_ex, "the candidate g uses tanh, not the sigmoid (i, f and o use the sigmoid).")
def lstm_g_sigmoid(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    return _lstm(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, acts="sssS")


@mistake(lstm_step_ex, "sigmoid and tanh swapped: g uses tanh and o the sigmoid, not the reverse.")
def lstm_g_o_swapped(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    return _lstm(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, acts="ssst")


@mistake(
    lstm_step_ex,
    "the cell forgets everything: c_next = f ⊙ c_prev + i ⊙ g (the f ⊙ c_prev term is missing).",
)
def lstm_no_forget_term(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    return _lstm(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, keep=False)


@mistake(lstm_step_ex, "missing nonlinearity: h_next = o ⊙ tanh(c_next), not o ⊙ c_next.")
def lstm_no_tanh_c(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    return _lstm(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, out="none")


@mistake(lstm_step_ex, "h_next uses the old cell: h_next = o ⊙ tanh(c_next), not tanh(c_prev).")
def lstm_h_from_c_prev(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    return _lstm(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, out="c_prev")


@mistake(lstm_step_ex, "bias dropped: b_hh is missing; add both b_ih and b_hh.")
def lstm_no_b_hh(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    return _lstm(x, h_prev, c_prev, W_ih, W_hh, b_ih, 0 * b_hh, acts="sstS")


@mistake(
    lstm_step_ex,
    "transposed weight: use x @ W_ih.T and h_prev @ W_hh.T (torch layout (4H, D)), "
    "not each gate's block transposed.",
)
def lstm_blocks_transposed(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    Wi = np.concatenate([b.T for b in np.split(W_ih, 4)])  # runs only when D = H
    Wh = np.concatenate([b.T for b in np.split(W_hh, 4)])
    return _lstm(x, h_prev, c_prev, Wi, Wh, b_ih, b_hh)


@mistake(lstm_step_ex, "h_next and c_next swapped: return (h_next, c_next, cache) in this order.")
def lstm_swapped_outputs(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    h, c, _ = _lstm(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh)
    return c, h, None


# ------------------------------------------------------------------ lstm_step_backward


def _lstm_back(dh_next, dc_next, cache, slip=None):
    x, h_prev, c_prev, W_ih, W_hh, i, f, g, o, tanh_c = cache
    d_tanh = {"tanh_again": 1 - np.tanh(tanh_c) ** 2, "none": 1.0}.get(slip, 1 - tanh_c**2)
    dc = (0 if slip == "no_dc_next" else dc_next) + dh_next * o * d_tanh
    slope = {"i": i * (1 - i), "f": f * (1 - f), "g": 1 - g**2, "o": o * (1 - o)}
    if slip == "pre_activation":  # the cached (activated) gates taken for pre-activations
        sg = {k: _sig(v) for k, v in (("i", i), ("f", f), ("o", o))}
        slope = {k: v * (1 - v) for k, v in sg.items()} | {"g": 1 - np.tanh(g) ** 2}
    c_for_f = f * c_prev + i * g if slip == "c_next_for_c_prev" else c_prev
    blocks = {
        "i": dc * g * slope["i"],
        "f": dc * c_for_f * slope["f"],
        "g": dc * i * slope["g"],
        "o": dh_next * tanh_c * slope["o"],
    }
    da = np.concatenate([blocks[k] for k in ("ifog" if slip == "order" else "ifgo")], axis=1)
    dc_prev = {"no_f": dc, "upstream_only": dc_next * f}.get(slip, dc * f)
    dW_ih = x.T @ da if slip == "dW_layout" else da.T @ x
    db = da.sum(axis=0)
    return da @ W_ih, da @ W_hh, dc_prev, dW_ih, da.T @ h_prev, db, db.copy()


@mistake(
    lstm_step_back_ex,
    "dc_prev is missing the forget gate: along the additive path dc_prev = dc ⊙ f.",
)
def lb_no_f(dh_next, dc_next, cache):
    return _lstm_back(dh_next, dc_next, cache, "no_f")


@mistake(
    lstm_step_back_ex,
    "dc_next ignored: the gradient on c_next is dc_next plus the part from "
    "h_next, dh_next ⊙ o ⊙ (1 - tanh²(c_next)).",
)
def lb_no_dc_next(dh_next, dc_next, cache):
    return _lstm_back(dh_next, dc_next, cache, "no_dc_next")


@mistake(
    lstm_step_back_ex,
    "missing nonlinearity derivative: h_next = o ⊙ tanh(c_next), so the gradient "
    "reaching c_next from h_next is dh_next ⊙ o ⊙ (1 - tanh²(c_next)).",
)
def lb_no_tanh_slope(dh_next, dc_next, cache):
    return _lstm_back(dh_next, dc_next, cache, "none")


@mistake(
    lstm_step_back_ex,
    "tanh applied twice: your cache holds tanh(c_next) already, so the slope is "
    "1 - tanh_c², not 1 - tanh(tanh_c)².",
)
def lb_tanh_of_tanh(dh_next, dc_next, cache):
    return _lstm_back(dh_next, dc_next, cache, "tanh_again")


@mistake(
    lstm_step_back_ex,
    "the cached gates are already activated: the slope of the sigmoid is i ⊙ (1 - i) "
    "with the cached i, not sigmoid(i) ⊙ (1 - sigmoid(i)) (and 1 - g² for g).",
)
def lb_gates_as_pre_activations(dh_next, dc_next, cache):
    return _lstm_back(dh_next, dc_next, cache, "pre_activation")


@mistake(
    lstm_step_back_ex,
    "c_next used for c_prev: the forget gate multiplies c_prev, so its gradient is dc ⊙ c_prev.",
)
def lb_c_next_for_c_prev(dh_next, dc_next, cache):
    return _lstm_back(dh_next, dc_next, cache, "c_next_for_c_prev")


@mistake(lstm_step_back_ex, "wrong gate order in the gradient: stack the blocks as i, f, g, o.")
def lb_order(dh_next, dc_next, cache):
    return _lstm_back(dh_next, dc_next, cache, "order")


@mistake(
    lstm_step_back_ex,
    "dc_prev takes only dc_next ⊙ f: the total cell gradient dc (dc_next plus the "
    "part through h_next) flows back.",
)
def lb_dc_prev_upstream_only(dh_next, dc_next, cache):
    return _lstm_back(dh_next, dc_next, cache, "upstream_only")


@mistake(lstm_step_back_ex, "dW_ih has the shape of W_ih, (4H, D): dW_ih = da.T @ x, not x.T @ da.")
def lb_dW_layout(dh_next, dc_next, cache):
    return _lstm_back(dh_next, dc_next, cache, "dW_layout")


# ------------------------------------------------------------------ lstm_forward


def _run(x, h0, c0, W, carry_h=True, carry_c=True, keep_first=False, axis=0, steps=None):
    hs, cs, h, c = [], [], h0, c0
    for x_t in x if steps is None else steps(x):
        if keep_first:
            hs.append(h)
            cs.append(c)
        h_new, c_new, _ = lstm_step_forward(x_t, h, c, *W)
        h, c = (h_new if carry_h else h0), (c_new if carry_c else c0)
        if not keep_first:
            hs.append(h_new)
            cs.append(c_new)
    return np.stack(hs, axis=axis), np.stack(cs, axis=axis), None


@mistake(
    lstm_seq_ex,
    "state not carried: every step must start from the h and c the step before "
    "returned, not from h0 and c0.",
)
def ls_no_carry(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
    return _run(x, h0, c0, (W_ih, W_hh, b_ih, b_hh), carry_h=False, carry_c=False)


@mistake(lstm_seq_ex, "the cell state is not carried: each step starts from c0 instead of c[t-1].")
def ls_c_not_carried(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
    return _run(x, h0, c0, (W_ih, W_hh, b_ih, b_hh), carry_c=False)


@mistake(
    lstm_seq_ex,
    "the first step must start from h0 and c0: zeros were used (h[t-1] at t = 0 "
    "reads h[-1], the last row, not h0).",
)
def ls_zero_start(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
    return _run(x, 0 * h0, 0 * c0, (W_ih, W_hh, b_ih, b_hh))


@mistake(
    lstm_seq_ex,
    "off by one: h[t] and c[t] are the states after reading x[t]; h0 and c0 are not part of them.",
)
def ls_includes_initial(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
    return _run(x, h0, c0, (W_ih, W_hh, b_ih, b_hh), keep_first=True)


@mistake(lstm_seq_ex, "stacked along the wrong axis: h and c are time-major, (T, B, H).")
def ls_batch_major(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
    return _run(x, h0, c0, (W_ih, W_hh, b_ih, b_hh), axis=1)


@mistake(lstm_seq_ex, "the sequence is read backwards: step t reads x[t], from t = 0 up.")
def ls_reversed(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
    return _run(x, h0, c0, (W_ih, W_hh, b_ih, b_hh), steps=lambda x: x[::-1])


@mistake(lstm_seq_ex, "c holds the hidden states: return the cell state after every step as c.")
def ls_h_for_c(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
    h, _, _ = _run(x, h0, c0, (W_ih, W_hh, b_ih, b_hh))
    return h, h, None


# ------------------------------------------------------------------ lstm_backward


def _bptt(dh, cache, slip=None):
    """lstm_backward as the named ``slip`` computes it (the solution's step backward)."""
    T = len(cache)
    dx, sums = [None] * T, [0.0, 0.0, 0.0, 0.0]  # dW_ih, dW_hh, db_ih, db_hh
    dh_t, dc_t = np.zeros_like(dh[0]), np.zeros_like(dh[0])
    for t in range(T) if slip == "forward_order" else range(T - 1, -1, -1):
        up = {"no_carry": dh[t], "carry_only": dh_t if t < T - 1 else dh[t]}.get(slip, dh[t] + dh_t)
        dc_in = 0 * dc_t if slip == "no_dc" else dc_t  # no_dc: zeros, not step t+1's dc_prev
        dx[t], dh_t, dc_t, *grads = lstm_step_backward(up, dc_in, cache[t])
        sums = grads if slip == "overwrite" else [s + g for s, g in zip(sums, grads, strict=True)]
    return [np.stack(dx), dh_t, dc_t, *sums]


@mistake(
    lstm_seq_back_ex,
    "the gradient from step t+1 is not added: the gradient reaching h[t] is dh[t] plus "
    "the dh_prev that step t+1 sent back.",
)
def lsb_no_carry(dh, cache):
    return _bptt(dh, cache, "no_carry")


@mistake(
    lstm_seq_back_ex,
    "dh[t] is used only at the last step: every h[t] gets its own upstream gradient "
    "dh[t], added to what step t+1 sends back.",
)
def lsb_carry_only(dh, cache):
    return _bptt(dh, cache, "carry_only")


@mistake(
    lstm_seq_back_ex,
    "the cell gradient is not carried: pass the dc_prev of step t+1 as dc_next of step t.",
)
def lsb_no_dc(dh, cache):
    return _bptt(dh, cache, "no_dc")


@mistake(
    lstm_seq_back_ex,
    "weight gradients overwritten: the weights are shared by every step, so add up "
    "each step's dW_ih, dW_hh, db_ih, db_hh.",
)
def lsb_overwrite(dh, cache):
    return _bptt(dh, cache, "overwrite")


@mistake(
    lstm_seq_back_ex,
    "wrong direction in time: backpropagation walks from t = T-1 down to 0.",
)
def lsb_forward_order(dh, cache):
    return _bptt(dh, cache, "forward_order")


@mistake(
    lstm_seq_back_ex,
    "aliased accumulators: `db_ih = db_hh = np.zeros(...)` makes one array, so both "
    "get both sums; create two arrays (or add with db = db + g).",
)
def lsb_aliased(dh, cache):
    dx, dh0, dc0, dW_ih, dW_hh, db_ih, db_hh = _bptt(dh, cache)
    both = db_ih + db_hh
    return dx, dh0, dc0, dW_ih, dW_hh, both, both


# ------------------------------------------------------------------ gru_step_forward


def _gru(x, h, W_ih, W_hh, b_ih, b_hh, order="rzn", swap_z=False, r_where="after", acts="sst"):
    gi = dict(zip(order, np.split(x @ W_ih.T + b_ih, 3, axis=1), strict=True))
    gh = dict(zip(order, np.split(h @ W_hh.T + b_hh, 3, axis=1), strict=True))
    act = {"s": _sig, "t": np.tanh}
    r, z = act[acts[0]](gi["r"] + gh["r"]), act[acts[1]](gi["z"] + gh["z"])
    H = h.shape[1]
    if r_where == "before":  # r applied to h_prev before the product
        n_h = (r * h) @ W_hh[2 * H :].T + b_hh[2 * H :]
    elif r_where == "bias_outside":  # b_hn added outside r * (...)
        n_h = r * (h @ W_hh[2 * H :].T) + b_hh[2 * H :]
    else:
        n_h = r * gh["n"]
    n = act[acts[2]](gi["n"] + n_h)
    return (z * n + (1 - z) * h if swap_z else (1 - z) * n + z * h), None


@mistake(
    gru_step_ex,
    "z plays the opposite role: torch computes h_next = (1 - z) ⊙ n + z ⊙ h_prev.",
)
def gru_swap_z(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    return _gru(x, h_prev, W_ih, W_hh, b_ih, b_hh, swap_z=True)


@mistake(
    gru_step_ex,
    "r applied in the wrong place: torch multiplies r with (h_prev W_hnᵀ + b_hn), "
    "after the product, not r ⊙ h_prev before it.",
)
def gru_r_before(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    return _gru(x, h_prev, W_ih, W_hh, b_ih, b_hh, r_where="before")


@mistake(
    gru_step_ex,
    "b_hn belongs inside the reset: n = tanh(a_n + r ⊙ (h_prev W_hnᵀ + b_hn)), "
    "not r ⊙ (h_prev W_hnᵀ) + b_hn.",
)
def gru_b_hn_outside(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    return _gru(x, h_prev, W_ih, W_hh, b_ih, b_hh, r_where="bias_outside")


@mistake(gru_step_ex, "wrong gate order: torch stacks the blocks as r, z, n (not z, r, n).")
def gru_zrn(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    return _gru(x, h_prev, W_ih, W_hh, b_ih, b_hh, order="zrn")


@mistake(gru_step_ex, "the candidate n uses tanh, not the sigmoid (r and z use the sigmoid).")
def gru_n_sigmoid(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    return _gru(x, h_prev, W_ih, W_hh, b_ih, b_hh, acts="sss")


@mistake(gru_step_ex, "the gates r and z use the sigmoid, not tanh.")
def gru_gates_tanh(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    return _gru(x, h_prev, W_ih, W_hh, b_ih, b_hh, acts="ttt")


@mistake(gru_step_ex, "bias dropped: b_hh is missing; add both b_ih and b_hh.")
def gru_no_b_hh(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    return _gru(x, h_prev, W_ih, W_hh, b_ih, 0 * b_hh)


# ------------------------------------------------------------------ gru_step_backward


def _gru_back(dh_next, cache, slip=None):
    x, h_prev, W_ih, W_hh, r, z, n, ah_n = cache
    dn = dh_next if slip == "no_1_minus_z" else dh_next * (1 - z)
    dz = dh_next * ((n - h_prev) if slip == "dz_sign" else (h_prev - n))
    dan = dn * (1 - (np.tanh(n) if slip == "tanh_again" else n) ** 2)
    dar = dan * (h_prev if slip == "r_times_h" else ah_n) * r * (1 - r)
    daz = dz * z * (1 - z)
    dax = np.concatenate([dar, daz, dan], axis=1)
    dah = np.concatenate([dar, daz, dan if slip == "no_r_in_n" else dan * r], axis=1)
    direct = 0 if slip == "no_direct" else dh_next * z
    return dax @ W_ih, dah @ W_hh + direct, dax.T @ x, dah.T @ h_prev, dax.sum(0), dah.sum(0)


@mistake(
    gru_step_back_ex,
    "the direct path is missing: h_next = ... + z ⊙ h_prev, so dh_prev also gets dh_next ⊙ z.",
)
def gb_no_direct(dh_next, cache):
    return _gru_back(dh_next, cache, "no_direct")


@mistake(
    gru_step_back_ex,
    "the recurrent side of n is missing r: n = tanh(a_n + r ⊙ (h W_hnᵀ + b_hn)), so the "
    "gradient on h W_hnᵀ + b_hn is da_n ⊙ r (the input side gets da_n).",
)
def gb_no_r_in_n(dh_next, cache):
    return _gru_back(dh_next, cache, "no_r_in_n")


@mistake(
    gru_step_back_ex,
    "sign of dz: h_next = (1 - z) ⊙ n + z ⊙ h_prev, so dz = dh_next ⊙ (h_prev - n).",
)
def gb_dz_sign(dh_next, cache):
    return _gru_back(dh_next, cache, "dz_sign")


@mistake(
    gru_step_back_ex,
    "tanh applied twice: your cache holds n = tanh(...) already, so the slope is "
    "1 - n², not 1 - tanh(n)².",
)
def gb_tanh_of_n(dh_next, cache):
    return _gru_back(dh_next, cache, "tanh_again")


@mistake(
    gru_step_back_ex,
    "the gradient on n is missing (1 - z): h_next = (1 - z) ⊙ n + ..., so dn = dh_next ⊙ (1 - z).",
)
def gb_no_1_minus_z(dh_next, cache):
    return _gru_back(dh_next, cache, "no_1_minus_z")


@mistake(
    gru_step_back_ex,
    "the reset gate multiplies h_prev W_hnᵀ + b_hn (cache it in the forward), not "
    "h_prev: dr = da_n ⊙ (h_prev W_hnᵀ + b_hn).",
)
def gb_r_times_h(dh_next, cache):
    return _gru_back(dh_next, cache, "r_times_h")
