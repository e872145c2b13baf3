"""Claims of chapter 4 (vanishing and exploding gradients), checked on several seeds.

Each test names the sentence or figure of book/04_vanishing_exploding.ipynb it
backs. The experiments are the chapter's own functions
(rnn_book.experiments.ch04, on top of numpy_rnn, init, clip,
models.SequenceModel and train.train_sequence_model), run with seeds 0, 1, 2;
the chapter shows seed 0.
"""

import numpy as np
import pytest
import torch

from rnn_book.experiments.ch04 import (
    STARTS,
    descend,
    fit_adding,
    input_gradient_by_distance,
    jacobian_product,
    radius_experiment,
    srn_with_start,
)
from rnn_course import numpy_rnn
from rnn_course.init import identity, init_srn, orthogonal, torch_default

SEEDS = (0, 1, 2)
LEARN_NOTHING, SECOND_ONLY = 1 / 6, 1 / 12  # the two error levels of the adding problem


@pytest.mark.parametrize("seed", SEEDS)
def test_torch_default_spectrum(seed):
    """'spectral radius near 1/sqrt(3) ... largest singular value above 1': H = 32, 128."""
    rng = np.random.default_rng(seed)
    for H in (32, 128):
        W = torch_default((H, H), H, rng)
        rho, sigma = np.abs(np.linalg.eigvals(W)).max(), np.linalg.norm(W, 2)
        assert 0.45 < rho < 0.75, f"H={H}: rho {rho:.3f} not near 1/sqrt(3)"
        assert 1.0 < sigma < 1.3, f"H={H}: sigma_max {sigma:.3f} not between 1 and 1.3"


@pytest.mark.parametrize("seed", SEEDS)
def test_radius_experiment(seed):
    """fig-vanish-radius: tanh below linear here; tanh vanishes up to rho = 1.1; 1.5 tamed."""
    _, c = radius_experiment(seed=seed)
    for r in c["tanh"]:
        assert (c["tanh"][r][1:] <= c["linear"][r][1:]).all(), f"rho={r}: tanh above linear"
    for r in (0.5, 0.9, 1.0, 1.1):
        assert c["tanh"][r][60] < 0.1, f"rho={r}: tanh at n=60 is {c['tanh'][r][60]:.2e}"
    assert c["linear"][1.1][60] > 10, "the linear network at rho = 1.1 should grow"
    assert c["tanh"][1.5][60] < 1e-4 * c["linear"][1.5][60], "rho = 1.5: growth not tamed"
    assert c["tanh"][1.5][60] > 1, "rho = 1.5: the tanh gradient should still grow"


def test_slope_factors_can_enlarge_a_product():
    """ex-vanish-not-a-law: ||(SW)^2|| ~ 0.79 while W^2 = 0."""
    W = np.array([[1.0, 1.0], [-1.0, -1.0]])
    S = np.diag([1.0, 0.5])
    assert np.abs(W @ W).max() == 0
    assert np.linalg.norm(np.linalg.matrix_power(S @ W, 2), 2) == pytest.approx(0.79, abs=0.01)


def test_clipping_crosses_the_cliff():
    """fig-vanish-clip-run: unclipped stalls in a saturated region; clipped reaches ~0."""
    _, raw_loss, raw_norm = descend((2.5, 0.5))
    _, clip_loss, clip_norm = descend((2.5, 0.5), max_norm=1.0)
    assert raw_loss[-1] < raw_loss[0], "the unclipped run should end below its start"
    assert raw_loss[-1] > 0.1 and raw_norm[-1] < 1e-2, "unclipped run should stall far from 0"
    assert clip_loss[-1] < 1e-8, f"clipped run ended at {clip_loss[-1]:.2e}"
    assert (clip_norm > 1.0).mean() < 0.1, "clipping should fire on only a few steps"


@pytest.mark.parametrize("seed", SEEDS)
def test_gradient_to_inputs_fades(seed):
    """Before fig-vanish-cost: ten steps cost > 10x; fifty, many orders of magnitude."""
    g = input_gradient_by_distance(seed=seed)
    assert g[-1] / g[-11] > 10
    assert g[-1] / g[-51] > 1e8


def _final_mse(start, T, seed):
    """Mean training MSE over the last 100 of the chapter's 600 steps (clip 1)."""
    return float(fit_adding(srn_with_start(start, seed), T, seed)[-100:].mean())


@pytest.fixture(scope="module")
def adding_mse():
    """Final MSE per seed: T = 8 (default start) and, at T = 30, the three starts."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    out = {}
    try:
        for seed in SEEDS:
            out[seed] = {"T=8": _final_mse("default", 8, seed)}
            out[seed].update({start: _final_mse(start, 30, seed) for start in STARTS})
    finally:
        torch.set_num_threads(threads)
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_srn_adding_problem(adding_mse, seed):
    """fig-vanish-cost: T = 8 goes below both levels; T = 30 stays at 1/6, above 1/12."""
    short, long = adding_mse[seed]["T=8"], adding_mse[seed]["default"]
    assert short < 0.5 * SECOND_ONLY, f"T=8 ended at {short:.4f}"
    assert SECOND_ONLY < 0.8 * LEARN_NOTHING < long < 1.25 * LEARN_NOTHING, f"T=30: {long:.4f}"


@pytest.mark.parametrize("seed", SEEDS)
def test_initialisations_do_not_solve_t30(adding_mse, seed):
    """Remedies: none of default, orthogonal, IRNN gets below 1/12 at T = 30."""
    for start in STARTS:
        mse = adding_mse[seed][start]
        assert mse > SECOND_ONLY, f"{start} reached {mse:.4f} < 1/12 with seed {seed}"


@pytest.mark.parametrize("seed", SEEDS)
def test_initialisation_jacobians(seed):
    """fig-vanish-init: default falls fastest, orthogonal slower, IRNN at 1 while a unit is on."""
    rng = np.random.default_rng(seed)
    T, D, H = 60, 4, 64
    x = rng.standard_normal((T, 1, D))
    p = init_srn(D, H, rng)
    Q, eye, z = orthogonal((H, H), rng), identity((H, H)), np.zeros(H)

    def run(W, b_ih, b_hh, kind):
        h = numpy_rnn.srn_forward(x, np.zeros((1, H)), p["W_ih"], W, b_ih, b_hh, nonlinearity=kind)
        return jacobian_product(W, h[0][:, 0], kind)[0], h[0][:, 0]

    default, _ = run(p["W_hh"], p["b_ih"], p["b_hh"], "tanh")
    orth, _ = run(Q, p["b_ih"], p["b_hh"], "tanh")
    irnn, h = run(eye, z, z, "relu")
    assert default[50] < 1e-3 * orth[50]
    assert np.allclose(irnn[:51], 1.0), "IRNN should keep the gradient at 1 for 50 steps here"
    # exactly 1 over the whole stretch iff some unit stays active throughout
    assert np.isclose(irnn[-1], 1.0) == bool((h > 0).all(axis=0).any())
