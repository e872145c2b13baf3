r"""Simple (Elman), LSTM and GRU recurrent layers in NumPy, forward and backward through time.

CS231n functional style: every ``*_forward`` returns ``(out, cache)`` and the
matching ``*_backward(dout, cache)`` returns the gradients ``d<var>`` of every
input and parameter. Weights use PyTorch's layout and gate order, so they copy
straight from ``torch.nn.RNN`` / ``LSTM`` / ``GRU`` (``weight_ih_l0`` is
``W_ih``, and so on):

=====  ==============  ==============  ============  ==========
cell   W_ih            W_hh            b_ih, b_hh    gate order
=====  ==============  ==============  ============  ==========
SRN    (H, D)          (H, H)          (H,)          --
LSTM   (4H, D)         (4H, H)         (4H,)         i, f, g, o
GRU    (3H, D)         (3H, H)         (3H,)         r, z, n
=====  ==============  ==============  ============  ==========

Shapes are time-major: x ``(T, B, D)``, a state ``(B, H)``, a sequence of
states ``(T, B, H)``; G is the number of gates (1, 4, 3). float32 and float64
both work; outputs take the dtype of the inputs (all arrays must share one
floating dtype, as in torch).

Two layers of code, one set of equations:

- **The step functions are the truth.** ``srn_step_forward`` /
  ``srn_step_backward`` (and the LSTM and GRU pairs) are written to be read: one
  line per equation, the equation in a comment, and a step-shaped cache of
  ``(B, H)`` arrays named after the math (``h_prev``, ``i``, ``f``, ``g``, ``o``,
  ``tanh_c``, ...).
- **The sequence functions are the same maths, fast.** ``srn_forward`` and
  friends project the inputs of all T steps in one matrix product before the
  loop, do one fused product for all the gates per step (laid out as
  ``(G, B, H)`` so that every gate's block is contiguous), and compute the
  weight gradients as large products after the backward loop. Each one's
  docstring runs the equivalent loop over the step functions as a doctest, and
  the tests prove the two equal (outputs and every gradient, float64, 1e-12).

Batches of sequences of different lengths: pad them to T steps and pass
``lengths`` (B,) to the sequence forward. A sequence's state stops changing
after its last step (later rows repeat it, so ``h[-1]`` is each one's final
state, as torch.nn returns for a ``PackedSequence``), and the backward sends
no gradient through the padded steps' gates.

The caches keep references to the inputs and to the returned states: do not
modify them in place before calling the backward function. See chapter 2 (the
simple recurrent network), chapter 3 (backpropagation through time) and
chapter 5 (LSTM and GRU).
"""

import numpy as np

from ._validate import check_shape, float_array, same_dtype

__all__ = [
    "sigmoid",
    "srn_step_forward",
    "srn_step_backward",
    "srn_forward",
    "srn_backward",
    "lstm_step_forward",
    "lstm_step_backward",
    "lstm_forward",
    "lstm_backward",
    "gru_step_forward",
    "gru_step_backward",
    "gru_forward",
    "gru_backward",
]

NONLINEARITIES = ("tanh", "relu")

#: Keys of the step caches (what a step backward reads), named after the math.
SRN_STEP_CACHE = ("x", "h_prev", "h_next", "W_ih", "W_hh", "nonlinearity")
LSTM_STEP_CACHE = ("x", "h_prev", "c_prev", "i", "f", "g", "o", "tanh_c", "W_ih", "W_hh")
GRU_STEP_CACHE = ("x", "h_prev", "r", "z", "n", "gh_n", "W_ih", "W_hh")
_SRN_CACHE = ("x", "h0", "W_ih", "W_hh", "h", "nonlinearity")
_LSTM_CACHE = ("x", "h0", "c0", "W_ih", "W_hh", "gates", "h", "c", "tanh_c")
_GRU_CACHE = ("x", "h0", "W_ih", "W_hh", "gates", "gh_n", "h")
# ----------------------------------------------------------------- validation


def _check_layer(gates, x, states, W_ih, W_hh, b_ih, b_hh, seq=True):
    r"""Validate the inputs of a recurrent layer with ``gates`` gate blocks.

    Returns ``(T, B, D, H)`` (T is 1 for a single step).
    """
    g = "" if gates == 1 else f"{gates}"
    x_text = "(T, B, D)" if seq else "(B, D)"
    float_array(x, "x", 3 if seq else 2, x_text)
    names = list(states)
    first = names[0]
    float_array(states[first], first, 2, "(B, H)")
    B, H = states[first].shape
    if H < 1:
        raise ValueError(f"{first}: expected at least one hidden unit (H >= 1), got shape {(B, H)}")
    T = x.shape[0] if seq else 1
    D = x.shape[-1]
    if x.shape[-2] != B:
        raise ValueError(
            f"x: batch size {x.shape[-2]} (shape {x.shape}) does not match {first} "
            f"batch size {B} (shape {(B, H)})"
        )
    if seq and T < 1:
        raise ValueError(f"x: expected at least one time step, got shape {x.shape}")
    for name in names[1:]:
        float_array(states[name], name, 2, "(B, H)")
        check_shape(states[name], name, (B, H), "(B, H)")
    float_array(W_ih, "W_ih", 2, f"({g}H, D)")
    check_shape(W_ih, "W_ih", (gates * H, D), f"({g}H, D)")
    float_array(W_hh, "W_hh", 2, f"({g}H, H)")
    check_shape(W_hh, "W_hh", (gates * H, H), f"({g}H, H)")
    float_array(b_ih, "b_ih", 1, f"({g}H,)")
    check_shape(b_ih, "b_ih", (gates * H,), f"({g}H,)")
    float_array(b_hh, "b_hh", 1, f"({g}H,)")
    check_shape(b_hh, "b_hh", (gates * H,), f"({g}H,)")
    same_dtype("x", x, **states, W_ih=W_ih, W_hh=W_hh, b_ih=b_ih, b_hh=b_hh)
    return T, B, D, H


def _check_upstream(d, name, shape, shape_text, dtype):
    float_array(d, name, len(shape), shape_text)
    check_shape(d, name, shape, shape_text)
    if d.dtype != dtype:
        raise TypeError(f"{name}: dtype {d.dtype} does not match the forward dtype {dtype}")


