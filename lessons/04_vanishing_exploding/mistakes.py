"""Typical mistakes of lesson 04, each written once with its feedback."""

import numpy as np

from rnn_grade.registry import mistake

from .checks import jac_ex, norm_ex, value_ex

# ------------------------------------------------------------------ jacobian_product_norms


def _norms(h, W_hh, slope=lambda h_t: 1 - h_t**2, W=None, left=True, ord=2, lag=0):
    T, H = h.shape
    W = W_hh if W is None else W
    P, norms = np.eye(H), [1.0]
    for k in range(1, T):
        J = slope(h[T - k - lag])[:, None] * W  # lag 1: the state before h_t
        P = P @ J if left else J @ P
        norms.append(np.linalg.norm(P, ord))
    return np.array(norms)


@mistake(jac_ex, "missing nonlinearity derivative: J_t = diag(1 - h_t²) W_hh, not W_hh alone.")
def jac_no_slope(h, W_hh):
    return _norms(h, W_hh, slope=lambda h_t: np.ones_like(h_t))


@mistake(
    jac_ex,
    "tanh applied twice: h already holds tanh of the pre-activation, so the "
    "derivative is 1 - h_t², not 1 - tanh(h_t)².",
)
def jac_tanh_of_state(h, W_hh):
    return _norms(h, W_hh, slope=lambda h_t: 1 - np.tanh(h_t) ** 2)


@mistake(
    jac_ex,
    "transposed weight: ∂h_t/∂h_{t-1} = diag(1 - h_t²) W_hh in torch's layout, not W_hhᵀ.",
)
def jac_transposed(h, W_hh):
    return _norms(h, W_hh, W=W_hh.T)


@mistake(
    jac_ex,
    "wrong order of the product: ∂h_{T-1}/∂h_{T-1-k} = J_{T-1} ··· J_{T-k}, the newest "
    "Jacobian on the left (P = P @ J).",
)
def jac_right_to_left(h, W_hh):
    return _norms(h, W_hh, left=False)


@mistake(jac_ex, "wrong norm: use the spectral norm np.linalg.norm(P, 2), not the Frobenius norm.")
def jac_frobenius(h, W_hh):
    return _norms(h, W_hh, ord="fro")


@mistake(
    jac_ex,
    "off by one in time: J_t uses the state h_t it produces (h[T-k] for the k-th "
    "factor), not the state before it.",
)
def jac_previous_state(h, W_hh):
    return _norms(h, W_hh, lag=1)


@mistake(
    jac_ex,
    "one Jacobian, not a product: norms[k] is the norm of J_{T-1} ··· J_{T-k}, "
    "the product of k Jacobians.",
)
def jac_single_factor(h, W_hh):
    T = h.shape[0]
    single = [np.linalg.norm((1 - h[T - k] ** 2)[:, None] * W_hh, 2) for k in range(1, T)]
    return np.array([1.0, *single])


@mistake(jac_ex, "norms[0] is missing: it is 1 (no step back), so norms has T entries.")
def jac_no_identity(h, W_hh):
    return _norms(h, W_hh)[1:]


# ------------------------------------------------------------------ clip_grad_norm


def _arrays(grads):
    return list(grads.values()) if isinstance(grads, dict) else list(grads)


def _total(grads):
    return float(np.sqrt(sum(np.sum(g**2) for g in _arrays(grads))))


def _scale_all(grads, scale):
    for g in _arrays(grads):
        g *= scale


@mistake(
    norm_ex,
    "per-element clipping where norm was asked: scale ALL gradients by "
    "max_norm / total_norm, do not clip each entry to [-max_norm, max_norm].",
)
def norm_per_element(grads, max_norm):
    total = _total(grads)
    for g in _arrays(grads):
        np.clip(g, -max_norm, max_norm, out=g)
    return total


@mistake(
    norm_ex,
    "each array was clipped by its own norm: the norm is global, the square root "
    "of the sum of squares over every array.",
)
def norm_per_array(grads, max_norm):
    total = _total(grads)
    for g in _arrays(grads):
        n = np.linalg.norm(g)
        if n > max_norm:
            g *= max_norm / n
    return total


