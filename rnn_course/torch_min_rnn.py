r"""minGRU and minLSTM as PyTorch modules, with torch.nn.GRU's arguments and return types.

The same cells as :mod:`rnn_course.min_rnn` (our GRU convention: z keeps the
old state), trained by autograd. Every layer projects the inputs of all steps
in one product and then computes

.. math:: h_t = a_t \odot h_{t-1} + b_t

either by Hillis and Steele's scan (``method="scan"``, ceil(log2 T) rounds
of element-wise work, the default) or by the plain loop over time
(``method="loop"``); both give the same numbers.
See chapter 7, Recurrence revisited.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["METHODS", "linear_scan", "MinGRU", "MinLSTM"]

#: The two ways a layer computes its recurrence.
METHODS = ("scan", "loop")


def linear_scan(a, b, h0=None, method="scan"):
    r"""All states of ``h_t = a_t * h_{t-1} + b_t`` in torch, differentiable.

    Parameters
    ----------
    a, b : Tensor, shape (T, *S)
    h0 : Tensor, shape S, optional
        Zeros if omitted.
    method : {"scan", "loop"}
        Hillis and Steele's scan or the loop over time.

    Returns
    -------
    h : Tensor, shape (T, *S)
    """
    if method not in METHODS:
        raise ValueError(f"method: unknown method {method!r}; choose one of {METHODS}")
    if a.shape != b.shape or a.dim() < 1:
        raise ValueError(f"a, b: expected the same shape (T, ...), got {tuple(a.shape)} and "
                         f"{tuple(b.shape)}")
    if h0 is not None:
        if h0.shape != b.shape[1:]:
            raise ValueError(f"h0: expected shape {tuple(b.shape[1:])}, got {tuple(h0.shape)}")
        b = torch.cat([(a[0] * h0 + b[0])[None], b[1:]])  # fold h0 into the first step
    if method == "loop":
        h, out = torch.zeros_like(b[0]), []
        for a_t, b_t in zip(a.unbind(0), b.unbind(0), strict=True):
            h = a_t * h + b_t  # (*S)
            out.append(h)
        return torch.stack(out)
    shift = 1
    while shift < len(a):  # after this round, entry t composes 2*shift steps ending at t
        a_before, b_before = a[:-shift], b[:-shift]
        a_tail, b_tail = a[shift:], b[shift:]
        a = torch.cat([a[:shift], a_tail * a_before])
        b = torch.cat([b[:shift], a_tail * b_before + b_tail])
        shift *= 2
    return b


class _MinBase(nn.Module):
    GATES = 0

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, method="scan", device=None, dtype=None):
        super().__init__()
        name = type(self).__name__
        for arg, value in (("input_size", input_size), ("hidden_size", hidden_size),
                           ("num_layers", num_layers)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name}: {arg} must be a positive int, got {value!r}")
        if not (isinstance(dropout, (int, float)) and 0 <= dropout <= 1):
            raise ValueError(f"{name}: dropout must be a number in [0, 1], got {dropout!r}")
        if method not in METHODS:
            raise ValueError(f"{name}: method must be one of {METHODS}, got {method!r}")
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.method = method
        factory = {"device": device, "dtype": dtype}
        G = self.GATES
        for layer in range(num_layers):
            d_in = input_size if layer == 0 else hidden_size
            w = nn.Parameter(torch.empty(G * hidden_size, d_in, **factory))
            self.register_parameter(f"weight_ih_l{layer}", w)
            b = nn.Parameter(torch.empty(G * hidden_size, **factory)) if bias else None
            self.register_parameter(f"bias_ih_l{layer}", b)
        self.reset_parameters()

    def reset_parameters(self):
        """Uniform in ``(-1/sqrt(H), 1/sqrt(H))``, as torch.nn.GRU."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        return s + f", method={self.method!r}"

    def _coefficients(self, k):
        raise NotImplementedError

    def forward(self, input, hx=None):
        """``(output, h_n)``: output (T, B, H) (batch_first: (B, T, H)), h_n (num_layers, B, H)."""
        name = type(self).__name__
        if not torch.is_tensor(input) or input.dim() not in (2, 3):
            raise ValueError(f"{name}: input must be a 2-D (unbatched) or 3-D tensor, got "
                             f"{getattr(input, 'shape', type(input).__name__)}")
        unbatched = input.dim() == 2
        x = input.unsqueeze(1) if unbatched else (input.transpose(0, 1) if self.batch_first
                                                  else input)  # (T, B, D)
        if x.shape[-1] != self.input_size:
            raise ValueError(f"{name}: input.size(-1) must be equal to input_size. Expected "
                             f"{self.input_size}, got {x.shape[-1]}")
        T, B, _ = x.shape
        L, H = self.num_layers, self.hidden_size
        if hx is None:
            hx = x.new_zeros(L, B, H)
        else:
            if unbatched:
                hx = hx.unsqueeze(1)
            if tuple(hx.shape) != (L, B, H):
                raise ValueError(f"{name}: expected hidden size {(L, B, H)}, got "
                                 f"{tuple(hx.shape)}")
        finals = []
        for layer in range(L):
            if layer > 0 and self.dropout and self.training:
                x = F.dropout(x, self.dropout, training=True)
            w = getattr(self, f"weight_ih_l{layer}")
            b = getattr(self, f"bias_ih_l{layer}")
            k = F.linear(x, w, b)  # (T, B, G*H): every step in one product
            a, bb = self._coefficients(k.chunk(self.GATES, dim=-1))
            x = linear_scan(a, bb, hx[layer], self.method)  # (T, B, H)
            finals.append(x[-1])
        h_n = torch.stack(finals)  # (L, B, H)
        out = x.transpose(0, 1) if self.batch_first and not unbatched else x
        if unbatched:
            return out.squeeze(1), h_n.squeeze(1)
        return out, h_n


