"""Chapter 3 (backpropagation through time): what truncation costs, and the torch twin.

:func:`train_recall_tbptt` trains an SRN on delayed recall with truncated BPTT;
:func:`train_torch_twin` trains the torch twin of a NumPy language model
(:func:`rnn_course.numpy_lm.to_torch_lm`) exactly as
:func:`rnn_course.numpy_lm.train_numpy_lm` trains the NumPy one. See chapter 3,
What truncation costs in learning, and Closing the loop: training with our own gradients.
"""

import numpy as np
import torch

from rnn_course.batching import batchify, tbptt_chunks
from rnn_course.data.tasks import delayed_recall
from rnn_course.models import detach_state

__all__ = ["train_recall_tbptt", "recall_test_size", "train_torch_twin"]


def train_recall_tbptt(lag, chunk, seed, steps=600, hidden_size=32, lr=3e-3, batch_size=32):
    """Delayed recall learned by a tanh SRN under truncated BPTT with chunks of ``chunk`` steps.

    The network reads long streams of random bits and must output, at every
    step, the bit it read ``lag`` steps earlier (:func:`rnn_course.data.tasks.delayed_recall`).
    The state is carried across chunks and detached; each chunk is one Adam update.

    Parameters
    ----------
    lag : int
    chunk : int
        k, how many steps each gradient reaches back.
    seed : int
    steps : int, default 600
        Number of updates (chunks).
    hidden_size, lr, batch_size : see the defaults

    Returns
    -------
    float
        Recall accuracy on 500 fresh streams of 200 steps (chance is 0.5).

    Notes
    -----
    See chapter 3, What truncation costs in learning.
    """
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    rnn = torch.nn.RNN(1, hidden_size)
    readout = torch.nn.Linear(hidden_size, 2)
    opt = torch.optim.Adam([*rnn.parameters(), *readout.parameters()], lr=lr)
    T_stream = max(96 * chunk, 3 * lag + 1)
    done = 0
    while done < steps:
        x, y = (torch.from_numpy(a) for a in delayed_recall(batch_size, T_stream, lag, rng))
        h = None
        for s in range(0, T_stream - chunk + 1, chunk):
            out, h = rnn(x[s : s + chunk], h)  # (k, B, H)
            h = h.detach()  # carry the values, cut the graph
            logits = readout(out).reshape(-1, 2)  # (k * B, 2)
            loss = torch.nn.functional.cross_entropy(
                logits, y[s : s + chunk].reshape(-1), ignore_index=-1
            )
            if torch.isnan(loss):  # a chunk with no target yet (all within the first lag steps)
                continue
            opt.zero_grad()
            loss.backward()
            opt.step()
            done += 1
            if done >= steps:
                break
    x_test, y_test = delayed_recall(500, 200, lag, np.random.default_rng(10_000 + seed))
    with torch.no_grad():
        pred = readout(rnn(torch.from_numpy(x_test))[0]).argmax(-1).numpy()  # (T, n)
    known = y_test >= 0
    return float(np.mean(pred[known] == y_test[known]))


def train_torch_twin(model, text_ids, batch_size, seq_len, steps, lr, clip):
    """Train ``model`` exactly as :func:`train_numpy_lm` trains its parameters.

    Same chunks in the same order (state carried and detached, reset to zeros at
    the start of each pass), ``torch.optim.Adam`` and global-norm clipping.

    Returns
    -------
    ndarray, shape (steps,)
        The mean loss of each chunk (nats per character).
    """
    stream = torch.from_numpy(batchify(text_ids, batch_size))  # (N, B)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    while len(losses) < steps:
        state = None
        for x, y in tbptt_chunks(stream, seq_len):
            _, loss, state = model(x, y, state=detach_state(state), return_state=True)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
            opt.step()
            losses.append(loss.item())
            if len(losses) == steps:
                break
    return np.array(losses)


def recall_test_size(lag=8, n=500, T=200):
    """Number of known targets :func:`train_recall_tbptt` scores (``n`` streams of ``T`` steps)."""
    _, y = delayed_recall(n, T, lag, np.random.default_rng(0))
    return int((y >= 0).sum())
