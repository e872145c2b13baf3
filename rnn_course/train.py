"""Training loops: truncated BPTT for language models, and a small fit helper for synthetic tasks.

:func:`train_lm` is the loop a learner would run on a text, set up by an
:class:`LMTrainConfig`:

- the training ids are laid out as ``B`` columns and walked ``seq_len`` steps at
  a time (:func:`rnn_course.batching.lm_stream`); the recurrent state is carried
  from one chunk to the next and detached (truncated BPTT), and reset to zeros
  at the start of every pass over the data;
- gradients are clipped by global norm; the pre-clip norm of every step and
  the fraction of steps where clipping fired are recorded;
- the validation loss is reported in nats per character, as perplexity and as
  bits per character;
- checkpoints hold tensors and a JSON header only (never pickled code), carry a
  SHA-256 checksum so a truncated or corrupted file is refused, are written
  atomically (temporary file, then ``os.replace``), and a run resumed from one
  ends exactly where the uninterrupted run would;
- a non-finite loss or gradient stops training with a message saying what to try.

:func:`evaluate_lm` scores a model on held-out ids; :func:`train_sequence_model`
fits a :class:`rnn_course.models.SequenceModel` on batches from a task generator
and returns a learning curve.

See chapter 3 (truncated BPTT), chapter 4 (clipping) and chapter 6 (applications).
"""

import dataclasses
import hashlib
import io
import json
import math
import os
import pickle
import sys
import time

import numpy as np
import torch

from ._validate import is_finite_real, positive_int, read_bounded
from .batching import lm_stream, tbptt_chunks
from .models import detach_state, map_state

__all__ = [
    "OPTIMIZERS",
    "resolve_device",
    "make_optimizer",
    "evaluate_lm",
    "LMTrainConfig",
    "train_lm",
    "save_checkpoint",
    "load_checkpoint",
    "train_sequence_model",
]

OPTIMIZERS = ("adam", "sgd", "adagrad")
CHECKPOINT_FORMAT = "rnn_course.train_lm/2"
CHECKPOINT_MAGIC = b"rnn_course checkpoint\n"
LN2 = math.log(2.0)


