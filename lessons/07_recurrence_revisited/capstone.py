"""Capstone of lesson 07: your minGRU trains a character model, and your scan meets your loop.

1. ``train(min_gru_sequence, scan_backward)``: a one-layer minGRU character model in
   NumPy (one-hot characters in, a linear read-out) trained with Adam on the start
   of the ``pydoc`` corpus, truncated BPTT carrying the state from chunk to chunk.
   Your ``min_gru_sequence`` (through your ``linear_scan``) computes every state and
   your ``scan_backward`` the gradient through the recurrence; the rest of the
   backward pass (gates, read-out) is written here.
2. ``race(min_gru_step, min_gru_sequence)``: CPU time of your step looped over T
   against your sequence function (your scan), T = 64 to 4096, as ratios.

Until your functions pass their checks these print what is still to do and return None.
"""

import os
import time

import numpy as np

from rnn_grade.capstone import ready, text_ids

CHARS, HIDDEN, BATCH, SEQ_LEN, STEPS, LR = 40_000, 64, 16, 32, 300, 0.01
LENGTHS = (64, 256, 1024, 4096)


def _sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def _chunks(ids, batch, seq_len):
    n = (len(ids) - 1) // batch
    x = ids[: n * batch].reshape(batch, n).T  # (n, B): column b is one stream
    y = ids[1 : n * batch + 1].reshape(batch, n).T
    while True:
        for s in range(0, n - seq_len + 1, seq_len):
            yield x[s : s + seq_len], y[s : s + seq_len]


def _adam(params, grads, state, lr, t, b1=0.9, b2=0.999, eps=1e-8):
    for k in params:
        m, v = state.setdefault(k, (np.zeros_like(params[k]), np.zeros_like(params[k])))
        m = b1 * m + (1 - b1) * grads[k]
        v = b2 * v + (1 - b2) * grads[k] ** 2
        state[k] = (m, v)
        params[k] -= lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)


def train_char_model(min_gru_sequence, scan_backward, steps=STEPS, seed=0):
    """Train with your functions; returns {"loss" (steps,), "vocab_size", "params"}."""
    vocab, ids = text_ids(CHARS)
    V, H = len(vocab), HIDDEN
    rng = np.random.default_rng(seed)
    p = {"W_ih": rng.uniform(-1, 1, (2 * H, V)) / np.sqrt(H), "b_ih": np.zeros(2 * H),
         "W_hy": rng.normal(0, 1 / np.sqrt(H), (V, H)), "b_hy": np.zeros(V)}
    eye, state, opt, losses = np.eye(V), np.zeros((BATCH, H)), {}, []
    data = _chunks(ids, BATCH, SEQ_LEN)
    for step in range(1, steps + 1):
        xi, yi = next(data)
        x = eye[xi]  # (T, B, V) one-hot
        h = min_gru_sequence(x, state, p["W_ih"], p["b_ih"])  # (T, B, H): yours
        k = x @ p["W_ih"].T + p["b_ih"]  # the gates again, for the backward pass
        z, n = _sig(k[..., :H]), k[..., H:]
        logits = h @ p["W_hy"].T + p["b_hy"]  # (T, B, V)
        logits -= logits.max(-1, keepdims=True)
        prob = np.exp(logits)
        prob /= prob.sum(-1, keepdims=True)
        T_, B_ = yi.shape
        rows = (np.arange(T_)[:, None], np.arange(B_)[None, :], yi)
        losses.append(float(-np.log(prob[rows]).mean()))
        dlogits = prob
        dlogits[rows] -= 1
        dlogits /= T_ * B_
        dh = dlogits @ p["W_hy"]  # (T, B, H)
        da, db, _ = scan_backward(dh, z, h, state)  # yours: through the recurrence
        dk = np.concatenate([(da - db * n) * z * (1 - z), db * (1 - z)], axis=-1)
        grads = {"W_ih": dk.reshape(-1, 2 * H).T @ x.reshape(-1, V),
                 "b_ih": dk.reshape(-1, 2 * H).sum(0),
                 "W_hy": dlogits.reshape(-1, V).T @ h.reshape(-1, H),
                 "b_hy": dlogits.reshape(-1, V).sum(0)}
        _adam(p, grads, opt, LR, step)
        state = h[-1]  # carried into the next chunk, the graph cut (truncated BPTT)
    return {"loss": np.array(losses), "vocab_size": V, "params": p}


def train(min_gru_sequence, scan_backward):
    """Train the character model with your functions; print the loss; returns the run."""
    if not ready(min_gru_sequence=min_gru_sequence, scan_backward=scan_backward):
        return None
    run = train_char_model(min_gru_sequence, scan_backward)
    loss = run["loss"]
    print(f"{STEPS} steps of a minGRU character model ({HIDDEN} units) on {CHARS:,} characters")
    print(f"loss (nats per character): first 10 steps {loss[:10].mean():.2f}, "
          f"last 50 steps {loss[-50:].mean():.2f}; guessing uniformly: "
          f"{np.log(run['vocab_size']):.2f}")
    return run


def time_loop_and_scan(min_gru_step, min_gru_sequence, lengths=LENGTHS, repeats=3, seed=0):
    """{T: (loop seconds, scan seconds)}: best CPU time of each, measured in turns."""
    rng = np.random.default_rng(seed)
    B, D, H = 4, 8, 32
    W, b = rng.normal(size=(2 * H, D)) / np.sqrt(D), rng.normal(size=2 * H)
    out = {}
    for T in lengths:
        x, h0 = rng.normal(size=(T, B, D)), np.zeros((B, H))
        best = [np.inf, np.inf]
        for _ in range(repeats):
            start = time.process_time()
            h = h0
            for x_t in x:
                h = min_gru_step(x_t, h, W, b)
            best[0] = min(best[0], time.process_time() - start)
            start = time.process_time()
            min_gru_sequence(x, h0, W, b)
            best[1] = min(best[1], time.process_time() - start)
        out[T] = tuple(best)
    return out


def race(min_gru_step, min_gru_sequence):
    """Print your loop's time over your scan's, for T = 64 .. 4096; returns the timings."""
    if not ready(min_gru_step=min_gru_step, min_gru_sequence=min_gru_sequence):
        return None
    times = time_loop_and_scan(min_gru_step, min_gru_sequence)
    print(f"{os.cpu_count()} CPU cores; your step looped T times / your scan "
          "(above 1: the scan is faster)")
    for T, (loop, scan) in times.items():
        print(f"  T = {T:>5}: {loop / scan:6.2f}")
    print("On a CPU, time follows the work (how many compositions), not the depth "
          "(how many rounds);\nthe scan's few rounds pay off on parallel hardware.")
    return times
