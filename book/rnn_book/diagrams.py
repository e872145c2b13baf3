"""Network diagrams for the book, drawn with matplotlib alone.

Three pictures cover most of what the chapters need:

- :func:`draw_rolled`: the compact graph ``x -> h -> y`` with the feedback loop on ``h``.
- :func:`draw_unrolled`: the same network unrolled over time, one column per step;
  choose which steps have inputs and outputs, stack layers, overlay the gradient
  flow of backpropagation through time, or cut the graph into chunks for
  truncated BPTT.
- :func:`draw_configurations`: the five input/output configurations side by side.

Every drawn element carries a ``gid`` so that tests (and curious readers) can
count what is on the axes: nodes are ``"node:x"``, ``"node:h"``, ``"node:h0"``,
``"node:y"``, ``"node:loss"``; arrows are ``"arrow:in"`` (x to h), ``"arrow:rec"``
(h to the next h), ``"arrow:carry"`` (a recurrent arrow that crosses a truncation
cut), ``"arrow:up"`` (one layer to the next), ``"arrow:out"`` (h to y),
``"arrow:loss"`` (y to its loss), ``"arrow:grad"`` (gradient flow) and
``"arrow:loop"`` (the self-loop of the rolled graph); cuts are lines ``"cut"``.
:func:`count_elements` returns these counts.

Colours come from :data:`rnn_book.plotting.PALETTE`. See chapter 1, Motivation,
for the configurations, chapter 2 for the unrolled graph and chapter 3 for BPTT.
"""

from __future__ import annotations

from collections import Counter

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

from rnn_course._validate import positive_int

from .plotting import PALETTE

__all__ = [
    "draw_unrolled",
    "draw_rolled",
    "draw_configurations",
    "count_elements",
    "draw_lstm_cell",
    "draw_gru_cell",
    "draw_lstm_gradient_paths",
    "plot_gate_trace",
    "draw_bidirectional",
    "draw_encoder_decoder",
]

# Geometry, in data units (axes use an equal aspect ratio).
_DX = 1.45  # distance between time steps
_DY = 1.15  # distance between rows
_W = 0.82  # node width
_H = 0.56  # node height
_SCALE = 0.62  # inches per data unit when a figure is created here
_LOOP = 0.7  # how far the self-loop of the rolled graph reaches out

_COLOURS = {
    "x": PALETTE[5],  # sky blue
    "h": PALETTE[2],  # bluish green
    "h0": PALETTE[2],
    "y": PALETTE[4],  # orange
    "loss": PALETTE[3],  # reddish purple
}
_FORWARD = "0.25"
_GRAD = PALETTE[1]  # vermillion
_CARRY = PALETTE[0]  # blue


# ----------------------------------------------------------------------------- helpers


def _lighten(colour: str, amount: float = 0.78) -> tuple[float, float, float]:
    """Mix a hex colour with white (amount = share of white)."""
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return tuple(c + (1 - c) * amount for c in (r, g, b))


def _node(ax, cx, cy, text, kind, dashed=False, fontsize=11):
    colour = _COLOURS[kind]
    box = FancyBboxPatch(
        (cx - _W / 2, cy - _H / 2),
        _W,
        _H,
        boxstyle="round,pad=0,rounding_size=0.12",
        facecolor=_lighten(colour),
        edgecolor=colour,
        linewidth=1.6,
        linestyle="--" if dashed else "-",
        zorder=3,
    )
    box.set_gid(f"node:{kind}")
    ax.add_patch(box)
    if text:
        ax.text(cx, cy, text, ha="center", va="center", fontsize=fontsize, zorder=4)
    return box


def _arrow(ax, start, end, kind, colour=_FORWARD, style="-", width=1.3, rad=0.0):
    arrow = FancyArrowPatch(
        start,
        end,
        arrowstyle="-|>",
        mutation_scale=11,
        color=colour,
        linewidth=width,
        linestyle=style,
        shrinkA=0,
        shrinkB=0,
        connectionstyle=f"arc3,rad={rad}",
        zorder=2,
    )
    arrow.set_gid(f"arrow:{kind}")
    ax.add_patch(arrow)
    return arrow


def _steps_arg(value, name, steps):
    """Turn a bool or a list of 0-based step indices into a sorted tuple of indices."""
    if isinstance(value, bool):
        return tuple(range(steps)) if value else ()
    try:
        indices = [int(i) for i in value]
    except TypeError:
        raise TypeError(
            f"{name} must be a bool or a list of step indices, got {type(value).__name__}"
        ) from None
    for i, raw in zip(indices, value, strict=True):
        if i != raw or isinstance(raw, bool):
            raise TypeError(f"{name} must hold integer step indices, got {raw!r}")
        if not 0 <= i < steps:
            raise ValueError(
                f"{name} holds step index {i}, but indices must lie in [0, {steps - 1}] "
                f"for steps={steps} (indices are 0-based; the label of index i is t = i + 1)"
            )
    if len(set(indices)) != len(indices):
        raise ValueError(f"{name} holds a repeated step index: {indices}")
    return tuple(sorted(indices))


def _new_axes(width_units, height_units):
    fig_w = max(2.0, width_units * _SCALE)
    fig_h = max(1.4, height_units * _SCALE)
    _, ax = plt.subplots(figsize=(fig_w, fig_h))
    return ax


def _finish(ax, xmin, xmax, ymin, ymax, title):
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def _h_label(layer, layers, t):
    return f"$h_{{{t}}}$" if layers == 1 else f"$h^{{({layer})}}_{{{t}}}$"


def count_elements(ax) -> Counter:
    """Count the diagram elements on ``ax`` by kind (their ``gid``, see the module notes).

    Returns
    -------
    counts : collections.Counter
        e.g. ``counts["node:h"]``, ``counts["arrow:rec"]``, ``counts["cut"]``.
    """
    artists = list(ax.patches) + list(ax.lines)
    return Counter(a.get_gid() for a in artists if a.get_gid())


# ----------------------------------------------------------------------------- rolled


def _draw_rolled_at(ax, x0, layers, labels, weights, inputs=True, outputs=True):
    """Draw the rolled graph with its centre column at ``x0``; returns the right edge used."""
    if inputs:
        _node(ax, x0, 0.0, "$x_t$" if labels else "", "x")
    for layer in range(1, layers + 1):
        cy = layer * _DY
        label = ("$h_t$" if layers == 1 else f"$h^{{({layer})}}_t$") if labels else ""
        _node(ax, x0, cy, label, "h")
        if layer > 1 or inputs:
            kind = "in" if layer == 1 else "up"
            _arrow(ax, (x0, cy - _DY + _H / 2), (x0, cy - _H / 2), kind)
            if weights:
                name = "$W_{ih}$" if layers == 1 else f"$W_{{ih}}^{{({layer})}}$"
                ax.text(x0 - 0.08, cy - _DY / 2, name, ha="right", va="center", fontsize=9)
        # The self-loop: leaves the right edge, bends round and comes back in.
        edge = x0 + _W / 2
        path = Path(
            [
                (edge, cy + 0.13),
                (edge + _LOOP, cy + 0.5),
                (edge + _LOOP, cy - 0.5),
                (edge, cy - 0.13),
            ],
            [Path.MOVETO, Path.CURVE4, Path.CURVE4, Path.CURVE4],
        )
        loop = FancyArrowPatch(
            path=path,
            arrowstyle="-|>",
            mutation_scale=11,
            color=_COLOURS["h"],
            linewidth=1.6,
            shrinkA=0,
            shrinkB=0,
            zorder=2,
        )
        loop.set_gid("arrow:loop")
        ax.add_patch(loop)
        if weights:
            name = "$W_{hh}$" if layers == 1 else f"$W_{{hh}}^{{({layer})}}$"
            ax.text(edge + 0.78 * _LOOP, cy, name, ha="left", va="center", fontsize=9)
    if outputs:
        top = (layers + 1) * _DY
        _node(ax, x0, top, r"$\hat y_t$" if labels else "", "y")
        _arrow(ax, (x0, top - _DY + _H / 2), (x0, top - _H / 2), "out")
        if weights:
            ax.text(x0 - 0.08, top - _DY / 2, "$W_{hy}$", ha="right", va="center", fontsize=9)
    return x0 + _W / 2 + _LOOP + (0.55 if weights else 0.05)


