"""Argument checks shared by the library: the one home of every check.

Every message names the argument and what was expected, in one style:
``seq_len: expected an int >= 1, got 0``. (The torch.nn twins in
:mod:`rnn_course.torch_rnn` are the exception on purpose: they raise
torch.nn's own messages, so that code written for torch.nn sees the same errors.)
"""

import math
import numbers
import operator
import os

import numpy as np


def float_array(a, name, ndim, shape_text):
    """Return ``a`` if it is a floating NumPy array of rank ``ndim``, else raise naming it."""
    if not isinstance(a, np.ndarray):
        raise TypeError(
            f"{name}: expected a numpy array of shape {shape_text}, got {type(a).__name__}"
        )
    if not np.issubdtype(a.dtype, np.floating):
        raise TypeError(
            f"{name}: expected a floating-point array (float32 or float64), got dtype {a.dtype}"
        )
    if a.ndim != ndim:
        raise ValueError(
            f"{name}: expected a {ndim}-D array of shape {shape_text}, got shape {a.shape}"
        )
    return a


def int_array(a, name, ndim, shape_text):
    """Return ``a`` if it is an integer NumPy array (token ids) of rank ``ndim``, else raise."""
    if not isinstance(a, np.ndarray):
        raise TypeError(
            f"{name}: expected a numpy array of shape {shape_text}, got {type(a).__name__}"
        )
    if not np.issubdtype(a.dtype, np.integer):
        raise TypeError(f"{name}: expected an integer array of token ids, got dtype {a.dtype}")
    if a.ndim != ndim:
        raise ValueError(
            f"{name}: expected a {ndim}-D array of shape {shape_text}, got shape {a.shape}"
        )
    return a


def check_shape(a, name, expected, shape_text):
    """Raise unless ``a.shape == expected`` (``shape_text`` names the letters, e.g. "(B, H)")."""
    if a.shape != expected:
        raise ValueError(f"{name}: expected shape {shape_text} = {expected}, got {a.shape}")


def same_dtype(ref_name, ref, **arrays):
    """Raise unless every array of ``arrays`` has the dtype of ``ref`` (no silent upcasts)."""
    for name, a in arrays.items():
        if a.dtype != ref.dtype:
            raise TypeError(
                f"{name}: dtype {a.dtype} does not match {ref_name} dtype {ref.dtype}; "
                "use one floating dtype for all inputs and weights"
            )


def is_finite_real(value):
    """True for a finite real number that is not a bool (``1``, ``0.5``, ``np.float32(2)``)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def tensor(x, name):
    """Return ``x`` if it is a ``torch.Tensor``, else a TypeError naming the argument."""
    import torch  # only for callers that already use torch

    if not torch.is_tensor(x):
        raise TypeError(f"{name}: expected a torch.Tensor, got {type(x).__name__}")
    return x


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
