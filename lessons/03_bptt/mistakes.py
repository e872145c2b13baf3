"""Typical mistakes of lesson 03, each written once with its feedback.

A backward mistake takes the cache of the lesson's forward (solutions.py), imported
here so that the catalogue test pairs each one with that forward.
"""

import numpy as np

from rnn_grade.registry import mistake

from .checks import (
    NOT_EXACT,
    adagrad_ex,
    affine_ex,
    carry_ex,
    ce_ex,
    chunk_ex,
    num_ex,
    seq_ex,
    step_ex,
)
from .solutions import srn_forward, srn_step_forward, temporal_affine_forward  # noqa: F401


def _deriv(h, nonlinearity):
    return 1 - h**2 if nonlinearity == "tanh" else (h > 0)


# ------------------------------------------------------------------ srn_step_backward


def _step_grads(da, x, h_prev, W_ih, W_hh):
    db = da.sum(0)
    return da @ W_ih, da @ W_hh, da.T @ x, da.T @ h_prev, db, db


@mistake(
    step_ex,
    "missing nonlinearity derivative: multiply dh_next by f'(a) "
    "(1 - h_next² for tanh) before the products.",
)
def sb_no_derivative(dh_next, cache):
    x, h_prev, W_ih, W_hh, h_next, nl = cache
    return _step_grads(dh_next, x, h_prev, W_ih, W_hh)


@mistake(
    step_ex,
    "tanh applied twice: your cache holds h_next = tanh(a), already activated; "
    "f'(a) = 1 - h_next², not 1 - tanh(h_next)².",
)
def sb_tanh_of_h(dh_next, cache):
    x, h_prev, W_ih, W_hh, h_next, nl = cache
    deriv = 1 - np.tanh(h_next) ** 2 if nl == "tanh" else (h_next > 0)
    return _step_grads(dh_next * deriv, x, h_prev, W_ih, W_hh)


@mistake(
    step_ex,
    "the `nonlinearity` of the forward is ignored: a ReLU step's derivative is "
    "[h_next > 0], not 1 - h_next².",
)
def sb_always_tanh(dh_next, cache):
    x, h_prev, W_ih, W_hh, h_next, nl = cache
    return _step_grads(dh_next * (1 - h_next**2), x, h_prev, W_ih, W_hh)


@mistake(step_ex, "transposed weight in dx: W_ih is (H, D), so dx = da @ W_ih, not da @ W_ih.T.")
def sb_dx_transposed(dh_next, cache):
    x, h_prev, W_ih, W_hh, h_next, nl = cache
    da = dh_next * _deriv(h_next, nl)
    return (da @ W_ih.T, *_step_grads(da, x, h_prev, W_ih, W_hh)[1:])


@mistake(step_ex, "transposed weight in dh_prev: dh_prev = da @ W_hh, not da @ W_hh.T.")
def sb_dh_transposed(dh_next, cache):
    x, h_prev, W_ih, W_hh, h_next, nl = cache
    da = dh_next * _deriv(h_next, nl)
    dx, _, *rest = _step_grads(da, x, h_prev, W_ih, W_hh)
    return (dx, da @ W_hh.T, *rest)


@mistake(
    step_ex, "transposed weight gradient: dW_ih has W_ih's layout (H, D): da.T @ x, not x.T @ da."
)
def sb_dW_transposed(dh_next, cache):
    x, h_prev, W_ih, W_hh, h_next, nl = cache
    da = dh_next * _deriv(h_next, nl)
    dx, dh, _, dW_hh, db, _ = _step_grads(da, x, h_prev, W_ih, W_hh)
    return dx, dh, x.T @ da, dW_hh, db, db


@mistake(step_ex, "bias gradient not summed over the batch: db has shape (H,), da.sum(axis=0).")
def sb_db_per_example(dh_next, cache):
    x, h_prev, W_ih, W_hh, h_next, nl = cache
    da = dh_next * _deriv(h_next, nl)
    return (*_step_grads(da, x, h_prev, W_ih, W_hh)[:4], da, da)


