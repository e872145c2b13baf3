import numpy as np

from . import mistake


def _f(a, nonlinearity):
    return np.tanh(a) if nonlinearity == "tanh" else np.maximum(a, 0)


@mistake("srn_step_forward", "transposed weight")
def step_transposed(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    return _f(x @ W_ih.T + b_ih + h_prev @ W_hh + b_hh, nonlinearity), None


@mistake("srn_step_forward", "missing nonlinearity")
def step_linear(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    return x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh, None


@mistake("srn_step_forward", "bias dropped")
def step_one_bias(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    return _f(x @ W_ih.T + b_ih + h_prev @ W_hh.T, nonlinearity), None


@mistake("srn_step_forward", "bias added twice")
def step_bias_twice(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    b = b_ih + b_hh
    return _f(x @ W_ih.T + b + h_prev @ W_hh.T + b, nonlinearity), None


@mistake("srn_step_forward", "wrong nonlinearity")
def step_always_tanh(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    return np.tanh(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh), None


@mistake("srn_step_forward", "shape (B, H) vs (H, B)")
def step_hb(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    return _f(W_ih @ x.T + (W_hh @ h_prev.T) + (b_ih + b_hh)[:, None], nonlinearity), None


@mistake("srn_step_forward", "in-place mutation")
def step_mutates(x, h_prev, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    h_prev[...] = _f(x @ W_ih.T + b_ih + h_prev @ W_hh.T + b_hh, nonlinearity)
    return h_prev, None


def _step(x, h, W_ih, W_hh, b_ih, b_hh, nl):
    return _f(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh, nl)


@mistake("srn_forward", "state not carried")
def seq_no_carry(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    return np.stack(
        [_step(x[t], h0, W_ih, W_hh, b_ih, b_hh, nonlinearity) for t in range(len(x))]
    ), None


@mistake("srn_forward", "h0 ignored")
def seq_zero_start(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    h, hs = np.zeros_like(h0), []
    for t in range(len(x)):
        h = _step(x[t], h, W_ih, W_hh, b_ih, b_hh, nonlinearity)
        hs.append(h)
    return np.stack(hs), None


@mistake("srn_forward", "off by one")
def seq_includes_h0(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    h, hs = h0, []
    for t in range(len(x)):
        hs.append(h)
        h = _step(x[t], h, W_ih, W_hh, b_ih, b_hh, nonlinearity)
    return np.stack(hs), None


@mistake("srn_forward", "wrong nonlinearity")
def seq_drops_nonlinearity_arg(x, h0, W_ih, W_hh, b_ih, b_hh, nonlinearity="tanh"):
    h, hs = h0, []
    for t in range(len(x)):
        h = _step(x[t], h, W_ih, W_hh, b_ih, b_hh, "tanh")
        hs.append(h)
    return np.stack(hs), None


@mistake("softmax_output", "softmax over the wrong axis")
def out_axis0(h, W_ho, b_o):
    z = h @ W_ho.T + b_o
    e = np.exp(z - z.max(0))
    return e / e.sum(0)


@mistake("softmax_output", "missing softmax")
def out_scores(h, W_ho, b_o):
    return h @ W_ho.T + b_o


@mistake("softmax_output", "NaN or inf")
def out_unstable(h, W_ho, b_o):
    e = np.exp(h @ W_ho.T + b_o)
    return e / e.sum(-1, keepdims=True)


@mistake("softmax_output", "bias dropped")
def out_no_bias(h, W_ho, b_o):
    z = h @ W_ho.T
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)
