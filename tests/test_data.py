"""Tests for rnn_course.data.tasks, .reber and .text: tasks, corpora, vocabulary, splits."""

import numpy as np
import pytest

from rnn_course import batching
from rnn_course.data import reber, tasks
from rnn_course.data import text as text_data


def rng(seed=0):
    return np.random.default_rng(seed)


# ----------------------------------------------------------------------------- synthetic tasks


def test_adding_problem_shapes_and_constant_baseline():
    x, y = tasks.adding_problem(20_000, 30, rng())
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
        lambda r: tasks.adding_problem(5, 10, r),
        lambda r: tasks.copy_task(5, 3, 4, r),
        lambda r: tasks.delayed_recall(5, 10, 3, r),
        lambda r: (tasks.temporal_xor(7, r),),
        lambda r: (np.array([len(s) for s in reber.embedded_reber(9, r)]),),
        lambda r: tasks.parity(5, 10, r),
        lambda r: tasks.palindrome(5, 10, r),
        lambda r: (tasks.noisy_sine(3, 20, r),),
        lambda r: (tasks.sum_of_sines(3, 20, r, noise=0.1),),
    ],
)
def test_same_seed_same_data_other_seed_other_data(make):
    a, b, c = make(rng(1)), make(rng(1)), make(rng(2))
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert any(u.shape != w.shape or not np.array_equal(u, w) for u, w in zip(a, c, strict=True))


def test_global_rng_untouched_and_rng_required():
    state = np.random.get_state()[1].copy()  # noqa: NPY002
    tasks.adding_problem(4, 8, rng())
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002
    with pytest.raises(TypeError, match="rng"):
        tasks.adding_problem(4, 8, 0)


def test_copy_task_layout():
    x, y = tasks.copy_task(4, seq_len=3, lag=5, rng=rng(), n_symbols=6)
    T = 2 * 3 + 5 + 1
    assert x.shape == (T, 4, 8) and y.shape == (T, 4)
    ids = x.argmax(-1)
    np.testing.assert_array_equal(y[-3:], ids[:3])  # recall equals what was shown
    assert np.all(ids[3 + 5] == 7)  # the cue
    assert np.all(y[:-3] == 0) and np.all(ids[:3] >= 1)


def test_delayed_recall_targets():
    x, y = tasks.delayed_recall(3, 12, 4, rng())
    np.testing.assert_array_equal(y[4:], x[:-4, :, 0].astype(np.int64))
    assert np.all(y[:4] == -1)


def test_temporal_xor_every_third_bit():
    bits = tasks.temporal_xor(200, rng()).reshape(-1, 3)
    np.testing.assert_array_equal(bits[:, 2], bits[:, 0] ^ bits[:, 1])
    assert 0.3 < bits[:, :2].mean() < 0.7


def test_embedded_reber_strings_are_grammatical():
    strings = reber.embedded_reber(300, rng())
    assert all(reber.is_embedded_reber(s) for s in strings)
    assert {s[1] for s in strings} == {"T", "P"}
    for s in strings[:50]:
        for i in range(len(s)):
            assert s[i] in reber.reber_next_symbols(s[:i])
        assert s[-2] == s[1]


@pytest.mark.parametrize("bad", ["BTBTXSEPE", "BTBTXXE", "TBTXSETE", "BTBTXSETEE", "BXBTXSEXE", ""])
def test_embedded_reber_checker_rejects(bad):
    assert not reber.is_embedded_reber(bad)


def test_parity_and_palindrome_labels():
    x, y = tasks.parity(50, 9, rng())
    np.testing.assert_array_equal(y, x[..., 0].sum(0).astype(int) % 2)
    for T, K in [(7, 2), (8, 3)]:
        x, y = tasks.palindrome(400, T, rng(), n_symbols=K)
        ids = x.argmax(-1)
        is_pal = np.all(ids == ids[::-1], axis=0)
        np.testing.assert_array_equal(is_pal, y == 1)
        assert 0.4 < y.mean() < 0.6


def test_series():
    s = tasks.noisy_sine(4, 100, rng(), noise=0.0)
    assert s.shape == (100, 4) and np.abs(s).max() <= 1.0 + 1e-6
    x, y = tasks.next_step_pairs(s)
    assert x.shape == (99, 4, 1) and y.shape == (99, 4)
    np.testing.assert_array_equal(x[1:, :, 0], y[:-1])
    with pytest.raises(ValueError, match="noise"):
        tasks.sum_of_sines(2, 10, rng(), noise=-1)


