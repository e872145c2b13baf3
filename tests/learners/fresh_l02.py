"""Fresh wrong solutions of lesson 02 (not the catalogue), with the words naming each."""

import numpy as np

from . import fresh


@fresh("srn_step_forward", "transposed", "W_hh")
def step_hh_no_T(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    a = np.dot(x, W_ih.T) + np.dot(h_prev, W_hh) + b_ih + b_hh
    return (np.tanh(a) if nonlinearity == "tanh" else np.maximum(0, a)), None


@fresh("srn_step_forward", "relu", "nonlinearity")
def step_relu_typo(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    a = x @ W_ih.T + h_prev @ W_hh.T + b_ih + b_hh
    return (np.tanh(a) if nonlinearity == "tanh" else np.minimum(a, 0)), None


@fresh("srn_step_forward", "bias")
def step_only_one_bias(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    a = x @ W_ih.T + h_prev @ W_hh.T + b_ih
    return (np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0)), None


@fresh("srn_step_forward", "mutation", "h_prev")
def step_plus_equals(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    a = h_prev
    a @= W_hh.T
    a += x @ W_ih.T + b_ih + b_hh
    return (np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0)), None


@fresh("srn_step_forward", "float32")
def step_float32(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    a = (x @ W_ih.T + h_prev @ W_hh.T + b_ih + b_hh).astype(np.float32)
    return (np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0)), None


@fresh("srn_step_forward", "nonlinearity", "tanh")
def step_no_relu_branch(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    return np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh), {}


@fresh("srn_forward", "state not carried", "h0")
def seq_restart(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    out = []
    for t in range(x.shape[0]):
        h = np.tanh(x[t] @ W_ih.T + b_ih + h0 @ W_hh.T + b_hh)
        out.append(h if nonlinearity == "tanh" else np.maximum(h, 0))
    return np.stack(out), None


@fresh("srn_forward", "off by one", "h0")
def seq_shifted(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    T = x.shape[0]
    h = np.zeros((T,) + h0.shape)
    h[0] = h0
    for t in range(1, T):
        a = x[t - 1] @ W_ih.T + b_ih + h[t - 1] @ W_hh.T + b_hh
        h[t] = np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0)
    return h, None


@fresh("srn_forward", "wrong axis", "stack")
def seq_stack_axis(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    hs, h = [], h0
    for x_t in x:
        a = x_t @ W_ih.T + b_ih + h @ W_hh.T + b_hh
        h = np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0)
        hs.append(h)
    return np.stack(hs, 1), None


@fresh("srn_forward", "nonlinearity")
def seq_forgets_arg(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    hs, h = [], h0
    for x_t in x:
        h = np.tanh(x_t @ W_ih.T + b_ih + h @ W_hh.T + b_hh)
        hs.append(h)
    return np.array(hs), hs


@fresh("srn_forward", "h0", "zeros")
def seq_fresh_zeros(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    hs, h = [], np.zeros(h0.shape)
    for x_t in x:
        a = x_t @ W_ih.T + b_ih + h @ W_hh.T + b_hh
        h = np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0)
        hs.append(h)
    return np.array(hs), None


@fresh("softmax_output", "axis")
def out_sum_all(h, W_hy, b_hy):
    z = h @ W_hy.T + b_hy
    e = np.exp(z - z.max())
    return e / e.sum(axis=0, keepdims=True)


@fresh("softmax_output", "overflow", "maximum")
def out_no_shift(h, W_hy, b_hy):
    e = np.exp(np.einsum("tbh,vh->tbv", h, W_hy) + b_hy)
    return e / e.sum(-1)[..., None]


@fresh("softmax_output", "bias")
def out_forgot_bias(h, W_hy, b_hy):
    z = h @ W_hy.T
    z -= z.max(axis=2, keepdims=True)
    return np.exp(z) / np.exp(z).sum(axis=2, keepdims=True)


@fresh("softmax_output", "softmax", "scores")
def out_logits(h, W_hy, b_hy):
    return np.einsum("tbh,vh->tbv", h, W_hy) + b_hy


@fresh("softmax_output", "transposed")
def out_W_not_T(h, W_hy, b_hy):
    z = h @ W_hy + b_hy
    z = z - np.max(z, axis=-1, keepdims=True)
    return np.exp(z) / np.sum(np.exp(z), axis=-1, keepdims=True)


# ---- written after the catalogue, to probe past it (bugs the catalogue does not list)


@fresh("srn_step_forward", "relu", "tanh")
def step_branches_swapped(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    a = x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh
    return (np.tanh(a) if nonlinearity == "relu" else np.maximum(a, 0)), None


@fresh("softmax_output", "sum", "max")
def out_divide_by_max(h, W_hy, b_hy):
    z = h @ W_hy.T + b_hy
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.max(-1, keepdims=True)


@fresh("srn_forward", "x[t]", "step t")
def seq_reads_x0(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    hs, h = [], h0
    for _ in x:
        a = x[0] @ W_ih.T + b_ih + h @ W_hh.T + b_hh
        h = np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0)
        hs.append(h)
    return np.stack(hs), None


@fresh("srn_forward", "numpy array", "list")
def seq_returns_list(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    hs, h = [], h0
    for x_t in x:
        a = x_t @ W_ih.T + b_ih + h @ W_hh.T + b_hh
        h = np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0)
        hs.append(h)
    return hs, None
