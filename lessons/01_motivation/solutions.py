"""Solutions of lesson 01, written the way the lesson teaches them."""

import numpy as np


def one_hot_window(tokens, vocab_size, window):
    """Encode a token sequence as overlapping windows of one-hot vectors.

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
    X : ndarray, shape (T - W + 1, W * V)
        Row t is the concatenation of the one-hot vectors of
        ``tokens[t], tokens[t + 1], ..., tokens[t + W - 1]`` (position-major:
        the first V entries encode ``tokens[t]``).

    Notes
    -----
    A fixed window sees exactly W tokens: anything further back is lost, and the
    input size grows with W. See chapter 1, Motivation.
    """
    onehot = np.eye(vocab_size)[tokens]  # (T, V)
    T = len(tokens)
    rows = [onehot[t : t + window].reshape(-1) for t in range(T - window + 1)]
    return np.stack(rows)  # (T - W + 1, W * V)


def bag_of_words(tokens, vocab_size):
    """Count how often each token occurs.

    Parameters
    ----------
    tokens : ndarray of int, shape (T,)
        Token ids in ``range(vocab_size)``.
    vocab_size : int
        V, the number of distinct tokens.

    Returns
    -------
    counts : ndarray, shape (V,)
        ``counts[v]`` is the number of positions t with ``tokens[t] == v``
        (integers or floats).

    Notes
    -----
    Any reordering of the tokens gives the same vector: the order is lost.
    See chapter 1, Motivation.
    """
    counts = np.zeros(vocab_size)
    for v in tokens:
        counts[v] += 1
    return counts  # (V,)