def draw_rolled(ax=None, layers=1, labels=True, weights=True, title=None):
    """Draw the compact (rolled) recurrent network: ``x_t -> h_t -> y_t`` with a loop on h.

    Parameters
    ----------
    ax : matplotlib Axes, optional
        Axis to draw on; a new figure sized to the diagram is made when omitted.
    layers : int, default 1
        Number of stacked hidden layers, each with its own loop.
    labels : bool, default True
        Write ``$x_t$``, ``$h_t$``, ``$\\hat y_t$`` in the nodes.
    weights : bool, default True
        Name the weights on the arrows (``W_ih``, ``W_hh``, ``W_hy``).
    title : str, optional

    Returns
    -------
    ax : matplotlib Axes
        With ``layers + 2`` nodes and ``layers`` loop arrows (see :func:`count_elements`).

    Notes
    -----
    The loop means "h_t depends on h_{t-1}": :math:`h_t = f(W_{ih} x_t + W_{hh} h_{t-1} + b)`.
    Unrolling the loop over time gives :func:`draw_unrolled`. See chapter 1, Motivation.
    """
    layers = positive_int(layers, "layers")
    height = (layers + 2) * _DY
    if ax is None:
        ax = _new_axes(3.2, height)
    right = _draw_rolled_at(ax, 0.0, layers, labels, weights)
    left = -_W / 2 - (0.75 if weights else 0.3)
    return _finish(ax, left, right, -_H / 2 - 0.15, (layers + 1) * _DY + _H / 2 + 0.15, title)


# ----------------------------------------------------------------------------- unrolled


def draw_unrolled(
    ax=None,
    steps=4,
    inputs=True,
    outputs=True,
    layers=1,
    labels=True,
    show_loop=False,
    backward=False,
    chunks=None,
    title=None,
    initial_state=True,
    losses=False,
    weights=False,
):
    """Draw a recurrent network unrolled over ``steps`` time steps.

    Parameters
    ----------
    ax : matplotlib Axes, optional
        Axis to draw on; a new figure sized to the diagram is made when omitted.
    steps : int, default 4
        Number of time steps (columns), >= 1. Labels count time from t = 1.
    inputs, outputs : bool or list of int, default True
        Which steps have an input ``x_t`` / an output ``y_hat_t``: ``True`` for all,
        ``False`` for none, or a list of 0-based step indices, e.g.
        ``outputs=[steps - 1]`` for many-to-one. Indices must lie in ``[0, steps)``.
    layers : int, default 1
        Number of stacked hidden rows.
    labels : bool, default True
        Write mathtext labels (``$x_1$``, ``$h_1$``, ``$\\hat y_1$``) in the nodes.
    show_loop : bool, default False
        Also draw the rolled graph on the left, followed by an "unroll" arrow.
    backward : bool, default False
        Overlay the gradient flow of backpropagation through time (vermillion
        arrows): from each output down into its hidden state, right-to-left
        along the hidden row and down through the layers. Only hidden states that
        some later output (within the same chunk) depends on receive a gradient.
    chunks : int, optional
        Truncated BPTT: draw a dashed cut every ``chunks`` steps. The state still
        crosses a cut (blue dashed "carry" arrow) but no gradient does.
    title : str, optional
    initial_state : bool, default True
        Draw the initial state ``h_0`` (dashed box) on the left of each hidden row.
    losses : bool, default False
        Draw a loss node ``L_t`` above every output.
    weights : bool, default False
        Name the shared weights on every arrow (shows that all steps use the same ones).

    Returns
    -------
    ax : matplotlib Axes
        Elements are tagged with gids; :func:`count_elements` counts them.

    Raises
    ------
    ValueError
        ``steps``, ``layers`` or ``chunks`` < 1, or a step index outside ``[0, steps)``.

    Notes
    -----
    Column t shows :math:`h_t = f(W_{ih} x_t + W_{hh} h_{t-1} + b)` and
    :math:`\\hat y_t = g(W_{hy} h_t)`; every column uses the same weights.
    See chapter 2 (the unrolled graph) and chapter 3 (BPTT, truncation).
    """
    steps = positive_int(steps, "steps")
    layers = positive_int(layers, "layers")
    if chunks is not None:
        chunks = positive_int(chunks, "chunks")
    in_steps = _steps_arg(inputs, "inputs", steps)
    out_steps = _steps_arg(outputs, "outputs", steps)
    if losses and not out_steps:
        raise ValueError("losses=True needs at least one output step (outputs is empty)")

    top_row = layers + (1 if out_steps else 0) + (1 if losses else 0)
    x_first = 0.0
    xmin = -_W / 2 - 0.15
    if initial_state:
        xmin = -_DX - _W / 2 - 0.05
    if show_loop:
        rolled_x = xmin - 0.75 - _LOOP - (0.55 if weights else 0.05) - _W / 2
        xmin = rolled_x - _W / 2 - (0.75 if weights else 0.3)
    xmax = (steps - 1) * _DX + _W / 2 + 0.15
    ymin = (0.0 if in_steps else _DY) - _H / 2 - 0.15
    ymax = top_row * _DY + _H / 2 + 0.15
    if backward:
        ymin -= 0.55  # room for the legend below
    if ax is None:
        ax = _new_axes(xmax - xmin, ymax - ymin + (0.3 if title else 0))

    def col(t):  # t is the 0-based step index
        return x_first + t * _DX

    def chunk_of(t):
        return 0 if chunks is None else t // chunks

    # Nodes.
    for t in in_steps:
        _node(ax, col(t), 0.0, f"$x_{{{t + 1}}}$" if labels else "", "x")
    for layer in range(1, layers + 1):
        cy = layer * _DY
        if initial_state:
            label = _h_label(layer, layers, 0) if labels else ""
            _node(ax, col(-1), cy, label, "h0", dashed=True)
        for t in range(steps):
            _node(ax, col(t), cy, _h_label(layer, layers, t + 1) if labels else "", "h")
    y_row = (layers + 1) * _DY
    for t in out_steps:
        _node(ax, col(t), y_row, rf"$\hat y_{{{t + 1}}}$" if labels else "", "y")
        if losses:
            _node(ax, col(t), y_row + _DY, f"$L_{{{t + 1}}}$" if labels else "", "loss")

    # Forward arrows.
    wfs = 8.5  # weight-label font size
    for t in in_steps:
        _arrow(ax, (col(t), _H / 2), (col(t), _DY - _H / 2), "in")
        if weights:
            ax.text(col(t) + 0.06, _DY / 2, "$W_{ih}$", ha="left", va="center", fontsize=wfs)
    for layer in range(1, layers + 1):
        cy = layer * _DY
        first = -1 if initial_state else 0
        for t in range(first + 1, steps):
            crosses = chunks is not None and t > 0 and chunk_of(t) != chunk_of(t - 1)
            _arrow(
                ax,
                (col(t - 1) + _W / 2, cy),
                (col(t) - _W / 2, cy),
                "carry" if crosses else "rec",
                colour=_CARRY if crosses else _FORWARD,
                style="--" if crosses else "-",
                width=1.6 if crosses else 1.3,
            )
            if weights:
                ax.text(
                    (col(t - 1) + col(t)) / 2,
                    cy + 0.06,
                    "$W_{hh}$",
                    ha="center",
                    va="bottom",
                    fontsize=wfs,
                )
        if layer > 1:
            for t in range(steps):
                _arrow(ax, (col(t), cy - _DY + _H / 2), (col(t), cy - _H / 2), "up")
    for t in out_steps:
        _arrow(ax, (col(t), y_row - _DY + _H / 2), (col(t), y_row - _H / 2), "out")
        if weights:
            ax.text(
                col(t) + 0.06, y_row - _DY / 2, "$W_{hy}$", ha="left", va="center", fontsize=wfs
            )
        if losses:
            _arrow(ax, (col(t), y_row + _H / 2), (col(t), y_row + _DY - _H / 2), "loss")

    # Gradient arrows (BPTT): reached[t] says whether h_t gets any gradient.
    if backward:
        off = 0.2  # offset from the forward arrows
        last_out = {}
        for t in out_steps:
            last_out[chunk_of(t)] = max(t, last_out.get(chunk_of(t), -1))
        reached = [t <= last_out.get(chunk_of(t), -1) for t in range(steps)]
        for t in out_steps:
            if losses:
                _arrow(
                    ax,
                    (col(t) + off, y_row + _DY - _H / 2),
                    (col(t) + off, y_row + _H / 2),
                    "grad",
                    colour=_GRAD,
                )
            _arrow(
                ax,
                (col(t) + off, y_row - _H / 2),
                (col(t) + off, y_row - _DY + _H / 2),
                "grad",
                colour=_GRAD,
            )
        for layer in range(1, layers + 1):
            cy = layer * _DY
            for t in range(1, steps):
                if reached[t] and chunk_of(t) == chunk_of(t - 1):
                    _arrow(
                        ax,
                        (col(t) - _W / 2, cy - off),
                        (col(t - 1) + _W / 2, cy - off),
                        "grad",
                        colour=_GRAD,
                    )
            if layer > 1:
                for t in range(steps):
                    if reached[t]:
                        _arrow(
                            ax,
                            (col(t) + off, cy - _H / 2),
                            (col(t) + off, cy - _DY + _H / 2),
                            "grad",
                            colour=_GRAD,
                        )
        handles = [
            Line2D([], [], color=_FORWARD, lw=1.3, label="forward"),
            Line2D([], [], color=_GRAD, lw=1.3, label="gradient"),
        ]
        if chunks is not None:
            handles.append(Line2D([], [], color=_CARRY, lw=1.6, ls="--", label="state carried"))
        ax.legend(
            handles=handles,
            loc="lower center",
            bbox_to_anchor=(0.5, 0.0),
            ncol=len(handles),
            fontsize=8.5,
            frameon=False,
            handlelength=1.8,
        )

    # Truncation cuts.
    if chunks is not None:
        for k in range(chunks, steps, chunks):
            xc = (col(k - 1) + col(k)) / 2
            line = Line2D(
                [xc, xc],
                [ymin + (0.5 if backward else 0.05), ymax - 0.05],
                color="0.45",
                linestyle=(0, (4, 3)),
                linewidth=1.1,
                zorder=1,
            )
            line.set_gid("cut")
            ax.add_line(line)

    if show_loop:
        _draw_rolled_at(
            ax, rolled_x, layers, labels, weights, inputs=bool(in_steps), outputs=bool(out_steps)
        )
        right_of_rolled = rolled_x + _W / 2 + _LOOP + (0.55 if weights else 0.05)
        mid_y = (layers + 1) * _DY / 2 if layers > 1 else _DY
        arrow = FancyArrowPatch(
            (right_of_rolled + 0.05, mid_y),
            (right_of_rolled + 0.6, mid_y),
            arrowstyle="simple,head_length=0.5,head_width=0.6,tail_width=0.25",
            mutation_scale=14,
            color="0.55",
            zorder=2,
        )
        ax.add_patch(arrow)  # no gid: a connective, not part of either graph
        ax.text(
            right_of_rolled + 0.32, mid_y + 0.22, "unroll", ha="center", va="bottom", fontsize=8
        )

    return _finish(ax, xmin, xmax, ymin, ymax, title)


