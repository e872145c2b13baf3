"""The differential diagnosis (rnn_grade/diagnose.py) names each transformation
learners make, needs no catalogue entry, and otherwise says where the first
difference is with enough digits to see it."""

import numpy as np
import pytest

from rnn_grade import diagnose as dx
from rnn_grade.execution import run_checks
from rnn_grade.registry import load_all

RNG = np.random.default_rng(0)
T, B, H, D = 4, 3, 5, 2


def _ctx(what="h", args=None, rerun=None, gates=None, got=None, want=None):
    args = {"x": RNG.standard_normal((T, B, D))} if args is None else args
    return dx.Context(what, args, rerun, gates, got, want, (0,))


@pytest.mark.parametrize(
    "factor, words",
    [
        (1 / T, "1/T (T = 4)"),
        (1 / B, "1/B (B = 3)"),
        (1 / (T * B), "1/(T·B)"),
        (T, "T (T = 4)"),
        (2, "scaled by 2"),
        (-1, "sign is flipped"),
    ],
)
def test_scaled_by_a_likely_factor(factor, words):
    want = RNG.standard_normal((T, B, H))
    assert words in dx.explain(factor * want, want, _ctx()).message


def test_transposed():
    want = RNG.standard_normal((H, H))
    assert "transposed" in dx.explain(want.T, want, _ctx("dW_hh")).message


def test_time_shift_and_first_or_last_step():
    want = RNG.standard_normal((T, B, H))
    late = np.concatenate([np.zeros((1, B, H)), want[:-1]])
    assert "one time step late" in dx.explain(late, want, _ctx()).message
    first = want.copy()
    first[0] += 1
    assert "except at the first time step" in dx.explain(first, want, _ctx()).message
    last = want.copy()
    last[-1] = 0
    assert "except at the last time step" in dx.explain(last, want, _ctx()).message


def test_first_batch_row_only():
    want = RNG.standard_normal((T, B, H))
    got = want.copy()
    got[:, 1:] = 0
    assert "first batch row only" in dx.explain(got, want, _ctx()).message


def test_gate_blocks_permuted_names_the_order():
    want = RNG.standard_normal((4 * H, D))
    got = np.concatenate([want[:H], want[H : 2 * H], want[3 * H :], want[2 * H : 3 * H]])
    msg = dx.explain(got, want, _ctx("dW_ih", gates="ifgo")).message
    assert "i, f, o, g" in msg and "i, f, g, o" in msg


def test_a_term_left_out_is_named_by_rerunning_the_reference():
    x, W, b = RNG.standard_normal((B, D)), RNG.standard_normal((H, D)), RNG.standard_normal(H)
    args = {"x": x, "W_ih": W, "b_ih": b}

    def rerun(a):
        return (np.tanh(a["x"] @ a["W_ih"].T + a["b_ih"]),)

    want = rerun(args)
    got = (np.tanh(x @ W.T),)
    ctx = dx.Context("h_next", args, rerun, None, got, want, (0,))
    assert "without the bias `b_ih`" in dx.explain(got[0], want[0], ctx).message


def test_presence_instead_of_count():
    want = np.array([2, 0, 1, 3, 1])
    got = (want > 0).astype(float)
    assert "presence" in dx.explain(got, want, _ctx("counts", {})).message


def test_integers_are_exact_and_reported_as_integers():
    want = np.array([3, 1, 4])
    assert not dx.equal(np.array([3, 1, 4.0000001]), want)
    msg = dx.locate(np.array([3, 2, 4]), want, _ctx("tokens", {})).message
    assert "got 2, expected 1" in msg


def test_where_and_how_large_with_enough_digits():
    want = np.full((T, B, H), 0.377096)
    got = want.copy()
    got[2, 1, 3] += 3e-6
    msg = dx.explain(got, want, _ctx()).message
    assert "time step 2, batch row 1" in msg
    assert "0.377099" in msg and "0.377096" in msg


