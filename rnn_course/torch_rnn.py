"""RNN, LSTM and GRU in PyTorch, written as the plain loop over time.

Drop-in twins of ``torch.nn.RNNCell``, ``LSTMCell``, ``GRUCell``, ``RNN``,
``LSTM`` (with ``proj_size``) and ``GRU``: the same constructor arguments and
defaults, the same parameter names (``weight_ih_l0``, ``bias_hh_l1_reverse``,
``weight_hr_l0``, cells ``weight_ih``, ...), the same initialisation (uniform on
``[-1/sqrt(H), 1/sqrt(H)]``), the same forward signature and return types. A
``state_dict`` moves between torch.nn's modules and these in both directions,
and autograd gives the gradients.

Misuse is met as torch.nn meets it: where torch.nn checks an argument, the twin
raises the same exception type with the same message (bad constructor
arguments, dtype mismatch, wrong rank, wrong feature size, wrong state shape,
batch mismatch, unbatched input with batched state). Where torch.nn fails only
by accident (an ``AttributeError`` for a list input, an ``IndexError`` for a
tensor where the LSTM wants a tuple), the twin raises a ``TypeError`` that names
the argument. Shape errors are :class:`RNNShapeError`, a ``RuntimeError`` (as in
torch.nn) that is also a ``ValueError``.

What is ours is only the loop, so a reader sees every equation:

- the input projection ``x_t W_ih^T + b_ih`` of *all* time steps is one matrix
  product per layer and direction (it does not depend on the state);
- then one small product ``h_{t-1} W_hh^T`` per step, plus the gate arithmetic.

Gate order as in torch.nn: LSTM ``i, f, g, o``; GRU ``r, z, n`` with the reset
gate applied to ``(W_hn h + b_hn)``. Shapes: T time, B batch, D input size,
H hidden size, L layers, ``num_directions`` 2 when bidirectional (else 1), G the
number of gates (1, 4, 3) and ``gate_size = G * H`` rows of ``W_ih``; time-major
``(T, B, D)`` unless ``batch_first=True``.

A :class:`~torch.nn.utils.rnn.PackedSequence` (from ``pack_padded_sequence`` or
``pack_sequence``, sorted or not) is accepted as torch.nn accepts it: the
same loop runs on the packed data, where step t holds the ``batch_sizes[t]``
sequences still running, so each sequence's state stops at its own last step;
the output is a PackedSequence with the input's ``batch_sizes`` and indices,
and the final states come back in the caller's order. ``all_weights``,
``_all_weights``, ``_flat_weights_names`` and ``_flat_weights`` are there too.

What still differs from torch.nn:

- the modules are not ``nn.RNNBase`` instances (``isinstance`` checks fail);
  ``flatten_parameters`` does nothing and ``_flat_weights`` is a read-only view;
- dropout between layers draws other random numbers than torch.nn's kernel
  (same probability, different masks);
- with packed input, torch.nn checks neither the feature size nor the state
  shapes (a wrong size returns a silent answer on the CPU); the twins raise the
  same errors as for a padded batch;
- no cuDNN or oneDNN: the loop runs step by step, slower than torch.nn
  (:func:`rnn_course.torch_lstm.lstm_sequence` writes the LSTM's backward by
  hand and comes closer).

See chapter 2 (simple recurrent network), chapter 5 (LSTM and GRU) and chapter 6
(bidirectional and deep networks, variable-length batches).
"""

import math
import numbers
import warnings

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import PackedSequence

from ._validate import tensor as check_tensor

__all__ = [
    "RNNShapeError",
    "srn_step",
    "lstm_step",
    "gru_step",
    "RNNCell",
    "LSTMCell",
    "GRUCell",
    "RNN",
    "LSTM",
    "GRU",
]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


class RNNShapeError(ValueError, RuntimeError):
    """Bad input or state shape. Both a ValueError and a RuntimeError.

    torch.nn raises ``RuntimeError`` for these, so code written for torch.nn
    catches ours too; it is also a ``ValueError``, as bad arguments are in this library.
    """


# ----------------------------------------------------------------------------- one time step


