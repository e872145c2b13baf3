"""Capstone of lesson 05: your LSTM learns the adding problem, and matches torch.

1. ``adding_race(lstm_forward, lstm_backward, srn)``: the adding problem of
   chapter 5 (T = 20) trained in NumPy with Adam, once with your LSTM and once
   with your SRN from lessons 2 and 3. The LSTM's test MSE falls far below 1/6,
   the error of always answering 1; the SRN stays at that level.
2. ``torch_match(lstm_forward, lstm_backward)``: a ``torch.nn.LSTM``'s weights
   loaded into your functions; outputs and gradients side by side.

``adding`` and ``match_torch`` print (and draw) the results; until your functions
pass their checks they print what is still to do and return None.
"""

import pathlib

import numpy as np

from rnn_course.data.tasks import adding_problem
from rnn_course.init import init_lstm, init_srn
from rnn_course.optim import Adam
from rnn_grade.capstone import ready
from rnn_grade.registry import load_all

T, H, STEPS, BATCH, LR = 20, 12, 400, 32, 0.03  # sized to run in a few seconds
BASELINE = 1 / 6  # MSE of always answering 1
CORE = ("W_ih", "W_hh", "b_ih", "b_hh")


def earlier_functions(names=("srn_forward", "srn_backward"), lessons=("02", "03"), folder=None):
    """Your functions ``names`` from the notebooks of earlier ``lessons``, or None.

    Runs the setup and exercise cells of those notebooks (your own code, in this
    kernel), in one namespace, in lesson order: a later lesson's definition wins.
    """
    import nbformat

    from rnn_grade import notebook

    here = pathlib.Path(folder or pathlib.Path.cwd())
    if not list(here.glob("0?_*.ipynb")):
        here = pathlib.Path(__file__).resolve().parents[4] / "lessons"
    space = {}
    for lesson in lessons:
        for path in sorted(here.glob(f"{lesson}_*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            sources = [notebook.setup_source(nb)] + [s for _, s in notebook.exercise_cells(nb)]
            for source in sources:
                try:
                    exec(source, space)  # noqa: S102 - the learner's own notebook, in their kernel
                except Exception as exc:  # noqa: BLE001 - a broken cell there must not stop this one
                    print(f"capstone: a cell of {path.name} raised {type(exc).__name__}; skipped.")
    if not all(n in space for n in names):
        print(f"capstone: cannot find {', '.join(names)} in lessons {', '.join(lessons)}.")
        return None
    return {n: space[n] for n in names}


def _params(cell, rng):
    p = init_lstm(2, H, rng, forget_bias=1.0) if cell == "lstm" else init_srn(2, H, rng)
    p["W_hy"] = rng.standard_normal((1, H)) / np.sqrt(H)  # read-out of h[T-1]
    p["b_hy"] = np.zeros(1)
    return p


def _predict(cell, forward, p, x):
    zeros = np.zeros((x.shape[1], H))
    core = [p[k] for k in CORE]
    if cell == "lstm":
        h, _, cache = forward(x, zeros, zeros, *core)
    else:
        h, cache = forward(x, zeros, *core)
    return h, cache, (h[-1] @ p["W_hy"].T + p["b_hy"])[:, 0]  # (B,)


def train_adding(cell, forward, backward, steps=STEPS, seed=0):
    """Train ``cell`` ("lstm" or "srn") on the adding problem; returns {"loss", "test_mse"}."""
    rng = np.random.default_rng(seed)
    p = _params(cell, rng)
    opt = Adam(p, lr=LR)
    losses = []
    for _ in range(steps):
        x, y = (a.astype(np.float64) for a in adding_problem(BATCH, T, rng))
        h, cache, pred = _predict(cell, forward, p, x)
        err = pred - y  # (B,)
        losses.append(float(np.mean(err**2)))
        dpred = 2 * err / BATCH  # gradient of the mean squared error
        dh = np.zeros_like(h)
        dh[-1] = dpred[:, None] * p["W_hy"]  # only h[T-1] feeds the read-out
        grads = backward(dh, cache)
        dW = grads[-4:]  # dW_ih, dW_hh, db_ih, db_hh (after dx, dh0[, dc0])
        g = dict(zip(CORE, dW, strict=True))
        g["W_hy"] = dpred[None, :] @ h[-1]  # (1, H)
        g["b_hy"] = np.array([dpred.sum()])
        opt.step(g)
    x, y = (a.astype(np.float64) for a in adding_problem(1000, T, np.random.default_rng(99)))
    test_mse = float(np.mean((_predict(cell, forward, p, x)[2] - y) ** 2))
    return {"loss": np.array(losses), "test_mse": test_mse}


def passing(**fns):
    """True when every function passes its exercise's checks (prints nothing)."""
    exercises = load_all()
    return all(exercises[n].first_failure(f) is None for n, f in fns.items())


def adding_race(lstm_forward, lstm_backward, srn=None, steps=STEPS, seed=0):
    """{"LSTM (yours)": run[, "SRN (yours)": run]}; the SRN when ``srn`` is given."""
    runs = {"LSTM (yours)": train_adding("lstm", lstm_forward, lstm_backward, steps, seed)}
    if srn is not None:
        fns = srn["srn_forward"], srn["srn_backward"]
        runs["SRN (yours)"] = train_adding("srn", *fns, steps, seed)
    return runs


def adding(lstm_forward, lstm_backward, plot=True):
    """Train your LSTM (and your SRN, once lessons 2 and 3 pass) on the adding problem."""
    if not ready(lstm_forward=lstm_forward, lstm_backward=lstm_backward):
        return None
    srn = earlier_functions()
    waiting = srn is not None and not passing(**srn)
    runs = adding_race(lstm_forward, lstm_backward, None if waiting else srn)
    print(f"adding problem, T = {T}, {STEPS} Adam steps; always answering 1 gives {BASELINE:.3f}")
    for name, run in runs.items():
        print(f"{name:13s} test MSE {run['test_mse']:.4f}")
    if waiting:
        print("(your SRN joins the race once srn_forward and srn_backward pass their "
              "checks in lessons 2 and 3)")  # fmt: skip
    if plot:
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 3.4))
        k = np.ones(20) / 20  # moving average over 20 steps
        for name, run in runs.items():
            ax.plot(np.convolve(run["loss"], k, mode="valid"), label=name)
        ax.axhline(BASELINE, color="grey", linestyle=":", label="always answer 1")
        ax.set(xlabel="step", ylabel="MSE (moving average)", ylim=(0, 0.3))
        ax.legend()
        plt.show()
    return runs


