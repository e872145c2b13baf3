"""Tests for rnn_course.data: synthetic tasks, corpora, vocabulary, splits."""

import numpy as np
import pytest

from rnn_course import data as d


def rng(seed=0):
    return np.random.default_rng(seed)


# ----------------------------------------------------------------------------- synthetic tasks


def test_adding_problem_shapes_and_constant_baseline():
    x, y = d.adding_problem(20_000, 30, rng())
    assert x.shape == (30, 20_000, 2) and x.dtype == np.float32
    assert y.shape == (20_000,) and y.dtype == np.float32
    marks = x[..., 1]
    assert np.all(marks.sum(0) == 2)  # exactly two markers per sequence
    assert np.all(marks[:15].sum(0) == 1)  # one in each half
    np.testing.assert_allclose(y, (x[..., 0] * marks).sum(0), rtol=1e-6)
    # predicting 1 always: MSE = Var(U1 + U2) = 1/6; sampling error ~ 0.002 at n = 20000
    mse = float(((y - 1.0) ** 2).mean())
    assert abs(mse - 1 / 6) < 0.01


@pytest.mark.parametrize(
    "make",
    [
        lambda r: d.adding_problem(5, 10, r),
        lambda r: d.copy_task(5, 3, 4, r),
        lambda r: d.delayed_recall(5, 10, 3, r),
        lambda r: (d.temporal_xor(7, r),),
        lambda r: (np.array([len(s) for s in d.embedded_reber(9, r)]),),
        lambda r: d.parity(5, 10, r),
        lambda r: d.palindrome(5, 10, r),
        lambda r: (d.noisy_sine(3, 20, r),),
        lambda r: (d.sum_of_sines(3, 20, r, noise=0.1),),
    ],
)
def test_same_seed_same_data_other_seed_other_data(make):
    a, b, c = make(rng(1)), make(rng(1)), make(rng(2))
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert any(u.shape != w.shape or not np.array_equal(u, w) for u, w in zip(a, c, strict=True))


def test_global_rng_untouched_and_rng_required():
    state = np.random.get_state()[1].copy()  # noqa: NPY002
    d.adding_problem(4, 8, rng())
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002
    with pytest.raises(TypeError, match="rng"):
        d.adding_problem(4, 8, 0)


def test_copy_task_layout():
    x, y = d.copy_task(4, seq_len=3, lag=5, rng=rng(), n_symbols=6)
    T = 2 * 3 + 5 + 1
    assert x.shape == (T, 4, 8) and y.shape == (T, 4)
    ids = x.argmax(-1)
    np.testing.assert_array_equal(y[-3:], ids[:3])  # recall equals what was shown
    assert np.all(ids[3 + 5] == 7)  # the cue
    assert np.all(y[:-3] == 0) and np.all(ids[:3] >= 1)


def test_delayed_recall_targets():
    x, y = d.delayed_recall(3, 12, 4, rng())
    np.testing.assert_array_equal(y[4:], x[:-4, :, 0].astype(np.int64))
    assert np.all(y[:4] == -1)


def test_temporal_xor_every_third_bit():
    bits = d.temporal_xor(200, rng()).reshape(-1, 3)
    np.testing.assert_array_equal(bits[:, 2], bits[:, 0] ^ bits[:, 1])
    assert 0.3 < bits[:, :2].mean() < 0.7


def test_embedded_reber_strings_are_grammatical():
    strings = d.embedded_reber(300, rng())
    assert all(d.is_embedded_reber(s) for s in strings)
    assert {s[1] for s in strings} == {"T", "P"}
    for s in strings[:50]:
        for i in range(len(s)):
            assert s[i] in d.reber_next_symbols(s[:i])
        assert s[-2] == s[1]


@pytest.mark.parametrize("bad", ["BTBTXSEPE", "BTBTXXE", "TBTXSETE", "BTBTXSETEE", "BXBTXSEXE", ""])
def test_embedded_reber_checker_rejects(bad):
    assert not d.is_embedded_reber(bad)


def test_parity_and_palindrome_labels():
    x, y = d.parity(50, 9, rng())
    np.testing.assert_array_equal(y, x[..., 0].sum(0).astype(int) % 2)
    for T, K in [(7, 2), (8, 3)]:
        x, y = d.palindrome(400, T, rng(), n_symbols=K)
        ids = x.argmax(-1)
        is_pal = np.all(ids == ids[::-1], axis=0)
        np.testing.assert_array_equal(is_pal, y == 1)
        assert 0.4 < y.mean() < 0.6


