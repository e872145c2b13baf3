"""Data for every chapter: synthetic sequence tasks and text corpora that ship with Python.

Nothing here is downloaded. All randomness goes through a ``numpy.random.Generator``
passed as ``rng`` (``rng = np.random.default_rng(0)``), never a global seed.

Synthetic tasks (arrays are time-major, ``(T, n, ...)`` with n sequences):

- :func:`adding_problem` -- long-lag regression (Hochreiter & Schmidhuber 1997)
- :func:`copy_task`, :func:`delayed_recall` -- remember symbols across a lag
- :func:`temporal_xor` -- Elman's (1990) bit stream where every third bit is an XOR
- :func:`embedded_reber`, :func:`is_embedded_reber`, :func:`reber_next_symbols`
- :func:`parity`, :func:`palindrome` -- many-to-one classification
- :func:`noisy_sine`, :func:`sum_of_sines`, :func:`next_step_pairs` -- time series

Text: :func:`load_corpus` (``"pydoc"`` prose, ``"stdlib"`` source code),
:func:`load_text_file`, :class:`CharVocab`, :func:`split_corpus`,
:func:`lm_stream`, and the batching helpers re-exported from
:mod:`rnn_course.batching` (:func:`batchify`, :func:`tbptt_chunks`, :func:`num_chunks`).
"""

import json
import os
import sysconfig
from collections import namedtuple

import numpy as np

from .batching import _positive_int as _int_arg
from .batching import batchify, num_chunks, tbptt_chunks

__all__ = [
    "adding_problem",
    "copy_task",
    "delayed_recall",
    "temporal_xor",
    "embedded_reber",
    "is_embedded_reber",
    "reber_next_symbols",
    "REBER_SYMBOLS",
    "parity",
    "palindrome",
    "noisy_sine",
    "sum_of_sines",
    "next_step_pairs",
    "CORPORA",
    "STDLIB_MODULES",
    "load_corpus",
    "load_text_file",
    "CharVocab",
    "Split",
    "split_corpus",
    "lm_stream",
    "batchify",
    "tbptt_chunks",
    "num_chunks",
]


# ----------------------------------------------------------------------------- checks


def _check_rng(rng):
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            "rng: expected a numpy.random.Generator (e.g. np.random.default_rng(0)), "
            f"got {type(rng).__name__}"
        )
    return rng


# ----------------------------------------------------------------------------- synthetic tasks


def adding_problem(n, T, rng):
    """The adding problem: add the two marked numbers of a long sequence.

    Parameters
    ----------
    n : int
        Number of sequences.
    T : int
        Sequence length (>= 2).
    rng : numpy.random.Generator

    Returns
    -------
    x : ndarray, shape (T, n, 2), float32
        Channel 0: values drawn uniformly from [0, 1]; channel 1: the marker,
        1 at exactly two steps (one in the first half, one in the second), else 0.
    y : ndarray, shape (n,), float32
        Sum of the two marked values.

    Notes
    -----
    The target is the sum of two independent U(0, 1) values, so its mean is 1
    and its variance 2/12: always predicting 1 gives a mean squared error of
    1/6 ~ 0.167, the level a network that learns nothing stays at.
    Hochreiter & Schmidhuber (1997). See chapter 5, LSTM and GRU.
    """
    n = _int_arg(n, "n")
    T = _int_arg(T, "T", 2)
    rng = _check_rng(rng)
    values = rng.random((T, n))  # (T, n)
    half = T // 2
    first = rng.integers(0, half, size=n)  # (n,)
    second = rng.integers(half, T, size=n)  # (n,)
    marks = np.zeros((T, n))
    cols = np.arange(n)
    marks[first, cols] = 1.0
    marks[second, cols] = 1.0
    x = np.stack([values, marks], axis=-1).astype(np.float32)  # (T, n, 2)
    y = (values[first, cols] + values[second, cols]).astype(np.float32)  # (n,)
    return x, y