# ----------------------------------------------------------------------------- configurations

# (title, example, steps, inputs, outputs)
_CONFIGS = [
    ("one-to-one", "image → label", 1, [0], [0]),
    ("one-to-many", "image → caption", 3, [0], True),
    ("many-to-one", "review → sentiment", 3, True, [2]),
    ("many-to-many, aligned", "word → part of speech", 3, True, True),
    ("many-to-many, unaligned", "translation (encoder–decoder)", 5, [0, 1, 2], [3, 4]),
]


def draw_configurations(fig=None):
    """Draw the five input/output configurations of a recurrent network in one figure.

    One-to-one, one-to-many, many-to-one, many-to-many aligned (an output at every
    input step) and many-to-many unaligned (read everything, then write: an
    encoder-decoder). Each panel is :func:`draw_unrolled` with a different choice
    of ``inputs`` and ``outputs``, titled with its name and an example task.

    Parameters
    ----------
    fig : matplotlib Figure, optional
        Figure to draw into (it should be empty); a new one is made when omitted.

    Returns
    -------
    fig : matplotlib Figure
        With five axes, in the order listed above; the first row holds three
        panels, the second two.

    Notes
    -----
    See chapter 1, Motivation, for an example of each configuration.
    """
    if fig is None:
        fig = plt.figure(figsize=(7.6, 4.6))
    rows = [_CONFIGS[:3], _CONFIGS[3:]]
    subfigs = fig.subfigures(2, 1, hspace=0.0)
    for subfig, row in zip(subfigs, rows, strict=True):
        ratios = [max(s, 1.8) * _DX for _, _, s, _, _ in row]
        axes = subfig.subplots(1, len(row), width_ratios=ratios)
        subfig.subplots_adjust(left=0.02, right=0.98, top=0.8, bottom=0.02, wspace=0.12)
        for ax, (name, example, steps, ins, outs) in zip(axes, row, strict=True):
            draw_unrolled(
                ax, steps=steps, inputs=ins, outputs=outs, initial_state=False, title=None
            )
            ax.set_title(f"{name}\n", fontsize=10, fontweight="bold")
            ax.text(
                0.5,
                1.0,
                f"e.g. {example}",
                transform=ax.transAxes,
                ha="center",
                va="bottom",
                fontsize=8.5,
                color="0.3",
            )
    return fig


# ----------------------------------------------------------------------------- chapters 1-3
# Appended for chapters 1-3 (issue 13): Elman's context units, the character
# language model, the shared weight collecting its gradient, and the layout of a
# text stream for truncated BPTT.

_COLOURS["W"] = PALETTE[6]  # black: a weight matrix
_COLOURS["ctx"] = PALETTE[2]


def _box(ax, cx, cy, w, h, text, kind, gid=None, fontsize=10, dashed=False):
    colour = _COLOURS[kind]
    box = FancyBboxPatch(
        (cx - w / 2, cy - h / 2),
        w,
        h,
        boxstyle="round,pad=0,rounding_size=0.1",
        facecolor=_lighten(colour, 0.85),
        edgecolor=colour,
        linewidth=1.6,
        linestyle="--" if dashed else "-",
        zorder=3,
    )
    box.set_gid(gid or f"node:{kind}")
    ax.add_patch(box)
    if text:
        ax.text(cx, cy, text, ha="center", va="center", fontsize=fontsize, zorder=4)
    return box


