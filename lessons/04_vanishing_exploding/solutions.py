"""Reference solutions of lesson 04: norms of Jacobian products, clipping by norm and by value.

The clipping functions promise what the lesson's checks test (a dict or a list
of arrays, changed in place); the library's ``rnn_course.clip`` does more
(``norm_type``) and is what the chapters use.
"""

import numpy as np


def jacobian_product_norms(h, W_hh):
    r"""Norms of the products of step Jacobians of a tanh SRN, k steps back.

    Parameters
    ----------
    h : ndarray, shape (T, H)
        Hidden states h_0 ... h_{T-1} of one sequence of a tanh SRN.
    W_hh : ndarray, shape (H, H)
        Recurrent weights (torch layout).

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
    P = np.eye(H)  # (H, H) the empty product
    norms = [1.0]
    for k in range(1, T):
        J = (1 - h[T - k] ** 2)[:, None] * W_hh  # (H, H) = diag(1 - h^2) W_hh
        P = P @ J  # the older Jacobian goes on the right
        norms.append(np.linalg.norm(P, 2))
    return np.array(norms)  # (T,)


def clip_grad_norm(grads, max_norm):
    r"""Scale all gradients together so that their global norm is at most ``max_norm``.

    Parameters
    ----------
    grads : dict of str to ndarray, or list of ndarray
        The gradients, **changed in place** (like ``torch.nn.utils.clip_grad_norm_``):
        scale the arrays themselves (``g *= scale``), so that the caller's dict or
        list sees the clipped values.
    max_norm : float
        Largest allowed norm, > 0.

    Returns
    -------
    float
        The total norm **before** clipping (log it to watch for explosions).

    Notes
    -----
    .. math:: \|g\| = \sqrt{\textstyle\sum_k \sum_j g_{kj}^2}, \qquad
              g_k \leftarrow g_k \cdot \frac{\text{max\_norm}}{\|g\|}
              \quad \text{only when } \|g\| > \text{max\_norm}

    One norm over all the arrays, so their relative sizes (the direction of the
    step) are kept. See chapter 4, Gradient-norm clipping.
    """
    arrays = list(grads.values()) if isinstance(grads, dict) else list(grads)
    total = float(np.sqrt(sum(np.sum(g * g) for g in arrays)))
    if total > max_norm:
        for g in arrays:
            g *= max_norm / total
    return total


def clip_grad_value(grads, clip_value):
    """Clip every gradient entry to ``[-clip_value, clip_value]``, in place.

    Parameters
    ----------
    grads : dict of str to ndarray, or list of ndarray
        **Changed in place** (like ``torch.nn.utils.clip_grad_value_``).
    clip_value : float
        > 0.

    Returns
    -------
    None

    Notes
    -----
    Unlike ``clip_grad_norm`` this changes the direction of the step.
    min-char-rnn clips at 5. See chapter 4, Gradient-norm clipping.
    """
    for g in grads.values() if isinstance(grads, dict) else grads:
        np.clip(g, -clip_value, clip_value, out=g)
