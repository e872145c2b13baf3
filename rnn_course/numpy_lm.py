"""A small character language model in NumPy, trained with truncated BPTT that carries state.

token ids -> embedding (or one-hot) -> SRN or LSTM -> temporal affine -> softmax
cross-entropy. The text is cut into ordered ``(T, B)`` chunks
(:mod:`rnn_course.batching`); the final state of one chunk is the initial state
of the next, while the gradient stops at the chunk boundary. With one-hot
inputs, batch 1, hidden 100, 25-step chunks and Adagrad 0.1 this is the
classic min-char-rnn setting. See chapter 3, Truncated BPTT, and chapter 6,
Character-level language model.
"""

import numpy as np

from rnn_course import layers, numpy_rnn
from rnn_course._validate import check_rng, positive_int, positive_number
from rnn_course.batching import batchify, tbptt_chunks
from rnn_course.clip import clip_grad_norm, clip_grad_value
from rnn_course.init import init_lstm, init_srn, torch_default
from rnn_course.optim import Adagrad, Adam
from rnn_course.sampling import apply_temperature, softmax

__all__ = ["init_lm", "lm_cell", "loss_and_grads", "train_numpy_lm", "sample"]


def init_lm(vocab_size, hidden_size, rng, cell="srn", embed_size=None, dtype=np.float64):
    """Parameters of the language model, initialised like the torch modules.

    Parameters
    ----------
    vocab_size : int
        V.
    hidden_size : int
        H.
    rng : numpy.random.Generator
    cell : {"srn", "lstm"}
    embed_size : int, optional
        E. ``None`` feeds one-hot vectors (D = V) as min-char-rnn does.
    dtype : numpy dtype

    Returns
    -------
    dict
        ``W_ih`` (G*H, D), ``W_hh`` (G*H, H), ``b_ih``, ``b_hh`` (G*H,),
        ``W_hy`` (V, H), ``b_hy`` (V,), and ``embed`` (V, E) when ``embed_size`` is given.
    """
    if cell not in ("srn", "lstm"):
        raise ValueError(f"cell: expected 'srn' or 'lstm', got {cell!r}")
    D = vocab_size if embed_size is None else embed_size
    params = (init_srn if cell == "srn" else init_lstm)(D, hidden_size, rng, dtype)
    params["W_hy"] = torch_default((vocab_size, hidden_size), hidden_size, rng, dtype)  # (V, H)
    params["b_hy"] = np.zeros(vocab_size, dtype=dtype)  # (V,)
    if embed_size is not None:
        params["embed"] = rng.standard_normal((vocab_size, embed_size)).astype(dtype)  # (V, E)
    return params


def lm_cell(params):
    """``"srn"`` or ``"lstm"``, read from the shapes of ``params``."""
    gates = params["W_ih"].shape[0] // params["W_hh"].shape[1]
    return {1: "srn", 4: "lstm"}[gates]


def _inputs(params, x):
    """Token ids (T, B) -> input vectors (T, B, D) and the embedding cache (or None)."""
    if "embed" in params:
        return layers.embedding_forward(x, params["embed"])
    V = params["W_hy"].shape[0]
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.integer) or x.ndim != 2:
        raise TypeError(f"x: expected an integer numpy array of token ids (T, B), got {x!r:.60}")
    if x.size and (x.min() < 0 or x.max() >= V):
        raise ValueError(f"x: token ids must lie in [0, {V}), got [{x.min()}, {x.max()}]")
    return np.eye(V, dtype=params["W_hy"].dtype)[x], None  # one-hot (T, B, V)


