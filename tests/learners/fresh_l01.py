"""Fresh wrong solutions of lesson 01 (not the catalogue), with the words naming each."""

import numpy as np

from . import fresh


@fresh("one_hot_window", "off by one", "T - W + 1")
def window_range_short(tokens, vocab_size, window):
    eye = np.eye(vocab_size)
    return np.array(
        [np.concatenate(eye[tokens[t : t + window]]) for t in range(len(tokens) - window)]
    )


@fresh("one_hot_window", "flattening order", "position-major")
def window_fortran(tokens, vocab_size, window):
    eye = np.eye(vocab_size)
    n = len(tokens) - window + 1
    return np.stack([eye[tokens[t : t + window]].flatten(order="F") for t in range(n)])


@fresh("one_hot_window", "reversed")
def window_newest_first(tokens, vocab_size, window):
    eye = np.eye(vocab_size)
    n = len(tokens) - window + 1
    return np.stack(
        [np.concatenate([eye[tokens[t + window - 1 - k]] for k in range(window)]) for t in range(n)]
    )


@fresh("one_hot_window", "one-hot", "token ids")
def window_raw_ids(tokens, vocab_size, window):
    n = len(tokens) - window + 1
    return np.array([tokens[t : t + window] for t in range(n)], dtype=float)


@fresh("one_hot_window", "padded", "T rows")
def window_all_positions(tokens, vocab_size, window):
    eye = np.eye(vocab_size)
    X = np.zeros((len(tokens), window * vocab_size))
    for t in range(len(tokens)):
        for k in range(window):
            s = t - window + 1 + k
            if s >= 0:
                X[t, k * vocab_size : (k + 1) * vocab_size] = eye[tokens[s]]
    return X


@fresh("bag_of_words", "repeated token", "counted once")
def bow_set_index(tokens, vocab_size):
    c = np.zeros(vocab_size)
    c[np.asarray(tokens)] = c[np.asarray(tokens)] + 1
    return c


@fresh("bag_of_words", "frequencies")
def bow_mean_onehot(tokens, vocab_size):
    return np.eye(vocab_size)[tokens].mean(axis=0)


@fresh("bag_of_words", "length v")
def bow_plain_bincount(tokens, vocab_size):
    return np.bincount(np.asarray(tokens)).astype(float)


@fresh("bag_of_words", "summed", "one vector")
def bow_no_sum(tokens, vocab_size):
    return (np.asarray(tokens)[:, None] == np.arange(vocab_size)).astype(float)


# ---- written after the catalogue, to probe past it (bugs the catalogue does not list)


@fresh("bag_of_words", "histogram", "bins")
def bow_histogram(tokens, vocab_size):
    return np.histogram(tokens, bins=vocab_size)[0].astype(float)


@fresh("one_hot_window", "window", "W")
def window_ignores_w(tokens, vocab_size, window):
    eye = np.eye(vocab_size)
    return np.stack([np.concatenate(eye[tokens[t : t + 2]]) for t in range(len(tokens) - 1)])
