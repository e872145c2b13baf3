"""Tests for the NumPy training toolkit: batching, clipping, gradcheck, optimisers, init, LM."""

import numpy as np
import pytest
import torch

from rnn_course.batching import batchify, num_chunks, tbptt_chunks

# ---------------------------------------------------------------- batching


@pytest.mark.parametrize("make", [np.arange, torch.arange], ids=["numpy", "torch"])
def test_batchify_columns_are_contiguous_slices(make):
    data = make(23)
    stream = batchify(data, 4)  # (5, 4)
    assert tuple(stream.shape) == (5, 4)
    for b in range(4):
        assert list(stream[:, b].tolist()) == list(range(5 * b, 5 * b + 5))


@pytest.mark.parametrize("make", [np.arange, torch.arange], ids=["numpy", "torch"])
def test_tbptt_chunks_cover_stream_in_order(make):
    stream = batchify(make(4 * 11), 4)  # (11, 4)
    chunks = list(tbptt_chunks(stream, 3))
    assert len(chunks) == num_chunks(stream, 3) == 4  # 10 input rows: 3 + 3 + 3 + 1
    assert [x.shape[0] for x, _ in chunks] == [3, 3, 3, 1]
    xs = np.concatenate([np.asarray(x) for x, _ in chunks])
    ys = np.concatenate([np.asarray(y) for _, y in chunks])
    np.testing.assert_array_equal(xs, np.asarray(stream[:-1]))
    np.testing.assert_array_equal(ys, np.asarray(stream[1:]))
    for x, y in chunks:
        np.testing.assert_array_equal(np.asarray(y[:-1]), np.asarray(x[1:]))
    # carrying state: first input of chunk k+1 is the last target of chunk k
    for (_, y0), (x1, _) in zip(chunks, chunks[1:], strict=False):
        np.testing.assert_array_equal(np.asarray(x1[0]), np.asarray(y0[-1]))


def test_batching_does_not_modify_input():
    data = np.arange(20)
    before = data.copy()
    list(tbptt_chunks(batchify(data, 3), 4))
    np.testing.assert_array_equal(data, before)


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: batchify(np.arange(7), 4), ValueError, "at least 8"),
        (lambda: batchify(np.zeros((4, 4)), 2), ValueError, r"1-D.*\(4, 4\)"),
        (lambda: batchify(np.arange(8), 0), ValueError, "batch_size"),
        (lambda: batchify(np.arange(8), 2.0), TypeError, "batch_size"),
        (lambda: batchify([1, 2, 3, 4], 2), TypeError, "data"),
        (lambda: tbptt_chunks(np.zeros((5, 2)), 0), ValueError, "seq_len"),
        (lambda: tbptt_chunks(np.zeros((1, 2)), 3), ValueError, "at least 2 rows"),
        (lambda: tbptt_chunks(np.zeros(5), 3), ValueError, r"\(N, B\)"),
        (lambda: num_chunks(np.zeros((5, 2)), -1), ValueError, "seq_len"),
    ],
)
def test_batching_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
