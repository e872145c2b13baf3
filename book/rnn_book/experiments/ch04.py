"""Chapter 4's experiments: Jacobian products, the loss cliff, the adding problem.

One copy, called by book/04_vanishing_exploding.ipynb and by the claims tests
(tests/claims/test_ch04.py). See chapter 4, Vanishing and exploding gradients.
"""

import numpy as np
import torch

from rnn_course import numpy_rnn
from rnn_course.clip import clip_grad_norm
from rnn_course.data.tasks import adding_problem
from rnn_course.init import identity, init_srn, orthogonal
from rnn_course.models import SequenceModel, make_core
from rnn_course.train import train_sequence_model

__all__ = [
    "SLOPES",
    "jacobian_product",
    "radius_experiment",
    "tiny_loss_grad",
    "tiny_loss_grid",
    "descend",
    "input_gradient_by_distance",
    "STARTS",
    "srn_with_start",
    "fit_adding",
    "steps_to_level",
    "spectral_radius",
    "gradient_norm_trace",
]

#: Slope f'(a) of each nonlinearity, written with the state h = f(a).
SLOPES = {
    "tanh": lambda h: 1 - h**2,
    "relu": lambda h: (h > 0).astype(float),
    "linear": lambda h: np.ones_like(h),
}


def jacobian_product(W_hh, h, kind="tanh"):
    """Norms of dh_T/dh_k for k = T, ..., 0 (index n = T - k), and dh_T/dh_0.

    W_hh (H, H); h (T, H), the states of one sequence (h[s] is h_{s+1});
    kind "tanh", "relu" or "linear". Returns norms (T + 1,) and J (H, H).
    """
    T, H = h.shape
    J = np.eye(H)  # dh_T/dh_T
    norms = [1.0]
    for s in range(T - 1, -1, -1):  # one-step Jacobian dh_(s+1)/dh_s
        J = J @ (SLOPES[kind](h[s])[:, None] * W_hh)  # diag(f') W_hh
        norms.append(np.linalg.norm(J, 2))  # spectral norm
    return np.array(norms), J


def radius_experiment(seed=0, radii=(0.5, 0.9, 1.0, 1.1, 1.5), T=60, D=8, H=64):
    """Jacobian norms against distance for one random W_hh rescaled to each radius.

    Returns
    -------
    W0 : ndarray, shape (H, H)
        The matrix with spectral radius 1 (W_hh = r * W0).
    curves : dict
        ``curves["linear"][r]`` and ``curves["tanh"][r]``, each (T + 1,).
    """
    rng = np.random.default_rng(seed)
    W0 = rng.standard_normal((H, H)) / np.sqrt(H)
    W0 /= np.abs(np.linalg.eigvals(W0)).max()  # spectral radius exactly 1
    p = init_srn(D, H, rng)  # input weights and biases as torch.nn.RNN draws them
    x = rng.standard_normal((T, 1, D))  # (T, 1, D)
    curves = {"linear": {}, "tanh": {}}
    for r in radii:
        W_hh = r * W0
        weights = (p["W_ih"], W_hh, p["b_ih"], p["b_hh"])
        states = numpy_rnn.srn_forward(x, np.zeros((1, H)), *weights)[0][:, 0]
        for kind in curves:
            curves[kind][r] = jacobian_product(W_hh, states, kind=kind)[0]
    return W0, curves


T_TINY, H0_TINY, TARGET_TINY = 25, 0.5, -0.5


def tiny_loss_grad(w, b):
    """Loss (h_T - y)^2 of the one-unit network and (dL/dw, dL/db), via srn_backward."""
    x = np.zeros((T_TINY, 1, 1))  # no input: (T, B=1, D=1)
    args = (np.zeros((1, 1)), np.array([[w]]), np.array([b]), np.zeros(1))
    h, cache = numpy_rnn.srn_forward(x, np.full((1, 1), H0_TINY), *args)
    dh = np.zeros_like(h)
    dh[-1] = 2 * (h[-1] - TARGET_TINY)  # dL/dh_T
    _, _, _, dW_hh, db_ih, _ = numpy_rnn.srn_backward(dh, cache)
    loss = float((h[-1, 0, 0] - TARGET_TINY) ** 2)
    return loss, np.array([dW_hh[0, 0], db_ih[0]])


def tiny_loss_grid(w, b):
    """The same loss on a whole grid at once (forward only, by broadcasting)."""
    h = np.full(np.broadcast(w, b).shape, H0_TINY)
    for _ in range(T_TINY):
        h = np.tanh(w * h + b)
    return (h - TARGET_TINY) ** 2


def descend(start, steps=300, lr=0.1, max_norm=None):
    """Plain gradient descent on the one-unit network, optionally clipped by norm.

    Returns
    -------
    path : ndarray, shape (steps + 1, 2)
    losses, norms : ndarray, shape (steps,)
        Loss and pre-clipping gradient norm at every step.
    """
    theta = np.array(start, dtype=float)
    path, losses, norms = [theta.copy()], [], []
    for _ in range(steps):
        loss, grad = tiny_loss_grad(*theta)
        norms.append(np.linalg.norm(grad))
        if max_norm is not None:
            clip_grad_norm([grad], max_norm)  # grad is rescaled in place
        theta -= lr * grad
        path.append(theta.copy())
        losses.append(loss)
    return np.array(path), np.array(losses), np.array(norms)


