"""Weight initialisers for recurrent layers; every one takes a NumPy ``Generator``.

No global random state: pass ``rng = np.random.default_rng(seed)``. Shapes are
PyTorch's (``W_ih`` (G*H, D), ``W_hh`` (G*H, H), G the number of gates).
:func:`set_forget_bias_` sets the forget-gate bias of a torch LSTM module (torch
is imported only when it is called). See chapter 4, Initialisation remedies,
and chapter 5, LSTM and GRU.
"""

import math

import numpy as np

from ._validate import check_rng

__all__ = [
    "torch_default",
    "xavier_uniform",
    "orthogonal",
    "identity",
    "init_srn",
    "init_lstm",
    "init_gru",
    "set_forget_bias_",
]


def _shape(shape):
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if not shape or any((not isinstance(s, (int, np.integer))) or s < 1 for s in shape):
        raise ValueError(f"shape: expected a tuple of positive ints, got {shape!r}")
    return shape


def torch_default(shape, hidden_size, rng, dtype=np.float64):
    r"""Uniform on :math:`[-1/\sqrt{H}, 1/\sqrt{H}]`: the default of torch.nn.RNN, LSTM, GRU.

    Parameters
    ----------
    shape : tuple of int
    hidden_size : int
        H.
    rng : numpy.random.Generator
    dtype : numpy dtype

    Returns
    -------
    ndarray, shape ``shape``
    """
    check_rng(rng)
    if hidden_size < 1:
        raise ValueError(f"hidden_size: expected an int >= 1, got {hidden_size!r}")
    bound = 1.0 / math.sqrt(hidden_size)
    return rng.uniform(-bound, bound, _shape(shape)).astype(dtype)


def xavier_uniform(shape, rng, gain=1.0, dtype=np.float64):
    r"""Glorot/Xavier uniform: :math:`U[-a, a]` with :math:`a = g\sqrt{6/(n_{in} + n_{out})}`.

    Parameters
    ----------
    shape : tuple of int, (fan_out, fan_in)
    rng : numpy.random.Generator
    gain : float
    dtype : numpy dtype

    Returns
    -------
    ndarray, shape ``shape``

    Notes
    -----
    Keeps the variance of activations and gradients about equal across a
    layer (Glorot and Bengio, 2010). Same as ``torch.nn.init.xavier_uniform_``.
    """
    check_rng(rng)
    shape = _shape(shape)
    if len(shape) != 2:
        raise ValueError(f"shape: expected (fan_out, fan_in), got {shape!r}")
    bound = gain * math.sqrt(6.0 / (shape[0] + shape[1]))
    return rng.uniform(-bound, bound, shape).astype(dtype)


def orthogonal(shape, rng, gain=1.0, dtype=np.float64):
    """A random (semi-)orthogonal matrix times ``gain`` (``torch.nn.init.orthogonal_``).

    Parameters
    ----------
    shape : tuple of int, (rows, cols)
    rng : numpy.random.Generator
    gain : float
    dtype : numpy dtype

    Returns
    -------
    ndarray, shape ``shape``
        Orthonormal rows (rows <= cols) or columns (rows >= cols).

    Notes
    -----
    QR of a Gaussian matrix, with the signs of R's diagonal folded into Q so
    the result is uniformly distributed. All singular values are 1, so a
    linear recurrence neither shrinks nor grows at the start
    (Saxe et al., 2014). See chapter 4, Initialisation remedies.
    """
    check_rng(rng)
    shape = _shape(shape)
    if len(shape) != 2:
        raise ValueError(f"shape: expected (rows, cols), got {shape!r}")
    rows, cols = shape
    a = rng.standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)  # q (max, min) has orthonormal columns
    q *= np.sign(np.diag(r))  # sign fix: uniform (Haar) distribution
    if rows < cols:
        q = q.T
    return (gain * q).astype(dtype)


def identity(shape, scale=1.0, dtype=np.float64):
    """``scale`` times the identity: the recurrent matrix of an IRNN (Le et al., 2015).

    Parameters
    ----------
    shape : tuple of int, (H, H)
    scale : float
    dtype : numpy dtype

    Returns
    -------
    ndarray, shape (H, H)

    Notes
    -----
    With ReLU units, zero biases and W_hh = I, the state is copied forward
    unchanged at the start of training, so gradients neither vanish nor
    explode. See chapter 4, Initialisation remedies.
    """
    shape = _shape(shape)
    if len(shape) != 2 or shape[0] != shape[1]:
        raise ValueError(f"shape: expected a square (H, H), got {shape!r}")
    return scale * np.eye(shape[0], dtype=dtype)


