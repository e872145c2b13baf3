"""Lesson 02 written with explicit loops and a dict cache."""

import math

import numpy as np


def srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    B, H = h_prev.shape
    h_next = np.empty((B, H))
    for b in range(B):
        for j in range(H):
            a = b_ih[j] + b_hh[j] + np.dot(W_ih[j], x[b]) + np.dot(W_hh[j], h_prev[b])
            h_next[b, j] = math.tanh(a) if nonlinearity == "tanh" else max(a, 0.0)
    return h_next, {"x": x, "h_prev": h_prev, "h_next": h_next}


def srn_forward(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    h = np.zeros((x.shape[0],) + h0.shape)
    state = h0
    for t in range(len(x)):
        state, _ = srn_step_forward(x[t], state, W_ih, W_hh, b_ih, b_hh, nonlinearity)
        h[t] = state
    return h, None


def softmax_output(h, W_hy, b_hy):
    T, B, _ = h.shape
    probs = np.zeros((T, B, W_hy.shape[0]))
    for t in range(T):
        for b in range(B):
            z = W_hy @ h[t, b] + b_hy
            z = z - z.max()
            probs[t, b] = np.exp(z) / np.exp(z).sum()
    return probs
