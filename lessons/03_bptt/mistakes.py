"""Typical mistakes of lesson 03, each written once as the change to the solution.

``change(exercise, solution, message, {old code: new code})``: the lesson's solution
with that code replaced, and the feedback a learner who wrote it gets. A backward's
mistake runs on the cache of the lesson's own forward (solutions.py).
"""

from rnn_grade.registry import change

from . import solutions as s
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

STEP, BPTT, NUM, CE = (
    s.srn_step_backward,
    s.srn_backward,
    s.numeric_gradient,
    s.softmax_cross_entropy,
)
AFF, CHUNKS, CARRY, ADA = (
    s.temporal_affine_backward,
    s.tbptt_chunks,
    s.srn_forward_chunked,
    s.adagrad_step,
)
DERIV = 'deriv = 1 - h_next**2 if nonlinearity == "tanh" else (h_next > 0)'
RET = "return da @ W_ih, da @ W_hh, da.T @ x, da.T @ h_prev, db, db.copy()"
SEQ_DERIV = 'deriv = 1 - h[t] ** 2 if nonlinearity == "tanh" else (h[t] > 0)'

# One mistake in two to four lines, each as the change to the solution:
# fmt: off
# ------------------------------------------------------------------ srn_step_backward
change(step_ex, STEP, "missing nonlinearity derivative: multiply dh_next by f'(a) (1 - h_next² "
       "for tanh) before the products.", {DERIV: "deriv = 1.0"})
change(step_ex, STEP, "tanh applied twice: your cache holds h_next = tanh(a), already activated; "
       "f'(a) = 1 - h_next², not 1 - tanh(h_next)².", {"1 - h_next**2": "1 - np.tanh(h_next) ** 2"})
change(step_ex, STEP, "the `nonlinearity` of the forward is ignored: a ReLU step's derivative is "
       "[h_next > 0], not 1 - h_next².", {DERIV: "deriv = 1 - h_next**2"})
change(step_ex, STEP, "transposed weight in dx: W_ih is (H, D), so dx = da @ W_ih, not da @ "
       "W_ih.T.", {"return da @ W_ih,": "return da @ W_ih.T,"})
change(step_ex, STEP, "transposed weight in dh_prev: dh_prev = da @ W_hh, not da @ W_hh.T.",
       {"da @ W_hh,": "da @ W_hh.T,"})
change(step_ex, STEP, "transposed weight gradient: dW_ih has W_ih's layout (H, D): da.T @ x, not "
       "x.T @ da.", {"da.T @ x,": "x.T @ da,"})
change(step_ex, STEP, "bias gradient not summed over the batch: db has shape (H,), "
       "da.sum(axis=0).", {"db, db.copy()": "da, da"})
change(step_ex, STEP, "dW_hh pairs da with h_next; it must be h_prev, the state that was "
       "multiplied by W_hh.", {"da.T @ h_prev": "da.T @ h_next"})

# ------------------------------------------------------------------ srn_backward
change(seq_ex, BPTT, "dh_t is missing the part from h_{t+1}: the gradient on h_t is dh[t] plus "
       "what flows back from step t + 1 (da_{t+1} @ W_hh).", {"(dh[t] + dh_next)": "dh[t]"})
change(seq_ex, BPTT, "gradient of a shared weight not summed over time: add every step's "
       "contribution (dW += ...); `dW = ...` keeps only the last one computed (t = 0).",
       {"dW_ih = dW_ih + ": "dW_ih = ", "dW_hh = dW_hh + ": "dW_hh = ", "db = db + ": "db = "})
change(seq_ex, BPTT, "dW_hh pairs δ_t with h_t; it must be h_{t-1}, the state that was multiplied "
       "by W_hh.", {"da.T @ h_prev": "da.T @ h[t]"})
change(seq_ex, BPTT, "h[t - 1] at t = 0 is h[-1], the LAST state (Python wraps around): the first "
       "step started from h0.", {"h[t - 1] if t > 0 else h0": "h[t - 1]"})
change(seq_ex, BPTT, "aliased accumulators: `db_ih = db_hh = np.zeros(H)` makes one array, so "
       "both `+=` land in it twice; create two arrays (or return db and db.copy()).",
       {"db, db.copy()": "2 * db, 2 * db"})
change(seq_ex, BPTT, "missing nonlinearity derivative: multiply by f'(a_t) = 1 - h_t² (tanh) "
       "before the products.", {SEQ_DERIV: "deriv = 1.0"})
change(seq_ex, BPTT, "tanh applied twice: the cache holds h_t = tanh(a_t), already activated; "
       "f'(a_t) = 1 - h_t², not 1 - tanh(h_t)².", {"1 - h[t] ** 2": "1 - np.tanh(h[t]) ** 2"})
