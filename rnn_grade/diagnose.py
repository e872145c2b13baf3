"""Differential diagnosis: say how a wrong value differs from the expected one.

When no catalogued mistake reproduces a learner's wrong answer, ``explain`` compares
it with the reference under the transformations learners actually make, and names
the one that matches: an output transposed, scaled (by 1/T, 1/B, 1/(T·B), T, 2, -1,
...), shifted by one time step, right except the first or last step, right for the
first batch row only, gate blocks in another order, counts that are right only where
tokens are distinct; or, rerunning the reference on changed inputs, a term left out
(an input or an upstream gradient that has no effect), two inputs swapped, a weight
transposed, the gate blocks of the weights permuted. When nothing matches it says
where the first difference is (time step, batch row, gate block, parameter) and how
large, with enough digits to see it.

Every function here is pure: arrays in, a ``Finding`` (a key and a message) out. The
key lets a caller confirm the finding on a second probe before it is shown.
"""

import itertools
from dataclasses import dataclass

import numpy as np

RTOL = 1e-6
ATOL = 1e-8
GATES = {4: "ifgo", 3: "rzn"}  # PyTorch's gate order by number of blocks
GATE_NAMES = {"ifgo": ("i", "f", "g", "o"), "rzn": ("r", "z", "n")}
GATE_WORDS = {  # what each gate letter is called in the chapters
    "i": "input gate i",
    "f": "forget gate f",
    "g": "cell candidate g",
    "o": "output gate o",
    "r": "reset gate r",
    "z": "update gate z",
    "n": "candidate n",
}


@dataclass(frozen=True)
class Finding:
    key: str  # the same key on two probes confirms the finding
    message: str
    named: bool = True  # False for the where-and-how-large fallback


def close(a, b):
    try:
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True))


def is_integer(a):
    return np.asarray(a).dtype.kind in "iub"


def equal(got, want):
    """Exact for integer outputs, within the tolerance for floats."""
    if is_integer(want) and np.asarray(want).ndim == np.asarray(got).ndim:
        try:
            g = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            return False
        return g.shape == np.shape(want) and bool(np.array_equal(g, np.asarray(want, dtype=float)))
    return close(got, want)


# ------------------------------------------------------------------ context


@dataclass
class Context:
    """What the probe knows: the output's name, the inputs, and a way to rerun the reference.

    ``rerun(args) -> outputs`` gives the reference's outputs on changed inputs (or
    raises); a changed input explains the answer only when every compared output
    (``got_all[i]`` for ``i`` in ``compare``) matches. ``gates`` is "ifgo" or "rzn" when
    the exercise has gate blocks.
    """

    what: str
    args: dict
    rerun: object = None  # changed inputs -> the reference's outputs (all of them)
    gates: str = None
    got_all: tuple = None  # the learner's outputs, all of them
    want_all: tuple = None
    compare: tuple = ()  # indices of the compared outputs

    def dims(self):
        """(T, B) read off the inputs: the first 3-D array is (T, B, ·), else a 2-D x is (B, ·)."""
        arrays = [
            v for v in self.args.values() if isinstance(v, np.ndarray) and v.dtype.kind == "f"
        ]
        for v in arrays:
            if v.ndim == 3:
                return v.shape[0], v.shape[1]
        for k in ("x", "h_prev", "dh_next", "logits"):
            v = self.args.get(k)
            if isinstance(v, np.ndarray) and v.ndim == 2:
                return None, v.shape[0]
        return None, None

    def is_param(self):
        n = self.what.lstrip("d")
        return n[:1] in ("W", "b") and "_" in n or self.what.startswith(("dW", "db"))


# ------------------------------------------------------------------ formatting


def fmt(g, w):
    """Both numbers with enough digits that they differ on the page."""
    if float(g).is_integer() and float(w).is_integer() and abs(g) < 1e15 and abs(w) < 1e15:
        return f"{int(g)}", f"{int(w)}"
    for digits in (6, 8, 10, 12, 17):
        a, b = f"{g:.{digits}g}", f"{w:.{digits}g}"
        if a != b:
            return a, b
    return repr(float(g)), repr(float(w))


