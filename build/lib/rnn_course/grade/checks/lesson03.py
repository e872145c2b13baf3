"""Checks of lesson 03: SRN backward (one step, through time), numeric gradients, truncated BPTT.

The backward exercises receive the cache of the library's forward pass (a dict,
see the lesson). Typical mistakes are named by recomputing the gradients the way
the mistake would and comparing; one probe puts the upstream gradient on the last
step only, so a backward pass that forgets the part of dh_t coming from h_{t+1}
gives zero gradients for the earlier steps.
"""

import numpy as np

from rnn_course.numpy_rnn import srn_backward, srn_forward, srn_step_forward

from ..probes import call, expect_array, expect_close, randn, unpack
from ..registry import Exercise

step_ex = Exercise("srn_step_backward", "03", "rnn_course.numpy_rnn:srn_step_backward")
seq_ex = Exercise("srn_backward", "03", "rnn_course.numpy_rnn:srn_backward")
num_ex = Exercise("numeric_gradient", "03", "rnn_course.gradcheck:numeric_gradient")
chunk_ex = Exercise("tbptt_chunks", "03", "rnn_course.batching:tbptt_chunks")
carry_ex = Exercise("srn_forward_chunked", "03", "rnn_course.grade.reference:srn_forward_chunked")

NAMES = ["dx", "dh0", "dW_ih", "dW_hh", "db_ih", "db_hh"]


def seq_params(name, T=4, B=3, D=5, H=5):
    return {
        "x": randn(name + "x", T, B, D),
        "h0": randn(name + "h0", B, H),
        "W_ih": randn(name + "Wih", H, D, scale=0.5),
        "W_hh": randn(name + "Whh", H, H, scale=0.5),
        "b_ih": randn(name + "bih", H, scale=0.5),
        "b_hh": randn(name + "bhh", H, scale=0.5),
    }


def bptt(p, h, dh, act="tanh", carry=True, deriv=True, acc="sum", pair="prev", wt=False):
    """BPTT written step by step, with switches that reproduce typical mistakes."""
    x, h0, Wi, Wh = p["x"], p["h0"], p["W_ih"], p["W_hh"]
    T = x.shape[0]
    hp = np.concatenate([h0[None], h[:-1]])  # (T, B, H) state each step started from
    dWi, dWh, db = np.zeros_like(Wi), np.zeros_like(Wh), np.zeros(Wi.shape[0])
    dx, dnext = np.zeros_like(x), np.zeros_like(h0)
    for t in reversed(range(T)):
        g = dh[t] + (dnext if carry else 0)
        if deriv:
            g = g * ((1 - h[t] ** 2) if act == "tanh" else (h[t] > 0))
        dx[t] = g @ (Wi.T if wt else Wi)
        partner = hp[t] if pair == "prev" else h[t]
        contrib = (g.T @ x[t], g.T @ partner, g.sum(0))
        if acc == "sum" or (acc == "last_step" and t == T - 1) or (acc == "first_step" and t == 0):
            if acc == "sum":
                dWi, dWh, db = dWi + contrib[0], dWh + contrib[1], db + contrib[2]
            else:
                dWi, dWh, db = contrib
        dnext = g @ (Wh.T if wt else Wh)
    if acc == "overwrite":  # `dW = ...` inside a backward loop keeps the t = 0 term
        return bptt(p, h, dh, act, carry, deriv, "first_step", pair, wt)
    return {"dx": dx, "dh0": dnext, "dW_ih": dWi, "dW_hh": dWh, "db_ih": db, "db_hh": db}


def variants(p, h, dh, act="tanh"):
    other = "relu" if act == "tanh" else "tanh"
    square = p["x"].shape[2] == p["h0"].shape[1]  # a transposed W_ih only runs when D = H
    return [
        (
            "dh_t is missing the part from h_{t+1}: the gradient on h_t is dh[t] plus what flows "
            "back from step t + 1 (dh_next = da_{t+1} @ W_hh).",
            bptt(p, h, dh, act, carry=False),
        ),
        (
            "missing nonlinearity derivative: multiply by f'(a) = 1 - h² (tanh) before the "
            "products.",
            bptt(p, h, dh, act, deriv=False),
        ),
        (
            "gradient of a shared weight not summed over time: add every step's contribution "
            "(dW += ...), do not overwrite it.",
            bptt(p, h, dh, act, acc="overwrite"),
        ),
        (
            "gradient of a shared weight not summed over time: only the last step's term is there.",
            bptt(p, h, dh, act, acc="last_step"),
        ),
        (
            "dW_hh pairs δ_t with h_t; it must be h_{t-1}, the state that was multiplied by W_hh.",
            bptt(p, h, dh, act, pair="next"),
        ),
        (
            "transposed weight: with W of shape (H, K) (torch layout) the input gradient is "
            "da @ W, "
            "not da @ W.T.",
            bptt(p, h, dh, act, wt=True) if square else None,
        ),
        (
            f"wrong nonlinearity derivative: the cache says {act!r}, you used {other!r}'s.",
            bptt(p, h, dh, other),
        ),
    ]