def test_gate_block_of_a_parameter_is_located():
    want = RNG.standard_normal((3 * H, D))
    got = want.copy()
    got[2 * H + 1, 0] += 1.0  # a random change in the n block only
    got[2 * H + 3, 1] -= 0.5
    msg = dx.explain(got, want, _ctx("dW_ih", gates="rzn")).message
    assert "gate block n" in msg


def test_minus_infinity_is_not_called_an_overflow_where_the_contract_expects_it():
    want = np.array([[1.0, -np.inf, 2.0, -np.inf]])
    got = np.array([[1.0, -np.inf, -np.inf, -np.inf]])
    msg = dx.explain(got, want, _ctx("filtered", {"logits": want})).message
    assert "overflow" not in msg and "keeps 1 entries in row 0, expected 2" in msg


EXERCISES = load_all()
DIAGNOSED = [(e, fn, kw) for e in EXERCISES.values() for fn, kw in e.diagnosed]


@pytest.mark.parametrize("ex, fn, keywords", DIAGNOSED, ids=[f.__name__ for _, f, _ in DIAGNOSED])
def test_mistakes_without_a_catalogue_entry_are_named_by_the_diagnosis(ex, fn, keywords):
    result = run_checks(ex, fn, seconds=60)
    failed = [t["message"] for t in result["tests"] if not t["passed"]]
    assert failed and any(k in failed[0] for k in keywords), failed[:1]


def test_dtype_changed_to_integers():
    want = RNG.standard_normal((T, B, H))
    msg = dx.explain(want.astype(int), want, _ctx()).message
    assert "integer array" in msg


def test_integer_dtype_comes_before_all_zeros():
    want = np.tanh(RNG.standard_normal((T, B, H)))  # |h| < 1: an int array holds zeros
    msg = dx.explain(np.zeros((T, B, H), dtype=int), want, _ctx()).message
    assert "integer array" in msg and "all zeros" not in msg


def test_fractions_cut_off_in_a_float_array():
    want = 3 * RNG.standard_normal((B, H))
    msg = dx.explain(np.floor(want), want, _ctx("scaled", {"logits": want})).message
    assert "fractions cut off" in msg


def test_loops_are_spoken_of_only_where_there_is_a_time_loop():
    want = RNG.standard_normal((T, H))
    got = want.copy()
    got[0] += 1
    msg = dx.explain(got, want, _ctx("param", {"param": want, "lr": 0.1})).message
    assert "first entry" in msg and "loop" not in msg and "initial state" not in msg
    want3 = RNG.standard_normal((T, B, D))
    got3 = want3.copy()
    got3[0] = 0
    back = dx.explain(got3, want3, _ctx("dx")).message
    assert "starts or stops" in back and "T-1 down to 0" in back
    assert "initial state" in dx.explain(got3, want3, _ctx("h")).message


def test_a_gate_left_out_and_an_input_used_for_another_are_named():
    rng = np.random.default_rng(1)
    args = {
        "x": rng.standard_normal((B, D)),
        "h_prev": rng.standard_normal((B, H)),
        "c_prev": rng.standard_normal((B, H)),
        "b_ih": rng.standard_normal(4 * H),
    }

    def rerun(a):  # a toy gated update: i from b_ih's first block, c = f c + i g
        sig = 1 / (1 + np.exp(-a["b_ih"][:H]))
        return (a["c_prev"] + sig * np.tanh(a["x"].sum(1, keepdims=True) + a["h_prev"]),)

    want = rerun(args)
    no_i = (args["c_prev"] + np.tanh(args["x"].sum(1, keepdims=True) + args["h_prev"]),)
    ctx = dx.Context("c_next", args, rerun, "ifgo", no_i, want, (0,))
    assert "input gate i fixed at 1" in dx.explain(no_i[0], want[0], ctx).message
    swapped = rerun(dict(args, c_prev=args["h_prev"]))
    ctx = dx.Context("c_next", args, rerun, "ifgo", swapped, want, (0,))
    assert "`h_prev` is used where `c_prev` belongs" in dx.explain(swapped[0], want[0], ctx).message
