"""Argument checks shared by the library: one home for "a positive int" and "a Generator".

Every message names the argument and what was expected, e.g.
``seq_len: expected an int >= 1, got 0``.
"""

import operator
import os

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


def read_bounded(path, max_bytes, what):
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them, or raise.

    Devices, pipes and folders are refused before anything is read (``/dev/zero``
    never ends), and a file longer than ``max_bytes`` raises instead of filling memory.
    """
    if not os.path.exists(path):
        raise FileNotFoundError(f"{what}: no such file {path!r} (cwd is {os.getcwd()!r})")
    if os.path.isdir(path):
        raise IsADirectoryError(f"{what}: {path!r} is a directory; expected a file")
    if not os.path.isfile(path):
        raise ValueError(f"{what}: {path!r} is not a regular file (a device or a pipe?)")
    max_bytes = positive_int(max_bytes, "max_bytes")
    with open(path, "rb") as f:
        raw = f.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise ValueError(
            f"{what}: {path!r} is larger than max_bytes={max_bytes}; pass a larger max_bytes "
            "if the file is meant to be this big"
        )
    return raw


def integer_ids(ids, name):
    """Check that ``ids`` (array or tensor) holds integers, not bools or floats; return it."""
    dtype = str(getattr(ids, "dtype", ""))
    if dtype.startswith("torch."):
        ok = dtype.split(".")[1] in ("int64", "int32", "int16", "int8", "uint8")
    else:
        ok = np.issubdtype(np.asarray(ids).dtype, np.integer)
    if not ok:
        raise TypeError(f"{name}: expected integer ids, got dtype {dtype or type(ids).__name__}")
    return ids


def positive_number(value, name):
    """Return ``value`` if it is a finite real number > 0 (not bool), else raise naming it."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"{name}: expected a number > 0, got {value!r}")
    if not (value > 0 and np.isfinite(value)):
        raise ValueError(f"{name}: expected a finite number > 0, got {value!r}")
    return value
