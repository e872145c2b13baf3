"""Simple (Elman), LSTM and GRU recurrent layers in NumPy, forward and backward through time.

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
states ``(T, B, H)``. float32 and float64 both work; outputs take the dtype of
the inputs (all arrays must share one floating dtype, as in torch).

How it is fast, in plain NumPy: the input projection of all T steps is one
matrix product before the loop; each step does one fused product for all the
gates, laid out as ``(G, B, H)`` so that every gate's block is contiguous for
the elementwise work; the weight gradients are large products after the
backward loop. The only Python loop is over time.

The cache keeps references to the inputs and to the returned states: do not
modify them in place before calling the backward function.

The step functions are the sequence functions with T = 1, so there is one
source of truth for the equations. See chapter 2 (the simple recurrent
network), chapter 3 (backpropagation through time) and chapter 5 (LSTM and GRU).
"""

import numpy as np

__all__ = [
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


# ----------------------------------------------------------------- validation


def _check_array(a, name, ndim, shape_text):
    r"""Check that ``a`` is a floating ndarray of rank ``ndim``; return it."""
    if not isinstance(a, np.ndarray):
        raise TypeError(
            f"{name}: expected a numpy array of shape {shape_text}, got {type(a).__name__}"
        )
    if not np.issubdtype(a.dtype, np.floating):
        raise TypeError(
            f"{name}: expected a floating-point array (float32 or float64), got dtype {a.dtype}"
        )
    if a.ndim != ndim:
        raise ValueError(
            f"{name}: expected a {ndim}-D array of shape {shape_text}, got shape {a.shape}"
        )
    return a


def _check_shape(a, name, expected, shape_text):
    if a.shape != expected:
        raise ValueError(f"{name}: expected shape {shape_text} = {expected}, got {a.shape}")


def _check_dtypes(ref_name, ref, **arrays):
    for name, a in arrays.items():
        if a.dtype != ref.dtype:
            raise TypeError(
                f"{name}: dtype {a.dtype} does not match {ref_name} dtype {ref.dtype}; "
                "use one floating dtype for all inputs and weights"
            )


def _check_layer(gates, x, states, W_ih, W_hh, b_ih, b_hh, seq=True):
    r"""Validate the inputs of a recurrent layer with ``gates`` gate blocks.

    Returns ``(T, B, D, H)`` (T is 1 for a single step).
    """
    g = "" if gates == 1 else f"{gates}"
    x_text = "(T, B, D)" if seq else "(B, D)"
    _check_array(x, "x", 3 if seq else 2, x_text)
    names = list(states)
    first = names[0]
    _check_array(states[first], first, 2, "(B, H)")
    B, H = states[first].shape
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
        _check_array(states[name], name, 2, "(B, H)")
        _check_shape(states[name], name, (B, H), "(B, H)")
    _check_array(W_ih, "W_ih", 2, f"({g}H, D)")
    _check_shape(W_ih, "W_ih", (gates * H, D), f"({g}H, D)")
    _check_array(W_hh, "W_hh", 2, f"({g}H, H)")
    _check_shape(W_hh, "W_hh", (gates * H, H), f"({g}H, H)")
    _check_array(b_ih, "b_ih", 1, f"({g}H,)")
    _check_shape(b_ih, "b_ih", (gates * H,), f"({g}H,)")
    _check_array(b_hh, "b_hh", 1, f"({g}H,)")
    _check_shape(b_hh, "b_hh", (gates * H,), f"({g}H,)")
    _check_dtypes("x", x, **states, W_ih=W_ih, W_hh=W_hh, b_ih=b_ih, b_hh=b_hh)
    return T, B, D, H


def _check_upstream(d, name, shape, shape_text, dtype):
    _check_array(d, name, len(shape), shape_text)
    _check_shape(d, name, shape, shape_text)
    if d.dtype != dtype:
        raise TypeError(f"{name}: dtype {d.dtype} does not match the forward dtype {dtype}")


def _check_cache(cache, kind):
    if not isinstance(cache, dict) or cache.get("kind") != kind:
        got = cache.get("kind") if isinstance(cache, dict) else type(cache).__name__
        raise TypeError(f"cache: expected the cache returned by {kind}_forward, got {got!r}")


# ------------------------------------------------------------------- helpers


def _sigmoid_(a):
    r"""In-place logistic sigmoid, written with tanh so it never overflows."""
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
        Weights in ``torch.nn.RNN`` layout (``weight_ih_l0`` etc.).
    nonlinearity : {"tanh", "relu"}
        The activation f.

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
    """
    if nonlinearity not in NONLINEARITIES:
        raise ValueError(f"nonlinearity: expected 'tanh' or 'relu', got {nonlinearity!r}")
    T, B, D, H = _check_layer(1, x, {"h0": h0}, W_ih, W_hh, b_ih, b_hh)
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
        h_prev = a
    cache = {
        "kind": "srn",
        "x": x,
        "h0": h0,
        "W_ih": W_ih,
        "W_hh": W_hh,
        "h": h,
        "nonlinearity": nonlinearity,
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
    """
    _check_cache(cache, "srn")
    x, h0, W_ih, W_hh, h = cache["x"], cache["h0"], cache["W_ih"], cache["W_hh"], cache["h"]
    T, B, H = h.shape
    _check_upstream(dh, "dh", (T, B, H), "(T, B, H)", h.dtype)
    tanh = cache["nonlinearity"] == "tanh"
    da = np.empty_like(h)  # (T, B, H) gradient on the pre-activations
    dh_next = np.zeros_like(h0)  # (B, H) gradient arriving from step t + 1
    for t in range(T - 1, -1, -1):
        d = da[t]
        np.add(dh[t], dh_next, out=d)
        if tanh:
            d *= 1 - h[t] * h[t]  # tanh' = 1 - h^2
        else:
            d *= h[t] > 0  # relu' = [h > 0]
        dh_next = d @ W_hh  # (B, H)
    D = x.shape[2]
    dx = (da.reshape(T * B, H) @ W_ih).reshape(T, B, D)  # (T, B, D)
    dW_ih = _weight_grad(da[None], x)  # (H, D)
    dW_hh = _weight_grad(da[None], _previous_states(h0, h))  # (H, H)
    db = da.sum(axis=(0, 1))  # (H,)
    return dx, dh_next, dW_ih, dW_hh, db, db.copy()


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
    cache : dict
        For :func:`srn_step_backward`.

    Notes
    -----
    .. math:: h_{next} = f(x W_{ih}^\top + b_{ih} + h_{prev} W_{hh}^\top + b_{hh})

    See chapter 2, The simple recurrent network.
    """
    _check_array(x, "x", 2, "(B, D)")
    _check_layer(1, x, {"h_prev": h_prev}, W_ih, W_hh, b_ih, b_hh, seq=False)
    h, cache = srn_forward(x[None], h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity)
    return h[0], cache


def srn_step_backward(dh_next, cache):
    r"""Backward pass of :func:`srn_step_forward`.

    Parameters
    ----------
    dh_next : ndarray, shape (B, H)
    cache : dict

    Returns
    -------
    dx : ndarray, shape (B, D)
    dh_prev : ndarray, shape (B, H)
    dW_ih, dW_hh, db_ih, db_hh : ndarray
        Shapes of the weights.

    Notes
    -----
    See chapter 3, Backpropagation through time.
    """
    _check_cache(cache, "srn")
    _check_upstream(dh_next, "dh_next", cache["h0"].shape, "(B, H)", cache["h"].dtype)
    dx, dh_prev, *dweights = srn_backward(dh_next[None], cache)
    return (dx[0], dh_prev, *dweights)


# ---------------------------------------------------------------------- LSTM


def lstm_forward(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
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

    Returns
    -------
    h : ndarray, shape (T, B, H)
        Hidden state after every step.
    c : ndarray, shape (T, B, H)
        Cell state after every step.
    cache : dict
        For :func:`lstm_backward`.

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
    """
    T, B, D, H = _check_layer(4, x, {"h0": h0, "c0": c0}, W_ih, W_hh, b_ih, b_hh)
    gates = _project_inputs(x, W_ih, b_ih + b_hh, 4, H)  # (4, T, B, H), overwritten by gates
    W_hh_t = _stacked_transpose(W_hh, 4, H)  # (4, H, H)
    acts = np.empty((T, 4, B, H), dtype=x.dtype)  # i, f, g, o after their nonlinearity
    h = np.empty((T, B, H), dtype=x.dtype)
    c = np.empty((T, B, H), dtype=x.dtype)
    tc = np.empty((T, B, H), dtype=x.dtype)  # tanh(c_t)
    h_prev, c_prev = h0, c0
    for t in range(T):
        a = acts[t]  # (4, B, H): every gate block contiguous
        np.matmul(h_prev, W_hh_t, out=a)  # one fused product for the four gates
        a += gates[:, t]
        _sigmoid_(a[0:2])  # i, f
        np.tanh(a[2], out=a[2])  # g
        _sigmoid_(a[3])  # o
        i, f, g, o = a
        ct = c[t]
        np.multiply(f, c_prev, out=ct)  # c_t = f * c_{t-1} + i * g
        ct += i * g
        np.tanh(ct, out=tc[t])
        np.multiply(o, tc[t], out=h[t])  # h_t = o * tanh(c_t)
        h_prev, c_prev = h[t], ct
    cache = {
        "kind": "lstm",
        "x": x,
        "h0": h0,
        "c0": c0,
        "W_ih": W_ih,
        "W_hh": W_hh,
        "acts": acts,
        "h": h,
        "c": c,
        "tc": tc,
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
    """
    _check_cache(cache, "lstm")
    x, h0, c0 = cache["x"], cache["h0"], cache["c0"]
    acts, h, c, tc = cache["acts"], cache["h"], cache["c"], cache["tc"]
    T, _, B, H = acts.shape
    _check_upstream(dh, "dh", (T, B, H), "(T, B, H)", h.dtype)
    if dc_last is not None:
        _check_upstream(dc_last, "dc_last", (B, H), "(B, H)", h.dtype)
    W_hh_blocks = cache["W_hh"].reshape(4, H, H)  # (4, H, H)
    dA = np.empty((4, T, B, H), dtype=h.dtype)  # gradient on the gate pre-activations
    dh_next = np.zeros_like(h0)
    dc = np.zeros_like(c0) if dc_last is None else dc_last.copy()  # (B, H)
    for t in range(T - 1, -1, -1):
        i, f, g, o = acts[t]
        c_prev = c[t - 1] if t > 0 else c0
        d_i, d_f, d_g, d_o = dA[:, t]
        dht = dh[t] + dh_next  # (B, H)
        # o: dL/do = dh * tanh(c); through the sigmoid: * o (1 - o)
        np.multiply(dht, tc[t], out=d_o)
        d_o *= o * (1 - o)
        # c: dc += dh * o * (1 - tanh(c)^2)
        dht *= o
        dht *= 1 - tc[t] * tc[t]
        dc += dht
        np.multiply(dc, g, out=d_i)  # i: dc * g * i (1 - i)
        d_i *= i * (1 - i)
        np.multiply(dc, c_prev, out=d_f)  # f: dc * c_prev * f (1 - f)
        d_f *= f * (1 - f)
        np.multiply(dc, i, out=d_g)  # g: dc * i * (1 - g^2)
        d_g *= 1 - g * g
        dc *= f  # additive path: dc_{t-1} = dc_t * f_t
        dh_next = _back_through(dA[:, t], W_hh_blocks)  # (B, H)
    W_ih = cache["W_ih"]
    D = x.shape[2]
    dx = _back_through(dA.reshape(4, T * B, H), W_ih.reshape(4, H, D)).reshape(T, B, D)
    dW_ih = _weight_grad(dA, x)  # (4H, D)
    dW_hh = _weight_grad(dA, _previous_states(h0, h))  # (4H, H)
    db = dA.sum(axis=(1, 2)).reshape(4 * H)  # (4H,)
    return dx, dh_next, dc, dW_ih, dW_hh, db, db.copy()


def lstm_step_forward(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    r"""One LSTM step (``torch.nn.LSTMCell``).

    Parameters
    ----------
    x : ndarray, shape (B, D)
    h_prev, c_prev : ndarray, shape (B, H)
    W_ih : ndarray, shape (4H, D)
    W_hh : ndarray, shape (4H, H)
    b_ih, b_hh : ndarray, shape (4H,)
        Gate order i, f, g, o.

    Returns
    -------
    h_next, c_next : ndarray, shape (B, H)
    cache : dict
        For :func:`lstm_step_backward`.

    Notes
    -----
    The equations of :func:`lstm_forward` for one step. See chapter 5, LSTM and GRU.
    """
    _check_array(x, "x", 2, "(B, D)")
    _check_layer(4, x, {"h_prev": h_prev, "c_prev": c_prev}, W_ih, W_hh, b_ih, b_hh, seq=False)
    h, c, cache = lstm_forward(x[None], h_prev, c_prev, W_ih, W_hh, b_ih, b_hh)
    return h[0], c[0], cache


def lstm_step_backward(dh_next, dc_next, cache):
    r"""Backward pass of :func:`lstm_step_forward`.

    Parameters
    ----------
    dh_next, dc_next : ndarray, shape (B, H)
    cache : dict

    Returns
    -------
    dx : ndarray, shape (B, D)
    dh_prev, dc_prev : ndarray, shape (B, H)
    dW_ih, dW_hh, db_ih, db_hh : ndarray
        Shapes of the weights.

    Notes
    -----
    See chapter 5, LSTM and GRU.
    """
    _check_cache(cache, "lstm")
    shape, dtype = cache["h0"].shape, cache["h"].dtype
    _check_upstream(dh_next, "dh_next", shape, "(B, H)", dtype)
    _check_upstream(dc_next, "dc_next", shape, "(B, H)", dtype)
    dx, dh_prev, dc_prev, *dweights = lstm_backward(dh_next[None], cache, dc_last=dc_next)
    return (dx[0], dh_prev, dc_prev, *dweights)


# ----------------------------------------------------------------------- GRU


def gru_forward(x, h0, W_ih, W_hh, b_ih, b_hh):
    r"""Run a GRU layer over a whole sequence (``torch.nn.GRU`` equations).

    Parameters
    ----------
    x : ndarray, shape (T, B, D)
    h0 : ndarray, shape (B, H)
    W_ih : ndarray, shape (3H, D)
    W_hh : ndarray, shape (3H, H)
    b_ih, b_hh : ndarray, shape (3H,)
        Gate blocks in the order r, z, n, as in ``torch.nn.GRU``.

    Returns
    -------
    h : ndarray, shape (T, B, H)
    cache : dict
        For :func:`gru_backward`.

    Notes
    -----
    .. math::
        r_t &= \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr}) \\
        z_t &= \sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz}) \\
        n_t &= \tanh(W_{in} x_t + b_{in} + r_t \odot (W_{hn} h_{t-1} + b_{hn})) \\
        h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1}

    The reset gate multiplies ``W_hn h + b_hn`` (bias included), exactly as in
    torch; z close to 1 keeps the old state. See chapter 5, LSTM and GRU.
    """
    T, B, D, H = _check_layer(3, x, {"h0": h0}, W_ih, W_hh, b_ih, b_hh)
    xw = _project_inputs(x, W_ih, b_ih, 3, H)  # (3, T, B, H)
    xw[:2] += b_hh[: 2 * H].reshape(2, 1, 1, H)  # r and z take both biases up front
    b_hn = b_hh[2 * H :]  # (H,) stays inside r * (W_hn h + b_hn)
    W_hh_t = _stacked_transpose(W_hh, 3, H)  # (3, H, H)
    acts = np.empty((T, 3, B, H), dtype=x.dtype)  # r, z, n
    gh_n = np.empty((T, B, H), dtype=x.dtype)  # W_hn h_{t-1} + b_hn
    h = np.empty((T, B, H), dtype=x.dtype)
    gh = np.empty((3, B, H), dtype=x.dtype)  # recurrent products of one step
    h_prev = h0
    for t in range(T):
        a = acts[t]
        np.matmul(h_prev, W_hh_t, out=gh)  # one fused product for r, z, n
        np.add(gh[0:2], xw[0:2, t], out=a[0:2])
        _sigmoid_(a[0:2])  # r, z
        r, z, n = a
        np.add(gh[2], b_hn, out=gh_n[t])
        np.multiply(r, gh_n[t], out=n)
        n += xw[2, t]
        np.tanh(n, out=n)  # n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
        ht = h[t]
        np.subtract(h_prev, n, out=ht)  # h = n + z * (h_prev - n)
        ht *= z
        ht += n
        h_prev = ht
    cache = {
        "kind": "gru",
        "x": x,
        "h0": h0,
        "W_ih": W_ih,
        "W_hh": W_hh,
        "acts": acts,
        "gh_n": gh_n,
        "h": h,
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
    """
    _check_cache(cache, "gru")
    x, h0, W_ih, W_hh = cache["x"], cache["h0"], cache["W_ih"], cache["W_hh"]
    acts, gh_n, h = cache["acts"], cache["gh_n"], cache["h"]
    T, _, B, H = acts.shape
    _check_upstream(dh, "dh", (T, B, H), "(T, B, H)", h.dtype)
    W_hh_blocks = W_hh.reshape(3, H, H)
    dgh = np.empty((3, T, B, H), dtype=h.dtype)  # gradient on W_hh h + b_hh, per gate
    dxn = np.empty((T, B, H), dtype=h.dtype)  # gradient on W_in x + b_in
    dh_next = np.zeros_like(h0)
    for t in range(T - 1, -1, -1):
        r, z, n = acts[t]
        h_prev = h[t - 1] if t > 0 else h0
        d_r, d_z, d_n = dgh[:, t]
        dht = dh[t] + dh_next  # (B, H)
        # z: dh * (h_prev - n) * z (1 - z)
        np.subtract(h_prev, n, out=d_z)
        d_z *= dht
        d_z *= z * (1 - z)
        # n: dh * (1 - z) * (1 - n^2) -> input side of n
        dan = dxn[t]
        np.multiply(dht, 1 - z, out=dan)
        dan *= 1 - n * n
        np.multiply(dan, r, out=d_n)  # recurrent side of n: * r
        np.multiply(dan, gh_n[t], out=d_r)  # r: dan * (W_hn h + b_hn) * r (1 - r)
        d_r *= r * (1 - r)
        dht *= z  # direct path h_prev -> h
        dh_next = dht + _back_through(dgh[:, t], W_hh_blocks)  # (B, H)
    D = x.shape[2]
    W_i = W_ih.reshape(3, H, D)
    dx = _back_through(dgh[:2].reshape(2, T * B, H), W_i[:2])  # r, z
    dx += dxn.reshape(T * B, H) @ W_i[2]  # n
    dx = dx.reshape(T, B, D)
    dW_ih = np.concatenate([_weight_grad(dgh[:2], x), _weight_grad(dxn[None], x)])  # (3H, D)
    dW_hh = _weight_grad(dgh, _previous_states(h0, h))  # (3H, H)
    db_hh = dgh.sum(axis=(1, 2)).reshape(3 * H)  # (3H,)
    db_ih = db_hh.copy()
    db_ih[2 * H :] = dxn.sum(axis=(0, 1))
    return dx, dh_next, dW_ih, dW_hh, db_ih, db_hh


