"""Fresh wrong solutions of lesson 04 (not the catalogue), with the words naming each."""

import numpy as np

from . import fresh


def _jac_loop(h, W_hh, factor):
    T, H = h.shape
    P, out = np.eye(H), [1.0]
    for k in range(1, T):
        P = factor(P, h, k, T)
        out.append(np.linalg.norm(P, 2))
    return np.array(out)


@fresh("jacobian_product_norms", "order")
def jac_matmul_left(h, W_hh):
    return _jac_loop(h, W_hh, lambda P, h, k, T: np.matmul(np.diag(1 - h[T - k] ** 2) @ W_hh, P))


@fresh("jacobian_product_norms", "twice")
def jac_tanh_again(h, W_hh):
    return _jac_loop(h, W_hh, lambda P, h, k, T: P @ (np.diag(1 - np.tanh(h[T - k]) ** 2) @ W_hh))


@fresh("jacobian_product_norms", "off by one")
def jac_index(h, W_hh):
    return _jac_loop(h, W_hh, lambda P, h, k, T: P @ (np.diag(1 - h[T - 1 - k] ** 2) @ W_hh))


@fresh("jacobian_product_norms", "transposed")
def jac_transpose(h, W_hh):
    return _jac_loop(h, W_hh, lambda P, h, k, T: P @ (np.diag(1 - h[T - k] ** 2) @ W_hh.T))


@fresh("jacobian_product_norms", "frobenius")
def jac_default_norm(h, W_hh):
    T, H = h.shape
    P, out = np.eye(H), [1.0]
    for k in range(1, T):
        P = P @ ((1 - h[T - k] ** 2)[:, None] * W_hh)
        out.append(np.linalg.norm(P))
    return np.array(out)


@fresh("jacobian_product_norms", "norms[0]")
def jac_skip_identity(h, W_hh):
    T, H = h.shape
    P, out = np.eye(H), []
    for k in range(1, T):
        P = P @ ((1 - h[T - k] ** 2)[:, None] * W_hh)
        out.append(np.linalg.norm(P, 2))
    return np.array(out)


@fresh("jacobian_product_norms", "spectral norm")
def jac_spectral_radius(h, W_hh):
    T, H = h.shape
    P, out = np.eye(H), [1.0]
    for k in range(1, T):
        P = P @ ((1 - h[T - k] ** 2)[:, None] * W_hh)
        out.append(np.abs(np.linalg.eigvals(P)).max())
    return np.array(out)


def _values(grads):
    return list(grads.values()) if isinstance(grads, dict) else list(grads)


@fresh("clip_grad_norm", "return the total norm")
def norm_returns_grads(grads, max_norm):
    total = np.sqrt(sum((g * g).sum() for g in _values(grads)))
    if total > max_norm:
        for g in _values(grads):
            g *= max_norm / total
    return grads


@fresh("clip_grad_norm", "per-element")
def norm_np_clip(grads, max_norm):
    total = np.sqrt(sum(np.sum(np.square(g)) for g in _values(grads)))
    keys = grads.keys() if isinstance(grads, dict) else range(len(grads))
    for k in keys:
        grads[k] = np.clip(grads[k], -max_norm, max_norm)
    return total


@fresh("clip_grad_norm", "below max_norm")
def norm_unconditional(grads, max_norm):
    total = float(np.linalg.norm(np.concatenate([g.ravel() for g in _values(grads)])))
    for g in _values(grads):
        g *= max_norm / total
    return total


@fresh("clip_grad_norm", "unchanged")
def norm_rebinds(grads, max_norm):
    total = float(np.sqrt(sum(np.vdot(g, g) for g in _values(grads))))
    scale = min(1.0, max_norm / total)
    for g in _values(grads):
        g = g * scale  # noqa: F841
    return total


@fresh("clip_grad_norm", "square root")
def norm_squared(grads, max_norm):
    total = float(np.sum([np.vdot(g, g) for g in _values(grads)]))
    if total > max_norm:
        for g in _values(grads):
            g *= max_norm / total
    return total


@fresh("clip_grad_norm", "sqrt", "sum of squares")
def norm_max_entry(grads, max_norm):
    total = float(max(np.abs(g).max() for g in _values(grads)))
    if total > max_norm:
        for g in _values(grads):
            g *= max_norm / total
    return total


@fresh("clip_grad_value", "unchanged")
def value_rebinds(grads, clip_value):
    for g in _values(grads):
        g = np.clip(g, -clip_value, clip_value)  # noqa: F841


@fresh("clip_grad_value", "both sides")
def value_upper(grads, clip_value):
    for g in _values(grads):
        np.clip(g, None, clip_value, out=g)


@fresh("clip_grad_value", "norm")
def value_scales_norm(grads, clip_value):
    total = np.sqrt(sum(np.sum(g**2) for g in _values(grads)))
    for g in _values(grads):
        g *= min(1.0, clip_value / total)


@fresh("clip_grad_value", "negative", "sign")
def value_abs_mask(grads, clip_value):
    for g in _values(grads):
        g[np.abs(g) > clip_value] = clip_value