def draw_elman_network(ax=None, title=None):
    """Draw Elman's (1990) picture of the SRN: a hidden layer and its context units.

    Input units and *context units* feed the hidden units; the hidden units feed
    the output units and are copied back (fixed weight 1) into the context units,
    which therefore hold :math:`h_{t-1}` while :math:`h_t` is computed.

    Returns
    -------
    ax : matplotlib Axes
        Nodes ``node:x``, ``node:ctx``, ``node:h``, ``node:y``; arrows ``arrow:in``,
        ``arrow:rec`` (context to hidden), ``arrow:out`` and ``arrow:copy``.

    Notes
    -----
    See chapter 2, Elman's simple recurrent network.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(4.2, 3.4))
    wide, xs = 1.95, 1.15
    _box(ax, -xs, 0.0, wide, _H, "input units $x_t$", "x", fontsize=9)
    _box(ax, xs, 0.0, wide, _H, "context $h_{t-1}$", "ctx", "node:ctx", fontsize=9)
    _box(ax, 0.0, 1.45, wide + 0.4, _H, "hidden units $h_t$", "h", fontsize=9)
    _box(ax, 0.0, 2.9, wide + 0.2, _H, r"output units $\hat y_t$", "y", fontsize=9)
    _arrow(ax, (-xs, _H / 2), (-0.5, 1.45 - _H / 2), "in")
    ax.text(-xs - 0.05, 0.72, "$W_{ih}$", ha="right", fontsize=9)
    _arrow(ax, (xs, _H / 2), (0.5, 1.45 - _H / 2), "rec")
    ax.text(xs + 0.05, 0.72, "$W_{hh}$", ha="left", fontsize=9)
    _arrow(ax, (0.0, 1.45 + _H / 2), (0.0, 2.9 - _H / 2), "out")
    ax.text(0.08, 2.17, "$W_{hy}$", ha="left", va="center", fontsize=9)
    start, end = (wide / 2 + 0.2, 1.45), (xs + wide / 2 - 0.15, _H / 2)
    copy = _arrow(ax, start, end, "copy", colour=_CARRY, style="--", rad=-0.45)
    copy.set_linewidth(1.6)
    ax.text(2.55, 1.2, "copy\n(weight 1)", ha="center", va="center", fontsize=8.5, color=_CARRY)
    return _finish(ax, -2.25, 3.15, -0.45, 3.35, title)


def draw_char_lm(ax=None, text="hello", generate=False, title=None):
    """Draw a character language model unrolled over ``text``: inputs, states, outputs, targets.

    Parameters
    ----------
    ax : matplotlib Axes, optional
    text : str, default "hello"
        At least two characters. The model reads ``text[:-1]``; the target at
        step t is the next character ``text[t]``, so targets are the inputs
        shifted by one.
    generate : bool, default False
        Draw generation instead of training: no targets; the character sampled
        at each step is fed back (dashed arrows) as the next input.
    title : str, optional

    Returns
    -------
    ax : matplotlib Axes
        ``len(text) - 1`` columns; every output is drawn as a small bar chart of
        probabilities over the vocabulary (``sorted(set(text))``), the target's
        bar (or the sampled one) highlighted. Gids as in :func:`draw_unrolled`,
        plus ``"node:target"`` and ``"arrow:feedback"``.

    Notes
    -----
    See chapter 2, An RNN language model.
    """
    if not isinstance(text, str) or len(text) < 2:
        raise ValueError(f"text: expected a string of at least 2 characters, got {text!r}")
    vocab = sorted(set(text))
    steps = len(text) - 1
    if ax is None:
        _, ax = plt.subplots(figsize=(1.35 * steps + 1.6, 4.3))
    rng_heights = [(i * 7919 % 13) / 13 for i in range(len(vocab) * steps)]

    def col(t):
        return t * _DX

    _node(ax, col(-1), _DY, "$h_0$", "h0", dashed=True)
    for t in range(steps):
        cx, inp = col(t), text[t]
        onehot = "".join("1" if c == inp else "0" for c in vocab)
        _node(ax, cx, 0.0, f"'{inp}'", "x")
        ax.text(cx, -_H / 2 - 0.12, onehot, ha="center", va="top", fontsize=7.5, family="monospace")
        _node(ax, cx, _DY, f"$h_{{{t + 1}}}$", "h")
        _arrow(ax, (cx, _H / 2), (cx, _DY - _H / 2), "in")
        _arrow(ax, (col(t - 1) + _W / 2, _DY), (cx - _W / 2, _DY), "rec")
        # the output distribution as a bar chart inside the y node
        box = _node(ax, cx, 2 * _DY, "", "y")
        box.set_height(_H + 0.2)
        box.set_y(2 * _DY - _H / 2 - 0.1)
        _arrow(ax, (cx, _DY + _H / 2), (cx, 2 * _DY - _H / 2 - 0.1), "out")
        nxt = text[t + 1]
        bw = (_W - 0.16) / len(vocab)
        for j, c in enumerate(vocab):
            height = 0.45 if c == nxt else 0.06 + 0.2 * rng_heights[t * len(vocab) + j]
            x0 = cx - _W / 2 + 0.08 + j * bw
            colour = _GRAD if c == nxt else "0.6"
            ax.add_patch(
                plt.Rectangle((x0, 2 * _DY - 0.2), bw * 0.8, height, color=colour, zorder=4)
            )
            ax.text(x0 + 0.4 * bw, 2 * _DY - 0.22, c, ha="center", va="top", fontsize=6.5)
        if generate:
            if t + 1 < steps:
                fb = _arrow(
                    ax,
                    (cx + _W / 2, 2 * _DY),
                    (col(t + 1) - _W / 2 + 0.05, 0.1),
                    "feedback",
                    colour=_CARRY,
                    style="--",
                )
                fb.set_linewidth(1.4)
        else:
            tgt = _node(ax, cx, 3 * _DY, f"target '{nxt}'", "loss", fontsize=9)
            tgt.set_gid("node:target")
            _arrow(ax, (cx, 2 * _DY + _H / 2 + 0.1), (cx, 3 * _DY - _H / 2), "loss")
    top = (2 if generate else 3) * _DY + _H / 2 + 0.15
    ax.text(
        col(-1),
        0.0,
        "input" if not generate else "input\n(sampled)",
        ha="center",
        va="center",
        fontsize=8.5,
        color="0.3",
    )
    ax.text(col(-1), 2 * _DY, "softmax\n" + r"$\hat y_t$", ha="center", va="center", fontsize=8.5)
    return _finish(ax, col(-1) - _W / 2 - 0.1, col(steps - 1) + _W / 2 + 0.15, -0.75, top, title)


def draw_shared_weight_gradient(ax=None, steps=3, title=None):
    """Draw one shared W_hh collecting a gradient from every step, with the backward order.

    The unrolled SRN (states ``h_0 .. h_T`` and one loss per step) has a single
    ``W_hh`` node below it: it is used by every recurrent arrow (grey dotted
    lines), and BPTT adds one contribution per step into its accumulator
    (vermillion arrows). Numbered circles give the order of the backward
    operations: for t = T, ..., 1 the output part of the gradient reaches
    ``h_t``, the complete gradient flows into W_hh's accumulator, then on to
    ``h_{t-1}``.

    Parameters
    ----------
    ax : matplotlib Axes, optional
    steps : int, default 3
        T, from 1 to 6.
    title : str, optional

    Returns
    -------
    ax : matplotlib Axes
        Gids: ``node:h0``, ``node:h``, ``node:loss``, ``node:W`` (one),
        ``arrow:grad`` (3 T of them: loss to h_t, into W_hh, to h_{t-1}),
        ``arrow:rec``, ``arrow:loss`` and ``order`` (the 3 T numbered circles).

    Notes
    -----
    :math:`\\partial L/\\partial W_{hh} = \\sum_t \\delta_t h_{t-1}^\\top`: one term per use.
    See chapter 3, Accumulating gradients of shared weights.
    """
    steps = positive_int(steps, "steps")
    if steps > 6:
        raise ValueError(f"steps must be at most 6 for a readable drawing, got {steps}")
    if ax is None:
        _, ax = plt.subplots(figsize=(1.55 * steps + 2.2, 3.9))
    hy, ly, wy = 1.3, 2.6, -0.2  # rows: states, losses, the weight

    def col(t):  # t = 0 is h_0
        return t * _DX * 1.15

    wx = (col(0) + col(steps)) / 2
    _box(ax, wx, wy, 1.2, _H, "$W_{hh}$", "W", "node:W", fontsize=11)
    _node(ax, col(0), hy, "$h_0$", "h0", dashed=True)
    counter = iter(range(1, 3 * steps + 1))

    def number(x, y):
        n = next(counter)
        circle = plt.Circle((x, y), 0.17, facecolor="white", edgecolor=_GRAD, lw=1.2, zorder=6)
        circle.set_gid("order")
        ax.add_patch(circle)
        ax.text(x, y, str(n), ha="center", va="center", fontsize=8, color=_GRAD, zorder=7)

    for t in range(1, steps + 1):
        _node(ax, col(t), hy, f"$h_{{{t}}}$", "h")
        _node(ax, col(t), ly, f"$L_{{{t}}}$", "loss")
        _arrow(ax, (col(t - 1) + _W / 2, hy + 0.1), (col(t) - _W / 2, hy + 0.1), "rec")
        _arrow(ax, (col(t) - 0.15, hy + _H / 2), (col(t) - 0.15, ly - _H / 2), "loss")
        mid = (col(t - 1) + col(t)) / 2
        use = Line2D([mid, wx], [hy + 0.1, wy + _H / 2], color="0.6", ls=":", lw=1.0, zorder=1)
        ax.add_line(use)
    for t in range(steps, 0, -1):
        x1 = col(t)
        _arrow(ax, (x1 + 0.15, ly - _H / 2), (x1 + 0.15, hy + _H / 2), "grad", colour=_GRAD)
        number(x1 + 0.42, (hy + ly) / 2)
        start = (x1 + 0.1, hy - _H / 2)
        end = (wx + 0.35 * (t - (steps + 1) / 2) / max(steps, 1), wy + _H / 2)
        _arrow(ax, start, end, "grad", colour=_GRAD, rad=0.1)
        number(start[0] + 0.5 * (end[0] - start[0]) + 0.12, start[1] + 0.5 * (end[1] - start[1]))
        _arrow(
            ax,
            (x1 - _W / 2, hy - 0.12),
            (col(t - 1) + _W / 2, hy - 0.12),
            "grad",
            colour=_GRAD,
        )
        number((x1 + col(t - 1)) / 2 - 0.1, hy - 0.4)
    ax.text(
        wx + 0.75,
        wy,
        r"$\sum_t \delta_t h_{t-1}^\top$",
        ha="left",
        va="center",
        fontsize=9,
        color=_GRAD,
    )
    return _finish(
        ax, col(0) - _W / 2 - 0.1, col(steps) + _W / 2 + 0.55, wy - 0.45, ly + 0.45, title
    )


def draw_batchify(text="the cat sat on the mat; a dog ran", batch_size=3, seq_len=4, fig=None):
    """Draw how a text stream is laid out in ``batch_size`` columns and walked in chunks.

    Left: the stream as one line, cut into B contiguous pieces
    (:func:`rnn_course.batching.batchify`). Right: the pieces as the columns of
    an (N, B) array, time running down; horizontal bands are the chunks of
    ``seq_len`` rows that :func:`rnn_course.batching.tbptt_chunks` yields in
    order, and the arrows show each column's state carried into its next chunk.

    Parameters
    ----------
    text : str
    batch_size : int, default 3
    seq_len : int, default 4
    fig : matplotlib Figure, optional

    Returns
    -------
    fig : matplotlib Figure
        Two axes. The right one holds ``B * N`` cells (gid ``"cell"``), one band
        per chunk (gid ``"chunk"``) and ``B`` carry arrows per cut (``"arrow:carry"``).

    Notes
    -----
    Column b holds ``text[b N:(b + 1) N]``; row t of chunk j + 1 continues where
    chunk j stopped, so the state at the end of one chunk is the right start
    for the next. See chapter 3, Closing the loop: training with our own gradients.
    """
    import numpy as np

    from rnn_course.batching import batchify

    B = positive_int(batch_size, "batch_size")
    k = positive_int(seq_len, "seq_len")
    codes = np.array([ord(c) for c in text])
    stream = batchify(codes, B)  # (N, B)
    N = stream.shape[0]
    if fig is None:
        fig = plt.figure(figsize=(8.2, 0.32 * N + 1.6))
    ax_line, ax_grid = fig.subplots(1, 2, width_ratios=[1.25, 1])
    piece_colours = [PALETTE[i] for i in (0, 4, 2, 3, 5, 1)]
    # left: the stream as one line, wrapped every N characters for room
    for i, ch in enumerate(text[: N * B]):
        b, r = divmod(i, N)
        ax_line.add_patch(
            plt.Rectangle(
                (r, -b * 1.6),
                1,
                1,
                facecolor=_lighten(piece_colours[b % 6], 0.7),
                edgecolor="white",
            )
        )
        ax_line.text(
            r + 0.5,
            -b * 1.6 + 0.5,
            "␣" if ch == " " else ch,
            ha="center",
            va="center",
            fontsize=8,
            family="monospace",
        )
    for b in range(B):
        ax_line.text(-0.4, -b * 1.6 + 0.5, f"piece {b + 1}", ha="right", va="center", fontsize=8.5)
    ax_line.set_xlim(-3.2, N + 0.3)
    ax_line.set_ylim(-(B - 1) * 1.6 - 0.6, 1.9)
    ax_line.set_aspect("equal")
    ax_line.axis("off")
    ax_line.set_title("the stream, cut into B pieces", fontsize=10)
    # right: the (N, B) array, time down, chunks as bands
    gap = 0.6
    for b in range(B):
        x0 = b * (1 + gap)
        for t in range(N):
            ch = chr(int(stream[t, b]))
            cell = plt.Rectangle(
                (x0, -t - 1), 1, 1, facecolor=_lighten(piece_colours[b % 6], 0.7), edgecolor="white"
            )
            cell.set_gid("cell")
            ax_grid.add_patch(cell)
            ax_grid.text(
                x0 + 0.5,
                -t - 0.5,
                "␣" if ch == " " else ch,
                ha="center",
                va="center",
                fontsize=8,
                family="monospace",
            )
        ax_grid.text(x0 + 0.5, 0.35, f"col {b + 1}", ha="center", va="bottom", fontsize=8.5)
    width = B * (1 + gap) - gap
    for j, s in enumerate(range(0, N - 1, k)):
        rows = min(k, N - 1 - s)
        band = plt.Rectangle(
            (-0.15, -s - rows), width + 0.3, rows, fill=False, edgecolor="0.35", lw=1.1, ls="--"
        )
        band.set_gid("chunk")
        ax_grid.add_patch(band)
        ax_grid.text(
            width + 0.35, -s - rows / 2, f"chunk {j + 1}", ha="left", va="center", fontsize=8.5
        )
        if s > 0:
            for b in range(B):
                xc = b * (1 + gap) + 1.0 + gap / 2
                _arrow(ax_grid, (xc, -s + 0.45), (xc, -s - 0.45), "carry", colour=_CARRY)
    ax_grid.set_xlim(-0.4, width + 2.4)
    ax_grid.set_ylim(-N - 0.3, 1.0)
    ax_grid.set_aspect("equal")
    ax_grid.axis("off")
    ax_grid.set_title(f"B = {B} columns, chunks of {k} steps", fontsize=10)
    return fig


_T_XY = [(1, 1), (1, 3), (3, 1), (3, 3), (3, 2)]  # (T_x, T_y) of each panel of _CONFIGS


def draw_configurations_annotated(fig=None):
    """:func:`draw_configurations` with T_x / T_y in each panel and the decoder's feedback.

    Each panel's subtitle gains its number of input steps T_x and output steps
    T_y. Where the network generates (one-to-many and the decoder of the
    unaligned encoder-decoder), dashed arrows (gid ``"arrow:feedback"``) show
    each output fed back into the next step, as a generated word is.

    Returns
    -------
    fig : matplotlib Figure
        Five axes, as :func:`draw_configurations`.

    Notes
    -----
    See chapter 1, Five ways to connect inputs and outputs.
    """
    if fig is None:
        fig = plt.figure(figsize=(7.6, 5.2))
    fig = draw_configurations(fig)
    for ax, (tx, ty), (name, _, steps, _, outs) in zip(fig.axes, _T_XY, _CONFIGS, strict=True):
        ax.set_title(f"{name}\n\n", fontsize=10, fontweight="bold")
        for text in ax.texts:
            if text.get_text().startswith("e.g."):
                text.set_text(f"{text.get_text()}\n$T_x = {tx}$, $T_y = {ty}$")
        generates = tx == 1 and ty > 1 or (tx > 1 and ty > 1 and tx != ty)
        if not generates:
            continue
        out_steps = range(steps) if outs is True else outs
        for t in out_steps:
            if t + 1 < steps:
                arrow = _arrow(
                    ax,
                    (t * _DX + _W / 2, 2 * _DY),
                    ((t + 1) * _DX - _W / 2, _DY + 0.1),
                    "feedback",
                    colour=_CARRY,
                    style="--",
                )
                arrow.set_linewidth(1.3)
    return fig


# --- Chapter 5: cell diagrams ---
#
# Inside views of the gated cells, in torch's convention, and the gradient paths
# of an unrolled LSTM. Every element has a gid, so count_elements works here too:
# "cell:box" (the cell outline), "cell:gate" (a sigmoid gate layer), "cell:layer"
# (a tanh layer or an affine map), "cell:op" (a pointwise operation: x, +, 1-,
# tanh), "cell:path" (the cell-state line of an LSTM, the state line of a GRU),
# "cell:wire" (every other connection), "grad:cell" (gradient along the cell
# path), "grad:weights" (gradient through the recurrent weights).
# See chapter 5, LSTM and GRU.

_CELL_PATH = PALETTE[0]  # blue: the memory line
_GATE = PALETTE[4]  # orange: sigmoid gates
_LAYER = PALETTE[2]  # bluish green: tanh layers, affine maps
_FADED = "0.72"


def _cell_box(ax, x0, y0, x1, y1):
    box = FancyBboxPatch(
        (x0, y0),
        x1 - x0,
        y1 - y0,
        boxstyle="round,pad=0,rounding_size=0.3",
        facecolor="0.97",
        edgecolor="0.55",
        linewidth=1.2,
        zorder=0,
    )
    box.set_gid("cell:box")
    ax.add_patch(box)


def _layer_box(ax, cx, cy, text, kind, label=None, faded=False, width=0.78):
    colour = _FADED if faded else (_GATE if kind == "gate" else _LAYER)
    box = FancyBboxPatch(
        (cx - width / 2, cy - 0.27),
        width,
        0.54,
        boxstyle="round,pad=0,rounding_size=0.1",
        facecolor=_lighten(colour) if not faded else "0.95",
        edgecolor=colour,
        linewidth=1.5,
        zorder=3,
    )
    box.set_gid(f"cell:{kind}")
    ax.add_patch(box)
    ax.text(
        cx,
        cy,
        text,
        ha="center",
        va="center",
        fontsize=10 if len(text) < 4 else 8,
        zorder=4,
        color="0.6" if faded else "black",
    )
    if label:
        ax.text(
            cx - width / 2 - 0.05,
            cy + 0.05,
            label,
            ha="right",
            va="center",
            fontsize=10,
            color="0.6" if faded else "black",
            zorder=4,
        )
    return box


def _op(ax, cx, cy, text, faded=False, radius=0.22):
    circle = plt.Circle(
        (cx, cy),
        radius,
        facecolor="white",
        edgecolor=_FADED if faded else "0.25",
        linewidth=1.3,
        zorder=3,
    )
    circle.set_gid("cell:op")
    ax.add_patch(circle)
    ax.text(
        cx,
        cy,
        text,
        ha="center",
        va="center",
        fontsize={1: 12, 2: 9}.get(len(text), 7.5),
        zorder=4,
        color="0.6" if faded else "black",
    )
    return circle


def _wire(ax, points, kind="cell:wire", colour="0.3", width=1.3, arrow=True, style="-", zorder=2):
    """A polyline through ``points`` with an arrow head at the last point."""
    xs, ys = zip(*points, strict=True)
    if len(points) > 2 or not arrow:
        line = Line2D(
            xs[:-1] if arrow else xs,
            ys[:-1] if arrow else ys,
            color=colour,
            linewidth=width,
            linestyle=style,
            zorder=zorder,
            solid_capstyle="butt",
        )
        line.set_gid(kind if not arrow else None)
        ax.add_line(line)
    if arrow:
        head = FancyArrowPatch(
            points[-2],
            points[-1],
            arrowstyle="-|>",
            mutation_scale=10,
            color=colour,
            linewidth=width,
            linestyle=style,
            shrinkA=0,
            shrinkB=0,
            zorder=zorder,
        )
        head.set_gid(kind)
        ax.add_patch(head)


def _gates_arg(gates):
    if not isinstance(gates, str) or set(gates) - set("ifo") or len(set(gates)) != len(gates):
        raise ValueError(
            f"gates must be a string made of distinct letters from 'ifo' "
            f"(input, forget, output), got {gates!r}"
        )
    return set(gates)


_LSTM_PARTS = ("forget", "input", "output", "cell")


def draw_lstm_cell(ax=None, gates="ifo", highlight=None, title=None):
    """Draw one LSTM step: the cell-state line, the gates and the candidate.

    Parameters
    ----------
    ax : matplotlib Axes, optional
        Axis to draw on; a new figure is made when omitted.
    gates : str, default "ifo"
        Which gates the cell has: any of "i" (input), "f" (forget), "o" (output).
        "i" alone is the constant error carousel with an input gate,
        ``c_t = c_{t-1} + i_t * g_t`` and ``h_t = tanh(c_t)``; "if" adds the
        forget gate; "ifo" is the LSTM of torch.nn.LSTM.
    highlight : {"forget", "input", "output", "cell"}, optional
        Draw one part (erase, write, read, or the cell-state line) in colour and
        fade the rest.
    title : str, optional

    Returns
    -------
    ax : matplotlib Axes
        With ``len(gates)`` "cell:gate" boxes, one "cell:layer" (the candidate
        g), and the cell-state line as "cell:path" (see :func:`count_elements`).

    Notes
    -----
    The four layers read the concatenation :math:`[h_{t-1}; x_t]`, as in
    colah's diagrams: :math:`W_{hf} h_{t-1} + W_{if} x_t = W_f [h_{t-1}; x_t]`.
    Gate order in torch is i, f, g, o.
    """
    gates = _gates_arg(gates)
    if highlight is not None and highlight not in _LSTM_PARTS:
        raise ValueError(f"highlight must be None or one of {_LSTM_PARTS}, got {highlight!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.2))

    def faded(part):
        return highlight is not None and highlight != part

    _cell_box(ax, 0.0, 0.0, 8.2, 5.0)
    y_c, y_gate, y_bus, y_mid = 4.2, 1.9, 0.6, 3.1
    x_f, x_i, x_g, x_o, x_out = 1.7, 3.0, 4.3, 5.6, 6.8
    # the cell-state line, c_{t-1} -> c_t
    cell_colour = _CELL_PATH if not faded("cell") else _FADED
    line = Line2D([-0.9, 8.75], [y_c, y_c], color=cell_colour, linewidth=3.2, zorder=1)
    line.set_gid("cell:path")
    ax.add_line(line)
    ax.text(-1.0, y_c, "$c_{t-1}$", ha="right", va="center", fontsize=12)
    ax.text(8.85, y_c, "$c_t$", ha="left", va="center", fontsize=12)
    # the concatenated input [h_{t-1}; x_t] along the bottom
    ax.text(-1.0, y_bus, "$h_{t-1}$", ha="right", va="center", fontsize=12)
    ax.text(0.9, -0.95, "$x_t$", ha="center", va="center", fontsize=12)
    bus_end = x_o if "o" in gates else x_g
    _wire(ax, [(-0.9, y_bus), (bus_end, y_bus)], arrow=False)
    _wire(ax, [(0.9, -0.7), (0.9, y_bus)], arrow=False)
    ax.text(1.02, y_bus - 0.1, "$[h_{t-1}; x_t]$", ha="left", va="top", fontsize=8, color="0.35")
    used = [("f", x_f)] * ("f" in gates) + [("i", x_i)] * ("i" in gates)
    used += [("g", x_g)] + [("o", x_o)] * ("o" in gates)
    for _name, x in used:
        _wire(ax, [(x, y_bus), (x, y_gate - 0.27)], colour="0.3")
    # erase: c_{t-1} * f_t
    if "f" in gates:
        _layer_box(ax, x_f, y_gate, "σ", "gate", "$f_t$", faded=faded("forget"))
        _wire(
            ax,
            [(x_f, y_gate + 0.27), (x_f, y_c - 0.22)],
            colour=_GATE if highlight == "forget" else "0.3",
        )
        _op(ax, x_f, y_c, "×", faded=faded("forget") and faded("cell"))
    # write: + i_t * g_t
    _layer_box(ax, x_g, y_gate, "tanh", "layer", "$g_t$", faded=faded("input"))
    write_colour = _LAYER if highlight == "input" else "0.3"
    if "i" in gates:
        _layer_box(ax, x_i, y_gate, "σ", "gate", "$i_t$", faded=faded("input"))
        _wire(ax, [(x_i, y_gate + 0.27), (x_i, y_mid), (x_g - 0.22, y_mid)], colour=write_colour)
        _wire(ax, [(x_g, y_gate + 0.27), (x_g, y_mid - 0.22)], colour=write_colour)
        _op(ax, x_g, y_mid, "×", faded=faded("input"))
        _wire(ax, [(x_g, y_mid + 0.22), (x_g, y_c - 0.22)], colour=write_colour)
    else:
        _wire(ax, [(x_g, y_gate + 0.27), (x_g, y_c - 0.22)], colour=write_colour)
    _op(ax, x_g, y_c, "+", faded=faded("input") and faded("cell"))
    # read: h_t = o_t * tanh(c_t)
    read_colour = _GATE if highlight == "output" else "0.3"
    _wire(ax, [(x_out, y_c), (x_out, y_mid + 0.22)], colour=read_colour)
    _op(ax, x_out, y_mid, "tanh", faded=faded("output"), radius=0.3)
    if "o" in gates:
        _layer_box(ax, x_o, y_gate, "σ", "gate", "$o_t$", faded=faded("output"))
        _wire(ax, [(x_out, y_mid - 0.3), (x_out, y_gate + 0.22)], colour=read_colour)
        _op(ax, x_out, y_gate, "×", faded=faded("output"))
        _wire(ax, [(x_o + 0.39, y_gate), (x_out - 0.22, y_gate)], colour=read_colour)
        start = y_gate - 0.22
    else:
        start = y_mid - 0.3
    _wire(ax, [(x_out, start), (x_out, y_bus - 0.25), (8.75, y_bus - 0.25)], colour=read_colour)
    _wire(ax, [(7.6, y_bus - 0.25), (7.6, 5.75)], colour=read_colour)
    ax.text(8.85, y_bus - 0.25, "$h_t$", ha="left", va="center", fontsize=12)
    ax.text(7.7, 5.75, "$h_t$", ha="left", va="top", fontsize=12)
    roles = [("erase", x_f)] * ("f" in gates) + [("write", x_g), ("read", x_out)]
    for text, x in roles:
        ax.text(
            x, 5.0 + 0.12, text, ha="center", va="bottom", fontsize=8, color="0.4", style="italic"
        )
    ax.set_xlim(-1.9, 9.6)
    ax.set_ylim(-1.25, 6.0)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def draw_gru_cell(ax=None, title=None):
    """Draw one GRU step as torch.nn.GRU computes it (gate order r, z, n).

    Parameters
    ----------
    ax : matplotlib Axes, optional
        Axis to draw on; a new figure is made when omitted.
    title : str, optional

    Returns
    -------
    ax : matplotlib Axes
        With two "cell:gate" boxes (r, z), two "cell:layer" boxes (the affine
        map :math:`W_{hn} h_{t-1} + b_{hn}` and the candidate n), and the state
        line as "cell:path" (see :func:`count_elements`).

    Notes
    -----
    :math:`n_t = \\tanh(W_{in} x_t + b_{in} + r_t \\odot (W_{hn} h_{t-1} + b_{hn}))`:
    the reset gate acts after the matrix product, and
    :math:`h_t = (1 - z_t) \\odot n_t + z_t \\odot h_{t-1}`, so z = 1 keeps the state.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.2))
    _cell_box(ax, 0.0, 0.0, 8.2, 5.0)
    y_s, y_gate, y_mid, y_h, y_x = 4.2, 1.9, 3.1, 0.85, 0.35
    x_r, x_lin, x_n, x_z, x_out = 1.5, 2.9, 4.5, 6.2, 7.3
    line = Line2D([-0.9, 8.75], [y_s, y_s], color=_CELL_PATH, linewidth=3.2, zorder=1)
    line.set_gid("cell:path")
    ax.add_line(line)
    ax.text(-1.0, y_s, "$h_{t-1}$", ha="right", va="center", fontsize=12)
    ax.text(8.85, y_s, "$h_t$", ha="left", va="center", fontsize=12)
    # h_{t-1} drops to its own line; x_t has another
    _wire(ax, [(0.35, y_s), (0.35, y_h), (x_z, y_h)], arrow=False, colour=_CELL_PATH, width=1.2)
    _wire(ax, [(0.9, -0.7), (0.9, y_x), (x_z, y_x)], arrow=False, colour=PALETTE[5], width=1.2)
    ax.text(0.9, -0.95, "$x_t$", ha="center", va="center", fontsize=12)
    for x in (x_r, x_z):  # the gates read both h_{t-1} and x_t
        _wire(ax, [(x, y_x), (x, y_gate - 0.27)])
        ax.plot([x], [y_h], "o", color="0.3", markersize=3.5, zorder=3)
    _layer_box(ax, x_r, y_gate, "σ", "gate", "$r_t$")
    _layer_box(ax, x_z, y_gate, "σ", "gate", "$z_t$")
    # W_hn h + b_hn reads h only; r multiplies it after the product
    _wire(ax, [(x_lin, y_h), (x_lin, y_gate - 0.27)], colour=_CELL_PATH)
    _layer_box(ax, x_lin, y_gate, "$W_{hn}h + b_{hn}$", "layer", width=1.15)
    _wire(ax, [(x_lin, y_gate + 0.27), (x_lin, y_mid - 0.22)])
    _wire(ax, [(x_r, y_gate + 0.27), (x_r, y_mid), (x_lin - 0.22, y_mid)])
    _op(ax, x_lin, y_mid, "×")
    # the candidate n reads x_t (W_in x + b_in) and the reset product
    _wire(ax, [(x_lin + 0.22, y_mid), (x_n - 0.39, y_mid)])
    _wire(ax, [(x_n, y_x), (x_n, y_mid - 0.27)], colour=PALETTE[5])
    ax.text(
        x_n + 0.08, 2.4, "$W_{in}x_t + b_{in}$", ha="left", va="center", fontsize=8, color="0.35"
    )
    _layer_box(ax, x_n, y_mid, "tanh", "layer")
    ax.text(x_n, y_mid + 0.33, "$n_t$", ha="center", va="bottom", fontsize=10)
    # h_t = z * h_{t-1} + (1 - z) * n
    _wire(ax, [(x_z, y_gate + 0.27), (x_z, y_s - 0.22)])
    _op(ax, x_z, y_s, "×")
    _wire(ax, [(x_z + 0.39, y_gate), (x_out, y_gate), (x_out, 2.45 - 0.22)])
    _op(ax, x_out, 2.45, "1−", radius=0.24)
    _wire(ax, [(x_out, 2.45 + 0.24), (x_out, y_mid + 0.35 - 0.22)])
    _op(ax, x_out, y_mid + 0.35, "×")
    _wire(
        ax,
        [
            (x_n + 0.39, y_mid),
            (x_n + 0.9, y_mid),
            (x_n + 0.9, y_mid + 0.35),
            (x_out - 0.22, y_mid + 0.35),
        ],
    )
    _wire(ax, [(x_out, y_mid + 0.57), (x_out, y_s - 0.22)])
    _op(ax, x_out, y_s, "+")
    ax.text(
        6.0,
        5.12,
        "keep ($z_t$) or replace ($1 - z_t$)",
        ha="center",
        va="bottom",
        fontsize=8,
        color="0.4",
        style="italic",
    )
    ax.set_xlim(-1.9, 9.6)
    ax.set_ylim(-1.25, 6.0)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def draw_lstm_gradient_paths(ax=None, steps=3, title=None):
    """Draw the backward paths of an unrolled LSTM: the cell path and the paths through W.

    Parameters
    ----------
    ax : matplotlib Axes, optional
        Axis to draw on; a new figure is made when omitted.
    steps : int, default 3
        Number of unrolled steps, labelled t - steps + 1, ..., t.
    title : str, optional

    Returns
    -------
    ax : matplotlib Axes
        With ``steps`` "grad:cell" arrows (one factor diag(f) each, no matrix)
        and ``2 * steps`` "grad:weights" arrows (the paths that cross a
        recurrent weight matrix) (see :func:`count_elements`).

    Notes
    -----
    The product of the one-step Jacobians of the state (c, h) contains, in its
    (c, c) block, the term :math:`\\prod_k \\operatorname{diag}(f_k)`: the only
    path with no matrix on it. Every other path crosses some :math:`W_{h\\cdot}`
    and can vanish or explode, as in an SRN. See chapter 5, The full Jacobian.
    """
    steps = positive_int(steps, "steps")
    if ax is None:
        _, ax = plt.subplots(figsize=(2.9 * steps + 1.2, 3.6))
    step_w, y_c, y_h, y_w = 3.8, 2.6, 0.45, 1.45
    right = steps * step_w - 1.0
    line = Line2D([-0.7, right + 0.7], [y_c, y_c], color=_CELL_PATH, linewidth=3.0, zorder=1)
    line.set_gid("cell:path")
    ax.add_line(line)
    for k in range(steps):
        x0 = k * step_w
        lag = steps - 1 - k
        t = "t" if lag == 0 else f"t-{lag}"
        _cell_box(ax, x0, -0.1, x0 + 2.8, 3.2)
        _op(ax, x0 + 0.9, y_c, "×")
        ax.text(x0 + 0.62, y_c - 0.25, f"$f_{{{t}}}$", ha="right", va="top", fontsize=9)
        _op(ax, x0 + 1.8, y_c, "+")
        _layer_box(ax, x0 + 1.15, y_w, "gates, g", "layer", width=1.25)
        ax.text(
            x0 + 1.15,
            y_w - 0.33,
            "$W_{hi}, W_{hf}, W_{hg}, W_{ho}$",
            ha="center",
            va="top",
            fontsize=6.5,
            color="0.35",
        )
        # forward wires: h_{t-1} into the gates, gates onto the cell path, the read-out
        if k == 0:
            _wire(ax, [(x0 - 0.7, y_h), (x0 + 0.3, y_h)], arrow=False, colour="0.45")
        _wire(ax, [(x0 + 0.3, y_h), (x0 + 0.3, y_w - 0.27)], colour="0.45")
        _wire(ax, [(x0 + 0.9, y_w + 0.27), (x0 + 0.9, y_c - 0.22)], colour="0.45")
        _wire(ax, [(x0 + 1.8, y_w + 0.27), (x0 + 1.8, y_c - 0.22)], colour="0.45")
        _wire(ax, [(x0 + 2.4, y_c), (x0 + 2.4, y_h + 0.05)], colour="0.45")
        end = right + 0.6 if k == steps - 1 else x0 + step_w + 0.3
        _wire(ax, [(x0 + 2.4, y_h), (end, y_h)], colour="0.45", arrow=k == steps - 1)
        ax.text(
            x0 + 2.47,
            1.55,
            "$o \\odot \\tanh$",
            ha="left",
            va="center",
            fontsize=7.5,
            color="0.35",
            rotation=90,
        )
        # backward: along the cell (diag(f) only) and through the weights
        _wire(
            ax,
            [(x0 + 2.75, y_c + 0.38), (x0 + 0.05, y_c + 0.38)],
            kind="grad:cell",
            colour=_GRAD,
            width=2.4,
        )
        ax.text(
            x0 + 1.4,
            y_c + 0.48,
            f"diag($f_{{{t}}}$)",
            ha="center",
            va="bottom",
            fontsize=8.5,
            color=_GRAD,
        )
        _wire(
            ax,
            [(x0 + 1.75, y_c - 0.3), (x0 + 1.55, y_w + 0.3)],
            kind="grad:weights",
            colour=_GRAD,
            width=1.0,
            style="--",
        )
        _wire(
            ax,
            [(x0 + 0.6, y_w - 0.3), (x0 + 0.05, y_h - 0.2)],
            kind="grad:weights",
            colour=_GRAD,
            width=1.0,
            style="--",
        )
        gap = x0 - 0.5 if k else x0 - 0.85
        ax.text(gap, y_c + 0.12, f"$c_{{{_prev(t)}}}$", ha="center", va="bottom", fontsize=9)
        ax.text(gap, y_h + 0.1, f"$h_{{{_prev(t)}}}$", ha="center", va="bottom", fontsize=9)
    ax.text(right + 0.75, y_c, "$c_t$", ha="left", va="center", fontsize=10)
    ax.text(right + 0.65, y_h, "$h_t$", ha="left", va="center", fontsize=10)
    ax.text(
        right / 2,
        -0.35,
        "solid: the cell path, a product of diagonal factors; "
        "dashed: paths through the recurrent weights",
        ha="center",
        va="top",
        fontsize=8,
        color=_GRAD,
    )
    ax.set_xlim(-1.5, right + 1.4)
    ax.set_ylim(-0.85, 3.7)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def _prev(t):
    """The label of the step before ``t``: "t" -> "t-1", "t-1" -> "t-2"."""
    return "t-1" if t == "t" else f"t-{int(t[2:]) + 1}"


