"""Quality: a character LSTM vs a min-char-rnn baseline, same wall time, same held-out text.

Both models train for ``--seconds`` (default 60) of wall time, one thread, on
the training part of the pydoc corpus (``load_corpus("pydoc")``, split
90/5/5, contiguous), and are scored on the same held-out validation and test
parts in nats and bits per character.

- LSTM: :class:`rnn_course.models.CharLM` (our loop-over-time LSTM by default),
  batch 32, 64-step truncated BPTT, Adam, clipping by norm, via
  :func:`rnn_course.train.train_lm`.
- Baseline, min-char-rnn style: one-hot input, tanh SRN with hidden 100, batch 1,
  25-step chunks, Adagrad lr 0.1, gradients clipped to [-5, 5], built from
  :mod:`rnn_course.numpy_lm` (float64 NumPy), with a wall-time check.

Goal: LSTM <= 1.55 nats/char on validation and >= 0.35 nats/char better than the baseline.

Run: ``python benchmarks/bench_charlm.py [--seconds 60] [--impl ours|torch]``
"""

import argparse
import os

for _v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import math  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

from rnn_course import models, numpy_lm, train  # noqa: E402
from rnn_course.batching import batchify, lm_stream, tbptt_chunks  # noqa: E402
from rnn_course.clip import clip_grad_value  # noqa: E402
from rnn_course.data.text import CharVocab, load_corpus, split_corpus  # noqa: E402
from rnn_course.optim import Adagrad  # noqa: E402

LN2 = math.log(2)


def numpy_eval(params, ids, batch_size=16, seq_len=100):
    """Nats per char of the NumPy model on ``ids`` (state carried along each column)."""
    stream = lm_stream(ids, batch_size, seq_len)  # (N, B)
    H = params["W_hh"].shape[1]
    h = np.zeros((batch_size, H))
    total = count = 0
    for x, y in tbptt_chunks(stream, seq_len):
        loss, _, h = numpy_lm.loss_and_grads(params, x, y, h)
        total += loss * y.size
        count += y.size
    return total / count


def train_baseline(train_ids, vocab_size, seconds, seed=0):
    """min-char-rnn: SRN, hidden 100, batch 1, 25-step chunks, Adagrad 0.1, clip [-5, 5]."""
    rng = np.random.default_rng(seed)
    params = numpy_lm.init_lm(vocab_size, 100, rng, cell="srn")  # one-hot inputs, float64
    opt = Adagrad(params, lr=0.1)
    stream = batchify(train_ids, 1)  # (N, 1)
    steps, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        h = np.zeros((1, 100))  # each pass over the text starts from a zero state
        for x, y in tbptt_chunks(stream, 25):
            _, grads, h = numpy_lm.loss_and_grads(params, x, y, h)
            clip_grad_value(grads, 5.0)
            opt.step(grads)
            steps += 1
            if time.perf_counter() - t0 >= seconds:
                break
    return params, steps, time.perf_counter() - t0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=60.0, help="wall time per model")
    p.add_argument("--impl", default="ours", choices=models.IMPLS)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--seq-len", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-2)
    p.add_argument("--skip-baseline", action="store_true")
    a = p.parse_args(argv)
    torch.set_num_threads(1)

    text = load_corpus("pydoc")
    vocab = CharVocab.from_text(text)
    split = split_corpus(vocab.encode(text))
    print(
        f"pydoc corpus: {len(text):,} chars, vocabulary {len(vocab)}; "
        f"train {len(split.train):,} / val {len(split.val):,} / test {len(split.test):,}; "
        f"{a.seconds:.0f} s per model, {torch.get_num_threads()} thread"
    )
    try:
        print(f"load average (1, 5, 15 min): {os.getloadavg()}")
    except OSError:
        pass

    torch.manual_seed(0)
    lstm = models.CharLM(len(vocab), a.hidden, cell="lstm", impl=a.impl, embedding_dim=64)
    config = train.LMTrainConfig(
        steps=10**9,
        batch_size=a.batch,
        seq_len=a.seq_len,
        max_seconds=a.seconds,
        lr=a.lr,
        clip=1.0,
        device="cpu",
        progress=False,
    )
    r = train.train_lm(lstm, split.train, None, config)
    lstm_val = train.evaluate_lm(lstm, split.val, batch_size=16, seq_len=100)
    lstm_test = train.evaluate_lm(lstm, split.test, batch_size=16, seq_len=100)
    chars = r["steps"] * a.batch * a.seq_len
    rows = [
        (
            f"LSTM ({a.impl}) H={a.hidden} B={a.batch} T={a.seq_len} Adam {a.lr}",
            r["steps"],
            r["seconds"],
            chars,
            lstm_val,
            lstm_test,
        )
    ]
    if not a.skip_baseline:
        params, steps, secs = train_baseline(split.train, len(vocab), a.seconds)
        base_val = numpy_eval(params, split.val)
        base_test = numpy_eval(params, split.test)
        rows.append(
            (
                "baseline SRN H=100 B=1 T=25 Adagrad 0.1",
                steps,
                secs,
                steps * 25,
                base_val,
                base_test,
            )
        )
    print()
    print(f"{'model':<46} {'steps':>6} {'secs':>5} {'chars':>9} | val nats  bits | test nats  bits")
    for name, steps, secs, chars, v, t in rows:
        print(
            f"{name:<46} {steps:6d} {secs:5.0f} {chars:9,d} | {v:9.3f} {v / LN2:5.2f} "
            f"| {t:9.3f} {t / LN2:5.2f}"
        )
    if not a.skip_baseline:
        d = base_val - lstm_val
        print(
            f"\nvalidation: LSTM - baseline = {-d:+.3f} nats/char ({-d / LN2:+.2f} bits/char); "
            f"ratio LSTM/baseline = {lstm_val / base_val:.2f}"
        )
        ok = lstm_val <= 1.55 and d >= 0.35
        print(f"goal (LSTM <= 1.55 nats/char and >= 0.35 better): {'met' if ok else 'NOT met'}")
    print(f"clipping fired on {100 * r['clip_fraction']:.0f}% of LSTM steps")


if __name__ == "__main__":
    main()
