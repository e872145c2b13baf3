r"""An LSTM layer in PyTorch whose backward pass is written out: BPTT as a reader wants it.

Autograd differentiates the plain loop (:func:`lstm_sequence_loop`) step by
step: each step's ``h_{t-1} W_hh^T`` gets its own weight-gradient product and
its own addition, T of each. Backpropagation through time needs only one: the
gradients on the gate pre-activations of all steps, stacked into ``(T, B, 4H)``,
times the inputs of all steps. :func:`lstm_sequence` does exactly that, in a
custom :class:`torch.autograd.Function`:

- **forward**: project the inputs of all steps at once, then one product
  ``h_{t-1} W_hh^T`` and the gate arithmetic per step; keep the activated gates,
  the cell states and ``tanh(c_t)`` of every step;
- **backward**: walk from t = T - 1 to 0 carrying ``dh`` and ``dc``, and write
  the gate gradients of step t into row t of one ``(T, B, 4H)`` tensor; the
  only product inside the loop is the one that sends the gradient to
  ``h_{t-1}``. After the loop, ``dW_ih``, ``dW_hh``, the biases and ``dx`` are
  one product (or sum) each.

The equations are those of ``torch.nn.LSTM`` (gates i, f, g, o; weights in its
layout), and the tests prove :func:`lstm_sequence` equal to the loop and to
``torch.nn.LSTM`` in float64, and pass :func:`torch.autograd.gradcheck`.
Shapes: T time, B batch, D input size, H hidden size. See chapter 3
(backpropagation through time) and chapter 5 (LSTM and GRU).
"""

import torch
from torch.autograd.function import once_differentiable

from .torch_rnn import lstm_step

__all__ = ["lstm_sequence", "lstm_sequence_loop", "LSTMSequence"]


def lstm_sequence_loop(x, h0, c0, w_ih, w_hh, b_ih=None, b_hh=None):
    r"""The reference: :func:`~rnn_course.torch_rnn.lstm_step` looped over time, autograd's BPTT.

    Parameters
    ----------
    x : Tensor, shape (T, B, D)
    h0, c0 : Tensor, shape (B, H)
    w_ih : Tensor, shape (4H, D)
    w_hh : Tensor, shape (4H, H)
    b_ih, b_hh : Tensor, shape (4H,), optional

    Returns
    -------
    output : Tensor, shape (T, B, H)
        ``h_t`` of every step.
    (h_n, c_n) : tuple of Tensor, each (B, H)
    """
    gi = torch.nn.functional.linear(x, w_ih, _bias(b_ih, b_hh))  # (T, B, 4H)
    h, c, w_hh_t = h0, c0, w_hh.t()
    outs = []
    for gi_t in gi.unbind(0):
        h, c = lstm_step(gi_t, h, c, w_hh_t)  # (B, H), (B, H)
        outs.append(h)
    return torch.stack(outs), (h, c)


def lstm_sequence(x, h0, c0, w_ih, w_hh, b_ih=None, b_hh=None):
    r"""An LSTM layer over a sequence, with the hand-written BPTT of :class:`LSTMSequence`.

    Parameters and returns as :func:`lstm_sequence_loop`; the values and every
    gradient are the same (float64: to rounding).

    Examples
    --------
    >>> T, B, D, H = 5, 2, 3, 4
    >>> ref = torch.nn.LSTM(D, H).double()
    >>> x = torch.randn(T, B, D, dtype=torch.double)
    >>> h0, c0 = torch.zeros(B, H, dtype=torch.double), torch.zeros(B, H, dtype=torch.double)
    >>> out, (h_n, c_n) = lstm_sequence(x, h0, c0, ref.weight_ih_l0, ref.weight_hh_l0,
    ...                                 ref.bias_ih_l0, ref.bias_hh_l0)
    >>> bool((out - ref(x)[0]).abs().max() < 1e-12)
    True
    """
    bias = _bias(b_ih, b_hh)
    if bias is None:
        bias = x.new_zeros(w_ih.shape[0])
    out, h_n, c_n = LSTMSequence.apply(x, h0, c0, w_ih, w_hh, bias)
    return out, (h_n, c_n)


def _bias(b_ih, b_hh):
    """``b_ih + b_hh`` (autograd sends the same gradient to both), or None without bias."""
    if b_ih is None:
        return None
    return b_ih + b_hh