def plot_gate_trace(x, i, f, c, fig=None, unit=None):
    """Plot one sequence of the adding problem and one LSTM unit's gates and cell.

    Parameters
    ----------
    x : array_like, shape (T, 2)
        The sequence: values in channel 0, the marker in channel 1.
    i, f, c : array_like, each shape (T,)
        The unit's input gate, forget gate and cell state at every step.
    fig : matplotlib Figure, optional
        Figure to draw into; a new one is made when omitted.
    unit : int, optional
        The unit's index, for the title.

    Returns
    -------
    fig : matplotlib Figure
        Three axes sharing the time axis: the inputs (marked steps in colour),
        the two gates, and the cell state. Marked steps are shaded in all three.

    Notes
    -----
    A unit that stores a marked number opens its input gate at the marker and
    holds its forget gate near 1 afterwards. See chapter 5, What the gates do.
    """
    x = np.asarray(x, dtype=float)
    i, f, c = (np.asarray(a, dtype=float) for a in (i, f, c))
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"x: expected shape (T, 2), got {x.shape}")
    T = x.shape[0]
    for name, a in (("i", i), ("f", f), ("c", c)):
        if a.shape != (T,):
            raise ValueError(f"{name}: expected shape ({T},) like x's first axis, got {a.shape}")
    if fig is None:
        fig = plt.figure(figsize=(7.2, 4.6))
    axes = fig.subplots(3, 1, sharex=True, height_ratios=[1, 1.2, 1])
    steps = np.arange(1, T + 1)
    marked = np.flatnonzero(x[:, 1] > 0.5)
    colours = np.where(x[:, 1] > 0.5, PALETTE[1], "0.7")
    axes[0].bar(steps, x[:, 0], color=colours, width=0.7)
    axes[0].set(ylabel="input value", ylim=(0, 1.05))
    axes[1].plot(steps, i, "o-", markersize=3, color=PALETTE[4], label="input gate $i_t$")
    axes[1].plot(steps, f, "s-", markersize=3, color=PALETTE[0], label="forget gate $f_t$")
    axes[1].set(ylabel="gate", ylim=(-0.05, 1.05))
    axes[1].legend(loc="center right", fontsize=8)
    axes[2].plot(steps, c, "o-", markersize=3, color=PALETTE[2])
    axes[2].axhline(0, color="0.6", linewidth=0.8)
    axes[2].set(ylabel="cell $c_t$", xlabel="step t")
    for ax in axes:
        for t in marked:
            ax.axvspan(t + 0.5, t + 1.5, color=PALETTE[1], alpha=0.12, linewidth=0)
    if unit is not None:
        axes[0].set_title(f"unit {unit}", fontsize=10)
    return fig