def expect_grads(got, want, names, variant_list):
    got = unpack(got, names)
    for name, g, w in zip(names, got, want, strict=False):
        if isinstance(g, np.ndarray) and name.startswith("db") and g.shape == (3,) + w.shape:
            raise AssertionError(
                f"`{name}` has shape {g.shape}: sum it over the batch axis (shape (H,))."
            )
        if (
            isinstance(g, np.ndarray)
            and name.startswith("dW")
            and g.shape == w.shape[::-1] != w.shape
        ):
            raise AssertionError(
                f"`{name}` has shape {g.shape}, expected {w.shape}: transposed weight "
                f"gradient (torch layout: da.T @ input)."
            )
        key = "dh0" if name == "dh_prev" else name
        variants = [(m, _pick(v, key, w)) for m, v in variant_list if v is not None]
        if name.startswith("dW"):
            variants.append(
                (
                    f"transposed weight gradient: `{name}` has the torch layout of the "
                    "weight, da.T @ input, not input.T @ da.",
                    w.T,
                )
            )
        expect_close(g, w, name, variants)


def _pick(grads, key, want):
    """The variant's gradient ``key``; for one step, dx (1, B, D) loses its time axis."""
    v = grads[key]
    return v[0] if key == "dx" and v.ndim == 3 and want.ndim == 2 else v


STEP_NAMES = ["dx", "dh_prev", "dW_ih", "dW_hh", "db_ih", "db_hh"]


def _step_case(name, act="tanh", D=5):
    p = seq_params(name, T=1, D=D)
    h, cache = srn_step_forward(p["x"][0], p["h0"], p["W_ih"], p["W_hh"], p["b_ih"], p["b_hh"], act)
    dh = randn(name + "dh", 3, 5)
    want = srn_backward(dh[None], cache)
    want = (want[0][0],) + tuple(want[1:])
    return p, cache, dh, want, variants(p, h[None], dh[None], act)


@step_ex.check
def step_shapes(fn):
    """returns 6 gradients with the shapes of x, h_prev and the weights"""
    p, cache, dh, want, _ = _step_case("bshape", D=4)
    got = unpack(call(fn, {"dh_next": dh, "cache": cache}), STEP_NAMES)
    for name, g, w in zip(STEP_NAMES, got, want, strict=False):
        if name.startswith("db") and isinstance(g, np.ndarray) and g.shape == (3, 5):
            raise AssertionError(
                f"`{name}` has shape (B, H): sum it over the batch axis (shape (H,))."
            )
        expect_array(g, w.shape, name)


@step_ex.check
def step_tanh(fn):
    """gradients of one tanh step"""
    _, cache, dh, want, var = _step_case("btanh")
    expect_grads(call(fn, {"dh_next": dh, "cache": cache}), want, STEP_NAMES, var)


@step_ex.check
def step_relu(fn):
    """gradients of one ReLU step (cache["nonlinearity"] == "relu")"""
    _, cache, dh, want, var = _step_case("brelu", act="relu")
    expect_grads(call(fn, {"dh_next": dh, "cache": cache}), want, STEP_NAMES, var)


def _seq_case(name, T=4, act="tanh", last_only=False, D=5):
    p = seq_params(name, T=T, D=D)
    h, cache = srn_forward(p["x"], p["h0"], p["W_ih"], p["W_hh"], p["b_ih"], p["b_hh"], act)
    dh = randn(name + "dh", T, 3, 5)
    if last_only:
        dh[:-1] = 0.0
    return cache, dh, srn_backward(dh, cache), variants(p, h, dh, act)


@seq_ex.check
def seq_shapes(fn):
    """returns (dx, dh0, dW_ih, dW_hh, db_ih, db_hh) with the right shapes"""
    cache, dh, want, _ = _seq_case("sshape", D=4)
    got = unpack(call(fn, {"dh": dh, "cache": cache}), NAMES)
    for name, g, w in zip(NAMES, got, want, strict=False):
        expect_array(g, w.shape, name)


