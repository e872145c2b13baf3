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

from . import diagnose as dx

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


def _generic(got, want, what, ctx=None):
    """The message for a wrong ``got`` that no catalogued mistake explains."""
    if not isinstance(got, np.ndarray) and isinstance(want, np.ndarray):
        return f"`{what}` should be a NumPy array, got {type(got).__name__}."
    got_a, want_a = np.asarray(got), np.asarray(want)
    if got_a.shape != want_a.shape:
        return _shape_message(got_a, want_a, what)
    if got_a.dtype.kind not in "biuf" or want_a.dtype.kind not in "biuf":
        return f"`{what}` is wrong: got {got!r}, expected {want!r}."
    return dx.explain(got_a, want_a, ctx or dx.Context(what, {})).message


def _shape_message(got_a, want_a, what):
    hint = ""
    if got_a.shape == want_a.shape[::-1] and got_a.ndim >= 2:
        hint = " (the axes are reversed)"
    elif sorted(got_a.shape) == sorted(want_a.shape):
        hint = " (the same axes in another order)"
    elif got_a.size == want_a.size and got_a.shape[:1] == want_a.shape[:1] and want_a.ndim:
        hint = (
            " (the same number of entries in another shape: reshape each row to "
            f"{want_a.shape[1:]}, that is, flatten it)"
        )
    elif want_a.ndim and got_a.shape == want_a.shape[1:]:
        hint = " (one entry of the first axis: only the last step or row, not all of them?)"
    elif want_a.ndim and got_a.shape[1:] == want_a.shape[1:]:
        n, m = got_a.shape[0], want_a.shape[0]
        hint = f" ({n} along the first axis where {m} are expected: a loop bound off by {m - n}?)"
    return f"`{what}` has shape {got_a.shape}, expected {want_a.shape}{hint}."


class SecondProbe:
    """The same check on perturbed inputs, computed once when a finding needs confirming.

    ``make() -> (got, want, run)``: the learner's values, the solution's, and
    ``run(f)`` giving another function's values, all on the second probe; ``args``
    are its inputs and ``rerun(changed)`` the reference's outputs on changed ones.
    """

    def __init__(self, make, args=None, rerun=None):
        self._make, self._value, self._done = make, None, False
        self.args, self.rerun = args, rerun

    def value(self):
        if not self._done:
            self._done = True
            try:
                with np.errstate(all="ignore"):
                    self._value = self._make()
            except Exception:  # noqa: BLE001 - the second probe cannot run: no evidence
                self._value = None
        return self._value

    def agrees(self, mistake_fn, compare, names):
        """The learner matches ``mistake_fn`` on the second probe too (or it cannot tell)."""
        v = self.value()
        if v is None:
            return True
        got, _, run = v
        try:
            values = unpack(run(mistake_fn), names)
        except Exception:  # noqa: BLE001 - the mistake cannot run on this probe
            return True
        return all(_equal(got[i], values[i]) for i in compare)

    def confirms(self, finding, i, what, gates, compare):
        """The diagnosis of output ``i`` on the second probe is the same finding."""
        v = self.value()
        if v is None:
            return True
        got, want, _ = v
        if _equal(got[i], want[i]):
            return True  # this probe cannot tell
        if np.shape(got[i]) != np.shape(want[i]):
            return False
        ctx = dx.Context(what, self.args or {}, self.rerun, gates, got, want, compare)
        g, w = _raw(got[i]), np.asarray(want[i])
        return any(f.key == finding.key for f in dx.candidates(g, w, ctx))


