"""Typical mistakes of lesson 01, each written once as the change to the solution."""

from rnn_grade.registry import change

from . import solutions as s
from .checks import bow_ex, window_ex

WINDOW, BAG = s.one_hot_window, s.bag_of_words
ROWS = "onehot[t : t + window].reshape(-1) for t in range(T - window + 1)"
LOOP = "for v in tokens:\n        counts[v] += 1\n"

# One mistake in two to four lines, each as the change to the solution:
# fmt: off
# ------------------------------------------------------------------ one_hot_window
change(window_ex, WINDOW, "off by one: a sequence of T tokens has T - W + 1 windows of W tokens "
       "(range(T - W + 1)); the last window ends at the last token.",
       {"range(T - window + 1)": "range(T - window)"})
change(window_ex, WINDOW, "wrong flattening order: lay the W one-hot vectors one after the other "
       "(position-major, onehot[t:t + W].reshape(-1)), not interleaved by vocabulary entry.",
       {"window].reshape(-1)": "window].T.reshape(-1)"})
change(window_ex, WINDOW, "the window is reversed: the first V entries encode tokens[t], the "
       "oldest token of the window.", {"window].reshape(-1)": "window][::-1].reshape(-1)"})
change(window_ex, WINDOW, "the windows do not overlap: slide the window by one token (t = 0, 1, "
       "2, ...), not by W.", {"range(T - window + 1)": "range(0, T - window + 1, window)"})
change(window_ex, WINDOW, "token ids instead of one-hot vectors: each token becomes a vector of "
       "length V with a 1 at its id (np.eye(V)[tokens]).",
       {ROWS: ROWS.replace("onehot[", "tokens[").replace(".reshape(-1)", "")})
change(window_ex, WINDOW, "T rows instead of T - W + 1: the early windows are padded with zeros; "
       "only full windows count.",
       {"onehot = np.eye(vocab_size)[tokens]": "onehot = np.eye(vocab_size)[tokens]\n    onehot = "
        "np.concatenate([np.zeros((window - 1, vocab_size)), onehot])",
        "range(T - window + 1)": "range(T)"})

# ------------------------------------------------------------------ bag_of_words
change(bow_ex, BAG, "a repeated token is counted once: `counts[tokens] += 1` adds 1 once per "
       "distinct index; loop, or use np.add.at(counts, tokens, 1) or np.bincount.",
       {LOOP: "counts[tokens] += 1\n"})
change(bow_ex, BAG, "counts, not frequencies: do not divide by the length of the sequence.",
       {"return counts": "return counts / len(tokens)"})
change(bow_ex, BAG, "the vector must have length V = vocab_size, also when the largest ids never "
       "occur: np.bincount(tokens, minlength=vocab_size).",
       {"return counts": "return np.bincount(tokens)"})
change(bow_ex, BAG, "one entry per token that occurs: np.unique's counts skip the tokens that "
       "never occur; the vector has one entry per vocabulary entry.",
       {"return counts": "return np.unique(tokens, return_counts=True)[1]"})
change(bow_ex, BAG, "the one-hot rows are not summed: a bag of words is one vector of length V, "
       "the sum over the T one-hot vectors.",
       {"return counts": "return np.eye(vocab_size)[tokens]"})
change(bow_ex, BAG, "length V + 1: the ids run from 0 to V - 1, so the vector has V entries.",
       {"np.zeros(vocab_size)": "np.zeros(vocab_size + 1)"})