@mistake(
    step_ex, "dW_hh pairs da with h_next; it must be h_prev, the state that was multiplied by W_hh."
)
def sb_dW_hh_with_h_next(dh_next, cache):
    x, h_prev, W_ih, W_hh, h_next, nl = cache
    return _step_grads(dh_next * _deriv(h_next, nl), x, h_next, W_ih, W_hh)


# ------------------------------------------------------------------ srn_backward


def _bptt(dh, cache, carry=True, deriv=_deriv, prev=None, overwrite=False, alias=False):
    x, h0, W_ih, W_hh, h, nl = cache
    dx, dnext = np.zeros_like(x), np.zeros_like(h0)
    dW_ih, dW_hh, db = np.zeros_like(W_ih), np.zeros_like(W_hh), np.zeros(len(W_hh))
    for t in reversed(range(len(x))):
        da = (dh[t] + (dnext if carry else 0)) * deriv(h[t], nl)
        h_prev = prev(h, h0, t) if prev else (h[t - 1] if t > 0 else h0)
        dx[t] = da @ W_ih
        if overwrite:
            dW_ih, dW_hh, db = da.T @ x[t], da.T @ h_prev, da.sum(0)
        else:
            dW_ih, dW_hh, db = dW_ih + da.T @ x[t], dW_hh + da.T @ h_prev, db + da.sum(0)
        dnext = da @ W_hh
    return dx, dnext, dW_ih, dW_hh, (2 * db if alias else db), (2 * db if alias else db)


@mistake(
    seq_ex,
    "dh_t is missing the part from h_{t+1}: the gradient on h_t is dh[t] plus "
    "what flows back from step t + 1 (da_{t+1} @ W_hh).",
)
def b_no_carry(dh, cache):
    return _bptt(dh, cache, carry=False)


@mistake(
    seq_ex,
    "gradient of a shared weight not summed over time: add every step's "
    "contribution (dW += ...); `dW = ...` keeps only the last one computed (t = 0).",
)
def b_overwrite(dh, cache):
    return _bptt(dh, cache, overwrite=True)


@mistake(
    seq_ex, "dW_hh pairs δ_t with h_t; it must be h_{t-1}, the state that was multiplied by W_hh."
)
def b_pair_with_h_t(dh, cache):
    return _bptt(dh, cache, prev=lambda h, h0, t: h[t])


@mistake(
    seq_ex,
    "h[t - 1] at t = 0 is h[-1], the LAST state (Python wraps around): the first "
    "step started from h0.",
)
def b_wraps_to_last(dh, cache):
    return _bptt(dh, cache, prev=lambda h, h0, t: h[t - 1])


@mistake(
    seq_ex,
    "aliased accumulators: `db_ih = db_hh = np.zeros(H)` makes one array, so "
    "both `+=` land in it twice; create two arrays (or return db and db.copy()).",
)
def b_aliased(dh, cache):
    return _bptt(dh, cache, alias=True)


@mistake(
    seq_ex,
    "missing nonlinearity derivative: multiply by f'(a_t) = 1 - h_t² (tanh) before the products.",
)
def b_no_derivative(dh, cache):
    return _bptt(dh, cache, deriv=lambda h, nl: 1.0)


@mistake(
    seq_ex,
    "tanh applied twice: the cache holds h_t = tanh(a_t), already activated; "
    "f'(a_t) = 1 - h_t², not 1 - tanh(h_t)².",
)
def b_tanh_of_h(dh, cache):
    return _bptt(dh, cache, deriv=lambda h, nl: 1 - np.tanh(h) ** 2 if nl == "tanh" else h > 0)


