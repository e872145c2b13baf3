"""Claims of chapter 1 (Motivation), checked on seeds other than the chapter's.

Each test calls the library functions the chapter calls.
"""

import itertools

import numpy as np
import pytest
import torch

from rnn_book.experiments.ch01 import (
    first_symbol_accuracy,
    probe_state,
    train_first_symbol_rnn,
    window_accuracy,
)

SEEDS = [1, 2, 3]


@pytest.fixture(scope="module")
def srn_models():
    torch.set_num_threads(1)
    return {seed: train_first_symbol_rnn(seed)[0] for seed in SEEDS}


@pytest.mark.parametrize("seed", SEEDS)
def test_window_is_perfect_when_it_covers_the_first_symbol_else_at_chance(seed):
    rng = np.random.default_rng(seed)
    assert window_accuracy(10, 10, rng) == 1.0
    assert window_accuracy(12, 10, rng) == 1.0  # padded, still covers it
    for w, T in [(9, 10), (4, 8), (8, 20)]:
        assert window_accuracy(w, T, rng) < 0.33  # chance is 1/4


@pytest.mark.parametrize("seed", SEEDS)
def test_one_srn_is_accurate_at_every_length_also_beyond_training(srn_models, seed):
    acc = first_symbol_accuracy(srn_models[seed], range(1, 25), np.random.default_rng(seed))
    assert min(acc) >= 0.97, acc


@pytest.mark.parametrize("seed", SEEDS)
def test_probe_reads_the_first_symbol_at_every_step_but_not_x_t_minus_3(srn_models, seed):
    rng = np.random.default_rng(100 + seed)
    first = probe_state(srn_models[seed], 24, rng)
    back3 = probe_state(srn_models[seed], 24, rng, back=3)
    assert np.min(first) >= 0.85, first  # chance is 1/4
    assert np.nanmax(back3[5:]) < 0.4, back3  # from step 6 on: near chance (1/4)


@pytest.mark.parametrize("n_unseen", [1, 2, 3])
def test_best_window_accuracy_on_parity_of_a_count(n_unseen):
    """Solution of ex-mot-last-symbol: 1/2 + 2^-(T-w+1), by exact enumeration."""
    K = 4  # symbol 0 is "A"
    even = (
        sum(
            (sum(s == 0 for s in hidden) % 2 == 0)
            for hidden in itertools.product(range(K), repeat=n_unseen)
        )
        / K**n_unseen
    )
    assert max(even, 1 - even) == pytest.approx(0.5 + 2.0 ** -(n_unseen + 1))
