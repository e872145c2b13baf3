"""Chapter 7's experiments, so that the book and its claims tests run one copy.

Each function runs one experiment of chapter 7, Recurrence revisited, at the
chapter's settings (the defaults) and returns its numbers; the chapter calls
it once, ``tests/claims/test_ch07.py`` calls it on more seeds, larger budgets
and other learning rates.
"""

import math
import os
import tempfile
import time

import numpy as np
import torch

from rnn_course import models, scan, torch_min_rnn, train
from rnn_course.data.text import CharVocab, load_corpus, split_corpus

__all__ = [
    "char_data",
    "lm_curve",
    "time_scans",
    "exp_memory",
    "sigmoid_memory",
    "selective_copy",
]


def char_data(val_chars=10_000):
    """Chapter 6's corpus: (vocab, training ids, the first ``val_chars`` validation ids)."""
    text = load_corpus("stdlib")
    vocab = CharVocab.from_text(text)
    split = split_corpus(vocab.encode(text))
    return vocab, split.train, split.val[:val_chars]


def lm_curve(cell, stages, seed=0, lr=1e-2, hidden_size=128, data=None):
    """Train chapter 6's character model with a ``cell`` core; validation bits/char at each stage.

    Parameters
    ----------
    cell : {"gru", "mingru", "lstm", "minlstm"}
        The GRU and LSTM are torch.nn's fused kernels; the minimal cells are
        :mod:`rnn_course.torch_min_rnn` (Hillis and Steele's scan).
    stages : sequence of int
        Step counts at which to evaluate (one uninterrupted run, resumed from
        a checkpoint at each stage).
    seed, lr, hidden_size
        Embedding 32, batch 16 x 32 characters, Adam, clipping at 1: chapter 6's settings.
    data : tuple, optional
        :func:`char_data` (loaded when omitted).

    Returns
    -------
    dict
        ``bpc`` (list, one per stage), ``cpu_per_step`` (process CPU seconds per
        training step, evaluation excluded).
    """
    vocab, train_ids, val_ids = data or char_data()
    impl = "torch" if cell in models.CELLS else "ours"
    torch.manual_seed(seed)
    lm = models.CharLM(len(vocab), hidden_size=hidden_size, cell=cell, impl=impl,
                       embedding_dim=32)
    bpc, cpu = [], 0.0
    with tempfile.TemporaryDirectory() as tmp:
        checkpoint = os.path.join(tmp, "lm.pt")
        for steps in stages:
            config = train.LMTrainConfig(steps=steps, batch_size=16, seq_len=32, lr=lr,
                                         clip=1.0, eval_every=0, seed=seed, progress=False,
                                         checkpoint=checkpoint, resume=True)
            start = time.process_time()
            train.train_lm(lm, train_ids, None, config)
            cpu += time.process_time() - start
            bpc.append(train.evaluate_lm(lm, val_ids) / math.log(2))
    return {"bpc": bpc, "cpu_per_step": cpu / stages[-1]}


