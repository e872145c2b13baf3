"""Checks of lesson 04: norms of Jacobian products, clipping by norm and by value.

The clipping functions change their argument in place, so the checks compare the
gradients after the call (flattened, in key or list order) together with what
the function returned; the solution and every catalogued mistake run on copies
of the same probe.
"""

import copy

import numpy as np

from rnn_grade.probes import call, expect_outputs, judge, randn
from rnn_grade.registry import Exercise

PACKAGE = "rnn_grade.lessons.l04_vanishing_exploding"
jac_ex = Exercise(
    "jacobian_product_norms",
    "04",
    f"{PACKAGE}.solutions:jacobian_product_norms",
    returns=("norms",),
)
norm_ex = Exercise(
    "clip_grad_norm", "04", "rnn_course.clip:clip_grad_norm", returns=("total_norm", "grads")
)
value_ex = Exercise("clip_grad_value", "04", "rnn_course.clip:clip_grad_value", returns=("grads",))


def jac_args(name, T, H):
    return {"h": np.tanh(randn(name + "h", T, H)), "W_hh": randn(name + "W", H, H, scale=0.9)}


@jac_ex.check
def jac_first(fn):
    """norms[0] = 1 (no step back) and one norm per step: shape (T,) (T = 6, H = 4)"""
    expect_outputs(jac_ex, fn, jac_args("jfirst", 6, 4))


@jac_ex.check
def jac_long(fn):
    """a longer sequence (T = 10, H = 3)"""
    expect_outputs(jac_ex, fn, jac_args("jlong", 10, 3))


# ------------------------------------------------------------------ clipping


def grads_args(name, scale, as_list=False):
    grads = {
        "W_ih": randn(name + "a", 4, 3, scale=scale),
        "W_hh": randn(name + "b", 4, 4, scale=scale),
        "b_ih": randn(name + "c", 4, scale=scale),
    }
    return list(grads.values()) if as_list else grads


def _flat(grads):
    arrays = grads.values() if isinstance(grads, dict) else grads
    return np.concatenate([np.ravel(g) for g in arrays])


def _after(fn, args, with_return):
    """(returned, grads after) or (grads after,) of ``fn`` on a copy of ``args``."""
    args = copy.deepcopy(args)
    out = fn(**args)
    after = _flat(args["grads"])
    return (out, after) if with_return else (after,)


def expect_in_place(ex, fn, args, with_return):
    """Compare what ``fn`` leaves in ``args["grads"]`` (and returns) with the solution."""
    grads = copy.deepcopy(args["grads"])
    out = call(fn, dict(args, grads=grads), allow_mutation=("grads",))
    if isinstance(out, dict) and with_return:
        raise AssertionError(
            "returned the dict: clip the arrays in place and return the total norm (a float)."
        )
    if isinstance(grads, dict) and set(grads) != set(args["grads"]):
        raise AssertionError("the dict of gradients lost or gained keys.")
    try:
        got = (out, _flat(grads)) if with_return else (_flat(grads),)
    except (TypeError, ValueError):
        raise AssertionError("the gradients are no longer arrays of numbers.") from None
    want = _after(ex.solution_function(), args, with_return)
    variants = []
    for m in ex.mistakes:
        try:
            variants.append((m.message, _after(m.fn, args, with_return)))
        except Exception:  # noqa: BLE001 - a mistake that cannot run here is no variant
            continue
    names = ["total norm", "the gradients after clipping"] if with_return else ["the gradients"]
    judge(got, want, variants, list(range(len(want))), names[-len(want) :])


@norm_ex.check
def norm_scales(fn):
    """large gradients (a dict): scaled together to total norm max_norm; returns the norm before"""
    expect_in_place(norm_ex, fn, {"grads": grads_args("nlarge", 3.0), "max_norm": 1.0}, True)


@norm_ex.check
def norm_small_untouched(fn):
    """gradients with a total norm below max_norm are left as they are"""
    expect_in_place(norm_ex, fn, {"grads": grads_args("nsmall", 0.05), "max_norm": 5.0}, True)


@norm_ex.check
def norm_list(fn):
    """a list of arrays works like a dict (max_norm = 2)"""
    args = {"grads": grads_args("nlist", 2.0, as_list=True), "max_norm": 2.0}
    expect_in_place(norm_ex, fn, args, True)


@value_ex.check
def value_clips(fn):
    """every entry ends up in [-clip_value, clip_value] (a dict)"""
    expect_in_place(value_ex, fn, {"grads": grads_args("vclip", 2.0), "clip_value": 0.5}, False)


@value_ex.check
def value_inside_untouched(fn):
    """entries already inside the range do not change (clip_value = 100)"""
    args = {"grads": grads_args("vinside", 2.0), "clip_value": 100.0}
    expect_in_place(value_ex, fn, args, False)


@value_ex.check
def value_list(fn):
    """a list of arrays works like a dict (clip_value = 1)"""
    args = {"grads": grads_args("vlist", 2.0, as_list=True), "clip_value": 1.0}
    expect_in_place(value_ex, fn, args, False)
