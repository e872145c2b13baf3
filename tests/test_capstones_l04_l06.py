"""The capstones of lessons 4-6 with the lesson solutions filled in do the chapters' experiments.

Each asserts the result the lesson's prose promises (the notebooks print the same
numbers from the learner's own functions), and that a stub left in gives a message
instead of an error.
"""

import numpy as np
import pytest

from rnn_grade.fixtures import fixture
from rnn_grade.lessons.l03_bptt import solutions as s3
from rnn_grade.lessons.l04_vanishing_exploding import capstone as c4
from rnn_grade.lessons.l04_vanishing_exploding import solutions as s4
from rnn_grade.lessons.l05_lstm import capstone as c5
from rnn_grade.lessons.l05_lstm import solutions as s5

correct_a_l04, correct_a_l05 = fixture("04", "correct_a"), fixture("05", "correct_a")
correct_a_l06, correct_b_l05 = fixture("06", "correct_a"), fixture("05", "correct_b")


@pytest.mark.parametrize("fns", [s4, correct_a_l04], ids=["solution", "learner"])
def test_l04_jacobian_norms_vanish_below_radius_one(fns):
    curves = c4.vanishing_curves(fns.jacobian_product_norms)
    assert curves[0.5][30] < 1e-6
    for r in (0.5, 0.9, 1.0):
        assert curves[r][59] < 1e-3 < curves[r][1]
        assert np.all(np.diff(np.log(curves[r][1:])) < 0.5)  # falling, step after step
    assert curves[1.1][59] < 1e-2 < curves[1.1][1]  # the tanh slopes still pull it down
    assert curves[1.5][59] > curves[1.5][1] > 1.0  # a large radius: the product grows


@pytest.mark.parametrize("fns", [s4, correct_a_l04], ids=["solution", "learner"])
def test_l04_clipping_crosses_the_cliff_where_plain_steps_fail(fns):
    runs = c4.cliff_runs(fns.clip_grad_norm)
    plain, clipped = runs["plain steps"], runs["clipped (yours)"]
    assert plain["norm"].max() > 10  # the wall: a gradient far above the clip level
    assert plain["loss"][-1] > 0.2  # thrown onto the plateau, and stuck there
    assert clipped["loss"][-1] < 1e-6


def test_l04_capstone_with_a_stub_prints_what_is_missing(capsys):
    def jacobian_product_norms(h, W_hh):
        raise NotImplementedError("jacobian_product_norms: your code here")

    assert c4.vanishing(jacobian_product_norms, plot=False) is None
    assert "still to do" in capsys.readouterr().out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_l05_lstm_solves_the_adding_problem_where_the_srn_stays_at_one_sixth(seed):
    fns = (s5, correct_a_l05, correct_b_l05)[seed]  # the solution, then two learners' LSTMs
    srn = {"srn_forward": s3.srn_forward, "srn_backward": s3.srn_backward}
    runs = c5.adding_race(fns.lstm_forward, fns.lstm_backward, srn, seed=seed)
    assert runs["LSTM (yours)"]["test_mse"] < 0.01
    assert runs["SRN (yours)"]["test_mse"] > 0.12  # 1/6 = 0.167: always answering 1


@pytest.mark.parametrize("fns", [s5, correct_b_l05], ids=["solution", "learner"])
def test_l05_lstm_with_torch_weights_matches_torch(fns):
    pairs = c5.torch_match(fns.lstm_forward, fns.lstm_backward)
    assert len(pairs) == 9
    for name, (ours, theirs) in pairs.items():
        assert ours.shape == theirs.shape, name
        assert np.max(np.abs(ours - theirs)) < 1e-12, name


def test_l05_capstone_with_a_stub_prints_what_is_missing(capsys):
    def lstm_forward(x, h0, c0, W_ih, W_hh, b_ih, b_hh):
        raise NotImplementedError("lstm_forward: your code here")

    assert c5.adding(lstm_forward, s5.lstm_backward, plot=False) is None
    assert "still to do" in capsys.readouterr().out


def test_l06_training_step_trains_and_sampling_loop_writes():
    from rnn_grade.lessons.l06_applications import capstone as c6
    from rnn_grade.lessons.l06_applications import solutions as s6

    run = c6.train_char_model(correct_a_l06.tbptt_train_step)  # a learner's step
    loss = run["loss"]
    assert loss[:10].mean() > 3.3 and loss[-50:].mean() < 2.2  # from ~log V down
    texts = c6.write(run["model"], run["vocab"], s6.sample_tokens)
    assert list(texts) == list(c6.TEMPERATURES)
    assert all(len(t) == len("The ") + 200 for t in texts.values())
    distinct = [len(set(t)) for t in texts.values()]
    assert distinct[0] < distinct[1] < distinct[2]  # hotter: more varied text
