"""Time-distributed layers and losses in NumPy: affine, embedding, softmax cross-entropy, MSE.

They sit around a recurrent layer of :mod:`rnn_course.numpy_rnn`: an embedding
turns token ids into vectors, the recurrent layer runs over time, a temporal
affine layer maps every hidden state to scores, and the loss compares them
with the targets. Same CS231n conventions: ``forward -> (out, cache)``,
``backward(dout, cache)``. See chapter 2 (an RNN language model) and chapter 3
(cross-entropy and perplexity).
"""

import numpy as np

__all__ = [
    "temporal_affine_forward",
    "temporal_affine_backward",
    "embedding_forward",
    "embedding_backward",
    "softmax_cross_entropy",
    "mse_loss",
]


def _float_array(a, name, ndim, shape_text):
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{name}: expected a numpy array {shape_text}, got {type(a).__name__}")
    if not np.issubdtype(a.dtype, np.floating):
        raise TypeError(f"{name}: expected a floating-point array, got dtype {a.dtype}")
    if a.ndim != ndim:
        raise ValueError(f"{name}: expected a {ndim}-D array {shape_text}, got shape {a.shape}")
    return a


def _int_array(a, name, ndim, shape_text):
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{name}: expected a numpy array {shape_text}, got {type(a).__name__}")
    if not np.issubdtype(a.dtype, np.integer):
        raise TypeError(f"{name}: expected an integer array of token ids, got dtype {a.dtype}")
    if a.ndim != ndim:
        raise ValueError(f"{name}: expected a {ndim}-D array {shape_text}, got shape {a.shape}")
    return a


def _same_dtype(ref_name, ref, **arrays):
    for name, a in arrays.items():
        if a.dtype != ref.dtype:
            raise TypeError(f"{name}: dtype {a.dtype} does not match {ref_name} dtype {ref.dtype}")


# ------------------------------------------------------------ temporal affine


def temporal_affine_forward(x, W_hy, b_hy):
    r"""Apply the output layer to every time step (``torch.nn.Linear`` over time).

    Parameters
    ----------
    x : ndarray, shape (T, B, H)
        Hidden states.
    W_hy : ndarray, shape (V, H)
        ``torch.nn.Linear.weight`` layout (out_features, in_features).
    b_hy : ndarray, shape (V,)

    Returns
    -------
    out : ndarray, shape (T, B, V)
        Scores (logits) of every step.
    cache : tuple

    Notes
    -----
    .. math:: y_t = W_{hy} h_t + b_{hy} \quad\text{for every } t

    The same :math:`W_{hy}` at every step. See chapter 2, An RNN language model.
    """
    _float_array(x, "x", 3, "(T, B, H)")
    _float_array(W_hy, "W_hy", 2, "(V, H)")
    _float_array(b_hy, "b_hy", 1, "(V,)")
    T, B, H = x.shape
    V = W_hy.shape[0]
    if W_hy.shape[1] != H:
        raise ValueError(f"W_hy: expected shape (V, H) with H = {H} (from x), got {W_hy.shape}")
    if b_hy.shape != (V,):
        raise ValueError(f"b_hy: expected shape (V,) = ({V},), got {b_hy.shape}")
    _same_dtype("x", x, W_hy=W_hy, b_hy=b_hy)
    out = (x.reshape(T * B, H) @ W_hy.T + b_hy).reshape(T, B, V)  # (T, B, V)
    return out, (x, W_hy)


def temporal_affine_backward(dout, cache):
    """Backward pass of :func:`temporal_affine_forward`.

    Parameters
    ----------
    dout : ndarray, shape (T, B, V)
    cache : tuple

    Returns
    -------
    dx : ndarray, shape (T, B, H)
    dW_hy : ndarray, shape (V, H)
        Summed over all steps and the batch.
    db_hy : ndarray, shape (V,)

    Notes
    -----
    See chapter 3, Accumulating gradients of shared weights.
    """
    x, W_hy = cache
    T, B, H = x.shape
    V = W_hy.shape[0]
    _float_array(dout, "dout", 3, "(T, B, V)")
    if dout.shape != (T, B, V):
        raise ValueError(f"dout: expected shape (T, B, V) = {(T, B, V)}, got {dout.shape}")
    d2 = dout.reshape(T * B, V)  # (T*B, V)
    dx = (d2 @ W_hy).reshape(T, B, H)  # (T, B, H)
    dW_hy = d2.T @ x.reshape(T * B, H)  # (V, H)
    db_hy = d2.sum(axis=0)  # (V,)
    return dx, dW_hy, db_hy


# ------------------------------------------------------------------ embedding


def embedding_forward(idx, W):
    """Look up a vector for every token id (``torch.nn.Embedding``).

    Parameters
    ----------
    idx : ndarray of int, shape (T, B)
        Token ids in ``[0, V)``.
    W : ndarray, shape (V, E)
        One row per token.

    Returns
    -------
    out : ndarray, shape (T, B, E)
        ``out[t, b] = W[idx[t, b]]``.
    cache : tuple

    Notes
    -----
    Equivalent to multiplying a one-hot vector by W, without building it.
    See chapter 2, An RNN language model.
    """
    _int_array(idx, "idx", 2, "(T, B)")
    _float_array(W, "W", 2, "(V, E)")
    V = W.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= V):
        raise ValueError(
            f"idx: token ids must lie in [0, {V}) (V = W.shape[0]), "
            f"got values from {idx.min()} to {idx.max()}"
        )
    return W[idx], (idx, W.shape)  # (T, B, E)


