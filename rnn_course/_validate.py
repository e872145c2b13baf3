"""Argument checks shared by the library: one home for "a positive int" and "a Generator".

Every message names the argument and what was expected, e.g.
``seq_len: expected an int >= 1, got 0``.
"""

import operator

import numpy as np


def positive_int(value, name, minimum=1):
    """Return ``value`` as an int >= ``minimum``, or raise naming the argument.

    Accepts Python and NumPy integers (anything with ``__index__``), never bool
    or float: ``2.0`` steps is a mistake, not two steps.
    """
    try:
        if isinstance(value, bool):
            raise TypeError
        out = operator.index(value)
    except TypeError:
        raise TypeError(f"{name}: expected an int >= {minimum}, got {value!r}") from None
    if out < minimum:
        raise ValueError(f"{name}: expected an int >= {minimum}, got {value!r}")
    return out


def check_rng(rng):
    """Return ``rng`` if it is a ``numpy.random.Generator``, else raise a TypeError."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            "rng: expected a numpy.random.Generator (e.g. np.random.default_rng(0)), "
            f"got {type(rng).__name__}"
        )
    return rng


def positive_number(value, name):
    """Return ``value`` if it is a finite real number > 0 (not bool), else raise naming it."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name}: expected a number > 0, got {value!r}")
    if not (value > 0 and np.isfinite(value)):
        raise ValueError(f"{name}: expected a finite number > 0, got {value!r}")
    return value
