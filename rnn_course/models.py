"""Models built around a recurrent core: a character language model and a sequence model.

Both follow nanoGPT's contract ``forward(idx, targets=None) -> (logits, loss)``
(``loss`` is None without targets), so they swap in one training loop. The
recurrent core is any of ours (:mod:`rnn_course.torch_rnn`, ``impl="ours"``) or
torch.nn's (``impl="torch"``); both have the same parameters, so a trained
model moves between the two with ``load_state_dict``.

Time-major, like the rest of the library: token ids ``(T, B)``, not nanoGPT's ``(B, T)``.
See chapter 6, Applications.
"""

import warnings

import torch
import torch.nn.functional as F
from torch import nn

from . import torch_rnn
from ._validate import positive_int

__all__ = [
    "CELLS",
    "MIN_CELLS",
    "IMPLS",
    "cell_name",
    "make_core",
    "map_state",
    "detach_state",
    "CharLM",
    "SequenceModel",
]

CELLS = ("srn", "lstm", "gru")
MIN_CELLS = ("mingru", "minlstm")  # chapter 7: rnn_course.torch_min_rnn, impl="ours" only
IMPLS = ("ours", "torch")
_MODULE_NAME = {"srn": "RNN", "lstm": "LSTM", "gru": "GRU"}  # torch.nn's class names


def cell_name(cell):
    """Check a recurrent cell's name; return it. ``"srn"`` is the simple (Elman) network.

    The old name ``"rnn"`` still works, with a ``DeprecationWarning``: the
    library calls the simple recurrent network ``srn`` everywhere (``srn_forward``,
    :func:`rnn_course.torch_rnn.srn_step`, ``cell="srn"``); only the torch.nn
    twins keep torch's class names ``RNN`` and ``RNNCell``.
    """
    if cell == "rnn":
        warnings.warn(
            'cell="rnn" is now cell="srn" (the simple recurrent network)',
            DeprecationWarning,
            stacklevel=3,
        )
        return "srn"
    if cell not in CELLS + MIN_CELLS:
        known = CELLS + MIN_CELLS
        raise ValueError(f"cell: unknown recurrent cell {cell!r}; choose one of {known}")
    return cell


def make_core(cell, impl, input_size, hidden_size, num_layers=1, dropout=0.0, **kwargs):
    """Build a recurrent core by name.

    Parameters
    ----------
    cell : {"srn", "lstm", "gru", "mingru", "minlstm"}
        ``"srn"`` is the Elman network (``RNN``, tanh unless ``nonlinearity="relu"``); the
        last two are the minimal cells of :mod:`rnn_course.torch_min_rnn` (chapter 7), only
        with ``impl="ours"``.
    impl : {"ours", "torch"}
        :mod:`rnn_course.torch_rnn` or ``torch.nn``.
    input_size, hidden_size, num_layers, dropout, **kwargs
        Passed to the constructor (torch.nn's argument names).

    Returns
    -------
    nn.Module
        ``RNN``, ``LSTM`` or ``GRU`` from the chosen implementation.
    """
    cell = cell_name(cell)
    if impl not in IMPLS:
        raise ValueError(f"impl: unknown implementation {impl!r}; choose one of {IMPLS}")
    if cell in MIN_CELLS:
        if impl != "ours":
            raise ValueError(f"impl: torch.nn has no {cell}; use impl='ours'")
        from . import torch_min_rnn

        cls = {"mingru": torch_min_rnn.MinGRU, "minlstm": torch_min_rnn.MinLSTM}[cell]
        return cls(input_size, hidden_size, num_layers=num_layers, dropout=dropout, **kwargs)
    module = torch_rnn if impl == "ours" else nn
    cls = getattr(module, _MODULE_NAME[cell])
    return cls(input_size, hidden_size, num_layers=num_layers, dropout=dropout, **kwargs)


def map_state(fn, state):
    """Apply ``fn`` to every tensor of a recurrent state: a tensor, a tuple ``(h, c)``, or None."""
    if state is None:
        return None
    if torch.is_tensor(state):
        return fn(state)
    return tuple(fn(s) for s in state)


def detach_state(state):
    """Cut the graph behind a state (tensor, tuple of tensors, or None), keeping its values.

    Truncated BPTT carries the values of the state into the next chunk, but the
    gradient stops here. See chapter 3, Truncated backpropagation through time.
    """
    return map_state(torch.Tensor.detach, state)