def perturb(args, name="second probe"):
    """Other inputs of the same kind: every float64 entry scaled by its own factor in
    [0.6, 1] and every other float scalar by one in [0.6, 0.9], zeros replaced by small
    positive numbers (so a term a probe switched off is on here). Signs, shapes,
    integers and ranges such as [0, 1) are kept."""
    r = rng(name)

    def one(v):
        if isinstance(v, np.ndarray) and v.dtype == np.float64:
            return np.where(v == 0, r.uniform(0.1, 0.5, v.shape), v * r.uniform(0.6, 1.0, v.shape))
        if type(v) is float and v not in (0.0, 1.0):
            return v * float(r.uniform(0.6, 0.9))
        if isinstance(v, dict):
            return {k: one(x) for k, x in v.items()}
        if isinstance(v, list):
            return [one(x) for x in v]
        return copy.deepcopy(v)

    return {k: one(v) for k, v in args.items()}


def _equal(a, b):
    return dx.equal(a, b)


def _run_mistakes(exercise, run, names):
    """[(message, values, fn)] of every catalogued mistake, each run by ``run(mistake_fn)``."""
    out = []
    for m in exercise.mistakes:
        try:
            values = unpack(run(m.fn), names)
        except Exception:  # noqa: BLE001 - a mistake that cannot run here is no variant
            continue
        out.append((m.message, values, m.fn))
    return out


def judge(
    got,
    want,
    variants,
    compare,
    what=None,
    float64_inputs=True,
    diagnose=None,
    context=None,
    second=None,
    gates=None,
):
    """Pass when ``got[i]`` matches ``want[i]`` for every compared position ``i``.

    Else raise the message of the first variant (message, values[, fn]) that ``got``
    reproduces, that differs from ``want`` and (given ``second``, a ``SecondProbe``)
    that ``got`` reproduces on a second probe as well; else what ``diagnose(got)``
    says (a property the answer breaks, or None); else the differential diagnosis
    (``diagnose.explain``, confirmed on the second probe, else where the first
    difference is). ``context``: {"args": inputs, "rerun": changed inputs -> reference outputs}.
    Integer outputs are compared exactly; floats within RTOL, ATOL.
    """
    what = list(what) if what else [f"output {i}" for i in range(len(want))]
    for i in compare:
        if isinstance(want[i], np.ndarray) and not isinstance(got[i], np.ndarray):
            kind = type(got[i]).__name__
            fix = (
                " (np.stack or np.array turns a list of arrays into one)" if kind == "list" else ""
            )
            raise AssertionError(f"`{what[i]}` should be a NumPy array, got {kind}{fix}.")
        if float64_inputs and _lowered(got[i], want[i]):
            raise AssertionError(_LOWERED.format(what[i], got[i].dtype))
    bad = [i for i in compare if not _equal(got[i], want[i])]
    if not bad:
        return
    for variant in variants:
        message, values = variant[0], variant[1]
        wrong = any(not _equal(values[i], want[i]) for i in compare)
        if wrong and all(_equal(got[i], values[i]) for i in compare):
            if second is None or len(variant) < 3 or second.agrees(variant[2], compare, what):
                raise AssertionError(message)
    message = _safe(diagnose, got) if diagnose else None
    if message:
        raise AssertionError(message)
    raise AssertionError(_explain_first(got, want, bad, what, context, second, gates, compare))


def _explain_first(got, want, bad, what, context, second, gates, compare):
    """The diagnosis of the first wrong output (confirmed on the second probe if given)."""
    i = bad[0]
    g, w = got[i], want[i]
    for j in compare:
        swapped = np.shape(want[j]) == np.shape(g) and _equal(g, want[j])
        if j != i and swapped and _equal(got[j], w) and not _equal(w, want[j]):
            return (
                f"`{what[i]}` holds what `{what[j]}` should: return the values in the order "
                f"({', '.join(what)})."
            )
    if not isinstance(g, np.ndarray) and isinstance(w, np.ndarray) or (np.shape(g) != np.shape(w)):
        return _generic(g, w, what[i])
    try:
        g_a, w_a = np.asarray(g, dtype=float), np.asarray(w)
    except (TypeError, ValueError):
        return _generic(g, w, what[i])
    if w_a.dtype.kind not in "biuf":
        return _generic(g, w, what[i])
    context = context or {}
    ctx = dx.Context(
        what[i], context.get("args", {}), context.get("rerun"), gates, got, want, tuple(compare)
    )
    for finding in dx.candidates(_raw(g), w_a, ctx):
        if not finding.named:
            break
        if second is None or second.confirms(finding, i, what[i], gates, compare):
            return finding.message
    else:
        finding = None
    return _other_outputs(got, want, bad, what, context, second, gates, compare) or (
        finding.message if finding else dx.locate(g_a, w_a, ctx).message
    )


