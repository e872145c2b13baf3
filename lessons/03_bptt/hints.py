"""Hints of lesson 03, in steps: the idea, the equation, a skeleton with blanks."""

HINTS = {
    "srn_step_backward": [
        "Keep in the forward's cache everything the backward needs: x, h_prev, the two "
        "weights, h_next and the nonlinearity. Going back, first undo f: multiply the "
        "incoming gradient by f'(a); every other gradient is a product with that.",
        "da = dh_next * f'(a),  f'(a) = 1 - h_next**2 (tanh) or (h_next > 0) (ReLU)\n"
        "dx = da @ W_ih    dh_prev = da @ W_hh    dW_ih = da.T @ x    dW_hh = da.T @ h_prev\n"
        "db_ih = db_hh = da.sum(axis=0)",
        "x, h_prev, W_ih, W_hh, h_next, nonlinearity = cache\n"
        "deriv = 1 - ____ if nonlinearity == 'tanh' else (____ > 0)\n"
        "da = dh_next * deriv\n"
        "db = da.sum(axis=____)\n"
        "return da @ ____, da @ ____, da.T @ ____, da.T @ ____, db, db.copy()",
    ],
    "srn_backward": [
        "Walk backwards in time. The gradient on h_t has two parts: dh[t] from the loss at "
        "step t and what comes back from step t + 1. The weights are shared, so their "
        "gradients are sums over the steps.",
        "da_t = (dh[t] + dh_next) * f'(a_t),   dh_next = da_t @ W_hh\n"
        "dW_hh += da_t.T @ h_{t-1}   (h_{-1} = h0, not h[-1]!)    dW_ih += da_t.T @ x[t]\n"
        "dx[t] = da_t @ W_ih;  dh0 = the dh_next left after t = 0",
        "x, h0, W_ih, W_hh, h, nonlinearity = cache\n"
        "dx, dh_next = np.zeros_like(x), np.zeros_like(h0)\n"
        "dW_ih, dW_hh, db = np.zeros_like(W_ih), np.zeros_like(W_hh), np.zeros(len(W_hh))\n"
        "for t in reversed(range(len(x))):\n"
        "    h_prev = h[t - 1] if t > 0 else ____\n"
        "    da = (dh[t] + ____) * (1 - h[t] ** 2)   # tanh; (h[t] > 0) for ReLU\n"
        "    dx[t] = da @ W_ih\n"
        "    dW_ih, dW_hh, db = dW_ih + ____, dW_hh + ____, db + da.sum(0)\n"
        "    dh_next = da @ ____\n"
        "return dx, dh_next, dW_ih, dW_hh, db, db.copy()",
    ],
    "numeric_gradient": [
        "Nudge one entry of x up by h, evaluate, nudge it down by h, evaluate, put it back "
        "exactly as it was. The slope is the difference over 2h; with df, weight the "
        "differences by df before summing.",
        "grad[i] = sum((f(x + h e_i) - f(x - h e_i)) * df) / (2 h)",
        "grad = np.zeros_like(x)\n"
        "for ix in np.ndindex(*x.shape):\n"
        "    old = x[ix]\n"
        "    x[ix] = old + h\n"
        "    plus = np.array(f(x), dtype=float)\n"
        "    x[ix] = ____\n"
        "    minus = np.array(f(x), dtype=float)\n"
        "    x[ix] = ____\n"
        "    d = plus - minus if df is None else (plus - minus) * ____\n"
        "    grad[ix] = d.sum() / ____\n"
        "return grad",
    ],
    "softmax_cross_entropy": [
        "Turn each row of scores into log-probabilities (subtract the row's max first), "
        "pick the target's, average over all T·B tokens. The gradient of the mean is the "
        "probabilities minus the one-hot target, divided by T·B.",
        "log p = z - max z - log sum exp(z - max z)\n"
        "L = -(1 / (T B)) sum_{t,b} log p[t, b, y[t, b]]\n"
        "dL/dz = (p - onehot(y)) / (T B)",
        "T, B, V = logits.shape\n"
        "z = logits - logits.max(axis=____, keepdims=True)\n"
        "log_p = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))\n"
        "onehot = np.eye(V)[____]\n"
        "loss = -np.sum(onehot * log_p) / ____\n"
        "return float(loss), (np.exp(log_p) - ____) / (T * B)",
    ],
    "temporal_affine_backward": [
        "The output layer is one matrix product applied at every step. Flatten time and "
        "batch into one axis of T·B rows: then it is an ordinary linear layer, and the "
        "shared weights' gradients sum over all rows.",
        "logits = h @ W_hy.T + b_hy\n"
        "dh = dlogits @ W_hy\n"
        "dW_hy = sum_{t,b} dlogits[t,b]ᵀ h[t,b]     db_hy = sum_{t,b} dlogits[t,b]",
        "h, W_hy = cache\n"
        "dz = dlogits.reshape(-1, ____)      # (T * B, V)\n"
        "hf = h.reshape(-1, ____)            # (T * B, H)\n"
        "return dlogits @ ____, dz.T @ ____, dz.sum(axis=____)",
    ],
    "tbptt_chunks": [
        "The last token of the stream is only ever a target, so there are N - 1 input "
        "steps. Cut them into consecutive pieces of seq_len (the last may be shorter); "
        "each piece's targets are the same rows shifted one ahead.",
        "for s = 0, T, 2T, ... < N - 1:  x = stream[s : s + T'],  y = stream[s + 1 : s + 1 + T'],\n"
        "T' = min(T, N - 1 - s)",
        "n = len(stream) - 1\n"
        "for s in range(0, ____, seq_len):\n"
        "    t = min(seq_len, ____)\n"
        "    yield stream[s : s + t], stream[____ : ____]",
    ],
    "srn_forward_chunked": [
        "Run your srn_forward on one chunk at a time; the state after a chunk's last step "
        "is where the next chunk starts. Keep every chunk's cache.",
        "h_chunk_k, cache_k = srn_forward(x[k T : (k + 1) T], h_start_k, ...),  "
        "h_start_{k+1} = h_chunk_k[-1],  h_start_0 = h0",
        "hs, caches, h = [], [], h0\n"
        "for s in range(0, len(x), seq_len):\n"
        "    h_chunk, cache = srn_forward(x[s : s + ____], ____, W_ih, W_hh, b_ih, b_hh)\n"
        "    hs.append(h_chunk)\n"
        "    caches.append(cache)\n"
        "    h = h_chunk[____]\n"
        "return np.concatenate(hs), caches",
    ],
    "adagrad_step": [
        "Adagrad keeps, for every entry, the sum of its squared gradients so far, and "
        "divides each step by the square root of that sum: entries that have had large "
        "gradients take smaller steps.",
        "memory = memory + grad²\nparam = param - lr * grad / sqrt(memory + eps)",
        "memory = memory + ____\nreturn param - lr * grad / np.sqrt(____ + eps), ____",
    ],
}
