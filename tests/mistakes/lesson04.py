import numpy as np

from . import mistake


def _norms(h, W, deriv=True, transpose=False, order="left", ord=2):
    T, H = h.shape
    W = W.T if transpose else W
    P, out = np.eye(H), [1.0]
    for k in range(1, T):
        J = ((1 - h[T - k] ** 2)[:, None] if deriv else 1) * W
        P = P @ J if order == "left" else J @ P
        out.append(np.linalg.norm(P, ord))
    return np.array(out)


@mistake("jacobian_product_norms", "missing nonlinearity derivative")
def jac_no_deriv(h, W_hh):
    return _norms(h, W_hh, deriv=False)


@mistake("jacobian_product_norms", "transposed weight")
def jac_transposed(h, W_hh):
    return _norms(h, W_hh, transpose=True)


@mistake("jacobian_product_norms", "wrong order of the product")
def jac_order(h, W_hh):
    return _norms(h, W_hh, order="right")


@mistake("jacobian_product_norms", "wrong norm")
def jac_fro(h, W_hh):
    return _norms(h, W_hh, ord="fro")


def _total(grads):
    return float(np.sqrt(sum((g**2).sum() for g in grads.values())))


@mistake("clip_grad_norm", "per-element clipping where norm was asked")
def norm_per_element(grads, max_norm):
    total = _total(grads)
    for g in grads.values():
        np.clip(g, -max_norm, max_norm, out=g)
    return total


@mistake("clip_grad_norm", "clipped by its own norm")
def norm_per_tensor(grads, max_norm):
    total = _total(grads)
    for g in grads.values():
        n = np.linalg.norm(g)
        if n > max_norm:
            g *= max_norm / n
    return total


@mistake("clip_grad_norm", "norm after clipping")
def norm_returns_after(grads, max_norm):
    total = _total(grads)
    if total > max_norm:
        for g in grads.values():
            g *= max_norm / total
    return _total(grads)


@mistake("clip_grad_norm", "below max_norm")
def norm_always(grads, max_norm):
    total = _total(grads)
    for g in grads.values():
        g *= max_norm / total
    return total


@mistake("clip_grad_norm", "unchanged")
def norm_local_copy(grads, max_norm):
    total = _total(grads)
    for g in grads.values():
        g = g * min(1.0, max_norm / total)  # noqa: F841 - rebinds a local name, the dict is untouched
    return total


@mistake("clip_grad_value", "clip both sides")
def value_one_side(grads, clip_value):
    for g in grads.values():
        np.minimum(g, clip_value, out=g)


@mistake("clip_grad_value", "clipped the norm")
def value_norm(grads, clip_value):
    total = _total(grads)
    for g in grads.values():
        g *= min(1.0, clip_value / total)


@mistake("clip_grad_value", "unchanged")
def value_copy(grads, clip_value):
    return {k: np.clip(g, -clip_value, clip_value) for k, g in grads.items()}
