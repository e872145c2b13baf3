"""Lesson 04 written with explicit matrices and loops, assigning new arrays into the dict."""

import numpy as np


def jacobian_product_norms(h, W_hh):
    T, H = h.shape
    product = np.identity(H)
    out = np.ones(T)
    for k in range(1, T):
        J = np.diag(1.0 - h[T - k] * h[T - k]) @ W_hh
        product = product @ J
        out[k] = np.linalg.svd(product, compute_uv=False).max()
    return out


def clip_grad_norm(grads, max_norm):
    keys = list(grads.keys()) if isinstance(grads, dict) else list(range(len(grads)))
    squares = 0.0
    for k in keys:
        for value in np.ravel(grads[k]):
            squares += value * value
    total = squares**0.5
    if total > max_norm:
        for k in keys:
            grads[k] = grads[k] * (max_norm / total)
    return total


def clip_grad_value(grads, clip_value):
    keys = list(grads.keys()) if isinstance(grads, dict) else list(range(len(grads)))
    for k in keys:
        grads[k] = np.minimum(np.maximum(grads[k], -clip_value), clip_value)
