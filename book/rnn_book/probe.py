"""Looking inside a trained character language model, for chapter 6.

- :func:`lstm_cell_states` runs a trained :class:`rnn_course.models.CharLM`
  over a text one character at a time and records the LSTM cell state ``c_t``;
- :func:`in_string`, :func:`in_brackets`, :func:`in_indent` and
  :func:`after` mark properties of Python source that need memory;
- :func:`unit_search` picks the unit most correlated with a property on one
  half of the text and scores it on the other half;
- :func:`connectivity` measures how much one prediction depends on each
  earlier character, ``|| d log p(x_{t+1} | x_<=t) / d e_s ||`` (Distill's
  "connectivity", Madsen 2019);
- :func:`shade_text` draws a text with each character shaded by a value, the
  look of Karpathy et al.'s unit figures.

See chapter 6, Applications (what single units learn; memory on real text).
"""

import numpy as np
import torch

from rnn_course import torch_rnn

__all__ = [
    "lstm_cell_states",
    "in_string",
    "in_brackets",
    "in_indent",
    "after",
    "correlations",
    "unit_search",
    "connectivity",
    "dependence_by_distance",
    "shade_text",
]


def _readout(model):
    return model.W_hy  # the output layer (V, H)


@torch.no_grad()
def lstm_cell_states(model, ids):
    """The cell state after each character of ``ids``.

    Parameters
    ----------
    model : CharLM
        With a one-layer LSTM core (``cell="lstm"``, either ``impl``).
    ids : array_like, shape (N,), int
        One text, read from a zero state.

    Returns
    -------
    ndarray, shape (N, H), float32
        ``c_t`` after reading character t.

    Notes
    -----
    The loop uses :class:`rnn_course.torch_rnn.LSTMCell` loaded with the
    model's layer-0 weights, so the states are those of the equations of
    chapter 5, step by step.
    """
    if model.config.get("cell") != "lstm" or model.config.get("num_layers", 1) != 1:
        raise ValueError("model: expected a CharLM with a one-layer LSTM core")
    E, H = model.config["embedding_dim"], model.config["hidden_size"]
    cell = torch_rnn.LSTMCell(E, H)
    # torch.nn.LSTM's layer-0 weights end in _l0 (weight_ih_l0); a cell's do not
    weights = {k.removesuffix("_l0"): v for k, v in model.rnn.state_dict().items()}
    cell.load_state_dict(weights)
    emb = model.embed(torch.as_tensor(np.asarray(ids), dtype=torch.int64))  # (N, E)
    h, c = torch.zeros(1, H), torch.zeros(1, H)  # (1, H) each
    states = []
    for e_t in emb:
        h, c = cell(e_t[None], (h, c))
        states.append(c[0])
    return torch.stack(states).numpy()  # (N, H)


def in_string(s):
    """1.0 inside a Python string literal (quotes excluded), else 0.0.

    Handles ``'`` and ``"``, triple quotes, backslash escapes and ``#``
    comments; a single-quoted string ends at a line end (a text cut in the
    middle of a file recovers at the next line).

    Parameters
    ----------
    s : str

    Returns
    -------
    ndarray, shape (len(s),), float
    """
    inside = np.zeros(len(s))
    quote, comment, i = None, False, 0  # quote: the delimiter of the open string
    while i < len(s):
        ch = s[i]
        if comment:
            comment = ch != "\n"
        elif quote is None:
            if ch == "#":
                comment = True
            elif ch in "'\"":
                quote = ch * 3 if s[i : i + 3] == ch * 3 else ch
                i += len(quote)
                continue
        elif s.startswith(quote, i):
            i += len(quote)
            quote = None
            continue
        elif ch == "\\":
            inside[i : i + 2] = 1.0
            i += 2
            continue
        elif ch == "\n" and len(quote) == 1:
            quote = None
        else:
            inside[i] = 1.0
        i += 1
    return inside


def in_brackets(s, pairs=("()", "[]", "{}")):
    """1.0 between an opening bracket and its closing one (both excluded).

    Nesting depth is counted over all bracket kinds together.

    Parameters
    ----------
    s : str
    pairs : tuple of two-character str

    Returns
    -------
    ndarray, shape (len(s),), float
    """
    opening = {p[0] for p in pairs}
    closing = {p[1] for p in pairs}
    inside, depth = np.zeros(len(s)), 0
    for i, ch in enumerate(s):
        if ch in closing and depth > 0:
            depth -= 1
        inside[i] = depth > 0
        if ch in opening:
            depth += 1
    return inside


