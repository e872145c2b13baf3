"""Reference solutions of lesson 05: the LSTM and the GRU, step and sequence, forward and backward.

Readable step functions with step-shaped caches (a tuple of what the backward
needs), as a learner writes them; the sequence functions loop the step. They are
checked against the library's fused kernels (``rnn_course.numpy_rnn``), which
have the float64 numeric-gradient tests. Weights in torch layout, gate order
LSTM i, f, g, o and GRU r, z, n.
"""

import numpy as np


def sigmoid(z):
    """Logistic function ``1 / (1 + exp(-z))``."""
    return 1.0 / (1.0 + np.exp(-z))


def lstm_step_forward(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    r"""One LSTM step, as ``torch.nn.LSTMCell`` computes it.

    Parameters
    ----------
    x : ndarray, shape (B, D)
    h_prev, c_prev : ndarray, shape (B, H)
    W_ih : ndarray, shape (4H, D)
    W_hh : ndarray, shape (4H, H)
    b_ih, b_hh : ndarray, shape (4H,)
        Gate blocks in the order i, f, g, o.

    Returns
    -------
    h_next, c_next : ndarray, shape (B, H)
    cache : anything
        What your ``lstm_step_backward`` needs (a tuple is fine).

    Notes
    -----
    .. math::
        a = x W_{ih}^\top + b_{ih} + h_{prev} W_{hh}^\top + b_{hh}, \quad
        i, f, o = \sigma(a_i), \sigma(a_f), \sigma(a_o), \quad g = \tanh(a_g)

        c_{next} = f \odot c_{prev} + i \odot g, \qquad
        h_{next} = o \odot \tanh(c_{next})

    See chapter 5, LSTM and GRU.
    """
    a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh  # (B, 4H)
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)  # (B, H) each
    i, f, g, o = sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o)
    c_next = f * c_prev + i * g  # (B, H)
    tanh_c = np.tanh(c_next)  # (B, H)
    h_next = o * tanh_c  # (B, H)
    cache = (x, h_prev, c_prev, W_ih, W_hh, i, f, g, o, tanh_c)
    return h_next, c_next, cache


def lstm_step_backward(dh_next, dc_next, cache):
    r"""Backward pass of your ``lstm_step_forward``.

    Parameters
    ----------
    dh_next, dc_next : ndarray, shape (B, H)
        Upstream gradients on h_next and c_next.
    cache : anything
        Exactly what your ``lstm_step_forward`` returned.

    Returns
    -------
    dx : ndarray, shape (B, D)
    dh_prev, dc_prev : ndarray, shape (B, H)
    dW_ih : ndarray, shape (4H, D)
    dW_hh : ndarray, shape (4H, H)
    db_ih, db_hh : ndarray, shape (4H,)

    Notes
    -----
    .. math::
        \bar c = \bar c_{next} + \bar h_{next} \odot o \odot (1 - \tanh^2 c_{next}),
        \qquad \bar c_{prev} = \bar c \odot f

    Each gate's pre-activation gradient is its upstream gradient times the
    derivative of its nonlinearity, written with the activated gate:
    ``s * (1 - s)`` for a sigmoid, ``1 - g**2`` for tanh.
    See chapter 5, LSTM and GRU.
    """
    x, h_prev, c_prev, W_ih, W_hh, i, f, g, o, tanh_c = cache
    do = dh_next * tanh_c  # (B, H)
    dc = dc_next + dh_next * o * (1 - tanh_c**2)  # (B, H) total gradient on c_next
    di, df, dg = dc * g, dc * c_prev, dc * i
    da = np.concatenate(
        [di * i * (1 - i), df * f * (1 - f), dg * (1 - g**2), do * o * (1 - o)], axis=1
    )  # (B, 4H)
    dx = da @ W_ih  # (B, D)
    dh_prev = da @ W_hh  # (B, H)
    dc_prev = dc * f  # (B, H): the additive path
    db = da.sum(axis=0)  # (4H,)
    return dx, dh_prev, dc_prev, da.T @ x, da.T @ h_prev, db, db.copy()