SCALE_CAUSES = {  # the usual cause of each factor
    "1/B": " A mean over the batch rows where their sum belongs?",
    "1/T": " A mean over the time steps where their sum belongs?",
    "1/(T·B)": " A mean over time steps and batch rows where their sum belongs?",
    "B": " A sum over the batch rows where their mean belongs?",
    "T": " A sum over the time steps where their mean belongs?",
    "T·B": " A sum over time steps and batch rows where their mean belongs?",
}


def _name_factor(c, T, B):
    """('1/T (T = 4)', '1/T') when c is a factor the lesson makes likely, else None."""
    cands = [
        ("-1 (the sign is flipped)", "-1", -1.0),
        ("2", "2", 2.0),
        ("1/2", "1/2", 0.5),
        ("1/ln 2 = 1.4427 (log base 2, bits: use the natural log, nats)", "1/ln 2", 1 / np.log(2)),
    ]
    if T:
        cands += [(f"1/T (T = {T})", "1/T", 1 / T), (f"T (T = {T})", "T", float(T))]
    if B:
        cands += [(f"1/B (B = {B})", "1/B", 1 / B), (f"B (B = {B})", "B", float(B))]
    if T and B:
        cands += [
            (f"1/(T·B) (T·B = {T * B})", "1/(T·B)", 1 / (T * B)),
            (f"T·B (= {T * B})", "T·B", float(T * B)),
        ]
    cands += [(f"-{n}", f"-{m}", -v) for n, m, v in cands if v > 0]
    for name, short, v in cands:
        if np.isclose(c, v, rtol=1e-6):
            return name, short
    return None


# ------------------------------------------------------------------ output transforms


def _axes(ctx, want):
    """Labels of ``want``'s leading axes: ('time step', 'batch row') where they apply."""
    T, B = ctx.dims()
    if ctx.is_param():
        return ("row",)
    if want.ndim >= 3 and T and want.shape[:2] == (T, B):
        return ("time step", "batch row")
    if want.ndim == 2 and B and want.shape[0] == B:
        return ("batch row",)
    return ("entry",)


def _gate_blocks(ctx, want):
    """(letters, H) when axis 0 of a parameter gradient holds gate blocks."""
    if not ctx.gates or not ctx.is_param() or want.ndim < 1:
        return None
    G = len(ctx.gates)
    if want.shape[0] % G:
        return None
    return ctx.gates, want.shape[0] // G


