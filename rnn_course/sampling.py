"""Generate text from a character language model: temperature, top-k, priming, seeds.

:func:`apply_temperature`, :func:`top_k_filter` and :func:`softmax` are plain
NumPy (importing this module does not import torch; :mod:`rnn_course.numpy_lm`
samples with them). :func:`sample` runs a torch model and imports torch when
called. See chapter 6, Applications (sampling with temperature).
"""

import numpy as np

from ._validate import positive_int, positive_number

__all__ = ["apply_temperature", "top_k_filter", "softmax", "sample"]


def apply_temperature(logits, temperature):
    """Divide logits by the temperature (before the softmax).

    Parameters
    ----------
    logits : ndarray or Tensor, shape (..., V)
    temperature : float
        > 0. Below 1 sharpens the distribution (towards the most likely token),
        above 1 flattens it (towards uniform); 1 leaves it unchanged.

    Returns
    -------
    same type as ``logits``, shape (..., V)

    Notes
    -----
    ``p_i = exp(z_i / tau) / sum_j exp(z_j / tau)``. As ``tau -> 0`` this tends to
    the arg max; as ``tau -> inf``, to the uniform distribution.
    """
    positive_number(temperature, "temperature")
    _check_logits(logits)
    return logits / temperature


def _check_logits(logits):
    """Refuse NaN and +inf logits (NumPy or torch), and rows that are all -inf."""
    if bool((logits != logits).any()):
        raise ValueError("logits: expected real numbers, got NaN (check the model's output)")
    if bool((logits == float("inf")).any()):
        raise ValueError("logits: expected finite values or -inf (a masked token), got +inf")
    if bool((logits == float("-inf")).all(-1).any()):
        raise ValueError(
            "logits: every logit of a row is -inf, so no token can be chosen; keep at least one"
        )


def top_k_filter(logits, k):
    """Keep the ``k`` largest logits along the last axis; set the rest to ``-inf``.

    Parameters
    ----------
    logits : ndarray, shape (V,)
    k : int or None
        None keeps all.
    """
    logits = np.asarray(logits, dtype=np.float64)
    if k is None:
        return logits.copy()
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"top_k: expected an int >= 1 or None, got {k!r}")
    if k >= logits.shape[-1]:
        return logits.copy()
    kth = np.partition(logits, -k)[-k]
    return np.where(logits >= kth, logits, -np.inf)


def softmax(logits):
    """Numerically stable softmax over the last axis (NumPy, float64).

    ``-inf`` logits get probability 0; NaN, ``+inf`` or a row that is all
    ``-inf`` raise ``ValueError`` (there is no distribution to return).
    """
    z = np.asarray(logits, dtype=np.float64)
    _check_logits(z)
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def sample(model, vocab, prime="", length=200, temperature=1.0, top_k=None, seed=None, rng=None):
    """Sample ``length`` characters from a character language model.

    Parameters
    ----------
    model : CharLM
        Any model with ``forward(idx, state=..., return_state=True) -> (logits, loss, state)``.
    vocab : CharVocab
    prime : str, default ""
        Text fed in first to set the state; it starts the returned string. Empty:
        start from a newline (or, if the vocabulary has none, the first character).
    length : int, default 200
        Number of new characters.
    temperature : float, default 1.0
        See :func:`apply_temperature`.
    top_k : int, optional
        Sample only among the ``top_k`` most likely characters.
    seed : int, optional
        Seed for a fresh ``numpy.random.default_rng``; ignored when ``rng`` is given.
    rng : numpy.random.Generator, optional

    Returns
    -------
    str
        ``prime`` followed by ``length`` sampled characters. The same seed gives the same text.
    """
    import torch  # only the torch model needs it

    if rng is None:
        rng = np.random.default_rng(seed)
    length = positive_int(length, "length", 0)
    positive_number(temperature, "temperature")
    device = next(model.parameters()).device
    start = prime if prime else ("\n" if "\n" in vocab else vocab.itos[1])
    ids = torch.as_tensor(vocab.encode(start), device=device).unsqueeze(1)  # (T0, 1)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            return prime + vocab.decode(_generate(model, ids, length, temperature, top_k, rng))
    finally:
        model.train(was_training)


def _generate(model, ids, length, temperature, top_k, rng):
    """Feed ``ids`` (T0, 1), then sample ``length`` ids one at a time; return them."""
    import torch

    logits, _, state = model(ids, state=None, return_state=True)  # (T0, 1, V)
    out = []
    for _ in range(length):
        z = top_k_filter(
            apply_temperature(logits[-1, 0].double().cpu().numpy(), temperature), top_k
        )
        nxt = int(rng.choice(len(z), p=softmax(z)))  # (V,) probabilities
        out.append(nxt)
        x = torch.tensor([[nxt]], device=ids.device)  # (1, 1)
        logits, _, state = model(x, state=state, return_state=True)
    return out
