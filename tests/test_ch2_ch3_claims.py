"""Qualitative claims made in chapters 2 (the SRN) and 3 (BPTT), checked on fresh seeds.

The chapters show each claim once with one seed; these tests check that the
claims do not depend on that seed.
"""

import numpy as np
import pytest
import torch

from rnn_course import init, layers, numpy_rnn
from rnn_course.data import temporal_xor
from rnn_course.torch_rnn import RNN

NAMES = ["W_ih", "W_hh", "b_ih", "b_hh", "W_hy", "b_hy"]


def _model(rng, D=3, H=8, V=5, orthogonal=True):
    p = init.init_srn(D, H, rng)
    if orthogonal:
        p["W_hh"] = init.orthogonal((H, H), rng)
    p["W_hy"] = rng.normal(0, 0.3, size=(V, H))  # (V, H)
    p["b_hy"] = rng.normal(0, 0.1, size=V)  # (V,)
    return p


def truncated_grads(p, x, targets, k):
    """Mean cross-entropy and its gradients with truncated BPTT in chunks of k steps."""
    T, B, _ = x.shape
    total, acc = 0.0, {n: np.zeros_like(p[n]) for n in NAMES}
    h_carry = np.zeros((B, p["W_hh"].shape[0]))  # (B, H)
    for s in range(0, T, k):
        xs, ys = x[s : s + k], targets[s : s + k]
        h, c_rnn = numpy_rnn.srn_forward(xs, h_carry, p["W_ih"], p["W_hh"], p["b_ih"], p["b_hh"])
        logits, c_out = layers.temporal_affine_forward(h, p["W_hy"], p["b_hy"])  # (k, B, V)
        loss, dlogits = layers.softmax_cross_entropy(logits, ys)
        w = len(xs) / T
        total += w * loss
        dh, dW_hy, db_hy = layers.temporal_affine_backward(w * dlogits, c_out)
        _, _, *d_rnn = numpy_rnn.srn_backward(dh, c_rnn)
        for n, d in zip(NAMES, [*d_rnn, dW_hy, db_hy], strict=True):
            acc[n] += d
        h_carry = h[-1]
    return total, acc


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_one_chunk_covering_the_sequence_is_full_bptt(seed):
    rng = np.random.default_rng(seed)
    T, B = 20, 3
    p = _model(rng)
    x = rng.normal(size=(T, B, 3))  # (T, B, D)
    y = rng.integers(0, 5, size=(T, B))  # (T, B)
    loss_full, g_full = truncated_grads(p, x, y, T)
    loss_long, g_long = truncated_grads(p, x, y, 10 * T)  # a chunk longer than T is one chunk too
    # full BPTT computed in one go with the library, no chunk logic at all
    h0 = np.zeros((B, 8))  # (B, H)
    h, c_rnn = numpy_rnn.srn_forward(x, h0, p["W_ih"], p["W_hh"], p["b_ih"], p["b_hh"])
    logits, c_out = layers.temporal_affine_forward(h, p["W_hy"], p["b_hy"])
    loss_ref, dlogits = layers.softmax_cross_entropy(logits, y)
    dh, _, _ = layers.temporal_affine_backward(dlogits, c_out)
    _, _, dW_ih, dW_hh, _, _ = numpy_rnn.srn_backward(dh, c_rnn)
    assert loss_full == pytest.approx(loss_ref, abs=1e-12)
    np.testing.assert_allclose(g_full["W_hh"], dW_hh, atol=1e-12)
    np.testing.assert_allclose(g_full["W_ih"], dW_ih, atol=1e-12)
    for n in NAMES:
        np.testing.assert_allclose(g_long[n], g_full[n], atol=1e-12)
    assert loss_long == pytest.approx(loss_full, abs=1e-12)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_truncation_keeps_the_loss_but_changes_the_recurrent_gradient(seed):
    rng = np.random.default_rng(seed)
    T = 32
    p = _model(rng)
    x = rng.normal(size=(T, 2, 3))
    y = rng.integers(0, 5, size=(T, 2))
    loss_full, g_full = truncated_grads(p, x, y, T)
    errors = []
    for k in (1, 4, 16):
        loss_k, g_k = truncated_grads(p, x, y, k)
        assert loss_k == pytest.approx(loss_full, abs=1e-12)  # forward pass unchanged
        # the read-out layer sees no recurrence: its gradient is exact for any k
        np.testing.assert_allclose(g_k["W_hy"], g_full["W_hy"], atol=1e-12)
        err = np.linalg.norm(g_k["W_hh"] - g_full["W_hh"]) / np.linalg.norm(g_full["W_hh"])
        errors.append(err)
    assert errors[0] > 0.05, errors  # chunks of one step lose much of the recurrent gradient
    assert errors[0] > errors[-1], errors  # and longer chunks lose less


def test_many_to_one_truncation_gives_no_gradient_before_the_last_chunk():
    rng = np.random.default_rng(4)
    T, k, D, H = 12, 4, 3, 6
    p = init.init_srn(D, H, rng)
    x = rng.normal(size=(T, 1, D))
    h_carry, dx_all = np.zeros((1, H)), np.zeros((T, 1, D))
    for s in range(0, T, k):
        h, c = numpy_rnn.srn_forward(x[s : s + k], h_carry, **p)
        dh = np.zeros_like(h)
        if s + k >= T:
            dh[-1] = 1.0
        dx_all[s : s + k], *_ = numpy_rnn.srn_backward(dh, c)
        h_carry = h[-1]
    h_full, c_full = numpy_rnn.srn_forward(x, np.zeros((1, H)), **p)
    dh = np.zeros_like(h_full)
    dh[-1] = 1.0
    dx_full, *_ = numpy_rnn.srn_backward(dh, c_full)
    assert np.all(dx_all[: T - k] == 0)
    assert np.all(np.abs(dx_full[: T - k]).sum(axis=(1, 2)) > 0)  # yet the inputs do matter
    np.testing.assert_allclose(dx_all[T - k :], dx_full[T - k :], rtol=0, atol=0)


@pytest.mark.parametrize("seed", [5, 6])
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


def test_srn_learns_the_xor_bit_of_the_temporal_xor_stream():
    """Chapter 2's experiment with another seed: low error only on every third bit."""
    torch.set_num_threads(1)
    seed = 3
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    T, n = 30, 64
    bits = torch.tensor(temporal_xor(n * T // 3, rng).reshape(n, T).T, dtype=torch.float32)
    rnn, readout = RNN(1, 8), torch.nn.Linear(8, 1)
    opt = torch.optim.Adam([*rnn.parameters(), *readout.parameters()], lr=0.01)
    for _ in range(500):
        logits = readout(rnn(bits[:-1, :, None])[0])[..., 0]
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, bits[1:])
        opt.zero_grad()
        loss.backward()
        opt.step()
    test = temporal_xor(300 * T // 3, np.random.default_rng(100 + seed))
    test = torch.tensor(test.reshape(300, T).T, dtype=torch.float32)
    with torch.no_grad():
        prob = torch.sigmoid(readout(rnn(test[:-1, :, None])[0])[..., 0])
    err = (prob - test[1:]).abs().mean(dim=1).numpy()  # (T-1,)
    position = np.arange(1, T) % 3
    assert err[position == 2].mean() < 0.1
    assert err[position == 0].mean() > 0.4
    assert err[position == 1].mean() > 0.4
