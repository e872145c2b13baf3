r"""minGRU and minLSTM in NumPy: gates that read only the input, so a whole sequence is one scan.

Feng et al. (2024), "Were RNNs All We Needed?", strip the GRU and the LSTM
down until no gate and no candidate depends on the previous state. What is
left is the element-wise linear recurrence of :mod:`rnn_course.scan`,

.. math:: h_t = a_t \odot h_{t-1} + b_t ,

with :math:`a_t` and :math:`b_t` computed from :math:`x_t` alone, for all t in
one matrix product, and the states of all steps computed by a parallel scan.

=======  ==============  =========  ===================================================
cell     W_ih            b_ih       recurrence
=======  ==============  =========  ===================================================
minGRU   (2H, D): z, n   (2H,)      h = z h_prev + (1 - z) n
minLSTM  (3H, D): i,f,g  (3H,)      h = f' h_prev + i' g,  f' = f/(f+i), i' = i/(f+i)
=======  ==============  =========  ===================================================

Conventions follow chapter 5's GRU (torch's): z close to 1 *keeps* the old
state. Feng et al. write the same cell with their z standing for our 1 - z.
Neither the candidate n (g) nor anything else passes through tanh; there is
no W_hh and no output gate.

Every cell has a readable step pair (``*_step_forward`` / ``*_step_backward``,
the truth) and a sequence pair (``*_forward`` / ``*_backward``) that projects
all inputs at once and runs :func:`rnn_course.scan.scan_forward` /
:func:`rnn_course.scan.scan_backward`; the tests prove the two equal and
check every gradient numerically in float64. Shapes are time-major: x
``(T, B, D)``, a state ``(B, H)``, all states ``(T, B, H)``.
See chapter 7, Recurrence revisited.
"""

import numpy as np

from .numpy_rnn import (
    _check_array,
    _check_cache,
    _check_dtypes,
    _check_shape,
    _check_upstream,
    sigmoid,
)
from .scan import METHODS, scan_backward, scan_forward

__all__ = [
    "min_gru_step_forward",
    "min_gru_step_backward",
    "min_gru_forward",
    "min_gru_backward",
    "min_lstm_step_forward",
    "min_lstm_step_backward",
    "min_lstm_forward",
    "min_lstm_backward",
]

MIN_GRU_STEP_CACHE = ("x", "h_prev", "z", "n", "W_ih")
MIN_LSTM_STEP_CACHE = ("x", "h_prev", "i", "f", "g", "W_ih")
_MIN_GRU_CACHE = ("x", "W_ih", "z", "n", "scan")
_MIN_LSTM_CACHE = ("x", "W_ih", "i", "f", "g", "scan")


def _check(G, x, h, W_ih, b_ih, seq, h_name):
    """Validate a minimal cell's inputs; return (T, B, D, H)."""
    g = f"{G}"
    _check_array(x, "x", 3 if seq else 2, "(T, B, D)" if seq else "(B, D)")
    _check_array(h, h_name, 2, "(B, H)")
    B, H = h.shape
    if x.shape[-2] != B:
        raise ValueError(
            f"x: batch size {x.shape[-2]} (shape {x.shape}) does not match {h_name} "
            f"batch size {B} (shape {(B, H)})"
        )
    if seq and x.shape[0] < 1:
        raise ValueError(f"x: expected at least one time step, got shape {x.shape}")
    D = x.shape[-1]
    _check_array(W_ih, "W_ih", 2, f"({g}H, D)")
    _check_shape(W_ih, "W_ih", (G * H, D), f"({g}H, D)")
    _check_array(b_ih, "b_ih", 1, f"({g}H,)")
    _check_shape(b_ih, "b_ih", (G * H,), f"({g}H,)")
    _check_dtypes("x", x, **{h_name: h}, W_ih=W_ih, b_ih=b_ih)
    return (x.shape[0] if seq else 1), B, D, H


def _check_method(method):
    if method not in METHODS:
        raise ValueError(f"method: unknown scan {method!r}; choose one of {METHODS}")


def _project(x, W_ih, b_ih, G):
    """All gate pre-activations at once: G arrays of shape (..., H)."""
    return np.split(x @ W_ih.T + b_ih, G, axis=-1)  # each (T, B, H) or (B, H)


