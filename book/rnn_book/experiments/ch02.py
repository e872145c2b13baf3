"""Chapter 2 (the simple recurrent network): Elman's temporal-XOR experiment.

See chapter 2, Experiment: Elman's temporal XOR.
"""

import numpy as np
import torch

from rnn_course.data.tasks import temporal_xor
from rnn_course.torch_rnn import RNN

__all__ = [
    "train_temporal_xor",
    "xor_error_by_position",
    "xor_loss_by_phase",
    "phase_blind_losses",
]


def train_temporal_xor(seed, steps=500, hidden_size=8, n_seq=64, T=30, lr=0.01):
    """Train a tanh SRN with a sigmoid read-out to predict the next bit of Elman's XOR stream.

    Parameters
    ----------
    seed : int
        Seeds the stream and torch.
    steps : int, default 500
        Full-batch Adam updates on ``n_seq`` sequences of ``T`` bits (10 triplets
        for T = 30), each starting at the beginning of a triplet.
    hidden_size, n_seq, T, lr : see the defaults

    Returns
    -------
    model : torch.nn.Sequential-like pair ``(rnn, readout)``
        :class:`rnn_course.torch_rnn.RNN` and ``torch.nn.Linear(hidden_size, 1)``.
    loss : float
        The last training loss (mean binary cross-entropy, nats).

    Notes
    -----
    See chapter 2, Experiment: Elman's temporal XOR.
    """
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    stream = temporal_xor(n_seq * T // 3, rng).reshape(n_seq, T).T  # (T, n)
    bits = torch.tensor(stream, dtype=torch.float32)
    x, y = bits[:-1, :, None], bits[1:]  # input bit t, target bit t + 1
    rnn, readout = RNN(input_size=1, hidden_size=hidden_size), torch.nn.Linear(hidden_size, 1)
    opt = torch.optim.Adam([*rnn.parameters(), *readout.parameters()], lr=lr)
    for _ in range(steps):
        logits = readout(rnn(x)[0])[..., 0]  # (T-1, n)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return (rnn, readout), loss.item()


def xor_error_by_position(model, rng, n_seq=500, T=30):
    """Mean absolute error of the predicted next bit at each position of fresh XOR streams.

    Returns
    -------
    err : ndarray, shape (T - 1,)
        Mean |y - y_hat| for the bit at positions 2..T.
    by_phase : ndarray, shape (3,)
        The same averaged by the place of the predicted bit in its triplet:
        first random bit, second random bit, XOR bit.
    """
    rnn, readout = model
    stream = temporal_xor(n_seq * T // 3, rng).reshape(n_seq, T).T  # (T, n)
    bits = torch.tensor(stream, dtype=torch.float32)
    with torch.no_grad():
        prob = torch.sigmoid(readout(rnn(bits[:-1, :, None])[0])[..., 0])  # (T-1, n)
    err = (prob - bits[1:]).abs().mean(dim=1).numpy()  # (T-1,)
    phase = np.arange(1, T) % 3  # 0, 1: coin flips; 2: XOR bit
    return err, np.array([err[phase == k].mean() for k in range(3)])


def xor_loss_by_phase(model, rng, n_seq=500, T=30, offset=0):
    """Mean binary cross-entropy (nats) of the next-bit prediction by place in the triplet.

    Parameters
    ----------
    model : pair ``(rnn, readout)`` from :func:`train_temporal_xor`
    rng : numpy.random.Generator
    n_seq, T : int
        Fresh streams: ``n_seq`` sequences of ``T`` bits.
    offset : int, default 0
        Drop the first ``offset`` bits of a longer stream, so that the sequences
        start ``offset`` bits into a triplet (training always starts at 0).

    Returns
    -------
    ndarray, shape (3,)
        Cross-entropy for predicting the first random bit, the second random
        bit and the XOR bit of a triplet. A fair coin costs ln 2 whatever the model.

    Notes
    -----
    See chapter 2, exercise ex-srn-xor: a predictor that knows only the last
    two bits (not the phase) is best at P(next = a xor b) = 2/3 and then costs
    -ln(2/3) on the XOR bit and -(ln(2/3) + ln(1/3))/2 on each random bit.
    """
    rnn, readout = model
    n_trip = (T + offset + 2) // 3
    stream = temporal_xor(n_seq * n_trip, rng).reshape(n_seq, 3 * n_trip)
    bits = torch.tensor(stream[:, offset : offset + T].T, dtype=torch.float32)  # (T, n)
    with torch.no_grad():
        logits = readout(rnn(bits[:-1, :, None])[0])[..., 0]  # (T-1, n)
        ce = torch.nn.functional.binary_cross_entropy_with_logits(
            logits, bits[1:], reduction="none"
        ).mean(dim=1).numpy()  # (T-1,)
    phase = (np.arange(1, T) + offset) % 3  # of the predicted bit; 2: XOR bit
    return np.array([ce[phase == k].mean() for k in range(3)])


def phase_blind_losses():
    """Cross-entropy of the best predictor that uses only the last two bits.

    Returns
    -------
    xor_bit, random_bit : float
        Its cost on the XOR bit, -ln(2/3), and on each random bit,
        -(ln(2/3) + ln(1/3)) / 2, both in nats.
    """
    q = 2.0 / 3.0  # P(next = a xor b), averaged over the three phases
    return float(-np.log(q)), float(-(np.log(q) + np.log(1 - q)) / 2)
