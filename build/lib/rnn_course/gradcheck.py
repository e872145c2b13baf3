"""Numeric gradients by centred differences, and the relative error used to compare them.

A backward pass is only trusted once it agrees with the slope measured by
nudging each input up and down. See chapter 3, Gradient checking.
"""

import numpy as np

__all__ = ["numeric_gradient", "rel_error", "gradcheck"]


def numeric_gradient(f, x, df=None, h=1e-5):
    r"""Centred-difference gradient of ``sum(f(x) * df)`` with respect to ``x``.

    Parameters
    ----------
    f : callable
        ``f(x)`` returns a scalar or an array (it may also ignore its argument
        and read ``x`` through a closure: ``x`` is nudged in place).
    x : ndarray, any shape, floating dtype
        The point. Each element is changed and then restored to its exact
        original value, so ``x`` is unchanged on return (also on error).
    df : ndarray, shape of ``f(x)``, optional
        Upstream gradient; ``None`` means ones (the gradient of ``sum(f(x))``).
    h : float
        Step size.

    Returns
    -------
    grad : ndarray, shape of ``x``

    Notes
    -----
    .. math:: \frac{\partial L}{\partial x_i} \approx
              \frac{L(x + h e_i) - L(x - h e_i)}{2h}, \qquad L = \sum f(x) \odot df

    The error is O(h²) plus round-off of order eps·|L|/h; in float64, h = 1e-5
    balances the two. Costs two evaluations of f per element.
    See chapter 3, Gradient checking.
    """
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise TypeError(
            f"x: expected a floating-point numpy array, got {type(x).__name__}"
            + (f" of dtype {x.dtype}" if isinstance(x, np.ndarray) else "")
        )
    grad = np.zeros_like(x)
    for ix in np.ndindex(*x.shape):
        old = x[ix].copy()
        try:
            x[ix] = old + h
            plus = np.array(f(x), dtype=np.float64, copy=True)
            x[ix] = old - h
            minus = np.array(f(x), dtype=np.float64, copy=True)
        finally:
            x[ix] = old
        diff = plus - minus
        if df is not None:
            if np.shape(df) != diff.shape:
                raise ValueError(f"df: expected the shape of f(x) {diff.shape}, got {np.shape(df)}")
            diff = diff * df
        grad[ix] = diff.sum() / (2 * h)
    return grad


def rel_error(a, b, floor=1e-8):
    r"""Largest elementwise relative error between two arrays.

    Parameters
    ----------
    a, b : array_like, same shape
    floor : float
        Lower bound of the denominator, so two tiny numbers do not blow up.

    Returns
    -------
    float
        :math:`\max_i |a_i - b_i| / \max(\text{floor}, |a_i| + |b_i|)`; 0.0 for empty arrays.

    Notes
    -----
    The CS231n definition. Rough guide in float64: below 1e-7 the gradient is
    right, above 1e-2 it is almost surely wrong. See chapter 3, Gradient checking.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error: shapes differ: a {a.shape}, b {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(floor, np.abs(a) + np.abs(b))))


def gradcheck(fun, inputs, dout, analytic, h=1e-5):
    """Compare analytic gradients with numeric ones for several inputs of one function.

    Parameters
    ----------
    fun : callable
        ``fun(**inputs)`` returns the output array.
    inputs : dict of str to ndarray
        The arguments of ``fun``; each one checked is nudged in place and restored.
    dout : ndarray, shape of ``fun(**inputs)``
        Upstream gradient.
    analytic : dict of str to ndarray
        The backward pass's gradient for each input to check (keys a subset of
        ``inputs``), computed with the same ``dout``.
    h : float
        Step size of :func:`numeric_gradient`.

    Returns
    -------
    dict of str to float
        :func:`rel_error` for every key of ``analytic``.

    Examples
    --------
    >>> x = np.array([1.0, 2.0]); w = np.array([3.0, -1.0])
    >>> errs = gradcheck(lambda x, w: x * w, {"x": x, "w": w}, np.ones(2), {"x": w, "w": x})
    >>> max(errs.values()) < 1e-9
    True
    """
    errors = {}
    for name, grad in analytic.items():
        if name not in inputs:
            raise KeyError(f"analytic: {name!r} is not one of the inputs {sorted(inputs)}")
        numeric = numeric_gradient(lambda _x: fun(**inputs), inputs[name], dout, h)
        errors[name] = rel_error(grad, numeric)
    return errors