def output_findings(got, want, ctx):
    """Findings from comparing ``got`` with transformations of ``want`` (same shape)."""
    T, B = ctx.dims()
    w = np.asarray(want, dtype=float)
    g = np.asarray(got, dtype=float)
    what = ctx.what
    if w.ndim == 2 and w.shape[0] == w.shape[1] and close(g, w.T) and not close(w, w.T):
        yield Finding("transposed", f"`{what}` is transposed: you have `{what}.T`.")
    fractions = np.all(np.isfinite(w)) and not np.array_equal(w, np.round(w))
    if np.asarray(got).dtype.kind in "iub" and not is_integer(want) and fractions:
        yield Finding(
            "dtype",
            f"`{what}` is an integer array ({np.asarray(got).dtype}) where "
            "floats are expected: the fractions were cut off (an array made with "
            "dtype=int, np.zeros_like of integer input, or astype(int)); keep floats.",
        )
        return
    if _truncated(g, w):
        yield Finding(
            "truncated",
            f"`{what}` holds whole numbers where fractions are expected: your values are "
            "the expected ones with the fractions cut off (integer division //, int(), "
            "astype(int) or an array made with dtype=int); keep floats.",
        )
        return
    if np.all(g == 0) and np.any(w != 0):
        yield Finding("zero", f"`{what}` is all zeros: is it computed (and returned)?")
        return
    denom = float(np.sum(w * w))
    if denom > 0:
        c = float(np.sum(g * w)) / denom
        if not np.isclose(c, 1.0) and abs(c) > 1e-12 and close(g, c * w):
            named = _name_factor(c, T, B)
            if named:
                name, short = named
                yield Finding(
                    f"scaled:{short}",
                    f"`{what}` is scaled by {name}: every entry is {short} times the "
                    f"expected one.{SCALE_CAUSES.get(short, '')}",
                )
            elif w.size > 1:
                yield Finding(
                    "scaled",
                    f"`{what}` is the expected value times {c:.6g}: right direction, wrong scale.",
                )
    if w.ndim >= 1 and w.shape[-1] > 1 and np.all(np.isfinite(w)):
        d = g - w
        tol = ATOL + RTOL * np.abs(w).max()
        if np.allclose(d, d[..., :1], rtol=0, atol=tol) and np.all(np.abs(d[..., 0]) > tol):
            yield Finding(
                "rowshift",
                f"`{what}` is the expected value plus a constant in each row "
                "(along the last axis): something is subtracted or added per row, "
                "such as the row's maximum, that should not be.",
            )
    if w.ndim == 1 and w.size > 2 and not close(w, np.sort(w)):
        for order, word in ((np.sort(w), "ascending"), (np.sort(w)[::-1], "descending")):
            if close(g, order):
                yield Finding(
                    "sorted",
                    f"`{what}` is sorted ({word}): entry v belongs to v, keep "
                    "the entries where they are.",
                )
    zero = w == 0
    if zero.any() and (~zero).any() and close(g[~zero], w[~zero]) and not close(g[zero], w[zero]):
        yield Finding(
            "zeros",
            f"`{what}` is right except where the expected value is exactly 0 "
            f"({int(zero.sum())} entries): those must be 0 (a ReLU's negative "
            "inputs become 0, not their absolute value or themselves).",
        )
    if np.array_equal(w, np.round(w)) and w.ndim == 1 and np.all(w >= 0) and np.any(w > 1):
        if np.array_equal(g, (w > 0).astype(float)):
            yield Finding(
                "presence",
                f"`{what}` is right only where each token occurs once: "
                "a token seen twice is counted once (presence, not how often). Add 1 "
                "for every position (a loop, np.add.at or np.bincount).",
            )
    axes = _axes(ctx, w)
    if w.ndim >= 1 and w.shape[0] >= 3 and axes[0] in ("time step", "entry"):
        unit = axes[0]
        units = "entries" if unit == "entry" else unit + "s"
        if close(g[1:], w[:-1]) and not close(w[1:], w[:-1]):
            yield Finding(
                "late",
                f"`{what}` is one {unit} late: your {unit} t holds the "
                f"expected {unit} t-1 (an off-by-one in the index).",
            )
        if close(g[:-1], w[1:]) and not close(w[1:], w[:-1]):
            yield Finding(
                "early",
                f"`{what}` is one {unit} early: your {unit} t holds the "
                f"expected {unit} t+1 (an off-by-one in the index).",
            )
        if close(g, w[::-1]) and not close(w, w[::-1]):
            yield Finding("reversed", f"`{what}` is in reverse order along the {units}.")
        if close(g[1:], w[1:]) and not close(g[:1], w[:1]):
            yield Finding("first", _first_message(what, unit, ctx))
        if close(g[:-1], w[:-1]) and not close(g[-1:], w[-1:]):
            yield Finding("last", _last_message(what, unit, ctx, w.shape[0]))
    if "batch row" in axes:
        ax = axes.index("batch row")
        first = np.take(g, [0], axis=ax), np.take(w, [0], axis=ax)
        others_wrong = all(
            not close(np.take(g, [b], axis=ax), np.take(w, [b], axis=ax))
            for b in range(1, w.shape[ax])
        )
        if w.shape[ax] > 1 and close(*first) and others_wrong:
            rest_zero = np.allclose(np.delete(g, 0, axis=ax), 0)
            yield Finding(
                "batch0",
                f"`{what}` is right for the first batch row only"
                + (" (the other rows are zero)" if rest_zero else "")
                + ": handle every row of the batch (matrix products over the whole "
                "batch, or a loop over all B rows).",
            )
    blocks = _gate_blocks(ctx, w)
    if blocks:
        yield from _gate_findings(g, w, what, *blocks)


