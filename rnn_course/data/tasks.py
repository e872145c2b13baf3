"""Synthetic sequence tasks: long-lag memory, classification, time series.

Arrays are time-major, ``(T, n, ...)`` for n sequences of T steps. All
randomness goes through a ``numpy.random.Generator`` passed as ``rng``
(``rng = np.random.default_rng(0)``), never a global seed.

- :func:`adding_problem` -- long-lag regression (Hochreiter & Schmidhuber 1997)
- :func:`copy_task`, :func:`delayed_recall` -- remember symbols across a lag
- :func:`temporal_xor` -- Elman's (1990) bit stream where every third bit is an XOR
- :func:`parity`, :func:`palindrome` -- many-to-one classification
- :func:`window_majority` -- many-to-many tagging that needs the future (bidirectional)
- :func:`noisy_sine`, :func:`sum_of_sines`, :func:`next_step_pairs` -- time series

The embedded Reber grammar is in :mod:`rnn_course.data.reber`.
"""

import numpy as np

from .._validate import check_rng, positive_int

__all__ = [
    "adding_problem",
    "copy_task",
    "delayed_recall",
    "temporal_xor",
    "parity",
    "palindrome",
    "window_majority",
    "noisy_sine",
    "sum_of_sines",
    "next_step_pairs",
]


def adding_problem(n, T, rng):
    """The adding problem: add the two marked numbers of a long sequence.

    Parameters
    ----------
    n : int
        Number of sequences.
    T : int
        Sequence length (>= 2).
    rng : numpy.random.Generator

    Returns
    -------
    x : ndarray, shape (T, n, 2), float32
        Channel 0: values drawn uniformly from [0, 1]; channel 1: the marker,
        1 at exactly two steps (one in the first half, one in the second), else 0.
    y : ndarray, shape (n,), float32
        Sum of the two marked values.

    Notes
    -----
    The target is the sum of two independent U(0, 1) values, so its mean is 1
    and its variance 2/12: always predicting 1 gives a mean squared error of
    1/6 ~ 0.167, the level a network that learns nothing stays at.
    Hochreiter & Schmidhuber (1997). See chapter 5, LSTM and GRU.
    """
    n = positive_int(n, "n")
    T = positive_int(T, "T", 2)
    rng = check_rng(rng)
    values = rng.random((T, n))  # (T, n)
    half = T // 2
    first = rng.integers(0, half, size=n)  # (n,)
    second = rng.integers(half, T, size=n)  # (n,)
    marks = np.zeros((T, n))
    cols = np.arange(n)
    marks[first, cols] = 1.0
    marks[second, cols] = 1.0
    x = np.stack([values, marks], axis=-1).astype(np.float32)  # (T, n, 2)
    y = (values[first, cols] + values[second, cols]).astype(np.float32)  # (n,)
    return x, y


def copy_task(n, seq_len, lag, rng, n_symbols=8):
    """The copy task: read symbols, wait ``lag`` blank steps, then write them back.

    Parameters
    ----------
    n : int
        Number of sequences.
    seq_len : int
        Number of symbols to remember, L.
    lag : int
        Blank steps between the end of the symbols and the recall cue (>= 0).
    rng : numpy.random.Generator
    n_symbols : int, default 8
        Alphabet size K; symbols are ids ``1..K``.

    Returns
    -------
    x : ndarray, shape (2L + lag + 1, n, K + 2), float32
        One-hot inputs. Id 0 is blank, ids 1..K the symbols, id K + 1 the cue
        ("now repeat"). Layout in time: L symbols, ``lag`` blanks, the cue, L blanks.
    y : ndarray, shape (2L + lag + 1, n), int64
        Target id at each step: blank (0) everywhere except the last L steps,
        which hold the L symbols in their original order.

    Notes
    -----
    Predicting blank everywhere is right on all but L steps; the interesting
    error is on the last L steps, ``y[-L:]``. See chapter 5, LSTM and GRU.
    """
    n = positive_int(n, "n")
    L = positive_int(seq_len, "seq_len")
    lag = positive_int(lag, "lag", 0)
    K = positive_int(n_symbols, "n_symbols")
    rng = check_rng(rng)
    T = 2 * L + lag + 1
    symbols = rng.integers(1, K + 1, size=(L, n))  # (L, n)
    ids = np.zeros((T, n), dtype=np.int64)  # (T, n)
    ids[:L] = symbols
    ids[L + lag] = K + 1
    y = np.zeros((T, n), dtype=np.int64)  # (T, n)
    y[T - L :] = symbols
    x = np.eye(K + 2, dtype=np.float32)[ids]  # (T, n, K + 2)
    return x, y


