"""Capstone of lesson 02: your SRN and softmax layer write text with trained weights.

The weights in ``weights.npz`` were trained by the library (``make_weights.py``: the
NumPy language model of ``rnn_course.numpy_lm``, 100 hidden units as in min-char-rnn,
on 90% of the pydoc corpus). Your ``srn_forward`` and ``softmax_output`` read the
held-out 10% with them (the probability they give each next character is the
model's) and write new text, one character at a time, each sample fed back in.
"""

import numpy as np

from rnn_grade.capstone import CharVocab, load_corpus, ready, show

from .make_weights import PATH


def load():
    """(weights of the SRN, W_hy, b_hy, vocab, held-out token ids), all float64."""
    with np.load(PATH) as f:
        w = {k: f[k].astype(np.float64) for k in ("W_ih", "W_hh", "b_ih", "b_hh")}
        W_hy, b_hy = f["W_hy"].astype(np.float64), f["b_hy"].astype(np.float64)
        vocab, split = CharVocab(list(f["chars"][1:])), int(f["split"])
    text = load_corpus("pydoc")
    return w, W_hy, b_hy, vocab, np.asarray(vocab.encode(text[split:]))


def mean_loss(srn_forward, softmax_output, weights, W_hy, b_hy, ids):
    """Mean cross-entropy (nats per character) of your model's predictions of ``ids``."""
    V = W_hy.shape[0]
    x = np.eye(V)[ids[:-1]][:, None]  # (T, 1, V) one-hot, a batch of one
    h, _ = srn_forward(x, np.zeros((1, W_hy.shape[1])), **weights)
    probs = softmax_output(h, W_hy, b_hy)[:, 0]  # (T, V)
    return float(-np.mean(np.log(probs[np.arange(len(ids) - 1), ids[1:]])))


def generate(srn_forward, softmax_output, weights, W_hy, b_hy, vocab, prime, n, rng):
    """``n`` characters after ``prime``, sampled from your model's probabilities."""
    V, H = W_hy.shape
    h, out = np.zeros((1, H)), []
    ids = list(vocab.encode(prime))
    for step in range(len(ids) - 1 + n):
        x = np.eye(V)[[ids[step]]][None]  # (1, 1, V): one step of one sequence
        hs, _ = srn_forward(x, h, **weights)
        h = hs[-1]  # carry the state to the next character
        if step >= len(ids) - 1:
            p = softmax_output(hs, W_hy, b_hy)[0, 0]  # (V,)
            ids.append(int(rng.choice(V, p=p / p.sum())))
            out.append(ids[-1])
    return vocab.decode(np.array(out))


def run(srn_forward, softmax_output, seed=0):
    """Read and write text with your functions; print and return the results."""
    if not ready(srn_forward=srn_forward, softmax_output=softmax_output):
        return None
    weights, W_hy, b_hy, vocab, held_out = load()
    loss = mean_loss(srn_forward, softmax_output, weights, W_hy, b_hy, held_out[:2000])
    uniform = float(np.log(len(vocab)))
    rng = np.random.default_rng(seed)
    text = generate(srn_forward, softmax_output, weights, W_hy, b_hy, vocab, "The ", 200, rng)
    print(f"your SRN on held-out text: {loss:.2f} nats per character")
    print(f"(guessing uniformly: {uniform:.2f})")
    show("your SRN writes:", "The " + text)
    return {
        "loss": loss,
        "uniform": uniform,
        "text": text,
    }
