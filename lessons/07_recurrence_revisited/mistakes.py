"""Typical mistakes of lesson 07, each written once with its feedback."""

import numpy as np

from rnn_grade.registry import mistake

from .checks import scan_back_ex, scan_ex, seq_ex, step_ex
from .solutions import linear_scan


def _sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def _gates(x, W_ih, b_ih, H, order="zn", squash=True, tanh=False):
    k = x @ W_ih.T + b_ih  # (..., 2H)
    first, second = k[..., :H], k[..., H:]
    kz, kn = (first, second) if order == "zn" else (second, first)
    return (_sig(kz) if squash else kz), (np.tanh(kn) if tanh else kn)


# ------------------------------------------------------------------ min_gru_step


def _step(x, h_prev, W_ih, b_ih, flip=False, keep=True, **kw):
    z, n = _gates(x, W_ih, b_ih, h_prev.shape[1], **kw)
    if flip:
        z = 1 - z
    return (z * h_prev if keep else 0) + (1 - z) * n


@mistake(step_ex, "z keeps the old state in this course (torch's GRU): h_next = z ⊙ h_prev + "
         "(1 - z) ⊙ n; you gave z to the candidate (the paper's convention).")
def step_flipped(x, h_prev, W_ih, b_ih):
    return _step(x, h_prev, W_ih, b_ih, flip=True)


@mistake(step_ex, "minGRU's candidate is linear: n = W_in x + b_in, no tanh.")
def step_tanh(x, h_prev, W_ih, b_ih):
    return _step(x, h_prev, W_ih, b_ih, tanh=True)


@mistake(step_ex, "wrong block order: W_ih stacks z first (rows 0..H), then n (rows H..2H).")
def step_blocks_swapped(x, h_prev, W_ih, b_ih):
    return _step(x, h_prev, W_ih, b_ih, order="nz")


@mistake(step_ex, "missing sigmoid: z = σ(W_iz x + b_iz) is a gate in (0, 1).")
def step_no_sigmoid(x, h_prev, W_ih, b_ih):
    return _step(x, h_prev, W_ih, b_ih, squash=False)


@mistake(step_ex, "the old state is dropped: h_next keeps z ⊙ h_prev.")
def step_no_carry(x, h_prev, W_ih, b_ih):
    return _step(x, h_prev, W_ih, b_ih, keep=False)


# ------------------------------------------------------------------ linear_scan


@mistake(scan_ex, "h0 is ignored: the first step is h_1 = a_1 ⊙ h0 + b_1 (fold h0 into b_1).")
def scan_no_h0(a, b, h0):
    return linear_scan(a, b, np.zeros_like(h0))


@mistake(scan_ex, "you returned the state before each step (an exclusive scan): h_t includes "
         "step t, h_t = a_t ⊙ h_{t-1} + b_t.")
def scan_exclusive(a, b, h0):
    h = linear_scan(a, b, h0)
    return np.concatenate([h0[None], h[:-1]])


@mistake(scan_ex, "the decay is missing: h_t = a_t ⊙ h_{t-1} + b_t, not h_{t-1} + b_t.")
def scan_no_decay(a, b, h0):
    return linear_scan(np.ones_like(a), b, h0)


@mistake(scan_ex, "b_t is added after the decay: h_t = a_t ⊙ h_{t-1} + b_t, not a_t ⊙ (h_{t-1} "
         "+ b_t).")
def scan_decay_on_b(a, b, h0):
    return linear_scan(a, a * b, h0)


@mistake(scan_ex, "within a round, b was updated with the NEW a: compute the new a and the new "
         "b both from the values before the round.")
def scan_stale_round(a, b, h0):
    a, b = np.array(a, dtype=float), np.array(b, dtype=float)
    b[0] = a[0] * h0 + b[0]
    shift = 1
    while shift < len(a):
        a[shift:] = a[shift:] * a[:-shift]
        b[shift:] = a[shift:] * b[:-shift] + b[shift:]  # a already updated
        shift *= 2
    return b


@mistake(scan_ex, "steps combined in the wrong order: the earlier step comes first, "
         "(a1, b1) • (a2, b2) = (a2 a1, a2 b1 + b2), not (a1 a2, a1 b2 + b1).")