class MinGRU(_MinBase):
    r"""A minGRU layer (stack), with ``torch.nn.GRU``'s arguments and return types.

    .. math::
        z_t = \sigma(W_{iz} x_t + b_{iz}),\quad n_t = W_{in} x_t + b_{in},\quad
        h_t = z_t \odot h_{t-1} + (1 - z_t) \odot n_t

    Args:
        input_size: D.
        hidden_size: H.
        num_layers: stacked layers, default 1.
        bias: use ``bias_ih_l{k}``, default True.
        batch_first: input and output (B, T, *) instead of (T, B, *).
        dropout: dropout on the outputs of every layer but the last.
        method: ``"scan"`` (Hillis and Steele) or ``"loop"``.

    Inputs: ``input`` (T, B, D) or (T, D); ``hx`` (num_layers, B, H), optional.

    Outputs: ``output`` (T, B, H), ``h_n`` (num_layers, B, H).

    Attributes:
        weight_ih_l{k}: (2H, D) for k = 0, else (2H, H); blocks z, n.
        bias_ih_l{k}: (2H,).

    Equal to :func:`rnn_course.min_rnn.min_gru_forward` with the same weights.
    """

    GATES = 2

    def _coefficients(self, chunks):
        k_z, n = chunks
        z = torch.sigmoid(k_z)
        return z, (1 - z) * n


class MinLSTM(_MinBase):
    r"""A minLSTM layer (stack), with ``torch.nn.GRU``'s arguments and return types.

    .. math::
        i_t = \sigma(W_{ii} x_t + b_{ii}),\ f_t = \sigma(W_{if} x_t + b_{if}),\
        g_t = W_{ig} x_t + b_{ig},\quad
        h_t = \frac{f_t \odot h_{t-1} + i_t \odot g_t}{f_t + i_t}

    Arguments, inputs and outputs as :class:`MinGRU`. There is no cell state:
    the state is h alone, so ``hx`` is one tensor, not a tuple.

    Attributes:
        weight_ih_l{k}: (3H, D) for k = 0, else (3H, H); blocks i, f, g.
        bias_ih_l{k}: (3H,).

    Equal to :func:`rnn_course.min_rnn.min_lstm_forward` with the same weights.
    """

    GATES = 3

    def _coefficients(self, chunks):
        k_i, k_f, g = chunks
        i, f = torch.sigmoid(k_i), torch.sigmoid(k_f)
        s = f + i
        return f / s, i * g / s