def _input_grads(x, W_ih, dk):
    """Gradients of k = x W_ihᵀ + b_ih: dx, dW_ih, db_ih, from dk (..., G*H)."""
    D = x.shape[-1]
    dx = dk @ W_ih  # (..., D)
    dW_ih = dk.reshape(-1, dk.shape[-1]).T @ x.reshape(-1, D)  # (G*H, D)
    return dx, dW_ih, dk.reshape(-1, dk.shape[-1]).sum(axis=0)


# -------------------------------------------------------------------- minGRU


def min_gru_step_forward(x, h_prev, W_ih, b_ih):
    r"""One minGRU step.

    Parameters
    ----------
    x : ndarray, shape (B, D)
    h_prev : ndarray, shape (B, H)
    W_ih : ndarray, shape (2H, D)
        Blocks z, n.
    b_ih : ndarray, shape (2H,)

    Returns
    -------
    h_next : ndarray, shape (B, H)
    cache : dict
        ``x``, ``h_prev``, ``z``, ``n``, ``W_ih``, for :func:`min_gru_step_backward`.

    Notes
    -----
    .. math::
        z &= \sigma(W_{iz} x + b_{iz}) \qquad \text{(no } h_{prev}\text{ inside)} \\
        n &= W_{in} x + b_{in} \qquad \text{(no tanh, no reset gate)} \\
        h_{next} &= z \odot h_{prev} + (1 - z) \odot n

    Chapter 5's GRU without the reset gate and with :math:`h_{prev}` removed from
    z and n. See chapter 7, Recurrence revisited.
    """
    _check(2, x, h_prev, W_ih, b_ih, False, "h_prev")
    k_z, n = _project(x, W_ih, b_ih, 2)  # (B, H) each
    z = sigmoid(k_z)  # update gate: how much of h_prev to keep
    h_next = z * h_prev + (1 - z) * n  # (B, H)
    return h_next, {"x": x, "h_prev": h_prev, "z": z, "n": n, "W_ih": W_ih}


def min_gru_step_backward(dh_next, cache):
    r"""Backward pass of :func:`min_gru_step_forward`.

    Parameters
    ----------
    dh_next : ndarray, shape (B, H)
    cache : dict

    Returns
    -------
    dx : ndarray, shape (B, D)
    dh_prev : ndarray, shape (B, H)
    dW_ih : ndarray, shape (2H, D)
    db_ih : ndarray, shape (2H,)

    Notes
    -----
    .. math::
        \bar h_{prev} = \bar h_{next} \odot z, \quad
        \bar n = \bar h_{next} \odot (1 - z), \quad
        \bar k_z = \bar h_{next} \odot (h_{prev} - n) \odot z (1 - z)
    """
    _check_cache(cache, "min_gru_step_forward", MIN_GRU_STEP_CACHE)
    x, h_prev, z, n, W_ih = (cache[k] for k in MIN_GRU_STEP_CACHE)
    _check_upstream(dh_next, "dh_next", z.shape, "(B, H)", z.dtype)
    dk_z = dh_next * (h_prev - n) * z * (1 - z)  # through h = n + z (h_prev - n) and sigma
    dn = dh_next * (1 - z)
    dx, dW_ih, db_ih = _input_grads(x, W_ih, np.concatenate([dk_z, dn], axis=-1))
    return dx, dh_next * z, dW_ih, db_ih


def min_gru_forward(x, h0, W_ih, b_ih, method="blelloch"):
    r"""A minGRU layer over a whole sequence: one product, then one scan.

    Parameters
    ----------
    x : ndarray, shape (T, B, D)
    h0 : ndarray, shape (B, H)
    W_ih : ndarray, shape (2H, D)
        Blocks z, n.
    b_ih : ndarray, shape (2H,)
    method : {"loop", "hillis_steele", "blelloch", "log"}, default "blelloch"
        The scan (:func:`rnn_course.scan.scan`).

    Returns
    -------
    h : ndarray, shape (T, B, H)
    cache : dict
        For :func:`min_gru_backward`.

    Notes
    -----
    The equations of :func:`min_gru_step_forward` for all t, as the linear
    recurrence :math:`h_t = a_t \odot h_{t-1} + b_t` with :math:`a_t = z_t` and
    :math:`b_t = (1 - z_t) \odot n_t`.

    Examples
    --------
    Equal to looping the step:

    >>> rng = np.random.default_rng(0)
    >>> T, B, D, H = 5, 2, 3, 4
    >>> x, h0 = rng.standard_normal((T, B, D)), rng.standard_normal((B, H))
    >>> W_ih, b_ih = rng.standard_normal((2 * H, D)), rng.standard_normal(2 * H)
    >>> h_t, hs = h0, []
    >>> for x_t in x:
    ...     h_t, _ = min_gru_step_forward(x_t, h_t, W_ih, b_ih)
    ...     hs.append(h_t)
    >>> h, cache = min_gru_forward(x, h0, W_ih, b_ih)
    >>> bool(np.abs(h - np.stack(hs)).max() < 1e-12)
    True
    """
    _check(2, x, h0, W_ih, b_ih, True, "h0")
    _check_method(method)
    k_z, n = _project(x, W_ih, b_ih, 2)  # (T, B, H) each, all steps in one product
    z = sigmoid(k_z)  # (T, B, H)
    h, scan_cache = scan_forward(z, (1 - z) * n, h0, method)  # (T, B, H)
    return h, {"x": x, "W_ih": W_ih, "z": z, "n": n, "scan": scan_cache}


