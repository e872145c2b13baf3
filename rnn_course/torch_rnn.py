"""RNN, LSTM and GRU in PyTorch, written as the plain loop over time.

Drop-in twins of ``torch.nn.RNNCell``, ``LSTMCell``, ``GRUCell``, ``RNN``,
``LSTM`` and ``GRU``: the same constructor arguments and defaults, the same
parameter names (``weight_ih_l0``, ``bias_hh_l1_reverse``, cells ``weight_ih``, ...),
the same initialisation (uniform on ``[-1/sqrt(H), 1/sqrt(H)]``), the same
forward signature and return types. A ``state_dict`` moves between torch.nn's
modules and these in both directions, and autograd gives the gradients.

What is ours is only the loop, so a reader sees every equation:

- the input projection ``x_t W_ih^T + b_ih`` of *all* time steps is one matrix
  product per layer and direction (it does not depend on the state);
- then one small product ``h_{t-1} W_hh^T`` per step, plus the gate arithmetic.

Gate order as in torch.nn: LSTM ``i, f, g, o``; GRU ``r, z, n`` with the reset
gate applied to ``(W_hn h + b_hn)``. Shapes: T time, B batch, D input size,
H hidden size, L layers, ``num_directions`` 2 when bidirectional (else 1), G the
number of gates (1, 4, 3) and ``gate_size = G * H`` rows of ``W_ih``; time-major
``(T, B, D)`` unless ``batch_first=True``.

See chapter 2 (simple recurrent network), chapter 5 (LSTM and GRU) and chapter 6
(bidirectional and deep networks).
"""

import math
import numbers
import warnings

import torch
import torch.nn.functional as F
from torch import nn