@seq_ex.check
def seq_last_step_only(fn):
    """loss on the last step only: earlier steps still get gradient through h_{t+1}"""
    cache, dh, want, var = _seq_case("slast", last_only=True)
    expect_grads(call(fn, {"dh": dh, "cache": cache}), want, NAMES, var)


@seq_ex.check
def seq_every_step(fn):
    """loss on every step (T = 4, tanh)"""
    cache, dh, want, var = _seq_case("severy")
    expect_grads(call(fn, {"dh": dh, "cache": cache}), want, NAMES, var)


@seq_ex.check
def seq_relu(fn):
    """ReLU layer (T = 3)"""
    cache, dh, want, var = _seq_case("srelu", T=3, act="relu")
    expect_grads(call(fn, {"dh": dh, "cache": cache}), want, NAMES, var)


# ------------------------------------------------------------ numeric gradient


def _cube(x):
    return x**3


def _one_sided(f, x, df=None, h=1e-5):
    g = np.zeros_like(x)
    base = np.array(f(x), dtype=float)
    for ix in np.ndindex(*x.shape):
        old = x[ix]
        x[ix] = old + h
        d = np.array(f(x), dtype=float) - base
        x[ix] = old
        g[ix] = (d if df is None else d * df).sum() / h
    return g


@num_ex.check
def num_cube(fn):
    """gradient of sum(x³) is 3x² (centred differences, error O(h²))"""
    x = randn("numcube", 3, 4)
    got = call(fn, {"f": _cube, "x": x})
    expect_close(
        got,
        3 * x**2,
        "grad",
        [
            ("divide by 2h: the centred difference spans x - h to x + h.", 6 * x**2),
            (
                "one-sided difference (f(x + h) - f(x)) / h: use the centred difference "
                "(f(x + h) - f(x - h)) / 2h, its error is O(h²), not O(h).",
                _one_sided(_cube, x.copy()),
            ),
        ],
    )


@num_ex.check
def num_upstream(fn):
    """uses the upstream gradient df: gradient of sum(f(x) * df)"""
    A, x, df = randn("numA", 3, 4), randn("numx", 4), randn("numdf", 3)
    f = lambda v: A @ v
    got = call(fn, {"f": f, "x": x, "df": df})
    expect_close(
        got,
        A.T @ df,
        "grad",
        [
            (
                "df ignored: the gradient is that of sum(f(x) * df), multiply the "
                "differences by df.",
                A.T @ np.ones(3),
            ),
        ],
    )


@num_ex.check
def num_restores_x(fn):
    """x is restored exactly after every nudge"""
    x = randn("numrestore", 5)
    before = x.copy()
    fn(_cube, x)  # deliberately not `call`: give the targeted message below
    if not np.array_equal(x, before):
        raise AssertionError(
            "in-place mutation of an input: x is not restored after the nudges; "
            "save old = x[ix] and set x[ix] = old when done."
        )


@num_ex.check
def num_closure(fn):
    """f may read x through a closure: nudge x itself, not a copy"""
    x = randn("numclosure", 2, 3)
    f = lambda _ignored: np.sum(np.sin(x))
    got = fn(f, x)
    if isinstance(got, np.ndarray) and got.shape == x.shape and np.allclose(got, 0):
        raise AssertionError(
            "gradient is zero when f reads x through a closure: change x in place "
            "(x[ix] = old + h), not a copy of it."
        )
    expect_close(got, np.cos(x), "grad")


# ------------------------------------------------------------ truncated BPTT


def _chunks(fn, stream, seq_len):
    out = call(fn, {"stream": stream, "seq_len": seq_len})
    try:
        return [tuple(c) for c in out]
    except TypeError:
        raise AssertionError(
            f"should return an iterator of (x, y) pairs, got {type(out).__name__}."
        ) from None


@chunk_ex.check
def chunks_first(fn):
    """first chunk: x = stream[0:T], y = stream[1:T + 1] (targets one step ahead)"""
    stream = np.arange(22).reshape(11, 2)
    chunks = _chunks(fn, stream, 4)
    if not chunks:
        raise AssertionError("no chunks were produced.")
    x, y = unpack(chunks[0], ["x", "y"])
    expect_close(x, stream[0:4], "x of the first chunk")
    if isinstance(y, np.ndarray) and np.array_equal(y, x):
        raise AssertionError(
            "targets must be the next tokens: y = stream[s + 1:s + 1 + T], x shifted one step."
        )
    expect_close(y, stream[1:5], "y of the first chunk")


