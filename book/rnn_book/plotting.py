"""Plotting helpers shared by the book's chapters.

One look for every figure: a small, quiet style (:func:`book_style`), and a
helper for the plot the book draws most often, learning or gradient curves
against a baseline (:func:`plot_curves`). Diagrams of networks live in
:mod:`rnn_book.diagrams`.
"""

from __future__ import annotations

from contextlib import contextmanager

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

# Colour-blind-safe palette (Okabe & Ito), used in this order by every chapter.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]

_STYLE = {
    "figure.figsize": (6.4, 3.6),
    "figure.dpi": 110,
    "savefig.dpi": 110,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "font.size": 10,
    "legend.frameon": False,
}


def use_book_style() -> None:
    """Apply the book's matplotlib style for the rest of the session."""
    mpl.rcParams.update(_STYLE)


@contextmanager
def book_style():
    """Context manager form of :func:`use_book_style` that restores the old style."""
    with mpl.rc_context(_STYLE):
        yield


def plot_curves(
    curves: dict[str, np.ndarray],
    ax=None,
    x: np.ndarray | None = None,
    baseline: float | None = None,
    baseline_label: str = "baseline",
    logy: bool = False,
    xlabel: str = "step",
    ylabel: str = "loss",
    title: str | None = None,
):
    """Plot named 1-D curves on one axis, with an optional horizontal baseline.

    Parameters
    ----------
    curves : dict of str to array_like, each (N,) or (N_k,)
        Label -> values. Curves may have different lengths.
    ax : matplotlib Axes, optional
        Axis to draw on; a new figure is made when omitted.
    x : array_like (N,), optional
        Shared x values; ``arange(len(curve))`` per curve when omitted.
    baseline : float, optional
        Draws a dashed horizontal line, e.g. the loss of a constant predictor.
    logy : bool
        Log-scale y axis (gradient norms, losses spanning decades).

    Returns
    -------
    ax : matplotlib Axes
    """
    if not isinstance(curves, dict) or not curves:
        raise ValueError("curves must be a non-empty dict of label -> 1-D array")
    if ax is None:
        _, ax = plt.subplots()
    for label, values in curves.items():
        values = np.asarray(values, dtype=float)
        if values.ndim != 1:
            raise ValueError(f"curve {label!r} must be 1-D, got shape {values.shape}")
        xs = np.arange(len(values)) if x is None else np.asarray(x)[: len(values)]
        ax.plot(xs, values, label=label)
    if baseline is not None:
        ax.axhline(baseline, color="0.4", linestyle="--", linewidth=1, label=baseline_label)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend()
    return ax