def copy_task(n, seq_len, lag, rng, n_symbols=8):
    """The copy task: read symbols, wait ``lag`` blank steps, then write them back.

    Parameters
    ----------
    n : int
        Number of sequences.
    seq_len : int
        Number of symbols to remember, L.
    lag : int
        Blank steps between the end of the symbols and the recall cue (>= 0).
    rng : numpy.random.Generator
    n_symbols : int, default 8
        Alphabet size K; symbols are ids ``1..K``.

    Returns
    -------
    x : ndarray, shape (2L + lag + 1, n, K + 2), float32
        One-hot inputs. Id 0 is blank, ids 1..K the symbols, id K + 1 the cue
        ("now repeat"). Layout in time: L symbols, ``lag`` blanks, the cue, L blanks.
    y : ndarray, shape (2L + lag + 1, n), int64
        Target id at each step: blank (0) everywhere except the last L steps,
        which hold the L symbols in their original order.

    Notes
    -----
    Predicting blank everywhere is right on all but L steps; the interesting
    error is on the last L steps, ``y[-L:]``. See chapter 5, LSTM and GRU.
    """
    n = _int_arg(n, "n")
    L = _int_arg(seq_len, "seq_len")
    lag = _int_arg(lag, "lag", 0)
    K = _int_arg(n_symbols, "n_symbols")
    rng = _check_rng(rng)
    T = 2 * L + lag + 1
    symbols = rng.integers(1, K + 1, size=(L, n))  # (L, n)
    ids = np.zeros((T, n), dtype=np.int64)  # (T, n)
    ids[:L] = symbols
    ids[L + lag] = K + 1
    y = np.zeros((T, n), dtype=np.int64)  # (T, n)
    y[T - L :] = symbols
    x = np.eye(K + 2, dtype=np.float32)[ids]  # (T, n, K + 2)
    return x, y


def delayed_recall(n, T, lag, rng):
    """Recall with a lag: output at step t the bit that came in at step t - lag.

    Parameters
    ----------
    n : int
        Number of sequences.
    T : int
        Sequence length (> lag).
    lag : int
        Delay in steps (>= 0).
    rng : numpy.random.Generator

    Returns
    -------
    x : ndarray, shape (T, n, 1), float32
        Random bits.
    y : ndarray, shape (T, n), int64
        ``y[t] = x[t - lag]`` for ``t >= lag``; -1 for the first ``lag`` steps
        (nothing to recall yet: pass ``ignore_index=-1`` to the loss).

    Notes
    -----
    The network must hold ``lag`` bits in its state at once. See chapter 5.
    """
    n = _int_arg(n, "n")
    lag = _int_arg(lag, "lag", 0)
    T = _int_arg(T, "T", lag + 1)
    rng = _check_rng(rng)
    bits = rng.integers(0, 2, size=(T, n))  # (T, n)
    y = np.full((T, n), -1, dtype=np.int64)  # (T, n)
    y[lag:] = bits[: T - lag]
    return bits[..., None].astype(np.float32), y


def temporal_xor(n_triplets, rng):
    """Elman's temporal XOR stream: two random bits, then their XOR, repeated.

    Parameters
    ----------
    n_triplets : int
        Number of (a, b, a XOR b) triplets.
    rng : numpy.random.Generator

    Returns
    -------
    bits : ndarray, shape (3 * n_triplets,), int64
        The stream. Only the positions ``i % 3 == 2`` are predictable from the
        past (they are the XOR of the two bits before them); the others are coin flips.

    Notes
    -----
    Trained to predict the next bit, a simple recurrent network's error drops
    only at every third step. Elman (1990). See chapter 2, The simple recurrent network.
    """
    n = _int_arg(n_triplets, "n_triplets")
    rng = _check_rng(rng)
    ab = rng.integers(0, 2, size=(n, 2))  # (n, 2)
    triplets = np.concatenate([ab, ab[:, :1] ^ ab[:, 1:]], axis=1)  # (n, 3)
    return triplets.reshape(-1).astype(np.int64)


# Reber grammar: state -> list of (symbol, next state); state 6 emits E and ends.
REBER_SYMBOLS = "BTSXPVE"
_REBER = {
    1: [("T", 2), ("P", 3)],
    2: [("S", 2), ("X", 4)],
    3: [("T", 3), ("V", 5)],
    4: [("X", 3), ("S", 6)],
    5: [("P", 4), ("V", 6)],
}


def _reber_string(rng):
    out, state = ["B"], 1
    while state != 6:
        sym, state = _REBER[state][rng.integers(2)]
        out.append(sym)
    out.append("E")
    return "".join(out)