def loss_and_grads(params, x, y, h0, c0=None):
    """Mean cross-entropy of one chunk, the gradients of every parameter, and the final state.

    Parameters
    ----------
    params : dict
        From :func:`init_lm`.
    x, y : ndarray of int, shape (T, B)
        Inputs and targets (y is x one step ahead).
    h0 : ndarray, shape (B, H)
        State carried from the previous chunk (zeros at the start of the text).
    c0 : ndarray, shape (B, H), optional
        Cell state, LSTM only (zeros when omitted).

    Returns
    -------
    loss : float
        Mean negative log-likelihood per token (nats); ``exp(loss)`` is the perplexity.
    grads : dict
        Same keys and shapes as ``params``.
    state : ndarray (B, H), or tuple of two
        Final ``h`` (SRN) or ``(h, c)`` (LSTM): the initial state of the next chunk.

    Notes
    -----
    The gradient flows back through the T steps of this chunk only (truncated
    BPTT); the state carries information forward beyond it.
    See chapter 3, Truncated BPTT.
    """
    cell = lm_cell(params)
    w = [params[k] for k in ("W_ih", "W_hh", "b_ih", "b_hh")]
    emb, ecache = _inputs(params, x)  # (T, B, D)
    if cell == "lstm":
        c0 = np.zeros_like(h0) if c0 is None else c0
        h, c, rcache = numpy_rnn.lstm_forward(emb, h0, c0, *w)  # (T, B, H)
        state = (h[-1].copy(), c[-1].copy())
    else:
        h, rcache = numpy_rnn.srn_forward(emb, h0, *w)  # (T, B, H)
        state = h[-1].copy()
    logits, acache = layers.temporal_affine_forward(h, params["W_hy"], params["b_hy"])
    loss, dlogits = layers.softmax_cross_entropy(logits, y)  # (T, B, V)
    dh, dW_hy, db_hy = layers.temporal_affine_backward(dlogits, acache)
    if cell == "lstm":
        dx, _, _, *dw = numpy_rnn.lstm_backward(dh, rcache)
    else:
        dx, _, *dw = numpy_rnn.srn_backward(dh, rcache)
    grads = dict(zip(("W_ih", "W_hh", "b_ih", "b_hh"), dw, strict=True))
    grads["W_hy"], grads["b_hy"] = dW_hy, db_hy
    if ecache is not None:
        grads["embed"] = layers.embedding_backward(dx, ecache)
    return loss, grads, state


def _zero_state(params, batch_size):
    H = params["W_hh"].shape[1]
    h = np.zeros((batch_size, H), dtype=params["W_hh"].dtype)
    return (h, h.copy()) if lm_cell(params) == "lstm" else h


def train_numpy_lm(
    text_ids,
    vocab_size,
    cell="srn",
    hidden_size=100,
    seq_len=25,
    batch_size=1,
    steps=1000,
    lr=0.1,
    optimizer="adagrad",
    clip=5.0,
    clip_mode="value",
    embed_size=None,
    rng=None,
    params=None,
):
    """Train the language model with truncated BPTT, carrying the state across chunks.

    Parameters
    ----------
    text_ids : ndarray of int, shape (N,)
        The whole training text as token ids.
    vocab_size : int
    cell : {"srn", "lstm"}
    hidden_size : int
    seq_len : int
        T, the number of steps BPTT runs back through.
    batch_size : int
        B parallel streams (:func:`rnn_course.batching.batchify`).
    steps : int
        Number of parameter updates. At the end of the text the state is reset
        to zeros and reading starts again from the beginning.
    lr : float
    optimizer : {"adagrad", "adam"}
    clip : float or None
        Clipping threshold; ``None`` for no clipping.
    clip_mode : {"value", "norm"}
        Clip each element (min-char-rnn) or the global norm.
    embed_size : int, optional
        ``None`` for one-hot inputs.
    rng : numpy.random.Generator, optional
        For the initial weights (default ``np.random.default_rng(0)``).
    params : dict, optional
        Start from these parameters (updated in place) instead of new ones.

    Returns
    -------
    dict
        ``loss`` (ndarray (steps,), mean nats per token of each chunk),
        ``grad_norm`` (ndarray (steps,), global norm before clipping),
        ``params`` (the trained dict), ``state`` (the last carried state).

    Notes
    -----
    See chapter 3, Truncated BPTT, and chapter 6, Character-level language model.
    """
    if optimizer not in ("adagrad", "adam"):
        raise ValueError(f"optimizer: expected 'adagrad' or 'adam', got {optimizer!r}")
    if clip_mode not in ("value", "norm"):
        raise ValueError(f"clip_mode: expected 'value' or 'norm', got {clip_mode!r}")
    if not isinstance(text_ids, np.ndarray) or not np.issubdtype(text_ids.dtype, np.integer):
        raise TypeError("text_ids: expected a 1-D integer numpy array of token ids")
    steps = positive_int(steps, "steps", 0)
    seq_len = positive_int(seq_len, "seq_len")
    batch_size = positive_int(batch_size, "batch_size")
    if clip is not None and not (isinstance(clip, int | float) and np.isfinite(clip) and clip > 0):
        raise ValueError(f"clip: expected a threshold > 0 or None, got {clip!r}")
    rng = np.random.default_rng(0) if rng is None else check_rng(rng)
    if params is None:
        params = init_lm(vocab_size, hidden_size, rng, cell, embed_size)
    opt = (Adagrad if optimizer == "adagrad" else Adam)(params, lr=lr)
    stream = batchify(text_ids, batch_size)  # (N, B)
    losses, norms = [], []
    state = None
    chunks = iter(())
    while len(losses) < steps:
        try:
            x, y = next(chunks)
        except StopIteration:  # start (again) at the beginning of the text
            chunks = tbptt_chunks(stream, seq_len)
            state = _zero_state(params, batch_size)
            continue
        carried = state if isinstance(state, tuple) else (state,)
        loss, grads, state = loss_and_grads(params, x, y, *carried)
        norms.append(_clip(grads, clip, clip_mode))
        opt.step(grads)
        losses.append(loss)
    return {
        "loss": np.array(losses),
        "grad_norm": np.array(norms),
        "params": params,
        "state": state,
    }


