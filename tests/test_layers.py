"""rnn_course.layers: numeric gradient checks (float64, budget 1e-7), torch parity, bad input."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from rnn_course import layers
from rnn_course.gradcheck import gradcheck, numeric_gradient, rel_error
from tests.conftest import assert_within

BUDGET = 1e-7
PARITY = 1e-10


def test_temporal_affine_gradients_and_torch_parity():
    rng = np.random.default_rng(0)
    p = {
        "x": rng.standard_normal((4, 3, 5)),
        "W_hy": rng.standard_normal((6, 5)),
        "b_hy": rng.standard_normal(6),
    }
    dout = rng.standard_normal((4, 3, 6))
    out, cache = layers.temporal_affine_forward(**p)
    dx, dW_hy, db_hy = layers.temporal_affine_backward(dout, cache)
    analytic = {"x": dx, "W_hy": dW_hy, "b_hy": db_hy}
    errors = gradcheck(lambda **q: layers.temporal_affine_forward(**q)[0], p, dout, analytic)
    assert_within({"d" + k: v for k, v in errors.items()}, BUDGET, "temporal affine gradcheck")
    x, W_hy, b_hy = (torch.from_numpy(p[k]) for k in ("x", "W_hy", "b_hy"))
    ref = F.linear(x, W_hy, b_hy)
    assert_within({"out": np.abs(out - ref.numpy()).max()}, PARITY, "temporal affine vs torch")


def test_embedding_forward_backward_accumulates_repeated_ids():
    rng = np.random.default_rng(1)
    W = rng.standard_normal((5, 3))
    idx = np.array([[0, 2], [2, 2], [4, 0]])  # id 2 three times, id 1 and 3 never
    out, cache = layers.embedding_forward(idx, W)
    np.testing.assert_array_equal(out, W[idx])
    dout = rng.standard_normal((3, 2, 3))
    dW = layers.embedding_backward(dout, cache)
    errors = gradcheck(lambda W: layers.embedding_forward(idx, W)[0], {"W": W}, dout, {"W": dW})
    assert_within({"dW": errors["W"]}, BUDGET, "embedding gradcheck")
    np.testing.assert_array_equal(dW[[1, 3]], 0.0)
    emb = torch.nn.Embedding(5, 3).double()
    emb.weight.data = torch.from_numpy(W.copy())
    (emb(torch.from_numpy(idx)) * torch.from_numpy(dout)).sum().backward()
    assert_within({"dW": np.abs(dW - emb.weight.grad.numpy()).max()}, PARITY, "embedding vs torch")


@pytest.mark.parametrize("masked", [False, True])
def test_softmax_cross_entropy_matches_torch_and_numeric(masked):
    rng = np.random.default_rng(2)
    T, B, V = 4, 3, 7
    logits = rng.standard_normal((T, B, V))  # moderate: no probability near 0
    targets = rng.integers(0, V, (T, B))
    mask = rng.random((T, B)) < 0.6 if masked else None
    if masked:
        mask[0, 0] = True
    loss, dlogits = layers.softmax_cross_entropy(logits, targets, mask)
    num = numeric_gradient(lambda z: layers.softmax_cross_entropy(z, targets, mask)[0], logits)
    assert rel_error(dlogits, num) <= BUDGET
    lt = torch.tensor(logits, requires_grad=True)
    keep = torch.ones(T, B, dtype=torch.bool) if mask is None else torch.from_numpy(mask)
    ref = F.cross_entropy(lt[keep], torch.from_numpy(targets)[keep])
    ref.backward()
    diffs = {"loss": abs(loss - ref.item()), "dlogits": np.abs(dlogits - lt.grad.numpy()).max()}
    assert_within(diffs, PARITY, "cross-entropy vs torch")
    if masked:
        assert np.all(dlogits[~mask] == 0)


def test_softmax_cross_entropy_is_stable_for_huge_logits():
    logits = np.array([[[1000.0, 0.0, -1000.0]]])
    loss, d = layers.softmax_cross_entropy(logits, np.array([[0]]))
    assert np.isfinite(loss) and loss < 1e-12 and np.all(np.isfinite(d))


def test_float32_keeps_dtype():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    W = rng.standard_normal((5, 4)).astype(np.float32)
    out, cache = layers.temporal_affine_forward(x, W, np.zeros(5, np.float32))
    loss, d = layers.softmax_cross_entropy(out, np.zeros((2, 3), dtype=np.int64))
    assert out.dtype == d.dtype == np.float32
    assert all(g.dtype == np.float32 for g in layers.temporal_affine_backward(d, cache))
    assert layers.mse_loss(x, x * 0)[1].dtype == np.float32


def test_mse_loss_matches_torch():
    rng = np.random.default_rng(4)
    pred, target = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    loss, dpred = layers.mse_loss(pred, target)
    pt = torch.tensor(pred, requires_grad=True)
    ref = F.mse_loss(pt, torch.from_numpy(target))
    ref.backward()
    diffs = {"loss": abs(loss - ref.item()), "dpred": np.abs(dpred - pt.grad.numpy()).max()}
    assert_within(diffs, PARITY, "MSE vs torch")


def test_inputs_not_modified():
    rng = np.random.default_rng(5)
    logits = rng.standard_normal((2, 2, 3))
    targets = np.array([[0, 1], [2, 0]])
    copies = logits.copy(), targets.copy()
    layers.softmax_cross_entropy(logits, targets)
    np.testing.assert_array_equal(logits, copies[0])
    np.testing.assert_array_equal(targets, copies[1])


BAD = [
    (
        lambda: layers.temporal_affine_forward(np.zeros((3, 4)), np.zeros((2, 4)), np.zeros(2)),
        ValueError,
        r"x: expected a 3-D array of shape \(T, B, H\)",
    ),
    (
        lambda: layers.temporal_affine_forward(np.zeros((1, 3, 4)), np.zeros((2, 5)), np.zeros(2)),
        ValueError,
        r"W_hy: expected shape \(V, H\) with H = 4",
    ),
    (
        lambda: layers.temporal_affine_forward(np.zeros((1, 3, 4)), np.zeros((2, 4)), np.zeros(3)),
        ValueError,
        r"b_hy: expected shape \(V,\) = \(2,\)",
    ),
    (
        lambda: layers.embedding_forward(np.array([[0, 5]]), np.zeros((5, 2))),
        ValueError,
        r"idx: token ids must lie in \[0, 5\)",
    ),
    (
        lambda: layers.embedding_forward(np.array([[0.0, 1.0]]), np.zeros((5, 2))),
        TypeError,
        "idx: expected an integer array",
    ),
    (
        lambda: layers.softmax_cross_entropy(np.zeros((1, 2, 3)), np.array([[0, 3]])),
        ValueError,
        r"targets: class ids must lie in \[0, 3\)",
    ),
    (
        lambda: layers.softmax_cross_entropy(np.zeros((1, 2, 3)), np.array([0, 1])),
        ValueError,
        r"targets: expected a 2-D array",
    ),
    (
        lambda: layers.softmax_cross_entropy(
            np.zeros((1, 2, 3)), np.zeros((1, 2), int), np.ones((1, 2))
        ),
        TypeError,
        "mask: expected a boolean",
    ),
    (
        lambda: layers.softmax_cross_entropy(
            np.zeros((1, 2, 3)), np.zeros((1, 2), int), np.zeros((1, 2), bool)
        ),
        ValueError,
        "mask: no token is counted",
    ),
    (
        lambda: layers.mse_loss(np.zeros(3), np.zeros((3, 1))),
        ValueError,
        r"target: expected the shape of pred \(3,\)",
    ),
]


@pytest.mark.parametrize("call, exc, match", BAD)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