def _truncated(g, w):
    """``g`` is ``w`` with its fractions cut off (floor, trunc or round), ``w`` is not."""
    if not np.all(np.isfinite(w)) or np.array_equal(w, np.round(w)):
        return False
    if not np.any(g != 0):  # all zeros: told as such, not as cut-off fractions
        return False
    if not np.all(np.isfinite(g)) or not np.array_equal(g, np.round(g)):
        return False
    return any(np.array_equal(g, f(w)) for f in (np.floor, np.trunc, np.round))


def _backward(ctx):
    """The output is a gradient of a function with a time loop (its loop runs backwards)."""
    return ctx.what.startswith("d")


def _first_message(what, unit, ctx):
    if unit != "time step":  # no time loop here: say where, nothing about loops
        return (
            f"`{what}` is right except at its first {unit} (index 0 along the first "
            "axis): every other entry matches; look at what your code does differently there."
        )
    if _backward(ctx):
        return (
            f"`{what}` is right except at the first time step (time step 0): look at where "
            "the loop starts or stops (a backward loop runs t = T-1 down to 0, step 0 included)."
        )
    return (
        f"`{what}` is right except at the first time step (time step 0): look at how "
        "the loop starts (the initial state?)."
    )


def _last_message(what, unit, ctx, n):
    if unit != "time step":
        return (
            f"`{what}` is right except at its last {unit} (index {n - 1} along the first "
            "axis): every other entry matches; look at what your code does differently there."
        )
    if _backward(ctx):
        return (
            f"`{what}` is right except at the last time step (time step {n - 1}): look at "
            "where the loop starts (a backward loop runs t = T-1 down to 0; step T-1 "
            "gets only dh[T-1], no gradient from a later step)."
        )
    return (
        f"`{what}` is right except at the last time step: does the loop "
        "stop one step early, or miss the last one?"
    )


def _gate_findings(g, w, what, letters, H):
    G = len(letters)
    parts = [w[k * H : (k + 1) * H] for k in range(G)]
    for perm in itertools.permutations(range(G)):
        if perm == tuple(range(G)):
            continue
        cand = np.concatenate([parts[k] for k in perm])
        if close(g, cand) and not close(cand, w):
            order = ", ".join(letters[k] for k in perm)
            yield Finding(
                f"gates:{perm}",
                f"`{what}`'s gate blocks are in the order {order}; "
                f"PyTorch's order is {', '.join(letters)} (rows [0:H] are "
                f"{letters[0]}, [H:2H] {letters[1]}, ...).",
            )
            return
    wrong = [letters[k] for k in range(G) if not close(g[k * H : (k + 1) * H], parts[k])]
    if wrong == ["i", "f", "g"] and "o" in letters:
        yield Finding(
            f"gateblock:{wrong}",
            f"`{what}` is right in the output gate o's block but wrong in the blocks of "
            "i, f and g, the three that the cell gradient dc reaches: look at dc, "
            "dc = dc_next + dh_next ⊙ o ⊙ (1 - tanh²(c_next)), shared by all three.",
            named=False,
        )
    elif 0 < len(wrong) < G:
        yield Finding(
            f"gateblock:{wrong}",
            f"`{what}` is right except in the gate block"
            f"{'s' if len(wrong) > 1 else ''} {', '.join(wrong)} (rows of "
            f"{'those gates' if len(wrong) > 1 else 'that gate'}): look at "
            f"{'their' if len(wrong) > 1 else 'its'} derivative.",
            named=False,
        )


# ------------------------------------------------------------------ input transforms


UPSTREAM = "upstream gradient"


