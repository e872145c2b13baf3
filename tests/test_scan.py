"""The scans of rnn_course.scan: equal to the loop, their backward checked in float64."""

import numpy as np
import pytest
import torch

from rnn_course import scan
from rnn_course.gradcheck import numeric_gradient, rel_error

LENGTHS = (1, 2, 3, 5, 8, 13, 64, 100)


def _problem(T, shape=(3, 4), seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.1, 1.0, size=(T, *shape)).astype(dtype)
    b = rng.normal(size=(T, *shape)).astype(dtype)
    h0 = rng.normal(size=shape).astype(dtype)
    return a, b, h0


@pytest.mark.parametrize("T", LENGTHS)
@pytest.mark.parametrize("method", scan.METHODS)
def test_every_scan_equals_the_loop(T, method):
    a, b, h0 = _problem(T, seed=T)
    ref = scan.linear_recurrence(a, b, h0)
    assert np.abs(scan.scan(a, b, h0, method) - ref).max() < 1e-12
    assert np.abs(scan.scan(a, b, None, method) - scan.linear_recurrence(a, b)).max() < 1e-12


def test_loop_is_the_recurrence_and_chapter_6_names_still_work():
    a, b = np.array([0.5, 0.5, 0.5]), np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(scan.linear_recurrence(a, b), [1.0, 2.5, 4.25])
    np.testing.assert_allclose(scan.parallel_scan(a, b), [1.0, 2.5, 4.25])
    np.testing.assert_allclose(scan.linear_recurrence(a, b, np.array(4.0)), [3.0, 3.5, 4.75])
    a1, b1 = scan.combine((2.0, 1.0), (3.0, 5.0))  # h -> 3 (2 h + 1) + 5
    assert (a1, b1) == (6.0, 8.0)


def test_negative_and_zero_coefficients_in_the_composition_scans():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(37, 5))
    a[4] = 0.0  # a reset: nothing before step 5 survives
    b = rng.normal(size=(37, 5))
    ref = scan.linear_recurrence(a, b)
    for method in ("hillis_steele", "blelloch"):
        assert np.abs(scan.scan(a, b, None, method) - ref).max() < 1e-12
    with pytest.raises(ValueError, match="a > 0"):
        scan.scan(a, b, None, "log")


def test_plain_products_underflow_and_the_log_space_scan_does_not():
    T = 3000
    a, b = np.full((T, 2), 0.5), np.ones((T, 2))
    plain = scan.cumprod_scan(a, b)
    assert np.isfinite(plain[:50]).all()  # fine while the product is representable
    assert not np.isfinite(plain[-1]).any()  # 0.5**3000 underflows: 0 * inf
    logs = scan.log_space_scan(np.log(a), b)
    np.testing.assert_allclose(logs, scan.linear_recurrence(a, b), rtol=1e-12, atol=1e-12)
    a32, b32 = a.astype(np.float32), b.astype(np.float32)
    assert not np.isfinite(scan.cumprod_scan(a32, b32)[200]).any()  # float32: much earlier


def test_log_space_scan_keeps_mixed_signs_and_h0():
    a, b, h0 = _problem(50, seed=5)
    got = scan.log_space_scan(np.log(a), b, h0)
    np.testing.assert_allclose(got, scan.linear_recurrence(a, b, h0), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("method", scan.METHODS)
def test_scan_backward_matches_numeric_gradients(method):
    a, b, h0 = _problem(9, shape=(2, 3), seed=1)
    dh = np.random.default_rng(2).normal(size=b.shape)
    _, cache = scan.scan_forward(a, b, h0, method)
    da, db, dh0 = scan.scan_backward(dh, cache)
    for name, x, grad in (("a", a, da), ("b", b, db), ("h0", h0, dh0)):
        num = numeric_gradient(lambda _x: scan.linear_recurrence(a, b, h0), x, dh)
        assert rel_error(grad, num) < 1e-7, (method, name)


@pytest.mark.parametrize("method", scan.METHODS)
def test_scan_backward_equals_autograd_and_the_reversed_loop(method):
    a, b, h0 = _problem(33, seed=4)
    dh = np.random.default_rng(6).normal(size=b.shape)
    _, cache = scan.scan_forward(a, b, h0, method)
    da, db, dh0 = scan.scan_backward(dh, cache)
    ta, tb, th0 = (torch.tensor(v, requires_grad=True) for v in (a, b, h0))
    h, out = th0, []
    for t in range(len(a)):
        h = ta[t] * h + tb[t]
        out.append(h)
    torch.stack(out).backward(torch.tensor(dh))
    for ours, theirs in ((da, ta.grad), (db, tb.grad), (dh0, th0.grad)):
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-11, atol=1e-12)
    g, grads = np.zeros_like(h0), np.empty_like(dh)  # the reversed loop, by hand
    for t in reversed(range(len(a))):
        g = dh[t] + (a[t + 1] * g if t + 1 < len(a) else 0)
        grads[t] = g
    np.testing.assert_allclose(db, grads, rtol=1e-12, atol=1e-12)


def test_work_and_depth_counts():
    assert scan.scan_work_depth(8, "loop") == (8, 8)
    assert scan.scan_work_depth(8, "hillis_steele") == (7 + 6 + 4, 3)
    assert scan.scan_work_depth(8, "blelloch") == (7 + 7 + 8, 7)
    for T in (100, 1000, 4096):
        w_hs, d_hs = scan.scan_work_depth(T, "hillis_steele")
        w_b, d_b = scan.scan_work_depth(T, "blelloch")
        assert d_hs == int(np.ceil(np.log2(T)))
        assert w_b <= 4 * T and w_hs > T * (np.log2(T) - 2)
        assert d_b <= 2 * np.ceil(np.log2(T)) + 1


def test_bad_input_is_refused_with_a_clear_message():
    a, b, h0 = _problem(4)
    with pytest.raises(ValueError, match="same shape"):
        scan.scan(a, b[:3])
    with pytest.raises(ValueError, match="h0: expected an array of shape"):
        scan.scan(a, b, h0[:1])
    with pytest.raises(TypeError, match="floating-point"):
        scan.scan(a.astype(int), b)
    with pytest.raises(ValueError, match="unknown scan"):
        scan.scan(a, b, None, "fast")
    with pytest.raises(TypeError, match="dtype"):
        scan.scan(a.astype(np.float32), b)
    _, cache = scan.scan_forward(a, b)
    with pytest.raises(ValueError, match="dh: expected the shape"):
        scan.scan_backward(b[:2], cache)
    with pytest.raises(TypeError, match="cache"):
        scan.scan_backward(b, {"a": a})
