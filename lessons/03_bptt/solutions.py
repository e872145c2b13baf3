"""Solutions of lesson 03, written the way the lesson teaches them.

Each backward pass takes the cache of the forward pass written beside it: a plain
tuple of what the backward needs.
"""

import numpy as np


def srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    r"""One step of a simple recurrent layer, keeping what the backward pass needs.

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
        Whatever your ``srn_step_backward`` needs; it receives exactly this.

    Notes
    -----
    .. math:: h_{next} = f(x W_{ih}^\top + b_{ih} + h_{prev} W_{hh}^\top + b_{hh})

    Your lesson-2 solution, returning a useful cache. See chapter 2.
    """
    a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh  # (B, H)
    h_next = np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0)
    return h_next, (x, h_prev, W_ih, W_hh, h_next, nonlinearity)


def srn_step_backward(dh_next, cache):
    r"""Backward pass of your ``srn_step_forward``.

    Parameters
    ----------
    dh_next : ndarray, shape (B, H)
        Gradient of the loss on the step's output ``h_next``.
    cache : anything
        What your ``srn_step_forward`` returned.

    Returns
    -------
    dx : ndarray, shape (B, D)
    dh_prev : ndarray, shape (B, H)
    dW_ih : ndarray, shape (H, D)
    dW_hh : ndarray, shape (H, H)
    db_ih, db_hh : ndarray, shape (H,)

    Notes
    -----
    .. math:: \delta = dh_{next} \odot f'(a), \quad dx = \delta W_{ih}, \quad
              dh_{prev} = \delta W_{hh}, \quad dW_{ih} = \delta^\top x, \quad
              dW_{hh} = \delta^\top h_{prev}, \quad db = \textstyle\sum_b \delta_b

    with f'(a) = 1 - h_next² for tanh and [h_next > 0] for ReLU.
    See chapter 3, Backpropagation through time.
    """
    x, h_prev, W_ih, W_hh, h_next, nonlinearity = cache
    deriv = 1 - h_next**2 if nonlinearity == "tanh" else (h_next > 0)
    da = dh_next * deriv  # (B, H)
    db = da.sum(axis=0)  # (H,)
    return da @ W_ih, da @ W_hh, da.T @ x, da.T @ h_prev, db, db.copy()


