"""Probe inputs, calls into the learner's code, and comparisons for the lesson checks.

Every probe array comes from its own generator seeded by the probe's name (and the
grader's ``--seed``, when one is given), so the inputs do not depend on the order of
random-number calls (``np.random.seed`` in learner code changes nothing here).

The learner's ``fn`` is a real function in the notebook's self-check and a proxy for a
function in a sandboxed process in the graded run (see INTERFACE.md): arguments and
results travel as data, other objects as opaque handles. ``call``, ``sibling`` and
``in_learner`` work with both.

Tolerances: float64 inputs, ``np.allclose(got, want, rtol=RTOL, atol=ATOL)``. A failed
comparison raises ``AssertionError`` whose message is the feedback.
"""

import copy
import importlib
import zlib

import numpy as np

RTOL = 1e-6  # relative tolerance of every value comparison
ATOL = 1e-8  # absolute tolerance of every value comparison
SEED = None  # set by the grader's --seed: every probe input changes; None = the usual probes


class LearnerMissing(LookupError):
    """The learner's notebook does not define a function the check needs."""


def set_seed(seed):
    """Change every probe input (``rnn-grade --seed N``); ``None`` restores the usual ones."""
    global SEED
    SEED = None if seed is None else int(seed)


def rng(name):
    """A generator seeded by ``name`` (and ``SEED``) alone, independent of any other call."""
    key = zlib.crc32(name.encode())
    return np.random.default_rng(key if SEED is None else [key, SEED])


def randn(name, *shape, scale=1.0):
    """Standard-normal float64 array of ``shape`` drawn from ``rng(name)``."""
    return rng(name).standard_normal(shape) * scale


# ------------------------------------------------------------------ the learner's code


def sibling(fn, name):
    """Another function of the learner's notebook (a forward for its backward)."""
    if hasattr(fn, "sibling"):  # a proxy for a function in the learner process
        try:
            return fn.sibling(name)
        except (KeyError, LookupError, AttributeError) as exc:
            raise LearnerMissing(name) from exc
    other = getattr(fn, "__globals__", {}).get(name)
    if not callable(other):
        raise LearnerMissing(name)
    return other


def in_learner(fn, harness, **data):
    """Run the trusted ``harness(fn, **data) -> data`` ("module:function") beside ``fn``."""
    if hasattr(fn, "harness"):
        return fn.harness(harness, **data)
    module, name = harness.split(":")
    return getattr(importlib.import_module(module), name)(fn, **data)


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


MUTATION = "in-place mutation: your function changed its argument `{}`"


def call(fn, args, allow_mutation=()):
    """Call ``fn(*args.values())`` and fail if it changed any input in place.

    ``args`` is an ordered dict {name: value}; names are used in messages only. A proxy
    reports what changed in ``fn.last_mutated`` (names or positions); a real function's
    arguments are compared with copies taken before the call.
    """
    names = list(args)
    proxy = hasattr(fn, "last_mutated")
    saved = {} if proxy else {k: _snapshot(v) for k, v in args.items()}
    out = fn(*args.values())
    if proxy:
        changed = [names[m] if isinstance(m, int) else m for m in (fn.last_mutated or ())]
    else:
        changed = [k for k, v in saved.items() if v is not None and not _same(v, args[k])]
    for name in changed:
        if name not in allow_mutation:
            raise AssertionError(
                MUTATION.format(name) + ". Compute new arrays instead "
                "(write `a = a + b`, not `a += b`; copy before editing)."
            )
    return out


def unpack(out, names):
    """Check that ``out`` holds ``len(names)`` values; return them as a tuple."""
    if len(names) <= 1:
        return (out,)
    if not isinstance(out, (tuple, list)) or len(out) != len(names):
        got = f"a {type(out).__name__}" + (
            f" of length {len(out)}" if hasattr(out, "__len__") else ""
        )
        raise AssertionError(f"should return a tuple ({', '.join(names)}); got {got}.")
    return tuple(out)


# ------------------------------------------------------------------ comparisons


def close(a, b):
    """Same shape and values within the tolerance (NaN matches NaN)."""
    try:
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True))