def srn_step(gi_t, h, w_hh_t, nonlinearity="tanh"):
    """One step of the simple recurrent network (SRN; torch.nn calls its module ``RNN``).

    Parameters
    ----------
    gi_t : Tensor, shape (B, H)
        Input projection ``x_t W_ih^T + b_ih + b_hh`` (both biases folded in).
    h : Tensor, shape (B, H)
        Previous state.
    w_hh_t : Tensor, shape (H, H)
        ``W_hh`` transposed.
    nonlinearity : {"tanh", "relu"}

    Returns
    -------
    h_next : Tensor, shape (B, H)

    Notes
    -----
    ``h_t = f(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)``. See chapter 2.
    """
    a = torch.addmm(gi_t, h, w_hh_t)  # (B, H)
    return torch.tanh(a) if nonlinearity == "tanh" else torch.relu(a)


def lstm_step(gi_t, h, c, w_hh_t, w_hr_t=None):
    r"""One LSTM step.

    Parameters
    ----------
    gi_t : Tensor, shape (B, 4H)
        ``x_t W_ih^T + b_ih + b_hh``, gate blocks in the order i, f, g, o.
    h : Tensor, shape (B, H), or (B, P) with a projection
        Previous hidden state.
    c : Tensor, shape (B, H)
        Previous cell state.
    w_hh_t : Tensor, shape (H, 4H), or (P, 4H)
    w_hr_t : Tensor, shape (H, P), optional
        ``W_hr`` transposed: the projection of ``torch.nn.LSTM(proj_size=P)``.

    Returns
    -------
    h_next : Tensor, shape (B, H), or (B, P)
    c_next : Tensor, shape (B, H)

    Notes
    -----
    .. math::
        i, f, o = \sigma(\cdot),\quad g = \tanh(\cdot),\quad
        c_t = f \odot c_{t-1} + i \odot g,\quad h_t = o \odot \tanh(c_t)

    The cell state is updated additively: ``dc_t/dc_{t-1} = diag(f)``. With a
    projection, ``h_t = (o \odot \tanh(c_t)) W_{hr}^T``. See chapter 5.
    """
    gates = torch.addmm(gi_t, h, w_hh_t)  # (B, 4H)
    i, f, g, o = gates.chunk(4, 1)  # each (B, H)
    c = torch.addcmul(torch.sigmoid(f) * c, torch.sigmoid(i), torch.tanh(g))  # (B, H)
    h = torch.sigmoid(o) * torch.tanh(c)  # (B, H)
    if w_hr_t is not None:
        h = h @ w_hr_t  # (B, P)
    return h, c


def gru_step(gi_t, h, w_hh_t, b_hh):
    r"""One GRU step (torch.nn's variant).

    Parameters
    ----------
    gi_t : Tensor, shape (B, 3H)
        ``x_t W_ih^T + b_ih``, gate blocks in the order r, z, n.
    h : Tensor, shape (B, H)
    w_hh_t : Tensor, shape (H, 3H)
    b_hh : Tensor, shape (3H,), or None

    Returns
    -------
    h_next : Tensor, shape (B, H)

    Notes
    -----
    .. math::
        r = \sigma(W_{ir} x + b_{ir} + W_{hr} h + b_{hr}),\quad
        z = \sigma(W_{iz} x + b_{iz} + W_{hz} h + b_{hz}),

        n = \tanh(W_{in} x + b_{in} + r \odot (W_{hn} h + b_{hn})),\quad
        h' = (1 - z) \odot n + z \odot h

    The reset gate multiplies ``W_hn h + b_hn``, bias included. See chapter 5.
    """
    gh = torch.mm(h, w_hh_t) if b_hh is None else torch.addmm(b_hh, h, w_hh_t)  # (B, 3H)
    gi_r, gi_z, gi_n = gi_t.chunk(3, 1)  # each (B, H): W_i* x + b_i*
    gh_r, gh_z, gh_n = gh.chunk(3, 1)  # each (B, H): W_h* h + b_h*
    r = torch.sigmoid(gi_r + gh_r)  # (B, H)
    z = torch.sigmoid(gi_z + gh_z)  # (B, H)
    n = torch.tanh(torch.addcmul(gi_n, r, gh_n))  # (B, H)
    return torch.lerp(n, h, z)  # (1 - z) n + z h    (B, H)


