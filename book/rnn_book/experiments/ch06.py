"""Chapter 6's experiments, so that the book and its claims tests run one copy.

Each function runs one experiment of chapter 6, Applications, at the
chapter's settings (the defaults) and returns its numbers; the chapter calls it
once, ``tests/claims/test_ch06.py`` calls it on several seeds.
"""

from itertools import product

import numpy as np
import torch

from rnn_course import seq2seq, train
from rnn_course.data import tasks
from rnn_course.ensemble import Ensemble
from rnn_course.models import SequenceModel

from .. import probe

__all__ = [
    "palindrome_accuracy",
    "causal_ceiling",
    "tagging_accuracy",
    "fit_reverser",
    "reverse_accuracy",
    "progression_pairs",
    "fit_progression",
    "unit_searches",
    "far_share",
    "last_bit_batch",
    "unmasked_ceiling",
    "PaddedClassifier",
    "fit_padded_classifier",
    "masked_mean",
]


def palindrome_accuracy(cell, T, seeds=3, hidden_size=32, steps=450, lr=3e-3, seed=0):
    """Test accuracy on palindromes of length T of ``seeds`` models trained side by side.

    Members start from ``torch.manual_seed(seed + m)`` and see the same batches
    (64 strings per step, Adam, no clipping); see :class:`rnn_course.ensemble.Ensemble`.

    Returns
    -------
    ndarray, shape (seeds,)
        Accuracy on 1000 fresh strings (the same test set for every model).
    """
    ens = Ensemble(seeds, 2, hidden_size, 2, cell, seed=seed)
    train.train_sequence_model(
        ens,
        lambda rng: tasks.palindrome(64, T, rng),
        steps=steps,
        lr=lr,
        eval_every=steps,
        progress=False,
    )
    x, y = tasks.palindrome(1000, T, np.random.default_rng(100 + T))
    return ens.accuracy(x, y)


def causal_ceiling(w):
    """Best accuracy of any left-to-right tagger on :func:`~rnn_course.data.tasks.window_majority`.

    Away from the ends: for each pattern of the ``w + 1`` bits seen so far,
    guess the label that is more likely over the ``2^w`` equally likely future bits.
    """
    total = 0.0
    for seen in product((0, 1), repeat=w + 1):
        futures = product((0, 1), repeat=w)
        p_one = np.mean([sum(seen) + sum(f) > w for f in futures])
        total += max(p_one, 1 - p_one) / 2 ** (w + 1)
    return total


def tagging_accuracy(bidirectional, seed=0, T=12, w=2, hidden_size=32, steps=300, lr=1e-2):
    """Per-position test accuracy of a GRU tagger on window majority.

    Returns
    -------
    ndarray, shape (T,)
        Accuracy at each position over 2000 test sequences.
    """
    x, y = tasks.window_majority(2000, T, np.random.default_rng(7), w)
    torch.manual_seed(seed)
    tagger = SequenceModel(
        1,
        hidden_size,
        2,
        cell="gru",
        impl="torch",
        task="classification",
        many_to_many=True,
        bidirectional=bidirectional,
    )
    train.train_sequence_model(
        tagger,
        lambda rng: tasks.window_majority(64, T, rng, w),
        steps=steps,
        lr=lr,
        eval_every=steps,
        seed=seed,
        progress=False,
    )
    with torch.no_grad():
        pred = tagger(torch.as_tensor(x))[0].argmax(-1).numpy()  # (T, n)
    return (pred == y).mean(1)  # (T,)


def fit_reverser(attention, seed=0, steps=600, lr=1e-2):
    """An encoder-decoder trained to reverse digit strings of lengths 3 to 7.

    Returns
    -------
    (EncoderDecoder, dict)
        The model and the learning curve of ``train_sequence_model``.
    """
    torch.manual_seed(seed)
    model = seq2seq.EncoderDecoder(attention=attention)
    curve = train.train_sequence_model(
        model,
        lambda rng: seq2seq.reverse_batch(64, int(rng.integers(3, 8)), rng),
        steps=steps,
        lr=lr,
        clip=1.0,
        eval_every=steps,
        seed=seed,
        progress=False,
    )
    return model, curve