def _check_cache(cache, forward, keys):
    """Check that ``cache`` is the dict returned by the function named ``forward``."""
    if not isinstance(cache, dict) or not set(keys) <= set(cache):
        got = f"keys {sorted(cache)}" if isinstance(cache, dict) else type(cache).__name__
        raise TypeError(
            f"cache: expected the cache returned by {forward} (keys {', '.join(keys)}), got {got}"
        )


def _check_lengths(lengths, T, B):
    r"""Validate optional sequence lengths; return, per step, the rows that have ended.

    ``lengths`` is None or B ints in [1, T]. Returns None when every sequence runs
    all T steps, else a list of T index arrays: ``ended[t]`` are the sequences b
    with ``t >= lengths[b]``, whose state is held from step t on.
    """
    if lengths is None:
        return None
    arr = np.asarray(lengths)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer) or arr.shape != (B,):
        raise TypeError(
            f"lengths: expected {B} integers (one per sequence, shape (B,)), "
            f"got {type(lengths).__name__} of dtype {arr.dtype} and shape {arr.shape}"
        )
    if arr.size and (arr.min() < 1 or arr.max() > T):
        raise ValueError(f"lengths: expected values in [1, T] = [1, {T}], got {arr.tolist()}")
    if (arr == T).all():
        return None
    return [np.flatnonzero(arr <= t) for t in range(T)]


def _check_nonlinearity(nonlinearity):
    if nonlinearity not in NONLINEARITIES:
        raise ValueError(f"nonlinearity: expected 'tanh' or 'relu', got {nonlinearity!r}")


# ------------------------------------------------------------------- helpers


def sigmoid(a):
    r"""Logistic sigmoid :math:`1 / (1 + e^{-a})`, written with tanh so it never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def _sigmoid_(a):
    r"""In-place :func:`sigmoid` (same operations, same bits)."""
    a *= 0.5
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5
    return a


def _project_inputs(x, W_ih, bias, G, H):
    r"""Input projection of all steps in one product: (G, T*B, H) = x W_ihᵀ + bias."""
    T, B, D = x.shape
    W_t = np.ascontiguousarray(W_ih.reshape(G, H, D).transpose(0, 2, 1))  # (G, D, H)
    xw = np.matmul(x.reshape(T * B, D), W_t)  # (G, T*B, H)
    xw += bias.reshape(G, 1, H)
    return xw.reshape(G, T, B, H)  # (G, T, B, H)


def _stacked_transpose(W, G, H):
    r"""W (G*H, K) -> contiguous (G, K, H) blocks W_kᵀ, for one fused product per step."""
    return np.ascontiguousarray(W.reshape(G, H, -1).transpose(0, 2, 1))  # (G, K, H)


def _weight_grad(dA, inp):
    r"""Sum over steps and batch of dA_kᵀ inp, for all gates k in one call: (G*H, K)."""
    G, T, B, H = dA.shape
    K = inp.shape[-1]
    dW = np.matmul(dA.reshape(G, T * B, H).transpose(0, 2, 1), inp.reshape(T * B, K))  # (G,H,K)
    return dW.reshape(G * H, K)


def _back_through(dA_t, W_blocks):
    r"""Gradient reaching the layer input of a product: sum_k dA_k W_k, (B, K)."""
    return np.matmul(dA_t, W_blocks).sum(axis=0)  # (G, B, K) -> (B, K)


def _previous_states(h0, h):
    r"""The state each step started from: (T, B, H) = [h0, h_1, ..., h_{T-1}]."""
    hp = np.empty_like(h)
    hp[0] = h0
    hp[1:] = h[:-1]
    return hp


# ----------------------------------------------------------------------- SRN


def srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    r"""One step of a simple recurrent layer (``torch.nn.RNNCell``).

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
    cache : dict
        For :func:`srn_step_backward`: ``x``, ``h_prev``, ``h_next``, ``W_ih``,
        ``W_hh``, ``nonlinearity`` (arrays of this one step, no time axis).

    Notes
    -----
    .. math:: h_{next} = f(x W_{ih}^\top + b_{ih} + h_{prev} W_{hh}^\top + b_{hh})

    See chapter 2, The simple recurrent network.
    """
    _check_nonlinearity(nonlinearity)
    _check_layer(1, x, {"h_prev": h_prev}, W_ih, W_hh, b_ih, b_hh, seq=False)
    a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh  # (B, H) pre-activation
    h_next = np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0)  # (B, H)
    cache = {
        "x": x,
        "h_prev": h_prev,
        "h_next": h_next,
        "W_ih": W_ih,
        "W_hh": W_hh,
        "nonlinearity": nonlinearity,
    }
    return h_next, cache


def srn_step_backward(dh_next, cache):
    r"""Backward pass of :func:`srn_step_forward`.

    Parameters
    ----------
    dh_next : ndarray, shape (B, H)
        Gradient of the loss on ``h_next``.
    cache : dict
        From :func:`srn_step_forward`.

    Returns
    -------
    dx : ndarray, shape (B, D)
    dh_prev : ndarray, shape (B, H)
    dW_ih : ndarray, shape (H, D)
    dW_hh : ndarray, shape (H, H)
    db_ih, db_hh : ndarray, shape (H,)

    Notes
    -----
    With :math:`a` the pre-activation, :math:`\bar a = \bar h_{next} \odot f'(a)`
    where :math:`f' = 1 - h_{next}^2` for tanh and :math:`[h_{next} > 0]` for ReLU;
    then every product of the forward sends :math:`\bar a` back to its two
    factors. See chapter 3, Backpropagation through time.
    """
    _check_cache(cache, "srn_step_forward", SRN_STEP_CACHE)
    _check_nonlinearity(cache["nonlinearity"])
    x, h_prev, h_next = cache["x"], cache["h_prev"], cache["h_next"]
    W_ih, W_hh = cache["W_ih"], cache["W_hh"]
    _check_upstream(dh_next, "dh_next", h_next.shape, "(B, H)", h_next.dtype)
    if cache["nonlinearity"] == "tanh":
        da = dh_next * (1 - h_next * h_next)  # (B, H)  tanh'(a) = 1 - h^2
    else:
        da = dh_next * (h_next > 0)  # (B, H)  relu'(a) = [h > 0]
    dx = da @ W_ih  # (B, D)
    dh_prev = da @ W_hh  # (B, H)
    dW_ih = da.T @ x  # (H, D)
    dW_hh = da.T @ h_prev  # (H, H)
    db_ih = da.sum(axis=0)  # (H,)
    return dx, dh_prev, dW_ih, dW_hh, db_ih, db_ih.copy()


def srn_forward(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh", lengths=None):
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
        Weights in ``torch.nn.RNN`` layout (``weight_ih_l0`` etc.).
    nonlinearity : {"tanh", "relu"}
        The activation f.
    lengths : array of int, shape (B,), optional
        Length of each sequence of a padded batch, each in [1, T]. Sequence b
        stops updating its state after step ``lengths[b] - 1``: later steps
        repeat that state (pad with anything; mask those steps out of the loss),
        so the last row holds each sequence's own final state, as
        ``torch.nn`` returns for a ``PackedSequence``. None: all run T steps.

    Returns
    -------
    h : ndarray, shape (T, B, H)
        Hidden state after every step (``h[-1]`` is the final state).
    cache : dict
        What :func:`srn_backward` needs.

    Notes
    -----
    .. math:: h_t = f(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})

    The same weights are used at every step (weight sharing). See chapter 2,
    The simple recurrent network.

    Examples
    --------
    Equivalent to looping :func:`srn_step_forward` over time, only faster:

    >>> rng = np.random.default_rng(0)
    >>> T, B, D, H = 4, 2, 3, 5
    >>> x, h0 = rng.standard_normal((T, B, D)), rng.standard_normal((B, H))
    >>> w = dict(W_ih=rng.standard_normal((H, D)), W_hh=rng.standard_normal((H, H)) / 3,
    ...          b_ih=rng.standard_normal(H), b_hh=rng.standard_normal(H))
    >>> h_t, hs = h0, []
    >>> for t in range(T):
    ...     h_t, _ = srn_step_forward(x[t], h_t, **w)
    ...     hs.append(h_t)
    >>> h, cache = srn_forward(x, h0, **w)
    >>> bool(np.abs(h - np.stack(hs)).max() < 1e-12)
    True
    """
    _check_nonlinearity(nonlinearity)
    T, B, D, H = _check_layer(1, x, {"h0": h0}, W_ih, W_hh, b_ih, b_hh)
    ended = _check_lengths(lengths, T, B)
    xw = _project_inputs(x, W_ih, b_ih + b_hh, 1, H)[0]  # (T, B, H)
    W_hh_t = np.ascontiguousarray(W_hh.T)  # (H, H)
    h = xw  # written in place: step t overwrites its own input projection
    h_prev = h0
    for t in range(T):
        a = h[t]  # (B, H) pre-activation, accumulated in place
        a += h_prev @ W_hh_t
        if nonlinearity == "tanh":
            np.tanh(a, out=a)
        else:
            np.maximum(a, 0, out=a)
        if ended is not None and ended[t].size:
            a[ended[t]] = h_prev[ended[t]]  # finished sequences keep their state
        h_prev = a
    cache = {
        "x": x,
        "h0": h0,
        "W_ih": W_ih,
        "W_hh": W_hh,
        "h": h,
        "nonlinearity": nonlinearity,
        "ended": ended,
    }
    return h, cache