def lstm_forward(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
    r"""An LSTM layer over a whole sequence, as ``torch.nn.LSTM`` computes it.

    Parameters
    ----------
    x : ndarray, shape (T, B, D)
    h0, c0 : ndarray, shape (B, H)
        Initial hidden and cell state.
    W_ih : ndarray, shape (4H, D)
    W_hh : ndarray, shape (4H, H)
    b_ih, b_hh : ndarray, shape (4H,)
        Gate blocks in the order i, f, g, o.

    Returns
    -------
    h : ndarray, shape (T, B, H)
        Hidden state after every step.
    c : ndarray, shape (T, B, H)
        Cell state after every step.
    cache : anything
        What your ``lstm_backward`` needs (a list of step caches is fine).

    Notes
    -----
    Step t starts from ``(h[t-1], c[t-1])``, and step 0 from ``(h0, c0)``.
    See chapter 5, LSTM and GRU.
    """
    hs, cs, caches = [], [], []
    h_t, c_t = h0, c0
    for x_t in x:  # x_t: (B, D)
        h_t, c_t, step_cache = lstm_step_forward(x_t, h_t, c_t, W_ih, W_hh, b_ih, b_hh)
        hs.append(h_t)
        cs.append(c_t)
        caches.append(step_cache)
    return np.stack(hs), np.stack(cs), caches  # (T, B, H), (T, B, H)


def lstm_backward(dh, cache):
    r"""Backpropagation through time for your ``lstm_forward``.

    Parameters
    ----------
    dh : ndarray, shape (T, B, H)
        Upstream gradient on every hidden state ``h[t]`` (from the layer above).
    cache : anything
        Exactly what your ``lstm_forward`` returned.

    Returns
    -------
    dx : ndarray, shape (T, B, D)
    dh0, dc0 : ndarray, shape (B, H)
    dW_ih : ndarray, shape (4H, D)
    dW_hh : ndarray, shape (4H, H)
    db_ih, db_hh : ndarray, shape (4H,)

    Notes
    -----
    Walk from t = T-1 down to 0. The gradient reaching ``h[t]`` is ``dh[t]`` plus
    what step t+1 sends back; the cell gradient only comes from step t+1 (zero
    after the last step). The weights are shared by every step, so their
    gradients are sums over t. See chapter 5, LSTM and GRU.
    """
    T = len(cache)
    dx, dW_ih, dW_hh, db_ih, db_hh = [None] * T, 0.0, 0.0, 0.0, 0.0
    dh_t = np.zeros_like(dh[0])  # (B, H) from step t+1
    dc_t = np.zeros_like(dh[0])  # (B, H)
    for t in range(T - 1, -1, -1):
        grads = lstm_step_backward(dh[t] + dh_t, dc_t, cache[t])
        dx[t], dh_t, dc_t, dWi, dWh, dbi, dbh = grads
        dW_ih, dW_hh = dW_ih + dWi, dW_hh + dWh
        db_ih, db_hh = db_ih + dbi, db_hh + dbh
    return np.stack(dx), dh_t, dc_t, dW_ih, dW_hh, db_ih, db_hh


def gru_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    r"""One GRU step, as ``torch.nn.GRUCell`` computes it.

    Parameters
    ----------
    x : ndarray, shape (B, D)
    h_prev : ndarray, shape (B, H)
    W_ih : ndarray, shape (3H, D)
    W_hh : ndarray, shape (3H, H)
    b_ih, b_hh : ndarray, shape (3H,)
        Gate blocks in the order r, z, n.

    Returns
    -------
    h_next : ndarray, shape (B, H)
    cache : anything
        What your ``gru_step_backward`` needs (a tuple is fine).

    Notes
    -----
    .. math::
        r = \sigma(a^x_r + a^h_r), \quad z = \sigma(a^x_z + a^h_z), \quad
        n = \tanh(a^x_n + r \odot a^h_n), \quad h_{next} = (1 - z) \odot n + z \odot h_{prev}

    with :math:`a^x = x W_{ih}^\top + b_{ih}` and :math:`a^h = h_{prev} W_{hh}^\top + b_{hh}`
    split into their r, z, n blocks: the reset gate multiplies the recurrent
    part of n *after* its product, bias included. See chapter 5, LSTM and GRU.
    """
    ax_r, ax_z, ax_n = np.split(x @ W_ih.T + b_ih, 3, axis=1)  # (B, H) each
    ah_r, ah_z, ah_n = np.split(h_prev @ W_hh.T + b_hh, 3, axis=1)  # (B, H) each
    r, z = sigmoid(ax_r + ah_r), sigmoid(ax_z + ah_z)
    n = np.tanh(ax_n + r * ah_n)  # (B, H)
    h_next = (1 - z) * n + z * h_prev  # (B, H)
    return h_next, (x, h_prev, W_ih, W_hh, r, z, n, ah_n)


def gru_step_backward(dh_next, cache):
    r"""Backward pass of your ``gru_step_forward``.

    Parameters
    ----------
    dh_next : ndarray, shape (B, H)
        Upstream gradient on h_next.
    cache : anything
        Exactly what your ``gru_step_forward`` returned.

    Returns
    -------
    dx : ndarray, shape (B, D)
    dh_prev : ndarray, shape (B, H)
    dW_ih : ndarray, shape (3H, D)
    dW_hh : ndarray, shape (3H, H)
    db_ih, db_hh : ndarray, shape (3H,)

    Notes
    -----
    .. math::
        \bar n = \bar h (1 - z), \quad \bar z = \bar h (h_{prev} - n), \quad
        \bar a_n = \bar n (1 - n^2)

    The n block differs between the two sides: the input side gets
    :math:`\bar a_n`, the recurrent side :math:`\bar a_n \odot r`; and h_prev
    also reaches h_next directly, through ``z * h_prev``.
    See chapter 5, LSTM and GRU.
    """
    x, h_prev, W_ih, W_hh, r, z, n, ah_n = cache
    dn = dh_next * (1 - z)  # (B, H)
    dz = dh_next * (h_prev - n)  # (B, H)
    dan = dn * (1 - n**2)  # gradient on the input side of n
    dar = dan * ah_n * r * (1 - r)
    daz = dz * z * (1 - z)
    dax = np.concatenate([dar, daz, dan], axis=1)  # (B, 3H) on x W_ih^T + b_ih
    dah = np.concatenate([dar, daz, dan * r], axis=1)  # (B, 3H) on h W_hh^T + b_hh
    dx = dax @ W_ih  # (B, D)
    dh_prev = dah @ W_hh + dh_next * z  # (B, H)
    return dx, dh_prev, dax.T @ x, dah.T @ h_prev, dax.sum(axis=0), dah.sum(axis=0)
