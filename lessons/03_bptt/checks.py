"""Checks of lesson 03: backward passes on the learner's own caches, numeric gradients,
the softmax cross-entropy, truncated BPTT.

Every backward check runs the learner's own forward (written beside it) on the probe,
reports a wrong forward first, and passes its cache to the learner's backward. One probe
puts the upstream gradient on the last step only, so a backward pass that forgets the
part of dh_t coming from h_{t+1} leaves the earlier steps without gradient.
"""

import numpy as np

from rnn_grade.lessons.l02_srn.checks import srn_args
from rnn_grade.probes import expect_backward, expect_outputs, randn, rng
from rnn_grade.registry import Exercise

SRN_GRADS = ("dx", "dh_prev", "dW_ih", "dW_hh", "db_ih", "db_hh")
HARNESS = "rnn_grade.lessons.l03_bptt.harness:"

step_ex = Exercise(
    "srn_step_backward", "03", "rnn_course.numpy_rnn:srn_step_backward", returns=SRN_GRADS,
    forward="srn_step_forward", companions=("srn_step_forward",),
)  # fmt: skip
seq_ex = Exercise(
    "srn_backward", "03", "rnn_course.numpy_rnn:srn_backward",
    returns=("dx", "dh0", *SRN_GRADS[2:]), forward="srn_forward", companions=("srn_forward",),
)  # fmt: skip
num_ex = Exercise(
    "numeric_gradient", "03", "rnn_course.gradcheck:numeric_gradient", returns=("grad", "x")
)
ce_ex = Exercise(
    "softmax_cross_entropy", "03", "rnn_course.layers:softmax_cross_entropy",
    returns=("loss", "dlogits"),
)  # fmt: skip
affine_ex = Exercise(
    "temporal_affine_backward", "03", "rnn_course.layers:temporal_affine_backward",
    returns=("dh", "dW_hy", "db_hy"), forward="temporal_affine_forward",
    companions=("temporal_affine_forward",),
)  # fmt: skip
chunk_ex = Exercise(
    "tbptt_chunks", "03", "rnn_course.batching:tbptt_chunks",
    returns=("number of chunks", "chunk lengths", "x", "y"),
)  # fmt: skip
carry_ex = Exercise(
    "srn_forward_chunked", "03", "rnn_grade.lessons.l03_bptt.solutions:srn_forward_chunked",
    returns=("h", "caches"), builds_on=("srn_forward",),
)  # fmt: skip

adagrad_ex = Exercise(
    "adagrad_step", "03", "rnn_grade.lessons.l03_bptt.solutions:adagrad_step",
    returns=("param", "memory"),
)  # fmt: skip

# ------------------------------------------------------------------ SRN backward


@step_ex.check
def step_tanh(fn):
    """gradients of one tanh step (D = H = 5)"""
    expect_backward(step_ex, fn, srn_args("btanh"), {"dh_next": randn("btanh-dh", 3, 5)})


@step_ex.check
def step_shapes(fn):
    """B = 3, D = 4, H = 5: the gradients have the shapes of x, h_prev and the weights"""
    expect_backward(step_ex, fn, srn_args("bshape", D=4), {"dh_next": randn("bshape-dh", 3, 5)})


@step_ex.check
def step_relu(fn):
    """gradients of one ReLU step"""
    args = srn_args("brelu", act="relu")
    expect_backward(step_ex, fn, args, {"dh_next": randn("brelu-dh", 3, 5)})


def _seq(name, T=4, D=5, act=None, last_only=False):
    dh = randn(name + "dh", T, 3, 5)
    if last_only:
        dh[:-1] = 0.0
    return srn_args(name, T=T, D=D, act=act), {"dh": dh}


@seq_ex.check
def seq_last_step_only(fn):
    """loss on the last step only: earlier steps still get gradient through h_{t+1}"""
    expect_backward(seq_ex, fn, *_seq("slast", last_only=True))


@seq_ex.check
def seq_every_step(fn):
    """loss on every step (T = 4, D = H = 5, tanh)"""
    expect_backward(seq_ex, fn, *_seq("severy"))


@seq_ex.check
def seq_relu(fn):
    """ReLU layer, T = 3, D = 4"""
    expect_backward(seq_ex, fn, *_seq("srelu", T=3, D=4, act="relu"))


# ------------------------------------------------------------------ numeric gradient


NOT_EXACT = (
    "x is not restored exactly: save old = x[ix] before the nudges and set x[ix] = old "
    "after them (stepping back by h leaves round-off)."
)


def _restored(out, x):
    if not np.array_equal(out["x"], x):
        raise AssertionError(NOT_EXACT)


@num_ex.check
def num_cube(fn):
    """gradient of sum(x³) is 3x² (centred differences, error O(h²)); x is restored"""
    x = randn("numcube", 3, 4)
    _restored(
        expect_outputs(
            num_ex, fn, {"case": "cube", "x": x}, harness=HARNESS + "numeric_gradient_case"
        ),
        x,
    )