# ----------------------------------------------------------------------------- chapter 6


def draw_bidirectional(ax=None, steps=4, title=None):
    """A bidirectional RNN unrolled over ``steps`` steps.

    A forward row (left to right) and a backward row (right to left) read the same
    inputs; each output reads both rows at its step, ``[h_t^fwd ; h_t^bwd]``.
    Gids: ``node:x``, ``node:h`` (both rows), ``node:y``, ``arrow:in``, ``arrow:rec``
    (forward row), ``arrow:recb`` (backward row), ``arrow:out``.
    See chapter 6, Many-to-many, aligned.
    """
    steps = positive_int(steps, "steps")
    if ax is None:
        ax = _new_axes(steps * _DX + 1.2, 4 * _DY + 0.6)
    y_x, y_b, y_f, y_y = 0.0, _DY, 2 * _DY, 3 * _DY
    for t in range(steps):
        cx = t * _DX
        _node(ax, cx, y_x, f"$x_{t + 1}$", "x")
        _node(ax, cx, y_b, f"$\\overleftarrow{{h}}_{t + 1}$", "h")
        _node(ax, cx, y_f, f"$\\overrightarrow{{h}}_{t + 1}$", "h")
        _node(ax, cx, y_y, f"$\\hat y_{t + 1}$", "y")
        _arrow(ax, (cx, y_x + _H / 2), (cx, y_b - _H / 2), "in")
        _arrow(ax, (cx - 0.22, y_x + _H / 2), (cx - 0.22, y_f - _H / 2), "in", rad=-0.3)
        _arrow(ax, (cx + 0.3, y_f + _H / 2), (cx + 0.3, y_y - _H / 2), "out")
        _arrow(ax, (cx + _W / 2 - 0.05, y_b + 0.1), (cx + _W / 2 + 0.12, y_y - _H / 2), "out",
               rad=0.35)
        if t + 1 < steps:
            _arrow(ax, (cx + _W / 2, y_f), (cx + _DX - _W / 2, y_f), "rec", colour=_CARRY)
            _arrow(ax, (cx + _DX - _W / 2, y_b), (cx + _W / 2, y_b), "recb", colour=_GRAD)
    right = (steps - 1) * _DX + _W / 2
    ax.text(right + 0.15, y_f, "forward\nreads $x_1 \\to x_T$", fontsize=8, va="center",
            color=_CARRY)
    ax.text(right + 0.15, y_b, "backward\nreads $x_T \\to x_1$", fontsize=8, va="center",
            color=_GRAD)
    return _finish(ax, -_W / 2 - 0.1, right + 1.6, y_x - _H / 2 - 0.1, y_y + _H / 2 + 0.1, title)


