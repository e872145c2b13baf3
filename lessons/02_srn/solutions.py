"""Solutions of lesson 02, written the way the lesson teaches them."""

import numpy as np


def srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    r"""One step of a simple recurrent layer.

    Parameters
    ----------
    x : ndarray, shape (B, D)
    h_prev : ndarray, shape (B, H)
    W_ih : ndarray, shape (H, D)
    W_hh : ndarray, shape (H, H)
    b_ih, b_hh : ndarray, shape (H,)
    nonlinearity : {"tanh", "relu"}

    Returns
    -------
    h_next : ndarray, shape (B, H)
    cache : anything
        What your backward pass will need (lesson 3); ``None`` is fine here.

    Notes
    -----
    .. math:: h_{next} = f(x W_{ih}^\top + b_{ih} + h_{prev} W_{hh}^\top + b_{hh})

    with f = tanh or ReLU. See chapter 2, The simple recurrent network.
    """
    a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh  # (B, H)
    h_next = np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0)
    return h_next, (x, h_prev, W_ih, W_hh, h_next, nonlinearity)


def srn_forward(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    r"""Run a simple (Elman) recurrent layer over a whole sequence.

    Parameters
    ----------
    x : ndarray, shape (T, B, D)
        Inputs, time-major.
    h0 : ndarray, shape (B, H)
        Initial hidden state.
    W_ih : ndarray, shape (H, D)
    W_hh : ndarray, shape (H, H)
    b_ih, b_hh : ndarray, shape (H,)
        Weights in ``torch.nn.RNN`` layout.
    nonlinearity : {"tanh", "relu"}

    Returns
    -------
    h : ndarray, shape (T, B, H)
        Hidden state after every step (``h[-1]`` is the final state).
    cache : anything
        What your backward pass will need (lesson 3); ``None`` is fine here.

    Notes
    -----
    .. math:: h_t = f(x_t W_{ih}^\top + b_{ih} + h_{t-1} W_{hh}^\top + b_{hh})

    The same weights at every step. See chapter 2, The simple recurrent network.
    """
    h, hs, caches = h0, [], []
    for t in range(x.shape[0]):
        h, cache = srn_step_forward(x[t], h, W_ih, W_hh, b_ih, b_hh, nonlinearity)
        hs.append(h)
        caches.append(cache)
    return np.stack(hs), caches  # (T, B, H)


def softmax_output(h, W_hy, b_hy):
    r"""Softmax output layer on every hidden state.

    Parameters
    ----------
    h : ndarray, shape (T, B, H)
        Hidden states.
    W_hy : ndarray, shape (V, H)
        Output weights in ``torch.nn.Linear`` layout.
    b_hy : ndarray, shape (V,)
        Output bias.

    Returns
    -------
    probs : ndarray, shape (T, B, V)
        ``probs[t, b]`` is a probability distribution over the V outputs.

    Notes
    -----
    .. math:: y_t = \mathrm{softmax}(h_t W_{hy}^\top + b_{hy}), \qquad
              \mathrm{softmax}(z)_v = \frac{e^{z_v - \max z}}{\sum_u e^{z_u - \max z}}

    Subtracting the maximum changes nothing mathematically and keeps ``exp``
    from overflowing. See chapter 2, The simple recurrent network.
    """
    z = h @ W_hy.T + b_hy  # (T, B, V)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)  # (T, B, V)
