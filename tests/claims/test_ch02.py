"""Claims of chapter 2 (the simple recurrent network), checked on several seeds."""

import numpy as np
import pytest
import torch

from rnn_book.experiments.ch02 import (
    phase_blind_losses,
    train_temporal_xor,
    xor_error_by_position,
    xor_loss_by_phase,
)
from rnn_course import init, numpy_rnn


def _chapter_weights(rng, D=3, H=4):
    W_ih, W_hh = rng.normal(0, 0.5, size=(H, D)), rng.normal(0, 0.5, size=(H, H))
    return W_ih, W_hh, rng.normal(0, 0.1, size=H), rng.normal(0, 0.1, size=H)


def _changes(weights, steps=400):
    D, H = weights[0].shape[1], weights[0].shape[0]
    h, _ = numpy_rnn.srn_forward(np.ones((steps, 1, D)), np.zeros((1, H)), *weights)
    return np.abs(np.diff(h[:, 0], axis=0)).max(1)  # (steps - 1,)


def test_the_chapters_state_keeps_oscillating_under_a_constant_input():
    weights = _chapter_weights(np.random.default_rng(0))  # the chapter's draw
    eig = np.linalg.eigvals(weights[1])
    top = eig[np.abs(eig) == np.abs(eig).max()]
    assert np.abs(top).max() > 1.05 and np.all(top.imag != 0)  # a complex pair, |lambda| > 1
    change = _changes(weights)
    assert change[-20:].min() > 0.1  # still moving after 400 steps
    assert change[-40:].max() - change[-40:].min() > 0.2  # and swinging


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_contractive_W_hh_settles_under_a_constant_input(seed):
    W_ih, W_hh, b_ih, b_hh = _chapter_weights(np.random.default_rng(seed))
    W_hh = 0.5 * W_hh / np.abs(np.linalg.eigvals(W_hh)).max()  # spectral radius 0.5
    assert _changes((W_ih, W_hh, b_ih, b_hh), steps=60)[-1] < 1e-6


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_only_the_sum_of_the_two_biases_matters(seed):
    rng = np.random.default_rng(seed)
    D, H = 3, 5
    p = init.init_srn(D, H, rng)
    x = rng.normal(size=(7, 2, D))
    h0 = rng.normal(size=(2, H))
    shift = rng.normal(size=H)
    h1, cache = numpy_rnn.srn_forward(x, h0, **p)
    h2, _ = numpy_rnn.srn_forward(x, h0, p["W_ih"], p["W_hh"], p["b_ih"] + shift, p["b_hh"] - shift)
    np.testing.assert_allclose(h1, h2, atol=1e-12)
    *_, db_ih, db_hh = numpy_rnn.srn_backward(rng.normal(size=h1.shape), cache)
    np.testing.assert_array_equal(db_ih, db_hh)


class _Net:
    """The chapter's hand-written RNN with each of its two bugs switchable."""

    def __init__(self, B, D, H, V, state_bug, product_bug, seed=0):
        g = np.random.default_rng(seed)
        self.state = np.zeros((H, H) if state_bug else (B, H))
        self.W_ih, self.W_hh, self.W_hy = (g.normal(size=s) for s in [(H, D), (H, H), (V, H)])
        self.product_bug = product_bug

    def step(self, x):  # x: (B, D)
        self.state = np.tanh(self.state @ self.W_hh.T + x @ self.W_ih.T)
        return self.W_hy @ self.state if self.product_bug else self.state @ self.W_hy.T


def _change_in_sequence_2(state_bug, product_bug, n=3, steps=5):
    x = np.random.default_rng(1).normal(size=(steps, n, n))
    x_changed = x.copy()
    x_changed[:, 0] += 1.0  # change sequence 0 only
    a = _Net(n, n, n, n, state_bug, product_bug)
    b = _Net(n, n, n, n, state_bug, product_bug)
    pairs = zip(x, x_changed, strict=True)
    return [np.abs(b.step(xc)[2] - a.step(xa)[2]).max() for xa, xc in pairs]


def test_the_state_bug_alone_changes_no_number_when_B_equals_H():
    """ch02-batch-equals-hidden: with B = H the (H, H) zero state is the correct (B, H) one, so
    the batch-independence test cannot see it ..."""
    assert max(_change_in_sequence_2(state_bug=True, product_bug=False)) == 0.0
    correct, buggy = _Net(3, 3, 3, 3, False, False), _Net(3, 3, 3, 3, True, False)
    x = np.ones((3, 3))
    np.testing.assert_array_equal(correct.step(x), buggy.step(x))


def test_a_batch_size_different_from_H_exposes_the_state_bug():
    """... a run with B != H does (a shape error)."""
    with pytest.raises(ValueError):
        _Net(2, 3, 4, 5, state_bug=True, product_bug=False).step(np.ones((2, 3)))
    assert _Net(2, 3, 4, 5, False, False).step(np.ones((2, 3))).shape == (2, 5)


def test_the_batch_independence_test_catches_the_product_bug():
    """'The change in sequence 2 came from this bug alone': W_hy @ state mixes the sequences."""
    assert min(_change_in_sequence_2(state_bug=False, product_bug=True)) > 0.01
    assert max(_change_in_sequence_2(state_bug=False, product_bug=False)) == 0.0


def test_phase_blind_losses_are_the_optimum_of_their_family():
    """ex-srn-xor: q = 2/3 minimises -(2/3) ln q - (1/3) ln(1 - q); costs 0.405 and 0.752."""
    q = np.linspace(0.01, 0.99, 9801)
    mean = -(2 / 3) * np.log(q) - (1 / 3) * np.log(1 - q)
    assert q[mean.argmin()] == pytest.approx(2 / 3, abs=1e-3)
    xor_bit, random_bit = phase_blind_losses()
    assert xor_bit == pytest.approx(0.405, abs=1e-3)
    assert random_bit == pytest.approx(0.752, abs=1e-3)
    assert (xor_bit + 2 * random_bit) / 3 == pytest.approx(mean.min(), abs=1e-6)


BLIND_MEAN = (phase_blind_losses()[0] + 2 * phase_blind_losses()[1]) / 3  # 0.637 nats


@pytest.mark.slow
@pytest.mark.parametrize(
    "seed, lr, steps",
    [(s, 1e-2, 500) for s in range(5)]  # the chapter's setting, five seeds
    + [(s, lr, 1500) for s in (0, 1) for lr in (3e-3, 3e-2)],  # 3x steps, lr x0.3 and x3
)
def test_srn_uses_the_phase_but_counts_it_from_the_start(seed, lr, steps):
    """fig-srn-xor-error and the table after it: on fresh streams the mean cross-entropy is
    below the best phase-blind predictor's, the XOR bit is nearly free and the random bits cost
    at least ln 2; on streams that start mid-triplet the networks are no better than phase-blind."""
    torch.set_num_threads(1)
    model, _ = train_temporal_xor(seed, steps=steps, lr=lr)
    ce = xor_loss_by_phase(model, np.random.default_rng(100 + seed))
    assert ce.mean() < BLIND_MEAN - 0.08, ce
    assert ce[2] < 0.1, ce
    assert ce[:2].mean() > np.log(2) - 0.01, ce
    _, by_phase = xor_error_by_position(model, np.random.default_rng(200 + seed), n_seq=300)
    assert by_phase[2] < 0.1 and by_phase[0] > 0.4 and by_phase[1] > 0.4, by_phase
    for offset in (1, 2):
        shifted = xor_loss_by_phase(model, np.random.default_rng(300 + seed), offset=offset)
        assert shifted.mean() > BLIND_MEAN - 0.02, (offset, shifted)
