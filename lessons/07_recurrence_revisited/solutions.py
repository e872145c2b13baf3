"""Solutions of lesson 07: minGRU and the linear recurrence as a parallel scan.

Conventions of the course (chapter 5's GRU, torch's): z close to 1 keeps the old
state; ``W_ih`` stacks the blocks z, n. Time-major: x (T, B, D), states (T, B, H).
"""

import numpy as np


def min_gru_step(x, h_prev, W_ih, b_ih):
    r"""One minGRU step: gates that read the input only.

    Parameters
    ----------
    x : ndarray, shape (B, D)
    h_prev : ndarray, shape (B, H)
    W_ih : ndarray, shape (2H, D)
        Blocks z, n (in that order).
    b_ih : ndarray, shape (2H,)

    Returns
    -------
    h_next : ndarray, shape (B, H)

    Notes
    -----
    .. math::
        z = \sigma(W_{iz} x + b_{iz}),\quad n = W_{in} x + b_{in},\quad
        h_{next} = z \odot h_{prev} + (1 - z) \odot n
    """
    H = h_prev.shape[1]
    k = x @ W_ih.T + b_ih  # (B, 2H)
    z = 1.0 / (1.0 + np.exp(-k[:, :H]))  # update gate, from x only
    n = k[:, H:]  # candidate: linear, no tanh
    return z * h_prev + (1 - z) * n


def linear_scan(a, b, h0):
    r"""All states of :math:`h_t = a_t \odot h_{t-1} + b_t`, by a parallel scan.

    Parameters
    ----------
    a, b : ndarray, shape (T, B, H)
    h0 : ndarray, shape (B, H)
        The state before the first step.

    Returns
    -------
    h : ndarray, shape (T, B, H)

    Notes
    -----
    Steps compose: :math:`(a_1, b_1) \bullet (a_2, b_2) = (a_2 a_1, a_2 b_1 + b_2)`.
    Use a parallel form (Hillis and Steele, Blelloch, ...): rounds of
    element-wise work over all t, not a loop over the T steps.
    """
    a = np.array(a, dtype=float)
    b = np.array(b, dtype=float)
    b[0] = a[0] * h0 + b[0]  # fold h0 into the first step
    shift = 1
    while shift < len(a):  # Hillis and Steele: ceil(log2 T) rounds
        a_new, b_new = a.copy(), b.copy()
        a_new[shift:] = a[shift:] * a[:-shift]
        b_new[shift:] = a[shift:] * b[:-shift] + b[shift:]
        a, b = a_new, b_new
        shift *= 2
    return b


def scan_backward(dh, a, h, h0):
    r"""Backward pass of :func:`linear_scan`: the same recurrence, run backwards in time.

    Parameters
    ----------
    dh : ndarray, shape (T, B, H)
        Upstream gradient on every state.
    a : ndarray, shape (T, B, H)
    h : ndarray, shape (T, B, H)
        The states the forward returned.
    h0 : ndarray, shape (B, H)

    Returns
    -------
    da, db : ndarray, shape (T, B, H)
    dh0 : ndarray, shape (B, H)

    Notes
    -----
    .. math::
        g_T = \bar h_T,\quad g_t = \bar h_t + a_{t+1} \odot g_{t+1};\qquad
        \bar b_t = g_t,\quad \bar a_t = g_t \odot h_{t-1},\quad \bar h_0 = a_1 \odot g_1
    """
    c = np.concatenate([a[1:], np.zeros_like(a[:1])])  # c_t = a_{t+1}
    g = linear_scan(c[::-1], dh[::-1], np.zeros_like(h0))[::-1]  # reversed scan
    h_prev = np.concatenate([h0[None], h[:-1]])  # the state each step read
    return g * h_prev, g, a[0] * g[0]


def min_gru_sequence(x, h0, W_ih, b_ih):
    r"""A minGRU layer over a whole sequence: one product for all gates, then your scan.

    Parameters
    ----------
    x : ndarray, shape (T, B, D)
    h0 : ndarray, shape (B, H)
    W_ih : ndarray, shape (2H, D)
        Blocks z, n.
    b_ih : ndarray, shape (2H,)

    Returns
    -------
    h : ndarray, shape (T, B, H)

    Notes
    -----
    :math:`a_t = z_t`, :math:`b_t = (1 - z_t) \odot n_t`, computed for all t at
    once, then ``linear_scan(a, b, h0)``.
    """
    H = h0.shape[1]
    k = x @ W_ih.T + b_ih  # (T, B, 2H): every step in one product
    z = 1.0 / (1.0 + np.exp(-k[..., :H]))
    n = k[..., H:]
    return linear_scan(z, (1 - z) * n, h0)