def srn_backward(dh, cache):
    r"""Backpropagation through time for :func:`srn_forward`.

    Parameters
    ----------
    dh : ndarray, shape (T, B, H)
        Upstream gradient on every hidden state (full BPTT: the loss may use
        each ``h_t``).
    cache : dict
        From :func:`srn_forward`.

    Returns
    -------
    dx : ndarray, shape (T, B, D)
    dh0 : ndarray, shape (B, H)
    dW_ih : ndarray, shape (H, D)
    dW_hh : ndarray, shape (H, H)
    db_ih, db_hh : ndarray, shape (H,)

    Notes
    -----
    Walking back from t = T, the gradient on h_t is the upstream ``dh[t]``
    plus what flows back from step t + 1:

    .. math::
        \delta_t = (dh_t + W_{hh}^\top \delta_{t+1}) \odot f'(a_t), \qquad
        \frac{\partial L}{\partial W_{hh}} = \sum_t \delta_t h_{t-1}^\top

    with f'(a) = 1 - h² for tanh and [h > 0] for ReLU. Gradients of shared
    weights are summed over the steps. See chapter 3, Backpropagation through time.

    Examples
    --------
    Equivalent to looping :func:`srn_step_backward` from the last step to the
    first, adding up the weight gradients, only faster:

    >>> rng = np.random.default_rng(0)
    >>> T, B, D, H = 4, 2, 3, 5
    >>> x, h0 = rng.standard_normal((T, B, D)), rng.standard_normal((B, H))
    >>> w = dict(W_ih=rng.standard_normal((H, D)), W_hh=rng.standard_normal((H, H)) / 3,
    ...          b_ih=rng.standard_normal(H), b_hh=rng.standard_normal(H))
    >>> h, cache = srn_forward(x, h0, **w)
    >>> dh = rng.standard_normal((T, B, H))
    >>> fast = srn_backward(dh, cache)
    >>> h_t, steps = h0, []
    >>> for t in range(T):
    ...     h_t, step_cache = srn_step_forward(x[t], h_t, **w)
    ...     steps.append(step_cache)
    >>> dx, dh_prev = np.zeros_like(x), np.zeros_like(h0)
    >>> dw = [np.zeros_like(v) for v in w.values()]  # dW_ih, dW_hh, db_ih, db_hh
    >>> for t in reversed(range(T)):
    ...     dx[t], dh_prev, *dw_t = srn_step_backward(dh[t] + dh_prev, steps[t])
    ...     dw = [a + b for a, b in zip(dw, dw_t)]
    >>> bool(max(np.abs(a - b).max() for a, b in zip(fast, [dx, dh_prev, *dw])) < 1e-12)
    True
    """
    _check_cache(cache, "srn_forward", _SRN_CACHE)
    _check_nonlinearity(cache["nonlinearity"])
    x, h0, W_ih, W_hh, h = cache["x"], cache["h0"], cache["W_ih"], cache["W_hh"], cache["h"]
    T, B, H = h.shape
    _check_upstream(dh, "dh", (T, B, H), "(T, B, H)", h.dtype)
    tanh = cache["nonlinearity"] == "tanh"
    da = np.empty_like(h)  # (T, B, H) gradient on the pre-activations
    dh_next = np.zeros_like(h0)  # (B, H) gradient arriving from step t + 1
    ended = cache.get("ended")
    for t in range(T - 1, -1, -1):
        d = da[t]
        np.add(dh[t], dh_next, out=d)
        idx = None if ended is None or not ended[t].size else ended[t]
        if idx is not None:
            held = d[idx]  # (n, H) a held state passes its gradient straight back
        if tanh:
            d *= 1 - h[t] * h[t]  # tanh' = 1 - h^2
        else:
            d *= h[t] > 0  # relu' = [h > 0]
        if idx is not None:
            d[idx] = 0
        dh_next = d @ W_hh  # (B, H)
        if idx is not None:
            dh_next[idx] = held
    D = x.shape[2]
    dx = (da.reshape(T * B, H) @ W_ih).reshape(T, B, D)  # (T, B, D)
    dW_ih = _weight_grad(da[None], x)  # (H, D)
    dW_hh = _weight_grad(da[None], _previous_states(h0, h))  # (H, H)
    db = da.sum(axis=(0, 1))  # (H,)
    return dx, dh_next, dW_ih, dW_hh, db, db.copy()