change(seq_ex, BPTT, "dh0 is the gradient that flows out of the first step, da_0 @ W_hh; you "
       "returned da_0 itself.", {"return dx, dh_next,": "return dx, da,"})

# ------------------------------------------------------------------ numeric_gradient
change(num_ex, NUM, "one-sided difference (f(x + h) - f(x)) / h: use the centred difference (f(x "
       "+ h) - f(x - h)) / 2h, whose error is O(h²), not O(h).",
       {"x[ix] = old - h\n": "x[ix] = old\n", "/ (2 * h)": "/ h"})
change(num_ex, NUM, "divide by 2h: the centred difference spans x - h to x + h.",
       {"/ (2 * h)": "/ h"})
change(num_ex, NUM, "x is not restored: after the two nudges set x[ix] back to its old value.",
       {"x[ix] = old  # restore exactly": "pass"})
change(num_ex, NUM, NOT_EXACT, {"x[ix] = old - h": "x[ix] = x[ix] - 2 * h",
                                "x[ix] = old  # restore exactly": "x[ix] += h"})
change(num_ex, NUM, "gradient is zero when f reads x through a closure: nudge x itself in place "
       "(x[ix] = old + h), not a copy of it.",
       {"old = x[ix]\n": "old = x[ix]\n        x = x.copy()\n"})
change(num_ex, NUM, "df ignored: the gradient is that of sum(f(x) * df); multiply the differences "
       "by df.", {"if df is None": "if True"})

# ------------------------------------------------------------------ softmax_cross_entropy
MEAN = "loss = -np.sum(onehot * log_p) / (T * B)"
GRAD = "return float(loss), (np.exp(log_p) - onehot) / (T * B)"
change(ce_ex, CE, "the loss is a sum: divide by the number of tokens, T·B, for the mean.",
       {MEAN: "loss = -np.sum(onehot * log_p)", GRAD: "return float(loss), np.exp(log_p) - onehot"})
for n in ("T", "B"):
    change(
        ce_ex,
        CE,
        f"divided by {n} only: the mean is over all T·B tokens, divide by T * B "
        "(loss and gradient).",
        {MEAN: MEAN.replace("(T * B)", n), GRAD: GRAD.replace("(T * B)", n)},
    )
change(ce_ex, CE, "the gradient is that of the summed loss: the loss is a mean, so dlogits is (p "
       "- onehot) / (T * B) too.", {GRAD: "return float(loss), np.exp(log_p) - onehot"})
change(ce_ex, CE, "dlogits is p - onehot(targets): subtract 1 at each token's target.",
       {"(np.exp(log_p) - onehot)": "np.exp(log_p)"})
change(ce_ex, CE, "overflow: exp of large scores is inf; subtract each row's maximum first.",
       {"z = logits - logits.max(axis=-1, keepdims=True)": "z = logits"})
change(ce_ex, CE, "the loss is -log softmax(z)[y], not -z[y]: normalise the scores first.",
       {"onehot * log_p) /": "onehot * logits) /"})
change(ce_ex, CE, "1 subtracted at every target column of every row: subtract it only at each "
       "token's own target, dlogits[t, b, targets[t, b]] (e.g. with np.eye(V)[targets]).",
       {"(np.exp(log_p) - onehot)": "(np.exp(log_p) - onehot.reshape(-1, V).any(0))"})

# ------------------------------------------------------------------ temporal_affine_backward
AFF_RET = "return dlogits @ W_hy, dz.T @ h.reshape(-1, H), dz.sum(axis=0)"
change(affine_ex, AFF, "transposed weight in dh: W_hy is (V, H), so dh = dlogits @ W_hy.",
       {"return dlogits @ W_hy,": "return dlogits @ W_hy.T,"})
change(affine_ex, AFF, "transposed weight gradient: dW_hy has W_hy's layout (V, H), dlogitsᵀ h, "
       "not hᵀ dlogits.", {"dz.T @ h.reshape(-1, H)": "h.reshape(-1, H).T @ dz"})
for axis, name in ((1, "time"), (0, "the batch")):
    change(
        affine_ex,
        AFF,
        f"db_hy not summed over {name}: the bias is shared by every step and "
        "every sequence, sum over both axes (shape (V,)).",
        {"dz.sum(axis=0)": f"dlogits.sum(axis={axis})"},
    )
change(affine_ex, AFF, "dW_hy holds the last step only: W_hy is shared by every step, sum the "
       "products over all T steps.", {"dz.T @ h.reshape(-1, H)": "dlogits[-1].T @ h[-1]"})
change(affine_ex, AFF, "the gradients are averaged over T·B: dlogits already carries the mean's "
       "1/(T·B), so sum the products, do not divide again.",
       {AFF_RET: "return dlogits @ W_hy, dz.T @ h.reshape(-1, H) / len(dz), dz.mean(axis=0)"})