def reverse_accuracy(model, lengths=range(3, 11), n=500):
    """Greedy sequence accuracy by source length, a dict ``L -> float``."""
    test_rng, acc = np.random.default_rng(1), {}
    for L in lengths:
        src, target = map(torch.as_tensor, seq2seq.reverse_batch(n, L, test_rng))
        acc[L] = seq2seq.sequence_accuracy(model.greedy(src, L + 1), target)
    return acc


def progression_pairs():
    """All 100 ``(a, d)`` pairs split into 20 held out and 80 seen, arrays (20, 2), (80, 2)."""
    pairs = np.array([(a, d) for a in range(10) for d in range(10)])  # (100, 2)
    order = np.random.default_rng(0).permutation(len(pairs))
    return pairs[order[:20]], pairs[order[20:]]


def fit_progression(seen, seed=0, K=8, steps=300, lr=1e-2):
    """A :class:`~rnn_course.seq2seq.VectorToSequence` trained on the seen pairs."""
    torch.manual_seed(seed)
    gen = seq2seq.VectorToSequence(20)
    train.train_sequence_model(
        gen,
        lambda rng: seq2seq.progression_batch(rng.permutation(seen)[:32], K),
        steps=steps,
        lr=lr,
        eval_every=steps,
        seed=seed,
        progress=False,
    )
    return gen


def unit_searches(states, text):
    """The chapter's three unit searches, with their controls.

    Returns
    -------
    dict
        ``"string"``, ``"brackets"``, ``"indentation"`` ->
        :func:`rnn_book.probe.unit_search` results: letters (strings,
        brackets) or spaces (indentation) compared like with like, and scored
        again among letters not right after a quote / an opening bracket, or
        spaces right after a space.
    """
    letters = np.array([ch.isalpha() for ch in text])  # (N,) bool
    spaces = np.array([ch == " " for ch in text])  # (N,) bool
    searches = {  # property: (mark, like-with-like group, previous-character control)
        "string": (probe.in_string(text), letters, letters & ~probe.after(text, "'\"")),
        "brackets": (probe.in_brackets(text), letters, letters & ~probe.after(text, "([{")),
        "indentation": (probe.in_indent(text), spaces, spaces & probe.after(text, " ")),
    }
    return {
        name: probe.unit_search(states, mark, group, control=control)
        for name, (mark, group, control) in searches.items()
    }


def far_share(model, ids, span=64, stride=7, near=10):
    """Average share of a prediction's dependence on characters ``near`` or more steps back.

    Predictions at every ``stride``-th position of ``ids``, each from a window
    of ``span`` characters (:func:`rnn_book.probe.connectivity`).

    Returns
    -------
    (float, ndarray of shape (span,))
        The share, and the whole :func:`~rnn_book.probe.dependence_by_distance` profile.
    """
    ends = np.arange(span, len(ids) - 1, stride)
    share = probe.dependence_by_distance(probe.connectivity(model, ids, ends, span))
    return float(share[near:].sum()), share


def forecast(seed=0, noise=0.1, T=40, hidden_size=32, steps=200, lr=1e-2, skip=20):
    """A GRU's one-step-ahead forecasts of noisy sine waves, and the errors.

    Returns
    -------
    dict
        ``forecast`` and ``target`` (T - 1, 500) for 500 test waves;
        ``mse`` of the GRU and ``mse_persist`` of repeating the last value,
        both over the steps after ``skip``; ``noise_floor`` = noise².
    """
    series = tasks.noisy_sine(500, T, np.random.default_rng(11), noise=noise)
    x, target = tasks.next_step_pairs(series)  # (T - 1, n, 1), (T - 1, n)
    torch.manual_seed(seed)
    model = SequenceModel(1, hidden_size, 1, cell="gru", impl="torch", many_to_many=True)
    train.train_sequence_model(
        model,
        lambda rng: tasks.next_step_pairs(tasks.noisy_sine(64, T, rng, noise=noise)),
        steps=steps,
        lr=lr,
        eval_every=steps,
        seed=seed,
        progress=False,
    )
    with torch.no_grad():
        pred = model(torch.as_tensor(x))[0].numpy()  # (T - 1, n)
    late = slice(skip, None)  # by then the network has seen enough of the wave
    return {
        "forecast": pred,
        "target": target,
        "mse": float(((pred - target)[late] ** 2).mean()),
        "mse_persist": float(((x[..., 0] - target)[late] ** 2).mean()),
        "noise_floor": noise**2,
    }