@chunk_ex.check
def chunks_all(fn):
    """chunks follow each other without overlap; the last one may be shorter"""
    stream = np.arange(22).reshape(11, 2)  # N = 11: 10 input steps -> chunks of 4, 4, 2
    chunks = _chunks(fn, stream, 4)
    if len(chunks) == 2:
        raise AssertionError(
            "the last, shorter chunk is dropped: keep it (10 input steps with "
            "seq_len 4 give chunks of 4, 4 and 2 steps)."
        )
    if len(chunks) > 3:
        raise AssertionError(
            f"{len(chunks)} chunks instead of 3: chunks must not overlap "
            "(start at 0, seq_len, 2 seq_len, ...)."
        )
    if len(chunks) != 3:
        raise AssertionError(f"{len(chunks)} chunks instead of 3 (N = 11 rows, seq_len = 4).")
    for k, (s, t) in enumerate([(0, 4), (4, 8), (8, 10)]):
        x, y = unpack(chunks[k], ["x", "y"])
        expect_close(x, stream[s:t], f"x of chunk {k}")
        expect_close(y, stream[s + 1 : t + 1], f"y of chunk {k}")


@chunk_ex.check
def chunks_exact(fn):
    """when N - 1 is a multiple of seq_len no empty chunk is produced"""
    stream = np.arange(27).reshape(9, 3)  # 8 input steps -> 2 chunks of 4
    chunks = _chunks(fn, stream, 4)
    if len(chunks) != 2:
        raise AssertionError(
            f"{len(chunks)} chunks instead of 2 for N = 9 rows and seq_len = 4 "
            "(the targets need one row more than the inputs)."
        )


def _chunked(fn, p, seq_len):
    args = dict(p, seq_len=seq_len)
    return unpack(call(fn, args), ["h", "caches"])


def _carry_variants(p, seq_len, want):
    out_reset, out_zero = [], []
    for s in range(0, p["x"].shape[0], seq_len):
        w = (p["W_ih"], p["W_hh"], p["b_ih"], p["b_hh"])
        out_reset.append(srn_forward(p["x"][s : s + seq_len], p["h0"], *w)[0])
        out_zero.append(srn_forward(p["x"][s : s + seq_len], np.zeros_like(p["h0"]), *w)[0])
    return [
        (
            "state not carried: start each chunk from the last state of the previous chunk "
            "(h = h_chunk[-1]), not from h0.",
            np.concatenate(out_reset),
        ),
        (
            "state not carried: start each chunk from the last state of the previous chunk, "
            "not from zeros.",
            np.concatenate(out_zero),
        ),
    ]


@carry_ex.check
def carry_equals_full(fn):
    """carrying the state, chunked h equals one srn_forward over all of x (T = 7, seq_len = 3)"""
    p = seq_params("carry", T=7, D=4)
    want = srn_forward(**p)[0]
    h, _ = _chunked(fn, p, 3)
    if isinstance(h, np.ndarray) and h.shape == (6, 3, 5):
        raise AssertionError(
            "the last, shorter chunk is dropped: 7 steps with seq_len 3 are 3 + 3 + 1."
        )
    expect_close(h, want, "h", _carry_variants(p, 3, want))


@carry_ex.check
def carry_caches(fn):
    """one srn_forward cache per chunk, each starting from the previous chunk's last state"""
    p = seq_params("carrycache", T=5, D=4)
    want = srn_forward(**p)[0]
    _, caches = _chunked(fn, p, 2)
    if not isinstance(caches, (list, tuple)) or len(caches) != 3:
        raise AssertionError(
            "caches should be a list with one srn_forward cache per chunk (3 here)."
        )
    for k, start in enumerate([p["h0"], want[1], want[3]]):
        if not isinstance(caches[k], dict) or "h0" not in caches[k]:
            raise AssertionError(f"caches[{k}] is not a cache returned by srn_forward.")
        expect_close(
            caches[k]["h0"],
            start,
            f"caches[{k}]['h0'] (the state chunk {k} started from)",
            _carry_variants(p, 2, want)[:0]
            + [
                (
                    "state not carried: chunk k must start from the last state of chunk k - 1.",
                    p["h0"],
                ),
                (
                    "state not carried: chunk k must start from the last state of chunk k - 1, "
                    "not from zeros.",
                    np.zeros_like(p["h0"]),
                ),
            ],
        )