def embedded_reber(n, rng):
    """Strings of the embedded Reber grammar.

    Parameters
    ----------
    n : int
        Number of strings.
    rng : numpy.random.Generator

    Returns
    -------
    list of str
        Each string is ``B``, then ``T`` or ``P``, then a Reber string, then the
        same ``T`` or ``P`` again, then ``E``. Every choice is a fair coin flip.
        Symbols come from :data:`REBER_SYMBOLS` (``"BTSXPVE"``).

    Notes
    -----
    Predicting the second-to-last symbol needs the second symbol, remembered
    across the whole inner string: a long-lag test. Hochreiter & Schmidhuber (1997).
    See chapter 5, LSTM and GRU.
    """
    n = _int_arg(n, "n")
    rng = _check_rng(rng)
    out = []
    for _ in range(n):
        branch = "TP"[rng.integers(2)]
        out.append("B" + branch + _reber_string(rng) + branch + "E")
    return out


def _reber_inner_next(prefix):
    """Allowed next symbols after ``prefix`` of a plain Reber string, or None if invalid."""
    if prefix == "":
        return {"B"}
    if prefix[0] != "B":
        return None
    state = 1
    for i, ch in enumerate(prefix[1:], start=1):
        if state == 6:
            return None if ch != "E" or i != len(prefix) - 1 else set()
        moves = dict(_REBER[state])
        if ch not in moves:
            return None
        state = moves[ch]
    return {"E"} if state == 6 else {s for s, _ in _REBER[state]}


def reber_next_symbols(prefix):
    """Symbols the embedded Reber grammar allows after ``prefix``.

    Parameters
    ----------
    prefix : str
        A prefix of an embedded Reber string.

    Returns
    -------
    set of str or None
        The allowed next symbols (empty set after the final ``E``), or None when
        ``prefix`` is not a prefix of any grammatical string. Use it to score a
        network's next-symbol predictions.
    """
    if not isinstance(prefix, str):
        raise TypeError(f"prefix: expected a str, got {type(prefix).__name__}")
    if prefix == "":
        return {"B"}
    if prefix[0] != "B":
        return None
    if len(prefix) == 1:
        return {"T", "P"}
    branch = prefix[1]
    if branch not in "TP":
        return None
    rest = prefix[2:]
    # rest = inner Reber string (possibly partial) [+ branch [+ "E"]]
    end = rest.find("E")
    if end == -1:
        return _reber_inner_next(rest)
    inner, tail = rest[: end + 1], rest[end + 1 :]
    if _reber_inner_next(inner) != set():
        return None
    if tail == "":
        return {branch}
    if tail == branch:
        return {"E"}
    if tail == branch + "E":
        return set()
    return None


def is_embedded_reber(s):
    """True when ``s`` is a complete string of the embedded Reber grammar."""
    return reber_next_symbols(s) == set()


def parity(n, T, rng):
    """Parity of a bit string: is the number of ones odd?

    Parameters
    ----------
    n : int
        Number of sequences.
    T : int
        Sequence length.
    rng : numpy.random.Generator

    Returns
    -------
    x : ndarray, shape (T, n, 1), float32
        Random bits.
    y : ndarray, shape (n,), int64
        1 when the sequence holds an odd number of ones, else 0.

    Notes
    -----
    One flipped bit anywhere flips the answer, so no fixed window suffices;
    a two-state recurrence solves it exactly. See chapter 1, Motivation.
    """
    n = _int_arg(n, "n")
    T = _int_arg(T, "T")
    rng = _check_rng(rng)
    bits = rng.integers(0, 2, size=(T, n))  # (T, n)
    return bits[..., None].astype(np.float32), (bits.sum(0) % 2).astype(np.int64)


def palindrome(n, T, rng, n_symbols=2):
    """Is the sequence a palindrome? Balanced classes.

    Parameters
    ----------
    n : int
        Number of sequences.
    T : int
        Sequence length (>= 2).
    rng : numpy.random.Generator
    n_symbols : int, default 2
        Alphabet size K.

    Returns
    -------
    x : ndarray, shape (T, n, K), float32
        One-hot symbols.
    y : ndarray, shape (n,), int64
        1 for a palindrome (about half of them), 0 otherwise.

    Notes
    -----
    The first half must be held in memory and compared in reverse order with
    the second. See chapter 6, Applications (bidirectional networks).
    """
    n = _int_arg(n, "n")
    T = _int_arg(T, "T", 2)
    K = _int_arg(n_symbols, "n_symbols", 2)
    rng = _check_rng(rng)
    ids = rng.integers(0, K, size=(T, n))  # (T, n)
    y = rng.integers(0, 2, size=n).astype(np.int64)  # (n,)
    half = T // 2
    pal = y == 1
    ids[T - half :, pal] = ids[:half, pal][::-1]
    # make the negatives certainly not palindromes: change one mirrored position
    bad = (~pal) & np.all(ids[:half] == ids[::-1][:half], axis=0)
    if bad.any():
        cols = np.flatnonzero(bad)
        pos = rng.integers(0, half, size=cols.size)
        ids[pos, cols] = (ids[T - 1 - pos, cols] + rng.integers(1, K, size=cols.size)) % K
    return np.eye(K, dtype=np.float32)[ids], y


