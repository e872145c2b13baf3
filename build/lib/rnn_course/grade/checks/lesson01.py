"""Checks of lesson 01: one-hot windows and bags of words."""

import numpy as np

from ..probes import call, expect_array, expect_close
from ..registry import Exercise

window_ex = Exercise("one_hot_window", "01", "rnn_course.grade.reference:one_hot_window")
bow_ex = Exercise("bag_of_words", "01", "rnn_course.grade.reference:bag_of_words")

TOKENS = np.array([2, 0, 3, 3, 1, 0, 4])  # T = 7, V = 5


def _window_args(tokens=TOKENS, V=5, W=3):
    return {"tokens": tokens.copy(), "vocab_size": V, "window": W}


def _onehot(tokens, V):
    return np.eye(V)[tokens]


@window_ex.check
def window_shape(fn):
    """one row per window: shape (T - W + 1, W * V)"""
    X = call(fn, _window_args())
    X = np.asarray(X, dtype=float) if isinstance(X, np.ndarray) else X
    T, V, W = 7, 5, 3
    if isinstance(X, np.ndarray) and X.ndim == 2 and X.shape[1] == W * V:
        if X.shape[0] == T - W:
            raise AssertionError(
                "off by one: a sequence of T tokens has T - W + 1 windows of W tokens "
                "(range(T - W + 1)), the last one ends at the last token."
            )
    expect_array(X, (T - W + 1, W * V), "X")


@window_ex.check
def window_values(fn):
    """row t = one-hot of tokens[t], ..., tokens[t + W - 1], position-major"""
    X = np.asarray(call(fn, _window_args()), dtype=float)
    oh = _onehot(TOKENS, 5)  # (T, V)
    want = np.stack([oh[t : t + 3].reshape(-1) for t in range(5)])
    vocab_major = np.stack([oh[t : t + 3].T.reshape(-1) for t in range(5)])
    reversed_ = np.stack([oh[t : t + 3][::-1].reshape(-1) for t in range(5)])
    expect_close(
        X,
        want,
        "X",
        [
            (
                "wrong flattening order: put the W one-hot vectors one after the other "
                "(position-major, oh[t:t + W].reshape(-1)), not interleaved by vocabulary entry.",
                vocab_major,
            ),
            (
                "the window is reversed: the first V entries should encode tokens[t], the "
                "oldest token.",
                reversed_,
            ),
        ],
    )


@window_ex.check
def window_of_one(fn):
    """W = 1 gives the plain one-hot encoding (T, V)"""
    X = np.asarray(call(fn, _window_args(W=1)), dtype=float)
    expect_close(X, _onehot(TOKENS, 5), "X")


@bow_ex.check
def bow_shape(fn):
    """returns a vector of length V, even when the last tokens never occur"""
    tokens = np.array([0, 1, 1, 0])  # tokens 2, 3, 4 never occur
    c = call(fn, {"tokens": tokens, "vocab_size": 5})
    if isinstance(c, np.ndarray) and c.shape == (2,):
        raise AssertionError(
            "the vector has one entry per token that occurs, not one per vocabulary entry: "
            "use np.bincount(tokens, minlength=vocab_size) or np.zeros(vocab_size)."
        )
    expect_array(np.asarray(c, dtype=float) if isinstance(c, np.ndarray) else c, (5,), "counts")


@bow_ex.check
def bow_counts(fn):
    """counts[v] = how many times token v occurs"""
    c = call(fn, {"tokens": TOKENS.copy(), "vocab_size": 5})
    c = np.asarray(c, dtype=float) if isinstance(c, np.ndarray) else c
    want = np.array([2.0, 1, 1, 2, 1])
    expect_close(
        c,
        want,
        "counts",
        [
            (
                "counts, not presence: a token that occurs twice should count 2, not 1.",
                (want > 0).astype(float),
            ),
            ("counts, not frequencies: do not divide by the length of the sequence.", want / 7),
        ],
    )


@bow_ex.check
def bow_order_free(fn):
    """a reordered sequence gives the same bag (what a bag of words loses: order)"""
    a = np.asarray(call(fn, {"tokens": TOKENS.copy(), "vocab_size": 5}), dtype=float)
    b = np.asarray(call(fn, {"tokens": TOKENS[::-1].copy(), "vocab_size": 5}), dtype=float)
    expect_close(b, a, "counts of the reversed sequence")
