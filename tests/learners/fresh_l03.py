"""Fresh wrong solutions of lesson 03 (not the catalogue), with the words naming each.

Each backward is written with the forward it pairs with, as a learner would.
"""

import numpy as np

from . import fresh


def srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh
    h = np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0)
    return h, {"x": x, "h_prev": h_prev, "h": h, "W_ih": W_ih, "W_hh": W_hh, "nl": nonlinearity}


def srn_forward(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    hs, h = [], h0
    for x_t in x:
        h = srn_step_forward(x_t, h, W_ih, W_hh, b_ih, b_hh, nonlinearity)[0]
        hs.append(h)
    h = np.stack(hs)
    return h, {"x": x, "h0": h0, "h": h, "W_ih": W_ih, "W_hh": W_hh, "nl": nonlinearity}


def temporal_affine_forward(h, W_hy, b_hy):
    return h @ W_hy.T + b_hy, (h, W_hy)


def _d(h, nl):
    return 1 - h * h if nl == "tanh" else (h > 0) * 1.0


@fresh("srn_step_backward", "tanh applied twice", "1 - tanh")
def sb_double_tanh(dh_next, cache):
    da = dh_next * (1 - np.tanh(cache["h"]) ** 2)
    db = da.sum(0)
    return da @ cache["W_ih"], da @ cache["W_hh"], da.T @ cache["x"], da.T @ cache["h_prev"], db, db


@fresh("srn_step_backward", "derivative")
def sb_forgot_f_prime(dh_next, cache):
    da = dh_next
    return (da @ cache["W_ih"], da @ cache["W_hh"], da.T @ cache["x"], da.T @ cache["h_prev"],
            da.sum(0), da.sum(0))  # fmt: skip


@fresh("srn_step_backward", "summed over the batch", "db")
def sb_db_keepdims(dh_next, cache):
    da = dh_next * _d(cache["h"], cache["nl"])
    db = da.sum(0, keepdims=True)
    return da @ cache["W_ih"], da @ cache["W_hh"], da.T @ cache["x"], da.T @ cache["h_prev"], db, db


@fresh("srn_step_backward", "transposed", "dW_ih")
def sb_dW_wrong_layout(dh_next, cache):
    da = dh_next * _d(cache["h"], cache["nl"])
    db = da.sum(0)
    return (da @ cache["W_ih"], da @ cache["W_hh"], np.dot(cache["x"].T, da),
            da.T @ cache["h_prev"], db, db)  # fmt: skip


@fresh("srn_step_backward", "h_prev", "h_next")
def sb_pairs_output(dh_next, cache):
    da = dh_next * _d(cache["h"], cache["nl"])
    db = da.sum(0)
    return da @ cache["W_ih"], da @ cache["W_hh"], da.T @ cache["x"], da.T @ cache["h"], db, db


@fresh("srn_backward", "h_{t+1}", "flows back")
def b_no_recurrent_gradient(dh, cache):
    x, h, h0 = cache["x"], cache["h"], cache["h0"]
    W_ih, W_hh = cache["W_ih"], cache["W_hh"]
    da = dh * _d(h, cache["nl"])
    prev = np.concatenate([h0[None], h[:-1]])
    dW_ih = np.einsum("tbh,tbd->hd", da, x)
    dW_hh = np.einsum("tbh,tbk->hk", da, prev)
    db = da.sum((0, 1))
    return da @ W_ih, da[0] @ W_hh, dW_ih, dW_hh, db, db


@fresh("srn_backward", "h[-1]", "wraps")
def b_negative_index(dh, cache):
    x, h, h0, W_ih, W_hh = cache["x"], cache["h"], cache["h0"], cache["W_ih"], cache["W_hh"]
    dx, g = np.zeros_like(x), np.zeros_like(h0)
    dW_ih, dW_hh, db = np.zeros_like(W_ih), np.zeros_like(W_hh), np.zeros(len(W_hh))
    for t in range(len(x) - 1, -1, -1):
        da = (dh[t] + g) * _d(h[t], cache["nl"])
        dx[t] = da @ W_ih
        dW_ih += da.T @ x[t]
        dW_hh += da.T @ h[t - 1]
        db += da.sum(0)
        g = da @ W_hh
    return dx, g, dW_ih, dW_hh, db, db.copy()


@fresh("srn_backward", "aliased", "two arrays")
def b_shared_bias_array(dh, cache):
    x, h, h0, W_ih, W_hh = cache["x"], cache["h"], cache["h0"], cache["W_ih"], cache["W_hh"]
    dx, g = np.zeros_like(x), np.zeros_like(h0)
    dW_ih, dW_hh = np.zeros_like(W_ih), np.zeros_like(W_hh)
    db_ih = db_hh = np.zeros(len(W_hh))
    for t in reversed(range(len(x))):
        da = (dh[t] + g) * _d(h[t], cache["nl"])
        dx[t] = da @ W_ih
        dW_ih += da.T @ x[t]
        dW_hh += da.T @ (h[t - 1] if t else h0)
        db_ih += da.sum(0)
        db_hh += da.sum(0)
        g = da @ W_hh
    return dx, g, dW_ih, dW_hh, db_ih, db_hh


@fresh("srn_backward", "not summed over time", "dw +=")
def b_assign_not_add(dh, cache):
    x, h, h0, W_ih, W_hh = cache["x"], cache["h"], cache["h0"], cache["W_ih"], cache["W_hh"]
    dx, g = np.zeros_like(x), np.zeros_like(h0)
    for t in reversed(range(len(x))):
        da = (dh[t] + g) * _d(h[t], cache["nl"])
        dx[t] = da @ W_ih
        dW_ih = da.T @ x[t]
        dW_hh = da.T @ (h[t - 1] if t else h0)
        db = da.sum(0)
        g = da @ W_hh
    return dx, g, dW_ih, dW_hh, db, db


@fresh("srn_backward", "tanh applied twice")
def b_tanh_again(dh, cache):
    x, h, h0, W_ih, W_hh = cache["x"], cache["h"], cache["h0"], cache["W_ih"], cache["W_hh"]
    dx, g = np.zeros_like(x), np.zeros_like(h0)
    dW_ih, dW_hh, db = 0 * W_ih, 0 * W_hh, np.zeros(len(W_hh))
    for t in reversed(range(len(x))):
        deriv = 1 - np.tanh(h[t]) ** 2 if cache["nl"] == "tanh" else h[t] > 0
        da = (dh[t] + g) * deriv
        dx[t] = da @ W_ih
        dW_ih = dW_ih + da.T @ x[t]
        dW_hh = dW_hh + da.T @ (h[t - 1] if t else h0)
        db = db + da.sum(0)
        g = da @ W_hh
    return dx, g, dW_ih, dW_hh, db, db


@fresh("numeric_gradient", "one-sided")
def num_forward_difference(f, x, df=None, h=1e-5):
    g = np.zeros_like(x)
    f0 = np.array(f(x), dtype=float)
    for i in np.ndindex(x.shape):
        x[i] += h
        d = np.array(f(x), dtype=float) - f0
        x[i] -= h
        g[i] = np.sum(d if df is None else d * df) / h
    return g


@fresh("numeric_gradient", "2h")
def num_missing_half(f, x, df=None, h=1e-5):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        v = x[i]
        x[i] = v + h
        a = np.sum(np.array(f(x)) * (1 if df is None else df))
        x[i] = v - h
        b = np.sum(np.array(f(x)) * (1 if df is None else df))
        x[i] = v
        g[i] = (a - b) / h
    return g


@fresh("numeric_gradient", "closure", "copy")
def num_on_copy(f, x, df=None, h=1e-5):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        d = np.array(f(xp), dtype=float) - np.array(f(xm), dtype=float)
        g[i] = np.sum(d if df is None else d * df) / (2 * h)
    return g


@fresh("numeric_gradient", "df ignored")
def num_forgets_df(f, x, df=None, h=1e-5):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        v = x[i]
        x[i] = v + h
        a = np.sum(f(x))
        x[i] = v - h
        b = np.sum(f(x))
        x[i] = v
        g[i] = (a - b) / (2 * h)
    return g


@fresh("numeric_gradient", "not restored")
def num_leaves_nudged(f, x, df=None, h=1e-5):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        v = x[i]
        x[i] = v + h
        a = np.sum(np.array(f(x)) * (1 if df is None else df))
        x[i] = v - h
        b = np.sum(np.array(f(x)) * (1 if df is None else df))
        g[i] = (a - b) / (2 * h)
    return g


@fresh("softmax_cross_entropy", "t * b", "divided by t")
def ce_mean_over_time(logits, targets):
    T, B, V = logits.shape
    z = logits - logits.max(-1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(-1, keepdims=True)
    y = np.eye(V)[targets]
    return -np.sum(y * np.log(p)) / T, (p - y) / T


@fresh("softmax_cross_entropy", "summed loss", "(t * b)")
def ce_grad_of_sum(logits, targets):
    T, B, V = logits.shape
    z = logits - logits.max(-1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(-1, keepdims=True)
    y = np.eye(V)[targets]
    return -np.mean(np.sum(y * np.log(p), -1)), p - y


@fresh("softmax_cross_entropy", "overflow", "maximum")
def ce_no_shift(logits, targets):
    T, B, V = logits.shape
    p = np.exp(logits)
    p = p / p.sum(axis=2, keepdims=True)
    y = np.eye(V)[targets]
    return -np.sum(y * np.log(p)) / (T * B), (p - y) / (T * B)


@fresh("softmax_cross_entropy", "subtract 1", "p - onehot")
def ce_grad_forgets_target(logits, targets):
    T, B, V = logits.shape
    z = logits - logits.max(-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(-1, keepdims=True))
    nll = -np.take_along_axis(logp, targets[..., None], -1)
    return nll.mean(), np.exp(logp) / (T * B)


@fresh("softmax_cross_entropy", "is a sum")
def ce_sum_loss(logits, targets):
    T, B, V = logits.shape
    z = logits - logits.max(-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(-1, keepdims=True))
    y = np.eye(V)[targets]
    return float(-(y * logp).sum()), np.exp(logp) - y


@fresh("temporal_affine_backward", "transposed", "dh")
def aff_dh_T(dlogits, cache):
    h, W = cache
    return (np.einsum("tbv,hv->tbh", dlogits, W), np.einsum("tbv,tbh->vh", dlogits, h),
            dlogits.sum((0, 1)))  # fmt: skip


@fresh("temporal_affine_backward", "summed over the batch", "db_hy")
def aff_db_over_time(dlogits, cache):
    h, W = cache
    return dlogits @ W, np.einsum("tbv,tbh->vh", dlogits, h), dlogits.sum(axis=0)


@fresh("temporal_affine_backward", "last step")
def aff_only_last(dlogits, cache):
    h, W = cache
    return dlogits @ W, dlogits[-1].T @ h[-1], dlogits.sum((0, 1))


@fresh("temporal_affine_backward", "averaged", "do not divide")
def aff_mean(dlogits, cache):
    h, W = cache
    T, B, _ = h.shape
    return (dlogits @ W, np.einsum("tbv,tbh->vh", dlogits, h) / (T * B),
            dlogits.mean((0, 1)))  # fmt: skip


@fresh("tbptt_chunks", "next tokens")
def chunks_same_xy(stream, seq_len):
    for s in range(0, len(stream) - 1, seq_len):
        x = stream[s : min(s + seq_len, len(stream) - 1)]
        yield x, x


@fresh("tbptt_chunks", "dropped")
def chunks_full_only(stream, seq_len):
    for k in range((len(stream) - 1) // seq_len):
        s = k * seq_len
        yield stream[s : s + seq_len], stream[s + 1 : s + seq_len + 1]


@fresh("tbptt_chunks", "last token", "input")
def chunks_range_n(stream, seq_len):
    for s in range(0, len(stream), seq_len):
        yield stream[s : s + seq_len], stream[s + 1 : s + 1 + seq_len]


@fresh("tbptt_chunks", "skipped", "seq_len + 1")
def chunks_skip(stream, seq_len):
    s = 0
    while s < len(stream) - 1:
        e = min(s + seq_len, len(stream) - 1)
        yield stream[s:e], stream[s + 1 : e + 1]
        s = e + 1


@fresh("srn_forward_chunked", "state not carried", "h0")
def carry_restart(x, h0, W_ih, W_hh, b_ih, b_hh, seq_len):
    hs, caches = [], []
    for s in range(0, len(x), seq_len):
        h, c = srn_forward(x[s : s + seq_len], h0, W_ih, W_hh, b_ih, b_hh)
        hs.append(h)
        caches.append(c)
    return np.concatenate(hs), caches


@fresh("srn_forward_chunked", "h_chunk[-1]", "wrong state")
def carry_first(x, h0, W_ih, W_hh, b_ih, b_hh, seq_len):
    hs, caches, state = [], [], h0
    for s in range(0, len(x), seq_len):
        h, c = srn_forward(x[s : s + seq_len], state, W_ih, W_hh, b_ih, b_hh)
        hs.append(h)
        caches.append(c)
        state = h[0]
    return np.concatenate(hs), caches


@fresh("srn_forward_chunked", "dropped", "shorter chunk")
def carry_full_chunks(x, h0, W_ih, W_hh, b_ih, b_hh, seq_len):
    hs, caches, state = [], [], h0
    for k in range(len(x) // seq_len):
        h, c = srn_forward(x[k * seq_len : (k + 1) * seq_len], state, W_ih, W_hh, b_ih, b_hh)
        hs.append(h)
        caches.append(c)
        state = h[-1]
    return np.concatenate(hs), caches


# ---- written after the catalogue, to probe past it (bugs the catalogue does not list)


@fresh("srn_step_backward", "derivative", "h_prev")
def sb_derivative_at_h_prev(dh_next, cache):
    da = dh_next * (1 - cache["h_prev"] ** 2)
    db = da.sum(0)
    return da @ cache["W_ih"], da @ cache["W_hh"], da.T @ cache["x"], da.T @ cache["h_prev"], db, db


@fresh("srn_backward", "transposed", "dx")
def b_dx_transposed(dh, cache):
    x, h, h0, W_ih, W_hh = cache["x"], cache["h"], cache["h0"], cache["W_ih"], cache["W_hh"]
    dx, g = np.zeros_like(x), np.zeros_like(h0)
    dW_ih, dW_hh, db = 0 * W_ih, 0 * W_hh, np.zeros(len(W_hh))
    for t in reversed(range(len(x))):
        da = (dh[t] + g) * _d(h[t], cache["nl"])
        dx[t] = da @ W_ih.T
        dW_ih = dW_ih + da.T @ x[t]
        dW_hh = dW_hh + da.T @ (h[t - 1] if t else h0)
        db = db + da.sum(0)
        g = da @ W_hh
    return dx, g, dW_ih, dW_hh, db, db


@fresh("temporal_affine_backward", "db_hy", "shape (v,)")
def aff_db_scalar(dlogits, cache):
    h, W = cache
    return dlogits @ W, np.einsum("tbv,tbh->vh", dlogits, h), dlogits.sum()


@fresh("tbptt_chunks", "y", "one step")
def chunks_short_y(stream, seq_len):
    for s in range(0, len(stream) - 1, seq_len):
        e = min(s + seq_len, len(stream) - 1)
        yield stream[s:e], stream[s + 1 : e]


@fresh("numeric_gradient", "step", "h")
def num_relative_step(f, x, df=None, h=1e-5):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        v = x[i]
        step = h * abs(v)
        x[i] = v + step
        a = np.sum(np.array(f(x)) * (1 if df is None else df))
        x[i] = v - step
        b = np.sum(np.array(f(x)) * (1 if df is None else df))
        x[i] = v
        g[i] = (a - b) / (2 * h)
    return g


@fresh("srn_forward_chunked", "order", "reversed")
def carry_backwards(x, h0, W_ih, W_hh, b_ih, b_hh, seq_len):
    hs, caches, state = [], [], h0
    for s in range(0, len(x), seq_len):
        h, c = srn_forward(x[s : s + seq_len], state, W_ih, W_hh, b_ih, b_hh)
        hs.insert(0, h)
        caches.append(c)
        state = h[-1]
    return np.concatenate(hs), caches


@fresh("softmax_cross_entropy", "log", "probabilities")
def ce_log_of_logits(logits, targets):
    T, B, V = logits.shape
    z = logits - logits.max(-1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(-1, keepdims=True)
    y = np.eye(V)[targets]
    return float(-np.sum(y * p) / (T * B)), (p - y) / (T * B)


@fresh("adagrad_step", "old memory")
def ada_divide_first(param, grad, memory, lr, eps=1e-8):
    out = param - lr * grad / np.sqrt(memory + eps)
    memory = memory + grad**2
    return out, memory


@fresh("adagrad_step", "square root", "sqrt")
def ada_forgot_sqrt(param, grad, memory, lr, eps=1e-8):
    memory = memory + grad**2
    return param - lr * grad / (memory + eps), memory


@fresh("adagrad_step", "mutation", "param")
def ada_min_char_rnn_in_place(param, grad, memory, lr, eps=1e-8):
    memory = memory + grad * grad
    param += -lr * grad / np.sqrt(memory + eps)
    return param, memory


@fresh("adagrad_step", "accumulated")
def ada_rmsprop_like(param, grad, memory, lr, eps=1e-8):
    memory = grad**2
    return param - lr * grad / np.sqrt(memory + eps), memory


@fresh("adagrad_step", "lr", "learning rate")
def ada_no_lr(param, grad, memory, lr, eps=1e-8):
    memory = memory + grad**2
    return param - grad / np.sqrt(memory + eps), memory
