"""Reference solutions of lesson 06: temperature, perplexity, a sampling loop, a training step.

``tbptt_train_step`` imports torch only when called, so grading the NumPy
exercises of this lesson never loads torch.
"""

import numpy as np


def apply_temperature(logits, temperature):
    """Divide the logits by the temperature (before the softmax).

    Parameters
    ----------
    logits : ndarray, shape (..., V)
    temperature : float
        > 0. Below 1 sharpens the distribution (towards the most likely token),
        above 1 flattens it (towards uniform); 1 leaves it unchanged.

    Returns
    -------
    ndarray, shape (..., V)
        The scaled logits ``logits / temperature`` (not probabilities).

    Notes
    -----
    The sampler then draws from ``softmax(logits / temperature)``. As the
    temperature goes to 0 this tends to the arg max; as it grows, to the uniform
    distribution. See chapter 6, Applications.
    """
    return logits / temperature


def top_k_filter(logits, k):
    """Keep the ``k`` largest logits of every row; set the others to ``-inf``.

    Parameters
    ----------
    logits : ndarray, shape (..., V)
    k : int
        >= 1. With ``k >= V`` every logit is kept.

    Returns
    -------
    ndarray, shape (..., V)
        A new array (``logits`` itself is not changed): each row keeps the
        entries ``>=`` its k-th largest value (so a tie with the k-th largest is
        kept too), every other entry is ``-inf``.

    Notes
    -----
    After the softmax a ``-inf`` logit has probability 0, so sampling draws only
    among the k most likely tokens: the long tail of unlikely characters, each
    rare but many together, cannot derail the text. See chapter 6, Applications.
    """
    V = logits.shape[-1]
    if k >= V:
        return logits.copy()
    kth = np.sort(logits, axis=-1)[..., V - k : V - k + 1]  # (..., 1) the k-th largest
    return np.where(logits >= kth, logits, -np.inf)


def perplexity(logits, targets):
    r"""Perplexity of predictions: exp of the mean cross-entropy per token.

    Parameters
    ----------
    logits : ndarray, shape (T, B, V)
        Unnormalised scores.
    targets : ndarray of int, shape (T, B)
        The tokens that came next.

    Returns
    -------
    float
        :math:`\exp\big(-\frac{1}{TB}\sum_{t,b} \log \mathrm{softmax}(z_{t,b})_{y_{t,b}}\big)`.

    Notes
    -----
    A model that guesses uniformly has perplexity V; a perfect one, 1. Use a
    stable log-softmax: ``z - max z - log sum exp(z - max z)``; logits around
    1000 must not overflow. See chapter 6, Applications.
    """
    z = logits - logits.max(axis=-1, keepdims=True)  # (T, B, V)
    logp = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))  # (T, B, V)
    nll = -np.take_along_axis(logp, targets[..., None], axis=-1)  # (T, B, 1)
    return float(np.exp(nll.mean()))


def sample_tokens(params, token, h, num_tokens, temperature, u):
    r"""Generate tokens from a character SRN, feeding each sample back in as the next input.

    Parameters
    ----------
    params : dict of ndarray
        ``W_ih`` (H, V), ``W_hh`` (H, H), ``b_ih`` and ``b_hh`` (H,), ``W_hy`` (V, H),
        ``b_hy`` (V,): a tanh SRN on one-hot inputs with a linear output layer.
    token : int
        The first input token.
    h : ndarray, shape (H,)
        The state before the first input.
    num_tokens : int
        How many tokens to generate.
    temperature : float
        > 0; apply it with your ``apply_temperature``.
    u : ndarray, shape (num_tokens,)
        Uniform random numbers in [0, 1), one per generated token.

    Returns
    -------
    tokens : ndarray of int, shape (num_tokens,)
        The generated tokens (not including the first input ``token``).

    Notes
    -----
    Step t: feed the current token, update the state, take the next-token
    distribution and draw from it; the drawn token is the input of step t + 1.

    .. math::
        h \leftarrow \tanh(W_{ih}[:, x] + b_{ih} + W_{hh} h + b_{hh}), \quad
        p = \mathrm{softmax}\big((W_{hy} h + b_{hy}) / \tau\big)

    Draw with ``u[t]``: the token is the smallest v with ``u[t] < cumsum(p)[v]``,
    that is ``np.searchsorted(np.cumsum(p), u[t], side="right")``, the rule
    ``numpy.random.Generator.choice(V, p=p)`` uses. See chapter 6, Applications.
    """
    out = []
    for t in range(num_tokens):
        h = np.tanh(params["W_ih"][:, token] + params["b_ih"] + params["W_hh"] @ h + params["b_hh"])
        z = apply_temperature(params["W_hy"] @ h + params["b_hy"], temperature)  # (V,)
        p = np.exp(z - z.max())
        p /= p.sum()
        token = int(np.searchsorted(np.cumsum(p), u[t], side="right"))
        out.append(token)
    return np.array(out, dtype=np.int64)


def tbptt_train_step(model, optimizer, x, y, h, max_norm):
    """One truncated-BPTT training step on one chunk, in PyTorch.

    Parameters
    ----------
    model : torch.nn.Module
        ``model(x, h) -> (logits, h_next)`` with logits (T, B, V) and h_next (1, B, H).
    optimizer : torch.optim.Optimizer
        Over ``model.parameters()``; you need its ``zero_grad()`` and ``step()``.
    x, y : LongTensor, shape (T, B)
        Input tokens and the targets (x shifted one step ahead).
    h : Tensor, shape (1, B, H)
        The state carried over from the previous chunk.
    max_norm : float
        Clip the global gradient norm to this before the update.

    Returns
    -------
    loss : float
        Mean cross-entropy over the T·B predictions, before the update.
    h_next : Tensor, shape (1, B, H)
        The final state, detached from the graph: carry it into the next
        chunk, but do not backpropagate into this one again.

    Notes
    -----
    Zero the gradients, forward from ``h``, loss, backward, clip the norm
    (``torch.nn.utils.clip_grad_norm_``), step; return the loss as a Python
    float and the detached state. See chapter 3, Truncated BPTT, and chapter 6.
    """
    import torch

    optimizer.zero_grad()
    logits, h_next = model(x, h)  # (T, B, V), (1, B, H)
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    optimizer.step()
    return loss.item(), h_next.detach()