# ---------------------------------------------------------------------- LSTM


def lstm_step_forward(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    r"""One LSTM step (``torch.nn.LSTMCell``).

    Parameters
    ----------
    x : ndarray, shape (B, D)
    h_prev, c_prev : ndarray, shape (B, H)
    W_ih : ndarray, shape (4H, D)
    W_hh : ndarray, shape (4H, H)
    b_ih, b_hh : ndarray, shape (4H,)
        Gate blocks in the order i, f, g, o, as in torch.

    Returns
    -------
    h_next, c_next : ndarray, shape (B, H)
    cache : dict
        For :func:`lstm_step_backward`: ``x``, ``h_prev``, ``c_prev``, the gates
        ``i``, ``f``, ``g``, ``o`` (after their nonlinearity), ``tanh_c``
        (:math:`\tanh c_{next}`), ``W_ih``, ``W_hh``; every array (B, H) or a weight.

    Notes
    -----
    .. math::
        i &= \sigma(x W_{ii}^\top + b_{ii} + h_{prev} W_{hi}^\top + b_{hi}) \\
        f &= \sigma(x W_{if}^\top + b_{if} + h_{prev} W_{hf}^\top + b_{hf}) \\
        g &= \tanh(x W_{ig}^\top + b_{ig} + h_{prev} W_{hg}^\top + b_{hg}) \\
        o &= \sigma(x W_{io}^\top + b_{io} + h_{prev} W_{ho}^\top + b_{ho}) \\
        c_{next} &= f \odot c_{prev} + i \odot g \\
        h_{next} &= o \odot \tanh(c_{next})

    See chapter 5, LSTM and GRU.
    """
    _check_layer(4, x, {"h_prev": h_prev, "c_prev": c_prev}, W_ih, W_hh, b_ih, b_hh, seq=False)
    a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh  # (B, 4H) gate pre-activations
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)  # each (B, H)
    i = sigmoid(a_i)  # input gate: how much of g to write
    f = sigmoid(a_f)  # forget gate: how much of c_prev to keep
    g = np.tanh(a_g)  # candidate values
    o = sigmoid(a_o)  # output gate: how much of the cell to show
    c_next = f * c_prev + i * g  # (B, H)  c_t = f ⊙ c_{t-1} + i ⊙ g
    tanh_c = np.tanh(c_next)  # (B, H)
    h_next = o * tanh_c  # (B, H)  h_t = o ⊙ tanh(c_t)
    cache = {
        "x": x,
        "h_prev": h_prev,
        "c_prev": c_prev,
        "i": i,
        "f": f,
        "g": g,
        "o": o,
        "tanh_c": tanh_c,
        "W_ih": W_ih,
        "W_hh": W_hh,
    }
    return h_next, c_next, cache


def lstm_step_backward(dh_next, dc_next, cache):
    r"""Backward pass of :func:`lstm_step_forward`.

    Parameters
    ----------
    dh_next, dc_next : ndarray, shape (B, H)
        Gradients of the loss on ``h_next`` and ``c_next``.
    cache : dict
        From :func:`lstm_step_forward`.

    Returns
    -------
    dx : ndarray, shape (B, D)
    dh_prev, dc_prev : ndarray, shape (B, H)
    dW_ih : ndarray, shape (4H, D)
    dW_hh : ndarray, shape (4H, H)
    db_ih, db_hh : ndarray, shape (4H,)

    Notes
    -----
    The cell gets its own gradient plus what reaches it through
    :math:`h = o \odot \tanh c`; the forget gate carries it to the previous cell:

    .. math::
        \bar c &= \bar c_{next} + \bar h_{next} \odot o \odot (1 - \tanh^2 c_{next}) \\
        \bar c_{prev} &= \bar c \odot f

    The additive path :math:`\partial c_{next} / \partial c_{prev} = \mathrm{diag}(f)`
    is why the LSTM keeps gradients alive. See chapter 5, LSTM and GRU.
    """
    _check_cache(cache, "lstm_step_forward", LSTM_STEP_CACHE)
    x, h_prev, c_prev = cache["x"], cache["h_prev"], cache["c_prev"]
    i, f, g, o, tanh_c = cache["i"], cache["f"], cache["g"], cache["o"], cache["tanh_c"]
    W_ih, W_hh = cache["W_ih"], cache["W_hh"]
    _check_upstream(dh_next, "dh_next", i.shape, "(B, H)", i.dtype)
    _check_upstream(dc_next, "dc_next", i.shape, "(B, H)", i.dtype)
    do = dh_next * tanh_c  # h = o ⊙ tanh(c)
    dc = dc_next + dh_next * o * (1 - tanh_c * tanh_c)  # (B, H) total gradient on c_next
    di = dc * g  # c = f ⊙ c_prev + i ⊙ g
    df = dc * c_prev
    dg = dc * i
    dc_prev = dc * f  # the additive path
    da = np.concatenate(  # (B, 4H) through each gate's nonlinearity
        [di * i * (1 - i), df * f * (1 - f), dg * (1 - g * g), do * o * (1 - o)], axis=1
    )
    dx = da @ W_ih  # (B, D)
    dh_prev = da @ W_hh  # (B, H)
    dW_ih = da.T @ x  # (4H, D)
    dW_hh = da.T @ h_prev  # (4H, H)
    db_ih = da.sum(axis=0)  # (4H,)
    return dx, dh_prev, dc_prev, dW_ih, dW_hh, db_ih, db_ih.copy()