class CharLM(nn.Module):
    """Character language model: embedding -> recurrent core -> linear.

    Parameters
    ----------
    vocab_size : int
        V.
    hidden_size : int, default 128
        H.
    cell : {"lstm", "gru", "srn"}, default "lstm"
    impl : {"ours", "torch"}, default "ours"
    num_layers : int, default 1
    embedding_dim : int, optional
        E; defaults to ``hidden_size``.
    dropout : float, default 0.0
        Dropout between stacked layers and before the output layer.

    Attributes
    ----------
    config : dict
        The constructor arguments (stored in checkpoints, compared on resume).
    embed : nn.Embedding (V, E)
    rnn : the recurrent core
    W_hy : nn.Linear (H -> V)
        The output layer: ``W_hy.weight`` (V, H), ``W_hy.bias`` (V,).

    Notes
    -----
    ``forward(idx, targets=None, state=None, return_state=False)``:

    - ``idx`` (T, B) int64 token ids (time-major), or (T,) for one sequence;
    - ``targets`` like ``idx``: the next tokens; the loss is the mean cross-entropy
      in nats per token;
    - ``state``: the recurrent state to start from (None = zeros); for an LSTM a
      tuple ``(h, c)``, each (L, B, H);
    - returns ``(logits, loss)`` with logits (T, B, V); with ``return_state=True``
      returns ``(logits, loss, state)`` -- the final state, to pass into the next
      call (after :func:`detach_state` when training with truncated BPTT).

    See chapter 6, Applications (character-level language model).
    """

    def __init__(
        self,
        vocab_size,
        hidden_size=128,
        cell="lstm",
        impl="ours",
        num_layers=1,
        embedding_dim=None,
        dropout=0.0,
    ):
        super().__init__()
        vocab_size = positive_int(vocab_size, "vocab_size", 2)
        embedding_dim = hidden_size if embedding_dim is None else embedding_dim
        cell = cell_name(cell)
        self.config = dict(
            vocab_size=vocab_size,
            hidden_size=hidden_size,
            cell=cell,
            impl=impl,
            num_layers=num_layers,
            embedding_dim=embedding_dim,
            dropout=dropout,
        )
        self.embed = nn.Embedding(vocab_size, embedding_dim)
        self.rnn = make_core(cell, impl, embedding_dim, hidden_size, num_layers, dropout)
        self.drop = nn.Dropout(dropout)
        self.W_hy = nn.Linear(hidden_size, vocab_size)  # output layer, weight (V, H)

    def forward(self, idx, targets=None, state=None, return_state=False):
        if not torch.is_tensor(idx) or idx.dtype not in (torch.int64, torch.int32):
            raise TypeError(f"idx: expected an int64 tensor of token ids (T, B), got {idx!r:.80}")
        if idx.dim() not in (1, 2):
            raise ValueError(f"idx: expected shape (T, B) or (T,), got {tuple(idx.shape)}")
        V = self.config["vocab_size"]
        if idx.numel() and (idx.min() < 0 or idx.max() >= V):
            raise ValueError(f"idx: token ids must lie in [0, {V}), got [{idx.min()}, {idx.max()}]")
        x = self.embed(idx)  # (T, B, E)
        out, state = self.rnn(x, state)  # (T, B, H)
        logits = self.W_hy(self.drop(out))  # (T, B, V)
        loss = None
        if targets is not None:
            if targets.shape != idx.shape:
                raise ValueError(
                    f"targets: expected the shape of idx {tuple(idx.shape)}, "
                    f"got {tuple(targets.shape)}"
                )
            loss = F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1))
        return (logits, loss, state) if return_state else (logits, loss)


class SequenceModel(nn.Module):
    """A recurrent core with a linear read-out, for the synthetic tasks.

    Parameters
    ----------
    input_size : int
        D.
    hidden_size : int
        H.
    output_size : int
        O: 1 for regression of one number, the number of classes for classification.
    cell : {"lstm", "gru", "srn"}, default "lstm"
    impl : {"ours", "torch"}, default "ours"
    num_layers : int, default 1
    task : {"regression", "classification"}, default "regression"
        Mean squared error, or cross-entropy (targets -1 are ignored).
    many_to_many : bool, default False
        Read out every step (output (T, B, O)) instead of only the last one (B, O).
    bidirectional : bool, default False

    Notes
    -----
    ``forward(x, targets=None) -> (out, loss)`` with ``x`` (T, B, D) float. For
    regression with ``output_size == 1`` the last axis is dropped, so ``out`` is
    (B,) (or (T, B)), matching targets such as :func:`rnn_course.data.tasks.adding_problem`'s.
    See chapter 5 (long-lag experiments) and chapter 6 (sequence classification).
    """

    TASKS = ("regression", "classification")

    def __init__(
        self,
        input_size,
        hidden_size,
        output_size,
        cell="lstm",
        impl="ours",
        num_layers=1,
        task="regression",
        many_to_many=False,
        bidirectional=False,
    ):
        super().__init__()
        if task not in self.TASKS:
            raise ValueError(f"task: unknown task {task!r}; choose one of {self.TASKS}")
        cell = cell_name(cell)
        self.config = dict(
            input_size=input_size,
            hidden_size=hidden_size,
            output_size=output_size,
            cell=cell,
            impl=impl,
            num_layers=num_layers,
            task=task,
            many_to_many=many_to_many,
            bidirectional=bidirectional,
        )
        self.rnn = make_core(
            cell, impl, input_size, hidden_size, num_layers, bidirectional=bidirectional
        )
        num_directions = 2 if bidirectional else 1
        # output layer, weight (O, num_directions * H)
        self.W_hy = nn.Linear(num_directions * hidden_size, output_size)

    def forward(self, x, targets=None):
        out, _ = self.rnn(x)  # (T, B, num_directions * H)
        if not self.config["many_to_many"]:
            out = out[-1]  # (B, num_directions * H)
        y = self.W_hy(out)  # (B, O) or (T, B, O)
        regression = self.config["task"] == "regression"
        if regression and self.config["output_size"] == 1:
            y = y.squeeze(-1)  # (B,) or (T, B)
        loss = None
        if targets is not None:
            if regression:
                if targets.shape != y.shape:
                    raise ValueError(
                        f"targets: expected shape {tuple(y.shape)}, got {tuple(targets.shape)}"
                    )
                loss = F.mse_loss(y, targets.to(y.dtype))
            else:
                O = self.config["output_size"]
                loss = F.cross_entropy(y.reshape(-1, O), targets.reshape(-1), ignore_index=-1)
        return y, loss
