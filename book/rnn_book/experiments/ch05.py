"""Chapter 5's experiments: gradient at initialisation, the long-lag task, the gates at work.

One copy, called by book/05_lstm.ipynb and by the claims tests
(tests/claims/test_ch05.py). See chapter 5, LSTM and GRU.
"""

import numpy as np
import torch

from rnn_course import numpy_rnn
from rnn_course.data.tasks import adding_problem
from rnn_course.init import init_gru, init_lstm, init_srn, set_forget_bias_
from rnn_course.models import SequenceModel
from rnn_course.train import train_sequence_model

__all__ = [
    "TORCH_KEYS",
    "with_forget_bias",
    "numpy_weights",
    "kept_after",
    "gradient_at_init",
    "make_model",
    "fit_adding",
    "sensitivity",
    "gate_trace",
]

#: Our NumPy names and the matching torch.nn parameter names (layer 0).
TORCH_KEYS = (
    ("W_ih", "weight_ih_l0"),
    ("W_hh", "weight_hh_l0"),
    ("b_ih", "bias_ih_l0"),
    ("b_hh", "bias_hh_l0"),
)


def with_forget_bias(params, value):
    """Copy of LSTM ``params`` with forget bias ``value``, as ``init.set_forget_bias_`` does.

    The gate sees b_ih + b_hh, so the forget block (rows H:2H, gate order i, f, g, o)
    of ``b_ih`` becomes ``value`` and that of ``b_hh`` 0.
    """
    H = params["W_hh"].shape[1]
    q = {k: v.copy() for k, v in params.items()}
    q["b_ih"][H : 2 * H], q["b_hh"][H : 2 * H] = value, 0.0
    return q


def numpy_weights(module):
    """Layer 0 of a torch.nn (or our) RNN/LSTM/GRU as float64 NumPy arrays, our names."""
    return {n: getattr(module, k).detach().double().cpu().numpy() for n, k in TORCH_KEYS}


def kept_after(params, x):
    """Median over slots of the product of the forget gates along ``x`` (T, B, D), from zeros."""
    z = np.zeros((x.shape[1], params["W_hh"].shape[1]))
    f = numpy_rnn.lstm_forward(x, z, z, **params)[2]["gates"][:, 1]  # (T, B, H)
    return float(np.median(f.prod(axis=0)))


def gradient_at_init(seed=0, T=100, B=32, H=32):
    """||d(v . h_T)/dx_t|| by distance T - t for an SRN, LSTMs (forget bias 0, 1) and a GRU.

    One draw of LSTM weights serves both forget biases. Returns a dict of (T,) arrays,
    index = distance.
    """
    rng = np.random.default_rng(seed)
    D = 2
    x = adding_problem(B, T, rng)[0].astype(np.float64)  # (T, B, 2)
    z = np.zeros((B, H))
    dh = np.zeros((T, B, H))
    dh[-1] = rng.standard_normal((B, H))  # upstream gradient on h_T only
    lstm_draw = init_lstm(D, H, rng)

    def lstm_dx(bias):
        cache = numpy_rnn.lstm_forward(x, z, z, **with_forget_bias(lstm_draw, bias))[2]
        return numpy_rnn.lstm_backward(dh, cache)[0]

    srn_cache = numpy_rnn.srn_forward(x, z, **init_srn(D, H, rng))[1]
    gru_cache = numpy_rnn.gru_forward(x, z, **init_gru(D, H, rng))[1]
    dxs = {
        "SRN (tanh)": numpy_rnn.srn_backward(dh, srn_cache)[0],
        "LSTM, forget bias 0": lstm_dx(0.0),
        "LSTM, forget bias 1": lstm_dx(1.0),
        "GRU": numpy_rnn.gru_backward(dh, gru_cache)[0],
    }
    return {k: np.linalg.norm(v, axis=(1, 2))[::-1] for k, v in dxs.items()}


def make_model(cell, seed=0, hidden_size=32, impl="torch"):
    """SequenceModel for the adding problem; an LSTM gets forget bias 1 (set_forget_bias_)."""
    torch.manual_seed(seed)
    model = SequenceModel(2, hidden_size, 1, cell=cell, impl=impl)
    if cell == "lstm":
        set_forget_bias_(model, 1.0)
    return model


def fit_adding(model, T=30, seed=0, steps=800, batch_size=32, lr=1e-2):
    """Train on the adding problem (Adam, no clipping); training MSE per step, (steps,)."""
    run = train_sequence_model(
        model,
        lambda rng: adding_problem(batch_size, T, rng),
        steps=steps,
        lr=lr,
        seed=seed,
        eval_every=steps,
        progress=False,
    )
    return np.array(run["train_loss"])


def sensitivity(model, x):
    """Mean over the batch of ||d prediction / d x_t||, index = distance T - t; x (T, B, 2)."""
    xt = torch.from_numpy(x).requires_grad_(True)
    model(xt)[0].sum().backward()
    return xt.grad.norm(dim=2).mean(dim=1).numpy()[::-1].copy()


def gate_trace(lstm, x, y):
    """Gates and cells of a trained LSTM on the adding problem, and its memory unit.

    Parameters
    ----------
    lstm : torch.nn.LSTM or rnn_course.torch_rnn.LSTM
        One layer; its weights are copied into :func:`numpy_rnn.lstm_forward`.
    x : ndarray, shape (T, B, 2)
    y : ndarray, shape (B,)

    Returns
    -------
    dict
        ``i``, ``f``, ``c`` (T, B, H); ``unit``, the unit whose input gate is most
        selective for the markers (mean at marked minus mean at unmarked steps),
        chosen by the input gate alone; and for that unit ``r`` = |corr(c_T, y)|,
        ``i_marked``, ``i_other`` and ``f_between`` (mean forget gate strictly
        between the two markers).
    """
    xs = np.asarray(x, dtype=np.float64)
    T, B = xs.shape[:2]
    z = np.zeros((B, lstm.hidden_size))
    _, cells, cache = numpy_rnn.lstm_forward(xs, z, z, **numpy_weights(lstm))
    i_g, f_g = cache["gates"][:, 0], cache["gates"][:, 1]  # each (T, B, H)
    marked = xs[:, :, 1] > 0.5  # (T, B)
    unit = int(np.argmax(i_g[marked].mean(0) - i_g[~marked].mean(0)))
    steps = np.arange(T)[:, None]
    first, second = marked.argmax(0), T - 1 - marked[::-1].argmax(0)
    between = (steps > first) & (steps < second)
    return {
        "i": i_g,
        "f": f_g,
        "c": cells,
        "unit": unit,
        "r": float(abs(np.corrcoef(cells[-1, :, unit], y)[0, 1])),
        "i_marked": float(i_g[:, :, unit][marked].mean()),
        "i_other": float(i_g[:, :, unit][~marked].mean()),
        "f_between": float(f_g[:, :, unit][between].mean()),
    }
