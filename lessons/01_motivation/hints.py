"""Hints of lesson 01, in steps: the idea, the equation, a skeleton with blanks."""

HINTS = {
    "one_hot_window": [
        "Turn every token into its one-hot vector first, then slide a window of W rows "
        "over them, one token at a time, and flatten each window into one long row.",
        "e(v) = the one-hot row of token v (length V)\n"
        "X[t] = [e(tokens[t]), e(tokens[t+1]), ..., e(tokens[t+W-1])]   (length W·V),  t = 0 "
        ".. T - W\n"
        "X has shape (T - W + 1, W·V); X[t, k·V + v] = 1 exactly when tokens[t + k] = v",
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