def _clip(grads, clip, mode):
    """Clip in place; return the global norm before clipping."""
    if clip is not None and mode == "norm":
        return clip_grad_norm(grads, clip)
    norm = float(np.sqrt(sum(float(np.sum(g * g)) for g in grads.values())))
    if clip is not None:
        clip_grad_value(grads, clip)
    return norm


def sample(params, seed_ids, length, rng=None, temperature=1.0, greedy=False):
    """Generate token ids from the model, one step at a time.

    Parameters
    ----------
    params : dict
        From :func:`init_lm` / :func:`train_numpy_lm`.
    seed_ids : sequence of int
        At least one id; the model reads them first (to build up its state).
    length : int
        Number of ids to generate after the seed.
    rng : numpy.random.Generator, optional
        Needed unless ``greedy``.
    temperature : float
        Divides the scores before the softmax: < 1 sharper, > 1 flatter.
    greedy : bool
        Take the most likely id at every step (deterministic).

    Returns
    -------
    list of int
        The ``length`` generated ids (the seed is not repeated).

    Notes
    -----
    Each generated id is fed back as the next input. See chapter 6, Sampling
    with temperature.
    """
    seed_ids = [int(i) for i in seed_ids]
    if not seed_ids:
        raise ValueError("seed_ids: expected at least one token id, got none")
    length = positive_int(length, "length", 0)
    if not greedy:
        if rng is None:
            raise ValueError("rng: a numpy Generator is needed unless greedy=True")
        check_rng(rng)
    positive_number(temperature, "temperature")
    state = _zero_state(params, 1)
    lstm = lm_cell(params) == "lstm"
    w = [params[k] for k in ("W_ih", "W_hh", "b_ih", "b_hh")]
    out, ids = [], list(seed_ids)
    for step in range(len(seed_ids) - 1 + length):
        x, _ = _inputs(params, np.array([[ids[step]]]))  # (1, 1, D)
        if lstm:
            h, c, _ = numpy_rnn.lstm_step_forward(x[0], *state, *w)
            state = (h, c)
        else:
            h, _ = numpy_rnn.srn_step_forward(x[0], state, *w)
            state = h
        if step < len(seed_ids) - 1:
            continue
        scores = apply_temperature((h @ params["W_hy"].T + params["b_hy"])[0], temperature)  # (V,)
        if greedy:
            nxt = int(np.argmax(scores))
        else:
            nxt = int(rng.choice(len(scores), p=softmax(scores)))
        ids.append(nxt)
        out.append(nxt)
    return out