@mistake(norm_ex, "returned the norm after clipping: return the total norm before clipping.")
def norm_returns_after(grads, max_norm):
    total = _total(grads)
    if total > max_norm:
        _scale_all(grads, max_norm / total)
    return _total(grads)


@mistake(
    norm_ex,
    "rescaled although the norm was below max_norm: scale only when total_norm > max_norm.",
)
def norm_always(grads, max_norm):
    total = _total(grads)
    _scale_all(grads, max_norm / total)
    return total


@mistake(
    norm_ex,
    "the gradients are unchanged: change the arrays themselves (g *= scale, or "
    "grads[k] = ...); `g = g * scale` only rebinds a local name.",
)
def norm_local_copy(grads, max_norm):
    total = _total(grads)
    for g in _arrays(grads):
        g = g * min(1.0, max_norm / total)  # noqa: F841 - the caller's arrays stay as they were
    return total


@mistake(
    norm_ex,
    "the total norm is the square root of the sum of squares over every array, "
    "not the sum of the arrays' norms.",
)
def norm_sum_of_norms(grads, max_norm):
    total = float(sum(np.linalg.norm(g) for g in _arrays(grads)))
    if total > max_norm:
        _scale_all(grads, max_norm / total)
    return total


@mistake(norm_ex, "missing square root: the norm is sqrt(sum of squares), not the sum of squares.")
def norm_no_sqrt(grads, max_norm):
    total = float(sum(np.sum(g**2) for g in _arrays(grads)))
    if total > max_norm:
        _scale_all(grads, max_norm / total)
    return total


@mistake(
    norm_ex, "inverted scale: multiply by max_norm / total_norm (< 1), not total_norm / max_norm."
)
def norm_inverted(grads, max_norm):
    total = _total(grads)
    if total > max_norm:
        _scale_all(grads, total / max_norm)
    return total


@mistake(norm_ex, "nothing returned: return the total norm before clipping (a float).")
def norm_returns_none(grads, max_norm):
    total = _total(grads)
    if total > max_norm:
        _scale_all(grads, max_norm / total)


# ------------------------------------------------------------------ clip_grad_value


@mistake(
    value_ex,
    "clip both sides: every entry goes to [-clip_value, clip_value], negative ones too.",
)
def value_upper_only(grads, clip_value):
    for g in _arrays(grads):
        np.minimum(g, clip_value, out=g)


@mistake(
    value_ex,
    "negative entries set to 0: the range is [-clip_value, clip_value], "
    "np.clip(g, -clip_value, clip_value).",
)
def value_from_zero(grads, clip_value):
    for g in _arrays(grads):
        np.clip(g, 0, clip_value, out=g)


@mistake(
    value_ex,
    "clipped the norm: clip_grad_value clips every entry on its own to [-clip_value, clip_value].",
)
def value_norm(grads, clip_value):
    total = _total(grads)
    if total > clip_value:
        _scale_all(grads, clip_value / total)


@mistake(
    value_ex,
    "the gradients are unchanged: clip the arrays themselves, np.clip(g, -c, c, out=g) "
    "or grads[k] = ...; a new dict or array is not seen by the caller.",
)
def value_new_dict(grads, clip_value):
    if isinstance(grads, dict):
        return {k: np.clip(g, -clip_value, clip_value) for k, g in grads.items()}
    return [np.clip(g, -clip_value, clip_value) for g in grads]


@mistake(
    value_ex,
    "every entry set to ±clip_value: only entries outside the range change; the "
    "others keep their value.",
)
def value_sign(grads, clip_value):
    for g in _arrays(grads):
        g[...] = np.sign(g) * clip_value


@mistake(
    value_ex,
    "scaled instead of clipped: dividing by the largest entry changes every "
    "entry; clip each entry on its own.",
)
def value_scale_max(grads, clip_value):
    for g in _arrays(grads):
        m = np.abs(g).max()
        if m > clip_value:
            g *= clip_value / m