DIRECT_PATHS = {  # (gates, gradient): its direct path, in the chapters' equations
    ("ifgo", "dc_prev"): " Here c_next = f ⊙ c_prev + i ⊙ g, so dc_prev = dc ⊙ f "
    "(the forget gate), dc the whole cell gradient.",
    ("rzn", "dh_prev"): " Here h_next = (1 - z) ⊙ n + z ⊙ h_prev, so dh_prev holds "
    "dh_next ⊙ z directly, besides the paths through r, z and n.",
}


def _other_outputs(got, want, bad, what, context, second, gates, compare):
    """When the first wrong output has no name: a named finding on another wrong output,
    or, for a gradient whose every parameter gradient is right, the path it sits on."""
    outs = [
        j for j in range(min(len(got), len(want), len(what))) if isinstance(want[j], np.ndarray)
    ]
    wrong = [j for j in outs if not _equal(got[j], want[j])]
    params = [j for j in outs if dx.Context(what[j], {}).is_param()]
    first = what[bad[0]]
    if params and all(j not in wrong for j in params) and first.startswith("d"):
        direct = DIRECT_PATHS.get((gates, first), "")
        return (
            f"`{first}` is wrong while every parameter gradient is right: the error is "
            f"on a path that reaches `{first}` only, not through the weights (the direct "
            f"path from `{first[1:]}` to the output, or a factor applied after the "
            f"parameter gradients were taken).{direct}"
        )
    for j in wrong:
        if j == bad[0]:
            continue
        g, w = got[j], want[j]
        if np.shape(g) != np.shape(w) or not isinstance(g, np.ndarray):
            continue
        ctx = dx.Context(
            what[j],
            context.get("args", {}),
            context.get("rerun"),
            gates,
            got,
            want,
            tuple(compare),
        )
        for finding in dx.candidates(_raw(g), np.asarray(w), ctx):
            if (
                finding.key.startswith("gateblock")
                or finding.named
                and (second is None or second.confirms(finding, j, what[j], gates, compare))
            ):
                return finding.message
    return None


