"""Capstone of lesson 01: your features redo chapter 1's first-symbol experiment.

Every sequence has T = 10 random symbols out of K = 4 (``data.tasks.first_symbol_task``),
and its label is the first symbol, T - 1 steps before the end. Chapter 1's classifier
(``rnn_course.classify.fit_softmax_regression``) is trained on your features of each
sequence: the one-hot window of its last w symbols (``one_hot_window(seq, K, w)[-1]``)
or its bag of words. A window that misses the first symbol is at chance (1/K); one
that covers it is perfect; a bag of words keeps the counts but not which symbol came
first.
"""

import numpy as np

from rnn_course.classify import fit_softmax_regression
from rnn_course.data.tasks import first_symbol_task
from rnn_grade.capstone import ready

K, T = 4, 10  # alphabet size (chance = 1 / K), sequence length


def accuracy(features, seed=0, n=1000):
    """Test accuracy of softmax regression on ``features(seq)`` of every sequence."""
    rng = np.random.default_rng(seed)
    (ids, y), (ids_test, y_test) = first_symbol_task(n, T, rng), first_symbol_task(n, T, rng)
    X = np.stack([np.asarray(features(s), dtype=float) for s in ids.T])  # ids: (T, n)
    X_test = np.stack([np.asarray(features(s), dtype=float) for s in ids_test.T])
    W, b = fit_softmax_regression(X, y, K)  # chapter 1's classifier
    return float(np.mean((X_test @ W + b).argmax(1) == y_test))


def run(one_hot_window, bag_of_words, windows=(1, 3, 5, 7, 9, 10), seed=0):
    """Accuracy of the window model for each w and of the bag of words; printed, returned."""
    if not ready(one_hot_window=one_hot_window, bag_of_words=bag_of_words):
        return None
    by_window = {w: accuracy(lambda s, w=w: one_hot_window(s, K, w)[-1], seed) for w in windows}
    bow = accuracy(lambda s: bag_of_words(s, K), seed)
    print(f"first-symbol task: T = {T}, K = {K}, chance = {1 / K:.2f}; test accuracy of")
    for w, acc in by_window.items():
        note = "sees the first symbol" if w >= T else "misses the first symbol"
        print(f"  a window of w = {w:>2}: {acc:.2f}   ({note})")
    print(f"  the bag of words:    {bow:.2f}")
    return {"window": by_window, "bag_of_words": bow, "chance": 1 / K}