# ----------------------------------------------------------------------------- variable lengths


def last_bit_batch(n, rng, min_len=2, max_len=20):
    """A zero-padded batch of bit strings of different lengths; the label is the last real bit.

    Returns
    -------
    x : ndarray of float32, shape (max_len, n, 1)
        The bits, then zeros after each string's end (padding with the value 0,
        as one pads real-valued features).
    lengths : ndarray of int64, shape (n,)
    labels : ndarray of int64, shape (n,)
    """
    lengths = rng.integers(min_len, max_len + 1, size=n)  # (n,)
    bits = rng.integers(0, 2, size=(max_len, n))  # (T, n)
    bits[np.arange(max_len)[:, None] >= lengths[None, :]] = 0  # pad after the end
    labels = bits[lengths - 1, np.arange(n)]  # (n,)
    return bits[:, :, None].astype(np.float32), lengths, labels


def unmasked_ceiling(min_len=2, max_len=20):
    """Best accuracy of any classifier that sees the zero-padded bits but not the lengths.

    Seeing the padded string, one knows only where its last 1 stands, at position p;
    the string either ends there (label 1) or continues with real zeros (label 0).
    With lengths uniform on ``min_len..max_len`` and fair bits, the best guess for
    each p is the more probable of the two, which this sums up exactly.
    """
    p_len = {L: 1.0 / (max_len - min_len + 1) for L in range(min_len, max_len + 1)}
    acc = sum(q * 2.0**-L for L, q in p_len.items())  # all zeros: label 0, always right
    for p in range(1, max_len + 1):  # 2^(p-1) prefixes end in a 1 at position p
        ends_here = p_len.get(p, 0.0) * 2.0**-p
        goes_on = sum(q * 2.0**-L for L, q in p_len.items() if L > p)
        acc += 2 ** (p - 1) * max(ends_here, goes_on)
    return acc


class PaddedClassifier(torch.nn.Module):
    """A tanh ``torch.nn.RNN`` and a linear read-out of one state, for a padded batch.

    ``forward(x, lengths)`` returns logits (n, 2). With ``masked=True`` the batch is
    packed (:func:`torch.nn.utils.rnn.pack_padded_sequence`), so the read-out sees each
    sequence's own final state; with ``masked=False`` it reads the state after the last
    step of the padded batch, padding included.
    """

    def __init__(self, masked, hidden_size=32):
        super().__init__()
        self.masked = masked
        self.rnn = torch.nn.RNN(1, hidden_size)
        self.readout = torch.nn.Linear(hidden_size, 2)

    def forward(self, x, lengths):
        x = torch.as_tensor(x)  # (T, n, 1)
        if self.masked:
            x = torch.nn.utils.rnn.pack_padded_sequence(
                x, torch.as_tensor(lengths), enforce_sorted=False
            )
        _, h_n = self.rnn(x)  # (1, n, H): own last state if packed, else after the pads
        return self.readout(h_n[0])  # (n, 2)


def fit_padded_classifier(masked, seed=0, steps=300, lr=1e-2, batch_size=64, max_len=20):
    """Train a :class:`PaddedClassifier` on :func:`last_bit_batch`; return its test accuracy.

    Adam on the cross-entropy, gradients clipped at norm 1, a fresh batch at every step;
    accuracy on 2000 fresh strings (chance is 1/2).
    """
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    model = PaddedClassifier(masked)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        x, lengths, labels = last_bit_batch(batch_size, rng, max_len=max_len)
        loss = torch.nn.functional.cross_entropy(model(x, lengths), torch.as_tensor(labels))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    x, lengths, labels = last_bit_batch(2000, np.random.default_rng(10_000 + seed),
                                        max_len=max_len)
    with torch.no_grad():
        pred = model(x, lengths).argmax(1).numpy()
    return float(np.mean(pred == labels))


def masked_mean(losses, lengths):
    """Mean of per-step losses (T, n) over the real steps only (step t < lengths[i])."""
    losses = np.asarray(losses, dtype=float)
    mask = np.arange(losses.shape[0])[:, None] < np.asarray(lengths)[None, :]  # (T, n)
    return float((losses * mask).sum() / mask.sum())