def delayed_recall(n, T, lag, rng):
    """Recall with a lag: output at step t the bit that came in at step t - lag.

    Parameters
    ----------
    n : int
        Number of sequences.
    T : int
        Sequence length (> lag).
    lag : int
        Delay in steps (>= 0).
    rng : numpy.random.Generator

    Returns
    -------
    x : ndarray, shape (T, n, 1), float32
        Random bits.
    y : ndarray, shape (T, n), int64
        ``y[t] = x[t - lag]`` for ``t >= lag``; -1 for the first ``lag`` steps
        (nothing to recall yet: pass ``ignore_index=-1`` to the loss).

    Notes
    -----
    The network must hold ``lag`` bits in its state at once. See chapter 5.
    """
    n = positive_int(n, "n")
    lag = positive_int(lag, "lag", 0)
    T = positive_int(T, "T", lag + 1)
    rng = check_rng(rng)
    bits = rng.integers(0, 2, size=(T, n))  # (T, n)
    y = np.full((T, n), -1, dtype=np.int64)  # (T, n)
    y[lag:] = bits[: T - lag]
    return bits[..., None].astype(np.float32), y


def temporal_xor(n_triplets, rng):
    """Elman's temporal XOR stream: two random bits, then their XOR, repeated.

    Parameters
    ----------
    n_triplets : int
        Number of (a, b, a XOR b) triplets.
    rng : numpy.random.Generator

    Returns
    -------
    bits : ndarray, shape (3 * n_triplets,), int64
        The stream. Only the positions ``i % 3 == 2`` are predictable from the
        past (they are the XOR of the two bits before them); the others are coin flips.

    Notes
    -----
    Trained to predict the next bit, a simple recurrent network's error drops
    only at every third step. Elman (1990). See chapter 2, The simple recurrent network.
    """
    n = positive_int(n_triplets, "n_triplets")
    rng = check_rng(rng)
    ab = rng.integers(0, 2, size=(n, 2))  # (n, 2)
    triplets = np.concatenate([ab, ab[:, :1] ^ ab[:, 1:]], axis=1)  # (n, 3)
    return triplets.reshape(-1).astype(np.int64)


def parity(n, T, rng):
    """Parity of a bit string: is the number of ones odd?

    Parameters
    ----------
    n : int
        Number of sequences.
    T : int
        Sequence length.
    rng : numpy.random.Generator

    Returns
    -------
    x : ndarray, shape (T, n, 1), float32
        Random bits.
    y : ndarray, shape (n,), int64
        1 when the sequence holds an odd number of ones, else 0.

    Notes
    -----
    One flipped bit anywhere flips the answer, so no fixed window suffices;
    a two-state recurrence solves it exactly. See chapter 1, Motivation.
    """
    n = positive_int(n, "n")
    T = positive_int(T, "T")
    rng = check_rng(rng)
    bits = rng.integers(0, 2, size=(T, n))  # (T, n)
    return bits[..., None].astype(np.float32), (bits.sum(0) % 2).astype(np.int64)


def palindrome(n, T, rng, n_symbols=2):
    """Is the sequence a palindrome? Balanced classes.

    Parameters
    ----------
    n : int
        Number of sequences.
    T : int
        Sequence length (>= 2).
    rng : numpy.random.Generator
    n_symbols : int, default 2
        Alphabet size K.

    Returns
    -------
    x : ndarray, shape (T, n, K), float32
        One-hot symbols.
    y : ndarray, shape (n,), int64
        1 for a palindrome (about half of them), 0 otherwise.

    Notes
    -----
    The first half must be held in memory and compared in reverse order with
    the second. See chapter 6, Applications (bidirectional networks).
    """
    n = positive_int(n, "n")
    T = positive_int(T, "T", 2)
    K = positive_int(n_symbols, "n_symbols", 2)
    rng = check_rng(rng)
    ids = rng.integers(0, K, size=(T, n))  # (T, n)
    y = rng.integers(0, 2, size=n).astype(np.int64)  # (n,)
    half = T // 2
    pal = y == 1
    ids[T - half :, pal] = ids[:half, pal][::-1]
    # make the negatives certainly not palindromes: change one mirrored position
    bad = (~pal) & np.all(ids[:half] == ids[::-1][:half], axis=0)
    if bad.any():
        cols = np.flatnonzero(bad)
        pos = rng.integers(0, half, size=cols.size)
        ids[pos, cols] = (ids[T - 1 - pos, cols] + rng.integers(1, K, size=cols.size)) % K
    return np.eye(K, dtype=np.float32)[ids], y


def noisy_sine(n, T, rng, noise=0.1, period=(10.0, 40.0)):
    """Sine waves with random period and phase plus Gaussian noise.

    Parameters
    ----------
    n : int
        Number of series.
    T : int
        Length of each series.
    rng : numpy.random.Generator
    noise : float, default 0.1
        Standard deviation of the added noise (>= 0).
    period : (float, float), default (10, 40)
        Range (in steps) the period is drawn from uniformly.

    Returns
    -------
    series : ndarray, shape (T, n), float32
        ``sin(2 pi t / P + phi) + noise * eps``.
    """
    return sum_of_sines(n, T, rng, n_components=1, noise=noise, period=period)


