"""Lesson 01 with explicit loops, integer counts."""

import numpy as np


def one_hot_window(tokens, vocab_size, window):
    n = len(tokens) - window + 1
    X = np.zeros((n, window * vocab_size))
    for t in range(n):
        for k in range(window):
            X[t, k * vocab_size + tokens[t + k]] = 1.0
    return X


def bag_of_words(tokens, vocab_size):
    counts = [0] * vocab_size
    for v in tokens.tolist():
        counts[v] = counts[v] + 1
    return np.array(counts)