# ----------------------------------------------------------------------------- shared checks


def _check_type(value, name, kind, kind_name):
    """torch.nn's constructor check: ``TypeError: {name} should be of type {kind}, got: ...``."""
    if not isinstance(value, kind):
        raise TypeError(f"{name} should be of type {kind_name}, got: {type(value).__name__}")


def _init_uniform(module, hidden_size):
    """Uniform on ``[-1/sqrt(H), 1/sqrt(H)]`` (0 when H = 0), exactly as torch.nn."""
    k = 1.0 / math.sqrt(hidden_size) if hidden_size > 0 else 0.0
    for w in module.parameters():
        nn.init.uniform_(w, -k, k)


# ----------------------------------------------------------------------------- cells


class _CellBase(nn.Module):
    """Parameters, checks and ``repr`` shared by the three cells."""

    def __init__(self, mode, input_size, hidden_size, bias, device=None, dtype=None):
        super().__init__()
        _check_type(input_size, "input_size", int, "int")
        _check_type(hidden_size, "hidden_size", int, "int")
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        gate_size = _GATES[mode] * hidden_size  # G * H
        kw = {"device": device, "dtype": dtype}
        self.weight_ih = nn.Parameter(torch.empty(gate_size, input_size, **kw))  # (G*H, D)
        self.weight_hh = nn.Parameter(torch.empty(gate_size, hidden_size, **kw))  # (G*H, H)
        if bias:
            self.bias_ih = nn.Parameter(torch.empty(gate_size, **kw))  # (G*H,)
            self.bias_hh = nn.Parameter(torch.empty(gate_size, **kw))  # (G*H,)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Uniform on ``[-1/sqrt(H), 1/sqrt(H)]``, like torch.nn."""
        _init_uniform(self, self.hidden_size)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _prepare(self, input, states):
        """torch.nn's checks, in its order; return 2-D input, 2-D states, and whether batched.

        ``states`` is a list of the given states (or Nones); for an LSTMCell, two.
        """
        name = type(self).__name__
        check_tensor(input, "input")
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        for k, s in enumerate(states):
            if s is None:
                continue
            check_tensor(s, "hx")
            if s.dim() not in (1, 2):
                which = f"hx[{k}]" if len(states) == 2 else "hidden"
                raise ValueError(f"{name}: Expected {which} to be 1D or 2D, got {s.dim()}D instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)  # (1, D)
        B = input.shape[0]
        if input.shape[1] != self.input_size:
            raise RNNShapeError(
                f"input has inconsistent input_size: got {input.shape[1]} "
                f"expected {self.input_size}"
            )
        out = []
        for k, s in enumerate(states):
            if s is None:
                s = input.new_zeros(B, self.hidden_size)  # (B, H)
            elif not batched:
                s = s.unsqueeze(0)
            if s.shape[0] != B:
                raise RNNShapeError(
                    f"Input batch size {B} doesn't match hidden{k} batch size {s.shape[0]}"
                )
            if s.dim() > 1 and s.shape[1] != self.hidden_size:
                raise RNNShapeError(
                    f"hidden{k} has inconsistent hidden_size: got {s.shape[1]}, "
                    f"expected {self.hidden_size}"
                )
            if s.dim() != 2:
                raise RNNShapeError(
                    f"{name}: hidden{k} has shape {list(s.shape)}; expected (B, H) = "
                    f"({B}, {self.hidden_size}) for a {'batched' if batched else 'single'} input"
                )
            out.append(s)
        return input, out, batched

    def _proj(self, x, fold):
        """``x W_ih^T + b_ih`` (+ ``b_hh`` when ``fold``)."""
        b = self.bias_ih
        if fold and b is not None:
            b = b + self.bias_hh
        return F.linear(x, self.weight_ih, b)  # (B, G*H)


class RNNCell(_CellBase):
    """An Elman cell, ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` (``torch.nn.RNNCell``).

    Parameters
    ----------
    input_size : int
        D.
    hidden_size : int
        H.
    bias : bool, default True
    nonlinearity : {"tanh", "relu"}, default "tanh"
        Checked at the first forward call, as torch.nn does.

    Notes
    -----
    ``forward(input, hx=None)``: ``input`` (B, D) or (D,); ``hx`` (B, H) or
    (H,), zeros if omitted. Returns ``h'`` (B, H) or (H,).

    Attributes: ``weight_ih`` (H, D), ``weight_hh`` (H, H), ``bias_ih``,
    ``bias_hh`` (H,). See chapter 2, The simple recurrent network.
    """

    def __init__(
        self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None
    ):
        super().__init__("RNN_TANH", input_size, hidden_size, bias, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        x, (h,), batched = self._prepare(input, [hx])  # (B, D), (B, H)
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        h = srn_step(self._proj(x, fold=True), h, self.weight_hh.t(), self.nonlinearity)
        return h if batched else h.squeeze(0)


class LSTMCell(_CellBase):
    """An LSTM cell, gates i, f, g, o (``torch.nn.LSTMCell``).

    Parameters
    ----------
    input_size : int
    hidden_size : int
    bias : bool, default True

    Notes
    -----
    ``forward(input, hx=None)``: ``input`` (B, D) or (D,); ``hx`` a tuple
    ``(h, c)`` each (B, H) or (H,), zeros if omitted. Returns ``(h', c')``.

    Attributes: ``weight_ih`` (4H, D), ``weight_hh`` (4H, H), ``bias_ih``,
    ``bias_hh`` (4H,), blocks in the order input gate, forget gate, candidate g,
    output gate. See chapter 5, LSTM and GRU (equations in :func:`lstm_step`).
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, bias, device, dtype)

    def forward(self, input, hx=None):
        if hx is None:
            hx = (None, None)
        elif not isinstance(hx, tuple | list) or len(hx) != 2:
            raise TypeError(
                f"LSTMCell: hx must be a tuple (h, c) of two tensors, got {type(hx).__name__}"
            )
        x, (h, c), batched = self._prepare(input, list(hx))  # (B, D), (B, H), (B, H)
        h, c = lstm_step(self._proj(x, fold=True), h, c, self.weight_hh.t())
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(_CellBase):
    """A GRU cell, gates r, z, n (``torch.nn.GRUCell``, torch.nn's variant).

    Parameters
    ----------
    input_size : int
    hidden_size : int
    bias : bool, default True

    Notes
    -----
    ``forward(input, hx=None)``: ``input`` (B, D) or (D,); ``hx`` (B, H) or
    (H,), zeros if omitted. Returns ``h'``.

    Attributes: ``weight_ih`` (3H, D), ``weight_hh`` (3H, H), ``bias_ih``,
    ``bias_hh`` (3H,), blocks in the order reset, update, new. See chapter 5
    (equations in :func:`gru_step`).
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, bias, device, dtype)

    def forward(self, input, hx=None):
        x, (h,), batched = self._prepare(input, [hx])  # (B, D), (B, H)
        h = gru_step(self._proj(x, fold=False), h, self.weight_hh.t(), self.bias_hh)
        return h if batched else h.squeeze(0)


# ----------------------------------------------------------------------------- sequence modules


class _RNNBase(nn.Module):
    """Constructor, parameters, checks and the layer x direction x time loop of RNN, LSTM, GRU.

    Subclasses say what one step is (:meth:`_cell`) and how the input bias is folded.
    """

    def __init__(
        self,
        mode,
        input_size,
        hidden_size,
        num_layers=1,
        bias=True,
        batch_first=False,
        dropout=0.0,
        bidirectional=False,
        proj_size=0,
        device=None,
        dtype=None,
    ):
        super().__init__()
        if (
            not isinstance(dropout, numbers.Number)
            or isinstance(dropout, bool)
            or not 0 <= dropout <= 1
        ):
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the probability of "
                "an element being zeroed"
            )
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
                f"num_layers={num_layers}",
                stacklevel=3,
            )
        _check_type(bias, "bias", bool, "bool")
        _check_type(batch_first, "batch_first", bool, "bool")
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
            _check_type(value, name, int, "int")
            if value <= 0:
                raise ValueError(f"{name} must be greater than zero")
        _check_type(num_layers, "num_layers", int, "int")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        _check_type(proj_size, "proj_size", int, "int")
        if proj_size < 0:
            raise ValueError(
                "proj_size should be a positive integer or zero to disable projections"
            )
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        gate_size = _GATES[mode] * hidden_size  # G * H
        out_size = proj_size if proj_size > 0 else hidden_size  # what h_t holds: P or H
        kw = {"device": device, "dtype": dtype}
        self._all_weights = []  # parameter names per layer and direction, as in torch.nn
        for layer in range(num_layers):
            layer_in = input_size if layer == 0 else out_size * num_directions
            for direction in range(num_directions):
                sfx = f"_l{layer}" + ("_reverse" if direction == 1 else "")
                shapes = {
                    "weight_ih": (gate_size, layer_in),  # (G*H, D_l)
                    "weight_hh": (gate_size, out_size),  # (G*H, H) or (G*H, P)
                }
                if bias:
                    shapes["bias_ih"] = shapes["bias_hh"] = (gate_size,)  # (G*H,)
                if proj_size > 0:
                    shapes["weight_hr"] = (proj_size, hidden_size)  # (P, H)
                for name, shape in shapes.items():
                    self.register_parameter(name + sfx, nn.Parameter(torch.empty(shape, **kw)))
                self._all_weights.append([name + sfx for name in shapes])
        self._flat_weights_names = [n for names in self._all_weights for n in names]
        self.reset_parameters()

    @property
    def all_weights(self):
        """The parameters, one list per layer and direction (``weight_ih``, ``weight_hh``,
        ``bias_ih``, ``bias_hh``, ``weight_hr``), as ``torch.nn.RNNBase.all_weights``."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    @property
    def _flat_weights(self):
        """The parameters in ``_flat_weights_names`` order (torch.nn keeps this list too)."""
        return [getattr(self, name) for name in self._flat_weights_names]

    def reset_parameters(self):
        """Uniform on ``[-1/sqrt(H), 1/sqrt(H)]``, like torch.nn."""
        _init_uniform(self, self.hidden_size)

    def flatten_parameters(self):
        """No-op, for compatibility with torch.nn (our weights are separate tensors)."""

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    def _layer(self, layer, direction):
        """One layer and direction's weights: a dict with ``w_hh_t`` (and ``w_hr_t``) transposed."""
        sfx = f"_l{layer}" + ("_reverse" if direction == 1 else "")
        w = {"w_ih": getattr(self, "weight_ih" + sfx)}
        w["w_hh_t"] = getattr(self, "weight_hh" + sfx).t()
        w["b_ih"] = getattr(self, "bias_ih" + sfx) if self.bias else None
        w["b_hh"] = getattr(self, "bias_hh" + sfx) if self.bias else None
        w["w_hr_t"] = getattr(self, "weight_hr" + sfx).t() if self.proj_size > 0 else None
        return w

    def _state_sizes(self):
        """Last dimension of each state: (H,) or, for an LSTM, (P or H, H)."""
        return (self.hidden_size,)

    def _prepare(self, input, hx):
        """torch.nn's checks, in its order. Returns time-major input, the states, batched."""
        name = type(self).__name__
        check_tensor(input, "input")
        if input.dim() not in (2, 3):
            tensor = " tensor" if name == "RNN" else ""  # torch.nn's wording differs per class
            raise ValueError(
                f"{name}: Expected input to be 2D or 3D, got {input.dim()}D{tensor} instead"
            )
        batched = input.dim() == 3
        lstm = len(self._state_sizes()) == 2
        for s in hx:
            if s is not None:
                check_tensor(s, "hx")
        given = [s for s in hx if s is not None]
        want = 3 if batched else 2
        if given and any(s.dim() != want for s in given):
            names = "hx and cx" if lstm else "hx"
            dims = ", ".join(f"{s.dim()}-D" for s in given)
            got = f"({dims}) tensors" if lstm else f"{dims} tensor"
            raise RNNShapeError(
                f"For {'batched 3-D' if batched else 'unbatched 2-D'} input, {names} should "
                f"also be {want}-D but got {got}"
            )
        if not batched:
            input = input.unsqueeze(0 if self.batch_first else 1)
            hx = [None if s is None else s.unsqueeze(1) for s in hx]
        x = input.transpose(0, 1) if self.batch_first else input  # (T, B, D)
        self._check_input(x)
        states = self._initial_states(x, hx, x.shape[1])
        if x.shape[0] == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        return x, states, batched

    def _prepare_packed(self, input, hx):
        """torch.nn's checks for a PackedSequence. Returns data (N, D), batch sizes, states.

        As torch.nn does, given states are put in the packed (sorted) order first.
        """
        data, batch_sizes, sorted_indices, _ = input
        check_tensor(data, "input.data")
        if data.dim() != 2:
            raise RNNShapeError(f"input must have 2 dimensions, got {data.dim()}")
        for s in hx:
            if s is not None:
                check_tensor(s, "hx")
        if sorted_indices is not None:
            hx = [None if s is None else s.index_select(1, sorted_indices) for s in hx]
        self._check_input(data)
        sizes = batch_sizes.tolist()  # B_t: sequences still running at step t, non-increasing
        return data, sizes, self._initial_states(data, hx, sizes[0])

    def _check_input(self, x):
        """torch.nn's dtype and feature-size checks of the input (..., D)."""
        weight = self.weight_ih_l0
        if x.dtype != weight.dtype:
            raise ValueError(
                f"RNN input dtype ({x.dtype}) does not match weight dtype ({weight.dtype}). "
                f"Convert input: input.to({weight.dtype}), or convert model: model.to({x.dtype})"
            )
        if x.shape[-1] != self.input_size:
            raise RNNShapeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                f"got {x.shape[-1]}"
            )

    def _initial_states(self, x, hx, B):
        """The given states, checked against (L * num_directions, B, size), or zeros."""
        lstm = len(self._state_sizes()) == 2
        L = self.num_layers * (2 if self.bidirectional else 1)
        states = []
        for k, (s, size) in enumerate(zip(hx, self._state_sizes(), strict=True)):
            expected = (L, B, size)
            if s is None:
                s = x.new_zeros(expected)  # (L * num_directions, B, H)
            elif tuple(s.shape) != expected:
                which = f"hidden[{k}]" if lstm else "hidden"
                raise RNNShapeError(f"Expected {which} size {expected}, got {list(s.shape)}")
            states.append(s)
        return states

    def _run(self, input, hx):
        """Shared forward. ``hx``: list of states, each (L * num_directions, B, H) or None.

        A PackedSequence runs the same loop on its data (N, D): step t holds the first
        ``batch_sizes[t]`` sequences, so a sequence's state stops changing after its
        last step, and the result is packed again (states back in the caller's order).
        """
        packed = isinstance(input, PackedSequence)
        if packed:
            x, sizes, states = self._prepare_packed(input, hx)  # (N, D), T ints, [(L*dirs, B, H)]
        else:
            x, states, batched = self._prepare(input, hx)  # (T, B, D), [(L*dirs, B, H), ...]
            sizes = None
        output, finals = self._layers(x, sizes, states)
        if packed:
            if input.unsorted_indices is not None:
                finals = [f.index_select(1, input.unsorted_indices) for f in finals]
            return PackedSequence(output, *input[1:]), finals
        if not batched:
            return output.squeeze(1), [f.squeeze(1) for f in finals]
        if self.batch_first:
            output = output.transpose(0, 1)  # (B, T, num_directions * H)
        return output, finals

    def _layers(self, x, sizes, states):
        """The layer x direction loop. ``x`` (T, B, D), or packed data (N, D) with ``sizes``."""
        num_directions = 2 if self.bidirectional else 1
        finals = [[] for _ in states]
        layer_input = x  # (T, B, D_l) or (N, D_l)
        for layer in range(self.num_layers):
            outs = []
            for direction in range(num_directions):
                w = self._layer(layer, direction)
                gi = F.linear(layer_input, w["w_ih"], self._input_bias(w))  # (T, B, G*H)
                steps = gi.unbind(0) if sizes is None else gi.split(sizes)  # T x (B_t, G*H)
                k = layer * num_directions + direction
                state = tuple(s[k] for s in states)
                if direction == 0:
                    out, last = self._scan(steps, state, w)
                else:
                    out, last = self._scan_reverse(steps, state, w)
                outs.append(torch.stack(out) if sizes is None else torch.cat(out))  # (T, B, H)
                for f, v in zip(finals, last, strict=True):
                    f.append(v)
            layer_input = outs[0] if num_directions == 1 else torch.cat(outs, -1)  # (.., 2H)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, training=True)
        return layer_input, [torch.stack(f) for f in finals]  # each (L * num_directions, B, H)

    def _scan(self, steps, state, w):
        """Run :meth:`_cell` forward in time; return the T outputs and the final state.

        ``steps[t]`` is (B_t, G*H) with B_t non-increasing (all B without packing):
        when B_t shrinks, the sequences B_t.. have ended and their states are final.
        """
        outs, ended = [], []
        for gi_t in steps:
            b = gi_t.shape[0]
            if b < state[0].shape[0]:  # sequences b.. ended at the previous step
                ended.append(tuple(s[b:] for s in state))
                state = tuple(s[:b] for s in state)
            state = self._cell(gi_t, state, w)
            outs.append(state[0])  # (B_t, H)
        if ended:  # the final states in batch order: the longest sequences come first
            ended.append(state)
            state = tuple(torch.cat(parts[::-1]) for parts in zip(*ended, strict=True))
        return outs, state

    def _scan_reverse(self, steps, state0, w):
        """Run :meth:`_cell` backward in time: each sequence starts at its own last step."""
        state = tuple(s[: steps[-1].shape[0]] for s in state0)
        outs = []
        for gi_t in reversed(steps):
            b = gi_t.shape[0]
            if b > state[0].shape[0]:  # sequences that start here (going backward)
                state = tuple(
                    torch.cat([s, s0[s.shape[0] : b]]) for s, s0 in zip(state, state0, strict=True)
                )
            state = self._cell(gi_t, state, w)
            outs.append(state[0])  # (B_t, H)
        outs.reverse()
        return outs, state

    def _input_bias(self, w):
        """The bias added in the input projection: ``b_ih + b_hh`` (GRU: ``b_ih`` only)."""
        return None if w["b_ih"] is None else w["b_ih"] + w["b_hh"]