@num_ex.check
def num_upstream(fn):
    """uses the upstream gradient df: gradient of sum(f(x) * df)"""
    args = {
        "case": "linear",
        "x": randn("numx", 4),
        "A": randn("numA", 3, 4),
        "df": randn("numdf", 3),
    }
    expect_outputs(num_ex, fn, args, harness=HARNESS + "numeric_gradient_case")


@num_ex.check
def num_closure(fn):
    """f may read x through a closure: nudge x itself, not a copy"""
    x = randn("numclosure", 2, 3)
    _restored(
        expect_outputs(
            num_ex, fn, {"case": "closure", "x": x}, harness=HARNESS + "numeric_gradient_case"
        ),
        x,
    )


# ------------------------------------------------------------------ loss and output layer


def _ce_args(name, T=3, B=2, V=5, shift=0.0):
    logits = randn(name + "z", T, B, V, scale=2.0) + shift
    return {"logits": logits, "targets": rng(name + "y").integers(0, V, size=(T, B))}


def _nonnegative(loss, dlogits):
    if loss < 0:
        return "a cross-entropy is never negative: it is -log p with p = softmax(z)[y] <= 1."
    return None


@ce_ex.check
def ce_values(fn):
    """T = 3, B = 2, V = 5: the mean over the T·B tokens and its gradient"""
    expect_outputs(ce_ex, fn, _ce_args("ce"), diagnose=_nonnegative)


@ce_ex.check
def ce_repeated_targets(fn):
    """T = 2, B = 4, V = 3: several tokens share a target"""
    expect_outputs(ce_ex, fn, _ce_args("cerep", T=2, B=4, V=3))


@ce_ex.check
def ce_stable(fn):
    """large scores (around 1000) do not overflow"""
    expect_outputs(ce_ex, fn, _ce_args("cebig", shift=1000.0))


def _affine(name, T=2, B=3, H=4, V=4):
    forward = {"h": randn(name + "h", T, B, H), "W_hy": randn(name + "W", V, H),
               "b_hy": randn(name + "b", V)}  # fmt: skip
    return forward, {"dlogits": randn(name + "dz", T, B, V)}


@affine_ex.check
def affine_square(fn):
    """T = 2, B = 3, V = H = 4"""
    expect_backward(affine_ex, fn, *_affine("aff"))


@affine_ex.check
def affine_shapes(fn):
    """T = 3, B = 2, H = 4, V = 6: gradients with the shapes of h, W_hy and b_hy"""
    expect_backward(affine_ex, fn, *_affine("affshape", T=3, B=2, V=6))


# ------------------------------------------------------------------ truncated BPTT


def _chunk_lengths(n, lengths, x, y):
    if np.any(lengths[:, 0] != lengths[:, 1]):
        return "x and y of a chunk must have the same length: y is x shifted one step ahead."
    return None


def _chunks(fn, N, B, seq_len):
    stream = np.arange(N * B).reshape(N, B)
    args = {"stream": stream, "seq_len": seq_len}
    expect_outputs(chunk_ex, fn, args, harness=HARNESS + "chunks_case", diagnose=_chunk_lengths)


@chunk_ex.check
def chunks_uneven(fn):
    """N = 11 rows, seq_len = 4: chunks of 4, 4 and 2 steps, targets one step ahead"""
    _chunks(fn, 11, 2, 4)


@chunk_ex.check
def chunks_exact(fn):
    """N = 9 rows, seq_len = 4: two chunks of 4, no empty chunk"""
    _chunks(fn, 9, 3, 4)


@chunk_ex.check
def chunks_one_step(fn):
    """seq_len = 1: every step its own chunk"""
    _chunks(fn, 5, 1, 1)


@carry_ex.check
def carry_equals_full(fn):
    """T = 7, seq_len = 3: carrying the state, chunked h equals one pass over all of x"""
    args = dict(srn_args("carry", T=7, D=4), seq_len=3)
    args.pop("nonlinearity", None)
    out = expect_outputs(carry_ex, fn, args, compare=["h"])
    caches = out["caches"]
    if isinstance(caches, (list, tuple)) and len(caches) != 3:
        raise AssertionError(f"caches should hold one cache per chunk (3 here), got {len(caches)}.")


@carry_ex.check
def carry_even(fn):
    """T = 4, seq_len = 2: two chunks, the second starts from the first one's last state"""
    args = dict(srn_args("carryeven", T=4, D=4), seq_len=2)
    expect_outputs(carry_ex, fn, args, compare=["h"])


# ------------------------------------------------------------------ Adagrad


def _adagrad(name, memory=True):
    m = np.abs(randn(name + "m", 3, 4)) if memory else np.zeros((3, 4))
    return {"param": randn(name + "p", 3, 4), "grad": randn(name + "g", 3, 4), "memory": m,
            "lr": 0.1}  # fmt: skip


@adagrad_ex.check
def adagrad_first_step(fn):
    """the first step (memory = 0): every entry moves by about lr"""
    expect_outputs(adagrad_ex, fn, _adagrad("adafirst", memory=False))


@adagrad_ex.check
def adagrad_later_step(fn):
    """a later step: the memory holds earlier squared gradients"""
    expect_outputs(adagrad_ex, fn, _adagrad("adalater"))