def sum_of_sines(n, T, rng, n_components=3, noise=0.0, period=(5.0, 50.0)):
    """Sums of sines with random periods, phases and amplitudes, plus optional noise.

    Parameters
    ----------
    n : int
        Number of series.
    T : int
        Length of each series.
    rng : numpy.random.Generator
    n_components : int, default 3
        Number of sines per series.
    noise : float, default 0.0
        Standard deviation of added Gaussian noise.
    period : (float, float), default (5, 50)
        Range of the periods (in steps).

    Returns
    -------
    series : ndarray, shape (T, n), float32
        ``sum_k a_k sin(2 pi t / P_k + phi_k) + noise * eps``; amplitudes
        ``a_k`` in [0.5, 1] (all 1 when ``n_components == 1``).
    """
    n = positive_int(n, "n")
    T = positive_int(T, "T")
    C = positive_int(n_components, "n_components")
    rng = check_rng(rng)
    if not noise >= 0:
        raise ValueError(f"noise: expected a standard deviation >= 0, got {noise!r}")
    lo, hi = period
    if not 0 < lo <= hi:
        raise ValueError(f"period: expected (low, high) with 0 < low <= high, got {period!r}")
    P = rng.uniform(lo, hi, size=(C, n))  # (C, n)
    phase = rng.uniform(0, 2 * np.pi, size=(C, n))  # (C, n)
    amp = np.ones((C, n)) if C == 1 else rng.uniform(0.5, 1.0, size=(C, n))  # (C, n)
    t = np.arange(T)[:, None, None]  # (T, 1, 1)
    series = (amp * np.sin(2 * np.pi * t / P + phase)).sum(1)  # (T, n)
    if noise > 0:
        series = series + noise * rng.standard_normal((T, n))
    return series.astype(np.float32)


def next_step_pairs(series):
    """Inputs and targets for one-step-ahead prediction of a series.

    Parameters
    ----------
    series : ndarray, shape (T, n)

    Returns
    -------
    x : ndarray, shape (T - 1, n, 1)
        ``series[:-1]`` with a feature axis.
    y : ndarray, shape (T - 1, n)
        ``series[1:]``: the next value, shaped like the output of a many-to-many
        regression model with one output (:class:`rnn_course.models.SequenceModel`).
    """
    series = np.asarray(series)
    if series.ndim != 2 or series.shape[0] < 2:
        raise ValueError(f"series: expected shape (T, n) with T >= 2, got {series.shape}")
    return series[:-1, :, None], series[1:]


def window_majority(n, T, rng, w=2):
    """Tag every bit with the majority of the window of ``2w + 1`` bits around it.

    Parameters
    ----------
    n : int
        Number of sequences.
    T : int
        Sequence length.
    rng : numpy.random.Generator
    w : int, default 2
        Half-width of the window (>= 0); the window of step t is ``[t - w, t + w]``,
        padded with zeros beyond the ends.

    Returns
    -------
    x : ndarray, shape (T, n, 1), float32
        Random bits.
    y : ndarray, shape (T, n), int64
        1 where more than ``w`` of the ``2w + 1`` bits of the window are ones.

    Notes
    -----
    The label of step t depends on ``w`` bits that come *after* it, so a
    left-to-right tagger can only guess them; a bidirectional one sees them.
    See chapter 6, Applications (bidirectional networks).
    """
    n = positive_int(n, "n")
    T = positive_int(T, "T")
    w = positive_int(w, "w", 0)
    rng = check_rng(rng)
    bits = rng.integers(0, 2, size=(T, n))  # (T, n)
    padded = np.pad(bits, ((w, w), (0, 0)))  # (T + 2w, n)
    ones = sum(padded[k : k + T] for k in range(2 * w + 1))  # (T, n)
    return bits[..., None].astype(np.float32), (ones > w).astype(np.int64)


# Appended for chapter 1 (issue 13).


def first_symbol_task(n, T, rng, n_symbols=4):
    """``n`` random sequences of length ``T``, each labelled by its first symbol.

    Parameters
    ----------
    n, T : int
    rng : numpy.random.Generator
    n_symbols : int, default 4
        K, the alphabet size; chance accuracy is 1 / K.

    Returns
    -------
    ids : ndarray of int, shape (T, n)
    labels : ndarray of int, shape (n,)
        ``ids[0]``. See chapter 1, An experiment: a window that cannot see far enough.
    """
    n = positive_int(n, "n")
    T = positive_int(T, "T")
    n_symbols = positive_int(n_symbols, "n_symbols", 2)
    rng = check_rng(rng)
    ids = rng.integers(0, n_symbols, size=(T, n))  # (T, n)
    return ids, ids[0].copy()  # (T, n), (n,)
