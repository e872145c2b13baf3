"""Claims of chapter 2 (the simple recurrent network), checked on several seeds."""

import numpy as np
import pytest
import torch

from rnn_book.experiments.ch02 import train_temporal_xor, xor_error_by_position
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


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_srn_learns_the_xor_bit_of_the_temporal_xor_stream(seed):
    """Low error only on every third bit, far below the phase-blind 1/3."""
    torch.set_num_threads(1)
    model, loss = train_temporal_xor(seed)
    assert loss < np.log(2) * 2 / 3 + 0.03  # at the floor
    _, by_phase = xor_error_by_position(model, np.random.default_rng(100 + seed), n_seq=300)
    assert by_phase[2] < 0.1
    assert by_phase[0] > 0.4 and by_phase[1] > 0.4