def srn_forward(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    r"""Run a simple recurrent layer over a sequence, keeping what the backward needs.

    Parameters
    ----------
    x : ndarray, shape (T, B, D)
    h0 : ndarray, shape (B, H)
    W_ih : ndarray, shape (H, D)
    W_hh : ndarray, shape (H, H)
    b_ih, b_hh : ndarray, shape (H,)
    nonlinearity : {"tanh", "relu"}

    Returns
    -------
    h : ndarray, shape (T, B, H)
        Hidden state after every step.
    cache : anything
        Whatever your ``srn_backward`` needs; it receives exactly this.

    Notes
    -----
    .. math:: h_t = f(x_t W_{ih}^\top + b_{ih} + h_{t-1} W_{hh}^\top + b_{hh})

    Your lesson-2 solution, returning a useful cache. See chapter 2.
    """
    h, hs = h0, []
    for x_t in x:
        h = srn_step_forward(x_t, h, W_ih, W_hh, b_ih, b_hh, nonlinearity)[0]
        hs.append(h)
    h = np.stack(hs)  # (T, B, H)
    return h, (x, h0, W_ih, W_hh, h, nonlinearity)


def srn_backward(dh, cache):
    r"""Backpropagation through time for your ``srn_forward``.

    Parameters
    ----------
    dh : ndarray, shape (T, B, H)
        Gradient of the loss on every hidden state ``h[t]``.
    cache : anything
        What your ``srn_forward`` returned.

    Returns
    -------
    dx : ndarray, shape (T, B, D)
    dh0 : ndarray, shape (B, H)
    dW_ih : ndarray, shape (H, D)
    dW_hh : ndarray, shape (H, H)
    db_ih, db_hh : ndarray, shape (H,)

    Notes
    -----
    Walking back from the last step, the gradient on h_t is ``dh[t]`` plus what
    flows back from step t + 1:

    .. math::
        \delta_t = (dh_t + \delta_{t+1} W_{hh}) \odot f'(a_t), \qquad
        \frac{\partial L}{\partial W_{hh}} = \sum_t \delta_t^\top h_{t-1}

    with h_{-1} = h0. Gradients of shared weights are summed over the steps.
    See chapter 3, Backpropagation through time.
    """
    x, h0, W_ih, W_hh, h, nonlinearity = cache
    dx = np.zeros_like(x)
    dW_ih, dW_hh, db = np.zeros_like(W_ih), np.zeros_like(W_hh), np.zeros(W_hh.shape[0])
    dh_next = np.zeros_like(h0)  # (B, H) gradient arriving from step t + 1
    for t in reversed(range(len(x))):
        h_prev = h[t - 1] if t > 0 else h0
        deriv = 1 - h[t] ** 2 if nonlinearity == "tanh" else (h[t] > 0)
        da = (dh[t] + dh_next) * deriv  # (B, H)
        dx[t] = da @ W_ih
        dW_ih = dW_ih + da.T @ x[t]
        dW_hh = dW_hh + da.T @ h_prev
        db = db + da.sum(axis=0)
        dh_next = da @ W_hh
    return dx, dh_next, dW_ih, dW_hh, db, db.copy()


def numeric_gradient(f, x, df=None, h=1e-5):
    r"""Centred-difference gradient of ``sum(f(x) * df)`` with respect to ``x``.

    Parameters
    ----------
    f : callable
        ``f(x)`` returns a scalar or an array (it may also ignore its argument
        and read ``x`` through a closure: ``x`` is nudged in place).
    x : ndarray, any shape, float64
        The point. Each element is changed and then restored to its exact
        original value, so ``x`` is unchanged on return.
    df : ndarray, shape of ``f(x)``, optional
        Upstream gradient; ``None`` means ones (the gradient of ``sum(f(x))``).
    h : float
        Step size.

    Returns
    -------
    grad : ndarray, shape of ``x``

    Notes
    -----
    .. math:: \frac{\partial L}{\partial x_i} \approx
              \frac{L(x + h e_i) - L(x - h e_i)}{2h}, \qquad L = \sum f(x) \odot df

    The error is O(h²) plus round-off of order eps·|L|/h; in float64, h = 1e-5
    balances the two. See chapter 3, Gradient checking.
    """
    grad = np.zeros_like(x)
    for ix in np.ndindex(*x.shape):
        old = x[ix]
        x[ix] = old + h
        plus = np.array(f(x), dtype=float)
        x[ix] = old - h
        minus = np.array(f(x), dtype=float)
        x[ix] = old  # restore exactly
        diff = plus - minus if df is None else (plus - minus) * df
        grad[ix] = diff.sum() / (2 * h)
    return grad


def softmax_cross_entropy(logits, targets):
    r"""Mean softmax cross-entropy over all T·B tokens, and its gradient.

    Parameters
    ----------
    logits : ndarray, shape (T, B, V)
        Unnormalised scores.
    targets : ndarray of int, shape (T, B)
        The correct next token of every position, in ``range(V)``.

    Returns
    -------
    loss : float
        Mean negative log-likelihood per token (nats).
    dlogits : ndarray, shape (T, B, V)
        Gradient of ``loss`` with respect to ``logits``.

    Notes
    -----
    .. math::
        L = -\frac{1}{TB}\sum_{t,b} \log \mathrm{softmax}(z_{tb})_{y_{tb}}, \qquad
        \frac{\partial L}{\partial z_{tb}} = \frac{1}{TB}(p_{tb} - e_{y_{tb}})

    Subtract each row's maximum before exponentiating. See chapter 3,
    Cross-entropy and perplexity.
    """
    T, B, V = logits.shape
    z = logits - logits.max(axis=-1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))  # (T, B, V)
    onehot = np.eye(V)[targets]  # (T, B, V)
    loss = -np.sum(onehot * log_p) / (T * B)
    return float(loss), (np.exp(log_p) - onehot) / (T * B)


def temporal_affine_forward(h, W_hy, b_hy):
    r"""The output layer on every step: scores from hidden states.

    Parameters
    ----------
    h : ndarray, shape (T, B, H)
    W_hy : ndarray, shape (V, H)
        ``torch.nn.Linear`` layout.
    b_hy : ndarray, shape (V,)

    Returns
    -------
    logits : ndarray, shape (T, B, V)
        ``h @ W_hy.T + b_hy``.
    cache : anything
        Whatever your ``temporal_affine_backward`` needs.
    """
    return h @ W_hy.T + b_hy, (h, W_hy)


