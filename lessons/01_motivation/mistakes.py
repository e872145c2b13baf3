"""Typical mistakes of lesson 01, each written once with its feedback."""

import numpy as np

from rnn_grade.registry import mistake

from .checks import bow_ex, window_ex

# ------------------------------------------------------------------ one_hot_window


@mistake(
    window_ex,
    "off by one: a sequence of T tokens has T - W + 1 windows of W tokens "
    "(range(T - W + 1)); the last window ends at the last token.",
)
def window_one_short(tokens, vocab_size, window):
    onehot = np.eye(vocab_size)[tokens]
    rows = [onehot[t : t + window].reshape(-1) for t in range(len(tokens) - window)]
    return np.stack(rows) if rows else np.zeros((0, window * vocab_size))


@mistake(
    window_ex,
    "wrong flattening order: lay the W one-hot vectors one after the other "
    "(position-major, onehot[t:t + W].reshape(-1)), not interleaved by vocabulary entry.",
)
def window_vocab_major(tokens, vocab_size, window):
    onehot = np.eye(vocab_size)[tokens]
    rows = [onehot[t : t + window].T.reshape(-1) for t in range(len(tokens) - window + 1)]
    return np.stack(rows)


@mistake(
    window_ex,
    "the window is reversed: the first V entries encode tokens[t], the oldest token of the window.",
)
def window_reversed(tokens, vocab_size, window):
    onehot = np.eye(vocab_size)[tokens]
    rows = [onehot[t : t + window][::-1].reshape(-1) for t in range(len(tokens) - window + 1)]
    return np.stack(rows)


@mistake(
    window_ex,
    "the windows do not overlap: slide the window by one token (t = 0, 1, 2, ...), not by W.",
)
def window_stride_w(tokens, vocab_size, window):
    onehot = np.eye(vocab_size)[tokens]
    starts = range(0, len(tokens) - window + 1, window)
    return np.stack([onehot[t : t + window].reshape(-1) for t in starts])


@mistake(
    window_ex,
    "token ids instead of one-hot vectors: each token becomes a vector of "
    "length V with a 1 at its id (np.eye(V)[tokens]).",
)
def window_ids(tokens, vocab_size, window):
    return np.stack([tokens[t : t + window] for t in range(len(tokens) - window + 1)])


@mistake(
    window_ex,
    "T rows instead of T - W + 1: the early windows are padded with zeros; "
    "only full windows count.",
)
def window_padded(tokens, vocab_size, window):
    onehot = np.eye(vocab_size)[tokens]
    padded = np.concatenate([np.zeros((window - 1, vocab_size)), onehot])
    return np.stack([padded[t : t + window].reshape(-1) for t in range(len(tokens))])


# ------------------------------------------------------------------ bag_of_words


@mistake(
    bow_ex,
    "a repeated token is counted once: `counts[tokens] += 1` adds 1 once per "
    "distinct index; loop, or use np.add.at(counts, tokens, 1) or np.bincount.",
)
def bow_fancy_index(tokens, vocab_size):
    counts = np.zeros(vocab_size)
    counts[tokens] += 1
    return counts


@mistake(bow_ex, "counts, not frequencies: do not divide by the length of the sequence.")
def bow_frequencies(tokens, vocab_size):
    return np.bincount(tokens, minlength=vocab_size) / len(tokens)


@mistake(
    bow_ex,
    "the vector must have length V = vocab_size, also when the largest ids never "
    "occur: np.bincount(tokens, minlength=vocab_size).",
)
def bow_no_minlength(tokens, vocab_size):
    return np.bincount(tokens)


@mistake(
    bow_ex,
    "one entry per token that occurs: np.unique's counts skip the tokens that "
    "never occur; the vector has one entry per vocabulary entry.",
)
def bow_unique(tokens, vocab_size):
    return np.unique(tokens, return_counts=True)[1]


@mistake(
    bow_ex,
    "the one-hot rows are not summed: a bag of words is one vector of length V, "
    "the sum over the T one-hot vectors.",
)
def bow_onehot_rows(tokens, vocab_size):
    return np.eye(vocab_size)[tokens]


@mistake(bow_ex, "length V + 1: the ids run from 0 to V - 1, so the vector has V entries.")
def bow_one_too_long(tokens, vocab_size):
    counts = np.zeros(vocab_size + 1)
    for v in tokens:
        counts[v] += 1
    return counts