def noisy_sine(n, T, rng, noise=0.1, period=(10.0, 40.0)):
    """Sine waves with random period and phase plus Gaussian noise.

    Parameters
    ----------
    n : int
        Number of series.
    T : int
        Length of each series.
    rng : numpy.random.Generator
    noise : float, default 0.1
        Standard deviation of the added noise (>= 0).
    period : (float, float), default (10, 40)
        Range (in steps) the period is drawn from uniformly.

    Returns
    -------
    series : ndarray, shape (T, n), float32
        ``sin(2 pi t / P + phi) + noise * eps``.
    """
    return sum_of_sines(n, T, rng, n_components=1, noise=noise, period=period)


def sum_of_sines(n, T, rng, n_components=3, noise=0.0, period=(5.0, 50.0)):
    """Sums of sines with random periods, phases and amplitudes, plus optional noise.

    Parameters
    ----------
    n : int
        Number of series.
    T : int
        Length of each series.
    rng : numpy.random.Generator
    n_components : int, default 3
        Number of sines per series.
    noise : float, default 0.0
        Standard deviation of added Gaussian noise.
    period : (float, float), default (5, 50)
        Range of the periods (in steps).

    Returns
    -------
    series : ndarray, shape (T, n), float32
        ``sum_k a_k sin(2 pi t / P_k + phi_k) + noise * eps``; amplitudes
        ``a_k`` in [0.5, 1] (all 1 when ``n_components == 1``).
    """
    n = _int_arg(n, "n")
    T = _int_arg(T, "T")
    C = _int_arg(n_components, "n_components")
    rng = _check_rng(rng)
    if not noise >= 0:
        raise ValueError(f"noise: expected a standard deviation >= 0, got {noise!r}")
    lo, hi = period
    if not 0 < lo <= hi:
        raise ValueError(f"period: expected (low, high) with 0 < low <= high, got {period!r}")
    P = rng.uniform(lo, hi, size=(C, n))  # (C, n)
    phase = rng.uniform(0, 2 * np.pi, size=(C, n))  # (C, n)
    amp = np.ones((C, n)) if C == 1 else rng.uniform(0.5, 1.0, size=(C, n))  # (C, n)
    t = np.arange(T)[:, None, None]  # (T, 1, 1)
    series = (amp * np.sin(2 * np.pi * t / P + phase)).sum(1)  # (T, n)
    if noise > 0:
        series = series + noise * rng.standard_normal((T, n))
    return series.astype(np.float32)


def next_step_pairs(series):
    """Inputs and targets for one-step-ahead prediction of a series.

    Parameters
    ----------
    series : ndarray, shape (T, n)

    Returns
    -------
    x : ndarray, shape (T - 1, n, 1)
        ``series[:-1]`` with a feature axis.
    y : ndarray, shape (T - 1, n)
        ``series[1:]``: the next value, shaped like the output of a many-to-many
        regression model with one output (:class:`rnn_course.models.SequenceModel`).
    """
    series = np.asarray(series)
    if series.ndim != 2 or series.shape[0] < 2:
        raise ValueError(f"series: expected shape (T, n) with T >= 2, got {series.shape}")
    return series[:-1, :, None], series[1:]


# ----------------------------------------------------------------------------- corpora

CORPORA = ("pydoc", "stdlib")