def test_series():
    s = d.noisy_sine(4, 100, rng(), noise=0.0)
    assert s.shape == (100, 4) and np.abs(s).max() <= 1.0 + 1e-6
    x, y = d.next_step_pairs(s)
    assert x.shape == (99, 4, 1) and y.shape == (99, 4)
    np.testing.assert_array_equal(x[1:, :, 0], y[:-1])
    with pytest.raises(ValueError, match="noise"):
        d.sum_of_sines(2, 10, rng(), noise=-1)


@pytest.mark.parametrize(
    "call", [lambda: d.adding_problem(0, 5, rng()), lambda: d.parity(3, 2.5, rng())]
)
def test_bad_sizes(call):
    with pytest.raises((ValueError, TypeError), match="n|T"):
        call()


# ----------------------------------------------------------------------------- corpora


def test_pydoc_corpus_size_and_content():
    text = d.load_corpus("pydoc")
    assert 440_000 < len(text) < 490_000  # Python 3.11 gives 464,970
    assert "assert" in text[:200] and text == d.load_corpus("pydoc")
    assert d.load_corpus("pydoc", max_chars=100) == text[:100]


def test_stdlib_corpus():
    text = d.load_corpus("stdlib")
    assert 200_000 < len(text) <= 500_000
    assert "def " in text and "import" in text


def test_unknown_corpus():
    with pytest.raises(ValueError, match="pydoc"):
        d.load_corpus("shakespeare")


def test_load_text_file_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        d.load_text_file(tmp_path / "missing.txt")
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("café au lait".encode("latin-1"))
    with pytest.raises(ValueError, match="not UTF-8.*byte 3"):
        d.load_text_file(bad)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="empty"):
        d.load_text_file(empty)
    good = tmp_path / "good.txt"
    good.write_text("naïve text\n", encoding="utf-8")
    assert d.load_text_file(good) == "naïve text\n"


# ----------------------------------------------------------------------------- vocabulary


def test_vocab_round_trip_and_unknown(tmp_path):
    text = d.load_corpus("pydoc", max_chars=20_000)
    v = d.CharVocab.from_text(text)
    ids = v.encode(text)
    assert ids.dtype == np.int64 and ids.min() >= 1 and ids.max() < len(v)
    assert v.decode(ids) == text
    assert len(v) == len(set(text)) + 1
    unseen = "\u4e2d"
    assert unseen not in text
    np.testing.assert_array_equal(v.encode("a" + unseen), [v.stoi["a"], v.unk_id])
    assert v.decode(v.encode(unseen)) == v.UNK
    with pytest.raises(ValueError, match="not in the vocabulary"):
        v.encode(unseen, errors="strict")
    with pytest.raises(ValueError, match="ids"):
        v.decode([len(v)])
    v.save(tmp_path / "v.json")
    assert d.CharVocab.load(tmp_path / "v.json") == v
    assert d.CharVocab.from_dict(v.to_dict()) == v
    with pytest.raises(ValueError, match="empty"):
        d.CharVocab.from_text("")


# ----------------------------------------------------------------------------- splits and batching


def test_split_contiguous_no_leakage():
    ids = np.arange(1000)
    tr, va, te = d.split_corpus(ids)
    assert (len(tr), len(va), len(te)) == (900, 50, 50)
    np.testing.assert_array_equal(np.concatenate([tr, va, te]), ids)
    assert tr.max() < va.min() and va.max() < te.min()
    s = d.split_corpus("abcdefghij" * 10, fractions=(0.8, 0.1, 0.1))
    assert "".join(s) == "abcdefghij" * 10 and len(s.val) == 10


@pytest.mark.parametrize("fractions", [(0.5, 0.5), (0.9, 0.2, 0.1), (1.0, 0.0, 0.0)])
def test_split_bad_fractions(fractions):
    with pytest.raises(ValueError, match="fractions"):
        d.split_corpus(np.arange(100), fractions)


def test_lm_stream_and_seq_len_too_long():
    ids = np.arange(101)
    stream = d.lm_stream(ids, batch_size=4, seq_len=10)
    assert stream.shape == (25, 4)
    chunks = list(d.tbptt_chunks(stream, 10))
    assert len(chunks) == d.num_chunks(stream, 10) == 3
    x0, y0 = chunks[0]
    np.testing.assert_array_equal(y0[:-1], x0[1:])
    with pytest.raises(ValueError, match="seq_len.*longer"):
        d.lm_stream(ids, batch_size=4, seq_len=25)