def in_indent(s):
    """1.0 for the run of spaces at the start of a line, else 0.0."""
    flags, at_start = np.zeros(len(s)), True
    for i, ch in enumerate(s):
        at_start = (ch == "\n") or (at_start and ch == " ")
        flags[i] = at_start and ch == " "
    return flags


def after(s, chars):
    """True where the previous character is one of ``chars`` (False at 0)."""
    prev = np.array([False] + [ch in chars for ch in s[:-1]])
    return prev[: len(s)]


def correlations(states, mark, group):
    """Correlation of every unit with a 0/1 mark over a group of characters.

    Parameters
    ----------
    states : ndarray, shape (N, H)
    mark : ndarray, shape (N,)
    group : ndarray, shape (N,), bool
        The characters compared (like with like).

    Returns
    -------
    ndarray, shape (H,)
        Pearson's r; 0 for a unit that is constant over the group.
    """
    X, f = states[group], np.asarray(mark, dtype=float)[group]  # (n, H), (n,)
    if len(f) < 3 or f.std() == 0:
        raise ValueError("group: the mark must take both values on at least 3 characters")
    Xz = (X - X.mean(0)) / np.maximum(X.std(0), 1e-8)  # (n, H) standardised
    fz = (f - f.mean()) / f.std()  # (n,)
    return Xz.T @ fz / len(f)  # (H,)


def unit_search(states, mark, group, control=None, split=None):
    """Select the unit most correlated with a property on one half; score it on the other.

    Parameters
    ----------
    states : ndarray, shape (N, H)
    mark : ndarray, shape (N,)
    group : ndarray, shape (N,), bool
        The characters compared when selecting (like with like).
    control : ndarray, shape (N,), bool, optional
        A stricter group (e.g. characters with the same previous character) in
        which the selected unit is scored again, on the held-out half.
    split : int, optional
        Characters before ``split`` select, those after score; default N // 2.

    Returns
    -------
    dict
        ``unit``; ``r_select`` (its r on the selection half, inflated by the
        choice among H units); ``r_held_out`` (on the other half, an honest
        estimate); ``median_abs_r`` (all units, held-out half: the background);
        with ``control``, also ``r_control`` and ``median_abs_r_control``, the
        same two numbers within the control group of the held-out half.
    """
    N = len(states)
    split = N // 2 if split is None else split
    later = np.arange(N) >= split
    r_a = correlations(states, mark, group & ~later)
    r_b = correlations(states, mark, group & later)
    unit = int(np.argmax(np.abs(r_a)))
    out = {
        "unit": unit,
        "r_select": float(r_a[unit]),
        "r_held_out": float(r_b[unit]),
        "median_abs_r": float(np.median(np.abs(r_b))),
    }
    if control is not None:
        r_c = correlations(states, mark, control & later)
        out["r_control"] = float(r_c[unit])
        out["median_abs_r_control"] = float(np.median(np.abs(r_c)))
    return out


def connectivity(model, ids, ends, span):
    """How strongly the prediction after each ``ends[b]`` depends on earlier characters.

    Parameters
    ----------
    model : CharLM
        Any cell; must have ``embed``, ``rnn`` and an output layer.
    ids : array_like, shape (N,), int
    ends : array_like, shape (B,), int
        Positions t; the prediction of ``ids[t + 1]`` from ``ids[t - span + 1 : t + 1]``.
    span : int
        Characters read before the prediction (the window starts from a zero state).

    Returns
    -------
    ndarray, shape (B, span)
        ``[b, s]`` = ``|| d log p(x_{t+1} | window) / d e_{t-span+1+s} ||``, the
        norm of the gradient with respect to the embedding of each character of
        the window; the last column is the current character.
    """
    ids = torch.as_tensor(np.asarray(ids), dtype=torch.int64)
    ends = np.asarray(ends)
    if ends.min() < span - 1 or ends.max() + 1 >= len(ids):
        raise ValueError(
            f"ends: every t needs span - 1 = {span - 1} characters before it and one after"
        )
    idx = torch.as_tensor(ends[None] - np.arange(span)[::-1, None])  # (span, B)
    was_training = model.training
    model.eval()
    try:
        emb = model.embed(ids[idx]).detach().requires_grad_(True)  # (span, B, E)
        out, _ = model.rnn(emb)  # (span, B, H)
        logp = torch.log_softmax(_readout(model)(out[-1]), -1)  # (B, V)
        nxt = ids[torch.as_tensor(ends + 1)]  # (B,)
        logp.gather(1, nxt[:, None]).sum().backward()
    finally:
        model.train(was_training)
    return emb.grad.norm(dim=-1).T.numpy()  # (B, span)


