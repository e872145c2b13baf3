"""Gradient clipping over a whole set of gradients: by global norm and by value.

Exploding gradients show up as a sudden huge step; clipping caps the step and
keeps its direction. See chapter 4, Gradient-norm clipping.
"""

import numpy as np

from ._validate import positive_number

__all__ = ["clip_grad_norm", "clip_grad_value"]


def _arrays(grads):
    """The gradient arrays of a dict or list, checked to be writable floating ndarrays.

    Every array is checked before any is touched, so a bad one never leaves the
    others half-clipped. The same array (or two views of one memory) listed
    twice is refused: it would be scaled twice.
    """
    if isinstance(grads, dict):
        items = list(grads.items())
    elif isinstance(grads, (list, tuple)):
        items = list(enumerate(grads))
    else:
        raise TypeError(
            f"grads: expected a dict or list of numpy arrays, got {type(grads).__name__}"
        )
    for key, g in items:
        if not isinstance(g, np.ndarray) or not np.issubdtype(g.dtype, np.floating):
            raise TypeError(
                f"grads[{key!r}]: expected a floating-point numpy array, got "
                f"{getattr(g, 'dtype', type(g).__name__)}"
            )
        if not g.flags.writeable:
            raise ValueError(
                f"grads[{key!r}]: the array is read-only, and clipping scales the gradients in "
                "place; pass writable arrays (e.g. g.copy()). Nothing was changed."
            )
    for k, (key, g) in enumerate(items):
        for key2, g2 in items[:k]:
            if np.may_share_memory(g, g2) and np.shares_memory(g, g2):
                raise ValueError(
                    f"grads[{key!r}] shares memory with grads[{key2!r}]; clipping scales each "
                    "array in place, so a shared one would be scaled twice. Pass each "
                    "gradient once. Nothing was changed."
                )
    return [g for _, g in items]


def clip_grad_norm(grads, max_norm, norm_type=2.0, error_if_nonfinite=False):
    r"""Scale all gradients together so their global norm is at most ``max_norm``.

    Parameters
    ----------
    grads : dict of str to ndarray, or list of ndarray
        The gradients. **Modified in place** (like ``torch.nn.utils.clip_grad_norm_``,
        which scales ``p.grad``): only these arrays change, nothing else.
    max_norm : float
        Largest allowed norm, > 0.
    norm_type : float
        p of the p-norm; ``float("inf")`` (or ``np.inf``) for the largest absolute value.
    error_if_nonfinite : bool, default False
        Raise ``RuntimeError`` (and change nothing) when the total norm is NaN or
        infinite. When False, the gradients are scaled by the non-finite norm
        anyway, exactly as torch does: a NaN norm makes every gradient NaN, an
        infinite one zeroes the finite entries (and turns the infinite ones into NaN).

    Returns
    -------
    float
        The total norm **before** clipping (log it to watch for explosions).

    Notes
    -----
    .. math:: \|g\| = \Big(\sum_k \|g_k\|_p^p\Big)^{1/p}, \qquad
              g_k \leftarrow g_k \cdot \min\Big(1, \frac{\text{max\_norm}}{\|g\| + 10^{-6}}\Big)

    One norm over all the gradients, so their relative sizes (the direction
    of the step) are kept. All-zero gradients are left as they are. Every array
    is checked (floating, writable) before any is changed.
    See chapter 4, Gradient-norm clipping.
    """
    arrays = _arrays(grads)
    positive_number(max_norm, "max_norm")
    if isinstance(norm_type, bool) or not isinstance(norm_type, int | float | np.number):
        raise TypeError(f"norm_type: expected a number > 0 or inf, got {norm_type!r}")
    norm_type = float(norm_type)
    if not norm_type > 0:
        raise ValueError(f"norm_type: expected a positive number or inf, got {norm_type!r}")
    if not arrays:
        return 0.0
    if np.isinf(norm_type):
        total = max(float(np.max(np.abs(g))) if g.size else 0.0 for g in arrays)
    else:
        total = sum(float(np.sum(np.abs(g, dtype=np.float64) ** norm_type)) for g in arrays)
        total = total ** (1.0 / norm_type)
    if not np.isfinite(total) and error_if_nonfinite:
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    coef = max_norm / (total + 1e-6)  # NaN when the norm is NaN, 0 when it is infinite
    if not coef >= 1:  # clip (also when coef is NaN, as torch does)
        with np.errstate(invalid="ignore"):  # inf * 0 -> nan, as in torch
            for g in arrays:
                g *= coef
    return total


def clip_grad_value(grads, clip_value, error_if_nonfinite=False):
    """Clip every gradient element to ``[-clip_value, clip_value]``, in place.

    Parameters
    ----------
    grads : dict of str to ndarray, or list of ndarray
        **Modified in place** (like ``torch.nn.utils.clip_grad_value_``): only
        these arrays change. Each array must appear once.
    clip_value : float
        > 0.
    error_if_nonfinite : bool, default False
        Raise ``RuntimeError`` (and change nothing) when a gradient holds NaN.
        When False, NaN entries stay NaN, as in torch (``clamp`` keeps NaN);
        infinities become ``+-clip_value``.

    Returns
    -------
    None

    Notes
    -----
    Unlike :func:`clip_grad_norm` this changes the direction of the step.
    min-char-rnn clips at 5. See chapter 4, Gradient-norm clipping.
    """
    arrays = _arrays(grads)
    positive_number(clip_value, "clip_value")
    if error_if_nonfinite and any(np.isnan(g).any() for g in arrays):
        raise RuntimeError(
            "clip_grad_value: a gradient holds NaN, which clipping cannot make finite; "
            "nothing was changed (set error_if_nonfinite=False to clip the rest and keep NaN)"
        )
    for g in arrays:
        np.clip(g, -clip_value, clip_value, out=g)