_LOWERED = (
    "`{}` is {}, but the inputs are float64: keep float64 "
    "(no np.float32, astype or dtype= that lowers the precision)."
)


def _lowered(got, want):
    """``got`` is a float array of less precision than a float64 ``want``."""
    return (
        isinstance(got, np.ndarray)
        and got.dtype.kind == "f"
        and got.dtype.itemsize < 8
        and np.asarray(want).dtype == np.float64
    )


def _generic(got, want, what):
    """The message for a wrong ``got`` that no catalogued mistake explains."""
    if not isinstance(got, np.ndarray) and isinstance(want, np.ndarray):
        return f"`{what}` should be a NumPy array, got {type(got).__name__}."
    got_a, want_a = np.asarray(got), np.asarray(want)
    if got_a.shape != want_a.shape:
        hint = ""
        if got_a.shape == want_a.shape[::-1] and got_a.ndim >= 2:
            hint = " (the axes are reversed)"
        elif sorted(got_a.shape) == sorted(want_a.shape):
            hint = " (the same axes in another order)"
        return f"`{what}` has shape {got_a.shape}, expected {want_a.shape}{hint}."
    if got_a.dtype.kind not in "biuf" or want_a.dtype.kind not in "biuf":
        return f"`{what}` is wrong: got {got!r}, expected {want!r}."
    if not np.all(np.isfinite(got_a)):
        return (
            f"`{what}` contains NaN or inf (overflow? e.g. exp of a large number without "
            "subtracting the maximum first)."
        )
    err = np.abs(got_a - want_a)
    idx = np.unravel_index(np.argmax(err), err.shape) if err.ndim else ()
    at = f" at index {tuple(int(i) for i in idx)}" if idx else ""
    return (
        f"`{what}` has wrong values: largest error {err.max():.3g}{at} (got "
        f"{got_a[idx]:.6g}, expected {want_a[idx]:.6g}; tolerance rtol={RTOL:g}, atol={ATOL:g})."
    )


def _run_mistakes(exercise, run, names):
    """[(message, values)] of every catalogued mistake, each run by ``run(mistake_fn)``."""
    out = []
    for m in exercise.mistakes:
        try:
            values = unpack(run(m.fn), names)
        except Exception:  # noqa: BLE001 - a mistake that cannot run here is no variant
            continue
        out.append((m.message, values))
    return out


def judge(got, want, variants, compare, what=None, float64_inputs=True, diagnose=None):
    """Pass when ``got[i]`` matches ``want[i]`` for every compared position ``i``.

    Else raise the message of the first variant (message, values) that ``got``
    reproduces and that differs from ``want``; else what ``diagnose(got)`` says (a
    property the answer breaks, or None); else a generic message.
    """
    for i in compare:
        if isinstance(want[i], np.ndarray) and not isinstance(got[i], np.ndarray):
            kind = type(got[i]).__name__
            fix = (
                " (np.stack or np.array turns a list of arrays into one)" if kind == "list" else ""
            )
            raise AssertionError(
                f"`{what[i] if what else i}` should be a NumPy array, got {kind}{fix}."
            )
        if float64_inputs and _lowered(got[i], want[i]):
            raise AssertionError(_LOWERED.format(what[i] if what else f"output {i}", got[i].dtype))
    bad = [i for i in compare if not close(got[i], want[i])]
    if not bad:
        return
    for message, values in variants:
        wrong = any(not close(values[i], want[i]) for i in compare)
        if wrong and all(close(got[i], values[i]) for i in compare):
            raise AssertionError(message)
    message = _safe(diagnose, got) if diagnose else None
    if message:
        raise AssertionError(message)
    i = bad[0]
    raise AssertionError(_generic(got[i], want[i], what[i] if what else f"output {i}"))


def _safe(diagnose, got):
    try:
        return diagnose(*got)
    except Exception:  # noqa: BLE001 - an answer too broken to test the property
        return None