def input_gradient_by_distance(seed=0, T=100, B=64, H=32):
    """||dL/dx_t|| (t = 1..T) for a default tanh SRN and a random read-out, adding problem."""
    rng = np.random.default_rng(seed)
    x, y = adding_problem(B, T, rng)  # x (T, B, 2), y (B,)
    x = x.astype(np.float64)
    h, cache = numpy_rnn.srn_forward(x, np.zeros((B, H)), **init_srn(2, H, rng))
    w_out = rng.standard_normal(H) / np.sqrt(H)  # a random linear read-out of h_T
    dh = np.zeros_like(h)
    dh[-1] = 2 * (h[-1] @ w_out - y)[:, None] * w_out / B  # d(mean squared error)/dh_T
    dx = numpy_rnn.srn_backward(dh, cache)[0]  # (T, B, 2)
    return np.linalg.norm(dx, axis=(1, 2))  # (T,)


STARTS = ("default", "orthogonal", "IRNN")


def srn_with_start(start="default", seed=0, hidden_size=32):
    """A SequenceModel around torch.nn.RNN with one of three initial recurrent matrices.

    ``"default"``: torch's uniform draw; ``"orthogonal"``: :func:`init.orthogonal`;
    ``"IRNN"``: ReLU units, W_hh = I, zero biases, W_ih ~ N(0, 1e-3) (Le et al., 2015).
    torch is seeded with ``seed`` before the weights are drawn.
    """
    if start not in STARTS:
        raise ValueError(f"start: expected one of {STARTS}, got {start!r}")
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    square = (hidden_size, hidden_size)
    model = SequenceModel(2, hidden_size, 1, cell="srn", impl="torch")
    if start == "IRNN":
        model.rnn = make_core("srn", "torch", 2, hidden_size, nonlinearity="relu")
    rnn = model.rnn
    with torch.no_grad():
        if start == "orthogonal":
            rnn.weight_hh_l0.copy_(torch.from_numpy(orthogonal(square, rng)))
        if start == "IRNN":
            rnn.weight_hh_l0.copy_(torch.from_numpy(identity(square)))
            rnn.bias_ih_l0.zero_()
            rnn.bias_hh_l0.zero_()
            rnn.weight_ih_l0.normal_(0.0, 1e-3)
    return model


def fit_adding(model, T, seed=0, steps=600, batch_size=32, lr=1e-2, clip=1.0):
    """Train ``model`` on the adding problem with :func:`train.train_sequence_model`.

    Returns
    -------
    ndarray, shape (steps,)
        Training MSE per step (fresh batches, so also a held-out estimate).
    """
    run = train_sequence_model(
        model,
        lambda rng: adding_problem(batch_size, T, rng),
        steps=steps,
        lr=lr,
        clip=clip,
        seed=seed,
        eval_every=steps,
        progress=False,
    )
    return np.array(run["train_loss"])


def steps_to_level(model, T, level=1 / 12, max_steps=1800, window=100, seed=0,
                   batch_size=32, lr=1e-2, clip=1.0):
    """Train like :func:`fit_adding`, but stop once the moving-average MSE is below ``level``.

    The batches, the seeding, Adam and the clipping are those of
    :func:`rnn_course.train.train_sequence_model`, so up to the stopping step the
    training curve is the one :func:`fit_adding` returns.

    Parameters
    ----------
    model : SequenceModel
    T : int
        Sequence length of the adding problem.
    level : float, default 1/12
        The MSE of a network that uses only the second marked number.
    max_steps : int, default 1800
        Three times the chapter's 600 steps.
    window : int, default 100
        Length of the moving average of the training MSE (fresh batches).
    seed, batch_size, lr, clip : as in :func:`fit_adding` (``clip=None``: no clipping)

    Returns
    -------
    int or None
        The first step whose moving average of the last ``window`` losses is
        below ``level``, or None if that did not happen within ``max_steps``.
    """
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    recent = []
    for step in range(1, max_steps + 1):
        x, y = (torch.as_tensor(a) for a in adding_problem(batch_size, T, rng))
        _, loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        recent.append(loss.item())
        if len(recent) >= window and np.mean(recent[-window:]) < level:
            return step
    return None


def spectral_radius(model):
    """Spectral radius of a SequenceModel's first-layer ``weight_hh_l0``."""
    W = model.rnn.weight_hh_l0.detach().double().cpu().numpy()  # (H, H)
    return float(np.abs(np.linalg.eigvals(W)).max())


def gradient_norm_trace(radius, seed=0, steps=150, T=30, lr=1e-2):
    """Pre-clipping gradient norms of a tanh SRN whose W_hh starts at spectral radius ``radius``.

    The SRN of :func:`srn_with_start` (``"default"``) has its recurrent matrix
    rescaled, then is trained on the adding problem with Adam and *no* clipping;
    the global gradient norm of every step is recorded before the update.

    Returns
    -------
    ndarray, shape (steps,)
    """
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = srn_with_start("default", seed)
    with torch.no_grad():
        W = model.rnn.weight_hh_l0  # (H, H)
        W.mul_(radius / np.abs(np.linalg.eigvals(W.double().numpy())).max())
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    norms = []
    for _ in range(steps):
        x, y = (torch.as_tensor(a) for a in adding_problem(32, T, rng))
        _, loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        grads = [p.grad.reshape(-1) for p in model.parameters() if p.grad is not None]
        norms.append(float(torch.cat(grads).norm()))
        opt.step()
    return np.array(norms)