def draw_encoder_decoder(ax=None, src_steps=3, tgt_steps=3, free_running=False, title=None):
    """An encoder-decoder unrolled: the encoder reads ``src_steps`` inputs, its last state
    starts the decoder, which emits ``tgt_steps`` tokens (the last one ``</s>``).

    ``free_running=False`` (teacher forcing): each decoder step reads the *correct*
    previous token ``y_{k-1}`` (gid ``arrow:teacher``, dashed, from below).
    ``free_running=True``: each step reads its own previous output ``ŷ_{k-1}``
    (gid ``arrow:feedback``, curved from the output above).
    Other gids: ``node:x`` (inputs and decoder inputs), ``node:h`` (encoder and decoder
    states), ``node:y``, ``arrow:in``, ``arrow:rec``, ``arrow:out``, ``arrow:summary``.
    See chapter 6, Many-to-many, unaligned.
    """
    src_steps = positive_int(src_steps, "src_steps")
    tgt_steps = positive_int(tgt_steps, "tgt_steps")
    n = src_steps + tgt_steps
    if ax is None:
        ax = _new_axes(n * _DX + 0.6, 3 * _DY + 0.8)
    y_x, y_h, y_y = 0.0, _DY, 2 * _DY
    for t in range(src_steps):
        cx = t * _DX
        _node(ax, cx, y_x, f"$x_{t + 1}$", "x")
        _node(ax, cx, y_h, f"$h_{t + 1}$", "h")
        _arrow(ax, (cx, y_x + _H / 2), (cx, y_h - _H / 2), "in")
        if t + 1 < src_steps:
            _arrow(ax, (cx + _W / 2, y_h), (cx + _DX - _W / 2, y_h), "rec")
    last = (src_steps - 1) * _DX
    _arrow(ax, (last + _W / 2, y_h), (last + _DX - _W / 2, y_h), "summary", colour=_CARRY,
           width=2.0)
    for k in range(tgt_steps):
        cx = (src_steps + k) * _DX
        prev = "\\langle s\\rangle" if k == 0 else (
            f"\\hat y_{k}" if free_running else f"y_{k}")
        out = "\\langle /s\\rangle" if k == tgt_steps - 1 else f"\\hat y_{k + 1}"
        _node(ax, cx, y_x, f"${prev}$", "x", dashed=free_running and k > 0, fontsize=10)
        _node(ax, cx, y_h, f"$s_{k + 1}$", "h")
        _node(ax, cx, y_y, f"${out}$", "y", fontsize=10)
        _arrow(ax, (cx, y_x + _H / 2), (cx, y_h - _H / 2), "in")
        _arrow(ax, (cx, y_h + _H / 2), (cx, y_y - _H / 2), "out")
        if k + 1 < tgt_steps:
            _arrow(ax, (cx + _W / 2, y_h), (cx + _DX - _W / 2, y_h), "rec")
            nxt = cx + _DX
            if free_running:
                _arrow(ax, (cx + _W / 2, y_y), (nxt - _W / 2, y_x + 0.1), "feedback",
                       colour=_GRAD, rad=-0.25)
            else:
                _arrow(ax, (nxt, y_x - _H / 2 - 0.45), (nxt, y_x - _H / 2), "teacher",
                       colour=_CARRY, style="--")
    if not free_running:
        ax.text((src_steps + 1) * _DX, y_x - _H / 2 - 0.6, "correct previous tokens",
                fontsize=8, color=_CARRY, va="top")
    ax.axvline((src_steps - 0.5) * _DX, color="0.75", lw=1, ls=":", zorder=0)
    ax.text((src_steps - 1) * _DX / 2, y_y, "encoder", ha="center", fontsize=9, color="0.35")
    ax.text((src_steps + (tgt_steps - 1) / 2) * _DX, y_y + _H / 2 + 0.25, "decoder",
            ha="center", fontsize=9, color="0.35")
    return _finish(ax, -_W / 2 - 0.1, (n - 1) * _DX + _W / 2 + 0.1, y_x - _H / 2 - 0.9,
                   y_y + _H / 2 + 0.5, title)