#: Standard-library modules (pure Python, present in every CPython 3.11+) that
#: make up the "stdlib" corpus, in this order.
STDLIB_MODULES = (
    "abc.py",
    "bisect.py",
    "calendar.py",
    "colorsys.py",
    "contextlib.py",
    "copy.py",
    "csv.py",
    "dataclasses.py",
    "difflib.py",
    "fractions.py",
    "functools.py",
    "heapq.py",
    "keyword.py",
    "numbers.py",
    "operator.py",
    "pprint.py",
    "queue.py",
    "random.py",
    "sched.py",
    "shlex.py",
    "statistics.py",
    "string.py",
    "textwrap.py",
    "timeit.py",
    "tokenize.py",
    "types.py",
    "weakref.py",
)


def load_corpus(name, max_chars=None):
    """Load a text corpus that ships with Python itself.

    Parameters
    ----------
    name : {"pydoc", "stdlib"}
        ``"pydoc"``: the English help texts of ``pydoc_data.topics`` (the pages
        ``help("if")`` shows), joined in sorted key order, about 465 thousand
        characters. ``"stdlib"``: the source code of the modules in
        :data:`STDLIB_MODULES`, concatenated in that order, capped at 500 000 characters.
    max_chars : int, optional
        Keep only the first ``max_chars`` characters.

    Returns
    -------
    str

    Notes
    -----
    The exact text depends on the Python version (3.11 here); within one
    version it is the same on every machine.
    """
    if name == "pydoc":
        from pydoc_data.topics import topics

        text = "".join(topics[k] for k in sorted(topics))
    elif name == "stdlib":
        root = sysconfig.get_paths()["stdlib"]
        parts = []
        for fname in STDLIB_MODULES:
            path = os.path.join(root, fname)
            if os.path.exists(path):
                parts.append(load_text_file(path))
        text = "".join(parts)[:500_000]
    else:
        raise ValueError(f"name: unknown corpus {name!r}; choose one of {CORPORA}")
    if max_chars is not None:
        text = text[: _int_arg(max_chars, "max_chars")]
    return text