def lstm_forward(x, h0, c0, W_ih, W_hh, b_ih, b_hh, lengths=None):
    r"""Run an LSTM layer over a whole sequence (``torch.nn.LSTM`` equations).

    Parameters
    ----------
    x : ndarray, shape (T, B, D)
    h0, c0 : ndarray, shape (B, H)
        Initial hidden and cell state.
    W_ih : ndarray, shape (4H, D)
    W_hh : ndarray, shape (4H, H)
    b_ih, b_hh : ndarray, shape (4H,)
        Gate blocks in the order i, f, g, o, as in ``torch.nn.LSTM``.
    lengths : array of int, shape (B,), optional
        Length of each sequence of a padded batch, each in [1, T]. Sequence b
        stops updating its states after step ``lengths[b] - 1``: later steps
        repeat those states (pad with anything; mask those steps out of the loss),
        so the last row holds each sequence's own final state, as
        ``torch.nn`` returns for a ``PackedSequence``. None: all run T steps.

    Returns
    -------
    h : ndarray, shape (T, B, H)
        Hidden state after every step.
    c : ndarray, shape (T, B, H)
        Cell state after every step.
    cache : dict
        For :func:`lstm_backward`; ``cache["gates"]`` (T, 4, B, H) holds i, f,
        g, o of every step (``cache["gates"][:, 1]`` is the forget gate).

    Notes
    -----
    .. math::
        i_t &= \sigma(W_{ii} x_t + b_{ii} + W_{hi} h_{t-1} + b_{hi}) \\
        f_t &= \sigma(W_{if} x_t + b_{if} + W_{hf} h_{t-1} + b_{hf}) \\
        g_t &= \tanh(W_{ig} x_t + b_{ig} + W_{hg} h_{t-1} + b_{hg}) \\
        o_t &= \sigma(W_{io} x_t + b_{io} + W_{ho} h_{t-1} + b_{ho}) \\
        c_t &= f_t \odot c_{t-1} + i_t \odot g_t \\
        h_t &= o_t \odot \tanh(c_t)

    See chapter 5, LSTM and GRU.

    Examples
    --------
    Equivalent to looping :func:`lstm_step_forward` over time, only faster:

    >>> rng = np.random.default_rng(0)
    >>> T, B, D, H = 4, 2, 3, 5
    >>> x = rng.standard_normal((T, B, D))
    >>> h0, c0 = rng.standard_normal((B, H)), rng.standard_normal((B, H))
    >>> w = dict(W_ih=rng.standard_normal((4 * H, D)), W_hh=rng.standard_normal((4 * H, H)),
    ...          b_ih=rng.standard_normal(4 * H), b_hh=rng.standard_normal(4 * H))
    >>> (h_t, c_t), hs, cs = (h0, c0), [], []
    >>> for t in range(T):
    ...     h_t, c_t, _ = lstm_step_forward(x[t], h_t, c_t, **w)
    ...     hs.append(h_t)
    ...     cs.append(c_t)
    >>> h, c, cache = lstm_forward(x, h0, c0, **w)
    >>> bool(max(np.abs(h - np.stack(hs)).max(), np.abs(c - np.stack(cs)).max()) < 1e-12)
    True
    """
    T, B, D, H = _check_layer(4, x, {"h0": h0, "c0": c0}, W_ih, W_hh, b_ih, b_hh)
    ended = _check_lengths(lengths, T, B)
    gi = _project_inputs(x, W_ih, b_ih + b_hh, 4, H)  # (4, T, B, H) x W_ih^T + b_ih + b_hh
    W_hh_t = _stacked_transpose(W_hh, 4, H)  # (4, H, H)
    gates = np.empty((T, 4, B, H), dtype=x.dtype)  # i, f, g, o after their nonlinearity
    h = np.empty((T, B, H), dtype=x.dtype)
    c = np.empty((T, B, H), dtype=x.dtype)
    tanh_c = np.empty((T, B, H), dtype=x.dtype)  # tanh(c_t)
    h_prev, c_prev = h0, c0
    for t in range(T):
        a = gates[t]  # (4, B, H): every gate block contiguous
        np.matmul(h_prev, W_hh_t, out=a)  # one fused product for the four gates
        a += gi[:, t]
        _sigmoid_(a[0:2])  # i, f
        np.tanh(a[2], out=a[2])  # g
        _sigmoid_(a[3])  # o
        i, f, g, o = a
        c_t = c[t]
        np.multiply(f, c_prev, out=c_t)  # c_t = f * c_{t-1} + i * g
        c_t += i * g
        np.tanh(c_t, out=tanh_c[t])
        np.multiply(o, tanh_c[t], out=h[t])  # h_t = o * tanh(c_t)
        if ended is not None and ended[t].size:  # finished sequences keep their states
            h[t][ended[t]] = h_prev[ended[t]]
            c_t[ended[t]] = c_prev[ended[t]]
        h_prev, c_prev = h[t], c_t
    cache = {
        "x": x,
        "h0": h0,
        "c0": c0,
        "W_ih": W_ih,
        "W_hh": W_hh,
        "gates": gates,
        "h": h,
        "c": c,
        "tanh_c": tanh_c,
        "ended": ended,
    }
    return h, c, cache