def embedding_backward(dout, cache):
    """Backward pass of :func:`embedding_forward`.

    Parameters
    ----------
    dout : ndarray, shape (T, B, E)
    cache : tuple

    Returns
    -------
    dW : ndarray, shape (V, E)
        Rows of repeated ids accumulate (``np.add.at``); rows never used stay zero.

    Notes
    -----
    There is no gradient for the integer ids. See chapter 3, Accumulating
    gradients of shared weights.
    """
    idx, (V, E) = cache
    _float_array(dout, "dout", 3, "(T, B, E)")
    if dout.shape != idx.shape + (E,):
        raise ValueError(f"dout: expected shape (T, B, E) = {idx.shape + (E,)}, got {dout.shape}")
    dW = np.zeros((V, E), dtype=dout.dtype)
    np.add.at(dW, idx.reshape(-1), dout.reshape(-1, E))
    return dW


# --------------------------------------------------------------------- losses


def softmax_cross_entropy(logits, targets, mask=None):
    r"""Mean softmax cross-entropy over all (unmasked) tokens, and its gradient.

    Parameters
    ----------
    logits : ndarray, shape (T, B, V)
        Unnormalised scores.
    targets : ndarray of int, shape (T, B)
        Correct class of every token, in ``[0, V)``.
    mask : ndarray of bool, shape (T, B), optional
        ``True`` where a token counts (e.g. not padding). Default: all count.

    Returns
    -------
    loss : float
        Mean negative log-likelihood per counted token (nats). ``exp(loss)`` is
        the perplexity.
    dlogits : ndarray, shape (T, B, V)
        Gradient of ``loss`` with respect to ``logits``.

    Notes
    -----
    .. math::
        L = -\frac{1}{N}\sum_{t,b} m_{tb} \log \mathrm{softmax}(s_{tb})_{y_{tb}},\qquad
        \frac{\partial L}{\partial s_{tb}} = \frac{m_{tb}}{N}(p_{tb} - e_{y_{tb}})

    with N the number of counted tokens; the max is subtracted before
    exponentiating so large scores do not overflow. Same value as
    ``torch.nn.functional.cross_entropy`` on the counted tokens.
    See chapter 3, Cross-entropy and perplexity.
    """
    _float_array(logits, "logits", 3, "(T, B, V)")
    _int_array(targets, "targets", 2, "(T, B)")
    T, B, V = logits.shape
    if targets.shape != (T, B):
        raise ValueError(f"targets: expected shape (T, B) = {(T, B)}, got {targets.shape}")
    if targets.size and (targets.min() < 0 or targets.max() >= V):
        raise ValueError(
            f"targets: class ids must lie in [0, {V}) (V = logits.shape[2]), "
            f"got values from {targets.min()} to {targets.max()}"
        )
    if mask is None:
        m = np.ones((T, B), dtype=bool)
    else:
        if not isinstance(mask, np.ndarray) or mask.dtype != bool:
            raise TypeError(
                f"mask: expected a boolean numpy array (T, B), got "
                f"{getattr(mask, 'dtype', type(mask).__name__)}"
            )
        if mask.shape != (T, B):
            raise ValueError(f"mask: expected shape (T, B) = {(T, B)}, got {mask.shape}")
        m = mask
    n = int(m.sum())
    if n == 0:
        raise ValueError("mask: no token is counted (mask is all False); the mean is undefined")
    shifted = logits - logits.max(axis=2, keepdims=True)  # (T, B, V)
    log_z = np.log(np.exp(shifted).sum(axis=2, keepdims=True))  # (T, B, 1)
    log_p = shifted - log_z  # (T, B, V)
    t_idx, b_idx = np.indices((T, B))
    nll = -log_p[t_idx, b_idx, targets]  # (T, B)
    loss = float(nll[m].sum() / n)
    dlogits = np.exp(log_p)  # softmax probabilities (T, B, V)
    dlogits[t_idx, b_idx, targets] -= 1
    dlogits *= (m / n).astype(logits.dtype)[:, :, None]
    return loss, dlogits


def mse_loss(pred, target):
    r"""Mean squared error over all elements, and its gradient (``torch.nn.MSELoss``).

    Parameters
    ----------
    pred : ndarray, any shape
    target : ndarray, same shape as ``pred``

    Returns
    -------
    loss : float
    dpred : ndarray, shape of ``pred``

    Notes
    -----
    .. math:: L = \frac{1}{N}\sum_i (p_i - y_i)^2, \qquad
              \frac{\partial L}{\partial p_i} = \frac{2}{N}(p_i - y_i)

    Used for regression tasks such as the adding problem. See chapter 5.
    """
    for name, a in (("pred", pred), ("target", target)):
        if not isinstance(a, np.ndarray) or not np.issubdtype(a.dtype, np.floating):
            raise TypeError(
                f"{name}: expected a floating-point numpy array, got "
                f"{getattr(a, 'dtype', type(a).__name__)}"
            )
    if pred.shape != target.shape:
        raise ValueError(f"target: expected the shape of pred {pred.shape}, got {target.shape}")
    if pred.size == 0:
        raise ValueError("pred: empty array; the mean is undefined")
    diff = pred - target
    loss = float(np.mean(diff * diff))
    return loss, diff * (2.0 / diff.size)

