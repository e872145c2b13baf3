"""Lesson 05 with tuple caches, sequence functions written as their own loops."""

import numpy as np


def _sig(a):
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # the logistic function, written with tanh


def lstm_step_forward(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    W = np.concatenate([W_ih, W_hh], axis=1)  # (4H, D + H)
    xh = np.concatenate([x, h_prev], axis=1)  # (B, D + H)
    a = np.einsum("bk,gk->bg", xh, W) + (b_ih + b_hh)
    H = h_prev.shape[1]
    i = _sig(a[:, :H])
    f = _sig(a[:, H : 2 * H])
    g = np.tanh(a[:, 2 * H : 3 * H])
    o = _sig(a[:, 3 * H :])
    c_next = c_prev * f + g * i
    return o * np.tanh(c_next), c_next, (xh, W, c_prev, (i, f, g, o), c_next)


def lstm_step_backward(dh_next, dc_next, cache):
    xh, W, c_prev, (i, f, g, o), c_next = cache
    tc = np.tanh(c_next)
    dc = dh_next * o * (1.0 - tc**2) + dc_next
    da = np.concatenate(
        [
            dc * g * i * (1 - i),
            dc * c_prev * f * (1 - f),
            dc * i * (1 - g**2),
            dh_next * tc * o * (1 - o),
        ],
        axis=1,
    )
    dxh = da @ W
    dW = np.einsum("bg,bk->gk", da, xh)
    D = xh.shape[1] - c_prev.shape[1]
    db = da.sum(axis=0)
    return dxh[:, :D], dxh[:, D:], dc * f, dW[:, :D], dW[:, D:], db, db + 0.0


def lstm_forward(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
    H = h0.shape[1]
    pre_x = np.einsum("tbd,gd->tbg", x, W_ih) + b_ih + b_hh  # every step's input part at once
    h_list, c_list, acts = [], [], []
    h, c = h0, c0
    for t in range(x.shape[0]):
        a = pre_x[t] + h @ W_hh.T
        i, f, g, o = (
            _sig(a[:, :H]),
            _sig(a[:, H : 2 * H]),
            np.tanh(a[:, 2 * H : 3 * H]),
            _sig(a[:, 3 * H :]),
        )
        acts.append((h, c, i, f, g, o))
        c = f * c + i * g
        h = o * np.tanh(c)
        h_list.append(h)
        c_list.append(c)
    h_all, c_all = np.array(h_list), np.array(c_list)
    return h_all, c_all, (x, W_ih, W_hh, acts, c_all)


def lstm_backward(dh, cache):
    x, W_ih, W_hh, acts, c_all = cache
    T = x.shape[0]
    das = [None] * T
    carry_h = np.zeros_like(dh[0])
    carry_c = np.zeros_like(dh[0])
    for t in range(T - 1, -1, -1):
        h_prev, c_prev, i, f, g, o = acts[t]
        tc = np.tanh(c_all[t])
        g_h = dh[t] + carry_h
        dc = carry_c + g_h * o * (1 - tc**2)
        da = np.concatenate(
            [
                dc * g * i * (1 - i),
                dc * c_prev * f * (1 - f),
                dc * i * (1 - g**2),
                g_h * tc * o * (1 - o),
            ],
            axis=1,
        )
        das[t] = da
        carry_h = da @ W_hh
        carry_c = dc * f
    da_all = np.stack(das)  # (T, B, 4H)
    h_prevs = np.stack([a[0] for a in acts])
    dx = np.einsum("tbg,gd->tbd", da_all, W_ih)
    dW_ih = np.einsum("tbg,tbd->gd", da_all, x)
    dW_hh = np.einsum("tbg,tbh->gh", da_all, h_prevs)
    db = da_all.sum(axis=(0, 1))
    return dx, carry_h, carry_c, dW_ih, dW_hh, db, db.copy()


def gru_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    gx = x @ W_ih.T + b_ih
    gh = h_prev @ W_hh.T + b_hh
    H = h_prev.shape[1]
    r = _sig(gx[:, :H] + gh[:, :H])
    z = _sig(gx[:, H : 2 * H] + gh[:, H : 2 * H])
    n = np.tanh(gx[:, 2 * H :] + r * gh[:, 2 * H :])
    return (1 - z) * n + z * h_prev, (x, h_prev, W_ih, W_hh, gh, r, z, n)


def gru_step_backward(dh_next, cache):
    x, h_prev, W_ih, W_hh, gh, r, z, n = cache
    H = h_prev.shape[1]
    da_n = dh_next * (1 - z) * (1 - n * n)
    da_z = dh_next * (h_prev - n) * (z - z * z)
    da_r = da_n * gh[:, 2 * H :] * (r - r * r)
    dgx = np.concatenate([da_r, da_z, da_n], 1)
    dgh = np.concatenate([da_r, da_z, r * da_n], 1)
    return (
        dgx @ W_ih,
        dgh @ W_hh + z * dh_next,
        dgx.T @ x,
        dgh.T @ h_prev,
        dgx.sum(0),
        dgh.sum(0),
    )
