"""Checks of lesson 04: norms of Jacobian products, gradient clipping by norm and by value."""

import numpy as np

from ..probes import call, expect_close, randn
from ..registry import Exercise

jac_ex = Exercise(
    "jacobian_product_norms", "04", "rnn_course.grade.reference:jacobian_product_norms"
)
norm_ex = Exercise("clip_grad_norm", "04", "rnn_course.clip:clip_grad_norm")
value_ex = Exercise("clip_grad_value", "04", "rnn_course.clip:clip_grad_value")


def jac_norms(h, W, order="left", deriv=True, transpose=False, ord=2):
    T, H = h.shape
    W = W.T if transpose else W
    P, norms = np.eye(H), [1.0]
    for k in range(1, T):
        J = ((1 - h[T - k] ** 2)[:, None] if deriv else 1.0) * W
        P = P @ J if order == "left" else J @ P
        norms.append(np.linalg.norm(P, ord))
    return np.array(norms)


def _jac_case(name, T=6, H=4):
    W = randn(name + "W", H, H, scale=0.9)
    h = np.tanh(randn(name + "h", T, H))
    variants = [
        (
            "missing nonlinearity derivative: J_t = diag(1 - h_t²) W_hh, not W_hh alone.",
            jac_norms(h, W, deriv=False),
        ),
        (
            "transposed weight: ∂h_t/∂h_{t-1} = diag(1 - h_t²) W_hh (torch layout), not W_hhᵀ.",
            jac_norms(h, W, transpose=True),
        ),
        (
            "wrong order of the product: ∂h_{T-1}/∂h_{T-1-k} = J_{T-1} ··· J_{T-k}, the newest "
            "Jacobian on the left.",
            jac_norms(h, W, order="right"),
        ),
        (
            "wrong norm: use the spectral norm np.linalg.norm(P, 2), not the Frobenius norm.",
            jac_norms(h, W, ord="fro"),
        ),
    ]
    return {"h": h, "W_hh": W}, jac_norms(h, W), variants


@jac_ex.check
def jac_first(fn):
    """norms[0] = 1 (no step back) and one norm per step: shape (T,)"""
    p, want, var = _jac_case("jfirst")
    got = call(fn, p)
    expect_close(
        np.asarray(got, dtype=float) if isinstance(got, (list, np.ndarray)) else got,
        want,
        "norms",
        var,
    )


@jac_ex.check
def jac_long(fn):
    """a longer sequence (T = 10, H = 3)"""
    p, want, var = _jac_case("jlong", T=10, H=3)
    got = call(fn, p)
    expect_close(
        np.asarray(got, dtype=float) if isinstance(got, (list, np.ndarray)) else got,
        want,
        "norms",
        var,
    )


# ----------------------------------------------------------------- clipping


def _grads(name, scale):
    return {
        "W_ih": randn(name + "a", 4, 3, scale=scale),
        "W_hh": randn(name + "b", 4, 4, scale=scale),
        "b": randn(name + "c", 4, scale=scale),
    }


def _global_norm(grads):
    return float(np.sqrt(sum(np.sum(g**2) for g in grads.values())))


def _copy(grads):
    return {k: v.copy() for k, v in grads.items()}


def _clip_norm(fn, name, scale, max_norm):
    grads = _grads(name, scale)
    before = _copy(grads)
    out = call(fn, {"grads": grads, "max_norm": max_norm}, allow_mutation=("grads",))
    return before, grads, out


def _norm_variants(before, max_norm):
    total = _global_norm(before)
    per_elem = {k: np.clip(v, -max_norm, max_norm) for k, v in before.items()}
    per_tensor = {k: v * min(1.0, max_norm / np.linalg.norm(v)) for k, v in before.items()}
    always = {k: v * max_norm / total for k, v in before.items()}
    return [
        (
            "per-element clipping where norm was asked: scale ALL gradients by "
            "max_norm / total_norm, do not clip each entry to [-max_norm, max_norm].",
            per_elem,
        ),
        (
            "each array was clipped by its own norm: the norm is global, "
            "sqrt of the sum of squares over every array in the dict.",
            per_tensor,
        ),
        (
            "rescaled although the norm was below max_norm: scale only when total_norm > max_norm.",
            always,
        ),
    ]