def _init_layer(gates, input_size, hidden_size, rng, dtype):
    G, D, H = gates, input_size, hidden_size
    if D < 1 or H < 1:
        raise ValueError(f"input_size and hidden_size: expected ints >= 1, got {D!r}, {H!r}")
    return {
        "W_ih": torch_default((G * H, D), H, rng, dtype),  # (G*H, D)
        "W_hh": torch_default((G * H, H), H, rng, dtype),  # (G*H, H)
        "b_ih": torch_default((G * H,), H, rng, dtype),  # (G*H,)
        "b_hh": torch_default((G * H,), H, rng, dtype),  # (G*H,)
    }


def init_srn(input_size, hidden_size, rng, dtype=np.float64):
    """Parameters of a simple recurrent layer, initialised like ``torch.nn.RNN``.

    Parameters
    ----------
    input_size : int
        D.
    hidden_size : int
        H.
    rng : numpy.random.Generator
    dtype : numpy dtype

    Returns
    -------
    dict
        ``W_ih`` (H, D), ``W_hh`` (H, H), ``b_ih`` (H,), ``b_hh`` (H,): the
        keyword arguments of :func:`rnn_course.numpy_rnn.srn_forward`.
    """
    return _init_layer(1, input_size, hidden_size, rng, dtype)


def init_lstm(input_size, hidden_size, rng, dtype=np.float64, forget_bias=0.0):
    """Parameters of an LSTM layer, initialised like ``torch.nn.LSTM``.

    Parameters
    ----------
    input_size, hidden_size : int
    rng : numpy.random.Generator
    dtype : numpy dtype
    forget_bias : float
        Added to the forget-gate block of ``b_ih`` (Jozefowicz et al., 2015
        recommend 1.0); 0 gives exactly torch's initialisation.

    Returns
    -------
    dict
        ``W_ih`` (4H, D), ``W_hh`` (4H, H), ``b_ih`` (4H,), ``b_hh`` (4H,), gates i, f, g, o.
    """
    p = _init_layer(4, input_size, hidden_size, rng, dtype)
    p["b_ih"][hidden_size : 2 * hidden_size] += forget_bias
    return p


def init_gru(input_size, hidden_size, rng, dtype=np.float64):
    """Parameters of a GRU layer, initialised like ``torch.nn.GRU``.

    Returns
    -------
    dict
        ``W_ih`` (3H, D), ``W_hh`` (3H, H), ``b_ih`` (3H,), ``b_hh`` (3H,), gates r, z, n.
    """
    return _init_layer(3, input_size, hidden_size, rng, dtype)


def set_forget_bias_(module, value):
    """Set the forget-gate bias of every LSTM layer in a torch module, in place.

    Parameters
    ----------
    module : torch.nn.Module
        A ``torch.nn.LSTM`` / ``LSTMCell``, one of :mod:`rnn_course.torch_rnn`'s,
        or any module holding them (e.g. :class:`rnn_course.models.SequenceModel`).
    value : float
        What the forget gate's pre-activation gets as its bias.

    Returns
    -------
    module
        The same module, for chaining.

    Notes
    -----
    The gate sees ``b_ih + b_hh``, so the forget block (rows ``H:2H``, gate
    order i, f, g, o) of every ``bias_ih*`` is set to ``value`` and that of
    every ``bias_hh*`` to 0: the gate's bias is exactly ``value``. A bias of 1
    starts the LSTM remembering (Jozefowicz et al., 2015). (For NumPy weights,
    :func:`init_lstm`'s ``forget_bias`` is *added* to torch's random
    initialisation instead, so that 0 leaves it exactly as torch makes it.)
    """
    import torch  # here, so that the NumPy initialisers never import torch

    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise TypeError(f"value: expected a number, got {value!r}")
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"module: expected a torch.nn.Module, got {type(module).__name__}")
    lstms = [m for m in module.modules() if type(m).__name__ in ("LSTM", "LSTMCell")]
    if not lstms:
        raise ValueError(f"module: no LSTM or LSTMCell inside {type(module).__name__}")
    for lstm in lstms:
        H = lstm.hidden_size
        if not lstm.bias:
            raise ValueError(f"module: {lstm!r} has bias=False; there is no forget bias to set")
        with torch.no_grad():
            for name, b in lstm.named_parameters(recurse=False):
                if name.startswith("bias_ih"):
                    b[H : 2 * H] = float(value)
                elif name.startswith("bias_hh"):
                    b[H : 2 * H] = 0.0
    return module
