import numpy as np

from . import mistake


@mistake("one_hot_window", "off by one")
def window_off_by_one(tokens, vocab_size, window):
    oh = np.eye(vocab_size)[tokens]
    return np.stack([oh[t : t + window].reshape(-1) for t in range(len(tokens) - window)])


@mistake("one_hot_window", "wrong flattening order")
def window_vocab_major(tokens, vocab_size, window):
    oh = np.eye(vocab_size)[tokens]
    return np.stack([oh[t : t + window].T.reshape(-1) for t in range(len(tokens) - window + 1)])


@mistake("one_hot_window", "reversed")
def window_reversed(tokens, vocab_size, window):
    oh = np.eye(vocab_size)[tokens]
    return np.stack([oh[t : t + window][::-1].reshape(-1) for t in range(len(tokens) - window + 1)])


@mistake("bag_of_words", "counts, not presence")
def bow_presence(tokens, vocab_size):
    v = np.zeros(vocab_size)
    v[tokens] = 1
    return v


@mistake("bag_of_words", "counts, not frequencies")
def bow_frequencies(tokens, vocab_size):
    return np.bincount(tokens, minlength=vocab_size) / len(tokens)


@mistake("bag_of_words", "one per vocabulary entry")
def bow_no_minlength(tokens, vocab_size):
    return np.bincount(tokens).astype(float)