def _input_variants(ctx):
    """(key, message, changed args) for the reference rerun on changed inputs."""
    args = ctx.args
    floats = {k: v for k, v in args.items() if isinstance(v, np.ndarray) and v.dtype.kind == "f"}
    for k, v in floats.items():
        if np.any(v != 0):
            if k.startswith("d"):
                msg = (
                    f"your answer is what it would be with the {UPSTREAM} `{k}` set to "
                    f"zero: `{k}` is not used (add its contribution)."
                )
            elif k.startswith("b"):
                msg = f"your answer is what it would be without the bias `{k}`: add `{k}`."
            else:
                msg = (
                    f"your answer is what it would be with `{k}` = 0: `{k}` is left out "
                    "(is it passed on and used?)."
                )
            yield f"zero:{k}", msg, dict(args, **{k: np.zeros_like(v)})
    for k, v in floats.items():
        if k.startswith("d") and v.ndim == 3 and v.shape[0] > 1:
            last = np.zeros_like(v)
            last[-1] = v[-1]
            yield (
                f"lastonly:{k}",
                f"only the last step of the {UPSTREAM} `{k}` is used: add "
                f"`{k}[t]` at every step t (each h[t] feeds the loss directly too).",
                dict(args, **{k: last}),
            )
    for k, v in args.items():
        if isinstance(v, float) and v not in (0.0, 1.0) and k != "eps":
            yield (
                f"one:{k}",
                f"your answer is what it would be with `{k}` = 1: `{k}` is not "
                "applied (or not passed on).",
                dict(args, **{k: 1.0}),
            )
    for (a, va), (b, vb) in itertools.combinations(floats.items(), 2):
        if va.shape == vb.shape and not np.array_equal(va, vb):
            yield f"swap:{a}:{b}", f"`{a}` and `{b}` are swapped.", dict(args, **{a: vb, b: va})
    for (a, va), (b, vb) in itertools.permutations(floats.items(), 2):
        if va.shape == vb.shape and not np.array_equal(va, vb):
            yield (
                f"for:{a}:{b}",
                f"`{b}` is used where `{a}` belongs: your answer is what it would be "
                f"with `{a}` replaced by `{b}`.",
                dict(args, **{a: vb}),
            )
    for k, v in floats.items():
        if v.ndim == 2 and v.shape[0] == v.shape[1] and not np.allclose(v, v.T):
            yield (
                f"T:{k}",
                f"`{k}` is used transposed: {k} is stored in PyTorch's (out, in) "
                f"layout, so multiply by `{k}.T` (or use `{k}` where you used `{k}.T`).",
                dict(args, **{k: v.T.copy()}),
            )
    for k, v in args.items():  # weights passed in a dict (params["W_hh"])
        if not isinstance(v, dict):
            continue
        for name, w in v.items():
            square = isinstance(w, np.ndarray) and w.ndim == 2 and w.shape[0] == w.shape[1]
            if square and w.dtype.kind == "f" and not np.allclose(w, w.T):
                yield (
                    f"T:{name}",
                    f"`{name}` is used transposed: {name} is stored in PyTorch's (out, in) "
                    f"layout, so multiply by `{name}.T` (or use `{name}` where you used "
                    f"`{name}.T`).",
                    dict(args, **{k: dict(v, **{name: w.T.copy()})}),
                )
    x = floats.get("x")
    if x is not None and x.ndim == 3 and x.shape[0] > 1:
        yield (
            "xrev",
            "your answer is the expected one for the sequence read backwards "
            "(reversed in time): step t must read x[t], from t = 0 up.",
            dict(args, x=x[::-1].copy()),
        )
    if ctx.gates:
        G = len(ctx.gates)
        gated = {
            k: v
            for k, v in floats.items()
            if k[:1] in "Wb" and v.shape[0] % G == 0 and v.shape[0] > G
        }
        b = floats.get("b_ih")
        if b is not None and b.ndim == 1 and b.size % G == 0 and b.size > G:
            H = b.size // G
            for j, letter in enumerate(ctx.gates):
                big = b.copy()
                big[j * H : (j + 1) * H] += 1e3  # the gate's activation is exactly 1
                yield (
                    f"gate1:{letter}",
                    f"your answer is what it would be with the {GATE_WORDS.get(letter, letter)} "
                    f"fixed at 1: {letter} is left out of the update (multiply by {letter} "
                    "where the equations use it).",
                    dict(args, b_ih=big),
                )
        if gated:
            H = next(iter(gated.values())).shape[0] // G
            for perm in itertools.permutations(range(G)):
                if perm == tuple(range(G)):
                    continue
                changed = {
                    k: np.concatenate([v[j * H : (j + 1) * H] for j in perm])
                    for k, v in gated.items()
                }
                inverse = [perm.index(j) for j in range(G)]
                order = ", ".join(ctx.gates[j] for j in inverse)
                yield (
                    f"gates:{order}",
                    f"the gate blocks are read in the order {order}; "
                    f"PyTorch's order is {', '.join(ctx.gates)} (rows [0:H] of W_ih, W_hh, "
                    f"b_ih, b_hh are {ctx.gates[0]}, [H:2H] {ctx.gates[1]}, ...).",
                    dict(args, **changed),
                )


