"""Lesson 05 with per-gate weight slices, dict caches holding pre-activations."""

import numpy as np


def _sigmoid(a):
    return np.exp(-np.logaddexp(0.0, -a))  # 1 / (1 + e^-a), without overflow


def lstm_step_forward(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    H = h_prev.shape[1]
    pre = {}
    for k, name in enumerate("ifgo"):
        rows = slice(k * H, (k + 1) * H)
        pre[name] = x @ W_ih[rows].T + h_prev @ W_hh[rows].T + b_ih[rows] + b_hh[rows]
    i, f, o = _sigmoid(pre["i"]), _sigmoid(pre["f"]), _sigmoid(pre["o"])
    g = np.tanh(pre["g"])
    c_next = f * c_prev + i * g
    h_next = o * np.tanh(c_next)
    cache = {"pre": pre, "x": x, "h_prev": h_prev, "c_prev": c_prev, "c_next": c_next}
    cache.update(W_ih=W_ih, W_hh=W_hh)
    return h_next, c_next, cache


def lstm_step_backward(dh_next, dc_next, cache):
    pre = cache["pre"]
    i, f, o = (_sigmoid(pre[k]) for k in "ifo")
    g = np.tanh(pre["g"])
    t = np.tanh(cache["c_next"])
    dc = dc_next + dh_next * o * (1 - t * t)
    d_pre = {
        "i": dc * g * i * (1 - i),
        "f": dc * cache["c_prev"] * f * (1 - f),
        "g": dc * i * (1 - g * g),
        "o": dh_next * t * o * (1 - o),
    }
    da = np.hstack([d_pre[k] for k in "ifgo"])
    db = np.sum(da, axis=0)
    return (
        np.dot(da, cache["W_ih"]),
        np.dot(da, cache["W_hh"]),
        f * dc,
        np.dot(da.T, cache["x"]),
        np.dot(da.T, cache["h_prev"]),
        db,
        db.copy(),
    )


def lstm_forward(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
    T, B, _ = x.shape
    H = h0.shape[1]
    h, c = np.zeros((T, B, H)), np.zeros((T, B, H))
    steps = {}
    for t in range(T):
        h_prev = h0 if t == 0 else h[t - 1]
        c_prev = c0 if t == 0 else c[t - 1]
        h[t], c[t], steps[t] = lstm_step_forward(x[t], h_prev, c_prev, W_ih, W_hh, b_ih, b_hh)
    return h, c, {"steps": steps, "T": T}


def lstm_backward(dh, cache):
    T = cache["T"]
    dx = np.zeros((T,) + cache["steps"][0]["x"].shape)
    g_h = np.zeros(dh.shape[1:])
    g_c = np.zeros(dh.shape[1:])
    totals = None
    for t in reversed(range(T)):
        dx[t], g_h, g_c, *dw = lstm_step_backward(dh[t] + g_h, g_c, cache["steps"][t])
        totals = dw if totals is None else [a + b for a, b in zip(totals, dw, strict=True)]
    return (dx, g_h, g_c, *totals)


def gru_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    H = h_prev.shape[1]
    blk = [slice(0, H), slice(H, 2 * H), slice(2 * H, 3 * H)]
    r = _sigmoid(x @ W_ih[blk[0]].T + b_ih[blk[0]] + h_prev @ W_hh[blk[0]].T + b_hh[blk[0]])
    z = _sigmoid(x @ W_ih[blk[1]].T + b_ih[blk[1]] + h_prev @ W_hh[blk[1]].T + b_hh[blk[1]])
    hn = h_prev @ W_hh[blk[2]].T + b_hh[blk[2]]
    n = np.tanh(x @ W_ih[blk[2]].T + b_ih[blk[2]] + r * hn)
    h_next = n + z * (h_prev - n)
    cache = {"x": x, "h": h_prev, "r": r, "z": z, "n": n, "hn": hn, "Wi": W_ih, "Wh": W_hh}
    return h_next, cache


def gru_step_backward(dh_next, cache):
    r, z, n, hn, h = cache["r"], cache["z"], cache["n"], cache["hn"], cache["h"]
    d_n_pre = dh_next * (1 - z) * (1 - n**2)
    d_z_pre = dh_next * (h - n) * z * (1 - z)
    d_r_pre = d_n_pre * hn * r * (1 - r)
    d_in = np.concatenate((d_r_pre, d_z_pre, d_n_pre), axis=-1)
    d_rec = np.concatenate((d_r_pre, d_z_pre, d_n_pre * r), axis=-1)
    dx = d_in @ cache["Wi"]
    dh_prev = z * dh_next + d_rec @ cache["Wh"]
    return dx, dh_prev, d_in.T @ cache["x"], d_rec.T @ h, d_in.sum(0), d_rec.sum(0)