def resolve_device(device="auto"):
    """``"auto"`` -> CUDA when available, else CPU; anything else -> ``torch.device(device)``."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def make_optimizer(name, params, lr):
    """Build ``"adam"``, ``"sgd"`` or ``"adagrad"`` over ``params`` with learning rate ``lr``."""
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer: unknown optimizer {name!r}; choose one of {OPTIMIZERS}")
    if not lr > 0:
        raise ValueError(f"lr: expected a learning rate > 0, got {lr!r}")
    cls = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD, "adagrad": torch.optim.Adagrad}[name]
    return cls(params, lr=lr)


def _progress_wanted(progress):
    """True/False as given; None -> on only in a terminal or a notebook."""
    if progress is not None:
        return bool(progress)
    try:
        shell = type(sys.modules["IPython"].get_ipython()).__name__
        if shell == "ZMQInteractiveShell":
            return True
    except (KeyError, AttributeError):
        pass
    return sys.stderr is not None and hasattr(sys.stderr, "isatty") and sys.stderr.isatty()


def _progress_bar(iterable=None, **kwargs):
    """A tqdm bar: a widget in notebooks that have ipywidgets, plain text everywhere else."""
    try:
        import ipywidgets  # noqa: F401  (tqdm's notebook bar needs it; without it, text)
        from tqdm.auto import tqdm
    except ImportError:
        from tqdm.std import tqdm
    return tqdm(iterable, **kwargs)


def _as_ids(ids, name):
    if torch.is_tensor(ids):
        t = ids.detach().to("cpu", torch.int64)
    else:
        a = np.asarray(ids)
        if a.dtype.kind not in "iu":
            raise TypeError(f"{name}: expected integer token ids, got dtype {a.dtype}")
        t = torch.from_numpy(a.astype(np.int64))
    if t.dim() != 1:
        raise ValueError(
            f"{name}: expected a 1-D sequence of token ids, got shape {tuple(t.shape)}"
        )
    return t


@torch.no_grad()
def evaluate_lm(model, ids, batch_size=16, seq_len=128, device=None):
    """Mean cross-entropy of ``model`` on ``ids``, in nats per token.

    Parameters
    ----------
    model : CharLM or any model with ``forward(idx, targets, state, return_state=True)``
    ids : array or tensor, shape (N,)
        Held-out token ids.
    batch_size : int, default 16
        Columns the ids are split into (each starts from a zero state).
    seq_len : int, default 128
        Steps per forward call (the state is carried between calls).
    device : torch.device, optional
        Defaults to the model's device.

    Returns
    -------
    float
        Nats per token. Perplexity is ``exp`` of it; bits per token is it / ln 2.
    """
    ids = _as_ids(ids, "ids")
    positive_int(batch_size, "batch_size", 1)
    positive_int(seq_len, "seq_len", 1)
    device = device or next(model.parameters()).device
    batch_size = max(1, min(batch_size, (len(ids) - 1) // 2))
    seq_len = max(1, min(seq_len, len(ids) // batch_size - 1))
    stream = lm_stream(ids, batch_size, seq_len).to(device)  # (N, B)
    was_training = model.training
    model.eval()
    total, count, state = 0.0, 0, None
    try:
        for x, y in tbptt_chunks(stream, seq_len):  # (T', B) each
            _, loss, state = model(x, y, state=state, return_state=True)
            total += loss.item() * y.numel()
            count += y.numel()
    finally:
        model.train(was_training)
    return total / count


def save_checkpoint(path, tensors, meta):
    """Write a checkpoint: tensors plus a JSON header, atomically, with a checksum.

    Parameters
    ----------
    path : str or path
    tensors : dict
        Tensors and plain data (numbers, strings, lists, tuples, dicts), e.g. a
        ``state_dict``; saved with ``torch.save`` and read back with
        ``torch.load(weights_only=True)``, so no code is ever stored or run.
    meta : dict
        JSON-serialisable information (configuration, step, history).

    Notes
    -----
    Layout: :data:`CHECKPOINT_MAGIC`, the header length (8 bytes, little
    endian), the JSON header (format, ``meta``, the byte count and SHA-256 of
    the tensor part), then the tensor part. The file appears under ``path``
    only once fully written (temporary file, ``fsync``, ``os.replace``); if
    writing fails, a previous checkpoint at ``path`` is left untouched.
    """
    buf = io.BytesIO()
    torch.save(tensors, buf)
    payload = buf.getvalue()
    header = {
        "format": CHECKPOINT_FORMAT,
        "payload_bytes": len(payload),
        "sha256": hashlib.sha256(payload).hexdigest(),
        "meta": meta,
    }
    header_bytes = json.dumps(header, sort_keys=True).encode("utf-8")
    path = os.fspath(path)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with open(tmp, "wb") as f:
            f.write(CHECKPOINT_MAGIC + len(header_bytes).to_bytes(8, "little") + header_bytes)
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


MAX_CHECKPOINT_BYTES = 4 * 2**30  #: default cap of :func:`load_checkpoint` (4 GiB)
MAX_HEADER_BYTES = 16 * 2**20  #: the JSON header of a checkpoint is at most 16 MiB


def load_checkpoint(path, map_location="cpu", max_bytes=MAX_CHECKPOINT_BYTES):
    """Read a checkpoint written by :func:`save_checkpoint`; never runs code from the file.

    Parameters
    ----------
    path : str or path
        A regular file (not a device or a pipe).
    map_location : optional
        As for ``torch.load``.
    max_bytes : int, default 4 GiB
        A longer file raises ``ValueError`` before it fills memory.

    Returns
    -------
    tensors : dict
        As saved (loaded with ``torch.load(weights_only=True)``).
    meta : dict
        The JSON header's ``meta``.

    Raises
    ------
    FileNotFoundError
        No such file.
    ValueError
        Not a checkpoint of this library, truncated, corrupted (the checksum
        differs), holding objects other than tensors and plain data, not a
        regular file, or larger than ``max_bytes``. The message says which;
        nothing is loaded.
    """
    path = os.fspath(path)
    raw = read_bounded(path, max_bytes, "checkpoint")
    where = f"checkpoint: {path!r}"
    n_magic = len(CHECKPOINT_MAGIC)
    if not raw.startswith(CHECKPOINT_MAGIC):
        raise ValueError(
            f"{where} is not a checkpoint written by rnn_course.train (it does not start with "
            f"{CHECKPOINT_MAGIC!r}); refusing to load it"
        )
    n_head = int.from_bytes(raw[n_magic : n_magic + 8], "little")
    if n_head > MAX_HEADER_BYTES:
        raise ValueError(
            f"{where} has a damaged header: it claims {n_head} bytes, more than the "
            f"{MAX_HEADER_BYTES} a checkpoint header may have"
        )
    start = n_magic + 8 + n_head
    try:
        header = json.loads(raw[n_magic + 8 : start].decode("utf-8"))
        n_payload, digest = header["payload_bytes"], header["sha256"]
    except (ValueError, KeyError, TypeError, RecursionError):
        raise ValueError(f"{where} has a damaged header (truncated or corrupted file)") from None
    if header.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(
            f"{where} has format {header.get('format')!r}; this version reads {CHECKPOINT_FORMAT!r}"
        )
    payload = raw[start:]
    if len(payload) != n_payload:
        raise ValueError(
            f"{where} is truncated or damaged: expected {n_payload} bytes of tensors after the "
            f"header, found {len(payload)}"
        )
    if hashlib.sha256(payload).hexdigest() != digest:
        raise ValueError(
            f"{where} is corrupted: the SHA-256 of its tensors does not match the one written "
            "with them; refusing to load different weights"
        )
    try:
        tensors = torch.load(io.BytesIO(payload), map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ValueError(
            f"{where} holds objects other than tensors and plain data; refusing to unpickle "
            f"them (torch.load weights_only=True said: {first})"
        ) from None
    return tensors, header["meta"]


def _signature(model, run_config):
    """What must agree between a checkpoint and the run resuming from it."""
    shapes = {k: list(v.shape) for k, v in model.state_dict().items()}
    return {
        "model": type(model).__name__,
        "model_config": dict(getattr(model, "config", {})),
        "shapes": shapes,
        **run_config,
    }


def _diff(saved, now, prefix=""):
    out = []
    for k in sorted(set(saved) | set(now)):
        a, b = saved.get(k, "<missing>"), now.get(k, "<missing>")
        if isinstance(a, dict) and isinstance(b, dict):
            out += _diff(a, b, prefix + k + ".")
        elif a != b:
            out.append(f"{prefix}{k}: checkpoint {a!r}, now {b!r}")
    return out


def _rng_state():
    s = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        s["cuda"] = torch.cuda.get_rng_state_all()
    return s


def _set_rng_state(s):
    torch.set_rng_state(s["torch"])
    if "cuda" in s and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(s["cuda"])


@dataclasses.dataclass(frozen=True)
class LMTrainConfig:
    """Settings of :func:`train_lm` (saved in its checkpoints).

    Parameters
    ----------
    steps : int, default 1000
        Total optimiser steps (counting steps done before a resume).
    batch_size : int, default 32
        Columns B the training stream is laid out in.
    seq_len : int, default 64
        Steps per chunk T: how far back each gradient reaches.
    lr : float, default 2e-3
    optimizer : {"adam", "sgd", "adagrad"}, default "adam"
    clip : float or None, default 1.0
        Maximum global gradient norm; None records the norm without clipping.
    max_seconds : float, optional
        Stop after this much wall time (a run stopped by time is not reproducible step for step).
    eval_every : int, default 200
        Evaluate on ``val_ids`` every this many steps (0: only at the end).
    eval_batch_size : int, default 16
    seed : int, default 0
        Seeds torch's generator (dropout) at the start of a fresh run.
    device : str, default "auto"
        ``"auto"`` uses CUDA when available.
    checkpoint : str or path, optional
        File to write checkpoints to (atomically).
    checkpoint_every : int, optional
        Also checkpoint every this many steps (always at the end when ``checkpoint`` is set).
    resume : bool, default False
        Continue from ``checkpoint`` if the file exists. The checkpoint must come
        from the same model configuration and training settings, else ValueError.
    progress : bool, optional
        tqdm progress bar; None = only in a terminal or notebook.

    Examples
    --------
    >>> cfg = LMTrainConfig(steps=500, batch_size=16, seq_len=32, lr=1e-2)
    >>> dataclasses.replace(cfg, steps=1000).steps
    1000
    """

    steps: int = 1000
    batch_size: int = 32
    seq_len: int = 64
    lr: float = 2e-3
    optimizer: str = "adam"
    clip: float | None = 1.0
    max_seconds: float | None = None
    eval_every: int = 200
    eval_batch_size: int = 16
    seed: int = 0
    device: str = "auto"
    checkpoint: str | os.PathLike | None = None
    checkpoint_every: int | None = None
    resume: bool = False
    progress: bool | None = None

    #: The fields a resumed run must share with its checkpoint.
    RUN_FIELDS = ("batch_size", "seq_len", "lr", "optimizer", "clip", "seed")

    def __post_init__(self):
        for name, minimum in (
            ("steps", 0),
            ("batch_size", 1),
            ("seq_len", 1),
            ("eval_every", 0),
            ("eval_batch_size", 1),
            ("seed", 0),
        ):
            positive_int(getattr(self, name), name, minimum)
        if self.checkpoint_every is not None:
            positive_int(self.checkpoint_every, "checkpoint_every", 1)
        if not is_finite_real(self.lr) or not self.lr > 0:
            raise ValueError(f"lr: expected a learning rate > 0, got {self.lr!r}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(
                f"optimizer: unknown optimizer {self.optimizer!r}; choose one of {OPTIMIZERS}"
            )
        if self.clip is not None and not (is_finite_real(self.clip) and self.clip > 0):
            raise ValueError(f"clip: expected a maximum norm > 0 or None, got {self.clip!r}")
        if self.max_seconds is not None and not (
            is_finite_real(self.max_seconds) and self.max_seconds >= 0
        ):
            raise ValueError(
                f"max_seconds: expected a time budget >= 0 or None, got {self.max_seconds!r}"
            )

    def run_settings(self):
        """The settings a checkpoint must share with the run resuming from it (a dict)."""
        return {k: getattr(self, k) for k in self.RUN_FIELDS}

    def to_dict(self):
        """All fields as a JSON-serialisable dict (the checkpoint path as a str)."""
        d = dataclasses.asdict(self)
        if d["checkpoint"] is not None:
            d["checkpoint"] = os.fspath(d["checkpoint"])
        d["device"] = str(d["device"])
        return d


def train_lm(model, train_ids, val_ids=None, config=None):
    """Train a language model with truncated BPTT.

    Parameters
    ----------
    model : CharLM
        Or any model with ``forward(idx, targets, state=None, return_state=True)``.
    train_ids, val_ids : array or tensor, shape (N,)
        Token ids (e.g. ``vocab.encode(split.train)``). ``val_ids`` optional.
    config : LMTrainConfig, optional
        Steps, batch, chunk length, optimiser, clipping, evaluation,
        checkpoints; ``LMTrainConfig()`` when omitted.

    Returns
    -------
    dict
        ``steps``, ``seconds``, ``stopped`` ("steps" or "max_seconds"),
        ``train_loss`` (per step, nats/char), ``grad_norm`` (pre-clip, per step),
        ``clip_fraction``, ``val`` (list of ``(step, nats/char)``), and the last
        ``val_loss``, ``val_ppl``, ``val_bpc`` (None without ``val_ids``).

    Raises
    ------
    FloatingPointError
        The loss or the gradient norm became NaN or infinite.

    Notes
    -----
    Step ``s`` trains on chunk ``s mod K`` of pass ``s // K`` over the data (K
    chunks per pass), so a checkpoint only needs the step count, the carried
    state, the model, the optimiser and the random-number state to resume exactly.
    See chapter 3, Truncated backpropagation through time.
    """
    cfg = LMTrainConfig() if config is None else config
    if not isinstance(cfg, LMTrainConfig):
        raise TypeError(
            f"config: expected an rnn_course.train.LMTrainConfig, got {type(cfg).__name__}"
        )
    device = resolve_device(cfg.device)
    train = _as_ids(train_ids, "train_ids")
    stream = lm_stream(train, cfg.batch_size, cfg.seq_len).to(device)  # (N, B)
    chunks = list(tbptt_chunks(stream, cfg.seq_len))  # K chunks of (T', B)
    val = None if val_ids is None else _as_ids(val_ids, "val_ids")
    model.to(device)
    opt = make_optimizer(cfg.optimizer, model.parameters(), cfg.lr)
    signature = _signature(model, {**cfg.run_settings(), "train_tokens": len(train)})
    checkpoint = cfg.checkpoint

    step, state = 0, None
    hist = {"train_loss": [], "grad_norm": [], "val": [], "clipped": 0}
    if cfg.resume and checkpoint is not None and os.path.exists(checkpoint):
        saved, meta = load_checkpoint(checkpoint)
        diffs = _diff(meta["signature"], signature)
        if diffs:
            raise ValueError(
                f"checkpoint: {os.fspath(checkpoint)!r} comes from another configuration ("
                + "; ".join(diffs[:6])
                + "). Resume with the same settings, or use a new checkpoint path / resume=False."
            )
        model.load_state_dict(saved["model"])
        opt.load_state_dict(saved["optimizer"])
        step, state = meta["step"], map_state(lambda s: s.to(device), saved["state"])
        hist = dict(meta["history"], val=[tuple(v) for v in meta["history"]["val"]])
        _set_rng_state(saved["rng"])
    else:
        torch.manual_seed(cfg.seed)

    def write_checkpoint():
        tensors = {
            "model": model.state_dict(),
            "optimizer": opt.state_dict(),
            "state": map_state(torch.Tensor.cpu, state),
            "rng": _rng_state(),
        }
        meta = {"signature": signature, "config": cfg.to_dict(), "step": step, "history": hist}
        save_checkpoint(checkpoint, tensors, meta)

    def evaluate():
        loss = evaluate_lm(model, val, cfg.eval_batch_size, cfg.seq_len, device)
        hist["val"].append((step, loss))
        return loss

    model.train()
    t0 = time.perf_counter()
    stopped = "steps"
    bar = _progress_bar(
        total=cfg.steps,
        initial=step,
        disable=not _progress_wanted(cfg.progress),
        desc="train",
        unit="step",
    )
    try:
        while step < cfg.steps:
            if cfg.max_seconds is not None and time.perf_counter() - t0 >= cfg.max_seconds:
                stopped = "max_seconds"
                break
            k = step % len(chunks)
            if k == 0:
                state = None  # a new pass over the data starts from a zero state
            x, y = chunks[k]  # (T', B), (T', B)
            _, loss, state = model(x, y, state=state, return_state=True)
            state = detach_state(state)  # carry the values, cut the graph
            opt.zero_grad(set_to_none=True)
            loss.backward()
            max_norm = cfg.clip if cfg.clip is not None else float("inf")
            norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm).item()
            loss_value = loss.item()
            if not (math.isfinite(loss_value) and math.isfinite(norm)):
                raise FloatingPointError(
                    f"training diverged at step {step}: loss {loss_value}, gradient norm {norm}. "
                    f"Lower the learning rate (lr={cfg.lr}), clip gradients (clip={cfg.clip}), "
                    "or check the inputs for NaN/inf."
                )
            opt.step()
            step += 1
            hist["train_loss"].append(loss_value)
            hist["grad_norm"].append(norm)
            hist["clipped"] += int(cfg.clip is not None and norm > cfg.clip)
            bar.update(1)
            if val is not None and cfg.eval_every and step % cfg.eval_every == 0:
                bar.set_postfix(val=f"{evaluate():.3f}", loss=f"{loss_value:.3f}")
            if checkpoint is not None and cfg.checkpoint_every and step % cfg.checkpoint_every == 0:
                write_checkpoint()
    finally:
        bar.close()
    if val is not None and (not hist["val"] or hist["val"][-1][0] != step):
        evaluate()
    if checkpoint is not None:
        write_checkpoint()
    val_loss = hist["val"][-1][1] if hist["val"] else None
    n = len(hist["grad_norm"])
    return {
        "steps": step,
        "seconds": time.perf_counter() - t0,
        "stopped": stopped,
        "train_loss": list(hist["train_loss"]),
        "grad_norm": list(hist["grad_norm"]),
        "clip_fraction": hist["clipped"] / n if n else 0.0,
        "val": list(hist["val"]),
        "val_loss": val_loss,
        "val_ppl": math.exp(val_loss) if val_loss is not None else None,
        "val_bpc": val_loss / LN2 if val_loss is not None else None,
    }


def train_sequence_model(
    model,
    make_batch,
    *,
    steps=500,
    lr=1e-3,
    optimizer="adam",
    clip=None,
    eval_every=50,
    seed=0,
    device="auto",
    max_seconds=None,
    progress=None,
):
    """Fit a many-to-one (or many-to-many) model on freshly drawn batches; return a learning curve.

    Parameters
    ----------
    model : SequenceModel
        Or any module with ``forward(x, targets) -> (out, loss)``.
    make_batch : callable
        ``make_batch(rng) -> (x, y)`` NumPy arrays, e.g.
        ``lambda rng: adding_problem(50, 50, rng)``.
    steps : int, default 500
    lr : float, default 1e-3
    optimizer : {"adam", "sgd", "adagrad"}, default "adam"
    clip : float, optional
        Maximum global gradient norm.
    eval_every : int, default 50
        Loss on one fixed validation batch (drawn with seed ``seed + 1``) every this many steps.
    seed : int, default 0
        Training batches come from ``np.random.default_rng(seed)``; torch is seeded too.
    device : default "auto"
    max_seconds : float, optional
        Wall-time budget.
    progress : bool, optional

    Returns
    -------
    dict
        ``steps`` and ``val_loss`` (the learning curve), ``train_loss`` (per step), ``seconds``.

    Examples
    --------
    >>> from rnn_course import models, train
    >>> from rnn_course.data.tasks import adding_problem
    >>> m = models.SequenceModel(2, 32, 1, cell="lstm")
    >>> curve = train.train_sequence_model(m, lambda r: adding_problem(32, 20, r), steps=10)
    """
    positive_int(steps, "steps", 0)
    positive_int(eval_every, "eval_every", 1)
    positive_int(seed, "seed", 0)
    if clip is not None and not (is_finite_real(clip) and clip > 0):
        raise ValueError(f"clip: expected a maximum norm > 0 or None, got {clip!r}")
    if max_seconds is not None and not (is_finite_real(max_seconds) and max_seconds >= 0):
        raise ValueError(f"max_seconds: expected a time budget >= 0 or None, got {max_seconds!r}")
    device = resolve_device(device)
    model.to(device)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    to_t = lambda a: torch.as_tensor(a, device=device)
    xv, yv = (to_t(a) for a in make_batch(np.random.default_rng(seed + 1)))
    opt = make_optimizer(optimizer, model.parameters(), lr)

    def val_loss():
        model.eval()
        with torch.no_grad():
            loss = model(xv, yv)[1].item()
        model.train()
        return loss

    curve = {"steps": [0], "val_loss": [val_loss()], "train_loss": []}
    t0 = time.perf_counter()
    show = _progress_wanted(progress)
    for step in _progress_bar(range(1, steps + 1), disable=not show, desc="fit"):
        x, y = (to_t(a) for a in make_batch(rng))
        _, loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        if not math.isfinite(loss.item()):
            raise FloatingPointError(f"loss became {loss.item()} at step {step}: lower lr ({lr})")
        opt.step()
        curve["train_loss"].append(loss.item())
        out_of_time = max_seconds is not None and time.perf_counter() - t0 >= max_seconds
        if step % eval_every == 0 or step == steps or out_of_time:
            curve["steps"].append(step)
            curve["val_loss"].append(val_loss())
        if out_of_time:
            break
    curve["seconds"] = time.perf_counter() - t0
    return curve