def expect_outputs(
    exercise, fn, args, compare=None, allow_mutation=(), harness=None, diagnose=None
):
    """Run the learner's ``fn``, the solution and every catalogued mistake on ``args``.

    ``compare``: names of the returned values to compare (default: all of
    ``exercise.returns`` except ``cache``). ``diagnose(*values)``: a message naming a
    property a wrong answer breaks, tried when no catalogued mistake matches.
    ``harness``: "module:function" of a trusted ``harness(fn, **args) -> data`` that
    calls ``fn`` (for arguments that are not data,
    such as a callable, or results that are not, such as a generator); it runs in the
    learner's process for ``fn`` and here for the solution and the mistakes.
    Returns the learner's values by name.
    """
    names = list(exercise.returns) or [exercise.id]
    if harness:
        module, name = harness.split(":")
        run_here = getattr(importlib.import_module(module), name)
        got = unpack(in_learner(fn, harness, **args), names)

        def run(f):
            return run_here(f, **copy.deepcopy(args))
    else:
        got = unpack(call(fn, dict(args), allow_mutation), names)

        def run(f):
            return f(**copy.deepcopy(args))

    want = unpack(run(exercise.solution_function()), names)
    floats = any(getattr(v, "dtype", None) == np.float64 for v in args.values())
    variants = _run_mistakes(exercise, run, names)
    judge(got, want, variants, _indices(names, compare), names, floats, diagnose)
    return dict(zip(names, got, strict=True))


def _indices(names, compare):
    compare = [n for n in names if n != "cache"] if compare is None else compare
    return [names.index(n) for n in compare]


def expect_backward(exercise, fn, forward_args, upstream, compare=None):
    """Run the learner's own forward, then ``fn`` on its cache; compare the gradients.

    ``forward_args``: the forward's inputs; ``upstream``: {name: gradient} given to the
    backward before the cache. A wrong forward is reported first ("fix ... first").
    The solution's backward and the catalogued mistakes run on the solution's cache.
    """
    from .registry import EXERCISES, failure_of

    name = exercise.forward
    fwd_ex = EXERCISES.get(name)
    fwd_names = list(fwd_ex.returns) if fwd_ex else ["out", "cache"]
    ref_forward = exercise.solution_of(name)
    ref_out = unpack(ref_forward(**copy.deepcopy(forward_args)), fwd_names)
    try:
        learner_fwd = sibling(fn, name)
    except LearnerMissing:
        raise AssertionError(
            f"fix `{name}` first: your notebook does not define it, and `{exercise.id}` "
            "takes its cache."
        ) from None
    try:
        out = unpack(call(learner_fwd, dict(forward_args)), fwd_names)
    except NotImplementedError:
        if name in exercise.companions or _is_stub(fn, upstream):  # nothing to blame yet
            raise
        raise AssertionError(
            f"fix `{name}` first: it is not implemented yet, and `{exercise.id}` takes its cache."
        ) from None
    except AssertionError as exc:
        raise AssertionError(f"fix `{name}` first: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - learner's forward raised
        said = str(exc) if type(exc).__name__ == "LearnerError" else f"{type(exc).__name__}: {exc}"
        raise AssertionError(f"fix `{name}` first: {said}") from None
    for i, n in enumerate(fwd_names):
        if n != "cache" and not close(out[i], ref_out[i]):
            why = failure_of(name, learner_fwd, fn) if fwd_ex else None
            raise AssertionError(f"fix `{name}` first: " + (why or f"its output `{n}` is wrong"))
    c = fwd_names.index("cache")
    names = list(exercise.returns)
    args = dict(upstream, cache=out[c])
    got = unpack(call(fn, args, allow_mutation=("cache",)), names)
    ref_args = dict(upstream, cache=ref_out[c])
    want = unpack(exercise.solution_function()(**copy.deepcopy(ref_args)), names)
    variants = _run_mistakes(exercise, lambda f: f(**copy.deepcopy(ref_args)), names)
    judge(got, want, variants, _indices(names, compare), names)
    return dict(zip(names, got, strict=True))


def _is_stub(fn, upstream):
    """The backward ``fn`` itself still raises NotImplementedError (tried without a cache)."""
    try:
        fn(*upstream.values(), None)
    except NotImplementedError:
        return True
    except Exception:  # noqa: BLE001 - it runs some code of its own: not a stub
        return False
    return False


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)