def lstm_backward(dh, cache, dc_last=None):
    r"""Backpropagation through time for :func:`lstm_forward`.

    Parameters
    ----------
    dh : ndarray, shape (T, B, H)
        Upstream gradient on every hidden state.
    cache : dict
        From :func:`lstm_forward`.
    dc_last : ndarray, shape (B, H), optional
        Upstream gradient on the final cell state ``c[-1]`` (e.g. when the
        final state feeds another layer); zero when omitted.

    Returns
    -------
    dx : ndarray, shape (T, B, D)
    dh0, dc0 : ndarray, shape (B, H)
    dW_ih : ndarray, shape (4H, D)
    dW_hh : ndarray, shape (4H, H)
    db_ih, db_hh : ndarray, shape (4H,)

    Notes
    -----
    With :math:`\bar h_t` the total gradient on h_t and :math:`\bar c_t` on c_t:

    .. math::
        \bar c_t &\mathrel{+}= \bar h_t \odot o_t \odot (1 - \tanh^2 c_t) \\
        \bar c_{t-1} &= \bar c_t \odot f_t

    The additive path :math:`\partial c_t / \partial c_{t-1} = \mathrm{diag}(f_t)`
    is why the LSTM keeps gradients alive. See chapter 5, LSTM and GRU.

    Examples
    --------
    Equivalent to looping :func:`lstm_step_backward` from the last step to the
    first, adding up the weight gradients, only faster:

    >>> rng = np.random.default_rng(0)
    >>> T, B, D, H = 4, 2, 3, 5
    >>> x = rng.standard_normal((T, B, D))
    >>> h0, c0 = rng.standard_normal((B, H)), rng.standard_normal((B, H))
    >>> w = dict(W_ih=rng.standard_normal((4 * H, D)), W_hh=rng.standard_normal((4 * H, H)),
    ...          b_ih=rng.standard_normal(4 * H), b_hh=rng.standard_normal(4 * H))
    >>> h, c, cache = lstm_forward(x, h0, c0, **w)
    >>> dh, dc_last = rng.standard_normal((T, B, H)), rng.standard_normal((B, H))
    >>> fast = lstm_backward(dh, cache, dc_last)
    >>> (h_t, c_t), steps = (h0, c0), []
    >>> for t in range(T):
    ...     h_t, c_t, step_cache = lstm_step_forward(x[t], h_t, c_t, **w)
    ...     steps.append(step_cache)
    >>> dx, dh_prev, dc_prev = np.zeros_like(x), np.zeros_like(h0), dc_last
    >>> dw = [np.zeros_like(v) for v in w.values()]  # dW_ih, dW_hh, db_ih, db_hh
    >>> for t in reversed(range(T)):
    ...     dx[t], dh_prev, dc_prev, *dw_t = lstm_step_backward(
    ...         dh[t] + dh_prev, dc_prev, steps[t])
    ...     dw = [a + b for a, b in zip(dw, dw_t)]
    >>> loop = [dx, dh_prev, dc_prev, *dw]
    >>> bool(max(np.abs(a - b).max() for a, b in zip(fast, loop)) < 1e-12)
    True
    """
    _check_cache(cache, "lstm_forward", _LSTM_CACHE)
    x, h0, c0 = cache["x"], cache["h0"], cache["c0"]
    gates, h, c, tanh_c = cache["gates"], cache["h"], cache["c"], cache["tanh_c"]
    T, _, B, H = gates.shape
    _check_upstream(dh, "dh", (T, B, H), "(T, B, H)", h.dtype)
    if dc_last is not None:
        _check_upstream(dc_last, "dc_last", (B, H), "(B, H)", h.dtype)
    W_hh, W_ih = cache["W_hh"], cache["W_ih"]  # (4H, H), (4H, D)
    # gradient on the gate pre-activations, blocks i, f, g, o side by side as in W_ih's
    # rows, so that each step needs one product with W_hh and the end one with W_ih
    da = np.empty((T, B, 4 * H), dtype=h.dtype)  # (T, B, 4H)
    dh_next = np.zeros_like(h0)
    dc = np.zeros_like(c0) if dc_last is None else dc_last.copy()  # (B, H)
    ended = cache.get("ended")
    for t in range(T - 1, -1, -1):
        i, f, g, o = gates[t]
        c_prev = c[t - 1] if t > 0 else c0
        d_i, d_f, d_g, d_o = (da[t, :, k * H : (k + 1) * H] for k in range(4))  # (B, H) views
        dh_t = dh[t] + dh_next  # (B, H)
        idx = None if ended is None or not ended[t].size else ended[t]
        if idx is not None:  # held states pass their gradients straight back
            held_h, held_c = dh_t[idx], dc[idx]
        # o: dL/do = dh * tanh(c); through the sigmoid: * o (1 - o)
        np.multiply(dh_t, tanh_c[t], out=d_o)
        d_o *= o * (1 - o)
        # c: dc += dh * o * (1 - tanh(c)^2)
        dh_t *= o
        dh_t *= 1 - tanh_c[t] * tanh_c[t]
        dc += dh_t
        np.multiply(dc, g, out=d_i)  # i: dc * g * i (1 - i)
        d_i *= i * (1 - i)
        np.multiply(dc, c_prev, out=d_f)  # f: dc * c_prev * f (1 - f)
        d_f *= f * (1 - f)
        np.multiply(dc, i, out=d_g)  # g: dc * i * (1 - g^2)
        d_g *= 1 - g * g
        if idx is not None:
            da[t, idx] = 0
        dc *= f  # additive path: dc_{t-1} = dc_t * f_t
        dh_next = da[t] @ W_hh  # (B, H): one product for the four gates
        if idx is not None:
            dh_next[idx], dc[idx] = held_h, held_c
    D = x.shape[2]
    da2 = da.reshape(T * B, 4 * H)
    dx = (da2 @ W_ih).reshape(T, B, D)  # (T, B, D)
    dW_ih = da2.T @ x.reshape(T * B, D)  # (4H, D)
    dW_hh = da2.T @ _previous_states(h0, h).reshape(T * B, H)  # (4H, H)
    db = da2.sum(axis=0)  # (4H,)
    return dx, dh_next, dc, dW_ih, dW_hh, db, db.copy()


# ----------------------------------------------------------------------- GRU


def gru_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    r"""One GRU step (``torch.nn.GRUCell``).

    Parameters
    ----------
    x : ndarray, shape (B, D)
    h_prev : ndarray, shape (B, H)
    W_ih : ndarray, shape (3H, D)
    W_hh : ndarray, shape (3H, H)
    b_ih, b_hh : ndarray, shape (3H,)
        Gate blocks in the order r, z, n, as in torch.

    Returns
    -------
    h_next : ndarray, shape (B, H)
    cache : dict
        For :func:`gru_step_backward`: ``x``, ``h_prev``, the gates ``r``, ``z``
        and the candidate ``n``, ``gh_n`` (:math:`h_{prev} W_{hn}^\top + b_{hn}`),
        ``W_ih``, ``W_hh``; every array (B, H) or a weight.

    Notes
    -----
    .. math::
        r &= \sigma(x W_{ir}^\top + b_{ir} + h_{prev} W_{hr}^\top + b_{hr}) \\
        z &= \sigma(x W_{iz}^\top + b_{iz} + h_{prev} W_{hz}^\top + b_{hz}) \\
        n &= \tanh(x W_{in}^\top + b_{in} + r \odot (h_{prev} W_{hn}^\top + b_{hn})) \\
        h_{next} &= (1 - z) \odot n + z \odot h_{prev}

    The reset gate multiplies ``W_hn h + b_hn`` (bias included), exactly as in
    torch; z close to 1 keeps the old state. See chapter 5, LSTM and GRU.
    """
    _check_layer(3, x, {"h_prev": h_prev}, W_ih, W_hh, b_ih, b_hh, seq=False)
    gi_r, gi_z, gi_n = np.split(x @ W_ih.T + b_ih, 3, axis=1)  # each (B, H): input side
    gh_r, gh_z, gh_n = np.split(h_prev @ W_hh.T + b_hh, 3, axis=1)  # recurrent side
    r = sigmoid(gi_r + gh_r)  # reset gate
    z = sigmoid(gi_z + gh_z)  # update gate
    n = np.tanh(gi_n + r * gh_n)  # candidate: r chooses how much of h_prev to read
    h_next = (1 - z) * n + z * h_prev  # (B, H)
    cache = {
        "x": x,
        "h_prev": h_prev,
        "r": r,
        "z": z,
        "n": n,
        "gh_n": gh_n,
        "W_ih": W_ih,
        "W_hh": W_hh,
    }
    return h_next, cache


