"""Checks of lesson 05: LSTM and GRU, step and sequence, forward and backward.

Weights in torch layout with gate blocks stacked along the first axis (LSTM
i, f, g, o; GRU r, z, n). A backward check runs the learner's own forward first
(a wrong forward is reported as such) and hands its cache to the learner's
backward; the solution and the catalogued mistakes run on the solution's cache.
"""

from rnn_grade.probes import expect_backward as _expect_backward
from rnn_grade.probes import expect_outputs, randn
from rnn_grade.registry import Exercise

PACKAGE = "rnn_grade.lessons.l05_lstm"
LSTM_GRADS = ("dx", "dh_prev", "dc_prev", "dW_ih", "dW_hh", "db_ih", "db_hh")
SEQ_GRADS = ("dx", "dh0", "dc0", "dW_ih", "dW_hh", "db_ih", "db_hh")
GRU_GRADS = ("dx", "dh_prev", "dW_ih", "dW_hh", "db_ih", "db_hh")

lstm_step_ex = Exercise(
    "lstm_step_forward",
    "05",
    "rnn_course.numpy_rnn:lstm_step_forward",
    returns=("h_next", "c_next", "cache"),
)
lstm_step_back_ex = Exercise(
    "lstm_step_backward",
    "05",
    "rnn_course.numpy_rnn:lstm_step_backward",
    returns=LSTM_GRADS,
    forward="lstm_step_forward",
)
lstm_seq_ex = Exercise(
    "lstm_forward",
    "05",
    "rnn_course.numpy_rnn:lstm_forward",
    returns=("h", "c", "cache"),
    builds_on=("lstm_step_forward",),
)
lstm_seq_back_ex = Exercise(
    "lstm_backward",
    "05",
    "rnn_course.numpy_rnn:lstm_backward",
    returns=SEQ_GRADS,
    forward="lstm_forward",
    builds_on=("lstm_step_backward",),
)
gru_step_ex = Exercise(
    "gru_step_forward", "05", "rnn_course.numpy_rnn:gru_step_forward", returns=("h_next", "cache")
)
gru_step_back_ex = Exercise(
    "gru_step_backward",
    "05",
    "rnn_course.numpy_rnn:gru_step_backward",
    returns=GRU_GRADS,
    forward="gru_step_forward",
)


def expect_backward(exercise, fn, forward_args, upstream, compare=None):
    """``probes.expect_backward``, but an untouched backward stub is "not implemented".

    (The forward's checks come first otherwise: with both stubs left in, the
    backward's own stub is the news.)
    """
    try:
        fn(**upstream, cache=None)
    except NotImplementedError:
        raise
    except Exception:  # noqa: BLE001, S110 - a real backward cannot take cache=None
        pass
    _expect_backward(exercise, fn, forward_args, upstream, compare)


def layer_args(name, G, T=None, B=3, D=4, H=5, x=1.0, h=1.0, lstm=True):
    """Probe inputs of one step (T None) or a sequence; ``x``, ``h`` scale input and state."""
    seq = T is not None
    args = {"x": randn(name + "x", *((T, B) if seq else (B,)), D) * x}
    args["h0" if seq else "h_prev"] = randn(name + "h", B, H) * h
    if lstm:
        args["c0" if seq else "c_prev"] = randn(name + "c", B, H) * h
    args["W_ih"] = randn(name + "Wih", G * H, D, scale=0.5)
    args["W_hh"] = randn(name + "Whh", G * H, H, scale=0.5)
    args["b_ih"] = randn(name + "bih", G * H, scale=0.5)
    args["b_hh"] = randn(name + "bhh", G * H, scale=0.5)
    return args


# ------------------------------------------------------------------ LSTM step


@lstm_step_ex.check
def lstm_full(fn):
    """one step: h_next = o ⊙ tanh(c_next), c_next = f ⊙ c_prev + i ⊙ g (D = 4, H = 5)"""
    expect_outputs(lstm_step_ex, fn, layer_args("lfull", 4))


@lstm_step_ex.check
def lstm_square(fn):
    """D = H = 5 (x and h_prev of the same size)"""
    expect_outputs(lstm_step_ex, fn, layer_args("lsquare", 4, D=5))


@lstm_step_ex.check
def lstm_zero_state(fn):
    """h_prev = c_prev = 0: only the input and the biases act"""
    expect_outputs(lstm_step_ex, fn, layer_args("lzero", 4, h=0.0))


# ------------------------------------------------------------------ LSTM step backward


def _upstream(name, B=3, H=5, cell=True):
    up = {"dh_next": randn(name + "dh", B, H)}
    if cell:
        up["dc_next"] = randn(name + "dc", B, H)
    return up


