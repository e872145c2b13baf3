# ruff: noqa: E402, E501
# Sandboxed path: the library's own LSTM step, rnn_course.torch_rnn.lstm_step (not named like
# the exercise, so not tripwired), answers lstm_step_forward; autograd through it answers
# lstm_step_backward.
LESSON = "05"
_HEAD = """
import numpy as np
import torch
from rnn_course.torch_rnn import lstm_step
"""
CELLS = {
    "lstm_step_forward": _HEAD
    + """

def lstm_step_forward(x, h_prev, c_prev, W_ih, W_hh, b_ih, b_hh):
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in
         dict(x=x, h_prev=h_prev, c_prev=c_prev, W_ih=W_ih, W_hh=W_hh, b_ih=b_ih, b_hh=b_hh).items()}
    gi = t["x"] @ t["W_ih"].T + t["b_ih"] + t["b_hh"]
    h, c = lstm_step(gi, t["h_prev"], t["c_prev"], t["W_hh"].T)
    cache = {"t": t, "h": h, "c": c}
    return h.detach().numpy().copy(), c.detach().numpy().copy(), cache
""",
    "lstm_step_backward": _HEAD
    + """

def lstm_step_backward(dh_next, dc_next, cache):
    t = cache["t"]
    names = ["x", "h_prev", "c_prev", "W_ih", "W_hh", "b_ih", "b_hh"]
    g = torch.autograd.grad([cache["h"], cache["c"]], [t[k] for k in names],
                            [torch.tensor(dh_next), torch.tensor(dc_next)], retain_graph=True)
    d = {k: v.numpy().copy() for k, v in zip(names, g)}
    return d["x"], d["h_prev"], d["c_prev"], d["W_ih"], d["W_hh"], d["b_ih"], d["b_hh"]
""",
}