class LSTMSequence(torch.autograd.Function):
    r"""Forward and backward through time of one LSTM layer (gates i, f, g, o).

    ``apply(x, h0, c0, w_ih, w_hh, bias)`` with x (T, B, D), h0 and c0 (B, H),
    w_ih (4H, D), w_hh (4H, H), bias (4H,) = ``b_ih + b_hh``. Returns output
    (T, B, H), h_n and c_n (B, H).

    Notes
    -----
    Forward, per step, with :math:`a_t = x_t W_{ih}^\top + h_{t-1} W_{hh}^\top + b`:

    .. math::
        i, f, o = \sigma(a_{i,f,o}),\quad g = \tanh(a_g),\quad
        c_t = f \odot c_{t-1} + i \odot g,\quad h_t = o \odot \tanh c_t

    Backward, from t = T - 1 down to 0, with :math:`\bar h` and :math:`\bar c`
    the gradients arriving at :math:`h_t` and :math:`c_t`:

    .. math::
        \bar c \mathrel{+}= \bar h \odot o \odot (1 - \tanh^2 c_t),\quad
        \bar a_o = \bar h \odot \tanh c_t \odot o (1 - o),\quad
        \bar a_i = \bar c \odot g \odot i (1 - i),

        \bar a_f = \bar c \odot c_{t-1} \odot f (1 - f),\quad
        \bar a_g = \bar c \odot i \odot (1 - g^2),\quad
        \bar c_{t-1} = \bar c \odot f,\quad
        \bar h_{t-1} = \bar h^{up}_{t-1} + \bar a_t W_{hh}

    then, once: :math:`\bar W_{ih} = \sum_t \bar a_t^\top x_t`,
    :math:`\bar W_{hh} = \sum_t \bar a_t^\top h_{t-1}`,
    :math:`\bar b = \sum_t \bar a_t`, :math:`\bar x_t = \bar a_t W_{ih}`.
    """

    @staticmethod
    def forward(ctx, x, h0, c0, w_ih, w_hh, bias):
        T, B, D = x.shape
        H = h0.shape[1]
        gi = torch.addmm(bias, x.reshape(T * B, D), w_ih.t()).view(T, B, 4 * H)  # x W_ih^T + b
        w_hh_t = w_hh.t().contiguous()  # (H, 4H), row-major: the faster product here
        acts = torch.empty(T, B, 4 * H, dtype=x.dtype, device=x.device)  # i, f, g, o
        c = torch.empty(T, B, H, dtype=x.dtype, device=x.device)  # c_t
        tanh_c = torch.empty_like(c)  # tanh(c_t)
        h = torch.empty_like(c)  # h_t
        h_prev, c_prev = h0, c0
        for a, gi_t, c_t, tc_t, h_t in zip(acts, gi, c, tanh_c, h, strict=True):  # (B, .) each
            torch.addmm(gi_t, h_prev, w_hh_t, out=a)  # a_t = gi_t + h_{t-1} W_hh^T
            a[:, : 2 * H].sigmoid_()  # i, f
            a[:, 2 * H : 3 * H].tanh_()  # g
            a[:, 3 * H :].sigmoid_()  # o
            i, f, g, o = a.chunk(4, 1)  # each (B, H)
            torch.mul(f, c_prev, out=c_t).addcmul_(i, g)  # c_t = f c_{t-1} + i g
            torch.tanh(c_t, out=tc_t)
            torch.mul(o, tc_t, out=h_t)  # h_t = o tanh(c_t)
            h_prev, c_prev = h_t, c_t
        ctx.save_for_backward(x, h0, c0, w_ih, w_hh, acts, c, tanh_c, h)
        return h, h[-1].clone(), c[-1].clone()

    @staticmethod
    @once_differentiable
    def backward(ctx, dout, dh_n, dc_n):
        x, h0, c0, w_ih, w_hh, acts, c, tanh_c, h = ctx.saved_tensors
        T, B, D = x.shape
        H = h0.shape[1]
        i, f, g, o = acts.chunk(4, 2)  # each (T, B, H)
        c_prev = torch.cat([c0.unsqueeze(0), c[:-1]])  # (T, B, H) c_{t-1}
        # The local derivatives do not depend on the gradient: all steps at once.
        # sigmoid_backward(d, s) = d s (1 - s); tanh_backward(d, y) = d (1 - y^2).
        # da starts as what multiplies dc (i, f, g) or dh (o) in each gate's gradient:
        da = torch.cat(  # (T, B, 4H)
            [
                _sigmoid_backward(g, i),  # da_i = dc g i (1 - i)
                _sigmoid_backward(c_prev, f),  # da_f = dc c_{t-1} f (1 - f)
                _tanh_backward(i, g),  # da_g = dc i (1 - g^2)
                _sigmoid_backward(tanh_c, o),  # da_o = dh tanh(c_t) o (1 - o)
            ],
            2,
        )
        dc_dh = _tanh_backward(o, tanh_c)  # (T, B, H) dc_t += dh_t o (1 - tanh^2 c_t)
        # The loop carries only dh and dc, from the last step to the first.
        da_, dc_dh_, f_, dout_ = da.unbind(0), dc_dh.unbind(0), f.unbind(0), dout.unbind(0)
        dh = dh_n + dout_[-1]  # (B, H) total gradient on h_{T-1}
        dc = dc_n.clone()  # (B, H) gradient on c_{T-1} from after the last step
        for t in range(T - 1, -1, -1):
            dc.addcmul_(dh, dc_dh_[t])  # through h_t = o tanh(c_t)
            da_[t].mul_(torch.cat((dc, dc, dc, dh), 1))  # (B, 4H) gates i, f, g, o
            dc.mul_(f_[t])  # additive path: dc_{t-1} = dc_t f_t
            if t > 0:  # dh_{t-1} = dout_{t-1} + da_t W_hh: the one product inside the loop
                dh = torch.addmm(dout_[t - 1], da_[t], w_hh)
            else:
                dh = da_[0] @ w_hh  # (B, H) gradient on h0
        da2 = da.view(T * B, 4 * H)
        h_prev = torch.cat([h0.unsqueeze(0), h[:-1]]).view(T * B, H)  # (T*B, H) h_{t-1}
        dx = (da2 @ w_ih).view(T, B, D)  # (T, B, D)
        # the weight gradients, once, after the loop (formed as (K, 4H): faster in MKL)
        dw_ih = (x.reshape(T * B, D).t() @ da2).t()  # (4H, D) = sum_t da_t^T x_t
        dw_hh = (h_prev.t() @ da2).t()  # (4H, H) = sum_t da_t^T h_{t-1}
        dbias = da2.sum(0)  # (4H,)
        return dx, dh, dc, dw_ih, dw_hh, dbias


_sigmoid_backward = torch.ops.aten.sigmoid_backward  # (grad, output) -> grad * s (1 - s)
_tanh_backward = torch.ops.aten.tanh_backward  # (grad, output) -> grad * (1 - y^2)
