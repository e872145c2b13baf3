"""Trusted harness of lesson 06: the character model and a run of a training step.

``train_step_run(fn, ...)`` builds a seeded model, optimizer and two chunks,
calls ``fn`` (the learner's ``tbptt_train_step``, or a catalogued mistake) on
both chunks, carrying the returned state, and returns what happened as plain
data (losses, parameters, gradients, requires_grad flags). The grader runs it
in the learner's process (``probes.in_learner``); the checks run it on the
reference and on each mistake in their own process, and compare.
"""

import numpy as np
import torch
from torch import nn

VOCAB, HIDDEN, T, B = 7, 8, 5, 2


class CharRNN(nn.Module):
    """A character model: one-hot input, a tanh ``nn.RNN``, a linear output layer ``W_hy``.

    ``forward(x, h)`` takes token ids x (T, B) and a state h (1, B, H) (or None)
    and returns ``(logits, h_next)``: logits (T, B, V) and h_next (1, B, H).
    """

    def __init__(self, vocab_size=VOCAB, hidden_size=HIDDEN):
        super().__init__()
        self.vocab_size = vocab_size
        self.rnn = nn.RNN(vocab_size, hidden_size)
        self.W_hy = nn.Linear(hidden_size, vocab_size)

    def forward(self, x, h=None):
        one_hot = nn.functional.one_hot(x, self.vocab_size).to(self.W_hy.weight.dtype)
        out, h_next = self.rnn(one_hot, h)  # (T, B, H), (1, B, H)
        return self.W_hy(out), h_next  # (T, B, V), (1, B, H)

    def numpy_params(self):
        """The weights as float64 arrays named as in ``sample_tokens``."""
        names = {"W_ih": self.rnn.weight_ih_l0, "W_hh": self.rnn.weight_hh_l0}
        names |= {"b_ih": self.rnn.bias_ih_l0, "b_hh": self.rnn.bias_hh_l0}
        names |= {"W_hy": self.W_hy.weight, "b_hy": self.W_hy.bias}
        return {k: v.detach().double().numpy().copy() for k, v in names.items()}


class SGD:
    """Plain SGD with ``torch.optim.SGD``'s interface (``zero_grad``, ``step``, ``param_groups``).

    The checks' optimizer: the same update as ``torch.optim.SGD(params, lr)``, but the
    first ``torch.optim`` optimizer of a process imports ``torch._dynamo`` (seconds),
    which would eat the exercise's time limit. The capstone uses ``torch.optim.Adam``.
    """

    def __init__(self, params, lr):
        self.param_groups = [{"params": list(params), "lr": lr}]

    def zero_grad(self, set_to_none=True):
        for p in self.param_groups[0]["params"]:
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad.detach_().zero_()

    @torch.no_grad()
    def step(self, closure=None):
        group = self.param_groups[0]
        for p in group["params"]:
            if p.grad is not None:
                p.add_(p.grad, alpha=-group["lr"])


def _setup(seed):
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = CharRNN().double()
        x = torch.randint(0, VOCAB, (2, T, B))  # two chunks
        y = torch.randint(0, VOCAB, (2, T, B))
        h = torch.randn(1, B, HIDDEN, dtype=torch.float64)
    for p in model.parameters():  # stale gradients from a previous step
        p.grad = torch.ones_like(p)
    return model, SGD(model.parameters(), lr=0.5), x, y, h


def _describe(loss):
    if isinstance(loss, torch.Tensor):
        return "tensor", float(loss.detach()) if loss.numel() == 1 else None
    if isinstance(loss, (float, int, np.floating)) and not isinstance(loss, bool):
        return "float", float(loss)
    return type(loss).__name__, None


def train_step_run(fn, seed=0, max_norm=0.1, chunks=2):
    """Call ``fn(model, optimizer, x, y, h, max_norm)`` on ``chunks`` chunks; report as data.

    Returns a list with one dict per call: ``returned`` (str, what came back),
    ``loss_type``, ``loss``, ``h_shape``, ``h_requires_grad``, ``h_next``,
    ``params`` {name: ndarray} and ``grads`` {name: ndarray or None} after the call.
    The run stops after a call whose state still requires grad.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a tiny model: threads only add overhead (and contention)
    try:
        return _run(fn, seed, max_norm, chunks)
    finally:
        torch.set_num_threads(threads)


def _run(fn, seed, max_norm, chunks):
    model, opt, xs, ys, h = _setup(seed)
    steps = []
    for k in range(chunks):
        out = fn(model, opt, xs[k], ys[k], h, max_norm)
        record = {"returned": type(out).__name__, "params": {}, "grads": {}}
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            steps.append(record)
            break
        loss, h = out
        record["loss_type"], record["loss"] = _describe(loss)
        is_tensor = isinstance(h, torch.Tensor)
        record["h_shape"] = list(h.shape) if is_tensor else None
        record["h_requires_grad"] = bool(is_tensor and h.requires_grad)
        record["h_next"] = h.detach().numpy().copy() if is_tensor else None
        for name, p in model.named_parameters():
            record["params"][name] = p.detach().numpy().copy()
            record["grads"][name] = None if p.grad is None else p.grad.numpy().copy()
        steps.append(record)
        if not is_tensor or h.requires_grad:
            break
    return steps
