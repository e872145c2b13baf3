"""Checks of lesson 06: temperature, perplexity, a sampling loop, a PyTorch training step.

The training step runs in the learner's process through the trusted
``harness.train_step_run`` (a seeded model, an optimizer, two chunks with the
state carried); what comes back is data: losses, parameters, gradients, flags.
The checks run the same harness on the solution and on every catalogued
mistake here, and compare.
"""

import functools
import importlib

import numpy as np

from rnn_grade import probes
from rnn_grade.probes import expect_outputs, in_learner, judge, randn, rng
from rnn_grade.registry import Exercise

PACKAGE = "rnn_grade.lessons.l06_applications"
HARNESS = f"{PACKAGE}.harness:train_step_run"

temp_ex = Exercise(
    "apply_temperature", "06", "rnn_course.sampling:apply_temperature", returns=("scaled",)
)
topk_ex = Exercise("top_k_filter", "06", f"{PACKAGE}.solutions:top_k_filter", returns=("filtered",))
ppl_ex = Exercise("perplexity", "06", f"{PACKAGE}.solutions:perplexity", returns=("perplexity",))
sample_ex = Exercise(
    "sample_tokens",
    "06",
    f"{PACKAGE}.solutions:sample_tokens",
    returns=("tokens",),
    builds_on=("apply_temperature",),
)
step_ex = Exercise("tbptt_train_step", "06", f"{PACKAGE}.solutions:tbptt_train_step")
step_ex.seconds = 30  # its checks import torch on both sides (seconds each on a busy machine)
step_ex.prepare = lambda: importlib.import_module(HARNESS.split(":")[0])  # torch, before the clock

# ------------------------------------------------------------------ temperature


@temp_ex.check
def temp_sharpen(fn):
    """T = 0.5 sharpens: the result is logits / T"""
    expect_outputs(temp_ex, fn, {"logits": randn("tsharp", 3, 6), "temperature": 0.5})


@temp_ex.check
def temp_flatten(fn):
    """T = 2 flattens: the result is logits / T"""
    expect_outputs(temp_ex, fn, {"logits": randn("tflat", 3, 6), "temperature": 2.0})


@temp_ex.check
def temp_any_shape(fn):
    """any leading shape (..., V): logits of shape (2, 3, 5), T = 0.8"""
    expect_outputs(temp_ex, fn, {"logits": randn("tshape", 2, 3, 5), "temperature": 0.8})


# ------------------------------------------------------------------ top-k


@topk_ex.check
def topk_rows(fn):
    """k = 3 of V = 8, row by row (a batch of 4 rows)"""
    expect_outputs(topk_ex, fn, {"logits": randn("krows", 4, 8), "k": 3})


@topk_ex.check
def topk_one(fn):
    """k = 1 keeps only the largest logit (one row of V = 6)"""
    expect_outputs(topk_ex, fn, {"logits": randn("kone", 6), "k": 1})


@topk_ex.check
def topk_ties_and_large_k(fn):
    """a tie with the k-th largest is kept; k >= V keeps every logit"""
    ties = np.array([[3.0, 2.0, -1.0, 2.0, 0.5], [0.0, 1.0, 1.0, 1.0, -2.0]])
    expect_outputs(topk_ex, fn, {"logits": ties, "k": 2})
    expect_outputs(topk_ex, fn, {"logits": randn("kall", 2, 5), "k": 7})


# ------------------------------------------------------------------ perplexity


def ppl_args(name, T=4, B=3, V=6, shift=0.0):
    return {
        "logits": randn(name + "z", T, B, V, scale=2.0) + shift,
        "targets": rng(name + "y").integers(0, V, size=(T, B)),
    }


@ppl_ex.check
def ppl_uniform(fn):
    """equal logits give perplexity V (V = 7)"""
    args = {"logits": np.zeros((3, 2, 7)), "targets": np.zeros((3, 2), dtype=np.int64)}
    expect_outputs(ppl_ex, fn, args)


@ppl_ex.check
def ppl_values(fn):
    """exp of the mean cross-entropy over the T·B tokens (T = 4, B = 3, V = 6)"""
    expect_outputs(ppl_ex, fn, ppl_args("pvalues"))


@ppl_ex.check
def ppl_stable(fn):
    """large logits (around 1000) do not overflow"""
    expect_outputs(ppl_ex, fn, ppl_args("pstable", shift=1000.0))


# ------------------------------------------------------------------ sampling loop