__all__ = [
    "RNNShapeError",
    "rnn_step",
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


def rnn_step(gi_t, h, w_hh_t, nonlinearity="tanh"):
    """One step of the simple recurrent network.

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


def lstm_step(gi_t, h, c, w_hh_t):
    """One LSTM step.

    Parameters
    ----------
    gi_t : Tensor, shape (B, 4H)
        ``x_t W_ih^T + b_ih + b_hh``, gate blocks in the order i, f, g, o.
    h, c : Tensor, shape (B, H)
        Previous hidden and cell state.
    w_hh_t : Tensor, shape (H, 4H)

    Returns
    -------
    h_next, c_next : Tensor, shape (B, H)

    Notes
    -----
    .. math::
        i, f, o = \\sigma(\\cdot),\\quad g = \\tanh(\\cdot),\\quad
        c_t = f \\odot c_{t-1} + i \\odot g,\\quad h_t = o \\odot \\tanh(c_t)

    The cell state is updated additively: ``dc_t/dc_{t-1} = diag(f)``. See chapter 5.
    """
    gates = torch.addmm(gi_t, h, w_hh_t)  # (B, 4H)
    i, f, g, o = gates.chunk(4, 1)  # each (B, H)
    c = torch.addcmul(torch.sigmoid(f) * c, torch.sigmoid(i), torch.tanh(g))  # (B, H)
    h = torch.sigmoid(o) * torch.tanh(c)  # (B, H)
    return h, c


def gru_step(gi_t, h, w_hh_t, b_hh):
    """One GRU step (torch.nn's variant).

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
        r = \\sigma(W_{ir} x + b_{ir} + W_{hr} h + b_{hr}),\\quad
        z = \\sigma(W_{iz} x + b_{iz} + W_{hz} h + b_{hz}),

        n = \\tanh(W_{in} x + b_{in} + r \\odot (W_{hn} h + b_{hn})),\\quad
        h' = (1 - z) \\odot n + z \\odot h

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


def _check_sizes(input_size, hidden_size):
    for name, v in (("input_size", input_size), ("hidden_size", hidden_size)):
        if not isinstance(v, numbers.Integral) or isinstance(v, bool):
            raise TypeError(f"{name} should be of type int, got: {type(v).__name__}")
        if v <= 0:
            raise ValueError(f"{name} must be greater than zero, got {v}")


def _check_nonlinearity(nonlinearity):
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")


def _check_float(x, name):
    if not torch.is_tensor(x):
        raise TypeError(f"{name}: expected a torch.Tensor, got {type(x).__name__}")
    if not x.is_floating_point():
        raise TypeError(f"{name}: expected a floating-point tensor, got dtype {x.dtype}")


# ----------------------------------------------------------------------------- cells


class _CellBase(nn.Module):
    def __init__(self, mode, input_size, hidden_size, bias, device=None, dtype=None):
        super().__init__()
        _check_sizes(input_size, hidden_size)
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
        k = 1.0 / math.sqrt(self.hidden_size)
        for w in self.parameters():
            nn.init.uniform_(w, -k, k)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _prepare(self, input, states):
        """Check input and states; return 2-D versions and whether input was batched."""
        name = type(self).__name__
        _check_float(input, "input")
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if input.shape[-1] != self.input_size:
            raise RNNShapeError(
                f"input has inconsistent input_size: got {input.shape[-1]} "
                f"expected {self.input_size}"
            )
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        B = input.shape[0]
        out = []
        for k, s in enumerate(states):
            if s is None:
                s = input.new_zeros(B, self.hidden_size)
            else:
                _check_float(s, "hx")
                if batched and s.dim() != 2 or not batched and s.dim() != 1:
                    raise RNNShapeError(
                        f"{name}: Expected hidden[{k}] to be {2 if batched else 1}D for "
                        f"{2 if batched else 1}D input, got {s.dim()}D instead"
                    )
                if not batched:
                    s = s.unsqueeze(0)
                if s.shape[0] != B:
                    raise RNNShapeError(
                        f"Input batch size {B} doesn't match hidden{k} batch size {s.shape[0]}"
                    )
                if s.shape[1] != self.hidden_size:
                    raise RNNShapeError(
                        f"hidden{k} has inconsistent hidden_size: got {s.shape[1]}, "
                        f"expected {self.hidden_size}"
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
    """An Elman cell: ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)``.

    Parameters
    ----------
    input_size : int
        D.
    hidden_size : int
        H.
    bias : bool, default True
    nonlinearity : {"tanh", "relu"}, default "tanh"

    Inputs: ``input`` (B, D) or (D,); ``hx`` (B, H) or (H,), zeros if omitted.
    Returns ``h'`` (B, H) or (H,).

    Attributes: ``weight_ih`` (H, D), ``weight_hh`` (H, H), ``bias_ih``, ``bias_hh`` (H,).
    See chapter 2, The simple recurrent network.
    """

    def __init__(
        self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None
    ):
        _check_nonlinearity(nonlinearity)
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH", input_size, hidden_size, bias, device, dtype)

    def forward(self, input, hx=None):
        x, (h,), batched = self._prepare(input, [hx])  # (B, D), (B, H)
        h = rnn_step(self._proj(x, fold=True), h, self.weight_hh.t(), self.nonlinearity)
        return h if batched else h.squeeze(0)


class LSTMCell(_CellBase):
    """An LSTM cell (gates i, f, g, o).

    Parameters
    ----------
    input_size : int
    hidden_size : int
    bias : bool, default True

    Inputs: ``input`` (B, D) or (D,); ``hx`` a tuple ``(h, c)`` each (B, H) or (H,),
    zeros if omitted. Returns ``(h', c')``.

    Attributes: ``weight_ih`` (4H, D), ``weight_hh`` (4H, H), ``bias_ih``, ``bias_hh`` (4H,),
    blocks in the order input gate, forget gate, candidate g, output gate.
    See chapter 5, LSTM and GRU (equations in :func:`lstm_step`).
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, bias, device, dtype)

    def forward(self, input, hx=None):
        if hx is None:
            hx = (None, None)
        x, (h, c), batched = self._prepare(input, list(hx))  # (B, D), (B, H), (B, H)
        h, c = lstm_step(self._proj(x, fold=True), h, c, self.weight_hh.t())
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(_CellBase):
    """A GRU cell (gates r, z, n, torch.nn's variant).

    Parameters
    ----------
    input_size : int
    hidden_size : int
    bias : bool, default True

    Inputs: ``input`` (B, D) or (D,); ``hx`` (B, H) or (H,), zeros if omitted.
    Returns ``h'``.

    Attributes: ``weight_ih`` (3H, D), ``weight_hh`` (3H, H), ``bias_ih``, ``bias_hh`` (3H,),
    blocks in the order reset, update, new. See chapter 5 (equations in :func:`gru_step`).
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, bias, device, dtype)

    def forward(self, input, hx=None):
        x, (h,), batched = self._prepare(input, [hx])  # (B, D), (B, H)
        h = gru_step(self._proj(x, fold=False), h, self.weight_hh.t(), self.bias_hh)
        return h if batched else h.squeeze(0)


# ----------------------------------------------------------------------------- sequence modules


def _scan(step, gi, states, reverse):
    """Run ``step`` over the time steps of ``gi`` (T, B, G*H); return outputs (T, B, H), states."""
    steps = gi.unbind(0)  # T tensors (B, G*H): unbind is much faster than gi[t]
    if reverse:
        steps = steps[::-1]
    outs = []
    for gi_t in steps:
        states = step(gi_t, states)
        outs.append(states[0])
    if reverse:
        outs.reverse()
    return torch.stack(outs), states  # (T, B, H)


class _RNNBase(nn.Module):
    """Shared constructor, parameters and layer/direction loop of RNN, LSTM and GRU."""

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
        device=None,
        dtype=None,
    ):
        super().__init__()
        _check_sizes(input_size, hidden_size)
        if not isinstance(num_layers, numbers.Integral) or isinstance(num_layers, bool):
            raise TypeError(f"num_layers should be of type int, got: {type(num_layers).__name__}")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
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
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = 0
        num_directions = 2 if bidirectional else 1
        gate_size = _GATES[mode] * hidden_size  # G * H
        kw = {"device": device, "dtype": dtype}
        for layer in range(num_layers):
            layer_in = input_size if layer == 0 else hidden_size * num_directions
            for direction in range(num_directions):
                sfx = f"_l{layer}" + ("_reverse" if direction == 1 else "")
                w_ih = torch.empty(gate_size, layer_in, **kw)  # (G*H, D_l)
                w_hh = torch.empty(gate_size, hidden_size, **kw)  # (G*H, H)
                self.register_parameter("weight_ih" + sfx, nn.Parameter(w_ih))
                self.register_parameter("weight_hh" + sfx, nn.Parameter(w_hh))
                if bias:
                    for name in ("bias_ih", "bias_hh"):
                        b = torch.empty(gate_size, **kw)  # (G*H,)
                        self.register_parameter(name + sfx, nn.Parameter(b))
        self.reset_parameters()

    def reset_parameters(self):
        """Uniform on ``[-1/sqrt(H), 1/sqrt(H)]``, like torch.nn."""
        k = 1.0 / math.sqrt(self.hidden_size)
        for w in self.parameters():
            nn.init.uniform_(w, -k, k)

    def flatten_parameters(self):
        """No-op, for compatibility with torch.nn (our weights are separate tensors)."""

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s

    def _weights(self, layer, direction):
        sfx = f"_l{layer}" + ("_reverse" if direction == 1 else "")
        get = lambda n: getattr(self, n + sfx) if self.bias or n.startswith("w") else None
        return get("weight_ih"), get("weight_hh"), get("bias_ih"), get("bias_hh")

    def _check_input(self, input):
        _check_float(input, "input")
        if input.dim() not in (2, 3):
            raise ValueError(
                f"{type(self).__name__}: Expected input to be 2D or 3D, got {input.dim()}D instead"
            )
        if input.shape[-1] != self.input_size:
            raise RNNShapeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                f"got {input.shape[-1]}"
            )

    def _check_state(self, s, k, batched, B):
        expected = (self.num_layers * (2 if self.bidirectional else 1), B, self.hidden_size)
        _check_float(s, "hx")
        shape = tuple(s.shape) if batched else (s.shape[0], 1, *s.shape[1:])
        if shape != expected:
            which = "hidden" if k is None else f"hidden[{k}]"
            raise RNNShapeError(f"Expected {which} size {expected}, got {list(s.shape)}")

    def _run(self, input, hx_list, step_factory, fold_bias):
        """Shared forward. ``hx_list``: list of states each (L * num_directions, B, H) or None."""
        self._check_input(input)
        batched = input.dim() == 3
        names = "hx and cx" if len(hx_list) == 2 else "hx"
        if not batched:
            for s in hx_list:
                if s is not None and s.dim() != 2:
                    dims = ", ".join(f"{t.dim()}-D" for t in hx_list if t is not None)
                    what = f"({dims}) tensors" if len(hx_list) == 2 else f"{dims} tensor"
                    raise RNNShapeError(
                        f"For unbatched 2-D input, {names} should also be 2-D but got {what}"
                    )
            x = input.unsqueeze(1)  # (T, 1, D)
        elif self.batch_first:
            x = input.transpose(0, 1)  # (T, B, D)
        else:
            x = input  # (T, B, D)
        if batched:
            for s in hx_list:
                if s is not None and s.dim() != 3:
                    raise RNNShapeError(
                        f"For batched 3-D input, {names} should also be 3-D but got "
                        f"{s.dim()}-D tensor"
                    )
        B = x.shape[1]
        num_directions = 2 if self.bidirectional else 1
        states = []
        for k, s in enumerate(hx_list):
            if s is None:
                s = x.new_zeros(self.num_layers * num_directions, B, self.hidden_size)
            else:
                self._check_state(s, k if len(hx_list) == 2 else None, batched, B)
                if not batched:
                    s = s.unsqueeze(1)  # (L * num_directions, 1, H)
            states.append(s)

        finals = [[] for _ in states]
        layer_input = x  # (T, B, D_l)
        for layer in range(self.num_layers):
            outs = []
            for direction in range(num_directions):
                w_ih, w_hh, b_ih, b_hh = self._weights(layer, direction)
                b = b_ih + b_hh if (fold_bias and b_ih is not None) else b_ih
                gi = F.linear(layer_input, w_ih, b)  # (T, B, G*H): all steps in one product
                init = tuple(s[layer * num_directions + direction] for s in states)  # (B, H)
                out, last = _scan(step_factory(w_hh.t(), b_hh), gi, init, direction == 1)
                outs.append(out)  # (T, B, H)
                for f, v in zip(finals, last, strict=True):
                    f.append(v)
            layer_input = outs[0] if num_directions == 1 else torch.cat(outs, 2)  # (T, B, 2H)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, training=True)
        output = layer_input
        finals = [torch.stack(f) for f in finals]  # each (L * num_directions, B, H)
        if not batched:
            return output.squeeze(1), [f.squeeze(1) for f in finals]
        if self.batch_first:
            output = output.transpose(0, 1)  # (B, T, num_directions * H)
        return output, finals


_SEQ_DOC = """
    Parameters
    ----------
    input_size : int
        D, the number of input features.
    hidden_size : int
        H.
    num_layers : int, default 1
        Stacked layers L; layer l > 0 reads the outputs of layer l - 1.
    {extra}bias : bool, default True
        Use ``b_ih`` and ``b_hh``.
    batch_first : bool, default False
        Input and output are ``(B, T, *)``; the states stay ``(L * num_directions, B, H)``.
    dropout : float, default 0.0
        Dropout on the outputs of every layer but the last, in training mode only.
    bidirectional : bool, default False
        Add a layer running backward in time; outputs are concatenated (``2H``).
    device, dtype : optional
        Where and in which float type to create the parameters.

    Inputs: ``input`` (T, B, D) (or (B, T, D) with ``batch_first``, or unbatched (T, D));
    {inputs}

    Attributes: ``weight_ih_l{{k}}`` ({G}, D or num_directions*H), ``weight_hh_l{{k}}`` ({G}, H),
    ``bias_ih_l{{k}}``, ``bias_hh_l{{k}}`` ({G},), plus ``..._reverse`` for the backward
    direction; all uniform on ``[-1/sqrt(H), 1/sqrt(H)]``.
"""


class RNN(_RNNBase):
    __doc__ = (
        """Multi-layer Elman RNN, ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)``.
"""
        + _SEQ_DOC.format(
            extra='nonlinearity : {"tanh", "relu"}, default "tanh"\n    ',
            inputs="``hx`` (L * num_directions, B, H), zeros if omitted.\n    "
            "Returns ``(output, h_n)``: output (T, B, num_directions * H),\n    "
            "h_n (L * num_directions, B, H).",
            G="H",
        )
        + "\n    See chapter 2, The simple recurrent network.\n    "
    )

    def __init__(self, *args, nonlinearity="tanh", **kwargs):
        if len(args) > 3 and isinstance(args[3], str):  # torch.nn order: D, H, L, nonlinearity
            nonlinearity, args = args[3], args[:3] + args[4:]
        _check_nonlinearity(nonlinearity)
        self.nonlinearity = nonlinearity
        super().__init__("RNN_" + nonlinearity.upper(), *args, **kwargs)

    def forward(self, input, hx=None):
        nl = self.nonlinearity

        def factory(w_hh_t, b_hh):
            return lambda gi_t, s: (rnn_step(gi_t, s[0], w_hh_t, nl),)

        output, (h_n,) = self._run(input, [hx], factory, fold_bias=True)
        return output, h_n


class LSTM(_RNNBase):
    __doc__ = (
        """Multi-layer LSTM (gates i, f, g, o; equations in :func:`lstm_step`).
"""
        + _SEQ_DOC.format(
            extra="",
            inputs="``hx`` a tuple ``(h_0, c_0)`` each (L * num_directions, B, H),\n"
            "    zeros if omitted. Returns ``(output, (h_n, c_n))``.",
            G="4H",
        )
        + "\n    See chapter 5, LSTM and GRU.\n    "
    )

    def __init__(self, *args, **kwargs):
        if kwargs.get("proj_size", 0):
            raise ValueError("proj_size is not supported by rnn_course.torch_rnn.LSTM")
        kwargs.pop("proj_size", None)
        super().__init__("LSTM", *args, **kwargs)

    def forward(self, input, hx=None):
        def factory(w_hh_t, b_hh):
            return lambda gi_t, s: lstm_step(gi_t, s[0], s[1], w_hh_t)

        if hx is None:
            hx = (None, None)
        elif not isinstance(hx, tuple | list) or len(hx) != 2:
            raise TypeError("hx: expected a tuple (h_0, c_0) for an LSTM")
        output, (h_n, c_n) = self._run(input, list(hx), factory, fold_bias=True)
        return output, (h_n, c_n)


class GRU(_RNNBase):
    __doc__ = (
        """Multi-layer GRU (gates r, z, n, torch.nn's variant; equations in :func:`gru_step`).
"""
        + _SEQ_DOC.format(
            extra="",
            inputs="``hx`` (L * num_directions, B, H), zeros if omitted.\n"
            "    Returns ``(output, h_n)``.",
            G="3H",
        )
        + "\n    See chapter 5, LSTM and GRU.\n    "
    )

    def __init__(self, *args, **kwargs):
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input, hx=None):
        def factory(w_hh_t, b_hh):
            return lambda gi_t, s: (gru_step(gi_t, s[0], w_hh_t, b_hh),)

        output, (h_n,) = self._run(input, [hx], factory, fold_bias=False)
        return output, h_n