def gru_step_backward(dh_next, cache):
    r"""Backward pass of :func:`gru_step_forward`.

    Parameters
    ----------
    dh_next : ndarray, shape (B, H)
    cache : dict
        From :func:`gru_step_forward`.

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
        \bar n = \bar h_{next} \odot (1 - z),\quad
        \bar z = \bar h_{next} \odot (h_{prev} - n),\quad
        \bar h_{prev} = \bar h_{next} \odot z + \ldots

    The n block differs between the two weight matrices: its input side gets
    :math:`\bar a_n`, its recurrent side :math:`\bar a_n \odot r`.
    See chapter 5, LSTM and GRU.
    """
    _check_cache(cache, "gru_step_forward", GRU_STEP_CACHE)
    x, h_prev, W_ih, W_hh = cache["x"], cache["h_prev"], cache["W_ih"], cache["W_hh"]
    r, z, n, gh_n = cache["r"], cache["z"], cache["n"], cache["gh_n"]
    _check_upstream(dh_next, "dh_next", r.shape, "(B, H)", r.dtype)
    dn = dh_next * (1 - z)  # h_next = (1 - z) n + z h_prev
    dz = dh_next * (h_prev - n)
    da_n = dn * (1 - n * n)  # n = tanh(a_n), a_n = gi_n + r gh_n
    dr = da_n * gh_n
    da_r = dr * r * (1 - r)  # through the sigmoids
    da_z = dz * z * (1 - z)
    dgi = np.concatenate([da_r, da_z, da_n], axis=1)  # (B, 3H) on x W_ih^T + b_ih
    dgh = np.concatenate([da_r, da_z, da_n * r], axis=1)  # (B, 3H) on h W_hh^T + b_hh
    dx = dgi @ W_ih  # (B, D)
    dh_prev = dh_next * z + dgh @ W_hh  # (B, H): the direct path plus the gates'
    dW_ih = dgi.T @ x  # (3H, D)
    dW_hh = dgh.T @ h_prev  # (3H, H)
    return dx, dh_prev, dW_ih, dW_hh, dgi.sum(axis=0), dgh.sum(axis=0)


def gru_forward(x, h0, W_ih, W_hh, b_ih, b_hh, lengths=None):
    r"""Run a GRU layer over a whole sequence (``torch.nn.GRU`` equations).

    Parameters
    ----------
    x : ndarray, shape (T, B, D)
    h0 : ndarray, shape (B, H)
    W_ih : ndarray, shape (3H, D)
    W_hh : ndarray, shape (3H, H)
    b_ih, b_hh : ndarray, shape (3H,)
        Gate blocks in the order r, z, n, as in ``torch.nn.GRU``.
    lengths : array of int, shape (B,), optional
        Length of each sequence of a padded batch, each in [1, T]. Sequence b
        stops updating its state after step ``lengths[b] - 1``: later steps
        repeat that state (pad with anything; mask those steps out of the loss),
        so the last row holds each sequence's own final state, as
        ``torch.nn`` returns for a ``PackedSequence``. None: all run T steps.

    Returns
    -------
    h : ndarray, shape (T, B, H)
    cache : dict
        For :func:`gru_backward`; ``cache["gates"]`` (T, 3, B, H) holds r, z, n
        of every step.

    Notes
    -----
    .. math::
        r_t &= \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr}) \\
        z_t &= \sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz}) \\
        n_t &= \tanh(W_{in} x_t + b_{in} + r_t \odot (W_{hn} h_{t-1} + b_{hn})) \\
        h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1}

    The reset gate multiplies ``W_hn h + b_hn`` (bias included), exactly as in
    torch; z close to 1 keeps the old state. See chapter 5, LSTM and GRU.

    Examples
    --------
    Equivalent to looping :func:`gru_step_forward` over time, only faster:

    >>> rng = np.random.default_rng(0)
    >>> T, B, D, H = 4, 2, 3, 5
    >>> x, h0 = rng.standard_normal((T, B, D)), rng.standard_normal((B, H))
    >>> w = dict(W_ih=rng.standard_normal((3 * H, D)), W_hh=rng.standard_normal((3 * H, H)),
    ...          b_ih=rng.standard_normal(3 * H), b_hh=rng.standard_normal(3 * H))
    >>> h_t, hs = h0, []
    >>> for t in range(T):
    ...     h_t, _ = gru_step_forward(x[t], h_t, **w)
    ...     hs.append(h_t)
    >>> h, cache = gru_forward(x, h0, **w)
    >>> bool(np.abs(h - np.stack(hs)).max() < 1e-12)
    True
    """
    T, B, D, H = _check_layer(3, x, {"h0": h0}, W_ih, W_hh, b_ih, b_hh)
    ended = _check_lengths(lengths, T, B)
    gi = _project_inputs(x, W_ih, b_ih, 3, H)  # (3, T, B, H) x W_ih^T + b_ih
    gi[:2] += b_hh[: 2 * H].reshape(2, 1, 1, H)  # r and z take both biases up front
    b_hn = b_hh[2 * H :]  # (H,) stays inside r * (W_hn h + b_hn)
    W_hh_t = _stacked_transpose(W_hh, 3, H)  # (3, H, H)
    gates = np.empty((T, 3, B, H), dtype=x.dtype)  # r, z, n
    gh_n = np.empty((T, B, H), dtype=x.dtype)  # W_hn h_{t-1} + b_hn
    h = np.empty((T, B, H), dtype=x.dtype)
    gh = np.empty((3, B, H), dtype=x.dtype)  # recurrent products of one step
    h_prev = h0
    for t in range(T):
        a = gates[t]
        np.matmul(h_prev, W_hh_t, out=gh)  # one fused product for r, z, n
        np.add(gh[0:2], gi[0:2, t], out=a[0:2])
        _sigmoid_(a[0:2])  # r, z
        r, z, n = a
        np.add(gh[2], b_hn, out=gh_n[t])
        np.multiply(r, gh_n[t], out=n)
        n += gi[2, t]
        np.tanh(n, out=n)  # n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
        h_t = h[t]
        np.subtract(h_prev, n, out=h_t)  # h = n + z * (h_prev - n)
        h_t *= z
        h_t += n
        if ended is not None and ended[t].size:
            h_t[ended[t]] = h_prev[ended[t]]  # finished sequences keep their state
        h_prev = h_t
    cache = {
        "x": x,
        "h0": h0,
        "W_ih": W_ih,
        "W_hh": W_hh,
        "gates": gates,
        "gh_n": gh_n,
        "h": h,
        "ended": ended,
    }
    return h, cache


