"""Bad input to the library: a clear error naming what was expected, never a silent answer.

One test per case of the library half of the security review
(../shared/reviews/security.md, "Library, bad input"): each raised nothing
before, or raised an error that did not say what was wrong.
"""

import os

import numpy as np
import pytest
import torch

from rnn_course import clip, numpy_rnn, sampling, train
from rnn_course.batching import lm_stream
from rnn_course.data.text import CharVocab, load_text_file

DEV_ZERO = "/dev/zero"
needs_dev_zero = pytest.mark.skipif(not os.path.exists(DEV_ZERO), reason="needs /dev/zero")


def _srn(nonlinearity="tanh", H=3):
    rng = np.random.default_rng(0)
    x, h0 = rng.standard_normal((4, 2, 3)), rng.standard_normal((2, H))
    w = [rng.standard_normal(s) for s in [(H, 3), (H, H), (H,), (H,)]]
    return x, h0, w


def test_clip_grad_norm_refuses_the_same_array_twice():
    a = np.full(4, 10.0)
    with pytest.raises(ValueError, match=r"grads\[1\] shares memory with grads\[0\]"):
        clip.clip_grad_norm([a, a], 1.0)
    with pytest.raises(ValueError, match="shares memory"):
        clip.clip_grad_norm({"w": a, "view": a[:2]}, 1.0)
    assert (a == 10.0).all()  # nothing was changed
    b = np.full(4, 10.0)
    clip.clip_grad_norm([a, b], 1.0)  # two arrays of equal values are fine
    assert np.isclose(np.sqrt((a**2).sum() + (b**2).sum()), 1.0, atol=1e-5)


def test_clip_max_norm_and_clip_value_must_be_numbers():
    g = [np.ones(3)]
    with pytest.raises(TypeError, match="max_norm: expected a number > 0, got '1'"):
        clip.clip_grad_norm(g, max_norm="1")
    with pytest.raises(TypeError, match="clip_value: expected a number > 0"):
        clip.clip_grad_value(g, clip_value="1")
    with pytest.raises(TypeError, match="norm_type: expected a number"):
        clip.clip_grad_norm(g, 1.0, norm_type="2")


def test_clip_grad_value_keeps_nan_like_torch_or_raises_when_asked():
    g = np.array([np.nan, 7.0, -np.inf])
    t = torch.tensor(g.copy())
    t_param = torch.nn.Parameter(torch.zeros(3, dtype=torch.double))
    t_param.grad = t
    torch.nn.utils.clip_grad_value_([t_param], 1.0)
    clip.clip_grad_value([g], 1.0)
    assert np.array_equal(g, t_param.grad.numpy(), equal_nan=True)  # [nan, 1, -1] both
    h = np.array([np.nan, 7.0])
    with pytest.raises(RuntimeError, match="holds NaN"):
        clip.clip_grad_value([h], 1.0, error_if_nonfinite=True)
    assert h[1] == 7.0  # nothing was changed


def test_srn_backward_refuses_a_cache_whose_nonlinearity_changed():
    x, h0, w = _srn()
    h, cache = numpy_rnn.srn_forward(x, h0, *w)
    cache["nonlinearity"] = "sigmoid"
    with pytest.raises(ValueError, match="nonlinearity: expected 'tanh' or 'relu', got 'sigmoid'"):
        numpy_rnn.srn_backward(np.ones_like(h), cache)
    h1, step_cache = numpy_rnn.srn_step_forward(x[0], h0, *w)
    step_cache["nonlinearity"] = "sigmoid"
    with pytest.raises(ValueError, match="nonlinearity: expected"):
        numpy_rnn.srn_step_backward(np.ones_like(h1), step_cache)


def test_zero_hidden_units_are_named():
    rng = np.random.default_rng(0)
    x, h0, c0 = rng.standard_normal((3, 2, 4)), np.zeros((2, 0)), np.zeros((2, 0))
    w = [np.zeros(s) for s in [(0, 4), (0, 0), (0,), (0,)]]
    with pytest.raises(ValueError, match=r"h0: expected at least one hidden unit \(H >= 1\)"):
        numpy_rnn.lstm_forward(x, h0, c0, *w)


@pytest.mark.parametrize(
    "ids, dtype", [([True, False], "bool"), ([1.7, 2.2], "float64"), (np.array([1.0]), "float64")]
)
def test_decode_refuses_bools_and_floats(ids, dtype):
    v = CharVocab.from_text("hello")
    with pytest.raises(TypeError, match=f"ids: expected integer ids, got dtype {dtype}"):
        v.decode(ids)
    assert v.decode(np.array([1, 2])) == "eh" and v.decode([]) == ""


@pytest.mark.parametrize(
    "ids", [np.arange(100, dtype=np.float64), torch.arange(100.0), np.ones(100, dtype=bool)]
)
def test_lm_stream_refuses_non_integer_ids(ids):
    with pytest.raises(TypeError, match="ids: expected integer ids"):
        lm_stream(ids, 4, 5)
    assert lm_stream(np.arange(100), 4, 5).shape == (25, 4)
    assert lm_stream(torch.arange(100), 4, 5).shape == (25, 4)


@pytest.mark.parametrize(
    "logits, match",
    [
        (np.array([1.0, np.nan]), "got NaN"),
        (np.array([1.0, np.inf]), r"got \+inf"),
        (np.array([-np.inf, -np.inf]), "every logit of a row is -inf"),
        (torch.tensor([0.0, float("nan")]), "got NaN"),
    ],
)
def test_temperature_and_softmax_refuse_nan_and_all_minus_inf(logits, match):
    with pytest.raises(ValueError, match=match):
        sampling.apply_temperature(logits, 0.5)
    if isinstance(logits, np.ndarray):
        with pytest.raises(ValueError, match=match):
            sampling.softmax(logits)
    p = sampling.softmax(np.array([0.0, -np.inf, 1.0]))  # a masked token is fine
    assert p[1] == 0 and np.isclose(p.sum(), 1)


@needs_dev_zero
def test_unbounded_reads_are_refused(tmp_path):
    with pytest.raises(ValueError, match="is not a regular file"):
        load_text_file(DEV_ZERO)
    with pytest.raises(ValueError, match="is not a regular file"):
        train.load_checkpoint(DEV_ZERO)
    big = tmp_path / "big.txt"
    big.write_text("a" * 1000)
    with pytest.raises(ValueError, match="larger than max_bytes=999"):
        load_text_file(big, max_bytes=999)
    assert load_text_file(big, max_bytes=1000) == "a" * 1000
    train.save_checkpoint(tmp_path / "c.pt", {"w": torch.ones(2)}, {"step": 1})
    with pytest.raises(ValueError, match="larger than max_bytes=100"):
        train.load_checkpoint(tmp_path / "c.pt", max_bytes=100)


def _checkpoint_with_header(path, header_bytes, claimed=None):
    n = len(header_bytes) if claimed is None else claimed
    magic = train.CHECKPOINT_MAGIC
    path.write_bytes(magic + n.to_bytes(8, "little") + header_bytes)


def test_checkpoint_header_nested_deeply_or_claiming_too_much_is_a_clear_error(tmp_path):
    deep = tmp_path / "deep.pt"
    _checkpoint_with_header(deep, b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(ValueError, match="damaged header"):
        train.load_checkpoint(deep)
    huge = tmp_path / "huge.pt"
    _checkpoint_with_header(huge, b"{}", claimed=2**62)
    with pytest.raises(ValueError, match="claims 4611686018427387904 bytes"):
        train.load_checkpoint(huge)