def _raw(g):
    """The learner's array with its own dtype (an integer dtype is a diagnosis), as floats
    only when it is not an integer or float array."""
    a = np.asarray(g)
    return a if a.dtype.kind in "biuf" else np.asarray(g, dtype=float)


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
    A wrong answer is named by a catalogued mistake only when it matches that mistake
    on a second, perturbed probe too. Returns the learner's values by name.
    """
    names = list(exercise.returns) or [exercise.id]
    solution = exercise.solution_function()
    if harness:
        module, name = harness.split(":")
        run_here = getattr(importlib.import_module(module), name)

        def learner(a):
            return unpack(in_learner(fn, harness, **a), names)

        def runner(a):
            return lambda f: run_here(f, **copy.deepcopy(a))
    else:

        def learner(a):
            return unpack(call(fn, dict(a), allow_mutation), names)

        def runner(a):
            return lambda f: f(**copy.deepcopy(a))

    got = learner(args)
    run = runner(args)
    want = unpack(run(solution), names)
    floats = any(getattr(v, "dtype", None) == np.float64 for v in args.values())
    variants = _run_mistakes(exercise, run, names)
    args2 = perturb(args)

    def make():
        run2 = runner(args2)
        return learner(args2), unpack(run2(solution), names), run2

    def rerun(changed):
        return unpack(runner(changed)(solution), names)

    context = {"args": args, "rerun": rerun}
    second = SecondProbe(make, args2, rerun)
    if exercise.random_inputs:
        diagnose = _own_randomness(exercise, got, want, learner, runner, args, diagnose)
    judge(
        got,
        want,
        variants,
        _indices(names, compare),
        names,
        floats,
        diagnose,
        context,
        second,
        exercise_gates(exercise),
    )
    return dict(zip(names, got, strict=True))


OWN_RANDOM = (
    "`{what}` changes between two calls with the same `{u}`: your code draws random numbers "
    "of its own. Use the given `{u}` (the grader and your notebook give the same `{u}`, so "
    "both see the same tokens)."
)
IGNORES_RANDOM = (
    "`{what}` stays the same when `{u}` changes: draw with the given `{u}` (token t from "
    "u[t]), not with random numbers of your own or without randomness."
)


def _own_randomness(exercise, got, want, learner, runner, args, diagnose):
    """A property check: the answer must follow the given random numbers, nothing else."""

    def check(*values):
        names = list(exercise.returns) or [exercise.id]
        solution = exercise.solution_function()
        again = learner(args)
        for u in exercise.random_inputs:
            if not all(_equal(a, b) for a, b in zip(again, got, strict=True)):
                return OWN_RANDOM.format(what=names[0], u=u)
            other = dict(args, **{u: 1.0 - np.asarray(args[u])})
            mine = learner(other)
            theirs = unpack(runner(other)(solution), names)
            moved = not all(_equal(a, b) for a, b in zip(theirs, want, strict=True))
            if moved and all(_equal(a, b) for a, b in zip(mine, got, strict=True)):
                return IGNORES_RANDOM.format(what=names[0], u=u)
        return diagnose(*values) if diagnose else None

    return check


def exercise_gates(exercise):
    """'ifgo' for an LSTM exercise, 'rzn' for a GRU one, else None."""
    gates = getattr(exercise, "gates", None)
    if gates:
        return gates
    if exercise.id.startswith("lstm"):
        return "ifgo"
    if exercise.id.startswith("gru"):
        return "rzn"
    return None


def _indices(names, compare):
    compare = [n for n in names if n != "cache"] if compare is None else compare
    return [names.index(n) for n in compare]


def expect_backward(exercise, fn, forward_args, upstream, compare=None):
    """Run the learner's own forward, then ``fn`` on its cache; compare the gradients.

    ``forward_args``: the forward's inputs; ``upstream``: {name: gradient} given to the
    backward before the cache. The solution's backward and the catalogued mistakes run
    on the solution's cache. When the learner's forward is wrong, the backward is
    judged on its own (CS231n's gradient check): against the numeric gradient of the
    learner's own forward; a backward that matches it passes, so a wrong forward costs
    the forward's points only.
    """
    from .registry import EXERCISES, failure_of

    name = exercise.forward
    fwd_ex = EXERCISES.get(name)
    fwd_names = list(fwd_ex.returns) if fwd_ex else ["out", "cache"]
    ref_forward = exercise.solution_of(name)
    ref_backward = exercise.solution_function()
    c = fwd_names.index("cache")
    names = list(exercise.returns)
    try:
        learner_fwd = sibling(fn, name)
    except LearnerMissing:
        raise AssertionError(
            f"fix `{name}` first: your notebook does not define it, and `{exercise.id}` "
            "takes its cache."
        ) from None
    out = _learner_forward(exercise, fn, learner_fwd, name, forward_args, fwd_names, upstream)
    ref_out = unpack(ref_forward(**copy.deepcopy(forward_args)), fwd_names)
    got = unpack(call(fn, dict(upstream, cache=out[c]), allow_mutation=("cache",)), names)
    if any(n != "cache" and not close(out[i], ref_out[i]) for i, n in enumerate(fwd_names)):
        _judge_by_own_forward(
            exercise,
            got,
            learner_fwd,
            forward_args,
            upstream,
            fwd_names,
            names,
            compare,
            failure_of(name, learner_fwd, fn) if fwd_ex else None,
        )
        return dict(zip(names, got, strict=True))

    def reference(fa, up):
        cache = unpack(ref_forward(**copy.deepcopy(fa)), fwd_names)[c]
        return lambda f: f(**copy.deepcopy(dict(up, cache=cache)))

    run = reference(forward_args, upstream)
    want = unpack(run(ref_backward), names)
    variants = _run_mistakes(exercise, run, names)
    fa2, up2 = perturb(forward_args), perturb(upstream, "second probe upstream")

    def make():
        o2 = unpack(call(learner_fwd, dict(fa2)), fwd_names)
        g2 = unpack(call(fn, dict(up2, cache=o2[c]), allow_mutation=("cache",)), names)
        run2 = reference(fa2, up2)
        return g2, unpack(run2(ref_backward), names), run2

    def rerun(changed):
        fa = {k: changed[k] for k in forward_args}
        up = {k: changed[k] for k in upstream}
        return unpack(reference(fa, up)(ref_backward), names)

    context = {"args": dict(forward_args, **upstream), "rerun": rerun}
    second = SecondProbe(make, dict(fa2, **up2), rerun)
    judge(
        got,
        want,
        variants,
        _indices(names, compare),
        names,
        True,
        None,
        context,
        second,
        exercise_gates(exercise),
    )
    return dict(zip(names, got, strict=True))


def _learner_forward(exercise, fn, learner_fwd, name, forward_args, fwd_names, upstream):
    try:
        return unpack(call(learner_fwd, dict(forward_args)), fwd_names)
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


NUMERIC_RTOL, NUMERIC_ATOL = 1e-5, 1e-7  # a numeric gradient is good to about 1e-8 here


def _judge_by_own_forward(
    exercise, got, learner_fwd, forward_args, upstream, fwd_names, names, compare, why
):
    """Gradient check of the learner's backward against their own (wrong) forward."""
    numeric = numeric_gradients(learner_fwd, forward_args, upstream, fwd_names, names)
    fwd = exercise.forward
    for i in _indices(names, compare):
        n = names[i]
        if n not in numeric:
            continue
        g = np.asarray(got[i], dtype=float) if isinstance(got[i], np.ndarray) else None
        ok = (
            g is not None
            and g.shape == numeric[n].shape
            and np.allclose(g, numeric[n], rtol=NUMERIC_RTOL, atol=NUMERIC_ATOL)
        )
        if not ok:
            raise AssertionError(
                f"fix `{fwd}` first: {why or 'its output is wrong'}. (Your `{exercise.id}` "
                f"does not match the numeric gradient of your own `{fwd}` either, in `{n}`.)"
            )


def numeric_gradients(forward, forward_args, upstream, fwd_names, names):
    """{d<arg>: centred-difference gradient of Σ upstream·outputs} for each float input."""
    outs = {f"d{n}": n for n in fwd_names if n != "cache"}
    pairs = [(u, outs[u]) for u in upstream if u in outs]
    wanted = {n: n[1:] for n in names if n.startswith("d") and n[1:] in forward_args}
    base = {
        k: np.array(v, dtype=float) if isinstance(v, np.ndarray) else v
        for k, v in forward_args.items()
    }

    def loss(a):
        out = unpack(forward(**copy.deepcopy(a)), fwd_names)
        values = dict(zip(fwd_names, out, strict=True))
        return sum(
            float(np.sum(np.asarray(values[o], dtype=float) * upstream[u])) for u, o in pairs
        )

    result, h = {}, 1e-6
    for gname, arg in wanted.items():
        x = base[arg]
        grad = np.zeros_like(x)
        for ix in np.ndindex(x.shape):
            old = x[ix]
            x[ix] = old + h
            plus = loss(base)
            x[ix] = old - h
            minus = loss(base)
            x[ix] = old
            grad[ix] = (plus - minus) / (2 * h)
        result[gname] = grad
    return result


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