@mistake(
    seq_ex,
    "dh0 is the gradient that flows out of the first step, da_0 @ W_hh; you returned da_0 itself.",
)
def b_dh0_is_da(dh, cache):
    x, h0, W_ih, W_hh, h, nl = cache
    dx, _, *rest = _bptt(dh, cache)
    dnext = np.zeros_like(h0)
    for t in reversed(range(len(x))):
        da = (dh[t] + dnext) * _deriv(h[t], nl)
        dnext = da @ W_hh
    return (dx, da, *rest)


# ------------------------------------------------------------------ numeric_gradient


def _centred(f, x, df, h, denom=2.0, restore="exact", copy=False):
    grad = np.zeros_like(x)
    for ix in np.ndindex(*x.shape):
        xx = x.copy() if copy else x
        old = xx[ix]
        xx[ix] = old + h
        plus = np.array(f(xx), dtype=float)
        xx[ix] = xx[ix] - 2 * h if restore == "add" else old - h
        minus = np.array(f(xx), dtype=float)
        if restore == "exact":
            xx[ix] = old
        elif restore == "add":
            xx[ix] += h
        d = plus - minus
        grad[ix] = (d if df is None else d * df).sum() / (denom * h)
    return grad


@mistake(
    num_ex,
    "one-sided difference (f(x + h) - f(x)) / h: use the centred difference "
    "(f(x + h) - f(x - h)) / 2h, whose error is O(h²), not O(h).",
)
def num_one_sided(f, x, df=None, h=1e-5):
    grad = np.zeros_like(x)
    for ix in np.ndindex(*x.shape):
        base = np.array(f(x), dtype=float)
        old = x[ix]
        x[ix] = old + h
        d = np.array(f(x), dtype=float) - base
        x[ix] = old
        grad[ix] = (d if df is None else d * df).sum() / h
    return grad


@mistake(num_ex, "divide by 2h: the centred difference spans x - h to x + h.")
def num_by_h(f, x, df=None, h=1e-5):
    return _centred(f, x, df, h, denom=1.0)


@mistake(num_ex, "x is not restored: after the two nudges set x[ix] back to its old value.")
def num_no_restore(f, x, df=None, h=1e-5):
    return _centred(f, x, df, h, restore="none")


@mistake(num_ex, NOT_EXACT)
def num_restore_by_adding(f, x, df=None, h=1e-5):
    return _centred(f, x, df, h, restore="add")


@mistake(
    num_ex,
    "gradient is zero when f reads x through a closure: nudge x itself in place "
    "(x[ix] = old + h), not a copy of it.",
)
def num_nudges_copy(f, x, df=None, h=1e-5):
    return _centred(f, x, df, h, copy=True)


@mistake(
    num_ex, "df ignored: the gradient is that of sum(f(x) * df); multiply the differences by df."
)
def num_no_df(f, x, df=None, h=1e-5):
    return _centred(f, x, None, h)


# ------------------------------------------------------------------ softmax_cross_entropy


def _log_softmax(z, axis=-1):
    z = z - z.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def _ce(logits, targets, loss_by, grad_by):
    log_p = _log_softmax(logits)
    onehot = np.eye(logits.shape[-1])[targets]
    return float(-np.sum(onehot * log_p) / loss_by), (np.exp(log_p) - onehot) / grad_by


@mistake(ce_ex, "the loss is a sum: divide by the number of tokens, T·B, for the mean.")
def ce_sum(logits, targets):
    return _ce(logits, targets, 1, 1)


@mistake(
    ce_ex,
    "divided by T only: the mean is over all T·B tokens, divide by T * B (loss and gradient).",
)
def ce_by_T(logits, targets):
    T, B, _ = logits.shape
    return _ce(logits, targets, T, T)


@mistake(
    ce_ex,
    "divided by B only: the mean is over all T·B tokens, divide by T * B (loss and gradient).",
)
def ce_by_B(logits, targets):
    T, B, _ = logits.shape
    return _ce(logits, targets, B, B)