def sample_args(name, V=6, H=5, n=8, temperature=0.8, token=2):
    params = {
        "W_ih": randn(name + "Wih", H, V),
        "W_hh": randn(name + "Whh", H, H, scale=0.6),
        "b_ih": randn(name + "bih", H, scale=0.3),
        "b_hh": randn(name + "bhh", H, scale=0.3),
        "W_hy": randn(name + "Why", V, H, scale=1.5),
        "b_hy": randn(name + "bhy", V, scale=0.5),
    }
    return {
        "params": params,
        "token": token,
        "h": randn(name + "h", H, scale=0.5),
        "num_tokens": n,
        "temperature": temperature,
        "u": rng(name + "u").random(n),
    }


@sample_ex.check
def sample_loop(fn):
    """8 tokens at T = 0.8, each drawn with u[t] and fed back in as the next input"""
    tokens = expect_outputs(sample_ex, fn, sample_args("sloop"))["tokens"]
    if np.asarray(tokens).dtype.kind not in "iu":
        raise AssertionError(
            f"`tokens` holds {np.asarray(tokens).dtype} values: return integer token ids "
            "(np.array(out, dtype=np.int64))."
        )


@sample_ex.check
def sample_hot(fn):
    """a high temperature (T = 2), another start token"""
    expect_outputs(sample_ex, fn, sample_args("shot", temperature=2.0, token=4))


@sample_ex.check
def sample_square(fn):
    """V = H = 5 (one-hot input selects a column of W_ih)"""
    expect_outputs(sample_ex, fn, sample_args("ssquare", V=5, H=5, n=10, temperature=1.2))


# ------------------------------------------------------------------ training step

NOT_DETACHED = (
    "state not detached: return h_next.detach(), so truncated BPTT cuts the graph at "
    "the chunk boundary (else the next backward() runs into this chunk's freed graph)."
)
LOSS_TENSOR = (
    "return the loss as a Python float (loss.item()), not a tensor: a tensor keeps the "
    "whole graph alive."
)


def _seed():
    return 0 if probes.SEED is None else probes.SEED  # the grader's --seed changes the model


def run_step(fn):
    """The harness's record of the learner's ``fn``, run beside it (in its process)."""
    return in_learner(fn, HARNESS, seed=_seed())


def train_step_run(fn, seed):
    """The harness's record of a trusted step (the solution or a mistake), run here."""
    from .harness import train_step_run as run

    return run(fn, seed=seed)


def _shape_failure(steps):
    """The feedback for a step that returns the wrong kind of thing, or None."""
    first = steps[0]
    if "loss" not in first:
        return f"should return a tuple (loss, h_next); got a {first['returned']}."
    if first["loss_type"] == "tensor":
        return LOSS_TENSOR
    if first["loss_type"] != "float":
        return f"the loss should be a float, got {first['loss_type']}."
    if first["h_shape"] != [1, 2, 8]:
        return "h_next should be the model's final state, a tensor of shape (1, B, H)."
    if first["h_requires_grad"]:
        return NOT_DETACHED
    return None


def _summary(steps):
    """(losses, parameters after each step, final state) as arrays, for comparing."""
    losses = np.array([s.get("loss", np.nan) for s in steps])
    params = [np.concatenate([p.ravel() for p in s["params"].values()]) for s in steps]
    last = steps[-1].get("h_next")
    return losses, np.concatenate(params) if params else np.array([]), last


@functools.cache
def _trusted_records(seed):
    """(solution's summary, [(message, summary)] of the mistakes): the same on every call."""
    want = _summary(train_step_run(step_ex.solution_function(), seed))
    variants = []
    for m in step_ex.mistakes:
        try:
            steps = train_step_run(m.fn, seed)
        except Exception:  # noqa: BLE001 - a mistake that cannot run here is no variant
            continue
        if _shape_failure(steps) is None:
            variants.append((m.message, _summary(steps)))
    return want, variants


def expect_step(fn, compare):
    got_steps = run_step(fn)
    failure = _shape_failure(got_steps)
    if failure:
        raise AssertionError(failure)
    want, variants = _trusted_records(_seed())
    names = ["the losses of the two chunks", "the parameters after each step", "h_next"]
    judge(_summary(got_steps), want, variants, compare, names)


@step_ex.check
def step_returns(fn):
    """returns (loss as a float, h_next of shape (1, B, H)) detached from the graph"""
    failure = _shape_failure(run_step(fn))
    if failure:
        raise AssertionError(failure)


@step_ex.check
def step_update(fn):
    """parameters after two steps: zero_grad, forward from h, loss, backward, clip, step"""
    expect_step(fn, compare=[1, 2])


@step_ex.check
def step_loss(fn):
    """the loss: mean cross-entropy over the T·B predictions, before the update"""
    expect_step(fn, compare=[0])
