"""Hints of lesson 01, in steps: the idea, the equation, a skeleton with blanks."""

HINTS = {
    "one_hot_window": [
        "Turn every token into its one-hot vector first, then slide a window of W rows "
        "over them, one token at a time, and flatten each window into one long row.",
        "onehot = eye(V)[tokens]    # (T, V)\n"
        "X[t] = concat(onehot[t], onehot[t + 1], ..., onehot[t + W - 1]),  t = 0 .. T - W",
        "onehot = np.eye(____)[tokens]\n"
        "rows = [onehot[t : t + ____].reshape(-1) for t in range(____)]\n"
        "return np.stack(rows)",
    ],
    "bag_of_words": [
        "Start from V zeros and add one for every token you read; the positions are "
        "forgotten, only the counts stay.",
        "counts[v] = number of t with tokens[t] == v,  v = 0 .. V - 1",
        "counts = np.zeros(____)\nfor v in tokens:\n    counts[____] += ____\nreturn counts",
    ],
}