@lstm_step_back_ex.check
def lstm_back_state(fn):
    """dh_prev and dc_prev (the additive path), on your forward's cache"""
    args = layer_args("lbstate", 4)
    expect_backward(
        lstm_step_back_ex, fn, args, _upstream("lbstate"), compare=("dh_prev", "dc_prev")
    )


@lstm_step_back_ex.check
def lstm_back_all(fn):
    """all seven gradients (dx, dh_prev, dc_prev, dW_ih, dW_hh, db_ih, db_hh)"""
    expect_backward(lstm_step_back_ex, fn, layer_args("lball", 4), _upstream("lball"))


@lstm_step_back_ex.check
def lstm_back_square(fn):
    """all gradients with D = H = 5"""
    args = layer_args("lbsquare", 4, D=5)
    expect_backward(lstm_step_back_ex, fn, args, _upstream("lbsquare"))


# ------------------------------------------------------------------ LSTM sequence


@lstm_seq_ex.check
def lstm_seq_one(fn):
    """T = 1 is one step from (h0, c0)"""
    expect_outputs(lstm_seq_ex, fn, layer_args("lsone", 4, T=1))


@lstm_seq_ex.check
def lstm_seq_carry(fn):
    """h and c carried from step to step (T = 4): h and c of shape (T, B, H)"""
    expect_outputs(lstm_seq_ex, fn, layer_args("lscarry", 4, T=4))


@lstm_seq_ex.check
def lstm_seq_zero_input(fn):
    """x = 0 (T = 3): the states alone carry the sequence"""
    expect_outputs(lstm_seq_ex, fn, layer_args("lszero", 4, T=3, x=0.0))


# ------------------------------------------------------------------ LSTM backward


def _seq_upstream(name, T, B=3, H=5):
    return {"dh": randn(name + "dh", T, B, H)}


@lstm_seq_back_ex.check
def lstm_bptt_last(fn):
    """gradient on the last state only (T = 4): it must flow back to dh0, dc0 and dx[0]"""
    args = layer_args("lblast", 4, T=4)
    up = _seq_upstream("lblast", 4)
    up["dh"][:-1] = 0.0
    expect_backward(lstm_seq_back_ex, fn, args, up)


@lstm_seq_back_ex.check
def lstm_bptt_all(fn):
    """gradients on every state (T = 4): all seven results"""
    expect_backward(lstm_seq_back_ex, fn, layer_args("lsball", 4, T=4), _seq_upstream("lsball", 4))


@lstm_seq_back_ex.check
def lstm_bptt_square(fn):
    """D = H = 5, T = 3"""
    args = layer_args("lbsq", 4, T=3, D=5)
    expect_backward(lstm_seq_back_ex, fn, args, _seq_upstream("lbsq", 3))


# ------------------------------------------------------------------ GRU step


@gru_step_ex.check
def gru_full(fn):
    """h_next = (1 - z) ⊙ n + z ⊙ h_prev, n = tanh(a_n + r ⊙ (W_hn h + b_hn)) (D = 4, H = 5)"""
    expect_outputs(gru_step_ex, fn, layer_args("gfull", 3, lstm=False))


@gru_step_ex.check
def gru_zero_input(fn):
    """x = 0: only the recurrent path and the biases act"""
    expect_outputs(gru_step_ex, fn, layer_args("gzero", 3, x=0.0, lstm=False))


@gru_step_ex.check
def gru_square(fn):
    """D = H = 5"""
    expect_outputs(gru_step_ex, fn, layer_args("gsquare", 3, D=5, lstm=False))


# ------------------------------------------------------------------ GRU step backward


@gru_step_back_ex.check
def gru_back_state(fn):
    """dh_prev (the direct path z ⊙ h_prev and the gates), on your forward's cache"""
    args = layer_args("gbstate", 3, lstm=False)
    up = _upstream("gbstate", cell=False)
    expect_backward(gru_step_back_ex, fn, args, up, compare=("dh_prev",))


@gru_step_back_ex.check
def gru_back_all(fn):
    """all six gradients (dx, dh_prev, dW_ih, dW_hh, db_ih, db_hh)"""
    args = layer_args("gball", 3, lstm=False)
    expect_backward(gru_step_back_ex, fn, args, _upstream("gball", cell=False))


@gru_step_back_ex.check
def gru_back_square(fn):
    """all gradients with D = H = 5"""
    args = layer_args("gbsq", 3, D=5, lstm=False)
    expect_backward(gru_step_back_ex, fn, args, _upstream("gbsq", cell=False))
