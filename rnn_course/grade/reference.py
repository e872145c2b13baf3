"""Reference solutions of lessons 04 and 06 that have no function in the library.

Lessons 01-03 keep theirs in their folders (``rnn_course/grade/lessons/lNN_*/solutions.py``);
these move there too when lessons 04-06 are ported. NumPy only; the PyTorch exercise is
in ``reference_torch``.
"""

import numpy as np


def jacobian_product_norms(h, W_hh):
    r"""Norms of the products of step Jacobians of a tanh SRN, k steps back (lesson 04).

    Parameters
    ----------
    h : ndarray, shape (T, H)
        Hidden states h_0 ... h_{T-1} of one sequence (a tanh SRN).
    W_hh : ndarray, shape (H, H)
        Recurrent weights.

    Returns
    -------
    norms : ndarray, shape (T,)
        ``norms[k]`` is the spectral norm (``np.linalg.norm(., 2)``) of
        :math:`\partial h_{T-1} / \partial h_{T-1-k}`; ``norms[0] = 1``.

    Notes
    -----
    .. math::
        J_t = \frac{\partial h_t}{\partial h_{t-1}} = \mathrm{diag}(1 - h_t^2)\, W_{hh},
        \qquad
        \frac{\partial h_{T-1}}{\partial h_{T-1-k}} = J_{T-1} J_{T-2} \cdots J_{T-k}

    See chapter 4, Vanishing and exploding gradients.
    """
    T, H = h.shape
    P = np.eye(H)  # (H, H)
    norms = [1.0]
    for k in range(1, T):
        J = (1 - h[T - k] ** 2)[:, None] * W_hh  # (H, H) = diag(1 - h^2) W_hh
        P = P @ J
        norms.append(np.linalg.norm(P, 2))
    return np.array(norms)  # (T,)


def perplexity(logits, targets):
    r"""Perplexity of predictions: exp of the mean cross-entropy per token (lesson 06).

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
    stable log-softmax: ``z - max z - log sum exp(z - max z)``.
    See chapter 6, Applications.
    """
    z = logits - logits.max(axis=-1, keepdims=True)  # (T, B, V)
    logp = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))  # (T, B, V)
    nll = -np.take_along_axis(logp, targets[..., None], axis=-1)  # (T, B, 1)
    return float(np.exp(nll.mean()))
