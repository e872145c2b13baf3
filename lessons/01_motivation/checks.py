"""Checks of lesson 01: one-hot windows and bags of words."""

import numpy as np

from rnn_grade.probes import expect_outputs
from rnn_grade.registry import Exercise

window_ex = Exercise(
    "one_hot_window",
    "01",
    "rnn_grade.lessons.l01_motivation.solutions:one_hot_window",
    returns=("X",),
)
bow_ex = Exercise(
    "bag_of_words",
    "01",
    "rnn_grade.lessons.l01_motivation.solutions:bag_of_words",
    returns=("counts",),
)

TOKENS = np.array([2, 0, 3, 3, 1, 0, 4])  # T = 7, V = 5


@window_ex.check
def window_three(fn):
    """T = 7, V = 5, W = 3: rows are windows, position-major, shape (T - W + 1, W * V)"""
    expect_outputs(window_ex, fn, {"tokens": TOKENS.copy(), "vocab_size": 5, "window": 3})


@window_ex.check
def window_of_one(fn):
    """W = 1 gives the plain one-hot encoding (T, V)"""
    expect_outputs(window_ex, fn, {"tokens": TOKENS.copy(), "vocab_size": 5, "window": 1})


@window_ex.check
def window_whole(fn):
    """W = T = 4 gives one row: the whole sequence, V = 6"""
    tokens = np.array([5, 1, 1, 0])
    expect_outputs(window_ex, fn, {"tokens": tokens, "vocab_size": 6, "window": 4})


@bow_ex.check
def bow_counts(fn):
    """counts[v] = how many times token v occurs (T = 7, V = 5)"""
    expect_outputs(bow_ex, fn, {"tokens": TOKENS.copy(), "vocab_size": 5})


@bow_ex.check
def bow_unused(fn):
    """a vector of length V, even when some tokens never occur (V = 6)"""
    expect_outputs(bow_ex, fn, {"tokens": np.array([3, 0, 3, 1]), "vocab_size": 6})


@bow_ex.check
def bow_order_free(fn):
    """a reordered sequence gives the same bag (what a bag of words loses: order)"""
    expect_outputs(bow_ex, fn, {"tokens": TOKENS[::-1].copy(), "vocab_size": 5})
