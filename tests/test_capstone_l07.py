"""Lesson 07's capstone on the lesson's solutions: the minGRU learns, and the race runs."""

import numpy as np

from rnn_grade.fixtures import fixture
from rnn_grade.lessons.l07_recurrence_revisited import capstone
from rnn_grade.lessons.l07_recurrence_revisited import solutions as s


def test_a_mingru_made_of_the_learners_functions_learns_text():
    run = capstone.train_char_model(s.min_gru_sequence, s.scan_backward, steps=150)
    loss = run["loss"]
    assert loss[:5].mean() > np.log(run["vocab_size"]) - 0.3  # starts near guessing
    assert loss[-30:].mean() < loss[:5].mean() - 1.0, (loss[:5].mean(), loss[-30:].mean())


def test_the_capstone_depends_only_on_the_values_of_the_learners_functions():
    """Two independent correct solutions train to the same losses (no hidden state used)."""
    b = fixture("07", "correct_b")
    one = capstone.train_char_model(s.min_gru_sequence, s.scan_backward, steps=20)
    two = capstone.train_char_model(b.min_gru_sequence, b.scan_backward, steps=20)
    np.testing.assert_allclose(one["loss"], two["loss"], rtol=1e-9)


def test_race_times_the_loop_and_the_scan():
    times = capstone.time_loop_and_scan(s.min_gru_step, s.min_gru_sequence, lengths=(8, 64),
                                        repeats=1)
    assert set(times) == {8, 64} and all(t > 0 for pair in times.values() for t in pair)
