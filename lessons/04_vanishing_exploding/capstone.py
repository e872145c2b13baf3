"""Capstone of lesson 04: your functions redo chapter 4's two experiments.

1. ``vanishing_curves(jacobian_product_norms)``: the norms of Jacobian products
   of a tanh SRN whose recurrent matrix has spectral radius 0.5 ... 1.5, the
   picture of chapter 4 (they fall geometrically for a radius below 1).
2. ``cliff_runs(clip_grad_norm)``: gradient descent on the one-unit SRN of
   chapter 4 from (w, b) = (2.5, 0.5). The loss surface has a cliff; a plain
   step at the cliff throws the parameters far away, a clipped step crosses it.

``vanishing`` and ``cliff`` print and draw the results; until your functions pass
their checks they print what is still to do and return None.
"""

import numpy as np

from rnn_course import numpy_rnn
from rnn_course.init import init_srn
from rnn_grade.capstone import ready

RADII = (0.5, 0.9, 1.0, 1.1, 1.5)
T_TINY, H0, TARGET = 25, 0.5, -0.5  # the one-unit SRN of chapter 4
START, LR, STEPS, MAX_NORM = (2.5, 0.5), 0.1, 300, 1.0


def srn_states(radius, T=60, D=8, H=64, seed=0):
    """States (T, H) and recurrent weights (H, H) of a tanh SRN of spectral radius ``radius``."""
    rng = np.random.default_rng(seed)
    W0 = rng.standard_normal((H, H)) / np.sqrt(H)
    W0 /= np.abs(np.linalg.eigvals(W0)).max()  # spectral radius exactly 1
    p = init_srn(D, H, rng)
    x = rng.standard_normal((T, 1, D))  # (T, B=1, D)
    W_hh = radius * W0
    h, _ = numpy_rnn.srn_forward(x, np.zeros((1, H)), p["W_ih"], W_hh, p["b_ih"], p["b_hh"])
    return h[:, 0], W_hh  # (T, H), (H, H)


def vanishing_curves(jacobian_product_norms, radii=RADII):
    """{radius: norms (T,)} from your ``jacobian_product_norms``."""
    return {r: np.asarray(jacobian_product_norms(*srn_states(r))) for r in radii}


def vanishing(jacobian_product_norms, plot=True):
    """Print and draw the norms for every radius; returns the curves, or None."""
    if not ready(jacobian_product_norms=jacobian_product_norms):
        return None
    curves = vanishing_curves(jacobian_product_norms)
    print("your ||dh_{T-1}/dh_{T-1-k}||   k = 10      k = 30      k = 59")
    for r, c in curves.items():
        print(f"spectral radius {r:3.1f}         {c[10]:9.2e}   {c[30]:9.2e}   {c[59]:9.2e}")
    if plot:
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 3.4))
        for r, c in curves.items():
            ax.semilogy(c, label=f"ρ = {r}")
        ax.set(xlabel="steps back k", ylabel="norm of the Jacobian product")
        ax.set_title("your Jacobian norms, tanh SRN, T = 60, H = 64")
        ax.legend(fontsize="small")
        plt.show()
    return curves


def tiny_loss_grads(theta):
    """Loss of the one-unit SRN and its gradients {"w": (1,), "b": (1,)} (library BPTT)."""
    w, b = float(theta["w"][0]), float(theta["b"][0])
    x = np.zeros((T_TINY, 1, 1))  # no input
    weights = (np.zeros((1, 1)), np.array([[w]]), np.array([b]), np.zeros(1))
    h, cache = numpy_rnn.srn_forward(x, np.full((1, 1), H0), *weights)
    dh = np.zeros_like(h)
    dh[-1] = 2 * (h[-1] - TARGET)  # dL/dh_T of L = (h_T - target)^2
    _, _, _, dW_hh, db_ih, _ = numpy_rnn.srn_backward(dh, cache)
    return float((h[-1, 0, 0] - TARGET) ** 2), {"w": dW_hh[0].copy(), "b": db_ih.copy()}


def descend(clip_grad_norm=None, max_norm=MAX_NORM):
    """Plain (``clip_grad_norm=None``) or clipped gradient descent from START.

    Returns {"path": (STEPS + 1, 2), "loss": (STEPS,), "norm": (STEPS,)}.
    """
    theta = {"w": np.array([START[0]]), "b": np.array([START[1]])}
    path, losses, norms = [START], [], []
    for _ in range(STEPS):
        loss, grads = tiny_loss_grads(theta)
        if clip_grad_norm is None:
            norm = float(np.sqrt(grads["w"][0] ** 2 + grads["b"][0] ** 2))
        else:
            norm = float(clip_grad_norm(grads, max_norm))  # your clipping, in place
        theta = {k: theta[k] - LR * grads[k] for k in theta}
        path.append((theta["w"][0], theta["b"][0]))
        losses.append(loss)
        norms.append(norm)
    return {"path": np.array(path), "loss": np.array(losses), "norm": np.array(norms)}


def cliff_runs(clip_grad_norm):
    """{"plain steps": run, "clipped (yours)": run}."""
    return {"plain steps": descend(None), "clipped (yours)": descend(clip_grad_norm)}


def cliff(clip_grad_norm, plot=True):
    """Print and draw both descents; returns the runs, or None."""
    if not ready(clip_grad_norm=clip_grad_norm):
        return None
    runs = cliff_runs(clip_grad_norm)
    for name, run in runs.items():
        w, b = run["path"][-1]
        print(f"{name:16s} final loss {run['loss'][-1]:.2e} at (w, b) = ({w:.2f}, {b:.2f}); "
              f"largest gradient norm {run['norm'].max():.0f}")  # fmt: skip
    if plot:
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 3.4))
        for name, run in runs.items():
            ax.semilogy(run["loss"], label=name)
        ax.set(xlabel="step", ylabel="loss", title="descent from (w, b) = (2.5, 0.5)")
        ax.legend()
        plt.show()
    return runs