def input_findings(got, want, ctx):
    """Findings from rerunning the reference on changed inputs: every compared output
    of the learner must match the changed reference's, which differs from the expected."""
    if ctx.rerun is None or ctx.got_all is None:
        return
    idx = list(ctx.compare) or range(len(ctx.got_all))
    for key, msg, changed in _input_variants(ctx):
        try:
            with np.errstate(all="ignore"):
                alt = list(ctx.rerun(changed))
        except Exception:  # noqa: BLE001 - the reference cannot run on this change
            continue
        if key == "xrev":  # the sequence read backwards: compare reversed back in time
            if any(np.ndim(alt[i]) != 3 for i in idx):
                continue
            alt = [np.asarray(a)[::-1] if i in idx else a for i, a in enumerate(alt)]
        same = all(equal(ctx.got_all[i], alt[i]) for i in idx)
        if same and not all(equal(alt[i], ctx.want_all[i]) for i in idx):
            yield Finding(key, msg)


# ------------------------------------------------------------------ where and how large


def locate(got, want, ctx):
    """The first differing entry, by time step / batch row / gate block / parameter."""
    g = np.asarray(got, dtype=float)
    w = np.asarray(want, dtype=float)
    if is_integer(want):
        bad = g != w
    else:
        bad = ~np.isclose(g, w, rtol=RTOL, atol=ATOL, equal_nan=True)
    n_bad, n = int(bad.sum()), bad.size
    if not n_bad:
        return Finding("locate", f"`{ctx.what}` is wrong.", named=False)
    idx = tuple(int(i) for i in np.argwhere(bad)[0]) if bad.ndim else ()
    gv, wv = (g[idx], w[idx]) if idx else (float(g), float(w))
    a, b = fmt(gv, wv)
    where = _where(idx, w, ctx)
    size = "" if is_integer(want) else f", a difference of {abs(gv - wv):.3g}"
    worst = ""
    if n_bad > 1 and not is_integer(want):
        err = np.where(bad, np.abs(g - w), 0)
        worst = f"; the largest difference is {np.nanmax(err):.3g}"
    count = f"{n_bad} of {n} entries differ" if n > 1 else "the value differs"
    return Finding(
        "locate",
        f"`{ctx.what}` differs first {where}: got {a}, expected {b}{size} ({count}{worst}).",
        named=False,
    )


def _where(idx, w, ctx):
    if not idx:
        return "(a single value)"
    axes = _axes(ctx, w)
    parts = []
    blocks = _gate_blocks(ctx, w)
    if blocks:
        letters, H = blocks
        parts.append(f"in gate block {letters[idx[0] // H]} (row {idx[0]})")
        parts += [f"column {i}" for i in idx[1:2]]
        return "of parameter `" + ctx.what + "` " + ", ".join(parts) + f" (index {idx})"
    for label, i in zip(axes, idx, strict=False):
        parts.append(f"{label} {i}")
    return f"at index {idx}" + (f" ({', '.join(parts)})" if axes[0] != "entry" else "")


