"""Reference solutions of the lesson exercises that have no function in the library.

The other exercises are graded against the library itself (``rnn_course.numpy_rnn``,
``rnn_course.clip``, ...): one source of truth. These few live here because the
library has no use for them outside the lessons. NumPy only; the PyTorch
exercise is in ``reference_torch``.
"""

import numpy as np

from rnn_course.numpy_rnn import srn_forward


def one_hot_window(tokens, vocab_size, window):
    """Encode a token sequence as overlapping windows of one-hot vectors (lesson 01).

    Parameters
    ----------
    tokens : ndarray of int, shape (T,)
        Token ids in ``range(vocab_size)``.
    vocab_size : int
        V, the number of distinct tokens.
    window : int
        W, the number of consecutive tokens in one window (1 <= W <= T).

    Returns
    -------
    X : ndarray of float, shape (T - W + 1, W * V)
        Row t is the concatenation of the one-hot vectors of
        ``tokens[t], tokens[t + 1], ..., tokens[t + W - 1]`` (position-major:
        the first V entries encode ``tokens[t]``).

    Notes
    -----
    A fixed window sees exactly W tokens: anything further back is lost, and the
    input size grows with W. See chapter 1, Motivation.
    """
    tokens = np.asarray(tokens)
    T = tokens.shape[0]
    eye = np.eye(vocab_size)  # (V, V)
    onehot = eye[tokens]  # (T, V)
    rows = [onehot[t : t + window].reshape(-1) for t in range(T - window + 1)]
    return np.stack(rows)  # (T - W + 1, W * V)


def bag_of_words(tokens, vocab_size):
    """Count how often each token occurs (lesson 01).

    Parameters
    ----------
    tokens : ndarray of int, shape (T,)
        Token ids in ``range(vocab_size)``.
    vocab_size : int
        V, the number of distinct tokens.

    Returns
    -------
    counts : ndarray of float, shape (V,)
        ``counts[v]`` is the number of positions t with ``tokens[t] == v``.

    Notes
    -----
    Any reordering of the tokens gives the same vector: the order is lost.
    See chapter 1, Motivation.
    """
    return np.bincount(np.asarray(tokens), minlength=vocab_size).astype(float)  # (V,)


def softmax_output(h, W_ho, b_o):
    r"""Softmax output layer on every hidden state (lesson 02).

    Parameters
    ----------
    h : ndarray, shape (T, B, H)
        Hidden states.
    W_ho : ndarray, shape (V, H)
        Output weights in ``torch.nn.Linear`` layout.
    b_o : ndarray, shape (V,)
        Output bias.

    Returns
    -------
    probs : ndarray, shape (T, B, V)
        ``probs[t, b]`` is a probability distribution over the V outputs.

    Notes
    -----
    .. math:: y_t = \mathrm{softmax}(h_t W_{ho}^\top + b_o), \qquad
              \mathrm{softmax}(z)_v = \frac{e^{z_v - \max z}}{\sum_u e^{z_u - \max z}}

    Subtracting the maximum changes nothing mathematically and keeps ``exp``
    from overflowing. See chapter 2, The simple recurrent network.
    """
    z = h @ W_ho.T + b_o  # (T, B, V)
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)  # (T, B, V)


def srn_forward_chunked(x, h0, W_ih, W_hh, b_ih, b_hh, seq_len):
    """Run :func:`rnn_course.numpy_rnn.srn_forward` chunk by chunk, carrying the state (lesson 03).

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
    caches : list of dict
        One ``srn_forward`` cache per chunk: truncated BPTT runs backward
        through one chunk at a time.

    Notes
    -----
    The final state of chunk k is the initial state of chunk k + 1, so the
    forward pass equals one ``srn_forward`` over all of x; only the backward
    pass is cut at chunk boundaries. See chapter 3, Truncated BPTT.
    """
    hs, caches, h = [], [], h0
    for s in range(0, x.shape[0], seq_len):
        h_chunk, cache = srn_forward(x[s : s + seq_len], h, W_ih, W_hh, b_ih, b_hh)  # (T', B, H)
        hs.append(h_chunk)
        caches.append(cache)
        h = h_chunk[-1]  # (B, H) carried into the next chunk
    return np.concatenate(hs), caches


def jacobian_product_norms(h, W_hh):
    r"""Norms of the products of step Jacobians of a tanh SRN, k steps back (lesson 04).

    Parameters
    ----------
    h : ndarray, shape (T, H)
        Hidden states h_0 ... h_{T-1} of one sequence (a tanh SRN).
    W_hh : ndarray, shape (H, H)
        Recurrent weights.

    Returns
    -------
    norms : ndarray, shape (T,)
        ``norms[k]`` is the spectral norm (``np.linalg.norm(., 2)``) of
        :math:`\partial h_{T-1} / \partial h_{T-1-k}`; ``norms[0] = 1``.

    Notes
    -----
    .. math::
        J_t = \frac{\partial h_t}{\partial h_{t-1}} = \mathrm{diag}(1 - h_t^2)\, W_{hh},
        \qquad
        \frac{\partial h_{T-1}}{\partial h_{T-1-k}} = J_{T-1} J_{T-2} \cdots J_{T-k}

    See chapter 4, Vanishing and exploding gradients.
    """
    T, H = h.shape
    P = np.eye(H)  # (H, H)
    norms = [1.0]
    for k in range(1, T):
        J = (1 - h[T - k] ** 2)[:, None] * W_hh  # (H, H) = diag(1 - h^2) W_hh
        P = P @ J
        norms.append(np.linalg.norm(P, 2))
    return np.array(norms)  # (T,)


def perplexity(logits, targets):
    r"""Perplexity of predictions: exp of the mean cross-entropy per token (lesson 06).

    Parameters
    ----------
    logits : ndarray, shape (T, B, V)
        Unnormalised scores.
    targets : ndarray of int, shape (T, B)
        The tokens that came next.

    Returns
    -------
    float
        :math:`\exp\big(-\frac{1}{TB}\sum_{t,b} \log \mathrm{softmax}(z_{t,b})_{y_{t,b}}\big)`.

    Notes
    -----
    A model that guesses uniformly has perplexity V; a perfect one, 1. Use a
    stable log-softmax: ``z - max z - log sum exp(z - max z)``.
    See chapter 6, Applications.
    """
    z = logits - logits.max(axis=-1, keepdims=True)  # (T, B, V)
    logp = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))  # (T, B, V)
    nll = -np.take_along_axis(logp, targets[..., None], axis=-1)  # (T, B, 1)
    return float(np.exp(nll.mean()))
