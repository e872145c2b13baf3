"""Trusted harnesses of lesson 03: they call a learner's function whose arguments or
results are not plain data (a callable ``f``, a generator), in the learner's process
(``probes.in_learner``), and return plain data. NumPy only.
"""

import numpy as np


def numeric_gradient_case(fn, case, x, A=None, df=None):
    """Call ``fn(f, x[, df])`` for the probe function ``case``; return (grad, x after)."""
    x = np.array(x, dtype=np.float64)
    if case == "cube":
        grad = fn(lambda v: v**3, x)
    elif case == "linear":
        grad = fn(lambda v: A @ v, x, df)
    elif case == "closure":  # f ignores its argument and reads x itself
        grad = fn(lambda _ignored: np.sum(np.sin(x)), x)
    else:
        raise ValueError(f"unknown case {case!r}")
    return grad, x


def chunks_case(fn, stream, seq_len):
    """Run ``fn(stream, seq_len)`` to the end; return (count, lengths, x, y) as arrays."""
    lengths, xs, ys = [], [], []
    for pair in fn(stream, seq_len):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"tbptt_chunks should yield (x, y) pairs, got {type(pair).__name__}")
        x, y = (np.asarray(a) for a in pair)
        lengths.append((len(x), len(y)))
        xs.append(x)
        ys.append(y)
    if not xs:
        return 0, np.zeros((0, 2), dtype=int), np.zeros((0,)), np.zeros((0,))
    return len(xs), np.array(lengths), np.concatenate(xs), np.concatenate(ys)
