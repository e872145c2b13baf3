"""Capstone of lesson 03: your backward pass trains a character model, min-char-rnn style.

Your ``srn_forward``, ``temporal_affine_forward``, ``softmax_cross_entropy`` and the
backward passes beside them are the whole model; your ``tbptt_chunks`` cuts the text.
Each update reads one chunk of ``SEQ_LEN`` characters from B parallel streams,
starting from the state the previous chunk ended in (truncated BPTT carries the state
but cuts the gradient), and takes a step with your ``adagrad_step``, the gradients
clipped to [-5, 5], as Karpathy's min-char-rnn does. Samples are printed before and after training.
"""

import time

import numpy as np

from rnn_course.batching import batchify
from rnn_grade.capstone import ready, show, text_ids

HIDDEN, SEQ_LEN, BATCH, LR = 64, 25, 8, 0.1
PARAMS = ("W_ih", "W_hh", "b_ih", "b_hh", "W_hy", "b_hy")


def init(V, H, rng):
    """Small random weights (torch's uniform(-1/sqrt(H), 1/sqrt(H))), zero output bias."""
    k = 1 / np.sqrt(H)
    p = {
        "W_ih": rng.uniform(-k, k, (H, V)),
        "W_hh": rng.uniform(-k, k, (H, H)),
        "b_ih": rng.uniform(-k, k, H),
        "b_hh": rng.uniform(-k, k, H),
        "W_hy": rng.uniform(-k, k, (V, H)),
    }
    return p | {"b_hy": np.zeros(V)}


def sample(fns, p, vocab, prime, n, rng):
    """``n`` characters after ``prime``: your forward, one step at a time, samples fed back."""
    V, H = p["W_hy"].shape
    h, ids = np.zeros((1, H)), list(vocab.encode(prime))
    rnn = [p[k] for k in PARAMS[:4]]
    for step in range(len(ids) - 1 + n):
        hs, _ = fns["srn_forward"](np.eye(V)[[ids[step]]][None], h, *rnn)  # (1, 1, H)
        h = hs[-1]
        if step >= len(ids) - 1:
            z, _ = fns["temporal_affine_forward"](hs, p["W_hy"], p["b_hy"])  # (1, 1, V)
            q = np.exp(z[0, 0] - z[0, 0].max())
            ids.append(int(rng.choice(V, p=q / q.sum())))
    return vocab.decode(np.array(ids[len(prime) :]))


def update(fns, p, x, y, h0):
    """One truncated-BPTT step on chunk (x, y) from state h0: (loss, grads, last state)."""
    V = p["W_hy"].shape[0]
    h, rnn_cache = fns["srn_forward"](np.eye(V)[x], h0, *[p[k] for k in PARAMS[:4]])
    logits, out_cache = fns["temporal_affine_forward"](h, p["W_hy"], p["b_hy"])
    loss, dlogits = fns["softmax_cross_entropy"](logits, y)
    dh, dW_hy, db_hy = fns["temporal_affine_backward"](dlogits, out_cache)
    _, _, *d_rnn = fns["srn_backward"](dh, rnn_cache)
    return loss, dict(zip(PARAMS, [*d_rnn, dW_hy, db_hy], strict=True)), h[-1]


def train(fns, steps=600, seed=0, max_chars=100_000, n_sample=120):
    """Train on the pydoc text with your functions; return losses and samples."""
    rng = np.random.default_rng(seed)
    vocab, ids = text_ids(max_chars)
    p = init(len(vocab), HIDDEN, rng)
    memory = {k: np.zeros_like(v) for k, v in p.items()}  # Adagrad's sums of squares
    before = sample(fns, p, vocab, "The ", n_sample, rng)
    stream, losses, h = batchify(ids, BATCH), [], None
    chunks = iter(())
    while len(losses) < steps:
        try:
            x, y = next(chunks)
        except StopIteration:  # start again at the beginning of the text
            chunks, h = fns["tbptt_chunks"](stream, SEQ_LEN), np.zeros((BATCH, HIDDEN))
            continue
        loss, grads, h = update(fns, p, x, y, h)  # h: carried into the next chunk
        for k, g in grads.items():  # your Adagrad step, gradients clipped as min-char-rnn
            p[k], memory[k] = fns["adagrad_step"](p[k], np.clip(g, -5, 5), memory[k], LR)
        losses.append(loss)
    after = sample(fns, p, vocab, "The ", n_sample, rng)
    return {"loss": np.array(losses), "before": before, "after": after, "V": len(vocab)}


NAMES = ("srn_forward", "srn_backward", "temporal_affine_forward", "temporal_affine_backward",
         "softmax_cross_entropy", "tbptt_chunks", "adagrad_step")  # fmt: skip


def run(namespace, steps=800, seed=0):
    """Train with the functions of ``namespace`` (your notebook's ``globals()``)."""
    fns = {k: namespace[k] for k in NAMES if k in namespace}
    graded = [k for k in NAMES if "forward" not in k]  # the forwards: checked with them
    if not ready(**{k: fns.get(k) for k in graded}):
        return None
    start = time.perf_counter()
    out = train(fns, steps, seed)
    out["seconds"] = time.perf_counter() - start
    first, last = out["loss"][:20].mean(), out["loss"][-20:].mean()
    V = out["V"]
    show(f"before training ({V} characters, uniform guessing {np.log(V):.2f} nats):",
         "The " + out["before"])  # fmt: skip
    print(f"{steps} updates in {out['seconds']:.1f} s: loss {first:.2f} -> {last:.2f}")
    show("after training:", "The " + out["after"])
    return out