def load_text_file(path):
    """Read a UTF-8 text file, with clear errors.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    str
        The whole file (a UTF-8 byte-order mark, if present, is dropped).

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    ValueError
        The file is not valid UTF-8 (the message gives the byte position), or it is empty.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"path: no such file {path!r}; check the path (cwd is {os.getcwd()!r})"
        )
    if os.path.isdir(path):
        raise IsADirectoryError(f"path: {path!r} is a directory; give a text file")
    with open(path, "rb") as f:
        raw = f.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ValueError(
            f"path: {path!r} is not UTF-8 text: byte {e.start} (0x{raw[e.start]:02x}) cannot be "
            "decoded; convert the file to UTF-8 (e.g. `iconv -f latin1 -t utf-8`)"
        ) from None
    if not text:
        raise ValueError(f"path: {path!r} is empty; a corpus needs at least a few characters")
    return text


class CharVocab:
    """Character vocabulary: characters <-> integer ids, with a reserved unknown symbol.

    Id 0 is the unknown symbol :attr:`UNK` (``"\\ufffd"``, the replacement
    character); the characters seen at build time follow in sorted order.

    Parameters
    ----------
    chars : iterable of str
        Single characters (duplicates and ``UNK`` are ignored).

    Examples
    --------
    >>> v = CharVocab.from_text("hello")
    >>> v.decode(v.encode("hole"))
    'hole'
    >>> v.decode(v.encode("help!"))
    'hel\\ufffd\\ufffd'
    """

    UNK = "\ufffd"

    def __init__(self, chars):
        chars = list(chars)
        for c in chars:
            if not isinstance(c, str) or len(c) != 1:
                raise ValueError(f"chars: expected single characters, got {c!r}")
        self.itos = [self.UNK] + sorted(set(chars) - {self.UNK})
        self.stoi = {c: i for i, c in enumerate(self.itos)}

    unk_id = 0

    @classmethod
    def from_text(cls, text):
        """Build the vocabulary of all characters in ``text``."""
        if not isinstance(text, str):
            raise TypeError(f"text: expected a str, got {type(text).__name__}")
        if not text:
            raise ValueError("text: empty; cannot build a vocabulary from no characters")
        return cls(set(text))

    def __len__(self):
        return len(self.itos)

    def __contains__(self, ch):
        return ch in self.stoi

    def __eq__(self, other):
        return isinstance(other, CharVocab) and self.itos == other.itos

    def __repr__(self):
        return f"CharVocab(size={len(self)})"

    def encode(self, text, errors="unk"):
        """Map a string to ids.

        Parameters
        ----------
        text : str
        errors : {"unk", "strict"}
            ``"unk"`` maps unseen characters to :attr:`unk_id`; ``"strict"`` raises.

        Returns
        -------
        ndarray, shape (len(text),), int64
        """
        if not isinstance(text, str):
            raise TypeError(f"text: expected a str, got {type(text).__name__}")
        if errors not in ("unk", "strict"):
            raise ValueError(f"errors: expected 'unk' or 'strict', got {errors!r}")
        if errors == "strict":
            missing = sorted(set(text) - set(self.stoi))
            if missing:
                raise ValueError(
                    f"text: characters not in the vocabulary: {missing[:10]!r}; "
                    "use errors='unk' or rebuild the vocabulary"
                )
        get = self.stoi.get
        return np.fromiter((get(c, 0) for c in text), dtype=np.int64, count=len(text))

    def decode(self, ids):
        """Map ids (any integer sequence, array or 1-D tensor) back to a string."""
        ids = np.asarray(ids.tolist() if hasattr(ids, "tolist") else ids)
        if ids.ndim != 1:
            raise ValueError(f"ids: expected a 1-D sequence, got shape {ids.shape}")
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(
                f"ids: expected ids in [0, {len(self)}), got range [{ids.min()}, {ids.max()}]"
            )
        return "".join(self.itos[i] for i in ids.tolist())

    def to_dict(self):
        """A JSON-serialisable description (``{"itos": [...]}``)."""
        return {"itos": list(self.itos)}

    @classmethod
    def from_dict(cls, d):
        """Inverse of :meth:`to_dict`."""
        itos = d["itos"]
        if not itos or itos[0] != cls.UNK:
            raise ValueError("d: not a CharVocab dict (itos[0] must be the unknown symbol)")
        return cls(itos[1:])

    def save(self, path):
        """Write the vocabulary as JSON."""
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.to_dict(), f, ensure_ascii=False)

    @classmethod
    def load(cls, path):
        """Read a vocabulary written by :meth:`save`."""
        with open(path, encoding="utf-8") as f:
            return cls.from_dict(json.load(f))


Split = namedtuple("Split", ["train", "val", "test"])


def split_corpus(data, fractions=(0.9, 0.05, 0.05)):
    """Cut a text or id sequence into contiguous train / validation / test parts.

    Parameters
    ----------
    data : str, ndarray or tensor, shape (N,)
    fractions : (float, float, float), default (0.9, 0.05, 0.05)
        Positive parts summing to 1.

    Returns
    -------
    Split
        ``(train, val, test)``: ``data[:a]``, ``data[a:b]``, ``data[b:]``. The
        three are disjoint, in order, and together are exactly ``data``; nothing
        of the held-out tail is seen in training.
    """
    if len(fractions) != 3 or any(not f > 0 for f in fractions):
        raise ValueError(f"fractions: expected three positive numbers, got {fractions!r}")
    if abs(sum(fractions) - 1) > 1e-9:
        raise ValueError(f"fractions: must sum to 1, got {fractions!r} (sum {sum(fractions)})")
    N = len(data)
    a = int(round(N * fractions[0]))
    b = a + int(round(N * fractions[1]))
    if not 0 < a < b < N:
        raise ValueError(f"data: too short ({N} items) to split into three non-empty parts")
    return Split(data[:a], data[a:b], data[b:])


def lm_stream(ids, batch_size, seq_len):
    """Batchify ids for truncated BPTT, checking that one chunk fits.

    Parameters
    ----------
    ids : ndarray or tensor, shape (N,)
    batch_size : int
        Columns B.
    seq_len : int
        Chunk length T.

    Returns
    -------
    stream : same type, shape (N // B, B)
        See :func:`batchify`; iterate with ``tbptt_chunks(stream, seq_len)``.

    Raises
    ------
    ValueError
        When ``seq_len`` is longer than a column (``N // B - 1`` steps).
    """
    seq_len = _int_arg(seq_len, "seq_len")
    stream = batchify(ids, batch_size)  # (N, B)
    if seq_len > stream.shape[0] - 1:
        raise ValueError(
            f"seq_len: {seq_len} is longer than the data allows: {len(ids)} items in "
            f"{batch_size} columns give {stream.shape[0] - 1} steps per column; use a smaller "
            "seq_len or batch_size, or more data"
        )
    return stream