class RNN(_RNNBase):
    r"""Multi-layer Elman RNN, ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)``.

    Parameters
    ----------
    input_size : int
        D, the number of input features.
    hidden_size : int
        H.
    num_layers : int, default 1
        Stacked layers L; layer l > 0 reads the outputs of layer l - 1.
    nonlinearity : {"tanh", "relu"}, default "tanh"
    bias : bool, default True
        Use ``b_ih`` and ``b_hh``.
    batch_first : bool, default False
        Input and output are ``(B, T, *)``; the states stay ``(L * num_directions, B, H)``.
    dropout : float, default 0.0
        Dropout on the outputs of every layer but the last, in training mode only.
    bidirectional : bool, default False
        Add a layer running backward in time; outputs are concatenated (``2H``).
    device, dtype : optional
        Where and in which float type to create the parameters.

    Notes
    -----
    ``forward(input, hx=None)``: ``input`` (T, B, D) (or (B, T, D) with
    ``batch_first``, or unbatched (T, D)); ``hx`` (L * num_directions, B, H),
    zeros if omitted. Returns ``(output, h_n)``: output (T, B, num_directions *
    H), h_n (L * num_directions, B, H). ``input`` may be a PackedSequence; the
    output is then one too, and h_n holds each sequence's state after its own
    last step.

    Attributes: ``weight_ih_l{k}`` (H, D or num_directions * H), ``weight_hh_l{k}``
    (H, H), ``bias_ih_l{k}``, ``bias_hh_l{k}`` (H,), plus ``..._reverse`` for the
    backward direction; all uniform on ``[-1/sqrt(H), 1/sqrt(H)]``.
    See chapter 2, The simple recurrent network.
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:  # torch.nn order: D, H, L, nonlinearity, ...
            nonlinearity, args = args[3], args[:3] + args[4:]
        else:
            nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        self.nonlinearity = nonlinearity
        super().__init__("RNN_" + nonlinearity.upper(), *args, **kwargs)

    def _cell(self, gi_t, state, w):
        return (srn_step(gi_t, state[0], w["w_hh_t"], self.nonlinearity),)

    def forward(self, input, hx=None):
        output, (h_n,) = self._run(input, [hx])
        return output, h_n


class LSTM(_RNNBase):
    r"""Multi-layer LSTM, gates i, f, g, o, optionally with projections (``torch.nn.LSTM``).

    Parameters
    ----------
    input_size : int
        D, the number of input features.
    hidden_size : int
        H, the size of the cell state c.
    num_layers : int, default 1
    bias : bool, default True
    batch_first : bool, default False
    dropout : float, default 0.0
    bidirectional : bool, default False
    proj_size : int, default 0
        P > 0 projects every hidden state, ``h_t = (o_t \odot \tanh c_t) W_{hr}^T``,
        so h_t has P features (Sak et al., 2014); 0 keeps ``h_t`` of size H.
    device, dtype : optional

    Notes
    -----
    ``forward(input, hx=None)``: ``input`` as for :class:`RNN`; ``hx`` a tuple
    ``(h_0, c_0)``, h_0 (L * num_directions, B, P or H), c_0 (L * num_directions,
    B, H), zeros if omitted. Returns ``(output, (h_n, c_n))``, output (T, B,
    num_directions * (P or H)).

    Attributes: ``weight_ih_l{k}`` (4H, D or num_directions * (P or H)),
    ``weight_hh_l{k}`` (4H, P or H), ``bias_ih_l{k}``, ``bias_hh_l{k}`` (4H,),
    ``weight_hr_l{k}`` (P, H) when ``proj_size > 0``, plus ``..._reverse``.
    Equations in :func:`lstm_step`. See chapter 5, LSTM and GRU.
    """

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def _state_sizes(self):
        return (self.proj_size or self.hidden_size, self.hidden_size)

    def _cell(self, gi_t, state, w):
        return lstm_step(gi_t, state[0], state[1], w["w_hh_t"], w["w_hr_t"])

    def forward(self, input, hx=None):
        if hx is None:
            hx = (None, None)
        elif not isinstance(hx, tuple | list):
            raise TypeError(f"LSTM: hx must be a tuple (h_0, c_0), got {type(hx).__name__}")
        elif len(hx) != 2:
            raise RuntimeError("lstm expects two hidden states")
        output, (h_n, c_n) = self._run(input, list(hx))
        return output, (h_n, c_n)


class GRU(_RNNBase):
    r"""Multi-layer GRU, gates r, z, n, torch.nn's variant (``torch.nn.GRU``).

    Parameters
    ----------
    input_size : int
    hidden_size : int
    num_layers : int, default 1
    bias : bool, default True
    batch_first : bool, default False
    dropout : float, default 0.0
    bidirectional : bool, default False
    device, dtype : optional

    Notes
    -----
    ``forward(input, hx=None)`` as for :class:`RNN`; returns ``(output, h_n)``.

    Attributes: ``weight_ih_l{k}`` (3H, D or num_directions * H), ``weight_hh_l{k}``
    (3H, H), ``bias_ih_l{k}``, ``bias_hh_l{k}`` (3H,), plus ``..._reverse``.
    Equations in :func:`gru_step`. See chapter 5, LSTM and GRU.
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def _input_bias(self, w):
        return w["b_ih"]  # b_hh stays inside the step: r multiplies (W_hn h + b_hn)

    def _cell(self, gi_t, state, w):
        return (gru_step(gi_t, state[0], w["w_hh_t"], w["b_hh"]),)

    def forward(self, input, hx=None):
        output, (h_n,) = self._run(input, [hx])
        return output, h_n