@mistake(
    ce_ex,
    "the gradient is that of the summed loss: the loss is a mean, so dlogits is "
    "(p - onehot) / (T * B) too.",
)
def ce_grad_not_divided(logits, targets):
    T, B, _ = logits.shape
    return _ce(logits, targets, T * B, 1)


@mistake(ce_ex, "dlogits is p - onehot(targets): subtract 1 at each token's target.")
def ce_grad_is_p(logits, targets):
    T, B, _ = logits.shape
    loss, _ = _ce(logits, targets, T * B, T * B)
    return loss, np.exp(_log_softmax(logits)) / (T * B)


@mistake(ce_ex, "overflow: exp of large scores is inf; subtract each row's maximum first.")
def ce_unstable(logits, targets):
    T, B, V = logits.shape
    p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    onehot = np.eye(V)[targets]
    return float(-np.sum(onehot * np.log(p)) / (T * B)), (p - onehot) / (T * B)


@mistake(ce_ex, "the loss is -log softmax(z)[y], not -z[y]: normalise the scores first.")
def ce_raw_score(logits, targets):
    T, B, V = logits.shape
    onehot = np.eye(V)[targets]
    log_p = _log_softmax(logits)
    return float(-np.sum(onehot * logits) / (T * B)), (np.exp(log_p) - onehot) / (T * B)


@mistake(
    ce_ex,
    "1 subtracted at every target column of every row: subtract it only at each "
    "token's own target, dlogits[t, b, targets[t, b]] (e.g. with np.eye(V)[targets]).",
)
def ce_subtract_all_columns(logits, targets):
    T, B, V = logits.shape
    loss, _ = _ce(logits, targets, T * B, T * B)
    d = np.exp(_log_softmax(logits)).reshape(T * B, V)
    d[:, targets.reshape(-1)] -= 1
    return loss, d.reshape(T, B, V) / (T * B)


# ------------------------------------------------------------------ temporal_affine_backward


@mistake(affine_ex, "transposed weight in dh: W_hy is (V, H), so dh = dlogits @ W_hy.")
def aff_dh_transposed(dlogits, cache):
    h, W_hy = cache
    V, H = W_hy.shape
    dz = dlogits.reshape(-1, V)
    return dlogits @ W_hy.T, dz.T @ h.reshape(-1, H), dz.sum(0)


@mistake(
    affine_ex,
    "transposed weight gradient: dW_hy has W_hy's layout (V, H), dlogitsᵀ h, not hᵀ dlogits.",
)
def aff_dW_transposed(dlogits, cache):
    h, W_hy = cache
    V, H = W_hy.shape
    dz = dlogits.reshape(-1, V)
    return dlogits @ W_hy, h.reshape(-1, H).T @ dz, dz.sum(0)


@mistake(
    affine_ex,
    "db_hy not summed over time: the bias is shared by every step and every "
    "sequence, sum over both axes (shape (V,)).",
)
def aff_db_batch_only(dlogits, cache):
    h, W_hy = cache
    V, H = W_hy.shape
    dz = dlogits.reshape(-1, V)
    return dlogits @ W_hy, dz.T @ h.reshape(-1, H), dlogits.sum(1)


@mistake(
    affine_ex,
    "db_hy not summed over the batch: the bias is shared by every step and "
    "every sequence, sum over both axes (shape (V,)).",
)
def aff_db_time_only(dlogits, cache):
    h, W_hy = cache
    V, H = W_hy.shape
    dz = dlogits.reshape(-1, V)
    return dlogits @ W_hy, dz.T @ h.reshape(-1, H), dlogits.sum(0)


@mistake(
    affine_ex,
    "dW_hy holds the last step only: W_hy is shared by every step, sum the "
    "products over all T steps.",
)
def aff_dW_last_step(dlogits, cache):
    h, W_hy = cache
    V, _ = W_hy.shape
    return dlogits @ W_hy, dlogits[-1].T @ h[-1], dlogits.reshape(-1, V).sum(0)


