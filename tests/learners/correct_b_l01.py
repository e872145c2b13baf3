"""Lesson 01 vectorised: strided views, np.add.at."""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def one_hot_window(tokens, vocab_size, window):
    windows = sliding_window_view(np.asarray(tokens), window)  # (T - W + 1, W)
    onehot = windows[..., None] == np.arange(vocab_size)  # (T - W + 1, W, V)
    return onehot.reshape(len(windows), -1).astype(np.float64)


def bag_of_words(tokens, vocab_size):
    counts = np.zeros(vocab_size, dtype=np.float64)
    np.add.at(counts, tokens, 1.0)
    return counts
