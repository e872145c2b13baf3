"""Lesson 03 with dict caches, loops over the batch, and accumulation in forward time order."""

import numpy as np


def _f(a, nonlinearity):
    return np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0.0)


def srn_step_forward(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    a = x @ W_ih.T + h_prev @ W_hh.T + b_ih + b_hh
    return _f(a, nonlinearity), {"x": x, "h_prev": h_prev, "a": a, "W": (W_ih, W_hh),
                                 "nl": nonlinearity}  # fmt: skip


def srn_step_backward(dh_next, cache):
    W_ih, W_hh = cache["W"]
    a = cache["a"]
    da = dh_next * ((1 - np.tanh(a) ** 2) if cache["nl"] == "tanh" else (a > 0))
    dW_ih, dW_hh = np.zeros_like(W_ih), np.zeros_like(W_hh)
    for b in range(len(da)):  # one example at a time
        dW_ih += np.outer(da[b], cache["x"][b])
        dW_hh += np.outer(da[b], cache["h_prev"][b])
    db_ih = np.sum(da, axis=0)
    db_hh = np.sum(da, axis=0)
    return da @ W_ih, da @ W_hh, dW_ih, dW_hh, db_ih, db_hh


def srn_forward(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    steps, h = [], h0
    for x_t in x:
        h, c = srn_step_forward(x_t, h, W_ih, W_hh, b_ih, b_hh, nonlinearity)
        steps.append(c)
    return np.array([srn_step_forward(c["x"], c["h_prev"], W_ih, W_hh, b_ih, b_hh,
                                      nonlinearity)[0] for c in steps]), steps  # fmt: skip


def srn_backward(dh, cache):
    T = len(cache)
    das, dnext = [None] * T, np.zeros_like(cache[0]["h_prev"])
    for t in range(T - 1, -1, -1):
        c = cache[t]
        a = c["a"]
        das[t] = (dh[t] + dnext) * ((1 - np.tanh(a) ** 2) if c["nl"] == "tanh" else (a > 0))
        dnext = das[t] @ c["W"][1]
    W_ih, W_hh = cache[0]["W"]
    dW_ih, dW_hh, db = 0 * W_ih, 0 * W_hh, np.zeros(len(W_hh))
    for t in range(T):  # accumulate in forward order
        dW_ih = dW_ih + das[t].T @ cache[t]["x"]
        dW_hh = dW_hh + das[t].T @ cache[t]["h_prev"]
        db = db + das[t].sum(0)
    dx = np.stack([d @ W_ih for d in das])
    return dx, dnext, dW_ih, dW_hh, db, db.copy()


def numeric_gradient(f, x, df=None, h=1e-5):
    g = np.zeros(x.shape)
    flat = x.reshape(-1)  # a view: nudging it nudges x
    for i in range(flat.size):
        keep = flat[i]
        flat[i] = keep + h
        up = np.asarray(f(x), dtype=float).copy()
        flat[i] = keep - h
        down = np.asarray(f(x), dtype=float).copy()
        flat[i] = keep
        w = 1.0 if df is None else df
        g.reshape(-1)[i] = np.sum((up - down) * w) / (2 * h)
    return g


def softmax_cross_entropy(logits, targets):
    T, B, V = logits.shape
    loss, d = 0.0, np.zeros_like(logits)
    for t in range(T):
        for b in range(B):
            z = logits[t, b] - logits[t, b].max()
            p = np.exp(z) / np.exp(z).sum()
            loss -= np.log(p[targets[t, b]])
            d[t, b] = p
            d[t, b, targets[t, b]] -= 1
    return loss / (T * B), d / (T * B)


def temporal_affine_forward(h, W_hy, b_hy):
    return np.einsum("tbh,vh->tbv", h, W_hy) + b_hy, {"h": h, "W": W_hy}


def temporal_affine_backward(dlogits, cache):
    h, W = cache["h"], cache["W"]
    return (np.einsum("tbv,vh->tbh", dlogits, W), np.einsum("tbv,tbh->vh", dlogits, h),
            dlogits.sum(axis=(0, 1)))  # fmt: skip


def tbptt_chunks(stream, seq_len):
    s = 0
    while s + 1 < len(stream):
        e = min(s + seq_len, len(stream) - 1)
        yield stream[s:e], stream[s + 1 : e + 1]
        s = e


def srn_forward_chunked(x, h0, W_ih, W_hh, b_ih, b_hh, seq_len):
    out, caches, state = np.empty(x.shape[:2] + h0.shape[1:]), [], h0
    for s in range(0, len(x), seq_len):
        hc, c = srn_forward(x[s : s + seq_len], state, W_ih, W_hh, b_ih, b_hh)
        out[s : s + len(hc)] = hc
        caches.append(c)
        state = hc[-1]
    return out, caches


def adagrad_step(param, grad, memory, lr, eps=1e-8):
    new_memory = memory.copy()
    new_param = param.copy()
    for i in np.ndindex(param.shape):
        new_memory[i] += grad[i] ** 2
        new_param[i] -= lr * grad[i] / (new_memory[i] + eps) ** 0.5
    return new_param, new_memory
