"""Capstone of lesson 06: your training step trains a character model; your sampler writes.

1. ``train_char_model(tbptt_train_step)``: a one-layer tanh character model
   (``harness.CharRNN``) trained on the start of the ``pydoc`` corpus (Python's
   own help pages) chunk by chunk with your truncated-BPTT step, the state
   carried from chunk to chunk. The loss falls from about log V.
2. ``write(model, vocab, sample_tokens, temperatures)``: your sampling loop on
   the trained weights, at three temperatures (same random numbers each time).

``train`` and ``write_text`` print the results; until your functions pass their
checks they print what is still to do and return None.
"""

import numpy as np
import torch

from rnn_grade.capstone import load_corpus, ready

from .harness import CharRNN

CHARS, HIDDEN, BATCH, SEQ_LEN, STEPS, LR, MAX_NORM = 50_000, 96, 32, 32, 300, 0.01, 1.0
TEMPERATURES = (0.3, 1.0, 1.8)


def corpus(chars=CHARS):
    """(ids (N,) int64, vocab list of characters) of the start of the pydoc corpus."""
    text = load_corpus("pydoc", max_chars=chars)
    vocab = sorted(set(text))
    index = {c: i for i, c in enumerate(vocab)}
    return np.array([index[c] for c in text], dtype=np.int64), vocab


def chunks(ids, batch=BATCH, seq_len=SEQ_LEN):
    """Yield (x, y) LongTensors (seq_len, batch) in order, each row one contiguous stream."""
    n = (len(ids) - 1) // batch
    stream = torch.from_numpy(ids[: n * batch + 1])
    x = stream[:-1].reshape(batch, n).T.contiguous()  # (n, B): column b is stream b
    y = stream[1:].reshape(batch, n).T.contiguous()  # contiguous: .view(-1) works too
    while True:  # epochs
        for s in range(0, n - seq_len + 1, seq_len):
            yield x[s : s + seq_len], y[s : s + seq_len]


def train_char_model(tbptt_train_step, steps=STEPS, seed=0):
    """Train with your step; returns {"model", "vocab", "loss" (steps,)}."""
    ids, vocab = corpus()
    torch.manual_seed(seed)
    model = CharRNN(len(vocab), HIDDEN)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    h, losses = torch.zeros(1, BATCH, HIDDEN), []
    data, threads = chunks(ids), torch.get_num_threads()
    torch.set_num_threads(1)  # small matrices: one thread is several times faster
    try:
        for _ in range(steps):
            x, y = next(data)
            loss, h = tbptt_train_step(model, optimizer, x, y, h, MAX_NORM)
            losses.append(float(loss))
    finally:
        torch.set_num_threads(threads)
    return {"model": model, "vocab": vocab, "loss": np.array(losses)}


def write(model, vocab, sample_tokens, temperatures=TEMPERATURES, prime="The ", length=200):
    """{temperature: text} from your ``sample_tokens`` on the trained weights, or None."""
    params = model.numpy_params()
    index = {c: i for i, c in enumerate(vocab)}
    h = np.zeros(params["W_hh"].shape[0])
    for c in prime[:-1]:  # run the prime through the model (no sampling)
        h = np.tanh(params["W_ih"][:, index[c]] + params["b_ih"] + params["W_hh"] @ h
                    + params["b_hh"])  # fmt: skip
    u = np.random.default_rng(0).random(length)  # the same draws at every temperature
    texts = {}
    for temperature in temperatures:
        tokens = sample_tokens(params, index[prime[-1]], h, length, temperature, u)
        texts[temperature] = prime + "".join(vocab[int(t)] for t in tokens)
    return texts


def train(tbptt_train_step):
    """Train the character model with your step; print the loss; returns the run, or None."""
    if not ready(tbptt_train_step=tbptt_train_step):
        return None
    run = train_char_model(tbptt_train_step)
    loss = run["loss"]
    print(f"{STEPS} steps of your tbptt_train_step on {CHARS} characters of Python's help pages")
    print(f"loss (nats per character): first 10 steps {loss[:10].mean():.2f}, "
          f"last 50 steps {loss[-50:].mean():.2f}; guessing uniformly: "
          f"{np.log(len(run['vocab'])):.2f}")  # fmt: skip
    return run


def write_text(run, sample_tokens, apply_temperature):
    """Print what your sampling loop writes at three temperatures; returns the texts."""
    if run is None:
        print("(train the model above first)")
        return None
    if not ready(apply_temperature=apply_temperature, sample_tokens=sample_tokens):
        return None
    texts = write(run["model"], run["vocab"], sample_tokens)
    for temperature, text in texts.items():
        print(f"--- temperature {temperature} ---\n{text}\n")
    return texts