# ------------------------------------------------------------------ tbptt_chunks
YIELD = "yield stream[s : s + t], stream[s + 1 : s + 1 + t]"
change(chunk_ex, CHUNKS, "targets must be the next tokens: y = stream[s + 1:s + 1 + T], x shifted "
       "one step ahead.", {YIELD: "yield stream[s : s + t], stream[s : s + t]"})
change(chunk_ex, CHUNKS, "the last, shorter chunk is dropped: keep it (10 input steps with "
       "seq_len 4 give chunks of 4, 4 and 2).",
       {"range(0, n, seq_len)": "range(0, n - seq_len + 1, seq_len)"})
change(chunk_ex, CHUNKS, "the chunks overlap: chunk k starts at k * seq_len, where the one before "
       "ended.", {"range(0, n, seq_len)": "range(0, n - seq_len + 1)"})
change(chunk_ex, CHUNKS, "a step is skipped between chunks: the next chunk starts at s + seq_len, "
       "not s + seq_len + 1.", {"range(0, n, seq_len)": "range(0, n, seq_len + 1)"})
change(chunk_ex, CHUNKS, "the last token is used as an input: it has no next token, so the inputs "
       "stop at N - 1 (range(0, N - 1, seq_len), x and y of equal length).",
       {"range(0, n, seq_len)": "range(0, n + 1, seq_len)",
        "t = min(seq_len, n - s)": "t = seq_len"})
change(chunk_ex, CHUNKS, "the targets are the previous tokens: y is x shifted one step AHEAD, y = "
       "stream[s + 1:s + 1 + T].", {YIELD: "yield stream[s + 1 : s + 1 + t], stream[s : s + t]"})

# ------------------------------------------------------------------ srn_forward_chunked
CARRIED = "h = h_chunk[-1]  # (B, H) carried into the next chunk"
change(carry_ex, CARRY, "state not carried: start each chunk from the last state of the chunk "
       "before (h = h_chunk[-1]), not from h0.", {CARRIED: "h = h0"})
change(carry_ex, CARRY, "state not carried: start each chunk from the last state of the chunk "
       "before, not from zeros.", {CARRIED: "h = 0 * h0"})
change(carry_ex, CARRY, "the wrong state is carried: the next chunk starts from h_chunk[-1], the "
       "state after the chunk's LAST step, not h_chunk[0].", {CARRIED: "h = h_chunk[0]"})
change(carry_ex, CARRY, "the last, shorter chunk is dropped: 7 steps with seq_len 3 are 3 + 3 + "
       "1.", {"range(0, len(x), seq_len)": "range(0, len(x) - seq_len + 1, seq_len)"})
change(carry_ex, CARRY, "only the last chunk's states are returned: concatenate the h of every "
       "chunk along time.", {"return np.concatenate(hs), caches": "return hs[-1], caches"})
change(carry_ex, CARRY, "concatenated along the batch axis: the chunks follow each other in time, "
       "np.concatenate(hs) (axis 0).",
       {"range(0, len(x), seq_len)": "range(0, len(x) - seq_len + 1, seq_len)",
        "np.concatenate(hs)": "np.concatenate(hs, axis=1)"})

# ------------------------------------------------------------------ adagrad_step
NEW_MEMORY = "memory = memory + grad * grad"
change(adagrad_ex, ADA, "the memory is not accumulated: add this gradient's square to the sum of "
       "the earlier ones (memory + grad²), do not replace it.",
       {NEW_MEMORY: "memory = grad * grad"})
change(adagrad_ex, ADA, "the step uses the old memory: add grad² to the memory first, then divide "
       "by its square root.",
       {NEW_MEMORY: "new = memory + grad * grad",
        "np.sqrt(memory + eps), memory": "np.sqrt(memory + eps), new"})
change(adagrad_ex, ADA, "missing square root: divide by sqrt(memory + eps), not by the memory.",
       {"np.sqrt(memory + eps)": "(memory + eps)"})
change(adagrad_ex, ADA, "wrong sign: gradient DEscent subtracts, param - lr * grad / sqrt(...).",
       {"param - lr": "param + lr"})
change(adagrad_ex, ADA, "the memory sums the gradients themselves: it sums their squares, memory "
       "+ grad * grad.",
       {NEW_MEMORY: "memory = memory + grad",
        "np.sqrt(memory + eps)": "np.sqrt(np.abs(memory) + eps)"})
change(adagrad_ex, ADA, "in-place mutation: your function changed its argument `param`",
       {"return param - lr * grad / np.sqrt(memory + eps), memory":
        "param -= lr * grad / np.sqrt(memory + eps)\n    return param, memory"})