def min_gru_backward(dh, cache):
    r"""Backward pass of :func:`min_gru_forward`: a reversed scan, then one product.

    Parameters
    ----------
    dh : ndarray, shape (T, B, H)
        Upstream gradient on every state.
    cache : dict

    Returns
    -------
    dx : ndarray, shape (T, B, D)
    dh0 : ndarray, shape (B, H)
    dW_ih : ndarray, shape (2H, D)
    db_ih : ndarray, shape (2H,)

    Notes
    -----
    :func:`rnn_course.scan.scan_backward` gives :math:`\bar a_t, \bar b_t` and
    :math:`\bar h_0`; then :math:`\bar z = \bar a - \bar b \odot n`,
    :math:`\bar n = \bar b \odot (1 - z)`, and :math:`\bar k_z = \bar z\, z (1 - z)`.
    """
    _check_cache(cache, "min_gru_forward", _MIN_GRU_CACHE)
    z, n = cache["z"], cache["n"]
    _check_upstream(dh, "dh", z.shape, "(T, B, H)", z.dtype)
    da, db, dh0 = scan_backward(dh, cache["scan"])  # (T, B, H), (T, B, H), (B, H)
    dk_z = (da - db * n) * z * (1 - z)  # a = z, b = (1 - z) n
    dn = db * (1 - z)
    dx, dW_ih, db_ih = _input_grads(cache["x"], cache["W_ih"], np.concatenate([dk_z, dn], -1))
    return dx, dh0, dW_ih, db_ih


# ------------------------------------------------------------------- minLSTM


def min_lstm_step_forward(x, h_prev, W_ih, b_ih):
    r"""One minLSTM step.

    Parameters
    ----------
    x : ndarray, shape (B, D)
    h_prev : ndarray, shape (B, H)
    W_ih : ndarray, shape (3H, D)
        Blocks i, f, g (chapter 5's LSTM order, without o).
    b_ih : ndarray, shape (3H,)

    Returns
    -------
    h_next : ndarray, shape (B, H)
    cache : dict
        ``x``, ``h_prev``, ``i``, ``f``, ``g``, ``W_ih``.

    Notes
    -----
    .. math::
        i = \sigma(W_{ii} x + b_{ii}),\quad f = \sigma(W_{if} x + b_{if}),\quad
        g = W_{ig} x + b_{ig} \\
        h_{next} = \frac{f}{f + i} \odot h_{prev} + \frac{i}{f + i} \odot g

    Dividing by f + i makes the two weights add up to one, so the state stays a
    weighted average of candidates whatever the sequence length (Feng et al.
    2024). There is no separate cell state and no output gate.
    """
    _check(3, x, h_prev, W_ih, b_ih, False, "h_prev")
    k_i, k_f, g = _project(x, W_ih, b_ih, 3)  # (B, H) each
    i, f = sigmoid(k_i), sigmoid(k_f)
    h_next = (f * h_prev + i * g) / (f + i)  # (B, H)
    return h_next, {"x": x, "h_prev": h_prev, "i": i, "f": f, "g": g, "W_ih": W_ih}


def _min_lstm_gate_grads(da, db, i, f, g):
    """From the gradients on a = f/(f+i) and b = i g/(f+i) to those on k_i, k_f, g."""
    s = f + i
    d_fn = da - db * g  # a = f', b = (1 - f') g: the total gradient on f'
    dk_f = d_fn * i / (s * s) * f * (1 - f)  # d f'/d f = i / s^2, then the sigmoid
    dk_i = -d_fn * f / (s * s) * i * (1 - i)  # d f'/d i = -f / s^2
    dg = db * i / s
    return np.concatenate([dk_i, dk_f, dg], axis=-1)