def gru_backward(dh, cache):
    r"""Backpropagation through time for :func:`gru_forward`.

    Parameters
    ----------
    dh : ndarray, shape (T, B, H)
        Upstream gradient on every hidden state.
    cache : dict
        From :func:`gru_forward`.

    Returns
    -------
    dx : ndarray, shape (T, B, D)
    dh0 : ndarray, shape (B, H)
    dW_ih : ndarray, shape (3H, D)
    dW_hh : ndarray, shape (3H, H)
    db_ih, db_hh : ndarray, shape (3H,)

    Notes
    -----
    With :math:`\bar h` the total gradient on h_t:

    .. math::
        \bar n = \bar h (1 - z),\quad \bar z = \bar h (h_{t-1} - n),\quad
        \bar h_{t-1} \mathrel{+}= \bar h z

    The n block differs between the two weight matrices: its input side gets
    :math:`\bar a_n`, its recurrent side :math:`\bar a_n \odot r`.
    See chapter 5, LSTM and GRU.

    Examples
    --------
    Equivalent to looping :func:`gru_step_backward` from the last step to the
    first, adding up the weight gradients, only faster:

    >>> rng = np.random.default_rng(0)
    >>> T, B, D, H = 4, 2, 3, 5
    >>> x, h0 = rng.standard_normal((T, B, D)), rng.standard_normal((B, H))
    >>> w = dict(W_ih=rng.standard_normal((3 * H, D)), W_hh=rng.standard_normal((3 * H, H)),
    ...          b_ih=rng.standard_normal(3 * H), b_hh=rng.standard_normal(3 * H))
    >>> h, cache = gru_forward(x, h0, **w)
    >>> dh = rng.standard_normal((T, B, H))
    >>> fast = gru_backward(dh, cache)
    >>> h_t, steps = h0, []
    >>> for t in range(T):
    ...     h_t, step_cache = gru_step_forward(x[t], h_t, **w)
    ...     steps.append(step_cache)
    >>> dx, dh_prev = np.zeros_like(x), np.zeros_like(h0)
    >>> dw = [np.zeros_like(v) for v in w.values()]  # dW_ih, dW_hh, db_ih, db_hh
    >>> for t in reversed(range(T)):
    ...     dx[t], dh_prev, *dw_t = gru_step_backward(dh[t] + dh_prev, steps[t])
    ...     dw = [a + b for a, b in zip(dw, dw_t)]
    >>> bool(max(np.abs(a - b).max() for a, b in zip(fast, [dx, dh_prev, *dw])) < 1e-12)
    True
    """
    _check_cache(cache, "gru_forward", _GRU_CACHE)
    x, h0, W_ih, W_hh = cache["x"], cache["h0"], cache["W_ih"], cache["W_hh"]
    gates, gh_n, h = cache["gates"], cache["gh_n"], cache["h"]
    T, _, B, H = gates.shape
    _check_upstream(dh, "dh", (T, B, H), "(T, B, H)", h.dtype)
    W_hh_blocks = W_hh.reshape(3, H, H)
    dgh = np.empty((3, T, B, H), dtype=h.dtype)  # gradient on W_hh h + b_hh, per gate
    dgi_n = np.empty((T, B, H), dtype=h.dtype)  # gradient on W_in x + b_in
    dh_next = np.zeros_like(h0)
    ended = cache.get("ended")
    for t in range(T - 1, -1, -1):
        r, z, n = gates[t]
        h_prev = h[t - 1] if t > 0 else h0
        d_r, d_z, d_n = dgh[:, t]
        dh_t = dh[t] + dh_next  # (B, H)
        idx = None if ended is None or not ended[t].size else ended[t]
        if idx is not None:
            held = dh_t[idx]  # a held state passes its gradient straight back
        # z: dh * (h_prev - n) * z (1 - z)
        np.subtract(h_prev, n, out=d_z)
        d_z *= dh_t
        d_z *= z * (1 - z)
        # n: dh * (1 - z) * (1 - n^2) -> input side of n
        da_n = dgi_n[t]
        np.multiply(dh_t, 1 - z, out=da_n)
        da_n *= 1 - n * n
        np.multiply(da_n, r, out=d_n)  # recurrent side of n: * r
        np.multiply(da_n, gh_n[t], out=d_r)  # r: da_n * (W_hn h + b_hn) * r (1 - r)
        d_r *= r * (1 - r)
        if idx is not None:
            dgh[:, t, idx] = 0
            da_n[idx] = 0
        dh_t *= z  # direct path h_prev -> h
        dh_next = dh_t + _back_through(dgh[:, t], W_hh_blocks)  # (B, H)
        if idx is not None:
            dh_next[idx] = held
    D = x.shape[2]
    W_i = W_ih.reshape(3, H, D)
    dx = _back_through(dgh[:2].reshape(2, T * B, H), W_i[:2])  # r, z
    dx += dgi_n.reshape(T * B, H) @ W_i[2]  # n
    dx = dx.reshape(T, B, D)
    dW_ih = np.concatenate([_weight_grad(dgh[:2], x), _weight_grad(dgi_n[None], x)])  # (3H, D)
    dW_hh = _weight_grad(dgh, _previous_states(h0, h))  # (3H, H)
    db_hh = dgh.sum(axis=(1, 2)).reshape(3 * H)  # (3H,)
    db_ih = db_hh.copy()
    db_ih[2 * H :] = dgi_n.sum(axis=(0, 1))
    return dx, dh_next, dW_ih, dW_hh, db_ih, db_hh
