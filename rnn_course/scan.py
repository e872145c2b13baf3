"""The linear recurrence ``h_t = a_t * h_{t-1} + b_t``, step by step and by a parallel scan.

Linear recurrent layers and state-space models (chapter 6, Where the field
went next) have this diagonal, nonlinearity-free recurrence. Two steps of it
compose into one step of the same form (:func:`combine`), and the
composition is associative, so all ``h_t`` can be computed in ``log2 T``
rounds of element-wise work (Hillis and Steele's scan) instead of ``T``
sequential steps.
"""

import numpy as np

__all__ = ["linear_recurrence", "combine", "parallel_scan"]


def linear_recurrence(a, b):
    """``h_t = a_t * h_{t-1} + b_t`` from ``h_0 = 0``, one step at a time.

    Parameters
    ----------
    a, b : ndarray, shape (T, H)

    Returns
    -------
    ndarray, shape (T, H)
    """
    h, out = np.zeros_like(b[0]), []
    for a_t, b_t in zip(a, b, strict=True):
        h = a_t * h + b_t
        out.append(h)
    return np.stack(out)


def combine(first, second):
    """The step ``h -> a1 h + b1`` followed by ``h -> a2 h + b2``, as one step.

    ``a2 (a1 h + b1) + b2 = (a2 a1) h + (a2 b1 + b2)``.
    """
    (a1, b1), (a2, b2) = first, second
    return a2 * a1, a2 * b1 + b2


def parallel_scan(a, b):
    """All ``h_t`` of :func:`linear_recurrence` in ceil(log2 T) rounds.

    After the round with shift ``2^r``, entry t holds the composition of the
    ``2^(r+1)`` steps ending at t (or all steps from 1 when fewer). Each round
    is element-wise over t, so it could run in parallel.

    Parameters
    ----------
    a, b : ndarray, shape (T, H)

    Returns
    -------
    ndarray, shape (T, H)
    """
    a, b = np.array(a, dtype=float), np.array(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"a, b: expected the same shape, got {a.shape} and {b.shape}")
    shift = 1
    while shift < len(a):
        a_before = np.concatenate([np.ones_like(a[:shift]), a[:-shift]])  # identity step
        b_before = np.concatenate([np.zeros_like(b[:shift]), b[:-shift]])
        a, b = combine((a_before, b_before), (a, b))
        shift *= 2
    return b  # the composed step applied to h_0 = 0
