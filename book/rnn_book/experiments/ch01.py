"""Chapter 1 (Motivation): the first-symbol experiment and the probes of the state.

A window model (softmax regression on the one-hot codes of the last w symbols)
against one tanh SRN on :func:`rnn_course.data.tasks.first_symbol_task`, and
linear probes that read a symbol off the SRN's states. See chapter 1, An
experiment: a window that cannot see far enough, and What the state holds.
"""

import numpy as np
import torch

from rnn_course.classify import fit_softmax_regression
from rnn_course.data.tasks import first_symbol_task
from rnn_course.torch_rnn import RNN

__all__ = [
    "window_features",
    "fit_softmax_regression",
    "window_accuracy",
    "FirstSymbolRNN",
    "train_first_symbol_rnn",
    "first_symbol_accuracy",
    "probe_state",
]


def window_features(ids, w, n_symbols=4):
    """One-hot codes of the last ``w`` symbols, padded with symbol ``K`` when T < w.

    Parameters
    ----------
    ids : ndarray of int, shape (T, n)
    w : int
        Window size.
    n_symbols : int, default 4

    Returns
    -------
    ndarray, shape (n, w * (K + 1))
    """
    T, n = ids.shape
    K = n_symbols
    padded = np.full((max(w - T, 0), n), K)  # (w - T, n) or empty
    window = np.concatenate([padded, ids])[-w:]  # (w, n)
    codes = np.eye(K + 1)[window]  # (w, n, K + 1)
    return codes.transpose(1, 0, 2).reshape(n, -1)  # (n, w * (K + 1))




def window_accuracy(w, T, rng, n_train=1000, n_test=1000, n_symbols=4):
    """Test accuracy of a window-``w`` softmax regression on the first-symbol task."""
    ids, y = first_symbol_task(n_train, T, rng, n_symbols)
    W, b = fit_softmax_regression(window_features(ids, w, n_symbols), y, n_symbols)
    ids_test, y_test = first_symbol_task(n_test, T, rng, n_symbols)
    scores = window_features(ids_test, w, n_symbols) @ W + b  # (n_test, K)
    return float(np.mean(scores.argmax(1) == y_test))


class FirstSymbolRNN(torch.nn.Module):
    """A tanh SRN (:class:`rnn_course.torch_rnn.RNN`) and a linear read-out of the last state.

    ``forward(ids)`` takes symbol ids (T, B) and returns ``(logits, states)``:
    logits (B, K) read from the last state, and all states (T, B, H).
    See chapter 1, An experiment: a window that cannot see far enough.
    """

    def __init__(self, n_symbols=4, hidden_size=32):
        super().__init__()
        self.n_symbols = n_symbols
        self.rnn = RNN(input_size=n_symbols, hidden_size=hidden_size)
        self.W_hy = torch.nn.Linear(hidden_size, n_symbols)

    def forward(self, ids):
        eye = torch.eye(self.n_symbols)
        x = eye[torch.as_tensor(ids)]  # (T, B, K) one-hot
        states, _ = self.rnn(x)  # (T, B, H)
        return self.W_hy(states[-1]), states  # (B, K), (T, B, H)


def train_first_symbol_rnn(seed, steps=600, max_len=16, batch_size=64, hidden_size=32, lr=1e-2):
    """Train one :class:`FirstSymbolRNN` on batches of random length 1..``max_len``.

    Returns
    -------
    model : FirstSymbolRNN
    loss : float
        The last training loss (mean cross-entropy, nats).
    """
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    model = FirstSymbolRNN(hidden_size=hidden_size)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        ids, y = first_symbol_task(batch_size, int(rng.integers(1, max_len + 1)), rng)
        logits, _ = model(ids)  # (B, K)
        loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(y))
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model, loss.item()


def first_symbol_accuracy(model, lengths, rng, n=1000):
    """Test accuracy of ``model`` at each sequence length in ``lengths`` (list of floats)."""
    accs = []
    with torch.no_grad():
        for T in lengths:
            ids, y = first_symbol_task(n, int(T), rng, model.n_symbols)
            accs.append(float(np.mean(model(ids)[0].argmax(1).numpy() == y)))
    return accs


def probe_state(model, T, rng, n=1000, back=None):
    """Linear probes: how well a linear read-out fitted by least squares finds a symbol in h_t.

    Parameters
    ----------
    model : FirstSymbolRNN
    T : int
        Sequence length.
    rng : numpy.random.Generator
    n : int
        Sequences for fitting the probes; as many again for testing them.
    back : int or None, default None
        ``None`` (the default) probes for the first symbol x_1; an int ``j``
        probes for the input ``j`` steps back, x_{t-j} (at steps t > j), so
        ``back=0`` probes the current input x_t.

    Returns
    -------
    ndarray, shape (T,)
        Test accuracy of the probe fitted at each step (NaN where x_{t-j} does not exist).

    Notes
    -----
    The probe sees only :math:`h_t`; if it reads the symbol well, the state holds it.
    See chapter 1, What the state holds.
    """
    ids, _ = first_symbol_task(2 * n, T, rng, model.n_symbols)
    with torch.no_grad():
        h = model(ids)[1].numpy()  # (T, 2n, H)
    acc = np.full(T, np.nan)
    for t in range(T):
        src = 0 if back is None else t - back
        if src < 0:
            continue
        X = np.concatenate([h[t], np.ones((2 * n, 1))], axis=1)  # (2n, H + 1)
        Y = np.eye(model.n_symbols)[ids[src]]  # (2n, K)
        A = X[:n].T @ X[:n] + 1e-3 * np.eye(X.shape[1])
        W = np.linalg.solve(A, X[:n].T @ Y[:n])  # least squares, (H + 1, K)
        acc[t] = np.mean((X[n:] @ W).argmax(1) == ids[src][n:])
    return acc