@mistake(
    affine_ex,
    "the gradients are averaged over T·B: dlogits already carries the mean's "
    "1/(T·B), so sum the products, do not divide again.",
)
def aff_averaged(dlogits, cache):
    h, W_hy = cache
    V, H = W_hy.shape
    dz = dlogits.reshape(-1, V)
    n = len(dz)
    return dlogits @ W_hy, dz.T @ h.reshape(-1, H) / n, dz.sum(0) / n


# ------------------------------------------------------------------ tbptt_chunks


@mistake(
    chunk_ex,
    "targets must be the next tokens: y = stream[s + 1:s + 1 + T], x shifted one step ahead.",
)
def chunks_y_is_x(stream, seq_len):
    for s in range(0, len(stream) - 1, seq_len):
        t = min(seq_len, len(stream) - 1 - s)
        yield stream[s : s + t], stream[s : s + t]


@mistake(
    chunk_ex,
    "the last, shorter chunk is dropped: keep it (10 input steps with seq_len 4 "
    "give chunks of 4, 4 and 2).",
)
def chunks_drop_last(stream, seq_len):
    n = len(stream) - 1
    for s in range(0, n - seq_len + 1, seq_len):
        yield stream[s : s + seq_len], stream[s + 1 : s + 1 + seq_len]


@mistake(chunk_ex, "the chunks overlap: chunk k starts at k * seq_len, where the one before ended.")
def chunks_stride_one(stream, seq_len):
    n = len(stream) - 1
    for s in range(0, n - seq_len + 1):
        yield stream[s : s + seq_len], stream[s + 1 : s + 1 + seq_len]


@mistake(
    chunk_ex,
    "a step is skipped between chunks: the next chunk starts at s + seq_len, not s + seq_len + 1.",
)
def chunks_gap(stream, seq_len):
    n = len(stream) - 1
    for s in range(0, n, seq_len + 1):
        t = min(seq_len, n - s)
        yield stream[s : s + t], stream[s + 1 : s + 1 + t]


@mistake(
    chunk_ex,
    "the last token is used as an input: it has no next token, so the inputs "
    "stop at N - 1 (range(0, N - 1, seq_len), x and y of equal length).",
)
def chunks_last_input(stream, seq_len):
    for s in range(0, len(stream), seq_len):
        yield stream[s : s + seq_len], stream[s + 1 : s + 1 + seq_len]


@mistake(
    chunk_ex,
    "the targets are the previous tokens: y is x shifted one step AHEAD, "
    "y = stream[s + 1:s + 1 + T].",
)
def chunks_y_behind(stream, seq_len):
    n = len(stream) - 1
    for s in range(0, n, seq_len):
        t = min(seq_len, n - s)
        yield stream[s + 1 : s + 1 + t], stream[s : s + t]


# ------------------------------------------------------------------ srn_forward_chunked


def _chunked(x, h0, W, seq_len, start):
    hs, caches, h = [], [], h0
    for s in range(0, len(x), seq_len):
        h_c, cache = srn_forward(x[s : s + seq_len], start(h0, h), *W)
        hs.append(h_c)
        caches.append(cache)
        h = h_c[-1]
    return hs, caches


@mistake(
    carry_ex,
    "state not carried: start each chunk from the last state of the chunk "
    "before (h = h_chunk[-1]), not from h0.",
)
def carry_reset_h0(x, h0, W_ih, W_hh, b_ih, b_hh, seq_len):
    hs, caches = _chunked(x, h0, (W_ih, W_hh, b_ih, b_hh), seq_len, lambda h0, h: h0)
    return np.concatenate(hs), caches


@mistake(
    carry_ex,
    "state not carried: start each chunk from the last state of the chunk before, not from zeros.",
)
def carry_reset_zero(x, h0, W_ih, W_hh, b_ih, b_hh, seq_len):
    hs, caches = _chunked(
        x, h0, (W_ih, W_hh, b_ih, b_hh), seq_len, lambda h0, h: h if h is h0 else 0 * h
    )
    return np.concatenate(hs), caches


