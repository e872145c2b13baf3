"""Lesson 03 vectorised: whole-sequence matrix products, a namedtuple cache, np.add.at."""

from collections import namedtuple

import numpy as np

Cache = namedtuple("Cache", "x h_prev h W_ih W_hh relu")


def srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    h, cache = srn_forward(x[None], h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity)
    return h[0], cache


def srn_step_backward(dh_next, cache):
    dx, dh_prev, *dw = srn_backward(dh_next[None], cache)
    return (dx[0], dh_prev, *dw)


def srn_forward(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    pre = x @ W_ih.T + (b_ih + b_hh)  # (T, B, H): the input part of every step at once
    h = np.empty(pre.shape)
    prev = h0
    for t in range(len(x)):
        a = pre[t] + prev @ W_hh.T
        h[t] = np.maximum(a, 0) if nonlinearity == "relu" else np.tanh(a)
        prev = h[t]
    h_prev = np.concatenate([h0[None], h[:-1]])
    return h, Cache(x, h_prev, h, W_ih, W_hh, nonlinearity == "relu")


def srn_backward(dh, cache):
    x, h_prev, h, W_ih, W_hh, relu = cache
    deriv = (h > 0).astype(float) if relu else 1.0 - h * h
    da = np.zeros_like(h)
    carry = np.zeros(h.shape[1:])
    for t in reversed(range(len(h))):
        da[t] = (dh[t] + carry) * deriv[t]
        carry = da[t] @ W_hh
    dW_ih = np.tensordot(da, x, axes=([0, 1], [0, 1]))
    dW_hh = np.tensordot(da, h_prev, axes=([0, 1], [0, 1]))
    db = da.sum(axis=(0, 1))
    return da @ W_ih, carry, dW_ih, dW_hh, db, db.copy()


def numeric_gradient(f, x, df=None, h=1e-5):
    grad = np.empty_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        saved = x[i].copy()
        values = []
        for step in (h, -h):
            x[i] = saved + step
            y = np.array(f(x), dtype=np.float64)
            values.append(y if df is None else y * df)
        x[i] = saved
        grad[i] = (values[0].sum() - values[1].sum()) / (2 * h)
    return grad


def softmax_cross_entropy(logits, targets):
    T, B, V = logits.shape
    z = logits.reshape(T * B, V)
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    rows, y = np.arange(T * B), targets.reshape(-1)
    loss = -np.log(p[rows, y]).mean()
    np.add.at(p, (rows, y), -1.0)
    return float(loss), (p / (T * B)).reshape(T, B, V)


def temporal_affine_forward(h, W_hy, b_hy):
    T, B, H = h.shape
    out = h.reshape(T * B, H) @ W_hy.T + b_hy
    return out.reshape(T, B, -1), (h.reshape(T * B, H), W_hy, (T, B))


def temporal_affine_backward(dlogits, cache):
    h_flat, W_hy, (T, B) = cache
    dz = dlogits.reshape(T * B, -1)
    return (dz @ W_hy).reshape(T, B, -1), dz.T @ h_flat, dz.sum(0)


def tbptt_chunks(stream, seq_len):
    n = stream.shape[0] - 1
    starts = np.arange(0, n, seq_len)
    return iter([(stream[s : min(s + seq_len, n)], stream[s + 1 : min(s + seq_len, n) + 1])
                 for s in starts])  # fmt: skip


def srn_forward_chunked(x, h0, W_ih, W_hh, b_ih, b_hh, seq_len):
    pieces = np.array_split(x, range(seq_len, len(x), seq_len))
    hs, caches = [], []
    for piece in pieces:
        h, c = srn_forward(piece, hs[-1][-1] if hs else h0, W_ih, W_hh, b_ih, b_hh)
        hs.append(h)
        caches.append(c)
    return np.concatenate(hs, axis=0), tuple(caches)


def adagrad_step(param, grad, memory, lr, eps=1e-8):
    memory = np.add(memory, np.square(grad))
    step = np.divide(grad, np.sqrt(memory + eps)) * lr
    return np.subtract(param, step), memory