# ------------------------------------------------------------------ entry point


def _nonfinite(got, want, ctx):
    g = np.asarray(got, dtype=float)
    w = np.asarray(want, dtype=float)
    bad = ~np.isfinite(g) & np.isfinite(w)
    if not bad.any():
        return None
    idx = tuple(int(i) for i in np.argwhere(bad)[0])
    kind = "NaN" if np.isnan(g[idx]) else "inf" if g[idx] > 0 else "-inf"
    hint = ""
    big = [
        v
        for v in ctx.args.values()
        if isinstance(v, np.ndarray)
        and v.dtype.kind == "f"
        and v.size
        and np.nanmax(np.abs(v)) > 50
    ]
    if big:
        hint = (
            " The inputs hold large numbers: exp of a large number overflows, and log of a "
            "probability that underflowed to 0 is -inf; subtract the maximum and work in "
            "log space (log-softmax = z - max z - log Σ exp(z - max z))."
        )
    return Finding(
        f"nonfinite:{kind}",
        f"`{ctx.what}` is {kind} at index {idx} where a finite value is expected.{hint}",
    )


def _mask(got, want, ctx):
    """For outputs with -inf entries by contract (a top-k filter): compare the kept masks."""
    g = np.asarray(got, dtype=float)
    w = np.asarray(want, dtype=float)
    if not np.isneginf(w).any() or g.shape != w.shape:
        return None
    kg, kw = np.isfinite(g), np.isfinite(w)
    if np.array_equal(kg, kw):
        return None
    rows_g, rows_w = kg.reshape(-1, w.shape[-1]).sum(1), kw.reshape(-1, w.shape[-1]).sum(1)
    r = int(np.argmax((kg != kw).reshape(-1, w.shape[-1]).any(1)))
    if (np.isfinite(g) | np.isneginf(g)).all() and not np.isneginf(g).any():
        return Finding(
            "mask:none",
            f"`{ctx.what}` has no -inf entries: the dropped entries must "
            "be -inf (their probability after the softmax is then exactly 0).",
        )
    if rows_g[r] != rows_w[r]:
        return Finding(
            f"mask:count{np.sign(rows_g[r] - rows_w[r])}",
            f"`{ctx.what}` keeps {rows_g[r]} entries in row {r}, expected {rows_w[r]} "
            "(the entries >= the row's k-th largest value, ties included).",
        )
    return Finding(
        "mask:which",
        f"`{ctx.what}` keeps other entries than expected in row {r}: "
        "keep the entries >= that row's k-th largest value.",
    )


def candidates(got, want, ctx):
    """Every named Finding for a wrong ``got`` (same shape as ``want``), likeliest first."""
    try:
        for finder in (_mask, _nonfinite):
            f = finder(got, want, ctx)
            if f:
                yield f
        yield from (f for f in output_findings(got, want, ctx) if f.named)
        yield from _merge_swaps(list(input_findings(got, want, ctx)))
        yield from (f for f in output_findings(got, want, ctx) if not f.named)
    except (TypeError, ValueError, FloatingPointError):
        return


def _merge_swaps(findings):
    """Two swaps that give the same answer are one finding naming both."""
    swaps = [f for f in findings if f.key.startswith("swap:")]
    if len(swaps) > 1:
        pairs = [f.message.removesuffix(" are swapped.") for f in swaps]
        both = Finding(
            swaps[0].key,
            f"{pairs[0]} are swapped (or, the same thing here, {' or '.join(pairs[1:])}).",
        )
        findings = [both if f is swaps[0] else f for f in findings if f not in swaps[1:]]
    return findings


def explain(got, want, ctx):
    """The likeliest Finding for a wrong ``got``: a named cause, else where it differs."""
    for f in candidates(got, want, ctx):
        return f
    return locate(got, want, ctx)
