"""Typical mistakes of lesson 02, each written once with its feedback."""

import numpy as np

from rnn_grade.registry import mistake

from .checks import out_ex, seq_ex, step_ex


def _f(a, nonlinearity):
    return np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0)


# ------------------------------------------------------------------ srn_step_forward


@mistake(step_ex, "transposed weight: W_hh has the torch layout (H, H); compute h_prev @ W_hh.T.")
def step_W_hh_not_transposed(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    return _f(x @ W_ih.T + b_ih + h_prev @ W_hh + b_hh, nonlinearity), None


@mistake(step_ex, "transposed weight: W_ih has the torch layout (H, D); compute x @ W_ih.T.")
def step_W_ih_not_transposed(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    return _f(x @ W_ih + b_ih + h_prev @ W_hh.T + b_hh, nonlinearity), None


@mistake(step_ex, "W_ih and W_hh are swapped: x goes with W_ih, h_prev with W_hh.")
def step_weights_swapped(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    return _f(x @ W_hh.T + b_ih + h_prev @ W_ih.T + b_hh, nonlinearity), None


@mistake(step_ex, "missing nonlinearity: apply f (tanh or ReLU) to the pre-activation.")
def step_linear(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    return x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh, None


@mistake(step_ex, "the `nonlinearity` argument is ignored: you always apply tanh.")
def step_always_tanh(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    return np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh), None


@mistake(step_ex, "sigmoid where tanh belongs: use np.tanh (or ReLU when asked).")
def step_sigmoid(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh
    return 1 / (1 + np.exp(-a)), None


@mistake(step_ex, "bias dropped: b_hh is missing; add both b_ih and b_hh.")
def step_no_b_hh(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    return _f(x @ W_ih.T + b_ih + h_prev @ W_hh.T, nonlinearity), None


@mistake(step_ex, "bias dropped: b_ih is missing; add both b_ih and b_hh.")
def step_no_b_ih(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    return _f(x @ W_ih.T + h_prev @ W_hh.T + b_hh, nonlinearity), None


@mistake(step_ex, "bias added twice: add b_ih and b_hh once each.")
def step_bias_twice(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    b = b_ih + b_hh
    return _f(x @ W_ih.T + b + h_prev @ W_hh.T + b, nonlinearity), None


@mistake(step_ex, "the previous state is ignored: add h_prev @ W_hh.T.")
def step_no_recurrence(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    return _f(x @ W_ih.T + b_ih + b_hh, nonlinearity), None


@mistake(step_ex, "h_next has shape (H, B): rows are batch entries, so compute x @ W_ih.T.")
def step_column_layout(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    a = W_ih @ x.T + W_hh @ h_prev.T + (b_ih + b_hh)[:, None]
    return _f(a, nonlinearity), None


@mistake(step_ex, "in-place mutation: your function changed its argument `h_prev`")
def step_overwrites_h_prev(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    h_prev[...] = _f(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh, nonlinearity)
    return h_prev, None


# ------------------------------------------------------------------ srn_forward


def _step(x, h, W_ih, W_hh, b_ih, b_hh, nonlinearity):
    return _f(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh, nonlinearity)


@mistake(
    seq_ex,
    "state not carried: every step must start from the state the step before "
    "returned (h_prev = h_next), not from h0.",
)
def seq_no_carry(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    return np.stack([_step(x_t, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity) for x_t in x]), None


@mistake(seq_ex, "h0 ignored: the first step starts from the given h0, not from zeros.")
def seq_zero_start(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    h, hs = np.zeros_like(h0), []
    for x_t in x:
        h = _step(x_t, h, W_ih, W_hh, b_ih, b_hh, nonlinearity)
        hs.append(h)
    return np.stack(hs), None


@mistake(
    seq_ex,
    "off by one: h[t] is the state after reading x[t], so h[0] is already "
    "f(x[0] ..., h0); h0 itself is not part of h.",
)
def seq_includes_h0(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    h, hs = h0, []
    for x_t in x:
        hs.append(h)
        h = _step(x_t, h, W_ih, W_hh, b_ih, b_hh, nonlinearity)
    return np.stack(hs), None


@mistake(seq_ex, "the `nonlinearity` argument is not passed on: every step uses tanh.")
def seq_always_tanh(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    h, hs = h0, []
    for x_t in x:
        h = _step(x_t, h, W_ih, W_hh, b_ih, b_hh, "tanh")
        hs.append(h)
    return np.stack(hs), None


@mistake(
    seq_ex, "stacked along the wrong axis: h is time-major, np.stack(hs) (axis 0) gives (T, B, H)."
)
def seq_batch_major(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    h, hs = h0, []
    for x_t in x:
        h = _step(x_t, h, W_ih, W_hh, b_ih, b_hh, nonlinearity)
        hs.append(h)
    return np.stack(hs, axis=1), None


@mistake(
    seq_ex, "only the last state is returned: h holds the state after every step, shape (T, B, H)."
)
def seq_last_only(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    h = h0
    for x_t in x:
        h = _step(x_t, h, W_ih, W_hh, b_ih, b_hh, nonlinearity)
    return h, None


@mistake(seq_ex, "the sequence is read backwards: step t reads x[t], from t = 0 up.")
def seq_reversed(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    h, hs = h0, []
    for x_t in x[::-1]:
        h = _step(x_t, h, W_ih, W_hh, b_ih, b_hh, nonlinearity)
        hs.append(h)
    return np.stack(hs), None


# ------------------------------------------------------------------ softmax_output


def _softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@mistake(out_ex, "missing softmax: return probabilities, softmax(h W_hyᵀ + b_hy), not the scores.")
def out_scores(h, W_hy, b_hy):
    return h @ W_hy.T + b_hy


@mistake(
    out_ex,
    "softmax over the wrong axis: normalise over the last axis (the V "
    "outputs), not over time (axis 0).",
)
def out_axis0(h, W_hy, b_hy):
    return _softmax(h @ W_hy.T + b_hy, axis=0)


@mistake(
    out_ex,
    "softmax over the wrong axis: normalise over the last axis (the V "
    "outputs), not over the batch (axis 1).",
)
def out_axis1(h, W_hy, b_hy):
    return _softmax(h @ W_hy.T + b_hy, axis=1)


@mistake(out_ex, "overflow: exp of large scores is inf; subtract the maximum score before np.exp.")
def out_unstable(h, W_hy, b_hy):
    e = np.exp(h @ W_hy.T + b_hy)
    return e / e.sum(-1, keepdims=True)


@mistake(out_ex, "bias dropped: add b_hy before the softmax.")
def out_no_bias(h, W_hy, b_hy):
    return _softmax(h @ W_hy.T)


@mistake(out_ex, "missing exp: softmax divides exp(z) by its sum, not z by its sum.")
def out_no_exp(h, W_hy, b_hy):
    z = h @ W_hy.T + b_hy
    return z / z.sum(-1, keepdims=True)


@mistake(out_ex, "transposed weight: W_hy has the torch layout (V, H); compute h @ W_hy.T.")
def out_transposed(h, W_hy, b_hy):
    return _softmax(h @ W_hy + b_hy)


@mistake(out_ex, "sigmoid instead of softmax: the V probabilities must sum to 1.")
def out_sigmoid(h, W_hy, b_hy):
    return 1 / (1 + np.exp(-(h @ W_hy.T + b_hy)))


@mistake(out_ex, "log-probabilities returned: return the probabilities themselves.")
def out_log_softmax(h, W_hy, b_hy):
    return np.log(_softmax(h @ W_hy.T + b_hy))