def dependence_by_distance(grads):
    """Average share of the dependence at each distance back.

    Parameters
    ----------
    grads : ndarray, shape (B, span)
        From :func:`connectivity`.

    Returns
    -------
    ndarray, shape (span,)
        ``[d]`` = mean over b of ``grads[b, -1 - d] / grads[b].sum()``: distance
        0 is the current character. Sums to 1.
    """
    share = grads / grads.sum(1, keepdims=True)  # (B, span)
    return share[:, ::-1].mean(0)


def shade_text(ax, text, values, title=None, cmap="PuOr_r", center=None, fontsize=9):
    """Write ``text`` in a grid of square-ish cells, each shaded by its value.

    Parameters
    ----------
    ax : matplotlib Axes
    text : str
        May contain newlines (each starts a row).
    values : array_like, shape (len(text),)
        NaN leaves a cell unshaded.
    title : str, optional
    cmap : str, default "PuOr_r"
        A diverging map around ``center``; a sequential one (e.g. "Reds") with
        ``center=None`` and values >= 0.
    center : float, optional
        Value drawn white; with a diverging map the default is the median.
    fontsize : float, default 9

    Returns
    -------
    matplotlib image
        For a colour bar.

    Notes
    -----
    Cells have a fixed aspect (0.6 wide for 1 high, a monospace glyph), so
    the text reads as text; size the figure about 0.075 inch per column.
    """
    values = np.asarray(values, dtype=float)
    if values.shape != (len(text),):
        raise ValueError(f"values: expected shape ({len(text)},), got {values.shape}")
    lines = text.split("\n")
    width = max(map(len, lines)) + 1
    grid = np.full((len(lines), width), np.nan)  # (rows, columns)
    pos = 0
    for row, line in enumerate(lines):
        seg = values[pos : pos + len(line) + 1]  # the line and its newline
        grid[row, : len(seg)] = seg
        pos += len(line) + 1
    finite = values[np.isfinite(values)]
    if center is None and cmap in ("PuOr_r", "RdBu_r", "coolwarm"):
        center = float(np.median(finite))
    if center is None:
        vmin, vmax = 0.0, float(np.percentile(finite, 99))
    else:
        lim = float(np.percentile(np.abs(finite - center), 95))  # clip rare extremes
        vmin, vmax = center - lim, center + lim
    image = ax.imshow(
        grid, cmap=cmap, vmin=vmin, vmax=vmax, aspect=1 / 0.6, interpolation="nearest"
    )
    for row, line in enumerate(lines):
        for col, ch in enumerate(line):
            if ch == " ":
                continue
            v = grid[row, col]
            r, g, b, _ = image.cmap(image.norm(v)) if np.isfinite(v) else (1, 1, 1, 1)
            dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.45  # white text on dark cells
            ax.text(
                col,
                row,
                ch,
                ha="center",
                va="center",
                color="white" if dark else "black",
                fontfamily="monospace",
                fontsize=fontsize,
            )
    if title:
        ax.set_title(title, fontsize=fontsize + 1, loc="left")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return image


def bracket_pairs(s, pairs=("()", "[]", "{}")):
    """Positions ``(open, close)`` of every matched bracket pair in ``s``.

    Returns
    -------
    list of tuple of int
        In the order the pairs close.
    """
    match = {p[1]: p[0] for p in pairs}
    stack, out = [], []
    for i, ch in enumerate(s):
        if ch in match.values():
            stack.append((ch, i))
        elif ch in match and stack and stack[-1][0] == match[ch]:
            out.append((stack.pop()[1], i))
    return out


def pick_lines(s, start=0, n_lines=9, width=76):
    """A stretch of ``n_lines`` whole lines of ``s`` to draw, at or after ``start``.

    Among the stretches whose lines all fit in ``width`` columns, the one with
    the most brackets and deeply indented (8 or more spaces) lines.

    Returns
    -------
    (int, str)
        The position of the stretch in ``s`` and its text (no final newline).
    """
    starts = [0] + [i + 1 for i, ch in enumerate(s) if ch == "\n"]
    best, best_score = None, -1
    for a, b in zip(starts, starts[n_lines:], strict=False):
        lines = s[a : b - 1].split("\n")
        if a < start or max(map(len, lines)) > width:
            continue
        score = s[a:b].count("(") + sum(ln.startswith(" " * 8) for ln in lines)
        if score > best_score:
            best, best_score = (a, s[a : b - 1]), score
    if best is None:
        raise ValueError(f"s: no stretch of {n_lines} lines within {width} columns after {start}")
    return best