# ----------------------------------------------------------------------------
# Chapter 3 helpers (appended by the chapters' owner, issue 13): truncated
# BPTT on a whole sequence, and the torch twin of the NumPy language model.

_SRN_KEYS = ("W_ih", "W_hh", "b_ih", "b_hh")


def truncated_bptt_grads(params, x, targets, k):
    """Mean cross-entropy of an SRN + read-out and its gradients, with truncated BPTT.

    Parameters
    ----------
    params : dict
        ``W_ih`` (H, D), ``W_hh`` (H, H), ``b_ih``, ``b_hh`` (H,), and the read-out
        ``W_hy`` (V, H), ``b_hy`` (V,).
    x : ndarray, shape (T, B, D)
    targets : ndarray of int, shape (T, B)
    k : int
        Chunk length; ``k >= T`` is full BPTT.

    Returns
    -------
    loss : float
        Mean over all T * B tokens: the same for every ``k``.
    grads : dict
        Same keys as ``params``.

    Notes
    -----
    The state crosses every cut (it is the next chunk's ``h0``) but the ``dh0``
    that :func:`rnn_course.numpy_rnn.srn_backward` returns is dropped. Each
    chunk's mean is weighted by its share of the tokens, so the chunk means add
    up to the mean over the sequence. See chapter 3, Truncated BPTT.
    """
    T, B, _ = x.shape
    names = [*_SRN_KEYS, "W_hy", "b_hy"]
    total, grads = 0.0, {n: np.zeros_like(params[n]) for n in names}
    h_carry = np.zeros((B, params["W_hh"].shape[0]), dtype=x.dtype)  # (B, H)
    for s in range(0, T, k):
        xs, ys = x[s : s + k], targets[s : s + k]  # (k, B, D), (k, B)
        h, c_rnn = numpy_rnn.srn_forward(xs, h_carry, *(params[n] for n in _SRN_KEYS))
        logits, c_out = layers.temporal_affine_forward(h, params["W_hy"], params["b_hy"])
        loss, dlogits = layers.softmax_cross_entropy(logits, ys)  # mean over the chunk
        share = len(xs) / T
        total += share * loss
        dh, dW_hy, db_hy = layers.temporal_affine_backward(share * dlogits, c_out)
        _, _, *d_rnn = numpy_rnn.srn_backward(dh, c_rnn)  # dh0 dropped: the cut
        for n, d in zip(names, [*d_rnn, dW_hy, db_hy], strict=True):
            grads[n] += d
        h_carry = h[-1]  # the values cross the cut
    return total, grads


def to_torch_lm(params, dtype=None):
    """The torch twin of an SRN language model from :func:`init_lm` (with ``embed_size``).

    Parameters
    ----------
    params : dict
        From :func:`init_lm` with ``cell="srn"`` and an ``embed_size``.
    dtype : torch.dtype, optional
        Default ``torch.float64``; ``torch.float32`` is faster and agrees to
        float32 rounding.

    Returns
    -------
    rnn_course.models.CharLM
        ``cell="srn"``, ``impl="torch"``, holding copies of ``params``:
        the same function, so the same loss and (through autograd) the same gradients.
        See chapter 3, Closing the loop: training with our own gradients.
    """
    import torch

    from .models import CharLM

    if lm_cell(params) != "srn" or "embed" not in params:
        raise ValueError("params: expected an SRN language model with an embedding")
    V, E = params["embed"].shape
    H = params["W_hh"].shape[0]
    dtype = torch.float64 if dtype is None else dtype
    model = CharLM(V, H, cell="srn", impl="torch", embedding_dim=E).to(dtype)
    pairs = {
        "embed.weight": params["embed"],
        "rnn.weight_ih_l0": params["W_ih"],
        "rnn.weight_hh_l0": params["W_hh"],
        "rnn.bias_ih_l0": params["b_ih"],
        "rnn.bias_hh_l0": params["b_hh"],
        "W_hy.weight": params["W_hy"],
        "W_hy.bias": params["b_hy"],
    }
    model.load_state_dict({k: torch.tensor(v, dtype=dtype) for k, v in pairs.items()})
    return model
