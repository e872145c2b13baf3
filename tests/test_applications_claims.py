"""Small-scale checks of qualitative claims made in chapter 6, Applications.

Each test reruns a shrunken version of a chapter experiment with fixed seeds and
checks the claim the chapter draws from it, with a stated margin, so a change in
the library that breaks the claim shows up here before it shows up in the book.
"""

from itertools import product

import numpy as np
import pytest
import torch

from rnn_course import models, sampling, train


def window_majority(n, T, rng, w=2):
    """Bits (T, n, 1) and labels (T, n): majority of the 2w+1 bits centred on t."""
    bits = rng.integers(0, 2, size=(T, n))  # (T, n)
    padded = np.pad(bits, ((w, w), (0, 0)))  # (T + 2w, n)
    ones = sum(padded[k : k + T] for k in range(2 * w + 1))  # (T, n)
    return bits[..., None].astype(np.float32), (ones > w).astype(np.int64)


def causal_ceiling(w):
    """Best accuracy of a tagger that sees only the current and past bits."""
    total = 0.0
    for seen in product((0, 1), repeat=w + 1):
        p_one = np.mean([sum(seen) + sum(f) > w for f in product((0, 1), repeat=w)])
        total += max(p_one, 1 - p_one) / 2 ** (w + 1)
    return total


def test_causal_ceiling_matches_hand_count():
    # w = 2: seen ones s in {0,1,2,3} with probabilities 1/8, 3/8, 3/8, 1/8 and best
    # accuracies 1, 3/4, 3/4, 1 give 13/16.
    assert causal_ceiling(2) == pytest.approx(13 / 16, abs=1e-12)
    # w = 0 is no future at all: a left-to-right tagger can be perfect.
    assert causal_ceiling(0) == 1.0


@pytest.mark.parametrize("impl", ["torch", "ours"])
def test_bidirectional_beats_left_to_right_when_labels_need_the_future(impl):
    torch.set_num_threads(1)
    T, w = 8, 2
    x, y = window_majority(1000, T, np.random.default_rng(123), w)
    acc = {}
    for bidirectional in (False, True):
        torch.manual_seed(0)
        model = models.SequenceModel(
            1,
            16,
            2,
            cell="gru",
            impl=impl,
            task="classification",
            many_to_many=True,
            bidirectional=bidirectional,
        )
        train.train_sequence_model(
            model,
            lambda rng: window_majority(64, T, rng, w),
            steps=150,
            lr=2e-2,
            eval_every=150,
            progress=False,
        )
        with torch.no_grad():
            pred = model(torch.as_tensor(x))[0].argmax(-1).numpy()  # (T, n)
        acc[bidirectional] = (pred == y)[w:-w].mean()  # interior steps only
    ceiling = causal_ceiling(w)
    # The left-to-right tagger cannot beat the ceiling (up to sampling noise of
    # 4 x 1000 labels, standard error about 0.006); the bidirectional one must clear it.
    assert acc[False] <= ceiling + 0.03, acc
    assert acc[True] >= ceiling + 0.1, acc


def test_lower_temperature_means_lower_entropy():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=50) * 2
    entropies = []
    for tau in (0.25, 0.5, 1.0, 2.0, 4.0):
        p = sampling.softmax(sampling.apply_temperature(logits, tau))
        entropies.append(-(p * np.log(p)).sum())
    assert np.all(np.diff(entropies) > 0), entropies
    assert entropies[-1] < np.log(50)  # never above the uniform distribution's


def test_linear_recurrence_equals_its_closed_form():
    rng = np.random.default_rng(1)
    T, H = 7, 4
    a = rng.uniform(0.3, 1.0, size=(T, H))  # (T, H)
    b = rng.normal(size=(T, H))  # (T, H)
    h, loop = np.zeros(H), []
    for t in range(T):
        h = a[t] * h + b[t]
        loop.append(h)
    closed = np.stack(
        [sum(np.prod(a[s + 1 : t + 1], axis=0) * b[s] for s in range(t + 1)) for t in range(T)]
    )  # (T, H)
    np.testing.assert_allclose(np.array(loop), closed, rtol=1e-12, atol=1e-12)