@pytest.mark.parametrize(
    "call", [lambda: tasks.adding_problem(0, 5, rng()), lambda: tasks.parity(3, 2.5, rng())]
)
def test_bad_sizes(call):
    with pytest.raises((ValueError, TypeError), match="n|T"):
        call()


# ----------------------------------------------------------------------------- corpora


def test_pydoc_corpus_size_and_content():
    text = text_data.load_corpus("pydoc")
    assert 440_000 < len(text) < 560_000  # 464,970 on Python 3.11; 492,155 on 3.12; 510,586 on 3.13
    assert "assert" in text[:200] and text == text_data.load_corpus("pydoc")
    assert text_data.load_corpus("pydoc", max_chars=100) == text[:100]


def test_stdlib_corpus():
    text = text_data.load_corpus("stdlib")
    assert 200_000 < len(text) <= 500_000
    assert "def " in text and "import" in text


def test_unknown_corpus():
    with pytest.raises(ValueError, match="pydoc"):
        text_data.load_corpus("shakespeare")


def test_load_text_file_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        text_data.load_text_file(tmp_path / "missing.txt")
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("café au lait".encode("latin-1"))
    with pytest.raises(ValueError, match="not UTF-8.*byte 3"):
        text_data.load_text_file(bad)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="empty"):
        text_data.load_text_file(empty)
    good = tmp_path / "good.txt"
    good.write_text("naïve text\n", encoding="utf-8")
    assert text_data.load_text_file(good) == "naïve text\n"


# ----------------------------------------------------------------------------- vocabulary


def test_vocab_round_trip_and_unknown(tmp_path):
    text = text_data.load_corpus("pydoc", max_chars=20_000)
    v = text_data.CharVocab.from_text(text)
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
    assert text_data.CharVocab.load(tmp_path / "v.json") == v
    assert text_data.CharVocab.from_dict(v.to_dict()) == v
    with pytest.raises(ValueError, match="empty"):
        text_data.CharVocab.from_text("")


# ----------------------------------------------------------------------------- splits and batching


def test_split_contiguous_no_leakage():
    ids = np.arange(1000)
    tr, va, te = text_data.split_corpus(ids)
    assert (len(tr), len(va), len(te)) == (900, 50, 50)
    np.testing.assert_array_equal(np.concatenate([tr, va, te]), ids)
    assert tr.max() < va.min() and va.max() < te.min()
    s = text_data.split_corpus("abcdefghij" * 10, fractions=(0.8, 0.1, 0.1))
    assert "".join(s) == "abcdefghij" * 10 and len(s.val) == 10


@pytest.mark.parametrize("fractions", [(0.5, 0.5), (0.9, 0.2, 0.1), (1.0, 0.0, 0.0)])
def test_split_bad_fractions(fractions):
    with pytest.raises(ValueError, match="fractions"):
        text_data.split_corpus(np.arange(100), fractions)


def test_lm_stream_and_seq_len_too_long():
    ids = np.arange(101)
    stream = batching.lm_stream(ids, batch_size=4, seq_len=10)
    assert stream.shape == (25, 4)
    chunks = list(batching.tbptt_chunks(stream, 10))
    assert len(chunks) == batching.num_chunks(stream, 10) == 3
    x0, y0 = chunks[0]
    np.testing.assert_array_equal(y0[:-1], x0[1:])
    with pytest.raises(ValueError, match="seq_len.*longer"):
        batching.lm_stream(ids, batch_size=4, seq_len=25)


def test_window_majority_labels_are_the_window_majority():
    x, y = tasks.window_majority(50, 12, rng(3), w=2)
    assert x.shape == (12, 50, 1) and x.dtype == np.float32
    assert y.shape == (12, 50) and y.dtype == np.int64
    bits = x[..., 0].astype(int)
    for t in range(12):
        window = bits[max(0, t - 2) : t + 3]  # zeros beyond the ends
        np.testing.assert_array_equal(y[t], (window.sum(0) > 2).astype(int))
    with pytest.raises(ValueError, match="w: expected an int >= 0"):
        tasks.window_majority(2, 5, rng(), w=-1)


def test_data_package_re_exports_nothing():
    import rnn_course.data as data

    public = {n for n in vars(data) if not n.startswith("_")}
    assert public <= {"importlib", "tasks", "reber", "text"}, public  # submodules only
    assert data.tasks.adding_problem is tasks.adding_problem
    assert not hasattr(text_data, "lm_stream") and not hasattr(text_data, "tbptt_chunks")