def gru_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh):
    r"""One GRU step (``torch.nn.GRUCell``).

    Parameters
    ----------
    x : ndarray, shape (B, D)
    h_prev : ndarray, shape (B, H)
    W_ih : ndarray, shape (3H, D)
    W_hh : ndarray, shape (3H, H)
    b_ih, b_hh : ndarray, shape (3H,)
        Gate order r, z, n.

    Returns
    -------
    h_next : ndarray, shape (B, H)
    cache : dict
        For :func:`gru_step_backward`.

    Notes
    -----
    The equations of :func:`gru_forward` for one step. See chapter 5, LSTM and GRU.
    """
    _check_array(x, "x", 2, "(B, D)")
    _check_layer(3, x, {"h_prev": h_prev}, W_ih, W_hh, b_ih, b_hh, seq=False)
    h, cache = gru_forward(x[None], h_prev, W_ih, W_hh, b_ih, b_hh)
    return h[0], cache


def gru_step_backward(dh_next, cache):
    r"""Backward pass of :func:`gru_step_forward`.

    Parameters
    ----------
    dh_next : ndarray, shape (B, H)
    cache : dict

    Returns
    -------
    dx : ndarray, shape (B, D)
    dh_prev : ndarray, shape (B, H)
    dW_ih, dW_hh, db_ih, db_hh : ndarray
        Shapes of the weights.

    Notes
    -----
    See chapter 5, LSTM and GRU.
    """
    _check_cache(cache, "gru")
    _check_upstream(dh_next, "dh_next", cache["h0"].shape, "(B, H)", cache["h"].dtype)
    dx, dh_prev, *dweights = gru_backward(dh_next[None], cache)
    return (dx[0], dh_prev, *dweights)