def scan_wrong_order(a, b, h0):
    a, b = np.array(a, dtype=float), np.array(b, dtype=float)
    b[0] = a[0] * h0 + b[0]
    shift = 1
    while shift < len(a):
        a_new, b_new = a.copy(), b.copy()
        a_new[shift:] = a[shift:] * a[:-shift]
        b_new[shift:] = a[:-shift] * b[shift:] + b[:-shift]
        a, b = a_new, b_new
        shift *= 2
    return b


# ------------------------------------------------------------------ scan_backward


def _back(dh, a, h, h0, shift=True, reverse=True, accumulate=True, da_from="prev", h0_in=True,
          dh0_gate=True):
    if not accumulate:
        g = dh.copy()
    elif reverse:
        c = np.concatenate([a[1:], np.zeros_like(a[:1])]) if shift else a
        g = linear_scan(c[::-1], dh[::-1], np.zeros_like(h0))[::-1]
    else:
        g = linear_scan(a, dh, np.zeros_like(h0))
    first = h0 if h0_in else np.zeros_like(h0)
    h_prev = np.concatenate([first[None], h[:-1]])
    da = g * (h_prev if da_from == "prev" else h)
    return da, g, (a[0] * g[0] if dh0_gate else g[0])


@mistake(scan_back_ex, "the gradient from h_{t+1} goes through a_{t+1}, not a_t: "
         "g_t = dh_t + a_{t+1} ⊙ g_{t+1}.")
def back_no_shift(dh, a, h, h0):
    return _back(dh, a, h, h0, shift=False)


@mistake(scan_back_ex, "the gradient reaching h_t also comes back from h_{t+1}: accumulate "
         "g_t = dh_t + a_{t+1} ⊙ g_{t+1}, not dh_t alone.")
def back_no_accumulate(dh, a, h, h0):
    return _back(dh, a, h, h0, accumulate=False)


@mistake(scan_back_ex, "da_t = g_t ⊙ h_{t-1}: the decay multiplied the state BEFORE the step, "
         "not h_t.")
def back_da_from_h(dh, a, h, h0):
    return _back(dh, a, h, h0, da_from="h")


@mistake(scan_back_ex, "dh0 = a_1 ⊙ g_1: h0 reaches the loss only through the first decay.")
def back_dh0_no_gate(dh, a, h, h0):
    return _back(dh, a, h, h0, dh0_gate=False)


@mistake(scan_back_ex, "the first step read h0: da_1 = g_1 ⊙ h0, not 0.")
def back_h0_zero(dh, a, h, h0):
    return _back(dh, a, h, h0, h0_in=False)


@mistake(scan_back_ex, "the backward recurrence runs from the LAST step to the first: "
         "reverse the arrays, scan, reverse back.")
def back_forward_direction(dh, a, h, h0):
    return _back(dh, a, h, h0, reverse=False)


# ------------------------------------------------------------------ min_gru_sequence


def _seq(x, h0, W_ih, b_ih, flip=False, zero_h0=False, weight=True, **kw):
    z, n = _gates(x, W_ih, b_ih, h0.shape[1], **kw)
    if flip:
        z = 1 - z
    start = np.zeros_like(h0) if zero_h0 else h0
    return linear_scan(z, (1 - z) * n if weight else n, start)


@mistake(seq_ex, "z keeps the old state: a_t = z_t and b_t = (1 - z_t) ⊙ n_t; you swapped the "
         "roles of z and 1 - z.")
def seq_flipped(x, h0, W_ih, b_ih):
    return _seq(x, h0, W_ih, b_ih, flip=True)


@mistake(seq_ex, "h0 is ignored: pass h0 to your linear_scan (the sequence starts from it).")
def seq_no_h0(x, h0, W_ih, b_ih):
    return _seq(x, h0, W_ih, b_ih, zero_h0=True)


@mistake(seq_ex, "minGRU's candidate is linear: n_t = W_in x_t + b_in, no tanh.")
def seq_tanh(x, h0, W_ih, b_ih):
    return _seq(x, h0, W_ih, b_ih, tanh=True)


@mistake(seq_ex, "b_t = (1 - z_t) ⊙ n_t: the candidate enters weighted by 1 - z_t.")
def seq_unweighted(x, h0, W_ih, b_ih):
    return _seq(x, h0, W_ih, b_ih, weight=False)


@mistake(seq_ex, "wrong block order: W_ih stacks z first (rows 0..H), then n (rows H..2H).")
def seq_blocks_swapped(x, h0, W_ih, b_ih):
    return _seq(x, h0, W_ih, b_ih, order="nz")
