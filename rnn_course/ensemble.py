"""Several independent sequence classifiers trained as one block-diagonal network.

A claim like "the plain RNN fails at this length" needs several training runs
(seeds) per point. Small recurrent networks on a CPU spend most of their time
in per-step overhead, not arithmetic, so ``k`` runs side by side cost little
more than one. :class:`Ensemble` packs ``k`` one-layer models with hidden size
``H`` into one torch.nn core of hidden size ``k H`` whose recurrent matrix is
block-diagonal:

- each block starts from the weights of its own
  :class:`rnn_course.models.SequenceModel` (``torch.manual_seed(seed + m)``);
- the off-block entries of ``W_hh`` and of the output layer ``W_hy`` start at
  zero and their gradients are masked to zero, so they stay zero: no unit of
  one member ever reads a unit of another;
- the loss is the sum of the members' mean losses, so each member's gradient
  is exactly its own; Adam's update is element-wise, so each member follows
  exactly the path it would follow trained alone on the same batches (up to
  floating-point summation order). Global-norm clipping would couple the
  members, so it is refused.

:meth:`Ensemble.members` unpacks the trained members as ordinary
``SequenceModel`` instances. See chapter 6, Applications (many-to-one).
"""

import torch
import torch.nn.functional as F
from torch import nn

from ._validate import positive_int
from .models import SequenceModel, cell_name, make_core

__all__ = ["Ensemble"]

_GATES = {"srn": 1, "gru": 3, "lstm": 4}


def _output_layer(model):
    return model.W_hy  # the output layer (O, H)


class Ensemble(nn.Module):
    """``k`` many-to-one classifiers with hidden size H in one block-diagonal core.

    Parameters
    ----------
    k : int
        Number of members (seeds).
    input_size, hidden_size, output_size : int
        D, H and O of each member.
    cell : {"srn", "gru", "lstm"}
    seed : int, default 0
        Member m is initialised as ``SequenceModel(...)`` after
        ``torch.manual_seed(seed + m)``.

    Attributes
    ----------
    rnn : torch.nn core of hidden size k H
    W_hy : nn.Linear (k H -> k O)

    Notes
    -----
    ``forward(x, targets=None) -> (logits, loss)``: ``x`` (T, B, D) float,
    ``targets`` (B,) int64; ``logits`` (k, B, O); ``loss`` = the sum over
    members of each member's mean cross-entropy. Use with
    :func:`rnn_course.train.train_sequence_model` (``clip=None``).
    """

    def __init__(self, k, input_size, hidden_size, output_size, cell, seed=0):
        super().__init__()
        cell = cell_name(cell)
        k = positive_int(k, "k")
        self.config = dict(
            k=k,
            input_size=input_size,
            hidden_size=hidden_size,
            output_size=output_size,
            cell=cell,
            seed=seed,
        )
        H, O, G = hidden_size, output_size, _GATES[cell]
        self.rnn = make_core(cell, "torch", input_size, k * H)
        self.W_hy = nn.Linear(k * H, k * O)
        member = torch.arange(k).repeat_interleave(H)  # (kH,) owner of each unit
        same = (member[:, None] == member[None, :]).float()  # (kH, kH)
        self.register_buffer("mask_hh", same.repeat(G, 1))  # (G kH, kH)
        owner_out = torch.arange(k).repeat_interleave(O)  # (kO,)
        self.register_buffer("mask_hy", (owner_out[:, None] == member[None, :]).float())
        with torch.no_grad():
            for p in self.parameters():
                p.zero_()
            for m in range(k):
                torch.manual_seed(seed + m)
                self._put(
                    m,
                    SequenceModel(input_size, H, O, cell=cell, impl="torch", task="classification"),
                )
        self.rnn.weight_hh_l0.register_hook(lambda g: g * self.mask_hh)
        self.W_hy.weight.register_hook(lambda g: g * self.mask_hy)

    def _rows(self, m):
        """Row indices of member m in the gate-stacked (G kH) layout."""
        k, H = self.config["k"], self.config["hidden_size"]
        G = _GATES[self.config["cell"]]
        return torch.cat([g * k * H + m * H + torch.arange(H) for g in range(G)])

    def _put(self, m, model):
        """Copy one SequenceModel's weights into block m (or back, see members)."""
        H, O = self.config["hidden_size"], self.config["output_size"]
        rows, cols = self._rows(m), slice(m * H, (m + 1) * H)
        src = model.rnn
        self.rnn.weight_ih_l0[rows] = src.weight_ih_l0
        self.rnn.weight_hh_l0[rows, cols] = src.weight_hh_l0
        self.rnn.bias_ih_l0[rows] = src.bias_ih_l0
        self.rnn.bias_hh_l0[rows] = src.bias_hh_l0
        out = _output_layer(model)
        self.W_hy.weight[m * O : (m + 1) * O, cols] = out.weight
        self.W_hy.bias[m * O : (m + 1) * O] = out.bias

    @torch.no_grad()
    def members(self):
        """The k trained members as ``SequenceModel(impl="torch")`` instances."""
        c = self.config
        H, O = c["hidden_size"], c["output_size"]
        out = []
        for m in range(c["k"]):
            model = SequenceModel(
                c["input_size"], H, O, cell=c["cell"], impl="torch", task="classification"
            )
            rows, cols = self._rows(m), slice(m * H, (m + 1) * H)
            model.rnn.weight_ih_l0.copy_(self.rnn.weight_ih_l0[rows])
            model.rnn.weight_hh_l0.copy_(self.rnn.weight_hh_l0[rows, cols])
            model.rnn.bias_ih_l0.copy_(self.rnn.bias_ih_l0[rows])
            model.rnn.bias_hh_l0.copy_(self.rnn.bias_hh_l0[rows])
            head = _output_layer(model)
            head.weight.copy_(self.W_hy.weight[m * O : (m + 1) * O, cols])
            head.bias.copy_(self.W_hy.bias[m * O : (m + 1) * O])
            out.append(model)
        return out

    def forward(self, x, targets=None):
        k, O = self.config["k"], self.config["output_size"]
        out, _ = self.rnn(x)  # (T, B, kH)
        logits = self.W_hy(out[-1]).reshape(-1, k, O).transpose(0, 1)  # (k, B, O)
        loss = None
        if targets is not None:
            per_member = F.cross_entropy(
                logits.reshape(-1, O), targets.repeat(k), reduction="none"
            ).reshape(k, -1)  # (k, B)
            loss = per_member.mean(1).sum()
        return logits, loss

    @torch.no_grad()
    def accuracy(self, x, y):
        """Test accuracy of every member, an ndarray of shape (k,).

        ``x`` (T, n, D) and ``y`` (n,) as NumPy arrays or tensors.
        """
        logits, _ = self(torch.as_tensor(x))  # (k, n, O)
        right = logits.argmax(-1) == torch.as_tensor(y)[None]  # (k, n)
        return right.float().mean(1).numpy()
