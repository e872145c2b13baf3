"""Claims of chapter 7, Recurrence revisited, each rerun to try to break it.

Every qualitative claim the chapter draws from an experiment is retried on five
seeds, with three times the chapter's training budget, and with the learning
rate three times smaller and larger (the rule of the chapters' round-3 issue).
The wording in the chapter is what survives here. The character-model tests
train 2 x 5 models for up to 1,350 steps each and are marked slow.
"""

import numpy as np
import pytest
import torch

from rnn_book.experiments import ch07
from rnn_course import scan

SEEDS = range(5)
BASE = 300  # the chapter trains the GRU for 300 steps and the minGRU for 1.5x that
LR = 1e-2


@pytest.fixture(autouse=True)
def one_thread():
    torch.set_num_threads(1)


# ----------------------------------------------------------- minGRU against GRU


@pytest.fixture(scope="module")
def lm_runs():
    """GRU: 300 and 900 (3x) steps; minGRU: 1.5x those, and the same steps; at lr x1, x0.3, x3."""
    data = ch07.char_data()
    runs = {}
    for seed in SEEDS:
        runs["gru", LR, seed] = ch07.lm_curve("gru", (BASE, 3 * BASE), seed=seed, data=data)
        runs["mingru", LR, seed] = ch07.lm_curve(
            "mingru", (BASE, 3 * BASE // 2, 3 * BASE, 9 * BASE // 2), seed=seed, data=data
        )
        for lr in (LR * 0.3, LR * 3):
            runs["gru", lr, seed] = ch07.lm_curve("gru", (BASE,), seed=seed, lr=lr, data=data)
            runs["mingru", lr, seed] = ch07.lm_curve(
                "mingru", (BASE, 3 * BASE // 2), seed=seed, lr=lr, data=data
            )
    return runs


@pytest.mark.slow
def test_gru_learns_more_per_step_at_the_chapters_learning_rate_and_below(lm_runs):
    """Chapter: 'After the same number of steps its validation loss is lower on every seed'."""
    for seed in SEEDS:
        gru, mini = lm_runs["gru", LR, seed]["bpc"], lm_runs["mingru", LR, seed]["bpc"]
        assert gru[0] < mini[0], (seed, "300 steps", gru, mini)
        assert gru[1] < mini[2], (seed, "900 steps (3x)", gru, mini)
        g, m = lm_runs["gru", LR * 0.3, seed]["bpc"], lm_runs["mingru", LR * 0.3, seed]["bpc"]
        assert g[0] < m[0], (seed, "lr x0.3", g, m)


@pytest.mark.slow
def test_at_three_times_the_learning_rate_the_gru_falters_and_the_mingru_leads(lm_runs):
    """Chapter: 'three times larger, the GRU trains badly and the minGRU is ahead'."""
    for seed in SEEDS:
        g, m = lm_runs["gru", LR * 3, seed]["bpc"], lm_runs["mingru", LR * 3, seed]["bpc"]
        assert m[0] < g[0], (seed, g, m)
        assert g[0] > lm_runs["gru", LR, seed]["bpc"][0], (seed, "the GRU falters")


@pytest.mark.slow
def test_mingru_steps_are_cheaper_but_at_equal_time_it_is_not_clearly_ahead(lm_runs):
    """Chapter: 'Given 1.5 times the GRU's steps ... a draw at this budget'.

    1.5x steps is about the minGRU's CPU-time advantage (its cost per step is
    measured below), so this compares at equal time. Tried at the chapter's
    learning rate (300 and 900 GRU steps) and at a third of it.
    """
    ratios = [
        lm_runs["gru", LR, s]["cpu_per_step"] / lm_runs["mingru", LR, s]["cpu_per_step"]
        for s in SEEDS
    ]
    assert np.median(ratios) > 1.2, ratios  # loose: timing on a shared machine
    for lr, pairs in ((LR, ((0, 1), (1, 3))), (LR * 0.3, ((0, 1),))):
        for g_stage, m_stage in pairs:
            gaps = np.array(
                [
                    lm_runs["mingru", lr, s]["bpc"][m_stage] - lm_runs["gru", lr, s]["bpc"][g_stage]
                    for s in SEEDS
                ]
            )  # positive: the GRU is ahead
            assert gaps.min() > -0.1, (lr, g_stage, gaps)
            assert gaps.mean() > -0.05, (lr, g_stage, gaps)


# ------------------------------------------------------------- the xLSTM box


def test_exponential_memory_keeps_the_best_item_and_sigmoid_gates_cannot():
    """Chapter: the exponential memory's error falls with beta; the best sigmoid one stays high."""
    grid = [(b, t) for b in (1, 3, 10, 30, 100, 300, 1000) for t in np.linspace(0, 1, 11)]
    for seed in SEEDS:
        errors = [ch07.exp_memory(beta, seed=seed)["mse"] for beta in (10, 100, 1000)]
        assert errors[0] > errors[1] > errors[2], (seed, errors)
        assert errors[2] < 0.05, (seed, errors)
        best_sigmoid = min(ch07.sigmoid_memory(b, t, n=500, seed=seed) for b, t in grid)
        assert best_sigmoid > 0.3, (seed, best_sigmoid)  # a finer, wider grid than the chapter's
        # three times longer streams: the same verdict
        longer = min(ch07.sigmoid_memory(b, t, T=60, n=500, seed=seed) for b, t in grid)
        assert longer > 0.3, (seed, longer)
        assert ch07.exp_memory(1000, T=60, seed=seed)["mse"] < 0.05


def test_the_stabiliser_is_what_keeps_exponential_gates_finite():
    for seed in SEEDS:
        assert ch07.exp_memory(100, seed=seed, stabilised=False)["nonfinite"] > 1000
        assert ch07.exp_memory(100, seed=seed)["nonfinite"] == 0
        # the stabiliser changes no ratio: where both are finite they agree
        small_raw = ch07.exp_memory(10, seed=seed, stabilised=False)["mse"]
        assert small_raw == pytest.approx(ch07.exp_memory(10, seed=seed)["mse"], rel=1e-4)


# ------------------------------------------------------------- the Mamba box


@pytest.mark.slow
@pytest.mark.parametrize(
    "steps, lr", [(100, 0.1), (300, 0.1), (300, 0.03), (100, 0.03), (100, 0.3)]
)
def test_a_fixed_step_never_solves_the_copy_task(steps, lr):
    """Chapter: 'With a fixed step the error stays at ..., no better than predicting 0'."""
    for seed in SEEDS:
        fixed = ch07.selective_copy(False, steps=steps, lr=lr, seed=seed)
        assert fixed["mse"] > 0.9, (seed, fixed)  # about the variance of the target


@pytest.mark.slow
@pytest.mark.parametrize("steps, lr", [(100, 0.1), (300, 0.1), (300, 0.03)])
def test_a_selective_step_solves_the_copy_task(steps, lr):
    """Chapter: solved in 100 steps at lr 0.1, and with 3x the steps at lr 0.1 and 0.03.

    Not claimed: 100 steps at lr 0.03 or 0.3 (some seeds are not there yet; the
    chapter says so).
    """
    for seed in SEEDS:
        sel = ch07.selective_copy(True, steps=steps, lr=lr, seed=seed)
        assert sel["mse"] < 0.1, (seed, sel)
        assert sel["delta_mark"] > 50 * sel["delta_blank"], (seed, sel)


def test_no_fixed_step_can_solve_the_copy_task():
    """Independent of training: the best fixed step with the best read-out scale, by a grid."""
    rng = np.random.default_rng(0)
    T, n = 64, 4000
    v = rng.normal(size=(T, n))
    pos = rng.integers(0, T, size=n)
    target = v[pos, np.arange(n)]
    best = np.inf
    for delta in np.geomspace(1e-4, 10, 26):
        decay = np.exp(-delta)
        h = scan.linear_recurrence(np.full((T, n), decay), (1 - decay) * v)[-1]
        c = (h @ target) / (h @ h)  # the best read-out scale
        best = min(best, np.mean((c * h - target) ** 2))
    assert best > 0.9, best


# ---------------------------------------------------------- the timing section


def test_work_counts_behind_the_timing_table():
    """The chapter explains its CPU timings by work: the loop does the least of the three."""
    for T in (64, 256, 1024, 4096):
        loop = scan.scan_work_depth(T, "loop")[0]
        assert loop < scan.scan_work_depth(T, "blelloch")[0] < scan.scan_work_depth(
            T, "hillis_steele"
        )[0] or T < 256