@mistake(
    carry_ex,
    "the wrong state is carried: the next chunk starts from h_chunk[-1], the "
    "state after the chunk's LAST step, not h_chunk[0].",
)
def carry_first_state(x, h0, W_ih, W_hh, b_ih, b_hh, seq_len):
    hs, caches, h = [], [], h0
    for s in range(0, len(x), seq_len):
        h_c, cache = srn_forward(x[s : s + seq_len], h, W_ih, W_hh, b_ih, b_hh)
        hs.append(h_c)
        caches.append(cache)
        h = h_c[0]
    return np.concatenate(hs), caches


@mistake(carry_ex, "the last, shorter chunk is dropped: 7 steps with seq_len 3 are 3 + 3 + 1.")
def carry_drop_last(x, h0, W_ih, W_hh, b_ih, b_hh, seq_len):
    T = len(x) // seq_len * seq_len
    hs, caches = _chunked(x[:T], h0, (W_ih, W_hh, b_ih, b_hh), seq_len, lambda h0, h: h)
    return np.concatenate(hs), caches


@mistake(
    carry_ex,
    "only the last chunk's states are returned: concatenate the h of every chunk along time.",
)
def carry_last_chunk(x, h0, W_ih, W_hh, b_ih, b_hh, seq_len):
    hs, caches = _chunked(x, h0, (W_ih, W_hh, b_ih, b_hh), seq_len, lambda h0, h: h)
    return hs[-1], caches


@mistake(
    carry_ex,
    "concatenated along the batch axis: the chunks follow each other in time, "
    "np.concatenate(hs) (axis 0).",
)
def carry_batch_axis(x, h0, W_ih, W_hh, b_ih, b_hh, seq_len):
    T = len(x) // seq_len * seq_len
    hs, caches = _chunked(x[:T], h0, (W_ih, W_hh, b_ih, b_hh), seq_len, lambda h0, h: h)
    return np.concatenate(hs, axis=1), caches


# ------------------------------------------------------------------ adagrad_step


@mistake(
    adagrad_ex,
    "the memory is not accumulated: add this gradient's square to the sum of "
    "the earlier ones (memory + grad²), do not replace it.",
)
def ada_no_accumulation(param, grad, memory, lr, eps=1e-8):
    memory = grad * grad
    return param - lr * grad / np.sqrt(memory + eps), memory


@mistake(
    adagrad_ex,
    "the step uses the old memory: add grad² to the memory first, then divide by its square root.",
)
def ada_old_memory(param, grad, memory, lr, eps=1e-8):
    new_param = param - lr * grad / np.sqrt(memory + eps)
    return new_param, memory + grad * grad


@mistake(adagrad_ex, "missing square root: divide by sqrt(memory + eps), not by the memory.")
def ada_no_sqrt(param, grad, memory, lr, eps=1e-8):
    memory = memory + grad * grad
    return param - lr * grad / (memory + eps), memory


@mistake(adagrad_ex, "wrong sign: gradient DEscent subtracts, param - lr * grad / sqrt(...).")
def ada_ascent(param, grad, memory, lr, eps=1e-8):
    memory = memory + grad * grad
    return param + lr * grad / np.sqrt(memory + eps), memory


@mistake(
    adagrad_ex,
    "the memory sums the gradients themselves: it sums their squares, memory + grad * grad.",
)
def ada_not_squared(param, grad, memory, lr, eps=1e-8):
    memory = memory + grad
    return param - lr * grad / np.sqrt(np.abs(memory) + eps), memory


@mistake(adagrad_ex, "in-place mutation: your function changed its argument `param`")
def ada_in_place(param, grad, memory, lr, eps=1e-8):
    memory = memory + grad * grad
    param -= lr * grad / np.sqrt(memory + eps)
    return param, memory