def torch_match(lstm_forward, lstm_backward, T=5, B=2, D=3, H=4, seed=0):
    """Your LSTM with a ``torch.nn.LSTM``'s weights: {name: (yours, torch's)} arrays.

    Covers the outputs h and the final c, then dx, dh0, dc0 and the four
    weight gradients of the loss ``sum(h * w)`` for a fixed random ``w``.
    """
    import torch

    gen = torch.Generator().manual_seed(seed)
    lstm = torch.nn.LSTM(D, H).double()
    with torch.no_grad():
        for p in lstm.parameters():
            p.copy_(torch.rand(p.shape, generator=gen, dtype=torch.float64) - 0.5)
    x = torch.randn(T, B, D, generator=gen, dtype=torch.float64, requires_grad=True)
    h0 = torch.randn(1, B, H, generator=gen, dtype=torch.float64, requires_grad=True)
    c0 = torch.randn(1, B, H, generator=gen, dtype=torch.float64, requires_grad=True)
    w = torch.randn(T, B, H, generator=gen, dtype=torch.float64)
    out, (_, c_n) = lstm(x, (h0, c0))
    (out * w).sum().backward()
    names = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    weights = [getattr(lstm, n).detach().numpy() for n in names]
    h, c, cache = lstm_forward(x.detach().numpy(), h0[0].detach().numpy(),
                               c0[0].detach().numpy(), *weights)  # fmt: skip
    grads = lstm_backward(w.numpy(), cache)
    theirs = [out, c_n[0], x.grad, h0.grad[0], c0.grad[0]]
    theirs += [getattr(lstm, n).grad for n in names]
    ours = [h, c[-1], *grads]
    keys = ["h", "c[T-1]", "dx", "dh0", "dc0", "dW_ih", "dW_hh", "db_ih", "db_hh"]
    return {
        k: (np.asarray(a), t.detach().numpy()) for k, a, t in zip(keys, ours, theirs, strict=True)
    }


def match_torch(lstm_forward, lstm_backward):
    """Print your LSTM's outputs and gradients beside torch.nn.LSTM's; returns the pairs."""
    if not ready(lstm_forward=lstm_forward, lstm_backward=lstm_backward):
        return None
    pairs = torch_match(lstm_forward, lstm_backward)
    print_match(pairs)
    return pairs


def print_match(pairs):
    """One line per array: your first entry, torch's, and the largest difference."""
    print(f"{'':8s} {'yours [first entry]':>22s} {'torch [first entry]':>22s}  max |diff|")
    for k, (a, t) in pairs.items():
        diff = np.max(np.abs(a - t)) if a.shape == t.shape else float("nan")
        print(f"{k:8s} {a.ravel()[0]:22.15f} {t.ravel()[0]:22.15f}  {diff:.1e}")
