"""Each lesson's capstone, run on the lesson's solutions and on learners' code written
differently (lessons/NN_*/fixtures), reproduces the result its notebook states, on three seeds;
with an exercise left as a stub it says what is missing instead of failing.
"""

import numpy as np
import pytest

from rnn_grade.fixtures import fixture
from rnn_grade.lessons.l01_motivation import capstone as cap01
from rnn_grade.lessons.l01_motivation import solutions as sol01
from rnn_grade.lessons.l02_srn import capstone as cap02
from rnn_grade.lessons.l02_srn import solutions as sol02
from rnn_grade.lessons.l03_bptt import capstone as cap03
from rnn_grade.lessons.l03_bptt import solutions as sol03

correct_b_l01, correct_b_l02 = fixture("01", "correct_b"), fixture("02", "correct_b")
correct_b_l03 = fixture("03", "correct_b")

SEEDS = (0, 1, 2)


@pytest.mark.parametrize("seed", SEEDS)
def test_l01_window_model_is_at_chance_until_it_sees_the_first_symbol(seed):
    fns = (sol01, correct_b_l01)[seed % 2]
    out = cap01.run(fns.one_hot_window, fns.bag_of_words, seed=seed)
    for w, acc in out["window"].items():
        if w < cap01.T:
            assert abs(acc - 0.25) < 0.06, (w, acc)
        else:
            assert acc > 0.95
    assert 0.27 < out["bag_of_words"] < 0.5  # above chance (counts), far from perfect


@pytest.mark.parametrize("seed", SEEDS)
def test_l02_learner_srn_reads_and_writes_text_with_trained_weights(seed):
    fns = (sol02, correct_b_l02)[seed % 2]
    out = cap02.run(fns.srn_forward, fns.softmax_output, seed=seed)
    assert out["loss"] < 2.0 < out["uniform"] - 2.0
    assert len(out["text"]) == 200


def test_l02_capstone_loss_is_the_library_models():
    from rnn_course.numpy_lm import loss_and_grads

    weights, W_hy, b_hy, _, ids = cap02.load()
    mine = cap02.mean_loss(sol02.srn_forward, sol02.softmax_output, weights, W_hy, b_hy, ids[:500])
    params = dict(weights, W_hy=W_hy, b_hy=b_hy)
    lib, _, _ = loss_and_grads(params, ids[:499, None], ids[1:500, None], np.zeros((1, 100)))
    assert np.isclose(mine, lib)


@pytest.mark.parametrize("seed", SEEDS)
def test_l03_learner_backward_trains_a_character_model(seed):
    fns = (vars(sol03), vars(correct_b_l03))[seed % 2]
    out = cap03.run(fns, seed=seed)
    first, last = out["loss"][:20].mean(), out["loss"][-20:].mean()
    assert first > 4.0 and last < 2.4 and last < first - 1.8
    assert out["before"] != out["after"]


def test_capstones_with_a_stub_say_what_is_missing(capsys):
    def bag_of_words(tokens, vocab_size):
        raise NotImplementedError("bag_of_words: your code here")

    assert cap01.run(sol01.one_hot_window, bag_of_words) is None
    out = capsys.readouterr().out
    assert "still to do" in out and "bag_of_words: not implemented yet" in out
    assert cap03.run({**vars(sol03), "tbptt_chunks": None}) is None
    assert "tbptt_chunks" in capsys.readouterr().out
