import numpy as np

from . import mistake


def _sig(z):
    return 1 / (1 + np.exp(-z))


def _lstm(
    x,
    h,
    c,
    W_ih,
    W_hh,
    b_ih,
    b_hh,
    order="ifgo",
    acts=(_sig, _sig, np.tanh, _sig),
    keep=True,
    tanh_c=True,
):
    a = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    blocks = dict(zip(order, np.split(a, 4, axis=1), strict=True))
    i, f, g, o = (act(blocks[k]) for act, k in zip(acts, "ifgo", strict=True))
    c_next = (f * c if keep else 0) + i * g
    return o * (np.tanh(c_next) if tanh_c else c_next), c_next, None


@mistake("lstm_step_forward", "wrong gate order")
def lstm_ifog(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    return _lstm(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, order="ifog")


@mistake("lstm_step_forward", "sigmoid/tanh swapped in a gate")
def lstm_swapped(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    return _lstm(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, acts=(_sig, _sig, _sig, np.tanh))


@mistake("lstm_step_forward", "f * c_prev term is missing")
def lstm_no_forget(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    return _lstm(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, keep=False)


@mistake("lstm_step_forward", "missing nonlinearity")
def lstm_no_tanh_c(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    return _lstm(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh, tanh_c=False)


def _lstm_back(dh, dc_next, cache, mistake=None):
    x, h, c = cache["x"][0], cache["h0"], cache["c0"]
    i, f, g, o = cache["acts"][0]
    tc = cache["tc"][0]
    dc = (0 if mistake == "no_dc_next" else dc_next) + dh * o * (
        1 if mistake == "no_tanh" else 1 - tc**2
    )
    d = [dc * g * i * (1 - i), dc * c * f * (1 - f), dc * i * (1 - g**2), dh * tc * o * (1 - o)]
    da = np.concatenate(d, axis=1)
    dc_prev = dc if mistake == "no_f" else dc * f
    return da @ cache["W_ih"], da @ cache["W_hh"], dc_prev, da.T @ x, da.T @ h, da.sum(0), da.sum(0)


@mistake("lstm_step_backward", "missing the forget gate")
def lb_no_f(dh_next, dc_next, cache):
    return _lstm_back(dh_next, dc_next, cache, "no_f")


@mistake("lstm_step_backward", "dc_next ignored")
def lb_no_dc(dh_next, dc_next, cache):
    return _lstm_back(dh_next, dc_next, cache, "no_dc_next")


@mistake("lstm_step_backward", "missing nonlinearity derivative")
def lb_no_tanh(dh_next, dc_next, cache):
    return _lstm_back(dh_next, dc_next, cache, "no_tanh")


def _gru(x, h, W_ih, W_hh, b_ih, b_hh, order="rzn", swap_z=False, r_before=False, n_act=np.tanh):
    gi = dict(zip(order, np.split(x @ W_ih.T + b_ih, 3, axis=1), strict=True))
    gh = dict(zip(order, np.split(h @ W_hh.T + b_hh, 3, axis=1), strict=True))
    r, z = _sig(gi["r"] + gh["r"]), _sig(gi["z"] + gh["z"])
    if r_before:
        H = h.shape[1]
        n = n_act(gi["n"] + (r * h) @ W_hh[2 * H :].T + b_hh[2 * H :])
    else:
        n = n_act(gi["n"] + r * gh["n"])
    return (z * n + (1 - z) * h if swap_z else (1 - z) * n + z * h), None


@mistake("gru_step_forward", "z plays the opposite role")
def gru_swap_z(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    return _gru(x, h_prev, W_ih, W_hh, b_ih, b_hh, swap_z=True)


@mistake("gru_step_forward", "r applied in the wrong place")
def gru_r_before(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    return _gru(x, h_prev, W_ih, W_hh, b_ih, b_hh, r_before=True)


@mistake("gru_step_forward", "wrong gate order")
def gru_zrn(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    return _gru(x, h_prev, W_ih, W_hh, b_ih, b_hh, order="zrn")


@mistake("gru_step_forward", "sigmoid/tanh swapped in a gate")
def gru_sigmoid_n(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    return _gru(x, h_prev, W_ih, W_hh, b_ih, b_hh, n_act=_sig)