def time_scans(lengths, hidden=64, repeats=5, seed=0):
    """CPU time of the loop and of the parallel scans for each length, measured interleaved.

    Returns
    -------
    dict
        ``{method: ndarray (len(lengths),)}`` of the best process time in seconds
        over ``repeats`` (the methods take turns, so machine load hits all alike).
    """
    rng = np.random.default_rng(seed)
    methods = ("loop", "hillis_steele", "blelloch", "log")
    best = {m: np.full(len(lengths), np.inf) for m in methods}
    for j, T in enumerate(lengths):
        a = rng.uniform(0.5, 1.0, size=(T, hidden))  # (T, H)
        b = rng.normal(size=(T, hidden))
        for _ in range(repeats):
            for m in methods:
                start = time.process_time()
                scan.scan(a, b, None, m)
                best[m][j] = min(best[m][j], time.process_time() - start)
    return best


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def exp_memory(beta, T=20, n=2000, seed=0, dtype=np.float32, stabilised=True):
    r"""xLSTM's exponential input gate with a normaliser, on "keep the value of the best score".

    Each sequence has T pairs (score s_t ~ U(0, 1), value v_t ~ N(0, 1)); the
    answer is the value whose score is largest. The memory is an sLSTM cell
    with forget gate 1 and input gate :math:`e^{\beta s_t}`:
    :math:`c_t = c_{t-1} + e^{\beta s_t} v_t`, :math:`n_t = n_{t-1} + e^{\beta s_t}`,
    read out as :math:`c_T / n_T`. With ``stabilised`` it carries
    :math:`m_t = \max(m_{t-1}, \beta s_t)` and stores :math:`c, n` scaled by
    :math:`e^{-m_t}` (Beck et al. 2024), which changes no ratio.

    Returns
    -------
    dict
        ``mse`` of the read-out (nan if any read-out is not finite) and
        ``nonfinite`` (how many read-outs are inf or nan).
    """
    rng = np.random.default_rng(seed)
    s = rng.uniform(size=(T, n)).astype(dtype)  # (T, N) scores
    v = rng.normal(size=(T, n)).astype(dtype)  # (T, N) values
    target = v[s.argmax(axis=0), np.arange(n)]  # (N,)
    c = np.zeros(n, dtype)
    norm = np.zeros(n, dtype)
    m = np.full(n, -np.inf, dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(T):
            log_i = dtype(beta) * s[t]  # log of the input gate
            if stabilised:
                m_new = np.maximum(m, log_i)  # stabiliser: the largest log gate so far
                scale_old, scale_in = np.exp(m - m_new), np.exp(log_i - m_new)
                c, norm, m = scale_old * c + scale_in * v[t], scale_old * norm + scale_in, m_new
            else:
                gate = np.exp(log_i)  # overflows to inf once beta * s > 88 (float32)
                c, norm = c + gate * v[t], norm + gate
        out = c / norm
    bad = int((~np.isfinite(out)).sum())
    mse = float(np.mean((out - target) ** 2)) if bad == 0 else float("nan")
    return {"mse": mse, "nonfinite": bad}


def sigmoid_memory(beta, theta, T=20, n=2000, seed=0):
    r"""The same task with a sigmoid-gated memory: :math:`c_t = (1 - i_t) c_{t-1} + i_t v_t`.

    :math:`i_t = \sigma(\beta (s_t - \theta))`, the convex update of the GRU
    and minGRU. Returns the read-out's mean squared error.
    """
    rng = np.random.default_rng(seed)
    s = rng.uniform(size=(T, n))
    v = rng.normal(size=(T, n))
    target = v[s.argmax(axis=0), np.arange(n)]
    c = np.zeros(n)
    for t in range(T):
        i = _sigmoid(beta * (s[t] - theta))
        c = (1 - i) * c + i * v[t]
    return float(np.mean((c - target) ** 2))


def selective_copy(selective, T=64, steps=200, batch=64, lr=0.05, seed=0):
    r"""Remember the one marked value of a noisy sequence: a fixed step against a selective one.

    Input: values :math:`v_t \sim N(0, 1)` and a mark :math:`m_t`, 1 at one
    random position; target: the marked value, read at the end. The state is
    Mamba's discretised scalar state space with A = -1, B = 1 (zero-order hold),

    .. math:: h_t = e^{-\Delta_t} h_{t-1} + (1 - e^{-\Delta_t})\, v_t,\qquad y = c\, h_T,

    with a step :math:`\Delta_t = \operatorname{softplus}(\delta)` fixed for all
    t, or :math:`\Delta_t = \operatorname{softplus}(w m_t + \delta)` chosen by
    the input (``selective``). :math:`c, \delta` (and w) are fitted with Adam.

    Returns
    -------
    dict
        ``mse`` on 4096 fresh sequences, and the fitted step on a marked and an
        unmarked position (``delta_mark``, ``delta_blank``).
    """
    gen = torch.Generator().manual_seed(seed)

    def batch_of(size):
        v = torch.randn(T, size, generator=gen, dtype=torch.float64)  # (T, N)
        pos = torch.randint(0, T, (size,), generator=gen)
        mark = torch.zeros(T, size, dtype=torch.float64)
        mark[pos, torch.arange(size)] = 1.0
        return v, mark, v[pos, torch.arange(size)]

    params = {k: torch.zeros((), dtype=torch.float64, requires_grad=True)
              for k in ("c", "delta", "w")}
    with torch.no_grad():
        params["c"].fill_(1.0)

    def run(v, mark):
        w = params["w"] if selective else 0.0
        step = torch.nn.functional.softplus(w * mark + params["delta"])  # (T, N)
        decay = torch.exp(-step)
        h = torch_min_rnn.linear_scan(decay, (1 - decay) * v)  # (T, N), by the scan
        return params["c"] * h[-1], step

    opt = torch.optim.Adam(params.values(), lr=lr)
    for _ in range(steps):
        v, mark, y = batch_of(batch)
        loss = torch.mean((run(v, mark)[0] - y) ** 2)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        v, mark, y = batch_of(4096)
        pred, step = run(v, mark)
        mse = float(torch.mean((pred - y) ** 2))
        return {"mse": mse, "delta_mark": float(step[mark == 1].mean()),
                "delta_blank": float(step[mark == 0].mean())}