def min_lstm_step_backward(dh_next, cache):
    r"""Backward pass of :func:`min_lstm_step_forward`.

    Parameters
    ----------
    dh_next : ndarray, shape (B, H)
    cache : dict

    Returns
    -------
    dx : ndarray, shape (B, D)
    dh_prev : ndarray, shape (B, H)
    dW_ih : ndarray, shape (3H, D)
    db_ih : ndarray, shape (3H,)

    Notes
    -----
    With :math:`f' = f/(f+i)` and :math:`i' = 1 - f'`:
    :math:`\bar f' = \bar h (h_{prev} - g)`, :math:`\partial f'/\partial f = i/(f+i)^2`,
    :math:`\partial f'/\partial i = -f/(f+i)^2`, :math:`\bar g = \bar h\, i'`.
    """
    _check_cache(cache, "min_lstm_step_forward", MIN_LSTM_STEP_CACHE)
    x, h_prev, i, f, g, W_ih = (cache[k] for k in MIN_LSTM_STEP_CACHE)
    _check_upstream(dh_next, "dh_next", i.shape, "(B, H)", i.dtype)
    a = f / (f + i)
    dk = _min_lstm_gate_grads(dh_next * h_prev, dh_next, i, f, g)  # (B, 3H)
    dx, dW_ih, db_ih = _input_grads(x, W_ih, dk)
    return dx, dh_next * a, dW_ih, db_ih


def min_lstm_forward(x, h0, W_ih, b_ih, method="blelloch"):
    r"""A minLSTM layer over a whole sequence: one product, then one scan.

    Parameters
    ----------
    x : ndarray, shape (T, B, D)
    h0 : ndarray, shape (B, H)
    W_ih : ndarray, shape (3H, D)
        Blocks i, f, g.
    b_ih : ndarray, shape (3H,)
    method : {"loop", "hillis_steele", "blelloch", "log"}, default "blelloch"

    Returns
    -------
    h : ndarray, shape (T, B, H)
    cache : dict
        For :func:`min_lstm_backward`.

    Notes
    -----
    :func:`min_lstm_step_forward` for all t, as the linear recurrence with
    :math:`a_t = f_t / (f_t + i_t)` and :math:`b_t = i_t \odot g_t / (f_t + i_t)`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> T, B, D, H = 5, 2, 3, 4
    >>> x, h0 = rng.standard_normal((T, B, D)), rng.standard_normal((B, H))
    >>> W_ih, b_ih = rng.standard_normal((3 * H, D)), rng.standard_normal(3 * H)
    >>> h_t, hs = h0, []
    >>> for x_t in x:
    ...     h_t, _ = min_lstm_step_forward(x_t, h_t, W_ih, b_ih)
    ...     hs.append(h_t)
    >>> h, cache = min_lstm_forward(x, h0, W_ih, b_ih, method="hillis_steele")
    >>> bool(np.abs(h - np.stack(hs)).max() < 1e-12)
    True
    """
    _check(3, x, h0, W_ih, b_ih, True, "h0")
    _check_method(method)
    k_i, k_f, g = _project(x, W_ih, b_ih, 3)  # (T, B, H) each
    i, f = sigmoid(k_i), sigmoid(k_f)
    s = f + i
    h, scan_cache = scan_forward(f / s, i * g / s, h0, method)  # (T, B, H)
    return h, {"x": x, "W_ih": W_ih, "i": i, "f": f, "g": g, "scan": scan_cache}


def min_lstm_backward(dh, cache):
    r"""Backward pass of :func:`min_lstm_forward`.

    Parameters
    ----------
    dh : ndarray, shape (T, B, H)
    cache : dict

    Returns
    -------
    dx : ndarray, shape (T, B, D)
    dh0 : ndarray, shape (B, H)
    dW_ih : ndarray, shape (3H, D)
    db_ih : ndarray, shape (3H,)
    """
    _check_cache(cache, "min_lstm_forward", _MIN_LSTM_CACHE)
    i, f, g = cache["i"], cache["f"], cache["g"]
    _check_upstream(dh, "dh", i.shape, "(T, B, H)", i.dtype)
    da, db, dh0 = scan_backward(dh, cache["scan"])
    dk = _min_lstm_gate_grads(da, db, i, f, g)  # (T, B, 3H)
    dx, dW_ih, db_ih = _input_grads(cache["x"], cache["W_ih"], dk)
    return dx, dh0, dW_ih, db_ih