def temporal_affine_backward(dlogits, cache):
    r"""Backward pass of your ``temporal_affine_forward``.

    Parameters
    ----------
    dlogits : ndarray, shape (T, B, V)
        Gradient of the loss on the scores.
    cache : anything
        What your ``temporal_affine_forward`` returned.

    Returns
    -------
    dh : ndarray, shape (T, B, H)
    dW_hy : ndarray, shape (V, H)
    db_hy : ndarray, shape (V,)

    Notes
    -----
    .. math:: dh = dz\, W_{hy}, \qquad dW_{hy} = \sum_{t,b} dz_{tb}^\top h_{tb}, \qquad
              db_{hy} = \sum_{t,b} dz_{tb}

    The weights are shared by every step, so their gradients sum over T and B.
    """
    h, W_hy = cache
    H = h.shape[-1]
    dz = dlogits.reshape(-1, W_hy.shape[0])  # (T * B, V)
    return dlogits @ W_hy, dz.T @ h.reshape(-1, H), dz.sum(axis=0)


def tbptt_chunks(stream, seq_len):
    """Iterate over ordered ``(x, y)`` chunks of a batchified stream.

    Parameters
    ----------
    stream : ndarray, shape (N, B)
        B parallel token streams (``rnn_course.batching.batchify``).
    seq_len : int
        Chunk length T (number of time steps BPTT runs through).

    Yields
    ------
    x : ndarray, shape (T', B)
        Inputs ``stream[s:s + T']``.
    y : ndarray, shape (T', B)
        Targets ``stream[s + 1:s + 1 + T']``: x shifted one step ahead in time.
        ``T' = seq_len`` except possibly for the last, shorter chunk.

    Notes
    -----
    Chunks come in time order and never overlap, so the final hidden state of
    one chunk is the initial state of the next (carry it, but cut the graph).
    See chapter 3, Truncated backpropagation through time.
    """
    n = len(stream) - 1  # the last token is only ever a target
    for s in range(0, n, seq_len):
        t = min(seq_len, n - s)
        yield stream[s : s + t], stream[s + 1 : s + 1 + t]


def srn_forward_chunked(x, h0, W_ih, W_hh, b_ih, b_hh, seq_len):
    """Run your ``srn_forward`` chunk by chunk, carrying the state.

    Parameters
    ----------
    x : ndarray, shape (T, B, D)
    h0 : ndarray, shape (B, H)
    W_ih : ndarray, shape (H, D)
    W_hh : ndarray, shape (H, H)
    b_ih, b_hh : ndarray, shape (H,)
    seq_len : int
        Chunk length; the last chunk may be shorter.

    Returns
    -------
    h : ndarray, shape (T, B, H)
        Hidden states of all steps, the chunks' outputs concatenated.
    caches : list
        One ``srn_forward`` cache per chunk: truncated BPTT runs backward
        through one chunk at a time.

    Notes
    -----
    The final state of chunk k is the initial state of chunk k + 1, so the
    forward pass equals one ``srn_forward`` over all of x; only the backward
    pass is cut at chunk boundaries. See chapter 3, Truncated BPTT.
    """
    hs, caches, h = [], [], h0
    for s in range(0, len(x), seq_len):
        h_chunk, cache = srn_forward(x[s : s + seq_len], h, W_ih, W_hh, b_ih, b_hh)
        hs.append(h_chunk)
        caches.append(cache)
        h = h_chunk[-1]  # (B, H) carried into the next chunk
    return np.concatenate(hs), caches


def adagrad_step(param, grad, memory, lr, eps=1e-8):
    r"""One Adagrad update of one parameter array, as min-char-rnn trains.

    Parameters
    ----------
    param : ndarray
        The parameter (any shape).
    grad : ndarray, shape of ``param``
        Its gradient.
    memory : ndarray, shape of ``param``
        The sum of the squares of all earlier gradients (zeros at the start).
    lr : float
        Learning rate.
    eps : float
        Keeps the division finite where the memory is still zero.

    Returns
    -------
    param : ndarray
        The updated parameter (a new array; the inputs are not changed).
    memory : ndarray
        The updated memory, including this gradient.

    Notes
    -----
    .. math:: m \leftarrow m + g \odot g, \qquad
              \theta \leftarrow \theta - \eta\, g / \sqrt{m + \epsilon}

    Each entry gets its own step size, which shrinks where gradients have been large.
    """
    memory = memory + grad * grad
    return param - lr * grad / np.sqrt(memory + eps), memory