def _expect_dict(grads, want, variants):
    if not isinstance(grads, dict) or grads.keys() != want.keys():
        raise AssertionError("the dict of gradients lost or gained keys.")
    for k in want:
        expect_close(grads[k], want[k], f"grads[{k!r}]", [(m, v[k]) for m, v in variants])


@norm_ex.check
def norm_scales(fn):
    """large gradients are scaled together to total norm max_norm (in the dict)"""
    before, grads, _ = _clip_norm(fn, "nlarge", 3.0, 1.0)
    total = _global_norm(before)
    want = {k: v * (1.0 / total) for k, v in before.items()}
    if all(np.array_equal(grads[k], before[k]) for k in before):
        raise AssertionError(
            "the gradients in the dict are unchanged: clip in place "
            "(grads[k] *= scale, or assign grads[k] = ...)."
        )
    _expect_dict(grads, want, _norm_variants(before, 1.0))


@norm_ex.check
def norm_returns_total(fn):
    """returns the total norm before clipping"""
    before, grads, out = _clip_norm(fn, "nret", 3.0, 1.0)
    total = _global_norm(before)
    if isinstance(out, dict):
        raise AssertionError(
            "return the total norm (a float), not the dict: the dict is changed in place."
        )
    try:
        out = float(out)
    except (TypeError, ValueError):
        raise AssertionError(
            f"should return the total norm as a float, got {type(out).__name__}."
        ) from None
    if abs(out - 1.0) < 1e-6:
        raise AssertionError(
            "returned the norm after clipping: return the total norm before clipping."
        )
    expect_close(
        np.array(out),
        np.array(total),
        "total norm",
        [
            (
                "the total norm is sqrt(sum of squares) over every array, not the largest "
                "array norm.",
                np.array(max(np.linalg.norm(v) for v in before.values())),
            ),
            (
                "the total norm is sqrt(sum of squares), not the sum of the array norms.",
                np.array(sum(np.linalg.norm(v) for v in before.values())),
            ),
        ],
    )


@norm_ex.check
def norm_small_untouched(fn):
    """gradients with total norm below max_norm are left as they are"""
    before, grads, _ = _clip_norm(fn, "nsmall", 0.05, 5.0)
    _expect_dict(grads, before, _norm_variants(before, 5.0))


def _clip_value(fn, name, c):
    grads = _grads(name, 2.0)
    before = _copy(grads)
    call(fn, {"grads": grads, "clip_value": c}, allow_mutation=("grads",))
    total = _global_norm(before)
    variants = [
        (
            "clip both sides: every entry goes to [-clip_value, clip_value], negatives too.",
            {k: np.minimum(v, c) for k, v in before.items()},
        ),
        (
            "clipped the norm: clip_grad_value clips every entry to [-clip_value, clip_value].",
            {k: v * min(1.0, c / total) for k, v in before.items()},
        ),
    ]
    return before, grads, variants


@value_ex.check
def value_clips(fn):
    """every entry ends up in [-clip_value, clip_value] (in the dict)"""
    before, grads, variants = _clip_value(fn, "vclip", 0.5)
    if all(np.array_equal(grads[k], before[k]) for k in before):
        raise AssertionError(
            "the gradients in the dict are unchanged: clip in place "
            "(np.clip(g, -c, c, out=g), or assign grads[k] = ...)."
        )
    _expect_dict(grads, {k: np.clip(v, -0.5, 0.5) for k, v in before.items()}, variants)


@value_ex.check
def value_inside_untouched(fn):
    """entries already inside the range do not change"""
    before, grads, variants = _clip_value(fn, "vinside", 100.0)
    _expect_dict(grads, before, variants)
