"""Optimisers on dicts of NumPy arrays: SGD, SGD with momentum, Adagrad, Adam.

Same update rules and hyperparameter names as ``torch.optim`` (the tests run
both side by side). ``params`` and ``grads`` are dicts with the same keys;
``step(grads)`` updates the arrays of ``params`` **in place**, as a torch
optimiser updates its parameters. See chapter 3 and chapter 6 (training the
character-level language model).
"""

import numpy as np

__all__ = ["SGD", "Momentum", "Adagrad", "Adam"]


class Optimizer:
    """Base class: holds the parameter dict and checks the gradients of each step.

    Parameters
    ----------
    params : dict of str to ndarray
        Floating arrays, updated in place by :meth:`step`.
    lr : float
        Learning rate, > 0.
    weight_decay : float
        L2 penalty added to the gradient (``g + weight_decay * p``), as in torch.
    """

    def __init__(self, params, lr, weight_decay=0.0):
        if not isinstance(params, dict) or not params:
            raise TypeError(
                f"params: expected a non-empty dict of numpy arrays, got {type(params).__name__}"
            )
        for k, p in params.items():
            if not isinstance(p, np.ndarray) or not np.issubdtype(p.dtype, np.floating):
                raise TypeError(
                    f"params[{k!r}]: expected a floating-point numpy array, got "
                    f"{getattr(p, 'dtype', type(p).__name__)}"
                )
        if not lr > 0:
            raise ValueError(f"lr: expected a positive learning rate, got {lr!r}")
        if weight_decay < 0:
            raise ValueError(f"weight_decay: expected >= 0, got {weight_decay!r}")
        self.params = params
        self.lr = lr
        self.weight_decay = weight_decay
        self.state = {k: {} for k in params}
        self.t = 0  # number of steps taken

    def _grads(self, grads):
        if not isinstance(grads, dict) or set(grads) != set(self.params):
            got = sorted(grads) if isinstance(grads, dict) else type(grads).__name__
            raise ValueError(
                f"grads: expected a dict with the keys of params {sorted(self.params)}, got {got}"
            )
        for k, g in grads.items():
            if not isinstance(g, np.ndarray) or g.shape != self.params[k].shape:
                raise ValueError(
                    f"grads[{k!r}]: expected shape {self.params[k].shape}, got "
                    f"{getattr(g, 'shape', type(g).__name__)}"
                )
        for k, p in self.params.items():
            g = grads[k]
            if self.weight_decay:
                g = g + self.weight_decay * p  # new array: grads are never modified
            yield k, p, g, self.state[k]

    def step(self, grads):
        """Update every array of ``params`` in place from ``grads`` (same keys and shapes)."""
        self.t += 1
        for k, p, g, s in self._grads(grads):
            self._update(k, p, g, s)

    def _update(self, key, p, g, state):
        raise NotImplementedError


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with (Nesterov) momentum (``torch.optim.SGD``).

    Parameters
    ----------
    params : dict of str to ndarray
    lr : float
    momentum : float
        0 for plain SGD.
    weight_decay : float
    nesterov : bool

    Notes
    -----
    .. math:: v \leftarrow \mu v + g \;(v = g \text{ at the first step}), \qquad
              p \leftarrow p - \eta v

    (with Nesterov: :math:`p \leftarrow p - \eta (g + \mu v)`).
    """

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
        super().__init__(params, lr, weight_decay)
        if not 0 <= momentum < 1:
            raise ValueError(f"momentum: expected a value in [0, 1), got {momentum!r}")
        if nesterov and momentum == 0:
            raise ValueError("nesterov: needs momentum > 0")
        self.momentum = momentum
        self.nesterov = nesterov

    def _update(self, key, p, g, state):
        if self.momentum:
            if "v" not in state:
                state["v"] = np.array(g, copy=True)
            else:
                state["v"] *= self.momentum
                state["v"] += g
            g = g + self.momentum * state["v"] if self.nesterov else state["v"]
        p -= self.lr * g


class Momentum(SGD):
    """SGD with momentum 0.9 by default (``torch.optim.SGD(..., momentum=0.9)``)."""

    def __init__(self, params, lr, momentum=0.9, weight_decay=0.0, nesterov=False):
        super().__init__(params, lr, momentum, weight_decay, nesterov)


class Adagrad(Optimizer):
    r"""Adagrad (``torch.optim.Adagrad``): per-element steps shrink with the summed squares.

    Parameters
    ----------
    params : dict of str to ndarray
    lr : float
        min-char-rnn uses 0.1.
    eps : float
    weight_decay : float

    Notes
    -----
    .. math:: G \leftarrow G + g^2, \qquad p \leftarrow p - \eta\, g / (\sqrt{G} + \epsilon)

    (Duchi et al., 2011.)
    """

    def __init__(self, params, lr=1e-2, eps=1e-10, weight_decay=0.0):
        super().__init__(params, lr, weight_decay)
        self.eps = eps

    def _update(self, key, p, g, state):
        if "sum" not in state:
            state["sum"] = np.zeros_like(p)
        state["sum"] += g * g
        p -= self.lr * g / (np.sqrt(state["sum"]) + self.eps)


class Adam(Optimizer):
    r"""Adam (``torch.optim.Adam``) with bias-corrected first and second moments.

    Parameters
    ----------
    params : dict of str to ndarray
    lr : float
    betas : tuple of float
        Decay rates (beta1, beta2) of the two moving averages.
    eps : float
    weight_decay : float

    Notes
    -----
    .. math::
        m &\leftarrow \beta_1 m + (1 - \beta_1) g, \quad
        v \leftarrow \beta_2 v + (1 - \beta_2) g^2 \\
        p &\leftarrow p - \eta \frac{m / (1 - \beta_1^t)}{\sqrt{v / (1 - \beta_2^t)} + \epsilon}

    (Kingma and Ba, 2015.)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr, weight_decay)
        if not all(0 <= b < 1 for b in betas) or len(betas) != 2:
            raise ValueError(f"betas: expected two values in [0, 1), got {betas!r}")
        self.betas = tuple(betas)
        self.eps = eps

    def _update(self, key, p, g, state):
        b1, b2 = self.betas
        if "m" not in state:
            state["m"] = np.zeros_like(p)
            state["v"] = np.zeros_like(p)
        m, v = state["m"], state["v"]
        m *= b1
        m += (1 - b1) * g
        v *= b2
        v += (1 - b2) * g * g
        bc1 = 1 - b1**self.t
        bc2 = 1 - b2**self.t
        denom = np.sqrt(v) / np.sqrt(bc2) + self.eps
        p -= (self.lr / bc1) * m / denom
