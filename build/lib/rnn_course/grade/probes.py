"""Probe inputs and comparisons shared by the lesson checks.

Every probe array comes from its own generator seeded by the probe's name, so
the inputs do not depend on the order of random-number calls (neither ours nor
the learner's: ``np.random.seed`` in learner code changes nothing here).

Tolerances: float64 inputs, ``np.allclose(got, want, rtol=RTOL, atol=ATOL)``.
A failed comparison raises ``AssertionError`` whose message is the feedback.
"""

import copy
import zlib

import numpy as np

RTOL = 1e-6  # relative tolerance of every value comparison
ATOL = 1e-8  # absolute tolerance of every value comparison


def rng(name):
    """A generator seeded by ``name`` alone (crc32), independent of any other random call."""
    return np.random.default_rng(zlib.crc32(name.encode()))


def randn(name, *shape, scale=1.0):
    """Standard-normal float64 array of ``shape`` drawn from ``rng(name)``."""
    return rng(name).standard_normal(shape) * scale


def _snapshot(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if type(value).__module__.startswith("torch") and hasattr(value, "clone"):
        return value.detach().clone()
    if isinstance(value, (dict, list, tuple)):
        return copy.deepcopy(value)
    return None


def _same(before, after):
    if isinstance(before, np.ndarray):
        return isinstance(after, np.ndarray) and np.array_equal(before, after, equal_nan=True)
    if hasattr(before, "clone"):  # torch tensor
        import torch

        return torch.equal(before, after.detach())
    if isinstance(before, dict):
        return before.keys() == after.keys() and all(_same(before[k], after[k]) for k in before)
    if isinstance(before, (list, tuple)):
        pairs = zip(before, after, strict=False)
        return len(before) == len(after) and all(_same(b, a) for b, a in pairs)
    return True


def call(fn, args, allow_mutation=()):
    """Call ``fn(*args.values())`` and fail if it changed any input in place.

    ``args`` is an ordered dict {name: value}; names are used in messages only.
    """
    saved = {k: _snapshot(v) for k, v in args.items()}
    out = fn(*args.values())
    for name, before in saved.items():
        if before is not None and name not in allow_mutation and not _same(before, args[name]):
            raise AssertionError(
                f"in-place mutation of an input: your function changed its argument `{name}`. "
                "Compute new arrays instead (write `a = a + b`, not `a += b`; copy before editing)."
            )
    return out


def unpack(out, names):
    """Check that ``out`` is a tuple of ``len(names)`` items and return it."""
    if len(names) == 1:
        return (out,)
    if not isinstance(out, (tuple, list)) or len(out) != len(names):
        got = f"a {type(out).__name__}" + (
            f" of length {len(out)}" if hasattr(out, "__len__") else ""
        )
        raise AssertionError(f"should return a tuple ({', '.join(names)}); got {got}.")
    return tuple(out)


def expect_array(got, shape, what, letters=None):
    """Check ``got`` is a NumPy array of ``shape``; name a transposed layout if that came."""
    if not isinstance(got, np.ndarray):
        raise AssertionError(f"`{what}` should be a NumPy array, got {type(got).__name__}.")
    shape = tuple(shape)
    if got.shape != shape:
        hint = ""
        if got.shape == shape[::-1] and len(shape) >= 2:
            lay = f" ({', '.join(letters)}) vs ({', '.join(reversed(letters))})" if letters else ""
            hint = f" — shape{lay}: the axes are swapped (transposed result or weight)."
        elif sorted(got.shape) == sorted(shape):
            hint = " — the axes are in the wrong order."
        raise AssertionError(f"`{what}` has shape {got.shape}, expected {shape}{hint}")
    if not np.all(np.isfinite(got)):
        raise AssertionError(
            f"`{what}` contains NaN or inf (overflow? e.g. exp of a large number without "
            "subtracting the maximum first)."
        )
    return got


def close(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=RTOL, atol=ATOL))


def expect_close(got, want, what, variants=()):
    """Pass when ``got`` matches ``want``; else name the first mistaken variant ``got`` matches.

    ``variants`` is a sequence of (message, value): what a typical mistake would return
    on these probe inputs, chosen so that each mistake gives a different value.
    """
    got = expect_array(got, np.shape(want), what)
    if close(got, want):
        return
    for message, value in variants:
        if value is not None and close(got, value):
            raise AssertionError(message)
    err = np.max(np.abs(got - want))
    idx = np.unravel_index(np.argmax(np.abs(got - want)), got.shape)
    raise AssertionError(
        f"`{what}` has wrong values: largest error {err:.3g} at index {tuple(int(i) for i in idx)} "
        f"(got {got[idx]:.6g}, expected {want[idx]:.6g}; tolerance rtol={RTOL:g}, atol={ATOL:g})."
    )


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)
